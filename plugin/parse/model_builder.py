"""The typed model of a document that passed the checks.

The checks read front matter as plain data, because a broken file must
still be reported on; once a file has no error left, its data is built into
a `Postmortem` here, the one place that knows how front-matter keys map to
the model's fields.
"""

from __future__ import annotations

from typing import Any

from ..dates import day_of
from ..model import (
    ActionItem,
    DateLike,
    Factor,
    Harm,
    JsonPath,
    NotExamined,
    Organization,
    Postmortem,
    RuledOut,
    Source,
)
from .frontmatter import Document


def _strs(value: Any) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, list) else ()


def build_postmortem(
    doc: Document, data: dict[str, Any], dates: dict[JsonPath, DateLike]
) -> Postmortem:
    """The typed postmortem of a document that passed every per-file error rule."""
    harm = data.get("harm")
    positions = doc.yaml.key_or_value_positions

    def date_at(where: JsonPath) -> DateLike | None:
        return dates.get(where)

    items = []
    raw_items: list[dict[str, Any]] = data.get("action_items") or []
    for i, it in enumerate(raw_items):
        due = dates.get(("action_items", i, "due"))
        closed = dates.get(("action_items", i, "closed"))
        items.append(
            ActionItem(
                title=it["title"],
                layer=it["layer"],
                type=it["type"],
                owner=it.get("owner"),
                due=day_of(due) if due else None,
                status=it["status"],
                link=it.get("link"),
                closed=day_of(closed) if closed else None,
            )
        )
    start = date_at(("date",))
    assert start is not None
    return Postmortem(
        id=data["id"],
        title=data["title"],
        status=data["status"],
        severity=data["severity"],
        date=start,
        summary=data["summary"],
        systems=tuple(data["systems"]),
        src_path=doc.path,
        body=doc.body,
        body_line=doc.body_line,
        visibility=data.get("visibility", "internal"),
        detected=date_at(("detected",)),
        resolved=date_at(("resolved",)),
        authors=_strs(data.get("authors")),
        tags=_strs(data.get("tags")),
        harm=Harm(
            types=_strs(harm.get("types")),
            affected=harm.get("affected"),
            legal_review=harm.get("legal_review"),
        )
        if isinstance(harm, dict)
        else None,
        factors=tuple(
            Factor(
                f["layer"],
                f["category"],
                f["summary"],
                f.get("basis", "established"),
                _strs(f.get("systems")),
            )
            for f in data.get("factors") or []
        ),
        action_items=tuple(items),
        related=_strs(data.get("related")),
        ruled_out=tuple(RuledOut(r["layer"], r["reason"]) for r in data.get("ruled_out") or []),
        not_examined=tuple(
            NotExamined(r["layer"], r["reason"]) for r in data.get("not_examined") or []
        ),
        origin=data.get("origin", "internal"),
        sources=tuple(
            Source(
                s["title"],
                s["url"],
                day_of(d) if (d := date_at(("sources", i, "published"))) else None,
            )
            for i, s in enumerate(data.get("sources") or [])
        ),
        organizations=tuple(
            Organization(o["name"], o["role"]) for o in data.get("organizations") or []
        ),
        contained=date_at(("contained",)),
        data=data,
        positions=positions,
    )
