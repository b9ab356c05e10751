"""Hindsight about people's own acts, for the blameless review.

The context check of `should have` / `could have` (blameless_context) reads
the word right after the phrase and a person right before it. Write-ups of
a team's or a writer's own work put hindsight in shapes that check passes
by:

- an adverb between the modal and the act: "we should have actually
  weighed", "we should have first communicated", "I should have probably
  spent";
- the subject left out, as lists of lessons and slips do: "Should have
  tested the production workflow", "Could've focused on a prototype",
  "should have been meeting regularly";
- a team's own "could have" with any act of its own: "we could have set up
  the repository before the jam", "we could have just had them snap";
- the writer or the team graded against what they were: "I would have been
  more thorough", "I could have been kinder";
- a wish about one's own past act: "I wish I had spent more time", "I wish
  we realised this sooner", "things I wish I did differently".

Each is read for who did the act (the writer, the team, or nobody written,
which in a list of one's own lessons is the writer) and for whether the
word after the modal is an act people do, not a harm spared ("Could have
lost 3 days of work"), a machine's duty ("Should have detected memory >
8GB"), a passive ("Could have been fixed with more time") or a feeling
("the best thing we could have hoped for").
"""

from __future__ import annotations

from typing import Final

from .blameless_clause import person_kind
from .blameless_context import END, SP, Token, either, first_word, is_past, supposed, word_at
from .blameless_context import low_at as _low
from .blameless_traits import on_someone

# Adverbs that sit between the modal's "have" and the act without changing
# whose act it is: "should have actually weighed", "could have just had".
_BETWEEN: Final = frozenset(
    """just first actually probably also definitely really simply basically maybe
    certainly instead all easily very""".split()  # noqa: SIM905
)
_BETWEEN_TOKENS: Final = 3
# What a modal perfect says of a harm spared, a result or a feeling: no act
# of anyone's to have done otherwise ("Could have lost 3 days of work").
_NOT_ACTS: Final = frozenset(
    """lost caused cost broken destroyed corrupted killed happened gone ended resulted
    led liked loved preferred hoped wanted expected thought guessed imagined assumed
    said""".split()  # noqa: SIM905
)
# Acts a watchdog or a pipeline is there to do: "Should have detected memory
# > 8GB per worker", "Should have restarted workers every 60min" list what a
# system lacked, not what its people failed at.
_MACHINE_ACTS: Final = frozenset(
    """detected restarted triggered alerted retried logged rejected blocked returned
    thrown raised fired crashed timed""".split()  # noqa: SIM905
)
_ASKED: Final = frozenset(["what", "how", "why", "where", "without"])
_GRADED: Final = frozenset(["more", "less"])
_HINDSIGHT_MODALS: Final = frozenset(
    ["should", "could", "would", "should've", "could've", "would've"]
)


def _act_after(tokens: list[Token], k: int) -> tuple[int, str]:
    """The index and word of the act at or after tokens[k], past adverbs."""
    for m in range(k, min(k + _BETWEEN_TOKENS + 1, len(tokens))):
        low = word_at(tokens, m)
        if low not in _BETWEEN and not (low.endswith("ly") and len(low) > 4):
            return m, low
    return k, ""


def _doer(tokens: list[Token], i: int, text: str) -> str:
    """Who does the modal's act at tokens[i]: a kind of person, "elided" when
    its line opens with the modal, else ""."""
    j = i - 1
    while j >= 0 and (tokens[j].low in _BETWEEN or tokens[j].low.endswith("ly")):
        j -= 1
    if j < 0 or all(not t.text[0].isalnum() for t in tokens[: j + 1]):
        # After a label on its line the label says whose duty it was:
        # "Pre-commit hooks failed: Should have caught hardcoded secrets".
        at = tokens[0].start
        line = text[text.rfind("\n", 0, at) + 1 : at]
        return "" if any(c.isalnum() for c in line) else "elided"
    # A name is left to the context check and the name rule: "Postgres should
    # have released the lock" is a product's as often as "Tom should have read".
    who = person_kind(tokens, j)
    return "" if who == "name" else who


def _people_act(low: str) -> bool:
    # Past forms only: "should have write it down" is too loose to tell
    # from a need ("should have a backup").
    return is_past(low) and low not in _NOT_ACTS and low not in _MACHINE_ACTS


def hindsight_blames(tokens: list[Token], i: int, phrase: str, text: str) -> str | None:
    """The kind of hindsight at tokens[i] (starting `phrase`, a modal
    perfect, in `text`) that the context check left alone, or None."""
    words = phrase.replace("\u2019", "'").split()
    if words[0] not in _HINDSIGHT_MODALS or "not" in words or "n't" in phrase:
        return None
    if supposed(tokens, i) or any(t.low in _ASKED for t in tokens[max(0, i - 8) : i]):
        # A case, a hypothesis, a review's question, or what a missing thing
        # would have cost ("without paging we could've noticed it later").
        return None
    doer = _doer(tokens, i, text)
    if not doer:
        return None
    kind = "should-have" if words[0].startswith("should") else "could-have"
    k, act = _act_after(tokens, i + len(words))
    if act == "been":
        after = _low(tokens, k + 1)
        if doer in ("self", "group") and (after in _GRADED or after == "aware"):
            return kind  # "I would have been more thorough", "we could have been aware"
        if doer == "elided" and after.endswith("ing") and kind == "should-have":
            return kind  # "should have been meeting regularly"
        return None
    if not _people_act(act):
        return None  # "Should have: a restore test" heads a list of requirements
    if doer == "elided" or kind == "should-have":
        return kind
    # A team's "could have" with any act of its own; "would" tells what would
    # have followed ("we would have found it"), and the writer's "could" an
    # option weighed ("I could have downloaded a dump").
    return kind if doer == "group" and words[0].startswith("could") else None


