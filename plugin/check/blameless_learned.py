"""The learned part of the blameless review: verbs that make a person's act a slip.

The hand-written predicates (blameless_clause.py) name the usual slips. Labelled
sentences of real postmortems add the verbs that writers use for slips in
their own words: a verb is learned when, right after a person as subject, it
comes in at least `MIN_BLAMING` blaming sentences and in no sentence labelled
as not blaming. Two were too few: on the labels of issue 25, verbs seen after
a person in two blaming sentences ("done", "gave", "switched") were chance,
and half the sentences they flagged on held-out sources did not blame.
`scripts/eval_blameless.py` learns them offline, once per held-out source for
its figures and once from every label for the list that ships
(`blameless_slips.py`), so the review needs no model at run time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Final

from .blameless_clause import SKIP, TRIGGERS, person_kind
from .blameless_context import Sentences, Token, is_past
from .blameless_slips import LEARNED_SLIPS

MIN_BLAMING: Final = 3
SLIPS: Final = frozenset(LEARNED_SLIPS)


def _verbs_after_people(sentence: str) -> Iterator[str]:
    """The word after each person that is the subject of a sentence's clause."""
    text = " ".join(sentence.split())
    _, tokens = Sentences(text).around(0) if text else (0, [])
    for j, tok in enumerate(tokens):
        if not person_kind(tokens, j) or tok.text == "@":
            continue
        k = j + 1
        while k < len(tokens) and (tokens[k].low in SKIP or tokens[k].low.endswith("ly")):
            k += 1
        if k < len(tokens) and _verb_shaped(tokens[k]):
            yield tokens[k].low


def _verb_shaped(tok: Token) -> bool:
    """A past-tense verb, as a slip is told ("deleted", "took"), not a noun ("human error")."""
    return tok.text.isalpha() and tok.text.islower() and is_past(tok.low)


def learn_slips(labelled: Iterable[tuple[str, bool]]) -> frozenset[str]:
    """Slip verbs learned from (sentence, blames) pairs."""
    blaming: Counter[str] = Counter()
    clean: set[str] = set()
    for sentence, blames in labelled:
        verbs = set(_verbs_after_people(sentence))
        if blames:
            blaming.update(verbs)
        else:
            clean |= verbs
    return frozenset(
        v for v, n in blaming.items() if n >= MIN_BLAMING and v not in clean and v not in TRIGGERS
    )
