"""Bad input of any kind gives findings and exit 1, never a traceback or a hang.

Each case is one file, `INC-2025-101.md`, linted by the real console script
in a subprocess bounded by a timeout; each must report a finding at the
place a person would have to edit.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import postmortem_text, run_cli

NAME = "INC-2025-101.md"
# A command that would leave a trace if YAML tags were ever constructed.
OWNED = "owned-by-yaml"


def pm(**overrides: object) -> bytes:
    # Without the fixture's layered defaults: the expected lines below count
    # from a front matter that ends after `factors`.
    fields: dict[str, object] = {"ruled_out": None, "action_items": None, **overrides}
    return postmortem_text(id="INC-2025-101", **fields).encode("utf-8")


def extra_yaml(text: bytes, lines: str) -> bytes:
    """`text` with raw YAML lines added just before its closing `---`."""
    return text.replace(b"\n---\n", b"\n" + lines.encode() + b"---\n", 1)


def _billion_laughs() -> bytes:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 9):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [{', '.join([f'*{prev}'] * 9)}]")
    return ("---\n" + "\n".join(lines) + "\n---\n").encode()


def _block_nesting(levels: int) -> bytes:
    # One space more per level, so 600 levels stay under the front-matter size limit.
    nested = "".join(" " * (i + 1) + "k:\n" for i in range(levels))
    return f"---\nx-deep:\n{nested}---\n".encode()


def _distinct_mappings(count: int) -> bytes:
    # Unhashable, distinct items: jsonschema's uniqueItems compares them pairwise.
    return pm(systems="[" + ", ".join(f"{{k: {i}}}" for i in range(count)) + "]")


@dataclass(frozen=True)
class Hostile:
    content: Callable[[Path], bytes]
    line: int
    rule: str


CASES: dict[str, Hostile] = {
    "broken yaml": Hostile(lambda _: pm(title='"never closed'), 3, "yaml-syntax"),
    "wrong types": Hostile(lambda _: pm(title="[a, b]", systems="{a: b}"), 3, "wrong-type"),
    "invalid utf-8": Hostile(
        lambda _: pm().replace(b"Some customers", b"Caf\xe9 customers"), 23, "encoding"
    ),
    "utf-16": Hostile(lambda _: pm().decode().encode("utf-16"), 1, "encoding"),
    "empty file": Hostile(lambda _: b"", 1, "front-matter-missing"),
    "no closing fence": Hostile(
        lambda _: pm().replace(b"---\n\n## What", b"\n## What"), 1, "front-matter-unclosed"
    ),
    "only an opening fence": Hostile(lambda _: b"---\n", 1, "front-matter-unclosed"),
    "empty front matter": Hostile(lambda _: b"---\n---\n", 1, "front-matter-missing"),
    "billion laughs": Hostile(lambda _: _billion_laughs(), 2, "yaml-too-complex"),
    "5000-deep flow nesting": Hostile(
        lambda _: pm(**{"x-deep": "[" * 5000 + "]" * 5000}), 15, "yaml-too-complex"
    ),
    "600-deep block nesting": Hostile(lambda _: _block_nesting(600), 35, "yaml-too-complex"),
    "python object apply": Hostile(
        lambda d: pm(**{"x-run": f'!!python/object/apply:os.system ["touch {d / OWNED}"]'}),
        15,
        "yaml-tag",
    ),
    "python name": Hostile(lambda _: pm(title="!!python/name:os.system"), 3, "yaml-tag"),
    "binary tag": Hostile(lambda _: pm(summary="!!binary aGVsbG8gd29ybGQ="), 9, "yaml-tag"),
    "local tag": Hostile(lambda _: pm(summary="!vault secret-ref"), 9, "yaml-tag"),
    "complex key": Hostile(lambda _: extra_yaml(pm(), "? [a, b]\n: value\n"), 15, "yaml-syntax"),
    "number key": Hostile(lambda _: pm(**{"2025": "a year"}), 15, "unknown-key"),
    "top-level list": Hostile(
        lambda _: b"---\n- id: INC-2025-101\n- severity: SEV2\n---\n", 2, "front-matter-not-mapping"
    ),
    "top-level scalar": Hostile(
        lambda _: b"---\n42\n---\n# INC-2025-101\n", 2, "front-matter-not-mapping"
    ),
    "mixed tabs": Hostile(
        lambda _: pm(factors="\n  - layer: model\n\t  category: x\n    summary: s"),
        13,
        "yaml-syntax",
    ),
    "binary bytes": Hostile(
        lambda _: bytes((i * 7919 + 13) % 256 for i in range(4096)), 1, "encoding"
    ),
    "nul inside text": Hostile(
        lambda _: pm().replace(b"## Impact", b"## Imp\x00act"), 21, "encoding"
    ),
    "3 MB file": Hostile(
        lambda _: pm() + b"More detail.\n" * (3 * 1024 * 1024 // 13), 1, "file-too-large"
    ),
    "front matter over 256 KB": Hostile(
        lambda _: pm(summary="word " * 60_000), 1, "yaml-too-complex"
    ),
    "impossible date": Hostile(lambda _: pm(date="2025-02-30"), 6, "invalid-date"),
    "quoted impossible date": Hostile(lambda _: pm(resolved='"2025-04-31"'), 8, "invalid-date"),
    "number of 5000 digits": Hostile(lambda _: pm(title="9" * 5000), 3, "yaml-too-complex"),
    "hex number of 5000 digits": Hostile(
        lambda _: pm(title="0x" + "f" * 5000), 3, "yaml-too-complex"
    ),
    "control character": Hostile(
        lambda _: pm(summary="The assistant \x07 beeped."), 9, "yaml-syntax"
    ),
    "bad unicode escape": Hostile(lambda _: pm(summary='"\\ud800"'), 9, "yaml-syntax"),
    "5000 distinct mappings in a list": Hostile(
        lambda _: _distinct_mappings(5000), 10, "yaml-too-complex"
    ),
    "line separator in a value": Hostile(
        lambda _: pm(title='"Refund\u2028policy"', severity="SEV9"), 5, "invalid-value"
    ),
    "old mac line endings": Hostile(
        lambda _: pm(severity="SEV9").replace(b"\n", b"\r"), 5, "invalid-value"
    ),
    "bom and crlf": Hostile(
        lambda _: b"\xef\xbb\xbf" + pm(severity="SEV9").replace(b"\n", b"\r\n"), 5, "invalid-value"
    ),
}


def test_utf16_is_named_as_such(tmp_path: Path) -> None:
    """A file saved as UTF-16 is reported as UTF-16, not as binary."""
    (tmp_path / NAME).write_bytes(CASES["utf-16"].content(tmp_path))
    code, findings = lint_json(tmp_path, NAME)
    assert code == 1
    assert [(f["rule"], f["line"]) for f in findings] == [("encoding", 1)]
    assert "UTF-16" in str(findings[0]["message"])


def lint_json(tmp_path: Path, *args: str) -> tuple[int, list[dict[str, object]]]:
    proc = run_cli("lint", "--format", "json", *args, cwd=tmp_path)
    return proc.returncode, json.loads(proc.stdout)


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_input_gives_a_finding_not_a_traceback(case: str, tmp_path: Path) -> None:
    """Each hostile file exits 1 with the expected rule at the expected line, and no traceback."""
    hostile = CASES[case]
    (tmp_path / NAME).write_bytes(hostile.content(tmp_path))
    code, findings = lint_json(tmp_path, NAME)
    assert code == 1, findings
    got = {(f["path"], f["line"], f["rule"]) for f in findings}
    assert (NAME, hostile.line, hostile.rule) in got, findings
    assert not (tmp_path / OWNED).exists(), "a YAML tag executed a command"


def test_python_tags_never_run(tmp_path: Path) -> None:
    """`!!python/object/apply:os.system` is reported and the command it names does not run."""
    command = f"touch {tmp_path / OWNED}"
    tags = [
        f'!!python/object/apply:os.system ["{command}"]',
        f'!!python/object/new:os.system ["{command}"]',
        f"!!python/object/apply:subprocess.call [[sh, -c, {command}]]",
    ]
    for i, tag in enumerate(tags):
        (tmp_path / f"INC-2025-10{i}.md").write_bytes(
            postmortem_text(id=f"INC-2025-10{i}", **{"x-run": tag}).encode()
        )
    code, findings = lint_json(tmp_path, ".")
    assert code == 1
    assert sorted((f["path"], f["rule"]) for f in findings if f["rule"] == "yaml-tag") == [
        (f"INC-2025-10{i}.md", "yaml-tag") for i in range(len(tags))
    ]
    assert not (tmp_path / OWNED).exists(), "a YAML tag executed a command"


def test_a_library_of_hostile_files_is_linted_in_one_run(tmp_path: Path) -> None:
    """All hostile files in one docs folder: one run, every file reported, text format intact."""
    docs = tmp_path / "docs"
    for i, case in enumerate(sorted(CASES)):
        folder = docs / f"case-{i:02d}"
        folder.mkdir(parents=True)
        (folder / NAME).write_bytes(CASES[case].content(folder))
    (tmp_path / "mkdocs.yml").write_text("site_name: Hostile\n", encoding="utf-8")
    proc = run_cli("lint", cwd=tmp_path)
    assert proc.returncode == 1
    reported = {line.split(":", 1)[0] for line in proc.stdout.splitlines()}
    assert reported == {f"docs/case-{i:02d}/{NAME}" for i in range(len(CASES))}
    for line in proc.stdout.splitlines():
        assert line.count(": error ") + line.count(": warning ") >= 1, line
