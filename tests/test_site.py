"""A real site built by MkDocs from a small, known library: its addresses,
cross-links, counts, links, search index, exports and self-containment."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import postmortem_text
from sitekit import (
    actions,
    broken_links,
    build,
    factors,
    html_files,
    incident_links,
    is_external,
    page,
    parse_html,
    write_site_at,
)

P1, P2, P3, P4 = "INC-2024-001", "INC-2023-001", "INC-2025-002", "INC-2022-009"
LIBRARY = {
    # A sub-folder, a long file name.
    "2024/INC-2024-001-parcel-bot-swore.md": postmortem_text(
        id=P1,
        title="Parcel bot swore at a customer",
        severity="SEV1",
        date="2024-01-18",
        detected="2024-01-18",
        resolved="2024-01-19",
        summary="The delivery chatbot wrote a poem about its own uselessness.",
        systems="[parcel-bot]",
        factors=factors(
            ("model", "unsafe-output", "Coaxed into off-brand output."),
            ("process", "evaluation-gap", "No red-team suite before the update."),
        ),
        action_items=actions(
            ("Add an output filter", "model", "support-ops", "2099-01-01", "open"),
            ("Roll back the update", "process", "platform-team", "2024-01-19", "done"),
        ),
        related=f"[{P2}]",
    ),
    # The file name is the id alone.
    "INC-2023-001.md": postmortem_text(
        id=P2,
        title="Assistant invented a court case",
        severity="SEV2",
        date="2023-05-01",
        detected="2023-05-20",
        resolved="2023-06-01",
        summary="Citations produced by the assistant were filed without being checked.",
        systems="[parcel-bot, answer-engine]",
        factors=factors(
            ("model", "hallucination", "Invented citations."),
            ("human-in-the-loop", "automation-bias", "Output trusted without checking."),
        ),
        action_items=actions(
            ("Refuse citations no source holds", "model", "answer-team", "2023-07-01", "done"),
            ("Show sources beside citations", "human-in-the-loop", "ux-team", "2023-08-01", "done"),
        ),
    ),
    # Deep folders.
    "teams/search/deep/INC-2025-002-glue.md": postmortem_text(
        id=P3,
        title="Answer engine recommended glue on pizza",
        severity="SEV3",
        date="2025-02-02",
        detected="2025-02-03",
        resolved="2025-02-10",
        summary="A joke forum post was retrieved and presented as cooking advice.",
        systems="[answer-engine]",
        factors=factors(
            ("model", "hallucination", "Presented a joke as fact."),
            ("data", "untrusted-source", "A forum joke was in the retrieval corpus."),
        ),
        action_items=actions(
            ("Drop satire from answers", "data", "search-team", "2025-03-01", "done"),
            ("Refuse jokes as advice", "model", "search-team", "2025-03-01", "wont-do"),
        ),
        related=f"[{P2}, {P1}]",
    )
    + "\nAs in [the court case](../../../INC-2023-001.md), the answer looked right.\n",
    "INC-2022-009-ranker-notes.md": postmortem_text(
        id=P4,
        title="Ranker drifted unnoticed",
        severity="SEV4",
        date="2022-07-07",
        detected="2022-08-01",
        resolved="2022-08-15",
        summary="Ranking quality fell for a month before anyone saw it.",
        systems="[ranker]",
        factors=factors(("process", "monitoring-gap", "No quality dashboard.")),
        action_items=actions(
            ("Build a quality dashboard", "process", "ranking-team", "2099-06-30", "in-progress"),
        ),
    ),
    # Links written to postmortems' files lead to their pages.
    "notes/runbook.md": (
        "# Runbook\n\nAn ordinary page, not a postmortem. See "
        "[the parcel bot](../2024/INC-2024-001-parcel-bot-swore.md) and "
        "[the court case](../INC-2023-001.md#what-happened).\n"
    ),
}
PUBLISHED = {P1, P2, P3, P4}
SOURCES = {
    P1: "2024/INC-2024-001-parcel-bot-swore",
    P2: "INC-2023-001",
    P3: "teams/search/deep/INC-2025-002-glue",
    P4: "INC-2022-009-ranker-notes",
}
LAYER_COUNTS = {"model": 3, "data": 1, "human-in-the-loop": 1, "process": 2}
CATEGORIES = {
    ("model", "unsafe-output"): {P1},
    ("model", "hallucination"): {P2, P3},
    ("human-in-the-loop", "automation-bias"): {P2},
    ("data", "untrusted-source"): {P3},
    ("process", "evaluation-gap"): {P1},
    ("process", "monitoring-gap"): {P4},
}
SYSTEMS = {"parcel-bot": {P1, P2}, "answer-engine": {P2, P3}, "ranker": {P4}}
OPEN_ITEMS = {"parcel-bot": 1, "answer-engine": 0, "ranker": 1}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(write_site_at(tmp_path_factory.mktemp("known"), LIBRARY))


def caption_count(node: object, pattern: str) -> int:
    """The number in the first table caption that matches pattern (with one group)."""
    assert hasattr(node, "find_all")
    for cap in node.find_all("caption"):
        m = re.search(pattern, cap.text)
        if m:
            return int(m.group(1))
    raise AssertionError(f"no caption matching {pattern!r}")


# --- 1. addresses ------------------------------------------------------------------


def test_every_stable_address_exists(site: Path) -> None:
    """Each page and file of the spec's address table is in the output."""
    addresses = [
        "",
        "incidents/",
        "layers/",
        "systems/",
        "action-items/",
        "guide/",
        "notes/runbook/",
        *(f"incidents/{i}/" for i in PUBLISHED),
        *(f"layers/{layer}/" for layer in LAYER_COUNTS),
        *(f"layers/{layer}/{cat}/" for layer, cat in CATEGORIES),
        *(f"systems/{s}/" for s in SYSTEMS),
    ]
    missing = [a for a in addresses if not (site / a / "index.html").is_file()]
    assert not missing
    for name in (
        "incidents.json",
        "incidents.csv",
        "feed.xml",
        "incidents/index.json",
        "incidents/finder.json",
    ):
        assert (site / name).is_file(), name


