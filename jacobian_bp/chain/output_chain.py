"""``∂z/∂x``, the network's own Jacobian as a chain (beyond the notes): the loss's chain without the loss.

It starts ``n_L`` rows tall and ends ``n₀`` columns wide, so for a narrow input
and a wide output forward order (from the right) is the cheap one.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from jacobian_bp.chain.factors import INPUT_NAME, net_factors
from jacobian_bp.chain.jacobian import Jacobian
from jacobian_bp.chain.jacobian_chain import JacobianChain
from jacobian_bp.display.words import aligned, wrap_product
from jacobian_bp.errors import ShapeError
from jacobian_bp.network.mlp import MLP

#: What :attr:`JacobianChain.loss` holds for a chain with no loss in front.
NO_LOSS = "none"


class OutputChain(JacobianChain):
    """The chain of ``∂z/∂x`` (no loss): a :class:`JacobianChain` that starts at ``∂z/∂a^L``."""

    def __str__(self) -> str:
        rows = [["factor", "space", "shape", "structure"]]
        rows += [[f.name, f.notation, str(f.shape), f.structure] for f in self.factors]
        return "\n".join(wrap_product("∂z/∂x = ", [f.name for f in self.factors]) + aligned(rows))


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
    # The chain of ∂J/∂x without its first factor, the loss: ∂z/∂a^L, W^L, ..., ∂h¹/∂a¹, W¹.
    _loss, *local = net_factors(net, INPUT_NAME)
    factors = [Jacobian(f.build(net, trace, np.zeros(0), None), f.out_shape, f.in_shape, f.name) for f in local]
    return OutputChain(factors, INPUT_NAME, NO_LOSS)
