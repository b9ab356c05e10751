"""Shared fixtures: real files in tmp_path, real MkDocs builds."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = Path(__file__).resolve().parent / "examples"
# The installed console script, next to the interpreter running the tests.
POSTMORTEMS = Path(sys.executable).with_name("postmortems")
# A hang on hostile input must fail the test, not stall CI.
CLI_TIMEOUT = 60

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


def postmortem_text(**overrides: object) -> str:
    """A valid final postmortem; keyword overrides replace front-matter lines
    (a value of None drops the key)."""
    fields: dict[str, object] = {
        "id": "INC-2025-014",
        "title": "Support assistant invented a refund policy",
        "status": "final",
        "severity": "SEV2",
        "date": "2025-03-14",
        "detected": "2025-03-15",
        "resolved": "2025-03-16",
        "summary": "The assistant told customers refunds could be claimed after travel.",
        "systems": "[support-assistant]",
        "factors": (
            "\n  - layer: model\n    category: hallucination\n"
            "    summary: The model stated a policy no document contains."
        ),
    }
    fields.update(overrides)
    head = "".join(f"{k}: {v}\n" for k, v in fields.items() if v is not None)
    body = textwrap.dedent(
        """
        ## What happened

        The assistant answered a refund question with a policy that does not exist.

        ## Impact

        Some customers were told they could claim refunds after travel.

        ## Timeline

        - 2025-03-14: first wrong answer.

        ## Contributing factors

        Retrieval returned no policy document.

        ## Lessons learned

        Evaluate policy questions before each release.
        """
    )
    return f"---\n{head}---\n{body}"


@pytest.fixture
def write_site(tmp_path: Path) -> Callable[..., Path]:
    """Write a minimal site (mkdocs.yml + docs files) and return its folder."""

    def write(files: dict[str, str], plugin_options: str = "", extra_config: str = "") -> Path:
        docs = tmp_path / "docs"
        for rel, text in files.items():
            target = docs / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        docs.mkdir(exist_ok=True)
        options = textwrap.indent(textwrap.dedent(plugin_options).strip(), "      ")
        (tmp_path / "mkdocs.yml").write_text(
            "site_name: Test library\n"
            "theme:\n  name: material\n  font: false\n"
            "plugins:\n  - search\n  - postmortems:\n"
            f"      taxonomy: {REPO / 'schema' / 'taxonomy.yml'}\n"
            f"{options}\n{extra_config}",
            encoding="utf-8",
        )
        return tmp_path

    return write


def run_cli(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the real `postmortems` console script; a traceback fails the test."""
    proc = subprocess.run(
        [str(POSTMORTEMS), *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=CLI_TIMEOUT,
        check=False,
    )
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    return proc


# --- Browser tests (tests/test_browser.py) ------------------------------------------
# Debian's Chromium, driven by Playwright through executable_path: no browser
# download, ever. scripts/browser-deps.sh installs it and axe-core.
CHROMIUM = Path("/usr/bin/chromium")
AXE_CORE = REPO / "node_modules" / "axe-core" / "axe.min.js"


def skip_or_fail_in_ci(reason: str) -> None:
    """Skip a test whose browser prerequisite is missing; under CI=true fail it,
    so a CI image without the browser cannot pass by skipping everything."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: browser tests must not skip)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_executable() -> Path:
    """Chromium at /usr/bin/chromium plus the playwright package, else skip (fail in CI)."""
    from importlib.util import find_spec

    if find_spec("playwright") is None:
        skip_or_fail_in_ci("playwright is not installed: pip install -e '.[test]'")
    if not os.access(CHROMIUM, os.X_OK):
        skip_or_fail_in_ci(f"{CHROMIUM} is missing: run `bash scripts/browser-deps.sh`")
    return CHROMIUM


@pytest.fixture(scope="session")
def axe_core_script() -> Path:
    """node_modules/axe-core/axe.min.js, else skip (fail in CI)."""
    if not AXE_CORE.is_file():
        skip_or_fail_in_ci(f"{AXE_CORE} is missing: run `bash scripts/browser-deps.sh`")
    return AXE_CORE
