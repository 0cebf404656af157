"""Reading submissions (files, notebooks, folders, class folders) and loading
them in the sandbox block by block, so that one broken function does not
cost the others."""

import json

import nbformat
import pytest

from tutor.grading import assignments, runner, submissions
from tutor.grading.submissions import expand, load, notebook_source

MINI = assignments.parse(
    """
name = "mini"
seed = 9
[defaults]
case_seconds = 2
[[tasks]]
function = "entropy"
points = 5
cases = 3
[[tasks]]
function = "conv_output_size"
points = 5
cases = 3
""",
    "mini.toml",
)

ENTROPY = """
def entropy(labels, base=2):
    counts = np.array(list(Counter(labels).values()), dtype=float)
    p = counts / counts.sum()
    return float(-np.sum(p * np.log(p)) / np.log(base))
"""

CONV = """
def conv_output_size(n, f, p=0, s=1):
    if s < 1 or f > n + 2 * p:
        raise ValueError("impossible convolution settings")
    return (n + 2 * p - f) // s + 1
"""

HEADER = "import numpy as np\nfrom collections import Counter\n"
GOOD = HEADER + ENTROPY + CONV


def notebook(*cells, kind="code"):
    nb = nbformat.v4.new_notebook()
    makers = {
        "code": nbformat.v4.new_code_cell,
        "markdown": nbformat.v4.new_markdown_cell,
        "raw": nbformat.v4.new_raw_cell,
    }
    nb.cells = [
        makers[cell[0]](cell[1]) if isinstance(cell, tuple) else makers[kind](cell)
        for cell in cells
    ]
    return nbformat.writes(nb)


def write(path, content):
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def grade(source):
    return runner.grade_submission(MINI, submissions.Submission("s", "s.py", source))


def passed(result, function):
    return [t.passed for t in result.tests if t.task == function]


# --- files -----------------------------------------------------------------------------


def test_a_py_file_is_one_submission_named_by_its_stem(tmp_path):
    path = write(tmp_path / "alice_smith.py", GOOD)
    submission = load(path)
    assert submission.student == "alice_smith"
    assert submission.path == str(path)
    assert submission.source == GOOD and submission.error is None


def test_a_notebook_is_named_by_its_stem_and_read_as_its_code_cells(tmp_path):
    path = write(tmp_path / "bob.ipynb", notebook(("markdown", "# Homework"), HEADER, ENTROPY))
    submission = load(path)
    assert submission.student == "bob" and submission.error is None
    assert "# Homework" not in submission.source
    assert submission.source.index("import numpy") < submission.source.index("def entropy")
    compile(submission.source, "submission.py", "exec")


@pytest.mark.parametrize("name", ["hw.py", "hw.ipynb"])
def test_a_folder_with_one_file_is_named_by_the_folder(tmp_path, name):
    folder = tmp_path / "carol"
    write(folder / name, GOOD if name.endswith(".py") else notebook(GOOD))
    # Editor and interpreter leftovers are not candidates.
    write(folder / ".ipynb_checkpoints" / "hw-checkpoint.ipynb", notebook("x = 1"))
    write(folder / "__pycache__" / "old.py", "x = 1\n")
    write(folder / "notes.txt", "my notes\n")
    submission = load(folder)
    assert submission.student == "carol"
    assert submission.error is None
    assert submission.path == str(folder / name)
    assert "def conv_output_size" in submission.source


def test_a_file_in_a_subfolder_of_the_student_folder_is_found(tmp_path):
    write(tmp_path / "dave" / "src" / "homework.py", GOOD)
    submission = load(tmp_path / "dave")
    assert submission.student == "dave" and submission.error is None


@pytest.mark.parametrize(
    ("files", "found"),
    [([], "none"), (["a.py", "b.py"], "a.py, b.py"), (["a.py", "b.ipynb"], "a.py, b.ipynb")],
)
def test_a_folder_needs_exactly_one_candidate(tmp_path, files, found):
    folder = tmp_path / "erin"
    folder.mkdir()
    write(folder / "README.md", "hi\n")
    for name in files:
        write(folder / name, GOOD if name.endswith(".py") else notebook(GOOD))
    submission = load(folder)
    assert submission.student == "erin"
    assert submission.source == ""
    assert "exactly one" in submission.error and found in submission.error


def test_the_size_limit_is_one_megabyte(tmp_path):
    limit = 1_000_000
    padding = limit - len(GOOD.encode()) - 1
    at_limit = write(tmp_path / "at.py", GOOD + "#" * padding + "\n")
    over = write(tmp_path / "over.py", GOOD + "#" * (padding + 1) + "\n")
    assert at_limit.stat().st_size == limit and over.stat().st_size == limit + 1
    assert load(at_limit).error is None
    rejected = load(over)
    assert rejected.source == "" and "larger than 1 MB" in rejected.error


