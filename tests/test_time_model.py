"""The time model: work priced by machine constants, the constants' checks, and bytes against real allocations.

Only the deterministic parts are tested: the arithmetic of the prediction, the
validation of its inputs, and the byte accounting (counted on real arrays and
traced allocations). Whether the predictions match measured time is the
benchmark's business (benchmarks/bench_paths.py), never a test's.
"""

from __future__ import annotations

import math
import tracemalloc
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jacobian_bp as jbp
from jacobian_bp import time_model
from jacobian_bp.gradients import PATHS, prepare
from jacobian_bp.time_model import Machine, best_time, calibrate

from .strategies import networks

CONSTANTS = ("seconds_per_multiply_add", "seconds_per_byte_written", "seconds_per_byte_read", "seconds_per_operation")
positive_seconds = st.floats(min_value=1e-12, max_value=1e-3, allow_nan=False, allow_infinity=False)


@given(networks(), st.sampled_from(jbp.METHODS), st.tuples(*[positive_seconds] * 4))
def test_predicted_seconds_prices_each_kind_of_work(case, method, constants):
    net, X, T, loss = case
    machine = Machine(*constants)
    c = jbp.cost(net, X, T, loss=loss, method=method)
    per_madd, per_written, per_read, per_operation = constants
    terms = c.time_terms(machine)
    assert terms == pytest.approx(
        {
            "arithmetic": c.multiply_adds * per_madd,
            "writing": c.bytes_written * per_written,
            "reading": c.bytes_read * per_read,
            "overhead": c.operations * per_operation,
        },
        rel=1e-12,
    )
    expected = c.multiply_adds * per_madd + c.bytes_written * per_written + c.bytes_read * per_read
    assert c.predicted_seconds(machine) == pytest.approx(expected + c.operations * per_operation, rel=1e-12)
    # Every path reads and writes something and makes at least one numpy call.
    assert c.bytes_written > 0 and c.bytes_read > 0 and c.operations > 0


def test_each_path_on_the_notes_network_by_hand():
    """Backprop and outer on the notes' 2-3-1 network, one example, counted kernel by kernel (entries of 8 bytes).

    backprop: ∂L/∂z (writes 1), σ'(a²) (1), ⊙ (reads 2, writes 1), / N (reads 1, writes 1);
      layer 2: Σ g (reads 1, writes 1), g hᵀ (reads 1 + 3, writes 3), Wᵀ g (reads 1 + 3, writes 3);
      layer 1: σ'(a¹) (3), ⊙ (reads 6, writes 3), Σ g (reads 3, writes 3), g xᵀ (reads 3 + 2, writes 6).
    outer: the head (4 kernels as above) for each layer, then for layer 1 also δ w² (reads 1 + 3, writes 3),
      σ'(a¹) (3) and ⊙ (reads 6, writes 3); each layer ends with δᵀ h and Σ δ.
    """
    net = jbp.notes_network()
    backprop = jbp.cost(net, [1.0, 0.5], 1.0, method="backprop")
    written = (1 + 1 + 1 + 1) + (1 + 3 + 3) + (3 + 3 + 3 + 6)
    read = (2 + 1) + (1 + 4 + 4) + (6 + 3 + 5)
    # numpy calls: ∂L/∂z = z − t (1), σ'(a²) = h·σ(−a) (a negation, σ's 7 calls, a product: 9), ⊙ (1), / N (1);
    # layer 2: Σ g, g hᵀ, Wᵀ g (1 each); layer 1: σ'(a¹) (9), ⊙, Σ g, g xᵀ (1 each).
    calls = (1 + 9 + 1 + 1) + 3 + (9 + 3)
    assert (backprop.bytes_written, backprop.bytes_read, backprop.operations) == (8 * written, 8 * read, calls)
    outer = jbp.cost(net, [1.0, 0.5], 1.0, method="outer")
    head_written, head_read = 4, 3
    layer_2 = (head_written + 3 + 1, head_read + 4 + 1)  # δᵀ h¹: reads 1 + 3, writes 3; Σ δ: reads 1, writes 1
    layer_1 = (head_written + 3 + 3 + 3 + 6 + 3, head_read + 4 + 6 + 5 + 3)
    assert outer.bytes_written == 8 * (layer_2[0] + layer_1[0])
    assert outer.bytes_read == 8 * (layer_2[1] + layer_1[1])
    # numpy calls of the head: ∂L/∂z (1) checked finite (isfinite, all: 2), / N (1), σ'(a²) (9), ⊙ (1).
    # Layer 2: head, δᵀ h, Σ δ. Layer 1: head, δ w², σ'(a¹) (9), ⊙, δᵀ h, Σ δ. (For one example, not a batch,
    # Σ δ is δ itself and costs no call; the model charges it as for a batch.)
    head = 1 + 2 + 1 + 9 + 1
    assert outer.operations == (head + 2) + (head + 1 + 9 + 1 + 2)


