"""Running untrusted code: a separate process under OS-level limits.

With bubblewrap ("namespaced" isolation) the process gets its own PID, network,
IPC, UTS and user namespaces, runs as nobody, and sees a filesystem made of
the Python runtime (its site-packages hidden), numpy, the submission and the
harness, read-only, plus a small fresh /tmp. Without bubblewrap ("basic"
isolation) only the limits below apply, and every result says so.

Either way: a clean environment, a fresh working directory, resource limits
(CPU time, address space, file size, open files, processes), printed output
discarded, a wall-clock limit, and the whole process group killed
at the end. Only the harness's JSON comes back; nothing is unpickled.
"""

import atexit
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from functools import cache
from pathlib import Path

HARNESS = Path(__file__).with_name("harness.py")
SANDBOX_ROOT = "/sandbox"
FILE_LIMIT = 16 * 2**20  # bytes of any file a run writes
RESULT_LIMIT = 64 * 2**20  # bytes of results the grader reads at most
PIDS_CGROUP = Path("/sys/fs/cgroup/pids")


@dataclass(frozen=True)
class Limits:
    case_seconds: float = 10.0  # loading the submission, and each call
    case_seconds_by_task: tuple = ()  # each task's own limit per call, when it has one
    wall_seconds: float = 60.0  # the whole run
    cpu_seconds: int = 60
    memory_bytes: int = 1536 * 2**20
    processes: int = 32
    open_files: int = 64
    file_bytes: int = FILE_LIMIT
    tmp_bytes: int = 32 * 2**20


@dataclass(frozen=True)
class RunResult:
    """What came back from one sandboxed run."""

    messages: list  # the JSON lines the harness wrote, parsed
    exit_code: int | None
    timed_out: bool  # killed for taking too long (a call, the loading or the run)
    seconds: float


def _python_paths():
    """The interpreter, its prefix, and numpy's folder (with its bundled libraries)."""
    import numpy

    numpy_dir = Path(numpy.__file__).resolve().parent
    libs = numpy_dir.with_name("numpy.libs")
    return Path(sys.base_prefix).resolve(), numpy_dir, libs if libs.is_dir() else None


@cache
def bwrap():
    return shutil.which("bwrap")


@cache
def _bwrap_supports(option):
    try:
        help_text = subprocess.run([bwrap(), "--help"], capture_output=True, text=True).stdout
    except OSError:
        return False
    return option in help_text


def _system_mounts():
    """Read-only binds of the system folders the interpreter needs."""
    args = []
    for top in ("/usr", "/lib", "/lib64", "/bin", "/sbin", "/etc/alternatives"):
        path = Path(top)
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), top]
        elif path.is_dir():
            args += ["--ro-bind", top, top]
    return args


def _hidden_package_folders(prefix):
    """Every site-packages or dist-packages folder inside the mounted trees:
    covered by an empty tmpfs, so no installed package (tutor included) is
    visible but numpy, which is mounted on its own."""
    roots = [prefix / "lib", Path("/usr/lib"), Path("/usr/local/lib")]
    folders = set()
    for root in roots:
        if not root.is_dir():
            continue
        for pattern in (
            "python3*/site-packages",
            "python3*/dist-packages",
            "python3/dist-packages",
        ):
            folders.update(p for p in root.glob(pattern) if p.is_dir())
    return sorted(folders)


