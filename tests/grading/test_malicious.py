"""Hostile submissions against the grader.

Each attack is a small submission that tries one thing the threat model
forbids: reach the reference, the tests, the other submissions, the output
folder or the grader's environment; lie about its results; hang, crash, exit
or kill; exhaust memory, processes, output or disk; open sockets; leave a
process behind. Every attack must end with its task scored 0 and a clear
reason in each test's feedback, grading must return normally, and nothing
outside the sandbox may change: no marker file appears, no process carrying
the attack's token survives, no secret shows up in the feedback, and nobody
connected to a socket the test listens on.

Attacks run with isolation "namespaced" explicitly: some of them (killing the
parent process, leaving daemons) would hit the test runner itself if they
ever ran without the sandbox. Basic isolation gets only the limit checks.
"""

import contextlib
import os
import re
import site
import socket
import sysconfig
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

import tutor
from tutor.grading import assignments, runner, sandbox, submissions

SECRET_NAME = "TUTOR_SECRET_TOKEN"
HOST_MARKER = Path("/tmp/tutor-attack-marker")
PROJECT = Path(tutor.__file__).resolve().parent.parent
HOST_SITES = sorted({sysconfig.get_paths()["purelib"], *site.getsitepackages()})
# Only in the reference source of entropy: seeing it in feedback means the
# reference was read.
REFERENCE_WORD = "entropy_from_counts"
NOT_RUN = "not run: earlier calls kept hanging or ending the process"

CORRECT_ENTROPY = """
import numpy as np

def entropy(labels, base=2):
    _, counts = np.unique(np.asarray(labels), return_counts=True)
    p = counts / counts.sum()
    return float(-np.sum(p * np.log(p)) / np.log(base))
"""

# Finds the pipe the harness reports results on (any pipe but stdin).
CHANNEL = """
import json, os

def channel():
    for name in os.listdir("/proc/self/fd"):
        try:
            if int(name) > 2 and os.readlink(f"/proc/self/fd/{name}").startswith("pipe:"):
                return int(name)
        except OSError:
            pass
    raise LookupError("no result channel")
"""


def assignment(function, case_seconds=2):
    """One task with one random case (entropy adds four edge cases; fit_predict
    has exactly one, so a hanging call costs a single time limit)."""
    return assignments.parse(
        f"""
name = "attacks"
seed = 7

[[tasks]]
function = "{function}"
cases = 1
case_seconds = {case_seconds}
memory_mb = 512
"""
    )


def grade(source, function="entropy", isolation="namespaced", student="mallory"):
    submission = submissions.Submission(student, f"{student}.py", source)
    return runner.grade_submission(assignment(function), submission, isolation=isolation)


