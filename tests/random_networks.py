"""Hypothesis strategy for the cost and structure tests: a random MLP with generic data.

Parameters (biases included) and inputs are drawn from a normal distribution by
a seeded generator, so no value lands exactly on a kink, a saturation or a
coincidental 0 or 1; targets fit the loss.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from hypothesis import strategies as st

import jacobian_bp as jbp

#: The output activation each cross-entropy is defined on.
LOSS_OUTPUT = {"bce": "sigmoid", "cross_entropy": "softmax"}


def targets(loss: str, rng: np.random.Generator, batch: int, outputs: int) -> np.ndarray:
    """Targets that fit ``loss``: any reals for mse, 0/1 for bce, one-hot rows for cross_entropy."""
    if loss == "cross_entropy":
        return np.eye(outputs)[rng.integers(0, outputs, size=batch)]
    if loss == "bce":
        return rng.integers(0, 2, size=(batch, outputs)).astype(float)
    return rng.normal(size=(batch, outputs))


@st.composite
def networks(
    draw: st.DrawFn,
    activations: Sequence[str] = tuple(jbp.ACTIVATIONS),
    losses: Sequence[str] = tuple(jbp.LOSSES),
    max_width: int = 4,
    max_depth: int = 3,
    max_batch: int = 3,
) -> tuple[jbp.MLP, np.ndarray, np.ndarray, str]:
    """``(net, X, T, loss)``: a random architecture, random parameters, a random batch."""
    depth = draw(st.integers(1, max_depth))
    sizes = draw(st.lists(st.integers(1, max_width), min_size=depth + 1, max_size=depth + 1))
    loss = draw(st.sampled_from(losses))
    hidden = draw(st.sampled_from(activations))
    output = LOSS_OUTPUT.get(loss) or draw(st.sampled_from(activations))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    net = jbp.MLP(sizes, activation=hidden, output_activation=output, seed=seed)
    net.set_params({name: rng.normal(size=value.shape) for name, value in net.params.items()})
    batch = draw(st.integers(1, max_batch))
    X = rng.normal(size=(batch, sizes[0]))
    return net, X, targets(loss, rng, batch, sizes[-1]), loss
