"""Match a model version's rooms to the ledger's by GlobalId: add, update, retire, in bulk.

Each room row keeps a digest of what the model said about it when it was last written
(``room.source_digest``: its IFC-owned columns, its storey's GlobalId, its declared areas, the
category the model implies, and its mesh, which the measuring code turns into its measured
columns). A new version of a model compares digests first: a room the model says the same
about again is carried to the new version by id, without being loaded, measured into columns,
compared field by field or written again (a model revision usually changes a storey, not the
building). Every other room is matched, updated and recorded in its history field by field.

What the ledger owns is never overwritten: a person's declared area outranks the model's, a
category set by a person stays, and ``unit``, use and remarks are not the model's to change.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Callable

import orjson
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from twin import tolerances
from twin.geometry import measure
from twin.geometry.keys import get_code_fingerprint
from twin.ledger import snapshot as snapshot_module
from twin.ledger.db import in_chunks
from twin.ledger.models import DeclaredArea, History, Model, ModelVersion, Room, RoomState, Storey, utcnow
from twin.ledger.snapshot import RoomRecord, Snapshot
from twin.standards import get_standards

#: Room fields a model version owns; a change in any of them is recorded in the room's history.
TRACKED_FIELDS = ("number", "name", "storey_global_id", "measured_area_m2", "declared_area_m2", "volume_m3")


@dataclass
class RoomSync:
    """What a version did to its model's rooms: counts, and the ids of every room it wrote
    (added, changed, retired or restored: the rooms whose warnings it can have changed)."""

    added: int = 0
    updated: int = 0
    retired: int = 0
    carried: int = 0  # rooms the model said the same about again: carried unread
    written_ids: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class _Incoming:
    """One room of the file as the ledger will store it, and the digest of that."""

    record: RoomRecord
    columns: dict[str, Any]
    category: str | None
    digest: str


def get_source_digest(columns: dict[str, Any], *, storey_global_id: str, declared: list, category: str | None,
                      geometry: str | None) -> str:
    """A digest of what a model says about a room: its ``columns`` as :func:`_room_columns`
    gives them (before a person's declared area is applied; the storey by GlobalId, not row
    id), its declared areas ``(kind, value, source)``, the category the model implies, and its
    ``geometry`` (its mesh's digest, see :attr:`ElementMesh.digest`): the measured columns are
    made from the mesh by the measuring code, so the mesh and that code's fingerprint stand
    for them, and a carried room's are never made."""
    view = {**columns, "storey_id": storey_global_id, "declared_areas": declared, "model_category": category,
            "geometry": geometry, "measuring": _get_measuring_fingerprint() if geometry is not None else None}
    return hashlib.blake2b(orjson.dumps(view, option=orjson.OPT_SORT_KEYS), digest_size=16).hexdigest()


def _get_measuring_fingerprint() -> str:
    """The code that makes a room's measured columns from its mesh (measuring, tolerances, rounding)."""
    return get_code_fingerprint(measure, tolerances, snapshot_module)


def _room_columns(record: RoomRecord, storey: Storey) -> dict[str, Any]:
    """The room table's IFC-owned columns but the measured ones (see :meth:`RoomRecord.get_measured_columns`)."""
    primary = record.primary_declared
    return {
        "storey_id": storey.id,
        "number": record.number,
        "name": record.name,
        "ifc_class": record.ifc_class,
        "object_type": record.object_type,
        "predefined_type": record.predefined_type,
        "storey_inferred": record.storey_inferred,
        "properties": record.properties,
        "declared_area_m2": round(primary.value_m2, 4) if primary else None,
        "declared_area_source": primary.source if primary else None,
    }


def _tracked(room: Room | dict[str, Any], storey_gid: str) -> dict[str, Any]:
    """The history's view of a room (an ORM object or a new room's columns)."""
    get = room.get if isinstance(room, dict) else (lambda name: getattr(room, name, None))
    values = {name: get(name) for name in TRACKED_FIELDS if name != "storey_global_id"}
    values["storey_global_id"] = storey_gid
    return values


def _get_declared_category(properties: dict[str, dict[str, Any]]) -> str | None:
    """A category code a model declares in any property set's ``Category`` property."""
    for values in properties.values():
        value = values.get("Category") if isinstance(values, dict) else None
        if isinstance(value, str) and value:
            return value
    return None


def _read_incoming(snapshot: Snapshot, storeys: dict[str, Storey]) -> dict[str, _Incoming]:
    """Every room of the file: its columns (but the measured ones), model category and digest."""
    standards = get_standards()
    incoming = {}
    for gid, record in snapshot.rooms.items():
        columns = _room_columns(record, storeys[record.storey_global_id])
        category = standards.classify(record.name, declared=_get_declared_category(record.properties))  # the model's
        declared = [(a.kind, a.value_m2, a.source) for a in record.declared_areas]
        digest = get_source_digest(columns, storey_global_id=record.storey_global_id, declared=declared, category=category,
                                   geometry=record.mesh.digest if record.mesh is not None else None)
        incoming[gid] = _Incoming(record, columns, category, digest)
    return incoming


def _is_said_again(row, new: _Incoming) -> bool:
    """Whether a stored room (a row of id, status, digest, category, category source) is what
    the model says of it again: active, the same digest, and the model's category still its own
    (or a person's)."""
    model_category = (new.category, "model" if new.category else None)
    return (row.status == "active" and row.source_digest == new.digest
            and (row.category_source == "ledger" or (row.category, row.category_source) == model_category))


def sync_rooms(session: Session, model: Model, version: ModelVersion, storeys: dict[str, Storey], snapshot: Snapshot, *,
               actor: str | None, say: Callable[[str, int, int], None]) -> RoomSync:
    """Apply a version's rooms to the ledger (see the module docstring); every room of the file
    gets a state row for this version, carried rooms included."""
    sync = RoomSync()
    total = len(snapshot.rooms)
    incoming = _read_incoming(snapshot, storeys)
    known = {row.global_id: row for row in session.execute(
        select(Room.id, Room.global_id, Room.status, Room.source_digest, Room.category, Room.category_source,
               Room.measured_area_m2, Room.declared_area_m2).where(Room.model_id == model.id))}
    carried = {gid for gid, new in incoming.items() if gid in known and _is_said_again(known[gid], new)}
    to_load = [row.id for gid, row in known.items()
               if gid not in carried and (gid in incoming or row.status != "retired")]  # changed, restored or retiring
    existing: dict[str, Room] = {}
    for chunk in in_chunks(to_load):  # held until the ingest commits: an edit meanwhile waits, then finds them changed
        existing.update((room.global_id, room) for room in session.scalars(select(Room).where(Room.id.in_(chunk)).with_for_update()))
    manual = {}  # room id -> (value, source) of the latest area a person declared
    for chunk in in_chunks([room.id for room in existing.values()]):
        for area in session.scalars(select(DeclaredArea).where(DeclaredArea.room_id.in_(chunk), DeclaredArea.origin == "ledger")
                                    .order_by(DeclaredArea.id)):
            manual[area.room_id] = (area.value_m2, area.source)
    storey_by_id = {s.id: s.global_id for s in storeys.values()}
    history: list[dict[str, Any]] = []
    created: list[dict[str, Any]] = []  # new rooms' columns, inserted in bulk (ORM objects cost more)
    kept: list[Room] = []  # rooms loaded and kept by this version
    footprints = snapshot.get_footprints([gid for gid in incoming if gid not in carried])
    for index, (gid, new) in enumerate(incoming.items()):
        if index % 200 == 0:
            say("ledger", index, total)
        if gid in carried:
            continue
        columns = {**new.columns, **new.record.get_measured_columns(footprint=footprints.get(gid)), "source_digest": new.digest}
        room = existing.get(gid)
        if room is None:
            created.append({"global_id": gid, "model_id": model.id, "first_version_id": version.id, "last_version_id": version.id,
                            **columns, "category": new.category, "category_source": "model" if new.category else None})
            continue
        if room.id in manual:  # a person's declared area outranks the model's
            columns["declared_area_m2"], columns["declared_area_source"] = round(manual[room.id][0], 4), manual[room.id][1]
        before = _tracked(room, storey_by_id.get(room.storey_id))
        was_retired = room.status == "retired"
        for name, value in columns.items():
            if getattr(room, name) != value:
                setattr(room, name, value)
        if was_retired or room.retired_at is not None:
            room.status, room.retired_at = "active", None
        kept.append(room)
        after = _tracked(room, new.record.storey_global_id)
        changes = {k: [before[k], after[k]] for k in TRACKED_FIELDS if before[k] != after[k]}
        if changes or was_retired:
            history.append(dict(entity="room", subject_id=room.id, subject_key=gid, action="restored" if was_retired else "updated",
                                changes=changes, actor=actor, model_version_id=version.id))
            sync.updated += 1
        if room.category_source != "ledger":  # the model's category until a person sets one
            source = "model" if new.category else None
            if (room.category, room.category_source) != (new.category, source):  # setting an equal value still dirties it
                room.category, room.category_source = new.category, source
    for gid, room in existing.items():
        if gid not in incoming and room.status != "retired":
            room.status, room.retired_at, room.last_version_id = "retired", utcnow(), version.id
            history.append(dict(entity="room", subject_id=room.id, subject_key=gid, action="retired",
                                changes={"number": room.number, "name": room.name}, actor=actor, model_version_id=version.id))
            sync.retired += 1
            sync.written_ids.add(room.id)
    session.flush()  # one flush: changed rooms are updated
    carried_ids = [known[gid].id for gid in carried] + [room.id for room in kept]
    for chunk in in_chunks(carried_ids):  # one statement, not an UPDATE per room
        session.execute(update(Room.__table__).where(Room.id.in_(chunk)).values(last_version_id=version.id))
    for room in kept:
        set_committed_value(room, "last_version_id", version.id)
    new_ids: dict[str, int] = {}
    for chunk in in_chunks(created):
        new_ids.update(session.execute(insert(Room.__table__).returning(Room.global_id, Room.id), chunk).all())  # Core: batched
    for row in created:
        history.append(dict(entity="room", subject_id=new_ids[row["global_id"]], subject_key=row["global_id"], action="created",
                            changes=_tracked(row, snapshot.rooms[row["global_id"]].storey_global_id), actor=actor,
                            model_version_id=version.id))
    if history:
        session.execute(insert(History.__table__), history)  # Core executemany: no per-row ORM bookkeeping
    _replace_declared_areas(session, version, incoming, kept={room.global_id: room.id for room in kept}, added=new_ids)
    # every room of the file: its id and the columns its state records
    rooms = {gid: (row.id, row.measured_area_m2, row.declared_area_m2, row.category) for gid, row in known.items() if gid in carried}
    rooms.update((room.global_id, (room.id, room.measured_area_m2, room.declared_area_m2, room.category)) for room in kept)
    rooms.update((row["global_id"], (new_ids[row["global_id"]], row["measured_area_m2"], row["declared_area_m2"], row["category"]))
                 for row in created)
    _add_states(session, version, snapshot, storeys, rooms)
    sync.added, sync.carried = len(created), len(carried)
    sync.written_ids.update(room.id for room in kept)
    sync.written_ids.update(new_ids.values())
    say("ledger", total, total)
    return sync


def _replace_declared_areas(session: Session, version: ModelVersion, incoming: dict[str, _Incoming], *,
                            kept: dict[str, int], added: dict[str, int]) -> None:
    """The model's declared areas of the rooms written (``GlobalId -> room id``, ``kept`` and
    ``added``) are replaced; a person's stay. A carried room's stay as they are: the model
    declares the same again."""
    for chunk in in_chunks(list(kept.values())):
        session.execute(delete(DeclaredArea).where(DeclaredArea.origin == "ifc", DeclaredArea.room_id.in_(chunk)))
    areas = [
        {"room_id": room_id, "kind": a.kind, "value_m2": a.value_m2, "source": a.source, "origin": "ifc", "model_version_id": version.id}
        for gid, room_id in (kept | added).items() for a in incoming[gid].record.declared_areas
    ]
    if areas:
        session.execute(insert(DeclaredArea.__table__), areas)


def _add_states(session: Session, version: ModelVersion, snapshot: Snapshot, storeys: dict[str, Storey],
                rooms: dict[str, tuple[int, float | None, float | None, str | None]]) -> None:
    """One state row per room of the file for this version (``GlobalId -> (id, measured area,
    declared area, category)`` as the ledger now holds them)."""
    storey_names = {gid: storey.name for gid, storey in storeys.items()}
    states = [
        {"model_version_id": version.id, "global_id": gid, "number": r.number, "name": r.name,
         "storey_global_id": r.storey_global_id, "storey_name": storey_names.get(r.storey_global_id),
         "measured_area_m2": rooms[gid][1], "declared_area_m2": rooms[gid][2], "category": rooms[gid][3]}
        for gid, r in snapshot.rooms.items()
    ]
    if states:
        session.execute(insert(RoomState.__table__), states)
