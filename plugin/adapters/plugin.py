"""The MkDocs adapter: hands the core's library and pages to MkDocs.

All decisions (what is published, at which address, what a page shows) are
made by the MkDocs-free core in `library`, `site` and `render`; this module
only translates them into MkDocs events. Under `mkdocs serve` the plugin
object lives across rebuilds, so per-build state is reset in `on_config`.
See https://www.mkdocs.org/dev-guide/plugins/#events for the event order.
"""

from __future__ import annotations

import contextlib
import gc
import html
import os
import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils import clean_directory
from mkdocs.utils.templates import TemplateContext

from ..check.formats import as_text
from ..check.library import (
    Library,
    LibraryLoader,
    in_report_order,
    resolve_regimes_path,
    resolve_taxonomy_path,
    review_later,
)
from ..check.publication import Decision, bare_ids, confidential
from ..check.reporting import CLOCK_RULES
from ..dates import build_date
from ..ids import MENTION
from ..model import Finding, Postmortem, Severity
from ..parallel import Ahead
from ..resources import TEMPLATES_DIR
from ..settings import Settings
from ..urls import EXPORTS, FEED, incident_url, relative_url
from ..web import audit, charts, export
from ..web.guide import render_guide
from ..web.preview_search import PreviewSearchIndex
from ..web.render import MemoryBytecodeCache, Renderer, SharedFragments
from ..web.site import ItemRow as SiteItemRow
from ..web.site import Page as SitePage
from ..web.site import SiteModel
from .options import PostmortemsConfig, settings_of

if TYPE_CHECKING:
    # Only `mkdocs serve` needs the server; a build or `postmortems lint`
    # loading the plugin need not import it (and watchdog).
    from mkdocs.livereload import LiveReloadServer

# The logger name users filter on (`mkdocs.plugins.mkdocs_postmortems.plugin`) predates the
# move into adapters/, so it is spelled out rather than taken from __name__.
log = get_plugin_logger("mkdocs_postmortems.plugin")

# Markers left in Markdown and swapped for rendered HTML in on_page_content:
# that way the HTML is not re-parsed by Markdown, yet still reaches the
# search index, which reads page content after on_page_content.
_HEAD = "<!--postmortems:head-->"
_BODY = "<!--postmortems:page-->"
_ASSETS = (
    "assets/postmortems.css",
    "assets/postmortems-print.css",
    "assets/postmortems-charts.css",
)
_SCRIPTS = ("assets/postmortems.js",)
# What the build log says of a finding on a withheld file instead of its message.
_WITHHELD_MESSAGE = (
    "(message not logged: this file is withheld from the site; `postmortems lint` shows it)"
)
# The guard reads files of any size a build writes; past this it fails closed.
_GUARD_MAX_FILE_BYTES = 1024 * 2**20
_MTIME_MARGIN = 2.0
# Files per part of the language review left to the second process: about
# a tenth of a second of its work.
_LANGUAGE_PART = 100
# Top-level generated folders a site's explicit `nav:` may name without the
# `index.md` MkDocs needs to find the page.
_NAV_FOLDERS = ("incidents/", "layers/", "systems/", "action-items/", "reporting/", "guide/")


def _nav_with_index_files(nav: Any, prefix: str) -> Any:
    """The site's `nav:` with `incidents/` (and the other library folders)
    spelled as MkDocs resolves them, `incidents/index.md`. Everything else,
    links included, is returned as it was written."""
    if isinstance(nav, str):
        bare = nav.lstrip("/")
        if bare.startswith(prefix) and bare[len(prefix) :] in _NAV_FOLDERS:
            return bare + "index.md"
        return nav
    if isinstance(nav, list):
        return [_nav_with_index_files(item, prefix) for item in nav]
    if isinstance(nav, dict):
        return {key: _nav_with_index_files(value, prefix) for key, value in nav.items()}
    return nav


def _with_title(content: str, page: Page) -> str:
    """The page's title as its heading where the content has none. Material
    adds one the same way; themes that do not (MkDocs' own) would show a
    library page without a title."""
    if "<h1" in content:
        return content
    return (
        f'<h1 id="pm-title">{page.meta.get("title") or html.escape(page.title or "")}</h1>\n'
        + content
    )


class _GeneratedPage(File):
    """A generated page that a `--dirty` rebuild may leave as it is.

    MkDocs re-renders every file with in-memory content on a dirty build;
    a listing whose rows did not change would only be rendered again to
    the same HTML, and at 1,000 incidents those pages are most of the
    rebuild."""

    unchanged = False

    def is_modified(self) -> bool:
        return not self.unchanged and super().is_modified()


def _shows_same(old: Any, new: Any, items_by_id: bool = False) -> bool:
    """Whether a listing's context shows what it showed at the last build: a
    postmortem counts by its front matter, so an edit of an incident's prose
    leaves every listing as it was, and an edit of its title only the
    listings that carry it. With `items_by_id`, an action item's row counts
    its incident by id alone, as the library's own action table shows it:
    a title edit then leaves the action-item pages as they were.

    Equal values show the same, so a context is only taken apart where it
    differs: the postmortems an edit did not touch are the very objects of
    the last build (the loader hands them back), each compared in C."""
    if old is new or old == new:
        return True
    if isinstance(new, Postmortem):
        return isinstance(old, Postmortem) and old.data == new.data
    if isinstance(new, SiteItemRow):
        if not isinstance(old, SiteItemRow) or (old.item, old.overdue) != (new.item, new.overdue):
            return False
        if items_by_id:
            return bool(old.incident.id == new.incident.id)
        return bool(old.incident.data == new.incident.data)
    if isinstance(new, list | tuple):
        return (
            isinstance(old, list | tuple)
            and len(old) == len(new)
            and all(_shows_same(a, b, items_by_id) for a, b in zip(old, new, strict=True))
        )
    if isinstance(new, dict):
        return (
            isinstance(old, dict)
            and old.keys() == new.keys()
            and all(_shows_same(old[k], v, items_by_id) for k, v in new.items())
        )
    return False


