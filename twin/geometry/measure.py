"""Measure a room from its triangles: floor area, volume, height, perimeter, footprint, centroid.

Input is one room's mesh in the world frame (metres, Z up), as :mod:`twin.geometry.mesher`
returns it. Everything is vectorised numpy over the triangles, with shapely for the 2D unions.

* floor area: the plan area of the horizontal faces at the room's lowest level (the union of
  their projections, so orientation, duplicates and surface models with flipped faces do not
  matter);
* footprint: the union of the projections of every non-vertical face (the room's outline on a
  plan), and its perimeter;
* volume: from the divergence theorem over a closed, consistently wound shell (wound
  consistently first when it is not); ``None`` when the shell is open;
* height: lowest to highest point; centroid: the footprint's centroid at mid-height.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from twin import tolerances
from twin.geometry.cache import GeometryCache
from twin.geometry.keys import get_code_fingerprint
from twin.geometry.grouped import reduce_groups
from twin.geometry.meshes import ElementMesh, load_meshes
from twin.geometry.triangles import cross_rows, get_edge_uses, get_triangle_cross, stack_meshes, weld_vertices
from twin.tolerances import (
    DEGENERATE_TRIANGLE_AREA_M2,
    FLOOR_Z_TOLERANCE_M,
    FOOTPRINT_SIMPLIFY_M,
    HORIZONTAL_NORMAL_MIN_ABS_Z,
)


@dataclass(frozen=True)
class RoomMeasures:
    """A room's measures. Lengths in m, areas in m2, volumes in m3, points in the world frame."""

    floor_area_m2: float
    volume_m3: float | None
    height_m: float
    perimeter_m: float
    footprint: BaseGeometry  # Polygon or MultiPolygon, world x/y in metres
    centroid: np.ndarray  # (3,) float64
    bbox_min: np.ndarray  # (3,) float64
    bbox_max: np.ndarray  # (3,) float64
    is_closed: bool


