"""`postmortems lint` as CI runs it: the real console script, its exit codes,
its three output formats, `-f`, `--strict` and PATH arguments."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import EXAMPLES, REPO, postmortem_text, run_cli

TEXT_LINE = re.compile(
    r"^(?P<path>[^:\n]+):(?P<line>[1-9][0-9]*):(?P<column>[1-9][0-9]*): "
    r"(?P<severity>error|warning) (?P<rule>[a-z0-9]+(?:-[a-z0-9]+)*): (?P<message>\S.*)$"
)
GITHUB_LINE = re.compile(
    r"^::(?P<severity>error|warning) file=(?P<file>[^,]+),line=(?P<line>[1-9][0-9]*),"
    r"col=(?P<column>[1-9][0-9]*),title=(?P<rule>[a-z0-9-]+)::(?P<message>\S.*)$"
)
JSON_KEYS = {"path", "line", "column", "severity", "rule", "message"}

# postmortem_text() writes `status:` on line 4 (after `---`, `id:`, `title:`).
STATUS_LINE = 4
DRAFT_WITHOUT_TIMELINE = postmortem_text(status="draft").replace("## Timeline", "## Chronology")

Site = Callable[..., Path]


def parse_text(stdout: str) -> list[dict[str, str]]:
    """Every stdout line as a finding; fails on any line not in the format."""
    found = []
    for line in stdout.splitlines():
        m = TEXT_LINE.match(line)
        assert m, f"not `path:line:column: severity rule: message`: {line!r}"
        found.append(m.groupdict())
    return found


def test_repository_library_lints_clean() -> None:
    """The repository's own library (mkdocs.yml + postmortems/) passes `postmortems lint`."""
    proc = run_cli("lint", cwd=REPO)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert not [f for f in parse_text(proc.stdout) if f["severity"] == "error"]


def test_clean_library_exits_0_and_prints_no_findings(write_site: Site) -> None:
    """A library without findings exits 0 with nothing on stdout and a summary on stderr."""
    site = write_site({"INC-2025-014.md": postmortem_text(), "index.md": "# Incidents\n"})
    proc = run_cli("lint", cwd=site)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == ""
    assert "1 postmortem file(s) checked: 0 error(s), 0 warning(s)" in proc.stderr


def test_errors_exit_1(write_site: Site) -> None:
    """One error anywhere in the library makes lint exit 1."""
    site = write_site(
        {
            "INC-2025-014.md": postmortem_text(),
            "2024/INC-2024-001.md": "---\nid: INC-2024-001\n---\n",
        }
    )
    proc = run_cli("lint", cwd=site)
    assert proc.returncode == 1
    assert {f["path"] for f in parse_text(proc.stdout)} == {"docs/2024/INC-2024-001.md"}


USAGE_ERRORS: dict[str, tuple[list[str], str | None]] = {
    "unknown option": (["lint", "--no-such-option"], None),
    "unknown format": (["lint", "--format", "xml"], None),
    "unknown command": (["linty"], None),
    "missing path": (["lint", "docs/INC-2099-001.md"], None),
    "missing -f file": (["lint", "-f", "nowhere/mkdocs.yml"], None),
    "-f names a folder": (["lint", "-f", "docs"], None),
    "-f not UTF-8": (["lint", "-f", "latin1.yml"], "site_name: Caf\xe9\n"),
    "-f not YAML": (["lint", "-f", "broken.yml"], "site_name: [unclosed\n"),
    "-f not a mapping": (["lint", "-f", "list.yml"], "- site_name\n"),
    "plugins not a list": (["lint", "-f", "odd.yml"], "site_name: x\nplugins: 5\n"),
    "taxonomy not a path": (
        ["lint", "-f", "odd.yml"],
        "site_name: x\nplugins:\n  - postmortems:\n      taxonomy: 5\n",
    ),
    "required_sections not a list": (
        ["lint", "-f", "odd.yml"],
        "site_name: x\nplugins:\n  - postmortems:\n      required_sections: Impact\n",
    ),
    "docs_dir missing": (["lint", "-f", "odd.yml"], "site_name: x\ndocs_dir: no-such-folder\n"),
}


