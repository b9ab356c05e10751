"""The section a sentence sits in, for the blameless review.

Writers list their slips under headings ("What went wrong", "Mistakes",
"Mistake #3: ...", "Regrets") in fragments with no subject: "Ran the
migration without a dry run", "Didn't test on mobile", "No backup branch
created". The same words in a timeline are steps, and the same section also
holds the system's faults ("Disk full", "Server ran out of memory"). So the
heading above a fragment tells what the fragment is, and the fragment's
verb tells whose act it is.

A document's outline is read once, in one pass over its lines, and only the
stretches under such a heading are kept, with the first words of each
sentence that starts in them: a sentence is found by where it is (in the
text the outline was read from) or, read alone, by its first words.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator
from typing import Final

from .blameless_clause import clause_blames
from .blameless_context import PASSIVE_COPULAS, LowerCaseWords, Sentences, Token

# Headings and the lines that act as headings: `#` headings; a line that is
# bold and nothing else ("**Mistakes**", "**What went wrong:**"); a short
# line ending with a colon ("What went wrong:"); a setext underline.
_HEADING_LINE: Final = re.compile(
    r"^[^\S\n]{0,3}+(?:"
    r"(?P<hashes>#{1,6}+)(?:[^\S\n]++(?P<atx>[^\n]*+))?+"
    r"|(?:(?:[-*+]|\d{1,3}[.)])[^\S\n]++)?+(?:\*\*|__)(?P<bold>[^*_\n]{1,120}+)(?:\*\*|__)[^\S\n]*+:?+[^\S\n]*+$"
    r"|(?:[-*+][^\S\n]++)?+(?P<label>[A-Za-z][^.!?:\n]{0,60}+):[^\S\n]*+$"
    r"|(?P<under>=++|-{2,}+)[^\S\n]*+$"
    r")",
    re.MULTILINE,
)
_BOLD_LEVEL: Final = 7
_LABEL_LEVEL: Final = 8
_LABEL_WORDS: Final = 6

# Headings over lists of a person's slips. "Lessons learned" and "root
# cause" head such lists too, but as often advice or a system's fault: a
# fragment under them counts only in a write-up that owns a slip elsewhere.
# A mistake in the singular heads a list when it is numbered or owned ("Mistake
# #3", "My biggest mistake"), not when it names the incident ("A costly mistake").
_SLIPS_HEADING: Final = re.compile(
    r"mistakes|(?:^|my|our|the|biggest|worst)[^\S\n]*+mistake(?![\w-])|mistake[^\S\n]*+(?:#|no\b|\d|:)"
    r"|blunders|regrets|screw[- ]?ups|fuck[- ]?ups|\boops"
    r"|(?:went|did|done|go|got|was)[^\S\n]++(?:\w++[^\S\n]++)?(?:wrong|badly|poorly)"
    r"|(?:didn't|did[^\S\n]++not)[^\S\n]++(?:go|work)"
    r"|(?:could|should)(?:[^\S\n]++have|'ve)[^\S\n]++(?:done|handled)[^\S\n]++(?:better|differently)"
    r"|\bmy[^\S\n]++(?:errors|failures|faults)|\bthe[^\S\n]++bad\b|\bwhere[^\S\n]++(?:i|we)[^\S\n]++failed"
)
_DOUBTFUL_HEADING: Final = re.compile(r"lessons?[^\S\n]++learn|root[^\S\n]++causes?")
# Headings that are no list of the writer's slips however they are worded:
# "What went right", "Mistakes we avoided", an AI agent's ("What the agent
# did wrong": the model layer's behaviour, as elsewhere in the review).
_NOT_SLIPS: Final = re.compile(
    r"avoid|right\b|(?<!not )well\b|prevent|\bai\b|agent|claude|assistant|copilot|\bbot\b|\bllm"
)
# A heading that numbers the writer's slips: "Mistake #3: ...", "Mistake 2 -".
_NUMBERED: Final = re.compile(
    r"(?:(?:my|our|the)[^\S\n]++)?+(?:(?:biggest|worst|first|second|third|last)[^\S\n]++)?+"
    r"(?:mistake|blunder|regret)[^\S\n]*+(?:#|no\.?+|number)?+[^\S\n]*+\d{1,3}+"
    r"[^\S\n]*+[:\u2013\u2014-]",
)
# The strength of a heading line that numbers a mistake: its own clause is the slip.
NUMBERED: Final = 3


# How many first words find a sentence read alone among its document's.
_KEY_WORDS: Final = 5
_WORD: Final = re.compile(r"[^\W_]++(?:'[^\W_]++)*+")
# Link targets and tags, which the text a sentence is read from drops.
_MARKUP: Final = re.compile(r"\]\([^()\n]{0,500}+\)|<[^<>\n]{0,300}+>|_")
# Where a sentence starts in a stretch, as the evaluation splits them: a
# line, or after the end of a sentence or of a label in it.
_STARTS: Final = re.compile(r"^|(?<=[.!?:])[^\S\n]++(?=[\"'(\[*_A-Z0-9])", re.MULTILINE)
_LIST_MARK: Final = re.compile(r"[^\S\n]*+(?:[-*+>]|\d{1,3}[.)]|#{1,6}+)[^\S\n]++")


def heading_strength(heading: str) -> int:
    """2 for a heading over a person's slips, 1 for one that may be, else 0."""
    low = heading.lower().replace("\u2019", "'").strip(" *_")
    if _NOT_SLIPS.search(low):
        return 0
    if _SLIPS_HEADING.search(low):
        return 2
    return 1 if _DOUBTFUL_HEADING.search(low) else 0


