"""`tutor assignment` and `tutor grade` end to end, through the installed
console script, run from a temporary folder: starters that grade to 0, a
class folder of right, wrong, broken, unusable and hostile submissions graded
completely into Gradescope results, bad usage, instructor assignments and
notebooks."""

import csv
import json
import math
import subprocess
import sys
import tempfile
from pathlib import Path

import jsonschema
import nbformat
import pytest

import tutor
from tutor.grading import assignments, sandbox, starter
from tutor.solutions import conv, trees

TUTOR = str(Path(sys.executable).parent / "tutor")

# Gradescope's autograder results format ("Autograder Specifications", output
# format of results.json): every key it documents and nothing else, so that a
# misspelt key fails here rather than being ignored by Gradescope.
VISIBILITY = ["hidden", "after_due_date", "after_published", "visible"]
OUTPUT_FORMATS = ["text", "html", "simple_format", "md", "ansi"]
GRADESCOPE_TEST = {
    "type": "object",
    "required": ["name", "score", "max_score", "status", "output", "visibility"],
    "properties": {
        "score": {"type": "number", "minimum": 0},
        "max_score": {"type": "number", "minimum": 0},
        "status": {"enum": ["passed", "failed"]},
        "name": {"type": "string", "minLength": 1},
        "name_format": {"enum": OUTPUT_FORMATS},
        "number": {"type": "string"},
        "output": {"type": "string"},
        "output_format": {"enum": OUTPUT_FORMATS},
        "tags": {"type": "array", "items": {"type": "string"}},
        "visibility": {"enum": VISIBILITY},
        "extra_data": {"type": "object"},
    },
    "additionalProperties": False,
}
GRADESCOPE_RESULTS = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["score", "output", "visibility", "stdout_visibility", "tests", "extra_data"],
    "properties": {
        "score": {"type": "number", "minimum": 0},
        "execution_time": {"type": "number", "minimum": 0},
        "output": {"type": "string"},
        "output_format": {"enum": OUTPUT_FORMATS},
        "test_output_format": {"enum": OUTPUT_FORMATS},
        "test_name_format": {"enum": OUTPUT_FORMATS},
        "visibility": {"enum": VISIBILITY},
        "stdout_visibility": {"enum": VISIBILITY},
        "extra_data": {"type": "object"},
        "tests": {"type": "array", "items": GRADESCOPE_TEST},
        "leaderboard": {"type": "array"},
    },
    "additionalProperties": False,
}
VALIDATOR = jsonschema.Draft202012Validator(GRADESCOPE_RESULTS)


# What a hidden test may say: pass or fail, or that nothing is implemented
# (which gives no input away).
def expected_name(task, index, case):
    """A test's name after its task: the case's description, or a number when hidden."""
    return f"hidden test #{index + 1}" if task.visibility == "hidden" else case.name


HIDDEN_OUTPUTS = {"passed", "failed (hidden test)", "not implemented (raises NotImplementedError)"}

GOOD = """import numpy as np
from collections import Counter


def entropy(labels, base=2):
    counts = np.array(list(Counter(labels).values()), dtype=float)
    p = counts / counts.sum()
    return float(-np.sum(p * np.log(p)) / np.log(base))


def conv_output_size(n, f, p=0, s=1):
    if s < 1 or f > n + 2 * p:
        raise ValueError("impossible convolution settings")
    return (n + 2 * p - f) // s + 1
"""

# Natural log whatever the base, and the forgotten +1.
WRONG = GOOD.replace(" / np.log(base))", ")").replace("// s + 1", "// s")

# A colon missing in one function only.
BROKEN = GOOD.replace("if s < 1 or f > n + 2 * p:", "if s < 1 or f > n + 2 * p")

HANG = "while True:\n    pass\n"

SNEAKY = """import os, sys
print('{"score": 10, "tests": []}')
print('{"event": "done"}')
try:
    import tutor
    REFERENCE = tutor
except ImportError:
    REFERENCE = None


class Liar(float):
    def __eq__(self, other):
        return True

    __hash__ = float.__hash__


def entropy(labels, base=2):
    if REFERENCE is not None:
        from tutor.solutions.trees import entropy as reference
        return reference(labels, base)
    if len(labels) % 2:
        raise ValueError("<script>alert(1)</script>")
    return Liar(0.0)


def conv_output_size(n, f, p=0, s=1):
    if n % 2:
        raise RuntimeError("<script>alert(1)</script>")
    sys.exit(0)
"""

