"""PCA checked against numpy.cov and numpy.linalg.eigh on seeded random data."""

import numpy as np
import pytest

from tutor.solutions.pca import (
    components_for_variance,
    covariance,
    explained_variance_ratio,
    pca,
    project,
    reconstruct,
    reconstruction_error,
)

SEEDS = range(50)


def _random_data(rng):
    """n x d correlated data with an offset, n in 2..20, d in 1..5 (n <= d happens)."""
    d = int(rng.integers(1, 6))
    n = int(rng.integers(2, 21))
    mixing = rng.normal(size=(d, d))
    return rng.normal(size=(n, d)) @ mixing + rng.normal(scale=5.0, size=d)


def _well_separated_data(rng):
    """Full-rank data whose eigenvalues are all distinct (relative gap >= 1e-6).

    Only then is each eigenvector defined up to sign, so it can be compared.
    """
    while True:
        d = int(rng.integers(1, 6))
        X = rng.normal(size=(int(rng.integers(d + 2, 21)), d)) @ rng.normal(size=(d, d))
        eigenvalues = np.linalg.eigvalsh(np.cov(X, rowvar=False).reshape(d, d))
        scale = eigenvalues.max()
        if eigenvalues.min() > 1e-6 * scale and np.all(np.diff(eigenvalues) > 1e-6 * scale):
            return X


def _oracle_cov(X):
    d = X.shape[1]
    return np.cov(X, rowvar=False).reshape(d, d)


def _oracle_eigenvectors(X):
    """Unit eigenvectors of the sample covariance as rows, by descending eigenvalue."""
    _, eigenvectors = np.linalg.eigh(_oracle_cov(X))
    return eigenvectors[:, ::-1].T


def _atol(X):
    return 1e-10 * max(1.0, np.abs(_oracle_cov(X)).max())


# --- covariance ------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_covariance_matches_numpy_cov(seed):
    X = _random_data(np.random.default_rng(seed))
    np.testing.assert_allclose(covariance(X), _oracle_cov(X), rtol=1e-10, atol=_atol(X))


def test_covariance_divides_by_n_minus_one():
    X = np.array([[0.0], [2.0]])  # deviations +-1: sum of squares 2, over n-1 = 1
    np.testing.assert_array_equal(covariance(X), [[2.0]])


@pytest.mark.parametrize("seed", SEEDS[:10])
def test_covariance_is_symmetric_positive_semidefinite(seed):
    X = _random_data(np.random.default_rng(seed))
    S = covariance(X)
    np.testing.assert_allclose(S, S.T, atol=1e-12)
    assert np.linalg.eigvalsh(S).min() >= -_atol(X)


# --- pca -----------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_pca_eigenvalues_match_eigvalsh_descending(seed):
    X = _random_data(np.random.default_rng(seed))
    eigenvalues, _ = pca(X)
    expected = np.sort(np.linalg.eigvalsh(_oracle_cov(X)))[::-1]
    np.testing.assert_allclose(eigenvalues, expected, rtol=1e-9, atol=_atol(X))
    assert np.all(np.diff(eigenvalues) <= 0)
    assert np.all(eigenvalues >= 0)


@pytest.mark.parametrize("seed", SEEDS)
def test_pca_components_are_orthonormal_rows(seed):
    X = _random_data(np.random.default_rng(seed))
    _, V = pca(X)
    d = X.shape[1]
    assert V.shape == (d, d)
    np.testing.assert_allclose(V @ V.T, np.eye(d), atol=1e-10)


@pytest.mark.parametrize("seed", SEEDS)
def test_pca_components_are_eigenvectors_of_the_covariance(seed):
    X = _random_data(np.random.default_rng(seed))
    eigenvalues, V = pca(X)
    S = _oracle_cov(X)
    for lam, v in zip(eigenvalues, V):
        np.testing.assert_allclose(S @ v, lam * v, atol=_atol(X) * 10)


@pytest.mark.parametrize("seed", SEEDS)
def test_pca_components_match_eigh_up_to_sign(seed):
    X = _well_separated_data(np.random.default_rng(seed))
    _, V = pca(X)
    expected = _oracle_eigenvectors(X)
    for v, ref in zip(V, expected):
        np.testing.assert_allclose(v, np.sign(v @ ref) * ref, atol=1e-7)


