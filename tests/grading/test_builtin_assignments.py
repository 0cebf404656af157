"""The built-in assignments graded end to end through the sandbox: the
reference solution gets every point, the starter none, and realistic wrong
submissions lose exactly the tests where their mistake changes the answer.

What each wrong submission should score is worked out here, in-process, by
calling the wrong function on every case's inputs and judging what it returns;
the sandboxed grader must agree test by test.
"""

import copy
import inspect
import math
import re
import types

import numpy as np
import pytest

from tutor.grading import assignments, runner, starter
from tutor.grading.submissions import Submission
from tutor.grading.tasks import Raised
from tutor.solutions import conv

BUILT_IN = {name: assignments.load(name) for name in ("core", "classical", "deep")}
TASKS = {task.function: task for a in BUILT_IN.values() for task in a.tasks}
INPUT_CHANGED = "the function changed its input; it must return a new value"

# Each wrong version is what a student plausibly writes; it replaces the
# reference function of the same name, so the rest of the file stays right.
WRONG = {
    "natural_log_entropy": (
        "core",
        "entropy",
        """
def entropy(labels, base=2):
    values, counts = np.unique(np.asarray(labels), return_counts=True)
    p = counts / counts.sum()
    return float(-np.sum(p * np.log(p)))
""",
    ),
    "pca_divides_by_n": (
        "core",
        "pca",
        """
def pca(X, k=None):
    X = np.asarray(X, dtype=float)
    centred = X - X.mean(axis=0)
    S = centred.T @ centred / X.shape[0]
    eigenvalues, eigenvectors = np.linalg.eigh(S)
    order = np.argsort(eigenvalues)[::-1]
    return eigenvalues[order], eigenvectors[:, order].T
""",
    ),
    "backprop_without_sigma_prime": (
        "core",
        "backprop_deltas",
        """
def backprop_deltas(weights, biases, x, r):
    _, activations = forward(weights, biases, x)
    deltas = [activations[-1] - np.asarray(r, dtype=float)]
    for W in weights[:0:-1]:
        deltas.append(np.asarray(W).T @ deltas[-1])
    return deltas[::-1]
""",
    ),
    "conv_without_plus_one": (
        "core",
        "conv_output_size",
        """
def conv_output_size(n, f, p=0, s=1):
    if s < 1 or f > n + 2 * p:
        raise ValueError("impossible convolution settings")
    return (n + 2 * p - f) // s
""",
    ),
    "sarsa_target": (
        "core",
        "q_update",
        """
def q_update(Q, s, a, r, s_next, alpha, gamma, done=False):
    Q = np.array(Q, dtype=float)
    target = r if done else r + gamma * Q[s_next, a]
    Q[s, a] += alpha * (target - Q[s, a])
    return Q
""",
    ),
    "in_place_q_update": (
        "core",
        "q_update",
        """
def q_update(Q, s, a, r, s_next, alpha, gamma, done=False):
    target = r if done else r + gamma * np.max(Q[s_next])
    Q[s, a] += alpha * (target - Q[s, a])
    return Q
""",
    ),
    "gradient_ascent_logistic_regression": (
        "core",
        "train_logistic_regression",
        """
def train_logistic_regression(X, y, lr, epochs, w0=None, b0=0.0):
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    w = np.zeros(X.shape[1]) if w0 is None else np.array(w0, dtype=float)
    b = float(b0)
    losses = []
    for _ in range(epochs):
        p = 1.0 / (1.0 + np.exp(-(X @ w + b)))
        losses.append(float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))))
        w = w + lr * X.T @ (p - y) / len(y)
        b = b + lr * float(np.mean(p - y))
    return w, b, losses
""",
    ),
    # classical
    "normal_equation_without_bias": (
        "classical",
        "normal_equation",
        """
def normal_equation(X, r, ridge=0.0):
    X = np.asarray(X, dtype=float)
    X = X[:, None] if X.ndim == 1 else X
    return np.linalg.solve(X.T @ X + ridge * np.eye(X.shape[1]), X.T @ np.asarray(r))
""",
    ),
    "softmax_cross_entropy_without_shift": (
        "classical",
        "softmax_cross_entropy",
        """
def softmax_cross_entropy(logits, labels):
    logits = np.atleast_2d(np.asarray(logits, dtype=float))
    labels = np.atleast_1d(labels)
    e = np.exp(logits)
    p = e / e.sum(axis=1, keepdims=True)
    return float(-np.mean(np.log(p[np.arange(len(labels)), labels])))
""",
    ),
    "adam_without_bias_correction": (
        "classical",
        "adam_step",
        """
def adam_step(theta, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    if t < 1:
        raise ValueError("t counts from 1")
    m = beta1 * np.asarray(m, dtype=float) + (1 - beta1) * np.asarray(grad)
    v = beta2 * np.asarray(v, dtype=float) + (1 - beta2) * np.asarray(grad) ** 2
    return np.asarray(theta) - lr * m / (np.sqrt(v) + eps), m, v
""",
    ),
    "perceptron_strict_inequality": (
        "classical",
        "perceptron_update",
        """
def perceptron_update(w, w0, x, r, lr=1.0):
    w, x = np.asarray(w, dtype=float), np.asarray(x, dtype=float)
    if r * (w @ x + w0) < 0:
        return w + lr * r * x, float(w0 + lr * r)
    return w.copy(), float(w0)
""",
    ),
    "naive_bayes_plus_one_denominator": (
        "classical",
        "naive_bayes_posterior",
        """
def naive_bayes_posterior(X, y, x, alpha=1.0):
    classes = sorted(set(y))
    scores = []
    for c in classes:
        rows = [row for row, label in zip(X, y) if label == c]
        score = len(rows) / len(y)
        for j, value in enumerate(x):
            seen = sum(1 for row in rows if row[j] == value)
            score *= (seen + alpha) / (len(rows) + alpha)
        scores.append(score)
    return np.array(scores) / sum(scores)
""",
    ),
    "minkowski_without_abs": (
        "classical",
        "minkowski_distance",
        """
def minkowski_distance(a, b, p=2):
    if p < 1:
        raise ValueError("p must be at least 1")
    d = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    if p == math.inf:
        return float(np.max(np.abs(d)))
    return float(np.sum(d**p) ** (1 / p))
""",
    ),
    "cosine_as_dot_product": (
        "classical",
        "cosine_similarity",
        """
def cosine_similarity(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if not (np.any(a) and np.any(b)):
        raise ValueError("zero vector")
    return float(a @ b)
""",
    ),
    "knn_ties_to_smallest_label": (
        "classical",
        "knn_predict",
        """
def knn_predict(X_train, y_train, x, k, p=2):
    X_train = np.asarray(X_train, dtype=float)
    if not 1 <= k <= len(X_train):
        raise ValueError("k out of range")
    d = np.sum(np.abs(X_train - np.asarray(x, dtype=float)) ** p, axis=1)
    nearest = [y_train[i] for i in np.argsort(d, kind="stable")[:k]]
    labels, counts = np.unique(nearest, return_counts=True)
    return labels[np.argmax(counts)].item()
""",
    ),
    "hinge_loss_without_regulariser": (
        "classical",
        "hinge_loss",
        """
def hinge_loss(w, w0, X, r, lam=0.0):
    f = np.asarray(X, dtype=float) @ np.asarray(w, dtype=float) + w0
    return float(np.mean(np.maximum(0.0, 1.0 - np.asarray(r) * f)))
""",
    ),
    "hinge_subgradient_counts_the_margin": (
        "classical",
        "hinge_subgradient",
        """
def hinge_subgradient(w, w0, X, r, lam=0.0):
    X, r, w = np.asarray(X, dtype=float), np.asarray(r, dtype=float), np.asarray(w, dtype=float)
    active = r * (X @ w + w0) <= 1
    g_w = -(r[active] @ X[active]) / len(r) + lam * w
    return g_w, float(-np.sum(r[active]) / len(r))
""",
    ),
    "gini_split_unweighted": (
        "classical",
        "gini_split",
        """
def gini_split(labels, feature):
    groups = {}
    for label, value in zip(labels, feature):
        groups.setdefault(value, []).append(label)
    impurities = []
    for members in groups.values():
        _, counts = np.unique(np.asarray(members), return_counts=True)
        p = counts / counts.sum()
        impurities.append(1.0 - float(np.sum(p**2)))
    return float(np.mean(impurities))
""",
    ),
    # deep
    "softmax_without_shift": (
        "deep",
        "softmax",
        """
def softmax(z, axis=-1):
    e = np.exp(np.asarray(z, dtype=float))
    return e / np.sum(e, axis=axis, keepdims=True)
""",
    ),
    "softmax_over_the_whole_array": (
        "deep",
        "softmax",
        """
def softmax(z, axis=-1):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - np.max(z))
    return e / np.sum(e)
""",
    ),
    "attention_without_scaling": (
        "deep",
        "scaled_dot_product_attention",
        """
def scaled_dot_product_attention(Q, K, V, mask=None):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    scores = Q @ K.T
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    e = np.exp(scores - np.max(scores, axis=-1, keepdims=True))
    weights = e / np.sum(e, axis=-1, keepdims=True)
    return weights @ V, weights
""",
    ),
    "attention_scaled_by_d": (
        "deep",
        "scaled_dot_product_attention",
        """
def scaled_dot_product_attention(Q, K, V, mask=None):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    scores = Q @ K.T / K.shape[1]
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    e = np.exp(scores - np.max(scores, axis=-1, keepdims=True))
    weights = e / np.sum(e, axis=-1, keepdims=True)
    return weights @ V, weights
""",
    ),
    "conv2d_flips_the_kernel": (
        "deep",
        "conv2d",
        """
def conv2d(x, kernel, padding=0, stride=1):
    x = np.pad(np.asarray(x, dtype=float), padding)
    kernel = np.asarray(kernel, dtype=float)[::-1, ::-1]
    fh, fw = kernel.shape
    if fh > x.shape[0] or fw > x.shape[1]:
        raise ValueError("the kernel is larger than the padded input")
    rows, cols = (x.shape[0] - fh) // stride + 1, (x.shape[1] - fw) // stride + 1
    out = np.zeros((rows, cols))
    for i in range(rows):
        for j in range(cols):
            window = x[i * stride : i * stride + fh, j * stride : j * stride + fw]
            out[i, j] = np.sum(window * kernel)
    return out
""",
    ),
    "max_pool_stride_1_by_default": (
        "deep",
        "max_pool",
        """
def max_pool(x, size, stride=None):
    x = np.asarray(x, dtype=float)
    stride = 1 if stride is None else stride
    if size > min(x.shape):
        raise ValueError("the window is larger than the image")
    rows, cols = (x.shape[0] - size) // stride + 1, (x.shape[1] - size) // stride + 1
    out = np.zeros((rows, cols))
    for i in range(rows):
        for j in range(cols):
            out[i, j] = x[i * stride : i * stride + size, j * stride : j * stride + size].max()
    return out
""",
    ),
    "max_pool_starting_from_zero": (
        "deep",
        "max_pool",
        """
def max_pool(x, size, stride=None):
    x = np.asarray(x, dtype=float)
    stride = size if stride is None else stride
    if size > min(x.shape):
        raise ValueError("the window is larger than the image")
    rows, cols = (x.shape[0] - size) // stride + 1, (x.shape[1] - size) // stride + 1
    out = np.zeros((rows, cols))
    for i in range(rows):
        for j in range(cols):
            for u in range(size):
                for v in range(size):
                    out[i, j] = max(out[i, j], x[i * stride + u, j * stride + v])
    return out
""",
    ),
    "avg_pool_keeps_partial_windows": (
        "deep",
        "avg_pool",
        """
def avg_pool(x, size, stride=None):
    x = np.asarray(x, dtype=float)
    stride = size if stride is None else stride
    if size > min(x.shape):
        raise ValueError("the window is larger than the image")
    rows, cols = -(-(x.shape[0] - size) // stride) + 1, -(-(x.shape[1] - size) // stride) + 1
    out = np.zeros((rows, cols))
    for i in range(rows):
        for j in range(cols):
            out[i, j] = x[i * stride : i * stride + size, j * stride : j * stride + size].mean()
    return out
""",
    ),
    "kmeans_median_centroids": (
        "deep",
        "kmeans_step",
        """
def kmeans_step(X, centroids):
    X, centroids = np.asarray(X, dtype=float), np.asarray(centroids, dtype=float)
    d = ((X[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)
    assignments = np.argmin(d, axis=1)
    new = centroids.copy()
    for j in range(len(centroids)):
        if np.any(assignments == j):
            new[j] = np.median(X[assignments == j], axis=0)
    return new, assignments
""",
    ),
    "kmeans_drops_empty_clusters": (
        "deep",
        "kmeans_step",
        """
def kmeans_step(X, centroids):
    X, centroids = np.asarray(X, dtype=float), np.asarray(centroids, dtype=float)
    d = ((X[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)
    assignments = np.argmin(d, axis=1)
    kept = [j for j in range(len(centroids)) if np.any(assignments == j)]
    return np.array([X[assignments == j].mean(axis=0) for j in kept]), assignments
""",
    ),
    "batch_norm_unbiased_variance": (
        "deep",
        "batch_norm",
        """
def batch_norm(X, gamma, beta, eps=1e-5):
    X = np.asarray(X, dtype=float)
    mean, var = X.mean(axis=0), X.var(axis=0, ddof=1)
    x_hat = (X - mean) / np.sqrt(var + eps)
    return gamma * x_hat + beta, x_hat, mean, var
""",
    ),
    "batch_norm_without_eps": (
        "deep",
        "batch_norm",
        """
def batch_norm(X, gamma, beta, eps=1e-5):
    X = np.asarray(X, dtype=float)
    mean, var = X.mean(axis=0), X.var(axis=0)
    x_hat = (X - mean) / np.sqrt(var)
    return gamma * x_hat + beta, x_hat, mean, var
""",
    ),
    "batch_norm_backward_without_the_mean_and_variance_paths": (
        "deep",
        "batch_norm_backward",
        """
def batch_norm_backward(dY, X, gamma, eps=1e-5):
    X, dY = np.asarray(X, dtype=float), np.asarray(dY, dtype=float)
    mean, var = X.mean(axis=0), X.var(axis=0)
    x_hat = (X - mean) / np.sqrt(var + eps)
    return dY * gamma / np.sqrt(var + eps), (dY * x_hat).sum(axis=0), dY.sum(axis=0)
""",
    ),
}


