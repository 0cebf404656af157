"""Principal component analysis by hand: mean, covariance, eigenvalues,
eigenvectors and contribution ratios of a few points."""

import numpy as np

from tutor import tex
from tutor.answers import Eigenvector, Matrix, Misconception, Vector
from tutor.figures import Figure
from tutor.problem import (
    ParameterError,
    Part,
    Solution,
    Step,
    has_distinct_misconceptions,
    known_parameters,
    matrix,
    text,
)
from tutor.solutions.pca import covariance, explained_variance_ratio, pca, project

from ._figures import principal_axes

ID = "pca"
TOPIC = "unsupervised"
TITLE = text("Principal component analysis by hand", "手算主成分分析（PCA）")
PARAMETERS = {
    "X": text(
        "the data, one sample per row: n × d with n ≥ 2 and d = 2 or 3",
        "数据，每行一个样本：n × d，n ≥ 2，d = 2 或 3",
    ),
}

TOLERANCE = {"rtol": 2e-2, "atol": 5e-3}


def generate(rng, difficulty=2):
    d = 3 if difficulty >= 3 else 2
    n = int(rng.integers(4, 6)) if difficulty >= 3 else int(rng.integers(3, 5))
    while True:
        # Draw backwards: a mean and deviations with one decimal that sum to
        # zero, so the mean and the centred data stay short decimals.
        mean = rng.integers(15, 36, size=d) / 10
        deviations = rng.integers(-15, 16, size=(n - 1, d)) / 10
        deviations = np.vstack([deviations, -deviations.sum(axis=0)])
        X = np.round(mean + deviations, 1)
        if X.min() < 0 or not _well_separated(X):
            continue
        params = {"X": X.tolist()}
        if has_distinct_misconceptions(solve(params)):
            return params


def _well_separated(X):
    """Distinct, clearly non-zero eigenvalues and axes that are not the
    coordinate axes: every eigenvector is well defined and worth computing."""
    S = covariance(X)
    eigenvalues = np.sort(np.linalg.eigvalsh(S))
    if eigenvalues[0] < 0.02 or np.any(np.diff(eigenvalues) < 0.1 * eigenvalues[-1]):
        return False
    scale = np.sqrt(np.outer(np.diag(S), np.diag(S)))
    off_diagonal = np.abs(S / scale)[np.triu_indices(len(S), 1)]
    return bool(np.all(off_diagonal > 0.15))


def _data(params):
    known_parameters(params, PARAMETERS)
    X = matrix(params, "X", cols=(2, 3))
    if X.shape[0] < 2:
        raise ParameterError("X", "need at least 2 samples (rows)")
    if np.allclose(covariance(X), 0):
        raise ParameterError("X", "all samples are equal: there is no variance to analyse")
    return X


def statement(params):
    X = np.asarray(params["X"], dtype=float)
    n, d = X.shape
    points = ", ".join(f"$x_{{{i + 1}}} = {tex.row(x)}$" for i, x in enumerate(X))
    return text(
        f"Perform PCA on the {n} samples {points} (d = {d}). Compute the sample mean, "
        "the sample covariance matrix (divide by n − 1), its eigenvalues in descending "
        "order, the unit principal axes as rows (sign: the entry of largest magnitude is "
        "positive) and each component's contribution ratio.",
        f"对 {n} 个样本 {points}（d = {d}）做主成分分析。求样本均值、样本协方差矩阵"
        "（除以 n − 1）、按从大到小排列的特征值、单位化的主成分方向（按行写出，符号取绝对值最大的"
        "分量为正）以及各主成分的贡献率。",
    )


def _characteristic_polynomial(S):
    """det(S − λI) as sympy expands it, from the entries as shown (exact
    rationals keep sympy fast and the coefficients exact)."""
    import sympy

    shown = sympy.Matrix([[sympy.Rational(tex.plain(v)) for v in row] for row in S])
    coefficients = shown.charpoly(sympy.Symbol("lambda")).all_coeffs()
    return tex.polynomial(coefficients, r"\lambda")


def _determinant_latex(S):
    rows = [
        " & ".join(tex.num(v) + (r" - \lambda" if i == j else "") for j, v in enumerate(row))
        for i, row in enumerate(S)
    ]
    return r"\begin{vmatrix}" + r" \\ ".join(rows) + r"\end{vmatrix}"


