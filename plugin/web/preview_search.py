"""The search index of a `mkdocs serve --dirty` preview, kept whole.

A dirty rebuild renders only some pages, and the search plugin indexes only
those. Material merges them into its previous index by dropping the first
rendered page's entries and appending the new ones: a page rendered after
the first is then listed twice, and a first page at the site's root
(location "") takes every other page out of the index. MkDocs' own search
plugin keeps no earlier entries at all. `PreviewSearchIndex` keeps, for each
page, the entries of the build that last rendered it.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any


def page_of(entry: object) -> str:
    """The page a search entry belongs to: its location without the anchor."""
    location = entry.get("location", "") if isinstance(entry, dict) else ""
    return str(location).split("#", 1)[0]


class PreviewSearchIndex:
    """Search entries by page, carried from one dirty rebuild to the next.

    Each entry is kept as its JSON text: a rebuild writes again only the
    entries of the pages it rendered (the whole index is a megabyte and
    more at 1,000 postmortems)."""

    def __init__(self) -> None:
        self._pages: dict[str, list[str]] | None = None

    def merge(
        self,
        written: str,
        rendered: Collection[str],
        withdrawn: Collection[str],
        pages_now: Collection[str],
    ) -> str:
        """The index to serve, from the one the search plugin `written` at
        this build: entries of the `rendered` pages (page addresses) are
        taken from it, those of other pages from the earlier builds. Only
        pages of the site as it is now (`pages_now`) are kept, whatever the
        search plugin carried over from its earlier index, and no page whose
        address starts with a `withdrawn` one."""
        data = json.loads(written)
        if not isinstance(data, dict):
            return written
        docs = data.pop("docs", [])
        fresh = {
            page: [_json(entry) for entry in entries]
            for page, entries in _runs(docs if isinstance(docs, list) else []).items()
            if (self._pages is None or page in rendered) and page in pages_now
        }
        pages = {
            k: v for k, v in (self._pages or {}).items() if k not in rendered and k in pages_now
        }
        pages.update(fresh)
        if withdrawn:
            pages = {k: v for k, v in pages.items() if not any(k.startswith(u) for u in withdrawn)}
        self._pages = pages
        # As the search plugins write it: compact, the entries under "docs".
        docs_text = '"docs":[' + ",".join(e for entries in pages.values() for e in entries) + "]"
        rest = _json(data)
        return "{" + docs_text + "}" if rest == "{}" else rest[:-1] + "," + docs_text + "}"


def _json(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


def _runs(docs: list[Any]) -> dict[str, list[Any]]:
    """Each page's last run of consecutive entries: a rebuild appends a
    page's new entries after any older ones."""
    runs: dict[str, list[Any]] = {}
    last: str | None = None
    for entry in docs:
        page = page_of(entry)
        if page != last:
            runs[page] = []
            last = page
        runs[page].append(entry)
    return runs


def without_pages(written: str, excluded: Collection[str]) -> str | None:
    """The search index `written` without the entries of the `excluded`
    pages (page addresses), or None where it holds none of them (or is not
    an index of the form MkDocs' and Material's search plugins write).

    Material's search honours a page's `search: {exclude: true}`; MkDocs'
    own search plugin (the `mkdocs` and `readthedocs` themes, Backstage's
    techdocs-core) indexes every page, listings included."""
    try:
        data = json.loads(written)
    except ValueError:
        return None
    docs = data.get("docs") if isinstance(data, dict) else None
    if not isinstance(docs, list):
        return None
    kept = [entry for entry in docs if page_of(entry) not in excluded]
    if len(kept) == len(docs):
        return None
    data["docs"] = kept
    # A prebuilt lunr index (`prebuild_index`) still holds the dropped
    # pages; without it the browser builds one from "docs".
    data.pop("index", None)
    return _json(data)
