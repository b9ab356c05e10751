"""Shared fixtures: real files in tmp_path, real MkDocs builds."""

from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = Path(__file__).resolve().parent / "examples"
# The installed console script, next to the interpreter running the tests.
POSTMORTEMS = Path(sys.executable).with_name("postmortems")
# A hang on hostile input must fail the test, not stall CI.
CLI_TIMEOUT = 60

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


# The default taxonomy's layers, and for each a reason to rule it out and a
# systemic fix: the fixture's default postmortem does the layered work, so
# that builds with --strict pass without layered-analysis warnings.
DEFAULT_LAYERS: dict[str, tuple[str, str]] = {
    "model": (
        "The model answered from what retrieval gave it.",
        "Refuse policy answers that no retrieved passage supports",
    ),
    "data": (
        "The policy index held the current policy.",
        "Alert when a policy document in the index is older than the policy",
    ),
    "human-in-the-loop": (
        "No person reviewed answers before they were sent, by design.",
        "Route refund questions to a human agent",
    ),
    "process": (
        "The release followed the evaluation process in place.",
        "Add policy questions to the release evaluation",
    ),
}
_FACTOR_LAYER = re.compile(r"layer:[ \t]*([a-z0-9-]+)")


def layered_defaults(factors: object) -> dict[str, str | None]:
    """`ruled_out` for the default layers the factors do not name, and an
    action item for each layer they do."""
    named = list(dict.fromkeys(_FACTOR_LAYER.findall(factors if isinstance(factors, str) else "")))
    others = [layer for layer in DEFAULT_LAYERS if layer not in named]
    ruled_out = "".join(
        f"\n  - layer: {layer}\n    reason: {DEFAULT_LAYERS[layer][0]}" for layer in others
    )
    items = "".join(
        f"\n  - title: {DEFAULT_LAYERS.get(layer, ('', 'Fix it'))[1]}\n    layer: {layer}"
        # Done and mitigating: counts of open, overdue and prevent items stay as they were.
        "\n    type: mitigate\n    owner: support-ai-team\n    due: 2025-05-01\n    status: done"
        for layer in named
    )
    return {"ruled_out": ruled_out or None, "action_items": items or None}


def postmortem_text(**overrides: object) -> str:
    """A valid final postmortem; keyword overrides replace front-matter lines
    (a value of None drops the key). Unless overridden, `ruled_out` names the
    default layers without a factor and `action_items` has one item per factor
    layer, so the default does the layered work."""
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
    for key, value in layered_defaults(fields.get("factors")).items():
        fields.setdefault(key, value)
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

    # Imported here: sitekit imports this module for REPO.
    from sitekit import write_site_at

    return functools.partial(write_site_at, tmp_path)


def run_cli(
    *args: str | Path, cwd: Path, program: Path = POSTMORTEMS
) -> subprocess.CompletedProcess[str]:
    """Run the real `postmortems` console script (of another environment with
    `program`); a traceback fails the test."""
    proc = subprocess.run(
        [str(program), *map(str, args)],
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
    """Skip a test whose prerequisite (a browser, the TechDocs environment) is
    missing; under CI=true fail it, so a CI image without it cannot pass by
    skipping."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: these tests must not skip)", pytrace=False)
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


# One Chromium per session, shared by every browser test module: Playwright's
# sync API cannot start twice in one process.
TIMEOUT_MS = 15_000
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser(chromium_executable: Path) -> Iterator[Browser]:
    """Debian's headless Chromium, one per session."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(chromium_executable), args=LAUNCH_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()
