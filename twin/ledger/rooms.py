"""Read rooms out of the ledger: flat rows for lists and exports, a search, and a room's card."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, bindparam, case, func, or_, select
from sqlalchemy.orm import Session, defer

from twin.errors import NotFound
from twin.ledger.models import Building, DeclaredArea, History, Inspection, Occupancy, Person, Room, Storey, Unit, Warning
from twin.standards import UnknownLevel, UnknownRank, get_standards

#: The columns of a room row, in order; ``twin rooms --format json`` gives exactly these keys.
ROOM_ROW_KEYS = (
    "global_id",
    "building",
    "storey",
    "number",
    "name",
    "measured_area_m2",
    "declared_area_m2",
    "declared_area_source",
    "volume_m3",
    "height_m",
    "perimeter_m",
    "status",
)

#: Declared minus measured, in % of measured (NULL where either is missing).
DEVIATION_PCT = case(
    (Room.measured_area_m2 > 0, (Room.declared_area_m2 - Room.measured_area_m2) * 100.0 / Room.measured_area_m2),
    else_=None,
)

SORTS = {
    "number": Room.number,
    "name": Room.name,
    "measured_area": Room.measured_area_m2,
    "declared_area": Room.declared_area_m2,
    "deviation": func.abs(DEVIATION_PCT),
    "storey": Storey.elevation_m,
    "building": Building.name,
}


def _named(column_name, column_long, column_gid, value: str):
    return or_(column_name == value, column_long == value, column_gid == value)


def select_rooms(*, building: str | None = None, storey: str | None = None, include_retired: bool = False) -> Select:
    """A query of (Room, Storey, Building) rows, filtered by building/storey name or GlobalId."""
    query = (
        select(Room, Storey, Building, Unit)
        .join(Storey, Room.storey_id == Storey.id)
        .join(Building, Storey.building_id == Building.id)
        .outerjoin(Unit, Room.unit_id == Unit.id)
        .options(defer(Storey.plan_walls), defer(Building.outline), defer(Building.outline_wgs84), defer(Unit.approved_posts))
    )
    if building:
        query = query.where(_named(Building.name, Building.long_name, Building.global_id, building))
    if storey:
        query = query.where(_named(Storey.name, Storey.long_name, Storey.global_id, storey))
    if not include_retired:
        query = query.where(Room.status == "active")
    return query.order_by(Building.name, Storey.elevation_m, Room.number, Room.global_id)


#: The row's columns as plain SQL columns (no ORM objects: a page of rooms loads faster).
ROW_COLUMNS = (
    Room.global_id, Building.name.label("building_name"), Building.long_name.label("building_long_name"),
    Storey.name.label("storey_name"), Storey.long_name.label("storey_long_name"), Room.number, Room.name,
    Room.measured_area_m2, Room.declared_area_m2, Room.declared_area_source, Room.volume_m3, Room.height_m,
    Room.perimeter_m, Room.status, Room.category, Room.use_status, Room.compliance,
    Building.id.label("building_id"), Storey.id.label("storey_id"), Unit.id.label("unit_id"), Unit.name.label("unit_name"),
)


def columns_to_row(row: Sequence[Any]) -> dict[str, Any]:
    """A result whose first columns are :data:`ROW_COLUMNS` (in order) as the same dict :func:`to_row` makes.

    Unpacked by position: a page of 1,000 rows costs a few milliseconds less than by name."""
    (global_id, building_name, building_long_name, storey_name, storey_long_name, number, name, measured, declared,
     declared_source, volume, height, perimeter, status, category, use_status, compliance, building_id, storey_id,
     unit_id, unit_name) = row[:_ROW_WIDTH]
    deviation = None
    if declared is not None and measured:
        deviation = round((declared - measured) * 100.0 / measured, 2)
    return {
        "global_id": global_id, "building": building_name or building_long_name, "storey": storey_name or storey_long_name,
        "number": number, "name": name, "measured_area_m2": measured, "declared_area_m2": declared,
        "declared_area_source": declared_source, "volume_m3": volume, "height_m": height, "perimeter_m": perimeter,
        "status": status, "deviation_pct": deviation, "category": category, "use_status": use_status, "compliance": compliance,
        "building_id": building_id, "storey_id": storey_id, "unit_id": unit_id, "unit_name": unit_name,
    }


_ROW_WIDTH = len(ROW_COLUMNS)
#: Rows of every room with its storey, building and unit; searches and the card add to it.
_ROWS_FROM = (
    select(*ROW_COLUMNS).join(Storey, Room.storey_id == Storey.id).join(Building, Storey.building_id == Building.id)
    .outerjoin(Unit, Room.unit_id == Unit.id)
)


def to_row(room: Room, storey: Storey, building: Building, unit: Unit | None = None) -> dict[str, Any]:
    """One room (ORM objects) as the same flat dict :func:`columns_to_row` makes."""
    return columns_to_row((
        room.global_id, building.name, building.long_name, storey.name, storey.long_name, room.number, room.name,
        room.measured_area_m2, room.declared_area_m2, room.declared_area_source, room.volume_m3, room.height_m,
        room.perimeter_m, room.status, room.category, room.use_status, room.compliance, building.id, storey.id,
        unit.id if unit else None, unit.name if unit else None,
    ))


def list_rooms(session: Session, **filters: Any) -> Sequence[dict[str, Any]]:
    """Rooms as rows with exactly :data:`ROOM_ROW_KEYS` (see :func:`select_rooms` for the filters)."""
    return [{k: row[k] for k in ROOM_ROW_KEYS} for row in (to_row(*r) for r in session.execute(select_rooms(**filters)).all())]


@dataclass(frozen=True)
class RoomSearch:
    """A room search: free text over number/name, filters, sorting (``-`` for descending), a page."""

    q: str | None = None
    building_id: int | None = None
    storey_id: int | None = None
    unit_id: int | None = None
    category: str | None = None
    use_status: str | None = None
    compliance: str | None = None
    min_area_m2: float | None = None
    max_area_m2: float | None = None
    min_deviation_pct: float | None = None
    include_retired: bool = False
    sort: str = "number"
    offset: int = 0
    limit: int = 50


#: Search filters: RoomSearch field -> the condition it adds, on a bound parameter of the same name.
_FILTERS = {
    "building_id": lambda: Storey.building_id == bindparam("building_id"),
    "storey_id": lambda: Room.storey_id == bindparam("storey_id"),
    "unit_id": lambda: Room.unit_id == bindparam("unit_id"),
    "category": lambda: Room.category == bindparam("category"),
    "use_status": lambda: Room.use_status == bindparam("use_status"),
    "compliance": lambda: Room.compliance == bindparam("compliance"),
    "min_area_m2": lambda: Room.measured_area_m2 >= bindparam("min_area_m2"),
    "max_area_m2": lambda: Room.measured_area_m2 <= bindparam("max_area_m2"),
    "min_deviation_pct": lambda: func.abs(DEVIATION_PCT) >= bindparam("min_deviation_pct"),
}


@functools.lru_cache(maxsize=256)
def _search_statements(filters: frozenset[str], *, has_text: bool, include_retired: bool, sort: str, dialect: str) -> tuple[Select, Select]:
    """The (page, count) statements of one shape of search, built once: requests of the same
    shape differ only in their parameters, so SQLAlchemy finds them compiled already."""
    query = _ROWS_FROM if include_retired else _ROWS_FROM.where(Room.status == "active")
    if has_text:  # SQLite's LIKE ignores ASCII case by itself (as its lower() does); PostgreSQL needs ILIKE
        like = "like" if dialect == "sqlite" else "ilike"
        pattern = bindparam("pattern")
        query = query.where(or_(
            getattr(Room.number, like)(pattern, escape="/"), getattr(Room.name, like)(pattern, escape="/"), Room.global_id == bindparam("q"),
        ))
    for name in sorted(filters):
        query = query.where(_FILTERS[name]())
    column = SORTS.get(sort.lstrip("-"), Room.number)
    order = column.desc() if sort.startswith("-") else column.asc()
    page = query.order_by(order.nulls_last(), Room.global_id).offset(bindparam("offset")).limit(bindparam("limit"))
    return page, query.with_only_columns(func.count(Room.id), maintain_column_froms=True)


def search_rooms(session: Session, search: RoomSearch) -> tuple[list[dict[str, Any]], int]:
    """One page of rooms matching ``search``, and how many match in all."""
    connection = session.connection()  # plain columns through Core: no ORM loading
    params: dict[str, Any] = {name: getattr(search, name) for name in _FILTERS if getattr(search, name) not in (None, "")}
    text = (search.q or "").strip()
    page, count = _search_statements(
        frozenset(params), has_text=bool(text), include_retired=search.include_retired, sort=search.sort, dialect=connection.dialect.name,
    )
    if text:
        escaped = text.replace("/", "//").replace("%", "/%").replace("_", "/_")
        params.update(q=text, pattern=f"%{escaped}%")
    rows = [columns_to_row(r) for r in connection.execute(page, {**params, "offset": search.offset, "limit": search.limit}).all()]
    if 0 < len(rows) < search.limit or (search.offset == 0 and not rows):  # the last page tells the total itself
        return rows, search.offset + len(rows)
    return rows, int(connection.scalar(count, params) or 0)


#: The room columns the card shows beyond :data:`ROW_COLUMNS`, under their own names.
CARD_COLUMNS = (
    Room.object_type, Room.predefined_type, Room.remarks, Room.footprint, Room.centroid, Room.bbox,
    Room.is_closed, Room.storey_inferred, Room.row_version, Room.properties,
)
_CARD_ROOM_KEYS = tuple(c.key for c in CARD_COLUMNS)


def _build_card_queries() -> dict[str, Select]:
    """The room card's statements, built once (only their parameters change per request); all
    but the room itself select plain columns, which is cheaper than loading ORM objects."""
    room_id = bindparam("room_id")
    return {
        "row": _ROWS_FROM.add_columns(Room.id, *CARD_COLUMNS).where(Room.global_id == bindparam("global_id")),
        "areas": select(DeclaredArea.kind, DeclaredArea.value_m2, DeclaredArea.source, DeclaredArea.origin)
        .where(DeclaredArea.room_id == room_id).order_by(DeclaredArea.id),
        "history": select(History.at, History.action, History.model_version_id, History.changes, History.actor)
        .where(History.entity == "room", History.subject_id == room_id).order_by(History.at.desc(), History.id.desc()),
        "inspections": select(Inspection.at, Inspection.finding, Inspection.severity, Inspection.surveyed_area_m2, Inspection.inspector)
        .where(Inspection.room_id == room_id).order_by(Inspection.at.desc()),
        "warnings": select(*Warning.__table__.columns).where(Warning.room_id == room_id, Warning.status != "resolved")
        .order_by(Warning.first_seen),
        "occupants": select(Occupancy.id, Occupancy.kind, Occupancy.start_date, Person.rank, Person.status, Person.code,
                            Person.name, Person.title, Unit.name.label("unit_name"), Unit.reference_level)
        .join(Person, Occupancy.person_id == Person.id).join(Unit, Person.unit_id == Unit.id)
        .where(Occupancy.room_id == room_id, Occupancy.end_date.is_(None)).order_by(Occupancy.start_date, Person.code),
    }


def get_occupants(session: Session, room_id: int, *, with_names: bool) -> list[dict[str, Any]]:
    """A room's current occupants with rank and the standard (m2) their rank has in their unit."""
    standards = get_standards()
    rows = session.connection().execute(_CARD_QUERIES["occupants"], {"room_id": room_id}).all()
    occupants = []
    for row in rows:
        try:
            standard = standards.get_limit_m2(row.reference_level, row.rank)
        except (UnknownRank, UnknownLevel):
            standard = None
        entry = {
            "occupancy_id": row.id, "rank": row.rank, "standard_m2": standard, "kind": row.kind,
            "since": row.start_date.isoformat(), "status": row.status, "unit_name": row.unit_name,
        }
        if with_names:
            entry.update({"person_code": row.code, "name": row.name, "title": row.title})
        occupants.append(entry)
    return occupants


