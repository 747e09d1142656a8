"""The ledger's revision: one number that every committed write moves on, so readers can cache.

A room card is read far more often than anything in it changes. :func:`track_revision` hooks an
engine so that a transaction that wrote anything (an INSERT, UPDATE or DELETE) also adds one to
``ledger_revision.value`` just before it commits, in that same transaction: the new revision
becomes visible together with the data, whichever process or route wrote it (API, ``twin
ingest``, ``twin load``...). A reader that finds the revision unchanged knows that nothing in
the ledger changed since it cached; a reader that sees the new revision sees the new data.

Every write goes through SQLAlchemy (ORM flushes, Core statements, bulk inserts alike), and the
hook sits below all of them, on the DBAPI cursor. The bump is the transaction's last statement,
so on PostgreSQL writers hold the revision row's lock only for the moment of their commit.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

from sqlalchemy import Connection, Engine, event, select

from twin.ledger.models import LedgerRevision

_WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
_BUMP = "UPDATE ledger_revision SET value = value + 1 WHERE id = 1"
_WROTE = "twin_revision_wrote"
_TRACKED = "twin_tracks_revision"
_UNTRACKED_CONNECTION = "twin_untracked"

V = TypeVar("V")


def track_revision(engine: Engine) -> None:
    """Make every writing transaction on ``engine`` move the revision on (idempotent).

    The ledger must be migrated first (the ``ledger_revision`` table must exist)."""
    if getattr(engine, _TRACKED, False):
        return
    event.listen(engine, "before_cursor_execute", _note_write)
    event.listen(engine, "commit", _bump_if_written)
    for name in ("begin", "rollback"):
        event.listen(engine, name, _forget_write)
    setattr(engine, _TRACKED, True)


@contextmanager
def untracked(connection: Connection) -> Iterator[Connection]:
    """Within the block, this connection's writes leave the revision alone (schema migrations:
    the table may not exist yet). ``Connection.info`` outlives the checkout, hence the cleanup."""
    connection.info[_UNTRACKED_CONNECTION] = True
    try:
        yield connection
    finally:
        connection.info.pop(_UNTRACKED_CONNECTION, None)


def _note_write(connection: Connection, cursor, statement: str, parameters, context, executemany) -> None:
    if not connection.info.get(_WROTE) and not connection.info.get(_UNTRACKED_CONNECTION) and _WRITE.match(statement):
        connection.info[_WROTE] = True


def _bump_if_written(connection: Connection) -> None:
    """Called just before the DBAPI commit: the bump commits with the transaction's writes."""
    if connection.info.pop(_WROTE, False):
        cursor = connection.connection.dbapi_connection.cursor()
        try:
            cursor.execute(_BUMP)
        finally:
            cursor.close()


def _forget_write(connection: Connection, *args) -> None:
    """A transaction begins afresh or ended without committing: nothing written to announce."""
    connection.info.pop(_WROTE, None)


def get_revision(connection: Connection) -> int:
    """The ledger's revision as this connection's transaction sees it."""
    return int(connection.scalar(_READ) or 0)


_READ = select(LedgerRevision.__table__.c.value).where(LedgerRevision.__table__.c.id == 1)


class RevisionCache(Generic[V]):
    """Values computed from the ledger, each kept with the revision it was computed at; a value
    is served only while the revision is the same. Least recently used values go first past
    ``max_entries`` or, when ``weigh`` tells a value's size, past ``max_weight`` in all.
    Safe to share between threads."""

    def __init__(self, max_entries: int = 4096, *, max_weight: int | None = None, weigh: Callable[[V], int] | None = None) -> None:
        self.max_entries, self.max_weight, self.weigh = max_entries, max_weight, weigh
        self._entries: OrderedDict[Hashable, tuple[int, V, int]] = OrderedDict()
        self._weight = 0
        self._lock = threading.Lock()

    def get_or_compute(self, key: Hashable, compute: Callable[[], tuple[V, int]], *, get_revision: Callable[[], int]) -> V:
        """The value for ``key``: the cached one while the ledger is still at the revision it was
        computed at, else ``compute()``, which gives the value and the revision it was computed
        at (read before or with the value, never after). ``get_revision()`` tells the ledger's
        current revision; it is asked only when there is a cached value to check."""
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None and entry[0] == get_revision():
            with self._lock:
                if key in self._entries:
                    self._entries.move_to_end(key)
            return entry[1]
        value, revision = compute()
        weight = self.weigh(value) if self.weigh else 0
        with self._lock:
            old = self._entries.pop(key, None)
            self._weight -= old[2] if old else 0
            self._entries[key] = (revision, value, weight)
            self._weight += weight
            while len(self._entries) > self.max_entries or (self.max_weight is not None and self._weight > self.max_weight):
                _, (_, _, dropped) = self._entries.popitem(last=False)
                self._weight -= dropped
        return value

    def __len__(self) -> int:
        return len(self._entries)