def test_the_size_limit_applies_to_notebooks_too(tmp_path):
    path = write(tmp_path / "big.ipynb", notebook(GOOD, "# " + "x" * 1_000_000))
    submission = load(path)
    assert "larger than 1 MB" in submission.error


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("# caf\xe9\n".encode("latin-1") + GOOD.encode(), "not UTF-8"),
        (b"\xff\xfe" + GOOD.encode("utf-16-le"), "not UTF-8"),
        (b"", "empty"),
        (b"  \n\n\t\n", "empty"),
        (GOOD.encode() + b"\x00\n", "NUL"),
        (b"\x00", "NUL"),
    ],
)
def test_unusable_py_files_give_a_submission_with_the_reason(tmp_path, content, reason):
    submission = load(write(tmp_path / "frank.py", content))
    assert submission.student == "frank"
    assert reason in submission.error
    result = runner.grade_submission(MINI, submission)
    assert result.score == 0 and result.problems == (submission.error,)
    assert all(t.output == submission.error for t in result.tests)


@pytest.mark.parametrize(
    "raw",
    [
        '{"cells": [ oops',
        "[]",
        '{"cells": 5}',
        "{}",
        json.dumps({"nbformat": 4, "nbformat_minor": 4, "metadata": {}, "cells": [{}]}),
    ],
)
def test_unreadable_notebooks_give_a_submission_with_the_reason(tmp_path, raw):
    submission = load(write(tmp_path / "gina.ipynb", raw))
    assert submission.student == "gina"
    assert submission.source == ""
    assert submission.error.startswith("not a readable notebook")


def test_a_notebook_with_only_markdown_is_empty(tmp_path):
    submission = load(write(tmp_path / "hal.ipynb", notebook("# nothing", kind="markdown")))
    assert "empty" in submission.error


def test_other_suffixes_and_missing_files_give_a_reason(tmp_path):
    assert load(write(tmp_path / "hw.txt", GOOD)).error == "not a .py or .ipynb file"
    missing = load(tmp_path / "ghost.py")
    assert missing.source == "" and "cannot read the file" in missing.error


def test_the_digest_identifies_the_source():
    one = submissions.Submission("a", "a.py", GOOD)
    assert one.digest == submissions.Submission("b", "b.py", GOOD).digest
    assert one.digest != submissions.Submission("a", "a.py", GOOD + "\n").digest
    assert len(one.digest) == 64


# --- notebooks --------------------------------------------------------------------------


def test_notebook_source_keeps_code_cells_in_order_and_drops_magics():
    raw = notebook(
        ("markdown", "## Part 1\n%not a magic in markdown"),
        ("raw", "raw text"),
        "%matplotlib inline\nimport numpy as np",
        "!pip install tqdm\nfirst = 1",
        "%%time\nsecond = 'from a timed cell'",
        "  %%capture\nthird = 'also a cell magic'",
        "def f(x):\n    !echo indented shell line\n    return x + first",
        "%timeit f(1)\nfourth = f(3)",
    )
    source = notebook_source(raw)
    namespace = {}
    exec(compile(source, "notebook", "exec"), namespace)
    assert namespace["first"] == 1 and namespace["fourth"] == 4
    assert "second" not in namespace and "third" not in namespace
    assert "%" not in source and "!" not in source
    assert "Part 1" not in source and "raw text" not in source
    assert source.index("import numpy") < source.index("first = 1") < source.index("def f")


def test_a_continuation_line_starting_with_percent_is_not_a_magic():
    source = notebook_source(notebook('def label(n):\n    return ("n=%d"\n            % n)\n'))
    namespace = {}
    exec(compile(source, "notebook", "exec"), namespace)
    assert namespace["label"](3) == "n=3"


# --- class folders ------------------------------------------------------------------------


def test_expand_keeps_files_and_single_student_folders(tmp_path):
    single = tmp_path / "ivan"
    write(single / "hw.py", GOOD)
    loose = write(tmp_path / "judy.py", GOOD)
    assert expand([single]) == [single]
    assert expand([loose]) == [loose]
    assert expand([loose, single]) == [loose, single]
    # A path that does not exist is passed on, for load to give the reason.
    assert expand([tmp_path / "ghost.py"]) == [tmp_path / "ghost.py"]


def test_a_class_folder_mixes_files_and_subfolders(tmp_path):
    klass = tmp_path / "class"
    write(klass / "alice.py", GOOD)
    write(klass / "bob.ipynb", notebook(GOOD))
    write(klass / "carol" / "hw.py", GOOD)
    write(klass / "dave" / "a.py", GOOD)
    write(klass / "dave" / "b.py", GOOD)
    (klass / "erin").mkdir()
    write(klass / "README.md", "instructions\n")
    write(klass / "grades.csv", "old\n")
    write(klass / ".DS_Store", b"\x00\x01")
    write(klass / ".hidden.py", GOOD)
    write(klass / "_instructor" / "solution.py", GOOD)
    found = expand([klass])
    assert found == [klass / n for n in ("alice.py", "bob.ipynb", "carol", "dave", "erin")]
    loaded = {s.student: s for s in map(load, found)}
    assert set(loaded) == {"alice", "bob", "carol", "dave", "erin"}
    assert [name for name, s in loaded.items() if s.error is None] == ["alice", "bob", "carol"]
    assert "exactly one" in loaded["dave"].error and "exactly one" in loaded["erin"].error


