"""Diagnosis by edit: a wrong answer one or two edits of the chain away from the truth, named as those edits.

An *edit* is one change a hand derivation makes to the chain of local Jacobians
(:mod:`jacobian_bp.answers.variants`): a factor left out or taken twice, a
quantity replaced by its neighbour of the same kind, the sign, a constant
factor, the batch cut short or mispaired. :func:`search` tries every edit,
then — only when none explains the answer — every edit times every constant
(sign, scale, learning rate; a product, so nothing is rebuilt), then every pair
of edits of the chain, at most :data:`MAX_PAIRS` of them. Numbers and formulas
share it: the formula checker evaluates a formula at random points of the
network and runs the very same search there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any, Generic, TypeVar

from jacobian_bp.answers.variants import Variant
from jacobian_bp.answers.verdict import Diagnosis

#: Most pairs of chain edits tried for one answer (a 2-3-1 network's batch of 4 has about 500).
MAX_PAIRS = 1_500

#: Keys whose edit multiplies the whole gradient by a constant: as the second edit of a pair, a product.
CONSTANT_KEYS = ("sign", "scale", "learning_rate")

#: Keys whose edits are many (one per pair of units): paired only after every pair of the others, so that
#: they never push an older pair past :data:`MAX_PAIRS`.
LATE_KEYS = ("wrong_unit",)

Value = TypeVar("Value")


@dataclass(frozen=True)
class Multiplier:
    """An edit that multiplies the gradient by ``factor``: the sign, a scale, a learning rate.

    >>> Multiplier(Diagnosis("sign", {}, "t − z for z − t."), -1.0).factor
    -1.0
    """

    diagnosis: Diagnosis
    factor: float


def multipliers(found: Sequence[Variant], learning_rate: float | None = None) -> list[Multiplier]:
    """The constant edits among ``found`` as factors, and the learning rate ``η`` (and ``−η``) if one is given.

    >>> from jacobian_bp.answers.variants import variants
    >>> sorted(m.factor for m in multipliers(variants(jbp.notes_network(), "b2", 1), learning_rate=0.1))
    [-1.0, -0.1, 0.1, 0.5, 2.0]
    """
    found_multipliers = []
    for variant in found:
        key = variant.diagnosis.key
        if key == "sign":
            found_multipliers.append(Multiplier(variant.diagnosis, -1.0))
        elif key == "scale":
            found_multipliers.append(Multiplier(variant.diagnosis, float(variant.diagnosis.detail["factor"])))
    if learning_rate is not None:
        for factor, said in ((learning_rate, "times"), (-learning_rate, "times minus")):
            diagnosis = Diagnosis(
                "learning_rate",
                {"factor": factor},
                f"the answer is the gradient {said} the learning rate η = {learning_rate:g}"
                + (": the update step −η ∂J/∂θ, not the gradient." if factor < 0 else "."),
                "after the chain: the whole gradient scaled",
                hidden="the answer is the gradient scaled by the learning rate (or the update step).",
            )
            found_multipliers.append(Multiplier(diagnosis, factor))
    return found_multipliers


def both(first: Diagnosis, second: Diagnosis) -> Diagnosis:
    """Two edits at once, as one diagnosis that names both.

    >>> one, two = Diagnosis("sign", {"jacobian": "∂J/∂z"}, "t − z."), Diagnosis("scale", {"factor": 4.0}, "a sum.")
    >>> pair = both(one, two)
    >>> pair.key, pair.detail["mistakes"], pair.explanation
    ('two_mistakes', ('sign', 'scale'), 'two mistakes at once: (1) t − z. (2) a sum.')
    """
    detail = {"mistakes": (first.key, second.key), "details": (dict(first.detail), dict(second.detail))}
    where = " and ".join(w for w in (first.where, second.where) if w)
    hidden = f"two mistakes at once: (1) {first.without_truth()} (2) {second.without_truth()}"
    return Diagnosis(
        "two_mistakes", detail, f"two mistakes at once: (1) {first.explanation} (2) {second.explanation}", where, hidden
    )


def compose(first: Variant, second: Variant) -> Variant:
    """Both variants' changes, the first's made first, named by :func:`both`."""
    return _changes(both(first.diagnosis, second.diagnosis), first, second)


def _changes(diagnosis: Diagnosis, first: Variant, second: Variant) -> Variant:
    """Both variants' changes, the first's made first, under ``diagnosis``."""

    def chained(f: Callable[[Any], Any] | None, g: Callable[[Any], Any] | None) -> Callable[[Any], Any] | None:
        if f is None or g is None:
            return f or g
        return lambda value: g(f(value))

    return Variant(
        diagnosis,
        chained(first.network, second.network),
        chained(first.local, second.local),
        chained(first.layout, second.layout),
    )


@dataclass
class Search(Generic[Value]):
    """One answer against the edits of one chain.

    ``value(variant)`` builds the gradient with that edit; ``matches(value)``
    says whether the answer is it; ``times(value, c)`` scales a value.
    """

    value: Callable[[Variant], Value]
    matches: Callable[[Value], bool]
    times: Callable[[Value, float], Value]
    truth: Value
    #: How two edits are made at once (``None``: they cannot be, as a formula edit with a chain edit);
    #: by default :func:`compose`.
    combine: Callable[[Variant, Variant], Variant | None] | None = None

    def run(self, found: Sequence[Variant], learning_rate: float | None = None) -> tuple[Diagnosis, ...]:
        """Every single edit that explains the answer; else every pair (edit and constant, or two edits)."""
        constants = multipliers(found, learning_rate)
        singles = []
        values: dict[int, Value] = {}
        for i, variant in enumerate(found):
            values[i] = self.value(variant)
            if self.matches(values[i]):
                singles.append(variant.diagnosis)
        singles += [m.diagnosis for m in constants if m.diagnosis.key == "learning_rate" and self._scaled(m)]
        if singles:
            return tuple(singles)
        structural = [i for i, v in enumerate(found) if v.diagnosis.key not in CONSTANT_KEYS]
        pairs = [
            both(found[i].diagnosis, m.diagnosis)
            for i in structural
            for m in constants
            if self.matches(self.times(values[i], m.factor))
        ]
        pairs += [
            both(m.diagnosis, n.diagnosis)
            for m, n in combinations(constants, 2)
            if {m.diagnosis.key, n.diagnosis.key} != {"scale"}
            and self.matches(self.times(self.truth, m.factor * n.factor))
        ]
        if pairs:
            return tuple(pairs)
        tried = 0
        for i, j in sorted(combinations(structural, 2), key=lambda ij: any(self._late(found[k]) for k in ij)):
            if found[i].layout is not None and found[j].layout is not None:
                continue
            tried += 1
            if tried > MAX_PAIRS:
                break
            if self.combine is None:
                # compose's changes, named by both() only when they match: most pairs do not
                pair = _changes(found[i].diagnosis, found[i], found[j])
                if self.matches(self.value(pair)):
                    pairs.append(both(found[i].diagnosis, found[j].diagnosis))
                continue
            combined = self.combine(found[i], found[j])
            if combined is not None and self.matches(self.value(combined)):
                pairs.append(combined.diagnosis)
        return tuple(pairs)

    @staticmethod
    def _late(variant: Variant) -> bool:
        return variant.diagnosis.key in LATE_KEYS

    def _scaled(self, multiplier: Multiplier) -> bool:
        return self.matches(self.times(self.truth, multiplier.factor))
