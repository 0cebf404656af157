"""Grading a whole course: 200 submissions through the installed console
script, with one worker and with two, killed with SIGKILL in the middle and
run again, run a third time (nothing new) and regraded (a new run, history
kept); the gradebook commands and the class summary checked against what the
variants of the batch must score; a Dask LocalCluster grading like the local
machine; the progress bar; the gradebook's transactions and runs."""

import contextlib
import csv
import dataclasses
import hashlib
import html
import io
import json
import os
import pty
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from tutor.grading import assignments, batch, gradebook, runner, starter
from tutor.grading.gradebook import Gradebook
from tutor.grading.submissions import Submission
from tutor.solutions import conv

TUTOR = str(Path(sys.executable).parent / "tutor")
GRADE_LINE = re.compile(r"graded \d+/\d+")


def tutor(*args, cwd, env=None, check=True):
    result = subprocess.run(
        [TUTOR, *map(str, args)], capture_output=True, text=True, cwd=cwd, env=env, timeout=600
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


# --- the course: one cheap task, 8 tests of 1 point each ------------------------------------

COURSE_TOML = """
name = "course"
title = "A course's worth of submissions"
seed = 11

[defaults]
cases = 3
case_seconds = 2

[[tasks]]
function = "conv_output_size"
points = 8
"""
COURSE = assignments.parse(COURSE_TOML, "course.toml")
CASES = COURSE.tasks[0].cases
TEST_NAMES = [f"conv_output_size: {case.name}" for case in CASES]
PLUS_ONE_TEST = "conv_output_size: 32x32 RGB, 5x5 kernel (the +1 matters)"
CRASH_ARGS = (7, 3, 0, 2)
SLOW_ARGS = (28, 3, 1, 1)

GOOD = """import numpy as np


def conv_output_size(n, f, p=0, s=1):
    if s < 1 or f > n + 2 * p:
        raise ValueError("impossible convolution settings")
    return (n + 2 * p - f) // s + 1
"""
CHECKS = (
    '    if s < 1 or f > n + 2 * p:\n        raise ValueError("impossible convolution settings")\n'
)
VARIANTS = {
    "right": starter.reference_source(),
    "no_plus_one": GOOD.replace("// s + 1", "// s"),
    "no_checks": GOOD.replace(CHECKS, ""),
    "syntax": GOOD.replace("n + 2 * p:", "n + 2 * p"),
    "crash": GOOD.replace(
        "    if s < 1",
        f"    if (n, f, p, s) == {CRASH_ARGS}:\n        import os\n"
        "        os._exit(3)\n    if s < 1",
    ),
    "starter": starter.starter_source(COURSE, "hw.py"),
    "slow": GOOD.replace(
        "    if s < 1",
        f"    if (n, f, p, s) == {SLOW_ARGS}:\n        import time\n        time.sleep(60)\n"
        "    if s < 1",
    ),
}
CYCLE = ["right", "no_plus_one", "no_checks", "syntax", "right", "crash", "starter"]
# The late slow one keeps the batch running long enough to be killed in the middle.
SLOW_INDEXES = (13, 190)
STUDENTS = 200


def reference_raises(args):
    try:
        conv.conv_output_size(*args)
    except ValueError:
        return True
    return False


# Which of the 8 tests each variant passes, from the reference alone.
PASSES = {
    "right": lambda case: True,
    "no_plus_one": lambda case: reference_raises(case.args),
    "no_checks": lambda case: not reference_raises(case.args),
    "syntax": lambda case: False,
    "starter": lambda case: False,
    "crash": lambda case: tuple(case.args) != CRASH_ARGS,
    "slow": lambda case: tuple(case.args) != SLOW_ARGS,
}


def expected_pattern(variant):
    return [PASSES[variant](case) for case in CASES]


def course_variant(index):
    return "slow" if index in SLOW_INDEXES else CYCLE[index % len(CYCLE)]


def write_class(folder, count, variant_of, sources):
    """One file per student; the index in a comment makes every content hash differ."""
    folder.mkdir()
    texts = {}
    for i in range(count):
        student, variant = f"s{i:03d}", variant_of(i)
        text = sources[variant] + f"\n# submission {i}: {variant}\n"
        (folder / f"{student}.py").write_text(text, encoding="utf-8")
        texts[student] = (variant, text)
    return texts


def read_only(db):
    return contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5))


