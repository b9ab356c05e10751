"""Reporting obligations and their clocks: durations, deadlines and states at
their edges, the regimes file, `postmortems reporting`, `postmortems new`,
and the site's `reporting/` page and incident cards from a real build.

The library below is dated so that, as of TODAY, every state appears:
reported, reported-late, overdue, due and not-reportable; a restricted
incident with an overdue clock must show in the CLI and nowhere on the site.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO, postmortem_text
from mkdocs_postmortems.adapters import cli as cli_module
from mkdocs_postmortems.adapters.cli import cli
from mkdocs_postmortems.check.reporting import state_of
from mkdocs_postmortems.dates import as_utc, build_date
from mkdocs_postmortems.parse.frontmatter import read_document
from mkdocs_postmortems.parse.regimes import (
    WITHOUT_UNDUE_DELAY,
    Deadline,
    DurationError,
    default_regimes_path,
    load_regimes,
    parse_duration,
)
from sitekit import all_files, content, page, write_site_at
from test_repo_files import check_command, load, run_lines

TODAY = dt.date(2026, 9, 20)
# Noon of TODAY: the build's clocks run to SOURCE_DATE_EPOCH's instant.
EPOCH = str(int(dt.datetime(2026, 9, 20, 12, tzinfo=dt.UTC).timestamp()))
NOW = dt.datetime(2026, 9, 20, 12, tzinfo=dt.UTC)
UTC = dt.UTC


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=UTC)


# --- durations and calendar arithmetic -----------------------------------------


@pytest.mark.parametrize(
    ("text", "months", "seconds"),
    [
        ("P15D", 0, 15 * 86400),
        ("PT72H", 0, 72 * 3600),
        ("P1M", 1, 0),
        ("P1Y", 12, 0),
        ("P2W", 0, 14 * 86400),
        ("P1Y2M3W4DT5H6M7S", 14, ((3 * 7 + 4) * 24 + 5) * 3600 + 6 * 60 + 7),
        ("PT1M", 0, 60),
    ],
)
def test_durations_parse_as_calendar_months_and_exact_seconds(
    text: str, months: int, seconds: int
) -> None:
    """Years and months become calendar months; weeks, days and time exact seconds."""
    d = parse_duration(text)
    assert (d.months, d.seconds) == (months, seconds)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "P",
        "PT",
        "P1",
        "15D",
        "P1DT",
        "PT1D",
        "P1M1Y",
        "P1.5D",
        "P-1D",
        "P1W2W",
        "P\u0661D",  # an Arabic-Indic digit one
        "P9999999999D",
        "P101Y",
    ],
)
def test_malformed_or_absurd_durations_are_refused(text: str) -> None:
    """Out of order, fractional, unfinished, non-ASCII digits or over a century: refused."""
    with pytest.raises(DurationError):
        parse_duration(text)


def test_duration_parsing_refuses_a_long_hostile_string_at_once() -> None:
    """A megabyte of digits is refused after a few characters, not read to the end."""
    with pytest.raises(DurationError, match="too large"):
        parse_duration("P" + "9" * 1_000_000 + "D")


@pytest.mark.parametrize(
    ("start", "within", "expected"),
    [
        (utc(2026, 1, 31), "P1M", utc(2026, 2, 28)),  # end of a short month
        (utc(2024, 1, 31), "P1M", utc(2024, 2, 29)),  # leap year
        (utc(2024, 2, 29), "P1Y", utc(2025, 2, 28)),  # a leap day a year on
        (utc(2026, 3, 31, 9), "P1M", utc(2026, 4, 30, 9)),  # time of day kept
        (utc(2026, 12, 31), "P1M", utc(2027, 1, 31)),  # across the year
        (utc(2026, 1, 30, 12), "PT72H", utc(2026, 2, 2, 12)),  # across a month end
        (utc(2024, 2, 28), "P2D", utc(2024, 3, 1)),  # over a leap day
        (utc(2026, 3, 28, 10), "P2D", utc(2026, 3, 30, 10)),  # UTC: no DST hour lost
        (utc(2026, 1, 31), "P1M2D", utc(2026, 3, 2)),  # months first, then days
    ],
)
def test_deadlines_add_calendar_months_then_exact_time(
    start: dt.datetime, within: str, expected: dt.datetime
) -> None:
    """Jan 31 + P1M is the end of February (29th in a leap year); days and hours are exact."""
    assert parse_duration(within).add_to(start) == expected


def test_a_deadline_beyond_the_calendar_does_not_crash() -> None:
    """A clock that would run past year 9999 saturates instead of overflowing."""
    assert parse_duration("P1M").add_to(utc(9999, 12, 15)).year == 9999


# --- instants and states -------------------------------------------------------


def test_a_plain_date_is_the_start_of_its_day_in_utc() -> None:
    """aware: 2026-09-01 is 00:00 UTC; naive date-times are UTC; offsets are converted."""
    assert as_utc(dt.date(2026, 9, 1)) == utc(2026, 9, 1)
    assert as_utc(dt.datetime(2026, 9, 1, 10)) == utc(2026, 9, 1, 10)
    offset = dt.timezone(dt.timedelta(hours=2))
    assert as_utc(dt.datetime(2026, 9, 1, 12, tzinfo=offset)) == utc(2026, 9, 1, 10)


DEADLINE = utc(2026, 9, 4, 10)
MINUTE = dt.timedelta(minutes=1)


@pytest.mark.parametrize(
    ("decision", "filed", "now", "state"),
    [
        ("reportable", DEADLINE, NOW, "reported"),  # exactly at the deadline
        ("reportable", utc(2026, 9, 4, 10, 0, 1), NOW, "reported-late"),  # one second late
        # A date alone counts as filed at 24:00 UTC-12: 2 Sept is 3 Sept 12:00 UTC
        # (on time), 3 Sept is 4 Sept 12:00 UTC (two hours late).
        ("reportable", dt.date(2026, 9, 2), NOW, "reported"),
        ("reportable", dt.date(2026, 9, 3), NOW, "reported-late"),
        ("reportable", None, DEADLINE - MINUTE, "due"),
        ("reportable", None, DEADLINE, "due"),  # the deadline itself has not passed
        ("reportable", None, DEADLINE + MINUTE, "overdue"),
        ("pending", None, DEADLINE + MINUTE, "overdue"),  # undecided is not excused
        ("not-reportable", None, utc(2030, 1, 1), "not-reportable"),
        ("not-reportable", utc(2026, 9, 9), NOW, "not-reportable"),
    ],
)
def test_state_of_a_stage_at_its_edges(
    decision: str, filed: dt.date | dt.datetime | None, now: dt.datetime, state: str
) -> None:
    """Filed at the deadline is on time, a second later is late; a minute past it, overdue."""
    assert state_of(decision, DEADLINE, filed, now) == state


def test_build_date_is_source_date_epochs_day(monkeypatch: pytest.MonkeyPatch) -> None:
    """SOURCE_DATE_EPOCH fixes the day of every clock; without it, today."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    assert build_date() == TODAY
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert build_date() == dt.date.today()


