"""The incidents page's finder in a real browser: `python -m bench finder [--sizes 10000]`.

Generates N postmortems, builds the site with the plugin, serves it on
127.0.0.1 (the counting server of bench/search.py) and types into the Find
box of `incidents/` in Debian's headless Chromium. For queries by id, title
word, summary word, system and category it measures, in the page
(performance.now and the page's own timings, so the figures are the
browser's, not Playwright's):

- the first search, typed right after the page loads: the time from the
  last keystroke to the answer. The page fetches its rows file
  (incidents/finder.json) at its load event, or when the box gets focus
  first, so the download may be under way or done when the key is typed;
  hence also:
- from the page's load event until the rows are ready (the page's
  `pm-finder-ready` mark): what a search typed the moment the page loads
  waits for at most, before searching;
- from the start of the rows file's download until the rows are ready:
  what a first search waits for when typed before the download began
  (transfer, parsing and the haystacks, on the page's main thread);
- whether the rows were ready before the keystroke;
- later searches, the rows file already loaded;
- the bytes sent before the first answer (HTML, CSS, JavaScript, the rows
  file), and the rows file's size beside incidents/index.json, which it
  replaces for the finder.

Beside it, on the same site, mkdocs-material's search (bench/search.py's
measurement): its first-search time and the bytes it loads before its first
result, search_index.json and the worker included.
"""

from __future__ import annotations

import gzip
import json
import statistics
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from . import BenchError, heading, verdict
from . import search as material
from .build import build_once, site_dir
from .generate import DEFAULT_TAXONOMY, generate

DEFAULT_SIZES = (10000,)
TARGET_ANSWER_MS = 200.0

# Types a query into the Find box as search.py types into Material's: all
# but the last character at once (with focus, which starts loading the rows
# file if the page has not yet), then the last one, timed. Resolves with the
# milliseconds from that last keystroke until the live region announced the
# answer (the table is filled by then), until the next frame after it, the
# text announced, and the page's timings in milliseconds since navigation
# began: the keystroke, the load event, the rows file's download (start,
# end) and the moment the rows were ready (null where a figure is missing).
_TYPE_AND_WAIT = """
async ([query, focus]) => {
  const box = document.querySelector("[data-pm-find]");
  const count = document.querySelector("[data-pm-count]");
  if (focus) box.focus();
  box.value = query.slice(0, -1);
  box.dispatchEvent(new Event("input", { bubbles: true }));
  let answered = 0;
  const done = new Promise((resolve) => {
    const watcher = new MutationObserver(() => {
      if (!/matching/.test(count.textContent)) return;
      watcher.disconnect();
      answered = performance.now();
      requestAnimationFrame(() => resolve(performance.now()));
    });
    watcher.observe(count, { childList: true, characterData: true, subtree: true });
  });
  const t0 = performance.now();
  box.value = query;
  box.dispatchEvent(new Event("input", { bubbles: true }));
  const painted = await done;
  const nav = performance.getEntriesByType("navigation")[0];
  const rows = performance.getEntriesByType("resource")
    .filter((e) => e.name.endsWith("/incidents/finder.json"))[0];
  const ready = performance.getEntriesByName("pm-finder-ready")[0];
  const timings = {
    typed: t0,
    load: nav ? nav.loadEventStart : null,
    fetch_start: rows ? rows.startTime : null,
    fetch_end: rows ? rows.responseEnd : null,
    ready: ready ? ready.startTime : null,
  };
  return [answered - t0, painted - t0, count.textContent, timings];
}
"""


@dataclass
class FinderResult:
    """One library size."""

    n: int
    published: int
    rows_bytes: int
    rows_gzip_bytes: int
    # incidents/index.json, which the finder read before finder.json.
    index_bytes: int
    index_gzip_bytes: int
    queries: list[tuple[str, str]]
    # Until the answer is in the table and the live region; until the next frame.
    first_ms: dict[str, float] = field(default_factory=dict)
    first_frame_ms: dict[str, float] = field(default_factory=dict)
    later_ms: dict[str, list[float]] = field(default_factory=dict)
    answers: dict[str, str] = field(default_factory=dict)
    # The page's timings of each first search (see _TYPE_AND_WAIT), in ms.
    timings: list[dict[str, float | None]] = field(default_factory=list)
    bytes_before_answer: dict[str, int] = field(default_factory=dict)
    material: material.SearchResult | None = None


