"""The options of a library, as the core sees them.

`Settings` is what the checks, the site and the CLI read: a frozen value,
free of MkDocs. The options are declared, documented and validated once, in
the adapter `options.PostmortemsConfig` (whose defaults are these), and a
`Settings` is made from them once per build or CLI run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .check.mounts import Mounts

DEFAULT_REQUIRED_SECTIONS: tuple[str, ...] = (
    "What happened",
    "Impact",
    "Timeline",
    "Contributing factors",
    "Lessons learned",
)


@dataclass(frozen=True)
class Settings:
    """One field per option of `options.PostmortemsConfig` (meanings there)."""

    taxonomy: str | None = None
    required_sections: tuple[str, ...] = DEFAULT_REQUIRED_SECTIONS
    include_drafts: bool = False
    id_prefix: str | None = None
    blameless_phrases: dict[str, list[str]] = field(default_factory=dict)
    related_hints: bool = True
    search_narrative_limit: int = 300
    prefix: str = ""
    home_dashboard: bool = True
    regimes: str | None = None
    jobs: int | None = None


class ConfigError(Exception):
    """The site's configuration is missing or refused: a usage error, not a finding."""


@dataclass(frozen=True)
class SiteConfig:
    """What the CLI needs of a site's configuration, as MkDocs validated it."""

    config_file: Path
    docs_dir: Path
    settings: Settings
    # MkDocs' warnings while loading (the build prints the same ones).
    warnings: tuple[str, ...] = ()
    # Where MkDocs writes a page: `notes/index.html` (true) or `notes.html`.
    use_directory_urls: bool = True
    # Folders of other sites a monorepo build merges into docs_dir.
    mounts: Mounts | None = None
    # The theme's folders, in MkDocs' order: the audit leaves unread what a
    # build copied unchanged from an installed one.
    theme_dirs: tuple[Path, ...] = ()
