"""The fast kernel path against ifcopenshell's default kernel, and its per-element fallback.

On every real file in ../shared/ifc: no element the default kernel (OpenCASCADE) meshes may go
missing, and no room's measured floor area may move by more than 0.1 %.
"""

from __future__ import annotations

import ifcopenshell
import numpy as np
import pytest

import twin.geometry.mesher as mesher
from ifc_factory import RoomSpec, build_model
from realdata import get_real_ifc_files
from twin.geometry.kernels import DEFAULT_PLAN, FAST_PLAN, get_room_sample, has_half_space, is_eligible
from twin.geometry.measure import measure_room
from twin.geometry.mesher import get_context_elements, mesh_elements


def _areas(result) -> dict[str, float]:
    return {gid: measure_room(m.vertices, m.faces).floor_area_m2 for gid, m in result.meshes.items()}


@pytest.mark.parametrize("path", get_real_ifc_files(), ids=lambda p: p.name)
def test_fast_path_loses_no_element_and_moves_no_room_area_on_real_files(path):
    file = ifcopenshell.open(str(path))
    spaces, context = file.by_type("IfcSpace"), get_context_elements(file)

    default_rooms = mesh_elements(file, spaces, plan=DEFAULT_PLAN)
    fast_rooms = mesh_elements(file, spaces, plan=FAST_PLAN)
    assert set(fast_rooms.meshes) >= set(default_rooms.meshes)
    expected, got = _areas(default_rooms), _areas(fast_rooms)
    for gid, area in expected.items():
        assert got[gid] == pytest.approx(area, rel=1e-3, abs=1e-6), gid

    default_context = mesh_elements(file, context, plan=DEFAULT_PLAN)
    fast_context = mesh_elements(file, context, plan=FAST_PLAN)
    assert set(fast_context.meshes) >= set(default_context.meshes)
    assert not fast_context.failed
    for gid, mesh in default_context.meshes.items():  # same place, same size (1 mm)
        other = fast_context.meshes[gid].vertices
        assert np.abs(other.min(axis=0) - mesh.vertices.min(axis=0)).max() < 1e-3 or \
            fast_context.libraries[gid] == "manifold", gid


def test_manifold_is_never_offered_a_half_space_clipping():
    path = next((p for p in get_real_ifc_files() if p.name == "AC11-Institute-Var-2-IFC.ifc"), None)
    if path is None:
        pytest.skip("real files not present")
    file = ifcopenshell.open(str(path))
    clipped = [e for e in get_context_elements(file) if has_half_space(file, e)]
    assert clipped
    assert not any(is_eligible("manifold", file, e) for e in clipped)
    assert all(is_eligible("opencascade", file, e) for e in clipped)


@pytest.fixture
def two_rooms(tmp_path):
    path = build_model(tmp_path / "m.ifc", [RoomSpec("101"), RoomSpec("102", outline=[(5, 0), (9, 0), (9, 4), (5, 4)])])
    return ifcopenshell.open(str(path))


def _dropping(library: str, global_id: str, *, transform=None):
    """A stand-in for workers.iterate_parallel where ``library`` drops (or ``transform``s) one element."""
    real = mesher.iterate_parallel

    def iterate_parallel(file, elements, lib, settings, processes):
        for step_id, guid, ifc_class, vertices, faces in real(file, elements, lib, settings, processes):
            if lib == library and guid == global_id:
                if transform is None:
                    continue
                vertices, faces = transform(vertices, faces)
            yield step_id, guid, ifc_class, vertices, faces

    return iterate_parallel


def test_an_element_the_fast_kernel_drops_falls_back_to_the_next(two_rooms, monkeypatch):
    gid = two_rooms.by_type("IfcSpace")[1].GlobalId
    monkeypatch.setattr(mesher, "iterate_parallel", _dropping("cgal-simple", gid))
    result = mesh_elements(two_rooms, two_rooms.by_type("IfcSpace"))
    assert len(result.meshes) == 2 and not result.failed
    assert result.libraries[gid] == "opencascade"
    assert [(f.global_id, f.library) for f in result.fallbacks] == [(gid, "cgal-simple")]


def test_a_room_with_an_open_shell_falls_back(two_rooms, monkeypatch):
    gid = two_rooms.by_type("IfcSpace")[0].GlobalId
    monkeypatch.setattr(mesher, "iterate_parallel", _dropping("cgal-simple", gid, transform=lambda v, f: (v, f[1:])))
    result = mesh_elements(two_rooms, two_rooms.by_type("IfcSpace"))
    assert result.libraries[gid] == "opencascade"
    assert "not closed" in result.fallbacks[0].reason
    assert measure_room(result.meshes[gid].vertices, result.meshes[gid].faces).floor_area_m2 == pytest.approx(20.0)


def test_a_room_the_fast_kernel_gets_wrong_fails_the_spot_check(two_rooms, monkeypatch):
    gids = [s.GlobalId for s in two_rooms.by_type("IfcSpace")]
    wrong = get_room_sample(gids)[0]
    monkeypatch.setattr(mesher, "iterate_parallel", _dropping("cgal-simple", wrong, transform=lambda v, f: (v * 1.1, f)))
    result = mesh_elements(two_rooms, two_rooms.by_type("IfcSpace"))
    assert set(result.libraries.values()) == {"opencascade"}  # every fast room redone
    assert result.sampled == 2
    assert any(f.reason == "room spot check disagreed" for f in result.fallbacks)
    assert _areas(result) == pytest.approx(_areas(mesh_elements(two_rooms, two_rooms.by_type("IfcSpace"), plan="default")))


def test_a_context_element_no_kernel_meshes_is_still_reported(tmp_path):
    file = ifcopenshell.open(str(build_model(tmp_path / "m.ifc", [RoomSpec("101"), RoomSpec("bad", broken=True)])))
    result = mesh_elements(file, file.by_type("IfcSpace"))
    assert [f.global_id for f in result.failed] == [file.by_type("IfcSpace")[1].GlobalId]
    assert {f.library for f in result.fallbacks if f.global_id == result.failed[0].global_id} == {"cgal-simple", "opencascade"}


def _box(x0: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """A closed unit cube from x0, as a kernel emits it: each side's corners its own vertices."""
    import trimesh

    cube = trimesh.creation.box(extents=(1, 1, 1))
    triangles = cube.vertices[cube.faces] + [x0 + 0.5, 0.5, 0.5]
    return triangles.reshape(-1, 3), np.arange(len(triangles) * 3).reshape(-1, 3)


def test_shells_checked_together_are_closed_exactly_when_checked_one_by_one():
    from twin.geometry.kernels import are_closed, is_closed

    closed = _box()
    opened = (closed[0], closed[1][:-1])  # one triangle missing
    touching = _box(1.0)  # beside the first, sharing the corners of a face with it
    half_a, half_b = (closed[0], closed[1][:6]), (closed[0], closed[1][6:])  # one shell split over two meshes: neither is closed
    empty = (np.zeros((0, 3)), np.zeros((0, 3), dtype=np.int64))
    meshes = [closed, opened, touching, half_a, half_b, empty, closed]
    assert list(are_closed(meshes)) == [is_closed(v, f) for v, f in meshes] == [True, False, True, False, False, False, True]
    assert list(are_closed([])) == []
