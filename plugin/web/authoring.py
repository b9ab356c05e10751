"""`postmortems new`: a draft postmortem that lints clean from the start.

The id is the next free one for the incident's year, with the prefix the
library uses; the file goes where the library keeps its postmortems (a year
folder if it has them; postmortems/<year>/ for the first one); the body has
the required sections, each opening with a line that teaches the practice.
An existing file is never replaced.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Final

from ..check.library import Library, display_path
from ..enums import SEVERITIES
from ..ids import ID, ID_PREFIX, SLUG, max_length
from ..parse.regimes import Regime, Regimes
from ..parse.taxonomy import Taxonomy
from ..settings import DEFAULT_REQUIRED_SECTIONS, Settings
from .markdown_text import escape_markdown

DEFAULT_PREFIX: Final = "INC"
MAX_SLUG: Final = 60
# Where the first postmortem of a library goes, under docs_dir, in a year folder.
FIRST_FOLDER: Final = "postmortems"
_YEAR: Final = re.compile(r"^[0-9]{4}$")

SUMMARY_PLACEHOLDER: Final = (
    "Replace this with one plain-language paragraph: what happened, who was affected, "
    "for how long, and what it meant for them."
)

# The opening line of each default section. They are checked by the
# blameless review like any text, so example phrases stand in quotes.
SECTION_PROMPTS: Final = {
    "What happened": (
        "Tell the story as the system and the people in it saw it at the time: what "
        'happened, not who did it. Name roles ("the on-call engineer"), not people.'
    ),
    "Impact": ("Who or what was affected, how many, for how long, and how the harm showed up."),
    "Timeline": (
        "Dated events from the first sign of trouble to recovery: what the system showed "
        "and what people knew at each point, without hindsight."
    ),
    "Contributing factors": (
        "Look for factors on every layer: {layers}. For each, ask what made the outcome "
        "possible, and list it under `factors` in the front matter."
    ),
    "Lessons learned": (
        "What the incident taught about the system, and the systemic fixes it calls for "
        '(a guardrail, a check, an alert, a clearer handoff) rather than "be more '
        'careful". Track each fix under `action_items`.'
    ),
}
OTHER_SECTION_PROMPT: Final = "Write about the system and its conditions: what happened, not who."


class AuthoringError(Exception):
    """The request cannot be carried out; the message says why and what to do."""


class AlreadyExists(AuthoringError):
    """The file to create is already there: nothing was written."""


@dataclass(frozen=True)
class NewPostmortem:
    """What the author asked for, before any checking."""

    title: str
    severity: str
    systems: tuple[str, ...]
    date: dt.date
    # Regimes that may apply, as `id` or `id:trigger`; each is written as a
    # pending reporting decision.
    regimes: tuple[str, ...] = ()
    # Layers where the author already sees a factor; the others get a
    # ruled_out scaffold to fill in or delete.
    layers: tuple[str, ...] = ()


@dataclass(frozen=True)
class NewObligation:
    regime: str
    trigger: str
    # No trigger was named: the regime's shortest clock stands in for it.
    shortest: bool = False


@dataclass(frozen=True)
class Plan:
    id: str
    path: Path
    text: str


def clean_title(title: str) -> str:
    """One line of printable text: the front matter must read back as written."""
    printable = "".join(ch if ch.isprintable() else " " for ch in title)
    return " ".join(printable.split())


def slugify(title: str, max_length: int = MAX_SLUG) -> str:
    """ASCII, lowercase, words joined by hyphens, cut at a word boundary."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_length:
        cut = slug[: max_length + 1]
        slug = cut[: cut.rfind("-")] if "-" in cut else slug[:max_length]
    return slug.strip("-") or "incident"


def parse_title(title: str) -> str:
    """The title as it will be written; AuthoringError if lint would refuse it."""
    cleaned = clean_title(title)
    if not cleaned:
        raise AuthoringError("the title is empty; give a short, blameless headline")
    if len(cleaned) > max_length("title"):
        raise AuthoringError(
            f"the title is {len(cleaned)} characters long; the limit is {max_length('title')}"
        )
    return cleaned