def results_so_far(db):
    try:
        with read_only(db) as connection:
            return connection.execute("SELECT COUNT(*) FROM results").fetchone()[0]
    except sqlite3.Error:  # not created yet, or its tables not yet
        return 0


TABLES = ["students", "submissions", "runs", "results", "task_scores", "test_results"]


def db_state(db):
    with read_only(db) as c:
        return {
            "counts": {t: c.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES},
            "results": c.execute(
                "SELECT id, run_id, submission_id, score, graded_at FROM results ORDER BY id"
            ).fetchall(),
            "runs": c.execute("SELECT id, assignment, status FROM runs ORDER BY id").fetchall(),
        }


def snapshot(db, copy):
    with (
        contextlib.closing(sqlite3.connect(db)) as source,
        contextlib.closing(sqlite3.connect(copy)) as target,
    ):
        source.backup(target)


def process_table():
    """{pid: (parent pid, start time, state)} of every process."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            table[int(entry.name)] = (int(fields[1]), fields[19], fields[0])
    return table


def descendants(pid):
    table = process_table()
    found, frontier = {}, [pid]
    while frontier:
        parent = frontier.pop()
        for child, (ppid, started, _) in table.items():
            if ppid == parent and child not in found:
                found[child] = started
                frontier.append(child)
    return found


def still_running(processes):
    table = process_table()
    return {
        pid
        for pid, started in processes.items()
        if pid in table and table[pid][1] == started and table[pid][2] != "Z"
    }


@pytest.fixture(scope="module")
def course(tmp_path_factory, bwrap):
    """The course graded with one worker (folder one/), then with two (folder
    two/): killed with SIGKILL after some results and run again, run a third
    time, and regraded. What each step left is kept for the tests."""
    root = tmp_path_factory.mktemp("course")
    (root / "course.toml").write_text(COURSE_TOML, encoding="utf-8")
    texts = write_class(root / "subs", STUDENTS, course_variant, VARIANTS)
    run = SimpleNamespace(root=root, texts=texts)

    run.one = tutor(
        "grade", "course.toml", "subs", "--workers", 1, "--out", "one", "--quiet", cwd=root
    )

    db = root / "two" / "grades.db"
    with open(root / "killed.err", "wb") as err:
        process = subprocess.Popen(
            [TUTOR, "grade", "course.toml", "subs", "--workers", "2", "--out", "two", "--quiet"],
            cwd=root,
            stdout=subprocess.DEVNULL,
            stderr=err,
            start_new_session=True,
        )
    deadline = time.monotonic() + 300
    try:
        while results_so_far(db) < 30:
            assert process.poll() is None, "the batch ended before it could be killed"
            assert time.monotonic() < deadline, "no results in the gradebook after 300 s"
            time.sleep(0.05)
        run.sandboxes = descendants(process.pid)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
    run.killed_returncode = process.returncode
    run.after_kill = db_state(db)
    waited = time.monotonic() + 20
    while still_running(run.sandboxes) and time.monotonic() < waited:
        time.sleep(0.1)
    run.left_running = still_running(run.sandboxes)

    run.resumed = tutor("grade", "course.toml", "subs", "--workers", 2, "--out", "two", cwd=root)
    run.after_resume = db_state(db)
    run.resumed_db = root / "resumed.db"
    snapshot(db, run.resumed_db)
    run.resumed_csv = (root / "two" / "grades.csv").read_text(encoding="utf-8")
    run.resumed_json = {
        s: json.loads((root / "two" / s / "results.json").read_text("utf-8")) for s in texts
    }

    run.again = tutor("grade", "course.toml", "subs", "--workers", 2, "--out", "two", cwd=root)
    run.after_again = db_state(db)
    run.again_csv = (root / "two" / "grades.csv").read_text(encoding="utf-8")

    run.regraded = tutor(
        "grade", "course.toml", "subs", "--workers", 2, "--out", "two", "--regrade", "--quiet",
        cwd=root,
    )  # fmt: skip
    run.after_regrade = db_state(db)
    run.db = db
    return run


def student_results(folder, students):
    return {s: json.loads((folder / s / "results.json").read_text("utf-8")) for s in students}


def expected_total(variant):
    return float(sum(expected_pattern(variant)))


def csv_rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_one_worker_scores_what_each_variant_deserves(course):
    """The reference run itself is right, so that equal runs prove something."""
    results = student_results(course.root / "one", course.texts)
    assert len(results) == STUDENTS
    for student, (variant, _) in course.texts.items():
        data = results[student]
        assert [t["name"] for t in data["tests"]] == TEST_NAMES, student
        statuses = [t["status"] == "passed" for t in data["tests"]]
        assert statuses == expected_pattern(variant), (student, variant)
        assert data["score"] == pytest.approx(expected_total(variant)), (student, variant)
    slow = results["s013"]["tests"]
    same_padding = [t for t in slow if t["name"] == "conv_output_size: same padding"]
    assert "longer than the time limit" in same_padding[0]["output"]
    crashed = results["s005"]["tests"]
    round_down = [t for t in crashed if "round down" in t["name"]]
    assert "process ended" in round_down[0]["output"]
    rows = csv_rows((course.root / "one" / "grades.csv").read_text("utf-8"))
    assert [r["student"] for r in rows] == sorted(course.texts)


def test_two_workers_score_exactly_like_one(course):
    one = student_results(course.root / "one", course.texts)
    two = student_results(course.root / "two", course.texts)  # the uninterrupted --regrade run
    for student in course.texts:
        assert two[student] == one[student], student
    assert (course.root / "two" / "grades.csv").read_text("utf-8") == (
        course.root / "one" / "grades.csv"
    ).read_text("utf-8")


def test_killed_batch_rerun_has_exactly_one_result_per_submission(course):
    killed = course.after_kill["counts"]["results"]
    assert course.killed_returncode == -signal.SIGKILL
    assert 30 <= killed < STUDENTS, "the kill did not land in the middle of the batch"
    assert course.after_kill["counts"]["runs"] == 1
    assert f"graded {STUDENTS - killed}, kept {killed} earlier results" in course.resumed.stderr
    assert not GRADE_LINE.search(course.resumed.stderr)  # stderr is a pipe: no progress bar
    with read_only(course.resumed_db) as c:
        (latest,) = c.execute("SELECT MAX(id) FROM runs").fetchone()
        assert c.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 1
        per_submission = c.execute(
            "SELECT submissions.id, COUNT(results.id) FROM submissions "
            "LEFT JOIN results ON results.submission_id = submissions.id "
            "AND results.run_id = ? GROUP BY submissions.id",
            (latest,),
        ).fetchall()
        assert len(per_submission) == STUDENTS
        assert all(count == 1 for _, count in per_submission)
        orphans = c.execute(
            "SELECT COUNT(*) FROM test_results WHERE result_id NOT IN (SELECT id FROM results)"
        ).fetchone()[0]
        assert orphans == 0
        tests_per_result = c.execute(
            "SELECT results.id, COUNT(test_results.position) FROM results "
            "LEFT JOIN test_results ON test_results.result_id = results.id GROUP BY results.id"
        ).fetchall()
        assert len(tests_per_result) == STUDENTS
        assert {count for _, count in tests_per_result} == {len(CASES)}
        scores_per_result = c.execute(
            "SELECT COUNT(*) FROM results WHERE id NOT IN (SELECT result_id FROM task_scores)"
        ).fetchone()[0]
        assert scores_per_result == 0
        assert c.execute("SELECT status FROM runs").fetchone()[0] == "completed"
    rows = csv_rows(course.resumed_csv)
    assert len(course.resumed_csv.strip().splitlines()) == STUDENTS + 1
    assert [r["student"] for r in rows] == sorted(course.texts)
    one = (course.root / "one" / "grades.csv").read_text("utf-8")
    assert course.resumed_csv == one
    one_json = student_results(course.root / "one", course.texts)
    assert course.resumed_json == one_json
    exported = json.loads(
        tutor(
            "gradebook", "export", "--db", course.resumed_db, "--format", "json", cwd=course.root
        ).stdout
    )
    assert sorted(r["student"] for r in exported) == sorted(course.texts)


def test_killing_the_grader_leaves_no_sandbox_running(course):
    assert course.sandboxes, "no sandboxed process was seen when the grader was killed"
    assert not course.left_running


def test_second_identical_run_grades_nothing_and_changes_nothing(course):
    assert "nothing new" in course.again.stderr
    assert course.after_again["counts"] == course.after_resume["counts"]
    assert course.after_again["results"] == course.after_resume["results"]
    assert course.again_csv == course.resumed_csv
    assert not GRADE_LINE.search(course.again.stderr)


def test_regrade_starts_a_new_run_and_keeps_the_history(course):
    assert "nothing new" not in course.regraded.stderr
    state = course.after_regrade
    assert [tuple(r)[:2] for r in state["runs"]] == [(1, "course"), (2, "course")]
    by_run = {}
    for _, run_id, submission_id, _, _ in state["results"]:
        by_run.setdefault(run_id, set()).add(submission_id)
    assert {run: len(ids) for run, ids in by_run.items()} == {1: STUDENTS, 2: STUDENTS}
    assert state["counts"]["submissions"] == STUDENTS
    assert state["counts"]["test_results"] == 2 * STUDENTS * len(CASES)
    for student in ("s000", "s001", "s013"):
        variant, text = course.texts[student]
        shown = tutor("gradebook", "show", student, "--db", course.db, cwd=course.root).stdout
        lines = shown.strip().splitlines()
        assert [line.split(" (")[0] for line in lines] == ["run 1", "run 2"], shown
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
        score = f"{expected_total(variant):g}/8"
        for line in lines:
            assert f": {score} " in line and digest in line and f"{student}.py" in line, line


def test_gradebook_export_csv_and_json(course):
    csv_text = tutor("gradebook", "export", "--db", course.db, cwd=course.root).stdout
    rows = csv_rows(csv_text)
    assert list(rows[0]) == ["student", "conv_output_size", "total"]
    assert [r["student"] for r in rows] == sorted(course.texts)
    for row in rows:
        expected = expected_total(course.texts[row["student"]][0])
        assert float(row["total"]) == pytest.approx(expected)
        assert float(row["conv_output_size"]) == pytest.approx(expected)
    records = json.loads(
        tutor("gradebook", "export", "--db", course.db, "--format", "json", cwd=course.root).stdout
    )
    assert [r["student"] for r in records] == sorted(course.texts)
    assert all(set(r) == {"student", "conv_output_size", "total"} for r in records)
    assert {r["student"]: r["total"] for r in records} == {
        r["student"]: float(r["total"]) for r in rows
    }


def expected_bins():
    counts = [0] * 10
    for variant in course_variants():
        counts[min(int(10 * expected_total(variant) / 8), 9)] += 1
    return counts


def course_variants():
    return [course_variant(i) for i in range(STUDENTS)]


def expected_failure_counts():
    failed = dict.fromkeys(TEST_NAMES, 0)
    for variant in course_variants():
        for name, passed in zip(TEST_NAMES, expected_pattern(variant)):
            failed[name] += not passed
    return failed


def test_gradebook_stats(course):
    out = tutor("gradebook", "stats", "--db", course.db, cwd=course.root).stdout
    lines = out.splitlines()
    head = re.fullmatch(r"run (\d+): course, (\d+) students, mean ([\d.]+)/8", lines[0])
    assert head, lines[0]
    mean = sum(expected_total(v) for v in course_variants()) / STUDENTS
    assert head.groups()[:2] == ("2", str(STUDENTS))
    assert float(head.group(3)) == pytest.approx(mean, abs=0.005)
    bins = [re.fullmatch(r"\s+\S+–\S+\s+#*\s?(\d+)", line) for line in lines[1:11]]
    assert all(bins), lines[1:11]
    assert [int(b.group(1)) for b in bins] == expected_bins()
    assert lines[11] == "tests failed most often:"
    shown = {}
    for line in lines[12:]:
        share = re.fullmatch(r"\s+([\d.]+)%\s+(.+)", line)
        assert share, line
        shown[share.group(2)] = float(share.group(1))
    failed = expected_failure_counts()
    assert shown == pytest.approx(
        {name: 100 * n / STUDENTS for name, n in failed.items() if n}, abs=0.05
    )
    assert shown[PLUS_ONE_TEST] == pytest.approx(
        100 * sum(v in ("no_plus_one", "syntax", "starter") for v in course_variants()) / STUDENTS,
        abs=0.05,
    )


def test_summary_html_shows_histogram_task_means_and_most_failed_tests(course):
    page = (course.root / "two" / "summary.html").read_text("utf-8")
    svg = re.findall(r"<svg.*?</svg>", page, re.S)
    assert len(svg) == 1
    bars = re.findall(r"<rect\b[^>]*>\s*<title>([^<]*)</title>", svg[0])
    assert len(bars) == 10 == len(re.findall(r"<rect\b", svg[0]))
    counts = [int(html.unescape(title).rsplit(": ", 1)[1]) for title in bars]
    assert sum(counts) == STUDENTS
    assert counts == expected_bins()
    mean = sum(expected_total(v) for v in course_variants()) / STUDENTS
    task = re.search(r"<tr><td>conv_output_size</td><td>([^<]*)</td><td>([^<]*)</td></tr>", page)
    assert task, "no row for the task's mean"
    assert float(task.group(1)) == pytest.approx(mean, abs=0.01)
    assert float(task.group(2)) == 8
    rows = re.findall(r"<tr><td>([^<]*)</td><td>(\d+)% \((\d+)/(\d+)\)</td></tr>", page)
    listed = {html.unescape(name): (int(f), int(t)) for name, _, f, t in rows}
    failed = expected_failure_counts()
    assert listed == {name: (n, STUDENTS) for name, n in failed.items() if n}
    shares = [int(f) / int(t) for _, _, f, t in rows]
    assert shares == sorted(shares, reverse=True)


def test_bad_usage_exits_2_with_one_line(course, tmp_path):
    text_file = tmp_path / "notes.db"
    text_file.write_text("not a database at all\n" * 10, encoding="utf-8")
    for args, words in [
        (["gradebook", "export", "--db", tmp_path / "missing.db"], "no gradebook at"),
        (["gradebook", "stats", "--db", tmp_path / "missing.db"], "no gradebook at"),
        (["gradebook", "show", "s000", "--db", tmp_path / "missing.db"], "no gradebook at"),
        (["gradebook", "export", "--db", text_file], "not a gradebook"),
        (["gradebook", "stats", "--db", text_file], "not a gradebook"),
        (["gradebook", "show", "nobody", "--db", course.db], "no results for 'nobody'"),
        (["gradebook", "export", "--format", "xml", "--db", course.db], "xml"),
    ]:
        result = tutor(*args, cwd=tmp_path, check=False)
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 2, (args, result.stderr)
        assert len(lines) == 1 and lines[0].startswith("tutor: error:"), (args, result.stderr)
        assert words in lines[0], (args, lines[0])
        assert result.stdout == ""
    assert not (tmp_path / "missing.db").exists()
    assert text_file.read_text("utf-8") == "not a database at all\n" * 10


def test_a_sqlite_file_of_another_program_is_not_a_gradebook_and_is_left_alone(tmp_path):
    other = tmp_path / "other.db"
    with contextlib.closing(sqlite3.connect(other)) as c:
        c.execute("CREATE TABLE notes (body TEXT)")
        c.execute("INSERT INTO notes VALUES ('keep me')")
        c.commit()
    before = other.read_bytes()
    result = tutor("gradebook", "export", "--db", other, cwd=tmp_path, check=False)
    assert result.returncode == 2
    assert other.read_bytes() == before, "the command changed a file it only had to read"
    assert "not a gradebook" in result.stderr


# --- the progress bar -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_class(tmp_path_factory, bwrap):
    root = tmp_path_factory.mktemp("small")
    (root / "course.toml").write_text(COURSE_TOML, encoding="utf-8")
    write_class(
        root / "subs", 4, lambda i: ["right", "no_plus_one", "starter", "right"][i], VARIANTS
    )
    return root


def grade_on_terminal(root, *options):
    """`tutor grade` with stderr on a pseudo-terminal: (stdout, stderr)."""
    leader, follower = pty.openpty()
    try:
        process = subprocess.Popen(
            [TUTOR, "grade", "course.toml", "subs", "--workers", "2", *options],
            cwd=root,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=follower,
        )
    finally:
        os.close(follower)
    chunks = []
    try:
        while True:
            try:
                data = os.read(leader, 4096)
            except OSError:  # EIO: the last writer closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        stdout = process.communicate(timeout=300)[0]
    finally:
        os.close(leader)
    assert process.returncode == 0, b"".join(chunks).decode("utf-8", "replace")
    return stdout.decode("utf-8"), b"".join(chunks).decode("utf-8", "replace")


def test_progress_bar_on_a_terminal_shows_count_rate_and_time_left(small_class, tmp_path):
    _, err = grade_on_terminal(small_class, "--db", tmp_path / "a.db")
    steps = re.findall(r"graded (\d+)/(\d+)\s+([\d.]+)/s\s+(\d+) s left", err)
    assert steps, err
    assert {total for _, total, _, _ in steps} == {"4"}
    assert [int(done) for done, _, _, _ in steps] == [1, 2, 3, 4]


def test_no_progress_bar_with_quiet_or_without_a_terminal(small_class, tmp_path):
    _, err = grade_on_terminal(small_class, "--db", tmp_path / "a.db", "--quiet")
    assert not GRADE_LINE.search(err), err
    piped = tutor("grade", "course.toml", "subs", "--db", tmp_path / "b.db", cwd=small_class)
    assert not GRADE_LINE.search(piped.stderr), piped.stderr
    assert "s000" in piped.stdout  # it did grade


# --- a Dask cluster ------------------------------------------------------------------------

TWO_TASKS_TOML = """
name = "pair"
title = "Entropy and convolution sizes"
seed = 23

