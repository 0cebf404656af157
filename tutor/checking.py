"""Checking a filled-in answer file against its sheet.

The right answers are never read from a file: each problem is rebuilt from
its id and seed, and a sheet whose parameters do not match its seeds is
refused.
"""

import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import registry, tex
from .answers import check
from .problem import ParameterError
from .sheet import build_variant


class BadFile(ValueError):
    """A sheet or an answer file that cannot be used, with a one-line reason."""


@dataclass(frozen=True)
class PartResult:
    name: str
    label: str
    status: str  # correct, incorrect, invalid, unanswered
    points: float
    max_points: float
    feedback: str
    misconception: str | None
    answer: str
    step: dict | None


def load_sheet(path):
    """The variants of a sheet.json, rebuilt from their ids and seeds."""
    path = Path(path)
    try:
        sheet = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise BadFile(f"{path}: cannot read it ({error})") from None
    except json.JSONDecodeError as error:
        raise BadFile(f"{path}: not valid JSON ({error.msg} at line {error.lineno})") from None
    if not isinstance(sheet, dict) or not isinstance(sheet.get("problems"), list):
        raise BadFile(f"{path}: not a sheet.json written by 'tutor sheet'")
    difficulty = sheet.get("difficulty", 2)
    if difficulty not in (1, 2, 3):
        raise BadFile(f"{path}: difficulty must be 1, 2 or 3")
    variants = []
    for index, entry in enumerate(sheet["problems"], 1):
        where = f"{path}: problem {index}"
        if not isinstance(entry, dict) or not {"id", "seed", "params", "slot"} <= set(entry):
            raise BadFile(f"{where}: needs an id, a seed, a slot and params")
        if entry["id"] not in registry.problem_types():
            raise BadFile(f"{where}: unknown problem type {entry['id']!r}")
        if not isinstance(entry["seed"], int) or isinstance(entry["seed"], bool):
            raise BadFile(f"{where}: the seed must be a whole number")
        try:
            variant = build_variant(entry["id"], entry["seed"], difficulty, slot=entry["slot"])
        except (ParameterError, ValueError, OverflowError) as error:
            raise BadFile(f"{where}: cannot rebuild it from its seed ({error})") from None
        if variant.params != entry["params"]:
            raise BadFile(f"{where}: its parameters do not match its seed; the sheet was edited")
        variants.append(variant)
    return sheet, variants


def load_answers(path):
    """``{table: {part: text}}`` from a TOML (or JSON) answer file."""
    path = Path(path)
    try:
        content = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise BadFile(f"{path}: cannot read it ({error})") from None
    try:
        is_json = path.suffix.lower() == ".json"
        answers = json.loads(content) if is_json else tomllib.loads(content)
    except json.JSONDecodeError as error:
        raise BadFile(f"{path}: line {error.lineno}: not valid JSON ({error.msg})") from None
    except tomllib.TOMLDecodeError as error:
        raise BadFile(f"{path}: not valid TOML: {error}") from None
    if not isinstance(answers, dict) or not all(isinstance(t, dict) for t in answers.values()):
        raise BadFile(f"{path}: expected one table per problem, like [problem-1]")
    return {
        table: {name: _as_text(value) for name, value in parts.items()}
        for table, parts in answers.items()
    }


def _as_text(value):
    """What the student wrote, as text: TOML numbers and arrays are accepted too."""
    if isinstance(value, str):
        return value
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return str(value)


def answer_text(answer):
    """The right value, short, for a terminal."""
    if answer.kind == "expression":
        return str(answer.expr)
    value = answer.expected_json()
    if isinstance(value, (int, float)):
        return tex.plain(value)
    if isinstance(value, str):
        return value
    return json.dumps(np.vectorize(lambda v: float(tex.plain(v)))(value).tolist())


NUMBER_AFTER_EQUALS = re.compile(r"=\s*(-?\d+(?:\.\d+)?)(?![\d.])")


def step_for(part, steps):
    """The worked step that arrives at the part's right value: the first
    whose formula shows that value as a whole, else the first that shows
    every entry of it (within the part's tolerance) after an equals sign."""
    from .render import answer_latex

    answer = part.answer
    shown = [answer_latex(answer)]
    entries = []
    if answer.kind not in ("expression", "choice"):
        value = np.asarray(answer.value, dtype=float)
        for vector in value if value.ndim == 2 else [value] if value.ndim == 1 else []:
            shown += [tex.matrix(vector), tex.row(vector)]
        entries = value.ravel()
    for step in steps:
        if any(s in step.latex for s in shown):
            return step
    for step in steps:
        numbers = np.array([float(n) for n in NUMBER_AFTER_EQUALS.findall(step.latex)])
        tolerance = getattr(answer, "atol", 0) + getattr(answer, "rtol", 0) * np.abs(entries)
        if (
            len(entries)
            and len(numbers)
            and all(np.any(np.abs(numbers - v) <= t + 1e-12) for v, t in zip(entries, tolerance))
        ):
            return step
    return None


def check_answers(variants, answers, lang):
    """A result per part of every problem; the warnings about the file."""
    results, warnings = [], []
    tables = {f"problem-{v.slot}": v for v in variants}
    for table, parts in answers.items():
        if table not in tables:
            warnings.append(f"[{table}] is not a problem of this sheet; ignored")
            continue
        names = {part.name for part in tables[table].solution.parts}
        warnings += [
            f"[{table}] has no part {name!r}; ignored" for name in parts if name not in names
        ]
    for variant in variants:
        given = answers.get(f"problem-{variant.slot}", {})
        parts = []
        for part in variant.solution.parts:
            text = given.get(part.name, "")
            step = step_for(part, variant.solution.steps)
            if not text.strip():
                verdict_status, score, feedback, tag = "unanswered", 0.0, "", None
            else:
                verdict = check(part.answer, text, lang)
                verdict_status, score = verdict.status, verdict.score
                feedback, tag = verdict.feedback, verdict.misconception
            parts.append(
                PartResult(
                    part.name,
                    part.label[lang],
                    verdict_status,
                    score * part.points,
                    part.points,
                    feedback,
                    tag,
                    answer_text(part.answer),
                    {"text": step.text[lang], "latex": step.latex} if step else None,
                )
            )
        results.append((variant, parts))
    return results, warnings
