"""k-fold cross-validation by hand: the contiguous folds, each model's mean
validation score and the model it chooses."""

import numpy as np

from tutor import tex
from tutor.answers import Choice, Integer, Misconception, Vector
from tutor.problem import (
    ParameterError,
    Part,
    Solution,
    Step,
    has_distinct_misconceptions,
    integer,
    known_parameters,
    matrix,
    text,
    vector,
)
from tutor.solutions.validation import cross_validation_choice, kfold_indices, kfold_sizes

ID = "cross-validation"
TOPIC = "training"
TITLE = text("Choosing a model by k-fold cross-validation", "用 k 折交叉验证选择模型")
PARAMETERS = {
    "n": text("the number of samples, k ≤ n ≤ 200", "样本数，k ≤ n ≤ 200"),
    "k": text("the number of folds, 2 ≤ k ≤ 10", "折数，2 ≤ k ≤ 10"),
    "metric": text(
        '"error" (validation errors, lower is better) or "accuracy" (higher is better)',
        '"error"（验证误差，越小越好）或 "accuracy"（准确率，越大越好）',
    ),
    "scores": text(
        "each model's validation score on each fold: one row per model (2 to 6 models "
        "named M1, M2, …), one column per fold",
        "各模型在每一折上的验证分数：每行一个模型（2 到 6 个，依次命名为 M1、M2、…），每列一折",
    ),
    "train": text(
        "optional (null for none): each model's mean training score (same metric), one per model",
        "可选（null 表示没有）：各模型的平均训练分数（同一指标），每个模型一个",
    ),
    "sample": text(
        "optional (null for none): the number (1 to n) of a sample whose validation fold is asked",
        "可选（null 表示没有）：一个样本的编号（1 到 n），求它所在的验证折",
    ),
}
OPTIONAL = {"train", "sample"}

METRICS = ("error", "accuracy")
TOLERANCE = {"rtol": 1e-2, "atol": 2e-3}


def _names(m):
    return tuple(f"M{i + 1}" for i in range(m))


def generate(rng, difficulty=2):
    if difficulty <= 1:
        m, k = 2, 3
    else:
        m = 3 if difficulty >= 3 or rng.random() < 0.6 else 2
        k = int(rng.integers(3, 6))
    metric = METRICS[int(rng.random() < 0.4)]
    divisible = rng.random() < 0.4
    q = int(rng.integers(2, 5))
    n = k * q + (0 if divisible else int(rng.integers(1, k)))
    # With three models the two wrong options go to two different traps: the
    # worst mean (choosing in the wrong direction) and one of "the single best
    # fold" or "the best training score"; the other trap points at the right model.
    trap = "best-fold" if m == 2 or rng.random() < 0.5 else "training"
    with_train = trap == "training" or (m == 3 and rng.random() < 0.4)
    while True:
        errors, train = _draw_errors(rng, m, k, with_train)
        if not _has_trap(errors, train, trap):
            continue
        if metric == "accuracy":
            errors = 100 - errors
            train = None if train is None else 100 - train
        params = {"n": n, "k": k, "metric": metric, "scores": (errors / 100).tolist()}
        if train is not None:
            params["train"] = (train / 100).tolist()
        if difficulty >= 2 and rng.random() < 0.6:
            params["sample"] = _pick_sample(rng, n, k)
        params["scores"] = [[round(v, 2) for v in row] for row in params["scores"]]
        if "train" in params:
            params["train"] = [round(v, 2) for v in params["train"]]
        if has_distinct_misconceptions(solve(params)):
            return params


