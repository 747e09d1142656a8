"""Every real model in ../shared/ifc, ingested into its own ledger, checked room by room."""

from __future__ import annotations

import io
from pathlib import Path

import ifcopenshell
import numpy as np
import pytest
import trimesh
from sqlalchemy import select

from realdata import SHARED_IFC, get_real_ifc_files
from twin.ifc.quantities import read_room_properties
from twin.ifc.reader import open_ifc
from twin.ledger.db import open_ledger, transaction
from twin.ledger.ingest import ingest_file
from twin.ledger.models import Asset, Building, Room, Storey

pytestmark = pytest.mark.slow

NO_ROOMS = {"IfcOpenHouse_IFC4.ifc", "ManySimpleWalls.ifc"}
MILLIMETRE = {"LargeBuilding.ifc", "TallBuilding.ifc"}


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    """Each real file ingested into a ledger of its own: name -> (report, engine, assets folder)."""
    results = {}
    for path in get_real_ifc_files():
        folder = tmp_path_factory.mktemp(path.stem)
        engine = open_ledger(f"sqlite:///{folder / 'twin.db'}")
        results[path.name] = (ingest_file(path, engine=engine, assets_dir=folder / "assets"), engine, folder / "assets")
    yield results
    for _, engine, _ in results.values():
        engine.dispose()


def bottom_face_areas(glb_path: Path) -> dict[str, float]:
    """Independently of the measuring code: per room node of a GLB (Y up), the summed area of
    its horizontal triangles at its lowest y, by GlobalId."""
    scene = trimesh.load(io.BytesIO(glb_path.read_bytes()), file_type="glb")
    areas = {}
    for mesh in scene.geometry.values():
        if mesh.metadata.get("kind") != "room":
            continue
        triangles = mesh.triangles
        low = mesh.vertices[:, 1].min()
        at_bottom = np.all(np.abs(triangles[:, :, 1] - low) < 0.005, axis=1)
        horizontal = np.abs(mesh.face_normals[:, 1]) > 0.999
        areas[mesh.metadata["global_id"]] = float(mesh.area_faces[at_bottom & horizontal].sum())
    return areas


def get_rooms(engine) -> dict[str, Room]:
    with transaction(engine) as session:
        return {room.global_id: room for room in session.scalars(select(Room))}


@pytest.mark.parametrize("path", get_real_ifc_files(), ids=lambda p: p.name)
def test_every_ifcspace_becomes_exactly_one_room(ingested, path):
    report, engine, _ = ingested[path.name]
    spaces = {space.GlobalId for space in ifcopenshell.open(str(path)).by_type("IfcSpace")}
    assert report.rooms == len(spaces)
    assert set(get_rooms(engine)) == spaces
    assert report.failed_elements == 0


@pytest.mark.parametrize("path", [p for p in get_real_ifc_files() if p.name not in NO_ROOMS], ids=lambda p: p.name)
def test_measured_floor_area_equals_the_bottom_faces_of_each_room_within_one_percent(ingested, path):
    _, engine, assets = ingested[path.name]
    with transaction(engine) as session:
        glb = session.scalar(select(Asset).where(Asset.kind == "building_glb"))
    bottoms = bottom_face_areas(assets / glb.path)
    rooms = get_rooms(engine)
    assert set(bottoms) == set(rooms)
    for global_id, room in rooms.items():
        assert room.measured_area_m2 == pytest.approx(bottoms[global_id], rel=0.01), room.number


@pytest.mark.parametrize("path", [p for p in get_real_ifc_files() if p.name not in NO_ROOMS], ids=lambda p: p.name)
def test_measured_floor_area_equals_the_declared_gross_floor_area_within_one_percent(ingested, path):
    _, engine, _ = ingested[path.name]
    model = open_ifc(path)
    rooms = get_rooms(engine)
    checked = 0
    for space in model.file.by_type("IfcSpace"):
        gross = [a for a in read_room_properties(space, model.units).declared_areas if a.kind == "GrossFloorArea"]
        if gross:
            assert rooms[space.GlobalId].measured_area_m2 == pytest.approx(gross[0].value_m2, rel=0.01), space.Name
            checked += 1
    has_gross = path.name in {"AC11-Institute-Var-2-IFC.ifc", "AC20-FZK-Haus.ifc", "ExampleHOM.ifc", *MILLIMETRE}
    assert (checked > 0) == has_gross


@pytest.mark.parametrize("name", sorted(MILLIMETRE))
def test_millimetre_files_come_out_in_metres(ingested, name):
    _, engine, _ = ingested[name]
    for room in get_rooms(engine).values():
        assert 2.0 < room.height_m < 6.0
        assert 1.0 < room.measured_area_m2 < 500.0
        assert room.volume_m3 == pytest.approx(room.measured_area_m2 * room.height_m, rel=0.05)
    with transaction(engine) as session:
        elevations = sorted(s.elevation_m for s in session.scalars(select(Storey)))
    assert elevations[-1] < 100.0


