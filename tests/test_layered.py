"""Layered analysis beyond the example files: the systemic-fix phrase lists
on sentences that must and must not fire, linear-time matching, the messages
users see in lint and build, and the exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from conftest import postmortem_text, run_cli
from mkdocs_postmortems.check.layered import recurrences, try_harder
from mkdocs_postmortems.model import ActionItem, Factor, Postmortem
from sitekit import build, run_mkdocs

MUST_FIRE = [
    ("Remind reviewers to be more careful", "be reminded"),
    ("Send a reminder to the support team about the refund policy", "be reminded"),
    ("Retrain support staff on the refund policy", "be trained"),
    ("Re-train the on-call engineers on the runbook", "be trained"),
    ("Run annual training on AI limitations for all staff", "be trained"),
    ("Educate users about prompt injection", "be trained"),
    ("Engineers must be more careful when editing prompts", "take more care"),
    ("Pay closer attention to answers about refunds", "take more care"),
    ("Operators should stay vigilant during long shifts", "take more care"),
    ("Double-check every citation by hand before filing", "check by hand"),
    ("Reviewers double check generated code", "check by hand"),
    ("Manually verify each price the chat states", "check by hand"),
    ("Reprimand the engineer who merged the change", "be reprimanded"),
    ("Start disciplinary proceedings for the operator", "be reprimanded"),
    ("Hold engineers accountable for model regressions", "be reprimanded"),
    ("REMIND THE TEAM TO FOLLOW THE CHECKS", "be reminded"),
]
MUST_NOT_FIRE = [
    # The system changes, reminder or not.
    "Send an automated reminder when a policy document is older than the policy",
    "Add an alert that reminds the on-call engineer of stale indexes",
    "Add a check that blocks releases without a passing evaluation",
    "Block the deploy unless the evaluation suite has passed",
    "Make two-person approval the default for prompt changes",
    # Training a system, not people.
    "Add the failure cases to the training data",
    "Retrain the model on corrected labels",
    "Retrain the ranking model every week",
    "Model retraining with fresh data",
    "Provide an internally hosted assistant with no training on user inputs",
    "Fine-tune on the new safety examples",
    "Train a classifier to catch abusive prompts",
    # Ordinary systemic fixes with words that look close.
    "Name an accountable owner for the assistant's statements",
    "Show an in-product warning when the assistant is asked for case law",
    "Route refund questions to a human agent",
    "Ground all policy answers in retrieved policy text",
    "Take the generative component offline and fall back to scripted flows",
    "Careful rollout: canary releases with automatic rollback",
    "",
]


@pytest.mark.parametrize(("title", "kind"), MUST_FIRE)
def test_try_harder_titles_fire(title: str, kind: str) -> None:
    """An item that only asks people to try harder is caught, with the kind of ask named."""
    hit = try_harder(title)
    assert hit is not None and hit[0] == kind, hit


@pytest.mark.parametrize("title", MUST_NOT_FIRE)
def test_system_changes_do_not_fire(title: str) -> None:
    """An item that changes the system is left alone, whatever words it shares with blame."""
    assert try_harder(title) is None


def _seconds(title: str) -> float:
    """CPU time of this thread, the best of several runs: other processes on a
    busy machine delay the wall clock, not this."""
    best = float("inf")
    for _ in range(5):
        start = time.thread_time()
        try_harder(title)
        best = min(best, time.thread_time() - start)
    return best


@pytest.mark.parametrize(
    "unit", ["double ", "remind ", "re train ", "manually ", "hold ", "a" * 40 + " "]
)
def test_matching_is_linear_in_the_title(unit: str) -> None:
    """Ten times the text costs about ten times the time, not a hundred (ratio, generous)."""
    small, large = unit * 2_000, unit * 20_000
    _seconds(small)  # warm up
    ratio = _seconds(large) / max(_seconds(small), 1e-6)
    assert ratio < 30, ratio


NO_LAYERS = postmortem_text(ruled_out=None)


def test_lint_message_names_the_layers_and_shows_the_yaml(
    write_site: Callable[..., Path],
) -> None:
    """layer-not-considered names each missing layer and shows ruled_out YAML that parses."""
    root = write_site({"INC-2025-014.md": NO_LAYERS})
    proc = run_cli("lint", "--format", "json", cwd=root)
    assert proc.returncode == 0, proc.stdout
    (finding,) = [f for f in json.loads(proc.stdout) if f["rule"] == "layer-not-considered"]
    assert finding["severity"] == "warning"
    assert finding["line"] == NO_LAYERS.splitlines().index("factors: ") + 1
    message = finding["message"]
    assert message.startswith("layers data, human-in-the-loop, process have neither")
    shown = yaml.safe_load(message.split("write ", 1)[1])
    assert [e["layer"] for e in shown["ruled_out"]] == ["data", "human-in-the-loop", "process"]
    assert all(e["reason"] for e in shown["ruled_out"])
    strict = run_cli("lint", "--strict", cwd=root)
    assert strict.returncode == 1


def test_build_logs_the_warning_and_strict_fails_on_it(
    write_site: Callable[..., Path],
) -> None:
    """mkdocs build reports layer-not-considered as lint does; --strict fails on it."""
    root = write_site({"INC-2025-014.md": NO_LAYERS})
    loose = run_mkdocs(root, strict=False)
    assert loose.returncode == 0
    assert "INC-2025-014.md:11:1: warning layer-not-considered: layers data," in loose.stderr
    assert run_mkdocs(root, strict=True).returncode == 1


def test_ruled_out_conflict_fails_the_build(write_site: Callable[..., Path]) -> None:
    """A layer both ruled out and carrying a factor is an error: the build fails."""
    text = postmortem_text(
        ruled_out="\n  - layer: model\n    reason: Not involved.\n  - layer: data\n    reason: x"
        "\n  - layer: human-in-the-loop\n    reason: y\n  - layer: process\n    reason: z"
    )
    root = write_site({"INC-2025-014.md": text})
    proc = run_mkdocs(root, strict=False)
    assert proc.returncode == 1
    assert "error ruled-out-conflict: layer 'model' is ruled out but carries a factor" in (
        proc.stderr
    )


def test_exports_carry_ruled_out_and_closed(write_site: Callable[..., Path]) -> None:
    """incidents.json carries ruled_out as written and each item's closed date in ISO 8601."""
    items = (
        "\n  - title: Refuse unsupported answers\n    layer: model\n    type: prevent"
        "\n    owner: team-x\n    due: 2025-05-01\n    status: done\n    closed: '2025-04-20'"
    )
    root = write_site({"INC-2025-014.md": postmortem_text(action_items=items)})
    site = build(root)
    (record,) = json.loads((site / "incidents.json").read_text(encoding="utf-8"))["incidents"]
    assert record["action_items"][0]["closed"] == "2025-04-20"
    assert [r["layer"] for r in record["ruled_out"]] == ["data", "human-in-the-loop", "process"]
    assert record["ruled_out"][0]["reason"] == "The policy index held the current policy."


