"""`postmortems lint` against check-jsonschema on the same front matter.

check-jsonschema only checks the schema; our linter also checks taxonomy,
ids, file names, links, sections and publication rules and keeps line
numbers. The issue's target is that doing all of that still costs at most
half of the schema-only tool, and that the cost per file does not grow with
the size of the library.

Both tools run as whole processes (start-up and imports included, as in CI),
alternating which goes first, after one untimed run each that also proves
the comparison fair: our lint must find nothing and check-jsonschema must
report every file valid.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

from . import BenchError, Run, Samples, heading, run_timed, tail, tool, verdict
from .generate import DEFAULT_TAXONOMY, GeneratedLibrary, generate

SCHEMA = Path(__file__).resolve().parent.parent / "schema" / "postmortem.schema.json"
DEFAULT_SIZES = (1000, 5000)
TARGET_RATIO = 0.5
TARGET_GROWTH = 1.1


class _StringDates(yaml.CSafeLoader):
    """Reads timestamps as the text written, as check-jsonschema does, so the
    JSON copies hold ISO strings that our schema's `type: string` accepts."""


_StringDates.add_constructor(
    "tag:yaml.org,2002:timestamp",
    lambda loader, node: loader.construct_scalar(node),  # type: ignore[arg-type]
)


def extract_front_matter(lib: GeneratedLibrary) -> tuple[list[str], list[str]]:
    """Write each postmortem's front matter as `.yaml` (the text verbatim) and
    as `.json` (dates as ISO strings). Returns both path lists, relative to
    the library root so the command lines stay short."""
    yaml_paths: list[str] = []
    json_paths: list[str] = []
    for pm in lib.postmortems:
        rel = pm.path.relative_to(lib.docs_dir).with_suffix("")
        y = Path("frontmatter") / rel.with_suffix(".yaml")
        j = Path("frontmatter-json") / rel.with_suffix(".json")
        for p in (y, j):
            (lib.root / p).parent.mkdir(parents=True, exist_ok=True)
        (lib.root / y).write_text(pm.front_matter, encoding="utf-8")
        data = yaml.load(pm.front_matter, Loader=_StringDates)
        (lib.root / j).write_text(json.dumps(data), encoding="utf-8")
        yaml_paths.append(y.as_posix())
        json_paths.append(j.as_posix())
    return yaml_paths, json_paths


def argv_fits(argv: list[str]) -> tuple[int, int]:
    """Bytes the command line and environment take, and the kernel's limit.
    One invocation with every file is the fair comparison; batching would add
    start-ups that our single process does not pay."""
    used = sum(len(a.encode()) + 1 + 8 for a in argv)
    used += sum(len(k) + len(v) + 2 + 8 for k, v in os.environ.items())
    limit = os.sysconf("SC_ARG_MAX")
    if used >= limit:
        raise BenchError(
            f"check-jsonschema's command line needs {used:,} bytes, over ARG_MAX {limit:,}; "
            "use smaller --sizes"
        )
    return used, limit


TOOLS = ("ours", "yaml", "json")
LABELS = {
    "ours": "ours",
    "yaml": "check-jsonschema yaml",
    "json": "check-jsonschema json",
}
_WARNING = re.compile(r": warning ([\w-]+):")


@dataclass
class LintResult:
    """One library size: wall and CPU seconds of every timed run, by tool."""

    n: int
    wall: dict[str, list[float]]
    cpu: dict[str, list[float]]
    warnings: dict[str, int]
    argv_bytes: int
    arg_max: int


def _check_ours(run: Run, n: int) -> dict[str, int]:
    """Fail unless our lint passed every generated file; its warnings by rule."""
    if run.returncode != 0 or " 0 error(s)" not in run.stderr:
        raise BenchError(
            f"postmortems lint found problems in the {n} generated postmortems (exit "
            f"{run.returncode}); the generator or the linter changed. Output:\n"
            f"{tail(run.stdout + run.stderr)}"
        )
    if f"{n} postmortem file(s) checked" not in run.stderr:
        raise BenchError(f"postmortems lint did not check all {n} files:\n{tail(run.stderr)}")
    return dict(Counter(_WARNING.findall(run.stdout)).most_common())


def _check_theirs(run: Run, what: str) -> None:
    if run.returncode != 0 or "ok -- validation done" not in run.stdout:
        raise BenchError(
            f"check-jsonschema did not report every {what} file valid (exit {run.returncode}), "
            f"so the comparison would not be fair:\n{tail(run.stdout + run.stderr)}"
        )


def measure(n: int, out: Path, repeat: int, taxonomy: Path = DEFAULT_TAXONOMY) -> LintResult:
    """Generate n postmortems and time both linters on them."""
    print(f"N={n}: generating ...", flush=True)
    lib = generate(out / f"lint-{n}", n, taxonomy)
    yaml_paths, json_paths = extract_front_matter(lib)
    schema = ["--schemafile", str(SCHEMA)]
    cmds = {
        "ours": [tool("postmortems"), "lint", "-f", lib.config.name],
        "yaml": [tool("check-jsonschema"), *schema, *yaml_paths],
        "json": [tool("check-jsonschema"), *schema, *json_paths],
    }
    used, limit = argv_fits(cmds["yaml"])
    argv_fits(cmds["json"])

    print(f"N={n}: untimed runs to warm caches and prove every file valid ...", flush=True)
    warnings = _check_ours(run_timed(cmds["ours"], lib.root), n)
    _check_theirs(run_timed(cmds["yaml"], lib.root), "YAML")
    _check_theirs(run_timed(cmds["json"], lib.root), "JSON")

    wall: dict[str, list[float]] = {k: [] for k in TOOLS}
    cpu: dict[str, list[float]] = {k: [] for k in TOOLS}
    for i in range(repeat):
        # Rotating the order spreads slow phases of the machine over all tools.
        names = [*TOOLS[i % len(TOOLS) :], *TOOLS[: i % len(TOOLS)]]
        for name in names:
            run = run_timed(cmds[name], lib.root)
            if run.returncode != 0:
                raise BenchError(
                    f"{LABELS[name]} failed on repeat {i + 1}:\n{tail(run.stdout + run.stderr)}"
                )
            wall[name].append(run.seconds)
            cpu[name].append(run.cpu)
        done = ", ".join(f"{LABELS[k]} {wall[k][-1]:.2f} s" for k in TOOLS)
        print(f"N={n}: repeat {i + 1}/{repeat}: {done}", flush=True)
    return LintResult(n, wall, cpu, warnings, used, limit)


