"""Impurity measures checked against scipy.stats.entropy and hand-written loops."""

import math
from fractions import Fraction

import numpy as np
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.solutions.trees import (
    conditional_entropy,
    conditional_entropy_from_counts,
    entropy,
    entropy_from_counts,
    gini,
    gini_from_counts,
    gini_gain_from_counts,
    gini_split,
    gini_split_from_counts,
    information_gain,
    information_gain_from_counts,
)

SEEDS = range(50)
BASES = [2, math.e, 10]  # seeded tests cycle through the bases


# --- independent oracles ---------------------------------------------------------


def _random_labels(rng, n=None, n_classes=None):
    """n labels over up to n_classes classes, as ints or as strings."""
    n = int(rng.integers(1, 41)) if n is None else n
    n_classes = int(rng.integers(1, 7)) if n_classes is None else n_classes
    codes = rng.integers(0, n_classes, size=n)
    if rng.random() < 0.5:
        return codes
    return np.array([f"class-{c}" for c in codes])


def _oracle_entropy(labels, base):
    _, counts = np.unique(np.asarray(labels), return_counts=True)
    return scipy.stats.entropy(counts, base=base)


def _oracle_conditional_entropy(labels, feature, base):
    groups = {}
    for value, label in zip(feature, labels):
        groups.setdefault(value, []).append(label)
    n = len(labels)
    return sum(len(g) / n * _oracle_entropy(g, base) for g in groups.values())


def _oracle_gini(labels):
    _, counts = np.unique(np.asarray(labels), return_counts=True)
    return 1.0 - sum((c / len(labels)) ** 2 for c in counts)


def _contingency_table(labels, feature):
    """table[i, k]: samples with the i-th feature value and the k-th class."""
    values, classes = sorted(set(feature)), sorted(set(labels))
    table = np.zeros((len(values), len(classes)))
    for value, label in zip(feature, labels):
        table[values.index(value), classes.index(label)] += 1
    return table


def _binary_entropy(p):
    return -p * math.log2(p) - (1 - p) * math.log2(1 - p)


# --- entropy ------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_entropy_matches_scipy(seed):
    base = BASES[seed % len(BASES)]
    labels = _random_labels(np.random.default_rng(seed))
    assert entropy(labels, base=base) == pytest.approx(_oracle_entropy(labels, base), abs=1e-12)


def test_entropy_default_base_is_two():
    labels = _random_labels(np.random.default_rng(0), n=30, n_classes=4)
    assert entropy(labels) == pytest.approx(_oracle_entropy(labels, 2), abs=1e-12)


def test_entropy_accepts_plain_lists_of_mixed_hashables():
    labels = ["yes", "no", True, 3, "yes", 3]
    assert entropy(labels) == pytest.approx(scipy.stats.entropy([2, 1, 1, 2], base=2))


@pytest.mark.parametrize("n", [1, 2, 17])
def test_entropy_of_a_pure_node_is_zero(n):
    assert entropy(["same"] * n) == 0.0
    assert entropy(np.full(n, 7), base=math.e) == 0.0


