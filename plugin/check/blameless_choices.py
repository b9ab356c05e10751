"""Verdicts on a person's choice, knowledge or way of working, for the blameless review.

Write-ups judge what people chose, knew or how they worked together in
words that name no slip and no trait:

- a choice judged after it, pointed at rather than named: "That was a
  mistake.", "This was a $50+ mistake.", "it wasn't a great idea to make it
  so hard", "a space shooter was probably a bad idea in the first place";
- knowledge or skill denied its owner: "I didn't know what the hell I was
  doing", "I had no understanding of the system", "the team's limited
  experience with debugging", "my understanding of the codebase was
  extremely limited";
- working together denied a team or the writer: "we didn't communicate
  well", "the team did not work together anywhere near ...";
- the writer's belief in their own knowledge or plan, told as past: "I
  thought I knew it all", "I thought trust was enough".

Each turns on a word (the choice's noun, "doing", the knowledge noun, the
verb of working together, "thought") and reads a few tokens around it for the person
the verdict lands on, so the cost stays linear in the text. Plans told in
the present or the conditional ("pinning is a good idea", "sleep would be a
good idea") are advice, not verdicts, and things that do not communicate
("the replicas did not communicate") have no one to blame.
"""

from __future__ import annotations

from typing import Final

from .blameless_clause import person_kind
from .blameless_context import END, SP, Token, either, first_word
from .blameless_context import low_at as _low
from .blameless_traits import CHOICE_JUDGING, CHOICES, OWNERS, on_someone


def _who(tokens: list[Token], k: int) -> str:
    """The kind of person at tokens[k], a possessive included ("the team's")."""
    low = _low(tokens, k)
    if low.endswith("'s") and low[:-2] in ("team", "group"):
        return "group"
    return person_kind(tokens, k) if 0 <= k < len(tokens) else ""


def _person_before(tokens: list[Token], k: int) -> str:
    """The nearest person before tokens[k] in its sentence, or ""."""
    return next((w for m in range(k - 1, -1, -1) if (w := _who(tokens, m))), "")


def _verdict(who: str, i: int) -> tuple[str, str, int]:
    """A verdict with no person in its sentence is still someone's: the
    choice or the work judged is what a person did."""
    return on_someone(who, i) or ("blameless-judgement", "guilt", i)


# Slips named as the verdict on an act told before: "That was a mistake."
_SLIP_VERDICTS: Final = frozenset(["mistake", "blunder", "misstep"])
_POINTERS: Final = frozenset(["this", "that", "it"])
_PAST_COPULAS: Final = frozenset(["was", "were"])
# After the noun, what makes it a mistake in something rather than a verdict
# on an act: "it was a mistake in the parser", "a mistake of the vendor's".
_IN_SOMETHING: Final = frozenset(["in", "of", "on", "by", "from"])
_OPENERS: Final = frozenset(["and", "but", "so", "which", "honestly", "clearly", "obviously"])
_GRADES: Final = 4
_CLEFTS: Final = frozenset(["that", "which", "who"])


def pointed_slip(tokens: list[Token], i: int) -> tuple[str, str, int] | None:
    """ "That was a mistake.", "This was a $50+ mistake.", "(big mistake)":
    the act told before, judged a slip."""
    if _low(tokens, i + 1) in _IN_SOMETHING:
        return None
    if {_low(tokens, i + 1), _low(tokens, i + 2)} & _CLEFTS:
        return None  # "It was a trivial HTML mistake that did the trick": the cause, a thing
    k = i - 1
    while k >= 0 and i - k <= _GRADES and _low(tokens, k) not in ("a", "an", "("):
        k -= 1
    if _low(tokens, k) == "(":
        return _verdict(_person_before(tokens, k), i) if _low(tokens, i + 1) == ")" else None
    if _low(tokens, k) not in ("a", "an") or _low(tokens, k - 1) not in _PAST_COPULAS:
        return None
    pointer = k - 2
    if _low(tokens, pointer) not in _POINTERS:
        return None
    # The pointer opens its clause: "That was a mistake", not "the file that was a mistake".
    if any(t.text[0].isalnum() and t.low not in _OPENERS for t in tokens[:pointer]):
        return None
    return _verdict("", i)


_PRAISE: Final = frozenset(["good", "great", "smart", "wise", "clever", "brilliant"])
_DENIALS: Final = frozenset(["not", "wasn't", "weren't"])
_HEDGES: Final = frozenset(["probably", "definitely", "really", "certainly", "clearly", "not"])


