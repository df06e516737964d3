"""Toy problems to train on (beyond the notes), made with numpy: the same data for the same seed.

Each returns ``(X, T)`` of shapes ``(N, n0)`` and ``(N, nL)``: ``xor`` (the four
corners), ``moons``, ``circles`` (binary, one target column), ``regression``
(``t = sin x`` plus noise) and ``spiral`` (one-hot rows, one arm per class).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from jacobian_bp.display.words import counted
from jacobian_bp.errors import InputTypeError, InvalidArgumentError, ShapeError

Array = np.ndarray


def _whole(value: Any, name: str, minimum: int = 1) -> int:
    """``value`` as an int ≥ ``minimum``, or a clear error (``True`` and ``2.5`` are not counts)."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise InputTypeError(f"{name} must be a whole number, got {value!r}")
    if value < minimum:
        raise InvalidArgumentError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def _noise_level(value: Any, name: str = "noise") -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise InputTypeError(f"{name} must be a real number, got {value!r}")
    if not math.isfinite(value) or value < 0:
        raise InvalidArgumentError(f"{name} must be a finite number ≥ 0, got {value}")
    return float(value)


def _generator(seed: Any) -> np.random.Generator:
    if seed is not None:
        _whole(seed, "seed", minimum=0)
    return np.random.default_rng(seed)


def one_hot(labels: Any, classes: int) -> Array:
    """Class indices ``0 … classes−1`` as one-hot rows of shape ``(N, classes)``.

    >>> one_hot([2, 0], classes=3)
    array([[0., 0., 1.],
           [1., 0., 0.]])
    >>> one_hot([3], classes=3)
    Traceback (most recent call last):
    ...
    jacobian_bp.errors.InvalidArgumentError: label 3 (example 0) is out of range: with 3 classes labels are 0 … 2
    """
    classes = _whole(classes, "classes")
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ShapeError(f"labels must be one class index per example, shape (N,); got shape {labels.shape}")
    if labels.dtype.kind not in "biuf" or (labels.dtype.kind == "f" and not np.all(labels == np.round(labels))):
        raise InputTypeError(f"labels must be whole class indices 0 … {classes - 1}, got {labels!r}")
    outside = (labels < 0) | (labels >= classes)
    if outside.any():
        p = int(np.argmax(outside))
        raise InvalidArgumentError(
            f"label {labels[p]:g} (example {p}) is out of range: with {counted(classes, 'class', 'classes')} "
            f"labels are 0 … {classes - 1}"
        )
    return np.eye(classes)[labels.astype(int)]


