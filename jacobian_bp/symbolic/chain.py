"""The engine's chain builder and gradient paths over symbols, and the way back to numbers.

:func:`jacobian_chain` hands a symbolic network and its symbolic trace to the
very function that builds the numeric chain
(:func:`jacobian_bp.chain.jacobian_chain.example_chain`); :func:`gradient` runs the
engine's own paths. :func:`evaluate` turns any symbolic result into numbers for
a numeric network and example, so both engines can be compared entry by entry.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import sympy

from jacobian_bp.chain.jacobian import Jacobian
from jacobian_bp.chain.jacobian_chain import INPUT_NAME, JacobianChain, example_chain
from jacobian_bp.errors import InputTypeError, ShapeError, UnknownNameError
from jacobian_bp.methods.gradient import SYMBOLIC_METHODS, TABLE
from jacobian_bp.network import mlp as numeric_mlp
from jacobian_bp.network.activations import sigmoid as numeric_sigmoid
from jacobian_bp.network.losses import get_loss
from jacobian_bp.network.sympy_functions import map_entries, object_array, sigma
from jacobian_bp.network.validation import check_inputs, check_loss_fits, check_targets
from jacobian_bp.symbolic.limits import check_chain_size
from jacobian_bp.symbolic.names import network_symbols
from jacobian_bp.symbolic.network import MLP

Array = np.ndarray

#: The engine's gradient paths that run on symbols: the three chainings and the two shortcuts.
#: (``"scalar"`` and ``"numeric"`` produce floats by design.)


def _check_network(snet: Any) -> MLP:
    if not isinstance(snet, MLP):
        raise InputTypeError(
            f"expected a symbolic network (jacobian_bp.symbolic.MLP or symbolic.notes_network()), "
            f"got {type(snet).__name__}"
        )
    return snet


def _check_wrt(snet: MLP, wrt: str) -> None:
    if wrt != INPUT_NAME:
        numeric_mlp.parse_param_name(snet, wrt)


def jacobian_chain(snet: MLP, wrt: str = "W1", loss: str = "mse", keep_symbols: bool = True) -> JacobianChain:
    """Every local Jacobian of ``∂J/∂wrt`` with SymPy entries, built by the engine's own chain builder.

    >>> import jacobian_bp.symbolic as sym
    >>> chain = sym.jacobian_chain(sym.notes_network(), wrt="W1")
    >>> chain.notation
    'R^{1×1} R^{1×1} R^{1×3} R^{3×3} R^{3×(3×2)}'
    >>> chain.factors[3].array
    array([[σ′(a¹₁), 0, 0],
           [0, σ′(a¹₂), 0],
           [0, 0, σ′(a¹₃)]], dtype=object)
    >>> chain.contract(method="einsum").array[2, 1]
    w²₃*x₂*(-t + z)*σ′(a²)*σ′(a¹₃)
    """
    snet = _check_network(snet)
    loss_fn = get_loss(loss)
    _check_wrt(snet, wrt)
    check_loss_fits(snet, loss_fn)
    check_chain_size(snet.sizes, snet.activations, wrt, keep_symbols)
    return example_chain(snet, snet.trace(keep_symbols), snet.t, wrt, loss_fn)


def gradient(snet: MLP, loss: str = "mse", method: str = "reshape", keep_symbols: bool = True) -> dict[str, Array]:
    """``∂J/∂θ`` for every parameter, with SymPy entries, by one of the engine's paths.

    ``method`` is one of :data:`SYMBOLIC_METHODS`: the chain contracted by
    ``"reshape"``, ``"slices"`` or ``"einsum"``, or the ``"outer"`` and
    ``"backprop"`` shortcuts, each the engine's numeric code run on symbols.

    >>> import jacobian_bp.symbolic as sym
    >>> sym.gradient(sym.notes_network(), method="backprop")["b2"]
    array([(-t + z)*σ′(a²)], dtype=object)
    """
    snet = _check_network(snet)
    if method not in SYMBOLIC_METHODS:
        raise UnknownNameError.for_choice("symbolic gradient method", method, SYMBOLIC_METHODS)
    loss_fn = get_loss(loss)
    check_loss_fits(snet, loss_fn)
    for name in snet.param_names:
        check_chain_size(snet.sizes, snet.activations, name, keep_symbols)
    trace = snet.trace(keep_symbols)
    if not TABLE[method].contracts_chains:  # the shortcuts: the engine's numeric code, run on symbols
        return TABLE[method].path(snet, trace, snet.t, loss_fn)
    return {name: example_chain(snet, trace, snet.t, name, loss_fn).contract(method).array for name in snet.param_names}


def substitute_forward(value: Any, snet: MLP) -> Any:
    """Replace the kept symbols ``a^k``, ``h^k``, ``z`` by what the forward pass makes of them.

    Turns a ``keep_symbols=True`` result into the ``keep_symbols=False`` one:
    afterwards only parameters, ``x`` and ``t`` remain.

    >>> import jacobian_bp.symbolic as sym
    >>> snet = sym.MLP([1, 1], activation="tanh")
    >>> substitute_forward(snet.h[1][0], snet)
    tanh(b¹ + w¹*x)
    """
    snet = _check_network(snet)
    full = snet.trace(keep_symbols=False)
    replacements = {}
    for k in range(1, snet.depth + 1):
        for kept, written_out in ((snet.a[k], full.a[k]), (snet.h[k], full.h[k])):
            replacements.update(zip(kept.ravel(), written_out.ravel(), strict=True))
    return _map_value(lambda entry: sympy.sympify(entry).xreplace(replacements), value)


def _map_value(function: Any, value: Any) -> Any:
    """Apply ``function`` to every entry of a Jacobian, a chain, an array, or one expression."""
    if isinstance(value, Jacobian):
        return Jacobian(_map_value(function, value.array), value.out_shape, value.in_shape, value.name)
    if isinstance(value, JacobianChain):
        return JacobianChain([_map_value(function, f) for f in value.factors], value.wrt, value.loss)
    if isinstance(value, np.ndarray):
        return map_entries(function, value)
    return function(value)


def _numeric_sigmoid_derivative(u: Any) -> Any:
    # σ(u)σ(−u), as the engine computes it: exact where 1 − σ(u) would round to 0.
    return numeric_sigmoid(u) * numeric_sigmoid(-u)


_NUMERIC_FUNCTIONS = {"sigma": numeric_sigmoid, "sigma_prime": _numeric_sigmoid_derivative}


def example_values(net: numeric_mlp.MLP, x: Any, t: Any) -> dict[sympy.Symbol, float]:
    """The number behind every symbol for a numeric network and one example (its forward pass included).

    >>> import jacobian_bp.symbolic as sym
    >>> values = example_values(jbp.notes_network(), [1.0, 0.5], 1.0)
    >>> values[sym.symbol("x₂")], values[sym.symbol("t")]
    (0.5, 1.0)
    """
    if not isinstance(net, numeric_mlp.MLP) or isinstance(net, MLP):
        raise InputTypeError(f"evaluate needs a numeric jacobian_bp.MLP to take numbers from, got {net!r}")
    x_array = check_inputs(net, x)
    if x_array.ndim != 1:
        raise ShapeError(f"evaluate takes one example x of shape ({net.sizes[0]},); got shape {x_array.shape}")
    t_array = check_targets(net, x_array, t, get_loss("mse"))
    trace = net.forward(x_array)
    numbers = {"x": x_array, "t": t_array, **net.params}
    for k in range(1, net.depth + 1):
        numbers[f"a{k}"], numbers[f"h{k}"] = trace.a[k], trace.h[k]
    values: dict[sympy.Symbol, float] = {}
    for role, symbols in network_symbols(net.sizes).items():
        values.update(zip(symbols.ravel(), (float(v) for v in np.ravel(numbers[role])), strict=True))
    return values


def evaluate(value: Any, net: numeric_mlp.MLP, x: Any, t: Any) -> Any:
    """A symbolic Jacobian (chain, array or expression) as numbers, for a numeric network and one example.

    Each parameter symbol takes the network's value, ``x`` and ``t`` the
    example's, and a kept ``a^k``, ``h^k`` or ``z`` the value of the network's
    forward pass. The network must have the architecture and activations the
    symbolic result was built for.

    >>> import jacobian_bp.symbolic as sym
    >>> net, x, t = jbp.notes_network(seed=3), [1.0, 0.5], 1.0
    >>> symbolic = sym.jacobian_chain(sym.notes_network(), wrt="W1").contract()
    >>> numeric = evaluate(symbolic, net, x, t)
    >>> numeric.array.dtype, bool(np.allclose(numeric.array, jbp.gradient(net, x, t)["W1"], rtol=1e-10))
    (dtype('float64'), True)
    """
    values = example_values(net, x, t)
    if isinstance(value, JacobianChain):
        return JacobianChain([evaluate(f, net, x, t) for f in value.factors], value.wrt, value.loss)
    if isinstance(value, Jacobian):
        return Jacobian(_evaluate_array(value.array, values), value.out_shape, value.in_shape, value.name)
    if isinstance(value, np.ndarray):
        return _evaluate_array(value, values)
    return float(_evaluate_array(object_array(value), values))


def _evaluate_array(array: Array, values: dict[sympy.Symbol, float]) -> Array:
    entries = [sympy.sympify(entry) for entry in array.ravel()]
    free = set().union(*(entry.free_symbols for entry in entries)) if entries else set()
    unknown = sorted(str(s) for s in free if s not in values)
    if unknown:
        raise ShapeError(
            f"the expression mentions {', '.join(unknown[:6])}, which the numeric network does not have: "
            f"it was built for a network of other sizes"
        )
    arguments = sorted(free, key=str)
    numbers = _compiled(tuple(entries), tuple(arguments))(*(values[s] for s in arguments))
    return np.array([float(n) for n in numbers], dtype=np.float64).reshape(array.shape)


#: Most compiled entry lists kept by :func:`_compiled`.
_COMPILED_KEPT = 256


@functools.lru_cache(maxsize=_COMPILED_KEPT)
def _compiled(entries: tuple[sympy.Expr, ...], arguments: tuple[sympy.Symbol, ...]) -> Any:
    """``entries`` as one numeric function of ``arguments``: generating and compiling its code costs far more
    than running it, and one result is often evaluated at many points (examples, networks), so it is kept.

    The notes' names (``w¹₁₂``) are no Python names: lambdify would swap them for dummies one at a time,
    rewriting every entry for each. They are swapped here, all in one pass, for plain names with the same
    assumptions, so the generated code is the same but for its argument names.
    """
    plain = [sympy.Symbol(f"arg_{i}", **s.assumptions0) for i, s in enumerate(arguments)]
    renamed = dict(zip(arguments, plain, strict=True))
    return sympy.lambdify(plain, [e.xreplace(renamed) for e in entries], modules=[_NUMERIC_FUNCTIONS, "numpy"])


def expand_sigmoid(value: Any) -> Any:
    """Rewrite every ``σ′(u)`` as ``σ(u)(1 − σ(u))``: in an expression, an object array or a Jacobian.

    >>> from jacobian_bp.network.sympy_functions import sigma_prime
    >>> u = sympy.Symbol("u", real=True)
    >>> expand_sigmoid(2 * sigma_prime(u))
    2*(1 - σ(u))*σ(u)
    """
    if isinstance(value, Jacobian):
        return Jacobian(expand_sigmoid(value.array), value.out_shape, value.in_shape, value.name)
    if isinstance(value, np.ndarray):
        return map_entries(expand_sigmoid, value)
    return sympy.sympify(value).rewrite(sigma)