def get_room_card(session: Session, global_id: str, *, with_names: bool = True) -> dict[str, Any]:
    """Everything about one room: its row, measures, declared areas with sources, occupants
    (names only ``with_names``), inspections and history."""
    connection = session.connection()  # Core execution: no ORM loading for plain columns (3x less overhead)
    room = connection.execute(_CARD_QUERIES["row"], {"global_id": global_id}).first()
    if room is None:
        raise NotFound(f"no room with GlobalId {global_id}")
    by_room = {"room_id": room.id}
    areas = connection.execute(_CARD_QUERIES["areas"], by_room).all()
    history = connection.execute(_CARD_QUERIES["history"], by_room).all()
    inspections = connection.execute(_CARD_QUERIES["inspections"], by_room).all()
    warnings = connection.execute(_CARD_QUERIES["warnings"], by_room).all()
    return {
        **columns_to_row(room),
        "occupants": get_occupants(session, room.id, with_names=with_names),
        "inspections": [
            {"at": i.at.isoformat(), "finding": i.finding, "severity": i.severity, "surveyed_area_m2": i.surveyed_area_m2,
             **({"inspector": i.inspector} if with_names else {})}
            for i in inspections
        ],
        "warnings": [warning_to_dict(w, with_names=with_names) for w in warnings],
        **{key: getattr(room, key) for key in _CARD_ROOM_KEYS},
        "declared_areas": [{"kind": a.kind, "value_m2": a.value_m2, "source": a.source, "origin": a.origin} for a in areas],
        "history": [
            {"at": h.at.isoformat(), "action": h.action, "model_version_id": h.model_version_id,
             **({"changes": h.changes, "actor": h.actor} if with_names else {"changes": _without_people(h.changes)})}
            for h in history
        ],
    }