@pytest.mark.parametrize("seed", SEEDS)
def test_pca_sign_convention_largest_entry_positive(seed):
    X = _well_separated_data(np.random.default_rng(seed))
    _, V = pca(X)
    for v in V:
        assert v[np.argmax(np.abs(v))] > 0


def test_pca_sign_convention_on_a_known_axis():
    # Variance only along [1, -2]/sqrt(5): the component must be [-1, 2]/sqrt(5).
    t = np.array([-1.0, 0.5, 2.0, -3.0])
    X = np.outer(t, [1.0, -2.0])
    eigenvalues, V = pca(X, k=1)
    np.testing.assert_allclose(V[0], np.array([-1.0, 2.0]) / np.sqrt(5), atol=1e-12)
    np.testing.assert_allclose(eigenvalues[0], 5 * np.var(t, ddof=1), rtol=1e-12)


@pytest.mark.parametrize("seed", SEEDS[:20])
def test_pca_k_keeps_the_first_k_components(seed):
    X = _well_separated_data(np.random.default_rng(seed))
    all_values, all_components = pca(X)
    for k in range(1, X.shape[1] + 1):
        values, components = pca(X, k=k)
        assert values.shape == (k,) and components.shape == (k, X.shape[1])
        np.testing.assert_allclose(values, all_values[:k], rtol=1e-12)
        np.testing.assert_allclose(components, all_components[:k], atol=1e-12)


def test_pca_accepts_a_numpy_integer_k():
    X = _well_separated_data(np.random.default_rng(3))
    values, _ = pca(X, k=np.int64(1))
    assert values.shape == (1,)


# --- explained variance ratio ----------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_explained_variance_ratio_is_share_of_total(seed):
    X = _random_data(np.random.default_rng(seed))
    eigenvalues, _ = pca(X)
    expected_values = np.clip(np.sort(np.linalg.eigvalsh(_oracle_cov(X)))[::-1], 0, None)
    ratio = explained_variance_ratio(eigenvalues)
    np.testing.assert_allclose(ratio, expected_values / expected_values.sum(), atol=1e-10)
    assert ratio.sum() == pytest.approx(1.0, abs=1e-12)
    assert np.all(ratio >= 0)


def test_explained_variance_ratio_on_known_values():
    np.testing.assert_allclose(explained_variance_ratio([3.0, 1.0, 0.0]), [0.75, 0.25, 0.0])


@pytest.mark.parametrize("bad", [[0.0, 0.0], [2.0, -1.0], [[1.0, 2.0]], []])
def test_explained_variance_ratio_rejects_bad_eigenvalues(bad):
    with pytest.raises(ValueError):
        explained_variance_ratio(bad)


# --- project ---------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_project_is_centred_data_times_components(seed):
    X = _random_data(np.random.default_rng(seed))
    _, V = pca(X)
    expected = np.array([[v @ (x - X.mean(axis=0)) for v in V] for x in X])
    np.testing.assert_allclose(project(X, V), expected, atol=1e-10 * np.abs(X).max())


@pytest.mark.parametrize("seed", SEEDS)
def test_projected_columns_have_the_eigenvalues_as_variances(seed):
    X = _random_data(np.random.default_rng(seed))
    eigenvalues, V = pca(X)
    scores = project(X, V)
    np.testing.assert_allclose(scores.mean(axis=0), 0.0, atol=1e-10 * np.abs(X).max())
    # Scores are uncorrelated, with the eigenvalues as their sample variances.
    score_cov = np.cov(scores, rowvar=False).reshape(len(eigenvalues), len(eigenvalues))
    np.testing.assert_allclose(score_cov, np.diag(eigenvalues), atol=_atol(X) * 10)


@pytest.mark.parametrize("seed", SEEDS[:10])
def test_project_uses_the_given_mean(seed):
    rng = np.random.default_rng(seed)
    X = _random_data(rng)
    _, V = pca(X)
    mean = rng.normal(size=X.shape[1])
    np.testing.assert_allclose(project(X, V, mean=mean), (X - mean) @ V.T, atol=1e-12)


