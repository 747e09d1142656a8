"""Background ingest jobs: a job row records an uploaded model's ingest and its outcome.

Live progress (stage, done, total) is kept in memory while the job runs, because the ingest's
own transaction may hold the database's write lock (SQLite) while it reports progress; the row
gets the final stage with the outcome.
"""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import Engine, select

from twin.errors import TwinError
from twin.ledger.db import transaction
from twin.ledger.ingest import ingest_file
from twin.ledger.models import Job, utcnow

log = logging.getLogger(__name__)


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


#: job id -> (stage, done, total) of jobs running in this process
_LIVE: dict[int, tuple[str, int, int]] = {}


def run_ingest_job(engine: Engine, job_id: int, path: Path, *, assets_dir: Path, actor: str | None) -> None:
    """Ingest ``path`` for job ``job_id``; live progress in memory, the outcome in the job row."""

    def on_progress(stage: str, done: int, total: int) -> None:
        _LIVE[job_id] = (stage, done, total)

    _update(engine, job_id, status="running", stage="read")
    try:
        report = ingest_file(path, engine=engine, assets_dir=assets_dir, actor=actor, progress=on_progress)
    except TwinError as error:
        _update(engine, job_id, status="failed", error=str(error), finished_at=utcnow())
    except Exception as error:  # a bug: keep the job honest, log the trace
        log.exception("ingest job %d failed", job_id)
        _update(engine, job_id, status="failed", error=f"internal error: {error}", finished_at=utcnow())
    else:
        _update(engine, job_id, status="done", stage="done", result=report.to_dict(), finished_at=utcnow())
    finally:
        _LIVE.pop(job_id, None)
        path.unlink(missing_ok=True)


def get_job(engine: Engine, job_id: int) -> dict | None:
    with transaction(engine) as session:
        job = session.scalar(select(Job).where(Job.id == job_id))
        if job is None:
            return None
        stage, done, total = _LIVE.get(job.id, (job.stage, job.done, job.total))
        return {
            "id": job.id, "kind": job.kind, "status": job.status, "stage": stage, "done": done, "total": total,
            "filename": job.filename, "result": job.result, "error": job.error, "created_by": job.created_by,
            "created_at": job.created_at.isoformat(), "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        }
