"""The gradient *with* a mistake: each catalogue mistake as one change to the chain of local Jacobians.

A mistake in a hand derivation is a wrong local Jacobian (``f′(a)`` forgotten,
``σ′(a)(1 − σ(a))`` for ``σ′(a)``, ``(Wᵏ)ᵀ`` for ``Wᵏ``), a wrong weighting of
the examples (a sum for the mean, one example for all), a wrong forward pass
(``bʲ`` left out) or a wrong layout (the transpose). So each :class:`Variant`
takes the factor list of :mod:`jacobian_bp.chain.factors`, built on the
traced forward pass, and changes one thing — the network before the forward
pass, one local Jacobian, the batch weights, or the contracted result — and the
engine contracts the changed chain as usual. The same variants serve numbers
(a batch, :mod:`jacobian_bp.answers.numeric`) and symbols (one example,
:mod:`jacobian_bp.symbolic.answers`): only the way a chain is built and
contracted differs (:class:`Chains`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from typing import Protocol

import numpy as np

from jacobian_bp.answers.layout import transposed
from jacobian_bp.answers.verdict import Diagnosis
from jacobian_bp.chain.factors import Factor, net_factors
from jacobian_bp.chain.jacobian import superscript
from jacobian_bp.network.mlp import MLP, Trace

Array = np.ndarray

#: The name of the batch mean's factor ``∂J/∂J⁽ᵖ⁾``, first in the chain of a batch.
MEAN = "∂J/∂J⁽ᵖ⁾"


@dataclass(frozen=True)
class LocalJacobians:
    """A chain before it is multiplied out: every factor's entries, the batch weights, the forward pass.

    ``arrays[i]`` holds the entries of ``factors[i]`` (with a leading batch axis
    for a batch); ``weights`` is ``∂J/∂J⁽ᵖ⁾`` of a batch (``1/N`` each), or
    ``None`` for one example.

    >>> from jacobian_bp.answers.numeric import NumericChains
    >>> chains = NumericChains.of(jbp.notes_network(), [[1.0, 0.5], [0.0, 1.0]], [1.0, 0.0], "W2", "mse")
    >>> local = chains.local_jacobians(chains.net)
    >>> [f.name for f in local.factors], local.index("activation", 2)
    (['∂J/∂z', '∂z/∂a²', '∂a²/∂W²'], 1)
    >>> flipped = local.changed(0, lambda a: -a)  # t − z for z − t
    >>> bool(np.allclose(chains.contract(flipped), -chains.contract(local)))
    True
    """

    net: MLP
    trace: Trace
    factors: tuple[Factor, ...]
    arrays: tuple[Array, ...]
    weights: Array | None

    def index(self, kind: str, layer: int | None = None) -> int:
        """Position of the factor of this ``kind`` (and ``layer``) in the chain."""
        return factor_index(self.factors, kind, layer)

    def changed(self, index: int, change: Callable[[Array], Array]) -> LocalJacobians:
        """The same chain with ``factors[index]``'s entries replaced by ``change(entries)``."""
        arrays = list(self.arrays)
        arrays[index] = change(arrays[index])
        # the constructor, not dataclasses.replace: an edit search makes hundreds of thousands of these
        return LocalJacobians(self.net, self.trace, self.factors, tuple(arrays), self.weights)

    def weighted(self, weights: Array) -> LocalJacobians:
        """The same chain with other batch weights ``∂J/∂J⁽ᵖ⁾``."""
        return LocalJacobians(self.net, self.trace, self.factors, self.arrays, weights)


def factor_index(factors: tuple[Factor, ...], kind: str, layer: int | None = None) -> int:
    """Position of the factor of ``kind`` (and ``layer``) in a factor list.

    >>> factor_index(tuple(net_factors(jbp.notes_network(), "W1")), "activation", 1)
    3
    """
    return next(i for i, f in enumerate(factors) if f.kind == kind and (layer is None or f.layer == layer))


class Chains(Protocol):
    """How one checker builds a chain for a network and multiplies it out (numbers for a batch, or symbols)."""

    net: MLP

    def local_jacobians(self, net: MLP) -> LocalJacobians: ...

    def contract(self, local: LocalJacobians) -> Array: ...


