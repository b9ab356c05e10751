"""The structure of a sentence, for the blameless review: who acts, and how.

Word lists tuned on one set of postmortems miss the next one's blame, which
is written with other verbs, other role words and other names. What carries
over is the shape of a blaming sentence: a subject that is a person (the
writer, a name, a role, a group) and a predicate that is a slip (a mistake,
an omission, a judgement). This module finds the predicate first, because
predicates are the rarer words, then reads back to its subject:

- a slip is a verb of damage or omission ("deleted", "forgot", "took
  down"), or any verb marked as unintended ("by accident", "the wrong"),
  or "failed to" / "did not" before an act that people do ("follow up",
  "recognise", "retest") rather than one machines do ("resolve", "start"),
  or such an act denied in the perfect ("hadn't tested", "had never
  checked") or by its subject ("nobody verified");
- the subject is the nearest word before the predicate, past adverbs and
  auxiliaries, read as the writer ("I"), a group ("we"), a name (capitalised,
  never written in lower case elsewhere), a role (a person word, or a noun
  shaped like one when the act is a person's), or a thing; a person before
  "who" or "that" ("the engineer who triggered the outage"); or left out,
  after a time or a joining word ("And forgot to ...").

Then: the writer or a name with a slip points at a person; a role with a
damage verb marked as unintended does too; a group judged by its own
adverb ("we hurriedly pushed") is a judgement. Everything else, above all
things that fail, is left alone.

Everything works on the tokens of one sentence, found from each predicate
word with bounded look-backs, so the cost is linear in the text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Final

from .blameless_context import (
    DONE,
    HUMAN_ACTS,
    PASSIVE_COPULAS,
    PEOPLE,
    RESULTS,
    LowerCaseWords,
    Sentences,
    Token,
    is_name_token,
    is_past,
    word_at,
)

# Verbs of damage: with a person as subject and a mark of a slip, blame.
_DAMAGE: Final = frozenset(
    """delete deleted deletes deleting drop dropped drops wipe wiped wipes broke break
    breaks broken corrupt corrupted overwrote overwrite overwritten truncated truncate
    destroyed destroy erased erase removed remove killed kill rebooted reboot shut
    disabled disable leaked leak exposed expose committed commit pushed push ran run
    deployed deploy released merged merge typed type misconfigured mistyped
    unplugged reset restarted changed edited""".split()  # noqa: SIM905
)
# Slips by themselves: the verb says it went wrong.
_SLIP_VERBS: Final = frozenset(
    """forgot forget forgets forgetting forgotten missed overlooked neglected omitted
    ignored ignoring skipped mistyped misconfigured misread misjudged misunderstood
    botched messed screwed fumbled broke typoed underestimated overestimated caused goofed
    bungled flubbed fucked panicked rushed violated disregarded lied hallucinated
    rubber-stamped wasted""".split()  # noqa: SIM905
)
# Damage that no routine step does ("erased the account data", "wiped the
# disk"): a slip by itself, where "deleted" or "dropped" need a mark.
_HARM: Final = frozenset(
    """erased wiped destroyed corrupted trashed nuked leaked""".split()  # noqa: SIM905
)
# Words that grade an adjective ("got very tired", "was pretty clueless").
_INTENSIFIERS: Final = frozenset(
    """very so too pretty quite rather extremely really totally completely a bit way far
    much""".split()  # noqa: SIM905
)
# "took down production", "brought down the site"
_PHRASAL: Final = frozenset(["took", "take", "takes", "brought", "bring", "knocked"])
# Marks of an unintended act, anywhere in the clause after the verb.
_MARKS: Final = frozenset(
    """accidentally inadvertently mistakenly unintentionally wrongly erroneously
    incorrectly wrong accident mistake""".split()  # noqa: SIM905
)
# Acts that undo work: done "again" or "a third time", a slip repeated, where
# other acts done again are steps ("restarted it again", "ran the tests twice").
_UNDOING: Final = frozenset(
    """delete deleted deletes deleting drop dropped wipe wiped removed remove removing
    overwrote overwritten overwrite broke break destroyed destroying erased truncated
    corrupted reverted""".split()  # noqa: SIM905
)
_REPEATS: Final = frozenset(["again", "twice"])
_COUNTS: Final = frozenset("two three four five several multiple many 2 3 4 5".split())  # noqa: SIM905
_ORDINALS: Final = frozenset("second third fourth fifth 2nd 3rd 4th 5th".split())  # noqa: SIM905
# What a person's act went ahead without: "without asking", "without being asked".
_UNASKED: Final = frozenset(["asking", "being", "permission", "consent"])
# Ends of the clause a mark is looked for in: "I deleted it, and the user
# restored it again" marks the user's act, not the writer's.
_MARK_STOPS: Final = frozenset([",", ";", "and", "but", "so", "then", "after", "before"])
# Verbs that make or repeat a slip named by its noun ("made a typo",
# "repeated the same mistake"); all but "made" need the noun's article.
_MAKING: Final = frozenset("made make makes making repeat repeats repeated repeating".split())  # noqa: SIM905
_BAD: Final = frozenset(
    """wrong bad poor false incorrect catastrophic terrible careless reckless""".split()  # noqa: SIM905
)
_CHOICES: Final = frozenset(
    "assumption assumptions decision decisions call choice choices judgement judgment".split()  # noqa: SIM905
)
_ARTICLES: Final = frozenset(
    """a an the same another this that my our his her their""".split()  # noqa: SIM905
)
# Adverbs that mark the next verb, whatever it is, as unintended
# ("accidentally depowers", "inadvertently unplugged").
_MARK_ADVERBS: Final = frozenset(["accidentally", "inadvertently", "unintentionally"])
# States of attention or effort after a copula ("I got distracted", "the
# admin was exhausted"): a person's state offered as what went wrong.
_LAPSES: Final = frozenset(
    """distracted exhausted sleepy inattentive overtired unfocused tired clueless oblivious
    ignorant hasty rushed impatient overconfident naive naïve arrogant ashamed
    embarrassed silly terrible awful horrible greedy stubborn cocky impulsive overzealous
    wrong""".split()  # noqa: SIM905
)
# Traits that are a verdict only in excess, after "too": "I was way too
# confident", "too cheap to pay for a second server"; not "I was confident".
# Not "busy": "the team was too busy with the launch" tells a workload.
_TOO_LAPSES: Final = frozenset(
    """confident cheap proud sure eager trusting optimistic comfortable shy lazy
    stubborn slow nice soft passive afraid scared polite ambitious""".split()  # noqa: SIM905
)
# Care, attention or knowledge, denied after a copula ("I wasn't careful
# enough", "she was not aware of", "I'm not proud of it"): the same verdict.
_WANTING: Final = frozenset(
    """careful attentive thorough cautious vigilant diligent proud aware""".split()  # noqa: SIM905
)
_DENIED_COPULAS: Final = frozenset(["wasn't", "weren't", "isn't", "aren't"])
_PAST_COPULAS: Final = frozenset(["was", "were", "wasn't", "weren't", "been"])
_COPULAS: Final = frozenset(
    """was were got get gets became become becomes felt feel am is are been being 'm""".split()  # noqa: SIM905
)
# Adjectives after a person that deny them knowledge or skill ("an
# engineer unaware of the policy").
_UNFIT: Final = frozenset(["unaware", "inexperienced", "untrained", "unqualified"])
# Qualities a person lacks when a sentence says "lack of developer awareness".
_QUALITIES: Final = frozenset(
    """awareness attention diligence vigilance care caution discipline competence
    skill skills carefulness""".split()  # noqa: SIM905
)
_LACKING: Final = frozenset(["lack", "lacking", "insufficient", "poor", "low", "limited"])
# Said of a person in "was not a strong engineer": a verdict on their skill.
_SKILLED: Final = frozenset(
    """strong good great competent skilled experienced careful capable qualified reliable
    talented solid""".split()  # noqa: SIM905
)
# Guilt laid on a person ("feeling guilty for causing it", "it was my fault").
_GUILT: Final = frozenset(["guilty", "fault"])
# Words that start an aside between a subject and its verb: "A load
# balancer, which we call X, forgot ...".
_RELATIVE: Final = frozenset(["which", "who", "whom", "whose"])
_SUBORDINATORS: Final = frozenset(["while", "when", "after", "before", "whilst"])
# Nouns after "made a": a slip named as such.
_SLIP_NOUNS: Final = frozenset("mistake mistakes error errors typo typos blunder".split())  # noqa: SIM905
# Adverbs that judge how a group (or anyone) acted.
_JUDGING_ADVERBS: Final = frozenset(
    """hurriedly hastily carelessly recklessly blindly naively foolishly stupidly lazily
    sloppily negligently thoughtlessly rashly heedlessly irresponsibly incompetently
    incorrectly wrongly mistakenly""".split()  # noqa: SIM905
)
_JUDGING_WORDS: Final = frozenset(["misguided", "ill-advised", "ill-considered", "sloppy"])
# Between a subject and its verb: adverbs and auxiliaries that keep the subject.
SKIP: Final = frozenset(
    """also then still again just only simply accidentally inadvertently mistakenly
    unintentionally wrongly erroneously incorrectly hurriedly hastily carelessly
    recklessly blindly naively foolishly stupidly lazily sloppily negligently
    thoughtlessly rashly immediately quickly later subsequently initially ultimately
    unfortunately then had has have was were did had never not n't once all both
    first finally actually apparently somehow even hadn't haven't hasn't""".split()  # noqa: SIM905
)
_GROUP: Final = frozenset(["we", "us"])
_SELF: Final = frozenset(["i"])
# Pronouns for one person, and words that stand for people as a group.
_ROLE_WORDS: Final = (
    PEOPLE - _GROUP - _SELF - {"you", "who", "nobody", "team", "teams"}
    | {
        "he",
        "she",
        "intern",
        "interns",
        "junior",
        "newcomer",
        "someone",
    }
    | frozenset(
        # Roles that titles and tickets name by their letters. Not AI agents:
        # "the agent misreported" tells the model layer's behaviour, which a
        # postmortem of an AI incident must be free to describe (spec section
        # 10 is about people).
        """ceo cto cfo coo ciso cio vp director directors clerk dba dbas qa helpdesk founder
    cofounder co-founder executive executives""".split()  # noqa: SIM905
    )
)
# Suffixes of nouns that name people by what they do ("commander", "scientist").
_ROLE_SUFFIXES: Final = ("er", "or", "ist", "ian", "ee", "ant", "ent")
_NOT_ROLES: Final = frozenset(
    """server router container scheduler controller monitor parser compiler handler
    worker runner manager balancer cluster buffer layer driver client agent component
    user users customer customers error other either neither order after under over
    never ever however whenever whether together rather master paper number member
    event content comment environment deployment incident writer writers""".split()  # noqa: SIM905
)
_CLAUSE_START: Final = frozenset(
    """that which when where because since while if although though after before until
    whether so ; : ( ) \u2014 \u2013 |""".split()  # noqa: SIM905
)
_FAILED: Final = frozenset(["failed", "fails", "failing", "neglected"])


