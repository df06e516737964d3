"""The symbolic loss of a batch: targets shaped like the outputs, or one per example for one output unit."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

sympy = pytest.importorskip("sympy", reason="symbolic mode needs SymPy (the symbolic or test extra)")
import jacobian_bp as jbp  # noqa: E402
import jacobian_bp.symbolic as sym  # noqa: E402


def batch_symbols(prefix: str, rows: int, cols: int) -> np.ndarray:
    return np.array([[sympy.Symbol(f"{prefix}{p}_{j}", real=True) for j in range(cols)] for p in range(rows)])


@given(examples=st.integers(1, 4), inputs=st.integers(1, 2), flat_targets=st.booleans())
def test_batch_loss_is_the_mean_of_the_example_losses(examples: int, inputs: int, flat_targets: bool) -> None:
    snet = sym.MLP([inputs, 2, 1])
    X = batch_symbols("x", examples, inputs)
    T = batch_symbols("t", examples, 1)
    # Expected independently: ½ (t − z)² for each example on its own, averaged.
    outputs = [snet.forward(X[p]).z[0] for p in range(examples)]
    expected = sum((T[p, 0] - outputs[p]) ** 2 / 2 for p in range(examples)) / examples
    loss = snet.loss(X, T[:, 0] if flat_targets else T)
    assert sympy.expand(loss - expected) == 0


def test_one_example_takes_a_scalar_target() -> None:
    snet = sym.notes_network()
    t = sympy.Symbol("τ", real=True)
    assert sympy.expand(snet.loss(snet.x, t) - snet.loss(snet.x, [t])) == 0


def test_targets_of_the_wrong_shape_are_refused() -> None:
    snet = sym.MLP([2, 3, 2])
    X = batch_symbols("x", 3, 2)
    with pytest.raises(jbp.ShapeError, match=r"T must have shape \(3, 2\).*got \(3,\)"):
        snet.loss(X, batch_symbols("t", 3, 1)[:, 0])
    with pytest.raises(jbp.ShapeError, match=r"got \(2, 2\)"):
        snet.loss(X, batch_symbols("t", 2, 2))


@pytest.mark.parametrize(("loss", "output", "units"), [("bce", "sigmoid", 2), ("cross_entropy", "softmax", 3)])
def test_the_float64_careful_losses_are_still_the_textbook_formulas_in_symbols(
    loss: str, output: str, units: int
) -> None:
    # The float path writes the cross-entropies in softplus / log1p terms; on symbols the same registry
    # entries must give the textbook loss, and backprop's fused ∂J/∂a must stay the notes' z − t.
    snet = sym.MLP([1, units], activation=output)
    a, t = snet.trace().a[1], snet.t
    z = jbp.get_activation(output).value(a)
    textbook = (
        -sum(t[i] * sympy.log(z[i]) + (1 - t[i]) * sympy.log(1 - z[i]) for i in range(units))
        if loss == "bce"
        else -sum(t[i] * sympy.log(z[i]) for i in range(units))
    )
    logits = [sympy.Rational(3, 10), sympy.Rational(-6, 5), 2][:units]
    targets = [sympy.Rational(1, 4), sympy.Rational(3, 4), 0][:units]
    values = dict(zip([*a, *t], logits + targets, strict=True))
    difference = (snet.loss(loss=loss) - textbook).rewrite(sympy.exp).subs(values)
    assert abs(float(difference.evalf(30))) < 1e-25
    assert list(sym.gradient(snet, loss=loss, method="backprop")["b1"]) == list(snet.trace().z - t)
