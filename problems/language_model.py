"""A bigram language model: the probability of a sentence by the chain rule,
from a table of bigram counts, with or without add-one smoothing."""

import math
import re

import numpy as np

from tutor import tex
from tutor.answers import Number, Vector
from tutor.problem import (
    ParameterError,
    Part,
    Solution,
    Step,
    distinct_misconceptions,
    known_parameters,
    matrix,
    number,
    text,
)
from tutor.solutions.language import (
    BIGRAM_END,
    BIGRAM_START,
    bigram_factors,
    bigram_log_probability,
    bigram_probability,
    bigram_vocabulary_size,
)

ID = "language-model"
TOPIC = "sequence-models"
TITLE = text("A bigram language model", "二元语法（bigram）语言模型")
PARAMETERS = {
    "vocabulary": text(
        'the word types, 3 to 8, among them the markers "<s>" and "</s>"; words are letters '
        "and digits",
        '词表中的词型，3 到 8 个，包括标记 "<s>" 和 "</s>"；词由字母和数字组成',
    ),
    "counts": text(
        "the bigram counts: counts[i][j] is how often word j follows word i in the corpus "
        "(whole numbers; the column of <s> and the row of </s> are 0)",
        "二元组计数：counts[i][j] 是语料中词 j 紧跟在词 i 之后的次数"
        "（整数；<s> 所在列和 </s> 所在行为 0）",
    ),
    "sentence": text(
        "the sentence to score, 1 to 8 words of the vocabulary (a list, or one string); "
        "<s> and </s> are added",
        "要计算概率的句子，1 到 8 个词表中的词（列表或一个字符串）；自动加上 <s> 和 </s>",
    ),
    "smoothing": text(
        "k of add-k smoothing, 0 to 10: 0 for none, 1 for add-one (Laplace)",
        "加 k 平滑的 k，0 到 10：0 表示不平滑，1 表示加一（拉普拉斯）平滑",
    ),
}

TOLERANCE = {"rtol": 1e-2, "atol": 1e-3}
# Products of several factors can be small: the relative tolerance decides.
PROBABILITY_TOLERANCE = {"rtol": 1e-2, "atol": 1e-7}
LOG_TOLERANCE = {"rtol": 1e-2, "atol": 5e-3}
WORD = re.compile(r"[^\W_]+")  # letters and digits of any script, nothing LaTeX reads

# Small "grammars": the words of a toy language and which word may follow
# which, so that the corpora are made of sentences that read sensibly.
THEMES = (
    {
        "<s>": ["I", "Sam"],
        "I": ["am"],
        "am": ["Sam", "</s>"],
        "Sam": ["I", "</s>"],
    },
    {
        "<s>": ["the", "cat"],
        "the": ["cat"],
        "cat": ["sat", "</s>"],
        "sat": ["down", "</s>"],
        "down": ["</s>"],
    },
    {
        "<s>": ["I", "love", "you"],
        "I": ["love"],
        "love": ["you"],
        "you": ["too", "</s>"],
        "too": ["</s>"],
    },
    {
        "<s>": ["we", "eat"],
        "we": ["eat"],
        "eat": ["rice", "fish"],
        "rice": ["</s>", "fish"],
        "fish": ["</s>", "rice"],
    },
    {"<s>": ["a", "b"], "a": ["a", "b", "</s>"], "b": ["a", "b", "</s>"]},
    {
        "<s>": ["a", "b", "c"],
        "a": ["b", "c", "</s>"],
        "b": ["a", "c", "</s>"],
        "c": ["a", "b", "</s>"],
    },
)


# --- parameters ----------------------------------------------------------------------


def _words(name, value, low, high):
    if isinstance(value, str):
        value = value.split()
    if not isinstance(value, list) or not all(isinstance(w, str) for w in value):
        raise ParameterError(name, f"expected a list of words, got {value!r}")
    if not low <= len(value) <= high:
        raise ParameterError(name, f"expected {low} to {high} words, got {len(value)}")
    return value


