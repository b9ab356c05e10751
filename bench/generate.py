"""Write a synthetic but realistic library of N valid postmortems.

Everything is drawn from one seeded `random.Random`, so the same N always
gives byte-identical files and runs of the benchmark compare like with like.
Taxonomy ids are read from the taxonomy file at run time: the content writer
may still rename or add categories, and the generated files must keep passing
the linter when they do.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import random
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import REPO, BenchError

DEFAULT_TAXONOMY = REPO / "schema" / "taxonomy.yml"
SEED = 20250314
YEARS = tuple(range(2019, 2026))

# Blameless-language rules (and reviewers) flag these; generated prose must
# not contain them, so that the benchmark times clean files, as a real library
# mostly is. The linter's own lists are added at run time where they exist.
FORBIDDEN_PHRASES = (
    "should have",
    "should've",
    "could have",
    "would have",
    "failed to",
    "just",
    "simply",
    "clearly",
    "obvious",
    "obviously",
    "easy",
    "easily",
    "human error",
    "careless",
    "negligent",
    "negligence",
    "fault",
    "blame",
    "forgot",
)


def _forbidden() -> re.Pattern[str]:
    """Every phrase generated text must avoid, matched as whole words."""
    phrases = set(FORBIDDEN_PHRASES)
    try:
        # Imported by name: the core is edited in parallel and may not have it yet.
        lists = importlib.import_module("mkdocs_postmortems.check.blameless").BLAMELESS_PHRASES
    except (ImportError, AttributeError, SyntaxError):
        lists = {}
    phrases.update(p for ps in lists.values() for p in ps)
    body = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", re.IGNORECASE)


SYSTEMS = (
    "support-assistant",
    "policy-retriever",
    "fraud-scorer",
    "cv-ranker",
    "claims-triage",
    "code-assistant",
    "search-summariser",
    "route-planner",
    "content-moderator",
    "pricing-model",
    "credit-scorer",
    "voice-agent",
    "translation-service",
    "recommendation-engine",
    "document-extractor",
    "medical-triage-bot",
    "sales-chatbot",
    "image-captioner",
    "anomaly-detector",
    "forecasting-service",
    "email-drafter",
    "meeting-summariser",
    "tutor-bot",
    "hr-screening",
    "ticket-router",
    "knowledge-base-rag",
    "agent-orchestrator",
    "speech-to-text",
    "ocr-pipeline",
    "eval-harness",
)
TEAMS = (
    "ml-platform-team",
    "customer-ai-team",
    "support-operations",
    "data-engineering",
    "trust-and-safety",
    "legal-and-compliance",
    "risk-analytics",
    "product-quality",
    "sre-team",
    "responsible-ai-office",
    "incident-commander",
    "evaluation-team",
)
TAGS = (
    "chatbot",
    "llm",
    "rag",
    "customer-facing",
    "internal-tool",
    "agent",
    "classifier",
    "ranking",
    "privacy",
    "fairness",
    "latency",
    "release",
    "vendor-model",
    "batch",
    "realtime",
)
AUDIENCES = (
    "customers",
    "applicants",
    "support agents",
    "claims handlers",
    "developers",
    "students",
    "patients",
    "shoppers",
    "drivers",
    "analysts",
)
VERBS = (
    "gave wrong answers about",
    "produced misleading summaries of",
    "ranked down",
    "mislabelled",
    "exposed details of",
    "made unapproved offers about",
    "repeated outdated guidance on",
    "blocked legitimate requests about",
    "over-flagged",
    "mistranslated",
)
TOPICS = (
    "refund rules",
    "loan eligibility",
    "delivery times",
    "account closures",
    "medication doses",
    "exam results",
    "insurance claims",
    "job applications",
    "pricing tiers",
    "travel restrictions",
    "warranty terms",
    "data retention",
)
WHAT_HAPPENED = (
    "On {day}, the {system} began returning answers about {topic} that did not match "
    "the published documentation. The change in behaviour followed a routine update "
    "to the prompt and retrieval configuration, and it went unnoticed for {days} days.",
    "A {audience_one} reported through the feedback form that the {system} had {verb} "
    "{topic}. The on-call engineer reproduced the behaviour within an hour, and the "
    "team found the same pattern in {pct}% of the sampled conversations from that week.",
    "The {system} draws on a knowledge base that is refreshed nightly. For {days} days the "
    "refresh job wrote an older snapshot, so answers about {topic} reflected rules that "
    "had since changed.",
    "An evaluation run scheduled after the release showed a drop of {pct} points on the "
    "{topic} test set. By the time the result was reviewed, the new version had served "
    "traffic to roughly {count} {audience}.",
    "Monitoring dashboards showed normal latency and error rates throughout. The problem "
    "was in the content of the outputs, which no alert looked at, so it surfaced through "
    "a complaint rather than a page.",
    "The {system} passed its outputs to the {other} without a confidence threshold. When "
    "inputs about {topic} arrived in a format the model had rarely seen, low-confidence "
    "outputs flowed downstream as if they were certain.",
    "A partner team reused the {system} for {topic}, a task it had not been evaluated on. "
    "The first weeks looked fine, and the gaps appeared once volume grew past {count} "
    "requests a day.",
    "During an agent-driven workflow, the {system} called a tool with wider permissions "
    "than the task needed and changed {count} records related to {topic} before the "
    "run was stopped.",
)
IMPACT = (
    "- About {count} {audience} received answers about {topic} that were wrong or misleading.",
    "- {pct}% of the affected requests needed manual follow-up by {team}.",
    "- Service credits and refunds came to roughly {money} in total.",
    "- The incident drew {press} press articles and a rise in support contacts.",
    "- No personal data left the organisation; the review confirmed this from access logs.",
    "- {count} cases were re-opened and reviewed by a person; most outcomes did not change.",
    "- The {system} was switched to a fallback mode for {days} days, which slowed answers.",
    "- A regulator asked for a written account of the incident and the corrective actions.",
)
TIMELINE = (
    "{when}: A release changes the {system} configuration.",
    "{when}: The first affected request is logged.",
    "{when}: A {audience_one} reports the problem through the feedback form.",
    "{when}: The on-call engineer confirms the behaviour and opens an incident.",
    "{when}: The team switches the {system} to the previous version.",
    "{when}: A backfill job re-runs the affected {topic} requests.",
    "{when}: Affected {audience} are contacted and offered a review.",
    "{when}: The incident is closed after a week without recurrence.",
)
FACTOR_PROSE = (
    "The {layer} layer contributed through {category}: {category_lower} made the wrong "
    "answers look routine, and nothing downstream checked them against the source.",
    "Under {layer}, {category_lower} meant that the conditions of this incident were "
    "outside what the release checklist covered.",
    "{category} on the {layer} side widened the window: the behaviour was present for "
    "{days} days before anyone connected the reports.",
    "The team traced part of the incident to {category_lower} in the {layer} layer, which "
    "had been noted in an earlier review but never given an owner.",
)
LESSONS = (
    "- Outputs about {topic} are commitments in the eyes of {audience}; they need the same "
    "review as a published policy.",
    "- Evaluation sets drift out of date as the product changes; each release now refreshes "
    "them from recent traffic.",
    "- Monitoring has to look at what the system says, not only whether it answers.",
    "- A fallback mode that the on-call engineer can switch on in minutes shortened the "
    "impact more than any fix.",
    "- Clear ownership of the {system} made the response faster once it was in place.",
    "- Reusing a model for a new task is a new launch and gets its own evaluation.",
    "- Feedback from {audience} arrived days before the metrics moved; it is now routed "
    "to the owning team within the hour.",
)
DISCUSSION = (
    "Looking back, the signals were present but spread across teams. The feedback queue, "
    "the evaluation dashboard and the release notes each held part of the picture, and no "
    "single view brought them together. The review focused on making that view exist.",
    "The system behaved as it was configured to behave. The gap was between what the "
    "configuration allowed and what the people relying on it expected, and closing that "
    "gap is the aim of the action items below.",
    "This incident resembles earlier ones in the library. The recurring theme is that "
    "behaviour changes in AI systems arrive without the error codes that traditional "
    "monitoring relies on, so detection depends on people noticing.",
    "Several mitigations were discussed and set aside: retraining would take weeks, and "
    "a blanket block on {topic} questions was expected to move the load to the support team. "
    "The chosen approach keeps the {system} available with a narrower scope.",
)


@dataclass(frozen=True)
class TaxonomyIds:
    """The ids the generator may use, read from the taxonomy file."""

    categories: dict[str, tuple[tuple[str, str], ...]]  # layer id -> ((id, title), ...)
    harm_types: tuple[tuple[str, bool], ...]  # (id, needs legal review)

    @property
    def layers(self) -> tuple[str, ...]:
        """Layer ids, in file order."""
        return tuple(self.categories)


def read_taxonomy(path: Path) -> TaxonomyIds:
    """Layer, category and harm-type ids from a taxonomy file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    categories = {
        layer["id"]: tuple((c["id"], c.get("title", c["id"])) for c in layer["categories"])
        for layer in data["layers"]
        if layer.get("categories")
    }
    harms = tuple(
        (h["id"], h.get("legal_review") == "required") for h in data.get("harm_types") or ()
    )
    if not categories:
        raise ValueError(f"{path}: the taxonomy has no layer with categories")
    return TaxonomyIds(categories, harms)


