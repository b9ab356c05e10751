"""Blameless-language review: phrases that put blame on people, as warnings.

A postmortem that says "human error" or "should have" stops at a person
where it should go on to the conditions that made the outcome likely. This
module finds such phrases in the narrative (the body, the title, the summary
and the factor summaries) and says, in each warning, how to write it instead.

The phrase lists are data (`BLAMELESS_PHRASES`); a team adds its own through
the plugin option `blameless_phrases: {rule-id: [phrases]}`. Quoted material
is left alone: blockquotes, code, and text in "double" or “curly” quotes,
which is where a postmortem cites what someone else said.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, chain
from typing import Any, Final

from ..model import Finding, JsonPath, Position
from ..parse.frontmatter import Document, YamlData
from ..rules import RULES
from ..schema_messages import did_you_mean
from .blameless_clause import clause_hits, inflections
from .blameless_context import (
    LowerCaseWords,
    Sentences,
    counterfactual_blames,
    human_error_blames,
    is_name_token,
    judgement_hits,
    judges_a_thing,
    lazy_person,
    minimiser_blames,
    name_hits,
    overlook_blames,
    people_error_hits,
)
from .blameless_hindsight import hindsight_blames
from .blameless_learned import SLIPS
from .blameless_sections import DocumentWords, section_hits
from .blameless_verdict import verdict_hits

BLAMELESS_PHRASES: Final[dict[str, tuple[str, ...]]] = {
    "blameless-counterfactual": (
        "should have",
        "should've",
        "shouldn't have",
        "should not have",
        "could have",
        "could've",
        "couldn't have",
        "could not have",
        "would have",
        "would've",
        "wouldn't have",
        "would not have",
        "ought to have",
        "failed to",
        "failing to",
        "failure of",
        "neglected to",
        "if only",
        "had they",
        "had i",
        "if they had",
        "if he had",
        "if she had",
        "why didn't",
        "didn't bother",
        "never bothered",
        "nobody bothered",
        "no one bothered",
        "nobody thought to",
        "no one thought to",
        "should of",
        "could of",
    ),
    "blameless-human-error": (
        "human error",
        "operator error",
        "user error",
        "pilot error",
        "driver error",
        "staff error",
        "employee error",
        "clerical error",
        "human mistake",
        "human failure",
        "fat finger",
        "fat-fingered",
        "PEBKAC",
        "PEBCAK",
        "ID10T",
    ),
    "blameless-judgement": (
        "careless",
        "carelessly",
        "carelessness",
        "negligent",
        "negligently",
        "negligence",
        "sloppy",
        "sloppiness",
        "mismanaged",
        "mismanagement",
        "incompetent",
        "incompetence",
        "lazy",
        "laziness",
        "reckless",
        "recklessly",
        "irresponsible",
        "inattentive",
        "stupid",
        "dumb",
        "foolish",
        "blunder",
        "botched",
        "screwed up",
        "messed up",
        "dropped the ball",
        "asleep at the wheel",
        "poor judgement",
        "poor judgment",
        "lapse in judgement",
        "lapse in judgment",
        "should know better",
        "complacent",
        "complacency",
    ),
    "blameless-minimiser": (
        "just",
        "simply",
        "merely",
        "obviously",
        "obvious",
        "clearly",
        "of course",
        "easy",
        "easily",
        "trivial",
        "trivially",
        "everyone knows",
        "needless to say",
        "it goes without saying",
    ),
    # People are found by pattern (handles, e-mail addresses); phrases a team
    # adds here (names, say) are matched as well.
    "blameless-person": (),
}

# What each rule leaves alone, for the guide and the docs' rules page: the uses of
# its words that describe things, needs or hypotheses rather than blame.
LEFT_ALONE: Final[dict[str, str]] = {
    "blameless-counterfactual": (
        "things that failed (“the DNS record failed to resolve”), needs and plans "
        "(“workloads should have priority”), what a thing could have caused, "
        "questions a review asks (“consider whether the runbook should have been "
        "updated”), results a group did not reach (“we failed to reproduce the gain”), and "
        "what a missing thing would have cost (“without the pager we would have noticed it "
        "later”), a review's own questions (“what could we have done better?”, “how it could "
        "have been prevented”), and an opinion given in hindsight (“in hindsight, I would say”)"
    ),
    "blameless-human-error": (
        "a hypothesis recorded as such (“assumed user error at the time”) and human "
        "error as what a safeguard prevents (“checks that prevent human error”)"
    ),
    "blameless-judgement": (
        "techniques that share a word (“lazy loading”), oversight as supervision "
        "(“the oversight in place”, “human oversight of the model”), judging words "
        "about things (“what dumb thing broke today”), “overlooked” describing a "
        "design (“an often overlooked difference”), and an assumption told in the passive "
        "(“the clock was wrongly assumed to be monotonic”)"
    ),
    "blameless-minimiser": (
        "the words about things or time: “not trivial”, “just because it compiles”, "
        "“just for testing”, “simply too fragile”, “the dashboard clearly showed”, "
        "“easy to miss”, “just before 09:00”, and the writer telling their own steps (“I "
        "simply ran the restore”)"
    ),
    "blameless-person": (
        "roles and teams (“the on-call engineer”, “Support notified customers”), team "
        "handles and mailboxes (@support-team, oncall@example.com), products and "
        "companies before verbs they use (“Traefik failed”, “the vendor announced”), "
        "authors and action-item owners and bylines (“Author: ...”), people acting without a "
        "slip (“I ran the migration at 10:00”), names that cause or wipe something "
        "(products do both: “Postgres caused the outage”), a team owning its slip (“we learned "
        "from our mistake”), what one knows now (“I am not aware that the API allows it”), and "
        "a status (“I haven't tested it on ARM yet”)"
    ),
}

# Phrases that contain a listed word but only describe: "just before 09:00".
# A listed phrase found inside one of these is not reported.
NOT_BLAME: Final = (
    "just before",
    "just after",
    "just over",
    "just under",
    "just in time",
    "just as",
    "not obvious",
    "not easy",
    "no easy",
    "not clearly",
    # Human-factors terms name a known effect of automation, not a failing.
    "automation complacency",
)

_EMAIL: Final = r"(?<![\w.%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
_HANDLE: Final = r"(?<![\w@./:+-])@[A-Za-z][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*"
_PERSON: Final = re.compile(f"(?:{_EMAIL}|{_HANDLE})(?![\\w-])")
# A line that credits its writer ("Author: Dana dana@example.org"): the
# authors, who may be named (spec section 10).
_BYLINE: Final = re.compile(
    r"[^\S\n]*+(?:[-*+>][^\S\n]++)?+(?:authors?|written[^\S\n]++by)\b", re.I
)
_BYLINE_CHARS: Final = 120
# The credit line of an embedded post ("&mdash; Site (@site) October 12, 2020"):
# the handle says who wrote what is quoted, not who acted in the incident.
_POST_CREDIT: Final = re.compile(
    r"\)[^\S\n]{1,4}(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]{0,6}\.?"
    r"[^\S\n]{1,4}\d{1,2},?[^\S\n]{1,4}\d{4}\b",
    re.I,
)


def _byline(text: str, at: int) -> bool:
    """Whether the address or handle at `at` is on a byline, near its start."""
    start = text.rfind("\n", max(0, at - _BYLINE_CHARS), at) + 1
    if start == 0 and at > _BYLINE_CHARS:
        return False  # the line starts too far back to be a short byline
    return _BYLINE.match(text, start, at) is not None


# A handle that names a package scope ("@acme/core") or an organisation
# ("the @acme npm organization") is a project's, not a person's.
_ORGANISATION: Final = re.compile(r"organi[sz]ations?|orgs?|npm|scopes?|packages?", re.I)
_AROUND_CHARS: Final = 24


def _organisation(text: str, m: re.Match[str]) -> bool:
    if text[m.end() : m.end() + 1] == "/":
        return True
    before = text[max(0, m.start() - _AROUND_CHARS) : m.start()].split()[-1:]
    after = text[m.end() : m.end() + _AROUND_CHARS].split()[:1]
    return any(_ORGANISATION.fullmatch(w.strip(".,:;()")) for w in before + after)


def _post_credit(text: str, m: re.Match[str]) -> bool:
    """Whether the handle of `m` credits an embedded post: "(@site) Oct 12, 2020"."""
    return text[m.start() - 1 : m.start()] == "(" and _POST_CREDIT.match(text, m.end()) is not None


# Text that is not the author's narrative, blanked out before matching
# (with spaces, so columns stay where they are). Quotations and code spans
# may run over line breaks, not over a blank line: they stay in a paragraph.
# Every pattern here fails within a bounded distance or at the next
# delimiter, so a hostile line costs linear time, not quadratic.
_TICKS: Final = re.compile(r"`+")
_PARAGRAPH: Final = re.compile(r"[^\n]+(?:\n[^\n]+)*")
_QUOTED: Final = re.compile(r'"(?:[^"\n]|\n(?!\n))*"|“(?:[^“”\n]|\n(?!\n))*”')
_URL: Final = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]{0,30}://[^\s<>)\]]+|\]\([^()\[\]\s]*\)")
_IGNORE: Final = re.compile(r"<!--\s*blameless:\s*ignore\s*-->", re.IGNORECASE)
_FENCE: Final = re.compile(r"^\s*(`{3,}|~{3,})")
_LIST_ITEM: Final = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])(?:\s|$)")
_HEADING: Final = re.compile(r"^\s{0,3}#")
_OFF: Final = frozenset({"off", "false", "no"})
# At least one space or hyphen, and at most one line break. Possessive: with
# plain `*` a run of n spaces splits between the two stars in n ways, and a
# phrase that fails after the run tries them all (quadratic in the run).
_BETWEEN_WORDS: Final = r"(?=[\s-])(?:[^\S\n]|-)*+\n?+(?:[^\S\n]|-)*+"
# A word of running text, with inner apostrophes ("should've").
_WORD: Final = re.compile(r"\w+(?:['\u2019]\w+)*")


def _fold(text: str) -> str:
    """Lower case with straight apostrophes, character for character, so
    that a place in the folded text is the same place in `text`."""
    folded = text.replace("\u2019", "'").lower()
    if len(folded) == len(text):
        return folded
    # A few characters (like "İ") lower-case to two; those stay as written.
    return "".join(low if len(low := c.lower()) == 1 else c for c in text.replace("\u2019", "'"))


def _words_regex(words: list[str]) -> str:
    # "human error" also catches "human-error", and "human" at the end of one
    # line with "error" on the next. A hyphen is not an end of word, so "just"
    # does not fire inside "just-in-time".
    return "".join(_BETWEEN_WORDS + re.escape(w) for w in words)


def _alternation(phrases: Iterable[str]) -> re.Pattern[str] | None:
    """Whole phrases, anywhere in folded text."""
    folded = sorted({_fold(p) for p in phrases}, key=len, reverse=True)
    if not folded:
        return None
    body = "|".join(re.escape(p.split()[0]) + _words_regex(p.split()[1:]) for p in folded)
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])")


def _finder(word: str, phrases: list[str]) -> re.Pattern[str]:
    """Phrases that all begin with `word`, in folded text. The pattern starts
    with the word itself, so the regex engine jumps from one place of the
    word to the next instead of trying every character."""
    tails = sorted(
        {
            re.escape(first[len(word) :]) + _words_regex(rest)
            for first, *rest in map(str.split, phrases)
        },
        key=len,
        reverse=True,
    )
    word_re = re.escape(word)
    return re.compile(rf"{word_re}(?<![\w-]{word_re})(?:{'|'.join(tails)})(?![\w-])")


def _inside(at: int, spans: list[tuple[int, int]], starts: list[int]) -> bool:
    i = bisect_right(starts, at) - 1
    return i >= 0 and at < spans[i][1]


@dataclass(frozen=True)
class Hit:
    rule: str
    start: int
    text: str
    # Which kind of blame (a key of KINDS), for the rewrite the message proposes.
    kind: str = ""
    # For a person named: the sentence with the name replaced by a role.
    rewrite: str = ""


# Each kind of blame with a sentence of that kind and a blame-free rewrite,
# so a warning shows how to rewrite the sentence it is about. Kinds not
# listed use their rule's example and rewrite (rules.py).
KINDS: Final[dict[str, tuple[str, str]]] = {
    "failed-to": (
        "The on-call engineer failed to notice the alert.",
        "The alert went to a channel nobody watched at night, so it waited 40 minutes.",
    ),
    "should-have": (
        "The reviewer should have caught the prompt change.",
        "The review showed the prompt diff but no evaluation results.",
    ),
    "could-have": (
        "We could have rolled back sooner.",
        "The rollback needed two approvals, and the second approver was offline.",
    ),
    "if-only": (
        "If only the alert had fired.",
        "The alert threshold was above the error rate of the incident, so it stayed silent.",
    ),
    "tired": (
        "A tired admin ran the script against production.",
        "The script ran at 03:00, at the end of a 12-hour shift, with no second reviewer.",
    ),
    "someone": (
        "Someone wrote code that deleted the index.",
        "A change deleted the index; no test covered deletion.",
    ),
    "overlooked": (
        "The engineer overlooked the warning.",
        "The warning was one line among 200 others in the log.",
    ),
    "premature": (
        "The model was put into production prematurely.",
        "The model reached production before its evaluation finished; nothing required it to.",
    ),
    "assumed": (
        "We wrongly assumed the chart set resource limits.",
        "We assumed the chart set resource limits; its documentation did not say.",
    ),
    "poorly": (
        "The root cause was a poorly written regular expression.",
        "The regular expression backtracks on long input, and no test used long input.",
    ),
    "careful": (
        "Be more careful when changing certificates.",
        "Add an expiry check to the certificate pipeline.",
    ),
    "despite": (
        "The team kept the pipeline running despite knowing the risk.",
        "The risk was known; nothing in the process paused the pipeline for it.",
    ),
    "act": (
        "The engineer just restarted the service.",
        "The engineer restarted the service, which took 20 minutes to drain.",
    ),
    "obvious": (
        "The stale data should have been obvious to the engineer.",
        "Nothing on the dashboard marked the data as stale.",
    ),
    "self": (
        "I took down production with the cleanup script.",
        "The cleanup script ran against production; its prompt did not show the target.",
    ),
    "confessed": (
        "I deleted the production database, my fault entirely.",
        "The production database was deleted by a command run in a shell whose prompt did not"
        " show the environment.",
    ),
    "role-slip": (
        "Engineers deleted the production database by accident.",
        "The production database was deleted by a cleanup job that had no environment check.",
    ),
    "elided": (
        "Forgot to rotate the key before the release.",
        "The key was not rotated before the release; no release step asks for it.",
    ),
    "group-judgement": (
        "We hurriedly pushed a fix without tests.",
        "We pushed a fix without tests; the pipeline had no path for urgent changes.",
    ),
    "judged": (
        "The reviewer stupidly approved the prompt.",
        "The reviewer approved the prompt; the review showed no evaluation results.",
    ),
    "guilt": (
        "It was my mistake to run the cleanup on production.",
        "The cleanup ran on production; its prompt did not show which database it targeted.",
    ),
    "haste": (
        "I wrote the migration in a hurry.",
        "The migration was written the same day it shipped; no review step applies to hotfixes.",
    ),
}
_ROLE: Final = "the <role>"
# Handles and mailboxes of teams and roles, which are not people.
_TEAM_HANDLE: Final = re.compile(
    r"team|oncall|on-call|sre|ops|support|admin|group|squad|crew|bot|security|platform|"
    r"infra|help|noreply|no-reply|incident|alerts|staff|owners|maintainers|reviewers|"
    r"root|webmaster|postmaster|info|contact|hello",
    re.IGNORECASE,
)


def _phrase_key(phrase: str) -> str:
    return " ".join(_fold(phrase).replace("-", " ").split())


# The built-in phrases are reviewed in context; a team's own are matched as written.
_BUILT_IN: Final = {
    rule: frozenset(_phrase_key(p) for p in ps) for rule, ps in BLAMELESS_PHRASES.items()
}


def _with_role(text: str, start: int, end: int) -> str:
    """A short stretch of `text` around a name, with the name replaced by a
    role there and wherever else the name, or a word of it, comes back."""
    left = text.rfind("\n", 0, start) + 1
    right = text.find("\n", end)
    before = " ".join(text[max(left, start - 60) : start].split()).lstrip("-*+|> ")
    after = " ".join(text[end : right if 0 <= right < end + 60 else end + 60].split())
    role = _ROLE if before else _ROLE.capitalize()
    rewrite = f"{before} {role} {after}".strip()
    for word in sorted(set(_WORD.findall(text[start:end])), key=len, reverse=True):
        if len(word) > 1:
            rewrite = re.sub(rf"(?<![\w@]){re.escape(word)}(?!\w)(?:'s)?", _ROLE, rewrite)
    return rewrite


def _in_context(
    text: str,
    folded: str,
    words: set[str],
    found: list[Hit],
    skip: frozenset[str],
    common: LowerCaseWords | None,
    slips: frozenset[str],
) -> list[Hit]:
    """The phrase hits that blame in their sentence, each with its kind, and
    the blame found without a listed phrase (judgements, people named)."""
    sentences = Sentences(text)
    kept: list[Hit] = []
    for hit in found:
        if _phrase_key(hit.text) not in _BUILT_IN.get(hit.rule, ()):
            kept.append(hit)
            continue
        i, tokens = sentences.around(hit.start)
        kind: str | None = hit.rule
        if hit.rule == "blameless-counterfactual":
            phrase = _fold(hit.text)
            kind = counterfactual_blames(tokens, i, phrase) or hindsight_blames(
                tokens, i, phrase, text
            )
        elif hit.rule == "blameless-human-error":
            kind = hit.rule if human_error_blames(tokens, i) else None
        elif hit.rule == "blameless-minimiser":
            kind = minimiser_blames(tokens, i, " ".join(_fold(hit.text).split()))
        elif hit.rule == "blameless-judgement" and _fold(hit.text) == "lazy":
            # "lazy loading", "lazy DB lookups" are techniques; a lazy reviewer is a verdict.
            kind = kind if lazy_person(tokens, i) else None
        elif hit.rule == "blameless-judgement" and judges_a_thing(tokens, i):
            kind = None  # "what dumb thing broke today"
        if kind:
            kept.append(Hit(hit.rule, hit.start, hit.text, kind))
    if "blameless-judgement" not in skip:
        kept += [
            Hit("blameless-judgement", a, text[a:b], kind)
            for a, b, kind in judgement_hits(folded, words)
            if (kind != "overlooked" or _overlook_blames(sentences, a, text[a:b]))
            and not (kind == "assumed" and _named_before(text, a))
        ]
    if "blameless-human-error" not in skip:
        kept += [
            Hit("blameless-human-error", a, text[a:b], "blameless-human-error")
            for a, b in people_error_hits(folded, words)
            if human_error_blames(*sentences.around(a)[::-1])
        ]
    if "blameless-person" not in skip:
        kept += [
            Hit("blameless-person", a, name, "name", _with_role(text, a, b))
            for a, b, name in name_hits(text, words, common)
        ]
    return kept + _clause_hits(text, folded, words, sentences, kept, skip, common, slips)


# Other forms of the one-word judgements ("stupidly", "sloppily"), read in context.
_JUDGED: Final = inflections(BLAMELESS_PHRASES["blameless-judgement"])


def _clause_hits(
    text: str,
    folded: str,
    words: set[str],
    sentences: Sentences,
    kept: list[Hit],
    skip: frozenset[str],
    common: LowerCaseWords | None,
    slips: frozenset[str],
) -> list[Hit]:
    """Blame read from the structure of sentences that no phrase has flagged
    yet: one finding a sentence is enough to send the writer back to it."""
    flagged = {bisect_right(sentences.ends, h.start) for h in kept}
    lower_words = common if common is not None else LowerCaseWords(text)
    hits = []
    found = _structure_hits(
        folded, words, sentences, lower_words, slips, lambda: _confesses(lower_words, slips)
    )
    for a, b, rule, kind in found:
        sentence = bisect_right(sentences.ends, a)
        if rule in skip or sentence in flagged:
            continue
        flagged.add(sentence)
        rewrite = _with_role(text, a, b) if kind == "name" else ""
        hits.append(Hit(rule, a, text[a:b], kind, rewrite))
    return hits


def _structure_hits(
    folded: str,
    words: set[str],
    sentences: Sentences,
    lower_words: LowerCaseWords,
    slips: frozenset[str],
    confessed: Callable[[], bool] | None,
) -> Iterator[tuple[int, int, str, str]]:
    """(start, end, rule, kind) of the blame read from sentence structure:
    predicates first, then verdicts."""
    return chain(
        clause_hits(folded, words, sentences, lower_words, slips, _JUDGED, confessed),
        verdict_hits(folded, words, sentences),
        section_hits(folded, words, sentences, lower_words, confessed),
    )


# Kinds of blame that own a slip of the writer's: their own, one named as
# theirs ("my mistake"), or one in a list of theirs without a subject.
_CONFESSING: Final = frozenset(["self", "guilt", "elided"])


def _confesses(lower_words: LowerCaseWords, slips: frozenset[str]) -> bool:
    """Whether the document `lower_words` reads owns a slip of its writer's
    somewhere ("I forgot the flag", "it was my fault"): a second reading of
    it, once, and only when a sentence asks."""
    if lower_words.confesses is None:
        text = lower_words.text
        folded = _fold(text)
        words = set(_WORD.findall(folded))
        sentences = Sentences(text)
        found = _structure_hits(folded, words, sentences, lower_words, slips, None)
        lower_words.confesses = any(kind in _CONFESSING for *_, kind in found)
    return lower_words.confesses


_WORD_BEFORE: Final = re.compile(r"([A-Z][a-z]++)[^\S\n]++$")


def _named_before(text: str, at: int) -> bool:
    """Whether a name comes right before `at`: "Alembic wrongly assumed" is as
    often a tool's error as a person's, and a name cannot tell which."""
    m = _WORD_BEFORE.search(text, max(0, at - 24), at)
    return m is not None and is_name_token(m.group(1))


def _overlook_blames(sentences: Sentences, at: int, found: str) -> bool:
    if not found.lower().startswith("overlook"):
        return True  # "an oversight"
    i, tokens = sentences.around(at)
    return overlook_blames(tokens, i)


class Matcher:
    """The compiled phrase lists of one configuration.

    One alternation of every phrase, run over the text, would try each phrase
    at each character. Instead the words that can start a phrase are looked
    up among the words of the text (most texts have few), and only their
    phrases are searched for, each from its first word.
    """

    def __init__(self, phrases: Mapping[str, tuple[str, ...]]) -> None:
        grouped: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        anywhere: dict[str, list[str]] = defaultdict(list)
        for rule, ps in phrases.items():
            for phrase in ps:
                folded = _fold(phrase)
                first = _WORD.match(folded)
                if first and folded.split():
                    grouped[first.group()][rule].append(folded)
                elif folded.split():  # starts with a sign, like "@alice"
                    anywhere[rule].append(folded)
        self.by_word = {
            word: [(rule, _finder(word, ps)) for rule, ps in rules.items()]
            for word, rules in grouped.items()
        }
        self.anywhere = [(rule, pat) for rule, ps in anywhere.items() if (pat := _alternation(ps))]
        self.allowed = _alternation(NOT_BLAME)

    def _candidates(self, folded: str, tokens: set[str]) -> Iterator[tuple[str, re.Match[str]]]:
        if "'" in folded:
            # "should" also begins "should've".
            tokens.update(t.split("'")[0] for t in list(tokens) if "'" in t)
        for word in self.by_word.keys() & tokens:
            for rule, finder in self.by_word[word]:
                for m in finder.finditer(folded):
                    yield rule, m
        for rule, pattern in self.anywhere:
            for m in pattern.finditer(folded):
                yield rule, m

    def hits(
        self,
        text: str,
        skip: frozenset[str] = frozenset(),
        common: LowerCaseWords | None = None,
        slips: frozenset[str] = SLIPS,
    ) -> list[Hit]:
        """Findings in `text`, which is already stripped of quoted material.
        `slips`: the learned slip verbs (another list when evaluating)."""
        folded = _fold(text)
        found: list[Hit] = []
        ends: dict[str, int] = {}
        words = set(_WORD.findall(folded))
        for rule, m in sorted(self._candidates(folded, words), key=lambda c: c[1].start()):
            # One phrase inside another of the same rule is one finding.
            if rule in skip or m.start() < ends.get(rule, 0):
                continue
            ends[rule] = m.end()
            found.append(Hit(rule, m.start(), text[m.start() : m.end()]))
        if found and self.allowed:
            # Non-overlapping and in order, so the span before a hit is the only candidate.
            spans = [m.span() for m in self.allowed.finditer(folded)]
            starts = [a for a, _ in spans]
            found = [h for h in found if not _inside(h.start, spans, starts)]
        found = _in_context(text, folded, words, found, skip, common, slips)
        if "blameless-person" not in skip and "@" in text:
            found += [
                Hit("blameless-person", m.start(), m.group())
                for m in _PERSON.finditer(text)
                if not _TEAM_HANDLE.search(m.group().split("@")[0] or m.group())
                and not _byline(text, m.start())
                and not _post_credit(text, m)
                and not _organisation(text, m)
            ]
        found.sort(key=lambda h: h.start)
        return found


def sentence_rules(
    sentence: str, slips: frozenset[str] = SLIPS, common: LowerCaseWords | None = None
) -> set[str]:
    """The rules the built-in review reports on one sentence of plain text
    (`common`: the lower-case words of its document, when it has one)."""
    return {hit.rule for hit in matcher().hits(strip_quoted(sentence), common=common, slips=slips)}


def phrase_lists(extra: object) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Built-in lists plus a team's, keeping only what is well formed:
    `option_problems` reports the rest when the configuration is read."""
    merged = {rule: list(ps) for rule, ps in BLAMELESS_PHRASES.items()}
    if isinstance(extra, Mapping):
        for rule, phrases in extra.items():
            if rule not in merged:
                continue
            items = [phrases] if isinstance(phrases, str) else phrases
            if isinstance(items, list | tuple):
                merged[rule] += [p for p in items if isinstance(p, str) and p.strip()]
    return tuple((rule, tuple(ps)) for rule, ps in merged.items())


