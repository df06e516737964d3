"""Gradient descent with any gradient method (beyond the notes): ``θ ← θ − lr · ∂J/∂θ``.

``batch_size=None`` takes one full-batch step per epoch; a smaller batch
shuffles each epoch (stochastic gradient descent). Every method gives the same
gradient, so every method trains the same network; inputs are checked once.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from jacobian_bp.chain.budget import resolve_max_bytes
from jacobian_bp.display import html as html_view
from jacobian_bp.display.words import counted
from jacobian_bp.errors import InputTypeError, InvalidArgumentError, NonFiniteError, TrainingWarning
from jacobian_bp.methods.gradient import check_method, path_for
from jacobian_bp.network.losses import Loss, get_loss
from jacobian_bp.network.mlp import MLP
from jacobian_bp.network.validation import (
    check_inputs,
    check_loss_fits,
    check_targets,
    positive_count,
    positive_number,
)
from jacobian_bp.training.datasets import one_hot

Array = np.ndarray

#: Default learning rate and number of epochs: full-batch gradient descent that takes the
#: notes' 2-3-1 sigmoid network (``notes_network(seed=0)``) to 100% accuracy on ``datasets.xor()``.
DEFAULT_LR = 5.0
DEFAULT_EPOCHS = 1000

#: Epochs after which a loss no lower than where it started gives a :class:`TrainingWarning`.
#: Every recipe's loss is below its start well before then, for every seed tried.
STALL_EPOCHS = 50

#: Losses whose targets are classes, so that accuracy means something.
CLASSIFICATION_LOSSES = ("bce", "cross_entropy")


@dataclass
class History:
    """What :func:`train` measured: the training loss (and accuracy) after every epoch.

    ``accuracy`` is ``None`` when the targets are not classes (see :func:`accuracy`).

    >>> X, T = jbp.datasets.xor()
    >>> history = jbp.train(jbp.notes_network(), X, T, epochs=10)
    >>> len(history.loss), history.steps, history.final_loss < history.initial_loss
    (10, 10, True)
    """

    method: str
    lr: float
    epochs: int
    batch_size: int
    initial_loss: float
    loss: list[float] = field(default_factory=list)
    accuracy: list[float] | None = None
    steps: int = 0

    @property
    def final_loss(self) -> float:
        """The training loss after the last epoch."""
        return self.loss[-1] if self.loss else self.initial_loss

    @property
    def final_accuracy(self) -> float | None:
        """The training accuracy after the last epoch, or ``None`` when it is not tracked."""
        return self.accuracy[-1] if self.accuracy else None

    def __repr__(self) -> str:
        accuracy = "" if self.final_accuracy is None else f", accuracy {100 * self.final_accuracy:.1f}%"
        return (
            f"History({self.method}, lr {self.lr:g}, {len(self.loss)} epochs: "
            f"loss {self.initial_loss:.4g} → {self.final_loss:.4g}{accuracy})"
        )

    def _repr_html_(self) -> str:
        """In a notebook: a summary and the loss curve, not the list of every epoch's loss."""
        rows = [
            ["method", self.method],
            ["learning rate", f"{self.lr:g}"],
            ["batch size", self.batch_size],
            ["epochs, steps", f"{len(self.loss)}, {self.steps}"],
            ["loss", f"{self.initial_loss:.6g} → {self.final_loss:.6g}"],
        ]
        if self.final_accuracy is not None:
            rows.append(["accuracy", f"{100 * self.accuracy[0]:.1f}% → {100 * self.final_accuracy:.1f}%"])
        return (
            f"<div>{html_view.table(['', ''], rows, caption='training history')}{html_view.loss_curve(self.loss)}</div>"
        )

    def __str__(self) -> str:
        text = (
            f"{counted(len(self.loss), 'epoch')}, {counted(self.steps, 'step')} of {self.method!r} "
            f"(lr {self.lr:g}, batch {self.batch_size}): loss {self.initial_loss:.6g} → {self.final_loss:.6g}"
        )
        if self.final_accuracy is not None:
            text += f", accuracy {100 * self.final_accuracy:.1f}%"
        return text


def tracks_accuracy(T: Array, loss: str) -> bool:
    """Whether :func:`accuracy` is defined for targets ``T`` under ``loss``.

    Always for ``bce`` and ``cross_entropy``; for ``mse`` when there is one
    output and every target is exactly 0 or 1 — the notes' network on XOR,
    a classifier trained as a regression; never for real-valued targets.

    >>> tracks_accuracy(np.array([[0.0], [1.0]]), "mse"), tracks_accuracy(np.array([[0.3]]), "mse")
    (True, False)
    """
    if loss in CLASSIFICATION_LOSSES:
        return True
    return loss == "mse" and T.shape[-1] == 1 and bool(np.isin(T, (0.0, 1.0)).all())


