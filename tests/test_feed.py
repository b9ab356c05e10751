"""The Atom feed: well-formed, newest first, escaped, never restricted."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from mkdocs_postmortems.model import Postmortem
from mkdocs_postmortems.web.feed import atom_feed
from test_charts import ONERROR, SCRIPT, postmortem

A = "{http://www.w3.org/2005/Atom}"
NOW = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)
# A final postmortem without a resolution is ongoing, which its entry says.
RESOLVED = dt.date(2024, 2, 1)


def parse(
    postmortems: list[Postmortem], site_url: str | None = None, limit: int = 50
) -> ET.Element:
    text = atom_feed(postmortems, site_url, "AI incidents", NOW, limit)
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(text.encode("utf-8"))


def entries(feed: ET.Element) -> list[ET.Element]:
    return feed.findall(f"{A}entry")


def ids(feed: ET.Element) -> list[str]:
    return [e.findtext(f"{A}title") or "" for e in entries(feed)]


def test_feed_is_atom_with_required_elements() -> None:
    """The feed and each entry carry Atom's required id, title, updated and an author."""
    feed = parse([postmortem(1)], "https://wiki.example.com/ai/")
    assert feed.tag == f"{A}feed"
    assert feed.findtext(f"{A}title") == "AI incidents"
    assert feed.findtext(f"{A}updated") == "2025-06-01T12:00:00Z"
    assert feed.findtext(f"{A}id") == "https://wiki.example.com/ai/incidents/"
    assert feed.find(f"{A}author/{A}name") is not None
    (entry,) = entries(feed)
    for tag in ("id", "title", "updated", "summary"):
        assert entry.findtext(f"{A}{tag}"), tag


def test_entries_newest_first_then_by_id() -> None:
    """Entries sort by date (dates and date-times together, in UTC), then id, newest first."""
    ps = [
        postmortem(1, dt.date(2024, 3, 1), title="old"),
        postmortem(2, dt.datetime(2024, 5, 1, 9, 0, tzinfo=dt.UTC), title="may-9h"),
        postmortem(3, dt.date(2024, 5, 1), title="may-a"),
        postmortem(4, dt.date(2024, 5, 1), title="may-b"),
        postmortem(
            5,
            dt.datetime(2024, 5, 1, 1, 0, tzinfo=dt.timezone(dt.timedelta(hours=3))),
            title="apr-30-22h-utc",
        ),
    ]
    assert ids(parse(ps)) == ["may-9h", "may-b", "may-a", "apr-30-22h-utc", "old"]


def test_limit_keeps_the_newest() -> None:
    """`limit` keeps only the newest entries."""
    ps = [postmortem(i, dt.date(2024, i, 1), title=str(i)) for i in range(1, 8)]
    assert ids(parse(ps, limit=3)) == ["7", "6", "5"]


def test_links_and_ids_with_site_url() -> None:
    """With a site URL, links and ids are absolute and a missing trailing slash is fine."""
    for site_url in ("https://wiki.example.com/ai", "https://wiki.example.com/ai/"):
        (entry,) = entries(parse([postmortem(14, dt.date(2025, 3, 14))], site_url))
        url = "https://wiki.example.com/ai/incidents/INC-2025-014/"
        assert entry.findtext(f"{A}id") == url
        link = entry.find(f"{A}link")
        assert link is not None and link.get("href") == url and link.get("rel") == "alternate"


def test_links_relative_and_tag_ids_without_site_url() -> None:
    """Without a site URL, links are relative and ids are stable tag: URIs."""
    feed = parse([postmortem(14, dt.date(2025, 3, 14))])
    (entry,) = entries(feed)
    link = entry.find(f"{A}link")
    assert link is not None and link.get("href") == "incidents/INC-2025-014/"
    assert entry.findtext(f"{A}id") == "tag:ai-incidents.postmortems.invalid,2025:INC-2025-014"
    assert (feed.findtext(f"{A}id") or "").startswith("tag:ai-incidents.postmortems.invalid,")


def test_updated_is_resolved_else_date_in_rfc3339() -> None:
    """An entry's updated is its resolution time (in UTC) or, failing that, its start date."""
    resolved = dt.datetime(2024, 5, 2, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    ps = [
        postmortem(1, dt.date(2024, 5, 1), resolved=resolved),
        postmortem(2, dt.date(2024, 4, 1)),
        postmortem(3, dt.datetime(2024, 3, 1, 7, 5)),
    ]
    updated = [e.findtext(f"{A}updated") for e in entries(parse(ps))]
    assert updated == ["2024-05-02T08:30:00Z", "2024-04-01T00:00:00Z", "2024-03-01T07:05:00Z"]


def test_hostile_title_and_summary_are_escaped() -> None:
    """Markup and quotes in titles and summaries come out escaped and round-trip as text."""
    p = postmortem(1, title=f"{SCRIPT} & {ONERROR}", summary=f"'{SCRIPT}'", resolved=RESOLVED)
    text = atom_feed([p], None, f"{ONERROR} site", NOW)
    assert SCRIPT not in text and ONERROR not in text
    feed = ET.fromstring(text)
    (entry,) = entries(feed)
    assert entry.findtext(f"{A}title") == f"{SCRIPT} & {ONERROR}"
    assert entry.findtext(f"{A}summary") == f"'{SCRIPT}'"
    assert feed.findtext(f"{A}title") == f"{ONERROR} site"


def test_control_characters_are_stripped() -> None:
    """Characters XML forbids are dropped; tab and newline survive."""
    p = postmortem(
        1,
        title="a\x00b\x08c\x1fd\ufffe",
        summary="line\x0b one\n\tline two",
        resolved=RESOLVED,
    )
    (entry,) = entries(parse([p]))
    assert entry.findtext(f"{A}title") == "abcd"
    assert entry.findtext(f"{A}summary") == "line one\n\tline two"


def test_restricted_postmortems_are_skipped() -> None:
    """A restricted postmortem never reaches the feed, not even its id."""
    secret = postmortem(9, title="secret title", visibility="restricted")
    text = atom_feed([postmortem(1), secret], None, "AI incidents", NOW)
    assert "secret" not in text and "INC-2024-009" not in text
    assert len(entries(ET.fromstring(text))) == 1


def test_categories_name_systems_and_layers() -> None:
    """Each entry is categorised by its systems and its factor layers, with site schemes."""
    p = postmortem(
        1,
        factors=[("model", "hallucination"), ("data", "data-drift")],
        systems=("support-assistant", "search"),
        resolved=RESOLVED,
    )
    (entry,) = entries(parse([p], "https://wiki.example.com/"))
    cats = [(c.get("term"), c.get("scheme")) for c in entry.findall(f"{A}category")]
    assert cats == [
        ("support-assistant", "https://wiki.example.com/systems/"),
        ("search", "https://wiki.example.com/systems/"),
        ("model", "https://wiki.example.com/layers/"),
        ("data", "https://wiki.example.com/layers/"),
    ]


def test_feed_is_deterministic() -> None:
    """The same postmortems in any order give the same feed."""
    ps = [postmortem(i, dt.date(2024, i, 1)) for i in range(1, 5)]
    assert atom_feed(ps, None, "x", NOW) == atom_feed(ps[::-1], None, "x", NOW)


def test_empty_feed_is_valid() -> None:
    """No postmortems still gives a well-formed feed without entries."""
    feed = parse([])
    assert entries(feed) == [] and feed.findtext(f"{A}updated") == "2025-06-01T12:00:00Z"
