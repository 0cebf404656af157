"""A linear SVM trained on the regularised hinge loss: the margin, the loss,
its subgradient and one subgradient-descent step."""

import numpy as np

from tutor import tex
from tutor.answers import Misconception, Number, Vector
from tutor.problem import (
    ParameterError,
    Part,
    Solution,
    Step,
    changing,
    has_distinct_misconceptions,
    known_parameters,
    matrix,
    number,
    text,
    vector,
)
from tutor.solutions.classifiers import (
    hinge_loss,
    hinge_subgradient,
    svm_functional_margins,
    svm_margin,
    svm_subgradient_step,
)

ID = "svm-hinge"
TOPIC = "classification"
TITLE = text(
    "SVM: margin, hinge loss and one subgradient step",
    "支持向量机：间隔、合页损失与一步次梯度下降",
)
PARAMETERS = {
    "X": text(
        "the samples x^(l), one per row: N × d with 1 ≤ N ≤ 8 and 1 ≤ d ≤ 4",
        "样本 x^(l)，每行一个：N × d，1 ≤ N ≤ 8，1 ≤ d ≤ 4",
    ),
    "r": text("the labels r^(l), N entries, each −1 or +1", "标签 r^(l)，N 个分量，取 −1 或 +1"),
    "w": text("the weights w, d entries, not all zero", "权重 w，d 个分量，不全为 0"),
    "w0": text("the bias w_0", "偏置 w_0"),
    "lam": text("the regularisation strength λ ≥ 0", "正则化系数 λ ≥ 0"),
    "lr": text("the learning rate η, in (0, 10]", "学习率 η，取值 (0, 10]"),
}

TOLERANCE = {"rtol": 1e-2, "atol": 2e-3}
MAX_ENTRY = 100.0
WEIGHTS = np.array([-2, -1.5, -1, -0.8, -0.6, -0.5, -0.4, -0.2, 0.2, 0.4, 0.5, 0.6, 0.8, 1, 1.5, 2])
# Every r·f(x) at least this far from the kink at 1 (and f(x) this far from 0),
# so no sample sits on a margin hyperplane or on the boundary.
CLEARANCE = 0.2


def generate(rng, difficulty=2):
    if difficulty <= 1:
        n, cases = 3, ["violators"]
    elif difficulty == 2:
        n, cases = int(rng.choice([3, 4])), ["violators"] * 5 + ["separated"]
    else:
        n, cases = int(rng.choice([4, 5])), ["mixed"] * 5 + ["separated"]
    # "separated": every sample outside the margin, so only the regulariser
    # moves w; "violators": at least one sample with r f(x) < 1; "mixed": a
    # misclassified sample, one inside the margin and one outside.
    case = cases[int(rng.integers(len(cases)))]
    while True:
        X = rng.integers(-3, 4, size=(n, 2))
        w = rng.choice(WEIGHTS, size=2)
        w0 = float(rng.choice([-1.0, -0.5, 0.0, 0.5, 1.0]))
        r = rng.choice([-1, 1], size=n)
        # ‖w‖ = 1 would make 2/‖w‖² coincide with the margin 2/‖w‖.
        if r.min() == r.max() or len(np.unique(X, axis=0)) < n or abs(w @ w - 1) < 0.05:
            continue
        f = X @ w + w0
        m = r * f
        if np.any(np.abs(f) < CLEARANCE) or np.any(np.abs(m - 1) < CLEARANCE):
            continue
        if not _has_case(m, case):
            continue
        params = {
            "X": X.tolist(),
            "r": r.tolist(),
            "w": w.tolist(),
            "w0": w0,
            "lam": float(rng.choice([0.1, 0.2, 0.5, 1.0])),
            "lr": float(rng.choice([0.1, 0.2, 0.5])),
        }
        if has_distinct_misconceptions(solve(params)):
            return params


