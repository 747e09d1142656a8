"""Tests of the deterministic campus IFC generator (models_ifc)."""

from __future__ import annotations

import filecmp
import math
from pathlib import Path

import ifcopenshell
import ifcopenshell.util.element
import ifcopenshell.util.geolocation
import pytest
from ifctester import ids

from models_ifc import ANNEX_V2_CHANGES, get_misdeclared_rooms
from models_ifc.campus import CAMPUS_SITE
from models_ifc.generate import CAMPUS_FILES, PACKAGE_DIR, generate_campus, generate_portfolio
from models_ifc.layouts import CATEGORIES
from models_ifc.portfolio import portfolio_building
from models_ifc.spec import stable_guid

TOWER, ANNEX, ANNEX_V2, CANTEEN = CAMPUS_FILES
LEDGER_FILES = (TOWER, ANNEX, CANTEEN)


@pytest.fixture(scope="session")
def campus_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("campus")
    generate_campus(out)
    return out


@pytest.fixture(scope="session")
def models(campus_dir) -> dict[str, ifcopenshell.file]:
    return {name: ifcopenshell.open(str(campus_dir / name)) for name in CAMPUS_FILES}


def footprint(space) -> list[tuple[float, float]]:
    body = next(r for r in space.Representation.Representations if r.RepresentationIdentifier == "Body")
    solid = body.Items[0]
    assert solid.is_a("IfcExtrudedAreaSolid")
    points = [tuple(p.Coordinates) for p in solid.SweptArea.OuterCurve.Points]
    assert points[0] == points[-1], "profile polyline must be closed"
    return points[:-1]


def shoelace(points) -> float:
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1]))) / 2


def net_floor_area(space) -> float:
    return ifcopenshell.util.element.get_pset(space, "Qto_SpaceBaseQuantities")["NetFloorArea"]


def spaces_by_guid(model) -> dict[str, ifcopenshell.entity_instance]:
    return {s.GlobalId: s for s in model.by_type("IfcSpace")}


# ----------------------------------------------------------------------------- determinism


def test_generation_is_byte_identical(campus_dir, tmp_path):
    generate_campus(tmp_path)
    for name in CAMPUS_FILES:
        assert filecmp.cmp(campus_dir / name, tmp_path / name, shallow=False), name


def test_committed_files_are_up_to_date(campus_dir):
    for name in CAMPUS_FILES:
        committed = PACKAGE_DIR / name
        assert committed.exists(), f"{name} missing: run python -m models_ifc.generate"
        assert filecmp.cmp(campus_dir / name, committed, shallow=False), (
            f"{name} is stale: run python -m models_ifc.generate and commit the result")


def test_header_has_fixed_timestamp(models):
    stamps = {name: m.header.file_name.time_stamp for name, m in models.items()}
    assert stamps[TOWER] == "2024-06-30T09:00:00"
    assert stamps[ANNEX_V2] > stamps[ANNEX]
    assert all(not m.by_type("IfcOwnerHistory") for m in models.values())


# ----------------------------------------------------------------------------- structure


def test_schema_units_and_contexts(models):
    for model in models.values():
        assert model.schema == "IFC4"
        units = {u.UnitType: u for u in model.by_type("IfcProject")[0].UnitsInContext.Units}
        assert (units["LENGTHUNIT"].Name, units["LENGTHUNIT"].Prefix) == ("METRE", None)
        assert units["AREAUNIT"].Name == "SQUARE_METRE"
        assert units["VOLUMEUNIT"].Name == "CUBIC_METRE"
        body = [c for c in model.by_type("IfcGeometricRepresentationSubContext") if c.ContextIdentifier == "Body"]
        assert len(body) == 1 and body[0].ContextType == "Model" and body[0].TargetView == "MODEL_VIEW"


