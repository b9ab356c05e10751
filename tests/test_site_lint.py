"""The build runs lint's checks: errors fail `mkdocs build` with lint's very
lines, warnings fail only `--strict`, related hints are left to lint."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from conftest import postmortem_text
from sitekit import factors, run_mkdocs

FINDING = re.compile(r"^\S+:\d+:\d+: (error|warning) [a-z0-9-]+: .+$")


def lint(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`postmortems lint` run from root, as a team runs it next to mkdocs.yml."""
    code = "import sys; from mkdocs_postmortems.adapters.cli import main; sys.exit(main())"
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run(
        [sys.executable, "-c", code, "lint", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def lines_of(output: str, severity: str) -> list[str]:
    return [ln for ln in output.splitlines() if FINDING.match(ln) and ln.split(" ")[1] == severity]


def test_errors_fail_the_build_with_lints_lines(write_site: Callable[..., Path]) -> None:
    """A library with errors fails `mkdocs build` (not strict), logging each line lint prints."""
    root = write_site(
        {
            # A category of another layer.
            "INC-2025-014-x.md": postmortem_text(
                factors=factors(("model", "data-drift", "Not a model category."))
            ),
            # A typo in a key, in a sub-folder.
            "2025/INC-2025-015-y.md": postmortem_text(id="INC-2025-015", severty="SEV2"),
        }
    )
    linted = lint(root)
    assert linted.returncode == 1, linted.stdout + linted.stderr
    errors = lines_of(linted.stdout, "error")
    assert len(errors) >= 2, linted.stdout
    assert {e.split(":")[0] for e in errors} == {
        "docs/INC-2025-014-x.md",
        "docs/2025/INC-2025-015-y.md",
    }
    built = run_mkdocs(root, strict=False)
    assert built.returncode != 0
    log = built.stdout + built.stderr
    for line in errors:
        assert line in log, line
    assert "Traceback" not in log
    assert not (root / "site" / "incidents").exists()


def test_warning_passes_a_build_but_fails_strict(write_site: Callable[..., Path]) -> None:
    """A blameless-language warning is logged by a normal build and fails `--strict`."""
    text = postmortem_text().replace(
        "Retrieval returned no policy document.",
        "The reviewer should have checked the answer.",
    )
    root = write_site({"INC-2025-014-x.md": text})
    linted = lint(root)
    assert linted.returncode == 0, linted.stdout
    warnings = lines_of(linted.stdout, "warning")
    assert len(warnings) == 1 and "blameless-" in warnings[0], linted.stdout
    assert not lines_of(linted.stdout, "error")

    normal = run_mkdocs(root, strict=False)
    assert normal.returncode == 0, normal.stdout + normal.stderr
    assert warnings[0] in normal.stderr + normal.stdout
    assert (root / "site/incidents/INC-2025-014/index.html").is_file()

    strict = run_mkdocs(root, strict=True, out=root / "strict-site")
    assert strict.returncode != 0
    assert warnings[0] in strict.stderr + strict.stdout


def test_related_hints_never_fail_strict(write_site: Callable[..., Path]) -> None:
    """Lint hints at two unlinked incidents of one system and failure; the strict build
    passes and leaves hints to lint."""
    root = write_site(
        {
            "INC-2025-014-a.md": postmortem_text(),
            "INC-2025-015-b.md": postmortem_text(
                id="INC-2025-015", date="2025-04-01", detected=None, resolved=None
            ),
        }
    )
    linted = lint(root)
    hints = [ln for ln in lines_of(linted.stdout, "warning") if "related-hint" in ln]
    assert len(hints) == 1, linted.stdout
    assert "INC-2025-014" in hints[0]
    strict = run_mkdocs(root, strict=True)
    assert strict.returncode == 0, strict.stdout + strict.stderr
    assert "related-hint" not in strict.stderr + strict.stdout
