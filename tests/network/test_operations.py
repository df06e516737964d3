"""Every registered operation: its Jacobian is the derivative of its value, its products agree."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jacobian_bp as jbp
from jacobian_bp.network import affine

ACTIVATIONS = list(jbp.ACTIVATIONS.values())
LOSSES = list(jbp.LOSSES.values())


def numeric_jacobian(f, x: np.ndarray, step: float = 1e-6) -> np.ndarray:
    """Central differences of any array function, laid out as out.shape + in.shape."""
    out_shape = np.shape(f(x))
    J = np.zeros(out_shape + x.shape)
    for index in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[index] += step
        minus[index] -= step
        J[(..., *index)] = (f(plus) - f(minus)) / (2 * step)
    return J


def away_from_zero(values: np.ndarray) -> np.ndarray:
    return np.where(np.abs(values) < 1e-3, 0.5, values)


vectors = st.integers(1, 5).flatmap(
    lambda n: st.lists(st.floats(-4, 4, allow_nan=False), min_size=n, max_size=n).map(np.array)
)


@pytest.mark.parametrize("activation", ACTIVATIONS, ids=lambda a: a.name)
@given(a=vectors)
def test_activation_jacobian_is_the_derivative(activation: jbp.Activation, a: np.ndarray) -> None:
    a = away_from_zero(a)  # ReLU's kink
    h = activation.value(a)
    np.testing.assert_allclose(activation.jacobian(a, h), numeric_jacobian(activation.value, a), atol=1e-7)


@pytest.mark.parametrize("activation", ACTIVATIONS, ids=lambda a: a.name)
@given(a=vectors, seed=st.integers(0, 1000))
def test_activation_products_match_the_jacobian(activation: jbp.Activation, a: np.ndarray, seed: int) -> None:
    g = np.random.default_rng(seed).normal(size=a.shape)
    h = activation.value(a)
    J = activation.jacobian(a, h)
    np.testing.assert_allclose(activation.vjp(a, h, g), g @ J, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(activation.jvp(a, h, g), J @ g, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("activation", ACTIVATIONS, ids=lambda a: a.name)
def test_activation_works_on_batches_and_columns(activation: jbp.Activation) -> None:
    rng = np.random.default_rng(0)
    A, G = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    H = activation.value(A)
    rows = activation.vjp(A, H, G)
    columns = activation.vjp(A.T, H.T, G.T, axis=0)
    np.testing.assert_allclose(columns.T, rows, rtol=1e-12)
    per_example = np.stack([activation.vjp(A[p], H[p], G[p]) for p in range(4)])
    np.testing.assert_allclose(rows, per_example, rtol=1e-12)
    assert activation.jacobian(A, H).shape == (4, 3, 3)


def test_elementwise_activations_have_diagonal_jacobians_and_softmax_dense() -> None:
    a = np.array([0.3, -1.2, 2.0])
    for activation in ACTIVATIONS:
        J = jbp.Jacobian(activation.jacobian(a, activation.value(a)), (3,), (3,))
        assert J.structure == (
            "dense" if activation.name == "softmax" else "identity" if activation.name == "identity" else "diagonal"
        )
        assert activation.elementwise == (activation.name != "softmax")


def test_relu_subgradient_at_zero_is_zero() -> None:
    relu = jbp.get_activation("relu")
    a = np.array([-1.0, 0.0, 1.0])
    np.testing.assert_array_equal(np.diagonal(relu.jacobian(a, relu.value(a))), [0.0, 0.0, 1.0])


@pytest.mark.parametrize("loss", LOSSES, ids=lambda loss: loss.name)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 5))
def test_loss_gradient_is_the_derivative(loss: jbp.Loss, seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    a = rng.normal(size=n)
    output = jbp.get_activation(loss.output_activation or "identity")
    z = output.value(a)
    t = np.eye(n)[rng.integers(n)] if loss.name == "cross_entropy" else rng.uniform(0, 1, size=n)

    # The value is computed from the logits a; differentiate it through z = f(a) via a.
    def of_logits(logits: np.ndarray) -> np.ndarray:
        return loss.per_example(output.value(logits), t, logits)

    d_L_d_a = numeric_jacobian(of_logits, a)
    by_chain = loss.gradient(z, t) @ output.jacobian(a, z)
    np.testing.assert_allclose(by_chain, d_L_d_a, atol=1e-7)


def test_mse_is_half_the_squared_error_summed_over_units() -> None:
    z, t = np.array([[0.2, 0.9], [1.0, 0.0]]), np.array([[0.0, 1.0], [1.0, 1.0]])
    expected = np.array([0.5 * (0.2**2 + 0.1**2), 0.5 * 1.0])
    np.testing.assert_allclose(jbp.get_loss("mse").per_example(z, t, z), expected)
    assert jbp.get_loss("mse").value(z, t, z) == pytest.approx(expected.mean())


def test_cross_entropies_match_their_textbook_formulas_away_from_saturation() -> None:
    a = np.array([[0.3, -1.0, 2.0]])
    t = np.array([[0.0, 0.0, 1.0]])
    s = np.exp(a) / np.exp(a).sum()
    ce = jbp.get_loss("cross_entropy")
    assert ce.per_example(s, t, a)[0] == pytest.approx(-np.log(s[0, 2]))
    z = 1 / (1 + np.exp(-a))
    tb = np.array([[1.0, 0.0, 0.25]])
    bce = jbp.get_loss("bce")
    expected = -np.sum(tb * np.log(z) + (1 - tb) * np.log(1 - z))
    assert bce.per_example(z, tb, a)[0] == pytest.approx(expected)


def test_saturated_inputs_stay_finite_and_correct() -> None:
    a = np.array([-1000.0, 0.0, 1000.0])
    sigmoid, softmax = jbp.get_activation("sigmoid"), jbp.get_activation("softmax")
    # Underflow to 0 is the right answer here; overflow, 0/0 and x/0 are not.
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        h = sigmoid.value(a)
        np.testing.assert_array_equal(h, [0.0, 0.5, 1.0])
        np.testing.assert_array_equal(np.diagonal(sigmoid.jacobian(a, h)), [0.0, 0.25, 0.0])
        s = softmax.value(a)
        np.testing.assert_allclose(s, [0.0, 0.0, 1.0])
        assert np.isfinite(softmax.jacobian(a, s)).all()
        bce, ce = jbp.get_loss("bce"), jbp.get_loss("cross_entropy")
        # log(1 + e^1000) − 0 = 1000 for a confidently wrong output; ≈ 0 for a right one.
        np.testing.assert_allclose(bce.per_example(h[None], np.array([[1.0, 1.0, 0.0]]), a[None]), [2000.0 + np.log(2)])
        np.testing.assert_allclose(ce.per_example(s[None], np.array([[1.0, 0.0, 0.0]]), a[None]), [2000.0])
        np.testing.assert_allclose(ce.per_example(s[None], np.array([[0.0, 0.0, 1.0]]), a[None]), [0.0], atol=1e-300)
        # Confidently right: the gradient is finite and ∂L/∂z · ∂z/∂a is (z − t) = 0.
        right = bce.gradient(h, np.array([0.0, 1.0, 1.0]))
        assert np.isfinite(right).all()


def test_sigmoid_derivative_keeps_tiny_values_where_the_output_rounds_to_one() -> None:
    sigmoid = jbp.get_activation("sigmoid")
    a = np.array([40.0])
    assert sigmoid.value(a)[0] == 1.0
    assert sigmoid.derivative(a, sigmoid.value(a))[0] == pytest.approx(np.exp(-40.0), rel=1e-12)


@given(m=st.integers(1, 4), n=st.integers(1, 4), seed=st.integers(0, 1000))
def test_affine_jacobians_are_the_derivatives(m: int, n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    W, b, h = rng.normal(size=(m, n)), rng.normal(size=m), rng.normal(size=n)
    np.testing.assert_allclose(affine.d_a_d_h(W), numeric_jacobian(lambda v: affine.value(W, b, v), h), atol=1e-8)
    np.testing.assert_allclose(affine.d_a_d_b(m), numeric_jacobian(lambda v: affine.value(W, v, h), b), atol=1e-8)
    np.testing.assert_allclose(affine.d_a_d_W(h, m), numeric_jacobian(lambda v: affine.value(v, b, h), W), atol=1e-8)
    g = rng.normal(size=m)
    np.testing.assert_allclose(affine.vjp_W(h, g), np.tensordot(g, affine.d_a_d_W(h, m), axes=1), rtol=1e-12)
    np.testing.assert_allclose(affine.vjp_h(W, g), g @ affine.d_a_d_h(W), rtol=1e-12)


def test_unknown_names_list_the_valid_choices() -> None:
    with pytest.raises(jbp.UnknownNameError, match="'sigmoid', 'tanh', 'relu', 'identity', 'softmax'"):
        jbp.get_activation("swish")
    with pytest.raises(jbp.UnknownNameError, match="'mse', 'bce', 'cross_entropy'"):
        jbp.get_loss("hinge")


def test_tanh_derivative_keeps_tiny_values_where_the_output_rounds_to_one() -> None:
    tanh = jbp.get_activation("tanh")
    a = np.array([-30.0, 27.0])
    assert np.all(np.abs(tanh.value(a)) == 1.0)
    expected = 1.0 / np.cosh(a) ** 2  # sech² computed independently
    np.testing.assert_allclose(tanh.derivative(a, tanh.value(a)), expected, rtol=1e-12)
