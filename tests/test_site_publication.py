"""Restricted and draft postmortems in real builds: nothing of a restricted
one reaches any output file; a draft shows only with `include_drafts`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import postmortem_text
from sitekit import (
    actions,
    all_files,
    broken_links,
    build,
    factors,
    html_files,
    incident_links,
    page,
    parse_html,
    write_site_at,
)

PUBLIC, RESTRICTED, DRAFT = "INC-2024-010", "INC-2024-011", "INC-2024-012"
FIELDS = ("title", "summary", "body", "factor", "action", "owner", "author", "tag", "affected")


def canaries(kind: str) -> dict[str, str]:
    """Unique strings, one per front-matter field, that must not leak."""
    return {f: f"CANARY{kind}{f.upper()}{7000 + i}" for i, f in enumerate(FIELDS)}


R, D = canaries("RESTRICTED"), canaries("DRAFT")
# System slugs must be lowercase.
R_SYSTEM, D_SYSTEM = "canary-restricted-system-4471", "canary-draft-system-4472"
# Categories that only the restricted (or the draft) incident carries.
R_CATEGORY, D_CATEGORY = ("data", "training-data-leakage"), ("human-in-the-loop", "alert-fatigue")


def secret(pm_id: str, c: dict[str, str], system: str, category: tuple[str, str], **kw: str) -> str:
    return (
        postmortem_text(
            id=pm_id,
            title=f"Secret {c['title']}",
            summary=f"Summary {c['summary']}",
            systems=f"[shared-bot, {system}]",
            authors=f"[{c['author']}]",
            tags=f"[{c['tag']}]",
            harm=f"\n  types: [misinformation]\n  affected: {c['affected']}",
            factors=factors(
                ("model", "hallucination", "A shared category."),
                (*category, f"Factor {c['factor']}"),
            ),
            action_items=actions(
                (f"Action {c['action']}", "model", c["owner"].lower(), "2099-01-01", "open"),
                (f"Second {c['action']}", category[0], c["owner"].lower(), "2099-01-01", "open"),
            ),
            related=f"[{PUBLIC}]",
            **kw,
        )
        + f"\nInternal note {c['body']}.\n"
    )


LIBRARY = {
    "public/INC-2024-010-public.md": postmortem_text(
        id=PUBLIC,
        title="Public incident",
        date="2024-02-01",
        detected="2024-02-01",
        resolved="2024-02-02",
        systems="[shared-bot]",
        factors=factors(("model", "hallucination", "Stated a policy that does not exist.")),
        related=f"[{RESTRICTED}, {DRAFT}]",
    ),
    "secret/INC-2024-011-restricted.md": secret(
        RESTRICTED, R, R_SYSTEM, R_CATEGORY, visibility="restricted"
    ),
    "drafts/INC-2024-012-draft.md": secret(DRAFT, D, D_SYSTEM, D_CATEGORY, status="draft"),
}


def canary_hits(site: Path, strings: list[str]) -> list[str]:
    hits = []
    for path, data in all_files(site):
        hits += [f"{path.relative_to(site)}: {s}" for s in strings if s.encode() in data]
    return hits


@pytest.fixture(scope="module")
def default_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(write_site_at(tmp_path_factory.mktemp("default"), LIBRARY))


@pytest.fixture(scope="module")
def drafts_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("drafts")
    return build(write_site_at(root, LIBRARY, plugin_options="include_drafts: true"))


def test_canaries_reach_the_source(default_site: Path) -> None:
    """The planted strings are really in the docs, so their absence below means something."""
    docs = default_site.parent / "docs"
    text = "".join(p.read_text() for p in docs.rglob("*.md"))
    for s in [*R.values(), *D.values(), R_SYSTEM, D_SYSTEM]:
        assert s in text or s.lower() in text, s


def test_restricted_and_draft_text_reaches_no_output_file(default_site: Path) -> None:
    """No output file (HTML, search, sitemap, exports, feed) holds a restricted or draft string."""
    names = {p.relative_to(default_site).as_posix() for p, _ in all_files(default_site)}
    assert {
        "search/search_index.json",
        "sitemap.xml",
        "sitemap.xml.gz",
        "incidents.json",
        "incidents.csv",
        "feed.xml",
        "incidents/index.json",
        "incidents/finder.json",
    } <= names
    strings = [*R.values(), *D.values(), R_SYSTEM, D_SYSTEM]
    assert canary_hits(default_site, strings + [s.lower() for s in strings]) == []


def test_restricted_and_draft_have_no_page(default_site: Path) -> None:
    """Neither has a page at incidents/<id>/ nor at its source location."""
    for pm_id in (RESTRICTED, DRAFT):
        assert not (default_site / "incidents" / pm_id).exists()
    assert not (default_site / "secret").exists()
    assert not (default_site / "drafts").exists()
    assert (default_site / "incidents" / PUBLIC / "index.html").is_file()


def test_link_to_unpublished_incident_is_a_bare_id(default_site: Path) -> None:
    """`related` naming a restricted or draft incident shows its id, not a link, on every page."""
    card = page(default_site, f"incidents/{PUBLIC}/").find("section", "pm-related")
    bare = [n.text for n in card.find_all("span", "pm-bare-id")]
    assert bare == [RESTRICTED, DRAFT]
    for html_file in html_files(default_site):
        linked = incident_links(parse_html(html_file.read_text(encoding="utf-8")))
        assert not linked & {RESTRICTED, DRAFT}, html_file
    assert broken_links(default_site) == []


def test_unpublished_incident_is_not_a_backlink(default_site: Path) -> None:
    """The restricted and the draft incident cite the public one; it lists no "Cited by"."""
    section = page(default_site, f"incidents/{PUBLIC}/").find("section", "pm-related")
    assert "Cited by" not in [h.text for h in section.find_all("h3")]


def test_system_and_category_used_only_by_unpublished_ones_vanish(default_site: Path) -> None:
    """A system or category only an unpublished incident carries has no page, link or count."""
    site = default_site
    for system in (R_SYSTEM, D_SYSTEM):
        assert not (site / "systems" / system).exists()
    for layer, cat in (R_CATEGORY, D_CATEGORY):
        assert not (site / "layers" / layer / cat).exists()
        for html_file in html_files(site):
            tree = parse_html(html_file.read_text(encoding="utf-8"))
            assert not [h for h in tree.hrefs() if h.rstrip("/").endswith(f"/{cat}")], html_file
        # The layer page names every category of the taxonomy, with a count of 0 here.
        body = page(site, f"layers/{layer}/").find("div", "pm-layer")
        rows = body.table("Categories of the").rows()
        assert all(row[2] == "0" for row in rows), rows
        assert not body.table("Categories of the").find_all("a")
        assert "No published incident" in body.text
    filters = page(site, "incidents/").find("form", "pm-filter")
    options = {o.attrs["value"] for o in filters.find_all("option")}
    assert {"shared-bot", "hallucination", "model"} <= options
    assert not options & {R_SYSTEM, D_SYSTEM, R_CATEGORY[1], D_CATEGORY[1], "data"}
    rows = json.loads((site / "incidents/index.json").read_text(encoding="utf-8"))
    assert [r["id"] for r in rows] == [PUBLIC]


def test_counts_ignore_unpublished_incidents(default_site: Path) -> None:
    """Shared system and layer pages count only the public incident."""
    system = page(default_site, "systems/shared-bot/").find("div", "pm-system")
    assert incident_links(system) == {PUBLIC}
    assert "1 incidents involving shared-bot" in system.text
    rows = page(default_site, "layers/").find("div", "pm-layers").table("Layers").rows()
    counts = {r[0]: r[2] for r in rows}
    assert counts == {"Model": "1", "Data": "0", "Human in the loop": "0", "Process": "0"}
    home = page(default_site, "").find("div", "pm-home")
    assert "1 published incidents" in home.find("ul", "pm-glance").text
    assert "0 open action items" in home.find("ul", "pm-glance").text


def test_include_drafts_shows_the_draft_with_a_banner(drafts_site: Path) -> None:
    """With include_drafts the draft is published with a banner; the restricted one still is not."""
    body = page(drafts_site, f"incidents/{DRAFT}/").find("article")
    banner = body.find("p", "pm-banner")
    assert "Draft" in banner.text
    assert D["title"] in page(drafts_site, f"incidents/{DRAFT}/").find("title").text
    assert D["body"] in body.text
    assert (drafts_site / "systems" / D_SYSTEM / "index.html").is_file()
    assert (drafts_site / "layers" / D_CATEGORY[0] / D_CATEGORY[1] / "index.html").is_file()
    # The public incident now links the draft, and is cited by it; the restricted stays bare.
    related = page(drafts_site, f"incidents/{PUBLIC}/").find("section", "pm-related")
    assert incident_links(related) == {DRAFT}
    assert [n.text for n in related.find_all("span", "pm-bare-id")] == [RESTRICTED]
    # A final incident has no banner.
    assert page(drafts_site, f"incidents/{PUBLIC}/").find_all(cls="pm-banner") == []
    # The walker does see a published string in every kind of output file.
    seen = {h.split(":")[0] for h in canary_hits(drafts_site, [D["summary"]])}
    assert {
        f"incidents/{DRAFT}/index.html",
        "search/search_index.json",
        "incidents.json",
        "incidents.csv",
        "feed.xml",
    } <= seen
    strings = [*R.values(), R_SYSTEM]
    assert canary_hits(drafts_site, strings + [s.lower() for s in strings]) == []
    assert not (drafts_site / "incidents" / RESTRICTED).exists()
    assert broken_links(drafts_site) == []


def test_include_drafts_puts_the_draft_in_search_and_exports(drafts_site: Path) -> None:
    """A published draft is searchable and exported like any incident."""
    index = (drafts_site / "search/search_index.json").read_text(encoding="utf-8")
    assert f"incidents/{DRAFT}/" in index
    exported = json.loads((drafts_site / "incidents.json").read_text(encoding="utf-8"))
    assert {e["id"] for e in exported["incidents"]} == {PUBLIC, DRAFT}
