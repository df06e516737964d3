"""Numbers or symbols: the one test that lets the engine run over SymPy expressions.

An object array holds SymPy expressions; reshapes, products and einsum work on
it unchanged, and only the element-wise functions hand over to
:mod:`jacobian_bp.network.sympy_functions`, imported only then.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

from jacobian_bp.errors import MissingDependencyError


def is_symbolic(array: Any) -> bool:
    """Whether ``array`` is an object array (SymPy expressions) rather than numbers.

    >>> is_symbolic(np.zeros(2)), is_symbolic(np.empty(2, dtype=object))
    (False, True)
    """
    return isinstance(array, np.ndarray) and array.dtype.hasobject


def symbolic_elementwise() -> ModuleType:
    """The SymPy versions of the element-wise functions; raises if SymPy is not installed."""
    try:
        from jacobian_bp.network import sympy_functions
    except ImportError:
        raise MissingDependencyError(
            "this array holds SymPy expressions, and computing with them needs SymPy: "
            "pip install 'jacobian_bp[symbolic]' (or pip install sympy)"
        ) from None
    return sympy_functions