def processes_with(token):
    """Pids of the processes whose command line holds the token."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if token.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            pass
    return found


def survivors(token, patience=5.0):
    """Processes with the token still alive once a killed sandbox has had a
    moment to be torn down (the kernel reaps a PID namespace asynchronously)."""
    deadline = time.monotonic() + patience
    while (found := processes_with(token)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return found


@dataclass
class Arena:
    """What lies outside the sandbox for an attack to reach."""

    token: str
    secrets: tuple  # strings that must never show up in feedback
    values: dict  # placeholder -> text, substituted into attack sources
    markers: tuple  # files outside the sandbox an attack tries to create
    listener: socket.socket

    def render(self, source):
        for name, value in self.values.items():
            source = source.replace(f"@{name}@", value)
        return source


@pytest.fixture
def arena(tmp_path, monkeypatch, bwrap):
    token = f"tutor-attack-{uuid.uuid4().hex}"
    env_secret = f"env-secret-{uuid.uuid4().hex}"
    monkeypatch.setenv(SECRET_NAME, env_secret)
    # Another grading's output and another student's submission, as a batch
    # run would leave them on disk.
    other_output = tmp_path / "other-grading"
    other_output.mkdir()
    grades_secret = f"grades-secret-{uuid.uuid4().hex}"
    (other_output / "grades.csv").write_text(f"student,score\nalice,{grades_secret}\n")
    other_submission = tmp_path / "submissions" / "alice.py"
    other_submission.parent.mkdir()
    submission_secret = f"alice-secret-{uuid.uuid4().hex}"
    other_submission.write_text(f"# {submission_secret}\n" + CORRECT_ENTROPY)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.setblocking(False)
    marker = tmp_path / "marker"
    project_marker = PROJECT / f"attack-marker-{token}"
    HOST_MARKER.unlink(missing_ok=True)
    values = {
        "TOKEN": token,
        "MARKER": str(marker),
        "PROJECT_MARKER": str(project_marker),
        "PROJECT": str(PROJECT),
        "HOST_SITES": repr(HOST_SITES),
        "OTHER_OUTPUT": str(other_output / "grades.csv"),
        "OTHER_SUBMISSION": str(other_submission),
        "SECRET_NAME": SECRET_NAME,
        "GRADER_PID": str(os.getpid()),
        "PORT": str(listener.getsockname()[1]),
    }
    yield Arena(
        token,
        (env_secret, grades_secret, submission_secret, REFERENCE_WORD),
        values,
        (marker, project_marker, HOST_MARKER),
        listener,
    )
    listener.close()
    for pid in processes_with(token):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, 9)
    project_marker.unlink(missing_ok=True)
    HOST_MARKER.unlink(missing_ok=True)


@dataclass(frozen=True)
class Attack:
    name: str
    source: str  # may hold @PLACEHOLDERS@ filled in by the arena
    reason: str  # a regex every test's feedback matches, unless it was not run
    function: str = "entropy"


ATTACKS = [
    # --- reaching the reference, the tests, the other submissions -----------
    Attack(
        "import the reference package",
        "from tutor.solutions.trees import entropy\n",
        r"ModuleNotFoundError: No module named 'tutor'",
    ),
    Attack(
        "import tutor through the host's site-packages and its editable-install hook",
        """
import site
for folder in @HOST_SITES@:
    site.addsitedir(folder)  # runs the .pth files, the editable finder's too

def entropy(labels, base=2):
    from tutor.solutions.trees import entropy as reference
    return reference(labels, base)
""",
        r"raised ModuleNotFoundError: No module named 'tutor'",
    ),
    Attack(
        "import the reference from the project folder",
        """
import sys
sys.path.insert(0, "@PROJECT@")

def entropy(labels, base=2):
    from solutions.trees import entropy as reference
    return reference(labels, base)
""",
        r"raised ModuleNotFoundError: No module named 'solutions'",
    ),
    Attack(
        "scipy from the host's site-packages",
        """
import sys
sys.path[:0] = @HOST_SITES@

def entropy(labels, base=2):
    import numpy as np
    from scipy.stats import entropy as scipy_entropy
    return float(scipy_entropy(np.unique(labels, return_counts=True)[1], base=base))
""",
        r"raised ModuleNotFoundError: No module named 'scipy'",
    ),
    Attack(
        "sympy from the host's site-packages",
        """
import sys
sys.path[:0] = @HOST_SITES@
import sympy

def entropy(labels, base=2):
    return -1.0
""",
        r"error while loading \(line 4\): ModuleNotFoundError: No module named 'sympy'",
    ),
    Attack(
        "exec the reference source by its path on the host",
        """
def entropy(labels, base=2):
    namespace = {}
    with open("@PROJECT@/solutions/trees.py") as handle:
        exec(handle.read(), namespace)
    return namespace["entropy"](labels, base)
""",
        r"raised FileNotFoundError",
    ),
    Attack(
        "read the built-in assignment, seed included, on the host",
        """
def entropy(labels, base=2):
    with open("@PROJECT@/tutor/grading/assignments/core.toml") as handle:
        raise RuntimeError(handle.read())
""",
        r"raised FileNotFoundError",
    ),
    Attack(
        "read another student's submission",
        """
import glob

def entropy(labels, base=2):
    for path in glob.glob("/tmp/tutor-run-*/code/*.py"):
        with open(path) as handle:
            raise RuntimeError(handle.read())
    with open("@OTHER_SUBMISSION@") as handle:
        raise RuntimeError(handle.read())
""",
        r"raised FileNotFoundError",
    ),
    Attack(
        "read the output folder of another grading",
        """
def entropy(labels, base=2):
    with open("@OTHER_OUTPUT@") as handle:
        raise RuntimeError(handle.read())
