"""The JSON Schema and the taxonomy: valid, documented, faithful to the format
contract, and a broken taxonomy is a clear finding rather than a crash."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import EXAMPLES, REPO, postmortem_text, run_cli
from jsonschema import Draft202012Validator
from mkdocs_postmortems import ids
from mkdocs_postmortems.parse.taxonomy import load_taxonomy
from mkdocs_postmortems.resources import POSTMORTEM_SCHEMA, load_json_schema, schema_dir

SCHEMAS = ("postmortem.schema.json", "taxonomy.schema.json", "regimes.schema.json")
DEFAULT_LAYERS = ["model", "data", "human-in-the-loop", "process"]
ID_PATTERN_CASES = {
    "INC-2025-014": True,
    "INC-2025-1001": True,
    "AI2-2024-007": True,
    "inc-2025-014": False,
    "INC-25-014": False,
    "INC-2025-14": False,
    "INC2025-014": False,
    "2025-014": False,
}


def load_schema(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((REPO / "schema" / name).read_text(encoding="utf-8"))
    return data


def declared_properties(schema: dict[str, Any], path: str = "") -> Iterator[tuple[str, Any]]:
    """Every property the schema declares, at any depth (through `items` too).
    Conditionals (`allOf`/`if`/`then`) only constrain declared properties."""
    for name, sub in schema.get("properties", {}).items():
        here = f"{path}.{name}" if path else name
        yield here, sub
        yield from declared_properties(sub, here)
        items = sub.get("items")
        if isinstance(items, dict):
            yield from declared_properties(items, f"{here}[]")


@pytest.mark.parametrize("name", SCHEMAS)
def test_schema_passes_the_draft_2020_12_metaschema(name: str) -> None:
    """Each bundled JSON Schema is itself valid Draft 2020-12 and says so."""
    schema = load_schema(name)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_the_package_reads_the_repository_schema_files() -> None:
    """The checks use schema/ of this checkout (the wheel carries the same files)."""
    assert schema_dir().resolve() == (REPO / "schema").resolve()


def test_every_postmortem_property_has_a_description_and_examples() -> None:
    """Every property of the postmortem schema, at any depth, has a description and examples."""
    props = list(declared_properties(load_schema("postmortem.schema.json")))
    assert len(props) >= 25, [p for p, _ in props]
    undocumented = [p for p, sub in props if not str(sub.get("description", "")).strip()]
    without_examples = [p for p, sub in props if not sub.get("examples")]
    assert not undocumented, f"no description: {undocumented}"
    assert not without_examples, f"no examples: {without_examples}"


def test_every_example_is_valid_for_its_own_property() -> None:
    """An example in the schema is valid where it is given, so the docs never show a wrong value."""
    wrong = []
    for path, sub in declared_properties(load_schema("postmortem.schema.json")):
        validator = Draft202012Validator(sub, format_checker=Draft202012Validator.FORMAT_CHECKER)
        wrong += [(path, ex) for ex in sub.get("examples", []) if not validator.is_valid(ex)]
    assert not wrong


def test_every_taxonomy_schema_property_is_described() -> None:
    """Every property of the taxonomy schema has a description."""
    props = list(declared_properties(load_schema("taxonomy.schema.json")))
    assert props
    assert not [p for p, sub in props if not str(sub.get("description", "")).strip()]


def test_schema_holds_the_format_contract() -> None:
    """Required keys, enums, the id pattern and the `x-` rule are those of the format (spec 2)."""
    schema = load_schema("postmortem.schema.json")
    props = schema["properties"]
    assert sorted(schema["required"]) == sorted(
        ["id", "title", "status", "severity", "date", "summary", "systems"]
    )
    assert schema["additionalProperties"] is False
    assert list(schema["patternProperties"]) == ["^x-"]
    assert props["status"]["enum"] == ["draft", "review", "final"]
    assert props["visibility"]["enum"] == ["internal", "restricted"]
    assert props["severity"]["enum"] == ["SEV1", "SEV2", "SEV3", "SEV4"]
    assert props["harm"]["properties"]["legal_review"]["enum"] == [
        "not-required",
        "pending",
        "approved",
    ]
    item = props["action_items"]["items"]["properties"]
    assert item["type"]["enum"] == ["prevent", "detect", "mitigate"]
    assert item["status"]["enum"] == ["open", "in-progress", "done", "wont-do"]
    assert (props["title"]["minLength"], props["title"]["maxLength"]) == (1, 200)
    id_schema = Draft202012Validator(props["id"])
    assert {i: id_schema.is_valid(i) for i in ID_PATTERN_CASES} == ID_PATTERN_CASES


def test_schema_requires_factors_only_once_final() -> None:
    """A final postmortem needs at least one factor; a draft does not."""
    validator = Draft202012Validator(load_schema("postmortem.schema.json"))
    base = {
        "id": "INC-2025-014",
        "title": "t",
        "severity": "SEV2",
        "date": "2025-03-14",
        "summary": "s",
        "systems": ["a"],
    }
    assert validator.is_valid({**base, "status": "draft"})
    assert not validator.is_valid({**base, "status": "final"})
    assert not validator.is_valid({**base, "status": "final", "factors": []})
    factor = {"layer": "model", "category": "hallucination", "summary": "s"}
    assert validator.is_valid({**base, "status": "final", "factors": [factor], "x-team": [1]})


@pytest.mark.parametrize(
    "taxonomy",
    [REPO / "schema" / "taxonomy.yml", EXAMPLES / "taxonomy.yml"],
    ids=["default", "tests"],
)
def test_taxonomy_file_passes_its_own_schema(taxonomy: Path) -> None:
    """The default taxonomy and the tests' own pass taxonomy.schema.json and load cleanly."""
    data = yaml.safe_load(taxonomy.read_text(encoding="utf-8"))
    validator = Draft202012Validator(load_schema("taxonomy.schema.json"))
    assert [e.message for e in validator.iter_errors(data)] == []
    loaded, findings = load_taxonomy(taxonomy, taxonomy.name)
    assert findings == []
    assert loaded is not None and loaded.layers


