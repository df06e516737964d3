"""The three chaining methods agree with each other and with an independent tensordot."""

import numpy as np
import pytest
from hypothesis import given

import jacobian_bp as jbp

from ..strategies import chainable_jacobians


def tensordot_chain(factors: list) -> np.ndarray:
    """The chain rule as conventions §2 states it, independently of the library."""
    result = factors[0].array
    for factor in factors[1:]:
        result = np.tensordot(result, factor.array, axes=len(factor.out_shape))
    return result


@given(chainable_jacobians())
def test_methods_agree_on_random_jacobians_of_any_rank(factors: list) -> None:
    expected = tensordot_chain(factors)
    for method in jbp.CHAIN_METHODS:
        result = jbp.chain(*factors, method=method)
        assert result.out_shape == factors[0].out_shape
        assert result.in_shape == factors[-1].in_shape
        np.testing.assert_allclose(result.array, expected, rtol=1e-10, atol=1e-12)


def test_notes_vector_times_tensor_example() -> None:
    # The notes' example: a ∈ R^{1×3} times B ∈ R^{3×(2×2)} whose slices B[:, i, :] are B^i (3×2).
    a = np.array([[1.0, 2.0, 3.0]])
    B_slices = [np.arange(6.0).reshape(3, 2), np.arange(6.0, 12.0).reshape(3, 2)]
    B = np.stack(B_slices, axis=1)
    expected = np.vstack([a @ B_slices[0], a @ B_slices[1]])  # collate a B^1 and a B^2
    A = jbp.Jacobian(a, (1,), (3,))
    tensor = jbp.Jacobian(B, (3,), (2, 2))
    for method in jbp.CHAIN_METHODS:
        np.testing.assert_allclose(jbp.chain(A, tensor, method=method).array, expected[None])


def test_names_compose() -> None:
    outer = jbp.Jacobian(np.ones((1, 3)), (1,), (3,), "∂a²/∂h¹")
    inner = jbp.Jacobian(np.eye(3), (3,), (3,), "∂h¹/∂a¹")
    assert jbp.chain(outer, inner).name == "∂a²/∂a¹"


def test_incompatible_factors_name_both_factors_and_shapes() -> None:
    outer = jbp.Jacobian(np.ones((1, 3)), (1,), (3,), "∂a²/∂h¹")
    inner = jbp.Jacobian(np.ones((2, 3, 2)), (2,), (3, 2), "∂a¹/∂W¹")
    for method in jbp.CHAIN_METHODS:
        with pytest.raises(jbp.ChainError) as error:
            jbp.chain(outer, inner, method=method)
        message = str(error.value)
        assert "∂a²/∂h¹" in message and "∂a¹/∂W¹" in message
        assert "(1, 3)" in message and "(2, 3, 2)" in message


def test_unknown_chaining_method_lists_the_valid_ones() -> None:
    J = jbp.Jacobian(np.eye(2), (2,), (2,))
    with pytest.raises(jbp.UnknownNameError, match="'reshape', 'slices', 'einsum'"):
        jbp.chain(J, J, method="magic")


def test_chain_rejects_non_jacobians() -> None:
    with pytest.raises(jbp.InputTypeError, match="factor 1"):
        jbp.chain(jbp.Jacobian(np.eye(2), (2,), (2,)), np.eye(2))
    with pytest.raises(jbp.ChainError, match="at least one"):
        jbp.chain()
