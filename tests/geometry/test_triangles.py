"""Triangle arithmetic: welding groups vertices exactly as numpy's row-wise unique does."""

from __future__ import annotations

import numpy as np

from twin.geometry.triangles import get_edge_uses, get_total_area, has_area_above, weld_vertices


def test_welding_groups_vertices_within_a_micrometre_like_numpy_unique():
    rng = np.random.default_rng(7)
    vertices = rng.uniform(-500, 500, size=(300, 3))
    near = vertices[:100] + rng.uniform(-4e-7, 4e-7, size=(100, 3))  # the same points, moved under 1 um
    soup = np.concatenate([vertices, near, vertices[50:80]])
    expected = np.unique(np.round(soup, 6), axis=0, return_inverse=True)[1].reshape(-1)
    assert np.array_equal(weld_vertices(soup), expected)


def test_welding_keeps_points_a_few_micrometres_apart_apart():
    vertices = np.array([[0.0, 0.0, 0.0], [0.000004, 0.0, 0.0], [0.0, 0.0, 0.0]])
    assert weld_vertices(vertices).tolist() == [0, 1, 0]


def test_welding_nothing_gives_nothing():
    assert weld_vertices(np.zeros((0, 3))).shape == (0,)


def test_a_unit_square_of_two_triangles_has_an_area_of_one():
    vertices = np.array([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [1.0, 1.0, 0.0], [0.0, 1.0, 0.0]])
    assert get_total_area(vertices, np.array([[0, 1, 2], [0, 2, 3]])) == 1.0


def test_edge_uses_tell_a_closed_consistent_shell_from_an_open_or_flipped_one():
    tetrahedron = np.array([[0, 2, 1], [0, 1, 3], [1, 2, 3], [0, 3, 2]])
    _, shared, same = get_edge_uses(tetrahedron, 4)
    assert len(shared) == 12 and set(shared) == {2} and set(same) == {1}
    _, shared, _ = get_edge_uses(tetrahedron[:3], 4, directed=False)
    assert set(shared) == {1, 2}  # one face missing: its three edges are used once
    flipped = tetrahedron.copy()
    flipped[0] = flipped[0, ::-1]
    face_of, shared, same = get_edge_uses(flipped, 4)
    assert set(shared) == {2} and set(same[face_of == 0]) == {2}


def test_an_edge_with_two_equal_corners_is_no_edge():
    face_of, shared, _ = get_edge_uses(np.array([[0, 0, 1]]), 2)
    assert face_of.tolist() == [0, 0] and shared.tolist() == [2, 2]


def test_area_above_a_threshold_agrees_with_the_summed_area_whether_the_first_triangle_decides_or_not():
    square = np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0]], dtype=float)
    faces = np.array([[0, 1, 2], [0, 2, 3]])
    sliver_first = np.array([[0, 1, 1], [0, 1, 2], [0, 2, 3]])  # a degenerate triangle, then the square
    rng = np.random.default_rng(3)
    for vertices, tris in [(square, faces), (square, sliver_first), (square, faces[:0]), (square * 1e-6, faces)]:
        for threshold in (0.0, 1e-12, 0.4, 0.6, 0.99, 1.0, 1.5):
            assert has_area_above(vertices, tris, threshold) == (get_total_area(vertices, tris) > threshold)
    soup = rng.uniform(-1, 1, size=(30, 3))
    tris = rng.integers(0, 30, size=(40, 3))
    total = get_total_area(soup, tris)
    assert has_area_above(soup, tris, total * 0.999) and not has_area_above(soup, tris, total * 1.001)
