"""Optimiser updates by hand: momentum, RMSProp and Adam from given gradients,
and the learning rate of a warm-up schedule.

Conventions (Hung-yi Lee's lecture on optimisation): the gradient g^t is taken
at θ^t; momentum starts at m⁰ = 0 with the movement m^{t+1} = λm^t − ηg^t added
to θ; RMSProp divides by σ^t = sqrt(α(σ^{t−1})² + (1 − α)(g^t)²) with σ⁰ = |g⁰|;
Adam (Kingma & Ba) numbers its updates t = 1, 2, … for the bias correction;
the warm-up rises linearly, η_t = η_max·t/T for the updates t = 1 … T.
"""

from dataclasses import replace

import numpy as np

from tutor import tex
from tutor.answers import Misconception, Number, Vector
from tutor.problem import (
    ParameterError,
    Part,
    Solution,
    Step,
    has_distinct_misconceptions,
    integer,
    known_parameters,
    matrix,
    number,
    text,
    vector,
)
from tutor.solutions.optimizers import adam_step, momentum_step, rmsprop_step, warmup_lr

ID = "optimizer-step"
TOPIC = "training"
TITLE = text(
    "Momentum, RMSProp, Adam and warm-up by hand", "手算 Momentum、RMSProp、Adam 与学习率预热"
)
PARAMETERS = {
    "theta": text("the starting parameters θ⁰ (1 or 2 numbers)", "初始参数 θ⁰（1 或 2 个数）"),
    "grads": text(
        "the gradients g⁰, g¹, …: one row per update, as many columns as θ",
        "梯度 g⁰, g¹, …：每次更新一行，列数与 θ 相同",
    ),
    "lr": text("the learning rate η > 0", "学习率 η > 0"),
    "optimizers": text(
        'the optimisers asked, a list out of "momentum", "rmsprop", "adam"',
        '要计算的优化器，从 "momentum"、"rmsprop"、"adam" 中选取的列表',
    ),
    "lam": text(
        "momentum: the weight λ of the previous movement, in [0, 1)",
        "Momentum：上一步移动量的权重 λ，取值 [0, 1)",
    ),
    "alpha": text(
        "RMSProp: the weight α of the past, in [0, 1)", "RMSProp：历史项的权重 α，取值 [0, 1)"
    ),
    "beta1": text("Adam: β₁, in [0, 1)", "Adam：β₁，取值 [0, 1)"),
    "beta2": text("Adam: β₂, in [0, 1)", "Adam：β₂，取值 [0, 1)"),
    "peak_lr": text(
        "warm-up (optional, with warmup_steps and step): the learning rate η_max reached",
        "学习率预热（可选，与 warmup_steps、step 一起给出）：最终达到的学习率 η_max",
    ),
    "warmup_steps": text(
        "warm-up: the number of warm-up updates T", "学习率预热：预热的更新次数 T"
    ),
    "step": text(
        "warm-up: the update t (numbered from 1) asked about",
        "学习率预热：所问的第 t 次更新（从 1 开始编号）",
    ),
}
OPTIONAL = {"peak_lr", "warmup_steps", "step"}

OPTIMIZERS = ("momentum", "rmsprop", "adam")
HYPER = {"momentum": ("lam",), "rmsprop": ("alpha",), "adam": ("beta1", "beta2")}
WARMUP = ("peak_lr", "warmup_steps", "step")
ADAM_EPS = 1e-8
TOLERANCE = {"rtol": 5e-3, "atol": 3e-3}
NAMES = {
    "momentum": text("momentum", "Momentum"),
    "rmsprop": text("RMSProp", "RMSProp"),
    "adam": text("Adam", "Adam"),
}


def _pick(rng, options):
    """One of ``options`` as a plain Python value."""
    return options[int(rng.integers(len(options)))]


def _decimals(rng, size, low, high):
    """Numbers with one decimal in ±[low, high], none of magnitude 1 (where σ and
    σ² coincide, hiding a classic slip)."""
    magnitudes = rng.integers(round(low * 10), round(high * 10) + 1, size=size)
    magnitudes = np.where(magnitudes == 10, 12, magnitudes)
    signs = rng.choice([-1, 1], size=size)
    return (signs * magnitudes / 10).tolist()


