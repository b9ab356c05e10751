"""The HTML the library puts into pages, rendered for the page's address: an
incident's card and what search indexes of it, the listings and the home
page's dashboard; and the decisions about a page that go with it (its meta,
what search may read of it). The adapter places the HTML; which work a
second process may do ahead is listed here too (`ahead_tasks`).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Hashable, Iterable, Mapping
from functools import partial
from typing import Any

from markupsafe import Markup

from ..check.library import Pending, review_later
from ..model import Postmortem
from ..settings import Settings
from . import export
from .render import Renderer
from .site import Page, SiteModel

# Files per part of the language review left to the second process: about
# a tenth of a second of its work.
LANGUAGE_PART = 100

Task = tuple[Hashable, Callable[[], Any]]


def language_parts(pending: list[Pending]) -> list[list[Pending]]:
    return [pending[i : i + LANGUAGE_PART] for i in range(0, len(pending), LANGUAGE_PART)]


def incident_meta(pm: Postmortem) -> dict[str, Any]:
    """The keys of `page.meta` an incident page sets. Themes print `title`
    and `description` raw and front matter is untrusted, so those are
    escaped; `date` is when the incident began (feeds date their items by
    it, not by a commit); `tags` are the postmortem's own as written, so a
    site's tag index and its `tags_allowed` see what authors wrote (the
    adapter escapes them where they are printed)."""
    return {
        "title": escaped_markup(pm.title),
        "description": escaped_markup(pm.summary),
        "date": pm.date,
        "tags": list(pm.tags),
    }


def listing_meta(page: Page, meta: Mapping[str, Any]) -> dict[str, Any]:
    """The keys of `page.meta` a generated page sets: its escaped title, and
    out of search (listings repeat what incident pages say), keeping what
    else the site asked of search for it."""
    search = meta.get("search")
    return {
        "title": escaped_markup(page.title),
        "search": {**(search if isinstance(search, dict) else {}), "exclude": True},
    }


def escaped_markup(text: object) -> Markup:
    """An author's text (a page's title, its description) escaped, since what
    authors write is not HTML, and marked as HTML: MkDocs and themes print
    titles raw, in <title> and the navigation, and a plugin rendering with
    autoescaping (mkdocs-rss-plugin's feed) does not escape it a second time."""
    return Markup(html.escape(str(text)))


def with_feed_link(page_html: str, site_name: str, feed_url: str) -> str:
    """A page announcing the library's feed in its <head>, as feed readers
    and browsers discover it; a page without a <head> as it was."""
    link = (
        '<link rel="alternate" type="application/atom+xml" '
        f'title="{html.escape(site_name)}: incidents" href="{html.escape(feed_url)}">'
    )
    head_end = page_html.find("</head>")
    return page_html if head_end < 0 else page_html[:head_end] + link + page_html[head_end:]


class PageFragments:
    """The library's HTML for the pages of one build."""

    def __init__(self, site: SiteModel, renderer: Renderer, settings: Settings) -> None:
        self.site = site
        self.renderer = renderer
        self.settings = settings
        # Incident pages and generated pages by source path, and the page
        # that carries the dashboard (None: the site's own home page does not).
        self.incidents: dict[str, Postmortem] = {}
        self.generated: dict[str, Page] = {}
        self.home_uri: str | None = None
        # Where the exports' links point, the site's name, the address form
        # and the address the feed's ids are made from (see exports).
        self.export_args: tuple[str | None, str, bool, str | None] = (None, "", True, None)

    @property
    def narrative_searchable(self) -> bool:
        """Whether search indexes incidents' narratives: the browser builds
        the index on the first query, and a large library's full text made
        that take seconds."""
        return len(self.site.incidents) <= self.settings.search_narrative_limit

    def search_terms(self, pm: Postmortem) -> list[str]:
        """What search ranks an incident by (its id, systems and categories), escaped."""
        return [html.escape(t) for t in self.site.search_terms(pm)]

    def incident_html(
        self, template: str, pm: Postmortem, url: str, context: dict[str, Any] | None = None
    ) -> str:
        """An incident page's card (`incident.html`) or what search indexes of
        it (`incident_search.html`), from `context` where it is made already."""
        return self.renderer.render(template, url, **(context or self.site.incident_context(pm)))

    def fragment(self, src: str, url: str) -> str | None:
        """What the home page or a generated page shows, rendered for `url`."""
        site, renderer = self.site, self.renderer
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

    def links(self, url: str) -> str:
        """The library's links, at the foot of each of its pages."""
        return self.renderer.render("links.html", url)

    def exports(self, cache: export.ExportCache | None = None) -> list[tuple[str, bytes]]:
        """The exports, as UTF-8: held until the build ends, and mostly ASCII,
        they take a quarter of the memory of a str that holds one wider
        character (an en dash in one title makes every character 4 bytes).
        Without `cache`, each record is shared between the exports, then let go."""
        base, name, directory_urls, id_url = self.export_args
        made = self.site.exports(
            base, name, export.ExportCache() if cache is None else cache, directory_urls, id_url
        )
        return [(uri, text.encode("utf-8")) for uri, text in made]

    def ahead_tasks(
        self,
        pages: Iterable[tuple[str, str]],
        exports: bool,
        language_pending: list[Pending],
    ) -> tuple[list[Task], list[Hashable]]:
        """What a second process may render ahead for `pages` (source path,
        address), in the order the build asks for it, and which of it to do
        early: the search entries of incidents and the generated pages while
        MkDocs converts Markdown, then the incidents' cards while it writes
        pages, the exports, and the language review left for later."""
        jobs: list[tuple[tuple[str, ...], Callable[[], Any]]] = []
        cards: list[Task] = []
        for src, url in pages:
            pm = self.incidents.get(src)
            if pm is not None:
                both = _BothRenders(self, pm, url)
                jobs.append((("search", src, url), both.search_entry))
                cards.append((("card", src, url), both.card))
            elif src == self.home_uri or src in self.generated:
                jobs.append((("page", src, url), partial(self.fragment, src, url)))
        # Listings take the longest and are asked for in a burst once the
        # incidents are done: the second process renders them while it waits.
        early: list[Hashable] = [key for key, _ in jobs if key[0] == "page"]
        if exports:
            jobs.append((("exports",), partial(self.exports, None)))
            early.append(("exports",))
        # Last, since they are reported as the build ends, and in small parts:
        # the second process works on one while the reader is behind, and a
        # part left undone when cards are asked for delays only so much.
        language: list[Task] = [
            (("language", i), partial(review_later, part, self.settings))
            for i, part in enumerate(language_parts(language_pending))
        ]
        early += [key for key, _ in language]
        return [*jobs, *cards, *language], early


class _BothRenders:
    """An incident's two renders in the second process, its search entry
    and, pages later, its card, from one context, as this process renders
    them (`LibraryPages.content`): making it twice cost half as much again
    as the card's render. Kept from the first to the second, as this
    process keeps it."""

    def __init__(self, fragments: PageFragments, pm: Postmortem, url: str) -> None:
        self.fragments, self.pm, self.url = fragments, pm, url
        self.context: dict[str, Any] | None = None

    def search_entry(self) -> str:
        self.context = self.fragments.site.incident_context(self.pm)
        return self.fragments.incident_html("incident_search.html", self.pm, self.url, self.context)

    def card(self) -> str:
        # None where another worker rendered the search entry: made afresh.
        context, self.context = self.context, None
        return self.fragments.incident_html("incident.html", self.pm, self.url, context)
