"""The structured kernels on stacks of per-example blocks: the same patterns, products and counts as one by one."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jacobian_bp as jbp
from jacobian_bp.chain.batch import batch_factors
from jacobian_bp.chain.structured import Stack, block_patterns, factor_pattern, stack_product, structured_pair
from jacobian_bp.methods import structured

STYLES = ("zero", "identity", "diagonal", "blocks", "dense")


def _block(rng: np.random.Generator, style: str, out_shape, in_shape) -> np.ndarray:
    """One block of the given style, where its shape allows it (else dense), with some exact zeros."""
    rows, cols = int(np.prod(out_shape)), int(np.prod(in_shape))
    values = rng.normal(size=(rows, cols)) * (rng.uniform(size=(rows, cols)) < 0.8)
    if style == "zero":
        values[:] = 0.0
    elif style in ("identity", "diagonal") and rows == cols:
        values = np.eye(rows) if style == "identity" else np.diag(np.diagonal(values))
    elif style == "blocks" and len(in_shape) == 2 and out_shape[-1:] == in_shape[:1]:
        m, n = in_shape
        blocks = values.reshape(-1, m, m, n)
        mask = np.eye(m, dtype=bool)[None, :, :, None]
        values = np.where(mask, blocks, 0.0).reshape(rows, cols)
    return values.reshape(*out_shape, *in_shape)


@st.composite
def stacks(draw, out_shape=None):
    """A stack of blocks of one shape — square, ∂a/∂W-like or neither — each block of its own style."""
    kind = draw(st.sampled_from(["square", "weight", "other"]))
    m, n = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    shapes = {"square": ((m,), (m,)), "weight": ((m,), (m, n)), "other": ((m,), (m + 1,))}
    out, inner = shapes[kind]
    size = draw(st.integers(1, 4))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    styles = draw(st.lists(st.sampled_from(STYLES), min_size=size, max_size=size))
    return Stack(np.stack([_block(rng, style, out, inner) for style in styles]), out, inner)


@given(stacks())
def test_block_patterns_are_each_blocks_pattern(stack):
    one_by_one = [factor_pattern(jbp.Jacobian(block, stack.out_shape, stack.in_shape)) for block in stack.array]
    assert block_patterns(stack).tolist() == one_by_one


@given(stacks(), st.integers(1, 2), st.booleans(), st.integers(0, 2**32 - 1))
def test_stack_product_is_each_examples_structured_product(inner, rows, unit_rows, seed):
    """Every example gets the kernel its own blocks allow: same numbers and the same total count."""
    rng = np.random.default_rng(seed)
    shape = (inner.size, rows, *inner.out_shape)
    outer_array = np.ones(shape) if unit_rows else rng.normal(size=shape)  # rows of 1s: a 1×1 can be I
    outer = Stack(outer_array, (rows,), inner.out_shape)
    product, count = stack_product(outer, inner)
    expected_count = 0
    for p in range(inner.size):
        one, step = structured_pair(
            jbp.Jacobian(outer.array[p], outer.out_shape, outer.in_shape),
            jbp.Jacobian(inner.array[p], inner.out_shape, inner.in_shape),
        )
        np.testing.assert_allclose(product.array[p], one.array, rtol=1e-12, atol=1e-14)
        expected_count += step.multiply_adds
    assert count == expected_count
    assert (product.out_shape, product.in_shape) == (outer.out_shape, inner.in_shape)


def test_examples_with_different_patterns_get_different_kernels():
    """A ReLU layer with every unit active for example 0 only: example 0 skips it, example 1 scales."""
    d_h_d_a = Stack(np.stack([np.eye(3), np.diag([1.0, 0.0, 1.0])]), (3,), (3,))
    delta = Stack(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), (), (3,))
    product, count = stack_product(delta, d_h_d_a)
    np.testing.assert_array_equal(product.array, [[1.0, 2.0, 3.0], [4.0, 0.0, 6.0]])
    assert count == 0 + 3


@pytest.mark.parametrize("batch", [1, 5])
def test_structured_path_does_not_loop_over_examples(batch, monkeypatch):
    """One batch_factors call per layer whatever the batch size: the examples ride along the stacks."""
    net = jbp.MLP([3, 4, 2], activation="tanh", seed=0)
    X, T = np.ones((batch, 3)), np.zeros((batch, 2))
    calls = []

    def counting(net, trace, T, wrt, *rest):
        calls.append(wrt)
        return batch_factors(net, trace, T, wrt, *rest)

    monkeypatch.setattr(structured, "batch_factors", counting)
    jbp.gradient(net, X, T, method="structured")
    assert calls == ["W1", "W2"]