@dataclass(frozen=True)
class GeneratedPostmortem:
    """One generated file and the facts the benchmarks need about it."""

    id: str
    path: Path
    status: str
    visibility: str
    front_matter: str

    @property
    def published(self) -> bool:
        """Whether a default build (drafts excluded) publishes it."""
        return self.status == "final" and self.visibility != "restricted"


@dataclass
class GeneratedLibrary:
    """A generated site: docs, the plugin's mkdocs.yml and the floor's."""

    root: Path
    docs_dir: Path
    config: Path
    floor_config: Path
    postmortems: list[GeneratedPostmortem] = field(default_factory=list)
    # Restricted postmortems only the plugin reads (see `generate`).
    withheld: list[Path] = field(default_factory=list)

    @property
    def published(self) -> int:
        """How many postmortems a default build publishes."""
        return sum(1 for p in self.postmortems if p.published)


def _scalar(value: str) -> str:
    """A YAML scalar written the way a person would: plain where that reads
    back as the same string, double-quoted otherwise."""
    plain = re.fullmatch(r"[A-Za-z][A-Za-z0-9 ,.()'/%$-]*[A-Za-z0-9).%]", value)
    reserved = value.lower() in {"yes", "no", "on", "off", "true", "false", "null", "y", "n"}
    if plain and not reserved and ": " not in value and " #" not in value:
        return value
    return json.dumps(value, ensure_ascii=False)


