"""The layered-analysis sections of a real site: ruled-out layers on incident
and layer pages, open and overdue items per layer and type, and recurrences
on category pages, read from the HTML of real MkDocs builds."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import postmortem_text
from sitekit import (
    build,
    factors,
    incident_links,
    page,
    parse_html,
    write_site_at,
)

Entry = tuple[str, str, str, str, str, str | None]


def items(*entries: Entry) -> str:
    """`action_items:` YAML for (title, layer, type, due, status, closed) entries."""
    return "".join(
        f"\n  - title: {title}\n    layer: {layer}\n    type: {kind}\n"
        f"    owner: team-x\n    due: {due}\n    status: {status}"
        + (f"\n    closed: {closed}" if closed else "")
        for title, layer, kind, due, status, closed in entries
    )


def incident(
    pm_id: str, date: str, category: tuple[str, str], *entries: Entry, **kw: object
) -> str:
    """A final postmortem with one factor and the given action items."""
    fields: dict[str, object] = {
        "id": pm_id,
        "title": f"Incident {pm_id}",
        "date": date,
        "detected": None,
        "resolved": None,
        "factors": factors((*category, "A factor.")),
        "action_items": items(*entries),
        **kw,
    }
    return postmortem_text(**fields)


HALLU, INJECT, DRIFT, UNSAFE = (
    ("model", "hallucination"),
    ("model", "prompt-injection"),
    ("data", "data-drift"),
    ("model", "unsafe-output"),
)
DONE, OPEN = "done", "open"
# Hallucination: a prevent item of A was closed 2024-02-01 (due much later).
# B began that very day (not after it), C the day after.
# Prompt injection: D's prevent item is done with no closed date, so its due
# date (2024-04-01) counts. E began on it, F the day after.
# Data drift: G's prevent item is still open, so H is no recurrence.
# Unsafe output: only a restricted incident had a fix; P began later.
RESTRICTED_TITLE = "CANARYRECURRENCE9931 restricted fix"
LIBRARY = {
    "INC-2024-001.md": incident(
        "INC-2024-001",
        "2024-01-10",
        HALLU,
        ("Refuse unsupported answers", "model", "prevent", "2024-06-30", DONE, "2024-02-01"),
    ),
    "INC-2024-002.md": incident(
        "INC-2024-002",
        "2024-02-01",
        HALLU,
        ("Cite a source for each answer", "model", "detect", "2099-01-01", OPEN, None),
    ),
    "INC-2024-003.md": incident(
        "INC-2024-003",
        "2024-02-02",
        HALLU,
        ("Show sources next to answers", "model", "mitigate", "2020-01-01", OPEN, None),
    ),
    "INC-2024-004.md": incident(
        "INC-2024-004",
        "2024-03-01",
        INJECT,
        ("Separate user text from instructions", "model", "prevent", "2024-04-01", DONE, None),
    ),
    "INC-2024-005.md": incident(
        "INC-2024-005",
        "2024-04-01",
        INJECT,
        ("Strip instructions from tool output", "model", "prevent", "2099-01-01", OPEN, None),
    ),
    "INC-2024-006.md": incident(
        "INC-2024-006",
        "2024-04-02T08:00:00Z",
        INJECT,
        ("Limit the agent to read-only tools", "model", "mitigate", "2020-06-01", OPEN, None),
    ),
    "INC-2024-007.md": incident(
        "INC-2024-007",
        "2024-01-01",
        DRIFT,
        ("Track input drift per region", "data", "prevent", "2024-01-05", OPEN, None),
    ),
    "INC-2024-008.md": incident(
        "INC-2024-008",
        "2024-06-01",
        DRIFT,
        ("Page on drift above the threshold", "data", "detect", "2020-01-01", "in-progress", None),
        ruled_out=(
            "\n  - layer: model\n    reason: The model was unchanged <script>alert(1)</script>."
            "\n  - layer: human-in-the-loop\n    reason: Nobody reviews the scores."
            "\n  - layer: process\n    reason: The release followed the process."
        ),
    ),
    "secret/INC-2024-009.md": incident(
        "INC-2024-009",
        "2024-01-01",
        UNSAFE,
        (RESTRICTED_TITLE, "model", "prevent", "2024-01-31", DONE, "2024-01-05"),
        title="CANARYRECURRENCE9932 restricted title",
        visibility="restricted",
        ruled_out=(
            "\n  - layer: data\n    reason: CANARYRULEDOUT9933 restricted reason."
            "\n  - layer: human-in-the-loop\n    reason: Nobody reviews the output."
            "\n  - layer: process\n    reason: The release followed the process."
        ),
    ),
    "INC-2024-010.md": incident(
        "INC-2024-010",
        "2024-03-01",
        UNSAFE,
        ("Filter offensive output", "model", "prevent", "2099-01-01", OPEN, None),
    ),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(write_site_at(tmp_path_factory.mktemp("layers"), LIBRARY))


def recurrence_rows(site: Path, layer: str, category: str) -> list[tuple[str, str, str]]:
    """(later, earlier, fix day) of each recurrence row on a category page."""
    section = page(site, f"layers/{layer}/{category}/").find("section", "pm-recurrences")
    rows = []
    for tr in section.find_all("tbody")[0].find_all("tr") if section.find_all("tbody") else []:
        cells = tr.find_all("td")
        (later,) = incident_links(cells[0])
        (earlier,) = incident_links(cells[3])
        assert cells[4].text.strip() == f"Incident {earlier}"
        rows.append((later, earlier, cells[5].text.strip()))
    return rows


def test_recurrence_counts_from_the_closed_date_not_on_it(site: Path) -> None:
    """An incident that began the day after a fix was closed recurs; one on that day does not."""
    assert recurrence_rows(site, "model", "hallucination") == [
        ("INC-2024-003", "INC-2024-001", "2024-02-01")
    ]


def test_recurrence_falls_back_to_the_due_date(site: Path) -> None:
    """Without `closed`, a done prevent item counts from its due date, strictly before."""
    assert recurrence_rows(site, "model", "prompt-injection") == [
        ("INC-2024-006", "INC-2024-004", "2024-04-01")
    ]


def test_an_open_prevent_item_makes_no_recurrence(site: Path) -> None:
    """A prevent item that is not done is no fix that failed to hold."""
    section = page(site, "layers/data/data-drift/").find("section", "pm-recurrences")
    assert recurrence_rows(site, "data", "data-drift") == []
    assert "None so far" in section.text


def test_recurrences_never_link_or_name_a_restricted_incident(site: Path) -> None:
    """A restricted incident's fix makes no recurrence, and nothing of it reaches any page."""
    assert recurrence_rows(site, "model", "unsafe-output") == []
    for html in site.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        for canary in ("INC-2024-009", "CANARYRECURRENCE993", "CANARYRULEDOUT9933"):
            assert canary not in text, (html, canary)


