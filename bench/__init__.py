"""Benchmarks for mkdocs-postmortems: `python -m bench [lint|build|all]`.

Machines running this are noisy (laptops, shared CI), so every benchmark
measures its own baseline in the same run, interleaved with the thing being
measured, and reports ratios first; absolute seconds are printed for
information only. This module holds the helpers the benchmarks share.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEFAULT_OUT = Path(__file__).resolve().parent / "out"


class BenchError(Exception):
    """A benchmark cannot produce a fair number (broken input, failing tool).
    `python -m bench` prints the message and exits 1 instead of a traceback."""


@dataclass
class Samples:
    """Repeated timings of one command, in seconds."""

    values: list[float] = field(default_factory=list)

    @property
    def best(self) -> float:
        """The fastest run: the least disturbed by other load on the machine."""
        return min(self.values)

    @property
    def median(self) -> float:
        """The typical run."""
        return statistics.median(self.values)


@dataclass(frozen=True)
class Run:
    """One finished subprocess."""

    seconds: float
    # User + system CPU of the process and everything it waited for: less
    # disturbed than wall time when other jobs share the cores.
    cpu: float
    returncode: int
    stdout: str
    stderr: str


def tool(name: str) -> str:
    """A console script of the venv running the benchmark (its `bin/`)."""
    path = BIN / name
    if not path.exists():
        raise BenchError(
            f"{name} is not installed in {BIN}; run `make` or `pip install -e '.[bench]'`"
        )
    return str(path)


def bench_env() -> dict[str, str]:
    """The environment for every measured process."""
    env = dict(os.environ)
    env["NO_MKDOCS_2_WARNING"] = "1"
    # A stray PYTHONPROFILEIMPORTTIME or similar would distort timings.
    for name in ("PYTHONPROFILEIMPORTTIME", "PYTHONTRACEMALLOC", "PYTHONDEVMODE"):
        env.pop(name, None)
    return env


def run_timed(cmd: Sequence[str], cwd: Path, timeout: float = 3600) -> Run:
    """Run a command to completion and time it as a whole process."""
    before = _children_cpu()
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            list(cmd), cwd=cwd, env=bench_env(), capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"`{' '.join(cmd[:3])} ...` did not finish in {timeout:.0f} s") from exc
    seconds = time.perf_counter() - start
    return Run(seconds, _children_cpu() - before, proc.returncode, proc.stdout, proc.stderr)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def tail(text: str, lines: int = 15) -> str:
    """The last lines of a tool's output, indented for a report."""
    return "\n".join("    " + line for line in text.strip().splitlines()[-lines:])


def verdict(value: float, target: float) -> str:
    """'met' or 'MISSED' for a lower-is-better target; information only."""
    return "met" if value <= target else "MISSED"


def heading(title: str) -> None:
    """A section title in the printed report."""
    print(f"\n== {title} ==", flush=True)