def test_incident_page_shows_its_own_postmortem(site: Path) -> None:
    """incidents/<id>/ is the page of that incident, whatever its file was called."""
    for pm_id in PUBLISHED:
        card = page(site, f"incidents/{pm_id}/").find("dl", "pm-card")
        assert card.find("code").text == pm_id


def test_source_locations_are_not_in_the_output(site: Path) -> None:
    """A postmortem is only at incidents/<id>/, never also where its file sits."""
    for src in SOURCES.values():
        assert not (site / src).exists(), src
        assert not (site / f"{src}.html").exists(), src
    assert not (site / "2024").exists()
    assert not (site / "teams").exists()
    # Only the published incidents (and the incidents index) are under incidents/.
    assert {p.name for p in (site / "incidents").iterdir() if p.is_dir()} == PUBLISHED


def test_only_categories_in_use_get_a_page(site: Path) -> None:
    """A category no published incident carries has no page (and no link)."""
    assert not (site / "layers/model/prompt-injection").exists()
    made = {(p.parent.parent.name, p.parent.name) for p in (site / "layers").glob("*/*/index.html")}
    assert made == set(CATEGORIES)


# --- 2. cross-links and counts ----------------------------------------------------


def test_incident_page_links_layers_categories_and_systems(site: Path) -> None:
    """Each incident page links each of its layers, categories and systems."""
    expected = {
        P1: ({"model", "process"}, {"model/unsafe-output", "process/evaluation-gap"}),
        P2: (
            {"model", "human-in-the-loop"},
            {"model/hallucination", "human-in-the-loop/automation-bias"},
        ),
        P3: ({"model", "data"}, {"model/hallucination", "data/untrusted-source"}),
        P4: ({"process"}, {"process/monitoring-gap"}),
    }
    for pm_id, (layers, cats) in expected.items():
        incident = page(site, f"incidents/{pm_id}/").find("div", "pm-incident")
        hrefs = set(incident.hrefs())
        assert {f"../../layers/{layer}/" for layer in layers} <= hrefs
        assert {f"../../layers/{c}/" for c in cats} <= hrefs
        systems = {s for s, ids in SYSTEMS.items() if pm_id in ids}
        assert {f"../../systems/{s}/" for s in systems} <= hrefs
        # Links to layers/categories/systems it does not carry would be wrong;
        # its ruled-out layers are linked from their own section.
        ruled_out = {h for s in incident.find_all("section", "pm-ruled-out") for h in s.hrefs()}
        linked_layers = {
            h.split("/")[3] for h in hrefs - ruled_out if h.startswith("../../layers/")
        }
        assert linked_layers == layers


def related_section(site: Path, pm_id: str, heading: str) -> set[str] | None:
    """Ids linked under an incident page's "Related"/"Cited by" heading."""
    section = page(site, f"incidents/{pm_id}/").find_all("section", "pm-related")
    if not section:
        return None
    for h3 in section[0].find_all("h3"):
        if h3.text == heading:
            return incident_links(h3.following("ul"))
    return None


