"""The gradable functions of the deep-learning chapters: softmax, attention,
convolution and pooling, a k-means step, batch normalisation and its gradient.

Each task has random differential cases against the reference, edge cases
the course dwells on (logits of ±1000, windows that do not fit, ties, empty
clusters, constant features), and property cases judged by a law the answer
must obey rather than by the reference's numbers: closed forms worked by hand,
loops that follow the definition one entry at a time, and finite differences
of the forward pass for the backward one.
"""

import math

import numpy as np

from ..solutions import activations, attention, clustering, conv, normalization
from .tasks import Case, Raised, TaskKind, as_numbers, numeric, raises, sequence_of, short


def _rounded(rng, shape, scale=2.0, decimals=1):
    """Normal draws rounded as on an exam sheet (no -0.0)."""
    return np.round(rng.normal(0, scale, shape), decimals) + 0.0


def _count(n, singular, plural=None):
    """``1 feature``, ``3 features``."""
    return f"{n} {singular if n == 1 else plural or singular + 's'}"


def _array_of_shape(received, shape):
    """The received value as a finite float array of ``shape``, or the
    message that says why it is not one."""
    if isinstance(received, Raised):
        return None, f"raised {received.error}"
    got = as_numbers(received)
    if got is None:
        return None, f"returned {short(received)}, which is not an array of numbers"
    if got.shape != tuple(shape):
        return None, f"shape {got.shape}, expected {tuple(shape)}"
    if not np.all(np.isfinite(got)):
        return None, f"returned non-finite values: {short(got)}"
    return got, ""


def _distributions(shape, axis=-1):
    """Non-negative numbers of ``shape`` that sum to 1 along ``axis``."""

    def judge(received):
        got, message = _array_of_shape(received, shape)
        if got is None:
            return 0.0, message
        sums = got.sum(axis=axis)
        if np.all(got >= 0) and np.allclose(sums, 1.0, rtol=0, atol=1e-9):
            return 1.0, "passed"
        return 0.0, f"expected entries >= 0 summing to 1 along axis {axis}, got {short(got)}"

    return judge


# --- softmax --------------------------------------------------------------------------


def _softmax_by_hand(z, axis=-1):
    """exp(z) / sum exp(z), straight from the formula: only for logits small
    enough that nothing overflows."""
    exps = np.exp(np.asarray(z, dtype=float))
    return exps / exps.sum(axis=axis, keepdims=True)


def softmax_cases(rng, count, tolerance):
    cases = []
    for i in range(count):
        if i % 3 == 0:
            k = int(rng.integers(2, 7))
            z, kwargs, name = _rounded(rng, k), {}, f"{k} logits #{i + 1}"
        else:
            n, k = int(rng.integers(2, 6)), int(rng.integers(2, 6))
            z = _rounded(rng, (n, k))
            kwargs = {} if i % 3 == 1 else {"axis": 0}
            along = "along the rows" if i % 3 == 1 else "axis=0, down the columns"
            name = f"{n}x{k} logits, {along} #{i + 1}"
        expected = activations.softmax(z, **kwargs)
        cases.append(Case(name, (z,), numeric(expected, **tolerance), kwargs))
    big = np.array([[1000.0, 999.0, -1000.0], [-1000.0, -1000.0, -999.0]])
    e = math.exp(-1.0)
    cases.append(
        Case(
            "logits of ±1000: subtract the max first (no overflow, no nan)",
            (big,),
            numeric(
                [
                    [1 / (1 + e), e / (1 + e), 0.0],
                    [e / (1 + 2 * e), e / (1 + 2 * e), 1 / (1 + 2 * e)],
                ],
                **tolerance,
            ),
        )
    )
    cases.append(
        Case("equal logits: 1/K each", (np.full(5, 3.7),), numeric(np.full(5, 0.2), **tolerance))
    )
    matrix = _rounded(rng, (4, 6), 4.0)
    cases.append(
        Case("each row of a matrix sums to 1", (matrix,), _distributions(matrix.shape, axis=-1))
    )
    small = _rounded(rng, (3, 4))
    shifts = np.array([[50.0], [-30.0], [0.5]])
    cases.append(
        Case(
            "adding a constant to a row changes nothing",
            (small + shifts,),
            numeric(_softmax_by_hand(small), **tolerance),
        )
    )
    columns = _rounded(rng, (3, 2))
    cases.append(
        Case(
            "axis=0: each column sums to 1",
            (columns,),
            numeric(_softmax_by_hand(columns, axis=0), **tolerance),
            {"axis": 0},
        )
    )
    cube = _rounded(rng, (2, 3, 2))
    cases.append(
        Case(
            "a 3-D input, axis=1",
            (cube,),
            numeric(_softmax_by_hand(cube, axis=1), **tolerance),
            {"axis": 1},
        )
    )
    return cases