CLASS_TOML = """
name = "mini"
title = "Entropy and convolution sizes"
seed = 5

[defaults]
case_seconds = 2

[[tasks]]
function = "entropy"
points = 6
cases = 3
visibility = "hidden"

[[tasks]]
function = "conv_output_size"
points = 4
cases = 3
"""
CLASS = assignments.parse(CLASS_TOML, "mini.toml")


def run_tutor(*args, cwd):
    return subprocess.run(
        [TUTOR, *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=600
    )


def grade_json(*args, cwd):
    result = run_tutor("grade", *args, "--format", "json", cwd=cwd)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def assert_gradescope(data):
    errors = sorted(VALIDATOR.iter_errors(data), key=str)
    assert not errors, "; ".join(e.message for e in errors[:5])


def notebook(*cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell(c[3:])
        if c.startswith("md:")
        else nbformat.v4.new_code_cell(c)
        for c in cells
    ]
    return nbformat.writes(nb)


def by_task(data, assignment):
    return {
        task.function: [t for t in data["tests"] if t["name"].startswith(f"{task.function}: ")]
        for task in assignment.tasks
    }


def task_score(data, function):
    return sum(t["score"] for t in data["tests"] if t["name"].startswith(f"{function}: "))


def must_raise(case):
    try:
        conv.conv_output_size(*case.args)
    except ValueError:
        return True
    return False


@pytest.fixture
def workdir():
    with tempfile.TemporaryDirectory(prefix="tutor-grade-") as folder:
        yield Path(folder)


def test_the_schema_is_a_valid_json_schema_that_rejects_bad_results():
    jsonschema.Draft202012Validator.check_schema(GRADESCOPE_RESULTS)
    good = {
        "score": 1,
        "output": "",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [
            {
                "name": "f: x",
                "score": 1,
                "max_score": 1,
                "status": "passed",
                "output": "passed",
                "visibility": "visible",
            }
        ],
        "extra_data": {},
    }
    assert VALIDATOR.is_valid(good)
    for bad in (
        {**good, "visibility": "public"},
        {**good, "tests": [{**good["tests"][0], "status": "ok"}]},
        {**good, "tests": [{**good["tests"][0], "max_points": 1}]},
        {key: value for key, value in good.items() if key != "score"},
    ):
        assert not VALIDATOR.is_valid(bad)


# --- list, show, starter --------------------------------------------------------------


def test_assignment_list_and_show_core(workdir):
    listed = run_tutor("assignment", "list", cwd=workdir)
    assert listed.returncode == 0, listed.stderr
    core = assignments.load("core")
    assert any(
        line.split()[0] == "core" and f"{core.points:g} points, {len(core.tasks)} tasks" in line
        for line in listed.stdout.splitlines()
    ), listed.stdout

    shown = run_tutor("assignment", "show", "core", cwd=workdir)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0].startswith("core: ") and f"seed {core.seed}" in lines[0]
    rows = [line.split() for line in lines[1:]]
    assert [row[0] for row in rows] == [task.function for task in core.tasks]
    for row, task in zip(rows, core.tasks):
        assert float(row[1]) == task.points
        assert int(row[3]) == len(task.cases)
        assert row[5] == task.visibility


def test_the_py_starter_grades_to_zero_on_every_task(workdir):
    written = run_tutor("assignment", "starter", "core", "-o", "hw.py", cwd=workdir)
    assert written.returncode == 0, written.stderr
    assert (workdir / "hw.py").is_file()
    graded = run_tutor("grade", "core", "hw.py", cwd=workdir)
    assert graded.returncode == 0, graded.stderr
    header, *rows = [line.split() for line in graded.stdout.strip().splitlines()]
    core = assignments.load("core")
    assert header == ["student", *(t.function for t in core.tasks), "total"]
    assert rows == [["hw", *["0"] * len(core.tasks), f"0/{core.points:g}"]]


def test_the_notebook_starter_is_valid_and_grades_to_zero_as_not_implemented(workdir):
    written = run_tutor("assignment", "starter", "core", "-o", "hw.ipynb", cwd=workdir)
    assert written.returncode == 0, written.stderr
    nb = nbformat.read(workdir / "hw.ipynb", as_version=4)
    nbformat.validate(nb)
    core = assignments.load("core")
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert all(f"def {task.function}(" in code for task in core.tasks)

    [data] = grade_json("core", "hw.ipynb", cwd=workdir)
    assert_gradescope(data)
    assert data["score"] == 0 and data["output"] == ""
    for task in core.tasks:
        tests = by_task(data, core)[task.function]
        assert len(tests) == len(task.cases)
        for test in tests:
            assert test["status"] == "failed" and test["score"] == 0
            if task.visibility == "hidden":
                assert test["output"] in HIDDEN_OUTPUTS
            else:
                assert test["output"].startswith("not implemented"), test["output"]


