"""PCA as an encoder and a decoder: project points onto the first k principal
components, rebuild them, the squared reconstruction error, and how many
components a share of the variance needs."""

import math
from functools import lru_cache

import numpy as np

from tutor import tex
from tutor.answers import Integer, Matrix, Number, Vector
from tutor.figures import Figure
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
from tutor.solutions.pca import (
    components_for_variance,
    covariance,
    explained_variance_ratio,
    project,
    reconstruct,
    reconstruction_error,
)

from ._figures import principal_axes, subscript

ID = "pca-projection"
TOPIC = "unsupervised"
TITLE = text(
    "PCA: projection, reconstruction and the variance kept",
    "主成分分析：投影、重构与保留的方差",
)
PARAMETERS = {
    "X": text(
        "the points to project, one per row: n × d with d = 2 or 3 and 1 ≤ n ≤ 6; without "
        "'mean' they are the data the PCA was computed from (n ≥ 2)",
        "要投影的点，每行一个：n × d，d = 2 或 3，1 ≤ n ≤ 6；不给 'mean' 时它们就是做 PCA 的数据"
        "（n ≥ 2）",
    ),
    "mean": text(
        "optional: the mean μ of the data set the PCA came from (d numbers); without it (or "
        "null), X is that data set and μ its mean",
        "可选：做 PCA 的数据集的均值 μ（d 个数）；不给（或为 null）时 X 就是该数据集，"
        "μ 为 X 的均值",
    ),
    "components": text(
        "the principal directions u_1, …, u_d as rows, by decreasing eigenvalue, mutually "
        "orthogonal; each row is scaled to unit length ([3, 4] means (0.6, 0.8))",
        "主成分方向 u_1, …, u_d，按特征值从大到小逐行给出，两两正交；每行会被单位化"
        "（[3, 4] 表示 (0.6, 0.8)）",
    ),
    "eigenvalues": text(
        "the eigenvalues λ_1 > … > λ_d ≥ 0 of the covariance (divided by n − 1), not all 0",
        "协方差矩阵（除以 n − 1）的特征值 λ_1 > … > λ_d ≥ 0，不全为 0",
    ),
    "k": text("how many components to keep, 1 ≤ k ≤ d", "保留的主成分个数，1 ≤ k ≤ d"),
    "share": text(
        "the share of the variance to reach, in (0, 1] (0.9 for 90%)",
        "要达到的累计贡献率，取值 (0, 1]（0.9 表示 90%）",
    ),
}
OPTIONAL = {"mean"}

TOLERANCE = {"rtol": 1e-2, "atol": 5e-3}
MAX_ENTRY = 1000.0

# Orthogonal integer directions, one per row; each row is scaled to unit
# length, so the components are clean rotations such as (0.6, 0.8) or
# (1, 1)/√2 and (1, 2, 2)/3.
BASES_2D = ([[3, 4], [-4, 3]], [[1, 1], [-1, 1]])
BASES_3D = (
    [[1, 2, 2], [2, 1, -2], [2, -2, 1]],
    [[3, 4, 0], [-4, 3, 0], [0, 0, 1]],
    [[1, 1, 0], [1, -1, 0], [0, 0, 1]],
)
# Zero-sum, mutually orthogonal columns of multipliers: the scores of the
# data variants (data = mean + Σ_j m_j r_j with r_j the integer rows), so
# that the rows are exactly the data's principal axes.
SCORE_COLUMNS = {
    3: ([[1, -1, 0], [1, 1, -2]],),
    5: (
        [[1, -1, 0, 0, 0], [0, 0, 1, -1, 0], [1, 1, -1, -1, 0], [1, 1, 1, 1, -4]],
        [[1, -1, 0, 0, 0], [1, 1, -2, 0, 0], [1, 1, 1, -3, 0], [1, 1, 1, 1, -4]],
        [[1, -1, 2, -2, 0], [2, -2, -1, 1, 0], [1, 1, -1, -1, 0], [1, 1, 1, 1, -4]],
    ),
}
SHARES = (0.8, 0.85, 0.9, 0.95)
# Eigenvalue shares in twentieths (steps of 0.05), strictly decreasing.
SHARE_SPLITS = {
    2: [(a, 20 - a) for a in range(11, 20)],
    3: [(a, b, 20 - a - b) for a in range(7, 19) for b in range(1, a) if 0 < 20 - a - b < b],
}


# --- generation --------------------------------------------------------------------


def _pick(rng, options):
    return options[int(rng.integers(len(options)))]


