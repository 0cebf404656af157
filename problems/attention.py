"""Scaled dot-product attention by hand: the scaled scores, the softmax
weights, the weighted values, and what the scaling by 1/√d changes."""

from dataclasses import dataclass

import numpy as np

from tutor import tex
from tutor.answers import Matrix, Vector
from tutor.problem import (
    ParameterError,
    Part,
    Solution,
    Step,
    distinct_misconceptions,
    integer,
    known_parameters,
    matrix,
    text,
    vector,
)
from tutor.solutions.activations import softmax
from tutor.solutions.attention import (
    attention_from_scores,
    attention_scores,
    attention_weights,
    scale_attention_scores,
    scaled_dot_product_attention,
)

ID = "attention"
TOPIC = "sequence-models"
TITLE = text("Scaled dot-product attention", "缩放点积注意力")
PARAMETERS = {
    "Q": text(
        "the queries, one token per row (n × d_k, at most 4 × 8); with K, instead of scores",
        "查询矩阵，每行一个词元（n × d_k，至多 4 × 8）；与 K 一起给出，代替 scores",
    ),
    "K": text(
        "the keys, one per row (m × d_k, at most 6 rows), as many columns as Q",
        "键矩阵，每行一个（m × d_k，至多 6 行），列数与 Q 相同",
    ),
    "V": text(
        "optional: the values, one row per key (at most 6 columns); asks for the output",
        "可选：值矩阵，每个键一行（至多 6 列）；给出时求注意力输出",
    ),
    "scores": text(
        "instead of Q and K: the raw dot products q·k, one query's list or one row per query "
        "(at most 4 × 6, |entries| ≤ 1000), with d",
        "代替 Q 和 K：未缩放的点积 q·k，一个查询的列表或每个查询一行"
        "（至多 4 × 6，绝对值 ≤ 1000），与 d 一起给出",
    ),
    "d": text(
        "the dimension of queries and keys, a whole number 1 to 10000, needed with scores "
        "(with Q and K it is their number of columns)",
        "查询和键的维度，1 到 10000 的整数，使用 scores 时必需（使用 Q 和 K 时即它们的列数）",
    ),
}
OPTIONAL = {"Q", "K", "V", "scores", "d"}  # Q and K, or scores and d; V asks for the output

TOLERANCE = {"rtol": 1e-2, "atol": 2e-3}
MAX_SCORE = 1000.0
# Square dimensions keep √d whole, so that scores drawn backwards stay short.
SQUARE_DIMENSIONS = (4, 9, 16, 25, 64, 100)


@dataclass(frozen=True)
class _Setup:
    """The exercise as solve() reads it from the parameters."""

    raw: np.ndarray  # q·k, (n, m) or (m,) for one query given as a list
    d: int
    Q: np.ndarray | None  # None when the scores are given
    K: np.ndarray | None
    V: np.ndarray | None  # None when the output is not asked


def _given(params, name):
    return params.get(name) is not None


def _setup(params):
    known_parameters(params, PARAMETERS)
    if _given(params, "scores"):
        both = [name for name in ("Q", "K") if _given(params, name)]
        if both:
            raise ParameterError(both[0], "give either Q and K, or scores and d, not both")
        raw = _scores(params)
        if not _given(params, "d"):
            raise ParameterError(
                "d", "needed with scores: the dimension of q and k, to scale by √d"
            )
        d = integer(params, "d", 1, 10000)
        V = matrix(params, "V", rows=raw.shape[-1], max_size=6) if _given(params, "V") else None
        return _Setup(raw, d, None, None, V)
    for name in ("Q", "K"):
        if not _given(params, name):
            raise ParameterError(name, "missing: give Q and K (and V), or scores and d")
    Q = matrix(params, "Q", max_size=8)
    if Q.shape[0] > 4:
        raise ParameterError("Q", f"at most 4 queries (rows), got {Q.shape[0]}")
    K = matrix(params, "K", cols=Q.shape[1], max_size=8)
    if K.shape[0] > 6:
        raise ParameterError("K", f"at most 6 keys (rows), got {K.shape[0]}")
    for name, array in (("Q", Q), ("K", K)):
        if np.max(np.abs(array)) > 100:
            raise ParameterError(name, "entries must lie in [-100, 100]")
    if _given(params, "d") and integer(params, "d", 1, 10000) != Q.shape[1]:
        raise ParameterError("d", f"with Q and K, d is their number of columns, {Q.shape[1]}")
    V = None
    if _given(params, "V"):
        V = matrix(params, "V", rows=K.shape[0], max_size=6)
    return _Setup(Q @ K.T, Q.shape[1], Q, K, V)


