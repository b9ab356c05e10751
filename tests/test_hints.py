"""Related-incident hints: who gets one, about what, where, and at what cost."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import postmortem_text
from mkdocs_postmortems.adapters.cli import cli
from mkdocs_postmortems.check.hints import related_hints
from mkdocs_postmortems.check.library import load_library
from mkdocs_postmortems.model import Factor, Postmortem, Severity
from mkdocs_postmortems.settings import Settings


def factors(*pairs: str) -> str:
    return "".join(
        f"\n  - layer: {p.split('/')[0]}\n    category: {p.split('/')[1]}\n    summary: A factor."
        for p in pairs
    )


def incident(
    n: int, *, systems: str = "[other-system]", cats: tuple[str, ...] = (), **more: object
) -> str:
    """Postmortem number n of 2025, dated n days into the year."""
    return postmortem_text(
        id=f"INC-2025-{n:03d}",
        date=(dt.date(2025, 1, 1) + dt.timedelta(days=n)).isoformat(),
        detected=None,
        resolved=None,
        systems=systems,
        factors=factors(*(cats or ("model/hallucination",))),
        **more,
    )


def hints_of(site: Path, **options: object) -> list:
    library = load_library(site / "docs", Settings(**options), site)  # type: ignore[arg-type]
    return [f for f in library.findings if f.rule == "related-hint"]


def test_shared_system_hints_the_newer_incident_only(write_site: Callable[..., Path]) -> None:
    """Two incidents of one system: the newer one is pointed at the older, not the reverse."""
    site = write_site(
        {
            "INC-2025-001.md": incident(1, systems="[support-bot]"),
            "INC-2025-002.md": incident(2, systems="[support-bot, billing]"),
        }
    )
    (hint,) = hints_of(site)
    assert hint.path == "INC-2025-002.md"
    assert hint.severity is Severity.WARNING
    assert "INC-2025-001 (system support-bot)" in hint.message


def test_hint_points_at_the_id_line_without_a_related_key(write_site: Callable[..., Path]) -> None:
    """With no `related` key the hint sits on the `id` line."""
    site = write_site(
        {
            "INC-2025-001.md": incident(1, systems="[support-bot]"),
            "INC-2025-002.md": incident(2, systems="[support-bot]"),
        }
    )
    (hint,) = hints_of(site)
    assert (hint.line, hint.column) == (2, 1)


def test_hint_points_at_the_related_key_line(write_site: Callable[..., Path]) -> None:
    """With a `related` key the hint sits on that key's line."""
    text = incident(3, systems="[support-bot]", related="[INC-2025-002]")
    site = write_site(
        {
            "INC-2025-001.md": incident(1, systems="[support-bot]"),
            "INC-2025-002.md": incident(2),
            "INC-2025-003.md": text,
        }
    )
    (hint,) = hints_of(site)
    line = text.splitlines().index("related: [INC-2025-002]") + 1
    assert (hint.path, hint.line, hint.column) == ("INC-2025-003.md", line, 1)


def test_one_shared_category_is_not_enough_two_are(write_site: Callable[..., Path]) -> None:
    """A single common category says little; two shared categories make a hint."""
    site = write_site(
        {
            "INC-2025-001.md": incident(1, cats=("model/hallucination", "process/evaluation-gap")),
            "INC-2025-002.md": incident(2, systems="[b]", cats=("model/hallucination",)),
            "INC-2025-003.md": incident(
                3, systems="[c]", cats=("process/evaluation-gap", "model/hallucination")
            ),
        }
    )
    (hint,) = hints_of(site)
    assert hint.path == "INC-2025-003.md"
    assert "INC-2025-001 (categories hallucination, evaluation-gap)" in hint.message
    assert "INC-2025-002" not in hint.message


@pytest.mark.parametrize(
    ("older", "newer"),
    [
        ({}, {"related": "[INC-2025-001]"}),
        ({"related": "[INC-2025-002]"}, {}),
        ({"visibility": "restricted"}, {}),
        ({}, {"visibility": "restricted"}),
    ],
)
def test_no_hint_when_linked_either_way_or_restricted(
    write_site: Callable[..., Path], older: dict[str, str], newer: dict[str, str]
) -> None:
    """A link in either direction, or a restricted incident on either side, means no hint."""
    site = write_site(
        {
            "INC-2025-001.md": incident(1, systems="[support-bot]", **older),
            "INC-2025-002.md": incident(2, systems="[support-bot]", **newer),
        }
    )
    assert hints_of(site) == []


