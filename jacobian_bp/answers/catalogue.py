"""The catalogue of classic mistakes in a hand-derived gradient: one key, one line each.

:data:`MISTAKES` is what :func:`~jacobian_bp.answers.numeric.check_answer` and
:func:`jacobian_bp.symbolic.check_answer` name in a :class:`~jacobian_bp.answers.verdict.Verdict`.
It holds no numbers and imports nothing, so both checkers (and the command line)
share it without pulling in numpy code or SymPy.
"""

from __future__ import annotations

#: Every mistake a verdict can name, in the order a diagnosis prefers them when several explain an answer.
MISTAKES: dict[str, str] = {
    "transposed": "the gradient laid out as its transpose (the book's denominator layout), not in the parameter's",
    "sign": "the negative of the gradient: t − z where the loss derivative is z − t",
    "scale": "the gradient times a constant such as N, 1/N, 2 or 1/2: a sum for the batch mean, or the ½ of J lost",
    "missing_activation_derivative": "the factor f′(aʲ) of one layer left out of the chain",
    "extra_one_minus_sigma": "σ′(aʲ) multiplied once more by (1 − σ(aʲ)), as the notes' boxed ∂J/∂w²₁ does",
    "derivative_at_output": "f′ evaluated at hʲ instead of aʲ: σ(hʲ)(1 − σ(hʲ)) in place of σ′(aʲ)",
    "bias_dropped": "the forward pass computed without the bias bʲ",
    "transposed_weight_in_backward": "the running row g multiplied by (Wᵏ)ᵀ instead of Wᵏ on the way down",
    "one_example": "the gradient of one example instead of the mean over the batch",
    "missing_term": "one term of a sum left out (a symbolic answer short of exactly one term)",
    "missing_factor": "one factor of the chain left out: the loss derivative, a weight, or the input hʲ⁻¹ or x",
    "doubled_factor": "one factor of the chain taken twice: σ′(aʲ)², (wʲ)², (z − t)² or (hʲ⁻¹)²",
    "activation_for_derivative": "f(aʲ) written where f′(aʲ) belongs: σ(a) for σ′(a)",
    "pre_activation_for_activation": "the pre-activation aʲ⁻¹ used where the activation hʲ⁻¹ belongs",
    "wrong_layer": "a quantity of another layer used: σ′(a²) reused for the hidden layer, a¹ for a²",
    "wrong_unit": "a quantity of another unit (another index) used: h₂ for h₁, x₂ for x₁, w²₂ for w²₁",
    "batch_cut_short": "some examples of the batch left out of the mean: three of four examples averaged",
    "mispaired_examples": "each example's backward row paired with another example's input (a shifted batch)",
    "learning_rate": "the gradient multiplied by the learning rate η (or by −η: the update step given as gradient)",
    "two_mistakes": "two of the mistakes above made at once; the detail names both",
    "too_few_digits": "an answer that matches the truth only at a precision too low to tell it from a mistake",
    "wrong_shape": "a shape that is neither the expected one (numerator layout) nor its transpose",
    "not_finite": "the answer holds NaN or infinity",
    "unknown": "wrong, and no entry of this catalogue explains it",
}
