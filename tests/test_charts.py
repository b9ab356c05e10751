"""Build-time charts: accessible SVG, right numbers, escaped text, same bytes."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from mkdocs_postmortems.model import ActionItem, DateLike, Factor, Postmortem
from mkdocs_postmortems.parse.taxonomy import Category, Layer, Taxonomy
from mkdocs_postmortems.web.charts import (
    CHART_CSS,
    Chart,
    action_items_by_owner,
    incidents_per_quarter,
    severity_mix,
    time_to_detect_and_resolve,
    top_categories,
)

SVG = "{http://www.w3.org/2000/svg}"
SCRIPT = "<script>alert(1)</script>"
ONERROR = '"><img src=x onerror=alert(1)>'
TODAY = dt.date(2025, 6, 1)

TAXONOMY = Taxonomy(
    layers=(
        Layer(
            "model",
            "Model",
            categories=(
                Category("hallucination", "Hallucination", "model"),
                Category("prompt-injection", "Prompt injection", "model"),
            ),
        ),
        Layer("data", "Data", categories=(Category("data-drift", "Data drift", "data"),)),
        Layer("process", ONERROR, categories=(Category("evil", SCRIPT, "process"),)),
    )
)


def postmortem(
    n: int = 1,
    date: DateLike = dt.date(2024, 1, 10),
    factors: Sequence[tuple[str, str]] = (("model", "hallucination"),),
    items: Sequence[tuple[str, dt.date, str]] = (),
    **fields: Any,
) -> Postmortem:
    """A valid postmortem; `factors` are (layer, category), `items` (owner, due, status)."""
    values: dict[str, Any] = {
        "id": f"INC-{date.year}-{n:03d}",
        "title": f"Incident {n}",
        "status": "final",
        "severity": "SEV2",
        "date": date,
        "summary": "What happened.",
        "systems": ("support-assistant",),
        "src_path": f"postmortems/INC-{date.year}-{n:03d}.md",
        "body": "",
        "body_line": 1,
        "factors": tuple(Factor(layer, cat, "why") for layer, cat in factors),
        "action_items": tuple(
            ActionItem(f"Item {i}", "model", "prevent", owner, due, status)
            for i, (owner, due, status) in enumerate(items)
        ),
    }
    values.update(fields)
    return Postmortem(**values)


def rows(chart: Chart) -> list[list[str]]:
    """The data table's body as text cells."""
    table = ET.fromstring(chart.table_html)
    return [[cell.text or "" for cell in tr] for tr in table.iter("tr")][1:]


def svg_root(chart: Chart) -> ET.Element:
    return ET.fromstring(chart.svg)


def desc(chart: Chart) -> str:
    return svg_root(chart).findtext(f"{SVG}desc") or ""


def every_chart(postmortems: list[Postmortem], prefix: str = "c") -> list[Chart]:
    return [
        incidents_per_quarter(postmortems, TAXONOMY, prefix + "1"),
        top_categories(postmortems, TAXONOMY, prefix + "2"),
        severity_mix(postmortems, prefix + "3"),
        time_to_detect_and_resolve(postmortems, prefix + "4"),
        action_items_by_owner(postmortems, TODAY, prefix + "5"),
    ]


def library() -> list[Postmortem]:
    return [
        postmortem(
            1,
            dt.date(2024, 1, 5),
            detected=dt.date(2024, 1, 6),
            resolved=dt.date(2024, 1, 9),
            items=[("ml-team", dt.date(2025, 1, 1), "open"), (SCRIPT, TODAY, "in-progress")],
        ),
        postmortem(
            2,
            dt.date(2024, 2, 5),
            factors=[("model", "hallucination"), ("data", "data-drift")],
            severity="SEV1",
            items=[("ml-team", dt.date(2024, 1, 1), "done")],
        ),
        postmortem(3, dt.datetime(2024, 3, 31, 23, 0), factors=[("process", "evil")]),
        postmortem(4, dt.date(2024, 8, 5), severity="SEV3", factors=()),
    ]