def solve(params):
    X = _data(params)
    n, d = X.shape
    mean = X.mean(axis=0)
    S = covariance(X)
    eigenvalues, components = pca(X)
    ratios = explained_variance_ratio(eigenvalues)

    # Dividing by n scales S, and so its eigenvalues, by (n − 1)/n.
    S_biased = S * (n - 1) / n
    biased_eigenvalues = eigenvalues * (n - 1) / n
    variances = np.diag(S)
    parts = (
        Part(
            "mean",
            text(r"sample mean $\bar{x}$", r"样本均值 $\bar{x}$"),
            Vector(
                mean,
                **TOLERANCE,
                misconceptions=(
                    Misconception(
                        "mean-divides-by-n-1",
                        X.sum(axis=0) / (n - 1),
                        "The mean divides the sum by n; only the covariance divides by n − 1.",
                        "均值是总和除以 n；只有协方差才除以 n − 1。",
                    ),
                ),
            ),
        ),
        Part(
            "covariance",
            text("covariance matrix $S$", "协方差矩阵 $S$"),
            Matrix(
                S,
                **TOLERANCE,
                misconceptions=(
                    Misconception(
                        "divides-by-n",
                        S_biased,
                        "You divided by n; the sample covariance divides by n − 1.",
                        "你除以了 n；样本协方差应除以 n − 1。",
                    ),
                ),
            ),
        ),
        Part(
            "eigenvalues",
            text(
                r"eigenvalues $\lambda_1 \ge \lambda_2 \ge \dots$",
                r"特征值 $\lambda_1 \ge \lambda_2 \ge \dots$",
            ),
            Vector(
                eigenvalues,
                **TOLERANCE,
                misconceptions=(
                    Misconception(
                        "ascending-order",
                        eigenvalues[::-1],
                        "Right values, wrong order: list the eigenvalues from largest to smallest.",
                        "数值正确但顺序错了：特征值应从大到小排列。",
                        score=0.5,
                    ),
                    Misconception(
                        "divides-by-n",
                        biased_eigenvalues,
                        "These are the eigenvalues of the covariance divided by n; use n − 1.",
                        "这是除以 n 的协方差矩阵的特征值；应除以 n − 1。",
                    ),
                    Misconception(
                        "diagonal-as-eigenvalues",
                        np.sort(variances)[::-1],
                        "The diagonal of S holds the variances of the features, not the "
                        "eigenvalues: solve det(S − λI) = 0.",
                        "S 的对角线是各特征的方差，不是特征值：应解 det(S − λI) = 0。",
                    ),
                ),
            ),
        ),
        Part(
            "components",
            text(
                "principal axes (unit rows, descending λ)",
                "主成分方向（单位行向量，按 λ 从大到小）",
            ),
            Eigenvector(
                components,
                **TOLERANCE,
                misconceptions=(
                    Misconception(
                        "ascending-order",
                        components[::-1],
                        "Right axes, wrong order: the first row belongs to the largest eigenvalue.",
                        "方向正确但顺序错了：第一行应对应最大的特征值。",
                        score=0.5,
                    ),
                ),
            ),
        ),
        Part(
            "explained_variance_ratio",
            text("contribution ratios", "贡献率"),
            Vector(
                ratios,
                **TOLERANCE,
                misconceptions=(
                    Misconception(
                        "feature-variances",
                        np.sort(variances / variances.sum())[::-1],
                        "You used the variances of the original features; a component's share "
                        "is its eigenvalue over the sum of the eigenvalues.",
                        "你用了原始特征的方差；主成分的贡献率是其特征值除以特征值之和。",
                    ),
                    Misconception(
                        "ascending-order",
                        ratios[::-1],
                        "Right values, wrong order: list them by descending eigenvalue.",
                        "数值正确但顺序错了：应按特征值从大到小排列。",
                        score=0.5,
                    ),
                ),
            ),
        ),
    )

    centred = X - mean
    sums = " & ".join(
        r"\dfrac{" + " + ".join(tex.num(v) for v in column) + rf"}}{{{n}}}" for column in X.T
    )
    first = " + ".join(rf"{tex.paren(v)}^2" for v in centred[:, 0])
    steps = [
        Step(
            text("The mean of each coordinate:", "各坐标的均值："),
            rf"\bar{{x}} = \frac{{1}}{{n}}\sum_{{i=1}}^{{n}} x_i = \begin{{bmatrix}}{sums}"
            rf"\end{{bmatrix}} = {tex.row(mean)}",
        ),
        Step(
            text(
                "Centre the data by subtracting the mean from every sample:",
                "每个样本减去均值，使数据中心化：",
            ),
            rf"X - \bar{{x}} = {tex.matrix(centred)}",
        ),
        Step(
            text(
                "The sample covariance divides the sums of products by n − 1; for example "
                "the variance of the first coordinate:",
                "样本协方差把乘积之和除以 n − 1；例如第一个坐标的方差：",
            ),
            rf"s_{{11}} = \frac{{{first}}}{{{n} - 1}} = {tex.num(S[0, 0])}, \qquad "
            rf"S = \frac{{1}}{{n-1}}(X-\bar{{x}})^\top (X-\bar{{x}}) = {tex.matrix(S)}",
        ),
        Step(
            text(
                "The eigenvalues solve the characteristic equation:",
                "特征值是特征方程的解：",
            ),
            rf"\det(S - \lambda I) = {_determinant_latex(S)} = {_characteristic_polynomial(S)} = 0",
        ),
        Step(
            text("Its roots, from largest to smallest:", "其根从大到小为："),
            ", ".join(rf"\lambda_{i + 1} = {tex.num(v)}" for i, v in enumerate(eigenvalues)),
        ),
    ]
    for i, (value, axis) in enumerate(zip(eigenvalues, components)):
        steps.append(
            Step(
                text(
                    f"For $\\lambda_{i + 1}$ solve $(S - \\lambda_{i + 1} I)v = 0$ and scale $v$ "
                    "to unit length (sign: largest entry positive):",
                    f"对 $\\lambda_{i + 1}$ 解 $(S - \\lambda_{i + 1} I)v = 0$，并将 $v$ 单位化"
                    "（符号：绝对值最大的分量为正）：",
                ),
                rf"{tex.matrix(S - value * np.eye(d))} v_{i + 1} = 0 \;\Rightarrow\; "
                rf"v_{i + 1} = {tex.matrix(axis)}",
            )
        )
    total = " + ".join(tex.num(v) for v in eigenvalues)
    steps.append(
        Step(
            text(
                "Each component's contribution ratio is its share of the total variance:",
                "各主成分的贡献率是其方差占总方差的比例：",
            ),
            ", ".join(
                rf"p_{i + 1} = \frac{{{tex.num(v)}}}{{{total}}} = {tex.num(r)}"
                for i, (v, r) in enumerate(zip(eigenvalues, ratios))
            ),
        )
    )
    return Solution(parts, tuple(steps))


def figure(params, solution):
    """The points, their mean and the principal axes scaled by √λ; data in
    3-D are drawn in the plane of the first two components."""
    X = _data(params)
    eigenvalues, components = pca(X)
    if X.shape[1] == 2:
        draw, alt = principal_axes(X, X.mean(axis=0), components, eigenvalues)
        caption = text(
            "The points, their mean μ and the principal axes drawn from μ with length √λ: "
            "the first points where the data spread most. Dotted lines drop each point onto "
            "the first axis.",
            "各点、均值 μ 以及从 μ 出发、长为 √λ 的主轴：第一主轴指向数据散布最大的方向。"
            "虚线把每个点投影到第一主轴上。",
        )
    else:
        scores = project(X, components[:2])
        draw, alt = principal_axes(scores, np.zeros(2), np.eye(2), eigenvalues)
        caption = text(
            "The points in the plane of the first two components (their scores z₁, z₂, "
            "so the mean is at 0), with the axes of length √λ₁ and √λ₂.",
            "各点在前两个主成分构成的平面上的位置（得分 z₁、z₂，均值在原点），"
            "以及长为 √λ₁、√λ₂ 的主轴。",
        )
    return Figure(draw, caption, alt)