# --- scaled_dot_product_attention ---------------------------------------------------------


def _attention_by_loop(Q, K, V, mask=None):
    """Attention one query and one key at a time, from the definition: the
    dot product over sqrt(d_k), the masked keys left out, a softmax shifted by
    the largest allowed score. An oracle that shares no code with the reference."""
    queries = np.atleast_2d(Q)
    allowed = np.ones((len(queries), len(K)), bool) if mask is None else np.asarray(mask)
    allowed = np.broadcast_to(allowed, (len(queries), len(K)))
    weights = np.zeros((len(queries), len(K)))
    for i, q in enumerate(queries):
        scores = {
            j: sum(float(a) * float(b) for a, b in zip(q, K[j])) / math.sqrt(K.shape[1])
            for j in range(len(K))
            if allowed[i, j]
        }
        top = max(scores.values())
        total = sum(math.exp(s - top) for s in scores.values())
        for j, s in scores.items():
            weights[i, j] = math.exp(s - top) / total
    output = weights @ np.asarray(V, dtype=float)
    if np.ndim(Q) == 1:
        return output[0], weights[0]
    return output, weights


def _attention_judge(expected, tolerance):
    return sequence_of([numeric(e, **tolerance) for e in expected])


def _random_mask(rng, shape):
    """Booleans with at least one True in every row (each query sees a key)."""
    mask = rng.random(shape) < 0.6
    rows = mask.reshape(-1, shape[-1])
    for row in rows:
        if not row.any():
            row[rng.integers(shape[-1])] = True
    return rows.reshape(shape)


def _weighted_values(V, n_q, n_k):
    """Weights that are a distribution over the keys in each row, and an
    output equal to those same weights times V."""
    V = np.asarray(V, dtype=float)
    rows_are_distributions = _distributions((n_q, n_k), axis=-1)

    def judge(received):
        if isinstance(received, Raised):
            return 0.0, f"raised {received.error}"
        if not isinstance(received, (list, tuple)) or len(received) != 2:
            return 0.0, f"expected (output, weights), got {short(received)}"
        weights_score, message = rows_are_distributions(received[1])
        if weights_score < 1.0:
            return 0.0, f"item 1: {message}"
        weights = as_numbers(received[1])
        output, message = _array_of_shape(received[0], (n_q, V.shape[1]))
        if output is None:
            return 0.0, f"item 0: {message}"
        if np.allclose(output, weights @ V, rtol=1e-6, atol=1e-9):
            return 1.0, "passed"
        return 0.0, f"item 0: the output {short(output)} is not the weights times V"

    return judge


