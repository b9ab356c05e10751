"""An Atom 1.0 feed (RFC 4287) of published postmortems.

Built with ElementTree so markup in titles and summaries is always escaped;
characters XML cannot carry at all are stripped first, since no escaping
makes them legal.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable

from ..dates import as_utc, by_instant
from ..model import DateLike, Postmortem
from ..urls import FEED, incident_url, page_address
from .charts import strip_xml_forbidden

__all__ = ["atom_feed"]

ATOM_NS = "http://www.w3.org/2005/Atom"


def _rfc3339(value: DateLike) -> str:
    return as_utc(value).isoformat().replace("+00:00", "Z")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, {k: strip_xml_forbidden(v) for k, v in attrs.items()})
    if text is not None:
        el.text = strip_xml_forbidden(text)
    return el


def _tag_authority(site_name: str) -> str:
    # Without a site URL there is no domain we own; RFC 2606 reserves .invalid,
    # so a tag: URI under it can never collide with a real tagging authority.
    label = re.sub(r"[^a-z0-9]+", "-", site_name.lower()).strip("-")[:63].strip("-")
    return f"{label or 'site'}.postmortems.invalid"


def _marks(p: Postmortem) -> list[tuple[str, str, str]]:
    """What the site's badges say of an incident, as (term, label, sentence)."""
    marks = []
    if p.is_external:
        marks.append(("external", "origin: External case study", "External case study."))
    # Final yet unresolved: a reader must not take the entry for a closed case.
    if p.is_ongoing:
        marks.append(("ongoing", "status: Ongoing", "Ongoing: not yet resolved."))
    return marks


def atom_feed(
    postmortems: Iterable[Postmortem],
    site_url: str | None,
    site_name: str,
    updated: dt.datetime,
    limit: int = 50,
    directory_urls: bool = True,
    id_url: str | None = None,
) -> str:
    """The newest `limit` postmortems as an Atom document (a str, UTF-8 declared).

    Links name pages as the site's canonical links do (`directory_urls`);
    ids are made from `id_url` where given (the site's address without a
    version folder that mike adds): an entry keeps its id from one version
    of the site to the next, so readers do not show it as new again."""
    base = (site_url.rstrip("/") + "/") if site_url else None
    id_base = (id_url.rstrip("/") + "/") if id_url and base else base
    authority = _tag_authority(site_name)

    def url(path: str) -> str:
        path = page_address(path, directory_urls)
        return base + path if base else path

    def id_of(path: str) -> str:
        # Ids are names, not addresses: the form a directory address takes.
        return (id_base or "") + path

    feed = ET.Element("feed", {"xmlns": ATOM_NS})
    # A fixed year: the feed's id must never change, whatever is added to it.
    _sub(feed, "id", id_of("incidents/") if base else f"tag:{authority},2025:incidents")
    _sub(feed, "title", site_name)
    _sub(feed, "updated", _rfc3339(updated))
    # Atom needs an author per entry; the feed-level one stands in for all.
    _sub(_sub(feed, "author"), "name", site_name)
    if base:
        _sub(feed, "link", rel="alternate", type="text/html", href=url("incidents/"))
    # Feed readers re-fetch from the self link; relative when the site has no site_url.
    _sub(feed, "link", rel="self", type="application/atom+xml", href=url(FEED))
    _sub(feed, "generator", "mkdocs-postmortems")

    # Defensive: callers pass published postmortems only, but a restricted one
    # must never reach a feed, which is copied far beyond the site.
    chosen = [p for p in postmortems if not p.is_restricted]
    chosen.sort(key=by_instant, reverse=True)
    for p in chosen[: max(limit, 0)]:
        path = incident_url(p.id)
        entry = _sub(feed, "entry")
        _sub(entry, "id", id_of(path) if base else f"tag:{authority},{p.date.year}:{p.id}")
        _sub(entry, "title", p.title)
        _sub(entry, "published", _rfc3339(p.date))
        _sub(entry, "updated", _rfc3339(p.resolved or p.date))
        _sub(entry, "link", rel="alternate", type="text/html", href=url(path))
        for author in p.authors:
            _sub(_sub(entry, "author"), "name", author)
        marks = _marks(p)
        # Said in the text too, where every feed reader shows it.
        lead = "".join(f"{sentence} " for _, _, sentence in marks)
        _sub(entry, "summary", lead + p.summary, type="text")
        for kind, terms in (("system", p.systems), ("layer", p.layers)):
            for term in terms:
                attrs = {"term": term, "label": f"{kind}: {term}"}
                if base:
                    attrs["scheme"] = url(f"{kind}s/")
                _sub(entry, "category", **attrs)
        for term, label, _ in marks:
            _sub(entry, "category", term=term, label=label)

    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode")
