"""The spatial structure site -> building -> storey -> space, normalised to GlobalId keys.

Exporters hang spaces in many places: under a storey (the norm), directly under a building, or
inside another space. Wherever a space hangs, :func:`read_spatial_structure` gives it a building
and a storey; where no storey is named it takes the one its elevation says (the highest storey
at or below the space's lowest point). Elevations here are in metres, in the model's world frame
(IFC project coordinates after all placements, Z up).
"""

from __future__ import annotations

import bisect
import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import ifcopenshell
import ifcopenshell.util.element as element_util
import ifcopenshell.util.placement as placement_util

from twin.ifc.reader import IfcModel
from twin.tolerances import STOREY_ELEVATION_TOLERANCE_M

log = logging.getLogger(__name__)


@dataclass
class Node:
    """A spatial element: site, building or storey. ``elevation_m`` is world z in metres."""

    global_id: str
    ifc_class: str
    name: str | None
    long_name: str | None
    parent_global_id: str | None
    elevation_m: float
    is_synthetic: bool = False


@dataclass
class SpacePlace:
    """Where a space sits: its building and storey, and whether the storey was inferred."""

    entity: ifcopenshell.entity_instance
    building_global_id: str
    storey_global_id: str | None
    storey_inferred: bool


@dataclass
class SpatialStructure:
    """The normalised hierarchy of one model; storeys are ordered by elevation per building."""

    sites: dict[str, Node] = field(default_factory=dict)
    buildings: dict[str, Node] = field(default_factory=dict)
    storeys: dict[str, Node] = field(default_factory=dict)
    spaces: dict[str, SpacePlace] = field(default_factory=dict)
    parents: ParentIndex | None = None  # set by read_spatial_structure
    _levels: dict[str, tuple[list[float], list[str]]] = field(default_factory=dict)

    def index_storeys(self) -> None:
        """Build the per-building elevation index used by :meth:`get_storey_at`."""
        by_building: dict[str, list[Node]] = {}
        for storey in self.storeys.values():
            by_building.setdefault(storey.parent_global_id or "", []).append(storey)
        self._levels = {
            building: (
                [s.elevation_m for s in sorted(items, key=lambda s: s.elevation_m)],
                [s.global_id for s in sorted(items, key=lambda s: s.elevation_m)],
            )
            for building, items in by_building.items()
        }

    def get_storey_at(self, building_global_id: str, z: float) -> str | None:
        """The storey of a building whose level a world z (m) falls on: highest at or below z."""
        elevations, ids = self._levels.get(building_global_id, ([], []))
        if not ids:
            return None
        index = bisect.bisect_right(elevations, z + STOREY_ELEVATION_TOLERANCE_M) - 1
        return ids[max(index, 0)]


def _get_world_z(entity: ifcopenshell.entity_instance, length_scale: float) -> float | None:
    placement = getattr(entity, "ObjectPlacement", None)
    if placement is None:
        return None
    try:
        return float(placement_util.get_local_placement(placement)[2, 3]) * length_scale
    except Exception:  # a broken placement chain: fall back to the Elevation attribute
        return None


def _get_parent(entity: ifcopenshell.entity_instance) -> ifcopenshell.entity_instance | None:
    """The spatial parent: the aggregating object, or else the containing structure. The
    project, the root, has none, and is not asked: asking it for the containment an element has
    makes ifcopenshell import its schema's rules to look for a derived attribute (10 ms, the
    first time in a process)."""
    if entity.is_a("IfcProject"):
        return None
    return element_util.get_aggregate(entity) or element_util.get_container(entity)


class ParentIndex:
    """Each element's spatial parent (as :func:`_get_parent` gives it), from the file's
    aggregation and containment relationships read once: asking each element for its inverses
    costs more. An element the index cannot answer for plainly (more than one such
    relationship, a nesting, none at all) is asked the library's way."""

    def __init__(self, file: ifcopenshell.file):
        # IFC2X3's Decomposes inverse holds aggregations and nestings; later schemas' only aggregations
        decomposing = "IfcRelDecomposes" if file.schema == "IFC2X3" else "IfcRelAggregates"
        self._decomposes: dict[int, list[ifcopenshell.entity_instance]] = {}
        self._contained: dict[int, list[ifcopenshell.entity_instance]] = {}
        for rel in file.by_type(decomposing):
            for element in rel.RelatedObjects or ():
                self._decomposes.setdefault(element.id(), []).append(rel)
        for rel in file.by_type("IfcRelContainedInSpatialStructure"):
            for element in rel.RelatedElements or ():
                self._contained.setdefault(element.id(), []).append(rel.RelatingStructure)

    def get_parent(self, entity: ifcopenshell.entity_instance) -> ifcopenshell.entity_instance | None:
        step_id = entity.id()
        decomposes = self._decomposes.get(step_id)
        if decomposes is None:
            contained = self._contained.get(step_id)
            if contained is not None and len(contained) == 1:
                return contained[0]
        elif len(decomposes) == 1 and decomposes[0].is_a("IfcRelAggregates"):
            return decomposes[0].RelatingObject
        return _get_parent(entity)

    @functools.cached_property
    def _storey_of(self) -> dict[int, str]:
        """Step id -> GlobalId of the storey an element is plainly contained in (one containment
        relationship, to a storey, and no aggregation): most building elements."""
        storeys: dict[int, str | None] = {}  # a structure's step id -> its GlobalId if it is a storey
        found = {}
        for step_id, structures in self._contained.items():
            if len(structures) != 1 or step_id in self._decomposes:
                continue
            structure = structures[0]
            key = structure.id()
            if key not in storeys:
                storeys[key] = structure.GlobalId if structure.is_a("IfcBuildingStorey") else None
            if storeys[key] is not None:
                found[step_id] = storeys[key]
        return found

    def get_containing_storey(self, step_id: int) -> str | None:
        """The GlobalId of the storey the element ``step_id`` is plainly contained in (as
        :meth:`find_ancestor` would find it, without asking the file), else ``None``: ask
        :meth:`find_ancestor` then."""
        return self._storey_of.get(step_id)

    def find_ancestor(self, entity: ifcopenshell.entity_instance, ifc_class: str) -> ifcopenshell.entity_instance | None:
        """The nearest spatial ancestor of ``ifc_class``, or ``None``."""
        seen = set()
        parent = self.get_parent(entity)
        while parent is not None and parent.id() not in seen:
            if parent.is_a(ifc_class):
                return parent
            seen.add(parent.id())
            parent = self.get_parent(parent)
        return None


