"""GAN losses on a minibatch: the discriminator's loss, the generator's loss
(minimax or non-saturating form) and the optimal discriminator."""

import math

import numpy as np

from tutor import tex
from tutor.answers import Number
from tutor.problem import (
    ParameterError,
    Part,
    Solution,
    Step,
    distinct_misconceptions,
    known_parameters,
    number,
    text,
    vector,
)
from tutor.solutions.gan import GAN_GENERATOR_FORMS, gan_losses, optimal_discriminator

ID = "gan-loss"
TOPIC = "generative"
TITLE = text("GAN: discriminator and generator losses", "生成对抗网络：判别器与生成器的损失")
PARAMETERS = {
    "d_real": text(
        "D(x) on the real samples of the minibatch: 1 to 6 numbers strictly between 0 and 1",
        "判别器对小批量中真实样本的输出 D(x)：1 到 6 个严格介于 0 和 1 之间的数",
    ),
    "d_fake": text(
        "D(G(z)) on as many generated samples: numbers strictly between 0 and 1",
        "判别器对同样数量的生成样本的输出 D(G(z))：严格介于 0 和 1 之间的数",
    ),
    "generator": text(
        'the generator loss asked: "minimax" or "non-saturating"',
        '所求生成器损失的形式："minimax"（极小极大）或 "non-saturating"（非饱和）',
    ),
    "p_data": text(
        "optional, with p_g: the data density p_data(x) at a point, ≥ 0 (asks for D*(x))",
        "可选，与 p_g 一起给出：某点处的数据密度 p_data(x)，≥ 0（求 D*(x)）",
    ),
    "p_g": text(
        "optional, with p_data: the generator's density p_g(x) at the same point, ≥ 0",
        "可选，与 p_data 一起给出：同一点处生成器的密度 p_g(x)，≥ 0",
    ),
}
OPTIONAL = {"p_data", "p_g"}

TOLERANCE = {"rtol": 1e-2, "atol": 2e-3}
# Outputs one decimal (or a quarter) apart: short numbers whose logs a
# calculator gives at once.
OUTPUTS = (0.05, 0.1, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.9, 0.95)
DENSITIES = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0, 1.2, 1.5, 2.0)


def _parameters(params):
    known_parameters(params, PARAMETERS)
    for name in ("d_real", "d_fake", "generator"):
        if name not in params:
            raise ParameterError(name, "missing")
    d_real = vector(params, "d_real", max_size=6)
    d_fake = vector(params, "d_fake", max_size=6)
    for name, values in (("d_real", d_real), ("d_fake", d_fake)):
        if np.any(values <= 0) or np.any(values >= 1):
            raise ParameterError(
                name, "discriminator outputs must lie strictly between 0 and 1 (ln 0 is −∞)"
            )
    if d_fake.size != d_real.size:
        raise ParameterError(
            "d_fake",
            f"the minibatch pairs each real sample with a generated one: expected {d_real.size} "
            f"numbers, got {d_fake.size}",
        )
    generator = params["generator"]
    if generator not in GAN_GENERATOR_FORMS:
        raise ParameterError(
            "generator", f"expected 'minimax' or 'non-saturating', got {generator!r}"
        )
    given = [name for name in ("p_data", "p_g") if params.get(name) is not None]
    densities = None
    if given:
        if len(given) == 1:
            other = "p_g" if given == ["p_data"] else "p_data"
            raise ParameterError(other, "needed too: D* compares both densities")
        p_data = number(params, "p_data", 0, 1e6)
        p_g = number(params, "p_g", 0, 1e6)
        if p_data + p_g == 0:
            raise ParameterError("p_g", "p_data and p_g are both 0: D* is undefined there")
        densities = (p_data, p_g)
    return d_real, d_fake, generator, densities


# --- generation ----------------------------------------------------------------------


