"""The vocabulary of factor layers, categories and harm types."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..model import Finding, JsonPath
from ..resources import TAXONOMY_SCHEMA
from ..rules import RULES
from ..schema_messages import SchemaReporter
from .frontmatter import DEFAULT_LIMITS, decode, parse_yaml, read_bounded


@dataclass(frozen=True)
class Category:
    id: str
    title: str
    layer: str
    description: str = ""
    refs: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Layer:
    id: str
    title: str
    description: str = ""
    categories: tuple[Category, ...] = ()


@dataclass(frozen=True)
class HarmType:
    id: str
    title: str
    description: str = ""
    legal_review: str = "optional"

    @property
    def requires_legal_review(self) -> bool:
        return self.legal_review == "required"


@dataclass(frozen=True)
class Taxonomy:
    layers: tuple[Layer, ...]
    harm_types: tuple[HarmType, ...] = ()
    source: str = ""
    _categories: dict[str, Category] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for layer in self.layers:
            for cat in layer.categories:
                self._categories.setdefault(cat.id, cat)

    def layer(self, layer_id: str) -> Layer | None:
        return next((layer for layer in self.layers if layer.id == layer_id), None)

    def category(self, category_id: str) -> Category | None:
        return self._categories.get(category_id)

    def harm_type(self, harm_id: str) -> HarmType | None:
        return next((h for h in self.harm_types if h.id == harm_id), None)

    @property
    def categories(self) -> tuple[Category, ...]:
        return tuple(self._categories.values())


def _build(data: dict[str, Any], source: str) -> Taxonomy:
    layers = tuple(
        Layer(
            id=layer["id"],
            title=layer["title"],
            description=layer.get("description", ""),
            categories=tuple(
                Category(
                    id=cat["id"],
                    title=cat["title"],
                    layer=layer["id"],
                    description=cat.get("description", ""),
                    refs=tuple((str(k), str(v)) for k, v in (cat.get("refs") or {}).items()),
                )
                for cat in layer["categories"]
            ),
        )
        for layer in data["layers"]
    )
    harms = tuple(
        HarmType(
            id=h["id"],
            title=h["title"],
            description=h.get("description", ""),
            legal_review=h.get("legal_review", "optional"),
        )
        for h in data.get("harm_types") or ()
    )
    return Taxonomy(layers, harms, source)


def parse_taxonomy(raw: bytes, path: str) -> tuple[Taxonomy | None, list[Finding]]:
    """Check and build a taxonomy from a file's bytes. None when it is broken."""
    text, findings = decode(raw, path, DEFAULT_LIMITS, "taxonomy files")
    if text is None:
        return None, findings
    parsed = parse_yaml(text, path, what="taxonomy file")
    findings = list(parsed.findings)
    if findings:
        return None, findings
    if not isinstance(parsed.data, dict):
        return None, [
            RULES["taxonomy"].finding(
                path, 1, 1, "the taxonomy must be a mapping with a 'layers' list"
            )
        ]
    findings = SchemaReporter(TAXONOMY_SCHEMA, parsed, path).findings(parsed.data)
    if findings:
        return None, [_as_taxonomy_finding(f) for f in findings]
    groups: dict[str, list[JsonPath]] = {
        "layer": [("layers", i, "id") for i in range(len(parsed.data["layers"]))],
        "category": [
            ("layers", i, "categories", j, "id")
            for i, layer in enumerate(parsed.data["layers"])
            for j in range(len(layer["categories"]))
        ],
        "harm type": [
            ("harm_types", i, "id") for i in range(len(parsed.data.get("harm_types") or ()))
        ],
    }
    for what, paths in groups.items():
        seen: Counter[str] = Counter()
        for p in paths:
            value: Any = parsed.data
            for part in p:
                value = value[part]
            seen[value] += 1
            if seen[value] == 2:
                pos = parsed.position(p)
                findings.append(
                    RULES["taxonomy-duplicate-id"].finding(
                        path,
                        pos.line,
                        pos.column,
                        f"{what} id '{value}' is used twice; ids must be unique",
                    )
                )
    if findings:
        return None, findings
    return _build(parsed.data, path), []


def _as_taxonomy_finding(f: Finding) -> Finding:
    return RULES["taxonomy"].finding(f.path, f.line, f.column, f"taxonomy: {f.message}")


def load_taxonomy(path: Path, shown_as: str) -> tuple[Taxonomy | None, list[Finding]]:
    """The taxonomy file read with the checks a postmortem gets: a regular
    file, within the size limit, UTF-8."""
    raw, findings = read_bounded(
        path,
        shown_as,
        what="taxonomy files",
        unreadable_rule="taxonomy",
    )
    if raw is None:
        return None, [
            replace(f, message=f.message.replace("the file", "the taxonomy file", 1))
            for f in findings
        ]
    return parse_taxonomy(raw, shown_as)
