"""Verdicts on people that no slip verb carries, for the blameless review.

Personal write-ups blame the writer in shapes a verb list cannot hold:

- guilt in a noun owned by a person ("my mistake", "our oversight", "his
  carelessness") or pinned on the writer ("the blame is on me", "that was
  lazy of me");
- an act done in haste or without its check ("I wrote it in a hurry",
  "pushed it without testing", "went fast rather than checking");
- hindsight in the writer's own voice ("What should I have done?", "If I
  had tested it, ...", "If I had to redo it, I would ...").

Each shape turns on a rare word (the noun, "haste", "without", a frame of
hindsight), read with a few tokens around it for its owner or subject, so the
cost is linear in the text. Subjects are read as blameless_clause.py reads
them: the writer, a group, a name, a role, or a thing.
"""

from __future__ import annotations

import re
from typing import Final

from .blameless_choices import CHOICE_SHAPES, CHOICE_WORDS, choice_verdict
from .blameless_clause import (
    INCIDENTS,
    acts_next,
    imagined,
    person_before,
    person_kind,
    someone_before,
)
from .blameless_context import END as _END
from .blameless_context import SP as _SP
from .blameless_context import Sentences, Token, is_name_token, is_past
from .blameless_context import either as _either
from .blameless_context import first_word as _first
from .blameless_context import low_at as _low
from .blameless_hindsight import HINDSIGHT_SHAPES, HINDSIGHT_WORDS, hindsight_verdict
from .blameless_traits import (
    CHOICE_JUDGING,
    CHOICES,
    ENGAGED,
    JUDGING,
    OWNERS,
    TRAITS,
    WORKS,
    deadlines_kept,
    judged_act,
    on_someone,
    owned_lack,
    poor_job,
    trait_verdict,
    work_verdict,
)

# Slips named as nouns: owned by the writer, guilt ("my mistake", "my bad");
# a team owning its mistake tells what happened, as "we deleted" does.
_SLIP_NOUNS: Final = frozenset(
    """mistake mistakes oversight fuckup fuckups screwup screwups blunder blunders bad""".split()  # noqa: SIM905
)
# Failings named as nouns: a verdict on whoever owns them, a team included
# ("our carelessness", as "we carelessly pushed").
_FAILINGS: Final = frozenset(
    """inattention carelessness negligence laziness hastiness ignorance impatience
    overconfidence sloppiness stupidity incompetence""".split()  # noqa: SIM905
)
_GUILT_NOUNS: Final = _SLIP_NOUNS | _FAILINGS
# Nouns that name a slip only when someone owns it after them: "an error on my part".
_SLIPS_AFTER: Final = frozenset(["error", "errors", "failure", "lapse", "misjudgement"])
# Of those, the ones that are guilt owned before them too: "my error was to", "my failure here".
_OWNED_BEFORE: Final = frozenset(["error", "failure"])
# What "on my part" may follow: "a mistake on my part", "an error on our part".
_OWNED_SLIPS: Final = _GUILT_NOUNS | _SLIPS_AFTER
# Slips whose maker follows "by": "a mistake by an operator", "a typo by me".
_MADE_BY: Final = _SLIP_NOUNS - {"bad"} | {"error", "errors", "typo", "typos"}
_DETERMINERS: Final = frozenset(["the", "a", "an", "our", "one", "of", "their", "new"])
_PREPOSITIONS: Final = frozenset(
    """in at of for with from to during after before into within""".split()  # noqa: SIM905
)
# Words between an owner and the noun: "my own mistake", "my biggest blunder".
_GRADES: Final = frozenset(
    """own big bigger biggest first second real main one huge""".split()  # noqa: SIM905
)
# What may follow a guilt noun for it to end its phrase: "my mistake was to",
# "my bad.", not "our oversight process", "my bad luck".
_AFTER_NOUN: Final = frozenset(
    """was is were are that which in on to and but here there led meant caused for of
    when as again""".split()  # noqa: SIM905
)
_DENYING: Final = frozenset(["not", "never", "no", "wasn't", "isn't", "nor"])
# Adjectives that praise, in "that was kind of me": no verdict.
_PRAISE: Final = frozenset(
    """kind nice good generous brave clever smart wise typical""".split()  # noqa: SIM905
)
_COPULAS: Final = frozenset(["was", "is", "were", "that's", "it's", "seems", "seemed"])
# A hurry named as the manner of an act: "in a hurry", "in my haste".
_HASTE: Final = frozenset(["haste", "hurry", "rush"])
# Checks an act was done without, or instead of: "without testing",
# "rather than checking", "without verification".
_CHECK_NOUNS: Final = frozenset(
    """verification review reviews testing tests test backup backups confirmation approval
    validation thinking thought permission consent notice""".split()  # noqa: SIM905
)
_CHECK_GERUNDS: Final = frozenset(
    """checking double-checking verifying testing retesting reviewing reading confirming
    validating looking asking considering thinking backing running asked waiting telling
    informing notifying understanding""".split()  # noqa: SIM905
)
_FILLERS: Final = frozenset(
    """any a an first proper properly further much enough the it them time spending
    being""".split()  # noqa: SIM905
)
# Frames of hindsight, after which the writer's "I would" is what they should
# have done: "in hindsight", "in retrospect", "looking back", "if I had to redo it".
_FRAMES: Final = frozenset(["hindsight", "retrospect", "redo", "looking"])
_MODALS: Final = frozenset(["would", "should", "could"])
_FRAME_TOKENS: Final = 16
_OPINIONS: Final = frozenset(
    """say argue think guess suppose like love recommend suggest add note expect call describe
    agree imagine hope want prefer""".split()  # noqa: SIM905
)
_PEOPLE_KINDS: Final = frozenset(["self", "group", "name", "role"])
# What a person calls themselves or another for a slip: "I was an idiot".
_INSULTS: Final = frozenset(["idiot", "fool", "moron", "dummy", "clown", "amateur"])
# Where each verdict may be, found in one pass over the text per shape, with
# the words around it that make it worth reading ("should I have", "if we
# had", "lazy of me", "my own mistake", "without testing", "looking back, I
# would"): most uses of these words are ruled out before a sentence is split
# into tokens. Each shape runs only when the text has one of its words (the
# set before it), and each look is bounded to a few words or characters.
_START: Final = r"(?<![\w'-])"


