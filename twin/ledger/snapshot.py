"""Everything one IFC file says about its rooms, read and measured, before the database is touched.

:func:`read_snapshot` runs the read and geometry stages of an ingest: spatial structure,
properties and declared areas, rooms meshed and measured, then the building elements for the 3D
context. It writes nothing; :mod:`twin.ledger.ingest` applies the result in one transaction.
Coordinates are in the model's world frame (metres, Z up).
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import ifcopenshell
import numpy as np
import orjson
import shapely
from shapely.geometry.base import BaseGeometry

from twin.geometry.cache import GeometryCache
from twin.geometry.child import SentJob
from twin.geometry.measure import RoomMeasures, measure_rooms
from twin.geometry.section import outline_many
from twin.geometry.mesher import ElementMesh, FailedElement, MeshResult, get_context_elements, mesh_elements
from twin.ifc.attributes import get_declared
from twin.ifc.georef import Georeference, read_georeference
from twin.ifc.quantities import DeclaredArea, RoomProperties, read_room_properties
from twin.ifc.reader import IfcModel
from twin.ifc.spatial import Node, SpatialStructure, read_spatial_structure
from twin.ledger.context import mesh_context
from twin.ledger.readahead import ReadAhead
from twin.tolerances import AREA_DECIMALS, PLAN_GRID_M

log = logging.getLogger(__name__)

#: ``progress(stage, done, total)``: stages are ``read``, ``rooms``, ``context``, ``assets``, ``ledger``.
Progress = Callable[[str, int, int], None]


@dataclass
class RoomRecord:
    """One room as the file describes it, with its measures (``None`` when it has no geometry)."""

    global_id: str
    building_global_id: str
    storey_global_id: str
    storey_inferred: bool
    number: str | None
    name: str | None
    ifc_class: str
    object_type: str | None
    predefined_type: str | None
    properties: dict[str, Any]
    declared_areas: list[DeclaredArea]
    primary_declared: DeclaredArea | None
    measures: RoomMeasures | None = None
    mesh: ElementMesh | None = None

    def get_measured_columns(self, *, footprint: dict[str, Any] | None) -> dict[str, Any]:
        """The room table's measured columns (rounded), with ``footprint``: the footprint as
        GeoJSON in world x/y, made for all rooms at once by :meth:`Snapshot.get_footprints`."""
        m = self.measures
        if m is None:
            return dict.fromkeys(
                ("measured_area_m2", "volume_m3", "height_m", "perimeter_m", "footprint", "centroid", "bbox", "is_closed")
            )
        return {
            "measured_area_m2": round(m.floor_area_m2, AREA_DECIMALS),
            "volume_m3": round(m.volume_m3, 4) if m.volume_m3 is not None else None,
            "height_m": round(m.height_m, 4),
            "perimeter_m": round(m.perimeter_m, 4),
            "footprint": footprint,
            "centroid": [round(float(v), 4) for v in m.centroid],
            "bbox": [round(float(v), 4) for v in (*m.bbox_min, *m.bbox_max)],
            "is_closed": m.is_closed,
        }


@dataclass
class MeshingReport:
    """Over an ingest's stages: meshes by the geometry library that made them (or made them
    before, for meshes from the cache), cache hits, and every result a library gave that was not
    kept, with the library that kept the element in the end (``failed``: none did)."""

    by_library: dict[str, int] = field(default_factory=dict)
    meshed: int = 0
    cache_hits: int = 0
    fallbacks: list[dict[str, str]] = field(default_factory=list)

    def add(self, result: MeshResult) -> None:
        for library in result.libraries.values():
            self.by_library[library] = self.by_library.get(library, 0) + 1
        self.meshed += len(result.meshes)
        self.cache_hits += result.cache_hits
        self.fallbacks.extend(
            {"global_id": f.global_id, "ifc_class": f.ifc_class, "library": f.library, "reason": f.reason,
             "kept_by": result.libraries.get(f.global_id, "failed")}
            for f in result.fallbacks
        )


@dataclass
class Snapshot:
    """A model file read and measured: hierarchy, rooms, context meshes and what failed."""

    model: IfcModel
    structure: SpatialStructure
    georeference: Georeference | None
    rooms: dict[str, RoomRecord]
    context: dict[str, list[ElementMesh]] = field(default_factory=dict)  # storey GlobalId -> meshes
    failed: list[FailedElement] = field(default_factory=list)
    context_count: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    plan_walls: dict[str, BaseGeometry] = field(default_factory=dict)  # storey GlobalId -> cut walls
    outlines: dict[str, BaseGeometry] | None = None  # building GlobalId -> outline, once the walls are cut
    ahead: ReadAhead | None = None  # the rooms' keys and properties and the context's geometry, made ahead
    meshing: MeshingReport = field(default_factory=MeshingReport)
    context_elements: list[ifcopenshell.entity_instance] | None = None  # found once (get_context_elements)

    def get_context_elements(self) -> list[ifcopenshell.entity_instance]:
        """The building elements the context stage meshes (found once, whoever asks first)."""
        if self.context_elements is None:
            self.context_elements = get_context_elements(self.model.file)
        return self.context_elements

    def get_footprints(self, global_ids: Iterable[str] | None = None) -> dict[str, dict[str, Any] | None]:
        """Every measured room's (of ``global_ids``: those rooms') footprint as GeoJSON (as
        :func:`to_geojson` gives it), made in one vectorised call: one at a time cost twice as much."""
        rooms = self.rooms if global_ids is None else {gid: self.rooms[gid] for gid in global_ids}
        measured = [(gid, room.measures.footprint) for gid, room in rooms.items() if room.measures is not None]
        return dict(zip((gid for gid, _ in measured), to_geojson_many([footprint for _, footprint in measured])))

    @functools.cached_property
    def room_outlines(self) -> dict[str, BaseGeometry]:
        """Each building's outline from its rooms' footprints alone (until the walls are cut)."""
        return _get_outlines(self.structure, self.rooms, {}, cache=None)

    def get_outline(self, building_global_id: str) -> BaseGeometry | None:
        """A building's outline (world x/y): its rooms' footprints and cut walls once the context
        stage has cut them (:func:`add_context`), else its rooms' footprints alone."""
        return (self.outlines if self.outlines is not None else self.room_outlines).get(building_global_id)

    def get_outline_wgs84(self, building_global_id: str) -> dict[str, Any] | None:
        """A building's outline as GeoJSON in WGS84 lon/lat, when the model is georeferenced."""
        outline = self.get_outline(building_global_id)
        if outline is None or outline.is_empty or self.georeference is None:
            return None
        try:
            projected = shapely.transform(outline, self.georeference.world_to_wgs84)
        except ValueError:
            return None
        return to_geojson(projected, precision=1e-7)

    @property
    def campus_node(self) -> Node:
        """The site the model's first building stands on, or a stand-in named after the project."""
        for building in self.structure.buildings.values():
            if building.parent_global_id in self.structure.sites:
                return self.structure.sites[building.parent_global_id]
        if self.structure.sites:
            return next(iter(self.structure.sites.values()))
        project = self.model.project
        return Node(f"{project.GlobalId}/site", "IfcSite", project.Name, project.LongName, None, 0.0, True)