def generate(rng, difficulty=2):
    if difficulty <= 1:
        optimizers = ["momentum"]
        steps, size = 2, 1 if rng.random() < 0.6 else 2
        warmup = rng.random() < 0.25
    elif difficulty == 2:
        optimizers = ["momentum", _pick(rng, ["rmsprop", "adam"])]
        steps = 1 if rng.random() < 0.4 else 2
        size = 2 if steps == 1 else 1
        warmup = rng.random() < 0.4
    else:
        optimizers = list(OPTIMIZERS)
        steps, size = 2, 1 if rng.random() < 0.5 else 2
        warmup = rng.random() < 0.5
    while True:
        params = {
            "theta": [round(float(v), 1) for v in rng.integers(-20, 21, size=size) / 10],
            "grads": [_decimals(rng, size, 0.2, 3.0) for _ in range(steps)],
            "lr": _pick(rng, [0.1, 0.2, 0.5] if difficulty <= 1 else [0.1, 0.1, 0.2, 0.5]),
            "optimizers": optimizers,
        }
        if "momentum" in optimizers:
            params["lam"] = _pick(rng, [0.9, 0.9, 0.8, 0.5])
        if "rmsprop" in optimizers:
            params["alpha"] = _pick(rng, [0.9, 0.9, 0.8, 0.99])
        if "adam" in optimizers:
            # Not β₂ = 0.99: with β₁ = 0.9, sqrt(1 − β₂) = 1 − β₁ and a missing bias
            # correction would go unseen on the first step.
            params["beta1"], params["beta2"] = 0.9, 0.999
        if warmup:
            params.update(_warmup_draw(rng))
        if has_distinct_misconceptions(solve(params)):
            return params


def _warmup_draw(rng):
    """A linear warm-up, asked during the warm-up (mostly) or after it."""
    steps = _pick(rng, [4, 5, 8, 10, 20, 50])
    if rng.random() < 0.75:
        t = int(rng.integers(1, steps))
    else:
        t = int(rng.integers(steps + 1, 3 * steps + 1))
    return {"peak_lr": _pick(rng, [0.1, 0.01, 0.001, 0.05, 0.5]), "warmup_steps": steps, "step": t}


def _setting(params):
    known_parameters(params, PARAMETERS)
    theta = vector(params, "theta", min_size=1, max_size=4)
    grads = matrix(params, "grads", cols=theta.size, max_size=4)
    lr = number(params, "lr", 0, 10, low_open=True)
    asked = params.get("optimizers")
    if (
        not isinstance(asked, list)
        or not asked
        or not all(isinstance(name, str) and name in OPTIMIZERS for name in asked)
        or len(set(asked)) != len(asked)
    ):
        raise ParameterError(
            "optimizers", f"expected a non-empty list out of {', '.join(OPTIMIZERS)}, got {asked!r}"
        )
    asked = [name for name in OPTIMIZERS if name in asked]
    hyper = {}
    for name in asked:
        for key in HYPER[name]:
            hyper[key] = number(params, key, 0, 1, high_open=True)
    warm = None
    present = [key for key in WARMUP if params.get(key) is not None]
    if present:
        missing = [key for key in WARMUP if params.get(key) is None]
        if missing:
            raise ParameterError(missing[0], "the warm-up needs peak_lr, warmup_steps and step")
        warm = (
            number(params, "peak_lr", 0, 10, low_open=True),
            integer(params, "warmup_steps", 1, 10**6),
            integer(params, "step", 1, 10**7),
        )
    return theta, grads, lr, asked, hyper, warm


def _v(values):
    """A parameter-sized value: a number for one parameter, else a row."""
    values = np.atleast_1d(np.asarray(values, dtype=float))
    return tex.num(values[0]) if values.size == 1 else tex.row(values)