def generate(rng, difficulty=2):
    if difficulty <= 1:
        d, data_mode = 2, False
    elif difficulty == 2:
        d, data_mode = _pick(rng, [2, 2, 3]), rng.random() < 0.4
    else:
        d, data_mode = _pick(rng, [2, 3, 3]), rng.random() < 0.6
    while True:
        basis = _basis(rng, d)
        params = _draw_data(rng, basis) if data_mode else _draw_points(rng, basis, difficulty)
        if params is None or not _interesting(params):
            continue
        if has_distinct_misconceptions(solve(params)):
            return params


def _basis(rng, d):
    """One of the clean bases: directions permuted, coordinates permuted,
    signs flipped."""
    basis = np.array(_pick(rng, BASES_2D if d == 2 else BASES_3D))
    basis = basis[rng.permutation(d)][:, rng.permutation(d)]
    return basis * rng.choice([-1, 1], size=(d, 1))


def _draw_points(rng, basis, difficulty):
    """Mean, eigenvalues and new points: the eigenvalues are shares in steps
    of 0.05 times a round total; the points are the mean plus small whole
    offsets."""
    d = len(basis)
    n = {1: _pick(rng, [1, 2]), 2: _pick(rng, [1, 2, 3])}.get(difficulty, _pick(rng, [2, 3]))
    mean = rng.integers(1, 10, size=d) + rng.choice([0, 0, 0.5], size=d)
    offsets = rng.integers(-4, 5, size=(n, d))
    if np.any(np.abs(offsets).sum(axis=1) == 0) or len(np.unique(offsets, axis=0)) < n:
        return None
    shares = np.array(_pick(rng, SHARE_SPLITS[d]))
    total = _pick(rng, [2, 4, 5, 10, 20])
    eigenvalues = shares * total / 20
    return {
        "X": (mean + offsets).tolist(),
        "mean": mean.tolist(),
        "components": basis.tolist(),
        "eigenvalues": [float(v) for v in eigenvalues],
        "k": int(rng.integers(1, d)),
        "share": _pick(rng, SHARES),
    }


def _draw_data(rng, basis):
    """Data whose principal axes are exactly the rows of ``basis``: the
    centred data is Σ_j m_j r_j with zero-sum, mutually orthogonal
    multipliers m_j, so the sample covariance is Σ_j λ_j u_j u_jᵀ."""
    d = len(basis)
    n = _pick(rng, [3, 5]) if d == 2 else 5
    columns = np.array(_pick(rng, SCORE_COLUMNS[n]))
    columns = columns[rng.choice(len(columns), size=d, replace=False)]
    columns = columns * rng.integers(1, 3, size=(d, 1)) * rng.choice([-1, 1], size=(d, 1))
    norms = (basis**2).sum(axis=1)
    variances = (columns**2).sum(axis=1) * norms / (n - 1)
    # Directions by decreasing variance, clearly apart.
    order = np.argsort(variances)[::-1]
    basis, columns, variances = basis[order], columns[order], variances[order]
    if np.any(-np.diff(variances) < 0.5):
        return None
    centred = columns.T @ basis
    if np.abs(centred).max() > 12:
        return None
    low = centred.min(axis=0)
    mean = np.maximum(0, -low) + rng.integers(0, 4, size=d)
    if len(np.unique(centred, axis=0)) < n:
        return None
    X = centred[rng.permutation(n)] + mean
    return {
        "X": X.tolist(),
        "components": basis.tolist(),
        "eigenvalues": [float(v) for v in variances],
        "k": int(rng.integers(1, d)),
        "share": _pick(rng, SHARES),
    }


def _interesting(params):
    """No cumulative share within 0.01 of the target (no question of
    rounding), and a mean clearly off the kept axes' orthogonal complement
    (so that forgetting to centre changes every score)."""
    values = np.array(params["eigenvalues"], dtype=float)
    cumulative = np.cumsum(values) / values.sum()
    if np.any(np.abs(cumulative - params["share"]) < 0.01):
        return False
    X = np.array(params["X"], dtype=float)
    mean = X.mean(axis=0) if params.get("mean") is None else np.array(params["mean"], dtype=float)
    rows = np.array(params["components"], dtype=float)[: params["k"]]
    along = rows @ mean / np.linalg.norm(rows, axis=1)
    return bool(np.all(np.abs(along) >= 0.5))


# --- parameters ----------------------------------------------------------------------


