"""What ``print`` shows: a Jacobian's numbers, and chains and comparisons that fit 79 columns."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import jacobian_bp as jbp
from jacobian_bp.display.html import CURVE_FONT, loss_curve

WIDTH = 79


def widest(text: str) -> int:
    return max(len(line) for line in text.splitlines())


def test_printing_a_contracted_chain_shows_its_numbers():
    net = jbp.notes_network(seed=0)
    gradient = jbp.jacobian_chain(net, [1.0, 0.5], 1.0, wrt="W1").contract()
    lines = str(gradient).splitlines()
    assert lines[0] == "∂J/∂W¹ ∈ R^{1×(3×2)}, dense"
    printed = [float(number) for number in re.findall(r"-?\d+\.\d+(?:e-?\d+)?", "\n".join(lines[1:]))]
    np.testing.assert_allclose(printed, jbp.gradient(net, [1.0, 0.5], 1.0)["W1"].ravel(), atol=5e-9)
    assert repr(gradient) == "Jacobian(∂J/∂W¹ ∈ R^{1×(3×2)}, shape (3, 2), dense)"  # repr stays one line


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(1, 7), min_size=1, max_size=3),
    st.lists(st.integers(1, 7), min_size=1, max_size=2),
    st.floats(-1e6, 1e6, allow_nan=False),
)
def test_a_printed_jacobian_shows_every_entry_within_79_columns(out_shape, in_shape, scale):
    assume(np.prod(out_shape) * np.prod(in_shape) <= 1000)  # numpy summarises larger arrays with "..."
    array = scale * np.random.default_rng(len(out_shape)).normal(size=(*out_shape, *in_shape))
    jacobian = jbp.Jacobian(array, tuple(out_shape), tuple(in_shape), "∂y/∂x")
    text = str(jacobian)
    assert widest(text) <= WIDTH
    head, _, entries = text.partition("\n")
    assert head == f"∂y/∂x ∈ {jacobian.notation}, {jacobian.structure}"
    # As numpy prints it: every number, in the same nesting.
    assert entries.count("[") == sum(int(np.prod(array.shape[:k])) for k in range(array.ndim))
    assert len(re.findall(r"-?\d+\.?\d*(?:e[+-]?\d+)?", entries)) == array.size


def test_a_symbolic_jacobian_prints_its_formulas_within_79_columns():
    sym = pytest.importorskip("jacobian_bp.symbolic", reason="symbolic mode needs the optional SymPy")
    chain = sym.jacobian_chain(sym.notes_network(), wrt="W1", loss="mse")
    for jacobian in (chain.contract(method="einsum"), sym.expand_sigmoid(chain.contract(method="einsum"))):
        text = str(jacobian)
        assert widest(text) <= WIDTH
        for entry in jacobian.array.ravel():  # every formula is there, perhaps wrapped
            assert str(entry).replace(" ", "") in text.replace("\n", "").replace(" ", "")


@st.composite
def chains(draw):
    sizes = draw(st.lists(st.integers(1, 9), min_size=2, max_size=8))
    wrt = draw(st.sampled_from([*(f"{k}{i}" for i in range(1, len(sizes)) for k in "Wb"), "x"]))
    examples = draw(st.integers(1, 4))
    batch = draw(st.sampled_from(["full", "per_example"]))
    net = jbp.MLP(sizes, activation="tanh", seed=2)
    X = np.linspace(-1, 1, examples * sizes[0]).reshape(examples, sizes[0])
    T = np.zeros((examples, sizes[-1]))
    return jbp.jacobian_chain(net, X[0] if examples == 1 else X, T[0] if examples == 1 else T, wrt=wrt, batch=batch)


@settings(max_examples=40, deadline=None)
@given(chains())
def test_a_printed_chain_fits_79_columns_and_names_every_factor(chain):
    text = str(chain)
    assert widest(text) <= WIDTH
    lines = text.splitlines()
    product = " ".join([lines[0], *(line for line in lines[1:] if line.lstrip().startswith("· "))])
    assert [name.strip() for name in product.split("=", 1)[1].split("·")] == [f.name for f in chain.factors]
    rows = [line for line in text.splitlines() if line.startswith("  ∂")]
    assert [row.split()[0] for row in rows] == [f.name for f in chain.factors]
    for row, factor in zip(rows, chain.factors, strict=True):
        assert f"{factor.structural_zero_entries} of {factor.stored_entries}" in row


def test_a_deep_output_chain_wraps_its_product():
    chain = jbp.output_chain(jbp.MLP([2, *[4] * 12, 3], activation="tanh"), [0.1, 0.2])
    text = str(chain)
    assert widest(text) <= WIDTH and text.splitlines()[1].lstrip().startswith("· ")
    assert len([line for line in text.splitlines() if line.startswith("  ∂")]) == len(chain)


def test_a_comparison_with_refusals_fits_79_columns():
    saturated = jbp.MLP([1, 1], params={"W1": [[800.0]], "b1": [0.0]})
    report = jbp.compare(saturated, [1.0], [0.0], loss="bce", timings=True)
    text = str(report)
    assert widest(text) <= WIDTH
    assert text.count("NO, raised NonFiniteError") == len(report.failed) > 0
    for row in report.failed:  # the whole explanation is still there, wrapped
        assert row.error.replace(" ", "") in text.replace("\n", "").replace(" ", "")


def test_the_inline_loss_curve_has_labelled_axes_with_ticks():
    history = jbp.train(jbp.notes_network(seed=0), *jbp.datasets.xor(), epochs=300)
    svg = loss_curve(history.loss)
    labels = re.findall(r">([^<>]+)</text>", svg)
    assert "epoch" in labels and "loss (log scale)" in labels
    assert {"1", "150", "300"} <= set(labels)  # epoch ticks
    assert len(labels) == 3 + 2 + 2  # and the two ends of a loss that spans less than two powers of ten
    longer = re.findall(r">([^<>]+)</text>", loss_curve([0.2 * 0.99**epoch for epoch in range(500)]))
    assert {"0.1", "0.01"} <= set(longer)  # over decades, the loss axis is ticked at powers of ten
    assert all(int(size) >= 11 for size in re.findall(r'font-size="(\d+)"', svg)) and CURVE_FONT >= 11
    assert loss_curve([0.5, -0.25, 0.1]).count("linear scale") == 2  # a negative loss: linear axis
    assert loss_curve([1.0]) == ""  # nothing to draw
    assert "svg" in history._repr_html_() and ">epoch</text>" in history._repr_html_()
