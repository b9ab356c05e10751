"""`postmortems audit`: does a built site hold anything of a postmortem that
must not be published?

The plugin decides what a build publishes; the audit checks the result, so it
catches what any builder did: Zensical (which reads mkdocs.yml and skips our
plugin), a build without the plugin, a hand-made copy. It knows nothing of
MkDocs: it reads the library as lint does and every byte of a site folder.

Matching is on words, after undoing every encoding a site generator applies
(JSON and JavaScript escapes, percent-encoding, HTML entities, Unicode forms,
letter case, line reflow and markup), so a leak cannot hide behind one:

- needles are phrases of whole words: an id, the id with its slug, a title, a
  summary, every run of `NGRAM` words of the text, every line of at least
  `MIN_LINE_CHARS` characters (a short credential line), asset file names;
  plus the exact bytes of each asset file and of the Markdown file itself;
- needles also found in what is published (published pages, the taxonomy,
  the generated guide, our templates, file names) are dropped: they are not
  distinctive, and would only raise false alarms;
- each site file is read once into a stream of words, and every needle is
  looked for at once (Aho-Corasick): time linear in the site's size.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import html
import itertools
import os
import posixpath
import re
import stat
import sysconfig
import time
import unicodedata
import zlib
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final
from urllib.parse import unquote

import ahocorasick

from ..check.checks import CheckedDocument
from ..check.library import Library, display_path, resolve_taxonomy_path
from ..check.publication import (
    INHERITED,
    RESTRICTED,
    UNREAD,
    Decision,
    hidden_uri,
    is_markdown_name,
    markdown_bare_ids,
)
from ..ids import MENTION
from ..model import Postmortem
from ..parallel import processes, split_map
from ..parse.frontmatter import DEFAULT_LIMITS, Document, parse_yaml
from ..resources import TEMPLATES_DIR
from ..urls import incident_url
from . import authoring
from .guide import render_guide

# Words in a run of withheld text that tell a leak (spec section 4): six words
# in the same order rarely recur by chance outside a copy of the text.
NGRAM: Final = 6
# A line at least this long tells a leak however few its words: a credential
# or an address is one or two long words.
MIN_LINE_CHARS: Final = 24
DEFAULT_MAX_FILE_BYTES: Final = 32 * 2**20
_GZIP_MAGIC: Final = b"\x1f\x8b"
# Where in a site a name was found: a bare id is never expected there.
FILE_NAME: Final = "file name"
FOLDER_NAME: Final = "folder name"
# A gzip file inside a gzip file inside ...: deeper than this is not a site.
_MAX_GZIP_DEPTH: Final = 3

ID, ID_SLUG, TITLE, SUMMARY, BODY, FRONT_MATTER, ASSET_NAME, ASSET_FILE, SOURCE_FILE = (
    "id",
    "id with slug",
    "title",
    "summary",
    "body text",
    "front-matter text",
    "asset name",
    "asset file (same bytes)",
    "copy of the Markdown file",
)
# The words of a withheld file copied as it is (see `_add_file`).
ASSET_TEXT: Final = "asset text"
# The file stem of a withheld page that has no id (see `_add_document`).
PAGE_NAME: Final = "page name"
# Order of kinds in a report line.
_KIND_ORDER: Final = (
    ID,
    ID_SLUG,
    PAGE_NAME,
    TITLE,
    SUMMARY,
    BODY,
    FRONT_MATTER,
    ASSET_NAME,
    ASSET_FILE,
    ASSET_TEXT,
    SOURCE_FILE,
)
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

# A tag: `<` to the next `>` with no `<` between. Each start fails at the next
# `<` at the latest, so a run without `>` costs linear time, not quadratic.
_TAG = re.compile(r"<[^<>]*>")
_BACKSLASH = re.compile(r"\\(?:u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|(.))", re.DOTALL)
# `&amp;` last: `&amp;lt;` shows as `&lt;`, and the second round reads that.
_COMMON_ENTITIES: Final = (
    ("&quot;", '"'),
    ("&#34;", '"'),
    ("&#39;", "'"),
    ("&#x27;", "'"),
    ("&lt;", "<"),
    ("&gt;", ">"),
    ("&nbsp;", "\xa0"),
    ("&amp;", "&"),
)
# Where an entity may start (every entity name starts with a letter): a page
# whose only `&` is a literal one (in a script, in "R&D") skips the rounds.
_ENTITY_START = re.compile(r"&[#A-Za-z]")
# A run of percent escapes, decoded as `unquote` decodes it. Starting with a
# literal `%` lets the regex engine jump between candidates; `unquote` on the
# whole text splits it at every `%`, and a text full of "12%" took longer
# than the rest of its reading.
_PERCENT_RUN = re.compile(r"%[0-9A-Fa-f]{2}(?:%[0-9A-Fa-f]{2})*")
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
    # "" (its content), "gzip member", FILE_NAME or FOLDER_NAME.
    where: str
    source: Unpublished
    kinds: tuple[str, ...]
    # The site file's (or folder's) path inside the site folder.
    rel: str = field(default="", compare=False)

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
    # The file's path inside the site folder ("" for a folder that cannot be listed).
    rel: str = field(default="", compare=False)

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


def _unpercent(m: re.Match[str]) -> str:
    return unquote(m.group(), errors="replace")


def normalise(text: str) -> str:
    """Text as a reader sees it, in one canonical form: escapes undone,
    Unicode composed, case folded. Tags stay (`streams` reads around them)."""
    # Twice each: a JSON string inside a JSON string (`\\u00e9`), and
    # `&amp;#x27;`, which shows as `&#x27;` and still tells the word.
    for _ in range(2):
        if "\\" in text:
            text = _BACKSLASH.sub(_unbackslash, text)
    for _ in range(2):
        if "%" in text:
            text = _PERCENT_RUN.sub(_unpercent, text)
        if _ENTITY_START.search(text):
            # The entities a site is full of, in C; the rest through unescape.
            for entity, char in _COMMON_ENTITIES:
                text = text.replace(entity, char)
            if _ENTITY_START.search(text):
                text = html.unescape(text)
    if text.isascii():
        # Most of a site: composing and folding leave ASCII as lower case does.
        return text.lower()
    return unicodedata.normalize("NFKC", _INVISIBLE.sub("", text)).casefold()


# Every ASCII character that is not a word character (as `\w` reads it) becomes
# a space; bytes of UTF-8 sequences stay (`words` has spaced out those that
# are not word characters).
_ASCII_SPACES: Final = bytes(
    c if c >= 0x80 or chr(c).isalnum() or c == ord("_") else ord(" ") for c in range(256)
)
_ASCII_BYTES: Final = bytes(range(0x80))
# A word no needle holds: no phrase is found across the two streams.
_STREAM_BREAK: Final = "\u01c2"


def words(text: str) -> str:
    """The words of normalised text, one space apart: a phrase can then be
    found with one substring search, whatever markup and spacing surrounded
    its words. Done on UTF-8 bytes, in a few C passes over the text: this is
    most of what the guard of a large site costs. A page holds few kinds of
    non-ASCII characters that are not word characters (quotes, dashes, odd
    spaces): each is replaced in one pass."""
    data = text.encode()
    if not text.isascii():
        others = set(data.translate(None, _ASCII_BYTES).decode())
        spaced = "".join(sorted(c for c in others if not (c.isalnum() or c == "_")))
        if spaced:
            data = _spacer(spaced).sub(b" ", data)
    return b" ".join(data.translate(_ASCII_SPACES).split()).decode()


@functools.lru_cache(maxsize=256)
def _spacer(chars: str) -> re.Pattern[bytes]:
    """One pass that spaces out these characters' UTF-8 sequences (a site's
    pages share a handful of them, so the pattern is made once)."""
    return re.compile(b"|".join(re.escape(c.encode()) for c in chars))


def streams(norm: str) -> str:
    """What is looked for in a site file's normalised text: its words with
    markup dropped (so a title cut by `<em>` reads on), then every word,
    tags included (attribute values: descriptions, alt text, links), the two
    apart. Padded with spaces, so a phrase matches whole words only."""
    if "<" in norm:
        norm = f"{_TAG.sub(' ', norm)} {_STREAM_BREAK} {norm}"
    return f" {words(norm)} "


def phrase_of(text: str) -> str:
    """A needle's words, read the way site files are read (markup dropped)."""
    return words(_TAG.sub(" ", normalise(text)))


