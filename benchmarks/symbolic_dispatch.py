"""What the dtype=object dispatch costs the numeric path.

The element-wise functions of the activation registry check ``is_symbolic(a)``
before their float64 code. This script times each registry function against a
copy of the same float64 code without the check, on one example (n = 3) and on
a batch (256 × 64), and the whole backprop gradient of a small network with the
registry as it is versus the registry with the undispatched copies swapped in.
It prints ratios measured in this one run (dispatched / undispatched; 1.00 = no
cost). Run: ``python benchmarks/symbolic_dispatch.py``.
"""

from __future__ import annotations

import dataclasses
import timeit
from functools import partial

import numpy as np

import jacobian_bp as jbp
from jacobian_bp.network import activations


def _sigmoid(a: np.ndarray) -> np.ndarray:
    small = np.exp(-np.abs(a))
    return np.where(a >= 0, 1.0 / (1.0 + small), small / (1.0 + small))


UNDISPATCHED = {
    "sigmoid": (_sigmoid, lambda a, h: h * _sigmoid(-a)),
    "tanh": (np.tanh, lambda a, h: 1.0 - h * h),
    "relu": (lambda a: np.maximum(a, 0.0), lambda a, h: (a > 0).astype(a.dtype)),
}


def best_of(function, number: int) -> float:
    return min(timeit.repeat(function, number=number, repeat=7)) / number


def main() -> None:
    rng = np.random.default_rng(0)
    print(f"{'function':<22}{'shape':>12}{'dispatched':>14}{'plain':>12}{'ratio':>8}")
    for shape in [(3,), (256, 64)]:
        a = rng.normal(size=shape)
        h = np.tanh(a)
        number = 20000 if a.size < 10 else 2000
        for name, (plain_value, plain_derivative) in UNDISPATCHED.items():
            act = jbp.ACTIVATIONS[name]
            for part, dispatched, plain in [
                ("value", partial(act.value, a), partial(plain_value, a)),
                ("derivative", partial(act.derivative, a, h), partial(plain_derivative, a, h)),
            ]:
                t_dispatched, t_plain = best_of(dispatched, number), best_of(plain, number)
                print(
                    f"{name + ' ' + part:<22}{shape!s:>12}{t_dispatched * 1e6:>12.2f}µs"
                    f"{t_plain * 1e6:>10.2f}µs{t_dispatched / t_plain:>8.2f}"
                )

    net = jbp.MLP([8, 16, 16, 4], activation="tanh", seed=0)
    X, T = rng.normal(size=(32, 8)), rng.uniform(size=(32, 4))
    with_dispatch = best_of(lambda: jbp.gradient(net, X, T, method="backprop"), 500)
    original = dict(activations.ACTIVATIONS)
    try:
        for name, (value, derivative) in UNDISPATCHED.items():
            activations.ACTIVATIONS[name] = dataclasses.replace(original[name], value=value, derivative=derivative)
        without_dispatch = best_of(lambda: jbp.gradient(net, X, T, method="backprop"), 500)
    finally:
        activations.ACTIVATIONS.update(original)
    print(
        f"\nbackprop gradient, MLP [8, 16, 16, 4] tanh, batch 32: dispatched {with_dispatch * 1e6:.1f}µs, "
        f"plain {without_dispatch * 1e6:.1f}µs, ratio {with_dispatch / without_dispatch:.2f}"
    )


if __name__ == "__main__":
    main()
