"""`mkdocs serve` without a server: the plugin instance MkDocs keeps across
rebuilds re-parses only what changed, shows drafts, and follows the taxonomy."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import postmortem_text
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from sitekit import TAXONOMY, page, write_site_at

SERVE_URL = "http://127.0.0.1:8000/"
LIBRARY = {
    "INC-2025-014-a.md": postmortem_text(),
    "INC-2025-015-b.md": postmortem_text(
        id="INC-2025-015", title="Second incident", date="2025-03-20", detected=None, resolved=None
    ),
    "drafts/INC-2025-016-c.md": postmortem_text(
        id="INC-2025-016", title="Draft incident", status="draft"
    ),
    "drafts/INC-2025-017-d.md": postmortem_text(
        id="INC-2025-017", title="Incident in review", status="review"
    ),
}


@pytest.fixture
def root(tmp_path: Path) -> Iterator[Path]:
    """A site with its own copy of the taxonomy; the plugin is reset to `build` after."""
    shutil.copy(TAXONOMY, tmp_path / "taxonomy.yml")
    write_site_at(tmp_path, LIBRARY)
    cfg = tmp_path / "mkdocs.yml"
    cfg.write_text(cfg.read_text().replace(str(TAXONOMY), "taxonomy.yml"))
    yield tmp_path
    # MkDocs keeps one plugin instance per process: leave it as `mkdocs build` would.
    plugins = config(tmp_path).plugins
    plugins.on_startup(command="build", dirty=False)
    # Material's search keeps the index of a dirty build for the next one, even
    # a clean build in the same process (a new `mkdocs build` never has one):
    # the next test's build would otherwise carry this site's drafts, and its
    # output guard would fail it.
    search = plugins.get("material/search") or plugins.get("search")
    if hasattr(search, "search_index_prev"):
        search.search_index_prev = None


def config(root: Path) -> MkDocsConfig:
    """A fresh config, as `mkdocs serve` loads before each rebuild."""
    return load_config(config_file=str(root / "mkdocs.yml"), site_dir=str(root / "site"))


def touch(path: Path, text: str) -> None:
    """Rewrite a file so that its size and mtime both change."""
    before = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 2_000_000_000, before + 2_000_000_000))


def test_serve_rebuild_reparses_only_the_changed_file(root: Path) -> None:
    """Between two serve builds, the loader parses only the file that was edited."""
    first = config(root)
    first.plugins.on_startup(command="serve", dirty=False)
    plugin = first.plugins["postmortems"]
    build(first, serve_url=SERVE_URL)
    assert plugin._loader.parsed_last_time == 4

    second = config(root)
    assert second.plugins["postmortems"] is plugin  # as serve keeps it
    build(second, serve_url=SERVE_URL)
    assert plugin._loader.parsed_last_time == 0

    target = root / "docs/INC-2025-015-b.md"
    touch(target, target.read_text().replace("Second incident", "Second incident, edited"))
    build(config(root), serve_url=SERVE_URL)
    assert plugin._loader.parsed_last_time == 1
    title = page(root / "site", "incidents/INC-2025-015/").find("h1").text
    assert title == "Second incident, edited"


def test_serve_shows_drafts_with_a_banner(root: Path) -> None:
    """Under serve (on_startup command="serve") drafts and reviews are built, with a banner."""
    cfg = config(root)
    cfg.plugins.on_startup(command="serve", dirty=False)
    assert cfg.plugins["postmortems"].is_serve
    build(cfg, serve_url=SERVE_URL)
    site = root / "site"
    draft = page(site, "incidents/INC-2025-016/").find("article")
    assert draft.find("p", "pm-banner").text.startswith("Draft:")
    review = page(site, "incidents/INC-2025-017/").find("article")
    assert review.find("p", "pm-banner").text.startswith("Review:")
    assert page(site, "incidents/INC-2025-014/").find_all("p", "pm-banner") == []


def test_build_command_leaves_drafts_out(root: Path) -> None:
    """The same plugin instance, started for `build`, does not publish the draft."""
    cfg = config(root)
    cfg.plugins.on_startup(command="build", dirty=False)
    assert not cfg.plugins["postmortems"].is_serve
    build(cfg)
    assert (root / "site/incidents/INC-2025-014/index.html").is_file()
    assert not (root / "site/incidents/INC-2025-016").exists()
    assert not (root / "site/incidents/INC-2025-017").exists()


def test_taxonomy_edit_shows_up_on_rebuild(root: Path) -> None:
    """A category renamed in the taxonomy file is shown by the next serve build."""
    cfg = config(root)
    cfg.plugins.on_startup(command="serve", dirty=False)
    build(cfg, serve_url=SERVE_URL)
    site = root / "site"
    factors = page(site, "incidents/INC-2025-014/").find("section", "pm-factors")
    assert "Hallucination" in factors.text

    taxonomy = root / "taxonomy.yml"
    text = taxonomy.read_text(encoding="utf-8")
    assert "title: Hallucination\n" in text
    touch(taxonomy, text.replace("title: Hallucination\n", "title: Confabulation\n"))
    build(config(root), serve_url=SERVE_URL)
    factors = page(site, "incidents/INC-2025-014/").find("section", "pm-factors")
    assert "Confabulation" in factors.text and "Hallucination" not in factors.text
    category = page(site, "layers/model/hallucination/")
    assert category.find("h1").text == "Category: Confabulation"