def _parameters(params):
    known_parameters(params, PARAMETERS)
    X = matrix(params, "X", cols=(2, 3), max_size=6)
    n, d = X.shape
    # An absent mean (missing or null) makes X the data set of the PCA.
    data_mode = params.get("mean") is None
    if data_mode and n < 2:
        raise ParameterError("X", "without 'mean', X is the data set: give at least 2 points")
    mean = X.mean(axis=0) if data_mode else vector(params, "mean", size=d)
    raw = matrix(params, "components", rows=d, cols=d)
    lengths = np.linalg.norm(raw, axis=1)
    if np.any(lengths < 1e-9):
        raise ParameterError("components", "a zero row has no direction")
    components = raw / lengths[:, None]
    gram = components @ components.T
    if not np.allclose(gram, np.eye(d), rtol=0, atol=1e-6):
        raise ParameterError("components", "the directions must be mutually orthogonal")
    eigenvalues = vector(params, "eigenvalues", size=d)
    if np.any(eigenvalues < 0) or not np.any(eigenvalues > 0):
        raise ParameterError("eigenvalues", "must be non-negative and not all 0")
    if np.any(np.diff(eigenvalues) >= 0):
        raise ParameterError("eigenvalues", "must be strictly decreasing (λ_1 > λ_2 > …)")
    k = integer(params, "k", 1, d)
    share = number(params, "share", 0.0, 1.0, low_open=True)
    for name, array in (("X", X), ("mean", mean), ("components", raw)):
        if np.max(np.abs(array)) > MAX_ENTRY:
            raise ParameterError(name, f"entries must lie in [-{MAX_ENTRY:g}, {MAX_ENTRY:g}]")
    if np.max(eigenvalues) > MAX_ENTRY**2:
        raise ParameterError("eigenvalues", f"must be at most {MAX_ENTRY**2:g}")
    if data_mode:
        _check_axes(X, components, eigenvalues)
    return X, mean, raw, components, eigenvalues, k, share, data_mode


def _check_axes(X, components, eigenvalues):
    """Without a mean, the statement says the PCA came from X: the rows must
    be the eigenvectors of its covariance, with these eigenvalues."""
    S = covariance(X)
    scale = max(1.0, float(np.abs(S).max()))
    for j, u in enumerate(components):
        image = S @ u
        rayleigh = float(u @ image)
        if np.linalg.norm(image - rayleigh * u) > 1e-3 * scale:
            raise ParameterError(
                "components", f"row {j + 1} is not an eigenvector of the covariance of X"
            )
        if abs(rayleigh - eigenvalues[j]) > 1e-3 * scale:
            raise ParameterError(
                "eigenvalues",
                f"λ_{j + 1} of the covariance of X along row {j + 1} is {rayleigh:.6g}, "
                f"not {eigenvalues[j]:.6g}",
            )


# --- how the directions are shown ------------------------------------------------------


def _direction(row):
    """LaTeX of a unit direction and whether it is shown as a factor times a
    whole-number vector (1/3 (1, 2, 2), 1/√2 (1, 1)) rather than in decimals."""
    return _shown_direction(tuple(float(v) for v in row))


@lru_cache(maxsize=512)
def _shown_direction(row):
    row = np.array(row)
    unit = row / np.linalg.norm(row)
    whole = np.all(np.abs(row - np.round(row)) < 1e-9) and np.abs(row).max() <= 20
    if whole:
        ints = np.round(row).astype(int)
        g = math.gcd(*(abs(int(v)) for v in ints))
        ints = ints // g
        squared = int((ints**2).sum())
        root = math.isqrt(squared)
        body = _tuple(ints)
        if root * root != squared:
            return rf"\frac{{1}}{{\sqrt{{{squared}}}}}{body}", True
        if root not in (1, 2, 4, 5, 8, 10):
            return rf"\frac{{1}}{{{root}}}{body}", True
    return _tuple(unit), False


def _paren(x):
    """:func:`tex.paren`, without parentheses round a value that shows as 0."""
    return "0" if tex.num(x) == "0" else tex.paren(x)


def _tuple(values):
    return r"\left(" + ", ".join(tex.num(v) for v in values) + r"\right)"


def _whole_rows(raw):
    """The rows as shown: whole numbers over their gcd (what a student who
    forgets the factor multiplies with)."""
    rows = []
    for row in raw:
        ints = np.round(row).astype(int)
        rows.append(ints / math.gcd(*(abs(int(v)) for v in ints)))
    return np.array(rows, dtype=float)


# --- statement -------------------------------------------------------------------------