def _folded(value: str, indent: int) -> str:
    """A long string as a `>-` block, wrapped near 80 columns."""
    pad = " " * indent
    lines: list[str] = []
    current = ""
    for word in value.split():
        if current and len(pad) + len(current) + 1 + len(word) > 84:
            lines.append(pad + current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    lines.append(pad + current)
    return ">-\n" + "\n".join(lines)


class _Writer:
    """Builds one postmortem. Holds the random source and the shared vocab."""

    def __init__(
        self, rng: random.Random, tax: TaxonomyIds, systems: Sequence[str], all_published: bool
    ) -> None:
        self.rng = rng
        self.tax = tax
        self.systems = systems
        self.all_published = all_published

    def fill(self, template: str, ctx: dict[str, str]) -> str:
        """A template with fresh numbers each time, so no two files repeat."""
        r = self.rng
        extra = {
            "days": str(r.randint(1, 40)),
            "pct": str(r.randint(2, 60)),
            "count": f"{r.randint(12, 48000):,}",
            "money": f"${r.randint(2, 900) * 100:,}",
            "press": str(r.randint(2, 30)),
            "team": r.choice(TEAMS),
            "audience_one": r.choice(AUDIENCES).rstrip("s"),
        }
        return template.format(**{**extra, **ctx})

    def date_text(self, value: dt.date | dt.datetime, quoted: bool) -> str:
        """Dates as authors write them: mostly unquoted, some quoted, some with a time."""
        text = (
            value.strftime("%Y-%m-%dT%H:%M:00Z") if isinstance(value, dt.datetime) else str(value)
        )
        return f'"{text}"' if quoted else text

    def write(self, pm_id: str, day: dt.date, earlier: Sequence[str]) -> tuple[str, str, str, str]:
        """Front matter, body, status and visibility of one postmortem."""
        r = self.rng
        systems = r.sample(list(self.systems), r.choice((1, 1, 1, 2, 2, 3)))
        topic = r.choice(TOPICS)
        audience = r.choice(AUDIENCES)
        ctx = {
            "system": systems[0],
            "other": r.choice(self.systems),
            "topic": topic,
            "audience": audience,
            "verb": r.choice(VERBS),
            "day": day.strftime("%d %B %Y").lstrip("0"),
        }
        status = r.choices(("final", "review", "draft"), (80, 12, 8))[0]
        visibility = r.choices(("", "internal", "restricted"), (76, 20, 4))[0]
        if self.all_published:
            # Equal work: every file the floor renders, the plugin renders too.
            status, visibility = "final", "internal"
        severity = r.choices(("SEV1", "SEV2", "SEV3", "SEV4"), (5, 20, 45, 30))[0]
        factors = []
        layers = list(self.tax.layers)
        chosen_layers = r.sample(layers, min(len(layers), r.randint(2, 4)))
        while len(chosen_layers) < 2:
            chosen_layers.append(r.choice(layers))
        for layer in chosen_layers:
            cat_id, cat_title = r.choice(self.tax.categories[layer])
            factors.append((layer, cat_id, cat_title))
        lines = [
            "---",
            f"id: {pm_id}",
            f"title: {_scalar(self.title(systems[0], topic, audience))}",
            f"status: {status}",
        ]
        if visibility:
            lines.append(f"visibility: {visibility}")
        detected: dt.date | dt.datetime = day + dt.timedelta(days=r.choice((0, 0, 1, 2, 5, 12)))
        resolved: dt.date | dt.datetime = detected + dt.timedelta(days=r.randint(0, 60))
        if r.random() < 0.3:
            detected = dt.datetime.combine(detected, dt.time(r.randint(0, 23), r.randint(0, 59)))
            resolved = dt.datetime.combine(resolved, dt.time(23, 59))
        lines += [
            f"severity: {severity}",
            f"date: {self.date_text(day, r.random() < 0.15)}",
            f"detected: {self.date_text(detected, r.random() < 0.15)}",
        ]
        if status == "final" or r.random() < 0.5:
            lines.append(f"resolved: {self.date_text(resolved, False)}")
        summary = " ".join(
            (
                f"For {r.randint(2, 40)} days the {systems[0]} {ctx['verb']} {topic} "
                f"for {audience}.",
                self.fill(r.choice(WHAT_HAPPENED), ctx),
            )
        )
        lines.append(f"summary: {_folded(summary, 2)}")
        lines.append("systems:")
        lines += [f"  - {s}" for s in systems]
        lines.append("authors:")
        lines += [f"  - {t}" for t in r.sample(TEAMS, r.randint(1, 3))]
        if r.random() < 0.8:
            lines.append(f"tags: [{', '.join(r.sample(TAGS, r.randint(1, 4)))}]")
        if self.tax.harm_types and r.random() < 0.8:
            harms = r.sample(self.tax.harm_types, min(len(self.tax.harm_types), r.randint(1, 2)))
            needs_review = any(req for _, req in harms)
            if status == "final":
                review = "approved" if needs_review else r.choice(("not-required", "approved"))
            else:
                review = r.choice(("pending", "not-required", "approved"))
            lines += ["harm:", "  types:"]
            lines += [f"    - {h}" for h, _ in harms]
            lines.append(f"  affected: About {r.randint(3, 9000):,} {audience}")
            lines.append(f"  legal_review: {review}")
        lines.append("factors:")
        for layer, cat_id, cat_title in factors:
            prose = self.fill(
                r.choice(FACTOR_PROSE),
                {**ctx, "layer": layer, "category": cat_title, "category_lower": cat_title.lower()},
            )
            lines += [
                f"  - layer: {layer}",
                f"    category: {cat_id}",
                f"    summary: {_folded(prose, 6)}",
            ]
        items = r.randint(0, 4)
        if items:
            lines.append("action_items:")
        for _ in range(items):
            due = day + dt.timedelta(days=r.randint(14, 400))
            lines += [
                f"  - title: {_scalar(self.action_title(topic, systems[0]))}",
                f"    layer: {r.choice(layers)}",
                f"    type: {r.choice(('prevent', 'detect', 'mitigate'))}",
                f"    owner: {r.choice(TEAMS)}",
                f"    due: {self.date_text(due, r.random() < 0.1)}",
                f"    status: {r.choice(('open', 'in-progress', 'done', 'wont-do'))}",
            ]
            if r.random() < 0.5:
                lines.append(f"    link: https://tracker.example.com/AI-{r.randint(100, 99999)}")
        if earlier and r.random() < 0.6:
            related = r.sample(list(earlier[-400:]), min(len(earlier), r.randint(1, 3)))
            lines.append("related:")
            lines += [f"  - {rid}" for rid in related]
        if r.random() < 0.1:
            lines.append(f"x-ticket: AI-{r.randint(100, 99999)}")
        lines.append("---")
        body = self.body(ctx, day, factors)
        return "\n".join(lines) + "\n", body, status, visibility

    def title(self, system: str, topic: str, audience: str) -> str:
        """A short blameless headline."""
        verb = self.rng.choice(VERBS)
        return f"{system.replace('-', ' ').capitalize()} {verb} {topic} for {audience}"

    def action_title(self, topic: str, system: str) -> str:
        """An action item phrased as the change it makes."""
        return self.rng.choice(
            (
                f"Add {topic} questions to the release evaluation of the {system}",
                f"Alert when {system} answers cite no source",
                f"Route {topic} cases to a person before any commitment",
                f"Name an owner for the {system} outputs",
                f"Rehearse the rollback of the {system} each quarter",
                f"Refresh the {topic} knowledge base on every policy change",
            )
        )

    def body(
        self, ctx: dict[str, str], day: dt.date, factors: Sequence[tuple[str, str, str]]
    ) -> str:
        """The Markdown body with the required sections in order."""
        r = self.rng
        parts = ["", "## What happened", ""]
        parts += [self.fill(t, ctx) + "\n" for t in r.sample(WHAT_HAPPENED, r.randint(2, 3))]
        parts += ["## Impact", ""]
        parts += [self.fill(t, ctx) for t in r.sample(IMPACT, r.randint(2, 4))]
        parts += ["", "## Timeline", ""]
        start = dt.datetime.combine(day, dt.time(r.randint(0, 12), 0))
        steps = sorted(r.sample(range(1, 2000), r.randint(3, 6)))
        # Events keep their story order; only which of them appear varies.
        events = [TIMELINE[i] for i in sorted(r.sample(range(len(TIMELINE)), len(steps)))]
        for minutes, template in zip(steps, events, strict=True):
            when = (start + dt.timedelta(minutes=minutes * 7)).strftime("%Y-%m-%d %H:%M")
            parts.append("- " + self.fill(template, {**ctx, "when": when}))
        parts += ["", "## Contributing factors", ""]
        for layer, _cat, title in factors:
            prose = self.fill(
                r.choice(FACTOR_PROSE),
                {**ctx, "layer": layer, "category": title, "category_lower": title.lower()},
            )
            parts.append(prose + "\n")
        parts += [self.fill(t, ctx) + "\n" for t in r.sample(DISCUSSION, r.randint(1, 2))]
        parts += ["## Lessons learned", ""]
        parts += [self.fill(t, ctx) for t in r.sample(LESSONS, r.randint(2, 4))]
        return "\n".join(parts) + "\n"


def _config_text(name: str, docs: str, site: str, plugins: str, nav: str = "") -> str:
    return (
        f"site_name: {name}\n"
        f"docs_dir: {docs}\n"
        f"site_dir: {site}\n"
        "use_directory_urls: true\n"
        "theme: material\n"
        f"{nav}"
        f"plugins:\n{plugins}"
        "markdown_extensions:\n"
        "  - admonition\n"
        "  - attr_list\n"
        "  - tables\n"
        "  - toc:\n"
        "      permalink: true\n"
    )


def generate(
    dest: Path,
    count: int,
    taxonomy: Path = DEFAULT_TAXONOMY,
    seed: int = SEED,
    all_published: bool = False,
    withheld: int = 0,
) -> GeneratedLibrary:
    """Write `count` postmortems under `dest/docs/<year>/` plus two configs:
    `mkdocs.yml` (search + postmortems) and `mkdocs-floor.yml` (plain
    mkdocs-material, nav with only the home page). `dest` is replaced.

    `all_published` makes every postmortem final and internal, so the
    plugin publishes every page the floor renders (the equal-work library);
    otherwise the mix of statuses and visibilities of a real library.
    `withheld` more postmortems, restricted, go under `docs/withheld/`,
    which the floor excludes: both still render the same pages, and the
    plugin's output guard has something to look for."""
    if dest.exists():
        shutil.rmtree(dest)
    docs = dest / "docs"
    docs.mkdir(parents=True)
    tax = read_taxonomy(taxonomy)
    rng = random.Random(seed)
    systems = SYSTEMS[: max(5, min(len(SYSTEMS), count // 10))]
    writer = _Writer(rng, tax, systems, all_published)
    # Spread evenly over the years, with days sorted so ids follow dates.
    per_year = [
        count // len(YEARS) + (1 if i < count % len(YEARS) else 0) for i in range(len(YEARS))
    ]
    lib = GeneratedLibrary(dest, docs, dest / "mkdocs.yml", dest / "mkdocs-floor.yml")
    earlier: list[str] = []
    forbidden = _forbidden()
    for year, n in zip(YEARS, per_year, strict=True):
        days = sorted(
            dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(0, 364)) for _ in range(n)
        )
        (docs / str(year)).mkdir()
        for seq, day in enumerate(days, start=1):
            pm_id = f"INC-{year}-{seq:03d}"
            front, body, status, visibility = writer.write(pm_id, day, earlier)
            text = front + body
            bad = forbidden.search(text)
            if bad:
                raise BenchError(f"the generator wrote the phrase {bad.group(0)!r} in {pm_id}")
            slug = "-".join(re.findall(r"[a-z0-9]+", front.split("title: ", 1)[1].lower())[:5])
            path = docs / str(year) / f"{pm_id}-{slug}.md"
            path.write_text(text, encoding="utf-8")
            inner = front.removeprefix("---\n").removesuffix("---\n")
            lib.postmortems.append(GeneratedPostmortem(pm_id, path, status, visibility, inner))
            earlier.append(pm_id)
    for seq in range(1, withheld + 1):
        year = YEARS[seq % len(YEARS)]
        pm_id = f"RST-{year}-{seq:03d}"
        front, body, _, _ = writer.write(pm_id, dt.date(year, 6, 1), earlier[:0])
        front = front.replace("\nvisibility: internal\n", "\nvisibility: restricted\n", 1)
        if "\nvisibility: restricted\n" not in front:
            raise BenchError(f"{pm_id}: the generator wrote no visibility to make restricted")
        path = docs / "withheld" / f"{pm_id}.md"
        path.parent.mkdir(exist_ok=True)
        path.write_text(front + body, encoding="utf-8")
        lib.withheld.append(path)
    (docs / "index.md").write_text(
        "---\ntitle: Benchmark incident library\n---\n\n"
        f"# Benchmark incident library\n\n{count} generated postmortems, seed {seed}.\n",
        encoding="utf-8",
    )
    tax_abs = json.dumps(str(taxonomy.resolve()))
    lib.config.write_text(
        _config_text(
            f"Benchmark library ({count})",
            "docs",
            "site-plugin",
            # `POSTMORTEMS_JOBS=1 python -m bench build` measures one process.
            f"  - search\n  - postmortems:\n      taxonomy: {tax_abs}\n"
            "      jobs: !ENV [POSTMORTEMS_JOBS, null]\n",
        ),
        encoding="utf-8",
    )
    lib.floor_config.write_text(
        _config_text(
            f"Benchmark floor ({count})",
            "docs",
            "site-floor",
            "  - search\n",
            nav="nav:\n  - Home: index.md\n"
            + ("exclude_docs: |\n  withheld/\n" if withheld else ""),
        ),
        encoding="utf-8",
    )
    return lib
