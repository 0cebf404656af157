"""Distances, cosine similarity and the k-nearest-neighbour vote by hand."""

import numpy as np

from tutor import tex
from tutor.answers import Choice, Misconception, Number, Vector
from tutor.figures import COLORS, DASHES, MARKERS, Figure, subscript
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
    number,
    text,
    vector,
)
from tutor.solutions.neighbours import (
    cosine_similarity,
    knn_neighbours,
    knn_predict,
    minkowski_distance,
)

from ._figures import square_limits

ID = "knn"
TOPIC = "classical-models"
TITLE = text("Distances and the k-nearest-neighbour vote", "距离度量与 K 近邻投票")
PARAMETERS = {
    "X": text(
        "the training points, one per row: n × d with n from 2 to 10 and d from 1 to 4",
        "训练样本，每行一个：n × d，n 为 2 到 10，d 为 1 到 4",
    ),
    "y": text(
        "the class of each training point (short names such as A, B, C)",
        "每个训练样本的类别（简短的名称，如 A、B、C）",
    ),
    "x": text("the query point (d numbers)", "待分类的查询点（d 个数）"),
    "k": text("the number of neighbours that vote, from 1 to n", "参与投票的近邻个数，1 到 n"),
    "u": text(
        "the first vector of the cosine similarity (1 to 4 numbers, not all 0)",
        "计算余弦相似度的第一个向量（1 到 4 个数，不全为 0）",
    ),
    "v": text(
        "the second vector of the cosine similarity (as long as u, not all 0)",
        "计算余弦相似度的第二个向量（与 u 等长，不全为 0）",
    ),
    "point": text(
        "optional: the training point (1 to n) whose Manhattan (and Minkowski) distance is "
        "asked; without it, the distances to every training point are asked",
        "可选：要求曼哈顿（及闵可夫斯基）距离的训练样本编号（1 到 n）；"
        "不给出时求到每个训练样本的距离",
    ),
    "p": text(
        "optional: the order p ≥ 1 of a Minkowski distance to ask for as well",
        "可选：另外要求的闵可夫斯基距离的阶数 p ≥ 1",
    ),
}
OPTIONAL = {"point", "p"}

TOLERANCE = {"rtol": 1e-2, "atol": 2e-3}
CLASS_NAMES = ("A", "B", "C")
MAX_LABEL = 12


def _choice(rng, options, weights=None):
    """One of ``options`` as a plain Python value (rng.choice returns numpy types)."""
    return options[int(rng.choice(len(options), p=weights))]


def generate(rng, difficulty=2):
    if difficulty <= 1:
        n, k, n_classes, dim = 5, 3, 2, 2
        named, with_p, tie = True, False, False
    elif difficulty == 2:
        k = _choice(rng, [3, 3, 5])
        n = _choice(rng, [6, 7]) if k == 5 else _choice(rng, [5, 6])
        n_classes, dim = 2, _choice(rng, [2, 3])
        with_p = rng.random() < 0.25
        named = with_p or rng.random() < 0.35
        tie = rng.random() < 0.25
    else:
        k = _choice(rng, [3, 5])
        n = 7 if k == 5 else _choice(rng, [6, 7])
        n_classes, dim = _choice(rng, [2, 3]), 3
        with_p = rng.random() < 0.7
        named = with_p or rng.random() < 0.4
        tie = rng.random() < 0.5
    # Mostly a vote that a wrong k or a wrong tie rule gets wrong: decided
    # before the redraws, so that the share does not depend on how rare it is.
    vote_matters = rng.random() < 0.8
    while True:
        params = _draw(rng, n, k, n_classes, dim, named, with_p)
        if not _interesting(params, tie):
            continue
        solution = solve(params)
        if vote_matters and not solution.parts[-1].answer.misconceptions:
            continue
        if has_distinct_misconceptions(solution):
            return params


