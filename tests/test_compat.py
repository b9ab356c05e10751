"""The plugin among others, on sites that existed before it.

Each test builds a real site with real MkDocs, our plugin and one other
plugin (or theme, or an explicit `nav:`) and reads the HTML: the other
plugin's work must survive ours, in either order, and ours must survive
theirs.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree

import pytest
from conftest import REPO, TIMEOUT_MS, postmortem_text, run_cli, skip_or_fail_in_ci
from sitekit import all_files, broken_links, page, parse_html, run_mkdocs
from test_browser import serve

with contextlib.suppress(ImportError):
    from playwright.sync_api import Browser

TAXONOMY = REPO / "schema" / "taxonomy.yml"
PM = "INC-2025-014"


def write(root: Path, files: dict[str, str], config: str) -> Path:
    """A site: docs files and a full mkdocs.yml written as given."""
    for rel, text in files.items():
        target = root / "docs" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    (root / "mkdocs.yml").write_text(textwrap.dedent(config), encoding="utf-8")
    return root


def ours(options: str = "") -> str:
    """Our plugin's entry in a `plugins:` list, at 2 spaces."""
    extra = textwrap.indent(textwrap.dedent(options).strip(), "      ")
    return f"  - postmortems:\n      taxonomy: {TAXONOMY}\n{extra}\n"


def build_ok(root: Path, python: Path | None = None) -> Path:
    proc = run_mkdocs(root, python=python)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return root / "site"


HOME = "# Our documentation\n\nWelcome to the team's docs.\n"

# Backstage TechDocs' plugin pins an older Material: it lives in an
# environment of its own, which `make test` sets up (see the Makefile).
TECHDOCS_BIN = REPO / ".venv-techdocs" / "bin"


@pytest.fixture
def techdocs() -> Path:
    """The TechDocs environment's bin folder (its python and postmortems)."""
    probe = (
        subprocess.run(
            [str(TECHDOCS_BIN / "python"), "-c", "import techdocs_core, mkdocs_postmortems"],
            capture_output=True,
            check=False,
        )
        if (TECHDOCS_BIN / "python").exists()
        else None
    )
    if probe is None or probe.returncode != 0:
        skip_or_fail_in_ci(f"no TechDocs environment in {TECHDOCS_BIN.parent}: run `make test`")
    return TECHDOCS_BIN


@pytest.fixture
def site(tmp_path: Path) -> Callable[..., Path]:
    def make(plugins: str, *, files: dict[str, str] | None = None, head: str = "") -> Path:
        docs = {"index.md": HOME, f"postmortems/{PM}.md": postmortem_text(tags="[refunds]")}
        docs.update(files or {})
        config = (
            "site_name: Team docs\n"
            "theme:\n  name: material\n  font: false\n"
            f"{head}"
            "plugins:\n"
            f"{plugins}"
        )
        return write(tmp_path, docs, config)

    return make


def test_tags_allowed_sees_only_the_postmortems_own_tags(site: Callable[..., Path]) -> None:
    """Material's tags plugin with tags_allowed builds: ids, systems, category
    titles and a case study's origin are not tags; the tag index holds the
    authors' tags."""
    case = postmortem_text(
        id="INC-2025-201",
        title="A provider's assistant invented a policy",
        origin="external",
        sources="\n  - title: The provider's account\n    url: https://www.example.org/a",
        tags="[refunds]",
    )
    root = site(
        "  - search\n  - tags:\n      tags_allowed: [refunds]\n" + ours(),
        files={"postmortems/INC-2025-201.md": case},
    )
    out = build_ok(root)
    chips = [n.text.strip() for n in page(out, "incidents/INC-2025-201/").find_all(cls="md-tag")]
    assert chips == ["refunds"], chips
    incident = (out / "incidents" / PM / "index.html").read_text(encoding="utf-8")
    assert "md-tag" in incident and "refunds" in incident
    tags = json.loads((out / "tags.json").read_text(encoding="utf-8"))
    names = {t for group in tags["mappings"] for t in group["tags"]}
    assert names == {"refunds"}, tags
    chips = [n.text.strip() for n in page(out, f"incidents/{PM}/").find_all(cls="md-tag")]
    assert chips == ["refunds"], chips


