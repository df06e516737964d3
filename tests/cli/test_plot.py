"""``jacobian-bp plot``: every picture, in the format its file names, at a page's, a slide's or a poster's size."""

from __future__ import annotations

import importlib.util

import pytest

import jacobian_bp as jbp
from jacobian_bp.cli import main

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("matplotlib") is None, reason="the plot command needs the optional 'plot' extra"
)

MAGIC = {"png": b"\x89PNG", "pdf": b"%PDF", "svg": b"<?xml"}


def run(capsys, *argv):
    try:
        status = main(list(argv))
    except SystemExit as stop:
        status = stop.code
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.mark.parametrize("picture", ["network", "slices", "chain", "jacobian", "cost"])
@pytest.mark.parametrize("extension", ["png", "pdf", "svg"])
def test_every_picture_is_written_in_the_format_of_its_extension(capsys, tmp_path, picture, extension):
    path = tmp_path / f"picture.{extension}"
    extra = ["--widths", "4", "8"] if picture == "cost" else []
    status, out, err = run(capsys, "plot", picture, *extra, "-o", str(path))
    assert status == 0 and err == "" and str(path) in out
    assert path.read_bytes().startswith(MAGIC[extension])
    if extension == "svg":
        assert "<text" in path.read_text()  # text kept as text
    if extension == "png":  # one pixel per CSS pixel: as wide as the figure is in the docs column, at most 688
        from matplotlib.image import imread

        assert imread(path).shape[1] <= 688


@pytest.mark.parametrize("picture", ["network", "slices", "chain", "jacobian", "cost"])
def test_at_the_slide_size_every_label_is_18px_on_a_1024_by_768_frame(capsys, tmp_path, picture):
    from jacobian_bp.display.figures import svg_legibility

    path = tmp_path / "slide.svg"
    extra = ["--widths", "4", "8", "16"] if picture == "cost" else []
    status, _, err = run(capsys, "plot", picture, *extra, "--size", "slide", "-o", str(path))
    assert status == 0, err
    measured = svg_legibility(path.read_text())
    assert measured.smallest_font_in(1024, 768) >= 18
    png = tmp_path / "slide.png"
    assert run(capsys, "plot", picture, *extra, "--size", "slide", "-o", str(png))[0] == 0
    from matplotlib.image import imread

    height, width = imread(png).shape[:2]
    assert width <= 1024 and height <= 768  # the PNG fits the frame pixel for pixel
    page = tmp_path / "page.svg"
    assert run(capsys, "plot", picture, *extra, "-o", str(page))[0] == 0
    assert svg_legibility(page.read_text()).width_px <= 688  # the docs column, in a 1280 px window
    bigger = tmp_path / "bigger.svg"
    assert run(capsys, "plot", picture, *extra, "--font-scale", "1.5", "-o", str(bigger))[0] == 0
    scaled = svg_legibility(bigger.read_text()).smallest_font_px
    assert scaled == pytest.approx(1.5 * svg_legibility(page.read_text()).smallest_font_px, rel=0.02)


def test_chain_with_batch_draws_the_batch_chain(capsys, tmp_path, monkeypatch):
    from jacobian_bp.display import plots

    drawn = []
    monkeypatch.setattr(plots, "plot_chain", lambda chain, **kwargs: drawn.append(chain))
    status, out, _ = run(capsys, "plot", "chain", "--batch", "4", "-o", str(tmp_path / "c.svg"))
    assert status == 0 and "a batch of 4 examples" in out
    (chain,) = drawn
    assert chain.batch == "full" and chain.batch_size == 4
    assert chain.factors[0].shape == (4,) and chain.factors[-1].shape == (4, 3, 3, 2)  # ∂J/∂J⁽ᵖ⁾ … ∂A¹/∂W¹
    drawn.clear()
    assert run(capsys, "plot", "chain", "-o", str(tmp_path / "c.svg"))[0] == 0
    assert drawn[0].batch is None and drawn[0].factors[-1].shape == (3, 3, 2)


#: Names a user might type for --wrt: the library's names, and near misses.
CANDIDATES = ["W1", "b1", "W2", "b2", "x", "z", "X", "w1", "W0", "W3", "a1", "h1", "J", "", "W1 "]


@pytest.mark.parametrize("name", CANDIDATES)
def test_wrt_takes_exactly_the_names_jacobian_chain_takes(capsys, tmp_path, name):
    net = jbp.notes_network()
    try:
        jbp.jacobian_chain(net, [1.0, 0.5], 1.0, wrt=name)
        library_takes_it = True
    except jbp.UnknownNameError:
        library_takes_it = False
    status, out, err = run(capsys, "plot", "jacobian", "--wrt", name, "-o", str(tmp_path / "j.png"))
    assert (status == 0) == library_takes_it, err
    if not library_takes_it:
        assert f"unknown parameter {name!r}; valid choices are 'W1', 'b1', 'W2', 'b2', 'x', 'z/x'" in err
        assert out == "" and not (tmp_path / "j.png").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["network", "--size", "beamer"], "argument --size: invalid choice: 'beamer'"),
        (["chain", "--font-scale", "0"], "argument --font-scale: must be a positive finite number, got '0'"),
        (["chain", "--font-scale", "100"], "argument --font-scale: must be a number from 0.25 to 8, got '100'"),
        (["chain", "--font-scale", "nan"], "argument --font-scale: must be a positive finite number"),
        (["chain", "--batch", "65"], "--batch 65 is too many examples to draw"),
        (["chain", "--wrt", "z/x", "--batch", "2"], "--wrt z/x draws ∂z/∂x for one example"),
        (["slices", "--wrt", "b1"], "draws a Jacobian of a vector with respect to a matrix"),
        (["slices", "--sizes", "30", "30", "1"], "has 27000, more than 400: draw it with plot_jacobian"),
        (["network", "--sizes", "2", "100", "1"], "up to 32 units per layer; this network's widths are 2-100-1"),
        # A flag the picture does not read is refused, never silently ignored.
        (["cost", "--wrt", "W2"], "`plot cost` does not use --wrt; it reads --batch, --depth, --widths"),
        (["network", "--depth", "4", "--factor", "0"], "`plot network` does not use --depth, --factor"),
        (["jacobian", "--widths", "8", "16"], "`plot jacobian` does not use --widths"),
        (["chain", "--factor", "2"], "`plot chain` does not use --factor"),
    ],
)
def test_bad_plot_flags_exit_2_naming_the_flag(capsys, tmp_path, argv, message):
    status, out, err = run(capsys, "plot", *argv, "-o", str(tmp_path / "x.png"))
    assert status == 2 and out == "" and message in err
    assert not (tmp_path / "x.png").exists()
