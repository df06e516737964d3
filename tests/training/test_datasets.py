"""The built-in toy datasets: shapes, contents, determinism and input checks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jacobian_bp as jbp
from jacobian_bp.training.datasets import DATASETS, circles, moons, one_hot, regression, spiral, xor

BINARY = {"xor": xor, "moons": moons, "circles": circles}


def test_xor_is_the_four_corners_and_their_xor() -> None:
    X, T = xor()
    for (x1, x2), t in zip(X, T[:, 0], strict=True):
        assert t == float(int(x1) ^ int(x2))
    assert sorted(map(tuple, X)) == [(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)]


def test_xor_repeats_and_jitters_the_corners() -> None:
    X, T = xor(n=12, noise=0.1, seed=3)
    assert X.shape == (12, 2) and T.shape == (12, 1)
    clean, clean_T = xor(n=12)
    np.testing.assert_array_equal(T, clean_T)
    assert 0 < np.max(np.abs(X - clean)) < 1.0


def test_moons_and_circles_without_noise_have_their_geometry() -> None:
    X, T = circles(n=40, noise=0.0, factor=0.3)
    radius = np.linalg.norm(X, axis=1)
    np.testing.assert_allclose(radius[T[:, 0] == 0], 1.0)
    np.testing.assert_allclose(radius[T[:, 0] == 1], 0.3)
    X, T = moons(n=40, noise=0.0)
    upper, lower = X[T[:, 0] == 0], X[T[:, 0] == 1]
    np.testing.assert_allclose(np.linalg.norm(upper, axis=1), 1.0)
    np.testing.assert_allclose(np.linalg.norm(lower - [1.0, 0.5], axis=1), 1.0)
    assert (upper[:, 1] >= -1e-12).all() and (lower[:, 1] <= 0.5 + 1e-12).all()


def test_regression_is_a_noisy_sine() -> None:
    X, T = regression(n=50, noise=0.0)
    assert X.shape == T.shape == (50, 1)
    np.testing.assert_allclose(T, np.sin(X))
    assert X.min() == pytest.approx(-np.pi) and X.max() == pytest.approx(np.pi)
    _, noisy = regression(n=50, noise=0.1)
    assert 0 < np.std(noisy - T) < 0.2


def test_spiral_has_one_hot_arms_of_growing_radius() -> None:
    X, T = spiral(n_per_class=20, classes=4, noise=0.0)
    assert X.shape == (80, 2) and T.shape == (80, 4)
    np.testing.assert_array_equal(T.sum(axis=1), 1.0)
    np.testing.assert_array_equal(T.sum(axis=0), 20.0)
    for c in range(4):
        np.testing.assert_allclose(np.linalg.norm(X[T[:, c] == 1], axis=1), np.linspace(0, 1, 20), atol=1e-12)


@given(st.sampled_from(sorted(DATASETS)), st.integers(0, 2**31), st.integers(1, 30))
def test_every_dataset_is_deterministic_per_seed_and_well_formed(name: str, seed: int, size: int) -> None:
    generate = DATASETS[name]
    kwargs = {"n_per_class": size} if name == "spiral" else {"n": 4 * size if name == "xor" else size + 1}
    X, T = generate(seed=seed, **kwargs)
    X_again, T_again = generate(seed=seed, **kwargs)
    np.testing.assert_array_equal(X, X_again)
    np.testing.assert_array_equal(T, T_again)
    assert X.dtype == T.dtype == np.float64
    assert X.ndim == T.ndim == 2 and X.shape[0] == T.shape[0]
    assert np.isfinite(X).all() and np.isfinite(T).all()
    if name in BINARY:
        assert set(np.unique(T)) <= {0.0, 1.0}


@pytest.mark.parametrize("name", ["moons", "circles", "regression", "spiral"])
def test_different_seeds_give_different_noise(name: str) -> None:
    first, second = DATASETS[name](seed=0), DATASETS[name](seed=1)
    assert any(not np.array_equal(a, b) for a, b in zip(first, second, strict=True))


def test_datasets_train_with_their_recipes() -> None:
    # Every dataset is the right shape for its recipe's network and loss (one epoch is enough to check).
    from jacobian_bp.training.recipes import RECIPES

    for name, recipe in RECIPES.items():
        X, T = recipe.data(seed=0)
        history = jbp.train(recipe.network(seed=0), X, T, loss=recipe.loss, lr=recipe.lr, epochs=1)
        assert np.isfinite(history.final_loss), name


def test_one_hot_rows() -> None:
    np.testing.assert_array_equal(one_hot(np.array([1, 0, 1]), 2), [[0, 1], [1, 0], [0, 1]])
    np.testing.assert_array_equal(one_hot(np.array([2.0]), 3), [[0, 0, 1]])


# ------------------------------------------------------------------------------------------------ bad input


@pytest.mark.parametrize("name", sorted(DATASETS))
@pytest.mark.parametrize(
    "n, error",
    [
        (0, jbp.InvalidArgumentError),
        (-4, jbp.InvalidArgumentError),
        (2.5, jbp.InputTypeError),
        (True, jbp.InputTypeError),
    ],
)
def test_sizes_must_be_positive_whole_numbers(name: str, n: object, error: type) -> None:
    size_name = "n_per_class" if name == "spiral" else "n"
    with pytest.raises(error, match=size_name):
        DATASETS[name](**{size_name: n})


@pytest.mark.parametrize("name", sorted(DATASETS))
@pytest.mark.parametrize("noise", [-0.1, float("nan"), float("inf")])
def test_noise_must_be_finite_and_non_negative(name: str, noise: float) -> None:
    with pytest.raises(jbp.InvalidArgumentError, match="noise must be a finite number ≥ 0"):
        DATASETS[name](noise=noise)


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_seed_must_be_a_non_negative_whole_number(name: str) -> None:
    with pytest.raises(jbp.InvalidArgumentError, match="seed must be at least 0"):
        DATASETS[name](seed=-1)
    with pytest.raises(jbp.InputTypeError, match="seed must be a whole number"):
        DATASETS[name](seed="zero")


def test_dataset_specific_arguments() -> None:
    with pytest.raises(jbp.InvalidArgumentError, match="multiple of 4"):
        xor(n=6)
    with pytest.raises(jbp.InvalidArgumentError, match=r"in \(0, 1\)"):
        circles(factor=1.5)
    with pytest.raises(jbp.InvalidArgumentError, match=r"in \(0, 1\)"):
        circles(factor=0.0)
    with pytest.raises(jbp.InvalidArgumentError, match="classes must be at least 2"):
        spiral(classes=1)
    with pytest.raises(jbp.InputTypeError, match="noise must be a real number"):
        moons(noise="lots")


def test_one_hot_rejects_bad_labels() -> None:
    with pytest.raises(jbp.InvalidArgumentError, match=r"label 5 .* out of range"):
        one_hot([0, 5], 3)
    with pytest.raises(jbp.ShapeError, match=r"shape \(N,\)"):
        one_hot([[0, 1]], 3)
    with pytest.raises(jbp.InputTypeError, match="whole class indices"):
        one_hot(["a"], 3)
