"""The bigram model checked against exact fractions counted, in the test, from
the corpus sentences themselves."""

import math
from fractions import Fraction

import numpy as np
import pytest

from tutor.solutions.language import (
    bigram_factors,
    bigram_log_probability,
    bigram_probability,
    bigram_vocabulary_size,
)

SEEDS = range(60)
WORDS = ["I", "you", "like", "eat", "fish", "rice", "tea"]


def random_corpus(rng):
    words = list(rng.choice(WORDS, size=int(rng.integers(1, 6)), replace=False))
    sentences = [
        list(rng.choice(words, size=int(rng.integers(1, 5)))) for _ in range(rng.integers(2, 8))
    ]
    vocabulary = ["<s>", *words, "</s>"]
    order = rng.permutation(len(vocabulary))  # the markers need not come first and last
    return sentences, [vocabulary[i] for i in order]


def count_table(sentences, vocabulary):
    """The bigram counts of the padded sentences, counted one pair at a time."""
    table = [[0] * len(vocabulary) for _ in vocabulary]
    for sentence in sentences:
        padded = ["<s>", *sentence, "</s>"]
        for a, b in zip(padded, padded[1:]):
            table[vocabulary.index(a)][vocabulary.index(b)] += 1
    return table


def exact_factors(sentence, sentences, vocabulary, k):
    """P(w | u) = (c(u w) + k) / (c(u) + k |V|) with every count taken from the
    corpus text, |V| the types that can follow a word (all but <s>)."""
    bigrams, histories = {}, {}
    for s in sentences:
        padded = ["<s>", *s, "</s>"]
        for a, b in zip(padded, padded[1:]):
            bigrams[a, b] = bigrams.get((a, b), 0) + 1
            histories[a] = histories.get(a, 0) + 1
    size = len([w for w in vocabulary if w != "<s>"])
    padded = ["<s>", *sentence, "</s>"]
    return [
        Fraction(bigrams.get((a, b), 0) + k) / (histories.get(a, 0) + k * size)
        for a, b in zip(padded, padded[1:])
    ]


def product(fractions):
    result = Fraction(1)
    for f in fractions:
        result *= f
    return result


