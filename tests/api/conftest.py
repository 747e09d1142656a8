"""An API over a small ingested ledger with a unit, people and one account per role, on SQLite
and PostgreSQL. ``client`` is logged in as admin; ``client_as(role)`` as any role."""

from __future__ import annotations

import warnings

import pytest

from ifc_factory import RoomSpec, build_model
from twin.auth import create_user
from twin.config import Settings
from twin.ledger.db import open_ledger, transaction
from twin.ledger.ingest import ingest_file
from twin.ledger.loader import load_ledger

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

PASSWORD = "correct horse battery"
ROLES = ("admin", "unit_manager", "inspector", "viewer")


def small_campus(folder):
    return build_model(folder / "office.ifc", [
        RoomSpec("A-0101", "处长办公室", global_id="0RoomA0101xxxxxxxxxxxx", net_area=21.0),
        RoomSpec("A-0102", "科员办公室", outline=[(5, 0), (10, 0), (10, 4), (5, 4)], global_id="0RoomA0102xxxxxxxxxxxx"),
        RoomSpec("A-0201", "会议室", storey=1, outline=[(0, 0), (8, 0), (8, 6), (0, 6)], global_id="0RoomA0201xxxxxxxxxxxx"),
    ])


def small_ledger(folder):
    """Two units; A-0101 and A-0201 belong to FGW, A-0102 to XXZX; two people in A-0101/A-0102."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "units.csv").write_text(
        "code,name,kind,admin_level,reference_level,approved_posts\n"
        "FGW,省发展和改革委员会,agency,provincial,provincial,正处级:2;处级以下:4\n"
        "XXZX,省信息中心,institution,provincial,provincial,处级以下:3\n", encoding="utf-8")
    (folder / "people.csv").write_text(
        "code,name,unit,rank,title,status,status_since\n"
        "P001,张伟,FGW,正处级,处长,active,\nP002,李娜,XXZX,处级以下,科员,active,\n", encoding="utf-8")
    (folder / "rooms.csv").write_text("room,unit,use_status,category\nA-0101,FGW,in_use,\nA-0102,XXZX,in_use,\nA-0201,FGW,in_use,\n", encoding="utf-8")
    (folder / "occupancy.csv").write_text(
        "person,room,kind,start_date,end_date,approved,concurrent_post_ended\n"
        "P001,A-0101,primary,2024-01-01,,true,\nP002,A-0102,primary,2024-01-01,,false,\n", encoding="utf-8")
    return folder


@pytest.fixture
def ledger(db_url, tmp_path):
    """(settings, ingest report) of a ledger holding :func:`small_campus` and :func:`small_ledger`."""
    settings = Settings(database_url=db_url, data_dir=tmp_path, assets_dir=tmp_path / "assets")
    engine = open_ledger(db_url)
    report = ingest_file(small_campus(tmp_path), engine=engine, assets_dir=settings.assets_dir)
    load_ledger(small_ledger(tmp_path / "ledger"), engine=engine)
    with transaction(engine) as session:
        for role in ROLES:
            create_user(session, role, PASSWORD, role=role, unit_code="FGW" if role == "unit_manager" else None)
    engine.dispose()
    return settings, report


@pytest.fixture
def app(ledger):
    from api.main import create_app

    application = create_app(ledger[0])
    yield application
    application.state.engine.dispose()


def login(test_client: TestClient, username: str, password: str = PASSWORD) -> TestClient:
    response = test_client.post("/api/auth/token", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    test_client.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
    return test_client


@pytest.fixture
def client_as(app):
    clients = []

    def make(role: str | None) -> TestClient:
        test_client = TestClient(app)
        clients.append(test_client)
        return login(test_client, role) if role else test_client

    yield make
    for test_client in clients:
        test_client.close()


@pytest.fixture
def client(client_as):
    return client_as("admin")
