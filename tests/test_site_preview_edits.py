"""`make serve` (`mkdocs serve --dirty`) through a run of edits, as an author
makes them: each edit reaches every page and export that shows it, pages it
does not touch stay as they were built, and what is withdrawn leaves every
page at once. Rebuilds run through MkDocs' build API with the plugin object
MkDocs keeps between them (see test_site_preview)."""

from __future__ import annotations

import json
import logging
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import postmortem_text
from mkdocs.commands.build import build
from sitekit import TAXONOMY, content, page, write_site_at
from test_site_preview import EDITED, UNTOUCHED, dirty_build, snapshot, touch
from test_site_serve import SERVE_URL, config, root

__all__ = ["root"]  # the fixture, shared with test_site_serve

RETITLED = "Second incident, retitled"


def retitle(site_root: Path) -> None:
    """Save the edited incident with a new title."""
    target = site_root / EDITED
    touch(target, target.read_text(encoding="utf-8").replace("Second incident", RETITLED, 1))


def search_locations(site: Path) -> Counter[str]:
    """How often each location is in the served search index."""
    index = json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))
    return Counter(str(d["location"]) for d in index["docs"])


def test_untouched_pages_stay_as_built_through_successive_edits(root: Path) -> None:
    """Three saves of one incident in a row (its title, its prose, its severity)
    each show on its page, while the untouched incident page is never rendered
    again and keeps its title, card and narrative."""
    dirty_build(root)
    site = root / "site"
    before = snapshot(site, UNTOUCHED)
    target = root / EDITED
    original = target.read_text(encoding="utf-8")
    edits = {
        RETITLED: original.replace("Second incident", RETITLED, 1),
        "A sentence added in preview.": original.replace(
            "## Impact", "A sentence added in preview.\n\n## Impact", 1
        ),
        "SEV1": original.replace("severity: SEV2", "severity: SEV1", 1),
    }
    for shown, text in edits.items():
        assert shown not in content(site, "incidents/INC-2025-015/").text
        touch(target, text)
        dirty_build(root)
        assert shown in content(site, "incidents/INC-2025-015/").text
        assert snapshot(site, UNTOUCHED) == before
        untouched = content(site, "incidents/INC-2025-014/")
        assert untouched.find("h1").text == "Support assistant invented a refund policy"
        assert "Hallucination" in untouched.find("section", "pm-factors").text
        assert "refund question" in untouched.text
        rows = content(site, "incidents/").find("table").text
        assert "Support assistant invented a refund policy" in rows


def test_a_title_edit_reaches_every_listing_and_export_that_shows_it(root: Path) -> None:
    """A new title shows in the incidents listing, the pages of its system, layer
    and category, the home page's latest incidents, incidents/index.json and
    incidents.json; the action-item page, which names incidents by id only, is
    left as it was built."""
    dirty_build(root)
    site = root / "site"
    items_before = snapshot(site, "action-items/index.html")
    retitle(root)
    dirty_build(root)
    for address in ("incidents/", "systems/support-assistant/", "layers/model/", ""):
        assert RETITLED in content(site, address).text, address
    assert RETITLED in content(site, "layers/model/hallucination/").text
    rows = json.loads((site / "incidents/index.json").read_text(encoding="utf-8"))
    assert {r["id"]: r["title"] for r in rows}["INC-2025-015"] == RETITLED
    exported = json.loads((site / "incidents.json").read_text(encoding="utf-8"))
    assert {r["id"]: r["title"] for r in exported["incidents"]}["INC-2025-015"] == RETITLED
    assert RETITLED in (site / "incidents.csv").read_text(encoding="utf-8")
    assert snapshot(site, "action-items/index.html") == items_before
    assert "INC-2025-015" in content(site, "action-items/").text


def own_templates(site_root: Path) -> Path:
    """The folder of the site's own library templates, in a custom_dir the
    site's theme now uses."""
    own = site_root / "overrides" / "postmortems"
    own.mkdir(parents=True)
    cfg = site_root / "mkdocs.yml"
    cfg.write_text(
        cfg.read_text(encoding="utf-8").replace(
            "  font: false\n", "  font: false\n  custom_dir: overrides\n"
        ),
        encoding="utf-8",
    )
    return own


def test_a_sites_own_template_may_show_more_and_is_followed(root: Path) -> None:
    """Where a site's custom_dir overrides the library's templates, a listing may
    show more of an incident than the library's own does: a title edit then
    renders the action-item page again, with the new title."""
    (own_templates(root) / "action_items.html").write_text(
        '<ul>{% for r in rows %}<li class="own-row">{{ r.incident.title }}</li>{% endfor %}</ul>',
        encoding="utf-8",
    )
    dirty_build(root)
    site = root / "site"

    def rows() -> list[str]:
        return [li.text for li in content(site, "action-items/").find_all("li", "own-row")]

    assert "Second incident" in rows()
    retitle(root)
    dirty_build(root)
    assert RETITLED in rows() and "Second incident" not in rows()