def bwrap_command(work, submission_dir, limits, serve_fd=None):
    """The sandbox around the harness: one run on a submission folder, or
    (``serve_fd``) a fork server that keeps the one capability it needs to
    give each job its own namespaces, and drops it in every job."""
    prefix, numpy_dir, numpy_libs = _python_paths()
    python = Path(sys.executable).resolve()
    if not str(python).startswith(str(prefix)):
        python = prefix / "bin" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    args = [
        bwrap(),
        "--unshare-all",
        "--unshare-user",  # explicit: --disable-userns requires it
        *(["--disable-userns"] if _bwrap_supports("--disable-userns") else []),
        "--die-with-parent",
        "--new-session",
        "--clearenv",
        "--cap-drop",
        "ALL",
        *(["--cap-add", "CAP_SYS_ADMIN"] if serve_fd is not None else []),
        "--uid",
        "65534",
        "--gid",
        "65534",
        "--hostname",
        "sandbox",
        *_system_mounts(),
    ]
    if not str(prefix).startswith("/usr/"):
        args += ["--ro-bind", str(prefix), str(prefix)]
    for folder in _hidden_package_folders(prefix):
        args += ["--size", "4096", "--tmpfs", str(folder), "--remount-ro", str(folder)]
    lib = f"{SANDBOX_ROOT}/lib"
    args += ["--ro-bind", str(numpy_dir), f"{lib}/numpy"]
    if numpy_libs:
        args += ["--ro-bind", str(numpy_libs), f"{lib}/numpy.libs"]
    args += ["--ro-bind", str(HARNESS), f"{SANDBOX_ROOT}/harness.py"]
    if submission_dir is not None:
        args += ["--ro-bind", str(submission_dir), f"{SANDBOX_ROOT}/submission"]
    args += [
        "--proc", "/proc",
        "--dev", "/dev",
        "--size", str(limits.tmp_bytes), "--tmpfs", "/tmp",
        "--remount-ro", "/dev",  # /dev/shm too: no unsized memory-backed space
        "--remount-ro", "/",
        "--chdir", "/tmp",
        "--setenv", "PATH", "/usr/bin:/bin",
        "--setenv", "HOME", "/tmp",
        "--setenv", "LANG", "C.UTF-8",
        "--setenv", "OPENBLAS_NUM_THREADS", "1",
        "--setenv", "OMP_NUM_THREADS", "1",
        "--setenv", "MKL_NUM_THREADS", "1",
        "--setenv", "PYTHONHASHSEED", "0",
        "--setenv", "PYTHONDONTWRITEBYTECODE", "1",
        str(python), "-I", "-S", f"{SANDBOX_ROOT}/harness.py", lib,
    ]  # fmt: skip
    if serve_fd is not None:
        args += ["--serve", str(serve_fd)]
    return args


def basic_command(work, submission_dir):
    """Without namespaces: the harness in a fresh directory, isolated mode."""
    _, numpy_dir, _ = _python_paths()
    lib = work / "lib"
    lib.mkdir()
    (lib / "numpy").symlink_to(numpy_dir)
    libs = numpy_dir.with_name("numpy.libs")
    if libs.is_dir():
        (lib / "numpy.libs").symlink_to(libs)
    shutil.copy(HARNESS, work / "harness.py")
    shutil.copytree(submission_dir, work / "submission")
    return [sys.executable, "-I", "-S", str(work / "harness.py"), str(lib)]


BASIC_ENVIRONMENT = {
    "PATH": "/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYTHONHASHSEED": "0",
}


@cache
def _sweep_stale_cgroups(age_seconds=3600):
    """Remove the empty cgroups that graders killed with SIGKILL left behind
    (rmdir fails on one still in use; the age spares a grader starting now)."""
    if os.geteuid() != 0 or not os.access(PIDS_CGROUP, os.W_OK):
        return
    for path in PIDS_CGROUP.glob("tutor-*"):
        with contextlib.suppress(OSError):
            if time.time() - path.stat().st_mtime > age_seconds:
                path.rmdir()


class _PidsCgroup:
    """A pids cgroup (v1) capping the number of processes of one run, where
    the grader may create one (as root). Root ignores RLIMIT_NPROC."""

    def __init__(self, limit):
        self.path = None
        _sweep_stale_cgroups()
        if os.geteuid() == 0 and os.access(PIDS_CGROUP, os.W_OK):
            path = PIDS_CGROUP / f"tutor-{uuid.uuid4().hex}"
            try:
                path.mkdir()
                (path / "pids.max").write_text(str(limit))
                self.path = path
            except OSError:
                self.path = None

    def join_path(self):
        return None if self.path is None else str(self.path / "cgroup.procs")

    def remove(self):
        """Kill whatever is left in the cgroup (a process that left the run's
        process group with setsid, say), then remove it."""
        if self.path is None:
            return
        for _ in range(100):
            try:
                pids = (self.path / "cgroup.procs").read_text().split()
            except OSError:
                pids = []
            for pid in pids:
                with contextlib.suppress(OSError, ValueError):
                    os.kill(int(pid), signal.SIGKILL)
            try:
                self.path.rmdir()
                return
            except OSError:
                time.sleep(0.02)


def harness_limits(limits):
    """The limits the harness puts on itself before it loads the submission
    (as the hard limits too, so the submission cannot raise them)."""
    nproc = None if os.geteuid() == 0 else _processes_of_user() + limits.processes
    return {
        "cpu": limits.cpu_seconds,
        "memory": limits.memory_bytes,
        "file_size": limits.file_bytes,
        "open_files": limits.open_files,
        "processes": nproc,  # root ignores RLIMIT_NPROC: the pids cgroup caps it then
    }


