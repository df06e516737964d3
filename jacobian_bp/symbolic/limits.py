"""How big a symbolic computation may get, estimated from the layer sizes before anything is built.

Symbolic Jacobians are for reading. Past a few hundred entries nobody reads
them, and SymPy slows from milliseconds to minutes, so each request is sized
up first — from the widths alone, in microseconds — and a request too large
raises :class:`~jacobian_bp.errors.MemoryBudgetError` saying what was too big
and what to do instead. Three things are limited:

* the number of parameters of a symbolic network;
* the number of entries of any one Jacobian of a chain;
* the size of one entry of the contracted result: symbols per expression,
  which grows like the product of the widths above the parameter.
"""

from __future__ import annotations

from collections.abc import Sequence

from jacobian_bp.chain.factors import chain_factors
from jacobian_bp.errors import MemoryBudgetError

#: Most parameters a symbolic network may have.
MAX_PARAMETERS = 200

#: Most entries one symbolic Jacobian may have (``∂a/∂W`` of a 6×6 layer is 216).
MAX_JACOBIAN_ENTRIES = 400

#: Most symbols (leaves of the expression tree) one entry of a symbolic result may hold.
MAX_EXPRESSION_SIZE = 5_000

_ADVICE = "use narrower or fewer layers, or the numeric engine (jbp.jacobian_chain, jbp.gradient)"

Shape = tuple[int, ...]


def check_network_size(sizes: Sequence[int]) -> None:
    """Refuse a symbolic network with more than :data:`MAX_PARAMETERS` parameters.

    >>> check_network_size([2, 3, 1])
    >>> check_network_size([20, 20, 1])
    Traceback (most recent call last):
    ...
    jacobian_bp.errors.MemoryBudgetError: a symbolic network of sizes [20, 20, 1] has 441 parameters; ...
    """
    count = sum(sizes[k] * sizes[k - 1] + sizes[k] for k in range(1, len(sizes)))
    if count > MAX_PARAMETERS:
        raise MemoryBudgetError(
            f"a symbolic network of sizes {list(sizes)} has {count} parameters; symbolic mode allows at most "
            f"{MAX_PARAMETERS}, to keep every expression readable and fast; {_ADVICE}"
        )


def forward_expression_sizes(sizes: Sequence[int], activations: Sequence[str], keep_symbols: bool) -> list[int]:
    """Symbols in one entry of each ``h^k`` (``k = 0..L``): 1 when kept as a symbol, else the whole tree.

    >>> forward_expression_sizes([2, 3, 1], ["sigmoid", "sigmoid"], keep_symbols=False)
    [1, 5, 19]
    """
    h_sizes = [1]
    for k in range(1, len(sizes)):
        if keep_symbols:
            h_sizes.append(1)
            continue
        a_size = sizes[k - 1] * (h_sizes[-1] + 1) + 1  # Σ_j w_ij h_j + b_i
        h_sizes.append(a_size * (sizes[k] + 1) if activations[k - 1] == "softmax" else a_size)
    return h_sizes


def result_expression_size(sizes: Sequence[int], activations: Sequence[str], wrt: str, keep_symbols: bool) -> int:
    """An upper estimate of the symbols in one entry of the contracted ``∂J/∂wrt``.

    Contracting from the loss end, each weight matrix sums over its rows
    (multiplying the size by the width) and each activation multiplies by its
    derivative (adding the size of ``a^k``).

    >>> result_expression_size([2, 3, 1], ["sigmoid", "sigmoid"], "W1", keep_symbols=True)
    6
    """
    depth = len(sizes) - 1
    layer = 1 if wrt == "x" else int(wrt[1:])
    h_sizes = forward_expression_sizes(sizes, activations, keep_symbols)
    a_sizes = [1] + [1 if keep_symbols else sizes[k - 1] * (h_sizes[k - 1] + 1) + 1 for k in range(1, depth + 1)]
    size = h_sizes[depth] + 1  # z − t
    for k in range(depth, layer - 1, -1):
        if activations[k - 1] == "softmax":
            size = sizes[k] * (size + 2 * h_sizes[k])  # Σ_i g_i (δ_ij z_i − z_i z_j)
        else:
            size += a_sizes[k]  # g_i f′(a_i)
        if k > layer or wrt == "x":
            size = sizes[k] * (size + 1)  # Σ_i g_i w_ij
    return size + (h_sizes[layer - 1] if wrt[0] == "W" else 0)


def check_chain_size(sizes: Sequence[int], activations: Sequence[str], wrt: str, keep_symbols: bool) -> None:
    """Refuse a symbolic chain with a factor over :data:`MAX_JACOBIAN_ENTRIES` entries or huge entries.

    >>> check_chain_size([2, 3, 1], ["sigmoid", "sigmoid"], "W1", keep_symbols=True)
    >>> check_chain_size([5, 10, 1], ["sigmoid", "sigmoid"], "W1", keep_symbols=True)
    Traceback (most recent call last):
    ...
    jacobian_bp.errors.MemoryBudgetError: the symbolic ∂a¹/∂W¹ would hold 500 entries (shape (10, 10, 5)); ...
    """
    for factor in chain_factors(sizes, activations, wrt):
        if factor.stored > MAX_JACOBIAN_ENTRIES:
            raise MemoryBudgetError(
                f"the symbolic {factor.name} would hold {factor.stored} entries (shape "
                f"{factor.out_shape + factor.in_shape}); symbolic mode allows at most "
                f"{MAX_JACOBIAN_ENTRIES} entries in one Jacobian; {_ADVICE}"
            )
    size = result_expression_size(sizes, activations, wrt, keep_symbols)
    if size > MAX_EXPRESSION_SIZE:
        raise MemoryBudgetError(
            f"each entry of the symbolic ∂J/∂{wrt} would hold about {size} symbols, more than the "
            f"{MAX_EXPRESSION_SIZE} symbolic mode allows (the chain rule sums over every path from {wrt} to the "
            f"loss, and their number multiplies with each layer); {_ADVICE}"
            + ("" if keep_symbols else ", or keep_symbols=True")
        )
