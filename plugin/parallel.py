"""Work shared with one forked process, on machines with a second core.

A site build or a lint is single-threaded Python: loading the library and
rendering the library's page fragments leave a second core idle. Here part
of that work runs in a child forked from this process, which has everything
the work needs already in memory; its results come back pickled through a
pipe. Nothing depends on the child: whatever it fails to deliver (it
crashed, was killed, sent garbage) is done here instead, so the output is
the same with one process or two, byte for byte.

`POSTMORTEMS_JOBS=1` keeps everything in one process. Unset (or `auto`),
a second process is used for large enough work on a machine with two or
more cores. Any other number forces it whatever the size (tests use this).
A fork is only made where it is safe: POSIX, not macOS (whose system
libraries are not fork-safe), and no other thread running (a thread could
hold a lock the child would wait on forever).
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import select
import signal
import struct
import sys
import threading
from collections.abc import Callable, Collection, Hashable, Iterable, Iterator, Sequence
from functools import partial
from typing import IO, Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

JOBS_ENV = "POSTMORTEMS_JOBS"

# A fork costs a few milliseconds and the results a pickle each way:
# below this many items one process is as fast.
AUTO_FROM = 200

_PIPE_SIZE = 1 << 20


def second_process(size: int) -> bool:
    """Whether `size` items of work should be shared with a forked process."""
    setting = os.environ.get(JOBS_ENV, "").strip().lower()
    if setting == "1" or not hasattr(os, "fork") or sys.platform == "darwin":
        return False
    if threading.active_count() != 1:
        return False
    if setting.isdigit() and int(setting) > 1:
        return True
    if size < AUTO_FROM:
        return False
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on every POSIX system
        cores = os.cpu_count() or 1
    return cores > 1


def _fork(produce: Callable[[int], None]) -> tuple[int, IO[bytes]] | None:
    """Run `produce` in a child, given the file descriptor of a pipe to
    write to; this side reads it."""
    read_end, write_end = os.pipe()
    # A larger pipe lets the child run further ahead of the reader, so one
    # long job of the child's does not leave the reader waiting. Linux only,
    # and only up to the system's limit (1 MiB by default): best effort.
    with contextlib.suppress(ImportError, AttributeError, OSError):
        import fcntl

        fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, _PIPE_SIZE)
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:  # pragma: no cover - the child's coverage is not collected
        code = 1
        try:
            os.close(read_end)
            # The child lives for one task: a collection would only walk,
            # and so copy page by page, the heap it shares with the parent.
            gc.disable()
            produce(write_end)
            code = 0
        finally:
            # Never return into the parent's code, run its exit handlers or
            # flush its buffered output a second time.
            os._exit(code)
    os.close(write_end)
    # Read as much as the pipe holds at once: a system call per record cost
    # more than unpickling it.
    return pid, os.fdopen(read_end, "rb", buffering=_PIPE_SIZE)


# Each object crosses the pipe as its pickle's length, then the pickle:
# `pickle.load` straight from a buffered pipe took 5 to 20 times as long as
# reading the bytes and unpickling them.
_LENGTH = struct.Struct("<Q")


def _framed(obj: object) -> bytes:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    return _LENGTH.pack(len(data)) + data


def _unframed(pipe: IO[bytes]) -> Any:
    """The next object from the pipe; None at its end, or if what comes is
    not a whole pickle (the child died writing it)."""
    head = pipe.read(_LENGTH.size)
    if len(head) != _LENGTH.size:
        return None
    (size,) = _LENGTH.unpack(head)
    data = pipe.read(size)
    if len(data) != size:
        return None
    try:
        return pickle.loads(data)
    except Exception:
        return None


def _reap(pid: int, pipe: IO[bytes]) -> None:
    """End the child: nothing more is read from it, so whatever it is still
    doing (writing into a full pipe, a job that never ends) is cut short."""
    pipe.close()
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def split_map(items: Sequence[T], work: Callable[[T], R]) -> list[R]:
    """`[work(x) for x in items]`, every other item done by a forked process
    where `second_process` allows (alternate items, so that both get a fair
    share where costs drift along the list). `work` must leave no state
    behind that the caller relies on: the child's is lost."""
    if len(items) < 2 or not second_process(len(items)):
        return [work(x) for x in items]
    theirs = items[1::2]

    def produce(fd: int) -> None:
        with os.fdopen(fd, "wb") as out:
            out.write(_framed([work(x) for x in theirs]))

    forked = _fork(produce)
    if forked is None:
        return [work(x) for x in items]
    pid, pipe = forked
    try:
        mine = [work(x) for x in items[::2]]
        done: list[R] | None
        done = _unframed(pipe)
    finally:
        _reap(pid, pipe)
    if not isinstance(done, list) or len(done) != len(theirs):
        done = [work(x) for x in theirs]
    merged: list[R] = [None] * len(items)  # type: ignore[list-item]
    merged[::2], merged[1::2] = mine, done
    return merged


