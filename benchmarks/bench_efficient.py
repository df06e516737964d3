"""How fast are the efficient paths? ``jbp.gradient`` per call and ``jbp.train`` per step, against plain numpy.

Run from the repository root:

    python benchmarks/bench_efficient.py            # about half a minute
    python benchmarks/bench_efficient.py --quick    # fewer rounds: a few seconds, noisier
    python benchmarks/bench_efficient.py --system-malloc   # leave glibc as it is (see benchmarks/timing.py)

Two networks, both sigmoid everywhere with the notes' loss ``1/(2N) Σ‖t − z‖²``:

* [784, 256, 256, 10] on a batch of 128 random inputs with one-hot targets;
* the notes' [2, 3, 1] on the four XOR examples, where the cost of each Python
  and numpy call, not arithmetic, sets the time.

The reference is the step written by hand in plain numpy, as the issue describes
it: ``h = 1/(1 + exp(−(h Wᵀ + b)))`` layer by layer, then ``g = (z − t)/N`` and,
for every layer from the top, ``g *= h(1 − h)``, ``∇W = gᵀ h_prev``, ``∇b = Σ g``,
``g = g W``. ``jbp.gradient`` (validation and forward pass included) is compared
with that step; ``jbp.train`` per step with the same step plus the loss of the
epoch and the update ``θ −= lr ∇θ`` (and the accuracy, where ``train`` records it).
Every gradient is first checked against the reference's (to 1e-9), so all
candidates compute the same numbers. PyTorch CPU in float64 is timed beside them
when ``import torch`` works (it is not a dependency): autograd for the gradient,
and the same update written out (no ``torch.optim``) for the step.

Timing: the candidates run in interleaved rounds, each round calling every one
of them the same number of times, and each keeps its fastest round, so that load
from other processes on a shared machine hits all of them alike. All ratios come
from this one run.

Threads and memory: BLAS and PyTorch run single-threaded, and freed memory
stays in the process unless ``--system-malloc`` is given; :mod:`timing` says why.

Speed claims live here, never in the tests.
"""

from __future__ import annotations

import timing  # first: it sets the BLAS threads before numpy is imported

# isort: split

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

import jacobian_bp as jbp
from jacobian_bp.training.train import tracks_accuracy

Params = dict[str, np.ndarray]


# ----------------------------------------------------------------------------------------- the reference


def reference_gradient(params: Params, X: np.ndarray, T: np.ndarray) -> tuple[Params, np.ndarray]:
    """The step of the issue, by hand, rows as examples: the gradient of every parameter, and the output z."""
    L = len(params) // 2
    hs = [X]
    for k in range(1, L + 1):
        hs.append(1.0 / (1.0 + np.exp(-(hs[-1] @ params[f"W{k}"].T + params[f"b{k}"]))))
    g = (hs[L] - T) / X.shape[0]
    grads = {}
    for k in range(L, 0, -1):
        g *= hs[k] * (1.0 - hs[k])
        grads[f"W{k}"] = g.T @ hs[k - 1]
        grads[f"b{k}"] = g.sum(axis=0)
        if k > 1:
            g = g @ params[f"W{k}"]
    return grads, hs[L]


def reference_train(params: Params, X: np.ndarray, T: np.ndarray, lr: float, steps: int) -> list[float]:
    """Full-batch gradient descent by hand, recording what ``jbp.train`` records every epoch."""
    with_accuracy = tracks_accuracy(T, "mse")
    losses, accuracies = [], []
    for _ in range(steps):
        grads, z = reference_gradient(params, X, T)
        losses.append(0.5 * np.sum((T - z) ** 2) / X.shape[0])
        if with_accuracy:
            accuracies.append(np.mean((z > 0.5) == (T > 0.5)))
        for name, grad in grads.items():
            params[name] -= lr * grad
    return losses


# ----------------------------------------------------------------------------------------- PyTorch, if present


def torch_runs(net: jbp.MLP, X: np.ndarray, T: np.ndarray, lr: float, calls: int) -> tuple[Callable, Callable] | None:
    """PyTorch CPU float64: ``calls`` autograd gradients, and ``calls`` SGD steps; ``None`` without torch."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(int(timing.blas_threads()))  # as many threads as numpy's BLAS
    Xt, Tt = torch.tensor(X), torch.tensor(T)

    def gradient(params: dict) -> dict:
        h = Xt
        for k in range(1, net.depth + 1):
            h = torch.sigmoid(h @ params[f"W{k}"].T + params[f"b{k}"])
        loss = 0.5 * ((Tt - h) ** 2).sum() / Xt.shape[0]
        return dict(zip(params, torch.autograd.grad(loss, list(params.values())), strict=True))

    def fresh() -> dict:
        return {name: torch.tensor(value, requires_grad=True) for name, value in net.params.items()}

    def train() -> None:
        params = fresh()
        for _ in range(calls):
            grads = gradient(params)
            with torch.no_grad():
                for name, grad in grads.items():
                    params[name] -= lr * grad

    params = fresh()
    torch_grads = gradient(params)
    expected, _ = reference_gradient(net.params, X, T)
    assert all(np.allclose(torch_grads[k].numpy(), expected[k], rtol=1e-9, atol=1e-12) for k in expected)
    return (lambda: [gradient(params) for _ in range(calls)]), train


# ----------------------------------------------------------------------------------------- one network


@dataclass
class Row:
    """One candidate: what it runs, how many calls one run makes, and what it is measured against."""

    name: str
    run: Callable[[], object]
    calls: int
    reference: str | None = None  # the name of the row of the same table it is divided by
    target: float | None = None
    seconds: float = float("inf")  # per call, the fastest round


def time_interleaved(rows: Sequence[Row], rounds: int) -> None:
    """Set every row's seconds per call to its fastest of ``rounds`` interleaved rounds."""
    for _ in range(rounds):
        for row in rows:
            row.seconds = min(row.seconds, timing.seconds_of(row.run) / row.calls)


