"""Measuring a room from its triangles: areas, volumes, heights, outlines, in metres."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon

import twin.geometry.measure as measure
from twin.geometry.cache import GeometryCache
from twin.geometry.measure import measure_many, measure_room, measure_rooms
from twin.geometry.mesher import ElementMesh
from twin.geometry.triangles import cross_rows


def prism(outline, z0=0.0, height=3.0):
    """A closed, outward-wound extrusion of a counter-clockwise outline: (vertices, faces)."""
    triangles = [np.asarray(t.exterior.coords)[:3] for t in shapely.constrained_delaunay_triangles(Polygon(outline)).geoms]
    vertices, faces = [], []
    for tri in triangles:  # counter-clockwise seen from above
        (ax, ay), (bx, by) = tri[1] - tri[0], tri[2] - tri[0]
        if ax * by - ay * bx < 0:
            tri = tri[::-1]
        base = len(vertices)
        vertices += [(*p, z0) for p in tri] + [(*p, z0 + height) for p in tri]
        faces += [(base, base + 2, base + 1), (base + 3, base + 4, base + 5)]  # floor down, ceiling up
    ring = list(outline)
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]):
        base = len(vertices)
        vertices += [(x0, y0, z0), (x1, y1, z0), (x1, y1, z0 + height), (x0, y0, z0 + height)]
        faces += [(base, base + 1, base + 2), (base, base + 2, base + 3)]
    return np.asarray(vertices, dtype=np.float64), np.asarray(faces)


L_SHAPE = [(0, 0), (6, 0), (6, 2), (2, 2), (2, 5), (0, 5)]  # 6*2 + 2*3 = 18 m2, perimeter 22 m


def test_an_l_shaped_room_measures_its_floor_volume_height_and_perimeter():
    measures = measure_room(*prism(L_SHAPE, z0=3.5, height=2.8))
    assert measures.floor_area_m2 == pytest.approx(18.0)
    assert measures.volume_m3 == pytest.approx(18.0 * 2.8)
    assert measures.height_m == pytest.approx(2.8)
    assert measures.perimeter_m == pytest.approx(22.0)
    assert measures.footprint.area == pytest.approx(18.0)
    assert measures.bbox_min.tolist() == pytest.approx([0, 0, 3.5])
    assert measures.bbox_max.tolist() == pytest.approx([6, 5, 6.3])
    assert measures.is_closed


def test_the_centroid_is_the_outline_centroid_at_mid_height():
    measures = measure_room(*prism([(0, 0), (4, 0), (4, 2), (0, 2)], z0=1.0, height=2.0))
    assert measures.centroid.tolist() == pytest.approx([2.0, 1.0, 2.0])


def test_inward_winding_gives_the_same_positive_volume():
    vertices, faces = prism(L_SHAPE)
    measures = measure_room(vertices, faces[:, ::-1])
    assert measures.volume_m3 == pytest.approx(54.0)
    assert measures.floor_area_m2 == pytest.approx(18.0)


def test_a_shell_with_some_faces_flipped_is_rewound_before_its_volume_is_taken():
    vertices, faces = prism(L_SHAPE)
    faces = faces.copy()
    faces[::3] = faces[::3, ::-1]
    assert measure_room(vertices, faces).volume_m3 == pytest.approx(54.0)


def test_an_open_surface_model_has_no_volume_but_still_a_floor():
    vertices, faces = prism(L_SHAPE)
    top = vertices[faces][:, :, 2].min(axis=1) > 2.9
    measures = measure_room(vertices, faces[~top])
    assert measures.volume_m3 is None and not measures.is_closed
    assert measures.floor_area_m2 == pytest.approx(18.0)


def test_only_the_lowest_level_counts_as_floor():
    low_v, low_f = prism([(0, 0), (4, 0), (4, 4), (0, 4)], z0=0.0, height=3.0)
    high_v, high_f = prism([(4, 0), (6, 0), (6, 4), (4, 4)], z0=0.5, height=2.5)
    vertices = np.vstack([low_v, high_v])
    faces = np.vstack([low_f, high_f + len(low_v)])
    measures = measure_room(vertices, faces)
    assert measures.floor_area_m2 == pytest.approx(16.0)
    assert measures.footprint.area == pytest.approx(24.0)


def test_duplicated_floor_triangles_are_not_counted_twice():
    vertices, faces = prism(L_SHAPE)
    measures = measure_room(vertices, np.vstack([faces, faces]))
    assert measures.floor_area_m2 == pytest.approx(18.0)


def test_rooms_measured_together_measure_as_they_do_alone():
    vertices, faces = prism(L_SHAPE)
    flipped = faces.copy()
    flipped[::3] = flipped[::3, ::-1]
    top = vertices[faces][:, :, 2].min(axis=1) > 2.9
    rooms = [prism(L_SHAPE, z0=3.5, height=2.8), (vertices, flipped), (vertices, faces[~top]),
             prism([(10, 0), (14, 0), (14, 4), (10, 4)], z0=-2.0), (vertices, np.zeros((0, 3), dtype=np.int64))]
    together = measure_many(rooms)
    for room, measured in zip(rooms, together):
        alone = measure_room(*room)
        assert (measured.floor_area_m2, measured.volume_m3, measured.is_closed, measured.perimeter_m) == pytest.approx(
            (alone.floor_area_m2, alone.volume_m3, alone.is_closed, alone.perimeter_m))
        assert measured.centroid.tolist() == pytest.approx(alone.centroid.tolist())
    assert [m.floor_area_m2 for m in together] == pytest.approx([18.0, 18.0, 18.0, 16.0, 0.0])
    assert [m.volume_m3 for m in together][:2] == pytest.approx([18.0 * 2.8, 54.0])
    assert together[2].volume_m3 is None and together[4].volume_m3 is None


def test_measures_kept_in_the_cache_are_the_measures_made_without_it(tmp_path, monkeypatch):
    arrays = {"l": prism(L_SHAPE), "square": prism([(0, 0), (4, 0), (4, 4), (0, 4)], z0=3.0)}
    meshes = {key: ElementMesh(key, 1, "IfcSpace", *vf) for key, vf in arrays.items()}
    cache = GeometryCache(tmp_path)
    first = measure_rooms(meshes, cache=cache)
    calls = []
    monkeypatch.setattr(measure, "measure_room", lambda v, f: calls.append(1))
    copy = ElementMesh("copy of l", 2, "IfcSpace", *prism(L_SHAPE))
    again = measure_rooms({**meshes, "copy of l": copy}, cache=GeometryCache(tmp_path))
    assert calls == []  # the same vertices and faces: nothing measured again, even under another name
    for key, fresh in [("l", measure_room(*arrays["l"])), ("square", measure_room(*arrays["square"]))]:
        for measures in (first[key], again[key]):
            assert measures.floor_area_m2 == fresh.floor_area_m2 and measures.volume_m3 == fresh.volume_m3
            assert measures.footprint.equals(fresh.footprint) and measures.centroid.tolist() == fresh.centroid.tolist()
    assert again["copy of l"].floor_area_m2 == pytest.approx(18.0)


def test_the_written_out_cross_product_is_numpys():
    rng = np.random.default_rng(5)
    a, b = rng.normal(size=(50, 3)), rng.normal(size=(50, 3))
    assert np.allclose(cross_rows(a, b), np.cross(a, b), rtol=0, atol=1e-12)
