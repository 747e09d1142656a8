"""Steps computed ahead in a forked child, on the other core, while this process goes on, and
shared with it: each step is made once, by whichever process claims it first.

An ingest meshes and stores its rooms first; its context stage (the cache keys, meshes and cut
walls of a few thousand walls, doors and slabs) does not depend on the rooms, so a child forked
after the file is opened makes it meanwhile, and first the rooms' keys while this process reads
the spatial structure (see :mod:`twin.ledger.readahead`). The child inherits the parsed file as
it is (nothing is pickled going in), takes the steps in order, sends each result back pickled
through a pipe as soon as it has it (:mod:`twin.geometry.frames`) and exits without running any
of this process's exit code.

Given a recipe (a picklable call that makes the same steps from nothing this process holds),
the child is kept once its steps are sent, and the next steps with a recipe are sent to it
instead of forking again (:class:`_Kept`; :func:`send_ahead` sends them before this process can
make its own, the read-ahead before it opens the file). A fork costs more than the fork: every
page of memory either process writes while both live is copied first, and an ingest writes
thousands (20-35 ms of a 100-300 ms ingest here). A kept child pays that once.

Asked for a step nobody has begun, this process makes the step itself; asked for one the child
is making, it waits for it (it takes no other step meanwhile: which steps this process should
make is its caller's to say, by the order it asks for them in; the read-ahead asks for the
context's parts from the last, the child takes them from the first). A step may report its
progress (:class:`StepProgress`), which reaches this process through the same pipe. A step's
claim is a byte in memory both processes share, set under a lock.

Forking follows the rules of :mod:`twin.geometry.workers`: only a single-threaded process forks
(the API ingests in a worker thread, so there every step is made here when it is asked for). A
child that fails or dies costs nothing but time: what it did not send is then made here.
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
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from twin.geometry import workers
from twin.geometry.frames import PIPE_BYTES, encode_frame, is_readable, read_frame, send_frame
from twin.process_memory import get_resident_mib

log = logging.getLogger(__name__)

_FREE, _CHILD, _HERE = 0, 1, 2  # a step's claim
_PROGRESS = 0xFFFFFFFF  # in place of a step index: the frame is a step's progress, (index, done, total)
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
    of the cores: work ahead of need should not slow the work at hand.

    ``recipe``: a picklable call that makes the same steps and progress (``(steps, progress)``)
    from nothing this process holds (the read-ahead's opens the file again). With one, the child
    is kept for the next :class:`ForkedSteps` with a recipe, which it is sent instead of a fork
    (see :class:`_Kept`). ``sent``: the same recipe, sent before the steps could be made here
    (:func:`send_ahead`: the kept child opens the file while this process does)."""

    def __init__(self, steps: Sequence[Callable[[], Any]], *, fork: bool = True,
                 progress: Mapping[int, StepProgress] | None = None, nice: int = 0,
                 recipe: Callable[[], tuple[list[Callable[[], Any]], dict[int, StepProgress]]] | None = None,
                 sent: SentJob | None = None):
        self._steps = list(steps)
        self._progress = dict(progress or {})
        self._results: dict[int, Any] = {}
        self._child: _Child | None = None
        self._job = 0
        fork = fork and workers.can_fork() and bool(self._steps)
        keepable = len(self._steps) <= KEPT_STEPS_MAX
        if sent is not None and not (fork and keepable and sent.is_current()):
            sent.cancel()  # not worth a child after all (or it has gone): it takes none of the job's steps
            sent = None
        if fork:
            if sent is None and recipe is not None and keepable:
                sent = _Kept.begin(self._steps, self._progress, nice, recipe)
            self._child = sent.kept if sent is not None else _Child(self._steps, self._progress, nice)
            self._job = sent.job if sent is not None else self._child.job
            self._finalizer = weakref.finalize(self, _drop, self._child, len(self._steps), self._results)

    @property
    def is_forked(self) -> bool:
        return self._child is not None

    @property
    def _claims(self) -> memoryview:
        """Each step's claim (``_FREE``, ``_CHILD``, ``_HERE``), as shared with the child."""
        return self._child.claims

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
            if self._child is None or self._child.claim(index):
                self._results[index] = self._steps[index]()
            else:
                self._receive()
        return self._results[index]

    def _receive(self) -> None:
        """Take the next frame the child sends for this job (a result or a progress), waiting for
        it, and leave those of an earlier job; the child's end (it died) ends the child here."""
        frame = read_frame(self._child.results, is_alive=self._child.is_alive)
        if frame is None:
            self._finalizer.detach()
            self._child.stop(failed=True)
            self._child = None
            return
        job, index, result = frame
        if job != self._job:  # a step of a job this process dropped
            return
        if index == _PROGRESS:
            step, done, total = result
            self._progress[step].tell(done, total)
        else:
            self._results[index] = result