# Labels that file what follows under a slip: "Mistake: I pushed to main".
_LABELS: Final = frozenset(["mistake", "mistakes", "error", "errors", "blunder"])
_CHECK_WORDS: Final = _CHECK_GERUNDS | _CHECK_NOUNS
_CHECKS: Final = _either(_CHECK_WORDS)
_UNCHECKED: Final = rf"(?:{_SP}(?:{_either(_FILLERS)}){_END}){{0,3}}+{_SP}(?:{_CHECKS}){_END}"
# Any act gone without, past the same fillers: "without filing a change request".
_SKIPPED_STEP: Final = rf"(?:{_SP}(?:{_either(_FILLERS)}){_END}){{0,3}}+{_SP}[a-z]{{3,20}}ing{_END}"
# What an act is done without when it went well: "without losing data",
# "without affecting users", "without touching the config".
_SPARED: Final = frozenset(
    """losing affecting breaking interrupting impacting causing dropping disrupting touching
    needing requiring having being restarting downtime anything""".split()  # noqa: SIM905
)
# A choice judged by what it cost ("that call cost us the month's budget").
_COSTING: Final = frozenset(
    """call decision choice idea plan assumption insistence move""".split()  # noqa: SIM905
)
_PAYERS: Final = frozenset(["us", "me", "the", "our", "my"])
_COST_TOKENS: Final = 12
# A frame of hindsight counts when the writer's "I would" follows it in the
# sentence: a bounded look, lazily, up to the first one.
_WRITER_WOULD: Final = rf"[^.!?\n]{{0,120}}?{_START}(?:i{_SP}(?:would|should|could)|i'd){_END}"
# A person's choice judged bad in its sentence: "my call, and a bad one",
# "terrible idea, my idea". A choice alone ("it was my call to roll back") is a fact.
_CHOICES: Final = frozenset(["call", "idea", "decision", "choice"])
_BAD_CHOICES: Final = frozenset(
    """bad terrible wrong poor dumb stupid awful horrible lousy idiotic worst""".split()  # noqa: SIM905
)
# A belief after "thinking" starts with its subject and has a verb within
# three words ("thinking it was staging", "thinking nobody would notice");
# "thinking about the fix" holds none, so an act on it is not on a belief.
_BELIEVED: Final = frozenset(
    ["it", "this", "that", "nobody", "no", "everyone", "they", "i", "we", "he", "she"]
)
_BELIEFS: Final = frozenset(["was", "were", "would", "had", "'d", "is", "one"])
# Luck, not a slip, before "by accident": a finding or a thing done right.
_FOUND: Final = frozenset(
    """found find discovered noticed spotted learned learnt stumbled caught saw right""".split()  # noqa: SIM905
)
# What "is mine" owns as guilt ("the outage is mine"), not as a belonging
# ("the laptop is mine") or a post ("the ticket is mine").
_MINE_NOUNS: Final = INCIDENTS | _OWNED_SLIPS | {"fault", "outage"}
# What the writer does to own a failure: "I take full responsibility", "I'll own this one".
_TAKING: Final = frozenset(["take", "took", "taking", "accept", "accepted", "bear"])
_OWNED_OBJECTS: Final = frozenset(["this", "that", "it", "up"])
# What is on someone by turn, not by fault: "the pager is on me this week".
_TURNS: Final = frozenset(
    """shift shifts rotation pager phone window watch turn duty handover lunch dinner coffee
    drinks round""".split()  # noqa: SIM905
)
# Work to come, which a writer takes on in an action item ("follow" of
# "follow-up", which the tokens split).
_WORK_AHEAD: Final = frozenset(
    """follow followup followups action actions remediation next items""".split()  # noqa: SIM905
)
_OWNED: Final = re.compile(
    rf"{_START}(?:my|our|his|her|their)(?:{_SP}[a-z]++)?+(?:{_SP}[a-z]++)?+{_SP}$"
)
_OWNER_CHARS: Final = 40
_NEGATED: Final = frozenset(["less", "not", "never", "wasn't", "weren't", "isn't", "aren't"])
_TRAIT_COPULAS: Final = frozenset(
    """was were am is are been being got get became felt seemed i'm we're they're he's
    she's""".split()  # noqa: SIM905
)
_OWNERS_WORDS: Final = frozenset(OWNERS)
_WRITER: Final = frozenset(["i", "i'd"])
# Each shape runs only when the text has a word of each of its sets, and
# starts with a word written out, never with a choice of words: the regex
# engine then jumps from one place of that word to the next.
_SHAPES: Final = tuple(
    (tuple(frozenset(g) for g in gates), re.compile(pattern), owned)
    for gates, pattern, owned in (
        *(
            (({word}, _OWNERS_WORDS), _first(word) + _END, True)
            for word in sorted(_GUILT_NOUNS | _OWNED_BEFORE)
        ),
        *((({word},), _first(word) + _END, False) for word in sorted(_HASTE | _INSULTS)),
        *((({word}, {"by"}), rf"{_first(word)}{_SP}by{_END}", False) for word in sorted(_MADE_BY)),
        (({"blame"}, {"me", "myself"}), _first("blame") + _END, False),
        *(
            (
                ({modal}, {"have"}),
                rf"{modal}(?<![\w'-]{modal}){_SP}[a-z']++{_SP}(?P<at>have){_END}",
                False,
            )
            for modal in ("should", "shouldn't", "could", "would")
        ),
        (({"had"}, {"if"}), rf"if(?<![\w'-]if){_SP}(?:i|we){_SP}(?P<at>had){_END}", False),
        (({"i'd", "we'd"}, {"if"}), rf"if(?<![\w'-]if){_SP}(?P<at>i'd|we'd){_END}", False),
        (({"me", "us"}, {"of"}), rf"of(?<![\w'-]of){_SP}(?P<at>me|us){_END}", False),
        # "that one's on me", "it was me who": the writer owning the failure.
        (({"me"}, {"on"}), rf"on(?<![\w'-]on){_SP}(?P<at>me){_END}", False),
        (({"me"}, {"was"}), rf"was(?<![\w'-]was){_SP}(?P<at>me){_END}", False),
        (({"culpa"}, {"mea"}), _first("culpa") + _END, False),
        (({"responsibility"}, _WRITER), _first("responsibility") + _END, False),
        (
            ({"own"}, _WRITER | {"i'll"}),
            rf"{_first('own')}{_SP}(?:{_either(_OWNED_OBJECTS)}){_END}",
            False,
        ),
        # The owner first: "call" and "decision" are common words, "my call" is not.
        *(
            (
                ({owner}, _CHOICES, _BAD_CHOICES),
                rf"{owner}(?<![\w'-]{owner}){_SP}(?:own{_SP})?+(?P<at>{_either(_CHOICES)}){_END}",
                False,
            )
            for owner in ("my", "his", "her", "their")
        ),
        # "I deleted the app thinking it was the old one": an act on a false belief.
        (({"thinking"}, _BELIEVED), _first("thinking") + _END, False),
        (
            ({"mistake", "accident"}, {"by"}),
            rf"by(?<![\w'-]by){_SP}(?P<at>mistake|accident){_END}",
            False,
        ),
        # "I got the units wrong", "we got it wrong twice".
        (
            ({"wrong"}, {"got"}),
            rf"got(?<![\w'-]got)(?:{_SP}[\w']++){{1,3}}?{_SP}(?P<at>wrong){_END}",
            False,
        ),
        # "the deployment failure is mine", "that oversight is mine".
        (({"mine"}, _MINE_NOUNS), rf"is(?<![\w'-]is){_SP}(?P<at>mine){_END}", False),
        (
            ({"all"}, {"had"}),
            rf"all(?<![\w'-]all){_SP}(?P<at>i|he|she|they|you){_SP}had{_SP}to{_SP}do{_END}",
            False,
        ),
        (
            ({"part"}, {"on"}),
            rf"on(?<![\w'-]on){_SP}(?:my|our|his|her|their){_SP}(?P<at>part){_END}",
            False,
        ),
        (
            ({"attention"},),
            rf"pa(?:y|ying|id)(?:{_SP}(?:enough|close|much|full|proper))?+{_SP}(?P<at>attention){_END}",
            False,
        ),
        (({"without"}, _CHECK_WORDS), rf"{_first('without')}{_UNCHECKED}", False),
        (({"cost"}, _COSTING), rf"{_first('cost')}{_SP}(?:{_either(_PAYERS)}){_END}", False),
        (({"without"},), rf"{_first('without')}{_SKIPPED_STEP}", False),
        (({"rather"}, _CHECK_WORDS), rf"{_first('rather')}{_SP}than{_UNCHECKED}", False),
        (({"instead"}, _CHECK_WORDS), rf"{_first('instead')}{_SP}of{_UNCHECKED}", False),
        (({"instead"}, _WRITER), rf"{_first('instead')}{_SP}of{_SP}[a-z]{{3,20}}ing{_END}", False),
        (({"looking"}, _WRITER), rf"{_first('looking')}{_SP}back{_WRITER_WOULD}", False),
        *(
            (({w}, _WRITER), _first(w) + _WRITER_WOULD, False)
            for w in sorted(_FRAMES - {"looking"})
        ),
        (({"responsible"}, INCIDENTS), rf"{_first('responsible')}{_SP}for{_END}", False),
        *((({word},), rf"{_first(word)}(?=[^\S\n]*+:)", False) for word in sorted(_LABELS)),
        # A trait said of a person through a copula: "I was naive", "we were too proud".
        *((({word}, _TRAIT_COPULAS), _first(word) + _END, False) for word in sorted(TRAITS)),
        *(
            (({word}, _TRAIT_COPULAS, {"at"}), rf"{_first(word)}{_SP}at{_END}", False)
            for word in sorted(JUDGING - TRAITS)
        ),
        *(
            (({word}, _TRAIT_COPULAS | _NEGATED), _first(word) + _END, False)
            for word in sorted(ENGAGED)
        ),
        *(
            (
                ({grade}, _TRAIT_COPULAS),
                rf"{grade}(?<![\w'-]{grade}){_SP}(?P<at>[a-z]++){_END}",
                False,
            )
            for grade in ("too", "overly")
        ),
        (({"too"}, {"i", "we"}), rf"too(?<![\w'-]too){_SP}(?P<at>[a-z]++){_END}", False),
        # The owner first, then what they own of the work: "our poor time management".
        *(
            (
                ({owner}, WORKS, JUDGING | {"too", "overly"}),
                rf"{owner}(?<![\w'-]{owner})(?:{_SP}[a-z'-]++){{0,2}}?{_SP}(?P<at>{_either(WORKS)}){_END}",
                False,
            )
            for owner in ("my", "our", "his", "her", "their")
        ),
        (({"job"}, JUDGING), _first("job") + _END, False),
        *((({word}, CHOICE_JUDGING), _first(word) + _END, False) for word in sorted(CHOICES)),
        *((({word},), _first(word) + _END, False) for word in ("deadline", "deadlines")),
        (({"lack"}, _OWNERS_WORDS), rf"{_first('lack')}{_SP}of{_END}", False),
        *CHOICE_SHAPES,
        *HINDSIGHT_SHAPES,
    )
)
_Shape = tuple[tuple[frozenset[str], ...], re.Pattern[str], bool]