def to_geojson(geometry: BaseGeometry, *, precision: float | None = PLAN_GRID_M) -> dict[str, Any] | None:
    """A shapely geometry as a GeoJSON dict, coordinates snapped to ``precision``; ``None``: as
    they are, for geometries made on the plan grid (cut walls and outlines,
    :mod:`twin.geometry.section`), which a snap would only slow (a millisecond a storey: a
    geometry from the cache has lost its precision model, so GEOS snaps it all again)."""
    if geometry is None or geometry.is_empty:
        return None
    return orjson.loads(shapely.to_geojson(geometry if precision is None else shapely.set_precision(geometry, precision)))


def to_geojson_many(geometries: list[BaseGeometry | None], *, precision: float = PLAN_GRID_M) -> list[dict[str, Any] | None]:
    """:func:`to_geojson` of each geometry, in one vectorised shapely call."""
    array = np.empty(len(geometries), dtype=object)
    array[:] = [g if g is not None and not g.is_empty else None for g in geometries]
    texts = shapely.to_geojson(shapely.set_precision(array, precision))
    return [orjson.loads(text) if text is not None else None for text in texts]


def _mesh(snapshot: Snapshot, elements, *, stage: str, say: Progress, cache: GeometryCache | None, keys=None) -> MeshResult:
    """:func:`mesh_elements` with the cache; ``keys`` (by step id, as :class:`~twin.ledger.readahead.ReadAhead`
    gives them) come with it."""
    result = mesh_elements(snapshot.model.file, elements, on_progress=lambda d, t: say(stage, d, t), cache=cache, keys=keys)
    snapshot.meshing.add(result)
    return result


def _get_outlines(structure: SpatialStructure, rooms: dict[str, RoomRecord], plan_walls: dict[str, BaseGeometry], *,
                  cache: GeometryCache | None) -> dict[str, BaseGeometry]:
    """Each building's outline from its rooms' footprints and its storeys' cut walls, storey by
    storey (made before: from the ``cache``)."""
    parts: dict[str, dict[str, list[BaseGeometry]]] = {}
    for storey_gid, walls in plan_walls.items():
        parts.setdefault(structure.storeys[storey_gid].parent_global_id, {}).setdefault(storey_gid, []).append(walls)
    for room in rooms.values():
        if room.measures is not None:
            parts.setdefault(room.building_global_id, {}).setdefault(room.storey_global_id, []).append(room.measures.footprint)
    return outline_many(parts, cache=cache)


