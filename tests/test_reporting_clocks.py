"""Reporting clocks to the precision of the law (spec 8.1 and 8.2): every
deadline rule at its edges, one minute before and one minute after, with the
instants worked out by hand in the comments; the same answers under any `TZ`;
the new states and reasons on a real site, and none of a restricted
incident's obligations on it.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from mkdocs_postmortems.check.reporting import read_reporting, statuses
from mkdocs_postmortems.dates import parse_date
from mkdocs_postmortems.parse.regimes import (
    business_deadline,
    default_regimes_path,
    load_regimes,
    parse_regimes,
)
from sitekit import all_files, content, write_site_at
from test_reporting import _incident, build_strictly
from test_reporting import postmortems as run_postmortems

MINUTE = dt.timedelta(minutes=1)
ZONES = ("UTC", "America/Los_Angeles", "Pacific/Kiritimati")


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)


def rows_of(block: dict[str, Any], now: dt.datetime) -> dict[str, tuple[str | None, str]]:
    """stage -> (deadline, state) of a reporting block's first obligation, as of `now`."""
    regimes, findings = load_regimes(default_regimes_path(), "regimes.yml")
    assert regimes is not None and findings == []
    reporting = read_reporting({"reporting": block}, parse_date)
    assert reporting is not None
    rows, unknown = statuses("INC-2026-001", reporting, regimes, now)
    assert unknown == []
    return {r.stage: (r.as_dict()["deadline"], r.state) for r in rows if r.obligation == 0}


def obligation(regime: str, trigger: str, *reports: dict[str, str], **extra: Any) -> dict[str, Any]:
    return {
        "regime": regime,
        "trigger": trigger,
        "decision": "reportable",
        "decided_by": "legal-team",
        "reports": list(reports),
        **extra,
    }


def edges(block: dict[str, Any], stage: str, deadline: dt.datetime) -> list[str]:
    """The stage's state one minute before, at and one minute after its deadline."""
    iso = deadline.strftime("%Y-%m-%dT%H:%M:%SZ")
    states = []
    for now in (deadline - MINUTE, deadline, deadline + MINUTE):
        got_deadline, state = rows_of(block, now)[stage]
        assert got_deadline == iso
        states.append(state)
    return states


def filed_edges(block: dict[str, Any], stage: str, deadline: dt.datetime) -> list[str]:
    """The stage's state when filed one minute before, at and one minute after its deadline."""
    states = []
    for filed in (deadline - MINUTE, deadline, deadline + MINUTE):
        reports = [{"stage": stage, "filed": filed.strftime("%Y-%m-%dT%H:%M:%SZ")}]
        changed = {**block, "obligations": [{**block["obligations"][0], "reports": reports}]}
        states.append(rows_of(changed, utc(2100, 1, 1))[stage][1])
    return states


ON_TIME = ["due", "due", "overdue"]
FILED = ["reported", "reported", "reported-late"]


# --- fixed durations -------------------------------------------------------------


def test_a_72_hour_clock_across_the_spring_daylight_saving_change() -> None:
    """GDPR: aware 27 March 2026 10:00 CET (09:00 UTC); Europe moves to CEST on the
    29th, which does not shorten the clock: due 30 March 09:00 UTC (11:00 CEST)."""
    block = {
        "aware": "2026-03-27T10:00:00+01:00",
        "obligations": [obligation("gdpr-art33", "personal-data-breach")],
    }
    assert edges(block, "notification", utc(2026, 3, 30, 9)) == ON_TIME
    assert filed_edges(block, "notification", utc(2026, 3, 30, 9)) == FILED


def test_a_filing_written_in_summer_time_counts_at_its_offset() -> None:
    """Filed 30 March 11:01 CEST is 09:01 UTC: a minute late (the old code read it as UTC)."""
    block = {
        "aware": "2026-03-27T10:00:00+01:00",
        "obligations": [
            obligation(
                "gdpr-art33",
                "personal-data-breach",
                {"stage": "notification", "filed": "2026-03-30T11:01:00+02:00"},
            )
        ],
    }
    assert rows_of(block, utc(2026, 4, 1))["notification"][1] == "reported-late"


