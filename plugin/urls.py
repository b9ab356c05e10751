"""Every address of the library on the site, relative to the library's root.

The site model, the templates (through the renderer's filters), the exports
and the feed all name pages through these functions, so an address is
decided once. The library may sit under a sub-path of the site (the
`prefix` option); the adapters add it where a path meets MkDocs.
"""

from __future__ import annotations

from typing import Final

# The Atom feed, announced in every page's head.
FEED: Final = "feed.xml"
# The files the library publishes beside its pages.
EXPORTS: Final = (
    "incidents.json",
    "incidents.csv",
    FEED,
    "incidents/index.json",
    # The incidents page's Find box reads this lean copy of index.json's rows.
    "incidents/finder.json",
)


def incident_url(pm_id: str) -> str:
    return f"incidents/{pm_id}/"


def page_address(path: str, directory_urls: bool = True) -> str:
    """A page's address as MkDocs writes it: `incidents/X/`, or with
    `use_directory_urls: false`, `incidents/X/index.html`, as the site's
    canonical links and sitemap say."""
    return path if directory_urls or not path.endswith("/") else path + "index.html"


def layer_url(layer_id: str) -> str:
    return f"layers/{layer_id}/"


def category_url(layer_id: str, category_id: str) -> str:
    return f"layers/{layer_id}/{category_id}/"


def system_url(system: str) -> str:
    return f"systems/{system}/"


def relative_url(target: str, page_url: str) -> str:
    """A site-root address (`incidents/X/`) as seen from another page's address.

    Written out rather than with posixpath.relpath, which normalises both
    paths first: pages link to each other tens of thousands of times in a
    large library, and relpath was a tenth of the build."""
    base = page_url.split("/")[:-1]
    parts = target.split("/")
    common = 0
    for mine, theirs in zip(base, parts[:-1], strict=False):
        if mine != theirs:
            break
        common += 1
    return "../" * (len(base) - common) + "/".join(parts[common:]) or "./"


def paged_uri(base_url: str, number: int) -> str:
    return base_url if number == 1 else f"{base_url}page/{number}/"


def normalise_prefix(value: str) -> str:
    """`library`, `/library/` and `library/` all mean `library/`; empty means none.

    Raises ValueError for what cannot be an address inside the site."""
    parts = [p for p in value.strip().strip("/").split("/") if p]
    if any(p in (".", "..") or not all(ch.isalnum() or ch in "-_." for ch in p) for p in parts):
        raise ValueError(f"must be folder names of letters, digits, '-', '_' or '.', got {value!r}")
    return "".join(f"{p}/" for p in parts)
