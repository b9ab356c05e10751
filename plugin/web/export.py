"""The library as data: `incidents.json` (as on the site) and a CSV table.

Both take the postmortems to publish (`Library.published()`); restricted ones
are dropped here as well, so no caller can leak one into an export.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import Any, Final

from ..dates import parse_date
from ..model import DateLike, Postmortem
from ..urls import incident_url, page_address

# Spreadsheet programs run a cell that starts with one of these as a formula.
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
CSV_COLUMNS: Final = (
    "id",
    "title",
    "status",
    "visibility",
    "severity",
    "date",
    "detected",
    "resolved",
    "summary",
    "systems",
    "authors",
    "tags",
    "harm_types",
    "harm_affected",
    "legal_review",
    "factors",
    "action_items",
    "related",
    "ruled_out",
    "url",
    # Added after the first release: new columns go last, so scripts that
    # read columns by position keep working.
    "origin",
    "contained",
    "ongoing",
    "not_examined",
    "sources",
)


def _iso(value: DateLike | None) -> str | None:
    return value.isoformat() if value is not None else None


def _json_safe(value: Any) -> Any:
    """Front matter as strict JSON: YAML's .nan and .inf have no JSON form."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


def incident_record(pm: Postmortem, directory_urls: bool = True) -> dict[str, Any]:
    """One incident as exported: its front-matter fields as written (`x-`
    keys too), dates as ISO 8601, and its `url` on the site. Containers it
    does not change are shared with the postmortem's data: read it, do not
    change it."""
    record: dict[str, Any] = dict(pm.data)
    for key, value in (
        ("date", pm.date),
        ("detected", pm.detected),
        ("contained", pm.contained),
        ("resolved", pm.resolved),
    ):
        if key in record:
            record[key] = _iso(value)
    # Always written, default or not: a reader of the export tells our own
    # incidents from case studies without knowing the format's defaults.
    record["origin"] = pm.origin
    if pm.is_ongoing:
        record["ongoing"] = True
    items = record.get("action_items")
    if isinstance(items, list):
        record["action_items"] = [_dated(item) for item in items]
    record["url"] = page_address(incident_url(pm.id), directory_urls)
    return record


def _dated(item: Any) -> Any:
    """An action item with its dates as ISO 8601, copied only if that changes it."""
    if not isinstance(item, dict):
        return item
    dated = None
    for key in ("due", "closed"):
        day = item.get(key)
        # A postmortem only exists once its dates are valid; should one
        # not be, the text as written is the best there is.
        if isinstance(day, str):
            with contextlib.suppress(ValueError):
                iso = parse_date(day).isoformat()
                if iso != day:
                    dated = dated or dict(item)
                    dated[key] = iso
    return dated or item


class ExportCache:
    """What each postmortem contributes to the exports (and to the listings,
    its row: see `render.SharedFragments`), kept between the rebuilds of
    `mkdocs serve`: the library loader hands back the very same Postmortem
    object for a file it did not parse again, so after an edit only the
    edited postmortem is exported anew."""

    def __init__(self) -> None:
        self._pieces: dict[tuple[str, int], tuple[Postmortem, Any]] = {}

    def get(self, kind: str, pm: Postmortem, make: Callable[[Postmortem], Any]) -> Any:
        key = (kind, id(pm))
        hit = self._pieces.get(key)
        # `is`, not the id alone: an id may be reused once an object is gone.
        if hit is not None and hit[0] is pm:
            return hit[1]
        value = make(pm)
        self._pieces[key] = (pm, value)
        return value

    def keep_only(self, postmortems: Iterable[Postmortem]) -> None:
        """Forget postmortems that are no longer in the library."""
        live = {id(p) for p in postmortems}
        self._pieces = {k: v for k, v in self._pieces.items() if k[1] in live}


def _public(postmortems: Iterable[Postmortem]) -> list[Postmortem]:
    return [p for p in postmortems if not p.is_restricted]


def _record_json(record: dict[str, Any]) -> str:
    """One record, on one line of incidents.json. Without `indent`, json.dumps
    uses its C encoder, several times faster than the indenting one, which
    was most of the export's cost at 10,000 incidents; a record a line still
    reads and diffs well."""
    try:
        return json.dumps(record, ensure_ascii=False, allow_nan=False)
    except ValueError:  # YAML's .nan or .inf somewhere: rare, so copied only then
        return json.dumps(_json_safe(record), ensure_ascii=False, allow_nan=False)


def _record(pm: Postmortem, cache: ExportCache | None, directory_urls: bool) -> dict[str, Any]:
    # The CSV reads the same records: built once per postmortem per build.
    if cache is None:
        return incident_record(pm, directory_urls)
    made = partial(incident_record, directory_urls=directory_urls)
    record: dict[str, Any] = cache.get(_kind("record", directory_urls), pm, made)
    return record


def _kind(kind: str, directory_urls: bool) -> str:
    """A cache's kind of piece: pieces that name addresses differ by their form."""
    return kind if directory_urls else kind + "\0files"