# Checks that are someone's duty; not noticing, which "nobody noticed it for
# years" says of every user at once.
_CHECKED: Final = frozenset(
    """checked double-checked verified tested retested reviewed read monitored watched
    validated confirmed owned followed remembered renewed documented rotated revoked
    escalated""".split()  # noqa: SIM905
)
# Auxiliaries that make the past an omission: "hadn't tested", "had not checked".
_PERFECT: Final = frozenset(["had", "has", "have"])
_PERFECT_DENIED: Final = frozenset(["hadn't", "haven't", "hasn't"])
# "triggered the incident", "introduced a regression": an act whose object is the harm.
_STARTED: Final = frozenset(["triggered", "introduced"])
INCIDENTS: Final = frozenset(
    """incident outage bug bugs regression issue problem downtime failure breakage""".split()  # noqa: SIM905
)
_NEGATION: Final = frozenset(["not", "n't", "didn't", "never"])
# The verbs a review looks for first, then reads back from.
_ALWAYS: Final = (
    {"mixed"}
    | _SLIP_VERBS
    | _HARM
    | _FAILED
    | _JUDGING_ADVERBS
    | _JUDGING_WORDS
    | _MARK_ADVERBS
    | _LAPSES
    | _TOO_LAPSES
    | _UNFIT
) | {"didn't", "guilty"}
# Common words that blame only after a denial: looked at when one is in the text.
_DENIALS: Final = _NEGATION | _DENIED_COPULAS
# Common words that blame only next to another word, looked at only when
# that word is in the text too: "lack of developer awareness", "wasn't a
# strong engineer", "my fault".
_DENIED: Final = frozenset(["not", "wasn't", "isn't", "weren't", "aren't"])
_DENYING: Final = _DENIED | {"n't", "never", "no"}
TRIGGERS: Final = _DAMAGE | _PHRASAL | _ALWAYS | _QUALITIES | _SKILLED | {"made", "did", "fault"}
_BACK: Final = 6
# Acts that destroy what they touch. "I deleted the database" is a step in a
# timeline and the slip itself in a write-up that owns a slip of its writer's
# elsewhere ("my fault", "I forgot"): the same words, told as the damage.
_DESTROYS: Final = frozenset(["deleted", "dropped", "overwrote", "truncated", "lost"])
_WRITER: Final = frozenset(["i", "me"])
_DENYING_DID: Final = frozenset(["did", "didn't"])
# Verbs that, denied, tell a state or a thing's failure, not an act left
# undone: "Didn't have anyone leave", "Tried a restart. Didn't work."
_NOT_DONE: Final = frozenset(
    """have need want know mean matter exist happen seem work help change""".split()  # noqa: SIM905
)
# Words that open a case imagined, not an act told, right before its
# subject: "what if I delete it by accident", "If I find it, fix it instead of
# patching". Not a frame before another clause: "If I'm honest, I ignored it".
_SUPPOSING: Final = frozenset(["if", "unless", "whether", "suppose", "imagine"])


