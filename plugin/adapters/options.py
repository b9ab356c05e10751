"""The plugin's options, declared once, and the site configuration as MkDocs reads it.

An adapter, like `plugin.py` and `cli.py`: the build validates the options
through `PostmortemsConfig` when MkDocs loads the plugin, and the CLI loads
the same `mkdocs.yml` through MkDocs' own loader (`INHERIT`, `!ENV`, the same
validation), so `postmortems lint` and `mkdocs build` cannot read a site two
ways. The core gets a `Settings`, which knows nothing of MkDocs.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path
from typing import Any

from mkdocs import exceptions
from mkdocs.config import config_options as c
from mkdocs.config.base import (
    BaseConfigOption,
    Config,
    ConfigErrors,
    ConfigWarnings,
    ValidationError,
)

from ..check.blameless import option_problems
from ..schema_messages import did_you_mean
from ..settings import ConfigError, Settings, SiteConfig
from ..urls import normalise_prefix
from ..web.authoring import prefix_problem

_DEFAULTS = Settings()

# Without -f, the first of these that exists: MkDocs' own names first (what
# `mkdocs build` reads), then ProperDocs' (a site kept for `properdocs build`).
CONFIG_FILE_NAMES = ("mkdocs.yml", "mkdocs.yaml", "properdocs.yml", "properdocs.yaml")


class BlamelessPhrases(BaseConfigOption[dict[str, list[str]]]):
    """A mapping of blameless-language rule ids to lists of extra phrases."""

    def __init__(self) -> None:
        super().__init__()
        self.default: dict[str, list[str]] = {}

    def run_validation(self, value: object) -> dict[str, list[str]]:
        problems = option_problems(value)
        if problems:
            raise ValidationError("; ".join(problems))
        if not isinstance(value, dict):  # None: the option is written but empty
            return {}
        return {str(rule): list(phrases) for rule, phrases in value.items()}


class IdPrefix(BaseConfigOption[str | None]):
    """An id prefix such as INC or AI, or nothing."""

    def run_validation(self, value: object) -> str | None:
        problem = prefix_problem(value)
        if problem:
            raise ValidationError(problem)
        return None if value is None else str(value)


class Prefix(BaseConfigOption[str]):
    """A sub-path inside the site, normalised to `name/` (or empty)."""

    def __init__(self) -> None:
        super().__init__()
        self.default = _DEFAULTS.prefix

    def run_validation(self, value: object) -> str:
        if value is None:
            return ""
        if not isinstance(value, str):
            raise ValidationError(f"must be a path inside the site, got {value!r}")
        try:
            return normalise_prefix(value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc


class Jobs(BaseConfigOption[int | None]):
    """How many processes may share the work: a whole number from 1, or
    nothing for what the machine has."""

    def run_validation(self, value: object) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValidationError(f"must be a whole number from 1, got {value!r}")
        return value


class PostmortemsConfig(Config):  # type: ignore[no-untyped-call]
    """The `postmortems` plugin's options in `mkdocs.yml`; defaults from `Settings`."""

    taxonomy = c.Optional(c.Type(str))
    """Path of the taxonomy file, relative to `mkdocs.yml`. Unset: the
    repository's `schema/taxonomy.yml` if there is one, else the bundled one."""

    required_sections = c.ListOfItems(c.Type(str), default=list(_DEFAULTS.required_sections))
    """The `##` headings every postmortem body must have, in this order."""

    include_drafts = c.Type(bool, default=_DEFAULTS.include_drafts)
    """Publish drafts too (`mkdocs serve` always shows them)."""

    id_prefix = IdPrefix()
    """Id prefix for `postmortems new`. Unset: the one the library already uses."""

    blameless_phrases = BlamelessPhrases()
    """Extra blameless-language phrases, by rule id, added to the built-in
    lists: `{blameless-judgement: [reckless, heedless]}`."""

    related_hints = c.Type(bool, default=_DEFAULTS.related_hints)
    """Hint at incidents that share a system or category but are not `related`."""

    search_narrative_limit = c.Type(int, default=_DEFAULTS.search_narrative_limit)
    """The narrative of each incident is searchable while the site has at most
    this many published incidents; above it only the id, title, summary,
    systems and categories are. The browser builds the search index on the
    first query, and at 770 incidents the full text made that take 2 s."""

    prefix = Prefix()
    """A sub-path for every generated address (`library/` gives
    `library/incidents/<id>/`), so the library can live inside an existing
    documentation site whose own pages use the top-level names."""

    home_dashboard = c.Type(bool, default=_DEFAULTS.home_dashboard)
    """Append the library's dashboard to the site's own home page (without
    one, the dashboard is the home page)."""

    regimes = c.Optional(c.Type(str))
    """Path of the reporting regimes file, relative to `mkdocs.yml`. Unset: the
    repository's `schema/regimes.yml` if there is one, else the bundled one."""

    jobs = Jobs()
    """How many processes share the build's work (loading the library,
    rendering its pages, guarding the output); 1 keeps it in one process.
    Unset: as many as the machine has cores, for a library large enough to
    gain from them. The site is the same, byte for byte, either way."""

    def validate(self) -> tuple[ConfigErrors, ConfigWarnings]:
        """MkDocs' validation, with unknown options errors rather than
        warnings: a misspelt `taxonomy` or `include_drafts` would otherwise
        build a different library than the author meant, and pass."""
        failed, warnings = super().validate()
        known = [name for name, _ in self._schema]
        unknown = set(self) - set(known)
        for key in sorted(unknown):
            failed.append(
                (
                    key,
                    ValidationError(
                        f"unknown option{did_you_mean(key, known)}; "
                        f"the options are {', '.join(known)}"
                    ),
                )
            )
        return failed, [(key, msg) for key, msg in warnings if key not in unknown]


