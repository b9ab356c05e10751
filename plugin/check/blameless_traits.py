"""Verdicts on a person's character or on their work, for the blameless review.

Write-ups of projects judge people in plain adjectives the slip verbs never
hold: a trait said of the writer, the team or a role ("I was naive", "we
were too proud to ask", "he is too serious"), a judging word on what someone
owns of the work ("my planning was lazy", "our poor time management",
"his attitude is a little too chill"), a job done badly ("we did a poor job
of testing").

A judging word on a thing is not enough ("the docs were poor", "the plan was
too ambitious for the hardware"): each shape reads who the word lands on,
the subject of its copula or the owner of the noun. Each look back or
forward from the word is a few tokens, so the cost stays linear in the text.
"""

from __future__ import annotations

from typing import Final

from .blameless_clause import person_kind
from .blameless_context import Token, is_past

# Traits that judge whoever has them, however graded: "I was naive", "we were lazy".
TRAITS: Final = frozenset(
    """naive naïve arrogant overconfident complacent lazy sloppy stubborn careless reckless
    greedy gullible shortsighted short-sighted undisciplined disorganised disorganized
    unprepared impatient overambitious overoptimistic cocky lax snobby hubristic
    unprofessional inattentive passive unmotivated unfocused""".split()  # noqa: SIM905
)
# Words that judge only in excess: "too proud to ask", "overly optimistic";
# "we were optimistic that it would hold" tells a belief.
_EXCESS: Final = frozenset(["too", "overly"])
# Words that grade the trait, between the copula and it: "way too", "a little too".
_GRADING: Final = frozenset(
    """too overly way far so very pretty really quite a bit little just simply honestly
    frankly all collectively kind sort of rather somewhat extremely""".split()  # noqa: SIM905
)
_BE: Final = frozenset(
    """was were am is are been be being got get gets getting became become felt seemed""".split()  # noqa: SIM905
)
# Contractions that carry their copula: "I'm lazy", "we're too slow".
_BEING: Final = frozenset(["i'm", "we're", "they're", "he's", "she's"])
# Adverbs between a subject and its copula: "we honestly were", "we all were".
_ASIDES: Final = frozenset(["honestly", "all", "both", "frankly", "simply", "just", "really"])
_DENIALS: Final = frozenset(["not", "never", "n't", "wasn't", "weren't", "isn't", "aren't"])
# What "too" grades that is a circumstance, not a failing: "we were too late",
# "I was too far away", "the team was too small".
_CIRCUMSTANCES: Final = frozenset(
    """late early far close small few young new old tired sick ill many much busy""".split()  # noqa: SIM905
)
# The pace or the size of an act, which "too" makes a failing of the person
# who did it: "we hired too fast", "we scoped way too big".
_PACE: Final = frozenset(
    """long fast quickly soon late big much little early aggressively slowly hard""".split()  # noqa: SIM905
)
# What someone owns of the work, whose judging word judges them: "my planning",
# "our time management", "his attitude".
WORKS: Final = frozenset(
    """plan plans planning idea ideas decision decisions approach estimate estimates
    estimation scoping assumption assumptions attitude judgement judgment management
    preparation prep testing communication documentation execution reasoning setup
    leadership discipline effort focus prioritisation prioritization organisation
    organization work""".split()  # noqa: SIM905
)
# Judging words on such work: "bad", "poor", "lazy"; "wrong" and "insufficient"
# are how a blameless account tells a fact ("our assumption was wrong").
JUDGING: Final = frozenset(
    """bad poor naive naïve lazy sloppy terrible awful horrible lousy weak shallow
    unrealistic misguided stupid dumb foolish careless reckless lax shortsighted
    short-sighted idiotic overambitious overoptimistic""".split()  # noqa: SIM905
)
# Virtues whose lack, said of a person, is a verdict: "members were less
# active", "I wasn't organised"; "the shard was less active" tells of a thing.
ENGAGED: Final = frozenset(
    """active involved engaged responsive motivated committed communicative proactive
    reliable punctual organised organized disciplined attentive focused""".split()  # noqa: SIM905
)
_LACKING: Final = frozenset(["less", "not", "n't", "never", "wasn't", "weren't", "isn't", "aren't"])
_NEGATED_COPULAS: Final = frozenset(["wasn't", "weren't", "isn't", "aren't"])
OWNERS: Final = {"my": "self", "our": "group", "his": "role", "her": "role", "their": "role"}
_JOB_DOERS: Final = frozenset(["did", "do", "does", "done", "doing"])


