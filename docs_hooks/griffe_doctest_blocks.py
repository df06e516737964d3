"""Griffe extension: show the package's reST-flavoured docstrings as clean Markdown.

The docstrings are written for ``pytest --doctest-modules`` and for ``help()``: ``>>>``
examples, ``::`` literal blocks, ``:func:`` roles and a reST simple table. Read as Markdown,
``>>>`` turns into nested quotes and the table into one paragraph. Before mkdocstrings renders
a docstring this extension fences each example as ``pycon`` and each table as text, drops the
roles' markup and turns ``::`` into ``:``. The docstrings themselves are not changed.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:func|class|meth|attr|data|mod|exc|obj):`~?([^`]+)`")
_TABLE_RULE = re.compile(r"^\s*=+( +=+)+\s*$")


def _fence_examples(lines: list[str]) -> list[str]:
    out: list[str] = []
    in_example = False
    for line in lines:
        starts_example = line.lstrip().startswith(">>>")
        if starts_example and not in_example:
            out += ["```pycon"]
            in_example = True
        elif in_example and not line.strip():
            out += ["```"]
            in_example = False
        out.append(line)
    if in_example:
        out.append("```")
    return out


def _fence_tables(lines: list[str]) -> list[str]:
    out: list[str] = []
    rules_seen = 0
    for line in lines:
        if _TABLE_RULE.match(line):
            if rules_seen == 0:
                out.append("```text")
            out.append(line)
            rules_seen += 1
            if rules_seen == 3:  # a simple table: top rule, header rule, bottom rule
                out.append("```")
                rules_seen = 0
            continue
        out.append(line)
    return out


def markdown_docstring(text: str) -> str:
    """The docstring ``text`` with examples and tables fenced, roles and ``::`` simplified.

    >>> print(markdown_docstring("Use :func:`chain`::\\n\\n    x\\n\\n>>> 1 + 1\\n2"))
    Use `chain`:
    <BLANKLINE>
        x
    <BLANKLINE>
    ```pycon
    >>> 1 + 1
    2
    ```
    """
    text = _ROLE.sub(r"`\1`", text)
    text = re.sub(r"(?<=\S)::$", ":", text, flags=re.MULTILINE)
    return "\n".join(_fence_examples(_fence_tables(text.splitlines())))


class DoctestBlocks(griffe.Extension):
    """Rewrite every docstring of the loaded package with :func:`markdown_docstring`."""

    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = markdown_docstring(obj.docstring.value)
