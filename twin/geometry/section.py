"""Horizontal sections of meshes: the cut walls of a floor plan and a building's outline.

Inputs are meshes in the world frame (metres, Z up); outputs are shapely geometries in world x/y.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterable

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from twin.geometry.cache import GeometryCache
from twin.geometry.keys import get_code_fingerprint
from twin.geometry.grouped import reduce_groups
from twin.geometry.meshes import ElementMesh, load_meshes
from twin.tolerances import PLAN_GRID_M

#: Classes whose cut is drawn as wall on a plan.
CUT_CLASSES = ("IfcWall", "IfcWallStandardCase", "IfcColumn", "IfcCurtainWall", "IfcWallElementedCase")


def slice_triangles(triangles: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """``(k, 2, 2)`` segments where ``(m, 3, 3)`` triangles cross the plane at ``z``, and the
    ``(k,)`` indices of the triangles they come from."""
    heights = triangles[:, :, 2] - z
    above = heights > 0
    crossing = np.flatnonzero(above.any(axis=1) & ~above.all(axis=1))
    triangles, heights, above = triangles[crossing], heights[crossing], above[crossing]
    if len(triangles) == 0:
        return np.zeros((0, 2, 2)), crossing
    # the lone vertex is the one on the minority side; the two edges from it cross the plane
    lone_above = above.sum(axis=1) == 1
    lone = np.where(lone_above, np.argmax(above, axis=1), np.argmin(above, axis=1))
    index = np.arange(len(triangles))
    points = []
    for step in (1, 2):
        other = (lone + step) % 3
        a, b = triangles[index, lone], triangles[index, other]
        ha, hb = heights[index, lone], heights[index, other]
        t = ha / np.where(ha - hb == 0, 1e-12, ha - hb)
        points.append(a[:, :2] + (b[:, :2] - a[:, :2]) * t[:, None])
    return np.stack(points, axis=1), crossing


def cut_at(meshes: Iterable[ElementMesh], z: float) -> BaseGeometry:
    """The union of the closed sections of ``meshes`` at height ``z`` (world x/y polygons,
    snapped to :data:`~twin.tolerances.PLAN_GRID_M`).

    Each mesh's section is polygonised on its own (walls that overlap must not node into each
    other), all in a few array calls: the meshes' triangles are sliced together, and the
    segments polygonised per mesh in one call (:func:`reduce_groups`)."""
    meshes = list(meshes)
    load_meshes(meshes)  # those from the cache, in one query
    meshes = [m for m in meshes if len(m.faces)]
    if not meshes:
        return Polygon()
    triangles = np.concatenate([m.vertices[m.faces] for m in meshes])
    owners = np.repeat(np.arange(len(meshes)), [len(m.faces) for m in meshes])
    segments, crossing = slice_triangles(triangles, z)
    owners = owners[crossing]
    counts = np.bincount(owners, minlength=len(meshes))
    kept = counts[owners] >= 3  # fewer than three segments close nothing
    segments, owners = segments[kept], owners[kept]
    if len(segments) == 0:
        return Polygon()
    _, sections = reduce_groups(shapely.linestrings(np.round(segments, 6)), owners, shapely.polygonize)  # owners sorted: mesh order
    polygons = shapely.get_parts(sections)
    polygons = polygons[shapely.area(polygons) > 1e-6]
    if len(polygons) == 0:
        return Polygon()
    return _settle(shapely.union_all(polygons).simplify(0.002))


def join_cuts(cuts: Iterable[BaseGeometry]) -> BaseGeometry:
    """One storey's cut walls made in parts (:func:`cut_at` of some of its walls each), united
    and left as :func:`cut_at` leaves its own."""
    return _settle(unite(cuts))


def _settle(walls: BaseGeometry) -> BaseGeometry:
    """Cut walls snapped to the plan grid, then as after any trip through WKB (the geometry
    cache, the read-ahead child's pipe): without GEOS's precision model, which an overlay with it
    would otherwise use, and in normal form (each ring from a canonical vertex), so that an
    outline made with these walls is the same wherever they were cut (a building's outline
    differed by 0.1 % between fresh and cached or sent cuts)."""
    return shapely.normalize(shapely.set_precision(shapely.set_precision(walls, PLAN_GRID_M), 0))


def cut_storeys(walls: dict[str, tuple[list[ElementMesh], float]], *, cache: GeometryCache | None = None) -> dict[str, BaseGeometry]:
    """:func:`cut_at` for each ``key -> (meshes, z)``; with a ``cache``, a cut made before (the
    same meshes at the same height, the same code) is not made again."""
    if cache is None:
        return {key: cut_at(meshes, z) for key, (meshes, z) in walls.items()}
    code = get_code_fingerprint(sys.modules[__name__])
    keys = {
        key: f"cut:{code}:{z!r}:" + ",".join(sorted(m.digest for m in meshes))
        for key, (meshes, z) in walls.items()
    }
    made = cache.remember_many({keys[key]: (lambda meshes=meshes, z=z: cut_at(meshes, z)) for key, (meshes, z) in walls.items()})
    return {key: made[keys[key]] for key in walls}


def outline_of(parts: Iterable[BaseGeometry], *, close_gaps_m: float = 0.5, simplify_m: float = 0.2) -> BaseGeometry:
    """A building outline: the union of plan parts, small gaps closed, simplified, snapped to
    :data:`~twin.tolerances.PLAN_GRID_M`."""
    geometries = [g for g in parts if g is not None and not g.is_empty]
    if not geometries:
        return Polygon()
    union = shapely.union_all(geometries).buffer(close_gaps_m, join_style="mitre").buffer(-close_gaps_m, join_style="mitre")
    return shapely.set_precision(union.simplify(simplify_m), PLAN_GRID_M)


def outline_many(parts: dict[str, dict[str, list[BaseGeometry]]], *, cache: GeometryCache | None = None) -> dict[str, BaseGeometry]:
    """:func:`outline_of` for each ``key -> {storey -> parts}``, each storey's parts united first
    (:func:`unite`). With a ``cache``, a storey united before (exactly the same parts: their WKB)
    by the same code is not united again, nor an outline made of the same storeys: the union is
    most of an outline's cost, and a new version of a model mostly changes a storey, not all."""
    if cache is None:
        return {key: outline_of([unite(geometries) for geometries in storeys.values()]) for key, storeys in parts.items()}
    code = get_code_fingerprint(sys.modules[__name__])
    storey_keys = {(key, storey): f"union:{code}:{_get_parts_digest(geometries)}"
                   for key, storeys in parts.items() for storey, geometries in storeys.items()}
    unions = cache.remember_many({storey_keys[key, storey]: (lambda geometries=geometries: unite(geometries))
                                  for key, storeys in parts.items() for storey, geometries in storeys.items()})
    outlines = {}
    for key, storeys in parts.items():
        mine = sorted(storey_keys[key, storey] for storey in storeys)
        outline_key = f"outline:{code}:" + hashlib.blake2b("|".join(mine).encode(), digest_size=20).hexdigest()
        outlines[key] = (outline_key, [unions[storey_key] for storey_key in mine])
    made = cache.remember_many({outline_key: (lambda united=united: outline_of(united)) for outline_key, united in outlines.values()})
    return {key: made[outline_key] for key, (outline_key, _) in outlines.items()}


def unite(parts: Iterable[BaseGeometry]) -> BaseGeometry:
    """The union of ``parts`` (world x/y polygons), the empty and missing left out."""
    geometries = [g for g in parts if g is not None and not g.is_empty]
    return shapely.union_all(geometries) if geometries else Polygon()


def _get_parts_digest(geometries: list[BaseGeometry]) -> str:
    """A digest of a set of geometries, whatever their order (their WKB, sorted)."""
    digest = hashlib.blake2b(digest_size=20)
    for wkb in sorted(shapely.to_wkb([g for g in geometries if g is not None and not g.is_empty])):
        digest.update(wkb)
    return digest.hexdigest()


def as_multipolygon(geometry: BaseGeometry) -> MultiPolygon:
    """Any polygonal geometry as a MultiPolygon (other parts dropped)."""
    if isinstance(geometry, MultiPolygon):
        return geometry
    if isinstance(geometry, Polygon):
        return MultiPolygon([geometry]) if not geometry.is_empty else MultiPolygon()
    return MultiPolygon([g for g in getattr(geometry, "geoms", []) if isinstance(g, Polygon)])