def scaled_dot_product_attention_cases(rng, count, tolerance):
    cases = []
    for i in range(count):
        n_q, n_k = int(rng.integers(1, 5)), int(rng.integers(2, 6))
        d_k, d_v = int(rng.integers(1, 9)), int(rng.integers(1, 5))
        one_query = i % 4 == 3
        Q = _rounded(rng, d_k if one_query else (n_q, d_k))
        K, V = _rounded(rng, (n_k, d_k)), _rounded(rng, (n_k, d_v))
        kwargs, masked = {}, ""
        if i % 3 == 2:
            shape = (n_k,) if one_query or i % 2 else (n_q, n_k)
            kwargs, masked = {"mask": _random_mask(rng, shape)}, f", mask {shape}"
        expected = attention.scaled_dot_product_attention(Q, K, V, **kwargs)
        queries = "one 1-D query" if one_query else _count(n_q, "query", "queries")
        cases.append(
            Case(
                f"{queries}, {n_k} keys, d_k = {d_k}, d_v = {d_v}{masked} #{i + 1}",
                (Q, K, V),
                _attention_judge(expected, tolerance),
                kwargs,
            )
        )
    # The notes' example: one query whose raw scores are [10, 20, 30] with
    # d = 100, so the softmax sees [1, 2, 3].
    Q = np.zeros(100)
    Q[0] = 10.0
    K = np.zeros((3, 100))
    K[:, 0] = [1.0, 2.0, 3.0]
    total = sum(math.exp(s) for s in (1, 2, 3))
    notes = np.array([math.exp(s) / total for s in (1, 2, 3)])  # [0.0900306, 0.2447285, 0.6652410]
    cases.append(
        Case(
            "the notes' example: scores [10, 20, 30], d = 100, weights [0.090, 0.245, 0.665]",
            (Q, K, np.eye(3)),
            _attention_judge((notes, notes), tolerance),
        )
    )
    Q, K, V = _rounded(rng, (4, 3)), _rounded(rng, (4, 3)), _rounded(rng, (4, 2))
    causal = np.tril(np.ones((4, 4), dtype=bool))
    cases.append(
        Case(
            "a causal mask: query i sees keys 0..i only (query 0 returns V[0])",
            (Q, K, V),
            _attention_judge(_attention_by_loop(Q, K, V, causal), tolerance),
            {"mask": causal},
        )
    )
    Q, V = _rounded(rng, (2, 3)), _rounded(rng, (4, 2))
    K = np.tile(_rounded(rng, 3), (4, 1))
    cases.append(
        Case(
            "identical keys: uniform weights, the output is the mean of V",
            (Q, K, V),
            _attention_judge((np.tile(V.mean(axis=0), (2, 1)), np.full((2, 4), 0.25)), tolerance),
        )
    )
    Q = np.array([[40.0, 0.0], [0.0, 40.0]])
    K = np.array([[40.0, 0.0], [39.0, 1.0], [0.0, 40.0]])
    V = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 2.0]])
    cases.append(
        Case(
            "scores over 1000: the softmax must subtract the max (no overflow)",
            (Q, K, V),
            _attention_judge(_attention_by_loop(Q, K, V), tolerance),
        )
    )
    Q, K, V = _rounded(rng, (5, 4), 3.0), _rounded(rng, (6, 4), 3.0), _rounded(rng, (6, 3))
    cases.append(
        Case(
            "each row of weights sums to 1 and the output is weights @ V",
            (Q, K, V),
            _weighted_values(V, 5, 6),
        )
    )
    return cases


# --- conv2d ----------------------------------------------------------------------------------


def _correlate_by_loop(x, kernel, padding=0, stride=1):
    """Cross-correlation one output entry at a time, from the definition."""
    h, w = x.shape
    padded = np.zeros((h + 2 * padding, w + 2 * padding))
    padded[padding : padding + h, padding : padding + w] = x
    fh, fw = kernel.shape
    rows = (padded.shape[0] - fh) // stride + 1
    cols = (padded.shape[1] - fw) // stride + 1
    out = np.zeros((rows, cols))
    for i in range(rows):
        for j in range(cols):
            out[i, j] = sum(
                kernel[u, v] * padded[i * stride + u, j * stride + v]
                for u in range(fh)
                for v in range(fw)
            )
    return out