def _draw_errors(rng, m, k, with_train):
    """Errors in hundredths, drawn backwards from each model's mean so that the
    means come out as short decimals: k − 1 folds around the mean, the last
    fold whatever makes the mean exact."""
    while True:
        means = np.sort(rng.choice(np.arange(8, 46, 2), size=m, replace=False))
        rows = []
        for mean in rng.permutation(means):
            spread = int(rng.integers(2, 10))
            first = mean + rng.integers(-spread, spread + 1, size=k - 1)
            last = k * mean - first.sum()
            rows.append(np.append(first, last))
        errors = np.array(rows)
        if errors.min() >= 3 and errors.max() <= 70:
            break
    train = None
    if with_train:
        train = errors.mean(axis=1) - rng.integers(2, 16, size=m) * (1 + (rng.random(m) < 0.3))
        train = np.round(train).astype(int)
        if train.min() < 1:
            train = train - train.min() + 1
    return errors, train


def _has_trap(errors, train, trap):
    """The variant has the intended mistakes, each pointing at its own model.

    Errors (lower is better). The worst mean is always the "wrong direction"
    mistake; the model with the single best fold and the one with the best
    training score are each either the right model or the trap's model."""
    means = errors.mean(axis=1)
    order = np.argsort(means)
    if np.any(np.diff(means[order]) < 1.5):
        return False
    best, worst = int(order[0]), int(order[-1])
    fold_holder = _unique_argmin(errors.ravel())
    if fold_holder is None:
        return False
    fold_holder //= errors.shape[1]
    train_holder = None if train is None else _unique_argmin(train)
    if train is not None and train_holder is None:
        return False
    m = len(means)
    if m == 2:
        return fold_holder == best and train_holder in (None, best)
    middle = int(order[1])
    if trap == "best-fold":
        return fold_holder == middle and train_holder in (None, best)
    return train_holder == middle and fold_holder == best and worst != train_holder


def _unique_argmin(values):
    i = int(np.argmin(values))
    return i if np.sum(values == values[i]) == 1 else None


def _pick_sample(rng, n, k):
    """A sample number; when k does not divide n, mostly one that lands in a
    different fold if the extra samples went to the last folds instead."""
    right, wrong = _fold_numbers(n, kfold_sizes(n, k)), _fold_numbers(n, kfold_sizes(n, k)[::-1])
    moved = [s for s in range(1, n + 1) if right[s - 1] != wrong[s - 1]]
    if moved and rng.random() < 0.75:
        return int(rng.choice(moved))
    return int(rng.integers(1, n + 1))


def _fold_numbers(n, sizes):
    """The fold number (from 1) of samples 1..n when contiguous folds have these sizes."""
    return np.repeat(np.arange(1, len(sizes) + 1), sizes)[:n]


def _values(params):
    known_parameters(params, PARAMETERS)
    k = integer(params, "k", 2, 10)
    n = integer(params, "n", k, 200)
    metric = params.get("metric")
    if metric not in METRICS:
        raise ParameterError("metric", f"expected one of {', '.join(METRICS)}, got {metric!r}")
    scores = matrix(params, "scores", cols=k, max_size=10)
    if not 2 <= scores.shape[0] <= 6:
        raise ParameterError("scores", f"expected 2 to 6 models (rows), got {scores.shape[0]}")
    if metric == "accuracy" and (scores.min() < 0 or scores.max() > 1):
        raise ParameterError("scores", "accuracies must be between 0 and 1")
    if metric == "error" and scores.min() < 0:
        raise ParameterError("scores", "errors must not be negative")
    train = None
    if params.get("train") is not None:
        train = vector(params, "train", size=scores.shape[0])
        if metric == "accuracy" and (train.min() < 0 or train.max() > 1):
            raise ParameterError("train", "accuracies must be between 0 and 1")
        if metric == "error" and train.min() < 0:
            raise ParameterError("train", "errors must not be negative")
    sample = None
    if params.get("sample") is not None:
        sample = integer(params, "sample", 1, n)
    return n, k, metric, scores, train, sample


