"""Linear and ridge regression in closed form: w* = (XᵀX + λI)⁻¹Xᵀr for a few
samples, with the column of ones for the bias."""

import numpy as np

from tutor import tex
from tutor.answers import Matrix, Misconception, Vector
from tutor.problem import (
    ParameterError,
    Part,
    Solution,
    Step,
    has_distinct_misconceptions,
    known_parameters,
    matrix,
    number,
    text,
    vector,
)
from tutor.solutions.linear import normal_equation, normal_equation_system, ridge_normal_equation

ID = "normal-equation"
TOPIC = "regression"
TITLE = text(
    "The normal equation of linear and ridge regression",
    "线性回归与岭回归的正规方程（闭式解）",
)
PARAMETERS = {
    "X": text(
        "the inputs, one sample per row, without the column of ones: N × d with d = 1 to 3 "
        "(a flat list is one feature)",
        "输入数据，每行一个样本，不含全 1 列：N × d，d = 1 到 3（一维列表表示一个特征）",
    ),
    "r": text("the targets r_n, one per sample", "目标值 r_n，每个样本一个"),
    "ridge": text(
        "the regularisation strength λ ≥ 0 (0: ordinary least squares); λI includes the bias",
        "正则化系数 λ ≥ 0（0 即普通最小二乘）；λI 也作用于偏置",
    ),
}

TOLERANCE = {"rtol": 1e-2, "atol": 5e-3}
DIGITS = 6  # sums of small integers and short decimals: show them exactly
LIMIT = 1000.0


def _n(x):
    return tex.num(x, DIGITS)


def _choice(rng, options):
    return options[int(rng.integers(len(options)))]


def _short(values, decimals=3):
    scaled = np.asarray(values, dtype=float) * 10**decimals
    return bool(np.all(np.abs(scaled - np.round(scaled)) < 1e-6))


def generate(rng, difficulty=2):
    # The structure first, then numbers until they are clean: redrawing the
    # structure too would favour the shapes whose numbers come out clean most.
    if difficulty <= 1:
        n, d, low, high = 3, 1, 0, 5
        ridge = 0.0 if rng.random() < 0.7 else 1.0
    elif difficulty == 2:
        n, d, low, high = _choice(rng, [3, 4]), 1, -2, 5
        ridge = _choice(rng, [0.0, 0.0, 0.5, 1.0, 2.0])
    else:
        n, d, low, high = 4, 2, -2, 4
        ridge = _choice(rng, [0.0, 1.0, 2.0])
    while True:
        X = rng.integers(low, high, size=(n, d))
        r = rng.integers(-5, 10, size=n)
        params = {"X": X.astype(float).tolist(), "r": r.astype(float).tolist(), "ridge": ridge}
        if _clean(params) and has_distinct_misconceptions(solve(params)):
            return params


def _clean(params):
    """Features that vary and are not collinear (so that XᵀX is invertible
    even without λ), a determinant of exam size, and weights that are short
    decimals (the inverse divides by det, which must leave a terminating
    decimal) and of exam size."""
    X, r, ridge = np.array(params["X"]), np.array(params["r"]), params["ridge"]
    design = np.column_stack([np.ones(len(X)), X])
    if np.linalg.matrix_rank(design) < design.shape[1]:
        return False
    if X.shape[1] > 1 and np.abs(np.corrcoef(X, rowvar=False)[0, 1]) > 0.95:
        return False
    gram, _ = normal_equation_system(X, r, ridge)
    if abs(np.linalg.det(gram)) > (100 if X.shape[1] == 1 else 400):
        return False
    w = normal_equation(X, r, ridge=ridge)
    return _short(w) and np.all(np.abs(w) <= 20) and np.any(np.abs(w[1:]) >= 0.1)