def _templates_overridden(theme_dirs: list[str]) -> bool:
    """Whether a theme folder before ours (a site's custom_dir) has templates
    of the library's own: then they may show anything of their context."""
    ours = os.path.abspath(TEMPLATES_DIR)
    return any(
        os.path.isdir(os.path.join(d, "postmortems"))
        for d in theme_dirs
        if os.path.abspath(d) != ours
    )


class _ChartInputs:
    """The incidents a page's charts draw, equal to another's when the charts
    draw the same of each: an incident left as it was is the same object,
    so only an edited one is taken apart."""

    def __init__(self, incidents: list[Postmortem]) -> None:
        self.incidents = incidents

    @staticmethod
    def drawn(p: Postmortem) -> tuple[object, ...]:
        return (p.date, p.severity, p.factors, p.detected, p.resolved, p.action_items)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, _ChartInputs):
            return NotImplemented
        mine, theirs = self.incidents, other.incidents
        return len(mine) == len(theirs) and all(
            a is b or self.drawn(a) == self.drawn(b) for a, b in zip(mine, theirs, strict=True)
        )

    __hash__ = None  # type: ignore[assignment]


class _HideFromI18n(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
    """mkdocs-static-i18n (its `on_files` at priority -100) rebuilds every
    documentation file from its path in docs_dir: a generated page crashes
    it (no source path). Registered only beside it, this takes the library's
    generated files out just before it runs, and `_ShowAfterI18n` puts them
    back just after, so every other plugin still sees them."""

    def __init__(self, owner: PostmortemsPlugin) -> None:
        self.owner = owner

    @event_priority(-99)
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        self.owner.hidden = [f for f in files if f.generated_by == "postmortems"]
        for file in self.owner.hidden:
            files.remove(file)
        return files


class _ShowAfterI18n(_HideFromI18n):  # type: ignore[no-untyped-call]
    @event_priority(-110)
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        for file in self.owner.hidden:
            files.append(file)
        self.owner.hidden = []
        return files


class PostmortemsPlugin(BasePlugin[PostmortemsConfig]):  # type: ignore[no-untyped-call]
    supports_multiple_instances = False

    def __init__(self) -> None:
        self._loader = LibraryLoader()  # survives serve rebuilds: the parse cache
        self.is_serve = False
        self.is_dirty = False
        # Also kept across serve rebuilds: exports and listing rows of
        # unchanged postmortems, and compiled templates (ours, and the theme's).
        self.exports = export.ExportCache()
        self.bytecode = MemoryBytecodeCache()
        self.fragments = SharedFragments()
        self._session: tuple[str | None, str] | None = None
        self.frozen = False
        self.ahead = Ahead(())
        self._new_session()
        self._reset()

    def _new_session(self) -> None:
        """What survives `serve --dirty` rebuilds of one site into one folder:
        it describes what that folder holds."""
        # What each generated page showed at the last build, and what every
        # page of the site depended on.
        self._shown: dict[str, object] = {}
        self._site_inputs: object = None
        # Incident pages built so far (address -> file), and those a rebuild
        # withdrew, whose search entries must go too.
        self._built_incidents: dict[str, str] = {}
        self._withdrawn: set[str] = set()
        # The id of each incident page built (by address), and the incident
        # ids each authored page showed when it was last built.
        self._built_ids: dict[str, str] = {}
        self._mentions: dict[str, set[str]] = {}
        self.search_index = PreviewSearchIndex()
        # Warnings logged at the last serve build, not repeated at the next.
        self._logged: set[Finding] = set()
        # What the published texts hold of the guard's phrases, by text.
        self._public_memo = audit.PublicMemo()
        # What the guard looked for when it last read the whole site folder:
        # while it stays the same, a `--dirty` rebuild's guard reads only the
        # files that rebuild wrote.
        self._guarded: object = None

    def _reset(self) -> None:
        self._settings: Settings | None = None
        # The whole library, withheld files included: never handed out.
        self._library: Library | None = None
        # What other plugins and templates may read (`config.plugins`): the
        # published postmortems only.
        self.library: Library | None = None
        # The output guard of this build (see on_post_build), and when the
        # build started, so a `--dirty` rebuild's guard knows what it wrote.
        self._guard: audit.Auditor | None = None
        self._started = time.time()
        # Files withheld for what they say (restricted): their findings are
        # logged without their text.
        self._withheld_paths: frozenset[str] = frozenset()
        self.site: SiteModel | None = None
        self.renderer: Renderer | None = None
        self.incident_pages: dict[str, Postmortem] = {}
        # Postmortem files of docs_dir that are not published, by path: a link
        # to one renders as its bare id.
        self._withheld_links: dict[str, str] = {}
        self.generated: dict[str, SitePage] = {}
        self.nav_pages: list[tuple[str, str]] = []
        self.home_uri: str | None = None
        # Our own pages (generated and the guide), which get the library's links.
        self.library_pages: set[str] = set()
        self.hidden: list[File] = []
        # Incident pages, rendered, waiting for search to have read their index
        # text; and their own tags, to put back once search has read its terms.
        # (HTML before the card, the card's context, the narrative's HTML): the
        # card is rendered as each page is written, not all of them at once.
        # The card's context is kept where this process made it already.
        self.after_search: dict[str, tuple[str, dict[str, Any] | None, str]] = {}
        # Fragments rendered ahead in a second process (see _render_ahead).
        self.ahead.close()
        # Exports of a one-off build, filled in on_env (see _add_exports).
        self._late_exports: dict[str, File] = {}
        self._export_args: tuple[str | None, str] = (None, "")
        self.own_tags: dict[str, Any] = {}
        # What each of our pages held before its card or listing went in: the
        # page is given that back once it is written (see on_post_page).
        self.written_as: dict[str, str] = {}
        # Warnings the last serve build logged that still stand (_logged_before).
        self._repeated: set[Finding] = set()
        # Files whose blameless-language review a one-off build left to the
        # second process: reported as the build ends (see on_post_build).
        self._language_pending: list[tuple[Path, str]] = []
        # Addresses of the pages this build rendered, and of all its pages
        # (under `--dirty`).
        self.rendered: set[str] = set()
        self.page_urls: set[str] = set()

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Drafts show under `mkdocs serve` only."""
        self.is_serve = command == "serve"
        self.is_dirty = dirty
        # Rebuilds check a file again with the positions its first parse kept.
        self._loader = LibraryLoader(
            keep_positions=self.is_serve, language_later=self._renders_ahead
        )

    @property
    def _renders_ahead(self) -> bool:
        """Whether pages may be rendered ahead in a second process (see
        _render_ahead): not under serve, whose threads rule out a fork, nor
        `--dirty`, which renders few pages."""
        return not self.is_serve and not self.is_dirty

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        """Reset per-build state (and what serve rebuilds carry over, for
        another site or output folder); put our templates last in the theme's
        search path so a site's custom_dir overrides still win."""
        self._reset()
        # Absolute: `mkdocs serve -f` names the file as given at the first
        # build and by its full path at the next ones.
        config_file = config.config_file_path
        session = (config_file and os.path.abspath(config_file), os.path.abspath(config.site_dir))
        if session != self._session:
            self._new_session()
            self._session = session
        if "i18n" in config.plugins and "postmortems/i18n-before" not in config.plugins:
            config.plugins["postmortems/i18n-before"] = _HideFromI18n(self)
            config.plugins["postmortems/i18n-after"] = _ShowAfterI18n(self)
        if config.nav is not None:
            config.nav = _nav_with_index_files(config.nav, self.prefix)
        if str(TEMPLATES_DIR) not in config.theme.dirs:
            config.theme.dirs.append(str(TEMPLATES_DIR))
        for css in _ASSETS:
            if css not in config.extra_css:
                config.extra_css.append(css)
        if not any(str(s) == _SCRIPTS[0] for s in config.extra_javascript):
            config.extra_javascript.extend(_SCRIPTS)
        return config

    @property
    def settings(self) -> Settings:
        """The validated options, made into the core's settings once per build."""
        if self._settings is None:
            self._settings = settings_of(self.config)
        return self._settings

    @property
    def prefix(self) -> str:
        return self.settings.prefix

    @property
    def include_drafts(self) -> bool:
        return self.is_serve or self.settings.include_drafts

    # Early (50): the generated pages must be in `files` when plugins at the
    # default priority read it (mkdocs-redirects checks its targets there).
    # The library itself is read from docs_dir, as lint reads it.
    @event_priority(50)
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        """Load and check the library, move each published postmortem to
        `incidents/<id>/`, drop unpublished ones, and add generated pages."""
        config_dir = Path(config.config_file_path or ".").resolve().parent
        # Related-incident hints are advice for authors, given by `postmortems
        # lint`; a site build has no one to act on them, and at 1,000
        # incidents they were a third of the time spent loading the library.
        settings = replace(self.settings, related_hints=False)
        docs_dir = Path(config.docs_dir)
        library = self._loader.load(docs_dir, settings, config_dir, Path.cwd())
        self._language_pending = self._loader.language_pending
        decision = library.publication(self.include_drafts)
        self._withheld_paths = frozenset(
            checked.document.path
            for uri, checked in library.documents.items()
            if uri in decision.withheld and confidential(uri, checked, library.meta)
        )
        # Before reporting: even a build that goes on after errors (serve)
        # publishes nothing the core did not place.
        self._withhold(files, config, decision)
        if self.is_dirty:
            self._clean_if_withheld_were_built(config, library, decision)
        self._repeated = self._logged_before(library.findings, config)
        self._report(library.findings)
        self._guard = audit.Auditor(
            audit.plan(
                library,
                docs_dir,
                Path(config.config_file_path) if config.config_file_path else None,
                self.include_drafts,
                [Path(d) for d in config.theme.dirs],
                self._public_memo if self.is_serve else None,
                config.use_directory_urls,
                decision,
            ),
            _GUARD_MAX_FILE_BYTES,
            self.settings.jobs,
        )
        self._library = library
        self.library = library.published_view(self.include_drafts)
        site = SiteModel(self.library, build_date(), self.include_drafts)
        self.site = site
        self.renderer = Renderer(
            [Path(d) for d in config.theme.dirs],
            config.use_directory_urls,
            self.prefix,
            self.bytecode if self.is_serve else None,
            self.fragments if self.is_serve else None,
        )
        if self.is_serve:
            self.fragments.made.keep_only(site.incidents)

        for checked in library.documents.values():
            if not checked.is_postmortem or checked.postmortem is None:
                continue
            pm = checked.postmortem
            # Already a src_uri as MkDocs spells it: get_file_from_path would
            # normalise it through a PurePath, 8 µs a postmortem.
            file = files.src_uris.get(pm.src_uri)
            if file is None:
                continue
            if pm.id not in site.by_id:
                files.remove(file)  # restricted, or a draft outside serve
                continue
            # MkDocs 1.6 computes dest_uri, url and abs_dest_path once each and
            # keeps them (a plugin before us may have asked already): set all three.
            file.dest_uri = self.prefix + incident_url(pm.id) + "index.html"
            file.url = (
                self.prefix + incident_url(pm.id) if config.use_directory_urls else file.dest_uri
            )
            file.abs_dest_path = os.path.normpath(os.path.join(file.dest_dir, file.dest_uri))
            file.inclusion = InclusionLevel.NOT_IN_NAV
            self.incident_pages[file.src_uri] = pm
        self._withheld_links = {
            rel: checked.postmortem.id
            for rel, checked in library.documents.items()
            if checked.postmortem is not None and checked.postmortem.id not in site.by_id
        }

        self._add_generated(files, config)
        if self.is_dirty:
            self._keep_unchanged(files, config, site)
        if not self.is_serve:
            self._release_parse_data(library)
        if not self.is_serve:
            # What exists now (the library, the site model, MkDocs' files)
            # lives until the build ends: keep Python's cyclic collector from
            # walking it again at each collection that rendering pages
            # triggers (measured: Markdown rendered a fifth slower beside a
            # 1,000-incident library). Undone when the build ends or fails.
            # `mkdocs serve` settles its heap once instead (_settle_heap).
            gc.freeze()
            self.frozen = True
        return files

    def _add_generated(self, files: Files, config: MkDocsConfig) -> None:
        """Add the listings, the guide, the exports and (without a home page
        of the site's own) a home page; refuse to take over a site's page."""
        site = self.site
        assert site is not None
        # Listed once: building every listing's context is not free at 10,000.
        pages = list(site.pages())
        taken = [
            uri
            for uri in self._generated_uris(pages)
            if (f := files.get_file_from_path(uri)) is not None and f.generated_by is None
        ]
        if taken:
            shown = ", ".join(f"'{u}'" for u in taken[:5]) + (" ..." if len(taken) > 5 else "")
            raise PluginError(
                f"the library's generated pages would replace the site's own {shown}; "
                "set the plugin option 'prefix' (for example `prefix: library/`) to put the "
                "library under a sub-path"
            )
        for page in pages:
            self._add_page(files, config, page)
        home = files.get_file_from_path("index.md")
        if home is None:
            self._add_page(files, config, SitePage("index.md", "", config.site_name, "home.html"))
        self.home_uri = "index.md" if self.settings.home_dashboard or home is None else None
        if site.taxonomy is not None:
            guide_uri = f"{self.prefix}guide/index.md"
            guide = render_guide(site.taxonomy, self.settings)
            files.append(self._generated_page(config, guide_uri, guide))
            self.library_pages.add(guide_uri)
            self.nav_pages.append((guide_uri, "How to write a postmortem"))
        self._add_exports(files, config, site)

    def _generated_uris(self, pages: list[SitePage]) -> list[str]:
        uris = [self.prefix + page.src_uri for page in pages]
        uris.append(f"{self.prefix}guide/index.md")
        uris.extend(self.prefix + uri for uri in EXPORTS)
        return uris

    def _withhold(self, files: Files, config: MkDocsConfig, decision: Decision) -> None:
        """Publication is an allowlist: drop every file read from docs_dir that
        the core did not place, including what MkDocs reached through links.
        Files other plugins made (generated, or from another folder) stay."""
        allowed = decision.publish
        inside = os.path.abspath(config.docs_dir).rstrip(os.sep) + os.sep
        for file in list(files):
            if file.generated_by is not None or not file.abs_src_path:
                continue
            src = os.path.abspath(file.abs_src_path)
            if not src.startswith(inside):
                continue
            # Both paths are absolute and normalised: what follows the folder
            # is the path relative to it (os.path.relpath took 12 µs a file).
            if src[len(inside) :].replace(os.sep, "/") not in allowed:
                files.remove(file)

    def _clean_if_withheld_were_built(
        self, config: MkDocsConfig, library: Library, decision: Decision
    ) -> None:
        """Fall back to a full build under `--dirty` when an earlier build
        published what is withheld now (an edit made a page or postmortem
        restricted): MkDocs would leave its page, its asset copies and every
        page that showed its title in place. The site folder is emptied, so
        MkDocs writes every page again, and this session forgets what it had
        built."""
        site_dir = config.site_dir
        if not os.path.isdir(site_dir):
            return
        built: list[str] = []
        for uri in decision.withheld:
            file = File(uri, config.docs_dir, site_dir, config.use_directory_urls)
            built.append(file.abs_dest_path)
            checked = library.documents.get(uri)
            if checked is not None and checked.id:
                page = self.prefix + incident_url(checked.id) + "index.html"
                built.append(os.path.join(site_dir, page))
        if any(os.path.exists(path) for path in built):
            log.info("a page built before is withheld now: building the whole site again")
            clean_directory(site_dir)
            self._new_session()

    def _release_parse_data(self, library: Library) -> None:
        """A one-off build needs the postmortems, not how their files were
        parsed: the parse cache, the documents and the positions of every
        YAML value (for findings, reported by now) were a third of the
        build's memory at 10,000 postmortems. `mkdocs serve` keeps them for
        its rebuilds."""
        self._loader = LibraryLoader(keep_positions=False, language_later=self._renders_ahead)
        library.documents = {}
        for pm in library.postmortems:
            pm.positions = {}

    def _withdraw(self, files: Files) -> None:
        """Fail closed under `--dirty`: MkDocs leaves every page it built
        before in place, so an incident that an edit made restricted, a
        draft outside serve, or moved to another id would still be served.
        Remove the pages of incidents no longer published, and remember their
        addresses to drop them from the search index after it is written."""
        built = {
            file.url: file.abs_dest_path
            for file in files
            if file.src_uri in self.incident_pages and file.abs_dest_path
        }
        gone = set(self._built_incidents) - set(built)
        for url in gone:
            with contextlib.suppress(OSError):
                os.remove(self._built_incidents[url])
        # Cumulative: Material hands its previous index to every later rebuild.
        self._withdrawn = (self._withdrawn | gone) - set(built)
        self._built_incidents = built
        gone_ids = {self._built_ids[url] for url in gone if url in self._built_ids}
        self._built_ids = {
            file.url: self.incident_pages[file.src_uri].id
            for file in files
            if file.src_uri in self.incident_pages
        }
        self._unmention(files, gone_ids)

    def _unmention(self, files: Files, gone: set[str]) -> None:
        """Pages MkDocs would leave as they are that still show a withdrawn
        incident: another incident's card lists it among related or similar
        incidents with its title, a page links to it. Their built files are
        removed, so MkDocs renders them again, without it."""
        if not gone:
            return
        for file in files.documentation_pages():
            if gone & self._mentions.get(file.src_uri, set()):
                del self._mentions[file.src_uri]
                with contextlib.suppress(OSError):
                    os.remove(file.abs_dest_path)

    # Last of all plugins: the output guard reads what every plugin wrote
    # (the search index at 0, feeds, redirects and sitemaps at -100 and above).
    @event_priority(-(10**9))
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Report the blameless-language findings a second process made (see
        `LibraryLoader.language_later`). Under `--dirty`, serve a search index
        with every page once, from the build that last rendered it, and
        without withdrawn incidents (see `PreviewSearchIndex`). Then guard
        the output (see `_guard_output`)."""
        self._unfreeze()
        if self._language_pending:
            # Warnings, logged before MkDocs counts them for --strict.
            late: list[Finding] = []
            for i, part in enumerate(self._language_parts()):
                made = self.ahead.take(("language", i))
                late += made if made is not None else review_later(part, self.settings)
            self._language_pending = []
            self._report(in_report_order(late))
        self.ahead.close()
        if self.is_dirty:
            index = Path(config.site_dir) / "search" / "search_index.json"
            with contextlib.suppress(OSError, ValueError):
                merged = self.search_index.merge(
                    index.read_text(encoding="utf-8"),
                    self.rendered,
                    self._withdrawn,
                    self.page_urls,
                )
                index.write_text(merged, encoding="utf-8")
        self._guard_output(Path(config.site_dir))

    def _guard_output(self, site_dir: Path) -> None:
        """Check every file written to the site folder, whatever wrote it
        (another plugin's include, a theme override, a `nav:` entry), against
        what this build withholds; remove each file that shows any of it and
        fail the build, naming the file and the withheld source.

        A `--dirty` rebuild of a server reads only what it wrote, while what
        the guard looks for is what it looked for when it last read the whole
        folder; a one-off build reads everything."""
        guard, self._guard = self._guard, None
        if guard is None or guard.plan.empty:
            return
        looked_for = (frozenset(guard.plan.needles.phrases), guard.plan.needles.by_digest)
        incremental = self.is_serve and self.is_dirty and looked_for == self._guarded
        # A margin for file systems that keep coarse modification times.
        since = self._started - _MTIME_MARGIN if incremental else None
        result = guard.audit(site_dir, site_dir, since)
        self._guarded = looked_for
        bad: list[audit.Leak | audit.Unscanned] = [*result.leaks, *result.unscanned]
        if not bad:
            return
        self._guarded = None  # read all of it again next time
        for item in bad:
            if item.rel:
                with contextlib.suppress(OSError):
                    os.remove(site_dir / item.rel)
        lines = "\n".join(f"  {item.line()}" for item in bad)
        raise PluginError(
            f"the site would show what it withholds; these files were removed:\n{lines}\n"
            "Take the included or quoted text out of the published page, or publish its source."
        )

    def on_build_error(self, *, error: Exception) -> None:
        self._unfreeze()
        self.ahead.close()

    def _unfreeze(self) -> None:
        if self.frozen:
            gc.unfreeze()
            self.frozen = False

    def _keep_unchanged(self, files: Files, config: MkDocsConfig, site: SiteModel) -> None:
        """Under `--dirty`, MkDocs renders only what changed: tell it which
        generated pages show the same data as last time, and make it render
        every page again when something all pages depend on changed.

        MkDocs re-renders an authored page only when its file is newer than
        the page it built; an incident page also shows taxonomy titles,
        reporting deadlines and the site's theme and navigation, so a change
        to the taxonomy, the regimes, the library's templates or mkdocs.yml
        removes the built pages, which makes MkDocs render them."""
        config_file = Path(config.config_file_path or "")
        assert self.renderer is not None
        inputs = (
            site.taxonomy,
            # Incident pages show their reporting deadlines, which the regimes set.
            site.library.regimes,
            self.settings,
            site.today,
            config_file.read_bytes() if config_file.is_file() else b"",
            tuple(config.theme.dirs),
            # The library's templates, the site's overrides among them (served
            # with --watch-theme): every card and listing is drawn with them.
            self.renderer.templates,
            self.nav_pages,
            [
                f.src_uri
                for f in files
                if f.inclusion is InclusionLevel.INCLUDED and f.is_documentation_page()
            ],
        )
        self._withdraw(files)
        # As pages and search entries spell them: the home page is "", not "./".
        self.page_urls = {
            "" if f.url in (".", "./") else f.url for f in files.documentation_pages()
        }
        if inputs != self._site_inputs:
            self._shown.clear()
            if self._site_inputs is not None:
                for file in files.documentation_pages():
                    with contextlib.suppress(OSError):
                        os.remove(file.abs_dest_path)
            self._site_inputs = inputs
        shown: dict[str, object] = {}
        charted: dict[str, object] = {}
        by_id = not _templates_overridden(config.theme.dirs)
        dashboard: object = None
        if self.home_uri is not None:
            dashboard = (site.home_context(), _ChartInputs(site.incidents))
        for src_uri, page in self.generated.items():
            data: object = (page.title, page.template, page.url, page.context)
            if src_uri == self.home_uri:
                data = (data, dashboard)
            elif page.template in ("layers.html", "layer.html"):
                layer = page.context.get("layer")
                key = layer.id if layer is not None else ""
                if key not in charted:
                    group = site.incidents if layer is None else site.by_layer.get(key, [])
                    charted[key] = _ChartInputs(group)
                data = (data, charted[key])
            shown[src_uri] = data
        guide_uri = f"{self.prefix}guide/index.md"
        guide = files.get_file_from_path(guide_uri)
        if guide is not None and guide.generated_by == "postmortems":
            shown[guide_uri] = guide.content_string
        home = files.get_file_from_path("index.md")
        if home is not None and self.home_uri == "index.md" and "index.md" not in self.generated:
            # The site's own home page carries the library's dashboard.
            shown["index.md"] = dashboard
            if not _shows_same(self._shown.get("index.md"), dashboard, by_id):
                with contextlib.suppress(OSError):
                    os.remove(home.abs_dest_path)
        for src_uri, data in shown.items():
            made = files.src_uris.get(src_uri)
            if isinstance(made, _GeneratedPage) and src_uri in self._shown:
                made.unchanged = _shows_same(self._shown[src_uri], data, by_id) and os.path.isfile(
                    made.abs_dest_path
                )
        self._shown = shown

    def _add_page(self, files: Files, config: MkDocsConfig, page: SitePage) -> None:
        src_uri = page.src_uri if page.template == "home.html" else self.prefix + page.src_uri
        self.generated[src_uri] = page
        self.library_pages.add(src_uri)
        files.append(self._generated_page(config, src_uri, _BODY))
        if page.nav_title:
            self.nav_pages.append((src_uri, page.nav_title))

    @staticmethod
    def _generated_page(config: MkDocsConfig, src_uri: str, content: str) -> File:
        page = _GeneratedPage.generated(
            config, src_uri, content=content, inclusion=InclusionLevel.NOT_IN_NAV
        )
        page.generated_by = "postmortems"
        return page

    @staticmethod
    def _generated_file(
        config: MkDocsConfig,
        src_uri: str,
        content: str | bytes,
        inclusion: InclusionLevel = InclusionLevel.UNDEFINED,
    ) -> File:
        file = File.generated(config, src_uri, content=content, inclusion=inclusion)
        file.generated_by = "postmortems"
        return file

    def _add_exports(self, files: Files, config: MkDocsConfig, site: SiteModel) -> None:
        base = (config.site_url or "").rstrip("/") + "/" + self.prefix if config.site_url else None
        self._export_args = (base, config.site_name)
        if self.is_serve:
            for uri, data in self._export_bytes(self.exports):
                files.append(self._generated_file(config, self.prefix + uri, data))
            self.exports.keep_only(site.incidents)
        else:
            # A one-off build makes them once the pages are read, in on_env
            # (MkDocs writes them after that), where a second process may
            # have made them already: see _render_ahead.
            self._late_exports = {}
            for uri in EXPORTS:
                file = self._generated_file(config, self.prefix + uri, b"")
                self._late_exports[uri] = file
                files.append(file)
        # Shared by every page that draws a chart; not an address of the library.
        if files.get_file_from_path("assets/postmortems-charts.css") is None:
            files.append(
                self._generated_file(config, "assets/postmortems-charts.css", charts.CHART_CSS)
            )

    def _export_bytes(self, cache: export.ExportCache | None = None) -> list[tuple[str, bytes]]:
        """The exports, as UTF-8: held until the build ends, and mostly ASCII,
        they take a quarter of the memory of a str that holds one wider
        character (an en dash in one title makes every character 4 bytes).
        Without `cache`, each record is shared between the exports, then let go."""
        assert self.site is not None
        base, name = self._export_args
        made = self.site.exports(base, name, export.ExportCache() if cache is None else cache)
        return [(uri, text.encode("utf-8")) for uri, text in made]

    def _logged_before(self, findings: list[Finding], config: MkDocsConfig) -> set[Finding]:
        """Under serve, the warnings the last build logged that still stand.

        Every save rebuilds the site: logging each of a large library's
        warnings again buried the edited file's own findings, and at 1,000
        postmortems cost a tenth of the rebuild. Errors are always logged (they
        stop the build), and with `--strict` everything is, since warnings
        fail that build."""
        if not self.is_serve or config.strict:
            return set()
        standing = {f for f in findings if f.severity is not Severity.ERROR}
        before, self._logged = self._logged, standing
        return standing & before

    def _report(self, findings: list[Finding]) -> None:
        """Log findings as lint prints them; errors stop the build. Warnings
        an earlier serve build logged are counted, not repeated."""
        errors = 0
        logged = self._repeated
        for f in findings:
            if f in logged:
                continue
            if f.path in self._withheld_paths:
                # A message may quote the file (a name, an address): a CI log
                # of the site build is no place for a withheld file's text.
                f = replace(f, message=_WITHHELD_MESSAGE)
            line = as_text([f]).rstrip("\n")
            if f.severity is Severity.ERROR:
                errors += 1
                log.error(line)
            elif f.rule in CLOCK_RULES:
                # A clock runs out with no change to the docs: `mkdocs build
                # --strict` must not start failing unrelated pull requests.
                log.info(line)
            else:
                log.warning(line)
        if logged:
            log.info(
                f"{len(logged)} warning(s) logged at an earlier build still apply; "
                "`postmortems lint` lists them all"
            )
        if errors:
            raise PluginError(
                f"{errors} error(s) in the postmortems (listed above); "
                "run `postmortems lint` to see them with their fixes"
            )

    def on_env(
        self, env: jinja2.Environment, *, config: MkDocsConfig, files: Files
    ) -> jinja2.Environment:
        """Under serve, let the theme's environment keep its compiled
        templates between rebuilds too (unless something else set a cache)."""
        if self.is_serve and env.bytecode_cache is None:
            env.bytecode_cache = self.bytecode
        if self._late_exports:
            made = self.ahead.take(("exports",)) or self._export_bytes()
            for uri, data in made:
                self._late_exports[uri].content_bytes = data
            self._late_exports = {}
        return env

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        """Without an explicit `nav`, list the library's top pages after the
        site's own; incident and listing pages stay out of the navigation so
        no page grows with the size of the library."""
        self._render_ahead(files)
        if config.nav is not None:
            return nav
        # A nav plugin (awesome-nav) may have listed the library's folders already.
        listed = {p.file.src_uri for p in nav.pages}
        for src_uri, title in self.nav_pages:
            file = files.get_file_from_path(src_uri)
            if file is None or src_uri in listed:
                continue
            page = Page(title, file, config)
            nav.items.append(page)
            nav.pages.append(page)
        for prev, nxt in zip(nav.pages, nav.pages[1:], strict=False):
            prev.next_page, nxt.previous_page = nxt, prev
        return nav

    def on_page_read_source(self, *, page: Page, config: MkDocsConfig) -> str | None:
        """Hand MkDocs an incident's body without its front matter.

        The library has parsed the front matter already (strictly, with
        positions); MkDocs would parse it a second time with PyYAML's
        Python constructor, a millisecond a page, and put the untrusted
        values into `page.meta`. The marker in front also keeps MkDocs'
        MultiMarkdown reader off the first lines of the body."""
        pm = self.incident_pages.get(page.file.src_uri)
        if pm is None:
            return None
        return f"{_HEAD}\n\n{pm.body}"

    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        """Mark where an incident's card goes, set escaped titles, and keep
        listings out of search."""
        src = page.file.src_uri
        pm = self.incident_pages.get(src)
        # page.meta is shared with MkDocs and other plugins (git dates, Material's
        # meta plugin, macros): set our keys, keep theirs. Themes print `title`
        # and `description` raw and front matter is untrusted, so those are
        # escaped; `tags` stay the postmortem's own, so a site's tag index and
        # its `tags_allowed` see only what authors wrote as tags.
        if pm is not None:
            page.meta["title"] = html.escape(pm.title)
            page.meta["description"] = html.escape(pm.summary)
            if pm.tags:
                page.meta["tags"] = [html.escape(t) for t in pm.tags]
            else:
                page.meta.pop("tags", None)
            if markdown.startswith(_HEAD):
                # Our own source (on_page_read_source), as earlier plugins left it.
                return markdown
            # Another plugin read the source, so MkDocs parsed the front matter
            # itself: none of those untrusted values may reach the theme.
            for key in pm.data:
                if key not in ("title", "tags"):
                    page.meta.pop(key, None)
            return f"{_HEAD}\n\n{markdown}"
        generated = self.generated.get(src)
        if generated is not None:
            page.meta["title"] = html.escape(generated.title)
            # Listings repeat what incident pages say: keep them out of search.
            search = page.meta.get("search")
            page.meta["search"] = {**(search if isinstance(search, dict) else {}), "exclude": True}
            return markdown if src != self.home_uri else f"{markdown}\n\n{_BODY}"
        if "title" in page.meta and page.file.generated_by is None:
            # MkDocs and the theme print a page's title as written, in <title>
            # and the navigation; only the title is touched, the rest of the
            # meta belongs to the site and its other plugins.
            page.meta["title"] = html.escape(str(page.meta["title"]))
        if src == self.home_uri:
            return f"{markdown}\n\n{_BODY}"
        return markdown

    def on_page_content(
        self, html_text: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        """Render the card of an incident, or a generated page, into place;
        links to unpublished postmortems become their bare ids."""
        if page.file.generated_by is None:
            html_text = bare_ids(html_text, page.file.src_uri, self._withheld_links)
        site, renderer = self.site, self.renderer
        if site is None or renderer is None:
            return html_text
        src = page.file.src_uri
        url = page.url
        pm = self.incident_pages.get(src)
        if pm is not None:
            before, _, narrative = html_text.partition(_HEAD)
            # Until on_page_context, the page holds what search should index.
            indexed: str | None = self.ahead.take(("search", src, url))
            context = None
            if indexed is None:
                # Kept for the card, which this process then renders too.
                context = site.incident_context(pm)
                indexed = self._incident_html("incident_search.html", pm, url, context)
            self.after_search[src] = (before, context, narrative)
            # Material's search ranks its entries' `tags` far above text: finding
            # an incident by id, system or category should not depend on wording.
            # The terms stay in the search entry only: the tags plugin read the
            # page's own tags in on_page_markdown, and on_page_context puts them
            # back before anything renders, so the tag index and `tags_allowed`
            # never see them.
            self.own_tags[src] = page.meta.get("tags")
            terms = [html.escape(t) for t in site.search_terms(pm)]
            page.meta["tags"] = [*(self.own_tags[src] or ()), *terms]
            if len(site.incidents) <= self.settings.search_narrative_limit:
                indexed += narrative
            return indexed
        fragment: str | None = self.ahead.take(("page", src, url)) or self._fragment(src, url)
        if fragment is None:
            if src in self.library_pages:
                return _with_title(html_text, page) + renderer.render("links.html", url)
            return html_text
        filled = html_text.replace(_BODY, fragment, 1)
        self.written_as[src] = html_text
        return filled if src == self.home_uri else _with_title(filled, page)

    def _fragment(self, src: str, url: str) -> str | None:
        """What the home page or a generated page shows, rendered for `url`."""
        site, renderer = self.site, self.renderer
        assert site is not None and renderer is not None
        generated = self.generated.get(src)
        if src == self.home_uri:
            context = site.home_context()
            context["charts"] = site.charts_for(None, "home")
            fragment = renderer.render("home.html", url, **context)
        elif generated is not None:
            context = dict(generated.context)
            context.setdefault("today", site.today)
            made = site.charts_for(generated, src)
            if made:
                context["charts"] = made
            fragment = renderer.render(generated.template, url, **context)
        else:
            return None
        return fragment + renderer.render("links.html", url)

    def _incident_html(
        self, template: str, pm: Postmortem, url: str, context: dict[str, Any] | None = None
    ) -> str:
        """An incident page's card (`incident.html`) or what search indexes of
        it (`incident_search.html`), from `context` where it is made already."""
        assert self.site is not None and self.renderer is not None
        return self.renderer.render(template, url, **(context or self.site.incident_context(pm)))

    def _render_ahead(self, files: Files) -> None:
        """Start rendering, in a second process, the fragments the pages
        will ask for, in the order MkDocs renders them: the search entries
        of incidents and the generated pages while MkDocs converts
        Markdown, then the incidents' cards while it writes pages. Serve
        and `--dirty` (a live server's threads, rebuilds of a few pages)
        render here."""
        if not self._renders_ahead or self.site is None:
            return
        jobs: list[tuple[tuple[str, ...], Callable[[], object]]] = []
        cards: list[tuple[tuple[str, ...], Callable[[], object]]] = []
        for file in files.documentation_pages():
            # As MkDocs' Page.url spells it, which the pages will ask with.
            src, url = file.src_uri, "" if file.url in (".", "./") else file.url
            pm = self.incident_pages.get(src)
            if pm is not None:
                made = partial(self._incident_html, pm=pm, url=url)
                jobs.append((("search", src, url), partial(made, "incident_search.html")))
                cards.append((("card", src, url), partial(made, "incident.html")))
            elif src == self.home_uri or src in self.generated:
                jobs.append((("page", src, url), partial(self._fragment, src, url)))
        # Listings take the longest and are asked for in a burst once the
        # incidents are done: the child renders them while the pipe is full.
        early: list[tuple[object, ...]] = [key for key, _ in jobs if key[0] == "page"]
        if self._late_exports:
            jobs.append((("exports",), partial(self._export_bytes, None)))
            early.append(("exports",))
        # Last, since they are reported as the build ends, and in small parts:
        # the child works on one while the reader is behind, and a part left
        # unsent when cards are asked for delays only so much.
        language = [
            (("language", i), partial(review_later, part, self.settings))
            for i, part in enumerate(self._language_parts())
        ]
        early += [key for key, _ in language]
        self.ahead = Ahead([*jobs, *cards, *language], early, self.settings.jobs)
        if self.ahead.running:
            log.debug("rendering %d page fragments ahead in a second process", len(jobs))

    def _language_parts(self) -> list[list[tuple[Path, str]]]:
        pending, size = self._language_pending, _LANGUAGE_PART
        return [pending[i : i + size] for i in range(0, len(pending), size)]

    # Late (-100): after Material's search plugin (0) has indexed the page.
    @event_priority(-100)
    def on_page_context(
        self, context: TemplateContext, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        """Put an incident's full page and its own tags back in place of what
        search has read."""
        src = page.file.src_uri
        held = self.after_search.pop(src, None)
        if held is not None and self.renderer is not None:
            before, made, narrative = held
            rendered = None if made else self.ahead.take(("card", src, page.url))
            if rendered is None:
                pm = self.incident_pages[src]
                rendered = self._incident_html("incident.html", pm, page.url, made)
            page.content = _with_title(before + rendered + narrative, page)
            self.written_as[src] = before + narrative
        if self.is_dirty:
            self.rendered.add(page.url)
            if page.file.generated_by is None:
                self._mentions[src] = set(MENTION.findall(page.content or ""))
        if src in self.own_tags:
            tags = self.own_tags.pop(src)
            if tags is None:
                page.meta.pop("tags", None)
            else:
                page.meta["tags"] = tags
        return context

    # Late (-100): other plugins' post_page handlers see the page as rendered.
    @event_priority(-100)
    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        """Announce the library's Atom feed in every page's <head>, as feed
        readers and browsers discover it.

        The page is written once this returns. MkDocs keeps every page's
        content until the build ends; a card or a listing is rendered for its
        page alone, so the page gets back the HTML its Markdown made. Holding
        them all took more memory than the rest of a 10,000-incident build."""
        lean = self.written_as.pop(page.file.src_uri, None)
        if lean is not None:
            page.content = lean
        if self.site is None:
            return output
        feed_url = relative_url(self.prefix + FEED, page.url)
        link = (
            '<link rel="alternate" type="application/atom+xml" '
            f'title="{html.escape(config.site_name)}: incidents" href="{html.escape(feed_url)}">'
        )
        head_end = output.find("</head>")
        return output if head_end < 0 else output[:head_end] + link + output[head_end:]

    def on_serve(
        self, server: LiveReloadServer, *, config: MkDocsConfig, builder: Any
    ) -> LiveReloadServer:
        """Rebuild when the taxonomy or the regimes change, not only the docs."""
        config_dir = Path(config.config_file_path or ".").resolve().parent
        taxonomy = resolve_taxonomy_path(self.settings, config_dir)
        if taxonomy.exists():
            server.watch(str(taxonomy))
        regimes = resolve_regimes_path(self.settings, config_dir)
        if regimes.exists():
            server.watch(str(regimes))
        _settle_heap()
        return server


def _settle_heap() -> None:
    """After the first build of `mkdocs serve`: free what it left behind, and
    take what is still alive (the parsed library, the caches, compiled
    templates, MkDocs' own) out of the cyclic collector's sight. Those
    objects live until the server stops; at 1,000 postmortems a full
    collection walking them took 0.1 to 0.2 s of every other rebuild.
    Later rebuilds' garbage is collected as ever."""
    gc.collect()
    gc.freeze()