def _plus(values):
    """A parameter-sized value as a term to add: ``+ 0.5``, ``- 0.5`` or ``+ [row]``."""
    values = np.atleast_1d(np.asarray(values, dtype=float))
    return tex.signed(values[0]) if values.size == 1 else "+ " + tex.row(values)


def _f(values):
    """The same as a factor of a product: a negative number in parentheses."""
    values = np.atleast_1d(np.asarray(values, dtype=float))
    return tex.paren(values[0]) if values.size == 1 else tex.row(values)


def _with_mistakes(answer, candidates):
    """The answer with the candidate mistakes that give a wrong value here;
    when two slips give the same value, one entry names both."""
    kept = []
    for tag, value, en, zh in candidates:
        if value is None or answer.close(value):
            continue
        for i, earlier in enumerate(kept):
            if answer.close(value, earlier.value_or_expr) or answer.close(
                earlier.value_or_expr, value
            ):
                kept[i] = Misconception(
                    earlier.tag,
                    earlier.value_or_expr,
                    f"{earlier.feedback_en} (Another slip gives the same value: {en})",
                    f"{earlier.feedback_zh}（另一种错误也会得到同样的值：{zh}）",
                )
                break
        else:
            kept.append(Misconception(tag, value, en, zh))
    return replace(answer, misconceptions=tuple(kept))


# --- the runs ------------------------------------------------------------------


def _momentum_run(theta, grads, lr, lam, flip=False):
    """θ after the steps; ``flip`` subtracts the previous movement instead of
    adding it (the sign slip), by handing the step −m."""
    movement = np.zeros_like(theta)
    for g in grads:
        theta, movement = momentum_step(theta, g, -movement if flip else movement, lr, lam)
    return np.atleast_1d(theta)


def _rmsprop_run(theta, grads, lr, alpha, start=None, power=1):
    """θ after the steps; ``start=0`` is the other convention's σ, ``power=2``
    divides by σ² instead of σ."""
    sigma = start
    for g in grads:
        new_theta, sigma = rmsprop_step(theta, g, sigma, lr, alpha)
        if power == 1:
            theta = new_theta
        else:
            denominator = np.asarray(sigma, dtype=float) ** power
            moving = np.asarray(g) != 0
            theta = theta - lr * np.divide(g, denominator, out=np.zeros_like(g), where=moving)
    return np.atleast_1d(theta)


def _adam_states(grads, beta1, beta2):
    """(m_t, v_t) of every update, from adam_step (they do not depend on θ)."""
    m = v = None
    states = []
    for t, g in enumerate(grads, start=1):
        _, m, v = adam_step(np.zeros_like(g), g, m, v, t, 1.0, beta1, beta2, ADAM_EPS)
        states.append((np.atleast_1d(m), np.atleast_1d(v)))
    return states


def _adam_run(theta, grads, lr, beta1, beta2):
    m = v = None
    for t, g in enumerate(grads, start=1):
        theta, m, v = adam_step(theta, g, m, v, t, lr, beta1, beta2, ADAM_EPS)
    return np.atleast_1d(theta)


def _adam_variant(theta, grads, lr, beta1, beta2, correct=True, root=True, fixed_t=False):
    """Adam with one of its parts left out, from the states adam_step computes."""
    for t, (m, v) in enumerate(_adam_states(grads, beta1, beta2), start=1):
        power = 1 if fixed_t else t
        if correct:
            m, v = m / (1 - beta1**power), v / (1 - beta2**power)
        theta = theta - lr * m / ((np.sqrt(v) if root else v) + ADAM_EPS)
    return np.atleast_1d(theta)


# --- statement -----------------------------------------------------------------


def _gradient_list(grads):
    return ", ".join(f"$g^{{{k}}} = {_v(g)}$" for k, g in enumerate(grads))


