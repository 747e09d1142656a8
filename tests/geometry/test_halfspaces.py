"""Half-space clippings made bounded for manifold, against OpenCASCADE and against arithmetic.

ifcopenshell moves a boolean's cut by a hair (its precision, about 0.001 mm here), so manifold's
volumes are compared within 1e-5 of the arithmetic and its bounds within 0.01 mm; OpenCASCADE's
are exact."""

from __future__ import annotations

import ifcopenshell
import numpy as np
import pytest

from ifc_factory import RoomSpec, build_model
from realdata import get_real_ifc_files
from twin.geometry.halfspaces import bounded_half_spaces, can_bound, has_half_space
from twin.geometry.kernels import DEFAULT_PLAN, FAST_PLAN, is_closed, is_room
from twin.geometry.measure import measure_room
from twin.geometry.mesher import get_context_elements, make_settings, mesh_elements
from twin.geometry.workers import iterate


def _volume(vertices: np.ndarray, faces: np.ndarray) -> float:
    triangles = vertices[faces]
    return float(np.einsum("ij,ij->i", triangles[:, 0], np.cross(triangles[:, 1], triangles[:, 2])).sum() / 6)


def _mesh(file, element, library: str) -> tuple[np.ndarray, np.ndarray]:
    (_, _, _, vertices, faces), = iterate(file, [element], library, make_settings())
    return vertices, faces


@pytest.fixture
def model(tmp_path):
    """A room (5 x 4 x 3 m) and a wall (10 x 0.2 x 3 m), both extrusions from z = 0, metres."""
    return ifcopenshell.open(str(build_model(tmp_path / "m.ifc", [RoomSpec("101")])))


def _clip(file, element, *, flag: bool, normal=(0.0, 0.0, 1.0), at=(0.0, 0.0, 2.0), boundary=None, indexed=False):
    """Wrap the element's body in a DIFFERENCE with a half-space through ``at`` (a polygonal
    bounded one when ``boundary``, a 2D outline in the frame of ``at``, is given: an
    IfcPolyline, or an IfcIndexedPolyCurve when ``indexed``)."""
    plane = file.createIfcPlane(file.createIfcAxis2Placement3D(
        file.createIfcCartesianPoint(at), file.createIfcDirection(normal), None))
    if boundary is None:
        half_space = file.createIfcHalfSpaceSolid(plane, flag)
    else:
        position = file.createIfcAxis2Placement3D(file.createIfcCartesianPoint(at), None, None)
        if indexed:
            outline = file.createIfcIndexedPolyCurve(file.createIfcCartesianPointList2D([*boundary, boundary[0]]), None, False)
        else:
            outline = file.createIfcPolyline([file.createIfcCartesianPoint(p) for p in [*boundary, boundary[0]]])
        half_space = file.createIfcPolygonalBoundedHalfSpace(plane, flag, position, outline)
    representation = next(r for r in element.Representation.Representations if r.RepresentationIdentifier == "Body")
    representation.Items = [file.createIfcBooleanClippingResult("DIFFERENCE", representation.Items[0], half_space)]
    representation.RepresentationType = "Clipping"
    return half_space


@pytest.mark.parametrize(("flag", "kept"), [(False, 2.0), (True, 1.0)], ids=["material above", "material below"])
def test_a_wall_clipped_by_a_half_space_keeps_the_side_away_from_it(model, flag, kept):
    wall = model.by_type("IfcWall")[0]
    _clip(model, wall, flag=flag)
    assert can_bound(model, wall)
    assert _volume(*_mesh(model, wall, "manifold-bounded")) == pytest.approx(10 * 0.2 * kept, rel=1e-5)
    assert _volume(*_mesh(model, wall, "opencascade")) == pytest.approx(10 * 0.2 * kept, rel=1e-6)


@pytest.mark.parametrize("indexed", [False, True], ids=["IfcPolyline", "IfcIndexedPolyCurve"])
def test_a_polygonal_bounded_half_space_clips_only_within_its_polygon(model, indexed):
    wall = model.by_type("IfcWall")[0]
    _clip(model, wall, flag=False, boundary=[(-1.0, -1.0), (5.0, -1.0), (5.0, 1.0), (-1.0, 1.0)], indexed=indexed)
    assert can_bound(model, wall)
    expected = 10 * 0.2 * 3 - 5 * 0.2 * 1  # the top metre of the first five
    assert _volume(*_mesh(model, wall, "manifold-bounded")) == pytest.approx(expected, rel=1e-5)
    assert _volume(*_mesh(model, wall, "opencascade")) == pytest.approx(expected, rel=1e-6)