def _has_case(m, case):
    outside, inside, wrong = m > 1, (m > 0) & (m < 1), m < 0
    if case == "separated":
        return bool(np.all(outside))
    if case == "violators":
        return bool(np.any(~outside))
    return bool(np.any(outside) and np.any(inside) and np.any(wrong))


def _parameters(params):
    known_parameters(params, PARAMETERS)
    for name in PARAMETERS:
        if name not in params:
            raise ParameterError(name, "missing")
    X = matrix(params, "X", max_size=8)
    if X.shape[1] > 4:
        raise ParameterError("X", f"at most 4 features (columns), got {X.shape[1]}")
    r = vector(params, "r", max_size=8)
    if r.size != X.shape[0]:
        raise ParameterError("r", f"needs one label per sample ({X.shape[0]}), got {r.size}")
    if not np.all((r == 1) | (r == -1)):
        raise ParameterError("r", "labels must be -1 or +1")
    w = vector(params, "w", max_size=4)
    if w.size != X.shape[1]:
        raise ParameterError("w", f"needs one weight per feature ({X.shape[1]}), got {w.size}")
    for name, array in (("X", X), ("w", w)):
        if np.max(np.abs(array)) > MAX_ENTRY:
            raise ParameterError(name, f"entries must lie in [-{MAX_ENTRY:g}, {MAX_ENTRY:g}]")
    try:
        svm_margin(w)
    except ValueError as error:
        raise ParameterError("w", str(error)) from None
    if np.linalg.norm(w) < 1e-3:
        raise ParameterError("w", "‖w‖ must be at least 0.001: the margin would be huge")
    w0 = number(params, "w0", -MAX_ENTRY, MAX_ENTRY)
    lam = number(params, "lam", 0.0, MAX_ENTRY)
    eta = number(params, "lr", 0.0, 10.0, low_open=True)
    return X, r, w, w0, lam, eta


def _sample_table(X, r):
    """The training set as a table: one row per sample, its features and its label."""
    d = X.shape[1]
    header = " & ".join(f"x_{j + 1}" for j in range(d)) if d > 1 else "x"
    rows = r" \\ ".join(
        f"{i + 1} & " + " & ".join(tex.num(v) for v in x) + f" & {int(label):+d}"
        for i, (x, label) in enumerate(zip(X, r))
    )
    return rf"$$\begin{{array}}{{c|{'c' * d}|c}} l & {header} & r \\ \hline {rows} \end{{array}}$$"


def _signed_sum(signs, items):
    """±item ± item …: the sum of the items, each with the sign of its label."""
    pieces = [("- " if s < 0 else "+ ") + item for s, item in zip(signs, items)]
    return " ".join(pieces).removeprefix("+ ").replace("- ", "-", 1 if signs[0] < 0 else 0)