def _scores(params):
    value = params["scores"]
    if np.ndim(value) == 2:
        raw = matrix(params, "scores", max_size=6)
        if raw.shape[0] > 4:
            raise ParameterError("scores", f"at most 4 queries (rows), got {raw.shape[0]}")
    else:
        raw = vector(params, "scores", max_size=6)
    if np.max(np.abs(raw)) > MAX_SCORE:
        raise ParameterError("scores", f"entries must lie in [-{MAX_SCORE:g}, {MAX_SCORE:g}]")
    return raw


# --- generation ------------------------------------------------------------------


def generate(rng, difficulty=2):
    if difficulty <= 1:
        form = "vector"
    elif difficulty == 2:
        form = "vector" if rng.random() < 0.3 else "qkv"
    else:
        form = "matrix" if rng.random() < 0.3 else "qkv"
    while True:
        drawn = {"vector": _draw_vector, "matrix": _draw_matrix, "qkv": _draw_qkv}[form](
            rng, difficulty
        )
        # Every parameter present, the unused ones null: given back with --set, a
        # variant is complete, so explain draws nothing that could override it.
        params = {name: drawn.get(name) for name in PARAMETERS}
        if _interesting(params):
            return params


def _draw_vector(rng, difficulty):
    # Backwards: the scaled scores first (whole or halves), then q·k = s·√d.
    m = int(rng.choice([2, 3])) if difficulty <= 1 else int(rng.choice([3, 4]))
    d = int(rng.choice(SQUARE_DIMENSIONS))
    scaled = rng.integers(-6, 7, size=m) / 2
    params = {"scores": [int(v) if v == int(v) else float(v) for v in scaled * np.sqrt(d)]}
    params["d"] = d
    if rng.random() < 0.5:
        params["V"] = _values(rng, m, int(rng.choice([1, 2, m])))
    return params


def _draw_matrix(rng, difficulty):
    m = 3
    d = int(rng.choice(SQUARE_DIMENSIONS[:3]))
    scaled = rng.integers(-4, 5, size=(m, m)) / 2
    raw = scaled * np.sqrt(d)
    return {
        "scores": [[int(v) if v == int(v) else float(v) for v in row] for row in raw],
        "d": d,
        "V": _values(rng, m, int(rng.choice([2, m]))),
    }


def _draw_qkv(rng, difficulty):
    # Self-attention: as many queries as keys, one per token.
    n = 3 if difficulty >= 3 else int(rng.choice([2, 3]))
    d = int(rng.choice([3, 4])) if difficulty >= 3 else int(rng.choice([2, 3, 4]))
    Q = rng.integers(-2, 3, size=(n, d))
    K = rng.integers(-2, 3, size=(n, d))
    # A square V (d_v = n) lets the product in the wrong order be computed.
    d_v = n if rng.random() < 0.6 else 2
    return {"Q": Q.tolist(), "K": K.tolist(), "V": _values(rng, n, d_v)}


def _values(rng, rows, cols):
    return rng.integers(-3, 4, size=(rows, cols)).tolist()


def _interesting(params):
    """Scores that differ within every row (the weights are not uniform), and
    weights that the scaling and the axis clearly change."""
    setup = _setup(params)
    raw = np.atleast_2d(setup.raw)
    if np.any(np.ptp(raw, axis=1) < 1):
        return False
    # Gaps of at most 3.5 between scaled scores keep the weights away from one-hot.
    spread = np.ptp(raw / np.sqrt(setup.d), axis=1)
    if np.any(spread > 3.5):
        return False
    weights = attention_weights(raw, setup.d)
    if any(
        np.allclose(weights[i], weights[j], atol=0.02)
        for i in range(len(weights))
        for j in range(i)
    ):
        return False
    solution = _solve(params, steps=False)
    tags = {p.name: {m.tag for m in p.answer.misconceptions} for p in solution.parts}
    wanted = {"no-scaling", "divided-by-d"}
    if raw.shape[0] > 1:
        wanted.add("wrong-axis")
    return wanted <= tags["weights"] and "no-scaling" in tags["scores"]


