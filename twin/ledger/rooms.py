"""Read rooms out of the ledger as flat rows (for the CLI's list and exports)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from twin.ledger.models import Building, Room, Storey

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


def _named(column_name, column_long, column_gid, value: str):
    return or_(column_name == value, column_long == value, column_gid == value)


def select_rooms(
    *, building: str | None = None, storey: str | None = None, include_retired: bool = False
) -> Select:
    """A query of (Room, Storey, Building) rows, filtered by building/storey name or GlobalId."""
    query = select(Room, Storey, Building).join(Storey, Room.storey_id == Storey.id).join(Building, Storey.building_id == Building.id)
    if building:
        query = query.where(_named(Building.name, Building.long_name, Building.global_id, building))
    if storey:
        query = query.where(_named(Storey.name, Storey.long_name, Storey.global_id, storey))
    if not include_retired:
        query = query.where(Room.status == "active")
    return query.order_by(Building.name, Storey.elevation_m, Room.number, Room.global_id)


def to_row(room: Room, storey: Storey, building: Building) -> dict[str, Any]:
    """One room as a flat dict with :data:`ROOM_ROW_KEYS`."""
    return {
        "global_id": room.global_id,
        "building": building.name or building.long_name,
        "storey": storey.name or storey.long_name,
        "number": room.number,
        "name": room.name,
        "measured_area_m2": room.measured_area_m2,
        "declared_area_m2": room.declared_area_m2,
        "declared_area_source": room.declared_area_source,
        "volume_m3": room.volume_m3,
        "height_m": room.height_m,
        "perimeter_m": room.perimeter_m,
        "status": room.status,
    }


def list_rooms(session: Session, **filters: Any) -> Sequence[dict[str, Any]]:
    """Rooms as rows (see :func:`select_rooms` for the filters)."""
    return [to_row(*row) for row in session.execute(select_rooms(**filters)).all()]
