"""The rules: every check a postmortem goes through, as findings.

Per-file rules run on one parsed document; library rules need all of them.
The CLI and the MkDocs plugin both call `check_document` and
`check_library`, so a finding reads the same in a terminal and in a build log.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, Final

from ..dates import build_date, instant_of, is_before, parse_date, written_like_a_date
from ..ids import ID
from ..model import (
    DateLike,
    Finding,
    JsonPath,
    Postmortem,
    Severity,
)
from ..parse.frontmatter import Document
from ..parse.model_builder import build_postmortem
from ..parse.regimes import Regimes
from ..parse.taxonomy import Taxonomy
from ..resources import POSTMORTEM_SCHEMA
from ..rules import LANGUAGE, RULES
from ..schema_messages import SchemaReporter, describe, did_you_mean
from ..settings import Settings
from .blameless import review as review_language
from .body import check_body
from .hints import related_hints
from .layered import review_layers
from .publication import page_visibility_findings
from .reporting import check_reporting, date_places
from .scaffold import check_scaffold

# In the order they must come in.
DATE_FIELDS: Final = ("date", "detected", "contained", "resolved")
# Keys whose presence marks a file as meant to be a postmortem (spec 1).
POSTMORTEM_MARKERS: Final = ("severity", "factors")


def looks_like_postmortem(doc: Document) -> bool:
    name = PurePosixPath(doc.path).name
    if ID.match(name):
        return True
    data = doc.data
    return isinstance(data, dict) and any(k in data for k in POSTMORTEM_MARKERS)


@dataclass
class CheckedDocument:
    """A document with its per-file findings and, when it is sound, the
    Postmortem it describes. `id` is kept even for broken files so that
    library rules (duplicates, related) still see them."""

    document: Document
    is_postmortem: bool
    findings: list[Finding]
    postmortem: Postmortem | None = None
    id: str | None = None
    # The blameless-language review was left for later (`language_review`).
    language_later: bool = False


class _DocumentChecker:
    def __init__(
        self,
        doc: Document,
        taxonomy: Taxonomy | None,
        settings: Settings,
        regimes: Regimes | None = None,
        today: dt.date | None = None,
        language: bool = True,
    ) -> None:
        self.doc = doc
        self.taxonomy = taxonomy
        self.settings = settings
        self.regimes = regimes
        self.today = today
        self.language = language
        self.findings: list[Finding] = []

    def add(
        self,
        path: JsonPath,
        rule: str,
        message: str,
        value: bool = True,
    ) -> None:
        yd = self.doc.yaml
        pos = (yd.values.get(path) if value else None) or yd.position(path)
        self.findings.append(RULES[rule].finding(self.doc.path, pos.line, pos.column, message))

    def run(self) -> CheckedDocument:
        doc = self.doc
        self.findings.extend(doc.findings)
        is_pm = looks_like_postmortem(doc)
        data = doc.data
        # Duplicate keys or a refused tag still leave data worth checking;
        # unreadable YAML does not.
        if not is_pm:
            # A page's own visibility decides its publication: a typo is an error.
            self.findings += page_visibility_findings(doc)
            return CheckedDocument(doc, is_pm, self.findings)
        if data is None and doc.findings:
            return CheckedDocument(doc, is_pm, self.findings)
        if not doc.has_front_matter or data is None:
            keys = "the keys id, title, status, severity, date, summary, systems"
            # `---` then `---` with nothing between: telling that author to
            # "start it with '---'" would point at what is already there.
            self.add(
                (),
                "front-matter-missing",
                f"the front matter between the '---' lines is empty; write {keys} there"
                if doc.has_front_matter
                else "the file is named like a postmortem but has no front matter; start it "
                f"with '---', {keys}, and a closing '---'",
            )
            return CheckedDocument(doc, True, self.findings)
        if not isinstance(data, dict):
            self.add(
                (),
                "front-matter-not-mapping",
                "the front matter must be keys with values (id: ..., title: ...), "
                "not a list or a single value",
            )
            return CheckedDocument(doc, True, self.findings)
        self.findings.extend(SchemaReporter(POSTMORTEM_SCHEMA, doc.yaml, doc.path).findings(data))
        schema_ok = not self.findings
        pm_id = data.get("id") if isinstance(data.get("id"), str) else None
        self.check_file_name(pm_id)
        self.check_factor_systems(data)
        dates = self.check_dates(data)
        self.check_taxonomy(data)
        self.check_publication(data)
        self.check_reporting(data)
        self.check_sections(data)
        self.findings.extend(check_scaffold(doc, data))
        self.findings.extend(check_body(doc))
        if self.language:
            self.findings.extend(review_language(doc, data, self.settings.blameless_phrases))
        self.findings.extend(review_layers(doc, data, self.taxonomy))
        postmortem = None
        if schema_ok and not any(f.severity is Severity.ERROR for f in self.findings):
            postmortem = build_postmortem(doc, data, dates)
        return CheckedDocument(doc, True, self.findings, postmortem, pm_id, not self.language)

    def check_file_name(self, pm_id: str | None) -> None:
        if pm_id is None or not ID.fullmatch(pm_id):
            return
        stem = PurePosixPath(self.doc.path).stem
        if stem != pm_id and not stem.startswith(pm_id + "-"):
            self.add(
                ("id",),
                "file-name",
                f"the file name '{PurePosixPath(self.doc.path).name}' must start with the "
                f"incident id: rename it to '{pm_id}.md' or '{pm_id}-short-title.md'",
            )

    def check_dates(self, data: dict[str, Any]) -> dict[JsonPath, DateLike]:
        places: list[JsonPath] = [(k,) for k in DATE_FIELDS if k in data]
        items = data.get("action_items")
        if isinstance(items, list):
            places += [
                ("action_items", i, key)
                for i, it in enumerate(items)
                if isinstance(it, dict)
                for key in ("due", "closed")
                if key in it
            ]
        sources = data.get("sources")
        if isinstance(sources, list):
            places += [
                ("sources", i, "published")
                for i, src in enumerate(sources)
                if isinstance(src, dict) and "published" in src
            ]
        places += _reporting_date_places(data)
        parsed: dict[JsonPath, DateLike] = {}
        for where in places:
            value: Any = data
            for part in where:
                value = value[part]
            if not isinstance(value, str):
                continue
            try:
                parsed[where] = parse_date(value)
            except ValueError as exc:
                # Only where the schema accepted the form: '2025-03-15 9:30' is
                # already an invalid-format finding, not also an impossible date.
                if written_like_a_date(value):
                    self.add(
                        where,
                        "invalid-date",
                        f"{describe(where)} '{value}' is not a real date ({exc})",
                    )
        present = [(k, v) for k in DATE_FIELDS if (v := parsed.get((k,))) is not None]
        # Every earlier field, nearest first: comparing by day where a plain
        # date is involved is not transitive, so neighbours alone can miss
        # `resolved` lying before `date` across a date-only `detected`.
        for j, (k2, v2) in enumerate(present):
            for k1, v1 in reversed(present[:j]):
                if is_before(v2, v1):
                    self.add(
                        (k2,),
                        "date-order",
                        f"{k2} ({data[k2]}) is before {k1} ({data[k1]}); the order is "
                        "date <= detected <= contained <= resolved (a month counts from its "
                        "first day)",
                    )
                    break
        self.check_closed_dates(data, parsed)
        return parsed

    def check_closed_dates(self, data: dict[str, Any], parsed: dict[JsonPath, DateLike]) -> None:
        """An item cannot be done before the incident it answers began: such a
        `closed` is a typo, and it would make a recurrence look like one."""
        start = parsed.get(("date",))
        if start is None:
            return
        for where, value in parsed.items():
            if where[-1] == "closed" and is_before(value, start):
                i = where[1]
                pos = self.doc.yaml.values.get(where) or self.doc.yaml.position(where)
                self.findings.append(
                    RULES["date-order"].finding(
                        self.doc.path,
                        pos.line,
                        pos.column,
                        f"action_items[{i}].closed ({data['action_items'][i]['closed']}) is "
                        f"before date ({data['date']}); an item is closed after the incident "
                        "began",
                    )
                )

    def check_factor_systems(self, data: dict[str, Any]) -> None:
        """A factor's `systems` narrow down the postmortem's own: a system
        named only there would have no page and no listing."""
        systems = data.get("systems")
        factors = data.get("factors")
        if not isinstance(systems, list) or not isinstance(factors, list):
            return
        listed = [s for s in systems if isinstance(s, str)]
        for i, factor in enumerate(factors):
            named = factor.get("systems") if isinstance(factor, dict) else None
            for j, system in enumerate(named if isinstance(named, list) else ()):
                if isinstance(system, str) and system not in listed:
                    self.add(
                        ("factors", i, "systems", j),
                        "factor-system",
                        f"factors[{i}].systems names '{system}', which is not in systems "
                        f"({', '.join(listed)}); add it to systems or name one of those"
                        f"{did_you_mean(system, listed)}",
                    )

    def check_taxonomy(self, data: dict[str, Any]) -> None:
        tax = self.taxonomy
        if tax is None:
            return
        layer_ids = [layer.id for layer in tax.layers]
        for key in ("factors", "action_items", "ruled_out", "not_examined"):
            entries = data.get(key)
            if not isinstance(entries, list):
                continue
            for i, entry in enumerate(entries):
                if not isinstance(entry, dict):
                    continue
                layer_id = entry.get("layer")
                if isinstance(layer_id, str) and tax.layer(layer_id) is None:
                    self.add(
                        (key, i, "layer"),
                        "unknown-layer",
                        f"{key}[{i}].layer '{layer_id}' is not a layer of the taxonomy; "
                        f"use one of {', '.join(layer_ids)}{did_you_mean(layer_id, layer_ids)}",
                    )
                    continue
                cat_id = entry.get("category")
                if key != "factors" or not isinstance(cat_id, str) or not isinstance(layer_id, str):
                    continue
                self.check_category(i, layer_id, cat_id)
        harm = data.get("harm")
        types = harm.get("types") if isinstance(harm, dict) else None
        if isinstance(types, list):
            known = [h.id for h in tax.harm_types]
            for i, harm_id in enumerate(types):
                if isinstance(harm_id, str) and tax.harm_type(harm_id) is None:
                    self.add(
                        ("harm", "types", i),
                        "unknown-harm-type",
                        f"harm type '{harm_id}' is not in the taxonomy; use one of "
                        f"{', '.join(known)}{did_you_mean(harm_id, known)}",
                    )

    def check_category(self, i: int, layer_id: str, cat_id: str) -> None:
        assert self.taxonomy is not None
        layer = self.taxonomy.layer(layer_id)
        assert layer is not None
        own = [c.id for c in layer.categories]
        if cat_id in own:
            return
        elsewhere = self.taxonomy.category(cat_id)
        if elsewhere is not None:
            self.add(
                ("factors", i, "category"),
                "category-layer",
                f"category '{cat_id}' belongs to layer '{elsewhere.layer}', not "
                f"'{layer_id}'; change the layer to '{elsewhere.layer}' or pick one of "
                f"{', '.join(own)}",
            )
        else:
            self.add(
                ("factors", i, "category"),
                "unknown-category",
                f"category '{cat_id}' is not a category of layer '{layer_id}'; use one "
                f"of {', '.join(own)}{did_you_mean(cat_id, own)}",
            )

    def check_publication(self, data: dict[str, Any]) -> None:
        # No one here reviews another organisation's incident: the gate is
        # for our own (spec 9).
        if data.get("status") != "final" or data.get("origin") == "external":
            return
        harm = data.get("harm")
        if not isinstance(harm, dict):
            return
        review = harm.get("legal_review")
        if review == "pending":
            self.add(
                ("harm", "legal_review"),
                "legal-review",
                "a final postmortem cannot have legal_review: pending; finish the review "
                "(approved) or keep status at review",
            )
            return
        if self.taxonomy is None or review == "approved":
            return
        types: list[Any] = harm["types"] if isinstance(harm.get("types"), list) else []
        needing = [
            t
            for t in types
            if isinstance(t, str)
            and (h := self.taxonomy.harm_type(t)) is not None
            and h.requires_legal_review
        ]
        if needing:
            where: JsonPath = ("harm", "legal_review") if "legal_review" in harm else ("harm",)
            self.add(
                where,
                "legal-review",
                f"harm type {', '.join(repr(t) for t in needing)} requires legal review: a "
                "final postmortem needs harm.legal_review: approved",
            )

    def check_reporting(self, data: dict[str, Any]) -> None:
        if data.get("origin") == "external":
            if "reporting" in data:
                self.add(
                    ("reporting",),
                    "external-reporting",
                    "an external case study has no reporting obligations of ours: the "
                    "clocks are the other organisation's; remove reporting, or describe "
                    "what was reported in the body",
                    value=False,
                )
            return
        now = instant_of(self.today or build_date())
        self.findings.extend(check_reporting(self.doc, data, self.regimes, now, parse_date))

    def check_sections(self, data: dict[str, Any]) -> None:
        wanted = self.settings.required_sections
        if not wanted:
            return
        present = {_normalise(h) for h in headings(self.doc.body)}
        missing = [s for s in wanted if _normalise(s) not in present]
        if not missing:
            return
        self.findings.append(
            RULES["missing-section"].finding(
                self.doc.path,
                self.doc.body_line,
                1,
                f"the body has no {', '.join(f'## {s}' for s in missing)} "
                f"section{'s' if len(missing) > 1 else ''}; every postmortem has: "
                f"{', '.join(wanted)}",
                draft=data.get("status") == "draft",
            )
        )


def _reporting_date_places(data: dict[str, Any]) -> list[JsonPath]:
    return [where for where, _ in date_places(data)]


def _normalise(heading: str) -> str:
    return " ".join(heading.casefold().split())


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HEADING_START = re.compile(r" {0,3}#{1,6}[ \t]")


def heading_text(line: str) -> str | None:
    """The text of an ATX heading line without its closing '#'s, else None.

    String operations, not one regex: a lazy group before optional trailing
    blanks backtracks over every run of spaces (5,000 took 5 s)."""
    m = _HEADING_START.match(line)
    if m is None:
        return None
    text = line[m.end() :].lstrip(" \t").rstrip(" \t")
    bare = text.rstrip("#")
    if bare != text and bare and bare[-1] in " \t":
        return bare.rstrip(" \t")
    return text


def headings(body: str) -> Iterator[str]:
    """ATX headings outside fenced code blocks."""
    fence: str | None = None
    for line in body.splitlines():
        m = _FENCE.match(line)
        if m:
            mark = m.group(1)
            if fence is None:
                fence = mark[0] * len(mark)
            elif mark.startswith(fence):
                fence = None
            continue
        if fence is None:
            text = heading_text(line)
            if text is not None:
                yield text


def check_document(
    doc: Document,
    taxonomy: Taxonomy | None,
    settings: Settings,
    regimes: Regimes | None = None,
    today: dt.date | None = None,
    language: bool = True,
) -> CheckedDocument:
    """Every per-file rule. Reporting clocks are checked against `regimes` as
    of `today` (default: the build date); without regimes they are not.
    With `language` false the blameless-language review is left out (and
    `language_later` says so), for `language_review` to do later: its rules
    only warn, so publication never waits on it."""
    return _DocumentChecker(doc, taxonomy, settings, regimes, today, language).run()


def language_review(doc: Document, settings: Settings) -> list[Finding]:
    """The blameless-language findings `check_document` leaves out when told
    to, for a document it would have reviewed."""
    data = doc.data
    if not looks_like_postmortem(doc) or not doc.has_front_matter or not isinstance(data, dict):
        return []
    return review_language(doc, data, settings.blameless_phrases)


# Only warnings may be reviewed after the library is published: an error
# decides what is published, so it cannot come later.
LANGUAGE_ONLY_WARNS: Final = all(
    r.severity is not Severity.ERROR for r in RULES.values() if r.group == LANGUAGE
)


def _at(c: CheckedDocument, where: JsonPath, rule: str, message: str) -> Finding:
    pos = c.document.yaml.position(where)
    return RULES[rule].finding(c.document.path, pos.line, pos.column, message)


def check_library(
    checked: Sequence[CheckedDocument], settings: Settings | None = None
) -> list[Finding]:
    """Rules that need the whole library: unique ids, `related` links and,
    unless `settings.related_hints` is off, hints at links that may be missing."""
    findings: list[Finding] = []
    by_id: dict[str, list[CheckedDocument]] = defaultdict(list)
    for c in checked:
        if c.id is not None:
            by_id[c.id].append(c)
    for pm_id, owners in by_id.items():
        for c in owners if len(owners) > 1 else ():
            others = ", ".join(o.document.path for o in owners if o is not c)
            findings.append(
                _at(
                    c,
                    ("id",),
                    "duplicate-id",
                    f"id '{pm_id}' is also used by {others}; ids must be unique: give the newer "
                    "postmortem the next free id and rename its file to match",
                )
            )
    known = list(by_id)
    for c in checked:
        data = c.document.data
        related = data.get("related") if isinstance(data, dict) else None
        if not c.is_postmortem or not isinstance(related, list):
            continue
        for i, rid in enumerate(related):
            if rid == c.id:
                findings.append(
                    _at(
                        c,
                        ("related", i),
                        "related-self",
                        f"related lists the postmortem's own id '{rid}'; remove it",
                    )
                )
            elif isinstance(rid, str) and rid not in by_id:
                findings.append(
                    _at(
                        c,
                        ("related", i),
                        "related-unknown",
                        f"related incident '{rid}' does not exist in the library"
                        f"{did_you_mean(rid, known)}",
                    )
                )
    if settings is None or settings.related_hints:
        unique = [
            c.postmortem
            for c in checked
            if c.postmortem is not None and len(by_id[c.postmortem.id]) == 1
        ]
        findings += related_hints(unique)
    return findings
