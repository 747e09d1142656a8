"""Floor plans: rooms keyed by GlobalId with labels, walls cut from meshes, y flipped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest
import trimesh

from twin.geometry.mesher import ElementMesh
from twin.geometry.plan import PlanRoom, render_plan_svg
import twin.geometry.section as section
from twin.geometry.cache import GeometryCache
from twin.geometry.section import cut_at, cut_storeys, outline_of, slice_triangles

SVG = "{http://www.w3.org/2000/svg}"


def wall(x0, y0, x1, y1, height=3.0):
    box = trimesh.creation.box(extents=(x1 - x0, y1 - y0, height))
    vertices = np.asarray(box.vertices) + [(x0 + x1) / 2, (y0 + y1) / 2, height / 2]
    return ElementMesh("w", 1, "IfcWall", vertices, np.asarray(box.faces))


def square(x, y, size):
    return {"type": "Polygon", "coordinates": [[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]]}


def test_a_wall_cut_at_section_height_is_its_plan_rectangle():
    section = cut_at([wall(0, 0, 5, 0.2)], 1.2)
    assert section.area == pytest.approx(1.0)
    assert section.bounds == pytest.approx((0, 0, 5, 0.2))


def test_a_plane_above_a_mesh_cuts_nothing():
    assert len(slice_triangles(wall(0, 0, 5, 0.2).vertices[wall(0, 0, 5, 0.2).faces], 10.0)[0]) == 0
    assert cut_at([wall(0, 0, 5, 0.2)], 10.0).is_empty


def test_the_outline_closes_small_gaps_between_parts():
    from shapely.geometry import box

    outline = outline_of([box(0, 0, 4, 4), box(4.2, 0, 8, 4)])
    assert outline.geom_type == "Polygon" and outline.area == pytest.approx(32.0, rel=0.03)


def test_each_room_is_a_group_keyed_by_global_id_with_number_name_and_area():
    rooms = [PlanRoom("gid-1", "A-0101", "处长办公室", 20.0, square(0, 0, 4), "office_staff"), PlanRoom("gid-2", "A-0102", "会议室", 16.0, square(4, 0, 4))]
    walls = {"type": "Polygon", "coordinates": [[[0, -0.2], [8, -0.2], [8, 0], [0, 0], [0, -0.2]]]}
    root = ET.fromstring(render_plan_svg(rooms, walls, title="1号楼 · 1F"))
    groups = root.findall(f".//{SVG}g[@class='room']")
    assert [g.get("data-global-id") for g in groups] == ["gid-1", "gid-2"]
    texts = [t.text for t in groups[0].iter(f"{SVG}text")]
    assert texts == ["A-0101", "处长办公室", "20.0 m²"]
    assert groups[0].get("data-category") == "office_staff"
    assert root.find(f".//{SVG}path[@class='wall']") is not None
    # y is flipped: world y 0..4 becomes svg y -4..0; the view box spans x -1..9 and y -5..1.2
    assert [float(v) for v in root.get("viewBox").split()] == pytest.approx([-1.0, -5.0, 10.0, 6.2])
    assert "M0.000,-0.000L4.000,-0.000L4.000,-4.000L0.000,-4.000Z" in groups[0].find(f"{SVG}path").get("d")


def test_cuts_kept_in_the_cache_are_the_cuts_made_without_it(tmp_path, monkeypatch):
    walls = {"ground": ([wall(0, 0, 5, 0.2), wall(0, 0, 0.2, 4)], 1.2), "first": ([wall(0, 0, 5, 0.2)], 4.2)}
    first = cut_storeys(walls, cache=GeometryCache(tmp_path))
    monkeypatch.setattr(section, "cut_at", lambda meshes, z: pytest.fail("cut again"))
    again = cut_storeys(walls, cache=GeometryCache(tmp_path))
    assert again["ground"].equals(first["ground"]) and again["ground"].area == pytest.approx(1.0 + 0.76)
    assert again["first"].is_empty  # the wall stands 0-3 m: nothing at 4.2 m, and that is kept too
