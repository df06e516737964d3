"""Batched chains: the full view (both batch axes) and the per-example view (a batch axis carried along)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import jacobian_bp as jbp
from jacobian_bp.chain.approaches import einsum_pattern
from jacobian_bp.chain.batch import BatchedJacobian, block_diagonal, chain_per_example

from ..strategies import networks

EXACT = {"rtol": 1e-10, "atol": 1e-12}
NUMERIC = {"rtol": 1e-5, "atol": 1e-6}

# The notes' network on a batch of four examples.
X4 = np.array([[1.0, 0.5], [-0.5, 2.0], [0.3, -1.2], [2.0, 1.0]])
T4 = np.array([[1.0], [0.0], [0.0], [1.0]])


def sigmoid(a: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-a))


def numeric_d_J_d_X(net: jbp.MLP, X: np.ndarray, T: np.ndarray, loss: str) -> np.ndarray:
    """Central differences of the batch loss with respect to every input entry (independent of the chains)."""
    grad = np.zeros_like(X)
    for index in np.ndindex(X.shape):
        step = 1e-6 * max(1.0, abs(X[index]))
        plus, minus = X.copy(), X.copy()
        plus[index] += step
        minus[index] -= step
        grad[index] = (net.loss(plus, T, loss) - net.loss(minus, T, loss)) / (plus[index] - minus[index])
    return grad


# ------------------------------------------------------------------------------------------------ shapes


FULL_SHAPES = {
    "W1": [(4,), (4, 4, 1), (4, 1, 4, 1), (4, 1, 4, 3), (4, 3, 4, 3), (4, 3, 3, 2)],
    "b1": [(4,), (4, 4, 1), (4, 1, 4, 1), (4, 1, 4, 3), (4, 3, 4, 3), (4, 3, 3)],
    "W2": [(4,), (4, 4, 1), (4, 1, 4, 1), (4, 1, 1, 3)],
    "b2": [(4,), (4, 4, 1), (4, 1, 4, 1), (4, 1, 1)],
    "x": [(4,), (4, 4, 1), (4, 1, 4, 1), (4, 1, 4, 3), (4, 3, 4, 3), (4, 3, 4, 2)],
}
PER_EXAMPLE_SHAPES = {
    "W1": [(4,), (4, 1), (4, 1, 1), (4, 1, 3), (4, 3, 3), (4, 3, 3, 2)],
    "b1": [(4,), (4, 1), (4, 1, 1), (4, 1, 3), (4, 3, 3), (4, 3, 3)],
    "W2": [(4,), (4, 1), (4, 1, 1), (4, 1, 1, 3)],
    "b2": [(4,), (4, 1), (4, 1, 1), (4, 1, 1)],
    "x": [(4,), (4, 1), (4, 1, 1), (4, 1, 3), (4, 3, 3), (4, 3, 2)],
}


@pytest.mark.parametrize("wrt", list(FULL_SHAPES))
def test_full_view_factor_shapes(wrt: str) -> None:
    chain = jbp.jacobian_chain(jbp.notes_network(), X4, T4, wrt=wrt, batch="full")
    assert [f.shape for f in chain.factors] == FULL_SHAPES[wrt]
    assert all(isinstance(f, jbp.Jacobian) for f in chain.factors)
    assert chain.batch == "full" and chain.batch_size == 4


@pytest.mark.parametrize("wrt", list(PER_EXAMPLE_SHAPES))
def test_per_example_view_factor_shapes(wrt: str) -> None:
    chain = jbp.jacobian_chain(jbp.notes_network(), X4, T4, wrt=wrt, batch="per_example")
    assert [f.shape for f in chain.factors] == PER_EXAMPLE_SHAPES[wrt]
    assert all(isinstance(f, BatchedJacobian) and f.batch_size == 4 for f in chain.factors)
    assert chain.batch == "per_example" and chain.batch_size == 4


def test_named_factors_of_the_notes_network_have_the_documented_axes() -> None:
    net = jbp.notes_network()
    full = {f.name: f for f in jbp.jacobian_chain(net, X4, T4, wrt="W1", batch="full").factors}
    assert (full["∂H¹/∂A¹"].out_shape, full["∂H¹/∂A¹"].in_shape) == ((4, 3), (4, 3))
    assert (full["∂A¹/∂W¹"].out_shape, full["∂A¹/∂W¹"].in_shape) == ((4, 3), (3, 2))
    assert (full["∂J/∂J⁽ᵖ⁾"].out_shape, full["∂J/∂J⁽ᵖ⁾"].in_shape) == ((), (4,))
    assert (full["∂J⁽ᵖ⁾/∂Z"].out_shape, full["∂J⁽ᵖ⁾/∂Z"].in_shape) == ((4,), (4, 1))
    per = {f.name: f for f in jbp.jacobian_chain(net, X4, T4, wrt="W1", batch="per_example").factors}
    assert (per["∂h¹/∂a¹"].out_shape, per["∂h¹/∂a¹"].in_shape) == ((3,), (3,))
    assert per["∂h¹/∂a¹"].notation == "(R^{3×3})^{4}"


def test_one_example_keeps_the_single_example_chain_and_ignores_batch() -> None:
    net = jbp.notes_network()
    for batch in jbp.BATCH_VIEWS:
        chain = jbp.jacobian_chain(net, X4[0], T4[0], wrt="W1", batch=batch)
        assert chain.batch is None and chain.batch_size is None
        assert [f.shape for f in chain.factors] == [(1,), (1, 1), (1, 3), (3, 3), (3, 3, 2)]


# ------------------------------------------------------------------------------------------------ values


def test_mean_factor_holds_one_over_n() -> None:
    for batch in jbp.BATCH_VIEWS:
        mean = jbp.jacobian_chain(jbp.notes_network(), X4, T4, wrt="W1", batch=batch).factors[0]
        assert mean.shape == (4,)
        np.testing.assert_array_equal(mean.array, np.full(4, 0.25))


def test_full_view_blocks_are_the_per_example_jacobians_and_zero_elsewhere() -> None:
    net = jbp.notes_network()
    W1, b1, W2, b2 = (net.params[k] for k in ("W1", "b1", "W2", "b2"))
    A1 = X4 @ W1.T + b1
    H1 = sigmoid(A1)
    Z = sigmoid(H1 @ W2.T + b2)
    factors = {f.name: f.array for f in jbp.jacobian_chain(net, X4, T4, wrt="W1", batch="full").factors}
    for p in range(4):
        np.testing.assert_allclose(factors["∂H¹/∂A¹"][p, :, p, :], np.diag(H1[p] * (1 - H1[p])), **EXACT)
        np.testing.assert_array_equal(factors["∂A²/∂H¹"][p, :, p, :], W2)
        np.testing.assert_allclose(factors["∂Z/∂A²"][p, :, p, :], np.diag(Z[p] * (1 - Z[p])), **EXACT)
        np.testing.assert_allclose(factors["∂J⁽ᵖ⁾/∂Z"][p, p, :], Z[p] - T4[p], **EXACT)
        # ∂a_i/∂W_kj = δ_ik x_j, for example p
        expected = np.zeros((3, 3, 2))
        for i in range(3):
            expected[i, i, :] = X4[p]
        np.testing.assert_array_equal(factors["∂A¹/∂W¹"][p], expected)
        for q in range(4):
            if q != p:
                for name in ("∂H¹/∂A¹", "∂A²/∂H¹", "∂Z/∂A²"):
                    assert not factors[name][p, :, q, :].any(), (name, p, q)
                assert not factors["∂J⁽ᵖ⁾/∂Z"][p, q, :].any()


# ------------------------------------------------------------------------------------------------ agreement


@pytest.mark.parametrize("batch", jbp.BATCH_VIEWS)
@pytest.mark.parametrize("method", jbp.CHAIN_METHODS)
def test_notes_network_batch_gradient_agrees_with_outer_backprop_and_finite_differences(batch, method) -> None:
    net = jbp.notes_network()
    backprop = jbp.gradient(net, X4, T4, method="backprop")
    outer = jbp.gradient(net, X4, T4, method="outer")
    numeric = jbp.gradient(net, X4, T4, method="numeric")
    for name in net.param_names:
        contracted = jbp.jacobian_chain(net, X4, T4, wrt=name, batch=batch).contract(method=method)
        assert contracted.shape == net.params[name].shape
        np.testing.assert_allclose(contracted.array, backprop[name], **EXACT)
        np.testing.assert_allclose(contracted.array, outer[name], **EXACT)
        np.testing.assert_allclose(contracted.array, numeric[name], **NUMERIC)


def test_notes_network_batch_gradient_matches_the_notes_formula() -> None:
    # ∂J/∂w¹ᵢⱼ = (1/N) Σ_p (z − t) σ'(a²) w²ᵢ σ'(a¹ᵢ) xⱼ, written out independently of the library.
    net = jbp.notes_network()
    W1, b1, W2, b2 = (net.params[k] for k in ("W1", "b1", "W2", "b2"))
    H1 = sigmoid(X4 @ W1.T + b1)
    Z = sigmoid(H1 @ W2.T + b2)
    delta2 = (Z - T4) * Z * (1 - Z)  # (N, 1)
    delta1 = delta2 @ W2 * H1 * (1 - H1)  # (N, 3)
    expected = delta1.T @ X4 / 4
    for batch in jbp.BATCH_VIEWS:
        got = jbp.jacobian_chain(net, X4, T4, wrt="W1", batch=batch).contract(method="einsum").array
        np.testing.assert_allclose(got, expected, **EXACT)


@given(networks(max_batch=4))
def test_both_views_and_all_chaining_methods_agree_with_backprop(problem) -> None:
    # One drawn problem, each chain built once: every view and method against backprop, and (for W1)
    # the per-example stacks against the blocks on the diagonal of the full view.
    net, X, T, loss = problem
    backprop = jbp.gradient(net, X, T, loss=loss, method="backprop")
    for name in net.param_names:
        chains = {batch: jbp.jacobian_chain(net, X, T, wrt=name, loss=loss, batch=batch) for batch in jbp.BATCH_VIEWS}
        for chain in chains.values():
            for method in jbp.CHAIN_METHODS:
                np.testing.assert_allclose(chain.contract(method=method).array, backprop[name], **EXACT)
        if name == "W1":
            assert_per_example_stacks_are_the_diagonal_blocks_of_the_full_view(
                chains["full"].factors, chains["per_example"].factors
            )


def assert_per_example_stacks_are_the_diagonal_blocks_of_the_full_view(full: list, per: list) -> None:
    assert len(full) == len(per)
    for whole, stack in zip(full, per, strict=True):
        rebuilt = stack.full()
        assert rebuilt.shape == whole.shape and rebuilt.name == whole.name
        np.testing.assert_array_equal(rebuilt.array, whole.array)


@given(networks(max_batch=4))
def test_d_J_d_X_from_both_views_matches_finite_differences(problem) -> None:
    # The chains of ∂J/∂X, built once per view: every method against finite differences, and the full
    # view's off-diagonal blocks exactly zero.
    net, X, T, loss = problem
    numeric = numeric_d_J_d_X(net, X, T, loss)
    chains = {batch: jbp.jacobian_chain(net, X, T, wrt="x", loss=loss, batch=batch) for batch in jbp.BATCH_VIEWS}
    assert_off_diagonal_blocks_are_exactly_zero(chains["full"].factors, X.shape[0])
    results = [chain.contract(method=method) for chain in chains.values() for method in jbp.CHAIN_METHODS]
    for result in results:
        assert result.out_shape == () and result.in_shape == X.shape and result.name == "∂J/∂X"
        np.testing.assert_allclose(result.array, results[0].array, **EXACT)
        np.testing.assert_allclose(result.array, numeric, **NUMERIC)


def assert_off_diagonal_blocks_are_exactly_zero(factors: list, N: int) -> None:
    """Every factor of a full-batch chain with a batch axis on both sides is block-diagonal."""
    for factor in factors:
        if len(factor.out_shape) >= 1 and factor.in_shape[:1] == (N,) and factor.out_shape[:1] == (N,):
            split = factor.array.reshape(N, -1, N, int(np.prod(factor.in_shape[1:], dtype=int)))
            for p in range(N):
                for q in range(N):
                    if p != q:
                        assert not split[p, :, q, :].any(), (factor.name, p, q)


@given(networks(max_batch=4))
def test_materializing_gradient_methods_agree_with_the_efficient_ones(problem) -> None:
    net, X, T, loss = problem
    outer = jbp.gradient(net, X, T, loss=loss, method="outer")
    for method in jbp.CHAIN_METHODS:
        got = jbp.gradient(net, X, T, loss=loss, method=method)
        for name in net.param_names:
            np.testing.assert_allclose(got[name], outer[name], **EXACT)


def test_materializing_methods_on_one_example_still_agree() -> None:
    net = jbp.MLP([3, 4, 2], activation="tanh", output_activation="softmax", seed=3)
    x, t = np.array([0.2, -1.0, 0.7]), np.array([0.0, 1.0])
    backprop = jbp.gradient(net, x, t, loss="cross_entropy", method="backprop")
    for method in jbp.CHAIN_METHODS:
        got = jbp.gradient(net, x, t, loss="cross_entropy", method=method)
        for name in net.param_names:
            np.testing.assert_allclose(got[name], backprop[name], **EXACT)


# ------------------------------------------------------------------------------------------------ contraction


def test_per_example_einsum_patterns_carry_the_batch_axis_and_drop_it_at_a_parameter() -> None:
    chain = jbp.jacobian_chain(jbp.notes_network(), X4, T4, wrt="W1", batch="per_example")
    mean, d_L_d_z, d_z_d_a2, d_a2_d_h1, d_h1_d_a1, d_a1_d_W1 = chain.factors
    assert einsum_pattern(mean, d_L_d_z) == "n, n in0 -> n in0"
    assert einsum_pattern(d_h1_d_a1, d_a1_d_W1) == "n out0 mid0, n mid0 in0 in1 -> out0 in0 in1"
    assert einsum_pattern(d_z_d_a2, d_a2_d_h1) == "n out0 mid0, n mid0 in0 -> n out0 in0"


def test_chain_per_example_keeps_per_example_products_without_shared_ends() -> None:
    rng = np.random.default_rng(0)
    left, right = rng.normal(size=(5, 2, 3)), rng.normal(size=(5, 3, 4))
    for method in jbp.CHAIN_METHODS:
        product = chain_per_example([BatchedJacobian(left, (2,), (3,)), BatchedJacobian(right, (3,), (4,))], method)
        assert isinstance(product, BatchedJacobian) and product.shape == (5, 2, 4)
        np.testing.assert_allclose(product.array, np.stack([a @ b for a, b in zip(left, right, strict=True)]))


def test_chain_per_example_sums_the_batch_into_a_shared_parameter() -> None:
    rng = np.random.default_rng(1)
    rows, d_a_d_W = rng.normal(size=(5, 3)), rng.normal(size=(5, 3, 3, 2))
    expected = sum(np.tensordot(rows[p], d_a_d_W[p], axes=1) for p in range(5))
    for method in jbp.CHAIN_METHODS:
        result = chain_per_example(
            [BatchedJacobian(rows, (), (3,)), BatchedJacobian(d_a_d_W, (3,), (3, 2), shared_input=True)], method
        )
        assert isinstance(result, jbp.Jacobian) and result.shape == (3, 2)
        np.testing.assert_allclose(result.array, expected, **EXACT)


shapes = st.lists(st.integers(1, 3), min_size=0, max_size=2).map(tuple)


@settings(max_examples=60)
@given(
    batch=st.integers(1, 4),
    out_shape=st.lists(st.integers(1, 3), min_size=1, max_size=2).map(tuple),
    mid_shape=st.lists(st.integers(1, 3), min_size=1, max_size=2).map(tuple),
    in_shape=shapes,
    seed=st.integers(0, 2**32 - 1),
)
def test_stacks_with_output_axes_sum_into_a_shared_parameter_by_every_approach(
    batch, out_shape, mid_shape, in_shape, seed
) -> None:
    # A gradient's running row has one output (the loss), where the batch axis and the output axes may be
    # swapped unnoticed; here the outer stack has output axes of its own, as ∂z/∂W of a wide output has.
    rng = np.random.default_rng(seed)
    outer = BatchedJacobian(rng.normal(size=(batch, *out_shape, *mid_shape)), out_shape, mid_shape, "∂y/∂u")
    inner = BatchedJacobian(rng.normal(size=(batch, *mid_shape, *in_shape)), mid_shape, in_shape, "∂u/∂W", True)
    # The reference: example p's product, by tensordot over the middle axes, summed over the examples.
    expected = sum(np.tensordot(outer.array[p], inner.array[p], axes=len(mid_shape)) for p in range(batch))
    for method in jbp.CHAIN_METHODS:
        product = chain_per_example([outer, inner], method=method)
        assert isinstance(product, jbp.Jacobian) and product.shape == out_shape + in_shape, method
        np.testing.assert_allclose(product.array, expected, **EXACT, err_msg=method)


def test_chain_per_example_rejects_what_does_not_chain() -> None:
    a = BatchedJacobian(np.ones((2, 3)), (), (3,))
    with pytest.raises(jbp.ChainError, match="same number of examples"):
        chain_per_example([a, BatchedJacobian(np.ones((3, 3, 3)), (3,), (3,))])
    with pytest.raises(jbp.ChainError, match="cannot chain"):
        chain_per_example([a, BatchedJacobian(np.ones((2, 4, 3)), (4,), (3,))])
    shared = BatchedJacobian(np.ones((2, 3, 3)), (3,), (3,), shared_input=True)
    with pytest.raises(jbp.ChainError, match="must be the last factor"):
        chain_per_example([a, shared, BatchedJacobian(np.ones((2, 3, 3)), (3,), (3,))])
    with pytest.raises(jbp.InputTypeError, match="factor 1 is a Jacobian"):
        chain_per_example([a, jbp.Jacobian(np.eye(3), (3,), (3,))])
    with pytest.raises(jbp.ChainError, match="at least one"):
        chain_per_example([])
    with pytest.raises(jbp.UnknownNameError, match="'reshape', 'slices', 'einsum'"):
        chain_per_example([a], method="matmul")


def test_generic_chain_refuses_batched_stacks() -> None:
    stack = BatchedJacobian(np.ones((2, 3, 3)), (3,), (3,))
    with pytest.raises(jbp.InputTypeError, match="BatchedJacobian"):
        jbp.chain(stack, stack)


def test_unknown_batch_view_lists_the_choices() -> None:
    with pytest.raises(jbp.UnknownNameError, match="'full', 'per_example'"):
        jbp.jacobian_chain(jbp.notes_network(), X4, T4, wrt="W1", batch="diagonal")


# ------------------------------------------------------------------------------------------------ BatchedJacobian


def test_batched_jacobian_checks_its_array() -> None:
    with pytest.raises(jbp.ShapeError, match=r"\(N,\) \+ out_shape \(3,\)"):
        BatchedJacobian(np.ones((2, 3, 4)), (3,), (3,))
    with pytest.raises(jbp.InputTypeError, match="real numbers"):
        BatchedJacobian(np.array([["a"]]), (), (1,))


def test_batched_jacobian_structure_block_and_counts() -> None:
    eye_stack = BatchedJacobian(np.stack([np.eye(3)] * 2), (3,), (3,), "∂a/∂b", shared_input=True)
    assert eye_stack.structure == "identity"
    assert (eye_stack.stored_entries, eye_stack.nonzero_entries, eye_stack.zero_entries) == (18, 6, 12)
    diag_stack = BatchedJacobian(np.stack([np.diag([1.0, 2.0]), np.diag([0.5, 1.0])]), (2,), (2,))
    assert diag_stack.structure == "diagonal"
    assert diag_stack.block(1).shape == (2, 2) and diag_stack.block(1).array[0, 0] == 0.5
    assert BatchedJacobian(np.ones((2, 2, 2)), (2,), (2,)).structure == "dense"


def test_batched_jacobian_full_for_each_kind_of_factor() -> None:
    blocks = np.arange(1.0, 9.0).reshape(2, 2, 2)
    full = BatchedJacobian(blocks, (2,), (2,), "∂h/∂a").full()
    expected = np.zeros((2, 2, 2, 2))
    expected[0, :, 0, :], expected[1, :, 1, :] = blocks[0], blocks[1]
    np.testing.assert_array_equal(full.array, expected)
    np.testing.assert_array_equal(block_diagonal(blocks, (2,), (2,)), expected)
    into_parameter = BatchedJacobian(blocks, (2,), (2,), shared_input=True).full()
    assert (into_parameter.out_shape, into_parameter.in_shape) == ((2, 2), (2,))
    from_loss = BatchedJacobian(np.array([0.5, 0.5]), (), (), shared_output=True).full()
    assert (from_loss.out_shape, from_loss.in_shape) == ((), (2,))


@pytest.mark.parametrize("method", ["reshape", "slices", "einsum", "structured"])
def test_batch_chains_keep_the_loss_gradient_precise_near_saturation(method: str) -> None:
    """∂L/∂z of bce comes from the logits, as for one example: with z within rounding of 1, 1 − z from z alone
    keeps only a few bits and the batch paths drifted from backprop by 1e-4 (relative)."""
    net = jbp.MLP([2, 1], activation="sigmoid")
    net.set_params({"W1": np.array([[20.0, 10.0]]), "b1": np.array([0.5])})  # a ≈ 27: z = 1 − 2e-12
    X, T = np.array([[1.0, 0.7], [0.9, 1.1]]), np.array([0.3, 0.6])
    by_method = jbp.gradient(net, X, T, loss="bce", method=method)
    by_backprop = jbp.gradient(net, X, T, loss="bce", method="backprop")
    for name, expected in by_backprop.items():
        np.testing.assert_allclose(by_method[name], expected, rtol=1e-10, atol=1e-12)


# ------------------------------------------------------------------------------------------------ the table


def test_printed_table_reports_zero_entries_of_every_factor() -> None:
    def zero_by_structure(text: str, factor: str) -> str:
        """The cell of the column "zero by structure" in the factor's row of the printed table."""
        lines = text.splitlines()
        header = next(line for line in lines if line.startswith("  factor"))
        row = next(line for line in lines if line.startswith(f"  {factor} "))
        return row[header.index("zero by structure") :]

    single = str(jbp.jacobian_chain(jbp.notes_network(), X4[0], T4[0], wrt="W1"))
    # ∂a¹/∂W¹ stores 3·3·2 = 18 numbers of which only the 3 rows x₁, x₂ (6 numbers) are non-zero.
    assert zero_by_structure(single, "∂a¹/∂W¹") == "12 of 18"
    assert zero_by_structure(single, "∂h¹/∂a¹") == "6 of 9"  # the diagonal 3×3 ∂h¹/∂a¹
    full = jbp.jacobian_chain(jbp.notes_network(), X4, T4, wrt="W1", batch="full")
    text = str(full)
    # ∂H¹/∂A¹: 4·3·4·3 = 144 numbers, 4·3 = 12 on the diagonal.
    assert zero_by_structure(text, "∂H¹/∂A¹") == "132 of 144"
    assert max(len(line) for line in text.splitlines()) <= 79
    assert "a batch of 4 examples, full view" in text
    stored = 4 + 16 + 16 + 48 + 144 + 72
    assert full.stored_entries == stored
    assert f"stored {stored} numbers" in text


