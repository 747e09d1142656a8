"""IFC models: upload (a background ingest job), job status, models and their versions."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from fastapi import APIRouter, Request, UploadFile
from fastapi.responses import JSONResponse
from sqlalchemy import select

from api.deps import Id, SessionDep
from api.problems import problem
from api.security import CurrentUser
from twin.errors import NotFound
from twin.ifc.spf import check_ifc_file
from twin.ledger.jobs import create_job, get_job
from twin.ledger.models import Model, ModelVersion

router = APIRouter(prefix="/api", tags=["models"])

CHUNK = 1 << 20


def get_upload_limit() -> int:
    """Largest accepted upload in bytes (``$TWIN_MAX_UPLOAD_MB``, default 512 MB)."""
    return int(float(os.environ.get("TWIN_MAX_UPLOAD_MB", "512")) * (1 << 20))


@router.post("/models", status_code=202, responses={413: {"description": "file too large"}})
async def upload_model(request: Request, user: CurrentUser, file: UploadFile):
    """Upload an IFC file; it is checked at once and ingested in the background."""
    user.require("admin")
    limit = get_upload_limit()
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit + 64 * 1024:
        return problem(413, "Payload Too Large", f"the upload limit is {limit // (1 << 20)} MB")
    uploads = request.app.state.settings.data_dir / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=uploads, suffix=".ifc")
    path, size = Path(name), 0
    try:
        with os.fdopen(handle, "wb") as stream:
            while chunk := await file.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise OverflowError
                stream.write(chunk)
        check_ifc_file(path)
    except OverflowError:
        path.unlink(missing_ok=True)
        return problem(413, "Payload Too Large", f"the upload limit is {limit // (1 << 20)} MB")
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    engine = request.app.state.engine
    job_id = create_job(engine, kind="ingest", filename=file.filename or path.name, created_by=user.username)
    request.app.state.jobs.submit(engine, job_id, path, actor=user.username)
    return JSONResponse({"job_id": job_id, "status_url": f"/api/jobs/{job_id}"}, status_code=202)


@router.get("/jobs/{job_id}")
def job_status(request: Request, user: CurrentUser, job_id: Id) -> dict:
    job = get_job(request.app.state.engine, job_id)
    if job is None:
        raise NotFound(f"no job {job_id}")
    return job


@router.get("/models")
def list_models(session: SessionDep, user: CurrentUser) -> list[dict]:
    return [
        {"id": m.id, "project_global_id": m.project_global_id, "name": m.name, "versions": len(m.versions),
         "latest": m.versions[-1].filename if m.versions else None}
        for m in session.scalars(select(Model).order_by(Model.id))
    ]


@router.get("/models/{model_id}/versions")
def list_versions(session: SessionDep, user: CurrentUser, model_id: Id) -> list[dict]:
    if session.get(Model, model_id) is None:
        raise NotFound(f"no model {model_id}")
    versions = session.scalars(select(ModelVersion).where(ModelVersion.model_id == model_id).order_by(ModelVersion.seq))
    return [
        {"id": v.id, "seq": v.seq, "filename": v.filename, "schema": v.schema, "sha256": v.sha256,
         "ingested_at": v.ingested_at.isoformat(), "ingested_by": v.ingested_by, "counts": v.counts,
         "failed_elements": len(v.failed_elements or [])}
        for v in versions
    ]
