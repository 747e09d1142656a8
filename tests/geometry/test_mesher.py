"""Meshing with the geometry iterator: world metres, and no element lost without a word."""

from __future__ import annotations

import pytest

from ifc_factory import RoomSpec, build_model
from twin.geometry.mesher import get_context_elements, mesh_elements
from twin.ifc.reader import open_ifc


def test_rooms_of_a_millimetre_file_come_out_in_metres(tmp_path):
    model = open_ifc(build_model(tmp_path / "m.ifc", [RoomSpec("101", storey=1)], unit="mm"))
    result = mesh_elements(model.file, model.file.by_type("IfcSpace"))
    mesh = next(iter(result.meshes.values()))
    assert mesh.vertices.max(axis=0).tolist() == pytest.approx([5.0, 4.0, 6.5])
    assert mesh.vertices.min(axis=0).tolist() == pytest.approx([0.0, 0.0, 3.5])


def test_an_element_that_cannot_be_meshed_is_reported_not_dropped(tmp_path, caplog):
    model = open_ifc(build_model(tmp_path / "m.ifc", [RoomSpec("101"), RoomSpec("bad", broken=True)]))
    result = mesh_elements(model.file, model.file.by_type("IfcSpace"))
    assert result.expected == 2
    assert len(result.meshes) == 1
    assert [f.global_id for f in result.failed] == [model.file.by_type("IfcSpace")[1].GlobalId]
    assert result.retried == 1
    assert "bad" not in {m.global_id for m in result.meshes.values()}
    assert any("IfcSpace" in r.getMessage() for r in caplog.records)


def test_context_elements_exclude_openings_and_include_walls(tmp_path):
    model = open_ifc(build_model(tmp_path / "m.ifc", [RoomSpec("101")]))
    elements = get_context_elements(model.file)
    assert [e.is_a() for e in elements] == ["IfcWall"]
    assert all(not e.is_a("IfcOpeningElement") for e in elements)
