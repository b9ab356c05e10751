"""What of docs_dir may be published: an allowlist, decided in one place.

MkDocs publishes every file it finds in docs_dir. This module walks
docs_dir once, as MkDocs would but without following symbolic links, and
gives each file a fate. Lint reads the Markdown this walk finds and reports
its findings; the build publishes only what `decide` allows and drops
everything else from docs_dir, so the two cannot disagree. Anything not
placed here is not published (spec 4, "Publication fails closed").
"""

from __future__ import annotations

import contextlib
import functools
import html
import itertools
import os
import posixpath
import re
import stat
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any, Final
from urllib.parse import quote, unquote

import ahocorasick

from ..enums import VISIBILITIES
from ..model import Finding
from ..parse.frontmatter import (
    DEFAULT_LIMITS,
    Document,
    YamlData,
    decode,
    parse_yaml,
    read_bounded,
    read_document,
)
from ..rules import RULES

# The extensions MkDocs 1.6 renders as pages (mkdocs.utils.markdown_extensions),
# matched as MkDocs matches them: case-sensitively.
MARKDOWN_EXTENSIONS: Final = (".markdown", ".mdown", ".mkdn", ".mkd", ".md")
# What merges and editors leave beside the files they touch; compared in lower case.
LEFTOVER_SUFFIXES: Final = (".orig", ".rej", ".bak", "~", ".swp", ".tmp")
LEFTOVER_PREFIXES: Final = (".#",)
# The one visibility that may be published; any other value withholds the page.
PUBLIC_VISIBILITY: Final = "internal"
# The values the format knows (the schema's); any other is a typo, and an error besides.
KNOWN_VISIBILITIES: Final = VISIBILITIES
# Material's meta plugin reads a folder's defaults from this file, whether or
# not it is enabled: a site may enable it later, or build with Zensical.
META_FILE: Final = ".meta.yml"

# Why a file is withheld, as the table of docs/publication.md says it.
RESTRICTED: Final = "its front matter says visibility: restricted"
INHERITED: Final = "a .meta.yml of its folder or above withholds it"
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
    # Each folder's META_FILE (folder as "a/b", docs_dir as ""): its path.
    meta_files: dict[str, str] = field(default_factory=dict)
    # Files MkDocs copies as they are whose first line opens a front-matter
    # block (see `read_copied_front_matter`), parsed, by src_uri.
    front_matter: dict[str, Document] = field(default_factory=dict)

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
    if name == META_FILE and entry.is_file(follow_symlinks=False):
        scan.meta_files[posixpath.dirname(uri)] = entry.path
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


# How a file whose first line opens a front-matter block begins (a BOM aside).
_OPENINGS: Final = (b"---", b"\xef\xbb\xbf---")
# A first line that opens a front-matter block (as python-frontmatter's
# boundary: three dashes or more, then only spaces).
_OPENING_LINE: Final = re.compile(rb"(?:\xef\xbb\xbf)?-{3,}[ \t]*\r?(?:\n|$)")
# The first line that is YAML's document end, `...` (what follows the first line).
_DOTS_END: Final = re.compile(rb"(\n)\.\.\.([ \t]*\r?(?:\n|$))")


