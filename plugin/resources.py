"""Where the bundled schema and default taxonomy live.

An installed wheel carries them inside the package (`schema/`); a source
checkout (editable install, tests) has them at the repository's top level.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

_PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = _PACKAGE_DIR / "templates"
# The JSON Schemas, by file name in `schema_dir()`.
POSTMORTEM_SCHEMA = "postmortem.schema.json"
TAXONOMY_SCHEMA = "taxonomy.schema.json"


def schema_dir() -> Path:
    inside = _PACKAGE_DIR / "schema"
    if inside.is_dir():
        return inside
    return _PACKAGE_DIR.parent / "schema"


def default_taxonomy_path() -> Path:
    return schema_dir() / "taxonomy.yml"


@cache
def load_json_schema(name: str) -> dict[str, Any]:
    with (schema_dir() / name).open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data
