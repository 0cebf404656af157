"""Critical points of a loss of two parameters: gradient, Hessian, its
eigenvalues, and the second-derivative test (local minimum, local maximum or
saddle point)."""

from dataclasses import replace
from functools import cache, lru_cache

import numpy as np

from tutor import tex
from tutor.answers import Choice, Matrix, Misconception, Vector
from tutor.figures import COLORS, DASHES, MARKERS, Figure, label_number
from tutor.problem import (
    ParameterError,
    Part,
    Solution,
    Step,
    has_distinct_misconceptions,
    known_parameters,
    matrix,
    text,
    vector,
)
from tutor.solutions.optimizers import hessian_eigen, polynomial_gradient_hessian

ID = "critical-point"
TOPIC = "training"
TITLE = text("Critical points: minimum, maximum or saddle point", "临界点：极小值、极大值还是鞍点")
PARAMETERS = {
    "terms": text(
        "the loss L(θ₁, θ₂) as terms [c, i, j], each meaning c·θ₁^i·θ₂^j (powers 0 to 4)",
        "损失 L(θ₁, θ₂)，按项给出 [c, i, j]，每项表示 c·θ₁^i·θ₂^j（幂次 0 到 4）",
    ),
    "point": text("the point θ* = (θ₁, θ₂) to examine", "要分析的点 θ* = (θ₁, θ₂)"),
}

MINIMUM, MAXIMUM, SADDLE, NOT_CRITICAL = "minimum", "maximum", "saddle", "not a critical point"
INCONCLUSIVE = "inconclusive"
OPTIONS = (MINIMUM, MAXIMUM, SADDLE, NOT_CRITICAL)
WORDS = {
    MINIMUM: text("a local minimum", "局部极小值点"),
    MAXIMUM: text("a local maximum", "局部极大值点"),
    SADDLE: text("a saddle point", "鞍点"),
    INCONCLUSIVE: text("undecided by the Hessian", "无法由 Hessian 判定"),
}
TOLERANCE = {"rtol": 1e-2, "atol": 5e-3}
ZERO_GRADIENT = 1e-9
LAMBDA = r"\lambda"


def _pick(rng, options):
    """One of ``options`` as a plain Python value."""
    return options[int(rng.integers(len(options)))]


# --- generation ------------------------------------------------------------------


def generate(rng, difficulty=2):
    # The kind of point first, then a loss that has it: the quadratic and
    # cubic parts fix the Hessian at the point, and the linear terms are
    # solved for so that the gradient there is 0 (or, in some variants, not).
    kind = _pick(rng, [MINIMUM, MAXIMUM, SADDLE])
    critical = difficulty <= 1 or rng.random() < 0.75
    while True:
        params = _draw(rng, difficulty, kind, critical)
        if params is not None and has_distinct_misconceptions(_solve(params, steps=False)):
            return params


@cache
def _quadratics():
    """Every quadratic part Aθ₁² + Bθ₁θ₂ + Cθ₂² with |A|, |B|, |C| ≤ 4 and
    B ≠ 0, as three arrays (its Hessian is [[2A, B], [B, 2C]])."""
    a, b, c = np.meshgrid(np.arange(-4, 5), [-4, -3, -2, -1, 1, 2, 3, 4], np.arange(-4, 5))
    return a.ravel(), b.ravel(), c.ravel()


