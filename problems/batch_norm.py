"""Batch normalisation of a small mini-batch by hand: the per-feature batch
mean and variance, the normalised values and the scaled and shifted output."""

import numpy as np

from tutor import tex
from tutor.answers import Matrix, Vector
from tutor.problem import (
    ParameterError,
    Part,
    Solution,
    Step,
    distinct_misconceptions,
    known_parameters,
    matrix,
    number,
    text,
    vector,
)
from tutor.solutions.normalization import batch_norm

ID = "batch-norm"
TOPIC = "neural-networks"
TITLE = text("Batch normalisation of a mini-batch", "小批量的批归一化（Batch Normalization）")
PARAMETERS = {
    "X": text(
        "the mini-batch, one sample per row: m × d with 2 ≤ m ≤ 8 samples and 1 ≤ d ≤ 4 features",
        "小批量数据，每行一个样本：m × d，2 ≤ m ≤ 8 个样本，1 ≤ d ≤ 4 个特征",
    ),
    "gamma": text("the scale γ, one number per feature", "缩放参数 γ，每个特征一个数"),
    "beta": text("the shift β, one number per feature", "平移参数 β，每个特征一个数"),
    "eps": text(
        "ε ≥ 0 (at most 1), added to the variance under the square root",
        "ε ≥ 0（不超过 1），在开方前加到方差上",
    ),
}

TOLERANCE = {"rtol": 1e-2, "atol": 1e-3}
MAX_ENTRY = 1000.0
GAMMAS = (0.5, 1.5, 2.0, 2.5, 3.0)
BETAS = (-2.0, -1.0, -0.5, 0.5, 1.0, 1.5, 2.0)
# ε = 0.01 is only asked with data of spread about 0.1–0.4, where it changes
# the normalised values by more than the tolerance; 1e-5 never does.
EPS_MATTERS, EPS_TINY = 0.01, 1e-5


def _pick(rng, options):
    return options[int(rng.integers(len(options)))]


def generate(rng, difficulty=2):
    if difficulty <= 1:
        m, d, eps = _pick(rng, (3, 4)), 1, 0.0
    elif difficulty == 2:
        m, d = _pick(rng, (3, 4)), _pick(rng, (1, 2))
        eps = _pick(rng, (0.0, EPS_TINY, EPS_MATTERS))
    else:
        m, d = _pick(rng, (3, 4, 4)), 2
        eps = _pick(rng, (EPS_TINY, EPS_MATTERS))
    while True:
        X = np.column_stack([_feature(rng, m, eps, difficulty) for _ in range(d)])
        # A sample with equal features would make normalising across the
        # features (the wrong axis) divide 0 by 0.
        if d == 2 and np.any(X[:, 0] == X[:, 1]):
            continue
        params = {
            "X": X.tolist(),
            "gamma": [float(_pick(rng, GAMMAS)) for _ in range(d)],
            "beta": [float(_pick(rng, BETAS)) for _ in range(d)],
            "eps": eps,
        }
        if any(g == b for g, b in zip(params["gamma"], params["beta"])):
            continue
        solution, dropped = _solve(params)
        # Every mistake must be told apart from the right answer and from the
        # others; only forgetting a negligible ε may coincide with it.
        if not set(dropped) - ({"missing-eps"} if eps < 1e-3 else set()):
            return params


def _feature(rng, m, eps, difficulty):
    """One column drawn backwards: a short mean plus whole-unit deviations
    that sum to zero, so the mean stays a short decimal."""
    if eps == EPS_MATTERS:
        unit, center = 0.1, rng.integers(2, 31) / 10
    elif difficulty <= 1:
        unit, center = 1.0, float(rng.integers(1, 9))
    else:
        unit = _pick(rng, (1.0, 1.0, 0.5, 2.0))
        center = float(rng.integers(-4, 9)) + (0.5 if rng.random() < 0.3 else 0.0)
    while True:
        deviations = rng.integers(-4, 5, size=m - 1)
        deviations = np.append(deviations, -deviations.sum())
        if abs(deviations[-1]) <= 5 and np.mean(deviations**2) >= 2:
            return np.round(center + unit * deviations, 2)


