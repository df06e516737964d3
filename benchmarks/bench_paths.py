"""Every gradient path's measured time beside its counted cost, across widths and batch sizes.

A 3-layer sigmoid network of width w (sizes [w, w, w, w]), the notes' mse loss,
random data. For each batch size and width, every path is timed in interleaved
rounds (the best round counts) and its cost counted by :func:`jacobian_bp.cost`:
multiply-adds and peak bytes, which follow from the shapes and structures of the
chain's factors. Time is measured, never predicted; the tables put the two side
by side, and nanoseconds per multiply-add show where time stops following the count.
All numbers come from this one run.

A cell reads ``over budget`` when a Jacobian of that path would exceed the
memory budget (the library's own check raised MemoryBudgetError before
allocating it; the budget is not raised here), and ``-`` when the path's time,
extrapolated from the previous width by its multiply-adds, would exceed
SKIP_AFTER seconds.

BLAS runs single-threaded and freed memory stays in the process; :mod:`timing` says why.

Run from the repository root:

    python benchmarks/bench_paths.py                  # widths 8..256, batches 1 and 16 (under a minute)
    python benchmarks/bench_paths.py --quick          # widths 8..64, batch 1: a few seconds
    python benchmarks/bench_paths.py -o paths.png     # where to draw the figure

Speed claims live here, never in the tests.
"""

from __future__ import annotations

import timing  # first: it sets the BLAS threads before numpy is imported

# isort: split

import argparse
import functools
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

import jacobian_bp as jbp
from jacobian_bp.chain.budget import format_bytes, resolve_max_bytes
from jacobian_bp.costs import Cost
from jacobian_bp.methods.gradient import PATHS, prepare

DEPTH = 3
#: Skip a measurement expected to take longer than this many seconds.
SKIP_AFTER = 6.0
#: Interleaved rounds per width; a path whose run takes longer than SLOW seconds runs once.
ROUNDS, SLOW = 5, 1.0
#: The most einsum may take, as a multiple of reshape's time, at any width.
EINSUM_BAR = 1.5


@dataclass
class Cell:
    """One path at one width: its counted cost and, if it ran, its best measured time."""

    cost: Cost
    seconds: float | None = None
    status: str = "ok"  # "ok", "over budget" or "skipped"


def too_slow(earlier: list[Cell], cell: Cell) -> bool:
    """Whether the last measured width, scaled by the growth of the multiply-adds, predicts over SKIP_AFTER seconds."""
    measured = [c for c in earlier if c.seconds is not None]
    if not measured:
        return False
    last = measured[-1]
    return last.seconds * cell.cost.multiply_adds / max(last.cost.multiply_adds, 1) > SKIP_AFTER


def first_run(run: Callable[[], object], cell: Cell) -> None:
    """Run once: the library refuses over budget before allocating; otherwise the time is a first measurement."""
    try:
        cell.seconds = timing.seconds_of(run)
    except jbp.MemoryBudgetError:
        cell.status = "over budget"


def measure_width(width: int, batch: int, methods: Sequence[str], cells: dict[str, list[Cell]]) -> None:
    """Append every method's cell at ``width``: counted always, timed in interleaved rounds unless skipped."""
    net = jbp.MLP([width] * (DEPTH + 1), activation="sigmoid", seed=width)
    rng = np.random.default_rng(width)
    X, T = rng.normal(size=(batch, width)), rng.normal(size=(batch, width))
    trace, T_checked, loss = prepare(net, X, T, "mse")
    runs = {}
    for method in methods:
        cell = Cell(jbp.cost(net, X, T, method=method))
        if too_slow(cells[method], cell):
            cell.status = "skipped"
        else:
            runs[method] = functools.partial(PATHS[method], net, trace, T_checked, loss)
            first_run(runs[method], cell)
        cells[method].append(cell)
    # Interleaved: a burst of load from another process hits every path of this width alike.
    timed = [m for m in runs if cells[m][-1].seconds is not None and cells[m][-1].seconds < SLOW]
    for _ in range(ROUNDS - 1):
        for method in timed:
            cells[method][-1].seconds = min(cells[method][-1].seconds, timing.seconds_of(runs[method]))


def measure(widths: Sequence[int], batch: int, methods: Sequence[str]) -> dict[str, list[Cell]]:
    cells: dict[str, list[Cell]] = {m: [] for m in methods}
    for width in widths:
        measure_width(width, batch, methods, cells)
    return cells


def fmt(value: float | None, spec: str = ".3g") -> str:
    return "-" if value is None else format(value, spec)


def ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b == 0 else a / b


def shown(cell: Cell) -> str:
    return {"over budget": "over budget", "skipped": "-"}.get(cell.status, fmt(cell.seconds, ".2e"))


def exponent(widths: Sequence[int], values: Sequence[float | None]) -> float | None:
    """Slope of log(value) against log(width), least squares over the widths that have a value."""
    points = [(math.log(w), math.log(v)) for w, v in zip(widths, values, strict=True) if v]
    if len(points) < 2:
        return None
    xs, ys = zip(*points, strict=True)
    return float(np.polyfit(xs, ys, 1)[0])


