"""Floor plans: rooms keyed by GlobalId with labels, walls cut from meshes, y flipped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest
import shapely
import trimesh
from shapely.geometry import box

from twin.geometry.mesher import ElementMesh
from twin.geometry.plan import PlanRoom, render_plan_svg
import twin.geometry.section as section
from twin.geometry.cache import GeometryCache
from twin.geometry.section import cut_at, cut_storeys, outline_many, outline_of, slice_triangles
from twin.tolerances import PLAN_GRID_M

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
    outline = outline_of([box(0, 0, 4, 4), box(4.2, 0, 8, 4)])
    assert outline.geom_type == "Polygon" and outline.area == pytest.approx(32.0, rel=0.03)


def is_on_the_plan_grid(geometry) -> bool:
    coordinates = shapely.get_coordinates(geometry) / PLAN_GRID_M
    return bool(np.allclose(coordinates, np.round(coordinates), rtol=0, atol=1e-6))


def test_cuts_and_outlines_come_on_the_plan_grid_so_they_are_stored_without_a_snap():
    cut = cut_at([wall(0.00003, 0, 5.00007, 0.2), wall(0, 0, 0.2, 4.123456)], 1.2)
    outline = outline_of([cut, box(0.2, 0.2, 5.000049, 4.123456)])
    assert not is_on_the_plan_grid(box(0, 0, 5.00007, 1)) and is_on_the_plan_grid(cut) and is_on_the_plan_grid(outline)
    assert cut.area == pytest.approx(5.00004 * 0.2 + 0.2 * 3.923456, abs=1e-3)


def test_a_cut_is_as_it_will_be_after_the_cache_or_a_pipe_so_outlines_do_not_depend_on_where_it_was_made():
    import pickle

    cut = cut_at([wall(0.00003, 0, 5.00007, 0.2), wall(0, 0, 0.2, 4.123456), wall(4.8, 0, 5.0, 3.3)], 1.2)
    travelled = pickle.loads(pickle.dumps(cut))  # as from the geometry cache or the read-ahead child
    assert shapely.get_precision(cut) == shapely.get_precision(travelled) == 0  # no precision model for an overlay to use
    assert shapely.equals_exact(cut, shapely.normalize(cut), 0)  # rings from a canonical vertex, in any process
    room = box(0.2, 0.2, 4.8, 3.3)
    assert shapely.equals_exact(outline_of([cut, room]), outline_of([travelled, room]), 0)


def test_an_outline_of_the_same_parts_comes_from_the_cache_and_a_changed_part_is_outlined_again(tmp_path, monkeypatch):
    made = []
    real = section.outline_of
    monkeypatch.setattr(section, "outline_of", lambda parts: made.append(1) or real(parts))
    parts = {"A": {"1F": [box(0, 0, 4, 4), box(4.2, 0, 8, 4)]}, "B": {"1F": [box(20, 0, 24, 4)]}}
    first = outline_many(parts, cache=GeometryCache(tmp_path))
    assert len(made) == 2
    again = outline_many({"A": {"1F": parts["A"]["1F"][::-1]}, "B": {"1F": [box(20, 0, 24, 5)]}}, cache=GeometryCache(tmp_path))  # A's parts in another order
    assert len(made) == 3 and again["A"].equals(first["A"]) and again["B"].bounds == (20, 0, 24, 5)


def test_a_building_with_one_storey_changed_unites_that_storey_alone_and_outlines_as_without_a_cache(tmp_path, monkeypatch):
    united = []
    real = section.unite
    monkeypatch.setattr(section, "unite", lambda parts: united.append(1) or real(parts))
    storeys = {f"{n}F": [box(0, 0, 4, 4), box(4.2, 0, 8, 4 + n / 10)] for n in range(1, 5)}
    outline_many({"A": storeys}, cache=GeometryCache(tmp_path))
    assert len(united) == 4
    storeys["3F"] = [box(0, 0, 12, 4)]
    with_cache = outline_many({"A": storeys}, cache=GeometryCache(tmp_path))["A"]
    assert len(united) == 5
    assert with_cache.equals(outline_many({"A": storeys})["A"]) and with_cache.bounds == (0, 0, 12, 4.4)


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
