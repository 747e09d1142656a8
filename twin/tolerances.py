"""Every geometric tolerance twin uses, in one place (SI units: metres, square metres)."""

from __future__ import annotations

#: Two z values closer than this are the same level (m). Used to find a room's floor faces.
FLOOR_Z_TOLERANCE_M = 0.005

#: A face is horizontal when |n_z| of its unit normal is at least this (cos 2.5 deg).
HORIZONTAL_NORMAL_MIN_ABS_Z = 0.999

#: Triangles smaller than this are dropped as degenerate before any measuring (m2).
DEGENERATE_TRIANGLE_AREA_M2 = 1e-9

#: Footprint outlines are simplified by this much (m); rooms are drawn, not surveyed, at this scale.
FOOTPRINT_SIMPLIFY_M = 0.001

#: Polygons are buffered out and back by this (m) when unioning triangles, to close hairline gaps.
FOOTPRINT_MERGE_EPSILON_M = 1e-4

#: A storey elevation matches a z value within this (m) when inferring a room's storey.
STOREY_ELEVATION_TOLERANCE_M = 0.05

#: Plans, outlines and footprints are stored snapped to this grid (m). A geometry already on it
#: snaps again in a few microseconds, where snapping a storey's cut walls takes a millisecond.
PLAN_GRID_M = 1e-4

#: Areas are stored rounded to this many decimals (m2 -> 0.0001 m2).
AREA_DECIMALS = 4

#: A polygonal bounded half-space's polygon is grown by this much (m) before manifold clips with
#: it (twin.geometry.halfspaces): exporters draw the polygon on the element's own faces, where
#: manifold leaves slivers. It clips at most this much more than the polygon says.
HALF_SPACE_BOUNDARY_GROWTH_M = 1e-5