def statement(params):
    X, mean, raw, components, eigenvalues, k, share, data_mode = _parameters(params)
    n, d = X.shape
    directions = [f"$u_{j + 1} = {_direction(r)[0]}$" for j, r in enumerate(raw)]
    values = [f"$\\lambda_{j + 1} = {tex.num(v)}$" for j, v in enumerate(eigenvalues)]
    percent = tex.plain(100 * share)
    points = [f"$x_{i + 1} = {_tuple(x)}$" for i, x in enumerate(X)]
    en = {key: ", ".join(v) for key, v in (("d", directions), ("v", values), ("p", points))}
    zh = {key: "、".join(v) for key, v in (("d", directions), ("v", values), ("p", points))}
    kept = "the first component" if k == 1 else f"the first {k} components"
    kept_zh = "第一个主成分" if k == 1 else f"前 {k} 个主成分"
    scores_en = (
        "the score $z_i = u_1^\\top (x_i - \\mu)$ of every point"
        if k == 1
        else "the scores $z_i = U_k^\\top (x_i - \\mu)$, one row per point"
    )
    scores_zh = (
        "每个点的得分 $z_i = u_1^\\top (x_i - \\mu)$"
        if k == 1
        else "得分 $z_i = U_k^\\top (x_i - \\mu)$（每个点一行）"
    )
    tasks_en = (
        f"Keep {kept} ($k = {k}$). (a) Give {scores_en}; (b) the reconstructions "
        "$\\hat{x}_i = \\mu + U_k z_i$, one row per point; (c) the total squared reconstruction "
        "error $E = \\sum_i \\lVert x_i - \\hat{x}_i \\rVert^2$ (summed over the points); "
        f"(d) the smallest number of components whose cumulative share of the variance "
        f"reaches {percent}%."
    )
    tasks_zh = (
        f"保留{kept_zh}（$k = {k}$）。(a) 求{scores_zh}；(b) 求重构 "
        "$\\hat{x}_i = \\mu + U_k z_i$（每个点一行）；(c) 求总的重构平方误差 "
        "$E = \\sum_i \\lVert x_i - \\hat{x}_i \\rVert^2$（对所有点求和）；"
        f"(d) 累计贡献率达到 {percent}% 至少需要几个主成分。"
    )
    if data_mode:
        return text(
            f"PCA of the {n} samples {en['p']} ($d = {d}$) gives the unit principal directions "
            f"{en['d']} with the eigenvalues {en['v']} of the sample covariance (divided by "
            "$n - 1$). Project the samples themselves: $\\mu$ is their mean. " + tasks_en,
            f"对 {n} 个样本 {zh['p']}（$d = {d}$）做 PCA，得到单位主成分方向 {zh['d']}，"
            f"样本协方差（除以 $n - 1$）的特征值为 {zh['v']}。对这些样本本身做投影："
            "$\\mu$ 为它们的均值。" + tasks_zh,
        )
    where = "the point" if n == 1 else f"the {n} points"
    return text(
        f"PCA of a data set in $d = {d}$ dimensions found the mean $\\mu = {_tuple(mean)}$, "
        f"the unit principal directions {en['d']} (by decreasing eigenvalue) and the "
        f"eigenvalues {en['v']}. Encode and decode {where} {en['p']}. " + tasks_en,
        f"对某个 $d = {d}$ 维数据集做 PCA，得到均值 $\\mu = {_tuple(mean)}$、单位主成分方向 "
        f"{zh['d']}（按特征值从大到小）以及特征值 {zh['v']}。对"
        + ("点" if n == 1 else f"这 {n} 个点")
        + f" {zh['p']} 进行编码与解码。"
        + tasks_zh,
    )


# --- misconceptions ----------------------------------------------------------------------

FEEDBACK = {
    "not-centred": (
        "You projected x itself; subtract the mean first: z = Uₖᵀ(x − μ).",
        "你直接投影了 x；应先减去均值：z = Uₖᵀ(x − μ)。",
    ),
    "wrong-component": (
        "You used the component(s) of the smallest eigenvalue(s); the first principal component "
        "is the direction of the largest eigenvalue.",
        "你用了最小特征值对应的方向；第一主成分是最大特征值对应的方向。",
    ),
    "missing-factor": (
        "You dropped the normalising factor: the direction is a unit vector, factor included.",
        "你漏掉了归一化系数：主成分方向是单位向量，要带上前面的系数。",
    ),
    "mean-not-added": (
        "You forgot to add the mean back: x̂ = μ + Uₖz, since z was measured from μ.",
        "你忘了把均值加回去：x̂ = μ + Uₖz，因为 z 是相对 μ 测量的。",
    ),
    "not-squared": (
        "You added up the distances ‖x − x̂‖; the error adds their squares ‖x − x̂‖².",
        "你把距离 ‖x − x̂‖ 直接相加了；误差应把它们的平方 ‖x − x̂‖² 相加。",
    ),
    "mean-per-point": (
        "You averaged over the points; the question asks for the total, summed over them.",
        "你对点取了平均；题目要求的是对所有点求和的总误差。",
    ),
    "missing-n-minus-1": (
        "The dropped eigenvalues are variances, divided by n − 1: the total error is (n − 1) "
        "times their sum.",
        "舍弃的特征值是除以 n − 1 的方差：总误差是它们之和乘以 (n − 1)。",
    ),
    "smallest-first": (
        "You accumulated the shares from the smallest eigenvalue up; take the largest first.",
        "你从最小的特征值开始累加贡献率；应从最大的开始。",
    ),
    "one-short": (
        "With this many components the cumulative share is still below the target; it must "
        "reach it.",
        "取这么多主成分时累计贡献率仍低于目标；必须达到目标才行。",
    ),
}