def imagined(tokens: list[Token], at: int) -> bool:
    """Whether the person at tokens[at] is the subject of a case imagined."""
    return at > 0 and tokens[at - 1].low in _SUPPOSING


def _subject(tokens: list[Token], i: int) -> tuple[str, int]:
    """The kind of subject of the verb at tokens[i] ("self", "group", "name",
    "role", "thing", or "" when none is found) and its index."""
    j = i - 1
    while j >= 0 and i - j <= _BACK and (tokens[j].low in SKIP or tokens[j].low.endswith("ly")):
        j -= 1
    if i - j > _BACK:
        return "", -1
    if _elided(tokens, j):
        # "Forgot to remove the key", "10:02 Accidentally dropped the table",
        # "while troubleshooting accidentally pushed": a log's or a timeline's
        # own subject, the writer or the team, left unsaid.
        return "elided", i
    tok = tokens[j]
    if tok.low == ":" and j == 1 and tokens[0].low in ("me", "i"):
        # "Me: deleted the file again": a label naming the writer as who acted.
        return "self", 0
    if tok.low in ("who", "that") and j > 0 and _one_actor(tokens, j - 1):
        # "the engineer who triggered the outage": the verb's subject is the person
        # before. Not a plural ("people who skipped the release"), which is anyone.
        return person_kind(tokens, j - 1), j - 1
    if tok.low == "," and (aside := _before_aside(tokens, j)) >= 0:
        tok, j = tokens[aside], aside
        return person_kind(tokens, j) or ("role-shaped" if _role_shaped(tok.low) else "thing"), j
    if tok.low in ("but", "and", ","):
        # A second verb shares the first one's subject: "saw it but did not act".
        for k in range(j - 1, max(j - _SHARED, -1), -1):
            if tokens[k].low in _CLAUSE_START and not _inside_clause(tokens, k):
                break
            who = person_kind(tokens, k)
            if who and acts_next(tokens, k):
                return who, k
        return "thing", j
    return person_kind(tokens, j) or ("role-shaped" if _role_shaped(tok.low) else "thing"), j


# How far back a verb after "but" or "and" looks for the subject it shares.
_SHARED: Final = 24
_ACTORS: Final = frozenset(["self", "name", "role"])
_AGENT_TOKENS: Final = 16


_TIME_TOKENS: Final = 12
_OPENERS: Final = frozenset(["and", "but", "so", "plus", "or", "yet"])


def _inside_clause(tokens: list[Token], k: int) -> bool:
    """Whether "that" at tokens[k] is a determiner after a verb ("created
    that slot and forgot it"), not the start of a clause."""
    return tokens[k].low == "that" and k > 0 and _verb_like(tokens[k - 1])


def _one_actor(tokens: list[Token], k: int) -> bool:
    low = tokens[k].low
    plural = low == "people" or (low.endswith("s") and not low.endswith("ss"))
    return person_kind(tokens, k) in _ACTORS and not plural


def acts_next(tokens: list[Token], k: int) -> bool:
    """Whether the person at tokens[k] is the subject of the verb after it
    ("an operator used"), not the object of one before it ("affecting
    people for days")."""
    for m in range(k + 1, min(k + 4, len(tokens))):
        if tokens[m].low in SKIP or tokens[m].low.endswith("ly"):
            continue
        return _verb_like(tokens[m]) or tokens[m].low in _SLIP_VERBS
    return False


def _elided(tokens: list[Token], j: int) -> bool:
    """Whether the clause ending at tokens[j] leaves its subject out: nothing
    but a time or a joining word before the verb, or an activity after "while"."""
    # A time is a few tokens ("10:02", "2024-05-01 14:10"): the look is bounded.
    # A narrative goes on from the last sentence's subject with "And" or "But"
    # ("And forgot to restart it"), which is no subject of its own; written in
    # lower case, it joins a subject left out of the text (a code span, blanked).
    if j < _TIME_TOKENS and all(
        not tokens[k].text[0].isalpha()
        or (tokens[k].low in _OPENERS and tokens[k].text[0].isupper())
        for k in range(j + 1)
    ):
        return True
    low = tokens[j].low
    return low.endswith("ing") and j > 0 and tokens[j - 1].low in _SUBORDINATORS


def _before_aside(tokens: list[Token], comma: int) -> int:
    """The index of the word before an aside that ends at tokens[comma]
    (", which we call X,"), or -1 when no such aside ends there."""
    for k in range(comma - 1, max(comma - 14, 0), -1):
        if tokens[k].low == ",":
            return k - 1 if k + 1 < comma and tokens[k + 1].low in _RELATIVE and k > 0 else -1
    return -1


def person_kind(tokens: list[Token], j: int) -> str:
    """What kind of person tokens[j] names, or ""."""
    tok = tokens[j]
    # "I've", "we're", "she'd": the pronoun before the contracted verb.
    pronoun = tok.low.split("'", 1)[0] if "'" in tok.low else tok.low
    if pronoun in _SELF:
        return "self"
    if pronoun in _GROUP:
        return "group"
    if pronoun in ("he", "she", "they") and pronoun != tok.low:
        return "role"
    if (j > 0 and tokens[j - 1].text == "@") or is_name_token(tok.text):
        return "name"
    if tok.low in _ROLE_WORDS or tok.low.rstrip("s") in _ROLE_WORDS:
        return "role"
    if tok.low in ("team", "teams"):
        return "group"
    return ""


def _role_shaped(low: str) -> bool:
    word = low[:-1] if low.endswith("s") and not low.endswith("ss") else low
    return len(word) > 4 and word.endswith(_ROLE_SUFFIXES) and word not in _NOT_ROLES


_PASSIVE: Final = PASSIVE_COPULAS


def _passive(tokens: list[Token], i: int) -> bool:
    """Whether the verb at tokens[i] is passive ("were misrepresented",
    "was accidentally wiped"), read back past adverbs."""
    j = i - 1
    while j >= 0 and i - j <= 3 and tokens[j].low.endswith("ly"):
        j -= 1
    return j >= 0 and tokens[j].low in _PASSIVE


def _copula_before(tokens: list[Token], i: int, denied: bool = False) -> int:
    """The index of the copula before the adjective at tokens[i], past a
    word or two that grade it ("got very tired"), or -1. With `denied`, a
    denial must come between ("wasn't careful", "was not even aware"); without
    it, none may ("wasn't tired" is no lapse)."""
    seen = False
    for j in range(i - 1, max(i - 5, -1), -1):
        low = tokens[j].low
        if low in _COPULAS or low in _DENIED_COPULAS or _pronoun_copula(low):
            return j if (seen or low in _DENIED_COPULAS) == denied else -1
        if low in _NEGATION or low == "even":
            seen = True
        elif low not in _INTENSIFIERS:
            return -1
    return -1


