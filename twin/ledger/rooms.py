"""Read rooms out of the ledger: flat rows for lists and exports, and a search (the card: :mod:`twin.ledger.card`)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, bindparam, case, func, or_, select
from sqlalchemy.orm import Session, defer

from twin.ledger.models import Building, Room, Storey, Unit

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
ROOM_ROWS = (
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
    shape differ only in their parameters, so SQLAlchemy finds them compiled already. The page's
    rows carry the number of all matches (``total``); the count is for pages past the end."""
    # Matches are found, sorted and counted by id (from the search index alone); only the
    # page's rows are read whole: sorting whole rows would read every match's footprint and all.
    query = select(Room.id).join(Storey, Room.storey_id == Storey.id).join(Building, Storey.building_id == Building.id)
    if not include_retired:
        query = query.where(Room.status == "active")
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
    ordering = (order.nulls_last(), Room.global_id)
    # the page's ids, each with the count of all matches (a window over the rows before the limit)
    ids = (query.add_columns(func.count().over().label("total")).order_by(*ordering)
           .offset(bindparam("offset")).limit(bindparam("limit")).subquery("page"))
    page = ROOM_ROWS.add_columns(ids.c.total).join(ids, ids.c.id == Room.id).order_by(*ordering)
    return page, query.with_only_columns(func.count(Room.id), maintain_column_froms=True)


def search_rooms(connection: Connection, search: RoomSearch) -> tuple[list[dict[str, Any]], int]:
    """One page of rooms matching ``search``, and how many match in all (plain columns through
    Core: no ORM loading)."""
    params: dict[str, Any] = {name: getattr(search, name) for name in _FILTERS if getattr(search, name) not in (None, "")}
    text = (search.q or "").strip()
    page, count = _search_statements(
        frozenset(params), has_text=bool(text), include_retired=search.include_retired, sort=search.sort, dialect=connection.dialect.name,
    )
    if text:
        escaped = text.replace("/", "//").replace("%", "/%").replace("_", "/_")
        params.update(q=text, pattern=f"%{escaped}%")
    found = connection.execute(page, {**params, "offset": search.offset, "limit": search.limit}).all()
    if found:
        return [columns_to_row(r) for r in found], found[0].total
    if search.offset == 0:
        return [], 0
    return [], int(connection.scalar(count, params) or 0)  # a page past the end: count apart
