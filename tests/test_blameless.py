"""Blameless-language review: every rule, where it looks, where it does not."""

from __future__ import annotations

import signal
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from mkdocs_postmortems.adapters.cli import cli
from mkdocs_postmortems.check.blameless import (
    BLAMELESS_PHRASES,
    KINDS,
    narrative_lines,
    option_problems,
)
from mkdocs_postmortems.check.blameless import review as review_language
from mkdocs_postmortems.check.checks import check_document
from mkdocs_postmortems.model import Finding, Severity
from mkdocs_postmortems.parse.frontmatter import read_document
from mkdocs_postmortems.rules import LANGUAGE, RULES
from mkdocs_postmortems.settings import Settings

FRONT = """---
id: INC-2025-001
title: Assistant answered with a replaced refund policy
status: draft
severity: SEV3
date: 2025-03-14
summary: The assistant quoted a policy that had been replaced.
systems: [support-assistant]
"""


def page(body: str = "", front: str = "") -> str:
    """A postmortem file: fixed front matter, extra front-matter lines, body."""
    return f"{FRONT}{textwrap.dedent(front)}---\n\n{textwrap.dedent(body)}"


def review(text: str, settings: Settings | None = None) -> list[Finding]:
    doc = read_document(text.encode("utf-8"), "INC-2025-001.md")
    checked = check_document(doc, None, settings or Settings())
    return [f for f in checked.findings if f.rule.startswith("blameless-")]