def conv2d_cases(rng, count, tolerance):
    cases = []
    for i in range(count):
        h, w = int(rng.integers(3, 8)), int(rng.integers(3, 8))
        fh, fw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
        x, kernel = _rounded(rng, (h, w)), _rounded(rng, (fh, fw), 1.0)
        if i % 3 == 0:
            kwargs = {}
        else:
            kwargs = {"padding": int(rng.integers(0, 3)), "stride": int(rng.integers(1, 4))}
        settings = ", ".join(f"{k} {v}" for k, v in kwargs.items()) or "no padding, stride 1"
        cases.append(
            Case(
                f"{h}x{w} image, {fh}x{fw} kernel, {settings} #{i + 1}",
                (x, kernel),
                numeric(conv.conv2d(x, kernel, **kwargs), **tolerance),
                kwargs,
            )
        )
    grid = np.arange(16.0).reshape(4, 4)
    ramp = np.tile(np.arange(5.0), (3, 1))
    identity = np.zeros((3, 3))
    identity[1, 1] = 1.0
    image = _rounded(rng, (5, 5))
    kernel = _rounded(rng, (3, 3), 1.0)
    wide = _rounded(rng, (6, 6))
    cases += [
        Case(
            "cross-correlation: the kernel is not flipped (top-left 1 picks x[i, j])",
            (grid, np.array([[1.0, 0.0], [0.0, 0.0]])),
            numeric(grid[:3, :3], **tolerance),
        ),
        Case(
            "the kernel [-1, 0, 1] on a ramp of slope 1 gives +2, not -2",
            (ramp, np.array([[-1.0, 0.0, 1.0]])),
            numeric(np.full((3, 3), 2.0), **tolerance),
        ),
        Case(
            "an identity kernel with padding 1 returns the input",
            (image, identity),
            numeric(image, **tolerance),
            {"padding": 1},
        ),
        Case(
            "padding 1 and stride 2 on a 5x5 image: a 3x3 output",
            (image, kernel),
            numeric(_correlate_by_loop(image, kernel, 1, 2), **tolerance),
            {"padding": 1, "stride": 2},
        ),
        Case(
            "stride 2 that does not divide: the last position is dropped (6x6 → 2x2)",
            (wide, kernel),
            numeric(_correlate_by_loop(wide, kernel, 0, 2), **tolerance),
            {"stride": 2},
        ),
        Case(
            "padding 1 lets a 3x3 kernel of ones run over a 2x2 image of ones: all 4",
            (np.ones((2, 2)), np.ones((3, 3))),
            numeric(np.full((2, 2), 4.0), **tolerance),
            {"padding": 1},
        ),
        Case(
            "a kernel larger than the padded input raises ValueError",
            (np.ones((2, 2)), np.ones((3, 3))),
            raises("ValueError"),
        ),
    ]
    return cases


# --- max_pool and avg_pool ----------------------------------------------------------------


def _pool_by_loop(x, size, stride, reduce):
    """Pooling one window at a time; windows that stick out are dropped."""
    rows = (x.shape[0] - size) // stride + 1
    cols = (x.shape[1] - size) // stride + 1
    out = np.zeros((rows, cols))
    for i in range(rows):
        for j in range(cols):
            window = [x[i * stride + u, j * stride + v] for u in range(size) for v in range(size)]
            out[i, j] = reduce(window)
    return out


def _random_pool_cases(rng, count, tolerance, reference):
    cases = []
    for i in range(count):
        h, w = int(rng.integers(2, 9)), int(rng.integers(2, 9))
        size = int(rng.integers(1, min(h, w, 3) + 1))
        x = _rounded(rng, (h, w), 3.0)
        kwargs = {} if i % 2 == 0 else {"stride": int(rng.integers(1, 4))}
        stride = f"stride {kwargs['stride']}" if kwargs else "default stride"
        cases.append(
            Case(
                f"{h}x{w} image, size {size}, {stride} #{i + 1}",
                (x, size),
                numeric(reference(x, size, **kwargs), **tolerance),
                kwargs,
            )
        )
    return cases


_POOL_EXAMPLE = np.array(
    [[1.0, 3.0, 2.0, 1.0], [4.0, 2.0, 0.0, 1.0], [5.0, 1.0, 2.0, 8.0], [0.0, 6.0, 3.0, 4.0]]
)