@pytest.mark.parametrize("case", sorted(USAGE_ERRORS))
def test_usage_errors_exit_2(case: str, tmp_path: Path) -> None:
    """Unknown options, bad --format, unreadable or unusable -f files: exit 2, no traceback."""
    args, config_text = USAGE_ERRORS[case]
    (tmp_path / "docs").mkdir()
    if config_text is not None:
        (tmp_path / args[-1]).write_bytes(config_text.encode("latin-1"))
    proc = run_cli(*args, cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stdout == ""
    assert "Error" in proc.stderr


def test_no_mkdocs_yml_and_no_paths_is_a_usage_error(tmp_path: Path) -> None:
    """Without ./mkdocs.yml there is nothing to lint unless PATHs are given: exit 2."""
    proc = run_cli("lint", cwd=tmp_path)
    assert proc.returncode == 2
    assert "mkdocs.yml" in proc.stderr


def test_text_format_is_path_line_column_severity_rule_message(write_site: Site) -> None:
    """`--format text` prints `path:line:column: error rule-id: message`, one finding a line."""
    site = write_site({"INC-2025-014.md": postmortem_text(status="Final")})
    proc = run_cli("lint", "--format", "text", cwd=site)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"docs/INC-2025-014.md:{STATUS_LINE}:9: error invalid-value: ")
    assert "'Final'" in lines[0]
    assert parse_text(proc.stdout)[0]["rule"] == "invalid-value"


def test_text_format_is_the_default_and_reports_warnings(write_site: Site) -> None:
    """Without --format the text format is used; warnings say `warning` and still exit 0."""
    site = write_site({"INC-2025-014.md": DRAFT_WITHOUT_TIMELINE})
    proc = run_cli("lint", cwd=site)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    found = [f for f in parse_text(proc.stdout) if f["rule"] == "missing-section"]
    assert [(f["path"], f["severity"]) for f in found] == [("docs/INC-2025-014.md", "warning")]


def test_json_format_is_a_list_of_findings_with_exactly_six_keys(write_site: Site) -> None:
    """`--format json` is a list of objects keyed path, line, column, severity, rule, message."""
    site = write_site(
        {
            "INC-2025-014.md": postmortem_text(status="Final", severity="SEV9"),
            "INC-2025-015.md": DRAFT_WITHOUT_TIMELINE.replace("INC-2025-014", "INC-2025-015"),
        }
    )
    proc = run_cli("lint", "--format", "json", cwd=site)
    assert proc.returncode == 1
    findings = json.loads(proc.stdout)
    assert isinstance(findings, list) and findings
    for f in findings:
        assert set(f) == JSON_KEYS
        assert isinstance(f["line"], int) and f["line"] >= 1
        assert isinstance(f["column"], int) and f["column"] >= 1
        assert f["severity"] in ("error", "warning")
        assert all(isinstance(f[k], str) for k in ("path", "rule", "message"))
    got = {(f["path"], f["line"], f["severity"], f["rule"]) for f in findings}
    assert ("docs/INC-2025-014.md", STATUS_LINE, "error", "invalid-value") in got
    assert ("docs/INC-2025-014.md", STATUS_LINE + 1, "error", "invalid-value") in got
    assert any(p == "docs/INC-2025-015.md" and s == "warning" for p, _, s, _ in got)
    assert "checked" not in proc.stdout, "the summary must not corrupt the JSON"


def test_json_format_of_a_clean_library_is_an_empty_list(write_site: Site) -> None:
    """A clean library in JSON is `[]`, exit 0."""
    site = write_site({"INC-2025-014.md": postmortem_text()})
    proc = run_cli("lint", "--format", "json", cwd=site)
    assert proc.returncode == 0
    assert json.loads(proc.stdout) == []


