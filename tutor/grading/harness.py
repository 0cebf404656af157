"""Runs inside the sandbox: loads a submission, calls one of its functions on
the given inputs, and writes what came back as JSON lines to a pipe.

This file imports nothing of the project and is the only project code the
sandbox sees. It decides nothing: every comparison happens in the grading
process. Return values are converted strictly, by exact type: numbers,
numeric numpy arrays, lists and tuples of them; anything else is reported as
its type's name, never trusted (a lying __eq__ or __float__ is never called).

Usage: python -I -S harness.py LIB_DIR < job.json        (one run)
       python -I -S harness.py LIB_DIR --serve FD        (a fork server)

As a fork server it imports numpy once, then for each job that arrives on
the control socket FD forks a child that unshares its own mount and PID
namespaces (so everything it starts dies with it), mounts a fresh /tmp,
drops every capability, limits itself and only then loads the submission.
"""

import json
import os
import re
import sys
import time
import types

MAX_DEPTH = 8
MAX_ITEMS = 2_000_000
SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "submission", "submission.py")


def main():
    sys.path.insert(0, sys.argv[1])
    if sys.argv[2:3] == ["--serve"]:
        serve(int(sys.argv[3]))
        return
    job = json.loads(sys.stdin.read())
    limit_myself(job.get("limits", {}))
    try:
        with open(SOURCE, encoding="utf-8-sig") as handle:
            source = handle.read()
    except (OSError, UnicodeDecodeError) as error:
        source, job["unreadable"] = "", f"cannot read the submission: {describe(error)}"
    run_job(job, source, job["fd"])


def run_job(job, source, fd):
    """Load the source, then call each task's function on its cases,
    reporting on the pipe ``fd``."""
    channel = os.fdopen(fd, "w", buffering=1)

    def send(**message):
        channel.write(json.dumps(message, allow_nan=True) + "\n")
        channel.flush()

    import numpy

    codec = Codec(numpy)
    module, problems = load(source)
    if job.get("unreadable"):
        problems.insert(0, job["unreadable"])
    send(event="loaded", problems=problems)
    for number, task in enumerate(job["tasks"]):
        if task.get("start", 0) >= len(task["cases"]):
            continue
        function = getattr(module, task["function"], None)
        if not callable(function):
            send(event="missing", task=number, function=task["function"])
            continue
        for index in range(task.get("start", 0), len(task["cases"])):
            args, kwargs = (codec.decode(part) for part in task["cases"][index])
            send(event="start", task=number, case=index)
            began = time.perf_counter()
            try:
                value = function(*args, **kwargs)
            except BaseException as error:  # the student's code may raise anything, SystemExit too
                message = {"event": "error", "error": describe(error)}
            else:
                message = {"event": "result", "value": codec.encode(value)}
                if task.get("report_inputs"):
                    message["inputs_after"] = codec.encode([args, kwargs])
            send(**message, task=number, case=index, seconds=elapsed(began))
    send(event="done")


# --- the fork server ------------------------------------------------------------------

CLONE_NEWNS, CLONE_NEWPID = 0x00020000, 0x20000000
MS_NOSUID, MS_NODEV, MS_REC, MS_PRIVATE = 2, 4, 1 << 14, 1 << 18
PR_SET_DUMPABLE, PR_SET_NO_NEW_PRIVS = 4, 38


def serve(control_fd):
    """Fork a fresh, isolated child for each job; report how it ended."""
    import ctypes
    import select
    import signal
    import socket
    import struct

    import numpy  # noqa: F401  (imported once here, inherited by every child)

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)  # no child may read this process's memory
    control = socket.socket(fileno=control_fd)
    while True:
        try:
            header, fds, _, _ = socket.recv_fds(control, 8, 1)
        except OSError:
            return
        if len(header) < 8 or not fds:
            return
        size = struct.unpack("!Q", header)[0]
        payload = bytearray()
        while len(payload) < size:
            chunk = control.recv(min(1 << 20, size - len(payload)))
            if not chunk:
                return
            payload += chunk
        message = json.loads(payload)
        report_read, report_write = os.pipe()
        pid = os.fork()
        if pid == 0:
            control.close()
            os.close(report_read)
            isolated_child(libc, message, fds[0], report_write)
        os.close(fds[0])
        os.close(report_write)
        inner = os.read(report_read, 32)  # the job's pid 1, as this namespace numbers it
        os.close(report_read)
        inner_pid = int(inner) if inner.strip().isdigit() else None
        # Wake up when the job ends (its pidfd) or the grader says to kill it.
        exited = os.pidfd_open(pid)
        while True:
            ready, _, _ = select.select([control, exited], [], [])
            if exited in ready:
                break
            command = control.recv(64)
            if not command:
                os.kill(pid, signal.SIGKILL)
                return
            if inner_pid:
                with suppress_errors():
                    os.kill(inner_pid, signal.SIGKILL)
        os.close(exited)
        status = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        control.sendall((json.dumps({"event": "exit", "status": status}) + "\n").encode())


