"""The structure of a Jacobian: which of its entries can be non-zero (notes §4–6).

An element-wise activation's Jacobian is diagonal, ``∂a/∂W`` holds ``x`` only
in the blocks ``δ_ik`` (block-sparse), a batch's full Jacobian is zero between
different examples (block-diagonal). This module is the one place that tells a
structure from the values (:func:`block_structures`), says how many entries a
structure allows to be non-zero (:func:`structurally_nonzero`), and which
kernel pattern the structured contraction uses for it (:func:`pattern`).
"""

from __future__ import annotations

import math

import numpy as np

Array = np.ndarray
Shape = tuple[int, ...]

#: Every structure a Jacobian can have, most specific first.
STRUCTURES = (
    "zero",
    "identity",
    "scalar",
    "diagonal",
    "block-sparse",
    "block-diagonal",
    "sparse",
    "dense",
)

#: The patterns a structured contraction multiplies by (a coarsening of :data:`STRUCTURES`).
PATTERNS = ("identity", "diagonal", "block-sparse", "dense")


def nonzero_mask(array: Array) -> Array:
    """Boolean array: which entries are not exactly zero (works for SymPy object arrays too).

    >>> nonzero_mask(np.array([0.0, 2.0]))
    array([False,  True])
    """
    if array.dtype == object:
        return np.vectorize(lambda entry: entry != 0, otypes=[bool])(array)
    return array != 0


def ones_mask(array: Array) -> Array:
    """Boolean array: which entries are exactly one.

    >>> ones_mask(np.array([1.0, 2.0]))
    array([ True, False])
    """
    if array.dtype == object:
        return np.vectorize(lambda entry: entry == 1, otypes=[bool])(array)
    return array == 1


def is_weight_like(out_shape: Shape, in_shape: Shape) -> bool:
    """Shaped like ``∂a/∂W``: output ``(…, m)``, input ``(m, n)``.

    >>> is_weight_like((3,), (3, 2)), is_weight_like((3,), (3,))
    (True, False)
    """
    return len(in_shape) == 2 and out_shape[-1:] == in_shape[:1]


def _nothing_outside(nonzero: Array, view_shape: Shape, allowed: str) -> Array:
    """Per block: is every non-zero entry where ``allowed`` (an einsum diagonal, e.g. ``"pii->pi"``) says?

    The allowed entries of a copy of the mask are cleared through a writeable
    einsum view of them, and whatever is left marks an entry outside the pattern.
    """
    outside = nonzero.reshape(view_shape).copy()
    np.einsum(allowed, outside)[...] = False
    return ~outside.reshape(len(outside), -1).any(axis=1)


def block_structures(array: Array, out_shape: Shape, in_shape: Shape) -> Array:
    """The structure of every block of a stack ``(N,) + out_shape + in_shape``: one name of :data:`STRUCTURES` each.

    One pass over the values per pattern, no loop over blocks.

    >>> blocks = np.stack([np.eye(2), np.diag([0.0, 3.0]), np.ones((2, 2)), np.zeros((2, 2))])
    >>> block_structures(blocks, (2,), (2,)).tolist()
    ['identity', 'diagonal', 'dense', 'zero']
    """
    size, rows, cols = len(array), math.prod(out_shape), math.prod(in_shape)
    nonzero = nonzero_mask(array).reshape(size, rows * cols)
    counts = nonzero.sum(axis=1)
    structures = np.where(counts <= rows * cols / 2, "sparse", "dense").astype(object)
    # A batch Jacobian: out (N, A...), in (N, B...), zero between different examples.
    if len(out_shape) >= 2 and len(in_shape) >= 2 and out_shape[0] == in_shape[0]:
        view = (size, out_shape[0], rows // out_shape[0], out_shape[0], cols // out_shape[0])
        structures[_nothing_outside(nonzero, view, "pnanb->pnab")] = "block-diagonal"
    # ∂a/∂W: out (..., m), in (m, n), zero unless the unit index matches the weight's row.
    if is_weight_like(out_shape, in_shape):
        m, n = in_shape
        structures[_nothing_outside(nonzero, (size, rows // m, m, m, n), "plkkj->plkj")] = "block-sparse"
    if rows == cols:
        on_diagonal = _nothing_outside(nonzero, (size, rows, cols), "pii->pi")
        ones = ones_mask(np.diagonal(array.reshape(size, rows, cols), axis1=1, axis2=2)).all(axis=1)
        structures[on_diagonal] = "scalar" if rows == 1 else "diagonal"
        structures[on_diagonal & ones] = "identity"
    structures[counts == 0] = "zero"
    return structures


def structure_of(array: Array, out_shape: Shape, in_shape: Shape) -> str:
    """The structure of one Jacobian's array.

    >>> x = np.array([0.5, -1.0])
    >>> structure_of(np.einsum("ik,j->ikj", np.eye(3), x), (3,), (3, 2))
    'block-sparse'
    """
    return str(block_structures(array[None], out_shape, in_shape)[0])


def structurally_nonzero(structure: str, out_shape: Shape, in_shape: Shape) -> int:
    """How many entries of one Jacobian with this structure the structure allows to be non-zero.

    An activation's diagonal allows ``n`` of ``n²``; ``∂a/∂W``'s δ·x pattern ``m·n``
    of ``m·m·n``; a batch's block-diagonal one block per example. ``zero``,
    ``sparse`` and ``dense`` claim no pattern: every entry may be non-zero.

    >>> structurally_nonzero("diagonal", (3,), (3,)), structurally_nonzero("block-sparse", (3,), (3, 2))
    (3, 6)
    """
    stored = math.prod(out_shape) * math.prod(in_shape)
    if structure in ("zero", "sparse", "dense"):
        # An all-zero array may be zero only by its values (a gradient that happens to vanish).
        return stored
    if structure in ("identity", "diagonal", "scalar"):
        return math.prod(out_shape)
    if structure == "block-sparse":
        return math.prod(out_shape) * in_shape[1]
    if structure == "block-diagonal":
        return stored // out_shape[0]
    raise ValueError(f"unknown structure {structure!r}; valid choices are {STRUCTURES}")


def pattern(structure: str, out_shape: Shape, in_shape: Shape) -> str:
    """The pattern of :data:`PATTERNS` a structured contraction multiplies by.

    A ``scalar`` (a 1×1 block other than 1) is diagonal; an all-zero block gets
    the most specific pattern its shape allows.

    >>> pattern("scalar", (1,), (1,)), pattern("zero", (3,), (3, 2)), pattern("sparse", (2,), (3,))
    ('diagonal', 'block-sparse', 'dense')
    """
    if structure in ("identity", "diagonal", "block-sparse"):
        return structure
    if structure == "scalar":
        return "diagonal"
    if structure == "zero":
        if math.prod(out_shape) == math.prod(in_shape):
            return "diagonal"
        if is_weight_like(out_shape, in_shape):
            return "block-sparse"
    return "dense"