def statement(params):
    theta = np.asarray(params["theta"], dtype=float)
    grads = np.asarray(params["grads"], dtype=float)
    asked = [name for name in OPTIMIZERS if name in params["optimizers"]]
    n = len(grads)
    lr = tex.num(params["lr"])
    if theta.size == 1:
        model_en, model_zh = "A model has one parameter $\\theta$", "某模型只有一个参数 $\\theta$"
    else:
        names = ", ".join(f"\\theta_{i + 1}" for i in range(theta.size))
        model_en = f"A model has the parameters $\\theta = ({names})$"
        model_zh = f"某模型的参数为 $\\theta = ({names})$"
    updates_en = "one update" if n == 1 else f"{n} updates"
    updates_zh = f"{n} 次更新"
    grads_en = (
        "gradient of the loss at the first update is"
        if n == 1
        else ("gradients of the loss at the successive updates are")
    )
    grads_zh = "第一次更新时损失的梯度为" if n == 1 else "各次更新时损失的梯度依次为"
    it, each = ("it", "it") if n == 1 else ("them", "each")
    en = [
        f"{model_en}, starting at $\\theta^0 = {_v(theta)}$. The {grads_en} "
        f"{_gradient_list(grads)}; take {it} as given for every optimiser "
        f"(as if {each} came from a mini-batch). The learning rate is $\\eta = {lr}$. "
        f"Give $\\theta$ after {updates_en} "
        "with each of the following"
        + ("; operations on vectors are element-wise." if theta.size > 1 else ".")
    ]
    zh = [
        f"{model_zh}，初始值 $\\theta^0 = {_v(theta)}$。{grads_zh} {_gradient_list(grads)}；"
        f"对每种优化器都把{'它' if n == 1 else '这些梯度'}当作已知"
        f"（就像{'它' if n == 1 else '每个'}都来自一个小批次）。"
        f"学习率 $\\eta = {lr}$。分别用下列方法求 {updates_zh}后的 $\\theta$"
        + ("；向量运算均按元素进行。" if theta.size > 1 else "。")
    ]
    letters = iter("abcd")
    if "momentum" in asked:
        lam = tex.num(params["lam"])
        letter = next(letters)
        rule = r"$m^0 = 0$, $m^{t+1} = \lambda m^t - \eta g^t$, $\theta^{t+1} = \theta^t + m^{t+1}$"
        en.append(f"({letter}) Momentum with $\\lambda = {lam}$: {rule}.")
        zh.append(f"({letter}) Momentum，$\\lambda = {lam}$：{rule}。")
    if "rmsprop" in asked:
        alpha = tex.num(params["alpha"])
        letter = next(letters)
        rule = (
            r"$\theta^{t+1} = \theta^t - \frac{\eta}{\sigma^t} g^t$ with $\sigma^0 = |g^0|$ and "
            r"$\sigma^t = \sqrt{\alpha \left(\sigma^{t-1}\right)^2 "
            r"+ (1 - \alpha)\left(g^t\right)^2}$"
        )
        rule_zh = rule.replace(" with ", "，其中 ").replace(" and ", "，")
        en.append(f"({letter}) RMSProp with $\\alpha = {alpha}$: {rule}.")
        zh.append(f"({letter}) RMSProp，$\\alpha = {alpha}$：{rule_zh}。")
    if "adam" in asked:
        b1, b2 = tex.num(params["beta1"]), tex.num(params["beta2"])
        letter = next(letters)
        rule = (
            r"$m_t = \beta_1 m_{t-1} + (1 - \beta_1) g$, "
            r"$v_t = \beta_2 v_{t-1} + (1 - \beta_2) g^2$, "
            r"$\hat{m}_t = \frac{m_t}{1 - \beta_1^t}$, $\hat{v}_t = \frac{v_t}{1 - \beta_2^t}$, "
            r"$\theta \leftarrow \theta - \eta \frac{\hat{m}_t}{\sqrt{\hat{v}_t} + \varepsilon}$"
        )
        en.append(
            f"({letter}) Adam with $\\beta_1 = {b1}$, $\\beta_2 = {b2}$, "
            r"$\varepsilon = 10^{-8}$, from $m_0 = v_0 = 0$; update $t = 1, 2, \dots$ uses "
            rf"the gradient $g = g^{{t-1}}$: {rule}."
        )
        zh.append(
            f"({letter}) Adam，$\\beta_1 = {b1}$，$\\beta_2 = {b2}$，"
            r"$\varepsilon = 10^{-8}$，初始 $m_0 = v_0 = 0$；第 $t = 1, 2, \dots$ 次更新使用梯度 "
            rf"$g = g^{{t-1}}$：{rule}。"
        )
    if all(params.get(key) is not None for key in WARMUP):
        peak, steps, t = (params[key] for key in WARMUP)
        letter = next(letters)
        en.append(
            f"({letter}) Warm-up: another run raises the learning rate linearly from 0 to "
            f"$\\eta_{{max}} = {tex.num(peak)}$ over the first $T = {steps}$ updates, "
            r"$\eta_t = \eta_{max} \frac{t}{T}$ for $t \le T$ (updates numbered from 1), and "
            rf"keeps $\eta_{{max}}$ afterwards. Which learning rate does update $t = {t}$ use?"
        )
        zh.append(
            f"({letter}) 学习率预热：另一次训练在前 $T = {steps}$ 次更新中把学习率从 0 线性升到 "
            f"$\\eta_{{max}} = {tex.num(peak)}$，即 $t \\le T$ 时 "
            r"$\eta_t = \eta_{max} \frac{t}{T}$（更新从 1 开始编号），之后保持 $\eta_{max}$。"
            rf"第 $t = {t}$ 次更新使用的学习率是多少？"
        )
    return text("\n".join(en), "\n".join(zh))


