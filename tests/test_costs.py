"""The cost model: every attribute checked against a count made independently in the test."""

from __future__ import annotations

import re
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import jacobian_bp as jbp
from jacobian_bp.chain.batch import batch_factors
from jacobian_bp.costs import Architecture, CostTable, widths_costs
from jacobian_bp.methods.gradient import PATHS, prepare
from jacobian_bp.methods.structured import structured_gradient_counted

from .strategies import networks

MATERIALIZING = ("reshape", "slices", "einsum")
GENERIC = ("sigmoid", "tanh", "softmax", "identity")  # no ReLU: its exact zeros would undercut the structural count


def _vjp(name: str, n: int) -> int:
    """Backprop's g ∂h/∂a: nothing for the identity, g ⊙ f'(a), or softmax's s ⊙ (g − ⟨g, s⟩)."""
    return {"identity": 0, "softmax": 2 * n}.get(name, n)


def _shortcut(name: str, n: int) -> tuple[int, int]:
    """The outer path's g ∂h/∂a, as (multiply-adds, Jacobian entries formed): I is free, softmax is dense."""
    return {"identity": (0, 0), "softmax": (n * n, n * n)}.get(name, (n, n))


def _acts(net):
    return [None] + [net.layer_activation(k).name for k in range(1, net.depth + 1)]


def _chains(net, X, T, loss):
    """Every chain of every example, materialized for real."""
    return [
        jbp.jacobian_chain(net, x, t, wrt=name, loss=loss).factors
        for x, t in zip(X, T, strict=True)
        for name in net.param_names
    ]


def _values_add_zeros(net, trace) -> bool:
    """Whether a value is exactly 0 where the structure allows any number: a saturated sigmoid or tanh
    (f'(a) rounds to 0) or an input of exactly 0 to a layer (a zero in ∂a/∂W)."""
    saturated = any(
        np.any(net.layer_activation(k).derivative(trace.a[k], trace.h[k]) == 0)
        for k in range(1, net.depth + 1)
        if net.layer_activation(k).elementwise
    )
    return saturated or any(np.any(trace.h[k] == 0) for k in range(net.depth))


def _stacks(net, X, T, loss):
    """Every chain of the batch as the materializing paths build it: stacks of per-example blocks, mean first."""
    trace, T_, loss_fn = prepare(net, X, T, loss)
    return [batch_factors(net, trace, T_, name, loss_fn, "per_example") for name in net.param_names]


@given(networks(activations=GENERIC))
def test_materializing_and_structured_paths_count_every_stored_entry_and_product(case):
    net, X, T, loss = case
    assert_structured_entries_and_count(net, X, T, loss)  # the same drawn network serves both counts
    chains = _chains(net, X, T, loss)
    # A row vector times an r×c matrix costs r·c: add that up over every factor after ∂J/∂z.
    products = sum(f.matrix.shape[0] * f.matrix.shape[1] for factors in chains for f in factors[1:])
    # What the paths allocate: every factor of every chain as a stack of N blocks, the batch mean included.
    stacks = _stacks(net, X, T, loss)
    stored = sum(f.stored_entries for factors in stacks for f in factors)
    nonzero = sum(f.nonzero_entries for factors in stacks for f in factors)
    # Values can add zeros the structure does not force: a one-hot target zeroes entries of ∂J/∂z, a
    # softmax of width 1 is the constant 1, whose Jacobian is 0, and far from 0 a softmax's tiny
    # products s_i s_j underflow to 0. Otherwise the counts meet.
    trace = net.forward(X)
    generic = (
        loss == "mse"
        and not any(net.layer_activation(k).name == "softmax" and net.sizes[k] == 1 for k in range(1, net.depth + 1))
        and all(np.all(np.abs(trace.a[k]) < 20) for k in range(1, net.depth + 1))
    )
    generic = generic and not _values_add_zeros(net, prepare(net, X, T, loss)[0])
    for method in MATERIALIZING:
        c = jbp.cost(net, X, T, loss=loss, method=method)
        assert (c.multiply_adds, c.entries) == (products, stored)
        assert c.nonzero_entries == nonzero if generic else c.nonzero_entries >= nonzero
        # The stacks of the largest chain and the gradients are alive together at least.
        biggest_chain = max(sum(f.array.nbytes for f in factors) for factors in stacks)
        assert c.peak_bytes >= biggest_chain + sum(p.nbytes for p in net.params.values())