def _score_table(names, scores, train):
    k = scores.shape[1]
    columns = "c|" + "c" * k + ("|c" if train is not None else "")
    header = " & ".join(f"F_{j + 1}" for j in range(k))
    header += r" & \text{train}" if train is not None else ""
    rows = []
    for i, (name, row) in enumerate(zip(names, scores)):
        cells = " & ".join(tex.num(v) for v in row)
        cells += f" & {tex.num(train[i])}" if train is not None else ""
        rows.append(rf"\text{{{name}}} & {cells}")
    return (
        rf"$$\begin{{array}}{{{columns}}} & {header} \\ \hline "
        + r" \\ ".join(rows)
        + r" \end{array}$$"
    )


def statement(params):
    n, k, metric = int(params["n"]), int(params["k"]), params["metric"]
    scores = np.asarray(params["scores"], dtype=float)
    train = params.get("train")
    train = None if train is None else np.asarray(train, dtype=float)
    names = _names(len(scores))
    listed = ", ".join(names)
    table = _score_table(names, scores, train)
    better_en = "validation error (lower is better)"
    better_zh = "验证误差（越小越好）"
    if metric == "accuracy":
        better_en, better_zh = "validation accuracy (higher is better)", "验证准确率（越大越好）"
    train_en = train_zh = ""
    if train is not None:
        train_en = (
            " The last column gives each model's training "
            f"{'error' if metric == 'error' else 'accuracy'}, averaged over the folds."
        )
        train_zh = (
            f" 最后一列是各模型在各折上平均的训练{'误差' if metric == 'error' else '准确率'}。"
        )
    sample = params.get("sample")
    ask_en = (
        f" In which fold (1 to {k}) is sample $x_{{{sample}}}$ used for validation?"
        if sample is not None
        else ""
    )
    ask_zh = f"样本 $x_{{{sample}}}$ 在第几折（1 到 {k}）中用作验证？" if sample is not None else ""
    return text(
        f"The {n} training samples $x_1, \\dots, x_{{{n}}}$ (in this order, not shuffled) are "
        f"used for {k}-fold cross-validation (the notes' N-fold cross-validation with "
        f"N = {k}): they are cut in order into {k} contiguous folds $F_1, \\dots, F_{{{k}}}$; "
        "when $k$ does not divide $n$, the first $n \\bmod k$ folds get one sample more. Each "
        f"fold is the validation set once, while the other {k - 1} train the model. The "
        f"candidate models {listed} were each run on the {k} settings; the table gives "
        f"their {better_en} on each fold.{train_en}\n{table}\n"
        f"Give the size of each fold (fold 1 first).{ask_en} Compute each model's mean "
        "validation score and say which model cross-validation chooses.",
        f"把 {n} 个训练样本 $x_1, \\dots, x_{{{n}}}$（按此顺序，不打乱）用于 {k} 折交叉验证"
        f"（即笔记中 N = {k} 的 N-fold cross-validation）：按顺序切成 {k} 个连续的折 "
        f"$F_1, \\dots, F_{{{k}}}$；若 $k$ 不能整除 $n$，则前 $n \\bmod k$ 个折各多一个样本。"
        f"每一折轮流作为一次验证集，其余 {k - 1} 折用于训练。候选模型 {listed} 在这 {k} 种"
        f"设置下各跑一次，下表给出它们在每一折上的{better_zh}。{train_zh}\n{table}\n"
        f"写出每一折的大小（从第 1 折开始）。{ask_zh}求每个模型的平均验证分数，并指出交叉验证"
        "选择哪个模型。",
    )


