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
    """Search entries by page, carried from one dirty rebuild to the next."""

    def __init__(self) -> None:
        self._pages: dict[str, list[Any]] | None = None

    def merge(self, written: str, rendered: Collection[str], withdrawn: Collection[str]) -> str:
        """The index to serve, from the one the search plugin `written` at
        this build: entries of the `rendered` pages (page addresses) are
        taken from it, those of other pages from the earlier builds, and no
        page whose address starts with a `withdrawn` one is kept."""
        data = json.loads(written)
        docs = data.get("docs", []) if isinstance(data, dict) else []
        if self._pages is None:
            # The first build indexes every page.
            pages = _runs(docs, None)
        else:
            pages = {k: v for k, v in self._pages.items() if k not in rendered}
            pages.update(_runs(docs, rendered))
        if withdrawn:
            pages = {k: v for k, v in pages.items() if not any(k.startswith(u) for u in withdrawn)}
        self._pages = pages
        data["docs"] = [entry for entries in pages.values() for entry in entries]
        return json.dumps(data, separators=(",", ":"))


def _runs(docs: list[Any], pages: Collection[str] | None) -> dict[str, list[Any]]:
    """Each page's last run of consecutive entries (of `pages` only, unless
    None): a rebuild appends a page's new entries after any older ones."""
    runs: dict[str, list[Any]] = {}
    last: str | None = None
    for entry in docs:
        page = page_of(entry)
        if pages is not None and page not in pages:
            last = None
            continue
        if page != last:
            runs[page] = []
            last = page
        runs[page].append(entry)
    return runs
