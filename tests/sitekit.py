"""Shared helpers for the real-site tests (test_site*.py); it holds no tests.

Sites are written to a folder, built by the real `mkdocs` in a subprocess
(so the build runs exactly as a team runs it, outside pytest's warning
filters) and read back as files. HTML is read with the stdlib parser into a
small tree, enough to find elements, their attributes and their text.
"""

from __future__ import annotations

import gzip
import os
import posixpath
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from conftest import REPO

TAXONOMY = REPO / "schema" / "taxonomy.yml"
# Elements without an end tag.
VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param"}
    | {"source", "track", "wbr"}
)


def write_site_at(
    root: Path, files: dict[str, str], plugin_options: str = "", extra_config: str = ""
) -> Path:
    """As conftest's `write_site`, into any folder (for module-scoped sites)."""
    docs = root / "docs"
    for rel, text in files.items():
        target = docs / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    docs.mkdir(parents=True, exist_ok=True)
    options = textwrap.indent(textwrap.dedent(plugin_options).strip(), "      ")
    (root / "mkdocs.yml").write_text(
        "site_name: Test library\n"
        "theme:\n  name: material\n  font: false\n"
        "plugins:\n  - search\n  - postmortems:\n"
        f"      taxonomy: {TAXONOMY}\n"
        f"{options}\n{extra_config}",
        encoding="utf-8",
    )
    return root


def run_mkdocs(
    root: Path,
    *args: str,
    out: Path | None = None,
    strict: bool = True,
    python: Path | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """`mkdocs build [--strict]` of root/mkdocs.yml, run from root (by
    another environment's `python`, where given)."""
    cmd = [str(python or sys.executable), "-m", "mkdocs", "build", "-f", str(root / "mkdocs.yml")]
    if strict:
        cmd.append("--strict")
    cmd += ["-d", str(out or root / "site"), *args]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONWARNINGS": "ignore"}
    return subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, timeout=timeout)


def build(root: Path, strict: bool = True) -> Path:
    """Build root's site (it must succeed) and return the output folder."""
    out = root / "site"
    result = run_mkdocs(root, out=out, strict=strict)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


# --- HTML ------------------------------------------------------------------------


