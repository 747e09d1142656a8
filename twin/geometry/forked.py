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
instead of forking again (:class:`~twin.geometry.child.KeptChild`; :func:`~twin.geometry.child.send_ahead`
sends them before this process can make its own, the read-ahead before it opens the file). A fork costs more than the fork: every
page of memory either process writes while both live is copied first, and an ingest writes
thousands (20-35 ms of a 100-300 ms ingest here). A kept child pays that once.

Asked for a step nobody has begun, this process makes the step itself; asked for one the child
is making, it waits for it (it takes no other step meanwhile: which steps this process should
make is its caller's to say, by the order it asks for them in; the read-ahead asks for the
context's parts from the last, the child takes them from the first). A step may report its
progress (:class:`StepProgress`), which reaches this process through the same pipe. A step's
claim is a byte in memory both processes share, set under a lock (the children and their
claims: :mod:`twin.geometry.child`).

Forking follows the rules of :mod:`twin.geometry.workers`: only a single-threaded process forks
(the API ingests in a worker thread, so there every step is made here when it is asked for). A
child that fails or dies costs nothing but time: what it did not send is then made here.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from twin.geometry import workers
from twin.geometry.child import KEPT_STEPS_MAX, PROGRESS, Child, KeptChild, SentJob, StepProgress
from twin.geometry.frames import read_frame


class ForkedSteps:
    """``steps`` (calls), each made once: by a child forked now (``fork=True`` and this process
    may fork), in order, or here (see the module docstring). :meth:`get` gives one step's result.
    ``progress``: step index -> the :class:`StepProgress` that step reports to. ``nice``: added
    to the child's niceness (and so its own children's), so that it takes what this process leaves
    of the cores: work ahead of need should not slow the work at hand.

    ``recipe``: a picklable call that makes the same steps and progress (``(steps, progress)``)
    from nothing this process holds (the read-ahead's opens the file again). With one, the child
    is kept for the next :class:`ForkedSteps` with a recipe, which it is sent instead of a fork
    (see :class:`KeptChild`). ``sent``: the same recipe, sent before the steps could be made here
    (:func:`send_ahead`: the kept child opens the file while this process does)."""

    def __init__(self, steps: Sequence[Callable[[], Any]], *, fork: bool = True,
                 progress: Mapping[int, StepProgress] | None = None, nice: int = 0,
                 recipe: Callable[[], tuple[list[Callable[[], Any]], dict[int, StepProgress]]] | None = None,
                 sent: SentJob | None = None):
        self._steps = list(steps)
        self._progress = dict(progress or {})
        self._results: dict[int, Any] = {}
        self._child: Child | None = None
        self._job = 0
        fork = fork and workers.can_fork() and bool(self._steps)
        keepable = len(self._steps) <= KEPT_STEPS_MAX
        if sent is not None and not (fork and keepable and sent.is_current()):
            sent.cancel()  # not worth a child after all (or it has gone): it takes none of the job's steps
            sent = None
        if fork:
            if sent is None and recipe is not None and keepable:
                sent = KeptChild.begin(self._steps, self._progress, nice, recipe)
            self._child = sent.kept if sent is not None else Child(self._steps, self._progress, nice)
            self._job = sent.job if sent is not None else self._child.job
            self._finalizer = weakref.finalize(self, _drop, self._child, len(self._steps), self._results)

    @property
    def is_forked(self) -> bool:
        return self._child is not None

    @property
    def _claims(self) -> memoryview:
        """Each step's claim (``FREE``, ``CHILD``, ``HERE``), as shared with the child."""
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
        if index == PROGRESS:
            step, done, total = result
            self._progress[step].tell(done, total)
        else:
            self._results[index] = result


def _drop(child: Child, count: int, results: dict[int, Any]) -> None:
    """Steps dropped: a child still making steps nobody will ask for is stopped (and its kernel
    workers with it); a kept child that sent them all stays for the next job."""
    child.drop(all_sent=len(results) >= count)