def _index() -> dict[str, list[_Shape]]:
    """The shapes by the words of their first set: a text's words then pick
    its few shapes in one step, where a loop over all of them costs each text."""
    index: dict[str, list[_Shape]] = {}
    for shape in _SHAPES:
        for word in shape[0][0]:
            index.setdefault(word, []).append(shape)
    return index


_BY_WORD: Final = _index()
_KEYS: Final = frozenset(_BY_WORD)
_BLAME_TOKENS: Final = 10


def _denied(tokens: list[Token], i: int) -> bool:
    return any(t.low in _DENYING for t in tokens[max(0, i - 4) : i])


def _owned_guilt(tokens: list[Token], i: int) -> tuple[str, str, int] | None:
    """ "my mistake", "our oversight", "his carelessness", "Dana's blunder"."""
    k = i - 1
    while k >= 0 and i - k <= 2 and tokens[k].low in _GRADES:
        k -= 1
    ends = i + 1 >= len(tokens) or not tokens[i + 1].text[0].isalpha()
    if k < 0 or _denied(tokens, k) or not (ends or tokens[i + 1].low in _AFTER_NOUN):
        return None
    owner = OWNERS.get(tokens[k].low, "")
    if owner == "self":
        return "blameless-person", "guilt", k
    if owner == "role" or (owner == "group" and tokens[i].low in _FAILINGS):
        return "blameless-judgement", "guilt", i
    return None


