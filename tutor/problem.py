"""What a problem type returns and the tools it validates its parameters with.

A problem type is a module in ``problems/`` with:

- ``ID``, ``TOPIC``, ``TITLE`` (``{"en": ..., "zh": ...}``) and ``PARAMETERS``
  (name → ``{"en": ..., "zh": ...}`` description);
- ``generate(rng, difficulty)`` → a JSON-serialisable dict of parameters
  (those it leaves out are null to the engine: ``solve`` treats a null
  optional parameter as absent);
- ``statement(params)`` → ``{"en": ..., "zh": ...}``;
- ``solve(params)`` → :class:`Solution`, validating ``params`` first (they
  may come from a user) and raising :class:`ParameterError` on bad ones.

Texts may contain LaTeX between ``$...$`` (inline) or ``$$...$$`` (display).
"""

import math
import re
from dataclasses import dataclass

import numpy as np

# Math in texts: $$display$$ or $inline$.
MATH_PIECES = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$", re.S)


def text(en, zh):
    """A text in both languages."""
    return {"en": en, "zh": zh}


class ParameterError(ValueError):
    """A parameter that a problem type cannot work with."""

    def __init__(self, name, message):
        self.name = name
        super().__init__(f"parameter {name!r}: {message}")


@dataclass(frozen=True)
class Step:
    """One step of a worked solution: prose in both languages and a formula."""

    text: dict
    latex: str = ""


@dataclass(frozen=True)
class Part:
    """One answer part: its name, its label, the answer kind and the points."""

    name: str
    label: dict
    answer: object
    points: float = 1.0


@dataclass(frozen=True)
class Solution:
    parts: tuple
    steps: tuple

    def answers(self):
        """The right answers as JSON values, by part name."""
        return {part.name: part.answer.expected_json() for part in self.parts}


def has_distinct_misconceptions(solution):
    """Whether every misconception differs, beyond the part's tolerance, from
    the right answer and from the part's other misconceptions: otherwise a
    right answer could be taken for a mistake, or one mistake for another."""
    for part in solution.parts:
        values = [part.answer.expected_json()] + [
            m.value_or_expr for m in part.answer.misconceptions
        ]
        for i, first in enumerate(values):
            if any(part.answer.close(second, first) for second in values[i + 1 :]):
                return False
    return True


def changing(right, misconceptions):
    """The misconceptions that change the ``right`` answer at all on these
    parameters: one that gives exactly the right value is no mistake here."""
    return tuple(
        m for m in misconceptions if not np.allclose(m.value_or_expr, right, rtol=0, atol=1e-9)
    )


def distinct_misconceptions(probe, candidates, feedback):
    """Misconceptions from ``(tag, value[, score])`` candidates, keeping those a
    typed answer can tell apart: each must differ, within the tolerance of
    ``probe`` (the part's answer), from the right value and from every one kept
    before it, so the first of two coinciding mistakes names them. Values that
    are missing or not finite are dropped. ``feedback`` maps a tag to its
    (English, Chinese) texts."""
    from .answers import Misconception

    kept, seen = [], [probe.expected_json()]
    for tag, value, *score in candidates:
        if value is None or (not isinstance(value, str) and not _finite(value)):
            continue
        if not any(probe.close(value, earlier) for earlier in seen):
            kept.append(Misconception(tag, value, *feedback[tag], *score))
            seen.append(value)
    return tuple(kept)


def merged_misconceptions(probe, candidates):
    """Misconceptions from ``(tag, value, feedback_en, feedback_zh)`` candidates:
    those of the right answer's shape that differ from it. When two slips give
    the same answer, one entry keeps the first tag and its feedback names both."""
    from .answers import Misconception

    kept = []
    right = probe.expected_json()
    for tag, value, en, zh in candidates:
        if value is None or np.shape(value) != np.shape(right) or probe.close(value):
            continue
        for i, earlier in enumerate(kept):
            if probe.close(value, earlier.value_or_expr):
                kept[i] = Misconception(
                    earlier.tag,
                    earlier.value_or_expr,
                    f"{earlier.feedback_en} Another slip gives the same answer here: {en}",
                    f"{earlier.feedback_zh} 另一种错误在这里也会得到同样的答案：{zh}",
                )
                break
        else:
            kept.append(Misconception(tag, np.asarray(value).tolist(), en, zh))
    return tuple(kept)


