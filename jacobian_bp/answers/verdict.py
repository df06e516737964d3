"""A graded answer: :class:`Verdict`, and :func:`grade`, which compares an answer with the truth and with mistakes.

Both checkers — numbers (:mod:`jacobian_bp.answers.numeric`) and formulas
(:mod:`jacobian_bp.symbolic.answers`) — work the same way: build the correct
value, build the value each catalogue mistake would give, and see which of them
the answer equals. They differ only in what "equals" means (a tolerance, or a
difference that simplifies to zero), so :func:`grade` takes that as an argument.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from jacobian_bp.answers.layout import has_shape, read_as, shape_text, transposed
from jacobian_bp.display import html as html_view

Array = np.ndarray

#: What ``J⁽ᵖ⁾`` means, said wherever a verdict writes the chain of a batch.
PER_EXAMPLE = "J⁽ᵖ⁾ is the loss of example p alone; J = (1/N) Σₚ J⁽ᵖ⁾ is their mean over the batch of N"


@dataclass(frozen=True)
class Diagnosis:
    """One catalogue mistake that explains an answer: its key, its detail, and two sentences for a student.

    ``explanation`` says what the answer did; ``where`` says where in the chain it
    departs from the truth.

    >>> d = Diagnosis("sign", {"jacobian": "∂J/∂z"}, "∂J/∂z was taken as t − z.", "at ∂J/∂z")
    >>> d.key, d.detail["jacobian"]
    ('sign', '∂J/∂z')
    """

    key: str
    detail: Mapping[str, Any]
    explanation: str
    where: str = ""
    #: What is wrong without any correct value (no number, formula or shape of the truth), for
    #: :meth:`Verdict.report` with ``reveal=False``; "" falls back to the catalogue's line for ``key``.
    hidden: str = ""

    def without_truth(self) -> str:
        """:attr:`hidden`, or the catalogue's one line for the key: what is wrong, giving away no correct value.

        >>> Diagnosis("sign", {}, "t − z where z − t = 0.3 belongs").without_truth()
        'the negative of the gradient: t − z where the loss derivative is z − t'
        """
        from jacobian_bp.answers.catalogue import MISTAKES

        return self.hidden or MISTAKES.get(self.key, self.key)


@dataclass(frozen=True)
class Verdict:
    """The grade of one answer: right or wrong, which mistake, where, and the correct value.

    ``mistake`` is ``None`` for a correct answer and otherwise a key of
    :data:`~jacobian_bp.answers.catalogue.MISTAKES` (``"unknown"`` when no entry
    explains the answer); ``detail`` holds what the mistake concerns — the
    ``layer``, the local Jacobian (``jacobian``), the ``example``, the scale
    ``factor``, shapes — and ``candidates`` every catalogue mistake that explains
    the answer, the one in ``mistake`` first (more than one when several give the
    same value). ``str(verdict)`` is the report a student reads.

    >>> net = jbp.notes_network()
    >>> right = jbp.gradient(net, [1.0, 0.5], 1.0)["W2"]
    >>> verdict = jbp.check_answer(-right, net, [1.0, 0.5], 1.0, wrt="W2")
    >>> verdict.correct, verdict.mistake, [c.key for c in verdict.candidates]
    (False, 'sign', ['sign'])
    >>> verdict
    Verdict(∂J/∂W²: not correct, sign)
    >>> print(verdict)  # doctest: +ELLIPSIS
    ∂J/∂W²: not correct (sign).
    What is wrong: ∂J/∂z was taken as t − z instead of z − t, which flips the sign of the whole gradient.
    Where it departs: [∂J/∂z] · ∂z/∂a² · ∂a²/∂W²
    The correct value:
      [[-0.070563 -0.090649 -0.061008]]
    """

    correct: bool
    mistake: str | None
    detail: Mapping[str, Any]
    candidates: tuple[Diagnosis, ...]
    #: What was asked, e.g. ``"∂J/∂W¹"``.
    question: str
    #: The correct value: an array of numbers, or SymPy expressions.
    expected: Any = field(repr=False, default=None)
    #: What is wrong, in a sentence ("" when correct).
    explanation: str = ""
    #: Where the answer departs from the truth ("" when correct or unknown).
    where: str = ""
    #: What is wrong, giving away no correct value (see :meth:`report`); "" falls back to the catalogue's line.
    hidden: str = ""
    #: Lines printed under the verdict's first line whatever ``reveal`` says: how the answer was read, at what
    #: precision it was checked.
    notes: tuple[str, ...] = ()
    #: The correct value as the question writes it (a formula in the notes' notation); "" prints ``expected``.
    shown: str = ""

    def __repr__(self) -> str:
        if self.correct:
            return f"Verdict({self.question}: correct)"
        others = f", also {', '.join(c.key for c in self.candidates[1:])}" if len(self.candidates) > 1 else ""
        return f"Verdict({self.question}: not correct, {self.mistake}{others})"

    def _repr_html_(self) -> str:
        """In a notebook: the verdict, what is wrong, where in the chain, and the correct value."""
        if self.correct:
            return f"<p>✅ <b>{html.escape(self.question)}</b>: correct.</p>"
        rows = [["mistake", self.mistake], ["what is wrong", self.explanation]]
        rows += [["where it departs", self.where]] if self.where else []
        rows += [["also explained by", c.key + " — " + c.explanation] for c in self.candidates[1:]]
        value = self.shown or format_value(self.expected)
        rows += [["the correct value", html_view.raw(f"<pre>{html.escape(value)}</pre>")]]
        return html_view.table(["", ""], rows, caption=f"✗ {self.question}: not correct")

    def __str__(self) -> str:
        return self.report(reveal=True)

    def report(self, reveal: bool = True) -> str:
        """The report a student reads; with ``reveal=False`` it holds no correct value.

        ``reveal=False`` keeps what is wrong and where in the chain, but no number,
        formula or shape of the truth: for a student who should try again.

        >>> net = jbp.notes_network()
        >>> right = jbp.gradient(net, [1.0, 0.5], 1.0)["W2"]
        >>> print(jbp.check_answer(-right, net, [1.0, 0.5], 1.0, wrt="W2").report(reveal=False))
        ∂J/∂W²: not correct (sign).
        What is wrong: the negative of the gradient: t − z where the loss derivative is z − t
        Where it departs: [∂J/∂z] · ∂z/∂a² · ∂a²/∂W²
        """
        if self.correct:
            return "\n".join([f"{self.question}: correct.", *self.notes])
        lines = [f"{self.question}: not correct ({self.mistake}).", *self.notes]
        explanation = self.explanation if reveal else self.without_truth()
        lines.append(f"What is wrong: {explanation}")
        if self.where:
            lines.append(f"Where it departs: {self.where}")
        if "J⁽ᵖ⁾" in self.where:
            lines.append(f"  ({PER_EXAMPLE})")
        others = [c for c in self.candidates[1:]]
        if others:
            said = [f"{c.key} — {c.explanation if reveal else c.without_truth()}" for c in others]
            lines.append("Also explained by: " + "; ".join(said))
        if reveal:
            lines.append("The correct value:")
            lines.extend("  " + line for line in (self.shown or format_value(self.expected)).splitlines())
        return "\n".join(lines)

    def without_truth(self) -> str:
        """What is wrong, giving away no correct value: :attr:`hidden`, or the catalogue's line for the mistake."""
        if self.hidden:
            return self.hidden
        first = self.candidates[0] if self.candidates else Diagnosis(self.mistake or "", {}, "")
        return first.without_truth()