def check_same_gradients(net: jbp.MLP, X: np.ndarray, T: np.ndarray) -> None:
    expected, _ = reference_gradient(net.params, X, T)
    for method in ("backprop", "outer"):
        grads = jbp.gradient(net, X, T, loss="mse", method=method)
        assert all(np.allclose(grads[k], expected[k], rtol=1e-9, atol=1e-12) for k in expected), method


def rows_for(
    net: jbp.MLP,
    X: np.ndarray,
    T: np.ndarray,
    calls: int,
    gradient_targets: dict[str, float],
    train_target: float | None,
) -> list[Row]:
    lr = 0.1

    def calling(method: str) -> Callable[[], object]:
        return lambda: [jbp.gradient(net, X, T, loss="mse", method=method) for _ in range(calls)]

    def training(method: str) -> Callable[[], object]:
        return lambda: jbp.train(net.copy(), X, T, loss="mse", method=method, lr=lr, epochs=calls)

    def training_by_hand() -> None:
        reference_train({k: v.copy() for k, v in net.params.items()}, X, T, lr, calls)

    by_hand, step_by_hand = "numpy by hand: gradient", "numpy by hand: training step"
    rows = [
        Row(by_hand, lambda: [reference_gradient(net.params, X, T) for _ in range(calls)], calls),
        Row("jbp.gradient, method='backprop'", calling("backprop"), calls, by_hand, gradient_targets["backprop"]),
        Row("jbp.gradient, method='outer'", calling("outer"), calls, by_hand, gradient_targets["outer"]),
        Row(step_by_hand, training_by_hand, calls),
        Row("jbp.train per step, 'backprop'", training("backprop"), calls, step_by_hand, train_target),
        Row("jbp.train per step, 'outer'", training("outer"), calls, step_by_hand, train_target),
    ]
    torch = torch_runs(net, X, T, lr, calls)
    if torch is not None:
        rows.insert(3, Row("PyTorch CPU float64, autograd", torch[0], calls, by_hand))
        rows.append(Row("PyTorch CPU float64, SGD step", torch[1], calls, step_by_hand))
    return rows


def report(title: str, rows: Sequence[Row]) -> tuple[list[str], bool]:
    """The table of one network, and whether every row with a target meets it."""
    lines = [f"\n{title}", f"  {'candidate':<36} {'µs per call':>12} {'ratio':>7}  target"]
    by_name = {row.name: row for row in rows}
    ok = True
    for row in rows:
        seconds = row.seconds
        ratio = "" if row.reference is None else f"{seconds / by_name[row.reference].seconds:6.2f}x"
        verdict = ""
        if row.target is not None:
            within = seconds / by_name[row.reference].seconds <= row.target
            ok = ok and within
            verdict = f"≤ {row.target}x: {'yes' if within else 'NO'}"
        elif row.reference is not None:
            verdict = "(for information)"
        lines.append(f"  {row.name:<36} {1e6 * seconds:12.1f} {ratio:>7}  {verdict}")
    return lines, ok


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 rounds instead of 15: a few seconds, noisier")
    parser.add_argument("--system-malloc", action="store_true", help="leave glibc's memory release as it is")
    args = parser.parse_args(argv)
    kept = not args.system_malloc and timing.keep_freed_memory()
    malloc = "freed memory kept in the process" if kept else "the system's default"
    rounds = 3 if args.quick else 15
    rng = np.random.default_rng(0)
    large = jbp.MLP([784, 256, 256, 10], activation="sigmoid", seed=0)
    X_large = rng.standard_normal((128, 784))
    T_large = jbp.datasets.one_hot(rng.integers(0, 10, 128), 10)
    notes = jbp.notes_network()
    X_xor, T_xor = jbp.datasets.xor()
    # The gradient's targets per method: issue 19 holds backprop to 1.15x on the large network (the outer
    # products, recomputing each layer's δ from the loss as the notes do, keep the earlier 1.25x).
    settings = [
        (
            "[784, 256, 256, 10] sigmoid, mse, batch 128",
            large,
            X_large,
            T_large,
            30,
            {"backprop": 1.15, "outer": 1.25},
            1.1,
        ),
        (
            "the notes' [2, 3, 1] sigmoid network, mse, the 4 XOR examples",
            notes,
            X_xor,
            T_xor,
            500,
            {"backprop": 2.0, "outer": 2.0},
            None,
        ),
    ]
    print(f"numpy {np.__version__}, python {sys.version.split()[0]}, BLAS threads {timing.blas_threads()}")
    print(f"malloc: {malloc}; best of {rounds} interleaved rounds per candidate")
    every_row, titles = [], []
    for title, net, X, T, calls, gradient_targets, train_target in settings:
        check_same_gradients(net, X, T)
        rows = rows_for(net, X, T, calls, gradient_targets, train_target)
        every_row.append(rows)
        titles.append(f"{title}: {calls} calls per round")
    # Both networks in the same rounds: a burst of load cannot favour one table over the other.
    time_interleaved([row for rows in every_row for row in rows], rounds)
    all_ok = True
    for title, rows in zip(titles, every_row, strict=True):
        lines, ok = report(title, rows)
        all_ok = all_ok and ok
        print("\n".join(lines))
    if not any("PyTorch" in row.name for rows in every_row for row in rows):
        print("\nPyTorch: torch is not installed, skipped")
    print("\nall within target" if all_ok else "\nSOME OVER TARGET")
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
