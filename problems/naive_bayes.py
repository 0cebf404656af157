"""Naive Bayes on a small categorical table, with Laplace smoothing."""

import re

import numpy as np

from tutor import tex
from tutor.answers import Choice, Matrix, Misconception, Vector
from tutor.problem import (
    ParameterError,
    Part,
    Solution,
    Step,
    distinct_misconceptions,
    has_distinct_misconceptions,
    known_parameters,
    text,
)
from tutor.solutions.bayes import (
    naive_bayes_likelihoods,
    naive_bayes_posterior,
    naive_bayes_predict,
    naive_bayes_priors,
    naive_bayes_scores,
)

ID = "naive-bayes"
TOPIC = "classical-models"
TITLE = text("Naive Bayes with Laplace smoothing", "朴素贝叶斯分类与拉普拉斯平滑")
PARAMETERS = {
    "features": text(
        "the names of the d features (1 to 4 distinct names)",
        "d 个特征的名称（1 到 4 个互不相同的名称）",
    ),
    "X": text(
        "the training table: N rows (2 to 20) of d feature values (words or whole numbers)",
        "训练数据表：N 行（2 到 20），每行 d 个特征取值（单词或整数）",
    ),
    "y": text(
        "the class of each row (2 or 3 classes)",
        "每行样本的类别（2 或 3 个类别）",
    ),
    "x": text(
        "the query: one value per feature, each occurring in its column of X",
        "待分类样本：每个特征一个取值，且须在 X 的对应列中出现过",
    ),
}

TOLERANCE = {"rtol": 1e-2, "atol": 2e-3}
TOKEN = re.compile(r"[^\W_](?:[\w .+-]{0,18}[^\W_])?")

# Settings of the exercise: feature → its values, and the two class names.
THEMES = (
    (
        {
            "Outlook": ("sunny", "overcast", "rain"),
            "Temperature": ("hot", "mild", "cool"),
            "Humidity": ("high", "normal"),
            "Wind": ("weak", "strong"),
        },
        ("yes", "no"),
    ),
    (
        {
            "Link": ("yes", "no"),
            "Sender": ("known", "unknown"),
            "Length": ("short", "medium", "long"),
            "Attachment": ("yes", "no"),
        },
        ("spam", "ham"),
    ),
    (
        {
            "Age": ("young", "middle", "senior"),
            "Income": ("low", "medium", "high"),
            "Student": ("yes", "no"),
            "Credit": ("fair", "excellent"),
        },
        ("buys", "skips"),
    ),
)


def _choice(rng, options):
    """One of ``options`` as a plain Python value (rng.choice returns numpy types)."""
    return options[int(rng.integers(len(options)))]


def generate(rng, difficulty=2):
    values, classes = THEMES[int(rng.integers(len(THEMES)))]
    if difficulty <= 1:
        d, sizes = 2, (6, 7, 8)
    elif difficulty == 2:
        d, sizes = _choice(rng, (2, 3)), (7, 8, 9)
    else:
        d, sizes = 3, (8, 9, 10)
    # Whether the decision itself turns on smoothing (the winner has a zero
    # count, so that without smoothing the other class wins) or on the prior
    # (the likelihoods alone favour the other class): chosen once, before
    # the redraws, so that the rarer structures keep their share.
    weights = (0.2, 0.1, 0.7) if difficulty <= 1 else (0.35, 0.2, 0.45)
    case = ("smoothing", "prior", "any")[int(rng.choice(3, p=weights))]
    names = list(values)
    while True:
        chosen = sorted(rng.choice(len(names), size=d, replace=False).tolist())
        features = [names[j] for j in chosen]
        if difficulty <= 1 and sum(len(values[f]) > 2 for f in features) > 1:
            continue  # the easiest tables keep at most one three-valued feature
        params = _draw(rng, features, values, classes, _choice(rng, sizes), case)
        if _interesting(params, case) and has_distinct_misconceptions(solve(params)):
            return params


