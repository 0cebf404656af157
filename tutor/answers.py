"""Answer kinds and the checking of typed answers.

A problem type declares each answer part with one of these kinds: the right
value, the tolerance and the misconceptions, each misconception computed on
the same parameters as the right value. :func:`check` reads what a student
typed (with the project's own parser: no ``eval``, no ``sympify``) and gives
a :class:`Verdict`: ``correct``, ``incorrect`` (with the mistake named when a
misconception matches) or ``invalid`` (unreadable, wrong shape, unknown name:
the student is told what to fix and loses nothing).
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

import numpy as np

from .parser import (
    ParseError,
    evaluate,
    largest_exponent,
    normalise,
    parse,
    parse_array,
    to_sympy,
)

MESSAGES = {
    "en": {
        "correct": "Correct.",
        "incorrect": "Not correct.",
        "empty": "The answer is empty.",
        "not-finite": "The answer is not a finite number (too large, or undefined such as 0/0).",
        "unreadable": "This answer could not be read.",
        "precision": (
            " You gave {given} significant digit(s); this answer needs at least {needed} "
            "to be within the tolerance."
        ),
        "shape": "Expected {expected}, got {got}.",
        "ragged": "The rows have different lengths.",
        "normalise": "Right direction, wrong length: normalise it to a unit vector.",
        "choice": "Choose one of: {options}.",
        "not-equivalent": "This expression is not equivalent to the right one.",
        "scalar": "a single number",
        "vector": "a vector of {n} numbers",
        "matrix": "a {r} × {c} matrix",
    },
    "zh": {
        "correct": "正确。",
        "incorrect": "不正确。",
        "empty": "答案为空。",
        "not-finite": "答案不是有限的数（过大，或没有定义，如 0/0）。",
        "unreadable": "无法读取这个答案。",
        "precision": " 你给出了 {given} 位有效数字；这个答案至少需要 {needed} 位才能落在容差之内。",
        "shape": "应为{expected}，实际为{got}。",
        "ragged": "各行的长度不一致。",
        "normalise": "方向正确但长度不对：请把它归一化为单位向量。",
        "choice": "请从以下选项中选择：{options}。",
        "not-equivalent": "这个表达式与正确答案不等价。",
        "scalar": "一个数",
        "vector": "{n} 维向量",
        "matrix": "{r} × {c} 矩阵",
    },
}


@dataclass(frozen=True)
class Verdict:
    """The outcome of checking one answer."""

    status: str  # "correct", "incorrect" or "invalid"
    score: float
    feedback: str
    misconception: str | None = None


def check(spec, text, lang="en"):
    """Check the text a student typed against an answer kind. Never raises."""
    lang = lang if lang in MESSAGES else "en"
    try:
        text = text if isinstance(text, str) else str(text)
        if not normalise(text):
            return _invalid(MESSAGES[lang]["empty"])
        return spec.check(text, lang)
    except ParseError as error:
        pointer = error.pointer()
        return _invalid(error.message(lang) + (f"\n{pointer}" if pointer else ""))
    except _Unreadable as error:
        return _invalid(str(error))
    except (ValueError, TypeError, OverflowError, ArithmeticError, RecursionError, MemoryError):
        return _invalid(MESSAGES[lang]["unreadable"])


class _Unreadable(Exception):
    """A readable answer of the wrong form (its message says which)."""


def _invalid(message):
    return Verdict("invalid", 0.0, message)


def _judge(spec, received, lang, note=""):
    """Right, a known mistake, or wrong: the verdict for a readable answer."""
    if spec.close(received):
        return Verdict("correct", 1.0, MESSAGES[lang]["correct"])
    for mistake in spec.misconceptions:
        if spec.close(received, mistake.value_or_expr):
            return Verdict("incorrect", float(mistake.score), mistake.feedback(lang), mistake.tag)
    return Verdict("incorrect", 0.0, MESSAGES[lang]["incorrect"] + note)


@dataclass(frozen=True)
class Misconception:
    """A wrong answer that a known mistake produces, and the feedback naming it.

    ``value_or_expr`` has the same form as the part's right value (a number,
    a list of numbers, a nested list, or an expression).
    """

    tag: str
    value_or_expr: object
    feedback_en: str
    feedback_zh: str
    score: float = 0.0

    def feedback(self, lang="en"):
        return self.feedback_zh if lang == "zh" else self.feedback_en


def _numeric(values):
    return np.asarray(values, dtype=float)


SCALAR_LITERAL = re.compile(r"[+-]?(\d*\.?\d+)(?:[eE][+-]?\d+)?%?")


def _read_number(text):
    """A number from text: an expression without variables, where a single
    comma between digits is a decimal comma (0,197)."""
    text = normalise(text)
    if re.fullmatch(r"[+-]?\d+,\d+%?", text):
        text = text.replace(",", ".")
    return float(evaluate(parse(text))), text


def _rounded_too_early(literal, value, expected):
    """Whether a plain decimal is the right value rounded to its last digit
    (so that the student's method was right and only the rounding was not)."""
    match = SCALAR_LITERAL.fullmatch(literal)
    if match is None:
        return None
    unit = 10.0 ** Decimal(literal.rstrip("%")).as_tuple().exponent
    unit /= 100 if literal.endswith("%") else 1
    digits = max(len(match.group(1).replace(".", "").lstrip("0")), 1)
    return digits if abs(value - expected) <= unit / 2 * (1 + 1e-9) else None


def _round_significant(x, digits):
    return float(f"{x:.{digits - 1}e}")


def _digits_needed(value, rtol, atol):
    for digits in range(1, 16):
        if abs(_round_significant(value, digits) - value) <= atol + rtol * abs(value):
            return digits
    return 16


def _shape_words(shape, lang):
    words = MESSAGES[lang]
    if len(shape) == 0:
        return words["scalar"]
    if len(shape) == 1:
        return words["vector"].format(n=shape[0])
    return words["matrix"].format(r=shape[0], c=shape[1])


def _read_array(text, shape, lang, also=()):
    """Numbers in the expected shape, or in one of the shapes ``also`` (those
    of known mistakes); a vector may be written as a row or a column. Any
    other shape is refused, naming both shapes."""
    rows = parse_array(text)
    if len({len(row) for row in rows}) > 1:
        raise _Unreadable(MESSAGES[lang]["ragged"])
    values = np.array([[float(evaluate(entry)) for entry in row] for row in rows])
    for wanted in (tuple(shape), *also):
        candidate = values.ravel() if len(wanted) == 1 and 1 in values.shape else values
        if candidate.shape == tuple(wanted):
            return candidate
    raise _shape_error(values, shape, lang)


def _shape_error(values, shape, lang):
    got = values.shape if values.ndim == 2 and 1 not in values.shape else (values.size,)
    return _Unreadable(
        MESSAGES[lang]["shape"].format(
            expected=_shape_words(shape, lang), got=_shape_words(got, lang)
        )
    )


@dataclass(frozen=True)
class _Numeric:
    """What the kinds whose value is a number or an array of numbers share:
    right within ``atol + rtol * |value|``, entry by entry, shape included."""

    value: object
    rtol: float = 1e-2
    atol: float = 1e-8
    misconceptions: tuple = ()

    def shape(self):
        return _numeric(self.value).shape

    def close(self, received, expected=None):
        """Whether ``received`` equals ``expected`` (the right value by
        default) within the part's tolerance, shape included."""
        expected = _numeric(self.value if expected is None else expected)
        received = _numeric(received)
        if received.shape != expected.shape:
            return False
        return bool(np.all(np.abs(received - expected) <= self.atol + self.rtol * np.abs(expected)))

    def expected_json(self):
        return _numeric(self.value).tolist()

    def check(self, text, lang):
        shape = self.shape()
        # A mistake may give another shape (a forgotten bias column, no padding).
        other = {_numeric(m.value_or_expr).shape for m in self.misconceptions} - {shape}
        values = _read_array(text, shape, lang, sorted(other))
        if not np.all(np.isfinite(values)):
            return _invalid(MESSAGES[lang]["not-finite"])
        verdict = _judge(self, values, lang)
        if values.shape != shape and verdict.misconception is None:
            raise _shape_error(values, shape, lang)
        return verdict


@dataclass(frozen=True)
class Number(_Numeric):
    """A real number."""

    kind: str = field(default="number", init=False)

    def check(self, text, lang):
        value, literal = _read_number(text)
        if not np.isfinite(value):
            return _invalid(MESSAGES[lang]["not-finite"])
        given = _rounded_too_early(literal, value, float(self.value))
        needed = _digits_needed(float(self.value), self.rtol, self.atol)
        note = ""
        if given is not None and given < needed:
            note = MESSAGES[lang]["precision"].format(given=given, needed=needed)
        return _judge(self, value, lang, note)


@dataclass(frozen=True)
class Integer(_Numeric):
    """A whole number, right only when exact: ``Integer(value, misconceptions)``.

    A misconception may be a non-integer (a forgotten floor), matched within
    half a percent."""

    rtol: float = field(default=0.0, init=False)
    atol: float = field(default=0.0, init=False)
    kind: str = field(default="integer", init=False)

    def expected_json(self):
        return int(self.value)

    def close(self, received, expected=None):
        expected = float(self.value if expected is None else expected)
        slack = 1e-9 if float(expected).is_integer() else 5e-3 * abs(expected)
        return bool(np.ndim(received) == 0 and abs(float(received) - expected) <= slack)

    def check(self, text, lang):
        value, _ = _read_number(text)
        if not np.isfinite(value):
            return _invalid(MESSAGES[lang]["not-finite"])
        return _judge(self, value, lang)


@dataclass(frozen=True)
class Vector(_Numeric):
    """A vector of numbers: ``[1, 2]``, ``1 2``, ``(1, 2)`` or a column."""

    kind: str = field(default="vector", init=False)


@dataclass(frozen=True)
class Matrix(_Numeric):
    """A matrix of numbers: ``[[1, 2], [3, 4]]`` or ``[1 2; 3 4]``."""

    kind: str = field(default="matrix", init=False)


@dataclass(frozen=True)
class Eigenvector(_Numeric):
    """A unit eigenvector, right up to sign; for a matrix, each row is an
    eigenvector, each right up to its own sign. The right direction with the
    wrong length earns half the points and the advice to normalise."""

    kind: str = field(default="eigenvector", init=False)

    def close(self, received, expected=None):
        expected = _numeric(self.value if expected is None else expected)
        received = _numeric(received)
        if received.shape != expected.shape:
            return False
        return all(
            super(Eigenvector, self).close(got, want) or super(Eigenvector, self).close(got, -want)
            for got, want in zip(np.atleast_2d(received), np.atleast_2d(expected))
        )

    def check(self, text, lang):
        verdict = super().check(text, lang)
        if verdict.status != "incorrect" or verdict.misconception:
            return verdict
        rows = np.atleast_2d(_read_array(text, self.shape(), lang))
        lengths = np.linalg.norm(rows, axis=1, keepdims=True)
        if np.all(lengths > 0) and self.close((rows / lengths).reshape(self.shape())):
            return Verdict("incorrect", 0.5, MESSAGES[lang]["normalise"], "not-normalised")
        return verdict


@lru_cache(maxsize=1024)
def _sympy_function(expr, variables):
    """A numpy function of the variables that evaluates a sympy expression
    (one the project built, never student text)."""
    import sympy

    return sympy.lambdify([sympy.Symbol(v) for v in variables], expr, "numpy")


SAMPLE_POINTS = 48
MIN_VALID_POINTS = 8


@dataclass(frozen=True)
class Expression:
    """A formula in the declared variables, right when equivalent.

    ``expr`` is a sympy expression or a string in the answer grammar (read
    with the project's parser). Equivalence: equal values at random points
    inside ``domain`` (``{variable: (low, high)}``, default (-3, 3)), points
    where either side is undefined redrawn; a symbolic check under a time
    limit when too few points are defined.
    """

    expr: object
    variables: tuple
    domain: dict | None = None
    misconceptions: tuple = ()
    kind: str = field(default="expression", init=False)

    def shape(self):
        return ()

    def expected_json(self):
        return str(self.expr)

    def sympy(self, thing=None):
        """``expr`` (or another expression of this part) as sympy."""
        thing = self.expr if thing is None else thing
        if isinstance(thing, str):
            return to_sympy(parse(thing, self.variables))
        if isinstance(thing, tuple):
            return to_sympy(thing)
        return thing

    def _values(self, thing, points):
        if isinstance(thing, str):
            thing = parse(thing, self.variables)
        columns = dict(zip(self.variables, points))
        if isinstance(thing, tuple):
            values = evaluate(thing, columns)
        else:
            with np.errstate(all="ignore"):
                values = _sympy_function(thing, tuple(self.variables))(*points)
        with np.errstate(all="ignore"):
            values = np.asarray(values, dtype=complex)
        values = np.where(np.abs(values.imag) > 1e-12, np.nan, values.real)
        return np.broadcast_to(values, (points.shape[1],))

    def _points(self, rounds):
        rng = np.random.default_rng(rounds)
        ranges = [(self.domain or {}).get(v, (-3.0, 3.0)) for v in self.variables]
        low, high = (np.array(bound, dtype=float) for bound in zip(*ranges)) if ranges else ([], [])
        return rng.uniform(low, high, size=(SAMPLE_POINTS, len(self.variables))).T

    def close(self, received, expected=None):
        """Equivalence of two expressions of this part (trees, strings or sympy)."""
        expected = self.expr if expected is None else expected
        a_all, b_all = [], []
        for rounds in range(4):
            points = self._points(rounds)
            a, b = self._values(received, points), self._values(expected, points)
            defined = np.isfinite(a) & np.isfinite(b)
            a_all.append(a[defined])
            b_all.append(b[defined])
            if sum(len(x) for x in a_all) >= MIN_VALID_POINTS:
                a, b = np.concatenate(a_all), np.concatenate(b_all)
                scale = np.maximum(np.abs(b), 1.0)
                return bool(np.all(np.abs(a - b) <= 1e-7 * scale))
        return _symbolically_equal(self.sympy(received), self.sympy(expected), received)

    def check(self, text, lang):
        tree = parse(text, self.variables)
        verdict = _judge(self, tree, lang)
        if verdict.status == "incorrect" and not verdict.misconception:
            return Verdict("incorrect", 0.0, MESSAGES[lang]["not-equivalent"])
        return verdict


def _symbolically_equal(a, b, received, seconds=1.0):
    """sympy's verdict on a - b == 0 within a time limit; False when it cannot
    tell in time, or when the expression is too large to try."""
    import signal
    import threading

    import sympy

    if isinstance(received, tuple) and largest_exponent(received) > 64:
        return False
    if threading.current_thread() is not threading.main_thread():
        return False

    def stop(signum, frame):
        raise TimeoutError

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return bool(sympy.simplify(a - b) == 0)
    except TimeoutError:
        return False
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass(frozen=True)
class Choice:
    """One option out of several, chosen by its text, its letter (A, B, …) or
    its number (1, 2, …)."""

    options: tuple
    correct: str
    misconceptions: tuple = ()
    kind: str = field(default="choice", init=False)

    def shape(self):
        return ()

    def expected_json(self):
        return self.correct

    def close(self, received, expected=None):
        return str(received) == str(self.correct if expected is None else expected)

    def check(self, text, lang):
        # "B", B), b. and 「B」 all choose B.
        key = normalise(text).casefold().strip(" .)\"'“”‘’「」")
        for index, option in enumerate(self.options):
            names = {str(option).casefold(), chr(ord("a") + index), str(index + 1)}
            if key in names:
                return _judge(self, option, lang)
        return _invalid(MESSAGES[lang]["choice"].format(options=", ".join(map(str, self.options))))