def test_two_days_over_a_leap_day() -> None:
    """AI Act (critical infrastructure, P2D): aware 28 Feb 2028 12:00 UTC; 29 Feb exists,
    so the report is due 1 March 12:00 UTC."""
    block = {
        "aware": "2028-02-28T12:00:00Z",
        "obligations": [obligation("eu-ai-act-art73", "critical-infrastructure")],
    }
    assert edges(block, "report", utc(2028, 3, 1, 12)) == ON_TIME
    assert filed_edges(block, "report", utc(2028, 3, 1, 12)) == FILED


def test_a_month_after_the_notification_ends_on_the_leap_day() -> None:
    """NIS2 final report, P1M after the notification filed 31 Jan 2028 10:00 UTC: February
    has no 31st, so 29 Feb 2028 10:00 UTC (the month's last day)."""
    block = {
        "aware": "2028-01-30T10:00:00Z",
        "obligations": [
            obligation(
                "nis2-art23",
                "significant-incident",
                {"stage": "early-warning", "filed": "2028-01-31T09:00:00Z"},
                {"stage": "notification", "filed": "2028-01-31T10:00:00Z"},
            )
        ],
    }
    assert edges(block, "final-report", utc(2028, 2, 29, 10)) == ON_TIME


def test_the_after_clock_counts_from_the_deadline_while_the_stage_is_unfiled() -> None:
    """DORA intermediate report: 72 h after the initial notification's filing, or, while it
    is not filed, after its deadline (aware 1 Sept 08:00 UTC + 24 h = 2 Sept 08:00 UTC)."""
    block = dora(None)
    assert edges(block, "intermediate-report", utc(2026, 9, 5, 8)) == ON_TIME
    filed = {
        **block,
        "obligations": [
            obligation(
                "dora-art19",
                "major-ict-incident",
                {"stage": "initial-notification", "filed": "2026-09-01T11:30:00Z"},
            )
        ],
    }
    assert edges(filed, "intermediate-report", utc(2026, 9, 4, 11, 30)) == ON_TIME


# --- date-only values ------------------------------------------------------------


def test_a_plain_aware_starts_the_clock_at_the_dates_first_instant_anywhere() -> None:
    """aware 2026-09-10 is 00:00 at UTC+14 = 9 Sept 10:00 UTC; 72 h later: 12 Sept 10:00 UTC."""
    block = {
        "aware": "2026-09-10",
        "obligations": [obligation("gdpr-art33", "personal-data-breach")],
    }
    assert edges(block, "notification", utc(2026, 9, 12, 10)) == ON_TIME


@pytest.mark.parametrize(
    ("filed", "state"),
    [
        # 24:00 at UTC-12 of 11 Sept is 12 Sept 12:00 UTC: after the 10:00 deadline
        ("2026-09-11", "reported-late"),
        # 10 Sept counts as 11 Sept 12:00 UTC: on time
        ("2026-09-10", "reported"),
    ],
)
def test_a_plain_filing_counts_at_the_dates_last_instant_anywhere(filed: str, state: str) -> None:
    """A filing dated without a time never counts early."""
    block = {
        "aware": "2026-09-10",
        "obligations": [
            obligation(
                "gdpr-art33", "personal-data-breach", {"stage": "notification", "filed": filed}
            )
        ],
    }
    assert rows_of(block, utc(2026, 10, 1))["notification"] == ("2026-09-12T10:00:00Z", state)


def dora(classified: str | None) -> dict[str, Any]:
    """DORA from aware 1 Sept 2026 08:00 UTC, classified as major at `classified`."""
    anchors = {"classified": classified} if classified else {}
    ob = obligation("dora-art19", "major-ict-incident", anchors=anchors)
    return {"aware": "2026-09-01T08:00:00Z", "obligations": [ob]}