def test_related_incidents_are_linked(site: Path) -> None:
    """An incident page links the incidents in its `related`."""
    assert related_section(site, P1, "Related") == {P2}
    assert related_section(site, P3, "Related") == {P2, P1}
    assert related_section(site, P2, "Related") is None


def test_cited_by_backlinks(site: Path) -> None:
    """An incident page lists, as links, the incidents that name it as related."""
    assert related_section(site, P2, "Cited by") == {P1, P3}
    assert related_section(site, P1, "Cited by") == {P3}
    assert related_section(site, P3, "Cited by") is None
    assert related_section(site, P4, "Cited by") is None


def test_layer_pages_list_their_incidents_with_counts(site: Path) -> None:
    """A layer page lists exactly its incidents, and counts them and its categories right."""
    for layer, count in LAYER_COUNTS.items():
        body = page(site, f"layers/{layer}/").find("div", "pm-layer")
        incidents_table = next(t for t in body.find_all("table") if "data-pm-table" in t.attrs)
        want = {i for (lay, _), ids in CATEGORIES.items() if lay == layer for i in ids}
        assert incident_links(incidents_table) == want
        assert len(want) == count
        assert caption_count(body, r"^(\d+) incidents$") == count
        categories_table = body.table("Categories of the")
        counts = {row[0]: int(row[2]) for row in categories_table.rows()}
        for (lay, cat), ids in CATEGORIES.items():
            if lay == layer:
                title = next(
                    a.text for a in categories_table.find_all("a") if a.attrs["href"] == f"{cat}/"
                )
                assert counts[title] == len(ids), (layer, cat)
        assert sum(counts.values()) == sum(
            len(ids) for (lay, _), ids in CATEGORIES.items() if lay == layer
        )


def test_layers_index_counts(site: Path) -> None:
    """The layers index counts each layer's incidents."""
    rows = page(site, "layers/").find("div", "pm-layers").table("Layers").rows()
    assert {r[0]: int(r[2]) for r in rows} == {
        "Model": 3,
        "Data": 1,
        "Human in the loop": 1,
        "Process": 2,
    }


def test_category_pages_list_their_incidents(site: Path) -> None:
    """A category page lists exactly the incidents that carry it, and their number."""
    for (layer, cat), ids in CATEGORIES.items():
        body = page(site, f"layers/{layer}/{cat}/").find("div", "pm-category")
        table = next(t for t in body.find_all("table") if "data-pm-table" in t.attrs)
        assert incident_links(table) == ids, cat
        assert caption_count(body, r"^(\d+) incidents with this factor") == len(ids)
        assert f"../../{layer}/" in body.hrefs() or "../" in body.hrefs()


def test_system_pages_and_counts(site: Path) -> None:
    """Each system page lists its incidents; the systems index counts incidents and open items."""
    for system, ids in SYSTEMS.items():
        body = page(site, f"systems/{system}/").find("div", "pm-system")
        assert incident_links(body) == ids
        assert caption_count(body, r"^(\d+) incidents involving") == len(ids)
    rows = page(site, "systems/").find("div", "pm-systems").table("AI systems").rows()
    assert {r[0]: (int(r[1]), int(r[2])) for r in rows} == {
        s: (len(ids), OPEN_ITEMS[s]) for s, ids in SYSTEMS.items()
    }


def test_home_page_counts(site: Path) -> None:
    """The generated home page counts incidents, open items, incidents per layer and severity."""
    home = page(site, "").find("div", "pm-home")
    glance = home.find("ul", "pm-glance").text
    assert re.search(r"\b4 published incidents", glance)
    assert re.search(r"\b2 open action items", glance)
    by_layer = {r[0]: int(r[1]) for r in home.table("Incidents by layer").rows()}
    assert by_layer == {"Model": 3, "Data": 1, "Human in the loop": 1, "Process": 2}
    by_sev = {r[0]: int(r[1]) for r in home.table("Incidents by severity").rows()}
    assert by_sev == {"SEV1": 1, "SEV2": 1, "SEV3": 1, "SEV4": 1}
    assert incident_links(home) == PUBLISHED


def test_incidents_index_lists_every_published_incident(site: Path) -> None:
    """incidents/ lists every published incident, newest first."""
    body = page(site, "incidents/").find("div", "pm-index")
    table = next(t for t in body.find_all("table") if "data-pm-table" in t.attrs)
    ids = [r[0] for r in table.rows()]
    assert ids == [P3, P1, P2, P4]


