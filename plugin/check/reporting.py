"""Reporting obligations and their clocks: pure functions over a
postmortem's `reporting` block, the regimes and an instant.

Whether an incident is reportable is a legal decision: this module never
makes it. It reads the decision, who made it, when and why, and what was
filed, and says for every stage when it is due and where it stands.

Time, to the precision of the law (spec 8.1):
- every state is worked out against an instant (`now`), never a day on some
  machine's clock; as of `now`, whatever is recorded later than it (a
  filing, an anchor, a request, a decision) is not recorded yet;
- a time must carry its UTC offset (`reporting-time-zone` otherwise);
- a date alone is read so that nobody is misled: for `aware` and the other
  anchors, the earliest instant the date has anywhere (00:00 at UTC+14), so
  a clock never starts late; for `filed`, the latest (24:00 at UTC-12), so
  a filing never counts early;
- a filing exactly at its deadline is on time; as of the deadline itself
  the stage is still `due`.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Final

from ..dates import as_utc, is_before, iso_instant, iso_written
from ..model import DateLike, Finding, JsonPath
from ..parse.frontmatter import Document
from ..parse.regimes import (
    AWARE,
    REQUESTED,
    Clock,
    Deadline,
    Regimes,
    Trigger,
    business_deadline,
)
from ..rules import RULES
from ..schema_messages import did_you_mean

DECISIONS: Final = ("reportable", "not-reportable", "pending")
# The order listings use: what needs someone now comes first.
STATES: Final = ("overdue", "due", "waiting", "reported-late", "reported", "not-reportable")
# Findings about time, not about the text: the build logs them without
# failing `--strict`; `postmortems lint` reports them as warnings.
CLOCK_RULES: Final = frozenset({"reporting-overdue", "reporting-late"})


# The first and the last time zones a calendar day has anywhere on Earth.
_EARLIEST_ZONE: Final = dt.timezone(dt.timedelta(hours=14))
_LATEST_ZONE: Final = dt.timezone(dt.timedelta(hours=-12))
# A stage suggested for a mistyped one must be a typo's distance away: a
# looser match steered `intermediate-report` to `final-report`, which would
# have marked the wrong stage as filed.
_STAGE_CUTOFF: Final = 0.85


def earliest_instant(value: DateLike) -> dt.datetime:
    """When a clock counting from `value` starts: a date's first instant anywhere."""
    if isinstance(value, dt.datetime):
        return as_utc(value)
    try:
        return dt.datetime.combine(value, dt.time(), _EARLIEST_ZONE).astimezone(dt.UTC)
    except OverflowError:
        return dt.datetime.min.replace(tzinfo=dt.UTC)


def latest_instant(value: DateLike) -> dt.datetime:
    """When a filing dated `value` counts as made: a date's last instant anywhere."""
    if isinstance(value, dt.datetime):
        return as_utc(value)
    try:
        end = dt.datetime.combine(value + dt.timedelta(days=1), dt.time(), _LATEST_ZONE)
        return end.astimezone(dt.UTC)
    except OverflowError:
        return dt.datetime.max.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class Filing:
    """One `reports` entry: a stage filed, or requested by the authority, or both."""

    stage: str
    filed: DateLike | None
    reference: str | None = None
    delay_reason: str | None = None
    requested: DateLike | None = None


@dataclass(frozen=True)
class Obligation:
    regime: str
    trigger: str
    decision: str
    decided_by: str | None
    reports: tuple[Filing, ...]
    decided: DateLike | None = None
    reason: str | None = None
    anchors: tuple[tuple[str, DateLike], ...] = ()

    def filing(self, stage: str, now: dt.datetime) -> Filing | None:
        """The earliest filing of a stage made by `now` (a correction does not move the clock)."""
        made = [
            f for f in self.reports if f.stage == stage and f.filed is not None and _made(f, now)
        ]
        return min(made, key=lambda f: latest_instant(_filed(f))) if made else None

    def anchor(self, name: str, stage: str) -> DateLike | None:
        if name == REQUESTED:
            times = [f.requested for f in self.reports if f.stage == stage and f.requested]
            return min(times, key=earliest_instant) if times else None
        return next((v for k, v in self.anchors if k == name), None)

    def decision_as_of(self, now: dt.datetime) -> str:
        """A decision recorded as taken after `now` was still pending then."""
        if self.decided is not None and earliest_instant(self.decided) > now:
            return "pending"
        return self.decision