def _chosen_mistakes(names, metric, scores, means, train, chosen):
    """(option, tag, feedback en, feedback zh) of each mistaken choice that
    differs from the right one, the first mistake kept when two give the
    same option."""
    lower = metric == "error"
    pick = np.argmin if lower else np.argmax
    worst = int(np.argmax(means) if lower else np.argmin(means))
    best_cell = int(pick(scores.ravel())) // scores.shape[1]
    word_en = "error" if lower else "accuracy"
    word_zh = "误差" if lower else "准确率"
    candidates = [
        (
            worst,
            "wrong-direction",
            f"{names[worst]} has the {'highest' if lower else 'lowest'} mean validation "
            f"{word_en}: for {word_en}s {'lower' if lower else 'higher'} is better, so choose "
            f"the {'smallest' if lower else 'largest'} mean.",
            f"{names[worst]} 的平均验证{word_zh}{'最大' if lower else '最小'}：{word_zh}"
            f"{'越小' if lower else '越大'}越好，应选平均值{'最小' if lower else '最大'}的模型。",
        ),
        (
            best_cell,
            "best-single-fold",
            f"{names[best_cell]} has the best single fold, but one fold is one split of the "
            "data: cross-validation compares the mean over all folds.",
            f"{names[best_cell]} 在某一折上最好，但一折只是数据的一种划分：交叉验证比较的是"
            "所有折上的平均值。",
        ),
    ]
    if train is not None:
        best_train = int(pick(train))
        candidates.append(
            (
                best_train,
                "training-score",
                f"{names[best_train]} has the best training {word_en}, which rewards "
                "overfitting; choose by the validation scores.",
                f"{names[best_train]} 的训练{word_zh}最好，但这会偏向过拟合的模型；"
                "应按验证分数选择。",
            )
        )
    seen, mistakes = {chosen}, []
    for option, tag, en, zh in candidates:
        if option not in seen:
            seen.add(option)
            mistakes.append(Misconception(tag, names[option], en, zh))
    return tuple(mistakes)


