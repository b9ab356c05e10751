"""What of docs_dir may be published: an allowlist, decided in one place.

MkDocs publishes every file it finds in docs_dir. This module walks
docs_dir once, as MkDocs would but without following symbolic links, and
gives each file a fate. Lint reads the Markdown this walk finds and reports
its findings; the build publishes only what `decide` allows and drops
everything else from docs_dir, so the two cannot disagree. Anything not
placed here is not published (spec 4, "Publication fails closed").
"""

from __future__ import annotations

import html
import os
import posixpath
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Final
from urllib.parse import unquote

from ..model import Finding
from ..rules import RULES

# The extensions MkDocs 1.6 renders as pages (mkdocs.utils.markdown_extensions),
# matched as MkDocs matches them: case-sensitively.
MARKDOWN_EXTENSIONS: Final = (".markdown", ".mdown", ".mkdn", ".mkd", ".md")
# What merges and editors leave beside the files they touch; compared in lower case.
LEFTOVER_SUFFIXES: Final = (".orig", ".rej", ".bak", "~", ".swp", ".tmp")
LEFTOVER_PREFIXES: Final = (".#",)
# Page visibilities that may be published; any other value withholds the page.
PUBLIC_VISIBILITIES: Final = ("internal", "public")

# Why a file is withheld, as the README's table says it.
RESTRICTED: Final = "its front matter says visibility: restricted"
UNPUBLISHED: Final = "a postmortem that is not published (restricted, a draft, or with errors)"
ASSET: Final = "in the asset folder of a postmortem that is not published"
LINKED: Final = "reached through a symbolic link"
LEFTOVER: Final = "a merge or editor leftover"
CASE: Final = "Markdown whose extension MkDocs does not render in this letter case"
HIDDEN: Final = "Markdown in a hidden file or folder, which is not read"
SPECIAL: Final = "not a regular file"
UNREAD: Final = "a page whose front matter could not be read"


@dataclass(frozen=True)
class DocsFile:
    src_uri: str
    # A string: a Path per file was most of the walk's time in a large library.
    location: str
    # Read and checked as Markdown (every extension MkDocs renders, any case).
    markdown: bool

    @property
    def path(self) -> Path:
        return Path(self.location)