# --- needles ------------------------------------------------------------------------

Hit = tuple[int, str]


class Needles:
    """Phrases (whole words, one space apart) and byte contents to look for,
    each naming the unpublished file and the kind of text it comes from."""

    def __init__(self) -> None:
        self.phrases: dict[str, set[Hit]] = {}
        self.by_digest: dict[int, dict[bytes, set[Hit]]] = defaultdict(dict)

    def add_phrase(self, phrase: str, hit: Hit) -> None:
        """Look for `phrase` as it is, however long."""
        if phrase:
            self.phrases.setdefault(phrase, set()).add(hit)

    def add_runs(self, phrase: str, hit: Hit) -> None:
        """Look for every run of NGRAM words of `phrase` (all of it if shorter)."""
        split = phrase.split(" ")
        if len(split) <= NGRAM:
            self.add_phrase(phrase, hit)
            return
        for i in range(len(split) - NGRAM + 1):
            self.add_phrase(" ".join(split[i : i + NGRAM]), hit)

    def add_text(self, text: str, hit: Hit) -> None:
        """Body text: every run of NGRAM words, and every line of at least
        MIN_LINE_CHARS characters however few its words (a credential line)."""
        whole = phrase_of(text)
        if whole.count(" ") >= NGRAM - 1:
            self.add_runs(whole, hit)
        for line in text.split("\n"):
            if len(line) < MIN_LINE_CHARS:
                continue
            phrase = phrase_of(line)
            if len(phrase) >= MIN_LINE_CHARS and phrase.count(" ") < NGRAM - 1:
                self.add_phrase(phrase, hit)

    def add_bytes(self, data: bytes, hit: Hit) -> None:
        if data:
            self.by_digest[len(data)].setdefault(_digest(data), set()).add(hit)

    def holds_bytes(self, data: bytes) -> bool:
        """Whether these very bytes are still looked for."""
        return _digest(data) in self.by_digest.get(len(data), {})

    def drop_public_bytes(self, paths: Iterable[Path]) -> None:
        """Forget the bytes that a published file also holds (a logo in a
        restricted folder and in a public one tells nothing): each file is
        read only where a withheld file has its size."""
        for path in paths:
            try:
                size = path.stat().st_size
            except OSError:
                continue
            found = self.by_digest.get(size)
            if not found:
                continue
            data = _read_regular(path)
            if data is not None:
                found.pop(_digest(data), None)

    def drop_public(
        self,
        public_texts: Iterable[str],
        keep_kind: str,
        memo: PublicMemo | None = None,
        fields: Iterable[str] = (),
        jobs: int | None = None,
    ) -> None:
        """Forget every phrase that a published text also holds (it tells
        nothing), or that ends one published field and starts another (a
        page sets fields side by side: a category's title, then a factor's
        summary), except hits of `keep_kind`, which are distinctive anyway.
        With a `memo`, a text read for the same phrases before is not read
        again; without one, the texts are shared with a second process where
        `parallel` allows (`jobs`)."""
        if not self.phrases:
            return
        matcher = Matcher(self.phrases)
        public: set[str] = set()
        if memo is None:
            texts = list(public_texts)
            n = processes(len(texts), jobs)
            shares = [texts[i::n] for i in range(n)]
            for found in split_map(
                shares, functools.partial(_scan_texts, matcher), jobs, len(texts)
            ):
                public.update(matcher.phrases[i] for i in found)
        else:
            public = memo.read(public_texts, matcher)
        rest = [p for p in self.phrases if p not in public]
        edges = _Edges(fields, rest)
        public.update(p for p in rest if edges.joins(p))
        for phrase in public:
            kept = {h for h in self.phrases[phrase] if h[1] == keep_kind}
            if kept:
                self.phrases[phrase] = kept
            else:
                del self.phrases[phrase]

    def merge(self, other: Needles) -> None:
        """Look for `other`'s needles too."""
        for phrase, hits in other.phrases.items():
            self.phrases.setdefault(phrase, set()).update(hits)
        for size, found in other.by_digest.items():
            mine = self.by_digest[size]
            for digest, hits in found.items():
                mine.setdefault(digest, set()).update(hits)

    def matcher(self) -> Matcher:
        return Matcher(self.phrases)


