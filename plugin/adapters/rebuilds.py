"""What `mkdocs serve` carries from one build to the next: which pages a
`--dirty` rebuild may leave as they are, which it must withdraw, the
preview's search index, and the warnings already logged.

Under `mkdocs serve` the plugin object lives across rebuilds; this object
holds, for it, what describes the site folder those rebuilds write into
(a session), and forgets it when the site or the folder changes.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Collection, Mapping
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page
from mkdocs.utils import clean_directory

from ..check.library import Library
from ..check.publication import Decision
from ..ids import MENTION
from ..model import Finding, Postmortem, Severity
from ..resources import TEMPLATES_DIR
from ..urls import incident_url
from ..web import audit, export
from ..web.fragments import PageFragments
from ..web.preview_search import PreviewSearchIndex
from ..web.render import MemoryBytecodeCache, SharedFragments
from ..web.shown import dashboard_shows, pages_show, shows_same
from ..web.site import SiteModel
from .compat import GENERATED_BY
from .files import GeneratedPage

log = get_plugin_logger("mkdocs_postmortems.plugin")


def templates_overridden(theme_dirs: list[str]) -> bool:
    """Whether a theme folder before ours (a site's custom_dir) has templates
    of the library's own: then they may show anything of their context."""
    ours = os.path.abspath(TEMPLATES_DIR)
    return any(
        os.path.isdir(os.path.join(d, "postmortems"))
        for d in theme_dirs
        if os.path.abspath(d) != ours
    )


class Rebuilds:
    """The serve session's memory of what it built (see the module's note)."""

    def __init__(self) -> None:
        # Kept whatever the session: exports and listing rows of unchanged
        # postmortems, and compiled templates (ours, and the theme's).
        self.exports = export.ExportCache()
        self.bytecode = MemoryBytecodeCache()
        self.fragments = SharedFragments()
        self._session: tuple[str | None, str] | None = None
        self.new_session()
        self.begin_build()

    def new_session(self) -> None:
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
        self.public_memo = audit.PublicMemo()
        # What the guard looked for when it last read the whole site folder:
        # while it stays the same, a `--dirty` rebuild's guard reads only the
        # files that rebuild wrote.
        self.guarded: object = None

    def begin_build(self, config: MkDocsConfig | None = None) -> None:
        """Forget the last build's pages; start a new session for another
        site or output folder."""
        # Addresses of the pages this build rendered, and of all its pages.
        self.rendered: set[str] = set()
        self.page_urls: set[str] = set()
        # When the build started, so a `--dirty` rebuild's guard knows what it wrote.
        self.started = time.time()
        if config is None:
            return
        # Absolute: `mkdocs serve -f` names the file as given at the first
        # build and by its full path at the next ones.
        config_file = config.config_file_path
        session = (config_file and os.path.abspath(config_file), os.path.abspath(config.site_dir))
        if session != self._session:
            self.new_session()
            self._session = session

    def guard_since(self, looked_for: object) -> float | None:
        """When this `--dirty` rebuild started, for the output guard to read
        only the files it wrote, while it looks for what it looked for when
        it last read the whole site folder (`guarded`); else None: all of it."""
        return self.started if looked_for == self.guarded else None

    def logged_before(self, findings: list[Finding], serve: bool, strict: bool) -> set[Finding]:
        """Under serve, the warnings the last build logged that still stand.

        Every save rebuilds the site: logging each of a large library's
        warnings again buried the edited file's own findings, and at 1,000
        postmortems cost a tenth of the rebuild. Errors are always logged (they
        stop the build), and with `--strict` everything is, since warnings
        fail that build."""
        if not serve or strict:
            return set()
        standing = {f for f in findings if f.severity is not Severity.ERROR}
        before, self._logged = self._logged, standing
        return standing & before

    def clean_if_withheld_were_built(
        self, config: MkDocsConfig, library: Library, decision: Decision, prefix: str
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
                page = prefix + incident_url(checked.id) + "index.html"
                built.append(os.path.join(site_dir, page))
        self.clean_if_built(site_dir, built)

    def clean_if_built(self, site_dir: str, built: list[str]) -> None:
        """Empty the site folder (and forget this session's builds) where an
        earlier build wrote any of `built`, files that are withheld now."""
        if any(os.path.exists(path) for path in built):
            log.info("a page built before is withheld now: building the whole site again")
            clean_directory(site_dir)
            self.new_session()

    def _withdraw(self, files: Files, incidents: Mapping[str, Postmortem]) -> None:
        """Fail closed under `--dirty`: MkDocs leaves every page it built
        before in place, so an incident that an edit made restricted, a
        draft outside serve, or moved to another id would still be served.
        Remove the pages of incidents no longer published, and remember their
        addresses to drop them from the search index after it is written."""
        built = {
            file.url: file.abs_dest_path
            for file in files
            if file.src_uri in incidents and file.abs_dest_path
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
            file.url: incidents[file.src_uri].id for file in files if file.src_uri in incidents
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

    def keep_unchanged(
        self,
        files: Files,
        config: MkDocsConfig,
        site: SiteModel,
        depends_on: tuple[object, ...],
        fragments: PageFragments,
        sources: Collection[str],
    ) -> None:
        """Under `--dirty`, MkDocs renders only what changed: tell it which
        generated pages show the same data as last time, and make it render
        every page again when something all pages depend on changed.

        MkDocs re-renders an authored page only when its file is newer than
        the page it built; an incident page also shows taxonomy titles,
        reporting deadlines and the site's theme and navigation, so a change
        to what every page `depends_on` (the taxonomy, the regimes, the
        library's templates, mkdocs.yml) removes the built pages, which makes
        MkDocs render them. `sources` are generated pages made of Markdown,
        which count by their text."""
        generated, home_uri = fragments.generated, fragments.home_uri
        config_file = Path(config.config_file_path or "")
        inputs = (
            *depends_on,
            site.taxonomy,
            # Incident pages show their reporting deadlines, which the regimes set.
            site.library.regimes,
            site.today,
            config_file.read_bytes() if config_file.is_file() else b"",
            tuple(config.theme.dirs),
            [
                f.src_uri
                for f in files
                if f.inclusion is InclusionLevel.INCLUDED and f.is_documentation_page()
            ],
        )
        self._withdraw(files, fragments.incidents)
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
        by_id = not templates_overridden(config.theme.dirs)
        shown = pages_show(site, generated, home_uri)
        for uri in sources:
            source = files.get_file_from_path(uri)
            if source is not None and source.generated_by == GENERATED_BY:
                shown[uri] = source.content_string
        home = files.get_file_from_path("index.md")
        if home is not None and home_uri == "index.md" and "index.md" not in generated:
            # The site's own home page carries the library's dashboard.
            shown["index.md"] = dashboard = dashboard_shows(site)
            if not shows_same(self._shown.get("index.md"), dashboard, by_id):
                with contextlib.suppress(OSError):
                    os.remove(home.abs_dest_path)
        for src_uri, data in shown.items():
            made = files.src_uris.get(src_uri)
            if isinstance(made, GeneratedPage) and src_uri in self._shown:
                made.unchanged = shows_same(self._shown[src_uri], data, by_id) and os.path.isfile(
                    made.abs_dest_path
                )
        self._shown = shown

    def note_page(self, page: Page) -> None:
        """A page this `--dirty` build rendered, and the incidents an authored
        one mentions (see `_unmention`)."""
        self.rendered.add(page.url)
        if page.file.generated_by is None:
            self._mentions[page.file.src_uri] = set(MENTION.findall(page.content or ""))

    def merge_search_index(self, site_dir: str) -> None:
        """Serve a search index with every page once, from the build that
        last rendered it, and without withdrawn incidents (see
        `PreviewSearchIndex`)."""
        index = Path(site_dir) / "search" / "search_index.json"
        with contextlib.suppress(OSError, ValueError):
            merged = self.search_index.merge(
                index.read_text(encoding="utf-8"), self.rendered, self._withdrawn, self.page_urls
            )
            index.write_text(merged, encoding="utf-8")