def test_csv_carries_ruled_out_and_closed(write_site: Callable[..., Path]) -> None:
    """The CSV export has a ruled_out column and each item's closed date."""
    items = (
        "\n  - title: Refuse unsupported answers\n    layer: model\n    type: prevent"
        "\n    owner: team-x\n    due: 2025-05-01\n    status: done\n    closed: 2025-04-20"
    )
    root = write_site({"INC-2025-014.md": postmortem_text(action_items=items)})
    proc = run_cli("export", "--format", "csv", cwd=root)
    assert proc.returncode == 0, proc.stderr
    (row,) = csv.DictReader(io.StringIO(proc.stdout, newline=""))
    assert row["action_items"] == (
        "Refuse unsupported answers (team-x, done, due 2025-05-01, closed 2025-04-20)"
    )
    assert row["ruled_out"].split("; ")[0] == "data: The policy index held the current policy."
    assert [r.split(":")[0] for r in row["ruled_out"].split("; ")] == [
        "data",
        "human-in-the-loop",
        "process",
    ]


def _pm(pm_id: str, began: dt.date, *items: ActionItem) -> Postmortem:
    return Postmortem(
        id=pm_id,
        title=pm_id,
        status="final",
        severity="SEV3",
        date=began,
        summary="s",
        systems=("bot",),
        src_path=f"{pm_id}.md",
        body="",
        body_line=1,
        factors=(Factor("model", "hallucination", "s"),),
        action_items=items,
    )


def _fix(due: dt.date, status: str = "done", closed: dt.date | None = None) -> ActionItem:
    return ActionItem("Fix", "model", "prevent", "team", due, status, closed=closed)


def test_each_recurrence_links_the_nearest_fix_before_it() -> None:
    """Of several earlier fixes, a recurrence links the one done last before it began."""
    day = dt.date
    library = [
        _pm("INC-2024-001", day(2024, 1, 1), _fix(day(2024, 9, 1), closed=day(2024, 2, 1))),
        _pm("INC-2024-002", day(2024, 1, 20), _fix(day(2024, 3, 1))),
        _pm("INC-2024-003", day(2024, 2, 15)),
        _pm("INC-2024-004", day(2024, 4, 1), _fix(day(2024, 3, 20), status="in-progress")),
        _pm("INC-2024-005", day(2024, 1, 1)),
    ]
    found = [(r.later.id, r.earlier.id, r.fixed) for r in recurrences(library, "hallucination")]
    assert found == [
        ("INC-2024-004", "INC-2024-002", day(2024, 3, 1)),
        ("INC-2024-003", "INC-2024-001", day(2024, 2, 1)),
    ]
    assert recurrences(library, "prompt-injection") == []
