"""Precision in saturation, against an arbitrary-precision reference (mpmath, 50 digits).

σ, σ′ and tanh′ must hold their tiny true values where σ(a) or tanh(a) has
rounded to 1 — the values the fast paths would lose if they took ``1 − h`` at
face value — and so must the output gradient ``∂J/∂a^L`` that multiplies by
them. A reference value below the normal float64 range cannot be held to 1e-12
relative (subnormals carry fewer bits, and ``4 e^{−1400}`` is not representable
at all), so it is compared with an absolute tolerance of the smallest normal number.
"""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jacobian_bp as jbp

mpmath = pytest.importorskip("mpmath")
mp = mpmath.mp.clone()
mp.dps = 50

RTOL = 1e-12
TINY = sys.float_info.min  # the smallest normal float64
SATURATED = (30.0, 40.0, 700.0)
POINTS = tuple(sign * a for a in SATURATED for sign in (1.0, -1.0))


def sigmoid_reference(a: float):
    return 1 / (1 + mp.exp(-mp.mpf(a)))


def sigmoid_derivative_reference(a: float):
    return sigmoid_reference(a) * sigmoid_reference(-a)


def tanh_derivative_reference(a: float):
    return 1 / mp.cosh(mp.mpf(a)) ** 2


def assert_close(computed: float, reference) -> None:
    """``computed`` within RTOL of ``reference`` (or, below the normal range, within TINY of it)."""
    error = abs(mp.mpf(float(computed)) - reference)
    assert error <= RTOL * abs(reference) + TINY, f"{computed!r} against {mpmath.nstr(reference, 17)}"


def derivative_at(name: str, a: float) -> float:
    activation = jbp.get_activation(name)
    pre = np.array([a])
    return float(activation.derivative(pre, activation.value(pre))[0])


@pytest.mark.parametrize("a", POINTS)
def test_sigmoid_and_its_derivative_in_saturation(a: float) -> None:
    assert_close(jbp.get_activation("sigmoid").value(np.array([a]))[0], sigmoid_reference(a))
    assert_close(derivative_at("sigmoid", a), sigmoid_derivative_reference(a))


@pytest.mark.parametrize("a", POINTS)
def test_tanh_derivative_in_saturation(a: float) -> None:
    assert_close(derivative_at("tanh", a), tanh_derivative_reference(a))


@given(a=st.floats(-700.0, 700.0))
def test_sigmoid_derivative_is_precise_everywhere(a: float) -> None:
    assert_close(derivative_at("sigmoid", a), sigmoid_derivative_reference(a))


@given(a=st.floats(-700.0, 700.0))
def test_tanh_derivative_is_precise_everywhere(a: float) -> None:
    assert_close(derivative_at("tanh", a), tanh_derivative_reference(a))


def one_unit(activation: str) -> jbp.MLP:
    """``a = x``: one input, one output, W = 1 and b = 0, so ``∂J/∂b`` *is* the output gradient ``∂J/∂a``."""
    return jbp.MLP([1, 1], activation=activation, params={"W1": [[1.0]], "b1": [0.0]})


def output_gradient_reference(activation: str, loss: str, a: float, t: float):
    """``∂L/∂a`` for one example: ``(z − t) f′(a)`` for mse, ``σ(a) − t`` for bce.

    Worked with 400 digits: ``σ(700) − 1 = −σ(−700) ≈ −1e−304`` cancels 304 of them.
    """
    with mp.workdps(400):
        return +_output_gradient(activation, loss, a, t)


def _output_gradient(activation: str, loss: str, a: float, t: float):
    if activation == "sigmoid":
        z, derivative = sigmoid_reference(a), sigmoid_derivative_reference(a)
    else:
        z, derivative = mp.tanh(mp.mpf(a)), tanh_derivative_reference(a)
    return z - t if loss == "bce" else (z - t) * derivative


def saturated_cases() -> list[tuple[str, str, float, float]]:
    """Outputs saturated at a wrong target, or at 0 with a target of 0.

    Under mse, a sigmoid output that rounds to its own target 1 is left out:
    its ``∂L/∂z = z − t`` is taken from the stored ``z``, as the notes write it,
    and is exactly 0 there. Under bce every path computes it from the logit, so
    that case is in.
    """
    cases = []
    for a in POINTS:
        for t in (0.0, 0.5, 1.0):
            cases.append(("sigmoid", "bce", a, t))
            if not (a > 0 and t == 1.0):
                cases.append(("sigmoid", "mse", a, t))
        cases.append(("tanh", "mse", a, -np.sign(a)))  # a confidently wrong tanh output
        cases.append(("tanh", "mse", a, 0.0))
    return cases


@pytest.mark.parametrize("method", jbp.EXACT_METHODS)
@pytest.mark.parametrize(("activation", "loss", "a", "t"), saturated_cases())
def test_output_gradients_in_saturation(method: str, activation: str, loss: str, a: float, t: float) -> None:
    grads = jbp.gradient(one_unit(activation), [a], [t], loss=loss, method=method)
    assert_close(grads["b1"][0], output_gradient_reference(activation, loss, a, t))


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
@pytest.mark.parametrize("method", ["backprop", "outer"])
def test_no_overflow_warnings_at_a_thousand(activation: str, method: str) -> None:
    net = one_unit(activation)
    with warnings.catch_warnings(), np.errstate(over="warn", invalid="warn", divide="warn"):
        warnings.simplefilter("error")
        for a in (-1000.0, 1000.0):
            activation_fn = jbp.get_activation(activation)
            h = activation_fn.value(np.array([a]))
            activation_fn.derivative(np.array([a]), h)
            for t in (0.0, 1.0):
                jbp.gradient(net, [a], [t], loss="mse", method=method)
        if activation == "sigmoid":
            jbp.gradient(net, [[1000.0], [-1000.0]], [1.0, 0.0], loss="bce", method=method)


@pytest.mark.parametrize("spread", SATURATED)
def test_softmax_jacobian_keeps_its_diagonal_in_saturation(spread: float) -> None:
    """Where the largest output rounds to 1, its diagonal entry s(1 − s) is the sum of the others times s, not 0."""
    a = np.array([spread, 0.0, 1.0, -2.0])
    softmax = jbp.get_activation("softmax")
    jacobian = softmax.jacobian(a, softmax.value(a))
    with mp.workdps(800):
        exps = [mp.exp(mp.mpf(x)) for x in a]
        s = [e / sum(exps) for e in exps]
        for i in range(len(a)):
            for j in range(len(a)):
                assert_close(jacobian[i, j], s[i] * (1 - s[i]) if i == j else -s[i] * s[j])
