"""Shapes and parameter counts through a small CNN stack (convolutions and
max pooling on an RGB image)."""

from tutor import tex
from tutor.answers import Integer, Matrix, Vector
from tutor.problem import (
    ParameterError,
    Part,
    Solution,
    Step,
    has_distinct_misconceptions,
    known_parameters,
    merged_misconceptions,
    text,
)
from tutor.solutions.conv import cnn_param_counts, cnn_shapes

ID = "cnn-shapes"
TOPIC = "cnn"
TITLE = text("Shapes and parameters through a CNN stack", "CNN 各层的输出形状与参数量")
PARAMETERS = {
    "input_shape": text(
        "the input [height, width, channels], e.g. [32, 32, 3] for an RGB image "
        "(sides 1 to 512, 1 to 512 channels)",
        "输入的 [高, 宽, 通道数]，如 RGB 图像 [32, 32, 3]（边长 1 到 512，通道数 1 到 512）",
    ),
    "layers": text(
        'the layers in order (1 to 6): {"type": "conv", "filters": c_out, "size": f, '
        '"padding": p, "stride": s} or {"type": "pool", "size": k, "stride": k} '
        "(max pooling); padding defaults to 0, a convolution's stride to 1, a pooling "
        "stride to its size",
        '按顺序给出的各层（1 到 6 层）：{"type": "conv", "filters": c_out, "size": f, '
        '"padding": p, "stride": s} 或 {"type": "pool", "size": k, "stride": k}（最大池化）；'
        "padding 默认为 0，卷积的 stride 默认为 1，池化的 stride 默认等于窗口大小",
    ),
}

# Counts and sizes are exact: an answer off by one is wrong.
EXACT = {"rtol": 0.0, "atol": 1e-6}
LIMITS = {
    "conv": {"filters": (1, 1024), "size": (1, 11), "padding": (0, 5), "stride": (1, 4)},
    "pool": {"size": (1, 8), "stride": (1, 8)},
}
MAX_LAYERS = 6
MAX_SIDE = 512

# Layer patterns by difficulty: C a convolution, P a max pooling.
PATTERNS = {
    1: ["CP", "CP", "CP", "CC"],
    2: ["CPC", "CCP", "CPC", "CPC"],
    3: ["CPCP", "CCPC", "CPCC", "CPCP"],
}
SIDES = {1: [28, 32], 2: [28, 32, 64], 3: [28, 32, 48, 64]}
FILTERS = [4, 6, 8, 10, 12, 16, 20, 24, 32, 48, 64]


def _choice(rng, options, weights=None):
    """One of ``options`` as a plain Python value (rng.choice returns numpy types)."""
    return options[int(rng.choice(len(options), p=weights))]


def generate(rng, difficulty=2):
    difficulty = min(max(int(difficulty), 1), 3)
    # The pattern and whether a floor shows up are chosen once, before the
    # redraws, so that the share of each does not depend on how easy it is to hit.
    pattern = _choice(rng, PATTERNS[difficulty])
    floors = difficulty >= 2 and rng.random() < (0.4 if difficulty == 2 else 0.6)
    while True:
        params = _draw(rng, difficulty, pattern)
        if params is None or _has_floor(params) != floors:
            continue
        if has_distinct_misconceptions(solve(params)):
            return params


def _draw(rng, difficulty, pattern):
    side = _choice(rng, SIDES[difficulty])
    n, c = side, 3
    layers, filters = [], 0
    for kind in pattern:
        if kind == "P":
            k = 3 if difficulty >= 3 and rng.random() < 0.2 else 2
            if n < 2 * k:
                return None
            layers.append({"type": "pool", "size": k, "stride": k})
            n //= k
            continue
        f = _choice(
            rng, [3, 5] if difficulty <= 1 else [3, 3, 5, 5, 7] if not layers else [1, 3, 3, 5]
        )
        if f == 1 and c < 8:
            return None  # a 1 × 1 convolution only makes sense across many channels
        if difficulty <= 1:
            s = 1
        else:
            s = _choice(rng, [1, 2], [0.7, 0.3] if difficulty == 2 else [0.55, 0.45])
        same = (f - 1) // 2
        # No padding, "same" padding, or (harder) another amount; a 1 × 1
        # kernel is never padded.
        paddings = [0, same, same] + ([1] if difficulty >= 2 and same > 1 else [])
        p = _choice(rng, paddings if f > 1 else [0])
        if f > n + 2 * p:
            return None
        # As many filters as the layer before or more, as in LeNet or AlexNet.
        filters = _choice(rng, [v for v in FILTERS if v >= filters][:5])
        layers.append({"type": "conv", "filters": filters, "size": f, "padding": p, "stride": s})
        n = (n + 2 * p - f) // s + 1
        c = filters
    if n < 2:
        return None
    return {"input_shape": [side, side, 3], "layers": layers}


