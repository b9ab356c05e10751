"""Build-time charts: inline SVG plus a data table carrying the same numbers.

Pure functions over the model; nothing here imports MkDocs. The SVG needs no
script, web font or CDN: text uses `currentColor` and series colours are CSS
custom properties with literal fallbacks, so one SVG reads well in both
mkdocs-material palettes and still renders where `CHART_CSS` is missing.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..dates import as_utc, has_day
from ..enums import SEVERITIES
from ..ids import SLUG
from ..model import ActionItem, DateLike, Postmortem
from ..parse.taxonomy import Taxonomy

__all__ = [
    "CHART_CSS",
    "Chart",
    "action_items_by_owner",
    "incidents_per_quarter",
    "severity_mix",
    "time_to_detect_and_resolve",
    "top_categories",
]


@dataclass(frozen=True)
class Chart:
    svg: str
    table_html: str


# (light, slate) pairs. Every light value is also the literal fallback in the
# SVG, so it must hold >= 3:1 against white *and* #1e2129: a page whose theme
# lacks CHART_CSS still gets a readable chart. The slate values are brighter
# because the dark background allows it; tests check both columns.
_SERIES: tuple[tuple[str, str], ...] = (
    ("#4e79a7", "#7aa6dc"),  # blue
    ("#c8660f", "#f5a05a"),  # orange
    ("#2f8f88", "#76c7c0"),  # teal
    ("#a86c9a", "#c99bc0"),  # purple
    ("#4c9a42", "#7cc66f"),  # green
    ("#9a7b00", "#e2c044"),  # gold
    ("#d1474a", "#f07b7d"),  # red
    ("#8f6f5a", "#c4a28b"),  # brown
)
_NAMED: dict[str, tuple[str, str]] = {
    "neutral": ("#7a7f8c", "#a4abb8"),
    "sev1": _SERIES[6],
    "sev2": _SERIES[1],
    "sev3": _SERIES[5],
    "sev4": _SERIES[0],
    "open": _SERIES[0],
    "overdue": _SERIES[6],
    "detect": _SERIES[2],
    "contain": _SERIES[7],
    "resolve": _SERIES[3],
}


def _css_block(selector: str, column: int) -> str:
    props = [f"--pm-series-{i}: {pair[column]};" for i, pair in enumerate(_SERIES, 1)]
    props += [f"--pm-{name}: {pair[column]};" for name, pair in _NAMED.items()]
    return selector + " {\n  " + "\n  ".join(props) + "\n}\n"


_SLATE = '[data-md-color-scheme="slate"]'
CHART_CSS: str = (
    _css_block(".pm-chart,\n.pm-chart-svg", 0)
    # Screen only: paper is white, so a page printed from slate keeps the light palette.
    + "@media screen {\n"
    + _css_block(f"{_SLATE} .pm-chart,\n{_SLATE} .pm-chart-svg", 1)
    + "}\n"
    # mkdocs-material shrinks a typeset <figure> to its content (collapsing a
    # 100%-wide SVG) and caps svg widths; .md-typeset selectors outrank both.
    + """.pm-chart,
