"""Output size and parameter count of a convolutional layer."""

from tutor import tex
from tutor.answers import Integer, Misconception
from tutor.problem import (
    ParameterError,
    Part,
    Solution,
    Step,
    has_distinct_misconceptions,
    integer,
    known_parameters,
    text,
)
from tutor.solutions.conv import conv_output_size, conv_param_count

ID = "conv-output-size"
TOPIC = "cnn"
TITLE = text("Output size and parameters of a convolutional layer", "卷积层的输出尺寸与参数量")
PARAMETERS = {
    "n": text("input side length (square input n × n)", "输入边长（方形输入 n × n）"),
    "f": text("kernel side length (f × f kernels)", "卷积核边长（f × f 的卷积核）"),
    "p": text("zero padding on each side", "每边填充（padding）的宽度"),
    "s": text("stride", "步长（stride）"),
    "c_in": text(
        "input channels (3 for an RGB image, 1 for a greyscale one)",
        "输入通道数（RGB 图像为 3，灰度图像为 1）",
    ),
    "c_out": text("number of kernels (output channels)", "卷积核个数（输出通道数）"),
}

_NAMES = tuple(PARAMETERS)


def _choice(rng, options, weights=None):
    """One of ``options`` as a plain Python value (rng.choice returns numpy types)."""
    return options[int(rng.choice(len(options), p=weights))]


def generate(rng, difficulty=2):
    # One of three structures: "same" padding, (n + 2p − f) a multiple of s,
    # or not a multiple (the floor matters). Chosen once, so that redrawing
    # the numbers does not favour the structure that is easiest to hit.
    if difficulty <= 1:
        case = _choice(rng, ["same", "divisible"])
    elif difficulty == 2:
        case = _choice(rng, ["same", "divisible", "not-divisible"], [0.3, 0.35, 0.35])
    else:
        case = _choice(rng, ["same", "divisible", "not-divisible"], [0.25, 0.25, 0.5])
    while True:
        params = _draw(rng, difficulty, case)
        if params is not None and has_distinct_misconceptions(solve(params)):
            return params


def _draw(rng, difficulty, case):
    if difficulty <= 1:
        strides, kernels = [1, 1, 2], [3, 5]
        c_in = _choice(rng, [1, 3])
        c_out = _choice(rng, [4, 6, 8])
    elif difficulty == 2:
        strides, kernels = [1, 2, 3], [3, 3, 5, 7]
        c_in = _choice(rng, [1, 3]) if rng.random() < 0.75 else _choice(rng, [4, 6, 8, 16, 32])
        c_out = _choice(rng, [4, 6, 8, 10, 12, 16, 32])
    else:
        strides, kernels = [2, 3], [1, 3, 5, 7]
        c_in = _choice(rng, [1, 3]) if rng.random() < 0.4 else _choice(rng, [6, 8, 16, 32, 64])
        c_out = _choice(rng, [16, 32, 64, 128])

    f = _choice(rng, kernels)
    s = _choice(rng, strides)
    if f == 1 and c_in < 4:
        return None  # a 1 × 1 convolution only makes sense across many channels
    if case == "same":
        if f == 1:
            return None
        p = (f - 1) // 2
    else:
        p = _choice(rng, [0, 1, 2])
        if f > 1 and p == (f - 1) // 2:
            return None
    # Draw n backwards, among the sizes that have the chosen structure.
    sizes = range(max(5, f), 33 if difficulty <= 1 else 65)
    if case == "divisible":
        sizes = [n for n in sizes if (n + 2 * p - f) % s == 0]
    elif case == "not-divisible":
        sizes = [n for n in sizes if (n + 2 * p - f) % s != 0]
    if not sizes:
        return None
    classic = {3: 32, 1: 28}.get(c_in)  # the CIFAR and MNIST image sizes
    if classic in sizes and rng.random() < 0.3:
        n = classic
    else:
        n = int(sizes[int(rng.integers(len(sizes)))])
    return {"n": n, "f": f, "p": p, "s": s, "c_in": c_in, "c_out": c_out}


def _setting(params):
    known_parameters(params, PARAMETERS)
    n = integer(params, "n", 1, 4096)
    f = integer(params, "f", 1, 4096)
    p = integer(params, "p", 0, 1024)
    s = integer(params, "s", 1, 1024)
    c_in = integer(params, "c_in", 1, 4096)
    c_out = integer(params, "c_out", 1, 4096)
    try:
        out = conv_output_size(n, f, p, s)
        count = conv_param_count(c_in, c_out, f)
    except ValueError as error:
        # The messages start with the parameter's name; the one that does not
        # is the kernel larger than the padded input.
        message = str(error)
        name = next((k for k in _NAMES if message.startswith(k + " ")), "f")
        raise ParameterError(name, message) from None
    return n, f, p, s, c_in, c_out, out, count


