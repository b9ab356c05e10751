"""The published library as a site: which pages exist, at which addresses,
and what each shows. MkDocs-free: the plugin only hands these pages to
MkDocs; another site generator could hand them to its own pipeline.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property, partial
from typing import Any, Final

from markupsafe import Markup

from ..check.layered import Recurrence, recurrences
from ..check.library import Library
from ..check.reporting import STATES, StageStatus
from ..dates import days_between, instant_of
from ..enums import ACTION_STATUSES, ACTION_TYPES, ORIGINS, SEVERITIES, STATUSES
from ..model import ActionItem, DateLike, Factor, LayerNote, Postmortem
from ..parse.taxonomy import Category, Layer, Taxonomy
from ..urls import (
    EXPORTS,
    category_url,
    incident_url,
    layer_url,
    page_address,
    paged_uri,
    system_url,
)
from . import charts, export, feed
from .guide import render_guide
from .obligations import published_clocks

# Rows per listing page. Listings are paged so that no page grows with the
# size of the library (a 4,000-incident table would be megabytes).
PAGE_SIZE: Final = 200
# The dashboard's address: the site's root, not under the library's prefix.
HOME_URI: Final = "index.md"
GUIDE_TITLE: Final = "How to write a postmortem"
# How many neighbours in time, per shared system or category, are considered
# when looking for similar incidents: keeps that search linear in the size
# of the library however large one system's history grows.
SIMILAR_WINDOW: Final = 6
SIMILAR_SHOWN: Final = 8


ORIGIN_LABELS: Final = {"internal": "Our own incident", "external": "External case study"}


def _overdue(item: ActionItem, pm: Postmortem, today: dt.date) -> bool:
    # A case study's items are another organisation's: never ours to chase.
    return not pm.is_external and item.is_overdue(today)


def _duration(start: DateLike, end: DateLike | None) -> str | None:
    days = days_between(start, end)
    return duration_text(days) if days is not None else None


def duration_text(days: float | None) -> str:
    if days is None:
        return "—"
    if days < 1:
        hours = round(days * 24)
        return f"{hours} hour{'s' if hours != 1 else ''}"
    whole = round(days)
    return f"{whole} day{'s' if whole != 1 else ''}"


@dataclass(frozen=True)
class Link:
    """A reference to an incident: a link where it is published, else its bare id."""

    id: str
    title: str | None
    url: str | None


class FactorEntry(tuple[Category | None, str, str]):
    """A factor as the incident templates list it: (category, category id,
    summary), the shape a site's own template overrides unpack, with the
    whole factor (its basis and systems) beside it as `.factor`."""

    factor: Factor

    def __new__(
        cls, cat: Category | None, cat_id: str, summary: str, factor: Factor
    ) -> FactorEntry:
        entry = super().__new__(cls, (cat, cat_id, summary))
        entry.factor = factor
        return entry

    def __getnewargs__(self) -> tuple[Category | None, str, str, Factor]:
        # Pages are rendered in a second process: unpickled, it is built again whole.
        cat, cat_id, summary = self
        return cat, cat_id, summary, self.factor


@dataclass(frozen=True)
class ItemRow:
    item: ActionItem
    incident: Postmortem
    overdue: bool


@dataclass(frozen=True)
class TypeCounts:
    """Action items of one layer and type that are not closed, and how many
    of those are overdue."""

    type: str
    open: int
    overdue: int


@dataclass
class Page:
    """One generated page. `template` renders `context`; `title` is plain text.

    What costs the most to work out (summaries, counts, recurrences) is in
    `extra`, computed the first time the context is asked for and shared by
    the pages of one listing: a build lists every page before it renders
    any, and renders them in a second process where it can (at 10,000
    incidents, working it all out first took the main process a second)."""

    src_uri: str
    url: str
    title: str
    template: str
    base: dict[str, Any] = field(default_factory=dict)
    nav_title: str | None = None
    extra: Callable[[], dict[str, Any]] | None = None
    # The Markdown of a page that no template draws (the guide).
    source: Callable[[], str] | None = None

    @property
    def is_home(self) -> bool:
        """The dashboard: at the site's root, whatever the library's prefix."""
        return self.src_uri == HOME_URI

    @property
    def context(self) -> dict[str, Any]:
        return {**self.extra(), **self.base} if self.extra is not None else self.base


def pages_of(rows: Sequence[Any], size: int = PAGE_SIZE) -> list[Sequence[Any]]:
    return [rows[i : i + size] for i in range(0, len(rows), size)] or [rows]


class AsOf(dt.datetime):
    """The instant a page's clocks were read, which it shows as its "as of"
    line. Any two compare equal: a `--dirty` preview renders the reporting
    page again for the states its rows show, not for the clock alone (its
    line then keeps the instant it was last rendered at)."""

    @classmethod
    def of(cls, instant: dt.datetime) -> AsOf:
        return cls.fromtimestamp(instant.timestamp(), instant.tzinfo)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AsOf)

    def __hash__(self) -> int:
        return 0


class SiteModel:
    """Everything the site shows, computed once per build from the library."""

    def __init__(self, library: Library, today: dt.date, include_drafts: bool) -> None:
        self.library = library
        self.today = today
        # Reporting clocks run to the instant, not the day: taken once, so
        # every page of one build shows the same states.
        self.now = instant_of(today)
        taxonomy = library.taxonomy
        assert taxonomy is not None, "a site is only built from a library with a taxonomy"
        self.taxonomy: Taxonomy = taxonomy
        self.incidents: list[Postmortem] = library.published(include_drafts)
        self.by_id: dict[str, Postmortem] = {p.id: p for p in self.incidents}
        self._group_positions: dict[tuple[str, str], dict[str, int]] = {}

    # --- indexes -----------------------------------------------------------------

    @cached_property
    def by_layer(self) -> dict[str, list[Postmortem]]:
        return self._group(lambda p: p.layers)

    @cached_property
    def by_category(self) -> dict[str, list[Postmortem]]:
        return self._group(lambda p: p.categories)

    @cached_property
    def by_system(self) -> dict[str, list[Postmortem]]:
        return self._group(lambda p: p.systems)

    def _group(self, keys: Callable[[Postmortem], Iterable[str]]) -> dict[str, list[Postmortem]]:
        groups: dict[str, list[Postmortem]] = defaultdict(list)
        for pm in self.incidents:  # already newest first
            for key in keys(pm):
                groups[key].append(pm)
        return dict(groups)

    @cached_property
    def layer_titles(self) -> dict[str, str]:
        return {layer.id: layer.title for layer in self.taxonomy.layers}

    @cached_property
    def cited_by(self) -> dict[str, list[Postmortem]]:
        back: dict[str, list[Postmortem]] = defaultdict(list)
        for pm in self.incidents:
            for rid in pm.related:
                back[rid].append(pm)
        return dict(back)

    @cached_property
    def action_rows(self) -> list[ItemRow]:
        """Every action item, ours first: a case study's items are listed
        after them, never overdue, because they are not ours to track."""
        rows = [
            ItemRow(item, pm, _overdue(item, pm, self.today))
            for pm in self.incidents
            for item in pm.action_items
        ]
        order = {s: i for i, s in enumerate(ACTION_STATUSES)}
        rows.sort(
            key=lambda r: (
                r.incident.is_external,
                order.get(r.item.status, 9),
                not r.overdue,
                # An item without a due date sorts after every dated one.
                (r.item.due is None, r.item.due or dt.date.min),
                r.incident.id,
            )
        )
        return rows

    @cached_property
    def own_action_rows(self) -> list[ItemRow]:
        """The action items of our own incidents: what the counts count."""
        return [r for r in self.action_rows if not r.incident.is_external]

    @cached_property
    def clocks(self) -> list[StageStatus]:
        """Reporting stages of the published incidents only, overdue first."""
        return published_clocks(self.incidents, self.library, self.now).rows

    @cached_property
    def clocks_by_id(self) -> dict[str, list[StageStatus]]:
        grouped: dict[str, list[StageStatus]] = defaultdict(list)
        for row in self.clocks:
            grouped[row.id].append(row)
        return dict(grouped)

    def link(self, pm_id: str) -> Link:
        pm = self.by_id.get(pm_id)
        if pm is None:
            # Unpublished or restricted: nothing but the id may show.
            return Link(pm_id, None, None)
        return Link(pm.id, pm.title, incident_url(pm.id))

    def similar(self, pm: Postmortem) -> list[tuple[Postmortem, list[str]]]:
        """Incidents sharing a system or a factor category, closest in time first."""
        shared: dict[str, list[str]] = defaultdict(list)
        for label, groups, keys in (
            ("system", self.by_system, pm.systems),
            ("category", self.by_category, pm.categories),
        ):
            for key in keys:
                group = groups.get(key, [])
                at = self._positions(label, key, group).get(pm.id, 0)
                lo, hi = max(0, at - SIMILAR_WINDOW), at + SIMILAR_WINDOW + 1
                for other in group[lo:hi]:
                    if other.id != pm.id:
                        title = key if label == "system" else self._category_title(key)
                        shared[other.id].append(f"{label} {title}")
        ranked = sorted(shared.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        return [(self.by_id[i], why) for i, why in ranked[:SIMILAR_SHOWN]]

    def _positions(self, label: str, key: str, group: list[Postmortem]) -> dict[str, int]:
        """Where each incident sits in one group, built once per group: looking
        it up by scanning made similar() quadratic in the size of a system's
        or a category's history (a tenth of the library or more)."""
        found = self._group_positions.get((label, key))
        if found is None:
            found = {p.id: i for i, p in enumerate(group)}
            self._group_positions[(label, key)] = found
        return found

    def _category_title(self, category_id: str) -> str:
        cat = self.taxonomy.category(category_id)
        return cat.title if cat else category_id

    # --- layered analysis ------------------------------------------------------------

    @cached_property
    def ruled_out_by_layer(self) -> dict[str, list[tuple[Postmortem, str]]]:
        """Per layer, the incidents that examined it and ruled it out, with why."""
        return self._notes_by_layer(lambda pm: pm.ruled_out)

    @cached_property
    def not_examined_by_layer(self) -> dict[str, list[tuple[Postmortem, str]]]:
        """Per layer, the incidents whose authors could not examine it, with why."""
        return self._notes_by_layer(lambda pm: pm.not_examined)

    def _notes_by_layer(
        self, notes: Callable[[Postmortem], Iterable[LayerNote]]
    ) -> dict[str, list[tuple[Postmortem, str]]]:
        groups: dict[str, list[tuple[Postmortem, str]]] = defaultdict(list)
        for pm in self.incidents:  # already newest first
            for entry in notes(pm):
                groups[entry.layer].append((pm, entry.reason))
        return dict(groups)

    @cached_property
    def item_counts(self) -> dict[str, list[TypeCounts]]:
        """Per layer, its prevent, detect and mitigate items: open and overdue."""
        counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        for row in self.own_action_rows:
            if row.item.is_closed:
                continue
            entry = counts[(row.item.layer, row.item.type)]
            entry[0] += 1
            entry[1] += row.overdue
        return {
            layer.id: [TypeCounts(t, *counts.get((layer.id, t), (0, 0))) for t in ACTION_TYPES]
            for layer in self.taxonomy.layers
        }

    def recurrences_of(self, category_id: str) -> list[Recurrence]:
        """Recurrences among published incidents only: an unpublished earlier
        incident is never linked or named."""
        return recurrences(self.by_category.get(category_id, []), category_id)

    # --- pages -------------------------------------------------------------------

    def pages(self) -> Iterator[Page]:
        """Every generated page except the incident pages themselves, which
        stay the authors' own Markdown files, moved to `incidents/<id>/`:
        the listings, the home page (where the site has none of its own; its
        title is the site's name) and the authors' guide."""
        yield from self._listing(
            "incidents/",
            "Incidents",
            "incidents.html",
            self.incidents,
            nav="Incidents",
            extra=lambda: {"filters": self.filters()},
        )
        yield Page(
            "layers/index.md",
            "layers/",
            "Factor layers",
            "layers.html",
            nav_title="Layers",
            extra=lambda: {"layers": self.layer_summaries()},
        )
        for layer in self.taxonomy.layers:
            yield from self._listing(
                layer_url(layer.id),
                f"Layer: {layer.title}",
                "layer.html",
                self.by_layer.get(layer.id, []),
                extra=partial(self._layer_extra, layer),
            )
            for cat in layer.categories:
                incidents = self.by_category.get(cat.id, [])
                if not incidents:
                    continue  # no page that only unpublished incidents would fill
                yield from self._listing(
                    category_url(layer.id, cat.id),
                    f"Category: {cat.title}",
                    "category.html",
                    [
                        p
                        for p in incidents
                        if any(f.category == cat.id and f.layer == layer.id for f in p.factors)
                    ],
                    extra=partial(self._category_extra, layer, cat),
                )
        yield Page(
            "systems/index.md",
            "systems/",
            "Systems",
            "systems.html",
            nav_title="Systems",
            extra=lambda: {"systems": self.system_summaries()},
        )
        for system, incidents in sorted(self.by_system.items()):
            yield from self._listing(
                system_url(system),
                f"System: {system}",
                "system.html",
                incidents,
                extra=partial(dict, system=system),
            )
        yield from self._listing(
            "action-items/",
            "Action items",
            "action_items.html",
            self.action_rows,
            nav="Action items",
            extra=lambda: {"summary": self.action_summary()},
        )
        yield from self._listing(
            "reporting/",
            "Reporting obligations",
            "reporting.html",
            self.clocks,
            nav="Reporting",
            extra=self._reporting_extra,
        )
        yield Page(HOME_URI, "", "", "home.html")
        yield Page(
            "guide/index.md",
            "guide/",
            GUIDE_TITLE,
            "",
            nav_title=GUIDE_TITLE,
            source=lambda: render_guide(self.taxonomy, self.library.settings),
        )

    def _layer_extra(self, layer: Layer) -> dict[str, Any]:
        ruled_out = self.ruled_out_by_layer.get(layer.id, [])
        not_examined = self.not_examined_by_layer.get(layer.id, [])
        return {
            "layer": layer,
            "categories": self.category_counts(layer),
            "ruled_out": ruled_out[:PAGE_SIZE],
            "ruled_out_total": len(ruled_out),
            "not_examined": not_examined[:PAGE_SIZE],
            "not_examined_total": len(not_examined),
            "item_counts": self.item_counts.get(layer.id, []),
        }

    def _category_extra(self, layer: Layer, cat: Category) -> dict[str, Any]:
        return {
            "uncertain": self.uncertain_factors(layer, cat)[:PAGE_SIZE],
            "layer": layer,
            "category": cat,
            "action_rows": self.items_addressing(cat),
            "recurrences": self.recurrences_of(cat.id)[:PAGE_SIZE],
        }

    def _reporting_extra(self) -> dict[str, Any]:
        states = Counter(r.state for r in self.clocks)
        return {"states": [(s, states.get(s, 0)) for s in STATES], "now": AsOf.of(self.now)}

    def _listing(
        self,
        base_url: str,
        title: str,
        template: str,
        rows: Sequence[Any],
        nav: str | None = None,
        extra: Callable[[], dict[str, Any]] | None = None,
    ) -> Iterator[Page]:
        chunks = pages_of(rows)
        # Worked out once for all the listing's pages, when first asked for.
        shared = cache(extra) if extra is not None else None
        for number, chunk in enumerate(chunks, start=1):
            url = paged_uri(base_url, number)
            context = dict(
                rows=chunk,
                total=len(rows),
                page_number=number,
                page_count=len(chunks),
                first_row=(number - 1) * PAGE_SIZE + 1,
                page_urls=[paged_uri(base_url, n) for n in range(1, len(chunks) + 1)],
            )
            shown = title if number == 1 else f"{title} (page {number})"
            yield Page(
                url + "index.md",
                url,
                shown,
                template,
                context,
                nav_title=nav if number == 1 else None,
                extra=shared,
            )

    def incident_context(self, pm: Postmortem) -> dict[str, Any]:
        factors_by_layer: list[tuple[Layer | None, str, list[FactorEntry]]] = []
        order = {layer.id: i for i, layer in enumerate(self.taxonomy.layers)}
        for layer_id in sorted(pm.layers, key=lambda lid: order.get(lid, len(order))):
            layer = self.taxonomy.layer(layer_id)
            entries = [
                FactorEntry(self.taxonomy.category(f.category), f.category, f.summary, f)
                for f in pm.factors
                if f.layer == layer_id
            ]
            factors_by_layer.append((layer, layer_id, entries))
        harm_types = [(self.taxonomy.harm_type(t), t) for t in (pm.harm.types if pm.harm else ())]
        return {
            "pm": pm,
            "factors_by_layer": factors_by_layer,
            # Shared by every card, not copied into each: a large library's
            # cards are all held at once while search reads the pages.
            "category_pages": self.by_category,
            "harm_types": harm_types,
            # None where a value is missing or only a month: no made-up duration.
            "time_to_detect": _duration(pm.date, pm.detected),
            "time_to_contain": _duration(pm.date, pm.contained),
            "time_to_resolve": _duration(pm.date, pm.resolved),
            "items": [ItemRow(i, pm, _overdue(i, pm, self.today)) for i in pm.action_items],
            "related": [self.link(r) for r in pm.related],
            "cited_by": [self.link(p.id) for p in self.cited_by.get(pm.id, [])],
            "similar": self.similar(pm),
            "layer_titles": self.layer_titles,
            "obligations": self.clocks_by_id.get(pm.id, []),
            "ruled_out": self._with_layers(pm.ruled_out),
            "not_examined": self._with_layers(pm.not_examined),
        }

    def _with_layers(self, notes: Iterable[LayerNote]) -> list[tuple[Layer | None, str, str]]:
        return [(self.taxonomy.layer(n.layer), n.layer, n.reason) for n in notes]

    def search_terms(self, pm: Postmortem) -> list[str]:
        """What an incident should be found by whatever its wording: its id,
        its systems, the titles of its categories and, for a case study, its
        origin (plain text)."""
        titles = [self._category_title(cid) for cid in pm.categories]
        # Material shows an entry's tags on every result of the page, where its
        # text is shown only for some: the one place a reader always sees, first.
        origin = [ORIGIN_LABELS[pm.origin]] if pm.is_external else []
        return [*origin, pm.id, *pm.systems, *titles]

    def charted(self, page: Page | None) -> list[Postmortem] | None:
        """The incidents a page's charts draw, None for a page without
        charts: the whole library's on the home dashboard (`page` None) and
        the layers page, a layer's own on the first page of that layer."""
        if page is None:
            return self.incidents
        if page.template not in ("layers.html", "layer.html"):
            return None
        if page.context.get("page_number", 1) != 1:
            return None
        layer: Layer | None = page.context.get("layer")
        return self.incidents if layer is None else self.by_layer.get(layer.id, [])

    def charts_for(self, page: Page | None, key: str) -> list[Markup]:
        """The charts a page shows (see `charted`), each a figure with its SVG
        and data table. `key` tells one page's charts from another's in
        element ids."""
        incidents = self.charted(page)
        if incidents is None:
            return []
        layer = page.context.get("layer") if page is not None else None
        prefix = "pm-" + "".join(ch if ch.isalnum() else "-" for ch in key)
        made = [
            charts.incidents_per_quarter(incidents, self.taxonomy, prefix + "-q"),
            charts.top_categories(incidents, self.taxonomy, prefix + "-c"),
            charts.severity_mix(incidents, prefix + "-s"),
            charts.time_to_detect_and_resolve(incidents, prefix + "-t"),
        ]
        if layer is None:
            made.append(charts.action_items_by_owner(incidents, self.today, prefix + "-a"))
        # charts.py escapes every value it draws; Markup keeps autoescape from
        # escaping the finished SVG a second time (it would show as text).
        return [Markup(f'<figure class="pm-chart">{ch.svg}{ch.table_html}</figure>') for ch in made]

    def exports(
        self,
        base_url: str | None,
        site_name: str,
        cache: export.ExportCache | None = None,
        directory_urls: bool = True,
        id_url: str | None = None,
    ) -> list[tuple[str, str]]:
        """The files published beside the pages, as (address, text): the
        incidents as JSON and CSV, the Atom feed (absolute links where the
        site's `base_url` is known) and the index the incidents page filters.
        `cache` keeps unchanged incidents' records between serve rebuilds.
        Addresses take the form the site's pages have (`directory_urls`);
        the feed's ids are made from `id_url` where given (see atom_feed)."""
        updated = dt.datetime.combine(self.today, dt.time(), dt.UTC)
        made = [
            ("incidents.json", export.incidents_json(self.incidents, cache, directory_urls)),
            ("incidents.csv", export.incidents_csv(self.incidents, cache, directory_urls)),
            (
                "feed.xml",
                feed.atom_feed(
                    self.incidents,
                    base_url,
                    site_name,
                    updated,
                    directory_urls=directory_urls,
                    id_url=id_url,
                ),
            ),
            ("incidents/index.json", self.index_json(cache, directory_urls)),
            ("incidents/finder.json", export.finder_json(self.incidents, directory_urls)),
        ]
        assert tuple(uri for uri, _ in made) == EXPORTS
        return made

    # --- summaries -----------------------------------------------------------------

    def filters(self) -> dict[str, list[tuple[str, str]]]:
        """The values the incidents index can be filtered by, with labels."""
        used_layers = set(self.by_layer)
        return {
            "severity": [(s, s) for s in SEVERITIES],
            "status": [
                (s, s)
                # Final first: what most readers filter for.
                for s in reversed(STATUSES)
                if any(p.status == s for p in self.incidents)
            ],
            "origin": [
                (o, ORIGIN_LABELS[o]) for o in ORIGINS if any(p.origin == o for p in self.incidents)
            ],
            "layer": [
                (layer.id, layer.title) for layer in self.taxonomy.layers if layer.id in used_layers
            ],
            "category": sorted(
                ((c.id, c.title) for c in self.taxonomy.categories if c.id in self.by_category),
                key=lambda kv: kv[1].casefold(),
            ),
            "system": [(s, s) for s in sorted(self.by_system)],
            "year": [
                (str(y), str(y)) for y in sorted({p.year for p in self.incidents}, reverse=True)
            ],
        }

    def layer_summaries(self) -> list[tuple[Layer, int]]:
        return [(layer, len(self.by_layer.get(layer.id, []))) for layer in self.taxonomy.layers]

    def category_counts(self, layer: Layer) -> list[tuple[Category, int]]:
        return [
            (
                c,
                sum(
                    1
                    for p in self.by_category.get(c.id, [])
                    if any(f.layer == layer.id and f.category == c.id for f in p.factors)
                ),
            )
            for c in layer.categories
        ]

    def system_summaries(self) -> list[tuple[str, int, int]]:
        """(system, incidents, open action items) for each system."""
        return [
            (
                system,
                len(incidents),
                sum(
                    1
                    for p in incidents
                    if not p.is_external
                    for i in p.action_items
                    if not i.is_closed
                ),
            )
            for system, incidents in sorted(self.by_system.items())
        ]

    def uncertain_factors(self, layer: Layer, cat: Category) -> list[tuple[Postmortem, Factor]]:
        """Incidents whose factor of this category is only suspected or alleged,
        newest first: a reader weighing a category's incidents should know
        which of them rest on claims no one verified."""
        return [
            (p, f)
            for p in self.by_category.get(cat.id, [])
            for f in p.factors
            if f.layer == layer.id and f.category == cat.id and f.basis != "established"
        ]

    def items_addressing(self, cat: Category) -> list[ItemRow]:
        return self._items_by_category.get((cat.layer, cat.id), [])[:PAGE_SIZE]

    @cached_property
    def _items_by_category(self) -> dict[tuple[str, str], list[ItemRow]]:
        """Action rows by (item layer, incident category), in one pass: a scan
        of every row per category page was a tenth of a preview rebuild."""
        found: dict[tuple[str, str], list[ItemRow]] = defaultdict(list)
        for r in self.action_rows:
            for category in r.incident.categories:
                found[(r.item.layer, category)].append(r)
        return dict(found)

    def action_summary(self) -> dict[str, Any]:
        own = self.own_action_rows
        by_status = Counter(r.item.status for r in own)
        owners: dict[str, Counter[str]] = defaultdict(Counter)
        for r in own:
            owner = r.item.owner or ""
            owners[owner][r.item.status] += 1
            if r.overdue:
                owners[owner]["overdue"] += 1
        return {
            "by_status": [(s, by_status.get(s, 0)) for s in ACTION_STATUSES],
            "overdue": sum(1 for r in own if r.overdue),
            "external": len(self.action_rows) - len(own),
            "owners": sorted(owners.items(), key=lambda kv: (-kv[1]["overdue"], kv[0])),
            "statuses": ACTION_STATUSES,
        }

    def home_context(self) -> dict[str, Any]:
        severity = Counter(p.severity for p in self.incidents)
        open_rows = [r for r in self.own_action_rows if not r.item.is_closed]
        return {
            "total": len(self.incidents),
            "external": sum(1 for p in self.incidents if p.is_external),
            "ongoing": sum(1 for p in self.incidents if p.is_ongoing),
            "layers": self.layer_summaries(),
            "severities": [(s, severity.get(s, 0)) for s in SEVERITIES],
            "latest": self.incidents[:10],
            "open_items": len(open_rows),
            "overdue_rows": [r for r in open_rows if r.overdue][:10],
            "overdue": sum(1 for r in open_rows if r.overdue),
            "layer_items": [
                (layer, self.item_counts.get(layer.id, [])) for layer in self.taxonomy.layers
            ],
        }

    def index_json(
        self, cache: export.ExportCache | None = None, directory_urls: bool = True
    ) -> str:
        """`incidents/index.json`: the incidents index as data, for filtering
        across listing pages; a JSON list, one row (one object) an incident,
        each row's text kept in `cache` while its incident is unchanged."""
        row = partial(_index_row, directory_urls=directory_urls)
        kind = "index" if directory_urls else "index\0files"
        rows = (cache.get(kind, p, row) if cache is not None else row(p) for p in self.incidents)
        return "[" + ",".join(rows) + "]"


def _index_row(p: Postmortem, directory_urls: bool = True) -> str:
    return json.dumps(
        {
            "id": p.id,
            "title": p.title,
            # For the incidents page's finder, which searches summaries too.
            "summary": p.summary,
            "severity": p.severity,
            "status": p.status,
            "date": p.date.isoformat()[:10],
            "year": str(p.year),
            "systems": list(p.systems),
            "layers": list(p.layers),
            "categories": list(p.categories),
            "url": page_address(incident_url(p.id), directory_urls),
        },
        separators=(",", ":"),
    )
