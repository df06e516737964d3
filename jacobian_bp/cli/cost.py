"""The ``cost`` and ``plot`` subcommands: every path's cost and the chain orders as tables, and pictures.

Both default to the notes' 2-3-1 network and example; ``--sizes`` picks another.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from jacobian_bp.chain.budget import MAX_BYTES_ENV, check_budget, format_bytes
from jacobian_bp.chain.factors import INPUT_NAME
from jacobian_bp.chain.jacobian_chain import JacobianChain, display_name, jacobian_chain
from jacobian_bp.chain.order import ORDERS
from jacobian_bp.chain.output_chain import output_chain
from jacobian_bp.cli.options import (
    LARGER_BUDGET,
    MAX_DEPTH,
    MAX_FACTORS,
    add_command,
    bounded_depth,
    emit,
    non_negative_int,
    positive_float,
    positive_int,
    whole_number,
    width,
    writable_path,
)
from jacobian_bp.costs import Architecture, CostTable
from jacobian_bp.display.figures import MAX_FONT_SCALE, MIN_FONT_SCALE
from jacobian_bp.display.figures import SIZES as FIGURE_SIZES
from jacobian_bp.display.words import counted
from jacobian_bp.errors import InvalidArgumentError, UnknownNameError
from jacobian_bp.methods.gradient import METHODS
from jacobian_bp.network.losses import LOSSES, get_loss
from jacobian_bp.network.mlp import MLP, notes_network

Array = np.ndarray

#: The pictures ``jacobian-bp plot`` can draw.
PICTURES = ("jacobian", "chain", "slices", "network", "cost")
#: The flags each picture reads, beyond -o, --size and --font-scale: any other given is refused, never ignored.
_NETWORK_FLAGS = frozenset({"sizes", "activation", "output_activation", "seed"})
_CHAIN_FLAGS = _NETWORK_FLAGS | {"loss", "wrt", "batch"}
FLAGS_OF_PICTURE: dict[str, frozenset[str]] = {
    "network": _NETWORK_FLAGS,
    "chain": _CHAIN_FLAGS,
    "jacobian": _CHAIN_FLAGS | {"factor"},
    "slices": _CHAIN_FLAGS | {"factor"},
    "cost": frozenset({"widths", "depth", "batch"}),
}
#: Most examples ``plot chain --batch`` draws: a full-view chain holds N² blocks per factor.
MAX_PLOTTED_BATCH = 64
#: ``--wrt`` beyond the names ``jbp.jacobian_chain`` takes: the network's own ∂z/∂x, without the loss.
OUTPUT_CHAIN = "z/x"


def _add_network_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sizes",
        type=width,
        nargs="+",
        default=None,
        metavar="N",
        help="layer widths n0 n1 ... nL (default: the notes' 2 3 1 network)",
    )
    parser.add_argument("--activation", default="sigmoid", help="hidden activation (default sigmoid)")
    parser.add_argument("--output-activation", default=None, help="output activation (default: the hidden one)")
    parser.add_argument("--loss", default="mse", help=f"one of {', '.join(LOSSES)} (default mse)")
    parser.add_argument(
        "--seed", type=non_negative_int, default=0, help="seed of the parameters and the data (default 0)"
    )


def add_commands(commands: Any) -> None:
    """Add the ``cost`` and ``plot`` subparsers to ``commands`` (an argparse subparsers object)."""
    cost = add_command(
        commands,
        "cost",
        "Count what each gradient path and each chain's contraction order cost; --timings also runs them.",
        [
            "jacobian-bp cost --sizes 1 8 8 64 --activation tanh",
            "jacobian-bp cost --sizes 4 16 16 2 --batch 8 --timings",
        ],
        budget_advice="Use --methods outer backprop, which never materialize a Jacobian, smaller --sizes or "
        f"--batch, or {LARGER_BUDGET}",
    )
    _add_network_options(cost)
    cost.add_argument("--batch", type=positive_int(), default=1, help="examples in the batch (default 1)")
    cost.add_argument(
        "--timings",
        action="store_true",
        help="also run every path within the memory budget and show the seconds it took, row by row",
    )
    cost.add_argument(
        "--methods",
        nargs="+",
        default=list(METHODS),
        metavar="METHOD",
        help=f"paths to include (default all: {' '.join(METHODS)})",
    )
    cost.set_defaults(run=run_cost)

    plot = add_command(
        commands,
        "plot",
        "Draw the network, a Jacobian, its slices, a chain or the paths' costs as PDF, SVG or PNG (extra 'plot').",
        [
            "jacobian-bp plot network -o network.svg",
            "jacobian-bp plot slices --wrt W1 -o slices.pdf --size slide",
            "jacobian-bp plot chain --wrt W1 --batch 4 -o batch_chain.svg",
            "jacobian-bp plot jacobian --wrt W1 -o d_a_d_W.png",
            "jacobian-bp plot cost --widths 8 16 32 64 -o cost.png",
        ],
        budget_advice=f"Use smaller --sizes or --batch, or {LARGER_BUDGET}",
    )
    plot.add_argument("picture", choices=PICTURES, help="what to draw")
    plot.add_argument(
        "-o",
        "--output",
        type=writable_path,
        required=True,
        metavar="FILE",
        help="where to write it; the extension picks the format: .pdf, .svg (text kept as text) or .png",
    )
    _add_network_options(plot)
    plot.add_argument(
        "--wrt",
        default="W1",
        help="parameter (W1, b1, ...) or x whose chain ∂J/∂WRT to draw, as jbp.jacobian_chain takes it, "
        f"or {OUTPUT_CHAIN} for the network's own ∂z/∂x (default W1)",
    )
    plot.add_argument(
        "--factor",
        type=whole_number(-MAX_FACTORS, MAX_FACTORS - 1),
        default=-1,
        help="which factor of the chain `plot jacobian` and `plot slices` draw, 0 = ∂J/∂z (default -1, the last)",
    )
    plot.add_argument(
        "--widths",
        type=width,
        nargs="+",
        default=[8, 16, 32, 64, 128, 256],
        metavar="W",
        help="widths for `plot cost` (default 8 16 32 64 128 256)",
    )
    plot.add_argument("--depth", type=bounded_depth, default=3, help="layers of the network of `plot cost` (default 3)")
    plot.add_argument(
        "--batch",
        type=positive_int(),
        default=1,
        help="examples: `plot chain` and `plot jacobian` draw the chain of a batch of N (full view, both batch "
        f"axes; at most {MAX_PLOTTED_BATCH}); `plot cost` counts for this batch size (default 1)",
    )
    plot.add_argument(
        "--size",
        choices=tuple(FIGURE_SIZES),
        default="page",
        help="page (a documentation column), slide (a 1024×768 frame: every label ≥ 18 px) or poster (default page)",
    )
    plot.add_argument(
        "--font-scale",
        type=font_scale,
        default=1.0,
        metavar="S",
        help=f"multiply every font (and the shapes around it) by S, from {MIN_FONT_SCALE:g} to {MAX_FONT_SCALE:g} "
        "(default 1)",
    )
    picture_flags = set().union(*FLAGS_OF_PICTURE.values())
    plot.set_defaults(run=run_plot, plot_defaults={dest: plot.get_default(dest) for dest in picture_flags})


def network_and_data(args: argparse.Namespace, batch: int = 1) -> tuple[MLP, Array, Array]:
    """The network the options describe and ``batch`` examples for it (the notes' example by default)."""
    net = network_from(args)
    X, T = data_for(args, net, batch)
    return net, X, T


def network_from(args: argparse.Namespace) -> MLP:
    """The network ``--sizes``, ``--activation``, ``--output-activation``, ``--loss`` and ``--seed`` describe.

    Its parameters are checked against the memory budget before they are drawn.
    """
    if args.sizes is not None and not 2 <= len(args.sizes) <= MAX_DEPTH + 1:
        raise InvalidArgumentError(
            f"--sizes needs at least two positive layer widths n0 n1 ... nL (at most {MAX_DEPTH + 1}); "
            f"got {' '.join(map(str, args.sizes))}"
        )
    loss = get_loss(args.loss)
    output = args.output_activation or args.activation
    if loss.output_activation is not None and output != loss.output_activation:
        raise InvalidArgumentError(
            f"--loss {loss.name} needs --output-activation {loss.output_activation}; the output activation "
            f"here is {output}"
        )
    if args.sizes is None and args.activation == "sigmoid" and args.output_activation is None:
        return notes_network(seed=args.seed)
    sizes = args.sizes if args.sizes is not None else [2, 3, 1]
    check_budget("the network's parameters", (sum(m * (n + 1) for n, m in itertools.pairwise(sizes)),))
    return MLP(sizes, activation=args.activation, output_activation=args.output_activation, seed=args.seed)


def data_for(args: argparse.Namespace, net: MLP, batch: int) -> tuple[Array, Array]:
    """``batch`` examples and targets for ``net`` drawn from ``--seed`` (the notes' example for their network).

    The batch is checked against the memory budget before it is drawn.
    """
    if batch == 1 and args.sizes is None and args.activation == "sigmoid" and args.output_activation is None:
        from jacobian_bp.display.walkthrough import EXAMPLE_T, EXAMPLE_X

        return np.array(EXAMPLE_X), np.array([EXAMPLE_T])
    check_budget("the batch X", (batch, net.sizes[0]))
    loss = get_loss(args.loss)
    rng = np.random.default_rng(args.seed + 1)
    X = rng.normal(size=(batch, net.sizes[0]))
    outputs = net.sizes[-1]
    if loss.name == "cross_entropy":
        T = np.eye(outputs)[rng.integers(0, outputs, size=batch)]
    elif loss.name == "bce":
        T = rng.integers(0, 2, size=(batch, outputs)).astype(float)
    else:
        T = rng.normal(size=(batch, outputs))
    return (X[0] if batch == 1 else X), (T[0] if batch == 1 else T)


def order_table(net: MLP, x: Array, t: Array, loss: str) -> str:
    """Multiply-adds of each contraction order for every parameter's chain and for ``∂z/∂x``.

    >>> print(order_table(jbp.notes_network(), np.array([1.0, 0.5]), np.array([1.0]), "mse"))
    chain       reverse  forward  optimal  cheapest
    ∂J/∂W¹           31       84       31  reverse
    ∂J/∂b¹           22       42       22  reverse
    ∂J/∂W²            4        6        4  reverse
    ∂J/∂b²            2        2        2  reverse
    ∂z/∂x            18       26       17  mixed
    """
    chains: list[tuple[str, JacobianChain]] = [
        (f"∂J/∂{display_name(name)}", jacobian_chain(net, x, t, wrt=name, loss=loss)) for name in net.param_names
    ]
    chains.append(("∂z/∂x", output_chain(net, x)))
    lines = [f"{'chain':<10} {'reverse':>8} {'forward':>8} {'optimal':>8}  cheapest"]
    for label, chain in chains:
        costs = {order: chain.cost(order) for order in ORDERS}
        cheapest = (
            "reverse"
            if costs["reverse"] == costs["optimal"]
            else ("forward" if costs["forward"] == costs["optimal"] else "mixed")
        )
        lines.append(f"{label:<10} {costs['reverse']:>8} {costs['forward']:>8} {costs['optimal']:>8}  {cheapest}")
    return "\n".join(lines)


def run_cost(args: argparse.Namespace) -> str:
    """``jacobian-bp cost``: the cost table of the paths, then the orders table of one example's chains.

    With ``--timings`` every path is first checked against the memory budget;
    those over it are named at once and skipped, the others run, and each row
    is printed as soon as it is measured.
    """
    net = network_from(args)
    loss = get_loss(args.loss).name
    # The counts are arithmetic in the widths and the batch size: no batch is drawn unless --timings runs one.
    table = CostTable.predicted(Architecture.of(net, loss, args.batch), args.methods)
    x, t = data_for(args, net, 1)
    emit(f"{net!r}, loss {args.loss!r}, batch of {counted(args.batch, 'example')}")
    emit("")
    emit("gradient paths (counted cost; see jacobian_bp.costs for what is counted)")
    if args.timings:
        budget = table.skip_over_budget()  # before anything runs: say at once what will not
        if table.skipped:
            emit(
                f"not run: {', '.join(table.skipped)}, whose largest Jacobian is over the memory budget of "
                f"{format_bytes(budget)} (set {MAX_BYTES_ENV} to raise it)"
            )
        slow = _skip_per_entry_paths(table, net, args.methods)
        if slow:
            emit(
                f"not run: {', '.join(slow)}, which take a pass per parameter entry; name them in --methods to run them"
            )
        emit(table.header(timed=True))
        if len(table.skipped) < len(table.costs):  # a batch is drawn only for paths that will run
            X, T = (x, t) if args.batch == 1 else data_for(args, net, args.batch)
            table.measure(net, X, T, args.loss, budget, on_row=_row_printer(table))
        else:
            for cost in table.costs:
                emit(table.row(cost.method))
    else:
        emit(str(table))
    return "\n".join(
        [
            "",
            "contraction orders of one example's chains (multiply-adds of dense matrix products)",
            order_table(net, x, t, args.loss),
        ]
    )


#: Without ``--methods``, ``--timings`` leaves out the paths that take a pass per parameter entry above this many.
PER_ENTRY_LIMIT = 5_000
#: The work each of those paths does per parameter entry.
PER_ENTRY_WORK = {"scalar": "a forward sweep", "numeric": "two forward passes"}


def _skip_per_entry_paths(table: CostTable, net: Any, methods: list[str]) -> list[str]:
    """Mark ``scalar`` and ``numeric`` skipped on a large network unless ``--methods`` named them; return them.

    Each does a pass through the network per parameter entry, so their time grows with the square of the
    network: on 64-256-256-10 (85,002 parameters) ``numeric`` alone runs for many minutes.
    """
    count = sum(int(value.size) for value in net.params.values())
    if list(methods) != list(METHODS) or count <= PER_ENTRY_LIMIT:
        return []
    skipped = [method for method in PER_ENTRY_WORK if method in methods and method not in table.skipped]
    for method in skipped:
        table.skipped[method] = (
            f"{PER_ENTRY_WORK[method]} per parameter entry, {count:,} of them; name it in --methods to run it"
        )
    return skipped


def _row_printer(table: CostTable) -> Callable[[str], None]:
    """Print each finished row; on a terminal, say on stderr which path is being timed in the meantime."""
    from jacobian_bp.cli.progress import StatusLine

    status = StatusLine(sys.stderr) if sys.stderr.isatty() else None
    to_time = [cost.method for cost in table.costs if cost.method not in table.skipped]
    if status is not None and to_time:
        status.show(f"timing {to_time[0]} …")

    def print_row(method: str) -> None:
        if status is not None:
            status.clear()
        emit(table.row(method))
        later = to_time[to_time.index(method) + 1 :] if method in to_time else None
        if status is not None and later:
            status.show(f"timing {later[0]} …")

    return print_row


def font_scale(text: str) -> float:
    """An argparse ``type`` for ``--font-scale``: a number from :data:`MIN_FONT_SCALE` to :data:`MAX_FONT_SCALE`.

    >>> font_scale("1.5")
    1.5
    >>> font_scale("100")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be a number from 0.25 to 8, got '100'
    """
    value = positive_float(text)
    if not MIN_FONT_SCALE <= value <= MAX_FONT_SCALE:
        raise argparse.ArgumentTypeError(
            f"must be a number from {MIN_FONT_SCALE:g} to {MAX_FONT_SCALE:g}, got {text!r}"
        )
    return value


def _chain_to_draw(args: argparse.Namespace, net: MLP) -> JacobianChain:
    """The chain ``--wrt`` names, for one example or (``--batch N``) the full view of a batch of ``N``."""
    valid = [*net.param_names, INPUT_NAME, OUTPUT_CHAIN]
    if args.wrt not in valid:
        raise UnknownNameError.for_choice("parameter", args.wrt, valid)
    if args.batch > MAX_PLOTTED_BATCH:
        raise InvalidArgumentError(
            f"--batch {args.batch} is too many examples to draw: a full-view chain has a block per pair of "
            f"examples; draw at most {MAX_PLOTTED_BATCH}"
        )
    x, t = data_for(args, net, args.batch)
    if args.wrt == OUTPUT_CHAIN:
        if args.batch != 1:
            raise InvalidArgumentError(f"--wrt {OUTPUT_CHAIN} draws ∂z/∂x for one example; leave out --batch")
        return output_chain(net, x)
    return jacobian_chain(net, x, t, wrt=args.wrt, loss=args.loss)


def _refuse_unused_flags(args: argparse.Namespace) -> None:
    """Refuse a flag given a value that the chosen picture does not read (``plot cost --wrt W2``)."""
    used = FLAGS_OF_PICTURE[args.picture]
    unused = [
        dest for dest, default in args.plot_defaults.items() if dest not in used and getattr(args, dest) != default
    ]
    if unused:
        flags = ", ".join("--" + dest.replace("_", "-") for dest in sorted(unused))
        reads = ", ".join("--" + dest.replace("_", "-") for dest in sorted(used))
        raise InvalidArgumentError(f"`plot {args.picture}` does not use {flags}; it reads {reads}")


def run_plot(args: argparse.Namespace) -> str:
    """``jacobian-bp plot``: draw the picture, in the format the file's extension names, and say where it went."""
    from jacobian_bp.display import plots
    from jacobian_bp.display.figures import check_plot_path

    check_plot_path(args.output)  # an unknown format is refused before anything is computed
    _refuse_unused_flags(args)
    size = {"size": args.size, "font_scale": args.font_scale}
    if args.picture == "cost":
        plots.plot_cost(args.widths, depth=args.depth, batch=args.batch, path=args.output, **size)
        return f"wrote the cost of every path against width to {args.output}"
    net = network_from(args)
    if args.picture == "network":
        plots.plot_network(net, path=args.output, **size)
        return f"wrote the network {'-'.join(map(str, net.sizes))} to {args.output}"
    chain = _chain_to_draw(args, net)
    if args.picture == "chain":
        plots.plot_chain(chain, path=args.output, **size)
        examples = f", a batch of {args.batch} examples," if args.batch > 1 else ""
        return f"wrote the chain{examples} {chain.notation} to {args.output}"
    if not -len(chain) <= args.factor < len(chain):
        raise InvalidArgumentError(
            f"--factor {args.factor} is out of range: the chain has {len(chain)} factors, "
            f"so valid choices are 0..{len(chain) - 1} (or -{len(chain)}..-1 from the end)"
        )
    factor = chain.factors[args.factor]
    if args.picture == "slices":
        plots.plot_tensor_slices(factor, path=args.output, **size)
    else:
        plots.plot_jacobian(factor, path=args.output, **size)
    return f"wrote {factor.name} ∈ {factor.notation} to {args.output}"
