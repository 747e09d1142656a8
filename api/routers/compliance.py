"""Compliance over HTTP: warnings, units against approved areas, model versions compared,
deviation summary, and room finding."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import Field
from sqlalchemy import func, select

from api.deps import Id, SessionDep
from api.schemas import Body
from api.security import CurrentUser
from twin.alerts.engine import refresh_warnings, set_warning_status
from twin.auth import Forbidden
from twin.compliance.deviation import CLASSES, Deviation
from twin.compliance.facts import read_facts
from twin.compliance.unit import check_units
from twin.compliance.versions import compare_versions
from twin.errors import NotFound
from twin.finder import Need, find_rooms
from twin.ledger.models import Model, Room, Storey, Warning
from twin.ledger.card import warning_to_dict
from twin.standards import get_standards

router = APIRouter(prefix="/api", tags=["compliance"])


@router.get("/warnings")
def list_warnings(
    session: SessionDep, user: CurrentUser,
    status: Annotated[str | None, Query(pattern="^(open|acknowledged|resolved|active)$")] = "active",
    rule: Annotated[str | None, Query(max_length=64)] = None,
    severity: Annotated[str | None, Query(pattern="^(info|warning|critical)$")] = None,
    unit_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict:
    """Warnings, most severe first; ``status=active`` means open or acknowledged."""
    query = select(Warning)
    if status == "active":
        query = query.where(Warning.status != "resolved")
    elif status:
        query = query.where(Warning.status == status)
    if rule:
        query = query.where(Warning.rule == rule)
    if severity:
        query = query.where(Warning.severity == severity)
    if user.role == "unit_manager":
        unit_id = user.unit_id
    if unit_id is not None:
        query = query.where(Warning.unit_id == unit_id)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    order = func.coalesce(func.nullif(Warning.severity, "critical"), "a")  # critical first
    rows = session.scalars(query.order_by(order, Warning.rule, Warning.first_seen, Warning.id).offset(offset).limit(limit)).all()
    room_ids = [w.room_id for w in rows if w.room_id]
    rooms = {row.id: row for row in session.execute(
        select(Room.id, Room.global_id, Room.number, Room.storey_id, Storey.building_id)
        .join(Storey, Room.storey_id == Storey.id).where(Room.id.in_(room_ids))).all()}
    items = []
    for warning in rows:
        item = warning_to_dict(warning, with_names=user.sees_names)
        room = rooms.get(warning.room_id)
        item.update({"room_global_id": room.global_id if room else None, "room_number": room.number if room else None,
                     "storey_id": room.storey_id if room else None, "building_id": room.building_id if room else None})
        items.append(item)
    return {"items": items, "total": int(total or 0)}


class WarningStatus(Body):
    status: str = Field(pattern="^(open|acknowledged)$")


@router.patch("/warnings/{warning_id}")
def update_warning(session: SessionDep, user: CurrentUser, warning_id: Id, body: WarningStatus) -> dict:
    user.require("admin", "inspector", "unit_manager")
    warning = session.get(Warning, warning_id)
    if warning is None:
        raise NotFound(f"no warning {warning_id}")
    if not user.can_read_unit(warning.unit_id):
        raise Forbidden("a unit manager handles only its own unit's warnings")
    set_warning_status(session, warning_id, body.status, actor=user.username)
    session.commit()
    return warning_to_dict(session.get(Warning, warning_id), with_names=user.sees_names)


@router.post("/warnings/refresh")
def refresh(session: SessionDep, user: CurrentUser) -> dict:
    """Re-evaluate every rule over the whole ledger now (ledger changes do too; an ingest
    re-evaluates what the rooms it wrote can change)."""
    user.require("admin", "inspector")
    report = refresh_warnings(session)
    session.commit()
    return {"opened": report.opened, "still_open": report.still_open, "resolved": report.resolved}


@router.get("/compliance/units")
def units_compliance(session: SessionDep, user: CurrentUser) -> list[dict]:
    """Each unit's approved area (2014 formula) against its actual area, per category kind."""
    facts = read_facts(session)
    out = []
    for unit_id, check in check_units(facts, get_standards()).items():
        if not user.can_read_unit(unit_id):
            continue
        unit = facts.units[unit_id]
        out.append({
            "unit_id": unit_id, "code": unit.code, "name": unit.name, "reference_level": unit.reference_level,
            "posts": check.posts, "k": check.k, "approved": check.approved, "actual": check.actual,
            "difference": {key: dict(zip(("m2", "pct"), check.get_difference(key))) for key in ("office", "service", "plant", "usable", "building")},
            "is_over": check.is_over,
        })
    return out


@router.get("/compliance/deviations")
def deviation_summary(session: SessionDep, user: CurrentUser, building_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None) -> dict:
    """Rooms per declared-vs-measured class (within 1 %, within 5 %, over 5 %, none declared, no geometry)."""
    query = select(Room.measured_area_m2, Room.declared_area_m2).where(Room.status == "active")
    if user.role == "unit_manager":
        query = query.where(Room.unit_id == user.unit_id)
    if building_id is not None:
        query = query.join(Storey, Room.storey_id == Storey.id).where(Storey.building_id == building_id)
    counts = dict.fromkeys(CLASSES, 0)
    for measured, declared in session.execute(query).all():
        counts[Deviation(measured, declared).category] += 1
    return counts


@router.get("/models/{model_id}/compare")
def compare(session: SessionDep, user: CurrentUser, model_id: Id,
            from_version: Annotated[int | None, Query(ge=1, le=100000)] = None,
            to_version: Annotated[int | None, Query(ge=1, le=100000)] = None) -> dict:
    """Rooms added, removed and changed between two versions (default: the last two)."""
    model = session.get(Model, model_id)
    if model is None:
        raise NotFound(f"no model {model_id}")
    seqs = [v.seq for v in model.versions]
    to_version = to_version or (seqs[-1] if seqs else 1)
    from_version = from_version or (seqs[-2] if len(seqs) > 1 else to_version)
    return compare_versions(session, model_id, from_version, to_version).to_dict()


class NeedIn(Body):
    ranks: dict[str, int] = Field(description="rank -> head count, e.g. {'正处级': 1, '副处级': 2, '处级以下': 6}")
    level: str = Field("provincial", max_length=32)
    building_id: int | None = Field(None, ge=1, le=2**31 - 1)
    storey_id: int | None = Field(None, ge=1, le=2**31 - 1)
    max_rooms: int = Field(4, ge=1, le=6)
    limit: int = Field(10, ge=1, le=50)


@router.post("/finder")
def finder(session: SessionDep, user: CurrentUser, body: NeedIn) -> dict:
    """Vacant rooms or adjacent groups on one storey fitting a staffing need, least waste first."""
    user.require("admin", "unit_manager", "inspector")
    need = Need(body.level, tuple(body.ranks.items()))
    required, candidates = find_rooms(session, need, building_id=body.building_id, storey_id=body.storey_id,
                                      max_rooms=body.max_rooms, limit=body.limit)
    return {"required_m2": required, "people": need.people, "candidates": [c.to_dict() for c in candidates]}
