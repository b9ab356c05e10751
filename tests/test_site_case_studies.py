"""External case studies, how certain factors are, unexamined layers, month
dates, containment and ongoing incidents, as a reader finds them on a real
site: incident pages, listings, layer and category pages, the action-item
tracker, the home dashboard's figures, the exports and the feed, read from
the files of one real MkDocs build."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import postmortem_text
from sitekit import build, content, page, write_site_at

CASE = "INC-2025-201"
OURS = "INC-2025-014"
ONGOING = "INC-2025-015"
CONTAINED = "INC-2025-016"

CASE_STUDY = f"""---
id: {CASE}
title: Serving bugs degraded a provider's answers
status: final
severity: SEV2
date: 2025-08
detected: 2025-08-29
contained: 2025-09-04
resolved: 2025-09-18
summary: Three serving bugs degraded a hosted model's answers for some users for weeks.
systems: [serving-router, tpu-sampler]
origin: external
sources:
  - title: "A postmortem of <three> issues"
    url: https://www.example.org/postmortem
    published: 2025-09-17
  - title: Press coverage
    url: https://news.example.org/story
organizations:
  - name: "Example <Lab>"
    role: provider
  - name: Example Cloud
    role: vendor
harm:
  types: [service-disruption, death]
  affected: Some users of the hosted model
factors:
  - layer: model
    category: serving-defect
    summary: Requests went to servers configured for another context length.
    systems: [serving-router]
  - layer: model
    category: serving-defect
    summary: A compiler bug sometimes dropped the most likely token.
    basis: suspected
    systems: [tpu-sampler]
  - layer: process
    category: monitoring-gap
    summary: Reports of worse answers were read as ordinary variation.
    basis: alleged
not_examined:
  - layer: data
    reason: "The provider published nothing about <data>."
  - layer: human-in-the-loop
    reason: Public accounts say nothing about human review of answers.
action_items:
  - title: Run quality evaluations on production serving continuously
    layer: process
    type: detect
    status: open
  - title: Compare outputs across hardware platforms before a change ships
    layer: model
    type: prevent
    owner: provider-infrastructure
    due: 2025-10-01
    status: open
---

## What happened

Three bugs in the serving stack changed what the model answered.

## Impact

Some answers were worse for weeks.

## Timeline

- August: first reports.

## Contributing factors

See the front matter.

## Lessons learned

Evaluate what production serves, not only the model.
"""

OVERDUE_ITEM = (
    "\n  - title: Add policy questions to the release evaluation\n    layer: model\n"
    "    type: prevent\n    owner: support-ai-team\n    due: 2025-05-01\n    status: open"
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("case-studies")
    files = {
        "index.md": "# Home\n",
        f"{OURS}.md": postmortem_text(action_items=OVERDUE_ITEM),
        f"{ONGOING}.md": postmortem_text(
            id=ONGOING, title="Ongoing drift", date="2025-04", detected="2025-04-20", resolved=None
        ),
        f"{CONTAINED}.md": postmortem_text(
            id=CONTAINED,
            title="Contained before the fix",
            date="2025-05-01",
            detected="2025-05-02",
            contained="2025-05-03",
            resolved="2025-06-01",
        ),
        f"{CASE}.md": CASE_STUDY,
    }
    return build(write_site_at(root, files))


def card(site: Path, pm_id: str) -> dict[str, str]:
    dl = content(site, f"incidents/{pm_id}/").find("dl", "pm-card")
    return {
        div.find("dt").text.strip(): div.find("dd").text.strip()
        for div in dl.find_all("div")
        if div.find_all("dt")
    }


def rows_by_id(table_rows: list[list[str]]) -> dict[str, list[str]]:
    return {r[0].split()[0]: r for r in table_rows}


def test_case_study_page_is_marked_and_lists_its_sources(site: Path) -> None:
    """The page says "External case study" and lists its sources, escaped, with links."""
    article = content(site, f"incidents/{CASE}/")
    assert "External case study" in article.find("p", "pm-external-note").text
    assert card(site, CASE)["Origin"] == "External case study"
    sources = article.find("section", "pm-sources")
    links = [(a.text, a.attrs["href"]) for a in sources.find_all("a")]
    assert links == [
        ("A postmortem of <three> issues", "https://www.example.org/postmortem"),
        ("Press coverage", "https://news.example.org/story"),
    ]
    assert "(2025-09-17)" in sources.text
    raw = (site / "incidents" / CASE / "index.html").read_text(encoding="utf-8")
    assert "<three>" not in raw and "&lt;three&gt;" in raw
    assert "<Lab>" not in raw and "&lt;data&gt;" in raw


def test_our_incident_says_it_is_ours(site: Path) -> None:
    """An incident without `origin` is shown as our own, with no case-study note."""
    article = content(site, f"incidents/{OURS}/")
    assert card(site, OURS)["Origin"] == "Our own incident"
    assert article.find_all("p", "pm-external-note") == []
    assert article.find_all("section", "pm-sources") == []


def test_organisations_with_their_roles(site: Path) -> None:
    """Each organisation is named with its role."""
    assert card(site, CASE)["Organisations"] == "Example <Lab> (provider), Example Cloud (vendor)"


def test_factors_show_basis_and_systems(site: Path) -> None:
    """A factor less than established says so; a factor's systems link to their pages."""
    factors = content(site, f"incidents/{CASE}/").find("section", "pm-factors")
    items = {li.text.split(":")[0].strip(): li for li in factors.find_all("li")}
    texts = [" ".join(li.text.split()) for li in factors.find_all("li")]
    assert texts[0].startswith("Serving or inference defect: Requests went")
    assert texts[0].endswith("(in serving-router)")
    assert texts[1].startswith("suspected Serving or inference defect: A compiler bug")
    assert texts[2].startswith("alleged Monitoring gap: Reports")
    assert [s.text for s in factors.find_all("span", "pm-basis")] == ["suspected", "alleged"]
    first = factors.find_all("li")[0].find("span", "pm-factor-systems")
    assert first.hrefs() == ["../../systems/serving-router/"]
    assert items  # every factor is an item of its layer's list


