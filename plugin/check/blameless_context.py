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
from collections.abc import Iterable, Iterator
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
) | frozenset(
    # People named by their relation to the writer, as personal write-ups do:
    # a slip of theirs blames a person as much as an engineer's does.
    """child children kid kids friend friends coworker coworkers co-worker boss
    roommate dad mom mum father mother son daughter wife husband brother sister""".split()  # noqa: SIM905
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
    found detected fixed read looked warned communicated told picked""".split()  # noqa: SIM905
)
# What the writer "would have" felt or expected, which is no act of theirs.
_WISHED: Final = frozenset(
    """liked loved preferred hoped wanted expected thought guessed imagined assumed
    said been""".split()  # noqa: SIM905
)
# Acts that people do, after "failed to", "did not", and "forgot to".
HUMAN_ACTS: Final = frozenset(
    """follow notice recognise recognize realise realize check verify test retest update
    review read communicate escalate tell inform notify respond react act ask report
    page call alert document consider anticipate remove revoke rotate monitor watch
    look investigate confirm validate double-check coordinate understand see spot catch
    create add include mention warn back roll write set plan raise think own
    remember""".split()  # noqa: SIM905
)
# Past forms of people's acts that no ending rule gives; seeing and
# understanding are left out: "I had never seen this error" tells of something new.
_IRREGULAR: Final = {
    "catch": "caught",
    "read": "read",
    "tell": "told",
    "think": "thought",
    "spot": "spotted",
    "plan": "planned",
    "write": "wrote",
    "set": "set",
    "see": "",
    "understand": "",
}


def _past(verb: str) -> str:
    if verb in _IRREGULAR:
        return _IRREGULAR[verb]
    if verb.endswith("e"):
        return verb + "d"
    if verb.endswith("y") and verb[-2:-1] not in ("a", "e", "o"):
        return verb[:-1] + "ied"
    return verb + "ed"


# The past of people's acts ("tested", "double-checked", "read"): after
# "hadn't", "had never" or "nobody", an act that was not done.
_UNDONE_ACTS: Final = HUMAN_ACTS | {"consider", "plan", "think", "renew"}
DONE: Final = frozenset(_past(v) for v in _UNDONE_ACTS) - {""}
# Results a run or an experiment did not reach ("we failed to reproduce the
# gain"), which are findings, not duties someone missed.
RESULTS: Final = frozenset(
    """reach achieve reproduce replicate match converge obtain get improve beat find
    train learn recover generalise generalize outperform exceed surpass finish
    complete""".split()  # noqa: SIM905
)
_ASKING: Final = frozenset(["how", "whether", "what", "where", "why"])
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


_IRREGULAR_PAST: Final = frozenset(
    """took broke ran made did went wrote forgot left lost put set cut hit shut sent
    brought bought caught thought told gave drew threw""".split()  # noqa: SIM905
)


# Pieces of the verdict shapes' patterns: a run of spaces within a line, the
# end of a word, and a choice of words, longest first.
SP: Final = r"[^\S\n]++"
END: Final = r"(?![\w'-])"


def either(words: Iterable[str]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


def first_word(word: str) -> str:
    """`word` starting the pattern, so the regex engine jumps to its places."""
    return rf"(?P<at>{word})(?<![\w'-]{word})"


def low_at(tokens: list[Token], k: int) -> str:
    """The lower-case word at tokens[k], or "" past either end of the sentence."""
    return tokens[k].low if 0 <= k < len(tokens) else ""


def is_past(low: str) -> bool:
    """Whether a lower-case word is shaped like a verb in the past tense."""
    return (
        low in _IRREGULAR_PAST
        or low in _IRREGULAR_PARTICIPLES
        or (len(low) > 3 and low.endswith("ed"))
    )


def _is_participle(low: str) -> bool:
    return low in _IRREGULAR_PARTICIPLES or (len(low) > 3 and low.endswith(("ed", "en")))


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """The words and marks of `text[start:end]`, each with its place in `text`
    and its lower case (a typographic apostrophe read as a plain one)."""
    return [
        Token(m.start(), m.group(), m.group().lower().replace("\u2019", "'"))
        for m in _TOKEN.finditer(text, start, len(text) if end is None else end)
    ]


class Sentences:
    """The sentences of one text, tokenised on demand (most have no candidate)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._ends: list[int] | None = None
        self._cache: dict[int, tuple[list[int], list[Token]]] = {}

    @property
    def ends(self) -> list[int]:
        if self._ends is None:
            self._ends = [m.end() for m in _SENTENCE_END.finditer(self.text)]
        return self._ends

    def around(self, at: int) -> tuple[int, list[Token]]:
        """(index of the token at `at`, tokens of its sentence)."""
        k = bisect_right(self.ends, at)
        if k not in self._cache:
            start = self.ends[k - 1] if k else 0
            end = self.ends[k] if k < len(self.ends) else len(self.text)
            tokens = tokenize(self.text, start, end)
            self._cache[k] = ([t.start for t in tokens], tokens)
        starts, tokens = self._cache[k]
        return max(bisect_right(starts, at) - 1, 0), tokens


def _person_token(tok: Token) -> bool:
    # A plural of at least three letters: "is" is no plural of "i".
    return tok.low in PEOPLE or (len(tok.low) > 2 and tok.low.rstrip("s") in PEOPLE)


def subject_is_person(tokens: list[Token], i: int) -> bool:
    """Whether the verb at tokens[i] has a person (or role) as its subject."""
    j = i - 1
    while j >= 0 and (tokens[j].low in _ADVERBS or tokens[j].low.endswith("ly")):
        j -= 1
    if j < 0:
        return False
    word = tokens[j].low
    # Names are left out: "Traefik failed to" is as common as "Emil failed to",
    # and a name that acts is the person rule's to report.
    if _person_token(tokens[j]):
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


def word_at(tokens: list[Token], k: int) -> str:
    """The word at tokens[k] with a hyphenated rest ("double-check", "re-run"),
    which the tokens split, or ""."""
    if k >= len(tokens):
        return ""
    if (
        k + 2 < len(tokens)
        and tokens[k + 1].text == "-"
        and tokens[k + 1].start == tokens[k].start + len(tokens[k].text)
    ):
        return f"{tokens[k].low}-{tokens[k + 2].low}"
    return tokens[k].low


def _phrase_end(tokens: list[Token], i: int, phrase: str) -> int:
    """Index of the last token of `phrase`, which starts at tokens[i]."""
    return min(i + len(_TOKEN.findall(phrase)) - 1, len(tokens) - 1)


# What each rule's context check decides, by phrase ------------------------


def supposed(tokens: list[Token], i: int) -> bool:
    """Whether the hindsight at tokens[i] sits in a case or a hypothesis:
    "Reflect whether X should have been communicated", "not assume we could have"."""
    return any(
        t.low in _HYPOTHESIS or t.low in ("if", "reflect", "consider")
        for t in tokens[max(0, i - 12) : i]
    )


def counterfactual_blames(tokens: list[Token], i: int, phrase: str) -> str | None:
    """The kind of hindsight at tokens[i] (starting `phrase`), or None when
    the phrase is about a thing, a need or a plan."""
    first = phrase.split()[0].replace("\u2019", "'")
    last = _phrase_end(tokens, i, phrase)
    if first == "had" and _prev(tokens, i) in _INVERTING:
        return None  # "not only had I found a supervisor": an inversion, not a condition
    if first in ("if", "had", "why"):
        # "if only staging has data": a condition now narrowed, not a wish.
        return None if phrase == "if only" and _narrows(tokens, last) else "if-only"
    if supposed(tokens, i):
        return None
    if first == "failure":
        # "the failure of a lead operator to act"
        window = tokens[last + 1 : last + 6]
        person = any(_person_token(t) for t in window)
        return "failed-to" if person and any(t.low == "to" for t in window) else None
    if first in ("failed", "failing", "neglected", "didn't"):
        if _next(tokens, last) in RESULTS:
            return None
        if _prev(tokens, i) in ("we", "us") and _next(tokens, last) not in HUMAN_ACTS:
            # What a group failed to get from a run ("we failed to cross the
            # 24B-token mark") is a result; hindsight is about its own acts.
            return None
        return "failed-to" if subject_is_person(tokens, i) else None
    if first.startswith(("should", "ought")):
        after = word_at(tokens, last + 1)
        if after == "been" and _is_participle(_next(tokens, last, 2)):
            # Passive: someone should have done it ("should have been caught"),
            # unless a machine was to do it ("should have been automatically ...").
            return None if _next(tokens, last, 2).endswith("ly") else "should-have"
        if not _is_participle(after.rsplit("-", 1)[-1]):
            return None  # a need or a plan: "workloads should have priority"
        # "Should've double-checked the region": the writer's, left unsaid in a
        # contraction a personal note uses; a list's "Should have caught secrets"
        # after a tool's name tells what the tool was for.
        elided = tokens[i].low == "should've" and all(
            not t.text[0].isalpha() or t.low.endswith("ly") for t in tokens[:i]
        )
        return "should-have" if elided or subject_is_person(tokens, i) else None
    if first.startswith(("could", "would")):
        # Mostly what a thing could have done ("a longer stall could have caused");
        # hindsight when people could have acted otherwise.
        if any(t.low == "without" for t in tokens[max(0, i - 8) : i]):
            # "without the alert we would have noticed it later": what the
            # absence of a thing would have cost, not what people should have done.
            return None
        after = word_at(tokens, last + 1)
        if after == "been" and _next(tokens, last, 2) in _HINDSIGHT_ACTS:
            # "this could have been caught", "picked up": by people, in hindsight;
            # not a question a review asks ("how it could have been prevented"),
            # nor one it answers in the list it opens ("ways it could have been
            # avoided:", the list mark sometimes lost with the line).
            asked = any(t.low in _ASKING or t.low == "ways" for t in tokens[max(0, i - 3) : i])
            return None if asked or tokens[-1].text == ":" else "could-have"
        # The writer's own hindsight takes any act of theirs, in any form ("I
        # would have spot the difference"); others' takes the usual ones.
        if after in ("also", "definitely", "probably"):
            after = word_at(tokens, last + 2)
        # Any other act only with "would" told plainly ("I would have written
        # my signoffs sooner"): "I could have downloaded a dump" weighs an
        # option, and "I would not have believed it" tells no act.
        plain = first == "would" and "not" not in phrase and "n't" not in phrase
        writer = _prev(tokens, i) == "i" and (
            after in HUMAN_ACTS
            or after in DONE
            or (plain and _is_participle(after) and after not in _WISHED)
        )
        if after not in _HINDSIGHT_ACTS and not writer:
            return None
        return "could-have" if subject_is_person(tokens, i) else None
    return "if-only"


# Words after which "had I" is inverted by a negative or a limit, not a condition.
_INVERTING: Final = frozenset(
    """only never sooner hardly rarely seldom scarcely little""".split()  # noqa: SIM905
)
# Present forms after "if only" that make it a condition ("if only one node
# is left"): a wish is told in the past ("if only we had checked").
_PRESENT: Final = frozenset("is are has have does do exists remains".split())  # noqa: SIM905
_CONDITION_TOKENS: Final = 6


def _narrows(tokens: list[Token], last: int) -> bool:
    window = [t.low for t in tokens[last + 1 : last + 1 + _CONDITION_TOKENS]]
    return any(w in _PRESENT for w in window) and not any(
        w in ("had", "were", "would", "could") for w in window
    )


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
    if "ruled out" in after or after.startswith(("is not ", "was not ")):
        return False  # a cause excluded: "human error was ruled out"
    if _next(tokens, i, 2) in _MEASURED:
        return False  # "the human error rate", "operator error codes"
    return "at the time" not in after and not _one_of_kinds(tokens, i)


# Nouns that "human error" names a kind of: a measure, or a code a tool shows.
_MEASURED: Final = frozenset("rate rates code codes message messages count counts".split())  # noqa: SIM905
_LIST_TOKENS: Final = 12


def _one_of_kinds(tokens: list[Token], i: int) -> bool:
    """Whether the phrase at tokens[i] is one of a list of kinds of failure:
    alternatives ("bugs, hardware failures, or human error") or items under
    a repeated mark ("❌ Hardware failures ❌ User error"), not this incident's cause."""
    prev = _prev(tokens, i)
    start = max(0, i - _LIST_TOKENS)
    if prev == "or":
        return sum(t.text == "," for t in tokens[start : i - 1]) >= 2
    if i == 0 or tokens[i - 1].text.isalnum() or tokens[i - 1].text in ".,:;()|":
        return False  # a table's cells are columns ("| Root cause | Human error |"), not items
    # The same mark before another item, with its words between ("## Human error" is one heading).
    item = False
    for k in range(i - 2, start - 1, -1):
        if tokens[k].text == tokens[i - 1].text and item:
            return True
        item = item or tokens[k].text.isalnum()
    return False


_ABOUT_ACTS: Final = frozenset(
    ["just", "simply", "merely", "trivially", "easily", "obviously", "clearly"]
)
_WRITER: Final = frozenset(["i", "we"])
_AUXILIARIES: Final = _MODALS | frozenset(
    """am is are was were be been do does did have has had 'm 're 've 'd 'll""".split()  # noqa: SIM905
)


def _writer_acts(tokens: list[Token], i: int) -> bool:
    """Whether the word at tokens[i] sits in a clause whose subject is the
    writer ("I could easily run", "we just need to"), read back past
    adverbs and auxiliaries."""
    j = i - 1
    while j >= 0 and i - j <= 5 and _between_subject_and_verb(tokens[j].low):
        j -= 1
    # "I've just", "we'd simply": the pronoun with its auxiliary on it.
    return j >= 0 and tokens[j].low.split("'", 1)[0] in _WRITER


def _between_subject_and_verb(low: str) -> bool:
    """Auxiliaries and adverbs, any "-ly" word among them ("I literally just
    ran", "I quickly and simply ran"), which leave the subject before them."""
    return low in _AUXILIARIES or low in _ADVERBS or low.endswith("ly") or low in ("and", ",")


def minimiser_blames(tokens: list[Token], i: int, phrase: str) -> str | None:
    """The kind of minimising at tokens[i], or None when the word is about
    a thing ("not trivial", "just because it compiles", "clearly showed")."""
    word = phrase.lower()
    last = _phrase_end(tokens, i, phrase)
    after, before = _next(tokens, last), _prev(tokens, i)
    if word == "everyone knows":
        return "obvious"
    if before in ("not", "no", "non", "-") or after == "because":
        return None
    if word in _ABOUT_ACTS and _writer_acts(tokens, i):
        # "I simply ran the restore", "we just need to feed these to the
        # script": the writer telling their own steps makes no one's work small.
        return None
    if word in _ABOUT_ACTS:
        # "The fix was simply to roll back", "they just had to", "could easily have";
        # not an instruction, told in the present ("the fix is simply to roll
        # back", "the user just needs to", "you can easily check it").
        if before in ("was", "be") and _prev(tokens, i, 2) in _TASK_NOUNS:
            return "task"
        if after in ("had", "needed") and _next(tokens, last, 2) == "to":
            return "task"
        hindsight = before == "should" or after == "have"
        if before in _MODALS and hindsight and subject_is_person(tokens, i - 1):
            # Not "this could easily take 30 s".
            return "task"
        if word in ("just", "simply", "merely") and after in _ACTS and subject_is_person(tokens, i):
            return "act"
    if word in ("obviously", "clearly", "of course", "needless to say", "it goes without saying"):
        window = range(i + 1, min(last + 4, len(tokens)))
        if any(_person_token(tokens[k]) and not _advice_or_habit(tokens, k) for k in window):
            return "obvious"
    if word in ("easy", "trivial", "obvious", "easily"):
        # "It was easy to spot", "should have been obvious" (not "easy to miss");
        # not what is easy now ("this is easy to fix: ..."), which is advice.
        now = before in ("is", "are") or before.endswith("'s")
        if after == "to" and _next(tokens, last, 2) in _NOTICE_VERBS and not now:
            return "obvious"
        if before == "been" and _prev(tokens, i, 3) in _MODALS:
            return "obvious"
        if before in ("was", "is", "be") and _prev(tokens, i, 2) in _TASK_NOUNS:
            return "task"
    return None


def _advice_or_habit(tokens: list[Token], k: int) -> bool:
    """Whether the person at tokens[k] is told what to do ("of course you
    should not", "obviously you need to") or tells a habit ("of course I use
    separate keys"): neither makes anyone's slip look small. Read past
    adverbs to the verb."""
    j = k + 1
    while j < len(tokens) and (tokens[j].low in _ADVERBS or tokens[j].low.endswith("ly")):
        j += 1
    verb = _next(tokens, j - 1)
    told = verb in ("need", "needs") or (verb in ("have", "has") and _next(tokens, j) == "to")
    if verb in _MODALS or told:
        return True
    present = verb.isalpha() and not is_past(verb) and verb not in _AUXILIARIES
    return tokens[k].low in _WRITER and present and verb not in ("never", "not")


# Words before "overlooked" that make it describe a thing ("an often
# overlooked difference", "is easily overlooked"), not a person's slip.
_DESCRIBING: Final = frozenset(
    """a an the often easily commonly frequently sometimes rarely subtle important
    is are be being get gets""".split()  # noqa: SIM905
)
# Nouns after a judging adjective that make it about a thing ("what dumb thing broke").
_THINGS: Final = frozenset(
    """thing things stuff luck question questions joke jokes weather bug bugs""".split()  # noqa: SIM905
)


def overlook_blames(tokens: list[Token], i: int) -> bool:
    """Whether "overlooked" at tokens[i] is a slip of people ("the reviewer
    overlooked", "the warning was overlooked"), not a description ("an often
    overlooked difference", "the design overlooked the case")."""
    if _prev(tokens, i) in _DESCRIBING:
        return False
    j = i - 1
    while j >= 0 and (tokens[j].low in _ADVERBS or tokens[j].low.endswith("ly")):
        j -= 1
    if j < 0 or tokens[j].low in ("was", "were", "been", "got"):
        return True  # passive: someone overlooked it
    return _person_token(tokens[j]) or is_name_token(tokens[j].text)


def judges_a_thing(tokens: list[Token], i: int) -> bool:
    """Whether a judging adjective at tokens[i] is said of a thing, or
    conceded of anything ("ask, no matter how stupid the question seems")."""
    conceded = _prev(tokens, i) == "how" and _prev(tokens, i, 2) == "matter"
    if tokens[i].low in _JUDGING_VERBS:
        return _thing_acts(tokens, i)
    return conceded or _next(tokens, i) in _THINGS


# Verbs that judge a person's work when a person does it ("we botched the
# launch"), and only tell damage when a thing does ("the update messed up the config").
_JUDGING_VERBS: Final = frozenset(["messed", "screwed", "botched", "mismanaged"])
_NOT_THINGS: Final = frozenset(
    """i we you he she they me us them someone somebody who that which one""".split()  # noqa: SIM905
)


def _thing_acts(tokens: list[Token], i: int) -> bool:
    """Whether the verb at tokens[i] has a thing as its subject, read back
    past adverbs and "has": not a person, a name, a passive ("was botched"),
    an adjective ("a botched rollout") or a subject left out ("Messed up ...")."""
    j = i - 1
    while j >= 0 and (tokens[j].low in _ADVERBS or tokens[j].low.endswith("ly")):
        j -= 1
    if j >= 0 and tokens[j].low in ("has", "have", "had"):
        j -= 1
    if j < 0 or not tokens[j].text.isalpha():
        return False
    tok = tokens[j]
    low = tok.low
    return not (
        _person_token(tok)
        or is_name_token(tok.text)
        or low in _NOT_THINGS
        or (low in _DETERMINERS and low not in ("this", "these", "those"))
        or low in PASSIVE_COPULAS
    )


PASSIVE_COPULAS: Final = frozenset(
    """is are was were be been being get gets got""".split()  # noqa: SIM905
)


# "was lazy", "got lazy", "became lazy about the checklist".
_LAZY_COPULAS: Final = frozenset(["was", "were", "is", "are", "being", "got", "get", "became"])


def lazy_person(tokens: list[Token], i: int) -> bool:
    """Whether "lazy" at tokens[i] is said of people ("a lazy reviewer", "they
    were lazy"), not of a technique ("lazy loading", "lazy DB lookups")."""
    if _person_token(tokens[i + 1]) if i + 1 < len(tokens) else False:
        return True
    # "they were lazy", "I was too lazy to": past a word that grades it.
    k = i - 1 if _prev(tokens, i) in ("too", "very", "so", "quite", "pretty", "really") else i
    return _prev(tokens, k) in _LAZY_COPULAS and subject_is_person(tokens, k - 1)


# Blame that no listed word carries ----------------------------------------

_S: Final = r"[^\S\n]++"  # one or more spaces on one line, never given back
_RELEASE: Final = "put|pushed|deployed|released|shipped|merged|rolled|launched|promoted|approved"
_BEFORE_CHARS: Final = 48
# Judgements of people that no single listed word carries: (kind, the rarer
# words they turn on, what must come before that word, what must follow).
# Each is looked for only where its word occurs in the text, and what comes
# before is matched within a few words: the cost stays linear.
_JUDGEMENT_SPECS: Final = (
    (
        "tired",
        "tired exhausted fatigued sleepy overworked distracted",
        "",
        rf"{_S}(?:[\w-]++{_S})?(?:admin|administrator|engineer|operator|developer|sre"
        r"|technician|person|staff|on-call)s?+",
    ),
    (
        "someone",
        "someone somebody",
        "",
        rf"{_S}(?:just{_S})?+(?:wrote|made|pushed|deployed|forgot|broke|changed|deleted|typed"
        r"|committed|merged|missed|ran|left|put|decided|thought)",
    ),
    ("overlooked", "overlook overlooked overlooking overlooks", "", ""),
    # "an oversight" is a slip; "the oversight in place" and "human oversight" supervise.
    (
        "overlooked",
        "oversight",
        r"(?:this|an|simple|careless)[^\S\n]+",
        rf"(?!{_S}(?:of|committee|board|body))",
    ),
    ("premature", "prematurely", rf"(?:{_RELEASE})(?:[^\S\n]+[\w-]+){{0,3}}?[^\S\n]+", ""),
    ("premature", "prematurely", "", rf"{_S}(?:{_RELEASE})"),
    (
        "assumed",
        "wrongly mistakenly incorrectly erroneously naively falsely",
        "",
        rf"{_S}(?:assumed|believed|thought|decided|concluded|expected|presumed|trusted|judged)",
    ),
    (
        "poorly",
        "poorly",
        "",
        rf"{_S}(?:written|designed|planned|executed|implemented|tested|thought|coded|managed"
        r"|reviewed|handled|communicated|configured|considered)",
    ),
    (
        "careful",
        "careful vigilant diligent attentive aware thorough cautious disciplined rigorous",
        r"(?:be|being)[^\S\n]+more[^\S\n]+",
        "",
    ),
    ("careful", "care", r"(?:take|took|taking)[^\S\n]+more[^\S\n]+", ""),
    (
        "despite",
        "despite",
        "",
        rf"{_S}(?:being{_S}aware|knowing|being{_S}warned|the{_S}warnings?+|warnings)",
    ),
    # A mistake graded as a failing of whoever made it ("an inexcusable
    # mistake", "a really bad blunder"); "a common mistake" only describes.
    (
        "judged",
        "mistake mistakes blunder blunders",
        r"(?:(?:really|very|so|truly|pretty)[^\S\n]+)?+(?:inexcusable|unforgivable|silly|rookie"
        r"|bad|terrible|huge|big|catastrophic|embarrassing|avoidable|obvious|basic)[^\S\n]+",
        "",
    ),
)

_Finder = tuple[str, re.Pattern[str], re.Pattern[str] | None]


def _judgement_finders() -> dict[str, list[_Finder]]:
    finders: dict[str, list[_Finder]] = {}
    for kind, words, before, after in _JUDGEMENT_SPECS:
        for word in words.split():
            pattern = re.compile(rf"{word}(?<![\w-]{word}){after}(?![\w-])")
            prefix = re.compile(rf"(?<![\w-]){before}$") if before else None
            finders.setdefault(word, []).append((kind, pattern, prefix))
    return finders


_JUDGEMENT_FINDERS: Final = _judgement_finders()


# "X was wrongly assumed to be Y" says an assumption was wrong, and of no
# one: the judging adverb of a passive has no person to land on.
_PASSIVE_BEFORE: Final = re.compile(r"(?<![\w-])(?:is|are|was|were|be|been|being)[^\S\n]++$")
_PASSIVE_CHARS: Final = 8


def judgement_hits(folded: str, words: set[str]) -> Iterator[tuple[int, int, str]]:
    """(start, end, kind) of judgements of people written without a listed
    word. `words`: the words of `folded`."""
    for word in _JUDGEMENT_FINDERS.keys() & words:
        for kind, pattern, prefix in _JUDGEMENT_FINDERS[word]:
            for m in pattern.finditer(folded):
                start = m.start()
                if kind == "assumed" and _PASSIVE_BEFORE.search(
                    folded, max(0, start - _PASSIVE_CHARS), start
                ):
                    continue
                if prefix is not None:
                    lead = max(0, start - _BEFORE_CHARS)
                    found = prefix.search(folded, lead, start)
                    if found is None:
                        continue
                    start = found.start()
                yield start, m.end(), kind


# "human error" with a word between: "user configuration error", "operator
# input mistake". Each word is bounded, so a failed match costs a few characters.
_PEOPLE_ERROR: Final = re.compile(
    r"(?<![\w-])(?:human|user|operator|staff|employee|admin|engineer|developer)"
    r"[^\S\n]{1,3}+[a-z]{3,20}+[^\S\n]{1,3}+(?:error|mistake)s?+(?![\w-])"
)
_ERROR_WORDS: Final = frozenset(["error", "errors", "mistake", "mistakes"])
_ERROR_PEOPLE: Final = frozenset(
    ["human", "user", "operator", "staff", "employee", "admin", "engineer", "developer"]
)


def people_error_hits(folded: str, words: set[str]) -> Iterator[tuple[int, int]]:
    """(start, end) of an error named after the people who made it, with a
    word between ("user configuration error"), in folded text."""
    if _ERROR_WORDS & words and _ERROR_PEOPLE & words:
        for m in _PEOPLE_ERROR.finditer(folded):
            yield m.start(), m.end()


# People named in the narrative ---------------------------------------------

# Verbs of things people do (and systems seldom): after a capitalised word,
# they make it a person's name. Verbs organisations use (announced,
# confirmed, identified, released) and machines use (ran, failed, started)
# are left out, so products and companies are not taken for people.
_HUMAN_VERBS: Final = frozenset(
    """notified looked evaluated discussed discussing asked told called emailed messaged
    pinged paged wrote typed clicked forgot realised realized noticed reviewed approved
    joined tried agreed merged pushed committed reverted removed found made decided
    proposed mentioned explained escalated acknowledged investigated checked manually
    logged missed ignored thought assumed believed said assigned going worked working
    looking investigating noted assessed notifies evaluates discusses asks tells writes
    clicks forgets realises realizes notices reviews approves joins tries agrees merges
    pushes commits reverts removes finds decides proposes mentions explains escalates
    acknowledges investigates misses ignores thinks assumes believes says notes
    assesses""".split()  # noqa: SIM905
)
# Done "by" someone: "Resolved by Angus through Slack", "identified by Emil C.".
_AGENT_VERBS: Final = frozenset(
    """resolved reported identified acknowledged escalated assigned approved reviewed
    merged written reverted paged noticed fixed triggered found raised declared closed
    investigated""".split()  # noqa: SIM905
)
_BY_NAME: Final = re.compile(
    r"by(?<![\w-]by)[^\S\n]++(?P<name>[A-Z][a-z]{1,14}+(?:[^\S\n]++(?:[A-Z][a-z]{1,14}+|[A-Z]\.))?+)"
    r"(?=[^\S\n]*+(?:$|[.,;:)!?]|(?:through|via|in|on|at|and|after|before|with|from|for|during|when|while|as)\b))"
)
_VERB_CHARS: Final = 60
_PASSIVE_OK: Final = frozenset(
    ["assigned", "paged", "notified", "asked", "told", "called", "going", "looking"]
)
_CAPITAL_THEN_WORD: Final = re.compile(
    rf"[A-Z][a-z]{{1,14}}+\.?+{_S}(?:(?:also|then|later|quickly|immediately|was|is){_S})?+"
    r"(?P<verb>[a-z]++)"
)
# What comes before such a verb when a person is its subject: a name, or a
# first name and an initial or a surname, or two names joined by "and".
_NAME_BEFORE: Final = re.compile(
    r"(?<![\w@./-])(?P<name>[A-Z][a-z]{1,14}+(?:[^\S\n]++(?:[A-Z][a-z]{1,14}+|[A-Z]\.))?+)"
    rf"(?:{_S}and{_S}(?P<second>[A-Z][a-z]{{1,14}}+))?+{_S}"
    rf"(?:(?:also|then|later|quickly|immediately|was|is){_S})?+$"
)
# Capitalised words that are not names: roles and teams (allowed), words
# that begin sentences, and what a tool's verb takes before it at the start
# of a log line ("Force pushed to main", "Hard reset the branch").
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
    most some many few several what how why where which whose whom there here yes no
    with without for from in on at by to of as if but and or so because since until
    during upon about into over under per via although though unless whether not every
    any another other such only even still just again incident incidents issue alert alarm
    ticket fix patch change code deploy rollback force hard soft auto never always often
    sometimes usually already""".split()  # noqa: SIM905
)


# Endings of common words, seldom of first names ("Confirmed working",
# "Vulnerability committed", "Describing the nodes"), adjectives among them
# ("Single misplaced query", "Multiple commits").
_WORD_ENDINGS: Final = tuple(
    """ed ing ly tion sion ment ness ity ities ance ure ism ory ions ents ies ers
    ple gle ous ful less able ible ical""".split()  # noqa: SIM905
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
# A capitalised word after one of these is the object of the preposition,
# part of a phrase ("a restart of Ruby on Rails made"), never the subject.
_PREPOSITIONS: Final = frozenset(
    """of on in at for to with from into onto about via per than like""".split()  # noqa: SIM905
)


class LowerCaseWords:
    """Words written in lower case somewhere in a text: common words, not
    names. The first few questions are each a scan for the word; after
    them, the text's words are collected once (so the cost stays linear)."""

    _SCANS = 8

    def __init__(self, text: str) -> None:
        self._text = text
        self._words: set[str] | None = None
        self._scans = 0
        # Whether the text owns a slip of its writer's; None until a sentence asks.
        self.confesses: bool | None = None

    @property
    def text(self) -> str:
        return self._text

    def __contains__(self, word: str) -> bool:
        if self._words is None and self._scans < self._SCANS:
            self._scans += 1
            w = re.escape(word)
            return re.search(rf"{w}(?<![\w-]{w})(?![\w-])", self._text) is not None
        if self._words is None:
            self._words = {w for w in _TOKEN.findall(self._text) if w[0].islower()}
        return word in self._words


def name_hits(
    text: str, words: set[str], common: LowerCaseWords | None = None
) -> Iterator[tuple[int, int, str]]:
    """(start, end, name) of people named as the ones who acted. `words`: the
    (folded) words of `text`; `common`: the whole document's lower-case words,
    when `text` is a part of it."""
    lower_words = common if common is not None else LowerCaseWords(text)
    if "by" in words:
        for agent in _BY_NAME.finditer(text):
            before = text[max(0, agent.start() - 20) : agent.start()].split()
            if before and before[-1].lower() in _AGENT_VERBS:
                yield from _names(text, agent, None, lower_words)
    if not _HUMAN_VERBS & words:
        return
    # One scan for a capitalised word before a lower-case one, whose verb
    # decides; then a bounded look back for the whole name.
    for v in _CAPITAL_THEN_WORD.finditer(text):
        if v.group("verb") not in _HUMAN_VERBS:
            continue
        lead = max(0, v.start("verb") - _VERB_CHARS)
        m = _NAME_BEFORE.search(text, lead, v.start("verb"))
        if m is not None:
            yield from _names(text, m, v, lower_words)


def _names(
    text: str,
    m: re.Match[str],
    verb: re.Match[str] | None,
    lower_words: LowerCaseWords,
) -> Iterator[tuple[int, int, str]]:
    """The names of match `m` that are people's names (`verb`: the verb after them)."""
    if verb is not None and not _acts(text, m, verb):
        return
    for group in ("name", "second"):
        name = m.group(group) if group in m.re.groupindex else None
        if not name:
            continue
        first = name.split()[0]
        if not is_name_token(first):
            continue
        # A common word at the start of a sentence ("Pipeline failed") is
        # written in lower case elsewhere; a name never is. Nor is a
        # product's second word ("Claude Code", "Visual Studio").
        if any(w.lower() in lower_words for w in name.split() if w[-1] != "."):
            continue
        yield m.start(group), m.end(group), name


def _acts(text: str, m: re.Match[str], verb: re.Match[str]) -> bool:
    """Whether the words around a name and its verb make it a person acting."""
    after = [w.strip("\"'\u201c\u201d().,;:!?") for w in text[verb.end() : verb.end() + 12].split()]
    # A log line's reduced passive ("AWS Glue checked.", "Fix committed into",
    # "Memory looked fine") is about a thing.
    reduced = not after or not after[0][:1].isalnum() or after[0].lower() in _THING_AFTER
    # "Ross was assigned" is a person; "No activity in Paypal was noted" is not.
    passive = m.group().rstrip().endswith((" was", " is")) and verb.group("verb") in _PASSIVE_OK
    if reduced and not passive and after[:1] != ["by"]:
        return False
    before = text[max(0, m.start() - 12) : m.start()].split()
    word = before[-1] if before else ""
    # "AWS Lambdas", "the Script"
    low = word.lower()
    return not ((word.isalpha() and word.isupper()) or low in _DETERMINERS or low in _PREPOSITIONS)
