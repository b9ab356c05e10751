"""Layered analysis: was every layer examined, is every factor layer
addressed, do the fixes change the system? And, across the library, did the
fixes hold (recurrences)?

The per-file rules read the front matter as written (so they point at the
line to edit) and never raise on a malformed value: the schema reports that.
Matching of action-item titles is by word, in time linear in the title.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left, insort
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any, Final

from ..dates import day_of
from ..model import Finding, JsonPath, Postmortem
from ..parse.frontmatter import Document
from ..parse.taxonomy import Taxonomy
from ..rules import RULES
from ..schema_messages import shown

_WORD: Final = re.compile(r"[a-z0-9]+")

# What each kind of "try harder" asks of people, as the message says it.
REMIND, RETRAIN, CAREFUL, BY_HAND, REPRIMAND = (
    "be reminded",
    "be trained",
    "take more care",
    "check by hand",
    "be reprimanded",
)

# Phrases that ask people to try harder, by kind. Written as words: the
# title is split the same way, so "double-check" and "double check" match.
TRY_HARDER: Final[dict[str, tuple[str, ...]]] = {
    REMIND: (
        "remind",
        "reminds",
        "reminded",
        "reminding",
        "reminder",
        "reminders",
        "remember to",
        "do not forget",
        "don t forget",
        "not to forget",
        "raise awareness",
    ),
    RETRAIN: (
        "retrain",
        "retrains",
        "retrained",
        "retraining",
        "re train",
        "re training",
        "train",
        "trains",
        "training",
        "educate",
        "re educate",
        "educating",
        "refresher",
    ),
    CAREFUL: (
        "be careful",
        "be more careful",
        "more careful",
        "more carefully",
        "take care",
        "take more care",
        "extra care",
        "pay attention",
        "pay more attention",
        "pay closer attention",
        "more attention",
        "be vigilant",
        "more vigilant",
        "stay vigilant",
        "remain vigilant",
        "be more thorough",
        "more thorough",
        "more diligent",
        "be diligent",
        "try harder",
        "be more attentive",
    ),
    BY_HAND: (
        "double check",
        "double checks",
        "double checked",
        "double checking",
        "by hand",
        "manually check",
        "manually verify",
        "manually review",
        "manually double",
        "manually confirm",
    ),
    REPRIMAND: (
        "reprimand",
        "reprimands",
        "reprimanded",
        "discipline",
        "disciplinary",
        "disciplined",
        "written warning",
        "hold accountable",
        "held accountable",
        "hold them accountable",
        "hold staff accountable",
        "hold engineers accountable",
    ),
}

# Words that show the item changes the system. One of them anywhere in the
# title and the item is left alone: "automated reminder", "an alert that
# reminds", "add a check that ...", "block the deploy unless ...".
SYSTEM_CHANGE: Final = (
    "automate",
    "automated",
    "automates",
    "automatic",
    "automatically",
    "alert",
    "alerts",
    "alerting",
    "paging",
    "block",
    "blocks",
    "blocking",
    "guard",
    "guards",
    "guardrail",
    "guardrails",
    "gate",
    "gates",
    "gated",
    "gating",
    "pipeline",
    "ci",
    "lint",
    "linter",
    "default",
    "defaults",
    "dashboard",
    "dashboards",
    "filters",
    "monitor",
    "monitors",
    "monitoring",
    "classifier",
    "filter",
    "validation",
    "enforce",
    "enforced",
    "enforces",
    "confirmation",
    "permission",
    "permissions",
    "sandbox",
    "allowlist",
    "allow list",
    "denylist",
    "blocklist",
    "rollback",
    "canary",
    "feature flag",
    "kill switch",
    "rate limit",
    "scheduled",
    "scheduler",
    "bot",
    "tooling",
    "script",
    "test suite",
    "regression suite",
    "checklist",
    "pre commit",
    "hook",
    "add a check",
    "add check",
    "adds a check",
    "automated check",
    "check in ci",
)

# "Training" is a change to the system when what is trained is the system:
# "retrain the model", "training data", "model retraining".
_TRAINED_SYSTEM: Final = frozenset(
    (
        "model",
        "models",
        "classifier",
        "classifiers",
        "ranker",
        "detector",
        "filter",
        "network",
        "embedding",
        "embeddings",
        "weights",
        "data",
        "dataset",
        "datasets",
        "corpus",
        "pipeline",
        "set",
        "sets",
        "run",
        "runs",
        "job",
        "jobs",
        "split",
        "labels",
        "examples",
        "checkpoint",
        "llm",
        "agent",
        "input",
        "inputs",
        "prompts",
        "conversations",
        "logs",
        "feedback",
    )
)
_TRAINED_BEFORE: Final = frozenset(("model", "adversarial", "safety", "fine", "pre", "rlhf"))
# How far after "retrain" the trained thing is looked for ("retrain the
# ranking model": three words).
_TRAINED_WINDOW: Final = 4


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


class PhraseIndex:
    """Phrases (sequences of words), each looked up by its first word, so
    that matching at one place of a text costs the same however long the
    text is."""

    def __init__(self, phrases: Iterable[tuple[str, str]]) -> None:
        self._by_first: dict[str, list[tuple[list[str], str]]] = defaultdict(list)
        for phrase, label in phrases:
            words = _words(phrase)
            self._by_first[words[0]].append((words, label))
        for entries in self._by_first.values():
            entries.sort(key=lambda e: -len(e[0]))
        self.longest = max(len(w) for entries in self._by_first.values() for w, _ in entries)

    def match(self, ahead: Sequence[str]) -> tuple[list[str], str] | None:
        """The longest phrase that `ahead` (a word and those after it) starts with."""
        for phrase, label in self._by_first.get(ahead[0], ()):
            if ahead[: len(phrase)] == phrase:
                return phrase, label
        return None


_TRY_HARDER_INDEX: Final = PhraseIndex(
    (phrase, kind) for kind, phrases in TRY_HARDER.items() for phrase in phrases
)
_SYSTEM_INDEX: Final = PhraseIndex((phrase, "system") for phrase in SYSTEM_CHANGE)
# Words each place needs to see after it: the longest phrase, then what a
# "retrain" is followed by.
_AHEAD: Final = max(_SYSTEM_INDEX.longest, _TRY_HARDER_INDEX.longest + _TRAINED_WINDOW)


def _places(text: str, ahead: int) -> Iterator[tuple[str, list[str]]]:
    """For each word of `text`: the word before it and a list of it and up to
    `ahead` words after it. Read as a stream through a window of fixed size,
    so the memory in use, and the cost of each word, do not grow with the text."""
    window: deque[str] = deque()
    before = ""
    for m in _WORD.finditer(text.casefold()):
        window.append(m.group())
        if len(window) > ahead:
            yield before, list(window)
            before = window.popleft()
    while window:
        yield before, list(window)
        before = window.popleft()


def try_harder(title: str) -> tuple[str, str] | None:
    """(kind, phrase as matched) when an action item only asks people to try
    harder; None when it does not, or when it also changes the system."""
    found: tuple[str, str] | None = None
    for before, ahead in _places(title, _AHEAD):
        if _SYSTEM_INDEX.match(ahead) is not None:
            return None
        if found is not None:
            continue
        hit = _TRY_HARDER_INDEX.match(ahead)
        if hit is None:
            continue
        phrase, kind = hit
        if kind == RETRAIN and _trains_the_system(before, ahead[len(phrase) :]):
            continue
        found = kind, " ".join(phrase)
    return found


def _trains_the_system(before: str, after: Sequence[str]) -> bool:
    return before in _TRAINED_BEFORE or any(w in _TRAINED_SYSTEM for w in after[:_TRAINED_WINDOW])


SYSTEMIC_ALTERNATIVES: Final = (
    "a guard that blocks the unsafe action, a check in the pipeline, a safer default, "
    "or an alert when it happens"
)


def _position(doc: Document, where: JsonPath, value: bool = False) -> tuple[int, int]:
    yd = doc.yaml
    pos = (yd.values.get(where) if value else None) or yd.position(where)
    return pos.line, pos.column


def _layer_entries(data: dict[str, Any], key: str) -> list[tuple[int, str]]:
    entries = data.get(key)
    if not isinstance(entries, list):
        return []
    return [
        (i, e["layer"])
        for i, e in enumerate(entries)
        if isinstance(e, dict) and isinstance(e.get("layer"), str)
    ]


def _ruled_out_example(layers: Sequence[str], has_key: bool) -> str:
    entries = ", ".join(
        f'{{layer: {layer}, reason: "what was examined and why it did not contribute"}}'
        for layer in layers
    )
    if has_key:
        return f"add to ruled_out: {entries}"
    return f"write ruled_out: [{entries}]"


def review_layers(doc: Document, data: dict[str, Any], taxonomy: Taxonomy | None) -> list[Finding]:
    """The layered-analysis rules of one postmortem's front matter."""
    findings: list[Finding] = []

    def flag(rule: str, where: JsonPath, message: str, value: bool = False) -> None:
        line, column = _position(doc, where, value)
        findings.append(RULES[rule].finding(doc.path, line, column, message))

    factors = _layer_entries(data, "factors")
    ruled_out = _layer_entries(data, "ruled_out")
    items = _layer_entries(data, "action_items")
    not_examined = _layer_entries(data, "not_examined")
    factor_layers = dict.fromkeys(layer for _, layer in factors)
    ruled_out_layers = dict.fromkeys(layer for _, layer in ruled_out)
    for i, layer in not_examined:
        if layer in factor_layers or layer in ruled_out_layers:
            where_else = "carries a factor" if layer in factor_layers else "is ruled out"
            flag(
                "not-examined-conflict",
                ("not_examined", i, "layer"),
                f"layer '{layer}' is not_examined but {where_else}; a layer that was examined "
                "belongs in one place only: remove this not_examined entry",
                value=True,
            )
    for i, layer in ruled_out:
        if layer in factor_layers:
            flag(
                "ruled-out-conflict",
                ("ruled_out", i, "layer"),
                f"layer '{layer}' is ruled out but carries a factor; remove this ruled_out "
                "entry, or the factor if the layer did not contribute",
                value=True,
            )
    if data.get("status") == "final" and taxonomy is not None:
        # A layer that could not be examined is accounted for: the page says
        # so, and a warning would only push authors to pretend.
        seen = set(factor_layers) | set(ruled_out_layers) | {layer for _, layer in not_examined}
        missing = [layer.id for layer in taxonomy.layers if layer.id not in seen]
        if missing:
            has_key = isinstance(data.get("ruled_out"), list)
            where: JsonPath = ("ruled_out",) if has_key else ("factors",)
            flag(
                "layer-not-considered",
                where,
                f"layer{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                f"{'have' if len(missing) > 1 else 'has'} neither a factor nor a ruled_out "
                "entry; examine each and name a factor (or, where it could not be examined, "
                "a not_examined entry saying why), or " + _ruled_out_example(missing, has_key),
            )
    # A case study's fixes are the other organisation's to make: what it
    # lists is what was reported, not a plan this library owes.
    addressed = {layer for _, layer in items}
    if data.get("origin") == "external":
        addressed |= set(factor_layers)
    first_of: dict[str, int] = {}
    for i, layer in factors:
        first_of.setdefault(layer, i)
    for layer, first in first_of.items():
        # An unknown layer is already an error; no advice on top of it.
        if layer in addressed or (taxonomy is not None and taxonomy.layer(layer) is None):
            continue
        flag(
            "unaddressed-layer",
            ("factors", first, "layer"),
            f"layer '{layer}' carries factors but no action item of layer '{layer}'; add "
            f"one (prevent, detect or mitigate) with layer: {layer}",
            value=True,
        )
    raw_items = data.get("action_items")
    for i, item in enumerate(raw_items if isinstance(raw_items, list) else ()):
        title = item.get("title") if isinstance(item, dict) else None
        if not isinstance(title, str):
            continue
        hit = try_harder(title)
        if hit is None:
            continue
        kind, phrase = hit
        flag(
            "systemic-fix",
            ("action_items", i, "title"),
            f"action item {shown(title)} asks people to {kind} ('{phrase}') and changes nothing "
            f"in the system; propose the change that would make it hold: {SYSTEMIC_ALTERNATIVES}",
            value=True,
        )
    return findings