def generate(rng, difficulty=2):
    m = 2 if difficulty <= 1 else int(rng.choice([2, 3])) if difficulty == 2 else 3
    generator = GAN_GENERATOR_FORMS[int(rng.integers(2))]
    # Where training stands: D still sure of itself, D half fooled, or the
    # generator ahead (the fakes rated real).
    stage = ["confident", "balanced", "fooled"][int(rng.integers(3))]
    ask_optimum = difficulty >= 2 or rng.random() < 0.5
    while True:
        params = {"d_real": _draw_outputs(rng, m, stage, real=True)}
        params["d_fake"] = _draw_outputs(rng, m, stage, real=False)
        params["generator"] = generator
        # Null densities when D* is not asked: given back with --set, the variant is
        # complete, so explain draws no densities that would add the part.
        params["p_data"] = params["p_g"] = None
        if ask_optimum:
            p_data = float(rng.choice(DENSITIES))
            # A third of the variants at the optimum of the game, p_g = p_data.
            p_g = p_data if rng.random() < 1 / 3 else float(rng.choice(DENSITIES))
            params["p_data"], params["p_g"] = p_data, p_g
        if _interesting(params):
            return params


def _draw_outputs(rng, m, stage, real):
    if stage == "confident":
        pool = [v for v in OUTPUTS if (v >= 0.6 if real else v <= 0.4)]
    elif stage == "balanced":
        pool = [v for v in OUTPUTS if 0.3 <= v <= 0.7]
    else:
        pool = [v for v in OUTPUTS if (v >= 0.4 if real else v >= 0.5)]
    return [float(v) for v in rng.choice(pool, size=m)]


def _interesting(params):
    """Outputs that are not all one value, and every mistake the exercise is
    about distinguishable from the answer and from each other."""
    if len(set(params["d_real"] + params["d_fake"])) < 3:
        return False
    tags = {p.name: {m.tag for m in p.answer.misconceptions} for p in solve(params).parts}
    wanted = {"sign-error", "log2", "sum-not-mean"}
    return (
        wanted | {"swapped-real-fake"} <= tags["d_loss"]
        and wanted | {"other-form"} <= tags["g_loss"]
    )


# --- statement -----------------------------------------------------------------------


def _values(values):
    return ", ".join(tex.num(v) for v in values)


def statement(params):
    d_real, d_fake, generator, densities = _parameters(params)
    m = d_real.size
    value = (
        r"$$V(D, G) = \text{E}_{x \sim p_{\text{data}}}\left[\ln D(x)\right] + "
        r"\text{E}_{z}\left[\ln\left(1 - D(G(z))\right)\right]$$"
    )
    if generator == "minimax":
        form_en = (
            "in its minimax form: G minimises the minibatch estimate of the one term of $V$ "
            "that depends on it"
        )
        form_zh = "取极小极大形式：G 最小化 $V$ 中与它有关的那一项在小批量上的估计"
    else:
        form_en = (
            "in its non-saturating form: instead of minimising $\\ln(1 - D(G(z)))$, G "
            "maximises $\\ln D(G(z))$, i.e. minimises the mean of $-\\ln D(G(z))$"
        )
        form_zh = (
            "取非饱和形式：G 不最小化 $\\ln(1 - D(G(z)))$，而是最大化 $\\ln D(G(z))$，"
            "即最小化 $-\\ln D(G(z))$ 的均值"
        )
    optimum_en = optimum_zh = ""
    if densities is not None:
        p_data, p_g = densities
        if p_data == p_g:
            at_en = (
                "Suppose the generator has converged, so that at a point $x$ both densities "
                f"are $p_{{\\text{{data}}}}(x) = p_g(x) = {tex.num(p_data)}$"
            )
            at_zh = (
                f"设生成器已收敛，在某点 $x$ 处两个密度均为 "
                f"$p_{{\\text{{data}}}}(x) = p_g(x) = {tex.num(p_data)}$"
            )
        else:
            at_en = (
                "For a fixed generator, at a point $x$ the densities are "
                f"$p_{{\\text{{data}}}}(x) = {tex.num(p_data)}$ and $p_g(x) = {tex.num(p_g)}$"
            )
            at_zh = (
                f"固定生成器，在某点 $x$ 处密度为 $p_{{\\text{{data}}}}(x) = {tex.num(p_data)}$，"
                f"$p_g(x) = {tex.num(p_g)}$"
            )
        optimum_en = f" (3) {at_en}. What does the optimal discriminator $D^*(x)$ output there?"
        optimum_zh = f"(3) {at_zh}。最优判别器在该点输出 $D^*(x)$ 是多少？"
    return text(
        "A GAN trains a discriminator $D$, which outputs the probability that its input is "
        "real, against a generator $G$ on the value\n"
        f"{value}\nwhich $D$ maximises and $G$ minimises. On a minibatch of $m = {m}$ real "
        f"samples $D$ outputs $D(x^{{(i)}}) = {_values(d_real)}$, and on $m = {m}$ generated "
        f"samples $D(G(z^{{(i)}})) = {_values(d_fake)}$. Use natural logarithms and the mean "
        "over the minibatch.\n"
        "(1) The discriminator's loss $L_D$, the minibatch estimate of $-V$, which $D$ "
        f"minimises. (2) The generator's loss $L_G$ {form_en}.{optimum_en}",
        "生成对抗网络用判别器 $D$（输出输入为真实样本的概率）与生成器 $G$ 对抗，目标函数为\n"
        f"{value}\n$D$ 使其最大，$G$ 使其最小。在一个小批量上，$D$ 对 $m = {m}$ 个真实样本的输出为 "
        f"$D(x^{{(i)}}) = {_values(d_real)}$，对 $m = {m}$ 个生成样本的输出为 "
        f"$D(G(z^{{(i)}})) = {_values(d_fake)}$。使用自然对数，并对小批量取平均。\n"
        "(1) 判别器的损失 $L_D$，即 $-V$ 在小批量上的估计（$D$ 最小化它）。"
        f"(2) 生成器的损失 $L_G$，{form_zh}。{optimum_zh}",
    )


