"""What the plugin does so that other plugins' ways with shared state do not
break the library (issue 22). Each function is called from one place in
the plugin; each says which plugin's behaviour it answers.
"""

from __future__ import annotations

import hashlib
import html
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.contrib.search import SearchPlugin as MkDocsSearch
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel

from ..check.mounts import Mounts
from ..resources import TEMPLATES_DIR
from ..settings import ConfigError
from ..web.preview_search import without_pages

# How the library's own files are told from others in `files` (`File.generated_by`).
GENERATED_BY = "postmortems"


def keep_templates_in_theme(config: MkDocsConfig) -> None:
    """Our templates in the theme's search path, at the end so a site's
    custom_dir still wins. `on_config` put them there, but a plugin whose
    `on_config` runs after ours may swap the whole theme object
    (mkdocs-techdocs-core does, where a site names no theme or another
    one): the theme MkDocs renders with is the one it holds by `on_files`."""
    if str(TEMPLATES_DIR) not in config.theme.dirs:
        config.theme.dirs.append(str(TEMPLATES_DIR))


def run_last(config: MkDocsConfig, event: str, handler: Callable[..., Any]) -> None:
    """Move our `handler` of `event` to the end of MkDocs' list for it, the
    others in their order: a priority cannot say "after all" (a hook's at
    the same priority runs after ours, hooks loading after plugins, and
    another may go lower), and the output guard must read what every
    plugin wrote."""
    handlers = config.plugins.events[event]
    # A bound method is made anew on each access: equal, never identical.
    if handler in handlers and handlers[-1] != handler:
        handlers.remove(handler)
        handlers.append(handler)


def keep_listings_out_of_search(config: MkDocsConfig, excluded_src_uris: Iterable[str]) -> None:
    """Take the listing pages out of a search index that did not honour their
    `search: {exclude: true}` (MkDocs' own search plugin, which
    techdocs-core puts in place of Material's). Run after every search
    plugin has written its index, before the output guard reads the site.
    Material's search leaves them out itself: its index is not read again."""
    if not any(isinstance(p, MkDocsSearch) for p in config.plugins.values()):
        return
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


# The plugins that merge other sites' docs folders into the docs_dir they
# build from: techdocs-core adds mkdocs-monorepo-plugin itself.
_MONOREPO = ("monorepo", "techdocs-core")


def monorepo_mounts(config: MkDocsConfig) -> Mounts | None:
    """The folders a monorepo build of this (loaded, not built) site merges,
    as mkdocs-monorepo-plugin resolves its `!include`s: lint and audit then
    read the very tree the build reads. None for any other site."""
    if not config.nav or not any(name in config.plugins for name in _MONOREPO):
        return None
    try:
        from mkdocs_monorepo_plugin.parser import Parser
    except ImportError:
        return None
    try:
        resolved = Parser(config).getResolvedPaths()
    except SystemExit as exc:
        # It logged why (a missing folder, a sub-site without site_name).
        raise ConfigError(
            f"{config.config_file_path}: mkdocs-monorepo-plugin cannot resolve the "
            "`!include`s of nav (see its message above)"
        ) from exc
    if not resolved:
        return None
    return Mounts(Path(config.docs_dir), tuple((alias, Path(d)) for alias, d, _ in resolved))


def built_mounts(config: MkDocsConfig) -> Mounts | None:
    """The folders mkdocs-monorepo-plugin merged into docs_dir for this
    build (its `on_config` has run by `on_files`), or None."""
    plugin = config.plugins.get("monorepo")
    root: Any = getattr(plugin, "originalDocsDir", None)
    resolved: Any = getattr(plugin, "resolvedPaths", None)
    if not root or not resolved or os.path.abspath(root) == os.path.abspath(config.docs_dir):
        return None
    return Mounts(Path(root), tuple((str(a), Path(d)) for a, d, *_ in resolved))


def real_path_of(config: MkDocsConfig) -> Callable[[Path], Path] | None:
    """Where each file of a merged docs_dir was written (see built_mounts),
    so the build's findings name the files lint names."""
    mounts = built_mounts(config)
    return None if mounts is None else mounts.shown_as(Path(config.docs_dir))


def sources_outside_sub_sites(config: MkDocsConfig, files: Files, moved: Iterable[str]) -> None:
    """mkdocs-monorepo-plugin looks up the sub-site of each page it copied by
    the page's address (for its edit link), and fails with a TypeError on a
    page whose address is in no sub-site: an incident page, at
    `incidents/<id>/`, whose postmortem sits in an included folder. Its
    source is pointed at the file the author wrote (where the monorepo
    plugin would point it), so the monorepo plugin leaves the page alone."""
    real = real_path_of(config)
    if real is None:
        return
    for src_uri in moved:
        file = files.src_uris.get(src_uri)
        if file is not None and file.abs_src_path:
            file.abs_src_path = str(real(Path(file.abs_src_path)))


