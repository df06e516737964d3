"""How fast are the efficient paths? Time per training step of ``outer`` and ``backprop`` against plain numpy.

Run:  python benchmarks/bench_efficient.py

Two settings, each trained by full-batch gradient descent, so one step is one
epoch:

* a [784, 256, 256, 10] network (ReLU hidden layers, softmax output,
  cross-entropy) on a batch of 128 random examples;
* the notes' [2, 3, 1] sigmoid network with the notes' loss on the four XOR
  examples, where per-call overhead, not arithmetic, sets the time.

The reference is a training loop written by hand in numpy doing the same work
per step: forward pass, training loss and accuracy, backward pass, update.
``jbp.train`` is timed over many epochs and divided by the number of steps. The
machine may be shared, so the candidates run in interleaved rounds and each
keeps its fastest round. The reference's gradient is first checked
against ``backprop``'s, so both compute the same thing. Targets: within 1.25x
of the reference on the large network, within 2x on the notes' network.
PyTorch CPU is timed too when ``import torch`` works (it is not a dependency).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

import numpy as np

import jacobian_bp as jbp

ROUNDS = 15


def seconds_for(run: Callable[[], object]) -> float:
    """Wall-clock seconds of one call of ``run``."""
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def best_time(run: Callable[[], object], steps: int, repeats: int = ROUNDS) -> float:
    """Seconds per step: the fastest of ``repeats`` runs of ``run`` (which takes ``steps`` steps)."""
    return min(seconds_for(run) for _ in range(repeats)) / steps


# ----------------------------------------------------------------------------------------- the reference


def sigmoid(a: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-a))


def reference_gradient(params: dict, X: np.ndarray, T: np.ndarray, hidden: str, output: str) -> tuple:
    """Forward and backward pass written out by hand (rows are examples). Returns (grads, loss, z)."""
    L = len(params) // 2
    hs, as_ = [X], []
    for k in range(1, L + 1):
        a = hs[-1] @ params[f"W{k}"].T + params[f"b{k}"]
        if k < L:
            h = np.maximum(a, 0.0) if hidden == "relu" else sigmoid(a)
        elif output == "softmax":
            e = np.exp(a - a.max(axis=1, keepdims=True))
            h = e / e.sum(axis=1, keepdims=True)
        else:
            h = sigmoid(a)
        as_.append(a)
        hs.append(h)
    z, N = hs[-1], X.shape[0]
    if output == "softmax":  # cross-entropy on softmax: dJ/da = (z - t) / N
        loss = -np.sum(T * np.log(z)) / N
        g = (z - T) / N
    else:  # the notes' loss on a sigmoid output
        loss = 0.5 * np.sum((T - z) ** 2) / N
        g = (z - T) * z * (1.0 - z) / N
    grads = {}
    for k in range(L, 0, -1):
        grads[f"W{k}"] = g.T @ hs[k - 1]
        grads[f"b{k}"] = g.sum(axis=0)
        if k > 1:
            g = g @ params[f"W{k}"]
            g = g * (as_[k - 2] > 0) if hidden == "relu" else g * hs[k - 1] * (1.0 - hs[k - 1])
    return grads, loss, z


def reference_train(params: dict, X: np.ndarray, T: np.ndarray, hidden: str, output: str, lr: float, epochs: int):
    """Full-batch gradient descent by hand, recording loss and accuracy every epoch like jbp.train."""
    losses, accuracies = [], []
    for _ in range(epochs):
        grads, loss, z = reference_gradient(params, X, T, hidden, output)
        if output == "softmax":
            accuracies.append(np.mean(z.argmax(axis=1) == T.argmax(axis=1)))
        else:
            accuracies.append(np.mean((z > 0.5) == (T > 0.5)))
        losses.append(loss)
        for name, grad in grads.items():
            params[name] -= lr * grad
    return losses, accuracies


# ----------------------------------------------------------------------------------------- PyTorch, if present


def torch_step_time(net: jbp.MLP, X: np.ndarray, T: np.ndarray, hidden: str, output: str, lr: float, steps: int):
    try:
        import torch
    except ImportError:
        return None
    torch.set_default_dtype(torch.float64)
    params = {k: torch.tensor(v, requires_grad=True) for k, v in net.params.items()}
    Xt, Tt = torch.tensor(X), torch.tensor(T)
    L = net.depth

    def run() -> None:
        for _ in range(steps):
            h = Xt
            for k in range(1, L + 1):
                a = h @ params[f"W{k}"].T + params[f"b{k}"]
                h = (torch.relu(a) if hidden == "relu" else torch.sigmoid(a)) if k < L else a
            if output == "softmax":
                loss = torch.nn.functional.cross_entropy(h, Tt.argmax(dim=1))
            else:
                loss = 0.5 * ((Tt - torch.sigmoid(h)) ** 2).sum() / Xt.shape[0]
            for p in params.values():
                p.grad = None
            loss.backward()
            with torch.no_grad():
                for p in params.values():
                    p -= lr * p.grad

    return best_time(run, steps)


# ----------------------------------------------------------------------------------------- one setting


def bench(title: str, net: jbp.MLP, X, T, loss: str, hidden: str, output: str, lr: float, steps: int, target: float):
    """Time every candidate in interleaved rounds; the best round of each counts (the machine is shared)."""
    print(f"\n{title}: {steps} steps per run, best of {ROUNDS} interleaved rounds")
    reference_grads, _, _ = reference_gradient(net.params, X, T, hidden, output)
    jbp_grads = jbp.gradient(net, X, T, loss=loss, method="backprop")
    assert all(np.allclose(reference_grads[k], jbp_grads[k], rtol=1e-10, atol=1e-12) for k in net.params)

    def hand_written() -> None:
        reference_train({k: v.copy() for k, v in net.params.items()}, X, T, hidden, output, lr, steps)

    def trained_with(method: str) -> Callable[[], object]:
        return lambda: jbp.train(net.copy(), X, T, loss=loss, method=method, lr=lr, epochs=steps)

    def gradient_calls(method: str) -> Callable[[], object]:
        return lambda: [jbp.gradient(net, X, T, loss=loss, method=method) for _ in range(steps)]

    candidates = {
        "hand-written numpy": hand_written,
        "jbp.train, method='outer'": trained_with("outer"),
        "jbp.train, method='backprop'": trained_with("backprop"),
        "jbp.gradient (validates), 'outer'": gradient_calls("outer"),
        "jbp.gradient (validates), 'backprop'": gradient_calls("backprop"),
    }
    best = dict.fromkeys(candidates, float("inf"))
    for _ in range(ROUNDS):
        for name, run in candidates.items():
            best[name] = min(best[name], seconds_for(run) / steps)
    ref = best["hand-written numpy"]
    ratios = {}
    for name, seconds in best.items():
        line = f"  {name:<38} {1e6 * seconds:10.1f} µs/step {seconds / ref:6.2f}x"
        if name.startswith("jbp.train"):
            ratios[name] = seconds / ref
            line += f"   ({'within' if ratios[name] <= target else 'OVER'} the {target}x target)"
        elif name.startswith("jbp.gradient"):
            line += "   (forward + gradient, no update: for information)"
        print(line)
    torch_time = torch_step_time(net, X, T, hidden, output, lr, steps)
    if torch_time is None:
        print("  PyTorch CPU: torch is not installed, skipped")
    else:
        print(f"  {'PyTorch CPU (float64)':<38} {1e6 * torch_time:10.1f} µs/step {torch_time / ref:6.2f}x")
    return ratios


def main() -> int:
    rng = np.random.default_rng(0)
    print(f"numpy {np.__version__}, python {sys.version.split()[0]}")
    large = jbp.MLP([784, 256, 256, 10], activation="relu", output_activation="softmax", seed=0)
    X_large = rng.standard_normal((128, 784))
    T_large = jbp.datasets.one_hot(rng.integers(0, 10, 128), 10)
    ratios_large = bench(
        "[784, 256, 256, 10], ReLU + softmax + cross-entropy, batch 128",
        large,
        X_large,
        T_large,
        "cross_entropy",
        "relu",
        "softmax",
        lr=0.01,
        steps=50,
        target=1.25,
    )
    X_xor, T_xor = jbp.datasets.xor()
    ratios_notes = bench(
        "the notes' [2, 3, 1] sigmoid network, the notes' loss, the 4 XOR examples",
        jbp.notes_network(),
        X_xor,
        T_xor,
        "mse",
        "sigmoid",
        "sigmoid",
        lr=5.0,
        steps=1000,
        target=2.0,
    )
    ok = max(ratios_large.values()) <= 1.25 and max(ratios_notes.values()) <= 2.0
    print("\nall within target" if ok else "\nSOME OVER TARGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
