"""Files that are not plain Markdown files, and values too long to quote."""

from __future__ import annotations

import os
from pathlib import Path

from conftest import postmortem_text, run_cli


def test_fifo_named_like_a_postmortem_is_a_finding_not_a_hang(tmp_path: Path) -> None:
    """A FIFO named *.md gives an `unreadable` error instead of blocking lint forever."""
    os.mkfifo(tmp_path / "INC-2025-001.md")
    proc = run_cli("lint", tmp_path, cwd=tmp_path)
    assert proc.returncode == 1
    assert "INC-2025-001.md:1:1: error unreadable: this is not a regular file" in proc.stdout


def test_dangling_link_is_named_where_it_is(tmp_path: Path) -> None:
    """A link to nothing is reported under its own name, not skipped silently."""
    (tmp_path / "INC-2025-002.md").symlink_to(tmp_path / "gone.md")
    proc = run_cli("lint", tmp_path, cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stdout.startswith("INC-2025-002.md:1:1: error unreadable: cannot read the file")


def test_long_values_are_cut_short_in_messages(tmp_path: Path) -> None:
    """A 50,000-character bad value is quoted in a message of bounded length."""
    (tmp_path / "INC-2025-014.md").write_text(
        postmortem_text(severity="S" * 50_000), encoding="utf-8"
    )
    proc = run_cli("lint", tmp_path, cwd=tmp_path)
    assert proc.returncode == 1
    [line] = [x for x in proc.stdout.splitlines() if "invalid-value" in x]
    assert "SSS..." in line and len(line) < 300
