"""Tiny IFC models built in memory for tests: a project, a site, a building, storeys and rooms.

Rooms are extruded polygons; every knob a test needs (schema, length unit, where a room hangs,
which quantity set declares its area) is an argument. Coordinates are given in metres and
written in the file's length unit.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path

import ifcopenshell
import ifcopenshell.api
import ifcopenshell.guid
from ifcopenshell.util.shape_builder import ShapeBuilder


@dataclass
class RoomSpec:
    """A room: number, long name, footprint (metres, storey frame), height, declared areas."""

    number: str
    long_name: str = "办公室"
    outline: list[tuple[float, float]] = field(default_factory=lambda: [(0, 0), (5, 0), (5, 4), (0, 4)])
    height: float = 3.0
    storey: int = 0
    parent: str = "storey"  # storey | building | space:<number>
    net_area: float | None = None  # None: the outline's area
    qto_name: str | None = "Qto_SpaceBaseQuantities"  # None: no quantity set
    vendor_area: float | None = None  # PSet_Revit_Dimensions.Area
    global_id: str | None = None
    broken: bool = False  # a body whose profile has a single point: the kernel cannot mesh it


def polygon_area(outline: list[tuple[float, float]]) -> float:
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(outline, outline[1:] + outline[:1]))) / 2


def build_model(
    path: Path,
    rooms: list[RoomSpec],
    *,
    schema: str = "IFC4",
    unit: str = "m",
    storey_elevations: tuple[float, ...] = (0.0, 3.5),
    project_id: str | None = None,
    area_unit: bool = True,
    building_name: str = "测试楼",
    with_wall: bool = True,
) -> Path:
    """Write a small model to ``path`` and return it."""
    run = ifcopenshell.api.run
    f = ifcopenshell.api.run("project.create_file", version=schema)
    if schema == "IFC2X3":  # IFC2X3 requires owner history on every rooted entity
        _add_owner(f)
    project = run("root.create_entity", f, ifc_class="IfcProject", name="测试项目")
    if project_id:
        project.GlobalId = project_id
    scale = 1000.0 if unit == "mm" else 1.0
    length = f.createIfcSIUnit(None, "LENGTHUNIT", "MILLI" if unit == "mm" else None, "METRE")
    units = [length]
    if area_unit:
        units += [f.createIfcSIUnit(None, "AREAUNIT", None, "SQUARE_METRE"), f.createIfcSIUnit(None, "VOLUMEUNIT", None, "CUBIC_METRE")]
    project.UnitsInContext = f.createIfcUnitAssignment(units)
    model = run("context.add_context", f, context_type="Model")
    body = run("context.add_context", f, context_type="Model", context_identifier="Body", target_view="MODEL_VIEW", parent=model)
    site = run("root.create_entity", f, ifc_class="IfcSite", name="测试院")
    site.GlobalId = _stable_id("twin-test-site")
    building = run("root.create_entity", f, ifc_class="IfcBuilding", name=building_name)
    building.GlobalId = _stable_id(building_name)
    run("aggregate.assign_object", f, relating_object=project, products=[site])
    run("aggregate.assign_object", f, relating_object=site, products=[building])
    for entity in (site, building):
        run("geometry.edit_object_placement", f, product=entity)
    storeys = []
    for index, elevation in enumerate(storey_elevations):
        storey = run("root.create_entity", f, ifc_class="IfcBuildingStorey", name=f"{index + 1}F")
        storey.GlobalId = _stable_id(f"{building_name}/{index}")
        storey.Elevation = elevation * scale
        run("aggregate.assign_object", f, relating_object=building, products=[storey])
        run("geometry.edit_object_placement", f, product=storey, matrix=_translation(0, 0, elevation * scale), is_si=False)
        storeys.append(storey)
    builder = ShapeBuilder(f)
    by_number = {}
    for spec in rooms:
        space = run("root.create_entity", f, ifc_class="IfcSpace", name=spec.number)
        space.LongName = spec.long_name
        if spec.global_id:
            space.GlobalId = spec.global_id
        by_number[spec.number] = space
        storey = storeys[spec.storey]
        if spec.parent == "storey":
            run("aggregate.assign_object", f, relating_object=storey, products=[space])
        elif spec.parent == "building":
            run("aggregate.assign_object", f, relating_object=building, products=[space])
        else:
            run("aggregate.assign_object", f, relating_object=by_number[spec.parent.split(":", 1)[1]], products=[space])
        z = storey_elevations[spec.storey]
        run("geometry.edit_object_placement", f, product=space, matrix=_translation(0, 0, z * scale), is_si=False)
        curve = builder.polyline([(x * scale, y * scale) for x, y in spec.outline], closed=True)
        solid = builder.extrude(builder.profile(curve), magnitude=spec.height * scale)
        if spec.broken:
            curve.Points.CoordList = ((0.0, 0.0),)
        representation = builder.get_representation(body, [solid])
        run("geometry.assign_representation", f, product=space, representation=representation)
        area = polygon_area(spec.outline)
        if spec.qto_name is not None:  # "" writes a set whose Name is unset
            qto = f.createIfcElementQuantity(ifcopenshell.guid.new(), None, spec.qto_name or None, None, None, [
                f.createIfcQuantityArea("NetFloorArea", None, None, (spec.net_area or area) * (1 if area_unit else scale**2)),
                f.createIfcQuantityArea("GrossFloorArea", None, None, area * (1 if area_unit else scale**2)),
            ])
            f.createIfcRelDefinesByProperties(ifcopenshell.guid.new(), None, None, None, [space], qto)
        if spec.vendor_area is not None:
            prop = f.createIfcPropertySingleValue("Area", None, f.createIfcAreaMeasure(spec.vendor_area), None)
            pset = f.createIfcPropertySet(ifcopenshell.guid.new(), None, "PSet_Revit_Dimensions", None, [prop])
            f.createIfcRelDefinesByProperties(ifcopenshell.guid.new(), None, None, None, [space], pset)
    if with_wall:
        wall = run("root.create_entity", f, ifc_class="IfcWall", name="墙")
        run("spatial.assign_container", f, relating_structure=storeys[0], products=[wall])
        run("geometry.edit_object_placement", f, product=wall)
        curve = builder.polyline([(0, -0.2 * scale), (10 * scale, -0.2 * scale), (10 * scale, 0), (0, 0)], closed=True)
        solid = builder.extrude(builder.profile(curve), magnitude=3 * scale)
        run("geometry.assign_representation", f, product=wall, representation=builder.get_representation(body, [solid]))
    f.write(str(path))
    return path


def _stable_id(name: str) -> str:
    """The same GlobalId for the same name in every file (as authoring tools keep them)."""
    return ifcopenshell.guid.compress(uuid.uuid5(uuid.NAMESPACE_DNS, f"twin-test/{name}").hex)


def _add_owner(f: ifcopenshell.file) -> None:
    import ifcopenshell.api.owner.settings as owner

    organisation = f.createIfcOrganization(None, "twin")
    f.createIfcPersonAndOrganization(f.createIfcPerson(None, "test"), organisation)
    f.createIfcApplication(organisation, "1", "twin tests", "twin-tests")
    owner.get_user = lambda ifc: next(iter(ifc.by_type("IfcPersonAndOrganization")), None)
    owner.get_application = lambda ifc: next(iter(ifc.by_type("IfcApplication")), None)


def _translation(x: float, y: float, z: float):
    import numpy as np

    matrix = np.eye(4)
    matrix[:3, 3] = (x, y, z)
    return matrix