# What the monorepo plugin gives a page it treats as the root site's: there,
# MkDocs' own edit link (from the page's path in docs_dir) is already right.
_ROOT_SITE = object()


def sub_site_edit_urls(config: MkDocsConfig, moved: Iterable[str]) -> dict[str, str | None]:
    """The edit link of each incident page (by src_uri) whose postmortem
    lives in an included site, as mkdocs-monorepo-plugin links that site's
    own pages: its `repo_url` and `edit_uri` where its mkdocs.yml sets them,
    else the root's with the root's docs folder swapped for its own, then
    the file's path in its docs folder (None: no link, as for its pages).
    The monorepo plugin finds a page's site by the page's address, and an
    incident's address (`incidents/<id>/`) is in no site, so it leaves these
    pages MkDocs' link, which names the file in the root's docs folder.
    Its rules are its own (`set_edit_url`): each site's link is asked of it
    once, for a stand-in page at the top of that site."""
    plugin = config.plugins.get("monorepo")
    mounts = built_mounts(config)
    if mounts is None:
        return {}
    try:
        from mkdocs_monorepo_plugin.edit_uri import set_edit_url
    except ImportError:
        return {}
    bases: dict[str, object] = {}
    made: dict[str, str | None] = {}
    for src_uri in moved:
        found = mounts.sub_site_of(src_uri)
        if found is None:
            continue
        alias, folder, rel = found
        if alias not in bases:
            top = alias.strip("/") + "/"
            stand_in: Any = SimpleNamespace(
                url=top,
                edit_url=_ROOT_SITE,
                file=SimpleNamespace(src_path=top, abs_src_path=str(folder / rel)),
            )
            try:
                set_edit_url(config, stand_in, plugin)
            except (AttributeError, KeyError, OSError, TypeError, ValueError):
                # Its internals changed: MkDocs' link stays, the build goes on.
                stand_in.edit_url = _ROOT_SITE
            bases[alias] = stand_in.edit_url
        base = bases[alias]
        if base is not _ROOT_SITE:
            made[src_uri] = base + rel if isinstance(base, str) else None
    return made


# Around the part of an incident page that search reads and the card takes
# the place of, and around a narrative search is not to read: comments,
# which Markdown never made and HTML shows nothing of.
_CARD = ("<!--postmortems:card-->", "<!--/postmortems:card-->")
_UNSEARCHED = ("<!--postmortems:unsearched-->", "<!--/postmortems:unsearched-->")


def _cut(content: str, marks: tuple[str, str]) -> tuple[str, str, str] | None:
    """(before, inside, after) of the marked part of `content`, if marked."""
    start = content.find(marks[0])
    end = content.find(marks[1], start + len(marks[0])) if start >= 0 else -1
    if end < 0:
        return None
    return content[:start], content[start + len(marks[0]) : end], content[end + len(marks[1]) :]


def marked_card(before: str, indexed: str, narrative: str, searched: bool) -> str:
    """An incident page's HTML as the plugins after ours see it (in
    on_page_content) and, less an unsearched narrative, as search reads it."""
    if not searched:
        narrative = f"{_UNSEARCHED[0]}{narrative}{_UNSEARCHED[1]}"
    return f"{before}{_CARD[0]}{indexed}{_CARD[1]}{narrative}"


def card_in_place(content: str, card: str, held: str) -> tuple[str, str]:
    """The page with its card in place of the marked part, and the page
    without it (what MkDocs keeps once the page is written). Whatever other
    plugins did to the rest of the page (glightbox wraps images in links)
    stays; `held` (a narrative search was not to read, see
    _HoldFromSearch) goes back where it was."""
    cut = _cut(content, _CARD)
    if cut is None:
        # A plugin rewrote the page without our marks: the card goes first.
        return card + content + held, content + held
    head, _, tail = cut
    return head + card + held + tail, head + held + tail


