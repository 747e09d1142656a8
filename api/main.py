"""Assemble the FastAPI app: routers, problem+json errors, compression, the built viewer.

Anonymous requests reach only ``/api/health`` and the login; every other route needs a token.
"""

from __future__ import annotations

import gc
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles

from api.problems import install_problem_handlers
from api.routers import assets, auth, compliance, drawings, health, hierarchy, ledger, models, reports, rooms, users
from api.security import get_current_user
from twin import __version__
from twin.auth import get_secret_key
from twin.config import Settings, get_settings
from twin.ledger.db import open_ledger
from twin.ledger.jobs import IngestRunner
from twin.ledger.revision import RevisionCache

VIEWER_DIST = Path(__file__).resolve().parents[1] / "viewer" / "dist"
PROTECTED = (
    hierarchy.router, rooms.router, assets.router, drawings.router, ledger.router, users.router, models.router, compliance.router,
    reports.router,
)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The twin service over the ledger named in ``settings`` (default: the environment's)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # Everything loaded so far (modules, routes, compiled SQL) lives as long as the service:
        # moved out of the collector's sight, every later collection scans only requests' objects.
        gc.collect()
        gc.freeze()
        app.state.jobs.start()  # the ingest process, spawned now rather than at the first upload
        yield
        app.state.jobs.shutdown()

    app = FastAPI(title="twin", version=__version__, lifespan=lifespan,
                  description="3D digital twin and ledger of government office space (政府办公用房数字孪生台账)")
    app.state.settings = settings
    app.state.engine = open_ledger(settings.database_url)
    app.state.secret_key = get_secret_key(settings.data_dir)
    app.state.jobs = IngestRunner(database_url=settings.database_url, assets_dir=settings.assets_dir,
                                  memory_limit_mib=settings.job_memory_mib)
    app.state.cards = RevisionCache(max_entries=settings.card_cache_entries)
    app.state.searches = RevisionCache(max_entries=4096, max_weight=64 << 20, weigh=len)  # pages of JSON, 64 MB in all
    install_problem_handlers(app)
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.include_router(health.router)
    app.include_router(auth.router)
    for router in PROTECTED:
        app.include_router(router, dependencies=[Depends(get_current_user)])
    if VIEWER_DIST.is_dir():
        app.mount("/", StaticFiles(directory=VIEWER_DIST, html=True), name="viewer")
    return app
