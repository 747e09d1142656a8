"""A disk cache of element meshes, keyed by what the geometry is made of, not by file or id
(the keys: :mod:`twin.geometry.keys`).

A new version of a model therefore re-meshes only the elements whose geometry or position
changed, identical elements in two files share one entry, and an unchanged file re-meshes
nothing. Entries live in one SQLite file (``<root>/geometry.sqlite3``; WAL, so concurrent
ingests can share it); vertices are stored as float64 and faces as int32, exactly as meshed.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np

from twin.filelock import hold_file_lock

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Connections a forked child inherited from its parent's caches (see :meth:`GeometryCache._connect`).
_INHERITED: list[sqlite3.Connection] = []


_UNSET = object()


class _Held:
    """A blob held back by :meth:`GeometryCache.deferred_writes`: its bytes, or the value it
    pickles (pickled when first needed)."""

    __slots__ = ("_data", "_value")

    def __init__(self, *, data: bytes | None = None, value: object = _UNSET):
        self._data, self._value = data, value

    @property
    def data(self) -> bytes:
        if self._data is None:
            self._data = pickle.dumps(self._value, protocol=pickle.HIGHEST_PROTOCOL)
        return self._data

    def get_value(self) -> object:
        return pickle.loads(self._data) if self._value is _UNSET else self._value


@dataclass(frozen=True)
class CachedMesh:
    vertices: np.ndarray  # (n, 3) float64
    faces: np.ndarray  # (m, 3) int64
    library: str


class GeometryCache:
    """Meshes by content key in ``<root>/geometry.sqlite3``, and blobs made from meshes (GLBs)
    by the key of what they were made from.

    ``hits``/``misses``/``stored`` count this instance's lookups and writes. Safe to share
    between threads (one connection per thread) and processes (SQLite WAL), forked ones
    included (a child opens its own connection).

    Writes may be held back (:meth:`deferred_writes`): an ingest keeps what its rooms stage
    makes for the next version in memory until its rooms are in the ledger.
    """

    FILENAME = "geometry.sqlite3"

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.path = self.root / self.FILENAME
        self.hits = self.misses = self.stored = 0
        self._local = threading.local()
        self._deferring: int | None = None  # the process holding writes back (a forked child writes at once)
        self._held_meshes: dict[str, tuple[str, np.ndarray, np.ndarray]] = {}  # key: (library, vertices, faces)
        self._held_blobs: dict[str, _Held] = {}

    @contextlib.contextmanager
    def deferred_writes(self) -> Iterator[None]:
        """Within the block, this process's writes are held in memory (and served to its own
        lookups), then written in one transaction as it ends, also when it raises: what was
        made is valid whatever became of the caller's work. Pickling blobs is held back too."""
        if self._deferring is not None:  # nested: the outer block writes
            yield
            return
        self._deferring = os.getpid()
        try:
            yield
        finally:
            self._deferring = None
            meshes, blobs = self._held_meshes, self._held_blobs
            self._held_meshes, self._held_blobs = {}, {}
            self.put_many((key, vertices, faces, library) for key, (library, vertices, faces) in meshes.items())
            self.put_blobs((key, held.data) for key, held in blobs.items())

    @property
    def _is_holding(self) -> bool:
        return self._deferring == os.getpid()

    def _held(self, store: dict[str, T], keys: list[str]) -> dict[str, T]:
        """Those of ``keys`` this process holds back in ``store`` (none unless it is holding)."""
        return {key: store[key] for key in keys if key in store} if self._is_holding else {}

    def _connect(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is not None and self._local.pid != os.getpid():  # a forked child's: the parent's connection
            _INHERITED.append(connection)  # never used here, nor closed (a close could end the parent's WAL, see twin.filelock)
            connection = None
        if connection is None:
            self.root.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=30)
            with hold_file_lock(self.path):  # processes opening a new cache at once take turns
                connection.execute("pragma journal_mode=wal")
                connection.execute(
                    "create table if not exists mesh (key text primary key, library text not null, "
                    "vertices blob not null, faces blob not null)"
                )
                connection.execute("create table if not exists blob (key text primary key, data blob not null)")
            connection.execute("pragma synchronous=normal")
            self._local.connection, self._local.pid = connection, os.getpid()
        return connection

    def _select_in(self, columns: str, table: str, keys: list[str]) -> Iterator[tuple]:
        """The rows of ``select <columns> from <table>`` whose key is among ``keys`` (500 a statement)."""
        connection = self._connect()
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            yield from connection.execute(f"select {columns} from {table} where key in ({','.join('?' * len(chunk))})", chunk)

    def get_many(self, keys: Iterable[str]) -> dict[str, CachedMesh]:
        """The cached meshes among ``keys`` (loading meshes :meth:`get_libraries` found: not
        counted as lookups again)."""
        keys = list(dict.fromkeys(keys))
        held = self._held(self._held_meshes, keys)
        return {
            key: CachedMesh(np.array(vertices, dtype=np.float64), np.array(faces, dtype=np.int64), library)
            for key, (library, vertices, faces) in held.items()
        } | {
            key: CachedMesh(
                np.frombuffer(vertices, dtype=np.float64).reshape(-1, 3).copy(),
                np.frombuffer(faces, dtype=np.int32).reshape(-1, 3).astype(np.int64),
                library,
            )
            for key, library, vertices, faces in self._select_in("key, library, vertices, faces", "mesh", [k for k in keys if k not in held])
        }

    def get_libraries(self, keys: Iterable[str]) -> dict[str, str]:
        """The library that made each cached mesh among ``keys`` (its arrays not read)."""
        keys = list(dict.fromkeys(keys))
        held = {key: library for key, (library, _, _) in self._held(self._held_meshes, keys).items()}
        found = held | dict(self._select_in("key, library", "mesh", [k for k in keys if k not in held]))
        self.hits += len(found)
        self.misses += len(keys) - len(found)
        return found

    def put_many(self, entries: Iterable[tuple[str, np.ndarray, np.ndarray, str]]) -> None:
        """Store ``(key, vertices, faces, library)`` entries in one transaction."""
        if self._is_holding:
            for key, vertices, faces, library in entries:
                self._held_meshes[key] = (library, vertices, faces)
            return
        rows = [
            (key, library, np.ascontiguousarray(vertices, dtype=np.float64).tobytes(),
             np.ascontiguousarray(faces, dtype=np.int32).tobytes())
            for key, vertices, faces, library in entries
        ]
        if not rows:
            return
        connection = self._connect()
        with connection:
            connection.executemany("insert or replace into mesh values (?, ?, ?, ?)", rows)
        self.stored += len(rows)

    def get_blobs(self, keys: Iterable[str]) -> dict[str, bytes]:
        """The stored blobs among ``keys``."""
        keys = list(dict.fromkeys(keys))
        held = {key: blob.data for key, blob in self._held(self._held_blobs, keys).items()}
        return held | {key: bytes(data) for key, data in self._select_in("key, data", "blob", [k for k in keys if k not in held])}

    def put_blobs(self, items: Iterable[tuple[str, bytes]]) -> None:
        if self._is_holding:
            self._held_blobs.update((key, _Held(data=data)) for key, data in items)
            return
        rows = list(items)
        if rows:
            connection = self._connect()
            with connection:
                connection.executemany("insert or replace into blob values (?, ?)", rows)

    def remember_many(self, makers: dict[str, Callable[[], T]]) -> dict[str, T]:
        """``{key: maker()}``, each value made once and kept (pickled) under its key for next time.

        Keys must name everything a value depends on: inputs and the code that makes it
        (:func:`get_code_fingerprint`)."""
        return self.remember_batch(makers, lambda missing: [makers[key]() for key in missing])

    def remember_batch(self, keys: Iterable[str], make: Callable[[list[str]], list[T]]) -> dict[str, T]:
        """Like :meth:`remember_many`, but the values not kept yet are made in one call:
        ``make(missing_keys)`` returns their values in the same order."""
        keys = list(dict.fromkeys(keys))
        held = self._held(self._held_blobs, keys)
        stored = self.get_blobs([key for key in keys if key not in held])
        values = {key: pickle.loads(data) for key, data in stored.items()} | {key: h.get_value() for key, h in held.items()}
        missing = [key for key in keys if key not in values]
        made = dict(zip(missing, make(missing))) if missing else {}
        if self._is_holding:  # pickled when written
            self._held_blobs.update((key, _Held(value=value)) for key, value in made.items())
        else:
            self.put_blobs((key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)) for key, value in made.items())
        self.hits += len(values)
        self.misses += len(made)
        return {key: values[key] if key in values else made[key] for key in keys}

    def __len__(self) -> int:
        return int(self._connect().execute("select count(*) from mesh").fetchone()[0])

    def close(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            if self._local.pid == os.getpid():
                connection.close()
            else:
                _INHERITED.append(connection)
            self._local.connection = None