ChartFn = Callable[[list[Postmortem]], Chart]
CHART_FNS: dict[str, ChartFn] = {
    "quarter": lambda ps: incidents_per_quarter(ps, TAXONOMY, "q"),
    "categories": lambda ps: top_categories(ps, TAXONOMY, "c"),
    "severity": lambda ps: severity_mix(ps, "s"),
    "time": lambda ps: time_to_detect_and_resolve(ps, "t"),
    "owners": lambda ps: action_items_by_owner(ps, TODAY, "o"),
}


@pytest.mark.parametrize("data", [library(), []], ids=["data", "empty"])
@pytest.mark.parametrize("name", list(CHART_FNS))
def test_chart_is_labelled_svg(name: str, data: list[Postmortem]) -> None:
    """Every chart, empty or not, is an SVG with role=img labelled by its own title and desc."""
    chart = CHART_FNS[name](data)
    root = svg_root(chart)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title, description = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text
    assert description is not None and description.text
    assert root.get("aria-labelledby") == f"{title.get('id')} {description.get('id')}"
    assert title.get("id", "").startswith(name[0] + "-")
    assert "<script" not in chart.svg and "http" not in chart.svg.replace(SVG[1:-1], "")


@pytest.mark.parametrize("name", list(CHART_FNS))
def test_empty_input_says_no_data(name: str) -> None:
    """With nothing to count, a chart says 'No data yet' rather than drawing empty axes."""
    chart = CHART_FNS[name]([])
    assert "No data yet" in "".join(svg_root(chart).itertext())
    assert "<rect" not in chart.svg


def test_quarters_between_incidents_show_as_zero() -> None:
    """Three incidents in 2024 Q1 and one in Q3 give Q1=3, Q2=0, Q3=1."""
    ps = [postmortem(i, dt.date(2024, m, 10)) for i, m in enumerate((1, 2, 3, 8), 1)]
    chart = incidents_per_quarter(ps, TAXONOMY, "q")
    assert [r[:2] for r in rows(chart)] == [["2024 Q1", "3"], ["2024 Q2", "0"], ["2024 Q3", "1"]]


def test_quarter_counts_an_incident_once_per_layer() -> None:
    """Two model factors count once in Model; a second layer adds one there, not to the total."""
    ps = [
        postmortem(1, factors=[("model", "hallucination"), ("model", "prompt-injection")]),
        postmortem(2, factors=[("model", "hallucination"), ("data", "data-drift")]),
        postmortem(3, factors=()),
    ]
    chart = incidents_per_quarter(ps, TAXONOMY, "q")
    header = [th.text for th in ET.fromstring(chart.table_html).iter("th")][:5]
    assert header == ["Quarter", "Incidents", "Model", "Data", "No factors recorded"]
    assert rows(chart) == [["2024 Q1", "3", "2", "1", "1"]]
    assert "counts once in each layer" in desc(chart)