def statement(params):
    X, r, w = (np.asarray(params[k], dtype=float) for k in ("X", "r", "w"))
    n, d = X.shape
    loss = (
        r"$$L(w, w_0 \mid D) = \frac{1}{N} \sum_{l=1}^{N} "
        r"\max\left(0,\; 1 - r^{(l)} f(x^{(l)})\right) + \frac{\lambda}{2} \lVert w \rVert^2$$"
    )
    values = [
        rf"$w = {tex.vector(w)}$",
        rf"$w_0 = {tex.num(params['w0'])}$",
        rf"$\lambda = {tex.num(params['lam'])}$",
    ]
    current, current_zh = ", ".join(values), "，".join(values)
    eta = rf"$\eta = {tex.num(params['lr'])}$"
    return text(
        r"A linear SVM classifies with $f(x) = w^\top x + w_0$: class $+1$ where $f(x) > 0$, "
        f"$-1$ where $f(x) < 0$. Its current parameters are {current}, and the training set "
        f"has N = {n} samples with labels $r \\in \\{{-1, +1\\}}$:\n{_sample_table(X, r)}\n"
        "Training minimises the regularised hinge loss (the mean over the samples):"
        f"\n{loss}\n"
        "Compute (1) the width of the margin, the distance between the hyperplanes "
        r"$f(x) = 1$ and $f(x) = -1$; (2) the loss $L$; (3) the subgradient "
        r"$\frac{\partial L}{\partial w}$ and $\frac{\partial L}{\partial w_0}$, where a "
        r"sample counts as a margin violator when $r f(x) < 1$ (first decide, for each "
        "sample, whether it lies outside the margin, inside it, or on the wrong side of the "
        f"boundary); (4) the parameters after one subgradient-descent step with {eta}.",
        r"线性 SVM 按 $f(x) = w^\top x + w_0$ 分类：$f(x) > 0$ 为 $+1$ 类，"
        f"$f(x) < 0$ 为 $-1$ 类。当前参数为 {current_zh}，训练集有 N = {n} 个样本，"
        f"标签 $r \\in \\{{-1, +1\\}}$：\n{_sample_table(X, r)}\n"
        f"训练时最小化带正则项的合页损失（对样本取平均）：\n{loss}\n"
        "求：(1) 间隔的宽度，即超平面 $f(x) = 1$ 与 $f(x) = -1$ 之间的距离；(2) 损失 $L$；"
        r"(3) 次梯度 $\frac{\partial L}{\partial w}$ 和 $\frac{\partial L}{\partial w_0}$，"
        r"其中 $r f(x) < 1$ 的样本算作违反间隔（先判断每个样本是在间隔之外、间隔之内，"
        f"还是在分界面的错误一侧）；(4) 以 {eta} 做一步次梯度下降后的参数。",
    )


def _indices(mask):
    return ", ".join(str(i + 1) for i in np.flatnonzero(mask))


def _status_text(m):
    """Which samples are inside the margin or misclassified, in words."""
    inside, wrong, outside = (m > 0) & (m < 1), m <= 0, m >= 1
    en, zh = [], []
    if np.any(outside):
        en.append(f"sample(s) {_indices(outside)} lie on or outside the margin ($r f \\ge 1$)")
        zh.append(f"样本 {_indices(outside)} 在间隔之上或之外（$r f \\ge 1$）")
    if np.any(inside):
        en.append(
            f"sample(s) {_indices(inside)} lie inside the margin on the right side ($0 < r f < 1$)"
        )
        zh.append(f"样本 {_indices(inside)} 在间隔之内、分类正确（$0 < r f < 1$）")
    if np.any(wrong):
        en.append(f"sample(s) {_indices(wrong)} are misclassified ($r f \\le 0$)")
        zh.append(f"样本 {_indices(wrong)} 被分错（$r f \\le 0$）")
    return "; ".join(en), "；".join(zh)


