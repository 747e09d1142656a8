"""Ledger writes: rooms, declared areas, inspections, occupancy, people and units.

Each route runs one transaction; a stale ``row_version`` (someone else changed the record) is
409, a refused role 403, bad values 422 — all as problem+json.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from api.deps import Id, SessionDep
from api.schemas import DeclaredAreaIn, InspectionIn, MoveIn, MoveOut, PersonIn, RoomEdit, UnitIn
from api.security import CurrentUser
from twin.alerts.engine import refresh_warnings
from twin.auth import Forbidden
from twin.ledger import edits
from twin.ledger.card import get_room_card
from twin.ledger.models import Person, Unit

router = APIRouter(prefix="/api", tags=["ledger"])


def _card(session, global_id: str, user) -> dict:
    return get_room_card(session.connection(), global_id, with_names=user.sees_names)


@router.patch("/rooms/{global_id}")
def edit_room(session: SessionDep, user: CurrentUser, global_id: str, body: RoomEdit) -> dict:
    values = body.model_dump(exclude_unset=True, exclude={"row_version"})
    edits.update_room(session, global_id, values, actor=user, row_version=body.row_version)
    refresh_warnings(session)
    session.commit()
    return _card(session, global_id, user)


@router.post("/rooms/{global_id}/declared-areas", status_code=201)
def add_declared_area(session: SessionDep, user: CurrentUser, global_id: str, body: DeclaredAreaIn) -> dict:
    edits.add_declared_area(session, global_id, kind=body.kind, value_m2=body.value_m2, source=body.source, actor=user)
    refresh_warnings(session)
    session.commit()
    return _card(session, global_id, user)


@router.post("/rooms/{global_id}/inspections", status_code=201)
def add_inspection(session: SessionDep, user: CurrentUser, global_id: str, body: InspectionIn) -> dict:
    edits.add_inspection(session, global_id, finding=body.finding, severity=body.severity, surveyed_area_m2=body.surveyed_area_m2, actor=user)
    refresh_warnings(session)
    session.commit()
    return _card(session, global_id, user)


@router.post("/rooms/{global_id}/occupants", status_code=201)
def move_in(session: SessionDep, user: CurrentUser, global_id: str, body: MoveIn) -> dict:
    edits.move_in(session, global_id, body.person_code, start=body.start_date, kind=body.kind, approved=body.approved, actor=user)
    refresh_warnings(session)
    session.commit()
    return _card(session, global_id, user)


@router.post("/occupancies/{occupancy_id}/end")
def move_out(session: SessionDep, user: CurrentUser, occupancy_id: Id, body: MoveOut) -> dict:
    occupancy = edits.move_out(session, occupancy_id, end=body.end_date, actor=user)
    global_id = occupancy.room.global_id
    refresh_warnings(session)
    session.commit()
    return _card(session, global_id, user)


def _person_dict(person: Person) -> dict:
    return {
        "code": person.code, "name": person.name, "rank": person.rank, "unit_id": person.unit_id, "title": person.title,
        "status": person.status, "status_since": person.status_since.isoformat() if person.status_since else None,
        "row_version": person.row_version,
    }


@router.get("/people")
def list_people(
    session: SessionDep, user: CurrentUser,
    unit_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[dict]:
    if not user.sees_names:
        raise Forbidden("the viewer role sees no personal data")
    query = select(Person).order_by(Person.code)
    if user.role == "unit_manager":
        unit_id = user.unit_id
    if unit_id is not None:
        query = query.where(Person.unit_id == unit_id)
    if q:
        query = query.where(Person.name.ilike(f"%{q}%") | (Person.code == q))
    return [_person_dict(p) for p in session.scalars(query.limit(limit))]


@router.put("/people/{code}")
def save_person(session: SessionDep, user: CurrentUser, code: str, body: PersonIn) -> dict:
    person = edits.save_person(session, code, body.model_dump(exclude={"row_version"}), actor=user, row_version=body.row_version)
    refresh_warnings(session)
    session.commit()
    return _person_dict(person)


def _unit_dict(unit: Unit) -> dict:
    return {
        "id": unit.id, "code": unit.code, "name": unit.name, "kind": unit.kind, "admin_level": unit.admin_level,
        "reference_level": unit.reference_level, "approved_posts": unit.approved_posts, "row_version": unit.row_version,
    }


@router.get("/units")
def list_units(session: SessionDep, user: CurrentUser) -> list[dict]:
    query = select(Unit).order_by(Unit.code)
    if user.role == "unit_manager":
        query = query.where(Unit.id == user.unit_id)
    return [_unit_dict(u) for u in session.scalars(query)]


@router.put("/units/{code}")
def save_unit(session: SessionDep, user: CurrentUser, code: str, body: UnitIn) -> dict:
    unit = edits.save_unit(session, code, body.model_dump(exclude={"row_version"}), actor=user, row_version=body.row_version)
    refresh_warnings(session)
    session.commit()
    return _unit_dict(unit)