def _strongest(stack: list[tuple[int, int]]) -> int:
    return max((strength for _, strength in stack), default=0)


def _key(text: str) -> tuple[str, ...]:
    return tuple(w.lower() for w in _WORD.findall(_MARKUP.sub("", text), 0)[:_KEY_WORDS])


class Outline:
    """The stretches of one document under headings of a person's slips.
    `text`: the Markdown (or the narrative with its heading lines)."""

    def __init__(self, text: str, words: set[str] | None = None, folded: str | None = None) -> None:
        self.text = text
        # (start, end, strength) of each stretch, in order, none overlapping.
        self.starts: list[int] = []
        self.stretches: list[tuple[int, int, int]] = []
        self._keys: dict[tuple[str, ...], int] | None = None
        self._voice: str | None = None
        if _may_list_slips(text, words, folded):
            self._read(text)

    def _read(self, text: str) -> None:
        stack: list[tuple[int, int]] = []  # (level, strength) of the headings open
        last = 0
        previous_end = -1
        for m in _HEADING_LINE.finditer(text):
            level, title = self._heading(m, previous_end)
            previous_end = m.end()
            if not level:
                continue
            start = (
                m.start() if m.group("under") is None else text.rfind("\n", 0, m.start() - 1) + 1
            )
            self._close(last, start, _strongest(stack))
            while stack and stack[-1][0] >= level:
                stack.pop()
            # The heading line is under the headings above it; a numbered
            # mistake ("Mistake #3: Too focused on ...") is a slip of its own.
            numbered = _NUMBERED.match(title.lower().strip(" *_")) is not None
            self._close(start, m.end(), NUMBERED if numbered else _strongest(stack))
            strength = heading_strength(title)
            # A title "Lessons learned" frames the whole write-up, whose
            # timeline is no list of slips; a section of that name may be one.
            if level == 1 and strength == 1:
                strength = 0
            stack.append((level, strength))
            last = m.end()
        self._close(last, len(text), _strongest(stack))

    def _heading(self, m: re.Match[str], previous_end: int) -> tuple[int, str]:
        """(level, title) of a heading line, or (0, "") for a line that is none."""
        if m.group("hashes") is not None:
            return len(m.group("hashes")), m.group("atx") or ""
        if m.group("bold") is not None:
            return _BOLD_LEVEL, m.group("bold")
        if m.group("label") is not None:
            label = m.group("label")
            return (_LABEL_LEVEL, label) if len(label.split()) <= _LABEL_WORDS else (0, "")
        # A setext underline: the line above is the heading, if it is text.
        above_end = m.start() - 1
        if above_end <= 0 or above_end == previous_end:
            return 0, ""
        above = self.text[self.text.rfind("\n", 0, above_end) + 1 : above_end]
        if not above.strip() or _LIST_MARK.match(above):
            return 0, ""
        return (1 if m.group("under")[0] == "=" else 2), above

    def _close(self, start: int, end: int, strength: int) -> None:
        if strength and end > start:
            self.starts.append(start)
            self.stretches.append((start, end, strength))

    def strength_at(self, at: int) -> int:
        """The strength of the headings over place `at` of the text."""
        k = bisect_right(self.starts, at) - 1
        return self.stretches[k][2] if k >= 0 and at < self.stretches[k][1] else 0

    def strength_of(self, sentence: str) -> int:
        """The strength of the headings over a sentence read alone, found by
        its first words among the sentences of the stretches."""
        if self._keys is None:
            self._keys = dict(self._sentence_keys())
        return self._keys.get(_key(sentence), 0)

    def _sentence_keys(self) -> Iterator[tuple[tuple[str, ...], int]]:
        for start, end, strength in self.stretches:
            for line in self.text[start:end].split("\n"):
                body = line[m.end() :] if (m := _LIST_MARK.match(line)) else line
                for s in _STARTS.finditer(body):
                    if key := _key(body[s.end() : s.end() + 200]):
                        yield key, strength

    @property
    def voice(self) -> str:
        """Whose slips the write-up lists, as the kind of blame whose rewrite
        fits them: "self" when the writer writes "I" at least as often as
        "we", else "group-judgement", the kind of a team's own slip."""
        if self._voice is None:
            low = self.text.lower()
            mine = len(re.findall(r"(?<![\w'])(?:i|me|my|mine|myself)(?![\w-])", low))
            ours = len(re.findall(r"(?<![\w'])(?:we|us|our|ours|ourselves)(?![\w-])", low))
            self._voice = "self" if mine >= ours else "group-judgement"
        return self._voice