def format_value(value: Any) -> str:
    """Numbers to six significant digits; formulas as SymPy prints them.

    >>> print(format_value(np.array([[0.5, -0.25]])))
    [[ 0.5  -0.25]]
    """
    array = np.asarray(value, dtype=object if _holds_objects(value) else None)
    if array.dtype == object:
        return str(value if array.ndim == 0 else array.tolist())
    return np.array2string(np.asarray(value, dtype=float), precision=6, suppress_small=False, max_line_width=100)


def _holds_objects(value: Any) -> bool:
    if isinstance(value, np.ndarray):
        return value.dtype == object
    return not isinstance(value, (int, float, list, tuple))


# ---------------------------------------------------------------------------------------------
# Grading: the truth, then every mistake, then what is left.

#: ``same(answer, value)``: whether an answer (already in the value's shape) equals a value.
Same = Callable[[Array, Array], bool]
#: Whether an answer (in any shape) is what one mistake gives.
Matches = Callable[[Array], bool]
#: ``unknown(answer, truth)``: the detail and the sentence for a wrong answer no mistake explains.
Unknown = Callable[[Array, Array], tuple[dict[str, Any], str]]


def grade(
    question: str,
    answer: Array,
    truth: Array,
    mistakes: Iterable[tuple[Diagnosis, Matches]],
    same: Same,
    unknown: Unknown,
    shape_reason: str = "",
    further: Callable[[Array], tuple[Diagnosis, ...]] | None = None,
) -> Verdict:
    """Grade ``answer`` against ``truth`` and against each ``(diagnosis, matches)`` of ``mistakes``.

    Correct if it equals the truth (read in the truth's shape, see
    :func:`~jacobian_bp.answers.layout.read_as`); else every mistake that
    ``matches`` it is a candidate, in the order given (:func:`equals` makes the
    usual ``matches``: the answer is the value that mistake gives); else ``wrong_shape`` if
    its shape fits neither the truth nor its transpose (``shape_reason`` says
    why the expected shape is what it is), else ``unknown``.

    >>> same = lambda a, b: bool(np.allclose(a, b))
    >>> unknown = lambda a, b: ({}, "it is something else.")
    >>> twice = (Diagnosis("scale", {"factor": 2.0}, "it is twice the truth."), equals(np.array([2.0, 4.0]), same))
    >>> grade("∂J/∂b", np.array([2.0, 4.0]), np.array([1.0, 2.0]), [twice], same, unknown).mistake
    'scale'
    >>> grade("∂J/∂b", np.array([[1.0, 2.0]]), np.array([1.0, 2.0]), [twice], same, unknown).correct
    True
    """
    fitted = read_as(answer, truth.shape)
    if fitted is not None and same(fitted, truth):
        return Verdict(True, None, {}, (), question, truth)
    matches = tuple(diagnosis for diagnosis, matches in mistakes if matches(answer))
    fits = fitted is not None or read_as(answer, transposed(truth).shape) is not None
    if not matches and further is not None and fits:
        matches = further(answer)
    if matches:
        first = matches[0]
        return Verdict(False, first.key, dict(first.detail), matches, question, truth, first.explanation, first.where)
    if fitted is None and read_as(answer, transposed(truth).shape) is None:
        return wrong_shape(question, answer, truth, shape_reason)
    if fitted is None:  # the transposed layout, but not the transposed truth either
        read_back = transposed(answer.reshape(transposed(truth).shape)).reshape(truth.shape)
        detail, sentence = unknown(read_back, truth)
        sentence = f"it is laid out as the transpose ({shape_text(answer.shape)}), and even read back {sentence}"
    else:
        detail, sentence = unknown(fitted, truth)
    unexplained = Diagnosis("unknown", detail, sentence, hidden=which_entries(detail))
    return Verdict(False, "unknown", detail, (unexplained,), question, truth, sentence)


