"""Exports assembled record by record, with the cache `mkdocs serve` keeps:
the same bytes as a whole-document dump, and an edit is never served stale."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path

from mkdocs_postmortems.check.library import load_library
from mkdocs_postmortems.model import Postmortem
from mkdocs_postmortems.settings import Settings
from mkdocs_postmortems.web.export import (
    ExportCache,
    _json_safe,
    incident_record,
    incidents_csv,
    incidents_json,
)
from test_export import LIBRARY


def published(write_site: Callable[..., Path]) -> list[Postmortem]:
    root = write_site(LIBRARY)
    lib = load_library(root / "docs", Settings(), root)
    return lib.published(include_drafts=True)


def test_incidents_json_is_the_whole_document_dump(write_site: Callable[..., Path]) -> None:
    """Joined records are the whole document, one record a line, cached or not."""
    pms = published(write_site)
    public = [p for p in pms if not p.is_restricted]
    assert len(public) >= 2
    # As JSON has them: YAML's .nan in the library is written as the text "nan".
    whole = _json_safe({"incidents": [incident_record(p) for p in public]})
    cache = ExportCache()
    text = incidents_json(pms)
    assert json.loads(text) == whole
    lines = text.splitlines()
    assert len(lines) == len(public) + 2
    assert [json.loads(line.rstrip(",")) for line in lines[1:-1]] == whole["incidents"]
    assert incidents_json(pms, cache) == text
    assert incidents_json(pms, cache) == text  # from the cache
    assert json.loads(incidents_json([])) == {"incidents": []}


def test_cache_never_serves_an_edited_postmortem_stale(write_site: Callable[..., Path]) -> None:
    """A postmortem object that replaces another (an edited file) is exported anew."""
    pms = published(write_site)
    cache = ExportCache()
    before_json, before_csv = incidents_json(pms, cache), incidents_csv(pms, cache)
    title = "A retitled incident"
    edited = dataclasses.replace(pms[0], title=title, data={**pms[0].data, "title": title})
    after = [edited, *pms[1:]]
    cache.keep_only(after)
    assert "A retitled incident" in incidents_json(after, cache)
    assert "A retitled incident" in incidents_csv(after, cache)
    assert incidents_json(after, cache) == incidents_json(after)
    assert incidents_csv(after, cache) == incidents_csv(after)
    assert before_json != incidents_json(after, cache)
    assert before_csv != incidents_csv(after, cache)
