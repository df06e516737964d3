"""``jacobian-bp cost`` and ``jacobian-bp plot``: tables, pictures, and clear errors with exit status 2."""

from __future__ import annotations

import importlib.util

import pytest

import jacobian_bp as jbp
from jacobian_bp.cli import main


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_cost_table_for_the_notes_network(capsys):
    status, out, err = run(capsys, "cost")
    assert status == 0 and err == ""
    lines = out.splitlines()
    for method in ("scalar", "reshape", "structured", "outer", "backprop", "numeric"):
        assert any(line.startswith(method) for line in lines)
    # Every chain of the notes' network is cheapest in reverse order.
    for name in ("∂J/∂W¹", "∂J/∂b¹", "∂J/∂W²", "∂J/∂b²"):
        row = next(line for line in lines if line.startswith(name))
        assert row.split()[1] == row.split()[3] and row.endswith("reverse")


def test_cost_shows_forward_winning_for_a_narrow_input(capsys):
    status, out, _ = run(
        capsys, "cost", "--sizes", "1", "8", "8", "64", "--activation", "tanh", "--methods", "reshape", "outer"
    )
    assert status == 0
    row = next(line for line in out.splitlines() if line.startswith("∂z/∂x"))
    reverse, forward, optimal = (int(v) for v in row.split()[1:4])
    assert forward == optimal < reverse and row.endswith("forward")


def test_cost_with_timings_and_a_batch(capsys):
    status, out, _ = run(
        capsys,
        "cost",
        "--batch",
        "3",
        "--timings",
        "--sizes",
        "3",
        "4",
        "2",
        "--output-activation",
        "softmax",
        "--loss",
        "cross_entropy",
    )
    assert status == 0 and "seconds" in out and "batch of 3" in out


def test_timings_leave_out_the_per_entry_paths_of_a_large_network_unless_asked(capsys, monkeypatch):
    from jacobian_bp.methods import gradient as gradients

    ran = []
    for method in ("scalar", "numeric"):
        path = gradients.PATHS[method]
        monkeypatch.setitem(
            gradients.PATHS, method, lambda *a, _path=path, _m=method, **k: ran.append(_m) or _path(*a, **k)
        )
    # 10-70-70-10: 6,450 parameters, above the limit; every other path is quick on one example.
    assert main(["cost", "--sizes", "10", "70", "70", "10", "--timings"]) == 0
    out = capsys.readouterr().out
    assert "not run: scalar, numeric, which take a pass per parameter entry; name them in --methods" in out
    assert "skipped: two forward passes per parameter entry, 6,450 of them" in out
    assert ran == []
    # Named in --methods, they run.
    assert main(["cost", "--sizes", "10", "70", "70", "10", "--timings", "--methods", "numeric", "backprop"]) == 0
    assert ran == ["numeric"] and "not run" not in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["cost", "--loss", "hinge"], "unknown loss 'hinge'; valid choices are 'mse'"),
        (["cost", "--activation", "swish"], "unknown activation 'swish'"),
        (["cost", "--methods", "reshape", "fastest"], "unknown gradient method 'fastest'"),
        (["cost", "--sizes", "3"], "at least two"),
        (["cost", "--loss", "bce", "--output-activation", "tanh", "--sizes", "2", "2"], "needs --output-activation"),
    ],
)
def test_cost_errors(capsys, argv, message):
    status, out, err = run(capsys, *argv)
    assert status == 2 and out == ""
    assert err.startswith("jacobian-bp: error:") and message in err


@pytest.mark.parametrize("argv", [["cost", "--batch", "two"], ["cost", "--frobnicate"]])
def test_cost_usage_errors_exit_2(capsys, argv):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    assert "usage: jacobian-bp" in capsys.readouterr().err


needs_matplotlib = pytest.mark.skipif(
    importlib.util.find_spec("matplotlib") is None, reason="the plot command needs the optional 'plot' extra"
)


@needs_matplotlib
@pytest.mark.parametrize(
    "argv",
    [
        ["jacobian"],
        ["jacobian", "--factor", "3", "--wrt", "b1"],
        ["chain", "--sizes", "3", "5", "2", "--activation", "tanh"],
        ["chain", "--wrt", "z/x", "--sizes", "1", "4", "20"],
        ["cost", "--widths", "4", "8", "16", "--batch", "2"],
    ],
)
def test_plot_writes_a_picture(capsys, tmp_path, argv):
    path = tmp_path / "picture.png"
    status, out, err = run(capsys, "plot", *argv, "-o", str(path))
    assert status == 0 and err == "" and str(path) in out
    assert path.stat().st_size > 5_000


@needs_matplotlib
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["jacobian", "--factor", "7"], "--factor 7 is out of range: the chain has 5 factors"),
        (["jacobian", "--wrt", "W9"], "unknown parameter 'W9'; valid choices are 'W1', 'b1', 'W2', 'b2'"),
        (["jacobian", "-o", "{tmp}/x.docx"], "unknown picture format 'docx'"),
        (["cost", "--widths", "16", "8"], "widths must be increasing"),
    ],
)
def test_plot_errors(capsys, tmp_path, argv, message):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    if "-o" not in argv:
        argv += ["-o", str(tmp_path / "x.png")]
    status, out, err = run(capsys, "plot", *argv)
    assert status == 2 and out == ""
    assert err.startswith("jacobian-bp: error:") and message in err
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize("argv", [["plot", "chain"], ["plot", "heatmap", "-o", "x.png"], ["plot"]])
def test_plot_usage_errors_exit_2(capsys, argv):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "usage: jacobian-bp plot" in err


def test_cost_counts_any_batch_by_arithmetic(capsys):
    # The counts are formulas in the widths and N: a batch of a hundred million is never drawn.
    import tracemalloc

    tracemalloc.start()
    try:
        status, out, err = run(capsys, "cost", "--batch", "100000000", "--sizes", "4", "16", "2")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert status == 0 and err == "" and "batch of 100000000 examples" in out
    assert peak < 20 * 2**20
    backprop = next(line for line in out.splitlines() if line.startswith("backprop"))
    per_example = jbp.cost(jbp.MLP([4, 16, 2], activation="sigmoid"), [0.0] * 4, [0.0] * 2).multiply_adds
    assert backprop.split()[1] == f"{100_000_000 * per_example:.1e}"


def test_cost_timings_draw_no_batch_over_the_budget(capsys, monkeypatch):
    monkeypatch.setenv(jbp.MAX_BYTES_ENV, "1M")
    status, _out, err = run(capsys, "cost", "--batch", "100000000", "--timings", "--methods", "outer", "backprop")
    assert status == 2 and "the batch X of shape (100000000, 2)" in err and "nothing was allocated" in err
