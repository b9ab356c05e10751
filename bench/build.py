"""`mkdocs build` with the postmortems plugin against a plain build.

The floor is mkdocs-material building the same Markdown files with only the
home page in `nav` and no postmortems plugin: the least a site of this size
can cost. The plugin's build of the same folder is measured against it, in
the same run, alternating which goes first. Each build is a fresh process
(wrapped in `/usr/bin/time -v`, or in a helper process where that is
missing) so its peak memory is its own.

The first figure is equal work: every generated postmortem is final and
internal, so the plugin renders every Markdown body the floor renders (the
report checks it, page by page), plus its own generated pages. The second
is a mixed library (drafts, reviews, restricted ones), as a real library
is; there the plugin renders fewer pages than the floor, so its ratio
flatters and is printed for information only.

Then the README's preview command (`make serve`) at the smallest size: the
time from saving an edit to one postmortem until the served page shows it,
against the full build of the same server.
"""

from __future__ import annotations

import compileall
import contextlib
import json
import queue
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import REPO, BenchError, Run, Samples, bench_env, heading, run_timed, tail, tool, verdict
from .generate import DEFAULT_TAXONOMY, GeneratedLibrary, generate

DEFAULT_SIZES = (1000, 4000)
TARGET_RATIO = 1.15
TARGET_GROWTH = 1.10
TARGET_RSS = 1.5
TARGET_PREVIEW = 1.0  # seconds from saving an edit to seeing it
PREVIEW_EDITS = 9
TARGET_PAGE_KB = 500
# One restricted postmortem for this many published ones in the equal-work
# library: the output guard of every build then has something to look for.
WITHHELD_SHARE = 50
BUILD_TIMEOUT = 1800.0
SERVE_TIMEOUT = 600.0

_MAXRSS = re.compile(r"Maximum resident set size \(kbytes\): (\d+)")
_BUILT = re.compile(r"Documentation built in ([0-9.]+) seconds")
# Runs the build as its child: RUSAGE_CHILDREN of this short-lived helper is
# then the build's own peak, not the maximum over every earlier build.
_RSS_HELPER = (
    "import resource, subprocess, sys\n"
    "rc = subprocess.call(sys.argv[1:])\n"
    "kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "print(f'Maximum resident set size (kbytes): {kb}', file=sys.stderr)\n"
    "sys.exit(rc)\n"
)


def _gnu_time() -> str | None:
    """/usr/bin/time if it is GNU time (it understands -v)."""
    path = shutil.which("time", path="/usr/bin:/bin")
    if path is None:
        return None
    probe = subprocess.run([path, "-v", "true"], capture_output=True, text=True, check=False)
    return path if probe.returncode == 0 and _MAXRSS.search(probe.stderr) else None


class BuildFailed(BenchError):
    """`mkdocs build` exited non-zero."""

    def __init__(self, config: Path, run: Run) -> None:
        # GNU time appends its report; the reader needs MkDocs' last words.
        own = re.split(r"^(?:Command exited with|\tCommand being timed)", run.stderr, flags=re.M)[0]
        super().__init__(
            f"`mkdocs build -f {config}` failed (exit {run.returncode}) after "
            f"{run.seconds:.1f} s. Last lines of its output:\n{tail(own, 12)}"
        )


@dataclass
class Build:
    """One measured build."""

    seconds: float
    max_rss_kb: int
    cpu: float = 0.0


def build_once(config: Path, wrapper: list[str]) -> Build:
    """One `mkdocs build -q` in a fresh process; raises on failure."""
    run = run_timed(
        [*wrapper, tool("mkdocs"), "build", "-q", "-f", config.name],
        config.parent,
        timeout=BUILD_TIMEOUT,
    )
    if run.returncode != 0:
        raise BuildFailed(config, run)
    m = _MAXRSS.search(run.stderr)
    return Build(run.seconds, int(m.group(1)) if m else 0, run.cpu)


def site_dir(config: Path) -> Path:
    """Where a generated config builds to (the generator names it)."""
    return config.parent / (
        "site-floor" if config.name.startswith("mkdocs-floor") else "site-plugin"
    )


def largest_page(site: Path) -> tuple[float, str]:
    """The biggest HTML file of a built site, in KB, and its path."""
    biggest = max(site.rglob("*.html"), key=lambda p: p.stat().st_size, default=None)
    if biggest is None:
        return 0.0, "-"
    return biggest.stat().st_size / 1024, biggest.relative_to(site).as_posix()