def _has_floor(params):
    """Whether some layer's window does not divide its input evenly (a floor
    that matters)."""
    n = params["input_shape"][0]
    for layer in params["layers"]:
        f, s, p = layer["size"], layer["stride"], layer.get("padding", 0)
        if (n + 2 * p - f) % s:
            return True
        n = (n + 2 * p - f) // s + 1
    return False


def _layer_integer(index, layer, key, default):
    low, high = LIMITS[layer["type"]][key]
    value = layer.get(key, default)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParameterError(
            "layers", f"layer {index}: {key} must be a whole number, got {value!r}"
        )
    if not low <= value <= high:
        raise ParameterError(
            "layers", f"layer {index}: {key} must be between {low} and {high}, got {value}"
        )
    return value


def _setting(params):
    known_parameters(params, PARAMETERS)
    for name in PARAMETERS:
        if name not in params:
            raise ParameterError(name, "missing")
    shape = params["input_shape"]
    if not isinstance(shape, list) or len(shape) != 3:
        raise ParameterError("input_shape", f"expected [height, width, channels], got {shape!r}")
    for label, value in zip(("height", "width", "channels"), shape):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_SIDE:
            raise ParameterError(
                "input_shape",
                f"the {label} must be a whole number from 1 to {MAX_SIDE}, got {value!r}",
            )
    shape = [int(v) for v in shape]
    raw = params["layers"]
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_LAYERS:
        raise ParameterError("layers", f"expected a list of 1 to {MAX_LAYERS} layers")
    layers = []
    for index, layer in enumerate(raw, start=1):
        if not isinstance(layer, dict) or layer.get("type") not in ("conv", "pool"):
            raise ParameterError(
                "layers", f'layer {index}: expected a dict with "type": "conv" or "pool"'
            )
        unknown = sorted(set(layer) - {"type", *LIMITS[layer["type"]]}, key=str)
        if unknown:
            raise ParameterError(
                "layers", f"layer {index}: unknown key {unknown[0]!r} for a {layer['type']} layer"
            )
        if layer["type"] == "conv":
            if "filters" not in layer or "size" not in layer:
                raise ParameterError(
                    "layers", f"layer {index}: a conv layer needs filters and size"
                )
            size = _layer_integer(index, layer, "size", None)
            layers.append(
                {
                    "type": "conv",
                    "filters": _layer_integer(index, layer, "filters", None),
                    "size": size,
                    "padding": _layer_integer(index, layer, "padding", 0),
                    "stride": _layer_integer(index, layer, "stride", 1),
                }
            )
        else:
            if "size" not in layer:
                raise ParameterError("layers", f"layer {index}: a pool layer needs its size")
            size = _layer_integer(index, layer, "size", None)
            stride = _layer_integer(index, layer, "stride", size)
            layers.append({"type": "pool", "size": size, "stride": stride})
    try:
        shapes = cnn_shapes(shape, layers)
        counts = cnn_param_counts(shape, layers)
    except ValueError as error:
        message = str(error)
        name = "input_shape" if message.startswith("input_shape") else "layers"
        raise ParameterError(name, message) from None
    return shape, layers, shapes, counts


def _layer_words(layer):
    if layer["type"] == "pool":
        k, s = layer["size"], layer["stride"]
        stride = rf", \; s = {s}"
        return (
            rf"\text{{max pool }} {k} \times {k}{stride}",
            rf"\text{{最大池化 }} {k} \times {k}{stride}",
        )
    f, c, p, s = (layer[key] for key in ("size", "filters", "padding", "stride"))
    tail = rf", \; p = {p}, \; s = {s}"
    return (
        rf"\text{{conv: {c} filters }} {f} \times {f}{tail}",
        rf"\text{{卷积：{c} 个 }} {f} \times {f} \text{{ 卷积核}}{tail}",
    )