# --- the bundled regimes -------------------------------------------------------


def _clocks(d: Deadline) -> object:
    """A deadline as plain data: (within, from, after) per clock, business days, on request."""
    shown = [
        (
            c.within.text if c.within else c.business_days or WITHOUT_UNDUE_DELAY,
            c.anchor,
            c.after,
        )
        for c in d.clocks
    ]
    return (d.stage, shown[0] if len(shown) == 1 else shown, d.on_request)


def test_bundled_regimes_hold_the_contracts_ids_and_durations() -> None:
    """Every bundled regime with the triggers, stages, anchors and clocks of spec 8 and 8.2."""
    regimes, findings = load_regimes(default_regimes_path(), "regimes.yml")
    assert findings == [] and regimes is not None
    got = {
        r.id: {t.id: [_clocks(d) for d in t.deadlines] for t in r.triggers} for r in regimes.regimes
    }
    assert got == {
        "eu-ai-act-art73": {
            "death": [("report", ("P10D", "aware", None), False)],
            "critical-infrastructure": [("report", ("P2D", "aware", None), False)],
            "widespread-infringement": [("report", ("P2D", "aware", None), False)],
            "other": [("report", ("P15D", "aware", None), False)],
        },
        "gdpr-art33": {"personal-data-breach": [("notification", ("PT72H", "aware", None), False)]},
        "nis2-art23": {
            "significant-incident": [
                ("early-warning", ("PT24H", "aware", None), False),
                ("notification", ("PT72H", "aware", None), False),
                ("intermediate-report", (WITHOUT_UNDUE_DELAY, "requested", None), True),
                ("final-report", ("P1M", "aware", "notification"), False),
            ]
        },
        "gdpr-art34": {
            "high-risk-to-individuals": [
                ("communication", (WITHOUT_UNDUE_DELAY, "aware", None), False)
            ]
        },
        "dora-art19": {
            "major-ict-incident": [
                (
                    "initial-notification",
                    [("PT4H", "classified", None), ("PT24H", "aware", None)],
                    False,
                ),
                ("intermediate-report", ("PT72H", "aware", "initial-notification"), False),
                ("final-report", ("P1M", "aware", "intermediate-report"), False),
            ]
        },
        "sec-8k-item105": {
            "material-cybersecurity-incident": [("form-8-k", (4, "determined", None), False)]
        },
    }
    sec = regimes.regime("sec-8k-item105")
    assert sec is not None
    [clock] = sec.triggers[0].deadlines[0].clocks
    assert (clock.calendar, clock.timezone) == ("us-federal", "America/New_York")
    sources = {r.id: r.source for r in regimes.regimes}
    assert sources == {
        "eu-ai-act-art73": "https://eur-lex.europa.eu/eli/reg/2024/1689/oj",
        "gdpr-art33": "https://eur-lex.europa.eu/eli/reg/2016/679/oj",
        "nis2-art23": "https://eur-lex.europa.eu/eli/dir/2022/2555/oj",
        "gdpr-art34": "https://eur-lex.europa.eu/eli/reg/2016/679/oj",
        "dora-art19": "https://eur-lex.europa.eu/eli/reg/2022/2554/oj",
        "sec-8k-item105": "https://www.sec.gov/files/form8-k.pdf",
    }