def _read_rooms(model: IfcModel, structure: SpatialStructure, *, properties: dict[int, RoomProperties] | None) -> dict[str, RoomRecord]:
    """Each placed space as a room record; ``properties`` by step id, as read ahead (else read here)."""
    rooms = {}
    for global_id, place in structure.spaces.items():
        space = place.entity
        props = properties[space.id()] if properties is not None else read_room_properties(space, model.units)
        rooms[global_id] = RoomRecord(
            global_id=global_id,
            building_global_id=place.building_global_id,
            storey_global_id=place.storey_global_id,
            storey_inferred=place.storey_inferred,
            number=space.Name,
            name=getattr(space, "LongName", None),
            ifc_class=space.is_a(),
            object_type=space.ObjectType,
            predefined_type=get_declared(space, "PredefinedType") or get_declared(space, "InteriorOrExteriorSpace"),  # IFC2X3's
            properties=props.properties,
            declared_areas=props.declared_areas,
            primary_declared=props.primary_declared_area,
        )
    return rooms


def read_snapshot(
    model: IfcModel, *, with_context: bool = True, progress: Progress | None = None, cache: GeometryCache | None = None
) -> Snapshot:
    """Read and measure a model: rooms first, then (``with_context``) the building elements.

    ``cache``: meshes are taken from and stored in it (see :mod:`twin.geometry.cache`)."""
    snapshot = read_rooms(model, progress=progress, cache=cache, context_next=with_context)
    if with_context:
        add_context(snapshot, progress=progress, cache=cache)
    return snapshot


def read_rooms(
    model: IfcModel, *, progress: Progress | None = None, cache: GeometryCache | None = None, context_next: bool = False,
    sent: SentJob | None = None,
) -> Snapshot:
    """The rooms stage: hierarchy, properties, rooms meshed and measured (no building elements).

    With a ``cache``, the rooms' cache keys and properties (and, ``context_next``:
    :func:`add_context` will follow, the whole context stage's geometry) are begun at once, in a
    forked child (:class:`~twin.ledger.readahead.ReadAhead`): the rooms are meshed first, and
    their records made after; the context is made meanwhile, on the other core. ``sent``: the
    read-ahead sent to a kept child before the file was opened here
    (:func:`~twin.ledger.readahead.send_read_ahead`, which includes the context: only with
    ``context_next``)."""
    say = progress or (lambda stage, done, total: None)
    started = time.perf_counter()
    say("read", 0, 1)
    context = get_context_elements(model.file) if context_next else None
    ahead = ReadAhead(model, context=context, cache=cache, sent=sent) if cache is not None else None  # on the other core, meanwhile:
    structure = read_spatial_structure(model)
    if ahead is not None:
        ahead.set_structure(structure)
    snapshot = Snapshot(model, structure, read_georeference(model), {}, ahead=ahead, context_elements=context)
    snapshot.timings["read"] = time.perf_counter() - started
    say("read", 1, 1)

    started = time.perf_counter()
    spaces = [place.entity for place in structure.spaces.values()]
    result = _mesh(snapshot, spaces, stage="rooms", say=say, cache=cache, keys=ahead.get_room_keys() if ahead is not None else None)
    snapshot.failed.extend(result.failed)
    rooms = snapshot.rooms
    rooms.update(_read_rooms(model, structure, properties=ahead.get_room_properties() if ahead is not None else None))
    meshes = {global_id: mesh for global_id, mesh in result.meshes.items() if global_id in rooms}
    measures = measure_rooms(meshes, cache=cache)
    for global_id, mesh in meshes.items():
        room = rooms[global_id]
        room.mesh, room.measures = mesh, measures[global_id]
        if room.storey_inferred:  # the geometry's lowest point is a better elevation than a placement
            better = structure.get_storey_at(room.building_global_id, float(room.measures.bbox_min[2]))
            room.storey_global_id = better or room.storey_global_id
    snapshot.timings["rooms"] = time.perf_counter() - started
    return snapshot


def add_context(snapshot: Snapshot, *, progress: Progress | None = None, cache: GeometryCache | None = None) -> None:
    """The context stage: walls, slabs, doors, windows... meshed by storey and each storey's walls
    cut (made ahead in the read-ahead child, if it began them: :mod:`twin.ledger.context`), then
    each building's outline."""
    say = progress or (lambda stage, done, total: None)
    started = time.perf_counter()
    elements = snapshot.get_context_elements()

    def on_progress(done: int, total: int) -> None:
        say("context", done, total)

    if snapshot.ahead is not None and snapshot.ahead.has_context:
        context = snapshot.ahead.get_context(on_progress=on_progress).attach(cache)
    else:
        context = mesh_context(snapshot.model, snapshot.structure, elements, cache=cache, on_progress=on_progress)
    result = context.result
    snapshot.meshing.add(result)
    snapshot.failed.extend(result.failed)
    snapshot.context_count = len(result.meshes)
    for gid, mesh in result.meshes.items():
        storey = context.storeys.get(gid)
        if storey is not None:
            snapshot.context.setdefault(storey, []).append(mesh)
    snapshot.plan_walls.update(context.plan_walls)
    snapshot.timings["context"] = time.perf_counter() - started
    snapshot.timings.update(context.timings)
    started = time.perf_counter()
    snapshot.outlines = _get_outlines(snapshot.structure, snapshot.rooms, snapshot.plan_walls, cache=cache)
    snapshot.timings["plans"] = time.perf_counter() - started
