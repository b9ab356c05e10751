"""The readers' experience in a real browser.

The repository's own site is built once per session, served by a stdlib HTTP
server on 127.0.0.1 and read by Debian's headless Chromium through
Playwright (executable_path: nothing is downloaded). Expected rows and search
hits are computed from the built site's incidents.json and the taxonomy, never
hard-coded. Screenshots, PDFs and axe results go to tests/artifacts/
(gitignored). Without Chromium, Playwright or axe-core the tests skip; under
CI=true they fail instead (see the fixtures in conftest.py).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import http.server
import json
import os
import re
import subprocess
import sys
import threading
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
import yaml
from conftest import REPO, TIMEOUT_MS, postmortem_text

# Without playwright the chromium_executable fixture skips (fails under CI=true).
with contextlib.suppress(ImportError):
    from playwright.sync_api import Browser, BrowserContext, Page, expect

pytestmark = pytest.mark.browser

ARTIFACTS = REPO / "tests" / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
PALETTES = ("light", "dark")
SCHEME = {"light": "default", "dark": "slate"}
PAGE_TYPES = (
    "home",
    "incidents",
    "incident",
    "case-study",
    "layer",
    "category",
    "system",
    "systems",
    "layers",
    "action-items",
    "guide",
    "404",
)
FILTERS = ("severity", "status", "origin", "layer", "category", "system", "year")
# Searches are capped so the suite stays quick however large the library grows.
MAX_SEARCHES = 6


# --- the site under test ----------------------------------------------------------


@dataclass(frozen=True)
class Library:
    """What the built site publishes, read from its incidents.json and the taxonomy."""

    incidents: list[dict[str, Any]]
    layer_titles: dict[str, str]  # in taxonomy order
    category_titles: dict[str, str]
    category_layer: dict[str, str]
    search_docs: list[dict[str, Any]]  # the built search/search_index.json

    def ids(self, keep: Callable[[dict[str, Any]], bool]) -> set[str]:
        return {p["id"] for p in self.incidents if keep(p)}

    def used(self, key: str) -> list[str]:
        """Layer or category ids that published incidents carry, in taxonomy order."""
        carried = {f[key] for p in self.incidents for f in p["factors"]}
        order = self.layer_titles if key == "layer" else self.category_titles
        return [k for k in order if k in carried]

    @property
    def systems(self) -> list[str]:
        return sorted({s for p in self.incidents for s in p["systems"]})


def _layers(p: dict[str, Any]) -> set[str]:
    return {f["layer"] for f in p["factors"]}


def _categories(p: dict[str, Any]) -> set[str]:
    return {f["category"] for f in p["factors"]}


FILTER_MATCH: dict[str, Callable[[dict[str, Any], str], bool]] = {
    "severity": lambda p, v: p["severity"] == v,
    "status": lambda p, v: p["status"] == v,
    "origin": lambda p, v: p["origin"] == v,
    "layer": lambda p, v: v in _layers(p),
    "category": lambda p, v: v in _categories(p),
    "system": lambda p, v: v in p["systems"],
    "year": lambda p, v: p["date"][:4] == v,
}


def mkdocs_build(config_dir: Path, dest: Path) -> Path:
    """`mkdocs build --strict` of the mkdocs.yml in config_dir into dest."""
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(dest)],
        cwd=config_dir,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, f"mkdocs build --strict failed:\n{proc.stdout}{proc.stderr}"
    return dest


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's own site, built once per session."""
    return mkdocs_build(REPO, tmp_path_factory.mktemp("browser") / "site")


@pytest.fixture(scope="session")
def library(built_site: Path) -> Library:
    """The published incidents and the taxonomy the site was built with."""
    incidents = json.loads((built_site / "incidents.json").read_text(encoding="utf-8"))
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    options = next(
        p["postmortems"] for p in config["plugins"] if isinstance(p, dict) and "postmortems" in p
    )
    taxonomy = yaml.safe_load((REPO / options["taxonomy"]).read_text(encoding="utf-8"))
    layers = {layer["id"]: layer["title"] for layer in taxonomy["layers"]}
    titles, owner = {}, {}
    for layer in taxonomy["layers"]:
        for cat in layer.get("categories") or ():
            titles[cat["id"]] = cat["title"]
            owner[cat["id"]] = layer["id"]
    index = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    lib = Library(incidents["incidents"], layers, titles, owner, index["docs"])
    assert len(lib.incidents) >= 2, "the browser tests need a library of at least two incidents"
    return lib


@pytest.fixture(scope="session")
def page_paths(library: Library) -> dict[str, str]:
    """One address per page type, chosen from the data (site-relative)."""
    # The incident with the most on its page: action items and related lists.
    incident = max(
        library.incidents,
        key=lambda p: (len(p.get("action_items") or ()) + len(p.get("related") or ()), p["id"]),
    )
    # The external case study with the most sources: badges, basis labels,
    # unexamined layers and its list of sources.
    case_study = max(
        (p for p in library.incidents if p["origin"] == "external"),
        key=lambda p: (len(p["sources"]), p["id"]),
    )
    category = library.used("category")[0]
    return {
        "home": "",
        "incidents": "incidents/",
        "incident": incident["url"],
        "case-study": case_study["url"],
        "layer": f"layers/{library.used('layer')[0]}/",
        "category": f"layers/{library.category_layer[category]}/{category}/",
        "system": f"systems/{library.systems[0]}/",
        "systems": "systems/",
        "layers": "layers/",
        "action-items": "action-items/",
        "guide": "guide/",
        # The page itself, as a server's error handler would send it for any
        # unknown address (http.server sends its own error page instead).
        "404": "404.html",
    }


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No access log on stderr."""


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """A folder on a free port of 127.0.0.1 (loopback only) while the block runs."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def site_url(built_site: Path) -> Iterator[str]:
    """The repository's site served for the whole session."""
    with serve(built_site) as url:
        yield url


