"""tutor check: a sheet and a filled-in answer file, end to end."""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

from tutor import registry

TUTOR = str(Path(sys.executable).parent / "tutor")


def tutor(*args, cwd):
    return subprocess.run([TUTOR, *args], capture_output=True, text=True, cwd=cwd)


@pytest.fixture(scope="module")
def sheet_dir():
    folder = Path(tempfile.mkdtemp())
    result = tutor("sheet", "--seed", "11", "--out", "s", cwd=folder)  # every type
    assert result.returncode == 0, result.stderr
    return folder / "s"


def typed(answer):
    if answer.kind == "expression":
        return str(answer.expr)
    return json.dumps(answer.expected_json())


def right_answers(sheet_dir):
    sheet = json.loads((sheet_dir / "sheet.json").read_text(encoding="utf-8"))
    lines = []
    for entry in sheet["problems"]:
        solution = registry.get(entry["id"]).solve(entry["params"])
        lines.append(f"[problem-{entry['slot']}]")
        lines += [f"{part.name} = {json.dumps(typed(part.answer))}" for part in solution.parts]
    return "\n".join(lines) + "\n"


def report(sheet_dir, answers_name):
    result = tutor("check", "sheet.json", answers_name, "--format", "json", cwd=sheet_dir)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_fully_right_answer_file_scores_100_percent(sheet_dir):
    (sheet_dir / "right.toml").write_text(right_answers(sheet_dir), encoding="utf-8")
    out = report(sheet_dir, "right.toml")
    assert out["score"] == out["max_score"] > 0
    statuses = {p["status"] for problem in out["problems"] for p in problem["parts"]}
    assert statuses == {"correct"}


def test_the_blank_answer_file_scores_0_and_exits_0(sheet_dir):
    out = report(sheet_dir, "answers.toml")
    assert out["score"] == 0
    statuses = {p["status"] for problem in out["problems"] for p in problem["parts"]}
    assert statuses == {"unanswered"}
    text = tutor("check", "sheet.json", "answers.toml", cwd=sheet_dir)
    assert text.returncode == 0
    assert text.stdout.strip().splitlines()[-1].startswith("Total: 0/")


def test_a_named_mistake_shows_its_feedback_and_the_worked_step(sheet_dir):
    sheet = json.loads((sheet_dir / "sheet.json").read_text(encoding="utf-8"))
    entry = next(e for e in sheet["problems"] if e["id"] == "conv-output-size")
    part = registry.get(entry["id"]).solve(entry["params"]).parts[0]
    wrong = next(m for m in part.answer.misconceptions if m.tag == "missing-plus-one")
    (sheet_dir / "plus-one.toml").write_text(
        f'[problem-{entry["slot"]}]\noutput_size = "{wrong.value_or_expr}"\n', encoding="utf-8"
    )
    out = report(sheet_dir, "plus-one.toml")
    checked = next(p for p in out["problems"] if p["slot"] == entry["slot"])["parts"][0]
    assert checked["status"] == "incorrect"
    assert checked["misconception"] == "missing-plus-one"
    assert checked["feedback"] == wrong.feedback_en
    assert checked["answer"] == str(part.answer.value)
    assert str(part.answer.value) in checked["step"]["latex"]
    text = tutor("check", "sheet.json", "plus-one.toml", "--lang", "zh", cwd=sheet_dir).stdout
    assert wrong.feedback_zh in text and "总分" in text


