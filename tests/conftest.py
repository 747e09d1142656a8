"""Shared fixtures: databases (SQLite and PostgreSQL), asset folders, the real IFC files."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from pgschema import POSTGRES_URL, is_postgres_available, private_schema  # noqa: E402
from realdata import IN_CI  # noqa: E402


@pytest.fixture(scope="session")
def postgres_available() -> bool:
    available = is_postgres_available()
    if not available and IN_CI:
        raise RuntimeError(f"PostgreSQL is not reachable at {POSTGRES_URL}; CI needs it")
    return available


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path, postgres_available):
    """A fresh, empty database URL: a SQLite file, or a private schema in the local PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'twin.db'}"
        return
    if not postgres_available:
        pytest.skip("PostgreSQL is not reachable (CI requires it)")
    with private_schema() as url:
        yield url


@pytest.fixture
def postgres_url(postgres_available):
    """A fresh, empty schema in the local PostgreSQL (for what only PostgreSQL does)."""
    if not postgres_available:
        pytest.skip("PostgreSQL is not reachable (CI requires it)")
    with private_schema() as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'twin.db'}"


@pytest.fixture
def engine(db_url):
    from twin.ledger.db import open_ledger

    engine = open_ledger(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def assets_dir(tmp_path) -> Path:
    return tmp_path / "assets"


@pytest.fixture
def twin_env(tmp_path, monkeypatch, sqlite_url):
    """Point the CLI's settings at a temporary data folder."""
    from twin.config import get_settings

    monkeypatch.setenv("TWIN_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("TWIN_DATABASE_URL", sqlite_url)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def no_kept_child_between_tests():
    """An ingest's read-ahead child is kept for the process's next ingest (twin.geometry.forked):
    each test begins with none, so that what a test changes (a patched step, a slow child) is
    what its child runs, and no child outlives the test that made it."""
    from twin.geometry.child import stop_kept_child

    stop_kept_child()
    yield
    stop_kept_child()