def parse_severity(severity: str) -> str:
    value = severity.strip().upper()
    if value not in SEVERITIES:
        raise AuthoringError(f"severity '{severity}' is not one of {', '.join(SEVERITIES)}")
    return value


def parse_systems(values: Iterable[str]) -> tuple[str, ...]:
    """Slugs from repeated or comma-separated values, each once, in order."""
    systems = tuple(
        dict.fromkeys(s.strip() for item in values for s in item.split(",") if s.strip())
    )
    if not systems:
        raise AuthoringError("name at least one system involved, as a slug like 'support-bot'")
    for system in systems:
        if not SLUG.fullmatch(system):
            raise AuthoringError(
                f"system '{system}' must be a lowercase slug (letters, digits, hyphens), "
                f"like '{slugify(system)}'"
            )
        if len(system) > max_length("system"):
            raise AuthoringError(
                f"system '{system[:20]}...' is {len(system)} characters long; the limit is "
                f"{max_length('system')}"
            )
    return systems


def shortest_trigger(regime: Regime) -> str:
    """The trigger whose first deadline comes soonest: the safe stand-in
    until the decision names the real one (a later clock is never missed)."""
    start = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    return min(regime.triggers, key=lambda t: min(d.soonest_from(start) for d in t.deadlines)).id


def parse_obligations(values: Iterable[str], regimes: Regimes | None) -> tuple[NewObligation, ...]:
    """`id` or `id:trigger` values, each checked against the regimes file."""
    out: list[NewObligation] = []
    for value in dict.fromkeys(v.strip() for item in values for v in item.split(",") if v.strip()):
        if regimes is None:
            raise AuthoringError(
                "the regimes file is broken, so no regime can be checked; "
                "`postmortems lint` says what is wrong with it"
            )
        regime_id, _, trigger_id = value.partition(":")
        regime = regimes.regime(regime_id)
        if regime is None:
            raise AuthoringError(
                f"regime '{regime_id}' is not in the regimes file; use one of "
                f"{', '.join(regimes.ids)}"
            )
        if not trigger_id:
            out.append(NewObligation(regime.id, shortest_trigger(regime), shortest=True))
            continue
        if regime.trigger(trigger_id) is None:
            raise AuthoringError(
                f"trigger '{trigger_id}' is not a trigger of regime '{regime_id}'; use one of "
                f"{', '.join(t.id for t in regime.triggers)}"
            )
        out.append(NewObligation(regime.id, trigger_id))
    return tuple(out)


def _reporting_text(obligations: Iterable[NewObligation], aware: dt.date) -> str:
    entries = "".join(
        f"    - regime: {ob.regime}\n"
        + (
            "      # No trigger was named: this one has the shortest clock; correct it.\n"
            if ob.shortest
            else ""
        )
        + f"      trigger: {ob.trigger}\n      decision: pending\n"
        for ob in obligations
    )
    if not entries:
        return ""
    return (
        "# Whether this incident must be reported is a legal decision: record it\n"
        "# (reportable or not-reportable, and decided_by) and every report filed.\n"
        "# The clocks count from `aware`, when the organisation became aware of the\n"
        "# incident; it starts as the incident's date, the earliest it can be.\n"
        f"reporting:\n  aware: {aware.isoformat()}\n  obligations:\n{entries}"
    )


def validate(request: NewPostmortem) -> NewPostmortem:
    """The request normalised; AuthoringError names the first thing that
    would make the new file fail lint."""
    return NewPostmortem(
        parse_title(request.title),
        parse_severity(request.severity),
        parse_systems(request.systems),
        request.date,
        request.regimes,
        tuple(dict.fromkeys(layer.strip() for layer in request.layers if layer.strip())),
    )


