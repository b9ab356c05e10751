"""The library's pages as MkDocs builds them, for one build: incident pages
placed, the generated pages and exports added to `files`, the top ones
listed in a nav the site did not write, and each page's Markdown, HTML, meta
and context filled in at its events with what the core renders
(`web.fragments.PageFragments`), some of it ahead in a second process.
"""

from __future__ import annotations

import html
from collections.abc import Hashable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from ..check.library import Library, Pending, review_later
from ..check.publication import bare_ids
from ..model import Finding
from ..parallel import Ahead
from ..settings import Settings
from ..urls import EXPORTS
from ..web import charts
from ..web.audit import ReadAhead
from ..web.export import ExportCache
from ..web.fragments import (
    PageFragments,
    escaped_markup,
    incident_meta,
    language_parts,
    listing_meta,
)
from ..web.output_guard import OutputGuard
from ..web.render import Renderer
from ..web.site import Page as SitePage
from ..web.site import SiteModel
from .compat import (
    card_in_place,
    feed_id_url,
    held_from_search,
    marked_card,
    sources_outside_sub_sites,
    sub_site_edit_urls,
    with_own_tags,
)
from .files import generated_file, generated_page, nav_with_index_files, place_incidents

if TYPE_CHECKING:
    from .rebuilds import Rebuilds

# Markers left in Markdown and swapped for rendered HTML in on_page_content:
# that way the HTML is not re-parsed by Markdown, yet still reaches the
# search index, which reads page content after on_page_content.
_HEAD = "<!--postmortems:head-->"
_BODY = "<!--postmortems:page-->"


def _with_title(content: str, page: Page) -> str:
    """The page's title as its heading where the content has none. Material
    adds one the same way; themes that do not (MkDocs' own) would show a
    library page without a title."""
    if "<h1" in content:
        return content
    title = page.meta.get("title") or escaped_markup(page.title or "")
    return f'<h1 id="pm-title">{title}</h1>\n' + content


