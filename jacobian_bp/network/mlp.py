"""The multilayer perceptron of the notes, of any depth and width.

Layer ``k`` (1-based) computes ``a^k = W^k h^{k−1} + b^k`` and
``h^k = f_k(a^k)``, with ``h^0 = x`` and ``z = h^L``. The forward pass keeps
every ``a^k`` and ``h^k``: the backward pass needs ``f'(a^k)`` and the
``h^{k−1}`` of every outer product, which is the memory price of backprop.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from jacobian_bp.errors import InputTypeError, ShapeError, UnknownNameError
from jacobian_bp.network import affine
from jacobian_bp.network.activations import Activation, get_activation
from jacobian_bp.network.losses import get_loss
from jacobian_bp.network.validation import as_real_array, check_finite, check_inputs, check_loss_fits, check_targets

Array = np.ndarray


@dataclass
class Trace:
    """What the forward pass stores: ``a[k]`` and ``h[k]`` for ``k = 1..L``, and ``h[0]`` = the input.

    >>> trace = notes_network().forward(np.array([1.0, 0.5]))
    >>> sorted(trace.a), sorted(trace.h), trace.z.shape
    ([1, 2], [0, 1, 2], (1,))
    """

    a: dict[int, Array] = field(default_factory=dict)
    h: dict[int, Array] = field(default_factory=dict)

    @property
    def depth(self) -> int:
        """``L``, the number of layers."""
        return len(self.a)

    @property
    def z(self) -> Array:
        """The network's output ``h^L``."""
        return self.h[self.depth]

    @property
    def batch_size(self) -> int:
        """``N``, the number of examples that went through (1 for a single example)."""
        return self.h[0].shape[0] if self.h[0].ndim == 2 else 1

    def as_batch(self) -> Trace:
        """The same pass with a leading batch axis: one example becomes a batch of one.

        >>> trace = notes_network().forward(np.array([1.0, 0.5]))
        >>> trace.as_batch().h[1].shape, trace.as_batch().as_batch().h[1].shape
        ((1, 3), (1, 3))
        """
        if self.h[0].ndim == 2:
            return self
        return Trace({k: v[None] for k, v in self.a.items()}, {k: v[None] for k, v in self.h.items()})

    @property
    def stored_bytes(self) -> int:
        """Bytes held for the backward pass: every ``a^k`` and every ``h^k``."""
        return sum(v.nbytes for v in self.a.values()) + sum(v.nbytes for v in self.h.values())