def _data(params):
    known_parameters(params, PARAMETERS)
    raw = params.get("X")
    if isinstance(raw, list) and raw and all(not isinstance(v, list) for v in raw):
        X = vector(params, "X", max_size=12)[:, None]
    else:
        X = matrix(params, "X", cols=(1, 2, 3))
    r = vector(params, "r", max_size=12)
    if r.size != X.shape[0]:
        raise ParameterError("r", f"expected {X.shape[0]} targets (one per row of X)")
    ridge = number(params, "ridge", 0.0, LIMIT)
    try:
        w = normal_equation(X, r, ridge=ridge)
    except ValueError as error:
        raise ParameterError("X", f"no unique solution: {error}") from None
    return X, r, ridge, w


def _design_latex(X):
    return tex.matrix(np.column_stack([np.ones(len(X)), X]), DIGITS)


def statement(params):
    X = np.asarray(params["X"], dtype=float)
    X = X[:, None] if X.ndim == 1 else X
    r = np.asarray(params["r"], dtype=float)
    n, d = X.shape
    ridge = float(params["ridge"])
    if d == 1:
        model = r"\hat{r} = w_0 + w_1 x"
        rows = rf"x_n & {' & '.join(_n(v) for v in X[:, 0])} \\ "
        order = r"$w = (w_0, w_1)$"
    else:
        model = r"\hat{r} = w_0 + " + " + ".join(f"w_{j + 1} x_{j + 1}" for j in range(d))
        rows = "".join(
            rf"x_{{{j + 1}}} & {' & '.join(_n(v) for v in X[:, j])} \\ " for j in range(d)
        )
        order = "$w = (" + ", ".join(f"w_{j}" for j in range(d + 1)) + ")$"
    header = " & ".join(str(i + 1) for i in range(n))
    table = (
        rf"$$\begin{{array}}{{c|{'c' * n}}} n & {header} \\ \hline {rows}"
        rf"r_n & {' & '.join(_n(v) for v in r)} \end{{array}}$$"
    )
    if ridge > 0:
        en_method = (
            f"by ridge regression with $\\lambda = {_n(ridge)}$: "
            r"$w^* = (X^\top X + \lambda I)^{-1} X^\top r$, where $I$ is the "
            f"{d + 1} × {d + 1} identity, so that, as in the course notes, the penalty "
            "shrinks the bias $w_0$ too"
        )
        zh_method = (
            f"方法为岭回归，$\\lambda = {_n(ridge)}$：$w^* = (X^\\top X + \\lambda I)^{{-1}} "
            f"X^\\top r$，其中 $I$ 是 {d + 1} × {d + 1} 单位矩阵，即与课程笔记一致，"
            "惩罚项也作用于偏置 $w_0$"
        )
        en_parts, zh_parts = r"$X^\top X + \lambda I$", r"$X^\top X + \lambda I$"
    else:
        en_method = r"by least squares: $w^* = (X^\top X)^{-1} X^\top r$"
        zh_method = r"方法为最小二乘法：$w^* = (X^\top X)^{-1} X^\top r$"
        en_parts, zh_parts = r"$X^\top X$", r"$X^\top X$"
    return text(
        f"Fit the model ${model}$ to the {n} samples below {en_method}. Here $X$ is the "
        f"{n} × {d + 1} design matrix whose first column is all ones (the bias input "
        "$x_0 = 1$), followed by the features.\n"
        f"{table}\nCompute {en_parts}, $X^\\top r$ and the weights $w^*$, bias first: {order}.",
        f"把模型 ${model}$ 拟合到下面 {n} 个样本上，{zh_method}。这里 $X$ 是 "
        f"{n} × {d + 1} 的设计矩阵，第一列全为 1（偏置的输入 $x_0 = 1$），其后是各特征。\n"
        f"{table}\n求 {zh_parts}、$X^\\top r$ 以及权重 $w^*$（偏置在前：{order}）。",
    )


def _bias_last(values):
    """The same numbers with the bias moved from first to last place (rows
    and columns for a matrix): what the ones column put last produces."""
    values = np.asarray(values, dtype=float)
    order = list(range(1, len(values))) + [0]
    return values[np.ix_(order, order)] if values.ndim == 2 else values[order]


def _adjugate(A):
    return np.linalg.det(A) * np.linalg.inv(A)


