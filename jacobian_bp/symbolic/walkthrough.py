"""The notes' network walked through in symbols: ``jacobian-bp walkthrough --symbolic``.

One sequence of steps, written out three ways: plain text for a terminal,
Markdown (with ``$$`` math) for a notebook or a web page, and a LaTeX
document. Each step is a :class:`Block` that carries both a plain-text and a
LaTeX form, so the three outputs always say the same thing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import sympy

from jacobian_bp.chain.approaches import CHAIN_METHODS
from jacobian_bp.chain.jacobian import Jacobian
from jacobian_bp.chain.jacobian_chain import display_name
from jacobian_bp.display.latex import bmatrix, latex_entries, name_latex, number_latex, product_latex, tex_name
from jacobian_bp.methods.gradient import gradient as numeric_gradient
from jacobian_bp.network import affine
from jacobian_bp.network.mlp import notes_network as numeric_notes_network
from jacobian_bp.symbolic.chain import evaluate, expand_sigmoid, jacobian_chain
from jacobian_bp.symbolic.network import MLP, notes_network
from jacobian_bp.symbolic.printing import latex, pretty_block, to_text

Array = np.ndarray

#: The output formats of :func:`symbolic_walkthrough`.
FORMATS = ("text", "latex", "markdown")


@dataclass(frozen=True)
class Block:
    """One step of the walkthrough: a heading, a paragraph, or a formula — each as text and as LaTeX."""

    kind: str  # "title" | "heading" | "paragraph" | "math"
    text: str
    tex: str


def _heading(title: str, tex: str | None = None) -> Block:
    return Block("heading", title, tex if tex is not None else title)


def _paragraph(text: str, tex: str) -> Block:
    return Block("paragraph", text, tex)


def _column_latex(vector: Array) -> str:
    return bmatrix([[entry] for entry in latex_entries(vector)])


def _matrix_latex(matrix: Array) -> str:
    return bmatrix([list(row) for row in latex_entries(matrix)])


def _parameter_blocks(snet: MLP) -> list[Block]:
    """W¹, b¹, W², b², x, t: matrices as matrices and vectors as columns, as the notes write them."""
    blocks = []
    for name, value in [*snet.params.items(), ("x", snet.x), ("t", snet.t)]:
        display = display_name(name) if name in snet.params else name
        body = _matrix_latex(value) if value.ndim == 2 else _column_latex(value)
        text = pretty_block(value if value.ndim == 2 else value[:, None])
        blocks.append(Block("math", f"{display} =\n" + _indent(text), f"{tex_name(display)} = {body}"))
    return blocks


def _forward_blocks(snet: MLP) -> list[Block]:
    """Each layer's ``a^k = W^k h^{k−1} + b^k`` and ``h^k = f(a^k)``, entry by entry, from the engine's code."""
    blocks = []
    previous = snet.x
    for k in range(1, snet.depth + 1):
        pre_activation = affine.value(snet.params[f"W{k}"], snet.params[f"b{k}"], previous)
        activation = snet.layer_activation(k).value(snet.a[k])
        for kept, value in zip(snet.a[k], pre_activation, strict=True):
            blocks.append(Block("math", f"{kept} = {value}", f"{latex(kept)} = {latex(value)}"))
        for kept, value in zip(snet.h[k], activation, strict=True):
            blocks.append(Block("math", f"{kept} = {value}", f"{latex(kept)} = {latex(value)}"))
        previous = snet.h[k]
    loss = snet.loss()
    blocks.append(Block("math", f"J = {loss}", f"J = {latex(loss)}"))
    return blocks


def _jacobian_block(jacobian: Jacobian, layout: str = "stacked") -> Block:
    text = f"{jacobian.name} ∈ {jacobian.notation} ({jacobian.structure}) =\n{to_text(jacobian)}"
    return Block("math", text, jacobian.to_latex(layout=layout))


def _indent(text: str, pad: str = "    ") -> str:
    return "\n".join(pad + line for line in text.splitlines())


def walkthrough_blocks(seed: int = 0, x: Sequence[float] = (1.0, 0.5), t: float = 1.0) -> list[Block]:
    """Every step of the symbolic walkthrough, as :class:`Block` objects."""
    snet = notes_network()
    blocks = [
        Block("title", *["Symbolic walkthrough: the notes' 2-3-1 network, every Jacobian as a formula"] * 2),
        _paragraph(
            "The engine that computes the numeric gradients runs here over SymPy symbols named as in the "
            "notes. Every matrix below is what the engine itself builds.",
            "The engine that computes the numeric gradients runs here over SymPy symbols named as in the "
            "notes. Every matrix below is what the engine itself builds.",
        ),
        _heading("1. Parameters, input and target"),
        *_parameter_blocks(snet),
        _heading("2. Forward pass"),
        _paragraph(
            "The pre-activations a and activations h stay symbols from here on, as in the notes.",
            "The pre-activations $a$ and activations $h$ stay symbols from here on, as in the notes.",
        ),
        *_forward_blocks(snet),
    ]

    chain_W1 = jacobian_chain(snet, wrt="W1", loss="mse")
    names = " · ".join(f.name for f in chain_W1.factors)
    blocks += [
        _heading(
            "3. The chain of local Jacobians for ∂J/∂W¹",
            r"3. The chain of local Jacobians for $\partial J/\partial W^{1}$",
        ),
        _paragraph(
            f"∂J/∂W¹ = {names}, with shapes {chain_W1.notation}.",
            f"${name_latex('∂J/∂W¹')} = "
            + " ".join(name_latex(f.name) for f in chain_W1.factors)
            + "$, with shapes $"
            + r"\;".join(r"\mathbb{R}^{" + f.notation[3:-1].replace("×", r"\times ") + "}" for f in chain_W1.factors)
            + "$.",
        ),
        *[_jacobian_block(factor) for factor in chain_W1.factors[:-1]],
    ]

    d_a_d_W = chain_W1.factors[-1]
    blocks += [
        _heading("4. The tensor ∂a¹/∂W¹", r"4. The tensor $\partial a^{1}/\partial W^{1}$"),
        _paragraph(
            "A column of three 3×2 matrices, one per unit: the row of W¹ feeding that unit holds xᵀ.",
            r"A column of three $3\times 2$ matrices, one per unit: the row of $W^{1}$ feeding that unit "
            r"holds $x^{T}$.",
        ),
        _jacobian_block(d_a_d_W),
        _paragraph(
            "Flattened to its 3×6 matrix form; the rules separate the columns that came from one row of W¹.",
            r"Flattened to its $3\times 6$ matrix form; the rules separate the columns that came from one row "
            r"of $W^{1}$.",
        ),
        Block("math", _indent(pretty_block(d_a_d_W.matrix)), d_a_d_W.to_latex(layout="flattened")),
    ]

    results = {method: chain_W1.contract(method=method) for method in CHAIN_METHODS}
    identical = all(
        sympy.expand(a - b) == 0
        for r in results.values()
        for a, b in zip(r.array.ravel(), results["reshape"].array.ravel(), strict=True)
    )
    d_J_d_W1 = results["reshape"]
    blocks += [
        _heading("5. Contracting the chain", "5. Contracting the chain"),
        _paragraph(
            "Multiplied out, left to right; reshape, slices and einsum give identical expressions: "
            + ("yes." if identical else "NO — this is a bug."),
            "Multiplied out, left to right; reshape, slices and einsum give identical expressions: "
            + ("yes." if identical else r"\textbf{no} --- this is a bug."),
        ),
        Block("math", f"∂J/∂W¹ =\n{to_text(d_J_d_W1)}", d_J_d_W1.to_latex()),
        _paragraph(
            "The same chain written as the product of its factors:",
            "The same chain written as the product of its factors:",
        ),
        Block(
            "math",
            f"∂J/∂W¹ = {names}",
            product_latex(chain_W1.factors, label="∂J/∂W¹"),
        ),
    ]

    d_J_d_W2 = jacobian_chain(snet, wrt="W2", loss="mse").contract()
    blocks += [
        _heading(
            "6. The output weights, and σ′ = σ(1 − σ)", r"6. The output weights, and $\sigma' = \sigma(1-\sigma)$"
        ),
        Block("math", f"∂J/∂W² =\n{to_text(d_J_d_W2)}", d_J_d_W2.to_latex()),
        _paragraph("With σ′ rewritten in terms of σ:", r"With $\sigma'$ rewritten in terms of $\sigma$:"),
        Block("math", f"∂J/∂W² =\n{to_text(expand_sigmoid(d_J_d_W2))}", expand_sigmoid(d_J_d_W2).to_latex()),
    ]

    net = numeric_notes_network(seed=seed)
    x_array, t_array = np.asarray(x, dtype=float), np.atleast_1d(np.asarray(t, dtype=float))
    numeric = evaluate(d_J_d_W1, net, x_array, t_array)
    reference = numeric_gradient(net, x_array, t_array, method="backprop")["W1"]
    difference = float(np.max(np.abs(numeric.array - reference)))
    example = f"x = ({', '.join(f'{v:g}' for v in x_array)}), t = {t_array[0]:g}"
    blocks += [
        _heading("7. From symbols to numbers"),
        _paragraph(
            f"Substituting the numeric notes network (seed {seed}) and the example {example} into ∂J/∂W¹ "
            f"gives the numeric engine's gradient (Algorithm 6.4) to within {difference:.1e}.",
            f"Substituting the numeric notes network (seed {seed}) and the example ${example}$ into "
            f"$\\partial J/\\partial W^{{1}}$ gives the numeric engine's gradient (Algorithm 6.4) to within "
            f"${number_latex(difference, 2)}$.",
        ),
        Block("math", f"∂J/∂W¹ =\n{to_text(numeric)}", numeric.to_latex()),
    ]
    return blocks


def render(blocks: list[Block], fmt: str = "text") -> str:
    """The blocks as plain text, Markdown, or a LaTeX document."""
    if fmt == "text":
        return "\n".join(_text(block) for block in blocks)
    if fmt == "markdown":
        return "\n\n".join(_markdown(block) for block in blocks) + "\n"
    return _LATEX_PREAMBLE + "\n\n".join(_latex(block) for block in blocks) + "\n\\end{document}\n"


def _text(block: Block) -> str:
    if block.kind in ("title", "heading"):
        return f"\n{block.text}\n{'─' * len(block.text)}"
    if block.kind == "paragraph":
        return "  " + block.text
    return _indent(block.text, "  ")


def _markdown(block: Block) -> str:
    if block.kind == "title":
        return f"# {block.tex}"
    if block.kind == "heading":
        return f"## {block.tex}"
    if block.kind == "paragraph":
        return block.tex
    return f"$$\n{block.tex}\n$$"


def _latex(block: Block) -> str:
    if block.kind == "title":
        return f"\\section*{{{block.tex}}}"
    if block.kind == "heading":
        return f"\\subsection*{{{block.tex}}}"
    if block.kind == "paragraph":
        return block.tex
    return f"\\[\n{block.tex}\n\\]"


_LATEX_PREAMBLE = r"""\documentclass{article}
\usepackage{amsmath,amssymb}
\usepackage[margin=1.5cm,landscape]{geometry}
\begin{document}
\small

"""


def symbolic_walkthrough(fmt: str = "text", seed: int = 0, x: Sequence[float] = (1.0, 0.5), t: float = 1.0) -> str:
    """The notes' network in symbols, step by step, as text, Markdown or LaTeX.

    ``seed``, ``x`` and ``t`` choose the numeric network and example of the
    last step, where the symbols are replaced by numbers.

    >>> text = symbolic_walkthrough()
    >>> "σ′(a¹₁)" in text and "identical expressions: yes" in text
    True
    >>> r"\\begin{bmatrix}" in symbolic_walkthrough("markdown")
    True
    """
    from jacobian_bp.errors import UnknownNameError

    if fmt not in FORMATS:
        raise UnknownNameError.for_choice("walkthrough format", fmt, FORMATS)
    return render(walkthrough_blocks(seed, x, t), fmt)
