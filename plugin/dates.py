"""Dates and date-times as front matter writes them, and the one way they
are compared, converted and ordered.

Front matter mixes plain dates (`2025-03-14`), naive date-times and
date-times with an offset. Everything that puts them on one timeline (the
checks, the charts, the feed, the reporting clocks, the site's durations)
goes through `as_utc`, so they cannot disagree on when something happened.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from functools import cache

from .model import DateLike, Postmortem
from .resources import POSTMORTEM_SCHEMA, load_json_schema


def parse_date(value: str) -> DateLike:
    """ISO date or date-time as YAML authors write it ('Z', a space instead of
    'T'); raises ValueError with the reason for impossible dates."""
    if len(value) == 10:
        return dt.date.fromisoformat(value)
    # The schema allows lowercase 't' and 'z' (as RFC 3339 does); Python 3.11's
    # fromisoformat does not, so upper-case them (nothing else here has case).
    return dt.datetime.fromisoformat(value.replace(" ", "T", 1).upper())


@cache
def _date_form() -> re.Pattern[str]:
    return re.compile(load_json_schema(POSTMORTEM_SCHEMA)["properties"]["date"]["pattern"])


def written_like_a_date(value: str) -> bool:
    """Whether `value` has the form the schema gives dates and date-times
    (it may still name a day that does not exist, like 2025-02-30)."""
    return _date_form().match(value) is not None


def as_utc(value: DateLike) -> dt.datetime:
    """The instant a front-matter date or date-time stands for, in UTC: a
    date is its midnight, a naive time is taken as UTC."""
    if not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:
        # 9999-12-31T23:00-05:00 is past the last instant Python can hold in
        # UTC (and 0001-01-01T00:00+05:00 before the first): the nearest one
        # stands for it, rather than a crash in lint, the clocks or the feed.
        edge = dt.datetime.max if value.year > 1 else dt.datetime.min
        return edge.replace(tzinfo=dt.UTC)


def day_of(value: DateLike) -> dt.date:
    """The calendar day as written (a date-time's own day, not UTC's)."""
    return value.date() if isinstance(value, dt.datetime) else value


def is_before(later: DateLike, earlier: DateLike) -> bool:
    """Whether `later` lies before `earlier`. A plain date means the whole
    day, so against a date-time it is compared by calendar day as written:
    `detected: 2025-03-14` is not before `date: 2025-03-14T10:00:00Z`."""
    if isinstance(later, dt.datetime) and isinstance(earlier, dt.datetime):
        return as_utc(later) < as_utc(earlier)
    return day_of(later) < day_of(earlier)


def days_between(start: DateLike, end: DateLike) -> float:
    return (as_utc(end) - as_utc(start)).total_seconds() / 86400


def build_date() -> dt.date:
    """Today, or SOURCE_DATE_EPOCH's day for reproducible builds (as MkDocs does)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    # ASCII digits of a date before year 5000: int() refuses 4,300 digits and
    # fromtimestamp years past 9999, which must not crash a build.
    if epoch and epoch.isascii() and epoch.isdigit() and len(epoch) <= 11:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    return dt.date.today()


def build_instant() -> dt.datetime:
    """Now in UTC, or SOURCE_DATE_EPOCH's very instant for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isascii() and epoch.isdigit() and len(epoch) <= 11:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return dt.datetime.now(dt.UTC)


def end_of_day(day: dt.date) -> dt.datetime:
    """24:00 UTC of `day`: everything that happened on that day has happened."""
    start = dt.datetime.combine(day, dt.time(), dt.UTC)
    # 9999-12-31 has no next midnight Python can hold: its last instant stands in.
    return (
        start + dt.timedelta(days=1)
        if day < dt.date.max
        else dt.datetime.max.replace(tzinfo=dt.UTC)
    )


def instant_of(day: dt.date) -> dt.datetime:
    """The instant the clocks of a lint or a build are worked out against.

    The library and the site are handed a day (it keys their caches, which an
    instant would defeat at every rebuild): a date-time is taken as it is; the
    build's own day stands for the build instant (now, or SOURCE_DATE_EPOCH's),
    so a deadline that passed an hour ago is already overdue; any other day is
    its end in UTC, as `postmortems reporting --today` reads it."""
    if isinstance(day, dt.datetime):
        return as_utc(day)
    now = build_instant()
    # build_date() is the machine's local day where no epoch is set, which
    # may differ from UTC's near midnight: either names "today".
    return now if day in (now.date(), build_date()) else end_of_day(day)


def iso_instant(value: dt.datetime) -> str:
    return as_utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_written(value: DateLike) -> str:
    """A date or date-time as ISO 8601: a date stays a date (no invented time of day)."""
    return iso_instant(value) if isinstance(value, dt.datetime) else value.isoformat()


# Two orders of incidents, kept apart because they differ for date-times
# written with different offsets: the site's listings and the related-incident
# hints order by the date as written, the Atom feed by the instant.


def by_date_as_written(pm: Postmortem) -> tuple[str, str]:
    """Sort key: the date as written, then the id (oldest first)."""
    return str(pm.date), pm.id


def by_instant(pm: Postmortem) -> tuple[dt.datetime, str]:
    """Sort key: the instant of the date in UTC, then the id (oldest first)."""
    return as_utc(pm.date), pm.id
