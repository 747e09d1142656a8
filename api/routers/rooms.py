"""Room search (``{"items": [...], "total": N}``) and the room card."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import SessionDep
from twin.ledger.rooms import RoomSearch, get_room_card, search_rooms

router = APIRouter(prefix="/api/rooms", tags=["rooms"])


@router.get("")
def list_rooms(
    session: SessionDep,
    q: Annotated[str | None, Query(max_length=200, description="Text in number, name or long name")] = None,
    building_id: int | None = None,
    storey_id: int | None = None,
    category: Annotated[str | None, Query(max_length=64)] = None,
    use_status: Annotated[str | None, Query(max_length=32)] = None,
    min_area: Annotated[float | None, Query(ge=0, le=1e6)] = None,
    max_area: Annotated[float | None, Query(ge=0, le=1e6)] = None,
    min_deviation_pct: Annotated[float | None, Query(ge=0, le=1e6)] = None,
    include_retired: bool = False,
    sort: Annotated[str, Query(pattern=r"^-?(number|name|measured_area|declared_area|deviation|storey|building)$")] = "number",
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> dict:
    search = RoomSearch(
        q=q, building_id=building_id, storey_id=storey_id, category=category, use_status=use_status,
        min_area_m2=min_area, max_area_m2=max_area, min_deviation_pct=min_deviation_pct,
        include_retired=include_retired, sort=sort, offset=offset, limit=limit,
    )
    items, total = search_rooms(session, search)
    return {"items": items, "total": total}


@router.get("/{global_id}")
def get_room(session: SessionDep, global_id: str) -> dict:
    return get_room_card(session, global_id)
