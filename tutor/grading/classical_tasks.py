"""The gradable functions of the classical chapters: losses, optimisers,
linear classifiers, Bayes, neighbours, trees.

Each task has random differential cases against the reference, edge cases
the course dwells on (ties, zero vectors, points exactly on the margin), and
property cases judged by a law the answer must obey rather than by the
reference's numbers (symmetry, scale invariance, a closed form).
"""

import math

import numpy as np

from ..solutions import bayes, classifiers, linear, neighbours, optimizers, perceptron, trees
from .tasks import (
    Case,
    Raised,
    TaskKind,
    as_numbers,
    exact_integer,
    numeric,
    raises,
    random_labels,
    sequence_of,
    short,
)


def _rounded(rng, shape, scale=2.0, decimals=1):
    return np.round(rng.normal(0, scale, shape), decimals)


def _within(check, description):
    """A judge for a single number that must satisfy ``check``."""

    def judge(received):
        if isinstance(received, Raised):
            return 0.0, f"raised {received.error}"
        got = as_numbers(received)
        if got is None or got.shape != ():
            return 0.0, f"returned {short(received)}, expected one number"
        if check(float(got)):
            return 1.0, "passed"
        return 0.0, f"returned {float(got):g}, but {description}"

    return judge


# --- normal_equation ------------------------------------------------------------


def normal_equation_cases(rng, count, tolerance):
    cases = []
    for i in range(count):
        n, d = int(rng.integers(3, 12)), int(rng.integers(1, 4))
        X = _rounded(rng, (n, d))
        r = _rounded(rng, n, 3.0)
        ridge = [0.0, 0.5, 2.0][i % 3]
        if ridge == 0.0 and n < d + 2:
            X = _rounded(rng, (d + 2, d))
            r = _rounded(rng, d + 2, 3.0)
        expected = linear.normal_equation(X, r, ridge)
        cases.append(
            Case(
                f"{len(r)} samples, {d} features, ridge {ridge} #{i + 1}",
                (X, r),
                numeric(expected, **tolerance),
                {"ridge": ridge},
                inputs_unchanged=True,
            )
        )
    # Points exactly on a line: least squares recovers it, bias first.
    x = np.array([0.0, 1.0, 2.0, 3.0])
    cases.append(
        Case(
            "points on r = 1 + 2x: weights [1, 2]", (x, 1 + 2 * x), numeric([1.0, 2.0], **tolerance)
        )
    )
    # The ridge solution solves (X'X + λI)w = X'r, bias column included.
    X = np.array([[1.0], [2.0], [4.0]])
    r = np.array([2.0, 3.0, 7.0])
    design = np.column_stack([np.ones(3), X])
    ridge_w = np.linalg.solve(design.T @ design + np.eye(2), design.T @ r)
    cases.append(
        Case(
            "ridge 1 penalises the bias as well",
            (X, r),
            numeric(ridge_w, **tolerance),
            {"ridge": 1.0},
        )
    )
    cases.append(
        Case(
            "one sample, two parameters, no ridge: singular, raises ValueError",
            (np.array([[1.0]]), np.array([2.0])),
            raises("ValueError"),
        )
    )
    return cases


# --- softmax_cross_entropy -------------------------------------------------------


def softmax_cross_entropy_cases(rng, count, tolerance):
    cases = []
    for i in range(count):
        k = int(rng.integers(2, 6))
        if i % 2:
            logits, labels = _rounded(rng, k), int(rng.integers(k))
            name = f"{k} logits, one label #{i + 1}"
        else:
            n = int(rng.integers(2, 8))
            logits, labels = _rounded(rng, (n, k)), rng.integers(0, k, n)
            name = f"batch of {n}, {k} classes (mean) #{i + 1}"
        expected = classifiers.softmax_cross_entropy(logits, labels)
        cases.append(Case(name, (logits, labels), numeric(expected, **tolerance)))
    big = np.array([1000.0, 0.0, -1000.0])
    cases += [
        Case(
            "logits of ±1000: no overflow, loss 0 on the winner",
            (big, 0),
            numeric(0.0, **tolerance),
        ),
        Case("logits of ±1000: loss 1000 one class down", (big, 1), numeric(1000.0, **tolerance)),
        Case(
            "equal logits: ln K",
            (np.zeros(4), 2),
            numeric(math.log(4), **tolerance),
        ),
        Case(
            "shifting every logit changes nothing",
            (np.array([3.5, 1.5, 2.5]) + 100.0, 1),
            numeric(-math.log(math.exp(1.5) / sum(map(math.exp, [3.5, 1.5, 2.5]))), **tolerance),
        ),
    ]
    return cases


