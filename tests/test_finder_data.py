"""incidents/finder.json, the rows the incidents page's Find box reads: the
same incidents, in the same order and with the same values, as
incidents/index.json, and only published ones, on real builds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import postmortem_text
from mkdocs_postmortems.check.library import load_library
from mkdocs_postmortems.settings import Settings
from mkdocs_postmortems.web.export import FINDER_COLUMNS, finder_json
from sitekit import TAXONOMY, all_files, build, factors, write_site_at

PUBLIC, SECOND, OLDEST = "INC-2025-001", "INC-2025-002", "INC-2024-009"
RESTRICTED, DRAFT = "INC-2025-003", "INC-2025-004"
# Text only the unpublished postmortems carry, in every field the finder holds.
R_TEXT, D_TEXT = "withheldrestricted", "withhelddraft"

LIBRARY = {
    f"2025/{PUBLIC}.md": postmortem_text(
        id=PUBLIC,
        title=json.dumps('Chatbot quoted "Ünïcode" prices <b>twice</b> & more'),
        summary=json.dumps("Line one of the summary.\nLine two, with a tab\tand a \\ backslash."),
        date="2025-03-14T09:12:00Z",
        systems="[support-assistant, pricing-engine]",
        factors=factors(
            ("model", "hallucination", "Made up a price."),
            ("data", "stale-knowledge", "Old price list."),
            ("process", "evaluation-gap", "No price questions in the evaluation."),
        ),
    ),
    f"2025/{SECOND}.md": postmortem_text(
        id=SECOND, title="Second incident", severity="SEV4", date="2025-02-01"
    ),
    f"2024/{OLDEST}.md": postmortem_text(
        id=OLDEST, title="Oldest incident", severity="SEV1", date="2024-12-31"
    ),
    f"2025/{RESTRICTED}.md": postmortem_text(
        id=RESTRICTED,
        visibility="restricted",
        title=f"Title {R_TEXT}",
        summary=f"Summary {R_TEXT}",
        systems=f"[{R_TEXT}-system]",
    ),
    f"2025/{DRAFT}.md": postmortem_text(
        id=DRAFT,
        status="draft",
        title=f"Title {D_TEXT}",
        summary=f"Summary {D_TEXT}",
        systems=f"[{D_TEXT}-system]",
    ),
}


def records(text: str) -> list[dict[str, Any]]:
    """finder.json's rows as incidents/index.json writes them, decoded as the
    page's script decodes them."""
    data = json.loads(text)
    col = {name: i for i, name in enumerate(data["columns"])}
    out = []
    for row in data["rows"]:
        date = row[col["date"]]
        out.append(
            {
                "id": row[col["id"]],
                "title": row[col["title"]],
                "summary": row[col["summary"]],
                "severity": data["severities"][row[col["severity"]]],
                "status": data["statuses"][row[col["status"]]],
                "date": date,
                "year": date[:4],
                "systems": [data["systems"][i] for i in row[col["systems"]]],
                "layers": [data["layers"][i] for i in row[col["layers"]]],
                "categories": [data["categories"][i] for i in row[col["categories"]]],
                "url": data["url"].replace("{id}", row[col["id"]]),
            }
        )
    return out


def read(site: Path, name: str) -> str:
    return (site / "incidents" / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The library built as published, and again with include_drafts: true."""
    built = {}
    for name, options in (("published", ""), ("drafts", "include_drafts: true")):
        root = write_site_at(tmp_path_factory.mktemp(name), LIBRARY, plugin_options=options)
        built[name] = build(root)
    return built


def test_finder_rows_are_the_index_rows(sites: dict[str, Path]) -> None:
    """Decoded, finder.json holds exactly incidents/index.json's rows, in its order,
    markup, quotes, line breaks and non-ASCII text as written."""
    site = sites["published"]
    index = json.loads(read(site, "index.json"))
    assert [r["id"] for r in index] == [PUBLIC, SECOND, OLDEST]
    assert records(read(site, "finder.json")) == index
    first = index[0]
    assert first["title"] == 'Chatbot quoted "Ünïcode" prices <b>twice</b> & more'
    assert "\n" in first["summary"] and "\t" in first["summary"]
    assert first["layers"] == ["model", "data", "process"]


def test_finder_rows_are_compact_lists(sites: dict[str, Path]) -> None:
    """Each row is a list in the declared column order; repeated values are written
    once and named by position, and no row repeats a key or an address."""
    text = read(sites["published"], "finder.json")
    data = json.loads(text)
    assert data["columns"] == list(FINDER_COLUMNS)
    assert all(isinstance(row, list) and len(row) == len(FINDER_COLUMNS) for row in data["rows"])
    assert data["severities"] == ["SEV2", "SEV4", "SEV1"]
    assert text.count("support-assistant") == 1
    assert text.count('"title"') == 1 and "incidents/INC-" not in text


def test_finder_holds_published_incidents_only(sites: dict[str, Path]) -> None:
    """Neither the restricted nor the draft incident is in finder.json; with
    include_drafts the draft is, as in index.json, and the restricted one still is not."""
    published = read(sites["published"], "finder.json")
    for secret in (RESTRICTED, DRAFT, R_TEXT, D_TEXT):
        assert secret not in published
    with_drafts = sites["drafts"]
    rows = records(read(with_drafts, "finder.json"))
    assert rows == json.loads(read(with_drafts, "index.json"))
    assert DRAFT in {r["id"] for r in rows}
    assert {r["status"] for r in rows} == {"final", "draft"}
    for path, data in all_files(with_drafts):
        assert R_TEXT.encode() not in data and RESTRICTED.encode() not in data, path


def test_finder_json_drops_a_restricted_postmortem_handed_to_it(tmp_path: Path) -> None:
    """Like the other exports, finder_json withholds a restricted postmortem even
    when a caller passes it: no caller can leak one into the file."""
    docs = tmp_path / "docs"
    for rel, text in LIBRARY.items():
        (docs / rel).parent.mkdir(parents=True, exist_ok=True)
        (docs / rel).write_text(text, encoding="utf-8")
    library = load_library(docs, Settings(taxonomy=str(TAXONOMY)), tmp_path, tmp_path)
    every = library.postmortems
    assert RESTRICTED in {p.id for p in every}
    ids = {r["id"] for r in records(finder_json(every))}
    assert RESTRICTED not in ids and PUBLIC in ids
    assert json.loads(finder_json([]))["rows"] == []
