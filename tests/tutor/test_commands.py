"""The commands end to end: topics, sheet and explain, through the real
entry point (one-line errors and exit codes included)."""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

from tutor import registry

# The installed console script, run outside the source tree so that the
# source folders cannot shadow the installed package.
TUTOR = str(Path(sys.executable).parent / "tutor")


def tutor(*args, cwd=None):
    return subprocess.run(
        [TUTOR, *args], capture_output=True, text=True, cwd=cwd or tempfile.gettempdir()
    )


def explain_json(*args):
    result = tutor("explain", *args, "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_topics_json_lists_every_type_with_its_parameters_by_chapter():
    result = tutor("topics", "--format", "json")
    assert result.returncode == 0
    listing = json.loads(result.stdout)
    assert sorted(t["id"] for t in listing) == sorted(registry.problem_types())
    order = list(registry.CHAPTERS)
    positions = [order.index(t["chapter"]) for t in listing]
    assert positions == sorted(positions), "types are listed chapter by chapter"
    for entry in listing:
        problem = registry.get(entry["id"])
        assert entry["chapter"] == problem.TOPIC
        assert entry["chapter_title"] == registry.CHAPTERS[problem.TOPIC]
        assert [p["name"] for p in entry["parameters"]] == list(problem.PARAMETERS)
        optional = {p["name"] for p in entry["parameters"] if p["optional"]}
        assert optional == registry.optional(problem)
        assert set(entry["title"]) == {"en", "zh"}
        assert all(set(p["description"]) == {"en", "zh"} for p in entry["parameters"])


def test_topics_text_heads_each_chapter_with_its_title():
    for lang in ("en", "zh"):
        result = tutor("topics", "--lang", lang)
        assert result.returncode == 0
        headings = [line for line in result.stdout.splitlines() if not line.startswith(" ")]
        assert headings == [f"{c} · {registry.CHAPTERS[c][lang]}" for c in registry.chapters()]


def test_chapter_ids_and_problem_ids_never_clash():
    assert not set(registry.CHAPTERS) & set(registry.problem_types())
    grouped = registry.chapters()
    assert sorted(i for ids in grouped.values() for i in ids) == sorted(registry.problem_types())


def test_sheet_takes_chapters_as_well_as_ids(tmp_path):
    grouped = registry.chapters()
    chapter = max(grouped, key=lambda c: len(grouped[c]))
    other = next(i for c, ids in grouped.items() if c != chapter for i in ids)
    args = ["sheet", "--seed", "5", "-t", chapter, "-t", other, "--out", "s"]
    assert tutor(*args, cwd=tmp_path).returncode == 0
    sheet = json.loads((tmp_path / "s" / "sheet.json").read_text(encoding="utf-8"))
    ids = sorted(p["id"] for p in sheet["problems"])
    assert ids == sorted([*grouped[chapter], other])


def test_explain_pca_on_the_notes_example_agrees_with_numpy():
    X = np.array([[2.5, 2.4], [0.4, 0.7], [2.2, 2.9]])
    out = explain_json("pca", "--set", f"X={json.dumps(X.tolist())}")
    answers = out["answers"]
    covariance = np.cov(X, rowvar=False)
    eigenvalues, eigenvectors = np.linalg.eigh(covariance)
    order = np.argsort(eigenvalues)[::-1]
    np.testing.assert_allclose(answers["mean"], X.mean(axis=0))
    np.testing.assert_allclose(answers["covariance"], covariance)
    np.testing.assert_allclose(answers["eigenvalues"], eigenvalues[order])
    for row, vector in zip(answers["components"], eigenvectors[:, order].T):
        assert np.allclose(row, vector) or np.allclose(row, -vector)
    np.testing.assert_allclose(
        answers["explained_variance_ratio"], eigenvalues[order] / eigenvalues.sum()
    )
    assert out["problem"] == "pca" and out["params"] == {"X": X.tolist()}
    assert all(set(step) == {"text", "latex"} for step in out["steps"])


def test_explain_information_gain_on_the_notes_example_uses_log_base_2():
    out = explain_json("information-gain", "--set", "counts=[[4,2],[1,3]]")
    answers = out["answers"]
    h_high = -(4 / 6) * np.log2(4 / 6) - (2 / 6) * np.log2(2 / 6)
    h_low = -(1 / 4) * np.log2(1 / 4) - (3 / 4) * np.log2(3 / 4)
    assert answers["entropy"] == pytest.approx(1.0)
    assert answers["conditional_entropy"] == pytest.approx(0.6 * h_high + 0.4 * h_low)
    assert answers["information_gain"] == pytest.approx(1 - 0.6 * h_high - 0.4 * h_low)


@pytest.mark.parametrize("problem_id", sorted(registry.problem_types()))
def test_explain_with_a_seed_is_reproducible_and_round_trips_through_set(problem_id):
    first = explain_json(problem_id, "--seed", "5", "--difficulty", "3")
    assert first == explain_json(problem_id, "--seed", "5", "--difficulty", "3")
    sets = [
        arg
        for name, value in first["params"].items()
        for arg in ("--set", f"{name}={json.dumps(value)}")
    ]
    again = explain_json(problem_id, *sets)
    assert again["answers"] == first["answers"]
    assert again["steps"] == first["steps"]


@pytest.mark.parametrize(
    "problem_id", sorted(i for i, p in registry.problem_types().items() if registry.optional(p))
)
def test_explain_set_without_a_seed_leaves_out_the_optional_parameters_not_set(problem_id):
    problem = registry.get(problem_id)
    drawn = explain_json(problem_id, "--seed", "5", "--difficulty", "3")["params"]
    given = {n: v for n, v in drawn.items() if n not in registry.optional(problem)}
    if not given:  # every parameter optional: give one of them
        given = dict([next((n, v) for n, v in drawn.items() if v is not None)])
    sets = [arg for n, v in given.items() for arg in ("--set", f"{n}={json.dumps(v)}")]
    runs = [tutor("explain", problem_id, *sets, "--format", "json") for _ in range(2)]
    assert runs[0].stdout == runs[1].stdout, "nothing is drawn at random"
    if runs[0].returncode == 0:
        params = json.loads(runs[0].stdout)["params"]
        assert params == {**drawn, **dict.fromkeys(registry.optional(problem)), **given}
    else:  # the required parameters alone do not pose the problem: one line says why
        assert runs[0].returncode == 2 and runs[0].stderr.count("\n") == 1, runs[0].stderr
    # With the seed, the variant keeps its optional parameters.
    seeded = explain_json(problem_id, "--seed", "5", "--difficulty", "3", *sets)
    assert seeded["params"] == drawn


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_explain_writes_html_and_markdown(fmt, tmp_path):
    out = tmp_path / f"pca.{fmt}"
    result = tutor("explain", "pca", "--seed", "1", "--format", fmt, "-o", str(out))
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert ("<math" in text) == (fmt == "html")


def test_sheet_is_byte_identical_run_to_run(tmp_path):
    for name in ("a", "b"):
        result = tutor("sheet", "--seed", "7", "--lang", "zh", "--out", name, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    files = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert files == ["answers.toml", "sheet.html", "sheet.json", "solutions.html"]
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_sheet_json_describes_the_variants_without_their_answers(tmp_path):
    assert tutor("sheet", "--seed", "7", "-n", "10", "--out", "s", cwd=tmp_path).returncode == 0
    sheet = json.loads((tmp_path / "s" / "sheet.json").read_text(encoding="utf-8"))
    assert sheet["seed"] == 7 and sheet["lang"] == "en" and sheet["version"]
    assert len(sheet["problems"]) == 10

    def collect(value, found):
        if isinstance(value, dict):
            for v in value.values():
                collect(v, found)
        elif isinstance(value, list):
            for v in value:
                collect(v, found)
        elif isinstance(value, float):
            found.add(round(value, 9))
        return found

    # An answer may equal a number of another problem by chance, not of its own.
    header = collect({k: v for k, v in sheet.items() if k != "problems"}, set())
    for entry in sheet["problems"]:
        numbers_in_file = collect(entry, set(header))
        assert set(entry) == {"slot", "id", "seed", "params", "parts"}
        for part in entry["parts"]:
            assert set(part) == {"name", "label", "kind", "shape", "points"}
        # Recompute the answers: none of their non-round values may be in the file.
        solution = registry.get(entry["id"]).solve(entry["params"])
        assert registry.generate(entry["id"], entry["seed"], sheet["difficulty"]) == entry["params"]
        for value in solution.answers().values():
            if isinstance(value, str):
                continue
            for number in np.ravel(value):
                if round(float(number), 9) != round(float(number), 1):
                    assert round(float(number), 9) not in numbers_in_file


def test_sheet_balances_the_types_it_is_given(tmp_path):
    args = ["sheet", "--seed", "3", "-t", "pca", "-t", "q-update", "-n", "5", "--out", "s"]
    assert tutor(*args, cwd=tmp_path).returncode == 0
    sheet = json.loads((tmp_path / "s" / "sheet.json").read_text(encoding="utf-8"))
    ids = [p["id"] for p in sheet["problems"]]
    assert sorted(set(ids)) == ["pca", "q-update"]
    assert abs(ids.count("pca") - ids.count("q-update")) == 1


def test_answers_toml_is_a_valid_blank_answer_file(tmp_path):
    import tomllib

    assert tutor("sheet", "--seed", "2", "--out", "s", cwd=tmp_path).returncode == 0
    answers = tomllib.loads((tmp_path / "s" / "answers.toml").read_text(encoding="utf-8"))
    sheet = json.loads((tmp_path / "s" / "sheet.json").read_text(encoding="utf-8"))
    for entry in sheet["problems"]:
        table = answers[f"problem-{entry['slot']}"]
        assert table == {part["name"]: "" for part in entry["parts"]}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sheet", "-t", "no-such-topic"], "unknown problem type or chapter"),
        (["explain", "cnn"], "unknown problem type 'cnn'"),
        (["explain", "pca", "--set", "X=[[1,2]"], "not valid JSON"),
        (["explain", "pca", "--set", "X=[[1,2]]"], "parameter 'X'"),
        (["explain", "pca", "--set", "Y=[[1,2]]"], "no parameter 'Y'"),
        (["explain", "pca", "--set", "X"], "NAME=VALUE"),
        (["explain", "no-such-type"], "unknown problem type"),
        (["explain", "information-gain", "--set", "counts=[[4,-2],[1,3]]"], "counts"),
        (["explain", "conv-output-size", "--set", "f=9", "--set", "n=5", "--set", "p=0"], "'f'"),
        (["explain", "q-update", "--set", "gamma=1.5"], "gamma"),
        (["explain", "pca", "--set", 'X=[["1","2"],[3,4],[5,7]]'], "expected numbers"),
        (["explain", "normal-equation", "--set", "r=[1,true,2]"], "expected numbers"),
        (["sheet", "--lang", "fr"], "--lang"),
        (["sheet", "-n", "0"], "--count"),
        (["sheet", "--no-such-option"], "No such option"),
        (["no-such-command"], "No such command"),
    ],
)
def test_bad_input_gives_one_line_and_exit_2(args, message, tmp_path):
    result = tutor(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tutor: error:"), result.stderr
    assert message in lines[0]
    assert "Traceback" not in result.stderr


def exam(tmp_path, *args):
    result = tutor("sheet", "--exam", *args, "--out", "e", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads((tmp_path / "e" / "sheet.json").read_text(encoding="utf-8"))


def test_exam_draws_one_problem_from_every_chapter_in_teaching_order(tmp_path):
    sheet = exam(tmp_path, "--seed", "2026")
    assert sheet["kind"] == "exam"
    chapters = [registry.get(p["id"]).TOPIC for p in sheet["problems"]]
    assert chapters == list(registry.chapters())
    html = (tmp_path / "e" / "sheet.html").read_text(encoding="utf-8")
    assert "<h1>Exam</h1>" in html and "points" in html
    # Different seeds draw different types from the chapters that have several.
    other = exam(tmp_path, "--seed", "7")
    assert [p["id"] for p in other["problems"]] != [p["id"] for p in sheet["problems"]]


def test_exam_per_chapter_takes_distinct_types_and_respects_t(tmp_path):
    grouped = registry.chapters()
    sheet = exam(tmp_path, "--seed", "3", "--per-chapter", "2", "-t", "classification", "-t", "pca")
    ids = [p["id"] for p in sheet["problems"]]
    assert len(ids) == 4
    assert len(set(ids[:2])) == 2 and set(ids[:2]) <= set(grouped["classification"])
    assert ids[2:] == ["pca", "pca"]


def test_exam_refuses_count(tmp_path):
    result = tutor("sheet", "--exam", "-n", "3", cwd=tmp_path)
    assert result.returncode == 2
    assert (
        result.stderr.strip() == "tutor: error: --count does not apply to --exam; use --per-chapter"
    )
