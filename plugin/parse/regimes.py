"""Reporting regimes: which authority must hear of an incident, and how soon.

A regimes file is data, like the taxonomy: a team replaces or extends it as
laws change. This module loads it, checks it against its JSON Schema and
its own rules (durations, `after` stages, anchors, business-day calendars),
and parses ISO 8601 durations.
"""

from __future__ import annotations

import calendar
import datetime as dt
import zoneinfo
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

from ..model import Finding, JsonPath
from ..resources import schema_dir
from ..rules import RULES
from ..schema_messages import SchemaReporter
from .frontmatter import decode, parse_yaml, read_bounded

REGIMES_SCHEMA: Final = "regimes.schema.json"
# No legal clock runs for a century; the cap keeps date arithmetic in range
# and a mistyped `P99999999D` a finding rather than an overflow.
MAX_MONTHS: Final = 100 * 12
MAX_SECONDS: Final = 100 * 366 * 86400
_MAX_DIGITS: Final = 9


def default_regimes_path() -> Path:
    return schema_dir() / "regimes.yml"


class DurationError(ValueError):
    """The text is not an ISO 8601 duration this library reads."""


@dataclass(frozen=True)
class Duration:
    """An ISO 8601 duration: calendar months, then exact seconds."""

    months: int = 0
    seconds: int = 0
    text: str = ""

    def add_to(self, start: dt.datetime) -> dt.datetime:
        """`start` plus this duration. Months are calendar months, the day
        held where the month has it, else its last day (Jan 31 + P1M is the
        end of February); then days and time as exact hours, in UTC."""
        moved = start
        if self.months:
            index = start.year * 12 + start.month - 1 + self.months
            year, month = divmod(index, 12)
            if year > dt.MAXYEAR:
                return dt.datetime.max.replace(tzinfo=start.tzinfo)
            day = min(start.day, calendar.monthrange(year, month + 1)[1])
            moved = start.replace(year=year, month=month + 1, day=day)
        try:
            return moved + dt.timedelta(seconds=self.seconds)
        except OverflowError:
            return dt.datetime.max.replace(tzinfo=start.tzinfo)


_DATE_UNITS: Final = {"Y": 0, "M": 1, "W": 2, "D": 3}
_TIME_UNITS: Final = {"H": 4, "M": 5, "S": 6}
_SECONDS: Final = (0, 0, 7 * 86400, 86400, 3600, 60, 1)


def parse_duration(text: str) -> Duration:
    """`P#Y#M#W#DT#H#M#S` (whole numbers, each part at most once, in that
    order), read in one pass over the text; DurationError says what is wrong."""
    if not text.startswith("P") or len(text) < 3:
        raise DurationError(f"'{text}' is not an ISO 8601 duration like P15D, PT72H or P1M")
    amounts = [0] * 7
    last = -1
    digits = ""
    in_time = False
    for ch in text[1:]:
        if ch.isdigit() and ch.isascii():
            digits += ch
            if len(digits) > _MAX_DIGITS:
                raise DurationError(f"'{text}' has a number too large for a deadline")
            continue
        if ch == "T" and not in_time and not digits:
            in_time = True
            continue
        units = _TIME_UNITS if in_time else _DATE_UNITS
        slot = units.get(ch)
        if slot is None or not digits or slot <= last:
            raise DurationError(
                f"'{text}' is not an ISO 8601 duration: write whole numbers with designators "
                "in the order P#Y#M#W#DT#H#M#S (P15D, PT72H, P1M)"
            )
        amounts[slot] = int(digits)
        last, digits = slot, ""
    if digits or last < 0 or (in_time and last < 4):
        raise DurationError(f"'{text}' is incomplete: every number needs its designator (P15D)")
    months = amounts[0] * 12 + amounts[1]
    seconds = sum(a * s for a, s in zip(amounts, _SECONDS, strict=True))
    if months > MAX_MONTHS or seconds > MAX_SECONDS:
        raise DurationError(f"'{text}' is longer than a century")
    return Duration(months, seconds, text)


# The `within` of a stage with no fixed length (GDPR Art. 34, "without undue
# delay"): it is due from its anchor on and never overdue.
WITHOUT_UNDUE_DELAY: Final = "without-undue-delay"
# The anchor every clock counts from unless it names another.
AWARE: Final = "aware"
# What an on-request stage counts from: the `requested` of its report.
REQUESTED: Final = "requested"
MAX_BUSINESS_DAYS: Final = 3650


@dataclass(frozen=True)
class Clock:
    """One way a deadline counts: a duration, or business days, from an anchor
    or from an earlier stage's filing; with neither, no fixed length."""

    within: Duration | None = None
    anchor: str = AWARE
    # An earlier stage of the same trigger whose filing starts this clock.
    after: str | None = None
    business_days: int | None = None
    calendar: str = ""
    timezone: str = ""

    @property
    def fixed(self) -> bool:
        return self.within is not None or self.business_days is not None

    @property
    def waits_for(self) -> str:
        """What must be recorded before this clock runs, as a message names it."""
        return f"the filing of {self.after}" if self.after else self.anchor