@dataclass(frozen=True)
class Variant:
    """One catalogue mistake at one place, as a change to the chain (each hook is optional).

    ``network`` changes the network before the forward pass, ``local`` the built
    local Jacobians, ``layout`` the contracted result.

    >>> sign = variants(jbp.notes_network(), "b2", 1)[1]
    >>> sign.diagnosis.key, sign.local is not None, sign.network is None
    ('sign', True, True)
    """

    diagnosis: Diagnosis
    network: Callable[[MLP], MLP] | None = None
    local: Callable[[LocalJacobians], LocalJacobians] | None = None
    layout: Callable[[Array], Array] | None = None


def build(chains: Chains, variant: Variant | None = None) -> tuple[Array, MLP]:
    """The gradient of ``chains`` with ``variant``'s mistake (none: the truth), and the network it ran on.

    >>> from jacobian_bp.answers.numeric import NumericChains
    >>> net = jbp.notes_network()
    >>> chains = NumericChains.of(net, [1.0, 0.5], 1.0, "W1", "mse")
    >>> truth, _ = build(chains)
    >>> bool(np.allclose(truth, jbp.gradient(net, [1.0, 0.5], 1.0)["W1"], rtol=1e-12))
    True
    >>> flipped, _ = build(chains, variants(net, "W1", 1)[1])
    >>> bool(np.allclose(flipped, -truth))
    True
    """
    network = variant.network if variant is not None else None
    net, local = _built(chains, network)
    if variant is not None and variant.local is not None:
        local = variant.local(local)
    value = chains.contract(local)
    if variant is not None and variant.layout is not None:
        value = variant.layout(value)
    return value, net


#: Per chain (by id, the chain kept to check it): its network and local Jacobians, by the edit of the network
#: (``None``: the chain's own network).
_BUILT: dict[int, tuple[Chains, dict[Callable[[MLP], MLP] | None, tuple[MLP, LocalJacobians]]]] = {}


def _built(chains: Chains, network: Callable[[MLP], MLP] | None) -> tuple[MLP, LocalJacobians]:
    """The network ``network`` makes of the chain's (none: the chain's own) and its local Jacobians, built once
    per chain: every edit with the same forward pass starts from them (each edit makes new arrays, so sharing
    them is safe; a pair of edits made of one network edit has that very edit as its hook)."""
    cached = _BUILT.get(id(chains))
    if cached is None or cached[0] is not chains:
        if len(_BUILT) > 64:
            _BUILT.clear()
        cached = _BUILT[id(chains)] = (chains, {})
    by_network = cached[1]
    if network not in by_network:
        net = chains.net if network is None else network(chains.net)
        by_network[network] = (net, chains.local_jacobians(net))
    return by_network[network]


# ---------------------------------------------------------------------------------------------
# The catalogue, placed on one chain.


def variants(net: MLP, wrt: str, batch_size: int) -> list[Variant]:
    """Every catalogue mistake that can be made on the chain of ``∂J/∂wrt`` of ``net``, in catalogue order.

    ``batch_size`` 1 means one example: no batch weights to get wrong.

    >>> from collections import Counter
    >>> found = Counter(v.diagnosis.key for v in variants(jbp.notes_network(), "W1", 4))
    >>> found["scale"], found["one_example"], found["missing_activation_derivative"], found["bias_dropped"]
    (6, 4, 2, 2)
    >>> found = variants(jbp.notes_network(), "W1", 4)
    >>> sorted(v.diagnosis.detail["factor"] for v in found if v.diagnosis.key == "scale")
    [0.125, 0.25, 0.5, 2.0, 4.0, 8.0]
    """
    factors = tuple(net_factors(net, wrt))
    chain = _ChainNames(factors, batch_size)
    activation_layers = [f.layer for f in factors if f.kind == "activation"]
    found = [_transposed(wrt), _sign(chain), *_scales(chain, batch_size)]
    found += [v for j in activation_layers if (v := _missing_derivative(net, chain, j))]
    found += [_extra_one_minus_sigma(chain, j) for j in activation_layers if _activation(net, j) == "sigmoid"]
    found += [v for j in activation_layers if (v := _derivative_at_output(net, chain, j))]
    found += [_bias_dropped(j) for j in range(1, net.depth + 1)]
    found += [_transposed_weights(chain, f.layer) for f in factors if _square_weights(f)]
    found += [_one_example(chain, p, batch_size) for p in range(batch_size)] if batch_size > 1 else []
    return found + edits(net, wrt, batch_size)