# --- earliest of, anchors, waiting -------------------------------------------------


def test_dora_initial_notification_is_the_earliest_of_its_clocks() -> None:
    """Classified 1 Sept 12:00 UTC: 4 h later (16:00) beats 24 h after aware (2 Sept 08:00)."""
    block = dora("2026-09-01T12:00:00Z")
    assert edges(block, "initial-notification", utc(2026, 9, 1, 16)) == ON_TIME
    assert filed_edges(block, "initial-notification", utc(2026, 9, 1, 16)) == FILED


def test_dora_initial_notification_is_overdue_a_day_after_aware_without_classification() -> None:
    """`classified` never recorded: the 24-hour clock from aware still runs out (2 Sept 08:00)."""
    block = dora(None)
    assert edges(block, "initial-notification", utc(2026, 9, 2, 8)) == ON_TIME


def test_a_late_classification_does_not_move_the_24_hour_limit() -> None:
    """Classified 2 Sept 06:00 UTC: 4 h later is 10:00, after the 24-hour limit of 08:00."""
    block = dora("2026-09-02T06:00:00Z")
    assert edges(block, "initial-notification", utc(2026, 9, 2, 8)) == ON_TIME


def test_a_stage_waits_for_its_anchor_and_a_recorded_anchor_counts_only_from_then() -> None:
    """SEC: without `determined` the Form 8-K waits (never overdue); as of an instant
    before the recorded determination it waits too, with no deadline."""
    block = {
        "aware": "2026-11-20T09:00:00-05:00",
        "obligations": [obligation("sec-8k-item105", "material-cybersecurity-incident")],
    }
    assert rows_of(block, utc(2030, 1, 1))["form-8-k"] == (None, "waiting")
    block["obligations"][0]["anchors"] = {"determined": "2026-11-24T15:00:00-05:00"}
    assert rows_of(block, utc(2026, 11, 24, 19, 59))["form-8-k"] == (None, "waiting")
    assert rows_of(block, utc(2026, 11, 24, 20, 1))["form-8-k"][1] == "due"


def form_8_k(aware: str, determined: str) -> dict[str, Any]:
    """A reporting block with the SEC's Form 8-K obligation, materiality determined."""
    sec = obligation(
        "sec-8k-item105", "material-cybersecurity-incident", anchors={"determined": determined}
    )
    return {"aware": aware, "obligations": [sec]}


# --- business days -------------------------------------------------------------------


def test_four_business_days_skip_thanksgiving() -> None:
    """Determined Tue 24 Nov 2026 15:00 New York: Wed 25 (1), Thu 26 is Thanksgiving, Fri 27
    (2), Mon 30 (3), Tue 1 Dec (4); its end in New York (EST) is 2 Dec 05:00 UTC."""
    block = form_8_k("2026-11-20T09:00:00-05:00", "2026-11-24T15:00:00-05:00")
    assert edges(block, "form-8-k", utc(2026, 12, 2, 5)) == ON_TIME
    assert filed_edges(block, "form-8-k", utc(2026, 12, 2, 5)) == FILED


def test_business_days_across_the_autumn_daylight_saving_change() -> None:
    """Determined Thu 29 Oct 2026 (a plain date: that day as written): Fri 30 (1), Mon 2 Nov
    (2), Tue 3 (3), Wed 4 (4); New York left daylight-saving time on 1 Nov, so the end of
    4 Nov is 5 Nov 05:00 UTC, not 04:00."""
    block = form_8_k("2026-10-28T09:00:00Z", "2026-10-29")
    assert edges(block, "form-8-k", utc(2026, 11, 5, 5)) == ON_TIME


