"""A disk cache of element meshes, keyed by what the geometry is made of, not by file or id.

An element's key hashes the STEP subgraphs its mesh depends on: each entity's text with its
``#ids`` blanked, followed by the hashes of what they point to, in order (a Merkle hash, so
renumbering a file changes nothing). The text is the file's own where :class:`~twin.ifc.steptext.StepText`
has it, else ifcopenshell's serialisation:

* its ``Representation`` (every representation, item, profile, mapped item, context);
* its ``ObjectPlacement`` chain (meshes are in world coordinates);
* each opening's and projection's representation and placement;
* its IFC class, the file's schema and units, the iterator settings, the kernel plan and the
  ifcopenshell version.

A new version of a model therefore re-meshes only the elements whose geometry or position
changed, identical elements in two files share one entry, and an unchanged file re-meshes
nothing. Entries live in one SQLite file (``<root>/geometry.sqlite3``; WAL, so concurrent
ingests can share it); vertices are stored as float64 and faces as int32, exactly as meshed.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import pickle
import re
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TypeVar

import ifcopenshell
import numpy as np

from twin.filelock import hold_file_lock
from twin.ifc.steptext import StepText

try:  # the walk in C (setup.py builds it where a compiler is at hand): the same digests, faster
    from twin.geometry import _stephash
except ImportError:  # pragma: no cover - an install without the compiled part
    _stephash = None

log = logging.getLogger(__name__)

#: Bump when the key recipe or the stored format changes.
CACHE_FORMAT = 3

T = TypeVar("T")

#: Connections a forked child inherited from its parent's caches (see :meth:`GeometryCache._connect`).
_INHERITED: list[sqlite3.Connection] = []

_TOKEN = re.compile(rb"'(?:[^']|'')*'|#(\d+)")
_REF = re.compile(rb"(#\d+)")


class StepHasher:
    """Merkle hashes of a file's entities (``#ids`` normalised away), memoised per instance:
    one hasher can serve every stage of an ingest. ``text``: the file's own entity text (else
    each entity is serialised by ifcopenshell, several times slower).

    Entities are named by their references as the file writes them (``b"#12"``), so the walk
    converts no ids: an ingest hashes tens of thousands of entities, and each step counts.
    With ``text``, the walk runs in C (:mod:`twin.geometry._stephash`, about 5 us an entity
    less) where it is built and ``native``; it fills the same memo with the same digests, and
    leaves an entity that is not one plain line of the text to the walk here."""

    def __init__(self, file: ifcopenshell.file, *, text: StepText | None = None, native: bool = True):
        self.file = file
        self.text = text
        self._memo: dict[bytes, bytes] = {}
        index = text.get_index() if text is not None and native and _stephash is not None else None
        self._native = functools.partial(_stephash.hash_ref, *index, self._memo) if index is not None else None

    def __call__(self, entity: ifcopenshell.entity_instance | None) -> str:
        return self.hash_ref(_ref_of(entity))

    def hash_ref(self, ref: bytes | None) -> str:
        """:meth:`__call__` of the entity a reference names (``b"#12"``; ``None``: none)."""
        return "-" if ref is None else self._hash_ref(ref).hex()

    def _hash_ref(self, ref: bytes) -> bytes:
        memo = self._memo
        known = memo.get(ref)
        if known is not None:
            return known
        if self._native is not None and (known := self._native(ref)) is not None:
            return known
        # Iterative post-order walk (placement chains and boolean trees can be deep); each
        # entity's text is read and parsed once. An entity that points nowhere (points,
        # directions: most of a file) is hashed as it is read.
        parsed: dict[bytes, tuple[bytes, list[bytes]]] = {}
        stack = [ref]
        while stack:
            current = stack[-1]
            if current in memo:
                stack.pop()
                continue
            entry = parsed.get(current)
            if entry is None:
                body = self._get_body(current)
                if b"#" not in body:
                    memo[current] = hashlib.blake2b(body, digest_size=16).digest()
                    stack.pop()
                    continue
                entry = parsed[current] = _parse(body)
                pending = [r for r in entry[1] if r not in memo and r != current]
                if pending:
                    stack.extend(pending)
                    continue
            skeleton, refs = entry
            try:
                children = b",".join([b"@" if r == current else memo[r] for r in refs])
            except KeyError:  # come back to before its references were hashed: one of them leads back to it
                raise ValueError(f"reference cycle through {current.decode()}") from None
            memo[current] = hashlib.blake2b(skeleton + b"|" + children, digest_size=16).digest()
            stack.pop()
        return memo[ref]

    @functools.cached_property
    def features(self) -> dict[int, list[tuple[str, ifcopenshell.entity_instance]]]:
        """Element step id -> its openings (``o``) and projections (``p``), read from the
        relationships once per file (asking each element for its inverses costs more)."""
        features: dict[int, list[tuple[str, ifcopenshell.entity_instance]]] = {}
        for rel in self.file.by_type("IfcRelVoidsElement"):
            features.setdefault(rel.RelatingBuildingElement.id(), []).append(("o", rel.RelatedOpeningElement))
        for rel in self.file.by_type("IfcRelProjectsElement"):
            features.setdefault(rel.RelatingElement.id(), []).append(("p", rel.RelatedFeatureElement))
        return features

    def _get_body(self, ref: bytes) -> bytes:
        body = self.text.get_body_of(ref) if self.text is not None else None
        if body is None:
            text = self.file.by_id(int(ref[1:])).to_string()
            body = text[text.index("=") + 1 :].rstrip(";").encode()
        return body


def _parse(body: bytes) -> tuple[bytes, list[bytes]]:
    """An entity's text with every ``#id`` blanked to ``#``, and the references in order."""
    if b"'" not in body:  # no string literal that could hold a '#': split at the references
        parts = _REF.split(body)  # text, ref, text, ref, ..., text
        return b"#".join(parts[0::2]), parts[1::2]
    refs = [b"#" + r for r in _TOKEN.findall(body) if r]
    return _TOKEN.sub(lambda m: m.group(0) if m.group(1) is None else b"#", body), refs