# --- a library where every state appears --------------------------------------


def _block(aware: str, *obligations: str) -> str:
    return f"\n  aware: {aware}\n  obligations:" + "".join(obligations)


def _obligation(
    regime: str,
    trigger: str,
    decision: str,
    decided_by: str | None = None,
    *reports: str,
    extra: str = "",
) -> str:
    text = f"\n    - regime: {regime}\n      trigger: {trigger}\n      decision: {decision}"
    if decided_by:
        text += f"\n      decided_by: {decided_by}"
    text += "".join(f"\n      {line}" for line in extra.splitlines())
    if reports:
        text += "\n      reports:" + "".join(f"\n        - {r}" for r in reports)
    return text


def _incident(pm_id: str, reporting: str, **overrides: object) -> str:
    fields: dict[str, object] = {
        "id": pm_id,
        "title": f"Incident {pm_id}",
        "date": "2026-09-01",
        "detected": None,
        "resolved": None,
        "reporting": reporting,
    }
    fields.update(overrides)
    return postmortem_text(**fields)


LIBRARY = {
    # reported (AI Act, filed exactly at its 10-day deadline) and reported-late (GDPR, 1 s late)
    "INC-2026-001.md": _incident(
        "INC-2026-001",
        _block(
            "2026-09-01T10:00:00Z",
            _obligation(
                "eu-ai-act-art73",
                "death",
                "reportable",
                "legal-team",
                "{stage: report, filed: 2026-09-11T10:00:00Z, reference: MSA-2026-0042}",
            ),
            _obligation(
                "gdpr-art33",
                "personal-data-breach",
                "reportable",
                "data-protection-officer",
                "{stage: notification, filed: 2026-09-04T10:00:01Z}",
            ),
        ),
    ),
    # NIS2: early warning on time, notification overdue, the intermediate report
    # waiting for a request, and the final report due a month after the
    # notification's deadline (it is not filed).
    "INC-2026-002.md": _incident(
        "INC-2026-002",
        _block(
            "2026-09-10T00:00:00Z",
            _obligation(
                "nis2-art23",
                "significant-incident",
                "reportable",
                "legal-team",
                "{stage: early-warning, filed: 2026-09-10T20:00:00Z}",
            ),
        ),
        date="2026-09-09",
    ),
    # due: 15 days from 18 September 08:00 UTC
    "INC-2026-003.md": _incident(
        "INC-2026-003",
        _block(
            "2026-09-18T10:00:00+02:00",
            _obligation("eu-ai-act-art73", "other", "reportable", "legal-team"),
        ),
        date="2026-09-18",
    ),
    "INC-2026-004.md": _incident(
        "INC-2026-004",
        _block(
            "2026-09-02T09:00:00Z",
            _obligation(
                "gdpr-art33",
                "personal-data-breach",
                "not-reportable",
                "dpo-office",
                extra="decided: 2026-09-03T16:00:00Z\nreason: The exported file was encrypted.",
            ),
        ),
    ),
    # Restricted, and overdue: the CLI must list it, the site must never show it.
    # A plain `aware` starts the clocks at 00:00 UTC+14: 14 September 10:00 UTC.
    "INC-2026-005.md": _incident(
        "INC-2026-005",
        _block(
            "2026-09-15",
            _obligation(
                "eu-ai-act-art73",
                "critical-infrastructure",
                "reportable",
                "canary-decider-zq",
                "{stage: report, filed: 2026-09-19T09:00:00Z, reference: CANARY-REF-4417}",
            ),
            _obligation("gdpr-art33", "personal-data-breach", "pending", None),
        ),
        title="Canary restricted reporting incident",
        visibility="restricted",
        status="review",
    ),
}

