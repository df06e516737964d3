"""In which order to multiply a chain of Jacobians: reverse, forward, or the cheapest.

A chain ``A₁ A₂ ⋯ Aₙ`` of Jacobians, seen through their matrix forms, has
shapes ``p₀×p₁, p₁×p₂, …, pₙ₋₁×pₙ``. The product is the same whatever the
parenthesization, but the work is not: multiplying a ``p×q`` matrix by a
``q×r`` one costs ``p·q·r`` multiply-adds.

* ``"reverse"`` — left to right, from the loss end: ``((A₁A₂)A₃)⋯``. With a
  scalar loss ``p₀ = 1``, every intermediate result is a row vector: this is
  reverse accumulation, backpropagation's order.
* ``"forward"`` — right to left, from the parameter end: ``A₁(A₂(A₃⋯))``:
  forward accumulation, cheap when the chain starts from a narrow input.
* ``"optimal"`` — the cheapest parenthesization, found by the textbook
  matrix-chain dynamic programme over the ``pᵢ``.

A parenthesization is written as a tree of factor positions: ``((0, 1), 2)``
multiplies factors 0 and 1 first, then the result by factor 2.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import cache

from jacobian_bp.chain.jacobian import Jacobian
from jacobian_bp.errors import ChainError, UnknownNameError

#: The contraction orders every chaining function accepts.
ORDERS = ("reverse", "forward", "optimal")

#: A parenthesization: a factor's position, or a pair of sub-trees multiplied together.
Tree = int | tuple["Tree", "Tree"]


def check_order(order: str) -> None:
    """Raise :class:`UnknownNameError` listing :data:`ORDERS` unless ``order`` is one."""
    if order not in ORDERS:
        raise UnknownNameError.for_choice("contraction order", order, ORDERS)


def matrix_dims(factors: Sequence[Jacobian]) -> list[int]:
    """``[p₀, p₁, …, pₙ]``: factor ``i``'s matrix form is ``pᵢ × pᵢ₊₁``.

    >>> net = jbp.notes_network()
    >>> matrix_dims(jbp.jacobian_chain(net, [1.0, 0.5], 1.0, wrt="W1").factors)
    [1, 1, 1, 3, 3, 6]
    """
    if not factors:
        raise ChainError("a chain needs at least one Jacobian")
    return [math.prod(factors[0].out_shape)] + [math.prod(factor.in_shape) for factor in factors]


def reverse_tree(n: int) -> Tree:
    """Left to right: ``(((0, 1), 2), 3)`` for four factors.

    >>> reverse_tree(4)
    (((0, 1), 2), 3)
    """
    tree: Tree = 0
    for position in range(1, n):
        tree = (tree, position)
    return tree


def forward_tree(n: int) -> Tree:
    """Right to left: ``(0, (1, (2, 3)))`` for four factors.

    >>> forward_tree(4)
    (0, (1, (2, 3)))
    """
    tree: Tree = n - 1
    for position in range(n - 2, -1, -1):
        tree = (position, tree)
    return tree


def optimal_tree(dims: Sequence[int]) -> tuple[int, Tree]:
    """The cheapest parenthesization of a chain with matrix dimensions ``dims``, and its cost.

    ``cheapest(i, j)`` is the least cost of multiplying factors ``i..j``: try
    every last split ``k`` — ``(i..k)(k+1..j)`` costs both halves plus
    ``pᵢ·pₖ₊₁·pⱼ₊₁`` — and keep the best. Splits are tried right-most
    first and only a strictly cheaper one replaces the best so far, so on a
    tie the reverse (left-to-right) order is kept.

    >>> optimal_tree([10, 1, 10, 1])
    (20, (0, (1, 2)))
    """
    n = len(dims) - 1

    @cache
    def cheapest(i: int, j: int) -> tuple[int, Tree]:
        if i == j:
            return 0, i
        best: tuple[int, Tree] | None = None
        for k in range(j - 1, i - 1, -1):  # right-most split first: (i..j-1)(j) is reverse order
            left_cost, left = cheapest(i, k)
            right_cost, right = cheapest(k + 1, j)
            total = left_cost + right_cost + dims[i] * dims[k + 1] * dims[j + 1]
            if best is None or total < best[0]:
                best = (total, (left, right))
        assert best is not None
        return best

    return cheapest(0, n - 1)


def parenthesization(dims: Sequence[int], order: str) -> Tree:
    """The tree that ``order`` multiplies a chain with matrix dimensions ``dims`` in.

    >>> parenthesization([1, 1, 1, 3, 3, 6], "forward")
    (0, (1, (2, (3, 4))))
    """
    check_order(order)
    n = len(dims) - 1
    if order == "reverse":
        return reverse_tree(n)
    if order == "forward":
        return forward_tree(n)
    return optimal_tree(dims)[1]


def tree_cost(tree: Tree, dims: Sequence[int]) -> int:
    """Multiply-adds of multiplying the matrix forms as ``tree`` says (dense products).

    >>> tree_cost(((0, 1), 2), [10, 1, 10, 1]), tree_cost((0, (1, 2)), [10, 1, 10, 1])
    (200, 20)
    """

    def walk(node: Tree) -> tuple[int, int, int]:
        """(cost, first position, last position) of a sub-tree."""
        if isinstance(node, int):
            return 0, node, node
        left_cost, first, middle = walk(node[0])
        right_cost, _, last = walk(node[1])
        return left_cost + right_cost + dims[first] * dims[middle + 1] * dims[last + 1], first, last

    return walk(tree)[0]


def order_cost(factors: Sequence[Jacobian], order: str = "reverse") -> int:
    """Multiply-adds of contracting ``factors``' matrix forms in ``order`` (dense products).

    >>> chain = jbp.jacobian_chain(jbp.notes_network(), [1.0, 0.5], 1.0, wrt="W1")
    >>> {order: order_cost(chain.factors, order) for order in ORDERS}
    {'reverse': 31, 'forward': 84, 'optimal': 31}
    """
    dims = matrix_dims(factors)
    return tree_cost(parenthesization(dims, order), dims)


def contract_tree(factors: Sequence[Jacobian], tree: Tree, pair: Callable[[Jacobian, Jacobian], Jacobian]) -> Jacobian:
    """Multiply ``factors`` as ``tree`` says, each product done by ``pair(outer, inner)``.

    >>> a = Jacobian(np.ones((1, 2)), (1,), (2,))
    >>> b = Jacobian(np.ones((2, 3)), (2,), (3,))
    >>> contract_tree([a, b], (0, 1), jbp.chain).array
    array([[2., 2., 2.]])
    """
    if isinstance(tree, int):
        return factors[tree]
    return pair(contract_tree(factors, tree[0], pair), contract_tree(factors, tree[1], pair))


def contract_in_order(
    factors: Sequence[Jacobian], pair: Callable[[Jacobian, Jacobian], Jacobian], order: str = "reverse"
) -> Jacobian:
    """Multiply ``factors`` in ``order`` (one of :data:`ORDERS`), each product by ``pair``.

    >>> chain = jbp.jacobian_chain(jbp.notes_network(), [1.0, 0.5], 1.0, wrt="W1")
    >>> forward = contract_in_order(chain.factors, jbp.chain, "forward")
    >>> bool(np.allclose(forward.array, chain.contract().array))
    True
    """
    return contract_tree(factors, parenthesization(matrix_dims(factors), order), pair)
