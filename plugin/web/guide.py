"""The page "How to write a blameless AI postmortem", made from the project's data.

Layers, categories and harm types come from the taxonomy, the rules and
their examples from the rule registry, the phrases from the blameless
phrase lists (with a team's own additions), the sections from the settings.
So the guide says what lint enforces, on this site, and cannot drift from it.

The result is Markdown without raw HTML. Text from the taxonomy is escaped,
so a description cannot add markup, links or attributes to the page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from ..check.blameless import BLAMELESS_PHRASES, KINDS, LEFT_ALONE, NOT_BLAME, phrase_lists
from ..check.layered import SYSTEMIC_ALTERNATIVES, TRY_HARDER
from ..parse.taxonomy import HarmType, Taxonomy
from ..rules import GROUPS, LANGUAGE, RULES, Rule
from ..settings import Settings
from .markdown_text import escape_markdown

PHRASES_SHOWN: Final = 12


def _code(text: str) -> str:
    fence = "`" * (max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _table(header: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    head = list(header)
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _intro() -> str:
    return (
        "# How to write a blameless AI postmortem\n\n"
        "A postmortem records how a system failed so that it fails less next time. "
        "It is **blameless**: it describes what the model, the data, the people in the "
        "loop and the process made possible, and treats what people did as a result "
        "of those conditions rather than as the cause. People who expect blame leave "
        "out exactly what the library needs to learn.\n\n"
        "Everything on this page is generated from the site's own taxonomy, settings "
        "and lint rules, so it describes what `postmortems lint` checks here.\n"
    )


def _lifecycle(settings: Settings) -> str:
    sections = ", ".join(f"**{escape_markdown(s)}**" for s in settings.required_sections)
    drafts = "on" if settings.include_drafts else "off"
    return (
        "\n## The life of a postmortem\n\n"
        "1. **Start a draft.** "
        '`postmortems new "Support assistant invented a refund policy" --severity SEV2 '
        "--system support-assistant` writes a new file with the next free id for the "
        "year and `status: draft`. Its body has the sections every postmortem needs"
        f"{': ' + sections if sections else ''}, each opening with a prompt.\n"
        "2. **Write and lint.** Fill in the summary, the sections, the contributing "
        "`factors` and the `action_items`, and run `postmortems lint` (or let the "
        "pre-commit hook and CI run it). A draft may still lack sections and factors.\n"
        "3. **Review.** Set `status: review` when the draft is ready for the people "
        "involved and, where harm calls for it, legal review.\n"
        "4. **Publish.** Set `status: final`. A final postmortem needs at least one "
        "contributing factor, every required section, and legal review where its harm "
        "needs it.\n\n"
        "Drafts and postmortems in review appear under `mkdocs serve` with a banner, "
        "and in a built site only when the plugin option `include_drafts` is true "
        f"(on this site it is {drafts}). A postmortem with `visibility: restricted` "
        "never reaches the built site: not its page, its title, the listings, the "
        "search index, the feed or the exports. A link to it shows its bare id.\n"
    )


def _layers(taxonomy: Taxonomy) -> str:
    out = [
        "\n## Contributing factors, on every layer\n\n"
        "Look for factors on every layer below, not only the one where the incident "
        "surfaced: a model that invents a policy is also an evaluation that did not "
        "ask, and a review that could not tell. Each factor in `factors` names a "
        "`layer`, one of that layer's `category` ids, and a `summary` of how it "
        "contributed.\n"
    ]
    for layer in taxonomy.layers:
        out.append(f"\n### {escape_markdown(layer.title)} ({_code(layer.id)})\n\n")
        if layer.description:
            out.append(f"{escape_markdown(layer.description)}\n\n")
        out += [
            f"- **{escape_markdown(cat.title)}** ({_code(cat.id)})"
            f"{': ' + escape_markdown(cat.description) if cat.description else ''}\n"
            for cat in layer.categories
        ]
    return "".join(out)


def _layer_walk(taxonomy: Taxonomy) -> str:
    ids = [layer.id for layer in taxonomy.layers]
    steps = "".join(
        f"{n}. **{escape_markdown(layer.title)}** ({_code(layer.id)})\n"
        for n, layer in enumerate(taxonomy.layers, start=1)
    )
    example = ""
    if ids:
        example = (
            "\n```yaml\nruled_out:\n"
            f"  - layer: {ids[-1]}\n"
            "    reason: The release went through the evaluation gate in place; the gap\n"
            "      was in what the evaluation asked, recorded as a factor elsewhere.\n"
            "```\n"
        )
    return (
        "\n## Walk every layer\n\n"
        "Trace the incident through each layer in turn, not only the one where it "
        "surfaced, and ask of each what it made possible:\n\n"
        f"{steps}\n"
        "For each layer, name a factor under `factors`, or add a `ruled_out` entry that "
        "says what was examined and why the layer did not contribute. A final "
        "postmortem that says nothing of a layer gets `layer-not-considered`; a layer "
        "cannot be both a factor layer and ruled out (`ruled-out-conflict`). "
        "`postmortems new --layer ID` writes the `ruled_out` entries for the layers "
        "you did not name, commented, for you to fill in or delete. A layer that no one "
        "could examine (an external case study rarely sees a provider's data) goes "
        "under `not_examined` with the reason instead; each layer appears in one place "
        "only (`not-examined-conflict`).\n"
        f"{example}\n"
        "Each layer with a factor needs at least one action item on that layer "
        "(`unaddressed-layer`). Mark an item `done` with the day in `closed`: a "
        "category page lists the later incidents of its category that began after a "
        "`prevent` item was done, the fixes that did not hold.\n"
    )


# Pairs that show the difference; the first is the rule's own example.
SYSTEMIC_PAIRS: Final = (
    (
        "Retrain support staff on the refund policy.",
        "Route refund questions to a person who can commit the company to an answer.",
    ),
    (
        "Operators must pay closer attention during long shifts.",
        "Alert the operator when attention lapses, and keep automatic braking on.",
    ),
    (
        "Double-check every citation by hand before filing.",
        "Check each citation against the case-law database as part of the filing step.",
    ),
)


def _systemic_fixes() -> str:
    rule = RULES["systemic-fix"]
    pairs = ((rule.example, rule.rewrite), *SYSTEMIC_PAIRS)
    rows = [(f"“{escape_markdown(a)}”", f"“{escape_markdown(b)}”") for a, b in pairs]
    *most, last = (escape_markdown(k) for k in TRY_HARDER)
    kinds = f"{', '.join(most)} or {last}"
    return (
        "\n## Fixes that change the system\n\n"
        "An action item that asks people to try harder fades with the next busy week. "
        f"Lint flags items that only ask people to {kinds} (`systemic-fix`). Propose "
        f"instead {escape_markdown(SYSTEMIC_ALTERNATIVES)}: a change that makes the "
        "right action the easy one, or the wrong one impossible.\n\n"
        + _table(("Asks people to try harder", "Changes the system"), rows)
        + "\nThe warning stays quiet when the item changes the system as well: an "
        "automated reminder, an alert that reminds, a check in the pipeline, new "
        "training data or retraining a model.\n"
    )


def _legal_review(taxonomy: Taxonomy) -> str:
    required = [h for h in taxonomy.harm_types if h.requires_legal_review]
    optional = [h for h in taxonomy.harm_types if not h.requires_legal_review]

    def listed(harms: list[HarmType]) -> str:
        return "".join(
            f"- **{escape_markdown(h.title)}** ({_code(h.id)})"
            f"{': ' + escape_markdown(h.description) if h.description else ''}\n"
            for h in harms
        )

    out = [
        "\n## Harm and legal review\n\n"
        "`harm.types` names the kinds of harm the incident caused. "
        "A final postmortem may never have `harm.legal_review: pending`"
    ]
    if required:
        out.append(
            ", and one that names any of these harm types needs "
            "`harm.legal_review: approved` (rule `legal-review`):\n\n" + listed(required)
        )
    else:
        out.append(". No harm type in this taxonomy requires legal review.\n")
    if optional:
        out.append("\nLegal review is optional for:\n\n" + listed(optional))
    return "".join(out)


def _quoted(phrases: Iterable[str]) -> str:
    return ", ".join(f"“{escape_markdown(p)}”" for p in phrases)


def _phrases(rule: Rule, lists: dict[str, tuple[str, ...]]) -> str:
    """The built-in phrases (the first few), then every phrase the site adds."""
    built_in = BLAMELESS_PHRASES.get(rule.id, ())
    added = [p for p in lists.get(rule.id, ()) if p not in built_in]
    text = _quoted(built_in[:PHRASES_SHOWN])
    if len(built_in) > PHRASES_SHOWN:
        text += f" and {len(built_in) - PHRASES_SHOWN} more"
    if added:
        text += f"{'; ' if text else ''}added on this site: {_quoted(added)}"
    return text


def _language(settings: Settings) -> str:
    lists = dict(phrase_lists(settings.blameless_phrases))
    rules = [r for r in RULES.values() if r.group == LANGUAGE]
    rows = [
        (
            _code(r.id),
            escape_markdown(r.summary)
            + (f": {phrases}" if (phrases := _phrases(r, lists)) else ""),
            escape_markdown(LEFT_ALONE.get(r.id, "")),
            f"“{escape_markdown(r.example)}”",
            f"“{escape_markdown(r.rewrite)}”",
        )
        for r in rules
    ]
    kinds = [(f"“{escape_markdown(ex)}”", f"“{escape_markdown(rw)}”") for ex, rw in KINDS.values()]
    not_blame = _quoted(NOT_BLAME)
    return (
        "\n## Blameless language\n\n"
        "Lint warns about words that put the cause in a person. Each warning points "
        "at the phrase and suggests a rewrite that puts the cause in the conditions. "
        "Matching is by whole word and ignores case. The built-in phrases are read "
        "in their sentence: “failed to” warns when a person or role failed, not a "
        "machine; “should have” when it is hindsight (a past participle follows), not "
        "a need; “just” or “simply” when they shrink what people did; a capitalised "
        "word is taken for a person's name when it does what people do (“Emil "
        "notified the team”). Phrases a team adds are matched wherever they occur.\n\n"
        + _table(("Rule", "What it catches", "What it leaves alone", "Blameful", "Blameless"), rows)
        + "\nEach warning proposes a rewrite of its kind of sentence:\n\n"
        + _table(("Blameful", "Blameless"), kinds)
        + "\nWhy each matters, as the warnings say it:\n\n"
        + "".join(f"- {_code(r.id)}: {escape_markdown(r.advice)}.\n" for r in rules)
        + "\nQuoted material is left alone, because a postmortem often has to cite "
        "what someone said: text in double quotes or curly quotes, blockquotes, inline "
        "code and code blocks. Phrases that only describe are not reported either: "
        f"{not_blame}.\n\n"
        "To accept a phrase on one line, put `<!-- blameless: ignore -->` at the end "
        "of the line or alone on the line before it. To switch the review off for a "
        "whole file, add `x-blameless: off` to its front matter (or a list of rule ids "
        "to switch off only those). A team adds its own phrases with the plugin "
        "option `blameless_phrases`, by rule id.\n\n"
        "Warnings do not fail `postmortems lint`; `postmortems lint --strict` fails on them.\n"
    )


def _related() -> str:
    return (
        "\n## Related incidents\n\n"
        "List earlier incidents with the same weakness under `related`; the site links "
        "both ways. Lint hints (rule `related-hint`) at earlier incidents that share a "
        "system, or at least two factor categories, and are not linked yet. Hints are "
        "suggestions: a build logs them and does not fail on them. Switch them off with "
        "the plugin option `related_hints: false`, or `postmortems lint --no-hints`.\n"
    )


def _all_rules() -> str:
    out = [
        "\n## Every rule lint enforces\n\n"
        "Errors fail `postmortems lint` and the site build; warnings are reported and "
        "fail only `postmortems lint --strict`.\n"
    ]
    for group in GROUPS:
        rows = [
            (_code(r.id), str(r.severity), escape_markdown(r.summary))
            for r in RULES.values()
            if r.group == group
        ]
        if rows:
            out.append(f"\n### {escape_markdown(group.capitalize())}\n\n")
            out.append(_table(("Rule", "Severity", "What it catches"), rows))
    return "".join(out)


def render_guide(taxonomy: Taxonomy | None, settings: Settings) -> str:
    """The guide page as Markdown. Without a taxonomy (a broken one is
    reported by lint) the layer and harm sections are left out."""
    parts = [_intro(), _lifecycle(settings)]
    if taxonomy is not None:
        parts += [_layers(taxonomy), _layer_walk(taxonomy), _legal_review(taxonomy)]
    parts += [_systemic_fixes(), _language(settings), _related(), _all_rules()]
    return "".join(parts)