def check_layers(layers: Iterable[str], taxonomy: Taxonomy | None) -> None:
    """AuthoringError for a named layer the taxonomy does not have."""
    if taxonomy is None:
        return
    known = [layer.id for layer in taxonomy.layers]
    for layer in layers:
        if layer not in known:
            raise AuthoringError(
                f"layer '{layer}' is not in the taxonomy; use one of {', '.join(known)}"
            )


def known_ids(library: Library) -> list[str]:
    """Every id in use: from front matter and from file names, so a file
    whose front matter is broken still holds its number."""
    ids = []
    for rel, checked in library.documents.items():
        if checked.id is not None:
            ids.append(checked.id)
        m = ID.match(PurePosixPath(rel).name)
        if m:
            ids.append(m.group(0))
    return ids


def prefix_problem(configured: object) -> str | None:
    """What is wrong with an `id_prefix` option, if anything."""
    # The option comes from YAML, where `id_prefix: 42` is a number.
    if configured is None or (isinstance(configured, str) and ID_PREFIX.match(configured)):
        return None
    return (
        f"the plugin option id_prefix '{configured}' must be capital letters and "
        "digits, starting with a letter, like INC or AI"
    )


def choose_prefix(ids: Iterable[str], configured: object) -> str:
    """The `id_prefix` option, else the prefix most ids of the library use,
    else INC."""
    if configured is not None:
        problem = prefix_problem(configured)
        if problem:
            raise AuthoringError(problem)
        return str(configured)
    counts = Counter(m.group(1) for i in ids if (m := ID.match(i)))
    if not counts:
        return DEFAULT_PREFIX
    return min(counts, key=lambda p: (-counts[p], p))


def next_id(ids: Iterable[str], prefix: str, year: int) -> str:
    """One more than the highest number used for this prefix and year; gaps
    stay gaps, so an id never comes back after its postmortem was removed."""
    used = [
        int(digits or "0")
        for i in ids
        if (m := ID.match(i))
        and m.group(1) == prefix
        and int(m.group(2)) == year
        # An id longer than the schema allows is an error of its own file,
        # not a number to count from (5,000 digits are past what int() reads).
        and len(digits := m.group(3).lstrip("0")) <= max_length("id")
    ]
    return f"{prefix}-{year:04d}-{max(used, default=0) + 1:03d}"


def target_folder(
    library: Library,
    docs_dir: Path,
    year: int,
    real_path: Callable[[Path], Path] | None = None,
) -> Path:
    """Where the library keeps postmortems: the folder most of them share,
    with a year folder swapped for the new incident's year. The first one
    goes to postmortems/<year>/ under docs_dir, as the README says, so a
    site's other pages keep their folder to themselves (straight into the
    year folder where docs_dir is itself named postmortems).
    `real_path` gives, for a file of a docs_dir merged from several folders
    (a monorepo), the file its author wrote: folders are counted and
    returned there, since a file written into the merged copy is lost."""
    where = real_path or (lambda path: path)
    layouts: Counter[tuple[Path, bool]] = Counter()
    for rel, checked in library.documents.items():
        if not checked.is_postmortem:
            continue
        parts = PurePosixPath(rel).parent.parts
        real = where(docs_dir.joinpath(*PurePosixPath(rel).parts))
        # A folder named like a year only where it is one of the library's
        # own, not the docs folder an included site's alias stands for.
        by_year = bool(parts) and bool(_YEAR.match(parts[-1])) and real.parent.name == parts[-1]
        layouts[(real.parent.parent if by_year else real.parent, by_year)] += 1
    if not layouts:
        base_dir = docs_dir if docs_dir.name == FIRST_FOLDER else docs_dir / FIRST_FOLDER
        return where(base_dir / f"{year:04d}")
    (folder, by_year), _ = layouts.most_common(1)[0]
    return folder / f"{year:04d}" if by_year else folder


