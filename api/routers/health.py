"""``GET /api/health``: the service and its database answer."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from api.deps import SessionDep
from api.responses import FastJSON
from twin import __version__

router = APIRouter(tags=["health"])


@router.get("/api/health", response_class=FastJSON)
async def health(session: SessionDep) -> FastJSON:
    """``ok`` when the database answers (one ``select 1`` on the event loop)."""
    session.execute(text("select 1"))
    return FastJSON({"status": "ok", "version": __version__})
