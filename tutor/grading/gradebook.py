"""The gradebook: SQLite (WAL), one transaction per graded submission.

A grading run belongs to an assignment (by the hash of its TOML) and a tool
version. Running the same batch again continues the latest such run and
grades only the submissions (student, content) it has no result for; after
the grader is killed, the rerun finishes the batch with exactly one result
per submission in that run. ``--regrade`` starts a new run; earlier runs stay
as history.
"""

import hashlib
import json
import sqlite3
from datetime import UTC, datetime

from .. import __version__

SCHEMA = """
CREATE TABLE IF NOT EXISTS students (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY,
    student_id INTEGER NOT NULL REFERENCES students(id),
    content_hash TEXT NOT NULL,
    file_name TEXT NOT NULL,
    received_at TEXT NOT NULL,
    UNIQUE (student_id, content_hash)
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    tool_version TEXT NOT NULL,
    assignment TEXT NOT NULL,
    assignment_hash TEXT NOT NULL,
    max_score REAL NOT NULL,
    isolation TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    status TEXT NOT NULL CHECK (status IN ('running', 'completed'))
);
CREATE TABLE IF NOT EXISTS results (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    submission_id INTEGER NOT NULL REFERENCES submissions(id),
    score REAL NOT NULL,
    problems TEXT NOT NULL,
    isolation TEXT NOT NULL,
    seconds REAL NOT NULL,
    graded_at TEXT NOT NULL,
    UNIQUE (run_id, submission_id)
);
CREATE TABLE IF NOT EXISTS task_scores (
    result_id INTEGER NOT NULL REFERENCES results(id),
    task TEXT NOT NULL,
    score REAL NOT NULL,
    max_score REAL NOT NULL,
    PRIMARY KEY (result_id, task)
);
CREATE TABLE IF NOT EXISTS test_results (
    result_id INTEGER NOT NULL REFERENCES results(id),
    position INTEGER NOT NULL,
    task TEXT NOT NULL,
    name TEXT NOT NULL,
    score REAL NOT NULL,
    max_score REAL NOT NULL,
    passed INTEGER NOT NULL,
    output TEXT NOT NULL,
    visibility TEXT NOT NULL,
    PRIMARY KEY (result_id, position)
);
"""


def now():
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def assignment_hash(assignment):
    return hashlib.sha256(assignment.source.encode("utf-8")).hexdigest()


