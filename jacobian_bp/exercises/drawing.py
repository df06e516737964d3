"""Variants: a student's seed, and the numbers of a variant drawn from it, printed exactly as they are used.

Every number of a variant is drawn as a whole number of hundredths (numpy's
``default_rng``, integer draws only) and printed from that whole number, so
the statement is the same text on every machine and Python version, and the
network the checker uses holds exactly the printed values.
"""

from __future__ import annotations

import hashlib

import numpy as np

from jacobian_bp.errors import InvalidArgumentError
from jacobian_bp.exercises.exercise import Setting
from jacobian_bp.network.activations import sigmoid
from jacobian_bp.network.mlp import MLP, notes_network

Array = np.ndarray

#: Seeds are whole numbers in [0, SEEDS): nine digits, short enough to print on a sheet.
SEEDS = 10**9

#: How many significant digits a numeric exercise asks for (the exercises' checkers allow 0.1 %).
DIGITS = 4

#: The sentence every numeric exercise on the network ends with.
DIGITS_SENTENCE = f"Give each number to {DIGITS} significant digits."

#: The example of the walkthrough, on ``notes_network(seed=0)``: today's exercises.
X_EXAMPLE, T_EXAMPLE = np.array([1.0, 0.5]), np.array([1.0])
NET = notes_network(seed=0)

