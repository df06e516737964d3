"""The structured path: same gradient as every path, and the outer path's arithmetic, derived from structure."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import jacobian_bp as jbp
from jacobian_bp.chain.structured import contract_structured, factor_pattern, structured_pair
from jacobian_bp.methods.gradient import prepare
from jacobian_bp.methods.structured import structured_gradient_counted
from jacobian_bp.network import affine

from ..strategies import networks

ELEMENTWISE = ("sigmoid", "tanh", "relu")


# ---------------------------------------------------------------- agreement with every other path


@given(networks(max_batch=2))
def test_structured_agrees_with_every_exact_path(case):
    net, X, T, loss = case
    report = jbp.compare(net, X, T, loss=loss, methods=jbp.EXACT_METHODS, reference="structured")
    assert report.ok, str(report)


@given(networks(max_batch=2, max_depth=2))
def test_structured_matches_finite_differences(case):
    net, X, T, loss = case
    assert jbp.gradcheck(net, X, T, loss=loss, method="structured")


def test_structured_is_a_gradient_method_after_einsum():
    assert "structured" in jbp.METHODS and "structured" in jbp.EXACT_METHODS
    assert jbp.METHODS.index("structured") == jbp.METHODS.index("einsum") + 1


# ---------------------------------------------------------------- the count, against the outer path's


def _vjp(activation: str, n: int) -> int:
    """What the outer path spends on g ↦ g ∂h/∂a: nothing for the identity, g ⊙ f'(a), softmax's dense n × n."""
    return {"identity": 0, "softmax": n * n}.get(activation, n)


def outer_count_per_example(net: jbp.MLP, loss: str) -> int:
    """The outer path's multiplications, read off methods/outer.py: δ afresh for every layer."""
    sizes, L = net.sizes, net.depth
    act = [None] + [net.layer_activation(k).name for k in range(1, L + 1)]
    head = _vjp(act[L], sizes[L])  # ∂J/∂z · ∂z/∂a^L, for every loss
    total = 0
    for k in range(1, L + 1):
        total += head
        for j in range(L, k, -1):
            total += sizes[j] * sizes[j - 1] + _vjp(act[j - 1], sizes[j - 1])  # δ W^j, then the activation
        total += sizes[k] * sizes[k - 1]  # δᵀ h; ∂J/∂b is δ itself
    return total


def structured_count_per_example(net: jbp.MLP, a: dict[int, np.ndarray], h: dict[int, np.ndarray]) -> int:
    """What structure-aware kernels must spend on one example, from the values of its a and h.

    An activation Jacobian that is exactly the identity (identity activation; ReLU
    with every unit active) costs nothing; a diagonal one n; softmax's dense one n².
    ∂a/∂W costs one multiplication per entry of W — unless h below is the single
    number 1 (a softmax layer of width 1 always outputs exactly 1): then it is I.
    """
    sizes, L = net.sizes, net.depth

    def price(k: int) -> int:
        name, n = net.layer_activation(k).name, sizes[k]
        if name == "identity" or (name == "relu" and np.all(a[k] > 0)):
            return 0
        return n * n if name == "softmax" else n

    total = 0
    for k in range(1, L + 1):
        total += price(L)  # ∂J/∂z · ∂z/∂a^L
        for j in range(L, k, -1):
            total += sizes[j] * sizes[j - 1] + price(j - 1)
        identity_d_a_d_W = sizes[k - 1] == 1 and h[k - 1][0] == 1.0
        total += 0 if identity_d_a_d_W else sizes[k] * sizes[k - 1]  # δᵀ h^{k-1}; the bias factor I is free
    return total


def _counted(net, X, T, loss):
    trace, T, loss_fn = prepare(net, X, T, loss)
    return trace, structured_gradient_counted(net, trace, T, loss_fn)[1]


@given(networks())
def test_structured_count_is_exact_and_equals_the_outer_count(case):
    """Every activation and loss: the count is what the structure allows, example by example; and with no
    factor that is I by its values alone, it is the outer path's count (same arithmetic, same count)."""
    net, X, T, loss = case
    trace, counted = _counted(net, X, T, loss)
    per_example = [
        structured_count_per_example(net, {k: a[p] for k, a in trace.a.items()}, {k: h[p] for k, h in trace.h.items()})
        for p in range(len(X))
    ]
    assert counted == sum(per_example)
    assume(
        not any(
            net.layer_activation(k).name == "relu" and np.all(trace.a[k] > 0, axis=-1).any()
            for k in range(1, net.depth + 1)
        )
    )
    # A softmax layer of width 1 outputs exactly 1, which makes the ∂a/∂W above it I by its values.
    assume(not any(net.sizes[k] == 1 and net.layer_activation(k).name == "softmax" for k in range(1, net.depth)))
    expected = len(X) * outer_count_per_example(net, loss)
    assert counted == expected
    assert jbp.cost(net, X, T, loss=loss, method="outer").multiply_adds == expected
    assert jbp.cost(net, X, T, loss=loss, method="structured").multiply_adds == expected


