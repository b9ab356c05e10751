"""Limits on a postmortem's Markdown body that keep rendering it bounded.

Python-Markdown is not linear on hostile text: each '[' that is never closed
makes its link processors scan to the end of the paragraph, each '](' without
its ')' the same, and each '<' that opens a tag never closed makes the HTML
parser scan to the next '>' of the document (20 KB of '<a ' took 18 s, 8 KB of
'[' 21 s). Dense inline markup is costly even when linear (about 50 us per
character of '*a*a*a...'). These checks run before Markdown sees the body, in
lint and in the build (whose errors stop it before any page is rendered), and
each is linear in the body.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from .frontmatter import Document
from .model import Finding
from .rules import RULES

# Measured with Python-Markdown 3.11 and this site's extensions (see
# tests/test_bounded.py and the README): a line of 2,000 characters renders
# in well under a tenth of a second whatever it holds, once the scans below
# are bounded; a paragraph written as one line of ~330 words still fits.
MAX_LINE_CHARS: Final = 2_000
# Characters Markdown may scan for closing brackets, parentheses and '>':
# about half a second of rendering. Ordinary prose uses a few thousand.
MAX_SCAN_CHARS: Final = 1_000_000
# Inline markup characters per body: each can make an element; 20,000 render
# in about 2.5 s at their densest. A long postmortem uses a few hundred.
MAX_MARKUP_CHARS: Final = 20_000
MARKUP: Final = "*_`[]<&\\"

# One pass over the characters that start or end a scan. An escaped
# character is skipped as Markdown skips it; a blank line ends a paragraph,
# and with it the bracket scans (not the HTML parser's, which reads the
# whole document).
_EVENTS: Final = re.compile(r"\\.|\n[ \t]*(?=\n)|[\[\]()>]|<[A-Za-z/!?]")


def _scan_cost(body: str, budget: int) -> int | None:
    """Where in `body` the characters Markdown would scan for closing
    brackets, link parentheses and tag ends pass `budget` (the first opening
    of the paragraph or tag run that does it), else None."""
    cost = 0
    brackets: list[int] = []  # open '[' of the paragraph
    parens: list[tuple[int, bool]] = []  # open '(' and whether it follows a ']'
    closed_at = -2  # where the last ']' closed a '['
    tags = tag_sum = 0  # open '<tag' since the last '>': count and sum of offsets
    first_tag = 0

    def end_paragraph(end: int) -> tuple[int, int]:
        spent = sum(end - p for p in brackets) + sum(end - p for p, link in parens if link)
        first = min(brackets[:1] + [p for p, link in parens[:1]] + [end])
        brackets.clear()
        parens.clear()
        return spent, first

    for m in _EVENTS.finditer(body):
        pos = m.start()
        c = body[pos]
        at = pos
        if c == "[":
            brackets.append(pos)
        elif c == "]":
            if brackets:
                at = brackets.pop()
                cost += pos - at
                closed_at = pos
        elif c == "(":
            parens.append((pos, pos == closed_at + 1))
        elif c == ")":
            if parens:
                at, link = parens.pop()
                cost += pos - at if link else 0
        elif c == ">":
            cost += tags * pos - tag_sum
            at = first_tag
            tags = tag_sum = 0
        elif c == "<":
            if not tags:
                first_tag = pos
            tags += 1
            tag_sum += pos
        else:  # a blank line
            spent, at = end_paragraph(pos)
            cost += spent
        if cost > budget:
            return at
    end = len(body)
    spent, at = end_paragraph(end)
    cost += spent
    if cost > budget:
        return at
    cost += tags * end - tag_sum
    return first_tag if cost > budget else None


def _line_at(doc: Document, offset: int) -> int:
    return doc.body_line + doc.body.count("\n", 0, offset)


def _long_lines(doc: Document) -> Iterator[Finding]:
    rule = RULES["line-too-long"]
    for i, line in enumerate(doc.body.split("\n")):
        if len(line) > MAX_LINE_CHARS:
            yield rule.finding(
                doc.path,
                doc.body_line + i,
                MAX_LINE_CHARS + 1,
                f"this line is {len(line):,} characters long; body lines are limited to "
                f"{MAX_LINE_CHARS:,} characters so the page renders in bounded time: "
                "break it into shorter lines (a single line break does not show)",
            )


def check_body(doc: Document) -> list[Finding]:
    """Findings of the body's size limits, before Markdown renders it."""
    findings = list(_long_lines(doc))
    rule = RULES["body-too-complex"]
    body = doc.body
    markup = sum(body.count(c) for c in MARKUP)
    if markup > MAX_MARKUP_CHARS:
        findings.append(
            rule.finding(
                doc.path,
                doc.body_line,
                1,
                f"the body has {markup:,} Markdown markup characters ({' '.join(MARKUP)}); "
                f"the limit is {MAX_MARKUP_CHARS:,}, which keeps rendering bounded: "
                "attach long logs or data as files and link them",
            )
        )
    over = _scan_cost(body, MAX_SCAN_CHARS)
    if over is not None:
        findings.append(
            rule.finding(
                doc.path,
                _line_at(doc, over),
                1,
                "from here, '[' without its ']', '](' without its ')' or '<' without a "
                f"'>' would make Markdown scan more than {MAX_SCAN_CHARS:,} characters "
                "looking for their ends: close them, or write them as \\[ \\( \\<",
            )
        )
    return findings