def _draw(rng, difficulty, kind, critical):
    if difficulty <= 1 and rng.random() < 0.4:
        point = [0, 0]
    else:
        point = [int(v) for v in rng.integers(-2, 3, size=2)]
    cubic = {}
    if difficulty >= 3:
        for _ in range(int(rng.integers(1, 3))):
            cubic[_pick(rng, [(3, 0), (0, 3), (2, 1), (1, 2)])] = _pick(rng, [-2, -1, 1, 2])
    extra = np.zeros((2, 2))
    if cubic:
        extra = polynomial_gradient_hessian([[c, i, j] for (i, j), c in cubic.items()], point)[2]
    # Backwards: among all the quadratic parts, those that give the Hessian at
    # the point the chosen kind, with eigenvalues clear of 0, a non-zero mixed
    # partial and small entries (whole-number eigenvalues when easy).
    a, b, c = _quadratics()
    h11, h12, h22 = 2 * a + extra[0, 0], b + extra[0, 1], 2 * c + extra[1, 1]
    root = np.sqrt(((h11 - h22) / 2) ** 2 + h12**2)
    low, high = (h11 + h22) / 2 - root, (h11 + h22) / 2 + root
    wanted = {MINIMUM: low > 0, MAXIMUM: high < 0, SADDLE: (low < 0) & (high > 0)}[kind]
    wanted &= (np.minimum(np.abs(low), np.abs(high)) >= 0.9) & (h12 != 0)
    # The mixed partial must move the eigenvalues visibly off the diagonal.
    wanted &= root - np.abs(h11 - h22) / 2 >= 0.25
    wanted &= np.maximum(np.maximum(np.abs(h11), np.abs(h22)), np.abs(h12)) <= 12
    if difficulty <= 1:
        wanted &= np.abs(root - np.round(root)) < 1e-9
    if kind == SADDLE and rng.random() < 0.4:
        wanted &= h11 * h22 > 0  # a saddle whose diagonal alone looks like an extremum
    choices = np.flatnonzero(wanted)
    if choices.size == 0:
        return None
    pick = int(choices[int(rng.integers(choices.size))])
    terms = {(2, 0): int(a[pick]), (1, 1): int(b[pick]), (0, 2): int(c[pick]), **cubic}
    rows = [[coefficient, i, j] for (i, j), coefficient in terms.items() if coefficient]
    _, gradient, hessian = polynomial_gradient_hessian(rows, point)
    # Linear terms that cancel the gradient at the point, or leave a small one.
    offset = [0, 0]
    if not critical:
        offset = [int(v) for v in rng.integers(-3, 4, size=2)]
        if offset == [0, 0]:
            return None
    linear = [int(round(offset[k] - gradient[k])) for k in range(2)]
    rows += [[linear[0], 1, 0], [linear[1], 0, 1]]
    rows = [row for row in rows if row[0] != 0]
    if rng.random() < 0.5:
        rows.append([int(rng.integers(-5, 6)) or 1, 0, 0])
    return {"terms": rows, "point": point}


# --- parameters and symbols --------------------------------------------------------


def _setting(params):
    known_parameters(params, PARAMETERS)
    terms = matrix(params, "terms", cols=3, max_size=12)
    powers = terms[:, 1:]
    if np.any(powers < 0) or np.any(powers > 4) or np.any(powers != np.round(powers)):
        raise ParameterError("terms", "each power must be a whole number from 0 to 4")
    if np.all(terms[:, 0] == 0):
        raise ParameterError("terms", "the loss has no non-zero term")
    point = vector(params, "point", size=2)
    if np.max(np.abs(terms[:, 0])) > 1e6:
        raise ParameterError("terms", "keep the coefficients within ±1e6")
    if np.max(np.abs(point)) > 1000:
        raise ParameterError("point", "keep the point within ±1000")
    rows = tuple((_exact(c), int(i), int(j)) for c, i, j in terms.tolist())
    return rows, point


def _exact(c):
    """A coefficient as an int when it is whole, else as a float."""
    return int(c) if float(c).is_integer() else float(c)


@lru_cache(maxsize=256)
def _symbolic(rows):
    """LaTeX of L, its first and its second partial derivatives, as sympy
    differentiates and writes them (cached: the same loss is shown in the
    statement and in the solution)."""
    import sympy

    x, y = sympy.symbols("theta_1 theta_2")
    coefficients = {}
    for c, i, j in rows:
        exact = sympy.Integer(c) if isinstance(c, int) else sympy.Rational(repr(c))
        coefficients[(i, j)] = coefficients.get((i, j), sympy.Integer(0)) + exact
    loss = sympy.Poly.from_dict(coefficients, x, y)
    dx, dy = loss.diff(x), loss.diff(y)
    shown = {"L": loss, "dx": dx, "dy": dy, "dxx": dx.diff(x), "dxy": dx.diff(y), "dyy": dy.diff(y)}
    latex = {key: sympy.latex(poly.as_expr(), order="grlex") for key, poly in shown.items()}
    terms = {
        key: tuple((powers, float(c)) for powers, c in poly.terms(order="grlex") if c != 0)
        for key, poly in shown.items()
    }
    return latex, terms


def statement(params):
    rows, point = _setting(params)
    loss = _symbolic(rows)[0]["L"]
    where = rf"\theta^* = \left({tex.num(point[0])}, {tex.num(point[1])}\right)"
    return text(
        f"The loss of a model with two parameters is $$L(\\theta_1, \\theta_2) = {loss}.$$ "
        f"Examine the point ${where}$: (a) compute the gradient $\\nabla L(\\theta^*)$; "
        "(b) compute the Hessian $H$ at $\\theta^*$; (c) find the eigenvalues of $H$ in "
        "ascending order; (d) is $\\theta^*$ a local minimum, a local maximum, a saddle point, "
        "or not a critical point at all?",
        f"某模型有两个参数，损失为 $$L(\\theta_1, \\theta_2) = {loss}。$$ 考察点 ${where}$："
        "(a) 求梯度 $\\nabla L(\\theta^*)$；(b) 求 $\\theta^*$ 处的 Hessian 矩阵 $H$；"
        "(c) 求 $H$ 的特征值（从小到大）；(d) $\\theta^*$ 是局部极小值点、局部极大值点、鞍点，"
        "还是根本不是临界点？",
    )


