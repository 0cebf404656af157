"""Information gain of splitting a data set on one attribute (ID3's criterion)."""

import numpy as np

from tutor import tex
from tutor.answers import Misconception, Number
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
from tutor.solutions.trees import (
    conditional_entropy_from_counts,
    entropy_from_counts,
    information_gain_from_counts,
)

ID = "information-gain"
TOPIC = "classical-models"
TITLE = text("Entropy and information gain", "熵与信息增益")
PARAMETERS = {
    "counts": text(
        "class counts per attribute value: one row per value of A, one column per class",
        "属性 A 每个取值下各类别的样本数：每行对应 A 的一个取值，每列对应一个类别",
    ),
}

TOLERANCE = {"rtol": 1e-2, "atol": 2e-3}


def generate(rng, difficulty=2):
    n_values = 3 if difficulty >= 3 or rng.random() < 0.3 else 2
    n_classes = 3 if difficulty >= 3 and rng.random() < 0.5 else 2
    while True:
        params = {"counts": rng.integers(0, 7, size=(n_values, n_classes)).tolist()}
        if _interesting(np.array(params["counts"])) and has_distinct_misconceptions(solve(params)):
            return params


def _interesting(counts):
    """Rows with samples and different sizes, both classes present, a split
    that gains something but is not perfect, and ln vs log2 distinguishable."""
    sizes = counts.sum(axis=1)
    if np.any(sizes < 2) or len(set(sizes.tolist())) < len(sizes) or sizes.sum() > 24:
        return False
    if np.any(counts.sum(axis=0) == 0):
        return False
    gain = information_gain_from_counts(counts)
    return 0.02 < gain < entropy_from_counts(counts.sum(axis=0)) - 0.02


def _counts(params):
    known_parameters(params, PARAMETERS)
    counts = matrix(params, "counts", max_size=6)
    if np.any(counts < 0) or np.any(counts != np.round(counts)):
        raise ParameterError("counts", "must be non-negative whole numbers")
    if np.any(counts.sum(axis=1) == 0):
        raise ParameterError("counts", "every attribute value needs at least one sample")
    if counts.shape[1] < 2:
        raise ParameterError("counts", "need at least two classes (columns)")
    return counts.astype(int)


def statement(params):
    counts = np.asarray(params["counts"], dtype=int)
    n_values, n_classes = counts.shape
    header = " & ".join(f"C_{k + 1}" for k in range(n_classes))
    rows = r" \\ ".join(
        f"a_{i + 1} & " + " & ".join(str(c) for c in row) for i, row in enumerate(counts)
    )
    table = (
        rf"$$\begin{{array}}{{c|{'c' * n_classes}}} A & {header} \\ \hline {rows} \end{{array}}$$"
    )
    total = int(counts.sum())
    return text(
        f"A data set $D$ of {total} samples has {n_classes} classes. Attribute $A$ takes "
        f"{n_values} values; the table counts the samples of each class for each value.\n"
        f"{table}\nCompute the entropy $H(D)$, the conditional entropy $H(D \\mid A)$ and the "
        "information gain of splitting on $A$. Use logarithms base 2.",
        f"数据集 $D$ 共 {total} 个样本，分为 {n_classes} 类。属性 $A$ 有 {n_values} 个取值，"
        f"下表给出每个取值下各类别的样本数。\n{table}\n"
        "求熵 $H(D)$、条件熵 $H(D \\mid A)$ 以及按 $A$ 划分的信息增益。对数以 2 为底。",
    )


def _entropy_terms(row):
    """−Σ p log₂ p written out with the counts, zero counts left out."""
    total = int(sum(row))
    terms = [rf"\frac{{{c}}}{{{total}}}\log_2\frac{{{c}}}{{{total}}}" for c in row if c > 0]
    return "-" + " - ".join(terms)


