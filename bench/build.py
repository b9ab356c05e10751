"""`mkdocs build` with the postmortems plugin against a plain build.

The floor is mkdocs-material building the same Markdown files with only the
home page in `nav` and no postmortems plugin: the least a site of this size
can cost. The plugin's build of the same folder is measured against it, in
the same run, alternating which goes first. Each build is a fresh process
(wrapped in `/usr/bin/time -v`, or in a helper process where that is
missing) so its peak memory is its own.

Then `mkdocs serve` at the smallest size: the time from editing one
postmortem to the rebuilt site, against a full build.
"""

from __future__ import annotations

import contextlib
import json
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import BenchError, Run, Samples, bench_env, heading, run_timed, tail, tool, verdict
from .generate import DEFAULT_TAXONOMY, GeneratedLibrary, generate

DEFAULT_SIZES = (1000, 4000)
TARGET_RATIO = 1.3
TARGET_GROWTH = 1.15
TARGET_PAGE_KB = 500
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
            f"{exc}\n(The plugin is plugin/plugin.py; rerun `python -m bench build` once it "
            "builds.)"
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
    """`mkdocs serve`: one initial build, then one rebuild after an edit."""

    initial_build: float
    rebuild: float
    edit_to_reload: float
    # Where the edit showed up ("" if nowhere), and the spec's address for it.
    seen_at: str
    url: str


@dataclass
class BuildResult:
    """One library size."""

    n: int
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
    serve: ServeResult | None = None
    floor_cpu: list[float] = field(default_factory=list)
    plugin_cpu: list[float] = field(default_factory=list)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
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


def measure_serve(lib: GeneratedLibrary) -> ServeResult:
    """Time a `mkdocs serve` rebuild after appending a line to one postmortem.

    Live reload stays on: MkDocs 1.6 only watches files when it is, and that
    is how authors run it. The edit-to-reload time includes the watcher's
    polling interval (0.5 s) and debounce (0.1 s); the rebuild time is the
    one MkDocs logs for the build itself.
    """
    target = next(p for p in reversed(lib.postmortems) if p.published)
    original = target.path.read_bytes()
    port = _free_port()
    base = f"http://127.0.0.1:{port}/"
    cmd = [tool("mkdocs"), "serve", "-f", lib.config.name, "-a", f"127.0.0.1:{port}"]
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
        # The polling watcher takes its first snapshot in its own thread; an
        # edit before that snapshot would go unseen.
        time.sleep(1.5)
        token = f"bench-edit-{time.time_ns()}"
        edited = time.monotonic()
        with target.path.open("a", encoding="utf-8") as fh:
            fh.write(f"\nEdited by the benchmark: {token}.\n")
        deadline = time.monotonic() + SERVE_TIMEOUT
        _, rebuilt = _wait_for(lines, _BUILT, deadline, log)
        reloaded, _ = _wait_for(lines, re.compile(r"Reloading browsers"), deadline, log)
        # The spec's stable address first; MkDocs' own address from the file
        # path tells "rebuilt, but not at incidents/<id>/" from "not rebuilt".
        src = target.path.relative_to(lib.docs_dir).with_suffix("").as_posix()
        urls = [f"{base}incidents/{target.id}/", f"{base}{src}/"]
        seen_at = ""
        for _ in range(25):
            seen_at = next((u for u in urls if token in (_fetch(u) or "")), "")
            if seen_at:
                break
            time.sleep(0.2)
        return ServeResult(
            float(first.group(1)), float(rebuilt.group(1)), reloaded - edited, seen_at, urls[0]
        )
    finally:
        target.path.write_bytes(original)
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