def test_search_still_finds_an_incident_by_id_system_and_category(
    site: Callable[..., Path],
) -> None:
    """Without tags, the search index still carries id, systems and category titles."""
    out = build_ok(site("  - search\n" + ours()))
    docs = json.loads((out / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    text = " ".join(d["title"] + " " + d["text"] for d in docs if PM in d["location"])
    for term in (PM, "support-assistant", "Hallucination"):
        assert term in text, term


@pytest.mark.parametrize("order", ["meta-first", "meta-last"])
def test_meta_yml_values_reach_incident_pages(site: Callable[..., Path], order: str) -> None:
    """Material's meta plugin: `.meta.yml` beside postmortems (hide: navigation) survives ours."""
    meta = "  - meta\n"
    plugins = meta + ours() if order == "meta-first" else ours() + meta
    root = site(
        "  - search\n" + plugins,
        files={"postmortems/.meta.yml": "hide:\n  - navigation\n  - toc\n"},
    )
    out = build_ok(root)
    incident = page(out, f"incidents/{PM}/")
    sidebars = [n for n in incident.find_all("div") if "md-sidebar--primary" in n.classes]
    assert sidebars and all("hidden" in s.attrs for s in sidebars)


@pytest.mark.parametrize("order", ["macros-first", "macros-last"])
def test_macros_render_in_incident_pages_in_either_order(
    site: Callable[..., Path], tmp_path: Path, order: str
) -> None:
    """mkdocs-macros expands a variable in a postmortem's narrative, before or after ours."""
    pytest.importorskip("mkdocs_macros")
    text = postmortem_text(tags="[refunds]").replace(
        "Retrieval returned no policy document.",
        "Retrieval returned no policy document for {{ team_name }}.",
    )
    macros = "  - macros\n"
    plugins = macros + ours() if order == "macros-first" else ours() + macros
    root = site(
        "  - search\n" + plugins,
        files={f"postmortems/{PM}.md": text},
        head="extra:\n  team_name: Refund Desk\n",
    )
    out = build_ok(root)
    incident = (out / "incidents" / PM / "index.html").read_text(encoding="utf-8")
    assert "no policy document for Refund Desk" in incident
    assert "{{ team_name }}" not in incident


@pytest.mark.parametrize("order", ["dates-first", "dates-last"])
def test_git_revision_dates_show_on_incident_pages(
    site: Callable[..., Path], tmp_path: Path, order: str
) -> None:
    """git-revision-date-localized's date reaches the incident page in either order."""
    pytest.importorskip("mkdocs_git_revision_date_localized_plugin")
    dates = "  - git-revision-date-localized:\n      enable_creation_date: true\n"
    plugins = dates + ours() if order == "dates-first" else ours() + dates
    root = site("  - search\n" + plugins)
    _git_commit(root, "2025-04-02T10:00:00")
    out = build_ok(root)
    incident = (out / "incidents" / PM / "index.html").read_text(encoding="utf-8")
    assert "git-revision-date-localized-plugin" in incident
    assert "2025" in incident.split("git-revision-date-localized-plugin", 1)[1][:300]


def test_static_i18n_builds_with_the_generated_pages(site: Callable[..., Path]) -> None:
    """mkdocs-static-i18n builds (no traceback) and the library's pages are published."""
    pytest.importorskip("mkdocs_static_i18n")
    root = site(
        "  - search\n" + ours() + "  - i18n:\n      docs_structure: suffix\n      languages:\n"
        "        - {locale: en, default: true, name: English}\n"
        "        - {locale: fr, name: Français}\n",
        files={"index.fr.md": "# Notre documentation\n"},
    )
    out = build_ok(root)
    for address in ("incidents/index.html", f"incidents/{PM}/index.html", "layers/index.html"):
        assert (out / address).is_file(), address
    assert (out / "fr" / "index.html").is_file()


def test_redirect_to_a_generated_page(site: Callable[..., Path]) -> None:
    """mkdocs-redirects accepts a generated page as a redirect target (strict build)."""
    pytest.importorskip("mkdocs_redirects")
    root = site(
        "  - search\n"
        + ours()
        + "  - redirects:\n      redirect_maps:\n        old-incidents.md: incidents/index.md\n"
    )
    out = build_ok(root)
    redirect = (out / "old-incidents" / "index.html").read_text(encoding="utf-8")
    assert "../incidents/" in redirect


def test_awesome_nav_lists_the_library_once(site: Callable[..., Path]) -> None:
    """With awesome-nav, each library entry is in the navigation once."""
    pytest.importorskip("mkdocs_awesome_nav")
    out = build_ok(site("  - search\n  - awesome-nav\n" + ours()))
    home = page(out, "")
    nav = next(n for n in home.find_all("nav") if "md-nav--primary" in n.classes)
    hrefs = [h for h in nav.hrefs() if h.rstrip("/").endswith(("incidents", "action-items"))]
    assert sorted(hrefs) == sorted(set(hrefs)) and hrefs, hrefs


@pytest.mark.parametrize("plugin", ["blog", "privacy", "offline"])
def test_material_plugins_build_beside_ours(site: Callable[..., Path], plugin: str) -> None:
    """Material's blog, privacy and offline plugins build beside ours, strict, links intact."""
    files = {}
    if plugin == "blog":
        files = {
            "blog/index.md": "# Blog\n",
            "blog/posts/hello.md": "---\ndate: 2025-04-01\n---\n\n# Hello\n\nA post.\n",
        }
    # Material's own bundle names a CDN script (mermaid) that privacy would
    # fetch; an internal site without network excludes it.
    options = "\n      assets_exclude: ['unpkg.com/*']" if plugin == "privacy" else ""
    out = build_ok(site(f"  - search\n  - {plugin}:{options}\n" + ours(), files=files))
    assert (out / "incidents" / PM / "index.html").is_file()
    if plugin == "blog":
        assert list((out / "blog").rglob("hello/index.html"))
    assert broken_links(out) == []


def test_prefix_puts_every_generated_address_under_a_sub_path(
    site: Callable[..., Path],
) -> None:
    """prefix: library/ moves incidents, listings, guide and exports; the site's own guide stays."""
    root = site(
        "  - search\n" + ours("prefix: library/"),
        files={"guide/index.md": "# Our own guide\n\nHow we write docs.\n"},
    )
    out = build_ok(root)
    for address in (
        f"library/incidents/{PM}/index.html",
        "library/incidents/index.html",
        "library/layers/model/index.html",
        "library/systems/support-assistant/index.html",
        "library/action-items/index.html",
        "library/guide/index.html",
        "library/incidents.json",
        "library/feed.xml",
        "library/incidents/index.json",
        "library/incidents/finder.json",
    ):
        assert (out / address).is_file(), address
    assert not (out / "incidents").exists()
    assert "How we write docs." in (out / "guide" / "index.html").read_text(encoding="utf-8")
    assert broken_links(out) == []


def test_a_site_page_at_a_generated_address_is_an_error_naming_prefix(
    site: Callable[..., Path],
) -> None:
    """An existing guide/index.md is never silently replaced: the build fails and names prefix."""
    root = site("  - search\n" + ours(), files={"guide/index.md": "# Our own guide\n"})
    proc = run_mkdocs(root, strict=False)
    assert proc.returncode != 0
    assert "'guide/index.md'" in proc.stderr and "prefix" in proc.stderr


@pytest.mark.parametrize("dashboard", [True, False])
def test_home_dashboard_option(site: Callable[..., Path], dashboard: bool) -> None:
    """home_dashboard: false leaves the site's own home page as written."""
    out = build_ok(site("  - search\n" + ours(f"home_dashboard: {str(dashboard).lower()}")))
    home = (out / "index.html").read_text(encoding="utf-8")
    assert "Welcome to the team&#39;s docs." in home or "Welcome to the team's docs." in home
    assert ("pm-glance" in home) is dashboard


def test_explicit_nav_takes_folder_addresses_and_library_pages_link_each_other(
    site: Callable[..., Path],
) -> None:
    """`incidents/` in nav works like `incidents/index.md`; every library page is reachable."""
    root = site(
        "  - search\n" + ours(),
        head="nav:\n  - Home: index.md\n  - Incidents: incidents/\n  - Layers: layers/index.md\n",
    )
    out = build_ok(root)
    home = page(out, "")
    nav = next(n for n in home.find_all("nav") if "md-nav--primary" in n.classes)
    assert any(h.rstrip("/").endswith("incidents") for h in nav.hrefs()), nav.hrefs()
    links = page(out, "incidents/").find("nav", cls="pm-library-links").hrefs()
    library = ("layers/", "systems/", "action-items/", "reporting/", "guide/", "feed.xml")
    for target in library:
        assert f"../{target}" in links, links


def test_feed_is_announced_and_names_itself(site: Callable[..., Path]) -> None:
    """Every page's <head> links the Atom feed; the feed carries rel="self"."""
    out = build_ok(site("  - search\n" + ours(), head="site_url: https://docs.example.org/\n"))
    for address in ("", "incidents/", f"incidents/{PM}/"):
        head = page(out, address).find("head")
        feeds = [
            n.attrs.get("href")
            for n in head.find_all("link")
            if n.attrs.get("type") == "application/atom+xml"
        ]
        assert len(feeds) == 1 and feeds[0] and feeds[0].endswith("feed.xml"), feeds
    feed = (out / "feed.xml").read_text(encoding="utf-8")
    assert 'rel="self"' in feed and "https://docs.example.org/feed.xml" in feed


def test_the_mkdocs_theme_shows_titles_and_cards(tmp_path: Path) -> None:
    """With MkDocs' own theme, incident and listing pages have a title heading and the card."""
    root = write(
        tmp_path,
        {"index.md": HOME, f"postmortems/{PM}.md": postmortem_text()},
        f"site_name: Team docs\ntheme: mkdocs\nplugins:\n  - search\n{ours()}",
    )
    out = build_ok(root)
    incident = page(out, f"incidents/{PM}/")
    assert incident.find("h1").text == "Support assistant invented a refund policy"
    assert incident.find("dl", cls="pm-card")
    assert "Support assistant invented a refund policy" in incident.find("title").text
    assert page(out, "incidents/").find("h1").text == "Incidents"


def test_no_restricted_text_reaches_a_site_with_other_plugins(site: Callable[..., Path]) -> None:
    """A restricted postmortem stays out beside tags, meta, macros and redirects."""
    pytest.importorskip("mkdocs_macros")
    canary = "CANARYRESTRICTED"
    restricted = postmortem_text(
        id="INC-2025-015", title=f"{canary} title", visibility="restricted", tags="[refunds]"
    )
    root = site(
        "  - search\n  - tags\n  - meta\n  - macros\n" + ours(),
        files={"postmortems/INC-2025-015.md": restricted},
    )
    out = build_ok(root)
    leaks = [str(p) for p, data in all_files(out) if canary.encode() in data]
    assert leaks == []


def test_parse_html_of_library_links_is_escaped_text(site: Callable[..., Path]) -> None:
    """The library links carry no unescaped site name (a hostile site_name stays text)."""
    root = site("  - search\n" + ours())
    cfg = root / "mkdocs.yml"
    cfg.write_text(
        cfg.read_text(encoding="utf-8").replace(
            "site_name: Team docs", "site_name: 'Docs <script>x</script>'"
        ),
        encoding="utf-8",
    )
    out = build_ok(root)
    head = (out / "index.html").read_text(encoding="utf-8").split("</head>")[0]
    feed_link = next(line for line in head.split("<link") if "atom+xml" in line)
    assert "<script>" not in feed_link
    assert parse_html(head)


def _second(**overrides: str) -> str:
    """A second incident, a few weeks after the first."""
    fields = {
        "id": "INC-2025-016",
        "title": "Second incident",
        "date": "2025-04-02",
        "detected": "2025-04-02",
        "resolved": "2025-04-03",
    }
    return postmortem_text(**{**fields, **overrides})


@pytest.mark.browser
def test_incidents_filters_work_after_an_instant_page_switch(
    site: Callable[..., Path], browser: Browser
) -> None:
    """With navigation.instant, the incidents page reached by an instant switch
    gets its filters and sort buttons, and filtering still works."""
    from playwright.sync_api import expect

    second = _second(severity="SEV3")
    root = site("  - search\n" + ours(), files={"postmortems/INC-2025-016.md": second})
    out = root / "served"
    out.mkdir()
    with serve(out) as base:
        # Material switches instantly only between addresses of its sitemap,
        # which are written from site_url: build for the address served.
        cfg = root / "mkdocs.yml"
        cfg.write_text(
            cfg.read_text(encoding="utf-8").replace(
                "  font: false\n", "  font: false\n  features: [navigation.instant]\n"
            )
            + f"site_url: {base}\n",
            encoding="utf-8",
        )
        proc = run_mkdocs(root, out=out)
        assert proc.returncode == 0, proc.stderr
        context = browser.new_context()
        try:
            tab = context.new_page()
            tab.set_default_timeout(TIMEOUT_MS)
            tab.goto(base)
            tab.wait_for_load_state("networkidle")
            # A mark on the window: an instant switch keeps it, a full load does not.
            tab.evaluate("window.__pmSameWindow = true")
            tab.locator(".pm-library-links a", has_text="Incidents").first.click()
            tab.wait_for_url("**/incidents/")
            assert tab.evaluate("window.__pmSameWindow === true"), "not an instant switch"
            form = tab.locator("form[data-pm-filter]")
            expect(form).to_be_visible()
            expect(tab.locator("table[data-pm-table] button.pm-sort")).not_to_have_count(0)
            form.locator("select[name=severity]").select_option("SEV3")
            rows = tab.locator("table[data-pm-table] tbody tr:visible")
            expect(rows).to_have_count(1)
            expect(rows.first).to_contain_text("INC-2025-016")
            # Away and back again: one toolbar, still there.
            tab.go_back()
            tab.locator(".pm-library-links a", has_text="Incidents").first.click()
            tab.wait_for_url("**/incidents/")
            expect(tab.locator("form[data-pm-filter]")).to_have_count(1)
            expect(tab.locator("form[data-pm-filter]")).to_be_visible()
        finally:
            context.close()


def _in_order(other: str, order: str, options: str = "") -> str:
    """`other` (a `plugins:` entry at 2 spaces) before ours, or after."""
    return other + ours(options) if order == "theirs-first" else ours(options) + other


ORDERS = ["theirs-first", "ours-first"]
LISTINGS = ("incidents/", "layers/", "layers/model/", "systems/", "action-items/", "reporting/")


def _searched_pages(out: Path) -> set[str]:
    docs = json.loads((out / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    return {d["location"].split("#", 1)[0] for d in docs}


@pytest.mark.parametrize("order", ORDERS)
def test_techdocs_core_without_a_theme_builds_and_keeps_listings_out_of_search(
    tmp_path: Path, order: str, techdocs: Path
) -> None:
    """Backstage's usual mkdocs.yml (no theme; techdocs-core swaps in Material
    and MkDocs' own search): builds in either order, incidents are found,
    listing pages are not in the search index."""
    plugins = _in_order("  - techdocs-core\n", order)
    root = write(
        tmp_path,
        {"index.md": HOME, f"postmortems/{PM}.md": postmortem_text()},
        f"site_name: Team docs\nplugins:\n{plugins}",
    )
    out = build_ok(root, techdocs / "python")
    assert page(out, f"incidents/{PM}/").find("dl", cls="pm-card")
    assert (out / "techdocs_metadata.json").is_file()
    searched = _searched_pages(out)
    assert f"incidents/{PM}/" in searched
    assert searched.isdisjoint(LISTINGS), sorted(searched)


def test_mkdocs_own_search_honours_the_listings_exclusion(tmp_path: Path) -> None:
    """The readthedocs theme (MkDocs' own search plugin) indexes no listing page."""
    root = write(
        tmp_path,
        {"index.md": HOME, f"postmortems/{PM}.md": postmortem_text()},
        f"site_name: Team docs\ntheme: readthedocs\nplugins:\n  - search\n{ours()}",
    )
    searched = _searched_pages(build_ok(root))
    assert f"incidents/{PM}/" in searched
    assert searched.isdisjoint(LISTINGS), sorted(searched)


CANARY = "CANARYRESTRICTED"


def _monorepo(
    tmp_path: Path,
    plugins: str,
    team_postmortem: str | None = None,
    *,
    head: str = "",
    team_head: str = "",
) -> Path:
    """A monorepo site: the postmortems (one restricted) live in team-a's own
    docs folder, which the root site's nav includes; `head` and `team_head`
    are more lines of the root's and team-a's mkdocs.yml."""
    team = {
        "index.md": "# Team A\n\nTeam A's docs.\n",
        f"postmortems/{PM}.md": team_postmortem or postmortem_text(),
        "postmortems/INC-2025-015.md": postmortem_text(
            id="INC-2025-015", title=f"{CANARY} title", visibility="restricted"
        ),
    }
    for rel, text in team.items():
        target = tmp_path / "team-a" / "docs" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    (tmp_path / "team-a" / "mkdocs.yml").write_text(
        f"site_name: team-a\n{team_head}nav:\n  - Team A: index.md\n", encoding="utf-8"
    )
    return write(
        tmp_path,
        {"index.md": HOME},
        f"site_name: Team docs\n{head}"
        "nav:\n  - Home: index.md\n  - Team A: '!include ./team-a/mkdocs.yml'\n"
        f"plugins:\n  - search\n{plugins}",
    )


@pytest.mark.parametrize("prefix", ["", "team-a/"])
@pytest.mark.parametrize("order", ORDERS)
def test_monorepo_lint_build_and_audit_agree_on_the_included_postmortems(
    tmp_path: Path, order: str, prefix: str
) -> None:
    """mkdocs-monorepo-plugin with the postmortems in an `!include`d site:
    the build publishes the incident (at the prefix or not), lint checks
    the same two files, audit looks for the restricted one, nothing of it
    reaches the site."""
    pytest.importorskip("mkdocs_monorepo_plugin")
    options = f"prefix: {prefix}" if prefix else ""
    root = _monorepo(tmp_path, _in_order("  - monorepo\n", order, options))
    out = build_ok(root)
    assert page(out, f"{prefix}incidents/{PM}/").find("dl", cls="pm-card")
    assert [str(p) for p, data in all_files(out) if CANARY.encode() in data] == []
    lint = run_cli("lint", cwd=root)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert "2 postmortem file(s) checked" in lint.stderr, lint.stderr
    # A file named by its own path is the one the merged tree holds, not a second.
    named = run_cli("lint", f"team-a/docs/postmortems/{PM}.md", cwd=root)
    assert named.returncode == 0, named.stdout + named.stderr
    audit = run_cli("audit", out, cwd=root)
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert "for 1 unpublished file(s)" in audit.stderr, audit.stderr


MATERIAL_EDIT = "theme:\n  name: material\n  font: false\n  features: [content.action.edit]\n"
TEAM_REPO = "repo_url: https://git.example.org/acme/team-a\nedit_uri: src/branch/main/docs/\n"


def _edit_link(out: Path, address: str) -> str:
    """The href of Material's "Edit this page" button on a page."""
    links = [a for a in page(out, address).find_all("a") if a.attrs.get("rel") == "edit"]
    assert len(links) == 1, address
    return links[0].attrs["href"]


def test_incident_edit_link_names_the_postmortem_file(site: Callable[..., Path]) -> None:
    """On an ordinary site, an incident page served at `incidents/<id>/`
    links for editing the postmortem's own file: MkDocs makes the link from
    the page's source path, which moving the page to its address keeps."""
    # Under the fixture's `theme:`, then a key of the site's own.
    head = "  features: [content.action.edit]\nrepo_url: https://github.com/acme/docs\n"
    root = site(ours(), head=head)
    out = build_ok(root)
    edit = "https://github.com/acme/docs/edit/master/docs/"
    assert _edit_link(out, f"incidents/{PM}/") == edit + f"postmortems/{PM}.md"


@pytest.mark.parametrize("team_head", ["", TEAM_REPO], ids=["root-repo", "team-repo"])
@pytest.mark.parametrize("prefix", ["", "team-a/"])
@pytest.mark.parametrize("order", ORDERS)
def test_monorepo_incident_edit_link_names_the_file_in_its_sub_site(
    tmp_path: Path, order: str, prefix: str, team_head: str
) -> None:
    """An incident page of an included site, served at `incidents/<id>/`,
    links for editing the postmortem where its author wrote it, as the
    monorepo plugin links the sub-site's own pages: under team-a's docs
    folder, with team-a's own repo_url and edit_uri where it sets them."""
    pytest.importorskip("mkdocs_monorepo_plugin")
    options = f"prefix: {prefix}" if prefix else ""
    root = _monorepo(
        tmp_path,
        _in_order("  - monorepo\n", order, options),
        head="repo_url: https://github.com/acme/docs\n" + MATERIAL_EDIT,
        team_head=team_head,
    )
    out = build_ok(root)
    team = (
        "https://git.example.org/acme/team-a/src/branch/main/docs/"
        if team_head
        else "https://github.com/acme/docs/edit/master/team-a/docs/"
    )
    # The monorepo plugin's own link for a page of the same sub-site.
    assert _edit_link(out, "team-a/") == team + "index.md"
    assert _edit_link(out, f"{prefix}incidents/{PM}/") == team + f"postmortems/{PM}.md"
    assert _edit_link(out, "") == "https://github.com/acme/docs/edit/master/docs/index.md"


def test_techdocs_core_incident_edit_link_names_the_file_in_its_sub_site(
    tmp_path: Path, techdocs: Path
) -> None:
    """Through techdocs-core (which brings mkdocs-monorepo-plugin itself and
    Material's edit button), an included site's incident page links its
    postmortem for editing under that site's docs folder, as its own pages."""
    head = "repo_url: https://github.com/acme/docs\n"
    root = _monorepo(tmp_path, "  - techdocs-core\n" + ours(), head=head)
    out = build_ok(root, techdocs / "python")
    team = "https://github.com/acme/docs/edit/master/team-a/docs/"
    assert _edit_link(out, "team-a/") == team + "index.md"
    assert _edit_link(out, f"incidents/{PM}/") == team + f"postmortems/{PM}.md"


NEW = ["new", "Refund bot quoted a retired policy", "--severity", "SEV3"]
NEW += ["--system", "support-assistant", "--date", "2025-06-02", "--no-reporting"]


def test_monorepo_new_writes_beside_the_included_postmortems(tmp_path: Path) -> None:
    """`postmortems new` in a monorepo's root folder puts the draft where the
    library's postmortems are, in the included site's own docs folder, and
    the build publishes it from there (drafts shown) with the edit link of
    that file; the root's docs folder is left as it was."""
    pytest.importorskip("mkdocs_monorepo_plugin")
    root = _monorepo(
        tmp_path,
        "  - monorepo\n" + ours("include_drafts: true"),
        head="repo_url: https://github.com/acme/docs\n" + MATERIAL_EDIT,
    )
    made = run_cli(*NEW, cwd=root)
    assert made.returncode == 0, made.stdout + made.stderr
    name = "INC-2025-016-refund-bot-quoted-a-retired-policy.md"
    assert made.stdout == f"team-a/docs/postmortems/{name}\n"
    assert (root / "team-a" / "docs" / "postmortems" / name).is_file()
    assert sorted(p.name for p in (root / "docs").rglob("*")) == ["index.md"]
    lint = run_cli("lint", cwd=root)
    assert "3 postmortem file(s) checked" in lint.stderr, lint.stdout + lint.stderr
    out = build_ok(root)
    edit = "https://github.com/acme/docs/edit/master/team-a/docs/postmortems/"
    assert _edit_link(out, "incidents/INC-2025-016/") == edit + name


def test_techdocs_core_new_writes_beside_the_included_postmortems(
    tmp_path: Path, techdocs: Path
) -> None:
    """`postmortems new` beside techdocs-core (which merges included sites
    itself) writes into the included site's docs folder too."""
    root = _monorepo(tmp_path, "  - techdocs-core\n" + ours())
    made = run_cli(*NEW, cwd=root, program=techdocs / "postmortems")
    assert made.returncode == 0, made.stdout + made.stderr
    name = "INC-2025-016-refund-bot-quoted-a-retired-policy.md"
    assert made.stdout == f"team-a/docs/postmortems/{name}\n"


@pytest.mark.parametrize("docs_dir", ["docs", "postmortems"])
def test_monorepo_new_starts_a_library_in_the_root_docs_folder(
    tmp_path: Path, docs_dir: str
) -> None:
    """The first postmortem of a monorepo's library goes to the root site's
    docs folder, as on any site: `postmortems/<year>/` there, or the year
    folder straight away where that folder is itself named postmortems."""
    pytest.importorskip("mkdocs_monorepo_plugin")
    root = _monorepo(tmp_path, "  - monorepo\n" + ours(), head=f"docs_dir: {docs_dir}\n")
    for md in (root / "team-a" / "docs" / "postmortems").glob("*.md"):
        md.unlink()
    if docs_dir != "docs":
        (root / "docs").rename(root / docs_dir)
    made = run_cli(*NEW, cwd=root)
    assert made.returncode == 0, made.stdout + made.stderr
    first = "2025/INC-2025-001-refund-bot-quoted-a-retired-policy.md"
    expected = "postmortems/" + first if docs_dir == "postmortems" else "docs/postmortems/" + first
    assert made.stdout == expected + "\n"


def test_monorepo_new_into_a_named_folder_of_any_included_site(tmp_path: Path) -> None:
    """`new --folder` writes into the folder named, inside the root's docs
    folder or an included site's; a folder the build does not read is a
    usage error, and nothing is written."""
    pytest.importorskip("mkdocs_monorepo_plugin")
    root = _monorepo(tmp_path, "  - monorepo\n" + ours())
    made = run_cli(*NEW, "--folder", "team-a/docs/postmortems/2025", cwd=root)
    assert made.returncode == 0, made.stdout + made.stderr
    name = "INC-2025-016-refund-bot-quoted-a-retired-policy.md"
    assert made.stdout == f"team-a/docs/postmortems/2025/{name}\n"
    into_root = run_cli(*NEW, "--folder", "docs/incidents", cwd=root)
    assert into_root.stdout == f"docs/incidents/{name.replace('016', '017')}\n", into_root.stderr
    (root / "team-b" / "docs").mkdir(parents=True)
    outside = run_cli(*NEW, "--folder", "team-b/docs", cwd=root)
    assert outside.returncode == 2, outside.stdout + outside.stderr
    assert "team-b/docs is not in a docs folder the build reads" in outside.stderr
    assert "docs, team-a/docs" in outside.stderr
    assert list((root / "team-b").rglob("*.md")) == []


@pytest.mark.parametrize("plugin", ["monorepo", "techdocs-core"])
def test_an_invalid_included_postmortem_fails_lint_and_build_alike(
    tmp_path: Path, plugin: str, request: pytest.FixtureRequest
) -> None:
    """An error in an included site's postmortem: lint exits 1 and the build
    fails, both naming the file where its author wrote it."""
    pytest.importorskip("mkdocs_monorepo_plugin")
    # techdocs-core builds (and lints) in its own environment.
    env = request.getfixturevalue("techdocs") if plugin == "techdocs-core" else None
    broken = postmortem_text(severity="SEV9")
    root = _monorepo(tmp_path, f"  - {plugin}\n" + ours(), team_postmortem=broken)
    where = f"team-a/docs/postmortems/{PM}.md:"
    lint = (
        run_cli("lint", cwd=root, program=env / "postmortems") if env else run_cli("lint", cwd=root)
    )
    assert lint.returncode == 1 and where in lint.stdout, lint.stdout + lint.stderr
    proc = run_mkdocs(root, python=env / "python" if env else None)
    assert proc.returncode != 0 and where in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("searched", [True, False])
@pytest.mark.parametrize("order", ORDERS)
def test_glightbox_edits_survive_on_incident_pages(
    site: Callable[..., Path], order: str, searched: bool
) -> None:
    """glightbox wraps an incident's image in a lightbox link, before or after
    ours: the plugin adds its card to the page rather than replacing the HTML,
    also where the library is too large for narratives to be searched."""
    pytest.importorskip("mkdocs_glightbox")
    text = postmortem_text(tags="[refunds]") + f"\n![The retrieval diagram]({PM}/diagram.png)\n"
    limit = "" if searched else "search_narrative_limit: 0"
    root = site(
        "  - search\n" + _in_order("  - glightbox\n", order, limit),
        files={
            f"postmortems/{PM}.md": text,
            f"postmortems/{PM}/diagram.png": "not really a PNG",
            "index.md": HOME + "\n![A chart](chart.png)\n",
            "chart.png": "not really a PNG",
        },
    )
    out = build_ok(root)
    for address in ("", f"incidents/{PM}/"):
        links = [a for a in page(out, address).find_all("a") if "glightbox" in a.classes]
        assert len(links) == 1, address
    incident = page(out, f"incidents/{PM}/")
    assert incident.find("dl", cls="pm-card")
    narrative = "The assistant answered a refund question"
    assert narrative in incident.text
    docs = json.loads((out / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    indexed = " ".join(d["text"] for d in docs if PM in d["location"])
    assert (narrative in indexed) is searched


def _git_commit(root: Path, when: str = "2026-01-05T10:00:00") -> None:
    """Commit the site, dated `when`: a date no incident has."""
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run([*git, "-C", str(root), "add", "-A"], check=True)
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    subprocess.run([*git, "-C", str(root), "commit", "-q", "-m", "docs"], check=True, env=env)


@pytest.mark.parametrize("order", ORDERS)
def test_rss_plugin_defaults_build_with_titles_escaped_once_and_incident_dates(
    site: Callable[..., Path], order: str
) -> None:
    """mkdocs-rss-plugin with its defaults builds (generated pages have a
    source file); an incident's item carries its title escaped once and,
    with date_from_meta, the date the incident began."""
    pytest.importorskip("mkdocs_rss_plugin")
    title = 'Refunds "promised" & <b>invented</b>'
    text = postmortem_text(tags="[refunds]", title=f"'{title}'")
    rss = "  - rss:\n      date_from_meta:\n        as_creation: date\n"
    root = site(
        "  - search\n" + _in_order(rss, order),
        files={f"postmortems/{PM}.md": text},
        head="site_url: https://docs.example.org/\n",
    )
    _git_commit(root)
    out = build_ok(root)
    feed = ElementTree.parse(out / "feed_rss_created.xml").getroot()
    items = {i.findtext("link"): i for i in feed.iter("item")}
    item = items[f"https://docs.example.org/incidents/{PM}/"]
    assert item.findtext("title") == title
    assert item.findtext("pubDate", "").startswith("Fri, 14 Mar 2025"), item.findtext("pubDate")
    assert "https://docs.example.org/incidents/" in items


# The kinds of site docs/compatibility.md gives a `match_path` for, in its order.
RSS_SITES = [("own-home", "", True), ("prefix", "library/", True), ("library-home", "", False)]


def _documented_match_paths() -> list[str]:
    """The `match_path` values docs/compatibility.md advises, in its order."""
    text = (REPO / "docs" / "compatibility.md").read_text(encoding="utf-8")
    return re.findall(r"^ *(?:# )?match_path: '(.*)'$", text, flags=re.MULTILINE)


@pytest.mark.parametrize("more", [0, 200])
@pytest.mark.parametrize(("case", "prefix", "own_home"), RSS_SITES)
def test_rss_plugin_with_the_documented_match_path_keeps_library_pages_out_quietly(
    site: Callable[..., Path], case: str, prefix: str, own_home: bool, more: int
) -> None:
    """mkdocs-rss-plugin with the `match_path` docs/compatibility.md gives for
    each kind of site, also where the incidents list takes two pages: it
    logs nothing about pages without a git history, and its feed holds
    incidents and the site's own pages, no listing."""
    pytest.importorskip("mkdocs_rss_plugin")
    paths = _documented_match_paths()
    assert len(paths) == 3, paths
    match_path = paths[[c for c, *_ in RSS_SITES].index(case)]
    rss = (
        "  - rss:\n      date_from_meta:\n        as_creation: date\n"
        f"      match_path: '{match_path}'\n"
    )
    options = f"prefix: {prefix}" if prefix else ""
    ids = [f"INC-2024-{n:03d}" for n in range(1, more + 1)]
    others = {f"postmortems/{i}.md": postmortem_text(id=i, date="2024-05-01") for i in ids}
    root = site(
        "  - search\n" + rss + ours(options),
        files=others,
        head="site_url: https://docs.example.org/\n",
    )
    if not own_home:
        (root / "docs" / "index.md").unlink()
    _git_commit(root)
    proc = run_mkdocs(root)
    assert proc.returncode == 0, proc.stderr
    if more:
        assert (root / "site" / prefix / "incidents" / "page" / "2" / "index.html").is_file()
    for said in ("Dates could not be retrieved", "Unable to read git logs"):
        assert said not in proc.stderr, proc.stderr
    feed = ElementTree.parse(root / "site" / "feed_rss_created.xml").getroot()
    links = {i.findtext("link") for i in feed.iter("item")}
    # The feed's 20 newest: the home page (its commit), the incident of 2025,
    # then incidents of 2024; never a listing.
    site_url = "https://docs.example.org/"
    assert f"{site_url}{prefix}incidents/{PM}/" in links
    assert (site_url in links) is own_home
    listed = links - {site_url, f"{site_url}{prefix}incidents/{PM}/"}
    assert all(re.fullmatch(rf"{site_url}{prefix}incidents/INC-2024-\d+/", u) for u in listed)
    assert len(listed) == (min(more, 20 - 1 - own_home))


@pytest.mark.parametrize("order", ORDERS)
def test_tags_allowed_matches_tags_with_markup_characters(
    site: Callable[..., Path], order: str
) -> None:
    """An author's tags with `"`, `&` and `<` pass Material's tags_allowed
    (page.meta holds them as written); pages and the tag index print them
    escaped; tags.json holds them as written."""
    allowed = ['quote"tag', "R&D", "a<b>c"]
    tags = "[" + ", ".join(json.dumps(t) for t in allowed) + "]"
    tags_plugin = f"  - tags:\n      tags_allowed: {json.dumps(allowed)}\n"
    root = site(
        "  - search\n" + _in_order(tags_plugin, order),
        files={
            f"postmortems/{PM}.md": postmortem_text(tags=tags),
            "tags.md": "# Tags\n\n<!-- material/tags -->\n",
        },
    )
    out = build_ok(root)
    chips = page(out, f"incidents/{PM}/").find_all(cls="md-tag")
    assert sorted(c.text.strip() for c in chips) == sorted(allowed)
    assert all(not c.find_all("b") for c in chips)
    index = page(out, "tags/")
    assert not index.find_all("b"), "a tag's markup reached the tag index"
    for name in allowed:
        assert name in index.text
    exported = json.loads((out / "tags.json").read_text(encoding="utf-8"))
    names = {t for group in exported["mappings"] for t in group["tags"]}
    assert names == set(allowed)


@pytest.mark.parametrize("order", ORDERS)
def test_meta_yml_tags_reach_incident_pages_and_the_tag_index(
    site: Callable[..., Path], order: str
) -> None:
    """Material's meta plugin: `tags:` of a `.meta.yml` beside the
    postmortems join the postmortem's own tags, on its page and in the index."""
    root = site(
        "  - search\n  - tags\n" + _in_order("  - meta\n", order),
        files={"postmortems/.meta.yml": "tags:\n  - incident-library\n"},
    )
    out = build_ok(root)
    chips = [n.text.strip() for n in page(out, f"incidents/{PM}/").find_all(cls="md-tag")]
    assert chips == ["incident-library", "refunds"], chips
    exported = json.loads((out / "tags.json").read_text(encoding="utf-8"))
    tagged = {t: group["item"]["url"] for group in exported["mappings"] for t in group["tags"]}
    assert tagged == {"incident-library": f"incidents/{PM}/", "refunds": f"incidents/{PM}/"}


def test_without_directory_urls_feed_and_exports_name_pages_as_the_sitemap_does(
    site: Callable[..., Path],
) -> None:
    """use_directory_urls: false: the feed, incidents.json, the incidents
    index, the finder's data and `postmortems export` name an incident's
    page as its canonical link and the sitemap do."""
    root = site(
        "  - search\n" + ours(),
        head="site_url: https://docs.example.org/\nuse_directory_urls: false\n",
    )
    out = build_ok(root)
    incident = (out / "incidents" / PM / "index.html").read_text(encoding="utf-8")
    canonical = incident.split('rel="canonical" href="', 1)[1].split('"', 1)[0]
    assert canonical == f"https://docs.example.org/incidents/{PM}/index.html"
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>{canonical}</loc>" in sitemap
    feed = ElementTree.parse(out / "feed.xml").getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    links = [
        link.get("href")
        for entry in feed.findall("a:entry", ns)
        for link in entry.findall("a:link", ns)
    ]
    assert links == [canonical]
    relative = f"incidents/{PM}/index.html"
    exported = json.loads((out / "incidents.json").read_text(encoding="utf-8"))
    assert [i["url"] for i in exported["incidents"]] == [relative]
    index = json.loads((out / "incidents" / "index.json").read_text(encoding="utf-8"))
    assert [row["url"] for row in index] == [relative]
    finder = json.loads((out / "incidents" / "finder.json").read_text(encoding="utf-8"))
    assert finder["url"].replace("{id}", PM) == relative
    assert f",{relative}," in (out / "incidents.csv").read_text(encoding="utf-8")
    cli = run_cli("export", cwd=root)
    assert [i["url"] for i in json.loads(cli.stdout)["incidents"]] == [relative]


@pytest.mark.parametrize("order", ORDERS)
def test_mike_versions_keep_feed_entry_ids(
    site: Callable[..., Path], tmp_path: Path, order: str
) -> None:
    """mike deploys two versions: each feed links the pages of its version,
    and an incident's entry id is the same in both (readers do not show it
    as new after a deploy)."""
    pytest.importorskip("mike")
    root = site(
        "  - search\n" + _in_order("  - mike\n", order),
        head="site_url: https://docs.example.org/\n",
    )
    _git_commit(root)
    mike = Path(sys.executable).with_name("mike")
    # mike runs the build command it finds on PATH: this environment's.
    path = f"{mike.parent}{os.pathsep}{os.environ.get('PATH', '')}"
    env = {
        **os.environ,
        "NO_MKDOCS_2_WARNING": "1",
        "PYTHONWARNINGS": "ignore",
        "PATH": path,
        # mike commits each version: with an identity, whatever git's own config.
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
    }
    for version in ("1.0", "2.0"):
        proc = subprocess.run(
            [str(mike), "deploy", version], cwd=root, env=env, capture_output=True, text=True
        )
        assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    ns = {"a": "http://www.w3.org/2005/Atom"}
    ids, links = {}, {}
    for version in ("1.0", "2.0"):
        shown = subprocess.run(
            ["git", "-C", str(root), "show", f"gh-pages:{version}/feed.xml"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        entry = ElementTree.fromstring(shown.encode()).find("a:entry", ns)
        assert entry is not None
        ids[version] = entry.findtext("a:id", namespaces=ns)
        link = entry.find("a:link", ns)
        links[version] = link.get("href") if link is not None else None
    assert ids["1.0"] == ids["2.0"] == f"https://docs.example.org/incidents/{PM}/"
    assert links == {v: f"https://docs.example.org/{v}/incidents/{PM}/" for v in ("1.0", "2.0")}


def _nav_titles(out: Path) -> list[str]:
    home = page(out, "")
    nav = next(n for n in home.find_all("nav") if "md-nav--primary" in n.classes)
    return [a.text.strip() for a in nav.find_all("a") if a.text.strip()]


@pytest.mark.parametrize("order", ORDERS)
def test_literate_nav_without_summary_lists_the_site_and_the_library_top_pages(
    site: Callable[..., Path], tmp_path: Path, order: str
) -> None:
    """mkdocs-literate-nav with no SUMMARY.md: the navigation holds the
    site's own pages and the library's top pages, as without it; no incident,
    layer, category or system page floods it."""
    pytest.importorskip("mkdocs_literate_nav")
    files = {
        "team/handbook.md": "# Handbook\n\nHow we work.\n",
        "postmortems/INC-2025-016.md": postmortem_text(id="INC-2025-016", title="Second one"),
    }
    root = site("  - search\n" + _in_order("  - literate-nav\n", order), files=files)
    titles = _nav_titles(build_ok(root))
    # The same site without literate-nav: MkDocs' own navigation.
    plain = tmp_path / "plain"
    shutil.copytree(root / "docs", plain / "docs")
    config = (root / "mkdocs.yml").read_text(encoding="utf-8").replace("  - literate-nav\n", "")
    (plain / "mkdocs.yml").write_text(config, encoding="utf-8")
    assert titles == _nav_titles(build_ok(plain))
    assert "Handbook" in titles and "Incidents" in titles
    assert not any(t.startswith(("Layer:", "Category:", "System:", "Second")) for t in titles)


@pytest.mark.browser
@pytest.mark.parametrize("order", ORDERS)
def test_incidents_finder_works_opened_from_disk_with_the_offline_plugin(
    site: Callable[..., Path], browser: Browser, order: str
) -> None:
    """Material's offline plugin: incidents/ opened from disk (file://) finds
    an incident by its summary, which only the finder's rows hold."""
    from playwright.sync_api import expect

    second = _second(summary="The ranking model buried every urgent ticket.")
    root = site(
        "  - search\n" + _in_order("  - offline\n", order),
        files={"postmortems/INC-2025-016.md": second},
        head="use_directory_urls: false\n",
    )
    out = build_ok(root)
    context = browser.new_context()
    try:
        tab = context.new_page()
        tab.set_default_timeout(TIMEOUT_MS)
        tab.goto((out / "incidents" / "index.html").as_uri())
        tab.locator("input[data-pm-find]").fill("urgent ticket")
        rows = tab.locator("table[data-pm-table] tbody tr:visible")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("INC-2025-016")
        link = rows.first.locator("a").first.get_attribute("href") or ""
        assert link.startswith("file://") and link.endswith("INC-2025-016/index.html"), link
    finally:
        context.close()


@pytest.mark.parametrize(
    "plugins",
    [
        "  - techdocs-core\n  - rss\n  - glightbox\n",
        "  - search\n  - literate-nav\n  - rss\n  - glightbox\n  - offline\n  - tags\n  - meta\n",
    ],
    ids=["techdocs", "material"],
)
def test_no_withheld_text_reaches_a_site_with_the_plugins_of_issue_22(
    tmp_path: Path, plugins: str, request: pytest.FixtureRequest
) -> None:
    """A restricted and a draft postmortem stay out of a site built with
    techdocs-core, the feed, lightbox, literate-nav, offline and tags plugins
    (before and after ours); `postmortems audit` agrees."""
    for name in ("mkdocs_rss_plugin", "mkdocs_glightbox"):
        pytest.importorskip(name)
    env = request.getfixturevalue("techdocs") if "techdocs" in plugins else None
    restricted = postmortem_text(
        id="INC-2025-015", title=f"{CANARY} title", visibility="restricted", tags="[refunds]"
    )
    draft = postmortem_text(id="INC-2025-017", title="CANARYDRAFT title", status="draft")
    theme = "" if "techdocs" in plugins else "theme:\n  name: material\n  font: false\n"
    first, _, rest = plugins.partition("\n")
    config = (
        f"site_name: Team docs\nsite_url: https://docs.example.org/\n{theme}"
        f"plugins:\n{first}\n{ours()}{rest}"
    )
    root = write(
        tmp_path,
        {
            "index.md": HOME,
            f"postmortems/{PM}.md": postmortem_text(tags="[refunds]"),
            "postmortems/INC-2025-015.md": restricted,
            "postmortems/INC-2025-017.md": draft,
        },
        config,
    )
    _git_commit(root)
    out = build_ok(root, env / "python" if env else None)
    assert (out / "incidents" / PM / "index.html").is_file()
    leaks = [str(p) for p, data in all_files(out) if b"CANARY" in data]
    assert leaks == []
    audit = (
        run_cli("audit", out, cwd=root, program=env / "postmortems")
        if env
        else run_cli("audit", out, cwd=root)
    )
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert "for 2 unpublished file(s)" in audit.stderr, audit.stderr
