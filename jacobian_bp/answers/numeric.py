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

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from jacobian_bp.answers.edits import Search
from jacobian_bp.answers.precision import MIN_DIGITS, at_precision, given_numbers
from jacobian_bp.answers.variants import MEAN, LocalJacobians, Variant, build, variants
from jacobian_bp.answers.verdict import Diagnosis, Verdict, equals, grade, not_finite
from jacobian_bp.chain.batch import BatchedJacobian, batch_factors, chain_per_example
from jacobian_bp.chain.factors import net_factors
from jacobian_bp.chain.jacobian_chain import display_name
from jacobian_bp.methods.gradient import prepare
from jacobian_bp.network.losses import Loss
from jacobian_bp.network.mlp import MLP, parse_param_name

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
    #: The first chain contracted and its running rows (see :meth:`contract`): ``[local, rows]`` once set.
    _reference: list[Any] = field(default_factory=list, init=False, repr=False, compare=False)

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
        """The chain multiplied out left to right, the batch summed at the parameter.

        The engine's :func:`~jacobian_bp.chain.batch.chain_per_example` does this with
        one labelled Jacobian per factor; an edit search contracts hundreds of chains, so
        this is the same product on the flattened per-example matrices
        (``g ← g · A`` per example, then ``Σ_p`` of the weighted rows), checked
        against the engine in the tests.

        An edit changes one or two factors and shares the others with the chain it
        edits, so the running rows of the first chain contracted are kept: a chain
        whose weights and first factors are those very arrays starts from the row
        they lead to (the same numbers, computed once).

        >>> chains = NumericChains.of(jbp.notes_network(), [[1.0, 0.5], [0.0, 1.0]], [1.0, 0.0], "W1", "mse")
        >>> local = chains.local_jacobians(chains.net)
        >>> bool(np.allclose(chains.contract(local), chains.contract_by_engine(local), rtol=1e-13))
        True
        >>> edited = local.changed(4, lambda a: 2 * a)  # starts from the row of the first four factors
        >>> bool(np.allclose(chains.contract(edited), 2 * chains.contract(local), rtol=1e-13))
        True
        """
        assert local.weights is not None
        arrays, start = local.arrays, 0
        if self._reference and self._reference[0].weights is local.weights:
            shared, rows = self._reference[0].arrays, self._reference[1]
            while start < len(arrays) and arrays[start] is shared[start]:
                start += 1
            row = rows[start]
        else:
            rows = [np.asarray(local.weights, dtype=float)[:, None, None]]
            row = rows[0]
        for array in arrays[start:]:
            # (N, 1, o) @ (N, o, i): each example's row times its factor's matrix form
            row = np.matmul(row, array.reshape(array.shape[0], row.shape[-1], -1))
            if not self._reference:
                rows.append(row)
        if not self._reference:
            self._reference[:] = [local, rows]
        return row.sum(axis=0).reshape(local.factors[-1].in_shape)

    def contract_by_engine(self, local: LocalJacobians) -> Array:
        """:meth:`contract` through the engine's batched chain (the reference it is tested against)."""
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
        # ndarray.max, not np.max: an edit search compares hundreds of values per answer
        difference = np.abs(answer - value)
        worst = float(difference.max()) if difference.size else 0.0
        scale = float(np.abs(value).max()) if value.size else 0.0
        return worst <= atol + rtol * scale

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
    answer: Any,
    net: MLP,
    X: Any,
    T: Any,
    wrt: str,
    loss: str = "mse",
    *,
    rtol: float = RTOL,
    atol: float = ATOL,
    learning_rate: float | None = None,
) -> Verdict:
    """Grade a hand-computed ``∂J/∂wrt``: right or wrong, which mistake (or two), where, and the correct value.

    ``answer`` is array-like, in the shape of the parameter ``wrt`` (numerator
    layout; leading axes of length one are ignored, so the notes' row
    ``R^{1×n}`` is fine for a vector), or :class:`~jacobian_bp.answers.precision.GivenNumbers`
    read from text by :func:`~jacobian_bp.answers.precision.read_numbers`. It is
    correct when ``max |answer − truth| ≤ atol + rtol · max |truth|``, or when
    it carries fewer digits (a hand-rounded answer, see
    :mod:`~jacobian_bp.answers.precision`) and every entry agrees with the truth
    to its last digit. A wrong answer is compared with every edit of the chain
    (:mod:`~jacobian_bp.answers.edits`), then with every pair of edits;
    ``learning_rate`` adds the edit "times η".

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
    >>> verdict = jbp.check_answer(-summed, net, X, T, wrt="W1")  # two slips: the sign and the sum
    >>> verdict.mistake, verdict.detail["mistakes"]
    ('two_mistakes', ('sign', 'scale'))
    >>> print(jbp.check_answer(np.round(right, 4), net, X, T, wrt="W1").notes[0])
    checked to 3 significant digits, as given
    """
    chains = NumericChains.of(net, X, T, wrt, loss)
    given = given_numbers(answer)
    array = given.values
    question = f"∂J/∂{display_name(wrt)}"
    truth, _ = build(chains)
    if not np.isfinite(array).all():
        return not_finite(question, array, truth)
    digits = given.digits
    same = close(rtol, atol) if digits is None else at_precision(given.resolution, rtol, atol)
    found = variants(net, wrt, chains.X.shape[0])

    def value(variant: Variant) -> Array:
        return build(chains, variant)[0]

    def further(candidate: Array) -> tuple[Diagnosis, ...]:
        search = Search(value, lambda v: equals(v, same)(candidate), lambda v, c: v * c, truth)
        return search.run(found, learning_rate)

    kind = "matrix" if wrt.startswith("W") else "vector"
    reason = f"in numerator layout the gradient of the scalar J has the shape of the {kind} {display_name(wrt)}"
    verdict = grade(question, array, truth, [], same, entry_by_entry(rtol, atol), reason, further)
    if digits is None:
        return verdict
    full = close(rtol, atol)

    def alike() -> list[Diagnosis]:
        """The mistakes the answer is at its precision, among those that change the gradient on this network."""
        return [v.diagnosis for v in found if equals(value(v), same)(array) and not equals(truth, full)(value(v))]

    return with_precision(verdict, digits, alike)