def _five_by_five(rng):
    """A 5x5 image whose last row and column hold the largest values: a
    pooling that keeps windows sticking out of the image would see them."""
    x = _rounded(rng, (5, 5))
    x[4, :] = 99.0
    x[:, 4] = 99.0
    return x


def max_pool_cases(rng, count, tolerance):
    cases = _random_pool_cases(rng, count, tolerance, conv.max_pool)
    five = _five_by_five(rng)
    negative = -np.arange(1.0, 10.0).reshape(3, 3)
    image = _rounded(rng, (5, 5))
    cases += [
        Case(
            "the stride defaults to the window size: 4x4 → 2x2",
            (_POOL_EXAMPLE, 2),
            numeric([[4.0, 2.0], [6.0, 8.0]], **tolerance),
        ),
        Case(
            "windows that do not fit are dropped: 5x5, size 2 → 2x2",
            (five, 2),
            numeric(_pool_by_loop(five[:4, :4], 2, 2, max), **tolerance),
        ),
        Case(
            "overlapping windows: size 2, stride 1 on 3x3 → 2x2",
            (_POOL_EXAMPLE[:3, :3], 2),
            numeric([[4.0, 3.0], [5.0, 2.0]], **tolerance),
            {"stride": 1},
        ),
        Case(
            "an all-negative image: the max is negative, not 0",
            (negative, 2),
            numeric([[-1.0, -2.0], [-4.0, -5.0]], **tolerance),
            {"stride": 1},
        ),
        Case(
            "size 1, stride 2 keeps every other pixel",
            (image, 1),
            numeric(image[::2, ::2], **tolerance),
            {"stride": 2},
        ),
        Case(
            "a window larger than the image raises ValueError",
            (np.ones((3, 3)), 4),
            raises("ValueError"),
        ),
    ]
    return cases


def avg_pool_cases(rng, count, tolerance):
    cases = _random_pool_cases(rng, count, tolerance, conv.avg_pool)
    five = _five_by_five(rng)
    image = _rounded(rng, (4, 6))
    cases += [
        Case(
            "the stride defaults to the window size: 4x4 → 2x2",
            (_POOL_EXAMPLE, 2),
            numeric([[2.5, 1.0], [3.0, 4.25]], **tolerance),
        ),
        Case(
            "windows that do not fit are dropped: 5x5, size 2 → 2x2",
            (five, 2),
            numeric(_pool_by_loop(five[:4, :4], 2, 2, lambda v: sum(v) / len(v)), **tolerance),
        ),
        Case(
            "overlapping windows: size 3, stride 1 on 4x4 → 2x2",
            (_POOL_EXAMPLE, 3),
            numeric(_pool_by_loop(_POOL_EXAMPLE, 3, 1, lambda v: sum(v) / len(v)), **tolerance),
            {"stride": 1},
        ),
        Case(
            "a constant image stays constant",
            (np.full((4, 4), -2.5), 2),
            numeric(np.full((2, 2), -2.5), **tolerance),
        ),
        Case("size 1 returns the image", (image, 1), numeric(image, **tolerance)),
        Case(
            "a window larger than the image raises ValueError",
            (np.ones((3, 3)), 4),
            raises("ValueError"),
        ),
    ]
    return cases


# --- kmeans_step -----------------------------------------------------------------------------


def _kmeans_judge(new_centroids, assignments, tolerance):
    return sequence_of([numeric(new_centroids, **tolerance), numeric(assignments, rtol=0, atol=0)])