def test_where_structured_and_outer_differ_and_by_how_much():
    """Where the paths do different arithmetic, each on a network small enough to count by hand."""
    x, t = np.array([[0.3, -0.2]]), np.array([[0.1, 0.7, 0.2]])
    # Both skip an identity activation and multiply by softmax's dense Jacobian: equal counts.
    linear = jbp.MLP([2, 4, 3], activation="identity", output_activation="sigmoid", seed=1)
    assert _counted(linear, x, t, "mse")[1] == outer_count_per_example(linear, "mse")
    soft = jbp.MLP([2, 4, 3], activation="tanh", output_activation="softmax", seed=1)
    assert _counted(soft, x, t, "mse")[1] == outer_count_per_example(soft, "mse")
    # ReLU with both hidden units active: ∂h¹/∂a¹ is I by its values; structured skips it, outer multiplies by 1s.
    active = jbp.MLP([2, 2, 3], activation="relu", output_activation="sigmoid")
    active.set_params({"W1": np.eye(2), "b1": np.ones(2), "W2": np.ones((3, 2)), "b2": np.zeros(3)})
    assert _counted(active, x, t, "mse")[1] == outer_count_per_example(active, "mse") - 2
    one_hot = np.array([[0.0, 1.0, 0.0]])
    assert _counted(soft, x, one_hot, "cross_entropy")[1] == outer_count_per_example(soft, "cross_entropy")


def test_notes_network_count_by_hand():
    # layer 2: σ'(a²) 1, δᵀh¹ 3; layer 1: σ'(a²) 1, δ w² 3, ⊙σ'(a¹) 3, δᵀx 3·2.
    net = jbp.notes_network()
    assert _counted(net, np.array([1.0, 0.5]), 1.0, "mse")[1] == (1 + 3) + (1 + 3 + 3 + 6)


# ---------------------------------------------------------------- kernels, one structure at a time


def _dense(rng, shape):
    return rng.normal(size=shape)


@given(st.integers(1, 4), st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_scale_kernel_for_a_diagonal_factor(rows, n, seed):
    rng = np.random.default_rng(seed)
    left = jbp.Jacobian(_dense(rng, (rows, n)), (rows,), (n,), "∂y/∂u")
    diagonal = jbp.Jacobian(np.diag(rng.uniform(0.1, 2.0, size=n)), (n,), (n,), "∂u/∂x")
    assume(factor_pattern(diagonal) == "diagonal")
    product, step = structured_pair(left, diagonal)
    np.testing.assert_allclose(product.array, left.array @ diagonal.array, rtol=1e-12)
    assert step.kernel == "scale"
    assert step.multiply_adds == (n if rows == n == 1 else rows * n)


@given(st.integers(1, 4), st.integers(2, 4), st.integers(0, 2**32 - 1))
def test_identity_factor_is_free(rows, n, seed):
    left = jbp.Jacobian(_dense(np.random.default_rng(seed), (rows, n)), (rows,), (n,), "∂y/∂a")
    identity = jbp.Jacobian(np.eye(n), (n,), (n,), "∂a/∂b")
    product, step = structured_pair(left, identity)
    np.testing.assert_array_equal(product.array, left.array)
    assert (step.kernel, step.multiply_adds) == ("skip", 0)


@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 4), st.integers(2, 4), st.integers(0, 2**32 - 1))
def test_outer_kernel_for_a_block_sparse_factor(rows, lead, m, n, seed):
    """∂a/∂W-like factors, with leading output axes too (a batch of examples): δ_ik-blocks of any values."""
    rng = np.random.default_rng(seed)
    blocks = rng.normal(size=(lead, m, n))
    array = np.zeros((lead, m, m, n))
    for i in range(m):
        array[:, i, i, :] = blocks[:, i, :]
    factor = jbp.Jacobian(array, (lead, m), (m, n), "∂a/∂W")
    left = jbp.Jacobian(_dense(rng, (rows, lead, m)), (rows,), (lead, m), "∂J/∂a")
    product, step = structured_pair(left, factor)
    expected = np.tensordot(left.array, factor.array, axes=2)
    np.testing.assert_allclose(product.array, expected, rtol=1e-10, atol=1e-12)
    # One multiplication per row and structurally non-zero entry; a 1×1 left factor ties with scaling by it.
    assert step.kernel == ("scale" if rows == lead * m == 1 else "outer")
    assert step.multiply_adds == rows * lead * m * n