# --- solution ------------------------------------------------------------------


def _momentum_part(theta, grads, lr, lam):
    right = _momentum_run(theta, grads, lr, lam)
    answer = _with_mistakes(
        Vector(right, **TOLERANCE),
        [
            (
                "added-gradient",
                _momentum_run(theta, -grads, lr, lam),
                "You moved along the gradient, uphill: the movement is m = λm − ηg, with a "
                "minus in front of ηg.",
                "你沿梯度方向走了（上坡）：移动量是 m = λm − ηg，ηg 前面是减号。",
            ),
            (
                "momentum-sign-mixed",
                _momentum_run(theta, grads, lr, lam, flip=True),
                "The previous movement m already points downhill (it carries the minus of −ηg): "
                "add λm to the new movement, do not subtract it.",
                "上一步的移动量 m 本身已经指向下坡（它带着 −ηg 的负号）："
                "新的移动量要加上 λm，而不是减去。",
            ),
            (
                "no-momentum",
                _momentum_run(theta, grads, lr, 0.0),
                "That is plain gradient descent: each movement also keeps λ times the previous "
                "one, m^{t+1} = λm^t − ηg^t.",
                "这是普通的梯度下降：每次的移动量还要保留上一步的 λ 倍，m^{t+1} = λm^t − ηg^t。",
            ),
            (
                "momentum-as-average",
                _momentum_run(theta, grads, lr * (1 - lam), lam),
                "You weighted the gradient by (1 − λ) as in Adam's moving average; momentum adds "
                "the whole step: m^{t+1} = λm^t − ηg^t.",
                "你像 Adam 的滑动平均那样给梯度乘了 (1 − λ)；Momentum 加上的是完整的一步："
                "m^{t+1} = λm^t − ηg^t。",
            ),
        ],
    )
    movement, current = np.zeros_like(theta), theta
    steps = []
    for k, g in enumerate(grads):
        new, new_movement = momentum_step(current, g, movement, lr, lam)
        new, new_movement = np.atleast_1d(new), np.atleast_1d(new_movement)
        steps.append(
            Step(
                text(
                    f"Momentum, update {k + 1}: the new movement, then the move.",
                    f"Momentum 第 {k + 1} 次更新：先求新的移动量，再移动参数。",
                ),
                rf"m^{{{k + 1}}} = \lambda m^{{{k}}} - \eta g^{{{k}}} = {tex.num(lam)} \cdot "
                rf"{_f(movement)} - {tex.num(lr)} \cdot {_f(g)} = {_v(new_movement)}, \qquad "
                rf"\theta^{{{k + 1}}} = \theta^{{{k}}} + m^{{{k + 1}}} = {_v(current)} "
                rf"{_plus(new_movement)} = {_v(new)}",
            )
        )
        current, movement = new, new_movement
    return answer, steps


