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

from ..model import Finding
from ..parse.frontmatter import Document
from ..rules import RULES

# Measured with Python-Markdown 3.11 and this site's extensions (see
# tests/test_bounded.py and docs/rules.md): a line of 2,000 characters renders
# in well under a tenth of a second whatever it holds, once the scans below
# are bounded; a paragraph written as one line of ~330 words still fits.
MAX_LINE_CHARS: Final = 2_000
# Characters Markdown may scan for closing brackets, parentheses and '>':
# about half a second of rendering. Ordinary prose uses a few thousand.
MAX_SCAN_CHARS: Final = 1_000_000
# Inline markup characters per body: each can make an element; 20,000 at
# their densest ('*a*a...') rendered in under 2 s on a busy machine. A long
# postmortem uses a few hundred.
MAX_MARKUP_CHARS: Final = 20_000
MARKUP: Final = "*_`[]<&\\"
# Levels of lists, quotes and admonitions: Python-Markdown recurses once per
# level, and 400 levels of list ended in RecursionError; 64 levels rendered
# without trouble, so 32 leaves room for other plugins' extensions.
MAX_NESTING: Final = 32
# Each level re-reads the text inside it: 2 MiB of lists nested 32 deep took
# 48 s, of quotes 130 s. Levels times characters, summed over lines, is
# limited to what renders in a few seconds; a long postmortem with lists
# three deep spends about 100,000.
MAX_NESTING_WORK: Final = 1_000_000
_NESTED_LINE: Final = re.compile(r"^[ \t>]+", re.M)

# One pass over the characters that start or end a scan. An escaped
# character is skipped as Markdown skips it; a blank line ends a paragraph,
# and with it the bracket scans (not the HTML parser's, which reads the
# whole document).
_EVENTS: Final = re.compile(r"\\.|\n[ \t]*(?=\n)|[\[\]()>]|<[A-Za-z/!?]")


def _scan_cost(body: str, budget: int) -> int | None:
    """Where in `body` the characters Markdown would scan for closing
    brackets, link parentheses and tag ends pass `budget` (the first opening
    of the paragraph or tag run that does it), else None. What open ones
    have scanned so far counts at once, so a long run stops the count early."""
    cost = 0
    brackets: list[int] = []  # open '[' of the paragraph
    parens: list[tuple[int, bool]] = []  # open '(' and whether it follows a ']'
    closed_at = -2  # where the last ']' closed a '['
    # Open '[' and link '(' of the paragraph, and open '<tag' since the last
    # '>': how many, and the sum of their offsets.
    opens = open_sum = tags = tag_sum = 0
    first_tag = 0

    for m in _EVENTS.finditer(body):
        pos = m.start()
        if cost + opens * pos - open_sum + tags * pos - tag_sum > budget:
            return _first(brackets, parens, first_tag if tags else pos)
        c = body[pos]
        if c == "[":
            brackets.append(pos)
            opens += 1
            open_sum += pos
        elif c == "]":
            if brackets:
                start = brackets.pop()
                opens -= 1
                open_sum -= start
                cost += pos - start
                closed_at = pos
        elif c == "(":
            link = pos == closed_at + 1
            parens.append((pos, link))
            if link:
                opens += 1
                open_sum += pos
        elif c == ")":
            if parens:
                start, link = parens.pop()
                if link:
                    opens -= 1
                    open_sum -= start
                    cost += pos - start
        elif c == ">":
            cost += tags * pos - tag_sum
            tags = tag_sum = 0
        elif c == "<":
            if not tags:
                first_tag = pos
            tags += 1
            tag_sum += pos
        else:  # a blank line ends the paragraph and its scans
            cost += opens * pos - open_sum
            brackets.clear()
            parens.clear()
            opens = open_sum = 0
    end = len(body)
    if cost + opens * end - open_sum + tags * end - tag_sum > budget:
        return _first(brackets, parens, first_tag if tags else end)
    return None


def _first(brackets: list[int], parens: list[tuple[int, bool]], fallback: int) -> int:
    """The earliest opening still waiting for its end, else `fallback`."""
    waiting = [*brackets[:1], *(p for p, link in parens if link)][:2]
    return min([*waiting, fallback])


def _line_at(doc: Document, offset: int) -> int:
    return doc.body_line + doc.body.count("\n", 0, offset)


def _long_lines(doc: Document) -> Iterator[Finding]:
    rule = RULES["line-too-long"]
    if len(doc.body) <= MAX_LINE_CHARS:
        return  # no line can be too long: most postmortems
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


def _too_deep(doc: Document) -> Finding | None:
    body = doc.body
    work = 0
    # Only indented or quoted lines are nested; the others cost nothing here,
    # and most lines of a postmortem are not nested.
    for m in _NESTED_LINE.finditer(body):
        prefix = m.group()
        marks = prefix.count(">")
        depth = marks + (len(prefix.expandtabs(4)) - marks) // 4
        if not depth:
            continue
        end = body.find("\n", m.end())
        work += depth * ((len(body) if end < 0 else end) - m.start() + 1)
        if work > MAX_NESTING_WORK:
            return RULES["body-too-complex"].finding(
                doc.path,
                _line_at(doc, m.start()),
                1,
                f"by this line, nested lists, quotes and admonitions hold more than "
                f"{MAX_NESTING_WORK:,} characters times their levels of nesting, which "
                "Markdown reads once per level: flatten them or split the postmortem",
            )
        if depth > MAX_NESTING:
            return RULES["body-too-complex"].finding(
                doc.path,
                _line_at(doc, m.start()),
                1,
                f"this line is nested {depth} levels deep (indentation of four spaces or "
                f"'>' each); the limit is {MAX_NESTING}: flatten the lists or quotes, and put "
                "deeply indented code in a fenced block",
            )
    return None


def check_body(doc: Document) -> list[Finding]:
    """Findings of the body's size limits, before Markdown renders it."""
    findings = list(_long_lines(doc))
    rule = RULES["body-too-complex"]
    deep = _too_deep(doc)
    if deep is not None:
        findings.append(deep)
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