# --- misconceptions ------------------------------------------------------------------


def _dropped_power(rows, point):
    """Gradient and Hessian with each power's factor left out: the derivative
    of θ^n taken as θ^(n−1)."""
    x, y = point

    def derivative(di, dj):
        total = 0.0
        for c, i, j in rows:
            if i >= di and j >= dj:
                total += c * x ** (i - di) * y ** (j - dj)
        return total

    mixed = derivative(1, 1)
    gradient = np.array([derivative(1, 0), derivative(0, 1)])
    hessian = np.array([[derivative(2, 0), mixed], [mixed, derivative(0, 2)]])
    return gradient, hessian


def _classify_diagonal(h):
    if h[0, 0] > 0 and h[1, 1] > 0:
        return MINIMUM
    if h[0, 0] < 0 and h[1, 1] < 0:
        return MAXIMUM
    return SADDLE if h[0, 0] * h[1, 1] < 0 else None


def _classify_determinant(h):
    det = h[0, 0] * h[1, 1] - h[0, 1] ** 2
    return MINIMUM if det > 0 else SADDLE if det < 0 else None


def _with_mistakes(answer, candidates, merge=True):
    """The answer with the candidate mistakes that give a wrong value here.
    When two slips give the same value, one entry names both (``merge``) or
    the first, more specific one is kept (for a choice, where several
    reasonings lead to the same option)."""
    kept = []

    def same(a, b):
        return answer.close(a, b) or answer.close(b, a)

    for tag, value, en, zh, *score in candidates:
        if value is None or same(value, answer.expected_json()):
            continue
        for i, earlier in enumerate(kept):
            if same(value, earlier.value_or_expr):
                if not merge:
                    break
                kept[i] = replace(
                    earlier,
                    feedback_en=f"{earlier.feedback_en} (Another slip gives the same answer: {en})",
                    feedback_zh=f"{earlier.feedback_zh}（另一种错误也会得到同样的答案：{zh}）",
                )
                break
        else:
            kept.append(Misconception(tag, value, en, zh, *score))
    return replace(answer, misconceptions=tuple(kept))


# --- solution --------------------------------------------------------------------------


def solve(params):
    return _solve(params)


