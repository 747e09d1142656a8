"""Grouped shapely reductions give, for each group, what reducing that group alone gives."""

from __future__ import annotations

import numpy as np
import shapely

from twin.geometry.grouped import reduce_groups


def test_each_group_is_reduced_on_its_own_in_one_call():
    squares = np.array([shapely.box(x, 0, x + 1, 1) for x in (0, 0.5, 5, 10, 10.5, 11)])
    owners = np.array([0, 0, 2, 7, 7, 7])
    groups, unions = reduce_groups(squares, owners, shapely.union_all)
    assert groups.tolist() == [0, 2, 7]
    for group, union in zip(groups, unions):
        assert union.equals(shapely.union_all(squares[owners == group]))
    assert [round(u.area, 6) for u in unions] == [1.5, 1.0, 2.0]


def test_no_geometries_no_groups():
    groups, results = reduce_groups(np.zeros(0, dtype=object), np.zeros(0, dtype=np.int64), shapely.union_all)
    assert len(groups) == 0 and len(results) == 0