def _input_words(shape):
    h, w, c = shape
    size = rf"${h} \times {w} \times {c}$"
    if c == 3:
        return (
            f"An RGB image of {size} (height × width × channels)",
            f"一张 {size}（高 × 宽 × 通道）的 RGB 图像",
        )
    return f"An input of {size} (height × width × channels)", f"一个 {size}（高 × 宽 × 通道）的输入"


def statement(params):
    shape, layers, _, _ = _setting(params)
    rows_en, rows_zh = [], []
    for i, layer in enumerate(layers, start=1):
        en, zh = _layer_words(layer)
        rows_en.append(f"{i} & {en}")
        rows_zh.append(f"{i} & {zh}")
    table_en = (
        r"$$\begin{array}{c|l} \text{layer} & \text{operation} \\ \hline "
        + r" \\ ".join(rows_en)
        + r" \end{array}$$"
    )
    table_zh = (
        r"$$\begin{array}{c|l} \text{层} & \text{运算} \\ \hline "
        + r" \\ ".join(rows_zh)
        + r" \end{array}$$"
    )
    input_en, input_zh = _input_words(shape)
    return text(
        f"{input_en} passes through the layers below in order ($p$ is the zero padding on "
        "each side, $s$ the stride; each filter spans all the channels of its input and has "
        f"one bias).\n{table_en}\n"
        "(a) Give the output shape of every layer, one row [height, width, channels] per "
        "layer. (b) Give the number of trainable parameters (weights and biases) of every "
        "layer (0 for a pooling layer). (c) Give the total number of parameters.",
        f"{input_zh}依次经过下列各层（$p$ 为每边的零填充宽度，$s$ 为步长；每个卷积核覆盖其输入的"
        f"全部通道，并带一个偏置）。\n{table_zh}\n"
        "(a) 写出每一层的输出形状，每层一行 [高, 宽, 通道数]。(b) 写出每一层的可训练参数个数"
        "（权重和偏置；池化层为 0）。(c) 写出参数总数。",
    )


def _side(n, f, p, s, plus_one=True):
    """The window-count formula, or the notes' version without + 1 (None
    when a size is no longer positive, so that no mistake is built on it)."""
    out = (n + 2 * p - f) // s + (1 if plus_one else 0)
    return out if n + 2 * p >= f and out >= 1 else None


def _wrong_shapes(shape, layers, *, no_plus_one=(), padding=True, pool_depth=False, keep=False):
    """The shapes a student gets with one slip, carried through the stack:
    ``no_plus_one`` names the layer types ("conv", "pool") whose size drops
    the + 1; ``padding`` False ignores the padding; ``pool_depth`` lets the
    pooling window shrink the channels too; ``keep`` keeps the input's
    channels after a convolution. None when a size is no longer positive."""
    h, w, c = shape
    rows = []
    for layer in layers:
        kind, f, s = layer["type"], layer["size"], layer["stride"]
        one = kind not in no_plus_one
        if kind == "conv":
            p = layer["padding"] if padding else 0
            c = c if keep else layer["filters"]
        else:
            p = 0
            c = _side(c, f, 0, s) if pool_depth else c
        h, w = _side(h, f, p, s, one), _side(w, f, p, s, one)
        if None in (h, w, c):
            return None
        rows.append([h, w, c])
    return rows


def _wrong_counts(layers, shape, rule):
    counts, c = [], shape[2]
    for layer in layers:
        if layer["type"] == "pool":
            counts.append(0)
            continue
        f, c_out = layer["size"], layer["filters"]
        counts.append(rule(f, c, c_out))
        c = c_out
    return counts