@pytest.mark.parametrize("seed", SEEDS)
def test_maximum_likelihood_matches_exact_counts(seed):
    rng = np.random.default_rng(seed)
    sentences, vocabulary = random_corpus(rng)
    table = count_table(sentences, vocabulary)
    # A sentence of the corpus: every history in it has been seen.
    sentence = sentences[int(rng.integers(len(sentences)))]
    exact = exact_factors(sentence, sentences, vocabulary, 0)
    np.testing.assert_allclose(
        bigram_factors(sentence, table, vocabulary), [float(f) for f in exact], rtol=1e-12
    )
    assert bigram_probability(sentence, table, vocabulary) == pytest.approx(
        float(product(exact)), rel=1e-12
    )
    assert bigram_log_probability(sentence, table, vocabulary) == pytest.approx(
        sum(math.log(f) for f in exact), rel=1e-12
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_add_k_smoothing_matches_exact_counts(seed):
    rng = np.random.default_rng(seed)
    sentences, vocabulary = random_corpus(rng)
    table = count_table(sentences, vocabulary)
    words = [w for w in vocabulary if w not in ("<s>", "</s>")]
    # Any sentence over the vocabulary, seen or not.
    sentence = list(rng.choice(words, size=int(rng.integers(1, 6))))
    k = [1, 1, 0.5, 2][seed % 4]
    exact = exact_factors(sentence, sentences, vocabulary, Fraction(k))
    np.testing.assert_allclose(
        bigram_factors(sentence, table, vocabulary, k), [float(f) for f in exact], rtol=1e-12
    )
    assert bigram_probability(sentence, table, vocabulary, k) == pytest.approx(
        float(product(exact)), rel=1e-12
    )
    assert bigram_log_probability(" ".join(sentence), table, vocabulary, k) == pytest.approx(
        sum(math.log(f) for f in exact), rel=1e-12
    )


@pytest.mark.parametrize("seed", SEEDS[:20])
def test_smoothed_conditionals_sum_to_one_over_the_possible_next_words(seed):
    rng = np.random.default_rng(seed)
    sentences, vocabulary = random_corpus(rng)
    table = count_table(sentences, vocabulary)
    words = [w for w in vocabulary if w not in ("<s>", "</s>")]
    for history in words:
        # P(w | history) is the second factor of "history w", P(</s> | history)
        # the last factor of "history".
        nexts = [bigram_factors([history, w], table, vocabulary, 1)[1] for w in words]
        end = bigram_factors([history], table, vocabulary, 1)[-1]
        assert sum(nexts) + end == pytest.approx(1.0, rel=1e-12), history
    # After <s>, "</s>" would be an empty sentence: its share is the rest.
    firsts = [bigram_factors([w], table, vocabulary, 1)[0] for w in words]
    row = table[vocabulary.index("<s>")]
    empty = Fraction(row[vocabulary.index("</s>")] + 1, sum(row) + len(vocabulary) - 1)
    assert sum(firsts) + float(empty) == pytest.approx(1.0, rel=1e-12)


def test_a_hand_worked_example():
    # Corpus: "I like tea", "I like rice", "you like tea".
    # P(I like tea) = P(I|<s>) P(like|I) P(tea|like) P(</s>|tea) = 2/3 · 1 · 2/3 · 1 = 4/9.
    vocabulary = ["<s>", "I", "you", "like", "tea", "rice", "</s>"]
    table = count_table(
        [["I", "like", "tea"], ["I", "like", "rice"], ["you", "like", "tea"]], vocabulary
    )
    assert bigram_probability(["I", "like", "tea"], table, vocabulary) == pytest.approx(4 / 9)
    # Add-one with |V| = 6: (2+1)/(3+6) · (2+1)/(2+6) · (2+1)/(3+6) · (2+1)/(2+6) = 1/64.
    assert bigram_vocabulary_size(vocabulary) == 6
    np.testing.assert_allclose(
        bigram_factors("I like tea", table, vocabulary, 1), [1 / 3, 3 / 8, 1 / 3, 3 / 8]
    )
    # An unseen bigram: probability 0 without smoothing, ln = -inf.
    assert bigram_probability(["tea", "like"], table, vocabulary) == 0.0
    assert bigram_log_probability(["tea", "like"], table, vocabulary) == -math.inf


def test_markers_at_the_ends_are_not_doubled():
    vocabulary = ["<s>", "a", "</s>"]
    table = [[0, 2, 0], [0, 1, 2], [0, 0, 0]]
    assert bigram_probability(["<s>", "a", "</s>"], table, vocabulary) == pytest.approx(
        bigram_probability(["a"], table, vocabulary)
    )
    assert bigram_probability(["a"], table, vocabulary) == pytest.approx(1 * 2 / 3)


def test_one_word_sentence_has_two_factors():
    vocabulary = ["<s>", "a", "b", "</s>"]
    table = [[0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 0]]
    np.testing.assert_allclose(bigram_factors(["b"], table, vocabulary), [0.5, 1.0])


GOOD_VOCABULARY = ["<s>", "a", "</s>"]
GOOD_TABLE = [[0, 2, 0], [0, 1, 2], [0, 0, 0]]


@pytest.mark.parametrize(
    ("sentence", "counts", "vocabulary", "smoothing", "message"),
    [
        (["a"], GOOD_TABLE, ["<s>", "a"], 0, "marker '</s>'"),
        (["a"], GOOD_TABLE, ["<s>", "a", "a"], 0, "twice"),
        (["a"], GOOD_TABLE, ["<s>", "</s>"], 0, "at least one word"),
        (["a"], GOOD_TABLE, "<s> a </s>", 0, "list of word types"),
        (["a"], [[0, 2], [0, 1]], GOOD_VOCABULARY, 0, "3 × 3"),
        (["a"], [[0, 2, 0], [0, -1, 2], [0, 0, 0]], GOOD_VOCABULARY, 0, "non-negative"),
        (["a"], [[1, 2, 0], [0, 1, 2], [0, 0, 0]], GOOD_VOCABULARY, 0, "ending in <s>"),
        (["a"], [[0, 2, 0], [0, 1, 2], [0, 1, 0]], GOOD_VOCABULARY, 0, "starting at </s>"),
        (["b"], GOOD_TABLE, GOOD_VOCABULARY, 0, "not in the vocabulary"),
        ([], GOOD_TABLE, GOOD_VOCABULARY, 0, "at least one word"),
        (["a", "<s>", "a"], GOOD_TABLE, GOOD_VOCABULARY, 0, "only frame"),
        (["a"], GOOD_TABLE, GOOD_VOCABULARY, -1, "k ≥ 0"),
        (["a"], GOOD_TABLE, GOOD_VOCABULARY, True, "k ≥ 0"),
        (["a"], [[0, 0, 0], [0, 0, 0], [0, 0, 0]], GOOD_VOCABULARY, 0, "0/0"),
    ],
)
def test_bad_input_raises(sentence, counts, vocabulary, smoothing, message):
    with pytest.raises(ValueError, match=message):
        bigram_probability(sentence, counts, vocabulary, smoothing)


def test_an_unseen_history_is_fine_with_smoothing():
    # Nothing was ever counted: add-one makes every next type equally likely.
    assert bigram_probability(["a"], np.zeros((3, 3)), GOOD_VOCABULARY, 1) == pytest.approx(0.25)