def _parameters(params):
    known_parameters(params, PARAMETERS)
    for name in PARAMETERS:
        if name not in params:
            raise ParameterError(name, "missing")
    vocabulary = _words("vocabulary", params["vocabulary"], 3, 8)
    for word in vocabulary:
        if word not in (BIGRAM_START, BIGRAM_END) and not WORD.fullmatch(word):
            raise ParameterError(
                "vocabulary", f"{word!r}: words are letters and digits (besides <s> and </s>)"
            )
    if len(set(vocabulary)) != len(vocabulary):
        raise ParameterError("vocabulary", "a word type is listed twice")
    for marker in (BIGRAM_START, BIGRAM_END):
        if marker not in vocabulary:
            raise ParameterError("vocabulary", f"must contain the marker {marker}")
    size = len(vocabulary)
    counts = matrix(params, "counts", rows=size, cols=size, max_size=8)
    if np.any(counts < 0) or np.any(counts != np.round(counts)) or np.any(counts > 1000):
        raise ParameterError("counts", "must be whole numbers from 0 to 1000")
    if counts.sum() == 0:
        raise ParameterError("counts", "the corpus is empty: every count is 0")
    index = {w: i for i, w in enumerate(vocabulary)}
    if np.any(counts[:, index[BIGRAM_START]] > 0):
        raise ParameterError("counts", "the column of <s> must be 0: nothing is followed by <s>")
    if np.any(counts[index[BIGRAM_END]] > 0):
        raise ParameterError("counts", "the row of </s> must be 0: nothing follows </s>")
    sentence = _words("sentence", params["sentence"], 1, 8)
    k = number(params, "smoothing", 0, 10)
    try:
        factors = bigram_factors(sentence, counts, vocabulary, k)
        probability = bigram_probability(sentence, counts, vocabulary, k)
        log_probability = bigram_log_probability(sentence, counts, vocabulary, k)
    except ValueError as error:
        # The table and the vocabulary are checked above: what is left is the sentence
        # (an unknown word, a misplaced marker, a history the counts never continue).
        raise ParameterError("sentence", str(error)) from None
    words = [w for w in sentence if w not in (BIGRAM_START, BIGRAM_END)]
    return vocabulary, counts.astype(int), words, k, factors, probability, log_probability


# --- generation ----------------------------------------------------------------------


def generate(rng, difficulty=2):
    smoothed = difficulty >= 2 and rng.random() < (0.5 if difficulty == 2 else 0.7)
    while True:
        params = _draw(rng, difficulty, smoothed)
        if params is not None and _interesting(params):
            return params


def _walk(rng, follows, max_words):
    """A random sentence from <s> to </s> along the allowed transitions."""
    words, word = [], BIGRAM_START
    while True:
        options = follows[word]
        word = options[int(rng.integers(len(options)))]
        if word == BIGRAM_END:
            return words
        words.append(word)
        if len(words) > max_words:
            return None


def _draw(rng, difficulty, smoothed):
    # A theme's word types: its keys (<s> and the words) and </s>.
    if difficulty <= 1:
        themes = [t for t in THEMES if len(t) + 1 <= 5]
    elif difficulty == 2:
        themes = list(THEMES)
    else:
        themes = [t for t in THEMES if len(t) + 1 >= 5]
    follows = themes[int(rng.integers(len(themes)))]
    words = [w for w in follows if w != BIGRAM_START]
    vocabulary = [BIGRAM_START, *words, BIGRAM_END]
    corpus = []
    for _ in range(int(rng.integers(3, 6))):
        sentence = _walk(rng, follows, 4)
        if not sentence:
            return None
        corpus.append(sentence)
    index = {w: i for i, w in enumerate(vocabulary)}
    counts = np.zeros((len(vocabulary), len(vocabulary)), dtype=int)
    for sentence in corpus:
        padded = [BIGRAM_START, *sentence, BIGRAM_END]
        for a, b in zip(padded, padded[1:]):
            counts[index[a], index[b]] += 1
    if smoothed:
        # Along the grammar, not only along the corpus: unseen bigrams can occur.
        sentence = _walk(rng, follows, 5)
    else:
        seen = {
            a: [b for b in vocabulary if counts[index[a], index[b]] > 0]
            for a in vocabulary
            if a != BIGRAM_END
        }
        sentence = _walk(rng, seen, 5)
    if sentence is None or not 3 <= len(sentence) <= 5:
        return None
    return {
        "vocabulary": vocabulary,
        "counts": counts.tolist(),
        "sentence": sentence,
        "smoothing": 1 if smoothed else 0,
    }


