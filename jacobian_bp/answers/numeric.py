"""Grading a numeric answer: :func:`check_answer` for a student's ``∂J/∂θ``, built from numbers.

The truth and every catalogue mistake are contracted from the same per-example
chain of the batch (:func:`~jacobian_bp.chain.batch.batch_factors`, the
``"per_example"`` view), each mistake changing one thing in it
(:mod:`jacobian_bp.answers.variants`). Two values are the same when
``max |a − b| ≤ atol + rtol · max |b|``: a tolerance on the size of the whole
gradient, so that an entry that is zero by cancellation is not held to a
relative precision no hand computation has.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from jacobian_bp.answers.variants import MEAN, LocalJacobians, build, variants
from jacobian_bp.answers.verdict import Verdict, equals, grade, not_finite
from jacobian_bp.chain.batch import BatchedJacobian, batch_factors, chain_per_example
from jacobian_bp.chain.factors import net_factors
from jacobian_bp.chain.jacobian_chain import display_name
from jacobian_bp.methods.gradient import prepare
from jacobian_bp.network.losses import Loss
from jacobian_bp.network.mlp import MLP, parse_param_name
from jacobian_bp.network.validation import as_real_array

Array = np.ndarray

#: Default tolerances of :func:`check_answer`: far looser than float64 rounding, far tighter than any mistake.
RTOL, ATOL = 1e-6, 1e-12


@dataclass(frozen=True)
class NumericChains:
    """The chain of ``∂J/∂wrt`` for a batch of numbers, as stacks of per-example Jacobians.

    >>> chains = NumericChains.of(jbp.notes_network(), [[1.0, 0.5], [0.0, 1.0]], [1.0, 0.0], "b1", "mse")
    >>> local = chains.local_jacobians(chains.net)
    >>> [a.shape for a in local.arrays], local.weights
    ([(2, 1), (2, 1, 1), (2, 1, 3), (2, 3, 3), (2, 3, 3)], array([0.5, 0.5]))
    """

    net: MLP
    X: Array
    T: Array
    loss: Loss
    wrt: str

    @classmethod
    def of(cls, net: MLP, X: Any, T: Any, wrt: str, loss: str) -> NumericChains:
        """Check everything, and see one example as a batch of one (its chain then has weight 1)."""
        trace, T_checked, loss_fn = prepare(net, X, T, loss)
        parse_param_name(net, wrt)
        batch = trace.as_batch()
        return cls(net, batch.h[0], T_checked.reshape(batch.batch_size, -1), loss_fn, wrt)

    def local_jacobians(self, net: MLP) -> LocalJacobians:
        """Every factor of the chain built on ``net``'s forward pass of ``X``, after the batch mean."""
        trace = net.forward(self.X)
        stacks = batch_factors(net, trace, self.T, self.wrt, self.loss, "per_example")
        arrays = tuple(stack.array for stack in stacks[1:])
        return LocalJacobians(net, trace, tuple(net_factors(net, self.wrt)), arrays, stacks[0].array)

    def contract(self, local: LocalJacobians) -> Array:
        """The chain multiplied out left to right, the batch summed at the parameter."""
        assert local.weights is not None
        stacks = [BatchedJacobian(local.weights, (), (), MEAN, shared_output=True)]
        for factor, array in zip(local.factors, local.arrays, strict=True):
            stacks.append(BatchedJacobian(array, factor.out_shape, factor.in_shape, factor.name, factor.shared_input))
        return chain_per_example(stacks, method="einsum").array


def close(rtol: float, atol: float) -> Any:
    """``same(a, b)`` for numbers: ``max |a − b| ≤ atol + rtol · max |b|``.

    >>> close(1e-6, 0.0)(np.array([1.0, 1e-9]), np.array([1.0, 0.0]))
    True
    """

    def same(answer: Array, value: Array) -> bool:
        scale = float(np.max(np.abs(value), initial=0.0))
        return float(np.max(np.abs(answer - value), initial=0.0)) <= atol + rtol * scale

    return same