def replace_function(source, name, new):
    """The source with the top-level function `name` swapped for `new`."""
    pattern = re.compile(rf"^def {name}\(.*?(?=^\S|\Z)", re.M | re.S)
    assert len(pattern.findall(source)) == 1, f"{name} is not defined exactly once"
    return pattern.sub(lambda _: new.strip() + "\n\n\n", source, count=1)


def wrong_source(key):
    _, function, new = WRONG[key]
    return replace_function(starter.reference_source(), function, new)


def namespace_of(source):
    namespace = {"__name__": "submission"}
    exec(compile(source, "submission.py", "exec"), namespace)
    return namespace


def names_used(code):
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= names_used(const)
    return names


def depends_on(namespace, name, target, seen=None):
    """Whether the function `name` calls `target`, directly or through
    other functions of the same file."""
    seen = set() if seen is None else seen
    if name == target:
        return True
    if name in seen or not inspect.isfunction(namespace.get(name)):
        return False
    seen.add(name)
    return any(depends_on(namespace, n, target, seen) for n in names_used(namespace[name].__code__))


def plain(value):
    """A returned value as the grader receives it: numpy scalars as Python numbers."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, tuple):
        return tuple(plain(v) for v in value)
    return value


def same_inputs(before, after):
    if isinstance(before, np.ndarray):
        return np.array_equal(before, after)
    if isinstance(before, (list, tuple)):
        return all(same_inputs(b, a) for b, a in zip(before, after))
    if isinstance(before, dict):
        return all(same_inputs(before[k], after[k]) for k in before)
    return before == after


def judged_in_process(function, case):
    """The fraction of the case's points that `function` earns."""
    args, kwargs = copy.deepcopy(case.args), copy.deepcopy(case.kwargs)
    try:
        value = function(*args, **kwargs)
    except Exception as error:
        return case.judge(Raised(f"{type(error).__name__}: {error}"))[0]
    if case.inputs_unchanged and not same_inputs((case.args, case.kwargs), (args, kwargs)):
        return 0.0
    return case.judge(plain(value))[0]