# --- solution ------------------------------------------------------------------------


FEEDBACK = {
    "sign-error": (
        "Sign error: L_D = −(1/m)Σ[ln D(x) + ln(1 − D(G(z)))] is positive, the minimax "
        "L_G = (1/m)Σ ln(1 − D(G(z))) is negative, the non-saturating "
        "L_G = −(1/m)Σ ln D(G(z)) is positive.",
        "符号错了：L_D = −(1/m)Σ[ln D(x) + ln(1 − D(G(z)))] 为正，极小极大形式 "
        "L_G = (1/m)Σ ln(1 − D(G(z))) 为负，非饱和形式 L_G = −(1/m)Σ ln D(G(z)) 为正。",
    ),
    "log2": (
        "You used log base 2; the GAN objective uses the natural logarithm ln.",
        "你用了以 2 为底的对数；GAN 的目标函数用自然对数 ln。",
    ),
    "swapped-real-fake": (
        "You swapped the real and the generated terms: D should output 1 on real samples "
        "(ln D(x)) and 0 on generated ones (ln(1 − D(G(z)))).",
        "你把真实样本和生成样本的项弄反了：D 对真实样本应输出 1（ln D(x)），"
        "对生成样本应输出 0（ln(1 − D(G(z))))。",
    ),
    "sum-not-mean": (
        "You summed over the minibatch; the loss is the mean, so divide by m.",
        "你对小批量求了和；损失取平均，要除以 m。",
    ),
    "missing-one-minus": (
        "For the generated samples the term is ln(1 − D(G(z))), not ln D(G(z)): the "
        "discriminator wants D(G(z)) near 0.",
        "生成样本的项是 ln(1 − D(G(z)))，不是 ln D(G(z))：判别器希望 D(G(z)) 接近 0。",
    ),
    "other-form": (
        "That is the other form of the generator loss: check whether the minimax form "
        "(1/m)Σ ln(1 − D(G(z))) or the non-saturating form −(1/m)Σ ln D(G(z)) is asked.",
        "这是生成器损失的另一种形式：注意题目要的是极小极大形式 (1/m)Σ ln(1 − D(G(z))) "
        "还是非饱和形式 −(1/m)Σ ln D(G(z))。",
    ),
    "with-real-term": (
        "The generator never sees the real samples: the term ln D(x) does not depend on G "
        "and drops out of its loss.",
        "生成器看不到真实样本：ln D(x) 这一项与 G 无关，不出现在它的损失中。",
    ),
    "swapped-densities": (
        "You swapped the densities: D* is the share of the data density, p_data / (p_data + p_g).",
        "你把两个密度弄反了：D* 是数据密度所占的比例 p_data / (p_data + p_g)。",
    ),
    "density-ratio": (
        "D* divides p_data by the sum p_data + p_g, not by p_g alone: it is a probability.",
        "D* 是 p_data 除以 p_data + p_g，而不是只除以 p_g：它是一个概率。",
    ),
    "perfect-discriminator": (
        "When p_g = p_data no discriminator can tell real from generated: D* = 1/2, not 1.",
        "当 p_g = p_data 时，判别器无法区分真假：D* = 1/2，而不是 1。",
    ),
}