def test_action_items_page_lists_every_item(site: Path) -> None:
    """action-items/ lists every action item with its incident, open ones first."""
    body = page(site, "action-items/").find("div", "pm-tracker")
    table = next(t for t in body.find_all("table") if "data-pm-actions" in t.attrs)
    rows = table.rows()
    assert [(r[0], r[1], r[6]) for r in rows] == [
        (P1, "Add an output filter", "open"),
        (P4, "Build a quality dashboard", "in-progress"),
        (P2, "Refuse citations no source holds", "done"),
        (P2, "Show sources beside citations", "done"),
        (P1, "Roll back the update", "done"),
        (P3, "Drop satire from answers", "done"),
        (P3, "Refuse jokes as advice", "wont-do"),
    ]


def test_charts_render_as_svg(site: Path) -> None:
    """Home, layers and layer pages draw their charts as SVG, not as escaped markup text."""
    for address in ("", "layers/", "layers/model/"):
        raw = (site / address / "index.html").read_text(encoding="utf-8")
        assert "&lt;svg" not in raw and "&lt;figure" not in raw, address
        figures = parse_html(raw).find("article").find_all("figure", "pm-chart")
        assert figures, address
        assert all(f.find_all("svg") for f in figures), address


def test_markdown_links_to_postmortem_files_lead_to_their_pages(site: Path) -> None:
    """A link written to a postmortem's .md file points at incidents/<id>/ in the output."""
    runbook = page(site, "notes/runbook/").find("article")
    assert "../../incidents/INC-2024-001/" in runbook.hrefs()
    assert "../../incidents/INC-2023-001/#what-happened" in runbook.hrefs()
    glue = page(site, f"incidents/{P3}/").find("article")
    assert f"../{P2}/" in glue.hrefs()


# --- 3. links ----------------------------------------------------------------------


def test_no_broken_internal_link(site: Path) -> None:
    """Every relative href/src (and #fragment) in every HTML file resolves."""
    assert len(html_files(site)) > 15
    assert broken_links(site) == []


def test_link_checker_catches_a_broken_link(tmp_path: Path) -> None:
    """The crawler used above does report a missing page and a missing fragment."""
    (tmp_path / "a").mkdir()
    (tmp_path / "a/index.html").write_text(
        '<p id="x"><a href="../b/">b</a> <a href="#x">ok</a> <a href="#nope">f</a>'
        '<img src="../img.png"><a href="https://example.com/">ext</a></p>'
    )
    (tmp_path / "index.html").write_text('<a href="a/#x">a</a>')
    problems = broken_links(tmp_path)
    assert len(problems) == 3, problems


# --- 6. search -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def search_docs(site: Path) -> list[dict[str, object]]:
    docs = json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))["docs"]
    assert isinstance(docs, list)
    return docs


def test_search_finds_each_incident_by_id_title_summary_system_category(
    search_docs: list[dict[str, object]],
) -> None:
    """Each published incident is indexed with its id, title, summary, systems, categories."""
    pms = {
        P1: ("Parcel bot swore", "poem about its own uselessness", "Jailbreak or unsafe output"),
        P2: ("invented a court case", "filed without being checked", "Hallucination"),
        P3: ("glue on pizza", "joke forum post", "Untrusted source content"),
        P4: ("Ranker drifted", "Ranking quality fell", "Monitoring gap"),
    }
    for pm_id, (title, summary, category) in pms.items():
        entries = [d for d in search_docs if str(d["location"]).startswith(f"incidents/{pm_id}/")]
        assert entries, pm_id
        main = [d for d in entries if d["location"] == f"incidents/{pm_id}/"]
        assert len(main) == 1
        assert title in str(main[0]["title"])
        blob = json.dumps(entries)
        assert pm_id in blob and summary in blob and category in blob, pm_id
        tags = main[0].get("tags") or []
        assert isinstance(tags, list)
        assert pm_id in tags
        for system, ids in SYSTEMS.items():
            assert (system in tags) == (pm_id in ids), (pm_id, system)


def test_listing_pages_are_not_in_the_search_index(search_docs: list[dict[str, object]]) -> None:
    """Listing pages (incidents/, layers, systems, action items) would drown incidents in search."""
    for d in search_docs:
        loc = str(d["location"])
        assert not loc.startswith(("layers/", "systems/", "action-items/")), loc
        if loc.startswith("incidents/"):
            assert re.match(r"incidents/INC-\d{4}-\d{3}/", loc), loc