# --- adam_step ---------------------------------------------------------------------


def adam_step_cases(rng, count, tolerance):
    cases = []
    for i in range(count):
        d = int(rng.integers(1, 5))
        theta, grad = _rounded(rng, d), _rounded(rng, d)
        t = int(rng.integers(1, 20))
        m = np.zeros(d) if t == 1 else _rounded(rng, d, 0.5, 3)
        v = np.zeros(d) if t == 1 else np.abs(_rounded(rng, d, 0.5, 3))
        lr = float(rng.choice([0.001, 0.01, 0.1]))
        expected = optimizers.adam_step(theta, grad, m, v, t, lr)
        cases.append(
            Case(
                f"step {t}, {d} parameters, lr {lr} #{i + 1}",
                (theta, grad, m, v, t),
                sequence_of([numeric(e, **tolerance) for e in expected]),
                {"lr": lr},
                inputs_unchanged=True,
            )
        )
    # On the first step the bias correction makes the move lr·g/(|g| + eps),
    # whatever the size of g.
    g = np.array([4.0, -0.01, 0.0])
    first = np.array([-0.1, 0.1, 0.0]) * (np.abs(g) / (np.abs(g) + 1e-8))
    cases.append(
        Case(
            "first step: the bias-corrected move is lr·sign(g)",
            (np.zeros(3), g, np.zeros(3), np.zeros(3), 1),
            sequence_of(
                [
                    numeric(first, **tolerance),
                    numeric(0.1 * g, **tolerance),
                    numeric(0.001 * g**2, **tolerance),
                ]
            ),
            {"lr": 0.1},
        )
    )
    theta = np.array([0.5, -2.0])
    cases.append(
        Case(
            "no gradient and no momentum: nothing moves",
            (theta, np.zeros(2), np.zeros(2), np.zeros(2), 3),
            sequence_of([numeric(v, **tolerance) for v in (theta, np.zeros(2), np.zeros(2))]),
        )
    )
    cases.append(
        Case(
            "step number 0 raises ValueError (t counts from 1)",
            (np.zeros(2), np.ones(2), np.zeros(2), np.zeros(2), 0),
            raises("ValueError"),
        )
    )
    return cases


# --- perceptron_update ---------------------------------------------------------------


def perceptron_update_cases(rng, count, tolerance):
    cases = []
    for i in range(count):
        d = int(rng.integers(1, 4))
        w, w0 = _rounded(rng, d, 1.0), float(_rounded(rng, (), 1.0))
        x, r = _rounded(rng, d, 2.0), int(rng.choice([-1, 1]))
        lr = float(rng.choice([1.0, 0.5, 0.1]))
        expected = perceptron.perceptron_update(w, w0, x, r, lr)
        wrong = r * (w @ x + w0) <= 0
        cases.append(
            Case(
                f"{'misclassified' if wrong else 'correct'} point, lr {lr} #{i + 1}",
                (w, w0, x, r),
                sequence_of([numeric(e, **tolerance) for e in expected]),
                {"lr": lr},
                inputs_unchanged=True,
            )
        )
    cases += [
        Case(
            "a point on the boundary counts as a mistake",
            (np.array([1.0, -1.0]), 0.0, np.array([2.0, 2.0]), 1),
            sequence_of([numeric([3.0, 1.0], **tolerance), numeric(1.0, **tolerance)]),
        ),
        Case(
            "a correctly classified point leaves w unchanged",
            (np.array([1.0, 1.0]), -1.0, np.array([2.0, 2.0]), 1),
            sequence_of([numeric([1.0, 1.0], **tolerance), numeric(-1.0, **tolerance)]),
        ),
        Case(
            "a negative point moves w away from it",
            (np.array([1.0, 0.0]), 0.5, np.array([1.0, 3.0]), -1),
            sequence_of([numeric([0.0, -3.0], **tolerance), numeric(-0.5, **tolerance)]),
        ),
    ]
    return cases


# --- naive_bayes_posterior -------------------------------------------------------------


def _categorical_table(rng, n, d):
    values = [["a", "b", "c"][: int(rng.integers(2, 4))] for _ in range(d)]
    X = [[str(rng.choice(v)) for v in values] for _ in range(n)]
    x = [str(rng.choice(v)) for v in values]
    return X, x


