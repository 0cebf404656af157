"""Grading a class: submissions graded in parallel (threads driving sandboxed
processes, or a Dask cluster), each result written to the gradebook in one
transaction as soon as it arrives, reports written from the gradebook."""

import dataclasses
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from . import report, runner, submissions
from .gradebook import Gradebook
from .runner import SubmissionResult, TestResult


@dataclasses.dataclass
class BatchOutcome:
    run_id: int
    graded: int
    skipped: int
    results: list  # SubmissionResult of every submission of the batch, in order


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
        fresh[submission.student] = result
        progress.step()

    if cluster:
        from .cluster import grade_on_cluster

        grade_on_cluster(cluster, assignment, todo, isolation, arrived)
    elif workers <= 1:
        for submission in todo:
            arrived(submission, _grade_one(assignment, submission, isolation))
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(_grade_one, assignment, s, isolation): s for s in todo}
            for future in as_completed(futures):
                arrived(futures[future], future.result())
    progress.finish()
    gradebook.close_run(run_id)
    results = [fresh.get(s.student) or stored_result(gradebook, run_id, s) for s in batch]
    return BatchOutcome(run_id, len(todo), len(batch) - len(todo), results)


def stored_result(gradebook, run_id, submission):
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
        for t in db.execute(
            "SELECT * FROM test_results WHERE result_id = ? ORDER BY position", (row["id"],)
        )
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
