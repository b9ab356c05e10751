"""The reader's first look, measured in headless Chromium: every page type at
a desktop and a phone width, in both palettes, with no element overlapping
its neighbours, no table left unstyled, each chart's data caption inside its
own chart's frame, and incident titles that use the width of the page.

The repository's own site is built and served by test_browser.py's fixtures.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urljoin

import pytest
from conftest import TIMEOUT_MS
from test_browser import (  # noqa: F401  (fixtures, used by name)
    PAGE_TYPES,
    PALETTES,
    SCHEME,
    built_site,
    library,
    page_paths,
    paged_site,
    site_url,
)

with_playwright = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

WIDTHS = (1280, 390)
VIEWS = [(width, palette) for width in WIDTHS for palette in PALETTES]

# Blocks of the article that must not overlap: each library page's own
# parts and the theme's wrappers around its tables. Measured in the page.
OVERLAPS_JS = """() => {
  const article = document.querySelector("article");
  const blocks = Array.from(article.querySelectorAll(
    ":scope > *, :scope > [class^='pm-'] > *, .md-typeset__scrollwrap, figure.pm-chart"
  )).filter((el) => {
    // A closed <details> keeps its content's boxes in Chromium, unseen.
    if (el.parentElement.closest("details:not([open])")) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).position !== "absolute";
  });
  const found = [];
  for (let i = 1; i < blocks.length; i++) {
    const a = blocks[i - 1].getBoundingClientRect();
    const b = blocks[i].getBoundingClientRect();
    const nested = blocks[i - 1].contains(blocks[i]) || blocks[i].contains(blocks[i - 1]);
    if (!nested && b.top < a.bottom - 1 && b.left < a.right - 1 && a.left < b.right - 1) {
      found.push(`${blocks[i - 1].tagName}.${blocks[i - 1].className} / ` +
                 `${blocks[i].tagName}.${blocks[i].className}`);
    }
  }
  for (const row of article.querySelectorAll("tr")) {
    if (row.closest("details:not([open])")) continue;
    const cells = Array.from(row.cells).map((c) => c.getBoundingClientRect());
    for (let i = 1; i < cells.length; i++) {
      if (cells[i].left < cells[i - 1].right - 1) {
        found.push(`cells ${i} and ${i + 1} of a row: ${row.textContent.slice(0, 60)}`);
      }
    }
  }
  return found;
}"""

# A cell the theme did not style keeps the browser's 1px padding, so its
# text runs into the next cell's ("0 open, 0 overdue0 open, 0 overdue").
UNSTYLED_JS = """() => Array.from(document.querySelectorAll("article table")).filter((t) => {
  const cell = t.querySelector("td, th");
  return cell && parseFloat(getComputedStyle(cell).paddingLeft) < 4;
}).map((t) => (t.caption ? t.caption.textContent : t.outerHTML.slice(0, 80)))"""

PAGE_WIDTH_JS = "() => document.documentElement.scrollWidth - window.innerWidth"


@pytest.fixture
def open_page(browser: Any, site_url: str) -> Iterator[Callable[[str, int, str], Any]]:  # noqa: F811
    """A page of the site at a width and in a palette (through the site's
    prefers-color-scheme palettes), in a fresh context."""
    contexts: list[Any] = []

    def open_(path: str, width: int, palette: str) -> Any:
        context = browser.new_context(
            viewport={"width": width, "height": 900}, color_scheme=palette
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        response = page.goto(urljoin(site_url, path))
        assert response is not None and response.status == 200, path
        with_playwright.expect(page.locator("body")).to_have_attribute(
            "data-md-color-scheme", SCHEME[palette]
        )
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def layout_paths(page_paths: dict[str, str]) -> dict[str, str]:  # noqa: F811
    return {**page_paths, "reporting": "reporting/"}


@pytest.fixture(params=VIEWS, ids=[f"{w}-{p}" for w, p in VIEWS])
def view(
    request: pytest.FixtureRequest,
    open_page: Callable[[str, int, str], Any],
    layout_paths: dict[str, str],
) -> Callable[[str], Any]:
    """Opens a page type at one width and in one palette."""
    width, palette = request.param
    return lambda page_type: open_page(layout_paths[page_type], width, palette)


@pytest.mark.parametrize("page_type", [*PAGE_TYPES, "reporting"])
def test_page_type_lays_out_without_overlap_or_unstyled_tables(
    view: Callable[[str], Any], page_type: str
) -> None:
    """No block or table cell overlaps its neighbour, every table is styled, and the
    page itself never scrolls sideways (a wide table scrolls in its own box)."""
    page = view(page_type)
    assert page.evaluate(OVERLAPS_JS) == []
    assert page.evaluate(UNSTYLED_JS) == []
    assert page.evaluate(PAGE_WIDTH_JS) <= 0


# Material wraps each table in a box that scrolls sideways (once its script
# has run); that box is what a reader would have to scroll.
WRAPPED_JS = """() => Array.from(document.querySelectorAll("article table"))
  .every((t) => t.closest(".md-typeset__scrollwrap"))"""

SIDEWAYS_JS = """() => Array.from(document.querySelectorAll("article table")).map((t) => {
  const wrap = t.closest(".md-typeset__scrollwrap");
  return {
    caption: t.caption ? t.caption.textContent.slice(0, 60) : t.outerHTML.slice(0, 60),
    overflow: wrap.scrollWidth - wrap.clientWidth,
  };
})"""


@pytest.mark.parametrize("palette", PALETTES)
def test_home_page_tables_fit_at_desktop_width(
    open_page: Callable[[str, int, str], Any], palette: str
) -> None:
    """At 1280 px no table of the home page scrolls sideways in its own box: the
    latest incidents and the overdue action items took 50 to 130 px more than
    the article beside its table of contents."""
    page = open_page("", 1280, palette)
    page.wait_for_function(WRAPPED_JS)
    tables = page.evaluate(SIDEWAYS_JS)
    assert len(tables) >= 5, tables
    assert [t for t in tables if t["overflow"] > 1] == []


def test_home_page_tables_fit_at_desktop_width_in_a_paged_library(
    browser: Any,
    paged_site: tuple[str, list[dict[str, Any]]],  # noqa: F811
) -> None:
    """The same in test_browser.py's paged library (its own titles, systems and
    owners, and Material's one default palette)."""
    url, _ = paged_site
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        response = page.goto(url)
        assert response is not None and response.status == 200
        page.wait_for_function(WRAPPED_JS)
        tables = page.evaluate(SIDEWAYS_JS)
        assert len(tables) >= 5, tables
        assert [t for t in tables if t["overflow"] > 1] == []
    finally:
        context.close()


