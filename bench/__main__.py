"""`python -m bench [lint|build|search|all] [--sizes 1000,5000] [--repeat 3]`.

`search` (headless Chromium, not part of `all`) is bench/search.py."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import DEFAULT_OUT, BenchError, build, lint, search


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
        "benchmark", nargs="?", choices=("lint", "build", "search", "all"), default="all"
    )
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=None,
        help="library sizes, comma-separated "
        "(default: lint 1000,5000; build 1000,4000; search 1000)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per command (default 3)")
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"work folder (default {DEFAULT_OUT})"
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the chosen benchmarks; 1 when one of them could not be measured."""
    args = parse_args(argv)
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    chosen = ("lint", "build") if args.benchmark == "all" else (args.benchmark,)
    status = 0
    for name in chosen:
        start = time.perf_counter()
        try:
            if name == "lint":
                lint.run(args.sizes or lint.DEFAULT_SIZES, args.repeat, out)
            elif name == "search":
                search.run(args.sizes or search.DEFAULT_SIZES, args.repeat, out)
            else:
                build.run(args.sizes or build.DEFAULT_SIZES, args.repeat, out)
        except BenchError as exc:
            print(f"\n{name} benchmark could not run: {exc}", file=sys.stderr, flush=True)
            status = 1
            continue
        print(f"({name} benchmark took {time.perf_counter() - start:.0f} s)", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
