"""Write one :class:`~models_ifc.spec.Building` as an IFC4 file."""

from __future__ import annotations

import math
from pathlib import Path

import ifcopenshell

from . import envelope
from .builder import IfcBuilder
from .spec import Building, Storey, polygon_perimeter, rnd

WALL_TYPES = {"external": ("SOLIDWALL", "外墙"), "internal": ("PARTITIONING", "内墙"), "parapet": ("PARAPET", "女儿墙")}


def build_ifc(building: Building) -> ifcopenshell.file:
    site_spec = building.site
    b = IfcBuilder(building.project_key, building.file_name, building.timestamp)
    project = b.setup_project(building.project_guid, building.project_name, building.long_name, building.phase)
    project.Description = building.description
    b.georeference(site_spec.crs, site_spec.map_conversion)

    site = b.create(
        "IfcSite", "site", name=site_spec.name, guid=site_spec.guid, LongName=site_spec.long_name,
        CompositionType="ELEMENT", RefLatitude=b.dms(site_spec.latitude), RefLongitude=b.dms(site_spec.longitude),
        RefElevation=site_spec.elevation,
    )
    b.aggregate([site], project)
    b.place(site, None)

    address = b.file.createIfcPostalAddress(
        Purpose="OFFICE", AddressLines=[f"{site_spec.name} {building.name}"], Town="广州市", Region="广东省",
        Country="中国",
    )
    ifc_building = b.create("IfcBuilding", "building", name=building.name, LongName=building.long_name,
                            CompositionType="ELEMENT", BuildingAddress=address,
                            ElevationOfRefHeight=site_spec.elevation, ElevationOfTerrain=site_spec.elevation)
    b.aggregate([ifc_building], site)
    b.place(ifc_building, site, (building.offset[0], building.offset[1], 0.0))

    storeys = [
        b.create("IfcBuildingStorey", st.key, name=st.name, LongName=st.long_name,
                 CompositionType="ELEMENT", Elevation=st.elevation)
        for st in building.storeys
    ]
    b.aggregate(storeys, ifc_building)
    for ifc_storey, st in zip(storeys, building.storeys):
        b.place(ifc_storey, ifc_building, (0.0, 0.0, st.elevation))
        write_spaces(b, ifc_storey, st)
        write_elements(b, ifc_storey, st)
    b.finalize()
    return b.file


def write_spaces(b: IfcBuilder, ifc_storey, st: Storey) -> None:
    spaces = [
        b.create("IfcSpace", f"space/{room.key}", name=room.number, predefined_type="INTERNAL",
                 LongName=room.long_name, ObjectType=room.category, Description=room.description,
                 CompositionType="ELEMENT")
        for room in st.rooms
    ]
    b.aggregate(spaces, ifc_storey)
    for space, room in zip(spaces, st.rooms):
        b.place(space, ifc_storey)
        curve = b.polyline(room.polygon)
        b.body_shape(space, [b.extrusion(room.polygon, st.clear_height, curve=curve)],
                     extra=[b.footprint_rep(curve)])
        area = room.area
        b.qto(space, "Qto_SpaceBaseQuantities", {
            "Height": st.clear_height,
            "GrossPerimeter": round(polygon_perimeter(room.polygon), 3),
            "GrossFloorArea": round(area, 3),
            "NetFloorArea": room.declared_area,
            "NetVolume": round(area * st.clear_height, 3),
        })
        b.pset(space, "Pset_TwinRoom", {
            "Category": room.category, "Department": room.department, "PlannedOccupants": room.occupants,
        })


def write_elements(b: IfcBuilder, ifc_storey, st: Storey) -> None:
    facade_walls, windows = envelope.facade(st)
    inner_walls, doors = envelope.interior(st)
    stairs = envelope.stairs(st)
    walls = facade_walls + inner_walls
    openings = windows + doors

    ifc_walls = [
        b.create("IfcWall", w.key, name=WALL_TYPES[w.kind][1], predefined_type=WALL_TYPES[w.kind][0])
        for w in walls
    ]
    ifc_openings = [
        b.create(o.ifc_class, o.key, name=("门 " if o.ifc_class == "IfcDoor" else "窗 ") + (o.room_key or ""),
                 OverallWidth=o.width, OverallHeight=o.height)
        for o in openings
    ]
    slabs = []
    if st.slab:
        slabs.append((b.create("IfcSlab", f"{st.key}/slab", name=f"{st.name} 楼板", predefined_type=st.slab_type),
                      st.slab, -envelope.SLAB))
    if st.roof:
        slabs.append((b.create("IfcSlab", f"{st.key}/roof", name=f"{st.name} 屋面板", predefined_type="ROOF"),
                      st.roof, st.height - envelope.SLAB))
    ifc_stairs = [b.create("IfcStair", s.key, name=f"楼梯 {s.room_key}", predefined_type="HALF_TURN_STAIR")
                  for s in stairs]
    b.contain(ifc_walls + ifc_openings + [s for s, _, _ in slabs] + ifc_stairs, ifc_storey)

    for wall, spec in zip(ifc_walls, walls):
        dx, dy = spec.end[0] - spec.start[0], spec.end[1] - spec.start[1]
        b.place(wall, ifc_storey, (spec.start[0], spec.start[1], spec.z0),
                (dx / spec.length, dy / spec.length, 0.0))
        b.wall_body(wall, spec.length, spec.z1 - spec.z0, spec.thickness)
    for kind in ("external", "internal", "parapet"):
        members = [w for w, spec in zip(ifc_walls, walls) if spec.kind == kind]
        b.shared_pset(members, "Pset_WallCommon", {"IsExternal": kind != "internal"},
                      key=f"{st.key}/Pset_WallCommon/{kind}")
    for element, spec in zip(ifc_openings, openings):
        xdir = (rnd(math.cos(spec.angle)), rnd(math.sin(spec.angle)), 0.0)
        b.place(element, ifc_storey, (spec.x, spec.y, spec.z0), xdir)
        letter = "M" if spec.ifc_class == "IfcDoor" else "C"
        code = f"{letter}{round(spec.width * 10):02d}{round(spec.height * 10):02d}"
        b.typed(spec.ifc_class, code, spec.width, spec.height, spec.depth, element)
    for slab, poly, z in slabs:
        b.place(slab, ifc_storey)
        b.body_shape(slab, [b.extrusion(poly, envelope.SLAB, (0.0, 0.0, z))])
    for stair, spec in zip(ifc_stairs, stairs):
        b.place(stair, ifc_storey)
        b.body_shape(stair, [b.extrusion(s.profile, s.depth, s.origin, s.axis, s.ref) for s in spec.solids])
        b.pset(stair, "Pset_StairCommon", {
            "NumberOfRiser": spec.risers, "RiserHeight": spec.riser_height, "TreadLength": spec.going,
        })


def write_building(building: Building, path: str | Path) -> dict[str, int]:
    """Write ``building`` to ``path``; returns element counts."""
    model = build_ifc(building)
    model.write(str(path))
    return {cls: len(model.by_type(cls)) for cls in
            ("IfcBuildingStorey", "IfcSpace", "IfcWall", "IfcDoor", "IfcWindow", "IfcSlab", "IfcStair")}