def edits(net: MLP, wrt: str, batch_size: int) -> list[Variant]:
    """The edits of the chain beyond the classic catalogue: a factor left out or taken twice, a quantity
    replaced by its neighbour of the same kind (``f`` for ``f′``, ``a`` for ``h``, another layer, another
    unit, another example), the batch cut short. Constant factors (sign, scale, learning rate) are in :func:`variants`
    and :func:`jacobian_bp.answers.edits.multipliers`.

    >>> from collections import Counter
    >>> found = Counter(v.diagnosis.key for v in edits(jbp.notes_network(), "W2", 1))
    >>> found["doubled_factor"], found["missing_factor"], found["activation_for_derivative"], found["wrong_unit"]
    (3, 2, 1, 3)
    """
    factors = tuple(net_factors(net, wrt))
    chain = _ChainNames(factors, batch_size)
    found = [v for i in range(len(factors)) if (v := _missing_factor(chain, i))]
    found += [v for i in range(len(factors)) if (v := _doubled_factor(chain, i))]
    layers = [f.layer for f in factors if f.kind == "activation" and _differentiable(net, f.layer)]
    found += [_activation_for_derivative(net, chain, j) for j in layers]
    found += [_pre_activation(chain, f.layer) for f in factors if f.kind == "weight_tensor" and f.layer > 1]
    found += [_wrong_layer(net, chain, j, m) for j in layers for m in layers if m != j and _fits(net, j, m)]
    found += _wrong_units(net, chain)
    if batch_size > 1:
        found += [_cut_short(chain, p, d) for p in range(batch_size) for d in {batch_size - 1, batch_size} if d > 1]
        if any(f.kind == "weight_tensor" for f in factors):
            found += [_mispaired(chain, shift) for shift in range(1, min(batch_size, 3))]
    return found


@dataclass(frozen=True)
class _ChainNames:
    """A chain's factors by name, to show a student where an answer departs."""

    factors: tuple[Factor, ...]
    batch_size: int

    # cached: every edit's sentences ask for them, and there are hundreds of edits
    @cached_property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.factors)

    @cached_property
    def shown(self) -> tuple[str, ...]:
        """The factors as the chain of the batch mean writes them: ``∂J/∂J⁽ᵖ⁾ · ∂J⁽ᵖ⁾/∂z · …`` for a batch."""
        if self.batch_size == 1:
            return self.names
        return (MEAN, self.names[0].replace("∂J/", "∂J⁽ᵖ⁾/"), *self.names[1:])

    def marked(self, *positions: int) -> str:
        """The chain with the factors at ``positions`` (of :attr:`shown`) in brackets."""
        return " · ".join(f"[{n}]" if i in positions else n for i, n in enumerate(self.shown))

    def position(self, factor_index: int) -> int:
        """Where factor ``factor_index`` of the factor list sits in :attr:`shown`."""
        return factor_index + (0 if self.batch_size == 1 else 1)

    def name(self, factor_index: int) -> str:
        return self.shown[self.position(factor_index)]


def _activation(net: MLP, layer: int) -> str:
    return net.layer_activation(layer).name


def _f(net: MLP, layer: int) -> str:
    """How the notes write layer ``layer``'s activation: ``σ`` for the sigmoid."""
    name = _activation(net, layer)
    return "σ" if name == "sigmoid" else name


def _transposed(wrt: str) -> Variant:
    name = wrt[0] + superscript(int(wrt[1:]))
    diagnosis = Diagnosis(
        "transposed",
        {"parameter": wrt},
        f"the answer is the gradient laid out as its transpose; in numerator layout ∂J/∂{name} has the shape of "
        f"{name} itself (a scalar J differentiated by {name}), with no transposes.",
        "after the chain: the entries are right, their layout is the book's denominator layout",
    )
    return Variant(diagnosis, layout=transposed)


