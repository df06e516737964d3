"""The main job: the notes' network, walked through step by step.

:func:`walkthrough` returns the whole text — or Markdown, a LaTeX handout or
Beamer slides (:mod:`jacobian_bp.display.document`) — so it can be printed by
the CLI, tested, and read in a notebook. Each step is named after the page of
the docs that explains it (:data:`STEPS`); ``step=`` gives one step alone.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from jacobian_bp.chain.approaches import CHAIN_METHODS, chain, einsum_pattern
from jacobian_bp.chain.jacobian import Jacobian, subscript, superscript
from jacobian_bp.chain.jacobian_chain import display_name, jacobian_chain
from jacobian_bp.display.document import SLIDE_WIDTH, Block, Step, frame, math, paragraph, render, reveal, unfold
from jacobian_bp.display.document import pick_steps as _pick
from jacobian_bp.display.latex import bmatrix, entry_strings, jacobian_latex, name_latex, number_latex, product_latex
from jacobian_bp.display.words import counted, wrap_lines
from jacobian_bp.methods.checking import compare
from jacobian_bp.methods.gradient import gradient
from jacobian_bp.network import affine
from jacobian_bp.network.mlp import MLP, notes_network

Array = np.ndarray

#: The fixed example of the walkthrough: x = (x₁, x₂) and its target t.
EXAMPLE_X = (1.0, 0.5)
EXAMPLE_T = 1.0

#: The steps, in order, by the name of the docs page that explains each (``checks`` has no page of its own).
STEPS = (
    "forward-pass",
    "matrix-form",
    "activation-jacobian",
    "weight-tensor",
    "outer-product",
    "backprop",
    "checks",
)

#: Fixed decimals of every number on a slide or the handout, so that the entries of a matrix line up.
DECIMALS = 3

TITLE = "jacobian_bp walkthrough: backpropagation the long way, the notes' 2-3-1 network"


def fmt(array: Array | float, indent: int = 4) -> str:
    """An array printed compactly, each line indented.

    >>> print(fmt(np.array([[1.0, 0.123456], [0.0, -2.0]]), indent=2))
      [[ 1.      0.1235]
       [ 0.     -2.    ]]
    """
    text = np.array2string(np.asarray(array), precision=4, suppress_small=True, max_line_width=100)
    return "\n".join(" " * indent + line for line in text.splitlines())


def matrix_tex(array: Array | float, column: bool = False) -> str:
    r"""Numbers as a ``bmatrix`` with :data:`DECIMALS` fixed decimals; a vector is a row, or a ``column``.

    >>> print(matrix_tex(np.array([0.25, -1.0]), column=True))
    \begin{bmatrix} 0.250 \\ -1.000 \end{bmatrix}
    """
    strings = entry_strings(np.atleast_1d(np.asarray(array, dtype=float)), decimals=DECIMALS)
    rows = strings.reshape(-1, 1) if column and strings.ndim == 1 else np.atleast_2d(strings)
    return bmatrix([list(row) for row in rows])


def _describe(factor: Jacobian) -> str:
    return (
        f"  {factor.name} ∈ {factor.notation}   shape {factor.shape}, {factor.structure}, "
        f"{factor.nonzero_entries} of {counted(factor.stored_entries, 'entry', 'entries')} non-zero"
    )


def _factor_tex(factor: Jacobian, layout: str = "stacked") -> str:
    space = factor.notation[3:-1].replace("×", r"\times ")
    return f"{jacobian_latex(factor, layout=layout, decimals=DECIMALS)} \\in \\mathbb{{R}}^{{{space}}}"


def walkthrough_steps(net: MLP, x: Sequence[float] = EXAMPLE_X, t: float = EXAMPLE_T) -> list[Step]:
    """Every step of the numeric walkthrough for ``net`` and one example, as :class:`Step` objects."""
    x_array, t_array = np.asarray(x, dtype=float), np.atleast_1d(np.asarray(t, dtype=float))
    chain_ = jacobian_chain(net, x_array, t_array, wrt="W1", loss="mse")
    return [
        _forward_pass(net, x_array, t_array),
        _matrix_form(chain_),
        _activation_jacobian(chain_),
        _weight_tensor(chain_),
        _outer_product(chain_, x_array),
        _backprop(net, chain_, x_array, t_array),
        _checks(net, x_array, t_array),
    ]


def _forward_pass(net: MLP, x: Array, t: Array) -> Step:
    step = Step("forward-pass", "1. Parameters and the forward pass", "Forward pass")
    step.blocks.append(paragraph(f"network: {net}"))
    params = net.params
    pairs = list(params.items())
    for (w_name, W), (b_name, b) in zip(pairs[::2], pairs[1::2], strict=True):
        step.blocks.append(
            math(
                f"  {display_name(w_name)} {W.shape}:\n{fmt(W)}\n  {display_name(b_name)} {b.shape}:\n{fmt(b)}",
                f"W^{{{w_name[1:]}}} = {matrix_tex(W)}, \\quad b^{{{b_name[1:]}}} = {matrix_tex(b, column=True)}",
            )
        )
    trace = net.forward(x)
    step.blocks += [
        frame("Forward pass: what the backward pass will need is stored"),
        math(
            f"  x = {fmt(x, 0)}   t = {fmt(t, 0)}",
            f"x = {matrix_tex(x, column=True)}, \\quad t = {number_latex(float(t[0]), decimals=DECIMALS)}",
        ),
    ]
    for k in range(1, net.depth + 1):
        previous = "x" if k == 1 else f"h{superscript(k - 1)}"
        output = "z" if k == net.depth else f"h{superscript(k)}"
        activation = net.layer_activation(k).name
        previous_tex = "x" if k == 1 else f"h^{{{k - 1}}}"
        output_tex = "z" if k == net.depth else f"h^{{{k}}}"
        function = r"\sigma" if activation == "sigmoid" else rf"\mathrm{{{activation}}}"
        step.blocks.append(
            math(
                f"  a{superscript(k)} = W{superscript(k)} {previous} + b{superscript(k)} = {fmt(trace.a[k], 0)}\n"
                f"  {output} = {activation}(a{superscript(k)}) = {fmt(trace.h[k], 0)}",
                f"a^{{{k}}} = W^{{{k}}} {previous_tex} + b^{{{k}}} = {matrix_tex(trace.a[k], column=True)}, \\quad "
                f"{output_tex} = {function}(a^{{{k}}}) = {matrix_tex(trace.h[k], column=True)}",
            )
        )
    loss = net.loss(x, t)
    step.blocks += [
        math(
            f"  J = ½ (t − z)² = {loss:.6f}", rf"J = \tfrac12 (t - z)^2 = {number_latex(loss, decimals=DECIMALS + 2)}"
        ),
        paragraph(
            "  kept for the backward pass: every a^k (for f'(a^k)) and every h^k (for the outer products)",
            r"Kept for the backward pass: every $a^{k}$ (for $f'(a^{k})$) and every $h^{k}$ (for the outer products).",
        ),
    ]
    return step


def _matrix_form(chain_: object) -> Step:
    factors: list[Jacobian] = chain_.factors  # type: ignore[attr-defined]
    step = Step("matrix-form", "2. The chain of local Jacobians for ∂J/∂W¹", r"The chain of local Jacobians")
    step.blocks += [
        paragraph(
            str(chain_),
            r"In matrix notation $\partial J/\partial W^{1}$ is the product of five local Jacobians, "
            "outermost first:",
        ),
        math("", f"{name_latex('∂J/∂W¹')} = " + " ".join(name_latex(f.name) for f in factors)),
        frame("The five factors"),
        paragraph("  each factor in full:", "Each factor, built for real by the engine:"),
    ]
    for first, second in ((0, 1), (2, None), (3, None)):
        text = "\n".join([_describe(factors[first]), fmt(factors[first].array, 6)])
        tex = _factor_tex(factors[first])
        if second is not None:
            text += "\n" + "\n".join([_describe(factors[second]), fmt(factors[second].array, 6)])
            tex += r", \qquad " + _factor_tex(factors[second])
        step.blocks.append(math(text, tex))
    step.blocks.append(
        math(
            "\n".join([_describe(factors[4]), fmt(factors[4].array, 6)]),
            _factor_tex(factors[4]),
        )
    )
    # On paper and on a slide the product is written with the tensor flattened (the notes' B̄): nine rows tall
    # as a column of slices, it would not fit a frame.
    options = {"label": "∂J/∂W¹", "width": SLIDE_WIDTH, "decimals": DECIMALS, "layout": "flattened"}
    lines = [product_latex(factors, **options)]
    for k in range(2, len(factors)):
        lines.append(product_latex([chain(*factors[:k]), *factors[k:]], **options))
    result = chain(*factors)
    lines.append(f"{name_latex('∂J/∂W¹')} = {jacobian_latex(result, label=False, decimals=DECIMALS)}")
    step.blocks += [
        frame("The product, left to right"),
        paragraph("", r"The tensor flattened to $\bar B$; each step multiplies the row so far by the next factor:"),
        reveal("", lines),
    ]
    return step


def _activation_jacobian(chain_: object) -> Step:
    factors: list[Jacobian] = chain_.factors  # type: ignore[attr-defined]
    d_J_d_h = chain(*factors[:3])
    sigma_prime = np.diagonal(factors[3].array)
    g = d_J_d_h.array * sigma_prime
    step = Step("activation-jacobian", "3. The activation Jacobian and ⊙", "The activation's Jacobian")
    step.blocks += [
        paragraph(
            "  ∂h¹/∂a¹ is diagonal: h¹ᵢ depends on a¹ᵢ alone.",
            r"$\partial h^{1}/\partial a^{1}$ is diagonal: $h^{1}_{i}$ depends on $a^{1}_{i}$ alone, "
            "so a row times it is an element-wise product with its diagonal.",
        ),
        math(
            "  ∂J/∂h¹ = ∂J/∂z · ∂z/∂a² · ∂a²/∂h¹  (a 1×3 row) =\n" + fmt(d_J_d_h.array, 6),
            f"{name_latex('∂J/∂h¹')} = {name_latex('∂J/∂z')} {name_latex('∂z/∂a²')} {name_latex('∂a²/∂h¹')} "
            f"= {matrix_tex(d_J_d_h.array)}",
        ),
        reveal(
            "  times the diagonal ∂h¹/∂a¹ is the element-wise product with σ'(a¹):  g = ∂J/∂h¹ ⊙ σ'(a¹) =\n"
            + fmt(g, 6),
            [
                f"{name_latex('∂J/∂a¹')} = {matrix_tex(d_J_d_h.array)} {matrix_tex(factors[3].array)}",
                f"{name_latex('∂J/∂a¹')} = {matrix_tex(d_J_d_h.array)} \\odot {matrix_tex(sigma_prime)}",
                f"{name_latex('∂J/∂a¹')} = {matrix_tex(g)}",
            ],
        ),
    ]
    return step


def _weight_tensor(chain_: object) -> Step:
    factors: list[Jacobian] = chain_.factors  # type: ignore[attr-defined]
    d_a_d_W = factors[-1]
    g = chain(*factors[:-1])
    results = {method: chain_.contract(method=method) for method in CHAIN_METHODS}  # type: ignore[attr-defined]
    step = Step(
        "weight-tensor",
        "4. The tensor ∂a¹/∂W¹: three slices ∂a¹ᵢ/∂W¹, each 3×2",
        r"The tensor $\partial a^{1}/\partial W^{1}$",
    )
    slices_text = [f"  ∂a¹{subscript(i + 1)}/∂W¹ =\n{fmt(d_a_d_W.array[i], 6)}" for i in range(d_a_d_W.out_shape[0])]
    step.blocks += [
        paragraph(
            "",
            r"A column of three $3\times 2$ slices $\partial a^{1}_{i}/\partial W^{1}$: only row $i$, "
            r"which feeds unit $i$, is non-zero, and it holds $x^{T}$.",
        ),
        math("\n".join(slices_text), _factor_tex(d_a_d_W)),
        frame("The flattening"),
        paragraph(
            "  flattened to its matrix form (3 × 6), each row one slice read row by row:",
            r"Flattened to its $3\times 6$ matrix form $\bar B$, each row one slice read row by row:",
        ),
        math(
            fmt(d_a_d_W.matrix, 6), r"\bar B = " + jacobian_latex(d_a_d_W, "flattened", label=False, decimals=DECIMALS)
        ),
    ]
    # Approach 1: the row times the slice of ∂a¹/∂W¹ for each row j of W¹, then collate the pieces.
    pieces = [g.array @ d_a_d_W.array[:, j, :] for j in range(d_a_d_W.in_shape[0])]
    slice_lines = [
        rf"\frac{{\partial J}}{{\partial W^{{1}}_{{{j + 1},:}}}} = g {matrix_tex(d_a_d_W.array[:, j, :])} = "
        + matrix_tex(piece)
        for j, piece in enumerate(pieces)
    ]
    slice_lines.append(f"{name_latex('∂J/∂W¹')} = {matrix_tex(results['slices'].array)}")
    flat = g.array @ d_a_d_W.matrix
    step.blocks += [
        frame("Approach 1: slices, then collate"),
        paragraph("", r"Row $j$ of the gradient is the row times the $3\times 2$ slice for row $j$ of $W^{1}$:"),
        math("", f"g = {name_latex('∂J/∂a¹')} = {matrix_tex(g.array)}"),
        reveal("", slice_lines),
        frame("Approach 2: flatten, multiply, reshape"),
        paragraph(
            "", r"The row $g$ times the $3\times 6$ flattening $\bar B$ is a row of six, reshaped to $3\times 2$:"
        ),
        unfold(
            [
                rf"\overline{{{name_latex('∂J/∂W¹')}}} = g \bar B = {matrix_tex(flat)}",
                f"{name_latex('∂J/∂W¹')} = {matrix_tex(results['reshape'].array)}",
            ],
        ),
        frame("Approach 3: einsum"),
        paragraph(
            "",
            r"Name every axis and sum the shared one: \texttt{" + einsum_pattern(g, d_a_d_W).replace("_", r"\_") + "}",
        ),
        math(
            "",
            r"\frac{\partial J}{\partial W^{1}_{jk}} = \sum_{i} g_{i}\, \frac{\partial a^{1}_{i}}{\partial W^{1}_{jk}}"
            f" = {matrix_tex(results['einsum'].array)}",
        ),
    ]
    spread = max(float(np.max(np.abs(r.array - results["reshape"].array))) for r in results.values())
    method_lines = [f"  {method:<8} ∂J/∂W¹ =\n{fmt(result.array, 6)}" for method, result in results.items()]
    step.blocks.append(
        paragraph(
            "\n".join(method_lines) + f"\n  largest difference between the three: {spread:.1e}",
            f"The three approaches agree to within ${number_latex(spread, 2)}$.",
        )
    )
    return step


def _outer_product(chain_: object, x: Array) -> Step:
    factors: list[Jacobian] = chain_.factors  # type: ignore[attr-defined]
    g = chain(*factors[:-1]).array
    outer = affine.vjp_W(x, g)
    step = Step("outer-product", "5. The outer product", "The outer product")
    step.blocks += [
        paragraph(
            "",
            r"The tensor is never needed: $\partial J/\partial W^{1}$ is the column $g^{T}$ "
            r"($g = \partial J/\partial a^{1}$) times the row $x^{T}$.",
        ),
        reveal(
            "  outer product gᵀ xᵀ (3×1 times 1×2) = ∂J/∂W¹ without ever forming the 3×(3×2) tensor:\n" + fmt(outer, 6),
            [
                f"{name_latex('∂J/∂W¹')} = g^{{T}} x^{{T}} = {matrix_tex(g, column=True)} {matrix_tex(x)}",
                f"{name_latex('∂J/∂W¹')} = {matrix_tex(outer)}",
            ],
        ),
    ]
    return step


def _backprop(net: MLP, chain_: object, x: Array, t: Array) -> Step:
    factors: list[Jacobian] = chain_.factors  # type: ignore[attr-defined]
    backprop = gradient(net, x, t, method="backprop")
    step = Step("backprop", "6. Algorithm 6.4", "Algorithm 6.4: backpropagation")
    text = ["  Algorithm 6.4 (column vectors, g reused layer to layer) gives every gradient at once:"]
    for name, value in backprop.items():
        text += [f"    ∂J/∂{display_name(name)} =", fmt(value, 6)]
    # g at each line of the algorithm is a product of the chain's first factors, written as a column.
    g_output, g_a2, g_h1, g_a1 = (chain(*factors[:k]).array for k in (1, 2, 3, 4))
    step.blocks += [
        paragraph(
            "\n".join(text),
            r"The book's convention: $g$ is a column, and it is reused from layer to layer.",
        ),
        frame("Algorithm 6.4, k = 2"),
        unfold(
            [
                rf"g \leftarrow \nabla_{{z}} J = z - t = {matrix_tex(g_output, column=True)}",
                rf"g \leftarrow g \odot \sigma'(a^{{2}}) = {matrix_tex(g_a2, column=True)}",
                rf"\nabla_{{b^{{2}}}} J = g = {matrix_tex(backprop['b2'])}, \quad "
                rf"\nabla_{{W^{{2}}}} J = g\, h^{{1T}} = {matrix_tex(backprop['W2'])}",
                rf"g \leftarrow W^{{2T}} g = {matrix_tex(g_h1, column=True)}",
            ]
        ),
        frame("Algorithm 6.4, k = 1"),
        unfold(
            [
                rf"g \leftarrow g \odot \sigma'(a^{{1}}) = {matrix_tex(g_a1, column=True)}",
                rf"\nabla_{{b^{{1}}}} J = g, \quad \nabla_{{W^{{1}}}} J = g\, x^{{T}} = {matrix_tex(backprop['W1'])}",
            ]
        ),
    ]
    return step


def _checks(net: MLP, x: Array, t: Array) -> Step:
    numeric = gradient(net, x, t, method="numeric")
    report = compare(net, x, t)
    step = Step("checks", "7. Finite differences, and every method side by side", "Checks")
    rows = [("method", r"largest $|\Delta|$", "agrees")]
    rows += [(row.method, f"${number_latex(row.max_abs_diff, 2)}$", "yes" if row.ok else "no") for row in report.rows]
    step.blocks += [
        paragraph(
            "  (J(θ + ε) − J(θ − ε)) / 2ε for every entry of W¹:\n" + fmt(numeric["W1"], 6),
            r"Finite differences, $(J(\theta + \varepsilon) - J(\theta - \varepsilon)) / 2\varepsilon$ "
            rf"for every entry of $W^{{1}}$: ${matrix_tex(numeric['W1'])}$",
        ),
        frame("Every method side by side"),
        paragraph(str(report), "Every method of the engine against \\texttt{backprop}:"),
        Block("table", "", rows=tuple(rows)),
    ]
    return step


def walkthrough(
    net: MLP | None = None,
    x: Sequence[float] = EXAMPLE_X,
    t: float = EXAMPLE_T,
    fmt: str = "text",
    step: str | None = None,
    variant: int | None = None,
) -> str:
    """Every step of the notes for one example, as text, Markdown, a LaTeX handout or Beamer slides.

    ``step`` (one of :data:`STEPS`) gives that step alone. The LaTeX handout
    ends with the errata and the exercises: today's, or the ``variant`` with
    that seed (``jbp.exercises.seed_for(student)`` gives a student's).

    >>> text = walkthrough()
    >>> "R^{3×(3×2)}" in text and "all agree" in text
    True
    >>> print(walkthrough(step="outer-product").splitlines()[2])
    5. The outer product
    >>> walkthrough(fmt="beamer", step="backprop").count(r"\\begin{frame}")  # the title and the step's three
    4
    """
    net = notes_network() if net is None else net
    steps = _pick(walkthrough_steps(net, x, t), step)
    text = render(TITLE, steps, fmt, handout=step is None, variant=variant)
    # A terminal (and a docs page's output block) is 79 columns wide: long sentences break between words.
    return "\n".join(wrap_lines(text)) if fmt == "text" else text