def _finite(value):
    try:
        return bool(np.all(np.isfinite(np.asarray(value, dtype=float))))
    except (TypeError, ValueError):
        return False


# --- parameter validation -------------------------------------------------


def numbers(params, name, dtype=float):
    """The parameter as an array of finite numbers, of any shape."""
    if name not in params:
        raise ParameterError(name, "missing")
    value = params[name]
    try:
        # Numbers as given (no text, no true/false) before any conversion.
        if np.asarray(value).dtype.kind not in "iuf" or _holds_bool(value):
            raise TypeError
        array = np.asarray(value, dtype=dtype)
    except (TypeError, ValueError):
        raise ParameterError(name, f"expected numbers, got {value!r}") from None
    if not np.all(np.isfinite(array)):
        raise ParameterError(name, "must contain only finite numbers")
    return array


def _holds_bool(value):
    if isinstance(value, (list, tuple)):
        return any(_holds_bool(v) for v in value)
    return isinstance(value, bool)


def number(params, name, low=-math.inf, high=math.inf, *, low_open=False, high_open=False):
    """A finite real number in [low, high] (ends excluded when open)."""
    value = params.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ParameterError(name, f"expected a number, got {value!r}")
    value = float(value)
    too_low = value <= low if low_open else value < low
    too_high = value >= high if high_open else value > high
    if not math.isfinite(value) or too_low or too_high:
        left, right = "(" if low_open else "[", ")" if high_open else "]"
        raise ParameterError(name, f"must be in {left}{low:g}, {high:g}{right}, got {value:g}")
    return value


def integer(params, name, low=-math.inf, high=math.inf):
    """A whole number in [low, high]."""
    value = params.get(name)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParameterError(name, f"expected a whole number, got {value!r}")
    if not low <= value <= high:
        raise ParameterError(name, f"must be between {low:g} and {high:g}, got {value}")
    return value


def boolean(params, name):
    value = params.get(name)
    if not isinstance(value, bool):
        raise ParameterError(name, f"expected true or false, got {value!r}")
    return value


def vector(params, name, size=None, min_size=1, max_size=12):
    """A 1-D list of finite numbers, of a given size or within bounds."""
    array = numbers(params, name)
    if array.ndim != 1:
        raise ParameterError(name, f"expected a list of numbers, got shape {array.shape}")
    if size is not None and array.size != size:
        raise ParameterError(name, f"expected {size} numbers, got {array.size}")
    if not min_size <= array.size <= max_size:
        raise ParameterError(name, f"expected {min_size} to {max_size} numbers, got {array.size}")
    return array


def matrix(params, name, rows=None, cols=None, max_size=12):
    """A 2-D list of lists of finite numbers with the given shape, if any."""
    array = numbers(params, name)
    if array.ndim != 2 or 0 in array.shape:
        raise ParameterError(name, "expected a non-empty list of equally long rows")
    if rows is not None and array.shape[0] not in np.atleast_1d(rows):
        raise ParameterError(name, f"expected {rows} rows, got {array.shape[0]}")
    if cols is not None and array.shape[1] not in np.atleast_1d(cols):
        raise ParameterError(name, f"expected {cols} columns, got {array.shape[1]}")
    if max(array.shape) > max_size:
        raise ParameterError(name, f"at most {max_size} rows and columns")
    return array


def known_parameters(params, names):
    """Reject parameters a problem type does not have."""
    unknown = sorted(set(params) - set(names))
    if unknown:
        raise ParameterError(unknown[0], f"unknown; expected one of {', '.join(names)}")