def preflight(out: Path, wrapper: list[str]) -> None:
    """Build a 20-incident library with the plugin before the long runs, so a
    missing or broken plugin is a message within seconds, not after an hour
    of MkDocs putting thousands of pages into every page's navigation."""
    lib = generate(out / "build-preflight", 20, DEFAULT_TAXONOMY)
    try:
        build_once(lib.config, wrapper)
    except BuildFailed as exc:
        raise BenchError(
            "the postmortems plugin cannot build a site yet, so there is nothing to measure.\n"
            f"{exc}\n(The plugin is plugin/adapters/plugin.py; rerun `python -m bench build` "
            "once it builds.)"
        ) from exc
    site = site_dir(lib.config)
    missing = [p for p in ("incidents.json", "incidents/index.html") if not (site / p).exists()]
    if missing:
        raise BenchError(
            "the build with the postmortems plugin succeeded but wrote no "
            f"{' or '.join(missing)}: the plugin is not generating its pages yet, so there is "
            "nothing to measure."
        )


@dataclass
class ServeResult:
    """The README's preview command: one initial build, then edits."""

    command: str
    initial_build: float
    # Per edit: seconds from saving the file until the incident page, and
    # until its listing page and incidents/index.json too, showed it.
    page_visible: list[float] = field(default_factory=list)
    all_visible: list[float] = field(default_factory=list)
    # What MkDocs logged for each rebuild.
    rebuilds: list[float] = field(default_factory=list)
    # Where an edit never showed up, if anywhere.
    missing: list[str] = field(default_factory=list)
    untouched_intact: bool = True


@dataclass
class BuildResult:
    """One library size, one mix."""

    n: int
    mix: str
    published: int
    floor: list[float]
    plugin: list[float]
    floor_rss_kb: list[int]
    plugin_rss_kb: list[int]
    floor_page_kb: float
    plugin_page_kb: float
    plugin_page: str
    floor_search_bytes: int
    plugin_search_bytes: int
    # Markdown bodies rendered: by the floor, by the plugin at incidents/<id>/,
    # the plugin's generated pages, and postmortems the floor rendered that
    # the plugin did not (restricted or draft ones, in the mixed library).
    floor_bodies: int = 0
    plugin_bodies: int = 0
    generated_pages: int = 0
    not_published: int = 0
    serve: ServeResult | None = None
    floor_cpu: list[float] = field(default_factory=list)
    plugin_cpu: list[float] = field(default_factory=list)
    # Restricted postmortems only the plugin read, and the best time of its
    # output guard on the plugin's site (a part of each plugin build).
    withheld: int = 0
    guard_seconds: float = 0.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _fetch(url: str, timeout: float = 5) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            body: bytes = resp.read()
            return body.decode("utf-8", "replace")
    except (urllib.error.URLError, OSError):
        return None


