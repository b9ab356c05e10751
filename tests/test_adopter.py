"""A new adopter's first hour, end to end: from an empty folder, with the
wheel installed in a fresh virtual environment, follow the README's section
"A library from an empty folder" to the letter (its mkdocs.yml and its
commands are read from the README itself), then run the copied workflows'
steps that can run outside GitHub. Each step's time is printed (-s)."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO
from test_packaging import BUILD_TIMEOUT, _not_source
from test_repo_files import WORKFLOWS, load

SECTION = "### A library from an empty folder"
QUIET: dict[str, Any] = {
    "capture_output": True,
    "text": True,
    "timeout": BUILD_TIMEOUT,
    "check": False,
}
# Steps of the workflows that only GitHub can run (actions, not shell lines),
# and the install line, which the wheel stands in for here.
SKIPPED_LINE = 'pip install "$POSTMORTEMS_PACKAGE"'


def adopter_section() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index(SECTION)
    end = readme.index("\n## ", start)
    return readme[start:end]


def section_block(section: str, language: str) -> str:
    [block] = re.findall(rf"```{language}\n(.*?)```", section, flags=re.DOTALL)
    return block


class Clock:
    """Step timings, printed as a table when the test ends."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, float]] = []

    def run(
        self,
        label: str,
        argv: list[str],
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        start = time.perf_counter()
        proc = subprocess.run(argv, cwd=cwd, env=env, **QUIET)
        self.steps.append((label, time.perf_counter() - start))
        assert "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
        return proc

    def report(self) -> str:
        width = max(len(label) for label, _ in self.steps)
        return "\n".join(f"{label:<{width}}  {secs:6.2f} s" for label, secs in self.steps)


@pytest.fixture
def clock() -> Iterator[Clock]:
    timings = Clock()
    yield timings
    print("\nadopter steps:\n" + timings.report())


def test_adopter_from_an_empty_folder(tmp_path: Path, clock: Clock) -> None:
    """Wheel, fresh venv, the README's mkdocs.yml and commands, then the workflows' steps:
    every step exits 0 and `new` writes where the README says."""
    # The README's second way to install: a wheel built once in a checkout.
    source = tmp_path / "checkout"
    shutil.copytree(REPO, source, ignore=_not_source)
    built = clock.run(
        "pip wheel --no-deps -w dist .",
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", "dist", "."],
        cwd=source,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    [wheel] = (source / "dist").glob("mkdocs_postmortems-*.whl")

    # A fresh venv. Its dependencies (MkDocs, Material, ...) are the test
    # environment's, reached through a .pth line, so nothing is downloaded; a
    # folder named in a .pth file has its own .pth files ignored, so the
    # checkout's editable install stays out of sight and the wheel is what runs.
    venv = tmp_path / "venv"
    made = clock.run("python -m venv", [sys.executable, "-m", "venv", "--without-pip", str(venv)])
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(purelib) / "test-dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8"
    )
    installed = clock.run(
        f"pip install dist/{wheel.name}",
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
         "--quiet", str(wheel)],
    )  # fmt: skip
    assert installed.returncode == 0, installed.stdout + installed.stderr
    # The `mkdocs` command pip would have written for the dependency.
    launcher = venv / "bin" / "mkdocs"
    launcher.write_text(
        f"#!{python}\nimport sys\nfrom mkdocs.__main__ import cli\nsys.exit(cli())\n",
        encoding="utf-8",
    )
    launcher.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "VIRTUAL_ENV": str(venv),
    }
    env.pop("PYTHONPATH", None)
    version = clock.run("postmortems --version", ["postmortems", "--version"], env=env)
    assert version.stdout == "postmortems, version 0.1.0\n", version.stderr
    where = subprocess.run(
        [str(python), "-c", "import mkdocs_postmortems; print(mkdocs_postmortems.__file__)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(where.stdout.strip()).is_relative_to(venv), "the checkout ran, not the wheel"

    # The README's section, to the letter: its mkdocs.yml, then its commands.
    library = tmp_path / "library"
    library.mkdir()
    section = adopter_section()
    (library / "mkdocs.yml").write_text(section_block(section, "yaml"), encoding="utf-8")
    commands = [line for line in section_block(section, "sh").splitlines() if line.strip()]
    assert [shlex.split(c)[:2] for c in commands] == [
        ["mkdir", "-p"],
        ["postmortems", "new"],
        ["postmortems", "lint"],
        ["mkdocs", "build"],
        ["postmortems", "audit"],
    ]
    outputs = {}
    for command in commands:
        proc = clock.run(command, ["bash", "-e", "-c", command], cwd=library, env=env)
        assert proc.returncode == 0, f"{command}\n{proc.stdout}{proc.stderr}"
        outputs[shlex.split(command)[1]] = proc.stdout
    written = Path(outputs["new"].strip())
    assert written.parts[:3] == ("docs", "postmortems", written.parts[2])
    assert re.fullmatch(r"[0-9]{4}", written.parts[2])
    assert (library / written).is_file()
    assert "`docs/postmortems/<year>/`" in section

    # A repository of docs alone: nothing a pip cache could key on.
    assert not (library / "requirements.txt").exists()
    assert not (library / "pyproject.toml").exists()
    for flow_path in sorted(WORKFLOWS.glob("postmortems-*.yml")):
        flow = load(flow_path)
        for job_name, job in flow["jobs"].items():
            job_env = {**env, **{k: str(v) for k, v in job.get("env", {}).items()}}
            for step in job.get("steps", []):
                if "uses" in step:
                    assert "cache" not in step.get("with", {}), (flow_path.name, step)
                    continue
                line = step["run"].strip()
                if line == SKIPPED_LINE:
                    continue
                # GitHub runs a step as `bash -e {0}` in the repository's root.
                proc = clock.run(
                    f"{flow_path.stem}/{job_name}: {line}",
                    ["bash", "-e", "-c", line],
                    cwd=library,
                    env=job_env,
                )
                assert proc.returncode == 0, f"{flow_path.name}: {line}\n{proc.stdout}{proc.stderr}"
    sarif = json.loads((library / "postmortems.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