# As of TODAY, in the order `postmortems reporting` prints them.
EXPECTED = [
    (
        "INC-2026-002",
        "nis2-art23",
        "significant-incident",
        "notification",
        "2026-09-13T00:00:00Z",
        None,
        "overdue",
    ),
    (
        "INC-2026-005",
        "gdpr-art33",
        "personal-data-breach",
        "notification",
        "2026-09-17T10:00:00Z",
        None,
        "overdue",
    ),
    ("INC-2026-003", "eu-ai-act-art73", "other", "report", "2026-10-03T08:00:00Z", None, "due"),
    (
        "INC-2026-002",
        "nis2-art23",
        "significant-incident",
        "final-report",
        "2026-10-13T00:00:00Z",
        None,
        "due",
    ),
    (
        "INC-2026-002",
        "nis2-art23",
        "significant-incident",
        "intermediate-report",
        None,
        None,
        "waiting",
    ),
    (
        "INC-2026-001",
        "gdpr-art33",
        "personal-data-breach",
        "notification",
        "2026-09-04T10:00:00Z",
        "2026-09-04T10:00:01Z",
        "reported-late",
    ),
    (
        "INC-2026-005",
        "eu-ai-act-art73",
        "critical-infrastructure",
        "report",
        "2026-09-16T10:00:00Z",
        "2026-09-19T09:00:00Z",
        "reported-late",
    ),
    (
        "INC-2026-002",
        "nis2-art23",
        "significant-incident",
        "early-warning",
        "2026-09-11T00:00:00Z",
        "2026-09-10T20:00:00Z",
        "reported",
    ),
    (
        "INC-2026-001",
        "eu-ai-act-art73",
        "death",
        "report",
        "2026-09-11T10:00:00Z",
        "2026-09-11T10:00:00Z",
        "reported",
    ),
    (
        "INC-2026-004",
        "gdpr-art33",
        "personal-data-breach",
        "notification",
        "2026-09-05T09:00:00Z",
        None,
        "not-reportable",
    ),
]
KEYS = ("id", "regime", "trigger", "stage", "deadline", "filed", "state")
WAITING = next(e for e in EXPECTED if e[6] == "waiting")
RESTRICTED_MARKS = (b"INC-2026-005", b"canary-decider-zq", b"CANARY-REF-4417", b"Canary restricted")


@pytest.fixture(scope="module")
def library_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_site_at(tmp_path_factory.mktemp("reporting"), LIBRARY)


