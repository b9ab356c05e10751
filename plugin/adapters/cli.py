"""The `postmortems` command. Click parsing only: the work is in the core."""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

import click

from ..check.formats import REPORTERS, summary_line
from ..check.library import (
    Library,
    LibraryLoader,
    display_path,
    markdown_files,
    resolve_regimes_path,
)
from ..check.publication import is_markdown_name
from ..dates import as_utc, build_instant, end_of_day, parse_date
from ..enums import SEVERITIES
from ..model import Postmortem
from ..parse.regimes import load_regimes
from ..settings import ConfigError, Settings, SiteConfig
from ..web import audit as audit_module
from ..web import authoring
from ..web.export import incidents_csv, incidents_json
from ..web.obligations import as_json as clocks_json
from ..web.obligations import as_text as clocks_text
from ..web.obligations import library_clocks
from ..web.obligations import summary as clocks_summary

T = TypeVar("T")


def site_config(config_file: str | None, required: bool, strict: bool = False) -> SiteConfig | None:
    """The site's config as `mkdocs build` (`--strict` if `strict`) loads
    and validates it, or None where there is none and none is needed."""
    # MkDocs is imported only when a site is read: `--help` and linting
    # named files without a site do not pay for it.
    from .options import default_config_file, load_site_config

    path = Path(config_file) if config_file is not None else default_config_file(Path())
    if path is None:
        if not required:
            return None
        raise click.UsageError(
            "no mkdocs.yml (or properdocs.yml) here: run from the site's folder or give -f FILE"
        )
    try:
        config = load_site_config(path, strict=strict)
    except ConfigError as exc:
        missing = _missing_docs_dir(str(exc))
        if missing is not None:
            # The usual first stop of a new site: say what to do, not what failed.
            folder = display_path(missing, Path.cwd())
            raise click.UsageError(
                f"{path}: its docs_dir {folder} does not exist: create it "
                f"(mkdir -p {folder}), or set docs_dir to the folder of your pages"
            ) from exc
        raise click.UsageError(str(exc)) from exc
    for warning in config.warnings:
        click.echo(f"Warning: {path}: {warning}", err=True)
    return config


def _missing_docs_dir(message: str) -> Path | None:
    """The folder of MkDocs' refusal of a docs_dir that does not exist, if
    that is what the message says."""
    _, found, rest = message.partition("Config value 'docs_dir': The path '")
    folder, quote, tail = rest.partition("'")
    if found and quote and tail.startswith(" isn't an existing directory"):
        return Path(folder)
    return None


config_option = click.option(
    "-f",
    "--config-file",
    "config_file",
    metavar="FILE",
    default=None,
    help="The site's mkdocs.yml (default: ./mkdocs.yml, else ./properdocs.yml); "
    "read and validated as MkDocs does, its plugin options apply.",
)

jobs_option = click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Processes that share the work (1: this one alone). "
    "Default: the plugin option `jobs`, else what the machine has.",
)


def _with_jobs(settings: Settings, jobs: int | None) -> Settings:
    return settings if jobs is None else replace(settings, jobs=jobs)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mkdocs-postmortems")