def assert_structured_entries_and_count(net, X, T, loss) -> None:
    c = jbp.cost(net, X, T, loss=loss, method="structured")
    # Per layer it forms the stacks of the chain of W^k (the batch mean first) and N copies of the bias
    # factor I (n×n, n structural non-zeros).
    trace, T_, loss_fn = prepare(net, X, T, loss)
    w_chains = [batch_factors(net, trace, T_, f"W{k}", loss_fn, "per_example") for k in range(1, net.depth + 1)]
    biases = len(X) * sum(net.sizes[k] ** 2 for k in range(1, net.depth + 1))
    bias_nonzeros = len(X) * sum(net.sizes[k] for k in range(1, net.depth + 1))
    assert c.entries == sum(f.stored_entries for factors in w_chains for f in factors) + biases
    actual_nonzeros = sum(f.nonzero_entries for factors in w_chains for f in factors) + bias_nonzeros
    assert c.nonzero_entries >= actual_nonzeros
    if loss == "mse" and min(net.sizes[1:]) > 1 and not _values_add_zeros(net, trace):
        assert c.nonzero_entries == actual_nonzeros
    h = trace.h
    # A softmax of width 1 outputs exactly 1, making the next ∂a/∂W the identity: structured skips it.
    if not any(net.sizes[k - 1] == 1 and np.any(h[k - 1] == 1.0) for k in range(1, net.depth + 1)):
        assert c.multiply_adds == structured_gradient_counted(net, trace, T_, loss_fn)[1]


@given(networks())
def test_outer_and_backprop_counts_and_every_paths_stored_bytes(case):
    net, X, T, loss = case
    assert_stored_bytes_are_the_a_and_h_of_the_forward_pass(net, X, T, loss)  # one drawn network, both checks
    sizes, L, act, N = net.sizes, net.depth, _acts(net), len(X)
    fused = loss in ("bce", "cross_entropy")
    head = 0 if fused else _vjp(act[L], sizes[L])
    f_prime = {k: (0 if act[k] in ("softmax", "identity") else sizes[k]) for k in range(1, L + 1)}  # f'(a) formed
    outer_head, outer_head_entries = _shortcut(act[L], sizes[L])  # outer never fuses: ∂J/∂z · ∂z/∂a^L
    outer = outer_entries = 0
    for k in range(1, L + 1):  # methods.outer.delta: from the loss down to layer k, for every k
        outer += outer_head + sizes[k] * sizes[k - 1]
        outer_entries += outer_head_entries
        for j in range(L, k, -1):
            madds, formed = _shortcut(act[j - 1], sizes[j - 1])
            outer += sizes[j] * sizes[j - 1] + madds
            outer_entries += formed
    backprop = head + sum(sizes[k] * sizes[k - 1] for k in range(1, L + 1))  # g hᵀ per layer
    backprop += sum(sizes[k] * sizes[k - 1] + _vjp(act[k - 1], sizes[k - 1]) for k in range(2, L + 1))  # Wᵀg, ⊙
    backprop_entries = (0 if fused else f_prime[L]) + sum(f_prime[k] for k in range(1, L))
    got_outer, got_backprop = (jbp.cost(net, X, T, loss=loss, method=m) for m in ("outer", "backprop"))
    assert (got_outer.multiply_adds, got_outer.entries) == (N * outer, N * outer_entries)
    assert (got_backprop.multiply_adds, got_backprop.entries) == (N * backprop, N * backprop_entries)
    # Reusing g never costs more — except where backprop's softmax product s ⊙ (g − ⟨g,s⟩), 2n, exceeds the
    # outer path's dense n×n Jacobian: a softmax of width 1.
    if not any(act[k] == "softmax" and sizes[k] == 1 for k in range(1, L + 1)):
        assert got_backprop.multiply_adds <= got_outer.multiply_adds
    for c in (got_outer, got_backprop):
        assert c.nonzero_entries == c.entries  # f'(a) is stored as just its diagonal
        assert c.peak_bytes >= sum(p.nbytes for p in net.params.values())


