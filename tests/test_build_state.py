"""What a build leaves behind in the process that ran it: MkDocs is also run
in-process (tests, `mkdocs serve`, tools that call `build()` in a loop), so
the plugin's memory measures must end with the build, whether it succeeds or
fails."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from conftest import postmortem_text
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from sitekit import content, write_site_at

PM = "INC-2025-001"


def _build(root: Path, *, command: str = "build") -> Path:
    out = root / "site"
    config = load_config(str(root / "mkdocs.yml"), site_dir=str(out))
    config.plugins.on_startup(command=command, dirty=False)
    try:
        mkdocs_build(config)
    finally:
        config.plugins.on_shutdown()
    return out


@pytest.mark.parametrize("command", ["build", "serve"])
def test_a_build_leaves_the_collector_as_it_found_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    """The heap frozen during the build is unfrozen when it ends."""
    root = write_site_at(tmp_path, {f"{PM}.md": postmortem_text(id=PM)})
    monkeypatch.chdir(root)
    assert gc.get_freeze_count() == 0
    out = _build(root, command=command)
    assert gc.get_freeze_count() == 0
    assert content(out, f"incidents/{PM}/").find("dl", cls="pm-card") is not None


def test_a_failed_build_leaves_the_collector_as_it_found_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build that fails after the library was loaded unfreezes the heap too."""
    root = write_site_at(
        tmp_path, {f"{PM}.md": postmortem_text(id=PM)}, extra_config="hooks:\n  - fail.py\n"
    )
    # Another part of the site fails while pages render, after our on_files.
    (root / "fail.py").write_text(
        "def on_page_markdown(markdown, **kwargs):\n    raise ValueError('a hook failed')\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(root)
    with pytest.raises(ValueError, match="a hook failed"):
        _build(root)
    assert gc.get_freeze_count() == 0


def test_incident_pages_keep_card_and_narrative_once_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Handing each page its Markdown's HTML back after writing it changes
    nothing that was written: the card, the narrative, the title."""
    root = write_site_at(tmp_path, {f"{PM}.md": postmortem_text(id=PM, title="Card & story")})
    monkeypatch.chdir(root)
    out = _build(root)
    article = content(out, f"incidents/{PM}/")
    assert article.find("dl", cls="pm-card") is not None
    assert [h for h in article.find_all("h2") if h.attrs.get("id") == "pm-narrative"]
    assert "Card & story" in article.find("h1").text
