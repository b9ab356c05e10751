"""Search at scale, in a real browser: `python -m bench search [--sizes 1000]`.

Generates N postmortems (bench/generate.py), builds the site with the
plugin, serves it with a stdlib HTTP server on 127.0.0.1 and reads it with
Debian's headless Chromium through Playwright (no browser download). For
queries by id, title word, system and category it measures:

- the bytes loaded before the first search result appears: every response
  body the server sent from the page's first request until that result
  (HTML, CSS, JavaScript, search/search_index.json, the search worker);
- the time from the last keystroke of a query to its first result, on a
  fresh page typed right after it loads (a reader's first search: the index
  download and indexing in the worker are part of it), and again once the
  index is ready;
- search_index.json per published incident, and which parts of the incident
  pages fill it.

Absolute figures depend on the machine: they are printed for information,
with the first-search time checked against one second.
"""

from __future__ import annotations

import contextlib
import gzip
import http.server
import json
import re
import statistics
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from . import BenchError, heading, verdict
from .build import build_once, site_dir
from .generate import DEFAULT_TAXONOMY, generate, read_taxonomy

DEFAULT_SIZES = (1000,)
TARGET_FIRST_SEARCH = 1.0  # seconds
CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Every wait is bounded; a large index on a slow machine may take seconds.
TIMEOUT_MS = 60_000


class _Server(http.server.ThreadingHTTPServer):
    """Serves a folder and records when it sent how many body bytes for what."""

    def __init__(self, site: Path) -> None:
        self.site = site
        self.lock = threading.Lock()
        self.sent: list[tuple[float, str, int]] = []
        super().__init__(("127.0.0.1", 0), _CountingHandler)

    def reset(self) -> None:
        with self.lock:
            self.sent.clear()

    def sent_until(self, moment: float) -> list[tuple[str, int]]:
        with self.lock:
            return [(path, size) for stamp, path, size in self.sent if stamp <= moment]


class _CountingHandler(http.server.SimpleHTTPRequestHandler):
    server: _Server

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, directory=str(args[2].site), **kwargs)

    def log_message(self, format: str, *args: Any) -> None:
        """No access log."""

    def copyfile(self, source: Any, outputfile: Any) -> None:
        size = 0
        while chunk := source.read(64 * 1024):
            outputfile.write(chunk)
            size += len(chunk)
        with self.server.lock:
            self.server.sent.append((time.perf_counter(), self.path, size))


