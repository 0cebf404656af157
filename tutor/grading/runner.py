"""Grading one submission: every task's cases through the sandbox, judged
here against the reference. A submission that crashes, hangs, exits early or
lies gets a recorded grade with the reason, never a pass and never a crash of
the grader."""

import dataclasses
import time
from dataclasses import dataclass

import numpy as np

from . import sandbox
from .tasks import Raised, decode, short

MAX_RESTARTS = 3  # fresh processes after calls that hang or kill the process


@dataclass(frozen=True)
class TestResult:
    task: str
    name: str  # "entropy: pure node"
    score: float  # points earned
    max_score: float
    passed: bool
    output: str
    visibility: str


@dataclass(frozen=True)
class TaskRun:
    """What the sandbox runs of one task gave: per case a decoded value, a
    Raised, or a reason string; notes on loading."""

    received: dict
    notes: list
    student_seconds: float


@dataclass(frozen=True)
class SubmissionResult:
    student: str
    assignment: str
    tests: tuple
    task_scores: dict  # function -> points earned
    problems: tuple  # what went wrong loading the submission
    isolation: str
    seconds: float
    student_seconds: float = 0.0  # inside the student's functions, as the harness timed them

    @property
    def score(self):
        return round(sum(self.task_scores.values()), 6)


def encode_input(value):
    """Inputs as the harness decodes them: JSON, numpy arrays tagged."""
    if isinstance(value, np.ndarray):
        return {"ndarray": value.tolist(), "dtype": str(value.dtype)}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple):
        return {"tuple": [encode_input(v) for v in value]}
    if isinstance(value, list):
        return [encode_input(v) for v in value]
    if isinstance(value, dict):
        return {k: encode_input(v) for k, v in value.items()}
    return value


def _unchanged(original, after):
    """Whether the inputs a call received look the same after it."""
    if isinstance(original, np.ndarray):
        return isinstance(after, np.ndarray) and np.array_equal(original, after)
    if isinstance(original, (list, tuple)):
        return (
            isinstance(after, (list, tuple))
            and len(original) == len(after)
            and all(_unchanged(a, b) for a, b in zip(original, after))
        )
    return True


def run_tasks(tasks, source, isolation):
    """Every task's cases through the sandbox in one run where all goes well:
    the submission is loaded once. A call that hangs or ends the process
    fails with the reason and the run starts again after it, up to
    MAX_RESTARTS times per task. One TaskRun per task."""
    jobs = [
        {
            "function": task.function,
            "cases": [[encode_input(list(c.args)), encode_input(c.kwargs)] for c in task.cases],
            "report_inputs": any(c.inputs_unchanged for c in task.cases),
        }
        for task in tasks
    ]
    counts = [len(task.cases) for task in tasks]
    case_seconds = tuple(task.limits.case_seconds for task in tasks)
    limits = dataclasses.replace(
        max((task.limits for task in tasks), key=lambda limits: limits.memory_bytes),
        case_seconds=max(case_seconds),
        case_seconds_by_task=case_seconds,
        wall_seconds=sum(s * (n + 2) for s, n in zip(case_seconds, counts)) + 10,
    )
    limits = dataclasses.replace(limits, cpu_seconds=int(limits.wall_seconds) + 1)
    received = [{} for _ in tasks]
    inside = [0.0] * len(tasks)
    starts = [0] * len(tasks)
    restarts = [0] * len(tasks)
    notes = []
    while any(start < count for start, count in zip(starts, counts)):
        job = {"tasks": [{**job, "start": start} for job, start in zip(jobs, starts)]}
        run = sandbox.run_sandboxed(job, source, limits, isolation)
        loaded = next((m for m in run.messages if m.get("event") == "loaded"), None)
        if loaded is None:
            reason = (
                f"loading the submission took longer than {limits.case_seconds:g} s"
                if run.timed_out
                else f"the submission could not be loaded (exit code {run.exit_code})"
            )
            for t, count in enumerate(counts):
                received[t].update({i: reason for i in range(starts[t], count)})
            notes.append(reason)
            break
        problems = loaded.get("problems")
        if not notes and isinstance(problems, list):
            notes = [str(p)[:500] for p in problems][:10]
        current = None
        for message in run.messages:
            t, case, event = message.get("task"), message.get("case"), message.get("event")
            if type(t) is not int or not 0 <= t < len(tasks):
                continue
            if event == "missing":
                reason = f"the submission defines no function {tasks[t].function}"
                received[t].update({i: reason for i in range(starts[t], counts[t])})
                starts[t] = counts[t]
                continue
            if type(case) is not int or not starts[t] <= case < counts[t]:
                continue
            if event == "start":
                current = (t, case)
            elif event in ("result", "error"):
                if event == "result":
                    received[t][case] = _with_inputs(tasks[t].cases[case], message)
                else:
                    received[t][case] = Raised(str(message.get("error", "an error"))[:500])
                inside[t] += _seconds(message)
                current = None
        # Done when every call has an outcome (a "done" message alone proves
        # nothing: the submission can write on the pipe too).
        missing = _first_missing(received, starts, counts)
        if missing is None:
            break
        # The run ended early: the call in progress hung or ended the process.
        current = current or missing
        t, case = current
        received[t][case] = (
            f"took longer than the time limit of {case_seconds[t]:g} s"
            if run.timed_out
            else f"the process ended during this call (exit code {run.exit_code})"
        )
        for done in range(t):
            starts[done] = counts[done]
        starts[t] = case + 1
        restarts[t] += 1
        if restarts[t] > MAX_RESTARTS:
            reason = "not run: earlier calls kept hanging or ending the process"
            received[t].update({i: reason for i in range(starts[t], counts[t])})
            starts[t] = counts[t]
    return [TaskRun(r, notes, seconds) for r, seconds in zip(received, inside)]


