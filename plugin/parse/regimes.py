"""Reporting regimes: which authority must hear of an incident, and how soon.

A regimes file is data, like the taxonomy: a team replaces or extends it as
laws change. This module loads it, checks it against its JSON Schema and
its own rules (durations, `after` stages), and parses ISO 8601 durations.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from ..check.schema_messages import SchemaReporter
from ..model import Finding, JsonPath
from ..resources import schema_dir
from ..rules import RULES
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


@dataclass(frozen=True)
class Deadline:
    stage: str
    within: Duration
    # An earlier stage of the same trigger whose filing starts this clock.
    after: str | None = None


@dataclass(frozen=True)
class Trigger:
    id: str
    title: str
    deadlines: tuple[Deadline, ...]
    description: str = ""

    @property
    def stages(self) -> tuple[str, ...]:
        return tuple(d.stage for d in self.deadlines)


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
                after = d.get("after")
                # Only an earlier stage: clocks then never wait on each other in a loop.
                if after is not None and after not in earlier:
                    problem(
                        (*where, "after"),
                        f"'after: {after}' must name an earlier stage of trigger "
                        f"'{t['id']}' ({', '.join(earlier) or 'it has none'})",
                    )
                try:
                    within = parse_duration(d["within"])
                except DurationError as exc:
                    problem((*where, "within"), str(exc))
                    within = Duration()
                earlier.append(d["stage"])
                deadlines.append(Deadline(d["stage"], within, after))
            triggers.append(
                Trigger(t["id"], t["title"], tuple(deadlines), t.get("description", ""))
            )
        regimes.append(
            Regime(r["id"], r["title"], r["source"], tuple(triggers), r.get("description", ""))
        )
    if findings:
        return None, findings
    return Regimes(tuple(regimes), path), []


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