def _probabilities(k):
    """Posteriors must be k probabilities that sum to 1."""

    def judge(received):
        if isinstance(received, Raised):
            return 0.0, f"raised {received.error}"
        got = as_numbers(received)
        if got is None or got.shape != (k,):
            return 0.0, f"returned {short(received)}, expected {k} posteriors"
        if np.all(got >= 0) and math.isclose(float(np.sum(got)), 1.0, rel_tol=1e-9):
            return 1.0, "passed"
        return 0.0, f"posteriors {short(got)} are not probabilities summing to 1"

    return judge


def naive_bayes_posterior_cases(rng, count, tolerance):
    cases = []
    for i in range(count):
        n, d = int(rng.integers(5, 15)), int(rng.integers(1, 4))
        X, x = _categorical_table(rng, n, d)
        y = [int(c) for c in rng.integers(0, int(rng.integers(2, 4)), n)]
        alpha = [1.0, 1.0, 0.5][i % 3]
        expected = bayes.naive_bayes_posterior(X, y, x, alpha)
        cases.append(
            Case(
                f"{n} rows, {d} features, alpha {alpha} #{i + 1}",
                (X, y, x),
                numeric(expected, **tolerance),
                {"alpha": alpha},
            )
        )
    # A value never seen with class 1: Laplace smoothing with |V| = 2 in the
    # denominator, not the notes' +1. Counted by hand:
    # P(0) = 3/5, P(x=s | 0) = (2+1)/(3+2); P(1) = 2/5, P(x=s | 1) = (0+1)/(2+2).
    X = [["s"], ["s"], ["t"], ["t"], ["t"]]
    y = [0, 0, 0, 1, 1]
    scores = np.array([3 / 5 * 3 / 5, 2 / 5 * 1 / 4])
    cases.append(
        Case(
            "unseen value: Laplace smoothing over the feature's 2 values",
            (X, y, ["s"]),
            numeric(scores / scores.sum(), **tolerance),
        )
    )
    # A feature spread alike in both classes tells nothing: the prior stays.
    cases.append(
        Case(
            "an uninformative feature leaves the priors 1/3 and 2/3",
            ([["a"], ["b"], ["a"], ["b"], ["a"], ["b"]], [0, 0, 1, 1, 1, 1], ["a"]),
            numeric([1 / 3, 2 / 3], **tolerance),
        )
    )
    X, x = _categorical_table(rng, 40, 30)
    y = [int(c) for c in rng.integers(0, 3, 40)]
    cases.append(Case("30 features: posteriors stay probabilities", (X, y, x), _probabilities(3)))
    return cases


# --- distances and k-NN -----------------------------------------------------------------


def minkowski_distance_cases(rng, count, tolerance):
    cases = []
    for i in range(count):
        d = int(rng.integers(1, 6))
        a, b = _rounded(rng, d), _rounded(rng, d)
        p = [1, 2, 3, 1.5][i % 4]
        cases.append(
            Case(
                f"p = {p}, {d} dimensions #{i + 1}",
                (a, b),
                numeric(neighbours.minkowski_distance(a, b, p), **tolerance),
                {"p": p},
            )
        )
    a, b = np.array([1.0, -2.0, 3.0]), np.array([4.0, 2.0, 3.0])
    cases += [
        Case("Euclidean: the 3-4-5 triangle", (a, b), numeric(5.0, **tolerance)),
        Case("Manhattan adds absolute differences", (a, b), numeric(7.0, **tolerance), {"p": 1}),
        Case(
            "p = inf is the largest difference", (a, b), numeric(4.0, **tolerance), {"p": math.inf}
        ),
        Case("the distance of a point to itself is 0", (a, a), numeric(0.0, **tolerance), {"p": 3}),
        Case("p < 1 raises ValueError", (a, b), raises("ValueError"), {"p": 0.5}),
    ]
    return cases


def cosine_similarity_cases(rng, count, tolerance):
    cases = []
    for i in range(count):
        d = int(rng.integers(2, 6))
        a, b = _rounded(rng, d), _rounded(rng, d)
        if not (np.any(a) and np.any(b)):
            a, b = a + 1.0, b - 1.0
        cases.append(
            Case(
                f"{d} dimensions #{i + 1}",
                (a, b),
                numeric(neighbours.cosine_similarity(a, b), **tolerance),
            )
        )
    a = _rounded(rng, 4) + 0.5
    cases += [
        Case("a vector and 3 times itself: 1", (a, 3 * a), numeric(1.0, **tolerance)),
        Case("opposite vectors: -1", (a, -0.5 * a), numeric(-1.0, **tolerance)),
        Case(
            "orthogonal vectors: 0",
            (np.array([1.0, 2.0]), np.array([-2.0, 1.0])),
            numeric(0.0, **tolerance),
        ),
        Case(
            "any two vectors: between -1 and 1",
            (_rounded(rng, 6), _rounded(rng, 6) + 0.1),
            _within(lambda v: -1 - 1e-12 <= v <= 1 + 1e-12, "a cosine lies in [-1, 1]"),
        ),
        Case("a zero vector raises ValueError", (np.zeros(3), a[:3]), raises("ValueError")),
    ]
    return cases


