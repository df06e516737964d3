"""The main job: the notes' network, walked through step by step in the terminal.

:func:`walkthrough` returns the whole text, so it can be printed by the CLI,
tested, and read in a notebook.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from jacobian_bp.chain.approaches import CHAIN_METHODS, chain
from jacobian_bp.chain.jacobian import Jacobian, subscript, superscript
from jacobian_bp.chain.jacobian_chain import display_name, jacobian_chain
from jacobian_bp.display.words import counted
from jacobian_bp.methods.checking import compare
from jacobian_bp.methods.gradient import gradient
from jacobian_bp.network import affine
from jacobian_bp.network.mlp import MLP, notes_network

Array = np.ndarray

#: The fixed example of the walkthrough: x = (x₁, x₂) and its target t.
EXAMPLE_X = (1.0, 0.5)
EXAMPLE_T = 1.0


def fmt(array: Array | float, indent: int = 4) -> str:
    """An array printed compactly, each line indented.

    >>> print(fmt(np.array([[1.0, 0.123456], [0.0, -2.0]]), indent=2))
      [[ 1.      0.1235]
       [ 0.     -2.    ]]
    """
    text = np.array2string(np.asarray(array), precision=4, suppress_small=True, max_line_width=100)
    return "\n".join(" " * indent + line for line in text.splitlines())


def _heading(title: str) -> str:
    return f"\n{title}\n{'─' * len(title)}"


def _describe(factor: Jacobian) -> str:
    return (
        f"  {factor.name} ∈ {factor.notation}   shape {factor.shape}, {factor.structure}, "
        f"{factor.nonzero_entries} of {counted(factor.stored_entries, 'entry', 'entries')} non-zero"
    )


def walkthrough(net: MLP | None = None, x: Sequence[float] = EXAMPLE_X, t: float = EXAMPLE_T) -> str:
    """Every step of the notes for one example, as text.

    >>> text = walkthrough()
    >>> "R^{3×(3×2)}" in text and "all agree" in text
    True
    """
    net = notes_network() if net is None else net
    x_array, t_array = np.asarray(x, dtype=float), np.atleast_1d(np.asarray(t, dtype=float))
    trace = net.forward(x_array)
    out: list[str] = [
        "jacobian_bp walkthrough — backpropagation the long way, for the notes' 2-3-1 network",
        f"network: {net}",
    ]
    out.append(_heading("1. Parameters"))
    for name, value in net.params.items():
        out += [f"  {display_name(name)} {value.shape}:", fmt(value)]

    out.append(_heading("2. Forward pass (what the backward pass will need is stored)"))
    out += [f"  x = {fmt(x_array, 0)}   t = {fmt(t_array, 0)}"]
    for k in range(1, net.depth + 1):
        previous = "x" if k == 1 else f"h{_sup(k - 1)}"
        output = "z" if k == net.depth else f"h{_sup(k)}"
        activation = net.layer_activation(k).name
        out.append(f"  a{_sup(k)} = W{_sup(k)} {previous} + b{_sup(k)} = {fmt(trace.a[k], 0)}")
        out.append(f"  {output} = {activation}(a{_sup(k)}) = {fmt(trace.h[k], 0)}")
    out.append(f"  J = ½ (t − z)² = {net.loss(x_array, t_array):.6f}")
    out.append("  kept for the backward pass: every a^k (for f'(a^k)) and every h^k (for the outer products)")

    chain_ = jacobian_chain(net, x_array, t_array, wrt="W1", loss="mse")
    out.append(_heading("3. The chain of local Jacobians for ∂J/∂W¹"))
    out += [str(chain_), "", "  each factor in full:"]
    for factor in chain_.factors:
        out += [_describe(factor), fmt(factor.array, 6)]

    d_a_d_W = chain_.factors[-1]
    out.append(_heading("4. The tensor ∂a¹/∂W¹: three slices ∂a¹ᵢ/∂W¹, each 3×2"))
    for i in range(d_a_d_W.out_shape[0]):
        out += [f"  ∂a¹{_sub(i + 1)}/∂W¹ =", fmt(d_a_d_W.array[i], 6)]
    out += ["  flattened to its matrix form (3 × 6), each row one slice read row by row:", fmt(d_a_d_W.matrix, 6)]

    out.append(_heading("5. Contracting the chain three ways"))
    results = {method: chain_.contract(method=method) for method in CHAIN_METHODS}
    for method, result in results.items():
        out += [f"  {method:<8} ∂J/∂W¹ =", fmt(result.array, 6)]
    spread = max(np.max(np.abs(r.array - results["reshape"].array)) for r in results.values())
    out.append(f"  largest difference between the three: {spread:.1e}")

    out.append(_heading("6. The shortcuts: outer product and Algorithm 6.4"))
    d_J_d_h = chain(*chain_.factors[:3])
    sigma_prime = np.diagonal(chain_.factors[3].array)
    g = d_J_d_h.array * sigma_prime
    out += [
        "  ∂J/∂h¹ = ∂J/∂z · ∂z/∂a² · ∂a²/∂h¹  (a 1×3 row) =",
        fmt(d_J_d_h.array, 6),
        "  times the diagonal ∂h¹/∂a¹ is the element-wise product with σ'(a¹):  g = ∂J/∂h¹ ⊙ σ'(a¹) =",
        fmt(g, 6),
        "  outer product gᵀ xᵀ (3×1 times 1×2) = ∂J/∂W¹ without ever forming the 3×(3×2) tensor:",
        fmt(affine.vjp_W(x_array, g), 6),
    ]
    backprop = gradient(net, x_array, t_array, method="backprop")
    out.append("  Algorithm 6.4 (column vectors, g reused layer to layer) gives every gradient at once:")
    for name, value in backprop.items():
        out += [f"    ∂J/∂{display_name(name)} =", fmt(value, 6)]

    out.append(_heading("7. Finite differences, the referee"))
    numeric = gradient(net, x_array, t_array, method="numeric")
    out += ["  (J(θ + ε) − J(θ − ε)) / 2ε for every entry of W¹:", fmt(numeric["W1"], 6)]

    out.append(_heading("8. Every method side by side"))
    out.append(str(compare(net, x_array, t_array)))
    return "\n".join(out)


def _sup(k: int) -> str:
    return superscript(k)


def _sub(i: int) -> str:
    return subscript(i)