def _input_words(n, c_in):
    size = rf"${n} \times {n}$"
    if c_in == 3:
        return f"A {size} RGB image (3 channels)", f"一张 {size} 的 RGB 彩色图像（3 个通道）"
    if c_in == 1:
        return f"A {size} greyscale image (1 channel)", f"一张 {size} 的灰度图像（1 个通道）"
    return (
        f"The output of the previous layer, {c_in} feature maps of size {size},",
        f"上一层输出的 {c_in} 个 {size} 的特征图",
    )


def statement(params):
    n, f, p, s = (params[k] for k in ("n", "f", "p", "s"))
    c_in, c_out = params["c_in"], params["c_out"]
    input_en, input_zh = _input_words(n, c_in)
    kernel = rf"${f} \times {f}$"
    if p == 0:
        pad_en, pad_zh = "no padding", "不做填充"
    else:
        pixels = "pixel" if p == 1 else "pixels"
        pad_en, pad_zh = f"zero padding of {p} {pixels} on each side", f"每边补 {p} 圈 0"
    symbols = f"$n = {n}$, $f = {f}$, $p = {p}$, $s = {s}$"
    return text(
        f"{input_en} is the input of a convolutional layer with {c_out} kernels of size "
        f"{kernel}, stride {s} and {pad_en} ({symbols}). (a) What is the side length of each "
        "output feature map? (b) How many trainable parameters (weights and biases) does the "
        "layer have?",
        f"{input_zh}输入一个卷积层：该层有 {c_out} 个 {kernel} 的卷积核，步长为 {s}，{pad_zh}"
        f"（{symbols}）。(a) 每个输出特征图的边长是多少？(b) 该层共有多少个可训练参数"
        "（权重和偏置）？",
    )


def _misconceptions(right, candidates):
    """The candidates that are real mistakes in this setting: a value equal to
    the right answer is no mistake here, and when two slips give the same
    number the feedback names both, since the number cannot tell them apart."""
    kept = []
    for tag, value, en, zh in candidates:
        if value is None or value == right:
            continue
        for i, earlier in enumerate(kept):
            if earlier.value_or_expr == value:
                kept[i] = Misconception(
                    earlier.tag,
                    value,
                    f"{earlier.feedback_en} Another slip gives the same number here: {en}",
                    f"{earlier.feedback_zh} 另一种错误在这里也会得到同样的数：{zh}",
                )
                break
        else:
            kept.append(Misconception(tag, value, en, zh))
    return tuple(kept)


