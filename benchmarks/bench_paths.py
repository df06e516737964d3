"""Every gradient path's measured time beside its predicted cost, across widths and batch sizes.

A 3-layer sigmoid network of width w (sizes [w, w, w, w]), the notes' mse loss,
random data. For each batch size and width every path is timed (the best of a
few runs when a run is quick) and its multiply-adds predicted by
:func:`jacobian_bp.cost`. All ratios below come from this one run. A path whose
predicted time (its seconds per multiply-add at the previous width times its
multiply-adds here) exceeds the budget is skipped and shown as ``-``.

Run from the repository root:

    python benchmarks/bench_paths.py                  # widths 8..256, batches 1 and 16
    python benchmarks/bench_paths.py --quick          # widths 8..64, batch 1: a few seconds
    python benchmarks/bench_paths.py -o paths.png     # where to draw the figure

Speed claims live here, never in the tests.
"""

from __future__ import annotations

import argparse
import functools
import time
from collections.abc import Sequence

import numpy as np

import jacobian_bp as jbp
from jacobian_bp.gradients import PATHS, prepare

DEPTH = 3
#: Skip a measurement predicted to take longer than this many seconds.
BUDGET = 6.0
#: Repeat a quick measurement until this many seconds have been spent on it, and keep the best.
REPEAT_FOR = 0.25


def best_time(run, first: float) -> float:
    """The best of several runs when one run is quick; ``first`` is the time the first run took."""
    best, spent = first, first
    while spent < REPEAT_FOR and first < REPEAT_FOR / 3:
        start = time.perf_counter()
        run()
        elapsed = time.perf_counter() - start
        best, spent = min(best, elapsed), spent + elapsed
    return best


def measure(widths: Sequence[int], batch: int, methods: Sequence[str]) -> tuple[dict, dict, dict]:
    """Seconds, predicted multiply-adds and predicted entries per method and width (None when skipped)."""
    seconds = {m: [] for m in methods}
    madds = {m: [] for m in methods}
    entries = {m: [] for m in methods}
    rate: dict[str, float] = {}  # seconds per multiply-add at the last measured width
    for width in widths:
        net = jbp.MLP([width] * (DEPTH + 1), activation="sigmoid", seed=width)
        rng = np.random.default_rng(width)
        X, T = rng.normal(size=(batch, width)), rng.normal(size=(batch, width))
        trace, T_checked, loss = prepare(net, X, T, "mse")
        for method in methods:
            predicted = jbp.cost(net, X, T, method=method)
            madds[method].append(predicted.multiply_adds)
            entries[method].append(predicted.entries)
            if method in rate and rate[method] * predicted.multiply_adds > BUDGET:
                seconds[method].append(None)
                continue

            run = functools.partial(PATHS[method], net, trace, T_checked, loss)

            start = time.perf_counter()
            run()
            elapsed = best_time(run, time.perf_counter() - start)
            seconds[method].append(elapsed)
            rate[method] = elapsed / max(predicted.multiply_adds, 1)
    return seconds, madds, entries


def fmt_seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2e}"


def fmt_ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g}"


def ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b == 0 else a / b


def report(widths, batch, methods, seconds, madds, entries) -> list[str]:
    lines = [f"\n=== batch of {batch}: {DEPTH}-layer sigmoid network [w, w, w, w], mse ==="]
    lines.append("\nmeasured seconds (best of a few runs)")
    lines.append(f"{'method':<11}" + "".join(f"{'w=' + str(w):>10}" for w in widths))
    for m in methods:
        lines.append(f"{m:<11}" + "".join(f"{fmt_seconds(s):>10}" for s in seconds[m]))

    lines.append("\nratio to backprop: measured time / predicted multiply-adds")
    lines.append(f"{'method':<11}" + "".join(f"{'w=' + str(w):>20}" for w in widths))
    for m in methods:
        cells = []
        for i in range(len(widths)):
            measured = ratio(seconds[m][i], seconds["backprop"][i])
            predicted = ratio(madds[m][i], madds["backprop"][i])
            cells.append(f"{fmt_ratio(measured)} / {fmt_ratio(predicted)}")
        lines.append(f"{m:<11}" + "".join(f"{c:>20}" for c in cells))

    lines.append("\nnanoseconds per predicted multiply-add (flat = time follows the operation count)")
    lines.append(f"{'method':<11}" + "".join(f"{'w=' + str(w):>10}" for w in widths))
    for m in methods:
        cells = ["-" if s is None else f"{1e9 * s / max(c, 1):.3g}" for s, c in zip(seconds[m], madds[m], strict=True)]
        lines.append(f"{m:<11}" + "".join(f"{c:>10}" for c in cells))

    lines.append("\nreshape / outer, widths 32-256: predicted (multiply-adds; + materialized entries) vs measured time")
    lines.append(f"{'width':>6} {'pred madds':>11} {'pred +entries':>14} {'measured':>10} {'meas/pred':>10}  within 2x")
    for i, w in enumerate(widths):
        if w < 32:
            continue
        predicted = ratio(madds["reshape"][i], madds["outer"][i])
        work = ratio(madds["reshape"][i] + entries["reshape"][i], madds["outer"][i] + entries["outer"][i])
        measured = ratio(seconds["reshape"][i], seconds["outer"][i])
        off = ratio(measured, predicted)
        within = "-" if off is None else ("yes" if 0.5 <= off <= 2.0 else "no")
        lines.append(
            f"{w:>6} {fmt_ratio(predicted):>11} {fmt_ratio(work):>14} {fmt_ratio(measured):>10} "
            f"{fmt_ratio(off):>10}  {within}"
        )

    lines.append("\neinsum / reshape measured time (the issue asks for at most 1.5)")
    lines.append(
        "  ".join(
            f"w={w}: {fmt_ratio(ratio(seconds['einsum'][i], seconds['reshape'][i]))}" for i, w in enumerate(widths)
        )
    )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="widths 8..64 and batch 1 only")
    parser.add_argument("-o", "--output", default="benchmarks/bench_paths.png", help="where to draw the figure")
    args = parser.parse_args(argv)
    widths = [8, 16, 32, 64] if args.quick else [8, 16, 32, 64, 128, 256]
    batches = [1] if args.quick else [1, 16]
    methods = list(jbp.METHODS)
    start = time.perf_counter()
    results = {}
    for batch in batches:
        seconds, madds, entries = measure(widths, batch, methods)
        results[batch] = seconds
        print("\n".join(report(widths, batch, methods, seconds, madds, entries)), flush=True)
    print(f"\ntotal benchmark time: {time.perf_counter() - start:.1f} s")
    try:
        from jacobian_bp.plots import plot_cost
    except ImportError:
        print("matplotlib is not installed: no figure (pip install 'jacobian_bp[plot]')")
        return 0
    plot_cost(widths, methods, depth=DEPTH, batch=batches[0], path=args.output, seconds=results[batches[0]])
    print(f"figure (predicted multiply-adds and measured seconds, batch {batches[0]}): {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