class Gradebook:
    """A gradebook file; the coordinator is its only writer."""

    def __init__(self, path, read_only=False):
        self.path = str(path)
        if read_only:
            self.db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30)
            self.db.row_factory = sqlite3.Row
            tables = {r["name"] for r in self.db.execute("SELECT name FROM sqlite_master")}
            if not {"runs", "results", "test_results"} <= tables:
                self.db.close()
                raise sqlite3.DatabaseError("it has no gradebook tables")
            return
        self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.executescript(SCHEMA)

    def close(self):
        self.db.close()

    # --- writing ---------------------------------------------------------------

    def open_run(self, assignment, isolation, regrade=False):
        """The run this batch belongs to: the latest one of this assignment and
        tool version, or a new one with ``regrade`` or when there is none."""
        digest = assignment_hash(assignment)
        if not regrade:
            row = self.db.execute(
                "SELECT id FROM runs WHERE assignment_hash = ? AND tool_version = ? "
                "ORDER BY id DESC LIMIT 1",
                (digest, __version__),
            ).fetchone()
            if row:
                self.db.execute(
                    "UPDATE runs SET status = 'running', ended_at = NULL WHERE id = ?", (row["id"],)
                )
                return row["id"]
        cursor = self.db.execute(
            "INSERT INTO runs (tool_version, assignment, assignment_hash, max_score, isolation, "
            "started_at, status) VALUES (?, ?, ?, ?, ?, ?, 'running')",
            (__version__, assignment.name, digest, assignment.points, isolation, now()),
        )
        return cursor.lastrowid

    def close_run(self, run_id):
        self.db.execute(
            "UPDATE runs SET status = 'completed', ended_at = ? WHERE id = ?", (now(), run_id)
        )

    def has_result(self, run_id, submission):
        row = self.db.execute(
            "SELECT 1 FROM results JOIN submissions ON submissions.id = results.submission_id "
            "JOIN students ON students.id = submissions.student_id "
            "WHERE results.run_id = ? AND students.name = ? AND submissions.content_hash = ?",
            (run_id, submission.student, submission.digest),
        ).fetchone()
        return row is not None

    def record(self, run_id, submission, result):
        """One submission's results, in one transaction: all of it or nothing."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("INSERT OR IGNORE INTO students (name) VALUES (?)", (submission.student,))
            student_id = db.execute(
                "SELECT id FROM students WHERE name = ?", (submission.student,)
            ).fetchone()["id"]
            self._received(student_id, submission)
            submission_id = db.execute(
                "SELECT id FROM submissions WHERE student_id = ? AND content_hash = ?",
                (student_id, submission.digest),
            ).fetchone()["id"]
            result_id = db.execute(
                "INSERT INTO results "
                "(run_id, submission_id, score, problems, isolation, seconds, graded_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    run_id,
                    submission_id,
                    result.score,
                    json.dumps(list(result.problems)),
                    result.isolation,
                    result.seconds,
                    now(),
                ),
            ).lastrowid
            maxima = {}
            for test in result.tests:
                maxima[test.task] = maxima.get(test.task, 0.0) + test.max_score
            db.executemany(
                "INSERT INTO task_scores (result_id, task, score, max_score) VALUES (?, ?, ?, ?)",
                [
                    (result_id, task, score, round(maxima.get(task, 0.0), 6))
                    for task, score in result.task_scores.items()
                ],
            )
            db.executemany(
                "INSERT INTO test_results "
                "(result_id, position, task, name, score, max_score, passed, "
                "output, visibility) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        result_id,
                        i,
                        t.task,
                        t.name,
                        t.score,
                        t.max_score,
                        int(t.passed),
                        t.output,
                        t.visibility,
                    )
                    for i, t in enumerate(result.tests)
                ],
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def _received(self, student_id, submission):
        """The submission as received now: a file seen again (a student going
        back to an earlier version) becomes the latest again."""
        self.db.execute(
            "INSERT INTO submissions (student_id, content_hash, file_name, received_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (student_id, content_hash) "
            "DO UPDATE SET received_at = excluded.received_at, file_name = excluded.file_name",
            (student_id, submission.digest, submission.path, now()),
        )

    def seen_again(self, submission):
        """A submission of the batch that already has its result: still the
        student's current one."""
        row = self.db.execute(
            "SELECT id FROM students WHERE name = ?", (submission.student,)
        ).fetchone()
        if row is not None:
            self._received(row["id"], submission)

    # --- reading -----------------------------------------------------------------

    def latest_run(self):
        return self.db.execute("SELECT * FROM runs ORDER BY id DESC LIMIT 1").fetchone()

    def latest_results(self, run_id=None):
        """Per student, the result of their latest submission in the run (the
        latest run by default): ``[(student, result row, {task: score})]``."""
        run = (
            self.db.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
            if run_id
            else self.latest_run()
        )
        if run is None:
            return None, []
        rows = self.db.execute(
            "SELECT students.name AS student, results.* FROM results "
            "JOIN submissions ON submissions.id = results.submission_id "
            "JOIN students ON students.id = submissions.student_id "
            "WHERE results.run_id = ? ORDER BY students.name, submissions.received_at, results.id",
            (run["id"],),
        ).fetchall()
        latest = {row["student"]: row for row in rows}
        out = []
        for student in sorted(latest):
            row = latest[student]
            tasks = {
                r["task"]: r["score"]
                for r in self.db.execute(
                    "SELECT task, score FROM task_scores WHERE result_id = ? ORDER BY rowid",
                    (row["id"],),
                )
            }
            out.append((student, row, tasks))
        return run, out

    def tasks_of(self, run_id):
        return [
            r["task"]
            for r in self.db.execute(
                "SELECT DISTINCT task FROM task_scores "
                "JOIN results ON results.id = task_scores.result_id "
                "WHERE results.run_id = ? ORDER BY task_scores.rowid",
                (run_id,),
            )
        ]

    def history(self, student):
        return self.db.execute(
            "SELECT runs.id AS run, runs.assignment, runs.started_at, runs.isolation, "
            "submissions.file_name, "
            "submissions.content_hash, submissions.received_at, results.score, runs.max_score, "
            "results.graded_at, results.id AS result_id FROM results "
            "JOIN runs ON runs.id = results.run_id "
            "JOIN submissions ON submissions.id = results.submission_id "
            "JOIN students ON students.id = submissions.student_id "
            "WHERE students.name = ? ORDER BY runs.id, results.id",
            (student,),
        ).fetchall()

    def test_failure_shares(self, result_ids):
        """Per test name, how many of the results failed it, most failed first."""
        if not result_ids:
            return []
        marks = ",".join("?" * len(result_ids))
        return self.db.execute(
            f"SELECT name, task, COUNT(*) AS taken, SUM(1 - passed) AS failed FROM test_results "
            f"WHERE result_id IN ({marks}) GROUP BY name, task ORDER BY failed DESC, name",
            list(result_ids),
        ).fetchall()
