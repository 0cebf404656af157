"""Gini impurity of a split (CART's criterion), and which attribute the Gini
gain and the information gain choose when two attributes compete."""

import numpy as np

from tutor import tex
from tutor.answers import Choice, Misconception, Number, Vector
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
    gini_from_counts,
    gini_gain_from_counts,
    gini_split_from_counts,
    information_gain_from_counts,
)

ID = "gini-split"
TOPIC = "classical-models"
TITLE = text(
    "Gini impurity of a split, against information gain", "划分的基尼不纯度与信息增益的比较"
)
PARAMETERS = {
    "counts": text(
        "class counts per value of attribute A: one row per value (2 or more), one column "
        "per class (2 or more)",
        "属性 A 每个取值下各类别的样本数：每行对应 A 的一个取值（至少 2 个），每列对应一个类别"
        "（至少 2 个）",
    ),
    "counts_b": text(
        "optional (null for none): the same data set split on a second attribute B "
        "(same classes, same class totals); then say which attribute each criterion chooses",
        "可选（null 表示没有）：同一数据集按第二个属性 B 划分的计数（类别相同、各类总数相同）；"
        "此时需判断两种准则各选哪个属性",
    ),
}
OPTIONAL = {"counts_b"}

TOLERANCE = {"rtol": 1e-2, "atol": 2e-3}
# Gains closer than this are too close to rank by hand with 4-digit rounding.
MARGIN = 0.01


def generate(rng, difficulty=2):
    two = difficulty >= 3 or (difficulty == 2 and rng.random() < 0.5)
    if difficulty <= 1:
        n_classes = 2
    elif difficulty == 2:
        n_classes = 3 if not two and rng.random() < 0.3 else 2
    else:
        n_classes = 3 if rng.random() < 0.5 else 2
    # Draw both cases on purpose: the criteria disagree rarely (about 1 in
    # 100 random pairs of tables), so a batch of candidate tables for B is
    # screened at once and the disagreeing ones are searched for.
    disagree = two and rng.random() < 0.5
    while True:
        totals = rng.integers(3, 9, size=n_classes)
        a = _split(rng, totals, _n_values(rng, difficulty), 1)[0]
        if not _usable(a) or len(set(a.sum(axis=1).tolist())) < len(a):
            continue
        params = {"counts": a.tolist()}
        if not has_distinct_misconceptions(solve(params)):
            continue
        if not two:
            return params
        # B only adds the two choices, whose single mistake each is the
        # other letter: A's parts decide whether the variant is sound.
        for b in _competitors(rng, a, _n_values(rng, difficulty), disagree):
            return {**params, "counts_b": b.tolist()}


def _competitors(rng, a, n_values, disagree, batch=256):
    """Tables for B over the same class totals as A whose choice agrees (or
    disagrees) with A's under both criteria, each gain clear of the other's."""
    candidates = _split(rng, a.sum(axis=0), n_values, batch)
    sizes = candidates.sum(axis=2)
    p = candidates / np.maximum(sizes, 1)[..., None]
    total = a.sum()
    gini = np.sum(sizes / total * (1 - np.sum(p**2, axis=2)), axis=1)
    logs = np.log2(np.where(p > 0, p, 1))
    entropy = np.sum(sizes / total * -np.sum(p * logs, axis=2), axis=1)
    parent = gini_from_counts(a.sum(axis=0))
    gain_b = parent - gini
    ig_b = entropy_from_counts(a.sum(axis=0)) - entropy
    gain_a, ig_a = gini_gain_from_counts(a), information_gain_from_counts(a)
    keep = (
        np.all(sizes >= 2, axis=1)
        & (gain_b > 0.02)
        & (gain_b < parent - 0.02)
        & (np.abs(gain_b - gain_a) >= MARGIN + 1e-9)
        & (np.abs(ig_b - ig_a) >= MARGIN + 1e-9)
        & (((gain_a > gain_b) != (ig_a > ig_b)) == disagree)
    )
    rows_a = sorted(map(tuple, a.tolist()))
    for b in candidates[keep]:
        if sorted(map(tuple, b.tolist())) != rows_a and _clear(a, b, disagree):
            yield b


