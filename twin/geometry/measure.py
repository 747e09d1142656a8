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
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from twin import tolerances
from twin.geometry.cache import GeometryCache, get_code_fingerprint
from twin.geometry.mesher import ElementMesh
from twin.geometry.triangles import cross_rows, get_triangle_cross, weld_vertices
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


def _union_of_projections(triangles: np.ndarray) -> BaseGeometry:
    """The union of ``(m, 3, 3)`` triangles projected on the x/y plane."""
    if len(triangles) == 0:
        return Polygon()
    rings = np.concatenate([triangles[:, :, :2], triangles[:, :1, :2]], axis=1)  # (m, 4, 2)
    polygons = shapely.polygons(rings)
    polygons = polygons[shapely.area(polygons) > DEGENERATE_TRIANGLE_AREA_M2]
    return shapely.union_all(polygons) if len(polygons) else Polygon()


def _as_polygonal(geometry: BaseGeometry) -> BaseGeometry:
    """Keep only the polygons of a union result, simplified to :data:`FOOTPRINT_SIMPLIFY_M`."""
    if isinstance(geometry, (Polygon, MultiPolygon)):
        polygonal = geometry
    else:
        parts = [g for g in getattr(geometry, "geoms", []) if isinstance(g, Polygon)]
        polygonal = MultiPolygon(parts) if parts else Polygon()
    return polygonal.simplify(FOOTPRINT_SIMPLIFY_M, preserve_topology=True)


def get_floor_faces(vertices: np.ndarray, faces: np.ndarray, *, normals: np.ndarray | None = None,
                    areas: np.ndarray | None = None) -> np.ndarray:
    """Boolean mask ``(m,)`` of the horizontal faces lying at the mesh's lowest z (``normals``
    and ``areas``: :func:`get_triangle_normals` of the faces, when the caller has them)."""
    triangles = vertices[faces]
    if normals is None or areas is None:
        normals, areas = get_triangle_normals(triangles)
    z_min = vertices[:, 2].min()
    at_bottom = np.all(np.abs(triangles[:, :, 2] - z_min) <= FLOOR_Z_TOLERANCE_M, axis=1)
    horizontal = np.abs(normals[:, 2]) >= HORIZONTAL_NORMAL_MIN_ABS_Z
    return at_bottom & horizontal & (areas > DEGENERATE_TRIANGLE_AREA_M2)


def _edge_state(faces: np.ndarray, vertex_count: int) -> tuple[bool, bool]:
    """(closed, consistently wound) of triangles over shared vertex indices (1-D keys: fast)."""
    directed = np.concatenate([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]])
    directed = directed[directed[:, 0] != directed[:, 1]]
    if len(directed) == 0:
        return False, False
    n = np.int64(vertex_count)
    undirected = np.sort(directed, axis=1)
    _, counts = np.unique(undirected[:, 0] * n + undirected[:, 1], return_counts=True)
    closed = bool(np.all(counts == 2))
    if not closed:
        return False, False
    _, directed_counts = np.unique(directed[:, 0] * n + directed[:, 1], return_counts=True)
    return True, bool(np.all(directed_counts == 1))


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
    vertices = np.asarray(vertices, dtype=np.float64)
    faces = np.asarray(faces, dtype=np.int64)
    triangles = vertices[faces]
    normals, areas = get_triangle_normals(triangles)
    floor = _as_polygonal(_union_of_projections(triangles[get_floor_faces(vertices, faces, normals=normals, areas=areas)]))
    non_vertical = (np.abs(normals[:, 2]) > 1e-6) & (areas > DEGENERATE_TRIANGLE_AREA_M2)
    footprint = _as_polygonal(_union_of_projections(triangles[non_vertical]))
    volume, closed = _get_volume(vertices, faces)
    bbox_min, bbox_max = vertices.min(axis=0), vertices.max(axis=0)
    plan_centre = footprint.centroid if not footprint.is_empty else None
    centroid = np.array(
        [
            plan_centre.x if plan_centre is not None else (bbox_min[0] + bbox_max[0]) / 2,
            plan_centre.y if plan_centre is not None else (bbox_min[1] + bbox_max[1]) / 2,
            (bbox_min[2] + bbox_max[2]) / 2,
        ]
    )
    return RoomMeasures(
        floor_area_m2=float(floor.area),
        volume_m3=volume,
        height_m=float(bbox_max[2] - bbox_min[2]),
        perimeter_m=float(footprint.length),
        footprint=footprint,
        centroid=centroid,
        bbox_min=bbox_min,
        bbox_max=bbox_max,
        is_closed=closed,
    )


def measure_rooms(meshes: dict[str, ElementMesh], *, cache: GeometryCache | None = None) -> dict[str, RoomMeasures]:
    """:func:`measure_room` for each mesh; with a ``cache``, a mesh measured before (same
    vertices and faces, same measuring code) is not measured again."""
    if cache is None:
        return {key: measure_room(m.vertices, m.faces) for key, m in meshes.items()}
    code = get_code_fingerprint(sys.modules[__name__], tolerances)
    keys = {key: f"measure:{code}:{m.digest}" for key, m in meshes.items()}
    measured = cache.remember_many({keys[key]: (lambda m=m: measure_room(m.vertices, m.faces)) for key, m in meshes.items()})
    return {key: measured[keys[key]] for key in meshes}
