"""The wheel: built for real, it carries the schema, the default taxonomy and
both entry points, and an install of it lints with its own bundled files."""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import REPO, postmortem_text
from packaging.requirements import Requirement
from test_repo_files import install_requirement

BUILD_TIMEOUT = 300
UNKNOWN_CATEGORY = "\n  - layer: model\n    category: nope\n    summary: s"
BUNDLED = (
    "mkdocs_postmortems/schema/postmortem.schema.json",
    "mkdocs_postmortems/schema/taxonomy.schema.json",
    "mkdocs_postmortems/schema/taxonomy.yml",
    "mkdocs_postmortems/schema/regimes.schema.json",
    "mkdocs_postmortems/schema/regimes.yml",
)
# Top-level folders that are not part of the package; copying them would only
# slow the build (and `build/` or `*.egg-info` from an earlier build could leak in).
NOT_SOURCE = {"build", "dist", "site", "node_modules", "postmortems", "tests", "bench"}


def _not_source(folder: str, names: list[str]) -> set[str]:
    skip = {n for n in names if n.startswith(".") or n == "__pycache__" or n.endswith(".egg-info")}
    if Path(folder) == REPO:
        skip |= NOT_SOURCE & set(names)
    return skip


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built by pip from a copy of the source tree (the checkout stays untouched)."""
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"
    shutil.copytree(REPO, source, ignore=_not_source)
    out = root / "dist"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(source)],
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    [built] = out.glob("mkdocs_postmortems-*.whl")
    return built


def _dist_info(names: list[str], file: str) -> str:
    [found] = [n for n in names if n.endswith(f".dist-info/{file}")]
    return found


def test_wheel_carries_the_schema_and_default_taxonomy(wheel: Path) -> None:
    """The package in the wheel has both JSON Schemas and the default taxonomy.yml."""
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        for name in BUNDLED:
            assert name in names
            repo_copy = REPO / "schema" / Path(name).name
            assert zf.read(name) == repo_copy.read_bytes(), f"{name} differs from schema/"


def test_wheel_carries_every_template_and_asset(wheel: Path) -> None:
    """Every file under plugin/templates/ is in the wheel, where the plugin looks for it."""
    templates = REPO / "plugin" / "templates"
    wanted = {
        f"mkdocs_postmortems/templates/{p.relative_to(templates).as_posix()}"
        for p in templates.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert wanted
    with zipfile.ZipFile(wheel) as zf:
        assert wanted <= set(zf.namelist()), sorted(wanted - set(zf.namelist()))


def test_wheel_declares_the_console_script_and_the_mkdocs_plugin(wheel: Path) -> None:
    """entry_points.txt has the `postmortems` script and the mkdocs.plugins `postmortems` entry."""
    with zipfile.ZipFile(wheel) as zf:
        text = zf.read(_dist_info(zf.namelist(), "entry_points.txt")).decode("utf-8")
    entry_points = configparser.ConfigParser()
    entry_points.read_string(text)
    assert entry_points["console_scripts"]["postmortems"] == "mkdocs_postmortems.cli:main"
    assert (
        entry_points["mkdocs.plugins"]["postmortems"]
        == "mkdocs_postmortems.plugin:PostmortemsPlugin"
    )


def test_installed_wheel_lints_with_its_bundled_files(wheel: Path, tmp_path: Path) -> None:
    """Installed elsewhere, the package finds its own schema and taxonomy and runs `lint`."""
    target = tmp_path / "installed"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "-t", str(target), wheel],
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    work = tmp_path / "elsewhere"
    work.mkdir()
    (work / "INC-2025-014.md").write_text(postmortem_text(), encoding="utf-8")
    (work / "INC-2025-015.md").write_text(
        postmortem_text(id="INC-2025-015", factors=UNKNOWN_CATEGORY),
        encoding="utf-8",
    )  # fmt: skip
    script = (
        "import sys, mkdocs_postmortems, mkdocs_postmortems.resources as r\n"
        "print(mkdocs_postmortems.__file__)\nprint(r.schema_dir())\n"
        "from mkdocs_postmortems.cli import cli\n"
        "cli(['lint', '--format', 'json', 'INC-2025-014.md', 'INC-2025-015.md'])\n"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    proc = subprocess.run(
        [sys.executable, "-c", script],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        check=False,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    package_file, schema_dir, *report = proc.stdout.splitlines()
    assert Path(package_file).is_relative_to(target), (
        "the test imported the checkout, not the wheel"
    )
    assert Path(schema_dir) == target / "mkdocs_postmortems" / "schema"
    assert proc.returncode == 1
    assert '"rule": "unknown-category"' in "\n".join(report)
    assert '"path": "INC-2025-015.md"' in "\n".join(report)
    assert '"path": "INC-2025-014.md"' not in "\n".join(report)


def _console_script(target: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The `postmortems` script pip put in target/bin, run against target's packages."""
    return subprocess.run(
        [str(target / "bin" / "postmortems"), *args],
        env={**os.environ, "PYTHONPATH": str(target)},
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        check=False,
    )


def _pip_install(target: Path, requirement: str | Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "-t", str(target),
         str(requirement)],
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_installed_wheel_runs_the_console_script(wheel: Path, tmp_path: Path) -> None:
    """`pip install dist/...whl` (the README's second way) gives a `postmortems`
    command that runs, with every command of this version."""
    target = tmp_path / "installed"
    _pip_install(target, wheel)
    version = _console_script(target, "--version")
    assert version.returncode == 0, version.stderr
    assert version.stdout == "postmortems, version 0.1.0\n"
    usage = _console_script(target, "--help")
    assert {"lint", "new", "export", "audit"} <= set(re.findall(r"^  (\w+)", usage.stdout, re.M))


def test_readme_install_from_the_git_repository_works(tmp_path: Path) -> None:
    """The README's `pip install "mkdocs-postmortems @ git+https://...@<tag>"`, with a
    Git repository of this source tree in place of the address and a real tag,
    installs a `postmortems` that runs."""
    spec = install_requirement()
    repo_url, _, tag = (Requirement(spec).url or "").removeprefix("git+").rpartition("@")
    repo = tmp_path / "repo"
    shutil.copytree(REPO, repo, ignore=_not_source)
    git = ["git", "-C", str(repo), "-c", "user.name=test", "-c", "user.email=test@example.org"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "release"],
                 ["tag", "v0.1.0-test"]):  # fmt: skip
        subprocess.run([*git, *args], check=True, capture_output=True, timeout=BUILD_TIMEOUT)
    local = spec.replace(repo_url, repo.as_uri()).replace(f"@{tag}", "@v0.1.0-test")
    assert local.startswith("mkdocs-postmortems @ git+file:///") and local.endswith("@v0.1.0-test")
    target = tmp_path / "installed"
    _pip_install(target, local)
    version = _console_script(target, "--version")
    assert version.returncode == 0, version.stderr
    assert version.stdout == "postmortems, version 0.1.0\n"