def _sign(chain: _ChainNames) -> Variant:
    diagnosis = Diagnosis(
        "sign",
        {"jacobian": chain.name(0)},
        "∂J/∂z was taken as t − z instead of z − t, which flips the sign of the whole gradient.",
        chain.marked(chain.position(0)),
    )
    loss = 0  # the loss factor is always the first of the list
    return Variant(diagnosis, local=lambda local: local.changed(loss, lambda a: -a))


_HALF = {
    Fraction(2): "the ½ of J = ½(t − z)² was dropped, so ∂J/∂z came out as 2(z − t)",
    Fraction(1, 2): "the ½ was applied twice, so ∂J/∂z came out as ½(z − t)",
}
_MEAN = {
    "N": "the examples' gradients were summed instead of averaged (the 1/N is missing)",
    "1/N": "the mean was taken twice (1/N²)",
}


def _scales(chain: _ChainNames, batch_size: int) -> list[Variant]:
    """Every constant factor a slip with the ½ of J or the 1/N of the mean can cause; equal factors merge."""
    N = Fraction(batch_size)
    mean_choices = [(Fraction(1), None)] + ([(N, "N"), (1 / N, "1/N")] if batch_size > 1 else [])
    by_factor: dict[Fraction, tuple[Fraction, Fraction, list[str], set[int]]] = {}
    for half, half_cause in [(Fraction(1), None), *_HALF.items()]:
        for mean, mean_key in mean_choices:
            factor = half * mean
            if factor == 1:
                continue  # no slip, or two slips that cancel
            causes = [c for c in (half_cause, _MEAN.get(mean_key or "")) if c]
            positions = {chain.position(0)} if half != 1 else set()
            positions |= {0} if mean != 1 else set()
            if factor in by_factor:
                by_factor[factor][2].append(" and ".join(causes))
                by_factor[factor][3].update(positions)
            else:
                by_factor[factor] = (half, mean, [" and ".join(causes)], positions)
    return [_scale(chain, factor, *entry) for factor, entry in by_factor.items()]


def _scale(
    chain: _ChainNames, factor: Fraction, half: Fraction, mean: Fraction, causes: list[str], positions: set[int]
) -> Variant:
    detail = {
        "factor": float(factor),
        "causes": tuple(causes),
        "jacobian": tuple(chain.shown[i] for i in sorted(positions)),
    }
    diagnosis = Diagnosis(
        "scale", detail, f"the answer is {factor} times the gradient: {'; or '.join(causes)}.", chain.marked(*positions)
    )

    def scaled(local: LocalJacobians) -> LocalJacobians:
        local = local.changed(0, lambda a: a * float(half)) if half != 1 else local
        if mean != 1 and local.weights is not None:
            local = local.weighted(local.weights * float(mean))
        return local

    return Variant(diagnosis, local=scaled)


def _activation_factor(local: LocalJacobians, layer: int) -> int:
    return local.index("activation", layer)


def _chain_activation(chain: _ChainNames, layer: int) -> int:
    """Index, in the factor list, of the activation Jacobian of ``layer``."""
    return factor_index(chain.factors, "activation", layer)


def _missing_derivative(net: MLP, chain: _ChainNames, layer: int) -> Variant | None:
    if _activation(net, layer) == "identity":
        return None  # its Jacobian is the identity already: leaving it out changes nothing
    index = _chain_activation(chain, layer)
    sup = superscript(layer)
    what = f"diag({_f(net, layer)}′(a{sup}))" if net.layer_activation(layer).elementwise else "softmax's Jacobian"
    diagnosis = Diagnosis(
        "missing_activation_derivative",
        {"layer": layer, "jacobian": chain.name(index)},
        f"the factor f′(a{sup}) of layer {layer} is missing: {chain.name(index)} was taken as the identity "
        f"instead of {what}.",
        chain.marked(chain.position(index)),
    )

    def identity(a: Array) -> Array:
        return np.broadcast_to(np.eye(a.shape[-1], dtype=a.dtype), a.shape).copy()

    return Variant(diagnosis, local=lambda local: local.changed(_activation_factor(local, layer), identity))