def chosen_folder(folder: Path, docs_folders: Sequence[Path], cwd: Path) -> Path:
    """A folder the author named for the new file: one the build reads (a
    docs folder, or one inside it), or an AuthoringError saying which are."""
    wanted = cwd / folder
    if any(wanted.resolve().is_relative_to(d.resolve()) for d in docs_folders):
        return wanted
    shown = ", ".join(display_path(d, cwd) for d in docs_folders)
    raise AuthoringError(
        f"{display_path(cwd / folder, cwd)} is not in a docs folder the build reads "
        f"({shown}): a postmortem there would be neither checked nor published"
    )


def _layers_text(taxonomy: Taxonomy | None) -> str:
    if taxonomy is None or not taxonomy.layers:
        return "every layer of the taxonomy"
    return ", ".join(f"{escape_markdown(layer.title)} (`{layer.id}`)" for layer in taxonomy.layers)


# Said once, in the scaffold and in its test: the line an author replaces.
RULED_OUT_REASON: Final = "What was examined, and why this layer did not contribute."


def _ruled_out_scaffold(named: Iterable[str], taxonomy: Taxonomy | None) -> str:
    """The layers the author did not name, as a commented `ruled_out` block.

    Commented rather than written out: an entry with a placeholder reason
    would count as examined, and a final postmortem could then pass
    `layer-not-considered` without the work. Commented, the draft lints
    clean and the rule keeps asking until a real reason is written."""
    if taxonomy is None:
        return ""
    named = set(named)
    rest = [layer for layer in taxonomy.layers if layer.id not in named]
    if not rest:
        return ""
    entries = "".join(
        f"#   - layer: {layer.id}\n#     reason: {RULED_OUT_REASON}\n" for layer in rest
    )
    return (
        "# Before status: final, every layer needs a factor or a ruled_out entry.\n"
        "# Uncomment the layers below that did not contribute, with what was examined;\n"
        "# drop a layer from here when you name a factor on it.\n"
        f"# ruled_out:\n{entries}"
    )


# Placeholders of the commented stubs below; said once, here and in the tests.
HARM_AFFECTED: Final = "Who was affected, how many, and how."
ACTION_TITLE: Final = "What will change in the system (a guardrail, a check, an alert)."
ACTION_OWNER: Final = "owning-team"


def _harm_scaffold(taxonomy: Taxonomy | None) -> str:
    """A commented `harm` block: the harm types, and the legal review a
    final postmortem needs when one of them requires it.

    Commented for the same reason as `ruled_out`: a written-out harm with a
    guessed type would put a legal-review gate on every draft."""
    harms = taxonomy.harm_types if taxonomy else ()
    reviewed = ", ".join(h.id for h in harms if h.requires_legal_review)
    types = f" among\n# {', '.join(h.id for h in harms)}" if harms else ""
    gate = f"# Harm of type {reviewed}\n# needs legal_review: approved before status: final.\n"
    return (
        f"# Who or what was harmed, if anyone: uncomment, with types{types}.\n"
        f"{gate if reviewed else ''}"
        "# harm:\n"
        f"#   types: [{harms[0].id if harms else 'financial'}]\n"
        f"#   affected: {HARM_AFFECTED}\n"
        "#   legal_review: pending          # not-required | pending | approved\n"
    )


def _stub_due(began: dt.date) -> dt.date:
    """The stub's due date: a month after the incident began, or the
    calendar's last day (9999-12-31) where that comes sooner."""
    room = dt.date.max - began
    return began + min(room, dt.timedelta(days=30))


def _action_items_scaffold(request: NewPostmortem, taxonomy: Taxonomy | None, due: dt.date) -> str:
    """A commented `action_items` entry, on the first layer the author named."""
    layers = [layer.id for layer in taxonomy.layers] if taxonomy else []
    layer = next(iter(request.layers), layers[0] if layers else "model")
    return (
        "# Systemic fixes, at least one on each layer that carries a factor; each\n"
        "# owned by a team or role. Uncomment, then copy an entry for each fix.\n"
        "# action_items:\n"
        f"#   - title: {ACTION_TITLE}\n"
        f"#     layer: {layer}\n"
        "#     type: prevent                # prevent | detect | mitigate\n"
        f"#     owner: {ACTION_OWNER}\n"
        f"#     due: {due.isoformat()}\n"
        "#     status: open                 # open | in-progress | done | wont-do\n"
    )