def test_business_days_count_the_anchors_day_in_the_regimes_zone() -> None:
    """Determined Fri 3 July 2026 02:00 UTC is Thu 2 July 22:00 in New York; Fri 3 July is
    Independence Day observed: Mon 6 (1) ... Thu 9 (4), ending 10 July 04:00 UTC (EDT)."""
    assert business_deadline(dt.date(2026, 7, 2), 4, "us-federal", "America/New_York") == utc(
        2026, 7, 10, 4
    )
    block = form_8_k("2026-07-01T09:00:00Z", "2026-07-03T02:00:00Z")
    assert edges(block, "form-8-k", utc(2026, 7, 10, 4)) == ON_TIME


# --- no fixed length, on request -------------------------------------------------------


def test_without_undue_delay_is_due_until_filed_and_never_overdue() -> None:
    """GDPR Art. 34: no deadline; due from aware on, `reported` once filed, even years later."""
    block = {
        "aware": "2026-09-01T08:00:00Z",
        "obligations": [obligation("gdpr-art34", "high-risk-to-individuals")],
    }
    assert rows_of(block, utc(2099, 1, 1))["communication"] == (None, "due")
    block["obligations"][0]["reports"] = [
        {"stage": "communication", "filed": "2027-01-01T00:00:00Z"}
    ]
    assert rows_of(block, utc(2099, 1, 1))["communication"] == (None, "reported")


def test_an_intermediate_report_waits_for_its_request() -> None:
    """NIS2's intermediate report is waiting until `requested`, then due (no fixed length);
    as of an instant before the request it is still waiting."""
    block = {
        "aware": "2026-09-01T08:00:00Z",
        "obligations": [
            obligation(
                "nis2-art23",
                "significant-incident",
                {"stage": "intermediate-report", "requested": "2026-09-05T09:00:00Z"},
            )
        ],
    }
    assert rows_of(block, utc(2026, 9, 5, 8, 59))["intermediate-report"] == (None, "waiting")
    assert rows_of(block, utc(2026, 9, 5, 9, 1))["intermediate-report"] == (None, "due")
    assert rows_of(block, utc(2099, 1, 1))["intermediate-report"] == (None, "due")


def test_an_on_request_stage_with_a_length_counts_from_the_request(
    tmp_path: Path,
) -> None:
    """`on_request: true` with `within: P5D`: requested 1 Sept 09:00 UTC, due 6 Sept 09:00."""
    text = (
        "regimes:\n  - id: acme\n    title: Acme\n    source: https://example.com/law\n"
        "    triggers:\n      - id: any\n        title: Any\n        deadlines:\n"
        "          - {stage: follow-up, on_request: true, within: P5D}\n"
    )
    regimes, findings = parse_regimes(text.encode(), "regimes.yml")
    assert regimes is not None and findings == []
    reporting = read_reporting(
        {
            "reporting": {
                "aware": "2026-08-30T00:00:00Z",
                "obligations": [
                    obligation(
                        "acme", "any", {"stage": "follow-up", "requested": "2026-09-01T09:00:00Z"}
                    )
                ],
            }
        },
        parse_date,
    )
    assert reporting is not None
    deadline = utc(2026, 9, 6, 9)
    got = [
        statuses("X", reporting, regimes, t)[0][0].state
        for t in (deadline - MINUTE, deadline + MINUTE)
    ]
    assert got == ["due", "overdue"]


# --- as of an instant ------------------------------------------------------------------


def test_as_of_an_instant_later_records_do_not_count() -> None:
    """As of a minute before a filing it is not filed; before `decided`, not decided."""
    block = {
        "aware": "2026-09-01T08:00:00Z",
        "obligations": [
            obligation(
                "gdpr-art33",
                "personal-data-breach",
                {"stage": "notification", "filed": "2026-09-03T08:00:00Z"},
            ),
            {
                "regime": "eu-ai-act-art73",
                "trigger": "other",
                "decision": "not-reportable",
                "decided_by": "legal-team",
                "decided": "2026-09-20T10:00:00Z",
                "reason": "Not a serious incident.",
            },
        ],
    }
    assert rows_of(block, utc(2026, 9, 3, 7, 59))["notification"][1] == "due"
    assert rows_of(block, utc(2026, 9, 3, 8, 1))["notification"][1] == "reported"
    regimes, _ = load_regimes(default_regimes_path(), "regimes.yml")
    assert regimes is not None
    reporting = read_reporting({"reporting": block}, parse_date)
    assert reporting is not None
    for now, state in [
        (utc(2026, 9, 20, 9, 59), "overdue"),
        (utc(2026, 9, 20, 10, 1), "not-reportable"),
    ]:
        [ai_act] = [r for r in statuses("X", reporting, regimes, now)[0] if r.obligation == 1]
        assert ai_act.state == state