# Words a heading of slips has one of, and the words a line that lists a
# slip or numbers a mistake starts with: a document with none of either has
# no outline worth reading (most have none).
_HEADING_WORDS: Final = frozenset(
    """mistake mistakes wrong badly poorly regret regrets blunder blunders oops screwups
    fuckups bad failed errors failures faults didn't better lessons lesson root""".split()  # noqa: SIM905
)
# What each is looked for as: "lesson" finds "lessons" too, once.
_SEARCHED: Final = {
    word: word.rstrip("s") if word.endswith("s") else word for word in _HEADING_WORDS
}
# The first word of a line (a list of slips has one a line), past marks,
# emoji and a number.
_LINE_OPENER: Final = re.compile(r"\n[^\w\n]*+(?:\d{1,3}+[.)][^\w\n]*+)?+([a-z]++(?:'[a-z]++)?+)")
_FOLDED_WORD: Final = re.compile(r"\w+(?:'\w+)*")


def _may_list_slips(text: str, words: set[str] | None, folded: str | None) -> bool:
    """Whether `text` (folded `folded`, whose words are `words`, when known)
    has a heading of slips with a line or a sentence under it that may list
    one. Only the lines of the heading words are looked at, and only the
    section under such a line is read for its first words."""
    if folded is None:
        folded = text.lower().replace("\u2019", "'")
    if words is None:
        words = set(_FOLDED_WORD.findall(folded))
    for key in {_SEARCHED[word] for word in _HEADING_WORDS.intersection(words)}:
        at = folded.find(key)
        while at >= 0:
            start = folded.rfind("\n", 0, at) + 1
            end = folded.find("\n", at)
            end = len(folded) if end < 0 else end
            if _heading_like(folded, start, end):
                section = folded[start : _section_end(folded, start, end)]
                if _opens_a_slip(section):
                    return True
            at = folded.find(key, end)
    return False


def _heading_like(folded: str, start: int, end: int) -> bool:
    line = folded[start:end].strip()
    return (
        line.startswith(("#", "**", "__"))
        or "**" in line[:8]
        or line.endswith(":")
        or _UNDERLINE.match(folded, end + 1) is not None
    )


_UNDERLINE: Final = re.compile(r"[^\S\n]{0,3}+(?:=++|-{2,}+)[^\S\n]*+(?:\n|$)")
# The next `#` heading of a level at most 1 to 6, ending a section.
_NEXT_HEADING: Final = tuple(re.compile(rf"\n[^\S\n]{{0,3}}+#{{1,{n}}}+(?!#)") for n in range(1, 7))
_HASHES: Final = re.compile(r"[^\S\n]{0,3}+(#{1,6}+)")


def _section_end(folded: str, start: int, end: int) -> int:
    """Where the section under the line [start, end) ends, at the latest."""
    hashes = _HASHES.match(folded, start, end)
    level = len(hashes.group(1)) if hashes is not None else 6
    found = _NEXT_HEADING[level - 1].search(folded, end)
    return len(folded) if found is None else found.start()


