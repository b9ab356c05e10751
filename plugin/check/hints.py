"""Related-incident hints: earlier incidents a postmortem may want to link.

A postmortem is pointed at earlier incidents that share one of its systems
*and* one of its factor categories (the same kind of failure on the same
system), or two of its distinctive categories, and that neither it nor they
list as related. A category is distinctive while at most a fifth of the
library carries it: in a library where most incidents have an evaluation
gap, sharing one says nothing, and a hint on nearly every file is noise
that teaches people to ignore hints. Only the newer of two incidents gets the hint: links are
written from the new postmortem to the old, and the site shows backlinks.

The work stays near-linear in the size of the library: incidents are
indexed by system and by pair of categories, each index is walked from the
newest earlier incident backwards, and the walk stops at `limit` candidates.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Final

from ..dates import by_date_as_written
from ..model import Finding, Postmortem
from ..rules import RULES

LIMIT: Final = 5
# In a small library any category is rare; up to this many carriers it still counts.
MIN_COMMON: Final = 3
# Pairs grow with the square of a postmortem's categories; past this many
# categories (a hostile or unusual file) only the first ones are indexed.
MAX_CATEGORIES: Final = 12


def _keys(pm: Postmortem, distinctive: frozenset[str]) -> Iterator[object]:
    """What an incident is indexed by: (system, category) pairs and pairs
    of distinctive categories."""
    categories = sorted(set(pm.categories[:MAX_CATEGORIES]))
    for system in dict.fromkeys(pm.systems):
        for category in categories:
            yield system, "", category
    yield from combinations([c for c in categories if c in distinctive], 2)


def _distinctive(postmortems: Sequence[Postmortem]) -> frozenset[str]:
    counts: dict[str, int] = defaultdict(int)
    for pm in postmortems:
        for category in set(pm.categories):
            counts[category] += 1
    most = max(MIN_COMMON, len(postmortems) // 5)
    return frozenset(c for c, n in counts.items() if n <= most)


@dataclass(frozen=True)
class _Candidate:
    pm: Postmortem
    systems: tuple[str, ...]
    categories: tuple[str, ...]

    def describe(self) -> str:
        shared = []
        if self.systems:
            noun = "system" if len(self.systems) == 1 else "systems"
            shared.append(f"{noun} {', '.join(self.systems)}")
        if len(self.categories) >= 2:
            shared.append(f"categories {', '.join(self.categories)}")
        return f"{self.pm.id} ({'; '.join(shared)})"


def related_hints(postmortems: Sequence[Postmortem], limit: int = LIMIT) -> list[Finding]:
    """One `related-hint` warning per postmortem that has unlinked earlier
    incidents in common with it. Restricted postmortems neither get nor give hints."""
    ordered = sorted((p for p in postmortems if not p.is_restricted), key=by_date_as_written)
    related = [frozenset(p.related) for p in ordered]
    distinctive = _distinctive(ordered)
    keys = [tuple(dict.fromkeys(_keys(pm, distinctive))) for pm in ordered]
    index: dict[object, list[int]] = defaultdict(list)
    for i, pm_keys in enumerate(keys):
        for key in pm_keys:
            index[key].append(i)
    findings = []
    for i, pm in enumerate(ordered):
        found: dict[int, None] = {}
        more = False
        for key in keys[i]:
            earlier = index[key]
            taken = 0
            for j in range(bisect_left(earlier, i) - 1, -1, -1):
                other = ordered[earlier[j]]
                if other.id == pm.id or other.id in related[i] or pm.id in related[earlier[j]]:
                    continue
                if taken == limit:
                    more = True
                    break
                found[earlier[j]] = None
                taken += 1
        if found:
            findings.append(_finding(pm, [ordered[j] for j in found], limit, more))
    return findings


def _finding(pm: Postmortem, others: list[Postmortem], limit: int, more: bool) -> Finding:
    systems = set(pm.systems)
    categories = set(pm.categories)
    candidates = [
        _Candidate(
            o,
            tuple(s for s in o.systems if s in systems),
            tuple(c for c in o.categories if c in categories),
        )
        for o in others
    ]
    # Shared systems first, then the most in common, then the most recent.
    candidates.sort(key=lambda c: by_date_as_written(c.pm), reverse=True)
    candidates.sort(key=lambda c: (not c.systems, -(len(c.systems) + len(c.categories))))
    shown = candidates[:limit]
    rest = " and more" if more or len(candidates) > limit else ""
    where = pm.positions.get(("related",)) or pm.positions.get(("id",))
    line, column = (where.line, where.column) if where else (1, 1)
    rule = RULES["related-hint"]
    return rule.finding(
        pm.src_path,
        line,
        column,
        f"earlier incidents with something in common are not in 'related': "
        f"{', '.join(c.describe() for c in shown)}{rest}; {rule.advice} "
        "(a hint: switch hints off with the plugin option related_hints: false "
        "or lint --no-hints)",
    )