def _interesting(params):
    """Some factor below 1, an unseen bigram when smoothing, and the mistakes
    the exercise is about all distinguishable."""
    vocabulary, counts, words, k, factors, probability, _ = _parameters(params)
    if np.all(factors > 0.999) or probability < 1e-4:
        return False
    index = {w: i for i, w in enumerate(vocabulary)}
    padded = [BIGRAM_START, *words, BIGRAM_END]
    unseen = any(counts[index[a], index[b]] == 0 for a, b in zip(padded, padded[1:]))
    if k > 0 and not unseen:
        return False
    tags = {p.name: {m.tag for m in p.answer.misconceptions} for p in solve(params).parts}
    wanted = {"missing-end", "sum-not-product"}
    if k > 0:
        wanted.add("plus-k-only")
    return wanted <= tags["probability"] and "unigram" in tags["factors"]


# --- statement -----------------------------------------------------------------------


def _token(word):
    """A word type in LaTeX: the markers as ⟨s⟩ and ⟨/s⟩ (never raw < >)."""
    if word == BIGRAM_START:
        return r"\langle s \rangle"
    if word == BIGRAM_END:
        return r"\langle /s \rangle"
    return rf"\text{{{word}}}"


def _table(vocabulary, counts):
    """The counts with the histories as rows (all but </s>) and the next words as
    columns (all but <s>)."""
    rows = [i for i, w in enumerate(vocabulary) if w != BIGRAM_END]
    cols = [j for j, w in enumerate(vocabulary) if w != BIGRAM_START]
    header = " & ".join(_token(vocabulary[j]) for j in cols)
    body = r" \\ ".join(
        _token(vocabulary[i]) + " & " + " & ".join(str(counts[i, j]) for j in cols) for i in rows
    )
    return (
        rf"$$\begin{{array}}{{c|{'c' * len(cols)}}} c(w_{{i-1}} w_i) & {header} "
        rf"\\ \hline {body} \end{{array}}$$"
    )


def _sentence(words):
    return r" \; ".join(_token(w) for w in [BIGRAM_START, *words, BIGRAM_END])


def statement(params):
    vocabulary, counts, words, k, *_ = _parameters(params)
    size = bigram_vocabulary_size(vocabulary)
    table = _table(vocabulary, counts)
    padded = f"$${_sentence(words)}$$"
    if k == 0:
        method_en = (
            r"Use maximum-likelihood estimates $P(w_i \mid w_{i-1}) = "
            r"\frac{c(w_{i-1} w_i)}{c(w_{i-1})}$, where $c(w_{i-1})$ is the row sum"
        )
        method_zh = (
            r"用最大似然估计 $P(w_i \mid w_{i-1}) = \frac{c(w_{i-1} w_i)}{c(w_{i-1})}$，"
            r"其中 $c(w_{i-1})$ 为该行之和"
        )
    else:
        name_en = "add-one (Laplace)" if k == 1 else f"add-{tex.plain(k)}"
        name_zh = "加一（拉普拉斯）" if k == 1 else f"加 {tex.plain(k)} "
        kk = "" if k == 1 else tex.num(k)
        method_en = (
            f"Use {name_en} smoothing, $P(w_i \\mid w_{{i-1}}) = "
            f"\\frac{{c(w_{{i-1}} w_i) + {tex.num(k)}}}{{c(w_{{i-1}}) + {kk}|V|}}$, where "
            "$c(w_{i-1})$ is the row sum and "
            f"$|V| = {size}$ counts the word types that can follow a word (all but "
            r"$\langle s \rangle$, $\langle /s \rangle$ included)"
        )
        method_zh = (
            f"用{name_zh}平滑 $P(w_i \\mid w_{{i-1}}) = "
            f"\\frac{{c(w_{{i-1}} w_i) + {tex.num(k)}}}{{c(w_{{i-1}}) + {kk}|V|}}$，"
            "其中 $c(w_{i-1})$ 为该行之和，"
            f"$|V| = {size}$ 是可以出现在一个词之后的词型数（除 $\\langle s \\rangle$ 外全部，"
            r"包括 $\langle /s \rangle$）"
        )
    n = len(words)
    return text(
        "A toy corpus was padded with a start marker $\\langle s \\rangle$ and an end marker "
        "$\\langle /s \\rangle$ around every sentence, and its bigrams counted: row "
        "$w_{i-1}$, column $w_i$ gives $c(w_{i-1} w_i)$, how often $w_i$ directly follows "
        f"$w_{{i-1}}$.\n{table}\nA bigram model scores the {n}-word sentence\n{padded}\n"
        f"{method_en}. Give (1) the factors $P(w_i \\mid w_{{i-1}})$ of the chain rule in "
        f"order, $i = 1, \\dots, {n + 1}$, the last one for $\\langle /s \\rangle$; (2) the "
        "probability of the sentence; (3) its natural logarithm $\\ln P$.",
        "一个小语料的每个句子前后加上开始标记 $\\langle s \\rangle$ 和结束标记 "
        "$\\langle /s \\rangle$ 后统计二元组：行 $w_{i-1}$、列 $w_i$ 处是 $c(w_{i-1} w_i)$，"
        f"即 $w_i$ 紧跟在 $w_{{i-1}}$ 之后出现的次数。\n{table}\n"
        f"用二元语法模型计算这个 {n} 个词的句子的概率：\n{padded}\n"
        f"{method_zh}。求：(1) 链式法则中依次的各个因子 $P(w_i \\mid w_{{i-1}})$，"
        f"$i = 1, \\dots, {n + 1}$，最后一个对应 $\\langle /s \\rangle$；(2) 句子的概率；"
        "(3) 它的自然对数 $\\ln P$。",
    )