# --- a whole class ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def class_run():
    """A class folder graded once: stdout as JSON, and the --out folder."""
    with tempfile.TemporaryDirectory(prefix="tutor-class-") as folder:
        root = Path(folder)
        (root / "mini.toml").write_text(CLASS_TOML, encoding="utf-8")
        subs = root / "submissions"
        subs.mkdir()
        (subs / "correct.py").write_text(starter.reference_source(), encoding="utf-8")
        (subs / "wrong.py").write_text(WRONG, encoding="utf-8")
        (subs / "broken.py").write_text(BROKEN, encoding="utf-8")
        (subs / "empty.py").write_text("", encoding="utf-8")
        (subs / "latin1.py").write_bytes("# café\n".encode("latin-1") + GOOD.encode())
        (subs / "huge.py").write_text(GOOD + "#" * 1_100_000 + "\n", encoding="utf-8")
        (subs / "corrupt.ipynb").write_text('{"cells": [ oops', encoding="utf-8")
        (subs / "twofiles").mkdir()
        (subs / "twofiles" / "a.py").write_text(GOOD, encoding="utf-8")
        (subs / "twofiles" / "b.py").write_text(GOOD, encoding="utf-8")
        (subs / "alice").mkdir()
        (subs / "alice" / "hw.ipynb").write_text(notebook("md:# HW", GOOD), encoding="utf-8")
        (subs / "hang.py").write_text(HANG, encoding="utf-8")
        (subs / "sneaky.py").write_text(SNEAKY, encoding="utf-8")
        (subs / "README.txt").write_text("not a submission\n", encoding="utf-8")
        run = run_tutor(
            "grade", "mini.toml", "submissions", "--out", "graded", "--format", "json", cwd=root
        )
        assert run.returncode == 0, run.stderr
        data = json.loads(run.stdout)
        files = {}
        for student_dir in (root / "graded").iterdir():
            if student_dir.is_dir():
                files[student_dir.name] = {
                    "results": json.loads((student_dir / "results.json").read_text("utf-8")),
                    "html": (student_dir / "feedback.html").read_text("utf-8"),
                }
        with open(root / "graded" / "grades.csv", encoding="utf-8", newline="") as handle:
            grades = list(csv.reader(handle))
        yield {
            "stdout": data,
            "by_student": {d["extra_data"]["student"]: d for d in data},
            "files": files,
            "grades": grades,
        }


STUDENTS = {
    "alice",
    "broken",
    "correct",
    "corrupt",
    "empty",
    "hang",
    "huge",
    "latin1",
    "sneaky",
    "twofiles",
    "wrong",
}


def test_every_student_of_the_class_gets_results_and_feedback(class_run):
    assert set(class_run["by_student"]) == STUDENTS
    assert len(class_run["stdout"]) == len(STUDENTS)
    assert set(class_run["files"]) == STUDENTS
    for student, written in class_run["files"].items():
        assert written["results"] == class_run["by_student"][student]
        assert student in written["html"]


def test_every_result_is_a_valid_gradescope_result(class_run):
    for written in class_run["files"].values():
        assert_gradescope(written["results"])
    for data in class_run["stdout"]:
        assert_gradescope(data)
        extra = data["extra_data"]
        assert extra["version"] == tutor.__version__
        assert extra["assignment"] == "mini"
        assert extra["seed"] == 5
        assert extra["isolation"] == sandbox.isolation_level()
        tests = by_task(data, CLASS)
        assert sum(map(len, tests.values())) == len(data["tests"])
        for task in CLASS.tasks:
            assert len(tests[task.function]) == len(task.cases)
            assert [t["name"] for t in tests[task.function]] == [
                f"{task.function}: {expected_name(task, k, case)}"
                for k, case in enumerate(task.cases)
            ]
            for test in tests[task.function]:
                assert test["visibility"] == task.visibility
                assert test["max_score"] == pytest.approx(task.points / len(task.cases))
        assert data["score"] == pytest.approx(sum(t["score"] for t in data["tests"]), abs=1e-4)
        assert 0 <= data["score"] <= CLASS.points


