"""Hypothesis strategies shared by the property tests: random networks, data and Jacobians.

Values are drawn through a numpy generator seeded by hypothesis, so every
example is reproducible from its seed; hypothesis explores the architecture,
the activation and loss choices, the batch size and the scale of the values.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

import jacobian_bp as jbp

ACTIVATION_NAMES = tuple(jbp.ACTIVATIONS)
LOSS_NAMES = tuple(jbp.LOSSES)

#: Pre-activations closer than this to a ReLU kink are rejected: a finite-difference
#: step must not cross the kink.
KINK_MARGIN = 1e-3


@dataclass
class Problem:
    """A network, a batch (or one example), targets and a loss name."""

    net: jbp.MLP
    X: np.ndarray
    T: np.ndarray
    loss: str


def output_activation_for(loss: str, draw_any: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """A cross-entropy is defined on its own output activation; mse on any."""
    required = jbp.get_loss(loss).output_activation
    return st.just(required) if required is not None else draw_any


def random_targets(rng: np.random.Generator, loss: str, shape: tuple[int, ...]) -> np.ndarray:
    """Targets a user of that loss would pass: real values, probabilities, or one-hot rows."""
    if loss == "mse":
        return rng.uniform(-1.0, 1.0, size=shape)
    if loss == "bce":
        return rng.uniform(0.0, 1.0, size=shape)
    classes = rng.integers(0, shape[-1], size=shape[:-1])
    return np.eye(shape[-1])[classes]


def away_from_kinks(net: jbp.MLP, X: np.ndarray) -> bool:
    """Whether every ReLU pre-activation is at least KINK_MARGIN from 0."""
    trace = net.forward(X)
    return all(
        np.all(np.abs(trace.a[k]) > KINK_MARGIN)
        for k in range(1, net.depth + 1)
        if net.layer_activation(k).name == "relu"
    )


#: Beyond this, e^(−|a|) underflows to 0 in float64 and a cross-entropy's ∂L/∂z overflows.
SATURATION = 700.0


def saturated(net: jbp.MLP, X: np.ndarray, loss: str) -> bool:
    """Whether a cross-entropy's output is so saturated that ∂L/∂z overflows.

    The materializing paths then refuse with NonFiniteError (tested on its own in
    test_gradients); the fused efficient paths stay exact.
    """
    if loss == "mse":
        return False
    logits = net.forward(X).a[net.depth]
    spread = logits.max(axis=-1) - logits.min(axis=-1) if loss == "cross_entropy" else np.abs(logits)
    return bool(np.any(spread > SATURATION))


@st.composite
def problems(
    draw: st.DrawFn,
    activations: tuple[str, ...] = ACTIVATION_NAMES,
    losses: tuple[str, ...] = LOSS_NAMES,
    max_depth: int = 4,
    max_width: int = 6,
    max_batch: int = 4,
    batch_only: bool = False,
    min_depth: int = 1,
    min_batch: int = 1,
    sizes: st.SearchStrategy[list[int]] | None = None,
) -> Problem:
    """A random MLP (depth 1–4, widths 1–6), random parameters, inputs and targets.

    ``X`` is one example ``(n0,)`` or a batch ``(N, n0)``; ``batch_only`` always draws a batch.
    ``sizes`` draws the layer widths instead, for tests that need a particular architecture.
    """
    if sizes is None:
        depth = draw(st.integers(min_depth, max_depth))
        sizes = st.lists(st.integers(1, max_width), min_size=depth + 1, max_size=depth + 1)
    sizes = draw(sizes)
    loss = draw(st.sampled_from(losses))
    hidden = draw(st.sampled_from(activations))
    output = draw(output_activation_for(loss, st.sampled_from(activations)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    scale = draw(st.sampled_from([0.3, 1.0, 2.0]))
    net = jbp.MLP(sizes, activation=hidden, output_activation=output)
    net.set_params({name: rng.uniform(-scale, scale, size=net.param_shape(name)) for name in net.param_names})
    one_example = False if batch_only else draw(st.booleans())
    batch = () if one_example else (draw(st.integers(min_batch, max_batch)),)
    X = rng.uniform(-2.0, 2.0, size=(*batch, sizes[0]))
    T = random_targets(rng, loss, (*batch, sizes[-1]))
    assume(away_from_kinks(net, X))
    assume(not saturated(net, X, loss))
    return Problem(net, X, T, loss)


@st.composite
def chainable_jacobians(draw: st.DrawFn, max_factors: int = 4, max_rank: int = 3, max_dim: int = 3) -> list:
    """A list of compatible random Jacobians of any rank (0–3 axes per group)."""
    count = draw(st.integers(1, max_factors))
    shapes = [tuple(draw(st.lists(st.integers(1, max_dim), min_size=0, max_size=max_rank))) for _ in range(count + 1)]
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return [
        jbp.Jacobian(rng.normal(size=shapes[i] + shapes[i + 1]), shapes[i], shapes[i + 1], f"∂u{i}/∂u{i + 1}")
        for i in range(count)
    ]


def networks(
    activations: tuple[str, ...] = ACTIVATION_NAMES,
    losses: tuple[str, ...] = LOSS_NAMES,
    max_width: int = 4,
    max_depth: int = 3,
    max_batch: int = 3,
) -> st.SearchStrategy[tuple[jbp.MLP, np.ndarray, np.ndarray, str]]:
    """``(net, X, T, loss)`` with ``X`` always a batch: the cost and structure tests' view of :func:`problems`."""
    return problems(activations, losses, max_depth, max_width, max_batch, batch_only=True).map(
        lambda problem: (problem.net, problem.X, problem.T, problem.loss)
    )


def sigmoid_batches(max_width: int = 4) -> st.SearchStrategy[Problem]:
    """The notes' kind of problem, grown: sigmoid layers, MSE, depth 2–3, a batch of 2–6 examples.

    The networks a student derives by hand; the answer-checking tests draw from here.
    """
    return problems(
        ("sigmoid",), ("mse",), max_depth=3, max_width=max_width, max_batch=6, batch_only=True, min_depth=2, min_batch=2
    )


@st.composite
def _square_hidden_sizes(draw: st.DrawFn, max_width: int) -> list[int]:
    width = draw(st.integers(2, max_width))
    return [draw(st.integers(1, max_width)), width, width, draw(st.integers(1, max_width))]


def square_sigmoid_batches(max_width: int = 4) -> st.SearchStrategy[Problem]:
    """:func:`sigmoid_batches` of depth 3 whose middle weight matrix ``W²`` is square (and wider than 1×1)."""
    return problems(
        ("sigmoid",), ("mse",), batch_only=True, min_batch=2, max_batch=6, sizes=_square_hidden_sizes(max_width)
    )
