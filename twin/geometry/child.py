"""The forked children of :mod:`twin.geometry.forked`: a :class:`Child` takes a list of steps
in order, claiming each in memory shared with the process that forked it (a job number, then
one byte per step, set under a lock), and sends each result back pickled through a pipe
(:mod:`twin.geometry.frames`) as soon as it has it; a :class:`KeptChild` stays for the next
job, sent to it as a recipe (:func:`send_ahead`). A child leaves without running any of its
process's exit code, and dies with that process.

Forking follows the rules of :mod:`twin.geometry.workers`: only a single-threaded process forks.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import logging
import mmap
import multiprocessing
import os
import signal
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from twin.geometry import workers
from twin.geometry.frames import PIPE_BYTES, encode_frame, is_readable, read_frame, send_frame
from twin.process_memory import get_resident_mib

log = logging.getLogger(__name__)

FREE, CHILD, HERE = 0, 1, 2  # a step's claim
PROGRESS = 0xFFFFFFFF  # in place of a step index: the frame is a step's progress, (index, done, total)
_LOCK_WAIT_S = 0.5  # waiting for the shared lock, how often to ask whether the child still runs
_JOB = struct.Struct("<Q")  # the job a kept child may claim steps for, at the start of the shared memory

#: Steps one job of a kept child can have (the read-ahead has at most six).
KEPT_STEPS_MAX = 64
#: A kept child that has grown by more than this since it was forked leaves after a job
#: (ifcopenshell keeps about 3 MB of every MB of file it parsed, see twin.ledger.jobs); the next
#: job forks a new one. Growth, not size: a child's resident memory starts with the pages it
#: shares with the process that forked it, a large one in a long-lived service (or test run).
KEPT_GROWTH_MAX_MIB = 512
#: A kept child no job has come to for this long leaves, giving its memory (a parsed file's
#: worth, and what ifcopenshell kept of it) back to the machine: a service is idle most of the
#: day. The next job forks a new one, paying the fork again.
KEPT_IDLE_SECONDS = 300.0


class StepProgress:
    """How far a step has come, ``(done, total)``, as the step says it (call it): passed on to
    whoever waits for the step in this process (:meth:`~twin.geometry.forked.ForkedSteps.get`),
    from a forked child through its pipe. Give the step one and
    :class:`~twin.geometry.forked.ForkedSteps` the same, by the step's index."""

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