def _kept(answer, candidates):
    return distinct_misconceptions(answer, candidates, FEEDBACK)


def _pipeline(X, mean, axes):
    """Scores, reconstructions and total squared error for the given axes
    (rows): the right formulas with whatever axes a student used."""
    scores = (X - mean) @ axes.T
    rebuilt = mean + scores @ axes
    return scores, rebuilt, float(((X - rebuilt) ** 2).sum())


def solve(params):
    X, mean, raw, components, eigenvalues, k, share, data_mode = _parameters(params)
    n, d = X.shape
    kept = components[:k]
    try:
        scores = project(X, kept, mean)
        rebuilt = reconstruct(scores, kept, mean)
        error = reconstruction_error(X, kept, mean)
        needed = components_for_variance(eigenvalues, share)
    except ValueError as error_:
        raise ParameterError("components", str(error_)) from None
    ratios = explained_variance_ratio(eigenvalues)

    smallest = components[::-1][:k]
    wrong_scores, wrong_rebuilt, wrong_error = _pipeline(X, mean, smallest)
    raw_scores = X @ kept.T
    uncentred_rebuilt = mean + raw_scores @ kept
    uncentred_error = float(((X - uncentred_rebuilt) ** 2).sum())
    bare = scores @ kept
    bare_error = float(((X - bare) ** 2).sum())
    factored = any(_direction(r)[1] for r in raw[:k])
    whole = _whole_rows(raw)[:k] if factored else None
    factor_scores = None if whole is None else (X - mean) @ whole.T
    factor_rebuilt = None if whole is None else mean + factor_scores @ whole
    residual_norms = np.sqrt(((X - rebuilt) ** 2).sum(axis=1))
    ascending = np.cumsum(np.sort(eigenvalues)) / eigenvalues.sum()
    smallest_first = int(np.argmax(ascending >= share - 1e-12) + 1)

    def shaped(values):
        return None if values is None else (values[:, 0] if k == 1 else values)

    score_kind = Vector if k == 1 else Matrix
    score_answer = score_kind(shaped(scores), **TOLERANCE)
    rebuilt_answer = Matrix(rebuilt, **TOLERANCE)
    error_answer = Number(error, **TOLERANCE)
    needed_answer = Integer(needed)
    error_candidates = [
        ("not-squared", float(residual_norms.sum())),
        ("mean-per-point", error / n if n > 1 else None),
        ("wrong-component", wrong_error),
        ("not-centred", uncentred_error),
        ("mean-not-added", bare_error),
    ]
    if data_mode:
        error_candidates.insert(1, ("missing-n-minus-1", float(eigenvalues[k:].sum())))
    parts = (
        Part(
            "scores",
            text(
                "scores $z_i$" + (" (one per point)" if k == 1 else " (one row per point)"),
                "得分 $z_i$" + ("（每个点一个）" if k == 1 else "（每个点一行）"),
            ),
            score_kind(
                shaped(scores),
                **TOLERANCE,
                misconceptions=_kept(
                    score_answer,
                    [
                        ("not-centred", shaped(raw_scores)),
                        ("wrong-component", shaped(wrong_scores)),
                        ("missing-factor", shaped(factor_scores)),
                    ],
                ),
            ),
        ),
        Part(
            "reconstruction",
            text(
                r"reconstructions $\hat{x}_i$ (one row per point)",
                r"重构 $\hat{x}_i$（每个点一行）",
            ),
            Matrix(
                rebuilt,
                **TOLERANCE,
                misconceptions=_kept(
                    rebuilt_answer,
                    [
                        ("mean-not-added", bare),
                        ("not-centred", uncentred_rebuilt),
                        ("wrong-component", wrong_rebuilt),
                        ("missing-factor", factor_rebuilt),
                    ],
                ),
            ),
        ),
        Part(
            "error",
            text(
                r"total squared reconstruction error $E = \sum_i \lVert x_i - \hat{x}_i \rVert^2$",
                r"总重构平方误差 $E = \sum_i \lVert x_i - \hat{x}_i \rVert^2$",
            ),
            Number(error, **TOLERANCE, misconceptions=_kept(error_answer, error_candidates)),
        ),
        Part(
            "components_needed",
            text(
                f"components needed for {tex.plain(100 * share)}% of the variance",
                f"累计贡献率达到 {tex.plain(100 * share)}% 所需的主成分个数",
            ),
            Integer(
                needed,
                misconceptions=_kept(
                    needed_answer,
                    [
                        ("smallest-first", smallest_first),
                        ("one-short", needed - 1 if needed > 1 else None),
                    ],
                ),
            ),
        ),
    )
    steps = _steps(X, mean, raw, components, eigenvalues, k, share, data_mode)
    steps += _result_steps(
        X, mean, raw[:k], kept, scores, rebuilt, error, eigenvalues, k, data_mode
    )
    steps.append(_share_step(eigenvalues, ratios, share, needed))
    return Solution(parts, tuple(steps))


