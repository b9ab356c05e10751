"""Findings to text for people, JSON for tools, annotations for GitHub,
SARIF for code scanning and a Code Quality report for GitLab."""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from importlib import metadata
from pathlib import PureWindowsPath
from typing import Any, Final
from urllib.parse import quote

from ..model import Finding, Severity
from ..rules import RULES, Rule
from .reporting import CLOCK_RULES

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


# What a site build logs of a finding on a withheld file instead of its message.
WITHHELD_MESSAGE: Final = (
    "(message not logged: this file is withheld from the site; `postmortems lint` shows it)"
)


def build_log_level(finding: Finding) -> int:
    """The level a site build logs a finding at: errors stop the build; a
    clock runs out with no change to the docs, so `mkdocs build --strict`
    logs it as information rather than start failing unrelated pull
    requests; every other warning is a warning."""
    if finding.severity is Severity.ERROR:
        return logging.ERROR
    return logging.INFO if finding.rule in CLOCK_RULES else logging.WARNING


def as_build_log(
    findings: Sequence[Finding], withheld_paths: Collection[str]
) -> list[tuple[int, str]]:
    """Findings as a site build logs them: lint's lines, each with its level
    (`build_log_level`). A message may quote its file (a name, an address):
    a CI log of the site build is no place for a withheld file's text, so a
    finding on one of `withheld_paths` is logged without its message."""
    logged = []
    for f in findings:
        if f.path in withheld_paths:
            f = replace(f, message=WITHHELD_MESSAGE)
        logged.append((build_log_level(f), as_text([f]).rstrip("\n")))
    return logged


# Why a build fails, by where its errors are: `postmortems lint` reads the
# library as the build does, but never the files other plugins add.
_FAILED_IN_LIBRARY = (
    "{errors} error(s) in the postmortems (listed above); "
    "run `postmortems lint` to see them with their fixes"
)
_FAILED_IN_FOREIGN = (
    "{errors} error(s) in files other plugins added (listed above, each withheld); "
    "`postmortems lint` does not read those files: mend them where the plugin "
    "that adds them reads them, or have it leave them out"
)


def as_build_report(
    findings: Sequence[Finding],
    withheld_paths: Collection[str],
    logged_before: Collection[Finding] = (),
    foreign: bool = False,
) -> tuple[list[tuple[int, str]], str | None]:
    """What a site build logs of `findings` (`as_build_log`), each line with
    its level, and why the build fails (it has errors), or None. Warnings an
    earlier serve build logged (`logged_before`) are counted, not repeated.
    `foreign`: the findings are of files other plugins added, which lint
    never sees, so the failure does not send the user there."""
    lines = as_build_log([f for f in findings if f not in logged_before], withheld_paths)
    errors = sum(1 for level, _ in lines if level >= logging.ERROR)
    if logged_before:
        lines.append(
            (
                logging.INFO,
                f"{len(logged_before)} warning(s) logged at an earlier build still apply; "
                "`postmortems lint` lists them all",
            )
        )
    if not errors:
        return lines, None
    return lines, (_FAILED_IN_FOREIGN if foreign else _FAILED_IN_LIBRARY).format(errors=errors)


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


DISTRIBUTION: Final = "mkdocs-postmortems"
SARIF_SCHEMA: Final = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
_SARIF_LEVEL: Final = {Severity.ERROR: "error", Severity.WARNING: "warning"}
# GitLab's scale is info, minor, major, critical, blocker. An error fails the
# pipeline already; "major" ranks it above warnings without claiming an outage.
GITLAB_SEVERITY: Final = {Severity.ERROR: "major", Severity.WARNING: "minor"}


def _distribution() -> tuple[str, str | None]:
    """Our version, and the home page the installed package declares (if any)."""
    try:
        meta = metadata.metadata(DISTRIBUTION).json
    except metadata.PackageNotFoundError:
        return "0+unknown", None
    urls = meta.get("project_url") or []
    for entry in [urls] if isinstance(urls, str) else urls:
        label, _, url = entry.partition(",")
        if label.strip().lower() in ("homepage", "home", "repository", "source"):
            return str(meta["version"]), url.strip()
    home = meta.get("home_page")
    return str(meta["version"]), home if isinstance(home, str) and home else None


def _uri(path: str) -> str:
    """A finding's path as a URI reference: a relative path stays relative
    (paths are shown with forward slashes), an absolute one becomes file://."""
    windows = PureWindowsPath(path)
    if windows.drive:
        return windows.as_uri()
    if path.startswith("/"):
        return "file://" + quote(path)
    return quote(path)


def _rule_descriptor(rule: Rule) -> dict[str, Any]:
    help_text = rule.summary + (f": {rule.advice}" if rule.advice else "")
    if rule.example:
        help_text += f". For example, '{rule.example}' could read '{rule.rewrite}'"
    return {
        "id": rule.id,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": help_text},
        "help": {"text": help_text},
        "defaultConfiguration": {"level": _SARIF_LEVEL[rule.severity]},
        "properties": {"tags": [rule.group]},
    }


def as_sarif(findings: Sequence[Finding]) -> str:
    """One SARIF 2.1.0 log, one run: every rule described, one result per finding."""
    version, home = _distribution()
    rules = [_rule_descriptor(rule) for rule in RULES.values()]
    index = {rule.id: i for i, rule in enumerate(RULES.values())}
    for f in findings:
        # Defensive: a finding made outside the registry still gets a descriptor.
        if f.rule not in index:
            index[f.rule] = len(rules)
            rules.append({"id": f.rule, "shortDescription": {"text": f.rule}})
    driver: dict[str, Any] = {"name": "postmortems", "version": version}
    if home:
        driver["informationUri"] = home
    driver["rules"] = rules
    results = [
        {
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": _SARIF_LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(f.path)},
                        "region": {"startLine": max(f.line, 1), "startColumn": max(f.column, 1)},
                    }
                }
            ],
        }
        for f in findings
    ]
    run = {"tool": {"driver": driver}, "columnKind": "unicodeCodePoints", "results": results}
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def as_gitlab(findings: Sequence[Finding]) -> str:
    """A GitLab Code Quality report. The fingerprint leaves the line out, so a
    finding keeps it when lines above are added or removed; identical findings
    in one file (same rule, same message) are told apart by their order."""
    seen: Counter[tuple[str, str, str]] = Counter()
    issues = []
    for f in sorted(findings):
        key = (f.path, f.rule, f.message)
        occurrence = seen[key]
        seen[key] += 1
        digest = hashlib.sha256(
            json.dumps([*key, occurrence], ensure_ascii=False).encode("utf-8")
        ).hexdigest()
        issues.append(
            {
                "description": f.message,
                "check_name": f.rule,
                "fingerprint": digest,
                "severity": GITLAB_SEVERITY[f.severity],
                "location": {"path": f.path, "lines": {"begin": max(f.line, 1)}},
            }
        )
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"


REPORTERS: dict[str, Callable[[Sequence[Finding]], str]] = {
    "text": as_text,
    "json": as_json,
    "github": as_github,
    "sarif": as_sarif,
    "gitlab": as_gitlab,
}


def summary_line(findings: Sequence[Finding], files: int) -> str:
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors
    return f"{files} postmortem file(s) checked: {errors} error(s), {warnings} warning(s)"