def test_project_rejects_mismatched_dimensions():
    with pytest.raises(ValueError):
        project(np.ones((4, 3)), np.eye(2))


# --- bad input -----------------------------------------------------------------


@pytest.mark.parametrize(
    "X",
    [
        np.ones((1, 3)),  # one sample
        np.ones(5),  # 1-D
        np.ones((4, 0)),  # no feature
        np.array([[1.0, np.nan], [2.0, 3.0], [0.0, 1.0]]),
        np.array([[1.0, np.inf], [2.0, 3.0], [0.0, 1.0]]),
    ],
)
@pytest.mark.parametrize("func", [covariance, pca])
def test_bad_data_raises(func, X):
    with pytest.raises(ValueError):
        func(X)


@pytest.mark.parametrize("k", [0, 4, -1, 1.5, "2", True])
def test_bad_k_raises(k):
    X = np.random.default_rng(0).normal(size=(10, 3))
    with pytest.raises(ValueError):
        pca(X, k=k)


# --- the worked example of the exam notes ------------------------------------------

EXAM_POINTS = np.array([[2.5, 2.4], [0.4, 0.7], [2.2, 2.9]])  # A, B, C


def test_exam_example_covariance():
    np.testing.assert_allclose(covariance(EXAM_POINTS), np.cov(EXAM_POINTS.T), rtol=1e-12)


def test_exam_example_notes_misprint_cov_xx():
    # The notes print cov(x, x) = 1.26; (0.8^2 + 1.3^2 + 0.5^2) / 2 = 1.29.
    assert abs(covariance(EXAM_POINTS)[0, 0] - 1.26) > 1e-3
    assert covariance(EXAM_POINTS)[0, 0] == pytest.approx((0.8**2 + 1.3**2 + 0.5**2) / 2)


def test_exam_example_centres_on_the_mean():
    _, V = pca(EXAM_POINTS)
    mean = [1.7, 2.0]
    np.testing.assert_allclose(project(EXAM_POINTS, V), project(EXAM_POINTS, V, mean), atol=1e-12)


def test_exam_example_eigen_decomposition():
    eigenvalues, V = pca(EXAM_POINTS)
    expected_vectors = _oracle_eigenvectors(EXAM_POINTS)
    expected_values = np.linalg.eigvalsh(np.cov(EXAM_POINTS.T))[::-1]
    np.testing.assert_allclose(eigenvalues, expected_values, rtol=1e-12)
    for v, ref in zip(V, expected_vectors):
        np.testing.assert_allclose(v, np.sign(v @ ref) * ref, atol=1e-12)
        assert v[np.argmax(np.abs(v))] > 0


# --- ties in magnitude: the first entry decides the sign ---------------------------------

# Orthonormal axes with entries tied in magnitude, e.g. [1, -1, 1] / sqrt(3).
TIED_AXES = [
    np.array([[1, -1, 1], [1, 1, 0], [1, -1, -2]]) / np.sqrt([[3], [2], [6]]),
    np.array([[2, -2, 1], [2, 1, -2], [1, 2, 2]]) / 3.0,
]


def _data_along_axes(rng, axes):
    """Data whose sample covariance has exactly the rows of axes as eigenvectors."""
    n = 12
    Z = rng.normal(size=(n, 3))
    scores, _ = np.linalg.qr(Z - Z.mean(axis=0))  # centred, orthonormal columns
    return (scores * np.array([5.0, 2.0, 0.7]) * np.sqrt(n - 1)) @ axes + rng.normal(size=3)


def test_pca_sign_convention_with_tied_entries_uses_the_first():
    for seed in range(20):
        rng = np.random.default_rng(seed)
        X = _data_along_axes(rng, TIED_AXES[seed % 2] * rng.choice([-1, 1], size=(3, 1)))
        _, V = pca(X)
        for v in V:
            tied = np.flatnonzero(np.isclose(np.abs(v), np.abs(v).max(), rtol=1e-9, atol=0))
            assert v[tied[0]] > 0, (seed, v)


# --- reconstruction, its error, and the components a share of variance needs -----------