class suppress_errors:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return exc[0] is not None and issubclass(exc[0], OSError)


def isolated_child(libc, message, fd, report):
    """In the forked child: new mount and PID namespaces; the job runs as the
    namespace's first process, so that whatever it starts dies with it."""
    import ctypes

    status = 1
    try:
        if libc.unshare(CLONE_NEWNS | CLONE_NEWPID) != 0:
            raise OSError(ctypes.get_errno(), "unshare")
        inner = os.fork()
        if inner == 0:
            os.close(report)
            run_isolated(libc, message, fd)
        os.close(fd)
        os.write(report, str(inner).encode())
        os.close(report)
        _, code = os.waitpid(inner, 0)
        status = os.waitstatus_to_exitcode(code)
    finally:
        os._exit(status if isinstance(status, int) and 0 <= status < 256 else 1)


def run_isolated(libc, message, fd):
    """As the new namespace's first process: a private /tmp, no capability,
    then the job in a child of its own (so that the job can be killed like
    any process, which a namespace's first process cannot); when the job
    ends, this process ends, and the kernel kills whatever the job left."""
    import ctypes

    status = 1
    try:
        if libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None) != 0:
            raise OSError(ctypes.get_errno(), "mount private")
        size = f"size={int(message['limits'].get('tmp_bytes', 32 << 20))}".encode()
        if libc.mount(b"tmpfs", b"/tmp", b"tmpfs", MS_NOSUID | MS_NODEV, size) != 0:
            raise OSError(ctypes.get_errno(), "mount /tmp")
        drop_capabilities(libc)
        job = os.fork()
        if job == 0:
            try:
                os.setsid()  # its own process group: killpg(0) reaches nothing else
                os.chdir("/tmp")
                limit_myself(message["limits"])
                run_job(message["job"], message["source"], fd)
            finally:
                sys.stdout.flush()
                os._exit(0)
        os.close(fd)
        while True:  # reap orphans too, until the job itself ends
            pid, code = os.wait()
            if pid == job:
                status = os.waitstatus_to_exitcode(code)
                break
    except BaseException:
        pass
    finally:
        os._exit(status if isinstance(status, int) and 0 <= status < 256 else 1)


def drop_capabilities(libc):
    """No capability left, and none to gain: the job runs powerless."""
    import ctypes

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [(name, ctypes.c_uint32) for name in ("effective", "permitted", "inheritable")]

    header, data = Header(0x20080522, 0), (Data * 2)()  # _LINUX_CAPABILITY_VERSION_3
    if libc.capset(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capset")
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "no_new_privs")


def limit_myself(limits):
    """Hard resource limits, set before any submitted code runs."""
    import resource

    names = {
        "cpu": resource.RLIMIT_CPU,
        "memory": resource.RLIMIT_AS,
        "file_size": resource.RLIMIT_FSIZE,
        "open_files": resource.RLIMIT_NOFILE,
        "processes": resource.RLIMIT_NPROC,
    }
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    for name, value in limits.items():
        if name in names and value is not None:
            resource.setrlimit(names[name], (int(value), int(value)))


def elapsed(began):
    return time.perf_counter() - began


def describe(error):
    try:
        text = str(error)
    except BaseException:
        text = ""
    return f"{type(error).__name__}: {text[:500]}" if text else type(error).__name__