def render(
    request: NewPostmortem,
    pm_id: str,
    settings: Settings,
    taxonomy: Taxonomy | None,
    obligations: tuple[NewObligation, ...] = (),
) -> str:
    """The Markdown of the new draft."""
    layer_ids = ", ".join(layer.id for layer in taxonomy.layers) if taxonomy else ""
    systems = "".join(f"\n  - {s}" for s in request.systems)
    head = (
        f"---\n"
        f"id: {pm_id}\n"
        # JSON strings are YAML double-quoted scalars, and the title is printable.
        f"title: {json.dumps(request.title, ensure_ascii=False)}\n"
        f"status: draft\n"
        f"severity: {request.severity}\n"
        f"date: {request.date.isoformat()}\n"
        f"summary: >-\n  {SUMMARY_PLACEHOLDER}\n"
        f"systems:{systems}\n"
        f"authors: []\n"
        f"# Contributing factors, from every layer that played a part"
        f"{f' ({layer_ids})' if layer_ids else ''}:\n"
        f"# each has a layer, a category and a summary. A final postmortem needs one at least.\n"
        f"factors: []\n"
        f"{_ruled_out_scaffold(request.layers, taxonomy)}"
        f"{_harm_scaffold(taxonomy)}"
        f"{_action_items_scaffold(request, taxonomy, _stub_due(request.date))}"
        f"{_reporting_text(obligations, request.date)}"
        f"---\n"
    )
    sections = settings.required_sections or DEFAULT_REQUIRED_SECTIONS
    layers = _layers_text(taxonomy)
    prompts = [SECTION_PROMPTS.get(name, OTHER_SECTION_PROMPT) for name in sections]
    body = "".join(
        f"\n## {name}\n\n*{prompt.replace('{layers}', layers)}*\n"
        for name, prompt in zip(sections, prompts, strict=True)
    )
    return head + body


def plan(
    library: Library,
    docs_dir: Path,
    request: NewPostmortem,
    *,
    real_path: Callable[[Path], Path] | None = None,
    folder: Path | None = None,
) -> Plan:
    """Check the request and decide the id, the path and the text: in
    `folder` if given (see chosen_folder), else where the library keeps its
    postmortems (see target_folder)."""
    request = validate(request)
    check_layers(request.layers, library.taxonomy)
    obligations = parse_obligations(request.regimes, library.regimes)
    ids = known_ids(library)
    prefix = choose_prefix(ids, library.settings.id_prefix)
    pm_id = next_id(ids, prefix, request.date.year)
    if folder is None:
        folder = target_folder(library, docs_dir, request.date.year, real_path)
    path = folder / f"{pm_id}-{slugify(request.title)}.md"
    return Plan(
        pm_id, path, render(request, pm_id, library.settings, library.taxonomy, obligations)
    )


def write(new: Plan) -> None:
    """Create the file; AlreadyExists if anything is at its path."""
    try:
        new.path.parent.mkdir(parents=True, exist_ok=True)
        with new.path.open("x", encoding="utf-8", newline="\n") as fh:
            fh.write(new.text)
    except FileExistsError as exc:
        raise AlreadyExists(f"{new.path} already exists; nothing was written") from exc
    except OSError as exc:
        raise AuthoringError(f"cannot write {new.path}: {exc.strerror or exc}") from exc


def scaffold_texts(taxonomy: Taxonomy | None) -> list[str]:
    """The prompts `new` writes into every draft, as written there: they are
    the guide's text too, so a draft that still holds them tells nothing."""
    layers = _layers_text(taxonomy)
    prompts = [p.replace("{layers}", layers) for p in SECTION_PROMPTS.values()]
    return [SUMMARY_PLACEHOLDER, OTHER_SECTION_PROMPT, *prompts]