@pytest.fixture(scope="module")
def graded():
    """Each submission graded once for the whole module: the reference and
    the starter of an assignment, or a wrong version (graded in its own)."""
    cache = {}

    def grade(key, assignment="core"):
        if key in WRONG:
            assignment = WRONG[key][0]
        if (key, assignment) not in cache:
            if key == "reference":
                source = starter.reference_source()
            elif key == "starter":
                source = starter.starter_source(BUILT_IN[assignment])
            else:
                source = wrong_source(key)
            submission = Submission(key, f"{key}.py", source)
            cache[key, assignment] = runner.grade_submission(BUILT_IN[assignment], submission)
        return cache[key, assignment]

    return grade


def results_of(result, function):
    return [t for t in result.tests if t.task == function]


# --- the reference and the starter ------------------------------------------------


@pytest.mark.parametrize("name", sorted(BUILT_IN))
def test_the_reference_solution_passes_every_test(graded, name):
    assignment = BUILT_IN[name]
    result = graded("reference", name)
    assert result.problems == ()
    assert result.score == pytest.approx(assignment.points) and assignment.points == 100
    assert result.task_scores == pytest.approx({t.function: t.points for t in assignment.tasks})
    failed = [(t.name, t.output) for t in result.tests if not t.passed]
    assert failed == []
    assert len(result.tests) == sum(len(t.cases) for t in assignment.tasks)
    for test in result.tests:
        assert test.score == pytest.approx(test.max_score) and test.max_score > 0


