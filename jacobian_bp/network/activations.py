"""Activation functions, each with its value, its Jacobian and its products with vectors.

An element-wise activation ``h_i = f(a_i)`` has a *diagonal* Jacobian
``diag(f'(a))``: multiplying a row vector by it is the element-wise product
``g ⊙ f'(a)`` — the notes' ⊙ shortcut. Softmax mixes its inputs, so its
Jacobian ``diag(s) − s sᵀ`` is dense and the shortcut does not apply; every
path here multiplies by the real Jacobian instead.

All functions act on the last axis and broadcast over leading (batch) axes.
Given an object array of SymPy expressions, the element-wise functions hand
over to their SymPy versions (:mod:`jacobian_bp.network.dispatch`); the float64 code
below is untouched by that.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from jacobian_bp.errors import UnknownNameError
from jacobian_bp.network.dispatch import is_symbolic, symbolic_elementwise

Array = np.ndarray


@dataclass(frozen=True)
class Activation:
    """One activation function with everything a gradient path needs from it.

    >>> sigmoid = get_activation("sigmoid")
    >>> a = np.array([0.0, 2.0])
    >>> h = sigmoid.value(a)
    >>> sigmoid.jacobian(a, h).round(3)
    array([[0.25 , 0.   ],
           [0.   , 0.105]])
    >>> sigmoid.vjp(a, h, np.array([1.0, 1.0])).round(3)
    array([0.25 , 0.105])
    """

    name: str
    formula: str
    value: Callable[[Array], Array]
    #: ``f'(a)`` from ``(a, h)``; ``None`` for activations that are not element-wise.
    derivative: Callable[[Array, Array], Array] | None = None
    #: The dense Jacobian from ``(a, h)``, for activations that are not element-wise.
    dense_jacobian: Callable[[Array, Array], Array] | None = None
    #: ``v ↦ J v`` along ``axis`` without building ``J``, for non-element-wise activations.
    dense_product: Callable[[Array, Array, Array, int], Array] | None = None

    @property
    def elementwise(self) -> bool:
        """Whether ``h_i`` depends on ``a_i`` alone (then the Jacobian is diagonal)."""
        return self.derivative is not None

    def jacobian(self, a: Array, h: Array) -> Array:
        """``∂h/∂a``: shape ``a.shape + (n,)``, one ``n × n`` matrix per example."""
        if self.derivative is not None:
            return diagonal_matrices(self.derivative(a, h))
        assert self.dense_jacobian is not None
        return self.dense_jacobian(a, h)

    def vjp(self, a: Array, h: Array, g: Array, axis: int = -1) -> Array:
        """Row vector times Jacobian, ``g ∂h/∂a``, with the vectors along ``axis``."""
        if self.name == "identity":  # ∂h/∂a = I: nothing to multiply
            return g
        if self.derivative is not None:
            return g * self.derivative(a, h)
        assert self.dense_product is not None
        return self.dense_product(a, h, g, axis)

    def jvp(self, a: Array, h: Array, v: Array, axis: int = -1) -> Array:
        """Jacobian times column vector, ``∂h/∂a v`` (forward mode)."""
        # Both Jacobians here are symmetric (diagonal, or diag(s) − s sᵀ), so the
        # product from the right equals the product from the left.
        return self.vjp(a, h, v, axis)


def diagonal_matrices(diagonals: Array) -> Array:
    """Turn ``(..., n)`` diagonals into ``(..., n, n)`` diagonal matrices.

    >>> diagonal_matrices(np.array([1.0, 2.0]))
    array([[1., 0.],
           [0., 2.]])
    """
    n = diagonals.shape[-1]
    return diagonals[..., :, None] * np.eye(n, dtype=diagonals.dtype)


def sigmoid(a: Array) -> Array:
    """``1 / (1 + e^{−a})`` without overflow: ``e^{−|a|}`` never exceeds 1.

    >>> sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    array([0. , 0.5, 1. ])
    """
    if is_symbolic(a):
        return symbolic_elementwise().sigmoid(a)
    # e^{min(a, 0)} / (1 + e^{−|a|}): 1 / (1 + e^{−a}) for a ≥ 0 and e^a / (1 + e^a) for a < 0,
    # the same numbers as choosing between the two with np.where, without computing both.
    return np.exp(np.minimum(a, 0.0)) / (1.0 + np.exp(-np.abs(a)))


def _sigmoid_derivative(a: Array, h: Array) -> Array:
    if is_symbolic(a):
        return symbolic_elementwise().sigmoid_derivative(a)
    # σ(a)·σ(−a) rather than h·(1 − h): 1 − h rounds to 0 once σ(a) rounds to 1
    # (from a ≈ 37 on), while σ(−a) still holds the tiny true value.
    return h * sigmoid(-a)


def softmax(a: Array, axis: int = -1) -> Array:
    """``e^{a_i} / Σ_j e^{a_j}``, shifted by the maximum so it never overflows.

    >>> softmax(np.array([1000.0, 0.0, -1000.0])).round(6)
    array([1., 0., 0.])
    """
    if is_symbolic(a):
        return symbolic_elementwise().softmax(a, axis)
    shifted = np.exp(a - np.max(a, axis=axis, keepdims=True))
    return shifted / np.sum(shifted, axis=axis, keepdims=True)


def _tanh(a: Array) -> Array:
    if is_symbolic(a):
        return symbolic_elementwise().tanh(a)
    return np.tanh(a)


def _tanh_derivative(a: Array, h: Array) -> Array:
    if is_symbolic(a):
        return symbolic_elementwise().tanh_derivative(a)
    # 1 − tanh²(a) = 4 e^{−2|a|} / (1 + e^{−2|a|})²: the same number where tanh(a) is not
    # yet ±1, and the tiny true value, not 0, once tanh(a) has rounded to ±1 (from |a| ≈ 19).
    small = np.exp(-2.0 * np.abs(a))
    return 4.0 * small / (1.0 + small) ** 2


def _relu(a: Array) -> Array:
    if is_symbolic(a):
        return symbolic_elementwise().relu(a)
    return np.maximum(a, 0.0)


def _relu_derivative(a: Array, h: Array) -> Array:
    if is_symbolic(a):
        return symbolic_elementwise().relu_derivative(a)
    return (a > 0).astype(a.dtype)


def _identity(a: Array) -> Array:
    if is_symbolic(a):
        return a.copy()
    return a * 1.0


def _softmax_jacobian(a: Array, h: Array) -> Array:
    return diagonal_matrices(h) - h[..., :, None] * h[..., None, :]


def _softmax_product(a: Array, h: Array, g: Array, axis: int) -> Array:
    # g (diag(s) − s sᵀ) = s ⊙ (g − ⟨g, s⟩), computed without the n × n matrix.
    return h * (g - np.sum(g * h, axis=axis, keepdims=True))


ACTIVATIONS: dict[str, Activation] = {
    activation.name: activation
    for activation in (
        Activation("sigmoid", "σ(a) = 1 / (1 + e^(−a))", sigmoid, _sigmoid_derivative),
        Activation("tanh", "tanh(a)", _tanh, _tanh_derivative),
        Activation("relu", "max(a, 0)", _relu, _relu_derivative),
        Activation("identity", "a", _identity, lambda a, h: np.ones_like(a)),
        Activation(
            "softmax",
            "e^(a_i) / Σ_j e^(a_j)",
            softmax,
            dense_jacobian=_softmax_jacobian,
            dense_product=_softmax_product,
        ),
    )
}


def get_activation(name: str) -> Activation:
    """Look an activation up by name; an unknown name lists the valid ones.

    >>> get_activation("tanh").elementwise
    True
    """
    if name not in ACTIVATIONS:
        raise UnknownNameError.for_choice("activation", name, ACTIVATIONS)
    return ACTIVATIONS[name]
