"""Domain objects shared by the linter, the site builder and the exporters.

Nothing here imports MkDocs or click: a move to another site generator is an
adapter over these types, not a rewrite.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Final

JsonPath = tuple[str | int, ...]


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Finding:
    """One problem, pointing at the place a person has to edit."""

    path: str
    line: int
    column: int
    severity: Severity
    rule: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "severity": str(self.severity),
            "rule": self.rule,
            "message": self.message,
        }


@dataclass(frozen=True)
class Position:
    line: int
    column: int


BASES: Final = ("established", "suspected", "alleged")


@dataclass(frozen=True)
class Factor:
    layer: str
    category: str
    summary: str
    # How certain it is: `alleged` is a claim by others the authors could not verify.
    basis: str = "established"
    # The postmortem's systems this factor was in; empty: not narrowed down.
    systems: tuple[str, ...] = ()


@dataclass(frozen=True)
class ActionItem:
    title: str
    layer: str
    type: str
    # Both may be unknown in an external case study: public accounts rarely say.
    owner: str | None
    due: dt.date | None
    status: str
    link: str | None = None
    # When it was done, where the author recorded it.
    closed: dt.date | None = None

    @property
    def done_by(self) -> dt.date | None:
        """The day a `done` item counts as in place: `closed`, else `due`."""
        if self.status != "done":
            return None
        return self.closed or self.due

    @property
    def is_closed(self) -> bool:
        return self.status in ("done", "wont-do")

    def is_overdue(self, today: dt.date) -> bool:
        return not self.is_closed and self.due is not None and self.due < today


@dataclass(frozen=True)
class LayerNote:
    """A layer of the taxonomy accounted for without a factor, and why."""

    layer: str
    reason: str


class RuledOut(LayerNote):
    """A layer examined and found not to contribute."""


class NotExamined(LayerNote):
    """A layer the authors could not examine."""


@dataclass(frozen=True)
class Source:
    """A public source an external case study is written from."""

    title: str
    url: str
    published: dt.date | None = None


@dataclass(frozen=True)
class Organization:
    name: str
    role: str


@dataclass(frozen=True)
class Harm:
    types: tuple[str, ...] = ()
    affected: str | None = None
    legal_review: str | None = None


class Month(dt.date):
    """A date known only to its month (`date: 2023-04`). It is the month's
    first day wherever dates are ordered (the earliest instant it can mean),
    and writes itself as the month; durations are not taken from it."""

    __slots__ = ()

    def isoformat(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    __str__ = isoformat

    def __repr__(self) -> str:
        return f"Month({self.year}, {self.month})"

    def spelled(self) -> str:
        """As a reader says it: April 2023."""
        return f"{_MONTH_NAMES[self.month - 1]} {self.year}"

    def abbreviated(self) -> str:
        """For a table's date column, no wider than a date: Apr 2023."""
        return f"{_MONTH_NAMES[self.month - 1][:3]} {self.year}"


# Named here, not with strftime('%B'), which follows the process's locale.
_MONTH_NAMES: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

DateLike = dt.date | dt.datetime


@dataclass
class Postmortem:
    """A postmortem whose front matter passed the schema."""

    id: str
    title: str
    status: str
    severity: str
    date: DateLike
    summary: str
    systems: tuple[str, ...]
    # As shown in findings (relative to where lint runs).
    src_path: str
    body: str
    body_line: int
    visibility: str = "internal"
    # Relative to docs_dir, as MkDocs names the file.
    src_uri: str = ""
    detected: DateLike | None = None
    resolved: DateLike | None = None
    authors: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    harm: Harm | None = None
    factors: tuple[Factor, ...] = ()
    action_items: tuple[ActionItem, ...] = ()
    related: tuple[str, ...] = ()
    ruled_out: tuple[RuledOut, ...] = ()
    not_examined: tuple[NotExamined, ...] = ()
    # `external`: a case study of another organisation's public incident.
    origin: str = "internal"
    sources: tuple[Source, ...] = ()
    organizations: tuple[Organization, ...] = ()
    contained: DateLike | None = None
    # The front matter as JSON (dates as ISO strings), for exports.
    data: dict[str, Any] = field(default_factory=dict)
    positions: Mapping[JsonPath, Position] = field(default_factory=dict, repr=False)

    @property
    def year(self) -> int:
        return self.date.year

    @property
    def is_restricted(self) -> bool:
        return self.visibility == "restricted"

    @property
    def is_draft(self) -> bool:
        return self.status != "final"

    @property
    def is_external(self) -> bool:
        return self.origin == "external"

    @property
    def is_ongoing(self) -> bool:
        """Final, yet not resolved: the harm may still be going on."""
        return self.status == "final" and self.resolved is None

    # Cached: factors do not change once a postmortem is built, and listings,
    # similar-incident search and hints ask for these hundreds of thousands
    # of times in a large library.
    @cached_property
    def layers(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.layer for f in self.factors))

    @cached_property
    def categories(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.category for f in self.factors))