def _parameters(params):
    known_parameters(params, PARAMETERS)
    for name in PARAMETERS:
        if name not in params:
            raise ParameterError(name, "missing")
    X = matrix(params, "X", max_size=8)
    m, d = X.shape
    if m < 2:
        raise ParameterError("X", "a batch needs at least 2 samples (rows)")
    if d > 4:
        raise ParameterError("X", f"at most 4 features (columns), got {d}")
    if np.max(np.abs(X)) > MAX_ENTRY:
        raise ParameterError("X", f"entries must lie in [-{MAX_ENTRY:g}, {MAX_ENTRY:g}]")
    scale = {}
    for name in ("gamma", "beta"):
        if isinstance(params[name], (int, float)) and not isinstance(params[name], bool):
            scale[name] = np.full(d, number(params, name, -MAX_ENTRY, MAX_ENTRY))
            continue
        scale[name] = vector(params, name, max_size=4)
        if scale[name].size != d:
            raise ParameterError(
                name, f"needs one number per feature ({d}), got {scale[name].size}"
            )
        if np.max(np.abs(scale[name])) > MAX_ENTRY:
            raise ParameterError(name, f"entries must lie in [-{MAX_ENTRY:g}, {MAX_ENTRY:g}]")
    eps = number(params, "eps", 0.0, 1.0)
    return X, scale["gamma"], scale["beta"], eps


def _feature_names(d):
    return [f"feature {j + 1}" for j in range(d)], [f"特征 {j + 1}" for j in range(d)]


def statement(params):
    X, gamma, beta, eps = _parameters(params)
    m, d = X.shape
    values = rf"$$X = {tex.matrix(X)}, \quad \epsilon = {tex.num(eps)}, \quad "
    values += rf"\gamma = {tex.vector(gamma)}, \quad \beta = {tex.vector(beta)}$$"
    features_en = "one feature" if d == 1 else f"{d} features (columns)"
    features_zh = "1 个特征" if d == 1 else f"{d} 个特征（列）"
    return text(
        f"A batch-normalisation layer receives a mini-batch of m = {m} samples with "
        f"{features_en}, one sample per row. It normalises every feature over the batch "
        r"and then scales and shifts it: $\hat{x} = \frac{x - \mu_B}{\sqrt{\sigma_B^2 + "
        r"\epsilon}}$ and $y = \gamma \hat{x} + \beta$, where $\mu_B$ and $\sigma_B^2$ are "
        "the mean and the variance of the feature over the batch (batch normalisation "
        f"divides by m, not m − 1).\n{values}\n"
        r"Compute the batch mean $\mu_B$ and variance $\sigma_B^2$ of every feature, the "
        r"normalised values $\hat{x}$ and the output $y$ (both of the shape of $X$).",
        f"一个批归一化层接收一个小批量，共 m = {m} 个样本、{features_zh}，每行一个样本。"
        "它对每个特征在批内做归一化，再缩放和平移："
        r"$\hat{x} = \frac{x - \mu_B}{\sqrt{\sigma_B^2 + \epsilon}}$，"
        r"$y = \gamma \hat{x} + \beta$，其中 $\mu_B$ 和 $\sigma_B^2$ 是该特征在批内的均值和方差"
        f"（批归一化除以 m，而不是 m − 1）。\n{values}\n"
        r"求每个特征的批均值 $\mu_B$ 和方差 $\sigma_B^2$、归一化后的值 $\hat{x}$ 以及输出 $y$"
        r"（二者都与 $X$ 形状相同）。",
    )