def test_a_sloped_plane_far_from_the_elements_own_origin_still_clips_it(model):
    wall = model.by_type("IfcWall")[0]
    points = wall.Representation.Representations[0].Items[0].SweptArea.OuterCurve.Points  # an IfcCartesianPointList2D
    far = 500_000.0  # georeferenced coordinates inside the representation, the plane's origin at 0
    points.CoordList = [(x + far, y) for x, y in points.CoordList]
    _clip(model, wall, flag=False, normal=(0.0, -0.6, 0.8), at=(0.0, 0.0, 2.0))
    fast, reference = _mesh(model, wall, "manifold-bounded"), _mesh(model, wall, "opencascade")
    assert _volume(*fast) == pytest.approx(_volume(*reference), rel=1e-5)
    assert fast[0].min(axis=0) == pytest.approx(reference[0].min(axis=0), abs=1e-5)
    assert fast[0].max(axis=0) == pytest.approx(reference[0].max(axis=0), abs=1e-5)


def test_meshes_cached_by_a_plan_that_bounds_half_spaces_are_keyed_by_the_code_that_bounds_them():
    from twin.geometry import halfspaces
    from twin.geometry.keys import get_code_fingerprint
    from twin.geometry.kernels import SAFE_PLAN

    assert get_code_fingerprint(halfspaces) in FAST_PLAN.fingerprint
    assert get_code_fingerprint(halfspaces) not in SAFE_PLAN.fingerprint + DEFAULT_PLAN.fingerprint


def test_the_settings_are_given_back_as_they_were(model):
    wall, settings = model.by_type("IfcWall")[0], make_settings()
    _clip(model, wall, flag=False)
    list(iterate(model, [wall], "manifold-bounded", settings))
    assert settings.get("precision-factor") == make_settings().get("precision-factor")


def test_the_file_is_given_back_as_it_was(model):
    wall = model.by_type("IfcWall")[0]
    half_space = _clip(model, wall, flag=False, boundary=[(0.0, -1.0), (5.0, -1.0), (5.0, 1.0)])
    before, count = model.to_string(), len(list(model))
    with bounded_half_spaces(model, [wall]) as swapped:
        assert swapped == 1
        assert len(list(model)) > count
        assert not model.get_inverse(half_space)  # its boolean uses the bounded solid meanwhile
    assert model.to_string() == before and len(list(model)) == count


def test_what_happens_inside_does_not_keep_the_file_changed(model):
    wall = model.by_type("IfcWall")[0]
    _clip(model, wall, flag=False)
    before = model.to_string()
    with pytest.raises(RuntimeError):
        with bounded_half_spaces(model, [wall]):
            raise RuntimeError("a kernel failed")
    assert model.to_string() == before


def test_a_half_space_that_is_not_a_plane_is_left_to_opencascade(model):
    wall = model.by_type("IfcWall")[0]
    half_space = _clip(model, wall, flag=False)
    half_space.BaseSurface = model.createIfcCylindricalSurface(half_space.BaseSurface.Position, 1.0)
    assert has_half_space(model, wall) and not can_bound(model, wall)


def test_a_room_under_a_sloped_ceiling_is_meshed_closed_by_manifold_with_the_area_of_opencascade(model):
    room = model.by_type("IfcSpace")[0]
    _clip(model, room, flag=False, normal=(0.0, -0.5, 0.866), at=(0.0, 2.0, 2.0))
    fast = mesh_elements(model, [room], plan=FAST_PLAN)
    reference = mesh_elements(model, [room], plan=DEFAULT_PLAN)
    gid = room.GlobalId
    assert fast.libraries[gid] == "manifold-bounded" and fast.sampled == 1  # spot-checked, and agreed
    got, expected = (measure_room(r.meshes[gid].vertices, r.meshes[gid].faces) for r in (fast, reference))
    assert got.floor_area_m2 == pytest.approx(20.0) and got.floor_area_m2 == pytest.approx(expected.floor_area_m2, rel=1e-6)
    assert got.volume_m3 == pytest.approx(expected.volume_m3, rel=1e-5)


def test_every_clipped_element_of_the_real_files_is_meshed_as_opencascade_meshes_it():
    if not get_real_ifc_files():
        pytest.skip("real files not present")
    settings, checked = make_settings(), {}
    for path in get_real_ifc_files():
        file = ifcopenshell.open(str(path))
        clipped = [e for e in [*file.by_type("IfcSpace"), *get_context_elements(file)] if e.Representation and can_bound(file, e)]
        fast = {m[0]: m for m in iterate(file, clipped, "manifold-bounded", settings)}
        reference = {m[0]: m for m in iterate(file, clipped, "opencascade", settings)}
        assert set(fast) >= set(reference), path.name
        for step_id, (_, guid, _, vertices, faces) in reference.items():
            other = fast[step_id]
            assert _volume(other[3], other[4]) == pytest.approx(_volume(vertices, faces), rel=1e-4), (path.name, guid)
            assert np.abs(other[3].min(axis=0) - vertices.min(axis=0)).max() < 1e-5, (path.name, guid)
            assert np.abs(other[3].max(axis=0) - vertices.max(axis=0)).max() < 1e-5, (path.name, guid)
            if is_room(file.by_id(step_id)):
                assert is_closed(other[3], other[4].astype(np.int64)), (path.name, guid)
        checked[path.name] = len(reference)
    assert sum(checked.values()) >= 40 and sum(1 for n in checked.values() if n) >= 6, checked  # 51 in 6 files