def _rmsprop_part(theta, grads, lr, alpha):
    right = _rmsprop_run(theta, grads, lr, alpha)
    answer = _with_mistakes(
        Vector(right, **TOLERANCE),
        [
            (
                "added-gradient",
                _rmsprop_run(theta, -grads, lr, alpha),
                "You moved along the gradient, uphill: θ^{t+1} = θ^t − (η/σ^t) g^t.",
                "你沿梯度方向走了（上坡）：θ^{t+1} = θ^t − (η/σ^t) g^t。",
            ),
            (
                "sigma-squared",
                _rmsprop_run(theta, grads, lr, alpha, power=2),
                "You divided by σ², the mean of the squared gradients: RMSProp divides by its "
                "square root σ (root mean square).",
                "你除以了 σ²，即梯度平方的均值：RMSProp 除以的是它的平方根 σ（均方根）。",
            ),
            (
                "alpha-swapped",
                _rmsprop_run(theta, grads, lr, 1 - alpha),
                "α weighs the past: σ^t = sqrt(α(σ^{t−1})² + (1 − α)(g^t)²); you gave the weight "
                "α to the new gradient.",
                "α 是历史项的权重：σ^t = sqrt(α(σ^{t−1})² + (1 − α)(g^t)²)；你把 α 给了新的梯度。",
            ),
            (
                "zero-initial-sigma",
                _rmsprop_run(theta, grads, lr, alpha, start=0.0),
                "In this course RMSProp starts with σ⁰ = |g⁰|, so the first update moves each "
                "parameter by exactly η; you started the average from 0 (another library's "
                "convention).",
                "本课程中 RMSProp 的初值是 σ⁰ = |g⁰|，所以第一次更新每个参数恰好移动 η；"
                "你让平均从 0 开始（另一些库的约定）。",
            ),
        ],
    )
    sigma, current = None, theta
    steps = []
    for k, g in enumerate(grads):
        new, new_sigma = rmsprop_step(current, g, sigma, lr, alpha)
        new, new_sigma = np.atleast_1d(new), np.atleast_1d(new_sigma)
        step = np.divide(g, new_sigma, out=np.zeros_like(g), where=g != 0)
        if sigma is None:
            sigma_latex = rf"\sigma^{{0}} = \left|g^{{0}}\right| = {_v(new_sigma)}"
        else:
            sigma_latex = (
                rf"\sigma^{{{k}}} = \sqrt{{\alpha \left(\sigma^{{{k - 1}}}\right)^2 + "
                rf"(1 - \alpha) \left(g^{{{k}}}\right)^2}} = \sqrt{{{tex.num(alpha)} \cdot "
                rf"{_v(np.asarray(sigma) ** 2)} + {tex.num(1 - alpha)} \cdot {_v(g**2)}}} = "
                rf"{_v(new_sigma)}"
            )
        steps.append(
            Step(
                text(
                    f"RMSProp, update {k + 1}: σ first, then the move (element-wise).",
                    f"RMSProp 第 {k + 1} 次更新：先求 σ，再移动参数（按元素）。",
                ),
                rf"{sigma_latex}, \qquad \theta^{{{k + 1}}} = \theta^{{{k}}} - "
                rf"\frac{{\eta}}{{\sigma^{{{k}}}}} g^{{{k}}} = {_v(current)} - {tex.num(lr)} "
                rf"\cdot {_f(step)} = {_v(new)}",
            )
        )
        current, sigma = new, new_sigma
    return answer, steps


