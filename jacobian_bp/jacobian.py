"""A generalized Jacobian: one array, two shapes, a name.

In numerator layout the Jacobian of ``y`` with respect to ``x`` is an array of
shape ``y.shape + x.shape`` holding ``J[o..., i...] = ∂y[o...] / ∂x[i...]``.
Flattening both groups of axes in C order gives its *matrix form*, of shape
``(y.size, x.size)``: the notes' trick of turning a tensor into a matrix so
that ordinary matrix products can chain it.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from jacobian_bp.errors import InputTypeError, ShapeError
from jacobian_bp.latex import MAX_LATEX_ENTRIES, jacobian_html, jacobian_latex

Shape = tuple[int, ...]

_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_NAME = re.compile(r"^∂(?P<num>[^/]+)/∂(?P<den>[^/]+)$")

#: Every value that :attr:`Jacobian.structure` can take, most specific first.
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


def superscript(k: int) -> str:
    """Write a layer index as a superscript, as the notes do.

    >>> "W" + superscript(12)
    'W¹²'
    """
    return str(k).translate(_SUPERSCRIPT)


def shape_notation(shape: Shape) -> str:
    """The notes' way of writing one group of axes: ``3``, ``(3×2)``, or ``1`` for a scalar.

    >>> shape_notation((3, 2)), shape_notation((3,)), shape_notation(())
    ('(3×2)', '3', '1')
    """
    if len(shape) == 0:
        return "1"
    if len(shape) == 1:
        return str(shape[0])
    return "(" + "×".join(str(n) for n in shape) + ")"


def compose_names(outer: str, inner: str) -> str:
    """Name of ``outer`` chained with ``inner``: ``∂J/∂z`` then ``∂z/∂a²`` gives ``∂J/∂a²``.

    >>> compose_names("∂J/∂z", "∂a¹/∂W¹")
    '∂J/∂W¹'
    >>> compose_names("A", "B")
    'A·B'
    """
    outer_match, inner_match = _NAME.match(outer), _NAME.match(inner)
    if outer_match and inner_match:
        return f"∂{outer_match['num']}/∂{inner_match['den']}"
    return f"{outer}·{inner}"


def nonzero_mask(array: np.ndarray) -> np.ndarray:
    """Boolean array: which entries are not exactly zero (works for SymPy object arrays too).

    >>> nonzero_mask(np.array([0.0, 2.0]))
    array([False,  True])
    """
    if array.dtype == object:
        return np.vectorize(lambda entry: entry != 0, otypes=[bool])(array)
    return array != 0


def space_notation(out_shape: Shape, in_shape: Shape) -> str:
    """The space of a Jacobian from ``in_shape`` to ``out_shape``, as the notes write it.

    >>> space_notation((3,), (3, 2))
    'R^{3×(3×2)}'
    """
    return f"R^{{{shape_notation(out_shape)}×{shape_notation(in_shape)}}}"


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


class EntryCounts:
    """Entry counts of anything that holds its numbers in ``self.array`` (a Jacobian, a stack of them)."""

    array: np.ndarray
    out_shape: Shape
    in_shape: Shape

    @property
    def structure(self) -> str:  # pragma: no cover - each class says how it sees its pattern
        raise NotImplementedError

    @property
    def structural_zero_entries(self) -> int:
        """Stored entries that the structure forces to be zero, whatever the values.

        The rest of :attr:`zero_entries` are zero only by their values (an input
        of exactly 0, a ReLU unit that is off, an output that saturated).
        """
        blocks = self.stored_entries // max(1, math.prod(self.out_shape) * math.prod(self.in_shape))
        return self.stored_entries - blocks * structurally_nonzero(self.structure, self.out_shape, self.in_shape)

    @property
    def stored_entries(self) -> int:
        """How many numbers the materialized array holds."""
        return int(self.array.size)

    @property
    def nonzero_entries(self) -> int:
        """How many of them are not exactly zero."""
        return int(np.count_nonzero(nonzero_mask(self.array)))

    @property
    def zero_entries(self) -> int:
        """How many stored entries are exactly zero: memory spent on nothing."""
        return self.stored_entries - self.nonzero_entries


def _zero_where_indices_differ(nonzero: np.ndarray, axis: int, other_axis: int) -> bool:
    """True when every non-zero entry has equal indices along ``axis`` and ``other_axis``."""
    n = nonzero.shape[axis]
    index = np.arange(n)
    along_axis = index.reshape([n if d == axis else 1 for d in range(nonzero.ndim)])
    along_other = index.reshape([n if d == other_axis else 1 for d in range(nonzero.ndim)])
    return not (nonzero & (along_axis != along_other)).any()


class Jacobian(EntryCounts):
    """A generalized Jacobian ``∂y/∂x`` stored as an array of shape ``out_shape + in_shape``.

    >>> x = np.array([0.5, -1.0])
    >>> d_a_d_W = Jacobian(np.einsum("ik,j->ikj", np.eye(3), x), (3,), (3, 2), "∂a¹/∂W¹")
    >>> d_a_d_W.notation, d_a_d_W.structure, d_a_d_W.matrix.shape
    ('R^{3×(3×2)}', 'block-sparse', (3, 6))
    >>> d_a_d_W.stored_entries, d_a_d_W.nonzero_entries
    (18, 6)
    """

    def __init__(self, array: Any, out_shape: Shape, in_shape: Shape, name: str = "∂y/∂x") -> None:
        array = np.asarray(array)
        if array.dtype.kind not in "biuf" and array.dtype != object:
            raise InputTypeError(f"a Jacobian holds real numbers, got dtype {array.dtype} for {name}")
        out_shape, in_shape = tuple(int(n) for n in out_shape), tuple(int(n) for n in in_shape)
        if array.shape != out_shape + in_shape:
            raise ShapeError(
                f"{name}: array of shape {array.shape} does not match "
                f"out_shape {out_shape} + in_shape {in_shape} = {out_shape + in_shape}"
            )
        self.array = array
        self.out_shape: Shape = out_shape
        self.in_shape: Shape = in_shape
        self.name = name

    @classmethod
    def from_matrix(cls, matrix: Any, out_shape: Shape, in_shape: Shape, name: str = "∂y/∂x") -> Jacobian:
        """Undo the flattening: reshape a ``(y.size, x.size)`` matrix back into the tensor.

        >>> J = Jacobian.from_matrix(np.arange(6.0).reshape(1, 6), (), (3, 2))
        >>> J.array.shape
        (3, 2)
        """
        matrix = np.asarray(matrix)
        expected = (math.prod(out_shape), math.prod(in_shape))
        if matrix.shape != expected:
            raise ShapeError(
                f"{name}: a matrix of shape {matrix.shape} cannot be reshaped to "
                f"out_shape {tuple(out_shape)} + in_shape {tuple(in_shape)}; it needs shape {expected}"
            )
        return cls(matrix.reshape(tuple(out_shape) + tuple(in_shape)), out_shape, in_shape, name)

    @property
    def shape(self) -> Shape:
        """``out_shape + in_shape``, the shape of :attr:`array`."""
        return self.out_shape + self.in_shape

    @property
    def matrix(self) -> np.ndarray:
        """The flattened form, shape ``(prod(out_shape), prod(in_shape))`` (C order)."""
        return self.array.reshape(math.prod(self.out_shape), math.prod(self.in_shape))

    @property
    def notation(self) -> str:
        """The space the Jacobian lives in, written as the notes do, e.g. ``R^{3×(3×2)}``."""
        return space_notation(self.out_shape, self.in_shape)

    @property
    def structure(self) -> str:
        """What the non-zero pattern looks like; one of :data:`STRUCTURES`.

        ``diagonal`` is an element-wise activation's Jacobian, ``block-sparse`` the
        ``δ_ik · x_j`` pattern of ``∂a/∂W``, ``block-diagonal`` a batch of
        independent per-example blocks.
        """
        nonzero = nonzero_mask(self.array)
        if not nonzero.any():
            return "zero"
        matrix_nonzero = nonzero.reshape(self.matrix.shape)
        rows, cols = matrix_nonzero.shape
        if rows == cols and not (matrix_nonzero & ~np.eye(rows, dtype=bool)).any():
            diagonal = np.diagonal(self.matrix)
            if np.vectorize(lambda entry: entry == 1, otypes=[bool])(diagonal).all():
                return "identity"
            return "scalar" if rows == 1 else "diagonal"
        out_rank = len(self.out_shape)
        # ∂a/∂W: out (..., m), in (m, n), zero unless the unit index matches the weight's row.
        weight_like = len(self.in_shape) == 2 and self.out_shape[-1:] == self.in_shape[:1]
        if weight_like and _zero_where_indices_differ(nonzero, out_rank - 1, out_rank):
            return "block-sparse"
        # A batch Jacobian: out (N, ...), in (N, ...), zero between different examples.
        batch_like = out_rank >= 2 and len(self.in_shape) >= 2 and self.out_shape[0] == self.in_shape[0]
        if batch_like and _zero_where_indices_differ(nonzero, 0, out_rank):
            return "block-diagonal"
        if matrix_nonzero.mean() <= 0.5:
            return "sparse"
        return "dense"

    def to_latex(
        self, layout: str = "stacked", label: bool = True, precision: int = 4, max_entries: int = MAX_LATEX_ENTRIES
    ) -> str:
        r"""LaTeX for the Jacobian, numeric or symbolic (see :func:`jacobian_bp.latex.jacobian_latex`).

        ``layout="stacked"`` draws a tensor as the notes do, a column of
        matrices; ``"flattened"`` draws its matrix form with the groups ruled off.

        >>> J = Jacobian(np.einsum("ik,j->ikj", np.eye(2), [1.0, 2.0]), (2,), (2, 2), "∂a¹/∂W¹")
        >>> print(J.to_latex(label=False).replace(r"\begin{bmatrix}", "[").replace(r"\end{bmatrix}", "]"))
        [ [ 1 & 2 \\ 0 & 0 ] \\ [ 0 & 0 \\ 1 & 2 ] ]
        """
        return jacobian_latex(self, layout=layout, label=label, precision=precision, max_entries=max_entries)

    def _repr_latex_(self) -> str | None:
        """What a notebook shows when it prefers LaTeX; ``None`` (plain repr) for a huge Jacobian."""
        return None if self.stored_entries > MAX_LATEX_ENTRIES else f"$${self.to_latex()}$$"

    def _repr_html_(self) -> str | None:
        """What a notebook shows: a caption with notation and structure, and the LaTeX."""
        return jacobian_html(self)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.array if dtype is None else self.array.astype(dtype)

    def __repr__(self) -> str:
        return f"Jacobian({self.name} ∈ {self.notation}, shape {self.shape}, {self.structure})"