@dataclass(eq=False)
class Node:
    tag: str
    attrs: dict[str, str]
    parent: Node | None = None
    children: list[Node | str] = field(default_factory=list)

    def iter(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None) -> list[Node]:
        return [
            n
            for n in self.iter()
            if (tag is None or n.tag == tag) and (cls is None or cls in n.classes)
        ]

    def find(self, tag: str | None = None, cls: str | None = None) -> Node:
        found = self.find_all(tag, cls)
        assert found, f"no <{tag or '*'} class={cls!r}>"
        return found[0]

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()

    @property
    def text(self) -> str:
        parts: list[str] = []
        for child in self.children:
            parts.append(child if isinstance(child, str) else child.text)
        return "".join(parts)

    def table(self, caption: str) -> Node:
        """The table whose caption starts with this text."""
        for t in self.find_all("table"):
            caps = t.find_all("caption")
            if caps and caps[0].text.strip().startswith(caption):
                return t
        raise AssertionError(f"no table captioned {caption!r}")

    def rows(self) -> list[list[str]]:
        """Cell texts of each body row of the tables under this node."""
        return [
            [td.text.strip() for td in tr.find_all("td")]
            for tbody in self.find_all("tbody")
            for tr in tbody.find_all("tr")
        ]

    def hrefs(self) -> list[str]:
        return [n.attrs["href"] for n in self.find_all("a") if "href" in n.attrs]

    def following(self, tag: str) -> Node:
        """The next sibling element with this tag (e.g. the list after a heading)."""
        assert self.parent is not None
        siblings = [c for c in self.parent.children if isinstance(c, Node)]
        after = siblings[siblings.index(self) + 1 :]
        return next(n for n in after if n.tag == tag)


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, self.stack[-1])
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}, self.stack[-1]))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_html(text: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


def page(site: Path, address: str) -> Node:
    """The parsed page at a site address like `incidents/X/`."""
    return parse_html((site / address / "index.html").read_text(encoding="utf-8"))


def content(site: Path, address: str) -> Node:
    """The article (the page's own content, without header, nav or footer)."""
    return page(site, address).find("article")


def html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def all_files(site: Path) -> Iterator[tuple[Path, bytes]]:
    """Every output file's bytes; gzip files decompressed."""
    for path in sorted(site.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            yield path, gzip.decompress(data) if path.suffix == ".gz" else data


# --- links -----------------------------------------------------------------------

EXTERNAL_SCHEMES = ("http:", "https:", "mailto:", "tel:", "data:")


def is_external(url: str) -> bool:
    return url.startswith("//") or url.lower().startswith(EXTERNAL_SCHEMES)


def target_file(site: Path, html_file: Path, url: str) -> Path:
    """The output file a relative URL in html_file points at."""
    path = unquote(urlsplit(url).path)
    # Root-relative, as in 404.html (served at any address).
    base = "" if path.startswith("/") else html_file.parent.relative_to(site).as_posix()
    path = path.lstrip("/")
    joined = posixpath.normpath(posixpath.join(base, path)) if path else ""
    target = site / joined if joined not in ("", ".") else site
    return target / "index.html" if target.is_dir() or path.endswith("/") else target


def ids_of(path: Path, cache: dict[Path, set[str]]) -> set[str]:
    if path not in cache:
        tree = parse_html(path.read_text(encoding="utf-8"))
        cache[path] = {n.attrs[k] for n in tree.iter() for k in ("id", "name") if k in n.attrs}
    return cache[path]


def broken_links(site: Path) -> list[str]:
    """Every relative href/src in the site's HTML whose target file, or
    fragment in that file, does not exist."""
    problems: list[str] = []
    ids: dict[Path, set[str]] = {}
    for html_file in html_files(site):
        tree = parse_html(html_file.read_text(encoding="utf-8"))
        for node in tree.iter():
            for attr in ("href", "src"):
                url = node.attrs.get(attr)
                if url is None or is_external(url):
                    continue
                where = f"{html_file.relative_to(site)}: <{node.tag} {attr}={url!r}>"
                if url.lower().startswith("javascript:"):
                    problems.append(f"{where}: script URL")
                    continue
                fragment = urlsplit(url).fragment
                target = html_file if url.startswith("#") else target_file(site, html_file, url)
                if not target.is_file():
                    problems.append(f"{where}: no {target.relative_to(site)}")
                elif (
                    fragment
                    and node.tag == "a"
                    and target.suffix == ".html"
                    and unquote(fragment) not in ids_of(target, ids)
                ):
                    problems.append(f"{where}: no #{fragment}")
    return problems


def incident_links(node: Node) -> set[str]:
    """Ids of the incidents that links under node point at."""
    found = set()
    for href in node.hrefs():
        parts = [p for p in urlsplit(href).path.split("/") if p and p != ".."]
        if len(parts) >= 2 and parts[-2] == "incidents":
            found.add(parts[-1])
        elif len(parts) == 1 and parts[0].startswith("INC-"):
            found.add(parts[0])
    return found


# --- postmortems -------------------------------------------------------------------


def factors(*entries: tuple[str, str, str]) -> str:
    """`factors:` YAML for (layer, category, summary) entries."""
    return "".join(
        f"\n  - layer: {layer}\n    category: {cat}\n    summary: {summary}"
        for layer, cat, summary in entries
    )


def actions(*entries: tuple[str, str, str, str, str]) -> str:
    """`action_items:` YAML for (title, layer, owner, due, status) entries."""
    return "".join(
        f"\n  - title: {title}\n    layer: {layer}\n    type: prevent\n"
        f"    owner: {owner}\n    due: {due}\n    status: {status}"
        for title, layer, owner, due, status in entries
    )
