"""Categorical naive Bayes checked against exact brute-force counting with
fractions.Fraction, including a case whose products underflow in floats."""

import math
from fractions import Fraction

import numpy as np
import pytest

from tutor.solutions.bayes import (
    naive_bayes_likelihoods,
    naive_bayes_posterior,
    naive_bayes_predict,
    naive_bayes_priors,
    naive_bayes_scores,
)

SEEDS = range(60)
ALPHAS = [Fraction(1), Fraction(1, 2), Fraction(2), Fraction(0)]


# --- the brute-force oracle ----------------------------------------------------------


def exact_model(X, y, x, alpha):
    """(classes, priors, likelihoods, posteriors) as Fractions, by counting."""
    classes = sorted(set(y))
    n, d = len(X), len(x)
    priors, likelihoods, scores = [], [], []
    for c in classes:
        members = [row for row, label in zip(X, y) if label == c]
        prior = Fraction(len(members), n)
        row_likelihoods = []
        for j in range(d):
            n_values = len({row[j] for row in X})
            count = sum(1 for row in members if row[j] == x[j])
            row_likelihoods.append((count + alpha) / (len(members) + alpha * n_values))
        priors.append(prior)
        likelihoods.append(row_likelihoods)
        scores.append(prior * math.prod(row_likelihoods))
    total = sum(scores)
    posteriors = [s / total for s in scores] if total else None
    return classes, priors, likelihoods, posteriors


