"""A whole docs_dir as a library of postmortems, with every finding."""

from __future__ import annotations

import datetime as dt
import gc
import os
import stat
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Final, cast

from ..dates import build_date, by_date_as_written
from ..model import Finding, Postmortem, Severity
from ..parallel import second_process, split_map
from ..parse.frontmatter import Document, read_bounded, read_document
from ..parse.regimes import Regimes, default_regimes_path, load_regimes
from ..parse.taxonomy import Taxonomy, load_taxonomy
from ..resources import default_taxonomy_path
from ..rules import RULES
from ..settings import Settings
from .checks import (
    LANGUAGE_ONLY_WARNS,
    CheckedDocument,
    check_document,
    check_library,
    language_review,
)
from .publication import (
    CASE,
    LINKED,
    Decision,
    DocsScan,
    FolderMeta,
    WithheldLinks,
    decide,
    read_copied_front_matter,
    read_folder_meta,
    scan_docs,
    withholds,
)


@dataclass
class Library:
    postmortems: list[Postmortem]
    findings: list[Finding]
    taxonomy: Taxonomy | None
    settings: Settings
    # Every Markdown file that was read, by its path relative to docs_dir.
    documents: dict[str, CheckedDocument] = field(default_factory=dict)
    # None when the regimes file is broken (a `regimes` finding says why).
    regimes: Regimes | None = None
    # Every file of docs_dir as MkDocs would find it, and what it withheld.
    scan: DocsScan = field(default_factory=DocsScan)
    # What each folder's .meta.yml gives the pages below it.
    meta: FolderMeta = field(default_factory=FolderMeta)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    def published(self, include_drafts: bool | None = None) -> list[Postmortem]:
        """What may reach the site, newest first. Restricted never does."""
        drafts = self.settings.include_drafts if include_drafts is None else include_drafts
        chosen = [p for p in self.postmortems if not p.is_restricted and (drafts or not p.is_draft)]
        return sorted(chosen, key=by_date_as_written, reverse=True)

    def published_view(self, include_drafts: bool | None = None) -> Library:
        """The library as the site may show it, to hand to other plugins and
        templates: the published postmortems only, and no file's findings but
        theirs (a finding can quote a withheld file's text)."""
        published = self.published(include_drafts)
        paths = {p.src_path for p in published}
        findings = [f for f in self.findings if f.path in paths]
        return Library(published, findings, self.taxonomy, self.settings, regimes=self.regimes)

    def drop_parse_data(self) -> None:
        """Forget how the files were parsed: the documents and the positions
        of every YAML value (for findings, reported by then). A one-off
        build needs the postmortems only; at 10,000 postmortems these were a
        third of its memory."""
        self.documents = {}
        for pm in self.postmortems:
            pm.positions = {}

    def withheld_links(self, published: Collection[str]) -> WithheldLinks:
        """The files of the postmortems whose ids are not `published`, by
        path, each with the id a link to it renders as (`bare_ids`)."""
        return WithheldLinks(
            (rel, checked.postmortem.id)
            for rel, checked in self.documents.items()
            if checked.postmortem is not None and checked.postmortem.id not in published
        )

    def publication(self, include_drafts: bool | None = None) -> Decision:
        """Which files of docs_dir may be published; everything else is not."""
        published = {p.src_uri for p in self.published(include_drafts)}
        return decide(self.scan, self.documents, published, self.meta)


def resolve_taxonomy_path(settings: Settings, config_dir: Path) -> Path:
    if settings.taxonomy:
        return config_dir / settings.taxonomy
    local = config_dir / "schema" / "taxonomy.yml"
    return local if local.is_file() else default_taxonomy_path()


def resolve_regimes_path(settings: Settings, config_dir: Path) -> Path:
    if settings.regimes:
        return config_dir / settings.regimes
    local = config_dir / "schema" / "regimes.yml"
    return local if local.is_file() else default_regimes_path()


def markdown_files(folder: Path) -> Iterator[Path]:
    """The Markdown files of a folder named on the command line: those the
    build reads (every extension MkDocs renders, in any case, not hidden),
    and Markdown-named links, which are then read or reported unreadable
    under their own name. The build never reads through a link."""
    scan = scan_docs(folder, str)
    for f in scan.files.values():
        if f.markdown and scan.withheld.get(f.src_uri, CASE) in (CASE, LINKED):
            yield f.path