[defaults]
cases = 2
case_seconds = 2

[[tasks]]
function = "entropy"
points = 6

[[tasks]]
function = "conv_output_size"
points = 4
"""
PAIR = assignments.parse(TWO_TASKS_TOML, "pair.toml")
ENTROPY = """

def entropy(labels, base=2):
    from collections import Counter
    counts = np.array(list(Counter(labels).values()), dtype=float)
    p = counts / counts.sum()
    return float(-np.sum(p * np.log(p)) / np.log(base))
"""
PAIR_VARIANTS = {
    "right": starter.reference_source(),
    "wrong": VARIANTS["no_plus_one"] + ENTROPY.replace(" / np.log(base))", ")"),
    "half": VARIANTS["no_checks"] + ENTROPY,
    "syntax": VARIANTS["syntax"] + ENTROPY,
    "crash": VARIANTS["crash"] + ENTROPY.replace("    from", "    1 / 0\n    from"),
    "starter": starter.starter_source(PAIR, "hw.py"),
}
PAIR_CYCLE = list(PAIR_VARIANTS)


@pytest.fixture(scope="module")
def dask_cluster():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    try:
        yield cluster
    finally:
        cluster.close()


def pattern(listing):
    return {
        r["extra_data"]["student"]: (
            r["score"],
            [(t["name"], t["status"], t["score"]) for t in r["tests"]],
        )
        for r in listing
    }


def test_a_dask_cluster_grades_like_the_local_machine(dask_cluster, tmp_path, bwrap):
    (tmp_path / "pair.toml").write_text(TWO_TASKS_TOML, encoding="utf-8")
    count = 12
    texts = write_class(tmp_path / "subs", count, lambda i: PAIR_CYCLE[i % 6], PAIR_VARIANTS)
    address = dask_cluster.scheduler_address
    remote = tutor(
        "grade", "pair.toml", "subs", "--cluster", address, "--out", "remote", "--format", "json",
        "--quiet", cwd=tmp_path,
    )  # fmt: skip
    local = tutor(
        "grade", "pair.toml", "subs", "--workers", 2, "--out", "local", "--format", "json",
        "--quiet", cwd=tmp_path,
    )  # fmt: skip
    remote_pattern, local_pattern = (
        pattern(json.loads(remote.stdout)),
        pattern(json.loads(local.stdout)),
    )
    assert sorted(remote_pattern) == sorted(texts)
    assert remote_pattern == local_pattern
    scores = {s: remote_pattern[s][0] for s in texts}
    assert {scores[s] for s in texts if texts[s][0] == "right"} == {10.0}
    assert {scores[s] for s in texts if texts[s][0] == "starter"} == {0.0}
    assert 0 < scores["s001"] < scores["s000"]

    finished = {
        t.key
        for t in dask_cluster.scheduler.transition_log
        if str(t.key).startswith("grade_remote") and t.finish == "memory"
    }
    assert len(finished) == count, "the submissions were not graded on the cluster's workers"

    with read_only(tmp_path / "remote" / "grades.db") as c:
        assert c.execute("SELECT COUNT(*) FROM results").fetchone()[0] == count
        assert c.execute("SELECT COUNT(*) FROM test_results").fetchone()[0] == count * sum(
            len(t.cases) for t in PAIR.tasks
        )

    # The class summary of two tasks: each task's mean over the class.
    page = (tmp_path / "remote" / "summary.html").read_text("utf-8")
    listing = json.loads(remote.stdout)
    for task in PAIR.tasks:
        prefix = f"{task.function}: "
        mean = (
            sum(t["score"] for r in listing for t in r["tests"] if t["name"].startswith(prefix))
            / count
        )
        row = re.search(rf"<tr><td>{task.function}</td><td>([^<]*)</td><td>([^<]*)</td></tr>", page)
        assert row, task.function
        assert float(row.group(1)) == pytest.approx(mean, abs=0.01)
        assert float(row.group(2)) == task.points


# --- what the gradebook keeps when the grader changes -------------------------------------

SMALL_TOML = """
name = "small"
seed = 2