def test_quarter_uses_utc_for_aware_and_naive_times() -> None:
    """An aware time just after midnight at +02:00 belongs to the previous UTC quarter."""
    aware = dt.datetime(2024, 4, 1, 1, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    ps = [postmortem(1, aware), postmortem(2, dt.datetime(2024, 4, 1, 0, 30))]
    assert [r[:2] for r in rows(incidents_per_quarter(ps, TAXONOMY, "q"))] == [
        ["2024 Q1", "1"],
        ["2024 Q2", "1"],
    ]


def test_quarters_are_capped_at_sixteen() -> None:
    """Twenty quarters of incidents show the last sixteen, and the desc says what was left out."""
    ps = [postmortem(i, dt.date(2020 + i // 4, 3 * (i % 4) + 1, 1)) for i in range(20)]
    chart = incidents_per_quarter(ps, TAXONOMY, "q")
    labels = [r[0] for r in rows(chart)]
    assert len(labels) == 16
    assert (labels[0], labels[-1]) == ("2021 Q1", "2024 Q4")
    assert "last 16 quarters" in desc(chart) and "4 earlier incidents" in desc(chart)
    assert len(chart.svg) < 8000


def test_top_categories_ranks_by_incidents_and_colours_by_layer() -> None:
    """Categories are ranked by incidents (once per incident), cut at limit, filled by layer."""
    ps = [
        postmortem(1, factors=[("model", "hallucination"), ("model", "hallucination")]),
        postmortem(2, factors=[("model", "hallucination"), ("data", "data-drift")]),
        postmortem(3, factors=[("data", "data-drift"), ("model", "prompt-injection")]),
        postmortem(4, factors=[("data", "data-drift")]),
    ]
    chart = top_categories(ps, TAXONOMY, "c", limit=2)
    assert rows(chart) == [["Data drift", "Data", "3"], ["Hallucination", "Model", "2"]]
    assert "1 rarer category left out" in desc(chart)
    fills = [r.get("fill", "") for r in svg_root(chart).iter(f"{SVG}rect")]
    # Two legend swatches, then the two bars in rank order.
    assert "--pm-layer-data" in fills[2] and "--pm-layer-model" in fills[3]


def test_severity_mix_counts_every_level() -> None:
    """Severity counts come out SEV1..SEV4 in order, with zeros kept."""
    ps = [postmortem(1, severity="SEV3"), postmortem(2, severity="SEV1"), postmortem(3)]
    ps.append(postmortem(4, severity="SEV3"))
    assert rows(severity_mix(ps, "s")) == [
        ["SEV1", "1"],
        ["SEV2", "1"],
        ["SEV3", "2"],
        ["SEV4", "0"],
    ]


def test_time_to_detect_and_resolve_medians_and_skips() -> None:
    """Medians and maxima per severity in days; incidents lacking dates are counted as left out."""
    utc = dt.UTC
    ps = [
        postmortem(
            1, dt.date(2024, 1, 1), detected=dt.date(2024, 1, 2), resolved=dt.date(2024, 1, 5)
        ),
        postmortem(
            2,
            dt.datetime(2024, 1, 1, 0, 0),
            detected=dt.datetime(2024, 1, 4, 0, 0, tzinfo=utc),
            resolved=dt.datetime(2024, 1, 5, 0, 0, tzinfo=utc),
        ),
        postmortem(3, dt.date(2024, 1, 1), detected=dt.date(2024, 1, 6)),
        postmortem(4, dt.date(2024, 1, 1), severity="SEV1"),
    ]
    chart = time_to_detect_and_resolve(ps, "t")
    assert rows(chart) == [
        ["SEV2", "to detect", "3", "3", "5"],
        ["SEV2", "to resolve", "2", "2", "3"],
    ]
    text = desc(chart)
    assert "1 incident from time to detect" in text
    assert "2 incidents from time to resolve" in text


def test_time_chart_switches_to_hours_when_short() -> None:
    """When every span is under two days, the chart reports hours."""
    start = dt.datetime(2024, 1, 1, 8, 0, tzinfo=dt.UTC)
    p = postmortem(
        1, start, detected=start + dt.timedelta(hours=2), resolved=start + dt.timedelta(hours=5)
    )
    chart = time_to_detect_and_resolve([p], "t")
    assert rows(chart) == [
        ["SEV2", "to detect", "1", "2", "2"],
        ["SEV2", "to resolve", "1", "3", "3"],
    ]
    assert "Median (hours)" in chart.table_html


def test_action_items_split_open_and_overdue() -> None:
    """Open items due before today are overdue; due today is not; done and wont-do are left out."""
    p = postmortem(
        1,
        items=[
            ("ml", TODAY - dt.timedelta(days=1), "open"),
            ("ml", TODAY, "in-progress"),
            ("ml", TODAY - dt.timedelta(days=9), "in-progress"),
            ("ml", TODAY - dt.timedelta(days=9), "done"),
            ("ops", TODAY + dt.timedelta(days=9), "open"),
            ("legal", TODAY - dt.timedelta(days=9), "wont-do"),
        ],
    )
    assert rows(action_items_by_owner([p], TODAY, "o")) == [["ml", "1", "2"], ["ops", "1", "0"]]


def test_action_items_cap_owners() -> None:
    """More than twelve owners: the twelve busiest are shown, the rest summed in one row."""
    owners = [(f"team-{i:02d}", TODAY, "open") for i in range(15)] + [("busy", TODAY, "open")] * 2
    chart = action_items_by_owner([postmortem(1, items=owners)], TODAY, "o")
    table = rows(chart)
    assert len(table) == 13
    assert table[0] == ["busy", "2", "0"]
    assert table[-1] == ["4 other owners", "4", "0"]


def test_hostile_text_is_escaped() -> None:
    """Markup in category titles, layer titles and owners reaches the HTML only escaped."""
    charts = every_chart(library())
    out = "".join(c.svg + c.table_html for c in charts)
    assert SCRIPT not in out and ONERROR not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in out
    texts = {t for c in charts for t in svg_root(c).itertext()}
    assert {SCRIPT, ONERROR} <= texts


def test_control_characters_do_not_break_the_svg() -> None:
    """A control character in a title is dropped so the SVG stays well-formed XML."""
    taxonomy = Taxonomy(
        (Layer("model", "Mo\x00del\x1b", categories=(Category("x", "X\x0b", "model"),)),)
    )
    p = postmortem(1, factors=[("model", "x")])
    for chart in (incidents_per_quarter([p], taxonomy, "q"), top_categories([p], taxonomy, "c")):
        assert "Model" in "".join(svg_root(chart).itertext())
        ET.fromstring(chart.table_html)


def test_output_is_deterministic() -> None:
    """The same postmortems in any order give the same bytes."""
    first = every_chart(library())
    again = every_chart(list(reversed(library())))
    assert [(c.svg, c.table_html) for c in first] == [(c.svg, c.table_html) for c in again]


def test_restricted_postmortems_are_not_counted() -> None:
    """A restricted postmortem slipping through leaves no owner, category or count behind."""
    secret = postmortem(
        9,
        factors=[("process", "evil")],
        items=[("secret-team", TODAY, "open")],
        visibility="restricted",
    )
    plain = every_chart(library(), "a")
    mixed = every_chart([*library(), secret], "a")
    assert [c.svg for c in plain] == [c.svg for c in mixed]
    assert "secret-team" not in "".join(c.table_html for c in mixed)


def test_ids_follow_the_prefix() -> None:
    """Each chart's ids start with its prefix, so two charts on a page never share one."""
    one, two = severity_mix(library(), "pm-home-s"), severity_mix(library(), "pm-layer-s")
    ids_one = {e.get("id") for e in svg_root(one).iter() if e.get("id")}
    ids_two = {e.get("id") for e in svg_root(two).iter() if e.get("id")}
    assert ids_one == {"pm-home-s-title", "pm-home-s-desc"}
    assert not ids_one & ids_two
    with pytest.raises(ValueError):
        severity_mix(library(), "two words")


def test_charts_stay_small() -> None:
    """Hundreds of incidents and owners still give SVGs of a few kilobytes."""
    ps = [
        postmortem(
            i,
            dt.date(2000 + i % 25, i % 12 + 1, 1),
            detected=dt.date(2000 + i % 25, i % 12 + 1, 2),
            severity=f"SEV{i % 4 + 1}",
            items=[(f"owner-{i}", TODAY, "open")],
        )
        for i in range(300)
    ]
    for chart in every_chart(ps):
        assert len(chart.svg) < 8000, chart.svg[:200]


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


WHITE, SLATE = "#ffffff", "#1e2129"


def test_palette_contrast_in_both_schemes() -> None:
    """Light colours (also the SVG fallbacks) hold 3:1 on white and slate; slate ones on slate."""
    light_block, slate_block = CHART_CSS.split("@media screen", 1)
    light = re.findall(r"#[0-9a-f]{6}", light_block)
    slate = re.findall(r"#[0-9a-f]{6}", slate_block)
    assert len(light) >= 4 and len(slate) == len(light)
    for colour in light:
        assert _contrast(colour, WHITE) >= 3 and _contrast(colour, SLATE) >= 3, colour
    for colour in slate:
        assert _contrast(colour, SLATE) >= 3, colour
    fallbacks = set(re.findall(r"#[0-9a-f]{6}", "".join(c.svg for c in every_chart(library()))))
    assert fallbacks and fallbacks <= set(light)