SHAPE_FEEDBACK = {
    "missing-plus-one": (
        "You left out the +1 in ⌊(n + 2p − f)/s⌋ + 1: that quotient counts the moves of the "
        "window, and its first position gives one more output.",
        "你漏掉了 ⌊(n + 2p − f)/s⌋ + 1 中的 +1：商只是窗口移动的次数，"
        "窗口的第一个位置还要再算一个输出。",
    ),
    "missing-plus-one-everywhere": (
        "You left out the +1 in ⌊(n + 2p − f)/s⌋ + 1, in the pooling layers too: for a k × k "
        "pooling with stride k the side becomes ⌊n/k⌋, not ⌊n/k⌋ − 1.",
        "你漏掉了 ⌊(n + 2p − f)/s⌋ + 1 中的 +1，池化层也漏了：k × k、步长 k 的池化后边长为 "
        "⌊n/k⌋，而不是 ⌊n/k⌋ − 1。",
    ),
    "no-padding": (
        "You forgot the padding: a convolution slides over the padded input of side n + 2p.",
        "你忽略了填充：卷积核在填充后、边长为 n + 2p 的输入上滑动。",
    ),
    "pooling-changes-channels": (
        "Pooling works on each channel separately: the window moves over height and width only, "
        "so the channel count stays the same.",
        "池化对每个通道分别进行：窗口只在高和宽方向上移动，通道数不变。",
    ),
    "channels-equal-input": (
        "A convolution outputs one channel per filter: the output has c_out channels (the "
        "number of filters), not the c_in channels of its input.",
        "卷积层每个卷积核输出一个通道：输出通道数是卷积核个数 c_out，而不是输入的通道数 c_in。",
    ),
}
COUNT_FEEDBACK = {
    "no-input-channels": (
        "Each filter spans all c_in channels of its input: it has f·f·c_in weights (plus one "
        "bias), not f·f.",
        "每个卷积核覆盖输入的全部 c_in 个通道：它有 f·f·c_in 个权重（再加一个偏置），"
        "而不是 f·f 个。",
    ),
    "no-bias": (
        "You counted only the weights: each of the c_out filters also has one bias.",
        "你只数了权重：c_out 个卷积核每个还有一个偏置。",
    ),
    "no-channels-no-bias": (
        "f·f·c_out leaves out both the input channels (each filter has f·f·c_in weights) and "
        "the biases (one per filter): c_out (f·f·c_in + 1).",
        "f·f·c_out 既漏了输入通道（每个卷积核有 f·f·c_in 个权重），也漏了偏置（每个卷积核一个）："
        "应为 c_out (f·f·c_in + 1)。",
    ),
}
RULES = {
    "no-input-channels": lambda f, c_in, c_out: c_out * (f * f + 1),
    "no-bias": lambda f, c_in, c_out: c_out * c_in * f * f,
    "no-channels-no-bias": lambda f, c_in, c_out: c_out * f * f,
}


def solve(params):
    shape, layers, shapes, counts = _setting(params)
    shapes = [list(row) for row in shapes]
    total = int(sum(counts))
    shape_candidates = [
        ("missing-plus-one", _wrong_shapes(shape, layers, no_plus_one=("conv",))),
        ("missing-plus-one-everywhere", _wrong_shapes(shape, layers, no_plus_one=("conv", "pool"))),
        ("no-padding", _wrong_shapes(shape, layers, padding=False)),
        ("pooling-changes-channels", _wrong_shapes(shape, layers, pool_depth=True)),
        ("channels-equal-input", _wrong_shapes(shape, layers, keep=True)),
    ]
    shape_mistakes = merged_misconceptions(
        Matrix(shapes, **EXACT),
        [
            ("missing-plus-one" if tag.startswith("missing") else tag, value, *SHAPE_FEEDBACK[tag])
            for tag, value in shape_candidates
        ],
    )
    wrong_counts = {tag: _wrong_counts(layers, shape, rule) for tag, rule in RULES.items()}
    count_mistakes = merged_misconceptions(
        Vector(counts, **EXACT),
        [(tag, value, *COUNT_FEEDBACK[tag]) for tag, value in wrong_counts.items()],
    )
    total_mistakes = merged_misconceptions(
        Integer(total),
        [(tag, int(sum(value)), *COUNT_FEEDBACK[tag]) for tag, value in wrong_counts.items()],
    )
    parts = (
        Part(
            "shapes",
            text(
                "output shape of each layer, one row [height, width, channels] per layer",
                "各层输出形状，每层一行 [高, 宽, 通道数]",
            ),
            Matrix(shapes, **EXACT, misconceptions=shape_mistakes),
            points=2.0,
        ),
        Part(
            "params",
            text("parameters of each layer (0 for pooling)", "各层参数个数（池化层为 0）"),
            Vector(counts, **EXACT, misconceptions=count_mistakes),
        ),
        Part(
            "total_params",
            text("total number of parameters", "参数总数"),
            Integer(total, misconceptions=total_mistakes),
        ),
    )
    return Solution(parts, _steps(shape, layers, shapes, counts, total))