# --- solution ------------------------------------------------------------------------


FEEDBACK = {
    "unigram": (
        "These are unigram probabilities c(w)/N; the bigram model conditions on the word "
        "before: P(wᵢ | wᵢ₋₁) = c(wᵢ₋₁ wᵢ) / c(wᵢ₋₁).",
        "这是一元概率 c(w)/N；二元模型要以前一个词为条件：P(wᵢ | wᵢ₋₁) = c(wᵢ₋₁ wᵢ) / c(wᵢ₋₁)。",
    ),
    "wrong-denominator": (
        "You divided by the count of the current word wᵢ; the condition is the previous word: "
        "divide by c(wᵢ₋₁), the sum of its row.",
        "你除以了当前词 wᵢ 的次数；条件是前一个词：应除以 c(wᵢ₋₁)，即它所在行之和。",
    ),
    "plus-k-only": (
        "You added k to the count but not k·|V| to the denominator: the smoothed "
        "probabilities no longer sum to 1.",
        "你在分子上加了 k，分母却没有加 k·|V|：平滑后的概率之和不再为 1。",
    ),
    "start-in-vocabulary": (
        "Your |V| counts <s>, which never follows a word: |V| is the number of possible next "
        "words, every type but <s>.",
        "你的 |V| 把 <s> 也算进去了，而 <s> 不会出现在词之后："
        "|V| 是可能的下一个词的数目，即除 <s> 外的所有词型。",
    ),
    "end-not-in-vocabulary": (
        "Your |V| leaves out </s>, which can follow a word: |V| counts every type but <s>.",
        "你的 |V| 漏掉了 </s>，而它可以出现在词之后：|V| 包括除 <s> 外的所有词型。",
    ),
    "no-smoothing": (
        "These are the unsmoothed estimates; the exercise asks for smoothing: add k to the "
        "count and k·|V| to the row sum.",
        "这是未平滑的估计；题目要求平滑：计数加 k，行和加 k·|V|。",
    ),
    "missing-end": (
        "You left out the last factor P(</s> | wₙ): the model also predicts the end of the "
        "sentence.",
        "你漏了最后一个因子 P(</s> | wₙ)：模型也要预测句子的结束。",
    ),
    "sum-not-product": (
        "You added the factors; the chain rule multiplies them (it is the logarithms that add).",
        "你把各因子相加了；链式法则是相乘（相加的是对数）。",
    ),
    "log2": (
        "You used log base 2; the natural logarithm ln is asked.",
        "你用了以 2 为底的对数；题目要求自然对数 ln。",
    ),
    "log10": (
        "You used log base 10; the natural logarithm ln is asked.",
        "你用了以 10 为底的对数；题目要求自然对数 ln。",
    ),
    "negated": (
        "That is −ln P, the negative log-likelihood; ln P of a probability is at most 0.",
        "这是 −ln P（负对数似然）；概率的对数 ln P 不大于 0。",
    ),
}


