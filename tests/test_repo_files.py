"""The pre-commit hook and CI workflows: valid YAML naming commands that exist,
and lint behaving as a pre-commit hook expects."""

from __future__ import annotations

import ast
import re
import shlex
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from click.testing import CliRunner
from conftest import REPO, postmortem_text
from mkdocs.__main__ import cli as mkdocs_cli
from mkdocs_postmortems.adapters.cli import cli
from packaging.requirements import Requirement

WORKFLOWS = REPO / ".github" / "workflows"
CLIS: dict[str, click.Group] = {"postmortems": cli, "mkdocs": mkdocs_cli}


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def check_command(line: str) -> list[str]:
    """Parse a `postmortems ...` or `mkdocs ...` command line with the real CLI;
    click raises on an unknown sub-command, option or choice."""
    words = shlex.split(line)
    group = CLIS[words[0]]
    name, command, rest = group.resolve_command(click.Context(group), words[1:])
    assert command is not None, line
    command.make_context(f"{words[0]} {name}", rest)
    return words[:2]


def run_lines(workflow: Any) -> Iterator[str]:
    for job in workflow["jobs"].values():
        for step in job.get("steps", []):
            yield from (line.strip() for line in step.get("run", "").splitlines() if line.strip())


def uses(workflow: Any) -> list[str]:
    return [
        s["uses"].split("@")[0]
        for j in workflow["jobs"].values()
        for s in j.get("steps", [])
        if "uses" in s
    ]


def test_hook_manifest_names_the_lint_command() -> None:
    """.pre-commit-hooks.yaml offers postmortems-lint, running `postmortems lint` on .md files."""
    (hook,) = load(REPO / ".pre-commit-hooks.yaml")
    assert hook["id"] == "postmortems-lint"
    assert hook["entry"] == "postmortems lint"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is True
    assert re.search(hook["files"], "postmortems/2025/INC-2025-001.md")
    assert not re.search(hook["files"], "plugin/cli.py")
    assert check_command(hook["entry"]) == ["postmortems", "lint"]


def test_own_config_uses_the_hook_ruff_and_mypy() -> None:
    """.pre-commit-config.yaml runs the local lint hook, ruff and mypy."""
    config = load(REPO / ".pre-commit-config.yaml")
    repos = {r["repo"]: r for r in config["repos"]}
    (local,) = repos["local"]["hooks"]
    (offered,) = load(REPO / ".pre-commit-hooks.yaml")
    assert {k: local[k] for k in ("id", "entry", "files", "pass_filenames")} == {
        k: offered[k] for k in ("id", "entry", "files", "pass_filenames")
    }
    ruff = repos["https://github.com/astral-sh/ruff-pre-commit"]
    assert {h["id"] for h in ruff["hooks"]} == {"ruff-check", "ruff-format"}
    (mypy,) = repos["https://github.com/pre-commit/mirrors-mypy"]["hooks"]
    assert mypy["id"] == "mypy" and mypy["args"] == []


def shell_command(line: str) -> str:
    """The command of a shell line, without an output redirection or `|| true`."""
    return line.split(" > ")[0].split(" || ")[0]


def test_pull_request_workflow_lints_uploads_sarif_and_builds() -> None:
    """On pull_request: install, lint for GitHub annotations and as SARIF, upload it, build."""
    flow = load(WORKFLOWS / "postmortems-pr.yml")
    # YAML 1.1 reads the key `on` as true.
    assert "pull_request" in flow[True]
    assert uses(flow) == [
        "actions/checkout",
        "actions/setup-python",
        "github/codeql-action/upload-sarif",
    ]
    assert flow["permissions"]["security-events"] == "write"
    steps = next(iter(flow["jobs"].values()))["steps"]
    assert steps[1]["with"]["python-version"] == "3.11"
    lines = list(run_lines(flow))
    assert lines == [
        'pip install "$POSTMORTEMS_PACKAGE"',
        "postmortems lint --format github",
        "postmortems lint --format sarif > postmortems.sarif",
        "mkdocs build --strict",
    ]
    assert [check_command(shell_command(line)) for line in lines[1:]] == [
        ["postmortems", "lint"],
        ["postmortems", "lint"],
        ["mkdocs", "build"],
    ]
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/"))
    assert upload["with"]["sarif_file"] == "postmortems.sarif"