_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def seed_for(student: str) -> int:
    """The seed of a student's variant: a hash of their identifier (surrounding spaces ignored), stable everywhere.

    SHA-256 of the UTF-8 text, not Python's ``hash``, which changes from one run to the next.

    >>> jbp.exercises.seed_for("s1234567"), jbp.exercises.seed_for(" s1234567 ")
    (193120605, 193120605)
    """
    if not isinstance(student, str) or not student.strip():
        raise InvalidArgumentError(f"a student's identifier is a non-empty text, got {student!r}")
    digest = hashlib.sha256(student.strip().encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % SEEDS


def check_seed(seed: object) -> int:
    """``seed`` if it is a whole number in [0, :data:`SEEDS`), else :class:`InvalidArgumentError` saying so.

    >>> check_seed(12)
    12
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < SEEDS:
        raise InvalidArgumentError(f"a variant's seed is a whole number from 0 to {SEEDS - 1}, got {seed!r}")
    return int(seed)


def generator(seed: int, number: int) -> np.random.Generator:
    """The random numbers of exercise ``number`` in variant ``seed``: one stream per exercise, so that
    adding an exercise never changes another's numbers.

    >>> int(generator(3, 6).integers(100)) == int(generator(3, 6).integers(100))
    True
    """
    return np.random.default_rng([check_seed(seed), number])


def subscript(number: int) -> str:
    """``12`` as ``₁₂``.

    >>> subscript(12)
    '₁₂'
    """
    return str(number).translate(_SUBSCRIPTS)


def superscript(number: int) -> str:
    """``2`` as ``²``.

    >>> superscript(2)
    '²'
    """
    return str(number).translate(_SUPERSCRIPTS)


def hundredths(count: int) -> str:
    """A whole number of hundredths as text with two decimals, from the integer alone (no float formatting).

    >>> hundredths(-125), hundredths(7), hundredths(100)
    ('-1.25', '0.07', '1.00')
    """
    sign = "-" if count < 0 else ""
    return f"{sign}{abs(count) // 100}.{abs(count) % 100:02d}"


def array_text(counts: Array, prefix: str) -> str:
    """An array of hundredths as a nested list, columns aligned, continued lines indented under ``prefix``.

    >>> print("W = " + array_text(np.array([[37, -120], [5, 88]]), "W = "))
    W = [[ 0.37, -1.20],
         [ 0.05,  0.88]]
    """
    texts = np.vectorize(hundredths, otypes=[object])(counts)
    width = max((len(text) for text in texts.ravel()), default=0)
    if counts.ndim == 1:
        return "[" + ", ".join(text.rjust(width) for text in texts) + "]"
    rows = ["[" + ", ".join(text.rjust(width) for text in row) + "]" for row in texts]
    return "[" + (",\n" + " " * (len(prefix) + 1)).join(rows) + "]"


def _signed(rng: np.random.Generator, shape: tuple[int, ...], low: int, high: int) -> Array:
    """Hundredths of magnitude in [low, high], each with a random sign: never zero, never tiny."""
    magnitude = rng.integers(low, high, size=shape, endpoint=True)
    return magnitude * np.where(rng.integers(0, 2, size=shape) == 1, 1, -1)


def network_setting(rng: np.random.Generator | None) -> Setting:
    """The notes' 2-3-1 sigmoid network and one example: today's (seed 0, x = (1, 0.5), t = 1) or a variant's.

    A variant's weights are drawn in ±[0.10, 2.00] and its biases in [−1, 1], in
    hundredths; the inputs are two different numbers in ±[0.10, 1.50]; the
    target, in [0, 1], is at least 0.1 away from the output (else it is 0 or 1,
    whichever is further), so that the gradient is not tiny. ``words``:
    ``$parameters`` (the network and the example, printed) and ``$x``.

    >>> setting = network_setting(np.random.default_rng(1))
    >>> print(setting.words["parameters"].splitlines()[1])
      W1 = [[ 1.00,  1.07],
    >>> printed_x = [float(v) for v in setting.words["x"][1:-1].split(", ")]
    >>> float(setting.net.params["W1"][0, 0]), setting.x.tolist() == printed_x
    (1.0, True)
    """
    if rng is None:
        return Setting(words={"parameters": _todays_parameters(), "x": "(1, 0.5)"}, net=NET, x=X_EXAMPLE, t=T_EXAMPLE)
    counts = {
        "W1": _signed(rng, (3, 2), 10, 200),
        "b1": rng.integers(-100, 100, size=3, endpoint=True),
        "W2": _signed(rng, (1, 3), 10, 200),
        "b2": rng.integers(-100, 100, size=1, endpoint=True),
    }
    x_counts = _signed(rng, (2,), 10, 150)
    if x_counts[0] == x_counts[1]:
        x_counts[1] = -x_counts[1]
    net = MLP([2, 3, 1], params={name: value / 100 for name, value in counts.items()})
    x = x_counts / 100
    z = float(net.forward(x).z[0])
    t_count = int(rng.integers(0, 100, endpoint=True))
    if abs(t_count / 100 - z) < 0.1:
        t_count = 0 if z > 0.5 else 100
    x_text = f"({hundredths(int(x_counts[0]))}, {hundredths(int(x_counts[1]))})"
    lines = ["The network of this exercise (2 inputs, 3 sigmoid hidden units, 1 sigmoid output) has"]
    lines += [f"  {name} = " + array_text(value, f"  {name} = ") for name, value in counts.items()]
    lines.append(f"and the example is x = {x_text}, t = {hundredths(t_count)}.")
    words = {"parameters": "\n".join(lines), "x": x_text}
    return Setting(words=words, net=net, x=x, t=np.array([t_count / 100]))


def _todays_parameters() -> str:
    """The notes' network with seed 0, printed for a statement."""
    lines = ["The notes' network with seed 0 (jbp.notes_network(seed=0)) has"]
    for name, value in NET.params.items():
        prefix = f"  {name} = "
        lines.append(prefix + np.array2string(value, precision=6, separator=", ", floatmode="fixed", prefix=prefix))
    lines.append("and the example is x = (1, 0.5), t = 1.")
    return "\n".join(lines)


def significant(value: float, digits: int = DIGITS) -> str:
    """``value`` to ``digits`` significant digits (CPython's correctly rounded formatting, the same everywhere).

    >>> significant(-0.0123456), significant(1234.5)
    ('-0.01235', '1234')
    """
    return f"{value:#.{digits}g}".rstrip(".") if value != 0 else "0"


def sigma_prime(a: Array) -> Array:
    """σ′(a) = σ(a)(1 − σ(a)), written as σ(a)σ(−a) so that it keeps its value where σ(a) rounds to 1."""
    return sigmoid(a) * sigmoid(-a)