def _has_near_tie(X, centroids):
    squared = np.sort(((X[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2), axis=1)
    return bool(np.any(squared[:, 1] - squared[:, 0] < 1e-6))


def kmeans_step_cases(rng, count, tolerance):
    cases = []
    for i in range(count):
        while True:
            n, d, k = int(rng.integers(4, 13)), int(rng.integers(1, 4)), int(rng.integers(2, 5))
            X = _rounded(rng, (n, d), 3.0)
            if i % 2:
                centroids = X[rng.choice(n, k, replace=False)]
                start = "centroids on data points"
            else:
                centroids = _rounded(rng, (k, d), 3.0)
                start = "random centroids"
            if not _has_near_tie(X, centroids):
                break
        expected = clustering.kmeans_step(X, centroids)
        cases.append(
            Case(
                f"{n} points in {d}-D, k = {k}, {start} #{i + 1}",
                (X, centroids),
                _kmeans_judge(*expected, tolerance),
                inputs_unchanged=True,
            )
        )
    line = np.array([[0.0, 0.0], [-2.0, 0.0], [2.0, 0.0]])
    near = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [5.0, 5.0], [6.0, 5.0]])
    on_centroid = np.array([[1.0, 1.0], [4.0, 4.0], [5.0, 5.0]])
    skewed = np.array([[0.0], [1.0], [5.0]])
    cases += [
        Case(
            "a point equally far from two centroids joins the lower index (0)",
            (line, np.array([[-1.0, 0.0], [1.0, 0.0]])),
            _kmeans_judge([[-1.0, 0.0], [2.0, 0.0]], [0, 0, 1], tolerance),
            inputs_unchanged=True,
        ),
        Case(
            "a cluster no point chooses keeps its old centroid",
            (near, np.array([[0.0, 0.0], [-20.0, 30.0], [5.0, 5.0]])),
            _kmeans_judge([[1 / 3, 1 / 3], [-20.0, 30.0], [5.5, 5.0]], [0, 0, 0, 2, 2], tolerance),
            inputs_unchanged=True,
        ),
        Case(
            "a point exactly on a centroid belongs to it",
            (on_centroid, np.array([[1.0, 1.0], [5.0, 5.0]])),
            _kmeans_judge([[1.0, 1.0], [4.5, 4.5]], [0, 1, 1], tolerance),
            inputs_unchanged=True,
        ),
        Case(
            "one centroid moves to the mean of all points (not the median)",
            (skewed, np.array([[0.0]])),
            _kmeans_judge([[2.0]], [0, 0, 0], tolerance),
            inputs_unchanged=True,
        ),
    ]
    return cases


# --- batch_norm ------------------------------------------------------------------------------


def _batch_norm_judge(expected, tolerance):
    return sequence_of([numeric(e, **tolerance) for e in expected])


def _feature_parameter(rng, d, vector, centre):
    """A gamma or beta near ``centre``: a (d,) vector, or one number for all features."""
    if vector:
        return np.round(centre + rng.normal(0, 1, d), 1) + 0.0
    return float(np.round(centre + rng.normal(0, 1), 1)) + 0.0


def _batch(rng, m, d):
    """A batch with no constant column, features on different scales."""
    while True:
        scales, offsets = rng.choice([1.0, 3.0], d), _rounded(rng, d, 5.0)
        X = np.round(rng.normal(0, scales, (m, d)) + offsets, 1) + 0.0
        if np.all(np.ptp(X, axis=0) > 0):
            return X


