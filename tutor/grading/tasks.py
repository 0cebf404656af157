"""The gradable functions: for each, the reference, how to draw its test
cases, and how to compare what a submission returned.

Cases are drawn in the grading process from the assignment's seed; the
expected values are computed here with the reference and never leave this
process. Only the inputs go to the sandbox.
"""

import math
from dataclasses import dataclass, field

import numpy as np

from ..solutions import activations, conv, pca, rl, training, trees
from ..solutions import backprop as backprop_module


class WrongType:
    """A returned value of a type that does not count (the harness names it)."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"<{self.name}>"


@dataclass(frozen=True)
class Case:
    """One call of the student's function and how to judge it.

    ``judge(received)`` returns ``(score in [0, 1], message)``; ``received`` is
    the decoded return value, or ``Raised(name, message)`` when the call raised.
    """

    name: str
    args: tuple
    judge: object
    kwargs: dict = field(default_factory=dict)
    inputs_unchanged: bool = False


@dataclass(frozen=True)
class Raised:
    error: str  # "ValueError: message"

    @property
    def type_name(self):
        return self.error.split(":", 1)[0]


# --- decoding and comparing ---------------------------------------------------


def decode(value, depth=0):
    """The harness's tagged JSON as Python values, strictly: anything
    malformed or of another type becomes a WrongType. What comes back may be
    forged by the submission, so nothing here may raise."""
    try:
        return _decode(value, depth)
    except (OverflowError, ValueError, TypeError, RecursionError, MemoryError):
        return WrongType("malformed")


def _decode(value, depth):
    if not isinstance(value, dict) or len(value) not in (1, 3) or depth > 10:
        return WrongType("malformed")
    if "float" in value and isinstance(value["float"], (int, float)):
        return float(value["float"])
    if "int" in value and type(value["int"]) is int:
        return value["int"]
    if "ndarray" in value:
        try:
            array = np.array(value["ndarray"], dtype=float)
        except (TypeError, ValueError, OverflowError):
            return WrongType("malformed ndarray")
        if list(array.shape) != list(value.get("shape", [])):
            return WrongType("malformed ndarray")
        return array
    for name, kind in (("list", list), ("tuple", tuple)):
        if name in value and isinstance(value[name], list):
            return kind(_decode(v, depth + 1) for v in value[name])
    if "dict" in value and isinstance(value["dict"], dict):
        return {k: _decode(v, depth + 1) for k, v in value["dict"].items()}
    if "str" in value and isinstance(value["str"], str):
        return WrongType("str")
    if "wrong_type" in value:
        return WrongType(str(value["wrong_type"])[:80])
    return WrongType("malformed")


def as_numbers(value):
    """A number, array or (nested) list/tuple of numbers as a float array,
    or None when anything else is inside."""
    if isinstance(value, (bool, WrongType)):
        return None
    if isinstance(value, (int, float)):
        try:
            return np.array(float(value))
        except OverflowError:
            return None
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, (list, tuple)):
        parts = [as_numbers(v) for v in value]
        if any(p is None for p in parts):
            return None
        try:
            return np.array(parts, dtype=float)
        except ValueError:
            return None
    return None


def short(value, limit=160):
    """A value as text, arrays summarised, cut to ``limit`` characters."""
    if isinstance(value, (WrongType, Raised, str)):
        text = repr(value)
    elif isinstance(value, (list, tuple)) and any(isinstance(v, np.ndarray) for v in value):
        text = "[" + ", ".join(short(v, limit) for v in value) + "]"
    else:
        try:
            text = np.array2string(np.asarray(value), precision=6, threshold=20)
        except (TypeError, ValueError):
            text = repr(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def numeric(expected, rtol=1e-6, atol=1e-9):
    """Equal to the expected numbers, shape included, within the tolerance."""
    expected = np.asarray(expected, dtype=float)

    def judge(received):
        if isinstance(received, Raised):
            return 0.0, f"raised {received.error}"
        got = as_numbers(received)
        if got is None:
            return 0.0, f"returned {short(received)}, which is not a number or an array of numbers"
        if got.shape != expected.shape:
            return 0.0, f"shape {got.shape}, expected {expected.shape}"
        if not np.all(np.isfinite(got)) and not np.array_equal(np.isnan(got), np.isnan(expected)):
            return 0.0, f"returned non-finite values: {short(got)}"
        if np.allclose(got, expected, rtol=rtol, atol=atol):
            return 1.0, "passed"
        return 0.0, f"expected {short(expected)}, got {short(got)}"

    return judge


def exact_integer(expected):
    def judge(received):
        if isinstance(received, Raised):
            return 0.0, f"raised {received.error}"
        got = as_numbers(received)
        if got is None or got.shape != ():
            return 0.0, f"returned {short(received)}, expected a whole number"
        if float(got) == expected:
            return 1.0, "passed"
        return 0.0, f"expected {expected}, got {float(got):g}"

    return judge


def raises(error_name):
    def judge(received):
        if isinstance(received, Raised) and received.type_name == error_name:
            return 1.0, "passed"
        if isinstance(received, Raised):
            return 0.0, f"raised {received.error}, expected {error_name}"
        return 0.0, f"returned {short(received)}, expected it to raise {error_name}"

    return judge


def sequence_of(judges):
    """A list or tuple whose items each pass their own judge."""

    def judge(received):
        if isinstance(received, Raised):
            return 0.0, f"raised {received.error}"
        if not isinstance(received, (list, tuple)) or len(received) != len(judges):
            return 0.0, f"expected a sequence of {len(judges)} items, got {short(received)}"
        for index, (item, item_judge) in enumerate(zip(received, judges)):
            score, message = item_judge(item)
            if score < 1.0:
                return 0.0, f"item {index}: {message}"
        return 1.0, "passed"

    return judge


def rows_up_to_sign(expected, rtol=1e-5, atol=1e-7):
    """Eigenvectors as rows, each right up to its sign."""
    expected = np.asarray(expected, dtype=float)
    plain = numeric(expected, rtol, atol)

    def judge(received):
        score, message = plain(received)
        got = as_numbers(received) if not isinstance(received, Raised) else None
        if score == 1.0 or got is None or got.shape != expected.shape:
            return score, message
        for row, want in zip(np.atleast_2d(got), np.atleast_2d(expected)):
            if not (np.allclose(row, want, rtol, atol) or np.allclose(row, -want, rtol, atol)):
                return 0.0, f"expected rows {short(expected)} (up to sign), got {short(got)}"
        return 1.0, "passed"

    return judge


# --- drawing inputs ---------------------------------------------------------------


def random_labels(rng, n, classes):
    names = rng.choice(["yes", "no", "maybe", "cat", "dog", "bird"], size=classes, replace=False)
    if rng.random() < 0.5:
        names = np.arange(classes)
    return [names[i].item() for i in rng.integers(0, classes, size=n)]


# --- the tasks ------------------------------------------------------------------------


def sigmoid_grad_cases(rng, count, tolerance):
    cases = []
    for i in range(count):
        shape = [(), (int(rng.integers(1, 8)),), tuple(rng.integers(1, 5, size=2))][i % 3]
        x = rng.normal(0, 4, size=shape)
        cases.append(
            Case(f"random input #{i + 1}", (x,), numeric(activations.sigmoid_grad(x), **tolerance))
        )
    extremes = np.array([-1000.0, -40.0, 0.0, 40.0, 1000.0])
    cases.append(
        Case(
            "sigma at ±1000 (no overflow, no nan)",
            (extremes,),
            numeric(activations.sigmoid_grad(extremes), **tolerance),
        )
    )
    cases.append(
        Case("at 0 the slope is 1/4", (np.zeros(3),), numeric(np.full(3, 0.25), **tolerance))
    )
    return cases


def entropy_cases(rng, count, tolerance):
    cases = []
    for i in range(count):
        labels = random_labels(rng, int(rng.integers(2, 30)), int(rng.integers(2, 5)))
        base = [2, 2, math.e][i % 3]
        cases.append(
            Case(
                f"random labels #{i + 1}",
                (labels,),
                numeric(trees.entropy(labels, base), **tolerance),
                {"base": base},
            )
        )
    cases += [
        Case("pure node", (["a"] * 7,), numeric(0.0, **tolerance)),
        Case("two equal classes: 1 bit", ([0, 1, 0, 1],), numeric(1.0, **tolerance)),
        Case(
            "string labels",
            (["yes", "no", "no", "no"],),
            numeric(trees.entropy(["yes", "no", "no", "no"]), **tolerance),
        ),
        Case("one label", ([3],), numeric(0.0, **tolerance)),
    ]
    return cases


def information_gain_cases(rng, count, tolerance):
    cases = []
    for i in range(count):
        n = int(rng.integers(4, 30))
        labels = random_labels(rng, n, int(rng.integers(2, 4)))
        feature = random_labels(rng, n, int(rng.integers(2, 4)))
        expected = trees.information_gain(labels, feature)
        cases.append(
            Case(f"random split #{i + 1}", (labels, feature), numeric(expected, **tolerance))
        )
    income = ["high"] * 4 + ["low"] * 2 + ["high"] + ["low"] * 3
    education = ["higher"] * 6 + ["lower"] * 4
    cases += [
        Case(
            "the notes' 10-sample example",
            (income, education),
            numeric(trees.information_gain(income, education), **tolerance),
        ),
        Case(
            "a feature equal to the labels gains H(D)",
            ([0, 1, 1, 0], ["a", "b", "b", "a"]),
            numeric(1.0, **tolerance),
        ),
        Case(
            "a constant feature gains nothing", ([0, 1, 1, 0], ["x"] * 4), numeric(0.0, **tolerance)
        ),
    ]
    return cases


def _pca_judge(X, tolerance):
    eigenvalues, components = pca.pca(X)
    return sequence_of(
        [numeric(eigenvalues, **tolerance), rows_up_to_sign(components, **tolerance)]
    )


def pca_cases(rng, count, tolerance):
    cases = []
    for i in range(count):
        n, d = int(rng.integers(4, 12)), int(rng.integers(2, 4))
        while True:
            X = rng.normal(0, 1, (n, d)) @ rng.normal(0, 1, (d, d))
            values = np.sort(np.linalg.eigvalsh(np.cov(X, rowvar=False)))
            if np.all(np.diff(values) > 1e-3 * values[-1]):
                break
        cases.append(Case(f"random data #{i + 1}", (X,), _pca_judge(X, tolerance)))
    notes = np.array([[2.5, 2.4], [0.4, 0.7], [2.2, 2.9]])
    cases.append(
        Case("the notes' 3-point example (divide by n - 1)", (notes,), _pca_judge(notes, tolerance))
    )
    return cases


def backprop_deltas_cases(rng, count, tolerance):
    cases = []
    for i in range(count):
        sizes = rng.integers(1, 5, size=int(rng.integers(2, 5)))
        weights = [rng.normal(0, 1, (int(b), int(a))) for a, b in zip(sizes, sizes[1:])]
        biases = [rng.normal(0, 1, int(b)) for b in sizes[1:]]
        x, r = rng.normal(0, 1, int(sizes[0])), rng.uniform(0, 1, int(sizes[-1]))
        deltas = backprop_module.backprop_deltas(weights, biases, x, r)
        name = f"random network {'-'.join(map(str, sizes))} #{i + 1}"
        cases.append(
            Case(
                name,
                (weights, biases, x, r),
                sequence_of([numeric(d, **tolerance) for d in deltas]),
            )
        )
    # Finite differences of the loss in the biases: dL/db = delta, an oracle
    # independent of any backprop formula.
    weights = [rng.normal(0, 1, (3, 2)), rng.normal(0, 1, (2, 3))]
    biases = [rng.normal(0, 1, 3), rng.normal(0, 1, 2)]
    x, r = rng.normal(0, 1, 2), rng.uniform(0, 1, 2)
    cases.append(
        Case(
            "finite-difference gradient check",
            (weights, biases, x, r),
            sequence_of(
                [numeric(g, rtol=1e-4, atol=1e-7) for g in _bias_gradients(weights, biases, x, r)]
            ),
        )
    )
    return cases


def _bias_gradients(weights, biases, x, r, eps=1e-6):
    def loss(bs):
        _, activations_ = backprop_module.forward(weights, bs, x)
        return 0.5 * float(np.sum((activations_[-1] - r) ** 2))

    gradients = []
    for layer, b in enumerate(biases):
        grad = np.zeros_like(b)
        for j in range(b.size):
            up = [v.copy() for v in biases]
            down = [v.copy() for v in biases]
            up[layer][j] += eps
            down[layer][j] -= eps
            grad[j] = (loss(up) - loss(down)) / (2 * eps)
        gradients.append(grad)
    return gradients


def conv_output_size_cases(rng, count, tolerance):
    cases = []
    for _i in range(count):
        f = int(rng.choice([1, 2, 3, 5, 7]))
        p, s = int(rng.integers(0, 3)), int(rng.integers(1, 4))
        n = int(rng.integers(max(1, f - 2 * p), 65))
        cases.append(
            Case(
                f"n={n} f={f} p={p} s={s}",
                (n, f, p, s),
                exact_integer(conv.conv_output_size(n, f, p, s)),
            )
        )
    cases += [
        Case("32x32 RGB, 5x5 kernel (the +1 matters)", (32, 5, 0, 1), exact_integer(28)),
        Case("stride that does not divide: round down", (7, 3, 0, 2), exact_integer(3)),
        Case("same padding", (28, 3, 1, 1), exact_integer(28)),
        Case(
            "kernel larger than the padded input raises ValueError",
            (3, 5, 0, 1),
            raises("ValueError"),
        ),
        Case("stride 0 raises ValueError", (8, 3, 0, 0), raises("ValueError")),
    ]
    return cases


def q_update_cases(rng, count, tolerance):
    cases = []
    for i in range(count):
        states, actions = int(rng.integers(2, 6)), int(rng.integers(2, 5))
        Q = np.round(rng.normal(0, 2, (states, actions)), 2)
        s, a, s_next = (
            int(rng.integers(states)),
            int(rng.integers(actions)),
            int(rng.integers(states)),
        )
        r, alpha, gamma = (
            float(np.round(rng.normal(0, 2), 1)),
            float(rng.choice([0.1, 0.5, 1.0])),
            float(rng.choice([0.5, 0.9, 1.0])),
        )
        done = bool(i % 4 == 3)
        expected = rl.q_update(Q, s, a, r, s_next, alpha, gamma, done)
        label = "terminal transition" if done else "transition"
        cases.append(
            Case(
                f"{label} #{i + 1}",
                (Q, s, a, r, s_next, alpha, gamma),
                numeric(expected, **tolerance),
                {"done": done},
                inputs_unchanged=True,
            )
        )
    Q = np.array([[0.0, 0.0], [1.0, 5.0]])
    cases.append(
        Case(
            "the target uses the max of the next state, not another action",
            (Q, 0, 0, 1.0, 1, 0.5, 0.9),
            numeric(rl.q_update(Q, 0, 0, 1.0, 1, 0.5, 0.9), **tolerance),
            inputs_unchanged=True,
        )
    )
    return cases


def train_logistic_regression_cases(rng, count, tolerance):
    cases = []
    for i in range(count):
        n, d = int(rng.integers(4, 20)), int(rng.integers(1, 4))
        X = rng.normal(0, 1, (n, d))
        y = (X @ rng.normal(0, 1, d) + rng.normal(0, 0.5, n) > 0).astype(float)
        y[0], y[1] = 0.0, 1.0
        lr, epochs = float(rng.choice([0.05, 0.1, 0.5])), int(rng.integers(1, 30))
        w0 = rng.normal(0, 0.5, d) if i % 2 else None
        w, b, losses = training.train_logistic_regression(X, y, lr, epochs, w0=w0)
        kwargs = {} if w0 is None else {"w0": w0}
        judge = sequence_of(
            [numeric(w, **tolerance), numeric(b, **tolerance), numeric(losses, **tolerance)]
        )
        cases.append(
            Case(
                f"{n} samples, {d} features, {epochs} epochs #{i + 1}",
                (X, y, lr, epochs),
                judge,
                kwargs,
            )
        )
    return cases


def make_moons(n, noise, rng):
    """Two interleaved half circles with Gaussian noise; labels 0 and 1."""
    angle = rng.uniform(0, np.pi, n)
    label = rng.integers(0, 2, n)
    x = np.where(label == 0, np.cos(angle), 1 - np.cos(angle))
    y = np.where(label == 0, np.sin(angle), 0.5 - np.sin(angle))
    return np.column_stack([x, y]) + rng.normal(0, noise, (n, 2)), label


def accuracy_bar(y_test, full=0.9, none=0.7):
    """Full marks at an accuracy of ``full`` or more, none below ``none``,
    linear in between."""

    def judge(received):
        if isinstance(received, Raised):
            return 0.0, f"raised {received.error}"
        got = as_numbers(received)
        if got is None or got.shape != y_test.shape:
            return 0.0, f"expected {y_test.shape[0]} predicted labels, got {short(received)}"
        accuracy = float(np.mean(got == y_test))
        score = float(np.clip((accuracy - none) / (full - none), 0.0, 1.0))
        return score, f"accuracy {accuracy:.3f} on held-out points (full marks at {full})"

    return judge


def fit_predict_cases(rng, count, tolerance):
    cases = []
    for i in range(max(1, count)):
        X_train, y_train = make_moons(300, 0.2, rng)
        X_test, y_test = make_moons(300, 0.2, rng)
        cases.append(
            Case(
                f"two moons, noise 0.2, held-out set #{i + 1}",
                (X_train, y_train, X_test),
                accuracy_bar(y_test),
            )
        )
    return cases


@dataclass(frozen=True)
class TaskKind:
    reference: object
    draw: object  # (rng, count, tolerance) -> [Case]
    default_cases: int = 10
    tolerance: dict = field(default_factory=lambda: {"rtol": 1e-6, "atol": 1e-9})


TASK_KINDS = {
    "sigmoid_grad": TaskKind(activations.sigmoid_grad, sigmoid_grad_cases),
    "entropy": TaskKind(trees.entropy, entropy_cases),
    "information_gain": TaskKind(trees.information_gain, information_gain_cases),
    "pca": TaskKind(pca.pca, pca_cases, tolerance={"rtol": 1e-5, "atol": 1e-8}),
    "backprop_deltas": TaskKind(backprop_module.backprop_deltas, backprop_deltas_cases),
    "conv_output_size": TaskKind(conv.conv_output_size, conv_output_size_cases),
    "q_update": TaskKind(rl.q_update, q_update_cases),
    "train_logistic_regression": TaskKind(
        training.train_logistic_regression,
        train_logistic_regression_cases,
        tolerance={"rtol": 1e-5, "atol": 1e-8},
    ),
    "fit_predict": TaskKind(training.fit_predict, fit_predict_cases, default_cases=1),
}
