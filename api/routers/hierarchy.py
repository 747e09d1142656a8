"""Campuses, buildings and storeys, each with room counts and area totals."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import Id, QueryId, SessionDep
from twin.ledger import hierarchy

router = APIRouter(prefix="/api", tags=["hierarchy"])


@router.get("/campuses")
def list_campuses(session: SessionDep) -> list[dict]:
    return hierarchy.list_campuses(session)


@router.get("/buildings")
def list_buildings(session: SessionDep, campus_id: QueryId = None) -> list[dict]:
    return hierarchy.list_buildings(session, campus_id=campus_id)


@router.get("/buildings/{building_id}")
def get_building(session: SessionDep, building_id: Id) -> dict:
    return hierarchy.get_building(session, building_id)


@router.get("/buildings/{building_id}/storeys")
def list_storeys(session: SessionDep, building_id: Id) -> list[dict]:
    hierarchy.get_building(session, building_id)
    return hierarchy.list_storeys(session, building_id=building_id)


@router.get("/storeys/{storey_id}")
def get_storey(session: SessionDep, storey_id: Id) -> dict:
    return hierarchy.get_storey(session, storey_id)