def test_publish_workflow_audits_then_deploys_pages_from_main(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On push to main: build strictly, audit the built folder, upload it, deploy it."""
    flow = load(WORKFLOWS / "postmortems-publish.yml")
    # `audit` checks that its SITE_DIR exists, as it will after the build.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "site").mkdir()
    assert flow[True]["push"]["branches"] == ["main"]
    assert flow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert "actions/upload-pages-artifact" in uses(flow)
    assert "actions/deploy-pages" in uses(flow)
    assert flow["jobs"]["deploy"]["needs"] == "build"
    lines = [line for line in run_lines(flow) if not line.startswith("pip ")]
    assert [check_command(line) for line in lines] == [
        ["postmortems", "lint"],
        ["mkdocs", "build"],
        ["postmortems", "audit"],
    ]
    upload = next(
        s
        for s in flow["jobs"]["build"]["steps"]
        if s.get("uses", "").startswith("actions/upload-pages-artifact")
    )
    assert "--site-dir " + upload["with"]["path"] in lines[1]
    assert lines[2] == "postmortems audit " + upload["with"]["path"]


DOCS = REPO / "docs"


def doc_block(language: str, containing: str, page: Path = REPO / "README.md") -> str:
    """The one fenced block of `language` in `page` (the README unless said)
    that holds `containing`: what a reader would copy."""
    text = page.read_text(encoding="utf-8")
    blocks = re.findall(rf"```{language}\n(.*?)```", text, flags=re.DOTALL)
    [block] = [b for b in blocks if containing in b]
    return block


def test_readme_gitlab_example_reports_code_quality_and_audits_before_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The GitLab example of the CI recipes: lint as a codequality report, audit
    `public` before Pages."""
    ci = yaml.safe_load(doc_block("yaml", "codequality", DOCS / "ci.md"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "public").mkdir()
    job = ci["postmortems"]
    report = job["artifacts"]["reports"]["codequality"]
    assert job["artifacts"]["when"] == "always"
    assert f"postmortems lint --format gitlab > {report} || true" in job["script"]
    pages = ci["pages"]["script"]
    assert [check_command(shell_command(line)) for line in pages] == [
        ["postmortems", "lint"],
        ["mkdocs", "build"],
        ["postmortems", "audit"],
    ]
    assert pages[-1] == "postmortems audit " + ci["pages"]["artifacts"]["paths"][0]
    for line in job["script"]:
        check_command(shell_command(line))
    assert ci["before_script"] == ['pip install "$POSTMORTEMS_PACKAGE"']


INSTALL = re.compile(r'pip install "(mkdocs-postmortems @ git\+https://[^"]+)"')


def install_requirement() -> str:
    """The one `pip install "mkdocs-postmortems @ git+https://..."` the README gives."""
    [spec] = set(INSTALL.findall(doc_block("sh", 'pip install "mkdocs-postmortems @')))
    return spec


def test_install_instructions_agree_everywhere() -> None:
    """README, both workflows, the GitLab example (docs/ci.md) and the pre-commit
    hook install one package from one repository, and never from PyPI by name."""
    spec = install_requirement()
    requirement = Requirement(spec)
    assert requirement.name == "mkdocs-postmortems"
    assert requirement.url is not None and requirement.url.startswith("git+https://")
    repo_url, _, tag = requirement.url.removeprefix("git+").rpartition("@")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f'POSTMORTEMS_PACKAGE: "{spec}"' in (DOCS / "ci.md").read_text(encoding="utf-8")
    for workflow in WORKFLOWS.glob("postmortems-*.yml"):
        text = workflow.read_text(encoding="utf-8")
        assert f"#   {spec}\n" in text, workflow.name
        env = next(iter(load(workflow)["jobs"].values()))["env"]
        # This repository installs its own checkout; adopters set the spec.
        assert env["POSTMORTEMS_PACKAGE"] == "."
    hooks = (REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert f"- repo: {repo_url}\n" in hooks and f"rev: {tag}\n" in hooks
    assert f'pip install "{spec}"' in hooks
    pages = [p.read_text("utf-8") for p in DOCS.glob("*.md")]
    flows = [w.read_text("utf-8") for w in WORKFLOWS.glob("*.yml")]
    for text in (readme, hooks, *pages, *flows):
        assert not re.search(r"pip install mkdocs-postmortems\b(?! @)", text.replace("`", ""))


def test_check_command_rejects_unknown_options() -> None:
    """The command check can fail: a misspelt option is caught."""
    with pytest.raises(click.UsageError):
        check_command("postmortems lint --formatt github")
    with pytest.raises(click.UsageError):
        check_command("mkdocs build --strictly")


def test_lint_as_a_hook_reports_only_the_given_files_with_whole_library_context(
    write_site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given paths, lint reads the whole docs_dir (ids, links) but reports only those paths."""
    site = write_site(
        {
            "2025/INC-2025-001.md": postmortem_text(id="INC-2025-001", related="[INC-2025-002]"),
            "2025/INC-2025-002.md": postmortem_text(id="INC-2025-002"),
            "2025/INC-2025-003.md": postmortem_text(id="INC-2025-003", severity="SEV9"),
            "2025/INC-2025-004.md": postmortem_text(id="INC-2025-002"),
        }
    )
    (site / "README.md").write_text("# Readme\n", encoding="utf-8")
    monkeypatch.chdir(site)
    runner = CliRunner()
    ok = runner.invoke(cli, ["lint", "--no-hints", "docs/2025/INC-2025-001.md", "README.md"])
    assert ok.exit_code == 0, ok.output
    assert ok.stdout == ""
    dup = runner.invoke(cli, ["lint", "--no-hints", "docs/2025/INC-2025-004.md"])
    assert dup.exit_code == 1
    assert "docs/2025/INC-2025-004.md:2:1: error duplicate-id" in dup.stdout
    assert "INC-2025-003" not in dup.stdout


def test_core_modules_import_neither_mkdocs_nor_click() -> None:
    """Only the adapters touch MkDocs or click, each only its own framework: a
    move to another site generator is a new adapter, not a rewrite."""
    # The MkDocs plugin, its options (read by the build and the CLI alike),
    # and the click command line; the top-level plugin.py and cli.py only
    # re-export them under the entry points' public paths.
    adapters = {
        "adapters/plugin.py": ["mkdocs"],
        "adapters/files.py": ["mkdocs"],
        "adapters/pages.py": ["mkdocs"],
        "adapters/rebuilds.py": ["mkdocs"],
        "adapters/compat.py": ["mkdocs"],
        "adapters/options.py": ["mkdocs"],
        "adapters/cli.py": ["click"],
    }
    used_by: dict[str, list[str]] = {}
    for module in sorted((REPO / "plugin").rglob("*.py")):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        used = {n.split(".")[0] for n in names} & {"mkdocs", "material", "click"}
        if used:
            used_by[module.relative_to(REPO / "plugin").as_posix()] = sorted(used)
    assert used_by == adapters


def test_contributors_layout_names_every_module() -> None:
    """The Layout section of the contributor's guide names every module of the
    package, so a newcomer finds each."""
    guide = (DOCS / "contributing.md").read_text(encoding="utf-8")
    layout = guide.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    # A module is named by its folder's heading line (`parse/`) and its own name below it.
    named: set[str] = set()
    folder = ""
    for line in layout.splitlines():
        heading = re.fullmatch(r"  ([a-z_]+)/\s.*", line)
        if heading:
            folder = heading.group(1) + "/"
        elif re.match(r"  \S", line):
            folder = ""
        names = re.findall(r"\b([a-z_]+\.py)\b", line)
        named |= {folder + n for n in names if n != "__init__.py"}
    plugin = REPO / "plugin"
    modules = {p.relative_to(plugin).as_posix() for p in plugin.rglob("*.py")}
    modules -= {p for p in modules if p.endswith("__init__.py")}
    assert sorted(modules - named) == []
    assert sorted(named - modules) == []
