"""Dependencies declared once: the database session (or, for Core reads, connection) and settings of the running app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from twin.config import Settings
from twin.ledger.db import stale_writes_refused


async def get_session(request: Request) -> AsyncIterator[Session]:
    """A session per request; committed by the route's explicit ``session.commit()`` only.

    Opened and closed on the event loop: a new session takes no connection until its first
    query, and closing hands the connection back to the pool. Being ``async``, this dependency
    costs no hop to a worker thread (under the GIL each hop costs more than a room card's queries).
    """
    session = Session(request.app.state.engine, expire_on_commit=False)
    try:
        with stale_writes_refused():  # a route's stale write is a StaleRecord, 409, as everywhere
            yield session
    finally:
        session.close()


async def get_connection(request: Request) -> AsyncIterator[Connection]:
    """A connection per request, for routes that only read through Core (the room card, the
    search): no ORM session to set up and tear down. Rolled back when handed back to the pool."""
    with request.app.state.engine.connect() as connection:
        yield connection


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


SessionDep = Annotated[Session, Depends(get_session)]
ConnectionDep = Annotated[Connection, Depends(get_connection)]
SettingsDep = Annotated[Settings, Depends(get_settings)]

#: A database id in a path or query: a positive 32-bit integer (larger numbers are no id of ours).
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
QueryId = Annotated[int | None, Query(ge=1, le=2**31 - 1)]
