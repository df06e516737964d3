"""The ``"numeric"`` path: central finite differences, the referee of every other path.

``∂J/∂θ ≈ (J(θ + ε) − J(θ − ε)) / 2ε`` with ``ε = 1e-6 · max(1, |θ|)``: the
truncation error is ``O(ε²)`` and the rounding error ``O(1e-16 / ε)``, both
around ``1e-10`` for well-scaled values — far below the ``atol=1e-6,
rtol=1e-5`` the comparisons use.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jacobian_bp.chain.jacobian import superscript
from jacobian_bp.network.losses import Loss
from jacobian_bp.network.mlp import MLP, Trace

Array = np.ndarray

#: Relative step of the central differences.
RELATIVE_STEP = 1e-6


def step_size(theta: float) -> float:
    """``1e-6 · max(1, |θ|)``: relative for large parameters, absolute near zero.

    >>> step_size(0.1), step_size(-64.0)
    (1e-06, 6.4e-05)
    """
    return RELATIVE_STEP * max(1.0, abs(theta))


@dataclass(frozen=True)
class KinkCrossing:
    """A finite difference that straddles a kink: ``θ + ε`` and ``θ − ε`` put one pre-activation on two pieces.

    The difference quotient then averages the slopes of two pieces and measures
    no derivative at all; it says nothing about the gradient of that entry.
    ``example`` is ``None`` for a single example (no batch axis).

    >>> relu = jbp.MLP([1, 1, 1], activation="relu", output_activation="identity",
    ...                params={"W1": [[1.0]], "b1": [0.0], "W2": [[1.0]], "b2": [0.0]})
    >>> found = []
    >>> _ = numeric_gradient(relu, relu.forward(np.array([0.0])), np.array([1.0]), jbp.get_loss("mse"), found)
    >>> print(found[0])
    the step ±1e-06 of b1[0] carries the relu pre-activation a¹[0] at layer 1, unit 0 (a = 0) across a kink of relu
    """

    parameter: str
    index: tuple[int, ...]
    step: float
    layer: int
    unit: int
    example: int | None
    pre_activation: float
    activation: str

    def __str__(self) -> str:
        where = f"layer {self.layer}, unit {self.unit}" + ("" if self.example is None else f", example {self.example}")
        return (
            f"the step ±{self.step:.3g} of {self.parameter}{list(self.index)} carries the {self.activation} "
            f"pre-activation a{superscript(self.layer)}[{self.unit}] at {where} (a = {self.pre_activation:.3g}) "
            f"across a kink of {self.activation}"
        )


def numeric_gradient(
    net: MLP, trace: Trace, T: Array, loss: Loss, crossings: list[KinkCrossing] | None = None
) -> dict[str, Array]:
    """Perturb each parameter entry both ways and difference the batch loss.

    Given a list ``crossings``, every difference whose two evaluations put a
    pre-activation on two pieces of a piecewise activation (ReLU on both sides
    of 0) is recorded in it as a :class:`KinkCrossing`: :func:`~jacobian_bp.methods.checking.gradcheck`
    uses them to explain a mismatch.

    >>> import jacobian_bp as jbp
    >>> net = jbp.notes_network()
    >>> X, T = np.array([[1.0, 0.5]]), np.array([[1.0]])
    >>> numeric = numeric_gradient(net, net.forward(X), T, jbp.get_loss("mse"))
    >>> exact = jbp.gradient(net, X, T, method="backprop")
    >>> bool(np.allclose(numeric["W1"], exact["W1"], atol=1e-8))
    True
    >>> relu = jbp.MLP([1, 1, 1], activation="relu", output_activation="identity",
    ...                params={"W1": [[1.0]], "b1": [0.0], "W2": [[1.0]], "b2": [0.0]})
    >>> found = []
    >>> grads = numeric_gradient(relu, relu.forward(np.array([0.0])), np.array([1.0]), jbp.get_loss("mse"), found)
    >>> grads["b1"].round(6)  # the mean of the two pieces' slopes, −1 and 0: no derivative at all
    array([-0.5])
    >>> [(c.parameter, c.layer, c.unit) for c in found]
    [('b1', 1, 0)]
    """
    X = trace.h[0]
    probe = net.copy()
    kinked = [k for k in range(1, net.depth + 1) if net.layer_activation(k).kinks] if crossings is not None else []

    def evaluate() -> tuple[float, Trace]:
        probed = probe._forward(X)
        return loss.value(probed.z, T, probed.a[probe.depth]), probed

    grads = {}
    for name in net.param_names:
        values = probe.params[name]
        grad = np.zeros_like(values)
        for index in np.ndindex(values.shape):
            original = values[index]
            # Divide by the step actually taken: θ ± ε rounds, and 2ε would be off by that rounding.
            plus, minus = original + step_size(original), original - step_size(original)
            values[index] = plus
            loss_plus, trace_plus = evaluate()
            values[index] = minus
            loss_minus, trace_minus = evaluate()
            values[index] = original
            grad[index] = (loss_plus - loss_minus) / (plus - minus)
            for k in kinked:
                activation = net.layer_activation(k)
                straddled = activation.piece(trace_plus.a[k]) != activation.piece(trace_minus.a[k])
                for position in np.argwhere(straddled):
                    *example, unit = (int(i) for i in position)
                    assert crossings is not None
                    crossings.append(
                        KinkCrossing(
                            name,
                            tuple(int(i) for i in index),
                            step_size(original),
                            k,
                            unit,
                            example[0] if example else None,
                            float(trace.a[k][tuple(position)]),
                            activation.name,
                        )
                    )
        grads[name] = grad
    return grads