def test_counts(models):
    storeys = {name: len(m.by_type("IfcBuildingStorey")) for name, m in models.items()}
    assert storeys[TOWER] >= 12
    assert 4 <= storeys[ANNEX] <= 6 and storeys[ANNEX_V2] == storeys[ANNEX]
    assert 1 <= storeys[CANTEEN] <= 2
    assert sum(len(models[n].by_type("IfcSpace")) for n in LEDGER_FILES) >= 600
    for model in models.values():
        assert len(model.by_type("IfcBuilding")) == 1 and len(model.by_type("IfcProject")) == 1
        for cls in ("IfcWall", "IfcSlab", "IfcDoor", "IfcWindow", "IfcStair"):
            assert model.by_type(cls), cls
        assert not model.by_type("IfcOpeningElement")
        assert not model.by_type("IfcBooleanResult")


def test_site_shared_projects_distinct(models):
    sites = {m.by_type("IfcSite")[0].GlobalId for m in models.values()}
    assert sites == {CAMPUS_SITE.guid}
    assert {m.by_type("IfcSite")[0].Name for m in models.values()} == {"省直机关一号院"}
    projects = {name: m.by_type("IfcProject")[0].GlobalId for name, m in models.items()}
    assert projects[ANNEX_V2] == projects[ANNEX]
    assert len({projects[n] for n in LEDGER_FILES}) == 3
    names = {name: m.by_type("IfcBuilding")[0].Name for name, m in models.items()}
    assert names[TOWER] == "1号办公楼" and names[ANNEX] == "2号办公楼" and names[CANTEEN] == "3号楼（食堂及车库）"


def test_buildings_placed_apart(models):
    origins = {name: tuple(m.by_type("IfcBuilding")[0].ObjectPlacement.RelativePlacement.Location.Coordinates)
               for name, m in models.items()}
    assert origins[TOWER] == (0.0, 0.0, 0.0)
    assert len({origins[n] for n in LEDGER_FILES}) == 3
    assert origins[ANNEX_V2] == origins[ANNEX]


def test_global_ids_unique(models):
    for model in models.values():
        ids_ = [e.GlobalId for e in model.by_type("IfcRoot")]
        assert len(ids_) == len(set(ids_))


def test_storeys_and_space_placement(models):
    for model in models.values():
        for storey in model.by_type("IfcBuildingStorey"):
            z = storey.ObjectPlacement.RelativePlacement.Location.Coordinates[2]
            assert math.isclose(z, storey.Elevation)
            for space in ifcopenshell.util.element.get_decomposition(storey):
                if not space.is_a("IfcSpace"):
                    continue
                assert space.ObjectPlacement.PlacementRelTo == storey.ObjectPlacement
                solid = space.Representation.Representations[0].Items[0]
                qto = ifcopenshell.util.element.get_pset(space, "Qto_SpaceBaseQuantities")
                assert math.isclose(solid.Depth, qto["Height"]) and 2.5 <= solid.Depth < 4.5
                assert solid.SweptArea.is_a("IfcArbitraryClosedProfileDef")


def test_elements_are_contained_in_storeys(models):
    for model in models.values():
        for cls in ("IfcWall", "IfcSlab", "IfcDoor", "IfcWindow", "IfcStair"):
            for element in model.by_type(cls):
                container = ifcopenshell.util.element.get_container(element)
                assert container is not None and container.is_a("IfcBuildingStorey"), element
    roofs = [s for s in models[TOWER].by_type("IfcSlab") if s.PredefinedType == "ROOF"]
    assert roofs


# ----------------------------------------------------------------------------- rooms


def test_room_names_and_categories(models):
    for name, model in models.items():
        letter = {TOWER: "A", ANNEX: "B", ANNEX_V2: "B", CANTEEN: "C"}[name]
        for space in model.by_type("IfcSpace"):
            assert space.PredefinedType == "INTERNAL"
            assert space.Name[0] == letter and space.Name[1] == "-" and space.Name[2:].isdigit(), space.Name
            assert len(space.Name) == 6
            category = ifcopenshell.util.element.get_pset(space, "Pset_TwinRoom")["Category"]
            assert category in CATEGORIES and space.ObjectType == category
    long_names = {s.LongName for n in LEDGER_FILES for s in models[n].by_type("IfcSpace")}
    for expected in ("处长办公室", "科员办公室", "厅长办公室", "副厅长办公室", "休息室", "会议室", "食堂", "厨房",
                     "车库", "非机动车库", "门卫室", "楼梯间", "电梯厅", "卫生间", "弱电间", "电梯机房"):
        assert expected in long_names, expected


