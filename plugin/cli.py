"""The `postmortems` command. Click parsing only: the work is in the core."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

import click

from . import authoring
from .export import incidents_csv, incidents_json
from .library import Library, LibraryLoader, display_path, markdown_files
from .model import Postmortem
from .report import REPORTERS, summary_line
from .settings import ConfigError, Settings, SiteConfig, read_site_config
from .site import SEVERITIES

DEFAULT_CONFIG = "mkdocs.yml"
T = TypeVar("T")


def site_config(config_file: str | None, required: bool) -> SiteConfig | None:
    """The site's config, or None where there is none and none is needed."""
    path = Path(config_file or DEFAULT_CONFIG)
    if config_file is None and not path.exists() and not required:
        return None
    try:
        return read_site_config(path)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc


config_option = click.option(
    "-f",
    "--config-file",
    "config_file",
    metavar="FILE",
    default=None,
    help="The site's mkdocs.yml (default: ./mkdocs.yml); its plugin options apply.",
)


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
def lint(
    paths: tuple[Path, ...], config_file: str | None, fmt: str, strict: bool, no_hints: bool
) -> None:
    """Check postmortems: schema, taxonomy, ids, file names, links, sections,
    publication rules. PATHS default to the whole docs_dir of mkdocs.yml.

    Exit 0: no errors; 1: errors (or warnings with --strict); 2: usage error.
    """
    # Linting the whole site needs its docs_dir; named files only need context.
    config = site_config(config_file, required=False) if paths else _site_with_docs(config_file)
    cwd = Path.cwd()
    settings = config.settings if config else Settings()
    if no_hints:
        settings = replace(settings, related_hints=False)
    config_dir = config.config_file.parent if config else cwd
    docs_dir = config.docs_dir if config else cwd / ".postmortems-no-docs-dir"
    targets: list[Path] = []
    for p in paths:
        targets.extend(markdown_files(p) if p.is_dir() else [p])
    library = LibraryLoader().load(docs_dir, settings, config_dir, cwd, targets)
    findings = library.findings
    if paths:
        wanted = {display_path(t, cwd) for t in targets}
        findings = [
            f for f in findings if f.path in wanted or not f.path.endswith((".md", ".markdown"))
        ]
        checked = len(wanted)
    else:
        checked = sum(1 for c in library.documents.values() if c.is_postmortem)
    click.echo(REPORTERS[fmt](findings), nl=False)
    if fmt == "text":
        click.echo(summary_line(findings, checked), err=True)
    failing = any(f.severity == "error" or strict for f in findings)
    sys.exit(1 if failing else 0)


def _site_with_docs(config_file: str | None) -> SiteConfig:
    """The site's config, whose docs_dir must exist: as in MkDocs, a mistyped
    docs_dir must not pass lint or export an empty library by reading nothing."""
    config = site_config(config_file, required=True)
    assert config is not None
    if not config.docs_dir.is_dir():
        raise click.UsageError(
            f"docs_dir '{config.docs_dir}' of {config.config_file} is not a folder"
        )
    return config


def _load_site(config: SiteConfig) -> Library:
    return LibraryLoader().load(
        config.docs_dir, config.settings, config.config_file.parent, Path.cwd()
    )


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
@config_option
def new(
    title: str | None,
    severity: str | None,
    systems: tuple[str, ...],
    date: dt.datetime | None,
    config_file: str | None,
    layers: tuple[str, ...] = (),
) -> None:
    """Start a draft postmortem with the next free id, in the docs_dir of
    mkdocs.yml. In a terminal, asks for what the options leave out.

    Exit 0: created (its path is printed); 1: the file exists; 2: usage error.
    """
    config = _site_with_docs(config_file)
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
    assert title is not None and severity is not None
    request = authoring.NewPostmortem(
        title, severity, tuple(systems), date.date() if date else today, tuple(layers)
    )
    library = _load_site(config)
    try:
        planned = authoring.plan(library, config.docs_dir, request)
        authoring.write(planned)
    except authoring.AlreadyExists as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    except authoring.AuthoringError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(display_path(planned.path, Path.cwd()))


EXPORTERS: dict[str, Callable[[Sequence[Postmortem]], str]] = {
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
    library = _load_site(_site_with_docs(config_file))
    errors = library.errors
    if errors:
        click.echo(REPORTERS["text"](errors), err=True, nl=False)
        click.echo(
            f"Error: nothing exported: fix the {len(errors)} error(s) above first "
            "(postmortems lint shows them all)",
            err=True,
        )
        sys.exit(1)
    text = EXPORTERS[fmt](library.published(include_drafts))
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        with output.open("w", encoding="utf-8", newline="") as fh:
            fh.write(text)
    except OSError as exc:
        raise click.FileError(str(output), hint=exc.strerror or str(exc)) from exc


def main() -> None:
    cli()