class Child:
    """A forked child taking steps in order, claiming each in memory shared with this process
    (a job number, then one byte per step) and sending results through a pipe; it ends with its
    steps. See :class:`KeptChild` for one that stays for more. ``requests``: a pipe whose read end
    the child keeps (its write end stays here), for a kept child's next jobs."""

    def __init__(self, steps: list[Callable[[], Any]], progress: dict[int, StepProgress], nice: int, *,
                 steps_max: int | None = None, requests: tuple[int, int] | None = None):
        self.owner, self.nice = os.getpid(), nice
        self.shared = mmap.mmap(-1, _JOB.size + (steps_max or len(steps)))  # anonymous and shared with the child
        self.claims = memoryview(self.shared)[_JOB.size:]
        self.lock = multiprocessing.Lock()
        self.job = 1
        _JOB.pack_into(self.shared, 0, self.job)
        self.status: int | None = None  # the child's wait status, once it has ended
        read_end, write_end = os.pipe()
        for fd in (write_end, *(requests or ())[1:]):
            try:
                fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
            except (AttributeError, OSError):  # not Linux, or above the system's limit: the default (64 KiB)
                pass
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the child: claim, compute, send each result, leave without this process's exit handlers
            status = 1
            try:
                workers.die_with_parent(parent)  # killed with it: no orphan meshing on (its workers do the same)
                os.setpgid(0, 0)  # a group of its own, its kernel workers with it: stopped together (stop)
                os.close(read_end)
                if nice:
                    os.nice(nice)
                with os.fdopen(write_end, "wb") as pipe:
                    send = functools.partial(send_frame, pipe)
                    self._serve(send, steps, progress, requests)
                status = 0
            finally:
                os._exit(status)
        try:
            os.setpgid(pid, pid)  # as the child does: whichever runs first, the group exists before stop may need it
        except (PermissionError, ProcessLookupError):  # the child has already set it, or run and gone
            pass
        os.close(write_end)
        self.pid, self.results = pid, read_end
        self.requests = None
        if requests is not None:
            os.close(requests[0])
            os.set_blocking(requests[1], False)  # a job is never waited on to be sent: see _send_job
            self.requests = requests[1]

    def _serve(self, send, steps, progress, requests) -> None:
        """In the child: the steps, then (kept) the jobs sent after."""
        _take_steps(send, self.shared, self.lock, self.job, steps, progress)

    def drop(self, *, all_sent: bool) -> None:
        """Its steps are nobody's now (whether it has sent them ``all_sent``): stopped, and its
        kernel workers with it (:meth:`stop`), if it runs."""
        if self.results is not None:
            self.stop()

    def claim(self, index: int) -> bool:
        """Claim step ``index`` for this process; ``False`` if the child has it."""
        with self.holding_lock():
            if self.claims[index] == CHILD:
                return False
            self.claims[index] = HERE
            return True

    @contextlib.contextmanager
    def holding_lock(self) -> Iterator[None]:
        """Hold the lock shared with the child (``with self.lock``), unless the child died holding
        it (killed from outside just then: it is never freed); nothing else writes what it guards then."""
        while not self.lock.acquire(timeout=_LOCK_WAIT_S):
            if not self.is_alive():
                yield
                return
        try:
            yield
        finally:
            self.lock.release()

    def is_alive(self) -> bool:
        """Whether the child still runs (once it has ended, its wait status is kept for :meth:`stop`)."""
        if self.status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid != 0:
                self.status = status
        return self.status is None

    def stop(self, *, failed: bool = False) -> None:
        """Stop the child and whatever it started (kernel workers, which would otherwise wait
        forever to send their results to it), and collect it."""
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except ProcessLookupError:  # gone, its group with it
            pass
        if self.status is None:
            try:
                self.status = os.waitpid(self.pid, 0)[1]
            except ChildProcessError:
                self.status = 0
        for fd in (self.results, self.requests):
            if fd is not None:
                os.close(fd)
        self.results = self.requests = None
        if failed and self.status != 0:
            log.warning("a forked child failed (wait status %d); the steps it did not send are made here", self.status)


class KeptChild(Child):
    """A child kept between jobs: forked for a first job (whose steps it inherits), it then
    waits for the next job's recipe and makes that job's steps from it. An ingest's fork cost
    this process 5-10 ms, and then every page of its memory it wrote while the child lived was
    copied first (a few thousand pages, 20-35 ms on ExampleHOM and campus_annex here); a kept
    child was forked once, and its own pages are its own too. It leaves when it has grown by more
    than :data:`KEPT_GROWTH_MAX_MIB` after a job or no job has come for :data:`KEPT_IDLE_SECONDS`,
    and is stopped with a job it was left making."""

    _current: KeptChild | None = None  # this process's kept child

    def __init__(self, steps: list[Callable[[], Any]], progress: dict[int, StepProgress], nice: int):
        super().__init__(steps, progress, nice, steps_max=KEPT_STEPS_MAX, requests=os.pipe())

    @classmethod
    def begin(cls, steps, progress, nice, recipe) -> SentJob:
        """``recipe`` sent to the kept child as its next job, or a kept child forked with ``steps``."""
        sent = cls.send(recipe, nice)
        if sent is None:
            kept = cls._current = cls(steps, progress, nice)
            sent = SentJob(kept, kept.job)
        return sent

    @classmethod
    def send(cls, recipe, nice: int) -> SentJob | None:
        """``recipe`` sent as the next job of this process's kept child, if it has one alive."""
        kept = cls._current
        if kept is not None and not (kept.is_usable() and kept.nice == nice):
            if kept.owner == os.getpid():
                kept.stop()
            kept = cls._current = None
        if kept is None:
            return None
        try:
            return SentJob(kept, kept._send_job(recipe))
        except OSError:  # it left meanwhile
            kept.stop()
            cls._current = None
            return None

    def is_usable(self) -> bool:
        """Whether this process forked the child (not a process forked since) and it runs."""
        return self.owner == os.getpid() and self.results is not None and self.is_alive()

    def drop(self, *, all_sent: bool) -> None:
        """Stopped if it may be making one of the steps (a new one is forked next time); having
        sent them all, it stays for the next job."""
        if self.results is None or all_sent:
            return
        if KeptChild._current is self:
            KeptChild._current = None
        self.stop()

    def _send_job(self, recipe) -> int:
        """Send the next job; ``OSError`` if the child cannot take it now. The pipe is never
        waited on: the child, busy, could be waiting for this process to read its results."""
        with self.holding_lock():
            self.job += 1
            _JOB.pack_into(self.shared, 0, self.job)
            self.claims[:] = bytes(len(self.claims))
        frame = encode_frame(self.job, 0, recipe)
        try:
            written = os.write(self.requests, frame)
        except BlockingIOError:
            written = 0
        if written != len(frame):  # part of a frame in the pipe: this child can take no more jobs
            raise OSError(f"the kept child's pipe took {written} of {len(frame)} bytes")
        return self.job

    def _serve(self, send, steps, progress, requests) -> None:
        os.close(requests[1])
        incoming = requests[0]  # unbuffered: what is not read yet is in the pipe, where is_readable sees it
        job, forked_with = self.job, get_resident_mib()
        while True:
            _take_steps(send, self.shared, self.lock, job, steps, progress)
            del steps, progress  # what the job read is freed before the next is read
            if get_resident_mib() - forked_with > KEPT_GROWTH_MAX_MIB:
                return
            if not is_readable(incoming, timeout=KEPT_IDLE_SECONDS):  # idle (a job sent as it leaves is made there)
                return
            frame = read_frame(incoming, is_alive=lambda: True)  # the pipe ends when this process goes
            if frame is None:  # this process has gone
                return
            job, _, recipe = frame
            steps, progress = [], {}
            if _JOB.unpack_from(self.shared, 0)[0] != job:  # this process has moved on: not worth opening the file
                continue
            try:
                steps, progress = recipe()
            except Exception as error:  # e.g. the file is not one to ingest: this process will say why
                log.debug("a kept child cannot make job %d's steps: %s", job, error)


