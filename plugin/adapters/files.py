"""The library's files in MkDocs' terms: incident pages moved to their
addresses, generated pages and exports added, files the core did not place
withheld, the library's assets added to the site's config, and the site's
`nav:` spelled as MkDocs resolves it.
"""

from __future__ import annotations

import logging
import os
import posixpath
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Link, Navigation, Section

from ..check.library import Library
from ..check.publication import (
    Decision,
    FolderMeta,
    is_markdown_name,
    withholds_itself,
    withholds_read_from,
)
from ..model import Postmortem
from ..parse.frontmatter import Document
from ..urls import incident_url
from .compat import GENERATED_BY, GENERATED_SOURCES


class GeneratedPage(File):
    """A generated page that a `--dirty` rebuild may leave as it is: MkDocs
    re-renders every file with in-memory content on a dirty build."""

    unchanged = False

    def is_modified(self) -> bool:
        return not self.unchanged and super().is_modified()


# The library's stylesheets and script, added to every page of the site.
_ASSETS = (
    "assets/postmortems.css",
    "assets/postmortems-print.css",
    "assets/postmortems-charts.css",
)
_SCRIPTS = ("assets/postmortems.js",)


def add_assets(config: MkDocsConfig) -> None:
    """The library's stylesheets and script in the site's `extra_css` and
    `extra_javascript`, once each, wherever the site lists them already."""
    for css in _ASSETS:
        if css not in config.extra_css:
            config.extra_css.append(css)
    if not any(str(s) == _SCRIPTS[0] for s in config.extra_javascript):
        config.extra_javascript.extend(_SCRIPTS)


def generated_page(config: MkDocsConfig, src_uri: str, content: str) -> File:
    """A page of the library's own, out of the navigation (the site's `nav:`
    or `on_nav` lists the top ones)."""
    page = GeneratedPage.generated(
        config, src_uri, content=content, inclusion=InclusionLevel.NOT_IN_NAV
    )
    page.generated_by = GENERATED_BY
    GENERATED_SOURCES.back(page, config, content)
    return page


def generated_file(config: MkDocsConfig, src_uri: str, content: str | bytes) -> File:
    file = File.generated(config, src_uri, content=content)
    file.generated_by = GENERATED_BY
    return file


def place_incidents(
    files: Files, config: MkDocsConfig, library: Library, published: Mapping[str, Any], prefix: str
) -> tuple[dict[str, Postmortem], dict[str, str]]:
    """Move each published postmortem's page (an id in `published`) to
    `incidents/<id>/`, out of the navigation, and drop the others
    (restricted, or drafts outside serve). Returns the incident pages by
    source path, and the ids of the postmortems not published by path: a
    link to one renders as its bare id."""
    placed: dict[str, Postmortem] = {}
    withheld = library.withheld_links(published)
    for checked in library.documents.values():
        pm = checked.postmortem
        if pm is None:
            continue
        if not checked.is_postmortem:
            continue
        # Already a src_uri as MkDocs spells it: get_file_from_path would
        # normalise it through a PurePath, 8 µs a postmortem.
        file = files.src_uris.get(pm.src_uri)
        if file is None:
            continue
        if pm.id not in published:
            files.remove(file)
            continue
        # MkDocs 1.6 computes dest_uri, url and abs_dest_path once each and
        # keeps them (a plugin before us may have asked already): set all three.
        file.dest_uri = prefix + incident_url(pm.id) + "index.html"
        file.url = prefix + incident_url(pm.id) if config.use_directory_urls else file.dest_uri
        file.abs_dest_path = os.path.normpath(os.path.join(file.dest_dir, file.dest_uri))
        file.inclusion = InclusionLevel.NOT_IN_NAV
        placed[file.src_uri] = pm
    return placed, withheld


def withhold_unplaced(files: Files, config: MkDocsConfig, decision: Decision) -> None:
    """Publication is an allowlist: drop every file read from docs_dir that
    the core did not place (`decision`), including what MkDocs reached
    through links. Files other plugins made (generated, or from another
    folder) stay."""
    inside = (_folder_prefix(config.docs_dir),)
    for file in list(files):
        if file.generated_by is not None or not file.abs_src_path:
            continue
        uri = _uri_in(os.path.abspath(file.abs_src_path), inside)
        if uri is not None and uri not in decision.publish:
            files.remove(file)


def _folder_prefix(folder: str) -> str:
    return os.path.abspath(folder).rstrip(os.sep) + os.sep


def _uri_in(src: str, prefixes: tuple[str, ...]) -> str | None:
    """The path of `src` (absolute, normalised) in the first of these
    folders (each ending in a separator) that holds it, `/`-separated, or
    None. What follows the folder is the path relative to it: os.path.relpath
    took 12 µs a file."""
    for prefix in prefixes:
        if src.startswith(prefix):
            return src[len(prefix) :].replace(os.sep, "/")
    return None