def solve(params):
    counts = _counts(params)
    classes = counts.sum(axis=0)
    sizes = counts.sum(axis=1)
    total = int(counts.sum())
    h_d = entropy_from_counts(classes)
    h_rows = [entropy_from_counts(row) for row in counts]
    h_cond = conditional_entropy_from_counts(counts)
    gain = information_gain_from_counts(counts)

    ln = np.log(2.0)  # an entropy in bits times ln 2 is the same entropy in nats
    unweighted = float(np.mean(h_rows))
    parts = (
        Part(
            "entropy",
            text("entropy $H(D)$", "熵 $H(D)$"),
            Number(
                h_d,
                **TOLERANCE,
                misconceptions=(
                    Misconception(
                        "natural-log",
                        h_d * ln,
                        "You used the natural logarithm; entropy here is in bits (log base 2).",
                        "你用了自然对数；这里的熵以比特为单位（以 2 为底的对数）。",
                    ),
                    Misconception(
                        "missing-minus",
                        -h_d,
                        "Entropy is −Σ p log p: the minus sign makes it non-negative.",
                        "熵是 −Σ p log p：前面的负号使它非负。",
                    ),
                ),
            ),
        ),
        Part(
            "conditional_entropy",
            text("conditional entropy $H(D \\mid A)$", "条件熵 $H(D \\mid A)$"),
            Number(
                h_cond,
                **TOLERANCE,
                misconceptions=(
                    Misconception(
                        "unweighted-average",
                        unweighted,
                        "You averaged the subsets' entropies equally; weight each by its share "
                        "|Dᵢ|/|D| of the samples.",
                        "你对各子集的熵取了简单平均；应按样本占比 |Dᵢ|/|D| 加权。",
                    ),
                    Misconception(
                        "natural-log",
                        h_cond * ln,
                        "You used the natural logarithm; use log base 2.",
                        "你用了自然对数；应以 2 为底。",
                    ),
                ),
            ),
        ),
        Part(
            "information_gain",
            text("information gain $IG(D \\mid A)$", "信息增益 $IG(D \\mid A)$"),
            Number(
                gain,
                **TOLERANCE,
                misconceptions=(
                    Misconception(
                        "gave-conditional-entropy",
                        h_cond,
                        "That is H(D|A); the gain is H(D) − H(D|A).",
                        "这是 H(D|A)；信息增益是 H(D) − H(D|A)。",
                    ),
                    Misconception(
                        "unweighted-average",
                        h_d - unweighted,
                        "Your H(D|A) averaged the subsets equally; weight each by |Dᵢ|/|D|.",
                        "你的 H(D|A) 对子集取了简单平均；应按 |Dᵢ|/|D| 加权。",
                    ),
                    Misconception(
                        "natural-log",
                        gain * ln,
                        "You used the natural logarithm; use log base 2.",
                        "你用了自然对数；应以 2 为底。",
                    ),
                ),
            ),
        ),
    )

    class_counts = ", ".join(str(c) for c in classes)
    steps = [
        Step(
            text(
                f"Count the classes over all {total} samples: {class_counts}. "
                "The entropy of D (a term with count 0 contributes 0, since 0·log 0 = 0):",
                f"统计全部 {total} 个样本的类别：{class_counts}。D 的熵"
                "（样本数为 0 的项记为 0，因为 0·log 0 = 0）：",
            ),
            rf"H(D) = -\sum_k p_k \log_2 p_k = {_entropy_terms(classes)} = {tex.num(h_d)}",
        )
    ]
    for i, (row, h) in enumerate(zip(counts, h_rows)):
        steps.append(
            Step(
                text(
                    f"Subset $D_{i + 1}$ (A = $a_{i + 1}$) has {sizes[i]} samples:",
                    f"子集 $D_{i + 1}$（A = $a_{i + 1}$）有 {sizes[i]} 个样本：",
                ),
                rf"H(D_{i + 1}) = {_entropy_terms(row)} = {tex.num(h)}",
            )
        )
    weighted = " + ".join(
        rf"\frac{{{s}}}{{{total}}} \cdot {tex.num(h)}" for s, h in zip(sizes, h_rows)
    )
    steps += [
        Step(
            text(
                "Weight each subset's entropy by its share of the samples:",
                "按各子集的样本占比对其熵加权求和：",
            ),
            rf"H(D \mid A) = \sum_i \frac{{|D_i|}}{{|D|}} H(D_i) = {weighted} = {tex.num(h_cond)}",
        ),
        Step(
            text("The information gain is the drop in entropy:", "信息增益是熵的减少量："),
            rf"IG(D \mid A) = H(D) - H(D \mid A) = {tex.num(h_d)} - {tex.num(h_cond)} "
            rf"= {tex.num(gain)}",
        ),
    ]
    return Solution(parts, tuple(steps))