# --- statement ----------------------------------------------------------------------


def _vector_or_matrix(values):
    values = np.asarray(values, dtype=float)
    return tex.row(values) if values.ndim == 1 else tex.matrix(values)


def statement(params):
    setup = _setup(params)
    single = setup.raw.ndim == 1
    d = setup.d
    if setup.Q is not None:
        n, m = setup.raw.shape
        given_en = (
            f"In a self-attention layer each of the {n} tokens has a query, a key and a value "
            f"(one token per row, $d = d_k = {d}$):"
        )
        given_zh = f"自注意力层中 {n} 个词元各有查询、键和值（每行一个词元，$d = d_k = {d}$）："
        matrices = [rf"Q = {tex.matrix(setup.Q)}", rf"K = {tex.matrix(setup.K)}"]
        scores_en = r"the scaled scores $S = \frac{QK^\top}{\sqrt{d}}$"
        scores_zh = r"缩放后的分数 $S = \frac{QK^\top}{\sqrt{d}}$"
        unscaled = r"\text{softmax}(QK^\top)"
    else:
        if single:
            given_en = (
                f"A query $q$ is compared with {len(setup.raw)} keys; its dot products are "
                f"$a = (q^\\top k_1, \\dots) = {tex.row(setup.raw)}$, and $d = {d}$ is the "
                "dimension of $q$ and $k$."
            )
            given_zh = (
                f"查询 $q$ 与 {len(setup.raw)} 个键比较，点积为 "
                f"$a = (q^\\top k_1, \\dots) = {tex.row(setup.raw)}$，"
                f"$d = {d}$ 是 $q$ 和 $k$ 的维度。"
            )
        else:
            given_en = (
                f"The dot products $q_i^\\top k_j$ of {setup.raw.shape[0]} queries (rows) with "
                f"{setup.raw.shape[1]} keys (columns) are $QK^\\top = {tex.matrix(setup.raw)}$, "
                f"and $d = {d}$ is the dimension of $q$ and $k$."
            )
            given_zh = (
                f"{setup.raw.shape[0]} 个查询（行）与 {setup.raw.shape[1]} 个键（列）的点积 "
                f"$q_i^\\top k_j$ 为 $QK^\\top = {tex.matrix(setup.raw)}$，"
                f"$d = {d}$ 是 $q$ 和 $k$ 的维度。"
            )
        matrices = []
        raw_name = "a" if single else r"QK^\top"
        scores_en = rf"the scaled scores $S = \frac{{{raw_name}}}{{\sqrt{{d}}}}$"
        scores_zh = rf"缩放后的分数 $S = \frac{{{raw_name}}}{{\sqrt{{d}}}}$"
        unscaled = rf"\text{{softmax}}({raw_name})"
    if setup.V is not None:
        matrices.append(rf"V = {tex.matrix(setup.V)}")
    separator = r",\qquad "
    shown = f"$${separator.join(matrices)}$$" if matrices else ""
    rows_en = "" if single else " row by row (each query's weights over the keys sum to 1)"
    rows_zh = "" if single else "，逐行计算（每个查询对各键的权重之和为 1）"
    output_en = output_zh = ""
    if setup.V is not None:
        product = "$\\alpha V$, the weighted sum of the values" if single else "$AV$"
        output_en = f"; (3) the attention output {product}"
        product_zh = "$\\alpha V$，即值的加权和" if single else "$AV$"
        output_zh = f"；(3) 注意力的输出 {product_zh}"
    last = 4 if setup.V is not None else 3
    weights = r"\alpha" if single else "A"
    return text(
        f"{given_en}\n{shown}\nCompute (1) {scores_en}; (2) the attention weights ${weights}$, "
        f"the softmax of the scaled scores{rows_en}{output_en}; ({last}) for comparison, the "
        f"weights without scaling, ${unscaled}$. Use the natural exponential"
        + ("." if single else "; give one row per query."),
        f"{given_zh}\n{shown}\n求：(1) {scores_zh}；(2) 注意力权重 ${weights}$，"
        f"即缩放后分数的 softmax{rows_zh}{output_zh}；"
        f"({last}) 作为对比，不缩放时的权重 ${unscaled}$。"
        + ("使用自然指数。" if single else "使用自然指数；每个查询写一行。"),
    )