def accuracy(z: Array, T: Array, loss: str) -> float | None:
    """The fraction of examples classified right, or ``None`` if ``T`` holds no classes.

    ``cross_entropy``: the largest output is the target's class. ``bce`` and
    ``mse`` on 0/1 targets: each output on the same side of 0.5 as its target.

    >>> accuracy(np.array([[0.2, 0.8], [0.6, 0.4]]), np.array([[0.0, 1.0], [0.0, 1.0]]), "cross_entropy")
    0.5
    >>> accuracy(np.array([[0.9], [0.4]]), np.array([[1.0], [0.0]]), "mse")
    1.0
    """
    return _fraction_right(z, T, loss) if tracks_accuracy(T, loss) else None


def _fraction_right(z: Array, T: Array, loss: str) -> float:
    if loss == "cross_entropy":
        return float((np.argmax(z, axis=-1) == np.argmax(T, axis=-1)).mean())
    return float(((z > 0.5) == (T > 0.5)).mean())


def _training_targets(net: MLP, X: Array, T: Any, loss: Loss) -> Array:
    """Targets for a batch ``X``; for ``cross_entropy``, class indices ``(N,)`` become one-hot rows."""
    classes = net.sizes[-1]
    if loss.name == "cross_entropy" and classes > 1 and np.ndim(T) == 1:
        T = one_hot(T, classes)
    return check_targets(net, X, T, loss)


def train(
    net: MLP,
    X: Any,
    T: Any,
    loss: str = "mse",
    method: str = "backprop",
    lr: float = DEFAULT_LR,
    epochs: int = DEFAULT_EPOCHS,
    batch_size: int | None = None,
    seed: int | None = 0,
    max_bytes: int | None = None,
    on_epoch: Callable[[int, History], None] | None = None,
) -> History:
    """Train ``net`` on ``(X, T)`` by gradient descent, updating ``net.params`` in place.

    ``method`` is any of :data:`~jacobian_bp.methods.gradient.METHODS`; ``batch_size``
    ``None`` means the whole set per step, and ``seed`` drives the shuffling of
    mini-batches. For ``cross_entropy`` the targets may also be class indices
    ``(N,)``. ``on_epoch(epoch, history)`` is called after every epoch (the CLI
    draws its progress bar there). A step that makes the loss or the gradient
    non-finite raises :class:`~jacobian_bp.errors.NonFiniteError` naming the epoch;
    a loss that has not gone below its start in :data:`STALL_EPOCHS` epochs warns
    with :class:`~jacobian_bp.errors.TrainingWarning`. The defaults train the
    notes' network on XOR:

    >>> net = jbp.notes_network()
    >>> X, T = jbp.datasets.xor()
    >>> history = jbp.train(net, X, T, loss="mse", method="backprop")
    >>> history.final_accuracy, history.final_loss < 0.01
    (1.0, True)

    A step far too large saturates every sigmoid at once, and the loss sticks:

    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     stuck = jbp.train(jbp.notes_network(), X, T, lr=1e6, epochs=60)
    >>> [warning.category.__name__ for warning in caught], stuck.final_loss > stuck.initial_loss
    (['TrainingWarning'], True)

    With an unbounded output the same step diverges, and training stops:

    >>> X, T = jbp.datasets.regression()
    >>> jbp.train(jbp.MLP([1, 16, 1], activation="tanh", output_activation="identity"), X, T, lr=1e6)
    Traceback (most recent call last):
    ...
    jacobian_bp.errors.NonFiniteError: training stopped ... epoch ... try a smaller learning rate than lr=1e+06...
    """
    if not isinstance(net, MLP):
        raise InputTypeError(f"net must be a jacobian_bp.MLP, got {type(net).__name__}")
    loss_fn = get_loss(loss)
    check_loss_fits(net, loss_fn)
    check_method(method)
    lr = positive_number(lr, "lr")
    epochs = positive_count(epochs, "epochs")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0):
        raise InvalidArgumentError(f"seed must be a whole number ≥ 0 or None, got {seed!r}")
    if on_epoch is not None and not callable(on_epoch):
        raise InputTypeError(f"on_epoch must be a function (epoch, history) or None, got {type(on_epoch).__name__}")
    budget = resolve_max_bytes(max_bytes)
    X = np.atleast_2d(check_inputs(net, X))
    T = _training_targets(net, X, T, loss_fn)
    net.check_params()
    n_examples = X.shape[0]
    batch_size = n_examples if batch_size is None else positive_count(batch_size, "batch_size")
    if batch_size > n_examples:
        raise InvalidArgumentError(
            f"batch_size {batch_size} is larger than the training set ({counted(n_examples, 'example')}); "
            f"use at most {n_examples}, or None for the whole set"
        )
    return _descend(net, X, T, loss_fn, method, lr, epochs, batch_size, seed, budget, on_epoch)


