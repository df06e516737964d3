"""``∂z/∂x``: the Jacobian of a network's output with respect to its input, as a chain.

With a scalar loss the chain starts with a row vector and reverse order is the
natural one. Drop the loss and look at the network itself, a map from
``n₀`` inputs to ``n_L`` outputs: its chain

    ∂z/∂x = ∂z/∂a^L · W^L · ∂h^{L−1}/∂a^{L−1} · … · ∂h¹/∂a¹ · W¹

starts ``n_L`` rows tall and ends ``n₀`` columns wide. When the input is narrow
and the output wide (a vector-valued function of a scalar, say), contracting
from the right — forward accumulation — keeps every intermediate result a
column vector and wins.
"""

from __future__ import annotations

from typing import Any

from jacobian_bp import affine
from jacobian_bp.errors import ShapeError
from jacobian_bp.jacobian import Jacobian, superscript
from jacobian_bp.jacobian_chain import INPUT_NAME, JacobianChain
from jacobian_bp.mlp import MLP

#: What :attr:`JacobianChain.loss` holds for a chain with no loss in front.
NO_LOSS = "none"


class OutputChain(JacobianChain):
    """The chain of ``∂z/∂x`` (no loss): a :class:`JacobianChain` that starts at ``∂z/∂a^L``."""

    def __str__(self) -> str:
        rows = ["∂z/∂x = " + " · ".join(f.name for f in self.factors)]
        rows += [f"  {f.name:<10} {f.notation:<14} shape {f.shape!s:<12} {f.structure}" for f in self.factors]
        return "\n".join(rows)


def output_chain(net: MLP, x: Any) -> OutputChain:
    """Every local Jacobian of ``∂z/∂x`` for one example ``x``, outermost first.

    >>> net = jbp.MLP([1, 4, 4, 50], activation="tanh", output_activation="identity")
    >>> chain = output_chain(net, [0.3])
    >>> chain.notation
    'R^{50×50} R^{50×4} R^{4×4} R^{4×4} R^{4×4} R^{4×1}'
    >>> chain.cost("forward") < chain.cost("reverse")
    True
    """
    trace = net.forward(x)
    if trace.h[0].ndim != 1:
        raise ShapeError(f"output_chain takes one example x of shape ({net.sizes[0]},); got shape {trace.h[0].shape}")
    factors = []
    for k in range(net.depth, 0, -1):
        n = net.sizes[k]
        output = "z" if k == net.depth else f"h{superscript(k)}"
        below = "x" if k == 1 else f"h{superscript(k - 1)}"
        d_h_d_a = net.layer_activation(k).jacobian(trace.a[k], trace.h[k])
        factors.append(Jacobian(d_h_d_a, (n,), (n,), f"∂{output}/∂a{superscript(k)}"))
        W = net.params[f"W{k}"]
        factors.append(Jacobian(affine.d_a_d_h(W), (n,), W.shape[1:], f"∂a{superscript(k)}/∂{below}"))
    return OutputChain(factors, INPUT_NAME, NO_LOSS)