def measure(n: int, out: Path, repeat: int, wrapper: list[str], serve: bool) -> BuildResult:
    """Generate n postmortems and time the floor and the plugin build."""
    print(f"N={n}: generating ...", flush=True)
    lib = generate(out / f"build-{n}", n, DEFAULT_TAXONOMY)
    configs = {"floor": lib.floor_config, "plugin": lib.config}
    print(f"N={n}: one untimed build each ...", flush=True)
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
            f"N={n}: repeat {i + 1}/{repeat}: floor {times['floor'].values[-1]:.2f} s, "
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
        lib.published,
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
    result.floor_cpu, result.plugin_cpu = cpu["floor"], cpu["plugin"]
    if serve:
        print(f"N={n}: mkdocs serve, edit one postmortem, wait for the rebuild ...", flush=True)
        result.serve = measure_serve(lib)
    return result


def report(results: list[BuildResult], rss_source: str) -> None:
    """Print ratios first, seconds and sizes for information."""
    heading("build: mkdocs build with the postmortems plugin vs the plain floor")
    print("floor: mkdocs-material, search only, nav = home page; plugin: search + postmortems,")
    print(f"no nav (as the repository's mkdocs.yml). Peak memory from {rss_source}.")
    for r in results:
        floor, plugin = Samples(r.floor), Samples(r.plugin)
        ratio = plugin.best / floor.best
        print(
            f"\nN={r.n} ({r.published} published: final and not restricted; "
            f"{len(r.plugin)} timed runs each)"
        )
        target = (
            f"target <= {TARGET_RATIO}: {verdict(ratio, TARGET_RATIO)}"
            if r.n == 1000
            else f"(target <= {TARGET_RATIO} applies at N=1000)"
        )
        print(f"  plugin/floor (best)        {ratio:6.3f}   {target}")
        print(f"  plugin/floor (median)      {plugin.median / floor.median:6.3f}")
        if r.floor_cpu and r.plugin_cpu:
            print(f"  plugin/floor CPU (best)    {min(r.plugin_cpu) / min(r.floor_cpu):6.3f}")
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
            print(
                f"  serve rebuild after editing one postmortem: {s.rebuild:.2f} s vs "
                f"{s.initial_build:.2f} s for the full build in the same server: ratio "
                f"{s.rebuild / s.initial_build:.3f}"
            )
            print(
                f"    vs the best separate `mkdocs build`: ratio {s.rebuild / plugin.best:.3f}; "
                f"edit-to-reload {s.edit_to_reload:.2f} s (includes the 0.5 s polling watcher)"
            )
            where = "yes" if s.seen_at == s.url else f"NO, only at {s.seen_at or 'no address'}"
            print(f"    edit visible at {s.url}: {where}")
    if len(results) >= 2:
        small, large = results[0], results[-1]
        growth = (min(large.plugin) / large.n) / (min(small.plugin) / small.n)
        floor_growth = (min(large.floor) / large.n) / (min(small.floor) / small.n)
        print(f"\nscaling of time per incident, N={large.n} vs N={small.n}")
        print(
            f"  plugin per-incident ratio  {growth:6.3f}   target <= {TARGET_GROWTH}: "
            f"{verdict(growth, TARGET_GROWTH)}"
        )
        print(f"  floor per-incident ratio   {floor_growth:6.3f}   info: what MkDocs alone does")


def run(sizes: tuple[int, ...], repeat: int, out: Path) -> list[BuildResult]:
    """The whole build benchmark; results are also written as JSON under `out`."""
    gnu_time = _gnu_time()
    if gnu_time:
        wrapper, rss_source = [gnu_time, "-v"], "/usr/bin/time -v"
    else:
        wrapper = [sys.executable, "-c", _RSS_HELPER]
        rss_source = "getrusage(RUSAGE_CHILDREN) of a helper process per build"
    print("build: preflight with 20 postmortems ...", flush=True)
    preflight(out, wrapper)
    serve_at = 1000 if 1000 in sizes else min(sizes)
    results = [measure(n, out, repeat, wrapper, serve=n == serve_at) for n in sizes]
    report(results, rss_source)
    path = out / "build-results.json"
    path.write_text(json.dumps([asdict(r) for r in results], indent=2), encoding="utf-8")
    print(f"\nraw timings: {path}")
    return results
