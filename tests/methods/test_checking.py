"""compare shows every method, failures included; gradcheck explains a mismatch at a kink."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import jacobian_bp as jbp

from ..network.test_saturation import REFUSE, WORKS, saturated_sigmoid
from ..strategies import KINK_MARGIN, Problem, problems


def test_compare_gives_a_failing_method_a_row_and_runs_the_rest() -> None:
    report = jbp.compare(saturated_sigmoid(), [1.0], [0.0], loss="bce")
    assert [row.method for row in report.rows] == list(jbp.METHODS)
    assert sorted(row.method for row in report.failed) == sorted(REFUSE)
    for row in report.failed:
        assert row.error.startswith("NonFiniteError: ") and not row.ok
        assert math.isinf(row.max_abs_diff) and math.isinf(row.max_rel_diff)
        assert row.method not in report.gradients
    for method in WORKS:
        row = next(r for r in report.rows if r.method == method)
        assert row.ok and row.error is None and method in report.gradients
    # A table with a failed row is not ok, and no finite bound holds for its largest difference.
    assert not report.ok and math.isinf(report.max_abs_diff)
    text = str(report)
    assert text.count("NO, raised NonFiniteError") == len(REFUSE)
    assert text.splitlines()[-1] == "DISAGREEMENT: 6 methods raised instead of giving a gradient"


def test_compare_records_a_memory_budget_refusal_too() -> None:
    X, T = np.ones((4, 2)), np.ones(4)
    rows = []
    report = jbp.compare(jbp.notes_network(), X, T, methods=("einsum", "outer"), max_bytes=64, on_row=rows.append)
    assert [row.method for row in rows] == ["einsum", "outer"]  # each row handed over as it completes
    assert rows[0].error.startswith("MemoryBudgetError: materializing") and rows[1].ok
    assert not report.ok


def test_compare_still_raises_for_bad_arguments_and_a_failing_reference() -> None:
    with pytest.raises(jbp.UnknownNameError, match="gradient method 'adam'"):
        jbp.compare(jbp.notes_network(), [1.0, 0.5], 1.0, methods=("adam",))
    with pytest.raises(jbp.NonFiniteError, match="saturated"):
        jbp.compare(saturated_sigmoid(), [1.0], [0.0], loss="bce", reference="einsum")


def test_a_report_with_one_disagreeing_method_says_so_in_the_singular(monkeypatch: pytest.MonkeyPatch) -> None:
    from jacobian_bp.methods import gradient as gradients

    honest = gradients.PATHS["outer"]
    monkeypatch.setitem(gradients.PATHS, "outer", lambda *args: {k: g + 1 for k, g in honest(*args).items()})
    report = jbp.compare(jbp.notes_network(), [1.0, 0.5], 1.0, methods=("outer", "einsum"))
    assert str(report).splitlines()[-1] == "DISAGREEMENT: 1 method disagrees"
    assert report.max_abs_diff == pytest.approx(1.0)


# ----------------------------------------------------------------------------------------------- gradcheck at a kink


def relu_net_with_a_unit_on_its_kink() -> jbp.MLP:
    """A 2-3-1 ReLU network whose hidden unit 2 has pre-activation exactly 0 for every example."""
    net = jbp.MLP([2, 3, 1], activation="relu", output_activation="identity", seed=4)
    net.params["W1"][2] = 0.0
    net.params["b1"][2] = 0.0
    net.params["W2"][0, 2] = 1.5  # the unit matters downstream
    return net


def test_gradcheck_at_a_relu_kink_names_the_layer_unit_and_example() -> None:
    net = relu_net_with_a_unit_on_its_kink()
    X, T = np.array([[0.5, -1.0], [1.0, 2.0]]), np.array([0.3, -0.2])
    with pytest.raises(jbp.GradcheckError) as caught:
        jbp.gradcheck(net, X, T)
    message = str(caught.value)
    assert "straddle a kink" in message and "relu pre-activation a¹[2] at layer 1, unit 2, example" in message
    assert "exceeds" not in message  # not a bare mismatch


def test_gradcheck_of_one_example_at_a_kink_has_no_example_index() -> None:
    with pytest.raises(jbp.GradcheckError, match=r"at layer 1, unit 2 \(a = 0\) across a kink"):
        jbp.gradcheck(relu_net_with_a_unit_on_its_kink(), [0.5, -1.0], 0.3, method="einsum")


def test_a_real_bug_is_not_excused_by_a_kink_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    from jacobian_bp.methods import gradient as gradients

    honest = gradients.PATHS["backprop"]

    def off_in_b2(*args):
        grads = honest(*args)
        grads["b2"][0] += 1e-3  # b2 moves no ReLU: its finite difference is valid, so this is a bug
        return grads

    monkeypatch.setitem(gradients.PATHS, "backprop", off_in_b2)
    with pytest.raises(jbp.GradcheckError, match=r"^b2\[0\]: backprop gives .* exceeds atol"):
        jbp.gradcheck(relu_net_with_a_unit_on_its_kink(), [0.5, -1.0], 0.3)


@given(problem=problems(activations=("relu",), losses=("mse",)), choice=st.integers(0, 10**6))
def test_a_unit_on_its_kink_is_reported_as_a_kink_or_passes(problem: Problem, choice: int) -> None:
    net = problem.net
    layer = 1 + choice % net.depth
    unit = choice % net.sizes[layer]
    net.params[f"W{layer}"][unit] = 0.0
    net.params[f"b{layer}"][unit] = 0.0  # a^layer[unit] = 0 exactly, for every example
    trace = net.forward(problem.X)
    others_clear = all(
        np.all(np.delete(np.abs(np.atleast_2d(trace.a[k])), unit, axis=1) > KINK_MARGIN)
        if k == layer
        else np.all(np.abs(trace.a[k]) > KINK_MARGIN)
        for k in range(1, net.depth + 1)
    )
    assume(others_clear)
    try:
        assert jbp.gradcheck(net, problem.X, problem.T)  # the kink made no difference downstream
    except jbp.GradcheckError as error:
        assert "straddle a kink" in str(error) and f"at layer {layer}, unit {unit}" in str(error)
