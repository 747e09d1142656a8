"""Ledger edits: each validated, each recorded in the append-only history with who and when,
each guarded by the record's ``row_version`` (a stale version is a :class:`StaleRecord`, 409).

Functions take a session inside a transaction and the acting :class:`twin.auth.Principal`;
they check what the principal's role allows.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from twin.auth import Forbidden, Principal
from twin.errors import NotFound, StaleRecord, TwinError
from twin.ledger.loader import PERSON_STATUSES, USE_STATUSES
from twin.ledger.models import DeclaredArea, History, Inspection, Occupancy, Person, Room, Unit
from twin.standards import get_standards


class InvalidEdit(TwinError):
    http_status = 422


def _check_version(record, expected: int | None, what: str) -> None:
    if expected is not None and record.row_version != expected:
        raise StaleRecord(f"{what} was changed by someone else (version {record.row_version}, you had {expected}); reload and try again")


def _record(session: Session, entity: str, record, key: str, action: str, changes: dict[str, Any], actor: Principal) -> None:
    session.flush()
    session.add(History(entity=entity, subject_id=record.id, subject_key=key, action=action, changes=changes, actor=actor.username))


def _apply(record, values: dict[str, Any]) -> dict[str, list[Any]]:
    changes = {}
    for name, value in values.items():
        old = getattr(record, name)
        if old != value:
            changes[name] = [old.isoformat() if isinstance(old, date) else old, value.isoformat() if isinstance(value, date) else value]
            setattr(record, name, value)
    return changes


def _save(session: Session, entity: str, record, key: str, values: dict[str, Any], *, created: bool, actor: Principal):
    """Add a new record or apply changes to an existing one, recording either in the history."""
    if created:
        session.add(record)
    changes = _apply(record, values)
    if created or changes:
        _record(session, entity, record, key, "created" if created else "edited", changes, actor)
    return record


def get_room(session: Session, global_id: str) -> Room:
    room = session.scalar(select(Room).where(Room.global_id == global_id))
    if room is None:
        raise NotFound(f"no room with GlobalId {global_id}")
    return room


def _require_room_edit(room: Room, actor: Principal) -> None:
    actor.require("admin", "unit_manager")
    if not actor.can_read_unit(room.unit_id):
        raise Forbidden("a unit manager edits only the rooms of its own unit")


def update_room(session: Session, global_id: str, values: dict[str, Any], *, actor: Principal, row_version: int | None) -> Room:
    """Change a room's ledger fields: ``category``, ``use_status``, ``unit_id``, ``remarks``."""
    room = get_room(session, global_id)
    _require_room_edit(room, actor)
    _check_version(room, row_version, f"room {room.number or global_id}")
    allowed = {"category", "use_status", "unit_id", "remarks"}
    if set(values) - allowed:
        raise InvalidEdit(f"cannot change {', '.join(sorted(set(values) - allowed))} of a room")
    if "unit_id" in values and actor.role != "admin":
        raise Forbidden("only the bureau (admin) allocates rooms to units")
    if values.get("use_status") is not None and values["use_status"] not in USE_STATUSES:
        raise InvalidEdit(f"use_status must be one of {', '.join(USE_STATUSES)}")
    if values.get("category") is not None:
        category = get_standards().get_category(values["category"])
        if category is None:
            raise InvalidEdit(f"unknown category {values['category']!r}")
        values["category"] = category.code
        values["category_source"] = "ledger"
    if values.get("unit_id") is not None and session.get(Unit, values["unit_id"]) is None:
        raise InvalidEdit(f"no unit {values['unit_id']}")
    if "use_status" in values and values["use_status"] != room.use_status:
        values["use_status_since"] = date.today()
    changes = _apply(room, values)
    if changes:
        _record(session, "room", room, room.global_id, "edited", changes, actor)
    return room


def add_declared_area(session: Session, global_id: str, *, kind: str, value_m2: float, source: str, actor: Principal) -> DeclaredArea:
    """Record an area declared outside the model (a title deed, a survey); it becomes the room's
    primary declared area and survives model updates."""
    room = get_room(session, global_id)
    _require_room_edit(room, actor)
    if kind not in ("NetFloorArea", "GrossFloorArea", "Area"):
        raise InvalidEdit("kind must be NetFloorArea, GrossFloorArea or Area")
    if not 0 < value_m2 < 1e6:
        raise InvalidEdit("an area must be positive (m2)")
    if not source.strip():
        raise InvalidEdit("say where the area comes from (source)")
    area = DeclaredArea(room_id=room.id, kind=kind, value_m2=value_m2, source=source.strip(), origin="ledger")
    session.add(area)
    changes = _apply(room, {"declared_area_m2": round(value_m2, 4), "declared_area_source": source.strip()})
    _record(session, "room", room, room.global_id, "declared_area", changes, actor)
    return area


def add_inspection(session: Session, global_id: str, *, finding: str, severity: str, surveyed_area_m2: float | None, actor: Principal) -> Inspection:
    room = get_room(session, global_id)
    actor.require("admin", "inspector")
    if severity not in ("info", "warning", "violation"):
        raise InvalidEdit("severity must be info, warning or violation")
    if not finding.strip():
        raise InvalidEdit("a finding needs text")
    inspection = Inspection(room_id=room.id, inspector=actor.username, finding=finding.strip(), severity=severity, surveyed_area_m2=surveyed_area_m2)
    session.add(inspection)
    _record(session, "room", room, room.global_id, "inspected", {"finding": finding.strip(), "severity": severity}, actor)
    return inspection