def _clear(a, b, disagree):
    """The screen above, confirmed with the reference functions."""
    gain_a, gain_b = gini_gain_from_counts(a), gini_gain_from_counts(b)
    ig_a, ig_b = information_gain_from_counts(a), information_gain_from_counts(b)
    return (
        _usable(b)
        and abs(gain_a - gain_b) >= MARGIN
        and abs(ig_a - ig_b) >= MARGIN
        and ((gain_a > gain_b) != (ig_a > ig_b)) == disagree
    )


def _n_values(rng, difficulty):
    if difficulty <= 1:
        return 2
    return 3 if rng.random() < (0.5 if difficulty >= 3 else 0.3) else 2


def _split(rng, totals, n_values, count):
    """``count`` tables whose column sums are ``totals``: each class's samples
    cut into ``n_values`` runs at random points. Shape (count, n_values, K)."""
    tables = np.zeros((count, n_values, len(totals)), dtype=int)
    for k, n in enumerate(totals):
        cuts = np.sort(rng.integers(0, n + 1, size=(count, n_values - 1)), axis=1)
        edges = np.concatenate(
            [np.zeros((count, 1), dtype=int), cuts, np.full((count, 1), n)], axis=1
        )
        tables[:, :, k] = np.diff(edges, axis=1)
    return tables


def _usable(table):
    """At least 2 samples per value, and a split that gains something without
    being perfect (every child pure would make the exercise trivial)."""
    if np.any(table.sum(axis=1) < 2):
        return False
    gain = gini_gain_from_counts(table)
    return 0.02 < gain < gini_from_counts(table.sum(axis=0)) - 0.02


def _table(params, name):
    counts = matrix(params, name, max_size=6)
    if np.any(counts < 0) or np.any(counts != np.round(counts)):
        raise ParameterError(name, "must be non-negative whole numbers")
    if np.any(counts.sum(axis=1) == 0):
        raise ParameterError(name, "every attribute value needs at least one sample")
    if counts.shape[1] < 2:
        raise ParameterError(name, "need at least two classes (columns)")
    if counts.shape[0] < 2:
        raise ParameterError(name, "need at least two attribute values (rows) to split")
    return counts.astype(int)


def _tables(params):
    known_parameters(params, PARAMETERS)
    a = _table(params, "counts")
    if params.get("counts_b") is None:
        return a, None
    b = _table(params, "counts_b")
    if b.shape[1] != a.shape[1]:
        raise ParameterError("counts_b", f"expected {a.shape[1]} classes (columns) as for A")
    if not np.array_equal(a.sum(axis=0), b.sum(axis=0)):
        raise ParameterError(
            "counts_b",
            "the class totals must match those of A "
            f"({', '.join(map(str, a.sum(axis=0)))}): both split the same data set",
        )
    return a, b


def _array(table, attribute):
    n_classes = table.shape[1]
    header = " & ".join(f"C_{k + 1}" for k in range(n_classes))
    rows = r" \\ ".join(
        f"{attribute.lower()}_{i + 1} & " + " & ".join(str(c) for c in row)
        for i, row in enumerate(table)
    )
    return (
        rf"$$\begin{{array}}{{c|{'c' * n_classes}}} {attribute} & {header} \\ \hline "
        rf"{rows} \end{{array}}$$"
    )


