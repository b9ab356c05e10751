"""The project's documentation is a site: `mkdocs.docs.yml` builds it with real
MkDocs and Material, `--strict` (a broken link or heading fails), and its
rules and options references list what the code declares."""

from __future__ import annotations

import html
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from conftest import REPO
from mkdocs_postmortems.adapters.options import PostmortemsConfig
from mkdocs_postmortems.rules import RULES

CONFIG = REPO / "mkdocs.docs.yml"
# A docs build takes about a second; the margin is for a loaded machine.
TIMEOUT = 300


@pytest.fixture(scope="module")
def docs_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The documentation, built as `make docs` builds it, into a folder of its own."""
    out = tmp_path_factory.mktemp("docs-site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(CONFIG), "-d", str(out)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


def page_text(site: Path, address: str) -> str:
    return (site / address / "index.html").read_text(encoding="utf-8")


def table_rows(page: str) -> dict[str, str]:
    """The rows of a page's tables keyed by the `<code>` of their first cell:
    the name, then the rest of the row as text."""
    rows: dict[str, str] = {}
    for row in re.findall(r"<tr>(.*?)</tr>", page, flags=re.DOTALL):
        first = re.match(r"\s*<td><code>([^<]+)</code></td>(.*)", row, flags=re.DOTALL)
        if first:
            cells = re.sub(r"</td>", " ", first.group(2))
            rest = html.unescape(re.sub(r"<[^>]+>", "", cells))
            rows[html.unescape(first.group(1))] = " ".join(rest.split())
    return rows


def test_rules_page_lists_every_registered_rule_with_its_severity(docs_site: Path) -> None:
    """Every rule of the registry is a row of the rules page, with its
    severity and summary, and the page names no rule the registry lacks."""
    # Only the rule tables start a row with a cell that is all code: the
    # limits table's first cells are prose.
    documented = table_rows(page_text(docs_site, "rules"))
    assert sorted(documented) == sorted(RULES)
    for rule in RULES.values():
        text = documented[rule.id]
        assert text.startswith(str(rule.severity)), (rule.id, text)
        assert " ".join(rule.summary.split()) in text, rule.id


def test_options_page_lists_every_option_with_its_docstring(docs_site: Path) -> None:
    """Every option of `PostmortemsConfig` is a row of the options page, in
    declaration order, with the first words of its docstring."""
    page = page_text(docs_site, "options")
    rows = table_rows(page)
    names = [name for name, _ in PostmortemsConfig._schema]
    assert [n for n in rows if n in names] == names
    docs = _hooks().option_docstrings()
    for name in names:
        # Docstrings are Markdown: their code spans render without backticks.
        first_words = " ".join(docs[name].replace("`", "").split()[:4])
        assert first_words in rows[name], (name, rows[name])


def test_getting_started_is_the_readmes_install_section(docs_site: Path) -> None:
    """The README's install sections reach the docs as written: the same pip line."""
    page = html.unescape(re.sub(r"<[^>]+>", "", page_text(docs_site, "getting-started")))
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    [line] = re.findall(r'^pip install "mkdocs-postmortems @ [^"]+"$', readme, flags=re.M)
    assert line in page
    assert "A library from an empty folder" in page
    assert "--8<--" not in page


def test_every_page_is_in_the_navigation(docs_site: Path) -> None:
    """Each Markdown page of docs/ is linked from the home page's navigation,
    including one that docs/.nav.yml does not name."""
    home = page_text(docs_site, "")
    linked = set(re.findall(r'<a href="([a-z-]+)/" class="md-nav__link', home))
    pages = {p.stem for p in (REPO / "docs").glob("*.md")} - {"index"}
    assert sorted(pages - linked) == []


def _hooks() -> ModuleType:
    """scripts/docs_hooks.py, loaded as MkDocs loads a hook: by path."""
    spec = importlib.util.spec_from_file_location("docs_hooks", REPO / "scripts" / "docs_hooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_an_unknown_table_marker_fails_the_build() -> None:
    """A misspelt marker is an error, not a page that silently lacks its table."""
    hooks = _hooks()
    assert "| `encoding` |" in hooks.on_page_markdown("<!-- generated: rules -->\n")
    with pytest.raises(ValueError, match="rulez"):
        hooks.on_page_markdown("<!-- generated: rulez -->\n")


def test_table_rows_catches_a_missing_rule(docs_site: Path) -> None:
    """The rules check can fail: a page without one rule's row does not list it."""
    page = page_text(docs_site, "rules")
    without = re.sub(r"<tr>\s*<td><code>encoding</code></td>.*?</tr>", "", page, flags=re.DOTALL)
    assert "encoding" in table_rows(page)
    assert "encoding" not in table_rows(without)


def test_readme_is_a_first_page_whose_links_lead_into_the_docs(docs_site: Path) -> None:
    """The README stays short, and each of its links into docs/ names a page
    (and heading) that the built docs have: GitHub shows it, no build checks it."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 200
    links = re.findall(r"\]\(docs/([a-z-]+)\.md(?:#([a-z0-9-]+))?\)", readme)
    assert {"index", "rules", "cli", "options", "contributing"} <= {page for page, _ in links}
    for page, anchor in links:
        text = page_text(docs_site, "" if page == "index" else page)
        assert not anchor or f'id="{anchor}"' in text, (page, anchor)
