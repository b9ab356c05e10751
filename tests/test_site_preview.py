"""`mkdocs serve --dirty` (what `make serve` runs), through MkDocs' build API:
a rebuild renders only what an edit changed, and pages it leaves alone keep
everything the plugin gave them."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from mkdocs.commands.build import build
from sitekit import page
from test_site_serve import SERVE_URL, config, root

__all__ = ["root"]  # the fixture, shared with test_site_serve

UNTOUCHED = "incidents/INC-2025-014/index.html"
EDITED = "docs/INC-2025-015-b.md"


def dirty_build(site_root: Path) -> None:
    """One rebuild as `mkdocs serve --dirty` makes it: a fresh config, same plugin."""
    cfg = config(site_root)
    cfg.plugins.on_startup(command="serve", dirty=True)
    build(cfg, serve_url=SERVE_URL, dirty=True)


def touch(path: Path, text: str) -> None:
    """Save a file as an editor does now: newer than every page built before."""
    path.write_text(text, encoding="utf-8")
    later = time.time_ns() + 1_000_000_000  # coarse file system clocks
    os.utime(path, ns=(later, later))


def snapshot(site: Path, rel: str) -> tuple[str, int]:
    """A built file's text and modification time."""
    path = site / rel
    return path.read_text(encoding="utf-8"), path.stat().st_mtime_ns


def test_dirty_rebuild_shows_the_edit_and_keeps_untouched_pages(root: Path) -> None:
    """After an edit, the edited page, its listing and index.json show it; an
    untouched incident page is not rebuilt and keeps its title, card and text."""
    dirty_build(root)
    site = root / "site"
    before_page, before_mtime = snapshot(site, UNTOUCHED)
    before_systems = snapshot(site, "systems/index.html")

    target = root / EDITED
    touch(target, target.read_text().replace("Second incident", "Second incident, edited"))
    dirty_build(root)

    assert page(site, "incidents/INC-2025-015/").find("h1").text == "Second incident, edited"
    listing = page(site, "incidents/")
    assert "Second incident, edited" in listing.find("table").text
    rows = json.loads((site / "incidents/index.json").read_text(encoding="utf-8"))
    assert {r["id"]: r["title"] for r in rows}["INC-2025-015"] == "Second incident, edited"

    # Untouched: the very same file, so the same title, card and narrative.
    assert snapshot(site, UNTOUCHED) == (before_page, before_mtime)
    untouched = page(site, "incidents/INC-2025-014/")
    assert untouched.find("h1").text == "Support assistant invented a refund policy"
    assert untouched.find("section", "pm-factors") is not None
    assert "refund question" in untouched.find("article").text
    # A listing whose data did not change is left as it was built.
    assert snapshot(site, "systems/index.html") == before_systems
    # Drafts still show under serve.
    draft = page(site, "incidents/INC-2025-016/").find("article")
    assert draft.find("p", "pm-banner").text.startswith("Draft:")


def test_dirty_rebuild_after_taxonomy_edit_renders_untouched_pages(root: Path) -> None:
    """A category renamed in the taxonomy reaches incident pages whose files did not change."""
    dirty_build(root)
    site = root / "site"
    taxonomy = root / "taxonomy.yml"
    text = taxonomy.read_text(encoding="utf-8")
    touch(taxonomy, text.replace("title: Hallucination\n", "title: Confabulation\n"))
    dirty_build(root)
    factors = page(site, "incidents/INC-2025-014/").find("section", "pm-factors")
    assert "Confabulation" in factors.text and "Hallucination" not in factors.text
    assert page(site, "layers/model/hallucination/").find("h1").text == "Category: Confabulation"


def test_dirty_rebuild_after_config_edit_renders_untouched_pages(root: Path) -> None:
    """A new site_name in mkdocs.yml reaches every page, not only edited ones."""
    dirty_build(root)
    site = root / "site"
    cfg = root / "mkdocs.yml"
    touch(cfg, cfg.read_text().replace("site_name: Test library", "site_name: Renamed library"))
    dirty_build(root)
    for rel in ("incidents/INC-2025-014/", "systems/", "incidents/"):
        assert "Renamed library" in page(site, rel).find("title").text, rel


def test_dirty_rebuild_without_changes_renders_no_page(root: Path) -> None:
    """A rebuild with nothing edited leaves every page file as it was (the
    theme's own 404.html aside, which MkDocs always writes)."""
    dirty_build(root)
    site = root / "site"

    def pages() -> dict[Path, int]:
        return {p: p.stat().st_mtime_ns for p in site.rglob("index.html")}

    built = pages()
    assert len(built) > 10
    dirty_build(root)
    assert pages() == built


def test_dirty_rebuild_after_a_prose_edit_renders_only_that_page(root: Path) -> None:
    """An edit of an incident's narrative re-renders its page and no listing:
    listings show front matter only."""
    dirty_build(root)
    site = root / "site"
    listings = ("incidents/index.html", "systems/index.html", "index.html")
    before = {rel: snapshot(site, rel) for rel in listings}
    target = root / EDITED
    text = target.read_text(encoding="utf-8")
    touch(target, text.replace("## Impact", "A sentence added in preview.\n\n## Impact", 1))
    dirty_build(root)
    article = page(site, "incidents/INC-2025-015/").find("article")
    assert "A sentence added in preview." in article.text
    assert {rel: snapshot(site, rel) for rel in listings} == before


def test_dirty_rebuild_withdraws_an_incident_made_restricted(root: Path) -> None:
    """An incident an edit makes restricted leaves the preview at once: its page,
    its listing row, index.json and the search index, and stays out at later rebuilds."""
    dirty_build(root)
    site = root / "site"
    assert (site / "incidents/INC-2025-015/index.html").is_file()
    target = root / EDITED
    text = target.read_text(encoding="utf-8")
    touch(target, text.replace("status: final\n", "status: final\nvisibility: restricted\n", 1))
    for _ in range(2):
        dirty_build(root)
        assert not (site / "incidents/INC-2025-015/index.html").exists()
        assert "INC-2025-015" not in page(site, "incidents/").find("table").text
        rows = json.loads((site / "incidents/index.json").read_text(encoding="utf-8"))
        assert "INC-2025-015" not in {r["id"] for r in rows}
        index = json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))
        assert not [d for d in index["docs"] if "INC-2025-015" in d["location"]]
        assert [d for d in index["docs"] if "INC-2025-014" in d["location"]]
