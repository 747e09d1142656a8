"""Database engines, sessions and migrations (Alembic), for SQLite and PostgreSQL alike.

:func:`open_ledger` returns an engine whose schema is at the latest migration: a new SQLite file
is created (with its folder), an older schema is upgraded. Every write goes through
:func:`transaction`, one transaction that commits whole or not at all.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import orjson
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from twin.errors import DatabaseError, StaleRecord
from twin.filelock import hold_file_lock
from twin.ledger.revision import track_revision

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

#: The newest migration's revision. Opening a ledger already at it needs no Alembic, whose import
#: is about 0.15 s of every command's start (Alembic is imported to migrate); a test checks this
#: against the migrations folder, so a new migration must update it.
HEAD_REVISION = "0010"


T = TypeVar("T")

#: Rows or ids per statement when a list goes into ``IN (...)`` or an executemany: well under
#: SQLite's and PostgreSQL's limits on bound parameters.
CHUNK_SIZE = 500


def in_chunks(items: Sequence[T], size: int = CHUNK_SIZE) -> Iterator[Sequence[T]]:
    """``items`` in slices of ``size``: one statement each."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _get_alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


@lru_cache(maxsize=1)
def get_head_revision() -> str:
    """The newest migration's revision id, as the migrations folder says (:data:`HEAD_REVISION`
    says it without reading the folder)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()


def get_current_revision(engine: Engine) -> str | None:
    """The revision the database is at (Alembic's ``alembic_version`` row), or ``None`` for an empty database."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _enable_sqlite_foreign_keys(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def dump_json(value: object) -> str:
    """JSON columns' text, written by orjson: 3-10x faster than the standard library on an
    ingest's footprints, properties and history, and compact (``NaN`` becomes ``null``, valid
    JSON, where the standard library would write an invalid ``NaN``)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY).decode()


def make_engine(url: str) -> Engine:
    """An engine for a SQLAlchemy URL; a SQLite file's folder is created if missing."""
    parsed = make_url(url)
    if parsed.drivername.startswith("postgresql") and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername.startswith("sqlite"):
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"check_same_thread": False, "timeout": 30},
                               json_serializer=dump_json, json_deserializer=orjson.loads)
        event.listen(engine, "connect", _enable_sqlite_foreign_keys)
        return engine
    return create_engine(parsed, pool_pre_ping=True, pool_size=10, max_overflow=20, json_serializer=dump_json,
                         json_deserializer=orjson.loads)


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration (no-op when already there). Processes that open
    a ledger at once (``twin serve`` and ``twin ingest`` on a new one) migrate it one at a time:
    the first migrates, the others wait and find it done."""
    if get_current_revision(engine) == HEAD_REVISION:
        return
    from alembic import command

    with _migrating(engine):
        if get_current_revision(engine) == HEAD_REVISION:  # another process migrated it meanwhile
            return
        log.info("migrating %s to %s", engine.url.render_as_string(hide_password=True), HEAD_REVISION)
        command.upgrade(_get_alembic_config(engine), "head")


#: PostgreSQL advisory lock keys (any fixed 64-bit numbers): migrations, ingests.
_MIGRATION_LOCK, _INGEST_LOCK = 0x7477696E, 0x7477696E01  # "twin", "twin" 1


def lock_for_ingest(session: Session) -> None:
    """Make the session's transaction the only ingest writing until it ends; call it first.

    Two ingests at once (``twin ingest`` and an upload, say) must not both read the same next
    version number or both create the same model. PostgreSQL: an advisory lock held to the end
    of the transaction. SQLite: a write as the transaction's first statement takes the
    database's write lock at once (its reads then see every commit before it), where SQLite
    would otherwise take it at the first write, after the reads."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _INGEST_LOCK})
    else:
        session.execute(text("UPDATE ledger_revision SET value = value WHERE id = 1"))


@contextmanager
def _migrating(engine: Engine) -> Iterator[None]:
    """Hold the ledger's migration lock. PostgreSQL: a session advisory lock. A SQLite file:
    :func:`~twin.filelock.hold_file_lock`; SQLite runs DDL outside transactions, so without it
    two processes interleave their migrations."""
    url = engine.url
    if url.get_backend_name() == "postgresql":
        with engine.connect() as holder:
            holder.exec_driver_sql(f"SELECT pg_advisory_lock({_MIGRATION_LOCK})")
            try:
                yield
            finally:
                holder.exec_driver_sql(f"SELECT pg_advisory_unlock({_MIGRATION_LOCK})")
        return
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:" and not url.database.startswith("file:"):
        with hold_file_lock(url.database):
            yield
        return
    yield


def open_ledger(url: str) -> Engine:
    """An engine for ``url`` with the schema at the newest migration; a clear error if unreachable."""
    try:
        engine = make_engine(url)
        upgrade(engine)
        track_revision(engine)
    except OperationalError as error:
        raise DatabaseError(f"cannot open the database {make_url(url).render_as_string(hide_password=True)}: {error.orig}") from error
    except SQLAlchemyError as error:
        raise DatabaseError(f"database error: {error}") from error
    return engine


def get_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def stale_writes_refused() -> Iterator[None]:
    """Within the block, a record another transaction changed after this one read it (its
    ``row_version`` moved on, found when SQLAlchemy writes it) is a :class:`~twin.errors.StaleRecord`,
    whatever wrote it: an edit, ``twin load``, an API route's session."""
    try:
        yield
    except StaleDataError as error:
        raise StaleRecord("someone else changed this record at the same time; reload and try again") from error


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A session in one transaction: committed when the block ends, rolled back on any error
    (a stale write is a :class:`~twin.errors.StaleRecord`: :func:`stale_writes_refused`)."""
    session = Session(engine, expire_on_commit=False)
    try:
        with stale_writes_refused(), session.begin():
            yield session
    finally:
        session.close()


def reset_database(url: str) -> Engine:
    """Empty a database completely and migrate it afresh (for the demo; never used on real data)."""
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite") and parsed.database and parsed.database != ":memory:":
        for suffix in ("", "-wal", "-shm"):
            Path(parsed.database + suffix).unlink(missing_ok=True)
        return open_ledger(url)
    from alembic import command

    engine = make_engine(url)
    command.downgrade(_get_alembic_config(engine), "base")
    engine.dispose()
    return open_ledger(url)