def test_layers_not_examined_on_incident_and_layer_pages(site: Path) -> None:
    """Unexamined layers are listed with their reasons, apart from ruled-out ones,
    on the incident page and on the layer's page."""
    section = content(site, f"incidents/{CASE}/").find("section", "pm-not-examined")
    pairs = {div.find("dt").text: div.find("dd").text for div in section.find_all("div")}
    assert pairs == {
        "Data": "The provider published nothing about <data>.",
        "Human in the loop": "Public accounts say nothing about human review of answers.",
    }
    assert content(site, f"incidents/{CASE}/").find_all("section", "pm-ruled-out") == []
    layer = content(site, "layers/data/").find("section", "pm-not-examined")
    rows = layer.find("table").rows()
    assert [r[0] for r in rows] == [CASE]
    assert "External case study" in rows[0][1]
    assert rows[0][2] == "The provider published nothing about <data>."


def test_month_dates_show_as_the_month_with_no_made_up_duration(site: Path) -> None:
    """`date: 2025-08` reads "August 2025" (in listings "Aug 2025"); no
    duration is computed from it."""
    shown = card(site, CASE)
    assert shown["Began"] == "August 2025"
    assert shown["Detected"] == "2025-08-29"
    assert shown["Contained"] == "2025-09-04"
    assert shown["Resolved"] == "2025-09-18"
    listing = rows_by_id(content(site, "incidents/").table("Incidents").rows())
    # Abbreviated in a listing's date column, which does not wrap.
    assert listing[CASE][4] == "Aug 2025"
    assert listing[ONGOING][4] == "Apr 2025"


def test_contained_with_its_duration(site: Path) -> None:
    """Where every value has a day, containment shows how long after the start it came."""
    shown = card(site, CONTAINED)
    assert shown["Contained"] == "2025-05-03 (2 days after it began)"
    assert shown["Resolved"] == "2025-06-01 (31 days after it began)"


def test_ongoing_on_its_page_and_in_listings(site: Path) -> None:
    """A final postmortem without `resolved` is ongoing: on its page and in listings."""
    shown = card(site, ONGOING)
    assert shown["Status"] == "final Ongoing"
    assert shown["Resolved"] == "Not yet: this incident is ongoing."
    listing = rows_by_id(content(site, "incidents/").table("Incidents").rows())
    assert listing[ONGOING][3] == "final Ongoing"
    assert listing[OURS][3] == "final"
    system = rows_by_id(content(site, "systems/support-assistant/").table("3 incidents").rows())
    assert system[ONGOING][3] == "final Ongoing"


