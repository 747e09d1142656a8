"""Vectorised arithmetic on triangle soups: cross products and areas.

Triangles are ``(m, 3, 3) float64`` (m triangles, 3 corners, x/y/z) in whatever frame the
caller uses. The cross product is written out component by component: on the small arrays of
one element's mesh (tens of triangles), ``np.cross`` spends ten times longer checking and
moving axes than computing.
"""

from __future__ import annotations

import numpy as np


def cross_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise cross products of ``(m, 3)`` arrays: ``(m, 3)``, as ``np.cross(a, b)``."""
    return np.stack(
        (a[:, 1] * b[:, 2] - a[:, 2] * b[:, 1], a[:, 2] * b[:, 0] - a[:, 0] * b[:, 2], a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]),
        axis=1,
    )


def get_triangle_cross(triangles: np.ndarray) -> np.ndarray:
    """``(m, 3)``: (b - a) x (c - a) per triangle; its length is twice the triangle's area."""
    return cross_rows(triangles[:, 1] - triangles[:, 0], triangles[:, 2] - triangles[:, 0])


def get_total_area(vertices: np.ndarray, faces: np.ndarray) -> float:
    """The summed area of ``faces (m, 3)`` over ``vertices (n, 3)``."""
    if len(faces) == 0:
        return 0.0
    return float(np.linalg.norm(get_triangle_cross(vertices[faces]), axis=1).sum()) / 2
