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


@dataclass
class LintResult:
    """One library size, every tool's timings."""

    n: int
    ours: list[float]
    theirs_yaml: list[float]
    theirs_json: list[float]
    argv_bytes: int
    arg_max: int


def _check_ours(run: Run, n: int) -> None:
    if run.returncode != 0 or " 0 error(s)" not in run.stderr:
        raise BenchError(
            f"postmortems lint found problems in the {n} generated postmortems (exit "
            f"{run.returncode}); the generator or the linter changed. Output:\n"
            f"{tail(run.stdout + run.stderr)}"
        )
    if f"{n} postmortem file(s) checked" not in run.stderr:
        raise BenchError(f"postmortems lint did not check all {n} files:\n{tail(run.stderr)}")


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
    ours = [tool("postmortems"), "lint", "-f", lib.config.name]
    schema = ["--schemafile", str(SCHEMA)]
    theirs_yaml = [tool("check-jsonschema"), *schema, *yaml_paths]
    theirs_json = [tool("check-jsonschema"), *schema, *json_paths]
    used, limit = argv_fits(theirs_yaml)
    argv_fits(theirs_json)

    print(f"N={n}: untimed runs to warm caches and prove every file valid ...", flush=True)
    _check_ours(run_timed(ours, lib.root), n)
    _check_theirs(run_timed(theirs_yaml, lib.root), "YAML")
    _check_theirs(run_timed(theirs_json, lib.root), "JSON")

    cmds = {"ours": ours, "yaml": theirs_yaml, "json": theirs_json}
    samples = {k: Samples() for k in cmds}
    for i in range(repeat):
        # Rotating the order spreads slow phases of the machine over all tools.
        names = list(cmds)
        names = names[i % len(names) :] + names[: i % len(names)]
        for name in names:
            run = run_timed(cmds[name], lib.root)
            if run.returncode != 0:
                raise BenchError(
                    f"{name} failed on repeat {i + 1}:\n{tail(run.stdout + run.stderr)}"
                )
            samples[name].values.append(run.seconds)
        print(
            f"N={n}: repeat {i + 1}/{repeat}: ours {samples['ours'].values[-1]:.2f} s, "
            f"check-jsonschema yaml {samples['yaml'].values[-1]:.2f} s, "
            f"json {samples['json'].values[-1]:.2f} s",
            flush=True,
        )
    return LintResult(
        n, samples["ours"].values, samples["yaml"].values, samples["json"].values, used, limit
    )


def report(results: list[LintResult], startup: list[float]) -> None:
    """Print ratios first, seconds for information."""
    heading("lint: postmortems lint (every check) vs check-jsonschema (schema only)")
    print("check-jsonschema reads YAML timestamps as strings itself (its ruamel loader maps")
    print("them to str), so the .yaml files validate as written: no --disable-formats needed.")
    for r in results:
        ours, yml, jsn = Samples(r.ours), Samples(r.theirs_yaml), Samples(r.theirs_json)
        ratio_best = ours.best / yml.best
        ratio_median = ours.median / yml.median
        print(
            f"\nN={r.n} ({len(r.ours)} timed runs each; one command line of "
            f"{r.argv_bytes / 1024:.0f} KiB, ARG_MAX {r.arg_max / 1024:.0f} KiB)"
        )
        print(
            f"  ours/theirs (best)         {ratio_best:6.3f}   target <= {TARGET_RATIO}: "
            f"{verdict(ratio_best, TARGET_RATIO)}"
        )
        print(f"  ours/theirs (median)       {ratio_median:6.3f}")
        print(
            f"  ours/theirs-json (best)    {ours.best / jsn.best:6.3f}   info: against "
            "schema checks on pre-parsed JSON, no YAML parsing"
        )
        print(
            f"  ours          best {ours.best:7.2f} s  median {ours.median:7.2f} s  "
            f"{ours.best / r.n * 1000:6.3f} ms/file"
        )
        print(
            f"  theirs (yaml) best {yml.best:7.2f} s  median {yml.median:7.2f} s  "
            f"{yml.best / r.n * 1000:6.3f} ms/file"
        )
        print(
            f"  theirs (json) best {jsn.best:7.2f} s  median {jsn.median:7.2f} s  "
            f"{jsn.best / r.n * 1000:6.3f} ms/file"
        )
    fixed = min(startup)
    print(
        f"\nfixed cost of our run (1 postmortem): best {fixed:.3f} s, median "
        f"{Samples(startup).median:.3f} s: start-up, imports, taxonomy and schema"
    )
    if len(results) >= 2:
        small, large = results[0], results[-1]
        per_small = min(small.ours) / small.n
        per_large = min(large.ours) / large.n
        growth = per_large / per_small
        net_small = (min(small.ours) - fixed) / (small.n - 1)
        net_large = (min(large.ours) - fixed) / (large.n - 1)
        print(f"scaling of our per-file time, N={large.n} vs N={small.n}")
        print(
            f"  per-file ratio (best)      {growth:6.3f}   target <= {TARGET_GROWTH}: "
            f"{verdict(growth, TARGET_GROWTH)}"
        )
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
