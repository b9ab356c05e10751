"""MkDocs adapter (placeholder until the site issue lands)."""
from mkdocs.plugins import BasePlugin


class PostmortemsPlugin(BasePlugin):  # type: ignore[type-arg,misc]
    pass