""",
        r"raised FileNotFoundError",
    ),
    Attack(
        "read the grader's environment variable",
        """
import os

def entropy(labels, base=2):
    raise RuntimeError(os.environ["@SECRET_NAME@"])
""",
        r"raised KeyError: '@SECRET_NAME@'",
    ),
    Attack(
        "read the parent's environment and the host through /proc",
        """
import os, re

def entropy(labels, base=2):
    seen = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        for path in (f"/proc/{pid}/environ", f"/proc/{pid}/root@PROJECT@/solutions/trees.py"):
            try:
                with open(path, "rb") as handle:
                    seen.append(handle.read().decode("utf-8", "replace"))
            except OSError:
                pass
    text = "\\x00".join(seen)
    secret = re.search("@SECRET_NAME@=([^\\x00]*)", text)
    if secret or "def entropy" in text:
        raise RuntimeError(secret.group(1) if secret else text)
    raise LookupError(f"nothing found in {len(seen)} files")
""",
        r"raised LookupError: nothing found",
    ),
    Attack(
        "spawn sh to look around the host",
        """
import subprocess

def entropy(labels, base=2):
    script = "env; cat /etc/passwd @PROJECT@/solutions/trees.py @OTHER_OUTPUT@ 2>&1"
    result = subprocess.run(["sh", "-c", script], capture_output=True, text=True)
    raise RuntimeError(result.stdout)
""",
        r"raised RuntimeError: .*No such file or directory",
    ),
    # --- monkeypatching and lying ---------------------------------------------
    Attack(
        "monkeypatch numpy's comparisons",
        """
import numpy
numpy.allclose = numpy.array_equal = lambda *args, **kwargs: True
numpy.isclose = lambda *args, **kwargs: numpy.True_
numpy.testing.assert_allclose = lambda *args, **kwargs: None

def entropy(labels, base=2):
    return -1.0
""",
        r"expected .*, got -1\.",
    ),
    Attack(
        "monkeypatch the harness to claim every test passed",
        """
import __main__, json
_dumps = json.dumps
json.dumps = lambda message, **kw: _dumps({**message, "passed": True, "score": 100}, **kw)
__main__.Codec.encode = lambda self, value, depth=0: {"float": -1.0}

def entropy(labels, base=2):
    return 0.5
""",
        r"expected .*, got -1\.",
    ),
    Attack(
        "forge passing results on the result channel, then exit",
        CHANNEL
        + """
def entropy(labels, base=2):
    fd = channel()
    for case in range(50):
        message = {
            "event": "result", "task": 0, "case": case, "value": {"float": -1.0}, "passed": True
        }
        os.write(fd, (json.dumps(message) + "\\n").encode())
    os.write(fd, b'{"event": "done", "score": 100}\\n')
    os._exit(0)
""",
        r"expected .*, got -1\.",
    ),
    Attack(
        "print fake results",
        """
import json, sys

def entropy(labels, base=2):
    fake = {"event": "result", "case": 0, "value": {"float": 0.0}, "passed": True}
    print(json.dumps(fake))
    print(json.dumps({"score": 100, "tests": [{"score": 10, "status": "passed"}]}))
    print(json.dumps(fake), file=sys.stderr)
    return -1.0
""",
        r"expected .*, got -1\.",
    ),
    Attack(
        "a float whose __eq__ always says yes",
        """
class Liar(float):
    def __eq__(self, other):
        return True
    __hash__ = float.__hash__

def entropy(labels, base=2):
    return Liar(-1.0)
""",
        r"returned <Liar>, which is not a number or an array of numbers",
    ),
    Attack(
        "a numpy array subclass that equals anything",
        """
import numpy as np

class Liar(np.ndarray):
    def __eq__(self, other):
        return True
    def __array_finalize__(self, obj):
        pass

def entropy(labels, base=2):
    return np.zeros(()).view(Liar)
""",
        r"returned <Liar>, which is not a number or an array of numbers",
    ),
    Attack(
        "an object with __array__, __float__ and __eq__",
        """
import numpy as np

class Liar:
    def __array__(self, dtype=None, copy=None):
        return np.array(0.5)
    def __float__(self):
        return 0.5
    def __eq__(self, other):
        return True
    __hash__ = object.__hash__