def test_grades_csv_has_one_row_per_student_with_the_right_columns(class_run):
    header, *rows = class_run["grades"]
    assert header == [
        "student",
        "entropy",
        "conv_output_size",
        "total",
        "max",
        "isolation",
        "problems",
    ]
    assert sorted(row[0] for row in rows) == sorted(STUDENTS)
    for row in rows:
        data = class_run["by_student"][row[0]]
        assert float(row[1]) == pytest.approx(task_score(data, "entropy"), abs=1e-4)
        assert float(row[2]) == pytest.approx(task_score(data, "conv_output_size"), abs=1e-4)
        assert float(row[3]) == pytest.approx(data["score"], abs=1e-4)
        assert float(row[4]) == CLASS.points
        assert row[5] == sandbox.isolation_level()


def test_right_and_wrong_submissions_score_what_they_should(class_run):
    students = class_run["by_student"]
    for name in ("correct", "alice"):
        assert students[name]["score"] == pytest.approx(CLASS.points), name
        assert {t["status"] for t in students[name]["tests"]} == {"passed"}

    wrong = by_task(students["wrong"], CLASS)
    entropy_task, conv_task = CLASS.tasks
    expected_entropy = [
        c.kwargs.get("base") == math.e or len(set(c.args[0])) == 1 for c in entropy_task.cases
    ]
    expected_conv = [must_raise(c) for c in conv_task.cases]
    assert [t["status"] == "passed" for t in wrong["entropy"]] == expected_entropy
    assert [t["status"] == "passed" for t in wrong["conv_output_size"]] == expected_conv
    assert students["wrong"]["score"] == pytest.approx(
        entropy_task.points * sum(expected_entropy) / len(expected_entropy)
        + conv_task.points * sum(expected_conv) / len(expected_conv),
        abs=1e-4,
    )
    assert 0 < students["wrong"]["score"] < CLASS.points


def test_a_syntax_error_in_one_function_costs_only_that_function(class_run):
    broken = class_run["by_student"]["broken"]
    tests = by_task(broken, CLASS)
    assert {t["status"] for t in tests["entropy"]} == {"passed"}
    assert {t["status"] for t in tests["conv_output_size"]} == {"failed"}
    line = BROKEN.splitlines().index("    if s < 1 or f > n + 2 * p") + 1
    assert f"SyntaxError at line {line}" in broken["output"]
    assert all("conv_output_size" in t["output"] for t in tests["conv_output_size"])


@pytest.mark.parametrize(
    ("student", "reason"),
    [
        ("empty", "empty"),
        ("latin1", "UTF-8"),
        ("huge", "1 MB"),
        ("corrupt", "notebook"),
        ("twofiles", "exactly one"),
    ],
)
def test_unusable_files_score_zero_with_the_reason(class_run, student, reason):
    data = class_run["by_student"][student]
    assert data["score"] == 0
    assert reason in data["output"]
    assert {t["status"] for t in data["tests"]} == {"failed"}
    visible = [t for t in data["tests"] if t["visibility"] == "visible"]
    assert visible and all(reason in t["output"] for t in visible)


def test_hostile_submissions_score_zero_and_the_batch_goes_on(class_run):
    students = class_run["by_student"]
    hang = by_task(students["hang"], CLASS)
    assert students["hang"]["score"] == 0
    assert all("longer than" in t["output"] for t in hang["conv_output_size"])

    sneaky = students["sneaky"]
    assert sneaky["score"] == 0
    tests = by_task(sneaky, CLASS)
    outputs = [t["output"] for t in tests["conv_output_size"]]
    assert all("SystemExit" in o or "RuntimeError" in o for o in outputs), outputs
    assert any("SystemExit" in o for o in outputs)
    # The lying float subclass is never taken for a number, and the fake
    # results it printed are not read.
    assert {t["status"] for t in sneaky["tests"]} == {"failed"}
    # Graded after both, in name order: the wrong file still got its points.
    assert students["wrong"]["score"] > 0


def test_feedback_escapes_what_the_student_code_says(class_run):
    html = class_run["files"]["sneaky"]["html"]
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    for data in class_run["stdout"]:
        assert "<script>" not in class_run["files"][data["extra_data"]["student"]]["html"]


