"""The `postmortems` command. Click parsing only: the work is in the core."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .library import LibraryLoader, display_path, markdown_files
from .report import REPORTERS, summary_line
from .settings import ConfigError, Settings, SiteConfig, read_site_config

DEFAULT_CONFIG = "mkdocs.yml"


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
    "-f", "--config-file", "config_file", metavar="FILE", default=None,
    help="The site's mkdocs.yml (default: ./mkdocs.yml); its plugin options apply.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mkdocs-postmortems")
def cli() -> None:
    """Blameless AI-incident postmortems: lint them, publish them."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@config_option
@click.option("--format", "fmt", type=click.Choice(sorted(REPORTERS)), default="text",
              show_default=True, help="How findings are printed.")
@click.option("--strict", is_flag=True, help="Warnings fail too (exit 1).")
def lint(paths: tuple[Path, ...], config_file: str | None, fmt: str, strict: bool) -> None:
    """Check postmortems: schema, taxonomy, ids, file names, links, sections,
    publication rules. PATHS default to the whole docs_dir of mkdocs.yml.

    Exit 0: no errors; 1: errors (or warnings with --strict); 2: usage error.
    """
    config = site_config(config_file, required=not paths)
    assert config is not None or paths
    if config is not None and not paths and not config.docs_dir.is_dir():
        # As MkDocs does: a mistyped docs_dir must not pass by checking nothing.
        raise click.UsageError(
            f"docs_dir '{config.docs_dir}' of {config.config_file} is not a folder"
        )
    cwd = Path.cwd()
    settings = config.settings if config else Settings()
    config_dir = config.config_file.parent if config else cwd
    docs_dir = config.docs_dir if config else cwd / ".postmortems-no-docs-dir"
    targets: list[Path] = []
    for p in paths:
        targets.extend(markdown_files(p) if p.is_dir() else [p])
    library = LibraryLoader().load(docs_dir, settings, config_dir, cwd, targets)
    findings = library.findings
    if paths:
        wanted = {display_path(t, cwd) for t in targets}
        findings = [f for f in findings
                    if f.path in wanted or not f.path.endswith((".md", ".markdown"))]
        checked = len(wanted)
    else:
        checked = sum(1 for c in library.documents.values() if c.is_postmortem)
    click.echo(REPORTERS[fmt](findings), nl=False)
    if fmt == "text":
        click.echo(summary_line(findings, checked), err=True)
    failing = any(f.severity == "error" or strict for f in findings)
    sys.exit(1 if failing else 0)


def main() -> None:
    cli()