def cli() -> None:
    """Blameless AI-incident postmortems: lint them, publish them."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@config_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(REPORTERS)),
    default="text",
    show_default=True,
    help="How findings are printed.",
)
@click.option("--strict", is_flag=True, help="Warnings fail too (exit 1).")
@click.option("--no-hints", is_flag=True, help="Leave out related-incident hints.")
@jobs_option
def lint(
    paths: tuple[Path, ...],
    config_file: str | None,
    fmt: str,
    strict: bool,
    no_hints: bool,
    jobs: int | None,
) -> None:
    """Check postmortems: schema, taxonomy, ids, file names, links, sections,
    publication rules. PATHS default to the whole docs_dir of mkdocs.yml.

    Exit 0: no errors; 1: errors (or warnings with --strict); 2: usage error.
    """
    # Linting the whole site needs its docs_dir; named files only need context.
    config = (
        site_config(config_file, required=False, strict=strict)
        if paths
        else _site_with_docs(config_file, strict=strict)
    )
    cwd = Path.cwd()
    settings = _with_jobs(config.settings if config else Settings(), jobs)
    if no_hints:
        settings = replace(settings, related_hints=False)
    config_dir = config.config_file.parent if config else cwd
    targets: list[Path] = []
    for p in paths:
        targets.extend(markdown_files(p) if p.is_dir() else [p])
    with _docs_tree(config) as (docs_dir, real_path):
        library = LibraryLoader().load(
            docs_dir, settings, config_dir, cwd, targets, real_path=real_path
        )
    findings = library.findings
    if paths:
        wanted = {display_path(t, cwd) for t in targets}
        findings = [f for f in findings if f.path in wanted or not is_markdown_name(f.path)]
        checked = len(wanted)
    else:
        checked = sum(1 for c in library.documents.values() if c.is_postmortem)
    click.echo(REPORTERS[fmt](findings), nl=False)
    if fmt == "text":
        click.echo(summary_line(findings, checked), err=True)
    failing = any(f.severity == "error" or strict for f in findings)
    sys.exit(1 if failing else 0)


def _site_with_docs(config_file: str | None, strict: bool = False) -> SiteConfig:
    """The site's config, required. MkDocs refuses a docs_dir that is not a
    folder, so a mistyped one cannot pass lint or export an empty library."""
    config = site_config(config_file, required=True, strict=strict)
    assert config is not None
    return config


def _load_site(config: SiteConfig, jobs: int | None = None) -> Library:
    with _docs_tree(config) as (docs_dir, real_path):
        return _load_tree(config, docs_dir, real_path, jobs)


def _load_tree(
    config: SiteConfig,
    docs_dir: Path,
    real_path: Callable[[Path], Path] | None,
    jobs: int | None = None,
) -> Library:
    settings = _with_jobs(config.settings, jobs)
    return LibraryLoader().load(
        docs_dir, settings, config.config_file.parent, Path.cwd(), real_path=real_path
    )


@contextmanager
def _docs_tree(
    config: SiteConfig | None,
) -> Iterator[tuple[Path, Callable[[Path], Path] | None]]:
    """The folder the site's build reads its pages from, and where each of
    its files was written: a monorepo site (see `mounts`) builds from a
    merged copy of several folders, so lint and audit read such a copy too,
    and name each file where its author wrote it."""
    if config is None:
        yield Path.cwd() / ".postmortems-no-docs-dir", None
        return
    if config.mounts is None:
        yield config.docs_dir, None
        return
    with tempfile.TemporaryDirectory(prefix="postmortems-docs-") as tmp:
        # Named as the site's own docs folder: `new` places a library's first
        # postmortem by that name (see authoring.target_folder).
        merged = Path(tmp) / (config.mounts.root.name or "docs")
        config.mounts.merge_into(merged)
        yield merged, config.mounts.shown_as(merged)


def _stdin_is_terminal() -> bool:
    return sys.stdin.isatty()


def _checked(parse: Callable[[str], T]) -> Callable[[str], T]:
    """A parser for click.prompt: a bad answer is asked again."""

    def convert(value: str) -> T:
        try:
            return parse(value)
        except authoring.AuthoringError as exc:
            raise click.BadParameter(str(exc)) from exc

    return convert


@cli.command()
@click.argument("title", required=False)
@click.option("--severity", metavar="SEV1..SEV4", help="SEV1 is the worst, SEV4 the mildest.")
@click.option(
    "--system",
    "systems",
    multiple=True,
    metavar="SLUG",
    help="An AI system involved; repeat for more.",
)
@click.option(
    "--layer",
    "layers",
    multiple=True,
    metavar="LAYER",
    help="A layer where you already see a factor; repeat for more. "
    "The other layers get a ruled_out scaffold.",
)
@click.option(
    "--date",
    "date",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    metavar="YYYY-MM-DD",
    help="When the incident began (default: today).",
)
@click.option(
    "--regime",
    "regimes",
    multiple=True,
    metavar="ID[:TRIGGER]",
    help="A reporting regime that may apply (gdpr-art33, eu-ai-act-art73:death); repeat "
    "for more. Each is written as a pending decision.",
)
@click.option(
    "--no-reporting",
    is_flag=True,
    help="No reporting decision is needed: do not ask (in a terminal).",
)
@click.option(
    "--folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    metavar="FOLDER",
    help="Write the draft into FOLDER (created if missing), inside a docs folder "
    "the build reads. Default: where most of the library's postmortems are.",
)
@config_option
def new(
    title: str | None,
    severity: str | None,
    systems: tuple[str, ...],
    date: dt.datetime | None,
    regimes: tuple[str, ...],
    no_reporting: bool,
    config_file: str | None,
    layers: tuple[str, ...] = (),
    folder: Path | None = None,
) -> None:
    """Start a draft postmortem with the next free id, where the library's
    postmortems are (in a monorepo, the included site's own docs folder),
    or in --folder. In a terminal, asks for what the options leave out.

    Exit 0: created (its path is printed); 1: the file exists; 2: usage error.
    """
    config = _site_with_docs(config_file)
    if folder is not None:
        docs_folders = config.mounts.folders if config.mounts else [config.docs_dir]
        try:
            folder = authoring.chosen_folder(folder, docs_folders, Path.cwd())
        except authoring.AuthoringError as exc:
            raise click.BadParameter(str(exc), param_hint="'--folder'") from exc
    missing = [
        name
        for name, value in (("TITLE", title), ("--severity", severity), ("--system", systems))
        if not value
    ]
    today = dt.date.today()
    if missing and not _stdin_is_terminal():
        raise click.UsageError(
            f"missing {', '.join(missing)}: give them on the command line "
            "(or run in a terminal to be asked)"
        )
    if not title:
        title = click.prompt(
            "Title (a short, blameless headline)", value_proc=_checked(authoring.parse_title)
        )
    if not severity:
        severity = click.prompt(
            f"Severity ({', '.join(SEVERITIES)}; SEV1 is the worst)",
            value_proc=_checked(authoring.parse_severity),
        )
    if not systems:
        systems = click.prompt(
            "Systems involved (slugs, separated by commas)",
            value_proc=_checked(lambda v: authoring.parse_systems([v])),
        )
    if date is None and missing:
        date = click.prompt(
            "Date the incident began", default=today.isoformat(), type=click.DateTime(["%Y-%m-%d"])
        )
    if regimes and no_reporting:
        raise click.UsageError("--regime and --no-reporting contradict each other; give one")
    if not regimes and not no_reporting and _stdin_is_terminal():
        regimes = _ask_regimes(config)
    assert title is not None and severity is not None
    request = authoring.NewPostmortem(
        title,
        severity,
        tuple(systems),
        date.date() if date else today,
        regimes=tuple(regimes),
        layers=tuple(layers),
    )
    try:
        # In a monorepo, planned in the merged tree the build reads, and
        # written where its files come from (see target_folder).
        with _docs_tree(config) as (docs_dir, real_path):
            library = _load_tree(config, docs_dir, real_path)
            planned = authoring.plan(library, docs_dir, request, real_path=real_path, folder=folder)
        authoring.write(planned)
    except authoring.AlreadyExists as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    except authoring.AuthoringError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(display_path(planned.path, Path.cwd()))


def _ask_regimes(config: SiteConfig) -> tuple[str, ...]:
    """In a terminal: whether a reporting decision is needed, and under which regimes."""
    if not click.confirm(
        "Does this incident need a reporting decision (may an authority have to be told)?",
        default=False,
    ):
        return ()
    path = resolve_regimes_path(config.settings, config.config_file.parent)
    known, _ = load_regimes(path, str(path))
    if known is None:
        raise click.UsageError(f"{path} is broken; `postmortems lint` says what is wrong")
    chosen = click.prompt(
        f"Regimes that may apply ({', '.join(known.ids)}; separated by commas)",
        value_proc=_checked(lambda v: authoring.parse_obligations([v], known)),
    )
    answers = []
    for ob in chosen:
        regime = known.regime(ob.regime)
        assert regime is not None
        trigger = click.prompt(
            f"Trigger for {ob.regime}",
            type=click.Choice([t.id for t in regime.triggers]),
            default=ob.trigger,
        )
        answers.append(f"{ob.regime}:{trigger}")
    return tuple(answers)


EXPORTERS: dict[str, Callable[[Sequence[Postmortem], None, bool], str]] = {
    "json": incidents_json,
    "csv": incidents_csv,
}


@cli.command("export")
@config_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(EXPORTERS)),
    default="json",
    show_default=True,
    help="JSON as the site's incidents.json, or CSV.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to FILE instead of standard output.",
)
@click.option(
    "--include-drafts",
    is_flag=True,
    default=None,
    help="Export drafts too (default: the plugin option include_drafts).",
)
def export_command(
    config_file: str | None, fmt: str, output: Path | None, include_drafts: bool | None
) -> None:
    """Export the published incidents (never restricted ones) as JSON or CSV.

    Exit 0: exported; 1: the library has errors (listed) or FILE cannot be
    written; 2: usage error.
    """
    config = _site_with_docs(config_file)
    library = _load_site(config)
    errors = library.errors
    if errors:
        click.echo(REPORTERS["text"](errors), err=True, nl=False)
        click.echo(
            f"Error: nothing exported: fix the {len(errors)} error(s) above first "
            "(postmortems lint shows them all)",
            err=True,
        )
        sys.exit(1)
    # Addresses as the site's pages have them (use_directory_urls).
    text = EXPORTERS[fmt](library.published(include_drafts), None, config.use_directory_urls)
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        with output.open("w", encoding="utf-8", newline="") as fh:
            fh.write(text)
    except OSError as exc:
        raise click.FileError(str(output), hint=exc.strerror or str(exc)) from exc


@cli.command("reporting")
@config_option
@click.option(
    "--now",
    "now_text",
    default=None,
    metavar="INSTANT",
    help="The instant states are computed for, with its UTC offset "
    "(2026-09-20T14:30:00Z; default: now, or SOURCE_DATE_EPOCH).",
)
@click.option(
    "--today",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    metavar="YYYY-MM-DD",
    help="Shorthand for --now at the end of that day in UTC (24:00).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="A table, or a JSON list with id, regime, trigger, stage, deadline, filed, state.",
)
def reporting_command(
    config_file: str | None, now_text: str | None, today: dt.datetime | None, fmt: str
) -> None:
    """List every stage of every reporting obligation, restricted postmortems
    included (this prints, it publishes nothing), overdue first.

    Exit 0: nothing overdue; 1: a stage is overdue, or a clock cannot be
    computed (the reason is printed); 2: usage error.
    """
    if now_text is not None and today is not None:
        raise click.UsageError("--now and --today both name the instant; give one")
    if now_text is not None:
        now = _instant(now_text)
    elif today is not None:
        now = end_of_day(today.date())
    else:
        now = build_instant()
    config = _site_with_docs(config_file)
    library = _load_site(config)
    clocks = library_clocks(library, now)
    click.echo(clocks_json(clocks.rows) if fmt == "json" else clocks_text(clocks.rows), nl=False)
    if library.regimes is None:
        regimes_file = resolve_regimes_path(config.settings, config.config_file.parent)
        shown = display_path(regimes_file, Path.cwd())
        click.echo(
            REPORTERS["text"]([f for f in library.errors if f.path == shown]), err=True, nl=False
        )
    for problem in clocks.problems:
        click.echo(f"{problem.path}: cannot compute its clocks: {problem.message}", err=True)
    click.echo(clocks_summary(clocks.rows, now), err=True)
    sys.exit(1 if clocks.overdue or clocks.problems or library.regimes is None else 0)


@cli.command("audit")
@click.argument(
    "site_dir", type=click.Path(exists=True, file_okay=False, path_type=Path), metavar="SITE_DIR"
)
@config_option
@click.option(
    "--max-file-size",
    "max_mib",
    type=click.IntRange(min=1),
    default=audit_module.DEFAULT_MAX_FILE_BYTES // 2**20,
    show_default=True,
    metavar="MiB",
    help="Larger files (and gzip members) are not scanned, and fail the audit.",
)
@jobs_option
def audit_command(site_dir: Path, config_file: str | None, max_mib: int, jobs: int | None) -> None:
    """Scan a built site (every file, gzip members too) for anything of a
    postmortem that must not be published: restricted ones always, drafts
    unless include_drafts is true. Works whatever built the site; run it
    before deploying.

    Exit 0: clean; 1: a leak (each named with the site file), or a file that
    could not be scanned; 2: usage error.
    """
    config = _site_with_docs(config_file)
    with _docs_tree(config) as (docs_dir, real_path):
        result = audit_module.audit_site(
            site_dir,
            _load_tree(config, docs_dir, real_path, jobs),
            docs_dir,
            config.config_file,
            Path.cwd(),
            max_mib * 2**20,
            config.use_directory_urls,
            audit_module.packaged_theme_dirs(config.theme_dirs, site_dir),
            config.theme_dirs,
        )
    # Names and kinds only: the log of a CI job is no place to repeat what leaked.
    for leak in result.leaks:
        click.echo(leak.line())
    for unscanned in result.unscanned:
        click.echo(unscanned.line())
    click.echo(audit_module.summary_line(result), err=True)
    sys.exit(0 if result.clean else 1)


def _instant(text: str) -> dt.datetime:
    """--now: an ISO 8601 date-time that says which UTC offset it is in."""
    try:
        value = parse_date(text.strip())
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--now") from exc
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        raise click.BadParameter(
            f"'{text}' needs a time and its UTC offset (2026-09-20T14:30:00Z)",
            param_hint="--now",
        )
    return as_utc(value)


def main() -> None:
    cli()