def save_person(session: Session, code: str, values: dict[str, Any], *, actor: Principal, row_version: int | None = None) -> Person:
    """Create or change a person (name, rank, unit, title, status, status_since)."""
    actor.require("admin", "unit_manager")
    person = session.scalar(select(Person).where(Person.code == code))
    created = person is None
    if created:
        missing = {"name", "rank", "unit_id"} - {k for k, v in values.items() if v is not None}
        if missing:
            raise InvalidEdit(f"a new person needs {', '.join(sorted(missing))}")
        person = Person(code=code)
    else:
        _check_version(person, row_version, f"person {code}")
        if not actor.can_read_unit(person.unit_id):
            raise Forbidden("a unit manager edits only the people of its own unit")
    values = {k: v for k, v in values.items() if v is not None}
    unit = session.get(Unit, values.get("unit_id", person.unit_id))
    if unit is None:
        raise InvalidEdit(f"no unit {values.get('unit_id')}")
    if not actor.can_read_unit(unit.id):
        raise Forbidden("a unit manager edits only the people of its own unit")
    rank = values.get("rank", person.rank)
    if rank not in get_standards().ranks.get(unit.reference_level, {}):
        raise InvalidEdit(f"rank {rank!r} is not a rank of level {unit.reference_level}")
    if values.get("status", "active") not in PERSON_STATUSES:
        raise InvalidEdit(f"status must be one of {', '.join(PERSON_STATUSES)}")
    return _save(session, "person", person, code, values, created=created, actor=actor)


def move_in(session: Session, global_id: str, person_code: str, *, start: date, kind: str, approved: bool, actor: Principal) -> Occupancy:
    """A person starts using a room."""
    room = get_room(session, global_id)
    _require_room_edit(room, actor)
    person = session.scalar(select(Person).where(Person.code == person_code))
    if person is None:
        raise NotFound(f"no person {person_code}")
    if not actor.can_read_unit(person.unit_id):
        raise Forbidden("a unit manager moves only the people of its own unit")
    if kind not in ("primary", "second"):
        raise InvalidEdit("kind must be primary or second")
    if room.status != "active":
        raise InvalidEdit(f"room {room.number} is retired")
    open_here = session.scalar(select(Occupancy).where(Occupancy.room_id == room.id, Occupancy.person_id == person.id, Occupancy.end_date.is_(None)))
    if open_here is not None:
        raise InvalidEdit(f"{person_code} already uses room {room.number}")
    occupancy = Occupancy(room_id=room.id, person_id=person.id, start_date=start, kind=kind, approved=approved)
    session.add(occupancy)
    if room.use_status in (None, "vacant", "reserve"):
        room.use_status, room.use_status_since = "in_use", start
    _record(session, "room", room, room.global_id, "move_in", {"person": person_code, "kind": kind, "start_date": start.isoformat()}, actor)
    return occupancy


def move_out(session: Session, occupancy_id: int, *, end: date, actor: Principal) -> Occupancy:
    """A person stops using a room; the room becomes vacant when nobody is left."""
    occupancy = session.get(Occupancy, occupancy_id)
    if occupancy is None:
        raise NotFound(f"no occupancy {occupancy_id}")
    room = occupancy.room
    _require_room_edit(room, actor)
    if occupancy.end_date is not None:
        raise InvalidEdit("this occupancy has ended already")
    if end < occupancy.start_date:
        raise InvalidEdit("the end date is before the start date")
    occupancy.end_date = end
    session.flush()
    remaining = session.scalar(select(Occupancy.id).where(Occupancy.room_id == room.id, Occupancy.end_date.is_(None)))
    if remaining is None and room.use_status == "in_use":
        room.use_status, room.use_status_since = "vacant", end
    _record(session, "room", room, room.global_id, "move_out", {"person": occupancy.person.code, "end_date": end.isoformat()}, actor)
    return occupancy


def save_unit(session: Session, code: str, values: dict[str, Any], *, actor: Principal, row_version: int | None = None) -> Unit:
    """Create or change a using unit (admin only)."""
    actor.require("admin")
    unit = session.scalar(select(Unit).where(Unit.code == code))
    created = unit is None
    if created:
        if not values.get("name") or not values.get("admin_level"):
            raise InvalidEdit("a new unit needs name and admin_level")
        unit = Unit(code=code)
    else:
        _check_version(unit, row_version, f"unit {code}")
    values = {k: v for k, v in values.items() if v is not None}
    standards = get_standards()
    if created and not values.get("reference_level"):
        values["reference_level"] = values["admin_level"]
    for key in ("admin_level", "reference_level"):
        if key in values and values[key] not in standards.ranks:
            raise InvalidEdit(f"unknown level {values[key]!r}")
    level = values.get("reference_level", unit.reference_level)
    for rank, count in values.get("approved_posts", {}).items():
        if rank not in standards.ranks[level] or int(count) < 0:
            raise InvalidEdit(f"approved posts: {rank!r} x {count} is not valid for level {level}")
    return _save(session, "unit", unit, code, values, created=created, actor=actor)