def test_incident_page_shows_ruled_out_layers_escaped(site: Path) -> None:
    """An incident page lists each ruled-out layer, linked, with its reason escaped."""
    raw = (site / "incidents/INC-2024-008/index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in raw
    section = parse_html(raw).find("section", "pm-ruled-out")
    entries = {
        dt.text.strip(): dd.text.strip()
        for dt, dd in zip(section.find_all("dt"), section.find_all("dd"), strict=True)
    }
    assert entries == {
        "Model": "The model was unchanged <script>alert(1)</script>.",
        "Human in the loop": "Nobody reviews the scores.",
        "Process": "The release followed the process.",
    }
    assert "../../layers/model/" in section.hrefs()


def test_layer_page_lists_incidents_that_ruled_it_out(site: Path) -> None:
    """A layer page lists the published incidents that ruled it out, each with its reason."""
    section = page(site, "layers/model/").find("section", "pm-ruled-out")
    # INC-2024-007 rules out model through the fixture's defaults.
    assert incident_links(section) == {"INC-2024-007", "INC-2024-008"}
    assert section.find("tbody").find_all("tr")[0].find_all("td")[2].text == (
        "The model was unchanged <script>alert(1)</script>."
    )
    # Every hallucination incident ruled out data (the fixture's defaults), the
    # restricted one too, which must not be listed.
    data = page(site, "layers/data/").find("section", "pm-ruled-out")
    assert incident_links(data) == {f"INC-2024-{n:03d}" for n in (1, 2, 3, 4, 5, 6, 10)}


def _counts(cells: list[str]) -> list[tuple[int, int]]:
    out = []
    for cell in cells:
        open_part, overdue_part = cell.split(",")
        out.append((int(open_part.split()[0]), int(overdue_part.split()[0])))
    return out


def test_home_page_counts_open_and_overdue_items_per_layer_and_type(site: Path) -> None:
    """The home page counts, per layer, open prevent/detect/mitigate items and the overdue ones."""
    rows = page(site, "").find("div", "pm-home").table("Open action items by layer").rows()
    table = {r[0]: _counts(r[1:]) for r in rows}
    # Published open items: model prevent 2 (INC-2024-005, -010; not overdue),
    # detect 1 (INC-2024-002), mitigate 2 (both overdue); data prevent 1
    # overdue (INC-2024-007), detect 1 in progress and overdue (INC-2024-008).
    assert table == {
        "Model": [(2, 0), (1, 0), (2, 2)],
        "Data": [(1, 1), (1, 1), (0, 0)],
        "Human in the loop": [(0, 0), (0, 0), (0, 0)],
        "Process": [(0, 0), (0, 0), (0, 0)],
    }


def test_layer_page_counts_its_own_items(site: Path) -> None:
    """A layer page shows the same open and overdue counts for its own layer."""
    body = page(site, "layers/data/").find("div", "pm-layer")
    (row,) = body.table("Open action items on the Data layer").rows()
    assert _counts(row) == [(1, 1), (1, 1), (0, 0)]
