"""Pictures render headless, are written where asked, and are not blank."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import jacobian_bp as jbp

pytest.importorskip("matplotlib", reason="the pictures need the optional 'plot' extra (matplotlib)")

from matplotlib.image import imread

from jacobian_bp.display import plots


def assert_real_picture(path, min_bytes=5_000):
    """The file exists, is not tiny, and its pixels are not all one colour (nor just two)."""
    assert path.exists() and path.stat().st_size > min_bytes
    pixels = imread(path)[..., :3].reshape(-1, 3)
    assert pixels.std() > 0.05
    assert len(np.unique(np.round(pixels, 2), axis=0)) > 10


def notes_chain(wrt="W1"):
    return jbp.jacobian_chain(jbp.notes_network(), [1.0, 0.5], 1.0, wrt=wrt)


def four_dimensional():
    """∂Y/∂X for Y = X Aᵀ with X of shape 2×3: a 4-D Jacobian of shape (2, 4, 2, 3)."""
    A = np.arange(12.0).reshape(4, 3) - 5.0
    return jbp.Jacobian(np.einsum("ik,jl->ijkl", np.eye(2), A), (2, 4), (2, 3), "∂Y/∂X")


@pytest.mark.parametrize(
    "jacobian",
    [notes_chain().factors[-1], notes_chain().factors[-2], notes_chain().factors[2], four_dimensional()],
    ids=["3-D ∂a/∂W", "diagonal", "row", "4-D"],
)
def test_jacobian_heatmap_is_written(tmp_path, jacobian):
    figure = plots.plot_jacobian(jacobian, path=tmp_path / "jacobian.png")
    assert_real_picture(tmp_path / "jacobian.png")
    heatmap = figure.axes[0]
    # The drawn image is the matrix form: 3-D and 4-D Jacobians are flattened.
    np.testing.assert_array_equal(heatmap.images[0].get_array(), jacobian.matrix)
    # One line between each pair of neighbouring groups of columns (and of rows).
    in_groups = jacobian.in_shape[0] - 1 if len(jacobian.in_shape) > 1 else 0
    out_groups = jacobian.out_shape[0] - 1 if len(jacobian.out_shape) > 1 else 0
    assert len(heatmap.get_lines()) == in_groups + out_groups


def test_sparsity_pattern_marks_the_nonzeros(tmp_path):
    d_a_d_W = notes_chain().factors[-1]
    figure = plots.plot_sparsity(d_a_d_W, path=tmp_path / "pattern.svg")
    assert (tmp_path / "pattern.svg").stat().st_size > 2_000
    np.testing.assert_array_equal(figure.axes[0].images[0].get_array(), d_a_d_W.matrix != 0)
    assert figure.axes[0].get_title() == "non-zero: 6 of 18 entries"


def test_chain_is_a_row_of_labelled_blocks(tmp_path):
    chain = notes_chain()
    figure = plots.plot_chain(chain, path=tmp_path / "chain.png")
    assert_real_picture(tmp_path / "chain.png")
    texts = [t.get_text() for t in figure.axes[0].texts]
    for factor in chain.factors:  # typeset: the name as a fraction, the space as R^{out×in}
        assert plots.math_label(factor) in texts and plots.space_label(factor) in texts
    assert texts.count("·") == len(chain) - 1 and "=" in texts
    assert len(figure.axes[0].images) == len(chain) + 1  # every factor and the result


def test_chain_of_a_wide_network_fits(tmp_path):
    net = jbp.MLP([16, 64, 64, 10], activation="tanh", output_activation="softmax")
    chain = jbp.jacobian_chain(net, np.ones(16), np.eye(10)[3], wrt="W1", loss="cross_entropy")
    figure = plots.plot_chain(chain, path=tmp_path / "wide.png", result=False)
    assert_real_picture(tmp_path / "wide.png")
    assert figure.get_size_inches()[0] <= 18.0


def test_cost_curves_are_log_log(tmp_path):
    widths = [8, 16, 32, 64]
    seconds = {"reshape": [1e-3, 4e-3, None, 0.2], "outer": [1e-4, 2e-4, 4e-4, 1e-3]}
    figure = plots.plot_cost(widths, path=tmp_path / "cost.png", seconds=seconds)
    assert_real_picture(tmp_path / "cost.png")
    predicted, measured = figure.axes[0], figure.axes[1]
    assert predicted.get_xscale() == predicted.get_yscale() == "log"
    # Every method is drawn; paths with the same count at every width share a line and say so.
    labels = [line.get_label() for line in predicted.get_lines()]
    assert sorted(m for label in labels for m in label.split(" = ")) == sorted(jbp.METHODS)
    assert "reshape = slices = einsum" in labels and "structured = outer" in labels
    assert len({line.get_marker() for line in predicted.get_lines()}) == len(labels)
    reshape = predicted.get_lines()[labels.index("reshape = slices = einsum")]
    assert list(reshape.get_xdata()) == widths
    assert [line.get_label() for line in measured.get_lines()] == ["reshape", "outer"]
    assert len(measured.get_lines()[0].get_xdata()) == 3  # the unmeasured width is left out


def test_bad_arguments_are_reported(tmp_path):
    d_a_d_W = notes_chain().factors[-1]
    with pytest.raises(jbp.InvalidArgumentError, match="folder"):
        plots.plot_jacobian(d_a_d_W, path=tmp_path / "missing" / "x.png")
    with pytest.raises(jbp.InvalidArgumentError, match=r"unknown picture format 'bmpx'.*'png'"):
        plots.plot_jacobian(d_a_d_W, path=tmp_path / "x.bmpx")
    with pytest.raises(jbp.InvalidArgumentError, match=r"expected a jbp\.Jacobian"):
        plots.plot_jacobian(np.eye(3))
    with pytest.raises(jbp.InvalidArgumentError, match="JacobianChain"):
        plots.plot_chain([d_a_d_W])
    with pytest.raises(jbp.InvalidArgumentError, match="increasing"):
        plots.plot_cost([16, 8])
    with pytest.raises(jbp.UnknownNameError, match="gradient method"):
        plots.plot_cost([8, 16], methods=["reshape", "fast"])
    assert not list(tmp_path.iterdir())


def test_importing_the_package_does_not_import_matplotlib():
    code = "import sys, jacobian_bp, jacobian_bp.display.plots; print('matplotlib' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_network_carries_the_notes_labels(tmp_path):
    figure = plots.plot_network(jbp.notes_network(), path=tmp_path / "net.png")
    assert_real_picture(tmp_path / "net.png")
    texts = {t.get_text() for t in figure.axes[0].texts}
    inputs, weights = {"$x_{1}$", "$x_{2}$"}, {f"$w^{{1}}_{{{i}{j}}}$" for i in (1, 2, 3) for j in (1, 2)}
    units = {f"$a^{{1}}_{{{i}}}$" for i in (1, 2, 3)} | {f"$h^{{1}}_{{{i}}}$" for i in (1, 2, 3)}
    output = {"$a^{2}$", "$z$", "$w^{2}_{1}$", "$w^{2}_{3}$", "$b^{1}$", "$b^{2}$"}
    assert inputs | weights | units | output <= texts
    # A big network is drawn too, its weights left unlabelled and its outputs indexed.
    big = plots.plot_network(jbp.MLP([4, 6, 3], output_activation="softmax"))
    big_texts = {t.get_text() for t in big.axes[0].texts}
    assert "$z_{3}$" in big_texts and not any(text.startswith("$w") for text in big_texts)
    with pytest.raises(jbp.InvalidArgumentError, match="MLP"):
        plots.plot_network("2-3-1")


def test_tensor_slices_are_the_notes_column_of_matrices(tmp_path):
    d_a_d_W = notes_chain().factors[-1]
    figure = plots.plot_tensor_slices(d_a_d_W, path=tmp_path / "slices.png")
    assert_real_picture(tmp_path / "slices.png")
    texts = [t.get_text() for t in figure.axes[0].texts]
    assert [t for t in texts if t.startswith("$") and not t.endswith("slices")] == [
        f"$\\dfrac{{\\partial a^{{1}}_{{{i}}}}}{{\\partial W^{{1}}}}$" for i in (1, 2, 3)
    ]
    values = [float(t) for t in texts if not t.startswith("$")]
    np.testing.assert_allclose(values, d_a_d_W.array.ravel(), rtol=1e-3)  # every entry, slice by slice
    with pytest.raises(jbp.InvalidArgumentError, match="vector with respect to a matrix"):
        plots.plot_tensor_slices(notes_chain().factors[3])