.md-typeset .pm-chart {
  display: block;
  width: 100%;
  max-width: none;
  margin: 1em 0;
  text-align: start;
}
.pm-chart-svg,
.md-typeset .pm-chart-svg {
  display: block;
  width: 100%;
  max-width: 42rem;
  height: auto;
}
.pm-chart-data summary {
  cursor: pointer;
}
.pm-chart-data table {
  font-variant-numeric: tabular-nums;
}
"""
)

_MAX_QUARTERS = 16
_MAX_OWNERS = 12
# aria-labelledby is a space-separated id list, so an id must not hold whitespace.
_ID_PREFIX = re.compile(r"^\S+$")
# XML 1.0 forbids these even as character references; one in a title would
# make the SVG (and any feed reusing this helper) unparseable.
_XML_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def strip_xml_forbidden(text: str) -> str:
    """Drop the characters XML 1.0 cannot carry (most C0 controls, U+FFFE...)."""
    return _XML_FORBIDDEN.sub("", text)


def _esc(text: str) -> str:
    return html.escape(strip_xml_forbidden(text), quote=True)


def _paint(var: str, fallback: str, override: str | None = None) -> str:
    """A fill value: an optional site override, then the palette property, then a literal."""
    inner = f"var({var}, {fallback})"
    return f"var({override}, {inner})" if override else inner


def _named_paint(name: str) -> str:
    return _paint(f"--pm-{name}", _NAMED[name][0])


def _layer_paint(layer_id: str, index: int) -> str:
    i = index % len(_SERIES)
    # Sites may colour a layer of their own taxonomy with --pm-layer-<id>.
    override = f"--pm-layer-{layer_id}" if SLUG.match(layer_id) else None
    return _paint(f"--pm-series-{i + 1}", _SERIES[i][0], override)


def _at(index: int, size: int, value: float) -> tuple[float, ...]:
    """Row values for a bar drawn in one series only."""
    return tuple(float(value) if j == index else 0.0 for j in range(size))


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


# --- drawing ---------------------------------------------------------------

_WIDTH = 640
_FONT = 12
_CHAR_W = 6.6  # average advance of a 12px sans-serif glyph; labels are sized by it
_ROW_H = 22
_BAR_H = 14
_PAD = 8


@dataclass(frozen=True)
class _Series:
    label: str
    paint: str


@dataclass(frozen=True)
class _Row:
    label: str
    values: tuple[float, ...]  # one per series, drawn stacked left to right
    note: str  # printed after the bar, so no number lives in colour alone


def _fit(text: str, width: float) -> str:
    room = max(int(width / _CHAR_W), 4)
    return text if len(text) <= room else text[: room - 1] + "\u2026"


def _svg(id_prefix: str, title: str, desc: str, height: float, body: Iterable[str]) -> str:
    if not _ID_PREFIX.match(id_prefix):
        raise ValueError(f"id_prefix must be non-empty and without whitespace: {id_prefix!r}")
    pid = _esc(id_prefix)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="pm-chart-svg" role="img"'
        f' aria-labelledby="{pid}-title {pid}-desc"'
        f' viewBox="0 0 {_WIDTH} {_num(height)}" font-size="{_FONT}">'
        f'<title id="{pid}-title">{_esc(title)}</title>'
        f'<desc id="{pid}-desc">{_esc(desc)}</desc>' + "".join(body) + "</svg>"
    )


def _legend(series: Sequence[_Series]) -> tuple[list[str], float]:
    """Legend items laid out left to right, wrapping; returns parts and height."""
    parts: list[str] = []
    x, y = float(_PAD), float(_PAD)
    for s in series:
        label = _fit(s.label, _WIDTH / 3)
        width = 16 + len(label) * _CHAR_W + 16
        if x > _PAD and x + width > _WIDTH - _PAD:
            x, y = float(_PAD), y + _ROW_H - 4
        parts.append(
            f'<rect x="{_num(x)}" y="{_num(y + 2)}" width="10" height="10"'
            f' fill="{s.paint}"/>'
            f'<text x="{_num(x + 14)}" y="{_num(y + 11)}" fill="currentColor">'
            f"{_esc(label)}</text>"
        )
        x += width
    return parts, (y + _ROW_H if series else 0)


def _bar_chart(
    id_prefix: str,
    title: str,
    desc: str,
    series: Sequence[_Series],
    rows: Sequence[_Row],
    legend: bool = True,
) -> str:
    """Horizontal stacked bars, one row each, scaled to the largest row total."""
    parts, top = _legend(series) if legend else ([], 0.0)
    top += _PAD
    label_w = min(max(len(r.label) for r in rows) * _CHAR_W, 200.0) + _PAD
    note_w = min(max(len(r.note) for r in rows) * _CHAR_W, 220.0) + _PAD
    x0 = _PAD + label_w
    plot_w = _WIDTH - x0 - note_w - _PAD
    scale = plot_w / max(max(sum(r.values) for r in rows), 1e-9)
    for i, row in enumerate(rows):
        y = top + i * _ROW_H
        mid = y + _ROW_H / 2 + _FONT / 3
        parts.append(
            f'<text x="{_num(x0 - _PAD)}" y="{_num(mid)}" text-anchor="end"'
            f' fill="currentColor">{_esc(_fit(row.label, label_w))}</text>'
        )
        x = x0
        for s, value in zip(series, row.values, strict=True):
            if value <= 0:
                continue
            w = value * scale
            parts.append(
                f'<rect x="{_num(x)}" y="{_num(y + (_ROW_H - _BAR_H) / 2)}"'
                f' width="{_num(w)}" height="{_BAR_H}" fill="{s.paint}"/>'
            )
            x += w
        parts.append(
            f'<text x="{_num(x + 4)}" y="{_num(mid)}" fill="currentColor">{_esc(row.note)}</text>'
        )
    bottom = top + len(rows) * _ROW_H
    parts.append(
        f'<line x1="{_num(x0)}" y1="{_num(top)}" x2="{_num(x0)}" y2="{_num(bottom)}"'
        ' stroke="currentColor" stroke-opacity="0.5"/>'
    )
    return _svg(id_prefix, title, desc, bottom + _PAD, parts)


def _table(
    title: str, caption: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> str:
    head = "".join(f'<th scope="col">{_esc(h)}</th>' for h in header)
    body = "".join(
        f'<tr><th scope="row">{_esc(str(r[0]))}</th>'
        + "".join(f"<td>{_esc(str(c))}</td>" for c in r[1:])
        + "</tr>"
        for r in rows
    )
    return (
        f'<details class="pm-chart-data"><summary>Data: {_esc(title)}</summary>'
        f"<table><caption>{_esc(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table></details>"
    )


def _empty(id_prefix: str, title: str) -> Chart:
    svg = _svg(
        id_prefix,
        title,
        "No data yet.",
        40,
        ['<text x="8" y="26" fill="currentColor">No data yet</text>'],
    )
    return Chart(svg, "")


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one}" if n == 1 else f"{n} {many or one + 's'}"


# --- the charts --------------------------------------------------------------


def _shown(postmortems: Iterable[Postmortem]) -> list[Postmortem]:
    # Callers pass published postmortems only; should a restricted one slip
    # through, it must not surface as an owner, a category or even a count.
    return [p for p in postmortems if not p.is_restricted]


def _layer_series(taxonomy: Taxonomy, used: Iterable[str]) -> dict[str, _Series]:
    """Series for the layers in use, taxonomy order first so colours stay put."""
    known = [layer.id for layer in taxonomy.layers]
    ids = known + sorted(set(used) - set(known))
    titles = {layer.id: layer.title for layer in taxonomy.layers}
    wanted = set(used)
    return {
        layer_id: _Series(titles.get(layer_id, layer_id), _layer_paint(layer_id, i))
        for i, layer_id in enumerate(ids)
        if layer_id in wanted
    }


def incidents_per_quarter(
    postmortems: Sequence[Postmortem], taxonomy: Taxonomy, id_prefix: str
) -> Chart:
    """Stacked bars of incidents per calendar quarter (UTC), split by factor layer."""
    title = "Incidents per quarter"
    postmortems = _shown(postmortems)
    if not postmortems:
        return _empty(id_prefix, title)

    def quarter(p: Postmortem) -> int:
        d = as_utc(p.date)
        return d.year * 4 + (d.month - 1) // 3

    by_quarter: dict[int, list[Postmortem]] = {}
    for p in postmortems:
        by_quarter.setdefault(quarter(p), []).append(p)
    last = max(by_quarter)
    first = max(min(by_quarter), last - _MAX_QUARTERS + 1)
    quarters = range(first, last + 1)
    hidden = sum(len(ps) for q, ps in by_quarter.items() if q < first)
    shown = [p for q in quarters for p in by_quarter.get(q, [])]

    unclassified = "\x00none"  # cannot clash with a layer id, which is a slug
    series = _layer_series(taxonomy, {layer for p in shown for layer in p.layers})
    if any(not p.factors for p in shown):
        series[unclassified] = _Series("No factors recorded", _named_paint("neutral"))
    keys = list(series)

    def label(q: int) -> str:
        return f"{q // 4} Q{q % 4 + 1}"

    counts: list[tuple[str, int, list[int]]] = []
    for q in quarters:
        ps = by_quarter.get(q, [])
        per_layer = Counter(layer for p in ps for layer in (p.layers or (unclassified,)))
        counts.append((label(q), len(ps), [per_layer[k] for k in keys]))

    desc = (
        f"Incidents per quarter from {label(first)} to {label(last)}, stacked by factor "
        "layer. An incident counts once in each layer it has factors on, so a bar can be "
        "longer than its incident total."
    )
    if hidden:
        desc += (
            f" Only the last {_MAX_QUARTERS} quarters are shown;"
            f" {_plural(hidden, 'earlier incident')} left out."
        )
    svg = _bar_chart(
        id_prefix,
        title,
        desc,
        list(series.values()),
        [_Row(name, tuple(map(float, vals)), str(total)) for name, total, vals in counts],
    )
    table = _table(
        title,
        desc,
        ["Quarter", "Incidents", *(s.label for s in series.values())],
        [(name, total, *vals) for name, total, vals in counts],
    )
    return Chart(svg, table)


def top_categories(
    postmortems: Sequence[Postmortem], taxonomy: Taxonomy, id_prefix: str, limit: int = 10
) -> Chart:
    """Horizontal bars of the factor categories named by most incidents."""
    title = "Most frequent factor categories"
    postmortems = _shown(postmortems)
    counts: Counter[tuple[str, str]] = Counter()
    for p in postmortems:
        # A category found under two layers by mistake still counts once per incident.
        counts.update({(f.layer, f.category) for f in p.factors})
    if not counts or limit < 1:
        return _empty(id_prefix, title)

    def category_title(key: tuple[str, str]) -> str:
        cat = taxonomy.category(key[1])
        return cat.title if cat else key[1]

    ranked = sorted(counts, key=lambda k: (-counts[k], category_title(k), k))[:limit]
    series = _layer_series(taxonomy, {layer for layer, _ in ranked})
    keys = list(series)
    rows = [
        _Row(
            category_title(k),
            _at(keys.index(k[0]), len(keys), counts[k]),
            str(counts[k]),
        )
        for k in ranked
    ]
    shown = _plural(len(ranked), "factor category", "factor categories")
    desc = (
        f"The {shown} named by the most incidents, coloured by layer;"
        " an incident counts once per category."
    )
    if len(counts) > len(ranked):
        desc += (
            f" {_plural(len(counts) - len(ranked), 'rarer category', 'rarer categories')} left out."
        )
    svg = _bar_chart(id_prefix, title, desc, list(series.values()), rows)
    table = _table(
        title,
        desc,
        ["Category", "Layer", "Incidents"],
        [(category_title(k), series[k[0]].label, counts[k]) for k in ranked],
    )
    return Chart(svg, table)


def severity_mix(postmortems: Sequence[Postmortem], id_prefix: str) -> Chart:
    """One bar per severity, SEV1 (worst) first, zeros included for a stable shape."""
    title = "Incidents by severity"
    postmortems = _shown(postmortems)
    counts = Counter(p.severity for p in postmortems)
    total = sum(counts[s] for s in SEVERITIES)
    if not total:
        return _empty(id_prefix, title)
    series = [_Series(s, _named_paint(s.lower())) for s in SEVERITIES]
    values = [counts[s] for s in SEVERITIES]
    desc = f"Number of incidents per severity, {total} in all; SEV1 is the worst."
    svg = _bar_chart(
        id_prefix,
        title,
        desc,
        series,
        [
            _Row(sev, _at(i, len(series), n), str(n))
            for i, (sev, n) in enumerate(zip(SEVERITIES, values, strict=True))
        ],
        legend=False,
    )
    table = _table(title, desc, ["Severity", "Incidents"], zip(SEVERITIES, values, strict=True))
    return Chart(svg, table)


def _span_hours(start: DateLike | None, end: DateLike | None) -> float | None:
    # A month-only date would make its first day into a duration nobody measured.
    if start is None or end is None or not has_day(start) or not has_day(end):
        return None
    hours = (as_utc(end) - as_utc(start)).total_seconds() / 3600
    # Inverted dates are a lint error; a chart must not draw them as negative bars.
    return hours if hours >= 0 else None


def time_to_detect_and_resolve(postmortems: Sequence[Postmortem], id_prefix: str) -> Chart:
    """Median (and max) time from start to detection, detection to containment
    (where recorded) and detection to resolution, per severity, of our own
    incidents: an external case study's dates are another organisation's."""
    title = "Time to detect and resolve"
    shown = _shown(postmortems)
    postmortems = [p for p in shown if not p.is_external]
    external = len(shown) - len(postmortems)
    contained = any(p.contained is not None for p in postmortems)
    measures = (
        (("detect", "to detect"),)
        + ((("contain", "to contain"),) if contained else ())
        + (("resolve", "to resolve"),)
    )
    samples: dict[tuple[str, str], list[float]] = {}
    skipped = dict.fromkeys((name for name, _ in measures), 0)
    for p in postmortems:
        spans = {
            "detect": _span_hours(p.date, p.detected),
            "resolve": _span_hours(p.detected, p.resolved),
        }
        if contained:
            spans["contain"] = _span_hours(p.detected, p.contained)
        for name, hours in spans.items():
            if hours is None:
                skipped[name] += 1
            else:
                samples.setdefault((p.severity, name), []).append(hours)
    if not samples:
        return _empty(id_prefix, title)

    longest = max(h for hs in samples.values() for h in hs)
    # Short incidents read better in hours; one unit per chart keeps bars comparable.
    unit, per = ("h", 1.0) if longest < 48 else ("d", 24.0)
    unit_word = "hours" if unit == "h" else "days"
    table_rows: list[tuple[str, str, int, str, str]] = []
    rows: list[_Row] = []
    # Unknown severities are a lint error; sorting keeps them visible and last.
    for sev in sorted({sev for sev, _ in samples}, key=lambda s: (s not in SEVERITIES, s)):
        for i, (name, words) in enumerate(measures):
            hs = samples.get((sev, name))
            if not hs:
                continue
            median, top = statistics.median(hs) / per, max(hs) / per
            note = f"median {_num(median)} {unit}, max {_num(top)} {unit}, n={len(hs)}"
            rows.append(_Row(f"{sev} {words}", _at(i, len(measures), median), note))
            table_rows.append((sev, words, len(hs), _num(median), _num(top)))

    desc = (
        f"Median time in {unit_word} from the incident's start to its detection, and from "
        f"detection to {'containment and to ' if contained else ''}resolution, per severity; "
        "each bar is the median, the text gives the maximum and the number of incidents."
    )
    if any(skipped.values()):
        # Ongoing incidents (final, not resolved) are among those without a resolution.
        desc += (
            " Left out for missing, month-only or inconsistent dates, or still ongoing:"
            + "".join(
                f" {_plural(skipped[name], 'incident')} from time {words},"
                for name, words in measures[:-1]
            )
            + f" {_plural(skipped['resolve'], 'incident')} from time to resolve."
        )
    if external:
        studies = _plural(external, "external case study", "external case studies")
        desc += f" Left out as not our own incidents: {studies}."
    series = [_Series(f"Time {words}", _named_paint(name)) for name, words in measures]
    svg = _bar_chart(id_prefix, title, desc, series, rows)
    table = _table(
        title,
        desc,
        ["Severity", "Measure", "Incidents", f"Median ({unit_word})", f"Max ({unit_word})"],
        table_rows,
    )
    return Chart(svg, table)


def action_items_by_owner(
    postmortems: Sequence[Postmortem], today: dt.date, id_prefix: str
) -> Chart:
    """Open action items per owner, overdue ones (due before today) stacked separately."""
    title = "Open action items by owner"
    # A case study's items are the other organisation's, not ours to track.
    postmortems = [p for p in _shown(postmortems) if not p.is_external]
    open_items: Counter[str] = Counter()
    overdue: Counter[str] = Counter()
    items: list[ActionItem] = [a for p in postmortems for a in p.action_items if not a.is_closed]
    for a in items:
        (overdue if a.is_overdue(today) else open_items)[a.owner or "no owner"] += 1
    owners = sorted(
        set(open_items) | set(overdue), key=lambda o: (-(open_items[o] + overdue[o]), o)
    )
    if not owners:
        return _empty(id_prefix, title)

    counts = [(o, open_items[o], overdue[o]) for o in owners[:_MAX_OWNERS]]
    rest = owners[_MAX_OWNERS:]
    desc = (
        f"Open action items per owner as of {today.isoformat()}: {len(items)} in all, "
        f"{sum(overdue.values())} overdue. Done and won't-do items are not counted."
    )
    if rest:
        # One row for the long tail keeps the SVG bounded however many teams own items.
        counts.append(
            (
                f"{len(rest)} other owners",
                sum(open_items[o] for o in rest),
                sum(overdue[o] for o in rest),
            )
        )
        desc += f" The {_MAX_OWNERS} owners with most items are shown; the rest are summed."
    series = [_Series("Open", _named_paint("open")), _Series("Overdue", _named_paint("overdue"))]
    rows = [
        _Row(owner, (float(n_open), float(n_late)), f"{n_open} open, {n_late} overdue")
        for owner, n_open, n_late in counts
    ]
    svg = _bar_chart(id_prefix, title, desc, series, rows)
    table = _table(title, desc, ["Owner", "Open", "Overdue"], counts)
    return Chart(svg, table)