# --- worked steps -------------------------------------------------------------------------


def _steps(X, mean, raw, components, eigenvalues, k, share, data_mode):
    n, d = X.shape
    steps = []
    if data_mode:
        sums = ", ".join(
            r"\frac{" + " + ".join(tex.num(v) for v in column) + rf"}}{{{n}}}" for column in X.T
        )
        steps.append(
            Step(
                text("The mean of the samples:", "样本的均值："),
                rf"\mu = \left({sums}\right) = {_tuple(mean)}",
            )
        )
    steps.append(
        Step(
            text(
                "Centre the points by subtracting the mean (one row per point):",
                "每个点减去均值，完成中心化（每个点一行）：",
            ),
            rf"X - \mu = {tex.matrix(X - mean)}",
        )
    )
    units = r", \qquad ".join(
        rf"u_{j + 1} = {_direction(r)[0]} = {_tuple(u)}"
        for j, (r, u) in enumerate(zip(raw[:k], components[:k]))
        if _direction(r)[1]
    )
    if units:
        steps.append(
            Step(
                text(
                    "The kept directions as unit vectors in decimals:",
                    "保留的单位方向写成小数：",
                ),
                units,
            )
        )
    return steps


def _dot(row, unit, centred, score):
    """u·(x − μ) written out: with the factor outside the bracket when the
    direction is shown as 1/3 (1, 2, 2) or 1/√2 (1, 1), else in decimals."""
    shown, factored = _direction(row)
    if not factored:
        products = " + ".join(rf"{_paren(a)} \cdot {_paren(b)}" for a, b in zip(unit, centred))
        return f"{products} = {tex.num(score)}"
    factor = shown[: shown.index(r"\left(")]
    whole = _whole_rows([row])[0]
    products = " + ".join(rf"{_paren(a)} \cdot {_paren(b)}" for a, b in zip(whole, centred))
    inner = float(whole @ centred)
    scaled = factor.replace(r"\frac{1}", rf"\frac{{{tex.num(inner)}}}")
    return rf"{factor}\left({products}\right) = {scaled} = {tex.num(score)}"


