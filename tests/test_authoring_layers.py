"""`postmortems new` writes a ruled_out scaffold for the layers the author did not name."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from mkdocs_postmortems.adapters.cli import cli
from mkdocs_postmortems.parse.frontmatter import read_document
from mkdocs_postmortems.web import authoring

NEW = ["new", "Assistant invented a refund policy", "--severity", "SEV2", "--system", "bot"]
SCAFFOLD = re.compile(r"^# ruled_out:\n((?:#   - layer: .*\n#     reason: .*\n)+)", re.M)


@pytest.fixture
def site(write_site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    root = write_site({})
    monkeypatch.chdir(root)
    return root


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def created(result: Result) -> Path:
    assert result.exit_code == 0, result.output
    return Path(result.stdout.strip().splitlines()[-1])


def scaffold_layers(text: str) -> list[str]:
    m = SCAFFOLD.search(text)
    assert m, text
    return re.findall(r"^#   - layer: (\S+)$", m.group(1), re.M)


def uncommented(text: str) -> str:
    """The draft with its ruled_out scaffold uncommented, as an author would."""
    m = SCAFFOLD.search(text)
    assert m
    block = re.sub(r"^# ?", "", m.group(0), flags=re.M)
    return text.replace(m.group(0), block)


def lint(*args: str) -> list[dict[str, object]]:
    result = run("lint", "--format", "json", *args)
    findings: list[dict[str, object]] = json.loads(result.stdout)
    return findings


def test_scaffold_lists_every_layer_and_the_draft_lints_clean(site: Path) -> None:
    """Without --layer, every layer is scaffolded, commented, and the draft passes --strict."""
    path = created(run(*NEW))
    text = path.read_text(encoding="utf-8")
    assert scaffold_layers(text) == ["model", "data", "human-in-the-loop", "process"]
    assert "ruled_out" not in read_document(path.read_bytes(), str(path)).data
    assert run("lint", "--strict").exit_code == 0


def test_named_layers_are_left_out_of_the_scaffold(site: Path) -> None:
    """--layer names the layers with factors: only the others are scaffolded."""
    path = created(run(*NEW, "--layer", "model", "--layer", "process"))
    assert scaffold_layers(path.read_text(encoding="utf-8")) == ["data", "human-in-the-loop"]


def test_uncommented_scaffold_is_valid_front_matter(site: Path) -> None:
    """Uncommented as written, the scaffold is a ruled_out list the draft accepts with no error."""
    path = created(run(*NEW, "--layer", "model"))
    path.write_text(uncommented(path.read_text(encoding="utf-8")), encoding="utf-8")
    data = read_document(path.read_bytes(), str(path)).data
    assert data["ruled_out"] == [
        {"layer": layer, "reason": authoring.RULED_OUT_REASON}
        for layer in ("data", "human-in-the-loop", "process")
    ]
    assert [f for f in lint() if f["severity"] == "error"] == []


def test_commented_scaffold_does_not_count_as_examined(site: Path) -> None:
    """A final postmortem whose scaffold is still commented gets layer-not-considered."""
    path = created(run(*NEW, "--layer", "model"))
    text = path.read_text(encoding="utf-8").replace("status: draft", "status: final")
    text = text.replace(
        "factors: []",
        "factors:\n  - {layer: model, category: hallucination, summary: It invented a rule.}",
    )
    path.write_text(text, encoding="utf-8")
    rules = {f["rule"] for f in lint()}
    assert "layer-not-considered" in rules


def test_unknown_layer_is_a_usage_error(site: Path) -> None:
    """--layer with a layer the taxonomy lacks exits 2, names the layers, writes nothing."""
    result = run(*NEW, "--layer", "modle")
    assert result.exit_code == 2
    assert "layer 'modle' is not in the taxonomy; use one of model, data" in result.output
    assert not list((site / "docs").rglob("*.md"))