@pytest.mark.parametrize("name", sorted(BUILT_IN))
def test_the_starter_scores_zero_on_every_task_as_not_implemented(graded, name):
    assignment = BUILT_IN[name]
    result = graded("starter", name)
    assert result.problems == ()
    assert result.task_scores == {t.function: 0 for t in assignment.tasks}
    assert result.score == 0
    for task in assignment.tasks:
        tests = results_of(result, task.function)
        assert len(tests) == len(task.cases)
        for test in tests:
            assert not test.passed and test.score == 0
            assert test.output.startswith("not implemented"), test.output


@pytest.mark.parametrize("name", sorted(BUILT_IN))
def test_the_starter_keeps_every_signature_of_the_reference(name):
    assignment = BUILT_IN[name]
    namespace = namespace_of(starter.starter_source(assignment))
    for task in assignment.tasks:
        assert inspect.signature(namespace[task.function]) == inspect.signature(task.kind.reference)
        with pytest.raises(NotImplementedError):
            namespace[task.function](*task.cases[0].args, **task.cases[0].kwargs)


@pytest.mark.parametrize("name", ["classical", "deep"])
def test_each_task_has_edge_and_property_cases_beside_the_random_ones(name):
    for task in BUILT_IN[name].tasks:
        assert len(task.cases) >= task.count + 3, f"{task.function} has too few named cases"