@pytest.mark.parametrize("name", sorted(NO_ROOMS))
def test_the_files_without_rooms_ingest_their_structure(ingested, name):
    report, engine, _ = ingested[name]
    assert report.rooms == 0 and report.buildings == 1 and report.storeys >= 1
    assert report.context_elements > 0
    with transaction(engine) as session:
        assert session.scalars(select(Building)).one().is_active


def test_revit_files_sharing_a_project_are_versions_of_one_model(db_url, tmp_path):
    """LargeBuilding and TallBuilding carry the same IfcProject GlobalId: the second is a new
    version that retires the first one's rooms, on both databases."""
    engine = open_ledger(db_url)
    try:
        first = ingest_file(SHARED_IFC / "LargeBuilding.ifc", engine=engine, assets_dir=tmp_path / "a")
        second = ingest_file(SHARED_IFC / "TallBuilding.ifc", engine=engine, assets_dir=tmp_path / "a")
        again = ingest_file(SHARED_IFC / "TallBuilding.ifc", engine=engine, assets_dir=tmp_path / "a")
        assert (first.version, second.version, again.version) == (1, 2, 2)
        assert second.rooms_retired == 8 and second.rooms_added == 3 and again.skipped
        statuses = [r.status for r in get_rooms(engine).values()]
        assert statuses.count("retired") == 8 and statuses.count("active") == 3
    finally:
        engine.dispose()


@pytest.mark.parametrize("path", [p for p in get_real_ifc_files() if p.name not in NO_ROOMS], ids=lambda p: p.name)
def test_footprints_made_in_one_batch_are_those_made_one_at_a_time(path):
    from twin.ledger.snapshot import read_rooms, to_geojson

    snapshot = read_rooms(open_ifc(path))
    footprints = snapshot.get_footprints()
    measured = {gid: room for gid, room in snapshot.rooms.items() if room.measures is not None}
    assert measured and set(footprints) == set(measured)
    assert all(footprints[gid] == to_geojson(room.measures.footprint) for gid, room in measured.items())


@pytest.mark.parametrize("name", [path.name for path in get_real_ifc_files()])
def test_the_report_says_which_library_meshed_what_and_what_fell_back(ingested, name):
    report, _, _ = ingested[name]
    meshing = report.meshing
    assert sum(meshing["by_library"].values()) == meshing["meshed"] == report.context_elements + report.rooms_measured
    assert set(meshing["by_library"]) <= {"cgal-simple", "manifold", "manifold-bounded", "opencascade"} and meshing["cache_hits"] == 0
    for fallback in meshing["fallbacks"]:  # a library's result not kept; the element kept by a later one
        assert fallback["kept_by"] not in ("failed", fallback["library"]) and fallback["reason"]
    assert (name == "TallBuilding.ifc") <= any(f["kept_by"] == "manifold-bounded" for f in meshing["fallbacks"])  # its clipped walls


@pytest.mark.parametrize("path", get_real_ifc_files(), ids=lambda p: p.name)
def test_a_context_made_in_the_read_ahead_child_is_the_context_made_in_one_process(path, tmp_path, monkeypatch):
    from shapely.geometry import shape

    from twin.geometry import workers
    from twin.ledger import readahead

    monkeypatch.setattr(readahead, "FORK_MIN", 1)
    monkeypatch.setattr(readahead, "FORK_MIN_CONTEXT", 1)
    stored = []
    for fork in (True, False):
        monkeypatch.setattr(workers, "_is_single_threaded", lambda fork=fork: fork)  # False: no process may fork
        engine = open_ledger(f"sqlite:///{tmp_path / f'fork-{fork}.db'}")
        report = ingest_file(path, engine=engine, assets_dir=tmp_path / f"assets-{fork}")
        with transaction(engine) as session:
            walls = {s.global_id: shape(s.plan_walls) for s in session.scalars(select(Storey)) if s.plan_walls}
            outlines = {b.global_id: shape(b.outline) for b in session.scalars(select(Building)) if b.outline}
            sizes = sorted(session.scalars(select(Asset.size_bytes)))
        stored.append((report.context_elements, report.failed_elements, report.meshing["by_library"], walls, outlines, sizes))
        engine.dispose()
    (*counts_there, walls_there, outlines_there, sizes_there), (*counts_here, walls_here, outlines_here, sizes_here) = stored
    assert counts_there == counts_here and sizes_there == sizes_here
    assert walls_there.keys() == walls_here.keys() and outlines_there.keys() == outlines_here.keys()
    assert all(walls_there[gid].equals(walls_here[gid]) for gid in walls_here)
    assert all(outlines_there[gid].equals(outlines_here[gid]) for gid in outlines_here)
