"""Triangle arithmetic: welding groups vertices exactly as numpy's row-wise unique does."""

from __future__ import annotations

import numpy as np

from twin.geometry.triangles import get_total_area, weld_vertices


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
