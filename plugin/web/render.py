"""HTML fragments from Jinja templates, escaped by default.

Templates are looked up as `postmortems/<name>` in a list of folders, the
site's own first, so a team overrides one template by dropping a file of the
same name into its theme `custom_dir`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
import jinja2.bccache
from markupsafe import Markup

from ..model import Month, Postmortem
from ..urls import category_url, incident_url, layer_url, relative_url, system_url
from .export import ExportCache

_REF_LABELS = {"atlas": "MITRE ATLAS", "avid": "AVID", "gmf": "AIID GMF"}


def isodate(value: dt.date | dt.datetime | None, with_time: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, Month):
        # Known only to the month: said as a reader says it, never a made-up day.
        return value.spelled()
    if isinstance(value, dt.datetime):
        if not with_time:
            return value.date().isoformat()
        zone = value.strftime(" %Z") if value.tzinfo else ""
        return value.strftime("%Y-%m-%d %H:%M") + zone
    return value.isoformat()


def listed_date(value: dt.date | dt.datetime) -> str:
    """A date as a listing's date column shows it: a month abbreviated, so
    the column (which does not wrap) is no wider for it than for a day."""
    return value.abbreviated() if isinstance(value, Month) else isodate(value)


def sort_key_date(value: dt.date | dt.datetime) -> str:
    """The date as an ISO string that sorts as the timeline does: a month
    (`2023-04`) before the days of that month."""
    return value.isoformat()[:10]


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


class SharedFragments:
    """Fragments shown on many pages (an incident's row is on every listing
    that holds it, about 18 per incident), each rendered once and reused.

    A one-off build keeps them for that build. `mkdocs serve` keeps one
    store across its rebuilds, held like the exports (`ExportCache`): a row
    is rendered anew only for an edited incident, or after an edit to the
    library's templates (`for_templates`)."""

    def __init__(self) -> None:
        # Where a fragment links, `rel` writes the address between two markers
        # that front matter cannot forge (a NUL and random digits drawn per
        # store); each page swaps them for its own link.
        self.marker = f"\x00{secrets.token_hex(8)}\x00"
        self.made = ExportCache()
        self._stamp: object = None

    def for_templates(self, stamp: object) -> None:
        """Forget every fragment unless the templates are still `stamp`."""
        if stamp != self._stamp:
            self.made = ExportCache()
            self._stamp = stamp


def templates_stamp(template_dirs: Sequence[Path]) -> tuple[tuple[str, int, int], ...]:
    """Name, time and size of every library template the folders hold: what
    a kept fragment was rendered with, unless one of them changed."""
    stamp = []
    for folder in template_dirs:
        with contextlib.suppress(OSError):
            for entry in os.scandir(folder / "postmortems"):
                with contextlib.suppress(OSError):
                    st = entry.stat()
                    stamp.append((entry.path, st.st_mtime_ns, st.st_size))
    return tuple(stamp)


class Renderer:
    def __init__(
        self,
        template_dirs: Sequence[Path],
        directory_urls: bool = True,
        prefix: str = "",
        bytecode_cache: jinja2.BytecodeCache | None = None,
        shared: SharedFragments | None = None,
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
        # The library's templates as found now: what a kept fragment, or a
        # page built at the last serve rebuild, was drawn with.
        self.templates = templates_stamp(template_dirs)
        self._shared_fragments = SharedFragments() if shared is None else shared
        self._shared_fragments.for_templates(self.templates)
        self._marker = self._shared_fragments.marker
        self._deferring = False
        self.env.globals["incident_row"] = lambda p: self._shared("incident_row.html", p)
        self.env.filters.update(
            rel=rel,
            incident_url=incident_url,
            layer_url=layer_url,
            category_url=lambda pair: category_url(*pair),
            system_url=system_url,
            isodate=isodate,
            sortdate=sort_key_date,
            listdate=listed_date,
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

    def _shared(self, template: str, p: Postmortem) -> Markup:
        """`template` rendered for `p` once, linked from the page being
        rendered. Autoescape has escaped the fragment already, and
        `relative_url` only splits at '/', which escaping leaves alone."""
        html: str = self._shared_fragments.made.get(template, p, partial(self._deferred, template))
        parts = html.split(self._marker)
        parts[1::2] = [self._rel(target) for target in parts[1::2]]
        return Markup("".join(parts))

    def _deferred(self, template: str, p: Postmortem) -> str:
        """`template` for `p`, its links left for each page to resolve."""
        self._deferring = True
        try:
            return self.env.get_template(f"postmortems/{template}").render(p=p)
        finally:
            self._deferring = False

    def render(self, template: str, page_url: str, **context: Any) -> str:
        tpl = self.env.get_template(f"postmortems/{template}")
        self.page_url = page_url
        html = tpl.render(page_url=page_url, **context)
        # Python-Markdown ends a raw HTML block at a blank line; fragments go in
        # after Markdown, but keep them compact either way.
        return "\n".join(line for line in html.splitlines() if line.strip())