def opens_front_matter(location: str) -> bool:
    """Whether a file's first line opens a front-matter block: one short
    read, so a site's images and archives cost next to nothing. What is not
    a regular file may (a FIFO's read would never end): True, so that the
    caller's bounded read (`read_bounded`) refuses it with its finding."""
    try:
        # Non-blocking: opening a FIFO to read waits for a writer otherwise.
        fd = os.open(location, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                return True
            return fh.read(len(_OPENINGS[1])).startswith(_OPENINGS)
    except OSError:
        return False  # MkDocs' copy meets the same error


def hidden_uri(uri: str) -> bool:
    """MkDocs publishes nothing under a name that starts with a dot, unless
    `exclude_docs` says so (`!.well-known/`, a common pattern)."""
    return any(part.startswith(".") for part in uri.split("/"))


def copied_document(raw: bytes, name: str) -> Document | None:
    """A copied file's front matter and text, where its first line opens a
    block that a `---` line closes; else None (not front matter)."""
    if not _OPENING_LINE.match(raw):
        return None  # `--- a/file`, a unified diff's first line, opens nothing
    doc = read_document(raw, name)
    if _unclosed(doc):
        # YAML's document end `...` closes a block as `---` does (MkDocs
        # reads a page's front matter so): read it as if closed by `---`.
        closed = _DOTS_END.sub(b"\\1---\\2", raw, count=1)
        if closed != raw:
            doc = read_document(closed, name)
    return None if not doc.has_front_matter or _unclosed(doc) else doc


def _unclosed(doc: Document) -> bool:
    return any(x.rule == "front-matter-unclosed" for x in doc.findings)


def unread_document(name: str, refused: list[Finding]) -> Document:
    """A file too large or unreadable to parse: it cannot be classified."""
    doc = Document(name, True, YamlData(), "", 1)
    doc.findings.extend(refused)
    return doc


def withholds_itself(
    raw: bytes, name: str, page: bool, inherited: Collection[Any] = ()
) -> Document | None:
    """A file another plugin added (generated, or from a folder of its own),
    read as the plugin decides a file of docs_dir by what it says: the
    document where its own meta withholds it or cannot be read, or where it
    says no visibility and its folder's `.meta.yml` (`inherited`) withholds
    it; else None. `page`: MkDocs renders it (Markdown, front matter or
    MultiMarkdown meta); otherwise it is copied, and only a closed
    front-matter block counts."""
    doc = read_document(raw, name) if page else copied_document(raw, name)
    if doc is not None and doc.data is None and doc.findings:
        return doc
    own = page_visibility(doc.data, doc.has_front_matter, doc.body) if doc is not None else []
    if withheld_for(own, inherited) is None:
        return None
    if doc is None:
        # A copied file its folder withholds: its text, where it is text and
        # no larger than a file of docs_dir may be, for the output guard to
        # look for (its name and bytes are looked for whatever its size).
        body = ""
        if len(raw) <= DEFAULT_LIMITS.max_file_bytes:
            with contextlib.suppress(UnicodeDecodeError):
                body = raw.decode("utf-8")
        doc = Document(name, False, YamlData(), body, 1)
    return doc


def withholds_read_from(
    location: str, name: str, page: bool, inherited: Collection[Any] = ()
) -> Document | None:
    """`withholds_itself` for a file another plugin added from a folder of
    its own, read no further than a file of docs_dir is (`read_bounded`):
    one that is larger, or not a regular file, cannot be classified, and is
    withheld with the finding that says why. A copied file whose first line
    opens no front matter is decided by its folder, and read only when that
    withholds it, for its text."""
    says = page or opens_front_matter(location)
    if not says and not withholds(inherited):
        return None
    raw, refused = read_bounded(Path(location), name, what="files")
    if raw is None and says:
        return unread_document(name, refused)
    return withholds_itself(raw or b"", name, page, inherited)


def unclassified_findings(doc: Document) -> list[Finding]:
    """The findings of a file another plugin added that could not be
    classified (`withholds_itself`), each told by its rule alone: a
    parser's message may quote the file, and `postmortems lint`, which
    would show it, never sees another plugin's files."""
    if doc.data is not None:
        return []
    said = "; another plugin added it, and it is not published"
    return [replace(f, message=RULES[f.rule].summary + said) for f in doc.findings]


def read_copied_front_matter(scan: DocsScan, shown: Callable[[Path], str]) -> list[Finding]:
    """Parse the front matter of files MkDocs copies as they are (a `.txt`
    or `.html` copy of a postmortem, notes saved under another extension):
    no theme reads it, so `visibility: restricted` there would withhold
    nothing, yet spec 4 says such a file is never published. A file is read
    only when its first line is `---` (one short read each), and counts only
    where a closing `---` follows: a YAML file starting a document with
    `---` is not front matter. What cannot be parsed cannot be told apart
    from restricted, so it is withheld, with the parser's findings. A hidden
    file is decided too (`exclude_docs: "!.well-known/"` publishes it) but
    not reported: most sites never publish it."""
    findings: list[Finding] = []
    for uri, f in scan.files.items():
        if f.markdown or uri in scan.withheld:
            continue
        if not opens_front_matter(f.location):
            continue
        name = shown(f.path)
        raw, refused = read_bounded(f.path, name, what="files")
        doc = copied_document(raw, name) if raw is not None else unread_document(name, refused)
        if doc is None:
            continue
        scan.front_matter[uri] = doc
        if hidden_uri(uri):
            continue
        if doc.data is None:
            findings += doc.findings
        else:
            findings += page_visibility_findings(doc)
    return findings


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


def page_visibility(data: Any, has_front_matter: bool, body: str) -> list[Any]:
    """Every `visibility` a page gives itself, the key in any letter case:
    in its front matter, or in MultiMarkdown style meta (`Visibility:` lines
    first in a file without `---`), which MkDocs understands too."""
    if has_front_matter:
        if not isinstance(data, dict):
            return []
        return [v for k, v in data.items() if _is_visibility_key(k)]
    for line in body.split("\n", 64)[:64]:
        key, sep, value = line.partition(":")
        name = key.lstrip(" ")
        if not sep or len(key) - len(name) > 3 or not name or not _META_KEY.issuperset(name):
            if line.startswith(("    ", "\t")) and line.strip():
                continue  # a value carried over to the next line
            break  # MkDocs reads meta only from the first lines of this form
        if name.lower() == "visibility":
            return [value.strip()]
    return []


def _is_visibility_key(key: object) -> bool:
    return str(key).strip().lower() == "visibility"


def withheld_for(own: Collection[Any], inherited: Collection[Any]) -> str | None:
    """Why a file is withheld by visibility: RESTRICTED by the one it gives
    itself (`own`, see `page_visibility`), INHERITED by the one its folder's
    `.meta.yml` gives it (`inherited`), or None. Its own, where it says one,
    wins over its folder's either way, as Material's meta plugin has it."""
    if own:
        return RESTRICTED if withholds(own) else None
    return INHERITED if withholds(inherited) else None


def withholds(values: Collection[Any]) -> bool:
    """Whether these visibilities withhold a page: any but `internal` does,
    so a typo or a value nobody defined fails closed."""
    return any(not (isinstance(v, str) and _known(v) == PUBLIC_VISIBILITY) for v in values)


def _known(value: object) -> str | None:
    """A visibility the format knows, in any letter case (MultiMarkdown meta
    is often capitalised), else None."""
    if isinstance(value, str) and value.strip().lower() in KNOWN_VISIBILITIES:
        return value.strip().lower()
    return None


def confidential(uri: str, checked: Any, meta: FolderMeta) -> bool:
    """Whether a Markdown file (a CheckedDocument) is withheld for what it
    says: its visibility, its own or its folders', is not `internal`, or its
    front matter cannot be read to tell. Log lines about such a file must
    not quote it; a draft or a postmortem with errors is withheld too, but
    its findings are for its authors to read."""
    doc = checked.document
    if doc.data is None and doc.findings:
        return True
    if checked.postmortem is not None:
        return bool(checked.postmortem.is_restricted)
    data = doc.data if isinstance(doc.data, dict) else None
    if data is not None:
        # Validation writes the schema's default into the data: a lower-case
        # key counts where it was written.
        written = ("visibility",) in doc.yaml.key_offsets
        own = [
            v for k, v in data.items() if _is_visibility_key(k) and (k != "visibility" or written)
        ]
    else:
        own = page_visibility(data, doc.has_front_matter, doc.body)
    return withheld_for(own, meta.inherited(uri)) is not None


def confidential_paths(library: Any, decision: Decision) -> frozenset[str]:
    """The files `decision` withholds for what they say (restricted), as
    findings name them: a build logs their findings without their text."""
    pages = (
        checked.document.path
        for uri, checked in library.documents.items()
        if uri in decision.withheld and confidential(uri, checked, library.meta)
    )
    # A copied file is read only for its front matter, and withheld for it.
    copied = (
        doc.path for uri, doc in library.scan.front_matter.items() if uri in decision.withheld
    )
    return frozenset(itertools.chain(pages, copied))


def restricted_page(data: Any, has_front_matter: bool, body: str) -> bool:
    """Whether a page's own meta withholds it."""
    return withholds(page_visibility(data, has_front_matter, body))


@dataclass
class FolderMeta:
    """What a `.meta.yml` gives the Markdown of its folder and the folders
    below it, as Material's meta plugin would: the nearest file that sets
    `visibility` wins, a page's own front matter wins over all."""

    # Folder ("a/b", docs_dir as "") -> the visibility its META_FILE sets.
    visibility: dict[str, list[Any]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def inherited(self, uri: str) -> list[Any]:
        """The visibility a file at `uri` inherits (empty: none)."""
        folder = self.origin(uri)
        return [] if folder is None else self.visibility[folder]

    def origin(self, uri: str) -> str | None:
        """The folder whose META_FILE gives `uri` its visibility, if any."""
        if not self.visibility:
            return None
        folder = posixpath.dirname(uri)
        while True:
            if folder in self.visibility:
                return folder
            if not folder:
                return None
            folder = posixpath.dirname(folder)


# A META_FILE that cannot be read withholds everything below it.
_UNREADABLE_META: Final = ["<unreadable .meta.yml>"]


def read_folder_meta(scan: DocsScan, shown: Callable[[Path], str]) -> FolderMeta:
    """Read every folder's META_FILE, with the findings of those that cannot
    be read or set a visibility the format does not know."""
    meta = FolderMeta()
    for folder, location in scan.meta_files.items():
        path = Path(location)
        name = shown(path)
        raw, refused = read_bounded(path, name, what=".meta.yml files")
        text, problems = (None, refused) if raw is None else decode(raw, name, what=".meta.yml")
        parsed = parse_yaml(text, name, what=".meta.yml") if text is not None else None
        problems += parsed.findings if parsed is not None else []
        data = parsed.data if parsed is not None else None
        if problems or not isinstance(data, dict | None):
            meta.findings += problems or [
                RULES["meta-file"].finding(name, 1, 1, "a .meta.yml must be a mapping of keys")
            ]
            meta.findings.append(
                RULES["meta-file"].finding(
                    name,
                    1,
                    1,
                    "this .meta.yml cannot be read, so no Markdown in its folder or below is "
                    "published: correct it",
                )
            )
            meta.visibility[folder] = _UNREADABLE_META
            continue
        assert parsed is not None
        for key, value in (data or {}).items():
            if _is_visibility_key(key):
                meta.visibility.setdefault(folder, []).append(value)
                if _known(value) is None:
                    at = parsed.position((key,))
                    meta.findings.append(_visibility_finding(name, at.line, at.column, value))
    return meta


def _visibility_finding(path: str, line: int, column: int, value: Any) -> Finding:
    shown = value if isinstance(value, str) and len(value) <= 40 else type(value).__name__
    return RULES["visibility-value"].finding(
        path,
        line,
        column,
        f"visibility {shown!r} is neither internal nor restricted, so nothing it applies to "
        "is published: write `visibility: internal` or `visibility: restricted`",
    )


def page_visibility_findings(doc: Any) -> list[Finding]:
    """An ordinary page's own visibility values that the format does not
    know (a postmortem's are checked against the schema)."""
    found = []
    data = doc.data
    for value in page_visibility(data, doc.has_front_matter, doc.body):
        if _known(value) is not None:
            continue
        line, column = 1, 1
        if isinstance(data, dict):
            key = next(k for k in data if _is_visibility_key(k))
            at = doc.yaml.position((key,))
            line, column = at.line, at.column
        found.append(_visibility_finding(doc.path, line, column, value))
    return found


# Characters of a MultiMarkdown meta key, as MkDocs' META_RE takes them.
_META_KEY: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def decide(
    scan: DocsScan,
    documents: Mapping[str, Any],
    published: Collection[str],
    meta: FolderMeta | None = None,
) -> Decision:
    """Publish what the scan found and placed: `documents` are the checked
    Markdown files (CheckedDocument) by src_uri, `published` the src_uris of
    the postmortems that go on the site (their folders' `meta` is already
    part of that choice), `meta` what folders give ordinary pages."""
    withheld = dict(scan.withheld)
    asset_dirs: set[str] = set()
    # A published postmortem's assets go with it, whatever its folder's
    # `.meta.yml` says: its own `visibility: internal` won over that.
    published_assets: set[str] = set()
    for uri, checked in documents.items():
        if uri not in scan.files:
            continue  # a file named on the command line, outside docs_dir
        doc = checked.document
        if checked.is_postmortem:
            parent = PurePosixPath(uri).parent
            names = {PurePosixPath(uri).stem, checked.id} - {None, ""}
            beside = {(parent / str(name)).as_posix() for name in names}
            if uri in published:
                published_assets |= beside
                continue
            withheld.setdefault(uri, UNPUBLISHED)
            asset_dirs |= beside
        elif doc.data is None and doc.findings:
            withheld.setdefault(uri, UNREAD)
        else:
            own = page_visibility(doc.data, doc.has_front_matter, doc.body)
            why = withheld_for(own, meta.inherited(uri) if meta is not None else ())
            if why is not None:
                withheld.setdefault(uri, why)
    for uri, doc in scan.front_matter.items():
        if doc.data is None:
            withheld.setdefault(uri, UNREAD)
        elif restricted_page(doc.data, True, ""):
            withheld.setdefault(uri, RESTRICTED)
    # Files under a linked folder are not in the scan: the adapter drops
    # whatever the scan did not place.
    for uri in scan.files if asset_dirs else ():
        folders = PurePosixPath(uri).parents
        if uri not in withheld and any(f.as_posix() in asset_dirs for f in folders):
            withheld[uri] = ASSET
    if meta is not None and meta.visibility:
        # A folder marked restricted keeps its other files too (a spreadsheet
        # or a PDF beside its notes), though the meta plugin gives them nothing.
        for uri, f in scan.files.items():
            if f.markdown or uri in withheld:
                continue
            fm = scan.front_matter.get(uri)
            own = page_visibility(fm.data, True, "") if fm is not None else []
            if withheld_for(own, meta.inherited(uri)) != INHERITED:
                continue  # published, or withheld by its own front matter (above)
            # Exempt only from a `.meta.yml` above the asset folder: one in
            # it or below is nearer than the postmortem's own visibility.
            origin = meta.origin(uri) or ""
            if not any(
                d.as_posix() in published_assets
                and not (origin == d.as_posix() or origin.startswith(d.as_posix() + "/"))
                for d in PurePosixPath(uri).parents
            ):
                withheld[uri] = INHERITED
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


class WithheldLinks(dict[str, str]):
    """The files of postmortems a site does not publish, by docs_dir path,
    each with the id a link to it shows instead (`bare_ids`). Every page and
    every published text is asked whether it names any of them: one pass
    over the text, however many there are (a test per file name cost a
    10,000-incident build seconds per thousand withheld)."""

    _finder: Any = None

    def named_in(self, text: str) -> bool:
        if self._finder is None:
            self._finder = _stem_finder(self)
        return _finds(self._finder, text)

    def __reduce__(self) -> tuple[type[WithheldLinks], tuple[dict[str, str]]]:
        # The finder is made again where it is needed, not pickled.
        return WithheldLinks, (dict(self),)


def _stem_finder(withheld: Mapping[str, str]) -> Any:
    finder = ahocorasick.Automaton()
    for uri in withheld:
        stem = posixpath.basename(uri).rsplit(".", 1)[0]
        for form in _written_forms(stem):
            finder.add_word(form, stem)
    finder.make_automaton()
    return finder


# What a URL path may hold as it is (`quote`'s default, and the characters
# a link's path keeps unescaped in practice).
_URL_SAFE: Final = "/-_.~!$'()*+,;=:@"


def _written_forms(stem: str) -> set[str]:
    """The ways a link may spell a file stem: as it is, and, where it holds
    a space, a letter beyond ASCII or a reserved character, percent-encoded
    (in either case of hex digit, or only its spaces, as a Markdown link
    must write them), each with `&` as `&amp;` too, as HTML writes it. The
    links found are then read decoded (`link_target`). Decoding every page
    instead cost ten times the test on a page full of entities."""
    forms = {stem}
    if stem.isascii() and stem.isprintable() and not any(c in stem for c in ' "%&<>?#'):
        return forms
    forms.add(stem.replace(" ", "%20"))
    # `&` escaped or kept (then written `&amp;` in HTML, below).
    for safe in (_URL_SAFE, _URL_SAFE + "&"):
        quoted = quote(stem, safe=safe)
        forms |= {quoted, re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), quoted)}
    return forms | {f.replace("&", "&amp;") for f in forms}


