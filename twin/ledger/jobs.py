"""Background ingest jobs: a job row records an uploaded model's ingest and its outcome.

An :class:`IngestRunner` runs the jobs one after another in a process of their own, started
(spawned, not forked: the service has threads) once and kept: an ingest in a thread of the
service could use only one core, as a process with threads must not fork its kernel workers
and read-ahead child (:func:`twin.geometry.workers.can_fork`). The job process has no thread
but its own, so it ingests exactly as ``twin ingest`` does; and if a kernel crashes it, the
service stays up, the job that was running is failed, and the jobs queued behind it run in a new
process. A process rarely gives memory back: after a large model the job process keeps most of
its peak (about 0.4 GB after a 33 MB file, its Python objects all freed), and ifcopenshell 0.9
does not free all of a parsed file (``ifcopenshell.open`` then ``del``: about 3 MB kept per MB
of file, every time, measured; IfcOpenShell issue 7185), so one that keeps more than its limit
after a job is replaced by a fresh one, spawned at once. Its read-ahead child is kept between
jobs too (:mod:`twin.geometry.child`), and leaves on its own once it has grown by
:data:`~twin.geometry.child.KEPT_GROWTH_MAX_MIB` or no job has come to it for
:data:`~twin.geometry.child.KEPT_IDLE_SECONDS`.

Live progress (stage, done, total) is sent back over a pipe and kept in memory while the job
runs, because the ingest's own transaction may hold the database's write lock (SQLite) while it
reports progress; the row gets the final stage with the outcome.
"""

from __future__ import annotations

import functools
import importlib
import logging
import multiprocessing
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from twin.errors import TwinError
from twin.ledger.db import open_ledger, transaction
from twin.ledger.ingest import ingest_file
from twin.ledger.models import Job, utcnow
from twin.process_memory import get_resident_mib

log = logging.getLogger(__name__)

#: Progress is sent at most this often (seconds), and at every change of stage and at the end.
PROGRESS_INTERVAL = 0.1
#: How often (seconds) an idle progress listener looks for a report, or for its end.
LISTEN_INTERVAL = 0.1


def create_job(engine: Engine, *, kind: str, filename: str, created_by: str | None) -> int:
    with transaction(engine) as session:
        job = Job(kind=kind, filename=filename, created_by=created_by)
        session.add(job)
        session.flush()
        return job.id


def _update(engine: Engine, job_id: int, **values) -> None:
    with transaction(engine) as session:
        job = session.get(Job, job_id)
        for key, value in values.items():
            setattr(job, key, value)


#: job id -> (stage, done, total) of the jobs an :class:`IngestRunner` of this process runs now
_LIVE: dict[int, tuple[str, int, int]] = {}

Progress = Callable[[int, str, int, int], None]


def _keep_live(job_id: int, stage: str, done: int, total: int) -> None:
    _LIVE[job_id] = (stage, done, total)


def run_ingest_job(engine: Engine, job_id: int, path: Path, *, assets_dir: Path, actor: str | None,
                   on_progress: Progress) -> None:
    """Ingest ``path`` for job ``job_id``; the outcome in the job row, progress to
    ``on_progress(job_id, stage, done, total)``."""
    _update(engine, job_id, status="running", stage="read")
    last_total = 0

    def progress(stage: str, done: int, total: int) -> None:
        nonlocal last_total
        last_total = total
        on_progress(job_id, stage, done, total)

    try:
        report = ingest_file(path, engine=engine, assets_dir=assets_dir, actor=actor, progress=progress)
    except TwinError as error:
        outcome = dict(status="failed", error=str(error))
    except Exception as error:  # a bug: keep the job honest, log the trace
        log.exception("ingest job %d failed", job_id)
        outcome = dict(status="failed", error=f"internal error: {error}")
    else:
        total = last_total or 1  # a finished job is all done, as a progress bar shows it (a skipped file reports no stage)
        outcome = dict(status="done", stage="done", done=total, total=total, result=report.to_dict())
    finally:
        path.unlink(missing_ok=True)  # before the job says it ended: whoever sees it ended finds its upload gone
    _update(engine, job_id, finished_at=utcnow(), **outcome)