def test_structural_zeros_are_told_apart_from_zeros_by_value() -> None:
    # XOR has inputs of exactly 0: ∂A¹/∂W¹ = δ_ik x_j then holds zeros inside its blocks too.
    net = jbp.notes_network()
    X, T = jbp.datasets.xor()
    full = jbp.jacobian_chain(net, X, T, wrt="W1", batch="full")
    d_H_d_A, d_A_d_W = full.factors[-2], full.factors[-1]
    # Diagonal (4·3)×(4·3): everything off the diagonal is structural.
    assert d_H_d_A.structural_zero_entries == 144 - 12 == d_H_d_A.zero_entries
    # δ·x pattern: each of the 4·3 output rows may touch only its own row of W¹ (2 entries).
    assert d_A_d_W.structural_zero_entries == 72 - 4 * 3 * 2
    zero_inputs = int(np.sum(X == 0))  # each zero input empties its entry in each of the 3 rows
    assert d_A_d_W.zero_entries - d_A_d_W.structural_zero_entries == 3 * zero_inputs
    assert "12 more by value" in str(full) and "240 of them zero by structure" in str(full)
    per_example = jbp.jacobian_chain(net, X, T, wrt="W1", batch="per_example")
    assert per_example.factors[-2].structural_zero_entries == 4 * (9 - 3)


