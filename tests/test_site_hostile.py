"""Hostile front matter in a real build: every string shows as text, once
escaped, and nothing of it runs: no script, no event handler, no template."""

from __future__ import annotations

import html
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import postmortem_text
from mkdocs_postmortems.web.render import web_url
from sitekit import (
    all_files,
    broken_links,
    build,
    html_files,
    page,
    parse_html,
    write_site_at,
)

SCRIPT = '<script>alert("x")</script>'
IMG = '"><img src=x onerror=alert(1)>'
HOSTILE = f"{SCRIPT} {IMG} {{{{ 7*7 }}}} {{% raw %}} </textarea>'&amp;"
HOSTILE_ID, OTHER_ID = "INC-2025-014", "INC-2025-015"


def q(text: str) -> str:
    """A YAML scalar (JSON is YAML) holding text exactly."""
    return json.dumps(text)


def field(name: str) -> str:
    """A hostile string that also says which field it came from."""
    return f"{name}: {HOSTILE}"


HOSTILE_PM = postmortem_text(
    id=HOSTILE_ID,
    title=q(field("title")),
    summary=q(field("summary")),
    authors=f"[{q(field('author'))}]",
    tags=f"[{q(field('tag'))}]",
    harm=f"\n  types: [misinformation]\n  affected: {q(field('affected'))}",
    factors=(f"\n  - layer: model\n    category: hallucination\n    summary: {q(field('factor'))}"),
    action_items=(
        f"\n  - title: {q(field('action'))}\n    layer: model\n    type: prevent"
        f"\n    owner: {q(field('owner'))}\n    due: 2099-01-01\n    status: open"
    ),
)
SCRIPT_LINK, WEB_LINK = "JavaScript://%0Aalert(document.domain)", "https://tracker.example.com/AI-1"
# Another incident shows the hostile title in its related and similar lists and
# has an action item with an ordinary link.
OTHER_PM = postmortem_text(
    id=OTHER_ID,
    date="2025-03-20",
    detected=None,
    resolved=None,
    related=f"[{HOSTILE_ID}]",
    action_items="".join(
        f"\n  - title: Item {n}\n    layer: model\n    type: prevent\n    owner: team"
        f"\n    due: 2099-01-01\n    status: open\n    link: {q(url)}"
        for n, url in enumerate((WEB_LINK,), 1)
    ),
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    files = {"INC-2025-014-hostile.md": HOSTILE_PM, "INC-2025-015-other.md": OTHER_PM}
    return build(write_site_at(root, files))


def test_no_markup_from_front_matter_in_any_html(site: Path) -> None:
    """No page has a script with alert("x"), an onerror handler or <img src=x>."""
    files = html_files(site)
    assert len(files) > 10
    for html_file in files:
        text = html_file.read_text(encoding="utf-8")
        assert "<script>alert" not in text and "<img src=x" not in text, html_file
        for node in parse_html(text).iter():
            assert not [a for a in node.attrs if a.startswith("on")], (html_file, node.attrs)
            assert not (node.tag == "img" and node.attrs.get("src") == "x"), html_file
            if node.tag == "script":
                assert "alert(" not in node.text, html_file
            assert node.tag != "textarea", html_file


def test_every_field_shows_as_text_on_the_incident_page(site: Path) -> None:
    """Title, summary, authors, tags, harm, factors, action items: shown once escaped, verbatim."""
    raw = (site / f"incidents/{HOSTILE_ID}/index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;" in raw
    article = parse_html(raw).find("article")
    text = article.text
    for name in ("title", "summary", "author", "tag", "affected", "factor", "action", "owner"):
        # Parsed text equals the original: escaped once, not twice, and no
        # template ran ({{ 7*7 }} is not 49).
        assert field(name) in text, name
    assert article.find("h1").text == field("title")
    assert article.find("p", "pm-summary").text == field("summary")


def test_title_and_description_in_head(site: Path) -> None:
    """<title> and the meta description carry the strings as escaped text."""
    head = page(site, f"incidents/{HOSTILE_ID}/").find("head")
    assert head.find("title").text == f"{field('title')} - Test library"
    metas = [m for m in head.find_all("meta") if m.attrs.get("name") == "description"]
    assert [m.attrs["content"] for m in metas] == [field("summary")]


def test_hostile_strings_are_escaped_on_listing_pages(site: Path) -> None:
    """Listings, the related list of another incident and the tracker show the text, inert."""
    for address, wanted in (
        ("", "title"),
        ("incidents/", "title"),
        ("layers/model/", "title"),
        ("layers/model/hallucination/", "action"),
        ("systems/support-assistant/", "title"),
        ("action-items/", "owner"),
        (f"incidents/{OTHER_ID}/", "title"),
    ):
        raw = (site / address / "index.html").read_text(encoding="utf-8")
        assert "&lt;script&gt;" in raw, address
        assert field(wanted) in parse_html(raw).find("article").text, address


def test_search_index_holds_escaped_text(site: Path) -> None:
    """Material shows search titles and texts as HTML, so they hold escaped text, not markup."""
    index = json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))
    entries = [d for d in index["docs"] if d["location"].startswith(f"incidents/{HOSTILE_ID}/")]
    main = next(d for d in entries if d["location"] == f"incidents/{HOSTILE_ID}/")
    assert main["title"] == html.escape(field("title"))
    assert parse_html(main["title"]).text == field("title")
    for d in index["docs"]:
        for key in ("title", "text"):
            tree = parse_html(d[key])
            assert not tree.find_all("script") and not tree.find_all("img"), d["location"]
        for tag in d.get("tags") or []:
            assert "<" not in tag
    blob = json.dumps(entries)
    assert "&lt;script&gt;" in blob


