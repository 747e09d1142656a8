"""The context stage's geometry: a model's building elements meshed, by storey, and its walls cut.

The 3D context (walls, slabs, doors, windows...) needs nothing the rooms stage makes, so an
ingest makes it in its read-ahead child (:class:`~twin.ledger.readahead.ReadAhead`), on the
other core, while this process meshes, measures and stores the rooms; only the building
outlines (the rooms' footprints with the cut walls) and the assets are made here after.

A large model's context is made in parts (:func:`count_parts`, :func:`split_context`: runs of
elements storey by storey), each meshed, given its storeys and its walls cut on its own: the
child makes them from the first, and this process, once its rooms are stored, from the last,
until they meet (:class:`~twin.ledger.readahead.ReadAhead`); :func:`merge_contexts` puts them
together, a storey cut in two parts getting the union of its two cuts. The parts are the same
whoever makes them, so the result is too; and the same whether or not a child was forked (a
process with threads does not fork): a file gives the same plans however it was ingested.

What the child sends back is a :class:`ContextMeshes`: meshes in the geometry cache (found there,
or made and stored there) travel as their keys (:meth:`ContextMeshes.attach` gives them this
process's cache, from which their arrays are loaded when first used), others as arrays, and the
cut walls as geometries. Small as it is, a part's result does not wait long in the pipe for a
process busy with a part of its own.
Coordinates are in the model's world frame (metres, Z up).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import ifcopenshell
from shapely.geometry.base import BaseGeometry

from twin.geometry.cache import GeometryCache
from twin.geometry.mesher import MeshResult, merge_results, mesh_elements
from twin.geometry.meshes import ElementMesh
from twin.geometry.section import CUT_CLASSES, cut_storeys, join_cuts
from twin.ifc.reader import IfcModel
from twin.ifc.spatial import SpatialStructure, get_element_storey
from twin.standards import get_standards


#: Elements a part of the context is worth, and at most this many parts: each costs a kernel
#: call's set-up, its storeys' cuts and a merge, and below 100 elements ifcopenshell meshes them
#: one by one (up to twice as slow as its iterator on AC11-Institute). Measured, interleaved:
#: parts from 40 elements took AC20-FZK-Haus (82 elements, a few of them slow) 439 -> 375 ms
#: and LargeBuilding (87) 250 -> 194 ms, where parts from 100 left them whole.
CONTEXT_PART_MIN = 40
CONTEXT_PARTS_MAX = 4


@dataclass(frozen=True)
class _CachedMesh:
    """A mesh from the geometry cache, as it travels between processes: its key, not its arrays."""

    global_id: str
    step_id: int
    ifc_class: str
    content_key: str


@dataclass
class ContextMeshes:
    """The context stage's meshes (:attr:`result`), the storey of each (element GlobalId ->
    storey GlobalId; an element in none is left out of the plans and assets) and each storey's
    cut walls, with the seconds each part took where it was made."""

    result: MeshResult
    storeys: dict[str, str]
    plan_walls: dict[str, BaseGeometry]
    timings: dict[str, float] = field(default_factory=dict)

    def __getstate__(self) -> dict[str, Any]:
        meshes = {gid: _CachedMesh(gid, m.step_id, m.ifc_class, m.content_key) if m.content_key is not None else m
                  for gid, m in self.result.meshes.items()}  # a key: meshed into the cache, or found there
        return {**self.__dict__, "result": dataclasses.replace(self.result, meshes=meshes)}

    def attach(self, cache: GeometryCache | None) -> ContextMeshes:
        """The meshes that came as cache keys, loaded from ``cache`` when first used (see the module docstring)."""
        meshes = self.result.meshes
        for gid, mesh in meshes.items():
            if isinstance(mesh, _CachedMesh):
                if cache is None:
                    raise ValueError("context meshes from a geometry cache need that cache")
                meshes[gid] = ElementMesh.from_cache(gid, mesh.step_id, mesh.ifc_class, content_key=mesh.content_key, cache=cache)
        return self


def mesh_context(model: IfcModel, structure: SpatialStructure, elements: list[ifcopenshell.entity_instance], *,
                 cache: GeometryCache | None, keys: dict[int, str] | None = None,
                 on_progress: Callable[[int, int], None] | None = None, threads: int | None = None) -> ContextMeshes:
    """Mesh ``elements`` (``keys``: their cache keys, if made already), find each one's storey
    and cut each storey's walls at the plan's section height above its elevation."""
    started = time.perf_counter()
    result = mesh_elements(model.file, elements, on_progress=on_progress, cache=cache, keys=keys, threads=threads)
    storeys = {}
    for gid, mesh in result.meshes.items():
        storey = get_element_storey(structure, model.file, mesh.step_id, z_min=lambda mesh=mesh: float(mesh.vertices[:, 2].min()))
        if storey is not None:
            storeys[gid] = storey
    meshed = time.perf_counter()
    section = float(get_standards().settings.get("plan_section_height_m", 1.2))
    walls: dict[str, list[ElementMesh]] = {}
    for gid, storey in storeys.items():
        mesh = result.meshes[gid]
        walls.setdefault(storey, [])
        if mesh.ifc_class in CUT_CLASSES:
            walls[storey].append(mesh)
    plan_walls = cut_storeys({gid: (meshes, structure.storeys[gid].elevation_m + section) for gid, meshes in walls.items()},
                             cache=cache)
    timings = {"context_meshing": meshed - started, "cuts": time.perf_counter() - meshed}
    return ContextMeshes(result, storeys, plan_walls, timings)


def count_parts(elements: int) -> int:
    """How many parts a context of this many elements is made in (see :data:`CONTEXT_PART_MIN`)."""
    return max(1, min(CONTEXT_PARTS_MAX, elements // CONTEXT_PART_MIN))


def split_context(structure: SpatialStructure, elements: list[ifcopenshell.entity_instance],
                  parts: int) -> list[list[ifcopenshell.entity_instance]]:
    """``elements`` in ``parts`` runs of about the same length, storey by storey: in the spatial
    structure's order of storeys (those whose storey only their geometry tells last), each
    storey's in file order, each run ending at the end of a storey where one ends within a
    quarter of a run of its even share (a storey cut in two parts costs a union of its cuts).
    The same in every process that reads the same file: a part is the same work whoever makes it."""
    order = {gid: index for index, gid in enumerate(structure.storeys)}

    def rank(element: ifcopenshell.entity_instance) -> tuple[int, int]:
        storey = structure.parents.get_containing_storey(element.id())
        return order.get(storey, len(order)), element.id()

    ranks = {element.id(): rank(element) for element in elements}
    ranked = sorted(elements, key=lambda element: ranks[element.id()])
    storeys = [ranks[element.id()][0] for element in ranked]
    ends = [i for i in range(1, len(ranked)) if storeys[i] != storeys[i - 1]]  # where a storey begins
    share = len(ranked) / parts
    bounds = [0]
    for index in range(1, parts):
        even = round(index * share)
        near = min(ends, key=lambda end: abs(end - even), default=even)
        bound = near if abs(near - even) <= share / 4 else even
        bounds.append(bound if bound > bounds[-1] else even)
    bounds.append(len(ranked))
    return [ranked[start:end] for start, end in zip(bounds, bounds[1:])]


def merge_contexts(parts: list[ContextMeshes]) -> ContextMeshes:
    """One context of parts made apart, in their order; a storey whose walls were cut in several
    parts gets their union (:func:`~twin.geometry.section.join_cuts`)."""
    if len(parts) == 1:
        return parts[0]
    cuts: dict[str, list[BaseGeometry]] = {}
    timings: dict[str, float] = {}
    for part in parts:
        for storey, walls in part.plan_walls.items():
            cuts.setdefault(storey, []).append(walls)
        for name, seconds in part.timings.items():
            timings[name] = timings.get(name, 0.0) + seconds
    return ContextMeshes(
        merge_results(part.result for part in parts),
        {gid: storey for part in parts for gid, storey in part.storeys.items()},
        {storey: walls[0] if len(walls) == 1 else join_cuts(walls) for storey, walls in cuts.items()},
        timings,
    )