def table(title: str, widths: Sequence[int], rows: dict[str, list[str]], cell_width: int = 12) -> list[str]:
    lines = [f"\n{title}", f"{'method':<11}" + "".join(f"{'w=' + str(w):>{cell_width}}" for w in widths)]
    lines += [f"{name:<11}" + "".join(f"{c:>{cell_width}}" for c in cells) for name, cells in rows.items()]
    return lines


def growth(widths: Sequence[int], cells: dict[str, list[Cell]]) -> list[str]:
    """How fast time and multiply-adds grow with the width, over the widths from 32 on."""
    wide = [w for w in widths if w >= 32]
    lines = [f"\ngrowth with width, {wide[0]}..{wide[-1]}: exponent e of ~ width^e"]
    lines.append(f"{'method':<11} {'seconds':>9} {'multiply-adds':>14}")
    for method, row in cells.items():
        kept = [c for w, c in zip(widths, row, strict=True) if w >= 32]
        seconds = exponent(wide, [c.seconds for c in kept])
        madds = exponent(wide, [c.cost.multiply_adds for c in kept])
        lines.append(f"{method:<11} {fmt(seconds, '.2f'):>9} {fmt(madds, '.2f'):>14}")
    return lines


def einsum_against_reshape(widths: Sequence[int], cells: dict[str, list[Cell]]) -> tuple[list[str], bool]:
    lines = [f"\neinsum / reshape, measured time (the bar: at most {EINSUM_BAR})"]
    ok = True
    for w, einsum, reshape in zip(widths, cells["einsum"], cells["reshape"], strict=True):
        measured = ratio(einsum.seconds, reshape.seconds)
        verdict = einsum.status if measured is None else ("yes" if measured <= EINSUM_BAR else "NO")
        ok = ok and verdict != "NO"
        lines.append(f"  w={w:<4} {fmt(measured):>6}  {verdict}")
    return lines, ok


def report(widths: Sequence[int], batch: int, cells: dict[str, list[Cell]]) -> tuple[list[str], bool]:
    lines = [f"\n=== batch of {batch}: {DEPTH}-layer sigmoid network [w, w, w, w], mse ==="]
    lines += table(
        "measured seconds (best of the interleaved rounds; over budget: the library refused to materialize)",
        widths,
        {m: [shown(c) for c in row] for m, row in cells.items()},
    )
    lines += table(
        "multiply-adds (counted from the chain's factors)",
        widths,
        {m: [fmt(c.cost.multiply_adds, ".3g") for c in row] for m, row in cells.items()},
    )
    lines += table(
        "peak bytes of derivative arrays (counted)",
        widths,
        {m: [format_bytes(c.cost.peak_bytes) for c in row] for m, row in cells.items()},
    )
    lines += table(
        "nanoseconds per multiply-add (flat across widths = time follows the count)",
        widths,
        {m: [fmt(ratio(c.seconds, 1e-9 * max(c.cost.multiply_adds, 1))) for c in row] for m, row in cells.items()},
    )
    lines += growth(widths, cells)
    einsum_lines, ok = einsum_against_reshape(widths, cells)
    return lines + einsum_lines, ok


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="widths 8..64 and batch 1 only")
    parser.add_argument("-o", "--output", default="benchmarks/bench_paths.png", help="where to draw the figure")
    args = parser.parse_args(argv)
    widths = [8, 16, 32, 64] if args.quick else [8, 16, 32, 64, 128, 256]
    batches = [1] if args.quick else [1, 16]
    methods = list(jbp.METHODS)
    start = time.perf_counter()
    kept = timing.keep_freed_memory()
    print(f"BLAS threads {timing.blas_threads()}, freed memory kept in the process: {'yes' if kept else 'no'}")
    print(f"memory budget per materialized array: {format_bytes(resolve_max_bytes())} (not raised here)")
    results, all_ok = {}, True
    for batch in batches:
        results[batch] = measure(widths, batch, methods)
        lines, ok = report(widths, batch, results[batch])
        all_ok = all_ok and ok
        print("\n".join(lines), flush=True)
    print(f"\neinsum within {EINSUM_BAR}x of reshape at every measured width: {'yes' if all_ok else 'NO'}")
    print(f"total benchmark time: {time.perf_counter() - start:.1f} s")
    try:
        from jacobian_bp.display.plots import plot_cost
    except ImportError:
        print("matplotlib is not installed: no figure (pip install 'jacobian_bp[plot]')")
        return 0 if all_ok else 1
    seconds = {m: [c.seconds for c in row] for m, row in results[batches[0]].items()}
    plot_cost(widths, methods, depth=DEPTH, batch=batches[0], path=args.output, seconds=seconds)
    print(f"figure (counted multiply-adds and measured seconds, batch {batches[0]}): {args.output}")
    return 0 if all_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