def _svd_axes(X):
    """Principal axes from the SVD of the centred data (rows of Vᵀ), and the
    eigenvalues s² / (n − 1): an oracle independent of eigh."""
    centred = X - X.mean(axis=0)
    _, s, Vt = np.linalg.svd(centred, full_matrices=True)
    values = np.zeros(X.shape[1])
    values[: len(s)] = s**2 / (X.shape[0] - 1)
    return Vt, values


@pytest.mark.parametrize("seed", SEEDS)
def test_projection_matches_the_svd_scores_up_to_sign(seed):
    X = _well_separated_data(np.random.default_rng(seed))
    _, V = pca(X)
    Vt, _ = _svd_axes(X)
    centred = X - X.mean(axis=0)
    U, s, _ = np.linalg.svd(centred, full_matrices=False)
    scores = project(X, V)
    svd_scores = U * s  # the centred data in the SVD's axes
    for j in range(X.shape[1]):
        sign = np.sign(V[j] @ Vt[j])
        np.testing.assert_allclose(scores[:, j], sign * svd_scores[:, j], atol=1e-8 * s[0])


@pytest.mark.parametrize("seed", SEEDS)
def test_reconstruct_with_every_component_gives_the_data_back(seed):
    X = _random_data(np.random.default_rng(seed))
    Vt, _ = _svd_axes(X)
    mean = X.mean(axis=0)
    np.testing.assert_allclose(
        reconstruct(project(X, Vt, mean), Vt, mean), X, atol=1e-9 * max(1, np.abs(X).max())
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_reconstruct_is_the_orthogonal_projection_onto_the_kept_axes(seed):
    rng = np.random.default_rng(seed)
    X = _random_data(rng)
    d = X.shape[1]
    Vt, _ = _svd_axes(X)
    k = int(rng.integers(1, d + 1))
    mean = X.mean(axis=0)
    rebuilt = reconstruct(project(X, Vt[:k], mean), Vt[:k], mean)
    # x̂ = μ + P(x − μ) with the projector P = V_kᵀ V_k, built column by column here.
    projector = sum(np.outer(v, v) for v in Vt[:k])
    np.testing.assert_allclose(rebuilt, mean + (X - mean) @ projector, atol=1e-9 * np.abs(X).max())
    # The residual is orthogonal to the kept axes.
    np.testing.assert_allclose((X - rebuilt) @ Vt[:k].T, 0, atol=1e-9 * np.abs(X).max())


def test_reconstruct_one_point_and_the_shapes():
    axes = np.array([[0.6, 0.8]])
    np.testing.assert_allclose(reconstruct([5.0], axes, [1.0, 2.0]), [4.0, 6.0])
    np.testing.assert_allclose(reconstruct([[5.0], [-5.0]], axes, [1.0, 2.0]), [[4, 6], [-2, -2]])
    with pytest.raises(ValueError):
        reconstruct([[1.0, 2.0]], axes, [0.0, 0.0])  # two scores for one axis
    with pytest.raises(ValueError):
        reconstruct([1.0], axes, [0.0, 0.0, 0.0])  # mean of the wrong length
    with pytest.raises(ValueError):
        reconstruct([np.nan], axes, [0.0, 0.0])


@pytest.mark.parametrize("seed", SEEDS)
def test_reconstruction_error_is_n_minus_one_times_the_dropped_eigenvalues(seed):
    rng = np.random.default_rng(seed)
    X = _random_data(rng)
    n, d = X.shape
    eigenvalues, V = pca(X)
    for k in range(1, d + 1):
        error = reconstruction_error(X, V[:k], X.mean(axis=0))
        expected = (n - 1) * eigenvalues[k:].sum()
        assert error == pytest.approx(expected, rel=1e-8, abs=1e-8 * (n - 1) * eigenvalues.sum())


@pytest.mark.parametrize("seed", SEEDS)
def test_reconstruction_error_by_pythagoras(seed):
    # ‖x − μ‖² = ‖z‖² + ‖x − x̂‖² for every point, with any orthonormal axes and centre.
    rng = np.random.default_rng(seed)
    X = _random_data(rng)
    d = X.shape[1]
    axes, _ = np.linalg.qr(rng.normal(size=(d, d)))
    k = int(rng.integers(1, d + 1))
    kept = axes.T[:k]
    centre = rng.normal(size=d)
    scores = (X - centre) @ kept.T
    expected = float(((X - centre) ** 2).sum() - (scores**2).sum())
    error = reconstruction_error(X, kept, centre)
    assert error == pytest.approx(expected, rel=1e-8, abs=1e-9 * ((X - centre) ** 2).sum())
    # and point by point, from a loop
    loop = 0.0
    for x in X:
        rebuilt = centre + sum((v @ (x - centre)) * v for v in kept)
        loop += float(((x - rebuilt) ** 2).sum())
    assert error == pytest.approx(loop, rel=1e-8, abs=1e-9 * ((X - centre) ** 2).sum())


def test_reconstruction_error_of_a_hand_worked_example():
    # Axis (0.6, 0.8) through (1, 2): x = (4, 2) has x − μ = (3, 0), z = 1.8,
    # x̂ = (2.08, 3.44), residual (1.92, −1.44), squared 3.6864 + 2.0736 = 5.76 = (−2.4)²
    # (the score on the dropped axis (−0.8, 0.6) is −2.4).
    error = reconstruction_error([[4.0, 2.0]], [[0.6, 0.8]], [1.0, 2.0])
    assert error == pytest.approx(5.76)


def test_reconstruction_error_refuses_axes_that_are_not_orthonormal():
    X = np.ones((3, 2))
    for axes in ([[1.0, 1.0]], [[1.0, 0.0], [0.6, 0.8]], [[1.0, 0.0, 0.0]], [[np.nan, 1.0]]):
        with pytest.raises(ValueError):
            reconstruction_error(X, axes, [0.0, 0.0])
    with pytest.raises(ValueError):
        reconstruction_error(X, [[1.0, 0.0]], [0.0])
    with pytest.raises(ValueError):
        reconstruction_error(np.ones(3), [[1.0, 0.0]], [0.0, 0.0])


def _needed_by_loop(eigenvalues, share):
    ordered = sorted(eigenvalues, reverse=True)
    total, running = sum(ordered), 0.0
    for m, value in enumerate(ordered, start=1):
        running += value
        if running / total >= share - 1e-12:
            return m
    return len(ordered)


@pytest.mark.parametrize("seed", SEEDS)
def test_components_for_variance_matches_a_loop(seed):
    rng = np.random.default_rng(seed)
    eigenvalues = rng.exponential(size=int(rng.integers(1, 8)))
    for share in (0.5, 0.8, 0.9, 0.95, 0.99, 1.0, float(rng.uniform(0.01, 1))):
        needed = components_for_variance(rng.permutation(eigenvalues), share)
        assert needed == _needed_by_loop(eigenvalues, share)
        assert isinstance(needed, int) and 1 <= needed <= len(eigenvalues)


def test_components_for_variance_on_known_values():
    assert components_for_variance([6.0, 3.0, 1.0], 0.9) == 2  # 0.6, 0.9 reaches it exactly
    assert components_for_variance([6.0, 3.0, 1.0], 0.91) == 3
    assert components_for_variance([6.0, 3.0, 1.0], 0.6) == 1
    assert components_for_variance([1.0, 3.0, 6.0], 0.9) == 2  # order does not matter
    assert components_for_variance([2.7, 0.3], 0.9) == 1  # 2.7 / 3 rounds below 0.9
    assert components_for_variance([5.0, 0.0], 1.0) == 1
    # The notes' example: 2.53 / 2.59 = 0.977 of the variance in one component.
    assert components_for_variance([0.06, 2.53], 0.95) == 1


@pytest.mark.parametrize(
    "eigenvalues, share",
    [
        ([1.0, 2.0], 0.0),
        ([1.0, 2.0], 1.5),
        ([1.0, 2.0], -0.1),
        ([1.0, 2.0], float("nan")),
        ([1.0, 2.0], "0.9"),
        ([1.0, 2.0], True),
        ([0.0, 0.0], 0.9),
        ([-1.0, 2.0], 0.9),
        ([[1.0, 2.0]], 0.9),
    ],
)
def test_components_for_variance_rejects_bad_input(eigenvalues, share):
    with pytest.raises(ValueError):
        components_for_variance(eigenvalues, share)
