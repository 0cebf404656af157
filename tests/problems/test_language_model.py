"""The language-model problem type, checked against exact fractions computed
here from the count table (and, for a hand-worked corpus, from the sentences)."""

import json
import math
from fractions import Fraction

import numpy as np
import pytest

from tutor.answers import check
from tutor.problem import ParameterError, has_distinct_misconceptions
from tutor.problems import language_model

CASES = [(seed, difficulty) for seed in range(30) for difficulty in (1, 2, 3)]


def variant(seed, difficulty):
    params = language_model.generate(np.random.default_rng(seed), difficulty)
    assert json.loads(json.dumps(params)) == params
    return params, language_model.solve(json.loads(json.dumps(params)))


def answer(solution, name):
    return next(part.answer for part in solution.parts if part.name == name)


def mistakes(solution, name):
    return {m.tag: m.value_or_expr for m in answer(solution, name).misconceptions}


def pairs(params):
    words = params["sentence"]
    words = words.split() if isinstance(words, str) else words
    padded = ["<s>", *words, "</s>"]
    return list(zip(padded, padded[1:]))


def exact(params, k=None, size_offset=0, denominator="history"):
    """The factors as fractions: (c(u w) + k) / (c(u) + k |V|), |V| the types
    that can follow (all but <s>), or a wrong denominator for a mistake."""
    vocabulary, counts = params["vocabulary"], params["counts"]
    k = Fraction(params["smoothing"]) if k is None else Fraction(k)
    at = {w: i for i, w in enumerate(vocabulary)}
    size = sum(1 for w in vocabulary if w != "<s>") + size_offset
    out = []
    for u, w in pairs(params):
        c = counts[at[u]][at[w]]
        if denominator == "history":
            below = sum(counts[at[u]])
        else:  # the count of the current word, a column sum
            below = sum(row[at[w]] for row in counts)
        out.append((c + k) / (below + k * size))
    return out


def product(values):
    result = Fraction(1)
    for v in values:
        result *= v
    return result


@pytest.mark.parametrize(("seed", "difficulty"), CASES)
def test_answers_match_exact_fractions(seed, difficulty):
    params, solution = variant(seed, difficulty)
    factors = exact(params)
    got = solution.answers()
    np.testing.assert_allclose(got["factors"], [float(f) for f in factors], rtol=1e-12)
    assert got["probability"] == pytest.approx(float(product(factors)), rel=1e-12)
    assert got["log_probability"] == pytest.approx(sum(math.log(f) for f in factors), rel=1e-12)
    assert len(got["factors"]) == len(params["sentence"]) + 1
    assert 3 <= len(params["sentence"]) <= 5
    assert 4 <= len(params["vocabulary"]) <= 6
    assert {"<s>", "</s>"} <= set(params["vocabulary"])
    assert has_distinct_misconceptions(solution)


@pytest.mark.parametrize(("seed", "difficulty"), CASES)
def test_generated_corpora_are_consistent_and_smoothing_has_work_to_do(seed, difficulty):
    params, _ = variant(seed, difficulty)
    counts = np.array(params["counts"])
    vocabulary = params["vocabulary"]
    start, end = vocabulary.index("<s>"), vocabulary.index("</s>")
    # Every corpus sentence starts once and ends once; every word leaves as often as it arrives.
    assert counts[start].sum() == counts[:, end].sum()
    for i, word in enumerate(vocabulary):
        if i not in (start, end):
            assert counts[i].sum() == counts[:, i].sum(), word
    at = {w: i for i, w in enumerate(vocabulary)}
    unseen = [counts[at[u], at[w]] == 0 for u, w in pairs(params)]
    assert any(unseen) == (params["smoothing"] > 0)


@pytest.mark.parametrize(("seed", "difficulty"), CASES)
def test_misconceptions_are_the_mistakes_they_name(seed, difficulty):
    params, solution = variant(seed, difficulty)
    k = params["smoothing"]
    vocabulary, counts = params["vocabulary"], params["counts"]
    at = {w: i for i, w in enumerate(vocabulary)}
    right = exact(params)

    def same(found, expected):
        np.testing.assert_allclose(
            np.asarray(found, float), np.asarray(expected, float), rtol=1e-12
        )

    factors, probability, logs = (
        mistakes(solution, n) for n in ("factors", "probability", "log_probability")
    )
    # Unigram: c(w) / N with the column sums (every token but <s>) over all bigrams.
    total = sum(map(sum, counts))
    size = len(vocabulary) - 1
    unigram = [
        Fraction(sum(row[at[w]] for row in counts) + k, total + k * size) for _, w in pairs(params)
    ]
    same(factors["unigram"], unigram)
    same(probability["unigram"], product(unigram))
    if "wrong-denominator" in factors:
        same(factors["wrong-denominator"], exact(params, denominator="word"))
    same(probability["missing-end"], product(right[:-1]))
    same(probability["sum-not-product"], sum(right))
    ln_p = sum(math.log(f) for f in right)
    same(logs["log2"], ln_p / math.log(2))
    same(logs["log10"], ln_p / math.log(10))
    same(logs["negated"], -ln_p)
    same(logs["missing-end"], sum(math.log(f) for f in right[:-1]))
    if k > 0:
        plus_k_only = [
            Fraction(counts[at[u]][at[w]] + k, sum(counts[at[u]])) for u, w in pairs(params)
        ]
        if "plus-k-only" in factors:
            same(factors["plus-k-only"], plus_k_only)
        same(probability["plus-k-only"], product(plus_k_only))
        with_start = exact(params, size_offset=1)
        without_end = exact(params, size_offset=-1)
        same(factors["start-in-vocabulary"], with_start)
        same(factors["end-not-in-vocabulary"], without_end)
        same(probability["start-in-vocabulary"], product(with_start))
        same(factors["no-smoothing"], exact(params, k=0))
    else:
        assert not {"plus-k-only", "no-smoothing"} & set(factors)