def _filed(f: Filing) -> DateLike:
    assert f.filed is not None
    return f.filed


def _made(f: Filing, now: dt.datetime) -> bool:
    return latest_instant(_filed(f)) <= now


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
        obligation = _obligation(entry, parse_date)
        if obligation is None:
            return None
        obligations.append(obligation)
    return Reporting(aware, tuple(obligations))


def _obligation(entry: Any, parse_date: Callable[[str], DateLike]) -> Obligation | None:
    if not isinstance(entry, dict):
        return None
    regime, trigger, decision = (entry.get(k) for k in ("regime", "trigger", "decision"))
    if not (isinstance(regime, str) and isinstance(trigger, str) and decision in DECISIONS):
        return None
    reports = []
    for report in entry.get("reports") or []:
        if not isinstance(report, dict) or not isinstance(report.get("stage"), str):
            return None
        (ok_filed, filed), (ok_requested, requested) = (
            _optional_date(report, k, parse_date) for k in ("filed", "requested")
        )
        if not (ok_filed and ok_requested) or (filed is None and requested is None):
            return None
        reports.append(
            Filing(
                report["stage"],
                filed,
                _text(report.get("reference")),
                _text(report.get("delay_reason")),
                requested,
            )
        )
    anchors = entry.get("anchors") or {}
    if not isinstance(anchors, dict):
        return None
    read_anchors = []
    for name, value in anchors.items():
        when = _date(value, parse_date)
        if not isinstance(name, str) or when is None:
            return None
        read_anchors.append((name, when))
    ok_decided, decided = _optional_date(entry, "decided", parse_date)
    if not ok_decided:
        return None
    return Obligation(
        regime,
        trigger,
        str(decision),
        _text(entry.get("decided_by")),
        tuple(reports),
        decided,
        _text(entry.get("reason")),
        tuple(read_anchors),
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _optional_date(
    mapping: dict[str, Any], key: str, parse_date: Callable[[str], DateLike]
) -> tuple[bool, DateLike | None]:
    """Whether the value under `key` is absent or a readable date, and that date."""
    if key not in mapping:
        return True, None
    when = _date(mapping[key], parse_date)
    return when is not None, when


def _date(value: Any, parse_date: Callable[[str], DateLike]) -> DateLike | None:
    if not isinstance(value, str):
        return None
    try:
        return parse_date(value)
    except ValueError:
        return None


@dataclass(frozen=True)
class StageStatus:
    """One stage of one obligation, as of an instant."""

    id: str
    regime: str
    trigger: str
    stage: str
    # None: no fixed deadline (without undue delay), or not started (waiting).
    deadline: dt.datetime | None
    filed: DateLike | None
    state: str
    # Which obligation of the postmortem, for pointing findings at it.
    obligation: int = 0
    decision: str = "pending"
    decided_by: str | None = None
    reference: str | None = None
    regime_title: str = ""
    source: str = ""
    # What a `waiting` stage waits for (anchors, or an earlier stage's filing).
    waiting_for: str = ""
    delay_reason: str | None = None
    # Which entry of the obligation's `reports` the filing is.
    report: int = 0
    # Why an obligation is not reportable, and when that was decided.
    reason: str | None = None
    decided: DateLike | None = None

    def as_dict(self) -> dict[str, Any]:
        """The JSON object of `postmortems reporting --format json`: exactly the spec's keys."""
        return {
            "id": self.id,
            "regime": self.regime,
            "trigger": self.trigger,
            "stage": self.stage,
            "deadline": iso_instant(self.deadline) if self.deadline is not None else None,
            "filed": iso_written(self.filed) if self.filed is not None else None,
            "state": self.state,
        }

    @property
    def without_undue_delay(self) -> bool:
        return self.deadline is None and not self.waiting_for

    @property
    def deadline_text(self) -> str:
        if self.deadline is not None:
            return iso_instant(self.deadline)
        return "without-undue-delay" if self.without_undue_delay else "-"

    @property
    def note(self) -> str:
        """Besides the state: what it waits for, why it was late or is not reportable."""
        if self.state == "waiting":
            return f"waiting for {self.waiting_for}"
        if self.state == "not-reportable" and self.reason:
            return f"not reportable: {self.reason}"
        if self.delay_reason and self.state == "reported-late":
            return f"delay: {self.delay_reason}"
        return ""


def state_of(
    decision: str,
    deadline: dt.datetime | None,
    filed: DateLike | None,
    now: dt.datetime,
    waiting: bool = False,
) -> str:
    """The state of a stage as of `now`, given a filing made by then (or None)."""
    if decision == "not-reportable":
        return "not-reportable"
    if filed is not None:
        return (
            "reported" if deadline is None or latest_instant(filed) <= deadline else "reported-late"
        )
    if waiting:
        return "waiting"
    return "overdue" if deadline is not None and deadline < now else "due"


@dataclass(frozen=True)
class Unknown:
    """An obligation whose clocks cannot be computed, and why."""

    obligation: int
    message: str


@dataclass(frozen=True)
class _Stage:
    deadline: dt.datetime | None
    # Anchors or stages not yet recorded: the clock has not started.
    waiting_for: str = ""


class _Clocks:
    """The deadlines of one obligation's stages, as of an instant, in stage order."""

    def __init__(self, ob: Obligation, aware: DateLike, now: dt.datetime) -> None:
        self.ob, self.aware, self.now = ob, aware, now
        self.stages: dict[str, _Stage] = {}

    def stage(self, d: Deadline) -> _Stage:
        started: list[dt.datetime | None] = []
        waiting = []
        for clock in d.clocks:
            ran, deadline = self._clock(clock, d.stage)
            if ran:
                started.append(deadline)
            else:
                waiting.append(clock.waits_for)
        if not started:
            result = _Stage(None, " or ".join(waiting))
        else:
            fixed = [t for t in started if t is not None]
            result = _Stage(min(fixed) if fixed else None)
        self.stages[d.stage] = result
        return result

    def _clock(self, clock: Clock, stage: str) -> tuple[bool, dt.datetime | None]:
        """Whether the clock has started as of now, and its deadline (None: no fixed one)."""
        base: DateLike | None
        if clock.after is not None:
            filing = self.ob.filing(clock.after, self.now)
            base = latest_instant(_filed(filing)) if filing else self.stages[clock.after].deadline
            start = base
        else:
            base = self.aware if clock.anchor == AWARE else self.ob.anchor(clock.anchor, stage)
            start = earliest_instant(base) if base is not None else None
            if start is not None and start > self.now:
                start = None
        if base is None or start is None:
            return False, None
        if clock.business_days is not None:
            day = _day_in(base, clock.timezone)
            return True, business_deadline(day, clock.business_days, clock.calendar, clock.timezone)
        return True, clock.within.add_to(start) if clock.within is not None else None


def _day_in(value: DateLike, timezone: str) -> dt.date:
    """The calendar day of `value` in `timezone`; a date-only value is its date as written."""
    if not isinstance(value, dt.datetime):
        return value
    instant = as_utc(value)
    try:
        return instant.astimezone(zoneinfo.ZoneInfo(timezone)).date()
    except OverflowError:
        # The first or last instant Python holds has no day west or east of
        # UTC: the UTC day stands for it, as `as_utc` saturates.
        return instant.date()


def statuses(
    pm_id: str, reporting: Reporting, regimes: Regimes, now: dt.datetime
) -> tuple[list[StageStatus], list[Unknown]]:
    """Every stage of every obligation as of `now`, in the regimes file's stage order."""
    out: list[StageStatus] = []
    unknown: list[Unknown] = []
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
        decision = ob.decision_as_of(now)
        clocks = _Clocks(ob, reporting.aware, now)
        for d in trigger.deadlines:
            stage = clocks.stage(d)
            filing = ob.filing(d.stage, now)
            filed = filing.filed if filing else None
            out.append(
                StageStatus(
                    pm_id,
                    ob.regime,
                    ob.trigger,
                    d.stage,
                    stage.deadline,
                    filed,
                    state_of(decision, stage.deadline, filed, now, bool(stage.waiting_for)),
                    obligation=i,
                    decision=decision,
                    decided_by=ob.decided_by,
                    reference=filing.reference if filing else None,
                    regime_title=regime.title,
                    source=regime.source,
                    waiting_for=stage.waiting_for,
                    delay_reason=filing.delay_reason if filing else None,
                    report=ob.reports.index(filing) if filing else 0,
                    reason=ob.reason,
                    decided=ob.decided,
                )
            )
    return out, unknown


def ordered(rows: Iterable[StageStatus]) -> list[StageStatus]:
    """Overdue first, then due, waiting, late, reported, not reportable; soonest deadline first."""
    rank = {s: i for i, s in enumerate(STATES)}
    never = dt.datetime.max.replace(tzinfo=dt.UTC)
    return sorted(
        rows,
        key=lambda r: (rank[r.state], r.deadline or never, r.id, r.regime, r.trigger),
    )


def date_places(data: dict[str, Any]) -> Iterator[tuple[JsonPath, bool]]:
    """Every date of the `reporting` block, and whether it must carry an offset
    when it has a time (spec 8.1: aware, filings, anchors and requests)."""
    block = data.get("reporting")
    if not isinstance(block, dict):
        return
    if "aware" in block:
        yield ("reporting", "aware"), True
    obligations = block.get("obligations")
    for i, ob in enumerate(obligations if isinstance(obligations, list) else []):
        if not isinstance(ob, dict):
            continue
        where: JsonPath = ("reporting", "obligations", i)
        if "decided" in ob:
            yield (*where, "decided"), False
        anchors = ob.get("anchors")
        for name in anchors if isinstance(anchors, dict) else {}:
            yield (*where, "anchors", name), True
        reports = ob.get("reports")
        for k, r in enumerate(reports if isinstance(reports, list) else []):
            for key in ("filed", "requested"):
                if isinstance(r, dict) and key in r:
                    yield (*where, "reports", k, key), True


def check_reporting(
    doc: Document,
    data: dict[str, Any],
    regimes: Regimes | None,
    now: dt.datetime,
    parse_date: Callable[[str], DateLike],
) -> list[Finding]:
    """The reporting rules of one postmortem whose front matter is a mapping,
    as of `now` (lint: the current instant, or SOURCE_DATE_EPOCH's)."""
    block = data.get("reporting")
    obligations = block.get("obligations") if isinstance(block, dict) else None
    findings: list[Finding] = []

    def add(where: JsonPath, rule: str, message: str) -> None:
        pos = doc.yaml.values.get(where) or doc.yaml.position(where)
        findings.append(RULES[rule].finding(doc.path, pos.line, pos.column, message))

    _time_zones(data, parse_date, add)
    if not isinstance(obligations, list):
        return findings
    base: JsonPath = ("reporting", "obligations")
    for i, entry in enumerate(obligations):
        if not isinstance(entry, dict):
            continue
        if data.get("status") == "final" and entry.get("decision") == "pending":
            add(
                (*base, i, "decision"),
                "reporting-undecided",
                "a final postmortem cannot have a pending reporting decision; record "
                "reportable (with decided_by) or not-reportable (with decided_by, decided "
                "and reason), or keep status at review",
            )
        _vocabulary(entry, (*base, i), regimes, add)
    reporting = read_reporting(data, parse_date)
    if reporting is None:
        return findings
    _consistency(reporting, regimes, now, add)
    if regimes is None:
        return findings
    pm_id = data.get("id") if isinstance(data.get("id"), str) else doc.path
    rows, _ = statuses(str(pm_id), reporting, regimes, now)
    for row in rows:
        what = f"{row.regime} ({row.trigger}) stage '{row.stage}'"
        if row.state == "overdue":
            add(
                (*base, row.obligation),
                "reporting-overdue",
                f"{what} was due by {row.deadline_text} and is not filed; "
                f"{RULES['reporting-overdue'].advice}",
            )
        elif row.state == "reported-late" and not row.delay_reason:
            assert row.filed is not None
            add(
                (*base, row.obligation, "reports", row.report, "filed"),
                "reporting-late",
                f"{what} was filed {iso_written(row.filed)}, after its deadline "
                f"{row.deadline_text}; {RULES['reporting-late'].advice}",
            )
    return findings


def _time_zones(
    data: dict[str, Any],
    parse_date: Callable[[str], DateLike],
    add: Callable[[JsonPath, str, str], None],
) -> None:
    """reporting-time-zone: a time without an offset could be any of 26 hours."""
    for where, needs_offset in date_places(data):
        value: Any = data
        for part in where:
            value = value[part]
        when = _date(value, parse_date)
        if needs_offset and isinstance(when, dt.datetime) and when.tzinfo is None:
            add(
                where,
                "reporting-time-zone",
                f"{where[-1]} '{value}' has a time but no UTC offset; "
                f"{RULES['reporting-time-zone'].advice}",
            )


def _consistency(
    reporting: Reporting,
    regimes: Regimes | None,
    now: dt.datetime,
    add: Callable[[JsonPath, str, str], None],
) -> None:
    """The filings against the clock, the calendar, each other and the decisions."""
    base: JsonPath = ("reporting", "obligations")
    decided: dict[tuple[str, str], str] = {}
    for i, ob in enumerate(reporting.obligations):
        where: JsonPath = (*base, i)
        key = (ob.regime, ob.trigger)
        other = decided.get(key)
        if {other, ob.decision} == {"reportable", "not-reportable"}:
            add(
                (*where, "decision"),
                "reporting-contradiction",
                f"{ob.regime} ({ob.trigger}) is decided both reportable and not-reportable "
                "in this postmortem; keep one obligation with the decision that stands",
            )
        if ob.decision != "pending":
            decided.setdefault(key, ob.decision)
        if ob.decision == "not-reportable" and any(f.filed for f in ob.reports):
            add(
                (*where, "reports"),
                "reporting-contradiction",
                f"{ob.regime} ({ob.trigger}) is decided not-reportable, yet reports are "
                "recorded as filed; the decision and the filings cannot both stand",
            )
        trigger = _trigger(regimes, ob)
        for k, f in enumerate(ob.reports):
            if f.filed is None:
                continue
            at: JsonPath = (*where, "reports", k, "filed")
            if is_before(f.filed, reporting.aware):
                add(
                    at,
                    "reporting-filed-before-aware",
                    f"stage '{f.stage}' is filed {iso_written(f.filed)}, before the "
                    f"organisation became aware ({iso_written(reporting.aware)})",
                )
            if earliest_instant(f.filed) > now:
                add(
                    at,
                    "reporting-filed-in-future",
                    # The day, not the instant: lint and the build run seconds
                    # apart and must say the same.
                    f"stage '{f.stage}' is filed {iso_written(f.filed)}, after today "
                    f"({now.date().isoformat()}, UTC); record a filing once it is made",
                )
            _order(ob, f, trigger, at, add)


def _trigger(regimes: Regimes | None, ob: Obligation) -> Trigger | None:
    regime = regimes.regime(ob.regime) if regimes is not None else None
    return regime.trigger(ob.trigger) if regime is not None else None


def _order(
    ob: Obligation,
    f: Filing,
    trigger: Trigger | None,
    at: JsonPath,
    add: Callable[[JsonPath, str, str], None],
) -> None:
    """reporting-order: a stage filed before a stage it counts from."""
    deadline = next((d for d in trigger.deadlines if d.stage == f.stage), None) if trigger else None
    for before in deadline.counts_after if deadline else ():
        firsts = [g.filed for g in ob.reports if g.stage == before and g.filed is not None]
        if firsts and f.filed is not None and is_before(f.filed, min(firsts, key=latest_instant)):
            add(
                at,
                "reporting-order",
                f"stage '{f.stage}' is filed {iso_written(f.filed)}, before stage "
                f"'{before}' ({iso_written(min(firsts, key=latest_instant))}) it counts from",
            )


def _vocabulary(
    entry: dict[str, Any],
    where: JsonPath,
    regimes: Regimes | None,
    add: Callable[[JsonPath, str, str], None],
) -> None:
    """unknown-regime, unknown-trigger, unknown-anchor, unknown-stage, through `add`."""
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
    anchors = entry.get("anchors")
    counted = trigger.anchors
    for name in anchors if isinstance(anchors, dict) else {}:
        if isinstance(name, str) and name not in counted:
            add(
                (*where, "anchors", name),
                "unknown-anchor",
                f"no clock of {regime_id} ({trigger_id}) counts from '{name}'; "
                + (
                    f"use {', '.join(counted)}{did_you_mean(name, counted)}"
                    if counted
                    else "its clocks count from aware only"
                ),
            )
    reports = entry.get("reports")
    for k, report in enumerate(reports if isinstance(reports, list) else []):
        stage = report.get("stage") if isinstance(report, dict) else None
        if isinstance(stage, str) and stage not in trigger.stages:
            add(
                (*where, "reports", k, "stage"),
                "unknown-stage",
                f"stage '{stage}' is not a stage of {regime_id} ({trigger_id}); use one of "
                f"{', '.join(trigger.stages)}"
                f"{did_you_mean(stage, trigger.stages, cutoff=_STAGE_CUTOFF)}",
            )