# More than one listing page (plugin.site.PAGE_SIZE is 200): the index then
# filters the whole library from incidents/index.json, not the rows it shows.
PAGED_LIBRARY = 230
PAGED_SYSTEMS = ("alpha-bot", "beta-ranker", "gamma-scorer")


@pytest.fixture(scope="session")
def paged_site(
    tmp_path_factory: pytest.TempPathFactory, library: Library
) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A library of PAGED_LIBRARY small postmortems, built, served, and its incidents.json."""
    root = tmp_path_factory.mktemp("paged")
    docs = root / "docs"
    docs.mkdir()
    pairs = [(library.category_layer[c], c) for c in library.category_titles]
    for i in range(PAGED_LIBRARY):
        layer, category = pairs[i % len(pairs)]
        day = (dt.date(2024, 1, 1) + dt.timedelta(days=i)).isoformat()
        pm_id = f"INC-2024-{i + 1:03d}"
        (docs / f"{pm_id}.md").write_text(
            postmortem_text(
                id=pm_id,
                title=f"Synthetic incident number {i + 1}",
                severity=f"SEV{i % 4 + 1}",
                date=day,
                detected=day,
                resolved=day,
                systems=f"[{PAGED_SYSTEMS[i % len(PAGED_SYSTEMS)]}]",
                factors=f"\n  - layer: {layer}\n    category: {category}\n    summary: A factor.",
            ),
            encoding="utf-8",
        )
    (root / "mkdocs.yml").write_text(
        "site_name: Paged library\ntheme:\n  name: material\n  font: false\n"
        "plugins:\n  - search\n  - postmortems:\n"
        f"      taxonomy: {json.dumps(str(REPO / 'schema' / 'taxonomy.yml'))}\n"
        "      related_hints: false\n",
        encoding="utf-8",
    )
    site = mkdocs_build(root, root / "site")
    incidents = json.loads((site / "incidents.json").read_text(encoding="utf-8"))["incidents"]
    assert len(incidents) == PAGED_LIBRARY
    with serve(site) as url:
        yield url, incidents


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """tests/artifacts/ (with screenshots/), gitignored."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


# --- the browser ---------------------------------------------------------------------


@dataclass
class Tab:
    """A page in a fresh browser context, recording errors and every request."""

    page: Page
    base: str
    palette: str = "light"
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def open(self, path: str, palettes: bool = True) -> None:
        """Load a site address; it must answer 200 and, on a site with palettes
        (the repository's), show the tab's palette."""
        response = self.page.goto(urljoin(self.base, path))
        status = response.status if response else None
        assert status == 200, f"/{path}: HTTP {status}"
        if palettes:
            expect(self.page.locator("body")).to_have_attribute(
                "data-md-color-scheme", SCHEME[self.palette]
            )

    def outside_requests(self) -> list[str]:
        """Network requests to anywhere but the loopback server."""
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme not in ("data", "blob")
            and urlsplit(url).hostname != "127.0.0.1"
        ]


def switch_palette(page: Page, to: str) -> None:
    """Click the header's palette toggle (the one label it shows) and wait for `to`."""
    page.locator("form[data-md-component=palette] label:not([hidden])").click()
    expect(page.locator("body")).to_have_attribute("data-md-color-scheme", SCHEME[to])


@pytest.fixture
def open_tab(browser: Browser, site_url: str) -> Iterator[Callable[[str], Tab]]:
    """Open a tab in the given palette; dark is reached through the header's toggle,
    which mkdocs-material remembers (localStorage) on every later page."""
    contexts: list[BrowserContext] = []

    def open_(palette: str = "light") -> Tab:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        tab = Tab(page, site_url)
        page.on(
            "console",
            lambda msg: (
                tab.errors.append(f"console error: {msg.text} at {msg.location}")
                if msg.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda exc: tab.errors.append(f"page error: {exc}"))
        page.on("request", lambda request: tab.requests.append(request.url))
        if palette == "dark":
            tab.open("")
            switch_palette(page, "dark")
            tab.palette = "dark"
        return tab

    yield open_
    for context in contexts:
        context.close()


# --- every page type, both palettes --------------------------------------------------


@pytest.mark.parametrize("palette", PALETTES)
@pytest.mark.parametrize("page_type", PAGE_TYPES)
def test_page_type_renders_cleanly(
    open_tab: Callable[[str], Tab],
    page_paths: dict[str, str],
    artifacts: Path,
    page_type: str,
    palette: str,
) -> None:
    """Each page type loads with 200, no console or page errors, only local requests."""
    tab = open_tab(palette)
    tab.open(page_paths[page_type])
    tab.page.screenshot(path=SCREENSHOTS / f"{page_type}-{palette}.png", full_page=True)
    assert tab.errors == [], f"/{page_paths[page_type]} ({palette}):\n" + "\n".join(tab.errors)
    assert tab.outside_requests() == []


def _axe_violations(page: Page, axe_script: Path) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(axe_script))
    return list(
        page.evaluate(
            """async () => {
                const result = await axe.run(document, {resultTypes: ["violations"]});
                return result.violations.map((v) => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map((n) => ({target: n.target, summary: n.failureSummary})),
                }));
            }"""
        )
    )


