"""HTML fragments from Jinja templates, escaped by default.

Templates are looked up as `postmortems/<name>` in a list of folders, the
site's own first, so a team overrides one template by dropping a file of the
same name into its theme `custom_dir`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jinja2

from .site import category_url, incident_url, layer_url, relative_url, system_url

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


@jinja2.pass_context
def _rel(context: jinja2.runtime.Context, target: str) -> str:
    return relative_url(target, context["page_url"])


class Renderer:
    def __init__(self, template_dirs: Sequence[Path]) -> None:
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(d) for d in template_dirs]),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters.update(
            rel=_rel,
            incident_url=incident_url,
            layer_url=layer_url,
            category_url=lambda pair: category_url(*pair),
            system_url=system_url,
            isodate=isodate,
            ref_label=lambda scheme: _REF_LABELS.get(scheme, scheme),
        )

    def render(self, template: str, page_url: str, **context: Any) -> str:
        tpl = self.env.get_template(f"postmortems/{template}")
        html = tpl.render(page_url=page_url, **context)
        # Python-Markdown ends a raw HTML block at a blank line; fragments go in
        # after Markdown, but keep them compact either way.
        return "\n".join(line for line in html.splitlines() if line.strip())
