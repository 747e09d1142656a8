"""2D drawings: storey floor plans (SVG) and the campus map (GeoJSON), with ETags."""

from __future__ import annotations

import hashlib
import json

from fastapi import APIRouter, Request, Response

from api.deps import Id, SessionDep
from twin.ledger.drawings import get_campus_map, get_storey_plan_svg

router = APIRouter(prefix="/api", tags=["drawings"])


def _with_etag(request: Request, body: bytes, media_type: str) -> Response:
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


@router.get("/storeys/{storey_id}/plan.svg", response_class=Response, responses={200: {"content": {"image/svg+xml": {}}}})
def get_plan(request: Request, session: SessionDep, storey_id: Id) -> Response:
    return _with_etag(request, get_storey_plan_svg(session, storey_id).encode(), "image/svg+xml")


@router.get("/map.geojson", response_class=Response, responses={200: {"content": {"application/geo+json": {}}}})
def get_map(request: Request, session: SessionDep) -> Response:
    body = json.dumps(get_campus_map(session), ensure_ascii=False).encode()
    return _with_etag(request, body, "application/geo+json")