def _adam_part(theta, grads, lr, beta1, beta2):
    right = _adam_run(theta, grads, lr, beta1, beta2)
    answer = _with_mistakes(
        Vector(right, **TOLERANCE),
        [
            (
                "no-bias-correction",
                _adam_variant(theta, grads, lr, beta1, beta2, correct=False),
                "You left out the bias correction: divide m_t by 1 − β₁^t and v_t by 1 − β₂^t "
                "before the update (m and v start at 0, which pulls them towards 0).",
                "你漏掉了偏差修正：更新前要把 m_t 除以 1 − β₁^t、v_t 除以 1 − β₂^t"
                "（m、v 从 0 开始，会偏向 0）。",
            ),
            (
                "added-gradient",
                _adam_run(theta, -grads, lr, beta1, beta2),
                "You moved along the gradient, uphill: θ ← θ − η m̂/(√v̂ + ε).",
                "你沿梯度方向走了（上坡）：θ ← θ − η m̂/(√v̂ + ε)。",
            ),
            (
                "no-sqrt",
                _adam_variant(theta, grads, lr, beta1, beta2, root=False),
                "Adam divides by the square root of v̂, not by v̂ itself.",
                "Adam 除以的是 v̂ 的平方根，而不是 v̂ 本身。",
            ),
            (
                "bias-correction-first-step",
                _adam_variant(theta, grads, lr, beta1, beta2, fixed_t=True),
                "The bias correction uses the number t of the update: 1 − β₁^t and 1 − β₂^t, "
                "not 1 − β₁ and 1 − β₂ at every step.",
                "偏差修正要用更新的序号 t：1 − β₁^t 与 1 − β₂^t，"
                "而不是每一步都用 1 − β₁ 与 1 − β₂。",
            ),
        ],
    )
    m = v = None
    current = theta
    steps = []
    for t, g in enumerate(grads, start=1):
        new, m_new, v_new = adam_step(current, g, m, v, t, lr, beta1, beta2, ADAM_EPS)
        new, m_new, v_new = (np.atleast_1d(x) for x in (new, m_new, v_new))
        m_old = np.zeros_like(theta) if m is None else m
        v_old = np.zeros_like(theta) if v is None else v
        m_hat, v_hat = m_new / (1 - beta1**t), v_new / (1 - beta2**t)
        steps.append(
            Step(
                text(
                    f"Adam, update t = {t} with $g = g^{{{t - 1}}}$: the moving averages first.",
                    f"Adam 第 t = {t} 次更新，$g = g^{{{t - 1}}}$：先求滑动平均。",
                ),
                rf"m_{t} = {tex.num(beta1)} \cdot {_f(m_old)} + {tex.num(1 - beta1)} \cdot "
                rf"{_f(g)} = {_v(m_new)}, \qquad v_{t} = {tex.num(beta2)} \cdot {_f(v_old)} + "
                rf"{tex.num(1 - beta2)} \cdot {_v(g**2)} = {_v(v_new)}",
            )
        )
        steps.append(
            Step(
                text(
                    "Correct the bias, then move:",
                    "做偏差修正，再移动参数：",
                ),
                rf"\hat{{m}}_{t} = \frac{{m_{t}}}{{1 - {tex.num(beta1)}^{t}}} = {_v(m_hat)}, \quad "
                rf"\hat{{v}}_{t} = \frac{{v_{t}}}{{1 - {tex.num(beta2)}^{t}}} = {_v(v_hat)}, "
                rf"\quad \theta^{{{t}}} = \theta^{{{t - 1}}} - \eta \frac{{\hat{{m}}_{t}}}"
                rf"{{\sqrt{{\hat{{v}}_{t}}} + \varepsilon}} = {_v(current)} - {tex.num(lr)} "
                rf"\cdot {_f(m_hat / (np.sqrt(v_hat) + ADAM_EPS))} = {_v(new)}",
            )
        )
        current, m, v = new, m_new, v_new
    return answer, steps