_TITLE_WORDS: Final = 3
_TITLE_TOKENS: Final = 20


def _title_case(tokens: list[Token]) -> bool:
    """Whether the sentence is written as a title: short (so the look is
    bounded), every word of four letters or more capitalised, and at least
    a few of them."""
    if len(tokens) > _TITLE_TOKENS:
        return False
    long = [t.text for t in tokens if len(t.text) > 3 and t.text.isalpha()]
    return len(long) >= _TITLE_WORDS and all(w[0].isupper() for w in long)


def _state_now(tokens: list[Token], i: int) -> bool:
    """Whether the state at tokens[i] is the writer's as they write ("I'm
    too tired to debug it right now"): a present copula and "now" after it,
    which tells no cause of what happened."""
    copula = tokens[_copula_before(tokens, i)].low
    present = copula in ("am", "is", "are") or copula.endswith(("'m", "'re", "'s"))
    return present and any(t.low == "now" for t in tokens[i + 1 : i + 1 + _NOW_TOKENS])


_NOW_TOKENS: Final = 8


def _pronoun_copula(low: str) -> bool:
    """ "I'm", "we're", "she's": a subject and its copula in one token."""
    pronoun, _, rest = low.partition("'")
    return rest in ("m", "re", "s") and pronoun in ("i", "we", "he", "she", "they")


def _mis_verb(low: str) -> bool:
    """A past tense that says it went wrong by its prefix: "misclicked",
    "misspelled", "mislabelled" (besides the listed slips)."""
    return len(low) > 6 and low.startswith("mis") and is_past(low) and low != "missed"


def _verb_like(tok: Token) -> bool:
    """A lower-case word shaped like a finite verb ("pushed", "depowers", "ran")."""
    low = tok.low
    return tok.text.islower() and tok.text.isalpha() and (is_past(low) or low.endswith("s"))


def _after(tokens: list[Token], i: int, n: int) -> list[str]:
    return [t.low for t in tokens[i + 1 : i + 1 + n]]


def _marked(tokens: list[Token], i: int) -> bool:
    """Whether the clause around the verb at tokens[i] marks the act as a slip."""
    return any(t.low in _MARKS for t in tokens[max(0, i - 3) : i + 8])


_RECEIVERS: Final = frozenset(["you", "me", "us", "them", "him", "her"])


def _wrong_object(tokens: list[Token], i: int) -> bool:
    """ "gave the wrong answer", "picked a wrong region": any act, aimed wrong."""
    after = _after(tokens, i, 3)
    if after[:1] and after[0] in _RECEIVERS:
        after = after[1:]  # "gave you the wrong answer"
    return (
        tokens[i].text.isalpha()
        and is_past(tokens[i].low)
        and after[:2] in (["the", "wrong"], ["a", "wrong"], ["an", "wrong"])
    )


def _own_mark(tokens: list[Token], i: int) -> bool:
    """Whether the clause after the act at tokens[i] tells a slip by how it
    was done: undone work repeated ("deleted it again", "a third time",
    "three times"), the wrong target chosen ("instead of staging"), or
    done unasked ("without asking")."""
    undoing = tokens[i].low in _UNDOING
    for k in range(i + 1, min(i + 10, len(tokens))):
        low = tokens[k].low
        if low in _MARK_STOPS or low in _CLAUSE_START:
            return False
        prev, after = tokens[k - 1].low, _after(tokens, k, 1)
        if undoing and (
            low in _REPEATS
            or (low == "times" and prev in _COUNTS)
            or (low == "time" and prev in _ORDINALS)
        ):
            return True
        if (low == "instead" and after == ["of"]) or (
            low == "without" and after[:1] and after[0] in _UNASKED
        ):
            return True
    return False


_WHEN_FAILED: Final = frozenset(
    """first least last once step stage row line batch epoch attempt""".split()  # noqa: SIM905
)


def _predicate(tokens: list[Token], i: int, slips: frozenset[str], judged: frozenset[str]) -> str:
    """What the word at tokens[i] says of its subject: "slip" (a mistake or
    an omission), "omission" (failed to do a person's act), "judged", "act"
    (a damage verb not marked as a slip), "result" (failed to reach a
    result), or "" (nothing)."""
    low = tokens[i].low
    after = _after(tokens, i, 4)
    if low in _FAILED:
        if after[:1] == ["at"] and low == "failed" and len(after) > 1 and after[1].isalpha():
            # "we failed at time management": a person's failing; "we failed at
            # first to reproduce it", "failed at step 3" tell when, not what.
            return "" if after[1] in _WHEN_FAILED else "omission"
        # "failed to follow up" (a duty) or "failed to converge" (a result).
        if after[:1] != ["to"] or len(after) < 2:
            return ""
        return "result" if after[1] in RESULTS else "omission" if after[1] in HUMAN_ACTS else ""
    if low in ("did", "didn't"):
        rest = after if low == "did" else ["n't", *after]
        negated = rest[:1] and rest[0] in _NEGATION
        rest6 = _after(tokens, i, 7)
        if not negated and "instead" in rest6 and rest6[rest6.index("instead") + 1 :][:1] == ["of"]:
            return "slip"  # "did .phpp instead of .php": the wrong act, done
        if not negated and after[:1] == ["wrong"]:
            return "slip"  # "what I did wrong"
        k = i + 2 if low == "did" else i + 1
        if k < len(tokens) and tokens[k].low.endswith("ly"):
            k += 1  # "didn't fully remove"
        if not negated:
            return ""
        # Any other act denied is a slip only in a list of the writer's own ("denied").
        act = word_at(tokens, k)
        return "omission" if act in HUMAN_ACTS else "" if act in _NOT_DONE else "denied"
    if low in _MAKING:
        if low != "made" and after[:1] and after[0] not in _ARTICLES:
            return ""  # "make sure no mistake is left": no slip made
        if any(w in _SLIP_NOUNS for w in after[:3]):
            return "slip"
        # "made a catastrophic assumption", "made the wrong call": a choice judged bad.
        return (
            "slip"
            if after[1:2] and after[1] in _BAD and after[2:3] and after[2] in _CHOICES
            else ""
        )
    if low in _MARK_ADVERBS:
        # Whatever verb follows is a slip: "accidentally depowers the server".
        return "slip" if after[:1] and _verb_like(tokens[i + 1]) else ""
    if low in _LAPSES and _copula_before(tokens, i) >= 0:
        return "" if _state_now(tokens, i) else "lapse"
    if low in _TOO_LAPSES and i > 0 and tokens[i - 1].low == "too":
        return "lapse" if _copula_before(tokens, i) >= 0 and not _state_now(tokens, i) else ""
    if low in _LAPSES and low not in _SLIP_VERBS:
        return ""  # "rushed" is a verb too: "I rushed the fix out"
    if low in _WANTING:
        copula = _copula_before(tokens, i, denied=True)
        if copula < 0 or (low == "aware" and tokens[copula].low not in _PAST_COPULAS):
            return ""  # "I am not aware that the API allows it": what one knows now
        return "lapse"
    if low in _UNFIT:
        # Said of the person before it ("an engineer unaware of", "she was
        # inexperienced"), not of a noun after it ("unqualified candidates").
        before = tokens[i - 1] if i > 0 else None
        said_of = before is not None and (before.low in _COPULAS or person_kind(tokens, i - 1))
        return "judged" if said_of else ""
    if low in _JUDGING_ADVERBS or low in _JUDGING_WORDS or low in judged:
        return "judged"
    if low in _PHRASAL:
        return "slip" if "down" in after[:2] else ""
    if low == "mixed" and after[:1] == ["up"]:
        # "I mixed up the two VLAN IDs"; not "mixed up the order on purpose".
        meant = any(
            t.low in ("purpose", "deliberately", "intentionally") for t in tokens[i : i + 12]
        )
        return "" if meant else "slip"
    if low == "caused":
        # "caused by a new intern": the cause is a person; "caused by the
        # cache" is a thing's, and "which caused" reads back to a thing.
        return "agent" if after[:1] == ["by"] else "harm"
    if low in _HARM:
        return "harm"
    if low in _STARTED:
        return "harm" if INCIDENTS & set(after[:3]) else ""
    if low in _DAMAGE and _marked(tokens, i):
        # "removed the wrong file by accident" is a slip, though "removed"
        # is also an act that may be denied ("hadn't removed").
        return "slip"
    if low in _DAMAGE and _own_mark(tokens, i):
        return "own-slip"
    if _wrong_object(tokens, i):
        return "own-slip"
    if low in DONE:
        return _undone(tokens, i)
    if low in _SLIP_VERBS or low in slips or _mis_verb(low):
        return "slip"
    if low in _DAMAGE:
        return "slip" if _marked(tokens, i) else "act"
    return "act" if low in _DESTROYS else ""