def _made_by(tokens: list[Token], i: int) -> tuple[str, str, int] | None:
    """ "a mistake by an operator", "an error by the on-call engineer", "a typo by me"."""
    k = i + 2
    while k < len(tokens) and k - i < 6 and tokens[k].low in _DETERMINERS:
        k += 1
    if k >= len(tokens) or _denied(tokens, i):
        return None
    if tokens[k].low == "me":
        return "blameless-person", "guilt", k
    # "the on-call engineer", "a junior admin": a role a few tokens on.
    for m in range(k, min(k + 4, len(tokens))):
        if person_kind(tokens, m) == "role":
            return "blameless-person", "role-slip", m
        if tokens[m].low in _PREPOSITIONS:
            return None  # "an error by the parser in the engineer view"
    return None


def _on_my_part(tokens: list[Token], i: int) -> tuple[str, str, int] | None:
    """ "a mistake on my part", "an oversight on our part": a slip owned after the noun."""
    owner = OWNERS.get(_low(tokens, i - 1), "")
    if _low(tokens, i - 2) != "on" or owner not in ("self", "role", "group"):
        return None
    noun = _low(tokens, i - 3)
    # "poor discipline on our part": any noun, judged by the word before it.
    judged = _low(tokens, i - 4) in JUDGING
    if (noun not in _OWNED_SLIPS and not judged) or _denied(tokens, i - 3):
        return None
    if owner == "group" and not judged:
        return None  # "a mistake on our part": a team owning its slip, as "we deleted" tells a step
    return (
        ("blameless-person", "guilt", i - 1)
        if owner == "self"
        else ("blameless-judgement", "guilt", i)
    )


def _responsible(tokens: list[Token], i: int) -> tuple[str, str, int] | None:
    """ "I was responsible for the outage", "the admin responsible for the
    breakage"; not "the team responsible for the service"."""
    if _low(tokens, i + 1) != "for" or _denied(tokens, i):
        return None
    if not INCIDENTS & {t.low for t in tokens[i + 2 : i + 5]}:
        return None
    who = someone_before(tokens, i)
    return on_someone("role" if who == "group" else who, i)