def _product(values):
    return None if values is None else float(np.prod(values))


def _logs(values):
    if values is None or np.any(np.asarray(values) <= 0):
        return None
    return float(np.sum(np.log(values)))


def solve(params):
    vocabulary, counts, words, k, factors, probability, log_probability = _parameters(params)
    index = {w: i for i, w in enumerate(vocabulary)}
    size = bigram_vocabulary_size(vocabulary)
    padded = [BIGRAM_START, *words, BIGRAM_END]
    pairs = [(index[a], index[b]) for a, b in zip(padded, padded[1:])]
    pair_counts = np.array([counts[a, b] for a, b in pairs], dtype=float)
    histories = counts.sum(axis=1).astype(float)
    before = np.array([histories[a] for a, _ in pairs])
    # How often each word occurs after something: the column sums (every token but <s>).
    occurrences = counts.sum(axis=0).astype(float)
    total = float(counts.sum())

    def ratio(numerators, denominators):
        denominators = np.asarray(denominators, dtype=float)
        if np.any(denominators == 0):
            return None
        return np.asarray(numerators, dtype=float) / denominators

    current = np.array([occurrences[b] for _, b in pairs])
    candidates = {
        "unigram": ratio(current + k, np.full(len(pairs), total + k * size)),
        "wrong-denominator": ratio(pair_counts + k, current + k * size),
    }
    if k > 0:
        candidates |= {
            "plus-k-only": ratio(pair_counts + k, before),
            "start-in-vocabulary": ratio(pair_counts + k, before + k * (size + 1)),
            "end-not-in-vocabulary": ratio(pair_counts + k, before + k * (size - 1)),
            "no-smoothing": ratio(pair_counts, before),
        }
    end_dropped = factors[:-1]

    def kept(answer, right, pieces):
        return distinct_misconceptions(answer(right), pieces, FEEDBACK)

    def factors_answer(value, misconceptions=()):
        return Vector(value, **TOLERANCE, misconceptions=misconceptions)

    def probability_answer(value, misconceptions=()):
        return Number(value, **PROBABILITY_TOLERANCE, misconceptions=misconceptions)

    def log_answer(value, misconceptions=()):
        return Number(value, **LOG_TOLERANCE, misconceptions=misconceptions)

    factor_tags = ["unigram", "wrong-denominator"] + (
        ["plus-k-only", "start-in-vocabulary", "end-not-in-vocabulary", "no-smoothing"]
        if k > 0
        else []
    )
    parts = [
        Part(
            "factors",
            text(
                r"the factors $P(w_i \mid w_{i-1})$, in order",
                r"依次的因子 $P(w_i \mid w_{i-1})$",
            ),
            factors_answer(
                factors,
                kept(
                    factors_answer,
                    factors,
                    [(tag, _list(candidates[tag])) for tag in factor_tags],
                ),
            ),
        ),
        Part(
            "probability",
            text("probability of the sentence", "句子的概率"),
            probability_answer(
                probability,
                kept(
                    probability_answer,
                    probability,
                    [
                        ("missing-end", _product(end_dropped)),
                        ("sum-not-product", float(np.sum(factors))),
                        *[(tag, _product(candidates[tag])) for tag in factor_tags],
                    ],
                ),
            ),
        ),
    ]
    if math.isfinite(log_probability):
        parts.append(
            Part(
                "log_probability",
                text(r"natural log $\ln P$", r"自然对数 $\ln P$"),
                log_answer(
                    log_probability,
                    kept(
                        log_answer,
                        log_probability,
                        [
                            ("log2", log_probability / math.log(2)),
                            ("log10", log_probability / math.log(10)),
                            ("negated", -log_probability),
                            ("missing-end", _logs(end_dropped)),
                            ("unigram", _logs(candidates["unigram"])),
                        ],
                    ),
                ),
            )
        )
    steps = _steps(vocabulary, words, k, size, pairs, pair_counts, before, factors)
    steps += _result_steps(probability, log_probability, factors)
    return Solution(tuple(parts), tuple(steps))


