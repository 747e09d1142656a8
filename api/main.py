"""Assemble the FastAPI app: routers, problem+json errors, compression, the built viewer."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles

from api.problems import install_problem_handlers
from api.routers import assets, drawings, health, hierarchy, rooms
from twin import __version__
from twin.config import Settings, get_settings
from twin.ledger.db import open_ledger

VIEWER_DIST = Path(__file__).resolve().parents[1] / "viewer" / "dist"


def create_app(settings: Settings | None = None) -> FastAPI:
    """The twin service over the ledger named in ``settings`` (default: the environment's)."""
    settings = settings or get_settings()
    app = FastAPI(title="twin", version=__version__, description="3D digital twin and ledger of government office space")
    app.state.settings = settings
    app.state.engine = open_ledger(settings.database_url)
    install_problem_handlers(app)
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    for router in (health.router, hierarchy.router, rooms.router, assets.router, drawings.router):
        app.include_router(router)
    if VIEWER_DIST.is_dir():
        app.mount("/", StaticFiles(directory=VIEWER_DIST, html=True), name="viewer")
    return app
