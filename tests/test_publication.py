"""The MkDocs-free allowlist: the fate of every file of docs_dir, decided once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import postmortem_text
from mkdocs_postmortems import Library, Settings, load_library
from mkdocs_postmortems.check.publication import (
    ASSET,
    CASE,
    HIDDEN,
    LEFTOVER,
    LINKED,
    RESTRICTED,
    SPECIAL,
    UNPUBLISHED,
    UNREAD,
    bare_ids,
    link_target,
    markdown_bare_ids,
    restricted_page,
)
from sitekit import TAXONOMY


def load(docs: Path, files: dict[str, str]) -> tuple[Library, dict[str, str], frozenset[str]]:
    for rel, text in files.items():
        (docs / rel).parent.mkdir(parents=True, exist_ok=True)
        (docs / rel).write_text(text, encoding="utf-8")
    library = load_library(docs, Settings(taxonomy=str(TAXONOMY)), docs.parent, docs.parent)
    decision = library.publication(False)
    return library, dict(decision.withheld), decision.publish


def test_every_file_gets_a_fate(tmp_path: Path) -> None:
    """Published, restricted, draft, assets, leftovers, hidden and case variants each get theirs."""
    docs = tmp_path / "docs"
    _, withheld, publish = load(
        docs,
        {
            "index.md": "# Home\n",
            "img/logo.png": "png",
            "2025/INC-2025-001-open.md": postmortem_text(id="INC-2025-001"),
            "2025/INC-2025-001-open/chart.png": "png",
            "2025/INC-2025-002-secret.md": postmortem_text(
                id="INC-2025-002", visibility="restricted"
            ),
            "2025/INC-2025-002-secret/chart.png": "png",
            "2025/INC-2025-003-draft.mkd": postmortem_text(id="INC-2025-003", status="draft"),
            "2025/INC-2025-003/a/b.txt": "txt",
            "2025/INC-2025-004.MD": postmortem_text(id="INC-2025-004"),
            "2025/INC-2025-001-open.md.orig": "old",
            ".drafts/INC-2025-005.md": postmortem_text(id="INC-2025-005"),
            "notes.md": "---\nvisibility: restricted\n---\nText\n",
            "broken.md": "---\ntitle: [unclosed\n---\nText\n",
        },
    )
    assert publish == {
        "index.md",
        "img/logo.png",
        "2025/INC-2025-001-open.md",
        "2025/INC-2025-001-open/chart.png",
    }
    assert withheld == {
        "2025/INC-2025-002-secret.md": UNPUBLISHED,
        "2025/INC-2025-002-secret/chart.png": ASSET,
        "2025/INC-2025-003-draft.mkd": UNPUBLISHED,
        "2025/INC-2025-003/a/b.txt": ASSET,
        "2025/INC-2025-004.MD": CASE,
        "2025/INC-2025-001-open.md.orig": LEFTOVER,
        ".drafts/INC-2025-005.md": HIDDEN,
        "notes.md": RESTRICTED,
        "broken.md": UNREAD,
    }


def test_links_are_findings_and_withheld(tmp_path: Path) -> None:
    """A link out of docs_dir and a link back into it are each one finding on the link."""
    docs = tmp_path / "docs"
    (docs / "2025").mkdir(parents=True)
    (tmp_path / "secret").write_text("s")
    (docs / "mirror").symlink_to("2025", target_is_directory=True)
    (docs / "secret.txt").symlink_to(tmp_path / "secret")
    library, withheld, publish = load(docs, {"2025/a.md": "# A\n"})
    assert publish == {"2025/a.md"}
    assert withheld == {"mirror/": LINKED, "secret.txt": LINKED}
    rules = {(f.path, f.rule) for f in library.findings}
    assert rules == {("docs/mirror", "symlink-twice"), ("docs/secret.txt", "symlink-outside")}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_is_not_published_and_not_read(tmp_path: Path) -> None:
    """A FIFO in docs_dir (which would hang a copy) is reported and withheld, never opened."""
    docs = tmp_path / "docs"
    docs.mkdir()
    os.mkfifo(docs / "pipe.png")
    library, withheld, _ = load(docs, {"index.md": "# Home\n"})
    assert withheld == {"pipe.png": SPECIAL}
    assert [(f.path, f.rule) for f in library.findings] == [("docs/pipe.png", "unreadable")]


@pytest.mark.parametrize(
    ("data", "has_front_matter", "body", "withheld"),
    [
        ({"visibility": "restricted"}, True, "", True),
        ({"visibility": " Restricted "}, True, "", True),
        ({"Visibility": "restricted"}, True, "", True),
        ({"visibility": ["restricted"]}, True, "", True),
        ({"visibility": "secret"}, True, "", True),
        ({"visibility": "internal"}, True, "", False),
        ({"title": "x"}, True, "", False),
        (None, False, "Title: x\nVisibility: restricted\n\nText", True),
        (None, False, "Title: x\n\nVisibility: restricted\n", False),
        (None, False, "Just text\n", False),
        (None, False, "Title: x\n    more\nVisibility: restricted\n", True),
        (None, False, "# Heading\nvisibility: restricted is a word here\n", False),
    ],
)
def test_restricted_page(data: object, has_front_matter: bool, body: str, withheld: bool) -> None:
    """Any visibility but internal/public withholds a page, in YAML or MultiMarkdown meta."""
    assert restricted_page(data, has_front_matter, body) is withheld


@pytest.mark.parametrize(
    ("href", "page", "expected"),
    [
        ("INC-2025-002-payroll.md", "INC-2025-001.md", "INC-2025-002-payroll.md"),
        ("../2024/INC-2024-009.md#impact", "2025/INC-2025-001.md", "2024/INC-2024-009.md"),
        ("https://example.org/INC-2025-002-payroll.md", "index.md", None),
        ("/INC-2025-002-payroll.md", "index.md", None),
        ("../../outside.md", "a/INC-2025-001.md", None),
    ],
)
def test_link_target_resolves_relative_links_only(
    href: str, page: str, expected: str | None
) -> None:
    """A page's relative link names a docs_dir path; links that leave the site do not."""
    assert link_target(href, page) == expected