def _inattentive(tokens: list[Token], i: int) -> tuple[str, str, int] | None:
    """ "I wasn't paying attention", "didn't pay close attention"."""
    k = i - 1
    if _low(tokens, k) in ("enough", "close", "much", "full", "proper"):
        k -= 1
    if _low(tokens, k) not in ("paying", "pay", "paid") or not _denied(tokens, k):
        return None
    return on_someone(someone_before(tokens, k), i)


def _called(tokens: list[Token], i: int) -> tuple[str, str, int] | None:
    """A person called a name for a slip: "I was an idiot", "what a fool I was"."""
    if _low(tokens, i - 1) not in ("a", "an", "the", "such", "complete", "total") or _denied(
        tokens, i
    ):
        return None
    who = someone_before(tokens, i) or (person_kind(tokens, i + 1) if i + 1 < len(tokens) else "")
    return on_someone(who, i)


def _blame_on_me(tokens: list[Token], i: int) -> tuple[str, str, int] | None:
    """ "the blame is on me", "I blame myself", "I am to blame"."""
    if _denied(tokens, i):
        return None
    for k in range(i + 1, min(i + _BLAME_TOKENS, len(tokens))):
        if tokens[k].low in _DENYING:
            return None  # "the blame never fell on me"
        if tokens[k].low in ("me", "myself"):
            return "blameless-person", "guilt", i
    if _low(tokens, i - 1) == "to" and person_kind(tokens, max(i - 3, 0)) == "self":
        return "blameless-person", "guilt", i - 3
    return None


def _of_me(tokens: list[Token], i: int) -> tuple[str, str, int] | None:
    """ "that was lazy of me", "it was naive of us": a verdict the writer passes on themselves."""
    adjective = _low(tokens, i - 2)
    if _low(tokens, i - 1) != "of" or not adjective.isalpha() or adjective in _PRAISE:
        return None
    if not any(t.low in _COPULAS for t in tokens[max(0, i - 5) : i - 2]) or _denied(tokens, i - 2):
        return None
    if tokens[i].low == "me":
        return "blameless-person", "guilt", i - 2
    return "blameless-judgement", "guilt", i - 2


def _owned_failure(tokens: list[Token], i: int) -> tuple[str, str, int] | None:
    """The writer owning the failure: "that one's on me", "it was me who
    ran it", "mea culpa", "I take full responsibility", "I'll own this one"."""
    word, prev = tokens[i].low, _low(tokens, i - 1)
    if _denied(tokens, i):
        return None
    if word == "me" and prev == "on":
        # "is on me", "that's on me", "all on me"; not "it is on me to fix", nor
        # "the pager is on me this week" or "lunch is on me" (a duty, a turn).
        before = _low(tokens, i - 2)
        owned = before in _COPULAS or before.endswith("'s") or before in ("all", "entirely", "%")
        turn = any(t.low in _TURNS for t in tokens[max(0, i - 7) : i])
        ends = _clause_ends(tokens, i + 1) or _low(tokens, i + 1) in ("and", "alone", "not")
        return ("blameless-person", "guilt", i) if owned and ends and not turn else None
    if word == "me" and prev == "was":
        # "it was me who", "it was me that"; not "it was me and Sam on call",
        # nor "Who was on call? It was me.", an answer.
        owned = _low(tokens, i - 2) == "it" and _low(tokens, i + 1) in ("who", "that")
        return ("blameless-person", "guilt", i) if owned else None
    if word == "culpa":
        # Not the phrase named: "a mea culpa is not what we ask for".
        named = _low(tokens, i - 2) in ("a", "an", "the", "no", "any") or _low(tokens, i + 1) in (
            "is",
            "was",
        )
        return ("blameless-person", "guilt", i) if prev == "mea" and not named else None
    if word == "responsibility":
        k = i - 1
        while k > i - 4 and _low(tokens, k) in ("full", "complete", "all", "the"):
            k -= 1
        taken = _low(tokens, k) in _TAKING and someone_before(tokens, k) == "self"
        # "I take responsibility for the follow-up items": work to come, not a failure.
        ahead = any(t.low in _WORK_AHEAD for t in tokens[i + 1 : i + 6])
        return ("blameless-person", "guilt", k) if taken and not ahead else None
    if word == "own":
        owner = prev in ("i", "i'll") or (prev in ("will", "must") and _low(tokens, i - 2) == "i")
        # "I'll own this:", "I own this outage", "own up"; not "I'll own this
        # action item" or "own it until the new lead starts" (work to come).
        thing = _low(tokens, i + 1)
        owned = thing == "up" or _clause_ends(tokens, i + 2) or _low(tokens, i + 2) == "one"
        if owner and thing in _OWNED_OBJECTS and (owned or _low(tokens, i + 2) in _MINE_NOUNS):
            return "blameless-person", "guilt", i
    return None


def _clause_ends(tokens: list[Token], k: int) -> bool:
    """Whether the clause ends before tokens[k] (the text's end, or punctuation)."""
    return k >= len(tokens) or not tokens[k].text[0].isalnum()


def _judged_choice(tokens: list[Token], i: int) -> tuple[str, str, int] | None:
    """ "my call, and a bad one", "Terrible idea, my idea": a person's choice judged."""
    k = i - 2 if _low(tokens, i - 1) == "own" else i - 1
    owner = OWNERS.get(_low(tokens, k), "")
    if owner not in ("self", "role") or not any(t.low in _BAD_CHOICES for t in tokens):
        return None
    return None if _denied(tokens, k) else on_someone(owner, k)