CAPTIONS_JS = """() => Array.from(document.querySelectorAll("figure.pm-chart")).map((fig) => {
  const box = fig.getBoundingClientRect();
  const svg = fig.querySelector("svg").getBoundingClientRect();
  const summary = fig.querySelector(".pm-chart-data > summary").getBoundingClientRect();
  const next = fig.nextElementSibling;
  const nextTop = next ? next.getBoundingClientRect().top : Infinity;
  return {
    framed: parseFloat(getComputedStyle(fig).borderTopWidth) > 0,
    inside: summary.top >= box.top && summary.bottom <= box.bottom,
    gapToOwn: summary.top - svg.bottom,
    gapToNext: nextTop - summary.bottom,
  };
})"""


@pytest.mark.parametrize("page_type", ["home", "layer"])
def test_each_chart_caption_is_attached_to_its_own_chart(
    view: Callable[[str], Any], page_type: str
) -> None:
    """Each chart's "Data: ..." caption sits in its chart's frame, nearer its own bars
    than whatever follows, so it cannot read as the next chart's heading."""
    charts = view(page_type).evaluate(CAPTIONS_JS)
    assert len(charts) >= 4
    for chart in charts:
        assert chart["framed"] and chart["inside"], chart
        assert chart["gapToOwn"] < chart["gapToNext"], chart


TITLES_JS = """() => {
  const table = document.querySelector("table[data-pm-table]");
  const lines = Array.from(table.tBodies[0].rows).map((row) => {
    const cell = row.cells[1];
    const style = getComputedStyle(cell);
    const height = cell.getBoundingClientRect().height
      - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
    return Math.round(height / parseFloat(style.lineHeight));
  });
  const article = document.querySelector("article").getBoundingClientRect().width;
  return {lines, share: table.getBoundingClientRect().width / article};
}"""


@pytest.mark.parametrize("palette", PALETTES)
def test_incident_titles_use_the_width(
    open_page: Callable[[str, int, str], Any], palette: str
) -> None:
    """At 1280 px the incidents table fills the article, and no title wraps past
    three lines (it took seven while the empty right column kept the room)."""
    page = open_page("incidents/", 1280, palette)
    measured = page.evaluate(TITLES_JS)
    assert measured["share"] > 0.95, measured
    assert max(measured["lines"]) <= 3, measured


def test_layer_page_says_why_other_layers_show_in_its_charts(
    open_page: Callable[[str, int, str], Any],
    layout_paths: dict[str, str],
) -> None:
    """A layer page explains, above its charts, the other layers' colours and categories."""
    page = open_page(layout_paths["layer"], 1280, "light")
    note = page.locator(".pm-chart-note")
    with_playwright.expect(note).to_be_visible()
    assert "other layers" in note.inner_text()
    first_chart = page.locator("figure.pm-chart").first.bounding_box()
    assert first_chart is not None
    note_box = note.bounding_box()
    assert note_box is not None and note_box["y"] + note_box["height"] <= first_chart["y"]