def _make_node(entity, parent_gid, length_scale, *, elevation_attr: bool = False) -> Node:
    z = _get_world_z(entity, length_scale)
    if z is None and elevation_attr and getattr(entity, "Elevation", None) is not None:
        z = float(entity.Elevation) * length_scale
    return Node(
        global_id=entity.GlobalId,
        ifc_class=entity.is_a(),
        name=entity.Name,
        long_name=getattr(entity, "LongName", None),
        parent_global_id=parent_gid,
        elevation_m=z or 0.0,
    )


def read_spatial_structure(model: IfcModel) -> SpatialStructure:
    """Read sites, buildings, storeys and spaces, placing every space on a building and storey."""
    file, scale = model.file, model.units.length
    tree = SpatialStructure(parents=ParentIndex(file))
    project_gid = model.project.GlobalId
    for site in file.by_type("IfcSite"):
        tree.sites.setdefault(site.GlobalId, _make_node(site, project_gid, scale))
    for building in file.by_type("IfcBuilding"):
        site = tree.parents.find_ancestor(building, "IfcSite")
        tree.buildings.setdefault(
            building.GlobalId, _make_node(building, site.GlobalId if site else None, scale)
        )
    for storey in file.by_type("IfcBuildingStorey"):
        building = tree.parents.find_ancestor(storey, "IfcBuilding")
        if building is None:
            log.warning("storey %s (%s) belongs to no building; skipped", storey.GlobalId, storey.Name)
            continue
        tree.storeys.setdefault(
            storey.GlobalId, _make_node(storey, building.GlobalId, scale, elevation_attr=True)
        )
    spaces = file.by_type("IfcSpace")
    if spaces and not tree.buildings:
        _add_synthetic_building(tree, model)
    tree.index_storeys()
    for space in spaces:
        if space.GlobalId in tree.spaces:
            log.warning("duplicate GlobalId %s on IfcSpace #%d; kept the first", space.GlobalId, space.id())
            continue
        tree.spaces[space.GlobalId] = _place_space(tree, space, scale)
    return tree


def _add_synthetic_building(tree: SpatialStructure, model: IfcModel) -> None:
    project = model.project
    gid = f"{project.GlobalId}/building"
    site_gid = next(iter(tree.sites), None)
    tree.buildings[gid] = Node(gid, "IfcBuilding", project.Name, project.LongName, site_gid, 0.0, True)


def _ensure_default_storey(tree: SpatialStructure, building_gid: str) -> str:
    gid = f"{building_gid}/storey"
    if gid not in tree.storeys:
        elevation = tree.buildings[building_gid].elevation_m
        tree.storeys[gid] = Node(gid, "IfcBuildingStorey", "(无楼层)", None, building_gid, elevation, True)
        tree.index_storeys()
    return gid


def _place_space(tree: SpatialStructure, space, scale: float) -> SpacePlace:
    parent = tree.parents.get_parent(space)
    if parent is not None and parent.is_a("IfcBuildingStorey") and parent.GlobalId in tree.storeys:
        building_gid = tree.storeys[parent.GlobalId].parent_global_id
        return SpacePlace(space, building_gid, parent.GlobalId, storey_inferred=False)
    building = tree.parents.find_ancestor(space, "IfcBuilding")
    building_gid = building.GlobalId if building is not None else next(iter(tree.buildings))
    z = _get_world_z(space, scale)
    storey_gid = tree.get_storey_at(building_gid, z if z is not None else 0.0)
    if storey_gid is None:
        storey_gid = _ensure_default_storey(tree, building_gid)
    log.info(
        "space %s (%s) hangs under %s, not a storey; placed on %s by elevation",
        space.GlobalId, space.Name, parent.is_a() if parent is not None else "nothing", storey_gid,
    )
    return SpacePlace(space, building_gid, storey_gid, storey_inferred=True)


def get_element_storey(tree: SpatialStructure, file: ifcopenshell.file, step_id: int, *, z_min: Callable[[], float]) -> str | None:
    """The storey the element ``step_id`` belongs to: its containing storey (the plain cases by
    step id alone, :meth:`ParentIndex.get_containing_storey`), else the one at its lowest world z
    in metres (``z_min()``, asked only then)."""
    storey_gid = tree.parents.get_containing_storey(step_id)
    if storey_gid is not None and storey_gid in tree.storeys:
        return storey_gid
    element = file.by_id(step_id)
    storey = tree.parents.find_ancestor(element, "IfcBuildingStorey")
    if storey is not None and storey.GlobalId in tree.storeys:
        return storey.GlobalId
    building = tree.parents.find_ancestor(element, "IfcBuilding")
    if building is not None and building.GlobalId in tree.buildings:
        return tree.get_storey_at(building.GlobalId, z_min())
    if len(tree.buildings) == 1:
        return tree.get_storey_at(next(iter(tree.buildings)), z_min())
    return None
