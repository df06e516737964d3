"""The notes' 2-3-1 sigmoid network: their closed forms, written out here independently."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jacobian_bp as jbp


def sigma(v: float) -> float:
    return 1.0 / (1.0 + math.exp(-v))


def sigma_prime(v: float) -> float:
    return sigma(v) * (1.0 - sigma(v))


def notes_gradients(W1, b1, W2, b2, X, T) -> dict:
    """The notes' per-weight formulas, one scalar at a time, summed over the training set.

    ∂J/∂w²ᵢ  = −(1/N) Σ_p (t − z) σ'(a²) hᵢ
    ∂J/∂b²   = −(1/N) Σ_p (t − z) σ'(a²)
    ∂J/∂w¹ᵢⱼ = −(1/N) Σ_p (t − z) σ'(a²) w²ᵢ σ'(a¹ᵢ) xⱼ
    ∂J/∂b¹ᵢ  = −(1/N) Σ_p (t − z) σ'(a²) w²ᵢ σ'(a¹ᵢ)
    """
    N = len(X)
    g = {"W1": np.zeros((3, 2)), "b1": np.zeros(3), "W2": np.zeros((1, 3)), "b2": np.zeros(1)}
    for x, t in zip(X, T, strict=True):
        a1 = [W1[i][0] * x[0] + W1[i][1] * x[1] + b1[i] for i in range(3)]
        h = [sigma(v) for v in a1]
        a2 = W2[0][0] * h[0] + W2[0][1] * h[1] + W2[0][2] * h[2] + b2[0]
        z = sigma(a2)
        front = -(t - z) * sigma_prime(a2) / N
        g["b2"][0] += front
        for i in range(3):
            g["W2"][0, i] += front * h[i]
            g["b1"][i] += front * W2[0][i] * sigma_prime(a1[i])
            for j in range(2):
                g["W1"][i, j] += front * W2[0][i] * sigma_prime(a1[i]) * x[j]
    return g


@given(seed=st.integers(0, 10_000), N=st.integers(1, 6))
def test_closed_forms_equal_every_method(seed: int, N: int) -> None:
    rng = np.random.default_rng(seed)
    net = jbp.notes_network(seed=seed % 50)
    X, T = rng.uniform(-2, 2, size=(N, 2)), rng.uniform(0, 1, size=N)
    p = net.params
    expected = notes_gradients(p["W1"].tolist(), p["b1"].tolist(), p["W2"].tolist(), p["b2"].tolist(), X, T)
    for method in jbp.METHODS:
        got = jbp.gradient(net, X, T, loss="mse", method=method)
        tolerance = {"rtol": 1e-5, "atol": 1e-6} if method == "numeric" else {"rtol": 1e-10, "atol": 1e-12}
        for name in expected:
            np.testing.assert_allclose(got[name], expected[name], **tolerance, err_msg=f"{method} {name}")


def test_loss_is_the_notes_mse() -> None:
    net = jbp.notes_network()
    X, T = np.array([[1.0, 0.5], [-1.0, 2.0], [0.0, 0.0]]), np.array([1.0, 0.0, 0.5])
    p = net.params
    total = 0.0
    for x, t in zip(X, T, strict=True):
        h = [sigma(p["W1"][i] @ x + p["b1"][i]) for i in range(3)]
        z = sigma(sum(p["W2"][0, i] * h[i] for i in range(3)) + p["b2"][0])
        total += (t - z) ** 2
    assert net.loss(X, T, loss="mse") == pytest.approx(total / (2 * len(X)), rel=1e-12)


def test_chain_has_the_conventions_shapes_and_structures() -> None:
    net = jbp.notes_network()
    chain = jbp.jacobian_chain(net, np.array([1.0, 0.5]), 1.0, wrt="W1", loss="mse")
    assert [f.shape for f in chain.factors] == [(1,), (1, 1), (1, 3), (3, 3), (3, 3, 2)]
    assert [f.notation for f in chain.factors] == ["R^{1×1}", "R^{1×1}", "R^{1×3}", "R^{3×3}", "R^{3×(3×2)}"]
    assert [f.name for f in chain.factors] == ["∂J/∂z", "∂z/∂a²", "∂a²/∂h¹", "∂h¹/∂a¹", "∂a¹/∂W¹"]
    assert chain.factors[3].structure == "diagonal"
    assert chain.factors[4].structure == "block-sparse"
    assert chain.factors[4].matrix.shape == (3, 6)
    assert chain.contract(method="reshape").shape == (3, 2)


def test_d_a_d_W_slices_are_the_notes_matrices() -> None:
    x = np.array([0.7, -1.3])
    chain = jbp.jacobian_chain(jbp.notes_network(), x, 0.0, wrt="W1")
    d_a_d_W = chain.factors[-1].array
    for i in range(3):
        expected = np.zeros((3, 2))
        expected[i] = x  # ∂a¹ᵢ/∂W¹ is zero except row i, which holds xᵀ
        np.testing.assert_array_equal(d_a_d_W[i], expected)
    flattened = np.array(
        [[x[0], x[1], 0, 0, 0, 0], [0, 0, x[0], x[1], 0, 0], [0, 0, 0, 0, x[0], x[1]]],
    )
    np.testing.assert_array_equal(chain.factors[-1].matrix, flattened)


def test_d_h_d_a_is_the_diagonal_of_sigma_prime() -> None:
    net = jbp.notes_network()
    x = np.array([1.0, 0.5])
    chain = jbp.jacobian_chain(net, x, 1.0, wrt="W1")
    a1 = net.params["W1"] @ x + net.params["b1"]
    np.testing.assert_allclose(chain.factors[3].array, np.diag([sigma_prime(v) for v in a1]), rtol=1e-14)


def test_softmax_jacobian_is_detected_dense() -> None:
    net = jbp.MLP([2, 3], activation="softmax")
    chain = jbp.jacobian_chain(net, np.array([0.3, -0.2]), np.array([0.0, 1.0, 0.0]), wrt="W1", loss="cross_entropy")
    assert chain.factors[1].structure == "dense"


def test_gradient_wrt_the_input() -> None:
    net = jbp.notes_network()
    x = np.array([1.0, 0.5])
    d_J_d_x = jbp.jacobian_chain(net, x, 1.0, wrt="x").contract().array
    step = 1e-6
    numeric = [(net.loss(x + step * e, 1.0) - net.loss(x - step * e, 1.0)) / (2 * step) for e in np.eye(2)]
    np.testing.assert_allclose(d_J_d_x, numeric, rtol=1e-6, atol=1e-9)