class LibraryLoader:
    """Loads a library and remembers what it parsed.

    Kept alive across `mkdocs serve` rebuilds: a file whose size and mtime
    have not changed is not read or parsed again, and its per-file checks
    are reused while the taxonomy and settings are the same.
    """

    def __init__(self, keep_positions: bool = True, language_later: bool = False) -> None:
        self._cache: dict[Path, tuple[tuple[int, int], object, CheckedDocument]] = {}
        self.parsed_last_time = 0
        # A site build that renders pages in a second process lets it review
        # the narrative's language there, after the library is published
        # (a third of the time checking a file takes): `language_pending`
        # lists the files whose review is still to do (see `review_later`).
        self.language_later = language_later and LANGUAGE_ONLY_WARNS
        self.language_pending: list[Pending] = []
        # A one-off site build reports each file's findings once and never
        # checks it again: it keeps only the positions the library-wide rules
        # point at. Every value's position, held for every file at once, was a
        # third of the build's peak memory at 10,000 postmortems.
        self.keep_positions = keep_positions
        # The checks' context of the last load: an equal one is replaced by
        # it, so each cached file compares it by identity, not field by field.
        self._context: object = None
        # Each file's path, name in findings and key in `documents`, for one
        # (docs_dir, display_root): path arithmetic per file, at every serve
        # rebuild, cost more than the cached checks it leads to.
        self._names: dict[str, tuple[Path, str, str]] = {}
        self._names_for: tuple[Path, Path] | None = None

    def load(
        self,
        docs_dir: Path,
        settings: Settings,
        config_dir: Path,
        display_root: Path | None = None,
        extra_files: Iterable[Path] = (),
        today: dt.date | None = None,
        real_path: Callable[[Path], Path] | None = None,
    ) -> Library:
        """`today` is the day reporting clocks are checked against (default:
        the build date, SOURCE_DATE_EPOCH's day where it is set).
        `real_path` names, for a file of `docs_dir`, the file findings name:
        where docs_dir is a merged copy of other folders (see `mounts`)."""
        # Parsed documents hold no reference cycles and all stay alive, so the
        # cyclic collector would walk an ever larger heap and free nothing:
        # measured, 7-14% of a lint at 1,000 files, more at 5,000.
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return self._load(
                docs_dir,
                settings,
                config_dir,
                display_root,
                extra_files,
                today or build_date(),
                real_path,
            )
        finally:
            if was_enabled:
                gc.enable()

    def _load(
        self,
        docs_dir: Path,
        settings: Settings,
        config_dir: Path,
        display_root: Path | None,
        extra_files: Iterable[Path],
        today: dt.date,
        real_path: Callable[[Path], Path] | None = None,
    ) -> Library:
        display_root = display_root or docs_dir
        tax_path = resolve_taxonomy_path(settings, config_dir)
        taxonomy, findings = load_taxonomy(tax_path, display_path(tax_path, display_root))
        reg_path = resolve_regimes_path(settings, config_dir)
        regimes, regime_findings = load_regimes(reg_path, display_path(reg_path, display_root))
        findings += regime_findings
        context = (taxonomy, settings, regimes, today)
        if context == self._context:
            context = self._context
        self._context = context
        shown = partial(display_path, root=display_root)
        if real_path is not None:
            shown = partial(_shown_real, real_path=real_path, root=display_root)
        scan = scan_docs(docs_dir, shown)
        findings += scan.findings
        findings += read_copied_front_matter(scan, shown)
        meta = read_folder_meta(scan, shown)
        findings += meta.findings
        if self._names_for != (docs_dir, display_root):
            self._names, self._names_for = {}, (docs_dir, display_root)
        names = [self._named(f.location, docs_dir, shown) for f in scan.markdown]
        files = [path for path, _, _ in names]
        # By resolved path: `lint /abs/docs/x.md` or `lint docs/../docs/x.md`
        # (or a file given twice) must not read x.md twice and report its id
        # as a duplicate of itself.
        extra = list(extra_files)
        # Resolving is a system call per path: only when there is something to
        # compare (serve rebuilds load the whole docs_dir and nothing else).
        # A merged docs_dir holds copies: a file named by its own path is the
        # copy's original.
        real = real_path or (lambda p: p)
        seen = {real(p).resolve() for p in files} if extra else set()
        for p in extra:
            if p.resolve() not in seen:
                seen.add(p.resolve())
                names.append((p, display_path(p, display_root), _key(p, docs_dir)))
        checked: dict[str, CheckedDocument] = {}
        self.parsed_last_time = 0
        live: set[Path] = set()
        self.language_pending = []
        for (path, name, key), c in zip(names, self._check_all(names, context), strict=True):
            live.add(path)
            checked[key] = c
            if c.language_later:
                self.language_pending.append((path, name, c.document))
            if c.postmortem is not None:
                c.postmortem.src_uri = key
                _inherit_visibility(c, meta)
        gone = set(self._cache) - live
        for path in gone:
            del self._cache[path]
        if gone:
            self._names = {k: v for k, v in self._names.items() if v[0] not in gone}
        all_checked = list(checked.values())
        findings += [f for c in all_checked for f in c.findings]
        findings += check_library(all_checked, settings)
        postmortems = [c.postmortem for c in all_checked if c.postmortem is not None]
        # A postmortem with a library-level error (e.g. a duplicate id) is not published.
        broken = {f.path for f in findings if f.severity is Severity.ERROR}
        postmortems = [p for p in postmortems if p.src_path not in broken]
        return Library(
            postmortems,
            in_report_order(findings),
            taxonomy,
            settings,
            checked,
            regimes,
            scan,
            meta,
        )

    def _named(
        self, location: str, docs_dir: Path, shown: Callable[[Path], str]
    ) -> tuple[Path, str, str]:
        named = self._names.get(location)
        if named is None:
            path = Path(location)
            named = (path, shown(path), _key(path, docs_dir))
            self._names[location] = named
        return named

    def _check_all(
        self, names: list[tuple[Path, str, str]], context: _Context
    ) -> list[CheckedDocument]:
        """Each file's checks, from the cache where it is still valid. Files
        read afresh are shared with a second process (see `parallel`): on
        a first load that is every file."""
        results: list[CheckedDocument | _Stamp] = [
            self._cached(path, shown, context) for path, shown, _ in names
        ]
        todo = [i for i, r in enumerate(results) if isinstance(r, tuple)]
        keep = self.keep_positions
        # Only where a second process will be there to do it.
        jobs = context[1].jobs
        language = not (self.language_later and second_process(len(todo), jobs))
        fresh = split_map(
            todo, lambda i: _read_and_check(*names[i][:2], context, keep, language), jobs
        )
        for i, (result, parsed) in zip(todo, fresh, strict=True):
            stamp = results[i]
            assert isinstance(stamp, tuple)
            if parsed:
                self.parsed_last_time += 1
                self._cache[names[i][0]] = (stamp, context, result)
            results[i] = result
        return cast(list[CheckedDocument], results)

    def _cached(self, path: Path, shown: str, context: _Context) -> CheckedDocument | _Stamp:
        """The file's checks where they need no reading, else the stamp
        (mtime, size) under which to cache them once read."""
        try:
            st = path.stat()
        except OSError as exc:
            return _unreadable(shown, f"cannot read the file: {exc.strerror or exc}")
        if not stat.S_ISREG(st.st_mode):
            # A FIFO or device named *.md would block the read forever.
            return _unreadable(shown, "this is not a regular file; postmortems are plain files")
        stamp = (st.st_mtime_ns, st.st_size)
        hit = self._cache.get(path)
        if hit is None or hit[0] != stamp or hit[2].document.path != shown:
            return stamp
        if hit[2].language_later:
            return stamp  # read again, for the review to be done or listed
        if hit[1] == context:
            return hit[2]
        if not self.keep_positions:
            # Checked again, against the new taxonomy or settings: only with
            # every position still there, else it is read afresh.
            return stamp
        result = check_document(hit[2].document, *context)
        self._cache[path] = (stamp, context, result)
        return result


