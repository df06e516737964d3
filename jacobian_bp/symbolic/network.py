"""A symbolic network: the engine's MLP, with SymPy symbols where the numbers were.

:class:`MLP` *is* a :class:`jacobian_bp.MLP` — same layers, same activation
registry, same forward pass — whose parameters are object arrays of symbols
named as in the notes. Two traces of one example can feed the engine:

* ``keep_symbols=True`` (the notes' way): ``a^k``, ``h^k`` and ``z`` stay
  symbols, so a Jacobian reads ``diag(σ′(a¹₁), σ′(a¹₂), σ′(a¹₃))``;
* ``keep_symbols=False``: the engine's own forward pass runs over the symbols,
  so every entry is written out in the parameters, ``x`` and ``t`` alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import sympy

from jacobian_bp.errors import InputTypeError, MemoryBudgetError, ShapeError
from jacobian_bp.network import mlp as numeric_mlp
from jacobian_bp.network.losses import get_loss
from jacobian_bp.network.sympy_functions import object_array
from jacobian_bp.network.validation import check_loss_fits
from jacobian_bp.symbolic.limits import MAX_EXPRESSION_SIZE, check_network_size, forward_expression_sizes
from jacobian_bp.symbolic.names import network_symbols

Array = np.ndarray


class MLP(numeric_mlp.MLP):
    """A multilayer perceptron whose parameters, input and target are SymPy symbols.

    >>> import jacobian_bp.symbolic as sym
    >>> snet = sym.MLP([2, 3, 1])
    >>> snet.params["W1"]
    array([[w¹₁₁, w¹₁₂],
           [w¹₂₁, w¹₂₂],
           [w¹₃₁, w¹₃₂]], dtype=object)
    >>> snet.x, snet.t, snet.a[2], snet.h[2]
    (array([x₁, x₂], dtype=object), array([t], dtype=object), array([a²], dtype=object), array([z], dtype=object))
    >>> snet.trace(keep_symbols=False).a[1][0]
    b¹₁ + w¹₁₁*x₁ + w¹₁₂*x₂
    """

    def __init__(self, sizes: Sequence[int], activation: str = "sigmoid", output_activation: str | None = None) -> None:
        super().__init__(sizes, activation, output_activation, seed=None)
        symbols = network_symbols(self.sizes)
        #: The example's input ``x`` and target ``t`` as symbols.
        self.x: Array = symbols["x"]
        self.t: Array = symbols["t"]
        #: ``a^k`` and ``h^k`` as symbols, ``k = 1..L``; ``h[L]`` is the output ``z``.
        self.a: dict[int, Array] = {k: symbols[f"a{k}"] for k in range(1, self.depth + 1)}
        self.h: dict[int, Array] = {k: symbols[f"h{k}"] for k in range(1, self.depth + 1)}

    def _initial_params(self, seed: int | None) -> dict[str, Array]:
        check_network_size(self.sizes)
        symbols = network_symbols(self.sizes)
        return {name: symbols[name] for name in self.param_names}

    def set_params(self, params: dict[str, Any]) -> None:
        """Replace parameters by expressions or numbers (each entry passed through ``sympy.sympify``)."""
        self.check_param_names(params)
        converted = {}
        for name in self.param_names:
            try:
                converted[name] = np.vectorize(sympy.sympify, otypes=[object])(object_array(params[name]))
            except (sympy.SympifyError, TypeError, ValueError) as error:
                raise InputTypeError(f"parameter {name} must hold numbers or SymPy expressions: {error}") from None
        self.params = converted
        self.check_params()

    def check_params(self) -> None:
        """Raise unless every parameter is an object array of the right shape."""
        for name in self.param_names:
            value = self.params.get(name)
            if not isinstance(value, np.ndarray) or value.dtype != object:
                raise InputTypeError(f"symbolic parameter {name} must be an object array of SymPy expressions")
            if value.shape != self.param_shape(name):
                raise ShapeError(f"parameter {name} has shape {value.shape}; it must be {self.param_shape(name)}")

    def copy(self) -> MLP:
        """A network with the same architecture and the same parameter expressions."""
        twin = MLP(self.sizes, self.activation, self.output_activation)
        twin.params = {name: value.copy() for name, value in self.params.items()}
        return twin

    @property
    def symbols(self) -> dict[str, sympy.Symbol]:
        """Every symbol of the network by its printed name: ``snet.symbols["w¹₁₂"]``."""
        arrays = [*self.params.values(), self.x, self.t, *self.a.values(), *self.h.values()]
        return {str(s): s for array in arrays for s in array.ravel() if isinstance(s, sympy.Symbol)}

    def trace(self, keep_symbols: bool = True) -> numeric_mlp.Trace:
        """The forward pass of the symbolic example ``x``: kept as symbols, or written out in full."""
        if keep_symbols:
            return numeric_mlp.Trace(a=dict(self.a), h={0: self.x, **self.h})
        return self.forward(self.x)

    def forward(self, X: Any = None) -> numeric_mlp.Trace:
        """The engine's forward pass over expressions: ``a^k = W^k h^{k−1} + b^k``, ``h^k = f(a^k)``.

        ``X`` defaults to the symbols ``x``; numbers or expressions of shape
        ``(n0,)`` or ``(N, n0)`` work too.
        """
        size = forward_expression_sizes(self.sizes, self.activations, keep_symbols=False)[-1]
        if size > MAX_EXPRESSION_SIZE:
            raise MemoryBudgetError(
                f"written out in full, each output of {self!r} would hold about {size} symbols, more than the "
                f"{MAX_EXPRESSION_SIZE} symbolic mode allows; keep a^k and h^k as symbols (keep_symbols=True) "
                f"or use fewer or narrower layers"
            )
        X = self.x if X is None else object_array(X)
        if X.ndim not in (1, 2) or X.shape[-1] != self.sizes[0]:
            raise ShapeError(f"X must have shape ({self.sizes[0]},) or (N, {self.sizes[0]}); got shape {X.shape}")
        self.check_params()
        return self._forward(X)

    def loss(self, X: Any = None, T: Any = None, loss: str = "mse", keep_symbols: bool = True) -> sympy.Expr:
        """The loss ``J`` of the example as an expression, through the engine's own loss registry.

        >>> import jacobian_bp.symbolic as sym
        >>> sym.notes_network().loss()
        (t - z)**2/2
        """
        loss_fn = get_loss(loss)
        check_loss_fits(self, loss_fn)
        trace = self.trace(keep_symbols) if X is None else self.forward(X)
        T = self.t if T is None else self._targets_like(object_array(T), trace.z)
        per_example = object_array(loss_fn.per_example(trace.z, T, trace.a[self.depth]))
        return sympy.Add(*per_example.ravel()) / per_example.size

    def _targets_like(self, T: Array, z: Array) -> Array:
        """``T`` shaped like the outputs ``z``; one target per example is accepted for one output unit.

        Without this, targets of shape ``(N,)`` against outputs ``(N, 1)`` would broadcast to an
        ``N×N`` table of every output against every target, and the loss would be silently wrong.

        >>> import jacobian_bp.symbolic as sym
        >>> snet = sym.MLP([1, 1])
        >>> snet._targets_like(np.array([1, 2], dtype=object), np.empty((2, 1), dtype=object)).shape
        (2, 1)
        """
        if T.shape == z.shape:
            return T
        if self.sizes[-1] == 1 and T.shape == z.shape[:-1]:
            return T.reshape(z.shape)
        raise ShapeError(f"T must have shape {z.shape} (or {z.shape[:-1]} for one output unit); got {T.shape}")

    def __repr__(self) -> str:
        return (
            f"symbolic.MLP(sizes={list(self.sizes)}, activation={self.activation!r}, "
            f"output_activation={self.output_activation!r})"
        )


def notes_network() -> MLP:
    """The notes' 2-3-1 sigmoid network with the notes' symbols: ``w¹₁₁ … w¹₃₂``, ``b¹ᵢ``, ``w²ᵢ``, ``b²``.

    >>> import jacobian_bp.symbolic as sym
    >>> snet = sym.notes_network()
    >>> snet.params["W2"], snet.params["b2"]
    (array([[w²₁, w²₂, w²₃]], dtype=object), array([b²], dtype=object))
    """
    return MLP([2, 3, 1], activation="sigmoid")