def batch_norm_cases(rng, count, tolerance):
    cases = []
    for i in range(count):
        m, d = int(rng.integers(2, 9)), int(rng.integers(1, 5))
        X = _batch(rng, m, d)
        gamma = _feature_parameter(rng, d, i % 2 == 0, 1.0)
        beta = _feature_parameter(rng, d, i % 3 != 0, 0.0)
        kwargs = [{}, {"eps": 1e-3}, {"eps": 0.0}][i % 3]
        expected = normalization.batch_norm(X, gamma, beta, **kwargs)
        eps = f"eps {kwargs['eps']:g}" if kwargs else "default eps"
        cases.append(
            Case(
                f"{_count(m, 'sample')}, {_count(d, 'feature')}, {eps} #{i + 1}",
                (X, gamma, beta),
                _batch_norm_judge(expected, tolerance),
                kwargs,
                inputs_unchanged=True,
            )
        )
    eps = 1e-5
    two = np.array([[1.0, 10.0], [3.0, 14.0]])  # means [2, 12], biased variances [1, 4]
    two_hat = np.array([[-1.0, -2.0], [1.0, 2.0]]) / np.sqrt([1.0 + eps, 4.0 + eps])
    constant = np.array([[5.0, 1.0], [5.0, 2.0], [5.0, 6.0]])
    c_hat = np.column_stack([np.zeros(3), (constant[:, 1] - 3.0) / math.sqrt(14 / 3 + eps)])
    gamma, beta = np.array([2.0, 3.0]), np.array([0.5, -1.0])
    tiny = np.array([[0.0], [0.002]])  # variance 1e-6, smaller than eps
    tiny_hat = np.array([[-0.001], [0.001]]) / math.sqrt(1e-6 + eps)
    cases += [
        Case(
            "two samples: the variance divides by m, not m - 1",
            (two, 1.0, 0.0),
            _batch_norm_judge((two_hat, two_hat, [2.0, 12.0], [1.0, 4.0]), tolerance),
        ),
        Case(
            "a constant feature: x_hat is 0 and y is beta there",
            (constant, gamma, beta),
            _batch_norm_judge((gamma * c_hat + beta, c_hat, [5.0, 3.0], [0.0, 14 / 3]), tolerance),
        ),
        Case(
            "eps is added to the variance under the square root",
            (tiny, 1.0, 0.0),
            _batch_norm_judge((tiny_hat, tiny_hat, [0.001], [1e-6]), tolerance),
        ),
        Case(
            "gamma and beta, one per feature, scale and shift each column",
            (np.array([[0.0, 0.0], [2.0, 4.0]]), np.array([2.0, 0.5]), np.array([1.0, -1.0])),
            _batch_norm_judge(
                ([[-1.0, -1.5], [3.0, -0.5]], [[-1.0, -1.0], [1.0, 1.0]], [1.0, 2.0], [1.0, 4.0]),
                tolerance,
            ),
            {"eps": 0.0},
        ),
        Case(
            "eps = 0 with a constant feature raises ValueError",
            (constant, gamma, beta),
            raises("ValueError"),
            {"eps": 0.0},
        ),
    ]
    return cases


# --- batch_norm_backward -----------------------------------------------------------------


def _batch_norm_gradients(dY, X, gamma, beta, h=1e-6):
    """Central finite differences of L = sum(dY * batch_norm(X, gamma, beta)[0])
    in X, gamma and beta: the forward pass only, no backward formula."""

    def loss(X_, gamma_, beta_):
        return float(np.sum(dY * normalization.batch_norm(X_, gamma_, beta_)[0]))

    def derivative(shape, shifted):
        grad = np.zeros(shape)
        for index in np.ndindex(*shape):
            step = np.zeros(shape)
            step[index] = h
            grad[index] = (shifted(step) - shifted(-step)) / (2 * h)
        return grad

    return (
        derivative(X.shape, lambda s: loss(X + s, gamma, beta)),
        derivative(gamma.shape, lambda s: loss(X, gamma + s, beta)),
        derivative(beta.shape, lambda s: loss(X, gamma, beta + s)),
    )


def _backward_laws(dY):
    """dX of the shape of dY whose columns each sum to 0, dgamma of shape
    (d,), and dbeta = dY summed over the batch."""
    m, d = dY.shape
    dbeta = numeric(dY.sum(axis=0), rtol=1e-9, atol=1e-9)

    def judge(received):
        if isinstance(received, Raised):
            return 0.0, f"raised {received.error}"
        if not isinstance(received, (list, tuple)) or len(received) != 3:
            return 0.0, f"expected (dX, dgamma, dbeta), got {short(received)}"
        dX, message = _array_of_shape(received[0], (m, d))
        if dX is None:
            return 0.0, f"item 0: {message}"
        sums = dX.sum(axis=0)
        if not np.allclose(sums, 0.0, atol=1e-9 * max(1.0, float(np.abs(dX).max()))):
            return 0.0, f"item 0: the columns of dX sum to {short(sums)}, not 0"
        dgamma, message = _array_of_shape(received[1], (d,))
        if dgamma is None:
            return 0.0, f"item 1: {message}"
        score, message = dbeta(received[2])
        return (1.0, "passed") if score == 1.0 else (0.0, f"item 2: {message}")

    return judge


