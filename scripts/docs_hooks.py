"""MkDocs hooks of the documentation site (`mkdocs.docs.yml`).

The rules reference and the options reference are written from the rule
registry (`plugin/rules.py`) and the options declaration
(`plugin/adapters/options.py`) each time the docs are built, so a rule or an
option cannot exist in the code without a line in the docs, and no table is
kept by hand beside the code it describes.

A page asks for a table with a marker on a line of its own:
`<!-- generated: rules -->` or `<!-- generated: options -->`.
"""

from __future__ import annotations

import ast
import html
import inspect
import json
import re
from collections.abc import Callable
from typing import Any

from mkdocs_postmortems.adapters import options
from mkdocs_postmortems.check.blameless import LEFT_ALONE
from mkdocs_postmortems.rules import GROUPS, RULES

MARKER = re.compile(r"^<!-- generated: ([a-z]+) -->$", re.MULTILINE)


def _cell(text: str) -> str:
    """Plain text as one Markdown table cell that renders as written."""
    # A cell is one line; a bare pipe would end it; `*.orig, *.rej` would
    # otherwise turn into emphasis, and `<tag` into HTML.
    text = html.escape(" ".join(text.split()), quote=False)
    return re.sub(r"([\\`*_\[\]|])", r"\\\1", text)


def _markdown_cell(text: str) -> str:
    """Markdown (a docstring, backticks and all) as one table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def rules_markdown() -> str:
    """One table per group of the registry, in the registry's order."""
    parts = []
    for group in GROUPS:
        rows = [
            "| rule | severity | what it catches |",
            "|---|---|---|",
        ]
        for rule in (r for r in RULES.values() if r.group == group):
            severity = str(rule.severity)
            if rule.draft_severity:
                severity += f" ({rule.draft_severity} in a draft)"
            what = rule.summary
            if rule.id in LEFT_ALONE:
                what += f"; leaves alone {LEFT_ALONE[rule.id]}"
            rows.append(f"| `{rule.id}` | {severity} | {_cell(what)} |")
        parts.append(f"### {group.capitalize()}\n\n" + "\n".join(rows))
    return "\n\n".join(parts)


def option_docstrings() -> dict[str, str]:
    """Each option's docstring, as written under it in `PostmortemsConfig`.

    MkDocs keeps no docstring of a config attribute at run time, so they are
    read from the source, the one place they are written.
    """
    tree = ast.parse(inspect.getsource(options))
    [cls] = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "PostmortemsConfig"]
    docs: dict[str, str] = {}
    for stmt, after in zip(cls.body, cls.body[1:], strict=False):
        if (
            isinstance(stmt, ast.Assign)
            and isinstance(stmt.targets[0], ast.Name)
            and isinstance(after, ast.Expr)
            and isinstance(after.value, ast.Constant)
            and isinstance(after.value.value, str)
        ):
            docs[stmt.targets[0].id] = inspect.cleandoc(after.value.value)
    return docs


def options_markdown() -> str:
    """A table of every option in declaration order: name, default, meaning."""
    docs = option_docstrings()
    rows = ["| option | default | what it does |", "|---|---|---|"]
    for name, option in options.PostmortemsConfig._schema:
        default = option.default
        # As the value would be written in mkdocs.yml (JSON is YAML's flow style).
        shown = "unset" if default is None else f"`{json.dumps(default)}`"
        if name not in docs:
            raise ValueError(f"option {name!r} has no docstring in PostmortemsConfig")
        rows.append(f"| `{name}` | {shown} | {_markdown_cell(docs[name])} |")
    return "\n".join(rows)


GENERATORS: dict[str, Callable[[], str]] = {
    "rules": rules_markdown,
    "options": options_markdown,
}


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    """Put each requested table in place of its marker, before Markdown renders the page."""

    def generated(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in GENERATORS:
            raise ValueError(f"no generated table called {name!r}")
        return GENERATORS[name]()

    return MARKER.sub(generated, markdown)