def settings_of(config: PostmortemsConfig) -> Settings:
    """The core's settings from validated options, a field each (the tests
    hold `Settings` to the options declared here); lists become tuples, as
    a frozen value holds them."""
    values: dict[str, Any] = {}
    for f in fields(Settings):
        value = config[f.name]
        values[f.name] = tuple(value) if isinstance(value, list) else value
    return Settings(**values)


def default_config_file(cwd: Path) -> Path | None:
    """The configuration file MkDocs or ProperDocs would read in `cwd`."""
    for name in CONFIG_FILE_NAMES:
        if (cwd / name).is_file():
            return cwd / name
    return None


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _mkdocs_log() -> Iterator[_Collect]:
    """MkDocs' log messages while loading, kept to be printed our way."""
    logger = logging.getLogger("mkdocs")
    handler, propagate = _Collect(), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def load_site_config(config_file: Path, *, strict: bool = False) -> SiteConfig:
    """The site's configuration, loaded and validated by MkDocs as
    `mkdocs build` (with `--strict` if `strict`) loads it. Nothing is built.

    Raises ConfigError with MkDocs' messages where the build would stop.
    """
    from mkdocs.config import load_config

    from .plugin import PostmortemsPlugin

    with _mkdocs_log() as log:
        try:
            config = load_config(str(config_file), strict=strict or None)
        except (exceptions.ConfigurationError, exceptions.Abort, OSError) as exc:
            # What MkDocs logged (errors, and warnings that --strict refuses),
            # then its last word ("Aborted with ...", "Config file ... does not exist").
            messages = [r.getMessage() for r in log.records]
            messages.append(getattr(exc, "message", None) or str(exc))
            raise ConfigError(f"{config_file}: {'; '.join(messages)}") from exc
    plugin: Any = next(
        (p for p in config.plugins.values() if isinstance(p, PostmortemsPlugin)), None
    )
    settings = settings_of(plugin.config) if plugin is not None else Settings()
    warnings = tuple(r.getMessage() for r in log.records)
    from .compat import monorepo_mounts

    return SiteConfig(
        config_file,
        Path(config.docs_dir),
        settings,
        warnings,
        bool(config.use_directory_urls),
        monorepo_mounts(config),
        tuple(Path(d) for d in config.theme.dirs),
    )