def test_exports_and_feed_carry_the_strings_as_data(site: Path) -> None:
    """incidents.json holds the raw strings (JSON is not HTML); feed.xml is well-formed XML."""
    data = json.loads((site / "incidents.json").read_text(encoding="utf-8"))
    record = next(e for e in data["incidents"] if e["id"] == HOSTILE_ID)
    assert record["title"] == field("title")
    assert record["factors"][0]["summary"] == field("factor")
    finder = json.loads((site / "incidents" / "finder.json").read_text(encoding="utf-8"))
    row = next(r for r in finder["rows"] if r[0] == HOSTILE_ID)
    assert row[1:3] == [field("title"), field("summary")]
    feed = ET.fromstring((site / "feed.xml").read_bytes())
    a = "{http://www.w3.org/2005/Atom}"
    titles = [e.findtext(f"{a}title") for e in feed.findall(f"{a}entry")]
    assert field("title") in titles
    assert b"<script>" not in (site / "feed.xml").read_bytes()


def test_no_output_file_but_the_data_exports_holds_raw_markup(site: Path) -> None:
    """Only the JSON/CSV data files may hold the raw string; HTML, XML, search never do."""
    data_files = {
        "incidents.json",
        "incidents.csv",
        "incidents/index.json",
        "incidents/finder.json",
    }
    for path, data in all_files(site):
        rel = path.relative_to(site).as_posix()
        if rel in data_files:
            continue
        assert b"<script>alert" not in data and b"<img src=x" not in data, rel


def test_hostile_site_links_resolve(site: Path) -> None:
    """Escaped strings break no link."""
    assert broken_links(site) == []


def test_action_item_web_link_is_a_link(site: Path) -> None:
    """An action item's https `link` is rendered as an href on the incident and tracker pages."""
    for address in (f"incidents/{OTHER_ID}/", "action-items/"):
        article = page(site, address).find("article")
        assert WEB_LINK in article.hrefs(), address
        assert "Item 1" in article.text, address


def test_action_item_link_with_a_script_scheme_fails_lint(tmp_path: Path) -> None:
    """A `link` with a script scheme is a lint error, so it can never reach a page."""
    bad = OTHER_PM.replace(WEB_LINK, SCRIPT_LINK)
    site_dir = write_site_at(tmp_path, {"INC-2025-015-other.md": bad})
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-f", str(site_dir / "mkdocs.yml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "error invalid-format: action_items[0].link" in result.stderr


def test_renderer_refuses_script_links_even_if_schema_allowed_them() -> None:
    """The template filter passes only http(s) URLs: a second line of defence."""
    assert web_url(SCRIPT_LINK) is None
    assert web_url(" javascript:alert(1)") is None
    assert web_url(WEB_LINK) == WEB_LINK