def _solve(params, steps=True):
    rows, point = _setting(params)
    try:
        _, gradient, hessian = polynomial_gradient_hessian(rows, point)
        eigenvalues, kind = hessian_eigen(hessian)
    except ValueError as error:
        raise ParameterError("terms", str(error)) from None
    scale = max(1.0, float(np.max(np.abs(hessian))), *(abs(c) for c, _, _ in rows))
    critical = bool(np.all(np.abs(gradient) <= ZERO_GRADIENT * scale))
    if critical:
        gradient = np.zeros(2)
    answer_kind = kind if critical else NOT_CRITICAL
    quadratic = all(i + j <= 2 for _, i, j in rows)
    slipped_gradient, slipped_hessian = _dropped_power(rows, point)
    diagonal = np.diag(np.diag(hessian))
    trace = float(hessian[0, 0] + hessian[1, 1])
    det = float(hessian[0, 0] * hessian[1, 1] - hessian[0, 1] * hessian[1, 0])
    where = f"({tex.plain(point[0])}, {tex.plain(point[1])})"

    gradient_answer = _with_mistakes(
        Vector(gradient, **TOLERANCE),
        [
            (
                "dropped-power",
                slipped_gradient,
                "The derivative of θ^n is n·θ^(n−1): you left out the factor n (θ₁² gives "
                "2θ₁, not θ₁).",
                "θ^n 的导数是 n·θ^(n−1)：你漏掉了系数 n（θ₁² 的导数是 2θ₁，不是 θ₁）。",
            ),
        ],
    )
    hessian_answer = _with_mistakes(
        Matrix(hessian, **TOLERANCE),
        [
            (
                "diagonal-only",
                diagonal,
                "You left out the mixed partial derivatives: the off-diagonal entries are "
                "∂²L/∂θ₁∂θ₂ = ∂²L/∂θ₂∂θ₁.",
                "你漏掉了混合偏导数：非对角元是 ∂²L/∂θ₁∂θ₂ = ∂²L/∂θ₂∂θ₁。",
            ),
            (
                "dropped-power",
                slipped_hessian,
                "The derivative of θ^n is n·θ^(n−1): you left out the factor n (the second "
                "derivative of θ₁² is 2, not 1).",
                "θ^n 的导数是 n·θ^(n−1)：你漏掉了系数 n（θ₁² 的二阶导数是 2，不是 1）。",
            ),
            (
                "quadratic-form-matrix",
                hessian / 2 if quadratic else None,
                "That is the matrix A of L = θᵀAθ + …; the Hessian is twice it, since "
                "L ≈ L(θ*) + ½(θ − θ*)ᵀH(θ − θ*).",
                "这是 L = θᵀAθ + … 中的矩阵 A；Hessian 是它的两倍，因为 "
                "L ≈ L(θ*) + ½(θ − θ*)ᵀH(θ − θ*)。",
            ),
        ],
    )
    eigen_answer = _with_mistakes(
        Vector(eigenvalues, **TOLERANCE),
        [
            (
                "descending-order",
                eigenvalues[::-1],
                "Right values, wrong order: list the eigenvalues from smallest to largest.",
                "数值正确但顺序错了：特征值应从小到大排列。",
                0.5,
            ),
            (
                "diagonal-as-eigenvalues",
                np.sort(np.diag(hessian)),
                "The diagonal entries are the eigenvalues only when the mixed partials are 0: "
                "solve det(H − λI) = 0.",
                "只有混合偏导数为 0 时对角元才是特征值：应解 det(H − λI) = 0。",
            ),
            (
                "characteristic-sign",
                np.sort(-eigenvalues),
                "Sign slip in the characteristic equation: det(H − λI) = λ² − tr(H)·λ + det(H), "
                "with a minus before the trace.",
                "特征方程的符号错了：det(H − λI) = λ² − tr(H)·λ + det(H)，迹前面是减号。",
            ),
            (
                "quadratic-form-matrix",
                eigenvalues / 2 if quadratic else None,
                "These are the eigenvalues of the matrix A of L = θᵀAθ + …; the Hessian is 2A.",
                "这是 L = θᵀAθ + … 中矩阵 A 的特征值；Hessian 是 2A。",
            ),
        ],
    )
    kind_answer = _with_mistakes(
        Choice(OPTIONS + ((INCONCLUSIVE,) if answer_kind == INCONCLUSIVE else ()), answer_kind),
        _kind_mistakes(kind, critical, hessian, where),
        merge=False,
    )

    parts = (
        Part(
            "gradient",
            text(r"gradient $\nabla L(\theta^*)$", r"梯度 $\nabla L(\theta^*)$"),
            gradient_answer,
        ),
        Part(
            "hessian",
            text(r"Hessian $H$ at $\theta^*$", r"$\theta^*$ 处的 Hessian $H$"),
            hessian_answer,
        ),
        Part(
            "eigenvalues",
            text(
                r"eigenvalues of $H$, $\lambda_1 \le \lambda_2$",
                r"$H$ 的特征值 $\lambda_1 \le \lambda_2$",
            ),
            eigen_answer,
        ),
        Part("kind", text(r"what $\theta^*$ is", r"$\theta^*$ 的类型"), kind_answer),
    )
    if not steps:
        return Solution(parts, ())
    return Solution(
        parts, _steps(rows, point, gradient, hessian, eigenvalues, kind, critical, trace, det)
    )


def _kind_mistakes(kind, critical, hessian, where):
    if not critical:
        mistake_en = (
            f"The gradient at {where} is not zero, so it is not a critical point: the Hessian "
            "test only classifies points where ∇L = 0."
        )
        mistake_zh = (
            f"{where} 处的梯度不为零，所以它不是临界点：Hessian 判别法只对 ∇L = 0 的点适用。"
        )
        return [
            ("hessian-without-critical", option, mistake_en, mistake_zh)
            for option in (kind, _classify_diagonal(hessian), _classify_determinant(hessian))
            if option in OPTIONS
        ]
    eigen_words = {
        MINIMUM: ("all positive", "全为正"),
        MAXIMUM: ("all negative", "全为负"),
        SADDLE: ("of both signs", "有正有负"),
        INCONCLUSIVE: ("zero for one of them", "有一个为零"),
    }[kind]
    return [
        (
            "diagonal-signs",
            _classify_diagonal(hessian),
            "The signs of the diagonal entries do not decide: the mixed partials matter. Look "
            f"at the eigenvalues of H, here {eigen_words[0]}.",
            "对角元的符号不能决定类型：混合偏导数也有影响。"
            f"要看 H 的特征值，这里{eigen_words[1]}。",
        ),
        (
            "determinant-only",
            _classify_determinant(hessian),
            "det(H) > 0 only says the two eigenvalues have the same sign: both negative makes "
            "a maximum. Check the sign of the eigenvalues (or of the trace).",
            "det(H) > 0 只说明两个特征值同号：都为负时是极大值点。要看特征值（或迹）的符号。",
        ),
        (
            "reversed-rule",
            {MINIMUM: MAXIMUM, MAXIMUM: MINIMUM}.get(kind),
            "Reversed rule: all eigenvalues positive means the loss curves upwards in every "
            "direction, a local minimum; all negative, a local maximum.",
            "规则记反了：特征值全为正说明损失在各个方向都向上弯，是局部极小值；全为负是局部极大值。",
        ),
        (
            "critical-means-minimum",
            MINIMUM,
            "A zero gradient only makes θ* a critical point; it is a local minimum only when "
            "all eigenvalues of H are positive.",
            "梯度为零只说明 θ* 是临界点；只有 H 的特征值全为正时才是局部极小值点。",
        ),
    ]


