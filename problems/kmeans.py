"""k-means by hand: one or two Lloyd iterations (assign every point to the
nearest centroid, move every centroid to the mean of its points) and the
within-cluster sum of squares."""

import math

import numpy as np

from tutor import tex
from tutor.answers import Matrix, Number, Vector
from tutor.figures import COLORS, MARKERS, Figure
from tutor.problem import (
    ParameterError,
    Part,
    Solution,
    Step,
    distinct_misconceptions,
    has_distinct_misconceptions,
    integer,
    known_parameters,
    matrix,
    text,
)
from tutor.solutions.clustering import kmeans_step, wcss

from ._figures import square_limits, subscript

ID = "kmeans"
TOPIC = "unsupervised"
TITLE = text("k-means: Lloyd iterations by hand", "k-均值聚类：手算 Lloyd 迭代")
PARAMETERS = {
    "X": text(
        "the points, one per row: n × 2 with n from 2 to 12",
        "样本点，每行一个：n × 2，n 为 2 到 12",
    ),
    "centroids": text(
        "the initial centroids c_1, …, c_k, one per row: k × 2 with 2 ≤ k ≤ min(n, 5)",
        "初始簇中心 c_1, …, c_k，每行一个：k × 2，2 ≤ k ≤ min(n, 5)",
    ),
    "iterations": text(
        "how many Lloyd iterations to carry out: 1 or 2",
        "要做的 Lloyd 迭代次数：1 或 2",
    ),
}