def statement(params):
    a = np.asarray(params["counts"], dtype=int)
    b = params.get("counts_b")
    total, n_classes = int(a.sum()), a.shape[1]
    gini = r"$\mathrm{Gini}(D) = 1 - \sum_k p_k^2$"
    asked_en = (
        f"Compute the Gini impurity {gini} of $D$, the Gini impurity of each subset $D_i$ "
        "(the samples with $A = a_i$), the weighted Gini impurity of the split on $A$ and its "
        "Gini gain (the drop from $\\mathrm{Gini}(D)$)."
    )
    asked_zh = (
        f"求 $D$ 的基尼不纯度 {gini}、每个子集 $D_i$（$A = a_i$ 的样本）的基尼不纯度、按 $A$ "
        "划分后的加权基尼不纯度，以及基尼增益（相对 $\\mathrm{Gini}(D)$ 的下降量）。"
    )
    if b is None:
        return text(
            f"A data set $D$ of {total} samples has {n_classes} classes. Attribute $A$ takes "
            f"{len(a)} values; the table counts the samples of each class for each value.\n"
            f"{_array(a, 'A')}\n{asked_en}",
            f"数据集 $D$ 共 {total} 个样本，分为 {n_classes} 类。属性 $A$ 有 {len(a)} 个取值，"
            f"下表给出每个取值下各类别的样本数。\n{_array(a, 'A')}\n{asked_zh}",
        )
    b = np.asarray(b, dtype=int)
    return text(
        f"A data set $D$ of {total} samples has {n_classes} classes. Two attributes could "
        "split it: $A$ and $B$. The tables count the samples of each class for each value.\n"
        f"{_array(a, 'A')}\n{_array(b, 'B')}\n{asked_en} Do the same for $B$, then say which "
        "attribute the Gini criterion chooses (the larger Gini gain) and which one the "
        "information gain chooses (entropy with logarithms base 2).",
        f"数据集 $D$ 共 {total} 个样本，分为 {n_classes} 类。可以用两个属性 $A$ 或 $B$ 划分它，"
        f"下面两张表给出每个取值下各类别的样本数。\n{_array(a, 'A')}\n{_array(b, 'B')}\n"
        f"{asked_zh}对 $B$ 做同样的计算，然后判断基尼准则（基尼增益较大者）选哪个属性，"
        "信息增益（熵以 2 为底）又选哪个属性。",
    )


def _gini_terms(row):
    """1 − Σ (n_k/n)² written out with the counts."""
    n = int(sum(row))
    return "1 - " + " - ".join(rf"\left(\frac{{{int(c)}}}{{{n}}}\right)^2" for c in row)


def _weighted_terms(sizes, values):
    total = int(sum(sizes))
    return " + ".join(
        rf"\frac{{{int(s)}}}{{{total}}} \cdot {tex.num(v)}" for s, v in zip(sizes, values)
    )


def _entropy_terms(row):
    n = int(sum(row))
    terms = [rf"\frac{{{c}}}{{{n}}}\log_2\frac{{{c}}}{{{n}}}" for c in row if c > 0]
    return "-" + " - ".join(terms)


def _without_right(right, mistakes, close):
    """The mistakes whose value differs from the right one: a mistake that
    gives the right value here cannot be told from the right method."""
    return tuple(m for m in mistakes if not close(m.value_or_expr, right))


def _choice_feedback(letter, other, criterion, agree, values):
    """Feedback for choosing ``other`` when ``letter`` is right, by criterion."""
    shown = ", ".join(f"{name} = {tex.plain(v)}" for name, v in values)
    if criterion == "gini":
        if agree:
            return (
                "higher-impurity",
                f"You chose the split with the larger weighted Gini impurity; the better split "
                f"leaves the children purer, i.e. has the larger Gini gain ({shown}): {letter}.",
                f"你选了加权基尼不纯度较大的划分；更好的划分使子集更纯，即基尼增益更大（{shown}）："
                f"应选 {letter}。",
            )
        return (
            "entropy-for-gini",
            f"{other} is what information gain prefers; by Gini gain ({shown}) the choice is "
            f"{letter}: the two criteria disagree here.",
            f"{other} 是信息增益偏好的属性；按基尼增益（{shown}）应选 {letter}：这里两种准则的"
            "结论不同。",
        )
    if agree:
        return (
            "lower-gain",
            f"You chose the attribute with the smaller information gain; ID3 takes the larger "
            f"({shown}): {letter}.",
            f"你选了信息增益较小的属性；ID3 选信息增益较大者（{shown}）：应选 {letter}。",
        )
    return (
        "gini-for-ig",
        f"{other} is what the Gini gain prefers; by information gain ({shown}) the choice is "
        f"{letter}: the two criteria disagree here.",
        f"{other} 是基尼增益偏好的属性；按信息增益（{shown}）应选 {letter}："
        "这里两种准则的结论不同。",
    )