@pytest.mark.parametrize("palette", PALETTES)
@pytest.mark.parametrize("page_type", PAGE_TYPES)
def test_page_type_has_no_serious_axe_violations(
    open_tab: Callable[[str], Tab],
    page_paths: dict[str, str],
    axe_core_script: Path,
    artifacts: Path,
    page_type: str,
    palette: str,
) -> None:
    """axe-core finds no serious or critical violation on each page type, in both palettes."""
    tab = open_tab(palette)
    tab.open(page_paths[page_type])
    # No rule or selector is excluded: the violations axe found in the theme
    # (search dialog name, footer contrast) are fixed in postmortems.js/.css.
    violations = _axe_violations(tab.page, axe_core_script)
    report = artifacts / "axe" / f"{page_type}-{palette}.json"
    report.parent.mkdir(exist_ok=True)
    report.write_text(json.dumps(violations, indent=2), encoding="utf-8")
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    lines = [
        f"{v['impact']} {v['id']}: {v['help']}\n"
        + "\n".join(f"    {n['target']}: {n['summary']}" for n in v["nodes"])
        for v in serious
    ]
    if lines:
        print("\n".join(lines))
    assert not serious, f"/{page_paths[page_type]} ({palette}):\n" + "\n".join(lines)


def test_palette_toggle_switches_and_persists(
    open_tab: Callable[[str], Tab], page_paths: dict[str, str]
) -> None:
    """The header toggle switches to slate, later pages keep it, and it switches back."""
    tab = open_tab("light")
    tab.open("")
    switch_palette(tab.page, "dark")
    tab.palette = "dark"
    tab.open(page_paths["incident"])
    switch_palette(tab.page, "light")
    tab.palette = "light"
    tab.open(page_paths["incidents"])
    assert tab.errors == []


# --- search ---------------------------------------------------------------------------