@dataclass
class DocsScan:
    """Every file of docs_dir that MkDocs could publish, with the findings
    and the files withheld before any Markdown is read."""

    files: dict[str, DocsFile] = field(default_factory=dict)
    withheld: dict[str, str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    @property
    def markdown(self) -> list[DocsFile]:
        """The Markdown lint and the build read, in walk order: a `.MD` file
        is read and checked too, though it is never published."""
        return [
            f
            for f in self.files.values()
            if f.markdown and self.withheld.get(f.src_uri, CASE) == CASE
        ]


@dataclass(frozen=True)
class Decision:
    """The fate of every file of docs_dir: published, or withheld and why."""

    publish: frozenset[str]
    withheld: Mapping[str, str]


def is_markdown_name(name: str) -> bool:
    """Markdown in any letter case: `.MD` is still a postmortem to check."""
    return name.lower().endswith(MARKDOWN_EXTENSIONS)


def is_leftover(name: str) -> bool:
    lower = name.lower()
    return lower.endswith(LEFTOVER_SUFFIXES) or lower.startswith(LEFTOVER_PREFIXES)


def scan_docs(docs_dir: Path, shown: Callable[[Path], str]) -> DocsScan:
    """Walk docs_dir once without following links, in MkDocs' order of
    folders. `shown(path)` names a file in findings as lint names it."""
    scan = DocsScan()
    if not docs_dir.is_dir():
        return scan
    real_root = os.path.realpath(docs_dir)
    # scandir's entries know their type without another stat per file.
    stack: list[tuple[str, str]] = [(str(docs_dir), "")]
    while stack:
        folder, base = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            continue  # MkDocs' walk skips an unreadable folder too
        below: list[tuple[str, str]] = []
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                below.append((entry.path, f"{base}{entry.name}/"))
            elif entry.is_symlink() and os.path.isdir(entry.path):
                # MkDocs follows a link to a folder (followlinks=True): all
                # below it is withheld, and the link is the one finding.
                full = Path(entry.path)
                _link(scan, base + entry.name, full, real_root, shown(full))
                scan.withheld[f"{base}{entry.name}/"] = LINKED
            else:
                _place(scan, entry, base + entry.name, real_root, shown)
        stack.extend(reversed(below))
    return scan


def _place(
    scan: DocsScan,
    entry: os.DirEntry[str],
    uri: str,
    real_root: str,
    shown: Callable[[Path], str],
) -> None:
    name = entry.name
    markdown = is_markdown_name(name)
    scan.files[uri] = DocsFile(uri, entry.path, markdown)
    if is_leftover(name):
        scan.withheld[uri] = LEFTOVER
        scan.findings.append(
            RULES["leftover-file"].finding(
                shown(Path(entry.path)),
                1,
                1,
                f"'{name}' is left over from a merge or an editor; it is never "
                "published: delete it (or merge its changes into the real file)",
            )
        )
    elif entry.is_symlink():
        _link(scan, uri, Path(entry.path), real_root, shown(Path(entry.path)))
        scan.withheld[uri] = LINKED
    elif markdown and not name.endswith(MARKDOWN_EXTENSIONS):
        scan.withheld[uri] = CASE
        scan.findings.append(
            RULES["markdown-extension-case"].finding(
                shown(Path(entry.path)),
                1,
                1,
                f"MkDocs renders '{PurePosixPath(name).suffix.lower()}' only in lower "
                f"case and would copy '{name}' as it is, front matter and all; it is "
                "not published: rename it with a lower-case extension",
            )
        )
    elif markdown and any(p.startswith(".") for p in uri.split("/")):
        scan.withheld[uri] = HIDDEN
    elif not markdown and not entry.is_file(follow_symlinks=False):
        # A FIFO would hang the copy; Markdown gets its `unreadable` finding when read.
        scan.withheld[uri] = SPECIAL
        scan.findings.append(
            RULES["unreadable"].finding(
                shown(Path(entry.path)), 1, 1, "this is not a regular file; it is not published"
            )
        )


def _link(scan: DocsScan, uri: str, path: Path, real_root: str, shown: str) -> None:
    target = os.path.realpath(path)
    inside = target == real_root or target.startswith(real_root.rstrip(os.sep) + os.sep)
    if inside and os.path.exists(target):
        scan.findings.append(
            RULES["symlink-twice"].finding(
                shown,
                1,
                1,
                f"'{uri}' is a symbolic link to '{os.path.relpath(target, real_root)}' in "
                "docs_dir, which makes the same files reachable twice; nothing is published "
                "through it: remove the link",
            )
        )
    else:
        scan.findings.append(
            RULES["symlink-outside"].finding(
                shown,
                1,
                1,
                f"'{uri}' is a symbolic link that leaves docs_dir (or points nowhere); "
                "nothing is published through it: copy what the site needs into docs_dir "
                "and remove the link",
            )
        )


def restricted_page(data: Any, has_front_matter: bool, body: str) -> bool:
    """Whether a page's front matter withholds it. Also reads MultiMarkdown
    style meta (`Visibility: restricted` lines first in a file without
    `---`), which MkDocs understands too."""
    if has_front_matter:
        if not isinstance(data, dict):
            return False
        values = [v for k, v in data.items() if str(k).strip().lower() == "visibility"]
        return any(
            not (isinstance(v, str) and v.strip().lower() in PUBLIC_VISIBILITIES) for v in values
        )
    for line in body.split("\n", 64)[:64]:
        key, sep, value = line.partition(":")
        name = key.lstrip(" ")
        if not sep or len(key) - len(name) > 3 or not name or not _META_KEY.issuperset(name):
            if line.startswith(("    ", "\t")) and line.strip():
                continue  # a value carried over to the next line
            break  # MkDocs reads meta only from the first lines of this form
        if name.lower() == "visibility":
            return value.strip().lower() not in PUBLIC_VISIBILITIES
    return False


# Characters of a MultiMarkdown meta key, as MkDocs' META_RE takes them.
_META_KEY: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def decide(scan: DocsScan, documents: Mapping[str, Any], published: Collection[str]) -> Decision:
    """Publish what the scan found and placed: `documents` are the checked
    Markdown files (CheckedDocument) by src_uri, `published` the src_uris of
    the postmortems that go on the site."""
    withheld = dict(scan.withheld)
    asset_dirs: set[str] = set()
    for uri, checked in documents.items():
        if uri not in scan.files:
            continue  # a file named on the command line, outside docs_dir
        doc = checked.document
        if checked.is_postmortem:
            if uri in published:
                continue
            withheld.setdefault(uri, UNPUBLISHED)
            parent = PurePosixPath(uri).parent
            stem = PurePosixPath(uri).stem
            for name in {stem, checked.id} - {None, ""}:
                asset_dirs.add((parent / str(name)).as_posix())
        elif doc.data is None and doc.findings:
            withheld.setdefault(uri, UNREAD)
        elif restricted_page(doc.data, doc.has_front_matter, doc.body):
            withheld.setdefault(uri, RESTRICTED)
    # Files under a linked folder are not in the scan: the adapter drops
    # whatever the scan did not place.
    for uri in scan.files if asset_dirs else ():
        folders = PurePosixPath(uri).parents
        if uri not in withheld and any(f.as_posix() in asset_dirs for f in folders):
            withheld[uri] = ASSET
    return Decision(frozenset(u for u in scan.files if u not in withheld), withheld)


# An anchor MkDocs wrote for a Markdown link. Anchors are never nested and
# Python-Markdown closes each one, so the lazy body stops at its own `</a>`.
_ANCHOR = re.compile(r'<a\s[^<>]*?href="([^"<>]*)"[^<>]*>(.*?)</a>', re.S)


def link_target(href: str, page_src_uri: str) -> str | None:
    """The docs_dir path a relative link of a page points at, or None for
    links that leave the site (a scheme, `//host`, or `/` from the root)."""
    path = unquote(href.split("#", 1)[0].split("?", 1)[0])
    if not path or "://" in href or href.startswith(("/", "mailto:")):
        return None
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(page_src_uri), path))
    return None if joined.startswith("..") else joined


def bare_ids(html_text: str, page_src_uri: str, withheld: Mapping[str, str]) -> str:
    """The page's HTML with every link to a withheld file (by its docs_dir
    path) replaced by the label given for it: a postmortem's bare id. The
    file's name (its slug) and the link's own text go with the link, as the
    spec says a link to a restricted postmortem shows only its id."""
    if not withheld or "<a" not in html_text:
        return html_text
    # Cheap test first: most pages link to none of them.
    stems = {posixpath.basename(uri).rsplit(".", 1)[0] for uri in withheld}
    if not any(stem in html_text for stem in stems):
        return html_text

    def replace(match: re.Match[str]) -> str:
        target = link_target(html.unescape(match.group(1)), page_src_uri)
        label = withheld.get(target) if target is not None else None
        if label is None:
            return match.group(0)
        return f'<span class="pm-bare-id">{html.escape(label)}</span>'

    return _ANCHOR.sub(replace, html_text)