def random_table(seed, n_features=None):
    """A random categorical table of ints or strings and a query from its values."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 25))
    d = int(rng.integers(1, 5)) if n_features is None else n_features
    n_classes = int(rng.integers(1, 4))
    codes = rng.integers(0, rng.integers(1, 4, size=d), size=(n, d))
    as_strings = rng.random() < 0.5
    X = [[f"v{c}" if as_strings else int(c) for c in row] for row in codes]
    y = [f"class-{c}" if as_strings else int(c) for c in rng.integers(0, n_classes, size=n)]
    x = [X[int(rng.integers(n))][j] for j in range(d)]
    return X, y, x


def floats(values):
    return np.array([float(v) for v in values])


# --- against the oracle ------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_priors_likelihoods_and_scores_match_counting(seed):
    X, y, x = random_table(seed)
    alpha = ALPHAS[seed % 4]
    classes, priors, likelihoods, _ = exact_model(X, y, x, alpha)
    np.testing.assert_allclose(naive_bayes_priors(y), floats(priors), rtol=1e-12)
    got = naive_bayes_likelihoods(X, y, x, float(alpha))
    assert got.shape == (len(classes), len(x))
    np.testing.assert_allclose(got, [floats(row) for row in likelihoods], rtol=1e-12)
    scores = [p * math.prod(row) for p, row in zip(priors, likelihoods)]
    np.testing.assert_allclose(naive_bayes_scores(X, y, x, float(alpha)), floats(scores))


@pytest.mark.parametrize("seed", SEEDS)
def test_posteriors_and_prediction_match_counting(seed):
    X, y, x = random_table(seed)
    alpha = ALPHAS[seed % 4]
    classes, _, _, posteriors = exact_model(X, y, x, alpha)
    if posteriors is None:  # alpha = 0 and a zero count in every class: 0/0
        with pytest.raises(ValueError):
            naive_bayes_posterior(X, y, x, float(alpha))
        return
    got = naive_bayes_posterior(X, y, x, float(alpha))
    np.testing.assert_allclose(got, floats(posteriors), rtol=1e-12, atol=1e-15)
    assert got.sum() == pytest.approx(1.0)
    best = max(posteriors)
    assert naive_bayes_predict(X, y, x, float(alpha)) == next(
        c for c, p in zip(classes, posteriors) if p == best
    )


def test_many_features_do_not_underflow():
    # 800 features: each product of likelihoods is far below the smallest double,
    # yet the exact posterior (Fractions) is an ordinary number.
    rng = np.random.default_rng(7)
    X = rng.integers(0, 3, size=(12, 800)).tolist()
    y = ["a"] * 6 + ["b"] * 6
    x = X[0]
    assert np.all(naive_bayes_scores(X, y, x) == 0)  # the product as written underflows
    _, _, _, posteriors = exact_model(X, y, x, Fraction(1))
    got = naive_bayes_posterior(X, y, x)
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got, floats(posteriors), rtol=1e-9, atol=1e-300)
    assert naive_bayes_predict(X, y, x) == "a"


def test_laplace_smoothing_makes_each_features_values_sum_to_one():
    # The notes' denominator N_C + 1 does not: with |V| = 3 values it gives (N_C + 3)/(N_C + 1).
    X = [["s", "h"], ["s", "n"], ["r", "h"], ["o", "n"], ["r", "n"], ["s", "h"], ["o", "h"]]
    y = ["no", "yes", "yes", "yes", "no", "no", "yes"]
    for value_set, j in (({"s", "r", "o"}, 0), ({"h", "n"}, 1)):
        totals = 0
        for value in value_set:
            query = ["s", "h"]
            query[j] = value
            totals = totals + naive_bayes_likelihoods(X, y, query)[:, j]
        np.testing.assert_allclose(totals, [1.0, 1.0])


def test_a_hand_worked_table():
    # 3 "no" (rows 1, 5, 6) and 3 "yes"; query (s, h).
    # P(s|no) = (2+1)/(3+3) = 1/2, P(h|no) = (2+1)/(3+2) = 3/5;
    # P(s|yes) = (1+1)/(3+3) = 1/3, P(h|yes) = (1+1)/(3+2) = 2/5.
    # Scores: 1/2·1/2·3/5 = 3/20 and 1/2·1/3·2/5 = 1/15; posteriors 9/13 and 4/13.
    X = [["s", "h"], ["s", "n"], ["r", "h"], ["o", "n"], ["r", "n"], ["s", "h"]]
    y = ["no", "yes", "yes", "yes", "no", "no"]
    np.testing.assert_allclose(
        naive_bayes_likelihoods(X, y, ["s", "h"]), [[1 / 2, 3 / 5], [1 / 3, 2 / 5]]
    )
    np.testing.assert_allclose(naive_bayes_posterior(X, y, ["s", "h"]), [9 / 13, 4 / 13])
    assert naive_bayes_predict(X, y, ["s", "h"]) == "no"


def test_without_smoothing_a_zero_count_gives_probability_zero():
    X = [[0], [0], [1], [1]]
    y = ["a", "a", "b", "b"]
    np.testing.assert_array_equal(naive_bayes_posterior(X, y, [0], alpha=0), [1.0, 0.0])
    assert naive_bayes_posterior(X, y, [0], alpha=1)[1] > 0


def test_zero_likelihood_for_every_class_is_refused():
    X = [[0, 0], [1, 1]]
    y = ["a", "b"]
    with pytest.raises(ValueError, match="alpha"):
        naive_bayes_posterior(X, y, [0, 1], alpha=0)


def test_an_unseen_query_value_has_count_zero_and_does_not_enlarge_the_value_set():
    X = [["a"], ["b"], ["a"]]
    y = [1, 1, 2]
    np.testing.assert_allclose(naive_bayes_likelihoods(X, y, ["z"]), [[1 / 4], [1 / 3]])


def test_one_sample_one_class():
    np.testing.assert_array_equal(naive_bayes_posterior([["a"]], ["c"], ["a"]), [1.0])
    assert naive_bayes_predict([["a"]], ["c"], ["a"]) == "c"


def test_numpy_inputs_are_accepted():
    X = np.array([["a", "x"], ["b", "y"], ["a", "y"]])
    y = np.array(["p", "q", "p"])
    expected = naive_bayes_posterior(X.tolist(), y.tolist(), ["a", "y"])
    np.testing.assert_allclose(naive_bayes_posterior(X, y, np.array(["a", "y"])), expected)
    assert naive_bayes_predict(X, y, ["a", "y"]) == "p"


@pytest.mark.parametrize(
    "X, y, x, alpha",
    [
        ([["a"], ["b"]], ["p"], ["a"], 1),  # lengths differ
        ([["a", "b"], ["b"]], ["p", "q"], ["a", "b"], 1),  # ragged rows
        ([["a"], ["b"]], ["p", "q"], ["a", "b"], 1),  # query of the wrong length
        ([["a"], ["b"]], ["p", "q"], ["a"], -1),
        ([["a"], ["b"]], ["p", "q"], ["a"], float("inf")),
        ([["a"], ["b"]], ["p", "q"], ["a"], "1"),
        ([["a"], ["b"]], ["p", 1], ["a"], 1),  # labels that cannot be sorted
        ([], [], [], 1),
        ([[]], ["p"], [], 1),
        ("ab", ["p", "q"], ["a"], 1),
        ([[["a"]], [["b"]]], ["p", "q"], [["a"]], 1),  # unhashable values
    ],
)
def test_bad_inputs_raise_value_error(X, y, x, alpha):
    with pytest.raises(ValueError):
        naive_bayes_posterior(X, y, x, alpha)


def test_priors_reject_empty_labels():
    with pytest.raises(ValueError):
        naive_bayes_priors([])
