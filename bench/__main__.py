"""`python -m bench [lint|build|search|finder|all] [--sizes 1000,5000] [--repeat 3]`.

`all` runs lint and build; search and finder drive a headless browser and
run only when asked for by name.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from . import DEFAULT_OUT, REPO, BenchError, build, lint

Runner = Callable[[tuple[int, ...], int, Path], object]


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(sorted({int(s) for s in text.split(",") if s.strip()}))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of numbers: {text}") from exc
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("sizes must be positive numbers")
    return sizes


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line; see the module docstring."""
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmarks that print ratios against baselines measured in the same run.",
    )
    parser.add_argument(
        "benchmark", nargs="?", choices=("lint", "build", "search", "finder", "all"), default="all"
    )
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=None,
        help="library sizes, comma-separated (default: lint 1000,5000; build 1000,4000 "
        "(10000 is a size it runs too); search 1000; finder 10000)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per command (default 3)")
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"work folder (default {DEFAULT_OUT})"
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def _runners() -> dict[str, tuple[Runner, tuple[int, ...]]]:
    runners: dict[str, tuple[Runner, tuple[int, ...]]] = {
        "lint": (lint.run, lint.DEFAULT_SIZES),
        "build": (build.run, build.DEFAULT_SIZES),
    }
    try:
        # Imported on demand: they need Playwright, which lint and build do not.
        from . import finder, search
    except ImportError:
        return runners
    runners["search"] = (search.run, search.DEFAULT_SIZES)
    runners["finder"] = (finder.run, finder.DEFAULT_SIZES)
    return runners


def code_under_test() -> str:
    """The commit and how many files of the core differ from it."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "plugin", "schema"],
            cwd=REPO,
            capture_output=True,
            text=True,
        ).stdout.splitlines()
    except OSError:
        return "unknown (no git)"
    return f"commit {head or '?'}, {len(dirty)} uncommitted change(s) in plugin/ and schema/"


def fingerprint() -> tuple[tuple[str, int, int], ...]:
    """Size and mtime of every file of the core: other people edit it while
    benchmarks run, and a run that spans an edit mixes two versions. The
    bytecode Python writes beside the sources as the benchmarked builds
    import them is not an edit (it tripped this warning on every run)."""
    files = sorted(
        p
        for d in ("plugin", "schema")
        for p in (REPO / d).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    )
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)


def main(argv: list[str] | None = None) -> int:
    """Run the chosen benchmarks; 1 when one of them could not be measured."""
    args = parse_args(argv)
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    runners = _runners()
    chosen = ("lint", "build") if args.benchmark == "all" else (args.benchmark,)
    print(f"code under test: {code_under_test()}; Python {sys.version.split()[0]}", flush=True)
    status = 0
    for name in chosen:
        if name not in runners:
            print(f"\n{name} benchmark is not available (missing dependency)", file=sys.stderr)
            status = 1
            continue
        run, default_sizes = runners[name]
        start = time.perf_counter()
        before = fingerprint()
        try:
            run(args.sizes or default_sizes, args.repeat, out)
        except BenchError as exc:
            print(f"\n{name} benchmark could not run: {exc}", file=sys.stderr, flush=True)
            status = 1
            continue
        if fingerprint() != before:
            print(
                f"WARNING: plugin/ or schema/ changed while the {name} benchmark ran, so its "
                "numbers mix two versions of the code; run it again.",
                flush=True,
            )
        print(f"({name} benchmark took {time.perf_counter() - start:.0f} s)", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