# --- solution -----------------------------------------------------------------------


FEEDBACK = {
    "divided-by-d": (
        "You divided by d; the scores are divided by √d, the square root of the dimension.",
        "你除以了 d；分数应除以 √d，即维度的平方根。",
    ),
    "no-scaling": (
        "You left out the scaling: divide the dot products by √d before the softmax.",
        "你漏了缩放：在 softmax 之前要把点积除以 √d。",
    ),
    "scaled": (
        "You scaled by 1/√d; this part asks for the softmax of the raw dot products.",
        "你做了 1/√d 缩放；这一问求的是未缩放点积的 softmax。",
    ),
    "wrong-axis": (
        "You normalised down the columns; each query's weights over the keys, a row, must "
        "sum to 1.",
        "你按列做了归一化；应按行：每个查询对各键的权重（一行）之和为 1。",
    ),
    "transposed-scores": (
        "You used the transpose (KQᵀ, one key per row): row i must hold query i's scores "
        "against every key, as in QKᵀ.",
        "你用了转置（KQᵀ，每行一个键）：第 i 行应是查询 i 与每个键的分数，即 QKᵀ。",
    ),
    "no-exponential": (
        "You divided the scores by their sum; softmax exponentiates first: e^{s_j} / Σ e^{s_l}.",
        "你直接用分数除以分数之和；softmax 要先取指数：e^{s_j} / Σ e^{s_l}。",
    ),
    "value-times-weights": (
        "You multiplied in the wrong order (V times the weights): the output is weights × V, "
        "each row a weighted sum of the rows of V.",
        "乘法顺序反了（V 乘权重）：输出是权重 × V，每行是 V 各行的加权和。",
    ),
    "transposed-weights": (
        "You used the weights transposed: output row i averages the values with query i's "
        "weights, row i of the weights.",
        "你用了转置的权重：输出第 i 行要用查询 i 的权重（权重矩阵的第 i 行）对值加权。",
    ),
}


def _kept(answer, right, candidates):
    """The mistakes of the answer's own shape that a typed answer can tell apart."""
    shape = np.shape(right)
    fitting = [c for c in candidates if c[1] is not None and np.shape(c[1]) == shape]
    return distinct_misconceptions(answer(right), fitting, FEEDBACK)


def _answer(value, misconceptions=()):
    kind = Vector if np.ndim(value) == 1 else Matrix
    return kind(value, **TOLERANCE, misconceptions=misconceptions)


def _row_normalised(values):
    values = np.atleast_2d(values)
    sums = values.sum(axis=1, keepdims=True)
    if np.any(np.abs(sums) < 1e-9):
        return None
    return values / sums


def solve(params):
    return _solve(params)