def _warmup_part(peak, warmup_steps, t):
    right = warmup_lr(t, peak, warmup_steps)
    candidates = []
    if t <= warmup_steps:
        candidates += [
            (
                "off-by-one",
                warmup_lr(t - 1, peak, warmup_steps),
                f"That is the rate of update {t - 1}: the updates are numbered from 1, and "
                f"update t uses η_max·t/T, so update 1 already uses η_max/T.",
                f"这是第 {t - 1} 次更新的学习率：更新从 1 开始编号，第 t 次更新用 η_max·t/T，"
                "所以第 1 次更新就已经是 η_max/T。",
            ),
            (
                "off-by-one",
                warmup_lr(t + 1, peak, warmup_steps),
                f"That is the rate of update {t + 1}: update t uses η_max·t/T, counting the "
                "updates from 1.",
                f"这是第 {t + 1} 次更新的学习率：第 t 次更新用 η_max·t/T（更新从 1 开始编号）。",
            ),
            (
                "no-warmup",
                peak,
                f"Update {t} is still in the warm-up (t ≤ T = {warmup_steps}): the rate is only "
                "the fraction t/T of η_max.",
                f"第 {t} 次更新仍在预热阶段（t ≤ T = {warmup_steps}）：学习率只有 η_max 的 t/T。",
            ),
        ]
    else:
        candidates.append(
            (
                "kept-increasing",
                peak * t / warmup_steps,
                f"The warm-up ends after T = {warmup_steps} updates: from then on the rate stays "
                "at η_max instead of growing past it.",
                f"预热在 T = {warmup_steps} 次更新后结束：之后学习率保持 η_max，不会继续增大。",
            )
        )
    answer = _with_mistakes(Number(right, rtol=1e-2, atol=1e-4 * peak), candidates)
    if t <= warmup_steps:
        latex = (
            rf"\eta_{{{t}}} = \eta_{{max}} \frac{{t}}{{T}} = {tex.num(peak)} \cdot "
            rf"\frac{{{t}}}{{{warmup_steps}}} = {tex.num(right)}"
        )
        words = text(
            f"Update {t} is in the warm-up ($t \\le T$), so its rate is the fraction t/T of η_max:",
            f"第 {t} 次更新在预热阶段（$t \\le T$），学习率是 η_max 的 t/T：",
        )
    else:
        latex = (
            rf"t = {t} > T = {warmup_steps} \;\Rightarrow\; "
            rf"\eta_{{{t}}} = \eta_{{max}} = {tex.num(right)}"
        )
        words = text(
            "The warm-up is over, so the rate has reached η_max and stays there:",
            "预热已结束，学习率已达到 η_max 并保持不变：",
        )
    return answer, [Step(words, latex)]


def solve(params):
    theta, grads, lr, asked, hyper, warm = _setting(params)
    n = len(grads)
    label_after = (
        ("after the update", "更新后的")
        if n == 1
        else (
            f"after {n} updates",
            f"{n} 次更新后的",
        )
    )
    parts, steps = [], []
    try:
        if "momentum" in asked:
            answer, more = _momentum_part(theta, grads, lr, hyper["lam"])
            parts.append(("momentum", answer))
            steps += more
        if "rmsprop" in asked:
            answer, more = _rmsprop_part(theta, grads, lr, hyper["alpha"])
            parts.append(("rmsprop", answer))
            steps += more
        if "adam" in asked:
            answer, more = _adam_part(theta, grads, lr, hyper["beta1"], hyper["beta2"])
            parts.append(("adam", answer))
            steps += more
    except ValueError as error:
        raise ParameterError("grads", str(error)) from None
    result = [
        Part(
            name,
            text(
                f"$\\theta$ {label_after[0]} with {NAMES[name]['en']}",
                f"{NAMES[name]['zh']} {label_after[1]} $\\theta$",
            ),
            answer,
        )
        for name, answer in parts
    ]
    if warm is not None:
        answer, more = _warmup_part(*warm)
        result.append(
            Part(
                "warmup_lr",
                text(
                    f"learning rate of update $t = {warm[2]}$", f"第 $t = {warm[2]}$ 次更新的学习率"
                ),
                answer,
            )
        )
        steps += more
    return Solution(tuple(result), tuple(steps))
