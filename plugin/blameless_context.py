"""Context for the blameless-language review: who or what a phrase is about.

A word list alone is wrong on real prose more often than right: "failed to"
is mostly about machines ("the DNS record failed to resolve"), "should have"
often states a need ("workloads should have priority"), "just" and
"clearly" mostly describe things ("not just quick fixes", "the dashboard
clearly showed"), and "user error" in a timeline may be the responders'
hypothesis of the time. This module looks at the sentence around a phrase
(its subject, the word after it) and keeps only the uses that put blame on
people. It also finds blame that no single word carries: "we wrongly
assumed", "be more careful", "someone wrote code that", and people named in
the narrative ("Emil notified the team").

Everything here works on one sentence's tokens, found with patterns that
never backtrack over a run (possessive quantifiers), so the cost is linear
in the text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

# A sentence ends at . ! ? ; followed by space, at a table cell border, at a
# blank line, or where a list item starts on the next line.
_SENTENCE_END: Final = re.compile(
    r"[.!?;:](?=\s|$)|\||\n[^\S\n]*+\n|\n(?=[^\S\n]*+(?:[-*+]|\d{1,9}[.)])\s)"
)
_TOKEN: Final = re.compile(r"\w+(?:['\u2019]\w+)*+|[^\w\s]")

# Words that name people or stand for them, as the subject of a sentence.
PEOPLE: Final = frozenset(
    """we i you he she they someone somebody nobody who engineer engineers operator
    operators developer developers dev devs admin admins administrator administrators
    sysadmin team teams technician technicians reviewer reviewers author authors oncall
    on-call responder responders staff employee employees manager managers lead sre sres
    analyst analysts contractor contractors person people owner owners maintainer
    maintainers human humans colleague colleagues member members us programmer
    programmers coder coders tester testers architect architects""".split()  # noqa: SIM905
)
# Words between a subject and its verb that do not change who acts.
_ADVERBS: Final = frozenset(
    """also then still again initially ultimately repeatedly subsequently simply just
    clearly later completely partially unfortunately collectively both all even never
    not apparently obviously evidently""".split()  # noqa: SIM905
)
# Where a clause starts: scanning back for a subject stops here.
_CLAUSE_START: Final = frozenset(
    """that which when where because since while if although though after before until
    whether so ; : ( \u2014 \u2013 |""".split()  # noqa: SIM905
)
_IRREGULAR_PARTICIPLES: Final = frozenset(
    """been done seen known caught taken made had given gone written told kept found run
    set put sent spent built understood thought brought got gotten chosen spoken shown
    drawn held left lost met paid read said shut stood won begun broken driven forgotten
    hidden struck taught thrown hit let""".split()  # noqa: SIM905
)
# Signs that a phrase records what responders believed at the time.
_HYPOTHESIS: Final = frozenset(
    """assumed assume assuming suspected suspect suspecting presumed presume thought
    hypothesis hypothesised hypothesized initially believed believe guessed possibly
    maybe perhaps whether""".split()  # noqa: SIM905
)
# Words before "human error" that make it the thing a system guards against.
_GUARD: Final = frozenset(
    """prevent prevents preventing avoid avoids reduce reduces minimise minimize eliminate
    against catch catches tolerate tolerates mitigate forgive forgiving not no rather
    than instead beyond for""".split()  # noqa: SIM905
)
_TASK_NOUNS: Final = frozenset(
    """fix solution remedy workaround change rollback answer mitigation step task""".split()  # noqa: SIM905
)
_NOTICE_VERBS: Final = frozenset(
    """spot see avoid prevent catch notice fix find detect check test verify know tell
    understand predict foresee do follow recognise recognize anticipate""".split()  # noqa: SIM905
)
_MODALS: Final = frozenset(
    """should could would can might must""".split()  # noqa: SIM905
)
# What people "could have" done, in hindsight.
_HINDSIGHT_ACTS: Final = frozenset(
    """caught noticed seen spotted prevented avoided stopped checked tested verified known
    realised realized asked escalated rolled reverted acted done paged called alerted
    found detected fixed read looked warned communicated told""".split()  # noqa: SIM905
)
_NEED: Final = frozenset(
    """had has have needed need needs""".split()  # noqa: SIM905
)
# Verbs after "just"/"simply" that make a person's action sound trivial.
_ACTS: Final = frozenset(
    """forgot ran had did didn't made typed clicked pushed restarted ignored assumed
    skipped went deployed missed merged ran rebooted deleted changed""".split()  # noqa: SIM905
)


@dataclass(frozen=True)
class Token:
    start: int
    text: str
    low: str


def _is_participle(low: str) -> bool:
    return low in _IRREGULAR_PARTICIPLES or (len(low) > 3 and low.endswith(("ed", "en")))


class Sentences:
    """The sentences of one text, tokenised on demand (most have no candidate)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.ends = [m.end() for m in _SENTENCE_END.finditer(text)]
        self._cache: dict[int, tuple[list[int], list[Token]]] = {}

    def around(self, at: int) -> tuple[int, list[Token]]:
        """(index of the token at `at`, tokens of its sentence)."""
        k = bisect_right(self.ends, at)
        if k not in self._cache:
            start = self.ends[k - 1] if k else 0
            end = self.ends[k] if k < len(self.ends) else len(self.text)
            tokens = [
                Token(m.start(), m.group(), m.group().lower().replace("\u2019", "'"))
                for m in _TOKEN.finditer(self.text, start, end)
            ]
            self._cache[k] = ([t.start for t in tokens], tokens)
        starts, tokens = self._cache[k]
        return max(bisect_right(starts, at) - 1, 0), tokens


def _person_token(tok: Token) -> bool:
    return tok.low in PEOPLE or tok.low.rstrip("s") in PEOPLE


def subject_is_person(tokens: list[Token], i: int) -> bool:
    """Whether the verb at tokens[i] has a person (or role) as its subject."""
    j = i - 1
    while j >= 0 and (tokens[j].low in _ADVERBS or tokens[j].low.endswith("ly")):
        j -= 1
    if j < 0:
        return False
    word = tokens[j].low
    if _person_token(tokens[j]):
        return True
    # A name stands alone ("Emil failed to"); after another word it is part of
    # a product or a title ("Auto Scaling Groups failed to").
    if is_name_token(tokens[j].text) and (j == 0 or not tokens[j - 1].text[0].isalnum()):
        return True
    if word in ("that", "which") and j > 0:
        return _person_token(tokens[j - 1])
    if word in ("but", "and", "or", ","):
        # A second verb shares the first one's subject: "noticed X but failed to".
        for k in range(j - 1, max(j - 14, -1), -1):
            if tokens[k].low in _CLAUSE_START:
                return False
            if _person_token(tokens[k]):
                return True
    return False


def _next(tokens: list[Token], i: int, n: int = 1) -> str:
    return tokens[i + n].low if i + n < len(tokens) else ""


def _prev(tokens: list[Token], i: int, n: int = 1) -> str:
    return tokens[i - n].low if i - n >= 0 else ""


def _phrase_end(tokens: list[Token], i: int, phrase: str) -> int:
    """Index of the last token of `phrase`, which starts at tokens[i]."""
    return min(i + len(_TOKEN.findall(phrase)) - 1, len(tokens) - 1)


# What each rule's context check decides, by phrase ------------------------


def counterfactual_blames(tokens: list[Token], i: int, phrase: str) -> str | None:
    """The kind of hindsight at tokens[i] (starting `phrase`), or None when
    the phrase is about a thing, a need or a plan."""
    first = phrase.split()[0].replace("\u2019", "'")
    last = _phrase_end(tokens, i, phrase)
    if first in ("if", "had", "why"):
        return "if-only"
    # "Reflect whether X should have been communicated", "not assume we could have".
    if any(
        t.low in _HYPOTHESIS or t.low in ("if", "reflect", "consider")
        for t in tokens[max(0, i - 12) : i]
    ):
        return None
    if first == "failure":
        # "the failure of a lead operator to act"
        window = tokens[last + 1 : last + 6]
        person = any(_person_token(t) for t in window)
        return "failed-to" if person and any(t.low == "to" for t in window) else None
    if first in ("failed", "failing", "neglected", "didn't"):
        return "failed-to" if subject_is_person(tokens, i) else None
    if first.startswith(("should", "ought")):
        after = _next(tokens, last)
        if after == "been" and _is_participle(_next(tokens, last, 2)):
            # Passive: someone should have done it ("should have been caught"),
            # unless a machine was to do it ("should have been automatically ...").
            return None if _next(tokens, last, 2).endswith("ly") else "should-have"
        if not _is_participle(after):
            return None  # a need or a plan: "workloads should have priority"
        return "should-have" if subject_is_person(tokens, i) else None
    if first.startswith(("could", "would")):
        # Mostly what a thing could have done ("a longer stall could have caused");
        # hindsight when people could have acted otherwise.
        if _next(tokens, last) not in _HINDSIGHT_ACTS:
            return None
        return "could-have" if subject_is_person(tokens, i) else None
    return "if-only"


def human_error_blames(tokens: list[Token], i: int) -> bool:
    """False for a hypothesis of the time ("assumed user error at the time"),
    or human error as what a system guards against ("to prevent human error")."""
    before = {t.low for t in tokens[max(0, i - 3) : i]}
    if before & _GUARD:
        return False
    # A bounded window, so a long sentence full of phrases stays linear.
    if any(t.low in _HYPOTHESIS for t in tokens[max(0, i - 12) : i]):
        return False
    after = " ".join(t.low for t in tokens[i + 2 : i + 8])
    return "at the time" not in after


def minimiser_blames(tokens: list[Token], i: int, phrase: str) -> str | None:
    """The kind of minimising at tokens[i], or None when the word is about
    a thing ("not trivial", "just because it compiles", "clearly showed")."""
    word = phrase.lower()
    last = _phrase_end(tokens, i, phrase)
    after, before = _next(tokens, last), _prev(tokens, i)
    if word in ("everyone knows", "needless to say", "it goes without saying"):
        return "obvious"
    if before in ("not", "no", "non", "-") or after == "because":
        return None
    if word in ("just", "simply", "merely", "trivially", "easily", "obviously", "clearly"):
        # "The fix was simply to roll back", "they just had to", "could easily have".
        if before in ("was", "is", "be") and _prev(tokens, i, 2) in _TASK_NOUNS:
            return "task"
        if after in _NEED and _next(tokens, last, 2) == "to":
            return "task"
        if before in _MODALS:
            return "task"
        if word in ("just", "simply", "merely") and after in _ACTS and subject_is_person(tokens, i):
            return "act"
    if word in ("obviously", "clearly", "of course"):
        window = tokens[i + 1 : last + 4]
        if any(_person_token(t) for t in window):
            return "obvious"
    if word in ("easy", "trivial", "obvious", "easily"):
        # "It was easy to spot", "should have been obvious" (not "easy to miss").
        if after == "to" and _next(tokens, last, 2) in _NOTICE_VERBS:
            return "obvious"
        if before == "been" and _prev(tokens, i, 3) in _MODALS:
            return "obvious"
        if before in ("was", "is", "be") and _prev(tokens, i, 2) in _TASK_NOUNS:
            return "task"
    return None


# Blame that no listed word carries ----------------------------------------

_S: Final = r"[^\S\n]++"  # one or more spaces on one line, never given back
_JUDGEMENT: Final = re.compile(
    r"\b(?:"
    rf"(?P<tired>(?:tired|exhausted|fatigued|sleepy|overworked|distracted){_S}(?:[\w-]++{_S})?"
    r"(?:admin|administrator|engineer|operator|developer|sre|technician|person|staff|on-call)s?)"
    rf"|(?P<someone>(?:someone|somebody){_S}(?:just{_S})?(?:wrote|made|pushed|deployed|forgot|"
    r"broke|changed|deleted|typed|committed|merged|missed|ran|left|put|decided|thought))"
    # "an oversight" is a slip; "the oversight in place" and "human oversight" supervise.
    r"|(?P<overlooked>overlook(?:ed|ing|s)?+|(?:this|an|simple|careless)"
    rf"{_S}oversight(?!{_S}(?:of|committee|board|body|process|team)\b))"
    rf"|(?P<premature>(?:put|pushed|deployed|released|shipped|merged|rolled|launched|promoted"
    rf"|approved)(?:{_S}[\w-]++){{0,3}}?{_S}prematurely|prematurely{_S}(?:put|pushed|deployed|"
    rf"released|shipped|merged|rolled|launched|promoted|approved))"
    rf"|(?P<assumed>(?:wrongly|mistakenly|incorrectly|erroneously|naively|falsely){_S}"
    r"(?:assumed|believed|thought|decided|concluded|expected|presumed|trusted|judged))"
    rf"|(?P<poorly>poorly{_S}(?:written|designed|planned|executed|implemented|tested|thought|"
    r"coded|managed|reviewed|handled|communicated|configured|considered))"
    rf"|(?P<careful>be{_S}more{_S}(?:careful|vigilant|diligent|attentive|aware|thorough|"
    r"cautious|disciplined|rigorous)|(?:take|took|taking){_S}more{_S}care)"
    rf"|(?P<despite>despite{_S}(?:being{_S}aware|knowing|being{_S}warned|the{_S}warnings?"
    r"|warnings))"
    r")\b"
)


def judgement_hits(folded: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, kind) of judgements of people written without a listed word."""
    for m in _JUDGEMENT.finditer(folded):
        kind = m.lastgroup or "judgement"
        yield m.start(), m.end(), kind


# People named in the narrative ---------------------------------------------

# Verbs of things people do (and systems seldom): after a capitalised word,
# they make it a person's name. Verbs organisations use (announced,
# confirmed, identified, released) and machines use (ran, failed, started)
# are left out, so products and companies are not taken for people.
_HUMAN_VERBS: Final = (
    "notified|looked|evaluated|discussed|discussing|asked|told|called|emailed|messaged|"
    "pinged|paged|wrote|typed|clicked|forgot|realised|realized|noticed|reviewed|approved|"
    "joined|tried|agreed|merged|pushed|committed|reverted|removed|found|made|decided|"
    "proposed|mentioned|explained|escalated|acknowledged|"
    "investigated|checked|manually|logged|missed|ignored|thought|assumed|believed|"
    "said|was assigned|was paged|was notified|was asked|was told|was called|"
    "is going|is looking|is working|worked|working|looking|investigating"
)
_NAME: Final = re.compile(
    r"(?<![\w@./-])(?P<name>[A-Z][a-z]{1,14}+(?:(?:[^\S\n]++[A-Z][a-z]{1,14}+)|"
    r"(?:[^\S\n]++[A-Z]\.))?+)"
    rf"(?:(?:{_S}and{_S}(?P<second>[A-Z][a-z]{{1,14}}+))?+){_S}"
    rf"(?:also{_S}|then{_S}|later{_S}|quickly{_S}|immediately{_S})?+"
    rf"(?P<verb>{_HUMAN_VERBS.replace(' ', _S)})\b"
)
# Capitalised words that are not names: roles and teams (allowed), and
# words that begin sentences.
_NOT_NAMES: Final = frozenset(
    """the a an we they he she it this that these those i you our their his her its someone
    somebody nobody everyone anyone who customer customers user users developer
    developers engineer engineers engineering operator operators admin admins
    administrator team teams support security legal management operations finance
    employee employees staff manager managers lead reviewer reviewers author authors
    owner owners oncall responder responders sre ops devops platform infra
    infrastructure product sales marketing leadership director cto ceo vp executive
    everybody people person human humans contractor vendor partner client clients then
    also after before when while once later first next finally initially monday tuesday
    wednesday thursday friday saturday sunday january february march april may june july
    august september october november december jan feb mar apr jun jul aug sep sept oct
    nov dec today yesterday tomorrow nothing something everything none all both each
    most some many few several what how why where which whose whom there here yes no""".split()  # noqa: SIM905
)


# Endings of common words, seldom of first names ("Confirmed working",
# "Vulnerability committed", "Describing the nodes").
_WORD_ENDINGS: Final = tuple(
    "ed ing ly tion sion ment ness ity ities ance ure ism ory ions ents ies ers".split()  # noqa: SIM905
)


def is_name_token(text: str) -> bool:
    """A capitalised word shaped like a name (no inner capitals, digits)."""
    low = text.lower()
    return (
        len(text) > 1
        and text[0].isupper()
        and text[1:].islower()
        and text.isalpha()
        and low not in _NOT_NAMES
        and low not in PEOPLE
        and not (len(low) > 4 and low.endswith(_WORD_ENDINGS))
    )


_THING_AFTER: Final = frozenset(
    """into fine ok okay good normal healthy correct like as""".split()  # noqa: SIM905
)
_DETERMINERS: Final = frozenset(
    """the a an this that these those our their its his her my your new old every each""".split()  # noqa: SIM905
)


def lower_case_words(text: str) -> set[str]:
    """Words written in lower case somewhere in `text`: common words, not names."""
    return {w for w in _TOKEN.findall(text) if w[0].islower()}


def name_hits(text: str, common: frozenset[str] = frozenset()) -> Iterator[tuple[int, int, str]]:
    """(start, end, name) of people named as the ones who acted. `common`:
    words the rest of the document writes in lower case."""
    lower_words: set[str] | None = None
    for m in _NAME.finditer(text):
        after = [w.lstrip("\"'\u201c(") for w in text[m.end() : m.end() + 12].split()]
        # A log line's reduced passive ("AWS Glue checked.", "Fix committed into",
        # "Memory looked fine") is about a thing.
        reduced = not after or not after[0][:1].isalnum() or after[0].lower() in _THING_AFTER
        if reduced and not m.group("verb").startswith(("was", "is")) and after[:1] != ["by"]:
            continue
        before = text[max(0, m.start() - 12) : m.start()].split()
        word = before[-1] if before else ""
        if (word.isalpha() and word.isupper()) or word.lower() in _DETERMINERS:
            continue  # "AWS Lambdas", "the Script"
        for group in ("name", "second"):
            name = m.group(group)
            if not name:
                continue
            first = name.split()[0]
            if not is_name_token(first):
                continue
            # A common word at the start of a sentence ("Pipeline failed") is
            # written in lower case elsewhere; a name never is.
            if lower_words is None:
                lower_words = lower_case_words(text)
            if first.lower() in lower_words or first.lower() in common:
                continue
            yield m.start(group), m.end(group), name