def _finds(finder: Any, text: str) -> bool:
    return next(finder.iter(text), None) is not None


def _names_any(text: str, withheld: Mapping[str, str]) -> bool:
    """Whether the text names any withheld file: most pages link to none of
    them, and this is cheaper than reading their links."""
    if isinstance(withheld, WithheldLinks):
        return withheld.named_in(text)
    return _finds(_stem_finder(withheld), text)


def bare_ids(html_text: str, page_src_uri: str, withheld: Mapping[str, str]) -> str:
    """The page's HTML with every link to a withheld file (by its docs_dir
    path) replaced by the label given for it: a postmortem's bare id. The
    file's name (its slug) and the link's own text go with the link, as the
    spec says a link to a restricted postmortem shows only its id."""
    if not withheld or "<a" not in html_text or not _names_any(html_text, withheld):
        return html_text
    return _ANCHOR.sub(functools.partial(_bare_anchor, page_src_uri, withheld), html_text)


def _bare_anchor(page_src_uri: str, withheld: Mapping[str, str], match: re.Match[str]) -> str:
    target = link_target(html.unescape(match.group(1)), page_src_uri)
    label = withheld.get(target) if target is not None else None
    if label is None:
        return match.group(0)
    return f'<span class="pm-bare-id">{html.escape(label)}</span>'