def _in_cgroup(command, procs_path):
    """The command, started from a shell that first joins the cgroup, so that
    every process of the run is counted from its first instruction on."""
    if procs_path is None:
        return command
    return ["/bin/sh", "-c", 'echo $$ > "$0" && exec "$@"', procs_path, *command]


def _processes_of_user():
    uid = os.getuid()
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                count += entry.stat().st_uid == uid
    return count


@cache
def isolation_level():
    """ "namespaced" when bubblewrap runs here, else "basic"."""
    if bwrap() is None:
        return "basic"
    with tempfile.TemporaryDirectory() as work:
        submission = Path(work) / "submission"
        submission.mkdir()
        (submission / "submission.py").write_text("")
        command = bwrap_command(Path(work), submission, Limits())
        command[-3:] = ["-c", "print('ok')"]
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=20)
        except (OSError, subprocess.TimeoutExpired):
            return "basic"
        return "namespaced" if result.stdout.strip() == "ok" else "basic"


def run(job, source, limits, isolation=None):
    """Run the harness on one job (a JSON-serialisable dict) with the student's
    source, under the limits; the harness's messages come back parsed."""
    isolation = isolation or isolation_level()
    with tempfile.TemporaryDirectory(prefix="tutor-run-") as work:
        work = Path(work)
        submission = work / "code"
        submission.mkdir()
        (submission / "submission.py").write_text(source, encoding="utf-8")
        run_dir = work / "run"
        run_dir.mkdir()
        if isolation == "namespaced":
            command, env = bwrap_command(run_dir, submission, limits), {}
        else:
            command, env = basic_command(run_dir, submission), dict(BASIC_ENVIRONMENT)
            env["HOME"] = str(run_dir)
        cgroup = _PidsCgroup(limits.processes)
        start = time.perf_counter()
        timed_out = False
        read_end, write_end = os.pipe()
        write_fd = write_end
        try:
            process = subprocess.Popen(
                _in_cgroup(command, cgroup.join_path()),
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,  # nothing reads what the code prints
                stderr=subprocess.DEVNULL,
                pass_fds=(write_end,),
                env=env,
                cwd=run_dir,
                start_new_session=True,  # its own process group, killed as one
            )
            os.close(write_end)
            write_end = None
            results = _Collector(read_end)
            try:
                message = {"fd": write_fd, "limits": harness_limits(limits), **job}
                process.stdin.write(json.dumps(message).encode())
                process.stdin.close()
            except (BrokenPipeError, OSError):
                pass
            timed_out = _watch(process, results, limits, start)
            _kill_group(process)
            results.finish()
        finally:
            if write_end is not None:
                os.close(write_end)
            cgroup.remove()
        seconds = time.perf_counter() - start
        return RunResult(
            results.messages,
            None if timed_out else process.returncode,
            timed_out,
            seconds,
        )


def _watch(process, results, limits, start):
    """Wait for the run to end; True when it had to be stopped for time: a
    call (or the loading) over case_seconds, or the run over wall_seconds."""
    while True:
        try:
            process.wait(timeout=0.02)
            return False
        except subprocess.TimeoutExpired:
            pass
        if _expired(results, limits, start):
            return True


class _Collector:
    """Reads the result pipe in a thread, up to RESULT_LIMIT bytes, parsing
    each JSON line as it comes; ``since`` is when the current call (or the
    loading) began, for the per-call time limit."""

    def __init__(self, fd):
        import threading

        self.fd = fd
        self.messages = []
        self.since = time.perf_counter()
        self.loaded, self.last_call = False, (-1, -1)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        received, pending = 0, b""
        while received < RESULT_LIMIT:
            try:
                chunk = os.read(self.fd, 1 << 16)
            except OSError:
                break
            if not chunk:
                break
            received += len(chunk)
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                self._take(line)

    def _take(self, line):
        try:
            message = json.loads(line)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return
        if isinstance(message, dict):
            self.messages.append(message)
            # The clock restarts only for a call not seen before: repeated
            # (forged) start messages cannot stretch the time limit.
            call = (message.get("task"), message.get("case"))
            new_call = all(type(n) is int for n in call) and call > self.last_call
            if (
                message.get("event") == "loaded"
                and not self.loaded
                or (message.get("event") == "start" and new_call)
            ):
                self.since = time.perf_counter()
                self.loaded = True
                self.last_call = call if new_call else self.last_call

    def finish(self):
        self.thread.join(timeout=5)
        with contextlib.suppress(OSError):
            os.close(self.fd)