def _solve(params, steps=True):
    setup = _setup(params)
    raw, d = setup.raw, setup.d
    single = raw.ndim == 1
    try:
        if setup.Q is not None:
            scores = attention_scores(setup.Q, setup.K)
            output, weights = (
                scaled_dot_product_attention(setup.Q, setup.K, setup.V)
                if setup.V is not None
                else (None, attention_weights(raw, d))
            )
        else:
            scores = scale_attention_scores(raw, d)
            output, weights = (
                attention_from_scores(raw, setup.V, d)
                if setup.V is not None
                else (None, attention_weights(raw, d))
            )
        unscaled = attention_weights(raw)
    except ValueError as error:
        raise ParameterError("scores" if setup.Q is None else "Q", str(error)) from None

    # The same computations with the mistakes the feedback names.
    over_d = softmax(raw / d, axis=-1)
    square = not single and raw.shape[0] == raw.shape[1]
    columns = None if single or raw.shape[0] == 1 else softmax(scores, axis=0)
    transposed = softmax(scores.T, axis=-1) if square else None
    transposed_raw = softmax(raw.T, axis=-1) if square else None
    no_exp = _row_normalised(raw)
    if no_exp is not None and single:
        no_exp = no_exp[0]

    parts = [
        Part(
            "scores",
            text("scaled scores", "缩放后的分数"),
            _answer(
                scores,
                _kept(
                    _answer,
                    scores,
                    [
                        ("no-scaling", raw),
                        ("divided-by-d", raw / d),
                        # The right numbers, laid out the wrong way round: half the points.
                        ("transposed-scores", scores.T if square else None, 0.5),
                    ],
                ),
            ),
        ),
        Part(
            "weights",
            text("attention weights", "注意力权重"),
            _answer(
                weights,
                _kept(
                    _answer,
                    weights,
                    [
                        ("no-scaling", unscaled),
                        ("divided-by-d", over_d),
                        ("wrong-axis", columns),
                        ("transposed-scores", transposed),
                        ("no-exponential", no_exp),
                    ],
                ),
            ),
        ),
    ]
    if output is not None:
        V = setup.V
        # V·weights is defined when V has as many columns as the weights have rows.
        wrong_order = V @ weights if V.shape[1] == weights.shape[0] else None
        parts.append(
            Part(
                "output",
                text("attention output", "注意力输出"),
                _answer(
                    output,
                    _kept(
                        _answer,
                        output,
                        [
                            ("no-scaling", unscaled @ V),
                            ("divided-by-d", over_d @ V),
                            ("wrong-axis", None if columns is None else columns @ V),
                            ("value-times-weights", wrong_order),
                            ("transposed-weights", weights.T @ V if square else None),
                        ],
                    ),
                ),
            )
        )
    parts.append(
        Part(
            "weights_unscaled",
            text("weights without scaling", "不缩放时的权重"),
            _answer(
                unscaled,
                _kept(
                    _answer,
                    unscaled,
                    [
                        ("scaled", weights),
                        ("wrong-axis", None if columns is None else softmax(raw, axis=0)),
                        ("transposed-scores", transposed_raw),
                        ("no-exponential", no_exp),
                    ],
                ),
            ),
            points=0.5,
        )
    )
    if not steps:
        return Solution(tuple(parts), ())
    return Solution(tuple(parts), tuple(_steps(setup, scores, weights, output, unscaled)))


# --- steps --------------------------------------------------------------------------


def _lines(lines):
    """Several equations stacked in one display."""
    return r"\begin{array}{l} " + r" \\ ".join(lines) + r" \end{array}"


def _softmax_line(label, row):
    """softmax of one row, the row maximum subtracted first."""
    shifted = row - row.max()
    exps = np.exp(shifted)
    powers = ", ".join(rf"e^{{{tex.num(v)}}}" for v in shifted)
    values = ", ".join(tex.num(e) for e in exps)
    weights = ", ".join(tex.num(w) for w in exps / exps.sum())
    return (
        rf"\left({powers}\right) = \left({values}\right), \quad "
        rf"{label} = \frac{{\left({values}\right)}}{{{tex.num(exps.sum())}}}"
        rf" = \left({weights}\right)"
    )


def _softmax_lines(name, values):
    rows = np.atleast_2d(values)
    if len(rows) == 1:
        return [_softmax_line(name, rows[0])]
    return [_softmax_line(rf"{name}_{{{i + 1}}}", row) for i, row in enumerate(rows)]