def _substituted(terms, point):
    """A derivative with the point put in, term by term: 4·(−2) + 3·(−1) + 14."""
    shown = []
    for (i, j), c in terms:
        factors = [
            tex.paren(value) + (f"^{{{power}}}" if power > 1 else "")
            for value, power in zip(point, (i, j))
            if power
        ]
        if not factors:
            body = tex.num(abs(c))
        elif abs(c) == 1:
            body = r" \cdot ".join(factors)
        else:
            body = r" \cdot ".join([tex.num(abs(c)), *factors])
        sign = ("-" if c < 0 else "") if not shown else ("- " if c < 0 else "+ ")
        shown.append(sign + body)
    return " ".join(shown) if shown else "0"


def _steps(rows, point, gradient, hessian, eigenvalues, kind, critical, trace, det):
    symbols, terms = _symbolic(rows)
    at = rf"\left({tex.num(point[0])}, {tex.num(point[1])}\right)"
    names = {
        "dx": r"\frac{\partial L}{\partial \theta_1}",
        "dy": r"\frac{\partial L}{\partial \theta_2}",
        "dxx": r"\frac{\partial^2 L}{\partial \theta_1^2}",
        "dxy": r"\frac{\partial^2 L}{\partial \theta_1 \partial \theta_2}",
        "dyy": r"\frac{\partial^2 L}{\partial \theta_2^2}",
    }
    values = {
        "dx": gradient[0],
        "dy": gradient[1],
        "dxx": hessian[0, 0],
        "dxy": hessian[0, 1],
        "dyy": hessian[1, 1],
    }

    def at_point(key):
        """The derivative at the point, with the substitution shown when it
        depends on the point."""
        varies = any(powers != (0, 0) for powers, _ in terms[key])
        middle = f"{_substituted(terms[key], point)} = " if varies else ""
        return rf"{names[key]}{at} = {middle}{tex.num(values[key])}"

    gradient_latex = rf"{names['dx']} = {symbols['dx']}, \quad {names['dy']} = {symbols['dy']}"
    gradient_values = (
        rf"{at_point('dx')}, \quad {at_point('dy')} \;\Rightarrow\; "
        rf"\nabla L{at} = {tex.row(gradient)}"
    )
    hessian_latex = ", \\quad ".join(
        f"{names[key]} = {symbols[key]}" for key in ("dxx", "dxy", "dyy")
    )
    hessian_values = (
        ", \\quad ".join(at_point(key) for key in ("dxx", "dxy", "dyy"))
        + rf" \;\Rightarrow\; H = {tex.matrix(hessian)}"
    )
    h = hessian
    determinant = (
        rf"\det(H - \lambda I) = \begin{{vmatrix}} {tex.num(h[0, 0])} - \lambda & "
        rf"{tex.num(h[0, 1])} \\ {tex.num(h[1, 0])} & {tex.num(h[1, 1])} - \lambda "
        rf"\end{{vmatrix}} = {tex.polynomial([1, -trace, det], LAMBDA)} = 0"
    )
    discriminant = trace**2 - 4 * det
    roots = (
        rf"\lambda = \frac{{{tex.num(trace)} \pm \sqrt{{{tex.num(discriminant)}}}}}{{2}} "
        rf"\;\Rightarrow\; \lambda_1 = {tex.num(eigenvalues[0])}, \quad "
        rf"\lambda_2 = {tex.num(eigenvalues[1])}"
    )
    steps = [
        Step(
            text("Differentiate with respect to each parameter:", "对每个参数求偏导："),
            gradient_latex,
        ),
        Step(text("Put in the point:", "代入该点："), gradient_values),
        Step(
            text(
                "Differentiate once more (the mixed partial fills both off-diagonal entries of H):",
                "再求一次偏导（混合偏导数填入 H 的两个非对角元）：",
            ),
            hessian_latex,
        ),
        Step(text("At the point:", "在该点处："), hessian_values),
        Step(
            text("The eigenvalues solve the characteristic equation:", "特征值是特征方程的解："),
            determinant,
        ),
        Step(text("Its roots, in ascending order:", "其根从小到大为："), roots),
    ]
    signs = rf"\lambda_1 = {tex.num(eigenvalues[0])}, \; \lambda_2 = {tex.num(eigenvalues[1])}"
    if not critical:
        steps.append(
            Step(
                text(
                    f"The gradient is not zero, so θ* is not a critical point (the Hessian would "
                    f"make it {WORDS[kind]['en']} if it were one).",
                    f"梯度不为零，所以 θ* 不是临界点（假如它是临界点，Hessian 会使它成为"
                    f"{WORDS[kind]['zh']}）。",
                ),
                rf"\nabla L{at} = {tex.row(gradient)} \ne 0 \;\Rightarrow\; "
                rf"\text{{{NOT_CRITICAL}}}",
            )
        )
    else:
        reason = {
            MINIMUM: (
                "Both eigenvalues are positive (H is positive definite):",
                "两个特征值都为正（H 正定）：",
            ),
            MAXIMUM: (
                "Both eigenvalues are negative (H is negative definite):",
                "两个特征值都为负（H 负定）：",
            ),
            SADDLE: (
                "The gradient is zero and the eigenvalues have opposite signs: the loss rises "
                "along one eigenvector and falls along the other.",
                "梯度为零且特征值一正一负：损失沿一个特征向量方向上升，沿另一个方向下降。",
            ),
            INCONCLUSIVE: (
                "An eigenvalue is zero: the second-order terms cannot decide.",
                "有一个特征值为零：二阶项无法判定。",
            ),
        }[kind]
        steps.append(
            Step(
                text(
                    f"{reason[0]} θ* is {WORDS[kind]['en']}.",
                    f"{reason[1]}θ* 是{WORDS[kind]['zh']}。",
                ),
                rf"\nabla L = 0, \quad {signs} \;\Rightarrow\; \text{{{kind}}}",
            )
        )
    return tuple(steps)