def batch_norm_backward_cases(rng, count, tolerance):
    cases = []
    for i in range(count):
        m, d = int(rng.integers(2, 9)), int(rng.integers(1, 5))
        X, dY = _batch(rng, m, d), _rounded(rng, (m, d), 1.0)
        gamma = _feature_parameter(rng, d, i % 2 == 0, 1.0)
        kwargs = [{}, {"eps": 1e-3}][i % 2]
        expected = normalization.batch_norm_backward(dY, X, gamma, **kwargs)
        eps = f"eps {kwargs['eps']:g}" if kwargs else "default eps"
        cases.append(
            Case(
                f"{_count(m, 'sample')}, {_count(d, 'feature')}, {eps} #{i + 1}",
                (dY, X, gamma),
                sequence_of([numeric(e, **tolerance) for e in expected]),
                kwargs,
                inputs_unchanged=True,
            )
        )
    # Finite differences of the forward pass: an oracle that knows nothing of
    # the backward formula. Loosened to what central differences can resolve.
    for m, d in ((5, 3), (2, 2)):
        X, dY = _batch(rng, m, d), _rounded(rng, (m, d), 1.0)
        gamma = _feature_parameter(rng, d, True, 1.0)
        beta = _feature_parameter(rng, d, True, 0.0)
        gradients = _batch_norm_gradients(dY, X, gamma, beta)
        cases.append(
            Case(
                f"finite-difference check of dX, dgamma, dbeta: {m} samples, {d} features",
                (dY, X, gamma),
                sequence_of([numeric(g, rtol=1e-5, atol=1e-6) for g in gradients]),
            )
        )
    X, dY = _batch(rng, 6, 3), _rounded(rng, (6, 3), 1.0)
    gamma = _feature_parameter(rng, 3, True, 1.0)
    cases.append(
        Case(
            "each column of dX sums to 0, and dbeta is dY summed over the batch",
            (dY, X, gamma),
            _backward_laws(dY),
        )
    )
    X = _batch(rng, 4, 2)
    flat = np.tile(np.array([1.5, -0.5]), (4, 1))
    cases.append(
        Case(
            "dY constant down each column: dX = 0 and dgamma = 0 (the mean absorbs a shift)",
            (flat, X, np.array([2.0, 0.5])),
            sequence_of(
                [
                    numeric(np.zeros((4, 2)), **tolerance),
                    numeric(np.zeros(2), **tolerance),
                    numeric([6.0, -2.0], **tolerance),
                ]
            ),
        )
    )
    X, dY = _batch(rng, 3, 2), _rounded(rng, (3, 2), 1.0)
    x_hat = normalization.batch_norm(X, 1.0, 0.0)[1]
    cases.append(
        Case(
            "gamma = 0 stops the gradient to X, not to gamma",
            (dY, X, 0.0),
            sequence_of(
                [
                    numeric(np.zeros((3, 2)), **tolerance),
                    numeric((dY * x_hat).sum(axis=0), **tolerance),
                    numeric(dY.sum(axis=0), **tolerance),
                ]
            ),
        )
    )
    return cases


TASK_KINDS = {
    "softmax": TaskKind(activations.softmax, softmax_cases),
    "scaled_dot_product_attention": TaskKind(
        attention.scaled_dot_product_attention, scaled_dot_product_attention_cases
    ),
    "conv2d": TaskKind(conv.conv2d, conv2d_cases),
    "max_pool": TaskKind(conv.max_pool, max_pool_cases),
    "avg_pool": TaskKind(conv.avg_pool, avg_pool_cases),
    "kmeans_step": TaskKind(clustering.kmeans_step, kmeans_step_cases),
    "batch_norm": TaskKind(normalization.batch_norm, batch_norm_cases),
    "batch_norm_backward": TaskKind(normalization.batch_norm_backward, batch_norm_backward_cases),
}