def _extra_one_minus_sigma(chain: _ChainNames, layer: int) -> Variant:
    index, sup = _chain_activation(chain, layer), superscript(layer)
    diagnosis = Diagnosis(
        "extra_one_minus_sigma",
        {"layer": layer, "jacobian": chain.name(index)},
        f"σ′(a{sup}) was multiplied once more by (1 − σ(a{sup})): {chain.name(index)} holds "
        f"σ′(a{sup})(1 − σ(a{sup})) where σ′(a{sup}) = σ(a{sup})(1 − σ(a{sup})) belongs — σ′ and its expansion "
        f"were both written, as in the notes' boxed ∂J/∂w²₁.",
        chain.marked(chain.position(index)),
    )

    def once_more(local: LocalJacobians) -> LocalJacobians:
        # σ(a) is what the forward pass stored as h: the extra factor is 1 − h, column by column.
        one_minus_h = 1 - local.trace.h[layer]
        return local.changed(_activation_factor(local, layer), lambda a: a * one_minus_h[..., None, :])

    return Variant(diagnosis, local=once_more)


def _derivative_at_output(net: MLP, chain: _ChainNames, layer: int) -> Variant | None:
    activation = net.layer_activation(layer)
    if not activation.elementwise or activation.name == "identity":
        return None
    index, sup, f = _chain_activation(chain, layer), superscript(layer), _f(net, layer)
    h = "z" if layer == net.depth else f"h{sup}"
    diagnosis = Diagnosis(
        "derivative_at_output",
        {"layer": layer, "jacobian": chain.name(index)},
        f"{f}′ was evaluated at the layer's output {h} instead of its pre-activation a{sup}: {chain.name(index)} "
        f"holds {f}′({h}) where {f}′(a{sup}) belongs.",
        chain.marked(chain.position(index)),
    )

    def at_output(local: LocalJacobians) -> LocalJacobians:
        h_values = local.trace.h[layer]
        return local.changed(
            _activation_factor(local, layer), lambda a: activation.jacobian(h_values, activation.value(h_values))
        )

    return Variant(diagnosis, local=at_output)


def _bias_dropped(layer: int) -> Variant:
    sup = superscript(layer)
    below = "x" if layer == 1 else f"h{superscript(layer - 1)}"
    diagnosis = Diagnosis(
        "bias_dropped",
        {"layer": layer, "parameter": f"b{layer}"},
        f"the forward pass left out b{sup}: a{sup} = W{sup}{below} without + b{sup}, so every value built from "
        f"a{sup} onwards is off.",
        f"before the chain: the forward pass, at a{sup}, from which the local Jacobians are built",
    )

    def without_bias(net: MLP) -> MLP:
        dropped = net.copy()
        dropped.params[f"b{layer}"] = net.params[f"b{layer}"] * 0  # numbers or symbols alike
        return dropped

    return Variant(diagnosis, network=without_bias)


def _square_weights(factor: Factor) -> bool:
    """Only a square ``Wᵏ`` (wider than 1×1) can be used transposed where ``Wᵏ`` belongs and still fit."""
    return factor.kind == "weights" and factor.out_shape == factor.in_shape and factor.out_shape[0] > 1


def _transposed_weights(chain: _ChainNames, layer: int) -> Variant:
    sup = superscript(layer)
    index = factor_index(chain.factors, "weights", layer)
    diagnosis = Diagnosis(
        "transposed_weight_in_backward",
        {"layer": layer, "jacobian": chain.name(index)},
        f"the running row g was multiplied by (W{sup})ᵀ instead of W{sup}: in the row layout "
        f"{chain.name(index)} = W{sup} itself, and the step is g ← g W{sup} (the book's W{sup}ᵀg, transposed).",
        chain.marked(chain.position(index)),
    )
    return Variant(
        diagnosis, local=lambda local: local.changed(local.index("weights", layer), lambda a: np.swapaxes(a, -1, -2))
    )


