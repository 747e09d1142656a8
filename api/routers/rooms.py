"""Room search (``{"items": [...], "total": N}``), the room card, and exports as CSV/XLSX."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from api.deps import ConnectionDep, SessionDep
from api.responses import FastJSON
from api.security import CurrentUser
from twin.auth import Forbidden
from twin.ledger.export import rooms_to_csv, rooms_to_xlsx
from twin.ledger.card import read_room_card
from twin.ledger.revision import get_revision
from twin.ledger.rooms import RoomSearch, search_rooms

router = APIRouter(prefix="/api/rooms", tags=["rooms"])

SORT_PATTERN = r"^-?(number|name|measured_area|declared_area|deviation|storey|building)$"


async def room_search(
    user: CurrentUser,
    q: Annotated[str | None, Query(max_length=200, description="Text in number, name or long name")] = None,
    building_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    storey_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    unit_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    category: Annotated[str | None, Query(max_length=64)] = None,
    use_status: Annotated[str | None, Query(max_length=32)] = None,
    compliance: Annotated[str | None, Query(pattern="^(over|within|vacant)$")] = None,
    min_area: Annotated[float | None, Query(ge=0, le=1e6)] = None,
    max_area: Annotated[float | None, Query(ge=0, le=1e6)] = None,
    min_deviation_pct: Annotated[float | None, Query(ge=0, le=1e6)] = None,
    include_retired: bool = False,
    sort: Annotated[str, Query(pattern=SORT_PATTERN)] = "number",
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> RoomSearch:
    """The search a request asks for; a unit manager only ever searches its own unit. (``async``:
    it only computes, so it costs no worker-thread hop.)"""
    if user.role == "unit_manager":
        unit_id = user.unit_id
    return RoomSearch(
        q=q, building_id=building_id, storey_id=storey_id, unit_id=unit_id, category=category, use_status=use_status, compliance=compliance,
        min_area_m2=min_area, max_area_m2=max_area, min_deviation_pct=min_deviation_pct,
        include_retired=include_retired, sort=sort, offset=offset, limit=limit,
    )


SearchDep = Annotated[RoomSearch, Depends(room_search)]


@router.get("", response_class=FastJSON)
async def list_rooms(request: Request, connection: ConnectionDep, search: SearchDep) -> Response:
    """A page of rooms. A bounded read (one indexed page, at most 1,000 rows, and a count), so it
    runs on the event loop like the room card, and is cached per ledger revision like it (the
    rows name no people, so the search itself, unit included, is the key)."""

    def build() -> tuple[bytes, int]:
        revision = get_revision(connection)  # before the rows: they are at least this new
        items, total = search_rooms(connection, search)
        return FastJSON({"items": items, "total": total}).body, revision

    body = request.app.state.searches.get_or_compute(search, build, get_revision=lambda: get_revision(connection))
    return Response(body, media_type="application/json")


@router.get("/export.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
def export_csv(session: SessionDep, search: SearchDep) -> Response:
    body = rooms_to_csv(session, search)
    return Response(body, media_type="text/csv; charset=utf-8", headers={"Content-Disposition": 'attachment; filename="rooms.csv"'})


@router.get("/export.xlsx", response_class=Response,
            responses={200: {"content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}}})
def export_xlsx(session: SessionDep, search: SearchDep) -> Response:
    return Response(rooms_to_xlsx(session, search), media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": 'attachment; filename="rooms.xlsx"'})


@router.get("/{global_id}", response_class=FastJSON)
async def get_room(request: Request, connection: ConnectionDep, user: CurrentUser, global_id: str) -> Response:
    """The room's card. A bounded read (one statement of indexed lookups), so it runs on the
    event loop: a worker-thread hop would cost more than the query. Cards are cached per ledger
    revision: any committed write anywhere makes every cached card stale (:mod:`twin.ledger.revision`)."""

    def build() -> tuple[tuple[bytes, int | None], int]:
        card, revision = read_room_card(connection, global_id, with_names=user.sees_names)
        return (FastJSON(card).body, card["unit_id"]), revision

    body, unit_id = request.app.state.cards.get_or_compute((global_id, user.sees_names), build,
                                                           get_revision=lambda: get_revision(connection))
    if not user.can_read_unit(unit_id):
        raise Forbidden("a unit manager reads only the rooms of its own unit")
    return Response(body, media_type="application/json")