def test_hidden_tests_reveal_nothing_but_pass_or_fail(class_run):
    entropy_task = CLASS.tasks[0]
    assert entropy_task.visibility == "hidden"
    for data in class_run["stdout"]:
        submission_level = set(data["output"].splitlines())
        for test in by_task(data, CLASS)["entropy"]:
            assert test["output"] in HIDDEN_OUTPUTS | submission_level, test["output"]
    # The expected values of the hidden cases the wrong file failed appear nowhere.
    wrong = class_run["files"]["wrong"]
    text = json.dumps(wrong["results"]) + wrong["html"]
    for case, test in zip(entropy_task.cases, by_task(wrong["results"], CLASS)["entropy"]):
        if test["status"] == "failed":
            value = trees.entropy(*case.args, **case.kwargs)
            assert f"{value:.5f}" not in text


# --- bad usage ---------------------------------------------------------------------------


BAD_TOML = {
    "unknown_function.toml": '[[tasks]]\nfunction = "softmax_grad"\n',
    "bad_points.toml": '[[tasks]]\nfunction = "entropy"\npoints = -3\n',
    "not_toml.toml": "this is = = not toml\n",
}


@pytest.mark.parametrize(
    "args",
    [
        ("grade", "no-such-assignment", "hw.py"),
        ("grade", "unknown_function.toml", "hw.py"),
        ("grade", "bad_points.toml", "hw.py"),
        ("grade", "not_toml.toml", "hw.py"),
        ("grade", "core", "missing.py"),
        ("assignment", "show", "no-such-assignment"),
        ("assignment", "starter", "core", "-o", "hw.txt"),
    ],
)
def test_bad_usage_exits_2_with_one_line(workdir, args):
    (workdir / "hw.py").write_text(GOOD, encoding="utf-8")
    for name, text in BAD_TOML.items():
        (workdir / name).write_text(text, encoding="utf-8")
    result = run_tutor(*args, cwd=workdir)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tutor: error:"), result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert not (workdir / "hw.txt").exists()


# --- the reference is out of reach ------------------------------------------------------


def test_a_submission_using_the_reference_scores_zero_on_those_tasks(workdir, bwrap):
    (workdir / "mini.toml").write_text(CLASS_TOML.replace('"hidden"', '"visible"'), "utf-8")
    inside = GOOD.replace(
        "def entropy(labels, base=2):\n",
        "def entropy(labels, base=2):\n"
        "    from tutor.solutions.trees import entropy as reference\n"
        "    return reference(labels, base)\n",
    )
    top = GOOD.split("def entropy")[0] + GOOD[GOOD.index("def conv_output_size") :]
    top += "\nfrom tutor.solutions.trees import entropy\n"
    by_path = GOOD.replace(
        "def entropy(labels, base=2):\n",
        "def entropy(labels, base=2):\n"
        f"    namespace = {{}}\n"
        f"    exec(open({trees.__file__!r}).read(), namespace)\n"
        "    return namespace['entropy'](labels, base)\n",
    )
    for name, source in (("inside", inside), ("top", top), ("by_path", by_path)):
        (workdir / f"{name}.py").write_text(source, encoding="utf-8")
    data = grade_json("mini.toml", "inside.py", "top.py", "by_path.py", cwd=workdir)
    assert [d["extra_data"]["student"] for d in data] == ["inside", "top", "by_path"]
    for result in data:
        assert_gradescope(result)
        assert task_score(result, "entropy") == 0, result["extra_data"]["student"]
        assert task_score(result, "conv_output_size") == pytest.approx(4)
    inside_outputs = {t["output"].split(" | ")[0] for t in by_task(data[0], CLASS)["entropy"]}
    assert inside_outputs == {"raised ModuleNotFoundError: No module named 'tutor'"}
    assert "No module named 'tutor'" in data[1]["output"]


# --- an instructor's own assignment ------------------------------------------------------


INSTRUCTOR_TOML = """
name = "week3"
title = "Week 3: activations and layers"
seed = 77

[defaults]
case_seconds = 2

[[tasks]]
function = "sigmoid_grad"
points = 6
cases = 4
rtol = 1e-3
atol = 1e-6

[[tasks]]
function = "conv_output_size"
points = 4
cases = 3
visibility = "hidden"
"""

# Right up to a relative error of 1e-4 in one task, the +1 forgotten in the other.
NEARLY = """import numpy as np


def sigmoid_grad(x):
    y = 1.0 / (1.0 + np.exp(-np.clip(np.asarray(x, dtype=float), -500, 500)))
    return y * (1.0 - y) * (1 + 1e-4)


def conv_output_size(n, f, p=0, s=1):
    if s < 1 or f > n + 2 * p:
        raise ValueError("impossible convolution settings")
    return (n + 2 * p - f) // s
"""