def withhold_foreign(
    files: Files,
    config: MkDocsConfig,
    decision: Decision,
    placed: Mapping[str, str | None],
    meta: FolderMeta | None = None,
) -> list[tuple[str, Document, Path, str]]:
    """Drop the files other plugins added (a hook's or mkdocs-gen-files'
    pages, another language's copy) that the core would withhold: a copy of
    a file of docs_dir goes as its source went; any other is read (from
    disk, no further than a file of docs_dir may weigh), and goes when its
    own front matter withholds it or cannot be read (its document then
    holds the findings that say why), or when it
    says no visibility and its folder's `.meta.yml` (`meta`) withholds it,
    as a file of docs_dir would. A published file of docs_dir is left alone
    only while it is still read from where the core placed it (`placed`:
    src_uri -> abs_src_path): one another plugin put in its place, or
    whose text it set in memory, is decided by what it now says. Returns
    what went for what it says, for the output guard to look for: its
    name, document, source file and where it would have been written."""
    # docs_dir, and as a plugin may spell it: through the links it is reached by.
    real = os.path.realpath(config.docs_dir).rstrip(os.sep) + os.sep
    inside = (_folder_prefix(config.docs_dir), real)
    # The theme's files (MkDocs adds them before any plugin's on_files) are
    # the site's own, in no folder of docs_dir: no `.meta.yml` reaches them.
    theme = tuple(_folder_prefix(d) for d in config.theme.dirs)
    gone: list[tuple[str, Document, Path, str]] = []
    for file in list(files):
        if file.generated_by == GENERATED_BY:
            continue
        if file.abs_src_path is not None and placed.get(file.src_uri) == file.abs_src_path:
            continue
        src = os.path.abspath(file.abs_src_path) if file.abs_src_path else None
        if src is not None and file.generated_by is None and src.startswith(theme):
            continue
        uri = _uri_in(src, inside) if src is not None else None
        if uri is not None:
            if uri not in decision.publish:
                files.remove(file)
            continue
        page = file.is_documentation_page()
        name = (
            file.src_uri if file.generated_by is None else f"{file.src_uri} ({file.generated_by})"
        )
        inherited = meta.inherited(file.src_uri) if meta is not None else []
        if src is None:
            doc = withholds_itself(file.content_bytes, name, page, inherited)
        else:
            doc = withholds_read_from(src, name, page, inherited)
        if doc is not None:
            files.remove(file)
            gone.append((name, doc, Path(src or file.src_uri), file.abs_dest_path))
    return gone


def nav_with_index_files(nav: Any, folders: set[str]) -> Any:
    """The site's `nav:` with the library's top folders (`incidents/`)
    spelled as MkDocs resolves them, `incidents/index.md`. Everything else,
    links included, is returned as it was written."""
    if isinstance(nav, str):
        bare = nav.lstrip("/")
        return bare + "index.md" if bare in folders else nav
    if isinstance(nav, list):
        return [nav_with_index_files(item, folders) for item in nav]
    if isinstance(nav, dict):
        return {key: nav_with_index_files(value, folders) for key, value in nav.items()}
    return nav


def nav_target(url: str) -> str | None:
    """The docs_dir path a navigation link names, as MkDocs and the nav
    plugins read it (`2025/x.md`, `./2025/x.md`, `/2025/x.md`, escaped or
    not); None for a link that leaves the site."""
    split = urlsplit(url)
    if split.scheme or split.netloc:
        return None
    path = posixpath.normpath(unquote(split.path)).lstrip("/")
    return None if path in ("", ".") or path.startswith("..") else path


def nav_forms(withheld: Mapping[str, str]) -> dict[str, str]:
    """Each way a navigation link may name a withheld file (as `nav_target`
    reads it), with the file's docs_dir path: the path itself, and for a
    page the addresses MkDocs would have given it (`plans/x/`,
    `plans/x.html`, `plans/x/index.html`), which a `nav:` may list as links."""
    forms: dict[str, str] = {}
    for uri in withheld:
        forms.setdefault(uri, uri)
        if not is_markdown_name(uri):
            continue
        stem = posixpath.splitext(uri)[0]
        folder, name = posixpath.split(stem)
        base = folder if name in ("index", "README") else stem
        if base:
            for form in (base, f"{base}.html", f"{base}/index.html"):
                forms.setdefault(form, uri)
    return forms


def drop_withheld_links(nav: Navigation, withheld: Mapping[str, str]) -> list[str]:
    """Take out of `nav`, in place, every link to a withheld page of
    docs_dir (`withheld`: path -> why), and each section that held nothing
    else, whoever put them there (the site's `nav:`, literate-nav,
    awesome-nav, another plugin). The titles go with them: a nav title is
    often the page's own. Every other item stays as it is. Returns the
    paths dropped, in nav order."""
    dropped: list[str] = []
    forms = nav_forms(withheld)

    def keep(items: list[Any]) -> list[Any]:
        kept = []
        for item in items:
            if isinstance(item, Link):
                target = nav_target(item.url)
                if target is not None and target in forms:
                    dropped.append(forms[target])
                    continue
            elif isinstance(item, Section):
                before = len(item.children)
                item.children[:] = keep(item.children)
                if before and not item.children:
                    continue
            kept.append(item)
        return kept

    if any(nav_target(link.url) in forms for link in _links(nav.items)):
        nav.items[:] = keep(nav.items)
    return dropped


def _links(items: Iterable[Any]) -> Iterator[Link]:
    for item in items:
        if isinstance(item, Link):
            yield item
        elif isinstance(item, Section):
            yield from _links(item.children)


# What MkDocs logs for a `nav:` entry whose file is not in `files` (as
# `mkdocs.structure.nav` words it in 1.5 and 1.6).
_NOT_FOUND = re.compile(
    r"A reference to '(.*)' is included in the 'nav' configuration, "
    r"which is not found in the documentation files\.",
    re.S,
)


class WithheldNavWarnings(logging.Filter):
    """Holds back MkDocs' warning about a `nav:` entry (the site's own, or
    one literate-nav builds) whose file is withheld: the entry is dropped
    (`drop_withheld_links`) and the plugin says so at INFO, by path and
    rule. A listed withheld page is what a site that builds both an
    internal and a public edition from one `nav:` does on purpose, and
    `--strict` would fail on MkDocs' warning. A missing file that is not
    withheld (a typo) still warns."""

    def __init__(self, withheld: Mapping[str, str]) -> None:
        super().__init__()
        self.withheld = nav_forms(withheld)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        match = _NOT_FOUND.fullmatch(record.getMessage())
        return match is None or nav_target(match.group(1)) not in self.withheld