@dataclass(frozen=True)
class SentJob:
    """A job sent to the kept child (:func:`send_ahead`), for a :class:`~twin.geometry.forked.ForkedSteps` to take up."""

    kept: KeptChild
    job: int

    def is_current(self) -> bool:
        """Whether the child is still this process's kept child, alive, and this its latest job."""
        return self.kept is KeptChild._current and self.kept.job == self.job and self.kept.is_usable()

    def cancel(self) -> None:
        """The child takes no more of this job's steps (it finishes one it is making)."""
        kept = self.kept
        if kept.results is not None and kept.owner == os.getpid():
            with kept.holding_lock():
                if _JOB.unpack_from(kept.shared, 0)[0] == self.job:
                    _JOB.pack_into(kept.shared, 0, 0)


def send_ahead(recipe: Callable[[], tuple[list[Callable[[], Any]], dict[int, StepProgress]]], *, nice: int = 0) -> SentJob | None:
    """Send ``recipe`` (see :class:`~twin.geometry.forked.ForkedSteps`) to this process's kept
    child now, if it has one alive and may use it (a single-threaded process): it makes the
    job's steps while this process gets ready to make them too. ``None``: no child to send it to."""
    if not workers.can_fork():
        return None
    return KeptChild.send(recipe, nice)


def stop_kept_child() -> None:
    """Stop this process's kept child, if it has one (tests that change what a child runs)."""
    kept = KeptChild._current
    KeptChild._current = None
    if kept is not None and kept.owner == os.getpid() and kept.results is not None:  # alive or not: collected
        kept.stop()


def _take_steps(send, shared: mmap.mmap, lock, job: int, steps: list[Callable[[], Any]], progress: dict[int, StepProgress]) -> None:
    """In a child: claim and make each step of ``job`` nobody has, in order, sending each result."""
    claims = memoryview(shared)[_JOB.size:]
    for index, reporter in progress.items():
        reporter._send = lambda done, total, index=index: send(job, PROGRESS, (index, done, total))
    for index, step in enumerate(steps):
        with lock:
            if _JOB.unpack_from(shared, 0)[0] != job:  # this process has moved on: the job is dropped
                return
            if claims[index] != FREE:
                continue
            claims[index] = CHILD
        send(job, index, step())