FEEDBACK = {
    "unbiased-variance": (
        "You divided by m − 1: batch normalisation uses the batch variance, the mean of the "
        "squared deviations, (1/m) Σ (x − μ)².",
        "你除以了 m − 1：批归一化用的是批内方差，即偏差平方的平均 (1/m) Σ (x − μ)²。",
    ),
    "standard-deviation": (
        "That is the standard deviation σ; the variance is its square σ² = (1/m) Σ (x − μ)².",
        "这是标准差 σ；方差是它的平方 σ² = (1/m) Σ (x − μ)²。",
    ),
    "divided-by-variance": (
        "You divided by the variance; normalising divides by the standard deviation √(σ² + ε).",
        "你除以了方差；归一化要除以标准差 √(σ² + ε)。",
    ),
    "wrong-axis": (
        "You normalised every sample over its features (a row); batch normalisation "
        "normalises every feature over the batch (a column).",
        "你对每个样本在它的各特征上（按行）做了归一化；批归一化是对每个特征在批内（按列）归一化。",
    ),
    "missing-eps": (
        "You left out ε: the denominator is √(σ² + ε), and here ε is not negligible.",
        "你漏了 ε：分母是 √(σ² + ε)，这里的 ε 不可忽略。",
    ),
    "gamma-beta-swapped": (
        "γ and β are swapped: γ scales the normalised value and β shifts it, y = γ x̂ + β.",
        "γ 和 β 用反了：γ 负责缩放，β 负责平移，y = γ x̂ + β。",
    ),
}


