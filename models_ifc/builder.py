"""Thin, deterministic wrappers around ``ifcopenshell.api`` for the generator.

:class:`IfcBuilder` owns one IFC4 file.  Every rooted entity it creates gets a
GlobalId from :func:`models_ifc.spec.stable_guid`; relationships and property
sets created inside ``ifcopenshell.api`` get theirs in :meth:`finalize` from
the GlobalIds they connect, and their member lists are sorted, so the written
bytes only depend on the spec.
"""

from __future__ import annotations

import ifcopenshell
import ifcopenshell.api.aggregate
import ifcopenshell.api.context
import ifcopenshell.api.geometry
import ifcopenshell.api.georeference
import ifcopenshell.api.project
import ifcopenshell.api.pset
import ifcopenshell.api.root
import ifcopenshell.api.spatial
import ifcopenshell.api.type
import ifcopenshell.api.unit
import ifcopenshell.util.geolocation

from .spec import Polygon, rnd, stable_guid

Vec3 = tuple[float, float, float]


class IfcBuilder:
    def __init__(self, namespace: str, file_name: str, timestamp: str):
        self.namespace = namespace
        self.file = f = ifcopenshell.file(schema="IFC4")
        f.header.file_description.description = ("ViewDefinition [ReferenceView_V1.2]",)
        f.header.file_name.name = file_name
        f.header.file_name.time_stamp = timestamp
        f.header.file_name.author = ("twin models_ifc generator",)
        f.header.file_name.organization = ("省直机关事务管理局（示例）",)
        f.header.file_name.originating_system = "twin.models_ifc"
        f.header.file_name.authorization = "none"
        self._named: set[int] = set()
        self._dirs: dict[Vec3, ifcopenshell.entity_instance] = {}
        self._types: dict[tuple, ifcopenshell.entity_instance] = {}
        self._typed: dict[tuple, list[ifcopenshell.entity_instance]] = {}

    # ------------------------------------------------------------------ identity
    def guid(self, key: str) -> str:
        return stable_guid(f"{self.namespace}/{key}")

    def create(self, ifc_class: str, key: str, name: str | None = None, predefined_type: str | None = None,
               guid: str | None = None, **attributes) -> ifcopenshell.entity_instance:
        entity = ifcopenshell.api.root.create_entity(self.file, ifc_class=ifc_class, name=name,
                                                     predefined_type=predefined_type)
        entity.GlobalId = guid or self.guid(key)
        for attribute, value in attributes.items():
            setattr(entity, attribute, value)
        self._named.add(entity.id())
        return entity

    # ------------------------------------------------------------------ project set-up
    def setup_project(self, guid: str, name: str, long_name: str, phase: str | None) -> ifcopenshell.entity_instance:
        f = self.file
        project = self.create("IfcProject", "project", name=name, guid=guid, LongName=long_name, Phase=phase)
        self.length_unit = ifcopenshell.api.unit.add_si_unit(f, unit_type="LENGTHUNIT")
        units = [self.length_unit] + [
            ifcopenshell.api.unit.add_si_unit(f, unit_type=t) for t in ("AREAUNIT", "VOLUMEUNIT", "PLANEANGLEUNIT")
        ]
        assignment = ifcopenshell.api.unit.assign_unit(f, units=units)
        assignment.Units = units  # the API collects them in a set; keep a stable order
        model = ifcopenshell.api.context.add_context(f, context_type="Model")
        self.body = ifcopenshell.api.context.add_context(
            f, context_type="Model", context_identifier="Body", target_view="MODEL_VIEW", parent=model)
        plan = ifcopenshell.api.context.add_context(f, context_type="Plan")
        self.footprint = ifcopenshell.api.context.add_context(
            f, context_type="Plan", context_identifier="FootPrint", target_view="PLAN_VIEW", parent=plan)
        return project

    def georeference(self, crs: dict, conversion: dict) -> None:
        ifcopenshell.api.georeference.add_georeferencing(self.file, ifc_class="IfcMapConversion", name=crs["Name"])
        ifcopenshell.api.georeference.edit_georeferencing(
            self.file, projected_crs={**crs, "MapUnit": self.length_unit}, coordinate_operation=conversion)

    @staticmethod
    def dms(value: float) -> tuple[int, int, int, int]:
        return ifcopenshell.util.geolocation.dd2dms(value, use_us=True)

    # ------------------------------------------------------------------ placement / geometry
    def direction(self, vec: tuple[float, ...]) -> ifcopenshell.entity_instance:
        vec = tuple(rnd(c) for c in vec)
        if vec not in self._dirs:
            self._dirs[vec] = self.file.createIfcDirection(vec)
        return self._dirs[vec]

    def axis2(self, origin: Vec3 = (0.0, 0.0, 0.0), axis: Vec3 = (0.0, 0.0, 1.0),
              ref: Vec3 = (1.0, 0.0, 0.0)) -> ifcopenshell.entity_instance:
        point = self.file.createIfcCartesianPoint(tuple(rnd(c) for c in origin))
        if axis == (0.0, 0.0, 1.0) and ref == (1.0, 0.0, 0.0):
            return self.file.createIfcAxis2Placement3D(point, None, None)
        return self.file.createIfcAxis2Placement3D(point, self.direction(axis), self.direction(ref))

    def place(self, product, relative_to, origin: Vec3 = (0.0, 0.0, 0.0), xdir: Vec3 = (1.0, 0.0, 0.0)) -> None:
        rel = relative_to.ObjectPlacement if relative_to is not None else None
        product.ObjectPlacement = self.file.createIfcLocalPlacement(rel, self.axis2(origin, (0.0, 0.0, 1.0), xdir))

    def polyline(self, poly: Polygon) -> ifcopenshell.entity_instance:
        pts = [self.file.createIfcCartesianPoint((rnd(x), rnd(y))) for x, y in poly]
        return self.file.createIfcPolyline(pts + pts[:1])

    def extrusion(self, poly: Polygon, depth: float, origin: Vec3 = (0.0, 0.0, 0.0),
                  axis: Vec3 = (0.0, 0.0, 1.0), ref: Vec3 = (1.0, 0.0, 0.0), curve=None):
        profile = self.file.createIfcArbitraryClosedProfileDef("AREA", None, curve or self.polyline(poly))
        return self.file.createIfcExtrudedAreaSolid(profile, self.axis2(origin, axis, ref),
                                                    self.direction((0.0, 0.0, 1.0)), rnd(depth))

    def box(self, width: float, depth: float, height: float):
        profile = self.file.createIfcRectangleProfileDef("AREA", None, None, rnd(width), rnd(depth))
        return self.file.createIfcExtrudedAreaSolid(profile, self.axis2(), self.direction((0.0, 0.0, 1.0)),
                                                    rnd(height))

    def body_shape(self, product, items: list, representation_type: str = "SweptSolid",
                   extra: list | None = None) -> None:
        rep = self.file.createIfcShapeRepresentation(self.body, "Body", representation_type, items)
        product.Representation = self.file.createIfcProductDefinitionShape(None, None, [rep] + (extra or []))

    def footprint_rep(self, curve):
        return self.file.createIfcShapeRepresentation(self.footprint, "FootPrint", "Curve2D", [curve])

    def wall_body(self, wall, length: float, height: float, thickness: float) -> None:
        rep = ifcopenshell.api.geometry.add_wall_representation(
            self.file, context=self.body, length=rnd(length), height=rnd(height), thickness=thickness,
            offset=-thickness / 2)
        ifcopenshell.api.geometry.assign_representation(self.file, product=wall, representation=rep)

    # ------------------------------------------------------------------ relationships / data
    def aggregate(self, products: list, parent) -> None:
        if products:
            ifcopenshell.api.aggregate.assign_object(self.file, products=products, relating_object=parent)

    def contain(self, products: list, structure) -> None:
        if products:
            ifcopenshell.api.spatial.assign_container(self.file, products=products, relating_structure=structure)

    def pset(self, product, name: str, properties: dict):
        f = self.file
        values = {}
        for key, value in properties.items():
            if value is None:
                continue
            if not name.startswith("Pset_Twin"):
                values[key] = value  # standard pset: the API picks the template's measure type
            elif isinstance(value, bool):
                values[key] = f.createIfcBoolean(value)
            elif isinstance(value, int):
                values[key] = f.createIfcInteger(value)
            elif isinstance(value, float):
                values[key] = f.createIfcReal(value)
            else:
                values[key] = f.createIfcLabel(str(value))
        pset = ifcopenshell.api.pset.add_pset(f, product=product, name=name)
        ifcopenshell.api.pset.edit_pset(f, pset=pset, properties=values)
        return pset

    def shared_pset(self, products: list, name: str, properties: dict, key: str) -> None:
        """One property set shared by ``products`` through a single IfcRelDefinesByProperties."""
        if not products:
            return
        pset = self.pset(products[0], name, properties)
        ifcopenshell.api.pset.assign_pset(self.file, products=products[1:], pset=pset)
        for entity, suffix in ((pset, "pset"), (pset.DefinesOccurrence[0], "rel")):
            entity.GlobalId = self.guid(f"{suffix}/{key}")
            self._named.add(entity.id())

    def qto(self, product, name: str, quantities: dict[str, float]) -> None:
        qto = ifcopenshell.api.pset.add_qto(self.file, product=product, name=name)
        ifcopenshell.api.pset.edit_qto(self.file, qto=qto, properties=quantities)

    def typed(self, ifc_class: str, code: str, width: float, height: float, depth: float, occurrence) -> None:
        """Register ``occurrence`` under a shared door/window type (one mapped box per size)."""
        key = (ifc_class, code)
        if key not in self._types:
            type_class = ifc_class + "Type"
            predefined = "DOOR" if ifc_class == "IfcDoor" else "WINDOW"
            kind = "门" if ifc_class == "IfcDoor" else "窗"
            element_type = self.create(type_class, f"type/{code}", name=f"{kind} {code}", predefined_type=predefined)
            if ifc_class == "IfcDoor":
                element_type.OperationType = "SINGLE_SWING_LEFT" if width < 1.4 else "DOUBLE_DOOR_SINGLE_SWING"
            else:
                element_type.PartitioningType = "SINGLE_PANEL" if width < 1.2 else "DOUBLE_PANEL_VERTICAL"
            rep = self.file.createIfcShapeRepresentation(self.body, "Body", "SweptSolid",
                                                         [self.box(width, depth, height)])
            ifcopenshell.api.geometry.assign_representation(self.file, product=element_type, representation=rep)
            self._types[key] = element_type
            self._typed[key] = []
        self._typed[key].append(occurrence)

    def finalize(self) -> None:
        """Assign the pending types, then give every API-made rooted entity a stable GlobalId."""
        for key, element_type in self._types.items():
            occurrences = self._typed[key]
            ifcopenshell.api.type.assign_type(self.file, related_objects=occurrences, relating_type=element_type,
                                              should_map_representations=False)
            for occurrence in occurrences:  # in creation order (the API would iterate a set)
                ifcopenshell.api.type.map_type_representations(
                    self.file, related_object=occurrence, relating_type=element_type)
        f = self.file
        for rel in f.by_type("IfcRelationship"):
            for attribute in ("RelatedObjects", "RelatedElements"):
                if hasattr(rel, attribute):
                    setattr(rel, attribute, sorted(getattr(rel, attribute), key=lambda e: e.GlobalId))
        seen: set[str] = set()
        for entity in f.by_type("IfcRoot"):
            if entity.id() not in self._named:
                entity.GlobalId = self.guid(self._derived_key(entity))
            if entity.GlobalId in seen:
                raise ValueError(f"duplicate GlobalId {entity.GlobalId} on {entity}")
            seen.add(entity.GlobalId)

    @staticmethod
    def _derived_key(entity) -> str:
        if entity.is_a("IfcRelAggregates"):
            return f"rel/aggregates/{entity.RelatingObject.GlobalId}"
        if entity.is_a("IfcRelContainedInSpatialStructure"):
            return f"rel/contains/{entity.RelatingStructure.GlobalId}"
        if entity.is_a("IfcRelDefinesByType"):
            return f"rel/type/{entity.RelatingType.GlobalId}"
        if entity.is_a("IfcRelDefinesByProperties"):
            owner = entity.RelatedObjects[0].GlobalId
            return f"rel/props/{owner}/{entity.RelatingPropertyDefinition.Name}"
        if entity.is_a("IfcPropertySetDefinition"):
            owners = entity.DefinesOccurrence or []
            if owners:
                return f"pset/{owners[0].RelatedObjects[0].GlobalId}/{entity.Name}"
            types = getattr(entity, "DefinesType", None) or []
            return f"pset/{types[0].GlobalId}/{entity.Name}"
        raise ValueError(f"no stable GlobalId rule for {entity.is_a()}")

    def write(self, path) -> None:
        self.file.write(str(path))