def _mean_log(values):
    return float(np.mean(np.log(values)))


def solve(params):
    d_real, d_fake, generator, densities = _parameters(params)
    m = d_real.size
    try:
        d_loss, g_loss = gan_losses(d_real, d_fake, generator)
        _, other_g = gan_losses(
            d_real, d_fake, "minimax" if generator == "non-saturating" else "non-saturating"
        )
        optimum = None if densities is None else optimal_discriminator(*densities)
    except ValueError as error:
        raise ParameterError("d_real", str(error)) from None
    ln2 = math.log(2)

    def answer(value, misconceptions=()):
        return Number(value, **TOLERANCE, misconceptions=misconceptions)

    def kept(right, candidates):
        return distinct_misconceptions(answer(right), candidates, FEEDBACK)

    real_term, fake_term = _mean_log(d_real), _mean_log(1 - d_fake)
    g_candidates = [
        ("other-form", other_g),
        ("sign-error", -g_loss),
        ("log2", g_loss / ln2),
        ("sum-not-mean", m * g_loss),
    ]
    if generator == "minimax":
        g_candidates.append(("with-real-term", real_term + fake_term))
    parts = [
        Part(
            "d_loss",
            text("discriminator loss $L_D$", "判别器损失 $L_D$"),
            answer(
                d_loss,
                kept(
                    d_loss,
                    [
                        ("sign-error", -d_loss),
                        ("swapped-real-fake", -(_mean_log(d_fake) + _mean_log(1 - d_real))),
                        ("log2", d_loss / ln2),
                        ("sum-not-mean", m * d_loss),
                        ("missing-one-minus", -(real_term + _mean_log(d_fake))),
                    ],
                ),
            ),
        ),
        Part(
            "g_loss",
            text(
                f"generator loss $L_G$ ({generator})", f"生成器损失 $L_G$（{_form_zh(generator)}）"
            ),
            answer(g_loss, kept(g_loss, g_candidates)),
        ),
    ]
    if optimum is not None:
        p_data, p_g = densities
        # At p_g = p_data an answer of 1 is the belief that D still wins, not a ratio.
        candidates = [("perfect-discriminator", 1.0)] if p_data == p_g else []
        candidates.append(("swapped-densities", p_g / (p_data + p_g)))
        if p_g > 0:
            candidates.append(("density-ratio", p_data / p_g))
        parts.append(
            Part(
                "d_optimal",
                text("optimal discriminator $D^*(x)$", "最优判别器 $D^*(x)$"),
                answer(optimum, kept(optimum, candidates)),
            )
        )
    steps = _steps(d_real, d_fake, generator, d_loss, g_loss, densities, optimum)
    return Solution(tuple(parts), tuple(steps))


def _form_zh(generator):
    return "极小极大形式" if generator == "minimax" else "非饱和形式"


# --- steps ---------------------------------------------------------------------------


def _log_terms(values, complement=False):
    """ln(v) or ln(1 − v) for each value, written out."""
    if complement:
        return " + ".join(rf"\ln(1 - {tex.num(v)})" for v in values)
    return " + ".join(rf"\ln {tex.num(v)}" for v in values)


def _numbers(values):
    """The logs as a sum of numbers: −0.1054 − 0.2231 …"""
    logs = np.log(values)
    text_ = " ".join(f"- {tex.num(-v)}" if v < 0 else f"+ {tex.num(v)}" for v in logs)
    text_ = text_.removeprefix("+ ")
    return "-" + text_[2:] if text_.startswith("- ") else text_