# --- regimes files that say the new things wrongly ------------------------------------------

_BASE = (
    "regimes:\n  - id: acme\n    title: Acme\n    source: https://example.com/law\n"
    "    triggers:\n      - id: any\n        title: Any\n        deadlines:\n"
)


@pytest.mark.parametrize(
    ("deadline", "message"),
    [
        (
            "{stage: a, within_business_days: 4, calendar: us-federal, timezone: Mars/Olympus}",
            "not an IANA time zone",
        ),
        (
            "{stage: a, within_business_days: 4, calendar: lunar, timezone: UTC}",
            "calendar 'lunar' is not known",
        ),
        ("{stage: a, within_business_days: 4}", "needs a calendar and a timezone"),
        ("{stage: a, within: P1D, calendar: us-federal}", "go with within_business_days"),
        ("{stage: a, within: P1D, earliest: [{within: P1D}, {within: P2D}]}", "give one of them"),
        (
            "{stage: a, earliest: [{within: P1D}, {within: without-undue-delay}]}",
            "needs a fixed length",
        ),
        ("{stage: a, on_request: true, from: classified}", "takes at most `within`"),
        ("{stage: a}", "needs within, within_business_days, earliest or on_request"),
        ("{stage: a, within: soon}", "or without-undue-delay"),
        ("{stage: a, within: P1D, from: x, after: b}", "not both"),
    ],
)
def test_regimes_that_say_the_new_forms_wrongly_are_findings(deadline: str, message: str) -> None:
    """Each mistake in a deadline is a `regimes` finding with its message, never a crash."""
    regimes, findings = parse_regimes((_BASE + f"          - {deadline}\n").encode(), "r.yml")
    assert regimes is None
    assert any(message in f.message and f.rule == "regimes" for f in findings), findings


# --- the CLI under any TZ ------------------------------------------------------------------


LIBRARY = {
    # The case: a 02:00 UTC deadline, checked at 03:34 UTC the same day.
    "INC-2026-101.md": _incident(
        "INC-2026-101",
        """
  aware: 2026-09-17T02:00:00Z
  obligations:
    - regime: gdpr-art33
      trigger: personal-data-breach
      decision: reportable
      decided_by: data-protection-officer""",
    ),
    # Filed 1 h 30 late with its reasons; an intermediate report waiting for a request.
    "INC-2026-102.md": _incident(
        "INC-2026-102",
        """
  aware: 2026-09-10T08:00:00+02:00
  obligations:
    - regime: nis2-art23
      trigger: significant-incident
      decision: reportable
      decided_by: legal-team
      reports:
        - stage: early-warning
          filed: 2026-09-11T09:30:00+02:00
          delay_reason: The CSIRT portal was down from 07:00 to 09:15.
        - {stage: notification, filed: 2026-09-12T10:00:00Z}
    - regime: gdpr-art34
      trigger: high-risk-to-individuals
      decision: reportable
      decided_by: data-protection-officer
    - regime: eu-ai-act-art73
      trigger: other
      decision: not-reportable
      decided_by: legal-team
      decided: 2026-09-12
      reason: No serious incident as Article 3(49) defines it.""",
    ),
    # Restricted: its reasons and references must never reach the site.
    "INC-2026-103.md": _incident(
        "INC-2026-103",
        """
  aware: 2026-09-15T10:00:00Z
  obligations:
    - regime: dora-art19
      trigger: major-ict-incident
      decision: reportable
      decided_by: canary-desk-qx
      anchors: {classified: 2026-09-15T12:00:00Z}
      reports:
        - stage: initial-notification
          filed: 2026-09-15T17:00:00Z
          reference: CANARY-DORA-771
          delay_reason: Canary delay reason nobody may publish
    - regime: gdpr-art33
      trigger: personal-data-breach
      decision: not-reportable
      decided_by: canary-desk-qx
      decided: 2026-09-16T09:00:00Z
      reason: Canary not-reportable reason nobody may publish""",
        title="Canary restricted clocks",
        visibility="restricted",
        status="review",
    ),
}
RESTRICTED_MARKS = (
    b"INC-2026-103",
    b"canary-desk-qx",
    b"CANARY-DORA-771",
    b"Canary delay reason",
    b"Canary not-reportable reason",
    b"Canary restricted",
)
# 17 Sept 2026 03:34 UTC
EPOCH = str(int(utc(2026, 9, 17, 3, 34).timestamp()))