def _size_latex(n, f, p, s):
    out = (n + 2 * p - f) // s + 1
    return (
        rf"\left\lfloor \frac{{{n} + 2 \cdot {p} - {f}}}{{{s}}} \right\rfloor + 1 = "
        rf"\left\lfloor \frac{{{n + 2 * p - f}}}{{{s}}} \right\rfloor + 1 = {out}"
    )


def _pool_latex(n, k, s):
    out = (n - k) // s + 1
    return rf"\left\lfloor \frac{{{n} - {k}}}{{{s}}} \right\rfloor + 1 = {out}"


def _steps(shape, layers, shapes, counts, total):
    steps = [
        Step(
            text(
                "A convolution with c_out filters of size f × f, padding p and stride s gives "
                "c_out channels of side ⌊(n + 2p − f)/s⌋ + 1; each filter has f·f·c_in weights "
                "and one bias. A k × k pooling with stride s changes only height and width, "
                "and has no parameters.",
                "有 c_out 个 f × f 卷积核、填充 p、步长 s 的卷积层输出 c_out 个通道，"
                "边长为 ⌊(n + 2p − f)/s⌋ + 1；每个卷积核有 f·f·c_in 个权重和一个偏置。"
                "k × k、步长 s 的池化只改变高和宽，没有参数。",
            ),
            r"n_{out} = \left\lfloor \frac{n + 2p - f}{s} \right\rfloor + 1, \qquad "
            r"\text{params} = c_{out} \left( f \cdot f \cdot c_{in} + 1 \right)",
        )
    ]
    h, w, c = shape
    for i, (layer, out, count) in enumerate(zip(layers, shapes, counts), start=1):
        f, s = layer["size"], layer["stride"]
        if layer["type"] == "conv":
            p, c_out = layer["padding"], layer["filters"]
            sizes = _size_latex(h, f, p, s)
            if h != w:
                sizes = rf"{sizes}, \quad {_size_latex(w, f, p, s)}"
            en = (
                f"Layer {i}, convolution on the ${h} \\times {w} \\times {c}$ input: "
                f"{c_out} filters, so {c_out} channels; each filter has "
                f"${f} \\cdot {f} \\cdot {c} = {f * f * c}$ weights and one bias."
            )
            zh = (
                f"第 {i} 层，对 ${h} \\times {w} \\times {c}$ 的输入做卷积：{c_out} 个卷积核，"
                f"输出 {c_out} 个通道；每个卷积核有 ${f} \\cdot {f} \\cdot {c} = {f * f * c}$ "
                "个权重和一个偏置。"
            )
            latex = (
                rf"{sizes} \;\Rightarrow\; {out[0]} \times {out[1]} \times {out[2]}, \qquad "
                rf"{c_out} \cdot \left( {f} \cdot {f} \cdot {c} + 1 \right) = {c_out} \cdot "
                rf"{f * f * c + 1} = {count}"
            )
        else:
            sizes = _pool_latex(h, f, s)
            if h != w:
                sizes = rf"{sizes}, \quad {_pool_latex(w, f, s)}"
            en = (
                f"Layer {i}, {f} × {f} max pooling with stride {s} on the "
                f"${h} \\times {w} \\times {c}$ input: each of the {c} channels is pooled "
                "separately; nothing to learn."
            )
            zh = (
                f"第 {i} 层，对 ${h} \\times {w} \\times {c}$ 的输入"
                f"做 {f} × {f}、步长 {s} 的最大池化："
                f"{c} 个通道各自池化；没有可学习的参数。"
            )
            latex = (
                rf"{sizes} \;\Rightarrow\; {out[0]} \times {out[1]} \times {out[2]}, \qquad "
                r"\text{params} = 0"
            )
        if (h + 2 * layer.get("padding", 0) - f) % s:
            en += " The division is not exact: round down."
            zh += "除不尽：向下取整。"
        steps.append(Step(text(en, zh), latex))
        h, w, c = out
    steps.append(
        Step(
            text(
                "The output shapes, one row per layer, and the parameters per layer:",
                "各层的输出形状（每层一行）与各层参数个数：",
            ),
            rf"{tex.matrix(shapes)}, \qquad {tex.row(counts)}",
        )
    )
    steps.append(
        Step(
            text("The total is the sum over the layers.", "总参数量是各层之和。"),
            r"\text{total} = " + " + ".join(str(v) for v in counts) + f" = {total}",
        )
    )
    return tuple(steps)
