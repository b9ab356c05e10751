"""What lint says about the format's additions beyond the example files: a
draft made by the real `postmortems new` and marked final without rewriting
its prompts, month-only dates, and the build agreeing with lint."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import postmortem_text, run_cli
from mkdocs_postmortems.adapters.cli import cli
from mkdocs_postmortems.check.scaffold import _kept, openings
from mkdocs_postmortems.dates import days_between, is_before, parse_date
from mkdocs_postmortems.model import Month
from mkdocs_postmortems.web import authoring
from sitekit import run_mkdocs

FINAL_FRONT = (
    "status: final\n"
    "factors:\n"
    "  - layer: model\n"
    "    category: hallucination\n"
    "    summary: The model stated a policy no document contains.\n"
    "ruled_out:\n"
    "  - {layer: data, reason: The index held the current policy.}\n"
    "  - {layer: human-in-the-loop, reason: No person reviewed answers by design.}\n"
    "  - {layer: process, reason: The release followed the evaluation process.}\n"
)


@pytest.fixture
def scaffolded(write_site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    """A draft written by `postmortems new`, then made final with real factors
    but with every prompt of the scaffold left in place."""
    root = write_site({})
    monkeypatch.chdir(root)
    result = CliRunner().invoke(
        cli,
        [
            *("new", "Assistant invented a policy", "--severity", "SEV3", "--system", "bot"),
            *("--date", "2025-03-14", "--no-reporting"),
        ],
    )
    assert result.exit_code == 0, result.output
    path = Path(result.stdout.strip().splitlines()[-1])
    text = path.read_text(encoding="utf-8")
    text = text.replace("status: draft\n", "", 1).replace("factors: []\n", FINAL_FRONT, 1)
    path.write_text(text, encoding="utf-8")
    return path


def site_root(path: Path) -> Path:
    """The folder of the mkdocs.yml above a postmortem."""
    return next(p for p in path.parents if (p / "mkdocs.yml").is_file())


def test_final_postmortem_keeping_the_scaffold_is_an_error_at_each_prompt(
    scaffolded: Path,
) -> None:
    """Every prompt `postmortems new` wrote is an error once the postmortem is
    final, each at its own line: the summary's and each section's."""
    lines = scaffolded.read_text(encoding="utf-8").splitlines()
    proc = run_cli("lint", "--format", "json", cwd=site_root(scaffolded))
    assert proc.returncode == 1, proc.stdout
    found = [f for f in json.loads(proc.stdout) if f["rule"] == "scaffold-text"]
    # A folded summary (`summary: >-`) is pointed at by its key's line.
    summary_line = next(i for i, line in enumerate(lines, 1) if line.startswith("summary:"))
    prompt_lines = [
        i
        for i, line in enumerate(lines, 1)
        if any(p.split("{layers}")[0][:30] in line for p in authoring.SECTION_PROMPTS.values())
    ]
    assert len(prompt_lines) == len(authoring.SECTION_PROMPTS)
    assert sorted(f["line"] for f in found) == [summary_line, *prompt_lines]
    assert all(f["severity"] == "error" for f in found)
    assert "summary still holds the prompt of 'postmortems new'" in found[0]["message"]


def test_the_draft_itself_keeps_its_prompts_quietly(
    write_site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the postmortem is a draft its prompts are what it should hold."""
    root = write_site({})
    monkeypatch.chdir(root)
    result = CliRunner().invoke(
        cli, ["new", "A draft", "--severity", "SEV3", "--system", "bot", "--no-reporting"]
    )
    assert result.exit_code == 0, result.output
    proc = run_cli("lint", "--format", "json", cwd=root)
    assert [f for f in json.loads(proc.stdout) if f["rule"] == "scaffold-text"] == []


def test_build_fails_on_scaffold_text_as_lint_does(scaffolded: Path) -> None:
    """The build reports the same scaffold-text errors and fails."""
    result = run_mkdocs(site_root(scaffolded))
    assert result.returncode != 0
    logged = re.findall(r"error scaffold-text", result.stdout + result.stderr)
    assert len(logged) == 1 + len(authoring.SECTION_PROMPTS)