def _attribute_facts(table):
    sizes = table.sum(axis=1)
    children = np.array([gini_from_counts(row) for row in table])
    return sizes, children, gini_split_from_counts(table), gini_gain_from_counts(table)


def solve(params):
    a, b = _tables(params)
    classes = a.sum(axis=0)
    n_values, n_classes = a.shape
    parent = gini_from_counts(classes)
    sizes, children, split, gain = _attribute_facts(a)

    entropy_parent = entropy_from_counts(classes)
    entropy_children = np.array([entropy_from_counts(row) for row in a])
    conditional = conditional_entropy_from_counts(a)
    squares_parent = 1.0 - parent
    squares_children = 1.0 - children
    unweighted = float(np.mean(children))
    by_classes = float(np.sum(children) / n_classes)

    def number(value, mistakes):
        answer = Number(value, **TOLERANCE)
        return Number(
            value, **TOLERANCE, misconceptions=_without_right(value, mistakes, answer.close)
        )

    def vector(value, mistakes):
        answer = Vector(value, **TOLERANCE)
        return Vector(
            value, **TOLERANCE, misconceptions=_without_right(value, mistakes, answer.close)
        )

    sum_p = (
        "one-minus-sum-p",
        "You used 1 − Σp, which is always 0; the Gini impurity squares the shares: 1 − Σp².",
        "你用了 1 − Σp，它恒为 0；基尼不纯度要对比例取平方：1 − Σp²。",
    )
    squares = (
        "forgot-one-minus",
        "That is Σp², the chance that two random samples share a class; the Gini impurity "
        "is 1 − Σp².",
        "这是 Σp²，即随机抽两个样本类别相同的概率；基尼不纯度是 1 − Σp²。",
    )
    entropy_used = (
        "entropy-for-gini",
        "That is the entropy −Σ p log₂ p; the Gini impurity is 1 − Σp².",
        "这是熵 −Σ p log₂ p；基尼不纯度是 1 − Σp²。",
    )
    equal_weights = (
        "unweighted-mean",
        "You averaged the children equally; weight each child's Gini by its share |Dᵢ|/|D| "
        "of the samples.",
        "你对各子集取了简单平均；应按样本占比 |Dᵢ|/|D| 对各子集的基尼不纯度加权。",
    )
    class_weights = (
        "weights-by-classes",
        f"You divided the sum of the children's Gini by the number of classes ({n_classes}); "
        "each child is weighted by its share |Dᵢ|/|D| of the samples.",
        f"你把各子集基尼不纯度之和除以了类别数（{n_classes}）；每个子集应按其样本占比 "
        "|Dᵢ|/|D| 加权。",
    )

    def mistake(kind, value):
        tag, en, zh = kind
        return Misconception(tag, value, en, zh)

    parts = [
        Part(
            "gini_parent",
            text(r"$\mathrm{Gini}(D)$", r"$\mathrm{Gini}(D)$"),
            number(
                parent,
                (
                    mistake(sum_p, 0.0),
                    mistake(squares, squares_parent),
                    mistake(entropy_used, entropy_parent),
                ),
            ),
        ),
        Part(
            "gini_children",
            text(
                r"$\mathrm{Gini}(D_i)$ of each subset, $a_1$ first",
                r"各子集的 $\mathrm{Gini}(D_i)$，从 $a_1$ 开始",
            ),
            vector(
                children,
                (
                    mistake(sum_p, np.zeros(n_values)),
                    mistake(squares, squares_children),
                    mistake(entropy_used, entropy_children),
                ),
            ),
            points=float(n_values),
        ),
        Part(
            "gini_split",
            text(
                r"weighted Gini impurity $\mathrm{Gini}(D, A)$ of the split",
                r"划分后的加权基尼不纯度 $\mathrm{Gini}(D, A)$",
            ),
            number(
                split,
                (
                    mistake(equal_weights, unweighted),
                    *((mistake(class_weights, by_classes),) if n_classes != n_values else ()),
                    mistake(entropy_used, conditional),
                    mistake(sum_p, 0.0),
                ),
            ),
        ),
        Part(
            "gini_gain",
            text(
                r"Gini gain $\mathrm{Gini}(D) - \mathrm{Gini}(D, A)$",
                r"基尼增益 $\mathrm{Gini}(D) - \mathrm{Gini}(D, A)$",
            ),
            number(
                gain,
                (
                    mistake(equal_weights, parent - unweighted),
                    *(
                        (mistake(class_weights, parent - by_classes),)
                        if n_classes != n_values
                        else ()
                    ),
                    Misconception(
                        "entropy-for-gini",
                        entropy_parent - conditional,
                        "That is the information gain (with entropy); the Gini gain uses "
                        "1 − Σp² for the parent and for the children.",
                        "这是（用熵算的）信息增益；基尼增益对父节点和子集都用 1 − Σp²。",
                    ),
                    Misconception(
                        "gave-weighted-gini",
                        split,
                        "That is the weighted Gini of the children; the gain is Gini(D) minus it.",
                        "这是各子集的加权基尼不纯度；增益是 Gini(D) 减去它。",
                    ),
                ),
            ),
        ),
    ]

    class_counts = ", ".join(str(c) for c in classes)
    total = int(classes.sum())
    steps = [
        Step(
            text(
                f"The class counts over all {total} samples are {class_counts}. The Gini "
                "impurity of D:",
                f"全部 {total} 个样本的类别计数为 {class_counts}。D 的基尼不纯度：",
            ),
            rf"\mathrm{{Gini}}(D) = 1 - \sum_k p_k^2 = {_gini_terms(classes)} = {tex.num(parent)}",
        )
    ]
    for i, (row, g) in enumerate(zip(a, children)):
        steps.append(
            Step(
                text(
                    f"Subset $D_{i + 1}$ ($A = a_{i + 1}$) has {sizes[i]} samples:",
                    f"子集 $D_{i + 1}$（$A = a_{i + 1}$）有 {sizes[i]} 个样本：",
                ),
                rf"\mathrm{{Gini}}(D_{i + 1}) = {_gini_terms(row)} = {tex.num(g)}",
            )
        )
    steps += [
        Step(
            text("The children's Gini impurities, $a_1$ first:", "各子集的基尼不纯度："),
            rf"\left(\mathrm{{Gini}}(D_i)\right)_i = {tex.row(children)}",
        ),
        Step(
            text(
                "Weight each child by its share of the samples:",
                "按各子集的样本占比加权：",
            ),
            rf"\mathrm{{Gini}}(D, A) = \sum_i \frac{{|D_i|}}{{|D|}} \mathrm{{Gini}}(D_i) = "
            rf"{_weighted_terms(sizes, children)} = {tex.num(split)}",
        ),
        Step(
            text("The Gini gain is the drop in impurity:", "基尼增益是不纯度的下降量："),
            rf"\Delta\mathrm{{Gini}}(A) = \mathrm{{Gini}}(D) - \mathrm{{Gini}}(D, A) = "
            rf"{tex.num(parent)} - {tex.num(split)} = {tex.num(gain)}",
        ),
    ]

    if b is not None:
        parts, steps = _compare(a, b, parent, gain, parts, steps)
    return Solution(tuple(parts), tuple(steps))