def _draw(rng, n, k, n_classes, dim, named, with_p):
    cells = rng.choice(49, size=n + 1, replace=False)  # distinct points of a 7 × 7 grid
    points = [[int(c // 7), int(c % 7)] for c in cells]
    labels = [CLASS_NAMES[i % n_classes] for i in range(n)]
    labels = [labels[i] for i in rng.permutation(n)]
    u = rng.integers(-3, 5, size=dim).tolist()
    v = rng.integers(-3, 5, size=dim).tolist()
    params = {"X": points[:n], "y": labels, "x": points[n], "k": k, "u": u, "v": v}
    if named:
        params["point"] = int(rng.integers(1, n + 1))
    if with_p:
        params["p"] = 3
    return params


def _interesting(params, tie):
    """Cosine vectors that are neither parallel nor orthogonal, a vote that a
    too-small or too-large k would get wrong (or a tie that the stated rule
    settles), and, when asked for, a tie in distance or in the vote."""
    u, v = np.array(params["u"], dtype=float), np.array(params["v"], dtype=float)
    if not (np.any(u) and np.any(v)):
        return False
    cos = u @ v / (np.linalg.norm(u) * np.linalg.norm(v))
    if abs(cos) < 0.15 or abs(cos) > 0.97:
        return False
    X, x = np.array(params["X"], dtype=float), np.array(params["x"], dtype=float)
    squares = ((X - x) ** 2).sum(axis=1)
    order = np.argsort(squares, kind="stable")
    k = params["k"]
    distance_tie = len(squares) > k and squares[order[k - 1]] == squares[order[k]]
    labels = [params["y"][i] for i in order[:k]]
    counts = sorted((labels.count(c) for c in set(labels)), reverse=True)
    vote_tie = len(counts) > 1 and counts[0] == counts[1]
    if tie != (distance_tie or vote_tie):
        return False
    # A named point next to the query makes its distances trivial.
    return "point" not in params or squares[params["point"] - 1] > 2


def _labels(params, n):
    labels = params.get("y")
    if not isinstance(labels, list) or len(labels) != n:
        raise ParameterError("y", f"expected a list of {n} class names")
    for label in labels:
        if isinstance(label, bool) or not isinstance(label, (str, int)):
            raise ParameterError("y", f"class names must be words or whole numbers, got {label!r}")
        if not str(label) or len(str(label)) > MAX_LABEL or not str(label).isalnum():
            raise ParameterError("y", f"{label!r}: use 1 to {MAX_LABEL} letters or digits")
    if len({type(label) for label in labels}) > 1:
        raise ParameterError("y", "class names must be all words or all numbers")
    return labels


def _data(params):
    known_parameters(params, PARAMETERS)
    X = matrix(params, "X", max_size=10)
    n, d = X.shape
    if n < 2 or d > 4:
        raise ParameterError("X", f"expected 2 to 10 points of 1 to 4 coordinates, got {n} × {d}")
    y = _labels(params, n)
    x = vector(params, "x", size=d)
    k = integer(params, "k", 1, n)
    u = vector(params, "u", max_size=4)
    v = vector(params, "v", size=u.size)
    for name, w in (("u", u), ("v", v)):
        if not np.any(w):
            raise ParameterError(name, "a zero vector has no direction: the cosine is undefined")
    point = integer(params, "point", 1, n) if params.get("point") is not None else None
    p = number(params, "p", 1.0, 100.0) if params.get("p") is not None else None
    return X, y, x, k, u, v, point, p


def statement(params):
    X, y, x, k, u, v, point, p = _data(params)
    d = X.shape[1]
    head = " & ".join(f"x^{{(i)}}_{{{j + 1}}}" for j in range(d))
    rows = r" \\ ".join(
        f"{i + 1} & " + " & ".join(tex.num(c) for c in row) + rf" & \text{{{label}}}"
        for i, (row, label) in enumerate(zip(X, y))
    )
    table = (
        rf"$$\begin{{array}}{{c|{'c' * d}|c}} i & {head} & \text{{class}} \\ \hline {rows}"
        r" \end{array}$$"
    )
    query = _point(x)
    if point is None:
        where_en, where_zh = "to every training point", "到每个训练样本的"
    else:
        where_en, where_zh = f"to training point {point}", f"到训练样本 {point} 的"
    minkowski_en = minkowski_zh = ""
    if p is not None:
        minkowski_en = f", the Minkowski distance of order $p = {tex.num(p)}$ {where_en}"
        minkowski_zh = f"、{where_zh} $p = {tex.num(p)}$ 阶闵可夫斯基距离"
    return text(
        f"A $k$-nearest-neighbour classifier has the {len(X)} training points below.\n{table}\n"
        f"For the query $x = {query}$ give the Euclidean distances to every training point, "
        f"the Manhattan distance {where_en}{minkowski_en}, and the class that the vote of the "
        f"$k = {k}$ nearest neighbours (by Euclidean distance) predicts. Ties: points at equal "
        "distance are taken in training order, and a tied vote goes to the class of the "
        "nearest neighbour among the tied classes. Also give the cosine similarity of "
        f"$u = {_point(u)}$ and $v = {_point(v)}$.",
        f"$k$ 近邻分类器的 {len(X)} 个训练样本如下。\n{table}\n"
        f"对查询点 $x = {query}$，求它到每个训练样本的欧氏距离、{where_zh}曼哈顿距离"
        f"{minkowski_zh}，以及按欧氏距离取 $k = {k}$ 个最近邻投票所预测的类别。平局规则："
        "距离相同的样本按训练顺序取前者；票数相同时，取这些并列类别中离查询点最近的那个近邻的类别。"
        f"另求 $u = {_point(u)}$ 与 $v = {_point(v)}$ 的余弦相似度。",
    )


def _point(values):
    return r"\left(" + ", ".join(tex.num(c) for c in values) + r"\right)"


FEEDBACK = {
    "no-square-root": (
        "These are the squared distances: the Euclidean distance is the square root of the "
        "sum of squared differences.",
        "这是距离的平方：欧氏距离是各坐标差的平方和再开平方根。",
    ),
    "no-abs": (
        "The Manhattan distance adds the absolute differences |a_i − b_i|; without the "
        "absolute values, differences of opposite signs cancel.",
        "曼哈顿距离是各坐标差的绝对值 |a_i − b_i| 之和；不取绝对值，正负差会相互抵消。",
    ),
    "missing-root": (
        "You forgot the outer root: the Minkowski distance is (Σ|a_i − b_i|^p)^(1/p).",
        "你漏了最外层的开方：闵可夫斯基距离是 (Σ|a_i − b_i|^p)^(1/p)。",
    ),
    "wrong-root": (
        "The root must match the power: take the p-th root of Σ|a_i − b_i|^p, not the square root.",
        "开方的次数要与幂次一致：对 Σ|a_i − b_i|^p 开 p 次方，而不是开平方。",
    ),
    "dot-product": (
        "That is the dot product u·v; the cosine divides it by the lengths ‖u‖‖v‖.",
        "这是点积 u·v；余弦相似度还要除以两向量的长度 ‖u‖‖v‖。",
    ),
    "cosine-distance": (
        "That is the cosine distance 1 − cos θ; the similarity is cos θ = u·v / (‖u‖‖v‖).",
        "这是余弦距离 1 − cos θ；余弦相似度是 cos θ = u·v / (‖u‖‖v‖)。",
    ),
}


def _kept(answer, right, candidates):
    return distinct_misconceptions(answer(right), candidates, FEEDBACK)


def _vote(labels):
    """Votes per class, nearest first, and the winner by the stated rule."""
    votes = {}
    for label in labels:
        votes[label] = votes.get(label, 0) + 1
    top = max(votes.values())
    return votes, next(label for label, count in votes.items() if count == top)


def _tie_alternatives(squares, y, k):
    """Classes that other tie rules would predict: equally distant points
    taken latest first, or a tied vote given to another of the tied classes."""
    n = len(y)
    late_first = sorted(range(n), key=lambda i: (squares[i], -i))[:k]
    alternatives = [_vote([y[i] for i in late_first])[1]]
    votes, _ = _vote([y[i] for i in np.argsort(squares, kind="stable")[:k]])
    top = max(votes.values())
    alternatives += [label for label, count in votes.items() if count == top]
    return alternatives


def _distance_answer(values, point):
    """The distances to every training point, or to the named one."""
    return values if point is None else values[point - 1]


def solve(params):
    X, y, x, k, u, v, point, p = _data(params)
    n = len(X)
    try:
        euclidean = np.array([minkowski_distance(row, x, 2) for row in X])
        manhattan = np.array([minkowski_distance(row, x, 1) for row in X])
        minkowski = None if p is None else np.array([minkowski_distance(row, x, p) for row in X])
        cosine = cosine_similarity(u, v)
        prediction = knn_predict(X, y, x, k)
        nearest = knn_neighbours(X, x, k)
    except ValueError as error:
        raise ParameterError("X", str(error)) from None
    diffs = X - x

    def value_answer(value, misconceptions=()):
        kind = Vector if np.ndim(value) else Number
        return kind(value, **TOLERANCE, misconceptions=misconceptions)

    def pick(values):
        chosen = _distance_answer(np.asarray(values, dtype=float), point)
        return chosen.tolist() if np.ndim(chosen) else float(chosen)

    parts = [
        Part(
            "euclidean",
            text("Euclidean distances to every training point", "到每个训练样本的欧氏距离"),
            value_answer(
                euclidean, _kept(value_answer, euclidean, [("no-square-root", euclidean**2)])
            ),
        ),
        Part(
            "manhattan",
            text(
                "Manhattan distance" + (f" to point {point}" if point else "s to every point"),
                (f"到样本 {point} 的" if point else "到每个样本的") + "曼哈顿距离",
            ),
            value_answer(
                pick(manhattan),
                _kept(
                    value_answer,
                    pick(manhattan),
                    [("no-abs", pick(diffs.sum(axis=1))), ("no-abs", pick(-diffs.sum(axis=1)))],
                ),
            ),
        ),
    ]
    if p is not None:
        powered = (np.abs(diffs) ** p).sum(axis=1)
        parts.append(
            Part(
                "minkowski",
                text(
                    f"Minkowski distance ($p = {tex.num(p)}$)"
                    + (f" to point {point}" if point else " to every point"),
                    (f"到样本 {point} 的" if point else "到每个样本的")
                    + f"闵可夫斯基距离（$p = {tex.num(p)}$）",
                ),
                value_answer(
                    pick(minkowski),
                    _kept(
                        value_answer,
                        pick(minkowski),
                        [("missing-root", pick(powered)), ("wrong-root", pick(np.sqrt(powered)))],
                    ),
                ),
            )
        )
    dot = float(u @ v)
    parts.append(
        Part(
            "cosine",
            text("cosine similarity of $u$ and $v$", "$u$ 与 $v$ 的余弦相似度"),
            value_answer(
                cosine,
                _kept(
                    value_answer, cosine, [("dot-product", dot), ("cosine-distance", 1 - cosine)]
                ),
            ),
        )
    )

    squares = (diffs**2).sum(axis=1)
    # A tie comes first: when the vote is tied, another of the tied classes is
    # most likely the stated tie rule misapplied, whatever k + 1 would give.
    wrong = [("tie-rule", label) for label in _tie_alternatives(squares, y, k)]
    if k + 1 <= n:
        wrong.append(("k-plus-one", knn_predict(X, y, x, k + 1)))
    if k > 1:
        wrong.append(("nearest-only", knn_predict(X, y, x, 1)))
    classes = sorted(set(y))
    named, prediction_mistakes = {prediction}, []
    for tag, label in wrong:
        if label in named:
            continue
        named.add(label)
        prediction_mistakes.append(Misconception(tag, str(label), *_vote_feedback(tag, k, label)))
    parts.append(
        Part(
            "prediction",
            text(f"class predicted by the {k}-NN vote", f"{k}-NN 投票预测的类别"),
            Choice(tuple(str(c) for c in classes), str(prediction), tuple(prediction_mistakes)),
        )
    )
    steps = _steps(X, y, x, k, u, v, point, p, euclidean, manhattan, minkowski, cosine)
    steps += _vote_steps(X, y, k, euclidean, nearest, prediction)
    return Solution(tuple(parts), tuple(steps))


def _vote_feedback(tag, k, label):
    if tag == "k-plus-one":
        return (
            f"That is the vote of the {k + 1} nearest points: exactly k = {k} neighbours vote.",
            f"这是 {k + 1} 个最近邻的投票结果：参与投票的恰好是 k = {k} 个近邻。",
        )
    if tag == "nearest-only":
        return (
            f"{label} is the class of the single nearest point; with k = {k} the {k} nearest "
            "points vote.",
            f"{label} 只是最近的一个样本的类别；k = {k} 时要由最近的 {k} 个样本投票。",
        )
    return (
        "Apply the stated tie rules: equally distant points are taken in training order, and a "
        "tied vote goes to the class of the nearest neighbour among the tied classes.",
        "按题目给出的平局规则：距离相同的样本按训练顺序取前者；票数相同时取并列类别中最近邻的类别。",
    )


def _lines(lines):
    """Several equations stacked in one display."""
    return r"\begin{array}{l} " + r" \\ ".join(lines) + r" \end{array}"


def _differences(row, x, power, absolute):
    bar = "|" if absolute else ""
    power_text = f"^{{{power}}}" if power != 1 else ""
    open_, close = (r"\left(", r"\right)") if not absolute else (bar, bar)
    return " + ".join(
        f"{open_}{tex.num(a)} - {tex.paren(b)}{close}{power_text}" for a, b in zip(row, x)
    )


def _steps(X, y, x, k, u, v, point, p, euclidean, manhattan, minkowski, cosine):
    steps = [
        Step(
            text(
                "Euclidean distance to each training point, "
                "$d_2(x, x^{(i)}) = \\sqrt{\\sum_j (x^{(i)}_j - x_j)^2}$:",
                "到每个训练样本的欧氏距离 "
                "$d_2(x, x^{(i)}) = \\sqrt{\\sum_j (x^{(i)}_j - x_j)^2}$：",
            ),
            _lines(
                [
                    rf"d_2(x, x^{{({i + 1})}}) = \sqrt{{{_differences(row, x, 2, False)}}} = "
                    rf"\sqrt{{{tex.num(dist**2)}}} = {tex.num(dist)}"
                    for i, (row, dist) in enumerate(zip(X, euclidean))
                ]
            ),
        )
    ]
    chosen = range(len(X)) if point is None else [point - 1]
    steps.append(
        Step(
            text(
                "Manhattan distance, the sum of absolute differences "
                "$d_1(x, x^{(i)}) = \\sum_j |x^{(i)}_j - x_j|$:",
                "曼哈顿距离，即各坐标差的绝对值之和 "
                "$d_1(x, x^{(i)}) = \\sum_j |x^{(i)}_j - x_j|$：",
            ),
            _lines(
                [
                    rf"d_1(x, x^{{({i + 1})}}) = {_differences(X[i], x, 1, True)} = "
                    rf"{tex.num(manhattan[i])}"
                    for i in chosen
                ]
            ),
        )
    )
    if p is not None:
        pp = tex.num(p)
        steps.append(
            Step(
                text(
                    f"Minkowski distance of order $p = {pp}$, "
                    "$d_p(x, x^{(i)}) = \\left(\\sum_j |x^{(i)}_j - x_j|^{p}\\right)^{1/p}$:",
                    f"$p = {pp}$ 阶闵可夫斯基距离 "
                    "$d_p(x, x^{(i)}) = \\left(\\sum_j |x^{(i)}_j - x_j|^{p}\\right)^{1/p}$：",
                ),
                _lines(
                    [
                        rf"d_{{{pp}}}(x, x^{{({i + 1})}}) = \left({_differences(X[i], x, pp, True)}"
                        rf"\right)^{{1/{pp}}} = "
                        rf"{tex.num(float(np.sum(np.abs(X[i] - x) ** p)))}^{{1/{pp}}} = "
                        rf"{tex.num(minkowski[i])}"
                        for i in chosen
                    ]
                ),
            )
        )
    dot = float(u @ v)
    products = " + ".join(f"{tex.paren(a)} \\cdot {tex.paren(b)}" for a, b in zip(u, v))
    squares_u = " + ".join(f"{tex.paren(a)}^2" for a in u)
    squares_v = " + ".join(f"{tex.paren(b)}^2" for b in v)
    steps.append(
        Step(
            text(
                "The cosine similarity divides the dot product by both lengths:",
                "余弦相似度是点积除以两个向量的长度：",
            ),
            rf"\cos(u, v) = \frac{{u \cdot v}}{{\lVert u \rVert \, \lVert v \rVert}} = "
            rf"\frac{{{products}}}{{\sqrt{{{squares_u}}} \, \sqrt{{{squares_v}}}}} = "
            rf"\frac{{{tex.num(dot)}}}{{\sqrt{{{tex.num(u @ u)}}} \, \sqrt{{{tex.num(v @ v)}}}}}"
            rf" = {tex.num(cosine)}",
        )
    )
    return steps


def _vote_steps(X, y, k, euclidean, nearest, prediction):
    order = np.argsort(euclidean, kind="stable")
    ranking = ", ".join(
        rf"x^{{({i + 1})}}\,({tex.num(euclidean[i])}, \text{{{y[i]}}})" for i in order
    )
    votes, _ = _vote([y[i] for i in nearest])
    counts = r", \quad ".join(rf"\text{{{label}}}: {count}" for label, count in votes.items())
    top = max(votes.values())
    tied = [label for label, count in votes.items() if count == top]
    boundary = len(X) > k and euclidean[order[k - 1]] == euclidean[order[k]]
    notes_en, notes_zh = [], []
    if boundary:
        notes_en.append(
            f"Points {order[k - 1] + 1} and {order[k] + 1} are equally far: training order "
            f"keeps point {min(order[k - 1], order[k]) + 1} among the {k}."
        )
        notes_zh.append(
            f"样本 {order[k - 1] + 1} 与 {order[k] + 1} 距离相同：按训练顺序保留样本 "
            f"{min(order[k - 1], order[k]) + 1}。"
        )
    if len(tied) > 1:
        names = ", ".join(str(t) for t in tied)
        notes_en.append(
            f"The vote is tied between {names}: the nearest neighbour among them is of class "
            f"{prediction}."
        )
        notes_zh.append(f"{names} 票数相同：其中离查询点最近的近邻属于类别 {prediction}。")
    return [
        Step(
            text(
                "Sort the training points by Euclidean distance (equal distances in training "
                "order): point (distance, class):",
                "按欧氏距离从小到大排列训练样本（距离相同按训练顺序）：样本（距离，类别）：",
            ),
            ranking,
        ),
        Step(
            text(
                " ".join([f"The {k} nearest vote.", *notes_en]),
                f"最近的 {k} 个样本投票。" + "".join(notes_zh),
            ),
            rf"{counts} \;\Rightarrow\; \hat{{y}} = \text{{{prediction}}}",
        ),
    ]


# More markers than the palette has, for user data with many classes.
CLASS_MARKERS = (*MARKERS, "P", "X", "<", ">", "h")
GREY = "#777777"


def figure(params, solution):
    """The training points by class, the query, its k nearest neighbours by
    Euclidean distance (ringed, and in the plane joined to the query) and the
    circle (with one feature, the interval) of their largest distance; the
    vote and the predicted class in the caption. Data of more than two
    dimensions give None: a plane cannot show their distances faithfully."""
    X, y, x, k, *_ = _data(params)
    d = X.shape[1]
    if d > 2:
        return None
    nearest = knn_neighbours(X, x, k)
    prediction = knn_predict(X, y, x, k)
    distances = np.array([minkowski_distance(row, x, 2) for row in X])
    radius = float(distances[nearest[-1]])
    classes = sorted(set(y), key=str)
    draw = _neighbour_plot(X, y, x, nearest, radius, classes)
    caption, alt = _figure_text(X, y, x, k, nearest, distances, prediction, classes)
    return Figure(draw, caption, alt, size=(5.4, 3.4) if d == 2 else (5.4, 2.0))


def _neighbour_plot(X, y, x, nearest, radius, classes):
    """draw(ax) for the points (on the axis when d = 1) and the query's neighbourhood."""
    plane = X.shape[1] == 2
    points = X if plane else np.column_stack([X[:, 0], np.zeros(len(X))])
    query = x if plane else np.array([x[0], 0.0])
    reach_label = f"r = {tex.plain(radius)}"

    def draw(ax):
        if plane:
            for i in nearest:
                ax.plot(*zip(query, points[i]), DASHES[2], color=GREY, linewidth=1)
            angles = np.linspace(0, 2 * np.pi, 121)
            reach = query + radius * np.column_stack([np.cos(angles), np.sin(angles)])
            ax.plot(*reach.T, DASHES[1], color=COLORS[4], linewidth=1.2, label=reach_label)
        else:
            reach = np.array([[x[0] - radius, -0.45], [x[0] + radius, -0.45]])
            ax.plot(*reach.T, DASHES[1], color=COLORS[4], linewidth=1.2, label=reach_label)
            ax.plot(*reach.T, "|", color=COLORS[4], markersize=10)
            ax.axhline(0, color=GREY, linewidth=0.8)
        ax.plot(
            *points[nearest].T,
            "o",
            markersize=14,
            markerfacecolor="none",
            markeredgecolor="black",
            markeredgewidth=1,
            linestyle="none",
            label=f"N{subscript(len(nearest))}(x)",
        )
        for j, label in enumerate(classes):
            chosen = [i for i, c in enumerate(y) if c == label]
            ax.plot(
                *points[chosen].T,
                CLASS_MARKERS[j % len(CLASS_MARKERS)],
                color=COLORS[j % len(COLORS)],
                markersize=6,
                linestyle="none",
                label=str(label),
            )
        for i, point in enumerate(points, 1):
            ax.annotate(str(i), point, textcoords="offset points", xytext=(7, 6), fontsize=7)
        ax.plot(*query, "*", color="black", markersize=12, linestyle="none", label="x")
        ax.set_xlabel("x₁", fontstyle="italic")
        if plane:
            square_limits(ax, np.vstack([points, reach]))
            ax.set_ylabel("x₂", fontstyle="italic")
        else:
            span = np.concatenate([points[:, 0], reach[:, 0]])
            pad = 0.08 * max(span.max() - span.min(), 1e-9)
            ax.set_xlim(span.min() - pad, span.max() + pad)
            ax.set_ylim(-1, 1)
            ax.set_yticks([])
        legend = ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), borderaxespad=0)
        legend.get_texts()[-1].set_fontstyle("italic")  # the query x, apart from a class "x"

    return draw


def _figure_text(X, y, x, k, nearest, distances, prediction, classes):
    """The caption and the alt text of the figure, in both languages."""
    plane = X.shape[1] == 2
    votes, _ = _vote([y[i] for i in nearest])
    top = max(votes.values())
    order = np.argsort(distances, kind="stable")
    notes_en = notes_zh = ""
    if len(X) > k and distances[order[k - 1]] == distances[order[k]]:
        notes_en += " Points as far as the last neighbour are taken in training order."
        notes_zh += "与最后一个近邻同样远的点按训练顺序取舍。"
    if list(votes.values()).count(top) > 1:
        notes_en += " The tied vote goes to the class of the nearest neighbour among the tied."
        notes_zh += "票数相同时取并列类别中最近邻的类别。"
    radius = tex.plain(distances[nearest[-1]])
    shape, shape_zh = ("circle", "圆") if plane else ("interval", "区间")
    joined = joined_zh = joined_alt = joined_alt_zh = ""
    if plane:
        joined, joined_zh = ", joined to $x$ by dotted lines", "并用点线连到 $x$"
        joined_alt, joined_alt_zh = ", joined to it by dotted lines,", "并用点线连到查询点"
    votes_en = ", ".join(f"{label} {count}" for label, count in votes.items())
    votes_zh = "，".join(f"{label} {count} 票" for label, count in votes.items())
    caption = text(
        f"The training points by class, the query $x$ (star) and its $k = {k}$ nearest "
        f"neighbours by Euclidean distance (ringed{joined}), within the dashed {shape} of "
        f"radius {radius} about $x$. Their vote: {votes_en}, so the prediction is "
        f"{prediction}.{notes_en}",
        f"按类别画出的训练样本、查询点 $x$（星形）及其按欧氏距离的 $k = {k}$ 个最近邻"
        f"（加外圈{joined_zh}），都在以 $x$ 为中心、半径 {radius} 的虚线{shape_zh}内。"
        f"投票：{votes_zh}，预测类别为 {prediction}。{notes_zh}",
    )
    query = ", ".join(tex.plain(c) for c in x)
    listed = ", ".join(f"{i + 1} ({y[i]}, {tex.plain(distances[i])})" for i in nearest)
    names, names_zh = ", ".join(map(str, classes)), "、".join(map(str, classes))
    ringed = f"its {k} nearest neighbours, points {listed} (class, distance), are ringed"
    if k == 1:
        ringed = f"its nearest neighbour, point {listed} (class, distance), is ringed"
    alt = text(
        f"Plot of the {len(X)} training points {'in the plane' if plane else 'on a line'}, one "
        f"marker per class ({names}), and the query ({query}) as a star; {ringed}{joined_alt} "
        f"and within a dashed {shape} of radius {radius}. Predicted class: {prediction}.",
        f"图中画出 {len(X)} 个训练样本（每个类别一种标记：{names_zh}）和查询点 ({query})"
        f"（星形）；它的 {k} 个最近邻为样本 {listed}（类别，距离），加了外圈{joined_alt_zh}，"
        f"位于半径 {radius} 的虚线{shape_zh}内。预测类别：{prediction}。",
    )
    return caption, alt
