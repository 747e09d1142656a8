"""Fixtures of the report tests: the hand-built ledger of :mod:`reportledger` on both databases,
and once per module in a SQLite file with one account per role."""

from __future__ import annotations

import pytest

from reportledger import build_ledger
from twin.ledger.db import open_ledger, transaction


@pytest.fixture
def ledger_engine(engine, tmp_path):
    """The hand-built ledger on SQLite and on PostgreSQL."""
    build_ledger(engine, tmp_path)
    return engine


@pytest.fixture(scope="module")
def report_db(tmp_path_factory) -> str:
    """The hand-built ledger (with one account per role) in a SQLite file shared by a module's tests."""
    folder = tmp_path_factory.mktemp("report-ledger")
    url = f"sqlite:///{folder / 'twin.db'}"
    engine = open_ledger(url)
    build_ledger(engine, folder, users=True)
    engine.dispose()
    return url


@pytest.fixture
def report_session(report_db):
    engine = open_ledger(report_db)
    with transaction(engine) as session:
        yield session
    engine.dispose()