def _costly_choice(tokens: list[Token], i: int) -> tuple[str, str, int] | None:
    """ "my decision to skip the ablation cost us the month", "Elena's call
    cost us the market", "Our PI insisted, and that call cost us": a
    person's choice judged by its outcome. A team's ("our decision cost us")
    is told as its steps, as "we made a bad decision" is."""
    for k in range(i - 1, max(i - _COST_TOKENS, 0), -1):
        if tokens[k].low not in _COSTING:
            continue
        owner = tokens[k - 1]
        if owner.low in ("that", "this"):
            who, at = person_before(tokens, k - 1)
        elif owner.low.endswith("'s"):
            who, at = (
                person_kind(tokens, k - 1) or ("name" if is_name_token(owner.text[:-2]) else ""),
                k - 1,
            )
        else:
            who, at = OWNERS.get(owner.low, ""), k - 1
        if who == "name":
            return "blameless-person", "name", at
        return on_someone(who, at) if who in ("self", "role") else None
    return None


def _got_wrong(tokens: list[Token], i: int) -> tuple[str, str, int] | None:
    """ "I got the units wrong", "we got it wrong": a person's act, gone wrong."""
    k = next((k for k in range(i - 1, max(i - 5, -1), -1) if tokens[k].low == "got"), -1)
    if k < 0 or _denied(tokens, k):
        return None
    return on_someone(someone_before(tokens, k), k)


def _false_belief(tokens: list[Token], i: int) -> tuple[str, str, int] | None:
    """ "I ran it on production thinking it was staging", "deleted the app
    thinking it was the old one": a person's act done on a false belief."""
    if _low(tokens, i + 1) not in _BELIEVED or not any(
        t.low in _BELIEFS for t in tokens[i + 2 : i + 5]
    ):
        return None
    if _low(tokens, i - 1) in ("was", "were", "am", "been"):
        return None  # "I was thinking it was DNS": a hypothesis held, no act on it
    return _slip_of(someone_before(tokens, i), i)


def _slip_of(who: str, i: int) -> tuple[str, str, int] | None:
    """A slip of the writer's or a role's (found at tokens[i]); others' are
    left alone, as the clause rules leave a name's or a team's acts."""
    if who == "self":
        return "blameless-person", "self", i
    return ("blameless-person", "role-slip", i) if who == "role" else None


def _by_mistake(tokens: list[Token], i: int) -> tuple[str, str, int] | None:
    """ "i make the deploy in the production by mistake": any act of a person,
    marked as unintended; a passive ("a file deleted by mistake") names nobody."""
    who, at = person_before(tokens, i - 1)
    if imagined(tokens, at):
        return None  # "what if I delete the data by accident"
    if {t.low for t in tokens[max(0, i - 12) : i]} & _FOUND:
        return None  # "I found the leak by accident", "things I got right, by accident"
    return _slip_of(who, i)


def _is_mine(tokens: list[Token], i: int) -> tuple[str, str, int] | None:
    """ "The deployment failure is mine", "that oversight is mine"."""
    if _denied(tokens, i - 1) or _low(tokens, i + 1) == "to":
        return None  # "the error is mine to investigate": a task, not guilt
    nouns = {t.low for t in tokens[max(0, i - 5) : i - 1]}
    return ("blameless-person", "guilt", i) if nouns & _MINE_NOUNS else None


def _all_i_had_to_do(tokens: list[Token], i: int) -> tuple[str, str, int] | None:
    """ "All I had to do was add the flag": a person's act made to look trivial."""
    if _low(tokens, i - 1) != "all" or _low(tokens, i + 1) != "had":
        return None
    if _low(tokens, i + 4) != "was":
        return None  # "All I had to do, per the runbook, was wait": the step as prescribed
    who = person_kind(tokens, i) or ("role" if tokens[i].low == "you" else "")
    return ("blameless-minimiser", "obvious", i) if who else None


def _unchecked(tokens: list[Token], i: int) -> tuple[str, str, int] | None:
    """An act done in haste ("in a hurry", "in my haste"), or without its
    check ("without testing", "rather than checking"), by a person."""
    word = tokens[i].low
    if word in _HASTE:
        # "in a hurry", "in such a rush", "my haste"; not "a rush of traffic".
        owner = _low(tokens, i - 1)
        if owner in OWNERS:
            who = OWNERS[owner]
        elif "in" in (owner, _low(tokens, i - 2), _low(tokens, i - 3)):
            who = someone_before(tokens, i)
        else:
            return None
        return ("blameless-judgement", "haste", i) if who in _PEOPLE_KINDS else None
    start = i + 1
    if word == "rather" or word == "instead":
        if _low(tokens, i + 1) not in ("than", "of"):
            return None
        start = i + 2
    k = start
    while k < len(tokens) and k - start < 3 and tokens[k].low in _FILLERS:
        k += 1
    check = _low(tokens, k)
    if word == "without" and check not in _CHECK_GERUNDS and check not in _CHECK_NOUNS:
        # Any step a person went without ("The contractor changed the rules
        # without filing a change request"), told of the writer or a role;
        # a team's or a log's is told as the plan as often as a slip.
        skipped = check.endswith("ing") and len(check) > 5 and check not in _SPARED
        who, at = person_before(tokens, i) if skipped else ("", -1)
        if who not in ("self", "role") or not acts_next(tokens, at):
            return None  # "to help them test it, without getting in touch with the code"
        return "blameless-judgement", "haste", i
    if check not in _CHECK_GERUNDS and not (word == "without" and check in _CHECK_NOUNS):
        # "I regenerated the file instead of editing it": the writer's own
        # choice of the worse act; a team's or a thing's is told as a step.
        other = word == "instead" and check.endswith("ing") and len(check) > 5
        if not other or _endorsed(tokens, i):
            return None
        return ("blameless-person", "self", i) if _writer_acts(tokens, i) else None
    # Names are left out: a capitalised word before "without" is as often a
    # product's ("Postgres restarted without checking") and cannot be told apart here.
    who = someone_before(tokens, i) or (
        _subject_after_aside(tokens, k) if word == "without" else ""
    )
    if who in ("self", "role"):
        return "blameless-judgement", "haste", i
    first = next((t for t in tokens if t.text[0].isalpha()), None)
    if not who and first is not None and first.text[0].isupper() and is_past(first.low):
        # "Deployed the change without testing": a log's subject, left out.
        return "blameless-judgement", "haste", i
    return None


