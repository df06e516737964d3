"""Loss functions: the value per example, and its gradient with respect to the output ``z``.

Every loss sums over the output units of one example and the network's loss
``J`` averages over the examples of the batch, so for the notes' ``"mse"``
``J = 1/(2N) Σ_p ‖t⁽ᵖ⁾ − z⁽ᵖ⁾‖²``.

``bce`` and ``cross_entropy`` are evaluated from the pre-activation ``a`` of
the output layer (the logits), which keeps the value finite when the output
saturates at exactly 0 or 1. Paired with their own output activation they
also have a fused gradient ``∂L/∂a = z − t``: the product ``∂L/∂z · ∂z/∂a``
worked out by hand, used by the efficient paths.

On object arrays of SymPy expressions the exp/log helpers hand over to SymPy
(:mod:`jacobian_bp.network.dispatch`), so the same losses work symbolically.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from jacobian_bp.errors import NonFiniteError, UnknownNameError
from jacobian_bp.network.activations import sigmoid
from jacobian_bp.network.dispatch import is_symbolic, symbolic_elementwise

Array = np.ndarray


@dataclass(frozen=True)
class Loss:
    """One loss: per-example value and gradient with respect to ``z``.

    >>> mse = get_loss("mse")
    >>> z, t = np.array([[0.75]]), np.array([[1.0]])
    >>> mse.per_example(z, t, z), mse.gradient(z, t)
    (array([0.03125]), array([[-0.25]]))
    """

    name: str
    formula: str
    #: ``L⁽ᵖ⁾`` for each example from ``(z, t, a)``, summed over the output units.
    per_example: Callable[[Array, Array, Array], Array]
    #: ``∂L⁽ᵖ⁾/∂z⁽ᵖ⁾`` from ``(z, t)``, same shape as ``z``; pass the logits ``a`` too where known,
    #: for full precision when ``z`` is within rounding of 1.
    gradient: Callable[..., Array]
    #: The output activation the loss is defined on, or ``None`` for any.
    output_activation: str | None = None

    def value(self, z: Array, t: Array, a: Array) -> float:
        """The batch loss ``J``: the mean of the per-example losses."""
        return float(np.mean(self.per_example(z, t, a)))


def _softplus(a: Array) -> Array:
    if is_symbolic(a):
        return symbolic_elementwise().softplus(a)
    # log(1 + e^a) = max(a, 0) + log(1 + e^(−|a|)): no overflow for large |a|.
    return np.maximum(a, 0.0) + np.log1p(np.exp(-np.abs(a)))


def _log_sum_exp(a: Array) -> Array:
    if is_symbolic(a):
        return symbolic_elementwise().log_sum_exp(a)
    largest = np.max(a, axis=-1, keepdims=True)
    return largest[..., 0] + np.log(np.sum(np.exp(a - largest), axis=-1))


def _divide_where_weighted(weight: Array, denominator: Array) -> Array:
    """``weight / denominator``, exactly 0 where the weight is 0.

    A target of exactly 0 or 1 removes one of the two terms of the
    cross-entropy, so its (possibly zero) denominator must not be evaluated.
    """
    if is_symbolic(weight) or is_symbolic(denominator):
        return weight / denominator
    out = np.zeros(np.broadcast_shapes(weight.shape, denominator.shape))
    with np.errstate(divide="ignore"):
        np.divide(weight, denominator, out=out, where=np.broadcast_to(weight != 0, out.shape))
    return out


def _bce_gradient(z: Array, t: Array, a: Array | None = None) -> Array:
    if is_symbolic(z) or is_symbolic(t):
        return symbolic_elementwise().bce_gradient(z, t)
    # Near z = 1, 1 − z computed from z keeps only the few bits z had left below 1;
    # σ(−a) from the logits is accurate to the last bit.
    one_minus_z = 1.0 - z if a is None else sigmoid(-a)
    return _divide_where_weighted(1.0 - t, one_minus_z) - _divide_where_weighted(t, z)


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        Loss(
            "mse",
            "½ Σ_i (t_i − z_i)²",
            # Halving by ``/ 2`` (bit for bit the same as ``0.5 *`` in float64) keeps the ½ exact in SymPy.
            lambda z, t, a: np.sum((t - z) ** 2, axis=-1) / 2,
            lambda z, t, a=None: z - t,
        ),
        Loss(
            "bce",
            "−Σ_i [t_i log z_i + (1 − t_i) log(1 − z_i)]",
            lambda z, t, a: np.sum(_softplus(a) - t * a, axis=-1),
            _bce_gradient,
            output_activation="sigmoid",
        ),
        Loss(
            "cross_entropy",
            "−Σ_i t_i log z_i",
            lambda z, t, a: np.sum(t * (_log_sum_exp(a)[..., None] - a), axis=-1),
            lambda z, t, a=None: -_divide_where_weighted(t, z),
            output_activation="softmax",
        ),
    )
}


def get_loss(name: str) -> Loss:
    """Look a loss up by name; an unknown name lists the valid ones.

    >>> get_loss("bce").output_activation
    'sigmoid'
    """
    if name not in LOSSES:
        raise UnknownNameError.for_choice("loss", name, LOSSES)
    return LOSSES[name]


def output_delta(loss: Loss, activation_name: str, z: Array, t: Array, a: Array, vjp: Callable[..., Array]) -> Array:
    """``∂L/∂a^L`` per example: the loss gradient carried through the output activation.

    For a loss on its own output activation (sigmoid + bce, softmax +
    cross_entropy) the product ``∂L/∂z · ∂z/∂a`` is ``z − t``; using it
    directly stays exact when ``z`` saturates at 0 or 1, where the two factors
    alone overflow. Otherwise ``vjp(a, z, ∂L/∂z)`` multiplies by ``∂z/∂a``.

    >>> z, t = np.array([1.0]), np.array([0.0])
    >>> output_delta(get_loss("bce"), "sigmoid", z, t, np.array([1000.0]), vjp=None)
    array([1.])
    """
    if loss.output_activation == activation_name:
        return z - t
    return vjp(a, z, loss.gradient(z, t, a))


def finite_gradient(loss: Loss, z: Array, t: Array, a: Array | None = None) -> Array:
    """``∂L/∂z``, or a clear error where it overflows.

    It overflows only when a cross-entropy's output has saturated at exactly 0
    or 1 against the opposite target: ``∂L/∂z`` and ``∂z/∂a`` are then not
    representable in float64, though their product ``z − t`` is.

    >>> finite_gradient(get_loss("bce"), np.array([1.0]), np.array([0.0]))
    Traceback (most recent call last):
    ...
    jacobian_bp.errors.NonFiniteError: ∂L/∂z = [inf] is not finite: ...
    """
    gradient = loss.gradient(z, t, a)
    if is_symbolic(gradient):
        return gradient
    if not np.isfinite(gradient).all():
        raise NonFiniteError(
            f"∂L/∂z = {gradient} is not finite: the output has saturated at exactly 0 or 1 against the "
            f"opposite target, so ∂L/∂z and ∂z/∂a^L overflow in float64 although their product z − t "
            f"does not; use method='backprop', which uses that product directly"
        )
    return gradient