# --- figure ----------------------------------------------------------------------------

REACH = 2.0  # half the side of the square drawn around the point
GRID = 120  # even, so that θ* sits inside a cell and a saddle's contours meet near it
# One colour and one line style for every level, negative or not: the labels
# tell the levels apart, and dashes mark the eigenvector directions.
_CONTOUR = {"colors": COLORS[0], "linewidths": 0.8, "negative_linestyles": "solid"}


def _loss_on(terms, first, second):
    """L at every (θ₁, θ₂) of two arrays of one shape, from sympy's collected
    terms ((i, j), c)."""
    total = np.zeros(np.broadcast(first, second).shape)
    for (i, j), c in terms:
        total = total + c * first**i * second**j
    return total


def _levels(values, around=None):
    """Contour levels at evenly spaced quantiles of the values, rounded to a
    step fitting their spread and strictly inside their range; with
    ``around``, none so close to it that its own contour would hide them."""
    low, high = float(values.min()), float(values.max())
    if not high - low > 0:
        return np.array([])
    step = 10.0 ** np.floor(np.log10((high - low) / 20))
    levels = np.unique(np.round(np.quantile(values, np.linspace(0.04, 0.96, 10)) / step) * step)
    if around is not None:
        levels = levels[np.abs(levels - around) > step / 2]
    return levels[(levels > low) & (levels < high)]