@given(networks(max_depth=2, max_batch=2))
def test_scalar_and_numeric_counts(case):
    net, X, T, loss = case
    sizes, L, act, N = net.sizes, net.depth, _acts(net), len(X)
    scalar = 0
    for k in range(1, L + 1):  # methods.scalar.partial_derivative: a forward-mode sweep per entry of W^k and b^k
        sweep = sum(_vjp(act[j], sizes[j]) for j in range(k, L + 1))
        sweep += sum(sizes[j] * sizes[j + 1] for j in range(k, L)) + sizes[L]
        scalar += sizes[k] * (sizes[k - 1] + 1) * sweep
    parameters = sum(p.size for p in net.params.values())
    forward = sum(sizes[k] * sizes[k - 1] for k in range(1, L + 1))
    assert jbp.cost(net, X, T, loss=loss, method="scalar").multiply_adds == N * scalar
    numeric = jbp.cost(net, X, T, loss=loss, method="numeric")
    assert (numeric.multiply_adds, numeric.entries, numeric.stored_bytes) == (2 * parameters * N * forward, 0, 0)


def assert_stored_bytes_are_the_a_and_h_of_the_forward_pass(net, X, T, loss) -> None:
    # a^1..a^L, h^1..h^L and the input h^0, 8 bytes per number.
    expected = 8 * len(X) * (net.sizes[0] + 2 * sum(net.sizes[1:]))
    for method in jbp.METHODS:
        c = jbp.cost(net, X, T, loss=loss, method=method)
        assert c.stored_bytes == (0 if method == "numeric" else expected)
        assert c.method == method


def test_one_example_counts_as_a_batch_of_one():
    net = jbp.notes_network()
    single = jbp.cost(net, [1.0, 0.5], 1.0, method="reshape")
    batch = jbp.cost(net, [[1.0, 0.5]], [1.0], method="reshape")
    assert single == batch


def test_reshape_outer_ratio_grows_with_width():
    """A W-chain of width w ends with a w×w² factor: reshape grows like w³ per example, outer like w²."""
    widths = [4, 8, 16, 32, 64]
    costs = widths_costs(widths, methods=("reshape", "outer", "backprop"))
    ratios = [r / o for r, o in zip(costs["reshape"], costs["outer"], strict=True)]
    assert ratios == sorted(ratios) and ratios[-1] > 4 * ratios[0]
    # Each doubling of the width multiplies outer's count by about 4 and reshape's by about 8.
    assert 3.5 < costs["outer"][-1] / costs["outer"][-2] < 4.5
    assert 7.0 < costs["reshape"][-1] / costs["reshape"][-2] < 8.5


def test_cost_table_with_timings():
    table = jbp.cost_table(jbp.notes_network(), [[1.0, 0.5], [0.0, -1.0]], [1.0, 0.0], timings=True)
    text = str(table)
    for method in jbp.METHODS:
        assert method in text
    assert "seconds" in text and "NO" not in text
    assert set(table.seconds) == set(jbp.METHODS) and all(s > 0 for s in table.seconds.values())
    assert table["backprop"].multiply_adds == min(row.multiply_adds for row in table.costs)
    with pytest.raises(KeyError):
        table["sparse"]


