"""The MkDocs adapter: hands the core's library and pages to MkDocs.

All decisions (what is published, at which address, what a page shows) are
made by the MkDocs-free core in `library`, `publication`, `site` and
`fragments`; this module only translates them into MkDocs events, with a
handful of collaborators: the library loader, the library's pages of this
build (`pages.LibraryPages`), what serve rebuilds carry over
(`rebuilds.Rebuilds`), the output guard (`web.output_guard.OutputGuard`)
and the collector's frozen heap (`heap.BuildHeap`). Where the build fails
for confidentiality (the output guard, the findings' errors) stays visible
here. Under `mkdocs serve` the plugin object lives across rebuilds, so
per-build state is reset in `on_config`. See
https://www.mkdocs.org/dev-guide/plugins/#events for the event order.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from ..check.formats import as_build_report
from ..check.library import (
    Library,
    LibraryLoader,
    Pending,
    display_path,
    in_report_order,
    resolve_regimes_path,
    resolve_taxonomy_path,
)
from ..check.publication import Decision, confidential_paths, unclassified_findings
from ..dates import build_date
from ..heap import BuildHeap
from ..model import Finding
from ..parse.frontmatter import Document
from ..settings import Settings
from ..urls import FEED, relative_url
from ..web.audit import ReadAhead, packaged_theme_dirs
from ..web.fragments import with_feed_link
from ..web.output_guard import OutputGuard
from ..web.site import SiteModel
from .compat import (
    add_helpers,
    keep_listings_out_of_search,
    keep_templates_in_theme,
    nav_is_implicit,
    offline_finder,
    real_path_of,
    run_last,
)
from .files import (
    WithheldNavWarnings,
    add_assets,
    drop_withheld_links,
    withhold_foreign,
    withhold_unplaced,
)
from .options import PostmortemsConfig, settings_of
from .pages import LibraryPages
from .rebuilds import Rebuilds

if TYPE_CHECKING:
    # Only `mkdocs serve` needs the server; a build or `postmortems lint`
    # loading the plugin need not import it (and watchdog).
    from mkdocs.livereload import LiveReloadServer

# The logger name users filter on (`mkdocs.plugins.mkdocs_postmortems.plugin`) predates the
# move into adapters/, so it is spelled out rather than taken from __name__.
log = get_plugin_logger("mkdocs_postmortems.plugin")
# Where MkDocs (and literate-nav, through it) logs what it finds of the `nav:`.
_NAV_LOGGER = "mkdocs.structure.nav"


class PostmortemsPlugin(BasePlugin[PostmortemsConfig]):  # type: ignore[no-untyped-call]
    supports_multiple_instances = False

    def __init__(self) -> None:
        self._loader = LibraryLoader()  # survives serve rebuilds: the parse cache
        self.is_serve = False
        self.is_dirty = False
        self.rebuilds = Rebuilds()
        self.heap = BuildHeap()
        self.pages: LibraryPages | None = None
        self._reset()

    def _reset(self) -> None:
        if self.pages is not None:
            self.pages.close()
        self._settings: Settings | None = None
        # The whole library, withheld files included: never handed out.
        self._library: Library | None = None
        # This build's decision of what is published, and how to make its
        # output guard once other plugins' files are known (`_withhold_foreign`).
        self._decision: Decision | None = None
        # Where each published file of docs_dir is read from once placed
        # (src_uri -> abs_src_path), to tell one another plugin replaced.
        self._placed: dict[str, str | None] = {}
        # The files decided by the last withholding pass (kept alive, so an
        # id is not reused), each with its source then, the file it is read
        # from or the text it holds in memory: see `_withhold_since`.
        self._decided: tuple[list[Any], dict[int, tuple[str | None, object]]] = ([], {})
        self._new_guard: Callable[..., OutputGuard] = OutputGuard
        # What other plugins and templates may read (`config.plugins`): the
        # published postmortems only, and the site made of them.
        self.library: Library | None = None
        self.site: SiteModel | None = None
        self.pages = None
        # The output guard of this build (see on_post_build).
        self._guard: OutputGuard | None = None
        # Files withheld for what they say (restricted): their findings are
        # logged without their text.
        self._withheld_paths: frozenset[str] = frozenset()
        # Warnings the last serve build logged that still stand (Rebuilds.logged_before).
        self._repeated: set[Finding] = set()
        # Files whose blameless-language review a one-off build left to the
        # second process: reported as the build ends (see on_post_build).
        self._language_pending: list[Pending] = []
        self._quiet_nav(None)
        # The output guard of the last one-off build, the folder it read and
        # when: read again as the command shuts down (`on_shutdown`).
        self._late_guard: tuple[OutputGuard, Path, float] | None = None

    def _quiet_nav(self, withheld: Mapping[str, str] | None) -> None:
        """Hold back MkDocs' warnings about `nav:` entries whose files this
        build withholds (`WithheldNavWarnings`), or stop (None)."""
        logger = logging.getLogger(_NAV_LOGGER)
        old = getattr(self, "_nav_filter", None)
        if old is not None:
            logger.removeFilter(old)
        self._nav_filter = None if withheld is None else WithheldNavWarnings(withheld)
        if self._nav_filter is not None:
            logger.addFilter(self._nav_filter)

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
        on_nav): not under serve, whose threads rule out a fork, nor
        `--dirty`, which renders few pages."""
        return not self.is_serve and not self.is_dirty

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        """Reset per-build state (and what serve rebuilds carry over, for
        another site or output folder); put our templates last in the theme's
        search path so a site's custom_dir overrides still win, and the
        output guard after every other `on_post_build` (`run_last`)."""
        self._reset()
        self.rebuilds.begin_build(config)
        add_helpers(config)
        keep_templates_in_theme(config)
        add_assets(config)
        run_last(config, "post_build", self.on_post_build)
        run_last(config, "shutdown", self.on_shutdown)
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
    def _place_library(self, files: Files, *, config: MkDocsConfig) -> Files:
        """Load and check the library, move each published postmortem to
        `incidents/<id>/`, drop unpublished ones, and add generated pages."""
        keep_templates_in_theme(config)
        config_dir = Path(config.config_file_path or ".").resolve().parent
        # Related-incident hints are advice for authors, given by `postmortems
        # lint`; a site build has no one to act on them, and at 1,000
        # incidents they were a third of the time spent loading the library.
        settings = replace(self.settings, related_hints=False)
        docs_dir = Path(config.docs_dir)
        library = self._loader.load(
            docs_dir, settings, config_dir, Path.cwd(), real_path=real_path_of(config)
        )
        self._language_pending = self._loader.language_pending
        decision = library.publication(self.include_drafts)
        self._withheld_paths = confidential_paths(library, decision)
        # Before reporting: even a build that goes on after errors (serve)
        # publishes nothing the core did not place.
        withhold_unplaced(files, config, decision)
        if self.is_dirty:
            self.rebuilds.clean_if_withheld_were_built(config, library, decision, self.prefix)
        self._repeated = self.rebuilds.logged_before(
            library.findings, self.is_serve, bool(config.strict)
        )
        self._report(library.findings)
        self._decision = decision
        self._new_guard = partial(
            OutputGuard,
            library,
            decision,
            docs_dir,
            Path(config.config_file_path) if config.config_file_path else None,
            config.theme.dirs,
            self.include_drafts,
            config.use_directory_urls,
            self.rebuilds.public_memo if self.is_serve else None,
            packaged_theme_dirs(config.theme.dirs, config.site_dir),
            self.settings.jobs,
        )
        self._library = library
        self.library = library.published_view(self.include_drafts)
        self.site = site = SiteModel(self.library, build_date(), self.include_drafts)
        serve = self.rebuilds if self.is_serve else None
        self.pages = pages = LibraryPages.made(files, config, library, site, self.settings, serve)
        if self.is_dirty:
            self.rebuilds.keep_unchanged(
                files,
                config,
                site,
                (self.settings, pages.fragments.renderer.templates, pages.nav_pages),
                pages.fragments,
                pages.sources,
            )
        self._placed = {f.src_uri: f.abs_src_path for f in files if f.src_uri in decision.publish}
        return files

    # After every other plugin's `on_files` (mkdocs-static-i18n's at -100,
    # the helpers around it at -110, a hook's at any priority): last of all,
    # so the files they added are all there.
    @event_priority(-(10**9))
    def _withhold_foreign(self, files: Files, *, config: MkDocsConfig) -> Files:
        """Drop what other plugins added that the library would withhold
        (`withhold_foreign`), then make the output guard, once, looking for
        what the library withholds and for what they say."""
        if self._decision is None or self._library is None:
            return files
        gone = withhold_foreign(files, config, self._decision, self._placed, self._library.meta)
        # MkDocs resolves the site's `nav:` next, and warns of every entry
        # whose file is gone; literate-nav does the same in on_nav.
        self._quiet_nav(self._decision.withheld)
        foreign = self._withheld_by_others(gone, config, "page(s) other plugins added")
        # Before the parse data goes: the plan reads the library's documents.
        self._guard = self._new_guard(foreign)
        self._note_decided(files)
        if not self.is_serve:
            # A one-off build needs the postmortems, not how their files were
            # parsed (the parse cache, `Library.drop_parse_data`); `mkdocs
            # serve` keeps both for its rebuilds, and settles its heap once
            # (`BuildHeap.settle`) where a build freezes it until it ends.
            self._loader = LibraryLoader(keep_positions=False, language_later=self._renders_ahead)
            self._library.drop_parse_data()
            self.heap.freeze()
        return files

    on_files = CombinedEvent(_place_library, _withhold_foreign)

    def _withheld_by_others(
        self, gone: list[tuple[str, Document, Path, str]], config: MkDocsConfig, what: str
    ) -> list[tuple[str, Document, Path]]:
        """Say how many of `what` `withhold_foreign` withheld, and report the
        findings of those it could not classify (`unclassified_findings`:
        errors). Under `--dirty`, remove what an earlier build wrote of
        them. Returns them as the output guard takes them."""
        if not gone:
            return []
        log.info("%d %s are withheld for what they say or cannot be read", len(gone), what)
        if self.is_dirty:
            self.rebuilds.clean_if_built(config.site_dir, [dest for *_, dest in gone])
        self._report([f for _, doc, *_ in gone for f in unclassified_findings(doc)], foreign=True)
        return [(name, doc, src) for name, doc, src, _ in gone]

    def _report(self, findings: list[Finding], foreign: bool = False) -> None:
        """Log findings as lint prints them, those of withheld files without
        their text (`as_build_report`; `foreign`: of files other plugins
        added); errors stop the build."""
        lines, failure = as_build_report(findings, self._withheld_paths, self._repeated, foreign)
        for level, line in lines:
            log.log(level, line)
        if failure:
            raise PluginError(failure)

    def _on_env(
        self, env: jinja2.Environment, *, config: MkDocsConfig, files: Files
    ) -> jinja2.Environment:
        """Under serve, let the theme's environment keep its compiled
        templates between rebuilds too (unless something else set a cache).
        A one-off build's exports are made now that the pages are read."""
        if self.is_serve and env.bytecode_cache is None:
            env.bytecode_cache = self.rebuilds.bytecode
        if self.pages is not None:
            self.pages.fill_exports()
        offline_finder(config, files, self.prefix)
        return env

    def _note_decided(self, files: Files) -> None:
        kept = list(files)
        # `_content` (MkDocs' own, read only): a text set in memory again
        # leaves `abs_src_path` as it was (None), and is a new object; held
        # here, the old one cannot lend the new one its identity.
        self._decided = (kept, {id(f): (f.abs_src_path, f._content) for f in kept})

    def _withhold_since(self, files: Files, config: MkDocsConfig, pages: bool, what: str) -> None:
        """Drop what other plugins added (or pointed elsewhere, or set the
        text of in memory) since the last pass that the library would
        withhold (`withhold_foreign`), pages too while MkDocs will still
        read them (`pages`), and have the output guard look for what they
        say (as for those withheld in on_files; a copy of a file of docs_dir
        is looked for already, with its source)."""
        if self._decision is None or self._library is None:
            return
        _, before = self._decided
        late = []
        for f in files:
            if not pages and f.is_documentation_page():
                continue
            source = before.get(id(f))
            if source is None or source[0] != f.abs_src_path or source[1] is not f._content:
                late.append(f)
        gone: list[tuple[str, Document, Path, str]] = []
        if late:
            decided = Files(late)
            meta = self._library.meta
            gone = withhold_foreign(decided, config, self._decision, self._placed, meta)
            kept = {id(f) for f in decided}
            for file in late:
                if id(file) not in kept:
                    files.remove(file)
        foreign = self._withheld_by_others(gone, config, what)
        if self._guard is not None:
            self._guard.extend(foreign)
        self._note_decided(files)

    # Last of all plugins, just before MkDocs copies the files it does not
    # render: a file another plugin added (or pointed elsewhere) after
    # on_nav, in on_env, is decided as one added in on_files.
    @event_priority(-(10**9))
    def _withhold_late_files(
        self, env: jinja2.Environment, *, config: MkDocsConfig, files: Files
    ) -> jinja2.Environment:
        """Drop the copied files other plugins added in on_env that the
        library would withhold (`_withhold_since`). Pages are read by now:
        one added this late is not rendered. No plugin adds a file MkDocs
        copies after this: the guard's plan is closed."""
        self._withhold_since(files, config, False, "file(s) other plugins added late")
        if self._guard is not None:
            self._guard.close_plan()
        return env

    on_env = CombinedEvent(_on_env, _withhold_late_files)

    def _on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        """Start rendering the library's fragments ahead (where allowed).
        Without an explicit `nav`, list the library's top pages after the
        site's own; incident and listing pages stay out of the navigation so
        no page grows with the size of the library."""
        if self.pages is None:
            return nav
        if self._renders_ahead:
            ahead = self.pages.render_ahead(
                files,
                self.settings.jobs,
                self._language_pending,
                self._guard,
                Path(config.site_dir),
            )
            if ahead:
                log.debug("rendering %d page fragments ahead in a second process", ahead)
        if config.nav is not None and not nav_is_implicit(config):
            return nav
        return self.pages.listed_in(nav, files, config)

    # Last of all plugins, before MkDocs reads the pages: a page another
    # plugin adds in on_nav out of the navigation is read and rendered.
    @event_priority(-(10**9))
    def _withhold_nav_files(
        self, nav: Navigation, *, config: MkDocsConfig, files: Files
    ) -> Navigation:
        """Drop the pages and files other plugins added in on_nav that the
        library would withhold (`_withhold_since`), and every navigation
        entry that links to a withheld file (`drop_withheld_links`), whoever
        made it: a build that lists a restricted postmortem in its `nav:`
        leaves it out rather than fail."""
        self._withhold_since(files, config, True, "file(s) other plugins added in on_nav")
        if self._decision is not None:
            withheld = self._decision.withheld
            docs_dir = Path(config.docs_dir)
            for uri in drop_withheld_links(nav, withheld):
                # Path and rule only: the entry's title may be the page's own.
                log.info(
                    "%s: its navigation entry is left out: %s",
                    display_path(docs_dir / uri, Path.cwd()),
                    withheld[uri],
                )
        return nav

    on_nav = CombinedEvent(_on_nav, _withhold_nav_files)

    def on_pre_page(self, page: Page, *, config: MkDocsConfig, files: Files) -> Page:
        """Point an incident page's edit link at its postmortem where an
        included site holds it (mkdocs-monorepo-plugin sets its own pages'
        links at this event)."""
        if self.pages is not None:
            self.pages.pre_page(page)
        return page

    def on_page_read_source(self, *, page: Page, config: MkDocsConfig) -> str | None:
        """Hand MkDocs an incident's body without its front matter."""
        return self.pages.read_source(page) if self.pages else None

    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        """Mark where an incident's card goes, set escaped titles, and keep
        listings out of search."""
        return self.pages.markdown(markdown, page) if self.pages else markdown

    def on_page_content(
        self, html_text: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        """Render the card of an incident, or a generated page, into place;
        links to unpublished postmortems become their bare ids."""
        return self.pages.content(html_text, page) if self.pages else html_text

    # Late (-100): after Material's search plugin (0) has indexed the page.
    @event_priority(-100)
    def on_page_context(
        self, context: TemplateContext, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        """Put an incident's full page and its own tags back in place of what
        search has read."""
        if self.pages is not None:
            self.pages.context(page, config)
        if self.is_dirty:
            self.rebuilds.note_page(page)
        return context

    # Late (-100): other plugins' post_page handlers see the page as rendered.
    @event_priority(-100)
    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        """Announce the library's Atom feed in every page's <head>, as feed
        readers and browsers discover it; the page, written once this
        returns, lets go of its card or listing (`LibraryPages.written`)."""
        if self.pages is None:
            return output
        self.pages.written(page)
        feed_url = relative_url(self.prefix + FEED, page.url)
        return with_feed_link(output, config.site_name, feed_url)

    # Last of all plugins: the output guard reads what every plugin wrote
    # (the search index at 0, feeds, redirects and sitemaps at -100 and above);
    # on_config moves it after any at this priority or lower (`run_last`).
    @event_priority(-(10**9))
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Report the blameless-language findings a second process made (see
        `LibraryLoader.language_later`). Under `--dirty`, serve a search index
        with every page once (see `Rebuilds.merge_search_index`). Then guard
        the output (see `_guard_output`)."""
        self.heap.unfreeze()
        self._quiet_nav(None)
        read_before = None
        if self.pages is not None:
            read_before = self.pages.guard_read()
            if self._language_pending:
                # Warnings, logged before MkDocs counts them for --strict.
                late = self.pages.language_findings(self._language_pending, self.settings)
                self._language_pending = []
                self._report(in_report_order(late))
            self.pages.close()
        if self.is_dirty:
            self.rebuilds.merge_search_index(config.site_dir)
        if self.pages is not None:
            keep_listings_out_of_search(config, self.pages.fragments.generated)
        self._guard_output(Path(config.site_dir), read_before)

    def _guard_output(
        self, site_dir: Path, read_before: dict[str, ReadAhead] | None = None
    ) -> None:
        """Check every file written to the site folder against what this
        build withholds; remove each file that shows any of it and fail the
        build (see `OutputGuard`). A `--dirty` rebuild of a server reads only
        what it wrote (`Rebuilds.guard_since`); a one-off build reads
        everything, less the pages a third process read as they were written
        (`read_before`)."""
        guard, self._guard = self._guard, None
        if guard is None or guard.empty:
            return
        looked_for = guard.looked_for
        since = self.rebuilds.guard_since(looked_for) if self.is_serve and self.is_dirty else None
        if read_before:
            log.debug("output guard: %d file(s) read as they were written", len(read_before))
        failure = guard.check(site_dir, since, read_before)
        if not self.is_serve and not failure:
            # `mkdocs build` shuts down after this: what a plugin writes then
            # is read too (`on_shutdown`). From when the guard is done: the
            # files written before it were read by it (a search index read
            # twice would double the guard's largest cost).
            self._late_guard = (guard, site_dir, time.time())
        # After a failure, the next rebuild reads all of the folder again.
        self.rebuilds.guarded = None if failure else looked_for
        if failure:
            raise PluginError(failure)

    # Last of all plugins (`run_last`), after every other `on_shutdown`.
    @event_priority(-(10**9))
    def on_shutdown(self) -> None:
        """Read once more what was written into the site folder since the
        output guard read it: `mkdocs build` fires `on_shutdown` after every
        `on_post_build`, and a plugin or hook may write there too. A leak
        is removed and fails the command, as in the build."""
        late, self._late_guard = self._late_guard, None
        if late is None:
            return
        guard, site_dir, started = late
        failure = guard.check(site_dir, started, None)
        if failure:
            log.error(failure)
            # MkDocs' own words for a failed build; no traceback.
            raise Abort("Aborted with a BuildError!")

    def on_build_error(self, *, error: Exception) -> None:
        self.heap.unfreeze()
        self._quiet_nav(None)
        if self.pages is not None:
            self.pages.close()

    def on_serve(
        self, server: LiveReloadServer, *, config: MkDocsConfig, builder: Any
    ) -> LiveReloadServer:
        """Rebuild when the taxonomy or the regimes change, not only the docs;
        then settle the heap the server keeps (`BuildHeap.settle`)."""
        config_dir = Path(config.config_file_path or ".").resolve().parent
        for path in (
            resolve_taxonomy_path(self.settings, config_dir),
            resolve_regimes_path(self.settings, config_dir),
        ):
            if path.exists():
                server.watch(str(path))
        self.heap.settle()
        return server
