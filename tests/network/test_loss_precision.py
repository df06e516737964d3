"""Loss values and fused output gradients against an arbitrary-precision oracle (mpmath, shipped with SymPy).

The logits are the saturation points of the issue: ±1 (no saturation), ±30 and ±40 (σ(a) is within
rounding of 1 from a ≈ 37) and ±700 (e^(−700) is close to the smallest normal float64). Every value
must be within 1e-12 relative of the oracle. A value whose true size is below the smallest normal
float64 (2.2e-308, e.g. e^(−1400)) has no float64 relative precision to speak of, so the
comparison allows that much absolutely.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jacobian_bp as jbp
from jacobian_bp.network.losses import output_delta

mpmath = pytest.importorskip("mpmath", reason="the oracle is mpmath, which comes with SymPy (the test extra)")
mp = mpmath.mp

LOGITS = (1.0, -1.0, 30.0, -30.0, 40.0, -40.0, 700.0, -700.0)
HARD = (0.0, 1.0)
SOFT = (0.5, 0.25, 0.75, 0.1, 0.9, 1e-3, 0.999)
RTOL = 1e-12
SMALLEST_NORMAL = float(np.finfo(np.float64).tiny)

BCE, CROSS_ENTROPY = jbp.get_loss("bce"), jbp.get_loss("cross_entropy")


def exactly(x: float) -> mpmath.mpf:
    return mp.mpf(float(x))  # the float64 value itself, with no decimal rounding


def assert_close(got: np.ndarray, expected: list, what: str) -> None:
    for index, (value, reference) in enumerate(zip(np.ravel(got), expected, strict=True)):
        error = abs(exactly(value) - reference)
        bound = RTOL * abs(reference) + SMALLEST_NORMAL
        assert error <= bound, f"{what}[{index}]: {value!r}, oracle {mpmath.nstr(reference, 20)}"


# ----------------------------------------------------------------------------------------------- the oracle
# 1100 digits: e^(±700) and the differences of numbers near 1 that it takes to see e^(−1400).


# A log at 1100 digits takes milliseconds, and the tests draw their logits from the few LOGITS: the
# oracle's σ(a), softmax(a) and their logs are kept per logit (per row of logits), computed once each.


@functools.lru_cache(maxsize=4096)
def _sigmoid_and_logs(u: float) -> tuple[mpmath.mpf, mpmath.mpf, mpmath.mpf]:
    """σ(u), log σ(u) and log(1 − σ(u)), at 1100 digits."""
    with mp.workdps(1100):
        s = 1 / (1 + mp.exp(-exactly(u)))
        return s, mp.log(s), mp.log(1 - s)


@functools.lru_cache(maxsize=4096)
def _softmax_and_logs(a: tuple[float, ...]) -> tuple[list, list]:
    """softmax(a) and log softmax(a), at 1100 digits."""
    with mp.workdps(1100):
        total = sum(mp.exp(exactly(u)) for u in a)
        z = [mp.exp(exactly(u)) / total for u in a]
        return z, [mp.log(zi) for zi in z]


def bce_oracle(a: np.ndarray, t: np.ndarray) -> tuple[mpmath.mpf, list]:
    """−Σ [t log σ(a) + (1 − t) log(1 − σ(a))] and σ(a) − t, as the textbook writes them."""
    with mp.workdps(1100):
        sigma = [_sigmoid_and_logs(float(u)) for u in a]
        loss = -sum(
            exactly(ti) * log_s + (1 - exactly(ti)) * log_1_minus_s
            for (_, log_s, log_1_minus_s), ti in zip(sigma, t, strict=True)
        )
        return +loss, [+(s - exactly(ti)) for (s, _, _), ti in zip(sigma, t, strict=True)]


def cross_entropy_oracle(a: np.ndarray, t: np.ndarray) -> tuple[mpmath.mpf, list]:
    """−Σ t_i log softmax(a)_i and ∂L/∂a_j = (Σ t) softmax(a)_j − t_j."""
    with mp.workdps(1100):
        z, log_z = _softmax_and_logs(tuple(float(u) for u in a))
        loss = -sum(exactly(ti) * log_zi for log_zi, ti in zip(log_z, t, strict=True))
        weight = sum(exactly(ti) for ti in t)
        return +loss, [+(weight * zi - exactly(ti)) for zi, ti in zip(z, t, strict=True)]


def fused(loss: jbp.Loss, t: np.ndarray, a: np.ndarray) -> np.ndarray:
    activation = jbp.get_activation(loss.output_activation)
    return output_delta(loss, activation, activation.value(a), t, a)


# ----------------------------------------------------------------------------------------------- bce


@pytest.mark.parametrize("t", HARD + SOFT)
@pytest.mark.parametrize("a", LOGITS)
def test_bce_value_and_fused_gradient_at_the_saturation_points(a: float, t: float) -> None:
    logits, targets = np.array([a]), np.array([t])
    loss, delta = bce_oracle(logits, targets)
    assert_close(BCE.per_example(None, targets, logits), [loss], f"bce L(a={a}, t={t})")
    assert_close(fused(BCE, targets, logits), delta, f"bce z − t (a={a}, t={t})")


@given(
    a=st.lists(st.sampled_from(LOGITS), min_size=1, max_size=4),
    targets=st.lists(st.sampled_from(HARD + SOFT), min_size=4, max_size=4),
)
def test_bce_over_several_units_and_a_batch(a: list[float], targets: list[float]) -> None:
    logits, t = np.array([a, a[::-1]]), np.array([targets[: len(a)]] * 2)
    for p in range(2):
        loss, delta = bce_oracle(logits[p], t[p])
        assert_close(BCE.per_example(None, t, logits)[p : p + 1], [loss], "bce L")
        assert_close(fused(BCE, t, logits)[p], delta, "bce z − t")


def test_bce_of_a_confident_right_answer_is_not_rounded_to_zero() -> None:
    # The numbers: a logit of 30 with target 1 was 1.3% off, and 0 from a logit of about 36.
    for a in (30.0, 36.0, 40.0, 700.0):
        loss, delta = bce_oracle(np.array([a]), np.array([1.0]))
        assert_close(BCE.per_example(None, np.array([1.0]), np.array([a])), [loss], f"bce L({a}, 1)")
        assert BCE.per_example(None, np.array([1.0]), np.array([a])) > 0
        assert_close(fused(BCE, np.array([1.0]), np.array([a])), delta, f"bce z − 1 at {a}")


@given(t=st.floats(0.0, 1.0), a=st.floats(-50.0, 50.0))
def test_bce_fused_gradient_near_a_soft_target_is_as_good_as_the_exponential(t: float, a: float) -> None:
    # Where σ(a) − t cancels, the one rounding left is that of u = e^(−|a|) (one ulp) in the terms t·u and
    # (for a < 0) u: the error stays within a few ulps of that term, however small z − t gets.
    _, (delta,) = bce_oracle(np.array([a]), np.array([t]))
    got = fused(BCE, np.array([t]), np.array([a]))[0]
    u = float(np.exp(-abs(a)))
    eps = float(np.finfo(np.float64).eps)
    assert abs(exactly(got) - delta) <= 4 * eps * abs(delta) + 4 * eps * u / (1 + u) + SMALLEST_NORMAL


# ----------------------------------------------------------------------------------------------- cross-entropy


@st.composite
def distributions(draw: st.DrawFn, classes: int) -> np.ndarray:
    """A one-hot row, or soft weights such as [½, ½, 0], [¼, ½, ¼] or [0.1, 0.9] (need not be dyadic)."""
    if draw(st.booleans()):
        return np.eye(classes)[draw(st.integers(0, classes - 1))]
    weights = np.array(draw(st.lists(st.sampled_from([0, 1, 2, 3, 9]), min_size=classes, max_size=classes)), float)
    if weights.sum() == 0:
        weights[0] = 1.0
    return weights / weights.sum()


@st.composite
def logit_rows(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    classes = draw(st.integers(2, 4))
    logits = np.array(draw(st.lists(st.sampled_from((*LOGITS, 0.0)), min_size=classes, max_size=classes)))
    return logits, draw(distributions(classes))


@given(rows=st.lists(logit_rows(), min_size=1, max_size=3).filter(lambda r: len({len(a) for a, _ in r}) == 1))
def test_cross_entropy_value_and_fused_gradient_against_the_oracle(rows: list) -> None:
    logits, targets = np.array([a for a, _ in rows]), np.array([t for _, t in rows])
    values, deltas = CROSS_ENTROPY.per_example(None, targets, logits), fused(CROSS_ENTROPY, targets, logits)
    for p, (a, t) in enumerate(rows):
        loss, delta = cross_entropy_oracle(a, t)
        assert_close(values[p : p + 1], [loss], f"cross-entropy L(a={list(a)}, t={list(t)})")
        assert_close(deltas[p], delta, f"cross-entropy z − t (a={list(a)}, t={list(t)})")


@pytest.mark.parametrize(
    "a, t",
    [
        ([30.0, 0.0, -30.0], [1.0, 0.0, 0.0]),  # confident and right: L ≈ e^(−30), z₁ − 1 ≈ −e^(−30)
        ([40.0, -40.0], [1.0, 0.0]),  # 1 + e^(−80) is 1 in float64; log1p keeps it
        ([700.0, 0.0, 0.0], [1.0, 0.0, 0.0]),
        ([30.0, 30.0, -40.0], [0.5, 0.5, 0.0]),  # a soft target met by a tie: z − t ≈ −e^(−70)/4
        ([0.0, -700.0, 0.0], [0.5, 0.25, 0.25]),  # ... and one that only e^(−700) separates from z
        ([0.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]),  # z − t is exactly (Σt)/3 − fl(1/3) = 0
    ],
)
def test_cross_entropy_where_the_naive_formulas_cancel(a: list[float], t: list[float]) -> None:
    logits, targets = np.array([a]), np.array([t])
    loss, delta = cross_entropy_oracle(logits[0], targets[0])
    assert_close(CROSS_ENTROPY.per_example(None, targets, logits), [loss], "cross-entropy L")
    assert_close(fused(CROSS_ENTROPY, targets, logits), delta, "cross-entropy z − t")


def test_fused_gradient_takes_the_units_along_any_axis() -> None:
    # backprop holds one example per column: the units run along axis 0.
    rng = np.random.default_rng(0)
    a, t = rng.normal(size=(5, 4)), np.eye(4)[rng.integers(0, 4, size=5)]
    rows = CROSS_ENTROPY.fused_delta(t, a, -1)
    np.testing.assert_array_equal(CROSS_ENTROPY.fused_delta(t.T, a.T, 0), rows.T)
    np.testing.assert_allclose(rows, jbp.get_activation("softmax").value(a) - t, rtol=1e-12, atol=1e-15)


# ----------------------------------------------------------------------------------------------- the public paths


def test_backprop_gradient_and_loss_of_a_confident_right_bce_output() -> None:
    # The case: ∂J/∂a = z − 1 by backprop had relative error 1e-3 at a logit of 30.
    net = jbp.MLP([1, 1], activation="sigmoid", params={"W1": [[30.0]], "b1": [0.0]})
    _, (delta,) = bce_oracle(np.array([30.0]), np.array([1.0]))
    for method in ("backprop", "outer", "einsum"):
        assert_close(jbp.gradient(net, [1.0], [1.0], loss="bce", method=method)["b1"], [delta], method)
    loss, _ = bce_oracle(np.array([30.0]), np.array([1.0]))
    assert_close(np.array([net.loss([1.0], [1.0], loss="bce")]), [loss], "net.loss")


def test_backprop_cross_entropy_of_a_confident_right_softmax_output() -> None:
    net = jbp.MLP([1, 3], activation="softmax", params={"W1": [[40.0], [0.0], [-40.0]], "b1": np.zeros(3)})
    _, delta = cross_entropy_oracle(np.array([40.0, 0.0, -40.0]), np.array([1.0, 0.0, 0.0]))
    assert_close(jbp.gradient(net, [1.0], [1.0, 0.0, 0.0], loss="cross_entropy", method="backprop")["b1"], delta, "b1")