def test_month_dates_parse_order_and_give_no_duration() -> None:
    """A month is its first day for ordering, writes itself as the month, and
    no duration is taken from it."""
    april = parse_date("2023-04")
    assert isinstance(april, Month) and april == dt.date(2023, 4, 1)
    assert april.isoformat() == "2023-04" and april.spelled() == "April 2023"
    assert is_before(april, parse_date("2023-04-10"))
    assert not is_before(parse_date("2023-04-10"), april)
    assert days_between(april, parse_date("2023-04-10")) is None
    assert days_between(parse_date("2023-04-01"), parse_date("2023-04-10")) == 9
    with pytest.raises(ValueError):
        parse_date("2023-13")


@pytest.mark.parametrize(
    ("fields", "rule", "line_of"),
    [
        ({"date": "2023-13"}, "invalid-date", "date:"),
        ({"date": "2023-4"}, "invalid-format", "date:"),
        ({"date": "2025-03", "detected": "2025-02"}, "date-order", "detected:"),
        ({"contained": "2025-03-17", "resolved": "2025-03-16"}, "date-order", "resolved:"),
        ({"contained": "2025-03-13"}, "date-order", "contained:"),
    ],
)
def test_bad_month_and_containment_dates_are_findings(
    write_site: Callable[..., Path], fields: dict[str, str], rule: str, line_of: str
) -> None:
    """Impossible months, months written short, and containment out of order
    are findings at the line of the value, never a traceback."""
    text = postmortem_text(**fields)
    root = write_site({"INC-2025-014.md": text})
    proc = run_cli("lint", "--format", "json", cwd=root)
    found = [(f["rule"], f["line"]) for f in json.loads(proc.stdout)]
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if ln.startswith(line_of))
    assert (rule, line) in found, proc.stdout
    assert proc.returncode == 1


def test_case_study_without_sources_says_what_it_needs(write_site: Callable[..., Path]) -> None:
    """An external case study without sources is told what sources are for."""
    root = write_site({"INC-2025-014.md": postmortem_text(origin="external")})
    proc = run_cli("lint", cwd=root)
    assert proc.returncode == 1
    assert (
        "error required: an external case study (origin: external) needs 'sources': list the "
        "public sources it is written from, each with title and url"
    ) in proc.stdout


def test_uncommented_stub_placeholders_are_scaffold_text(write_site: Callable[..., Path]) -> None:
    """The placeholders of the commented `harm` and `action_items` stubs, once
    uncommented as written, are scaffold text in a final postmortem too."""
    items = (
        f"\n  - title: {authoring.ACTION_TITLE}\n    layer: model\n    type: prevent"
        "\n    owner: owning-team\n    due: 2025-05-01\n    status: open"
    )
    text = postmortem_text(
        harm=f"\n  types: [misinformation]\n  affected: {authoring.HARM_AFFECTED}",
        action_items=items,
    )
    root = write_site({"INC-2025-014.md": text})
    proc = run_cli("lint", "--format", "json", cwd=root)
    found = sorted(f["line"] for f in json.loads(proc.stdout) if f["rule"] == "scaffold-text")
    lines = text.splitlines()
    assert found == [
        next(i for i, ln in enumerate(lines, 1) if authoring.HARM_AFFECTED in ln),
        next(i for i, ln in enumerate(lines, 1) if authoring.ACTION_TITLE in ln),
    ]
    assert proc.returncode == 1


@pytest.mark.parametrize("between", [" ", "  ", "\t", "\n", "\u00a0", " \u2003\n\t"])
def test_a_prompt_is_known_however_its_words_are_spaced(between: str) -> None:
    """Any whitespace between a prompt's words (a reflowed YAML value, an
    editor's no-break space) hides no prompt; its words alone are no prompt."""
    for opening in openings():
        words = opening.split(" ")
        assert _kept(f"Kept: {between.join(words)}, as written.") == opening
        assert _kept(" ".join(words[:-1])) is None