def test_search_entries_are_not_duplicated(search_docs: list[dict[str, object]]) -> None:
    """Each page or section is indexed once: one entry per incident, plus its sections."""
    locations = Counter(str(d["location"]) for d in search_docs)
    assert [loc for loc, n in locations.items() if n > 1] == []
    tops = {loc for loc in locations if re.fullmatch(r"incidents/[^/#]+/", loc)}
    assert tops == {f"incidents/{i}/" for i in PUBLISHED}


# --- 8. self-contained, navigation ----------------------------------------------------

RESOURCE_ATTRS = {
    "script": ("src",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "iframe": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "embed": ("src",),
    "object": ("data",),
}
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""")
EXTERNAL_FONTS = ("fonts.googleapis", "fonts.gstatic", "//cdn")


def external_resources(site: Path) -> list[str]:
    found: list[str] = []
    for html_file in html_files(site):
        text = html_file.read_text(encoding="utf-8")
        for node in parse_html(text).iter():
            for attr in RESOURCE_ATTRS.get(node.tag, ()):
                for url in node.attrs.get(attr, "").split(","):
                    url = url.strip().split(" ")[0]
                    if url and is_external(url) and not url.startswith("data:"):
                        found.append(f"{html_file.relative_to(site)}: <{node.tag} {attr}={url}>")
            if node.tag == "style":
                found += [
                    f"{html_file.relative_to(site)}: <style> {m}" for m in external_css(node.text)
                ]
            if "style" in node.attrs:
                found += [
                    f"{html_file.relative_to(site)}: style= {m}"
                    for m in external_css(node.attrs["style"])
                ]
    for css in sorted(site.rglob("*.css")):
        found += [f"{css.relative_to(site)}: {m}" for m in external_css(css.read_text("utf-8"))]
    for js in sorted(site.rglob("*.js")):
        text = js.read_text("utf-8", errors="replace")
        found += [f"{js.relative_to(site)}: {h}" for h in EXTERNAL_FONTS if h in text]
    return found


def external_css(text: str) -> list[str]:
    urls = [a or b for a, b in CSS_URL.findall(text)]
    return [u for u in urls if is_external(u) and not u.startswith("data:")]


def test_site_is_self_contained(site: Path) -> None:
    """No script, stylesheet, image or CSS url() of the output loads from another host."""
    assert "font: false" in (site.parent / "mkdocs.yml").read_text()
    assert external_resources(site) == []
    own_js = (site / "assets/postmortems.js").read_text(encoding="utf-8")
    assert not re.search(r"https?://", own_js)


def test_self_contained_check_catches_a_cdn(tmp_path: Path) -> None:
    """The check above does report a CDN script, a web font and a CSS import."""
    (tmp_path / "index.html").write_text(
        '<script src="https://cdn.example.com/x.js"></script>'
        '<link rel="stylesheet" href="//fonts.googleapis.com/css">'
        '<img src="ok.png"><style>body{background:url(http://x.example/a.png)}</style>'
    )
    (tmp_path / "a.css").write_text('@import "https://fonts.googleapis.com/css2";')
    assert len(external_resources(tmp_path)) == 4


def primary_nav_links(site: Path, address: str) -> list[str]:
    nav = page(site, address).find("nav", "md-nav--primary")
    return nav.hrefs()


def test_incident_pages_are_not_in_the_navigation(site: Path) -> None:
    """The navigation lists the library's top pages, not incidents, layers or systems."""
    for address in ("", f"incidents/{P1}/", "layers/model/", "systems/ranker/"):
        nav = page(site, address).find("nav", "md-nav--primary")
        assert incident_links(nav) == set(), address
        assert not [h for h in nav.hrefs() if re.search(r"layers/[^/]+/|systems/[^/]+/", h)]


@pytest.fixture(scope="module")
def big_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    files = {
        f"INC-2024-{n:03d}.md": postmortem_text(
            id=f"INC-2024-{n:03d}",
            title=f"Incident number {n}",
            date=f"2024-{1 + n % 12:02d}-{1 + n % 28:02d}",
            detected=None,
            resolved=None,
            systems="[shared-bot, support-assistant]",
            related=f"[INC-2024-{n - 1:03d}]" if n > 1 else None,
        )
        for n in range(1, 61)
    }
    return build(write_site_at(tmp_path_factory.mktemp("big"), files))


def test_navigation_does_not_grow_with_the_library(site: Path, big_site: Path) -> None:
    """With 60 incidents, the home and an incident page link only a few incidents, and the
    navigation is the same as with 4."""
    assert len(list((big_site / "incidents").glob("INC-*/index.html"))) == 60
    assert len(incident_links(page(big_site, "").find("article"))) <= 10
    incident = page(big_site, "incidents/INC-2024-030/")
    assert len(incident_links(incident) - {"INC-2024-030"}) < 20
    for address_small, address_big in (("", ""), (f"incidents/{P1}/", "incidents/INC-2024-030/")):
        # The small library's one extra ordinary page aside.
        small = [h for h in primary_nav_links(site, address_small) if "runbook" not in h]
        assert small == primary_nav_links(big_site, address_big)
    # The listing that must hold every incident does, across its pages.
    assert len(incident_links(page(big_site, "incidents/"))) == 60


# --- 9. overridable templates ----------------------------------------------------------


def test_custom_dir_overrides_a_template(write_site: Callable[..., Path]) -> None:
    """A template in the theme's custom_dir replaces the plugin's own."""
    root = write_site(
        {"INC-2025-014-x.md": postmortem_text()},
        extra_config="",
    )
    cfg = (root / "mkdocs.yml").read_text()
    (root / "mkdocs.yml").write_text(
        cfg.replace("  font: false\n", "  font: false\n  custom_dir: overrides\n")
    )
    tpl = root / "overrides/postmortems/incident.html"
    tpl.parent.mkdir(parents=True)
    tpl.write_text('<p class="team-marker">OVERRIDDEN {{ pm.id }}</p>\n')
    out = build(root)
    body = page(out, "incidents/INC-2025-014/").find("article")
    assert body.find("p", "team-marker").text == "OVERRIDDEN INC-2025-014"
    assert body.find_all("dl", "pm-card") == []
    # Other templates still come from the plugin.
    assert page(out, "incidents/").find_all("div", "pm-index")


# --- 10. exports ------------------------------------------------------------------------


def test_incidents_json(site: Path) -> None:
    """incidents.json: {"incidents": [...]}, one entry per published incident, ISO dates, url."""
    data = json.loads((site / "incidents.json").read_text(encoding="utf-8"))
    assert list(data) == ["incidents"]
    entries = {e["id"]: e for e in data["incidents"]}
    assert len(entries) == len(data["incidents"]) == 4
    assert set(entries) == PUBLISHED
    p1 = entries[P1]
    assert p1["title"] == "Parcel bot swore at a customer"
    assert (p1["date"], p1["detected"], p1["resolved"]) == (
        "2024-01-18",
        "2024-01-18",
        "2024-01-19",
    )
    assert p1["systems"] == ["parcel-bot"]
    assert p1["related"] == [P2]
    assert p1["factors"][0] == {
        "layer": "model",
        "category": "unsafe-output",
        "summary": "Coaxed into off-brand output.",
    }
    assert p1["action_items"][0]["due"] == "2099-01-01"
    for pm_id, e in entries.items():
        assert e["url"] == f"incidents/{pm_id}/"
        assert (site / e["url"] / "index.html").is_file()
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", e["date"])


def test_incidents_csv(site: Path) -> None:
    """incidents.csv: a header and one row per published incident."""
    rows = list(csv.reader(io.StringIO((site / "incidents.csv").read_text(encoding="utf-8"))))
    header, body = rows[0], rows[1:]
    assert {"id", "title", "date", "systems", "url"} <= set(header)
    assert len(body) == 4
    records = [dict(zip(header, r, strict=True)) for r in body]
    assert {r["id"] for r in records} == PUBLISHED
    p2 = next(r for r in records if r["id"] == P2)
    assert p2["systems"] == "parcel-bot; answer-engine"
    assert p2["url"] == f"incidents/{P2}/"


def test_feed_is_well_formed(site: Path) -> None:
    """feed.xml is Atom with one entry per published incident."""
    feed = ET.fromstring((site / "feed.xml").read_bytes())
    a = "{http://www.w3.org/2005/Atom}"
    titles = {e.findtext(f"{a}title") for e in feed.findall(f"{a}entry")}
    assert len(titles) == 4
    assert "Parcel bot swore at a customer" in titles


def test_incidents_index_json(site: Path) -> None:
    """incidents/index.json, the filter data, has one row per published incident."""
    rows = json.loads((site / "incidents/index.json").read_text(encoding="utf-8"))
    assert {r["id"] for r in rows} == PUBLISHED
    assert all(r["url"] == f"incidents/{r['id']}/" for r in rows)