class _Edges:
    """Which phrases are made of the end of one published field (a
    front-matter value, a taxonomy title) and the start of another, with at
    most one whole short field between them.

    Only the phrases' own edges are looked for, all at once, in the fields
    read as one stream with a break word between each two: one pass in C
    rather than every field's first and last words gathered in Python
    (41,000 fields in a 1,000-incident library)."""

    _SHORT: Final = NGRAM - 1

    def __init__(self, fields: Iterable[str], phrases: Iterable[str]) -> None:
        patterns: set[str] = set()
        for phrase in phrases:
            for key in self._keys(phrase.split(" ")):
                patterns.add(key)
        self._found: set[str] = set()
        if not patterns:
            return
        automaton = ahocorasick.Automaton()
        for pattern in patterns:
            automaton.add_word(pattern, pattern)
        automaton.make_automaton()
        brk = f" {_STREAM_BREAK} "
        for part in _in_parts(fields, _FIELD_BREAK):
            stream = f"{brk}{phrase_of(part)}{brk}"
            self._found.update(pattern for _, pattern in automaton.iter(stream))

    @classmethod
    def _end(cls, words: list[str]) -> str | None:
        """A field's last words (at most NGRAM - 1 of them)."""
        return f" {' '.join(words)} {_STREAM_BREAK} " if len(words) <= cls._SHORT else None

    @classmethod
    def _start(cls, words: list[str]) -> str | None:
        """A field's first words (at most NGRAM - 1 of them)."""
        return f" {_STREAM_BREAK} {' '.join(words)} " if len(words) <= cls._SHORT else None

    @classmethod
    def _whole(cls, words: list[str]) -> str | None:
        """A whole field of fewer than NGRAM words."""
        if len(words) >= NGRAM:
            return None
        return f" {_STREAM_BREAK} {' '.join(words)} {_STREAM_BREAK} "

    @classmethod
    def _keys(cls, split: list[str]) -> Iterator[str]:
        for k in range(1, len(split)):
            for key in (cls._end(split[:k]), cls._start(split[k:])):
                if key is not None:
                    yield key
            for j in range(k + 1, len(split)):
                key = cls._whole(split[k:j])
                if key is not None:
                    yield key

    def joins(self, phrase: str) -> bool:
        split = phrase.split(" ")
        found = self._found
        for k in range(1, len(split)):
            if self._end(split[:k]) not in found:
                continue
            if self._start(split[k:]) in found or any(
                self._whole(split[k:j]) in found and self._start(split[j:]) in found
                for j in range(k + 1, len(split))
            ):
                return True
        return False


class PublicMemo:
    """Which needle phrases each published text holds, kept between the
    rebuilds of one `mkdocs serve`: a rebuild reads only the texts an edit
    changed (an unchanged file's text is the very string it was)."""

    def __init__(self) -> None:
        self._phrases: frozenset[str] = frozenset()
        self._found: dict[str, frozenset[str]] = {}

    def read(self, texts: Iterable[str], matcher: Matcher) -> set[str]:
        phrases = frozenset(matcher.phrases)
        if phrases != self._phrases:
            self._phrases, self._found = phrases, {}
        found: dict[str, frozenset[str]] = {}
        for text in texts:
            held = self._found.get(text)
            if held is None:
                held = frozenset(matcher.phrases[i] for i in matcher.scan(streams(normalise(text))))
            found[text] = held
        self._found = found
        return set().union(*found.values())


# Texts are read in parts of about this many characters: one pass of each
# step per part rather than per text (thousands of short front-matter values).
_PART_CHARS: Final = 1 << 20
_PART_BREAK: Final = f" {_STREAM_BREAK} "
# Between fields: outside any tag, so that removing tags keeps it a word.
_FIELD_BREAK: Final = f"\n{_STREAM_BREAK}\n"


def _in_parts(texts: Iterable[str], between: str = _PART_BREAK) -> Iterator[str]:
    """Texts joined into parts, a word no needle holds between each two."""
    part: list[str] = []
    size = 0
    for text in texts:
        part.append(text)
        size += len(text)
        if size >= _PART_CHARS:
            yield between.join(part)
            part, size = [], 0
    if part:
        yield between.join(part)