def finder_queries(site: Path) -> list[tuple[str, str]]:
    """Search's four queries (id, title word, system, category), plus a summary word."""
    chosen = material.queries(site)
    rows = json.loads((site / "incidents" / "index.json").read_text(encoding="utf-8"))
    summary = rows[len(rows) // 3].get("summary", "")
    words = sorted({w.strip(".,").lower() for w in summary.split() if len(w) > 7})
    if words:
        chosen.append(("summary word", words[0]))
    return chosen


ROWS_FILE = "finder.json"


def _kind(path: str) -> str:
    path = path.split("?", 1)[0]
    for name in (ROWS_FILE, "index.json"):
        if path.endswith(f"incidents/{name}"):
            return name
    return material._kind(path)


def measure_finder(result: FinderResult, site: Path, repeat: int) -> None:
    """Fill in the browser timings of `result`."""
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise BenchError("playwright is not installed: pip install -e '.[test]'") from exc
    if not material.CHROMIUM.exists():
        raise BenchError(f"{material.CHROMIUM} is missing: run `bash scripts/browser-deps.sh`")
    firsts: dict[str, list[float]] = {}
    frames: dict[str, list[float]] = {}
    with material.serve(site) as (base, server), sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(material.CHROMIUM), args=material.LAUNCH_ARGS
        )
        try:
            for _ in range(repeat):
                for kind, query in result.queries:
                    context = browser.new_context(viewport={"width": 1280, "height": 900})
                    context.set_default_timeout(material.TIMEOUT_MS)
                    try:
                        page = context.new_page()
                        server.reset()
                        page.goto(f"{base}incidents/", wait_until="load")
                        page.locator("[data-pm-find]").wait_for(state="visible")
                        ms, frame, answer, timings = page.evaluate(_TYPE_AND_WAIT, [query, True])
                        seen = time.perf_counter()
                        result.timings.append(timings)
                        firsts.setdefault(kind, []).append(ms)
                        frames.setdefault(kind, []).append(frame)
                        result.answers[kind] = answer
                        if not result.bytes_before_answer:
                            sizes: Counter[str] = Counter()
                            for path, size in server.sent_until(seen):
                                sizes[_kind(path)] += size
                            result.bytes_before_answer = dict(sizes)
                        for later_kind, later_query in result.queries:
                            ms, _, _, _ = page.evaluate(_TYPE_AND_WAIT, [later_query, False])
                            result.later_ms.setdefault(later_kind, []).append(ms)
                    except PlaywrightError as exc:
                        raise BenchError(f"finding {query!r} ({kind}) failed: {exc}") from exc
                    finally:
                        context.close()
        finally:
            browser.close()
    result.first_ms = {k: statistics.median(v) for k, v in firsts.items()}
    result.first_frame_ms = {k: statistics.median(v) for k, v in frames.items()}


def measure(n: int, out: Path, repeat: int) -> FinderResult:
    """Generate, build, then time the finder and Material's search on one site."""
    # The build benchmark's equal-work library of the same size, when it has
    # just been built: the same site, one long build fewer.
    built = out / f"build-{n}-equal" / "site-plugin"
    if (built / "incidents" / ROWS_FILE).is_file() and (built / "search").is_dir():
        print(f"N={n}: reusing the build benchmark's site {built}", flush=True)
        site, published = built, n
    else:
        print(f"N={n}: generating and building ...", flush=True)
        lib = generate(out / f"finder-{n}", n, DEFAULT_TAXONOMY, all_published=True)
        build_once(lib.config, [])
        site, published = site_dir(lib.config), lib.published
    raw = (site / "incidents" / ROWS_FILE).read_bytes()
    index_raw = (site / "incidents" / "index.json").read_bytes()
    result = FinderResult(
        n,
        published,
        len(raw),
        len(gzip.compress(raw, 6)),
        len(index_raw),
        len(gzip.compress(index_raw, 6)),
        finder_queries(site),
    )
    print(f"N={n}: the finder in Chromium ({repeat} rounds) ...", flush=True)
    measure_finder(result, site, repeat)
    index = site / "search" / "search_index.json"
    search_raw = index.read_bytes()
    entries, parts = material.index_parts(index)
    result.material = material.SearchResult(
        n,
        published,
        len(search_raw),
        len(gzip.compress(search_raw, 6)),
        entries,
        dict(parts.most_common()),
        material.queries(site),
    )
    print(f"N={n}: Material's search on the same site (1 round) ...", flush=True)
    material.measure_browser(result.material, site, 1)
    return result


def _mb(size: float) -> str:
    return f"{size / 1e6:.2f} MB"


def _spans(timings: list[dict[str, float | None]], start: str, end: str) -> list[float]:
    """end - start of each first search where the page recorded both."""
    spans = []
    for t in timings:
        begun, ended = t.get(start), t.get(end)
        if begun is not None and ended is not None:
            spans.append(ended - begun)
    return spans