def knn_predict_cases(rng, count, tolerance):
    cases = []
    for i in range(count):
        n, d = int(rng.integers(5, 15)), int(rng.integers(1, 4))
        X = rng.integers(-5, 6, (n, d)).astype(float)
        y = [int(c) for c in rng.integers(0, 3, n)]
        x = rng.integers(-5, 6, d).astype(float)
        k, p = int(rng.choice([1, 3, 4, 5])), [2, 1][i % 2]
        cases.append(
            Case(
                f"{n} points, k = {k}, p = {p} #{i + 1}",
                (X, y, x, k),
                exact_integer(neighbours.knn_predict(X, y, x, k, p)),
                {"p": p},
            )
        )
    X = np.array([[0.0, 1.0], [0.0, -2.0], [3.0, 0.0], [0.0, 3.5]])
    cases += [
        Case(
            "k = 2, one vote each: the class of the nearer point wins",
            (X, [7, 4, 4, 7], np.zeros(2), 2),
            exact_integer(7),
        ),
        Case(
            "k = 3: the majority beats the nearest point",
            (X, [7, 4, 4, 7], np.zeros(2), 3),
            exact_integer(4),
        ),
        Case(
            "Manhattan and Euclidean disagree on the nearest point",
            (np.array([[2.0, 2.0], [0.0, 3.0]]), [1, 2], np.zeros(2), 1),
            exact_integer(1),
            {"p": 2},
        ),
        Case(
            "Manhattan: the other point is nearer",
            (np.array([[2.0, 2.0], [0.0, 3.0]]), [1, 2], np.zeros(2), 1),
            exact_integer(2),
            {"p": 1},
        ),
        Case(
            "k larger than the data raises ValueError",
            (X, [1, 2, 3, 4], np.zeros(2), 5),
            raises("ValueError"),
        ),
    ]
    return cases


# --- hinge loss -------------------------------------------------------------------------------


def _svm_problem(rng):
    n, d = int(rng.integers(3, 10)), int(rng.integers(1, 4))
    X = _rounded(rng, (n, d))
    r = rng.choice([-1, 1], n)
    w, w0 = _rounded(rng, d, 1.0), float(_rounded(rng, (), 1.0))
    if np.any(np.abs(r * (X @ w + w0) - 1) < 1e-3):
        # A point on the kink at 1: finite differences would straddle it.
        return _svm_problem(rng)
    return w, w0, X, r


def hinge_loss_cases(rng, count, tolerance):
    cases = []
    for i in range(count):
        w, w0, X, r = _svm_problem(rng)
        lam = [0.0, 0.1, 1.0][i % 3]
        cases.append(
            Case(
                f"{len(r)} points, lambda {lam} #{i + 1}",
                (w, w0, X, r),
                numeric(classifiers.hinge_loss(w, w0, X, r, lam), **tolerance),
                {"lam": lam},
            )
        )
    X = np.array([[2.0, 0.0], [0.5, 0.0], [-1.0, 0.0]])
    cases += [
        Case(
            "outside, inside and beyond the margin: (0 + 0.5 + 2)/3",
            (np.array([1.0, 0.0]), 0.0, X, np.array([1, 1, 1])),
            numeric(2.5 / 3, **tolerance),
        ),
        Case(
            "the regulariser lambda/2·|w|^2 is added",
            (np.array([3.0, 4.0]), 0.0, np.array([[1.0, 1.0]]), np.array([1])),
            numeric(0.0 + 0.5 * 0.2 * 25, **tolerance),
            {"lam": 0.2},
        ),
        Case(
            "a point exactly on the margin costs nothing",
            (np.array([1.0]), 0.0, np.array([[1.0]]), np.array([1])),
            numeric(0.0, **tolerance),
        ),
    ]
    return cases