def entropy(labels, base=2):
    return Liar()
""",
        r"returned <Liar>, which is not a number or an array of numbers",
    ),
    Attack(
        "replace builtins.type so the harness takes a liar for a float",
        """
import builtins

class Liar(float):
    def __eq__(self, other):
        return True
    __hash__ = float.__hash__

_type = builtins.type
builtins.type = lambda *args: float if len(args) == 1 and _type(args[0]) is Liar else _type(*args)

def entropy(labels, base=2):
    return Liar(-1.0)
""",
        r"expected .*, got -1\.",
    ),
    Attack(
        "an object array of numbers",
        """
import numpy as np

def entropy(labels, base=2):
    return np.array([0.5], dtype=object)
""",
        r"returned <ndarray of object>, which is not a number",
    ),
    Attack(
        "an integer too large for a float",
        "def entropy(labels, base=2):\n    return 10 ** 400\n",
        r"returned <int \(too large\)>, which is not a number",
    ),
    Attack(
        "a list nested deeper than allowed",
        """
def entropy(labels, base=2):
    value = 0.0
    for _ in range(50):
        value = [value]
    return value
""",
        r"list \(too deep or too long\)",
    ),
    Attack(
        "a huge nested list",
        "def fit_predict(X_train, y_train, X_test):\n    return [[0.0] * 1_000_000] * 60\n",
        r"the process ended during this call|took longer than the time limit",
        "fit_predict",
    ),
    # --- exiting and killing ------------------------------------------------
    Attack(
        "sys.exit(0) in the call",
        "import sys\n\ndef entropy(labels, base=2):\n    sys.exit(0)\n",
        r"raised SystemExit",
    ),
    Attack(
        "sys.exit(0) at import",
        "import sys\nsys.exit(0)\n\ndef entropy(labels, base=2):\n    return -1.0\n",
        r"error while loading \(line 2\): SystemExit",
    ),
    Attack(
        "os._exit(0) in the call",
        "import os\n\ndef entropy(labels, base=2):\n    os._exit(0)\n",
        r"the process ended during this call \(exit code 0\)",
    ),
    Attack(
        "os._exit(0) at import",
        "import os\nos._exit(0)\n\ndef entropy(labels, base=2):\n    return -1.0\n",
        r"the submission could not be loaded \(exit code 0\)",
    ),
    Attack(
        "kill itself",
        "import os, signal\n\ndef entropy(labels, base=2):\n    os.kill(os.getpid(), 9)\n",
        r"the process ended during this call",
    ),
    Attack(
        "kill its process group",
        "import os\n\ndef entropy(labels, base=2):\n    os.killpg(0, 9)\n",
        r"the process ended during this call",
    ),
    Attack(
        "kill its parent and PID 1",
        """
import os, signal

def entropy(labels, base=2):
    os.kill(os.getppid(), signal.SIGKILL)
    os.kill(1, signal.SIGKILL)
    return -1.0
""",
        r"expected .*, got -1\.",
    ),
    Attack(
        "kill the grading process by its host pid",
        "import os\n\ndef entropy(labels, base=2):\n    os.kill(@GRADER_PID@, 9)\n",
        r"raised ProcessLookupError",
    ),
    Attack(
        "a segmentation fault through ctypes",
        "import ctypes\n\ndef entropy(labels, base=2):\n    return ctypes.string_at(0)\n",
        r"the process ended during this call",
    ),
    Attack(
        "setuid, mount and umount through ctypes",
        """
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)

def entropy(labels, base=2):
    calls = [
        lambda: libc.setuid(0),
        lambda: libc.mount(b"none", b"/sandbox", b"tmpfs", 0, None),
        lambda: libc.umount2(b"/sandbox/harness.py", 2),
    ]
    for call in calls:
        if call() == 0:
            raise RuntimeError("a privileged call succeeded")
    error = ctypes.get_errno()
    raise OSError(error, os.strerror(error))
""",
        r"raised PermissionError: \[Errno 1\] Operation not permitted",
    ),
    pytest.param(
        Attack(
            "a nested user namespace through ctypes",
            """
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)