# Words that tell an act as the plan, so what it was chosen over is no worse
# act: "I used the staging credentials instead of creating new ones, as planned".
_ENDORSING: Final = frozenset(["planned", "agreed", "intended", "documented", "recommended"])


def _endorsed(tokens: list[Token], i: int) -> bool:
    return any(t.low in _ENDORSING for t in tokens[i : i + 24])


_OPENS_A_CASE: Final = frozenset(["if", "when", "unless", "whenever"])


def _writer_acts(tokens: list[Token], i: int) -> bool:
    """Whether the writer is the subject of the clause before tokens[i], told
    as done (not "if I find it, fix it instead of patching")."""
    # Not `imagined`: the act chosen over is often an instruction with no
    # subject of its own ("If I find it, say so instead of patching"), whose
    # case is opened anywhere before it, even past another person ("If I
    # discover it contradicts what I said, ... instead of ...").
    if _OPENS_A_CASE & {t.low for t in tokens[max(0, i - 24) : i]}:
        return False
    return someone_before(tokens, i) == "self"


def _subject_after_aside(tokens: list[Token], k: int) -> str:
    """The person after an aside that opens its sentence ("Without asking
    anyone, I bumped the version"), or ""."""
    for m in range(k + 1, min(k + 6, len(tokens) - 1)):
        if tokens[m].low == ",":
            return person_kind(tokens, m + 1)
    return ""


def _hindsight(tokens: list[Token], i: int) -> tuple[str, str, int] | None:
    """The writer's hindsight: "What should I have done?", "If I had tested
    it", "Had we checked", "If I had to redo it, I would ..."."""
    word = tokens[i].low
    if word == "have":
        # Inverted: "should I have", "should we have"; "could I have" (the
        # writer; "what could we have done better" is a review's question).
        who = person_kind(tokens, i - 1) if i > 1 else ""
        modal = _low(tokens, i - 2)
        participle = _low(tokens, i + 1)
        if not is_past(participle):
            return None
        reader = _low(tokens, i - 1) == "you"  # "What should you have learned?"
        if modal in ("should", "shouldn't") and (who in _PEOPLE_KINDS or reader):
            return "blameless-counterfactual", "should-have", i - 2
        if modal in ("could", "would") and who == "self":
            return "blameless-counterfactual", "could-have", i - 2
        return None
    if word in ("had", "i'd", "we'd"):
        # "if I had tested", "if we had checked", "if i'd read the docs" ("I
        # had", contracted), "if I'd been less stubborn", "if we'd just
        # paused"; not "if I had more time", "if I'd been paged" (a passive).
        contracted = word != "had"
        at = i - 1 if contracted else i - 2
        who = person_kind(tokens, i) if contracted else person_kind(tokens, i - 1) if i > 0 else ""
        after = _low(tokens, i + 1)
        if contracted and after in ("just", "only", "actually"):
            after = _low(tokens, i + 2)
        if _low(tokens, at) != "if" or who not in ("self", "group") or after == "to":
            return None
        if after == "been":
            graded = _low(tokens, i + 2) in ("more", "less")
            return ("blameless-counterfactual", "if-only", at) if graded else None
        return ("blameless-counterfactual", "if-only", at) if is_past(after) else None
    if word in _FRAMES:
        if word == "looking" and _low(tokens, i + 1) != "back":
            return None
        # "In hindsight, I would have ...", "If I had to redo it, I would ..."; not
        # an opinion given in hindsight ("in hindsight, I would say ...").
        for k in range(i + 1, min(i + _FRAME_TOKENS, len(tokens) - 2)):
            low = tokens[k].low
            writer_would = low == "i'd" or (low == "i" and tokens[k + 1].low in _MODALS)
            verb = _low(tokens, k + 1 if low == "i'd" else k + 2)
            if writer_would and verb not in _OPINIONS:
                return "blameless-counterfactual", "could-have", k
        return None
    return None


_NOT_SPACE: Final = re.compile(r"\S")
_FILERS: Final = frozenset(["i", "my", "i've", "i'd"])


