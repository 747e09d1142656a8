"""One call computed ahead in a forked child, on the other core, while this process goes on.

An ingest meshes its rooms first; what the context stage will need before it can mesh anything
(the cache keys of a few thousand walls, doors and slabs: a walk over most of the file's
entities) does not depend on the rooms, so a child forked after the file is opened computes it
meanwhile. The child inherits the parsed file as it is (nothing is pickled going in), sends its
result back pickled through a pipe and exits without running any of this process's exit code.

Forking follows the rules of :mod:`twin.geometry.workers`: only a single-threaded process forks
(the API ingests in a worker thread, so there the call runs in-process when asked for). A child
that fails or dies costs nothing but time: :meth:`ForkedCall.get` then makes the call here.
"""

from __future__ import annotations

import logging
import os
import pickle
import signal
import weakref
from collections.abc import Callable
from typing import Generic, TypeVar

from twin.geometry import workers

log = logging.getLogger(__name__)

T = TypeVar("T")


class ForkedCall(Generic[T]):
    """``call()``, started in a forked child now (``fork=True`` and this process may fork) or
    made in this process by :meth:`get`; :meth:`get` gives its result either way."""

    def __init__(self, call: Callable[[], T], *, fork: bool = True):
        self._call = call
        self._child: tuple[int, int] | None = None  # (pid, read end of the pipe)
        if fork and workers.can_fork():
            self._child = _start(call)
            self._reaper = weakref.finalize(self, _reap, *self._child)

    @property
    def is_forked(self) -> bool:
        return self._child is not None

    def get(self) -> T:
        """The call's result: the child's (waiting for it), else made here."""
        if self._child is not None:
            pid, read_end = self._child
            self._child = None
            self._reaper.detach()
            with os.fdopen(read_end, "rb") as pipe:
                data = pipe.read()
            _, status = os.waitpid(pid, 0)
            if status == 0 and data:
                return pickle.loads(data)
            log.warning("the forked call %s failed (wait status %d); making it in this process", self._call, status)
        return self._call()


def _start(call: Callable[[], object]) -> tuple[int, int]:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: compute, send, leave without this process's exit handlers
        status = 1
        try:
            os.close(read_end)
            data = pickle.dumps(call(), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(data)
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    return pid, read_end


def _reap(pid: int, read_end: int) -> None:
    """A result nobody asked for: stop the child and collect it."""
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass
    os.close(read_end)
