"""Losses (the notes' "Gradient computation"): the value per example and ``∂L/∂z``; ``J`` is their mean over the batch.

The notes' ``"mse"`` gives ``J = 1/(2N) Σ_p ‖t⁽ᵖ⁾ − z⁽ᵖ⁾‖²``. ``bce`` and
``cross_entropy`` are computed from the logits, so they stay finite when ``z``
saturates; on their own output activation ``∂L/∂z · ∂z/∂a`` is ``z − t``.
Both are written as sums of non-negative terms of the logits, exact to float64, and the fused
``z − t`` keeps its relative precision as ``z`` approaches a hard target (``σ(a) − 1 = −σ(−a)``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from jacobian_bp.errors import NonFiniteError, UnknownNameError
from jacobian_bp.network.activations import Activation, sigmoid
from jacobian_bp.network.dispatch import is_symbolic, symbolic_elementwise
from jacobian_bp.network.validation import all_finite

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
    #: ``∂L/∂a`` from ``(t, a, axis)`` through that output activation: ``z − t`` computed from the logits
    #: (see :func:`output_delta`); ``None`` for a loss on any activation.
    fused_delta: Callable[[Array, Array, int], Array] | None = None
    #: Whether ``∂L/∂z`` divides by ``z`` or ``1 − z``, and so overflows where the output saturates at 0 or 1.
    gradient_can_overflow: bool = False

    def value(self, z: Array, t: Array, a: Array) -> float:
        """The batch loss ``J``: the mean of the per-example losses."""
        return float(np.mean(self.per_example(z, t, a)))


def _softplus(a: Array) -> Array:
    if is_symbolic(a):
        return symbolic_elementwise().softplus(a)
    # log(1 + e^a) = max(a, 0) + log(1 + e^(−|a|)): no overflow for large |a|.
    return np.maximum(a, 0.0) + np.log1p(np.exp(-np.abs(a)))


def _bce_per_example(z: Array, t: Array, a: Array) -> Array:
    # −t log σ(a) − (1 − t) log(1 − σ(a)), written in the logits: two non-negative terms.
    return np.sum(t * _softplus(-a) + (1 - t) * _softplus(a), axis=-1)


def _cross_entropy_per_example(z: Array, t: Array, a: Array) -> Array:
    if is_symbolic(a):
        return np.sum(t * (symbolic_elementwise().log_sum_exp(a)[..., None] - a), axis=-1)
    largest = np.max(a, axis=-1, keepdims=True)
    shifted = np.exp(a - largest)  # the largest logit gives e^0 = 1, the others less
    winner = np.arange(a.shape[-1]) == np.argmax(a, axis=-1)[..., None]
    others = np.sum(np.where(winner, 0.0, shifted), axis=-1, keepdims=True)  # Σ e^{a_j − m} but the winner's 1
    # lse(a) − a_i = (m − a_i) + log(1 + others): both terms ≥ 0, so the sum over i cancels nothing, and
    # log1p keeps the tiny others that 1 + others would round away (a confident, right prediction).
    return np.sum(t * ((largest - a) + np.log1p(others)), axis=-1)


def _two_sum(x: Array, y: Array) -> tuple[Array, Array]:
    """``x + y`` as the rounded sum and its exact rounding error (Knuth's TwoSum)."""
    total = x + y
    virtual = total - x
    return total, (x - (total - virtual)) + (y - virtual)


#: Splits a float64 into two halves of 26 bits, whose products are exact (Dekker).
_SPLITTER = 2.0**27 + 1.0


def _split(x: Array) -> tuple[Array, Array]:
    scaled = _SPLITTER * x
    high = scaled - (scaled - x)
    return high, x - high


def _two_product(x: Array, y: Array) -> tuple[Array, Array]:
    """``x · y`` as the rounded product and its exact rounding error (Dekker's TwoProduct)."""
    product = x * y
    x_high, x_low = _split(x)
    y_high, y_low = _split(y)
    return product, x_low * y_low - (((product - x_high * y_high) - x_low * y_high) - x_high * y_low)


def accurate_dot(pairs: Iterable[tuple[Any, Any]]) -> Array:
    """``Σ x·y`` over ``pairs``, as accurate as if computed in twice float64's precision, then rounded.

    Ogita, Rump and Oishi's Dot2 ("Accurate sum and dot product", 2005):
    every product and every partial sum is split into its rounded value and its
    exact rounding error, and the errors are added up on the side. A sum whose
    terms cancel to a tiny remainder keeps that remainder's digits. Entries are
    taken to be at most about ``1e300`` in size (here: probabilities and
    exponentials of non-positive numbers).

    >>> tiny = np.array([1e-30])
    >>> accurate_dot([(0.5, 1.0), (tiny, 1.0), (0.5, -1.0)]), 0.5 + tiny - 0.5
    (array([1.e-30]), array([0.]))
    """
    total: Array = np.zeros(())
    errors: Array = np.zeros(())
    for x, y in pairs:
        product, product_error = _two_product(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
        total, sum_error = _two_sum(total, product)
        errors = errors + (product_error + sum_error)
    return total + errors


def _bce_delta(t: Array, a: Array, axis: int = -1) -> Array:
    # σ(a) − t = (w − t − t·u) / (1 + u) with u = e^{−|a|} and w = 1 for a ≥ 0, u for a < 0 (σ(a) = w / (1 + u)).
    # The numerator by Dot2: a hard target is exact (t = 1, a ≥ 0: −u, so z − 1 = −σ(−a), which σ(a) − 1
    # rounds to 0 from a ≈ 37), and a soft target near z keeps the digits that 1 − t − t·u cancels down to.
    u = np.exp(-np.abs(a))
    w = np.where(a >= 0, 1.0, u)
    return accurate_dot([(w, 1.0), (t, -1.0), (t, -u)]) / (1.0 + u)


def _cross_entropy_delta(t: Array, a: Array, axis: int = -1) -> Array:
    # ∂/∂a_j of Σ_i t_i (lse(a) − a_i) is S z_j − t_j (S = Σ t_i, which is 1) = N_j / Σ_i e_i with
    # e_i = e^{a_i − m} and N_j = Σ_i (e_j t_i − t_j e_i), summed by Dot2: the winning class of a hard target
    # gets −Σ_{i≠j} e_i (never 1 − z_j), and a soft target that a tie of the largest logits nearly meets
    # (t = [½, ½, 0] against logits [30, 30, −40]) keeps the tiny remainder.
    t, a = np.moveaxis(t, axis, -1), np.moveaxis(a, axis, -1)
    shifted = np.exp(a - np.max(a, axis=-1, keepdims=True))
    numerator = accurate_dot(
        pair for i in range(a.shape[-1]) for pair in ((shifted, t[..., i : i + 1]), (t, -shifted[..., i : i + 1]))
    )
    return np.moveaxis(numerator / np.sum(shifted, axis=-1, keepdims=True), -1, axis)


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
            _bce_per_example,
            _bce_gradient,
            output_activation="sigmoid",
            fused_delta=_bce_delta,
            gradient_can_overflow=True,
        ),
        Loss(
            "cross_entropy",
            "−Σ_i t_i log z_i",
            _cross_entropy_per_example,
            lambda z, t, a=None: -_divide_where_weighted(t, z),
            output_activation="softmax",
            fused_delta=_cross_entropy_delta,
            gradient_can_overflow=True,
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


def output_delta(loss: Loss, activation: Activation, z: Array, t: Array, a: Array, axis: int = -1) -> Array:
    """``∂L/∂a^L`` per example: the loss gradient carried through the output activation.

    For a loss on its own output activation (sigmoid + bce, softmax +
    cross_entropy) the product ``∂L/∂z · ∂z/∂a`` is ``z − t``; using it
    directly stays exact when ``z`` saturates at 0 or 1, where the two factors
    alone overflow. It is computed from the logits ``a`` (units along ``axis``)
    as ``N / D``, with ``D`` the softmax (or sigmoid) denominator and ``N`` a
    short sum of products of ``t`` and the exponentials ``e^{a_i − max a}``
    evaluated by :func:`accurate_dot` as if in twice float64's precision. So
    ``z − t`` keeps its relative precision as ``z`` approaches ``t``: for a hard
    target everywhere (``σ(40) − 1`` rounds to 0, ``−σ(−40)`` is ``−4.25e−18``),
    and for a soft target down to the rounding of the exponentials themselves —
    ``e^{a}`` in float64 holds 53 bits, and where ``z − t`` cancels below them
    (a soft target equal to ``σ(a)`` to 16 digits) no float64 evaluation of
    ``e^{a}`` can tell the difference. On SymPy expressions it is the notes'
    ``z − t``. Otherwise ``∂L/∂z`` is multiplied by ``∂z/∂a`` (the units run along ``axis``).

    >>> bce = get_loss("bce")
    >>> output_delta(bce, jbp.get_activation("sigmoid"), np.array([1.0]), np.array([0.0]), np.array([1000.0]))
    array([1.])
    >>> output_delta(bce, jbp.get_activation("sigmoid"), np.array([1.0]), np.array([1.0]), np.array([40.0]))
    array([-4.24835426e-18])
    """
    if loss.output_activation != activation.name:
        return activation.vjp(a, z, loss.gradient(z, t, a), axis)
    if loss.fused_delta is None or any(is_symbolic(v) for v in (z, t, a)):
        return z - t
    return loss.fused_delta(t, a, axis)


def finite_gradient(loss: Loss, z: Array, t: Array, a: Array | None = None) -> Array:
    """``∂L/∂z``, or a clear error where it overflows.

    It overflows only when a cross-entropy's output has saturated — ``σ(a)``
    within rounding of 0 or 1, or a softmax output that underflows — on the side
    the target does not want: against a hard target, or away from a soft one
    that still gives the other outcome some weight. ``∂L/∂z`` and ``∂z/∂a``
    are then not representable in float64, though their product ``z − t`` is;
    the error names the example and unit, and the methods that still work.

    >>> finite_gradient(get_loss("bce"), np.array([1.0]), np.array([0.0]), np.array([800.0]))
    Traceback (most recent call last):
    ...
    jacobian_bp.errors.NonFiniteError: ∂L/∂z is not finite at output unit 0: ... (logit 800) against the target 0, ...
    """
    gradient = loss.gradient(z, t, a)
    if not loss.gradient_can_overflow or is_symbolic(gradient) or all_finite(gradient):
        return gradient
    index = tuple(int(i) for i in np.argwhere(~np.isfinite(gradient))[0])
    where = f"output unit {index[-1]}" + (f" of example {index[0]}" if len(index) > 1 else "")
    raise NonFiniteError(
        f"∂L/∂z is not finite at {where}: the output has saturated {_saturation(loss, z, t, a, index)}, "
        f"so ∂L/∂z and ∂z/∂a^L overflow in float64 although their product z − t does not. "
        f"method='backprop' uses that product directly and method='numeric' differences the loss itself, "
        f"which stays finite: use one of those (or keep the logits smaller)"
    )


def _saturation(loss: Loss, z: Array, t: Array, a: Array | None, index: tuple[int, ...]) -> str:
    """How the output at ``index`` has saturated, in words that fit a hard or a soft target."""
    target = float(t[index])
    hard = target in (0.0, 1.0)
    if loss.name == "cross_entropy":
        row = index[:-1]
        below = "" if a is None else f" (its logit is {np.max(a[row]) - a[index]:.4g} below the largest)"
        if hard:
            return f"at z = 0 for the target class{below}"
        return f"at z = 0{below} while the soft target gives that class weight {target:g}"
    side = 1 if z[index] > 0.5 else 0
    logit = "" if a is None else f" (logit {a[index]:.4g})"
    if hard:
        return f"at z = {side}{logit} against the target {target:g}"
    return (
        f"at z = {side}{logit} while the soft target {target:g} gives the other outcome weight {abs(side - target):g}"
    )
