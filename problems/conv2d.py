"""A convolution layer by hand: the feature map of a small single-channel
image (cross-correlation, as CNNs compute it), then 2 × 2 pooling."""

import numpy as np

from tutor import tex
from tutor.answers import Matrix
from tutor.figures import COLORS, Figure, label_number
from tutor.problem import (
    ParameterError,
    Part,
    Solution,
    Step,
    has_distinct_misconceptions,
    integer,
    known_parameters,
    matrix,
    merged_misconceptions,
    text,
)
from tutor.solutions.conv import avg_pool, conv2d, conv_output_size, max_pool

ID = "conv2d"
TOPIC = "cnn"
TITLE = text("Convolution and pooling by hand", "手算卷积与池化")
PARAMETERS = {
    "x": text(
        "the single-channel input image X (a matrix, 2 to 8 rows and columns)",
        "单通道输入图像 X（矩阵，2 到 8 行、2 到 8 列）",
    ),
    "kernel": text(
        "the kernel K (a matrix, 1 to 4 rows and columns, at most the padded input)",
        "卷积核 K（矩阵，1 到 4 行、1 到 4 列，不超过填充后的输入）",
    ),
    "padding": text("zero padding p on each side (0 to 2)", "每边补 0 的宽度 p（0 到 2）"),
    "stride": text("stride s of the convolution (1 to 3)", "卷积的步长 s（1 到 3）"),
    "pool": text(
        '"max" or "average": the 2 × 2 pooling (stride 2) applied to the feature map',
        '"max" 或 "average"：对特征图做的 2 × 2 池化（步长 2）',
    ),
}

POOLS = ("max", "average")
POOL_SIZE = 2
MAX_ENTRY = 100
# Every entry is a whole number or, after average pooling, a multiple of 1/4:
# the tolerance accepts the exact value written to 3 or 4 digits and no
# neighbouring whole number, even in a sum of a hundred or more.
TOLERANCE = {"rtol": 1e-3, "atol": 1e-2}

# Edge detectors students meet in the course; none is symmetric under the
# 180° turn, so flipping it (true convolution) changes the feature map.
NAMED_KERNELS = {
    ((1, -1), (1, -1)): text("a vertical-edge detector", "竖直边缘检测器"),
    ((1, 1), (-1, -1)): text("a horizontal-edge detector", "水平边缘检测器"),
    ((1, 0), (0, -1)): text(
        "a diagonal-edge detector (Roberts cross)", "对角边缘检测器（Roberts 算子）"
    ),
    ((0, 1), (-1, 0)): text(
        "a diagonal-edge detector (Roberts cross)", "对角边缘检测器（Roberts 算子）"
    ),
    ((1, 0, -1), (1, 0, -1), (1, 0, -1)): text("a vertical-edge detector", "竖直边缘检测器"),
    ((1, 1, 1), (0, 0, 0), (-1, -1, -1)): text("a horizontal-edge detector", "水平边缘检测器"),
    ((1, 0, -1), (2, 0, -2), (1, 0, -1)): text(
        "a vertical-edge detector (Sobel)", "竖直边缘检测器（Sobel 算子）"
    ),
    ((1, 2, 1), (0, 0, 0), (-1, -2, -1)): text(
        "a horizontal-edge detector (Sobel)", "水平边缘检测器（Sobel 算子）"
    ),
    ((0, 1, 1), (-1, 0, 1), (-1, -1, 0)): text("a diagonal-edge detector", "对角边缘检测器"),
}

# (input side n, kernel side f, padding p, stride s) by difficulty: feature
# maps of 2 × 2 to 4 × 4 (5 × 5 when harder), some of odd size so that the
# pooling drops a row and a column.
_CASES = {
    (p, s): [
        (n, f)
        for n in (4, 5, 6)
        for f in (2, 3)
        if 2 <= (n + 2 * p - f) // s + 1 <= 5 and f <= n + 2 * p
    ]
    for p in (0, 1)
    for s in (1, 2)
}
# Multiplications a student does for the feature map (entries × non-zero weights).
_WORK = {1: 64, 2: 96, 3: 150}