@lru_cache(maxsize=16)
def _compiled(lists: tuple[tuple[str, tuple[str, ...]], ...]) -> Matcher:
    return Matcher(dict(lists))


def matcher(extra: object = None) -> Matcher:
    return _compiled(phrase_lists(extra))


def option_problems(value: object) -> list[str]:
    """What is wrong with a `blameless_phrases` option, one message each."""
    example = "{blameless-judgement: [reckless, heedless]}"
    if value is None:
        return []
    if not isinstance(value, Mapping):
        return [f"blameless_phrases must map rule ids to lists of phrases, like {example}"]
    problems = []
    for rule, phrases in value.items():
        if rule not in BLAMELESS_PHRASES:
            problems.append(
                f"blameless_phrases: '{rule}' is not a blameless-language rule"
                f"{did_you_mean(rule, BLAMELESS_PHRASES)}; use one of "
                f"{', '.join(BLAMELESS_PHRASES)}"
            )
        elif not isinstance(phrases, list) or not all(
            isinstance(p, str) and p.strip() for p in phrases
        ):
            problems.append(
                f"blameless_phrases: '{rule}' must be a list of phrases (text), like {example}"
            )
    return problems


def _blank_spans(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """`text` with each (start, end) span replaced by as many spaces."""
    parts, last = [], 0
    for start, end in spans:
        parts += [text[last:start], " " * (end - start)]
        last = end
    parts.append(text[last:])
    return "".join(parts)


def _code_spans(text: str) -> Iterator[tuple[int, int]]:
    """Code spans as CommonMark finds them, in each paragraph: a run of
    backticks up to the next run of the same length; a run with no partner
    is a literal backtick."""
    for paragraph in _PARAGRAPH.finditer(text):
        yield from _paired_runs(
            [m.span() for m in _TICKS.finditer(text, paragraph.start(), paragraph.end())]
        )


def _paired_runs(runs: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    partner: list[int | None] = [None] * len(runs)
    nearest: dict[int, int] = {}
    for i in range(len(runs) - 1, -1, -1):
        length = runs[i][1] - runs[i][0]
        partner[i] = nearest.get(length)
        nearest[length] = i
    i = 0
    while i < len(runs):
        j = partner[i]
        if j is None:
            i += 1
            continue
        yield runs[i][0], runs[j][1]
        i = j + 1


def _blank_comments(text: str) -> tuple[str, bool]:
    """`text` with HTML comments blanked, and whether the last one stays open."""
    spans, at, still_open = [], 0, False
    while (start := text.find("<!--", at)) >= 0:
        end = text.find("-->", start + 4)
        still_open = end < 0
        at = len(text) if still_open else end + 3
        spans.append((start, at))
    return _blank_spans(text, spans), still_open


def strip_quoted(text: str) -> str:
    """`text` with code spans, comments, URLs and quotations blanked out."""
    # Most lines have none of these: the cheap `in` tests skip the work.
    if "`" in text:
        text = _blank_spans(text, _code_spans(text))
    if "<!--" in text:
        text = _blank_comments(text)[0]
    if "://" in text or "](" in text:
        text = _blank_spans(text, (m.span() for m in _URL.finditer(text)))
    if '"' in text or "\u201c" in text:
        text = _blank_spans(text, (m.span() for m in _QUOTED.finditer(text)))
    return text


def _indent(line: str) -> int:
    return len(line.expandtabs(4)) - len(line.lstrip())


def narrative_lines(body: str) -> Iterator[tuple[int, str]]:
    """(index, text) of each body line that is the author's own narrative,
    with HTML comments blanked. Skips fenced and indented code, blockquotes
    and lines opted out with `<!-- blameless: ignore -->` (on the line, or
    alone on the line before)."""
    fence: str | None = None
    blank_before = True
    in_list = in_code = in_quote = in_comment = False
    ignore_next = False
    for i, line in enumerate(body.split("\n")):
        ignored, ignore_next = ignore_next, False
        if fence is not None:
            m = _FENCE.match(line)
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            continue
        m = _FENCE.match(line)
        if m:
            fence, blank_before = m.group(1), False
            continue
        if not line.strip():
            blank_before, in_quote = True, False
            continue
        indent = _indent(line)
        if in_code and indent >= 4:
            continue
        in_code = False
        if indent >= 4 and blank_before and not in_list:
            in_code = True
            continue
        first_in_block, blank_before = blank_before, False
        stripped = line.lstrip()
        starts_block = bool(_LIST_ITEM.match(line) or _HEADING.match(line))
        if stripped.startswith(">") or (in_quote and not starts_block):
            in_quote = True
            continue
        if _LIST_ITEM.match(line):
            in_list = True
        elif indent == 0 and first_in_block:
            in_list = False
        if _IGNORE.search(line):
            ignore_next = _IGNORE.sub("", line).strip() == ""
            continue
        if ignored:
            continue
        if in_comment:
            end = line.find("-->")
            if end < 0:
                continue
            line = " " * (end + 3) + line[end + 3 :]
            in_comment = False
        if "<!--" in line:
            line, in_comment = _blank_comments(line)
        yield i, line


def narrative_text(body: str) -> tuple[str, list[int]]:
    """The body with all that is not narrative blanked (quotations, code,
    comments, URLs) or emptied (whole lines), and where each line starts."""
    kept = [""] * (body.count("\n") + 1)
    for i, line in narrative_lines(body):
        kept[i] = line
    starts, at = [], 0
    for line in kept:
        starts.append(at)
        at += len(line) + 1
    return strip_quoted("\n".join(kept)), starts


def _disabled(data: dict[str, Any]) -> frozenset[str] | None:
    """Rules a file switches off with `x-blameless`; None when all are off."""
    value = data.get("x-blameless")
    if value is False or (isinstance(value, str) and value.strip().casefold() in _OFF):
        return None
    if isinstance(value, list):
        return frozenset(v for v in value if isinstance(v, str))
    return frozenset()


def _column_in_value(yd: YamlData, path: JsonPath, value: str, offset: int) -> Position:
    """Where character `offset` of a YAML string is in the file. Exact for
    scalars written on one line; otherwise where the value starts."""
    start = yd.values.get(path) or yd.position(path)
    style = yd.one_line_styles.get(path)
    before = value[:offset]
    if style == "":
        return Position(start.line, start.column + offset)
    if style == "'":
        return Position(start.line, start.column + 1 + offset + before.count("'"))
    if style == '"' and before.isprintable():
        return Position(
            start.line, start.column + 1 + offset + before.count('"') + before.count("\\")
        )
    return start


def _message(hit: Hit) -> str:
    """The phrase, why it blames, and a blame-free rewrite of a sentence of its kind."""
    rule = RULES[hit.rule]
    phrase = " ".join(hit.text.split())
    if hit.rewrite:
        return f'"{phrase}": {rule.advice}, e.g. "{hit.rewrite}"'
    example, rewrite = KINDS.get(hit.kind, (rule.example, rule.rewrite))
    return f'"{phrase}": {rule.advice}, e.g. "{rewrite}" instead of "{example}"'


# Lists of mappings in front matter, and the prose key of each item.
_PROSE_ITEMS: Final = (
    ("factors", "summary"),
    ("ruled_out", "reason"),
    ("not_examined", "reason"),
    ("action_items", "title"),
)


def _front_matter_text(data: dict[str, Any]) -> Iterator[tuple[JsonPath, Any]]:
    """The narrative written in front matter: title, summary, factor
    summaries, the reasons of `ruled_out` and `not_examined`, who was
    affected (`harm.affected`) and action-item titles."""
    for key in ("title", "summary"):
        yield (key,), data.get(key)
    harm = data.get("harm")
    if isinstance(harm, dict):
        yield ("harm", "affected"), harm.get("affected")
    for key, prose in _PROSE_ITEMS:
        items = data.get(key)
        for i, item in enumerate(items if isinstance(items, list) else ()):
            if isinstance(item, dict):
                yield (key, i, prose), item.get(prose)


def _named_in_charge(data: dict[str, Any]) -> frozenset[str]:
    """The words of `authors` and of action-item owners, folded: the people
    a postmortem may name."""
    authors, items = data.get("authors"), data.get("action_items")
    names = list(authors) if isinstance(authors, list) else []
    names += (
        [i.get("owner") for i in items if isinstance(i, dict)] if isinstance(items, list) else []
    )
    return frozenset(
        w for n in names if isinstance(n, str) for w in _WORD.findall(_fold(n)) if len(w) > 1
    )


def _may_be_named(hit: Hit, in_charge: frozenset[str]) -> bool:
    """Whether a person finding names an author or an owner, who may be named."""
    if hit.rule != "blameless-person" or hit.kind in ("self", "role-slip"):
        return False
    words = _WORD.findall(_fold(hit.text))
    return bool(words) and all(w in in_charge for w in words)


def review(doc: Document, data: dict[str, Any], phrases: object = None) -> list[Finding]:
    """Blameless-language warnings for one postmortem's narrative.
    `phrases` is the team's `blameless_phrases` option."""
    skip = _disabled(data)
    if skip is None:
        return []
    m = matcher(phrases)
    findings: list[Finding] = []
    text, starts = narrative_text(doc.body)
    # Words the postmortem writes in lower case anywhere are common words, so
    # "Assistant answered" in the title is not a person named.
    prose = [(path, value) for path, value in _front_matter_text(data) if isinstance(value, str)]
    common = DocumentWords(" ".join([text, *(value for _, value in prose)]), text)
    in_charge = _named_in_charge(data)
    for hit in m.hits(text, skip, common):
        if _may_be_named(hit, in_charge):
            continue
        i = bisect_right(starts, hit.start) - 1
        line, column = doc.body_line + i, hit.start - starts[i] + 1
        findings.append(RULES[hit.rule].finding(doc.path, line, column, _message(hit)))
    # The front matter's prose is read in one go, a paragraph a value: no
    # sentence or phrase runs over a blank line, and a reading of its own for
    # each short value cost more than the reading itself.
    joined = _PARAGRAPH_BREAK.join(strip_quoted(value) for _, value in prose)
    offsets = list(accumulate((len(v) + len(_PARAGRAPH_BREAK) for _, v in prose[:-1]), initial=0))
    for hit in m.hits(joined, skip, common):
        if _may_be_named(hit, in_charge):
            continue
        k = bisect_right(offsets, hit.start) - 1
        path, value = prose[k]
        pos = _column_in_value(doc.yaml, path, value, hit.start - offsets[k])
        findings.append(RULES[hit.rule].finding(doc.path, pos.line, pos.column, _message(hit)))
    return findings


_PARAGRAPH_BREAK: Final = "\n\n"