def test_cost_rejects_bad_input():
    net = jbp.notes_network()
    with pytest.raises(jbp.UnknownNameError, match="'structured'"):
        jbp.cost(net, [1.0, 0.5], 1.0, method="fast")
    with pytest.raises(jbp.ShapeError, match="width 3"):
        jbp.cost(net, [1.0, 0.5, 0.1], 1.0)
    with pytest.raises(jbp.UnknownNameError, match="'mse'"):
        jbp.cost_table(net, [1.0, 0.5], 1.0, loss="hinge")
    with pytest.raises(jbp.UnknownNameError, match="gradient method"):
        jbp.cost_table(net, [1.0, 0.5], 1.0, methods=["reshape", "magic"])
    with pytest.raises(jbp.InvalidArgumentError, match="softmax"):
        jbp.cost(net, [1.0, 0.5], 1.0, loss="cross_entropy")


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


@given(problem=networks(max_width=4, max_batch=3))
def test_largest_jacobian_bytes_is_exactly_what_the_memory_budget_sees(problem) -> None:
    # The prediction CostTable.measure skips paths by must agree with the real, array-by-array budget checks.
    net, X, T, loss = problem
    for method in ("reshape", "slices", "einsum", "structured"):
        largest = jbp.cost(net, X, T, loss, method).largest_jacobian_bytes
        jbp.gradient(net, X, T, loss=loss, method=method, max_bytes=largest)
        with pytest.raises(jbp.MemoryBudgetError):
            jbp.gradient(net, X, T, loss=loss, method=method, max_bytes=largest - 1)
    for method in ("scalar", "outer", "backprop", "numeric"):
        assert jbp.cost(net, X, T, loss, method).largest_jacobian_bytes == 0


def test_measure_skips_paths_over_the_budget_before_running_anything(monkeypatch) -> None:
    from jacobian_bp.methods import gradient as gradients

    ran = []

    def spy(method: str):
        path = gradients.PATHS[method]

        def run(*args, **kwargs):
            ran.append(method)
            return path(*args, **kwargs)

        return run

    for method in jbp.METHODS:
        monkeypatch.setitem(gradients.PATHS, method, spy(method))
    X, T = np.zeros((4, 2)), np.zeros(4)
    shown = []
    table = jbp.cost_table(jbp.notes_network(), X, T)
    table.measure(jbp.notes_network(), X, T, max_bytes=512, on_row=shown.append)
    materializing = ["reshape", "slices", "einsum", "structured"]
    assert sorted(table.skipped) == sorted(materializing) and not set(materializing) & set(ran)
    assert shown == list(jbp.METHODS)  # every row, in the table's order
    text = " ".join(str(table).split())  # a long note wraps onto indented lines under its row
    assert max(len(line) for line in str(table).splitlines()) <= 79
    assert text.count("skipped: its largest Jacobian, 576 B, is over the memory budget of 512 B") == 4
    assert all(table.agrees[m] for m in ("scalar", "outer", "backprop", "numeric"))


@settings(max_examples=60)
@given(
    sizes=st.lists(st.integers(1, 4096), min_size=2, max_size=6),
    batch=st.integers(1, 10**12),
    timed=st.booleans(),
    seconds=st.floats(1e-9, 1e6),
)
def test_cost_table_columns_stay_aligned_and_fit_79_columns(sizes, batch, timed, seconds) -> None:
    network = Architecture(tuple(sizes), ("tanh",) * (len(sizes) - 1), "mse", batch)
    table = CostTable.predicted(network)
    if timed:
        table.seconds = dict.fromkeys(("outer", "backprop"), seconds)
        table.agrees = dict.fromkeys(("outer", "backprop"), True)
        table.skipped = {
            m: "its largest Jacobian, 3.0 TiB, is over the memory budget of 1.0 GiB" for m in jbp.METHODS[:6]
        }
        table.errors = {"numeric": "MemoryBudgetError: " + "a long message " * 10}
    lines = str(table).splitlines()
    assert max(len(line) for line in lines) <= 79
    title = lines[1]
    # Every column's title ends where its numbers end: the right edges of the words line up, row by row.
    edges = {match.end() for match in re.finditer(r"\S+", title)}
    for cost in table.costs:
        row = table.row(cost.method).splitlines()[0]
        assert {match.end() for match in re.finditer(r"\S+", row)} - {len(cost.method)} == edges - {len("method")}