# --- wrong submissions: the grader agrees with an in-process judgement ----------------


@pytest.mark.parametrize("key", sorted(WRONG))
def test_a_wrong_function_loses_exactly_the_tests_it_gets_wrong(graded, key):
    assignment, replaced, _ = WRONG[key]
    tasks = BUILT_IN[assignment].tasks
    namespace = namespace_of(wrong_source(key))
    result = graded(key)
    assert result.problems == ()
    affected = [t for t in tasks if depends_on(namespace, t.function, replaced)]
    assert TASKS[replaced] in affected
    for task in tasks:
        got = [t.passed for t in results_of(result, task.function)]
        if task not in affected:
            # Tasks that never call the wrong function keep every point.
            assert all(got) and len(got) == len(task.cases), task.function
            assert result.task_scores[task.function] == pytest.approx(task.points)
            continue
        fractions = [judged_in_process(namespace[task.function], c) for c in task.cases]
        assert got == [f == 1.0 for f in fractions], task.function
        expected = task.points * sum(fractions) / len(fractions)
        assert result.task_scores[task.function] == pytest.approx(expected, abs=1e-5)
    lost = TASKS[replaced].points - result.task_scores[replaced]
    assert lost > 0, f"{key} lost nothing on {replaced}"


def test_natural_log_entropy_passes_only_where_the_base_makes_no_difference(graded):
    result = graded("natural_log_entropy")
    passed = {t.name for t in results_of(result, "entropy") if t.passed}
    task = TASKS["entropy"]
    # Nats equal bits only when asked for base e or when the entropy is 0.
    expected = {
        f"entropy: {c.name}"
        for c in task.cases
        if c.kwargs.get("base") == math.e or len(set(c.args[0])) == 1
    }
    assert passed == expected
    assert any(c.kwargs.get("base") == math.e for c in task.cases)
    # information_gain calls the student's own entropy with base 2: it loses too,
    # except where the gain is 0 in any base.
    gain_tests = results_of(result, "information_gain")
    assert "entropy: two equal classes: 1 bit" not in passed
    assert not all(t.passed for t in gain_tests)
    assert any(t.passed for t in gain_tests if t.name.endswith("gains nothing"))