def _descend(
    net: MLP,
    X: Array,
    T: Array,
    loss: Loss,
    method: str,
    lr: float,
    epochs: int,
    batch_size: int,
    seed: int | None,
    max_bytes: int,
    on_epoch: Callable[[int, History], None] | None,
) -> History:
    """The training loop on validated arrays."""
    gradient_of = path_for(method, max_bytes)
    rng = np.random.default_rng(seed)
    full_batch = batch_size == X.shape[0]
    L = net.depth
    start = {name: value.copy() for name, value in net.params.items()}  # where a stalled run's advice starts
    trace = net._forward(X)
    history = History(method, lr, epochs, batch_size, loss.value(trace.z, T, trace.a[L]))
    if tracks_accuracy(T, loss.name):
        history.accuracy = []
    for epoch in range(1, epochs + 1):
        # A diverging run overflows on its way to the non-finite loss that stops it below, with a clear error.
        with np.errstate(over="ignore", invalid="ignore"):
            try:
                if full_batch:  # the trace that measured the last epoch is this step's forward pass
                    _update(net, gradient_of(net, trace, T, loss), lr)
                    history.steps += 1
                else:
                    order = rng.permutation(X.shape[0])
                    for start in range(0, X.shape[0], batch_size):
                        rows = order[start : start + batch_size]
                        _update(net, gradient_of(net, net._forward(X[rows]), T[rows], loss), lr)
                        history.steps += 1
            except NonFiniteError as error:
                if history.steps == 0:  # the starting point itself: no step has been taken to blame
                    raise
                raise NonFiniteError(
                    f"training stopped in epoch {epoch}: after {counted(history.steps, 'step')} the gradient by "
                    f"method {method!r} is no longer finite, so the steps have diverged; try a smaller learning "
                    f"rate than lr={lr:g}. ({error})"
                ) from error
            trace = net._forward(X)
            value = loss.value(trace.z, T, trace.a[L])
        if not math.isfinite(value):
            raise NonFiniteError(
                f"training stopped after epoch {epoch}: the training loss became {value}, so the steps have "
                f"diverged; try a smaller learning rate than lr={lr:g}"
            )
        history.loss.append(value)
        if history.accuracy is not None:
            history.accuracy.append(_fraction_right(trace.z, T, loss.name))
        if epoch == STALL_EPOCHS:
            _warn_if_stalled(history, functools.partial(_suggested_lr, net, start, X, T, loss, lr))
        if on_epoch is not None:
            on_epoch(epoch, history)
    return history


#: Full-batch steps each candidate learning rate takes when a stalled run looks for one to suggest.
PROBE_STEPS = 5


def _suggested_lr(net: MLP, start: dict[str, Array], X: Array, T: Array, loss: Loss, lr: float) -> float:
    """The largest power of ten below ``lr`` whose first steps from ``start`` lower the loss.

    A tenth of a learning rate far too large is still far too large (``lr=1e6`` would suggest ``1e5``);
    a few full-batch backprop steps from the starting parameters tell a rate that descends, and cost
    little beside the epochs already run.

    >>> X, T = jbp.datasets.xor()
    >>> net = jbp.notes_network()
    >>> _suggested_lr(net, net.params, X, T, jbp.get_loss("mse"), 1e6)
    10.0
    """
    from jacobian_bp.methods.backprop import backprop_gradient

    probe = MLP(net.sizes, net.activation, net.output_activation, params=start)
    trace = probe._forward(X)
    initial = loss.value(trace.z, T, trace.a[probe.depth])
    candidate = 10.0 ** math.floor(math.log10(lr))
    candidate = candidate / 10 if candidate >= lr else candidate
    with np.errstate(all="ignore"):
        for _ in range(16):
            probe.params = {name: value.copy() for name, value in start.items()}
            for _ in range(PROBE_STEPS):
                _update(probe, backprop_gradient(probe, probe._forward(X), T, loss), candidate)
            trace = probe._forward(X)
            value = loss.value(trace.z, T, trace.a[probe.depth])
            if math.isfinite(value) and value < initial:
                return candidate
            candidate /= 10
    return candidate


def _warn_if_stalled(history: History, suggestion: Callable[[], float]) -> None:
    """A :class:`TrainingWarning` if no epoch so far has ended below the starting loss."""
    best = min(history.loss)
    if history.initial_loss > 0 and best >= history.initial_loss:
        warnings.warn(
            f"the training loss has not decreased in {counted(len(history.loss), 'epoch')}: it started at "
            f"{history.initial_loss:.6g} and has been no lower than {best:.6g} since (method {history.method!r}, "
            f"lr={history.lr:g}). A learning rate that is too large makes gradient descent overshoot or saturate "
            f"the units; try a smaller one, such as lr={suggestion():g}",
            TrainingWarning,
            stacklevel=4,  # the caller of train(), past _warn_if_stalled and _descend
        )


def _update(net: MLP, grads: dict[str, Array], lr: float) -> None:
    """``θ ← θ − lr · ∂J/∂θ``, in place: arrays the caller holds see the new values."""
    for name, grad in grads.items():
        net.params[name] -= lr * grad