class _HoldFromSearch(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
    """A library larger than `search_narrative_limit` keeps incidents'
    narratives out of search. They stay in the page through on_page_content,
    where plugins after ours edit the page's HTML; this takes them out just
    before the search plugins read the page (on_page_context, 0), and the
    plugin puts them back, as edited, with the card (see card_in_place)."""

    def __init__(self) -> None:
        self.held: dict[str, str] = {}

    @event_priority(10)
    def on_page_context(self, context: Any, *, page: Any, config: MkDocsConfig, nav: Any) -> Any:
        cut = _cut(page.content or "", _UNSEARCHED)
        if cut is not None:
            before, inside, after = cut
            page.content = before + after
            self.held[page.file.src_uri] = inside
        return context


def held_from_search(config: MkDocsConfig, src_uri: str) -> str:
    """The narrative _HoldFromSearch took out of the page, or ""."""
    helper = config.plugins.get("postmortems/hold-from-search")
    return helper.held.pop(src_uri, "") if isinstance(helper, _HoldFromSearch) else ""


class GeneratedSources:
    """A real file behind each page the library generates.

    Plugins that read a page's source file (mkdocs-rss-plugin asks git for
    its dates, others take its modification time) fail on a page that has
    none. As Material's blog plugin does for its generated views, the
    content is also written to a temporary folder, one per site folder, and
    the page names it; MkDocs still reads the content from memory."""

    def __init__(self) -> None:
        self._folder: tempfile.TemporaryDirectory[str] | None = None

    def back(self, file: File, config: MkDocsConfig, content: str) -> None:
        if self._folder is None:
            self._folder = tempfile.TemporaryDirectory(prefix="postmortems-pages-")
        # Two sites built by one process do not share a folder.
        site = hashlib.sha256(os.path.abspath(config.site_dir).encode()).hexdigest()[:12]
        path = Path(self._folder.name, site, *file.src_uri.split("/"))
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.is_file() or path.read_text(encoding="utf-8") != content:
            path.write_text(content, encoding="utf-8")
        file.abs_src_path = str(path)


GENERATED_SOURCES = GeneratedSources()


class _ShownEscaped(str):
    """A tag's name: the author's text wherever it is compared, hashed,
    slugified or exported (`tags_allowed`, the tag index's anchors,
    tags.json), escaped wherever it is printed (`str()`, which templates
    rendering without autoescaping use)."""

    def __str__(self) -> str:
        return html.escape(self[:])


class _TagNamesEscaped(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
    """Material's tags plugin prints tag names as it finds them, on pages and
    in the tag index; page.meta holds the author's tags (so `tags_allowed`
    sees them as written), and escaping belongs to the HTML alone."""

    # Early (110): after every page's tags are read and checked (in
    # on_page_markdown), before the tags plugin renders its listings (100).
    @event_priority(110)
    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        tags_plugin = config.plugins.get("material/tags") or config.plugins.get("tags")
        for mapping in getattr(tags_plugin, "mappings", None) or ():
            for tag in getattr(mapping, "tags", ()):
                while tag is not None:
                    name = getattr(tag, "name", None)
                    if isinstance(name, str) and not isinstance(name, _ShownEscaped):
                        tag.name = _ShownEscaped(name)
                    tag = getattr(tag, "parent", None)
        return env


class _HiddenAround:
    """Files another plugin's `on_files` must not see (`which`): taken out of
    `files` just before it runs (`before`, a priority just above its own) and
    put back just after (`after`), so every other plugin still sees them.
    Registered as two helper plugins, `postmortems/<name>-before` and
    `postmortems/<name>-after`."""

    def __init__(self, config: MkDocsConfig, name: str, before: int, after: int) -> None:
        self.hidden: list[File] = []
        config.plugins[f"postmortems/{name}-before"] = _AtPriority(self, before, self._hide)
        config.plugins[f"postmortems/{name}-after"] = _AtPriority(self, after, self._show)

    def which(self, files: Files, config: MkDocsConfig) -> list[File]:
        raise NotImplementedError

    def _hide(self, files: Files, config: MkDocsConfig) -> Files:
        self.hidden = self.which(files, config)
        for file in self.hidden:
            files.remove(file)
        return files

    def _show(self, files: Files, config: MkDocsConfig) -> Files:
        for file in self.hidden:
            files.append(file)
        self.hidden = []
        return files


class _AtPriority(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
    """One moment of a `_HiddenAround`: a helper plugin whose one handler,
    `on_files`, runs at the priority given. MkDocs reads a handler's
    priority from the attribute `event_priority` sets on it, so each use
    has its own."""

    def __init__(
        self, around: _HiddenAround, priority: int, run: Callable[[Files, MkDocsConfig], Files]
    ) -> None:
        self.around = around

        @event_priority(priority)
        def on_files(files: Files, *, config: MkDocsConfig) -> Files:
            return run(files, config)

        # MkDocs finds handlers by name on the object, its own attributes included.
        self.on_files = on_files  # type: ignore[method-assign]


class _HiddenFromI18n(_HiddenAround):
    """mkdocs-static-i18n (its `on_files` at priority -100) rebuilds every
    documentation file from its path in docs_dir: a generated page crashes
    it (no source path). The library's generated files are taken out just
    before it runs (-99) and put back just after (-110)."""

    def __init__(self, config: MkDocsConfig) -> None:
        super().__init__(config, "i18n", before=-99, after=-110)

    def which(self, files: Files, config: MkDocsConfig) -> list[File]:
        return [f for f in files if f.generated_by == GENERATED_BY]


class _HiddenFromLiterateNav(_HiddenAround):
    """mkdocs-literate-nav, where the site has no nav file of its own
    (SUMMARY.md), writes a nav of every page it finds in `files` (its
    `on_files`, at -100), pages kept out of the nav included: every incident,
    layer, category and system page would be listed. Just before it (-99),
    the pages kept out of the nav are taken out of `files`, and put back just
    after (-101), so the nav it writes is the site's own, and the library's
    top pages are added to it as to MkDocs' own nav."""

    def __init__(self, config: MkDocsConfig) -> None:
        super().__init__(config, "literate-nav", before=-99, after=-101)
        self.implicit = False

    def which(self, files: Files, config: MkDocsConfig) -> list[File]:
        nav_plugin: Any = config.plugins.get("literate-nav")
        nav_file = getattr(nav_plugin, "config", {}).get("nav_file", "SUMMARY.md")
        self.implicit = config.nav is None and files.get_file_from_path(nav_file) is None
        if not self.implicit:
            return []
        return [
            f
            for f in files
            if f.is_documentation_page()
            and (f.generated_by == GENERATED_BY or f.inclusion is InclusionLevel.NOT_IN_NAV)
        ]


def nav_is_implicit(config: MkDocsConfig) -> bool:
    """Whether the nav MkDocs builds was written by literate-nav from the
    files, not by the site (`nav:` or a SUMMARY.md): the library's top pages
    are then added to it, as to MkDocs' own nav."""
    helper = config.plugins.get("postmortems/literate-nav-before")
    around = getattr(helper, "around", None)
    return isinstance(around, _HiddenFromLiterateNav) and around.implicit


def add_helpers(config: MkDocsConfig) -> None:
    """Register, beside another plugin that needs one, the helper that runs
    at the moment that plugin's way needs (see each helper)."""
    if "postmortems/hold-from-search" not in config.plugins:
        config.plugins["postmortems/hold-from-search"] = _HoldFromSearch()
    if "material/tags" in config.plugins and "postmortems/tag-names" not in config.plugins:
        config.plugins["postmortems/tag-names"] = _TagNamesEscaped()
    if "literate-nav" in config.plugins and "postmortems/literate-nav-before" not in config.plugins:
        _HiddenFromLiterateNav(config)
    if "i18n" in config.plugins and "postmortems/i18n-before" not in config.plugins:
        _HiddenFromI18n(config)


def with_own_tags(there: object, own: Iterable[str]) -> list[Any]:
    """An incident page's tags: those other plugins gave it already (Material's
    meta plugin, from a `.meta.yml` of its folder), then the postmortem's
    own, each once."""
    tags: list[Any] = list(there) if isinstance(there, list | tuple) else []
    tags += [t for t in own if t not in tags]
    return tags


def feed_id_url(config: MkDocsConfig, prefix: str) -> str | None:
    """The address the feed's ids are made from, where it is not the site's:
    mike builds each version with the version folder added to site_url
    (its plugin's `on_config`, which reads the version from the environment
    mike sets), and a feed whose ids change with each version shows every
    incident to its readers as new. The ids take the address without it."""
    site_url = config.site_url
    if not site_url or "mike" not in config.plugins:
        return None
    try:
        from mike.mkdocs_utils import docs_version_var
    except ImportError:
        return None
    version = os.environ.get(docs_version_var)
    mike_config: Any = getattr(config.plugins["mike"], "config", {}) or {}
    version = mike_config.get("canonical_version") or version
    if not version:
        return None
    bare, suffix = site_url.rstrip("/"), "/" + version.strip("/")
    if not bare.endswith(suffix):
        return None
    return bare[: -len(suffix)] + "/" + prefix


# Material's offline plugin, under either name a site may give it.
_OFFLINE = ("material/offline", "offline")


def offline_finder(config: MkDocsConfig, files: Files, prefix: str) -> None:
    """Beside a site built to be opened from disk (Material's offline
    plugin), the incidents finder's rows as a script: a page opened from
    disk cannot fetch a file, but may load a script, as Material's offline
    search loads its index. Called once the exports are made (on_env);
    MkDocs copies it with the other files after that."""
    plugin: Any = next((config.plugins[n] for n in _OFFLINE if n in config.plugins), None)
    if plugin is None or not getattr(plugin, "config", {}).get("enabled", True):
        return
    rows = files.get_file_from_path(prefix + "incidents/finder.json")
    target = prefix + "incidents/finder.js"
    if rows is None or files.get_file_from_path(target) is not None:
        return
    # JSON is a JavaScript expression; the file is a script of its own, so
    # no "</script>" in a title can end it early.
    script = b"window.pmFinderRows = " + rows.content_bytes + b";\n"
    made = File.generated(config, target, content=script)
    made.generated_by = GENERATED_BY
    files.append(made)
