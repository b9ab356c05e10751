"""Findings to text for people, JSON for tools, annotations for GitHub."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from .model import Finding

# Messages quote what the author wrote, and YAML can write any character
# ("a\nb", "\e[2J"): one finding must stay one line, and inert in a terminal.
_CONTROL = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0))}
_CONTROL.update({0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r"})


def _one_line(value: str) -> str:
    return value.translate(_CONTROL)


def as_text(findings: Sequence[Finding]) -> str:
    return "".join(
        f"{_one_line(f.path)}:{f.line}:{f.column}: {f.severity} {f.rule}: {_one_line(f.message)}\n"
        for f in findings
    )


def as_json(findings: Sequence[Finding]) -> str:
    return json.dumps([f.as_dict() for f in findings], indent=2, ensure_ascii=False) + "\n"


def _escape_data(value: str) -> str:
    # GitHub workflow commands end at a newline and treat % specially.
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return _one_line(value)


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def as_github(findings: Sequence[Finding]) -> str:
    return "".join(
        f"::{f.severity} file={_escape_property(f.path)},line={f.line},col={f.column},"
        f"title={_escape_property(f.rule)}::{_escape_data(f.message)}\n"
        for f in findings
    )


REPORTERS: dict[str, Callable[[Sequence[Finding]], str]] = {
    "text": as_text,
    "json": as_json,
    "github": as_github,
}


def summary_line(findings: Sequence[Finding], files: int) -> str:
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors
    return f"{files} postmortem file(s) checked: {errors} error(s), {warnings} warning(s)"
