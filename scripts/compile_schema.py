"""Write plugin/postmortem_schema_code.py: fastjsonschema's validator of
schema/postmortem.schema.json as plain Python, so that no build or lint pays
for generating it (a fifth of a second, at every start).

Run after changing the schema: `.venv/bin/python scripts/compile_schema.py`.
Until then the plugin notices the schema's new digest and compiles it at
start-up, as it did before, and the test suite fails to remind you.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs_postmortems.schema_messages import FAST_SCHEMA, generated_validator

TARGET = Path(__file__).resolve().parent.parent / "plugin" / "postmortem_schema_code.py"

if __name__ == "__main__":
    TARGET.write_text(generated_validator(FAST_SCHEMA), encoding="utf-8")
    print(f"wrote {TARGET}")
