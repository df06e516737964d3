"""The finiteness test every input, target and parameter goes through, against numpy's own entry-by-entry answer."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from jacobian_bp.network.validation import all_finite

#: Ordinary numbers, numbers whose squares overflow, and the values that are not finite.
ENTRIES = st.one_of(
    st.floats(-1e6, 1e6),
    st.sampled_from([1e154, -1e200, 1.7e308, -1.7e308, 5e-324]),
    st.sampled_from([np.nan, np.inf, -np.inf]),
)


@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5), elements=ENTRIES))
def test_all_finite_agrees_with_numpy_entry_by_entry(array: np.ndarray) -> None:
    assert all_finite(array) is bool(np.isfinite(array).all())
    # A view that is not contiguous (the transpose of a stored row layout, as the backward pass reads) too.
    assert all_finite(array.T) is bool(np.isfinite(array).all())


def test_squares_that_overflow_are_not_mistaken_for_infinity() -> None:
    assert all_finite(np.full((3, 4), 1e200))
    assert not all_finite(np.array([1e200, np.nan]))
