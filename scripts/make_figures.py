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

The library's plotting functions (matplotlib, an optional extra) are added together with the
figures that use them; until then the registry below is empty and the script says so.
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