def past_choice(tokens: list[Token], i: int) -> tuple[str, str, int] | None:
    """ "it wasn't a great idea to make it so hard", "it was a bad decision to
    wait", "was probably a bad idea in the first place": a choice made
    before, judged in the past tense; "pinning is a good idea" is advice."""
    k = i - 1
    judged = _low(tokens, k) in CHOICE_JUDGING
    praised = _low(tokens, k) in _PRAISE
    if not (judged or praised):
        return None
    k -= 1
    if _low(tokens, k) in ("very", "really", "such"):
        k -= 1
    if _low(tokens, k) not in ("a", "an"):
        return None
    k -= 1
    denied = False
    while _low(tokens, k) in _HEDGES:
        denied = denied or _low(tokens, k) in _DENIALS
        k -= 1
    copula = _low(tokens, k)
    if copula not in _PAST_COPULAS and copula not in _DENIALS:
        return None
    denied = denied or copula in _DENIALS
    if judged == denied:
        return None  # "it was a great idea", "it was not a bad call"
    after = _low(tokens, i + 1)
    first_place = after == "in" and _low(tokens, i + 3) == "first"
    if after != "to" and not first_place:
        return None  # "that was a bad call" is judged_act's, with its person
    return _verdict(_person_before(tokens, k), i)


# Not knowing what one was doing: "I didn't know what the hell I was doing".
_DOING_COPULAS: Final = frozenset(["was", "were", "am", "are", "i'm", "we're"])
_NOT_KNOWING: Final = frozenset(["didn't", "don't", "not", "never", "n't"])
_NONE: Final = frozenset(["no", "zero"])
_KNOWER_TOKENS: Final = 6


def knew_not_what(tokens: list[Token], i: int) -> tuple[str, str, int] | None:
    """ "I didn't know what the hell I was doing", "I have no idea what I am
    doing": the doer's knowledge of their own work denied."""
    k = i - 1
    if _low(tokens, k) in _DOING_COPULAS and "'" not in _low(tokens, k):
        k -= 1
    doer = _who(tokens, k)
    if doer not in ("self", "group"):
        return None  # "you have no idea what you're doing" is said of anyone
    k -= 1
    for m in range(k, max(k - _KNOWER_TOKENS, -1), -1):
        if _low(tokens, m) == "what":
            break
    else:
        return None
    known = _low(tokens, m - 1)
    if known == "know":
        denied = _low(tokens, m - 2) in _NOT_KNOWING or _low(tokens, m - 3) == "did"
    elif known in ("idea", "clue"):
        denied = _low(tokens, m - 2) in _NONE
    else:
        return None
    if not denied or _person_before(tokens, m - 1) != doer:
        return None
    return on_someone(doer, m - 1)


# Knowledge and skill, whose lack its owner is judged by: "our limited
# experience with Kubernetes", "I had no understanding of the system".
KNOWLEDGE: Final = frozenset(
    """experience knowledge understanding expertise skill skills""".split()  # noqa: SIM905
)
_LIMITED: Final = frozenset(
    """limited little insufficient no zero minimal poor""".split()  # noqa: SIM905
)
# A word that says which knowledge: "no prior experience", "limited programming knowledge".
_KNOWLEDGE_OF: Final = frozenset(["prior", "previous", "real", "practical", "domain", "technical"])
_HAVING: Final = frozenset(["had", "has", "have"])
_FOUND_LIMITED: Final = frozenset(["limited", "insufficient", "lacking", "poor", "shallow"])
_LIMIT_TOKENS: Final = 10


def lacked_knowledge(tokens: list[Token], i: int) -> tuple[str, str, int] | None:
    """ "the team's limited experience with debugging", "I had no
    understanding of the system", "my understanding of the codebase was
    extremely limited": knowledge or skill a person owns, found lacking."""
    k = i - 1
    if _low(tokens, k) in _KNOWLEDGE_OF:
        k -= 1
    if _low(tokens, k) in _LIMITED:
        owner = _low(tokens, k - 1)
        if owner in OWNERS:
            return on_someone(OWNERS[owner], i)
        if owner in _HAVING:
            return on_someone(_who(tokens, k - 2), i)
        return on_someone(_who(tokens, k - 1), i) if owner.endswith("'s") else None
    # The owner before, the verdict after: "my understanding of X was extremely
    # limited"; not "my experience with their support was poor", which judges them.
    who = OWNERS.get(_low(tokens, i - 1), "")
    if not who or tokens[i].low == "experience":
        return None
    for m in range(i + 1, min(i + _LIMIT_TOKENS, len(tokens) - 1)):
        if tokens[m].low in _PAST_COPULAS:
            rest = [t.low for t in tokens[m + 1 : m + 4]]
            limited = any(w in _FOUND_LIMITED for w in rest) and "not" not in rest
            return on_someone(who, i) if limited else None
    return None


# Working together, denied a person: "we didn't communicate", "the team did
# not work together".
_TOGETHER: Final = frozenset(["communicate", "collaborate", "coordinate", "cooperate"])
_DID_NOT: Final = frozenset(["didn't", "never", "not", "n't"])


