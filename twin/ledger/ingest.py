"""Ingest IFC files into the ledger: one file, one transaction, versions matched by GlobalId.

* The same bytes again (same sha256) change nothing and report ``skipped``.
* A file whose IfcProject GlobalId is already in the ledger is a new version of that model:
  rooms matched by GlobalId are updated (IFC-owned fields only; the ledger's own fields and
  manually declared areas stay), rooms that disappeared are retired with history, new rooms
  are added, and the version is recorded with its counts.
* Bad input raises :class:`twin.errors.TwinError` before the database is touched; a failure
  while writing rolls the transaction back and removes the assets written for it.
* Ingests running at once in other processes take turns at the rooms stage's transaction
  (:func:`~twin.ledger.db.lock_for_ingest`): two versions of a model become two versions; an
  ingest of the same bytes waits for the one under way (:func:`~twin.ledger.assets.hold_ingest_lock`)
  and reports ``skipped``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path

from sqlalchemy import Engine, func, insert, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, defer

from twin.alerts.engine import refresh_warnings
from twin.alerts.scope import get_rooms_scope
from twin.collector import paused_collector
from twin.errors import GlobalIdConflict
from twin.ifc.reader import open_ifc
from twin.ifc.spf import check_ifc_file, get_sha256
from twin.ifc.spatial import Node
from twin.ledger.assets import PlannedAsset, hold_ingest_lock, remove_model_assets, write_snapshot_assets
from twin.geometry.cache import GeometryCache
from twin.ledger.db import in_chunks, lock_for_ingest, transaction
from twin.ledger.models import Asset, Building, Campus, Model, ModelVersion, Room, Storey
from twin.ledger.readahead import send_read_ahead
from twin.ledger.report import COUNTED, IngestReport, get_skipped_report
from twin.ledger.roomsync import sync_rooms
from twin.ledger.snapshot import Progress, Snapshot, add_context, read_rooms, to_geojson
from twin.ledger.statistics import refresh_statistics

log = logging.getLogger(__name__)

def ingest_file(
    path: str | Path,
    *,
    engine: Engine,
    assets_dir: Path,
    actor: str | None = None,
    progress: Progress | None = None,
    with_context: bool = True,
    sha256: str | None = None,
) -> IngestReport:
    """Ingest one IFC file in two stages, each one transaction; see the module docstring.

    Rooms first: the ledger holds every room, measured, with room-only storey GLBs as soon as
    the rooms are meshed (the version's ``stage`` is ``rooms``). Then the building elements are
    meshed and the assets, plans and outlines replaced (``stage`` becomes ``complete``).
    ``with_context=False`` stops after the rooms. ``sha256``: the file's, if the caller has read
    it already (``twin ingest`` has, to skip unchanged files). Meshes are cached under ``assets_dir/cache``
    by the content of each element's representation, so a new version re-meshes only changes.
    The garbage collector is paused meanwhile (:mod:`twin.collector`).
    """
    with paused_collector():
        return _ingest_file(Path(path), engine=engine, assets_dir=assets_dir, actor=actor, progress=progress,
                            with_context=with_context, sha256=sha256)


def _ingest_file(path: Path, *, engine: Engine, assets_dir: Path, actor: str | None, progress: Progress | None,
                 with_context: bool, sha256: str | None) -> IngestReport:
    started = time.perf_counter()
    schema = check_ifc_file(path)
    sha256 = sha256 or get_sha256(path)
    with hold_ingest_lock(assets_dir, sha256):  # an ingest of the same bytes elsewhere finishes first
        return _ingest_bytes(path, schema, sha256, engine=engine, assets_dir=assets_dir, actor=actor, progress=progress,
                             with_context=with_context, started=started)


def _ingest_bytes(path: Path, schema: str, sha256: str, *, engine: Engine, assets_dir: Path, actor: str | None,
                  progress: Progress | None, with_context: bool, started: float) -> IngestReport:
    with transaction(engine) as session:
        known = session.scalar(select(ModelVersion).where(ModelVersion.sha256 == sha256))
        if known is not None and (known.stage == "complete" or not with_context):
            return get_skipped_report(path, schema, known, started=started)
        resume = known.id if known is not None else None
    cache = GeometryCache(assets_dir / "cache")
    # a kept child opens it too, meanwhile, for the context stage (not worth a second reading for the rooms' keys alone)
    sent = send_read_ahead(path, sha256, cache=cache) if with_context else None
    model = open_ifc(path, sha256=sha256)
    with cache.deferred_writes():  # what the rooms stage keeps for the next version is written once its rooms are stored
        snapshot = read_rooms(model, progress=progress, cache=cache, context_next=with_context, sent=sent)
        if resume is None:
            report, version_id = _store_rooms(engine, snapshot, assets_dir, actor=actor, progress=progress, final=not with_context,
                                              cache=cache, started=started)
            if report.skipped:  # another process stored the same bytes meanwhile; it finishes them
                return report
        else:  # an earlier run stored the rooms and stopped before the context: finish it
            log.info("%s: its rooms are in the ledger; meshing the context it lacks", path)
            report, version_id = _report_of(engine, resume, snapshot), resume
        report.stages["rooms_in_ledger"] = time.perf_counter() - started
    if with_context:
        add_context(snapshot, progress=progress, cache=cache)
        _store_context(engine, version_id, snapshot, assets_dir, report, progress=progress, cache=cache, started=started)
    report.seconds = time.perf_counter() - started
    report.stages.update({k: v for k, v in snapshot.timings.items() if k not in report.stages})
    report.meshing = asdict(snapshot.meshing)
    refresh_statistics(engine)
    log.info(
        "ingested %s: %d rooms (%d added, %d updated, %d retired) in %.2f s",
        path, report.rooms, report.rooms_added, report.rooms_updated, report.rooms_retired, report.seconds,
    )
    return report


def _store_rooms(engine, snapshot: Snapshot, assets_dir: Path, *, actor, progress, final: bool,
                 cache: GeometryCache | None = None, started: float) -> tuple[IngestReport, int]:
    """Stage one: the rooms, their room-only assets and the version, in one transaction.
    ``started``: when the ingest began (``perf_counter``); a ``final`` stage records the seconds
    since in the version.

    The viewer draws storeys, so a building's GLB (all its storeys again) waits for the final
    stage unless this one is final."""
    asset_started = time.perf_counter()
    assets = write_snapshot_assets(snapshot, assets_dir, progress=progress, cache=cache, buildings=final)
    snapshot.timings["assets"] = time.perf_counter() - asset_started
    ledger_started = time.perf_counter()
    try:
        with transaction(engine) as session:
            lock_for_ingest(session)  # another ingest's rooms stage, if one is writing, commits first
            known = session.scalar(select(ModelVersion).where(ModelVersion.sha256 == snapshot.model.sha256))
            if known is not None:  # that ingest was of the same bytes
                return get_skipped_report(snapshot.model.path, snapshot.model.schema, known, started=started), known.id
            report, version = _apply_snapshot(session, snapshot, assets, actor=actor, progress=progress, final=final)
            if final:
                _complete(version, started)
            else:
                version.stage = "rooms"
            snapshot.timings["ledger"] = time.perf_counter() - ledger_started
            report.stages = dict(snapshot.timings)
            return report, version.id
    except BaseException:
        if not _is_stored(engine, snapshot.model.sha256):  # else the folder is that version's too (same bytes, same folder)
            remove_model_assets(assets_dir, snapshot.model.sha256)
        raise


def _is_stored(engine: Engine, sha256: str) -> bool:
    """Whether a version of these bytes is in the ledger (``False`` if the ledger cannot say)."""
    try:
        with transaction(engine) as session:
            return session.scalar(select(ModelVersion.id).where(ModelVersion.sha256 == sha256)) is not None
    except SQLAlchemyError:
        return False


def _report_of(engine, version_id: int, snapshot: Snapshot) -> IngestReport:
    with transaction(engine) as session:
        version = session.get(ModelVersion, version_id)
        report = IngestReport(str(snapshot.model.path), version.schema, version.sha256, version.model.project_global_id, version.seq, False)
        for key in COUNTED:
            setattr(report, key, int((version.counts or {}).get(key, 0)))
        return report


def _store_context(engine, version_id: int, snapshot: Snapshot, assets_dir: Path, report: IngestReport, *, progress=None,
                   cache: GeometryCache | None = None, started: float) -> None:
    """Stage two: the full assets (rooms and context), plans and outlines, in one transaction;
    the version records the seconds since ``started`` (``perf_counter``: when the ingest began)."""
    asset_started = time.perf_counter()
    assets = write_snapshot_assets(snapshot, assets_dir, progress=progress, cache=cache)
    snapshot.timings["context_assets"] = time.perf_counter() - asset_started
    with transaction(engine) as session:
        lock_for_ingest(session)  # whether a later version exists is then settled until this commits
        version = session.get(ModelVersion, version_id)
        rows = {(a.kind, a.subject_global_id): a for a in session.scalars(select(Asset).where(Asset.model_version_id == version_id))}
        for asset in assets:
            row = rows.get((asset.kind, asset.subject_global_id))
            if row is None:
                row = Asset(model_version_id=version_id, kind=asset.kind, subject_global_id=asset.subject_global_id, path=asset.written.relative_path)
                session.add(row)
            row.path, row.sha256, row.size_bytes = asset.written.relative_path, asset.written.sha256, asset.written.size_bytes
        newest = session.scalar(select(func.max(ModelVersion.seq)).where(ModelVersion.model_id == version.model_id))
        if version.seq == newest:  # else a later version's plans and outlines stay (this one finished late: resumed)
            _store_plans(session, snapshot)
        report.context_elements, report.failed_elements = snapshot.context_count, len(snapshot.failed)
        version.counts = {**(version.counts or {}), "context_elements": report.context_elements, "failed_elements": report.failed_elements}
        version.failed_elements = [asdict(f) for f in snapshot.failed]
        _complete(version, started)


def _store_plans(session: Session, snapshot: Snapshot) -> None:
    """The storeys' cut walls and the buildings' outlines of the snapshot (the old ones replaced unread)."""
    structure = snapshot.structure
    storeys = select(Storey).where(Storey.global_id.in_(list(structure.storeys))).options(defer(Storey.plan_walls))
    buildings = select(Building).where(Building.global_id.in_(list(structure.buildings))).options(
        defer(Building.outline), defer(Building.outline_wgs84))
    _set_plans(snapshot, session.scalars(storeys), session.scalars(buildings))


def _set_plans(snapshot: Snapshot, storeys: Iterable[Storey], buildings: Iterable[Building]) -> None:
    """Give ``storeys`` the snapshot's cut walls and ``buildings`` its outlines (made on the plan
    grid: stored as they are)."""
    for storey in storeys:
        storey.plan_walls = to_geojson(snapshot.plan_walls.get(storey.global_id), precision=None)
    for building in buildings:
        building.outline = to_geojson(snapshot.get_outline(building.global_id), precision=None)
        building.outline_wgs84 = snapshot.get_outline_wgs84(building.global_id)


def _complete(version: ModelVersion, started: float) -> None:
    """The version's last stage is stored: it is complete, in the seconds since ``started`` (``perf_counter``)."""
    version.stage = "complete"
    version.seconds = time.perf_counter() - started