def _median(values: list[float]) -> str:
    return f"{statistics.median(values):.0f} ms" if values else "not recorded"


def _against_target(values: list[float]) -> str:
    if not values:
        return ""
    ms = statistics.median(values)
    return f"   target <= {TARGET_ANSWER_MS:.0f} ms: {verdict(ms, TARGET_ANSWER_MS)}"


def report(results: list[FinderResult]) -> None:
    """Print the figures, the finder's first."""
    heading("finder: the incidents page's Find box in headless Chromium")
    for r in results:
        print(f"\nN={r.n} ({r.published} published)")
        each = r.rows_bytes / max(r.published, 1)
        print(
            f"  incidents/{ROWS_FILE}  {_mb(r.rows_bytes)} ({each:,.0f} bytes per incident; "
            f"gzip {_mb(r.rows_gzip_bytes)}); incidents/index.json, which it replaces for "
            f"the finder, {_mb(r.index_bytes)} (gzip {_mb(r.index_gzip_bytes)})"
        )
        first = statistics.median(r.first_ms.values())
        frame = statistics.median(r.first_frame_ms.values())
        later = statistics.median(t for ts in r.later_ms.values() for t in ts)
        ready_first = sum(1 for span in _spans(r.timings, "ready", "typed") if span >= 0)
        print(
            f"  first search, typed right after load: median {first:.0f} ms from the last "
            f"keystroke to the answer, {frame:.0f} ms to the next frame   target <= "
            f"{TARGET_ANSWER_MS:.0f} ms: {verdict(first, TARGET_ANSWER_MS)}"
        )
        typed_after = _spans(r.timings, "load", "typed")
        print(
            f"    typed a median {_median(typed_after)} after the load event; the rows were "
            f"ready before the keystroke in {ready_first} of {len(r.timings)} first searches"
        )
        from_load = _spans(r.timings, "load", "ready")
        from_fetch = _spans(r.timings, "fetch_start", "ready")
        transfer = _spans(r.timings, "fetch_start", "fetch_end")
        print(
            f"  rows ready {_median(from_load)} after the page's load event (median): the "
            f"longest a search typed after the load event waits before it searches"
            f"{_against_target(from_load)}"
        )
        print(
            f"  rows ready {_median(from_fetch)} after their download began (median; the "
            f"download itself {_median(transfer)}): the wait of a search typed before the "
            f"page fetched them{_against_target(from_fetch)}"
        )
        print(
            f"  later searches, rows loaded: median {later:.0f} ms   target <= "
            f"{TARGET_ANSWER_MS:.0f} ms: {verdict(later, TARGET_ANSWER_MS)}"
        )
        for kind, query in r.queries:
            print(
                f"    {kind:12} {query!r:40} first {r.first_ms[kind]:6.0f} ms   later "
                f"{statistics.median(r.later_ms[kind]):5.0f} ms   ({r.answers.get(kind, '')})"
            )
        # Material loads its own index and worker on every page, searched or not.
        theirs = {"index", "worker"}
        own = sum(v for k, v in r.bytes_before_answer.items() if k not in theirs)
        detail = ", ".join(
            f"{k} {_mb(v)}" for k, v in sorted(r.bytes_before_answer.items(), key=lambda kv: -kv[1])
        )
        print(
            f"  bytes before the first answer: {_mb(own)} for the page and its rows file; "
            f"{_mb(sum(r.bytes_before_answer.values()))} in all, with what Material's search "
            f"loads meanwhile ({detail})"
        )
        total = own
        m = r.material
        if m is not None and m.first_search:
            m_first = statistics.median(t for ts in m.first_search.values() for t in ts)
            m_bytes = statistics.median(sum(b.values()) for b in m.bytes_before_result)
            print(
                f"  beside it, Material's search on the same site: first search median "
                f"{m_first * 1000:.0f} ms, {_mb(m_bytes)} loaded before its first result "
                f"(search_index.json {_mb(m.index_bytes)}, gzip {_mb(m.index_gzip_bytes)})"
            )
            print(
                f"  ratio finder/Material: first search {first / (m_first * 1000):.3f}, "
                f"bytes {total / max(m_bytes, 1):.3f}"
            )


def run(sizes: tuple[int, ...], repeat: int, out: Path) -> list[FinderResult]:
    """The finder benchmark; results are also written as JSON under `out`."""
    results = [measure(n, out, repeat) for n in sizes]
    report(results)
    path = out / "finder-results.json"
    path.write_text(
        json.dumps([asdict(r) for r in results], indent=2, default=_plain), encoding="utf-8"
    )
    print(f"\nraw figures: {path}")
    return results


def _plain(value: Any) -> Any:
    return str(value)