def on_someone(who: str, i: int) -> tuple[str, str, int] | None:
    """The writer's own failing is a person finding; a role's or a team's, a judgement."""
    if who == "self":
        return "blameless-person", "guilt", i
    return ("blameless-judgement", "judged", i) if who in ("role", "group") else None


def _subject(tokens: list[Token], k: int) -> str:
    """The kind of person whose copula is at tokens[k], past a short aside."""
    for m in range(k - 1, max(k - 3, -1), -1):
        if tokens[m].low == "me" and tokens[k].low == "being":
            return "self"  # "me being lazy"
        # "our group was": a team named by its other word.
        who = person_kind(tokens, m) or ("group" if tokens[m].low == "group" else "")
        if who:
            return who
        if tokens[m].low not in _ASIDES:
            return ""
    return ""


def trait_verdict(tokens: list[Token], i: int, word: str) -> tuple[str, str, int] | None:
    """ "I was naive", "we were too proud to ask", "he is too serious":
    a trait said of a person through a copula, not of a thing."""
    k, excess, lacking = i - 1, False, False
    while k >= 0 and i - k <= 4 and (tokens[k].low in _GRADING or tokens[k].low in _LACKING):
        excess = excess or tokens[k].low in _EXCESS
        lacking = lacking or tokens[k].low in _LACKING
        k -= 1
    if k < 0:
        return None
    if word in ENGAGED:
        judged = lacking  # "were less active", "wasn't organised": the virtue denied
    else:
        # "we were bad at estimating": a skill judged, where "the link was bad" judges a thing.
        skill = word in JUDGING and i + 1 < len(tokens) and tokens[i + 1].low == "at"
        judged = not lacking and (
            word in TRAITS or skill or (excess and word not in _CIRCUMSTANCES)
        )
        judged = judged and not (k > 0 and tokens[k - 1].low in _DENIALS)
    if not judged:
        return None
    if tokens[k + 1].low in _NEGATED_COPULAS:
        return on_someone(person_kind(tokens, k), i)  # "we weren't engaged"
    if tokens[k].low in _BEING:
        who = person_kind(tokens, k)
    elif tokens[k].low in _BE:
        who = _subject(tokens, k)
    elif excess and word in _PACE and is_past(tokens[k].low):
        # "we hired too fast", "I waited far too long": the pace of a person's act.
        who = _subject(tokens, k)
    else:
        return None
    return on_someone(who, i)


def work_verdict(tokens: list[Token], i: int) -> tuple[str, str, int] | None:
    """ "my planning was lazy", "our poor time management", "his attitude is
    a little too chill": a judging word on what a person owns of the work."""
    # The owner a word or two before: "my poor time management", "our testing".
    for k in range(i - 1, max(i - 4, -1), -1):
        who = OWNERS.get(tokens[k].low, "")
        if who:
            break
    else:
        return None
    if any(t.low in _DENIALS for t in tokens[max(0, k - 3) : i + 4]):
        return None
    if any(t.low in JUDGING for t in tokens[k + 1 : i]):
        return on_someone(who, i)
    # After it: "was lazy", "were way too shallow".
    m = i + 1
    if m >= len(tokens) or tokens[m].low not in _BE:
        return None
    m += 1
    excess = False
    while m < len(tokens) and m - i <= 6 and tokens[m].low in _GRADING:
        excess = excess or tokens[m].low in _EXCESS
        m += 1
    if m >= len(tokens):
        return None
    judged = tokens[m].low in JUDGING or (
        excess and tokens[m].text.isalpha() and tokens[m].low not in _CIRCUMSTANCES
    )
    return on_someone(who, i) if judged else None


def poor_job(tokens: list[Token], i: int) -> tuple[str, str, int] | None:
    """ "we did a poor job of testing the rollback": a person's work judged."""
    if i < 3 or tokens[i - 1].low not in JUDGING or tokens[i - 2].low not in ("a", "an"):
        return None
    if tokens[i - 3].low not in _JOB_DOERS:
        return None
    return on_someone(_subject(tokens, i - 3), i)