def test_listings_mark_case_studies_and_offer_the_origin_filter(site: Path) -> None:
    """Listing rows carry the badge and `data-origin`; the incidents page filters by origin."""
    article = content(site, "incidents/")
    table = article.table("Incidents")
    rows = {tr.find("a").text: tr for tr in table.find("tbody").find_all("tr")}
    assert rows[CASE].attrs["data-origin"] == "external"
    assert rows[OURS].attrs["data-origin"] == "internal"
    assert "External case study" in rows[CASE].text
    assert "External case study" not in rows[OURS].text
    select = next(s for s in article.find_all("select") if s.attrs.get("name") == "origin")
    options = [(o.attrs["value"], o.text) for o in select.find_all("option")]
    assert options == [
        ("", "any"),
        ("internal", "Our own incident"),
        ("external", "External case study"),
    ]
    category = content(site, "layers/model/serving-defect/")
    assert "External case study" in category.table("1 incidents").rows()[0][1]


def test_tracker_leaves_case_studies_out_of_its_counts(site: Path) -> None:
    """A case study's items are listed last, without owner or due where none is
    known, never overdue, and in no count of the tracker, the home page or the layers."""
    tracker = content(site, "action-items/")
    assert "1 overdue." in tracker.find("p").text
    owners = tracker.table("Action items by owner and status").rows()
    assert [r[0] for r in owners] == ["support-ai-team"]
    items = tracker.table("Action items 1").rows()
    # The incident cell: its id, then the badge on a line of its own.
    assert [r[0] for r in items][-2:] == [CASE + "External case study"] * 2
    assert not any("External" in r[0] for r in items[:-2])
    unknown = next(r for r in items if r[1].startswith("Run quality"))
    assert unknown[4:6] == ["—", "—"]
    dated = next(r for r in items if r[1].startswith("Compare outputs"))
    assert dated[5] == "2025-10-01"  # past due, yet not ours to chase
    home = content(site, "")
    glance = " ".join(home.find("ul", "pm-glance").text.split())
    assert "1 open action items, 1 overdue" in glance
    assert "1 of them external case study, left out of the action-item and time figures" in glance
    assert "1 ongoing" in glance
    process = content(site, "layers/process/").table("Open action items").rows()
    assert process == [["0 open, 0 overdue", "0 open, 0 overdue", "0 open, 0 overdue"]]


def test_time_figures_are_about_our_own_incidents(site: Path) -> None:
    """The home dashboard's time to detect, contain and resolve leaves out case
    studies and, for time to resolve, ongoing incidents."""
    home = page(site, "")
    figure = home.table("Median time in")
    caption = " ".join(figure.find("caption").text.split())
    assert "1 external case study" in caption
    # Cells after the row's heading (its severity): measure, incidents, median, max.
    counts = {r[0]: int(r[1]) for r in figure.rows()}
    # Ours: 014 and 016 have every date; 015 began in a month and is ongoing.
    assert counts == {"to detect": 2, "to contain": 1, "to resolve": 2}


def test_exports_carry_origin_dates_and_state(site: Path) -> None:
    """incidents.json has every record's origin, month dates as written,
    `contained` and `ongoing`; the CSV and the finder's rows have them too."""
    records = {r["id"]: r for r in json.loads((site / "incidents.json").read_text())["incidents"]}
    assert {i: r["origin"] for i, r in records.items()} == {
        CASE: "external",
        OURS: "internal",
        ONGOING: "internal",
        CONTAINED: "internal",
    }
    assert records[CASE]["date"] == "2025-08"
    assert records[CASE]["contained"] == "2025-09-04"
    assert records[CASE]["factors"][2]["basis"] == "alleged"
    assert records[CASE]["sources"][0]["url"] == "https://www.example.org/postmortem"
    assert records[ONGOING].get("ongoing") is True
    assert "ongoing" not in records[OURS]
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO((site / "incidents.csv").read_text()))}
    assert rows[CASE]["origin"] == "external"
    assert rows[CASE]["not_examined"].startswith("data: The provider published nothing")
    assert rows[ONGOING]["ongoing"] == "true"
    finder = json.loads((site / "incidents" / "finder.json").read_text())
    col = {name: i for i, name in enumerate(finder["columns"])}
    by_id = {r[col["id"]]: r for r in finder["rows"]}
    assert by_id[CASE][col["origin"]] == "external"
    assert by_id[ONGOING][col["ongoing"]] is True