@pytest.fixture(scope="module")
def library_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_site_at(tmp_path_factory.mktemp("clocks"), LIBRARY)


def postmortems(
    root: Path, *args: str, tz: str = "UTC", epoch: str | None = EPOCH
) -> subprocess.CompletedProcess[str]:
    """The installed command, as of 17 Sept 03:34 UTC unless told otherwise."""
    return run_postmortems(root, *args, epoch=epoch, tz=tz)


@pytest.mark.parametrize(
    "args", [[], ["--now", "2026-09-17T03:34:00Z"], ["--now", "2026-09-16T20:34:00-07:00"]]
)
def test_the_same_instant_gives_the_same_rows_under_every_tz(
    library_root: Path, args: list[str]
) -> None:
    """SOURCE_DATE_EPOCH or --now, written in any offset: identical output and exit code under
    TZ=UTC, America/Los_Angeles and Pacific/Kiritimati (a day apart on the calendar)."""
    runs = [
        postmortems(library_root, "reporting", "--format", "json", *args, tz=tz) for tz in ZONES
    ]
    assert len({(p.stdout, p.returncode) for p in runs}) == 1, [p.stdout for p in runs]
    rows = {(r["id"], r["stage"]): (r["deadline"], r["state"]) for r in json.loads(runs[0].stdout)}
    # NIS2 early warning: aware 10 Sept 06:00 UTC + 24 h; filed 07:30 UTC, with its reason
    assert rows["INC-2026-102", "early-warning"] == ("2026-09-11T06:00:00Z", "reported-late")
    assert rows["INC-2026-102", "intermediate-report"] == (None, "waiting")
    assert rows["INC-2026-102", "communication"] == (None, "due")
    # DORA: classified 12:00 + 4 h = 16:00 beats aware + 24 h; but as of 17 Sept 03:34 it
    # was filed (17:00 on the 15th, an hour late)
    assert rows["INC-2026-103", "initial-notification"] == ("2026-09-15T16:00:00Z", "reported-late")
    # intermediate: 72 h after that filing, 18 Sept 17:00 UTC
    assert rows["INC-2026-103", "intermediate-report"] == ("2026-09-18T17:00:00Z", "due")


@pytest.mark.parametrize("tz", ZONES)
def test_a_deadline_two_hours_ago_is_overdue_under_every_tz(library_root: Path, tz: str) -> None:
    """The issue's case: as of 20 Sept 03:34 UTC a 02:00 UTC deadline that day is overdue
    and `reporting` exits 1, wherever the machine's clock is set."""
    epoch = str(int(utc(2026, 9, 20, 3, 34).timestamp()))
    proc = postmortems(library_root, "reporting", "--format", "json", tz=tz, epoch=epoch)
    rows = {(r["id"], r["stage"]): r["state"] for r in json.loads(proc.stdout)}
    assert rows["INC-2026-101", "notification"] == "overdue"
    assert proc.returncode == 1
    # one minute before the deadline it is due
    early = postmortems(
        library_root, "reporting", "--now", "2026-09-20T01:59:00Z", "--format", "json", tz=tz
    )
    states = {(r["id"], r["stage"]): r["state"] for r in json.loads(early.stdout)}
    assert states["INC-2026-101", "notification"] == "due"