def _upsert_campus(session: Session, snapshot: Snapshot) -> Campus:
    node = snapshot.campus_node
    campus = session.scalar(select(Campus).where(Campus.global_id == node.global_id))
    if campus is None:
        campus = Campus(global_id=node.global_id)
        session.add(campus)
    campus.name, campus.long_name = node.name, node.long_name
    geo = snapshot.georeference
    if geo is not None and geo.latitude is not None:
        campus.latitude, campus.longitude, campus.elevation_m = geo.latitude, geo.longitude, geo.elevation_m
    return campus


def _check_conflicts(session: Session, entity, global_ids: list[str], model: Model | None) -> None:
    """Refuse GlobalIds that already belong to another model (storeys belong via their building)."""
    owner = Building.model_id if entity is Storey else entity.model_id
    for chunk in in_chunks(global_ids):
        query = select(entity.global_id).where(entity.global_id.in_(chunk))
        if entity is Storey:
            query = query.join(Building, Storey.building_id == Building.id)
        if model is not None:
            query = query.where(owner != model.id)
        clash = session.scalars(query).first()
        if clash is not None:
            raise GlobalIdConflict(f"{entity.__tablename__} GlobalId {clash} already belongs to another model in the ledger")


def _apply_snapshot(
    session: Session, snapshot: Snapshot, assets: list[PlannedAsset], *, actor, progress, final: bool
) -> tuple[IngestReport, ModelVersion]:
    """Write the rooms stage. Unless it is ``final``, storeys keep their plans and buildings
    their outlines (a new version's show the walls of the version before) until the context
    stage cuts the new ones; a new building's outline is its rooms' meanwhile."""
    ifc = snapshot.model
    say = progress or (lambda stage, done, total: None)
    model = session.scalar(select(Model).where(Model.project_global_id == ifc.project.GlobalId))
    structure = snapshot.structure
    _check_conflicts(session, Building, list(structure.buildings), model)
    _check_conflicts(session, Storey, list(structure.storeys), model)
    _check_conflicts(session, Room, list(snapshot.rooms), model)
    if model is None:
        model = Model(project_global_id=ifc.project.GlobalId, name=ifc.project.Name)
        session.add(model)
        session.flush()
    seq = (session.scalar(select(func.max(ModelVersion.seq)).where(ModelVersion.model_id == model.id)) or 0) + 1  # no version rows loaded
    geo = snapshot.georeference
    version = ModelVersion(
        model=model, seq=seq, sha256=ifc.sha256, filename=str(ifc.path.name), schema=ifc.schema,
        size_bytes=ifc.size_bytes, ingested_by=actor, georeference=asdict(geo) if geo else None,
        failed_elements=[asdict(f) for f in snapshot.failed],
    )
    session.add(version)
    campus = _upsert_campus(session, snapshot)
    session.flush()
    buildings = _sync_buildings(session, model, campus, structure.buildings)
    storeys = _sync_storeys(session, buildings, structure.storeys)
    _set_plans(  # a new version's buildings keep their outlines until its walls are cut; the rooms stage cuts no walls
        snapshot, [s for gid, s in storeys.items() if gid in structure.storeys] if final else [],
        [b for gid, b in buildings.items() if gid in structure.buildings and (final or b.outline is None)],
    )
    rooms_sync = sync_rooms(session, model, version, storeys, snapshot, actor=actor, say=say)
    if assets:  # Core executemany: one statement, not an ORM object and an INSERT per asset
        session.execute(insert(Asset.__table__), [
            dict(model_version_id=version.id, kind=asset.kind, subject_global_id=asset.subject_global_id,
                 path=asset.written.relative_path, sha256=asset.written.sha256, size_bytes=asset.written.size_bytes)
            for asset in assets
        ])
    rooms = snapshot.rooms.values()
    report = IngestReport(
        path=str(ifc.path), schema=ifc.schema, sha256=ifc.sha256, project_global_id=model.project_global_id,
        version=seq, skipped=False, buildings=len(structure.buildings), storeys=len(structure.storeys),
        rooms=len(snapshot.rooms), rooms_with_declared_area=sum(r.primary_declared is not None for r in rooms),
        rooms_measured=sum(r.measures is not None for r in rooms), context_elements=snapshot.context_count,
        failed_elements=len(snapshot.failed), rooms_added=rooms_sync.added, rooms_updated=rooms_sync.updated,
        rooms_retired=rooms_sync.retired, rooms_carried=rooms_sync.carried,
    )
    version.counts = {key: getattr(report, key) for key in COUNTED}
    # what the rooms this version wrote can change (all of the model's, on its first version);
    # a version that wrote no room (none in the file, or only its walls changed) changes no warning
    if rooms_sync.written_ids:
        refresh_warnings(session, scope=get_rooms_scope(session, model.id, rooms_sync.written_ids))
    return report, version