class Ahead:
    """Results computed ahead, in a forked process, and sent in the order
    they will be asked for; `take` gives each one once.

    The pipe holds a few results at a time, so the child runs only a little
    ahead of the reader and memory stays flat however many there are. While
    the pipe is full, the child computes the `early` jobs (costly ones that
    will be asked for in a burst), holding each until its turn. A result
    asked for out of order is reached by reading past the others, which are
    kept until asked for; one the child never delivers is None, and the
    caller makes it itself.
    """

    def __init__(
        self,
        jobs: Iterable[tuple[Hashable, Callable[[], Any]]],
        early: Collection[Hashable] = (),
    ) -> None:
        self._waiting: dict[Hashable, Any] = {}
        self._pid: int | None = None
        self._pipe: IO[bytes] | None = None
        jobs = list(jobs)
        # What the child will send: anything else is not waited for.
        self._coming = {key for key, _ in jobs}
        if not jobs or not second_process(len(jobs)):
            self._coming.clear()
            return
        forked = _fork(partial(_send_in_order, jobs, early))
        if forked is not None:
            self._pid, self._pipe = forked

    @property
    def running(self) -> bool:
        return self._pipe is not None

    def take(self, key: Hashable) -> Any:
        if key in self._waiting:
            return self._waiting.pop(key)
        if key not in self._coming:
            return None
        for got, value in self._read():
            self._coming.discard(got)
            if got == key:
                return value
            self._waiting[got] = value
        return None

    def _read(self) -> Iterator[tuple[Hashable, Any]]:
        while self._pipe is not None:
            record = _unframed(self._pipe)
            if not (isinstance(record, tuple) and len(record) == 2):
                self._stop()
                return
            yield record

    def _stop(self) -> None:
        if self._pid is not None and self._pipe is not None:
            _reap(self._pid, self._pipe)
        self._pid = self._pipe = None

    def close(self) -> None:
        """Stop the child (if it still runs) and forget what it sent."""
        self._stop()
        self._waiting.clear()
        self._coming.clear()


def _send_in_order(
    jobs: list[tuple[Hashable, Callable[[], Any]]], early: Collection[Hashable], fd: int
) -> None:
    """The child of `Ahead`: each job's (key, result) pickled into `fd` in
    the jobs' order; early jobs done while the reader is behind."""
    os.set_blocking(fd, False)
    ahead = iter([(key, job) for key, job in jobs if key in early])
    done: dict[Hashable, Any] = {}
    sent: set[Hashable] = set()
    try:
        for key, job in jobs:
            value = done.pop(key) if key in done else job()
            sent.add(key)
            record = memoryview(_framed((key, value)))
            while record:
                try:
                    record = record[os.write(fd, record) :]
                    continue
                except BlockingIOError:
                    pass
                # The pipe is full: the reader is busy, so work ahead.
                nxt = next(ahead, None)
                if nxt is None:
                    select.select([], [fd], [])
                elif nxt[0] not in sent:
                    done[nxt[0]] = nxt[1]()
    finally:
        os.close(fd)
