"""Symbolic mode: the notes' matrices, exactly as printed, from the same engine.

SymPy is an optional extra (``pip install 'jacobian_bp[symbolic]'``). With it,
the engine's own code — activation and loss registries, affine Jacobians, the
:class:`~jacobian_bp.Jacobian` class, the three chaining methods, the chain
builder and the outer/backprop paths — runs over object arrays of SymPy
expressions, so ``∂a¹/∂W¹`` comes out as the notes' three ``3×2`` slices of
``x₁``, ``x₂`` and zeros, and ``∂J/∂W¹`` as their ``3×2`` matrix of products.

>>> import jacobian_bp.symbolic as sym
>>> snet = sym.notes_network()
>>> chain = sym.jacobian_chain(snet, wrt="W1", loss="mse")
>>> chain.factors[-1].array[0]
array([[x₁, x₂],
       [0, 0],
       [0, 0]], dtype=object)
>>> d_J_d_W1 = chain.contract(method="reshape")
>>> d_J_d_W1.array[0, 0]
w²₁*x₁*(-t + z)*σ′(a²)*σ′(a¹₁)
>>> net = jbp.notes_network(seed=0)
>>> numeric = sym.evaluate(d_J_d_W1, net, [1.0, 0.5], 1.0)
>>> bool(np.allclose(numeric.array, jbp.gradient(net, [1.0, 0.5], 1.0)["W1"], rtol=1e-10))
True
"""

try:
    import sympy  # noqa: F401 — fail here, with the fix in the message, rather than deep inside
except ImportError:
    from jacobian_bp.errors import MissingDependencyError

    raise MissingDependencyError(
        "jacobian_bp.symbolic needs SymPy, which is not installed; install the 'symbolic' extra: "
        "pip install 'jacobian_bp[symbolic]'  (or: pip install 'sympy>=1.12')"
    ) from None

from jacobian_bp.network.sympy_functions import sigma, sigma_prime
from jacobian_bp.symbolic.answers import check_answer, check_formula
from jacobian_bp.symbolic.chain import (
    SYMBOLIC_METHODS,
    evaluate,
    example_values,
    expand_sigmoid,
    gradient,
    jacobian_chain,
    substitute_forward,
)
from jacobian_bp.symbolic.limits import MAX_EXPRESSION_SIZE, MAX_JACOBIAN_ENTRIES, MAX_PARAMETERS
from jacobian_bp.symbolic.names import network_symbols, symbol
from jacobian_bp.symbolic.network import MLP, notes_network
from jacobian_bp.symbolic.printing import latex, to_text

__all__ = [
    "MAX_EXPRESSION_SIZE",
    "MAX_JACOBIAN_ENTRIES",
    "MAX_PARAMETERS",
    "MLP",
    "SYMBOLIC_METHODS",
    "check_answer",
    "check_formula",
    "evaluate",
    "example_values",
    "expand_sigmoid",
    "gradient",
    "jacobian_chain",
    "latex",
    "network_symbols",
    "notes_network",
    "sigma",
    "sigma_prime",
    "substitute_forward",
    "symbol",
    "to_text",
]