def _sync_buildings(session: Session, model: Model, campus: Campus, nodes: dict[str, Node]) -> dict[str, Building]:
    existing = {b.global_id: b for b in session.scalars(select(Building).where(Building.model_id == model.id))}
    for building in existing.values():
        building.is_active = building.global_id in nodes
    for gid, node in nodes.items():
        building = existing.get(gid)
        if building is None:
            building = existing[gid] = Building(global_id=gid, model_id=model.id)
            session.add(building)
        building.campus, building.name, building.long_name = campus, node.name, node.long_name
        building.elevation_m, building.is_active = node.elevation_m, True
    session.flush()
    return existing


def _sync_storeys(session: Session, buildings: dict[str, Building], nodes: dict[str, Node]) -> dict[str, Storey]:
    ids = [b.id for b in buildings.values()]
    query = select(Storey).where(Storey.building_id.in_(ids)).options(defer(Storey.plan_walls))  # large GeoJSON, not needed here
    existing = {s.global_id: s for s in session.scalars(query)}
    for storey in existing.values():
        storey.is_active = storey.global_id in nodes
    for gid, node in nodes.items():
        storey = existing.get(gid)
        if storey is None:
            storey = existing[gid] = Storey(global_id=gid)
            session.add(storey)
        storey.building_id = buildings[node.parent_global_id].id
        storey.name, storey.long_name, storey.elevation_m, storey.is_active = node.name, node.long_name, node.elevation_m, True
    session.flush()
    return existing