def _spread(items: list[Any], limit: int = MAX_SEARCHES) -> list[Any]:
    """At most `limit` items, evenly spread over the list."""
    if len(items) <= limit:
        return items
    return [items[i * len(items) // limit] for i in range(limit)]


def _tokens(text: str) -> set[str]:
    # mkdocs-material's search separator is [\s\-]+; words are lower-cased.
    return {t for t in re.split(r"[\s\-]+", text.lower()) if t}


# The search tag of an external case study's entries.
CASE_STUDY_TAG = "External case study"


def title_word_cases(library: Library) -> list[tuple[str, set[str]]]:
    """(word, {id}) for incidents whose title holds a word no other incident's title
    or search tags (id, systems, category titles) start the same way."""
    tag_tokens: set[str] = set()
    for p in library.incidents:
        tag_tokens |= _tokens(p["id"]) | {t for s in p["systems"] for t in _tokens(s)}
        tag_tokens |= {t for c in _categories(p) for t in _tokens(library.category_titles[c])}
        if p["origin"] == "external":
            tag_tokens |= _tokens(CASE_STUDY_TAG)
    cases = []
    for p in library.incidents:
        others = set(tag_tokens)
        for q in library.incidents:
            if q is not p:
                others |= {w.lower() for w in re.findall(r"[A-Za-z]+", q["title"])}
        words = sorted(
            {w.lower() for w in re.findall(r"[A-Za-z]{7,}", p["title"])},
            key=lambda w: (-len(w), w),
        )
        for word in words:
            # Search stems words and matches prefixes: compare the first six letters.
            if not any(o.startswith(word[:6]) for o in others):
                cases.append((word, {p["id"]}))
                break
    return cases


def summary_word_cases(library: Library) -> list[tuple[str, set[str]]]:
    """(word, {id}) for incidents whose summary holds a word that no other page's
    entries in the search index start the same way."""
    owners: dict[str, set[str]] = {}
    for doc in library.search_docs:
        page = doc["location"].partition("#")[0]
        text = " ".join([doc["title"], doc["text"], *(doc.get("tags") or ())])
        for word in re.findall(r"[A-Za-z]+", text):
            owners.setdefault(word.lower()[:6], set()).add(page)
    cases = []
    for p in library.incidents:
        words = sorted(
            {w.lower() for w in re.findall(r"[A-Za-z]{7,}", p["summary"])},
            key=lambda w: (-len(w), w),
        )
        for word in words:
            if owners.get(word[:6]) == {p["url"]}:
                cases.append((word, {p["id"]}))
                break
    return cases


def search_cases(kind: str, library: Library) -> list[tuple[str, set[str]]]:
    """(query, ids the first result may be) for one kind of search."""
    if kind == "id":
        return [(p["id"], {p["id"]}) for p in _spread(library.incidents, 3)]
    if kind == "title word":
        return _spread(title_word_cases(library), 5)
    if kind == "summary word":
        return _spread(summary_word_cases(library), 5)
    if kind == "system":
        return [
            (s, library.ids(lambda p, s=s: s in p["systems"])) for s in _spread(library.systems)
        ]
    assert kind == "category"
    return [
        (library.category_titles[c], library.ids(lambda p, c=c: c in _categories(p)))
        for c in _spread(library.used("category"))
    ]


def search(page: Page, query: str) -> None:
    """Type a query into mkdocs-material's search box as a reader does."""
    label = page.locator("label.md-header__button[for='__search']")
    if label.is_visible():
        label.click()
    box = page.locator(".md-search__input")
    box.click()
    # Material searches on keyup: fill all but the last character, then type
    # it, so the first results shown are those of the whole query.
    box.fill(query[:-1])
    box.press_sequentially(query[-1])


@pytest.mark.parametrize("kind", ["id", "title word", "summary word", "system", "category"])
def test_search_leads_to_the_incident(
    open_tab: Callable[[str], Tab], library: Library, kind: str
) -> None:
    """Searching by id, title word, summary word, system or category title: the first
    result opens an incident that matches."""
    cases = search_cases(kind, library)
    assert cases, f"no {kind} to search for: is it in search/search_index.json?"
    tab = open_tab("light")
    tab.open("")
    for query, expected in cases:
        search(tab.page, query)
        first = tab.page.locator(".md-search-result__item").first.locator("a").first
        wanted = "|".join(re.escape(i) for i in sorted(expected))
        expect(
            first, f"first search result for {query!r} is not one of {sorted(expected)}"
        ).to_have_attribute("href", re.compile(rf"/incidents/(?:{wanted})/(?:[?#].*)?$"))
        with tab.page.expect_navigation():
            first.click()
        path = urlsplit(tab.page.url).path
        assert any(path.endswith(f"incidents/{i}/") for i in expected), (query, tab.page.url)
        expect(tab.page.locator("h1").first).to_be_visible()
    assert tab.errors == []


def test_search_results_mark_case_studies(open_tab: Callable[[str], Tab], library: Library) -> None:
    """A search for an external case study shows "External case study" on its
    result; a search for one of our own incidents does not."""
    ours = next(p["id"] for p in library.incidents if p["origin"] != "external")
    case = next(p["id"] for p in library.incidents if p["origin"] == "external")
    tab = open_tab("light")
    tab.open("")
    search(tab.page, case)
    first = tab.page.locator(".md-search-result__item").first
    expect(first.locator("a").first).to_have_attribute("href", re.compile(rf"/incidents/{case}/"))
    expect(first.locator(".md-tag", has_text=CASE_STUDY_TAG).first).to_be_visible()
    search(tab.page, ours)
    first = tab.page.locator(".md-search-result__item").first
    expect(first.locator("a").first).to_have_attribute("href", re.compile(rf"/incidents/{ours}/"))
    expect(first.locator(".md-tag", has_text=ours).first).to_be_visible()
    expect(first.get_by_text(CASE_STUDY_TAG)).to_have_count(0)
    assert tab.errors == []


# --- the incidents index ----------------------------------------------------------------


def visible_rows(page: Page) -> list[str]:
    """Incident ids of the rows a reader sees in the index table, top to bottom."""
    return list(
        page.locator("table[data-pm-table] tbody tr").evaluate_all(
            "rows => rows.filter(r => r.checkVisibility()).map(r => r.cells[0].textContent.trim())"
        )
    )


@pytest.mark.parametrize("name", FILTERS)
def test_filter_shows_exactly_the_matching_incidents(
    open_tab: Callable[[str], Tab], library: Library, name: str
) -> None:
    """Every value of a filter leaves visible exactly the incidents that carry it."""
    tab = open_tab("light")
    tab.open("incidents/")
    page = tab.page
    form = page.locator("form[data-pm-filter]")
    expect(form).to_be_visible()
    select = form.locator(f"select[name={name}]")
    values = [v for v in select.locator("option").evaluate_all("os => os.map(o => o.value)") if v]
    carried = {v for v in values if library.ids(lambda p, v=v: FILTER_MATCH[name](p, v))}
    if name != "severity":  # every severity is offered, used or not
        assert carried == set(values), f"{name} offers values no published incident has"
    count = form.locator("[data-pm-count]")
    for value in values:
        expected = library.ids(lambda p, v=value: FILTER_MATCH[name](p, v))
        select.select_option(value)
        expect(count).to_have_text(f"{len(expected)} matching")
        shown = visible_rows(page)
        assert sorted(shown) == sorted(expected), f"{name}={value}"
    select.select_option("")
    expect(count).to_have_text("")
    assert sorted(visible_rows(page)) == sorted(p["id"] for p in library.incidents)
    assert tab.errors == []


def test_filters_combine_and_clear(open_tab: Callable[[str], Tab], library: Library) -> None:
    """Layer, severity and system filters together keep only incidents matching all
    three; "Clear filters" brings every row back."""
    pick = library.incidents[-1]
    chosen = {
        "layer": sorted(_layers(pick))[0],
        "severity": pick["severity"],
        "system": pick["systems"][0],
    }
    expected = library.ids(lambda p: all(FILTER_MATCH[k](p, v) for k, v in chosen.items()))
    tab = open_tab("light")
    tab.open("incidents/")
    form = tab.page.locator("form[data-pm-filter]")
    for name, value in chosen.items():
        form.locator(f"select[name={name}]").select_option(value)
    expect(form.locator("[data-pm-count]")).to_have_text(f"{len(expected)} matching")
    assert sorted(visible_rows(tab.page)) == sorted(expected)
    form.locator("button[type=reset]").click()
    expect(form.locator("[data-pm-count]")).to_have_text("")
    assert len(visible_rows(tab.page)) == len(library.incidents)
    assert tab.errors == []


def test_filter_spans_every_page_of_a_paged_index(
    open_tab: Callable[[str], Tab], paged_site: tuple[str, list[dict[str, Any]]]
) -> None:
    """With more incidents than one listing page holds, a filter shows the matches
    from every page (from incidents/index.json), their links work, and clearing it
    brings back the page and its pager."""
    base, incidents = paged_site
    tab = open_tab("light")
    tab.open(urljoin(base, "incidents/"), palettes=False)
    page = tab.page
    pager = page.locator(".pm-pager")
    expect(pager).to_be_visible()
    first_page = visible_rows(page)
    assert len(first_page) < len(incidents)
    form = page.locator("form[data-pm-filter]")
    system, severity = PAGED_SYSTEMS[1], "SEV2"
    expected = {p["id"] for p in incidents if system in p["systems"]}
    form.locator("select[name=system]").select_option(system)
    expect(form.locator("[data-pm-count]")).to_have_text(f"{len(expected)} matching")
    assert sorted(visible_rows(page)) == sorted(expected)
    assert not set(expected) <= set(first_page), "the filter should reach past page 1"
    expect(pager).to_be_hidden()
    both = {p["id"] for p in incidents if p["id"] in expected and p["severity"] == severity}
    form.locator("select[name=severity]").select_option(severity)
    expect(form.locator("[data-pm-count]")).to_have_text(f"{len(both)} matching")
    assert sorted(visible_rows(page)) == sorted(both)
    last = sorted(both)[-1]
    with page.expect_navigation():
        page.locator("table[data-pm-table] tbody a", has_text=last).click()
    assert urlsplit(page.url).path.endswith(f"/incidents/{last}/"), page.url
    expect(page.locator("h1").first).to_have_text(re.compile("Synthetic incident"))
    tab.open(urljoin(base, "incidents/"), palettes=False)
    form.locator("select[name=system]").select_option(system)
    expect(form.locator("[data-pm-count]")).to_have_text(f"{len(expected)} matching")
    form.locator("button[type=reset]").click()
    expect(form.locator("[data-pm-count]")).to_have_text("")
    assert visible_rows(page) == first_page
    expect(pager).to_be_visible()
    assert tab.errors == [], "\n".join(tab.errors)
    assert any(u.endswith("/incidents/finder.json") for u in tab.requests)


def _natural(text: str) -> list[Any]:
    return [int(t) if t.isdigit() else t.casefold() for t in re.split(r"(\d+)", text)]


def test_sort_by_column_heading(open_tab: Callable[[str], Tab], library: Library) -> None:
    """The column heading buttons sort the index up, then down, by id and by date."""
    tab = open_tab("light")
    tab.open("incidents/")
    page = tab.page
    ids = [p["id"] for p in library.incidents]
    heading = page.locator("table[data-pm-table] th[data-pm-sort=id]")
    heading.get_by_role("button").click()
    expect(heading).to_have_attribute("aria-sort", "ascending")
    assert visible_rows(page) == sorted(ids, key=_natural)
    heading.get_by_role("button").click()
    expect(heading).to_have_attribute("aria-sort", "descending")
    assert visible_rows(page) == sorted(ids, key=_natural, reverse=True)

    by_date = page.locator("table[data-pm-table] th[data-pm-sort=date]")
    by_date.get_by_role("button").click()
    expect(by_date).to_have_attribute("aria-sort", "ascending")
    expect(heading).not_to_have_attribute("aria-sort", re.compile(".*"))
    dates = page.locator("table[data-pm-table] tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.date)"
    )
    assert dates == sorted(p["date"][:10] for p in library.incidents)
    assert tab.errors == []


# --- links ------------------------------------------------------------------------------


def test_every_link_on_incident_pages_resolves(
    open_tab: Callable[[str], Tab], library: Library, site_url: str
) -> None:
    """Every link inside the site from every incident page answers 200 and the
    pages it opens log no errors."""
    tab = open_tab("light")
    targets: dict[str, str] = {}
    for p in library.incidents:
        tab.open(p["url"])
        hrefs = tab.page.locator("a[href]").evaluate_all("els => els.map(e => e.href)")
        for href in hrefs:
            url = urldefrag(href).url
            if url.startswith(site_url):
                targets.setdefault(url, p["id"])
    assert targets, "incident pages link nowhere inside the site"
    bad = []
    for url, source in sorted(targets.items()):
        path = urlsplit(url).path
        if path.endswith("/") or path.endswith(".html"):
            response = tab.page.goto(url)
            status = response.status if response else None
        else:  # a download (feed, export): fetch it, do not render it
            api = tab.page.context.request.get(url)
            status = api.status
            api.dispose()
        if status != 200:
            bad.append(f"{url} (linked from {source}): HTTP {status}")
    assert bad == [], "\n".join(bad)
    assert tab.errors == [], "\n".join(tab.errors)


# --- print ------------------------------------------------------------------------------


@pytest.mark.parametrize("palette", PALETTES)
def test_incident_prints_without_site_chrome(
    open_tab: Callable[[str], Tab], page_paths: dict[str, str], artifacts: Path, palette: str
) -> None:
    """In print media the header, sidebars and footer are hidden, the text is black on
    white in either palette, and the incident saves as a PDF."""
    tab = open_tab(palette)
    tab.open(page_paths["incident"])
    page = tab.page
    page.emulate_media(media="print")
    for selector in (".md-header", ".md-sidebar--primary", ".md-sidebar--secondary", ".md-footer"):
        element = page.locator(selector).first
        assert element.count() == 1, f"{selector} is not on the page"
        display = element.evaluate("el => getComputedStyle(el).display")
        assert display == "none", f"{selector} prints (display: {display})"
    expect(page.locator(".pm-card")).to_be_visible()
    colour = page.locator(".md-typeset").first.evaluate("el => getComputedStyle(el).color")
    assert colour == "rgb(0, 0, 0)", colour
    incident_id = page_paths["incident"].strip("/").rsplit("/", 1)[-1]
    page.screenshot(path=SCREENSHOTS / f"incident-print-{palette}.png", full_page=True)
    pdf = artifacts / f"{incident_id}-{palette}.pdf"
    page.pdf(path=pdf, format="A4")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and len(data) > 10_000, f"{pdf}: {len(data)} bytes"
    assert tab.errors == []


# --- charts ------------------------------------------------------------------------------


@pytest.mark.parametrize("palette", PALETTES)
@pytest.mark.parametrize("page_type", ["home", "layer"])
def test_charts_are_labelled_images_visible_in_both_palettes(
    open_tab: Callable[[str], Tab], page_paths: dict[str, str], page_type: str, palette: str
) -> None:
    """The inline SVG charts are role=img with a title, have a size, and their ink
    differs from the page behind them."""
    tab = open_tab(palette)
    tab.open(page_paths[page_type])
    charts = tab.page.locator("figure.pm-chart svg")
    count = charts.count()
    assert count >= 1, f"no chart on /{page_paths[page_type]}"
    for i in range(count):
        svg = charts.nth(i)
        assert svg.get_attribute("role") == "img"
        title = svg.locator(":scope > title")
        expect(title).to_have_count(1)
        assert (title.text_content() or "").strip(), f"chart {i} has an empty title"
        assert title.get_attribute("id") in (svg.get_attribute("aria-labelledby") or "").split()
        svg.scroll_into_view_if_needed()
        expect(svg).to_be_visible()
        box = svg.bounding_box()
        assert box is not None and box["width"] > 0 and box["height"] > 0, (i, box)
        ink, paper = svg.evaluate(
            """el => {
                let bg = el;
                while (bg && ["rgba(0, 0, 0, 0)", "transparent"].includes(
                    getComputedStyle(bg).backgroundColor)) bg = bg.parentElement;
                return [getComputedStyle(el).color,
                        bg ? getComputedStyle(bg).backgroundColor : "rgb(255, 255, 255)"];
            }"""
        )
        assert ink != paper, f"chart {i}: text colour {ink} on background {paper}"
    assert tab.errors == []


# --- no request leaves the machine ---------------------------------------------------


def test_no_request_leaves_loopback(
    open_tab: Callable[[str], Tab], page_paths: dict[str, str], library: Library
) -> None:
    """Across every page type in both palettes, and a search, every request goes to
    127.0.0.1: no CDN, web font or analytics."""
    requests: list[str] = []
    outside: list[str] = []
    for palette in PALETTES:
        tab = open_tab(palette)
        for page_type in PAGE_TYPES:
            tab.open(page_paths[page_type])
        tab.open("")
        search(tab.page, library.incidents[0]["id"])
        expect(tab.page.locator(".md-search-result__item").first).to_be_visible()
        requests += tab.requests
        outside += tab.outside_requests()
        assert tab.errors == []
    assert any(u.endswith("/search/search_index.json") for u in requests), "no search index"
    assert any("/workers/search" in u for u in requests), "no search worker"
    assert outside == [], "\n".join(sorted(set(outside)))


# --- the feed --------------------------------------------------------------------------


def test_feed_is_served_parses_and_lists_newest_first(site_url: str, library: Library) -> None:
    """feed.xml answers 200, parses as Atom, lists published incidents newest first,
    and each entry's link answers 200."""
    feed_url = urljoin(site_url, "feed.xml")
    with urllib.request.urlopen(feed_url, timeout=15) as response:
        assert response.status == 200
        body = response.read()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = ET.fromstring(body)
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    entries = root.findall("a:entry", ns)
    assert entries, "the feed has no entries"
    published = [e.findtext("a:published", namespaces=ns) or "" for e in entries]
    assert all(published), "an entry has no <published>"
    assert published == sorted(published, reverse=True), published
    titles = {p["title"] for p in library.incidents}
    assert {e.findtext("a:title", namespaces=ns) for e in entries} <= titles
    assert len(entries) == min(len(library.incidents), 50)
    for entry in entries:
        link = entry.find("a:link[@rel='alternate']", ns)
        assert link is not None
        with urllib.request.urlopen(urljoin(feed_url, link.attrib["href"]), timeout=15) as page:
            assert page.status == 200, link.attrib["href"]


# --- the finder on the incidents page ----------------------------------------------


def finder_text(p: dict[str, Any], category_titles: dict[str, str]) -> str:
    """What the finder may find an incident by, as the page's script builds it."""
    cats = sorted(_categories(p))
    return "\n".join(
        [p["id"], p["title"], p["summary"], *p["systems"], *cats]
        + [category_titles.get(c, "") for c in cats]
    ).casefold()


def finder_expected(
    incidents: list[dict[str, Any]], titles: dict[str, str], query: str
) -> set[str]:
    """The ids the finder must keep for `query`: every word, anywhere in the text."""
    words = query.casefold().split()
    return {p["id"] for p in incidents if all(w in finder_text(p, titles) for w in words)}


def find(page: Page, query: str) -> None:
    """Type into the Find box, found by its role and label."""
    page.get_by_role("searchbox", name="Find").fill(query)


def test_finder_filters_by_id_title_summary_system_and_category(
    open_tab: Callable[[str], Tab], library: Library
) -> None:
    """The Find box keeps exactly the incidents whose id, title, summary, system
    or category title hold every word typed, and announces the count."""
    tab = open_tab("light")
    tab.open("incidents/")
    page = tab.page
    count = page.locator("form[data-pm-filter] [data-pm-count]")
    expect(count).to_have_attribute("aria-live", "polite")
    first, last = library.incidents[0], library.incidents[-1]
    summary_word = max(re.findall(r"[A-Za-z]{6,}", last["summary"]), key=len)
    category = library.category_titles[sorted(_categories(first))[0]]
    queries = [
        first["id"],
        " ".join(first["title"].split()[:2]).upper(),
        summary_word,
        first["systems"][0],
        category,
    ]
    for query in queries:
        expected = finder_expected(library.incidents, library.category_titles, query)
        assert expected, query
        find(page, query)
        expect(count).to_have_text(f"{len(expected)} matching")
        assert sorted(visible_rows(page)) == sorted(expected), query
    find(page, "zzz-no-such-incident")
    expect(count).to_have_text("0 matching")
    assert visible_rows(page) == []
    page.locator("form[data-pm-filter] button[type=reset]").click()
    expect(count).to_have_text("")
    assert len(visible_rows(page)) == len(library.incidents)
    assert tab.errors == [], "\n".join(tab.errors)


def test_finder_rows_keep_the_case_study_badge_and_the_origin_filter(
    open_tab: Callable[[str], Tab], library: Library
) -> None:
    """Rows the finder draws say "External case study" as the server's rows do,
    show a month-only date as the month, and combine with the origin filter."""
    tab = open_tab("light")
    tab.open("incidents/")
    page = tab.page
    count = page.locator("form[data-pm-filter] [data-pm-count]")
    external = sorted(p["id"] for p in library.incidents if p["origin"] == "external")
    year = max(p["date"][:4] for p in library.incidents if p["origin"] == "external")
    find(page, year)
    page.locator("form[data-pm-filter] select[name=origin]").select_option("external")
    expected = sorted(
        finder_expected(library.incidents, library.category_titles, year) & set(external)
    )
    expect(count).to_have_text(f"{len(expected)} matching")
    assert sorted(visible_rows(page)) == expected
    rows = page.locator("table[data-pm-table] tbody tr")
    for i in range(rows.count()):
        row = rows.nth(i)
        assert row.get_attribute("data-origin") == "external"
        expect(row.locator(".pm-badge-external")).to_have_text("External case study")
    months = [p for p in library.incidents if len(p["date"]) == 7]
    for p in months:
        find(page, p["id"])
        page.locator("form[data-pm-filter] select[name=origin]").select_option("")
        expect(count).to_have_text("1 matching")
        assert re.fullmatch(r"[A-Z][a-z]{2} \d{4}", rows.first.locator("td").nth(4).inner_text())
    assert tab.errors == [], "\n".join(tab.errors)


def test_finder_reaches_every_page_and_combines_with_filters(
    browser: Browser, paged_site: tuple[str, list[dict[str, Any]]], library: Library
) -> None:
    """On a paged index the finder searches the whole library (incidents/index.json),
    combined with the selects; Enter does not reload the page; clearing brings the pager back."""
    base, incidents = paged_site
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(urljoin(base, "incidents/"))
        count = page.locator("form[data-pm-filter] [data-pm-count]")
        query = "number 21"
        expected = finder_expected(incidents, library.category_titles, query)
        assert len(expected) > 1 and not expected <= set(visible_rows(page))
        find(page, query)
        expect(count).to_have_text(f"{len(expected)} matching")
        assert sorted(visible_rows(page)) == sorted(expected)
        expect(page.locator(".pm-pager")).to_be_hidden()
        system = PAGED_SYSTEMS[0]
        page.locator("form[data-pm-filter] select[name=system]").select_option(system)
        both = {p["id"] for p in incidents if p["id"] in expected and system in p["systems"]}
        expect(count).to_have_text(f"{len(both)} matching")
        assert sorted(visible_rows(page)) == sorted(both)
        url = page.url
        page.get_by_role("searchbox", name="Find").press("Enter")
        expect(count).to_have_text(f"{len(both)} matching")
        assert page.url == url
        page.locator("form[data-pm-filter] button[type=reset]").click()
        expect(count).to_have_text("")
        expect(page.locator(".pm-pager")).to_be_visible()
        assert errors == []
    finally:
        context.close()


def test_index_script_sets_up_a_page_once(
    open_tab: Callable[[str], Tab], library: Library, site_url: str
) -> None:
    """Running the page script again on a page it already set up (as Material's
    instant navigation may) changes nothing: clearing a search made before still
    brings back every row, not the rows shown when the script ran again."""
    tab = open_tab("light")
    tab.open("incidents/")
    page = tab.page
    query = library.incidents[0]["id"]
    expected = finder_expected(library.incidents, library.category_titles, query)
    assert len(expected) < len(library.incidents)
    find(page, query)
    expect(page.locator("[data-pm-count]")).to_have_text(f"{len(expected)} matching")
    page.add_script_tag(url=urljoin(site_url, "assets/postmortems.js"))
    page.locator("form[data-pm-filter] button[type=reset]").click()
    expect(page.locator("[data-pm-count]")).to_have_text("")
    assert len(visible_rows(page)) == len(library.incidents)
    sortable = page.locator("table[data-pm-table] th[data-pm-sort]").count()
    expect(page.locator("table[data-pm-table] th button.pm-sort")).to_have_count(sortable)
    assert tab.errors == [], "\n".join(tab.errors)


def test_finder_rows_arrive_after_load_once(
    open_tab: Callable[[str], Tab], library: Library
) -> None:
    """The incidents page fetches incidents/finder.json by itself once it has
    loaded, before anyone types, and the searches after it fetch nothing more."""
    tab = open_tab("light")
    tab.open("incidents/")
    page = tab.page
    page.wait_for_function("performance.getEntriesByName('pm-finder-ready').length > 0")
    rows_file = [u for u in tab.requests if u.endswith("/incidents/finder.json")]
    assert len(rows_file) == 1, tab.requests
    for p in library.incidents[:3]:
        expected = finder_expected(library.incidents, library.category_titles, p["id"])
        find(page, p["id"])
        expect(page.locator("[data-pm-count]")).to_have_text(f"{len(expected)} matching")
    assert [u for u in tab.requests if u.endswith("/incidents/finder.json")] == rows_file
    assert tab.errors == [], "\n".join(tab.errors)


# Markup in front matter, which the finder draws from incidents/finder.json.
FINDER_MARKUP = '<img src=x onerror="window.pmInjected=1"><b>bold</b>'
MARKUP_TITLES = ("Alpha", "Beta")
# Each of these letters is two characters in lower case ("i" and a combining dot).
DOTTED_TITLE = "Gamma " + "\u0130" * 30


@pytest.fixture(scope="session")
def markup_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Two postmortems whose titles and summaries are markup and one whose title
    grows in lower case, built and served."""
    root = tmp_path_factory.mktemp("markup")
    docs = root / "docs"
    docs.mkdir()
    for n, name in enumerate(MARKUP_TITLES, 1):
        pm_id = f"INC-2025-00{n}"
        (docs / f"{pm_id}.md").write_text(
            postmortem_text(
                id=pm_id,
                title=json.dumps(f"{name} {FINDER_MARKUP}"),
                summary=json.dumps(f"Summary {FINDER_MARKUP}<script>window.pmInjected=2</script>"),
            ),
            encoding="utf-8",
        )
    (docs / "INC-2025-003.md").write_text(
        postmortem_text(id="INC-2025-003", title=json.dumps(DOTTED_TITLE)), encoding="utf-8"
    )
    (root / "mkdocs.yml").write_text(
        "site_name: Markup library\ntheme:\n  name: material\n  font: false\n"
        "plugins:\n  - search\n  - postmortems:\n"
        f"      taxonomy: {json.dumps(str(REPO / 'schema' / 'taxonomy.yml'))}\n"
        "      related_hints: false\n",
        encoding="utf-8",
    )
    with serve(mkdocs_build(root, root / "site")) as url:
        yield url


def test_finder_shows_front_matter_markup_as_text(browser: Browser, markup_site: str) -> None:
    """Rows the finder draws from finder.json show a title's markup as text: no
    element, handler or script of it reaches the page, and a summary's is found."""
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(urljoin(markup_site, "incidents/"))
        count = page.locator("form[data-pm-filter] [data-pm-count]")
        find(page, "beta onerror")
        expect(count).to_have_text("1 matching")
        assert visible_rows(page) == ["INC-2025-002"]
        find(page, "pminjected=2</script>")
        expect(count).to_have_text("2 matching")
        tbody = page.locator("table[data-pm-table] tbody")
        titles = tbody.locator("tr td:nth-child(2)").all_text_contents()
        assert sorted(titles) == [f"{name} {FINDER_MARKUP}" for name in MARKUP_TITLES]
        assert tbody.locator("img, b, script").count() == 0
        assert page.evaluate("typeof window.pmInjected") == "undefined"
        assert errors == []
    finally:
        context.close()


def test_finder_finds_every_row_when_lower_case_changes_length(
    browser: Browser, markup_site: str
) -> None:
    """A title whose lower case is longer than itself (Turkish dotted capitals) shifts
    no other text: a word at the end of every incident's text still finds all three."""
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        page.goto(urljoin(markup_site, "incidents/"))
        count = page.locator("form[data-pm-filter] [data-pm-count]")
        # Every incident's last category (the default factor) ends its text.
        find(page, "hallucination")
        expect(count).to_have_text("3 matching")
        find(page, "gamma")
        expect(count).to_have_text("1 matching")
        cells = page.locator("table[data-pm-table] tbody tr td:nth-child(2)")
        assert cells.all_text_contents() == [DOTTED_TITLE]
    finally:
        context.close()
