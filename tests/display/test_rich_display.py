"""Every result object a notebook user meets shows itself: HTML in an executed notebook, a concise repr."""

from __future__ import annotations

import pytest

import jacobian_bp as jbp

#: One cell per object, each the last expression of its cell, as a notebook user would write it.
CELLS = {
    "chain": 'jbp.jacobian_chain(jbp.notes_network(), [1.0, 0.5], 1.0, wrt="W1")',
    "comparison": "jbp.compare(jbp.notes_network(), [[1.0, 0.5], [0.0, -1.0]], [1.0, 0.0])",
    "history": "jbp.train(jbp.notes_network(), *jbp.datasets.xor(), epochs=300)",
    "cost_table": "jbp.cost_table(jbp.notes_network(), [1.0, 0.5], 1.0)",
    "jacobian": 'jbp.jacobian_chain(jbp.notes_network(), [1.0, 0.5], 1.0, wrt="W1").factors[-1]',
    "verdict": 'jbp.check_answer(-jbp.gradient(jbp.notes_network(), [1.0, 0.5], 1.0)["W2"], '
    'jbp.notes_network(), [1.0, 0.5], 1.0, wrt="W2")',
}


def test_each_result_displays_as_html_in_an_executed_notebook(tmp_path):
    pytest.importorskip("nbclient", reason="executing notebooks needs the test extra (nbclient, ipykernel)")
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("import jacobian_bp as jbp")]
    notebook.cells += [nbformat.v4.new_code_cell(code) for code in CELLS.values()]
    NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    shown = {name: cell.outputs[-1]["data"] for name, cell in zip(CELLS, notebook.cells[1:], strict=True)}
    for name, data in shown.items():
        assert "text/html" in data, name
        assert len(data["text/plain"]) < 200, (name, data["text/plain"])  # a concise repr, never the raw arrays
    assert "\\frac{\\partial J}{\\partial W^{1}}" in shown["chain"]["text/html"]  # the factors, typeset
    assert "block-sparse" in shown["chain"]["text/html"] and "<table" in shown["chain"]["text/html"]
    assert shown["comparison"]["text/html"].count("<tr>") == 1 + len(jbp.METHODS)
    assert "<svg" in shown["history"]["text/html"] and "<polyline" in shown["history"]["text/html"]
    assert len(shown["history"]["text/html"]) < 20_000  # a curve of at most 200 points, not 300 raw losses
    assert shown["cost_table"]["text/html"].count("<tr>") == 1 + len(jbp.METHODS)
    verdict = shown["verdict"]["text/html"]
    assert "not correct" in verdict and "sign" in verdict and "[∂J/∂z]" in verdict and "<pre>" in verdict


def test_reprs_say_what_the_object_is_in_one_line():
    net = jbp.notes_network()
    chain = jbp.jacobian_chain(net, [1.0, 0.5], 1.0, wrt="W1")
    assert repr(chain) == "JacobianChain(∂J/∂W¹: 5 factors R^{1×1} R^{1×1} R^{1×3} R^{3×3} R^{3×(3×2)})"
    batch = jbp.jacobian_chain(net, [[1.0, 0.5], [0.0, 1.0]], [1.0, 0.0], wrt="b1", batch="per_example")
    assert repr(batch).endswith("per-example view of 2 examples)")
    report = jbp.compare(net, [1.0, 0.5], 1.0, methods=("einsum",))
    assert repr(report).startswith("Comparison(1 method against 'backprop': all agree, max |Δ| ")
    history = jbp.train(net.copy(), *jbp.datasets.xor(), epochs=3)
    assert repr(history).startswith("History(backprop, lr 5, 3 epochs: loss ") and "accuracy" in repr(history)
    table = jbp.cost_table(net, [1.0, 0.5], 1.0)
    assert repr(table) == f"CostTable(8 methods, fewest multiply-adds: backprop {table['backprop'].multiply_adds:,})"
    right = jbp.gradient(net, [1.0, 0.5], 1.0)["W1"]
    assert repr(jbp.check_answer(right, net, [1.0, 0.5], 1.0, wrt="W1")) == "Verdict(∂J/∂W¹: correct)"
    assert repr(jbp.check_answer(right.T, net, [1.0, 0.5], 1.0, wrt="W1")) == "Verdict(∂J/∂W¹: not correct, transposed)"
    assert "\n" not in repr(chain) + repr(report) + repr(history) + repr(table)