def with_precision(verdict: Verdict, digits: int, alike: Callable[[], list[Diagnosis]]) -> Verdict:
    """A verdict on a rounded answer: says to how many digits it was checked, and refuses to call it correct
    when it carries fewer than :data:`~jacobian_bp.answers.precision.MIN_DIGITS` digits or when a mistake
    (``alike()``: the mistakes the answer equals at its precision) is as close as the truth.

    >>> net = jbp.notes_network()
    >>> right = jbp.gradient(net, [1.0, 0.5], 1.0)["b2"]
    >>> verdict = jbp.check_answer(np.round(right, 2), net, [1.0, 0.5], 1.0, wrt="b2")
    >>> verdict.correct, verdict.mistake, verdict.detail["digits"]
    (False, 'too_few_digits', 2)
    """
    note = f"checked to {digits} significant digits, as given"
    if not verdict.correct:
        return dataclasses.replace(verdict, notes=(*verdict.notes, note))
    if digits < MIN_DIGITS:
        sentence = (
            f"the answer carries {digits} significant digit{'s' if digits > 1 else ''}, too few to tell it from a "
            f"mistake: give at least {MIN_DIGITS}."
        )
        return _too_few(verdict, {"digits": digits, "also": ()}, sentence, note)
    others = alike()
    if not others:
        return dataclasses.replace(verdict, notes=(*verdict.notes, note))
    names = ", ".join(d.key for d in others)
    sentence = (
        f"at {digits} significant digits the answer is both the truth and what this mistake gives: {names}; "
        "it cannot tell them apart — give more digits."
    )
    return _too_few(verdict, {"digits": digits, "also": tuple(d.key for d in others)}, sentence, note)


def _too_few(verdict: Verdict, detail: dict[str, Any], sentence: str, note: str) -> Verdict:
    diagnosis = Diagnosis("too_few_digits", detail, sentence, hidden=sentence)
    return dataclasses.replace(
        verdict,
        correct=False,
        mistake="too_few_digits",
        detail=detail,
        candidates=(diagnosis,),
        explanation=sentence,
        hidden=sentence,
        notes=(*verdict.notes, note),
    )
