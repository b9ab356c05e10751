"""The options of a library, written once.

The MkDocs plugin's config class and the CLI's reading of `mkdocs.yml` both
take their defaults from `Settings`, so the site and `postmortems lint`
cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from .blameless import option_problems

DEFAULT_REQUIRED_SECTIONS: tuple[str, ...] = (
    "What happened",
    "Impact",
    "Timeline",
    "Contributing factors",
    "Lessons learned",
)


@dataclass(frozen=True)
class Settings:
    # Path of the taxonomy file, relative to mkdocs.yml. Unset: the
    # repository's `schema/taxonomy.yml` if there is one, else the bundled one.
    taxonomy: str | None = None
    required_sections: tuple[str, ...] = DEFAULT_REQUIRED_SECTIONS
    include_drafts: bool = False
    # Id prefix for `postmortems new`; unset: the one the library already uses.
    id_prefix: str | None = None
    # Extra blameless-language phrases, by rule id, added to the built-in lists.
    blameless_phrases: dict[str, list[str]] = field(default_factory=dict)
    # Hint at incidents that share a system or category but are not `related`.
    related_hints: bool = True
    # The narrative of each incident is searchable while the site has at most
    # this many published incidents. Above it only the id, title, summary,
    # systems and categories are: the browser builds the search index on the
    # first query, and at 770 incidents the full text made that take 2 s.
    search_narrative_limit: int = 300
    # A sub-path for every generated address (`library/` gives
    # `library/incidents/<id>/`), so the library can live inside an existing
    # documentation site whose own pages use the top-level names.
    prefix: str = ""
    # Whether the site's home page gets the library's dashboard appended.
    home_dashboard: bool = True
    # Path of the reporting regimes file, relative to mkdocs.yml. Unset: the
    # repository's `schema/regimes.yml` if there is one, else the bundled one.
    regimes: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> Settings:
        names = {f.name for f in fields(cls)} - {"extra"}
        known: dict[str, Any] = {k: v for k, v in options.items() if k in names}
        # mkdocs.yml is written by hand: a wrong type must be reported here (as
        # a usage error), not crash later as a number joined to a path or a
        # string split into one-letter headings.
        taxonomy = known.get("taxonomy")
        if taxonomy is not None and not isinstance(taxonomy, str):
            raise TypeError(f"'taxonomy' must be a path, got {taxonomy!r}")
        regimes = known.get("regimes")
        if regimes is not None and not isinstance(regimes, str):
            raise TypeError(f"'regimes' must be a path, got {regimes!r}")
        if "required_sections" in known:
            sections = known["required_sections"]
            if not isinstance(sections, list | tuple) or not all(
                isinstance(s, str) for s in sections
            ):
                raise TypeError(f"'required_sections' must be a list of headings, got {sections!r}")
            known["required_sections"] = tuple(sections)
        if "prefix" in known:
            known["prefix"] = normalise_prefix(known["prefix"])
        return cls(**known, extra={k: v for k, v in options.items() if k not in names})


def normalise_prefix(value: object) -> str:
    """`library`, `/library/` and `library/` all mean `library/`; empty means none.

    Raises TypeError for what cannot be an address inside the site."""
    if not isinstance(value, str):
        raise TypeError(f"'prefix' must be a path inside the site, got {value!r}")
    parts = [p for p in value.strip().strip("/").split("/") if p]
    if any(p in (".", "..") or not all(ch.isalnum() or ch in "-_." for ch in p) for p in parts):
        raise TypeError(
            f"'prefix' must be folder names of letters, digits, '-', '_' or '.', got {value!r}"
        )
    return "".join(f"{p}/" for p in parts)


class _ConfigLoader(yaml.SafeLoader):
    """Reads mkdocs.yml without running anything: `!ENV` and `!!python/name`
    tags, common in MkDocs configs, become empty values."""


def _ignore_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> None:
    return None


for _prefix in ("!", "tag:yaml.org,2002:python/"):
    _ConfigLoader.add_multi_constructor(_prefix, _ignore_tag)


class ConfigError(Exception):
    """mkdocs.yml is missing or unreadable: a usage error, not a finding."""


@dataclass(frozen=True)
class SiteConfig:
    config_file: Path
    docs_dir: Path
    settings: Settings
    plugin_enabled: bool


PLUGIN_NAME = "postmortems"


def read_site_config(config_file: Path) -> SiteConfig:
    """The docs_dir and plugin options of a MkDocs site, read the way MkDocs
    reads them, without importing MkDocs."""
    try:
        text = config_file.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ConfigError(f"cannot read {config_file}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{config_file} is not UTF-8 text") from exc
    try:
        data = yaml.load(text, Loader=_ConfigLoader)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{config_file} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{config_file} is not a MkDocs configuration (no mapping at top level)")
    base = config_file.parent
    docs_dir = base / str(data.get("docs_dir") or "docs")
    options: dict[str, Any] | None = None
    plugins = data.get("plugins") or []
    if not isinstance(plugins, list | dict):
        raise ConfigError(f"{config_file}: 'plugins' must be a list, got {plugins!r}")
    entries = (
        plugins.items()
        if isinstance(plugins, dict)
        else (next(iter(p.items())) if isinstance(p, dict) and p else (p, None) for p in plugins)
    )
    for name, opts in entries:
        if name == PLUGIN_NAME:
            options = opts if isinstance(opts, dict) else {}
    try:
        settings = Settings.from_options(options or {})
    except TypeError as exc:
        raise ConfigError(f"{config_file}: bad options for plugin '{PLUGIN_NAME}': {exc}") from exc
    problems = option_problems(settings.blameless_phrases)
    if problems:
        raise ConfigError(f"{config_file}: plugin '{PLUGIN_NAME}': {'; '.join(problems)}")
    return SiteConfig(config_file, docs_dir, settings, options is not None)