def _steps(d_real, d_fake, generator, d_loss, g_loss, densities, optimum):
    m = d_real.size
    real_sum, fake_sum = float(np.sum(np.log(d_real))), float(np.sum(np.log(1 - d_fake)))
    steps = [
        Step(
            text(
                "The discriminator's loss is the minibatch estimate of −V: real samples "
                "should get D(x) near 1, generated ones D(G(z)) near 0:",
                "判别器的损失是 −V 在小批量上的估计：真实样本的 D(x) 应接近 1，"
                "生成样本的 D(G(z)) 应接近 0：",
            ),
            r"L_D = -\frac{1}{m} \sum_{i=1}^{m} \left[\ln D(x^{(i)}) + "
            r"\ln\left(1 - D(G(z^{(i)}))\right)\right]",
        ),
        Step(
            text("The logs of the real and the generated terms:", "真实项与生成项的对数："),
            r"\begin{array}{l} "
            rf"{_log_terms(d_real)} = {_numbers(d_real)} = {tex.num(real_sum)} \\ "
            rf"{_log_terms(d_fake, complement=True)} = {_numbers(1 - d_fake)} = "
            rf"{tex.num(fake_sum)} \end{{array}}",
        ),
        Step(
            text(
                f"Add them, divide by m = {m} and change the sign:", f"相加，除以 m = {m}，再取负："
            ),
            rf"L_D = -\frac{{1}}{{{m}}}\left({tex.num(real_sum)} {tex.signed(fake_sum)}\right) "
            rf"= {tex.num(d_loss)}",
        ),
    ]
    if generator == "minimax":
        steps.append(
            Step(
                text(
                    "The generator sees no real sample: only the second term of V depends on "
                    "G, and G minimises it (minimax form):",
                    "生成器看不到真实样本：V 中只有第二项与 G 有关，"
                    "G 最小化这一项（极小极大形式）：",
                ),
                rf"L_G = \frac{{1}}{{m}} \sum_{{i=1}}^{{m}} \ln\left(1 - D(G(z^{{(i)}}))\right) "
                rf"= \frac{{{tex.num(fake_sum)}}}{{{m}}} = {tex.num(g_loss)}",
            )
        )
    else:
        fooled_sum = float(np.sum(np.log(d_fake)))
        steps.append(
            Step(
                text(
                    "The non-saturating form: G maximises ln D(G(z)) (its gradient stays large "
                    "while D still rejects the fakes), i.e. it minimises",
                    "非饱和形式：G 最大化 ln D(G(z))（在 D 仍能识破假样本时梯度依然较大），"
                    "即最小化",
                ),
                rf"L_G = -\frac{{1}}{{m}} \sum_{{i=1}}^{{m}} \ln D(G(z^{{(i)}})) = "
                rf"-\frac{{1}}{{{m}}}\left({_numbers(d_fake)}\right) = "
                rf"-\frac{{{tex.num(fooled_sum)}}}{{{m}}} = {tex.num(g_loss)}",
            )
        )
    if optimum is not None:
        p_data, p_g = densities
        note_en = note_zh = ""
        if p_data == p_g:
            note_en = " With p_g = p_data the discriminator can only guess: D* = 1/2."
            note_zh = "p_g = p_data 时判别器只能瞎猜：D* = 1/2。"
        steps.append(
            Step(
                text(
                    "For a fixed G, D maximises p_data(x) ln D + p_g(x) ln(1 − D) at every x; "
                    "setting the derivative p_data/D − p_g/(1 − D) to 0 gives D*." + note_en,
                    "固定 G 时，D 在每个 x 处最大化 p_data(x) ln D + p_g(x) ln(1 − D)；令导数 "
                    "p_data/D − p_g/(1 − D) 为 0 得到 D*。" + note_zh,
                ),
                rf"D^*(x) = \frac{{p_{{\text{{data}}}}(x)}}{{p_{{\text{{data}}}}(x) + p_g(x)}} = "
                rf"\frac{{{tex.num(p_data)}}}{{{tex.num(p_data)} + {tex.num(p_g)}}} = "
                rf"{tex.num(optimum)}",
            )
        )
    return steps