def _pump(stream: object, lines: queue.Queue[tuple[float, str]]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        lines.put((time.monotonic(), line))


def _wait_for(
    lines: queue.Queue[tuple[float, str]], pattern: re.Pattern[str], deadline: float, log: list[str]
) -> tuple[float, re.Match[str]]:
    """The time and match of the next server log line matching `pattern`."""
    while (left := deadline - time.monotonic()) > 0:
        try:
            stamp, line = lines.get(timeout=min(left, 1.0))
        except queue.Empty:
            continue
        log.append(line)
        m = pattern.search(line)
        if m:
            return stamp, m
    raise BenchError(
        f"mkdocs serve logged no line matching {pattern.pattern!r} in time. "
        f"Last lines:\n{tail(''.join(log))}"
    )


def serve_command() -> list[str]:
    """The arguments of `mkdocs serve` in the Makefile's `serve` recipe: the
    preview measured is the one the README tells authors to run."""
    makefile = REPO / "Makefile"
    text = makefile.read_text(encoding="utf-8") if makefile.is_file() else ""
    m = re.search(r"^serve:.*\n(?:\t.*\n)*?\t.*?mkdocs serve([^\n]*)", text, re.M)
    return ["serve", *(m.group(1).split() if m else [])]


def _edited(original: str, token: str) -> str:
    """The postmortem with `token` added to its title (front matter) and body."""
    head, sep, rest = original.partition("\ntitle: ")
    title, nl, after = rest.partition("\n")
    title = title[:-1] + f' {token}"' if title.startswith('"') else f"{title} {token}"
    return f"{head}{sep}{title}{nl}{after}\nEdited by the benchmark: {token}.\n"


_LIVERELOAD = re.compile(r"livereload\((\d+), \d+\);")


def _page_as_built(url: str) -> str:
    """A served page without the live-reload call MkDocs writes into every
    response (it carries the build's epoch and the request's time)."""
    return _LIVERELOAD.sub("", _fetch(url) or "")


def _epoch(page: str) -> int:
    """The build a served page comes from, as its live-reload call names it."""
    m = _LIVERELOAD.search(page)
    return int(m.group(1)) if m else 0


def _poll(
    base: str, urls: list[str], token: str, deadline: float, epoch: int
) -> tuple[dict[str, float], int]:
    """When each URL first served text with `token` (monotonic seconds), and
    the build that showed it. Found out as an author's browser finds out:
    live reload asks the server for a build newer than `epoch` (MkDocs
    answers once one is served), then the pages are fetched. Fetching the
    pages every few milliseconds instead kept the serving process (the one
    that rebuilds) and a core busy, and timed that as the author's wait."""
    seen: dict[str, float] = {}
    while len(seen) < len(urls) and (left := deadline - time.monotonic()) > 0:
        newer = (_fetch(f"{base}livereload/{epoch}/1", timeout=left) or "").strip()
        if newer.isdigit():
            epoch = max(epoch, int(newer))
        else:  # live reload off or not answering: look again shortly
            time.sleep(0.02)
        for url in urls:
            if url not in seen and token in (_fetch(url) or ""):
                seen[url] = time.monotonic()
    return seen, epoch


def measure_serve(lib: GeneratedLibrary) -> ServeResult:
    """Edit one postmortem's title PREVIEW_EDITS times under the README's
    serve command; time each edit until the served incident page, its page
    of the incidents listing and incidents/index.json show it.

    Live reload stays on: MkDocs 1.6 only watches files when it is, and that
    is how authors run it. The times include the watcher's polling interval
    (0.5 s) and debounce (0.1 s), as an author waits through them, and the
    pages are fetched when live reload says a new build is served, as a
    browser reloads them (see _poll).
    """
    published = [p for p in lib.postmortems if p.published]
    target = published[len(published) // 2]
    bystander = published[len(published) // 2 + 1]
    original = target.path.read_text(encoding="utf-8")
    port = _free_port()
    base = f"http://127.0.0.1:{port}/"
    args = serve_command()
    cmd = [tool("mkdocs"), *args, "-f", lib.config.name, "-a", f"127.0.0.1:{port}"]
    proc = subprocess.Popen(
        cmd,
        cwd=lib.root,
        env=bench_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[tuple[float, str]] = queue.Queue()
    threading.Thread(target=_pump, args=(proc.stderr, lines), daemon=True).start()
    log: list[str] = []
    try:
        deadline = time.monotonic() + SERVE_TIMEOUT
        _, first = _wait_for(lines, _BUILT, deadline, log)
        _wait_for(lines, re.compile(r"Serving on"), deadline, log)
        while _fetch(base) is None:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise BenchError(f"mkdocs serve never answered on {base}:\n{tail(''.join(log))}")
            time.sleep(0.2)
        result = ServeResult("mkdocs " + " ".join(args), float(first.group(1)))
        page_url = f"{base}incidents/{target.id}/"
        other_url = f"{base}incidents/{bystander.id}/"
        other_before = _page_as_built(other_url)
        epoch = _epoch(_fetch(page_url) or "")
        rows = json.loads(_fetch(f"{base}incidents/index.json") or "[]")
        at = next((i for i, r in enumerate(rows) if r.get("id") == target.id), 0)
        listing = f"{base}incidents/" + (f"page/{at // 200 + 1}/" if at >= 200 else "")
        urls = [page_url, listing, f"{base}incidents/index.json"]
        # The polling watcher takes its first snapshot in its own thread; an
        # edit before that snapshot would go unseen.
        time.sleep(1.5)
        for i in range(PREVIEW_EDITS):
            token = f"benchedit{time.time_ns()}"
            edited = time.monotonic()
            target.path.write_text(_edited(original, token), encoding="utf-8")
            seen, epoch = _poll(base, urls, token, edited + 60, epoch)
            missing = [u for u in urls if u not in seen]
            result.missing += missing
            if page_url in seen:
                result.page_visible.append(seen[page_url] - edited)
            if not missing:
                result.all_visible.append(max(seen.values()) - edited)
            with contextlib.suppress(BenchError):
                _, rebuilt = _wait_for(lines, _BUILT, time.monotonic() + 30, log)
                result.rebuilds.append(float(rebuilt.group(1)))
            print(
                f"  edit {i + 1}/{PREVIEW_EDITS}: page "
                f"{seen.get(page_url, edited - 1) - edited:.2f} s, all "
                f"{max(seen.values(), default=edited - 1) - edited:.2f} s",
                flush=True,
            )
            # Let live reload settle, then save at a random point of the
            # watcher's 0.5 s polling cycle, as an author does: a fixed pause
            # put every save at the same point of it, and the median measured
            # that one phase rather than what authors wait.
            time.sleep(1.0 + random.uniform(0.0, 0.5))
        result.untouched_intact = _page_as_built(other_url) == other_before != ""
        return result
    finally:
        target.path.write_text(original, encoding="utf-8")
        _stop(proc)


def _stop(proc: subprocess.Popen[str]) -> None:
    """Ctrl-C first, so `mkdocs serve` removes its temporary site folder."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGINT)
    for stop in (proc.terminate, proc.kill):
        try:
            proc.wait(timeout=15)
            return
        except subprocess.TimeoutExpired:
            stop()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=15)


def count_bodies(lib: GeneratedLibrary) -> tuple[int, int, int, int]:
    """Which generated postmortems each site rendered, read from the built files.

    The floor renders each file at its own address (`2021/INC-.../`), the
    plugin at `incidents/<id>/`. Returns (floor bodies, plugin bodies,
    plugin's generated pages, postmortems only the floor rendered)."""
    floor_site, plugin_site = site_dir(lib.floor_config), site_dir(lib.config)
    floor = plugin = only_floor = 0
    for pm in lib.postmortems:
        rel = pm.path.relative_to(lib.docs_dir).with_suffix("")
        in_floor = (floor_site / rel / "index.html").is_file()
        in_plugin = (plugin_site / "incidents" / pm.id / "index.html").is_file()
        floor += in_floor
        plugin += in_plugin
        only_floor += in_floor and not in_plugin
    pages = sum(1 for _ in plugin_site.rglob("index.html"))
    return floor, plugin, pages - plugin, only_floor


def time_guard(lib: GeneratedLibrary, repeat: int = 3) -> float:
    """The best time of the output guard run alone (its plan, then its read
    of the whole site folder) on the plugin's last site, as `postmortems
    audit` runs it. In the build, the plan is part of `on_files` and most
    pages are read by a low-priority process while MkDocs writes them, so
    this is more than the build spends on the guard."""
    from mkdocs_postmortems.check.library import load_library
    from mkdocs_postmortems.settings import Settings
    from mkdocs_postmortems.web import audit

    site = site_dir(lib.config)
    library = load_library(lib.docs_dir, Settings(taxonomy=str(DEFAULT_TAXONOMY)), lib.root)
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        result = audit.Auditor(audit.plan(library, lib.docs_dir, lib.config)).audit(site, site)
        best = min(best, time.perf_counter() - start)
        if not result.clean:
            raise BenchError(f"{site}: the guard found what the build should have withheld")
    return best


def measure(
    n: int, out: Path, repeat: int, wrapper: list[str], serve: bool, mix: str
) -> BuildResult:
    """Generate n postmortems and time the floor and the plugin build."""
    label = f"N={n} {mix}"
    print(f"{label}: generating ...", flush=True)
    equal = mix == "equal"
    withheld = max(1, n // WITHHELD_SHARE) if equal else 0
    lib = generate(
        out / f"build-{n}-{mix}", n, DEFAULT_TAXONOMY, all_published=equal, withheld=withheld
    )
    configs = {"floor": lib.floor_config, "plugin": lib.config}
    print(f"{label}: one untimed build each ...", flush=True)
    for config in configs.values():
        build_once(config, wrapper)
    times = {k: Samples() for k in configs}
    rss: dict[str, list[int]] = {k: [] for k in configs}
    cpu: dict[str, list[float]] = {k: [] for k in configs}
    for i in range(repeat):
        order = list(configs) if i % 2 == 0 else list(reversed(configs))
        for name in order:
            b = build_once(configs[name], wrapper)
            times[name].values.append(b.seconds)
            rss[name].append(b.max_rss_kb)
            cpu[name].append(b.cpu)
        print(
            f"{label}: repeat {i + 1}/{repeat}: floor {times['floor'].values[-1]:.2f} s, "
            f"plugin {times['plugin'].values[-1]:.2f} s",
            flush=True,
        )
    floor_site, plugin_site = site_dir(lib.floor_config), site_dir(lib.config)
    floor_kb, _ = largest_page(floor_site)
    plugin_kb, plugin_page = largest_page(plugin_site)

    def search_bytes(site: Path) -> int:
        index = site / "search" / "search_index.json"
        return index.stat().st_size if index.exists() else 0

    result = BuildResult(
        n,
        mix,
        lib.published if mix == "mixed" else n,
        times["floor"].values,
        times["plugin"].values,
        rss["floor"],
        rss["plugin"],
        floor_kb,
        plugin_kb,
        plugin_page,
        search_bytes(floor_site),
        search_bytes(plugin_site),
    )
    (result.floor_bodies, result.plugin_bodies, result.generated_pages, result.not_published) = (
        count_bodies(lib)
    )
    result.withheld = len(lib.withheld)
    result.guard_seconds = time_guard(lib)
    if mix == "equal" and result.plugin_bodies != result.floor_bodies:
        raise BenchError(
            f"{label}: the floor rendered {result.floor_bodies} postmortems and the plugin "
            f"{result.plugin_bodies}: not equal work, so no ratio is printed"
        )
    result.floor_cpu, result.plugin_cpu = cpu["floor"], cpu["plugin"]
    if serve:
        print(f"{label}: {' '.join(serve_command())}, edit one postmortem ...", flush=True)
        result.serve = measure_serve(lib)
    return result


def _report_one(r: BuildResult) -> None:
    floor, plugin = Samples(r.floor), Samples(r.plugin)
    ratio = plugin.best / floor.best
    if r.mix == "equal":
        print(
            f"\nN={r.n}, equal work ({len(r.plugin)} timed runs each): the floor rendered "
            f"{r.floor_bodies} postmortem bodies, the plugin the same {r.plugin_bodies} "
            f"(checked page by page) plus {r.generated_pages} generated pages"
        )
        target = f"target <= {TARGET_RATIO}: {verdict(ratio, TARGET_RATIO)}"
    else:
        print(
            f"\nN={r.n}, mixed library ({len(r.plugin)} timed runs each): the floor rendered "
            f"{r.floor_bodies} postmortem bodies, the plugin {r.plugin_bodies} "
            f"({r.not_published} drafts, reviews or restricted left out) plus "
            f"{r.generated_pages} generated pages: NOT equal work, for information"
        )
        target = "(less work than the floor: no target)"
    print(f"  plugin/floor (best)        {ratio:6.3f}   {target}")
    print(
        f"  output guard alone (plan + read of the site, as `postmortems audit`) "
        f"{r.guard_seconds:6.2f} s = {r.guard_seconds / plugin.best:5.1%} of the plugin's best "
        f"build, {r.withheld or r.not_published} withheld postmortems looked for (in the "
        "build, a low-priority process reads most pages while they are written)"
    )
    print(f"  plugin/floor (median)      {plugin.median / floor.median:6.3f}")
    if r.floor_cpu and r.plugin_cpu:
        print(f"  plugin/floor CPU (best)    {min(r.plugin_cpu) / min(r.floor_cpu):6.3f}")
    rss = max(r.plugin_rss_kb) / max(max(r.floor_rss_kb), 1)
    print(
        f"  plugin/floor peak memory   {rss:6.3f}   "
        + (f"target <= {TARGET_RSS}: {verdict(rss, TARGET_RSS)}" if r.mix == "equal" else "")
    )
    print(
        f"  floor   best {floor.best:7.2f} s  median {floor.median:7.2f} s  "
        f"{floor.best / r.n * 1000:6.2f} ms/incident  peak {max(r.floor_rss_kb) / 1024:6.0f} MB"
    )
    print(
        f"  plugin  best {plugin.best:7.2f} s  median {plugin.median:7.2f} s  "
        f"{plugin.best / r.n * 1000:6.2f} ms/incident  "
        f"peak {max(r.plugin_rss_kb) / 1024:6.0f} MB"
    )
    print(
        f"  largest page: plugin {r.plugin_page_kb:.0f} KB ({r.plugin_page})   target none "
        f"over {TARGET_PAGE_KB} KB: {verdict(r.plugin_page_kb, TARGET_PAGE_KB)}; "
        f"floor {r.floor_page_kb:.0f} KB"
    )
    print(
        f"  search_index.json: plugin {r.plugin_search_bytes / max(r.published, 1):,.0f} "
        f"bytes per published incident ({r.plugin_search_bytes / 1e6:.1f} MB); floor "
        f"{r.floor_search_bytes / r.n:,.0f} bytes per file "
        f"({r.floor_search_bytes / 1e6:.1f} MB)"
    )
    if r.serve:
        s = r.serve
        print(f"  preview with `{s.command}` (the README's `make serve`), {PREVIEW_EDITS} edits:")
        if s.page_visible:
            page = statistics.median(s.page_visible)
            print(
                f"    edit visible on the incident page: median {page:.2f} s   target <= "
                f"{TARGET_PREVIEW:.0f} s: {verdict(page, TARGET_PREVIEW)}   (full build in the "
                f"same server {s.initial_build:.2f} s)"
            )
            print(
                f"    fastest {min(s.page_visible):.2f} s, slowest {max(s.page_visible):.2f} s "
                "(saves at random points of MkDocs' 0.5 s watcher cycle)"
            )
        if s.all_visible:
            print(
                f"    and on its listing page and incidents/index.json: median "
                f"{statistics.median(s.all_visible):.2f} s"
            )
        if s.rebuilds:
            print(
                f"    rebuild as MkDocs logs it: median {statistics.median(s.rebuilds):.2f} s "
                f"(ratio to the full build {statistics.median(s.rebuilds) / s.initial_build:.3f})"
            )
        if s.missing:
            print(f"    edit NEVER visible at: {', '.join(sorted(set(s.missing)))}")
        print(f"    an untouched incident page unchanged by the rebuilds: {s.untouched_intact}")


def report(results: list[BuildResult], rss_source: str) -> None:
    """Print ratios first, seconds and sizes for information."""
    heading("build: mkdocs build with the postmortems plugin vs the plain floor")
    print("floor: mkdocs-material, search only, nav = home page; plugin: search + postmortems,")
    print(f"no nav (as the repository's mkdocs.yml). Peak memory from {rss_source}.")
    equal = [r for r in results if r.mix == "equal"]
    for r in equal + [r for r in results if r.mix != "equal"]:
        _report_one(r)
    if len(equal) >= 2:
        small, large = equal[0], equal[-1]
        growth = (min(large.plugin) / large.n) / (min(small.plugin) / small.n)
        floor_growth = (min(large.floor) / large.n) / (min(small.floor) / small.n)
        print(f"\nscaling of time per incident, equal work, N={large.n} vs N={small.n}")
        print(
            f"  plugin per-incident ratio  {growth:6.3f}   target <= {TARGET_GROWTH}: "
            f"{verdict(growth, TARGET_GROWTH)}"
        )
        print(f"  floor per-incident ratio   {floor_growth:6.3f}   info: what MkDocs alone does")


def precompile() -> None:
    """Byte-compile the plugin as pip byte-compiles every package it installs
    (MkDocs, Material and the rest were, at install): an editable install
    run with PYTHONDONTWRITEBYTECODE set would compile the plugin's source
    again in every measured build, a tenth of a second the floor never pays
    and an installed plugin never does."""
    compileall.compile_dir(REPO / "plugin", quiet=1)


def run(sizes: tuple[int, ...], repeat: int, out: Path) -> list[BuildResult]:
    """The whole build benchmark: equal work at every size, then the mixed
    library at the smallest; results are also written as JSON under `out`."""
    gnu_time = _gnu_time()
    if gnu_time:
        wrapper, rss_source = [gnu_time, "-v"], "/usr/bin/time -v"
    else:
        wrapper = [sys.executable, "-c", _RSS_HELPER]
        rss_source = "getrusage(RUSAGE_CHILDREN) of a helper process per build"
    precompile()
    print("build: preflight with 20 postmortems ...", flush=True)
    preflight(out, wrapper)
    smallest = min(sizes)
    results = [measure(n, out, repeat, wrapper, serve=n == smallest, mix="equal") for n in sizes]
    results.append(measure(smallest, out, repeat, wrapper, serve=False, mix="mixed"))
    report(results, rss_source)
    path = out / "build-results.json"
    path.write_text(json.dumps([asdict(r) for r in results], indent=2), encoding="utf-8")
    print(f"\nraw timings: {path}")
    return results