def solve(params):
    X, r, w, w0, lam, eta = _parameters(params)
    n = X.shape[0]
    try:
        margin = svm_margin(w)
        loss = hinge_loss(w, w0, X, r, lam)
        g_w, g_w0 = hinge_subgradient(w, w0, X, r, lam)
        w_next, w0_next = svm_subgradient_step(w, w0, X, r, eta, lam)
        m = svm_functional_margins(w, w0, X, r)
    except ValueError as error:
        raise ParameterError("X", str(error)) from None
    f = X @ w + w0
    hinge = np.maximum(0.0, 1.0 - m)
    norm_sq = float(w @ w)
    regulariser = 0.5 * lam * norm_sq
    active = m < 1

    def data_term(mask):
        """−(1/N) Σ r x and −(1/N) Σ r over the samples in ``mask``."""
        return -(r[mask] @ X[mask]) / n, -float(r[mask].sum()) / n

    data_w, data_w0 = data_term(active)
    wrong_w, wrong_w0 = data_term(m <= 0)
    all_w, all_w0 = data_term(np.ones(n, dtype=bool))

    sum_en = "You summed over the samples; the hinge term is the mean, so divide it by N."
    sum_zh = "你对样本求了和；合页损失项取平均，要除以 N。"
    reg_en = "You left out the regulariser (λ/2)‖w‖², whose gradient is λw."
    reg_zh = "你漏了正则项 (λ/2)‖w‖²，它的梯度是 λw。"
    sign_en = (
        "Sign error in the hinge term: a violator contributes −r x to ∂L/∂w (and −r to "
        "∂L/∂w₀), the derivative of 1 − r(wᵀx + w₀)."
    )
    sign_zh = (
        "合页项的符号错了：违反间隔的样本对 ∂L/∂w 贡献 −r x（对 ∂L/∂w₀ 贡献 −r），"
        "即 1 − r(wᵀx + w₀) 的导数。"
    )
    only_wrong_en = (
        "You counted only the misclassified samples; every sample with r f(x) < 1, also "
        "the correctly classified ones inside the margin, has a positive hinge."
    )
    only_wrong_zh = (
        "你只计入了分错的样本；所有 r f(x) < 1 的样本（包括间隔内分类正确的）合页损失都为正。"
    )
    all_en = (
        "You counted every sample; one with r f(x) ≥ 1 has hinge 0 and contributes nothing "
        "to the subgradient."
    )
    all_zh = "你计入了所有样本；r f(x) ≥ 1 的样本合页损失为 0，对次梯度没有贡献。"
    ascend_en = "You stepped along the subgradient: descent subtracts, w − η g."
    ascend_zh = "你沿次梯度方向走了一步：下降要减去，w − η g。"

    margin_mistakes = [
        Misconception(
            "one-over-norm",
            1 / np.sqrt(norm_sq),
            "1/‖w‖ is the distance from the boundary to one margin hyperplane; the margin "
            "spans both sides: 2/‖w‖.",
            "1/‖w‖ 是分界面到一侧间隔超平面的距离；间隔包括两侧：2/‖w‖。",
        ),
        Misconception(
            "squared-norm",
            2 / norm_sq,
            "You divided by ‖w‖²; the margin is 2/‖w‖ (the square belongs in the regulariser).",
            "你除以了 ‖w‖²；间隔是 2/‖w‖（平方出现在正则项里）。",
        ),
        Misconception(
            "bias-in-norm",
            2 / np.sqrt(norm_sq + w0**2),
            "You put the bias into the norm; the margin uses only the weights: 2/‖w‖.",
            "你把偏置算进了范数；间隔只用权重：2/‖w‖。",
        ),
    ]
    loss_mistakes = [
        Misconception("missing-regulariser", float(hinge.mean()), reg_en, reg_zh),
        Misconception("sum-not-mean", float(hinge.sum()) + regulariser, sum_en, sum_zh),
        Misconception(
            "missing-half",
            float(hinge.mean()) + lam * norm_sq,
            "The regulariser is (λ/2)‖w‖²: you left out the 1/2.",
            "正则项是 (λ/2)‖w‖²：你漏了 1/2。",
        ),
        Misconception(
            "missing-max",
            float(np.mean(1 - m)) + regulariser,
            "You added 1 − r f(x) for every sample; the hinge max(0, 1 − r f(x)) is 0 for a "
            "sample outside the margin, never negative.",
            "你对每个样本都加了 1 − r f(x)；合页损失 max(0, 1 − r f(x)) 对间隔外的样本为 0，"
            "不会是负数。",
        ),
    ]
    g_w_mistakes = [
        Misconception("missing-regulariser", data_w, reg_en, reg_zh),
        Misconception("sum-not-mean", lam * w + n * data_w, sum_en, sum_zh),
        Misconception("sign-error", lam * w - data_w, sign_en, sign_zh),
        Misconception("only-misclassified", lam * w + wrong_w, only_wrong_en, only_wrong_zh),
        Misconception("all-samples", lam * w + all_w, all_en, all_zh),
    ]
    g_w0_mistakes = [
        Misconception("sum-not-mean", n * data_w0, sum_en, sum_zh),
        Misconception("sign-error", -data_w0, sign_en, sign_zh),
        Misconception("only-misclassified", wrong_w0, only_wrong_en, only_wrong_zh),
        Misconception("all-samples", all_w0, all_en, all_zh),
        Misconception(
            "regularised-bias",
            g_w0 + lam * w0,
            "The regulariser (λ/2)‖w‖² does not include the bias: ∂L/∂w₀ has no λw₀ term.",
            "正则项 (λ/2)‖w‖² 不含偏置：∂L/∂w₀ 中没有 λw₀ 项。",
        ),
    ]
    w_next_mistakes = [
        Misconception("ascending-step", w + eta * g_w, ascend_en, ascend_zh),
        Misconception("missing-regulariser", w - eta * data_w, reg_en, reg_zh),
        Misconception("sum-not-mean", w - eta * (lam * w + n * data_w), sum_en, sum_zh),
    ]
    w0_next_mistakes = [
        Misconception("ascending-step", w0 + eta * g_w0, ascend_en, ascend_zh),
        Misconception("sum-not-mean", w0 - eta * n * data_w0, sum_en, sum_zh),
        Misconception(
            "bias-not-updated",
            w0,
            "You left the bias as it was: w₀ moves too, w₀ − η ∂L/∂w₀.",
            "你没有更新偏置：w₀ 也要更新为 w₀ − η ∂L/∂w₀。",
        ),
    ]

    def grad_label(var):
        return text(
            rf"subgradient $\frac{{\partial L}}{{\partial {var}}}$",
            rf"次梯度 $\frac{{\partial L}}{{\partial {var}}}$",
        )

    parts = (
        Part(
            "margin",
            text("margin width", "间隔宽度"),
            Number(margin, **TOLERANCE, misconceptions=changing(margin, margin_mistakes)),
        ),
        Part(
            "loss",
            text("loss $L$", "损失 $L$"),
            Number(loss, **TOLERANCE, misconceptions=changing(loss, loss_mistakes)),
        ),
        Part(
            "subgradient_w",
            grad_label("w"),
            Vector(g_w, **TOLERANCE, misconceptions=changing(g_w, g_w_mistakes)),
        ),
        Part(
            "subgradient_w0",
            grad_label("w_0"),
            Number(g_w0, **TOLERANCE, misconceptions=changing(g_w0, g_w0_mistakes)),
        ),
        Part(
            "w_next",
            text("new weights $w$", "更新后的权重 $w$"),
            Vector(w_next, **TOLERANCE, misconceptions=changing(w_next, w_next_mistakes)),
        ),
        Part(
            "w0_next",
            text("new bias $w_0$", "更新后的偏置 $w_0$"),
            Number(w0_next, **TOLERANCE, misconceptions=changing(w0_next, w0_next_mistakes)),
        ),
    )

    squares = " + ".join(rf"{tex.paren(v)}^2" for v in w)
    rows = r" \\ ".join(
        rf"{i + 1} & "
        + " + ".join(rf"{tex.paren(wj)} \cdot {tex.paren(xj)}" for wj, xj in zip(w, x))
        + rf" {tex.signed(w0)} = {tex.num(fi)} & {tex.num(mi)} & {tex.num(hi)}"
        for i, (x, fi, mi, hi) in enumerate(zip(X, f, m, hinge))
    )
    table = (
        r"\begin{array}{c|c|c|c} l & f(x^{(l)}) = w^\top x^{(l)} + w_0 & r^{(l)} f(x^{(l)}) "
        rf"& \max(0, 1 - r f) \\ \hline {rows} \end{{array}}"
    )
    status_en, status_zh = _status_text(m)
    if np.any(active):
        terms = _signed_sum(r[active], [tex.vector(x) for x in X[active]])
        r_terms = _signed_sum(r[active], ["1"] * int(active.sum()))
        sum_w = rf"\frac{{1}}{{{n}}}\left( {terms} \right)"
        sum_w0 = rf"\frac{{1}}{{{n}}}\left( {r_terms} \right)"
        violators_en = (
            f"The violators ($r f < 1$) are sample(s) {_indices(active)}: each contributes "
            "$-r x$ to the subgradient of $w$ and $-r$ to that of $w_0$; the regulariser "
            "adds $\\lambda w$."
        )
        violators_zh = (
            f"违反间隔（$r f < 1$）的样本为 {_indices(active)}：每个对 $w$ 的次梯度贡献 $-r x$，"
            "对 $w_0$ 的贡献 $-r$；正则项再加上 $\\lambda w$。"
        )
    else:
        sum_w = sum_w0 = "0"
        violators_en = (
            "No sample violates the margin ($r f \\ge 1$ for all): the hinge terms are flat "
            "there, and only the regulariser contributes, $\\lambda w$."
        )
        violators_zh = (
            "没有样本违反间隔（全部 $r f \\ge 1$）：合页项在这里是平的，只有正则项有贡献，"
            "即 $\\lambda w$。"
        )
    hinge_terms = " + ".join(tex.num(h) for h in hinge)
    steps = (
        Step(
            text(
                "The margin is the distance between the hyperplanes $f(x) = \\pm 1$:",
                "间隔是超平面 $f(x) = \\pm 1$ 之间的距离：",
            ),
            rf"\lVert w \rVert = \sqrt{{{squares}}} = {tex.num(np.sqrt(norm_sq))}, \qquad "
            rf"\text{{margin}} = \frac{{2}}{{\lVert w \rVert}} = \frac{{2}}{{"
            rf"{tex.num(np.sqrt(norm_sq))}}} = {tex.num(margin)}",
        ),
        Step(
            text(
                f"Evaluate $f$ on every sample and compare $r f$ with 1: {status_en}.",
                f"对每个样本计算 $f$，并把 $r f$ 与 1 比较：{status_zh}。",
            ),
            table,
        ),
        Step(
            text(
                "Average the hinge terms and add the regulariser:",
                "对合页损失取平均，再加上正则项：",
            ),
            rf"L = \frac{{1}}{{{n}}}\left( {hinge_terms} \right) + \frac{{{tex.num(lam)}}}{{2}}"
            rf" \cdot {tex.num(norm_sq)} = {tex.num(hinge.mean())} {tex.signed(regulariser)} "
            rf"= {tex.num(loss)}",
        ),
        Step(
            text(violators_en, violators_zh),
            rf"\frac{{\partial L}}{{\partial w}} = \lambda w - \frac{{1}}{{N}} "
            rf"\sum_{{r f < 1}} r x = {tex.num(lam)} \cdot {tex.vector_factor(w)} - {sum_w} "
            rf"= {tex.vector(g_w)}, \qquad \frac{{\partial L}}{{\partial w_0}} = -\frac{{1}}{{N}} "
            rf"\sum_{{r f < 1}} r = -{sum_w0} = {tex.num(g_w0)}",
        ),
        Step(
            text(
                "One subgradient-descent step moves both against the subgradient:",
                "一步次梯度下降让两者都沿次梯度的反方向移动：",
            ),
            rf"w \leftarrow w - \eta \frac{{\partial L}}{{\partial w}} = {tex.vector(w)} - "
            rf"{tex.num(eta)} \cdot {tex.vector_factor(g_w)} = {tex.vector(w_next)}, \qquad "
            rf"w_0 \leftarrow {tex.num(w0)} - {tex.num(eta)} \cdot {tex.paren(g_w0)} "
            rf"= {tex.num(w0_next)}",
        ),
    )
    return Solution(parts, steps)