def _first_missing(received, starts, counts):
    """The first call of the run that has no outcome yet."""
    for t, (start, count) in enumerate(zip(starts, counts)):
        for case in range(start, count):
            if case not in received[t]:
                return t, case
    return None


def _seconds(message):
    value = message.get("seconds")
    return float(value) if type(value) in (int, float) and 0 <= value < 1e6 else 0.0


def _with_inputs(case, message):
    value = decode(message.get("value"))
    if case.inputs_unchanged:
        after = message.get("inputs_after")
        decoded = decode(after) if after is not None else None
        original = [list(case.args), case.kwargs]
        if not isinstance(decoded, (list, tuple)) or not _unchanged(original, decoded):
            return Raised(
                "ModifiedInput: the function changed its input; it must return a new value"
            )
    return value


def test_name(task, index, case):
    """``function: case``; a hidden case is numbered, as its description
    would give its inputs away."""
    label = f"hidden test #{index + 1}" if task.visibility == "hidden" else case.name
    return f"{task.function}: {label}"


def _judge(case, value):
    """The case's verdict on a returned value; a value no judge can handle
    (it may be forged) scores 0 rather than stopping the batch."""
    try:
        fraction, message = case.judge(value)
        return float(fraction), str(message)
    except Exception as error:
        return 0.0, f"the returned value could not be judged ({type(error).__name__})"


def describe_inputs(case, limit=300):
    """The arguments of a call, shortened, for feedback on a visible test."""
    parts = [short(arg, 120) if not isinstance(arg, (str, int)) else repr(arg) for arg in case.args]
    parts += [f"{name}={short(value, 80)}" for name, value in case.kwargs.items()]
    text = ", ".join(parts)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def judge_task(task, outcome):
    """The test results of one task, from what its calls gave."""
    received, notes = outcome.received, outcome.notes
    per_case = task.points / len(task.cases)
    results = []
    hidden = task.visibility == "hidden"
    for index, case in enumerate(task.cases):
        value = received.get(index, "not run")
        called = not isinstance(value, str)  # a string: the call never returned
        if not called:
            fraction, message = 0.0, value
        elif isinstance(value, Raised) and value.type_name == "NotImplementedError":
            fraction, message, called = 0.0, "not implemented (raises NotImplementedError)", False
        elif isinstance(value, Raised) and value.type_name == "ModifiedInput":
            fraction, message = 0.0, value.error.split(": ", 1)[1]
        else:
            fraction, message = _judge(case, value)
        if hidden and called:
            message = "passed" if fraction == 1.0 else "failed (hidden test)"
        elif fraction < 1.0 and called:
            message += f" | input: {describe_inputs(case)}"
            if notes:
                message += " | loading the submission: " + "; ".join(notes)
        results.append(
            TestResult(
                task.function,
                test_name(task, index, case),
                round(per_case * fraction, 6),
                round(per_case, 6),
                fraction == 1.0,
                message,
                task.visibility,
            )
        )
    return results, notes, outcome.student_seconds


def grade_submission(assignment, submission, isolation=None):
    """Every task of the assignment on one submission."""
    isolation = isolation or sandbox.isolation_level()
    began = time.perf_counter()
    tests, problems, scores, inside = [], [], {}, 0.0
    runs = [] if submission.error else run_tasks(assignment.tasks, submission.source, isolation)
    for index, task in enumerate(assignment.tasks):
        if submission.error:
            per_case = task.points / len(task.cases)
            results = [
                TestResult(
                    task.function,
                    test_name(task, number, case),
                    0.0,
                    round(per_case, 6),
                    False,
                    submission.error,
                    task.visibility,
                )
                for number, case in enumerate(task.cases)
            ]
        else:
            results, notes, seconds = judge_task(task, runs[index])
            problems += [n for n in notes if n not in problems]
            inside += seconds
        tests += results
        passed = sum(r.score / r.max_score for r in results if r.max_score) / len(results)
        scores[task.function] = round(task.points * passed, 6)
    if submission.error:
        problems.append(submission.error)
    return SubmissionResult(
        submission.student,
        assignment.name,
        tuple(tests),
        scores,
        tuple(problems),
        isolation,
        time.perf_counter() - began,
        inside,
    )