def _undone(tokens: list[Token], i: int) -> str:
    """For the past of a person's act at tokens[i]: "omission" when the words
    before deny it was ever done ("hadn't tested", "had not checked", "never
    verified"), "done" when nothing does (the subject may: "nobody checked"),
    "" for a passive ("had not been tested" has no person in it)."""
    before = set()
    for j in range(i - 1, max(i - _BACK, -1), -1):
        if tokens[j].low not in SKIP and not tokens[j].low.endswith("ly"):
            break
        before.add(tokens[j].low)
    if before & _PASSIVE or "yet" in _after(tokens, i, 6):
        return ""  # "I haven't tested it on ARM yet": a status, not an omission
    if "never" in before or before & _PERFECT_DENIED:
        return "omission"
    return "omission" if before & _NEGATION and before & _PERFECT else "done"


def _nobody(tokens: list[Token], at: int) -> bool:
    """Whether tokens[at] is "nobody" (or "no one") starting its clause; after
    a noun it starts a description instead ("a channel nobody watched")."""
    low = tokens[at].low
    if low == "one" and at > 0 and tokens[at - 1].low == "no":
        at -= 1
    elif low != "nobody":
        return False
    before = tokens[at - 1] if at > 0 else None
    return (
        before is None
        or not before.text[0].isalpha()
        or before.low in _CLAUSE_START
        or before.low in SKIP
        or before.low in _OPENERS
    )


def someone_before(tokens: list[Token], i: int) -> str:
    """The kind of the nearest person before tokens[i] in its clause, or ""."""
    return person_before(tokens, i)[0]


def person_before(tokens: list[Token], i: int) -> tuple[str, int]:
    """The kind and the index of the nearest person before tokens[i] in its
    clause, or ("", -1)."""
    for k in range(i - 1, max(i - 12, -1), -1):
        if tokens[k].low in _CLAUSE_START:
            return "", -1
        who = person_kind(tokens, k)
        if who:
            return who, k
    return "", -1