@pytest.mark.parametrize("tz", ZONES)
def test_today_is_the_end_of_that_day_in_utc_under_every_tz(library_root: Path, tz: str) -> None:
    """--today 2026-09-19 is 20 Sept 00:00 UTC: the 02:00 deadline of the 20th is still due."""
    proc = postmortems(
        library_root, "reporting", "--today", "2026-09-19", "--format", "json", tz=tz
    )
    rows = {(r["id"], r["stage"]): r["state"] for r in json.loads(proc.stdout)}
    assert rows["INC-2026-101", "notification"] == "due"
    assert "as of 2026-09-20 00:00:00 UTC" in proc.stderr


def test_text_output_says_what_a_stage_waits_for_and_why_it_was_late(library_root: Path) -> None:
    """The table's NOTE column: the anchor a waiting stage needs, the reason for a delay,
    the reason an obligation is not reportable."""
    out = postmortems(library_root, "reporting").stdout
    line = {tuple(row.split()[2:6:3]): row for row in out.splitlines()[1:]}
    assert line["INC-2026-102", "intermediate-report"].endswith("waiting for requested")
    assert line["INC-2026-102", "communication"].split()[1] == "without-undue-delay"
    assert line["INC-2026-102", "early-warning"].endswith(
        "delay: The CSIRT portal was down from 07:00 to 09:15."
    )
    assert line["INC-2026-102", "report"].endswith(
        "not reportable: No serious incident as Article 3(49) defines it."
    )


def test_lint_clears_a_late_filing_that_gives_its_reasons(library_root: Path) -> None:
    """A late stage with delay_reason is no `reporting-late` warning: `lint --strict` passes."""
    proc = postmortems(library_root, "lint", "--strict", "--no-hints", "--format", "json")
    findings = json.loads(proc.stdout)
    assert [f for f in findings if f["rule"] == "reporting-late"] == []
    assert proc.returncode == 0, proc.stdout


def test_the_overdue_message_never_suggests_changing_the_decision(library_root: Path) -> None:
    """reporting-overdue says to file and record the filing, not to decide otherwise."""
    epoch = str(int(utc(2026, 9, 20, 3, 34).timestamp()))
    findings = json.loads(postmortems(library_root, "lint", "--format", "json", epoch=epoch).stdout)
    [overdue] = [
        f
        for f in findings
        if f["rule"] == "reporting-overdue" and f["path"] == "docs/INC-2026-101.md"
    ]
    assert "file it" in overdue["message"] and "delay_reason" in overdue["message"]
    assert "not-reportable" not in overdue["message"] and "decision" not in overdue["message"]


def test_unknown_stage_suggests_only_a_typos_distance(write_site: Callable[..., Path]) -> None:
    """`final-reprot` suggests `final-report`; `intermediate-report` on a regime without it
    (GDPR) suggests nothing, least of all another stage."""
    reporting = """
  aware: 2026-09-01T08:00:00Z
  obligations:
    - regime: nis2-art23
      trigger: significant-incident
      decision: reportable
      decided_by: legal-team
      reports:
        - {stage: final-reprot, filed: 2026-09-02T08:00:00Z}
    - regime: dora-art19
      trigger: major-ict-incident
      decision: reportable
      decided_by: legal-team
      reports:
        - {stage: notification, filed: 2026-09-02T08:00:00Z}
    - regime: gdpr-art33
      trigger: personal-data-breach
      decision: reportable
      decided_by: legal-team
      reports:
        - {stage: intermediate-report, filed: 2026-09-02T08:00:00Z}"""
    root = write_site({"INC-2026-110.md": _incident("INC-2026-110", reporting)})
    findings = json.loads(postmortems(root, "lint", "--format", "json").stdout)
    messages = [f["message"] for f in findings if f["rule"] == "unknown-stage"]
    assert len(messages) == 3
    assert messages[0].endswith("(did you mean 'final-report'?)")
    assert "did you mean" not in messages[1] + messages[2]