def _one_example(chain: _ChainNames, example: int, batch_size: int) -> Variant:
    diagnosis = Diagnosis(
        "one_example",
        {"example": example, "jacobian": MEAN},
        f"the answer is the gradient of example {example} alone (0-based), not the mean over the {batch_size} "
        f"examples of the batch.",
        chain.marked(0) + f"  (weight 1 on example {example} instead of 1/{batch_size} on each)",
    )

    def alone(local: LocalJacobians) -> LocalJacobians:
        assert local.weights is not None
        weights = np.zeros_like(local.weights)
        weights[example] = 1.0
        return local.weighted(weights)

    return Variant(diagnosis, local=alone)


# ---------------------------------------------------------------------------------------------
# Edits: one factor of the chain changed the way a hand derivation changes it.


def _differentiable(net: MLP, layer: int) -> bool:
    """Layers whose f′ is a diagonal a student writes entry by entry (not the identity, not softmax)."""
    activation = net.layer_activation(layer)
    return activation.elementwise and activation.name != "identity"


def _fits(net: MLP, layer: int, other: int) -> bool:
    """Whether ``f′(a^other)`` can stand where ``f′(a^layer)`` belongs: as wide, or one unit (a scalar)."""
    return net.sizes[other] in (net.sizes[layer], 1)


def _structure(factor: Factor) -> Array:
    """The 0/1 pattern of ``∂aᵏ/∂Wᵏ``: ``δ_ik`` for every column ``j``, where the entries hold ``hᵏ⁻¹_j``."""
    rows, cols = factor.in_shape
    return np.eye(rows)[:, :, None] * np.ones(cols)


#: What each factor holds, by kind, as a student writes it in one entry of the gradient.
_HOLDS = {"loss": "the loss derivative", "weights": "the weight", "weight_tensor": "the input"}


def _quantity(chain: _ChainNames, index: int) -> str:
    factor = chain.factors[index]
    sup = superscript(factor.layer)
    below = "x" if factor.layer == 1 else f"h{superscript(factor.layer - 1)}"
    return {
        "loss": "∂J/∂z (z − t for the squared error)",
        "activation": f"f′(a{sup})",
        "weights": f"W{sup}",
        "weight_tensor": below,
    }.get(factor.kind, factor.name)


def _missing_factor(chain: _ChainNames, index: int) -> Variant | None:
    factor = chain.factors[index]
    if factor.kind not in _HOLDS:
        return None  # activations: missing_activation_derivative; ∂a/∂b is the identity already
    quantity = _quantity(chain, index)
    diagnosis = Diagnosis(
        "missing_factor",
        {"jacobian": chain.name(index), "factor": quantity, "layer": factor.layer},
        f"the factor {quantity} ({_HOLDS[factor.kind]}) is missing: {chain.name(index)} was left out of the chain.",
        chain.marked(chain.position(index)),
        hidden=f"a factor is missing: {_HOLDS[factor.kind]} {quantity}, at {chain.name(index)}.",
    )

    def ones(a: Array) -> Array:
        if factor.kind == "weight_tensor":
            return np.broadcast_to(_structure(factor), a.shape).astype(a.dtype)
        return np.ones_like(a)

    return Variant(diagnosis, local=lambda local: local.changed(index, ones))


def _doubled_factor(chain: _ChainNames, index: int) -> Variant | None:
    factor = chain.factors[index]
    if factor.kind not in (*_HOLDS, "activation"):
        return None
    quantity = _quantity(chain, index)
    diagnosis = Diagnosis(
        "doubled_factor",
        {"jacobian": chain.name(index), "factor": quantity, "layer": factor.layer},
        f"the factor {quantity} was taken twice: {chain.name(index)} appears squared in the answer.",
        chain.marked(chain.position(index)),
        hidden=f"a factor was taken twice: {quantity}, at {chain.name(index)}.",
    )
    return Variant(diagnosis, local=lambda local: local.changed(index, lambda a: a * a))


def _activation_for_derivative(net: MLP, chain: _ChainNames, layer: int) -> Variant:
    index, sup, f = _chain_activation(chain, layer), superscript(layer), _f(net, layer)
    activation = net.layer_activation(layer)
    diagnosis = Diagnosis(
        "activation_for_derivative",
        {"layer": layer, "jacobian": chain.name(index), "replaced": f"{f}′(a{sup})", "by": f"{f}(a{sup})"},
        f"{f}(a{sup}) was written where {f}′(a{sup}) belongs: {chain.name(index)} holds the activation, not its "
        "derivative.",
        chain.marked(chain.position(index)),
        hidden=f"the function was written where its derivative belongs, at {chain.name(index)} (layer {layer}).",
    )

    def values(local: LocalJacobians) -> LocalJacobians:
        h = local.trace.h[layer]
        diagonal = np.eye(h.shape[-1]) * np.asarray(h)[..., None, :]
        return local.changed(local.index("activation", layer), lambda a: diagonal.astype(a.dtype))

    del activation
    return Variant(diagnosis, local=values)