@dataclass(frozen=True)
class Deadline:
    stage: str
    # Several: the deadline is the earliest of those that have started.
    clocks: tuple[Clock, ...] = (Clock(),)
    # Due only once the authority asks (`reports[].requested`); then the clock
    # counts from the request.
    on_request: bool = False

    @property
    def within(self) -> Duration | None:
        return self.clocks[0].within

    @property
    def after(self) -> str | None:
        return self.clocks[0].after

    def soonest_from(self, start: dt.datetime) -> dt.datetime:
        """The soonest this deadline can fall if every clock started at `start`
        (business days at least as many calendar days; no fixed length: never)."""
        ends = []
        for c in self.clocks:
            if c.within is not None:
                ends.append(c.within.add_to(start))
            elif c.business_days is not None:
                ends.append(start + dt.timedelta(days=c.business_days))
        return min(ends, default=dt.datetime.max.replace(tzinfo=dt.UTC))

    @property
    def counts_after(self) -> tuple[str, ...]:
        """The stages whose filing this one counts from."""
        return tuple(c.after for c in self.clocks if c.after)


@dataclass(frozen=True)
class Trigger:
    id: str
    title: str
    deadlines: tuple[Deadline, ...]
    description: str = ""

    @property
    def stages(self) -> tuple[str, ...]:
        return tuple(d.stage for d in self.deadlines)

    @property
    def anchors(self) -> tuple[str, ...]:
        """The anchors an obligation may record for this trigger (`aware` has its own key)."""
        named = (c.anchor for d in self.deadlines if not d.on_request for c in d.clocks)
        return tuple(dict.fromkeys(a for a in named if a != AWARE))


@dataclass(frozen=True)
class Regime:
    id: str
    title: str
    source: str
    triggers: tuple[Trigger, ...]
    description: str = ""

    def trigger(self, trigger_id: str) -> Trigger | None:
        return next((t for t in self.triggers if t.id == trigger_id), None)


@dataclass(frozen=True)
class Regimes:
    regimes: tuple[Regime, ...]
    source: str = ""

    def regime(self, regime_id: str) -> Regime | None:
        return next((r for r in self.regimes if r.id == regime_id), None)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.regimes)


def _finding(path: str, line: int, column: int, message: str) -> Finding:
    return RULES["regimes"].finding(path, line, column, f"regimes: {message}")


def parse_regimes(raw: bytes, path: str) -> tuple[Regimes | None, list[Finding]]:
    """Check and build the regimes from a file's bytes. None when broken."""
    text, findings = decode(raw, path)
    if text is None:
        return None, findings
    parsed = parse_yaml(text, path, what="regimes file")
    if parsed.findings:
        return None, list(parsed.findings)
    data = parsed.data
    if not isinstance(data, dict):
        return None, [_finding(path, 1, 1, "the file must be a mapping with a 'regimes' list")]
    schema_findings = SchemaReporter(REGIMES_SCHEMA, parsed, path).findings(data)
    if schema_findings:
        return None, [_finding(f.path, f.line, f.column, f.message) for f in schema_findings]
    findings = []

    def problem(where: JsonPath, message: str) -> None:
        pos = parsed.position(where)
        findings.append(_finding(path, pos.line, pos.column, message))

    regimes = []
    seen_regimes: Counter[str] = Counter()
    for i, r in enumerate(data["regimes"]):
        seen_regimes[r["id"]] += 1
        if seen_regimes[r["id"]] == 2:
            problem(("regimes", i, "id"), f"regime id '{r['id']}' is used twice")
        triggers = []
        seen_triggers: Counter[str] = Counter()
        for j, t in enumerate(r["triggers"]):
            seen_triggers[t["id"]] += 1
            if seen_triggers[t["id"]] == 2:
                problem(
                    ("regimes", i, "triggers", j, "id"),
                    f"trigger id '{t['id']}' is used twice in regime '{r['id']}'",
                )
            deadlines = []
            earlier: list[str] = []
            for k, d in enumerate(t["deadlines"]):
                where: JsonPath = ("regimes", i, "triggers", j, "deadlines", k)
                if d["stage"] in earlier:
                    problem((*where, "stage"), f"stage '{d['stage']}' is listed twice")
                deadlines.append(_deadline(d, where, _Place(t["id"], earlier, problem)))
                earlier.append(d["stage"])
            triggers.append(
                Trigger(t["id"], t["title"], tuple(deadlines), t.get("description", ""))
            )
        regimes.append(
            Regime(r["id"], r["title"], r["source"], tuple(triggers), r.get("description", ""))
        )
    if findings:
        return None, findings
    return Regimes(tuple(regimes), path), []


_KINDS: Final = ("within", "within_business_days", "earliest")


@dataclass(frozen=True)
class _Place:
    """Where in the file a deadline is read: its trigger, the stages before it,
    and where its problems go."""

    trigger_id: str
    earlier: list[str]
    problem: Callable[[JsonPath, str], None]