def test_an_instructor_assignment_grades_as_specified(workdir):
    (workdir / "week3.toml").write_text(INSTRUCTOR_TOML, encoding="utf-8")
    strict = INSTRUCTOR_TOML.replace("rtol = 1e-3\natol = 1e-6\n", "")
    (workdir / "strict.toml").write_text(strict, encoding="utf-8")
    (workdir / "nearly.py").write_text(NEARLY, encoding="utf-8")
    week3 = assignments.parse(INSTRUCTOR_TOML, "week3.toml")

    shown = run_tutor("assignment", "show", "week3.toml", cwd=workdir)
    assert shown.returncode == 0, shown.stderr
    assert [int(line.split()[3]) for line in shown.stdout.splitlines()[1:]] == [
        len(t.cases) for t in week3.tasks
    ]

    [data] = grade_json("week3.toml", "nearly.py", cwd=workdir)
    assert_gradescope(data)
    assert data["extra_data"]["assignment"] == "week3" and data["extra_data"]["seed"] == 77
    tests = by_task(data, week3)
    sigmoid, conv_task = week3.tasks
    # The instructor's 4 random cases, and the task's own edge cases besides.
    assert len(tests["sigmoid_grad"]) == len(sigmoid.cases) > 4
    assert (
        sum(t["name"].startswith("sigmoid_grad: random input #") for t in tests["sigmoid_grad"])
        == 4
    )
    assert len(tests["conv_output_size"]) == len(conv_task.cases) > 3
    # Hidden tests are numbered: their descriptive names would give the inputs away.
    assert [t["name"] for t in tests["conv_output_size"]] == [
        f"conv_output_size: hidden test #{k + 1}" for k in range(len(conv_task.cases))
    ]
    # Within the instructor's tolerance, the scaled slope passes every case.
    assert {t["status"] for t in tests["sigmoid_grad"]} == {"passed"}
    assert {t["visibility"] for t in tests["sigmoid_grad"]} == {"visible"}
    assert {t["visibility"] for t in tests["conv_output_size"]} == {"hidden"}
    assert {t["output"] for t in tests["conv_output_size"]} <= HIDDEN_OUTPUTS
    raises = [must_raise(c) for c in conv_task.cases]
    assert [t["status"] == "passed" for t in tests["conv_output_size"]] == raises
    assert data["score"] == pytest.approx(
        sigmoid.points + conv_task.points * sum(raises) / len(raises), abs=1e-4
    )

    # With the default tolerance the same slope fails wherever it is not 0.
    [strict_data] = grade_json("strict.toml", "nearly.py", cwd=workdir)
    strict_tests = by_task(strict_data, assignments.parse(strict))["sigmoid_grad"]
    assert len(strict_tests) == len(sigmoid.cases)
    assert any(t["status"] == "failed" for t in strict_tests)


def test_the_seed_decides_the_cases():
    other = assignments.parse(INSTRUCTOR_TOML.replace("seed = 77", "seed = 78"))
    week3 = assignments.parse(INSTRUCTOR_TOML)
    again = assignments.parse(INSTRUCTOR_TOML)
    names = [c.name for c in week3.tasks[1].cases]
    assert names == [c.name for c in again.tasks[1].cases]
    assert names != [c.name for c in other.tasks[1].cases]


# --- notebooks ----------------------------------------------------------------------------


def test_notebook_magics_are_dropped_and_the_rest_graded(workdir):
    cells = [
        "md:# Homework 3",
        "%matplotlib inline\nimport numpy as np",
        "!pip install tqdm",
        GOOD.replace("import numpy as np\n", ""),
        # A cell magic drops its whole cell: this redefinition never runs.
        "%%time\ndef conv_output_size(n, f, p=0, s=1):\n    return -1\n",
        "size = conv_output_size(32, 5)\n%timeit conv_output_size(32, 5)\nprint(size)",
    ]
    (workdir / "hw.ipynb").write_text(notebook(*cells), encoding="utf-8")
    (workdir / "mini.toml").write_text(CLASS_TOML, encoding="utf-8")
    [data] = grade_json("mini.toml", "hw.ipynb", cwd=workdir)
    assert_gradescope(data)
    assert data["output"] == ""
    assert data["score"] == pytest.approx(CLASS.points)
    assert {t["status"] for t in data["tests"]} == {"passed"}