def test_github_format_is_workflow_commands(write_site: Site) -> None:
    """`--format github` prints `::error file=...,line=...::message` lines (::warning too)."""
    site = write_site(
        {
            "INC-2025-014.md": postmortem_text(status="Final"),
            "INC-2025-015.md": DRAFT_WITHOUT_TIMELINE.replace("INC-2025-014", "INC-2025-015"),
        }
    )
    proc = run_cli("lint", "--format", "github", cwd=site)
    assert proc.returncode == 1
    commands = []
    for line in proc.stdout.splitlines():
        m = GITHUB_LINE.match(line)
        assert m, f"not a workflow command: {line!r}"
        commands.append(m.groupdict())
    assert {
        "severity": "error",
        "file": "docs/INC-2025-014.md",
        "line": str(STATUS_LINE),
        "column": "9",
        "rule": "invalid-value",
    }.items() <= next(c for c in commands if c["rule"] == "invalid-value").items()
    assert any(c["severity"] == "warning" and c["rule"] == "missing-section" for c in commands)


def test_strict_turns_warnings_into_exit_1(write_site: Site) -> None:
    """Warnings alone exit 0; with --strict they exit 1."""
    site = write_site({"INC-2025-014.md": DRAFT_WITHOUT_TIMELINE})
    assert run_cli("lint", cwd=site).returncode == 0
    proc = run_cli("lint", "--strict", cwd=site)
    assert proc.returncode == 1
    assert any(f["severity"] == "warning" for f in parse_text(proc.stdout))


def test_strict_on_a_clean_library_still_exits_0(write_site: Site) -> None:
    """--strict fails on warnings, not on a clean library."""
    site = write_site({"INC-2025-014.md": postmortem_text()})
    assert run_cli("lint", "--strict", cwd=site).returncode == 0


def _other_site(tmp_path: Path, sections: str) -> Path:
    site = tmp_path / "site"
    (site / "library" / "2025").mkdir(parents=True)
    (site / "vocabulary").mkdir()
    shutil.copy(EXAMPLES / "taxonomy.yml", site / "vocabulary" / "taxonomy.yml")
    (site / "mkdocs.yml").write_text(
        "site_name: Elsewhere\ndocs_dir: library\nplugins:\n  - search\n  - postmortems:\n"
        f"      taxonomy: vocabulary/taxonomy.yml\n      required_sections: {sections}\n",
        encoding="utf-8",
    )
    return site