def _result_steps(X, mean, raw, kept, scores, rebuilt, error, eigenvalues, k, data_mode):
    n, d = X.shape
    centred = X - mean
    first = r", \qquad ".join(
        rf"z_{{1{j + 1}}} = u_{j + 1}^\top (x_1 - \mu) = " + _dot(r, u, centred[0], scores[0, j])
        for j, (r, u) in enumerate(zip(raw, kept))
    )
    shown_scores = tex.row(scores[:, 0]) if k == 1 else tex.matrix(scores)
    rebuild_first = (
        r"\hat{x}_1 = \mu + "
        + " + ".join(rf"{_paren(z)} \, {_tuple(u)}" for z, u in zip(scores[0], kept))
        + f" = {_tuple(rebuilt[0])}"
    )
    terms = [float(((x - r) ** 2).sum()) for x, r in zip(X, rebuilt)]
    residual = X - rebuilt
    error_latex = (
        r"E = \sum_{i=1}^{n} \lVert x_i - \hat{x}_i \rVert^2 = "
        + " + ".join("(" + " + ".join(rf"{_paren(v)}^2" for v in row) + ")" for row in residual)
        + (f" = {' + '.join(tex.num(t) for t in terms)}" if n > 1 else "")
        + f" = {tex.num(error)}"
    )
    steps = [
        Step(
            text(
                "Encode: each score is the dot product of a kept direction with the centred "
                "point; for the first point:",
                "编码：每个得分是保留方向与中心化后的点的点积；以第一个点为例：",
            ),
            first,
        ),
        Step(
            text(
                "All the scores (one row per point):" if k > 1 else "All the scores:",
                "全部得分（每个点一行）：" if k > 1 else "全部得分：",
            ),
            rf"z = {shown_scores}",
        ),
        Step(
            text(
                "Decode: add the mean back to the scores times the directions; for the first "
                "point, then all of them:",
                "解码：均值加上得分乘以方向；先算第一个点，再写出全部：",
            ),
            rf"{rebuild_first}, \qquad \hat{{X}} = {tex.matrix(rebuilt)}",
        ),
        Step(
            text(
                "The squared reconstruction error, summed over the points:",
                "重构平方误差，对所有点求和：",
            ),
            error_latex,
        ),
    ]
    if data_mode:
        dropped = " + ".join(tex.num(v) for v in eigenvalues[k:])
        steps.append(
            Step(
                text(
                    "Check: on the data's own PCA the error is n − 1 times the dropped "
                    "eigenvalues:",
                    "验算：对数据本身的 PCA，误差等于 n − 1 乘以舍弃的特征值之和：",
                ),
                rf"(n - 1) \sum_{{j > {k}}} \lambda_j = {n - 1} \times "
                + (rf"\left({dropped}\right)" if len(eigenvalues) - k > 1 else dropped)
                + f" = {tex.num((n - 1) * eigenvalues[k:].sum())}",
            )
        )
    return steps


def _share_step(eigenvalues, ratios, share, needed):
    total = " + ".join(tex.num(v) for v in eigenvalues)
    cumulative = np.cumsum(ratios)
    lines = r", \qquad ".join(
        rf"\frac{{{' + '.join(tex.num(v) for v in eigenvalues[: m + 1])}}}{{{total}}} = "
        f"{tex.num(cumulative[m])}"
        for m in range(len(eigenvalues))
    )
    return Step(
        text(
            f"Cumulative shares of the variance, largest eigenvalue first; the first to reach "
            f"{tex.plain(share)} sets the count, m = {needed}:",
            f"按特征值从大到小的累计贡献率；第一个达到 {tex.plain(share)} 的"
            f"决定个数，m = {needed}：",
        ),
        lines + rf" \;\Rightarrow\; m = {needed}",
    )


# --- figure ---------------------------------------------------------------------------


def _plain_tuple(values):
    return "(" + ", ".join(tex.plain(v) for v in values) + ")"


def _figure_alt(points, mean, lengths, projected, plane, data_mode):
    """What the figure shows, with its numbers: the points and their
    projections in the coordinates drawn (scores when ``plane``)."""
    n = len(points)
    listed = ", ".join(f"x{i} {_plain_tuple(x)}" for i, x in enumerate(points, 1))
    feet = ", ".join(_plain_tuple(p) for p in projected)
    what_en = f"the point {listed} (a circle)" if n == 1 else f"the {n} points {listed} (circles)"
    what_zh = f"点 {listed}（圆点）" if n == 1 else f"{n} 个点 {listed}（圆点）"
    if plane:
        head_en = "Scatter plot in the plane of the first two principal components, each point "
        head_en += f"at its scores (z1, z2): {what_en}, the mean μ at the origin (a cross)"
        head_zh = (
            f"前两个主成分平面上的散点图，各点位于其得分 (z1, z2)：{what_zh}，均值 μ 在原点（叉号）"
        )
    else:
        whose_en = "their mean" if data_mode else "the data set's mean"
        whose_zh = "它们的均值" if data_mode else "数据集的均值"
        head_en = f"Scatter plot of {what_en}, {whose_en} μ {_plain_tuple(mean)} (a cross)"
        head_zh = f"散点图：{what_zh}，{whose_zh} μ {_plain_tuple(mean)}（叉号）"
    return text(
        f"{head_en}, the principal axes from μ (u1 a solid arrow of length √λ1 = "
        f"{tex.plain(lengths[0])}, u2 a dashed one of length √λ2 = {tex.plain(lengths[1])}) and "
        f"each point's projection onto u1 (squares on dotted lines): {feet}.",
        f"{head_zh}，从 μ 出发的主轴（u1 为实线箭头，长 √λ1 = {tex.plain(lengths[0])}；"
        f"u2 为虚线箭头，长 √λ2 = {tex.plain(lengths[1])}），"
        f"以及各点在 u1 上的投影（虚线连到方块）：{feet}。",
    )