# What keeping a deadline takes, and the ways of not keeping one: "didn't
# stick to the deadlines", "had a rough time meeting deadlines".
_KEEPING: Final = frozenset(
    """stick sticking stuck meet meeting met follow following followed respect respecting
    respected keep keeping kept hit hitting make making""".split()  # noqa: SIM905
)
_NOT_KEEPING: Final = frozenset(
    """not never didn't don't rarely seldom rough hard trouble struggled struggle failed""".split()  # noqa: SIM905
)
_DISREGARDING: Final = frozenset(["ignoring", "ignored", "ignore", "blew", "blowing"])
# Between the verb and "deadlines": "to our self-imposed", "the internal".
_DEADLINE_TOKENS: Final = 9


def deadlines_kept(tokens: list[Token], i: int) -> tuple[str, str, int] | None:
    """ "we often didn't stick to our deadlines", "ignoring all of our
    deadlines", "Not following deadline": a team's conduct told as a failing.
    A deadline missed by a thing or a plan ("the vendor missed the deadline")
    has no person to land on."""
    for k in range(i - 1, max(i - _DEADLINE_TOKENS, -1), -1):
        low = tokens[k].low
        if low in _DISREGARDING:
            break
        if low in _KEEPING and any(t.low in _NOT_KEEPING for t in tokens[max(0, k - 4) : k]):
            break
    else:
        return None
    # The person who keeps them, or a note with no subject ("Not following deadline").
    for m in range(k - 1, max(k - 12, -1), -1):
        who = person_kind(tokens, m)
        if who:
            return on_someone(who, i)
    # A gerund's subject is the clause's after it: "ignoring our deadlines, we hardly tested".
    gerund = tokens[k].low.endswith("ing")
    for m in range(i + 1, min(i + 4, len(tokens)) if gerund else i + 1):
        who = person_kind(tokens, m)
        if who:
            return on_someone(who, i)
    return ("blameless-judgement", "judged", i) if k <= 2 else None


# Qualities of a person whose lack, owned, judges them: "my lack of
# understanding", "our lack of experience with the ORM".
_OWNED_QUALITIES: Final = frozenset(
    """understanding experience knowledge confidence thought preparation effort participation
    discipline foresight motivation commitment diligence rigor rigour expertise skill skills
    care focus""".split()  # noqa: SIM905
)


def owned_lack(tokens: list[Token], i: int) -> tuple[str, str, int] | None:
    """ "my lack of understanding of the ORM caused it": a person's quality, lacking."""
    if i < 1 or i + 2 >= len(tokens) or tokens[i + 1].low != "of":
        return None
    who = OWNERS.get(tokens[i - 1].low, "")
    if tokens[i + 2].low not in _OWNED_QUALITIES:
        return None
    return on_someone(who, i)


# A choice judged by a word before it: "that was a bad call", "making the wrong decision".
CHOICES: Final = frozenset(["call", "decision", "choice", "idea"])
CHOICE_JUDGING: Final = JUDGING | {"wrong", "worst"}
_MAKING: Final = frozenset(["made", "make", "making", "makes", "took", "take", "taking"])
_POINTING: Final = frozenset(["that", "which", "this", "it", "it's", "that's"])
_ACT_TOKENS: Final = 30


def judged_act(tokens: list[Token], i: int) -> tuple[str, str, int] | None:
    """ "I approved it at midnight, and that was a bad call", "making the
    wrong decision": a person's act or choice, judged. The person is the
    nearest one before; a choice judged with no one before it ("a bad idea
    in general") is left alone."""
    k = i - 1
    if k < 1 or tokens[k].low not in CHOICE_JUDGING:
        return None
    k -= 1
    if tokens[k].low in ("a", "an", "the"):
        k -= 1
    if k < 0:
        return None
    if tokens[k].low in _BE:
        k -= 1
        if k < 0 or tokens[k].low not in _POINTING:
            return None
    elif tokens[k].low not in _MAKING or (k > 0 and tokens[k - 1].low in _DENIALS):
        return None
    made = tokens[k].low in _MAKING
    for m in range(k - 1, max(k - _ACT_TOKENS, -1), -1):
        who = person_kind(tokens, m)
        if who == "group" and made:
            return None  # "we made a bad decision": a team owning its choice tells a step
        if who:
            return on_someone(who, i) if who != "name" else ("blameless-person", "name", m)
    return None