# A Markdown link's text: brackets inside it only in balanced pairs, one
# deep. Quantifiers are possessive: a page's text is read in linear time.
_LINK_TEXT: Final = r"\[((?:[^\[\]\n]|\[[^\[\]\n]*+\])*+)\]"
# An inline link (or image): `[text](target "title")`.
_INLINE_LINK: Final = re.compile(_LINK_TEXT + r"\([^\S\n]*+(<[^<>\n]*+>|[^\s()<]++)[^()\n]*+\)")
# A link reference definition on a line of its own: `[label]: target "title"`.
_LINK_DEFINITION: Final = re.compile(r"^ {0,3}\[([^\[\]\n]++)\]:[ \t]*+(<[^<>\n]*+>|\S++).*$", re.M)
# A reference link: `[text][label]`, `[label][]` or `[label]`.
_REFERENCE_LINK: Final = re.compile(_LINK_TEXT + r"(?:\[([^\[\]\n]*+)\])?")


def markdown_bare_ids(markdown: str, page_src_uri: str, withheld: Mapping[str, str]) -> str:
    """A page's Markdown with what `bare_ids` takes out of its HTML taken
    out: each link to a withheld file (inline, by reference, or an HTML
    anchor) is its label, its text and target gone. The words of such a
    link are not on the page, so they do not make a withheld title or file
    name published."""
    if not withheld or not _names_any(markdown, withheld):
        return markdown

    def label_of(target: str) -> str | None:
        path = link_target(target.strip("<>"), page_src_uri)
        return withheld.get(path) if path is not None else None

    by_reference: dict[str, str] = {}

    def definition(match: re.Match[str]) -> str:
        label = label_of(match.group(2))
        if label is None:
            return match.group(0)
        by_reference[_reference_key(match.group(1))] = label
        return ""

    def inline(match: re.Match[str]) -> str:
        return label_of(match.group(2)) or match.group(0)

    def reference(match: re.Match[str]) -> str:
        # `[text][]` and `[text]` name their definition by their text.
        key = _reference_key(match.group(2) or match.group(1))
        return by_reference.get(key, match.group(0))

    text = _INLINE_LINK.sub(inline, _LINK_DEFINITION.sub(definition, markdown))
    if by_reference:
        text = _REFERENCE_LINK.sub(reference, text)
    return _ANCHOR.sub(functools.partial(_bare_anchor, page_src_uri, withheld), text)


def _reference_key(label: str) -> str:
    """A reference's label as Markdown matches it: case and spacing aside."""
    return " ".join(label.split()).casefold()
