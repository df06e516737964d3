"""A held-out set of numeric slips on a batch, written as a student writes backprop in numpy.

Each slip is a few lines of a student's own code for the notes' 2-3-1 network on
a batch of four (written here, not with the package's edits): the grader must
name at least 90% of them and call none correct.
"""

from __future__ import annotations

import numpy as np

import jacobian_bp as jbp

NET = jbp.notes_network(seed=0)
X = np.array([[1.0, 0.5], [-0.5, 2.0], [0.3, -1.2], [1.5, 0.1]])
T = np.array([1.0, 0.0, 1.0, 0.0])
W1, b1, W2, b2 = (NET.params[k] for k in ("W1", "b1", "W2", "b2"))


def s(a):
    return 1.0 / (1.0 + np.exp(-a))


def student(
    d_out=lambda a2, z: s(a2) * (1 - s(a2)),
    d_hidden=lambda a1, h1, a2: s(a1) * (1 - s(a1)),
    error=lambda z: z - T[:, None],
    mean=lambda rows: rows.mean(axis=0),
    below_W2=lambda a1, h1: h1,
    inputs=X,
    bias=True,
    down=lambda W: W,
):
    """∂J/∂W¹, ∂J/∂W², ∂J/∂b¹ as a student computes them, one switch per slip."""
    a1 = X @ W1.T + (b1 if bias else 0)
    h1 = s(a1)
    a2 = h1 @ W2.T + (b2 if bias else 0)
    z = s(a2)
    delta2 = error(z) * d_out(a2, z)  # (N, 1)
    delta1 = (delta2 @ down(W2)) * d_hidden(a1, h1, a2)  # (N, 3)
    per_W2 = delta2[:, :, None] * below_W2(a1, h1)[:, None, :]
    per_W1 = delta1[:, :, None] * inputs[:, None, :]
    return {"W2": mean(per_W2), "W1": mean(per_W1), "b1": mean(delta1)}


SLIPS = {
    "σ for σ′ at the output": ("W2", student(d_out=lambda a2, z: s(a2)), {"activation_for_derivative"}),
    "σ for σ′ in the hidden layer": (
        "W1",
        student(d_hidden=lambda a1, h1, a2: s(a1)),
        {"activation_for_derivative"},
    ),
    "a¹ for h¹ in ∂J/∂W²": ("W2", student(below_W2=lambda a1, h1: a1), {"pre_activation_for_activation"}),
    "σ′(a²) reused below": (
        "W1",
        student(d_hidden=lambda a1, h1, a2: s(a2) * (1 - s(a2))),
        {"wrong_layer"},
    ),
    "three of four examples": ("W1", student(mean=lambda rows: rows[:3].mean(axis=0)), {"batch_cut_short"}),
    "three of four, over four": ("b1", student(mean=lambda rows: rows[:3].sum(axis=0) / 4), {"batch_cut_short"}),
    "inputs paired with the next example": ("W1", student(inputs=np.roll(X, -1, axis=0)), {"mispaired_examples"}),
    "the sum": ("W1", student(mean=lambda rows: rows.sum(axis=0)), {"scale"}),
    "t − z": ("W2", student(error=lambda z: T[:, None] - z), {"sign"}),
    "t − z and the sum": (
        "W1",
        student(error=lambda z: T[:, None] - z, mean=lambda rows: rows.sum(axis=0)),
        {"two_mistakes"},
    ),
    "σ′ left out and the sum": (
        "W1",
        student(d_hidden=lambda a1, h1, a2: 1.0, mean=lambda rows: rows.sum(axis=0)),
        {"two_mistakes"},
    ),
    "σ′ left out at the output": ("W2", student(d_out=lambda a2, z: 1.0), {"missing_activation_derivative"}),
    "σ′ taken at z": ("W2", student(d_out=lambda a2, z: s(z) * (1 - s(z))), {"derivative_at_output"}),
    "the notes' extra (1 − σ)": (
        "W2",
        student(d_out=lambda a2, z: s(a2) * (1 - s(a2)) * (1 - s(a2))),
        {"extra_one_minus_sigma"},
    ),
    "both biases forgotten": ("W1", student(bias=False), {"two_mistakes"}),  # b¹ and b²: two slips
    "(z − t) squared": ("W2", student(error=lambda z: (z - T[:, None]) ** 2), {"doubled_factor"}),
    "the error left out": ("W2", student(error=lambda z: np.ones_like(z)), {"missing_factor"}),
    "2(z − t)": ("b1", student(error=lambda z: 2 * (z - T[:, None])), {"scale"}),
    "one example": ("W1", student(mean=lambda rows: rows[2]), {"one_example"}),
    "the transpose": ("W1", student()["W1"].T, {"transposed"}),
    # a gradient entry paired with the wrong unit: dW1[i, j] = delta1[i] * x[j'], as a student who wrote
    # the input's columns the other way round; w²₂ for w²₁ on the way down; dW2[0, j] with h¹ of another unit
    "x₁ and x₂ exchanged in ∂J/∂W¹": ("W1", student(inputs=X[:, ::-1]), {"wrong_unit"}),
    "w²₂ for w²₁ on the way down": ("b1", student(down=lambda W: W[:, [1, 0, 2]]), {"wrong_unit"}),
    "h¹₂ and h¹₃ exchanged in ∂J/∂W²": ("W2", student(below_W2=lambda a1, h1: h1[:, [0, 2, 1]]), {"wrong_unit"}),
}


def test_held_out_numeric_slips_are_named_and_none_is_called_correct() -> None:
    truth = jbp.gradient(NET, X, T)
    right = student()
    for wrt in ("W1", "W2", "b1"):
        np.testing.assert_allclose(right[wrt], truth[wrt], rtol=1e-12)  # the student's code without slips
        assert jbp.check_answer(right[wrt], NET, X, T, wrt=wrt).correct
    named, missed = 0, []
    for name, (wrt, answers, keys) in SLIPS.items():
        answer = answers if isinstance(answers, np.ndarray) else answers[wrt]
        verdict = jbp.check_answer(answer, NET, X, T, wrt=wrt)
        assert not verdict.correct, name
        if verdict.mistake in keys:
            named += 1
        else:
            missed.append((name, verdict.mistake))
    assert named >= 0.9 * len(SLIPS), missed