def test_incident_rows_follow_an_edit_and_an_edited_row_template(root: Path) -> None:
    """Listing rows are kept between rebuilds for incidents that did not
    change: an edited incident's row is new everywhere, the others' rows are
    as they were, and an edit to the site's own row template redraws them all.
    The rebuilds are one server's (one startup), whose parse cache hands back
    the same postmortems for the files not edited."""
    row = own_templates(root) / "incident_row.html"
    row.write_text('<tr class="row-one"><td>{{ p.id }}</td><td>{{ p.title }}</td></tr>\n')
    dirty_build(root)
    site = root / "site"

    def rebuild() -> None:
        build(config(root), serve_url=SERVE_URL, dirty=True)

    def rows(kind: str) -> dict[str, str]:
        table = content(site, "incidents/").find("table")
        cells = [tr.find_all("td") for tr in table.find_all("tr", kind)]
        return {c[0].text: c[1].text for c in cells}

    before = rows("row-one")
    assert before["INC-2025-015"] == "Second incident"
    retitle(root)
    rebuild()
    after = rows("row-one")
    assert after["INC-2025-015"] == RETITLED
    assert {k: v for k, v in after.items() if k != "INC-2025-015"} == {
        k: v for k, v in before.items() if k != "INC-2025-015"
    }
    # A template saved with new markup: no row of the old one may survive.
    row.write_text('<tr class="row-two"><td>{{ p.id }}</td><td>{{ p.title }}!</td></tr>\n')
    rebuild()
    assert rows("row-one") == {}
    assert rows("row-two") == {k: f"{v}!" for k, v in after.items()}


def test_an_edited_draft_shows_with_its_banner(root: Path) -> None:
    """Drafts are part of the preview: an edit of one shows on its page, under
    the draft banner, and in the incidents listing."""
    dirty_build(root)
    site = root / "site"
    draft = root / "docs/drafts/INC-2025-016-c.md"
    text = draft.read_text(encoding="utf-8")
    touch(draft, text.replace("Draft incident", "Draft incident, edited", 1))
    dirty_build(root)
    article = content(site, "incidents/INC-2025-016/")
    assert article.find("h1").text == "Draft incident, edited"
    assert article.find("p", "pm-banner").text.startswith("Draft:")
    assert "Draft incident, edited" in content(site, "incidents/").find("table").text


def test_a_site_home_page_is_rendered_again_only_when_its_dashboard_changes(
    root: Path,
) -> None:
    """The site's own home page carries the library's dashboard: an edit of an
    incident's prose leaves it as built, a new severity (counted on it) renders
    it again."""
    (root / "docs/index.md").write_text("# Welcome\n\nOur incidents.\n", encoding="utf-8")
    dirty_build(root)
    site = root / "site"
    home = snapshot(site, "index.html")
    target = root / EDITED
    original = target.read_text(encoding="utf-8")
    touch(target, original.replace("## Impact", "More prose.\n\n## Impact", 1))
    dirty_build(root)
    assert snapshot(site, "index.html") == home
    touch(target, original.replace("severity: SEV2", "severity: SEV1", 1))
    dirty_build(root)
    severities = dict(content(site, "").table("Incidents by severity").rows())
    assert severities["SEV1"] == "1"


def test_a_taxonomy_or_config_edit_renders_every_page_again(root: Path) -> None:
    """A renamed category reaches the card of every incident page and its
    listing; a new site_name in mkdocs.yml then reaches every page, neither
    edit touching a postmortem."""
    dirty_build(root)
    site = root / "site"
    taxonomy = root / "taxonomy.yml"
    text = taxonomy.read_text(encoding="utf-8")
    touch(taxonomy, text.replace("title: Hallucination\n", "title: Confabulation\n"))
    dirty_build(root)
    for pm_id in ("INC-2025-014", "INC-2025-015", "INC-2025-016"):
        factors = content(site, f"incidents/{pm_id}/").find("section", "pm-factors")
        assert "Confabulation" in factors.text and "Hallucination" not in factors.text, pm_id
    cfg = root / "mkdocs.yml"
    touch(cfg, cfg.read_text().replace("site_name: Test library", "site_name: Renamed library"))
    dirty_build(root)
    for address in ("incidents/INC-2025-014/", "layers/model/hallucination/", "action-items/"):
        assert "Renamed library" in page(site, address).find("title").text, address


REGIMES = """\
regimes:
  - id: acme-policy
    title: ACME internal escalation policy
    source: https://policy.example.com/escalation
    triggers:
      - id: customer-harm
        title: A customer was harmed
        deadlines:
          - {stage: notice, within: PT4H}
"""

REPORTED = """
  aware: 2026-09-01T08:00:00Z
  obligations:
    - regime: acme-policy
      trigger: customer-harm
      decision: reportable
      decided_by: ops"""