def clause_blames(
    tokens: list[Token],
    i: int,
    lower_words: LowerCaseWords,
    slips: frozenset[str] = frozenset(),
    judged: frozenset[str] = frozenset(),
    confessed: Callable[[], bool] | None = None,
) -> tuple[str, str, int] | None:
    """(rule, kind, index of the word to point at) when the predicate at
    tokens[i] blames its subject, else None. `confessed`: whether the
    document owns a slip of its writer's, asked only when it decides."""
    low = tokens[i].low
    if low in _QUALITIES or low in _SKILLED or low in _GUILT:
        verdict = _verdict_on_someone(tokens, i, lower_words)
        if verdict or low not in _WANTING:
            return verdict
    what = _predicate(tokens, i, slips, judged)
    if not what or what == "result":
        return None
    if what == "agent":
        k = _agent(tokens, i)
        return ("blameless-person", "role-slip", k) if k >= 0 else None
    if what in ("slip", "harm", "own-slip") and _passive(tokens, i):
        return None  # "people were misrepresented": the subject is who it happened to
    # A state is read after its copula: "I got distracted".
    copula = _copula_before(tokens, i, low in _WANTING) if what == "lapse" else -1
    if copula >= 0 and _pronoun_copula(tokens[copula].low):
        who, at = person_kind(tokens, copula), copula
    else:
        who, at = _subject(tokens, copula if what == "lapse" else i)
    if what == "denied" and who != "elided":
        return None
    own = what == "own-slip"
    if own:
        # Repeated, aimed wrong or unasked: a slip of a person, not of a name
        # ("Postgres dropped the connections again") or a group's step.
        if who not in ("self", "elided", "role") and not _you(tokens, at):
            return None
        what = "slip"
    if what == "done":
        # "nobody checked the restore": people, denied a check. Not other acts:
        # "nobody reported problems" tells that none came up.
        if not _nobody(tokens, at) or low not in _CHECKED or _reason_in_system(tokens, i):
            return None
        who, what = "role", "omission"
    if who == "elided":
        # Only a slip or an omission told without its subject ("Forgot to
        # remove", "Didn't anticipate the trigger"); "Removed the old key" is a step.
        # Not a harm set off ("triggered a crash"): a log line's blanked subject
        # is as often the command in a code span.
        harm = what in ("slip", "harm") and low not in _STARTED
        # A slip named by its noun ("Repeated the same mistake") needs no object to read as a verb.
        named = low in _MAKING
        slipped = (
            what == "omission"
            or own
            or named
            or (harm and (_elided_slip(tokens, i) or _own_mark(tokens, i)))
            # In a write-up that owns its writer's slips, a list of them reads
            # as verbs ("Missed iframe resizing"), and so does any act denied
            # ("Didn't question the config"), which elsewhere may be a plan.
            or (
                (what == "denied" or (harm and low in _SLIP_VERBS))
                and confessed is not None
                and confessed()
            )
        )
        return ("blameless-person", "elided", i) if slipped else None
    if what == "lapse":
        # "I got distracted": a state of the writer, a name or a role offered as the cause.
        if who in ("self", "name") and not _common_word(tokens[at], lower_words):
            return "blameless-person", who, at
        if who == "group" and low in ("aware", "proud"):
            return None  # "we were not aware of the limit": what a team knew, told as such
        return ("blameless-judgement", "tired", i) if who in ("role", "group") else None
    if imagined(tokens, at):
        return None  # "what if I delete the data by accident": not a slip
    if what == "judged":
        # "we hurriedly pushed", "I stupidly ran": the adverb judges its clause's subject;
        # an adjective ("a misguided attempt") judges the clause's person.
        if tokens[i].low.endswith("ly"):
            who = who if who in ("self", "group", "name", "role") else ""
            if who == "name" and tokens[i].low in _MARKS:
                return None  # "Alembic incorrectly assumed": tools err as often as people
        else:
            who = someone_before(tokens, i)
        if not who:
            return None
        return "blameless-judgement", "group-judgement" if who == "group" else "judged", i
    if who == "name" and tokens[at].text != "@" and tokens[at].low in lower_words:
        return None  # a common word at a sentence start, not a name
    if who == "name" and _title_case(tokens):
        return None  # "The Config That Lied": a title capitalises every word
    if who == "name" and what == "harm":
        # "Postgres caused the outage", "the tool wiped it": products and
        # things cause and wipe as often as people, and a name cannot tell.
        return None
    harmed = what == "harm"
    what = "slip" if harmed else what
    if who == "name" and what == "act":
        # A name that restarts or deploys may be a product's ("Kubernetes
        # restarted the pod"); one that slips is a person's. Names that act
        # with people's verbs are the name rule's (name_hits).
        return None
    if who == "name":
        # Point at the whole name: "Dana Whitfield", "@kai".
        while (
            at > 0
            and at - 1 > i - _BACK
            and (tokens[at - 1].text == "@" or is_name_token(tokens[at - 1].text))
        ):
            at -= 1
        return "blameless-person", "name", at
    if who == "self" and what != "act":
        return "blameless-person", "self", at
    if who == "self" and low in _DESTROYS and confessed is not None and confessed():
        return "blameless-person", "confessed", at
    if who == "role" and what == "slip":
        return "blameless-person", "role-slip", at
    if what == "slip" and _you(tokens, at):
        # "You skipped the checklist": the reader told of their slip.
        return "blameless-person", "role-slip", at
    if who in ("role", "role-shaped") and what == "omission":
        return "blameless-counterfactual", "failed-to", i
    if who == "group" and _group_slip(tokens, i, what, harmed):
        return "blameless-judgement", "group-judgement", i
    return None


# What a team did not perceive is how a review tells a discovery ("we did not
# realise the queue held jobs"), not a duty it skipped.
_PERCEIVED: Final = frozenset(
    """realise realize notice spot see understand recognise recognize know catch
    think""".split()  # noqa: SIM905
)


# The words between a team and the act it denies: "we did not", "we didn't ever".
_DENIED_DOING: Final = _DENIALS | {"did", "n't"}


def _group_slip(tokens: list[Token], i: int, what: str, harmed: bool) -> bool:
    """A team's own slip ("we ignored the warnings", "we skipped the
    handover") or a duty it left undone ("we never documented it"); not
    harm it set off ("we introduced a regression") or a routine act, which a
    team's account of an incident tells as steps."""
    low = tokens[i].low
    if what in ("slip", "omission") and _reason_in_system(tokens, i):
        return False
    if what == "slip":
        # "we made a bad decision" owns a choice, as "we deleted" tells a step.
        return not harmed and low not in _DAMAGE and low not in _MAKING
    if what == "omission":
        k = i + 1 if low in ("didn't", "did") else i
        while k < len(tokens) and tokens[k].low in _DENIED_DOING:
            k += 1
        return word_at(tokens, k) not in _PERCEIVED
    return False


# What follows "because" when a thing, not the team, is the reason: "because
# the pipeline marked it optional"; "because it was late" or "because we
# were busy" stay the team's.
_THING_DETERMINERS: Final = frozenset(["the", "a", "an", "its"])
_PLANNED: Final = frozenset(["planned", "scheduled", "agreed", "documented", "designed"])
# How far a reason is looked for after the act: a bound, so a long run of
# acts is not read to its end from each of them.
_REASON_TOKENS: Final = 30


def _reason_in_system(tokens: list[Token], i: int) -> bool:
    """Whether the sentence gives a thing as the reason for the team's act at
    tokens[i] ("we never rotated the key because the job was disabled") or
    tells the act as the plan ("we skipped the dry run, as planned"): the
    account a blameless review asks for."""
    for k in range(i + 1, min(i + _REASON_TOKENS, len(tokens) - 1)):
        low, nxt = tokens[k].low, tokens[k + 1].low
        if (low in ("because", "since") and nxt in _THING_DETERMINERS) or (
            low == "as" and nxt in _PLANNED
        ):
            return True
    return False


def _you(tokens: list[Token], at: int) -> bool:
    return at >= 0 and tokens[at].low == "you" and not _asked(tokens, at)


def _asked(tokens: list[Token], at: int) -> bool:
    """Whether "you" at tokens[at] is in a question or a case supposed
    ("Did you miss the call?", "if you skipped it"), not told a slip."""
    # After a verb of finding out ("to figure out you broke something"), the
    # slip is anyone's, what a test or a log lets one learn.
    return tokens[-1].text == "?" or any(
        t.low in _SUPPOSING or t.low in ("when", "did", "have", "unless") or t.low in _LEARNING
        for t in tokens[max(0, at - 3) : at]
    )


_LEARNING: Final = frozenset(
    """out realise realize notice discover learn know""".split()  # noqa: SIM905
)


_OBJECT_START: Final = frozenset(
    """to the a an that this these those my our his her their its all every your""".split()  # noqa: SIM905
)


def _agent(tokens: list[Token], i: int) -> int:
    """After "caused by" at tokens[i]: the index of a role the cause is laid
    on, as the agent of the cause or of a slip named in it ("caused by the
    deletion of the data by a new intern"), or -1."""
    for k in range(i + 2, min(i + _AGENT_TOKENS, len(tokens))):
        if tokens[k].low in _CLAUSE_START:
            return -1
        if tokens[k].low == "by" or k == i + 2:
            for m in range(k if k == i + 2 else k + 1, min(k + 4, len(tokens))):
                if person_kind(tokens, m) == "role":
                    return m
    return -1


