"""Activation functions (the notes' forward pass and ∂h/∂a): each one's value, Jacobian and product with a row vector.

An element-wise ``f`` has the diagonal Jacobian ``diag(f'(a))``, so a row times
it is ``g ⊙ f'(a)``; softmax's ``diag(s) − s sᵀ`` is dense. Functions act on the
last axis and broadcast over batch axes; object arrays of SymPy expressions go
to :mod:`jacobian_bp.network.sympy_functions`.
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
    #: The points where ``f`` is not differentiable (ReLU: 0), in increasing order; empty for a smooth ``f``.
    kinks: tuple[float, ...] = ()

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

    def piece(self, a: Array) -> Array:
        """Which smooth piece of ``f`` each entry of ``a`` lies on: how many kinks lie below it.

        A kink itself counts with the piece below it, as the derivative does
        (ReLU's subgradient at 0 is 0). Two values on different pieces are
        separated by a kink: a finite difference between them does not measure ``f'``.

        >>> get_activation("relu").piece(np.array([-1.0, 0.0, 1e-9])), get_activation("tanh").piece(np.ones(2))
        (array([0, 0, 1]), array([0, 0]))
        """
        pieces = np.zeros(np.shape(a), dtype=int)
        for kink in self.kinks:
            pieces += a > kink
        return pieces

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


#: Where σ(1 − σ) or 1 − tanh² falls below this, ``h`` lies within about 1% of ±1 and ``1 − |h|`` keeps
#: only the bits ``h`` had left below 1: measured against mpmath the textbook formulas stay within
#: 2e-14 relative above it and lose every digit once ``h`` rounds to ±1 (from ``|a| ≈ 37`` for σ).
SATURATION = 1e-2


def exact_where_saturated(derivative: Array, a: Array, exact: Callable[[Array], Array]) -> Array:
    """Replace the entries of ``derivative`` below :data:`SATURATION` by ``exact`` of their ``a``.

    The textbook formulas need no ``exp``, only the ``h`` the forward pass
    stored; the test is one comparison and a count, and only saturated entries
    (usually few) pay for the exact formula's ``exp``.

    >>> a = np.array([0.0, 40.0])
    >>> h = sigmoid(a)
    >>> h * (1.0 - h)  # the textbook formula loses σ′(40) = e^{−40} ≈ 4.2e-18 once σ(40) rounds to 1
    array([0.25, 0.  ])
    >>> exact_where_saturated(h * (1.0 - h), a, sigmoid_derivative_exact)
    array([2.50000000e-01, 4.24835426e-18])
    """
    derivative = np.asarray(derivative)  # numpy returns a scalar, not an array, for 0-d operands
    saturated = derivative < SATURATION
    # A count, not .any(): it skips the setup of a ufunc reduction, and this runs for every layer of every pass.
    if np.count_nonzero(saturated):
        derivative[saturated] = exact(np.asarray(a)[saturated])
    return derivative


def sigmoid(a: Array) -> Array:
    """``1 / (1 + e^{−a})``, the textbook formula: one ``exp``, accurate to a few ulps for every ``a``.

    For ``a < −709``, ``e^{−a}`` overflows to infinity and ``1 / (1 + ∞)`` is 0:
    the true value is below the normal float64 range there, so the overflow is
    expected and not reported.

    >>> sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    array([0. , 0.5, 1. ])
    """
    if is_symbolic(a):
        return symbolic_elementwise().sigmoid(a)
    return _sigmoid_of_numbers(a)


# The decorator costs less per call than a `with np.errstate(...)` block, and every layer of every pass calls this.
@np.errstate(over="ignore")
def _sigmoid_of_numbers(a: Array) -> Array:
    return 1.0 / (1.0 + np.exp(-a))


def sigmoid_derivative_exact(a: Array) -> Array:
    """``σ′(a) = e^{−|a|} / (1 + e^{−|a|})²``: accurate to the last bits for every ``a``, at the price of an ``exp``.

    σ′ is even, and written in ``e^{−|a|} ≤ 1`` it neither overflows nor rounds
    away: at ``a = 40``, where ``σ(a)`` has rounded to 1, it still gives ``e^{−40}``.

    >>> float(sigmoid_derivative_exact(np.array([40.0]))[0]) == float(np.exp(-40.0))
    True
    """
    small = np.exp(-np.abs(a))
    return small / (1.0 + small) ** 2


def _sigmoid_derivative(a: Array, h: Array) -> Array:
    if is_symbolic(a):
        return symbolic_elementwise().sigmoid_derivative(a)
    # The textbook σ′ = σ(1 − σ), from the h the forward pass stored: no exp in the backward pass.
    return exact_where_saturated(h * (1.0 - h), a, sigmoid_derivative_exact)


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


def tanh_derivative_exact(a: Array) -> Array:
    """``tanh′(a) = 4 e^{−2|a|} / (1 + e^{−2|a|})²``: accurate to the last bits for every ``a``, for an ``exp``.

    The same number as ``1 − tanh²(a)``, but it keeps the tiny true value where
    ``tanh(a)`` has rounded to ±1 (from ``|a| ≈ 19``).

    >>> float(tanh_derivative_exact(np.array([30.0]))[0]) == float(4.0 * np.exp(-60.0))
    True
    """
    small = np.exp(-2.0 * np.abs(a))
    return 4.0 * small / (1.0 + small) ** 2


def _tanh_derivative(a: Array, h: Array) -> Array:
    if is_symbolic(a):
        return symbolic_elementwise().tanh_derivative(a)
    # The textbook 1 − tanh², from the h the forward pass stored.
    return exact_where_saturated(1.0 - h * h, a, tanh_derivative_exact)


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
    """``diag(s) − s sᵀ``, its diagonal ``s_i (1 − s_i)`` kept to its tiny true value where ``s_i`` rounds to 1.

    >>> s = softmax(np.array([30.0, 0.0]))
    >>> float(_softmax_jacobian(None, s)[0, 0]) > 0  # s₀ rounds to 1, but s₀(1 − s₀) = s₀ s₁ ≈ 9.4e-14
    True
    """
    if is_symbolic(h):
        return diagonal_matrices(h) - h[..., :, None] * h[..., None, :]
    jacobian = -h[..., :, None] * h[..., None, :]
    # 1 − s_i is the sum of the other outputs. Only the largest output can be near 1, where 1 − s_i cancels
    # to 0; for it, add up the others instead (all small and positive: nothing cancels).
    largest = np.arange(h.shape[-1]) == np.argmax(h, axis=-1)[..., None]
    others = np.sum(np.where(largest, 0.0, h), axis=-1, keepdims=True)
    np.einsum("...ii->...i", jacobian)[...] = h * np.where(largest, others, 1.0 - h)
    return jacobian


def _softmax_product(a: Array, h: Array, g: Array, axis: int) -> Array:
    # g (diag(s) − s sᵀ) = s ⊙ (g − ⟨g, s⟩), computed without the n × n matrix.
    return h * (g - np.sum(g * h, axis=axis, keepdims=True))


ACTIVATIONS: dict[str, Activation] = {
    activation.name: activation
    for activation in (
        Activation("sigmoid", "σ(a) = 1 / (1 + e^(−a))", sigmoid, _sigmoid_derivative),
        Activation("tanh", "tanh(a)", _tanh, _tanh_derivative),
        Activation("relu", "max(a, 0)", _relu, _relu_derivative, kinks=(0.0,)),
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
