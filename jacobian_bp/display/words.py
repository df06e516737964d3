"""Counted nouns for messages and tables: ``1 example``, ``4 examples``, ``1 multiply-add``."""

from __future__ import annotations


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` followed by ``noun``, in the plural unless ``n`` is exactly 1.

    The plural is ``noun + "s"`` unless given.

    >>> counted(1, "example"), counted(4, "example"), counted(0, "entry", "entries")
    ('1 example', '4 examples', '0 entries')
    """
    return f"{n} {noun if n == 1 else plural or noun + 's'}"