# Past tenses that are never participles, so never adjectives before a noun:
# "Forgot the flag" is a slip told, where "Missed alerts" may name alerts.
_ONLY_PAST: Final = frozenset(["forgot", "broke", "overwrote", "mistook"])


def _elided_slip(tokens: list[Token], i: int) -> bool:
    """Whether a slip without a subject reads as a verb, not as an adjective
    before a noun ("Forgot to remove", "Ignored the alert", not "Missed
    alerts" or "Skipped tests")."""
    if tokens[i].low in _MARK_ADVERBS or tokens[i].low in _ONLY_PAST:
        return True
    return _after(tokens, i, 1)[:1] in ([w] for w in _OBJECT_START) or (
        i > 0 and tokens[i - 1].low in _MARK_ADVERBS
    )


def _common_word(tok: Token, lower_words: LowerCaseWords) -> bool:
    return tok.text[0].isupper() and tok.low in lower_words and tok.low not in _SELF


def _verdict_on_someone(
    tokens: list[Token], i: int, lower_words: LowerCaseWords
) -> tuple[str, str, int] | None:
    """A verdict on a person told with a common word: a quality they lack
    ("lack of developer awareness"), a skill denied them ("he wasn't a
    strong engineer"), guilt laid on them ("Alice, feeling guilty for
    causing it", "it was my fault")."""
    low = tokens[i].low
    before = [t.low for t in tokens[max(0, i - 3) : i]][::-1]
    if low in _QUALITIES:
        # "lack of developer awareness", "insufficient operator attention"
        person = len(before) > 1 and person_kind(tokens, i - 1) in ("role", "group")
        lacking = before[1:2] and (
            before[1] in _LACKING or (before[1] == "of" and before[2:3] and before[2] in _LACKING)
        )
        return ("blameless-judgement", "judged", i) if person and lacking else None
    if low in _SKILLED:
        # [person] was not [a] strong [software] engineer
        k = i - 1 if before[:1] and before[0] in ("a", "an") else i
        denial = tokens[k - 1].low if k > 0 else ""
        if denial == "not" and k > 1 and tokens[k - 2].low in _COPULAS:
            subject = k - 3
        elif denial in _DENIED:
            subject = k - 2
        else:
            return None
        role = any(
            person_kind(tokens, m) == "role" or _role_shaped(tokens[m].low)
            for m in range(i + 1, min(i + 4, len(tokens)))
        )
        who = person_kind(tokens, subject) if subject >= 0 else ""
        return ("blameless-judgement", "judged", i) if role and who in ("role", "name") else None
    if low == "fault":
        prev = tokens[i - 1] if i > 0 else None
        if prev is None or any(t.low in _DENYING for t in tokens[max(0, i - 4) : i]):
            return None  # "it wasn't my fault": blame denied
        if prev.low == "my":
            return "blameless-person", "self", i - 1
        if prev.low in ("his", "her", "their"):
            return "blameless-judgement", "judged", i
        if prev.low.endswith("'s") and is_name_token(prev.text[:-2]):
            return None if _common_word(prev, lower_words) else ("blameless-person", "name", i - 1)
        return None
    # "guilty": the person the clause is about
    for k in range(i - 1, max(i - 8, -1), -1):
        if tokens[k].low in _CLAUSE_START:
            return None
        who = person_kind(tokens, k)
        if who == "name" and _common_word(tokens[k], lower_words):
            continue
        if who == "name":
            # Point at the whole name: "Ottilie Brandt", not "Brandt".
            while k > 0 and i - k < _BACK + 2 and is_name_token(tokens[k - 1].text):
                k -= 1
        if who in ("self", "name"):
            return "blameless-person", who, k
        if who in ("role", "group"):
            return "blameless-judgement", "judged", i
    return None


def inflections(words: tuple[str, ...]) -> frozenset[str]:
    """Other forms of one-word judgements: "stupid" gives "stupidly",
    "stupidity", "stupidest"; "sloppy" gives "sloppily"."""
    forms: set[str] = set()
    for word in (w.lower() for w in words if w.isalpha()):
        stem = word[:-1] + "i" if word.endswith("y") else word
        forms.update({stem + "ly", stem + "est", stem + "ness", word + "ity", stem + "er"})
        if word.endswith("ent"):
            forms.add(word[:-1] + "ce")
    return frozenset(forms - {w.lower() for w in words})


@lru_cache(maxsize=256)
def _finder(word: str) -> re.Pattern[str]:
    return re.compile(rf"{re.escape(word)}(?<![\w-]{re.escape(word)})(?![\w-])")


_SP: Final = r"[^\S\n]++"
_DID_NOT: Final = re.compile(
    rf"did(?:{_SP}not|n't){_SP}(?:[a-z]{{1,20}}ly{_SP})?+(?P<act>[a-z-]++)"
)
_MADE_SLIP: Final = re.compile(
    rf"(?:{'|'.join(sorted(_MAKING))}){_SP}(?:[a-z]++{_SP}){{0,2}}"
    rf"(?:{'|'.join(sorted(_SLIP_NOUNS | _CHOICES))})(?![a-z])"
)
# The marks `_own_mark` reads, spelled out so that most damage verbs near
# "time" or "without" are ruled out before their sentence is split into tokens.
_OWN_MARK: Final = re.compile(
    rf"(?<![a-z])(?:again|twice|instead{_SP}of"
    rf"|(?:{'|'.join(sorted(_COUNTS))}){_SP}times|(?:{'|'.join(sorted(_ORDINALS))}){_SP}time"
    rf"|without{_SP}(?:{'|'.join(sorted(_UNASKED))}))(?![a-z])"
)
_MARK: Final = re.compile(rf"(?<![a-z])(?:{'|'.join(sorted(_MARKS))})(?![a-z])")
_MARK_BEFORE, _MARK_AFTER = 30, 80
_OWNED: Final = re.compile(r"(?:(?<![a-z])(?:my|his|her|their)|[a-z]'s)[^\S\n]++$")
_OWNER_CHARS: Final = 24
_DENIAL_BEFORE: Final = re.compile(r"(?:(?<![a-z])not|n't)[^\S\n]++(?:an?+[^\S\n]++)?+$")
_DENIAL_CHARS: Final = 16
_LACK_BEFORE: Final = re.compile(
    rf"(?<![a-z])(?:{'|'.join(sorted(_LACKING))})[^\S\n]++(?:of[^\S\n]++)?+[a-z-]++[^\S\n]++$"
)
_LACK_CHARS: Final = 40
_UNDONE_CUES: Final = frozenset(["not", "never", "nobody", "no", "hadn't", "haven't", "hasn't"])
# "hadn't tested", "had not yet checked", "nobody had verified", "no one read":
# a denial right before a word, past one auxiliary or adverb at most. One pass
# finds them all, where a search for each past form would scan the text again.
# It starts with the letter all its denials start with, so the regex engine
# jumps from one "n" to the next instead of trying every character.
_UNDONE: Final = re.compile(
    r"n(?:'t|(?<![a-z]n)(?:ot|ever|obody|o[^\S\n]++one))"
    r"(?:[^\S\n]++(?:[a-z]{1,20}ly|had|has|have|yet|ever|even|once))?+"
    r"[^\S\n]++(?P<act>[a-z]++)(?![a-z-])"
)


