"""What each generated page shows, to tell when a rebuild may leave it as it
was (`mkdocs serve --dirty`): a listing whose rows did not change would only
be rendered again to the same HTML, and at 1,000 incidents those pages are
most of a rebuild.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model import Postmortem
from .site import ItemRow, Page, SiteModel


def shows_same(old: Any, new: Any, items_by_id: bool = False) -> bool:
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
    if isinstance(new, ItemRow):
        if not isinstance(old, ItemRow) or (old.item, old.overdue) != (new.item, new.overdue):
            return False
        if items_by_id:
            return bool(old.incident.id == new.incident.id)
        return bool(old.incident.data == new.incident.data)
    if isinstance(new, list | tuple):
        return (
            isinstance(old, list | tuple)
            and len(old) == len(new)
            and all(shows_same(a, b, items_by_id) for a, b in zip(old, new, strict=True))
        )
    if isinstance(new, dict):
        return (
            isinstance(old, dict)
            and old.keys() == new.keys()
            and all(shows_same(old[k], v, items_by_id) for k, v in new.items())
        )
    return False


class ChartInputs:
    """The incidents a page's charts draw, equal to another's when the charts
    draw the same of each: an incident left as it was is the same object,
    so only an edited one is taken apart."""

    def __init__(self, incidents: list[Postmortem]) -> None:
        self.incidents = incidents

    @staticmethod
    def drawn(p: Postmortem) -> tuple[object, ...]:
        return (p.date, p.severity, p.factors, p.detected, p.resolved, p.action_items)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ChartInputs):
            return NotImplemented
        mine, theirs = self.incidents, other.incidents
        return len(mine) == len(theirs) and all(
            a is b or self.drawn(a) == self.drawn(b) for a, b in zip(mine, theirs, strict=True)
        )

    __hash__ = None  # type: ignore[assignment]


def dashboard_shows(site: SiteModel) -> object:
    """What the home page's dashboard shows."""
    return (site.home_context(), ChartInputs(site.incidents))


def pages_show(
    site: SiteModel, generated: Mapping[str, Page], home_uri: str | None
) -> dict[str, object]:
    """What each generated page (by source path) shows: its title, template,
    address and context, and the incidents its charts draw."""
    shown: dict[str, object] = {}
    for src_uri, page in generated.items():
        data: object = (page.title, page.template, page.url, page.context)
        if src_uri == home_uri:
            data = (data, dashboard_shows(site))
        else:
            charted = site.charted(page)
            if charted is not None:
                data = (data, ChartInputs(charted))
        shown[src_uri] = data
    return shown
