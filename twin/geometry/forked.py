"""Calls computed ahead in a forked child, on the other core, while this process goes on.

An ingest meshes its rooms first; what the context stage will need before it can mesh anything
(the cache keys of a few thousand walls, doors and slabs: a walk over most of the file's
entities) does not depend on the rooms, so a child forked after the file is opened computes it
meanwhile, and so (first) do the rooms' keys while this process reads the spatial structure and
the rooms' properties. The child inherits the parsed file as it is (nothing is pickled going
in), sends each result back pickled through a pipe as soon as it has it (a length, then the
pickle) and exits without running any of this process's exit code.

Forking follows the rules of :mod:`twin.geometry.workers`: only a single-threaded process forks
(the API ingests in a worker thread, so there the call runs in-process when asked for). A child
that fails or dies costs nothing but time: what it did not send is then made here.
"""

from __future__ import annotations

import logging
import os
import pickle
import signal
import struct
import weakref
from collections.abc import Callable, Sequence
from typing import Any, BinaryIO

from twin.geometry import workers

log = logging.getLogger(__name__)


class ForkedSteps:
    """``steps`` (calls), made one after another in a forked child started now (``fork=True``
    and this process may fork), or here as they are asked for. :meth:`get` gives one step's
    result, waiting only for the steps up to it: the child sends each as it is done.

    A child that fails or dies part-way costs nothing but time: the steps it did not deliver
    are made here, in order, when they are asked for."""

    def __init__(self, steps: Sequence[Callable[[], Any]], *, fork: bool = True):
        self._steps = list(steps)
        self._results: list[Any] = []
        self._child: tuple[int, BinaryIO] | None = None  # (pid, read end of the pipe)
        if fork and workers.can_fork():
            pid, read_end = _start(self._steps)
            self._child = (pid, os.fdopen(read_end, "rb"))
            self._reaper = weakref.finalize(self, _reap, pid, self._child[1])

    @property
    def is_forked(self) -> bool:
        return self._child is not None

    def get(self, index: int) -> Any:
        """Step ``index``'s result (the child's, waiting for it; else made here)."""
        while len(self._results) <= index and self._child is not None:
            result = _read_frame(self._child[1])
            if result is _MISSING:
                self._collect()
            else:
                self._results.append(result)
                if len(self._results) == len(self._steps):
                    self._collect()
        while len(self._results) <= index:
            self._results.append(self._steps[len(self._results)]())
        return self._results[index]

    def _collect(self) -> None:
        pid, pipe = self._child
        self._child = None
        self._reaper.detach()
        pipe.close()
        _, status = os.waitpid(pid, 0)
        if len(self._results) < len(self._steps):
            log.warning("a forked child failed after %d of %d steps (wait status %d); making the rest here",
                        len(self._results), len(self._steps), status)


_MISSING = object()
_HEADER = struct.Struct("<Q")


def _start(steps: list[Callable[[], Any]]) -> tuple[int, int]:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: compute, send each result, leave without this process's exit handlers
        status = 1
        try:
            os.close(read_end)
            with os.fdopen(write_end, "wb") as pipe:
                for step in steps:
                    data = pickle.dumps(step(), protocol=pickle.HIGHEST_PROTOCOL)
                    pipe.write(_HEADER.pack(len(data)))
                    pipe.write(data)
                    pipe.flush()
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    return pid, read_end


def _read_frame(pipe: BinaryIO) -> Any:
    """The next result a child sent, or ``_MISSING`` when the pipe ends or a frame is cut short."""
    header = pipe.read(_HEADER.size)
    if len(header) != _HEADER.size:
        return _MISSING
    (size,) = _HEADER.unpack(header)
    data = pipe.read(size)
    return pickle.loads(data) if len(data) == size else _MISSING


def _reap(pid: int, pipe: BinaryIO) -> None:
    """Results nobody asked for: stop the child and collect it."""
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass
    pipe.close()
