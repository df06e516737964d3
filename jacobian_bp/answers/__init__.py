"""Checking a student's derivation: answers graded, classic mistakes named, where in the chain they depart.

* :data:`~jacobian_bp.answers.catalogue.MISTAKES` — the catalogue, key → one line;
* :class:`~jacobian_bp.answers.verdict.Verdict` — what a check returns;
* :func:`~jacobian_bp.answers.numeric.check_answer` — a numeric ``∂J/∂θ`` graded;
* :mod:`~jacobian_bp.answers.variants` — each mistake as a change to the chain of local Jacobians;
* :mod:`~jacobian_bp.answers.edits` — the search of edits, and of pairs of edits, that explain an answer;
* :func:`~jacobian_bp.answers.precision.read_numbers` — numbers typed as text, each with the digits it carries.

Formulas are graded by :func:`jacobian_bp.symbolic.check_answer`, with the same
catalogue, the same verdicts and the same variants.
"""

from jacobian_bp.answers.catalogue import MISTAKES
from jacobian_bp.answers.numeric import check_answer
from jacobian_bp.answers.precision import GivenNumbers, read_numbers
from jacobian_bp.answers.verdict import Diagnosis, Verdict

__all__ = ["MISTAKES", "Diagnosis", "GivenNumbers", "Verdict", "check_answer", "read_numbers"]