def hinge_subgradient_cases(rng, count, tolerance):
    cases = []
    for i in range(count):
        w, w0, X, r = _svm_problem(rng)
        lam = [0.0, 0.1, 1.0][i % 3]
        expected = classifiers.hinge_subgradient(w, w0, X, r, lam)
        cases.append(
            Case(
                f"{len(r)} points, lambda {lam} #{i + 1}",
                (w, w0, X, r),
                sequence_of([numeric(e, **tolerance) for e in expected]),
                {"lam": lam},
                inputs_unchanged=True,
            )
        )
    # Finite differences of the loss, away from the kinks: an oracle that
    # knows nothing of subgradients.
    w, w0, X, r = _svm_problem(rng)
    h = 1e-6
    loss = lambda w_, w0_: classifiers.hinge_loss(w_, w0_, X, r, 0.5)  # noqa: E731
    grad_w = [(loss(w + h * e, w0) - loss(w - h * e, w0)) / (2 * h) for e in np.eye(len(w))]
    grad_w0 = (loss(w, w0 + h) - loss(w, w0 - h)) / (2 * h)
    cases += [
        Case(
            "finite-difference check",
            (w, w0, X, r),
            sequence_of(
                [numeric(grad_w, rtol=1e-5, atol=1e-6), numeric(grad_w0, rtol=1e-5, atol=1e-6)]
            ),
            {"lam": 0.5},
        ),
        Case(
            "every point outside the margin: only the regulariser, lambda·w",
            (np.array([2.0, -1.0]), 0.0, np.array([[3.0, 0.0], [-3.0, 0.0]]), np.array([1, -1])),
            sequence_of([numeric([0.2, -0.1], **tolerance), numeric(0.0, **tolerance)]),
            {"lam": 0.1},
        ),
        Case(
            "a point exactly on the margin does not count",
            (np.array([1.0]), 0.0, np.array([[1.0], [0.5]]), np.array([1, 1])),
            sequence_of([numeric([-0.25], **tolerance), numeric(-0.5, **tolerance)]),
        ),
    ]
    return cases


# --- gini_split ---------------------------------------------------------------------------------


def gini_split_cases(rng, count, tolerance):
    cases = []
    for i in range(count):
        n = int(rng.integers(4, 30))
        labels = random_labels(rng, n, int(rng.integers(2, 4)))
        feature = random_labels(rng, n, int(rng.integers(2, 4)))
        cases.append(
            Case(
                f"random split #{i + 1}",
                (labels, feature),
                numeric(trees.gini_split(labels, feature), **tolerance),
            )
        )
    # The notes' 10 people: 4 high/2 low with higher education, 1/3 without.
    income = ["high"] * 4 + ["low"] * 2 + ["high"] + ["low"] * 3
    education = ["higher"] * 6 + ["lower"] * 4
    notes = 0.6 * (1 - (4 / 6) ** 2 - (2 / 6) ** 2) + 0.4 * (1 - (1 / 4) ** 2 - (3 / 4) ** 2)
    cases += [
        Case("the notes' 10-sample example", (income, education), numeric(notes, **tolerance)),
        Case(
            "a feature equal to the labels: pure children, 0",
            ([0, 1, 2, 0, 1], ["a", "b", "c", "a", "b"]),
            numeric(0.0, **tolerance),
        ),
        Case(
            "a constant feature keeps the parent's impurity",
            ([0, 1, 1, 1], ["x"] * 4),
            numeric(1 - 0.25**2 - 0.75**2, **tolerance),
        ),
    ]
    return cases


TASK_KINDS = {
    "normal_equation": TaskKind(linear.normal_equation, normal_equation_cases),
    "softmax_cross_entropy": TaskKind(
        classifiers.softmax_cross_entropy, softmax_cross_entropy_cases
    ),
    "adam_step": TaskKind(optimizers.adam_step, adam_step_cases),
    "perceptron_update": TaskKind(perceptron.perceptron_update, perceptron_update_cases),
    "naive_bayes_posterior": TaskKind(bayes.naive_bayes_posterior, naive_bayes_posterior_cases),
    "minkowski_distance": TaskKind(neighbours.minkowski_distance, minkowski_distance_cases),
    "cosine_similarity": TaskKind(neighbours.cosine_similarity, cosine_similarity_cases),
    "knn_predict": TaskKind(neighbours.knn_predict, knn_predict_cases),
    "hinge_loss": TaskKind(classifiers.hinge_loss, hinge_loss_cases),
    "hinge_subgradient": TaskKind(classifiers.hinge_subgradient, hinge_subgradient_cases),
    "gini_split": TaskKind(trees.gini_split, gini_split_cases),
}
