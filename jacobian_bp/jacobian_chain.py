"""The chain of local Jacobians from the loss down to one parameter.

For the notes' network and ``wrt="W1"`` the chain is

    ∂J/∂W¹ = ∂J/∂z · ∂z/∂a² · ∂a²/∂h¹ · ∂h¹/∂a¹ · ∂a¹/∂W¹
             R^{1×1}  R^{1×1}  R^{1×3}  R^{3×3}  R^{3×(3×2)}

Every factor is materialized as a full :class:`~jacobian_bp.jacobian.Jacobian`
— the diagonal activation Jacobians and the 3-D ``∂a/∂W`` included — and
:meth:`JacobianChain.contract` multiplies them out with any chaining method.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from jacobian_bp import affine
from jacobian_bp.chain_order import order_cost
from jacobian_bp.chaining import CHAIN_METHODS, chain
from jacobian_bp.errors import ShapeError, UnknownNameError
from jacobian_bp.jacobian import Jacobian, superscript
from jacobian_bp.losses import Loss, finite_gradient, get_loss
from jacobian_bp.mlp import MLP, Trace, parse_param_name
from jacobian_bp.validation import check_loss_fits, check_targets

Array = np.ndarray

#: What :func:`jacobian_chain` can differentiate with respect to, besides the parameters.
INPUT_NAME = "x"


@dataclass
class JacobianChain:
    """The local Jacobians of ``∂J/∂θ``, outermost (``∂J/∂z``) first.

    >>> net = jbp.notes_network()
    >>> chain_ = jbp.jacobian_chain(net, np.array([1.0, 0.5]), 1.0, wrt="W1")
    >>> [f.shape for f in chain_.factors]
    [(1,), (1, 1), (1, 3), (3, 3), (3, 3, 2)]
    >>> chain_.notation
    'R^{1×1} R^{1×1} R^{1×3} R^{3×3} R^{3×(3×2)}'
    >>> chain_.contract(method="slices").shape
    (3, 2)
    """

    factors: list[Jacobian]
    wrt: str
    loss: str

    def contract(self, method: str = "reshape", order: str = "reverse") -> Jacobian:
        """Multiply the chain out with a method of :data:`CHAIN_METHODS` or ``"structured"``, in ``order``.

        ``order`` is ``"reverse"`` (left to right), ``"forward"`` or ``"optimal"``.
        """
        if method == "structured":
            from jacobian_bp.structured import contract_structured  # structured builds on this module

            return contract_structured(self.factors, order).result
        if method not in CHAIN_METHODS:
            raise UnknownNameError.for_choice("contraction method", method, (*CHAIN_METHODS, "structured"))
        return chain(*self.factors, method=method, order=order)

    def cost(self, order: str = "reverse") -> int:
        """Multiply-adds of multiplying the factors' matrix forms in ``order`` (dense products).

        >>> chain_ = jbp.jacobian_chain(jbp.notes_network(), [1.0, 0.5], 1.0, wrt="W1")
        >>> chain_.cost("reverse"), chain_.cost("forward"), chain_.cost("optimal")
        (31, 84, 31)
        """
        return order_cost(self.factors, order)

    @property
    def notation(self) -> str:
        """Each factor's space in the notes' notation, separated by spaces."""
        return " ".join(factor.notation for factor in self.factors)

    def __iter__(self) -> Iterator[Jacobian]:
        return iter(self.factors)

    def __len__(self) -> int:
        return len(self.factors)

    def __str__(self) -> str:
        rows = [f"∂J/∂{display_name(self.wrt)} = " + " · ".join(f.name for f in self.factors)]
        width = max(len(f.name) for f in self.factors)
        for factor in self.factors:
            rows.append(
                f"  {factor.name:<{width}}  {factor.notation:<14} shape {factor.shape!s:<12} {factor.structure}"
            )
        return "\n".join(rows)


def display_name(name: str) -> str:
    """``"W1"`` as the notes write it, ``W¹``; ``"x"`` stays ``x``.

    >>> display_name("b2")
    'b²'
    """
    return name if name == INPUT_NAME else name[0] + superscript(int(name[1:]))


def _activation_name(net: MLP, k: int) -> str:
    return "z" if k == net.depth else f"h{superscript(k)}"


def _input_name(k: int) -> str:
    return "x" if k == 0 else f"h{superscript(k)}"


def example_chain(net: MLP, trace: Trace, t: Array, wrt: str, loss: Loss, batch_size: int = 1) -> JacobianChain:
    """The chain for one example whose forward pass is ``trace`` (1-D arrays).

    ``batch_size`` scales ``∂J/∂z`` by ``1/N``: the example's share of a batch-mean loss.
    """
    if wrt == INPUT_NAME:
        kind, layer = INPUT_NAME, 1
    else:
        kind, layer = parse_param_name(net, wrt)
    L = net.depth
    z = trace.z
    d_J_d_z = finite_gradient(loss, z, t, trace.a[L]) / batch_size
    factors = [Jacobian(d_J_d_z, (), z.shape, "∂J/∂z")]
    for k in range(L, layer - 1, -1):
        n = net.sizes[k]
        d_h_d_a = net.layer_activation(k).jacobian(trace.a[k], trace.h[k])
        factors.append(Jacobian(d_h_d_a, (n,), (n,), f"∂{_activation_name(net, k)}/∂a{superscript(k)}"))
        if k > layer or kind == INPUT_NAME:
            W = net.params[f"W{k}"]
            factors.append(Jacobian(affine.d_a_d_h(W), (n,), W.shape[1:], f"∂a{superscript(k)}/∂{_input_name(k - 1)}"))
    n = net.sizes[layer]
    if kind == "W":
        d_a_d_W = affine.d_a_d_W(trace.h[layer - 1], n)
        factors.append(Jacobian(d_a_d_W, (n,), d_a_d_W.shape[1:], f"∂a{superscript(layer)}/∂W{superscript(layer)}"))
    elif kind == "b":
        d_a_d_b = affine.d_a_d_b(n, dtype=trace.a[layer].dtype)  # object for symbolic traces: exact 1s
        factors.append(Jacobian(d_a_d_b, (n,), (n,), f"∂a{superscript(layer)}/∂b{superscript(layer)}"))
    return JacobianChain(factors, wrt, loss.name)


def jacobian_chain(net: MLP, x: Any, t: Any, wrt: str = "W1", loss: str = "mse") -> JacobianChain:
    """Materialize every local Jacobian of ``∂J/∂wrt`` for one example.

    ``wrt`` is a parameter name (``"W1"``, ``"b2"``, ...) or ``"x"`` for the input.

    >>> net = jbp.notes_network()
    >>> chain_ = jbp.jacobian_chain(net, [1.0, 0.5], 1.0, wrt="W1")
    >>> [f.structure for f in chain_.factors]
    ['scalar', 'scalar', 'dense', 'diagonal', 'block-sparse']
    """
    loss_fn = get_loss(loss)
    if wrt != INPUT_NAME:
        parse_param_name(net, wrt)
    check_loss_fits(net, loss_fn)
    trace = net.forward(x)
    if trace.h[0].ndim != 1:
        raise ShapeError(
            f"jacobian_chain takes one example x of shape ({net.sizes[0]},); got a batch of shape "
            f"{trace.h[0].shape}. Pass one row, or use jbp.gradient for the batch-mean gradient"
        )
    t = check_targets(net, trace.h[0], t, loss_fn)
    return example_chain(net, trace, t, wrt, loss_fn)


def chain_gradient(net: MLP, trace: Trace, T: Array, loss: Loss, method: str) -> dict[str, Array]:
    """``∂J/∂θ`` for every parameter by contracting materialized chains, example by example.

    The batch-mean loss is a sum of per-example losses over ``N``, so its
    gradient is the sum of each example's chain, each scaled by ``1/N``.
    """
    X = trace.h[0]
    examples = (
        [Trace({k: v[p] for k, v in trace.a.items()}, {k: v[p] for k, v in trace.h.items()}) for p in range(X.shape[0])]
        if X.ndim == 2
        else [trace]
    )
    targets = list(T) if X.ndim == 2 else [T]
    grads = {name: np.zeros(net.param_shape(name)) for name in net.param_names}
    for example, t in zip(examples, targets, strict=True):
        for name in net.param_names:
            contracted = example_chain(net, example, t, name, loss, len(examples)).contract(method)
            grads[name] += contracted.array
    return grads
