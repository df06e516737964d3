"""The one list of a chain's factors: which local Jacobians make ``∂J/∂θ``, in what order (matrix notation).

For the notes' network and ``θ = W¹`` the list is ``∂J/∂z, ∂z/∂a², ∂a²/∂h¹,
∂h¹/∂a¹, ∂a¹/∂W¹``. :func:`chain_factors` writes it down from the layer widths
and activations alone; each :class:`Factor` then builds its own entries for one
example, or — the same formula on stacked inputs — for every example of a
batch at once. The batch views, the gradient paths, the cost counts, the
symbolic size limits and ``∂z/∂x`` are all built from this list.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from jacobian_bp.chain.jacobian import superscript
from jacobian_bp.chain.structure import structurally_nonzero
from jacobian_bp.network import affine
from jacobian_bp.network.activations import get_activation
from jacobian_bp.network.losses import Loss, finite_gradient
from jacobian_bp.network.mlp import MLP, Trace, parse_name

Array = np.ndarray
Shape = tuple[int, ...]

#: What a chain can differentiate with respect to, besides the parameters: the input.
INPUT_NAME = "x"

#: The kinds of local Jacobian, by the quantity they differentiate.
KINDS = ("loss", "activation", "weights", "weight_tensor", "bias")


@dataclass(frozen=True)
class Factor:
    """One local Jacobian of a chain, before it is built.

    ``kind`` says what it differentiates (:data:`KINDS`): the loss ``∂J/∂z``, an
    activation ``∂h^k/∂a^k``, the weights seen from below ``∂a^k/∂h^{k−1} = W^k``,
    the tensor ``∂a^k/∂W^k``, or ``∂a^k/∂b^k = I``. ``structure`` is the
    structure its role gives it for generic values (see
    :mod:`jacobian_bp.chain.structure`).

    >>> d_a_d_W = chain_factors([2, 3, 1], ["sigmoid", "sigmoid"], "W1")[-1]
    >>> d_a_d_W.name, d_a_d_W.out_shape, d_a_d_W.in_shape, d_a_d_W.structure
    ('∂a¹/∂W¹', (3,), (3, 2), 'block-sparse')
    """

    name: str
    out_shape: Shape
    in_shape: Shape
    kind: str
    layer: int
    structure: str

    @property
    def rows(self) -> int:
        """Rows of the matrix form: the size of the output."""
        return int(np.prod(self.out_shape, dtype=int))

    @property
    def cols(self) -> int:
        """Columns of the matrix form: the size of the input."""
        return int(np.prod(self.in_shape, dtype=int))

    @property
    def stored(self) -> int:
        """Entries of the materialized Jacobian."""
        return self.rows * self.cols

    @property
    def nonzero(self) -> int:
        """Entries its structure allows to be non-zero."""
        return structurally_nonzero(self.structure, self.out_shape, self.in_shape)

    @functools.cached_property
    def shared_input(self) -> bool:
        """Whether its input is a parameter, the same for every example of a batch."""
        return self.kind in ("weight_tensor", "bias")

    def build(self, net: MLP, trace: Trace, T: Array, loss: Loss) -> Array:
        """The entries for what ``trace`` went through: ``out + in`` for one example, ``(N,) + out + in`` for N.

        Every formula is the per-example one; a batch trace stacks its inputs, and
        a factor that is the same for every example (``W``, ``I``) is repeated.

        >>> net = jbp.notes_network()
        >>> d_h_d_a = chain_factors(net.sizes, net.activations, "W1")[3]
        >>> d_h_d_a.build(net, net.forward([1.0, 0.5]), np.array([1.0]), jbp.get_loss("mse")).shape
        (3, 3)
        >>> d_h_d_a.build(net, net.forward(np.zeros((4, 2))), np.ones((4, 1)), jbp.get_loss("mse")).shape
        (4, 3, 3)
        """
        k = self.layer  # the loss factor's layer is the output layer L
        if self.kind == "loss":
            return finite_gradient(loss, trace.z, T, trace.a[k])
        if self.kind == "activation":
            return net.layer_activation(k).jacobian(trace.a[k], trace.h[k])
        if self.kind == "weight_tensor":
            return affine.d_a_d_W(trace.h[k - 1], self.out_shape[0])
        if self.kind == "weights":
            shared = affine.d_a_d_h(net.params[f"W{k}"])
        else:  # the trace's dtype: object for symbolic traces, whose identity must hold exact 1s
            shared = affine.d_a_d_b(self.out_shape[0], dtype=trace.a[k].dtype)
        if trace.h[0].ndim == 1:
            return shared
        return np.broadcast_to(shared, (trace.batch_size, *shared.shape)).copy()


def _activation_structure(activation: str, n: int) -> str:
    """The structure of ``∂h/∂a`` for generic values: identity, diagonal (scalar if 1×1), or dense."""
    if activation == "identity":
        return "identity"
    if not get_activation(activation).elementwise:
        return "zero" if n == 1 else "dense"  # softmax of one unit is constant: s − s² = 0
    return "scalar" if n == 1 else "diagonal"


def _weight_tensor_structure(m: int, n: int) -> str:
    """``∂a/∂W`` (``m × (m×n)``): block-sparse; square when ``n = 1``, and then diagonal."""
    if n == 1:
        return "scalar" if m == 1 else "diagonal"
    return "block-sparse"


def parse_wrt(sizes: Sequence[int], wrt: str) -> tuple[str, int]:
    """Split ``"W2"`` into ``("W", 2)``, and ``"x"`` into ``("x", 1)``; an unknown name lists the valid ones.

    >>> parse_wrt([2, 3, 1], "b2"), parse_wrt([2, 3, 1], "x")
    (('b', 2), ('x', 1))
    """
    return parse_name(sizes, wrt, also=(INPUT_NAME,))


def chain_factors(sizes: Sequence[int], activations: Sequence[str], wrt: str) -> list[Factor]:
    """The factors of the chain of ``∂J/∂wrt`` for one example, outermost (``∂J/∂z``) first.

    ``activations[k − 1]`` names ``f_k``; ``wrt`` is a parameter name or ``"x"``. The list follows
    from the widths alone, so it is written down once per architecture and handed out as a new list.

    >>> [f.name for f in chain_factors([2, 3, 1], ["sigmoid", "sigmoid"], "W1")]
    ['∂J/∂z', '∂z/∂a²', '∂a²/∂h¹', '∂h¹/∂a¹', '∂a¹/∂W¹']
    >>> [f.out_shape + f.in_shape for f in chain_factors([2, 3, 1], ["sigmoid", "sigmoid"], "W1")]
    [(1,), (1, 1), (1, 3), (3, 3), (3, 3, 2)]
    """
    if not isinstance(wrt, str):
        parse_wrt(sizes, wrt)  # an unhashable or odd name: the same error, listing the valid names
    return list(_chain_factors(tuple(sizes), tuple(activations), wrt))


@functools.lru_cache(maxsize=256)
def _chain_factors(sizes: tuple[int, ...], activations: tuple[str, ...], wrt: str) -> tuple[Factor, ...]:
    kind, layer = parse_wrt(sizes, wrt)
    L, sup = len(sizes) - 1, superscript
    n_out = sizes[L]
    factors = [Factor("∂J/∂z", (), (n_out,), "loss", L, "scalar" if n_out == 1 else "dense")]
    for k in range(L, layer - 1, -1):
        n = sizes[k]
        output = "z" if k == L else f"h{sup(k)}"
        factors.append(
            Factor(f"∂{output}/∂a{sup(k)}", (n,), (n,), "activation", k, _activation_structure(activations[k - 1], n))
        )
        if k > layer or kind == INPUT_NAME:
            below = INPUT_NAME if k == 1 else f"h{sup(k - 1)}"
            weights = "scalar" if n * sizes[k - 1] == 1 else "dense"
            factors.append(Factor(f"∂a{sup(k)}/∂{below}", (n,), (sizes[k - 1],), "weights", k, weights))
    n = sizes[layer]
    if kind == "W":
        structure = _weight_tensor_structure(n, sizes[layer - 1])
        factors.append(
            Factor(f"∂a{sup(layer)}/∂W{sup(layer)}", (n,), (n, sizes[layer - 1]), "weight_tensor", layer, structure)
        )
    elif kind == "b":
        factors.append(Factor(f"∂a{sup(layer)}/∂b{sup(layer)}", (n,), (n,), "bias", layer, "identity"))
    return tuple(factors)


def net_factors(net: MLP, wrt: str) -> list[Factor]:
    """:func:`chain_factors` for ``net``'s widths and activations.

    >>> [f.kind for f in net_factors(jbp.notes_network(), "b2")]
    ['loss', 'activation', 'bias']
    """
    return chain_factors(net.sizes, net.activations, wrt)
