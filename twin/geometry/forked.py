"""Steps computed ahead in a forked child, on the other core, while this process goes on, and
shared with it: each step is made once, by whichever process claims it first.

An ingest meshes and stores its rooms first; its context stage (the cache keys, meshes and cut
walls of a few thousand walls, doors and slabs) does not depend on the rooms, so a child forked
after the file is opened makes it meanwhile, and first the rooms' keys while this process reads
the spatial structure (see :mod:`twin.ledger.readahead`). The
child inherits the parsed file as it is (nothing is pickled going in), takes the steps in order,
sends each result back pickled through a pipe as soon as it has it (its index, its length, the
pickle) and exits without running any of this process's exit code.

Asked for a step nobody has begun, this process makes the step itself; asked for one the
child is making, it waits for it (it takes no other step meanwhile: which steps this process
should make is its caller's to say, by the order it asks for them in; the read-ahead asks for
the context's parts from the last, the child takes them from the first). A step may report its progress
(:class:`StepProgress`), which reaches this process through the same pipe. A step's claim is a
byte in memory both processes share, set under a lock.

Forking follows the rules of :mod:`twin.geometry.workers`: only a single-threaded process forks
(the API ingests in a worker thread, so there every step is made here when it is asked for). A
child that fails or dies costs nothing but time: what it did not send is then made here.
"""

from __future__ import annotations

import fcntl
import logging
import mmap
import multiprocessing
import os
import pickle
import select
import signal
import struct
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from twin.geometry import workers

log = logging.getLogger(__name__)

_FREE, _CHILD, _HERE = 0, 1, 2  # a step's claim
_HEADER = struct.Struct("<IQ")  # step index, pickle length
_PROGRESS = 0xFFFFFFFF  # in place of a step index: the frame is a step's progress, (index, done, total)
_LIVENESS_MS = 100  # while waiting for the child, how often to ask whether it still runs


class StepProgress:
    """How far a step has come, ``(done, total)``, as the step says it (call it): passed on to
    whoever waits for the step in this process (:meth:`ForkedSteps.get`), from a forked child
    through its pipe. Give the step one and :class:`ForkedSteps` the same, by the step's index."""

    def __init__(self):
        self.listener: Callable[[int, int], None] | None = None
        self.latest: tuple[int, int] | None = None
        self._send: Callable[[int, int], None] | None = None  # in a forked child: to the pipe

    def __call__(self, done: int, total: int) -> None:
        if self._send is not None:
            self._send(done, total)
        else:
            self.tell(done, total)

    def tell(self, done: int, total: int) -> None:
        self.latest = (done, total)
        if self.listener is not None:
            self.listener(done, total)


class ForkedSteps:
    """``steps`` (calls), each made once: by a child forked now (``fork=True`` and this process
    may fork), in order, or here (see the module docstring). :meth:`get` gives one step's result.
    ``progress``: step index -> the :class:`StepProgress` that step reports to. ``nice``: added
    to the child's niceness (and so its own children's), so that it takes what this process leaves
    of the cores: work ahead of need should not slow the work at hand."""

    def __init__(self, steps: Sequence[Callable[[], Any]], *, fork: bool = True,
                 progress: Mapping[int, StepProgress] | None = None, nice: int = 0):
        self._steps = list(steps)
        self._progress = dict(progress or {})
        self._results: dict[int, Any] = {}
        self._child: tuple[int, int] | None = None  # (pid, read end of the pipe)
        self._status: int | None = None  # the child's wait status, once it has ended
        self._claims = None
        if fork and workers.can_fork() and self._steps:
            self._claims = mmap.mmap(-1, len(self._steps))  # anonymous and shared with the child
            self._lock = multiprocessing.Lock()
            pid, read_end = _start(self._steps, self._claims, self._lock, self._progress, nice)
            self._child = (pid, read_end)
            self._reaper = weakref.finalize(self, _reap, pid, read_end)

    @property
    def is_forked(self) -> bool:
        return self._child is not None

    def get(self, index: int, *, on_progress: Callable[[int, int], None] | None = None) -> Any:
        """Step ``index``'s result: made here if nobody began it, else the child's, waited for.
        ``on_progress(done, total)`` hears how
        far the step has come, wherever it is made, if it reports (``progress``)."""
        reporter = self._progress.get(index)
        if reporter is not None and on_progress is not None:
            reporter.listener = on_progress
            if reporter.latest is not None:
                on_progress(*reporter.latest)
        while index not in self._results:
            if self._child is None or self._claim(index):
                self._results[index] = self._steps[index]()
            else:
                self._receive()
        return self._results[index]

    def _claim(self, index: int) -> bool:
        """Claim step ``index`` for this process; ``False`` if the child has it."""
        with self._lock:
            if self._claims[index] == _CHILD:
                return False
            self._claims[index] = _HERE
            return True

    def _receive(self) -> bool:
        """Take the next frame the child sends (a result or a progress), waiting for it; the
        child's end (all sent, or it died) ends the child. Always ``True``: something was taken."""
        frame = _read_frame(self._child[1], is_alive=self._is_alive)
        if frame is None:
            self._collect()
            return True
        index, result = frame
        if index == _PROGRESS:
            step, done, total = result
            self._progress[step].tell(done, total)
        else:
            self._results[index] = result
        return True

    def _is_alive(self) -> bool:
        """Whether the child still runs (once it has ended, its wait status is kept for :meth:`_collect`)."""
        if self._status is None:
            pid, status = os.waitpid(self._child[0], os.WNOHANG)
            if pid != 0:
                self._status = status
        return self._status is None

    def _collect(self) -> None:
        pid, pipe = self._child
        self._child = None
        self._reaper.detach()
        os.close(pipe)
        status = self._status if self._status is not None else os.waitpid(pid, 0)[1]
        try:  # a child that failed may leave kernel workers behind
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:  # none left
            pass
        if status != 0:
            log.warning("a forked child failed (wait status %d); the steps it did not send are made here", status)