def _draw(rng, features, values, classes, n, case):
    """A table drawn backwards from the query: each class matches the query's
    value of each feature with its own probability, set by the case."""
    d = len(features)
    x = [_choice(rng, values[f]) for f in features]
    winner, loser = (classes[0], classes[1]) if rng.random() < 0.5 else (classes[1], classes[0])
    if case == "any":
        n_winner = int(rng.integers(2, n - 1))
        match = {winner: [0.4] * d, loser: [0.4] * d}
    elif case == "smoothing":
        # The winner never shows one of the query's values, yet wins on the others.
        n_winner = int(rng.integers((n + 1) // 2, n - 1))
        match = {winner: [0.75] * d, loser: [0.3] * d}
        match[winner][int(rng.integers(d))] = 0.0
    else:
        # A larger class that matches the query less well than the smaller one.
        n_winner = int(rng.integers((n + 3) // 2, n - 1))
        match = {winner: [0.35] * d, loser: [0.7] * d}
    y = [winner] * n_winner + [loser] * (n - n_winner)
    y = [y[i] for i in rng.permutation(n)]
    X = []
    for label in y:
        row = []
        for j, f in enumerate(features):
            others = [v for v in values[f] if v != x[j]]
            row.append(x[j] if rng.random() < match[label][j] else _choice(rng, others))
        X.append(row)
    return {"features": list(features), "X": X, "y": y, "x": x}


def _interesting(params, case="any"):
    """At least two samples per class; every query value present in the
    table but with a zero count in some class (smoothing matters), one class
    free of zero counts (so that the unsmoothed posterior exists); a clear
    winner; and the decision turning on smoothing or on the prior when the
    case asks for it."""
    X, y, x = params["X"], params["y"], params["x"]
    classes = sorted(set(y))
    if len(classes) != 2:
        return False
    sizes = np.array([y.count(c) for c in classes], dtype=float)
    if sizes.min() < 2:
        return False
    columns = [{row[j] for row in X} for j in range(len(x))]
    if any(value not in column for value, column in zip(x, columns)):
        return False
    counts = _counts(X, y, x, classes)
    if counts.min() > 0 or counts.min(axis=1).max() == 0:
        return False
    n_values = np.array([len(column) for column in columns], dtype=float)
    products = np.prod((counts + 1) / (sizes[:, None] + n_values), axis=1)
    scores = sizes * products
    posterior = scores / scores.sum()
    if abs(posterior[0] - posterior[1]) < 0.1:
        return False
    winner = int(np.argmax(scores))
    if case == "smoothing":
        return counts[winner].min() == 0
    if case == "prior":
        return int(np.argmax(products)) != winner and products.min() != products.max()
    return True


def _counts(X, y, x, classes):
    """count(x_j, C_k): the rows of class k whose feature j equals x_j."""
    return np.array(
        [
            [sum(row[j] == x[j] and label == c for row, label in zip(X, y)) for j in range(len(x))]
            for c in classes
        ],
        dtype=float,
    )


def _tokens(params, name, size=None, max_size=20):
    value = params.get(name)
    if not isinstance(value, list) or not value:
        raise ParameterError(name, f"expected a non-empty list, got {value!r}")
    if size is not None and len(value) != size:
        raise ParameterError(name, f"expected {size} values, got {len(value)}")
    if len(value) > max_size:
        raise ParameterError(name, f"at most {max_size} values, got {len(value)}")
    for token in value:
        if isinstance(token, bool) or not isinstance(token, (str, int)):
            raise ParameterError(name, f"values must be words or whole numbers, got {token!r}")
        if isinstance(token, str) and not TOKEN.fullmatch(token):
            raise ParameterError(
                name, f"{token!r}: use 1 to 20 letters, digits, spaces or . + - (no _ or braces)"
            )
    return value


def _data(params):
    known_parameters(params, PARAMETERS)
    features = _tokens(params, "features", max_size=4)
    if len(set(features)) < len(features):
        raise ParameterError("features", "the feature names must be distinct")
    d = len(features)
    rows = params.get("X")
    if not isinstance(rows, list) or not 2 <= len(rows) <= 20:
        raise ParameterError("X", "expected a list of 2 to 20 rows")
    X = [_tokens({"X": row}, "X", size=d) for row in rows]
    y = _tokens(params, "y", size=len(X))
    x = _tokens(params, "x", size=d)
    classes = sorted(set(y), key=str)
    if not 2 <= len(classes) <= 3:
        raise ParameterError("y", f"expected 2 or 3 classes, got {len(classes)}")
    if len({type(c) for c in classes}) > 1:
        raise ParameterError("y", "class names must be all words or all numbers")
    for j, value in enumerate(x):
        if value not in {row[j] for row in X}:
            raise ParameterError(
                "x", f"{value!r} does not occur in the column of feature {features[j]!r}"
            )
    return features, X, y, x


def _text(value):
    return rf"\text{{{value}}}"


def statement(params):
    features, X, y, x = _data(params)
    classes = sorted(set(y))
    d = len(features)
    head = " & ".join(_text(f) for f in features)
    rows = r" \\ ".join(
        f"{i + 1} & " + " & ".join(_text(v) for v in row) + f" & {_text(label)}"
        for i, (row, label) in enumerate(zip(X, y))
    )
    table = (
        rf"$$\begin{{array}}{{c|{'c' * d}|c}} i & {head} & \text{{class}} \\ \hline {rows}"
        r" \end{array}$$"
    )
    query = ", ".join(f"{f} = {v}" for f, v in zip(features, x))
    order = ", ".join(str(c) for c in classes)
    return text(
        f"A naive Bayes classifier is trained on the {len(X)} samples below.\n{table}\n"
        f"Classify the new sample $x$: {query}. Estimate the priors $P(C)$ by relative "
        "frequencies and the likelihoods with Laplace smoothing, "
        "$P(x_j \\mid C) = \\frac{\\text{count}(x_j, C) + 1}{N_C + |V_j|}$, where $N_C$ counts "
        "the samples of class $C$ and $|V_j|$ the values feature $j$ takes in the table. "
        "Give the priors, the likelihoods of the query's values (one row per class, one "
        "column per feature), the posteriors $P(C \\mid x)$ and the predicted class. List "
        f"the classes in the order {order}.",
        f"用下面 {len(X)} 个样本训练朴素贝叶斯分类器。\n{table}\n"
        f"对新样本 $x$（{query}）进行分类。先验 $P(C)$ 用频率估计，似然用拉普拉斯平滑："
        "$P(x_j \\mid C) = \\frac{\\text{count}(x_j, C) + 1}{N_C + |V_j|}$，其中 $N_C$ 是类别 "
        "$C$ 的样本数，$|V_j|$ 是特征 $j$ 在表中出现的取值个数。求各类的先验、"
        "待分类样本各特征取值的似然（每行一个类别，每列一个特征）、后验 $P(C \\mid x)$ "
        f"以及预测的类别。类别按 {order} 的顺序排列。",
    )


def _normalised(scores):
    scores = np.asarray(scores, dtype=float)
    return scores / scores.sum()


def _kept(answer, right, candidates, feedback):
    return distinct_misconceptions(answer(right), candidates, feedback)


FEEDBACK = {
    "reversed-order": (
        "Right values, wrong order: list the classes in the order the question gives.",
        "数值正确但顺序错了：请按题目给出的类别顺序排列。",
    ),
    "smoothed-prior": (
        "The priors are not smoothed here: every class has samples, so P(C) = N_C / N.",
        "这里先验不做平滑：每个类别都有样本，P(C) = N_C / N。",
    ),
    "notes-plus-one": (
        "The denominator adds the number of values the feature can take, N_C + |V_j|, not 1: "
        "only then do the smoothed probabilities of all values sum to 1.",
        "分母应加上该特征可能取值的个数，即 N_C + |V_j|，而不是加 1：这样平滑后各取值的概率之和"
        "才为 1。",
    ),
    "no-smoothing": (
        "Without smoothing a value never seen with a class gets probability 0 and wipes out "
        "the whole product; add 1 to every count and |V_j| to the denominator.",
        "不做平滑时，某类中从未出现的取值概率为 0，会使整个乘积变为 0；应给每个计数加 1，"
        "分母加 |V_j|。",
    ),
    "divided-by-n": (
        "The likelihood is conditional on the class: divide by the class's count N_C (plus "
        "|V_j|), not by all N samples.",
        "似然是以类别为条件的：分母应是该类的样本数 N_C（加 |V_j|），而不是全部样本数 N。",
    ),
    "no-prior": (
        "You left out the prior: the posterior is proportional to P(C) times the likelihoods.",
        "你漏掉了先验：后验正比于 P(C) 乘以各似然。",
    ),
    "not-normalised": (
        "These are the unnormalised scores P(C)·∏P(x_j|C); divide each by their sum so that "
        "the posteriors add up to 1.",
        "这是未归一化的得分 P(C)·∏P(x_j|C)；应将每个得分除以得分之和，使后验之和为 1。",
    ),
}

PREDICTION_FEEDBACK = {
    "notes-plus-one": (
        "With the denominator N_C + 1 the scores change enough to pick {wrong}; the right "
        "denominator N_C + |V_j| gives {right}.",
        "分母用 N_C + 1 时得分改变，选出了 {wrong}；正确的分母 N_C + |V_j| 给出 {right}。",
    ),
    "no-smoothing": (
        "Without smoothing a zero count makes a class's score 0, which picks {wrong}; with "
        "Laplace smoothing the prediction is {right}.",
        "不做平滑时某个计数为 0 会使该类得分为 0，于是选出了 {wrong}；拉普拉斯平滑后的预测是 "
        "{right}。",
    ),
    "no-prior": (
        "Comparing the likelihoods alone picks {wrong}; weighted by the priors the winner is "
        "{right}.",
        "只比较似然会选出 {wrong}；乘上先验之后胜出的是 {right}。",
    ),
}


def solve(params):
    features, X, y, x = _data(params)
    classes = sorted(set(y))
    counts = _counts(X, y, x, classes)
    sizes = np.array([y.count(c) for c in classes], dtype=float)
    n_values = np.array([len({row[j] for row in X}) for j in range(len(x))], dtype=float)

    priors = naive_bayes_priors(y)
    likelihoods = naive_bayes_likelihoods(X, y, x)
    scores = naive_bayes_scores(X, y, x)
    posteriors = naive_bayes_posterior(X, y, x)
    prediction = naive_bayes_predict(X, y, x)

    # The wrong formulas, on the same counts.
    plus_one = (counts + 1) / (sizes[:, None] + 1)
    raw = naive_bayes_likelihoods(X, y, x, alpha=0)
    over_n = (counts + 1) / (len(y) + n_values[None, :])
    raw_scores = priors * raw.prod(axis=1)
    wrong_posteriors = {
        "notes-plus-one": _normalised(priors * plus_one.prod(axis=1)),
        "no-smoothing": _normalised(raw_scores) if raw_scores.sum() > 0 else None,
        "no-prior": _normalised(likelihoods.prod(axis=1)),
    }

    def vector_answer(value, misconceptions=()):
        return Vector(value, **TOLERANCE, misconceptions=misconceptions)

    def matrix_answer(value, misconceptions=()):
        return Matrix(value, **TOLERANCE, misconceptions=misconceptions)

    smoothed_priors = (sizes + 1) / (len(y) + len(classes))
    prior_mistakes = _kept(
        vector_answer,
        priors,
        [
            ("reversed-order", priors[::-1].tolist(), 0.5),
            ("smoothed-prior", smoothed_priors.tolist()),
        ],
        FEEDBACK,
    )
    likelihood_mistakes = _kept(
        matrix_answer,
        likelihoods,
        [
            ("notes-plus-one", plus_one.tolist()),
            ("no-smoothing", raw.tolist()),
            ("divided-by-n", over_n.tolist()),
        ],
        FEEDBACK,
    )
    posterior_candidates = [
        (tag, None if value is None else value.tolist()) for tag, value in wrong_posteriors.items()
    ]
    posterior_candidates += [
        ("not-normalised", scores.tolist()),
        ("reversed-order", posteriors[::-1].tolist(), 0.5),
    ]
    posterior_mistakes = _kept(vector_answer, posteriors, posterior_candidates, FEEDBACK)

    prediction_mistakes, named = [], {prediction}
    for tag in ("no-smoothing", "no-prior", "notes-plus-one"):
        value = wrong_posteriors[tag]
        if value is None:
            continue
        wrong = classes[int(np.argmax(value))]
        if wrong not in named:
            en, zh = PREDICTION_FEEDBACK[tag]
            prediction_mistakes.append(
                Misconception(
                    tag,
                    str(wrong),
                    en.format(wrong=wrong, right=prediction),
                    zh.format(wrong=wrong, right=prediction),
                )
            )
            named.add(wrong)

    parts = (
        Part("priors", text("priors $P(C)$", "先验 $P(C)$"), vector_answer(priors, prior_mistakes)),
        Part(
            "likelihoods",
            text(
                "likelihoods $P(x_j \\mid C)$ (rows: classes, columns: features)",
                "似然 $P(x_j \\mid C)$（行：类别，列：特征）",
            ),
            matrix_answer(likelihoods, likelihood_mistakes),
            points=2,
        ),
        Part(
            "posteriors",
            text("posteriors $P(C \\mid x)$", "后验 $P(C \\mid x)$"),
            vector_answer(posteriors, posterior_mistakes),
            points=2,
        ),
        Part(
            "prediction",
            text("predicted class", "预测类别"),
            Choice(
                tuple(str(c) for c in classes),
                str(prediction),
                misconceptions=tuple(prediction_mistakes),
            ),
        ),
    )
    steps = _steps(features, X, y, x, classes, counts, sizes, n_values)
    steps += _result_steps(classes, priors, likelihoods, scores, posteriors, prediction)
    return Solution(parts, tuple(steps))


def _steps(features, X, y, x, classes, counts, sizes, n_values):
    n = len(y)
    priors = r", \quad ".join(
        rf"P({_text(c)}) = \frac{{{int(s)}}}{{{n}}} = {tex.num(s / n)}"
        for c, s in zip(classes, sizes)
    )
    value_sets = [rf"|V_{{{_text(f)}}}| = {int(n_values[j])}" for j, f in enumerate(features)]
    steps = [
        Step(
            text(
                "Count the classes; the priors are their relative frequencies:",
                "统计各类别的样本数；先验就是各类别的频率：",
            ),
            priors,
        ),
        Step(
            text(
                "Count the values each feature takes in the table ("
                + "; ".join(
                    f"{f}: " + ", ".join(sorted({str(row[j]) for row in X}))
                    for j, f in enumerate(features)
                )
                + "):",
                "统计每个特征在表中的取值个数（"
                + "；".join(
                    f"{f}：" + "、".join(sorted({str(row[j]) for row in X}))
                    for j, f in enumerate(features)
                )
                + "）：",
            ),
            r", \quad ".join(value_sets),
        ),
    ]
    for k, c in enumerate(classes):
        terms = [
            rf"P({_text(f)} = {_text(v)} \mid {_text(c)}) = "
            rf"\frac{{{int(counts[k, j])} + 1}}{{{int(sizes[k])} + {int(n_values[j])}}} = "
            rf"{tex.num((counts[k, j] + 1) / (sizes[k] + n_values[j]))}"
            for j, (f, v) in enumerate(zip(features, x))
        ]
        zero = counts[k].min() == 0
        steps.append(
            Step(
                text(
                    f"Class {c} has $N_C = {int(sizes[k])}$ samples. Count the query's values "
                    "among them and smooth"
                    + (" (a count of 0 still gives a positive probability)" if zero else "")
                    + ":",
                    f"类别 {c} 有 $N_C = {int(sizes[k])}$ 个样本。在其中统计待分类样本各取值的"
                    "次数并做平滑" + ("（计数为 0 时概率仍为正）" if zero else "") + "：",
                ),
                r", \quad ".join(terms),
            )
        )
    return steps


def _result_steps(classes, priors, likelihoods, scores, posteriors, prediction):
    table = Step(
        text(
            "The likelihoods of the query's values, one row per class and one column per feature:",
            "待分类样本各取值的似然，每行一个类别，每列一个特征：",
        ),
        rf"L = {tex.matrix(likelihoods)}",
    )
    score_terms = [
        rf"s_{{{_text(c)}}} = {tex.num(p)} \cdot "
        + r" \cdot ".join(tex.num(v) for v in row)
        + f" = {tex.num(s)}"
        for c, p, row, s in zip(classes, priors, likelihoods, scores)
    ]
    total = " + ".join(tex.num(s) for s in scores)
    posterior_terms = [
        rf"P({_text(c)} \mid x) = \frac{{{tex.num(s)}}}{{{total}}} = {tex.num(p)}"
        for c, s, p in zip(classes, scores, posteriors)
    ]
    return [
        table,
        Step(
            text(
                "Multiply each prior by the likelihoods (naive independence assumption):",
                "每个先验乘以各似然（朴素贝叶斯的条件独立假设）：",
            ),
            r", \quad ".join(score_terms),
        ),
        Step(
            text(
                "Normalise the scores by their sum, the evidence $P(x)$:",
                "用得分之和（即证据 $P(x)$）归一化：",
            ),
            r", \quad ".join(posterior_terms),
        ),
        Step(
            text(
                f"The largest posterior wins: the prediction is {prediction}.",
                f"后验最大的类别胜出：预测为 {prediction}。",
            ),
            rf"\hat{{C}} = {_text(prediction)}",
        ),
    ]