def _opens_a_slip(section: str) -> bool:
    openers = _LINE_OPENERS.intersection(_LINE_OPENER.findall("\n" + section))
    # "No customer data was lost" opens many a line; "No backup created" few.
    return bool(openers - {"no"}) or (bool(openers) and _NO_WORK.search(section) is not None)


class DocumentWords(LowerCaseWords):
    """The lower-case words of a document, with the outline of its headings
    (`markdown`: the text the headings are read from, when the words are
    read from another form of it)."""

    def __init__(self, text: str, markdown: str | None = None) -> None:
        super().__init__(text)
        self._markdown = text if markdown is None else markdown
        self._outline: Outline | None = None

    def outline(self, words: set[str] | None = None, folded: str | None = None) -> Outline:
        """The outline, read once (`words` and `folded`: the folded words and
        text of the Markdown, when known)."""
        if self._outline is None:
            self._outline = Outline(self._markdown, words, folded)
        return self._outline

    @property
    def markdown(self) -> str:
        return self._markdown


# Past tenses of what a person chooses or does to a system: at the head of a
# fragment under a heading of slips, the writer's (or the team's) own act.
# Things' verbs ("crashed", "filled", "expired") are not here, and "ran" before
# "out" is a machine's ("Ran out of memory").
_LISTED_ACTS: Final = frozenset(
    """assumed trusted relied chose picked decided prioritized prioritised focused
    ignored skipped missed forgot neglected overlooked underestimated overestimated
    rushed accepted used ran executed pushed deployed merged committed applied deleted
    dropped removed released shipped published launched built wrote hardcoded copied
    left kept spent wasted waited delayed postponed tried started made took
    treated worked changed edited modified reused scoped planned designed hired
    promised thought believed declared disabled bypassed overrode typed pasted stored
    opted stopped abandoned procrastinated rewrote tested""".split()  # noqa: SIM905
)
# After such a word, a passive or a thing's act: "Executed as part of the test
# suite", "Ran out of disk", "Deployed by the pipeline", "Tested fine".
_NOT_AN_ACT_AFTER: Final = frozenset(
    ["as", "by", "out", "into", "fine", "ok", "okay", "successfully", "was", "were", ":"]
)
# Participles of people's work after "No <thing>": "No backup created", "No
# review done". "No backup was created" keeps its copula and tells a state.
_UNDONE_WORK: Final = frozenset(
    """created done written run performed taken made added set configured tested
    reviewed checked verified planned scheduled documented""".split()  # noqa: SIM905
)
_NOUN_WORDS: Final = 3
# The same, looked for in a section before it is split into sentences.
_NO_WORK: Final = re.compile(
    rf"(?<![\w-])no(?:[^\S\n]++[\w-]++){{1,{_NOUN_WORDS}}}?[^\S\n]++"
    rf"(?:{'|'.join(sorted(_UNDONE_WORK))})(?![\w-])"
)
_DENIALS: Final = frozenset(["did", "didn't", "never"])
_OPENERS: Final = _LISTED_ACTS | _DENIALS | {"no"}
_LINE_OPENERS: Final = _OPENERS | {"mistake", "mistakes", "blunder", "regret"}
# How a clause under a numbered mistake starts when it tells the writer's
# act or state ("Too focused on the technology", "Starting without users", "I
# never asked"); a noun alone ("Mistake #5: the launch") is left alone.
_OWN_OPENERS: Final = frozenset(["i", "we", "my", "our", "not", "didn't", "never", "too", "no"])
_LEAD_TOKENS: Final = 4
_LINE_CHARS: Final = 300


def _first_word(tokens: list[Token], i: int) -> int:
    """The index of the first word at or after tokens[i], past list marks,
    numbers and emoji, or -1."""
    for k in range(i, min(i + _LEAD_TOKENS, len(tokens))):
        if tokens[k].text[0].isalpha():
            return k
    return -1


def _fragment_blames(tokens: list[Token], f: int, lower_words: LowerCaseWords) -> bool:
    """Whether the fragment starting at tokens[f] tells a person's act or
    omission with its subject left out."""
    low = tokens[f].low
    after = tokens[f + 1].low if f + 1 < len(tokens) else ""
    if low in _LISTED_ACTS:
        return bool(after) and after not in _NOT_AN_ACT_AFTER
    if low in _DENIALS:
        # The heading owns the slip, as a confession elsewhere does for round
        # 4's reading: any act denied there is a slip listed ("Didn't test on mobile").
        return clause_blames(tokens, f, lower_words, confessed=lambda: True) is not None
    if low == "no":
        # A participle right after the thing: "No backup was created" tells a state.
        for k in range(f + 2, min(f + 2 + _NOUN_WORDS, len(tokens))):
            if tokens[k].low in _UNDONE_WORK:
                return True
            if not tokens[k].text[0].isalpha() or tokens[k].low in PASSIVE_COPULAS:
                return False
    return False