def _compare(a, b, parent, gain_a, parts, steps):
    """The choice parts and steps when attribute B competes with A."""
    sizes_b, children_b, split_b, gain_b = _attribute_facts(b)
    classes = a.sum(axis=0)
    entropy_parent = entropy_from_counts(classes)
    ig_a, ig_b = information_gain_from_counts(a), information_gain_from_counts(b)
    choice_gini = "A" if gain_a > gain_b else "B"
    choice_ig = "A" if ig_a > ig_b else "B"
    agree = choice_gini == choice_ig
    other = {"A": "B", "B": "A"}

    def choice(correct, criterion, values):
        tag, en, zh = _choice_feedback(correct, other[correct], criterion, agree, values)
        wrong = Misconception(tag, other[correct], en, zh)
        return Choice(("A", "B"), correct, misconceptions=(wrong,))

    gini_values = (("ΔGini(A)", gain_a), ("ΔGini(B)", gain_b))
    ig_values = (("IG(A)", ig_a), ("IG(B)", ig_b))
    parts = parts + [
        Part(
            "choice_gini",
            text(
                "the attribute the Gini criterion chooses (A or B)",
                "基尼准则选择的属性（A 或 B）",
            ),
            choice(choice_gini, "gini", gini_values),
        ),
        Part(
            "choice_ig",
            text(
                "the attribute information gain chooses (A or B)",
                "信息增益选择的属性（A 或 B）",
            ),
            choice(choice_ig, "ig", ig_values),
        ),
    ]

    new_steps = [
        Step(
            text(
                f"Attribute $B$, subset $D_{i + 1}^B$ ($B = b_{i + 1}$) has {sizes_b[i]} samples:",
                f"属性 $B$ 的子集 $D_{i + 1}^B$（$B = b_{i + 1}$）有 {sizes_b[i]} 个样本：",
            ),
            rf"\mathrm{{Gini}}(D_{i + 1}^B) = {_gini_terms(row)} = {tex.num(g)}",
        )
        for i, (row, g) in enumerate(zip(b, children_b))
    ]
    relation = ">" if gain_a > gain_b else "<"
    steps = (
        steps
        + new_steps
        + [
            Step(
                text("The weighted Gini of $B$ and its gain:", "$B$ 的加权基尼不纯度及其增益："),
                rf"\mathrm{{Gini}}(D, B) = {_weighted_terms(sizes_b, children_b)} = "
                rf"{tex.num(split_b)}, \quad \Delta\mathrm{{Gini}}(B) = {tex.num(parent)} - "
                rf"{tex.num(split_b)} = {tex.num(gain_b)}",
            ),
            Step(
                text(
                    "The Gini criterion takes the larger gain (the purer children):",
                    "基尼准则选增益较大（子集更纯）的属性：",
                ),
                rf"\Delta\mathrm{{Gini}}(A) = {tex.num(gain_a)} {relation} "
                rf"\Delta\mathrm{{Gini}}(B) = {tex.num(gain_b)} \;\Rightarrow\; {choice_gini}",
            ),
            Step(
                text(
                    "For information gain, the entropy of D (log base 2):",
                    "计算信息增益，先求 D 的熵（以 2 为底）：",
                ),
                rf"H(D) = {_entropy_terms(classes)} = {tex.num(entropy_parent)}",
            ),
        ]
    )
    for name, table, ig in (("A", a, ig_a), ("B", b, ig_b)):
        sizes = table.sum(axis=1)
        entropies = [entropy_from_counts(row) for row in table]
        conditional = conditional_entropy_from_counts(table)
        steps.append(
            Step(
                text(
                    f"Attribute ${name}$: the entropy of each subset, weighted by its share:",
                    f"属性 ${name}$：各子集的熵按样本占比加权：",
                ),
                rf"H(D \mid {name}) = {_weighted_terms(sizes, entropies)} = "
                rf"{tex.num(conditional)}, \quad IG({name}) = {tex.num(entropy_parent)} - "
                rf"{tex.num(conditional)} = {tex.num(ig)}",
            )
        )
    relation = ">" if ig_a > ig_b else "<"
    verdict_en = "agree" if agree else "disagree"
    verdict_zh = "一致" if agree else "不一致"
    steps.append(
        Step(
            text(
                f"Information gain takes the larger IG; here the two criteria {verdict_en}:",
                f"信息增益选 IG 较大的属性；这里两种准则的结论{verdict_zh}：",
            ),
            rf"IG(A) = {tex.num(ig_a)} {relation} IG(B) = {tex.num(ig_b)} \;\Rightarrow\; "
            rf"{choice_ig}",
        )
    )
    steps.append(
        Step(
            text("The two choices:", "两种准则的选择："),
            rf"\text{{Gini: }} \text{{{choice_gini}}}, \qquad "
            rf"\text{{information gain: }} \text{{{choice_ig}}}",
        )
    )
    return parts, steps