def test_feed_marks_case_studies(site: Path) -> None:
    """A case study's feed entry says "External case study." and carries its
    origin as a category; our own incidents' entries are as they were."""
    ns = {"a": "http://www.w3.org/2005/Atom"}
    feed = ET.fromstring((site / "feed.xml").read_text(encoding="utf-8"))
    entries = {e.findtext("a:title", namespaces=ns): e for e in feed.findall("a:entry", ns)}
    case = entries["Serving bugs degraded a provider's answers"]
    assert case.findtext("a:summary", namespaces=ns).startswith("External case study. Three")
    terms = [c.attrib["term"] for c in case.findall("a:category", ns)]
    assert "external" in terms
    ours = entries["Support assistant invented a refund policy"]
    assert not ours.findtext("a:summary", namespaces=ns).startswith(("External", "Ongoing"))


def test_feed_marks_ongoing_incidents(site: Path) -> None:
    """An ongoing incident's feed entry says so in its summary and a category,
    and gives no resolution as its updated time; resolved ones say nothing of it."""
    ns = {"a": "http://www.w3.org/2005/Atom"}
    feed = ET.fromstring((site / "feed.xml").read_text(encoding="utf-8"))
    entries = {e.findtext("a:title", namespaces=ns): e for e in feed.findall("a:entry", ns)}
    ongoing = entries["Ongoing drift"]
    summary = ongoing.findtext("a:summary", namespaces=ns)
    assert summary.startswith("Ongoing: not yet resolved. ")
    assert "resolved" not in summary.removeprefix("Ongoing: not yet resolved. ")
    labels = {c.attrib["term"]: c.attrib["label"] for c in ongoing.findall("a:category", ns)}
    assert labels["ongoing"] == "status: Ongoing"
    assert ongoing.findtext("a:updated", namespaces=ns) == ongoing.findtext(
        "a:published", namespaces=ns
    )
    for title in ("Contained before the fix", "Serving bugs degraded a provider's answers"):
        entry = entries[title]
        assert "Ongoing" not in entry.findtext("a:summary", namespaces=ns)
        assert "ongoing" not in [c.attrib["term"] for c in entry.findall("a:category", ns)]


def test_search_entries_mark_case_studies(site: Path) -> None:
    """Every search entry of a case study's page carries "External case study"
    as a tag, first of the library's terms, and its text says so too; our own
    incidents' entries say nothing of it."""
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    by_page: dict[str, list[dict[str, object]]] = {}
    for doc in index["docs"]:
        by_page.setdefault(doc["location"].partition("#")[0], []).append(doc)
    case = by_page[f"incidents/{CASE}/"]
    assert len(case) > 1
    for doc in case:
        tags = doc["tags"]
        assert isinstance(tags, list)
        assert tags.index("External case study") == tags.index(CASE) - 1, tags
    main = next(d for d in case if d["location"] == f"incidents/{CASE}/")
    assert "<p>External case study</p>" in str(main["text"])
    for pm_id in (OURS, ONGOING):
        assert "External case study" not in json.dumps(by_page[f"incidents/{pm_id}/"])


def test_category_page_says_which_of_its_factors_are_not_established(site: Path) -> None:
    """A category page lists the incidents whose factor of that category is
    suspected or alleged, with the basis; established ones are not listed."""
    defects = content(site, "layers/model/serving-defect/")
    rows = defects.table("1 factors of this category that are not established").rows()
    assert rows == [[CASE, "suspected", "A compiler bug sometimes dropped the most likely token."]]
    monitoring = content(site, "layers/process/monitoring-gap/")
    assert monitoring.table("1 factors").rows()[0][:2] == [CASE, "alleged"]
    assert content(site, "layers/model/hallucination/").find_all("section", "pm-uncertain") == []


def test_guide_tells_authors_about_unexamined_layers(site: Path) -> None:
    """The guide's walk through the layers says where a layer no one could examine goes."""
    text = " ".join(content(site, "guide/").text.split())
    assert "under not_examined with the reason instead" in text
    assert "(not-examined-conflict)" in text
