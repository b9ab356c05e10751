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
from typing import Any, Final

from ..dates import parse_date
from ..model import DateLike, Postmortem
from ..urls import incident_url

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


def incident_record(pm: Postmortem) -> dict[str, Any]:
    """One incident as exported: its front-matter fields as written (`x-`
    keys too), dates as ISO 8601, and its `url` on the site."""
    # _json_safe builds new containers all the way down: no copy needed.
    record: dict[str, Any] = _json_safe(pm.data)
    for key, value in (("date", pm.date), ("detected", pm.detected), ("resolved", pm.resolved)):
        if key in record:
            record[key] = _iso(value)
    for item in record.get("action_items") or ():
        for key in ("due", "closed"):
            day = item.get(key) if isinstance(item, dict) else None
            # A postmortem only exists once its dates are valid; should one
            # not be, the text as written is the best there is.
            if isinstance(day, str):
                with contextlib.suppress(ValueError):
                    item[key] = parse_date(day).isoformat()
    record["url"] = incident_url(pm.id)
    return record


class ExportCache:
    """What each postmortem contributes to the exports, kept between the
    rebuilds of `mkdocs serve`: the library loader hands back the very same
    Postmortem object for a file it did not parse again, so after an edit
    only the edited postmortem is exported anew."""

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
    """One record as it sits in incidents.json's list (two levels deep)."""
    text = json.dumps(record, ensure_ascii=False, indent=2, allow_nan=False)
    return "    " + text.replace("\n", "\n    ")


def _record(pm: Postmortem, cache: ExportCache | None) -> dict[str, Any]:
    # The CSV reads the same records: built once per postmortem per build.
    return cache.get("record", pm, incident_record) if cache else incident_record(pm)


def incidents_json(postmortems: Iterable[Postmortem], cache: ExportCache | None = None) -> str:
    """`{"incidents": [...]}`, one record per incident, in the order given."""
    chosen = _public(postmortems)
    if not chosen:
        return json.dumps({"incidents": []}, indent=2) + "\n"
    # Record by record, so that a cache can keep each one's text; the result
    # is byte for byte what json.dumps(..., indent=2) writes for the whole.
    records = [
        cache.get("json", p, lambda pm: _record_json(_record(pm, cache)))
        if cache
        else _record_json(incident_record(p))
        for p in chosen
    ]
    return '{\n  "incidents": [\n' + ",\n".join(records) + "\n  ]\n}\n"


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


def _row(pm: Postmortem, extra_keys: list[str], cache: ExportCache | None) -> dict[str, str]:
    record = _record(pm, cache)
    harm = pm.harm
    values: dict[str, Any] = {
        **{k: record.get(k) for k in CSV_COLUMNS},
        "harm_types": list(harm.types) if harm else None,
        "harm_affected": harm.affected if harm else None,
        "legal_review": harm.legal_review if harm else None,
        "factors": [f"{f.layer}/{f.category}" for f in pm.factors],
        "action_items": [
            f"{a.title} ({a.owner}, {a.status}, due {a.due.isoformat()}"
            f"{f', closed {a.closed.isoformat()}' if a.closed else ''})"
            for a in pm.action_items
        ],
        "ruled_out": [f"{r.layer}: {r.reason}" for r in pm.ruled_out],
    }
    values.update({k: record.get(k) for k in extra_keys})
    return {k: _cell(v) for k, v in values.items()}


def incidents_csv(postmortems: Iterable[Postmortem], cache: ExportCache | None = None) -> str:
    """One row per incident: list fields joined with "; ", factors as
    layer/category, then a column per `x-` key any incident has. A cell that
    a spreadsheet would run as a formula is prefixed with an apostrophe."""
    chosen = _public(postmortems)
    extra_keys = sorted({k for p in chosen for k in p.data if k.startswith("x-")})
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*CSV_COLUMNS, *extra_keys])
    writer.writeheader()
    if cache is not None:
        return out.getvalue() + "".join(_csv_lines(chosen, extra_keys, cache))
    for pm in chosen:
        writer.writerow(_row(pm, extra_keys, None))
    return out.getvalue()


def _csv_lines(
    chosen: list[Postmortem], extra_keys: list[str], cache: ExportCache
) -> Iterator[str]:
    """Each postmortem's CSV line, written once and kept in `cache`: writing
    every row again was most of a serve rebuild's exports at 1,000."""
    line = io.StringIO()
    writer = csv.DictWriter(line, fieldnames=[*CSV_COLUMNS, *extra_keys])

    def written(pm: Postmortem) -> str:
        line.seek(0)
        line.truncate()
        writer.writerow(_row(pm, extra_keys, cache))
        return line.getvalue()

    # The line depends on which x- columns exist, so they are part of its key.
    kind = "csv\0" + "\0".join(extra_keys)
    for pm in chosen:
        yield cache.get(kind, pm, written)