def _steps(setup, scores, weights, output, unscaled):
    raw, d = setup.raw, setup.d
    single = raw.ndim == 1
    root = tex.num(np.sqrt(d))
    steps = []
    if setup.Q is not None:
        q, k = setup.Q[0], setup.K[0]
        products = " + ".join(f"{tex.paren(a)} \\cdot {tex.paren(b)}" for a, b in zip(q, k))
        steps.append(
            Step(
                text(
                    "Every query against every key: entry (i, j) of $QK^\\top$ is the dot product "
                    "$q_i^\\top k_j$; for example the first query with the first key:",
                    "每个查询与每个键做点积：$QK^\\top$ 的第 (i, j) 个元素是 $q_i^\\top k_j$；"
                    "例如第一个查询与第一个键：",
                ),
                rf"q_1^\top k_1 = {products} = {tex.num(raw[0, 0])}, \qquad "
                rf"QK^\top = {tex.matrix(raw)}",
            )
        )
        steps.append(
            Step(
                text(
                    f"Divide by $\\sqrt{{d}} = \\sqrt{{{d}}}$ (d = {d}, the number of columns of "
                    "Q and K) so that the scores do not grow with the dimension:",
                    f"除以 $\\sqrt{{d}} = \\sqrt{{{d}}}$（d = {d}，即 Q 和 K 的列数），"
                    "使分数不随维度增大：",
                ),
                rf"S = \frac{{QK^\top}}{{\sqrt{{{d}}}}} = {tex.matrix(scores)}",
            )
        )
    else:
        name = "a" if single else r"QK^\top"
        steps.append(
            Step(
                text(
                    f"Divide the dot products by $\\sqrt{{d}} = \\sqrt{{{d}}} = {root}$:",
                    f"把点积除以 $\\sqrt{{d}} = \\sqrt{{{d}}} = {root}$：",
                ),
                rf"S = \frac{{{name}}}{{\sqrt{{{d}}}}} = "
                rf"\frac{{{_vector_or_matrix(raw)}}}{{{root}}} = {_vector_or_matrix(scores)}",
            )
        )
    steps.append(
        Step(
            text(
                "Softmax of each row (a query's scores over the keys); subtracting the row's "
                "largest score first changes nothing and keeps the exponentials small:",
                "对每一行（一个查询对各键的分数）做 softmax；先减去该行的最大值，结果不变，"
                "且指数不会过大：",
            ),
            _lines(
                _softmax_lines(r"\alpha", scores)
                + ([rf"\alpha = {tex.row(weights)}"] if single else [])
            ),
        )
    )
    if not single:
        steps.append(
            Step(
                text("The attention weights, one row per query:", "注意力权重，每个查询一行："),
                rf"A = \text{{softmax}}(S) = {tex.matrix(weights)}",
            )
        )
    if output is not None:
        V = setup.V
        first = weights if single else weights[0]
        terms = " + ".join(rf"{tex.num(w)} \cdot {tex.row(v)}" for w, v in zip(first, V))
        label = r"\alpha V" if single else r"o_1"
        steps.append(
            Step(
                text(
                    "Each output row is the weighted sum of the value rows, with that query's "
                    "weights" + ("" if single else "; for the first query:"),
                    "每个输出行是各值行的加权和，权重为该查询的注意力权重"
                    + ("" if single else "；第一个查询："),
                ),
                rf"{label} = {terms} = {tex.row(first @ V)}",
            )
        )
        if not single:
            steps.append(
                Step(
                    text("All queries at once:", "所有查询一起："),
                    rf"AV = {tex.matrix(weights)} {tex.matrix(V)} = {tex.matrix(output)}",
                )
            )
    raw_name = "a" if single else r"QK^\top"
    peak = float(np.max(unscaled))
    if d == 1:
        effect = text(
            "Without the scaling: with d = 1, √d = 1 and the weights are the same:",
            "不缩放时：d = 1，√d = 1，权重不变：",
        )
    else:
        effect = text(
            "Without the scaling the softmax acts on the raw dot products, whose gaps are "
            f"√d = {tex.plain(np.sqrt(d))} times larger, so the weights are more peaked "
            f"(largest {tex.plain(peak)}), closer to one-hot, and the gradients through the "
            "softmax become small:",
            f"不缩放时 softmax 作用在原始点积上，差距大 √d = {tex.plain(np.sqrt(d))} 倍，"
            f"权重更集中（最大为 {tex.plain(peak)}），更接近 one-hot，"
            "经过 softmax 的梯度也随之变小：",
        )
    steps.append(
        Step(
            effect,
            _lines(
                _softmax_lines(r"\alpha'", raw)
                + [rf"\text{{softmax}}({raw_name}) = {_vector_or_matrix(unscaled)}"]
            ),
        )
    )
    return steps