class MLP:
    """A fully connected network with one activation for hidden layers and one for the output.

    ``sizes = [n0, n1, ..., nL]``; parameters ``"W1", "b1", ..., "WL", "bL"``
    with ``W^k`` of shape ``(n_k, n_{k−1})`` and ``b^k`` of shape ``(n_k,)``.

    >>> net = MLP([4, 8, 3], activation="tanh", output_activation="softmax", seed=1)
    >>> {name: p.shape for name, p in net.params.items()}
    {'W1': (8, 4), 'b1': (8,), 'W2': (3, 8), 'b2': (3,)}
    >>> net.forward(np.zeros((5, 4))).z.sum(axis=1)
    array([1., 1., 1., 1., 1.])
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str = "sigmoid",
        output_activation: str | None = None,
        seed: int | None = 0,
        params: dict[str, Any] | None = None,
    ) -> None:
        self.sizes = _check_sizes(sizes)
        get_activation(activation)
        self.activation = activation
        self.output_activation = activation if output_activation is None else output_activation
        get_activation(self.output_activation)
        self.params: dict[str, Array] = self._initial_params(seed) if params is None else {}
        if params is not None:
            self.set_params(params)

    @property
    def depth(self) -> int:
        """``L``, the number of layers (weight matrices)."""
        return len(self.sizes) - 1

    @property
    def param_names(self) -> list[str]:
        """``["W1", "b1", ..., "WL", "bL"]``."""
        return [f"{kind}{k}" for k in range(1, self.depth + 1) for kind in ("W", "b")]

    def param_shape(self, name: str) -> tuple[int, ...]:
        """The shape parameter ``name`` must have."""
        kind, k = parse_param_name(self, name)
        return (self.sizes[k], self.sizes[k - 1]) if kind == "W" else (self.sizes[k],)

    @property
    def activations(self) -> list[str]:
        """The activation name of every layer, ``f_1`` first: ``[activation] * (L − 1) + [output_activation]``."""
        return [self.activation] * (self.depth - 1) + [self.output_activation]

    def layer_activation(self, k: int) -> Activation:
        """``f_k``: the output activation for ``k = L``, the hidden one otherwise."""
        return get_activation(self.output_activation if k == self.depth else self.activation)

    def _initial_params(self, seed: int | None) -> dict[str, Array]:
        rng = np.random.default_rng(seed)
        # Variance 1/fan_in keeps pre-activations of order one through the layers
        # (LeCun); ReLU halves the signal, so it gets 2/fan_in (He).
        gain = 2.0 if self.activation == "relu" else 1.0
        params = {}
        for k in range(1, self.depth + 1):
            fan_in = self.sizes[k - 1]
            params[f"W{k}"] = rng.normal(0.0, np.sqrt(gain / fan_in), size=(self.sizes[k], fan_in))
            params[f"b{k}"] = np.zeros(self.sizes[k])
        return params

    def set_params(self, params: dict[str, Any]) -> None:
        """Replace every parameter, checking names, shapes and finiteness."""
        self.check_param_names(params)
        self.params = {name: as_real_array(params[name], name).copy() for name in self.param_names}
        self.check_params()

    def check_param_names(self, params: dict[str, Any]) -> None:
        """Raise :class:`ShapeError` unless ``params`` has exactly this network's parameter names."""
        missing = set(self.param_names) - set(params)
        extra = set(params) - set(self.param_names)
        if missing or extra:
            raise ShapeError(
                f"params must have exactly the keys {self.param_names}; "
                f"missing {sorted(missing)}, unexpected {sorted(extra)}"
            )

    def check_params(self) -> None:
        """Raise if a parameter was given the wrong shape or holds NaN or infinity."""
        for name in self.param_names:
            value = self.params.get(name)
            if not isinstance(value, np.ndarray):
                raise InputTypeError(f"parameter {name} must be a numpy array, got {type(value).__name__}")
            if value.shape != self.param_shape(name):
                raise ShapeError(f"parameter {name} has shape {value.shape}; it must be {self.param_shape(name)}")
            check_finite(value, f"parameter {name}")

    def copy(self) -> MLP:
        """An independent network with the same architecture and copied parameters."""
        return MLP(self.sizes, self.activation, self.output_activation, params=self.params)

    def forward(self, X: Any) -> Trace:
        """Run the network on one example ``(n0,)`` or a batch ``(N, n0)``; keep every ``a^k`` and ``h^k``."""
        X = check_inputs(self, X)
        self.check_params()
        return self._forward(X)

    def _forward(self, X: Array) -> Trace:
        trace = Trace(h={0: X})
        for k in range(1, self.depth + 1):
            trace.a[k] = affine.value(self.params[f"W{k}"], self.params[f"b{k}"], trace.h[k - 1])
            trace.h[k] = self.layer_activation(k).value(trace.a[k])
        return trace

    def predict(self, X: Any) -> Array:
        """The output ``z`` for ``X``."""
        return self.forward(X).z

    def loss(self, X: Any, T: Any, loss: str = "mse") -> float:
        """The batch loss ``J`` (mean over the examples of the per-example loss).

        >>> net = notes_network()
        >>> z = net.predict([1.0, 0.5])
        >>> bool(np.isclose(net.loss([1.0, 0.5], 1.0), 0.5 * (1.0 - z[0]) ** 2))
        True
        """
        loss_fn = get_loss(loss)
        check_loss_fits(self, loss_fn)
        trace = self.forward(X)
        T = check_targets(self, trace.h[0], T, loss_fn)
        return loss_fn.value(trace.z, T, trace.a[self.depth])

    def __repr__(self) -> str:
        return (
            f"MLP(sizes={list(self.sizes)}, activation={self.activation!r}, "
            f"output_activation={self.output_activation!r})"
        )


def _check_sizes(sizes: Sequence[int]) -> tuple[int, ...]:
    try:
        checked = tuple(int(n) for n in sizes)
    except (TypeError, ValueError):
        raise InputTypeError(f"sizes must be a list of layer widths, got {sizes!r}") from None
    if len(checked) < 2 or any(n < 1 for n in checked) or any(n != s for n, s in zip(checked, sizes, strict=True)):
        raise ShapeError(f"sizes must list at least two positive whole widths [n0, ..., nL], got {list(sizes)}")
    return checked


def parse_param_name(net: MLP, name: str) -> tuple[str, int]:
    """Split ``"W2"`` into ``("W", 2)``, checking it names a parameter of ``net``."""
    if not isinstance(name, str) or name not in net.param_names:
        raise UnknownNameError.for_choice("parameter", name, net.param_names)
    return name[0], int(name[1:])


def notes_network(seed: int = 0) -> MLP:
    """The notes' network: 2 inputs, 3 sigmoid hidden units, 1 sigmoid output.

    Biases are drawn at random too, so that every term of the notes' formulas
    shows up with a non-trivial value.

    >>> net = notes_network()
    >>> net.sizes, net.params["W1"].shape, net.params["W2"].shape
    ((2, 3, 1), (3, 2), (1, 3))
    """
    net = MLP([2, 3, 1], activation="sigmoid", seed=seed)
    rng = np.random.default_rng(seed + 1)
    for k in (1, 2):
        net.params[f"b{k}"] = rng.normal(0.0, 0.5, size=net.sizes[k])
    return net
