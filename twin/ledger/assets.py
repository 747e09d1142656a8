"""Write a snapshot's GLB assets into the content-addressed store (``<sha[:2]>/<sha>/...``).

One GLB per storey and one per building. The store is keyed by the model file's sha256, so the
same file always lands in the same folder and a new version never overwrites an old one.
"""

from __future__ import annotations

import logging
import shutil
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from twin.filelock import hold_file_lock
from twin.geometry.cache import GeometryCache
from twin.geometry.glb import join_glbs
from twin.geometry.gltf import (
    RoomNode, WrittenAsset, build_scene, export_glb, get_model_asset_dir, get_scene_key, write_asset,
)
from twin.ledger.snapshot import Progress, Snapshot

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlannedAsset:
    """An asset written for a snapshot: what it shows (``kind``, subject GlobalId) and where it is."""

    kind: str
    subject_global_id: str
    written: WrittenAsset


def _room_nodes(snapshot: Snapshot, storey_gid: str) -> list[RoomNode]:
    return [
        RoomNode(room.mesh, {"number": room.number, "name": room.name})
        for room in snapshot.rooms.values()
        if room.storey_global_id == storey_gid and room.mesh is not None
    ]


def write_snapshot_assets(snapshot: Snapshot, root: Path, *, progress: Progress | None = None,
                          cache: GeometryCache | None = None, buildings: bool = True) -> list[PlannedAsset]:
    """Write every storey's and (``buildings``) building's GLB under ``root``; return what was written.

    ``cache``: storeys' GLBs are looked up there by the key of their inputs (:func:`get_scene_key`)
    and stored there when made, so a storey a new version left unchanged is not exported again. A
    building's GLB joins its storeys' (:func:`~twin.geometry.glb.join_glbs`): no mesh is
    prepared twice."""
    folder = get_model_asset_dir(snapshot.model.sha256)
    say = progress or (lambda stage, done, total: None)
    structure = snapshot.structure
    storeys = sorted(structure.storeys.values(), key=lambda s: (s.parent_global_id or "", s.elevation_m))
    total = len(storeys) + (len(structure.buildings) if buildings else 0)
    planned: list[PlannedAsset] = []
    by_building: dict[str, list[str]] = {}

    def storey_glb(rooms: list[RoomNode], context: list) -> bytes:
        key = "glb:" + get_scene_key(rooms, context)
        data = cache.get_blobs([key]).get(key) if cache is not None else None
        if data is None:
            data = export_glb(build_scene(rooms, context))
            if cache is not None:
                cache.put_blobs([(key, data)])
        return data

    made: dict[str, bytes] = {}
    for index, storey in enumerate(storeys):
        by_building.setdefault(storey.parent_global_id or "", []).append(storey.global_id)
        data = made[storey.global_id] = storey_glb(_room_nodes(snapshot, storey.global_id), snapshot.context.get(storey.global_id, []))
        written = write_asset(root, f"{folder}/storey-{index:03d}.glb", data)
        planned.append(PlannedAsset("storey_glb", storey.global_id, written))
        say("assets", len(planned), total)
    for index, building_gid in enumerate(sorted(structure.buildings) if buildings else ()):
        parts = [(made[gid], gid) for gid in by_building.get(building_gid, [])]
        if not parts:
            continue
        written = write_asset(root, f"{folder}/building-{index:03d}.glb", join_glbs(parts))  # its storeys' GLBs, as they are
        planned.append(PlannedAsset("building_glb", building_gid, written))
        say("assets", len(planned), total)
    log.info("wrote %d assets for %s", len(planned), snapshot.model.path)
    return planned


def hold_ingest_lock(root: Path, sha256: str) -> AbstractContextManager[None]:
    """Held by an ingest of the file ``sha256`` through all its stages, so that another ingest of
    the same bytes (``twin ingest`` beside an upload) waits for it and then finds them stored.
    Without it, the other found the version's rooms stored and its context not yet, took it for
    an ingest left unfinished and made the context again. The lock is an ``flock``, freed when
    its process ends: a version left unfinished by a process that died is finished by the next
    ingest of its bytes. One of 256 lock files under ``root/locks`` (by the sha's first byte),
    so that they stay few; two files sharing one take turns."""
    folder = root / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    return hold_file_lock(folder / sha256[:2])


def remove_model_assets(root: Path, sha256: str) -> None:
    """Remove a model file's asset folder (used when its ingest is rolled back)."""
    shutil.rmtree(root / get_model_asset_dir(sha256), ignore_errors=True)
