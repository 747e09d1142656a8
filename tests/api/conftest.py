"""An API over a small ingested ledger, on SQLite and PostgreSQL."""

from __future__ import annotations

import warnings

import pytest

from ifc_factory import RoomSpec, build_model
from twin.config import Settings
from twin.ledger.db import open_ledger
from twin.ledger.ingest import ingest_file

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def small_campus(folder):
    return build_model(folder / "office.ifc", [
        RoomSpec("A-0101", "处长办公室", global_id="0RoomA0101xxxxxxxxxxxx", net_area=21.0),
        RoomSpec("A-0102", "科员办公室", outline=[(5, 0), (10, 0), (10, 4), (5, 4)], global_id="0RoomA0102xxxxxxxxxxxx"),
        RoomSpec("A-0201", "会议室", storey=1, outline=[(0, 0), (8, 0), (8, 6), (0, 6)], global_id="0RoomA0201xxxxxxxxxxxx"),
    ])


@pytest.fixture
def ledger(db_url, tmp_path):
    """(settings, ingest report) of a ledger holding :func:`small_campus`."""
    settings = Settings(database_url=db_url, data_dir=tmp_path, assets_dir=tmp_path / "assets")
    engine = open_ledger(db_url)
    report = ingest_file(small_campus(tmp_path), engine=engine, assets_dir=settings.assets_dir)
    engine.dispose()
    return settings, report


@pytest.fixture
def client(ledger):
    from api.main import create_app

    app = create_app(ledger[0])
    with TestClient(app) as test_client:
        yield test_client
    app.state.engine.dispose()