def _numbered_clause(tokens: list[Token], f: int) -> bool:
    low = tokens[f].low
    return low in _OWN_OPENERS or low in _LISTED_ACTS or (len(low) > 4 and low.endswith("ing"))


def section_hits(
    folded: str,
    words: set[str],
    sentences: Sentences,
    lower_words: LowerCaseWords,
    confessed: Callable[[], bool] | None,
) -> Iterator[tuple[int, int, str, str]]:
    """(start, end, rule, kind) of the slips listed without a subject under
    a heading of slips, and of the clauses filed under a numbered mistake.
    `confessed`: whether the document owns a slip of its writer's; None in
    the reading that asks it, which these hits take no part in."""
    if confessed is None:
        return
    text = sentences.text
    if isinstance(lower_words, DocumentWords):
        whole = text is lower_words.markdown
        outline = lower_words.outline(words, folded) if whole else lower_words.outline()
    else:
        whole, outline = True, Outline(text, words, folded)
    if not outline.stretches:
        return
    # Read alone, a sentence is found in its document by its first words,
    # once its first word says it may list a slip (most sentences do not).
    if not whole and not _may_list(folded, 0, whole):
        return
    alone = 0 if whole else outline.strength_of(text)
    spans = [(a, b) for a, b, _ in outline.stretches] if whole else [(0, len(text))]
    for a, b in spans:
        for start in _STARTS.finditer(text, a, b):
            at = start.end()
            strength = outline.strength_at(at) if whole else alone
            if not strength or (strength != NUMBERED and not _may_list(folded, at, whole)):
                continue
            i, tokens = sentences.around(at)
            if tokens and tokens[i].start < at:
                i += 1
            if i >= len(tokens):
                continue
            tok = _slip_listed(folded, sentences, tokens, i, strength, lower_words, confessed)
            if tok is not None:
                yield tok.start, tok.start + len(tok.text), "blameless-person", outline.voice


_OPENING: Final = re.compile(r"[a-z]++(?:'[a-z]++)?+")
_OPENING_CHARS: Final = 40
_LABEL_OPENERS: Final = frozenset(
    """mistake blunder regret my our the biggest worst first second third last""".split()  # noqa: SIM905
)


def _may_list(folded: str, at: int, whole: bool) -> bool:
    """Whether the first word from `at` may open a slip listed, or a numbered
    mistake in a sentence read alone (in a document, its heading says so)."""
    m = _OPENING.search(folded, at, at + _OPENING_CHARS)
    return m is not None and (m.group() in _OPENERS or (not whole and m.group() in _LABEL_OPENERS))


_NEXT_WORD: Final = re.compile(r"[^\W_]")


def _slip_listed(
    folded: str,
    sentences: Sentences,
    tokens: list[Token],
    i: int,
    strength: int,
    lower_words: LowerCaseWords,
    confessed: Callable[[], bool],
) -> Token | None:
    """The word to point at when the line or sentence starting at tokens[i]
    lists a slip, else None."""
    f = _first_word(tokens, i)
    if f < 0 or strength == 0:
        return None
    if any(t.text == "[" for t in tokens[i:f]):
        return None  # "[ ] Tested the restore": a checklist's item, still to do
    if strength == NUMBERED:
        # The clause after the label, which a colon may make a sentence of its own.
        label = _NUMBERED.match(folded, tokens[f].start, tokens[f].start + _LINE_CHARS)
        word = _NEXT_WORD.search(folded, label.end()) if label is not None else None
        if label is None or word is None or folded.find("\n", label.end(), word.start()) >= 0:
            return None
        k, after = sentences.around(word.start())
        return after[k] if _numbered_clause(after, k) else None
    if not _fragment_blames(tokens, f, lower_words):
        return None
    # Under "Lessons learned" only in a write-up that owns a slip (asked last:
    # it reads the document a second time).
    return tokens[f] if strength == 2 or confessed() else None
