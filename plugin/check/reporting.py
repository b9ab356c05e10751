"""Reporting obligations and their clocks: pure functions over a
postmortem's `reporting` block, the regimes and a day.

Whether an incident is reportable is a legal decision: this module never
makes it. It reads the decision, who made it and what was filed, and says
for every stage when it was due and where it stands.

Time, all in UTC:
- a plain date (`aware: 2026-09-01`, `filed: 2026-09-03`) is 00:00 UTC of
  that day, the earliest instant it can mean, so a clock that starts from
  it never starts late; a date-time without an offset is UTC;
- a stage's deadline is the instant `aware + within` (or counted from its
  `after` stage: from that stage's filing, from its deadline while unfiled);
- a filing exactly at its deadline is on time;
- states "on a day" are as of 00:00 UTC of that day: a deadline later that
  day is still `due`, one before it is `overdue`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Final

from ..dates import as_utc, iso_instant, iso_written
from ..model import DateLike, Finding, JsonPath
from ..parse.frontmatter import Document
from ..parse.regimes import Regimes
from ..rules import RULES
from .schema_messages import did_you_mean

DECISIONS: Final = ("reportable", "not-reportable", "pending")
# The order listings use: what needs someone today comes first.
STATES: Final = ("overdue", "due", "reported-late", "reported", "not-reportable")
# Findings about time, not about the text: the build logs them without
# failing `--strict`; `postmortems lint` reports them as warnings.
CLOCK_RULES: Final = frozenset({"reporting-overdue", "reporting-late"})


@dataclass(frozen=True)
class Filing:
    stage: str
    filed: DateLike
    reference: str | None = None


@dataclass(frozen=True)
class Obligation:
    regime: str
    trigger: str
    decision: str
    decided_by: str | None
    reports: tuple[Filing, ...]

    def filed(self, stage: str) -> DateLike | None:
        """The earliest filing of a stage (a correction does not move the clock)."""
        times = [f.filed for f in self.reports if f.stage == stage]
        return min(times, key=as_utc) if times else None

    def reference(self, stage: str) -> str | None:
        return next((f.reference for f in self.reports if f.stage == stage and f.reference), None)


@dataclass(frozen=True)
class Reporting:
    aware: DateLike
    obligations: tuple[Obligation, ...]


def read_reporting(data: Any, parse_date: Callable[[str], DateLike]) -> Reporting | None:
    """A postmortem's `reporting` block, or None where there is none or it is
    not well-formed (lint reports why; nothing here guesses)."""
    block = data.get("reporting") if isinstance(data, dict) else None
    if not isinstance(block, dict):
        return None
    aware = _date(block.get("aware"), parse_date)
    raw = block.get("obligations")
    if aware is None or not isinstance(raw, list):
        return None
    obligations = []
    for entry in raw:
        if not isinstance(entry, dict):
            return None
        regime, trigger, decision = (entry.get(k) for k in ("regime", "trigger", "decision"))
        if not (isinstance(regime, str) and isinstance(trigger, str) and decision in DECISIONS):
            return None
        reports = []
        for report in entry.get("reports") or []:
            if not isinstance(report, dict) or not isinstance(report.get("stage"), str):
                return None
            filed = _date(report.get("filed"), parse_date)
            if filed is None:
                return None
            reference = report.get("reference")
            reports.append(
                Filing(report["stage"], filed, reference if isinstance(reference, str) else None)
            )
        decided_by = entry.get("decided_by")
        obligations.append(
            Obligation(
                regime,
                trigger,
                str(decision),
                decided_by if isinstance(decided_by, str) else None,
                tuple(reports),
            )
        )
    return Reporting(aware, tuple(obligations))


def _date(value: Any, parse_date: Callable[[str], DateLike]) -> DateLike | None:
    if not isinstance(value, str):
        return None
    try:
        return parse_date(value)
    except ValueError:
        return None


@dataclass(frozen=True)
class StageStatus:
    """One stage of one obligation, as of a day."""

    id: str
    regime: str
    trigger: str
    stage: str
    deadline: dt.datetime
    filed: DateLike | None
    state: str
    # Which obligation of the postmortem, for pointing findings at it.
    obligation: int = 0
    decision: str = "pending"
    decided_by: str | None = None
    reference: str | None = None
    regime_title: str = ""
    source: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The JSON object of `postmortems reporting --format json`: exactly the spec's keys."""
        return {
            "id": self.id,
            "regime": self.regime,
            "trigger": self.trigger,
            "stage": self.stage,
            "deadline": iso_instant(self.deadline),
            "filed": iso_written(self.filed) if self.filed is not None else None,
            "state": self.state,
        }

    @property
    def deadline_text(self) -> str:
        return iso_instant(self.deadline)


def state_of(decision: str, deadline: dt.datetime, filed: DateLike | None, today: dt.date) -> str:
    if decision == "not-reportable":
        return "not-reportable"
    if filed is not None:
        return "reported" if as_utc(filed) <= deadline else "reported-late"
    return "overdue" if deadline < as_utc(today) else "due"


@dataclass(frozen=True)
class Unknown:
    """An obligation whose clocks cannot be computed, and why."""

    obligation: int
    message: str