def build_strictly(
    root: Path, epoch: str, tz: str | None = None
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """`mkdocs build --strict` of root as of SOURCE_DATE_EPOCH, the machine's clock in `tz`."""
    out = root / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": epoch}
    env["PYTHONWARNINGS"] = "ignore"
    if tz is not None:
        env["TZ"] = tz
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return out, proc


@pytest.fixture(scope="module")
def built(library_root: Path) -> Path:
    """The library built strictly, as of TODAY through SOURCE_DATE_EPOCH."""
    out, proc = build_strictly(library_root, EPOCH)
    # Clocks ran out on unchanged docs: that must not fail a strict build.
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "reporting-overdue" in proc.stderr
    return out


def postmortems(
    root: Path, *args: str, epoch: str | None = None, tz: str | None = None
) -> subprocess.CompletedProcess[str]:
    """The installed command, never attached to a terminal (so `new` never waits on a
    prompt), on the machine's clock set to `tz` where one is given."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    if tz is not None:
        env["TZ"] = tz
    env.pop("SOURCE_DATE_EPOCH", None)
    if epoch is not None:
        env["SOURCE_DATE_EPOCH"] = epoch
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("postmortems")), *args],
        cwd=root,
        stdin=subprocess.DEVNULL,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    return proc


def reporting(root: Path, *args: str, epoch: str | None = None) -> subprocess.CompletedProcess[str]:
    return postmortems(root, "reporting", *args, epoch=epoch)


def test_cli_json_lists_every_stage_overdue_first_with_the_specs_keys(library_root: Path) -> None:
    """JSON: every stage (restricted too), exact keys and values, overdue first; exit 1."""
    proc = reporting(library_root, "--today", TODAY.isoformat(), "--format", "json")
    assert proc.returncode == 1, proc.stderr
    rows = json.loads(proc.stdout)
    assert all(tuple(r) == KEYS for r in rows)
    assert [tuple(r.values()) for r in rows] == EXPECTED
    assert {r["state"] for r in rows} == {
        "reported",
        "reported-late",
        "overdue",
        "due",
        "waiting",
        "not-reportable",
    }


def test_cli_text_is_a_table_overdue_first(library_root: Path) -> None:
    """Text: a header, one line a stage in the same order, a summary on stderr; exit 1."""
    proc = reporting(library_root, "--today", TODAY.isoformat())
    assert proc.returncode == 1
    header, *lines = proc.stdout.splitlines()
    assert header.split()[:3] == ["STATE", "DEADLINE", "(UTC)"]
    assert [line.split()[:7] for line in lines] == [
        [e[6], e[4] or "-", e[0], e[1], e[2], e[3], e[5] or "-"] for e in EXPECTED
    ]
    assert lines[EXPECTED.index(WAITING)].endswith("waiting for requested")
    assert lines[-1].endswith("not reportable: The exported file was encrypted.")
    assert (
        "2 overdue, 2 due, 1 waiting, 2 reported-late, 2 reported, 1 not-reportable" in proc.stderr
    )
    # --today is the end of that day in UTC
    assert "as of 2026-09-21 00:00:00 UTC" in proc.stderr


def test_cli_exits_0_when_nothing_is_overdue(library_root: Path) -> None:
    """On 12 September nothing has passed its deadline yet: exit 0."""
    proc = reporting(library_root, "--today", "2026-09-12", "--format", "json")
    assert proc.returncode == 0, proc.stdout
    assert "overdue" not in {r["state"] for r in json.loads(proc.stdout)}


def test_cli_today_defaults_to_source_date_epochs_day(library_root: Path) -> None:
    """Without --today, SOURCE_DATE_EPOCH (noon of that day; nothing falls due before its
    end) gives the very same output."""
    pinned = reporting(library_root, "--today", TODAY.isoformat(), "--format", "json")
    from_epoch = reporting(library_root, "--format", "json", epoch=EPOCH)
    assert from_epoch.stdout == pinned.stdout and from_epoch.returncode == 1


def test_cli_keeps_the_clock_of_a_postmortem_with_errors(write_site: Callable[..., Path]) -> None:
    """A typo elsewhere in the file does not stop its clock: the stage is still listed."""
    text = _incident(
        "INC-2026-020",
        _block("2026-09-01", _obligation("gdpr-art33", "personal-data-breach", "pending")),
        status="review",
        severity="SEV9",
    )
    root = write_site({"INC-2026-020.md": text})
    proc = reporting(root, "--today", TODAY.isoformat(), "--format", "json")
    assert json.loads(proc.stdout) == [
        {
            "id": "INC-2026-020",
            "regime": "gdpr-art33",
            "trigger": "personal-data-breach",
            "stage": "notification",
            # a plain `aware` of 1 September starts at 31 August 10:00 UTC
            "deadline": "2026-09-03T10:00:00Z",
            "filed": None,
            "state": "overdue",
        }
    ]
    assert proc.returncode == 1


@pytest.mark.parametrize(
    "args",
    [
        ["--today", "2026-02-30"],
        ["--today", "20.9.2026"],
        ["--format", "xml"],
        ["--now", "2026-09-20T12:00:00"],
        ["--now", "2026-09-20"],
        ["--now", "yesterday"],
        ["--now", "2026-09-20T12:00:00Z", "--today", "2026-09-20"],
    ],
)
def test_cli_usage_errors_exit_2(library_root: Path, args: list[str]) -> None:
    """An impossible day, an instant without its offset, both --now and --today, or an
    unknown format is a usage error."""
    proc = reporting(library_root, *args)
    assert proc.returncode == 2 and "Error" in proc.stderr


def test_lint_warns_of_clocks_at_their_lines(library_root: Path) -> None:
    """lint: overdue and late clocks are warnings at the obligation / filing line; exit 0."""
    proc = postmortems(library_root, "lint", "--format", "json", epoch=EPOCH)
    assert proc.returncode == 0, proc.stdout
    clocks = [
        (f["path"], f["line"], f["rule"], f["severity"])
        for f in json.loads(proc.stdout)
        if f["rule"].startswith("reporting-")
    ]

    def line_of(name: str, text: str) -> int:
        lines = LIBRARY[name].splitlines()
        return next(i for i, line in enumerate(lines, 1) if text in line)

    assert sorted(clocks) == sorted(
        [
            (
                "docs/INC-2026-001.md",
                line_of("INC-2026-001.md", "10:00:01Z"),
                "reporting-late",
                "warning",
            ),
            (
                "docs/INC-2026-002.md",
                line_of("INC-2026-002.md", "regime: nis2"),
                "reporting-overdue",
                "warning",
            ),
            (
                "docs/INC-2026-005.md",
                line_of("INC-2026-005.md", "CANARY-REF"),
                "reporting-late",
                "warning",
            ),
            (
                "docs/INC-2026-005.md",
                line_of("INC-2026-005.md", "regime: gdpr"),
                "reporting-overdue",
                "warning",
            ),
        ]
    )


# --- the site ------------------------------------------------------------------


def test_reporting_page_lists_published_obligations_overdue_first(built: Path) -> None:
    """reporting/: published incidents' stages in the CLI's order, restricted left out."""
    article = content(built, "reporting/")
    rows = article.table("Reporting stages").rows()
    published = [e for e in EXPECTED if e[0] != "INC-2026-005"]
    assert [(r[0], r[1], r[3], r[6]) for r in rows] == [(e[0], e[1], e[3], e[6]) for e in published]
    assert rows[0][4] == "2026-09-13 00:00 UTC"
    assert rows[published.index(WAITING)][4] == "not started: waits for requested"
    # as of SOURCE_DATE_EPOCH's instant, not its day
    assert "as of 2026-09-20 12:00 UTC" in article.text
    assert (
        "1 overdue, 2 due, 1 waiting, 1 reported-late, 2 reported, 1 not-reportable" in article.text
    )
    sources = article.hrefs()
    assert "https://eur-lex.europa.eu/eli/dir/2022/2555/oj" in sources


def test_incident_card_shows_its_obligations(built: Path) -> None:
    """An incident's card lists each of its stages with deadline, filing and state."""
    article = content(built, "incidents/INC-2026-001/")
    rows = article.table("Reporting obligations of INC-2026-001").rows()
    assert rows == [
        [
            "gdpr-art33",
            "personal-data-breach",
            "notification",
            "2026-09-04 10:00 UTC",
            "2026-09-04 10:00 UTC",
            "reported-late",
            "reportable by data-protection-officer",
        ],
        [
            "eu-ai-act-art73",
            "death",
            "report",
            "2026-09-11 10:00 UTC",
            "2026-09-11 10:00 UTC (MSA-2026-0042)",
            "reported",
            "reportable by legal-team",
        ],
    ]
    other = content(built, "incidents/INC-2026-004/")
    [[*_, state, decision]] = other.table("Reporting obligations of INC-2026-004").rows()
    assert (state, decision) == (
        "not-reportable",
        "not-reportable by dpo-office on 2026-09-03 16:00 UTC "
        "(reason: The exported file was encrypted.)",
    )


def test_library_pages_link_the_reporting_page(built: Path) -> None:
    """The navigation and each card with obligations link reporting/."""
    assert "../reporting/" in page(built, "incidents/").hrefs()
    assert "../../reporting/" in content(built, "incidents/INC-2026-002/").hrefs()


def test_restricted_obligations_never_reach_the_site(built: Path) -> None:
    """No file of the built site (gzip members too) names the restricted incident's reporting."""
    leaks = [
        (path.relative_to(built).as_posix(), mark.decode())
        for path, data in all_files(built)
        for mark in RESTRICTED_MARKS
        if mark in data
    ]
    assert any(p.suffix == ".gz" for p, _ in all_files(built)), "no gzip file was searched"
    assert leaks == []


# --- regimes files of a team's own, and broken ones ------------------------------

OWN_REGIMES = """\
regimes:
  - id: acme-policy
    title: ACME internal escalation policy
    source: https://policy.example.com/escalation
    triggers:
      - id: customer-harm
        title: A customer was harmed
        deadlines:
          - {stage: notice, within: PT4H}
          - {stage: review, within: P1W, after: notice}
"""


def test_a_teams_own_regimes_file_replaces_the_bundled_one(
    write_site: Callable[..., Path],
) -> None:
    """Option `regimes`: its regimes are known, the bundled ones no longer are."""
    root = write_site(
        {
            "INC-2026-010.md": _incident(
                "INC-2026-010",
                _block(
                    "2026-09-01T08:00:00Z",
                    _obligation(
                        "acme-policy",
                        "customer-harm",
                        "reportable",
                        "ops",
                        "{stage: notice, filed: 2026-09-01T10:00:00Z}",
                    ),
                ),
            ),
            "INC-2026-011.md": _incident(
                "INC-2026-011",
                _block("2026-09-01", _obligation("gdpr-art33", "personal-data-breach", "pending")),
                status="review",
            ),
        },
        plugin_options="regimes: governance/regimes.yml",
    )
    (root / "governance").mkdir()
    (root / "governance" / "regimes.yml").write_text(OWN_REGIMES, encoding="utf-8")
    lint = postmortems(root, "lint", "--format", "json")
    errors = [(f["path"], f["rule"]) for f in json.loads(lint.stdout) if f["severity"] == "error"]
    assert errors == [("docs/INC-2026-011.md", "unknown-regime")]
    proc = reporting(root, "--today", "2026-09-05", "--format", "json")
    rows = [(r["stage"], r["deadline"], r["state"]) for r in json.loads(proc.stdout)]
    # review counts a week from the notice's filing, not from its deadline
    assert rows == [
        ("review", "2026-09-08T10:00:00Z", "due"),
        ("notice", "2026-09-01T12:00:00Z", "reported"),
    ]
    assert "INC-2026-011" in proc.stderr and proc.returncode == 1


BROKEN_REGIMES = {
    "bad duration": (OWN_REGIMES.replace("PT4H", "4 hours"), 9, "'4 hours' is not"),
    "after a later stage": (
        OWN_REGIMES.replace(
            "{stage: notice, within: PT4H}", "{stage: notice, within: PT4H, after: review}"
        ),
        9,
        "must name an earlier stage",
    ),
    "duplicate regime": (
        OWN_REGIMES + OWN_REGIMES.replace("regimes:\n", ""),
        11,
        "regime id 'acme-policy' is used twice",
    ),
    "not yaml": ("regimes: [\n", 2, "not valid YAML"),
    "wrong shape": ("regimes:\n  - id: x\n", 2, "missing the required key"),
}


@pytest.mark.parametrize("case", sorted(BROKEN_REGIMES))
def test_a_broken_regimes_file_is_a_finding_not_a_crash(
    write_site: Callable[..., Path], case: str
) -> None:
    """lint names the file, line and what is wrong; reporting exits 1 with it too."""
    text, line, message = BROKEN_REGIMES[case]
    root = write_site({}, plugin_options="regimes: regimes.yml")
    (root / "regimes.yml").write_text(text, encoding="utf-8")
    lint = postmortems(root, "lint")
    assert lint.returncode == 1
    assert f"regimes.yml:{line}:" in lint.stdout and message in lint.stdout, lint.stdout
    proc = reporting(root)
    assert proc.returncode == 1 and message in proc.stderr


def test_a_missing_regimes_file_fails_lint_and_the_build(write_site: Callable[..., Path]) -> None:
    """A regimes option naming no file: a `regimes` error in lint, a failed build, no traceback."""
    root = write_site({}, plugin_options="regimes: nowhere.yml")
    lint = postmortems(root, "lint")
    assert lint.returncode == 1 and "error regimes: regimes: cannot read" in lint.stdout
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-d", str(root / "out")],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert proc.returncode == 1 and "cannot read the regimes file" in proc.stderr
    assert "Traceback" not in proc.stderr


# --- postmortems new -------------------------------------------------------------


def _new(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return postmortems(
        root,
        "new",
        "A wrong fee",
        "--severity",
        "SEV2",
        "--system",
        "agent",
        "--date",
        "2026-09-01",
        *args,
    )


def _front(path: Path) -> dict[str, object]:
    data = read_document(path.read_bytes(), str(path)).data
    assert isinstance(data, dict)
    return data


def test_new_writes_each_regime_as_a_pending_decision(write_site: Callable[..., Path]) -> None:
    """--regime ID:TRIGGER as given; a bare ID gets its shortest clock, marked to correct."""
    root = write_site({})
    proc = _new(root, "--regime", "gdpr-art33", "--regime", "eu-ai-act-art73")
    assert proc.returncode == 0, proc.stderr
    path = root / proc.stdout.strip()
    assert _front(path)["reporting"] == {
        "aware": "2026-09-01",
        "obligations": [
            {"regime": "gdpr-art33", "trigger": "personal-data-breach", "decision": "pending"},
            {
                "regime": "eu-ai-act-art73",
                "trigger": "critical-infrastructure",
                "decision": "pending",
            },
        ],
    }
    assert path.read_text(encoding="utf-8").count("shortest clock") == 2
    lint = postmortems(root, "lint", "--format", "json")
    assert [f for f in json.loads(lint.stdout) if f["severity"] == "error"] == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--regime", "gdpr"], "regime 'gdpr' is not in the regimes file"),
        (["--regime", "gdpr-art33:death"], "trigger 'death' is not a trigger"),
        (["--regime", "gdpr-art33", "--no-reporting"], "contradict"),
    ],
)
def test_new_refuses_unknown_regimes(
    write_site: Callable[..., Path], args: list[str], message: str
) -> None:
    """Unknown regimes or triggers, or contradicting options: exit 2, nothing written."""
    root = write_site({})
    proc = _new(root, *args)
    assert proc.returncode == 2 and message in proc.stderr
    assert list((root / "docs").iterdir()) == []