def solve(params):
    n, k, metric, scores, train, sample = _values(params)
    lower = metric == "error"
    names = _names(len(scores))
    sizes = kfold_sizes(n, k)
    folds = kfold_indices(n, k)
    means, chosen = cross_validation_choice(scores, lower_is_better=lower)
    extra = n % k

    size_mistakes = ()
    if extra:
        size_mistakes = (
            Misconception(
                "extra-to-last-folds",
                sizes[::-1].tolist(),
                f"The {extra} leftover sample(s) go to the first folds, not the last ones.",
                f"多出的 {extra} 个样本分给前面的折，而不是最后的折。",
            ),
            Misconception(
                "dropped-remainder",
                [n // k] * k,
                f"The {extra} leftover sample(s) are not dropped: every sample is in exactly "
                "one fold, one each to the first folds.",
                f"多出的 {extra} 个样本不能丢掉：每个样本恰好属于一折，依次分给前面的折。",
            ),
        )
    best_folds = scores.min(axis=1) if lower else scores.max(axis=1)
    parts = [
        Part(
            "fold_sizes",
            text("the size of each fold, fold 1 first", "每一折的大小，从第 1 折开始"),
            Vector(sizes.tolist(), rtol=0.0, atol=1e-9, misconceptions=size_mistakes),
        ),
    ]
    steps = [
        Step(
            text(
                f"{n} = {k} · {n // k} + {extra}: every fold gets {n // k} samples"
                + (
                    " and the first fold gets one more."
                    if extra == 1
                    else f" and the first {extra} folds get one more."
                    if extra
                    else "."
                ),
                f"{n} = {k} · {n // k} + {extra}：每折 {n // k} 个样本"
                + (f"，前 {extra} 折各多一个。" if extra else "。"),
            ),
            rf"\left\lfloor \frac{{{n}}}{{{k}}} \right\rfloor = {n // k}, \quad "
            rf"{n} - {k} \cdot {n // k} = {extra} \;\Rightarrow\; "
            rf"\left(|F_j|\right)_j = {tex.row(sizes)}",
        ),
        Step(
            text(
                "In order, the validation folds hold the samples (the rest of the samples "
                "train the model in that round):",
                "按顺序，各验证折包含的样本为（其余样本在该轮用于训练）：",
            ),
            r", \quad ".join(
                rf"F_{j + 1} = \{{x_{{{v[0] + 1}}}, \dots, x_{{{v[-1] + 1}}}\}}"
                if len(v) > 2
                else rf"F_{j + 1} = \{{" + ", ".join(f"x_{{{i + 1}}}" for i in v) + r"\}"
                for j, (_, v) in enumerate(folds)
            ),
        ),
    ]
    if sample is not None:
        fold = int(_fold_numbers(n, sizes)[sample - 1])
        wrong = int(_fold_numbers(n, sizes[::-1])[sample - 1])
        mistakes = ()
        if wrong != fold:
            mistakes = (
                Misconception(
                    "extra-to-last-folds",
                    wrong,
                    "That is where the sample would be if the last folds got the extra "
                    "samples; the first folds get them.",
                    "这是把多出的样本分给最后几折时的位置；多出的样本应分给前面的折。",
                ),
            )
        parts.append(
            Part(
                "fold_of_sample",
                text(
                    f"the fold in which $x_{{{sample}}}$ is used for validation",
                    f"$x_{{{sample}}}$ 用作验证的折",
                ),
                Integer(fold, misconceptions=mistakes),
            )
        )
        first = int(np.sum(sizes[: fold - 1])) + 1
        last = first + int(sizes[fold - 1]) - 1
        steps.append(
            Step(
                text(
                    f"Sample $x_{{{sample}}}$ lies in the block of samples {first} to {last}:",
                    f"样本 $x_{{{sample}}}$ 落在第 {first} 到第 {last} 个样本这一段：",
                ),
                rf"{first} \le {sample} \le {last} \;\Rightarrow\; x_{{{sample}}} "
                rf"\in F_{{{fold}}}",
            )
        )

    symbol = r"\bar{e}" if lower else r"\bar{a}"
    parts += [
        Part(
            "means",
            text(
                "each model's mean validation score, M1 first",
                "各模型的平均验证分数，从 M1 开始",
            ),
            Vector(
                means,
                **TOLERANCE,
                misconceptions=(
                    Misconception(
                        "sum-not-mean",
                        scores.sum(axis=1),
                        f"You added the fold scores; divide the sum by the number of folds, {k}.",
                        f"你把各折分数相加了；还要除以折数 {k}。",
                    ),
                    Misconception(
                        "best-single-fold",
                        best_folds,
                        "You took each model's best fold; cross-validation averages all "
                        f"{k} folds.",
                        f"你取了每个模型最好的一折；交叉验证要对全部 {k} 折取平均。",
                    ),
                ),
            ),
            points=float(len(means)),
        ),
        Part(
            "chosen",
            text("the model cross-validation chooses", "交叉验证选择的模型"),
            Choice(
                names,
                names[chosen],
                misconceptions=_chosen_mistakes(names, metric, scores, means, train, chosen),
            ),
        ),
    ]
    for i, (name, row, mean) in enumerate(zip(names, scores, means)):
        steps.append(
            Step(
                text(
                    f"Model {name}, averaged over the {k} folds:",
                    f"模型 {name} 在 {k} 折上的平均：",
                ),
                rf"{symbol}_{i + 1} = \frac{{{' + '.join(tex.num(v) for v in row)}}}{{{k}}} "
                rf"= {tex.num(mean)}",
            )
        )
    steps.append(
        Step(
            text("The mean validation scores, M1 first:", "各模型的平均验证分数："),
            rf"\left({symbol}_i\right)_i = {tex.row(means)}",
        )
    )
    best_word = (
        ("lowest mean validation error", "平均验证误差最小")
        if lower
        else ("highest mean validation accuracy", "平均验证准确率最大")
    )
    note_en = note_zh = ""
    if train is not None:
        note_en = " The training scores play no part: they reward fitting the training folds."
        note_zh = " 训练分数不参与选择：它只反映对训练折的拟合程度。"
    operator = r"\min" if lower else r"\max"
    steps.append(
        Step(
            text(
                f"Cross-validation chooses the model with the {best_word[0]}.{note_en}",
                f"交叉验证选择{best_word[1]}的模型。{note_zh}",
            ),
            rf"{operator}_i {symbol}_i = {tex.num(means[chosen])} \;\Rightarrow\; "
            rf"\text{{{names[chosen]}}}",
        )
    )
    return Solution(tuple(parts), tuple(steps))
