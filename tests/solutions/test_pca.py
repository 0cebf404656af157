"""PCA checked against numpy.cov and numpy.linalg.eigh on seeded random data."""

import numpy as np
import pytest

from tutor.solutions.pca import covariance, explained_variance_ratio, pca, project

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