@pytest.mark.parametrize(
    ("sizes", "batch", "output"),
    [
        ([48, 48, 48, 48], 2, "sigmoid"),
        ([32, 32, 32, 32], 8, "softmax"),
        ([5, 40, 3], 16, "sigmoid"),
        ([24, 40, 16], 6, "tanh"),
    ],
)
def test_peak_bytes_match_the_allocations_traced(sizes, batch, output):
    """The materializing paths hold a whole chain of stacks at once: the predicted peak is what numpy allocates,
    up to temporaries and Python objects (on networks big enough for the arrays to dominate)."""
    net = jbp.MLP(sizes, activation="tanh", output_activation=output, seed=3)
    rng = np.random.default_rng(3)
    X, T = rng.normal(size=(batch, sizes[0])), rng.uniform(size=(batch, sizes[-1]))
    trace, T_checked, loss = prepare(net, X, T, "mse")
    for method in ("reshape", "slices", "einsum", "structured"):
        predicted = jbp.cost(net, X, T, method=method).peak_bytes
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            PATHS[method](net, trace, T_checked, loss)
            traced = tracemalloc.get_traced_memory()[1] - before
        finally:
            tracemalloc.stop()
        assert 0.9 * predicted <= traced <= 1.2 * predicted, (method, traced, predicted)


# ---------------------------------------------------------------- the machine constants


@pytest.mark.parametrize("constant", CONSTANTS)
@pytest.mark.parametrize("value", [0.0, -1e-9, math.inf, math.nan])
def test_machine_rejects_constants_that_are_not_positive_and_finite(constant, value):
    values = dict.fromkeys(CONSTANTS, 1e-9) | {constant: value}
    with pytest.raises(jbp.InvalidArgumentError, match=f"{constant} must be a positive finite number"):
        Machine(**values)


@pytest.mark.parametrize("value", ["fast", None, True, [1e-9]])
def test_machine_rejects_constants_that_are_not_numbers(value):
    with pytest.raises(jbp.InputTypeError, match="seconds_per_byte_read must be a number of seconds"):
        Machine(1e-10, 1e-10, value, 1e-7)


def test_calibrate_measures_four_positive_finite_constants():
    machine = calibrate(repeats=2, matmul_size=32, stream_bytes=2**16, small_calls=20)
    for constant in CONSTANTS:
        value = getattr(machine, constant)
        assert math.isfinite(value) and value > 0, constant
    text = str(machine)
    assert "per multiply-add" in text and "per byte written" in text and "per operation" in text


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"repeats": 0}, jbp.InvalidArgumentError, "repeats must be positive, got 0"),
        ({"matmul_size": -4}, jbp.InvalidArgumentError, "matmul_size must be positive"),
        ({"stream_bytes": 4}, jbp.InvalidArgumentError, "at least one float64"),
        ({"small_calls": 2.5}, jbp.InputTypeError, "small_calls must be a whole number"),
        ({"repeats": True}, jbp.InputTypeError, "repeats must be a whole number"),
    ],
)
def test_calibrate_rejects_bad_arguments(arguments, error, message):
    with pytest.raises(error, match=message):
        calibrate(**arguments)


def test_best_time_keeps_the_shortest_run(monkeypatch):
    """On a fake clock that each run advances by its own duration: no real time is measured."""
    clock = SimpleNamespace(now=0.0)
    monkeypatch.setattr(time_model, "time", SimpleNamespace(perf_counter=lambda: clock.now))
    durations = iter([0.3, 0.1, 0.2])

    def run() -> None:
        clock.now += next(durations)

    assert best_time(run, repeats=3) == pytest.approx(0.1)
    with pytest.raises(jbp.InvalidArgumentError, match="repeats must be positive"):
        best_time(run, repeats=-1)


def test_cost_figure_draws_predicted_seconds_dashed_beside_measured(tmp_path):
    pytest.importorskip("matplotlib", reason="figures need the optional plot extra")
    from jacobian_bp.plots import plot_cost

    figure = plot_cost(
        [4, 8],
        methods=("outer", "backprop"),
        path=tmp_path / "cost.png",
        seconds={"outer": [1e-5, 2e-5], "backprop": [1e-5, None]},
        predicted={"outer": [1e-5, 3e-5], "backprop": [5e-6, 9e-6]},
    )
    lines = figure.axes[1].get_lines()
    assert [line.get_linestyle() for line in lines] == ["-", "--", "-", "--"]
    assert lines[0].get_color() == lines[1].get_color()
    assert (tmp_path / "cost.png").stat().st_size > 1000