def worked_apart(tokens: list[Token], i: int) -> tuple[str, str, int] | None:
    """ "We didn't communicate well", "the team did not work together
    anywhere near the efficiency of last term": a team's practice judged."""
    k = i - 1
    if tokens[i].low == "together":
        if _low(tokens, k).endswith("ly"):
            k -= 1  # "did not work closely together"
        if _low(tokens, k) not in ("work", "working"):
            return None
        k -= 1
    if _low(tokens, k) not in _DID_NOT:
        return None
    k -= 1
    if _low(tokens, k) == "did":
        k -= 1
    who = _who(tokens, k)
    return on_someone(who, i) if who in ("self", "group") else None


# What the writer thought they knew, or thought was enough: "I thought I
# knew it all", "I thought trust was enough".
_KNEW: Final = frozenset(["knew", "understood"])
_BELIEF_TOKENS: Final = 8


def thought_enough(tokens: list[Token], i: int) -> tuple[str, str, int] | None:
    """ "I thought trust was enough", "I thought I knew it all": a belief of
    the writer's in their own knowledge or plan, judged by telling it as past.
    "I thought the disk was full" is a belief about a thing, told."""
    who = _who(tokens, i - 1)
    if who not in ("self", "group"):
        return None
    if _low(tokens, i + 2) in _KNEW and _who(tokens, i + 1) == who:
        return on_someone(who, i)
    rest = [t.low for t in tokens[i + 1 : i + 1 + _BELIEF_TOKENS]]
    if "enough" not in rest or rest[0] in ("it", "that", "this"):
        return None  # "I thought it was enough to restart": a step judged, told
    return on_someone(who, i)


# Each shape as blameless_verdict.py writes its own: the sets of words the
# text must hold, a pattern that starts with a word written out and reaches
# the word the verdict turns on only where its shape is (a choice's noun
# after "was a ...", knowledge after its limit or its owner), and no owner
# needed before it. Common words ("call", "knowledge", "together") are never
# tokenised where the shape is not.
_COPULAS_BEFORE: Final = ("was", "were", "wasn't", "weren't")
_OWNER_WORDS: Final = ("my", "our", "his", "her", "their")
_KNOWN_OWNED: Final = KNOWLEDGE - {"experience"}
CHOICE_SHAPES: Final = (
    *((({w},), first_word(w) + END, False) for w in sorted(_SLIP_VERDICTS)),
    *(
        (
            ({cop}, CHOICES, frozenset(["to", "first"])),
            rf"{cop}(?<![\w'-]{cop})(?:{SP}(?:{either(_HEDGES)}))*+{SP}an?{SP}"
            rf"(?:(?:very|really|such){SP})?+[a-z]++{SP}(?P<at>{either(CHOICES)}){END}",
            False,
        )
        for cop in _COPULAS_BEFORE
    ),
    (
        ({"doing"}, frozenset(["what"]), frozenset(["know", "idea", "clue"])),
        first_word("doing") + END,
        False,
    ),
    *(
        (
            ({limit}, KNOWLEDGE),
            rf"{limit}(?<![\w'-]{limit}){SP}(?:(?:{either(_KNOWLEDGE_OF)}){SP})?+"
            rf"(?P<at>{either(KNOWLEDGE)}){END}",
            False,
        )
        for limit in sorted(_LIMITED)
    ),
    *(
        (
            ({owner}, _KNOWN_OWNED, _FOUND_LIMITED),
            rf"{owner}(?<![\w'-]{owner}){SP}(?P<at>{either(_KNOWN_OWNED)}){END}",
            False,
        )
        for owner in _OWNER_WORDS
    ),
    (
        ({"work", "working"}, frozenset(["together"]), _DID_NOT),
        rf"work(?<![\w'-]work)(?:ing)?+{SP}(?:[a-z]+ly{SP})?+(?P<at>together){END}",
        False,
    ),
    *((({w}, _DID_NOT), first_word(w) + END, False) for w in sorted(_TOGETHER)),
    (({"thought"}, _KNEW | {"enough"}), first_word("thought") + END, False),
)
CHOICE_WORDS: Final = frozenset(
    _SLIP_VERDICTS | CHOICES | KNOWLEDGE | _TOGETHER | {"doing", "together", "thought"}
)


def choice_verdict(tokens: list[Token], i: int) -> tuple[str, str, int] | None:
    """(rule, kind, index) when the word at tokens[i] carries a verdict on a
    person's choice, knowledge or way of working together, else None."""
    word = tokens[i].low
    if word in _SLIP_VERDICTS:
        return pointed_slip(tokens, i)
    if word in CHOICES:
        return past_choice(tokens, i)
    if word == "doing":
        return knew_not_what(tokens, i)
    if word in KNOWLEDGE:
        return lacked_knowledge(tokens, i)
    if word == "thought":
        return thought_enough(tokens, i)
    return worked_apart(tokens, i)