# "I wish I had spent", "I wish we realised", "things I wish I did".
_WISHERS: Final = frozenset(["i", "we"])
# Past forms that tell a state wished for, not an act: "I wish I knew",
# "wish we had more experience".
_STATES: Final = frozenset(["knew", "was", "were", "could", "had", "did", "would"])
_WISHES: Final = frozenset(["wish", "wished"])
# A harm judged as one that people could have spared: "This incident was
# completely preventable", "had completely avoidable issues"; not a kind of
# thing ("preventable misdiagnosis"), which needs the copula or the grade.
_SPARABLE: Final = frozenset(["preventable", "avoidable"])
_WHOLLY: Final = frozenset(["completely", "entirely", "totally", "easily", "fully"])
_COPULAS: Final = frozenset(["was", "were", "is", "are", "been"])
# A question the writer asks of their own or their team's act that holds its
# verdict: "Did we totally underestimate the work?", "Did we spend our
# resources in entirely the wrong areas?"; not "Did I miss anything?".
_MISJUDGING: Final = frozenset(
    """underestimate overestimate misjudge misread overlook ignore neglect
    overcomplicate overengineer overbuild""".split()  # noqa: SIM905
)
# A team's or the writer's practice denied its due measure: "we were not
# monitoring closely enough", "we were not saying no often enough".
_MEASURES: Final = frozenset(
    """often closely carefully thoroughly frequently seriously early""".split()  # noqa: SIM905
)
_DENIALS: Final = frozenset(["not", "never", "didn't", "wasn't", "weren't", "n't"])
_MEASURE_TOKENS: Final = 12
_AUXILIARIES: Final = _COPULAS | {"did", "do", "does"}
_CLAUSE_STOPS: Final = frozenset([",", ";", "because", "but", "so", "although", "while"])
HINDSIGHT_WORDS: Final = _WISHES | _SPARABLE | {"did", "enough"}
HINDSIGHT_SHAPES: Final = (
    *((({w}, _WISHERS), first_word(w) + SP + "(?:i|we)" + END, False) for w in sorted(_WISHES)),
    *((({w}, _COPULAS | _WHOLLY), first_word(w) + END, False) for w in sorted(_SPARABLE)),
    (({"did"}, _MISJUDGING | {"wrong"}), first_word("did") + SP + "(?:i|we)" + END, False),
    (
        ({"enough"}, _MEASURES, _DENIALS),
        rf"(?:{either(_MEASURES)}){SP}(?P<at>enough)(?<![\w'-]enough){END}",
        False,
    ),
)


def _wished(tokens: list[Token], i: int) -> tuple[str, str, int] | None:
    """A wish about the wisher's own past act."""
    who = _low(tokens, i + 1)
    if who not in _WISHERS:
        return None
    k = i + 2
    verb = _low(tokens, k)
    if verb in ("had", "would") and _low(tokens, k + 1) in ("have", "had"):
        k += 1  # "I wish I would have traded", "had had"
    if verb in ("had", "would"):
        k, act = _act_after(tokens, k + 1)
        done = act not in _STATES and _people_act(act)
    else:
        # "I wish I did differently", "I wish we realised this sooner".
        done = verb == "did" and _low(tokens, k + 1) == "differently"
        done = done or (verb not in _STATES and _people_act(verb))
    return ("blameless-counterfactual", "if-only", i) if done else None


def _spared(tokens: list[Token], i: int) -> tuple[str, str, int] | None:
    """A harm judged one people could have spared."""
    before = [t.low for t in tokens[max(0, i - 3) : i]]
    if not before or before[-1] in ("not", "never") or tokens[-1].text == "?":
        return None
    graded = before[-1] in _WHOLLY
    said = before[-2 if graded and len(before) > 1 else -1] in _COPULAS
    return ("blameless-counterfactual", "could-have", i) if graded or said else None


def _doubted(tokens: list[Token], i: int) -> tuple[str, str, int] | None:
    """The writer's or a team's act questioned with its verdict in it."""
    if i != 0 or tokens[-1].text != "?":
        return None
    k, act = _act_after(tokens, 2)
    wrong = any(t.low == "wrong" for t in tokens[k:])
    if act not in _MISJUDGING and not wrong:
        return None
    who = "self" if tokens[1].low == "i" else "group"
    return on_someone(who, i)


def _short_measure(tokens: list[Token], i: int) -> tuple[str, str, int] | None:
    """A practice of the writer's or the team's denied its measure."""
    for k in range(i - 2, max(i - _MEASURE_TOKENS, 0), -1):
        low = tokens[k].low
        if low in _CLAUSE_STOPS:
            return None
        if low in _DENIALS or low.endswith("n't"):
            m = k - 1
            while m >= 0 and tokens[m].low in _AUXILIARIES:
                m -= 1
            who = person_kind(tokens, m) if m >= 0 else ""
            return on_someone(who, k) if who in ("self", "group") else None
    return None


def hindsight_verdict(tokens: list[Token], i: int) -> tuple[str, str, int] | None:
    """(rule, kind, index) when the word at tokens[i] passes hindsight on a
    person's own act or practice, else None."""
    word = tokens[i].low
    if word in _WISHES:
        return _wished(tokens, i)
    if word in _SPARABLE:
        return _spared(tokens, i)
    if word == "did":
        return _doubted(tokens, i)
    return _short_measure(tokens, i)
