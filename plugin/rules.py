"""Every rule that `postmortems lint` and the build can report, in one place.

The guide page, the docs' rules page and the tests list rules from here, so a rule
cannot exist in the code without a line saying what it catches. Code written
after the registry creates findings through it (`RULES[rule_id].finding`),
which fails at once on an unregistered id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from .model import Finding, Severity


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    # One line: what the rule catches.
    summary: str
    # Where the rule belongs, to group rules on the guide page.
    group: str
    # How to put it right, said the same way in every message of the rule.
    advice: str = ""
    # For language rules: a sentence that trips the rule and a rewrite that does not.
    example: str = ""
    rewrite: str = ""
    # The severity while the postmortem is a draft (`status: draft`), where it
    # differs: a draft is allowed to be unfinished in the ways this rule catches.
    draft_severity: Severity | None = None

    def finding(
        self, path: str, line: int, column: int, message: str, *, draft: bool = False
    ) -> Finding:
        severity = self.draft_severity if draft and self.draft_severity else self.severity
        return Finding(path, line, column, severity, self.id, message)

    @property
    def severities(self) -> tuple[Severity, ...]:
        """Every severity a finding of this rule can have."""
        return (self.severity,) + ((self.draft_severity,) if self.draft_severity else ())


class _Registry(dict[str, Rule]):
    def __missing__(self, rule_id: str) -> Rule:
        # A finding of an unregistered rule would reach no guide, docs page or
        # SARIF rule list: refuse to make it at all.
        raise KeyError(f"rule '{rule_id}' is not registered in rules.py")


E, W = Severity.ERROR, Severity.WARNING
FILE, SCHEMA, TAXONOMY, LIBRARY, PUBLICATION, LANGUAGE = (
    "file",
    "front matter",
    "taxonomy",
    "library",
    "publication",
    "language",
)
REPORTING: Final = "reporting"

ANALYSIS: Final = "layered analysis"

_ALL: Final = (
    # Reading the file and its YAML (frontmatter.py, library.py).
    Rule("encoding", E, "the file is not UTF-8 text, or contains NUL bytes", FILE),
    Rule("file-too-large", E, "the file is larger than a postmortem may be", FILE),
    Rule("unreadable", E, "the file cannot be read from disk", FILE),
    Rule("front-matter-unclosed", E, "the front matter opened with '---' is never closed", FILE),
    Rule(
        "front-matter-not-first",
        E,
        "front matter that does not start on the file's first line, which MkDocs would publish "
        "as text: the file is withheld",
        FILE,
    ),
    Rule("yaml-syntax", E, "the front matter is not valid YAML", FILE),
    Rule("yaml-duplicate-key", E, "a key is written twice in one mapping", FILE),
    Rule("yaml-tag", E, "a YAML tag (!!python/..., !custom) that front matter may not use", FILE),
    Rule("yaml-too-complex", E, "YAML that nests or expands beyond the limits", FILE),
    # The body's limits, checked before Markdown renders it (body.py).
    Rule("line-too-long", E, "a body line longer than 2,000 characters", FILE),
    Rule(
        "body-too-complex",
        E,
        "unclosed '[', '](' or '<', markup or nesting past what Markdown renders in bounded time",
        FILE,
    ),
    # Front matter against the JSON Schema (schema_messages.py) and its shape (checks.py).
    Rule("front-matter-missing", E, "a file named like a postmortem has no front matter", SCHEMA),
    Rule("front-matter-not-mapping", E, "the front matter is a list or a single value", SCHEMA),
    Rule("required", E, "a required key is missing", SCHEMA),
    Rule("unknown-key", E, "a key the format does not know (own keys start with x-)", SCHEMA),
    Rule("invalid-value", E, "a value outside its allowed set (status, severity, ...)", SCHEMA),
    Rule("wrong-type", E, "a value of the wrong type (text, list, mapping)", SCHEMA),
    Rule("invalid-format", E, "a value not written in its format (id, date, slug, URL)", SCHEMA),
    Rule("empty-value", E, "a text value that must not be empty is empty", SCHEMA),
    Rule("too-long", E, "a text value longer than its limit", SCHEMA),
    Rule("too-few-items", E, "a list with fewer items than it needs", SCHEMA),
    Rule("duplicate-item", E, "a list that names the same value twice", SCHEMA),
    Rule("schema", E, "any other disagreement with the JSON Schema", SCHEMA),
    Rule("invalid-date", E, "a date that does not exist (2025-02-30)", SCHEMA),
    Rule(
        "date-order",
        E,
        "dates out of order: date <= detected <= contained <= resolved (a month counts "
        "from its first day)",
        SCHEMA,
    ),
    Rule("file-name", E, "the file name does not start with the incident id", SCHEMA),
    Rule(
        "factor-system",
        E,
        "a factor's systems name a system the postmortem does not list in systems",
        SCHEMA,
    ),
    Rule(
        "external-reporting",
        E,
        "an external case study carries reporting obligations, which are the "
        "other organisation's to keep",
        SCHEMA,
    ),
    Rule(
        "scaffold-text",
        E,
        "a final postmortem still holds a prompt that 'postmortems new' wrote for the "
        "author to replace",
        SCHEMA,
    ),
    Rule(
        "missing-section",
        E,
        "a required body section is missing (a warning while the status is draft)",
        SCHEMA,
        draft_severity=W,
    ),
    # The vocabulary (taxonomy.py, checks.py).
    Rule("taxonomy", E, "the taxonomy file is missing, unreadable or malformed", TAXONOMY),
    Rule("taxonomy-duplicate-id", E, "the taxonomy uses one id twice", TAXONOMY),
    Rule(
        "unknown-layer",
        E,
        "a factor, action item, ruled_out or not_examined entry names a layer not in the taxonomy",
        TAXONOMY,
    ),
    Rule("unknown-category", E, "a factor names a category its layer does not have", TAXONOMY),
    Rule("category-layer", E, "a factor's category belongs to another layer", TAXONOMY),
    Rule("unknown-harm-type", E, "harm.types names a harm type not in the taxonomy", TAXONOMY),
    # Rules across files (checks.check_library, hints.py).
    Rule("duplicate-id", E, "two postmortems use the same id", LIBRARY),
    Rule("related-self", E, "related lists the postmortem's own id", LIBRARY),
    Rule("related-unknown", E, "related names an incident that is not in the library", LIBRARY),
    Rule(
        "related-hint",
        W,
        "earlier incidents share a system and a category, or two rare categories: not related",
        LIBRARY,
        advice="add the ones that are connected to 'related'",
    ),
    # Publication (checks.py).
    Rule(
        "legal-review",
        E,
        "a final postmortem whose harm needs legal review that is not approved",
        PUBLICATION,
    ),
    # Reporting obligations and their clocks (regimes.py, reporting.py).
    Rule("regimes", E, "the regimes file is missing, unreadable or malformed", REPORTING),
    Rule("unknown-regime", E, "an obligation names a regime not in the regimes file", REPORTING),
    Rule("unknown-trigger", E, "an obligation names a trigger its regime does not have", REPORTING),
    Rule("unknown-stage", E, "a report names a stage its trigger does not have", REPORTING),
    Rule(
        "unknown-anchor",
        E,
        "an obligation records an anchor (anchors:) that no clock of its trigger counts from",
        REPORTING,
    ),
    Rule(
        "reporting-undecided",
        E,
        "a final postmortem with a reporting decision still pending",
        REPORTING,
    ),
    Rule(
        "reporting-overdue",
        W,
        "a report's deadline has passed and it is not filed",
        REPORTING,
        advice=(
            "file it, then record it under reports with the instant it was filed and a "
            "delay_reason saying why it was late"
        ),
    ),
    Rule(
        "reporting-late",
        W,
        "a report was filed after its deadline and no delay_reason says why",
        REPORTING,
        advice="record the reasons for the delay as the report's delay_reason",
    ),
    Rule(
        "reporting-time-zone",
        E,
        "a reporting time (aware, filed, an anchor, requested) without a UTC offset",
        REPORTING,
        advice="add the offset it was written in: Z for UTC, or +02:00",
    ),
    Rule(
        "reporting-filed-before-aware",
        E,
        "a report filed before the organisation became aware of the incident",
        REPORTING,
    ),
    Rule(
        "reporting-filed-in-future",
        E,
        "a report dated after the current instant (or SOURCE_DATE_EPOCH)",
        REPORTING,
    ),
    Rule(
        "reporting-order",
        E,
        "a stage filed before the stage its deadline counts from",
        REPORTING,
    ),
    Rule(
        "reporting-contradiction",
        E,
        "a filing on a not-reportable obligation, or one regime and trigger decided both ways",
        REPORTING,
    ),
    # What of docs_dir may be published (publication.py).
    Rule(
        "symlink-outside",
        E,
        "a symbolic link in docs_dir that leaves it (or points nowhere): nothing is published "
        "through it",
        PUBLICATION,
    ),
    Rule(
        "symlink-twice",
        E,
        "a symbolic link that makes files of docs_dir reachable twice: nothing is published "
        "through it",
        PUBLICATION,
    ),
    Rule(
        "leftover-file",
        E,
        "a merge or editor leftover (*.orig, *.rej, *.bak, *~, .#*, *.swp, *.tmp): never published",
        PUBLICATION,
    ),
    Rule(
        "visibility-value",
        E,
        "a visibility other than internal or restricted, in a page or a .meta.yml: withheld",
        PUBLICATION,
    ),
    Rule(
        "meta-file",
        E,
        "a .meta.yml that cannot be read: the Markdown below its folder is withheld",
        PUBLICATION,
    ),
    Rule(
        "markdown-extension-case",
        E,
        "Markdown whose extension is not lower case (.MD), which MkDocs would copy as it is: "
        "never published",
        PUBLICATION,
    ),
    # Layered analysis (layered.py): every layer examined, every factor layer
    # addressed, fixes that change the system.
    Rule(
        "ruled-out-conflict",
        E,
        "a layer is both ruled out and carries a factor",
        ANALYSIS,
    ),
    Rule(
        "not-examined-conflict",
        E,
        "a layer is not_examined but also carries a factor or is ruled out",
        ANALYSIS,
    ),
    Rule(
        "layer-not-considered",
        W,
        "a final postmortem has neither a factor nor a ruled_out or not_examined entry for a layer",
        ANALYSIS,
        advice="examine every layer: name a factor, or rule it out with the reason",
    ),
    Rule(
        "unaddressed-layer",
        W,
        "a layer carries factors but no action item of that layer",
        ANALYSIS,
        advice="add a prevent, detect or mitigate item on that layer",
    ),
    Rule(
        "systemic-fix",
        W,
        "an action item only asks people to try harder and changes nothing in the system",
        ANALYSIS,
        advice=(
            "reminders, training and care fade; a guard, a check in the pipeline, a safer "
            "default or an alert keeps working"
        ),
        example="Remind reviewers to double-check prompts before release.",
        rewrite="Block a prompt release until its evaluation run has passed.",
    ),
    # Blameless language (blameless.py); the phrases are data there.
    Rule(
        "blameless-counterfactual",
        W,
        "hindsight about people: a person or role that 'failed to' do something, "
        "'should have' + past participle, 'could have' caught",
        LANGUAGE,
        advice=(
            "hindsight judges a decision by what is known now; describe what the system "
            "allowed and what would make the right action the easy one"
        ),
        example="The on-call engineer should have seen the alert.",
        rewrite="The alert did not page anyone, so it waited on a dashboard.",
    ),
    Rule(
        "blameless-human-error",
        W,
        "'human error' and its kin given as a cause, which end an analysis where it should begin",
        LANGUAGE,
        advice=(
            "a person's action is where the analysis starts, not where it ends; describe "
            "what made the action possible and likely (defaults, interface, missing checks)"
        ),
        example="Root cause: operator error during the model rollout.",
        rewrite="The rollout tool accepted a production target without a confirmation step.",
    ),
    Rule(
        "blameless-judgement",
        W,
        "words and phrases that judge a person's care, effort or state (careless, "
        "overlooked, a tired admin, we wrongly assumed, be more careful)",
        LANGUAGE,
        advice=(
            "judging a person hides the conditions they worked in; describe what they "
            "saw, the time they had and the tools and checks that were in place"
        ),
        example="A careless reviewer approved the prompt change.",
        rewrite="The prompt change was approved in a review that showed no evaluation results.",
    ),
    Rule(
        "blameless-minimiser",
        W,
        "words that make people's work sound trivial ('the fix was simply', 'just had "
        "to', 'easy to spot') and struggle sound like a failing",
        LANGUAGE,
        advice=(
            "what looks simple afterwards was not at the time; say what the step involved, "
            "or drop the word"
        ),
        example="The fix was simply to roll back the model.",
        rewrite="Rolling back the model took 40 minutes and two approvals.",
    ),
    Rule(
        "blameless-person",
        W,
        "people named in the narrative: a first or full name doing something, "
        "@handles and e-mail addresses of people; the writer's own slips in first "
        "person singular; a role with a slip (engineers deleted it by accident)",
        LANGUAGE,
        advice=(
            "refer to people by role (the on-call engineer, the reviewer) and say what "
            "the system allowed; names and handles belong only to authors and "
            "action-item owners"
        ),
        example="@jdoe merged the change without an evaluation run.",
        rewrite="The change was merged; the pipeline did not require an evaluation run.",
    ),
)

RULES: Final[dict[str, Rule]] = _Registry((rule.id, rule) for rule in _ALL)
GROUPS: Final = (FILE, SCHEMA, TAXONOMY, LIBRARY, PUBLICATION, ANALYSIS, LANGUAGE, REPORTING)