@pytest.fixture
def regimes_root(tmp_path: Path) -> Iterator[Path]:
    """A site with a regimes file of its own and an incident with a deadline."""
    shutil.copy(TAXONOMY, tmp_path / "taxonomy.yml")
    incident = postmortem_text(
        id="INC-2026-010", date="2026-09-01", detected=None, resolved=None, reporting=REPORTED
    )
    write_site_at(tmp_path, {"INC-2026-010-a.md": incident}, plugin_options="regimes: regimes.yml")
    (tmp_path / "regimes.yml").write_text(REGIMES, encoding="utf-8")
    cfg = tmp_path / "mkdocs.yml"
    cfg.write_text(cfg.read_text().replace(str(TAXONOMY), "taxonomy.yml"))
    yield tmp_path
    config(tmp_path).plugins.on_startup(command="build", dirty=False)


def test_a_regimes_edit_renders_incident_pages_again(regimes_root: Path) -> None:
    """A shorter deadline in the regimes file reaches the obligations an incident
    page shows, though the postmortem was not saved."""
    dirty_build(regimes_root)
    site = regimes_root / "site"

    def deadline() -> str:
        table = content(site, "incidents/INC-2026-010/").table("Reporting obligations of")
        return table.rows()[0][3]

    assert deadline() == "2026-09-01 12:00 UTC"
    regimes = regimes_root / "regimes.yml"
    touch(regimes, REGIMES.replace("PT4H", "PT2H"))
    dirty_build(regimes_root)
    assert deadline() == "2026-09-01 10:00 UTC"


def test_an_incident_made_restricted_leaves_the_pages_that_showed_it(root: Path) -> None:
    """Made restricted, an incident's title goes at once from the related
    incidents of another incident's page and from a page of the site that
    linked to it (only its bare id stays), as well as from search."""
    (root / "docs/about.md").write_text(
        "# About\n\nSee [the second incident](INC-2025-015-b.md).\n", encoding="utf-8"
    )
    dirty_build(root)
    site = root / "site"
    related = content(site, "incidents/INC-2025-014/").find("section", "pm-related")
    assert "Second incident" in related.text
    assert "the second incident" in content(site, "about/").text
    target = root / EDITED
    text = target.read_text(encoding="utf-8")
    touch(target, text.replace("status: final\n", "status: final\nvisibility: restricted\n", 1))
    for _ in range(2):
        dirty_build(root)
        assert "Second incident" not in (site / UNTOUCHED).read_text(encoding="utf-8")
        about = content(site, "about/")
        assert "the second incident" not in about.text
        assert about.find("span", "pm-bare-id").text == "INC-2025-015"
        assert "Second incident" not in (site / "search/search_index.json").read_text()
        assert search_locations(site)["incidents/INC-2025-014/"] == 1


def test_the_search_index_keeps_every_page_once(root: Path) -> None:
    """Rebuilds that render several pages (a taxonomy edit renders them all; a
    saved home page beside a saved incident) leave every page in the search
    index once, with the pages they did not render still in it; a deleted
    page leaves it."""
    home = root / "docs/index.md"
    home.write_text("# Welcome\n\nOur incidents.\n", encoding="utf-8")
    notes = root / "docs/notes.md"
    notes.write_text("# Notes\n\nShort-lived notes.\n", encoding="utf-8")
    dirty_build(root)
    site = root / "site"
    assert search_locations(site)["notes/"] == 1
    notes.unlink()
    dirty_build(root)
    first = search_locations(site)
    assert "notes/" not in first
    assert max(first.values()) == 1 and "incidents/INC-2025-014/" in first
    taxonomy = root / "taxonomy.yml"
    text = taxonomy.read_text(encoding="utf-8")
    touch(taxonomy, text.replace("title: Hallucination\n", "title: Confabulation\n"))
    dirty_build(root)
    assert search_locations(site) == first
    touch(home, "# Welcome\n\nOur incidents, and a word of thanks.\n")
    retitle(root)
    dirty_build(root)
    assert search_locations(site) == first
    index = (site / "search/search_index.json").read_text(encoding="utf-8")
    assert "a word of thanks" in index and RETITLED in index


def test_a_rebuild_logs_only_the_warnings_it_has_not_logged(
    root: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A rebuild does not log again the warnings the last build logged: it
    counts them. A warning an edit moved or brought is logged."""
    warned = root / "docs/INC-2025-018-e.md"
    warned.write_text(
        postmortem_text(id="INC-2025-018", title="Warned incident", ruled_out=None),
        encoding="utf-8",
    )
    caplog.set_level(logging.INFO, logger="mkdocs")

    def logged(rule: str) -> list[str]:
        return [r.getMessage() for r in caplog.records if rule in r.getMessage()]

    dirty_build(root)
    first = logged("layer-not-considered")
    assert first and all("INC-2025-018-e.md" in m for m in first)
    caplog.clear()
    target = root / EDITED
    text = target.read_text(encoding="utf-8")
    touch(target, text.replace("## Impact", "More prose.\n\n## Impact", 1))
    dirty_build(root)
    assert logged("layer-not-considered") == []
    assert logged("logged at an earlier build still apply")
    caplog.clear()
    moved = warned.read_text(encoding="utf-8").replace("---\n", "---\ntags: [moved]\n", 1)
    touch(warned, moved)
    dirty_build(root)
    again = logged("layer-not-considered")
    assert len(again) == len(first) and again != first