def test_config_file_sets_docs_dir_and_required_sections(tmp_path: Path) -> None:
    """`-f` reads docs_dir and the plugin's required_sections from that mkdocs.yml, from any cwd."""
    site = _other_site(tmp_path, "[What happened, Follow-up]")
    text = postmortem_text().replace("## Impact", "## Follow-up")
    (site / "library" / "2025" / "INC-2025-014.md").write_text(text, encoding="utf-8")
    proc = run_cli("lint", "-f", "site/mkdocs.yml", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert json.loads(proc.stdout) == []

    text = postmortem_text().replace("## What happened", "## Overview")
    (site / "library" / "2025" / "INC-2025-014.md").write_text(text, encoding="utf-8")
    proc = run_cli("lint", "-f", "site/mkdocs.yml", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 1
    [finding] = json.loads(proc.stdout)
    assert finding["path"] == "site/library/2025/INC-2025-014.md"
    assert finding["rule"] == "missing-section"
    assert "What happened" in finding["message"] and "Follow-up" in finding["message"]


def test_config_file_taxonomy_is_relative_to_that_file(tmp_path: Path) -> None:
    """`taxonomy:` in the -f file is relative to it: a category only the default has is unknown."""
    site = _other_site(tmp_path, "[]")
    text = postmortem_text(
        factors="\n  - layer: model\n    category: unsafe-output\n    summary: It wrote abuse."
    )
    (site / "library" / "INC-2025-014.md").write_text(text, encoding="utf-8")
    proc = run_cli("lint", "-f", site / "mkdocs.yml", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 1
    rules = [(f["rule"], f["line"]) for f in json.loads(proc.stdout)]
    assert rules == [("unknown-category", 13)]


def test_paths_limit_what_is_reported(write_site: Site) -> None:
    """PATH arguments report only those files, while library rules still see every file."""
    site = write_site(
        {
            "INC-2025-014.md": postmortem_text(status="Final", related="[INC-2025-015]"),
            "INC-2025-015.md": postmortem_text(id="INC-2025-015", severity="SEV9"),
        }
    )
    proc = run_cli("lint", "--format", "json", "docs/INC-2025-014.md", cwd=site)
    assert proc.returncode == 1
    got = [(f["path"], f["rule"]) for f in json.loads(proc.stdout)]
    assert got == [("docs/INC-2025-014.md", "invalid-value")]

    (site / "docs" / "INC-2025-016.md").write_text(
        postmortem_text(id="INC-2025-016"), encoding="utf-8"
    )
    proc = run_cli("lint", "docs/INC-2025-016.md", cwd=site)
    assert proc.returncode == 0, "errors in files not named must not fail the run"
    assert proc.stdout == ""


def test_a_folder_path_reports_the_files_inside_it(write_site: Site) -> None:
    """A folder PATH lints the Markdown files under it and only those."""
    site = write_site(
        {
            "2024/INC-2024-001.md": postmortem_text(id="INC-2024-001", status="Final"),
            "2025/INC-2025-014.md": postmortem_text(status="Final"),
        }
    )
    proc = run_cli("lint", "--format", "json", "docs/2024", cwd=site)
    assert proc.returncode == 1
    assert {f["path"] for f in json.loads(proc.stdout)} == {"docs/2024/INC-2024-001.md"}


def test_paths_work_without_mkdocs_yml(tmp_path: Path) -> None:
    """With PATHs and no mkdocs.yml, lint checks the files with the default settings."""
    (tmp_path / "INC-2025-014.md").write_text(postmortem_text(), encoding="utf-8")
    (tmp_path / "INC-2025-015.md").write_text(
        postmortem_text(id="INC-2025-015", date="2025-02-30"), encoding="utf-8"
    )
    assert run_cli("lint", "INC-2025-014.md", cwd=tmp_path).returncode == 0
    proc = run_cli("lint", "--format", "json", "INC-2025-015.md", cwd=tmp_path)
    assert proc.returncode == 1
    assert [(f["rule"], f["line"]) for f in json.loads(proc.stdout)] == [("invalid-date", 6)]


def test_one_file_named_two_ways_is_read_once(write_site: Site) -> None:
    """An absolute PATH to a file in docs_dir is that file, not a duplicate id."""
    site = write_site({"INC-2025-014.md": postmortem_text()})
    target = site / "docs" / "INC-2025-014.md"
    proc = run_cli("lint", target, "docs/../docs/INC-2025-014.md", "docs", cwd=site)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == ""


def test_text_output_keeps_one_finding_per_line_whatever_the_yaml_says(write_site: Site) -> None:
    """A newline or escape code written in a YAML value cannot split or style a text finding."""
    site = write_site(
        {"INC-2025-014.md": postmortem_text(**{'"sum\\nmary\\e[2J"': "x"}, status='"Fi\\nal"')}
    )
    proc = run_cli("lint", cwd=site)
    assert proc.returncode == 1
    found = parse_text(proc.stdout)
    assert sorted((f["rule"], int(f["line"])) for f in found) == [
        ("invalid-value", STATUS_LINE),
        ("unknown-key", 15),
    ]
    assert "\x1b" not in proc.stdout
    github = run_cli("lint", "--format", "github", cwd=site).stdout
    assert len(github.splitlines()) == 2 and "\x1b" not in github


def test_version_option_exits_0() -> None:
    """`postmortems --version` names the package and exits 0."""
    proc = run_cli("--version", cwd=REPO)
    assert proc.returncode == 0
    assert "version" in proc.stdout.lower()