def _filed_as_slip(sentences: Sentences, tokens: list[Token], i: int) -> Token | None:
    """The subject, or the verb, of the writer's act filed under a slip by a
    label that starts its sentence ("Mistake: I merged without review",
    "Error: my script ran twice", "Mistakes: pushed to main"). A log's
    "Error: received 500" has no writer, so under "error" only the writer's
    own word counts."""
    if i + 2 != len(tokens) or tokens[i + 1].low != ":":
        return None
    if any(t.text[0].isalpha() for t in tokens[:i]):
        return None
    nxt = _NOT_SPACE.search(sentences.text, tokens[i + 1].start + 1)
    if nxt is None or sentences.text.find("\n", tokens[i + 1].start, nxt.start()) >= 0:
        return None  # a heading's label, its items on the lines below
    k, after = sentences.around(nxt.start())
    if k != 0 or len(after) < 3:
        return None
    if after[0].low in _FILERS and after[1].text[0].isalpha():
        return after[0]  # not "I/O"
    # A past tense with no subject under "mistake": the writer's, as a log of one's acts reads.
    first = after[0]
    if tokens[i].low.startswith("mistake") and first.text.isalpha() and is_past(first.low):
        return first if after[1].low != "by" else None
    return None


def verdict_blames(tokens: list[Token], i: int) -> tuple[str, str, int] | None:
    """(rule, kind, index of the word to point at) when the word at tokens[i]
    passes a verdict on a person, else None."""
    word = tokens[i].low
    # A choice, a skill or teamwork judged falls through to the shapes of
    # the same words ("my mistake", "a bad call" after its person) when it does not hold.
    if word in CHOICE_WORDS and (found := choice_verdict(tokens, i)):
        return found
    if word in HINDSIGHT_WORDS and (found := hindsight_verdict(tokens, i)):
        return found
    # Verdicts on a trait or on owned work fall through to the other shapes
    # when they do not hold: "lazy" and "idea" have other readings here too.
    if (
        word in TRAITS
        or word in ENGAGED
        or _low(tokens, i - 1) in ("too", "overly")
        or (word in JUDGING and _low(tokens, i + 1) == "at")
    ):
        found = trait_verdict(tokens, i, word)
        if found:
            return found
    if word in WORKS and (found := work_verdict(tokens, i)):
        return found
    if word == "job":
        return poor_job(tokens, i)
    if word in ("deadline", "deadlines"):
        return deadlines_kept(tokens, i)
    if word == "lack":
        return owned_lack(tokens, i)
    if word in ("mistake", "accident") and _low(tokens, i - 1) == "by":
        return _by_mistake(tokens, i)
    if word in _MADE_BY and _low(tokens, i + 1) == "by":
        return _made_by(tokens, i)
    if word in _GUILT_NOUNS or (word in _OWNED_BEFORE and _low(tokens, i - 1) == "my"):
        return _owned_guilt(tokens, i)
    if word == "blame":
        return _blame_on_me(tokens, i)
    if word == "part":
        return _on_my_part(tokens, i)
    if word == "responsible":
        return _responsible(tokens, i)
    if word == "attention":
        return _inattentive(tokens, i)
    if word in _INSULTS:
        return _called(tokens, i)
    if word in ("culpa", "responsibility", "own") or (
        word == "me" and _low(tokens, i - 1) in ("on", "was")
    ):
        return _owned_failure(tokens, i)
    if word in ("me", "us"):
        return _of_me(tokens, i)
    if word in _CHOICES:
        return _judged_choice(tokens, i) or judged_act(tokens, i)
    if word == "cost":
        return _costly_choice(tokens, i)
    if word == "thinking":
        return _false_belief(tokens, i)
    if word == "wrong":
        return _got_wrong(tokens, i)
    if word == "mine" and _low(tokens, i - 1) == "is":
        return _is_mine(tokens, i)
    if word in ("i", "he", "she", "they", "you") and _low(tokens, i - 1) == "all":
        return _all_i_had_to_do(tokens, i)
    if word in _HASTE or word in ("without", "rather", "instead"):
        return _unchecked(tokens, i)
    return _hindsight(tokens, i)


def verdict_hits(
    folded: str, words: set[str], sentences: Sentences
) -> list[tuple[int, int, str, str]]:
    """(start, end, rule, kind) of the first verdict of each sentence of the
    text whose folded form is `folded` (`words`: its words)."""
    keys = _KEYS & words
    if not keys:
        return []  # most texts, and most front-matter values, have none of the words
    shapes = {id(s): s for w in keys for s in _BY_WORD[w]}.values()
    places = sorted(
        m.start("at")
        for gates, shape, owned in shapes
        if all(not gate.isdisjoint(words) for gate in gates[1:])
        for m in shape.finditer(folded)
        # A guilt noun needs its owner before it: "my own mistake", not "a mistake".
        if not owned or _OWNED.search(folded, max(0, m.start() - _OWNER_CHARS), m.start())
    )
    hits, seen = [], set()
    for at in places:
        i, tokens = sentences.around(at)
        if not tokens or tokens[i].start != at or tokens[0].start in seen:
            continue
        verdict = verdict_blames(tokens, i)
        if verdict is not None:
            seen.add(tokens[0].start)
            rule, kind, k = verdict
            hits.append((tokens[k].start, tokens[k].start + len(tokens[k].text), rule, kind))
        elif tokens[i].low in _LABELS and (filed := _filed_as_slip(sentences, tokens, i)):
            seen.add(tokens[0].start)
            kind = "self" if filed.low in _FILERS else "elided"
            hits.append((filed.start, filed.start + len(filed.text), "blameless-person", kind))
    return hits