def test_outer_kernel_is_the_notes_outer_product():
    delta, x = np.array([0.5, -2.0, 1.5]), np.array([1.0, 0.5])
    d_a_d_W = jbp.Jacobian(affine.d_a_d_W(x, 3), (3,), (3, 2), "∂a¹/∂W¹")
    product, step = structured_pair(jbp.Jacobian(delta, (), (3,), "∂J/∂a¹"), d_a_d_W)
    np.testing.assert_array_equal(product.array, np.outer(delta, x))
    assert (step.kernel, step.multiply_adds) == ("outer", 6)


@given(st.integers(1, 4), st.integers(2, 4), st.integers(2, 4), st.integers(0, 2**32 - 1))
def test_matmul_for_dense_factors(rows, shared, cols, seed):
    rng = np.random.default_rng(seed)
    left = jbp.Jacobian(_dense(rng, (rows, shared)), (rows,), (shared,))
    right = jbp.Jacobian(_dense(rng, (shared, cols)), (shared,), (cols,))
    product, step = structured_pair(left, right)
    np.testing.assert_allclose(product.array, left.array @ right.array, rtol=1e-12)
    assert (step.kernel, step.multiply_adds) == ("matmul", rows * shared * cols)


def test_zero_factors_use_the_pattern_their_shape_allows():
    dead_relu = jbp.Jacobian(np.zeros((3, 3)), (3,), (3,), "∂h/∂a")
    dead_inputs = jbp.Jacobian(np.zeros((3, 3, 2)), (3,), (3, 2), "∂a/∂W")
    other = jbp.Jacobian(np.zeros((2, 3)), (2,), (3,))
    assert [factor_pattern(f) for f in (dead_relu, dead_inputs, other)] == ["diagonal", "block-sparse", "dense"]


@given(networks(max_batch=1), st.sampled_from(["forward", "optimal"]))
def test_structured_contraction_in_any_order(case, order):
    net, X, T, loss = case
    for name in net.param_names:
        chain = jbp.jacobian_chain(net, X[0], T[0], wrt=name, loss=loss)
        contracted = contract_structured(chain.factors, order=order)
        np.testing.assert_allclose(contracted.result.array, chain.contract("reshape").array, rtol=1e-10, atol=1e-12)
        assert len(contracted.steps) == len(chain) - 1
        # A kernel never costs more than the dense product of the same two matrix forms.
        dense = chain.cost(order)
        assert contracted.multiply_adds <= dense


@given(networks(max_batch=1))
def test_reverse_structured_step_costs_its_factors_structural_nonzeros(case):
    """A row vector times a factor costs one multiplication per entry that can be non-zero (identity: none)."""
    net, X, T, loss = case
    chain = jbp.jacobian_chain(net, X[0], T[0], wrt="W1", loss=loss)
    steps = contract_structured(chain.factors).steps
    for factor, step in zip(chain.factors[1:], steps, strict=True):
        kind = factor_pattern(factor)
        rows, cols = factor.matrix.shape
        allowed = {"identity": 0, "diagonal": rows, "block-sparse": math.prod(factor.in_shape), "dense": rows * cols}
        assert step.multiply_adds == allowed[kind], (factor, step)


# ---------------------------------------------------------------- bad input


def test_contract_structured_rejects_bad_chains():
    a = jbp.Jacobian(np.ones((2, 3)), (2,), (3,), "A")
    b = jbp.Jacobian(np.ones((2, 2)), (2,), (2,), "B")
    with pytest.raises(jbp.ChainError, match=r"\(2, 3\).*\(2, 2\)"):
        contract_structured([a, b])
    with pytest.raises(jbp.ChainError, match="at least one"):
        contract_structured([])
    with pytest.raises(jbp.InputTypeError, match="factor 1 is a ndarray"):
        contract_structured([a, np.ones((3, 3))])
    with pytest.raises(jbp.UnknownNameError, match="'reverse', 'forward', 'optimal'"):
        contract_structured([a], order="sideways")


def test_chain_contract_lists_structured_among_the_methods():
    chain = jbp.jacobian_chain(jbp.notes_network(), [1.0, 0.5], 1.0, wrt="W1")
    with pytest.raises(jbp.UnknownNameError, match="'einsum', 'structured'"):
        chain.contract(method="sparse")
    np.testing.assert_allclose(chain.contract("structured").array, chain.contract("reshape").array, rtol=1e-12)