def _without_people(changes: dict[str, Any]) -> dict[str, Any]:
    """History changes with personal references removed (for roles that see no names)."""
    return {k: v for k, v in (changes or {}).items() if k not in ("person", "finding", "name_of_person")}


#: Warning rule titles, for roles that see no names (the messages name people).
RULE_TITLES = {
    "person_over_standard": ("人员办公用房超标", "person over standard"),
    "room_over_standard": ("办公室面积超过使用人标准之和", "office over its occupants' standards"),
    "multiple_offices": ("多处占用办公室", "more than one office"),
    "unit_over_approved": ("单位超核定面积", "unit over approved area"),
    "declared_vs_measured": ("申报与实测面积不符", "declared and measured areas disagree"),
    "vacant_too_long": ("长期空置", "vacant too long"),
    "departed_still_holding": ("离岗人员未腾退", "departed person still holds a room"),
    "second_office_past_grace": ("兼职办公室逾期未腾退", "second office past its grace"),
    "used_against_category": ("改变用途", "used against its category"),
    "removed_room_with_occupants": ("模型删除了有人使用的房间", "model removed an occupied room"),
}


def warning_to_dict(warning, *, with_names: bool = True) -> dict[str, Any]:
    """A warning (ORM object or row of its columns) for the API; without names, the message is the
    rule's title and the subject."""
    zh, en = RULE_TITLES.get(warning.rule, (warning.rule, warning.rule))
    evidence = dict(warning.evidence or {})
    message, message_en = warning.message, evidence.pop("message_en", None)
    if not with_names:
        message, message_en = zh, en
        evidence = {k: v for k, v in evidence.items() if k not in ("occupants",)}
        subject = None if warning.subject_kind == "person" else warning.subject_key.split("/", 1)[0]  # room/person keys
    else:
        subject = warning.subject_key
    return {
        "id": warning.id, "rule": warning.rule, "title": zh, "title_en": en, "severity": warning.severity,
        "subject_kind": warning.subject_kind, "subject_key": subject, "room_id": warning.room_id, "unit_id": warning.unit_id,
        "message": message, "message_en": message_en, "evidence": evidence, "status": warning.status,
        "first_seen": warning.first_seen.isoformat(), "last_seen": warning.last_seen.isoformat(),
        "resolved_at": warning.resolved_at.isoformat() if warning.resolved_at else None,
    }


_CARD_QUERIES = _build_card_queries()