def which_entries(detail: Mapping[str, Any]) -> str:
    """For an unexplained answer: which entries are right and which are not (indices only, no values), if known.

    >>> which_entries({"right_entries": [(0,)], "wrong_entries": [(1,), (2,)]})
    'no mistake of the catalogue explains it; entries [0] are right, entries [1], [2] are not.'
    >>> which_entries({})
    'no mistake of the catalogue explains it.'
    """
    if "wrong_entries" not in detail or len(detail["wrong_entries"]) + len(detail.get("right_entries", ())) < 2:
        return "no mistake of the catalogue explains it."
    right = ", ".join(str(list(i)) for i in detail.get("right_entries", ()))
    wrong = ", ".join(str(list(i)) for i in detail["wrong_entries"])
    right_said = f"entries {right} are right, " if right else "no entry is right; "
    return f"no mistake of the catalogue explains it; {right_said}entries {wrong} are not."


def equals(value: Array, same: Same) -> Matches:
    """The test "the answer is ``value``": same layout (:func:`~jacobian_bp.answers.layout.read_as`) and ``same``.

    >>> equals(np.array([1.0, 2.0]), lambda a, b: bool(np.allclose(a, b)))(np.array([[1.0, 2.0]]))
    True
    """

    def matches(answer: Array) -> bool:
        fitted = read_as(answer, np.shape(value))
        return fitted is not None and same(fitted, np.asarray(value))

    return matches


def wrong_shape(question: str, answer: Array, truth: Array, reason: str = "") -> Verdict:
    """The verdict for an answer whose shape fits neither the expected one nor its transpose.

    >>> print(wrong_shape("∂J/∂W¹", np.zeros((3, 3)), np.zeros((3, 2)), "it has the shape of W¹").explanation)
    the answer has shape 3×3, but ∂J/∂W¹ has shape 3×2: it has the shape of W¹.
    """
    detail = {"shape": tuple(answer.shape), "expected_shape": tuple(truth.shape)}
    sentence = f"the answer {has_shape(answer.shape)}, but {question} {has_shape(truth.shape)}"
    sentence += f": {reason}." if reason else "."
    hidden = (
        f"the answer {has_shape(answer.shape)}, which is neither the shape {question} has in numerator layout "
        "nor its transpose."
    )
    diagnosis = Diagnosis("wrong_shape", detail, sentence, hidden=hidden)
    return Verdict(False, "wrong_shape", detail, (diagnosis,), question, truth, sentence)


def not_finite(question: str, answer: Array, truth: Any) -> Verdict:
    """The verdict for an answer holding NaN or infinity, naming the first such entry.

    >>> not_finite("∂J/∂b²", np.array([np.nan]), np.array([0.1])).detail
    {'index': (0,), 'value': nan}
    """
    index = tuple(int(i) for i in np.argwhere(~np.isfinite(answer))[0])
    detail = {"index": index, "value": float(answer[index])}
    sentence = f"entry {list(index)} of the answer is {answer[index]}; the gradient of a finite loss is finite."
    diagnosis = Diagnosis("not_finite", detail, sentence, hidden=sentence)
    return Verdict(False, "not_finite", detail, (diagnosis,), question, truth, sentence)