def _digest(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


class Matcher:
    """Finds every phrase in a stream at once (Aho-Corasick: time linear in
    the stream, whatever the number of phrases)."""

    def __init__(self, phrases: Mapping[str, set[Hit]]) -> None:
        self.phrases = list(phrases)
        self.hits = [phrases[p] for p in self.phrases]
        self._automaton: Any = None
        if self.phrases:
            automaton = ahocorasick.Automaton()
            for index, phrase in enumerate(self.phrases):
                automaton.add_word(f" {phrase} ", index)
            automaton.make_automaton()
            self._automaton = automaton

    def scan(self, stream: str) -> set[int]:
        """The indexes of the phrases found in a stream (see `streams`)."""
        if self._automaton is None:
            return set()
        return {index for _, index in self._automaton.iter(stream)}

    def hits_of(self, found: Iterable[int]) -> set[Hit]:
        hits: set[Hit] = set()
        for index in found:
            hits |= self.hits[index]
        return hits


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
class Plan:
    """What to look for in a site: everything of what the library withholds,
    less what it also publishes."""

    unpublished: list[Unpublished]
    needles: Needles
    # For each unpublished id: the site files where its bare id is expected.
    related_pages: dict[str, set[str]]
    # Folders of installed packages (the theme's, not the site's custom_dir):
    # a site file with the very bytes of the file at its path there was
    # copied from the package (a theme's scripts, megabytes a build) and
    # holds nothing of the library.
    packaged: tuple[Path, ...] = ()
    # What the site publishes, while the plan may still be extended.
    published: Published | None = field(default=None, repr=False)

    @property
    def empty(self) -> bool:
        return not self.needles.phrases and not self.needles.by_digest

    def extend(self, foreign: Iterable[tuple[str, Document, Path]]) -> None:
        """Look for what more files other plugins added say (as `plan`'s
        `foreign`), as if they had been known when the plan was made: what
        decides whether a phrase is published is the phrase alone, so the
        new ones are read against what is published on their own."""
        if self.published is None:
            raise ValueError("the plan was closed: what is published was let go")
        more = Needles()
        _add_foreign(more, self.unpublished, foreign)
        # Not the serve memo: it keeps what one set of phrases was found in.
        self.published.drop_from(more, None)
        self.needles.merge(more)


@dataclass
class Published:
    """What a site publishes, for a plan to drop from what it looks for
    (`Needles.drop_public`): the library's published texts and front-matter
    values, kept as they were read; the plugin's own texts, file names and
    the theme's, made again when asked."""

    library: Library
    texts: list[str]
    fields: list[str]
    docs_dir: Path
    config_file: Path | None
    secret_files: set[Path]
    theme_dirs: tuple[Path, ...]

    def _secret_uris(self) -> set[str]:
        """The docs_dir paths of the withheld files."""
        root = self.docs_dir
        return {p.relative_to(root).as_posix() for p in self.secret_files if p.is_relative_to(root)}

    def drop_from(self, needles: Needles, memo: PublicMemo | None) -> None:
        if not needles.phrases:
            return
        library = self.library
        public = itertools.chain(
            self.texts,
            _generated_texts(library, self.config_file, self._secret_uris()),
            _public_file_names(self.docs_dir, self.secret_files),
            _theme_texts(self.theme_dirs),
        )
        # Taxonomy titles are set side by side on pages, as front-matter values are.
        taxonomy = _strings(asdict(library.taxonomy)) if library.taxonomy is not None else ()
        fields = itertools.chain(self.fields, (s for _, s in taxonomy))
        # What is also published is not distinctive: drop it, except ids (which
        # are distinctive by format, and whose expected places are listed in the plan).
        needles.drop_public(
            public, keep_kind=ID, memo=memo, fields=fields, jobs=library.settings.jobs
        )


def _reason(checked: CheckedDocument, why: str, include_drafts: bool) -> str:
    """Why a withheld Markdown file is withheld, as the audit reports it."""
    pm = checked.postmortem
    if not checked.is_postmortem:
        return "restricted page" if why in (RESTRICTED, INHERITED) else why
    if pm is None:
        return "not publishable: lint errors"
    if pm.is_restricted:
        return "restricted"
    if pm.is_draft and not include_drafts:
        return f"status {pm.status} while include_drafts is false"
    return "not publishable: lint errors"


def _scan_texts(matcher: Matcher, texts: Iterable[str]) -> set[int]:
    """The phrases that any of `texts` holds (one process's share of them)."""
    found: set[int] = set()
    for part in _in_parts(texts):
        found |= matcher.scan(streams(normalise(part)))
    return found


# Withheld files copied as they are whose words are looked for (`_add_file`).
_FileTexts = list[tuple[int, Path, bytes]]


def plan(
    library: Library,
    docs_dir: Path,
    config_file: Path | None,
    include_drafts: bool | None = None,
    theme_dirs: Iterable[Path] = (),
    memo: PublicMemo | None = None,
    use_directory_urls: bool = True,
    decision: Decision | None = None,
    packaged: Iterable[Path] = (),
    foreign: Iterable[tuple[str, Document, Path]] = (),
) -> Plan:
    """What to look for: everything of what the library withholds (as the
    build decides it, with `include_drafts` as the build has it), less what
    it also publishes. `theme_dirs`' templates are the site's own text; a
    `memo` kept between rebuilds saves reading unchanged texts again.
    `foreign`: pages other plugins added that the build withheld for what
    they say (name, parsed document, the file it was read from, if any)."""
    drafts = library.settings.include_drafts if include_drafts is None else include_drafts
    published = library.published(drafts)
    # The build has decided already; the CLI decides here, the same way.
    decision = decision or library.publication(drafts)
    unpublished: list[Unpublished] = []
    needles = Needles()
    public_texts: list[str] = []
    # Published front-matter values: what pages set side by side (as they
    # do the taxonomy's titles, see `Published.drop_from`).
    fields: list[str] = []
    secret_files: set[Path] = set()
    texts: _FileTexts = []
    # A published page shows a link to one of these as its bare id: the
    # link's words (a withheld title, its file's name) are not published.
    bare = library.withheld_links({pm.id for pm in published})
    for rel, checked in library.documents.items():
        doc = checked.document
        data = doc.data if isinstance(doc.data, dict) else {}
        why = decision.withheld.get(rel)
        if why is None:
            public_texts.append(markdown_bare_ids(doc.body, rel, bare))
            values = [s for _, s in _strings(data)]
            public_texts.extend(values)
            fields.extend(values)
            continue
        md_file = docs_dir / rel
        raw_id = data.get("id")
        pm_id = checked.id or (raw_id if isinstance(raw_id, str) else None)
        index = len(unpublished)
        unpublished.append(Unpublished(doc.path, pm_id, _reason(checked, why, drafts)))
        secret_files.add(md_file)
        _add_document(needles, index, data, doc.body, md_file, pm_id, rel)
        if checked.is_postmortem:
            for asset in _asset_files(md_file, {md_file.stem, *([pm_id] if pm_id else [])}):
                secret_files.add(asset)
                _add_file(needles, index, asset, texts)

    _add_copied_files(library, decision, docs_dir, unpublished, needles, secret_files, texts)
    copied = [
        docs_dir / uri
        for uri in decision.publish
        if (f := library.scan.files.get(uri)) is not None and not f.markdown
    ]
    needles.drop_public_bytes(copied)
    for index, path, text in texts:
        # A file the site also publishes, byte for byte (a licence in a
        # restricted folder and in an open one), tells nothing by its words.
        if needles.holds_bytes(text):
            _add_file_text(needles, (index, ASSET_TEXT), path, text.decode("utf-8"))
    if texts:
        # Files of a kind share words (a schema's address, a table's header
        # row): the published ones of the kinds whose words are looked for
        # are published text.
        suffixes = {path.suffix.lower() for _, path, _ in texts}
        public_texts.extend(_texts_of(p for p in copied if p.suffix.lower() in suffixes))
    _add_foreign(needles, unpublished, foreign)
    public = Published(
        library, public_texts, fields, docs_dir, config_file, secret_files, tuple(theme_dirs)
    )
    public.drop_from(needles, memo)
    related_pages: dict[str, set[str]] = defaultdict(set)
    for pm in published:
        for rid in pm.related:
            related_pages[rid].add(incident_url(pm.id) + "index.html")
    withheld_ids = {u.id for u in unpublished if u.id}
    if withheld_ids:
        # A published page that links to a withheld postmortem shows its bare id.
        for rel, checked in library.documents.items():
            if rel in decision.withheld:
                continue
            cited = withheld_ids.intersection(MENTION.findall(checked.document.body))
            if cited:
                page = _page_path(rel, checked.postmortem, use_directory_urls)
                for rid in cited:
                    related_pages[rid].add(page)
    return Plan(unpublished, needles, dict(related_pages), tuple(packaged), public)


def _add_foreign(
    needles: Needles,
    unpublished: list[Unpublished],
    foreign: Iterable[tuple[str, Document, Path]],
) -> None:
    """The needles of files other plugins added that the build withheld."""
    for shown, doc, source in foreign:
        data = doc.data if isinstance(doc.data, dict) else {}
        raw_id = data.get("id")
        index = len(unpublished)
        unpublished.append(Unpublished(shown, None, "restricted page another plugin added"))
        _add_document(
            needles, index, data, doc.body, source, raw_id if isinstance(raw_id, str) else None
        )


def _add_copied_files(
    library: Library,
    decision: Decision,
    docs_dir: Path,
    unpublished: list[Unpublished],
    needles: Needles,
    secret_files: set[Path],
    texts: _FileTexts,
) -> None:
    """Files MkDocs would copy as they are that the decision withholds for
    what they say or where they lie: a front matter of their own that is
    restricted (or unreadable), or a folder marked restricted. Their text is
    looked for like a page's, their name and bytes like an asset's."""
    for rel, why in decision.withheld.items():
        copied = library.scan.files.get(rel)
        if copied is None or copied.markdown or why not in (RESTRICTED, INHERITED, UNREAD):
            continue
        path = docs_dir / rel
        doc = library.scan.front_matter.get(rel)
        index = len(unpublished)
        shown = doc.path if doc is not None else display_path(path, Path.cwd())
        unpublished.append(Unpublished(shown, None, "restricted file"))
        secret_files.add(path)
        if doc is not None and isinstance(doc.data, dict):
            _add_document(needles, index, doc.data, doc.body, path, None, rel)
            continue
        _add_file(needles, index, path, texts)


# Scripts and styles: their words are those of every site's (a library's
# copy beside the theme's); what is withheld of them is told by name and bytes.
_CODE_SUFFIXES: Final = frozenset({".js", ".mjs", ".cjs", ".css", ".map"})


def _add_file(needles: Needles, index: int, path: Path, texts: _FileTexts) -> None:
    """The needles of a withheld file MkDocs would copy as it is (an asset
    of an unpublished postmortem, a file of a restricted folder): its name
    and bytes; and where it is UTF-8 text, which another plugin may read
    into a published page (a data file macros' `include_yaml` loads, a
    snippet), its words, once what the site publishes is known (`texts`)."""
    needles.add_phrase(phrase_of(path.name), (index, ASSET_NAME))
    data = _read_regular(path)
    if data is None:
        return
    needles.add_bytes(data, (index, ASSET_FILE))
    # No larger than a page of docs_dir may be, as for another plugin's
    # files (`withholds_itself`): every run of words of it is a needle.
    if path.suffix.lower() in _CODE_SUFFIXES or len(data) > DEFAULT_LIMITS.max_file_bytes:
        return
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return
    texts.append((index, path, data))


def _texts_of(paths: Iterable[Path]) -> Iterator[str]:
    """The text of each file that is UTF-8 and no larger than a page of
    docs_dir may be (as `_add_file` reads a withheld one)."""
    for path in paths:
        data = _read_regular(path, DEFAULT_LIMITS.max_file_bytes)
        if data is not None:
            with contextlib.suppress(UnicodeDecodeError):
                yield data.decode("utf-8")


# Data files a plugin may load and show value by value, keys aside (macros'
# `include_yaml`): each string is looked for as front-matter text is.
_DATA_SUFFIXES: Final = frozenset({".yml", ".yaml", ".json"})


def _add_file_text(needles: Needles, hit: Hit, path: Path, text: str) -> None:
    """The words of a withheld file's text, and of each string of its data."""
    needles.add_text(text, hit)
    if path.suffix.lower() in _DATA_SUFFIXES:
        data = parse_yaml(text, path.name, what="data file").data
        for key, value in _strings(data):
            _add_value(needles, key, value, hit)


def _page_path(rel: str, pm: Postmortem | None, use_directory_urls: bool) -> str:
    """Where MkDocs writes the page of a published Markdown file."""
    if pm is not None:
        return incident_url(pm.id) + "index.html"
    stem = posixpath.splitext(rel)[0]
    folder, name = posixpath.split(stem)
    if name in ("index", "README"):
        return posixpath.join(folder, "index.html")
    return posixpath.join(stem, "index.html") if use_directory_urls else stem + ".html"


def _theme_texts(theme_dirs: Iterable[Path]) -> Iterator[str]:
    """What the theme makes the site's own, in one walk of its folders: the
    names of the files a build copies from it (not hidden ones, as
    `.icons`: a withheld file named as one, `favicon.png`, tells nothing by
    its name), and the text of its templates."""
    for folder in theme_dirs:
        for root, dirs, files in os.walk(folder):
            dirs.sort()
            rel = Path(root).relative_to(folder).as_posix()
            for name in sorted(files):
                uri = name if rel == "." else f"{rel}/{name}"
                if not hidden_uri(uri):
                    yield uri
                if name.endswith(".html"):
                    data = _read_regular(Path(root, name))
                    if data is not None:
                        yield data.decode("utf-8", errors="replace")


def _add_value(needles: Needles, key: str, text: str, hit: Hit) -> None:
    """One string of a withheld front matter or data file, under `key`."""
    if key in _NOT_TEXT:
        return
    phrase = phrase_of(text)
    # A regulator's reference is short but names this incident alone.
    if phrase.count(" ") + 1 >= _MIN_FRONT_MATTER_WORDS or key in _DISTINCTIVE:
        needles.add_runs(phrase, hit)
    needles.add_text(text, hit)


def _add_document(
    needles: Needles,
    index: int,
    data: dict[str, Any],
    body: str,
    md_file: Path,
    pm_id: str | None,
    uri: str | None = None,
) -> None:
    """The needles of one withheld Markdown file (`uri`: its docs_dir path)."""
    for top, value in data.items():
        # Only the postmortem's own id, title and summary: a factor's
        # `summary` or an action item's `title` is front-matter text.
        if top in _OWN_KIND and isinstance(value, str):
            needles.add_runs(phrase_of(value), (index, _OWN_KIND[top]))
            continue
        for key, text in _strings(value, str(top)):
            _add_value(needles, key, text, (index, FRONT_MATTER))
    if pm_id:
        needles.add_phrase(phrase_of(pm_id), (index, ID))
    # The file's name carries the id and its slug: the slug tells the story.
    stem = phrase_of(md_file.stem)
    if pm_id and stem != phrase_of(pm_id):
        needles.add_phrase(stem, (index, ID_SLUG))
    elif not pm_id:
        # A page without an id is named by its file alone (its URL, a
        # folder of a site built without the plugin, a link another plugin
        # writes): `plans/acquire-foo-corp` tells what the page says. An
        # `index.md` or `README.md` is named by its folder: that is its URL.
        # A generic stem in a telling folder (`acquisition-foo/notes.md`)
        # is told by its path, which is its address too.
        index_page = md_file.stem.lower() in ("index", "readme")
        if index_page:
            stem = phrase_of(md_file.parent.name)
        if not _telling_stem(stem) and uri:
            # Only then: a telling stem a published file also has is
            # published, whatever folder this one is in.
            path = posixpath.dirname(uri) if index_page else posixpath.splitext(uri)[0]
            stem = phrase_of(path)
        if _telling_stem(stem):
            needles.add_phrase(stem, (index, PAGE_NAME))
    needles.add_text(body, (index, BODY))
    source = _read_regular(md_file)
    if source is not None:
        needles.add_bytes(source, (index, SOURCE_FILE))


# File stems that name no subject: a withheld page so named tells nothing by
# its name (one a published file also has is dropped as published text).
_GENERIC_STEMS: Final = frozenset(
    [
        "index",
        "readme",
        "notes",
        "note",
        "draft",
        "drafts",
        "todo",
        "tmp",
        "temp",
        "test",
        "page",
        "untitled",
        "summary",
        "overview",
        "intro",
        "introduction",
        "about",
        "home",
        "misc",
        "meeting",
        "minutes",
        "agenda",
        "plan",
        "plans",
        "changelog",
        "license",
        "contributing",
        "faq",
        "glossary",
        "archive",
        "tags",
        "help",
        "doc",
        "docs",
        "404",
        "private",
        "internal",
        "secret",
        "restricted",
        "confidential",
    ]
)
# Fewer letters than this is no name (`q3`, `hr`): it would match by chance.
_MIN_STEM_CHARS: Final = 4


def _telling_stem(stem: str) -> bool:
    """Whether a withheld page's stem (as `phrase_of` gives it) tells
    anything: not a generic name, nor a date or a number."""
    split = stem.split(" ")
    if len(stem) - stem.count(" ") < _MIN_STEM_CHARS:
        return False
    return not all(w in _GENERIC_STEMS or w.isdigit() for w in split)


def _generated_texts(
    library: Library, config_file: Path | None, withheld: Collection[str] = ()
) -> Iterator[str]:
    """Text the plugin and theme publish on their own: what the guide,
    the templates, the taxonomy and the site's configuration say (less
    its lines that name a `withheld` docs_dir path: a `nav:` entry the
    build drops, whose title is the postmortem's own), and what
    `postmortems new` writes into every draft."""
    settings = library.settings
    yield from authoring.scaffold_texts(library.taxonomy)
    if library.taxonomy is not None:
        yield render_guide(library.taxonomy, settings)
        yield from (s for _, s in _strings(asdict(library.taxonomy)))
        # Pages name a factor as its layer beside its category ("Data ·
        # Poisoned data or supply chain"): prose that does the same is no leak.
        for layer in library.taxonomy.layers:
            for cat in layer.categories:
                yield f"{layer.title} {cat.title} {layer.title}"
    for path in sorted(TEMPLATES_DIR.rglob("*")):
        if path.is_file():
            yield path.read_text(encoding="utf-8", errors="replace")
    if config_file is not None:
        for path in (config_file, resolve_taxonomy_path(settings, config_file.parent)):
            data = _read_regular(path)
            if data is not None:
                yield _lines_naming_none(data.decode("utf-8", errors="replace"), withheld)


def _lines_naming_none(text: str, paths: Collection[str]) -> str:
    """`text` less each line that names one of `paths` (as written, or
    percent-encoded): one pass over the text for all of them."""
    if not paths:
        return text
    finder = ahocorasick.Automaton()
    for path in paths:
        finder.add_word(path, path)
        stem, _ = posixpath.splitext(path)
        if is_markdown_name(path) and posixpath.basename(stem) not in ("index", "README"):
            # Its address too (`plans/x/`, `plans/x.html`): a `nav:` link.
            finder.add_word(stem, stem)
    finder.make_automaton()
    return "\n".join(
        line
        for line in text.split("\n")
        if next(finder.iter(line), None) is None
        and ("%" not in line or next(finder.iter(unquote(line)), None) is None)
    )


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


# Names every build writes, whatever the library holds: a withheld file of
# the same name (an `index.html` in a restricted folder) tells nothing by it.
_BUILD_NAMES: Final = "index.html 404.html sitemap.xml sitemap.xml.gz search_index.json"


def _public_file_names(docs_dir: Path, secret: set[Path]) -> Iterator[str]:
    yield _BUILD_NAMES
    if not docs_dir.is_dir():
        return
    for root, dirs, files in os.walk(docs_dir):
        dirs.sort()
        for name in sorted(files):
            path = Path(root, name)
            if path not in secret:
                rel = path.relative_to(docs_dir).as_posix()
                yield rel
                if is_markdown_name(name):
                    # Where its page is written without directory URLs.
                    yield rel.rsplit(".", 1)[0] + ".html"


# --- the site's side --------------------------------------------------------------


def site_entries(site_dir: Path, errors: list[OSError]) -> Iterator[tuple[Path, bool]]:
    """Every folder (True) and file (False) under site_dir, hidden ones and
    those behind symbolic links included (a deploy copies them), each folder
    read once; a link to a folder read already is still named, as its
    name is output too. Folders that cannot be listed go to `errors`:
    unread is not clean."""
    seen: set[tuple[int, int]] = set()
    for root, dirs, files in os.walk(site_dir, onerror=errors.append, followlinks=True):
        st = os.stat(root)
        if (st.st_dev, st.st_ino) in seen:
            dirs[:] = []
            continue
        seen.add((st.st_dev, st.st_ino))
        dirs.sort()
        for name in dirs:
            yield Path(root, name), True
        for name in sorted(files):
            yield Path(root, name), False


def site_files(site_dir: Path, errors: list[OSError]) -> Iterator[Path]:
    """Every file under site_dir (see `site_entries`)."""
    return (path for path, folder in site_entries(site_dir, errors) if not folder)


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


# Where a page's regions start: at each block-level element. Text does not
# run on from one to the next, so a phrase lies within one region, and the
# regions that every page repeats need reading once. A region never starts
# inside a tag, so attribute values stay whole.
# Found by its literal `<` (a pattern that starts with a lookahead is tried
# at every position, four times slower on a site's pages).
_REGION: Final = re.compile(
    r"<(?:p|div|li|ul|ol|h[1-6]|table|tr|thead|tbody|section|article|nav|header|footer"
    r"|main|aside|script|svg|form|details|summary|figure|pre|blockquote|label|input|button"
    r"|meta|link|title)[\s>/]"
)
_REGION_BREAK: Final = f" {_STREAM_BREAK} "
# A large file (a search index) is read in pieces of this many characters,
# each with the end of the one before it: its words as separate objects
# took more memory than the rest of a 10,000-incident build. The overlap is
# longer than any phrase can be written, escapes and markup included (a
# body line is at most 2,000 characters).
_PIECE: Final = 1 << 20
_OVERLAP: Final = 1 << 15


def _regions(text: str) -> list[str]:
    """`text` cut before each block-level tag (the first part is what comes
    before the first such tag, "" where the text starts with one)."""
    starts = [m.start() for m in _REGION.finditer(text)]
    if not starts:
        return [text]
    ends = [*starts[1:], len(text)]
    return [text[: starts[0]], *(text[a:b] for a, b in zip(starts, ends, strict=True))]


def _pieces(text: str) -> Iterator[str]:
    if len(text) <= _PIECE:
        yield text
        return
    for start in range(0, len(text), _PIECE):
        yield text[max(0, start - _OVERLAP) : start + _PIECE]


@dataclass
class _Found:
    """What one site file (its content, its name, or its gzip members) holds."""

    shown: str
    rel: str
    where: str
    phrases: set[int] = field(default_factory=set)
    hits: set[Hit] = field(default_factory=set)


@dataclass(frozen=True)
class ReadAhead:
    """What a file held when it was read during the build, and a digest of
    the bytes read: the result stands only for those very bytes."""

    digest: bytes
    found: list[_Found]
    unscanned: list[Unscanned]


# How many of the pages after the one waited for `read_as_written` looks for.
_LATER: Final = 4


class Auditor:
    """The one check of a site folder against a plan: `postmortems audit`
    runs it on any folder, the build on what it wrote before it ends."""

    def __init__(
        self, plan: Plan, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES, jobs: int | None = None
    ) -> None:
        self.plan = plan
        self.jobs = jobs
        self.matcher = plan.needles.matcher()
        self.digests = plan.needles.by_digest
        self.max_file_bytes = max_file_bytes
        # Regions of pages read already and found to hold nothing, by hash:
        # what every page repeats (head, navigation, footer) is read once.
        self._clean: set[int] = set()

    def audit(
        self,
        site_dir: Path,
        shown_from: Path,
        newer_than: float | None = None,
        read_before: Mapping[str, ReadAhead] | None = None,
    ) -> AuditResult:
        """Scan every file of `site_dir` (with `newer_than`, only those
        modified at or after that time, a POSIX timestamp). A file read
        before (`read_before`, see `read_as_written`) is not read again if
        its bytes are still the ones read. Every other file is read by a
        forked second process where `parallel` allows (`jobs`): the output
        is the same either way."""
        result = AuditResult(self.plan.unpublished)
        if self.plan.empty:
            return result
        errors: list[OSError] = []
        paths: list[tuple[Path, str, str]] = []
        folders: list[tuple[Path, str, str]] = []
        for path, is_folder in site_entries(site_dir, errors):
            entry = (path, display_path(path, shown_from), path.relative_to(site_dir).as_posix())
            (folders if is_folder else paths).append(entry)
        read = functools.partial(self._read_one, newer_than=newer_than, before=read_before or {})
        for one in split_map(paths, read, self.jobs):
            if one is None:
                continue
            found, unscanned, size = one
            result.files += 1
            result.bytes += size
            result.unscanned += unscanned
            for f in found:
                hits = f.hits | self.matcher.hits_of(f.phrases)
                self._report(result, f.shown, f.rel, f.where, hits)
        # Every folder, however old: a name costs nothing to read, and an
        # empty folder named after a withheld file shows it as a page would.
        for _, shown, rel in folders:
            hits = self.matcher.hits_of(self._scan_name(rel))
            self._report(result, shown, rel, FOLDER_NAME, hits)
        for error in errors:
            folder = display_path(Path(error.filename or site_dir), shown_from)
            result.unscanned.append(Unscanned(folder, error.strerror or str(error)))
        return result

    def read_as_written(
        self,
        pages: Iterable[Path],
        site_dir: Path,
        shown_from: Path,
        stop: Callable[[], bool],
        poll: float = 0.005,
    ) -> dict[str, ReadAhead]:
        """Read pages while a build writes them, in the order it writes
        them: a page is read once a later one exists (it is whole by then),
        and what is in `site_dir` already is read first. Stops when `stop()`
        says so (the build has written everything). For
        `audit(read_before=...)`, which trusts a result only for a file
        whose bytes are still those read here."""
        done: dict[str, ReadAhead] = {}
        order = list(dict.fromkeys(pages))

        def read(path: Path) -> None:
            rel = path.relative_to(site_dir).as_posix()
            try:
                st = path.stat()
                if not stat.S_ISREG(st.st_mode) or st.st_size > self.max_file_bytes:
                    return
                data = path.read_bytes()
            except (OSError, ValueError):
                return
            shown = display_path(path, shown_from)
            found, unscanned = self._scan_data(shown, rel, data)
            done[rel] = ReadAhead(_digest(data), found, unscanned)

        waiting = set(order)
        errors: list[OSError] = []
        for path in site_files(site_dir, errors):
            if stop():
                return done
            if path not in waiting:
                read(path)
        for i, page in enumerate(order[:-1]):
            # The last page is left: it may still be being written. One the
            # build skips (not written, or written elsewhere) holds up no
            # other: any of the next few having come will do.
            while not any(p.exists() for p in order[i + 1 : i + 1 + _LATER]):
                if stop():
                    return done
                time.sleep(poll)
            if stop():
                return done
            read(page)
        return done

    def _read_one(
        self,
        entry: tuple[Path, str, str],
        newer_than: float | None,
        before: Mapping[str, ReadAhead],
    ) -> tuple[list[_Found], list[Unscanned], int] | None:
        """What one site file holds (its name, content and gzip members),
        what could not be read of it, and its size; None where it is older
        than `newer_than`. Touches no state but the region cache, so it may
        run in a second process."""
        path, shown, rel = entry
        try:
            st = path.stat()
        except OSError as exc:
            return [], [Unscanned(shown, exc.strerror or str(exc), rel)], 0
        # The change time too: a copy that keeps its source's modification
        # time (`shutil.copy2`, `cp -p`) cannot set it back.
        if newer_than is not None and max(st.st_mtime, st.st_ctime) < newer_than:
            return None
        found = [_Found(shown, rel, FILE_NAME, self._scan_name(rel))]
        problem: str | None = None
        if not stat.S_ISREG(st.st_mode):
            problem = "not a regular file"
        elif st.st_size > self.max_file_bytes:
            problem = self._too_large()
        if problem is not None:
            return found, [Unscanned(shown, problem, rel)], 0
        try:
            data = path.read_bytes()
        except OSError as exc:
            return found, [Unscanned(shown, exc.strerror or str(exc), rel)], 0
        known = before.get(rel)
        if known is not None and known.digest == _digest(data):
            return [*found, *known.found], list(known.unscanned), len(data)
        more, unscanned = self._scan_data(shown, rel, data)
        return [*found, *more], unscanned, len(data)

    def _scan_data(self, shown: str, rel: str, data: bytes) -> tuple[list[_Found], list[Unscanned]]:
        """What one file's bytes hold, gzip members included."""
        if self._copied_from_package(rel, data):
            return [_Found(shown, rel, "", set(), self._digest_hits(data))], []
        found = [_Found(shown, rel, "", *self.scan_bytes(data))]
        unscanned = []
        if data.startswith(_GZIP_MAGIC):
            member = _Found(shown, rel, "gzip member")
            problem = self._scan_gzip(data, member)
            if problem:
                unscanned.append(Unscanned(shown, problem, rel))
            found.append(member)
        return found, unscanned

    def _copied_from_package(self, rel: str, data: bytes) -> bool:
        for folder in self.plan.packaged:
            path = folder / rel
            try:
                if path.stat().st_size == len(data) and path.read_bytes() == data:
                    return True
            except OSError:
                continue
        return False

    def _too_large(self) -> str:
        return f"larger than {self.max_file_bytes:,} bytes (raise --max-file-size to scan it)"

    def _scan_gzip(self, data: bytes, into: _Found, depth: int = 1) -> str | None:
        try:
            inner, trailing = _gunzip(data, self.max_file_bytes)
        except _TooLarge:
            return f"a gzip member {self._too_large()}"
        except zlib.error as exc:
            return f"a gzip file that cannot be read ({exc})"
        for part in (inner, trailing) if trailing else (inner,):
            phrases, hits = self.scan_bytes(part)
            into.phrases |= phrases
            into.hits |= hits
        if inner.startswith(_GZIP_MAGIC):
            if depth >= _MAX_GZIP_DEPTH:
                return f"gzip nested more than {_MAX_GZIP_DEPTH} deep"
            return self._scan_gzip(inner, into, depth + 1)
        return None

    def _scan_name(self, rel: str) -> set[int]:
        return self.matcher.scan(f" {words(normalise(rel))} ")

    def _digest_hits(self, data: bytes) -> set[Hit]:
        """The withheld files (assets) these are the very bytes of."""
        by_digest = self.digests.get(len(data))
        return set(by_digest.get(_digest(data), ())) if by_digest else set()

    def scan_bytes(self, data: bytes) -> tuple[set[int], set[Hit]]:
        """What one file's bytes hold: the phrases found in its words, and
        the hits of its exact content."""
        hits = self._digest_hits(data)
        if data.startswith(_GZIP_MAGIC):
            return set(), hits  # compressed bytes hold no words; the members are read
        # UTF-8 as a site is written; UTF-16 where a byte-order mark says so.
        encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8"
        regions = _regions(data.decode(encoding, errors="replace"))
        fresh = [r for r in regions if hash(r) not in self._clean]
        found: set[int] = set()
        for piece in _pieces(_REGION_BREAK.join(fresh)):
            found |= self.matcher.scan(streams(normalise(piece)))
        if not found:
            self._clean.update(hash(r) for r in fresh)
        return found, hits

    def _report(
        self, result: AuditResult, shown: str, rel: str, where: str, hits: set[Hit]
    ) -> None:
        by_source: dict[int, set[str]] = defaultdict(set)
        for index, kind in hits:
            by_source[index].add(kind)
        for index in sorted(by_source):
            source = self.plan.unpublished[index]
            kinds = by_source[index]
            named = where in (FILE_NAME, FOLDER_NAME)
            if not named and source.id and self._expected(source.id, rel):
                kinds.discard(ID)
            if kinds:
                ordered = tuple(k for k in _KIND_ORDER if k in kinds)
                result.leaks.append(Leak(shown, where, source, ordered, rel))

    def _expected(self, pm_id: str, rel: str) -> bool:
        """A restricted id cited in a published incident's `related` shows as
        a bare id on that incident's page and in the exports that carry it."""
        pages = self.plan.related_pages.get(pm_id)
        if not pages:
            return False
        if rel.rsplit("/", 1)[-1] in _RELATED_EXPORTS:
            return True
        return any(rel == page or rel.endswith("/" + page) for page in pages)


def packaged_theme_dirs(theme_dirs: Iterable[str | Path], site_dir: str | Path) -> list[Path]:
    """The theme's folders that are installed packages (not the site's
    `custom_dir`, nor a folder another plugin added from the site): what the
    build copies from them as it is holds nothing of the library. Never one
    that holds the site folder or lies in it, where a site file would be
    compared with itself."""
    paths = sysconfig.get_paths()
    roots = {Path(paths[k]).resolve() for k in ("purelib", "platlib")}
    site = Path(site_dir).resolve()
    folders = [Path(d).resolve() for d in theme_dirs]
    return [
        d
        for d in folders
        if any(d.is_relative_to(root) for root in roots)
        and not (site.is_relative_to(d) or d.is_relative_to(site))
    ]


def audit_site(
    site_dir: Path,
    library: Library,
    docs_dir: Path,
    config_file: Path | None = None,
    shown_from: Path | None = None,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    use_directory_urls: bool = True,
    packaged: Iterable[Path] = (),
    theme_dirs: Iterable[Path] = (),
) -> AuditResult:
    """Scan every file of a built site for what the library does not publish.
    `packaged`: installed theme folders (see `Plan.packaged`); `theme_dirs`:
    all of the theme's folders, whose templates and file names are the
    site's own, as the build's guard takes them."""
    shown_from = shown_from or Path.cwd()
    made = plan(
        library,
        docs_dir,
        config_file,
        theme_dirs=theme_dirs,
        use_directory_urls=use_directory_urls,
        packaged=packaged,
    )
    return Auditor(made, max_file_bytes, library.settings.jobs).audit(site_dir, shown_from)


def summary_line(result: AuditResult) -> str:
    files = len({leak.site_file for leak in result.leaks})
    return (
        f"{result.files} site file(s) audited ({result.bytes:,} bytes) for "
        f"{len(result.unpublished)} unpublished file(s): {len(result.leaks)} leak(s) in "
        f"{files} file(s), {len(result.unscanned)} not scanned"
    )
