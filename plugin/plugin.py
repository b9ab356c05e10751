"""The `mkdocs.plugins` entry point's public path: sites and installed entry points name
`mkdocs_postmortems.plugin:PostmortemsPlugin`, so it stays importable from here."""

from .adapters.plugin import PostmortemsPlugin

__all__ = ["PostmortemsPlugin"]