def _deadline(d: dict[str, Any], where: JsonPath, place: _Place) -> Deadline:
    """One `deadlines` entry the schema accepted, with the rules a schema cannot say."""
    problem = place.problem
    kinds = [k for k in _KINDS if k in d]
    on_request = d.get("on_request") is True
    if len(kinds) > 1:
        problem(where, f"stage '{d['stage']}' has {' and '.join(kinds)}: give one of them")
    elif not kinds and not on_request:
        problem(
            where,
            f"stage '{d['stage']}' needs within, within_business_days, earliest "
            "or on_request: true",
        )
    if on_request:
        if kinds not in ([], ["within"]) or "from" in d or "after" in d:
            problem(
                where,
                f"stage '{d['stage']}' is on request: it counts from the request, "
                "so it takes at most `within`",
            )
        return Deadline(d["stage"], (_clock(d, where, place, REQUESTED),), True)
    if "earliest" not in d:
        return Deadline(d["stage"], (_clock(d, where, place),))
    clocks = []
    for n, c in enumerate(d["earliest"]):
        clock = _clock(c, (*where, "earliest", n), place)
        if not clock.fixed:
            problem(
                (*where, "earliest", n),
                "each clock of `earliest` needs a fixed length (within or within_business_days)",
            )
        clocks.append(clock)
    return Deadline(d["stage"], tuple(clocks))


def _clock(c: dict[str, Any], where: JsonPath, place: _Place, anchor: str = AWARE) -> Clock:
    problem, earlier = place.problem, place.earlier
    after = c.get("after")
    if after is not None and "from" in c:
        problem(where, "a clock counts from an anchor (from) or a stage (after), not both")
    # Only an earlier stage: clocks then never wait on each other in a loop.
    if after is not None and after not in earlier:
        problem(
            (*where, "after"),
            f"'after: {after}' must name an earlier stage of trigger "
            f"'{place.trigger_id}' ({', '.join(earlier) or 'it has none'})",
        )
    anchor = c.get("from", anchor)
    business = c.get("within_business_days")
    calendar, timezone = c.get("calendar", ""), c.get("timezone", "")
    if business is None:
        if calendar or timezone:
            problem(where, "calendar and timezone go with within_business_days")
        return Clock(_within(c, where, problem), anchor, after)
    if not calendar or not timezone:
        problem(where, "within_business_days needs a calendar and a timezone")
    elif calendar not in CALENDARS:
        problem(
            (*where, "calendar"),
            f"calendar '{calendar}' is not known; use one of {', '.join(CALENDARS)}",
        )
    elif not _is_zone(timezone):
        problem((*where, "timezone"), f"'{timezone}' is not an IANA time zone (America/New_York)")
    return Clock(None, anchor, after, business, calendar, timezone)


def _within(
    c: dict[str, Any], where: JsonPath, problem: Callable[[JsonPath, str], None]
) -> Duration | None:
    within = c.get("within")
    if within is None or within == WITHOUT_UNDUE_DELAY:
        return None
    try:
        return parse_duration(within)
    except DurationError as exc:
        problem((*where, "within"), f"{exc}, or {WITHOUT_UNDUE_DELAY}")
        return Duration()


def _is_zone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


# Business-day calendars a regime may name: the days, besides Saturdays and
# Sundays, on which no business-day clock counts.
CALENDARS: Final = ("us-federal", "weekends-only")


@cache
def _holidays(calendar: str, year: int) -> frozenset[dt.date]:
    if calendar != "us-federal":
        return frozenset()
    # Imported on first use: most libraries never count business days, and
    # the package's country tables are slow to import.
    import holidays

    return frozenset(holidays.country_holidays("US", years=year))


def is_business_day(day: dt.date, calendar: str) -> bool:
    return day.weekday() < 5 and day not in _holidays(calendar, day.year)


def business_deadline(day: dt.date, count: int, calendar: str, timezone: str) -> dt.datetime:
    """The end of the `count`th business day after `day`, in `timezone`, as a UTC instant."""
    current = day
    left = count
    while left:
        if current >= dt.date.max - dt.timedelta(days=7):
            return dt.datetime.max.replace(tzinfo=dt.UTC)
        current += dt.timedelta(days=1)
        if is_business_day(current, calendar):
            left -= 1
    zone = zoneinfo.ZoneInfo(timezone)
    # Midnight after that day, on the wall clock there: the zone knows
    # whether it is daylight-saving time then.
    end = dt.datetime.combine(current + dt.timedelta(days=1), dt.time(), zone)
    return end.astimezone(dt.UTC)


def load_regimes(path: Path, shown_as: str) -> tuple[Regimes | None, list[Finding]]:
    """The regimes file read with the checks a postmortem gets: a regular
    file (a FIFO would block the read forever), within the size limit."""
    raw, findings = read_bounded(path, shown_as, what="regimes files", unreadable_rule="regimes")
    if raw is None:
        return None, [
            _finding(f.path, f.line, f.column, f.message.replace("the file", "the regimes file", 1))
            for f in findings
        ]
    return parse_regimes(raw, shown_as)
