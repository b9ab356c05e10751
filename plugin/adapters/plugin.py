"""The MkDocs adapter: hands the core's library and pages to MkDocs.

All decisions (what is published, at which address, what a page shows) are
made by the MkDocs-free core in `library`, `publication`, `site` and
`fragments`; this module only translates them into MkDocs events, with
three collaborators: the library loader, the library's pages of this build
(`pages.LibraryPages`) and what serve rebuilds carry over
(`rebuilds.Rebuilds`). The output guard and the withheld files' findings,
the product's confidentiality, stay here in plain sight. Under `mkdocs
serve` the plugin object lives across rebuilds, so per-build state is reset
in `on_config`. See https://www.mkdocs.org/dev-guide/plugins/#events for
the event order.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from ..check.formats import as_build_log
from ..check.library import (
    Library,
    LibraryLoader,
    in_report_order,
    resolve_regimes_path,
    resolve_taxonomy_path,
)
from ..check.publication import Decision, confidential_paths
from ..dates import build_date
from ..model import Finding
from ..resources import TEMPLATES_DIR
from ..settings import Settings
from ..urls import FEED, relative_url
from ..web import audit
from ..web.fragments import PageFragments, feed_link
from ..web.render import Renderer
from ..web.site import SiteModel
from .compat import (
    add_helpers,
    keep_listings_out_of_search,
    keep_templates_in_theme,
    nav_is_implicit,
    offline_finder,
    real_path_of,
    sources_outside_sub_sites,
)
from .files import place_incidents
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

_ASSETS = (
    "assets/postmortems.css",
    "assets/postmortems-print.css",
    "assets/postmortems-charts.css",
)
_SCRIPTS = ("assets/postmortems.js",)
# The guard reads files of any size a build writes; past this it fails closed.
_GUARD_MAX_FILE_BYTES = 1024 * 2**20
_MTIME_MARGIN = 2.0


class PostmortemsPlugin(BasePlugin[PostmortemsConfig]):  # type: ignore[no-untyped-call]
    supports_multiple_instances = False

    def __init__(self) -> None:
        self._loader = LibraryLoader()  # survives serve rebuilds: the parse cache
        self.is_serve = False
        self.is_dirty = False
        self.rebuilds = Rebuilds()
        self.frozen = False
        self.pages: LibraryPages | None = None
        self._reset()

    def _reset(self) -> None:
        if self.pages is not None:
            self.pages.close()
        self._settings: Settings | None = None
        # The whole library, withheld files included: never handed out.
        self._library: Library | None = None
        # What other plugins and templates may read (`config.plugins`): the
        # published postmortems only, and the site made of them.
        self.library: Library | None = None
        self.site: SiteModel | None = None
        self.pages = None
        # The output guard of this build (see on_post_build), and when the
        # build started, so a `--dirty` rebuild's guard knows what it wrote.
        self._guard: audit.Auditor | None = None
        self._started = time.time()
        # Files withheld for what they say (restricted): their findings are
        # logged without their text.
        self._withheld_paths: frozenset[str] = frozenset()
        # Warnings the last serve build logged that still stand (Rebuilds.logged_before).
        self._repeated: set[Finding] = set()
        # Files whose blameless-language review a one-off build left to the
        # second process: reported as the build ends (see on_post_build).
        self._language_pending: list[tuple[Path, str]] = []

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
        search path so a site's custom_dir overrides still win."""
        self._reset()
        self.rebuilds.begin_build(config)
        add_helpers(config)
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
        self._withhold(files, config, decision)
        if self.is_dirty:
            self.rebuilds.clean_if_withheld_were_built(config, library, decision, self.prefix)
        self._repeated = self.rebuilds.logged_before(
            library.findings, self.is_serve, bool(config.strict)
        )
        self._report(library.findings)
        self._guard = audit.Auditor(
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
        self._library = library
        self.library = library.published_view(self.include_drafts)
        self.site = site = SiteModel(self.library, build_date(), self.include_drafts)
        serve = self.rebuilds if self.is_serve else None
        renderer = Renderer(
            [Path(d) for d in config.theme.dirs],
            config.use_directory_urls,
            self.prefix,
            serve.bytecode if serve else None,
            serve.fragments if serve else None,
        )
        if serve:
            serve.fragments.made.keep_only(site.incidents)
        self.pages = pages = LibraryPages(PageFragments(site, renderer, self.settings), self.prefix)
        pages.fragments.incidents, pages.withheld_links = place_incidents(
            files, config, library, site.by_id, self.prefix
        )
        sources_outside_sub_sites(config, files, pages.fragments.incidents)
        pages.add(files, config, self.settings.home_dashboard)
        pages.add_exports(files, config, serve.exports if serve else None)
        if self.is_dirty:
            self.rebuilds.keep_unchanged(
                files,
                config,
                site,
                (self.settings, renderer.templates, pages.nav_pages),
                pages.fragments,
                pages.sources,
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
        """Log findings as lint prints them, those of withheld files without
        their text (`as_build_log`); errors stop the build. Warnings an
        earlier serve build logged are counted, not repeated."""
        logged = self._repeated
        lines = as_build_log([f for f in findings if f not in logged], self._withheld_paths)
        for level, line in lines:
            log.log(level, line)
        errors = sum(1 for level, _ in lines if level >= logging.ERROR)
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
        templates between rebuilds too (unless something else set a cache).
        A one-off build's exports are made now that the pages are read."""
        if self.is_serve and env.bytecode_cache is None:
            env.bytecode_cache = self.rebuilds.bytecode
        if self.pages is not None:
            self.pages.fill_exports()
        offline_finder(config, files, self.prefix)
        return env

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
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
        # A nav plugin (awesome-nav) may have listed the library's folders already.
        listed = {p.file.src_uri for p in nav.pages}
        for src_uri, title in self.pages.nav_pages:
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
        self, site_dir: Path, read_before: dict[str, audit.ReadAhead] | None = None
    ) -> None:
        """Check every file written to the site folder, whatever wrote it
        (another plugin's include, a theme override, a `nav:` entry), against
        what this build withholds; remove each file that shows any of it and
        fail the build, naming the file and the withheld source.

        A `--dirty` rebuild of a server reads only what it wrote, while what
        the guard looks for is what it looked for when it last read the whole
        folder; a one-off build reads everything, less the pages a third
        process read as they were written whose bytes are still those it
        read (`read_before`)."""
        guard, self._guard = self._guard, None
        if guard is None or guard.plan.empty:
            return
        looked_for = (frozenset(guard.plan.needles.phrases), guard.plan.needles.by_digest)
        incremental = self.is_serve and self.is_dirty and looked_for == self.rebuilds.guarded
        # A margin for file systems that keep coarse modification times.
        since = self._started - _MTIME_MARGIN if incremental else None
        if read_before:
            log.debug("output guard: %d file(s) read as they were written", len(read_before))
        result = guard.audit(site_dir, site_dir, since, read_before)
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
        if self.pages is not None:
            self.pages.close()

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
