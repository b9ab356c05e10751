"""mkdocs-postmortems: blameless AI-incident postmortems as a linted,
searchable MkDocs library.

The public API is the MkDocs-free core: load a library, check it, report or
export it. `mkdocs_postmortems.plugin` and `mkdocs_postmortems.cli` are thin
adapters over it.
"""

from .check.checks import check_document, check_library
from .check.library import Library, LibraryLoader, load_library
from .model import ActionItem, Factor, Finding, Harm, Postmortem, Severity
from .parse.frontmatter import Document, Limits, parse_yaml, read_document
from .parse.taxonomy import Taxonomy, load_taxonomy
from .settings import Settings

__all__ = [
    "ActionItem",
    "Document",
    "Factor",
    "Finding",
    "Harm",
    "Library",
    "LibraryLoader",
    "Limits",
    "Postmortem",
    "Settings",
    "Severity",
    "Taxonomy",
    "check_document",
    "check_library",
    "load_library",
    "load_taxonomy",
    "parse_yaml",
    "read_document",
]
