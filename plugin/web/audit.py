"""`postmortems audit`: does a built site hold anything of a postmortem that
must not be published?

The plugin decides what a build publishes; the audit checks the result, so it
catches what any builder did: Zensical (which reads mkdocs.yml and skips our
plugin), a build without the plugin, a hand-made copy. It knows nothing of
MkDocs: it reads the library as lint does and every byte of a site folder.

Matching is on words, after undoing every encoding a site generator applies
(JSON and JavaScript escapes, percent-encoding, HTML entities, Unicode forms,
letter case, line reflow and markup), so a leak cannot hide behind one:

- needles are short word sequences: an id, a title, a summary (a long one
  as overlapping runs of `NGRAM` words), every run of `NGRAM` words of the
  body, asset file names; plus the exact bytes of each asset file;
- needles also found in what is published (published postmortems, ordinary
  pages, the taxonomy, the generated guide, our templates, file names) are
  dropped: they are not distinctive, and would only raise false alarms;
- each site file is read once, with a window of the last `NGRAM` words and a
  dictionary lookup per needle length: time linear in the site's size.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import stat
import unicodedata
import zlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final
from urllib.parse import unquote

from ..check.checks import CheckedDocument
from ..check.library import Library, display_path, resolve_taxonomy_path
from ..resources import TEMPLATES_DIR
from ..urls import incident_url
from . import authoring
from .guide import render_guide

# Words in a run of body text. Eight words in the same order almost never
# recur by chance outside a copy of the text, and a leaked sentence has that many.
NGRAM: Final = 8
DEFAULT_MAX_FILE_BYTES: Final = 32 * 2**20
_GZIP_MAGIC: Final = b"\x1f\x8b"
# A gzip file inside a gzip file inside ...: deeper than this is not a site.
_MAX_GZIP_DEPTH: Final = 3
# Between two streams of words (two tags): no needle spans it.
_SEP: Final = "\x00"

ID, TITLE, SUMMARY, BODY, FRONT_MATTER, ASSET_NAME, ASSET_FILE, SOURCE_FILE = (
    "id",
    "title",
    "summary",
    "body text",
    "front-matter text",
    "asset name",
    "asset file (same bytes)",
    "copy of the Markdown file",
)
# Order of kinds in a report line.
_KIND_ORDER: Final = (ID, TITLE, SUMMARY, BODY, FRONT_MATTER, ASSET_NAME, ASSET_FILE, SOURCE_FILE)
# Front-matter keys whose values are matched on their own (or not at all:
# dates, status and severity words are on every page).
_OWN_KIND: Final = {"id": ID, "title": TITLE, "summary": SUMMARY}
_NOT_TEXT: Final = {
    "status",
    "severity",
    "visibility",
    "date",
    "detected",
    "resolved",
    "systems",
    "layer",
    "category",
    "type",
    "due",
    "closed",
    "related",
    "legal_review",
    "types",
}
# Front-matter text shorter than this many words is too common to tell a leak.
_MIN_FRONT_MATTER_WORDS: Final = 4
# Front-matter keys distinctive whatever their length.
_DISTINCTIVE: Final = {"reference"}
# Files where a restricted id may show as the bare id of a `related` link
# (spec section 4): the citing incident's page, and the site-wide exports and
# search index that carry that page's text.
_RELATED_EXPORTS: Final = frozenset(
    {"incidents.json", "incidents.csv", "search_index.json", "search_index.js"}
)

_WORD = re.compile(r"\w+")
# A tag: `<` to the next `>` with no `<` between. Each start fails at the next
# `<` at the latest, so a run without `>` costs linear time, not quadratic.
_TAG = re.compile(r"<[^<>]*>")
_BACKSLASH = re.compile(r"\\(?:u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|(.))", re.DOTALL)
_BACKSLASH_WHITE = {"n": " ", "r": " ", "t": " ", "b": " ", "f": " "}
# Invisible characters that split a word without showing: soft hyphen,
# zero-width space and joiners, word joiner, byte-order mark.
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]+")


@dataclass(frozen=True)
class Unpublished:
    """A Markdown file of docs_dir whose content must not be on the site."""

    path: str
    id: str | None
    reason: str


@dataclass(frozen=True)
class Leak:
    """What of one unpublished file was found in one site file."""

    site_file: str
    # "" (its content), "gzip member" or "file name".
    where: str
    source: Unpublished
    kinds: tuple[str, ...]

    def line(self) -> str:
        where = f" ({self.where})" if self.where else ""
        return (
            f"{self.site_file}{where}: {', '.join(self.kinds)} of {self.source.path} "
            f"({self.source.reason})"
        )


@dataclass(frozen=True)
class Unscanned:
    site_file: str
    reason: str

    def line(self) -> str:
        return f"{self.site_file}: not scanned: {self.reason}"


@dataclass
class AuditResult:
    unpublished: list[Unpublished]
    leaks: list[Leak] = field(default_factory=list)
    unscanned: list[Unscanned] = field(default_factory=list)
    files: int = 0
    bytes: int = 0

    @property
    def clean(self) -> bool:
        return not self.leaks and not self.unscanned


# --- text to words ------------------------------------------------------------------


def _unbackslash(m: re.Match[str]) -> str:
    code = m.group(1) or m.group(2)
    if code is not None:
        return chr(int(code, 16))
    char = m.group(3)
    return _BACKSLASH_WHITE.get(char, char)


def normalise(text: str) -> str:
    """Text as a reader sees it, in one canonical form: escapes undone,
    Unicode composed, case folded. Tags stay (words_in_text skips them)."""
    # Twice each: a JSON string inside a JSON string (`\\u00e9`), and
    # `&amp;#x27;`, which shows as `&#x27;` and still tells the word.
    for _ in range(2):
        if "\\" in text:
            text = _BACKSLASH.sub(_unbackslash, text)
    for _ in range(2):
        if "%" in text:
            text = unquote(text, errors="replace")
        if "&" in text:
            text = html.unescape(text)
    return unicodedata.normalize("NFKC", _INVISIBLE.sub("", text)).casefold()


def words_in_text(text: str) -> Iterator[str]:
    """The words outside tags, in order, as one stream (markup dropped, so a
    title cut by `<em>` still reads on)."""
    pos = 0
    for m in _TAG.finditer(text):
        yield from _WORD.findall(text, pos, m.start())
        pos = m.end()
    yield from _WORD.findall(text, pos)


def words_in_tags(text: str) -> Iterator[str]:
    """The words inside tags (attribute values: titles, alt text, links;
    comments), each tag a stream of its own."""
    for m in _TAG.finditer(text):
        yield _SEP
        yield from _WORD.findall(text, m.start(), m.end())


def words_of(text: str) -> tuple[str, ...]:
    """The words of a needle, read the way site files are read."""
    return tuple(words_in_text(normalise(text)))


# --- needles ------------------------------------------------------------------------

Hit = tuple[int, str]


class Needles:
    """Word sequences (at most NGRAM words) and byte contents to look for,
    each naming the unpublished file and the kind of text it comes from."""

    def __init__(self) -> None:
        self.by_length: dict[int, dict[tuple[str, ...], set[Hit]]] = defaultdict(dict)
        self.by_digest: dict[int, dict[bytes, set[Hit]]] = defaultdict(dict)

    def add_words(self, words: tuple[str, ...], hit: Hit) -> None:
        if not words:
            return
        if len(words) <= NGRAM:
            self.by_length[len(words)].setdefault(words, set()).add(hit)
            return
        table = self.by_length[NGRAM]
        for i in range(len(words) - NGRAM + 1):
            table.setdefault(words[i : i + NGRAM], set()).add(hit)

    def add_bytes(self, data: bytes, hit: Hit) -> None:
        if data:
            self.by_digest[len(data)].setdefault(_digest(data), set()).add(hit)

    def drop(self, found: Iterable[tuple[str, ...]], keep_kind: str) -> None:
        for words in found:
            table = self.by_length.get(len(words), {})
            hits = table.get(words)
            if hits is None:
                continue
            kept = {h for h in hits if h[1] == keep_kind}
            if kept:
                table[words] = kept
            else:
                del table[words]

    def matcher(self) -> Matcher:
        return Matcher({n: t for n, t in self.by_length.items() if t})


def _digest(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


class Matcher:
    def __init__(self, by_length: dict[int, dict[tuple[str, ...], set[Hit]]]) -> None:
        self.by_length = by_length
        self.longest = max(by_length, default=0)
        # By last word, the lengths of the needles that end with it: most words
        # of a site (markup, scripts) end no needle and cost one lookup.
        ends: dict[str, set[int]] = defaultdict(set)
        for size, table in by_length.items():
            for key in table:
                ends[key[-1]].add(size)
        self.ends = {word: tuple(sorted(sizes)) for word, sizes in ends.items()}

    def scan(self, words: Iterable[str], found: set[Hit]) -> None:
        """Add the hits of every needle in this stream of words."""
        for _ in self.scan_sequences(words, found):
            pass

    def scan_sequences(self, words: Iterable[str], found: set[Hit]) -> Iterator[tuple[str, ...]]:
        """As scan, yielding each matching word sequence."""
        ends, tables, longest = self.ends, self.by_length, self.longest
        if not ends:
            return
        window: list[str] = []
        for word in words:
            window.append(word)
            if len(window) > 4096:
                # Keep the window short; amortised, this is linear.
                del window[:-longest]
            sizes = ends.get(word)
            if sizes is None:
                continue
            n = len(window)
            for size in sizes:
                if size > n:
                    break
                key = tuple(window[n - size :])
                hits = tables[size].get(key)
                if hits:
                    found.update(hits)
                    yield key


# --- the library's side -----------------------------------------------------------


def _strings(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    """(key, text) of every string in a front-matter value, however nested."""
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, str(k))
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v, key)


def _asset_files(md_file: Path, names: Iterable[str]) -> Iterator[Path]:
    """Files in the folders beside a postmortem named after its stem or id."""
    seen: set[Path] = set()
    for name in names:
        folder = md_file.parent / name
        if folder in seen or not folder.is_dir() or folder.is_symlink():
            continue
        seen.add(folder)
        for root, dirs, files in os.walk(folder):
            dirs.sort()
            for f in sorted(files):
                yield Path(root, f)


@dataclass
class _Plan:
    unpublished: list[Unpublished]
    needles: Needles
    # For each unpublished id: the site files where its bare id is expected.
    related_pages: dict[str, set[str]]


def _why_unpublished(checked: CheckedDocument, published: set[int]) -> str | None:
    """Why the plugin keeps this Markdown file off the site; None if it publishes it."""
    data = checked.document.data
    visibility = data.get("visibility") if isinstance(data, dict) else None
    if not checked.is_postmortem:
        restricted = isinstance(visibility, str) and visibility.strip().lower() == "restricted"
        return "restricted page" if restricted else None
    pm = checked.postmortem
    if pm is None:
        # The build fails on it; a builder without our checks would publish it.
        return "restricted" if visibility == "restricted" else "not publishable: lint errors"
    if id(pm) in published:
        return None
    if pm.is_restricted:
        return "restricted"
    return f"status {pm.status} while include_drafts is false"


def plan(library: Library, docs_dir: Path, config_file: Path | None) -> _Plan:
    """What to look for: everything of what the plugin would not publish,
    less what is also in what it does publish."""
    published = library.published()
    keep = {id(p) for p in published}
    unpublished: list[Unpublished] = []
    needles = Needles()
    public_texts: list[str] = []
    secret_files: set[Path] = set()
    for rel, checked in library.documents.items():
        doc = checked.document
        data = doc.data if isinstance(doc.data, dict) else {}
        reason = _why_unpublished(checked, keep)
        if reason is None:
            public_texts.append(doc.body)
            public_texts.extend(s for _, s in _strings(data))
            continue
        md_file = docs_dir / rel
        raw_id = data.get("id")
        pm_id = checked.id or (raw_id if isinstance(raw_id, str) else None)
        index = len(unpublished)
        unpublished.append(Unpublished(doc.path, pm_id, reason))
        secret_files.add(md_file)
        for top, value in data.items():
            # Only the postmortem's own id, title and summary: a factor's
            # `summary` or an action item's `title` is front-matter text.
            if top in _OWN_KIND and isinstance(value, str):
                needles.add_words(words_of(value), (index, _OWN_KIND[top]))
                continue
            for key, text in _strings(value, str(top)):
                if key in _NOT_TEXT:
                    continue
                words = words_of(text)
                # A regulator's reference is short but names this incident alone.
                if len(words) >= _MIN_FRONT_MATTER_WORDS or key in _DISTINCTIVE:
                    needles.add_words(words, (index, FRONT_MATTER))
        if pm_id:
            needles.add_words(words_of(pm_id), (index, ID))
        body = words_of(doc.body)
        if len(body) >= NGRAM:
            needles.add_words(body, (index, BODY))
        source = _read_regular(md_file)
        if source is not None:
            needles.add_bytes(source, (index, SOURCE_FILE))
        if checked.is_postmortem:
            for asset in _asset_files(md_file, {md_file.stem, *([pm_id] if pm_id else [])}):
                secret_files.add(asset)
                needles.add_words(words_of(asset.name), (index, ASSET_NAME))
                asset_bytes = _read_regular(asset)
                if asset_bytes is not None:
                    needles.add_bytes(asset_bytes, (index, ASSET_FILE))

    public_texts.extend(_generated_texts(library, config_file))
    public_texts.extend(_public_file_names(docs_dir, secret_files))
    # What is also published is not distinctive: drop it, except ids (which
    # are distinctive by format, and whose expected places are listed below).
    probe = needles.matcher()
    sink: set[Hit] = set()
    for text in public_texts:
        norm = normalise(text)
        for stream in (words_in_text(norm), words_in_tags(norm)):
            needles.drop(list(probe.scan_sequences(stream, sink)), keep_kind=ID)

    related_pages: dict[str, set[str]] = defaultdict(set)
    for pm in published:
        for rid in pm.related:
            related_pages[rid].add(incident_url(pm.id) + "index.html")
    return _Plan(unpublished, needles, dict(related_pages))


def _generated_texts(library: Library, config_file: Path | None) -> Iterator[str]:
    """Text the plugin and theme publish on their own: what the guide,
    the templates, the taxonomy and the site's configuration say."""
    settings = library.settings
    yield authoring.SUMMARY_PLACEHOLDER
    yield authoring.OTHER_SECTION_PROMPT
    yield from authoring.SECTION_PROMPTS.values()
    if library.taxonomy is not None:
        yield render_guide(library.taxonomy, settings)
        yield from (s for _, s in _strings(asdict(library.taxonomy)))
    for path in sorted(TEMPLATES_DIR.rglob("*")):
        if path.is_file():
            yield path.read_text(encoding="utf-8", errors="replace")
    if config_file is not None:
        for path in (config_file, resolve_taxonomy_path(settings, config_file.parent)):
            data = _read_regular(path)
            if data is not None:
                yield data.decode("utf-8", errors="replace")


