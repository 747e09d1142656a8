"""``GET /api/health``: the service and its database answer."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from api.deps import SessionDep
from twin import __version__

router = APIRouter(tags=["health"])


@router.get("/api/health")
def health(session: SessionDep) -> dict:
    session.execute(text("select 1"))
    return {"status": "ok", "version": __version__}
