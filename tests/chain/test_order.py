"""Chain order: exact multiply-add counts, the DP against brute force, reverse for the notes, forward's win."""

from __future__ import annotations

import math
from functools import partial

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jacobian_bp as jbp
from jacobian_bp.chain.approaches import chain_pair
from jacobian_bp.chain.order import (
    ORDERS,
    contract_in_order,
    matrix_dims,
    optimal_tree,
    order_cost,
    parenthesization,
    tree_cost,
)

from ..strategies import networks

dims_lists = st.lists(st.integers(1, 12), min_size=2, max_size=7)  # chains of 1 to 6 factors


# ---------------------------------------------------------------- an independent count


def all_parenthesizations(i: int, j: int):
    """Every way to multiply factors i..j, as (tree, cost-of-each-product list) — written without the DP."""
    if i == j:
        yield i
        return
    for split in range(i, j):
        for left in all_parenthesizations(i, split):
            for right in all_parenthesizations(split + 1, j):
                yield (left, right)


def counted_cost(tree, dims) -> int:
    """Multiply real random matrices as ``tree`` says and add up rows·shared·cols of every product actually made."""
    rng = np.random.default_rng(0)
    matrices = [rng.normal(size=(dims[i], dims[i + 1])) for i in range(len(dims) - 1)]
    total = 0

    def multiply(node):
        nonlocal total
        if isinstance(node, int):
            return matrices[node]
        left, right = multiply(node[0]), multiply(node[1])
        total += left.shape[0] * left.shape[1] * right.shape[1]
        return left @ right

    multiply(tree)
    return total