CENTROID_TOLERANCE = {"rtol": 1e-2, "atol": 5e-3}
LABEL_TOLERANCE = {"rtol": 0.0, "atol": 1e-2}
MAX_ENTRY = 1000.0
GRID = 9  # coordinates 0 .. 8
CELLS = np.array([[i // GRID, i % GRID] for i in range(GRID * GRID)])
# Squared distances to the nearest and the second nearest centroid differ by
# at least this much in generated variants: no tie, and no near-tie that
# rounding by hand could flip.
MIN_GAP = 0.5


# --- generation --------------------------------------------------------------------


def _pick(rng, options):
    return options[int(rng.integers(len(options)))]


def generate(rng, difficulty=2):
    if difficulty <= 1:
        n, k, iterations = 6, 2, 1
    elif difficulty == 2:
        k = _pick(rng, [2, 2, 3])
        n, iterations = (7 if k == 3 else _pick(rng, [6, 7])), 1
    else:
        k = _pick(rng, [2, 3, 3])
        n, iterations = _pick(rng, [7, 8]), 2
    # The notes start from k of the points themselves; other exercises give
    # centroids that are not data points. Both occur.
    from_points = rng.random() < 0.5
    # Mostly a configuration where Manhattan distance assigns some point
    # differently, and (two iterations) one that is not yet stable after the
    # first: decided before the redraws, so the shares do not depend on how
    # rare each case is.
    manhattan_matters = rng.random() < 0.75
    moves_again = iterations == 2 and rng.random() < 0.8
    while True:
        X, centroids = _draw(rng, n, k, from_points)
        if difficulty <= 1:  # halves only: most draws need a nudge
            X = _nudge(rng, X, centroids, difficulty)
        if not _clean(X, centroids, iterations, difficulty, manhattan_matters, moves_again):
            continue
        params = {"X": X.tolist(), "centroids": centroids.tolist(), "iterations": iterations}
        if has_distinct_misconceptions(solve(params)):
            return params


def _draw(rng, n, k, from_points):
    """n distinct grid points, most of them near k loose blob centres, and k
    distinct centroids: k of the points, or other grid points."""
    blobs = rng.integers(1, GRID - 1, size=(k, 2))
    nearest = ((CELLS[:, None, :] - blobs[None, :, :]) ** 2).sum(axis=2).min(axis=1)
    # Weighted sampling without replacement: the n largest of
    # log(weight) + Gumbel noise (weight exp(−distance² / 3)).
    order = np.argsort(rng.gumbel(size=len(CELLS)) - nearest / 3.0)[::-1]
    X = CELLS[order[:n]]
    if from_points:
        centroids = X[rng.choice(n, size=k, replace=False)]
    else:
        centroids = CELLS[rng.choice(order[n:], size=k, replace=False)]
    return X.astype(int), centroids.astype(int)


def _denominators(difficulty):
    return (1, 2) if difficulty <= 1 else (1, 2, 3, 4, 5)


def _short(values, difficulty):
    """Coordinates a student writes exactly: halves when easy, else fractions
    with denominators up to 5 (no sevenths or sixths)."""
    return all(
        any(abs(v * q - round(v * q)) < 1e-9 for q in _denominators(difficulty))
        for v in np.ravel(values)
    )


def _nudge(rng, X, centroids, difficulty):
    """Draw backwards towards short means: where a cluster's coordinate sum
    does not divide into a short mean, shift that coordinate of one of its
    points (not a starting centroid) by at most 2. The result is checked
    from scratch afterwards, so a shift that changes the clusters only costs
    a redraw."""
    X = X.copy()
    labels = _distances(X, centroids.astype(float), "euclidean").argmin(axis=1)
    fixed = {tuple(c) for c in centroids.tolist()}
    for j in range(len(centroids)):
        members = [i for i in np.flatnonzero(labels == j) if tuple(X[i].tolist()) not in fixed]
        if not members:
            continue
        size = int(np.sum(labels == j))
        # The mean sum/size is short when size / gcd(size, q) divides the sum.
        step = min(size // math.gcd(size, q) for q in _denominators(difficulty))
        for c in range(X.shape[1]):
            total = int(X[labels == j, c].sum())
            shift = next((s for s in (0, 1, -1, 2, -2) if (total + s) % step == 0), None)
            if shift:
                i = members[int(rng.integers(len(members)))]
                X[i, c] = min(max(X[i, c] + shift, 0), GRID - 1)
    return X


def _clean(X, centroids, iterations, difficulty, manhattan_matters, moves_again):
    """Distinct points, no tie or near-tie in any Euclidean assignment, no
    empty cluster, short coordinates, a median that differs from the mean,
    and the cases asked for. (A tie in Manhattan distance is left to the
    stated rule: it only shapes what the Manhattan slip gives.)"""
    codes = X[:, 0] * GRID + X[:, 1]
    if len(np.unique(codes)) < len(X):
        return False
    current, history = centroids.astype(float), []
    for _ in range(iterations):
        squared = _distances(X, current, "euclidean")
        two = np.partition(squared, 1, axis=1)[:, :2]
        if np.any(two[:, 1] - two[:, 0] < MIN_GAP):
            return False
        labels = squared.argmin(axis=1)
        counts = np.bincount(labels, minlength=len(current))
        if np.any(counts == 0):
            return False
        current = np.array([X[labels == j].mean(axis=0) for j in range(len(current))])
        if not _short(current, difficulty):
            return False
        history.append(labels)
    first = history[0]
    manhattan = _distances(X, centroids.astype(float), "manhattan").argmin(axis=1)
    if manhattan_matters != bool(np.any(first != manhattan)):
        return False
    if iterations == 2 and moves_again != bool(np.any(history[1] != first)):
        return False
    medians = np.array([np.median(X[first == j], axis=0) for j in range(len(centroids))])
    means = np.array([X[first == j].mean(axis=0) for j in range(len(centroids))])
    return bool(np.any(np.abs(medians - means) > 0.1))


# --- parameters ----------------------------------------------------------------------


def _parameters(params):
    known_parameters(params, PARAMETERS)
    X = matrix(params, "X", cols=2, max_size=12)
    n = X.shape[0]
    if n < 2:
        raise ParameterError("X", f"need at least 2 points, got {n}")
    centroids = matrix(params, "centroids", cols=2, max_size=12)
    k = centroids.shape[0]
    if not 2 <= k <= min(n, 5):
        raise ParameterError("centroids", f"expected 2 to {min(n, 5)} centroids, got {k}")
    for name, array in (("X", X), ("centroids", centroids)):
        if np.max(np.abs(array)) > MAX_ENTRY:
            raise ParameterError(name, f"coordinates must lie in [-{MAX_ENTRY:g}, {MAX_ENTRY:g}]")
    iterations = integer(params, "iterations", 1, 2)
    return X, centroids, iterations


# --- the procedure and its wrong versions ------------------------------------------------


def _distances(X, centroids, metric):
    diff = X[:, None, :] - centroids[None, :, :]
    return (diff**2).sum(axis=2) if metric == "euclidean" else np.abs(diff).sum(axis=2)


def _lloyd_variant(X, centroids, iterations, metric="euclidean", centre="mean", empty="keep"):
    """Lloyd's iterations done a student's way: ``metric`` for the assignment
    (first of the nearest on a tie), ``centre`` for the update, and what an
    empty cluster gets ("keep" its centroid, or "zero"). A list of
    (assignments, new centroids) per iteration."""
    history, current = [], centroids.astype(float)
    for _ in range(iterations):
        labels = _distances(X, current, metric).argmin(axis=1)
        new = current.copy()
        for j in range(len(current)):
            members = X[labels == j]
            if len(members):
                new[j] = np.median(members, axis=0) if centre == "median" else members.mean(axis=0)
            elif empty == "zero":
                new[j] = 0.0
        history.append((labels, new))
        current = new
    return history


def _reference(X, centroids, iterations):
    """The right iterations, from the reference functions."""
    history, current = [], centroids
    for _ in range(iterations):
        new, labels = kmeans_step(X, current)
        history.append((labels, new))
        current = new
    return history


FEEDBACK = {
    "manhattan": (
        "You measured closeness with the Manhattan distance |Δx₁| + |Δx₂|; k-means assigns each "
        "point to the centroid with the smallest Euclidean distance √(Δx₁² + Δx₂²).",
        "你用了曼哈顿距离 |Δx₁| + |Δx₂|；k-均值按欧氏距离 √(Δx₁² + Δx₂²) "
        "把每个点分到最近的簇中心。",
    ),
    "zero-based": (
        "Right grouping, but the clusters are numbered 1 to k, not from 0.",
        "分组正确，但簇的编号应从 1 到 k，而不是从 0 开始。",
    ),
    "median": (
        "You took the median of each cluster's coordinates; the k-means centroid is the mean "
        "(the average of the cluster's points).",
        "你取了簇内坐标的中位数；k-均值的簇中心是均值（簇内各点的平均）。",
    ),
    "empty-cluster-zero": (
        "A cluster that no point chose has no mean; it keeps its previous centroid rather than "
        "moving to (0, 0).",
        "没有点的空簇无法求均值；它保留原来的簇中心，而不是移到 (0, 0)。",
    ),
    "not-squared": (
        "You added up the distances; the WCSS adds up the squared distances ‖xᵢ − c‖².",
        "你把距离直接相加了；簇内平方和应把距离的平方 ‖xᵢ − c‖² 相加。",
    ),
    "old-centroids": (
        "You measured against the centroids before the update; the WCSS after the update uses "
        "the new centroids (the cluster means).",
        "你用了更新前的簇中心；更新后的簇内平方和要用新的簇中心（各簇均值）。",
    ),
    "mean-not-sum": (
        "You divided by the number of points; the WCSS is the sum of the squared distances, "
        "not their mean.",
        "你除以了点的个数；簇内平方和是距离平方之和，不是平均值。",
    ),
    "not-updated": (
        "You assigned the points to the initial centroids again; the second iteration assigns "
        "them to the centroids computed in the first.",
        "你又按初始簇中心分配了；第二次迭代应按第一次迭代算出的新簇中心重新分配。",
    ),
}


def _kept(answer, candidates):
    return distinct_misconceptions(answer, candidates, FEEDBACK)


def _labels_answer(labels, wrong):
    """Cluster numbers 1..k, with the mistakes among ``wrong`` (tag → the
    0-based labels a slip gives) and the 0-based numbering itself."""
    right = Vector(labels + 1, **LABEL_TOLERANCE)
    candidates = [(tag, values + 1) for tag, values in wrong.items()]
    candidates.append(("zero-based", labels, 0.5))
    return Vector(labels + 1, **LABEL_TOLERANCE, misconceptions=_kept(right, candidates))


# --- statement and solution ------------------------------------------------------------


def _pair(values):
    return r"\left(" + ", ".join(tex.num(v) for v in values) + r"\right)"


def statement(params):
    X, centroids, iterations = _parameters(params)
    rows = r" \\ ".join(f"{i + 1} & {tex.num(x[0])} & {tex.num(x[1])}" for i, x in enumerate(X))
    table = rf"$$\begin{{array}}{{c|cc}} i & x_{{i1}} & x_{{i2}} \\ \hline {rows} \end{{array}}$$"
    starts = [f"$c_{j + 1} = {_pair(c)}$" for j, c in enumerate(centroids)]
    k = len(centroids)
    if iterations == 1:
        task_en = (
            "Carry out one iteration of k-means: (a) assign every point to its nearest centroid "
            f"(give the cluster numbers 1 to {k}, point by point); (b) compute the updated "
            "centroids (one row per cluster); (c) compute the within-cluster sum of squares "
            r"$J = \sum_i \lVert x_i - c_{a_i} \rVert^2$ of this assignment with the updated "
            "centroids."
        )
        task_zh = (
            "做一次 k-均值迭代：(a) 把每个点分配到最近的簇中心（逐点给出簇编号 1 到 "
            f"{k}）；(b) 求更新后的簇中心（每簇一行）；"
            "(c) 用更新后的簇中心计算这一分配的簇内平方和 "
            r"$J = \sum_i \lVert x_i - c_{a_i} \rVert^2$。"
        )
    else:
        task_en = (
            "Carry out two iterations of k-means. First iteration: (a) assign every point to its "
            f"nearest centroid (cluster numbers 1 to {k}, point by point); (b) compute the updated "
            "centroids (one row per cluster); (c) compute the within-cluster sum of squares "
            r"$J = \sum_i \lVert x_i - c_{a_i} \rVert^2$ of this assignment with the updated "
            "centroids. Second iteration, starting from the updated centroids: (d) the new "
            "assignment; (e) the centroids after it."
        )
        task_zh = (
            "做两次 k-均值迭代。第一次迭代：(a) 把每个点分配到最近的簇中心（逐点给出簇编号 1 到 "
            f"{k}）；(b) 求更新后的簇中心（每簇一行）；"
            "(c) 用更新后的簇中心计算这一分配的簇内平方和 "
            r"$J = \sum_i \lVert x_i - c_{a_i} \rVert^2$。第二次迭代，从更新后的簇中心出发："
            "(d) 新的分配；(e) 再次更新后的簇中心。"
        )
    return text(
        f"Cluster the {len(X)} points below into $k = {k}$ clusters with k-means, starting from "
        f"the centroids {', '.join(starts)}.\n{table}\n{task_en} Distances are Euclidean; "
        "a point equally far from two centroids joins the one with the smaller number, and a "
        "cluster that receives no point keeps its centroid.",
        f"用 k-均值把下面 {len(X)} 个点聚成 $k = {k}$ 个簇，初始簇中心为 {'、'.join(starts)}。"
        f"\n{table}\n{task_zh}距离用欧氏距离；到两个簇中心距离相等的点归入编号较小的簇，"
        "没有分到任何点的簇保留原来的簇中心。",
    )


def solve(params):
    X, centroids, iterations = _parameters(params)
    try:
        history = _reference(X, centroids, iterations)
        labels, updated = history[0]
        cost = wcss(X, updated, labels)
    except ValueError as error:
        raise ParameterError("X", str(error)) from None
    manhattan = _lloyd_variant(X, centroids, iterations, metric="manhattan")
    median = _lloyd_variant(X, centroids, iterations, centre="median")
    zeroed = _lloyd_variant(X, centroids, iterations, empty="zero")
    distances = np.sqrt(((X - updated[labels]) ** 2).sum(axis=1))
    manhattan_labels, manhattan_centroids = manhattan[0]

    centroid_answer = Matrix(updated, **CENTROID_TOLERANCE)
    cost_answer = Number(cost, **CENTROID_TOLERANCE)
    parts = [
        Part(
            "assignments",
            text(
                "cluster of each point after the first assignment (1 to k)",
                "第一次分配后各点所属的簇（1 到 k）",
            ),
            _labels_answer(labels, {"manhattan": manhattan_labels}),
        ),
        Part(
            "centroids",
            text("updated centroids (one row per cluster)", "更新后的簇中心（每簇一行）"),
            Matrix(
                updated,
                **CENTROID_TOLERANCE,
                misconceptions=_kept(
                    centroid_answer,
                    [
                        ("median", median[0][1]),
                        ("manhattan", manhattan_centroids),
                        ("empty-cluster-zero", zeroed[0][1]),
                    ],
                ),
            ),
        ),
        Part(
            "wcss",
            text(
                "within-cluster sum of squares $J$ after the update",
                "更新后的簇内平方和 $J$",
            ),
            Number(
                cost,
                **CENTROID_TOLERANCE,
                misconceptions=_kept(
                    cost_answer,
                    [
                        ("not-squared", float(distances.sum())),
                        ("old-centroids", wcss(X, centroids, labels)),
                        ("mean-not-sum", cost / len(X)),
                        ("median", wcss(X, median[0][1], labels)),
                        ("manhattan", wcss(X, manhattan_centroids, manhattan_labels)),
                    ],
                ),
            ),
        ),
    ]
    if iterations == 2:
        labels_2, updated_2 = history[1]
        parts.append(
            Part(
                "assignments_2",
                text(
                    "cluster of each point in the second iteration",
                    "第二次迭代中各点所属的簇",
                ),
                _labels_answer(
                    labels_2,
                    {"not-updated": labels, "manhattan": manhattan[1][0], "median": median[1][0]},
                ),
            )
        )
        parts.append(
            Part(
                "centroids_2",
                text(
                    "centroids after the second iteration",
                    "第二次迭代后的簇中心",
                ),
                Matrix(
                    updated_2,
                    **CENTROID_TOLERANCE,
                    misconceptions=_kept(
                        Matrix(updated_2, **CENTROID_TOLERANCE),
                        [
                            ("median", median[1][1]),
                            ("manhattan", manhattan[1][1]),
                            ("not-updated", updated),
                            ("empty-cluster-zero", zeroed[1][1]),
                        ],
                    ),
                ),
            )
        )
    steps = _iteration_steps(X, centroids, labels, updated, 1)
    steps.append(_wcss_step(X, updated, labels, cost))
    if iterations == 2:
        steps += _iteration_steps(X, updated, history[1][0], history[1][1], 2)
        if np.array_equal(history[1][0], labels):
            steps.append(
                Step(
                    text(
                        "No point changed cluster, so the centroids stay where they were: "
                        "k-means has converged.",
                        "没有点换簇，簇中心保持不变：k-均值已经收敛。",
                    )
                )
            )
    return Solution(tuple(parts), tuple(steps))


def _iteration_steps(X, centroids, labels, updated, t):
    k = len(centroids)
    squared = _distances(X, centroids, "euclidean")
    head = " & ".join(rf"\lVert x_i - c_{j + 1}^{{({t - 1})}} \rVert^2" for j in range(k))
    rows = r" \\ ".join(
        f"{i + 1} & {_pair(x)} & " + " & ".join(tex.num(v) for v in row) + f" & {labels[i] + 1}"
        for i, (x, row) in enumerate(zip(X, squared))
    )
    table = (
        rf"\begin{{array}}{{c|c|{'c' * k}|c}} i & x_i & {head} & a_i \\ \hline {rows} "
        r"\end{array}"
    )
    first = X[0]
    example = r", \qquad ".join(
        rf"\lVert x_1 - c_{j + 1}^{{({t - 1})}} \rVert^2 = "
        + " + ".join(rf"\left({tex.num(a)} - {tex.paren(b)}\right)^2" for a, b in zip(first, c))
        + f" = {tex.num(squared[0, j])}"
        for j, c in enumerate(centroids)
    )
    means = []
    for j in range(k):
        members = np.flatnonzero(labels == j)
        if len(members) == 0:
            means.append(rf"c_{j + 1}^{{({t})}} = c_{j + 1}^{{({t - 1})}} = {_pair(updated[j])}")
            continue
        total = " + ".join(_pair(X[i]) for i in members)
        means.append(
            rf"c_{j + 1}^{{({t})}} = \frac{{{total}}}{{{len(members)}}} = {_pair(updated[j])}"
        )
    which = ("First", "第一") if t == 1 else ("Second", "第二")
    return [
        Step(
            text(
                f"{which[0]} iteration, assignment: the squared Euclidean distance of every point "
                "to every centroid (squares are enough to find the nearest), for example for "
                "the first point:",
                f"{which[1]}次迭代，分配：计算每个点到每个簇中心的欧氏距离的平方（比较远近用平方即可），"
                "例如第一个点：",
            ),
            example,
        ),
        Step(
            text(
                "All the squared distances; each point joins the nearest centroid:",
                "全部距离的平方；每个点归入最近的簇中心：",
            ),
            table,
        ),
        Step(
            text("The assignment, point by point:", "逐点的分配结果："),
            rf"a^{{({t})}} = {tex.row(labels + 1)}",
        ),
        Step(
            text(
                "Update: each centroid moves to the mean of the points assigned to it:",
                "更新：每个簇中心移到分给它的点的均值：",
            ),
            r", \qquad ".join(means) + rf" \qquad C^{{({t})}} = {tex.matrix(updated)}",
        ),
    ]


def _wcss_step(X, updated, labels, cost):
    terms = [float(((x - updated[j]) ** 2).sum()) for x, j in zip(X, labels)]
    return Step(
        text(
            "The within-cluster sum of squares adds each point's squared distance to its new "
            "centroid:",
            "簇内平方和把每个点到其新簇中心的距离平方相加：",
        ),
        r"J = \sum_{i=1}^{n} \lVert x_i - c_{a_i}^{(1)} \rVert^2 = "
        + " + ".join(tex.num(v) for v in terms)
        + f" = {tex.num(cost)}",
    )


# --- figure ---------------------------------------------------------------------------

MARKER_NAMES = {
    "o": ("circles", "圆点"),
    "s": ("squares", "方块"),
    "^": ("triangles", "三角"),
    "D": ("diamonds", "菱形"),
    "v": ("inverted triangles", "倒三角"),
}


def _plain_pair(values):
    return "(" + ", ".join(tex.plain(v) for v in values) + ")"


PAD = 0.2  # room around the data for the large centroid markers and the labels
# Where a label may go around its mark: the diagonals first, then right, up, left, down.
DIRECTIONS = np.array(
    [[1, 1], [1, -1], [-1, 1], [-1, -1], [1, 0], [0, 1], [-1, 0], [0, -1]], dtype=float
)
DIRECTIONS /= np.linalg.norm(DIRECTIONS, axis=1, keepdims=True)


def _segment_distance(point, start, end):
    span = end - start
    length = float(span @ span)
    t = 0.0 if length == 0 else min(max(float((point - start) @ span) / length, 0.0), 1.0)
    return float(np.linalg.norm(point - start - t * span))


def _free_offset(at, distance, per_point, marks, arrows):
    """The offset (in points) of a label ``distance`` points from ``at`` in
    the direction that keeps it farthest from the marks and the arrows."""
    best, room = DIRECTIONS[0], -1.0
    for direction in DIRECTIONS:
        spot = at + direction * distance * per_point
        near = min(
            np.linalg.norm(marks - spot, axis=1).min(),
            min(_segment_distance(spot, a, b) for a, b in arrows),
        )
        # A small preference for the first directions keeps labels in one place when free.
        if near > room * 1.05:
            best, room = direction, near
    return best * distance


def _label_offsets(X, centroids, updated, per_point):
    """Offsets (in points) of the names of the updated centroids, then of the
    point numbers: each clear of the marks, the arrows and the labels placed
    before it, and a point's number clear of a centroid marker drawn round it."""
    marks = np.vstack([X, centroids, updated])
    arrows = list(zip(centroids, updated))
    offsets = []
    distances = [14] * len(updated)
    for x in X:
        under = np.linalg.norm(np.vstack([centroids, updated]) - x, axis=1).min()
        distances.append(8 if under > 8 * per_point else 12)
    for at, distance in zip(np.vstack([updated, X]), distances):
        offset = _free_offset(at, distance, per_point, marks, arrows)
        marks = np.vstack([marks, at + offset * per_point])
        offsets.append(offset)
    return offsets[: len(updated)], offsets[len(updated) :]


_LABEL = {"textcoords": "offset points", "ha": "center", "va": "center"}


def _edge(color, width=1.6):
    return {"markeredgecolor": color, "markeredgewidth": width, "linestyle": "none"}


def _arrow(color):
    return {"arrowstyle": "-|>", "color": color, "linewidth": 1.3, "shrinkA": 7, "shrinkB": 6}


def figure(params, solution):
    """The first iteration: every point marked (shape and colour) by the
    cluster it joins, the initial centroids hollow, the updated ones filled,
    and an arrow for each move. With two iterations the figure still shows
    the first; the second starts from the filled centroids."""
    X, centroids, iterations = _parameters(params)
    labels, updated = _reference(X, centroids, 1)[0]
    k = len(centroids)

    reach = np.vstack([X, centroids, updated])
    # Data units per point of the page: the square plot is about 215 points high.
    per_point = (1 + 2 * PAD) * max(np.ptp(reach, axis=0).max(), 1e-9) / 215
    name_offsets, number_offsets = _label_offsets(X, centroids, updated, per_point)

    def draw(ax):
        for j in range(k):
            ax.plot(
                *X[labels == j].T,
                MARKERS[j],
                color=COLORS[j],
                markersize=6,
                linestyle="none",
                label=f"C{subscript(j + 1)}",
            )
        for j, (old, new) in enumerate(zip(centroids, updated)):
            ax.plot(*old, MARKERS[j], markersize=14, markerfacecolor="none", **_edge(COLORS[j]))
            if np.linalg.norm(new - old) > 1e-9:
                ax.annotate("", new, old, arrowprops=_arrow(COLORS[j]))
            ax.plot(*new, MARKERS[j], markersize=10, color=COLORS[j], **_edge("black", 0.8))
            name = f"c{subscript(j + 1)}"
            ax.annotate(name, new, xytext=name_offsets[j], fontsize=11, style="italic", **_LABEL)
        for i, (x, offset) in enumerate(zip(X, number_offsets), 1):
            ax.annotate(str(i), x, xytext=offset, fontsize=8, color="#333333", **_LABEL)
        hollow = {"markerfacecolor": "none", **_edge("black")}
        ax.plot([], [], "o", markersize=10, **hollow, label="c\u2c7c\u207d\u2070\u207e")
        filled = {"color": "#777777", **_edge("black", 0.8)}
        ax.plot([], [], "o", markersize=8, **filled, label="c\u2c7c\u207d\u00b9\u207e")
        square_limits(ax, reach, pad=PAD)
        legend = ax.legend(
            loc="upper left",
            bbox_to_anchor=(1.02, 1),
            borderaxespad=0,
            labelspacing=0.8,
            fontsize=10,
        )
        for name in legend.get_texts():
            name.set_fontstyle("italic")

    clusters_en, clusters_zh, moves_en, moves_zh = [], [], [], []
    for j in range(k):
        members = np.flatnonzero(labels == j)
        listed = ", ".join(f"x{i + 1} {_plain_pair(X[i])}" for i in members) or "no point"
        listed_zh = "，".join(f"x{i + 1} {_plain_pair(X[i])}" for i in members) or "没有点"
        shape_en, shape_zh = MARKER_NAMES[MARKERS[j]]
        clusters_en.append(f"cluster {j + 1} ({shape_en}): {listed}")
        clusters_zh.append(f"第 {j + 1} 簇（{shape_zh}）：{listed_zh}")
        old, new = _plain_pair(centroids[j]), _plain_pair(updated[j])
        moves_en.append(f"c{j + 1} from {old} to {new}")
        moves_zh.append(f"c{j + 1} 从 {old} 到 {new}")
    alt = text(
        f"Scatter plot of the {len(X)} points, each marked by the cluster of the first "
        f"assignment: {'; '.join(clusters_en)}. The centroids move from the hollow to the "
        f"filled markers: {'; '.join(moves_en)}.",
        f"{len(X)} 个点的散点图，按第一次分配的簇标记：{'；'.join(clusters_zh)}。"
        f"簇中心从空心标记移到实心标记：{'；'.join(moves_zh)}。",
    )
    caption = text(
        "The first iteration. Each point (numbered as in the table) is marked by the cluster "
        "of its nearest initial centroid; the hollow markers are the initial centroids "
        "$c_j^{(0)}$, the filled ones the cluster means $c_j^{(1)}$ they move to (arrows)."
        + (" The second iteration starts from the filled centroids." if iterations == 2 else ""),
        "第一次迭代。每个点（编号同表中）按离它最近的初始簇中心所在的簇标记；空心标记是初始簇中心 "
        "$c_j^{(0)}$，实心标记是它们移到的簇均值 $c_j^{(1)}$（箭头）。"
        + ("第二次迭代从实心的簇中心出发。" if iterations == 2 else ""),
    )
    return Figure(draw, caption, alt)