def _pre_activation(chain: _ChainNames, layer: int) -> Variant:
    index = factor_index(chain.factors, "weight_tensor", layer)
    below = superscript(layer - 1)
    diagnosis = Diagnosis(
        "pre_activation_for_activation",
        {"layer": layer - 1, "jacobian": chain.name(index), "replaced": f"h{below}", "by": f"a{below}"},
        f"a{below} was used where h{below} belongs: {chain.name(index)} holds the layer's input h{below} = "
        f"f(a{below}), not its pre-activation.",
        chain.marked(chain.position(index)),
        hidden=f"the pre-activation a{below} was used where the activation h{below} belongs, at {chain.name(index)}.",
    )
    factor = chain.factors[index]

    def with_a(local: LocalJacobians) -> LocalJacobians:
        a_below = np.asarray(local.trace.a[layer - 1])
        return local.changed(index, lambda arr: (_structure(factor) * a_below[..., None, None, :]).astype(arr.dtype))

    return Variant(diagnosis, local=with_a)


def _wrong_layer(net: MLP, chain: _ChainNames, layer: int, other: int) -> Variant:
    index, f = _chain_activation(chain, layer), _f(net, layer)
    sup, other_sup = superscript(layer), superscript(other)
    activation = net.layer_activation(other)
    diagnosis = Diagnosis(
        "wrong_layer",
        {"layer": layer, "jacobian": chain.name(index), "replaced": f"{f}′(a{sup})", "by": f"{f}′(a{other_sup})"},
        f"{f}′(a{other_sup}) of layer {other} was used where {f}′(a{sup}) of layer {layer} belongs "
        f"({chain.name(index)}).",
        chain.marked(chain.position(index)),
        hidden=f"a quantity of layer {other} was used where layer {layer}'s belongs, at {chain.name(index)}.",
    )

    def borrowed(local: LocalJacobians) -> LocalJacobians:
        a, h = local.trace.a[other], local.trace.h[other]
        derivative = np.diagonal(activation.jacobian(a, h), axis1=-2, axis2=-1)  # f′(a^other), per unit
        width = net.sizes[layer]
        diagonal = np.eye(width) * np.broadcast_to(derivative, (*derivative.shape[:-1], width))[..., None, :]
        return local.changed(local.index("activation", layer), lambda arr: diagonal.astype(arr.dtype))

    return Variant(diagnosis, local=borrowed)


def _cut_short(chain: _ChainNames, left_out: int, divided_by: int) -> Variant:
    N = chain.batch_size
    diagnosis = Diagnosis(
        "batch_cut_short",
        {"example": left_out, "divided_by": divided_by, "jacobian": MEAN},
        f"example {left_out} (0-based) was left out of the batch: the other {N - 1} examples' gradients were "
        f"summed and divided by {divided_by}, where the mean is over all {N}.",
        chain.marked(0) + f"  (weight 0 on example {left_out}, 1/{divided_by} on the others)",
    )

    def short(local: LocalJacobians) -> LocalJacobians:
        assert local.weights is not None
        weights = np.full_like(local.weights, 1.0 / divided_by)
        weights[left_out] = 0.0
        return local.weighted(weights)

    return Variant(diagnosis, local=short)


def _mispaired(chain: _ChainNames, shift: int) -> Variant:
    index = next(i for i, f in enumerate(chain.factors) if f.kind == "weight_tensor")
    N = chain.batch_size
    diagnosis = Diagnosis(
        "mispaired_examples",
        {"shift": shift, "jacobian": chain.name(index)},
        f"each example's backward row was paired with the input of the example {shift} after it (example p with "
        f"example p + {shift} mod {N}) in {chain.name(index)}.",
        chain.marked(chain.position(index)),
    )
    return Variant(diagnosis, local=lambda local: local.changed(index, lambda a: np.roll(a, -shift, axis=0)))