def entropy(labels, base=2):
    if libc.unshare(0x10000000) == 0:  # CLONE_NEWUSER: full capabilities inside it
        raise RuntimeError("created a user namespace")
    error = ctypes.get_errno()
    raise OSError(error, os.strerror(error))
""",
            r"raised (PermissionError|OSError)",
        ),
    ),
    # --- hanging (fit_predict: one case, so one time limit) --------------------
    Attack(
        "an infinite loop at import",
        "while True:\n    pass\n",
        r"loading the submission took longer than 2 s",
    ),
    Attack(
        "an infinite loop in the call",
        "def fit_predict(X_train, y_train, X_test):\n    while True:\n        pass\n",
        r"took longer than the time limit of 2 s",
        "fit_predict",
    ),
    Attack(
        "an infinite loop in a thread the call waits for",
        """
import threading

def fit_predict(X_train, y_train, X_test):
    def spin():
        while True:
            pass
    thread = threading.Thread(target=spin)
    thread.start()
    thread.join()
""",
        r"took longer than the time limit of 2 s",
        "fit_predict",
    ),
    Attack(
        "a thread left spinning after the calls",
        """
import threading

def spin():
    while True:
        pass

threading.Thread(target=spin).start()

def entropy(labels, base=2):
    return -1.0
""",
        r"expected .*, got -1\.",
    ),
    Attack(
        "sleeping",
        "import time\n\ndef fit_predict(X_train, y_train, X_test):\n    time.sleep(10**6)\n",
        r"took longer than the time limit of 2 s",
        "fit_predict",
    ),
    Attack(
        "ignoring SIGTERM and the other signals, cancelling alarms",
        """
import signal
for name in ("SIGTERM", "SIGINT", "SIGHUP", "SIGALRM", "SIGXCPU", "SIGUSR1", "SIGPIPE"):
    signal.signal(getattr(signal, name), signal.SIG_IGN)
signal.alarm(0)
signal.setitimer(signal.ITIMER_REAL, 0)

def fit_predict(X_train, y_train, X_test):
    while True:
        signal.alarm(0)
""",
        r"took longer than the time limit of 2 s",
        "fit_predict",
    ),
    # --- resources ------------------------------------------------------------
    Attack(
        "a memory bomb in the call",
        """
def fit_predict(X_train, y_train, X_test):
    hoard = []
    while True:
        hoard.append(bytearray(64 * 2**20))
""",
        r"raised MemoryError",
        "fit_predict",
    ),
    Attack(
        "a memory bomb at import",
        "hoard = bytearray(2**40)\n\ndef entropy(labels, base=2):\n    return -1.0\n",
        r"error while loading \(line 1\): MemoryError",
    ),
    Attack(
        "raising its own resource limits",
        """
import resource

def entropy(labels, base=2):
    unlimited = (resource.RLIM_INFINITY, resource.RLIM_INFINITY)
    for limit in (resource.RLIMIT_AS, resource.RLIMIT_CPU, resource.RLIMIT_NPROC):
        resource.setrlimit(limit, unlimited)
    return 0.0
""",
        r"raised ValueError: not allowed to raise maximum limit",
    ),
    Attack(
        "a fork bomb",
        """
import os, sys

BOMB = "import os\\nwhile True:\\n    try:\\n        os.fork()\\n    except OSError:\\n        pass"

def fit_predict(X_train, y_train, X_test):
    os.execv(sys.executable, [sys.executable, "-c", BOMB, "@TOKEN@"])
""",
        r"took longer than the time limit of 2 s",
        "fit_predict",
    ),
    Attack(
        "gigabytes of output",
        """
import sys

def fit_predict(X_train, y_train, X_test):
    chunk = "x" * 2**20
    for _ in range(4096):
        sys.stdout.write(chunk)
        sys.stderr.write(chunk)
""",
        # Printed output is discarded: writing it costs only time.
        r"File too large|the process ended during this call|got <NoneType>",
        "fit_predict",
    ),
    Attack(
        "flooding the result channel",
        CHANNEL
        + """
def fit_predict(X_train, y_train, X_test):
    fd = channel()
    while True:
        os.write(fd, b"x" * 2**20)
""",
        r"took longer than the time limit of 2 s",
        "fit_predict",
    ),
    Attack(
        "filling the disk through /tmp",
        """
