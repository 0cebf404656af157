"""Answer kinds: what a part of a problem expects, how close is close enough,
and the wrong answers students typically give (misconceptions).

A problem type declares each answer part with one of these kinds. They are
plain data: the right value, the tolerance and the misconceptions, each
misconception computed on the same parameters as the right value.
"""

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np


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


@dataclass(frozen=True)
class Number(_Numeric):
    """A real number."""

    kind: str = field(default="number", init=False)


@dataclass(frozen=True)
class Integer(_Numeric):
    """A whole number, right only when exact: ``Integer(value, misconceptions)``."""

    rtol: float = field(default=0.0, init=False)
    atol: float = field(default=0.0, init=False)
    kind: str = field(default="integer", init=False)

    def expected_json(self):
        return int(self.value)


@dataclass(frozen=True)
class Vector(_Numeric):
    """A vector of numbers."""

    kind: str = field(default="vector", init=False)


@dataclass(frozen=True)
class Matrix(_Numeric):
    """A matrix of numbers."""

    kind: str = field(default="matrix", init=False)


@dataclass(frozen=True)
class Eigenvector(_Numeric):
    """A unit eigenvector, right up to sign; for a matrix, each row is an
    eigenvector, each right up to its own sign."""

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


@lru_cache(maxsize=1024)
def _numeric_function(expr, variables):
    """A numpy function of the variables that evaluates a sympy expression."""
    import sympy

    return sympy.lambdify([sympy.Symbol(v) for v in variables], expr, "numpy")


@dataclass(frozen=True)
class Expression:
    """A formula in the declared variables, right when equivalent.

    ``expr`` is a sympy expression built by the problem type (never parsed
    from text here).
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

    def close(self, received, expected=None, points=16, seed=0):
        """Numerical equivalence at points drawn inside the domain."""
        expected = self.expr if expected is None else expected
        f = _numeric_function(expected, tuple(self.variables))
        g = _numeric_function(received, tuple(self.variables))
        rng = np.random.default_rng(seed)
        low, high = zip(*[(self.domain or {}).get(v, (-2.0, 2.0)) for v in self.variables])
        sample = rng.uniform(low, high, size=(points, len(self.variables))).T
        with np.errstate(all="ignore"):
            a = np.broadcast_to(np.asarray(f(*sample), dtype=float), (points,))
            b = np.broadcast_to(np.asarray(g(*sample), dtype=float), (points,))
        ok = np.isfinite(a) & np.isfinite(b)
        return bool(ok.any() and np.allclose(a[ok], b[ok], rtol=1e-6, atol=1e-9))


@dataclass(frozen=True)
class Choice:
    """One option out of several."""

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
