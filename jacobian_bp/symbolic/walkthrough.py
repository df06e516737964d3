"""The notes' network walked through in symbols: ``jacobian-bp walkthrough --symbolic``.

One sequence of steps, written out three ways: plain text for a terminal,
Markdown (with ``$$`` math) for a notebook or a web page, and a LaTeX
document. Each step is a :class:`Block` that carries both a plain-text and a
LaTeX form, so the three outputs always say the same thing.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import sympy

from jacobian_bp.chain.approaches import CHAIN_METHODS, chain
from jacobian_bp.chain.jacobian import Jacobian
from jacobian_bp.chain.jacobian_chain import display_name
from jacobian_bp.display.document import (
    FORMATS,
    SLIDE_WIDTH,
    Block,
    Step,
    frame,
    paragraph,
    pick_steps,
    render,
    reveal,
    unfold,
)
from jacobian_bp.display.latex import (
    bmatrix,
    broken_product,
    grid_width,
    jacobian_width,
    latex_entries,
    name_latex,
    number_latex,
    tex_name,
    visible_width,
)
from jacobian_bp.methods.gradient import gradient as numeric_gradient
from jacobian_bp.network import affine
from jacobian_bp.network.mlp import notes_network as numeric_notes_network
from jacobian_bp.symbolic.chain import evaluate, expand_sigmoid, gradient, jacobian_chain
from jacobian_bp.symbolic.network import MLP, notes_network
from jacobian_bp.symbolic.printing import notes_latex, pretty_block, rewrite_sigmoid, to_text

Array = np.ndarray

__all__ = ["FORMATS", "symbolic_walkthrough", "walkthrough_steps"]

TITLE = "Symbolic walkthrough: the notes' 2-3-1 network, every Jacobian as a formula"


def _column_latex(vector: Array) -> str:
    return bmatrix([[entry] for entry in latex_entries(vector)])


def _matrix_latex(matrix: Array) -> str:
    return bmatrix([list(row) for row in latex_entries(matrix)])


def _parameter_blocks(snet: MLP) -> list[Block]:
    """W¹, b¹, W², b², x, t: matrices as matrices and vectors as columns, as the notes write them; two a line."""
    named = [*snet.params.items(), ("x", snet.x), ("t", snet.t)]
    blocks = []
    for pair in zip(named[::2], named[1::2], strict=True):
        texts, formulas = [], []
        for name, value in pair:
            display = display_name(name) if name in snet.params else name
            body = _matrix_latex(value) if value.ndim == 2 else _column_latex(value)
            texts.append(f"{display} =\n" + _indent(pretty_block(value if value.ndim == 2 else value[:, None])))
            formulas.append(f"{tex_name(display)} = {body}")
        blocks.append(Block("math", "\n".join(texts), r", \qquad ".join(formulas)))
    return blocks


def _forward_blocks(snet: MLP) -> list[Block]:
    """Each layer's ``a^k = W^k h^{k−1} + b^k`` and ``h^k = f(a^k)``, from the engine's code, one layer a line."""
    blocks = []
    previous = snet.x
    for k in range(1, snet.depth + 1):
        pre_activation = affine.value(snet.params[f"W{k}"], snet.params[f"b{k}"], previous)
        activation = snet.layer_activation(k).value(snet.a[k])
        text = [f"{kept} = {value}" for kept, value in zip(snet.a[k], pre_activation, strict=True)]
        text += [f"{kept} = {value}" for kept, value in zip(snet.h[k], activation, strict=True)]
        tex = (
            f"{_column_latex(snet.a[k])} = {_column_latex(pre_activation)}, \\qquad "
            f"{_column_latex(snet.h[k])} = {_column_latex(activation)}"
        )
        blocks.append(Block("math", "\n".join(text), tex))
        previous = snet.h[k]
    loss = snet.loss()
    blocks.append(Block("math", f"J = {loss}", f"J = {notes_latex(loss)}"))
    return blocks


def _jacobian_block(jacobian: Jacobian, layout: str = "stacked") -> Block:
    text = f"{jacobian.name} ∈ {jacobian.notation} ({jacobian.structure}) =\n{to_text(jacobian)}"
    return Block("math", text, jacobian.to_latex(layout=layout))


def factored_latex(array: Array, sigmoid: str = "prime") -> tuple[str, int]:
    r"""A matrix of products as the notes write it, the factor every entry shares in front; and its width.

    ``sigmoid`` writes ``σ′`` as :func:`~jacobian_bp.symbolic.printing.notes_latex` does.

    >>> import jacobian_bp.symbolic as sym
    >>> tex, width = factored_latex(sym.gradient(sym.notes_network())["W2"])
    >>> print(tex)
    -\left(t - z\right) \sigma'\left(a^{2}\right) \begin{bmatrix} h^{1}_{1} & h^{1}_{2} & h^{1}_{3} \end{bmatrix}
    """
    entries = [rewrite_sigmoid(entry, sigmoid) for entry in np.ravel(array)]
    nonzero = [entry for entry in entries if entry != 0]
    shared = sympy.Mul(*set.intersection(*(set(sympy.Mul.make_args(e)) for e in nonzero))) if nonzero else 1
    if shared == 1 or len(entries) == 1:
        strings = latex_entries(np.array(entries, dtype=object).reshape(np.shape(array)))
        return bmatrix(_rows(strings)), grid_width(strings)
    rest = np.array([sympy.cancel(entry / shared) for entry in entries], dtype=object).reshape(np.shape(array))
    strings = latex_entries(rest)
    front = notes_latex(shared)
    return f"{front} {bmatrix(_rows(strings))}", visible_width(front) + grid_width(strings)


def _rows(strings: Array) -> list[list[str]]:
    return [[strings.item()]] if strings.ndim == 0 else [list(row) for row in np.atleast_2d(strings)]


def _indent(text: str, pad: str = "    ") -> str:
    return "\n".join(pad + line for line in text.splitlines())


def walkthrough_steps(seed: int = 0, x: Sequence[float] = (1.0, 0.5), t: float = 1.0) -> list[Step]:
    """Every step of the symbolic walkthrough, as :class:`~jacobian_bp.display.document.Step` objects.

    The steps have the names of the numeric walkthrough's
    (:data:`jacobian_bp.display.walkthrough.STEPS`); ``seed``, ``x`` and ``t``
    choose the numeric network and example of the last one, where the symbols
    are replaced by numbers.
    """
    snet = notes_network()
    chain_W1 = jacobian_chain(snet, wrt="W1", loss="mse")
    return [
        _forward_pass(snet),
        _matrix_form(snet, chain_W1),
        _activation_jacobian(chain_W1),
        _weight_tensor(chain_W1),
        _outer_product(snet, chain_W1),
        _backprop(snet, chain_W1),
        _checks(chain_W1, seed, x, t),
    ]


def _forward_pass(snet: MLP) -> Step:
    return Step(
        "forward-pass",
        "1. Parameters, input and target; the forward pass",
        "Forward pass",
        [
            paragraph(
                "The engine that computes the numeric gradients runs here over SymPy symbols named as in the "
                "notes. Every matrix below is what the engine itself builds."
            ),
            *_parameter_blocks(snet),
            frame("The forward pass"),
            paragraph(
                "The pre-activations a and activations h stay symbols from here on, as in the notes.",
                "The pre-activations $a$ and activations $h$ stay symbols from here on, as in the notes.",
            ),
            *_forward_blocks(snet),
        ],
    )


def _matrix_form(snet: MLP, chain_W1: object) -> Step:
    factors: list[Jacobian] = chain_W1.factors  # type: ignore[attr-defined]
    names = " · ".join(f.name for f in factors)
    d_J_d_W2 = jacobian_chain(snet, wrt="W2", loss="mse").contract()
    spaces = r"\;".join(r"\mathbb{R}^{" + f.notation[3:-1].replace("×", r"\times ") + "}" for f in factors)
    return Step(
        "matrix-form",
        "2. The chain of local Jacobians for ∂J/∂W¹",
        "Gradient computation in matrix notation",
        [
            paragraph(
                f"∂J/∂W¹ = {names}, with shapes {chain_W1.notation}.",  # type: ignore[attr-defined]
                f"${name_latex('∂J/∂W¹')} = " + " ".join(name_latex(f.name) for f in factors) + f"$, in ${spaces}$.",
            ),
            *[_jacobian_block(factor) for factor in factors[:-1]],
            frame("The output weights, and σ′ = σ(1 − σ)"),
            Block(
                "math",
                f"∂J/∂W² =\n{to_text(d_J_d_W2)}",
                f"{name_latex('∂J/∂W²')} = {factored_latex(d_J_d_W2.array)[0]}",
            ),
            paragraph(
                "With σ′ rewritten in terms of the outputs the forward pass kept (σ(a²) is z):",
                r"With $\sigma'$ rewritten in terms of the outputs the forward pass kept ($\sigma(a^{2})$ is $z$):",
            ),
            Block(
                "math",
                f"∂J/∂W² =\n{to_text(expand_sigmoid(d_J_d_W2))}",
                f"{name_latex('∂J/∂W²')} = {factored_latex(d_J_d_W2.array, sigmoid='outputs')[0]}",
            ),
        ],
    )


def _activation_jacobian(chain_W1: object) -> Step:
    factors: list[Jacobian] = chain_W1.factors  # type: ignore[attr-defined]
    d_J_d_h = chain(*factors[:3])
    d_J_d_a = chain(*factors[:4])
    sigma_prime = np.diagonal(factors[3].array)
    lhs = name_latex("∂J/∂a¹")
    return Step(
        "activation-jacobian",
        "3. The activation Jacobian and ⊙",
        "The diagonal Jacobian of the activation",
        [
            paragraph(
                "∂h¹/∂a¹ is diagonal: a row times it is the element-wise product with its diagonal.",
                r"$\partial h^{1}/\partial a^{1}$ is diagonal: a row times it is the element-wise product with "
                "its diagonal.",
            ),
            _jacobian_block(factors[3]),
            reveal(
                f"∂J/∂a¹ = ∂J/∂h¹ ⊙ σ′(a¹) =\n{to_text(d_J_d_a)}",
                [
                    broken_product(lhs, [factored_latex(d_J_d_h.array), _piece(factors[3].array)], width=SLIDE_WIDTH),
                    broken_product(
                        lhs,
                        [factored_latex(d_J_d_h.array), (r"\\odot", 1), _piece(sigma_prime[None])],
                        width=SLIDE_WIDTH,
                    ),
                    f"{lhs} = {factored_latex(d_J_d_a.array)[0]}",
                ],
            ),
        ],
    )


def _weight_tensor(chain_W1: object) -> Step:
    factors: list[Jacobian] = chain_W1.factors  # type: ignore[attr-defined]
    d_a_d_W = factors[-1]
    results = {method: chain_W1.contract(method=method) for method in CHAIN_METHODS}  # type: ignore[attr-defined]
    identical = all(
        sympy.expand(a - b) == 0
        for r in results.values()
        for a, b in zip(r.array.ravel(), results["reshape"].array.ravel(), strict=True)
    )
    d_J_d_W1 = results["reshape"]
    flat = (d_a_d_W.to_latex(layout="flattened", label=False), jacobian_width(d_a_d_W, layout="flattened"))
    lhs = name_latex("∂J/∂W¹")
    lines = [broken_product(lhs, [*map(_piece, (f.array for f in factors[:-1])), flat], width=SLIDE_WIDTH)]
    for k in range(2, len(factors)):
        pieces = [factored_latex(chain(*factors[:k]).array), *(_piece(f.array) for f in factors[k:-1]), flat]
        lines.append(broken_product(lhs, pieces, width=SLIDE_WIDTH))
    lines.append(f"{lhs} = {factored_latex(d_J_d_W1.array)[0]}")
    return Step(
        "weight-tensor",
        "4. The tensor ∂a¹/∂W¹, and the product",
        "Vector/tensor multiplication",
        [
            paragraph(
                "A column of three 3×2 matrices, one per unit: the row of W¹ feeding that unit holds xᵀ.",
                r"A column of three $3\times 2$ matrices, one per unit: the row of $W^{1}$ feeding that unit "
                r"holds $x^{T}$.",
            ),
            _jacobian_block(d_a_d_W),
            frame("The flattening"),
            paragraph(
                "Flattened to its 3×6 matrix form; the rules separate the columns that came from one row of W¹.",
                r"Flattened to its $3\times 6$ matrix form $\bar B$; the rules separate the columns that came from "
                r"one row of $W^{1}$.",
            ),
            Block("math", _indent(pretty_block(d_a_d_W.matrix)), d_a_d_W.to_latex(layout="flattened")),
            frame("Contracting the chain"),
            paragraph(
                "Multiplied out, left to right; reshape, slices and einsum give identical expressions: "
                + ("yes." if identical else "NO — this is a bug."),
                "Multiplied out, left to right; reshape, slices and einsum give identical expressions: "
                + ("yes." if identical else r"\textbf{no} --- this is a bug."),
            ),
            reveal(f"∂J/∂W¹ = {' · '.join(f.name for f in factors)} =\n{to_text(d_J_d_W1)}", lines),
        ],
    )


def _piece(array: Array) -> tuple[str, int]:
    """A factor of a product as a matrix, with its width."""
    strings = latex_entries(np.atleast_2d(array))
    return bmatrix(_rows(strings)), grid_width(strings)


def _outer_product(snet: MLP, chain_W1: object) -> Step:
    factors: list[Jacobian] = chain_W1.factors  # type: ignore[attr-defined]
    g = chain(*factors[:-1]).array
    outer = affine.vjp_W(snet.x, g)
    return Step(
        "outer-product",
        "5. The outer product",
        "The outer product",
        [
            paragraph(
                "∂J/∂W¹ is the column gᵀ (g = ∂J/∂a¹) times the row xᵀ: the tensor is never needed.",
                r"$\partial J/\partial W^{1}$ is the column $g^{T}$ ($g = \partial J/\partial a^{1}$) times the "
                r"row $x^{T}$: the tensor is never needed.",
            ),
            reveal(
                f"gᵀ xᵀ =\n{_indent(pretty_block(outer))}",
                [
                    broken_product(
                        rf"{name_latex('∂J/∂W¹')} = g^{{T}} x^{{T}}",
                        [factored_latex(g[:, None]), _piece(snet.x[None])],
                        width=SLIDE_WIDTH,
                    ),
                    f"{name_latex('∂J/∂W¹')} = {factored_latex(outer)[0]}",
                ],
            ),
        ],
    )


def _backprop(snet: MLP, chain_W1: object) -> Step:
    factors: list[Jacobian] = chain_W1.factors  # type: ignore[attr-defined]
    g_output, g_a2, g_h1, g_a1 = (chain(*factors[:k]).array for k in (1, 2, 3, 4))
    backprop = gradient(snet, method="backprop")
    text = "\n".join(
        f"∂J/∂{display_name(name)} =\n{_indent(pretty_block(np.atleast_2d(value)))}" for name, value in backprop.items()
    )
    return Step(
        "backprop",
        "6. Algorithm 6.4",
        "From gradient computation to backpropagation",
        [
            paragraph(
                "Algorithm 6.4 run on symbols, g a column reused from layer to layer:\n" + text,
                r"Algorithm 6.4 run on symbols: $g$ is a column, reused from layer to layer.",
            ),
            frame("Algorithm 6.4, k = 2"),
            unfold(
                [
                    rf"g \leftarrow \nabla_{{z}} J = {factored_latex(g_output)[0]}",
                    rf"g \leftarrow g \odot \sigma'(a^{{2}}) = {factored_latex(g_a2)[0]}",
                    rf"\nabla_{{W^{{2}}}} J = g\, h^{{1T}} = {factored_latex(backprop['W2'])[0]}",
                    rf"g \leftarrow W^{{2T}} g = {factored_latex(g_h1[:, None])[0]}",
                ]
            ),
            frame("Algorithm 6.4, k = 1"),
            unfold(
                [
                    rf"g \leftarrow g \odot \sigma'(a^{{1}}) = {factored_latex(g_a1[:, None])[0]}",
                    rf"\nabla_{{W^{{1}}}} J = g\, x^{{T}} = {factored_latex(backprop['W1'])[0]}",
                ]
            ),
        ],
    )


def _checks(chain_W1: object, seed: int, x: Sequence[float], t: float) -> Step:
    d_J_d_W1 = chain_W1.contract()  # type: ignore[attr-defined]
    net = numeric_notes_network(seed=seed)
    x_array, t_array = np.asarray(x, dtype=float), np.atleast_1d(np.asarray(t, dtype=float))
    numeric = evaluate(d_J_d_W1, net, x_array, t_array)
    reference = numeric_gradient(net, x_array, t_array, method="backprop")["W1"]
    difference = float(np.max(np.abs(numeric.array - reference)))
    example = f"x = ({', '.join(f'{v:g}' for v in x_array)}), t = {t_array[0]:g}"
    return Step(
        "checks",
        "7. From symbols to numbers",
        "From symbols to numbers",
        [
            paragraph(
                f"Substituting the numeric notes network (seed {seed}) and the example {example} into ∂J/∂W¹ "
                f"gives the numeric engine's gradient (Algorithm 6.4) to within {difference:.1e}.",
                f"Substituting the numeric notes network (seed {seed}) and the example ${example}$ into "
                f"$\\partial J/\\partial W^{{1}}$ gives the numeric engine's gradient (Algorithm 6.4) to within "
                f"${number_latex(difference, 2)}$.",
            ),
            Block("math", f"∂J/∂W¹ =\n{to_text(numeric)}", numeric.to_latex(decimals=4)),
        ],
    )


def symbolic_walkthrough(
    fmt: str = "text",
    seed: int = 0,
    x: Sequence[float] = (1.0, 0.5),
    t: float = 1.0,
    step: str | None = None,
    variant: int | None = None,
) -> str:
    """The notes' network in symbols, step by step, as text, Markdown, a LaTeX handout or Beamer slides.

    ``seed``, ``x`` and ``t`` choose the numeric network and example of the
    last step, where the symbols are replaced by numbers; ``step`` gives one
    step alone (a name of :data:`jacobian_bp.display.walkthrough.STEPS`); ``variant``
    picks the exercises' variant in the LaTeX handout.

    >>> text = symbolic_walkthrough()
    >>> "σ′(a¹₁)" in text and "identical expressions: yes" in text
    True
    >>> r"\\begin{bmatrix}" in symbolic_walkthrough("markdown")
    True
    >>> symbolic_walkthrough("beamer", step="outer-product").count(r"\\only<")
    1
    """
    if fmt not in FORMATS:
        from jacobian_bp.errors import UnknownNameError

        raise UnknownNameError.for_choice("walkthrough format", fmt, FORMATS)
    return render(TITLE, pick_steps(walkthrough_steps(seed, x, t), step), fmt, handout=step is None, variant=variant)