def entropy(labels, base=2):
    for index in range(1000):
        with open(f"/tmp/fill-{index}", "wb") as handle:
            handle.write(b"x" * 2**22)
""",
        r"raised OSError: \[Errno 28\] No space left on device",
    ),
    pytest.param(
        Attack(
            "filling memory through /dev/shm",
            """
def entropy(labels, base=2):
    for index in range(16):
        with open(f"/dev/shm/fill-{index}", "wb") as handle:
            handle.write(b"x" * 4 * 2**20)
    raise RuntimeError("wrote 64 MB to /dev/shm, past the 32 MB of /tmp")
""",
            r"No space left on device|Read-only file system|Permission denied",
        ),
    ),
    # --- escaping -------------------------------------------------------------
    Attack(
        "write marker files on the host and in the project",
        """
def entropy(labels, base=2):
    # The sandbox's own /tmp takes it; the host's must not see it.
    with open("/tmp/tutor-attack-marker", "w") as handle:
        handle.write("@TOKEN@")
    for path in ("@MARKER@", "@PROJECT_MARKER@"):
        try:
            with open(path, "w") as handle:
                handle.write("@TOKEN@")
        except OSError as error:
            last = error
    raise last
""",
        r"raised (FileNotFoundError|OSError: \[Errno 30\] Read-only file system)",
    ),
    Attack(
        "write into the grader's temp folder, found through /proc/self/fd",
        """
import os

def entropy(labels, base=2):
    folder = os.path.dirname(os.readlink("/proc/self/fd/1"))  # the host's tutor-run-* folder
    with open(os.path.join(folder, "code", "submission.py"), "w") as handle:
        handle.write("def entropy(labels, base=2):\\n    return -1.0\\n")
    return -1.0
""",
        r"raised FileNotFoundError",
    ),
    Attack(
        "overwrite the harness and its own submission",
        """
import os

def entropy(labels, base=2):
    # A fork server gets the source in memory: its submission file may not exist.
    for path in ("/sandbox/harness.py", "/sandbox/submission/submission.py"):
        if os.path.exists(path):
            with open(path, "r+"):
                raise RuntimeError(f"{path} is writable")
""",
        r"raised OSError: \[Errno 30\] Read-only file system",
    ),
    Attack(
        "connect to a socket on the host",
        """
import socket

def entropy(labels, base=2):
    with socket.create_connection(("127.0.0.1", @PORT@), timeout=1) as connection:
        connection.sendall(b"@TOKEN@")
    return -1.0
""",
        r"raised (ConnectionRefusedError|OSError: \[Errno 101\] Network is unreachable)",
    ),
    Attack(
        "reach the internet",
        """
import socket

def entropy(labels, base=2):
    socket.create_connection(("1.1.1.1", 53), timeout=1)
    return -1.0
""",
        r"raised OSError: \[Errno 101\] Network is unreachable",
    ),
    Attack(
        "leave a background process behind",
        """
import os, subprocess

LOOP = "while :; do echo @TOKEN@ >> /tmp/tutor-attack-marker; echo x >> @MARKER@; sleep 0.1; done"

def entropy(labels, base=2):
    if os.fork() == 0:
        os.setsid()
        subprocess.Popen(["sh", "-c", LOOP, "@TOKEN@"], start_new_session=True)
        os._exit(0)
    return -1.0
""",
        r"expected .*, got -1\.",
    ),
]


def assert_contained(result, arena, attack):
    """The task scored 0 with a clear reason, and nothing leaked or lingered."""
    assert result.isolation == "namespaced"
    assert result.score == 0 and set(result.task_scores.values()) == {0.0}
    assert result.tests, "every case gets a recorded result"
    reason = re.compile(attack.reason.replace("@SECRET_NAME@", SECRET_NAME), re.DOTALL)
    # What a student reads about a test: its line, and what went wrong
    # loading the file.
    loading = "\n".join(result.problems)
    for test in result.tests:
        assert not test.passed and test.score == 0, test
        seen = f"{test.output}\n{loading}"
        assert reason.search(seen) or test.output.startswith(NOT_RUN), seen
    feedback = "\n".join([*(t.output for t in result.tests), *result.problems])
    for secret in arena.secrets:
        assert secret not in feedback
    assert [m for m in arena.markers if m.exists()] == []
    assert survivors(arena.token) == []
    with pytest.raises(BlockingIOError):
        arena.listener.accept()


@pytest.mark.parametrize(
    "attack",
    ATTACKS,
    ids=lambda a: re.sub(r"\W+", "-", a.name).strip("-") if isinstance(a, Attack) else None,
)
def test_attack_scores_zero_and_changes_nothing_outside(attack, arena):
    result = grade(arena.render(attack.source), attack.function)
    assert_contained(result, arena, attack)


# Forged messages on the result channel: values the harness itself would
# never send must be graded, not crash the grader.
FORGED = [
    pytest.param(
        CHANNEL
        + """