def incidents_json(
    postmortems: Iterable[Postmortem],
    cache: ExportCache | None = None,
    directory_urls: bool = True,
) -> str:
    """`{"incidents": [...]}`, one record per incident, in the order given."""
    chosen = _public(postmortems)
    if not chosen:
        return '{"incidents": []}\n'
    # Record by record, so that a cache can keep each one's text.
    records = [
        cache.get(
            _kind("json", directory_urls),
            p,
            lambda pm: _record_json(_record(pm, cache, directory_urls)),
        )
        if cache
        else _record_json(incident_record(p, directory_urls))
        for p in chosen
    ]
    return '{"incidents": [\n' + ",\n".join(records) + "\n]}\n"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "; ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(_json_safe(value), ensure_ascii=False, sort_keys=True)
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _cell(value: Any) -> str:
    text = _text(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _row(
    pm: Postmortem, extra_keys: list[str], cache: ExportCache | None, directory_urls: bool = True
) -> dict[str, str]:
    record = _record(pm, cache, directory_urls)
    harm = pm.harm
    values: dict[str, Any] = {
        **{k: record.get(k) for k in CSV_COLUMNS},
        "harm_types": list(harm.types) if harm else None,
        "harm_affected": harm.affected if harm else None,
        "legal_review": harm.legal_review if harm else None,
        "factors": [f"{f.layer}/{f.category}" for f in pm.factors],
        "action_items": [
            f"{a.title} ({a.owner or 'no owner'}, {a.status}"
            f"{f', due {a.due.isoformat()}' if a.due else ''}"
            f"{f', closed {a.closed.isoformat()}' if a.closed else ''})"
            for a in pm.action_items
        ],
        "ruled_out": [f"{r.layer}: {r.reason}" for r in pm.ruled_out],
        "ongoing": pm.is_ongoing,
        "not_examined": [f"{r.layer}: {r.reason}" for r in pm.not_examined],
        "sources": [f"{src.title} <{src.url}>" for src in pm.sources],
    }
    values.update({k: record.get(k) for k in extra_keys})
    return {k: _cell(v) for k, v in values.items()}


def incidents_csv(
    postmortems: Iterable[Postmortem],
    cache: ExportCache | None = None,
    directory_urls: bool = True,
) -> str:
    """One row per incident: list fields joined with "; ", factors as
    layer/category, then a column per `x-` key any incident has. A cell that
    a spreadsheet would run as a formula is prefixed with an apostrophe."""
    chosen = _public(postmortems)
    extra_keys = sorted({k for p in chosen for k in p.data if k.startswith("x-")})
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*CSV_COLUMNS, *extra_keys])
    writer.writeheader()
    if cache is not None:
        return out.getvalue() + "".join(_csv_lines(chosen, extra_keys, cache, directory_urls))
    for pm in chosen:
        writer.writerow(_row(pm, extra_keys, None, directory_urls))
    return out.getvalue()


def _csv_lines(
    chosen: list[Postmortem], extra_keys: list[str], cache: ExportCache, directory_urls: bool
) -> Iterator[str]:
    """Each postmortem's CSV line, written once and kept in `cache`: writing
    every row again was most of a serve rebuild's exports at 1,000."""
    line = io.StringIO()
    writer = csv.DictWriter(line, fieldnames=[*CSV_COLUMNS, *extra_keys])

    def written(pm: Postmortem) -> str:
        line.seek(0)
        line.truncate()
        writer.writerow(_row(pm, extra_keys, cache, directory_urls))
        return line.getvalue()

    # The line depends on which x- columns exist, so they are part of its key.
    kind = _kind("csv\0" + "\0".join(extra_keys), directory_urls)
    for pm in chosen:
        yield cache.get(kind, pm, written)


FINDER_COLUMNS: Final = (
    "id",
    "title",
    "summary",
    "severity",
    "status",
    "date",
    "systems",
    "layers",
    "categories",
    "origin",
    "ongoing",
)
# The lists a finder row names by position instead of by value.
_FINDER_TABLES: Final = ("severities", "statuses", "systems", "layers", "categories")


def finder_json(postmortems: Iterable[Postmortem], directory_urls: bool = True) -> str:
    """`incidents/finder.json`: what the incidents page's Find box searches
    and shows, for the same incidents in the same order as
    incidents/index.json, in compact lists: a reader's first search
    waits for this file to arrive and be read, and in index.json the keys,
    the addresses and the repeated system, layer and category names were a
    third of the bytes.

    `rows` holds one list per incident, in `columns` (FINDER_COLUMNS) order;
    its severity, status, systems, layers and categories are positions in
    the lists named in _FINDER_TABLES. `url` is an incident's address with
    `{id}` for its id."""
    tables: dict[str, dict[str, int]] = {name: {} for name in _FINDER_TABLES}

    def code(table: str, value: str) -> int:
        seen = tables[table]
        return seen.setdefault(value, len(seen))

    rows = [
        [
            p.id,
            p.title,
            p.summary,
            code("severities", p.severity),
            code("statuses", p.status),
            p.date.isoformat()[:10],
            [code("systems", s) for s in p.systems],
            [code("layers", layer) for layer in p.layers],
            [code("categories", c) for c in p.categories],
            p.origin,
            p.is_ongoing,
        ]
        for p in _public(postmortems)
    ]
    data: dict[str, Any] = {
        "columns": list(FINDER_COLUMNS),
        "url": page_address(incident_url("{id}"), directory_urls),
        **{name: list(seen) for name, seen in tables.items()},
        "rows": rows,
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
