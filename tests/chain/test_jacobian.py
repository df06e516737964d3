"""The Jacobian object: matrix form, notation, structure, entry counts."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jacobian_bp as jbp

from ..strategies import chainable_jacobians


@given(chainable_jacobians(max_factors=1))
def test_matrix_form_round_trips(factors: list) -> None:
    J = factors[0]
    M = J.matrix
    assert M.shape == (int(np.prod(J.out_shape)), int(np.prod(J.in_shape)))
    back = jbp.Jacobian.from_matrix(M, J.out_shape, J.in_shape)
    np.testing.assert_array_equal(back.array, J.array)


def test_matrix_form_is_c_order_flattening() -> None:
    # Row i of the matrix of ∂a/∂W is slice i read row by row: entry (i, k*n + j) = J[i, k, j].
    J = jbp.Jacobian(np.arange(18.0).reshape(3, 3, 2), (3,), (3, 2))
    for i, k, j in np.ndindex(3, 3, 2):
        assert J.matrix[i, k * 2 + j] == J.array[i, k, j]


@pytest.mark.parametrize(
    ("out_shape", "in_shape", "expected"),
    [
        ((), (1,), "R^{1×1}"),
        ((1,), (1,), "R^{1×1}"),
        ((1,), (3,), "R^{1×3}"),
        ((3,), (3, 2), "R^{3×(3×2)}"),
        ((), (3, 2), "R^{1×(3×2)}"),
        ((4, 3), (4, 3), "R^{(4×3)×(4×3)}"),
    ],
)
def test_notation_follows_the_notes(out_shape: tuple, in_shape: tuple, expected: str) -> None:
    assert jbp.Jacobian(np.ones(out_shape + in_shape), out_shape, in_shape).notation == expected


def test_structures_are_detected() -> None:
    x = np.array([0.5, -2.0])
    d_a_d_W = np.zeros((3, 3, 2))
    for i in range(3):
        d_a_d_W[i, i, :] = x
    s = np.array([0.2, 0.3, 0.5])
    assert jbp.Jacobian(np.diag([0.1, 0.2, 0.3]), (3,), (3,)).structure == "diagonal"
    assert jbp.Jacobian(np.eye(3), (3,), (3,)).structure == "identity"
    assert jbp.Jacobian(d_a_d_W, (3,), (3, 2)).structure == "block-sparse"
    assert jbp.Jacobian(np.diag(s) - np.outer(s, s), (3,), (3,)).structure == "dense"
    assert jbp.Jacobian(np.zeros((2, 3)), (2,), (3,)).structure == "zero"
    assert jbp.Jacobian(np.array([[0.7]]), (1,), (1,)).structure == "scalar"
    block_diagonal = np.zeros((2, 3, 2, 3))
    block_diagonal[0, :, 0, :] = block_diagonal[1, :, 1, :] = np.ones((3, 3))
    assert jbp.Jacobian(block_diagonal, (2, 3), (2, 3)).structure == "block-diagonal"


def test_a_full_row_in_a_block_sparse_place_makes_it_dense_not_block_sparse() -> None:
    d_a_d_W = np.zeros((3, 3, 2))
    for i in range(3):
        d_a_d_W[i, i, :] = [1.0, 2.0]
    d_a_d_W[0, 2, 1] = 5.0  # a_1 now depends on W_32: no longer the δ·x pattern
    assert jbp.Jacobian(d_a_d_W, (3,), (3, 2)).structure != "block-sparse"


@given(st.integers(1, 5), st.integers(1, 5))
def test_entry_counts(m: int, n: int) -> None:
    x = np.arange(1.0, n + 1)
    d_a_d_W = np.einsum("ik,j->ikj", np.eye(m), x)
    J = jbp.Jacobian(d_a_d_W, (m,), (m, n))
    assert J.stored_entries == m * m * n
    assert J.nonzero_entries == m * n
    assert J.zero_entries == m * m * n - m * n


def test_shape_mismatch_is_reported() -> None:
    with pytest.raises(jbp.ShapeError, match=r"\(3, 2\).*\(3,\).*\(3, 3\)"):
        jbp.Jacobian(np.ones((3, 2)), (3,), (3,))
    with pytest.raises(jbp.ShapeError, match="needs shape"):
        jbp.Jacobian.from_matrix(np.ones((3, 5)), (3,), (3, 2))


def test_non_numeric_array_is_rejected() -> None:
    with pytest.raises(jbp.InputTypeError, match="real numbers"):
        jbp.Jacobian(np.array(["a", "b"]), (2,), ())