def entropy(labels, base=2):
    fd = channel()
    head = b'{"event": "result", "task": 0, "case": 0, "value": {"int": 1'
    os.write(fd, head + b"0" * 400 + b'}}\\n')
    os._exit(0)
""",
        id="forged-huge-integer-result",
    ),
    pytest.param(
        CHANNEL
        + """
os.write(channel(), b'{"event": "loaded", "problems": 5}\\n')

def entropy(labels, base=2):
    return -1.0
""",
        id="forged-loaded-message",
    ),
]


@pytest.mark.parametrize("source", FORGED)
def test_forged_channel_messages_are_graded_not_crashing(source, arena):
    result = grade(arena.render(source))
    assert result.score == 0
    assert all(not test.passed and test.output for test in result.tests)


TAMPERER = """
import subprocess, sys

# Rewrites every submission the grader stages in /tmp, for 30 s, from a
# process in its own session.
TAMPER = '''
import glob, time
end = time.time() + 30
while time.time() < end:
    for path in glob.glob("/tmp/tutor-run-*/code/submission.py"):
        try:
            with open(path, "w") as handle:
                handle.write("def entropy(labels, base=2):\\\\n    return -1.0\\\\n")
        except OSError:
            pass
    with open("/tmp/tutor-attack-marker", "a") as handle:
        handle.write("tampered\\\\n")
    time.sleep(0.02)
'''

def entropy(labels, base=2):
    subprocess.Popen(
        [sys.executable, "-c", TAMPER, "@TOKEN@"],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return -1.0
"""


def test_a_batch_goes_on_and_a_later_submission_is_untouched(arena):
    batch = [
        ("tamperer", arena.render(TAMPERER)),
        ("broken", "def entropy(labels, base=2)\n    return 0.0\n"),
        ("hanger", "while True:\n    pass\n"),
        ("quitter", "import os\nos._exit(0)\n"),
        ("killer", "import os\n\ndef entropy(labels, base=2):\n    os.killpg(0, 9)\n"),
        ("alice", CORRECT_ENTROPY),
    ]
    results = {name: grade(source, student=name) for name, source in batch}
    assert results["alice"].score == 10
    assert all(test.passed for test in results["alice"].tests)
    for name in ("tamperer", "broken", "hanger", "quitter", "killer"):
        assert results[name].score == 0, name
    assert any("SyntaxError" in problem for problem in results["broken"].problems)
    assert not HOST_MARKER.exists()
    assert survivors(arena.token) == []


def test_isolation_is_namespaced_on_this_machine(bwrap):
    assert sandbox.isolation_level() == "namespaced"
    result = runner.grade_submission(
        assignment("entropy"), submissions.Submission("alice", "alice.py", CORRECT_ENTROPY)
    )
    assert result.isolation == "namespaced"
    assert all(test.passed for test in result.tests)


def test_basic_isolation_grades_a_correct_submission():
    result = grade(CORRECT_ENTROPY, isolation="basic", student="alice")
    assert result.isolation == "basic"
    assert result.tests and all(test.passed for test in result.tests)
    assert result.score == result.task_scores["entropy"] == 10


def test_basic_isolation_stops_an_infinite_loop():
    source = "def fit_predict(X_train, y_train, X_test):\n    while True:\n        pass\n"
    result = grade(source, "fit_predict", isolation="basic")
    assert result.isolation == "basic"
    assert result.score == 0
    assert [test.output.split(" | ")[0] for test in result.tests] == [
        "took longer than the time limit of 2 s"
    ]