def test_links_to_withheld_postmortems_become_bare_ids() -> None:
    """Only links to a withheld file lose their address and text; others stay."""
    page = (
        '<p>See <a href="INC-2025-002-payroll.md#impact">the payroll leak</a> and '
        '<a href="INC-2025-003.md">a public one</a>.</p>'
    )
    out = bare_ids(page, "INC-2025-001.md", {"INC-2025-002-payroll.md": "INC-2025-002"})
    assert "payroll" not in out
    assert '<span class="pm-bare-id">INC-2025-002</span>' in out
    assert '<a href="INC-2025-003.md">a public one</a>' in out


def test_markdown_links_to_withheld_postmortems_are_their_bare_ids() -> None:
    """What a page shows of its Markdown: inline, reference and HTML links to
    a withheld file are its id, their words and target gone; others stay."""
    page = (
        '* [The payroll [leak]](../2025/INC-2025-002-payroll.md#impact "t")\n'
        "* [Again][pay], [pay][] and [Pay]\n"
        '* <a href="../2025/INC-2025-002-payroll.md">the sheet</a>\n'
        "* [A public one](../2025/INC-2025-003.md)\n\n"
        "[pay]: <../2025/INC-2025-002-payroll.md> 'the sheet'\n"
    )
    out = markdown_bare_ids(page, "notes/a.md", {"2025/INC-2025-002-payroll.md": "INC-2025-002"})
    assert "payroll" not in out and "sheet" not in out and "leak" not in out
    assert out.count("INC-2025-002") == 5
    assert "[A public one](../2025/INC-2025-003.md)" in out


@pytest.mark.parametrize(
    "written",
    [
        "INC-2025-002-Lohn%20&amp;%20Boni%20M%C3%A4rz.md",
        "INC-2025-002-Lohn%20%26%20Boni%20M%c3%a4rz.md",
        "INC-2025-002-Lohn%20&amp;%20Boni%20März.md",
    ],
)
def test_a_link_to_a_withheld_file_written_encoded_renders_as_its_bare_id(written: str) -> None:
    """The quick test of whether a page names a withheld file read names as
    they are only: a link written percent-encoded, in either hex case, or
    with `&amp;`, was left as it was, its text (the title) with it."""
    withheld = {"2025/INC-2025-002-Lohn & Boni März.md": "INC-2025-002"}
    page = f'<p><a href="{written}">Payroll title</a></p>'
    assert bare_ids(page, "2025/other.md", withheld) == (
        '<p><span class="pm-bare-id">INC-2025-002</span></p>'
    )
    # Markdown writes `&` as it is.
    target = written.replace("&amp;", "&")
    markdown = f"See [Payroll title](<{target}>) and [it]({target}).\n"
    assert "Payroll title" not in markdown_bare_ids(markdown, "2025/other.md", withheld)