def test_room_sizes_sensible(models):
    for name in LEDGER_FILES:
        for space in models[name].by_type("IfcSpace"):
            area = shoelace(footprint(space))
            category = space.ObjectType
            if space.LongName in ("科员办公室", "处长办公室"):
                assert 15 <= area <= 40, (space.Name, area)
            elif category == "office_leader":  # the office alone; its rest room is a room of its own
                assert 15 <= area <= 54, (space.Name, area)
            elif category == "meeting":
                assert 40 <= area <= 120, (space.Name, area)


def rooms_ids() -> tuple[ids.Ids, ids.Specification]:
    spec = ids.Specification(name="Ledger rooms", ifcVersion=["IFC4"], minOccurs=1)
    spec.applicability.append(ids.Entity(name="IFCSPACE"))
    spec.requirements += [
        ids.Attribute(name="Name"),
        ids.Attribute(name="LongName"),
        ids.Property(propertySet="Qto_SpaceBaseQuantities", baseName="NetFloorArea"),
        ids.Property(propertySet="Pset_TwinRoom", baseName="Category",
                     value=ids.Restriction(options={"enumeration": CATEGORIES})),
        ids.PartOf(name="IFCBUILDINGSTOREY", relation="IFCRELAGGREGATES"),
    ]
    spec_ids = ids.Ids(title="twin campus rooms")
    spec_ids.specifications.append(spec)
    return spec_ids, spec


def test_ids_requirements_pass(models):
    spec_ids, spec = rooms_ids()
    for name, model in models.items():
        spec_ids.validate(model)
        failures = [f for facet in spec.requirements for f in facet.failures][:3]
        assert spec.status is True, (name, failures)
        assert len(spec.applicable_entities) == len(model.by_type("IfcSpace"))


def test_ids_rejects_a_loose_space():
    """Sanity check of the IDS itself: a space outside any storey, without quantities, fails."""
    model = ifcopenshell.file(schema="IFC4")
    model.createIfcSpace(stable_guid("loose"), None, "X-0101", None, None, None, None, "走廊")
    spec_ids, spec = rooms_ids()
    spec_ids.validate(model)
    assert spec.status is False


def test_about_five_percent_misdeclared(models):
    flagged_total = rooms_total = 0
    for name in LEDGER_FILES:
        flagged = set()
        for space in models[name].by_type("IfcSpace"):
            geometric = shoelace(footprint(space))
            deviation = abs(net_floor_area(space) - geometric) / geometric
            if deviation > 0.05:
                flagged.add(space.GlobalId)
            else:
                assert deviation <= 0.005, (space.Name, deviation)
        expected = {r["global_id"] for r in get_misdeclared_rooms() if r["file"] == name}
        assert flagged == expected
        flagged_total += len(flagged)
        rooms_total += len(models[name].by_type("IfcSpace"))
    assert 0.03 <= flagged_total / rooms_total <= 0.08


def test_non_rectangular_rooms(models):
    def rectangular(points):
        return len(points) == 4 and all(
            math.isclose(p[0], q[0]) or math.isclose(p[1], q[1]) for p, q in zip(points, points[1:] + points[:1]))

    odd = [s.Name for n in LEDGER_FILES for s in models[n].by_type("IfcSpace") if not rectangular(footprint(s))]
    assert len(odd) >= 10
    l_shapes = [s for n in LEDGER_FILES for s in models[n].by_type("IfcSpace") if len(footprint(s)) == 6]
    assert len(l_shapes) >= 5


# ----------------------------------------------------------------------------- annex v2