# --- the site -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(library_root: Path) -> Path:
    """Built strictly as of 17 Sept 03:34 UTC, on a machine whose calendar is a day ahead."""
    out, proc = build_strictly(library_root, EPOCH, tz="Pacific/Kiritimati")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


def test_the_reporting_page_shows_waiting_undue_delay_and_reasons(built: Path) -> None:
    """reporting/ as of the build's instant: waiting with what it waits for, 'without undue
    delay' for a stage with no fixed length, the reasons for a delay and for not reporting."""
    article = content(built, "reporting/")
    assert "as of 2026-09-17 03:34 UTC" in article.text
    rows = {(r[0], r[3]): r for r in article.table("Reporting stages").rows()}
    assert rows["INC-2026-102", "intermediate-report"][4] == "not started: waits for requested"
    assert rows["INC-2026-102", "intermediate-report"][6] == "waiting"
    assert rows["INC-2026-102", "communication"][4] == "without undue delay"
    assert rows["INC-2026-102", "communication"][6] == "due"
    assert rows["INC-2026-102", "early-warning"][6] == (
        "reported-late (reason for the delay: The CSIRT portal was down from 07:00 to 09:15.)"
    )
    assert rows["INC-2026-102", "report"][7] == (
        "not-reportable by legal-team on 2026-09-12 "
        "(reason: No serious incident as Article 3(49) defines it.)"
    )


def test_the_incident_card_shows_the_new_states(built: Path) -> None:
    """An incident's card lists its waiting and without-undue-delay stages."""
    rows = (
        content(built, "incidents/INC-2026-102/")
        .table("Reporting obligations of INC-2026-102")
        .rows()
    )
    states = {r[2]: (r[3], r[5]) for r in rows}
    assert states["intermediate-report"] == ("not started: waits for requested", "waiting")
    assert states["communication"] == ("without undue delay", "due")


def test_a_restricted_incidents_obligations_are_absent_from_the_site(built: Path) -> None:
    """No file of the built site (gzip members too) holds the restricted incident's
    obligations: ids, who decided, references, delay and decision reasons."""
    leaks = [
        (path.relative_to(built).as_posix(), mark.decode())
        for path, data in all_files(built)
        for mark in RESTRICTED_MARKS
        if mark in data
    ]
    assert leaks == []
    assert "dora-art19" not in content(built, "reporting/").text


@pytest.mark.parametrize(
    "when",
    ["0001-01-01T00:00:00Z", "0001-01-01", "9999-12-31", "9999-12-31T23:00:00-05:00"],
)
@pytest.mark.parametrize("now", [utc(1, 1, 1), utc(9999, 12, 31, 23, 59)])
def test_instants_at_the_ends_of_the_calendar_do_not_crash(when: str, now: dt.datetime) -> None:
    """Anchors, filings and requests at year 1 or 9999, in a business-day zone west of UTC
    or a clock of a month, saturate instead of overflowing."""
    block = form_8_k(when, when)
    block["obligations"][0]["reports"] = [{"stage": "form-8-k", "filed": when}]
    block["obligations"].insert(
        0,
        obligation(
            "dora-art19",
            "major-ict-incident",
            {"stage": "intermediate-report", "requested": when, "filed": when},
            anchors={"classified": when},
        ),
    )
    assert set(rows_of(block, now)) == {
        "initial-notification",
        "intermediate-report",
        "final-report",
    }
