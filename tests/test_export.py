"""`postmortems export` and the export core: what is in, what never is."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from conftest import postmortem_text
from mkdocs_postmortems.adapters.cli import cli
from mkdocs_postmortems.check.library import load_library
from mkdocs_postmortems.settings import Settings
from mkdocs_postmortems.web.export import incident_record, incidents_csv, incidents_json

ITEMS = (
    "\n  - title: Add policy questions to the evaluation\n    layer: process\n"
    "    type: prevent\n    owner: ml-platform\n    due: 2025-05-01 10:00\n    status: open"
    '\n  - title: =HYPERLINK("http://x")\n    layer: model\n    type: detect\n'
    "    owner: support-ai\n    due: '2025-06-01'\n    status: done"
)
LIBRARY = {
    "2025/INC-2025-014-refunds.md": postmortem_text(
        date="2025-03-14T09:12:00Z",
        detected="2025-03-15 08:00",
        resolved="'2025-03-16'",
        tags="[llm, refunds]",
        authors="[support-ai-team]",
        related="[INC-2025-002]",
        action_items=ITEMS,
        harm="{types: [financial], legal_review: approved}",
        **{"x-ticket": "AI-231", "x-cost": ".nan"},
    ),
    "2025/INC-2025-002.md": postmortem_text(
        id="INC-2025-002", title="Draft incident", status="draft", date="2025-02-01"
    ),
    "2025/INC-2025-003.md": postmortem_text(
        id="INC-2025-003", visibility="restricted", title="Secret restricted incident"
    ),
    "2025/INC-2025-004.md": postmortem_text(
        id="INC-2025-004",
        date="2025-01-01",
        title="Earlier final incident",
        summary="'-1 was the score'",
    ),
}


@pytest.fixture
def site(write_site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    root = write_site(LIBRARY)
    monkeypatch.chdir(root)
    return root


def export(*args: str) -> Result:
    return CliRunner().invoke(cli, ["export", *args])


def incidents(result: Result) -> list[dict[str, Any]]:
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout, parse_constant=lambda c: pytest.fail(f"not JSON: {c}"))
    assert list(data) == ["incidents"]
    records: list[dict[str, Any]] = data["incidents"]
    return records


def test_json_lists_final_incidents_newest_first(site: Path) -> None:
    """Without drafts: the final incidents, newest first; never the restricted one."""
    records = incidents(export())
    assert [r["id"] for r in records] == ["INC-2025-014", "INC-2025-004"]
    assert "Secret" not in json.dumps(records)


def test_drafts_come_with_the_flag_or_the_option_restricted_never(
    site: Path, write_site: Callable[..., Path]
) -> None:
    """--include-drafts (or include_drafts: true) adds drafts; restricted stays out."""
    assert "INC-2025-002" in [r["id"] for r in incidents(export("--include-drafts"))]
    write_site({}, plugin_options="include_drafts: true")
    records = incidents(export())
    assert [r["id"] for r in records] == ["INC-2025-014", "INC-2025-002", "INC-2025-004"]
    assert all(r.get("visibility") != "restricted" for r in records)
    assert "Secret" not in export("--format", "csv", "--include-drafts").stdout


def test_record_carries_the_front_matter_with_iso_dates_and_url(site: Path) -> None:
    """Every front-matter field is there, dates as ISO 8601, x- keys included, plus url."""
    record = incidents(export())[0]
    assert record["date"] == "2025-03-14T09:12:00+00:00"
    assert record["detected"] == "2025-03-15T08:00:00"
    assert record["resolved"] == "2025-03-16"
    assert [a["due"] for a in record["action_items"]] == ["2025-05-01T10:00:00", "2025-06-01"]
    assert record["x-ticket"] == "AI-231" and record["x-cost"] == "nan"
    assert record["harm"] == {"types": ["financial"], "legal_review": "approved"}
    assert record["related"] == ["INC-2025-002"]
    assert record["url"] == "incidents/INC-2025-014/"
    assert list(record)[:3] == ["id", "title", "status"]


def test_csv_has_one_row_per_incident_with_joined_lists(site: Path) -> None:
    """Lists are joined with '; ', factors as layer/category, x- keys as extra columns."""
    result = export("--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    assert [r["id"] for r in rows] == ["INC-2025-014", "INC-2025-004"]
    row = rows[0]
    assert row["tags"] == "llm; refunds"
    assert row["factors"] == "model/hallucination"
    assert row["harm_types"] == "financial" and row["legal_review"] == "approved"
    assert row["date"] == "2025-03-14T09:12:00+00:00"
    assert row["url"] == "incidents/INC-2025-014/"
    assert row["x-ticket"] == "AI-231" and rows[1]["x-ticket"] == ""
    assert row["action_items"].startswith(
        "Add policy questions to the evaluation (ml-platform, open, due 2025-05-01); "
    )


def test_csv_cells_cannot_run_as_spreadsheet_formulas(site: Path) -> None:
    """A cell starting with = + - @ is prefixed with an apostrophe."""
    rows = list(csv.DictReader(io.StringIO(export("--format", "csv").stdout, newline="")))
    assert rows[0]["action_items"].split("; ")[1].startswith('=HYPERLINK("http://x")')
    assert rows[1]["summary"] == "'-1 was the score"


def test_output_file(site: Path) -> None:
    """-o writes the export to a file and prints nothing."""
    result = export("--format", "csv", "-o", "out/incidents.csv")
    assert result.exit_code == 1 and "out/incidents.csv" in result.output
    result = export("-o", "incidents.json")
    assert result.exit_code == 0 and result.stdout == ""
    data = json.loads((site / "incidents.json").read_text(encoding="utf-8"))
    assert len(data["incidents"]) == 2


def test_errors_refuse_the_export(site: Path) -> None:
    """A library with errors exports nothing, lists the findings, and exits 1."""
    (site / "docs" / "INC-2025-009.md").write_text(
        postmortem_text(id="INC-2025-009", severity="SEV9"), encoding="utf-8"
    )
    result = export("-o", "incidents.json")
    assert result.exit_code == 1
    assert "INC-2025-009.md:5:11: error invalid-value: severity must be one of" in result.output
    assert "nothing exported" in result.output
    assert not (site / "incidents.json").exists()


def test_core_never_exports_restricted_and_never_mutates(write_site: Callable[..., Path]) -> None:
    """Given everything, the core still drops restricted incidents and leaves the data alone."""
    root = write_site(LIBRARY)
    library = load_library(root / "docs", Settings(), root)
    everything = library.postmortems
    assert {p.id for p in everything} >= {"INC-2025-003"}
    for text in (incidents_json(everything), incidents_csv(everything)):
        assert "INC-2025-003" not in text and "Secret" not in text
    pm = next(p for p in everything if p.id == "INC-2025-014")
    before = json.dumps(pm.data, default=str)
    incident_record(pm)["title"] = "changed"
    assert json.dumps(pm.data, default=str) == before


def test_empty_exports_are_well_formed() -> None:
    """An export of nothing is a header line; an empty JSON export is an empty list."""
    assert incidents_json([]) == '{"incidents": []}\n'
    assert incidents_csv([]).startswith("id,title,status,")
