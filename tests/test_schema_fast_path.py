"""The quick yes/no validator and jsonschema give the same verdict."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES, postmortem_text
from mkdocs_postmortems import schema_messages
from mkdocs_postmortems.parse.frontmatter import read_document
from mkdocs_postmortems.resources import POSTMORTEM_SCHEMA
from mkdocs_postmortems.schema_messages import passes, validator


def _front_matter(path: Path) -> Any:
    return read_document(path.read_bytes(), path.name).data


CORPUS = [p for p in sorted(EXAMPLES.rglob("*.md")) if isinstance(_front_matter(p), dict)]


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: str(p.relative_to(EXAMPLES)))
def test_fast_path_agrees_with_jsonschema_on_every_example(path: Path) -> None:
    """On every example file, fastjsonschema says valid exactly when jsonschema does."""
    data = _front_matter(path)
    assert passes(POSTMORTEM_SCHEMA)(data) == validator(POSTMORTEM_SCHEMA).is_valid(data)


def test_corpus_has_both_verdicts() -> None:
    """The agreement test is not vacuous: the corpus holds valid and invalid front matter."""
    verdicts = {validator(POSTMORTEM_SCHEMA).is_valid(_front_matter(p)) for p in CORPUS}
    assert verdicts == {True, False}
    assert len(CORPUS) > 50


@pytest.mark.parametrize(
    "override",
    [
        {"status": "final", "factors": None},  # if/then: final needs factors
        {"factors": "[]"},  # minItems under then
        {"systems": "[a, a]"},  # uniqueItems
        {"x-team": "{anything: [1, 2]}"},  # patternProperties
        {"id": "INC-2025-14"},  # pattern
        {"title": '""'},  # minLength
        {
            "action_items": "[{title: t, layer: model, type: prevent, owner: o, "
            "due: 2025-01-01, status: open, link: 'javascript://x'}]"
        },
    ],
)
def test_fast_path_agrees_on_each_keyword(tmp_path: Path, override: dict[str, object]) -> None:
    """Keyword by keyword (if/then, uniqueItems, patterns...), the two validators agree."""
    target = tmp_path / "INC-2025-014.md"
    target.write_text(postmortem_text(**override), encoding="utf-8")
    data = _front_matter(target)
    assert passes(POSTMORTEM_SCHEMA)(data) == validator(POSTMORTEM_SCHEMA).is_valid(data)


def test_shipped_validator_is_generated_from_the_schema_as_it_is() -> None:
    """The validator shipped as Python source was generated from the current
    schema (else every build compiles it again at start-up)."""
    assert schema_messages._shipped(POSTMORTEM_SCHEMA) is not None, (
        "schema/postmortem.schema.json changed: run `.venv/bin/python scripts/compile_schema.py`"
    )


def test_a_stale_shipped_validator_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """Generated from another version of the schema, the shipped validator is
    set aside and the schema is compiled as it is."""
    monkeypatch.setattr(schema_messages, "schema_digest", lambda name: "another schema")
    assert schema_messages._shipped(POSTMORTEM_SCHEMA) is None