def _kind_words(kind, eigenvalues, gradient):
    """Why θ* is what it is, with the numbers: in English a noun phrase, in
    Chinese with its verb (是 or 不是)."""
    l1, l2 = (tex.plain(v) for v in eigenvalues)
    g = f"({tex.plain(gradient[0])}, {tex.plain(gradient[1])})"
    return {
        MINIMUM: text(
            f"a local minimum: both eigenvalues of H are positive (λ₁ = {l1}, λ₂ = {l2}), so L "
            "rises in every direction and the contours close around θ*",
            f"是局部极小值点：H 的两个特征值都为正（λ₁ = {l1}，λ₂ = {l2}），L 在各个方向上都上升，"
            "等高线围绕 θ* 闭合",
        ),
        MAXIMUM: text(
            f"a local maximum: both eigenvalues of H are negative (λ₁ = {l1}, λ₂ = {l2}), so L "
            "falls in every direction and the contours close around θ*",
            f"是局部极大值点：H 的两个特征值都为负（λ₁ = {l1}，λ₂ = {l2}），L 在各个方向上都下降，"
            "等高线围绕 θ* 闭合",
        ),
        SADDLE: text(
            f"a saddle point: λ₁ = {l1} < 0 < λ₂ = {l2}, so L falls along the eigenvector v₁ "
            "and rises along v₂, and the contour at the level L(θ*) (thick) crosses itself there",
            f"是鞍点：λ₁ = {l1} < 0 < λ₂ = {l2}，L 沿特征向量 v₁ 下降、沿 v₂ 上升，"
            "高度为 L(θ*) 的等高线（粗线）在该点自相交",
        ),
        INCONCLUSIVE: text(
            f"a critical point that the Hessian leaves undecided (λ₁ = {l1}, λ₂ = {l2}): the "
            "contours show how L behaves around it",
            f"是 Hessian 无法判定的临界点（λ₁ = {l1}，λ₂ = {l2}）：等高线显示了 L 在它周围的变化",
        ),
        NOT_CRITICAL: text(
            f"not a critical point: the gradient ∇L = {g} (arrow) is not zero; it crosses the "
            "contour through θ* (thick) towards higher loss",
            f"不是临界点：梯度 ∇L = {g}（箭头）不为零，它垂直穿过经过 θ* 的等高线（粗线），"
            "指向损失更大的一侧",
        ),
    }[kind]


def figure(params, solution):
    """Contour lines of L on a square of side 4 centred on θ*, with θ*, the
    eigenvector directions of H (or, where ∇L ≠ 0, the gradient) and, for a
    saddle or a non-critical point, the contour through θ*. A loss of θ₁
    alone (or θ₂ alone) is drawn as a curve against that parameter; a
    constant loss gets no figure."""
    rows, point = _setting(params)
    terms = _symbolic(rows)[1]["L"]
    used = [any(powers[k] for powers, _ in terms) for k in range(2)]
    if not any(used):
        return None
    value = polynomial_gradient_hessian(rows, point)[0]
    answers = solution.answers()
    kind = answers["kind"]
    gradient, hessian = np.array(answers["gradient"]), np.array(answers["hessian"])
    eigenvalues = np.array(answers["eigenvalues"])
    if not all(used):
        k = used.index(True)
        return _curve_figure(terms, point, value, gradient[k], eigenvalues, kind, k)
    words = _kind_words(kind, eigenvalues, gradient)
    at = f"({tex.plain(point[0])}, {tex.plain(point[1])})"
    numbers = f"L(θ*) = {tex.plain(value)}"

    def draw(ax):
        ticks = np.linspace(-REACH, REACH, GRID)
        first, second = np.meshgrid(point[0] + ticks, point[1] + ticks)
        values = _loss_on(terms, first, second)
        through = kind in (SADDLE, NOT_CRITICAL)
        levels = _levels(values, value if through else None)
        if levels.size:
            lines = ax.contour(first, second, values, levels=levels, **_CONTOUR)
            # Every other level carries its value: enough to read the slope,
            # and each label costs time to place.
            ax.clabel(lines, levels[::2], fontsize=7, fmt=label_number)
        if through and values.min() < value < values.max():
            style = {**_CONTOUR, "colors": "black", "linewidths": 1.8}
            ax.contour(first, second, values, levels=[value], **style)
            ax.plot(
                [],
                [],
                "-",
                color="black",
                linewidth=1.8,
                label=f"L(θ*) = {label_number(value)}",
            )
        if kind == NOT_CRITICAL:
            tip = point + 0.6 * REACH * gradient / np.linalg.norm(gradient)
            ax.annotate(
                "", tip, point, arrowprops={"arrowstyle": "-|>", "color": COLORS[1], "lw": 1.6}
            )
            label = f"∇L = ({label_number(gradient[0])}, {label_number(gradient[1])})"
            ax.plot([], [], "-", color=COLORS[1], label=label)
        else:
            vectors = np.linalg.eigh(hessian)[1].T
            for k, (vector, dash) in enumerate(zip(vectors, DASHES[1:])):
                ends = point + np.outer([-0.8 * REACH, 0.8 * REACH], vector)
                label = f"v{'₁₂'[k]}: λ{'₁₂'[k]} = {label_number(eigenvalues[k])}"
                ax.plot(*ends.T, dash, color=COLORS[1 + 2 * k], linewidth=1.5, label=label)
        ax.plot(
            *point,
            MARKERS[0],
            color="black",
            markeredgecolor="white",
            markersize=8,
            label=f"θ* = ({label_number(point[0])}, {label_number(point[1])})",
        )
        ax.set_xlim(point[0] - REACH, point[0] + REACH)
        ax.set_ylim(point[1] - REACH, point[1] + REACH)
        ax.set_aspect("equal", adjustable="box")
        ax.set_xlabel("θ₁", fontstyle="italic")
        ax.set_ylabel("θ₂", fontstyle="italic")
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), borderaxespad=0)

    caption = text(
        f"Contour lines of L (every other one labelled with its value) around θ* = {at}, "
        f"{words['en']}.",
        f"θ* = {at} 附近 L 的等高线（每隔一条标出取值）。θ* {words['zh']}。",
    )
    span = [f"{tex.plain(v - REACH)} to {tex.plain(v + REACH)}" for v in point]
    alt = text(
        f"Contour plot of L for θ₁ from {span[0]} and θ₂ from {span[1]}, with the point "
        f"θ* = {at} marked ({numbers}), which is {words['en']}.",
        f"L 的等高线图，θ₁ 从 {span[0].replace(' to ', ' 到 ')}，θ₂ 从 "
        f"{span[1].replace(' to ', ' 到 ')}；标出点 θ* = {at}（{numbers}），它{words['zh']}。",
    )
    return Figure(draw, caption, alt)


