"""What the plugin does so that other plugins' ways with shared state do not
break the library (issue 22). Each function is called from one place in
the plugin; each says which plugin's behaviour it answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File

from ..resources import TEMPLATES_DIR
from ..web.preview_search import without_pages


def keep_templates_in_theme(config: MkDocsConfig) -> None:
    """Our templates in the theme's search path, at the end so a site's
    custom_dir still wins. `on_config` put them there, but a plugin whose
    `on_config` runs after ours may swap the whole theme object
    (mkdocs-techdocs-core does, where a site names no theme or another
    one): the theme MkDocs renders with is the one it holds by `on_files`."""
    if str(TEMPLATES_DIR) not in config.theme.dirs:
        config.theme.dirs.append(str(TEMPLATES_DIR))


def keep_listings_out_of_search(config: MkDocsConfig, excluded_src_uris: Iterable[str]) -> None:
    """Take the listing pages out of a search index that did not honour their
    `search: {exclude: true}` (MkDocs' own search plugin, which
    techdocs-core puts in place of Material's). Run after every search
    plugin has written its index, before the output guard reads the site."""
    urls = {
        File(uri, config.docs_dir, config.site_dir, config.use_directory_urls).url
        for uri in excluded_src_uris
    }
    # As search entries spell them: the home page is "", not "./".
    urls = {"" if url in (".", "./") else url for url in urls}
    index = Path(config.site_dir) / "search" / "search_index.json"
    try:
        written = index.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return
    kept = without_pages(written, urls)
    if kept is not None:
        index.write_text(kept, encoding="utf-8")