def test_a_class_folder_of_subfolders_only(tmp_path):
    klass = tmp_path / "class"
    for name in ("x1", "x2", "x3"):
        write(klass / name / "hw.py", GOOD)
    assert expand([klass]) == [klass / n for n in ("x1", "x2", "x3")]
    assert [load(p).student for p in expand([klass])] == ["x1", "x2", "x3"]


def test_a_dot_file_beside_the_submission_does_not_count(tmp_path):
    folder = tmp_path / "kim"
    write(folder / "hw.py", GOOD)
    write(folder / "._hw.py", b"\x00\x05\x16\x07AppleDouble")
    assert expand([folder]) == [folder]
    assert load(folder).error is None


# --- loading block by block in the sandbox ---------------------------------------------------


def test_a_syntax_error_in_one_function_leaves_the_others_defined():
    broken = "\ndef helper(x:\n    return x\n"
    source = HEADER + ENTROPY + broken + CONV
    result = grade(source)
    assert all(passed(result, "entropy")) and all(passed(result, "conv_output_size"))
    assert result.score == MINI.points
    line = source.splitlines().index("def helper(x:") + 1
    assert any(p.startswith(f"SyntaxError at line {line}") for p in result.problems)


def test_the_broken_function_itself_scores_zero_with_the_reason():
    source = HEADER + ENTROPY.replace("dtype=float)", "dtype=float") + CONV
    result = grade(source)
    assert not any(passed(result, "entropy")) and all(passed(result, "conv_output_size"))
    assert {t.output.split(" | ")[0] for t in result.tests if t.task == "entropy"} == {
        "the submission defines no function entropy"
    }
    assert any("SyntaxError" in p for p in result.problems)


def test_multi_part_statements_stay_whole_when_loading_block_by_block():
    # try/except, if/else, a decorator and a call closed at column 0 each
    # span several top-level lines; split apart they would not compile.
    source = (
        "import numpy as np\n"
        "try:\n    from collections import Counter\nexcept ImportError:\n    Counter = None\n"
        "if Counter is None:\n    BASE = 3\nelse:\n    BASE = 2\n"
        "SETTINGS = dict(\n    stride=1,\n)\n"
        "import functools\n"
        "@functools.lru_cache(maxsize=None)\n"
        "def cached_log(x):\n    return float(np.log(x))\n"
        + ENTROPY.replace("base=2", "base=BASE")
        + "\ndef oops(:\n    pass\n"
        + CONV.replace("s=1", "s=SETTINGS['stride']")
    )
    result = grade(source)
    assert result.score == MINI.points, [t.output for t in result.tests if not t.passed]
    assert any("SyntaxError" in p for p in result.problems)


def test_an_unclosed_string_in_one_function_does_not_swallow_the_rest():
    source = HEADER + ENTROPY.replace("    counts =", '    """an unclosed docstring\n    counts =')
    source += CONV
    result = grade(source)
    assert not any(passed(result, "entropy"))
    assert all(passed(result, "conv_output_size"))


def test_an_error_at_load_time_is_reported_and_the_other_definitions_survive():
    # The file runs one top-level statement at a time: a stray statement that
    # raises costs only itself, not the definitions before or after it.
    source = HEADER + CONV + "\nraise RuntimeError('stop here')\n" + ENTROPY
    result = grade(source)
    assert all(passed(result, "conv_output_size")) and all(passed(result, "entropy"))
    assert any("RuntimeError: stop here" in p for p in result.problems)


def test_an_error_at_load_time_names_its_line():
    source = HEADER + CONV + "\nraise RuntimeError('stop here')\n" + ENTROPY
    line = source.splitlines().index("raise RuntimeError('stop here')") + 1
    result = grade(source)
    assert any(f"line {line}" in p for p in result.problems), result.problems


def test_a_utf8_file_with_a_byte_order_mark_grades_like_without(tmp_path):
    submission = load(write(tmp_path / "lee.py", b"\xef\xbb\xbf" + GOOD.encode()))
    assert submission.error is None
    result = runner.grade_submission(MINI, submission)
    assert result.score == MINI.points, result.problems


def test_a_notebook_exported_with_all_its_cells_grades_through_the_sandbox(tmp_path):
    raw = notebook(
        ("markdown", "# HW"),
        "%matplotlib inline\n" + HEADER,
        ENTROPY,
        "%%time\nentropy = None",
        CONV,
        "print(conv_output_size(32, 5))",
    )
    submission = load(write(tmp_path / "mia.ipynb", raw))
    result = runner.grade_submission(MINI, submission)
    assert result.problems == () and result.score == MINI.points