@contextlib.contextmanager
def serve(site: Path) -> Iterator[tuple[str, _Server]]:
    """The site on a free loopback port, for the duration of the block."""
    server = _Server(site)
    thread = threading.Thread(target=server.serve_forever, name="bench-search", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _kind(path: str) -> str:
    path = path.split("?", 1)[0]
    if path.endswith("search_index.json"):
        return "index"
    if "/workers/search" in path:
        return "worker"
    for suffix, kind in ((".js", "js"), (".css", "css"), ("/", "html"), (".html", "html")):
        if path.endswith(suffix):
            return kind
    return "other"


def queries(site: Path) -> list[tuple[str, str]]:
    """(kind, query): one id, title word, system and category of a published incident."""
    incidents = json.loads((site / "incidents.json").read_text(encoding="utf-8"))["incidents"]
    if not incidents:
        raise BenchError(f"{site / 'incidents.json'} lists no incident to search for")
    pm = incidents[len(incidents) // 2]
    titles = {
        cid: title
        for cats in read_taxonomy(DEFAULT_TAXONOMY).categories.values()
        for cid, title in cats
    }
    words = sorted(re.findall(r"[A-Za-z]{5,}", pm["title"]), key=lambda w: (-len(w), w))
    return [
        ("id", pm["id"]),
        ("title word", words[0].lower() if words else pm["title"].split()[0]),
        ("system", pm["systems"][0]),
        ("category", titles[pm["factors"][0]["category"]]),
    ]


def index_parts(index: Path) -> tuple[int, Counter[str]]:
    """Entries in search_index.json and the bytes each part of the pages takes."""
    docs = json.loads(index.read_text(encoding="utf-8"))["docs"]
    parts: Counter[str] = Counter()
    for doc in docs:
        location = doc["location"]
        size = len(json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode())
        if not location.startswith("incidents/"):
            parts["other pages"] += size
            continue
        anchor = location.partition("#")[2]
        parts[
            {
                "": "incident: card and summary",
                "pm-factors-title": "incident: factors by layer",
                "pm-actions-title": "incident: action items",
                "pm-related-title": "incident: related lists",
                "pm-narrative": "incident: 'Narrative' heading",
            }.get(anchor, "incident: narrative sections")
        ] += size
    return len(docs), parts


@dataclass
class SearchResult:
    """One library size."""

    n: int
    published: int
    index_bytes: int
    index_gzip_bytes: int
    index_entries: int
    index_parts: dict[str, int]
    queries: list[tuple[str, str]]
    first_search: dict[str, list[float]] = field(default_factory=dict)
    later_search: dict[str, list[float]] = field(default_factory=dict)
    bytes_before_result: list[dict[str, int]] = field(default_factory=list)


def _type(page: Any, query: str) -> float:
    """Type a query as a reader does; the moment of the last keystroke.
    mkdocs-material searches on keyup: all but the last character go in at
    once without a search, the last one is a real key press."""
    box = page.locator(".md-search__input")
    box.click()
    box.fill(query[:-1])
    start = time.perf_counter()
    box.press_sequentially(query[-1])
    return start


def measure_browser(result: SearchResult, site: Path, repeat: int) -> None:
    """Fill in the browser timings of `result`."""
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise BenchError("playwright is not installed: pip install -e '.[test]'") from exc
    if not CHROMIUM.exists():
        raise BenchError(f"{CHROMIUM} is missing: run `bash scripts/browser-deps.sh`")
    with serve(site) as (base, server), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            for round_ in range(repeat):
                for kind, query in result.queries:
                    context = browser.new_context(viewport={"width": 1280, "height": 900})
                    context.set_default_timeout(TIMEOUT_MS)
                    try:
                        page = context.new_page()
                        first = page.locator(".md-search-result__item").first
                        server.reset()
                        page.goto(base, wait_until="load")
                        start = _type(page, query)
                        first.wait_for(state="visible")
                        seen = time.perf_counter()
                        result.first_search.setdefault(kind, []).append(seen - start)
                        sizes: Counter[str] = Counter()
                        for path, size in server.sent_until(seen):
                            sizes[_kind(path)] += size
                        result.bytes_before_result.append(dict(sizes))
                        # The index is ready now: every query again, one by one.
                        for later_kind, later_query in result.queries:
                            page.locator(".md-search__input").fill("")
                            page.locator(".md-search__input").press("Backspace")
                            page.locator(".md-search-result__item").first.wait_for(state="detached")
                            start = _type(page, later_query)
                            first.wait_for(state="visible")
                            elapsed = time.perf_counter() - start
                            result.later_search.setdefault(later_kind, []).append(elapsed)
                    except PlaywrightError as exc:
                        raise BenchError(
                            f"searching {query!r} ({kind}) in Chromium failed: {exc}"
                        ) from exc
                    finally:
                        context.close()
                print(f"  browser round {round_ + 1}/{repeat} done", flush=True)
        finally:
            browser.close()


def measure(n: int, out: Path, repeat: int) -> SearchResult:
    """Generate, build and search one library size."""
    print(f"N={n}: generating and building ...", flush=True)
    lib = generate(out / f"search-{n}", n, DEFAULT_TAXONOMY)
    build_once(lib.config, [])
    site = site_dir(lib.config)
    index = site / "search" / "search_index.json"
    raw = index.read_bytes()
    entries, parts = index_parts(index)
    result = SearchResult(
        n,
        lib.published,
        len(raw),
        len(gzip.compress(raw, 6)),
        entries,
        dict(parts.most_common()),
        queries(site),
    )
    print(f"N={n}: searching in Chromium ({repeat} rounds) ...", flush=True)
    measure_browser(result, site, repeat)
    return result


def _mb(size: float) -> str:
    return f"{size / 1e6:.2f} MB"


def report(results: list[SearchResult]) -> None:
    """Print the figures."""
    heading("search: mkdocs-material search in headless Chromium over a served build")
    for r in results:
        per = r.index_bytes / max(r.published, 1)
        print(f"\nN={r.n} ({r.published} published)")
        print(
            f"  search_index.json          {_mb(r.index_bytes)} ({per:,.0f} bytes per published "
            f"incident; {r.index_entries} entries; gzip {_mb(r.index_gzip_bytes)})"
        )
        for part, size in r.index_parts.items():
            share, each = size / r.index_bytes, size / max(r.published, 1)
            print(f"    {part:34} {share:6.1%}  {each:8,.0f} B/incident")
        totals = [sum(b.values()) for b in r.bytes_before_result]
        typical = r.bytes_before_result[totals.index(sorted(totals)[len(totals) // 2])]
        detail = ", ".join(
            f"{k} {_mb(v)}" for k, v in sorted(typical.items(), key=lambda kv: -kv[1])
        )
        print(
            f"  bytes before the first result (median) {_mb(statistics.median(totals))}: {detail}"
        )
        first = [t for ts in r.first_search.values() for t in ts]
        later = [t for ts in r.later_search.values() for t in ts]
        median_first = statistics.median(first)
        print(
            f"  first search, typed right after load: median {median_first:.2f} s   "
            f"target <= {TARGET_FIRST_SEARCH:.0f} s: {verdict(median_first, TARGET_FIRST_SEARCH)}"
        )
        print(f"  later searches, index ready:          median {statistics.median(later):.2f} s")
        for kind, query in r.queries:
            print(
                f"    {kind:11} {query!r:40} first {statistics.median(r.first_search[kind]):.2f} s"
                f"   later {statistics.median(r.later_search[kind]):.3f} s"
            )


def run(sizes: tuple[int, ...], repeat: int, out: Path) -> list[SearchResult]:
    """The search benchmark; results are also written as JSON under `out`."""
    results = [measure(n, out, repeat) for n in sizes]
    report(results)
    path = out / "search-results.json"
    path.write_text(json.dumps([asdict(r) for r in results], indent=2), encoding="utf-8")
    print(f"\nraw figures: {path}")
    return results
