"""The campus -> building -> storey tree with room counts and area totals (one query per level)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from twin.errors import NotFound
from twin.ledger.models import Building, Campus, Room, Storey


@dataclass(frozen=True)
class Totals:
    """Active rooms under a node and their summed areas (m2); declared sums only rooms that declare."""

    rooms: int
    measured_area_m2: float
    declared_area_m2: float

    def as_dict(self) -> dict[str, Any]:
        return {"rooms": self.rooms, "measured_area_m2": round(self.measured_area_m2, 2), "declared_area_m2": round(self.declared_area_m2, 2)}


def _totals_by(session: Session, key, join_building: bool = False) -> dict[int, Totals]:
    query: Select = (
        select(key, func.count(Room.id), func.coalesce(func.sum(Room.measured_area_m2), 0.0), func.coalesce(func.sum(Room.declared_area_m2), 0.0))
        .select_from(Room)
        .join(Storey, Room.storey_id == Storey.id)
        .where(Room.status == "active")
    )
    if join_building:
        query = query.join(Building, Storey.building_id == Building.id)
    rows = session.execute(query.group_by(key)).all()
    return {row[0]: Totals(int(row[1]), float(row[2]), float(row[3])) for row in rows}


EMPTY = Totals(0, 0.0, 0.0)


def list_campuses(session: Session) -> list[dict[str, Any]]:
    totals = _totals_by(session, Building.campus_id, join_building=True)
    buildings = dict(session.execute(select(Building.campus_id, func.count(Building.id)).where(Building.is_active).group_by(Building.campus_id)).all())
    return [
        {
            "id": c.id, "global_id": c.global_id, "name": c.name, "long_name": c.long_name,
            "latitude": c.latitude, "longitude": c.longitude, "buildings": int(buildings.get(c.id, 0)),
            **totals.get(c.id, EMPTY).as_dict(),
        }
        for c in session.scalars(select(Campus).order_by(Campus.name, Campus.id))
    ]


def _building_dict(building: Building, totals: Totals, storeys: int) -> dict[str, Any]:
    return {
        "id": building.id, "global_id": building.global_id, "campus_id": building.campus_id,
        "name": building.name, "long_name": building.long_name, "elevation_m": building.elevation_m,
        "model_id": building.model_id, "storeys": storeys, **totals.as_dict(),
    }


def list_buildings(session: Session, *, campus_id: int | None = None) -> list[dict[str, Any]]:
    totals = _totals_by(session, Storey.building_id)
    storeys = dict(session.execute(select(Storey.building_id, func.count(Storey.id)).where(Storey.is_active).group_by(Storey.building_id)).all())
    query = select(Building).where(Building.is_active).order_by(Building.name, Building.id)
    if campus_id is not None:
        query = query.where(Building.campus_id == campus_id)
    return [_building_dict(b, totals.get(b.id, EMPTY), int(storeys.get(b.id, 0))) for b in session.scalars(query)]


def _storey_dict(storey: Storey, totals: Totals) -> dict[str, Any]:
    return {
        "id": storey.id, "global_id": storey.global_id, "building_id": storey.building_id,
        "name": storey.name, "long_name": storey.long_name, "elevation_m": storey.elevation_m, **totals.as_dict(),
    }


def list_storeys(session: Session, *, building_id: int) -> list[dict[str, Any]]:
    totals = _totals_by(session, Room.storey_id)
    query = select(Storey).where(Storey.building_id == building_id, Storey.is_active).order_by(Storey.elevation_m)
    return [_storey_dict(s, totals.get(s.id, EMPTY)) for s in session.scalars(query)]


def get_building(session: Session, building_id: int) -> dict[str, Any]:
    building = session.get(Building, building_id)
    if building is None:
        raise NotFound(f"no building {building_id}")
    storeys = list_storeys(session, building_id=building_id)
    rooms = sum(s["rooms"] for s in storeys)
    totals = Totals(rooms, sum(s["measured_area_m2"] for s in storeys), sum(s["declared_area_m2"] for s in storeys))
    return {**_building_dict(building, totals, len(storeys)), "storey_list": storeys}


def get_storey(session: Session, storey_id: int) -> dict[str, Any]:
    storey = session.get(Storey, storey_id)
    if storey is None:
        raise NotFound(f"no storey {storey_id}")
    totals = _totals_by(session, Room.storey_id).get(storey.id, EMPTY)
    return _storey_dict(storey, totals)