@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize("n_classes", range(1, 9))
def test_entropy_of_uniform_classes_is_log_k(n_classes, base):
    labels = np.random.default_rng(n_classes).permutation(np.repeat(np.arange(n_classes), 3))
    assert entropy(labels, base=base) == pytest.approx(math.log(n_classes, base), abs=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_entropy_from_counts_with_zero_counts_matches_scipy(seed):
    base = BASES[seed % len(BASES)]
    rng = np.random.default_rng(seed)
    counts = rng.integers(0, 10, size=rng.integers(1, 8)).astype(float)
    counts[rng.integers(counts.size)] += 1  # not all zero
    expected = scipy.stats.entropy(counts, base=base)
    assert entropy_from_counts(counts, base=base) == pytest.approx(expected, abs=1e-12)


def test_entropy_from_counts_ignores_zero_classes():
    assert entropy_from_counts([3, 0, 3, 0]) == pytest.approx(1.0, abs=1e-15)
    assert entropy_from_counts([0, 5]) == 0.0


@pytest.mark.parametrize("seed", SEEDS[:20])
def test_entropy_from_counts_agrees_with_entropy(seed):
    base = BASES[seed % len(BASES)]
    labels = _random_labels(np.random.default_rng(seed))
    _, counts = np.unique(labels, return_counts=True)
    assert entropy_from_counts(counts, base) == pytest.approx(entropy(labels, base), abs=1e-12)


# --- conditional entropy and information gain ------------------------------------


def _labels_and_feature(seed):
    rng = np.random.default_rng(seed)
    labels = _random_labels(rng)
    feature = _random_labels(rng, n=len(labels))
    return labels, feature


@pytest.mark.parametrize("seed", SEEDS)
def test_conditional_entropy_matches_loop_oracle(seed):
    base = BASES[seed % len(BASES)]
    labels, feature = _labels_and_feature(seed)
    expected = _oracle_conditional_entropy(labels, feature, base)
    assert conditional_entropy(labels, feature, base) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_information_gain_is_entropy_minus_conditional_entropy(seed):
    base = BASES[seed % len(BASES)]
    labels, feature = _labels_and_feature(seed)
    expected = _oracle_entropy(labels, base) - _oracle_conditional_entropy(labels, feature, base)
    assert information_gain(labels, feature, base) == pytest.approx(expected, abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from("abcd"), st.integers(0, 4)),
        min_size=1,
        max_size=40,
    )
)
def test_information_gain_lies_between_zero_and_entropy(pairs):
    labels, feature = [label for label, _ in pairs], [value for _, value in pairs]
    gain = information_gain(labels, feature)
    assert -1e-12 <= gain <= entropy(labels) + 1e-12


@pytest.mark.parametrize("seed", SEEDS[:20])
def test_information_gain_of_the_labels_themselves_is_the_entropy(seed):
    labels = _random_labels(np.random.default_rng(seed))
    assert information_gain(labels, labels) == pytest.approx(_oracle_entropy(labels, 2), abs=1e-12)
    renamed = [f"value of {label}" for label in labels]  # same partition, other names
    assert information_gain(labels, renamed) == pytest.approx(_oracle_entropy(labels, 2), abs=1e-12)


