"""Work shared with other processes, on machines with more than one core.

A site build or a lint is single-threaded Python: loading the library,
rendering its page fragments and guarding the output leave the other cores
idle. Threads would not help, since the work is pure Python and holds the
GIL, so it goes to processes, through the standard library's
`ProcessPoolExecutor`.

Always with the `fork` start method, and only where it is safe: each worker
is a copy of this process made when the pool starts, so the library, the
site model and the compiled templates are already in its memory, shared copy
on write, and the work is handed over as an index into what the worker
inherited rather than pickled (`spawn` or `forkserver` would pickle every
closure and load the library again). Where `fork` is not offered (Windows),
not safe (macOS, whose system libraries are not fork-safe) or another thread
runs (it could hold a lock a worker would wait on forever), the work is done
in this process. Results come back pickled.

Nothing depends on a worker: whatever one fails to deliver (it raised,
crashed, was killed) is done here instead, so the output is the same with
one process or several, byte for byte.

`jobs` is the plugin option of that name (and `postmortems lint --jobs`):
None uses what the machine has, for work large enough to gain from it; a
number is that many processes whatever the size (1: this process alone).
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Collection, Hashable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from functools import partial
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Starting a worker costs a few milliseconds and the results a pickle each:
# below this many items one process is as fast, and each further process
# needs about half as many again to pay for itself.
AUTO_FROM = 200

_FORK = (
    multiprocessing.get_context("fork")
    if "fork" in multiprocessing.get_all_start_methods() and sys.platform != "darwin"
    else None
)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every POSIX system
        return os.cpu_count() or 1


def processes(size: int, jobs: int | None = None) -> int:
    """How many processes share `size` items of work (see the module's note)."""
    if size < 1 or _FORK is None or threading.active_count() != 1:
        return 1
    if jobs is not None:
        return jobs
    return max(1, min(_cores(), size * 2 // AUTO_FROM))


def second_process(size: int, jobs: int | None = None) -> bool:
    """Whether `size` items of work are shared with another process."""
    return processes(size, jobs) > 1


# What a worker was handed when it was forked: it runs `_tasks[i]` when told `i`.
_tasks: Sequence[Callable[[], Any]] = ()


def _inherit(tasks: Sequence[Callable[[], Any]]) -> None:  # pragma: no cover - in a worker
    global _tasks
    _tasks = tasks
    # A worker lives for one piece of work: a collection would only walk,
    # and so copy page by page, the heap it shares with this process.
    gc.disable()


def _run(indexes: Sequence[int]) -> list[Any]:  # pragma: no cover - in a worker
    return [_tasks[i]() for i in indexes]


def _pool(tasks: Sequence[Callable[[], Any]], workers: int) -> ProcessPoolExecutor | None:
    """Forked workers that hold `tasks`; None where none may be forked."""
    if _FORK is None:
        return None
    # The workers are forked (with `tasks`, never pickled) at the first
    # submit, before the pool starts its own threads.
    return ProcessPoolExecutor(workers, mp_context=_FORK, initializer=_inherit, initargs=(tasks,))


def _submit(pool: ProcessPoolExecutor, indexes: Sequence[int]) -> Future[list[Any]] | None:
    try:
        return pool.submit(_run, indexes)
    except (OSError, RuntimeError):  # no fork (out of memory, processes), or broken
        return None


def _result(future: Future[list[Any]] | None, size: int) -> list[Any] | None:
    """What a worker delivered for `size` tasks; None where it did not."""
    if future is None:
        return None
    try:
        got = future.result()
    except Exception:  # the task's own error, or the worker died (BrokenProcessPool)
        return None
    return got if isinstance(got, list) and len(got) == size else None


def _end(pool: ProcessPoolExecutor) -> None:
    """Stop the workers, whatever they still do (a job that never ends, work
    nobody will ask for), and the pool's threads, so a later fork is safe."""
    # Killed before the shutdown, which forgets them; the pool's thread then
    # sees them gone, and the shutdown waits for it to end.
    for worker in list((pool._processes or {}).values()):
        with contextlib.suppress(OSError):
            worker.kill()
    pool.shutdown(wait=True, cancel_futures=True)


def split_map(
    items: Sequence[T], work: Callable[[T], R], jobs: int | None = None, size: int | None = None
) -> list[R]:
    """`[work(x) for x in items]`, shared among `processes` (every n-th item
    to each, so that each gets a fair share where costs drift along the
    list). `size` is how much work that is, where items are not the unit of
    it (a few large parts of many texts). `work` must leave no state behind
    that the caller relies on: a worker's is lost."""
    n = min(processes(len(items) if size is None else size, jobs), len(items))
    parts = [items[i::n] for i in range(n)]
    theirs = [partial(_work_on, work, part) for part in parts[1:]]
    pool = _pool(theirs, n - 1) if n > 1 else None
    if pool is None:
        return [work(x) for x in items]
    try:
        futures = [_submit(pool, [i]) for i in range(len(theirs))]
        done = [[work(x) for x in parts[0]]]
        for part, future in zip(parts[1:], futures, strict=True):
            got = _result(future, 1)
            done.append(got[0] if got and len(got[0]) == len(part) else [work(x) for x in part])
    finally:
        _end(pool)
    merged: list[R] = [None] * len(items)  # type: ignore[list-item]
    for i, results in enumerate(done):
        merged[i::n] = results
    return merged


def _work_on(work: Callable[[T], R], part: Sequence[T]) -> list[R]:  # pragma: no cover
    return [work(x) for x in part]


# Ahead's tasks travel in batches, so that the handing over (a pickle and a
# wake-up of the pool's threads each way) is paid per batch, not per page.
# Batches start small so the first pages asked for need not wait for many.
# Each handing over also needs the GIL of this busy process for the pool's
# threads: with batches of 16 (a window of 16) a 1,000-incident build spent
# 8.9 s, with 128 (a window of 8) 6.8 s, measured in one process's events.
_BATCH = 128
# Batches in flight ahead of the reader: the worker runs only this far
# ahead, so memory stays flat however many results there are.
_WINDOW = 8


def _at_lowest_priority(
    task: Callable[[Callable[[], bool]], Any], stop: Callable[[], bool]
) -> Any:  # pragma: no cover - in a worker
    # The scheduler then gives this worker only the time the others leave.
    with contextlib.suppress(OSError, AttributeError):
        os.nice(19)
    return task(stop)


class Ahead:
    """Results computed ahead, by one forked worker, in the order they will
    be asked for; `take` gives each one once.

    With a `background` task, a second worker runs it at the lowest CPU
    priority from the start, so it uses only the time the build and the
    first worker leave idle; it is handed a `stop` function that says when
    its result is wanted (`background_result`), and should return soon after.

    While the reader is behind (the worker has done everything it was
    given), the worker computes the `early` tasks: costly ones that will be
    asked for in a burst, held until their turn. A result asked for out of
    order is reached by reading past the others, which are kept until asked
    for; one the worker never delivers is None, and the caller makes it
    itself.
    """

    def __init__(
        self,
        tasks: Iterable[tuple[Hashable, Callable[[], Any]]],
        early: Collection[Hashable] = (),
        jobs: int | None = None,
        background: Callable[[Callable[[], bool]], Any] | None = None,
    ) -> None:
        tasks = list(tasks)
        self._background: Future[list[Any]] | None = None
        self._stop: Any = None
        self._keys = [key for key, _ in tasks]
        self._waiting: dict[Hashable, Any] = {}
        self._pool: ProcessPoolExecutor | None = None
        # Which batch each task not yet delivered is in: ("in order", n) or ("early", n).
        self._batch_of: dict[Hashable, tuple[str, int]] = {}
        self._batches: dict[str, list[list[int]]] = {"in order": [], "early": []}
        self._futures: dict[tuple[str, int], Future[list[Any]] | None] = {}
        self._next = {"in order": 0, "early": 0}
        if not tasks or not second_process(len(tasks), jobs):
            return
        jobs_of = [job for _, job in tasks]
        if background is not None and _FORK is not None:
            # Made before the workers are forked, so that they share it.
            self._stop = _FORK.Event()
            jobs_of.append(partial(_at_lowest_priority, background, self._stop.is_set))
        self._pool = _pool(jobs_of, 2 if self._stop is not None else 1)
        if self._pool is None:
            return
        if self._stop is not None:
            # First: one worker takes it and keeps it; the other takes the rest.
            self._background = _submit(self._pool, [len(tasks)])
        early = set(early)
        # Early tasks are costly, and given while the worker is idle: one at a
        # time, so that the next tasks in order never wait behind a batch of
        # them (16 parts of the language review held the pages' cards up).
        for kind, grow in (("in order", 2), ("early", 1)):
            indexes = [i for i, key in enumerate(self._keys) if (key in early) == (kind == "early")]
            batches = self._batches[kind]
            size = 1
            while indexes:
                batches.append(indexes[:size])
                indexes = indexes[size:]
                size = min(size * grow, _BATCH)
            for n, batch in enumerate(batches):
                for i in batch:
                    self._batch_of[self._keys[i]] = (kind, n)
        self._top_up()

    @property
    def running(self) -> bool:
        return self._pool is not None

    def take(self, key: Hashable) -> Any:
        if key in self._waiting:
            return self._waiting.pop(key)
        where = self._batch_of.get(key)
        if where is None or self._pool is None:
            return None
        kind, n = where
        # Reading past: batches before this one are collected too.
        self._submit_through(kind, n)
        for m in range(n + 1):
            self._collect((kind, m))
        self._top_up()
        return self._waiting.pop(key, None)

    def share(self, keys: Sequence[Hashable]) -> list[Hashable]:
        """For work wanted now, all at once: the worker keeps what it was
        given of `keys` and is given the first half of the rest; the keys
        it will not do are returned, for the caller to do meanwhile (a
        `take` of each of the others then waits only for the worker's
        share). Where no worker runs, every key is returned."""
        if self._pool is None:
            return list(keys)
        given = [k for k in keys if k in self._waiting or self._batch_of.get(k) in self._futures]
        rest = [k for k in keys if k not in given and k in self._batch_of]
        theirs = rest[: len(rest) // 2]
        for key in theirs:
            kind, n = self._batch_of[key]
            self._submit_through(kind, n)
        taken = set(given) | set(theirs)
        return [k for k in keys if k not in taken]

    def _submit_through(self, kind: str, n: int) -> None:
        assert self._pool is not None
        while self._next[kind] <= n:
            m = self._next[kind]
            self._futures[(kind, m)] = _submit(self._pool, self._batches[kind][m])
            self._next[kind] += 1

    def _collect(self, where: tuple[str, int]) -> None:
        if where not in self._futures:
            return
        batch = self._batches[where[0]][where[1]]
        got = _result(self._futures.pop(where), len(batch))
        for i, index in enumerate(batch):
            key = self._keys[index]
            if self._batch_of.pop(key, None) is not None and got is not None:
                self._waiting[key] = got[i]

    def _top_up(self) -> None:
        """Keep the worker `_WINDOW` batches ahead; where it has done all it
        was given, give it an early batch as well."""
        in_flight = sum(1 for kind, _ in self._futures if kind == "in order")
        last = min(self._next["in order"] + _WINDOW - in_flight, len(self._batches["in order"]))
        self._submit_through("in order", last - 1)
        idle = all(f is None or f.done() for f in self._futures.values())
        if idle and self._next["early"] < len(self._batches["early"]):
            self._submit_through("early", self._next["early"])

    def background_result(self) -> Any:
        """What the background task returned, told to stop now; None where
        there is none or it failed."""
        if self._background is None:
            return None
        self._stop.set()
        got = _result(self._background, 1)
        self._background = None
        return got[0] if got else None

    def close(self) -> None:
        """Stop the worker (if it still runs) and forget what it sent."""
        if self._stop is not None:
            self._stop.set()
        self._background = None
        if self._pool is not None:
            _end(self._pool)
        self._pool = None
        self._waiting.clear()
        self._batch_of.clear()
        self._futures.clear()