def test_a_zero_gradient_is_not_called_structural() -> None:
    net = jbp.MLP([1, 1], activation="identity", params={"W1": [[1.0]], "b1": [0.0]})
    chain = jbp.jacobian_chain(net, [2.0], [2.0], wrt="W1")  # z = t: ∂J/∂z is 0 by value
    assert chain.factors[0].structure == "zero"
    assert chain.factors[0].structural_zero_entries == 0 and chain.factors[0].zero_entries == 1


def test_batch_none_means_no_batch_axis_for_one_example() -> None:
    net = jbp.notes_network()
    chain = jbp.jacobian_chain(net, [1.0, 0.5], 1.0, wrt="W1", batch=None)
    assert chain.batch is None and chain.batch_size is None
    assert [f.shape for f in chain.factors] == [(1,), (1, 1), (1, 3), (3, 3), (3, 3, 2)]
    same = jbp.jacobian_chain(net, [1.0, 0.5], 1.0, wrt="W1")  # the default view is ignored for one example
    np.testing.assert_array_equal(chain.contract().array, same.contract().array)


def test_batch_none_for_a_batch_says_which_views_to_choose() -> None:
    X, T = np.array([[1.0, 0.5], [0.0, -1.0]]), np.array([1.0, 0.0])
    with pytest.raises(jbp.InvalidArgumentError) as caught:
        jbp.jacobian_chain(jbp.notes_network(), X, T, wrt="W1", batch=None)
    message = str(caught.value)
    assert "batch=None means no batch axis" in message and "holds 2 examples (shape (2, 2))" in message
    assert "batch='full'" in message and "batch='per_example'" in message


def test_an_unknown_batch_view_lists_none_among_the_choices() -> None:
    with pytest.raises(jbp.UnknownNameError, match="'full', 'per_example', None"):
        jbp.jacobian_chain(jbp.notes_network(), [1.0, 0.5], 1.0, batch="diagonal")


def test_a_batch_of_one_is_one_example_not_one_examples() -> None:
    chain = jbp.jacobian_chain(jbp.notes_network(), [[1.0, 0.5]], [1.0], wrt="b2", batch="per_example")
    assert "a batch of 1 example, per-example view" in str(chain)