def _choice(rng, options, weights=None):
    """One of ``options`` as a plain Python value (rng.choice returns numpy types)."""
    return options[int(rng.choice(len(options), p=weights))]


def generate(rng, difficulty=2):
    # The structure is chosen once, before any redraw, so that redrawing the
    # numbers does not favour the structures that are easiest to hit.
    if difficulty <= 1:
        p, s = 0, 1
        pool = _choice(rng, POOLS, [0.7, 0.3])
        largest = 4
    else:
        weights = [0.3, 0.2, 0.2, 0.3] if difficulty == 2 else [0.15, 0.3, 0.15, 0.4]
        p, s = _choice(rng, [(0, 1), (1, 1), (0, 2), (1, 2)], weights)
        pool = _choice(rng, POOLS)
        largest = 4 if difficulty == 2 else 5
    smallest = 2 if difficulty <= 1 else 3
    sizes = [(n, f) for n, f in _CASES[(p, s)] if smallest <= (n + 2 * p - f) // s + 1 <= largest]
    if difficulty >= 3 and any(f == 3 for _, f in sizes):
        sizes = [(n, f) for n, f in sizes if f == 3] + sizes  # the 3 × 3 kernels twice as often
    n, f = _choice(rng, sizes)
    m = (n + 2 * p - f) // s + 1
    high = 4 if difficulty <= 1 else 5
    while True:
        kernel = _kernel(rng, f, _WORK[difficulty] // (m * m))
        if kernel is None:
            continue
        x = rng.integers(0, high + 1, size=(n, n))
        params = {"x": x.tolist(), "kernel": kernel, "padding": p, "stride": s, "pool": pool}
        if _interesting(params):
            return params


def _kernel(rng, f, most_weights):
    """An edge detector or a small random kernel with at most ``most_weights``
    non-zero entries (None when no kernel of this size fits)."""
    named = [k for k in NAMED_KERNELS if len(k) == f and np.count_nonzero(k) <= most_weights]
    if named and rng.random() < 0.5:
        return [list(row) for row in _choice(rng, named)]
    low, high = (2, 4) if f == 2 else (3, 5)
    high = min(high, most_weights)
    if high < low:
        return None
    count = int(rng.integers(low, high + 1))
    kernel = np.zeros(f * f, dtype=int)
    cells = rng.choice(f * f, size=count, replace=False)
    kernel[cells] = rng.choice([-2, -1, 1, 2], size=count, p=[0.15, 0.35, 0.35, 0.15])
    return kernel.reshape(f, f).tolist()


def _interesting(params):
    """A feature map with a few different values, where flipping the kernel
    and the other kind of pooling both give different answers."""
    fm = conv2d(params["x"], params["kernel"], params["padding"], params["stride"])
    if len(np.unique(fm)) < min(3, fm.size):
        return False
    solution = solve(params)
    if not has_distinct_misconceptions(solution):
        return False
    tags = [{m.tag for m in part.answer.misconceptions} for part in solution.parts]
    other = "average-instead-of-max" if params["pool"] == "max" else "max-instead-of-average"
    return "flipped-kernel" in tags[0] and other in tags[1]


def _setting(params):
    known_parameters(params, PARAMETERS)
    for name in PARAMETERS:
        if name not in params:
            raise ParameterError(name, "missing")
    x = matrix(params, "x", max_size=8)
    if min(x.shape) < 2:
        raise ParameterError("x", f"expected at least 2 rows and 2 columns, got {x.shape}")
    kernel = matrix(params, "kernel", max_size=4)
    for name, array in (("x", x), ("kernel", kernel)):
        if np.max(np.abs(array)) > MAX_ENTRY:
            raise ParameterError(name, f"entries must lie in [-{MAX_ENTRY}, {MAX_ENTRY}]")
    p = integer(params, "padding", 0, 2)
    s = integer(params, "stride", 1, 3)
    pool = params["pool"]
    if pool not in POOLS:
        raise ParameterError("pool", f'expected "max" or "average", got {pool!r}')
    try:
        fm = conv2d(x, kernel, p, s)
    except ValueError as error:
        raise ParameterError("kernel", str(error)) from None
    if min(fm.shape) < POOL_SIZE:
        raise ParameterError(
            "x",
            f"the feature map is {fm.shape[0]} × {fm.shape[1]}: too small for 2 × 2 pooling; "
            "use a larger input, a smaller kernel or stride, or more padding",
        )
    return x, kernel, p, s, pool, fm


def _pooled(fm, pool, stride=POOL_SIZE):
    return (max_pool if pool == "max" else avg_pool)(fm, POOL_SIZE, stride)


def _size_words(shape):
    return rf"{shape[0]} \times {shape[1]}"


def statement(params):
    x, kernel, p, s, pool, _ = _setting(params)
    name = NAMED_KERNELS.get(tuple(tuple(int(v) for v in row) for row in kernel))
    if name is not None and np.array_equal(kernel, np.round(kernel)):
        kind_en, kind_zh = f" ({name['en']})", f"（{name['zh']}）"
    else:
        kind_en = kind_zh = ""
    if p == 0:
        pad_en, pad_zh = "no padding ($p = 0$)", "不填充（$p = 0$）"
    else:
        pad_en = f"zero padding of {p} on each side ($p = {p}$)"
        pad_zh = f"每边补 {p} 圈 0（$p = {p}$）"
    pool_en = "max" if pool == "max" else "average"
    pool_zh = "最大" if pool == "max" else "平均"
    shown = rf"$$X = {tex.matrix(x)}, \qquad K = {tex.matrix(kernel)}$$"
    return text(
        f"A convolutional layer with a single ${_size_words(kernel.shape)}$ kernel $K${kind_en}, "
        f"{pad_en} and stride $s = {s}$ is applied to the single-channel "
        f"${_size_words(x.shape)}$ input $X$. As in CNNs, the layer computes the "
        "cross-correlation: each output is the sum of the kernel entries times the input "
        "values under them, with the kernel not flipped (no bias).\n"
        f"{shown}\n"
        "(a) Compute the feature map $Y$. (b) Apply $2 \\times 2$ "
        f"{pool_en} pooling with stride 2 to $Y$ (a window that does not fit inside $Y$ is "
        "dropped) and give the result $P$.",
        f"对单通道的 ${_size_words(x.shape)}$ 输入 $X$ 做卷积：只有一个 "
        f"${_size_words(kernel.shape)}$ 的卷积核 $K${kind_zh}，{pad_zh}，步长 $s = {s}$。"
        "与 CNN 中一样，这里计算的是互相关：每个输出等于卷积核各元素与其覆盖的输入值之积的和，"
        "卷积核不翻转（无偏置）。\n"
        f"{shown}\n"
        f"(a) 求特征图 $Y$。(b) 对 $Y$ 做 $2 \\times 2$、步长为 2 的{pool_zh}池化"
        "（超出 $Y$ 范围的窗口舍去），写出结果 $P$。",
    )


def _products(weights, values):
    """k₁ · x₁ + k₂ · x₂ …, leaving out the zero weights."""
    pieces = []
    for k, v in zip(weights, values):
        if k == 0:
            continue
        product = rf"{tex.num(abs(k))} \cdot {tex.paren(v)}"
        if pieces:
            pieces.append(("- " if k < 0 else "+ ") + product)
        else:
            pieces.append(("-" if k < 0 else "") + product)
    return " ".join(pieces) or "0"


def _size_latex(n, f, p, s):
    out = conv_output_size(n, f, p, s)
    return (
        rf"\left\lfloor \frac{{{n} + 2 \cdot {p} - {f}}}{{{s}}} \right\rfloor + 1 = "
        rf"\left\lfloor \frac{{{n + 2 * p - f}}}{{{s}}} \right\rfloor + 1 = {out}"
    )


def solve(params):
    x, kernel, p, s, pool, fm = _setting(params)
    fh, fw = kernel.shape
    padded = np.pad(x, p)
    flipped = kernel[::-1, ::-1]
    pooled = _pooled(fm, pool)
    # Mistakes that keep the shape of the answer: the window moved by one
    # pixel in a grid of the right size, the pooling windows overlapping.
    stepwise = conv2d(x, kernel, p, 1)[: fm.shape[0], : fm.shape[1]] if s > 1 else None
    overlapping = _pooled(fm, pool, 1)[: pooled.shape[0], : pooled.shape[1]]
    unpadded = None
    if p > 0 and fh <= x.shape[0] and fw <= x.shape[1]:
        unpadded = conv2d(x, kernel, 0, s)
        unpadded = _pooled(unpadded, pool) if min(unpadded.shape) >= POOL_SIZE else None

    flip_en = (
        "You flipped the kernel by 180° (true convolution, as in signal processing). A CNN "
        "layer computes the cross-correlation: multiply each window by K as given."
    )
    flip_zh = (
        "你把卷积核旋转了 180°（信号处理中的真卷积）。CNN 的卷积层计算的是互相关："
        "直接用给定的 K 与每个窗口逐元素相乘再求和。"
    )
    stride_en = (
        f"You moved the window one pixel at a time: with stride {s}, the window of "
        f"y_(i,j) starts at row {s}(i − 1) + 1 and column {s}(j − 1) + 1 of the padded input."
    )
    stride_zh = (
        f"你每次只把窗口移动了 1 个像素：步长为 {s} 时，y_(i,j) 的窗口从填充后输入的第 "
        f"{s}(i − 1) + 1 行、第 {s}(j − 1) + 1 列开始。"
    )
    carried_en = "Your pooling is right for your feature map, but that map is wrong: "
    carried_zh = "对你的特征图而言池化是对的，但特征图本身错了："
    if pool == "max":
        other_pool = (
            "average-instead-of-max",
            avg_pool(fm, POOL_SIZE),
            "That is average pooling: max pooling keeps the largest of the four values of "
            "each 2 × 2 window.",
            "这是平均池化：最大池化取每个 2 × 2 窗口中四个值的最大值。",
        )
        summed = None
    else:
        other_pool = (
            "max-instead-of-average",
            max_pool(fm, POOL_SIZE),
            "That is max pooling: average pooling takes the mean of the four values of each "
            "2 × 2 window.",
            "这是最大池化：平均池化取每个 2 × 2 窗口中四个值的平均值。",
        )
        summed = pooled * POOL_SIZE**2
    flipped_map = conv2d(x, flipped, p, s)
    fm_answer = Matrix(fm, **TOLERANCE)
    fm_mistakes = merged_misconceptions(
        fm_answer,
        [
            ("flipped-kernel", flipped_map, flip_en, flip_zh),
            ("stride-ignored", stepwise, stride_en, stride_zh),
        ],
    )
    pool_answer = Matrix(pooled, **TOLERANCE)
    pool_mistakes = merged_misconceptions(
        pool_answer,
        [
            other_pool,
            (
                "no-division",
                summed,
                "You added the four values of each window but did not divide by 4.",
                "你把每个窗口的四个值相加了，但没有除以 4。",
            ),
            (
                "pooling-overlap",
                overlapping,
                "Your pooling windows overlap (stride 1). With stride 2 the 2 × 2 windows sit "
                "side by side: each value of Y belongs to at most one window.",
                "你的池化窗口重叠了（步长 1）。步长为 2 时，2 × 2 窗口并排不重叠："
                "Y 的每个值至多属于一个窗口。",
            ),
            (
                "flipped-kernel",
                _pooled(flipped_map, pool),
                carried_en + flip_en,
                carried_zh + flip_zh,
            ),
            (
                "stride-ignored",
                None if stepwise is None else _pooled(stepwise, pool),
                carried_en + stride_en,
                carried_zh + stride_zh,
            ),
            (
                "no-padding",
                unpadded,
                carried_en + f"it was computed without the zero padding of {p} on each side.",
                carried_zh + f"计算时漏掉了每边 {p} 圈的零填充。",
            ),
        ],
    )
    parts = (
        Part(
            "feature_map",
            text("feature map $Y$", "特征图 $Y$"),
            Matrix(fm, **TOLERANCE, misconceptions=fm_mistakes),
            points=2.0,
        ),
        Part(
            "pooled",
            text("pooled map $P$", "池化结果 $P$"),
            Matrix(pooled, **TOLERANCE, misconceptions=pool_mistakes),
        ),
    )
    return Solution(parts, _steps(x, kernel, p, s, pool, padded, fm, pooled))


def _steps(x, kernel, p, s, pool, padded, fm, pooled):
    fh, fw = kernel.shape
    if s == 1:
        row, col = "i", "j"
        where_en, where_zh = "starts at row $i$ and column $j$", "从第 $i$ 行、第 $j$ 列开始"
    else:
        row, col = f"{s}(i - 1) + 1", f"{s}(j - 1) + 1"
        where_en = f"starts at row ${row}$ and column ${col}$"
        where_zh = f"从第 ${row}$ 行、第 ${col}$ 列开始"
    start = "i + u - 1, j + v - 1" if s == 1 else f"{s}(i - 1) + u, {s}(j - 1) + v"
    steps = [
        Step(
            text(
                "A CNN layer computes the cross-correlation: the kernel is laid on a window of "
                "the padded input $\\tilde{X}$, and the products of the entries on top of each "
                f"other are added. With stride {s}, the window of $y_{{i,j}}$ {where_en} of "
                "$\\tilde{X}$.",
                "CNN 的卷积层计算互相关：把卷积核放在填充后输入 $\\tilde{X}$ 的一个窗口上，"
                f"将上下对应的元素相乘再求和。步长为 {s} 时，$y_{{i,j}}$ 的窗口"
                f"在 $\\tilde{{X}}$ 中{where_zh}。",
            ),
            rf"y_{{i,j}} = \sum_{{u=1}}^{{{fh}}} \sum_{{v=1}}^{{{fw}}} K_{{u,v}} \, "
            rf"\tilde{{X}}_{{{start}}}",
        )
    ]
    if p > 0:
        steps.append(
            Step(
                text(
                    f"Pad $X$ with {p} ring{'s' if p > 1 else ''} of zeros.",
                    f"在 $X$ 四周补 {p} 圈 0。",
                ),
                rf"\tilde{{X}} = {tex.matrix(padded)}",
            )
        )
    else:
        steps.append(
            Step(
                text(
                    "No padding: the kernel slides over $X$ itself.",
                    "不填充：卷积核直接在 $X$ 上滑动。",
                ),
                r"\tilde{X} = X",
            )
        )
    (h, w), (m_rows, m_cols) = x.shape, fm.shape
    size = r"n_{out} = \left\lfloor \frac{n + 2p - f}{s} \right\rfloor + 1"
    if h == w and fh == fw:
        size_latex = rf"{size} = {_size_latex(h, fh, p, s)}"
        size_en = size_zh = ""
    else:
        size_latex = (
            rf"{size} \qquad \text{{rows: }} {_size_latex(h, fh, p, s)}, \quad "
            rf"\text{{columns: }} {_size_latex(w, fw, p, s)}"
        )
        size_en, size_zh = " for the rows and for the columns", "（行、列分别计算）"
    steps.append(
        Step(
            text(
                f"The size of the feature map{size_en}: $Y$ is ${_size_words(fm.shape)}$.",
                f"特征图的尺寸{size_zh}：$Y$ 为 ${_size_words(fm.shape)}$。",
            ),
            size_latex,
        )
    )
    weights = kernel.ravel()
    for i in range(m_rows):
        top = s * i
        lines = []
        for j in range(m_cols):
            window = padded[top : top + fh, s * j : s * j + fw].ravel()
            lines.append(
                rf"y_{{{i + 1},{j + 1}}} = {_products(weights, window)} = {tex.num(fm[i, j])}"
            )
        steps.append(
            Step(
                text(
                    f"Row {i + 1} of $Y$: the windows start at row {top + 1} of $\\tilde{{X}}$ "
                    "(zero weights left out).",
                    f"$Y$ 的第 {i + 1} 行：窗口从 $\\tilde{{X}}$ 的第 {top + 1} 行开始"
                    "（省略权重为 0 的项）。",
                ),
                r"\begin{array}{l} " + r" \\ ".join(lines) + r" \end{array}",
            )
        )
    steps.append(Step(text("The feature map:", "特征图："), rf"Y = {tex.matrix(fm)}"))
    q_rows, q_cols = pooled.shape
    dropped = []
    if m_rows % POOL_SIZE:
        dropped.append(("the last row", "最后一行"))
    if m_cols % POOL_SIZE:
        dropped.append(("the last column", "最后一列"))
    if dropped:
        drop_en = (
            f" {' and '.join(d[0] for d in dropped).capitalize()} of $Y$ fit"
            f"{'s' if len(dropped) == 1 else ''} in no 2 × 2 window and "
            f"{'is' if len(dropped) == 1 else 'are'} dropped."
        )
        drop_zh = f"$Y$ 的{'和'.join(d[1] for d in dropped)}放不进任何 2 × 2 窗口，舍去。"
    else:
        drop_en = drop_zh = ""
    steps.append(
        Step(
            text(
                f"Pooling with 2 × 2 windows and stride 2: $P$ is ${_size_words(pooled.shape)}$."
                + drop_en,
                f"2 × 2 窗口、步长 2 的池化：$P$ 为 ${_size_words(pooled.shape)}$。" + drop_zh,
            ),
            rf"\left\lfloor \frac{{{m_rows} - 2}}{{2}} \right\rfloor + 1 = {q_rows}, \qquad "
            rf"\left\lfloor \frac{{{m_cols} - 2}}{{2}} \right\rfloor + 1 = {q_cols}",
        )
    )
    lines = []
    for i in range(q_rows):
        for j in range(q_cols):
            window = fm[2 * i : 2 * i + 2, 2 * j : 2 * j + 2].ravel()
            values = ", ".join(tex.num(v) for v in window)
            if pool == "max":
                formula = rf"\max\left({values}\right)"
            else:
                total = " + ".join(tex.paren(v) for v in window)
                formula = rf"\frac{{{total}}}{{4}}"
            lines.append(rf"p_{{{i + 1},{j + 1}}} = {formula} = {tex.num(pooled[i, j])}")
    pool_en = "largest value" if pool == "max" else "mean"
    pool_zh = "最大值" if pool == "max" else "平均值"
    steps.append(
        Step(
            text(
                f"Each entry of $P$ is the {pool_en} of its 2 × 2 window of $Y$; the windows "
                "do not overlap.",
                f"$P$ 的每个元素是 $Y$ 中对应 2 × 2 窗口的{pool_zh}；窗口互不重叠。",
            ),
            r"\begin{array}{l} " + r" \\ ".join(lines) + r" \end{array}",
        )
    )
    steps.append(Step(text("The pooled map:", "池化结果："), rf"P = {tex.matrix(pooled)}"))
    return tuple(steps)


# --- figure ---------------------------------------------------------------------------

GAP = 1.4  # cells between the grids, room for ⋆ and =
FIGURE_WIDTH = 5.4  # inches
PADDING_FILL = "#e4e4e4"
SOLID, DASHED = COLORS[1], COLORS[0]


MARGIN = 0.96  # share of the figure the grids may fill
MIN_FONT = 5.5  # points: the smallest size at which the numbers stay legible


def _cell_points(width, height):
    """The side of a cell in points when ``width`` × ``height`` cells (and a
    row for the names) fill the page width, at most 3.6 inches high; never
    larger than a comfortable 30 points."""
    return min(
        30.0,
        FIGURE_WIDTH * 72 * MARGIN / (width + 0.2),
        3.6 * 72 * MARGIN / (height + 1.3),
    )


def _font_size(cell_points, values):
    """A size at which the longest number fits its cell: a digit is about
    0.64 em wide."""
    longest = max(len(label_number(v)) for v in np.ravel(values))
    return float(min(9.0, 0.6 * cell_points, 0.8 * cell_points / (0.64 * max(longest, 1))))


def _grid(ax, values, left, top, size, ring=0):
    """A table of numbers, one square cell each, its top left corner at
    (left, top) with rows going down; its outer ``ring`` cells deep are
    shaded and hatched (the padding)."""
    from matplotlib.patches import Rectangle

    rows, cols = values.shape
    # Few artists (bands, not cells) and none in the layout: fast to draw.
    bands = [(left, top, cols, rows, "white", None)]
    if ring:
        inner = rows - 2 * ring
        bands += [
            (left, top, cols, ring, PADDING_FILL, "///"),
            (left, top + rows - ring, cols, ring, PADDING_FILL, "///"),
            (left, top + ring, ring, inner, PADDING_FILL, "///"),
            (left + cols - ring, top + ring, ring, inner, PADDING_FILL, "///"),
        ]
    for x, y, width, height, fill, hatch in bands:
        band = Rectangle(
            (x, y), width, height, facecolor=fill, edgecolor="none", hatch=hatch, linewidth=0
        )
        band.set_hatchcolor("#b0b0b0")
        band.set_in_layout(False)
        ax.add_artist(band)
    lines = {"colors": "#8c8c8c", "linewidth": 0.6}
    ax.vlines(left + np.arange(cols + 1), top, top + rows, **lines).set_in_layout(False)
    ax.hlines(top + np.arange(rows + 1), left, left + cols, **lines).set_in_layout(False)
    for (i, j), value in np.ndenumerate(values):
        padding = min(i, j, rows - 1 - i, cols - 1 - j) < ring
        ax.text(
            left + j + 0.5,
            top + i + 0.5,
            label_number(value),
            ha="center",
            va="center",
            fontsize=size,
            color="#555555" if padding else "black",
        ).set_in_layout(False)


def _frame(ax, left, top, width, height, color, style, inset, label):
    from matplotlib.patches import Rectangle

    ax.add_artist(
        Rectangle(
            (left + inset, top + inset),
            width - 2 * inset,
            height - 2 * inset,
            facecolor="none",
            edgecolor=color,
            linestyle=style,
            linewidth=2.2,
            zorder=4,
            label=label,
        )
    )


def _signed_factor(value):
    return f"({tex.plain(value)})" if value < 0 else tex.plain(value)


def _matrix_words(values):
    return "[" + "; ".join(", ".join(tex.plain(v) for v in row) for row in values) + "]"


def figure(params, solution):
    """The padded input as a table of numbers (the padding ring shaded and
    hatched), the kernel and the feature map side by side. The window of
    y_{1,1}, the first output the worked steps spell out, is framed solid in
    the input and in Y; the window of y_{1,2}, one stride to the right,
    dashed."""
    x, kernel, p, s, pool, fm = _setting(params)
    padded = np.pad(x, p)
    (rows, cols), (fh, fw), (m_rows, m_cols) = padded.shape, kernel.shape, fm.shape
    kernel_left = cols + GAP
    map_left = kernel_left + fw + GAP
    width, height = map_left + m_cols, max(rows, fh, m_rows)
    # A large input with a large map leaves cells too small to read: the map
    # is left out then (never for a generated variant).
    cell = _cell_points(width, height)
    with_map = min(_font_size(cell, values) for values in (padded, kernel, fm)) >= MIN_FONT
    if not with_map:
        width, height = kernel_left + fw, max(rows, fh)
    cell = _cell_points(width, height)
    size = (FIGURE_WIDTH, round(max(1.6, (height + 1.3) * cell / 72 / MARGIN), 2))
    tops = [(height - h) / 2 for h in (rows, fh, m_rows)]
    grids = [(padded, 0, tops[0], r"$\tilde{X}$"), (kernel, kernel_left, tops[1], "K")]
    symbols = [(cols, "\u22c6", 24)]
    if with_map:
        grids.append((fm, map_left, tops[2], "Y"))
        symbols.append((kernel_left + fw, "=", 13))

    def draw(ax):
        for values, left, top, name in grids:
            _grid(ax, values, left, top, _font_size(cell, values), p if left == 0 else 0)
            ax.text(left, top - 0.25, name, ha="left", va="bottom", fontsize=11, style="italic")
        for left, symbol, points in symbols:
            ax.text(left + GAP / 2, height / 2, symbol, ha="center", va="center", fontsize=points)
        # The dashed window sits a little inside, so that overlapping windows stay apart.
        _frame(ax, 0, tops[0], fw, fh, SOLID, "-", 0.0, "$y_{1,1}$")
        _frame(ax, s, tops[0], fw, fh, DASHED, "--", 0.12, "$y_{1,2}$")
        if with_map:
            # Side by side in Y: the solid frame drawn last keeps the shared edge.
            _frame(ax, map_left + 1, tops[2], 1, 1, DASHED, "--", 0.0, "$y_{1,2}$")
            _frame(ax, map_left, tops[2], 1, 1, SOLID, "-", 0.0, "$y_{1,1}$")
        ax.set_xlim(-0.1, width + 0.1)
        ax.set_ylim(height + 0.1, -1.2)
        ax.set_aspect("equal")
        ax.axis("off")

    first, second = fm[0, 0], fm[0, 1]
    products = " + ".join(
        f"{_signed_factor(k)}·{_signed_factor(v)}"
        for k, v in zip(kernel.ravel(), padded[:fh, :fw].ravel())
        if k != 0
    )
    columns_en = f"{s} column{'s' if s > 1 else ''}"
    if p:
        input_en = f"the padded input X̃ ({rows} × {cols}; the zero padding, {p} wide, hatched)"
        input_zh = f"填充后的输入 X̃（{rows} × {cols}；宽 {p} 的零填充画了斜线）"
    else:
        input_en = f"the input X̃ = X ({rows} × {cols}, no padding)"
        input_zh = f"输入 X̃ = X（{rows} × {cols}，无填充）"
    if with_map:
        tables_en = f"Three tables of numbers: {input_en} = {_matrix_words(padded)}; "
        tables_en += f"the kernel K = {_matrix_words(kernel)}; "
        tables_en += f"the feature map Y = {_matrix_words(fm)}."
        tables_zh = f"三个数表：{input_zh} = {_matrix_words(padded)}；"
        tables_zh += f"卷积核 K = {_matrix_words(kernel)}；特征图 Y = {_matrix_words(fm)}。"
        also_en, also_zh = (
            " The same two frames mark y1,1 and y1,2 in Y.",
            "Y 中用同样的框标出 y1,1 和 y1,2。",
        )
    else:
        tables_en = f"Two tables of numbers: {input_en} = {_matrix_words(padded)}; "
        tables_en += f"the kernel K = {_matrix_words(kernel)}."
        tables_zh = (
            f"两个数表：{input_zh} = {_matrix_words(padded)}；卷积核 K = {_matrix_words(kernel)}。"
        )
        also_en = also_zh = ""
    alt = text(
        f"{tables_en} A solid frame marks the window of rows 1 to {fh} and columns 1 to {fw} "
        f"of X̃ that gives y1,1 = {products or '0'} = {tex.plain(first)}; a dashed frame the "
        f"window {columns_en} to the right (columns {s + 1} to {s + fw}) that gives "
        f"y1,2 = {tex.plain(second)}.{also_en}",
        f"{tables_zh}实线框标出 X̃ 的第 1 到 {fh} 行、第 1 到 {fw} 列的窗口，"
        f"得到 y1,1 = {products or '0'} = {tex.plain(first)}；虚线框标出向右移 {s} 列"
        f"（第 {s + 1} 到 {s + fw} 列）的窗口，得到 y1,2 = {tex.plain(second)}。{also_zh}",
    )
    if p:
        shown_en = f"The input padded with {p} ring{'s' if p > 1 else ''} of zeros (hatched)"
        shown_zh = f"补了 {p} 圈 0（斜线阴影）的输入"
    else:
        shown_en, shown_zh = "The input (no padding)", "输入（不填充）"
    if with_map:
        shown_en += ", the kernel $K$ and the feature map $Y$."
        shown_zh += "、卷积核 $K$ 与特征图 $Y$。"
    else:
        shown_en += " and the kernel $K$ (the feature map is too large to show beside them)."
        shown_zh += "与卷积核 $K$（特征图太大，未画出）。"
    caption = text(
        f"{shown_en} The solid frame is the window of $y_{{1,1}} = {tex.num(first)}$: the "
        f"sum of $K$ times the values it covers. The dashed frame, {columns_en} to the right "
        f"(stride {s}), is the window of $y_{{1,2}} = {tex.num(second)}$.",
        f"{shown_zh}实线框是 $y_{{1,1}} = {tex.num(first)}$ 的窗口：$K$ 与它覆盖的值逐个相乘"
        f"再求和。虚线框向右移了 {s} 列（步长 {s}），是 $y_{{1,2}} = {tex.num(second)}$ 的窗口。",
    )
    return Figure(draw, caption, alt, size=size)