def _kill_group(process):
    """Kill the run's whole process group, whatever it ignores."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)


class Worker:
    """A pre-started sandbox with numpy imported that forks a fresh, isolated
    child for each run (see the harness's fork server): a run then costs
    about a fork, not an interpreter start. Same interface as :func:`run`."""

    def __init__(self, processes=64):
        import socket

        self.control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.cgroup = _PidsCgroup(processes)
        command = bwrap_command(None, None, Limits(), serve_fd=theirs.fileno())
        self.process = subprocess.Popen(
            _in_cgroup(command, self.cgroup.join_path()),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(theirs.fileno(),),
            start_new_session=True,
        )
        theirs.close()
        self.pending = b""

    def alive(self):
        return self.process.poll() is None

    def close(self):
        with contextlib.suppress(OSError):
            self.control.close()
        _kill_group(self.process)
        self.cgroup.remove()

    def run(self, job, source, limits, isolation=None):
        import socket
        import struct

        payload = json.dumps(
            {
                "job": job,
                "source": source,
                "limits": {**harness_limits(limits), "tmp_bytes": limits.tmp_bytes},
            }
        ).encode()
        read_end, write_end = os.pipe()
        start = time.perf_counter()
        try:
            socket.send_fds(self.control, [struct.pack("!Q", len(payload))], [write_end])
            self.control.sendall(payload)
        except OSError:  # the server died: this run ends as a crash, a new server follows
            os.close(read_end)
            return RunResult([], -1, False, time.perf_counter() - start)
        finally:
            os.close(write_end)
        results = _Collector(read_end)
        timed_out, status = False, None
        while status is None:
            status = self._exit_status(0.02)
            if status is None and _expired(results, limits, start) and not timed_out:
                timed_out = True
                try:
                    self.control.sendall(b"kill")
                except OSError:
                    status = -1
            if status is None and not self.alive():
                status = -1
        results.finish()
        return RunResult(
            results.messages,
            None if timed_out else status,
            timed_out,
            time.perf_counter() - start,
        )

    def _exit_status(self, wait):
        """The exit status the server reports for the current job, if it came."""
        import select

        ready, _, _ = select.select([self.control], [], [], wait)
        if not ready:
            return None
        chunk = self.control.recv(4096)
        if not chunk:
            return -1
        self.pending += chunk
        if b"\n" not in self.pending:
            return None
        line, self.pending = self.pending.split(b"\n", 1)
        try:
            status = json.loads(line).get("status")
        except ValueError:
            return -1
        return status if isinstance(status, int) else -1


def _expired(results, limits, start):
    """Whether the run is over its time: the whole of it, or the current call
    (or the loading) over its task's limit."""
    now = time.perf_counter()
    by_task = limits.case_seconds_by_task
    task = results.last_call[0]
    call_limit = by_task[task] if 0 <= task < len(by_task) else limits.case_seconds
    return now - start > limits.wall_seconds or now - results.since > call_limit


_local = threading.local()
_started = []


def thread_worker():
    """This thread's fork server, started on first use and after it died."""
    worker = getattr(_local, "worker", None)
    if worker is None or not worker.alive():
        if worker is not None:
            worker.close()
        worker = Worker()
        _local.worker = worker
        _started.append(worker)
    return worker


@atexit.register
def _close_workers():
    for worker in _started:
        worker.close()


@cache
def fork_server_available():
    """Whether fork servers run here: they need bubblewrap run as root, to keep
    the one capability each job's namespaces need."""
    if isolation_level() != "namespaced" or os.geteuid() != 0:
        return False
    worker = Worker()
    try:
        limits = Limits(case_seconds=30, wall_seconds=60)
        job = {"tasks": [{"function": "f", "cases": [[[], {}]]}]}
        result = worker.run(job, "def f(): return 1", limits)
        return any(m.get("event") == "result" for m in result.messages)
    except OSError:
        return False
    finally:
        worker.close()


def run_sandboxed(job, source, limits, isolation):
    """One run, through this thread's fork server where there is one, else
    in a freshly started sandbox (or with the limits alone, in basic mode)."""
    if isolation == "namespaced" and fork_server_available():
        return thread_worker().run(job, source, limits)
    return run(job, source, limits, isolation)