def test_annex_v2_differences(models):
    v1, v2 = spaces_by_guid(models[ANNEX]), spaces_by_guid(models[ANNEX_V2])
    by_name = {s.Name: s for s in v1.values()}
    merged = by_name[ANNEX_V2_CHANGES["merged"]["kept"]].GlobalId
    removed = by_name[ANNEX_V2_CHANGES["merged"]["removed"]].GlobalId
    split = by_name[ANNEX_V2_CHANGES["split"]["kept"]].GlobalId
    renumbered = by_name[ANNEX_V2_CHANGES["renumbered"]["from"]].GlobalId

    assert set(v1) - set(v2) == {removed}
    added = set(v2) - set(v1)
    assert len(added) == 1
    assert v2[added.pop()].Name == ANNEX_V2_CHANGES["split"]["new"]

    area = lambda s: shoelace(footprint(s))  # noqa: E731
    assert math.isclose(area(v2[merged]), area(v1[merged]) + area(v1[removed]))
    assert math.isclose(net_floor_area(v2[merged]), area(v2[merged]), rel_tol=0.005)
    assert area(v2[split]) < area(v1[split])
    assert v2[renumbered].Name == ANNEX_V2_CHANGES["renumbered"]["to"] != v1[renumbered].Name
    assert footprint(v2[renumbered]) == footprint(v1[renumbered])

    changed = {merged, split, renumbered}
    for guid in set(v1) & set(v2) - changed:
        a, b = v1[guid], v2[guid]
        assert (a.Name, a.LongName, footprint(a), net_floor_area(a)) == (b.Name, b.LongName, footprint(b),
                                                                          net_floor_area(b))
    # unchanged elements keep their GlobalIds: only the removed room's door goes, the new room's door comes
    elements = lambda m: {e.GlobalId for e in m.by_type("IfcElement")}  # noqa: E731
    assert len(elements(models[ANNEX]) ^ elements(models[ANNEX_V2])) == 2
    assert models[ANNEX_V2].by_type("IfcProject")[0].Phase == "三层改造后"


# ----------------------------------------------------------------------------- georeferencing


def test_georeferencing(models):
    for model in models.values():
        conversion = model.by_type("IfcMapConversion")
        assert len(conversion) == 1
        conversion = conversion[0]
        assert conversion.TargetCRS.Name == "EPSG:4547"
        assert conversion.SourceCRS.is_a("IfcGeometricRepresentationContext")
        assert conversion.Scale == 1.0
        site = model.by_type("IfcSite")[0]
        lat = ifcopenshell.util.geolocation.dms2dd(*site.RefLatitude)
        lon = ifcopenshell.util.geolocation.dms2dd(*site.RefLongitude)
        assert 22.5 <= lat <= 24.0 and 112.9 <= lon <= 114.1
        assert site.RefElevation == conversion.OrthogonalHeight


def test_map_conversion_matches_lat_lon(models):
    pyproj = pytest.importorskip("pyproj")
    site = models[TOWER].by_type("IfcSite")[0]
    conversion = models[TOWER].by_type("IfcMapConversion")[0]
    to_geo = pyproj.Transformer.from_crs("EPSG:4547", "EPSG:4326", always_xy=True)
    lon, lat = to_geo.transform(conversion.Eastings, conversion.Northings)
    assert math.isclose(lat, ifcopenshell.util.geolocation.dms2dd(*site.RefLatitude), abs_tol=1e-6)
    assert math.isclose(lon, ifcopenshell.util.geolocation.dms2dd(*site.RefLongitude), abs_tol=1e-6)


# ----------------------------------------------------------------------------- portfolio


def test_portfolio_default_size_reaches_20000_rooms():
    building = portfolio_building(1, storeys=20, rooms_per_storey=50)
    assert len(building.rooms()) == 1000
    assert all(len(s.rooms) == 50 for s in building.storeys)


def test_portfolio_files(tmp_path):
    stats = generate_portfolio(tmp_path, buildings=2, storeys=3, rooms_per_storey=30, workers=1)
    assert sorted(stats) == ["portfolio_001.ifc", "portfolio_002.ifc"]
    models = [ifcopenshell.open(str(tmp_path / name)) for name in sorted(stats)]
    assert all(len(m.by_type("IfcSpace")) == 90 for m in models)
    assert len({m.by_type("IfcProject")[0].GlobalId for m in models}) == 2
    assert len({m.by_type("IfcSite")[0].GlobalId for m in models}) == 1
    assert models[0].by_type("IfcSite")[0].GlobalId != CAMPUS_SITE.guid


def test_stable_guid_format():
    guid = stable_guid("x")
    assert len(guid) == 22 and guid == stable_guid("x") != stable_guid("y")