def test_pca_dividing_by_n_fails_every_case_on_the_eigenvalues(graded):
    result = graded("pca_divides_by_n")
    tests = results_of(result, "pca")
    assert result.task_scores["pca"] == 0
    assert all(t.output.startswith("item 0:") for t in tests), [t.output for t in tests]
    namespace = namespace_of(wrong_source("pca_divides_by_n"))
    for case in TASKS["pca"].cases:
        X = case.args[0]
        _, components = namespace["pca"](X)
        values, vectors = np.linalg.eigh(np.cov(X, rowvar=False))
        oracle = vectors[:, np.argsort(values)[::-1]].T
        # The axes are right (up to sign); only the variances are off by (n-1)/n.
        assert np.allclose(np.abs(np.sum(components * oracle, axis=1)), 1.0)


def test_backprop_without_the_sigmoid_slope_fails_every_case(graded):
    result = graded("backprop_without_sigma_prime")
    assert result.task_scores["backprop_deltas"] == 0
    assert not any(t.passed for t in results_of(result, "backprop_deltas"))


def test_conv_without_plus_one_passes_only_the_cases_that_must_raise(graded):
    result = graded("conv_without_plus_one")
    tests = results_of(result, "conv_output_size")
    must_raise = []
    for case in TASKS["conv_output_size"].cases:
        try:
            conv.conv_output_size(*case.args)
        except ValueError:
            must_raise.append(True)
        else:
            must_raise.append(False)
    assert [t.passed for t in tests] == must_raise
    assert 0 < sum(must_raise) < len(must_raise)
    task = TASKS["conv_output_size"]
    assert result.task_scores["conv_output_size"] == pytest.approx(
        task.points * sum(must_raise) / len(must_raise), abs=1e-5
    )


def test_sarsa_target_passes_only_terminal_or_greedy_transitions(graded):
    result = graded("sarsa_target")
    tests = results_of(result, "q_update")
    for test, case in zip(tests, TASKS["q_update"].cases):
        Q, s, a, r, s_next, alpha, gamma = case.args
        same_target = case.kwargs.get("done", False) or Q[s_next, a] == Q[s_next].max()
        assert test.passed == bool(same_target), test.name
    assert any(t.passed for t in tests) and not all(t.passed for t in tests)
    named = [t for t in tests if "max of the next state" in t.name]
    assert len(named) == 1 and not named[0].passed


def test_an_in_place_q_update_fails_every_case_for_changing_its_input(graded):
    result = graded("in_place_q_update")
    tests = results_of(result, "q_update")
    assert result.task_scores["q_update"] == 0
    assert len(tests) == len(TASKS["q_update"].cases)
    assert all(t.output.startswith(INPUT_CHANGED) for t in tests), [t.output for t in tests]
    # The values it returns are right: the only fault is the changed input.
    namespace = namespace_of(wrong_source("in_place_q_update"))
    for case in TASKS["q_update"].cases:
        assert case.judge(namespace["q_update"](*copy.deepcopy(case.args), **case.kwargs))[0] == 1


