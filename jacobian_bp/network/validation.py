"""Checks on what users pass in, so mistakes surface as clear errors, not NaNs.

Each check raises one of the package's exceptions with a message naming the
argument, what it held and what was expected.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from jacobian_bp.display.words import counted
from jacobian_bp.errors import InputTypeError, InvalidArgumentError, NonFiniteError, ShapeError

if TYPE_CHECKING:
    from jacobian_bp.network.losses import Loss
    from jacobian_bp.network.mlp import MLP

Array = np.ndarray


def as_real_array(value: Any, name: str) -> Array:
    """``value`` as a float64 array, or :class:`InputTypeError` if it is not real numbers.

    >>> as_real_array([1, 2], "x")
    array([1., 2.])
    >>> as_real_array(["a"], "x")
    Traceback (most recent call last):
    ...
    jacobian_bp.errors.InputTypeError: x must hold real numbers, got an array of dtype <U1
    """
    if type(value) is np.ndarray and value.dtype == np.float64:
        return value  # already what is asked for: skip two asarray calls on the path every gradient takes
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as error:  # ragged nested lists, for example
        raise InputTypeError(f"{name} must be a numeric array: {error}") from None
    if array.dtype.kind not in "biuf":
        raise InputTypeError(f"{name} must hold real numbers, got an array of dtype {array.dtype}")
    return np.asarray(array, dtype=np.float64)  # no copy when it already is float64


def positive_number(value: Any, name: str) -> float:
    """``value`` as a float if it is a positive finite real number; else an error naming ``name``.

    >>> positive_number(0.5, "lr")
    0.5
    >>> positive_number(-1.0, "--lr")
    Traceback (most recent call last):
    ...
    jacobian_bp.errors.InvalidArgumentError: --lr must be a positive finite number, got -1.0
    """
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise InputTypeError(f"{name} must be a positive real number, got {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise InvalidArgumentError(f"{name} must be a positive finite number, got {value}")
    return float(value)


def positive_count(value: Any, name: str) -> int:
    """``value`` as an int if it is a whole number ≥ 1; else an error naming ``name``.

    >>> positive_count(3, "epochs")
    3
    >>> positive_count(0, "--epochs")
    Traceback (most recent call last):
    ...
    jacobian_bp.errors.InvalidArgumentError: --epochs must be at least 1, got 0
    """
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise InputTypeError(f"{name} must be a whole number, got {value!r}")
    if value < 1:
        raise InvalidArgumentError(f"{name} must be at least 1, got {value}")
    return int(value)


def all_finite(array: Array) -> bool:
    """Whether every entry of ``array`` is finite: no NaN, no infinity.

    ``x·x = Σ xᵢ²`` adds up non-negative terms, so nothing cancels: it is NaN or
    infinite exactly when some entry is, or when the squares overflow (entries
    beyond about 1e154). One dot product (BLAS; no temporary array unless the
    array is not contiguous) answers for almost every array; only one whose dot
    product is not finite is looked at entry by entry, to tell an overflow from a
    NaN or an infinity. This runs on
    every array of every call: on the notes' arrays the dot product costs less
    than setting up a reduction, on a large network's parameters a quarter of a
    pass that writes a boolean per entry.

    >>> all_finite(np.array([1e308, 1e308])), all_finite(np.array([1.0, -np.inf])), all_finite(np.array(np.nan))
    (True, False, False)
    """
    if math.isfinite(np.vdot(array, array)):
        return True
    return bool(np.count_nonzero(np.isfinite(array)) == array.size)


def check_finite(array: Array, name: str) -> Array:
    """Return ``array`` unchanged, or raise naming the first NaN or infinite entry.

    >>> check_finite(np.array([1.0, np.nan]), "T")
    Traceback (most recent call last):
    ...
    jacobian_bp.errors.NonFiniteError: T holds nan at index (1,); inputs, targets and parameters must be finite
    """
    if all_finite(array):
        return array
    index = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
    raise NonFiniteError(f"{name} holds {array[index]} at index {index}; inputs, targets and parameters must be finite")


def check_inputs(net: MLP, X: Any) -> Array:
    """One example ``(n0,)`` or a batch ``(N, n0)`` of finite real inputs for ``net``."""
    X = as_real_array(X, "X")
    width = net.sizes[0]
    if X.ndim not in (1, 2):
        raise ShapeError(f"X must be one example of shape ({width},) or a batch (N, {width}); got shape {X.shape}")
    if X.shape[-1] != width:
        raise ShapeError(
            f"X has width {X.shape[-1]} (shape {X.shape}) but the network expects {counted(width, 'input')} (sizes[0])"
        )
    if X.ndim == 2 and X.shape[0] == 0:
        raise ShapeError(f"X is an empty batch (shape {X.shape}); a loss needs at least one example")
    return check_finite(X, "X")


def check_targets(net: MLP, X: Array, T: Any, loss: Loss) -> Array:
    """Targets shaped like the network's output for ``X``: ``(nL,)`` or ``(N, nL)``.

    A scalar per example is accepted when the network has one output, as the
    notes write ``t``.
    """
    T = as_real_array(T, "T")
    outputs = net.sizes[-1]
    if X.ndim == 1:
        expected: tuple[int, ...] = (outputs,)
        if T.shape == () and outputs == 1:
            T = T.reshape(1)
    else:
        expected = (X.shape[0], outputs)
        if T.ndim == 1 and outputs == 1 and T.shape[0] == X.shape[0]:
            T = T[:, None]
        if T.ndim >= 1 and T.shape[0] != X.shape[0]:
            raise ShapeError(
                f"X holds {counted(X.shape[0], 'example')} but T holds {T.shape[0]} (X {X.shape}, T {T.shape})"
            )
    if T.shape != expected:
        raise ShapeError(f"T must have shape {expected} for X of shape {X.shape}; got {T.shape}")
    check_finite(T, "T")
    check_target_range(T, loss)
    return T


def check_target_range(T: Array, loss: Loss) -> None:
    """Cross-entropies need targets in [0, 1]; ``cross_entropy`` needs rows that sum to 1."""
    if loss.name not in ("bce", "cross_entropy"):
        return
    if ((T < 0) | (T > 1)).any():
        raise InvalidArgumentError(f"{loss.name} needs targets in [0, 1]; T ranges over [{T.min()}, {T.max()}]")
    if loss.name == "cross_entropy":
        sums = T.sum(axis=-1)
        if not np.allclose(sums, 1.0):
            raise InvalidArgumentError(
                f"cross_entropy needs one-hot (or probability) target rows that sum to 1; a row sums to "
                f"{np.atleast_1d(sums)[~np.isclose(np.atleast_1d(sums), 1.0)][0]}"
            )


def check_loss_fits(net: MLP, loss: Loss) -> None:
    """``bce`` is defined on sigmoid outputs and ``cross_entropy`` on softmax outputs."""
    if loss.output_activation is not None and net.output_activation != loss.output_activation:
        raise InvalidArgumentError(
            f"loss {loss.name!r} needs output_activation={loss.output_activation!r}; "
            f"this network's output activation is {net.output_activation!r}"
        )