[defaults]
cases = 1
case_seconds = 2

[[tasks]]
function = "conv_output_size"
points = 6
"""


def test_a_result_keeps_the_isolation_it_was_graded_with(tmp_path, bwrap):
    (tmp_path / "small.toml").write_text(SMALL_TOML, encoding="utf-8")
    subs = tmp_path / "subs"
    subs.mkdir()
    for name in ("s1", "s2"):
        (subs / f"{name}.py").write_text(GOOD + f"# {name}\n", encoding="utf-8")
    tutor("grade", "small.toml", "subs", "--out", "out", "--quiet", cwd=tmp_path)
    (subs / "s3.py").write_text(GOOD + "# s3\n", encoding="utf-8")
    without_bwrap = {**os.environ, "PATH": str(tmp_path / "no-such-folder")}
    resumed = tutor("grade", "small.toml", "subs", "--out", "out", cwd=tmp_path, env=without_bwrap)
    assert "graded 1, kept 2" in resumed.stderr
    first = {
        r["student"]: r["isolation"]
        for r in csv_rows((tmp_path / "out" / "grades.csv").read_text())
    }
    assert first == {"s1": "namespaced", "s2": "namespaced", "s3": "basic"}
    tutor("grade", "small.toml", "subs", "--out", "out", "--quiet", cwd=tmp_path)
    later = {
        r["student"]: r["isolation"]
        for r in csv_rows((tmp_path / "out" / "grades.csv").read_text())
    }
    assert later == first


def test_export_agrees_with_grade_after_a_student_goes_back_to_an_earlier_file(tmp_path, bwrap):
    (tmp_path / "small.toml").write_text(SMALL_TOML, encoding="utf-8")
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "bob.py").write_text(GOOD, encoding="utf-8")
    wrong = "def conv_output_size(n, f, p=0, s=1):\n    return 0\n"
    scores = []
    for text in (GOOD, wrong, GOOD):
        (subs / "alice.py").write_text(text, encoding="utf-8")
        tutor("grade", "small.toml", "subs", "--db", "g.db", "--quiet", cwd=tmp_path)
        exported = csv_rows(tutor("gradebook", "export", "--db", "g.db", cwd=tmp_path).stdout)
        scores.append({r["student"]: float(r["total"]) for r in exported}["alice"])
    assert scores[0] == 6.0 and scores[1] == 0.0
    assert scores[2] == 6.0


# --- the gradebook itself ------------------------------------------------------------------

BOOK_TOML = """
name = "book"
seed = 1

