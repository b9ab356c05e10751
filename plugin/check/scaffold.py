"""`scaffold-text`: a final postmortem that still holds a prompt `postmortems new`
wrote for its author to replace.

The prompts are read from `web/authoring.py`, where `new` takes them, so a
reworded prompt is caught without a second copy here. A prompt is known by
its opening words (a piece of a prompt that the scaffold fills in, such as
the list of layers, splits it), looked for in each front-matter text and
each body line with runs of spaces made one: an author who kept the prompt
kept its first words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import Any, Final

from ..model import Finding, JsonPath
from ..parse.frontmatter import Document
from ..rules import RULES
from ..schema_messages import describe

# Enough words that no sentence of a real postmortem repeats them by chance.
OPENING_WORDS: Final = 6
_FILLED_IN: Final = "{layers}"


@cache
def openings() -> tuple[str, ...]:
    """The opening words of every prompt `postmortems new` writes."""
    # Imported here: authoring builds on the library loader, which runs
    # these checks, so a module-level import would be circular.
    from ..web.authoring import (
        ACTION_TITLE,
        HARM_AFFECTED,
        OTHER_SECTION_PROMPT,
        RULED_OUT_REASON,
        SECTION_PROMPTS,
        SUMMARY_PLACEHOLDER,
    )

    # The commented stubs' placeholders too: uncommented as they are, they
    # would pass for a reason, a harm or a fix.
    prompts = [
        SUMMARY_PLACEHOLDER,
        OTHER_SECTION_PROMPT,
        RULED_OUT_REASON,
        HARM_AFFECTED,
        ACTION_TITLE,
    ]
    prompts += SECTION_PROMPTS.values()
    found: dict[str, None] = {}
    for prompt in prompts:
        for piece in prompt.split(_FILLED_IN):
            words = piece.split()
            if len(words) >= OPENING_WORDS:
                found[" ".join(words[:OPENING_WORDS])] = None
    return tuple(found)


@cache
def _any_opening() -> re.Pattern[str]:
    """Any opening, its words apart by any run of spaces (`\\s` is the
    whitespace `str.split` splits at): one pass over a text as written.
    Most texts hold none, and making each one's spaces single to look for
    each opening in turn was most of this check."""
    return re.compile("|".join(r"\s+".join(map(re.escape, o.split(" "))) for o in openings()))


def _kept(text: str) -> str | None:
    if _any_opening().search(text) is None:
        return None
    flat = " ".join(text.split())
    return next((o for o in openings() if o in flat), None)


def _texts(value: Any, where: JsonPath = ()) -> Iterator[tuple[JsonPath, str]]:
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str):
                yield from _texts(item, (*where, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _texts(item, (*where, i))


def check_scaffold(doc: Document, data: dict[str, Any]) -> list[Finding]:
    """Every front-matter value and body line of a final postmortem that
    still holds a prompt of `postmortems new`."""
    if data.get("status") != "final":
        return []
    rule = RULES["scaffold-text"]
    findings: list[Finding] = []
    for where, text in _texts(data):
        opening = _kept(text)
        if opening is not None:
            pos = doc.yaml.values.get(where) or doc.yaml.position(where)
            findings.append(
                rule.finding(
                    doc.path,
                    pos.line,
                    pos.column,
                    f"{describe(where)} still holds the prompt of 'postmortems new' that "
                    f"begins '{opening}'; write the postmortem's own text in its place",
                )
            )
    for offset, line in enumerate(doc.body.splitlines()):
        opening = _kept(line)
        if opening is not None:
            findings.append(
                rule.finding(
                    doc.path,
                    doc.body_line + offset,
                    1,
                    f"the body still holds the prompt of 'postmortems new' that begins "
                    f"'{opening}'; replace it with what happened here, or delete it",
                )
            )
    return findings