# --- across the library ------------------------------------------------------------


@dataclass(frozen=True)
class Recurrence:
    """`later` began after `earlier`, an incident of the same category, had a
    prevent item done (on `fixed`)."""

    later: Postmortem
    earlier: Postmortem
    fixed: dt.date


def prevented_on(pm: Postmortem) -> dt.date | None:
    """The first day a `prevent` item of `pm` was done (closed, else due):
    from then on, the category should not have come back."""
    days = [d for item in pm.action_items if item.type == "prevent" and (d := item.done_by)]
    return min(days, default=None)


def recurrences(incidents: Iterable[Postmortem], category: str) -> list[Recurrence]:
    """Incidents of `category` that began after an earlier incident of it had
    a prevent item done, newest first. Each is linked to the incident whose
    fix was done last before it began: the nearest fix that did not hold.
    Only `incidents` are looked at: the caller passes what may be shown."""
    chosen = sorted(
        (p for p in incidents if category in p.categories), key=lambda p: (day_of(p.date), p.id)
    )
    found: list[Recurrence] = []
    # Fixes of incidents that began on an earlier day, in the order they were done.
    fixes: list[tuple[dt.date, dt.date, str]] = []
    by_id: dict[str, Postmortem] = {}
    for began, same_day in groupby(chosen, key=lambda p: day_of(p.date)):
        group = list(same_day)
        at = bisect_left(fixes, (began,))
        if at:
            fixed, _, pm_id = fixes[at - 1]
            found += [Recurrence(pm, by_id[pm_id], fixed) for pm in group]
        for pm in group:
            done = prevented_on(pm)
            if done is not None:
                by_id[pm.id] = pm
                insort(fixes, (done, began, pm.id))
    found.reverse()
    return found