def xor(n: int = 4, noise: float = 0.0, seed: int | None = 0) -> tuple[Array, Array]:
    """The XOR problem: the corners (0,0), (0,1), (1,0), (1,1) with targets 0, 1, 1, 0.

    ``n`` (a multiple of 4) repeats the four corners ``n/4`` times; ``noise``
    adds Gaussian jitter of that standard deviation to the inputs.

    >>> X, T = xor()
    >>> X.tolist(), T.ravel().tolist()
    ([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0.0, 1.0, 1.0, 0.0])
    """
    n = _whole(n, "n")
    if n % 4:
        raise InvalidArgumentError(f"xor needs n to be a multiple of 4 (the four corners), got {n}")
    noise, rng = _noise_level(noise), _generator(seed)
    corners = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    X = np.tile(corners, (n // 4, 1))
    T = np.logical_xor(X[:, 0], X[:, 1]).astype(float)[:, None]
    return X + noise * rng.standard_normal(X.shape), T


def moons(n: int = 200, noise: float = 0.1, seed: int | None = 0) -> tuple[Array, Array]:
    """Two interleaving half circles: the upper one is class 0, the lower, shifted one class 1.

    >>> X, T = moons(n=6, noise=0.0)
    >>> X.shape, T.ravel().tolist()
    ((6, 2), [0.0, 0.0, 0.0, 1.0, 1.0, 1.0])
    """
    n = _whole(n, "n", minimum=2)
    noise, rng = _noise_level(noise), _generator(seed)
    n_upper = n // 2
    angle_upper, angle_lower = np.linspace(0, np.pi, n_upper), np.linspace(0, np.pi, n - n_upper)
    upper = np.stack([np.cos(angle_upper), np.sin(angle_upper)], axis=1)
    lower = np.stack([1.0 - np.cos(angle_lower), 0.5 - np.sin(angle_lower)], axis=1)
    X = np.concatenate([upper, lower])
    T = np.concatenate([np.zeros(n_upper), np.ones(n - n_upper)])[:, None]
    return X + noise * rng.standard_normal(X.shape), T


def circles(n: int = 200, noise: float = 0.05, factor: float = 0.5, seed: int | None = 0) -> tuple[Array, Array]:
    """A circle of radius ``factor`` (class 1) inside the unit circle (class 0).

    >>> X, T = circles(n=4, noise=0.0)
    >>> np.linalg.norm(X, axis=1).tolist(), T.ravel().tolist()
    ([1.0, 1.0, 0.5, 0.5], [0.0, 0.0, 1.0, 1.0])
    """
    n = _whole(n, "n", minimum=2)
    noise = _noise_level(noise)
    factor = _noise_level(factor, "factor")
    if not 0 < factor < 1:
        raise InvalidArgumentError(f"factor is the inner radius over the outer one, in (0, 1); got {factor}")
    rng = _generator(seed)
    n_outer = n // 2
    angle_outer = np.linspace(0, 2 * np.pi, n_outer, endpoint=False)
    angle_inner = np.linspace(0, 2 * np.pi, n - n_outer, endpoint=False)
    outer = np.stack([np.cos(angle_outer), np.sin(angle_outer)], axis=1)
    inner = factor * np.stack([np.cos(angle_inner), np.sin(angle_inner)], axis=1)
    X = np.concatenate([outer, inner])
    T = np.concatenate([np.zeros(n_outer), np.ones(n - n_outer)])[:, None]
    return X + noise * rng.standard_normal(X.shape), T


def regression(n: int = 64, noise: float = 0.1, seed: int | None = 0) -> tuple[Array, Array]:
    """A 1-D curve to fit: ``t = sin(x) + noise``, ``x`` evenly spaced over ``[−π, π]``.

    >>> X, T = regression(n=5, noise=0.0)
    >>> X.shape, T.shape, bool(np.allclose(T, np.sin(X)))
    ((5, 1), (5, 1), True)
    """
    n = _whole(n, "n")
    noise, rng = _noise_level(noise), _generator(seed)
    x = np.linspace(-np.pi, np.pi, n)
    return x[:, None], (np.sin(x) + noise * rng.standard_normal(n))[:, None]


def spiral(n_per_class: int = 100, classes: int = 3, noise: float = 0.2, seed: int | None = 0) -> tuple[Array, Array]:
    """``classes`` spiral arms around the origin, ``n_per_class`` points each, one-hot targets.

    Arm ``c`` sweeps the angle from ``4c`` to ``4(c+1)`` radians while the
    radius grows from 0 to 1; ``noise`` jitters the angle.

    >>> X, T = spiral(n_per_class=5)
    >>> X.shape, T.shape, T.sum(axis=0).tolist()
    ((15, 2), (15, 3), [5.0, 5.0, 5.0])
    """
    n_per_class = _whole(n_per_class, "n_per_class")
    classes = _whole(classes, "classes", minimum=2)
    noise, rng = _noise_level(noise), _generator(seed)
    radius = np.tile(np.linspace(0.0, 1.0, n_per_class), classes)
    labels = np.repeat(np.arange(classes), n_per_class)
    start = 4.0 * labels
    angle = start + 4.0 * np.tile(np.linspace(0.0, 1.0, n_per_class), classes)
    angle = angle + noise * rng.standard_normal(angle.shape)
    X = radius[:, None] * np.stack([np.sin(angle), np.cos(angle)], axis=1)
    return X, one_hot(labels, classes)


#: Every generator by name, as the CLI offers them.
DATASETS: dict[str, Callable[..., tuple[Array, Array]]] = {
    "xor": xor,
    "moons": moons,
    "circles": circles,
    "regression": regression,
    "spiral": spiral,
}