#: The pipe's capacity asked for (Linux allows up to 1 MiB unprivileged): a child's results wait
#: there, without stopping it, while this process is busy with a step of its own.
PIPE_BYTES = 1 << 20


def _start(steps: list[Callable[[], Any]], claims: mmap.mmap, lock, progress: dict[int, StepProgress], nice: int) -> tuple[int, int]:
    read_end, write_end = os.pipe()
    try:
        fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except (AttributeError, OSError):  # not Linux, or above the system's limit: the default (64 KiB)
        pass
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the child: claim, compute, send each result, leave without this process's exit handlers
        status = 1
        try:
            workers.die_with_parent(parent)  # killed with it: no orphan meshing on (its workers do the same)
            os.setpgid(0, 0)  # a group of its own, its kernel workers with it: stopped together (_reap)
            os.close(read_end)
            if nice:
                os.nice(nice)
            with os.fdopen(write_end, "wb") as pipe:

                def send(index: int, result: Any) -> None:
                    data = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
                    pipe.write(_HEADER.pack(index, len(data)))
                    pipe.write(data)
                    pipe.flush()

                for index, reporter in progress.items():
                    reporter._send = lambda done, total, index=index: send(_PROGRESS, (index, done, total))
                for index, step in enumerate(steps):
                    with lock:
                        if claims[index] != _FREE:
                            continue
                        claims[index] = _CHILD
                    send(index, step())
            status = 0
        finally:
            os._exit(status)
    try:
        os.setpgid(pid, pid)  # as the child does: whichever runs first, the group exists before _reap may need it
    except (PermissionError, ProcessLookupError):  # the child has already set it, or run and gone
        pass
    os.close(write_end)
    return pid, read_end


def _read_exactly(fd: int, size: int, *, is_alive: Callable[[], bool]) -> bytes:
    """Up to ``size`` bytes, fewer if the pipe ends or the child is gone with nothing more sent.
    (A child's own children hold the pipe open after it, as forked kernel workers do: its end
    alone would not end the pipe.)"""
    parts, left = [], size
    poll = select.poll()  # not select(): a long-lived process may hold descriptors above its limit
    poll.register(fd, select.POLLIN)
    while left:
        if not poll.poll(_LIVENESS_MS):  # nothing yet
            if is_alive() or poll.poll(0):
                continue
            break  # the child is gone, and nothing more came
        part = os.read(fd, min(left, 1 << 20))
        if not part:
            break
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def _read_frame(fd: int, *, is_alive: Callable[[], bool]) -> tuple[int, Any] | None:
    """The next ``(step index, result)`` a child sent, or ``None`` when the pipe ends, the child
    is gone or a frame is cut short."""
    header = _read_exactly(fd, _HEADER.size, is_alive=is_alive)
    if len(header) != _HEADER.size:
        return None
    index, size = _HEADER.unpack(header)
    data = _read_exactly(fd, size, is_alive=is_alive)
    return (index, pickle.loads(data)) if len(data) == size else None


def _reap(pid: int, pipe: int) -> None:
    """Results nobody asked for: stop the child and whatever it started (kernel workers, which
    would otherwise wait forever to send their results to it), and collect it."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
    os.close(pipe)