def test_gradient_ascent_fails_the_hidden_training_task_without_details(graded):
    result = graded("gradient_ascent_logistic_regression")
    tests = results_of(result, "train_logistic_regression")
    assert TASKS["train_logistic_regression"].visibility == "hidden"
    assert result.task_scores["train_logistic_regression"] == 0
    assert {t.output for t in tests} == {"failed (hidden test)"}
    assert {t.visibility for t in tests} == {"hidden"}


# Mistakes that random cases rarely or never meet: the named edge case is
# there to catch them.
CAUGHT_BY = {
    "softmax_cross_entropy_without_shift": "±1000",
    "perceptron_strict_inequality": "on the boundary",
    "knn_ties_to_smallest_label": "one vote each",
    "hinge_subgradient_counts_the_margin": "exactly on the margin",
    "naive_bayes_plus_one_denominator": "unseen value",
    "minkowski_without_abs": "Manhattan adds absolute differences",
    "softmax_without_shift": "±1000",
    "attention_without_scaling": "the notes' example",
    "attention_scaled_by_d": "the notes' example",
    "conv2d_flips_the_kernel": "not flipped",
    "max_pool_stride_1_by_default": "defaults to the window size",
    "max_pool_starting_from_zero": "all-negative",
    "avg_pool_keeps_partial_windows": "do not fit are dropped",
    "kmeans_median_centroids": "not the median",
    "kmeans_drops_empty_clusters": "keeps its old centroid",
    "batch_norm_unbiased_variance": "not m - 1",
    "batch_norm_without_eps": "eps is added",
    "batch_norm_backward_without_the_mean_and_variance_paths": "dY constant down each column",
}


@pytest.mark.parametrize("key", sorted(CAUGHT_BY))
def test_an_edge_case_catches_the_mistake_random_cases_may_miss(graded, key):
    _, function, _ = WRONG[key]
    # Hidden tasks do not name their cases in results: match by position.
    results = results_of(graded(key), function)
    caught = [r for r, c in zip(results, TASKS[function].cases) if CAUGHT_BY[key] in c.name]
    assert caught and not any(r.passed for r in caught), [(r.name, r.output) for r in caught]


def test_hinge_loss_without_the_regulariser_passes_only_when_lambda_is_0(graded):
    tests = results_of(graded("hinge_loss_without_regulariser"), "hinge_loss")
    cases = TASKS["hinge_loss"].cases
    assert [t.passed for t in tests] == [c.kwargs.get("lam", 0.0) == 0.0 for c in cases]


def test_softmax_without_the_shift_fails_only_where_an_exponential_overflows(graded):
    result = graded("softmax_without_shift")
    failed = {t.name for t in result.tests if not t.passed}
    # scaled_dot_product_attention calls the student's own softmax: it loses
    # its large-score case too, and nothing else.
    assert failed == {
        "softmax: logits of ±1000: subtract the max first (no overflow, no nan)",
        "scaled_dot_product_attention: scores over 1000: the softmax must subtract the max "
        "(no overflow)",
    }


def test_the_notes_attention_example_is_judged_by_the_notes_numbers():
    task = TASKS["scaled_dot_product_attention"]
    (case,) = [c for c in task.cases if c.name.startswith("the notes' example")]
    notes = np.array([0.0900306, 0.2447285, 0.6652410])
    assert case.judge((notes, notes))[0] == 1.0
    assert case.judge((notes[::-1], notes[::-1]))[0] == 0.0


def test_batch_norm_backward_without_the_batch_paths_fails_the_hidden_gradient_checks(graded):
    result = graded("batch_norm_backward_without_the_mean_and_variance_paths")
    tests = results_of(result, "batch_norm_backward")
    cases = TASKS["batch_norm_backward"].cases
    assert TASKS["batch_norm_backward"].visibility == "hidden"
    assert {t.output for t in tests if not t.passed} == {"failed (hidden test)"}
    checks = [t for t, c in zip(tests, cases) if c.name.startswith("finite-difference check")]
    assert len(checks) == 2 and not any(t.passed for t in checks)
    # Only the law that holds for dX = dY·gamma/sigma as well passes: gamma = 0.
    passed = [c.name for t, c in zip(tests, cases) if t.passed]
    assert passed == ["gamma = 0 stops the gradient to X, not to gamma"]