def largest_difference(answer: Array, truth: Array) -> tuple[dict[str, Any], str]:
    """The detail and sentence for an unexplained wrong answer: its largest differing entry (and a ratio, if any).

    >>> detail, sentence = largest_difference(np.array([1.0, 3.0]), np.array([1.0, 2.0]))
    >>> detail["index"], sentence
    ((1,), 'its largest difference from the truth is at entry [1]: 3 where 2 belongs.')
    """
    index = tuple(int(i) for i in np.unravel_index(int(np.argmax(np.abs(answer - truth))), truth.shape))
    detail: dict[str, Any] = {"index": index, "answer": float(answer[index]), "expected": float(truth[index])}
    sentence = (
        f"its largest difference from the truth is at entry {list(index)}: "
        f"{answer[index]:.6g} where {truth[index]:.6g} belongs."
    )
    ratio = _constant_ratio(answer, truth)
    if ratio is not None:
        detail["ratio"] = ratio
        sentence += f" The whole answer is {ratio:.6g} times the truth: a constant factor went wrong."
    return detail, sentence


def entry_by_entry(rtol: float, atol: float) -> Any:
    """``unknown(answer, truth)`` for :func:`~jacobian_bp.answers.verdict.grade`: the largest difference, and
    which entries are right and which are not (each held to ``atol + rtol · max |truth|``).

    >>> detail, _ = entry_by_entry(1e-6, 0.0)(np.array([1.0, 3.0]), np.array([1.0, 2.0]))
    >>> detail["right_entries"], detail["wrong_entries"]
    ([(0,)], [(1,)])
    """

    def unknown(answer: Array, truth: Array) -> tuple[dict[str, Any], str]:
        detail, sentence = largest_difference(answer, truth)
        bound = atol + rtol * float(np.max(np.abs(truth), initial=0.0))
        right = np.abs(answer - truth) <= bound
        detail["right_entries"] = [tuple(int(i) for i in index) for index in np.argwhere(right)]
        detail["wrong_entries"] = [tuple(int(i) for i in index) for index in np.argwhere(~right)]
        return detail, sentence

    return unknown


def _constant_ratio(answer: Array, truth: Array) -> float | None:
    """``c`` if ``answer ≈ c · truth`` for one constant ``c`` (and the truth has more than one non-zero entry)."""
    if np.count_nonzero(truth) < 2:
        return None  # every answer is a multiple of a single number: saying so teaches nothing
    ratio = float(np.vdot(truth, answer) / np.vdot(truth, truth))
    return ratio if close(1e-6, 0.0)(answer, ratio * truth) else None


def check_answer(
    answer: Any, net: MLP, X: Any, T: Any, wrt: str, loss: str = "mse", *, rtol: float = RTOL, atol: float = ATOL
) -> Verdict:
    """Grade a hand-computed ``∂J/∂wrt``: right or wrong, which classic mistake, where, and the correct value.

    ``answer`` is array-like, in the shape of the parameter ``wrt`` (numerator
    layout; leading axes of length one are ignored, so the notes' row
    ``R^{1×n}`` is fine for a vector). Each mistake of
    :data:`~jacobian_bp.answers.catalogue.MISTAKES` that can occur on this
    network is built into the chain and compared; the answer is correct when
    ``max |answer − truth| ≤ atol + rtol · max |truth|``.

    >>> net = jbp.notes_network()
    >>> X, T = np.array([[1.0, 0.5], [-0.5, 2.0], [0.3, -1.2]]), np.array([1.0, 0.0, 1.0])
    >>> right = jbp.gradient(net, X, T)["W1"]
    >>> jbp.check_answer(right, net, X, T, wrt="W1").correct
    True
    >>> summed = 3 * right  # the sum over the three examples, not their mean
    >>> verdict = jbp.check_answer(summed, net, X, T, wrt="W1")
    >>> verdict.mistake, verdict.detail["factor"]
    ('scale', 3.0)
    >>> jbp.check_answer(right.T, net, X, T, wrt="W1").mistake
    'transposed'
    """
    chains = NumericChains.of(net, X, T, wrt, loss)
    array = as_real_array(answer, "answer")
    question = f"∂J/∂{display_name(wrt)}"
    truth, _ = build(chains)
    if not np.isfinite(array).all():
        return not_finite(question, array, truth)
    same = close(rtol, atol)
    mistakes = [
        (variant.diagnosis, equals(build(chains, variant)[0], same))
        for variant in variants(net, wrt, chains.X.shape[0])
    ]
    kind = "matrix" if wrt.startswith("W") else "vector"
    reason = f"in numerator layout the gradient of the scalar J has the shape of the {kind} {display_name(wrt)}"
    return grade(question, array, truth, mistakes, same, entry_by_entry(rtol, atol), reason)
