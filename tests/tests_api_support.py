"""A small API app over a fresh SQLite ledger with an admin token (for fuzzing and load tests)."""

from __future__ import annotations

from pathlib import Path

from ifc_factory import RoomSpec, build_model
from twin.auth import create_user, issue_token
from twin.config import Settings
from twin.ledger.db import open_ledger, transaction
from twin.ledger.ingest import ingest_file
from twin.ledger.models import User


def small_ledger_app(folder: Path):
    """(app, admin token) over a two-room ledger in ``folder``."""
    from api.main import create_app

    settings = Settings(database_url=f"sqlite:///{folder / 'twin.db'}", data_dir=folder, assets_dir=folder / "assets")
    engine = open_ledger(settings.database_url)
    model = build_model(folder / "m.ifc", [RoomSpec("A-0101", "科员办公室"), RoomSpec("A-0201", "会议室", storey=1)])
    ingest_file(model, engine=engine, assets_dir=settings.assets_dir)
    with transaction(engine) as session:
        create_user(session, "fuzz-admin", "fuzz-password", role="admin")
    engine.dispose()
    app = create_app(settings)
    with transaction(app.state.engine) as session:
        from sqlalchemy import select

        user = session.scalar(select(User).where(User.username == "fuzz-admin"))
        token = issue_token(user, app.state.secret_key)
    return app, token
