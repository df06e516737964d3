"""The multilayer perceptron of the notes, of any depth and width.

Layer ``k`` (1-based) computes ``a^k = W^k h^{k−1} + b^k`` and
``h^k = f_k(a^k)``, with ``h^0 = x`` and ``z = h^L``. The forward pass keeps
every ``a^k`` and ``h^k``: the backward pass needs ``f'(a^k)`` and the
``h^{k−1}`` of every outer product, which is the memory price of backprop.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np

from jacobian_bp.errors import InputTypeError, ShapeError, UnknownNameError
from jacobian_bp.network import affine
from jacobian_bp.network.activations import Activation, get_activation
from jacobian_bp.network.losses import Loss, get_loss
from jacobian_bp.network.validation import (
    all_finite,
    as_real_array,
    check_finite,
    check_inputs,
    check_loss_fits,
    check_targets,
)

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


class Layer(NamedTuple):
    """Layer ``k`` of a network: the names of its weight and bias in ``params``, and its activation ``f_k``.

    >>> [(k, W, b, f.name) for k, W, b, f in MLP([4, 8, 3], output_activation="softmax").layers]
    [(1, 'W1', 'b1', 'sigmoid'), (2, 'W2', 'b2', 'softmax')]
    """

    k: int
    W: str
    b: str
    activation: Activation


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

    #: The flat array the network's own parameters are views of (see :meth:`_own`); empty until it owns some.
    _storage: Array = np.empty(0)

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str = "sigmoid",
        output_activation: str | None = None,
        seed: int | None = 0,
        params: dict[str, Any] | None = None,
    ) -> None:
        self._sizes = _check_sizes(sizes)
        # Shapes follow from the sizes, fixed from here on; every call checks the parameters against them.
        self._param_shapes = _param_shapes(self._sizes)
        self._activation = activation
        self._output_activation = activation if output_activation is None else output_activation
        # f_1, ..., f_L looked up once (an unknown name fails here), and the parameter names written once:
        # every pass walks the layers.
        hidden, output = get_activation(self._activation), get_activation(self._output_activation)
        self._layers = tuple(
            Layer(k, f"W{k}", f"b{k}", output if k == self.depth else hidden) for k in range(1, self.depth + 1)
        )
        self.params: dict[str, Array] = self._initial_params(seed) if params is None else {}
        if params is not None:
            self.set_params(params)

    @property
    def sizes(self) -> tuple[int, ...]:
        """``(n0, n1, ..., nL)``, the width of every layer (read-only: the parameters' shapes follow from it).

        >>> notes_network().sizes
        (2, 3, 1)
        """
        return self._sizes

    @property
    def depth(self) -> int:
        """``L``, the number of layers (weight matrices)."""
        return len(self._sizes) - 1

    @property
    def param_names(self) -> list[str]:
        """``["W1", "b1", ..., "WL", "bL"]``."""
        return list(self._param_shapes)

    @property
    def param_shapes(self) -> Mapping[str, tuple[int, ...]]:
        """The shape every parameter must have: ``W^k`` is ``(n_k, n_{k−1})``, ``b^k`` is ``(n_k,)``.

        >>> dict(notes_network().param_shapes)
        {'W1': (3, 2), 'b1': (3,), 'W2': (1, 3), 'b2': (1,)}
        """
        return self._param_shapes

    def param_shape(self, name: str) -> tuple[int, ...]:
        """The shape parameter ``name`` must have."""
        parse_param_name(self, name)
        return self._param_shapes[name]

    @property
    def activation(self) -> str:
        """The name of the hidden layers' activation (read-only, as the architecture is).

        >>> MLP([4, 8, 3], activation="tanh", output_activation="softmax").activation
        'tanh'
        """
        return self._activation

    @property
    def output_activation(self) -> str:
        """The name of the output layer's activation (read-only).

        >>> MLP([4, 8, 3], activation="tanh", output_activation="softmax").output_activation
        'softmax'
        """
        return self._output_activation

    @property
    def layers(self) -> tuple[Layer, ...]:
        """Layer ``1`` to ``L``, each with its parameter names and activation, in the order of the forward pass."""
        return self._layers

    @property
    def activations(self) -> list[str]:
        """The activation name of every layer, ``f_1`` first: ``[activation] * (L − 1) + [output_activation]``."""
        return [layer.activation.name for layer in self._layers]

    def layer_activation(self, k: int) -> Activation:
        """``f_k``: the output activation for ``k = L``, the hidden one otherwise."""
        return self._layers[k - 1].activation

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
        return self._own(params)

    def set_params(self, params: dict[str, Any]) -> None:
        """Replace every parameter by a copy, checking names, shapes and finiteness."""
        self.check_param_names(params)
        self.params = self._own({name: as_real_array(params[name], name) for name in self.param_names})
        self.check_params()

    def _own(self, arrays: dict[str, Array]) -> dict[str, Array]:
        """Copy ``arrays`` into one flat array of the network's own and return views of it, one per parameter.

        Training updates the views in place, so they stay there, and one pass over
        the flat array checks every parameter for NaN and infinity (:func:`check_params`).
        """
        self._storage = np.concatenate([array.ravel() for array in arrays.values()])
        params, start = {}, 0
        for name, array in arrays.items():
            params[name] = self._storage[start : start + array.size].reshape(array.shape)
            start += array.size
        return params

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
        """Raise if a parameter is not an array of numbers of the right shape, or holds NaN or infinity."""
        check_params(self)

    def copy(self) -> MLP:
        """An independent network with the same architecture and copied parameters."""
        return MLP(self.sizes, self.activation, self.output_activation, params=self.params)

    def forward(self, X: Any) -> Trace:
        """Run the network on one example ``(n0,)`` or a batch ``(N, n0)``; keep every ``a^k`` and ``h^k``."""
        X = check_inputs(self, X)
        check_params(self)
        return self._forward(X)

    def _forward(self, X: Array) -> Trace:
        a_of, h_of, h, params = {}, {0: X}, X, self.params
        for k, W, b, f in self._layers:
            a_of[k] = a = affine.value(params[W], params[b], h)
            h_of[k] = h = f.value(a)
        return Trace(a_of, h_of)

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
        trace, T, loss_fn = prepare(self, X, T, loss)
        return loss_fn.value(trace.z, T, trace.a[self.depth])

    def __repr__(self) -> str:
        return (
            f"MLP(sizes={list(self.sizes)}, activation={self.activation!r}, "
            f"output_activation={self.output_activation!r})"
        )


def prepare(net: MLP, X: Any, T: Any, loss: str) -> tuple[Trace, Array, Loss]:
    """Check everything and run the forward pass once: what every gradient path and every chain starts from.

    The one preamble of the entry points (``gradient``, ``compare``, ``gradcheck``, ``jacobian_chain``,
    ``MLP.loss``, ``check_answer``): the network, the loss and that it fits the output activation, the
    inputs, the parameters, then the targets against the inputs.

    >>> trace, T, loss = prepare(notes_network(), [1.0, 0.5], 1.0, "mse")
    >>> trace.z.shape, T, loss.name
    ((1,), array([1.]), 'mse')
    """
    X, T, loss_fn = check_data(net, X, T, loss)
    return MLP._forward(net, X), T, loss_fn


def check_data(net: MLP, X: Any, T: Any, loss: str) -> tuple[Array, Array, Loss]:
    """:func:`prepare` without the forward pass: the checked inputs, targets and loss (what the cost counts need).

    >>> X, T, loss = check_data(notes_network(), [[1.0, 0.5]], [1.0], "mse")
    >>> X.shape, T.shape
    ((1, 2), (1, 1))
    """
    if not isinstance(net, MLP):
        raise InputTypeError(f"net must be a jacobian_bp.MLP, got {type(net).__name__}")
    loss_fn = get_loss(loss)
    check_loss_fits(net, loss_fn)
    X = check_inputs(net, X)
    # The numeric check even for a symbolic network (a subclass): it refuses SymPy expressions with a
    # message that points to jacobian_bp.symbolic.
    check_params(net)
    return X, check_targets(net, X, T, loss_fn), loss_fn


def check_params(net: MLP) -> None:
    """Raise unless every parameter of ``net`` is a finite array of numbers of its shape.

    It runs on every forward pass, because the parameters can change between
    two calls without the network knowing: ``net.params["W1"] = ...`` replaces
    one, ``net.params["W1"][0, 0] = np.nan`` writes into one, and numpy arrays
    keep no record of writes. So every number is looked at, in as few passes as
    possible: the network's own parameters are views of one flat array
    (:meth:`MLP._own`), scanned once; an array that replaced one is scanned on
    its own. Only if something looks wrong are the parameters checked one by one,
    and the first problem named.

    >>> net = notes_network()
    >>> net.params["W2"][0, 1] = np.inf
    >>> check_params(net)
    Traceback (most recent call last):
    ...
    jacobian_bp.errors.NonFiniteError: parameter W2 holds inf at index (0, 1); ...
    """
    if not _params_look_right(net):
        for name, shape in net.param_shapes.items():
            _check_param(net.params.get(name), name, shape)


def _params_look_right(net: MLP) -> bool:
    for name, shape in net.param_shapes.items():
        value = net.params.get(name)
        if not isinstance(value, np.ndarray) or value.shape != shape or value.dtype.hasobject:
            return False
        if value.base is not net._storage and not all_finite(value):
            return False
    # A replaced parameter's old values stay in the storage; if they are what is not finite, the one-by-one
    # check of check_params finds every parameter right, at the price of looking twice.
    return all_finite(net._storage)


def _check_param(value: Any, name: str, shape: tuple[int, ...]) -> None:
    if not isinstance(value, np.ndarray):
        raise InputTypeError(f"parameter {name} must be a numpy array, got {type(value).__name__}")
    if value.shape != shape:
        raise ShapeError(f"parameter {name} has shape {value.shape}; it must be {shape}")
    if value.dtype.hasobject:
        raise InputTypeError(
            "this network's parameters are SymPy symbols and these paths compute numbers; use "
            "jacobian_bp.symbolic.gradient(net, method=...), then symbolic.evaluate(...) for numbers"
        )
    check_finite(value, f"parameter {name}")


def _param_shapes(sizes: tuple[int, ...]) -> Mapping[str, tuple[int, ...]]:
    shapes: dict[str, tuple[int, ...]] = {}
    for k in range(1, len(sizes)):
        shapes[f"W{k}"], shapes[f"b{k}"] = (sizes[k], sizes[k - 1]), (sizes[k],)
    return MappingProxyType(shapes)


def _check_sizes(sizes: Sequence[int]) -> tuple[int, ...]:
    try:
        checked = tuple(int(n) for n in sizes)
    except (TypeError, ValueError):
        raise InputTypeError(f"sizes must be a list of layer widths, got {sizes!r}") from None
    if len(checked) < 2 or any(n < 1 for n in checked) or any(n != s for n, s in zip(checked, sizes, strict=True)):
        raise ShapeError(f"sizes must list at least two positive whole widths [n0, ..., nL], got {list(sizes)}")
    return checked


def parse_param_name(net: MLP, name: str) -> tuple[str, int]:
    """Split ``"W2"`` into ``("W", 2)``, checking it names a parameter of ``net``.

    >>> parse_param_name(notes_network(), "b2")
    ('b', 2)
    """
    return parse_name(net.sizes, name)


def parse_name(sizes: Sequence[int], name: str, also: tuple[str, ...] = ()) -> tuple[str, int]:
    """The one parser of parameter names: ``"W2"`` is ``("W", 2)``, a name in ``also`` (``"x"``) is ``(name, 1)``.

    An unknown name is an :class:`~jacobian_bp.errors.UnknownNameError` listing the valid ones.

    >>> parse_name([2, 3, 1], "W2"), parse_name([2, 3, 1], "x", also=("x",))
    (('W', 2), ('x', 1))
    """
    names = [f"{kind}{k}" for k in range(1, len(sizes)) for kind in ("W", "b")]
    if isinstance(name, str) and name in also:
        return name, 1
    if not isinstance(name, str) or name not in names:
        raise UnknownNameError.for_choice("parameter", name, [*names, *also])
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
        net.params[f"b{k}"][:] = rng.normal(0.0, 0.5, size=net.sizes[k])
    return net