def random_chain(dims, seed, split_axes=True):
    """Jacobians with matrix forms dims[i] × dims[i+1]; some groups split into two axes when they factor."""
    rng = np.random.default_rng(seed)

    def axes(size):
        for a in range(2, math.isqrt(size) + 1):
            if split_axes and size % a == 0:
                return (a, size // a)
        return (size,)

    shapes = [axes(d) for d in dims]
    shapes[0] = () if dims[0] == 1 else shapes[0]
    return [
        jbp.Jacobian(rng.normal(size=shapes[i] + shapes[i + 1]), shapes[i], shapes[i + 1], f"F{i}")
        for i in range(len(dims) - 1)
    ]


# ---------------------------------------------------------------- counts and the DP


@given(dims_lists)
def test_reverse_and_forward_counts_are_exact(dims):
    n = len(dims) - 1
    reverse_by_formula = sum(dims[0] * dims[i] * dims[i + 1] for i in range(1, n))
    forward_by_formula = sum(dims[i] * dims[i + 1] * dims[n] for i in range(n - 1))
    assert tree_cost(parenthesization(dims, "reverse"), dims) == reverse_by_formula
    assert tree_cost(parenthesization(dims, "forward"), dims) == forward_by_formula
    for order in ORDERS:
        tree = parenthesization(dims, order)
        assert tree_cost(tree, dims) == counted_cost(tree, dims)


@given(dims_lists)
def test_dp_finds_the_cheapest_of_all_parenthesizations(dims):
    n = len(dims) - 1
    brute_force = min(counted_cost(tree, dims) for tree in all_parenthesizations(0, n - 1))
    cost, tree = optimal_tree(dims)
    assert cost == brute_force == counted_cost(tree, dims)
    assert cost <= min(tree_cost(parenthesization(dims, o), dims) for o in ("reverse", "forward"))


def test_number_of_parenthesizations_is_catalan():
    # An independent check that the brute force really enumerates every tree: C(n-1) of them.
    for n in range(1, 7):
        catalan = math.comb(2 * (n - 1), n - 1) // n
        assert sum(1 for _ in all_parenthesizations(0, n - 1)) == catalan


def test_ties_keep_reverse_order():
    dims = [1, 2, 2, 2]  # reverse 1·2·2 + 1·2·2 = 8; forward 2·2·2 + 1·2·2 = 12
    assert optimal_tree(dims) == (8, ((0, 1), 2))
    assert optimal_tree([3, 3, 3, 3])[1] == parenthesization([3, 3, 3, 3], "reverse")


# ---------------------------------------------------------------- contracting in every order


@given(dims_lists, st.integers(0, 2**32 - 1), st.sampled_from(jbp.CHAIN_METHODS))
def test_every_order_and_method_gives_the_same_jacobian(dims, seed, method):
    factors = random_chain(dims, seed)
    expected = jbp.chain(*factors, method="reshape")
    for order in ORDERS:
        got = jbp.chain(*factors, method=method, order=order)
        assert got.shape == expected.shape
        np.testing.assert_allclose(got.array, expected.array, rtol=1e-9, atol=1e-12)


@given(dims_lists, st.integers(0, 2**32 - 1))
def test_chain_cost_counts_the_products_contract_makes(dims, seed):
    factors = random_chain(dims, seed)
    assert matrix_dims(factors) == dims
    for order in ORDERS:
        made = []

        def recording_pair(outer, inner, made=made):
            made.append(outer.matrix.shape[0] * outer.matrix.shape[1] * inner.matrix.shape[1])
            return chain_pair(outer, inner, "reshape")

        contract_in_order(factors, recording_pair, order)
        assert order_cost(factors, order) == sum(made)


@given(networks(max_batch=1), st.sampled_from(ORDERS), st.sampled_from([*jbp.CHAIN_METHODS, "structured"]))
def test_network_chains_contract_alike_in_every_order(case, order, method):
    net, X, T, loss = case
    for name in net.param_names:
        chain = jbp.jacobian_chain(net, X[0], T[0], wrt=name, loss=loss)
        got = chain.contract(method=method, order=order)
        np.testing.assert_allclose(got.array, chain.contract().array, rtol=1e-9, atol=1e-12)


# ---------------------------------------------------------------- reverse for the notes, forward for a wide output


def test_reverse_is_optimal_for_every_chain_of_the_notes_network():
    net = jbp.notes_network()
    # ∂J/∂W¹ by hand: row (1) · 1×1 · 1×3 · 3×3 · 3×6 from the left costs 1 + 3 + 9 + 18 = 31; from the
    # right, 3·3·6 + 1·3·6 + 1·1·6 + 1·1·6 = 84.
    chain = jbp.jacobian_chain(net, [1.0, 0.5], 1.0, wrt="W1")
    assert (chain.cost("reverse"), chain.cost("forward"), chain.cost("optimal")) == (31, 84, 31)
    for name in net.param_names:
        chain = jbp.jacobian_chain(net, [1.0, 0.5], 1.0, wrt=name)
        assert chain.cost("reverse") == chain.cost("optimal") <= chain.cost("forward")
        assert parenthesization(matrix_dims(chain.factors), "optimal") == parenthesization(
            matrix_dims(chain.factors), "reverse"
        )


def test_forward_wins_for_a_vector_valued_function_of_a_scalar():
    net = jbp.MLP([1, 8, 8, 64], activation="tanh", seed=0)
    chain = jbp.output_chain(net, [0.3])
    dims = matrix_dims(chain.factors)
    assert dims == [64, 64, 8, 8, 8, 8, 1]
    # From the right every intermediate is a column: 8·1 + 8·8·1 + 8·1 + 64·8·1 + 64·64·1.
    forward = 8 * 8 * 1 + 8 * 8 * 1 + 8 * 8 * 1 + 64 * 8 * 1 + 64 * 64 * 1
    assert chain.cost("forward") == forward == chain.cost("optimal")
    assert chain.cost("reverse") > 5 * forward
    np.testing.assert_allclose(
        chain.contract(order="forward").array, chain.contract(order="reverse").array, rtol=1e-10, atol=1e-12
    )
    # And it is the network's real Jacobian: compare with central differences of the forward pass.
    step = 1e-6
    numeric = (net.predict([0.3 + step]) - net.predict([0.3 - step])) / (2 * step)
    np.testing.assert_allclose(chain.contract(order="forward").array[:, 0], numeric, rtol=1e-6, atol=1e-8)


# ---------------------------------------------------------------- bad input


def test_unknown_order_names_the_valid_ones():
    chain = jbp.jacobian_chain(jbp.notes_network(), [1.0, 0.5], 1.0, wrt="W1")
    for call in (
        partial(chain.contract, order="backwards"),
        partial(chain.cost, order="backwards"),
        partial(jbp.chain, *chain.factors, order="backwards"),
    ):
        with pytest.raises(jbp.UnknownNameError, match="'reverse', 'forward', 'optimal'"):
            call()


def test_output_chain_takes_one_example():
    with pytest.raises(jbp.ShapeError, match="one example"):
        jbp.output_chain(jbp.notes_network(), [[1.0, 0.5], [0.0, 1.0]])
    with pytest.raises(jbp.ShapeError, match="width 3"):
        jbp.output_chain(jbp.notes_network(), [1.0, 0.5, 2.0])