def place(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """1-based line and column of the nth occurrence of needle in text."""
    at = -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    line_start = text.rfind("\n", 0, at) + 1
    return text.count("\n", 0, at) + 1, at - line_start + 1


def spots(findings: list[Finding]) -> list[tuple[str, int, int]]:
    return [(f.rule, f.line, f.column) for f in findings]


@pytest.mark.parametrize(
    ("rule", "sentence", "phrase"),
    [
        ("blameless-counterfactual", "The on-call engineer should have seen it.", "should have"),
        ("blameless-counterfactual", "The reviewer could\u2019ve caught it.", "could\u2019ve"),
        ("blameless-counterfactual", "The team failed to roll back in time.", "failed to"),
        ("blameless-counterfactual", "If only the alert had fired.", "If only"),
        ("blameless-human-error", "The root cause was Human Error.", "Human Error"),
        ("blameless-human-error", "Classic operator-error during the rollout.", "operator-error"),
        ("blameless-human-error", "It was put down to user error.", "user error"),
        ("blameless-judgement", "A careless review let the prompt through.", "careless"),
        ("blameless-judgement", "The rollout was SLOPPY.", "SLOPPY"),
        ("blameless-judgement", "Support dropped the ball on escalation.", "dropped the ball"),
        ("blameless-minimiser", "The fix was simply a rollback.", "simply"),
        ("blameless-minimiser", "Obviously the reviewer missed it.", "Obviously"),
        ("blameless-minimiser", "Of course nobody checked the index.", "Of course"),
        ("blameless-minimiser", "It was easy to spot the stale index.", "easy"),
        ("blameless-person", "Then @jdoe merged the change.", "@jdoe"),
        ("blameless-person", "Reported by jane.doe@example.com on Monday.", "jane.doe@example.com"),
    ],
)
def test_each_rule_reports_the_phrase_at_its_line_and_column(
    rule: str, sentence: str, phrase: str
) -> None:
    """Each rule warns at the exact line and column of the phrase in the file."""
    text = page(f"## What happened\n\nFirst line of the story.\n{sentence}\n")
    found = review(text)
    assert spots(found) == [(rule, *place(text, phrase))]
    assert found[0].severity is Severity.WARNING
    assert found[0].message.startswith(f'"{phrase}": ')


def test_line_numbers_count_front_matter_and_blank_lines() -> None:
    """The line is the file's line, counted from the opening '---'."""
    text = page("## What happened\n\n\nThe engineer simply restarted it.\n")
    assert text.splitlines()[13] == "The engineer simply restarted it."
    assert spots(review(text)) == [("blameless-minimiser", 14, 14)]


def test_message_proposes_a_blameless_rewrite() -> None:
    """The warning says why and gives the rewrite of its kind of sentence next to a blameful one."""
    (finding,) = review(page("The on-call engineer should have seen the alert.\n"))
    rule = RULES["blameless-counterfactual"]
    example, rewrite = KINDS["should-have"]
    assert rule.advice in finding.message
    assert f'"{rewrite}" instead of "{example}"' in finding.message


@pytest.mark.parametrize(
    "body",
    [
        'The customer wrote "you should have told me" in the complaint.\n',
        "The customer wrote “you should have told me” in the complaint.\n",
        "> You should have told me, the customer wrote.\n",
        "> The customer wrote:\nyou should have told me, a lazy continuation line.\n",
        "Run `just deploy` to ship.\n",
        "```text\nuser error: should have been simple\n```\n",
        "~~~~\nuser error\n~~~~\n",
        "Before the code:\n\n    just a human error in an indented code block\n",
        "<!-- a note: this was simply a human error -->\n",
        "<!--\nsimply\nhuman error\n-->\n",
        "See https://example.com/simply/human-error and [the log](../just/log.md).\n",
        "The job started just before midnight, just after the deploy.\n",
        "A just-in-time cache adjusted the justification.\n",
        "Automation complacency makes long monitoring shifts hard.\n",
        "This was simply a human error. <!-- blameless: ignore -->\n",
        "<!-- blameless: ignore -->\nThis was simply a human error.\n",
        "Write to `oncall@example.com`, the team mailbox.\n",
    ],
)
def test_quoted_code_and_opted_out_text_is_left_alone(body: str) -> None:
    """Quotes, blockquotes, code, comments, URLs, descriptions and opt-outs raise nothing."""
    assert review(page(body)) == []


def test_a_phrase_wrapped_over_two_lines_is_found_where_it_starts() -> None:
    """Hard-wrapped paragraphs hide nothing: the finding is where the phrase begins."""
    text = page("The root cause was put down to human\nerror by the reviewer.\n")
    (finding,) = review(text)
    assert (finding.rule, finding.line, finding.column) == (
        "blameless-human-error",
        *place(text, "human"),
    )
    assert finding.message.startswith('"human error": ')


@pytest.mark.parametrize(
    "body",
    [
        "The root cause was human\n\nerror handling.\n",
        'The customer wrote "you should\nhave told me" in a complaint.\n',
        "Run `just\ndeploy` to ship.\n",
    ],
)
def test_paragraph_breaks_and_wrapped_quotes_stop_a_phrase(body: str) -> None:
    """A blank line ends a phrase; a quotation or code span may wrap inside a paragraph."""
    assert review(page(body)) == []


def test_an_unclosed_quote_ends_at_the_paragraph() -> None:
    """A stray quote mark hides its paragraph at most, never the rest of the file."""
    text = page('A stray " mark here.\n\nThe fix was simply a rollback.\n')
    assert spots(review(text)) == [("blameless-minimiser", *place(text, "simply"))]


def test_opt_out_on_the_line_before_covers_only_the_next_line() -> None:
    """A comment alone on a line exempts the next line, not the one after it."""
    text = page("<!-- blameless: ignore -->\nhuman error one.\nhuman error two.\n")
    assert spots(review(text)) == [("blameless-human-error", *place(text, "human error", 1))]


def test_text_after_a_code_block_or_blockquote_is_checked_again() -> None:
    """Skipping ends with the fence or the blank line that closes the quote."""
    text = page("```\ncareless\n```\n> careless\n\nThis is careless work.\n")
    assert spots(review(text)) == [("blameless-judgement", *place(text, "careless", 2))]


def test_list_continuation_indented_four_spaces_is_narrative() -> None:
    """An indented paragraph inside a list item is text, not an indented code block."""
    text = page("- First item.\n\n    The rollback was simply late.\n")
    assert spots(review(text)) == [("blameless-minimiser", *place(text, "simply"))]


def test_headings_and_table_cells_are_checked() -> None:
    """Narrative in headings and tables is reviewed like any paragraph."""
    text = page("## Human error?\n\n| step | note |\n|---|---|\n| 1 | careless restart |\n")
    assert spots(review(text)) == [
        ("blameless-human-error", *place(text, "Human error")),
        ("blameless-judgement", *place(text, "careless")),
    ]


def test_factor_summary_on_one_line_gives_the_column_of_the_phrase() -> None:
    """In a plain one-line factor summary the column points at the phrase itself."""
    text = page(
        front="""\
        factors:
          - layer: process
            category: evaluation-gap
            summary: The release review was careless about policy questions.
        """
    )
    assert spots(review(text)) == [("blameless-judgement", *place(text, "careless"))]


@pytest.mark.parametrize(
    ("summary", "phrase"),
    [
        ("'The reviewer''s check was sloppy.'", "sloppy"),
        ('"A \\"check\\" that was sloppy."', "sloppy"),
    ],
)
def test_quoted_one_line_summaries_account_for_escapes(summary: str, phrase: str) -> None:
    """Quoted YAML scalars map to the file column even after '' or \\" escapes."""
    text = page(
        front=f"""\
        factors:
          - layer: process
            category: evaluation-gap
            summary: {summary}
        """
    )
    assert spots(review(text)) == [("blameless-judgement", *place(text, phrase))]


def test_folded_summary_points_at_the_start_of_the_value() -> None:
    """A multi-line summary is reported where its value starts."""
    text = page(
        front="""\
        factors:
          - layer: process
            category: evaluation-gap
            summary: >-
              Nobody owned the prompt, and the release
              process was mismanaged.
        """
    )
    assert spots(review(text)) == [("blameless-judgement", *place(text, ">-"))]


def test_title_and_summary_are_reviewed() -> None:
    """The headline and the summary are narrative too."""
    text = (
        page()
        .replace("title: Assistant answered", "title: Operator error, assistant answered")
        .replace("summary: The assistant", "summary: Sloppy, the assistant")
    )
    assert spots(review(text)) == [
        ("blameless-human-error", *place(text, "Operator error")),
        ("blameless-judgement", *place(text, "Sloppy")),
    ]


def test_action_item_owners_are_not_people_in_the_narrative() -> None:
    """Handles in action items are owners, which is where names belong."""
    text = page(
        front="""\
        action_items:
          - title: Add policy questions to the release evaluation
            layer: process
            type: prevent
            owner: "@support-ai-team"
            due: 2025-05-01
            status: open
        """
    )
    assert review(text) == []


@pytest.mark.parametrize("value", ["off", "false", "'off'", "no"])
def test_x_blameless_off_switches_the_file_off(value: str) -> None:
    """`x-blameless: off` (however YAML reads it) silences every language rule."""
    text = page("This was simply a human error by @jdoe.\n", front=f"x-blameless: {value}\n")
    assert review(text) == []


def test_x_blameless_list_switches_off_only_those_rules() -> None:
    """A list of rule ids silences those rules and keeps the others."""
    text = page("This was simply a human error.\n", front="x-blameless: [blameless-minimiser]\n")
    assert [f.rule for f in review(text)] == ["blameless-human-error"]


def test_team_phrases_extend_the_built_in_lists() -> None:
    """Phrases from the plugin option are matched as whole words, any case."""
    settings = Settings(
        blameless_phrases={"blameless-judgement": ["heedless"], "blameless-person": ["Alice"]}
    )
    text = page("A HEEDLESS change; alice approved it. Heedlessness is another word.\n")
    assert spots(review(text, settings)) == [
        ("blameless-judgement", *place(text, "HEEDLESS")),
        ("blameless-person", *place(text, "alice")),
    ]
    assert review(text) == []


def test_mangled_phrase_option_is_ignored_by_the_review() -> None:
    """An option of the wrong shape never breaks the review (the config check reports it)."""
    for weird in ([1, 2], "heedless", {"blameless-judgement": [None, 3, ""]}, {"x": "y"}):
        assert review(page("Human error.\n"), Settings(blameless_phrases=weird))  # type: ignore[arg-type]


def test_option_problems_name_unknown_rules_and_bad_lists() -> None:
    """The option check says which rule id is unknown (with a suggestion) and which list is bad."""
    assert option_problems({"blameless-judgement": ["heedless"]}) == []
    (unknown,) = option_problems({"blameless-judgment": ["x"]})
    assert "did you mean 'blameless-judgement'" in unknown
    (bad,) = option_problems({"blameless-minimiser": "basically"})
    assert "must be a list of phrases" in bad
    assert option_problems(["x"])


def test_bad_input_never_raises() -> None:
    """Odd types, unclosed fences and stray markup give findings or nothing, never a traceback."""
    texts = [
        page("```\nunclosed fence\n", front="factors: simply\n"),
        page("<!-- unclosed comment\n", front="factors: [1, null, {summary: 5}]\nx-blameless: 3\n"),
        page('`unclosed code span and "unclosed quote simply\n'),
        page("\t\tTabbed just text\n> \n>\n```\n"),
        "---\n- a list\n---\nsimply\n",
        "no front matter at all, simply\n",
    ]
    for text in texts:
        review(text)
    assert list(narrative_lines("\x00\r\n\ufeff``` \n~~~\n")) is not None


def test_every_language_rule_is_registered_with_its_phrases() -> None:
    """The phrase data and the rule registry name the same rules."""
    language = {r.id for r in RULES.values() if r.group == LANGUAGE}
    assert set(BLAMELESS_PHRASES) == language


def test_registry_examples_trip_their_rule_and_rewrites_trip_none() -> None:
    """The guide's blameful example triggers its rule; the blameless rewrite triggers nothing."""
    for rule in (r for r in RULES.values() if r.group == LANGUAGE):
        assert {f.rule for f in review(page(rule.example + "\n"))} == {rule.id}, rule.id
        assert review(page(rule.rewrite + "\n")) == [], rule.id


def test_lint_reports_warnings_that_fail_only_under_strict(
    write_site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Language warnings leave lint at exit 0, and fail it with --strict."""
    site = write_site({"INC-2025-001.md": page("## What happened\n\nIt was human error.\n")})
    monkeypatch.chdir(site)
    runner = CliRunner()
    result = runner.invoke(cli, ["lint", "--no-hints"])
    assert result.exit_code == 0, result.output
    assert "warning blameless-human-error" in result.output
    assert runner.invoke(cli, ["lint", "--no-hints", "--strict"]).exit_code == 1


def test_plugin_option_extends_phrases_through_mkdocs_yml(
    write_site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`blameless_phrases` in mkdocs.yml reaches lint; an unknown rule id is a usage error."""
    text = page("A heedless change.\n")
    site = write_site(
        {"INC-2025-001.md": text},
        plugin_options="blameless_phrases:\n  blameless-judgement: [heedless]",
    )
    monkeypatch.chdir(site)
    result = CliRunner().invoke(cli, ["lint", "--format", "json"])
    line, col = place(text, "heedless")
    assert f'"line": {line}' in result.output and f'"column": {col}' in result.output
    assert '"rule": "blameless-judgement"' in result.output
    write_site({}, plugin_options="blameless_phrases:\n  blameless-carelessness: [x]")
    bad = CliRunner().invoke(cli, ["lint"])
    assert bad.exit_code == 2
    assert "blameless-carelessness" in bad.output and "not a blameless-language rule" in bad.output


@pytest.mark.parametrize(
    "line",
    [
        "".join("`" * k + "a" for k in range(1, 700)),
        "<!--a" * 60_000,
        "a." * 150_000,
        "](" * 150_000,
        "\u201ca" * 150_000,
        "@a." * 100_000,
        "just before " * 40_000 + "just " * 20_000,
        '"\n' + "a\n" * 100_000,
    ],
    ids=[
        "backtick-runs",
        "open-comments",
        "dotted",
        "link-openers",
        "open-quotes",
        "handles",
        "many-exempt",
        "open-quote-lines",
    ],
)
def test_hostile_lines_do_not_hang_the_review(line: str) -> None:
    """Lines built to make naive patterns backtrack (minutes before) finish: a hang guard,
    not a speed check (SIGALRM after 120 s turns a hang into a failure)."""

    def hang(signum: int, frame: object) -> None:
        raise TimeoutError("the blameless review hung on a hostile line")

    previous = signal.signal(signal.SIGALRM, hang)
    signal.alarm(120)
    try:
        assert isinstance(review(page(line + "\n")), list)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# Each hostile input as a function of a size n (in characters, about): runs
# that a backtracking pattern would try in every split, after each word that
# can start a phrase, plus the shapes that stress quotes, code and addresses.
HOSTILE: dict[str, Callable[[int], str]] = {
    "spaces": lambda n: "a" + " " * n + "b",
    "spaces-after-should": lambda n: "should" + " " * n + "x",
    "spaces-after-human": lambda n: "The human" + " " * n + "x",
    "spaces-after-just": lambda n: "just" + " " * n + "x",
    "spaces-after-failed": lambda n: "The engineer failed" + " " * n + "x",
    "tabs-and-hyphens": lambda n: "dropped" + " -\t" * (n // 3) + "x",
    "spaces-around-a-line-break": lambda n: "human" + " " * (n // 2) + "\n" + " " * (n // 2),
    "long-word": lambda n: "A" + "a" * n,
    "trigger-prefixes": lambda n: "shoul human hum fail just jus " * (n // 30),
    "trigger-words": lambda n: "should human failed just simply Alice said " * (n // 43),
    "capitalised-words": lambda n: "Alice Bob Carol " * (n // 16),
    "many-quotes": lambda n: '"a' * (n // 2),
    "curly-quotes": lambda n: "\u201ca" * (n // 2),
    "many-at-signs": lambda n: "@" * n,
    "addresses": lambda n: "a@" * (n // 2),
    "dotted-domain": lambda n: "a@" + "b." * (n // 2) + "-",
    "handles": lambda n: "@a." * (n // 3),
    "backticks": lambda n: "`a" * (n // 2),
    "sentence-ends": lambda n: ". " * (n // 2),
    # One long sentence full of phrases that are checked in context.
    "context-in-one-sentence": lambda n: (
        "we failed to see it and should have been told " * (n // 46)
    ),
    "names-before-verbs": lambda n: "Alice notified Bob and Carol reviewed " * (n // 37),
    "judgement-phrases": lambda n: "someone wrote a poorly written tired admin " * (n // 43),
    "minimisers-about-work": lambda n: "the fix was simply just had to obviously we " * (n // 44),
    # Sentence structure: slips read back to their subjects, in one long sentence.
    "slips-and-subjects": lambda n: "I forgot and we hurriedly deleted it but " * (n // 41),
    "names-with-slips": lambda n: "Marta Jonas Dana deleted the wrong " * (n // 34),
    "buts-before-a-slip": lambda n: "but " * (n // 4) + "forgot",
    "failed-to-chains": lambda n: "Jonas failed to " * (n // 16),
    # Predicates read with their neighbours: marks, states, lacks, denials, guilt.
    "verdicts-in-one-sentence": lambda n: (
        "accidentally got distracted lack of developer awareness wasn't a strong "
        "engineer my fault Ana, guilty, did it instead " * (n // 118)
    ),
    "digits-before-slips": lambda n: "1 " * (n // 4) + "forgot it " * (n // 20),
    "caused-by-chains": lambda n: "caused by the loss of it by " * (n // 28),
    "people-errors": lambda n: "user input error operator " * (n // 26),
    "byline-addresses": lambda n: "Author: " + "x@y.org " * (n // 8),
    "passive-and-harm": lambda n: "I was very tired and were misdirected and wiped " * (n // 48),
    "undone-acts": lambda n: "And nobody hadn't never tested who introduced the bug " * (n // 54),
    "verdicts-and-hindsight": lambda n: (
        "my own big mistake in a rush without any checking rather than blame should I have "
        "if we had tested in hindsight lazy of me typo by the a an " * (n // 140)
    ),
    # The writer owning a failure, verdicts after a copula, beliefs, choices,
    # and a team's slips with their reasons, each read with its neighbours.
    "owning-and-verdicts": lambda n: (
        "that's on me it was me who mea culpa I take responsibility for I'll own this "
        "is mine to all I had to do was I was way too confident got it wrong " * (n // 145)
    ),
    "beliefs-and-choices": lambda n: (
        "I dropped it thinking it was by mistake if i'd checked instead of editing "
        "should've my call a bad one failed at mixed up on " * (n // 124)
    ),
    "group-slips-and-reasons": lambda n: (
        "we skipped it because the we never documented as planned nobody renewed since a "
        * (n // 80)
    ),
}


class _OverBudget(Exception):
    pass


def _review_seconds(body: str, summary: str, budget: float = 600.0, repeat: int = 1) -> float:
    """Seconds that `repeat` blameless reviews of one postmortem take, best of
    five. A run past `budget` CPU seconds is stopped (SIGPROF), so a quadratic
    pattern fails the test instead of stalling it."""
    # Not page(): its dedent would empty the lines of spaces the input is made of.
    doc = read_document(f"{FRONT}---\n\n{body}\n".encode(), "INC-2025-001.md")
    data = {**doc.data, "summary": summary}

    def over(signum: int, frame: object) -> None:
        raise _OverBudget

    previous = signal.signal(signal.SIGPROF, over)
    best = float("inf")
    try:
        for _ in range(5):
            signal.setitimer(signal.ITIMER_PROF, budget)
            start = time.perf_counter()
            for _ in range(repeat):
                review_language(doc, data)
            best = min(best, time.perf_counter() - start)
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)
    return best


@pytest.mark.parametrize("kind", list(HOSTILE), ids=list(HOSTILE))
def test_blameless_review_is_linear_in_hostile_input(kind: str) -> None:
    """Ten times the hostile input (in the body and in the summary) costs about ten
    times the time, far below the hundredfold of a quadratic pattern. Ten reviews
    of the small input and one of the large one are equal work, timed alike."""
    make = HOSTILE[kind]
    # Warm the caches (compiled patterns) so the first measurement is not penalised.
    _review_seconds(make(100), make(100))
    try:
        # A hang guard (linear work takes milliseconds here), not a speed check.
        small = _review_seconds(make(20_000), make(20_000), budget=30.0, repeat=10) / 10
    except _OverBudget:
        pytest.fail(f"{kind}: ten reviews of 20,000 characters took more than 30 s of CPU")
    try:
        large = _review_seconds(make(200_000), make(200_000), budget=30 * small + 2)
    except _OverBudget:
        pytest.fail(f"{kind}: 10x input took more than {30 * small + 2:.1f} s of CPU")
    ratio = large / small
    print(f"{kind}: {small * 1e3:.1f} ms -> {large * 1e3:.1f} ms, ratio {ratio:.1f}")
    assert ratio < 30, f"{kind}: 10x input took {ratio:.0f}x the time"


# Blaming sentences and their blame-free twins, one pair for each context the
# review tells apart (written for these tests, modelled on real postmortems).
TWINS = [
    # counterfactual: who failed, hindsight or need, questions
    (
        "blameless-counterfactual",
        "The on-call engineer failed to notice the alert.",
        "The job failed to start after the deploy.",
    ),
    (
        "blameless-counterfactual",
        "The operator saw the alarm but failed to act on it.",
        "The generator started but failed to deliver stable power.",
    ),
    (
        "blameless-counterfactual",
        "Unfortunately we failed to verify the backup.",
        "The backup job failed to verify the snapshot.",
    ),
    (
        "blameless-counterfactual",
        "The failure of the reviewer to escalate delayed the fix.",
        "The failure of the disk to respond delayed the fix.",
    ),
    (
        "blameless-counterfactual",
        "The reviewer should have caught the change.",
        "Critical workloads should have priority over batch jobs.",
    ),
    (
        "blameless-counterfactual",
        "The expired certificate should have been renewed.",
        "Each repository should have clear rules for merging.",
    ),
    (
        "blameless-counterfactual",
        "We should have rolled back sooner.",
        "This alone should have resulted in a short outage.",
    ),
    (
        "blameless-counterfactual",
        "We could have caught this in review.",
        "A longer stall could have caused a larger adjustment.",
    ),
    (
        "blameless-counterfactual",
        "The team should have updated the runbook.",
        "Consider whether the runbook should have been updated.",
    ),
    # human-error: a cause, or a hypothesis of the time / what a check prevents
    (
        "blameless-human-error",
        "The outage was caused by human error.",
        "Responders assumed user error at the time.",
    ),
    (
        "blameless-human-error",
        "Root cause: operator error in the rollout.",
        "The rollout lacked checks that prevent human error.",
    ),
    # judgement: what no single word of a list carries
    (
        "blameless-judgement",
        "A tired admin ran the migration.",
        "The admin ran the migration at the end of a twelve-hour shift.",
    ),
    (
        "blameless-judgement",
        "Someone wrote code that dropped the table.",
        "A change that dropped the table was merged without a test.",
    ),
    (
        "blameless-judgement",
        "The reviewer overlooked the warning.",
        "The warning was one line among hundreds in the log.",
    ),
    (
        "blameless-judgement",
        "This oversight exposed the signing keys.",
        "Human oversight of the model was a weekly sample review.",
    ),
    (
        "blameless-judgement",
        "The model was put into production prematurely.",
        "The cache entry expired prematurely.",
    ),
    (
        "blameless-judgement",
        "We wrongly assumed the chart set resource limits.",
        "We assumed the chart set resource limits; its documentation did not say.",
    ),
    (
        "blameless-judgement",
        "The root cause was a poorly written query.",
        "The query scans every row, and no test used a large table.",
    ),
    (
        "blameless-judgement",
        "Engineers should be more careful with certificates.",
        "The pipeline now checks certificate expiry.",
    ),
    (
        "blameless-judgement",
        "The team kept deploying despite knowing the risk.",
        "The pipeline kept deploying despite the retries.",
    ),
    (
        "blameless-judgement",
        "A lazy reviewer approved the prompt.",
        "Lazy loading delayed the extension by a minute.",
    ),
    (
        "blameless-judgement",
        "The reviewers were lazy about the evaluation.",
        "The query avoids later lazy lookups.",
    ),
    # minimiser: people's work made small, or words about things
    (
        "blameless-minimiser",
        "The fix was simply to roll back.",
        "The setup is simply too fragile for a weekly deploy.",
    ),
    ("blameless-minimiser", "They just had to restart the pod.", "The flag was just for testing."),
    (
        "blameless-minimiser",
        "The engineer could easily have spotted it.",
        "The service needed a redesign, not just quick fixes.",
    ),
    (
        "blameless-minimiser",
        "The engineer simply forgot the flag.",
        "The dashboard clearly showed the spike.",
    ),
    (
        "blameless-minimiser",
        "Obviously nobody read the runbook.",
        "It was obviously a data problem.",
    ),
    (
        "blameless-minimiser",
        "It was easy to spot the stale index.",
        "The grey border was easy to miss.",
    ),
    (
        "blameless-minimiser",
        "The change was trivial, we thought.",
        "Migrating the service is not trivial.",
    ),
    # person: names acting in the narrative, or roles, teams and products
    (
        "blameless-person",
        "Emil notified the team in chat.",
        "The on-call engineer notified the team in chat.",
    ),
    (
        "blameless-person",
        "Dana Whitfield reviewed the change.",
        "The release manager reviewed the change.",
    ),
    (
        "blameless-person",
        "Ross was assigned to the investigation.",
        "The security team was assigned to the investigation.",
    ),
    (
        "blameless-person",
        "Later, Priya and Tomas looked at the logs.",
        "Later, Support looked at the logs.",
    ),
    (
        "blameless-person",
        "Then @jdoe merged the change.",
        "Then @support-ai-team merged the change.",
    ),
    (
        "blameless-person",
        "Write to jane.doe@example.com for access.",
        "Write to oncall@example.com for access.",
    ),
    (
        "blameless-person",
        "10:24 Marisol investigates the slow start.",
        "10:24 Support investigates the slow start.",
    ),
    (
        "blameless-person",
        "Resolved by Tobias through chat.",
        "Resolved by the incident commander through chat.",
    ),
    (
        "blameless-person",
        "Identified by Lena K. during the review.",
        "Identified by Grafana alerts during the review.",
    ),
    (
        "blameless-person",
        "Kai pushed the hotfix at noon.",
        "Traefik failed to route traffic, and Prometheus looked fine.",
    ),
]


@pytest.mark.parametrize(("rule", "blaming", "blame_free"), TWINS)
def test_blaming_sentence_warns_and_its_blame_free_twin_does_not(
    rule: str, blaming: str, blame_free: str
) -> None:
    """The sentence that blames gets its rule's warning; its twin about a thing,
    a need, a hypothesis or a role gets none."""
    assert {f.rule for f in review(page(blaming + "\n"))} == {rule}, blaming
    assert review(page(blame_free + "\n")) == [], blame_free


def test_the_same_twins_in_the_summary_are_reviewed_alike() -> None:
    """Front-matter narrative gets the same context rules as the body."""
    for rule, blaming, blame_free in TWINS[:6]:
        summary = "summary: " + blaming.replace(": ", " - ") + "\n"
        text = page().replace(
            "summary: The assistant quoted a policy that had been replaced.\n", summary
        )
        assert {f.rule for f in review(text)} == {rule}, blaming
        text = page().replace(
            "summary: The assistant quoted a policy that had been replaced.\n",
            "summary: " + blame_free.replace(": ", " - ").replace("; ", ", ") + "\n",
        )
        assert review(text) == [], blame_free


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_kind_of_blame_proposes_its_own_rewrite(kind: str) -> None:
    """The example sentence of each kind gets a warning that proposes the kind's
    rewrite, and the rewrite itself raises nothing."""
    example, rewrite = KINDS[kind]
    messages = [f.message for f in review(page(example + "\n"))]
    assert any(f'"{rewrite}" instead of "{example}"' in m for m in messages), messages
    assert review(page(rewrite + "\n")) == []


def test_a_named_person_gets_the_sentence_back_with_a_role() -> None:
    """The warning about a name rewrites that very sentence with a role in its place."""
    (finding,) = review(page("## Timeline\n\n- 10:40 Emil notified the team in chat.\n"))
    assert finding.rule == "blameless-person"
    assert finding.message.startswith('"Emil": refer to people by role')
    assert '"10:40 the <role> notified the team in chat."' in finding.message


def test_a_word_written_in_lower_case_elsewhere_is_not_a_name() -> None:
    """'Pipeline checked ...' at a sentence start is a common word when the file
    also writes 'pipeline'; the same shape with a name is reported."""
    body = "The pipeline broke.\n\n- 10:02 Pipeline checked the tests.\n"
    assert review(page(body)) == []
    assert [f.rule for f in review(page(body.replace("Pipeline", "Marta")))] == ["blameless-person"]


def test_team_phrases_are_matched_without_context() -> None:
    """A phrase a team adds warns wherever it occurs, even where a built-in one
    would be read in context."""
    settings = Settings(blameless_phrases={"blameless-minimiser": ["basically"]})
    assert [f.rule for f in review(page("The disk was basically full.\n"), settings)] == [
        "blameless-minimiser"
    ]