def _row_normalised(X, eps):
    """Every sample normalised over its own features: the wrong axis."""
    mean = X.mean(axis=1, keepdims=True)
    var = ((X - mean) ** 2).mean(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (X - mean) / np.sqrt(var + eps)


def solve(params):
    return _solve(params)[0]


def _solve(params):
    """The solution, and the tags of the mistakes that coincide with the right
    answer or an earlier mistake here (left out of the parts)."""
    X, gamma, beta, eps = _parameters(params)
    m, d = X.shape
    try:
        Y, x_hat, mean, var = batch_norm(X, gamma, beta, eps)
    except ValueError as error:
        raise ParameterError("X", str(error)) from None
    centred = X - mean
    unbiased = var * m / (m - 1)
    x_hat_unbiased = centred / np.sqrt(unbiased + eps)
    with np.errstate(divide="ignore", invalid="ignore"):
        by_variance = centred / (var + eps)
        without_eps = centred / np.sqrt(var) if eps > 0 else None
    row_wise = _row_normalised(X, eps) if d > 1 else None

    def shifted(z):
        return None if z is None else gamma * z + beta

    candidates = {
        "mean": [],
        "variance": [("unbiased-variance", unbiased), ("standard-deviation", np.sqrt(var))],
        "normalized": [
            ("unbiased-variance", x_hat_unbiased),
            ("divided-by-variance", by_variance),
            ("wrong-axis", row_wise),
            ("missing-eps", without_eps),
        ],
        "output": [
            ("unbiased-variance", shifted(x_hat_unbiased)),
            ("divided-by-variance", shifted(by_variance)),
            ("wrong-axis", shifted(row_wise)),
            ("missing-eps", shifted(without_eps)),
            ("gamma-beta-swapped", beta * x_hat + gamma),
        ],
    }
    answers = {
        "mean": (
            Vector,
            mean,
            text(r"batch mean $\mu_B$ (per feature)", r"批均值 $\mu_B$（每个特征）"),
        ),
        "variance": (
            Vector,
            var,
            text(r"batch variance $\sigma_B^2$ (per feature)", r"批方差 $\sigma_B^2$（每个特征）"),
        ),
        "normalized": (
            Matrix,
            x_hat,
            text(r"normalised values $\hat{x}$ (m × d)", r"归一化后的值 $\hat{x}$（m × d）"),
        ),
        "output": (
            Matrix,
            Y,
            text(r"output $y = \gamma \hat{x} + \beta$", r"输出 $y = \gamma \hat{x} + \beta$"),
        ),
    }
    parts, dropped = [], []
    for name, (kind, value, label) in answers.items():
        probe = kind(value, **TOLERANCE)
        wanted = [(tag, v) for tag, v in candidates[name] if v is not None]
        kept = distinct_misconceptions(probe, wanted, FEEDBACK)
        dropped += sorted({tag for tag, _ in wanted} - {k.tag for k in kept})
        parts.append(Part(name, label, kind(value, **TOLERANCE, misconceptions=kept)))
    return Solution(tuple(parts), _steps(X, gamma, beta, eps, Y, x_hat, mean, var)), dropped


def _steps(X, gamma, beta, eps, Y, x_hat, mean, var):
    m, d = X.shape

    def sub(j):
        """The feature's index, left out when there is only one feature."""
        return str(j + 1) if d > 1 else ""

    def feature(j):
        """A subscript naming the feature, none when there is only one."""
        return f"_{{{j + 1}}}" if d > 1 else ""

    means = r", \qquad ".join(
        rf"\mu{feature(j)} = \frac{{{' + '.join(tex.paren(v) for v in X[:, j])}}}{{{m}}} "
        rf"= {tex.num(mean[j])}"
        for j in range(d)
    )
    variances = r", \qquad ".join(
        rf"\sigma{feature(j)}^2 = \frac{{"
        + " + ".join(rf"{tex.paren(v)}^2" for v in X[:, j] - mean[j])
        + rf"}}{{{m}}} = {tex.num(var[j])}"
        for j in range(d)
    )
    roots = r", \qquad ".join(
        rf"\sqrt{{\sigma{feature(j)}^2 + \epsilon}} = \sqrt{{{tex.num(var[j])} + {tex.num(eps)}}} "
        rf"= {tex.num(np.sqrt(var[j] + eps))}"
        for j in range(d)
    )
    per_feature_en = "every column" if d > 1 else "the column"
    per_feature_zh = "每一列" if d > 1 else "这一列"
    steps = [
        Step(
            text(
                f"The batch mean of each feature averages {per_feature_en} over the m = {m} "
                "samples:",
                f"每个特征的批均值是{per_feature_zh}在 m = {m} 个样本上的平均：",
            ),
            means + rf" \qquad \Rightarrow \; \mu_B = {tex.vector(mean)}",
        ),
        Step(
            text(
                "The batch variance is the mean of the squared deviations from it (divide by m):",
                "批方差是与均值之差的平方的平均（除以 m）：",
            ),
            variances + rf" \qquad \Rightarrow \; \sigma_B^2 = {tex.vector(var)}",
        ),
        Step(
            text(
                "Subtract the mean and divide by the standard deviation, with ε under the root:",
                "减去均值，再除以标准差（ε 加在根号内）：",
            ),
            rf"X - \mu_B = {tex.matrix(X - mean)}, \qquad {roots}",
        ),
        Step(
            text(
                f"Dividing {per_feature_en} by its standard deviation gives the normalised values:",
                f"把{per_feature_zh}除以对应的标准差，得到归一化后的值：",
            ),
            r"\hat{x} = \frac{X - \mu_B}{\sqrt{\sigma_B^2 + \epsilon}} = " + tex.matrix(x_hat),
        ),
    ]
    affine = r", \qquad ".join(
        rf"y_{{i{sub(j)}}} = {tex.num(gamma[j])} \, \hat{{x}}_{{i{sub(j)}}} {tex.signed(beta[j])}"
        for j in range(d)
    )
    steps.append(
        Step(
            text(
                "Finally scale by γ and shift by β, feature by feature:",
                "最后按特征乘以 γ 并加上 β：",
            ),
            rf"{affine} \qquad \Rightarrow \; y = {tex.matrix(Y)}",
        )
    )
    return tuple(steps)