def test_default_taxonomy_has_the_four_layers_and_20_to_35_categories() -> None:
    """schema/taxonomy.yml has model, data, human-in-the-loop, process and 20-35 categories
    (33 since spec 3 added the categories recent public incidents needed)."""
    taxonomy, findings = load_taxonomy(REPO / "schema" / "taxonomy.yml", "taxonomy.yml")
    assert findings == [] and taxonomy is not None
    assert [layer.id for layer in taxonomy.layers] == DEFAULT_LAYERS
    assert all(layer.categories for layer in taxonomy.layers)
    assert 20 <= len(taxonomy.categories) <= 35
    assert taxonomy.harm_types, "harm types are part of the default taxonomy"
    ids = [c.id for layer in taxonomy.layers for c in layer.categories]
    assert len(ids) == len(set(ids)), "category ids must be unique across layers"


BROKEN_TAXONOMIES: dict[str, tuple[bytes | None, int, str]] = {
    "bad yaml": (b"layers:\n  - id: model\n    title: [Model\n", 3, "yaml-syntax"),
    "missing layers": (b"harm_types: []\n", 1, "taxonomy"),
    "empty file": (b"", 1, "taxonomy"),
    "a list": (b"- model\n- data\n", 1, "taxonomy"),
    "no layers": (b"layers: []\n", 1, "taxonomy"),
    "layer without categories": (b"layers:\n  - id: model\n    title: Model\n", 2, "taxonomy"),
    "uppercase id": (
        b"layers:\n  - id: Model\n    title: Model\n    categories: [{id: a, title: A}]\n",
        2,
        "taxonomy",
    ),
    "unknown key": (
        b"layers:\n  - id: model\n    title: Model\n    colour: red\n"
        b"    categories: [{id: a, title: A}]\n",
        4,
        "taxonomy",
    ),
    "duplicate category id": (
        b"layers:\n  - id: model\n    title: Model\n    categories:\n"
        b"      - {id: drift, title: Model drift}\n"
        b"  - id: data\n    title: Data\n    categories:\n"
        b"      - {id: drift, title: Data drift}\n",
        9,
        "taxonomy-duplicate-id",
    ),
    "duplicate layer id": (
        b"layers:\n  - id: model\n    title: Model\n    categories: [{id: a, title: A}]\n"
        b"  - id: model\n    title: Again\n    categories: [{id: b, title: B}]\n",
        5,
        "taxonomy-duplicate-id",
    ),
    "duplicate key": (b"layers: []\nlayers: []\n", 2, "yaml-duplicate-key"),
    "python tag": (b"layers: !!python/object/apply:os.getcwd []\n", 1, "yaml-tag"),
    "not utf-8": (b"layers:\n  - id: mod\xe8le\n", 2, "encoding"),
    "missing file": (None, 1, "taxonomy"),
}


@pytest.mark.parametrize("case", sorted(BROKEN_TAXONOMIES))
def test_broken_taxonomy_is_a_clear_finding(case: str, tmp_path: Path) -> None:
    """A broken taxonomy named in `-f mkdocs.yml`: a finding on that file, exit 1, no traceback."""
    content, line, rule = BROKEN_TAXONOMIES[case]
    site = tmp_path / "site"
    (site / "docs").mkdir(parents=True)
    (site / "docs" / "INC-2025-014.md").write_text(postmortem_text(), encoding="utf-8")
    (site / "mkdocs.yml").write_text(
        "site_name: x\nplugins:\n  - postmortems:\n      taxonomy: governance/taxonomy.yml\n",
        encoding="utf-8",
    )
    if content is not None:
        (site / "governance").mkdir()
        (site / "governance" / "taxonomy.yml").write_bytes(content)
    proc = run_cli("lint", "-f", "site/mkdocs.yml", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    findings = json.loads(proc.stdout)
    assert {f["path"] for f in findings} == {"site/governance/taxonomy.yml"}, findings
    assert (line, rule) in {(f["line"], f["rule"]) for f in findings}, findings
    for f in findings:
        # The file is the taxonomy: a message about "front matter" would mislead.
        assert "front matter" not in f["message"], f["message"]
        if f["rule"] in ("yaml-syntax", "yaml-tag"):
            assert "taxonomy file" in f["message"], f["message"]


def test_schema_and_ids_py_spell_the_id_the_same() -> None:
    """The schema's `id` and `related` patterns are the grammar `ids.py` writes once."""
    props = load_json_schema(POSTMORTEM_SCHEMA)["properties"]
    whole = f"^{ids.ID_PATTERN}(?!\\n)$"
    assert props["id"]["pattern"] == whole
    assert props["related"]["items"]["pattern"] == whole
