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
import textwrap
from typing import Any

import numpy as np

from jacobian_bp.chain.structure import nonzero_mask, structurally_nonzero, structure_of
from jacobian_bp.display.latex import MAX_LATEX_ENTRIES, jacobian_html, jacobian_latex
from jacobian_bp.display.words import TEXT_WIDTH
from jacobian_bp.errors import InputTypeError, ShapeError

Shape = tuple[int, ...]

_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_NAME = re.compile(r"^∂(?P<num>[^/]+)/∂(?P<den>[^/]+)$")


def superscript(k: int) -> str:
    """Write a layer index as a superscript, as the notes do.

    >>> "W" + superscript(12)
    'W¹²'
    """
    return str(k).translate(_SUPERSCRIPT)


def subscript(*indices: int) -> str:
    """1-based unit indices as a subscript, as the notes write ``w¹₁₂``; commas only when an index has two digits.

    >>> subscript(1, 2), subscript(10, 2), subscript()
    ('₁₂', '₁₀,₂', '')
    """
    separator = "," if any(i > 9 for i in indices) else ""
    return separator.join(str(i) for i in indices).translate(_SUBSCRIPT)


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


def space_notation(out_shape: Shape, in_shape: Shape) -> str:
    """The space of a Jacobian from ``in_shape`` to ``out_shape``, as the notes write it.

    >>> space_notation((3,), (3, 2))
    'R^{3×(3×2)}'
    """
    return f"R^{{{shape_notation(out_shape)}×{shape_notation(in_shape)}}}"


class EntryCounts:
    """Entry counts of anything that holds its numbers in ``self.array`` (a Jacobian, a stack of them)."""

    array: np.ndarray
    out_shape: Shape
    in_shape: Shape

    @property
    def structure(self) -> str:  # pragma: no cover - each class says how it sees its pattern
        raise NotImplementedError

    #: Leading axes that stack examples: ``()`` for one Jacobian, ``(N,)`` for a stack of ``N``.
    batch_axes: Shape = ()
    #: A stack whose input is the same for every example (a parameter): chaining into it sums the batch.
    shared_input: bool = False
    #: A stack whose output is the same for every example (the batch loss ``J``).
    shared_output: bool = False

    def _store(self, array: Any, out_shape: Shape, in_shape: Shape, name: str, stacked: bool) -> None:
        """Check and keep the array, its shapes and its name; a stack has one more leading axis, ``N``."""
        array = np.asarray(array)
        what = "a batched Jacobian" if stacked else "a Jacobian"
        if array.dtype.kind not in "biuf" and array.dtype != object:
            raise InputTypeError(f"{what} holds real numbers, got dtype {array.dtype} for {name}")
        out_shape, in_shape = tuple(map(int, out_shape)), tuple(map(int, in_shape))
        if stacked and (array.ndim < 1 or array.shape[1:] != out_shape + in_shape):
            raise ShapeError(
                f"{name}: a stack of per-example Jacobians needs shape (N,) + out_shape {out_shape} + "
                f"in_shape {in_shape}; got an array of shape {array.shape}"
            )
        if not stacked and array.shape != out_shape + in_shape:
            raise ShapeError(
                f"{name}: array of shape {array.shape} does not match "
                f"out_shape {out_shape} + in_shape {in_shape} = {out_shape + in_shape}"
            )
        self.array, self.out_shape, self.in_shape, self.name = array, out_shape, in_shape, name

    @property
    def matrix(self) -> np.ndarray:
        """The flattened form, ``batch_axes + (prod(out_shape), prod(in_shape))`` (C order)."""
        return self.array.reshape(*self.batch_axes, math.prod(self.out_shape), math.prod(self.in_shape))

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
        self._store(array, out_shape, in_shape, name, stacked=False)

    @classmethod
    def _checked(cls, array: np.ndarray, out_shape: Shape, in_shape: Shape, name: str) -> Jacobian:
        """A Jacobian whose array the package has just computed with the right shape: kept without checking it."""
        jacobian = cls.__new__(cls)
        jacobian.array, jacobian.out_shape, jacobian.in_shape, jacobian.name = array, out_shape, in_shape, name
        return jacobian

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
    def notation(self) -> str:
        """The space the Jacobian lives in, written as the notes do, e.g. ``R^{3×(3×2)}``."""
        return space_notation(self.out_shape, self.in_shape)

    @property
    def structure(self) -> str:
        """What the non-zero pattern looks like.

        One of :data:`~jacobian_bp.chain.structure.STRUCTURES`: ``diagonal`` is an
        element-wise activation's Jacobian, ``block-sparse`` the ``δ_ik · x_j``
        pattern of ``∂a/∂W``, ``block-diagonal`` a batch of independent
        per-example blocks.
        """
        return structure_of(self.array, self.out_shape, self.in_shape)

    def to_latex(
        self, layout: str = "stacked", label: bool = True, precision: int = 4, max_entries: int = MAX_LATEX_ENTRIES
    ) -> str:
        r"""LaTeX for the Jacobian, numeric or symbolic (see :func:`jacobian_bp.display.latex.jacobian_latex`).

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

    def __str__(self) -> str:
        """Its name, space and structure, then its entries as numpy prints them, within 79 columns.

        >>> print(Jacobian(np.array([[0.25, 0.0], [0.0, 0.1875]]), (2,), (2,), "∂h¹/∂a¹"))
        ∂h¹/∂a¹ ∈ R^{2×2}, diagonal
        [[0.25   0.    ]
         [0.     0.1875]]
        """
        head = f"{self.name} ∈ {self.notation}, {self.structure}"
        entries = np.array2string(np.asarray(self.array), max_line_width=TEXT_WIDTH)
        if self.array.dtype == object and max(len(line) for line in entries.splitlines()) > TEXT_WIDTH:
            # Formulas too long for numpy's grid: one entry a line, under its index, wrapped.
            entries = "\n".join(
                textwrap.fill(f"{list(index)}  {value}", TEXT_WIDTH, subsequent_indent="    ")
                for index, value in np.ndenumerate(self.array)
            )
        return f"{head}\n{entries}"