def load(source):
    """The submission as a module, run one top-level statement at a time so
    that a statement that fails (an import of a missing package, a stray
    call) costs only what depends on it. A file that does not compile is cut
    into blocks by indentation, so that one broken function does not cost the
    others."""
    import ast

    module = types.ModuleType("submission")
    module.__file__ = "submission.py"
    sys.modules["submission"] = module
    problems = []
    try:
        tree = ast.parse(source, "submission.py")
        blocks = [
            (node.lineno, compile(ast.Module([node], []), "submission.py", "exec"))
            for node in tree.body
        ]
    except SyntaxError as error:
        problems.append(f"SyntaxError at line {error.lineno}: {error.msg}")
        blocks = compiled_blocks(source, problems)
    except (ValueError, RecursionError, MemoryError) as error:
        return module, [f"cannot compile the submission: {describe(error)}"]
    for line, code in blocks:
        try:
            exec(code, module.__dict__)
        except BaseException as error:
            line = failing_line(error, line)
            problems.append(f"error while loading (line {line}): {describe(error)}")
    return module, problems


def failing_line(error, default):
    """The line of the submission where an exception was raised."""
    import traceback

    lines = [
        f.lineno for f in traceback.extract_tb(error.__traceback__) if f.filename == "submission.py"
    ]
    return lines[-1] if lines else default


CONTINUATION = re.compile(r"(else|elif|except|finally)\b|[)\]}]")


def compiled_blocks(source, problems):
    lines = source.splitlines(keepends=True)
    starts = []
    for number, line in enumerate(lines):
        stripped = line.lstrip()
        top_level = line[:1] not in (" ", "\t") and stripped and not stripped.startswith("#")
        if not top_level or CONTINUATION.match(stripped):
            continue
        # Decorators stay with the definition they decorate.
        if (
            starts
            and lines[starts[-1]].startswith("@")
            and all(
                lines[k].startswith("@") or not lines[k].strip() for k in range(starts[-1], number)
            )
        ):
            continue
        starts.append(number)
    blocks = []
    for begin, end in zip(starts, starts[1:] + [len(lines)]):
        text = "\n" * begin + "".join(lines[begin:end])  # keep line numbers
        try:
            blocks.append((begin + 1, compile(text, "submission.py", "exec")))
        except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
            line = getattr(error, "lineno", begin + 1)
            message = f"skipped the block at line {begin + 1}: {describe(error)} (line {line})"
            if message not in problems:
                problems.append(message)
    return blocks


class Codec:
    """Plain data in and out: JSON, with numpy arrays as tagged lists."""

    def __init__(self, numpy):
        self.np = numpy
        self.scalars = {
            numpy.float64: float,
            numpy.float32: float,
            numpy.float16: float,
            numpy.int64: int,
            numpy.int32: int,
            numpy.int16: int,
            numpy.int8: int,
            numpy.uint64: int,
            numpy.uint32: int,
            numpy.uint16: int,
            numpy.uint8: int,
        }

    def decode(self, value):
        if isinstance(value, dict) and "ndarray" in value:
            return self.np.array(value["ndarray"], dtype=value["dtype"])
        if isinstance(value, dict) and "tuple" in value:
            return tuple(self.decode(v) for v in value["tuple"])
        if isinstance(value, dict):
            return {k: self.decode(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.decode(v) for v in value]
        return value

    def encode(self, value, depth=0):
        kind = type(value)  # the exact type: subclasses are not trusted
        if kind is float:
            return {"float": value}
        if kind is int:
            return {"int": value} if abs(value) < 2**63 else {"wrong_type": "int (too large)"}
        if kind in self.scalars:
            return {self.scalars[kind].__name__: self.scalars[kind](value.item())}
        if kind is self.np.ndarray:
            if value.dtype.kind not in "iuf":
                return {"wrong_type": f"ndarray of {value.dtype}"}
            if value.size > MAX_ITEMS:
                return {"wrong_type": "ndarray (too large)"}
            return {"ndarray": value.tolist(), "dtype": str(value.dtype), "shape": value.shape}
        if kind in (list, tuple):
            if depth >= MAX_DEPTH or len(value) > MAX_ITEMS:
                return {"wrong_type": f"{kind.__name__} (too deep or too long)"}
            return {kind.__name__: [self.encode(v, depth + 1) for v in value]}
        if kind is dict and all(type(k) is str for k in value):
            return {"dict": {k: self.encode(v, depth + 1) for k, v in value.items()}}
        if kind is str:
            return {"str": value[:10_000]}
        return {"wrong_type": kind.__name__}


if __name__ == "__main__":
    main()
    # Threads the submission started must not keep the run alive.
    sys.stdout.flush()
    os._exit(0)