def _worth_reading(folded: str, at: int, word: str) -> bool:
    """A look at the characters around a predicate word that rules out most
    of its uses before the sentence is split into tokens."""
    if word == "did":
        m = _DID_NOT.match(folded, at)
        if m is None:
            near = folded[at : at + _MARK_AFTER]
            return "instead" in near or near.startswith(("did wrong", "did  wrong"))
        return m.group("act") in HUMAN_ACTS
    if word in _MAKING:
        return _MADE_SLIP.match(folded, at) is not None
    if word in _SKILLED:
        # Only after a denial: "wasn't a strong", "was not a careful".
        return _DENIAL_BEFORE.search(folded, max(0, at - _DENIAL_CHARS), at) is not None
    if word in _QUALITIES:
        # Only after a lack: "lack of developer awareness", "poor operator attention".
        return _LACK_BEFORE.search(folded, max(0, at - _LACK_CHARS), at) is not None
    if word == "fault":
        # "my fault", "Dana's fault"; not "page fault", "fault tolerance".
        return _OWNED.search(folded, max(0, at - _OWNER_CHARS), at) is not None
    if word == "wrong":
        # As a verdict only after a copula: "I was wrong", "we were completely wrong".
        return _COPULA_BEFORE.search(folded, max(0, at - _COPULA_CHARS), at) is not None
    if word in _TOO_LAPSES and word not in _LAPSES and word not in _WANTING:
        return folded[max(0, at - 4) : at] == "too "
    if word == "mixed":
        return folded.startswith(" up", at + len(word))
    if word in _DAMAGE and word not in _ALWAYS:
        if _MARK.search(folded, max(0, at - _MARK_BEFORE), at + _MARK_AFTER) is not None:
            return True
        return _OWN_MARK.search(folded, at, at + _MARK_AFTER) is not None
    return True


# A copula just before "wrong", past one grading word ("I was completely
# wrong"): looked for in a bounded window before each "wrong", as _WRONG is.
_COPULA_BEFORE: Final = re.compile(
    r"(?<![a-z'])(?:was|were|am|'m|been|is|are|got)[^\S\n]++(?:[a-z]++[^\S\n]++)?+$"
)
_COPULA_CHARS: Final = 24
# Past tenses with the prefix "mis", found in one pass over the text (a
# loop over its words in Python costs more than the rest of the review).
# The stem is bounded, so "ed" is looked for after at most 20 letters.
# "wrong" is found first, then the verb before it in a bounded look back: a
# pattern that starts with the verb would be tried at every word of the text.
_WRONG: Final = re.compile(r"wrong(?<![a-z]wrong)(?![a-z])")
_VERB_BEFORE_WRONG: Final = re.compile(
    r"(?<![a-z])([a-z]++)[^\S\n]++(?:(?:you|me|us|them|him|her)[^\S\n]++)?+(?:the|an?+)[^\S\n]++$"
)
_WRONG_CHARS: Final = 40
_OWN_MARKS: Final = frozenset(["again", "twice", "times", "time", "instead", "without"])
_MIS: Final = re.compile(r"(?<![\w-])mis[a-z]{2,20}ed(?![\w-])")


def _triggers(words: set[str], folded: str) -> set[str]:
    """The predicate words of a text that can blame: most texts use damage
    verbs ("deployed", "ran") with no mark of a slip, and those are not
    looked at."""
    found = set(_ALWAYS & words)
    if "mis" in folded:
        found |= {w for w in _MIS.findall(folded) if _mis_verb(w)}
    if _MARKS & words or _OWN_MARKS & words:
        found |= _DAMAGE & words
    if "down" in words:
        found |= _PHRASAL & words
    if "wrong" in words:
        for w in _WRONG.finditer(folded):
            at = w.start()
            if folded[at - 4 : at - 1] != "the" and folded[at - 2 : at - 1] != "a":
                continue  # most uses: "gave wrong answers", "went wrong"
            verb = _VERB_BEFORE_WRONG.search(folded, max(0, at - _WRONG_CHARS), at)
            if verb is not None and is_past(verb.group(1)):
                found.add(verb.group(1))
    if (_NEGATION & words or "instead" in words or "wrong" in words) and "did" in words:
        found.add("did")
    if _LACKING & words:
        found |= _QUALITIES & words
    if _DENIED & words:
        found |= _SKILLED & words
    if "fault" in words:
        found.add("fault")
    if _DENIALS & words:
        found |= _WANTING & words
    if INCIDENTS & words:
        found |= _STARTED & words
    if _SLIP_NOUNS & words or (_CHOICES & words and _BAD & words):
        found |= _MAKING & words
    return found


def clause_hits(
    folded: str,
    words: set[str],
    sentences: Sentences,
    lower_words: LowerCaseWords,
    slips: frozenset[str] = frozenset(),
    judged: frozenset[str] = frozenset(),
    confessed: Callable[[], bool] | None = None,
) -> Iterator[tuple[int, int, str, str]]:
    """(start, end, rule, kind) of the first blaming predicate of each
    sentence of the text whose folded form is `folded` (`words`: its words;
    `confessed`: as for clause_blames)."""
    found = _triggers(words, folded) | (slips | judged) & words
    undone = bool(_UNDONE_CUES & words and DONE & words)
    # The writer's destroying acts are read whatever marks them; whether the
    # document confesses is asked only of a sentence that needs it.
    owned: set[str] = set()
    if confessed is not None:
        owned |= _DESTROYS & words if _WRITER & words else set()
        owned |= _DENYING_DID & words if _NEGATION & words else set()
    if not found and not undone and not owned:
        return
    places = [
        m.start()
        for word in found | owned
        for m in _finder(word).finditer(folded)
        if word in owned or _worth_reading(folded, m.start(), word)
    ]
    if undone:
        places += [m.start("act") for m in _UNDONE.finditer(folded) if m.group("act") in DONE]
    places.sort()
    seen: set[int] = set()
    for at in places:
        i, tokens = sentences.around(at)
        if not tokens or tokens[i].start != at or tokens[0].start in seen:
            continue
        verdict = clause_blames(tokens, i, lower_words, slips, judged, confessed)
        if verdict is not None:
            seen.add(tokens[0].start)
            rule, kind, k = verdict
            # A name runs to the subject's last word ("Dana Whitfield").
            end = k
            while kind == "name" and end + 1 < i and is_name_token(tokens[end + 1].text):
                end += 1
            yield tokens[k].start, tokens[end].start + len(tokens[end].text), rule, kind
