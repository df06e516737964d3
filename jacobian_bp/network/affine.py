"""The affine layer ``a = W h + b`` and its three local Jacobians: ∂a/∂h = W, ∂a/∂b = I, the tensor ∂a/∂W.

``∂a/∂h = W``; ``∂a/∂b = I``; ``∂a/∂W`` has shape ``(m, m, n)`` and entries
``∂a_i/∂W_kj = δ_ik h_j`` — slice ``i`` holds ``hᵀ`` in row ``i`` and zeros
elsewhere, so a row ``g`` times it is the outer product ``gᵀ hᵀ``.
"""

from __future__ import annotations

import numpy as np

Array = np.ndarray


def value(W: Array, b: Array, h: Array) -> Array:
    """``a = W h + b`` for one example ``h`` of shape ``(n,)`` or a batch ``(N, n)``.

    >>> value(np.array([[1.0, 2.0]]), np.array([0.5]), np.array([3.0, 4.0]))
    array([11.5])
    """
    return h @ W.T + b


def d_a_d_h(W: Array) -> Array:
    """``∂a/∂h = W``, shape ``(m, n)``."""
    return W


def d_a_d_b(m: int, dtype: type | np.dtype = float) -> Array:
    """``∂a/∂b = I``, shape ``(m, m)``."""
    return np.eye(m, dtype=dtype)


def d_a_d_W(h: Array, m: int) -> Array:
    """``∂a/∂W``, shape ``(..., m, m, n)``: ``δ_ik h_j`` for every example.

    >>> d_a_d_W(np.array([1.0, 2.0]), 3)[1]
    array([[0., 0.],
           [1., 2.],
           [0., 0.]])
    """
    return np.eye(m, dtype=h.dtype)[:, :, None] * h[..., None, None, :]


def vjp_h(W: Array, g: Array) -> Array:
    """``g ∂a/∂h = g W`` for row vectors ``g`` of shape ``(..., m)``."""
    return g @ W


def vjp_W(h: Array, g: Array) -> Array:
    """``g ∂a/∂W`` summed over the batch: the outer product ``gᵀ h``, shape ``(m, n)``.

    >>> vjp_W(np.array([1.0, 2.0]), np.array([3.0]))
    array([[3., 6.]])
    """
    if g.ndim == 1:
        return np.outer(g, h)
    return g.T @ h


def vjp_b(g: Array) -> Array:
    """``g ∂a/∂b = g`` summed over the batch."""
    return g if g.ndim == 1 else g.sum(axis=0)