# A file's modification time (ns) and size: an unchanged one is not read again.
_Stamp = tuple[int, int]
# A file whose language review a load left for later: its path, its name in
# findings, and the document the load parsed.
Pending = tuple[Path, str, Document]
_Context = tuple[Taxonomy | None, Settings, Regimes | None, dt.date]


def _inherit_visibility(checked: CheckedDocument, meta: FolderMeta) -> None:
    """A postmortem without a visibility of its own takes its folders'
    (set afresh at every load: a cached postmortem may have moved, or its
    .meta.yml changed). Any inherited value but internal withholds it. What
    was written is told by where it was written: validation fills in the
    schema's default."""
    pm = checked.postmortem
    if pm is not None and ("visibility",) not in checked.document.yaml.key_offsets:
        pm.visibility = "restricted" if withholds(meta.inherited(pm.src_uri)) else "internal"


def _read_and_check(
    path: Path, shown: str, context: _Context, keep_positions: bool, language: bool = True
) -> tuple[CheckedDocument, bool]:
    """A file read, parsed and checked, and whether it could be read. No
    state is touched: this may run in a second process."""
    raw, refused = read_bounded(path, shown)
    if raw is None:
        return CheckedDocument(read_document(b"", shown), True, refused), False
    result = check_document(read_document(raw, shown), *context, language=language)
    if not keep_positions:
        _forget_positions(result)
    return result, True


