"""Grading a class: submissions graded in parallel (threads driving sandboxed
processes, or a Dask cluster), each result written to the gradebook in one
transaction as soon as it arrives, reports written from the gradebook."""

import dataclasses
import itertools
import json
import sys
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from pathlib import Path

from . import report, runner, submissions
from .gradebook import Gradebook
from .runner import SubmissionResult, TestResult


@dataclasses.dataclass
class BatchOutcome:
    run_id: int
    graded: int
    skipped: int
    # Every submission's SubmissionResult, in order, without its tests: memory
    # stays flat however large the class; the tests are in the gradebook.
    results: list
    result_ids: list


class Progress:
    """count, rate and time left, on one line of a terminal; silent otherwise."""

    def __init__(self, total, stream, enabled):
        self.total, self.stream, self.enabled = total, stream, enabled and total > 0
        self.done, self.start = 0, time.perf_counter()

    def step(self):
        self.done += 1
        if not self.enabled:
            return
        elapsed = time.perf_counter() - self.start
        rate = self.done / elapsed if elapsed > 0 else 0.0
        left = (self.total - self.done) / rate if rate else 0.0
        self.stream.write(
            f"\r  graded {self.done}/{self.total}  {rate:.1f}/s  {left:.0f} s left   "
        )
        self.stream.flush()

    def finish(self):
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


def load_batch(paths):
    """The submissions among the paths, student ids made unique."""
    loaded, seen = [], set()
    for path in submissions.expand(paths):
        submission = submissions.load(path)
        if submission.student in seen:  # hw.py and hw.ipynb: keep both, told apart
            submission = dataclasses.replace(submission, student=Path(submission.path).name)
        seen.add(submission.student)
        loaded.append(submission)
    return loaded


def _grade_one(assignment, submission, isolation):
    return runner.grade_submission(assignment, submission, isolation)


def grade_batch(
    assignment,
    batch,
    gradebook,
    isolation,
    workers=1,
    regrade=False,
    cluster=None,
    out=None,
    progress_stream=None,
    show_progress=False,
):
    """Grade what the gradebook has no result for yet (everything with
    ``regrade``), recording each result as it arrives."""
    run_id = gradebook.open_run(assignment, isolation, regrade)
    todo = []
    for submission in batch:
        if gradebook.has_result(run_id, submission):
            gradebook.seen_again(submission)
        else:
            todo.append(submission)
    progress = Progress(len(todo), progress_stream or sys.stderr, show_progress)
    fresh = {}

    def arrived(submission, result):
        gradebook.record(run_id, submission, result)
        if out:
            report.write_student(out, result, assignment)
        fresh[submission.student] = dataclasses.replace(result, tests=())
        progress.step()

    if cluster:
        from .cluster import grade_on_cluster

        grade_on_cluster(cluster, assignment, todo, isolation, arrived)
    elif workers <= 1:
        for submission in todo:
            arrived(submission, _grade_one(assignment, submission, isolation))
    else:
        # A few submissions in flight at a time, each future dropped once
        # recorded: memory stays flat however large the class.
        pending, queue = {}, iter(todo)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for submission in itertools.islice(queue, 2 * workers):
                pending[pool.submit(_grade_one, assignment, submission, isolation)] = submission
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    arrived(pending.pop(future), future.result())
                    for submission in itertools.islice(queue, 1):
                        future = pool.submit(_grade_one, assignment, submission, isolation)
                        pending[future] = submission
    progress.finish()
    gradebook.close_run(run_id)
    results = [
        fresh.get(s.student) or stored_result(gradebook, run_id, s, with_tests=False) for s in batch
    ]
    ids = [result_id(gradebook, run_id, s) for s in batch]
    return BatchOutcome(run_id, len(todo), len(batch) - len(todo), results, ids)


def result_id(gradebook, run_id, submission):
    return gradebook.db.execute(
        "SELECT results.id FROM results "
        "JOIN submissions ON submissions.id = results.submission_id "
        "JOIN students ON students.id = submissions.student_id "
        "WHERE results.run_id = ? AND students.name = ? AND submissions.content_hash = ?",
        (run_id, submission.student, submission.digest),
    ).fetchone()["id"]


def stored_result(gradebook, run_id, submission, with_tests=True):
    """A SubmissionResult rebuilt from the gradebook."""
    db = gradebook.db
    row = db.execute(
        "SELECT results.*, runs.assignment FROM results "
        "JOIN runs ON runs.id = results.run_id "
        "JOIN submissions ON submissions.id = results.submission_id "
        "JOIN students ON students.id = submissions.student_id "
        "WHERE results.run_id = ? AND students.name = ? AND submissions.content_hash = ?",
        (run_id, submission.student, submission.digest),
    ).fetchone()
    tests = ()
    if with_tests:
        rows = db.execute(
            "SELECT * FROM test_results WHERE result_id = ? ORDER BY position", (row["id"],)
        )
        tests = tuple(
            TestResult(
                t["task"],
                t["name"],
                t["score"],
                t["max_score"],
                bool(t["passed"]),
                t["output"],
                t["visibility"],
            )
            for t in rows
        )
    scores = {
        t["task"]: t["score"]
        for t in db.execute(
            "SELECT task, score FROM task_scores WHERE result_id = ? ORDER BY rowid", (row["id"],)
        )
    }
    return SubmissionResult(
        submission.student,
        row["assignment"],
        tests,
        scores,
        tuple(json.loads(row["problems"])),
        row["isolation"],
        row["seconds"],
    )


def open_gradebook(db, out):
    """The gradebook file: --db, else grades.db in the output folder, else
    one in memory (nothing to resume from)."""
    if db:
        Path(db).parent.mkdir(parents=True, exist_ok=True)
        return Gradebook(db)
    if out:
        Path(out).mkdir(parents=True, exist_ok=True)
        return Gradebook(Path(out) / "grades.db")
    return Gradebook(":memory:")