def test_new_asks_about_reporting_in_a_terminal(
    write_site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a terminal: yes, a regime, a trigger from its list; the block is written pending."""
    root = write_site({})
    monkeypatch.chdir(root)
    monkeypatch.setattr(cli_module, "_stdin_is_terminal", lambda: True)
    args = ["new", "A title", "--severity", "SEV3", "--system", "bot", "--date", "2026-09-01"]
    result = CliRunner().invoke(cli, args, input="y\nnis2\nnis2-art23\n\n")
    assert result.exit_code == 0, result.output
    assert "regime 'nis2' is not in the regimes file" in result.output
    path = Path(result.stdout.strip().splitlines()[-1])
    assert _front(path)["reporting"] == {
        "aware": "2026-09-01",
        "obligations": [
            {"regime": "nis2-art23", "trigger": "significant-incident", "decision": "pending"}
        ],
    }
    # Declined: no block at all.
    result = CliRunner().invoke(cli, args, input="n\n")
    path = Path(result.stdout.strip().splitlines()[-1])
    assert "reporting" not in _front(path)


# --- the scheduled job -------------------------------------------------------------


def test_scheduled_workflow_runs_reporting_daily() -> None:
    """The example workflow runs `postmortems reporting` on a daily cron; the
    reporting page of the docs shows it."""
    flow = load(REPO / ".github" / "workflows" / "postmortems-reporting.yml")
    [cron] = [entry["cron"] for entry in flow[True]["schedule"]]
    minute, hour, *rest = cron.split()
    assert rest == ["*", "*", "*"] and minute.isdigit() and hour.isdigit()
    commands = [check_command(line) for line in run_lines(flow) if not line.startswith("pip ")]
    assert commands == [["postmortems", "reporting"]]
    page = (REPO / "docs" / "reporting.md").read_text(encoding="utf-8")
    assert "postmortems reporting   # exit 1 while anything is overdue" in page
    assert ".github/workflows/postmortems-reporting.yml" in page