def report(results: list[LintResult], startup: list[float]) -> None:
    """Print ratios first, seconds for information."""
    heading("lint: postmortems lint (every check) vs check-jsonschema (schema only)")
    print("check-jsonschema reads YAML timestamps as strings itself (its ruamel loader maps")
    print("them to str), so the .yaml files validate as written: no --disable-formats needed.")
    print("Ratios use the best of the timed runs; CPU = user + system of the whole process.")
    for r in results:
        ours, yml, jsn = (Samples(r.wall[k]) for k in TOOLS)
        ours_cpu, yml_cpu, jsn_cpu = (Samples(r.cpu[k]) for k in TOOLS)
        ratio = ours.best / yml.best
        warned = ", ".join(f"{k} {v}" for k, v in r.warnings.items()) or "none"
        print(
            f"\nN={r.n} ({len(r.wall['ours'])} timed runs each; check-jsonschema gets all files "
            f"in one command line of {r.argv_bytes / 1024:.0f} KiB, ARG_MAX "
            f"{r.arg_max / 1024:.0f} KiB)"
        )
        print(f"  our lint: 0 errors; warnings by rule: {warned}")
        print(
            f"  ours/theirs wall (best)    {ratio:6.3f}   target <= {TARGET_RATIO}: "
            f"{verdict(ratio, TARGET_RATIO)}"
        )
        print(f"  ours/theirs wall (median)  {ours.median / yml.median:6.3f}")
        print(f"  ours/theirs CPU (best)     {ours_cpu.best / yml_cpu.best:6.3f}")
        print(
            f"  ours/theirs-json (best)    {ours.best / jsn.best:6.3f}   info: against schema "
            "checks of pre-parsed JSON, no YAML parsing"
        )
        for label, wall, cpu in (
            ("ours         ", ours, ours_cpu),
            ("theirs (yaml)", yml, yml_cpu),
            ("theirs (json)", jsn, jsn_cpu),
        ):
            print(
                f"  {label} best {wall.best:7.2f} s  median {wall.median:7.2f} s  "
                f"CPU {cpu.best:7.2f} s  {wall.best / r.n * 1000:6.3f} ms/file"
            )
    fixed = min(startup)
    print(
        f"\nfixed cost of our run (1 postmortem): best {fixed:.3f} s, median "
        f"{Samples(startup).median:.3f} s: start-up, imports, taxonomy and schema"
    )
    if len(results) >= 2:
        small, large = results[0], results[-1]
        growth = (min(large.wall["ours"]) / large.n) / (min(small.wall["ours"]) / small.n)
        growth_cpu = (min(large.cpu["ours"]) / large.n) / (min(small.cpu["ours"]) / small.n)
        net_small = (min(small.wall["ours"]) - fixed) / (small.n - 1)
        net_large = (min(large.wall["ours"]) - fixed) / (large.n - 1)
        print(f"scaling of our per-file time, N={large.n} vs N={small.n}")
        print(
            f"  per-file ratio wall (best) {growth:6.3f}   target <= {TARGET_GROWTH}: "
            f"{verdict(growth, TARGET_GROWTH)}"
        )
        print(f"  per-file ratio CPU (best)  {growth_cpu:6.3f}")
        # Below the noise floor the fixed cost can exceed a small library's run.
        net_ratio = f"{net_large / net_small:6.3f}" if net_small > 0 else "   n/a"
        print(
            f"  net per-file ratio         {net_ratio}   "
            "info: fixed cost taken out; > 1 means work per file grows with the library"
        )
        print(
            f"  net per file               {net_small * 1000:6.3f} ms at N={small.n}, "
            f"{net_large * 1000:.3f} ms at N={large.n}"
        )


def measure_startup(out: Path, repeat: int, taxonomy: Path = DEFAULT_TAXONOMY) -> list[float]:
    """Our lint on a one-postmortem library: the fixed cost of a run (start-up,
    imports, taxonomy, schema). Subtracting it shows whether the work per file
    grows with the library, which the plain per-file time hides."""
    lib = generate(out / "lint-1", 1, taxonomy)
    cmd = [tool("postmortems"), "lint", "-f", lib.config.name]
    _check_ours(run_timed(cmd, lib.root), 1)
    return [run_timed(cmd, lib.root).seconds for _ in range(repeat)]


def run(sizes: tuple[int, ...], repeat: int, out: Path) -> list[LintResult]:
    """The whole lint benchmark; results are also written as JSON under `out`."""
    print("lint: fixed cost of one run (a one-postmortem library) ...", flush=True)
    startup = measure_startup(out, repeat)
    results = [measure(n, out, repeat) for n in sizes]
    report(results, startup)
    path = out / "lint-results.json"
    raw = {"startup": startup, "sizes": [asdict(r) for r in results]}
    path.write_text(json.dumps(raw, indent=2), encoding="utf-8")
    print(f"\nraw timings: {path}")
    return results
