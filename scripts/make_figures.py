"""Draw the documentation's figures with the library's own plotting functions.

    python scripts/make_figures.py              # every figure, into docs/figures/
    python scripts/make_figures.py --list       # the figures there are
    python scripts/make_figures.py NAME ...     # only these
    python scripts/make_figures.py --out-dir /tmp/figures

Each figure is a small function registered with :func:`figure`: it receives the path of the PNG
to write and draws it by calling a plotting function of ``jacobian_bp`` — this script draws
nothing by itself, so a figure always shows what the library computes. The pages embed the
files as ``![what it shows](figures/NAME.png)``; ``docs/figures/`` is where they live, and the
built site copies them along with the pages.

Drawing needs the ``plot`` extra (matplotlib, headless); the data come from the same library
calls, on the same network, example and seeds, as the pages that show the figures, so a figure
and the numbers printed beside it agree. Run the script again after a change to the library or
to a page's example, and commit the PNGs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIGURES_DIR = ROOT / "docs" / "figures"


@dataclass(frozen=True)
class Figure:
    """One figure of the docs: a file name (without ``.png``), what it shows, how to draw it."""

    name: str
    description: str
    draw: Callable[[Path], None]


#: Every figure the docs use, by name.
FIGURES: dict[str, Figure] = {}

#: The example of the single-example pages: the notes' network at x = (1, 0.5), t = 1.
EXAMPLE_X, EXAMPLE_T = (1.0, 0.5), 1.0


def figure(name: str, description: str) -> Callable[[Callable[[Path], None]], Callable[[Path], None]]:
    """Register ``draw(path)`` as the figure ``docs/figures/<name>.png``."""

    def register(draw: Callable[[Path], None]) -> Callable[[Path], None]:
        if name in FIGURES:
            raise ValueError(f"figure {name!r} is registered twice")
        FIGURES[name] = Figure(name, description, draw)
        return draw

    return register


def make(names: list[str], out_dir: Path) -> list[Path]:
    """Draw the figures ``names`` into ``out_dir``; return the files written."""
    unknown = [name for name in names if name not in FIGURES]
    if unknown:
        valid = ", ".join(sorted(FIGURES)) or "none registered yet"
        raise SystemExit(f"unknown figure(s) {', '.join(unknown)}; valid choices: {valid}")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in names:
        path = out_dir / f"{name}.png"
        FIGURES[name].draw(path)
        if not path.is_file() or path.stat().st_size == 0:
            raise SystemExit(f"figure {name!r} wrote nothing to {path}")
        written.append(path)
    return written


# --- the figures ------------------------------------------------------------------------------
# Each draws with a function of jacobian_bp.display.plots.


@figure("network_notes", "the notes' 2-3-1 network with its labels: x, a¹ᵢ → h¹ᵢ, w¹ᵢⱼ, w²ⱼ, b¹, b², a² → z")
def draw_network_notes(path: Path) -> None:
    import jacobian_bp as jbp
    from jacobian_bp.display.plots import plot_network

    plot_network(jbp.notes_network(seed=0), path)


@figure("d_a1_d_W1_slices", "∂a¹/∂W¹ of the notes' network as the notes write it: a column of three 3×2 slices")
def draw_d_a1_d_W1_slices(path: Path) -> None:
    import jacobian_bp as jbp
    from jacobian_bp.display.plots import plot_tensor_slices

    chain = jbp.jacobian_chain(jbp.notes_network(seed=0), EXAMPLE_X, EXAMPLE_T, wrt="W1")
    plot_tensor_slices(chain.factors[-1], path)


@figure("d_a1_d_W1", "∂a¹/∂W¹ of the notes' network: heatmap with its row-of-W¹ grouping, and sparsity")
def draw_d_a1_d_W1(path: Path) -> None:
    import jacobian_bp as jbp
    from jacobian_bp.display.plots import plot_jacobian

    chain = jbp.jacobian_chain(jbp.notes_network(seed=0), EXAMPLE_X, EXAMPLE_T, wrt="W1")
    plot_jacobian(chain.factors[-1], path)


@figure("chain_W1", "the chain of ∂J/∂W¹ for the notes' network, each factor drawn to its matrix shape")
def draw_chain_W1(path: Path) -> None:
    import jacobian_bp as jbp
    from jacobian_bp.display.plots import plot_chain

    plot_chain(jbp.jacobian_chain(jbp.notes_network(seed=0), EXAMPLE_X, EXAMPLE_T, wrt="W1"), path)


@figure("chain_output_wide", "the chain of ∂z/∂x for a 1-8-8-64 tanh network: narrow at the input end")
def draw_chain_output_wide(path: Path) -> None:
    import jacobian_bp as jbp
    from jacobian_bp.display.plots import plot_chain

    plot_chain(jbp.output_chain(jbp.MLP([1, 8, 8, 64], activation="tanh"), [0.3]), path)


@figure("batch_full_chain", "the full-view chain of ∂J/∂W¹ on the four XOR examples, batch axes included")
def draw_batch_full_chain(path: Path) -> None:
    import jacobian_bp as jbp
    from jacobian_bp.display.plots import plot_chain

    X, T = jbp.datasets.xor()
    plot_chain(jbp.jacobian_chain(jbp.notes_network(seed=0), X, T, wrt="W1", batch="full"), path)


@figure("batch_d_H1_d_A1", "sparsity of the full-view ∂H¹/∂A¹ on the four XOR examples, (4×3)×(4×3)")
def draw_batch_d_H1_d_A1(path: Path) -> None:
    import jacobian_bp as jbp
    from jacobian_bp.display.plots import plot_sparsity

    X, T = jbp.datasets.xor()
    full = jbp.jacobian_chain(jbp.notes_network(seed=0), X, T, wrt="W1", batch="full")
    plot_sparsity(next(f for f in full.factors if f.name == "∂H¹/∂A¹"), path)


@figure("cost_vs_width", "counted multiply-adds of every gradient path against the width of a 3-layer network")
def draw_cost_vs_width(path: Path) -> None:
    from jacobian_bp.display.plots import plot_cost

    plot_cost([8, 16, 32, 64, 128], depth=3, batch=1, path=path)


@figure("training_xor", "loss and accuracy of the notes' network trained on XOR with the default settings")
def draw_training_xor(path: Path) -> None:
    import jacobian_bp as jbp
    from jacobian_bp.display.plots import plot_history

    X, T = jbp.datasets.xor()
    history = jbp.train(jbp.notes_network(seed=0), X, T, loss="mse", method="backprop")
    plot_history(history, path, title="the notes' 2-3-1 network on XOR (backprop, lr 5)")


@figure("training_spiral", "loss and accuracy of the 2-32-3 softmax network trained on the 3-class spiral")
def draw_training_spiral(path: Path) -> None:
    import jacobian_bp as jbp
    from jacobian_bp.display.plots import plot_history
    from jacobian_bp.training.recipes import RECIPES

    recipe = RECIPES["spiral"]  # what `jacobian-bp train --dataset spiral` trains, seed 0
    X, T = recipe.data(seed=0)
    net = recipe.network(seed=0)
    history = jbp.train(net, X, T, loss=recipe.loss, method="backprop", lr=recipe.lr, epochs=recipe.epochs)
    plot_history(history, path, title="2-32-3 tanh/softmax network on the spiral (backprop, lr 1)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="figures to draw (default: all)")
    parser.add_argument("--out-dir", type=Path, default=FIGURES_DIR, help=f"default {FIGURES_DIR}")
    parser.add_argument("--list", action="store_true", help="list the figures and stop")
    args = parser.parse_args(argv)

    if not FIGURES and not args.names:
        print("no figures registered yet: they come with the library's plotting functions")
        return 0
    if args.list:
        for entry in FIGURES.values():
            print(f"{entry.name:<24} {entry.description}")
        return 0
    for path in make(args.names or list(FIGURES), args.out_dir):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
