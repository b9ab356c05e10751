"""The repository's own library, built as its team builds it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import REPO
from sitekit import all_files, broken_links, html_files, page, run_mkdocs

CANARY = b"RESTRICTED-CANARY-7731"
PUBLISHED = {
    "INC-2015-001",
    "INC-2016-001",
    "INC-2018-001",
    "INC-2020-001",
    "INC-2021-001",
    "INC-2022-001",
    "INC-2023-001",
    "INC-2023-004",
    "INC-2023-005",
    "INC-2024-001",
    "INC-2024-002",
    "INC-2024-003",
    "INC-2024-004",
    "INC-2025-001",
    "INC-2025-002",
    "INC-2025-003",
}


@pytest.fixture(scope="module")
def repo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("repo") / "site"
    result = run_mkdocs(REPO, out=out)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def test_repo_sources_hold_the_canary() -> None:
    """The restricted postmortem does carry the canary, in its summary and its body."""
    text = (REPO / "postmortems/2023/INC-2023-002-code-pasted-into-chatbot.md").read_bytes()
    assert text.count(CANARY) >= 2


def test_repo_site_has_a_page_per_published_incident(repo_site: Path) -> None:
    """Every final internal postmortem has its page; the draft, review and restricted ones none."""
    made = {p.parent.name for p in (repo_site / "incidents").glob("*/index.html")}
    assert made == PUBLISHED
    exported = json.loads((repo_site / "incidents.json").read_text(encoding="utf-8"))
    assert {e["id"] for e in exported["incidents"]} == PUBLISHED
    assert not list(repo_site.glob("20*"))
    # The team's own home page is kept, with the library's summary under it.
    home = page(repo_site, "").find("article")
    assert "Where these incidents come from" in home.text
    assert home.find_all("div", "pm-home")


def test_repo_restricted_canary_reaches_no_output_file(repo_site: Path) -> None:
    """RESTRICTED-CANARY-7731 is in no output file, compressed sitemap included."""
    checked = [p.relative_to(repo_site).as_posix() for p, _ in all_files(repo_site)]
    assert "sitemap.xml.gz" in checked and "search/search_index.json" in checked
    assert [p for p, data in all_files(repo_site) if CANARY in data] == []


def test_repo_site_has_no_broken_internal_link(repo_site: Path) -> None:
    """Every relative link of the repository's site resolves."""
    assert len(html_files(repo_site)) > 40
    assert broken_links(repo_site) == []