def figure(params, solution):
    """The points, the mean μ, the principal axes drawn from μ with length
    √λ, and each point's projection onto u_1 (its reconstruction when
    k = 1). Points in 3-D are drawn in the plane of the first two components:
    by their scores (z_1, z_2), so μ is at the origin and u_1, u_2 are the
    coordinate axes; the part along u_3 is not shown."""
    X, mean, raw, components, eigenvalues, k, share, data_mode = _parameters(params)
    lengths = np.sqrt(eigenvalues[:2])
    one = len(X) == 1
    points_en = "The point $x_1$" if one else "The points $x_i$"
    if k == 1:
        squares_en = "The square" if one else "The squares"
        squares_en += " on the first axis " + ("is the reconstruction" if one else "are the")
        squares_en += ("" if one else " reconstructions") + r" $\hat{x}_i = \mu + z_i u_1$"
        squares_zh = r"第一主轴上的方块就是重构 $\hat{x}_i = \mu + z_i u_1$"
    else:
        squares_en = "The square is the projection" if one else "The squares are the projections"
        squares_en += " onto the first axis alone"
        squares_zh = "方块是只投影到第一主轴上的结果"
    if X.shape[1] == 2:
        draw, _ = principal_axes(X, mean, components, eigenvalues)
        projected = mean + np.outer((X - mean) @ components[0], components[0])
        alt = _figure_alt(X, mean, lengths, projected, False, data_mode)
        source_en = "their mean μ" if data_mode else "the mean μ of the data set"
        source_zh = "它们的均值 μ" if data_mode else "数据集的均值 μ"
        if k == 1:
            lines_en = ", and the dotted line" if one else ", and each dotted line"
            lines_en += r" is the error $x_i - \hat{x}_i$."
            lines_zh = r"，每条虚线就是误差 $x_i - \hat{x}_i$。"
        else:
            lines_en = f" (with $k = {k}$ the reconstruction is the point itself)."
            lines_zh = f"（$k = {k}$ 时重构就是点本身）。"
        caption = text(
            f"{points_en}, {source_en} and the principal axes drawn from μ with length "
            r"$\sqrt{\lambda_j}$. " + squares_en + lines_en,
            f"各点 $x_i$、{source_zh}以及从 μ 出发、长为 "
            + r"$\sqrt{\lambda_j}$ 的主轴。"
            + squares_zh
            + lines_zh,
        )
        return Figure(draw, caption, alt)
    scores = project(X, components[:2], mean)
    in_plane, _ = principal_axes(scores, np.zeros(2), np.eye(2), eigenvalues)

    def draw(ax):
        in_plane(ax)
        ax.set_xlabel(f"z{subscript(1)}")
        ax.set_ylabel(f"z{subscript(2)}")

    projected = np.column_stack([scores[:, 0], np.zeros(len(scores))])
    alt = _figure_alt(scores, np.zeros(2), lengths, projected, True, data_mode)
    kept_en = {
        1: "",
        2: r" With $k = 2$ each point drawn is its reconstruction $\hat{x}_i$.",
        3: " With $k = 3$ the reconstruction is the point itself.",
    }[k]
    kept_zh = {
        1: "",
        2: r"$k = 2$ 时图中的每个点就是它的重构 $\hat{x}_i$。",
        3: "$k = 3$ 时重构就是点本身。",
    }[k]
    caption = text(
        f"{points_en} in the plane of the first two components, at "
        + ("its" if one else "their")
        + " scores "
        "$(z_{i1}, z_{i2})$, so that μ is at the origin and the axes, of length "
        r"$\sqrt{\lambda_1}$ and $\sqrt{\lambda_2}$, point along $u_1$ and $u_2$; "
        "the part along $u_3$ is perpendicular to the page. "
        + squares_en
        + " (in this plane)."
        + kept_en,
        "各点在前两个主成分构成的平面上，位置为得分 $(z_{i1}, z_{i2})$：μ 在原点，长为 "
        r"$\sqrt{\lambda_1}$、$\sqrt{\lambda_2}$ 的两条主轴沿 $u_1$、$u_2$；"
        "沿 $u_3$ 的分量垂直于纸面，未画出。" + squares_zh + "（在该平面内）。" + kept_zh,
    )
    return Figure(draw, caption, alt)