@pytest.mark.parametrize("seed", SEEDS[:20])
def test_information_gain_of_a_constant_feature_is_zero(seed):
    labels = _random_labels(np.random.default_rng(seed))
    assert information_gain(labels, ["const"] * len(labels)) == pytest.approx(0.0, abs=1e-12)
    assert conditional_entropy(labels, np.zeros(len(labels))) == pytest.approx(
        _oracle_entropy(labels, 2), abs=1e-12
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_counts_api_agrees_with_label_api(seed):
    base = BASES[seed % len(BASES)]
    labels, feature = _labels_and_feature(seed)
    table = _contingency_table(labels.tolist(), feature.tolist())
    assert conditional_entropy_from_counts(table, base) == pytest.approx(
        conditional_entropy(labels, feature, base), abs=1e-12
    )
    assert information_gain_from_counts(table, base) == pytest.approx(
        information_gain(labels, feature, base), abs=1e-12
    )


# --- the worked example of the exam notes ----------------------------------------
# 10 people, 5 high / 5 low income. High education: 4 high, 2 low income;
# low education: 1 high, 3 low income.

EXAM_TABLE = [[4, 2], [1, 3]]
EXAM_H_D = 1.0
EXAM_H_D_GIVEN_A = 0.6 * _binary_entropy(4 / 6) + 0.4 * _binary_entropy(1 / 4)


def _exam_labels_and_feature():
    income = ["high"] * 4 + ["low"] * 2 + ["high"] * 1 + ["low"] * 3
    education = ["high"] * 6 + ["low"] * 4
    order = np.random.default_rng(0).permutation(10)  # sample order must not matter
    return [income[i] for i in order], [education[i] for i in order]


def test_exam_example_through_the_label_api():
    income, education = _exam_labels_and_feature()
    assert entropy(income) == pytest.approx(EXAM_H_D, abs=1e-15)
    assert conditional_entropy(income, education) == pytest.approx(EXAM_H_D_GIVEN_A, abs=1e-12)
    assert information_gain(income, education) == pytest.approx(
        EXAM_H_D - EXAM_H_D_GIVEN_A, abs=1e-12
    )


def test_exam_example_through_the_counts_api():
    assert entropy_from_counts([5, 5]) == pytest.approx(EXAM_H_D, abs=1e-15)
    assert conditional_entropy_from_counts(EXAM_TABLE) == pytest.approx(EXAM_H_D_GIVEN_A, abs=1e-12)
    assert information_gain_from_counts(EXAM_TABLE) == pytest.approx(
        EXAM_H_D - EXAM_H_D_GIVEN_A, abs=1e-12
    )


# --- gini ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_gini_matches_one_minus_sum_of_squares(seed):
    labels = _random_labels(np.random.default_rng(seed))
    assert gini(labels) == pytest.approx(_oracle_gini(labels), abs=1e-12)


def test_gini_of_a_pure_node_is_zero():
    assert gini(["a"] * 9) == 0.0


@pytest.mark.parametrize("n_classes", range(1, 9))
def test_gini_of_uniform_classes_is_one_minus_one_over_k(n_classes):
    labels = [f"c{i}" for i in range(n_classes)] * 4
    assert gini(labels) == pytest.approx(1 - 1 / n_classes, abs=1e-12)


# --- errors --------------------------------------------------------------------------


@pytest.mark.parametrize("func", [entropy, gini])
def test_empty_labels_raise(func):
    with pytest.raises(ValueError):
        func([])


@pytest.mark.parametrize("func", [conditional_entropy, information_gain])
def test_empty_labels_and_feature_raise(func):
    with pytest.raises(ValueError):
        func([], [])


@pytest.mark.parametrize("func", [conditional_entropy, information_gain])
def test_mismatched_lengths_raise(func):
    with pytest.raises(ValueError):
        func(["a", "b", "a"], [1, 2])


@pytest.mark.parametrize("counts", [[3, -1], [0, 0], [], [[1, 2]]])
def test_bad_counts_raise(counts):
    with pytest.raises(ValueError):
        entropy_from_counts(counts)


@pytest.mark.parametrize("base", [1, 0, -2])
def test_bad_base_raises(base):
    with pytest.raises(ValueError):
        entropy_from_counts([1, 2], base=base)


@pytest.mark.parametrize("table", [[[4, -2], [1, 3]], [[4, 2], [0, 0]], [4, 2]])
@pytest.mark.parametrize("func", [conditional_entropy_from_counts, information_gain_from_counts])
def test_bad_tables_raise(func, table):
    with pytest.raises(ValueError):
        func(table)


def test_two_dimensional_labels_raise():
    with pytest.raises(ValueError):
        entropy([["a", "b"], ["a", "a"]])


# --- input edge cases ---------------------------------------------------------------


def test_tuple_labels_are_accepted():
    labels = [(1, "a"), (2, "b"), (1, "a"), (1, "a")]
    assert entropy(labels) == pytest.approx(scipy.stats.entropy([3, 1], base=2), abs=1e-12)


def test_table_without_samples_raises():
    with pytest.raises(ValueError):
        conditional_entropy_from_counts(np.zeros((0, 2)))


@pytest.mark.parametrize("counts", [[1.0, np.nan], [1.0, np.inf]])
def test_non_finite_counts_raise(counts):
    with pytest.raises(ValueError):
        entropy_from_counts(counts)


# --- Gini from counts, weighted Gini of a split, Gini gain ---------------------------


def _exact_gini(counts):
    total = sum(Fraction(int(c)) for c in counts)
    return 1 - sum((Fraction(int(c)) / total) ** 2 for c in counts)


def _exact_gini_split(table):
    total = sum(int(c) for row in table for c in row)
    return sum(Fraction(int(sum(row)), total) * _exact_gini(row) for row in table)


def _random_table(rng):
    table = rng.integers(0, 9, size=(rng.integers(1, 5), rng.integers(1, 5)))
    table[np.arange(len(table)), rng.integers(0, table.shape[1], size=len(table))] += 1
    return table


@pytest.mark.parametrize("seed", SEEDS)
def test_gini_from_counts_matches_exact_fractions(seed):
    rng = np.random.default_rng(seed)
    counts = rng.integers(0, 12, size=rng.integers(1, 7))
    counts[rng.integers(counts.size)] += 1
    assert gini_from_counts(counts) == pytest.approx(float(_exact_gini(counts)), abs=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_gini_split_and_gain_from_counts_match_exact_fractions(seed):
    table = _random_table(np.random.default_rng(seed))
    split = _exact_gini_split(table)
    parent = _exact_gini(table.sum(axis=0))
    assert gini_split_from_counts(table) == pytest.approx(float(split), abs=1e-12)
    assert gini_gain_from_counts(table) == pytest.approx(float(parent - split), abs=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_gini_split_of_labels_matches_the_counts_api(seed):
    labels, feature = _labels_and_feature(seed)
    table = _contingency_table(labels.tolist(), feature.tolist())
    expected = float(_exact_gini_split(table.astype(int)))
    assert gini_split(labels, feature) == pytest.approx(expected, abs=1e-12)
    assert gini_split_from_counts(table) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("seed", SEEDS[:20])
def test_gini_from_counts_agrees_with_gini_of_labels(seed):
    labels = _random_labels(np.random.default_rng(seed))
    _, counts = np.unique(labels, return_counts=True)
    assert gini_from_counts(counts) == pytest.approx(gini(labels), abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from("abc"), st.integers(0, 3)),
        min_size=1,
        max_size=40,
    )
)
def test_gini_gain_lies_between_zero_and_the_parent_gini(pairs):
    labels, feature = [label for label, _ in pairs], [value for _, value in pairs]
    table = _contingency_table(labels, feature)
    gain = gini_gain_from_counts(table)
    assert -1e-12 <= gain <= gini(labels) + 1e-12
    assert gini_split(labels, feature) == pytest.approx(gini(labels) - gain, abs=1e-12)


def test_gini_split_exam_example():
    # High education: 4 high / 2 low income; low education: 1 high / 3 low.
    # Gini = 6/10·(1 − (2/3)² − (1/3)²) + 4/10·(1 − (1/4)² − (3/4)²) = 0.6·4/9 + 0.4·3/8
    expected = Fraction(6, 10) * Fraction(4, 9) + Fraction(4, 10) * Fraction(3, 8)
    assert gini_split_from_counts(EXAM_TABLE) == pytest.approx(float(expected), abs=1e-15)
    assert gini_gain_from_counts(EXAM_TABLE) == pytest.approx(0.5 - float(expected), abs=1e-15)
    income, education = _exam_labels_and_feature()
    assert gini_split(income, education) == pytest.approx(float(expected), abs=1e-15)


def test_gini_split_is_weighted_not_an_equal_mean():
    # One pure child of 1 sample, one 50/50 child of 8: the equal mean would be 0.25.
    assert gini_split_from_counts([[1, 0], [4, 4]]) == pytest.approx(8 / 9 * 0.5)


def test_gini_of_pure_children_is_zero_and_the_gain_is_the_parent_gini():
    table = [[3, 0, 0], [0, 5, 0], [0, 0, 2]]
    assert gini_split_from_counts(table) == 0.0
    assert gini_gain_from_counts(table) == pytest.approx(float(_exact_gini([3, 5, 2])))


def test_gini_from_counts_ignores_zero_classes():
    assert gini_from_counts([2, 0, 2]) == pytest.approx(0.5)
    assert gini_from_counts([0, 7]) == 0.0


@pytest.mark.parametrize("counts", [[3, -1], [0, 0], [], [[1, 2]], [1.0, np.nan], [np.inf, 1]])
def test_gini_from_counts_refuses_bad_counts(counts):
    with pytest.raises(ValueError):
        gini_from_counts(counts)


@pytest.mark.parametrize(
    "table", [[[4, -2], [1, 3]], [[4, 2], [0, 0]], [4, 2], np.zeros((0, 2)), [[1, np.nan]]]
)
@pytest.mark.parametrize("func", [gini_split_from_counts, gini_gain_from_counts])
def test_gini_tables_refuse_bad_input(func, table):
    with pytest.raises(ValueError):
        func(table)


def test_gini_split_refuses_bad_labels():
    with pytest.raises(ValueError):
        gini_split([], [])
    with pytest.raises(ValueError):
        gini_split(["a", "b"], [1])
