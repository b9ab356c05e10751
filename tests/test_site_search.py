"""What a large library keeps in the search index: enough to find an incident
by id, title, summary, system and category, without its whole narrative."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import postmortem_text
from sitekit import build, write_site_at

NARRATIVE_WORD = "zanzibarite"


def _index(tmp_path: Path, limit: int) -> str:
    body = postmortem_text(
        title="Assistant quoted a nonexistent policy",
        summary="Customers were told about a quokkaform refund rule.",
        systems="[refund-bot]",
    ).replace("Evaluate policy questions", f"Evaluate {NARRATIVE_WORD} questions")
    site = build(
        write_site_at(
            tmp_path, {"INC-2025-014.md": body}, plugin_options=f"search_narrative_limit: {limit}"
        )
    )
    docs = json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))["docs"]
    return json.dumps([d for d in docs if d["location"].startswith("incidents/")])


@pytest.mark.parametrize("limit", [0, 1000])
def test_incident_is_findable_by_its_card_whatever_the_limit(tmp_path: Path, limit: int) -> None:
    """Id, title, summary, system and category title are indexed, narrative or not."""
    index = _index(tmp_path, limit)
    for wanted in ("INC-2025-014", "nonexistent", "quokkaform", "refund-bot", "Hallucination"):
        assert wanted in index, wanted


def test_narrative_is_searchable_below_the_limit(tmp_path: Path) -> None:
    """A small library indexes the authors' narrative too."""
    assert NARRATIVE_WORD in _index(tmp_path, 1000)


def test_narrative_is_left_out_above_the_limit(tmp_path: Path) -> None:
    """Past the limit, narrative text and its section headings leave the index."""
    index = _index(tmp_path, 0)
    assert NARRATIVE_WORD not in index
    assert "Lessons learned" not in index