def get_triangle_normals(triangles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit normals ``(m, 3)`` and areas ``(m,)`` of ``(m, 3, 3) float64`` triangles."""
    cross = get_triangle_cross(triangles)
    norm = np.sqrt(np.einsum("ij,ij->i", cross, cross))
    return cross / np.maximum(norm, 1e-300)[:, None], norm / 2.0


def _unions_of_projections(triangles: np.ndarray, owners: np.ndarray, rooms: int) -> list[BaseGeometry]:
    """Per room, the union of its ``(m, 3, 3)`` triangles projected on the x/y plane (``owners``:
    ``(m,)`` sorted room indices), all rooms in one call (:func:`reduce_groups`)."""
    unions: list[BaseGeometry] = [Polygon()] * rooms
    if len(triangles) == 0:
        return unions
    rings = np.concatenate([triangles[:, :, :2], triangles[:, :1, :2]], axis=1)  # (m, 4, 2)
    polygons = shapely.polygons(rings)
    kept = shapely.area(polygons) > DEGENERATE_TRIANGLE_AREA_M2
    polygons, owners = polygons[kept], owners[kept]
    for room, union in zip(*reduce_groups(polygons, owners, shapely.union_all)):
        unions[room] = union
    return unions


def _as_polygonal(geometry: BaseGeometry) -> BaseGeometry:
    """Keep only the polygons of a union result, simplified to :data:`FOOTPRINT_SIMPLIFY_M`."""
    if isinstance(geometry, (Polygon, MultiPolygon)):
        polygonal = geometry
    else:
        parts = [g for g in getattr(geometry, "geoms", []) if isinstance(g, Polygon)]
        polygonal = MultiPolygon(parts) if parts else Polygon()
    return polygonal.simplify(FOOTPRINT_SIMPLIFY_M, preserve_topology=True)


def _edge_state(faces: np.ndarray, vertex_count: int) -> tuple[bool, bool]:
    """(closed, consistently wound) of triangles over shared vertex indices."""
    _, shared, same = get_edge_uses(faces, vertex_count)
    closed = len(shared) > 0 and bool(np.all(shared == 2))
    return closed, closed and bool(np.all(same == 1))


def _get_shell_state(vertices: np.ndarray, faces: np.ndarray) -> tuple[bool, bool]:
    """(closed, consistently wound) for a triangle soup; coincident vertices are welded first
    when the indices alone do not close the shell."""
    state = _edge_state(faces, len(vertices))
    if state[0]:
        return state
    return _edge_state(weld_vertices(vertices)[faces], len(vertices))


def get_signed_volume(vertices: np.ndarray, faces: np.ndarray) -> float:
    """Signed volume (m3) enclosed by triangles, by the divergence theorem."""
    triangles = vertices[faces]
    return float(np.einsum("ij,ij->i", triangles[:, 0], cross_rows(triangles[:, 1], triangles[:, 2])).sum() / 6.0)


def _get_volume(vertices: np.ndarray, faces: np.ndarray) -> tuple[float | None, bool]:
    closed, consistent = _get_shell_state(vertices, faces)
    if not closed:
        return None, False
    if not consistent:
        import trimesh

        mesh = trimesh.Trimesh(vertices, faces, process=True)
        trimesh.repair.fix_winding(mesh)
        if not mesh.is_winding_consistent:
            return None, True
        vertices, faces = mesh.vertices, mesh.faces
    return abs(get_signed_volume(vertices, faces)), True


def measure_room(vertices: np.ndarray, faces: np.ndarray) -> RoomMeasures:
    """Measure one room mesh: ``vertices (n, 3) float64`` world metres, ``faces (m, 3) int``."""
    return measure_many([(vertices, faces)])[0]


def measure_many(meshes: Sequence[tuple[np.ndarray, np.ndarray]]) -> list[RoomMeasures]:
    """:func:`measure_room` for many ``(vertices, faces)`` meshes (each with at least one vertex)
    in a few array calls over all their triangles at once: per-room numpy and shapely calls on
    small arrays cost more in overhead than in arithmetic."""
    if not meshes:
        return []
    vertices, faces, starts, owners = stack_meshes(meshes)  # owners: (m,) the room of each face, sorted
    triangles = vertices[faces]
    normals, areas = get_triangle_normals(triangles)
    bbox_min, bbox_max = np.minimum.reduceat(vertices, starts), np.maximum.reduceat(vertices, starts)
    # floor: the horizontal faces at each room's own lowest z
    at_bottom = np.all(np.abs(triangles[:, :, 2] - bbox_min[owners, 2][:, None]) <= FLOOR_Z_TOLERANCE_M, axis=1)
    floor = at_bottom & (np.abs(normals[:, 2]) >= HORIZONTAL_NORMAL_MIN_ABS_Z) & (areas > DEGENERATE_TRIANGLE_AREA_M2)
    non_vertical = (np.abs(normals[:, 2]) > 1e-6) & (areas > DEGENERATE_TRIANGLE_AREA_M2)
    floors = _unions_of_projections(triangles[floor], owners[floor], len(meshes))
    footprints = _unions_of_projections(triangles[non_vertical], owners[non_vertical], len(meshes))
    volumes = _get_volumes(vertices, faces, owners, meshes)
    measures = []
    for index, (volume, closed) in enumerate(volumes):
        footprint = _as_polygonal(footprints[index])
        low, high = bbox_min[index], bbox_max[index]
        centre = footprint.centroid if not footprint.is_empty else None
        measures.append(RoomMeasures(
            floor_area_m2=float(_as_polygonal(floors[index]).area),
            volume_m3=volume,
            height_m=float(high[2] - low[2]),
            perimeter_m=float(footprint.length),
            footprint=footprint,
            centroid=np.array([centre.x if centre is not None else (low[0] + high[0]) / 2,
                               centre.y if centre is not None else (low[1] + high[1]) / 2, (low[2] + high[2]) / 2]),
            bbox_min=low,
            bbox_max=high,
            is_closed=closed,
        ))
    return measures


def _get_volumes(vertices: np.ndarray, faces: np.ndarray, owners: np.ndarray,
                 meshes: Sequence[tuple[np.ndarray, np.ndarray]]) -> list[tuple[float | None, bool]]:
    """:func:`_get_volume` per room: the shells closed and consistently wound by their own
    indices (nearly all) at once, the others one by one (welded, or rewound, first)."""
    rooms = len(meshes)
    face_of, shared, same = get_edge_uses(faces, len(vertices))  # indices are global: no two rooms share an edge
    edge_owners = owners[face_of]
    has_edges = np.bincount(edge_owners, minlength=rooms) > 0
    open_edges = np.bincount(edge_owners, weights=shared != 2, minlength=rooms)
    doubled = np.bincount(edge_owners, weights=same != 1, minlength=rooms)
    plain = has_edges & (open_edges == 0) & (doubled == 0)
    triangles = vertices[faces]
    signed = np.bincount(owners, weights=np.einsum("ij,ij->i", triangles[:, 0], cross_rows(triangles[:, 1], triangles[:, 2])),
                         minlength=rooms) / 6.0
    return [(abs(float(signed[i])), True) if plain[i] else _get_volume(np.asarray(v, dtype=np.float64), np.asarray(f, dtype=np.int64))
            for i, (v, f) in enumerate(meshes)]


def measure_rooms(meshes: dict[str, ElementMesh], *, cache: GeometryCache | None = None) -> dict[str, RoomMeasures]:
    """:func:`measure_room` for each mesh; with a ``cache``, a mesh measured before (same
    vertices and faces, same measuring code) is not measured again."""
    if cache is None:
        return dict(zip(meshes, _measure_meshes(list(meshes.values()))))
    code = get_code_fingerprint(sys.modules[__name__], tolerances)
    keys = {key: f"measure:{code}:{m.digest}" for key, m in meshes.items()}
    by_key = {keys[key]: m for key, m in meshes.items()}
    measured = cache.remember_batch(by_key, lambda missing: _measure_meshes([by_key[k] for k in missing]))
    return {key: measured[keys[key]] for key in meshes}


def _measure_meshes(meshes: list[ElementMesh]) -> list[RoomMeasures]:
    load_meshes(meshes)  # those from the cache, in one query
    return measure_many([(m.vertices, m.faces) for m in meshes])
