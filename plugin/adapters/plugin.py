"""The MkDocs adapter: hands the core's library and pages to MkDocs.

All decisions (what is published, at which address, what a page shows) are
made by the MkDocs-free core in `library`, `site` and `fragments`; this
module only translates them into MkDocs events, with two collaborators: the
page fragments of one build (`web.fragments.PageFragments`) and what serve
rebuilds carry over (`rebuilds.Rebuilds`). Under `mkdocs serve` the plugin
object lives across rebuilds, so per-build state is reset in `on_config`.
See https://www.mkdocs.org/dev-guide/plugins/#events for the event order.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
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
from ..check.reporting import build_log_level
from ..dates import build_date
from ..model import Finding, Postmortem
from ..parallel import Ahead
from ..resources import TEMPLATES_DIR
from ..settings import Settings
from ..urls import EXPORTS, FEED, incident_url, relative_url
from ..web import audit, charts, export
from ..web.fragments import (
    PageFragments,
    escaped_title,
    feed_link,
    incident_meta,
    language_parts,
    listing_meta,
)
from ..web.render import MemoryBytecodeCache, Renderer, SharedFragments
from ..web.site import Page as SitePage
from ..web.site import SiteModel
from .options import PostmortemsConfig, settings_of
from .rebuilds import GeneratedPage, Rebuilds

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


def _nav_with_index_files(nav: Any, folders: set[str]) -> Any:
    """The site's `nav:` with the library's top folders (`incidents/`)
    spelled as MkDocs resolves them, `incidents/index.md`. Everything else,
    links included, is returned as it was written."""
    if isinstance(nav, str):
        bare = nav.lstrip("/")
        return bare + "index.md" if bare in folders else nav
    if isinstance(nav, list):
        return [_nav_with_index_files(item, folders) for item in nav]
    if isinstance(nav, dict):
        return {key: _nav_with_index_files(value, folders) for key, value in nav.items()}
    return nav


def _with_title(content: str, page: Page) -> str:
    """The page's title as its heading where the content has none. Material
    adds one the same way; themes that do not (MkDocs' own) would show a
    library page without a title."""
    if "<h1" in content:
        return content
    title = page.meta.get("title") or escaped_title(page.title or "")
    return f'<h1 id="pm-title">{title}</h1>\n' + content


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


@dataclass
class _Build:
    """What one build knows of its pages, between events."""

    # The whole library, withheld files included: never handed out.
    library: Library | None = None
    # The output guard of this build (see on_post_build), and when the
    # build started, so a `--dirty` rebuild's guard knows what it wrote.
    guard: audit.Auditor | None = None
    started: float = field(default_factory=time.time)
    # Files withheld for what they say (restricted): their findings are
    # logged without their text.
    withheld_paths: frozenset[str] = frozenset()
    # Postmortem files of docs_dir that are not published, by path: a link
    # to one renders as its bare id.
    withheld_links: dict[str, str] = field(default_factory=dict)
    # The library's pages in the site's navigation, and all of its own pages
    # (generated and the guide), which get the library's links.
    nav_pages: list[tuple[str, str]] = field(default_factory=list)
    library_pages: set[str] = field(default_factory=set)
    # Pages made of Markdown (the guide), whose text tells a rebuild what they show.
    sources: list[str] = field(default_factory=list)
    # Incident pages, rendered, waiting for search to have read their index
    # text: (HTML before the card, the card's context where this process
    # made it already, the narrative's HTML); and their own tags, to put
    # back once search has read its terms. The card is rendered as each
    # page is written, not all of them at once.
    after_search: dict[str, tuple[str, dict[str, Any] | None, str]] = field(default_factory=dict)
    own_tags: dict[str, Any] = field(default_factory=dict)
    # What each of our pages held before its card or listing went in: the
    # page is given that back once it is written (see on_post_page).
    written_as: dict[str, str] = field(default_factory=dict)
    # Exports of a one-off build, filled in on_env (see _add_exports).
    late_exports: dict[str, File] = field(default_factory=dict)
    # Warnings the last serve build logged that still stand (Rebuilds.logged_before).
    repeated: set[Finding] = field(default_factory=set)
    # Files whose blameless-language review a one-off build left to the
    # second process: reported as the build ends (see on_post_build).
    language_pending: list[tuple[Path, str]] = field(default_factory=list)


class PostmortemsPlugin(BasePlugin[PostmortemsConfig]):  # type: ignore[no-untyped-call]
    supports_multiple_instances = False

    def __init__(self) -> None:
        self._loader = LibraryLoader()  # survives serve rebuilds: the parse cache
        self.is_serve = False
        self.is_dirty = False
        self.rebuilds = Rebuilds()
        # Also kept across serve rebuilds: exports and listing rows of
        # unchanged postmortems, and compiled templates (ours, and the theme's).
        self.exports = export.ExportCache()
        self.bytecode = MemoryBytecodeCache()
        self.fragments = SharedFragments()
        self.frozen = False
        # Fragments rendered ahead in a second process (see _render_ahead).
        self.ahead = Ahead(())
        self.hidden: list[File] = []  # see _HideFromI18n
        self._reset()

    def _reset(self) -> None:
        self.build = _Build()
        self._settings: Settings | None = None
        # What other plugins and templates may read (`config.plugins`): the
        # published postmortems only, and the site made of them.
        self.library: Library | None = None
        self.site: SiteModel | None = None
        self.pages: PageFragments | None = None
        self.ahead.close()

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
        self.rebuilds.begin_build(config)
        if "i18n" in config.plugins and "postmortems/i18n-before" not in config.plugins:
            config.plugins["postmortems/i18n-before"] = _HideFromI18n(self)
            config.plugins["postmortems/i18n-after"] = _ShowAfterI18n(self)
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
        build = self.build
        config_dir = Path(config.config_file_path or ".").resolve().parent
        # Related-incident hints are advice for authors, given by `postmortems
        # lint`; a site build has no one to act on them, and at 1,000
        # incidents they were a third of the time spent loading the library.
        settings = replace(self.settings, related_hints=False)
        docs_dir = Path(config.docs_dir)
        library = self._loader.load(docs_dir, settings, config_dir, Path.cwd())
        build.language_pending = self._loader.language_pending
        decision = library.publication(self.include_drafts)
        build.withheld_paths = frozenset(
            checked.document.path
            for uri, checked in library.documents.items()
            if uri in decision.withheld and confidential(uri, checked, library.meta)
        )
        # Before reporting: even a build that goes on after errors (serve)
        # publishes nothing the core did not place.
        self._withhold(files, config, decision)
        if self.is_dirty:
            self.rebuilds.clean_if_withheld_were_built(config, library, decision, self.prefix)
        build.repeated = self.rebuilds.logged_before(
            library.findings, self.is_serve, bool(config.strict)
        )
        self._report(library.findings)
        build.guard = audit.Auditor(
            audit.plan(
                library,
                docs_dir,
                Path(config.config_file_path) if config.config_file_path else None,
                self.include_drafts,
                [Path(d) for d in config.theme.dirs],
                self.rebuilds.public_memo if self.is_serve else None,
                config.use_directory_urls,
                decision,
            ),
            _GUARD_MAX_FILE_BYTES,
            self.settings.jobs,
        )
        build.library = library
        self.library = library.published_view(self.include_drafts)
        self.site = site = SiteModel(self.library, build_date(), self.include_drafts)
        renderer = Renderer(
            [Path(d) for d in config.theme.dirs],
            config.use_directory_urls,
            self.prefix,
            self.bytecode if self.is_serve else None,
            self.fragments if self.is_serve else None,
        )
        if self.is_serve:
            self.fragments.made.keep_only(site.incidents)
        self.pages = PageFragments(site, renderer, self.settings)
        self._place_incidents(files, config, library)
        self._add_generated(files, config)
        if self.is_dirty:
            self.rebuilds.keep_unchanged(
                files,
                config,
                site,
                (self.settings, renderer.templates, build.nav_pages),
                self.pages.generated,
                self.pages.home_uri,
                self.pages.incidents,
                build.sources,
            )
        if not self.is_serve:
            self._release_parse_data(library)
            # What exists now (the library, the site model, MkDocs' files)
            # lives until the build ends: keep Python's cyclic collector from
            # walking it again at each collection that rendering pages
            # triggers (measured: Markdown rendered a fifth slower beside a
            # 1,000-incident library). Undone when the build ends or fails.
            # `mkdocs serve` settles its heap once instead (_settle_heap).
            gc.freeze()
            self.frozen = True
        return files

    def _place_incidents(self, files: Files, config: MkDocsConfig, library: Library) -> None:
        """Move each published postmortem's page to `incidents/<id>/`, out of
        the navigation; drop the others (restricted, or drafts outside serve)."""
        assert self.site is not None and self.pages is not None
        by_id = self.site.by_id
        for checked in library.documents.values():
            if not checked.is_postmortem or checked.postmortem is None:
                continue
            pm = checked.postmortem
            # Already a src_uri as MkDocs spells it: get_file_from_path would
            # normalise it through a PurePath, 8 µs a postmortem.
            file = files.src_uris.get(pm.src_uri)
            if file is None:
                continue
            if pm.id not in by_id:
                files.remove(file)
                continue
            # MkDocs 1.6 computes dest_uri, url and abs_dest_path once each and
            # keeps them (a plugin before us may have asked already): set all three.
            file.dest_uri = self.prefix + incident_url(pm.id) + "index.html"
            file.url = (
                self.prefix + incident_url(pm.id) if config.use_directory_urls else file.dest_uri
            )
            file.abs_dest_path = os.path.normpath(os.path.join(file.dest_dir, file.dest_uri))
            file.inclusion = InclusionLevel.NOT_IN_NAV
            self.pages.incidents[file.src_uri] = pm
        self.build.withheld_links = {
            rel: checked.postmortem.id
            for rel, checked in library.documents.items()
            if checked.postmortem is not None and checked.postmortem.id not in by_id
        }

    def _add_generated(self, files: Files, config: MkDocsConfig) -> None:
        """Add the site model's pages (the home page only where the site has
        none of its own) and the exports; refuse to take over a site's page."""
        assert self.site is not None and self.pages is not None
        # Listed once: building every listing's context is not free at 10,000.
        pages = list(self.site.pages())
        uris = [self.prefix + p.src_uri for p in pages if not p.is_home]
        uris.extend(self.prefix + uri for uri in EXPORTS)
        taken = [
            uri
            for uri in uris
            if (f := files.get_file_from_path(uri)) is not None and f.generated_by is None
        ]
        if taken:
            shown = ", ".join(f"'{u}'" for u in taken[:5]) + (" ..." if len(taken) > 5 else "")
            raise PluginError(
                f"the library's generated pages would replace the site's own {shown}; "
                "set the plugin option 'prefix' (for example `prefix: library/`) to put the "
                "library under a sub-path"
            )
        own_home = files.get_file_from_path("index.md")
        for page in pages:
            if page.is_home:
                if own_home is not None:
                    continue
                page = replace(page, title=config.site_name)
            self._add_page(files, config, page)
        if self.settings.home_dashboard or own_home is None:
            self.pages.home_uri = "index.md"
        if config.nav is not None:
            folders = {self.prefix + p.url for p in pages if p.nav_title}
            config.nav = _nav_with_index_files(config.nav, folders)
        self._add_exports(files, config)

    def _add_page(self, files: Files, config: MkDocsConfig, page: SitePage) -> None:
        assert self.pages is not None
        src_uri = page.src_uri if page.is_home else self.prefix + page.src_uri
        self.build.library_pages.add(src_uri)
        if page.source is not None:
            self.build.sources.append(src_uri)
            files.append(self._generated_page(config, src_uri, page.source()))
        else:
            self.pages.generated[src_uri] = page
            files.append(self._generated_page(config, src_uri, _BODY))
        if page.nav_title:
            self.build.nav_pages.append((src_uri, page.nav_title))

    @staticmethod
    def _generated_page(config: MkDocsConfig, src_uri: str, content: str) -> File:
        page = GeneratedPage.generated(
            config, src_uri, content=content, inclusion=InclusionLevel.NOT_IN_NAV
        )
        page.generated_by = "postmortems"
        return page

    @staticmethod
    def _generated_file(config: MkDocsConfig, src_uri: str, content: str | bytes) -> File:
        file = File.generated(config, src_uri, content=content)
        file.generated_by = "postmortems"
        return file

    def _add_exports(self, files: Files, config: MkDocsConfig) -> None:
        assert self.pages is not None
        base = (config.site_url or "").rstrip("/") + "/" + self.prefix if config.site_url else None
        self.pages.export_args = (base, config.site_name)
        if self.is_serve:
            for uri, data in self.pages.exports(self.exports):
                files.append(self._generated_file(config, self.prefix + uri, data))
            self.exports.keep_only(self.pages.site.incidents)
        else:
            # A one-off build makes them once the pages are read, in on_env
            # (MkDocs writes them after that), where a second process may
            # have made them already: see _render_ahead.
            for uri in EXPORTS:
                file = self._generated_file(config, self.prefix + uri, b"")
                self.build.late_exports[uri] = file
                files.append(file)
        # Shared by every page that draws a chart; not an address of the library.
        if files.get_file_from_path("assets/postmortems-charts.css") is None:
            files.append(
                self._generated_file(config, "assets/postmortems-charts.css", charts.CHART_CSS)
            )

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

    def _report(self, findings: list[Finding]) -> None:
        """Log findings as lint prints them; errors stop the build. Warnings
        an earlier serve build logged are counted, not repeated."""
        errors = 0
        logged = self.build.repeated
        for f in findings:
            if f in logged:
                continue
            if f.path in self.build.withheld_paths:
                # A message may quote the file (a name, an address): a CI log
                # of the site build is no place for a withheld file's text.
                f = replace(f, message=_WITHHELD_MESSAGE)
            level = build_log_level(f)
            if level >= logging.ERROR:
                errors += 1
            log.log(level, as_text([f]).rstrip("\n"))
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
        late = self.build.late_exports
        if late and self.pages is not None:
            made = self.ahead.take(("exports",)) or self.pages.exports()
            for uri, data in made:
                late[uri].content_bytes = data
            self.build.late_exports = {}
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
        for src_uri, title in self.build.nav_pages:
            file = files.get_file_from_path(src_uri)
            if file is None or src_uri in listed:
                continue
            page = Page(title, file, config)
            nav.items.append(page)
            nav.pages.append(page)
        for prev, nxt in zip(nav.pages, nav.pages[1:], strict=False):
            prev.next_page, nxt.previous_page = nxt, prev
        return nav

    def _render_ahead(self, files: Files) -> None:
        """Start rendering, in a second process, the fragments the pages
        will ask for, in the order MkDocs renders them (see
        `PageFragments.ahead_tasks`). Serve and `--dirty` (a live server's
        threads, rebuilds of a few pages) render here."""
        if not self._renders_ahead or self.pages is None:
            return
        # Addresses as MkDocs' Page.url spells them, which the pages will ask with.
        pages = [
            (f.src_uri, "" if f.url in (".", "./") else f.url) for f in files.documentation_pages()
        ]
        tasks, early = self.pages.ahead_tasks(
            pages, bool(self.build.late_exports), self.build.language_pending
        )
        self.ahead = Ahead(tasks, early, self.settings.jobs)
        if self.ahead.running:
            log.debug("rendering %d page fragments ahead in a second process", len(tasks))

    def on_page_read_source(self, *, page: Page, config: MkDocsConfig) -> str | None:
        """Hand MkDocs an incident's body without its front matter.

        The library has parsed the front matter already (strictly, with
        positions); MkDocs would parse it a second time with PyYAML's
        Python constructor, a millisecond a page, and put the untrusted
        values into `page.meta`. The marker in front also keeps MkDocs'
        MultiMarkdown reader off the first lines of the body."""
        pm = self.pages.incidents.get(page.file.src_uri) if self.pages else None
        if pm is None:
            return None
        return f"{_HEAD}\n\n{pm.body}"

    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        """Mark where an incident's card goes, set escaped titles, and keep
        listings out of search. page.meta is shared with MkDocs and other
        plugins (git dates, Material's meta plugin, macros): set our keys,
        keep theirs."""
        if self.pages is None:
            return markdown
        src = page.file.src_uri
        home = src == self.pages.home_uri
        pm = self.pages.incidents.get(src)
        if pm is not None:
            meta = incident_meta(pm)
            tags = meta.pop("tags")
            page.meta.update(meta)
            if tags is None:
                page.meta.pop("tags", None)
            else:
                page.meta["tags"] = tags
            if markdown.startswith(_HEAD):
                # Our own source (on_page_read_source), as earlier plugins left it.
                return markdown
            # Another plugin read the source, so MkDocs parsed the front matter
            # itself: none of those untrusted values may reach the theme.
            for key in pm.data:
                if key not in ("title", "tags"):
                    page.meta.pop(key, None)
            return f"{_HEAD}\n\n{markdown}"
        generated = self.pages.generated.get(src)
        if generated is not None:
            page.meta.update(listing_meta(generated, page.meta))
        elif "title" in page.meta and page.file.generated_by is None:
            # Only the title is touched: the rest of the meta belongs to the
            # site and its other plugins.
            page.meta["title"] = escaped_title(page.meta["title"])
        return f"{markdown}\n\n{_BODY}" if home else markdown

    def on_page_content(
        self, html_text: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        """Render the card of an incident, or a generated page, into place;
        links to unpublished postmortems become their bare ids."""
        if page.file.generated_by is None:
            html_text = bare_ids(html_text, page.file.src_uri, self.build.withheld_links)
        pages = self.pages
        if pages is None:
            return html_text
        src, url = page.file.src_uri, page.url
        pm = pages.incidents.get(src)
        if pm is not None:
            return self._search_text(html_text, page, pm)
        fragment: str | None = self.ahead.take(("page", src, url)) or pages.fragment(src, url)
        if fragment is None:
            if src in self.build.library_pages:
                return _with_title(html_text, page) + pages.links(url)
            return html_text
        filled = html_text.replace(_BODY, fragment, 1)
        self.build.written_as[src] = html_text
        return filled if src == pages.home_uri else _with_title(filled, page)

    def _search_text(self, html_text: str, page: Page, pm: Postmortem) -> str:
        """What search indexes of an incident page, until on_page_context
        puts the page itself in its place."""
        assert self.pages is not None
        src, url = page.file.src_uri, page.url
        before, _, narrative = html_text.partition(_HEAD)
        indexed: str | None = self.ahead.take(("search", src, url))
        context = None
        if indexed is None:
            # Kept for the card, which this process then renders too.
            context = self.pages.site.incident_context(pm)
            indexed = self.pages.incident_html("incident_search.html", pm, url, context)
        self.build.after_search[src] = (before, context, narrative)
        # Material's search ranks its entries' `tags` far above text: finding
        # an incident by id, system or category should not depend on wording.
        # The terms stay in the search entry only: the tags plugin read the
        # page's own tags in on_page_markdown, and on_page_context puts them
        # back before anything renders, so the tag index and `tags_allowed`
        # never see them.
        self.build.own_tags[src] = page.meta.get("tags")
        page.meta["tags"] = [*(self.build.own_tags[src] or ()), *self.pages.search_terms(pm)]
        return indexed + narrative if self.pages.narrative_searchable else indexed

    # Late (-100): after Material's search plugin (0) has indexed the page.
    @event_priority(-100)
    def on_page_context(
        self, context: TemplateContext, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        """Put an incident's full page and its own tags back in place of what
        search has read."""
        src, build = page.file.src_uri, self.build
        held = build.after_search.pop(src, None)
        if held is not None and self.pages is not None:
            before, made, narrative = held
            rendered = None if made else self.ahead.take(("card", src, page.url))
            if rendered is None:
                pm = self.pages.incidents[src]
                rendered = self.pages.incident_html("incident.html", pm, page.url, made)
            page.content = _with_title(before + rendered + narrative, page)
            build.written_as[src] = before + narrative
        if self.is_dirty:
            self.rebuilds.note_page(page)
        if src in build.own_tags:
            tags = build.own_tags.pop(src)
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
        lean = self.build.written_as.pop(page.file.src_uri, None)
        if lean is not None:
            page.content = lean
        if self.site is None:
            return output
        link = feed_link(config.site_name, relative_url(self.prefix + FEED, page.url))
        head_end = output.find("</head>")
        return output if head_end < 0 else output[:head_end] + link + output[head_end:]

    # Last of all plugins: the output guard reads what every plugin wrote
    # (the search index at 0, feeds, redirects and sitemaps at -100 and above).
    @event_priority(-(10**9))
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Report the blameless-language findings a second process made (see
        `LibraryLoader.language_later`). Under `--dirty`, serve a search index
        with every page once (see `Rebuilds.merge_search_index`). Then guard
        the output (see `_guard_output`)."""
        self._unfreeze()
        build = self.build
        if build.language_pending:
            # Warnings, logged before MkDocs counts them for --strict.
            late: list[Finding] = []
            for i, part in enumerate(language_parts(build.language_pending)):
                made = self.ahead.take(("language", i))
                late += made if made is not None else review_later(part, self.settings)
            build.language_pending = []
            self._report(in_report_order(late))
        self.ahead.close()
        if self.is_dirty:
            self.rebuilds.merge_search_index(config.site_dir)
        self._guard_output(Path(config.site_dir))

    def _guard_output(self, site_dir: Path) -> None:
        """Check every file written to the site folder, whatever wrote it
        (another plugin's include, a theme override, a `nav:` entry), against
        what this build withholds; remove each file that shows any of it and
        fail the build, naming the file and the withheld source.

        A `--dirty` rebuild of a server reads only what it wrote, while what
        the guard looks for is what it looked for when it last read the whole
        folder; a one-off build reads everything."""
        guard, self.build.guard = self.build.guard, None
        if guard is None or guard.plan.empty:
            return
        looked_for = (frozenset(guard.plan.needles.phrases), guard.plan.needles.by_digest)
        incremental = self.is_serve and self.is_dirty and looked_for == self.rebuilds.guarded
        # A margin for file systems that keep coarse modification times.
        since = self.build.started - _MTIME_MARGIN if incremental else None
        result = guard.audit(site_dir, site_dir, since)
        self.rebuilds.guarded = looked_for
        bad: list[audit.Leak | audit.Unscanned] = [*result.leaks, *result.unscanned]
        if not bad:
            return
        self.rebuilds.guarded = None  # read all of it again next time
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
