"""The perceptron rule checked against a plain-Python loop, the notes' rule in
augmented form, and convergence on linearly separable data."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.solutions.perceptron import perceptron_epoch, perceptron_train, perceptron_update

SEEDS = range(60)


# --- independent oracles -----------------------------------------------------------


def naive_pass(w, w0, X, r, lr):
    """One online pass written with lists: (w, w0, updates)."""
    w, w0, updates = [float(v) for v in w], float(w0), 0
    for x, label in zip(X, r):
        g = sum(wi * xi for wi, xi in zip(w, x)) + w0
        if label * g <= 0:
            w = [wi + lr * label * xi for wi, xi in zip(w, x)]
            w0 += lr * label
            updates += 1
    return w, w0, updates


def naive_train(X, r, lr, w, w0, max_epochs=1000):
    """Passes until one makes no update: (w, w0, passes)."""
    for epoch in range(1, max_epochs + 1):
        w, w0, updates = naive_pass(w, w0, X, r, lr)
        if updates == 0:
            return w, w0, epoch
    return None


def notes_rule(w, w0, x, r, lr):
    """The notes' rule on augmented vectors: w̃ = (w0, w), x̃ = (1, x),
    if r w̃·x̃ ≤ 0 then w̃ ← w̃ + η r x̃."""
    w_aug = np.concatenate([[w0], w])
    x_aug = np.concatenate([[1.0], x])
    if r * (w_aug @ x_aug) <= 0:
        w_aug = w_aug + lr * r * x_aug
    return w_aug[1:], w_aug[0]


def integer_problem(seed):
    """Small integer data (many points meet the boundary exactly)."""
    rng = np.random.default_rng(seed)
    n, d = int(rng.integers(1, 12)), int(rng.integers(1, 5))
    X = rng.integers(-3, 4, size=(n, d)).astype(float)
    r = rng.choice([-1.0, 1.0], size=n)
    w = rng.integers(-2, 3, size=d).astype(float)
    w0 = float(rng.integers(-2, 3))
    lr = float(rng.choice([0.25, 0.5, 1.0, 2.0]))
    return w, w0, X, r, lr


def separable_problem(seed):
    """Points on both sides of a random hyperplane, at least 0.1 away from it."""
    rng = np.random.default_rng(seed)
    d, n = int(rng.integers(1, 5)), int(rng.integers(2, 40))
    normal, offset = rng.normal(size=d), rng.normal()
    X = rng.normal(scale=2.0, size=(4 * n, d))
    margin = (X @ normal + offset) / np.linalg.norm(normal)
    X = X[np.abs(margin) > 0.1][:n]
    r = np.where(X @ normal + offset > 0, 1.0, -1.0)
    return X, r


# --- one step and one pass ---------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_epoch_matches_a_plain_loop(seed):
    w, w0, X, r, lr = integer_problem(seed)
    got_w, got_w0, got_updates = perceptron_epoch(w, w0, X, r, lr)
    want_w, want_w0, want_updates = naive_pass(w, w0, X.tolist(), r.tolist(), lr)
    np.testing.assert_array_equal(got_w, want_w)
    assert got_w0 == want_w0 and got_updates == want_updates
    assert isinstance(got_w0, float) and isinstance(got_updates, int)


@settings(max_examples=150, deadline=None)
@given(
    st.integers(1, 3).flatmap(
        lambda d: st.tuples(
            st.lists(st.integers(-3, 3), min_size=d, max_size=d),
            st.integers(-3, 3),
            st.lists(
                st.tuples(
                    st.lists(st.integers(-3, 3), min_size=d, max_size=d),
                    st.sampled_from([-1, 1]),
                ),
                min_size=1,
                max_size=8,
            ),
            st.sampled_from([0.5, 1.0, 3.0]),
        )
    )
)
def test_epoch_matches_a_plain_loop_on_any_small_integer_data(case):
    w, w0, samples, lr = case
    X = [x for x, _ in samples]
    r = [label for _, label in samples]
    got_w, got_w0, got_updates = perceptron_epoch(w, w0, X, r, lr)
    want_w, want_w0, want_updates = naive_pass(w, w0, X, r, lr)
    np.testing.assert_array_equal(got_w, want_w)
    assert (got_w0, got_updates) == (want_w0, want_updates)


@pytest.mark.parametrize("seed", SEEDS)
def test_update_is_the_notes_rule_with_the_bias_as_a_weight(seed):
    w, w0, X, r, lr = integer_problem(seed)
    for x, label in zip(X, r):
        got_w, got_w0 = perceptron_update(w, w0, x, label, lr)
        want_w, want_w0 = notes_rule(w, w0, x, label, lr)
        np.testing.assert_array_equal(got_w, want_w)
        assert got_w0 == want_w0
        w, w0 = got_w, got_w0


def test_a_point_on_the_boundary_is_a_mistake():
    # g(x) = 0 from the zero start: r g = 0 ≤ 0, so the point updates w and w0.
    w, w0 = perceptron_update([0, 0], 0, [2, -1], -1, 0.5)
    np.testing.assert_array_equal(w, [-1.0, 0.5])
    assert w0 == -0.5
    # Exactly on the boundary with a non-zero w: 1·2 + 2·(−1) + 0 = 0.
    w, w0 = perceptron_update([1, 2], 0, [2, -1], 1)
    np.testing.assert_array_equal(w, [3.0, 1.0])
    assert w0 == 1.0


def test_a_correct_point_changes_nothing_and_inputs_are_not_modified():
    w = np.array([1.0, 1.0])
    new_w, new_w0 = perceptron_update(w, 0.5, [1, 1], 1)
    np.testing.assert_array_equal(new_w, [1.0, 1.0])
    assert new_w0 == 0.5
    new_w[0] = 99
    assert w[0] == 1.0
    X = np.array([[1.0, 2.0], [-1.0, 0.0]])
    w_start = np.zeros(2)
    perceptron_epoch(w_start, 0.0, X, [1, 1])
    np.testing.assert_array_equal(w_start, [0, 0])
    np.testing.assert_array_equal(X, [[1, 2], [-1, 0]])


def test_the_pass_is_online_not_batch():
    # Point 1 updates w to (1, 0), w0 = 1; point 2 is then already right.
    # A batch pass would test point 2 with the zero start and update twice.
    w, w0, updates = perceptron_epoch([0, 0], 0, [[1, 0], [2, 1]], [1, 1])
    np.testing.assert_array_equal(w, [1.0, 0.0])
    assert (w0, updates) == (1.0, 1)


def test_a_one_dimensional_X_is_one_feature():
    w, w0, updates = perceptron_epoch([0.0], 0.0, [1.0, -2.0], [1, -1])
    np.testing.assert_array_equal(w, [1.0])
    assert (w0, updates) == (1.0, 1)


# --- training to convergence ---------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_train_separates_separable_data_as_the_plain_loop_does(seed):
    X, r = separable_problem(seed)
    w, w0, epochs = perceptron_train(X, r, lr=0.5, max_epochs=1000)
    assert np.all(r * (X @ w + w0) > 0)
    want_w, want_w0, want_epochs = naive_train(X.tolist(), r.tolist(), 0.5, [0.0] * X.shape[1], 0)
    np.testing.assert_allclose(w, want_w, rtol=1e-12, atol=1e-12)
    assert w0 == pytest.approx(want_w0, abs=1e-12) and epochs == want_epochs


@pytest.mark.parametrize(
    "gate, labels", [("AND", [-1, -1, -1, 1]), ("OR", [-1, 1, 1, 1]), ("NAND", [1, 1, 1, -1])]
)
def test_train_learns_the_linearly_separable_gates(gate, labels):
    X = [[0, 0], [0, 1], [1, 0], [1, 1]]
    w, w0, epochs = perceptron_train(X, labels)
    assert np.all(np.array(labels) * (np.array(X) @ w + w0) > 0), gate
    assert epochs > 1


def test_train_on_or_by_hand():
    # From zero with η = 1 (worked by hand): passes 1–5 update 3, 1, 2, 2, 1 times and
    # pass 6 is clean, ending at w = (2, 2), w0 = −1.
    w, w0, epochs = perceptron_train([[0, 0], [0, 1], [1, 0], [1, 1]], [-1, 1, 1, 1])
    np.testing.assert_array_equal(w, [2.0, 2.0])
    assert (w0, epochs) == (-1.0, 6)


def test_train_counts_the_final_clean_pass_and_starts_where_told():
    X, r = [[1, 1], [-1, -1]], [1, -1]
    w, w0, epochs = perceptron_train(X, r, w=[1, 1], w0=0)
    np.testing.assert_array_equal(w, [1.0, 1.0])
    assert (w0, epochs) == (0.0, 1)


def test_train_refuses_xor_which_no_line_separates():
    with pytest.raises(ValueError, match="separable"):
        perceptron_train([[0, 0], [0, 1], [1, 0], [1, 1]], [-1, 1, 1, -1], max_epochs=50)


# --- bad inputs ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda: perceptron_epoch([0, 0], 0, [[1, 2]], [0]),  # labels are ±1, not 0/1
        lambda: perceptron_epoch([0, 0], 0, [[1, 2]], [1, -1]),  # one label per row
        lambda: perceptron_epoch([0, 0, 0], 0, [[1, 2]], [1]),  # one weight per feature
        lambda: perceptron_epoch([0, 0], 0, [[1, np.nan]], [1]),
        lambda: perceptron_epoch([0, 0], 0, np.zeros((0, 2)), []),
        lambda: perceptron_epoch([0, 0], 0, [[1, 2]], [1], lr=0),
        lambda: perceptron_epoch([0, 0], 0, [[1, 2]], [1], lr=-1),
        lambda: perceptron_epoch([0, 0], None, [[1, 2]], [1]),
        lambda: perceptron_update([0, 0], 0, [[1, 2]], 1),
        lambda: perceptron_update([0, 0], 0, [1, 2], 2),
        lambda: perceptron_update([0, 0], float("inf"), [1, 2], 1),
        lambda: perceptron_train([[1, 2]], [1], max_epochs=0),
        lambda: perceptron_train([[1, 2]], [1], max_epochs=2.5),
    ],
)
def test_bad_inputs_raise_value_error(call):
    with pytest.raises(ValueError):
        call()