class _Child:
    """A forked child taking steps in order, claiming each in memory shared with this process
    (a job number, then one byte per step) and sending results through a pipe; it ends with its
    steps. See :class:`_Kept` for one that stays for more."""

    kept = False

    def __init__(self, steps: list[Callable[[], Any]], progress: dict[int, StepProgress], nice: int, *, steps_max: int | None = None):
        self.owner, self.nice = os.getpid(), nice
        self.shared = mmap.mmap(-1, _JOB.size + (steps_max or len(steps)))  # anonymous and shared with the child
        self.claims = memoryview(self.shared)[_JOB.size:]
        self.lock = multiprocessing.Lock()
        self.job = 1
        _JOB.pack_into(self.shared, 0, self.job)
        self.status: int | None = None  # the child's wait status, once it has ended
        requests = os.pipe() if self.kept else None
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

    def claim(self, index: int) -> bool:
        """Claim step ``index`` for this process; ``False`` if the child has it."""
        with self.holding_lock():
            if self.claims[index] == _CHILD:
                return False
            self.claims[index] = _HERE
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


class _Kept(_Child):
    """A child kept between jobs: forked for a first job (whose steps it inherits), it then
    waits for the next job's recipe and makes that job's steps from it. An ingest's fork cost
    this process 5-10 ms, and then every page of its memory it wrote while the child lived was
    copied first (a few thousand pages, 20-35 ms on ExampleHOM and campus_annex here); a kept
    child was forked once, and its own pages are its own too. It leaves when it has grown by more
    than :data:`KEPT_GROWTH_MAX_MIB` after a job or no job has come for :data:`KEPT_IDLE_SECONDS`,
    and is stopped with a job it was left making."""

    kept = True
    _current: _Kept | None = None  # this process's kept child

    @classmethod
    def begin(cls, steps, progress, nice, recipe) -> SentJob:
        """``recipe`` sent to the kept child as its next job, or a kept child forked with ``steps``."""
        sent = cls.send(recipe, nice)
        if sent is None:
            kept = cls._current = cls(steps, progress, nice, steps_max=KEPT_STEPS_MAX)
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
    """A job sent to the kept child (:func:`send_ahead`), for a :class:`ForkedSteps` to take up."""

    kept: _Kept
    job: int

    def is_current(self) -> bool:
        """Whether the child is still this process's kept child, alive, and this its latest job."""
        return self.kept is _Kept._current and self.kept.job == self.job and self.kept.is_usable()

    def cancel(self) -> None:
        """The child takes no more of this job's steps (it finishes one it is making)."""
        kept = self.kept
        if kept.results is not None and kept.owner == os.getpid():
            with kept.holding_lock():
                if _JOB.unpack_from(kept.shared, 0)[0] == self.job:
                    _JOB.pack_into(kept.shared, 0, 0)


def send_ahead(recipe: Callable[[], tuple[list[Callable[[], Any]], dict[int, StepProgress]]], *, nice: int = 0) -> SentJob | None:
    """Send ``recipe`` (see :class:`ForkedSteps`) to this process's kept child now, if it has
    one alive and may use it (a single-threaded process): it makes the job's steps while this
    process gets ready to make them too. ``None``: no child to send it to."""
    if not workers.can_fork():
        return None
    return _Kept.send(recipe, nice)


def stop_kept_child() -> None:
    """Stop this process's kept child, if it has one (tests that change what a child runs)."""
    kept = _Kept._current
    _Kept._current = None
    if kept is not None and kept.owner == os.getpid() and kept.results is not None:  # alive or not: collected
        kept.stop()


def _take_steps(send, shared: mmap.mmap, lock, job: int, steps: list[Callable[[], Any]], progress: dict[int, StepProgress]) -> None:
    """In a child: claim and make each step of ``job`` nobody has, in order, sending each result."""
    claims = memoryview(shared)[_JOB.size:]
    for index, reporter in progress.items():
        reporter._send = lambda done, total, index=index: send(job, _PROGRESS, (index, done, total))
    for index, step in enumerate(steps):
        with lock:
            if _JOB.unpack_from(shared, 0)[0] != job:  # this process has moved on: the job is dropped
                return
            if claims[index] != _FREE:
                continue
            claims[index] = _CHILD
        send(job, index, step())


def _drop(child: _Child, count: int, results: dict[int, Any]) -> None:
    """Steps dropped: a child still making steps nobody will ask for is stopped (and its kernel
    workers with it); a kept child that sent them all stays for the next job."""
    if child.results is None:  # already stopped
        return
    if not child.kept:
        child.stop()
        return
    if len(results) < count:  # it may be making one: stopped, a new one is forked next time
        if _Kept._current is child:
            _Kept._current = None
        child.stop()
