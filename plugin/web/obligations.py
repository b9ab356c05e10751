"""The reporting clocks of a whole library, for `postmortems reporting` and
the site's `reporting/` page.

`postmortems reporting` prints to a terminal and publishes nothing, so it
sees every postmortem, restricted and broken ones too: a clock must not stop
because of a typo elsewhere in the file. The site sees only what it publishes.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..check.library import Library
from ..check.reporting import STATES, StageStatus, ordered, read_reporting, statuses
from ..dates import iso_written, parse_date
from ..model import Postmortem


@dataclass(frozen=True)
class Problem:
    """A postmortem whose clocks cannot be computed, and why."""

    path: str
    message: str


@dataclass
class Clocks:
    rows: list[StageStatus] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def overdue(self) -> int:
        return sum(1 for r in self.rows if r.state == "overdue")


def library_clocks(library: Library, now: dt.datetime) -> Clocks:
    """Every stage of every obligation in the library, as of `now`, overdue first."""
    clocks = Clocks()
    regimes = library.regimes
    for checked in library.documents.values():
        data = checked.document.data
        if not checked.is_postmortem or not isinstance(data, dict) or "reporting" not in data:
            continue
        path = checked.document.path
        if regimes is None:
            clocks.problems.append(Problem(path, "the regimes file is broken; fix it first"))
            continue
        block = read_reporting(data, parse_date)
        if block is None:
            clocks.problems.append(
                Problem(path, "the reporting block cannot be read; `postmortems lint` says why")
            )
            continue
        rows, unknown = statuses(checked.id or path, block, regimes, now)
        clocks.rows += rows
        clocks.problems += [
            Problem(path, f"reporting.obligations[{u.obligation}]: {u.message}") for u in unknown
        ]
    clocks.rows = ordered(clocks.rows)
    return clocks


def published_clocks(incidents: Iterable[Postmortem], library: Library, now: dt.datetime) -> Clocks:
    """The clocks of the incidents the site publishes, and of nothing else."""
    clocks = Clocks()
    if library.regimes is None:
        return clocks
    for pm in incidents:
        block = read_reporting(pm.data, parse_date)
        if block is not None:
            clocks.rows += statuses(pm.id, block, library.regimes, now)[0]
    clocks.rows = ordered(clocks.rows)
    return clocks


def as_json(rows: Iterable[StageStatus]) -> str:
    return json.dumps([r.as_dict() for r in rows], indent=2) + "\n"


def as_text(rows: list[StageStatus]) -> str:
    table = [("STATE", "DEADLINE (UTC)", "INCIDENT", "REGIME", "TRIGGER", "STAGE", "FILED", "NOTE")]
    table += [
        (
            r.state,
            r.deadline_text,
            r.id,
            r.regime,
            r.trigger,
            r.stage,
            iso_written(r.filed) if r.filed is not None else "-",
            r.note,
        )
        for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    return "".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() + "\n"
        for row in table
    )


def summary(rows: list[StageStatus], now: dt.datetime) -> str:
    as_of = f"as of {now.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S} UTC"
    if not rows:
        return f"No reporting obligations in the library ({as_of})."
    counts = Counter(r.state for r in rows)
    parts = ", ".join(f"{counts[s]} {s}" for s in STATES if counts[s])
    return f"{len(rows)} stage(s): {parts} ({as_of})."
