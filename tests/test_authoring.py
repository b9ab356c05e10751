"""`postmortems new`: ids, places, prompts, and a draft that lints clean."""

from __future__ import annotations

import datetime as dt
import json
import os
import pty
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import postmortem_text
from mkdocs_postmortems.adapters import cli as cli_module
from mkdocs_postmortems.adapters.cli import cli
from mkdocs_postmortems.check.library import load_library
from mkdocs_postmortems.parse.frontmatter import read_document
from mkdocs_postmortems.settings import Settings
from mkdocs_postmortems.web import authoring

NEW = [
    "new",
    "Support assistant invented a refund policy",
    "--severity",
    "SEV2",
    "--system",
    "support-assistant",
    "--date",
    "2025-03-14",
]


@pytest.fixture
def site(write_site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty library, with the working directory at its mkdocs.yml."""
    root = write_site({})
    monkeypatch.chdir(root)
    return root


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=input)


def created(result: Result) -> Path:
    assert result.exit_code == 0, result.output
    # The path is the last line; prompts, when there are any, come before it.
    path = Path(result.stdout.strip().splitlines()[-1])
    assert path.is_file()
    return path


def front(path: Path) -> dict[str, object]:
    data = read_document(path.read_bytes(), str(path)).data
    assert isinstance(data, dict)
    return data


def test_new_draft_lints_clean_under_strict(site: Path) -> None:
    """The new file passes `lint --strict` in a library of its own."""
    path = created(run(*NEW))
    assert path == Path(
        "docs/postmortems/2025/INC-2025-001-support-assistant-invented-a-refund-policy.md"
    )
    result = run("lint", "--strict")
    assert result.exit_code == 0, result.output
    assert "0 error(s), 0 warning(s)" in result.output


def test_new_draft_front_matter_is_filled_in(site: Path) -> None:
    """Status draft, the id, title, severity, date and systems as asked; no factors yet."""
    data = front(created(run(*NEW, "--system", "billing,support-assistant")))
    assert data == {
        "id": "INC-2025-001",
        "title": "Support assistant invented a refund policy",
        "status": "draft",
        "severity": "SEV2",
        "date": "2025-03-14",
        "summary": authoring.SUMMARY_PLACEHOLDER,
        "systems": ["support-assistant", "billing"],
        "authors": [],
        "factors": [],
    }


def test_new_beside_an_incident_of_the_same_system_lints_clean(
    write_site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new draft (no factors yet) beside an incident of its system lints clean under
    --strict: a shared system alone is no related-incident hint."""
    root = write_site(
        {
            "2024/INC-2024-001-old.md": postmortem_text(
                id="INC-2024-001",
                date="2024-03-01",
                detected=None,
                resolved=None,
                systems="[support-assistant]",
            )
        }
    )
    monkeypatch.chdir(root)
    path = created(run(*NEW))
    assert run("lint", "--strict", "--no-hints").exit_code == 0
    result = run("lint", "--strict", "--format", "json", str(path))
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []


def test_body_has_the_required_sections_with_prompts(site: Path) -> None:
    """Each required section opens with a prompt; factors are asked for on every layer."""
    text = created(run(*NEW)).read_text(encoding="utf-8")
    for section in Settings().required_sections:
        assert f"\n## {section}\n\n*" in text
    assert "what happened, not who did it" in text
    assert (
        "Model (`model`), Data (`data`), Human in the loop (`human-in-the-loop`), "
        "Process (`process`)" in text
    )
    assert '"be more careful"' in text


def test_custom_required_sections_are_written(
    write_site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A team's own required sections appear, with a generic prompt, and lint clean."""
    root = write_site({}, plugin_options="required_sections: [Summary, Follow-up]")
    monkeypatch.chdir(root)
    text = created(run(*NEW)).read_text(encoding="utf-8")
    assert "\n## Summary\n\n*Write about the system" in text and "\n## Follow-up\n" in text
    assert run("lint", "--strict").exit_code == 0


@pytest.mark.parametrize(
    "title",
    [
        'He said "no": #1 \u2013 ü 🚀 \\ --- yes',
        "  spaced\tout\nover lines  ",
        "- [x] 2025: {a: b}",
    ],
)
def test_hostile_titles_round_trip(site: Path, title: str) -> None:
    """Quotes, colons, backslashes and line breaks in a title read back as one line."""
    path = created(
        run("new", "--severity", "SEV4", "--system", "bot", "--date", "2025-01-02", "--", title)
    )
    assert front(path)["title"] == " ".join(title.split())
    assert run("lint", "--strict", str(path)).exit_code == 0


def test_ids_continue_after_the_highest_number_and_keep_gaps(
    write_site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With 001 and 003 taken the next is 004; other years and prefixes do not count."""
    root = write_site(
        {
            "INC-2025-001.md": postmortem_text(id="INC-2025-001", date="2025-01-05"),
            "INC-2025-003-x.md": postmortem_text(id="INC-2025-003", date="2025-01-05"),
            "INC-2024-009.md": postmortem_text(
                id="INC-2024-009", date="2024-01-05", detected=None, resolved=None
            ),
            "AI-2025-020.md": postmortem_text(id="AI-2025-020", date="2025-01-05"),
        }
    )
    monkeypatch.chdir(root)
    assert created(run(*NEW)).name.startswith("INC-2025-004-")
    assert created(run(*NEW[:-1], "2024-06-01")).name.startswith("INC-2024-010-")
    assert created(run(*NEW[:-1], "2026-06-01")).name.startswith("INC-2026-001-")


def test_a_broken_file_still_holds_its_number(
    write_site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An id taken by a file whose front matter does not parse is not handed out again."""
    root = write_site({"INC-2025-007-broken.md": "---\nid: [unclosed\n---\n"})
    monkeypatch.chdir(root)
    assert created(run(*NEW)).name.startswith("INC-2025-008-")


def test_the_most_common_prefix_is_kept(
    write_site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A library of AI- ids gets an AI- id, at that prefix's next number."""
    root = write_site(
        {
            f"AI-2025-00{n}.md": postmortem_text(id=f"AI-2025-00{n}", date="2025-01-05")
            for n in (1, 2)
        }
        | {"INC-2025-005.md": postmortem_text(id="INC-2025-005", date="2025-01-05")}
    )
    monkeypatch.chdir(root)
    assert created(run(*NEW)).name.startswith("AI-2025-003-")


def test_the_id_prefix_option_wins_and_is_checked(
    write_site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`id_prefix` chooses the prefix; a malformed one is a usage error."""
    root = write_site(
        {"INC-2025-005.md": postmortem_text(id="INC-2025-005", date="2025-01-05")},
        plugin_options="id_prefix: MLX",
    )
    monkeypatch.chdir(root)
    assert created(run(*NEW)).name.startswith("MLX-2025-001-")
    for bad in ("ml-", "42"):
        write_site({}, plugin_options=f"id_prefix: {bad}")
        result = run(*NEW)
        assert result.exit_code == 2 and f"id_prefix '{bad}'" in result.output


def test_year_folders_are_followed(
    write_site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A library kept in year folders gets the new file in the incident year's folder."""
    root = write_site(
        {
            "index.md": "# Library\n",
            "pm/2024/INC-2024-001.md": postmortem_text(
                id="INC-2024-001", date="2024-01-05", detected=None, resolved=None
            ),
            "pm/2023/INC-2023-001.md": postmortem_text(
                id="INC-2023-001", date="2023-01-05", detected=None, resolved=None
            ),
        }
    )
    monkeypatch.chdir(root)
    assert created(run(*NEW)).parent == Path("docs/pm/2025")


def test_a_flat_sub_folder_is_followed(
    write_site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A library kept in one folder without years gets the new file there."""
    root = write_site(
        {
            "incidents/INC-2024-001.md": postmortem_text(
                id="INC-2024-001", date="2024-01-05", detected=None, resolved=None
            )
        }
    )
    monkeypatch.chdir(root)
    assert created(run(*NEW)).parent == Path("docs/incidents")


def test_folder_option_writes_there_inside_docs_dir_only(
    write_site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--folder` puts the draft in the folder named, made if missing, when the
    build reads it; a folder outside docs_dir is a usage error, and nothing
    is written."""
    root = write_site({"pm/INC-2024-001.md": postmortem_text(id="INC-2024-001")})
    monkeypatch.chdir(root)
    assert created(run(*NEW, "--folder", "docs/other/2025")).parent == Path("docs/other/2025")
    (root / "drafts").mkdir()
    for outside in ("drafts", "docs/../drafts", str(root / "drafts")):
        result = run(*NEW, "--folder", outside)
        assert result.exit_code == 2, result.output
        assert "drafts is not in a docs folder the build reads (docs)" in result.output
    assert list((root / "drafts").iterdir()) == []


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        (
            "Support assistant invented a refund policy",
            "support-assistant-invented-a-refund-policy",
        ),
        ("Ünïcödé \u2013 “quotes” & emoji 🚀!", "unicode-quotes-emoji"),
        ("🚀🚀", "incident"),
        ("word " * 30, "-".join(["word"] * 12)),
        ("x" * 80, "x" * 60),
    ],
)
def test_slugs_are_ascii_lowercase_and_short(title: str, slug: str) -> None:
    """File-name slugs are ASCII, lowercase, hyphenated and cut at a word, 60 chars at most."""
    assert authoring.slugify(title) == slug
    assert len(authoring.slugify(title)) <= authoring.MAX_SLUG


def test_never_overwrites_a_file(tmp_path: Path) -> None:
    """Writing to an existing path fails and leaves the file as it was."""
    plan = authoring.Plan("INC-2025-001", tmp_path / "a" / "INC-2025-001-x.md", "new text")
    authoring.write(plan)
    plan.path.write_text("an author's work", encoding="utf-8")
    with pytest.raises(authoring.AlreadyExists):
        authoring.write(plan)
    assert plan.path.read_text(encoding="utf-8") == "an author's work"


def test_cli_exits_1_when_the_file_appeared_meanwhile(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file created between planning and writing (say, by a teammate) is kept; exit 1."""
    first = created(run(*NEW))
    first.write_text("a teammate's draft", encoding="utf-8")
    monkeypatch.setattr(authoring, "known_ids", lambda library: [])
    result = run(*NEW)
    assert result.exit_code == 1
    assert "already exists; nothing was written" in result.output
    assert first.read_text(encoding="utf-8") == "a teammate's draft"


@pytest.mark.parametrize(
    ("args", "missing"),
    [
        (["new", "--severity", "SEV2", "--system", "bot"], "TITLE"),
        (["new", "A title", "--system", "bot"], "--severity"),
        (["new", "A title", "--severity", "SEV2"], "--system"),
    ],
)
def test_without_a_terminal_missing_input_is_a_usage_error(
    site: Path, args: list[str], missing: str
) -> None:
    """No prompts without a tty: a missing value is exit 2 with a clear message."""
    result = run(*args)
    assert result.exit_code == 2
    assert f"missing {missing}" in result.output
    assert not list((site / "docs").iterdir())


def test_date_defaults_to_today(site: Path) -> None:
    """Without --date the incident is dated today, and numbered in this year."""
    path = created(run("new", "A title", "--severity", "SEV3", "--system", "bot"))
    today = dt.date.today()
    assert front(path)["date"] == today.isoformat()
    assert path.name.startswith(f"INC-{today.year}-001-")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--system", "Support Bot"], "like 'support-bot'"),
        (["--severity", "SEV9"], "'SEV9' is not one of"),
        (["--date", "2025-02-30"], "2025-02-30"),
    ],
)
def test_bad_values_are_usage_errors(site: Path, args: list[str], message: str) -> None:
    """Values the draft could not carry are refused before anything is written."""
    base = {"--system": "bot", "--severity": "SEV2", "--date": "2025-03-01"}
    base[args[0]] = args[1]
    result = run("new", "A title", *[x for kv in base.items() for x in kv])
    assert result.exit_code == 2
    assert message in result.output
    assert not list((site / "docs").iterdir())


def test_missing_docs_dir_is_a_usage_error(site: Path) -> None:
    """A mistyped docs_dir is reported, not created."""
    (site / "mkdocs.yml").write_text("site_name: x\ndocs_dir: nowhere\n", encoding="utf-8")
    result = run(*NEW)
    assert result.exit_code == 2 and "nowhere" in result.output


def test_in_a_terminal_it_asks_for_what_is_missing(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Prompts fill the gaps, ask again after a bad answer, and offer today as the date."""
    monkeypatch.setattr(cli_module, "_stdin_is_terminal", lambda: True)
    answers = "Agent deleted a table\nsev0\nsev1\nBad System\nagent, db-tools\n2025-07-18\nn\n"
    result = run("new", input=answers)
    path = created(result)
    assert "Error: system 'Bad System' must be a lowercase slug" in result.output
    assert "Error: severity 'sev0' is not one of SEV1, SEV2, SEV3, SEV4" in result.output
    data = front(path)
    assert (data["title"], data["severity"], data["systems"], data["date"]) == (
        "Agent deleted a table",
        "SEV1",
        ["agent", "db-tools"],
        "2025-07-18",
    )


def test_a_real_terminal_gets_prompts(site: Path) -> None:
    """Run under a pseudo-terminal, the installed command asks for the severity."""
    exe = Path(sys.executable).with_name("postmortems")
    controller, terminal = pty.openpty()
    proc = subprocess.Popen(
        [str(exe), "new", "Prompted in a tty", "--system", "bot", "--date", "2025-05-05"],
        stdin=terminal,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    os.close(terminal)
    try:
        os.write(controller, b"SEV3\nn\n")
        out, _ = proc.communicate(timeout=60)
    finally:
        os.close(controller)
    assert proc.returncode == 0, out
    assert b"Severity" in out
    (path,) = (site / "docs").rglob("*.md")
    # The answer's line break is echoed to the terminal, not to the piped stdout.
    assert out.decode().endswith(f"told)? [y/N]: {path.relative_to(site)}\n")
    assert front(path)["severity"] == "SEV3"


def test_core_plan_uses_the_library(write_site: Callable[..., Path]) -> None:
    """The core plans id, path and text without click."""
    root = write_site({"INC-2025-001.md": postmortem_text()})
    library = load_library(root / "docs", Settings(), root)
    request = authoring.NewPostmortem("A title", "sev2", ("bot",), dt.date(2025, 4, 1))
    plan = authoring.plan(library, root / "docs", request)
    assert plan.id == "INC-2025-015"
    assert plan.path == root / "docs" / "INC-2025-015-a-title.md"
    assert "severity: SEV2\n" in plan.text