def get_job(engine: Engine, job_id: int) -> dict | None:
    with transaction(engine) as session:
        job = session.scalar(select(Job).where(Job.id == job_id))
        if job is None:
            return None
        if job.status != "running":
            _LIVE.pop(job.id, None)  # a finished job's last progress message may arrive after its end
        stage, done, total = _LIVE.get(job.id) or (job.stage, job.done, job.total)
        return {
            "id": job.id, "kind": job.kind, "status": job.status, "stage": stage, "done": done, "total": total,
            "filename": job.filename, "result": job.result, "error": job.error, "created_by": job.created_by,
            "created_at": job.created_at.isoformat(), "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        }


class IngestRunner:
    """Ingest jobs, one after another, in a process of their own (see the module docstring),
    into the ledger at ``database_url`` with assets under ``assets_dir``. The process is
    spawned on first use (:meth:`start` spawns it ahead) and kept for the next jobs."""

    def __init__(self, *, database_url: str, assets_dir: Path, memory_limit_mib: float = 1024):
        self._database_url, self._assets_dir = database_url, Path(assets_dir)
        self._memory_limit_mib = memory_limit_mib
        self._closed = False  # shut down: no process is spawned any more
        self._context = multiprocessing.get_context("spawn")
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._listeners: dict[ProcessPoolExecutor, _ProgressListener] = {}  # each job process's own

    def start(self) -> None:
        """Spawn the job process now, to import the ingest and open the ledger before the first upload."""
        self.call(_warm_up, self._database_url)

    def call(self, function: Callable[..., Any], *args: Any) -> Future:
        """Run ``function(*args)`` (picklable) in the job process, after the jobs before it."""
        return self._call(function, *args)[0]

    def _call(self, function: Callable[..., Any], *args: Any) -> tuple[Future, ProcessPoolExecutor]:
        """:meth:`call`, and the pool whose process runs it."""
        pool = self._get_pool()
        try:
            future = pool.submit(function, *args)
        except BrokenProcessPool:  # its process died a moment ago, before its last future said so
            self._forget(pool)
            pool = self._get_pool()
            future = pool.submit(function, *args)
        future.add_done_callback(functools.partial(self._forget_if_broken, pool))
        return future, pool

    def submit(self, engine: Engine, job_id: int, path: Path, *, actor: str | None, again: bool = False) -> Future:
        """Ingest ``path`` for job ``job_id`` (see :func:`run_ingest_job`). ``engine``: this
        process's, to fail the job if its process dies. ``again``: a second submission (there is no third)."""
        future, pool = self._call(_run_job, self._database_url, job_id, str(path), str(self._assets_dir), actor)
        future.add_done_callback(functools.partial(self._after_job, engine, job_id, path, actor, again, pool))
        return future

    def shutdown(self) -> None:
        """Wait for the jobs begun (also in a process being replaced), then stop the job processes
        and their progress listeners."""
        with self._lock:
            self._closed = True
            self._pool = None
            running = list(self._listeners.items())
        for pool, listener in running:
            pool.shutdown(wait=True)
            listener.stop()

    def _get_pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                listener = _ProgressListener(self._context)
                self._pool = ProcessPoolExecutor(1, mp_context=self._context, initializer=_set_progress, initargs=(listener.queue,))
                self._listeners[self._pool] = listener
            return self._pool

    def _forget_if_broken(self, pool: ProcessPoolExecutor, future: Future) -> None:
        """A job process that died breaks its pool: the next call gets a new one."""
        if not future.cancelled() and isinstance(future.exception(), BrokenProcessPool):
            self._forget(pool)

    def _forget(self, pool: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is pool:
                self._pool = None
        pool.shutdown(wait=False)  # called back from the pool's own thread, which must not wait for itself
        threading.Thread(target=self._retire, args=(pool,), name="ingest-retire", daemon=True).start()

    def _retire(self, pool: ProcessPoolExecutor) -> None:
        """Once a forgotten pool's process has ended (its queued jobs done, or it died), stop its listener."""
        pool.shutdown(wait=True)
        with self._lock:
            listener = self._listeners.pop(pool, None)
        if listener is not None:
            listener.stop()

    def _after_job(self, engine: Engine, job_id: int, path: Path, actor: str | None, again: bool, pool: ProcessPoolExecutor,
                   future: Future) -> None:
        """A job ended. If its process keeps more memory than the limit, a fresh one replaces it.
        If its process ended first (a kernel crashed it, or it was killed), the job that was
        running failed; one still queued behind it is submitted again, once."""
        _LIVE.pop(job_id, None)
        error = None if future.cancelled() else future.exception()
        if error is None:
            if (kept_mib := future.result()) > self._memory_limit_mib:
                log.info("the ingest process keeps %.0f MiB after job %d (limit %.0f): replacing it", kept_mib, job_id,
                         self._memory_limit_mib)
                self._forget(pool)  # it finishes the jobs queued in it, then ends
                if not self._closed:
                    self.start()
            return
        with transaction(engine) as session:
            began = session.get(Job, job_id).status != "queued"
        if not began and not again:
            self.submit(engine, job_id, path, actor=actor, again=True)
            return
        log.error("ingest job %d: its process ended: %r", job_id, error)
        path.unlink(missing_ok=True)  # before the job says it failed, as run_ingest_job does
        _update(engine, job_id, status="failed", finished_at=utcnow(),
                error=f"the ingest process ended unexpectedly ({type(error).__name__}); upload the file again to complete it")


class _ProgressListener:
    """One job process's progress back to the service: a queue of its own (a SimpleQueue: no
    feeder thread in the job process, unlike Queue), read by a thread of its own. Its own
    because a queue's writers take turns under a lock, and a process killed in the middle of a
    report holds that lock for good: the job process after it, on the same queue, waited forever
    at its first report (and the service's shutdown, putting its end mark, with it)."""

    def __init__(self, context):
        self.queue = context.SimpleQueue()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._listen, name="ingest-progress", daemon=True)
        self._thread.start()

    def _listen(self) -> None:
        queue = self.queue
        while True:
            if not queue.empty():
                _keep_live(*queue.get())  # whole: a report is one write smaller than the pipe's atomic size
            elif self._stopping.wait(LISTEN_INTERVAL) and queue.empty():
                break
        queue.close()

    def stop(self) -> None:
        """Stop once what was sent is read (its job process has ended)."""
        self._stopping.set()
        self._thread.join()


# In the job process ----------------------------------------------------------------------

_SENDER: dict[str, Any] = {}
_ENGINES: dict[str, Engine] = {}


def _set_progress(queue) -> None:
    _SENDER.update(queue=queue, last=("", 0.0))


def _send_progress(job_id: int, stage: str, done: int, total: int) -> None:
    """Progress back to the service: at a new stage, at a stage's end, else every
    :data:`PROGRESS_INTERVAL` seconds (an ingest reports per element)."""
    last_stage, last_at = _SENDER["last"]
    now = time.monotonic()
    if stage != last_stage or done >= total or now - last_at >= PROGRESS_INTERVAL:
        _SENDER["queue"].put((job_id, stage, done, total))
        _SENDER["last"] = (stage, now)


def _get_engine(database_url: str) -> Engine:
    """The job process's engine for ``database_url``, opened once (the schema checked then)."""
    engine = _ENGINES.get(database_url)
    if engine is None:
        engine = _ENGINES[database_url] = open_ledger(database_url)
    return engine


def _warm_up(database_url: str) -> None:
    """Open the ledger (the ingest's modules are imported by now) and import what a georeferenced
    model needs and :mod:`twin.ifc.georef` imports only then (pyproj: about 80 ms)."""
    importlib.import_module("pyproj")
    _get_engine(database_url)


def _run_job(database_url: str, job_id: int, path: str, assets_dir: str, actor: str | None) -> float:
    """Run the job; the resident memory (MiB) this process keeps after it."""
    run_ingest_job(_get_engine(database_url), job_id, Path(path), assets_dir=Path(assets_dir), actor=actor, on_progress=_send_progress)
    return get_resident_mib()