def solve(params):
    n, f, p, s, c_in, c_out, out, count = _setting(params)
    span = n + 2 * p - f
    steps_moved = span // s
    per_kernel = c_in * f * f + 1

    size_mistakes = _misconceptions(
        out,
        [
            (
                "missing-plus-one",
                steps_moved,
                "You left out the +1: ⌊(n + 2p − f)/s⌋ counts how many times the window moves; "
                "its first position adds one more output.",
                "你漏掉了 +1：⌊(n + 2p − f)/s⌋ 只是窗口移动的次数，"
                "窗口的第一个位置还要再算一个输出。",
            ),
            (
                "no-padding",
                (n - f) // s + 1 if n >= f else None,
                f"You forgot the padding: the kernel slides over the padded input of side "
                f"n + 2p = {n + 2 * p}.",
                f"你忽略了填充：卷积核在填充后的输入上滑动，边长为 n + 2p = {n + 2 * p}。",
            ),
            (
                "padding-once",
                (n + p - f) // s + 1 if n + p >= f else None,
                f"The padding is added on both sides: the padded side is n + 2p = {n + 2 * p}, "
                f"not n + p = {n + p}.",
                f"填充加在两侧：填充后的边长是 n + 2p = {n + 2 * p}，而不是 n + p = {n + p}。",
            ),
            (
                "rounding-up",
                -(-span // s) + 1,
                f"Round down: {span} is not a multiple of the stride {s}, so the last window "
                "would stick out of the input and is dropped.",
                f"应向下取整：{span} 不是步长 {s} 的整数倍，"
                "最后一个窗口会超出输入范围，不计入输出。",
            ),
            (
                "no-stride",
                span + 1,
                f"You forgot to divide by the stride: the window moves {s} pixels at a time.",
                f"你忘了除以步长：窗口每次移动 {s} 个像素。",
            ),
        ],
    )
    count_mistakes = _misconceptions(
        count,
        [
            (
                "no-bias",
                c_out * c_in * f * f,
                f"You counted only the weights: each of the {c_out} kernels also has one bias.",
                f"你只数了权重：{c_out} 个卷积核每个还有一个偏置。",
            ),
            (
                "no-input-channels",
                c_out * (f * f + 1),
                f"Each kernel spans all {c_in} input channels: it has c_in·f·f = "
                f"{c_in * f * f} weights, not f·f = {f * f}.",
                f"每个卷积核覆盖全部 {c_in} 个输入通道：它有 c_in·f·f = {c_in * f * f} 个权重，"
                f"而不是 f·f = {f * f} 个。",
            ),
            (
                "bias-per-channel",
                c_out * c_in * (f * f + 1),
                "A kernel has a single bias, not one per input channel: c_in·f² + 1 "
                "parameters per kernel.",
                "每个卷积核只有一个偏置，而不是每个输入通道一个：每个卷积核有 c_in·f² + 1 个参数。",
            ),
            (
                "times-output-size",
                count * out * out,
                "The same kernels slide over every position (weight sharing): the parameter "
                f"count does not depend on the {out} × {out} output size; you counted one "
                "set of weights per output position.",
                f"同一组卷积核在所有位置上滑动（权值共享）：参数量与 {out} × {out} 的输出尺寸无关；"
                "你把每个输出位置都算了一组权重。",
            ),
        ],
    )
    parts = (
        Part(
            "output_size",
            text("output side length $n_{out}$", "输出边长 $n_{out}$"),
            Integer(out, misconceptions=size_mistakes),
        ),
        Part(
            "param_count",
            text("number of trainable parameters", "可训练参数个数"),
            Integer(count, misconceptions=count_mistakes),
        ),
    )

    fraction = rf"\frac{{{span}}}{{{s}}}"
    if span % s == 0:
        floor_en = f"{span} is a multiple of the stride {s}: the division is exact."
        floor_zh = f"{span} 是步长 {s} 的整数倍：恰好整除。"
        floor_latex = rf"\left\lfloor {fraction} \right\rfloor = {steps_moved}"
    else:
        floor_en = (
            f"{span}/{s} is not a whole number: round down, because a window that would "
            "stick out of the padded input is not computed."
        )
        floor_zh = f"{span}/{s} 不是整数：向下取整，因为超出填充后输入范围的窗口不计算。"
        floor_latex = (
            rf"\left\lfloor {fraction} \right\rfloor = \left\lfloor {tex.num(span / s)} "
            rf"\right\rfloor = {steps_moved}"
        )
    if f > 1 and 2 * p == f - 1:
        same_en = f' Here p = (f − 1)/2 = {p}: "same" padding, which keeps the size at stride 1.'
        same_zh = f'这里 p = (f − 1)/2 = {p}，即 "same" 填充，步长为 1 时输出尺寸不变。'
    else:
        same_en = same_zh = ""
    if c_in == 1:
        spans = (
            "Each kernel covers the single input channel: f·f weights plus one bias.",
            "每个卷积核覆盖唯一的输入通道：f·f 个权重加一个偏置。",
        )
    else:
        spans = (
            f"Each kernel spans all {c_in} input channels: c_in·f·f weights plus one bias.",
            f"每个卷积核覆盖全部 {c_in} 个输入通道：c_in·f·f 个权重加一个偏置。",
        )
    steps = (
        Step(
            text(
                "The side length of the output of a convolution with kernel f, padding p "
                "and stride s:",
                "卷积核边长为 f、填充为 p、步长为 s 时，输出边长为：",
            ),
            r"n_{out} = \left\lfloor \frac{n + 2p - f}{s} \right\rfloor + 1",
        ),
        Step(
            text(
                f"Substitute $n = {n}$, $f = {f}$, $p = {p}$, $s = {s}$.{same_en}",
                f"代入 $n = {n}$，$f = {f}$，$p = {p}$，$s = {s}$。{same_zh}",
            ),
            rf"n_{{out}} = \left\lfloor \frac{{{n} + 2 \cdot {p} - {f}}}{{{s}}} \right\rfloor + 1"
            rf" = \left\lfloor {fraction} \right\rfloor + 1",
        ),
        Step(text(floor_en, floor_zh), floor_latex),
        Step(
            text(
                f"Add 1 for the window's first position. Each of the {c_out} kernels gives "
                f"one feature map: the output is {out} × {out} × {c_out}.",
                f"加上窗口的第一个位置（+1）。{c_out} 个卷积核各得到一个特征图："
                f"输出为 {out} × {out} × {c_out}。",
            ),
            rf"n_{{out}} = {steps_moved} + 1 = {out}",
        ),
        Step(
            text(*spans),
            rf"c_{{in}} \cdot f \cdot f + 1 = {c_in} \cdot {f} \cdot {f} + 1 = "
            rf"{c_in * f * f} + 1 = {per_kernel}",
        ),
        Step(
            text(
                f"The layer has {c_out} such kernels; the count does not depend on the "
                "output size, since every position shares the same weights.",
                f"该层有 {c_out} 个这样的卷积核；参数量与输出尺寸无关，"
                "因为所有位置共享同一组权重。",
            ),
            rf"c_{{out}} \cdot (c_{{in}} f^2 + 1) = {c_out} \times {per_kernel} = {count}",
        ),
    )
    return Solution(parts, steps)