def solve(params):
    X, r, ridge, w = _data(params)
    n, d = X.shape
    A, c = normal_equation_system(X, r, ridge)
    gram, _ = normal_equation_system(X, r, 0.0)
    det = float(np.linalg.det(A))
    adj = _adjugate(A)
    checkerboard = (-1.0) ** np.add.outer(np.arange(d + 1), np.arange(d + 1))

    bias_last = (
        "Right numbers, wrong order: the column of ones comes first, so the bias is the "
        "first entry (and the first row and column).",
        "数值正确但顺序不对：全 1 列在最前面，所以偏置是第一个分量（以及第一行、第一列）。",
    )
    divided = (
        f"You divided by N = {n}: the normal equation Xᵀ(Xw − r) + λw = 0 of the squared-"
        "error sum has no 1/N (a 1/N in the loss would turn λ into Nλ).",
        f"你除以了 N = {n}：平方误差之和的正规方程 Xᵀ(Xw − r) + λw = 0 中没有 1/N"
        "（若损失中带 1/N，λ 就会变成 Nλ）。",
    )
    no_ridge = (
        "You left out λI: ridge regression adds λ to every diagonal entry of XᵀX.",
        "你漏掉了 λI：岭回归要在 XᵀX 的每个对角元上加 λ。",
    )
    free_bias = (
        "That is the other convention, with the bias unpenalised (λ added to the weights' "
        "diagonal entries only); here λI spans the bias too, as in the notes.",
        "这是另一种约定：偏置不受惩罚（λ 只加在权重对应的对角元上）；这里与笔记一致，λI "
        "也作用于偏置。",
    )

    xtx_mistakes = [
        Misconception("bias-column-last", _bias_last(A), *bias_last, score=0.5),
        Misconception("divided-by-n", gram / n + ridge * np.eye(d + 1), *divided),
    ]
    xtr_mistakes = [
        Misconception("bias-column-last", _bias_last(c), *bias_last, score=0.5),
        Misconception("divided-by-n", c / n, *divided),
    ]
    w_mistakes = [
        Misconception("bias-column-last", _bias_last(w), *bias_last, score=0.5),
        Misconception(
            "missing-determinant",
            adj @ c,
            f"You multiplied by the adjugate but did not divide by det = {tex.plain(det)}: "
            "A⁻¹ = adj(A)/det(A).",
            f"你乘了伴随矩阵却没有除以行列式 det = {tex.plain(det)}：A⁻¹ = adj(A)/det(A)。",
        ),
        Misconception(
            "cofactor-signs",
            (checkerboard * adj) @ c / det,
            "The inverse has the cofactor signs (−1)^(i+j): in the 2 × 2 case swap the "
            "diagonal and negate the off-diagonal entries.",
            "逆矩阵要带代数余子式的符号 (−1)^(i+j)：2 × 2 时交换对角元，并把非对角元取相反数。",
        ),
    ]
    if ridge > 0:
        free = normal_equation_system(X, r, ridge, penalize_bias=False)[0]
        xtx_mistakes += [
            Misconception("ridge-not-added", gram, *no_ridge),
            Misconception("bias-unpenalised", free, *free_bias, score=0.5),
        ]
        w_mistakes += [
            Misconception(
                "bias-unpenalised",
                ridge_normal_equation(X, r, ridge, penalize_bias=False),
                *free_bias,
                score=0.5,
            ),
            Misconception("divided-by-n", ridge_normal_equation(X, r, n * ridge), *divided),
        ]
        if np.linalg.matrix_rank(gram) == d + 1:
            w_mistakes.append(Misconception("ridge-not-added", normal_equation(X, r), *no_ridge))

    label = r"$X^\top X + \lambda I$" if ridge > 0 else r"$X^\top X$"
    parts = (
        Part("xtx", text(label, label), Matrix(A, **TOLERANCE, misconceptions=tuple(xtx_mistakes))),
        Part(
            "xtr",
            text(r"$X^\top r$", r"$X^\top r$"),
            Vector(c, **TOLERANCE, misconceptions=tuple(xtr_mistakes)),
        ),
        Part(
            "w",
            text(r"$w^*$ (bias first)", r"$w^*$（偏置在前）"),
            Vector(w, **TOLERANCE, misconceptions=tuple(w_mistakes)),
        ),
    )

    steps = [
        Step(
            text(
                "Put a column of ones in front of the features:",
                "在特征前加一列 1：",
            ),
            rf"X = {_design_latex(X)}, \quad r = {tex.matrix(r, DIGITS)}",
        ),
    ]
    if ridge > 0:
        steps.append(
            Step(
                text(
                    "Multiply $X^\\top X$ (sums of products of columns), then add $\\lambda$ "
                    "to every diagonal entry, the bias' included:",
                    "计算 $X^\\top X$（各列两两乘积之和），再在每个对角元（包括偏置的）上加 "
                    "$\\lambda$：",
                ),
                rf"X^\top X = {tex.matrix(gram, DIGITS)}, \quad X^\top X + \lambda I = "
                rf"X^\top X + {_n(ridge)} \cdot I = {tex.matrix(A, DIGITS)}",
            )
        )
    else:
        steps.append(
            Step(
                text(
                    "Multiply $X^\\top X$: entry $(i, j)$ is the sum over the samples of "
                    "column $i$ times column $j$; the corner is $N$:",
                    "计算 $X^\\top X$：第 $(i, j)$ 个元素是第 $i$ 列与第 $j$ 列对应元素乘积之和；"
                    "左上角是 $N$：",
                ),
                rf"X^\top X = {tex.matrix(A, DIGITS)}",
            )
        )
    steps.append(
        Step(
            text(
                "Each entry of $X^\\top r$ is a column of $X$ times $r$:",
                "$X^\\top r$ 的每个元素是 $X$ 的一列与 $r$ 的内积：",
            ),
            rf"X^\top r = {tex.matrix(c, DIGITS)}",
        )
    )
    name = r"X^\top X + \lambda I" if ridge > 0 else r"X^\top X"
    if d == 1:
        (a, b), (_, e) = A
        steps.append(
            Step(
                text(
                    "Invert the 2 × 2 matrix: swap the diagonal, negate the off-diagonal and "
                    "divide by the determinant:",
                    "求 2 × 2 矩阵的逆：交换对角元，非对角元取相反数，再除以行列式：",
                ),
                rf"\det = {_n(a)} \cdot {tex.paren(e, DIGITS)} - {tex.paren(b, DIGITS)}^2 = "
                rf"{_n(det)}, \quad \left({name}\right)^{{-1}} = \frac{{1}}{{{_n(det)}}}"
                rf"{tex.matrix(adj, DIGITS)}",
            )
        )
    else:
        expansion = " + ".join(
            rf"{tex.paren(A[0, j], DIGITS)} \cdot {tex.paren(adj[j, 0], DIGITS)}"
            for j in range(d + 1)
        )
        steps.append(
            Step(
                text(
                    "Invert with the adjugate (the transposed matrix of cofactors, signs "
                    "$(-1)^{i+j}$) over the determinant, expanded along the first row:",
                    "用伴随矩阵（代数余子式矩阵的转置，符号为 $(-1)^{i+j}$）除以行列式求逆，"
                    "行列式按第一行展开：",
                ),
                rf"\det = {expansion} = {_n(det)}, \quad \left({name}\right)^{{-1}} = "
                rf"\frac{{1}}{{{_n(det)}}}{tex.matrix(adj, DIGITS)}",
            )
        )
    steps.append(
        Step(
            text(
                "Multiply the inverse by $X^\\top r$ (bias first):",
                "用逆矩阵乘以 $X^\\top r$（偏置在前）：",
            ),
            rf"w^* = \frac{{1}}{{{_n(det)}}}{tex.matrix(adj, DIGITS)}{tex.matrix(c, DIGITS)} "
            rf"= \frac{{1}}{{{_n(det)}}}{tex.matrix(adj @ c, DIGITS)} = {tex.matrix(w)}",
        )
    )
    return Solution(parts, tuple(steps))
