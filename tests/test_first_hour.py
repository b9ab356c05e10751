"""What a new adopter meets first: where `new` writes, what a missing
docs_dir says, the stubs of the scaffold, workflows that run in a docs-only
repository, and a command reference that documents every command and option."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner, Result
from conftest import REPO
from mkdocs_postmortems.adapters.cli import cli
from mkdocs_postmortems.parse.frontmatter import read_document
from mkdocs_postmortems.web import authoring
from test_repo_files import DOCS, WORKFLOWS, doc_block, install_requirement, load

NEW = ["new", "A bot said a thing", "--severity", "SEV3", "--system", "bot", "--no-reporting"]
NEW_2025 = [*NEW, "--date", "2025-06-01"]


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def site(write_site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty library, with the working directory at its mkdocs.yml."""
    root = write_site({})
    monkeypatch.chdir(root)
    return root


def created(result: Result) -> Path:
    assert result.exit_code == 0, result.output
    path = Path(result.stdout.strip().splitlines()[-1])
    assert path.is_file()
    return path


# --- where `new` writes ----------------------------------------------------------


def test_first_postmortem_goes_to_a_postmortems_year_folder(site: Path) -> None:
    """In a library without postmortems, `new` writes docs/postmortems/<year>/ (the README)."""
    path = created(run(*NEW_2025))
    assert path == Path("docs/postmortems/2025/INC-2025-001-a-bot-said-a-thing.md")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "`docs/postmortems/<year>/`" in readme


def test_second_postmortem_follows_the_first(site: Path) -> None:
    """The next one goes beside the library's postmortems, in its own year's folder."""
    created(run(*NEW_2025))
    path = created(run(*NEW, "--date", "2026-02-01"))
    assert path == Path("docs/postmortems/2026/INC-2026-001-a-bot-said-a-thing.md")


def test_a_docs_dir_named_postmortems_gets_year_folders(site: Path) -> None:
    """Where docs_dir is itself `postmortems/` (as in this repository), no second one is made."""
    (site / "postmortems").mkdir()
    (site / "mkdocs.yml").write_text("site_name: x\ndocs_dir: postmortems\n", encoding="utf-8")
    path = created(run(*NEW_2025))
    assert path == Path("postmortems/2025/INC-2025-001-a-bot-said-a-thing.md")


# --- a docs_dir that is not there -------------------------------------------------


@pytest.mark.parametrize("command", [NEW, ["lint"], ["export"], ["reporting"]])
def test_missing_docs_dir_says_what_to_do(site: Path, command: list[str]) -> None:
    """Without docs/, each command says in one line to create it, not MkDocs' config error."""
    (site / "docs").rmdir()
    result = run(*command)
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert errors == [
        "Error: mkdocs.yml: its docs_dir docs does not exist: create it (mkdir -p docs), "
        "or set docs_dir to the folder of your pages"
    ]
    assert "Config value" not in result.output
    assert not (site / "docs").exists()


# --- the scaffold's stubs ---------------------------------------------------------


def _uncomment(text: str, key: str) -> str:
    """The scaffold with the commented block of `key` written out."""
    lines = text.split("\n")
    start = lines.index(f"# {key}:")
    end = start + 1
    while lines[end].startswith("#   "):
        end += 1
    lines[start:end] = [line[2:] for line in lines[start:end]]
    return "\n".join(lines)


def test_scaffold_has_harm_and_action_item_stubs_that_lint_clean(site: Path) -> None:
    """The draft carries commented `harm` and `action_items` stubs; uncommented they
    are valid front matter (lint --strict passes), so the legal-review path is written out."""
    path = created(run(*NEW_2025, "--layer", "data"))
    text = path.read_text(encoding="utf-8")
    assert "# needs legal_review: approved before status: final." in text
    path.write_text(_uncomment(_uncomment(text, "harm"), "action_items"), encoding="utf-8")
    data = read_document(path.read_bytes(), str(path)).data
    assert isinstance(data, dict)
    assert data["harm"] == {
        "types": ["financial"],
        "affected": authoring.HARM_AFFECTED,
        "legal_review": "pending",
    }
    assert data["action_items"] == [
        {
            "title": authoring.ACTION_TITLE,
            "layer": "data",
            "type": "prevent",
            "owner": authoring.ACTION_OWNER,
            "due": "2025-07-01",
            "status": "open",
        }
    ]
    result = run("lint", "--strict")
    assert result.exit_code == 0, result.output


