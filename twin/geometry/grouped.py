"""shapely reductions over groups of geometries, all groups in one call.

Measuring rooms unites each room's triangles; cutting a plan polygonises each wall's section on
its own. One shapely call per group costs more in overhead than in geometry, so the groups are
laid out as the rows of a ``(groups, largest group)`` object table padded with ``None`` (which
shapely's reductions skip) and reduced along the rows at once.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def reduce_groups(geometries: np.ndarray, owners: np.ndarray, reduce: Callable[..., np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """``(groups, results)``: the distinct ``owners`` and, for each, ``reduce`` over its geometries
    (``shapely.union_all``, ``shapely.polygonize``...). ``geometries`` and ``owners`` are ``(k,)``
    with ``owners`` sorted (the order of each group's geometries is kept)."""
    groups, row_of, counts = np.unique(owners, return_inverse=True, return_counts=True)
    if len(groups) == 0:
        return groups, np.zeros(0, dtype=object)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    table = np.full((len(groups), int(counts.max())), None, dtype=object)
    table[row_of, np.arange(len(owners)) - starts[row_of]] = geometries
    return groups, reduce(table, axis=-1)