def test_at_most_five_candidates_newest_first(write_site: Callable[..., Path]) -> None:
    """A busy system lists five candidates, most recent first, and says there are more."""
    files = {f"INC-2025-{n:03d}.md": incident(n, systems="[support-bot]") for n in range(1, 9)}
    site = write_site(files)
    hint = next(h for h in hints_of(site) if h.path == "INC-2025-008.md")
    listed = [f"INC-2025-{n:03d}" for n in range(7, 2, -1)]
    assert [i for i in listed if i in hint.message] == listed
    assert "INC-2025-002" not in hint.message and " and more" in hint.message


def test_switched_off_by_the_setting(write_site: Callable[..., Path]) -> None:
    """`related_hints: false` leaves hints out."""
    site = write_site(
        {
            "INC-2025-001.md": incident(1, systems="[support-bot]"),
            "INC-2025-002.md": incident(2, systems="[support-bot]"),
        }
    )
    assert hints_of(site, related_hints=False) == []


def test_lint_reports_hints_as_warnings_and_no_hints_drops_them(
    write_site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lint passes with hints, fails on them with --strict; --no-hints or the option drop them."""
    site = write_site(
        {
            "INC-2025-001.md": incident(1, systems="[support-bot]"),
            "INC-2025-002.md": incident(2, systems="[support-bot]"),
        }
    )
    monkeypatch.chdir(site)
    runner = CliRunner()
    result = runner.invoke(cli, ["lint"])
    assert result.exit_code == 0
    assert "INC-2025-002.md:2:1: warning related-hint: " in result.output
    assert runner.invoke(cli, ["lint", "--strict"]).exit_code == 1
    assert runner.invoke(cli, ["lint", "--strict", "--no-hints"]).exit_code == 0
    write_site({}, plugin_options="related_hints: false")
    assert runner.invoke(cli, ["lint", "--strict"]).exit_code == 0


def _pm(n: int, systems: tuple[str, ...], cats: tuple[str, ...]) -> Postmortem:
    return Postmortem(
        id=f"INC-2025-{n:05d}",
        title="t",
        status="final",
        severity="SEV3",
        date=dt.date(2025, 1, 1),
        summary="s",
        systems=systems,
        src_path=f"{n}.md",
        body="",
        body_line=1,
        factors=tuple(Factor("model", c, "s") for c in cats),
    )


def test_a_large_library_offers_at_most_five_candidates_each() -> None:
    """8,000 incidents of one system with the same categories: each gets a hint of at most five."""
    library = [_pm(n, ("support-bot",), ("a", "b", "c")) for n in range(8000)]
    hints = related_hints(library)
    assert len(hints) == 7999
    assert {h.message.count("INC-2025-") for h in hints} == {1, 2, 3, 4, 5}


def test_many_related_links_are_skipped_without_rescanning() -> None:
    """Incidents already linked are passed over and the next unlinked ones are offered."""
    library = [_pm(n, ("s",), ("a",)) for n in range(30)]
    library[-1].related = tuple(p.id for p in library[10:29])
    (hint, *_) = [h for h in related_hints(library) if h.path == "29.md"]
    assert [f"INC-2025-{n:05d}" in hint.message for n in (9, 8, 7, 6, 5)] == [True] * 5
    assert "INC-2025-00010" not in hint.message


def test_a_shared_system_alone_is_no_hint() -> None:
    """Same system, nothing else in common: no hint (in a big library that would be every file)."""
    library = [_pm(1, ("s",), ("a",)), _pm(2, ("s",), ("b",))]
    assert related_hints(library) == []


def test_categories_most_of_the_library_carries_do_not_count() -> None:
    """Two shared categories that a fifth or more of the library carries give no hint."""
    common = [_pm(n, (f"s{n}",), ("a", "b")) for n in range(10)]
    assert related_hints(common) == []
    rare = [_pm(1, ("x",), ("a", "b")), _pm(2, ("y",), ("a", "b"))]
    rare += [_pm(n, (f"s{n}",), ("c",)) for n in range(3, 13)]
    [hint] = related_hints(rare)
    assert hint.path == "2.md" and "INC-2025-00001" in hint.message