def _read_regular(path: Path, limit: int = DEFAULT_MAX_FILE_BYTES) -> bytes | None:
    """A regular file's bytes, at most `limit` of them; None for anything
    else. A FIFO reports size 0 and would block a plain read forever."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return None
        with path.open("rb") as fh:
            data = fh.read(limit + 1)
    except OSError:
        return None
    return data if len(data) <= limit else None


def _public_file_names(docs_dir: Path, secret: set[Path]) -> Iterator[str]:
    if not docs_dir.is_dir():
        return
    for root, dirs, files in os.walk(docs_dir):
        dirs.sort()
        for name in sorted(files):
            path = Path(root, name)
            if path not in secret:
                yield path.relative_to(docs_dir).as_posix()


# --- the site's side --------------------------------------------------------------


def site_files(site_dir: Path, errors: list[OSError]) -> Iterator[Path]:
    """Every file under site_dir, hidden ones and those behind symbolic
    links included (a deploy copies them), each folder once. Folders that
    cannot be listed go to `errors`: unread is not clean."""
    seen: set[tuple[int, int]] = set()
    for root, dirs, files in os.walk(site_dir, onerror=errors.append, followlinks=True):
        st = os.stat(root)
        if (st.st_dev, st.st_ino) in seen:
            dirs[:] = []
            continue
        seen.add((st.st_dev, st.st_ino))
        dirs.sort()
        for name in sorted(files):
            yield Path(root, name)


class _TooLarge(Exception):
    pass


def _gunzip(data: bytes, limit: int) -> tuple[bytes, bytes]:
    """Every member of a gzip file, at most `limit` bytes out (a gzip bomb
    stops there), and whatever follows the last member. Raises zlib.error on
    a broken stream, _TooLarge past limit."""
    out: list[bytes] = []
    total = 0
    while data:
        d = zlib.decompressobj(wbits=31)
        chunk = d.decompress(data, limit + 1 - total)
        total += len(chunk)
        out.append(chunk)
        if total > limit:
            raise _TooLarge
        if not d.eof:
            raise zlib.error("the gzip stream ends early")
        data = d.unused_data
        if data and not data.startswith(_GZIP_MAGIC):
            # Padding after the last member, as some tools write, or text
            # appended to the file: the caller reads it as it is.
            return b"".join(out), data
    return b"".join(out), b""


class Auditor:
    def __init__(self, plan: _Plan, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES) -> None:
        self.plan = plan
        self.matcher = plan.needles.matcher()
        self.digests = plan.needles.by_digest
        self.max_file_bytes = max_file_bytes

    def audit(self, site_dir: Path, shown_from: Path) -> AuditResult:
        result = AuditResult(self.plan.unpublished)
        errors: list[OSError] = []
        for path in site_files(site_dir, errors):
            shown = display_path(path, shown_from)
            rel = path.relative_to(site_dir).as_posix()
            result.files += 1
            self._report(result, shown, rel, "file name", self._scan_name(rel))
            try:
                st = path.stat()
            except OSError as exc:
                result.unscanned.append(Unscanned(shown, exc.strerror or str(exc)))
                continue
            if not stat.S_ISREG(st.st_mode):
                result.unscanned.append(Unscanned(shown, "not a regular file"))
                continue
            if st.st_size > self.max_file_bytes:
                result.unscanned.append(Unscanned(shown, self._too_large()))
                continue
            try:
                data = path.read_bytes()
            except OSError as exc:
                result.unscanned.append(Unscanned(shown, exc.strerror or str(exc)))
                continue
            result.bytes += len(data)
            self._report(result, shown, rel, "", self.scan_bytes(data))
            if data.startswith(_GZIP_MAGIC):
                found: set[Hit] = set()
                problem = self._scan_gzip(data, found)
                if problem:
                    result.unscanned.append(Unscanned(shown, problem))
                self._report(result, shown, rel, "gzip member", found)
        for error in errors:
            folder = display_path(Path(error.filename or site_dir), shown_from)
            result.unscanned.append(Unscanned(folder, error.strerror or str(error)))
        return result

    def _too_large(self) -> str:
        return f"larger than {self.max_file_bytes:,} bytes (raise --max-file-size to scan it)"

    def _scan_gzip(self, data: bytes, found: set[Hit], depth: int = 1) -> str | None:
        try:
            inner, trailing = _gunzip(data, self.max_file_bytes)
        except _TooLarge:
            return f"a gzip member {self._too_large()}"
        except zlib.error as exc:
            return f"a gzip file that cannot be read ({exc})"
        found |= self.scan_bytes(inner)
        if trailing:
            found |= self.scan_bytes(trailing)
        if inner.startswith(_GZIP_MAGIC):
            if depth >= _MAX_GZIP_DEPTH:
                return f"gzip nested more than {_MAX_GZIP_DEPTH} deep"
            return self._scan_gzip(inner, found, depth + 1)
        return None

    def _scan_name(self, rel: str) -> set[Hit]:
        found: set[Hit] = set()
        self.matcher.scan(words_in_text(normalise(rel)), found)
        return found

    def scan_bytes(self, data: bytes) -> set[Hit]:
        """The hits in one file's bytes: its exact content, its words."""
        found: set[Hit] = set()
        by_digest = self.digests.get(len(data))
        if by_digest:
            found |= by_digest.get(_digest(data), set())
        if data.startswith(_GZIP_MAGIC):
            return found  # compressed bytes hold no words; the members are read
        # UTF-8 as a site is written; UTF-16 where a byte-order mark says so.
        encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8"
        text = normalise(data.decode(encoding, errors="replace"))
        self.matcher.scan(words_in_text(text), found)
        self.matcher.scan(words_in_tags(text), found)
        return found

    def _report(
        self, result: AuditResult, shown: str, rel: str, where: str, hits: set[Hit]
    ) -> None:
        by_source: dict[int, set[str]] = defaultdict(set)
        for index, kind in hits:
            by_source[index].add(kind)
        for index in sorted(by_source):
            source = self.plan.unpublished[index]
            kinds = by_source[index]
            if where != "file name" and source.id and self._expected(source.id, rel):
                kinds.discard(ID)
            if kinds:
                ordered = tuple(k for k in _KIND_ORDER if k in kinds)
                result.leaks.append(Leak(shown, where, source, ordered))

    def _expected(self, pm_id: str, rel: str) -> bool:
        """A restricted id cited in a published incident's `related` shows as
        a bare id on that incident's page and in the exports that carry it."""
        pages = self.plan.related_pages.get(pm_id)
        if not pages:
            return False
        if rel.rsplit("/", 1)[-1] in _RELATED_EXPORTS:
            return True
        return any(rel == page or rel.endswith("/" + page) for page in pages)


def audit_site(
    site_dir: Path,
    library: Library,
    docs_dir: Path,
    config_file: Path | None = None,
    shown_from: Path | None = None,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
) -> AuditResult:
    """Scan every file of a built site for what the library does not publish."""
    shown_from = shown_from or Path.cwd()
    return Auditor(plan(library, docs_dir, config_file), max_file_bytes).audit(site_dir, shown_from)


def summary_line(result: AuditResult) -> str:
    files = len({leak.site_file for leak in result.leaks})
    return (
        f"{result.files} site file(s) audited ({result.bytes:,} bytes) for "
        f"{len(result.unpublished)} unpublished file(s): {len(result.leaks)} leak(s) in "
        f"{files} file(s), {len(result.unscanned)} not scanned"
    )