def _curve_figure(terms, point, value, slope, eigenvalues, kind, k):
    """L against θ₁ (k = 0) or θ₂ (k = 1) when the loss depends on that one
    alone, with the point and the tangent there."""
    name, other = ("θ₁", "θ₂")[k], ("θ₂", "θ₁")[k]
    at = f"({tex.plain(point[0])}, {tex.plain(point[1])})"
    l1, l2 = (tex.plain(v) for v in eigenvalues)
    if kind == NOT_CRITICAL:
        words = text(
            f"not a critical point: the slope ∂L/∂{name} = {tex.plain(slope)} of the tangent "
            "(dotted) is not zero",
            f"不是临界点：切线（点线）的斜率 ∂L/∂{name} = {tex.plain(slope)} 不为零",
        )
    else:
        # H has a zero row and column, so the test cannot decide: a loss of
        # one parameter is never a minimum, maximum or saddle in its terms.
        words = text(
            "a critical point that the Hessian leaves undecided: the tangent (dotted) is flat, "
            f"and L does not change along {other}, so one eigenvalue of H is 0 "
            f"(λ₁ = {l1}, λ₂ = {l2})",
            f"是 Hessian 无法判定的临界点：切线（点线）水平，而 L 沿 {other} 不变，"
            f"所以 H 有一个特征值为 0（λ₁ = {l1}，λ₂ = {l2}）",
        )
    low, high = point[k] - REACH, point[k] + REACH

    def draw(ax):
        grid = np.linspace(low, high, 401)
        fixed = np.full_like(grid, point[1 - k])
        values = _loss_on(terms, *((grid, fixed) if k == 0 else (fixed, grid)))
        ax.plot(grid, values, DASHES[0], color=COLORS[0], label=f"L({name})")
        ends = point[k] + np.array([-0.5, 0.5]) * REACH
        ax.plot(
            ends,
            value + slope * (ends - point[k]),
            DASHES[2],
            color=COLORS[1],
            linewidth=1.8,
            label=f"∂L/∂{name} = {label_number(slope)}",
        )
        ax.plot(
            point[k],
            value,
            MARKERS[0],
            color="black",
            markeredgecolor="white",
            markersize=8,
            label=f"{name}* = {label_number(point[k])}",
        )
        ax.set_xlim(low, high)
        ax.set_xlabel(name, fontstyle="italic")
        ax.set_ylabel("L", fontstyle="italic")
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), borderaxespad=0)

    caption = text(
        f"L depends on {name} alone (it is constant along {other}), so it is drawn as a curve "
        f"against {name}; θ* = {at} is {words['en']}.",
        f"L 只依赖于 {name}（沿 {other} 方向不变），因此画成关于 {name} 的曲线；"
        f"θ* = {at} {words['zh']}。",
    )
    alt = text(
        f"Graph of L against {name} from {tex.plain(low)} to {tex.plain(high)}, with the point "
        f"{name} = {tex.plain(point[k])}, L = {tex.plain(value)} marked and the tangent there, "
        f"of slope {tex.plain(slope)}.",
        f"L 关于 {name} 的图像，{name} 从 {tex.plain(low)} 到 {tex.plain(high)}；标出点 "
        f"{name} = {tex.plain(point[k])}、L = {tex.plain(value)}，以及该处斜率为 "
        f"{tex.plain(slope)} 的切线。",
    )
    return Figure(draw, caption, alt)
