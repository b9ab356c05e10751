"""HTML fragments from Jinja templates, escaped by default.

Templates are looked up as `postmortems/<name>` in a list of folders, the
site's own first, so a team overrides one template by dropping a file of the
same name into its theme `custom_dir`.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
import jinja2.bccache
from markupsafe import Markup

from ..urls import category_url, incident_url, layer_url, relative_url, system_url

_REF_LABELS = {"atlas": "MITRE ATLAS", "avid": "AVID", "gmf": "AIID GMF"}


def isodate(value: dt.date | dt.datetime | None, with_time: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if not with_time:
            return value.date().isoformat()
        zone = value.strftime(" %Z") if value.tzinfo else ""
        return value.strftime("%Y-%m-%d %H:%M") + zone
    return value.isoformat()


def web_url(url: str | None) -> str | None:
    """The URL if it is http(s), else None. Escaping does not make an href
    safe: `javascript://%0Aalert(1)` passes the schema's `scheme://` pattern
    and runs when clicked."""
    if url and urlsplit(url.strip()).scheme.lower() in ("http", "https"):
        return url
    return None


class MemoryBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept in memory between the rebuilds of `mkdocs
    serve`. Jinja keys each entry by the template's name and a checksum of
    its source, so an edited template is compiled again; an unchanged one
    is not, where compiling a theme's templates costs more than rendering
    the few pages a preview rebuild renders."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()

    def clear(self) -> None:
        self._code.clear()


class Renderer:
    def __init__(
        self,
        template_dirs: Sequence[Path],
        directory_urls: bool = True,
        prefix: str = "",
        bytecode_cache: jinja2.BytecodeCache | None = None,
    ) -> None:
        self.directory_urls = directory_urls
        # Templates name the library's addresses from its root (`incidents/`);
        # the site may hold the library under a sub-path.
        self.prefix = prefix
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(d) for d in template_dirs]),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            # A Renderer lives for one build: checking every template's
            # mtime on each of thousands of renders buys nothing.
            auto_reload=False,
            bytecode_cache=bytecode_cache,
        )
        # The page being rendered, for `rel`. Kept here rather than in the
        # template context so that macros can be imported without context,
        # which lets Jinja cache them instead of re-running them per page.
        self.page_url = ""
        # pass_context only so that Jinja never folds `'x/' | rel` into a
        # constant at compile time, with whatever page was current then.
        rel = jinja2.pass_context(lambda _context, target: self._rel(target))
        # Fragments shown on many pages (an incident's row is on every listing
        # that holds it, about 18 per incident), rendered once per build. While
        # one renders, `rel` writes the site address between two markers that
        # front matter cannot forge (a NUL and random digits drawn per build);
        # each page swaps them for its own link.
        self._fragments: dict[tuple[str, str], str] = {}
        self._marker = f"\x00{secrets.token_hex(8)}\x00"
        self._deferring = False
        self.env.globals["incident_row"] = lambda p: self._shared("incident_row.html", p.id, p=p)
        self.env.filters.update(
            rel=rel,
            incident_url=incident_url,
            layer_url=layer_url,
            category_url=lambda pair: category_url(*pair),
            system_url=system_url,
            isodate=isodate,
            web_url=web_url,
            ref_label=lambda scheme: _REF_LABELS.get(scheme, scheme),
        )

    def _rel(self, target: str) -> str:
        if self._deferring:
            return f"{self._marker}{target}{self._marker}"
        if not self.directory_urls and target.endswith("/"):
            # Sites opened from disk (use_directory_urls: false) need the file name.
            target += "index.html"
        return relative_url(self.prefix + target, self.page_url)

    def _shared(self, template: str, key: str, **context: Any) -> Markup:
        """`template` rendered once per build and `key`, linked from the page
        being rendered. Autoescape has escaped the fragment already, and
        `relative_url` only splits at '/', which escaping leaves alone."""
        html = self._fragments.get((template, key))
        if html is None:
            self._deferring = True
            try:
                html = self.env.get_template(f"postmortems/{template}").render(**context)
            finally:
                self._deferring = False
            self._fragments[(template, key)] = html
        parts = html.split(self._marker)
        parts[1::2] = [self._rel(target) for target in parts[1::2]]
        return Markup("".join(parts))

    def render(self, template: str, page_url: str, **context: Any) -> str:
        tpl = self.env.get_template(f"postmortems/{template}")
        self.page_url = page_url
        html = tpl.render(page_url=page_url, **context)
        # Python-Markdown ends a raw HTML block at a blank line; fragments go in
        # after Markdown, but keep them compact either way.
        return "\n".join(line for line in html.splitlines() if line.strip())