def statuses(
    pm_id: str, reporting: Reporting, regimes: Regimes, today: dt.date
) -> tuple[list[StageStatus], list[Unknown]]:
    """Every stage of every obligation, in the regimes file's stage order."""
    out: list[StageStatus] = []
    unknown: list[Unknown] = []
    start = as_utc(reporting.aware)
    for i, ob in enumerate(reporting.obligations):
        regime = regimes.regime(ob.regime)
        if regime is None:
            unknown.append(Unknown(i, f"regime '{ob.regime}' is not in the regimes file"))
            continue
        trigger = regime.trigger(ob.trigger)
        if trigger is None:
            unknown.append(
                Unknown(i, f"trigger '{ob.trigger}' is not a trigger of regime '{ob.regime}'")
            )
            continue
        deadlines: dict[str, dt.datetime] = {}
        for d in trigger.deadlines:
            base = start
            if d.after is not None:
                filed_before = ob.filed(d.after)
                base = as_utc(filed_before) if filed_before is not None else deadlines[d.after]
            deadline = d.within.add_to(base)
            deadlines[d.stage] = deadline
            filed = ob.filed(d.stage)
            out.append(
                StageStatus(
                    pm_id,
                    ob.regime,
                    ob.trigger,
                    d.stage,
                    deadline,
                    filed,
                    state_of(ob.decision, deadline, filed, today),
                    obligation=i,
                    decision=ob.decision,
                    decided_by=ob.decided_by,
                    reference=ob.reference(d.stage),
                    regime_title=regime.title,
                    source=regime.source,
                )
            )
    return out, unknown


def ordered(rows: Iterable[StageStatus]) -> list[StageStatus]:
    """Overdue first, then due, late, reported, not reportable; soonest deadline first."""
    rank = {s: i for i, s in enumerate(STATES)}
    return sorted(rows, key=lambda r: (rank[r.state], r.deadline, r.id, r.regime, r.trigger))


def check_reporting(
    doc: Document,
    data: dict[str, Any],
    regimes: Regimes | None,
    today: dt.date,
    parse_date: Callable[[str], DateLike],
) -> list[Finding]:
    """The reporting rules of one postmortem whose front matter is a mapping."""
    block = data.get("reporting")
    obligations = block.get("obligations") if isinstance(block, dict) else None
    if not isinstance(obligations, list):
        return []
    findings: list[Finding] = []
    base: JsonPath = ("reporting", "obligations")

    def add(where: JsonPath, rule: str, message: str) -> None:
        pos = doc.yaml.values.get(where) or doc.yaml.position(where)
        findings.append(RULES[rule].finding(doc.path, pos.line, pos.column, message))

    for i, entry in enumerate(obligations):
        if not isinstance(entry, dict):
            continue
        if data.get("status") == "final" and entry.get("decision") == "pending":
            add(
                (*base, i, "decision"),
                "reporting-undecided",
                "a final postmortem cannot have a pending reporting decision; record "
                "reportable or not-reportable with decided_by, or keep status at review",
            )
        _vocabulary(entry, (*base, i), regimes, add)
    if regimes is None:
        return findings
    reporting = read_reporting(data, parse_date)
    pm_id = data.get("id") if isinstance(data.get("id"), str) else doc.path
    if reporting is None:
        return findings
    rows, _ = statuses(str(pm_id), reporting, regimes, today)
    for row in rows:
        what = f"{row.regime} ({row.trigger}) stage '{row.stage}'"
        if row.state == "overdue":
            add(
                (*base, row.obligation),
                "reporting-overdue",
                f"{what} was due by {row.deadline_text} and is not filed; "
                f"{RULES['reporting-overdue'].advice}",
            )
        elif row.state == "reported-late":
            k = _report_index(obligations[row.obligation], row.stage)
            assert row.filed is not None
            add(
                (*base, row.obligation, "reports", k, "filed"),
                "reporting-late",
                f"{what} was filed {iso_written(row.filed)}, after its deadline "
                f"{row.deadline_text}",
            )
    return findings


def _report_index(entry: dict[str, Any], stage: str) -> int:
    reports = entry.get("reports") or []
    return next(k for k, r in enumerate(reports) if isinstance(r, dict) and r.get("stage") == stage)


def _vocabulary(
    entry: dict[str, Any],
    where: JsonPath,
    regimes: Regimes | None,
    add: Callable[[JsonPath, str, str], None],
) -> None:
    """unknown-regime, unknown-trigger, unknown-stage, through `add`."""
    regime_id, trigger_id = entry.get("regime"), entry.get("trigger")
    if regimes is None or not isinstance(regime_id, str):
        return
    regime = regimes.regime(regime_id)
    if regime is None:
        add(
            (*where, "regime"),
            "unknown-regime",
            f"regime '{regime_id}' is not in the regimes file; use one of "
            f"{', '.join(regimes.ids)}{did_you_mean(regime_id, regimes.ids)}",
        )
        return
    if not isinstance(trigger_id, str):
        return
    trigger = regime.trigger(trigger_id)
    if trigger is None:
        known = [t.id for t in regime.triggers]
        add(
            (*where, "trigger"),
            "unknown-trigger",
            f"trigger '{trigger_id}' is not a trigger of regime '{regime_id}'; use one of "
            f"{', '.join(known)}{did_you_mean(trigger_id, known)}",
        )
        return
    reports = entry.get("reports")
    for k, report in enumerate(reports if isinstance(reports, list) else []):
        stage = report.get("stage") if isinstance(report, dict) else None
        if isinstance(stage, str) and stage not in trigger.stages:
            add(
                (*where, "reports", k, "stage"),
                "unknown-stage",
                f"stage '{stage}' is not a stage of {regime_id} ({trigger_id}); use one of "
                f"{', '.join(trigger.stages)}{did_you_mean(stage, trigger.stages)}",
            )