class LibraryPages:
    """The library's pages of one build (see the module's note)."""

    def __init__(self, fragments: PageFragments, prefix: str) -> None:
        self.fragments = fragments
        self.prefix = prefix
        # Postmortem files of docs_dir that are not published, by path: a link
        # to one renders as its bare id.
        self.withheld_links: dict[str, str] = {}
        # The library's pages in the site's navigation, and all of its own
        # pages (generated and the guide), which get the library's links.
        self.nav_pages: list[tuple[str, str]] = []
        self.own: set[str] = set()
        # Pages made of Markdown (the guide), whose text tells a rebuild what they show.
        self.sources: list[str] = []
        # Exports of a one-off build, filled in on_env (see add_exports).
        self.late_exports: dict[str, File] = {}
        # Incident pages, rendered, waiting for search to have read their
        # index text (the card's context, where this process made it
        # already); and their own tags, to put back once search has read its
        # terms. The card is rendered as each page is written, not all of
        # them at once; the page's HTML stays in the page, where other
        # plugins may edit it.
        self.after_search: dict[str, dict[str, Any] | None] = {}
        self.own_tags: dict[str, Any] = {}
        # What each of our pages held before its card or listing went in: the
        # page is given that back once it is written (see written).
        self.written_as: dict[str, str] = {}
        # Fragments rendered ahead in a second process (see render_ahead).
        self.ahead = Ahead(())
        # Edit links of incident pages whose postmortems an included site
        # holds (see sub_site_edit_urls), by source path.
        self.edit_urls: dict[str, str | None] = {}

    @classmethod
    def made(
        cls,
        files: Files,
        config: MkDocsConfig,
        library: Library,
        site: SiteModel,
        settings: Settings,
        serve: Rebuilds | None,
    ) -> LibraryPages:
        """The library's pages of this build, in `files`: each published
        postmortem's page moved to its address (the others dropped), the
        generated pages and the exports added. Under serve, compiled
        templates, fragments and exports of unchanged postmortems are kept
        across rebuilds (`serve`)."""
        renderer = Renderer(
            [Path(d) for d in config.theme.dirs],
            config.use_directory_urls,
            settings.prefix,
            serve.bytecode if serve else None,
            serve.fragments if serve else None,
        )
        if serve:
            serve.fragments.made.keep_only(site.incidents)
        pages = cls(PageFragments(site, renderer, settings), settings.prefix)
        pages.fragments.incidents, pages.withheld_links = place_incidents(
            files, config, library, site.by_id, settings.prefix
        )
        sources_outside_sub_sites(config, files, pages.fragments.incidents)
        pages.edit_urls = sub_site_edit_urls(config, pages.fragments.incidents)
        pages.add(files, config, settings.home_dashboard)
        pages.add_exports(files, config, serve.exports if serve else None)
        return pages

    # --- files -----------------------------------------------------------------

    def add(self, files: Files, config: MkDocsConfig, home_dashboard: bool) -> None:
        """Add the site model's pages (the home page only where the site has
        none of its own); refuse to take over a site's page."""
        # Listed once: building every listing's context is not free at 10,000.
        pages = list(self.fragments.site.pages())
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
        if home_dashboard or own_home is None:
            self.fragments.home_uri = "index.md"
        if config.nav is not None:
            folders = {self.prefix + p.url for p in pages if p.nav_title}
            config.nav = nav_with_index_files(config.nav, folders)

    def _add_page(self, files: Files, config: MkDocsConfig, page: SitePage) -> None:
        src_uri = page.src_uri if page.is_home else self.prefix + page.src_uri
        self.own.add(src_uri)
        if page.source is not None:
            self.sources.append(src_uri)
            files.append(generated_page(config, src_uri, page.source()))
        else:
            self.fragments.generated[src_uri] = page
            files.append(generated_page(config, src_uri, _BODY))
        if page.nav_title:
            self.nav_pages.append((src_uri, page.nav_title))

    def listed_in(self, nav: Navigation, files: Files, config: MkDocsConfig) -> Navigation:
        """`nav` with the library's top pages after the site's own, those a
        nav plugin (awesome-nav) did not list already."""
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

    def add_exports(self, files: Files, config: MkDocsConfig, cache: ExportCache | None) -> None:
        """The exports, made now with `cache` (serve), or left empty for a
        one-off build to fill once the pages are read (`fill_exports`): MkDocs
        writes them after that, and a second process may have made them."""
        base = (config.site_url or "").rstrip("/") + "/" + self.prefix if config.site_url else None
        self.fragments.export_args = (
            base,
            config.site_name,
            config.use_directory_urls,
            feed_id_url(config, self.prefix),
        )
        if cache is not None:
            for uri, data in self.fragments.exports(cache):
                files.append(generated_file(config, self.prefix + uri, data))
            cache.keep_only(self.fragments.site.incidents)
        else:
            for uri in EXPORTS:
                file = generated_file(config, self.prefix + uri, b"")
                self.late_exports[uri] = file
                files.append(file)
        # Shared by every page that draws a chart; not an address of the library.
        if files.get_file_from_path("assets/postmortems-charts.css") is None:
            files.append(generated_file(config, "assets/postmortems-charts.css", charts.CHART_CSS))

    def fill_exports(self) -> None:
        if self.late_exports:
            made = self.ahead.take(("exports",)) or self.fragments.exports()
            for uri, data in made:
                self.late_exports[uri].content_bytes = data
            self.late_exports = {}

    # --- rendering ahead -------------------------------------------------------

    def render_ahead(
        self,
        files: Files,
        jobs: int | None,
        language_pending: list[Pending],
        guard: OutputGuard | None = None,
        site_dir: Path | None = None,
    ) -> int:
        """Start rendering, in a second process, the fragments the pages
        will ask for, in the order MkDocs renders them (see
        `PageFragments.ahead_tasks`); how many, or 0 where it is not started.
        With a `guard`, a third process at the lowest priority reads the
        pages as MkDocs writes them (`Auditor.read_as_written`), for the
        output guard to read only what changed since (`guard_read`)."""
        documentation = files.documentation_pages()
        # Addresses as MkDocs' Page.url spells them, which the pages will ask with.
        pages = [(f.src_uri, "" if f.url in (".", "./") else f.url) for f in documentation]
        tasks, early = self.fragments.ahead_tasks(pages, bool(self.late_exports), language_pending)
        background = None
        if guard is not None and site_dir is not None and not guard.empty:
            # In the order MkDocs writes them: static files (the theme's
            # scripts, the exports) are copied before the first page.
            written = [Path(f.abs_dest_path) for f in [*files.static_pages(), *documentation]]
            background = partial(guard.auditor.read_as_written, written, site_dir, site_dir)
        self.ahead = Ahead(tasks, early, jobs, background)
        return len(tasks) if self.ahead.running else 0

    def language_findings(self, pending: list[Pending], settings: Settings) -> list[Finding]:
        """The review of the files a load left for later, from the second
        process where it made it. What it has not started yet is shared
        with this process, which has nothing else left to do (at 10,000
        incidents the build waited 10 s for the second process to do it all)."""
        parts = language_parts(pending)
        keys = [("language", i) for i in range(len(parts))]
        mine = set(self.ahead.share(keys))
        made = {key: review_later(parts[key[1]], settings) for key in keys if key in mine}
        found: list[Finding] = []
        for key in keys:
            got = made.get(key)
            if got is None:
                got = self.ahead.take(key)
            found += got if got is not None else review_later(parts[key[1]], settings)
        return found

    def take(self, key: Hashable) -> Any:
        return self.ahead.take(key)

    def guard_read(self) -> dict[str, ReadAhead] | None:
        """What the guard's background reader read of the pages written so far."""
        made = self.ahead.background_result()
        return made if isinstance(made, dict) else None

    def close(self) -> None:
        self.ahead.close()

    # --- page events -----------------------------------------------------------

    def pre_page(self, page: Page) -> None:
        """An incident page of an included site links its postmortem's own
        file for editing (MkDocs' link, made as the page was, names a file of
        the merged docs folder, which is not in the repository)."""
        src = page.file.src_uri
        if src in self.edit_urls:
            page.edit_url = self.edit_urls[src]

    def read_source(self, page: Page) -> str | None:
        """An incident's body without its front matter: the library parsed it
        already (strictly); MkDocs would parse it again with PyYAML's Python
        constructor and put the untrusted values into `page.meta`. The marker
        in front keeps MkDocs' MultiMarkdown reader off the body's first lines."""
        pm = self.fragments.incidents.get(page.file.src_uri)
        return None if pm is None else f"{_HEAD}\n\n{pm.body}"

    def markdown(self, markdown: str, page: Page) -> str:
        """Mark where an incident's card or a listing goes, and set our keys of
        `page.meta` (shared with MkDocs and other plugins: theirs are kept)."""
        src = page.file.src_uri
        pm = self.fragments.incidents.get(src)
        if pm is not None:
            meta = incident_meta(pm)
            # Tags other plugins gave the page (a `.meta.yml`) stay, then its own.
            tags = with_own_tags(page.meta.get("tags"), meta.pop("tags"))
            page.meta.update(meta)
            if tags:
                page.meta["tags"] = tags
            else:
                page.meta.pop("tags", None)
            if markdown.startswith(_HEAD):
                # Our own source (read_source), as earlier plugins left it.
                return markdown
            # Another plugin read the source, so MkDocs parsed the front matter
            # itself: none of those untrusted values may reach the theme.
            for key in pm.data:
                if key not in ("title", "tags", "date"):
                    page.meta.pop(key, None)
            return f"{_HEAD}\n\n{markdown}"
        generated = self.fragments.generated.get(src)
        if generated is not None:
            page.meta.update(listing_meta(generated, page.meta))
        elif "title" in page.meta and page.file.generated_by is None:
            # Only the title is touched: the rest of the meta belongs to the
            # site and its other plugins.
            page.meta["title"] = escaped_markup(page.meta["title"])
        return f"{markdown}\n\n{_BODY}" if src == self.fragments.home_uri else markdown

    def content(self, html_text: str, page: Page) -> str:
        """Put what search should index of an incident, or a generated page,
        into place; links to unpublished postmortems become their bare ids."""
        fragments, src, url = self.fragments, page.file.src_uri, page.url
        if page.file.generated_by is None:
            html_text = bare_ids(html_text, src, self.withheld_links)
        pm = fragments.incidents.get(src)
        if pm is not None:
            before, _, narrative = html_text.partition(_HEAD)
            indexed: str | None = self.ahead.take(("search", src, url))
            context = None
            if indexed is None:
                # Kept for the card, which this process then renders too.
                context = fragments.site.incident_context(pm)
                indexed = fragments.incident_html("incident_search.html", pm, url, context)
            self.after_search[src] = context
            # Material's search ranks its entries' `tags` far above text: finding
            # an incident by id, system or category should not depend on wording.
            # The terms stay in the search entry only: the tags plugin read the
            # page's own tags in on_page_markdown, and `context` puts them back
            # before anything renders, so the tag index and `tags_allowed` never
            # see them. Search prints its entries' tags as it finds them.
            self.own_tags[src] = page.meta.get("tags")
            own = [html.escape(str(t)) for t in self.own_tags[src] or ()]
            page.meta["tags"] = [*own, *fragments.search_terms(pm)]
            # Plugins after ours (glightbox) edit this HTML: `context` swaps
            # only the marked part for the card and keeps their edits.
            return marked_card(before, indexed, narrative, fragments.narrative_searchable)
        fragment: str | None = self.ahead.take(("page", src, url)) or fragments.fragment(src, url)
        if fragment is None:
            if src in self.own:
                return _with_title(html_text, page) + fragments.links(url)
            return html_text
        filled = html_text.replace(_BODY, fragment, 1)
        self.written_as[src] = html_text
        return filled if src == fragments.home_uri else _with_title(filled, page)

    def context(self, page: Page, config: MkDocsConfig) -> None:
        """Put an incident's full page and its own tags back in place of what
        search has read."""
        src = page.file.src_uri
        if src in self.after_search:
            made = self.after_search.pop(src)
            rendered = None if made else self.ahead.take(("card", src, page.url))
            if rendered is None:
                pm = self.fragments.incidents[src]
                rendered = self.fragments.incident_html("incident.html", pm, page.url, made)
            narrative = held_from_search(config, src)
            full, lean = card_in_place(page.content or "", rendered, narrative)
            page.content = _with_title(full, page)
            self.written_as[src] = lean
        if src in self.own_tags:
            tags = self.own_tags.pop(src)
            if tags is None:
                page.meta.pop("tags", None)
            else:
                page.meta["tags"] = tags

    def written(self, page: Page) -> None:
        """The page is written: MkDocs keeps every page's content until the
        build ends, and a card or a listing is rendered for its page alone,
        so the page gets back the HTML its Markdown made. Holding them all
        took more memory than the rest of a 10,000-incident build."""
        lean = self.written_as.pop(page.file.src_uri, None)
        if lean is not None:
            page.content = lean