# --- workflows in a repository of docs alone ----------------------------------------


def test_copied_workflows_need_no_python_project_files() -> None:
    """No workflow asks setup-python for a pip cache: its key needs a requirements.txt
    or pyproject.toml, which a docs-only repository does not have, and the job stops."""
    flows = sorted(WORKFLOWS.glob("postmortems-*.yml"))
    assert len(flows) == 3
    for flow in flows:
        steps = [s for job in load(flow)["jobs"].values() for s in job.get("steps", [])]
        setups = [s for s in steps if s.get("uses", "").startswith("actions/setup-python@")]
        assert setups, flow.name
        for step in setups:
            assert "cache" not in step.get("with", {}), flow.name
            assert "cache-dependency-path" not in step.get("with", {}), flow.name


# --- the docs and the CLI agree ------------------------------------------------------


def _commands(group: click.Group, prefix: str) -> Iterator[tuple[str, click.Command]]:
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        yield f"{prefix} {name}", command
        if isinstance(command, click.Group):
            yield from _commands(command, f"{prefix} {name}")


def _reference_section(reference: str, command: str) -> str:
    """The `### `postmortems CMD ...`` section of the command reference."""
    found = re.search(rf"^### `{re.escape(command)}\b[^\n]*\n(.*?)(?=^##)", reference, re.M | re.S)
    assert found, f"the command reference has no section for `{command}`"
    return found.group(1)


def test_every_cli_command_and_option_is_documented_in_the_reference() -> None:
    """Walking the click tree: each command has a section of the command reference
    (docs/cli.md) naming each of its options (every spelling) and the choices they take."""
    reference = (DOCS / "cli.md").read_text(encoding="utf-8")
    for opt in (p for p in cli.params if isinstance(p, click.Option)):
        for spelling in opt.opts:
            assert f"`{spelling}`" in reference or f"`postmortems {spelling}`" in reference
    commands = list(_commands(cli, "postmortems"))
    assert {name for name, _ in commands} >= {
        "postmortems lint",
        "postmortems new",
        "postmortems export",
        "postmortems reporting",
        "postmortems audit",
    }
    for name, command in commands:
        section = _reference_section(reference, name)
        for param in command.params:
            if isinstance(param, click.Argument):
                heading = reference[reference.index(f"### `{name}") :].split("\n", 1)[0]
                assert (param.metavar or param.name or "").upper() in heading, (name, param.name)
                continue
            for spelling in [*param.opts, *param.secondary_opts]:
                assert f"`{spelling}" in section, f"{name}: {spelling} is not documented"
            if isinstance(param.type, click.Choice):
                choices = "|".join(str(c) for c in param.type.choices)
                assert all(str(c) in section for c in param.type.choices), (name, choices)


def test_ci_recipes_show_the_pre_commit_config() -> None:
    """The CI recipes carry the `.pre-commit-config.yaml` snippet for the offered hook,
    from the repository and tag the install instructions name."""
    config = yaml.safe_load(doc_block("yaml", "id: postmortems-lint", DOCS / "ci.md"))
    (offered,) = load(REPO / ".pre-commit-hooks.yaml")
    [entry] = config["repos"]
    repo_url, _, tag = install_requirement().split("git+", 1)[1].rpartition("@")
    assert (entry["repo"], entry["rev"]) == (repo_url, tag)
    assert entry["hooks"] == [{"id": offered["id"]}]