@functools.lru_cache(maxsize=None)
def get_code_fingerprint(*modules: ModuleType) -> str:
    """A digest of the source of ``modules``: a cached result made by that code changes with it.
    (Read once per process: the code does not change under a running process.)"""
    digest = hashlib.blake2b(digest_size=12)
    for module in modules:
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()


def get_mesh_digest(vertices: np.ndarray, faces: np.ndarray) -> str:
    """A digest of one mesh's ``(n, 3)`` vertices and ``(m, 3)`` faces, exactly as they are."""
    digest = hashlib.blake2b(digest_size=16)
    for array in (vertices, faces):
        digest.update(f"{array.dtype.str}{array.shape}".encode())  # dtype.str ("<f8"): str(dtype) is slow
        digest.update(np.ascontiguousarray(array).data)
    return digest.hexdigest()


def _ref_of(entity: ifcopenshell.entity_instance | None) -> bytes | None:
    """An entity's reference as a file writes it (``b"#12"``)."""
    return None if entity is None else b"#%d" % entity.id()


def _units_of(file: ifcopenshell.file) -> ifcopenshell.entity_instance | None:
    projects = file.by_type("IfcProject")
    return projects[0].UnitsInContext if projects else None


class ElementKeys:
    """Cache keys of one file's elements for one plan and settings (``hasher``: one to share
    with other calls on the same file, see :class:`StepHasher`)."""

    def __init__(self, file: ifcopenshell.file, *, plan_fingerprint: str, settings_fingerprint: str, hasher: StepHasher | None = None):
        self.hash = hasher or StepHasher(file)
        self._prefix = "|".join(
            (str(CACHE_FORMAT), ifcopenshell.version, file.schema, plan_fingerprint, settings_fingerprint, self.hash(_units_of(file)))
        )

    def __call__(self, element: ifcopenshell.entity_instance, *, refs: tuple[bytes | None, bytes] | None = None) -> str:
        """``element``'s key; ``refs``: its ``(placement, representation)`` references, when known
        (:class:`~twin.geometry.bodies.BodyRefs`): the same key, without asking the element."""
        h = self.hash
        placement, representation = refs or (_ref_of(element.ObjectPlacement), _ref_of(element.Representation))
        parts = [self._prefix, element.is_a(), h.hash_ref(representation), h.hash_ref(placement)]
        parts.extend(sorted(kind + h(feature.Representation) + h(feature.ObjectPlacement)
                            for kind, feature in h.features.get(element.id(), ())))
        return hashlib.blake2b("|".join(parts).encode(), digest_size=20).hexdigest()


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