def test_every_type_has_a_mistake_that_check_names(sheet_dir):
    """Each problem of the every-type sheet answered with each part's first
    declared mistake: tutor check names it, with its feedback."""
    sheet = json.loads((sheet_dir / "sheet.json").read_text(encoding="utf-8"))
    lines, expected = [], {}
    for entry in sheet["problems"]:
        solution = registry.get(entry["id"]).solve(entry["params"])
        lines.append(f"[problem-{entry['slot']}]")
        for part in solution.parts:
            if part.answer.misconceptions:
                mistake = part.answer.misconceptions[0]
                value = mistake.value_or_expr
                symbolic = isinstance(value, str) or hasattr(value, "free_symbols")
                text = str(value) if symbolic else json.dumps(np.asarray(value).tolist())
                lines.append(f"{part.name} = {json.dumps(text)}")
                expected[entry["slot"], part.name] = mistake
    (sheet_dir / "mistakes.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = report(sheet_dir, "mistakes.toml")
    named = {}
    for problem in out["problems"]:
        for part in problem["parts"]:
            if (problem["slot"], part["name"]) in expected:
                named[problem["slot"], part["name"]] = (part["misconception"], part["feedback"])
    assert named == {key: (m.tag, m.feedback_en) for key, m in expected.items()}
    named_types = {e["id"] for e in sheet["problems"] for (slot, _) in named if slot == e["slot"]}
    assert named_types == set(registry.problem_types())


def test_answers_may_be_json_and_toml_numbers(sheet_dir):
    sheet = json.loads((sheet_dir / "sheet.json").read_text(encoding="utf-8"))
    entry = next(e for e in sheet["problems"] if e["id"] == "q-update")
    target = registry.get("q-update").solve(entry["params"]).parts[0].answer.value
    (sheet_dir / "numbers.toml").write_text(
        f"[problem-{entry['slot']}]\ntd_target = {target!r}\n", encoding="utf-8"
    )
    (sheet_dir / "numbers.json").write_text(
        json.dumps({f"problem-{entry['slot']}": {"td_target": target}}), encoding="utf-8"
    )
    for name in ("numbers.toml", "numbers.json"):
        out = report(sheet_dir, name)
        part = next(p for p in out["problems"] if p["slot"] == entry["slot"])["parts"][0]
        assert part["status"] == "correct", name


def test_unknown_tables_and_parts_are_warned_about(sheet_dir):
    (sheet_dir / "typo.toml").write_text('[problem-99]\nx = "1"\n[problem-1]\nnope = "2"\n')
    result = tutor("check", "sheet.json", "typo.toml", cwd=sheet_dir)
    assert result.returncode == 0
    assert "[problem-99] is not a problem of this sheet" in result.stderr
    assert "no part 'nope'" in result.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('[problem-1]\nmean = "1\n', "line 2"),
        ("[problem-1]\nmean = = 2\n", "line 2"),
        ("just text\n", "line 1"),
        ('mean = "1"\n', "one table per problem"),
    ],
)
def test_a_malformed_answer_file_is_one_line_with_its_line_number(sheet_dir, content, message):
    (sheet_dir / "bad.toml").write_text(content, encoding="utf-8")
    result = tutor("check", "sheet.json", "bad.toml", cwd=sheet_dir)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tutor: error:") and message in lines[0]


def test_a_malformed_json_answer_file_names_the_line(sheet_dir):
    (sheet_dir / "bad.json").write_text('{\n"problem-1": {\n"mean": [1, 2\n}\n')
    result = tutor("check", "sheet.json", "bad.json", cwd=sheet_dir)
    assert result.returncode == 2 and "line 4" in result.stderr


def test_a_sheet_whose_parameters_do_not_match_its_seeds_is_refused(sheet_dir, tmp_path):
    sheet = json.loads((sheet_dir / "sheet.json").read_text(encoding="utf-8"))
    entry = sheet["problems"][0]
    first = next(iter(entry["params"]))
    entry["params"][first] = np.asarray(entry["params"][first]).tolist()
    entry["params"][first] = json.loads(json.dumps(entry["params"][first]).replace("1", "2", 1))
    (tmp_path / "sheet.json").write_text(json.dumps(sheet), encoding="utf-8")
    (tmp_path / "answers.toml").write_text("")
    result = tutor("check", "sheet.json", "answers.toml", cwd=tmp_path)
    assert result.returncode == 2
    assert "do not match its seed" in result.stderr


@pytest.mark.parametrize(
    "content",
    [
        "{",
        "[]",
        '{"problems": [{"id": "pca"}]}',
        '{"problems": [{"id": "nope", "seed": 1, "slot": 1, "params": {}}]}',
        "\xff\xfe",
    ],
)
def test_a_broken_sheet_is_one_line_and_exit_2(content, tmp_path):
    (tmp_path / "sheet.json").write_text(content, encoding="latin-1")
    (tmp_path / "answers.toml").write_text("")
    result = tutor("check", "sheet.json", "answers.toml", cwd=tmp_path)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_missing_files_are_one_line_and_exit_2(tmp_path):
    result = tutor("check", "no-sheet.json", "no-answers.toml", cwd=tmp_path)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