def _list(values):
    return None if values is None else np.asarray(values, dtype=float).tolist()


# --- steps ---------------------------------------------------------------------------


def _lines(lines):
    return r"\begin{array}{l} " + r" \\ ".join(lines) + r" \end{array}"


def _steps(vocabulary, words, k, size, pairs, pair_counts, before, factors):
    history_counts = dict(zip((a for a, _ in pairs), before))
    row_sums = r",\quad ".join(
        rf"c({_token(vocabulary[a])}) = {tex.num(c)}" for a, c in sorted(history_counts.items())
    )
    steps = [
        Step(
            text(
                "Frame the sentence with the markers; the chain rule with the bigram "
                "assumption keeps only the previous word:",
                "给句子加上首尾标记；在二元假设下，链式法则只保留前一个词作条件：",
            ),
            rf"P({_sentence(words)}) = \prod_{{i=1}}^{{{len(words) + 1}}} P(w_i \mid w_{{i-1}})",
        ),
        Step(
            text(
                "Each history's count $c(w_{i-1})$ is its row sum in the table:",
                "每个前词的次数 $c(w_{i-1})$ 是表中该行之和：",
            ),
            row_sums,
        ),
    ]
    lines = []
    add = "" if k == 0 else f" + {tex.num(k)}"
    add_v = "" if k == 0 else f" + {tex.num(k * size)}"
    for (a, b), c, h, f in zip(pairs, pair_counts, before, factors):
        lines.append(
            rf"P({_token(vocabulary[b])} \mid {_token(vocabulary[a])}) = "
            rf"\frac{{{tex.num(c)}{add}}}{{{tex.num(h)}{add_v}}} = {tex.num(f)}"
        )
    if k == 0:
        how = text(
            "Maximum-likelihood factors, count over row sum:", "最大似然的各因子，计数除以行和："
        )
    else:
        how = text(
            f"Smoothed factors: add {tex.plain(k)} to every count and "
            f"{tex.plain(k)} · |V| = {tex.plain(k * size)} to every row sum (|V| = {size}):",
            f"平滑后的各因子：每个计数加 {tex.plain(k)}，每个行和加 "
            f"{tex.plain(k)} · |V| = {tex.plain(k * size)}（|V| = {size}）：",
        )
    steps.append(Step(how, _lines(lines)))
    steps.append(
        Step(
            text("The factors in order:", "依次的各因子："),
            rf"\left(P(w_i \mid w_{{i-1}})\right)_{{i=1}}^{{{len(factors)}}} = {tex.row(factors)}",
        )
    )
    return steps


def _result_steps(probability, log_probability, factors):
    product = r" \times ".join(tex.num(f) for f in factors)
    steps = [
        Step(
            text("Multiply the factors:", "各因子相乘："),
            rf"P = {product} = {tex.num(probability)}",
        )
    ]
    if math.isfinite(log_probability):
        logs = " ".join(
            (f"- {tex.num(-v)}" if v < 0 else f"+ {tex.num(v)}") for v in np.log(factors)
        ).removeprefix("+ ")
        if logs.startswith("- "):
            logs = "-" + logs[2:]
        steps.append(
            Step(
                text(
                    "The natural log turns the product into a sum (the way to score long "
                    "sentences without underflow):",
                    "自然对数把乘积变成求和（长句子这样计算不会下溢）：",
                ),
                rf"\ln P = \sum_i \ln P(w_i \mid w_{{i-1}}) = {logs} = {tex.num(log_probability)}",
            )
        )
    else:
        steps.append(
            Step(
                text(
                    "A bigram of the sentence never occurs in the corpus, so P = 0 and ln P is "
                    "undefined (−∞): this is what smoothing avoids.",
                    "句子中有一个二元组在语料中从未出现，因此 P = 0，ln P 无定义（−∞）："
                    "平滑正是为了避免这种情况。",
                )
            )
        )
    return steps