def review_later(pending: Iterable[Pending], settings: Settings) -> list[Finding]:
    """The blameless-language findings of files a load left for later.
    Each document is reviewed as the load parsed it: parsing its file again
    took a third of the review. A one-off build has forgotten where its
    front-matter values were (`_forget_positions`), so where a finding lies
    in the front matter (above the body's first line, where a forgotten
    position points), that file is read again for its findings."""
    findings: list[Finding] = []
    for path, shown, doc in pending:
        found = language_review(doc, settings)
        if any(f.line < doc.body_line for f in found):
            raw, _ = read_bounded(path, shown)
            found = language_review(read_document(raw, shown), settings) if raw is not None else []
        findings += found
    return findings


def in_report_order(findings: Iterable[Finding]) -> list[Finding]:
    """Findings as lint lists them: each once, by file, line and column."""
    return sorted(set(findings), key=_order)


# What `check_library` points at (an id given twice, a `related` entry), and
# whether a visibility was written (else a folder's .meta.yml gives it).
_LIBRARY_KEYS: Final = ("id", "related", "visibility")


def _forget_positions(checked: CheckedDocument) -> None:
    checked.document.yaml.keep_only(_LIBRARY_KEYS)
    if checked.postmortem is not None:
        checked.postmortem.positions = {}


def _key(path: Path, docs_dir: Path) -> str:
    """A document's key in `Library.documents`: relative to docs_dir where it is in it."""
    return path.relative_to(docs_dir).as_posix() if path.is_relative_to(docs_dir) else str(path)


def _order(f: Finding) -> tuple[str, int, int, str, str, str]:
    """A finding's place in a report: its fields in the order the dataclass
    compares them, as one tuple (sorting 2,500 findings by it takes a
    quarter of the time the dataclass's own comparisons take)."""
    return (f.path, f.line, f.column, f.severity, f.rule, f.message)


def _unreadable(shown: str, message: str) -> CheckedDocument:
    return CheckedDocument(
        read_document(b"", shown),
        True,
        [RULES["unreadable"].finding(shown, 1, 1, message)],
    )


def _shown_real(path: Path, real_path: Callable[[Path], Path], root: Path) -> str:
    return display_path(real_path(path), root)


def display_path(path: Path, root: Path) -> str:
    """How a file is named in findings: relative to `root` where it can be."""
    # Plain strings first, without following links: cheap, and a dangling
    # link is still named where it is.
    mine, base = os.path.abspath(path), os.path.abspath(root)
    if mine.startswith(base.rstrip(os.sep) + os.sep):
        return Path(mine[len(base.rstrip(os.sep)) + 1 :]).as_posix()
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def load_library(
    docs_dir: Path,
    settings: Settings,
    config_dir: Path,
    display_root: Path | None = None,
    extra_files: Iterable[Path] = (),
) -> Library:
    return LibraryLoader().load(docs_dir, settings, config_dir, display_root, extra_files)
