"""The console script's public path: installed `postmortems` scripts name
`mkdocs_postmortems.cli:main`, so it stays importable from here."""

from .adapters.cli import cli, main

__all__ = ["cli", "main"]