[[tasks]]
function = "entropy"
points = 6

[[tasks]]
function = "conv_output_size"
points = 4
"""
BOOK = assignments.parse(BOOK_TOML, "book.toml")
OTHER = assignments.parse(BOOK_TOML.replace("seed = 1", "seed = 2"), "book.toml")


def fake_result(student, score=1.0, output="ok"):
    tests = (
        runner.TestResult(
            "entropy", "entropy: pure node", score, 6.0, score == 6.0, output, "visible"
        ),
        runner.TestResult(
            "conv_output_size", "conv_output_size: same padding", 4.0, 4.0, True, "", "visible"
        ),
    )
    return runner.SubmissionResult(
        student,
        "book",
        tests,
        {"entropy": score, "conv_output_size": 4.0},
        ("a note",),
        "namespaced",
        0.5,
    )


def counts(book):
    return {t: book.db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}


@pytest.fixture
def book(tmp_path):
    opened = Gradebook(tmp_path / "grades.db")
    yield opened
    opened.close()


def test_the_gradebook_is_in_wal_mode(book, tmp_path):
    with contextlib.closing(sqlite3.connect(tmp_path / "grades.db")) as other:
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_record_is_all_or_nothing(book):
    run = book.open_run(BOOK, "namespaced")
    alice = Submission("alice", "alice.py", "def entropy(): pass\n")
    good = fake_result("alice")
    bad_test = dataclasses.replace(good.tests[1], output=object())  # sqlite cannot store it
    bad = dataclasses.replace(good, tests=(good.tests[0], bad_test))
    with pytest.raises(sqlite3.Error):
        book.record(run, alice, bad)
    assert counts(book) == {**dict.fromkeys(TABLES, 0), "runs": 1}
    assert not book.db.in_transaction
    assert not book.has_result(run, alice)

    book.record(run, alice, good)
    bob = Submission("bob", "bob.py", "x = 1\n")
    before = counts(book)
    with pytest.raises(sqlite3.Error):
        book.record(
            run, bob, dataclasses.replace(fake_result("bob"), tests=(good.tests[0], bad_test))
        )
    assert counts(book) == before
    with pytest.raises(sqlite3.IntegrityError):  # a second result for the same submission
        book.record(run, alice, good)
    assert counts(book) == before
    assert before == {
        "students": 1,
        "submissions": 1,
        "runs": 1,
        "results": 1,
        "task_scores": 2,
        "test_results": 2,
    }


def test_open_run_resumes_the_latest_run_unless_regrading(book, monkeypatch):
    first = book.open_run(BOOK, "namespaced")
    alice = Submission("alice", "alice.py", "v1\n")
    book.record(first, alice, fake_result("alice"))
    book.close_run(first)
    assert book.open_run(BOOK, "namespaced") == first
    status = book.db.execute("SELECT status FROM runs WHERE id = ?", (first,)).fetchone()[0]
    assert status == "running"
    assert book.has_result(first, alice)
    assert not book.has_result(first, Submission("alice", "alice.py", "v2\n"))

    second = book.open_run(BOOK, "namespaced", regrade=True)
    assert second != first
    assert not book.has_result(second, alice)
    assert book.open_run(BOOK, "namespaced") == second
    other = book.open_run(OTHER, "namespaced")  # another assignment text: its own run
    assert other not in (first, second)
    assert book.open_run(BOOK, "namespaced") == second
    monkeypatch.setattr(gradebook, "__version__", "999.0")  # another version of the grader
    newer = book.open_run(BOOK, "namespaced")
    assert newer not in (first, second, other)
    assert book.db.execute("SELECT COUNT(*) FROM results").fetchone()[0] == 1


def test_a_stored_result_is_the_result_that_was_recorded(book):
    run = book.open_run(BOOK, "namespaced")
    alice = Submission("alice", "alice.py", "source\n")
    recorded = fake_result("alice", score=3.0, output="got 2 | expected 3 <b>")
    book.record(run, alice, recorded)
    assert batch.stored_result(book, run, alice) == recorded
    _, latest = book.latest_results(run)
    assert [(s, row["score"], tasks) for s, row, tasks in latest] == [
        ("alice", 7.0, {"entropy": 3.0, "conv_output_size": 4.0})
    ]