#: Most exchanges of two units tried for one quantity; a wider quantity tries its nearest units first.
MAX_UNIT_SWAPS = 6


def unit_swaps(width: int) -> list[tuple[int, int]]:
    """The pairs of units (0-based) whose exchange is tried in a quantity of ``width`` units: all of them for
    a narrow quantity, else the :data:`MAX_UNIT_SWAPS` nearest (a slip of the index is a slip by one or two).

    >>> unit_swaps(3)
    [(0, 1), (1, 2), (0, 2)]
    >>> unit_swaps(8)
    [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 6)]
    """
    pairs = [(i, i + d) for d in range(1, width) for i in range(width - d)]
    return pairs[:MAX_UNIT_SWAPS]


def _wrong_units(net: MLP, chain: _ChainNames) -> list[Variant]:
    """Every quantity of the chain that is a vector of units, with two of its units exchanged.

    The input of ``∂J/∂Wᵏ`` (``x`` or ``hᵏ⁻¹``: a gradient entry paired with another input entry), the
    running row ``∂J/∂aᵏ`` at the parameter (another unit's delta), each ``f′(aʲ)``, and the columns of each
    ``Wʲ`` on the way down (``w²₂`` for ``w²₁``).
    """
    found = []
    for index, factor in enumerate(chain.factors):
        sup = superscript(factor.layer)
        if factor.kind == "weight_tensor":
            axes: dict[str, int | None] = {_quantity(chain, index): -1, f"∂J/∂a{sup}": -3}
        elif factor.kind == "bias":
            axes = {f"∂J/∂a{sup}": -2}
        elif factor.kind == "activation" and _differentiable(net, factor.layer):
            axes = {f"{_f(net, factor.layer)}′(a{sup})": None}  # None: both axes of the diagonal
        elif factor.kind == "weights":
            axes = {f"W{sup}": -1}
        else:
            continue
        for quantity, axis in axes.items():
            width = factor.in_shape[-1] if axis == -1 else factor.out_shape[0]
            found += [_wrong_unit(chain, index, quantity, axis, pair) for pair in unit_swaps(width)]
    return found


def _exchanged(array: Array, axis: int | None, first: int, second: int) -> Array:
    """``array`` with entries ``first`` and ``second`` of ``axis`` (counted from the end, past any batch axis)
    exchanged; ``None``: of both of its last axes, a diagonal's units.

    >>> _exchanged(np.diag([1.0, 2.0, 3.0]), None, 0, 2).diagonal().tolist()
    [3.0, 2.0, 1.0]
    """
    order = np.arange(array.shape[-1 if axis is None else axis])
    order[[first, second]] = order[[second, first]]
    if axis is None:
        return array[..., order, :][..., :, order]
    return np.take(array, order, axis=axis)


def _wrong_unit(chain: _ChainNames, index: int, quantity: str, axis: int | None, pair: tuple[int, int]) -> Variant:
    one, other = pair[0] + 1, pair[1] + 1
    name = chain.name(index)
    if quantity.startswith("∂J/∂"):
        how = f"the gradient's entries of unit {one} were computed with unit {other}'s delta (its entry of {quantity})"
    elif quantity.startswith("W"):
        how = f"columns {one} and {other} of {quantity} were exchanged on the way down"
    elif axis is None:
        how = f"unit {one}'s delta was multiplied by unit {other}'s derivative, entry {other} of {quantity}"
    else:
        how = f"the gradient's column {one} was computed with entry {other} of {quantity}"
    diagnosis = Diagnosis(
        "wrong_unit",
        {"quantity": quantity, "units": (one, other), "jacobian": name},
        f"units {one} and {other} of {quantity} were exchanged at {name}: {how}, and the other way round.",
        chain.marked(chain.position(index)),
        hidden=f"a quantity of another unit was used: two units of {quantity} exchanged, at {name}.",
    )
    return Variant(diagnosis, local=lambda local: local.changed(index, lambda a: _exchanged(a, axis, *pair)))
