"""Drawings out of the ledger: a storey's SVG floor plan and the campus map as GeoJSON."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from twin.errors import NotFound
from twin.geometry.plan import PlanRoom, render_plan_svg
from twin.ledger.models import Building, Campus, Room, Storey


def get_storey_plan_svg(session: Session, storey_id: int) -> str:
    """The storey's floor plan (see :mod:`twin.geometry.plan` for its frame and structure)."""
    storey = session.get(Storey, storey_id)
    if storey is None:
        raise NotFound(f"no storey {storey_id}")
    rooms = session.scalars(
        select(Room).where(Room.storey_id == storey_id, Room.status == "active").order_by(Room.number, Room.global_id)
    ).all()
    plan_rooms = [PlanRoom(r.global_id, r.number, r.name, r.measured_area_m2, r.footprint, r.category) for r in rooms]
    building = storey.building
    title = " · ".join(x for x in (building.name or building.long_name, storey.name) if x)
    return render_plan_svg(plan_rooms, storey.plan_walls, title=title)


def get_campus_map(session: Session) -> dict[str, Any]:
    """Campuses (points) and building outlines (polygons) in WGS84 lon/lat, as a FeatureCollection.

    Only georeferenced records appear; a building without an outline falls back to its campus point.
    """
    features: list[dict[str, Any]] = []
    campuses = session.scalars(select(Campus).order_by(Campus.id)).all()
    for campus in campuses:
        if campus.latitude is None or campus.longitude is None:
            continue
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [campus.longitude, campus.latitude]},
            "properties": {"kind": "campus", "id": campus.id, "name": campus.name, "global_id": campus.global_id},
        })
    for building in session.scalars(select(Building).where(Building.is_active).order_by(Building.id)):
        if building.outline_wgs84 is None:
            continue
        features.append({
            "type": "Feature",
            "geometry": building.outline_wgs84,
            "properties": {
                "kind": "building", "id": building.id, "campus_id": building.campus_id,
                "name": building.name or building.long_name, "global_id": building.global_id,
            },
        })
    return {"type": "FeatureCollection", "features": features}
