"""3D assets: GLB per storey and per building, with ETag and revalidation (304)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse
from sqlalchemy import select

from api.deps import Id, SessionDep, SettingsDep
from twin.errors import NotFound
from twin.ledger.models import Asset, Building, Storey

router = APIRouter(prefix="/api", tags=["assets"])

CACHE_CONTROL = "no-cache"  # revalidate with the ETag: the URL names a storey, not its content


def _serve(request: Request, asset: Asset | None, root, what: str) -> Response:
    if asset is None:
        raise NotFound(f"no 3D model for {what}")
    etag = f'"{asset.sha256}"'
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    path = root / asset.path
    if not path.is_file():
        raise NotFound(f"the 3D model file of {what} is missing from the asset store")
    return FileResponse(path, media_type="model/gltf-binary", headers=headers)


def _latest(session, kind: str, global_id: str) -> Asset | None:
    query = select(Asset).where(Asset.kind == kind, Asset.subject_global_id == global_id).order_by(Asset.model_version_id.desc())
    return session.scalars(query).first()


@router.get("/storeys/{storey_id}/model.glb", response_class=FileResponse)
def get_storey_glb(request: Request, session: SessionDep, settings: SettingsDep, storey_id: Id):
    storey = session.get(Storey, storey_id)
    if storey is None:
        raise NotFound(f"no storey {storey_id}")
    return _serve(request, _latest(session, "storey_glb", storey.global_id), settings.assets_dir, f"storey {storey_id}")


@router.get("/buildings/{building_id}/model.glb", response_class=FileResponse)
def get_building_glb(request: Request, session: SessionDep, settings: SettingsDep, building_id: Id):
    building = session.get(Building, building_id)
    if building is None:
        raise NotFound(f"no building {building_id}")
    return _serve(request, _latest(session, "building_glb", building.global_id), settings.assets_dir, f"building {building_id}")