def corpus_counts(sentences, vocabulary):
    table = [[0] * len(vocabulary) for _ in vocabulary]
    for sentence in sentences:
        padded = ["<s>", *sentence.split(), "</s>"]
        for a, b in zip(padded, padded[1:]):
            table[vocabulary.index(a)][vocabulary.index(b)] += 1
    return table


def test_a_hand_worked_example():
    # Corpus: "I am Sam", "Sam I am", "I am". P(I am Sam) = P(I|<s>) P(am|I) P(Sam|am)
    # P(</s>|Sam) = 2/3 · 3/3 · 1/3 · 1/2 = 1/9.
    vocabulary = ["<s>", "I", "am", "Sam", "</s>"]
    counts = corpus_counts(["I am Sam", "Sam I am", "I am"], vocabulary)
    params = {"vocabulary": vocabulary, "counts": counts, "sentence": "I am Sam", "smoothing": 0}
    got = language_model.solve(params).answers()
    np.testing.assert_allclose(got["factors"], [2 / 3, 1, 1 / 3, 1 / 2])
    assert got["probability"] == pytest.approx(1 / 9)
    assert got["log_probability"] == pytest.approx(-math.log(9))
    # Add-one, |V| = 4: (2+1)/(3+4) · (3+1)/(3+4) · (1+1)/(3+4) · (1+1)/(2+4).
    smoothed = language_model.solve({**params, "smoothing": 1})
    want = [3 / 7, 4 / 7, 2 / 7, 2 / 6]
    np.testing.assert_allclose(smoothed.answers()["factors"], want)
    # Forgetting the end factor P(</s> | Sam) is named.
    part = answer(smoothed, "probability")
    verdict = check(part, f"{3 / 7 * 4 / 7 * 2 / 7:.6f}")
    assert verdict.misconception == "missing-end"


def test_an_unseen_bigram_without_smoothing_has_probability_zero_and_no_log():
    vocabulary = ["<s>", "I", "am", "Sam", "</s>"]
    counts = corpus_counts(["I am Sam", "Sam I am"], vocabulary)
    params = {"vocabulary": vocabulary, "counts": counts, "sentence": ["am", "I"], "smoothing": 0}
    solution = language_model.solve(params)
    assert solution.answers()["probability"] == 0.0
    assert "log_probability" not in solution.answers()
    assert "P = 0" in solution.steps[-1].text["en"]


GOOD = {
    "vocabulary": ["<s>", "a", "b", "</s>"],
    "counts": [[0, 2, 1, 0], [0, 0, 1, 2], [0, 1, 0, 1], [0, 0, 0, 0]],
    "sentence": ["a", "b"],
    "smoothing": 1,
}


@pytest.mark.parametrize(
    ("change", "name"),
    [
        ({"extra": 1}, "extra"),
        ({"vocabulary": ["<s>", "a", "b"]}, "vocabulary"),
        ({"vocabulary": ["<s>", "a", "a", "</s>"]}, "vocabulary"),
        ({"vocabulary": ["<s>", "a", "b{", "</s>"]}, "vocabulary"),
        ({"vocabulary": [1, 2, 3, 4]}, "vocabulary"),
        ({"counts": [[0, 2], [0, 0]]}, "counts"),
        ({"counts": [[0, 2, 1, 0], [0, 0, 1, 2], [0, 1, 0, 1], [0, 0, 1, 0]]}, "counts"),
        ({"counts": [[1, 2, 1, 0], [0, 0, 1, 2], [0, 1, 0, 1], [0, 0, 0, 0]]}, "counts"),
        ({"counts": [[0, 2.5, 1, 0], [0, 0, 1, 2], [0, 1, 0, 1], [0, 0, 0, 0]]}, "counts"),
        ({"counts": [[0, -2, 1, 0], [0, 0, 1, 2], [0, 1, 0, 1], [0, 0, 0, 0]]}, "counts"),
        ({"counts": "many"}, "counts"),
        ({"counts": [[0] * 4] * 4}, "counts"),
        ({"sentence": ["a", "c"]}, "sentence"),
        ({"sentence": []}, "sentence"),
        ({"sentence": 12}, "sentence"),
        ({"sentence": ["a", "</s>", "b"]}, "sentence"),
        ({"smoothing": -1}, "smoothing"),
        ({"smoothing": "one"}, "smoothing"),
        ({"smoothing": 11}, "smoothing"),
    ],
)
def test_bad_parameters_name_the_culprit(change, name):
    with pytest.raises(ParameterError) as error:
        language_model.solve({**GOOD, **change})
    assert error.value.name == name


def test_a_missing_parameter_is_named():
    for name in GOOD:
        params = dict(GOOD)
        del params[name]
        with pytest.raises(ParameterError) as error:
            language_model.solve(params)
        assert error.value.name == name


def test_an_unseen_history_without_smoothing_is_refused():
    counts = [[0, 2, 0, 0], [0, 0, 0, 2], [0, 0, 0, 0], [0, 0, 0, 0]]
    with pytest.raises(ParameterError) as error:
        language_model.solve({**GOOD, "counts": counts, "sentence": ["b"], "smoothing": 0})
    assert error.value.name == "sentence"
