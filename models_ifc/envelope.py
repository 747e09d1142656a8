"""Derive the context elements of a storey (walls, windows, doors, stairs).

Pure geometry, no IFC.  There are no opening elements / booleans: a facade
edge becomes a sill band, a head band and piers between the openings, and the
windows / exterior doors are thin boxes sitting in the gaps.  Corridor doors
are boxes slightly thicker than the (continuous) corridor wall.

Element keys are derived from positions (millimetres along a facade edge), so
an element keeps its GlobalId when an unrelated part of the storey changes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .spec import Point, Room, Storey, rnd

SLAB = 0.2            # floor slab thickness (top of slab = storey level)
SILL = 0.9
EXT_WALL = 0.3
INT_WALL = 0.2
PARAPET = 1.2
WINDOW_DEPTH = 0.1
DOOR_DEPTH = 0.26     # thicker than INT_WALL so the leaf shows on both faces
NO_WINDOW = {"plant_power", "plant_telecom", "confidential"}
ENTRANCE_WIDTH = {"corridor": 3.0, "garage": 3.0, "bicycle_garage": 1.8}


@dataclass
class WallSpec:
    key: str
    start: Point
    end: Point
    z0: float
    z1: float
    thickness: float
    kind: str                  # "external" | "internal" | "parapet"

    @property
    def length(self) -> float:
        return math.dist(self.start, self.end)


@dataclass
class OpeningSpec:
    key: str
    ifc_class: str             # "IfcWindow" | "IfcDoor"
    x: float
    y: float
    angle: float
    z0: float
    width: float
    height: float
    depth: float
    room_key: str | None
    external: bool


@dataclass
class SolidSpec:
    """Extrusion of ``profile`` (local x, y) along local z of the frame (origin, axis=z, ref=x)."""
    profile: list[Point]
    origin: tuple[float, float, float]
    axis: tuple[float, float, float]
    ref: tuple[float, float, float]
    depth: float


@dataclass
class StairSpec:
    key: str
    room_key: str
    solids: list[SolidSpec]
    risers: int
    riser_height: float
    going: float


def _edges(poly):
    return [(poly[i], poly[(i + 1) % len(poly)]) for i in range(len(poly))]


def _intervals(a: Point, b: Point, rooms: list[Room]) -> list[tuple[float, float, Room]]:
    """Stretches of edge a->b shared with room boundaries, as (t0, t1, room)."""
    length = math.dist(a, b)
    ux, uy = (b[0] - a[0]) / length, (b[1] - a[1]) / length
    out = []
    for room in rooms:
        for p, q in _edges(room.polygon):
            if any(abs((pt[0] - a[0]) * uy - (pt[1] - a[1]) * ux) > 1e-6 for pt in (p, q)):
                continue
            tp = (p[0] - a[0]) * ux + (p[1] - a[1]) * uy
            tq = (q[0] - a[0]) * ux + (q[1] - a[1]) * uy
            t0, t1 = max(0.0, min(tp, tq)), min(length, max(tp, tq))
            if t1 - t0 > 0.01:
                out.append((t0, t1, room))
    return sorted(out, key=lambda item: item[0])


def facade(storey: Storey) -> tuple[list[WallSpec], list[OpeningSpec]]:
    top = rnd(storey.height - SLAB)
    head = rnd(min(SILL + 2.1, top - 0.4))
    walls: list[WallSpec] = []
    openings: list[OpeningSpec] = []
    edges = _edges(storey.envelope)
    stretches = [_intervals(a, b, storey.rooms) for a, b in edges]
    longest: dict[str, tuple[int, float]] = {}
    for i, items in enumerate(stretches):
        for t0, t1, room in items:
            if room.entrance and t1 - t0 > longest.get(room.key, (-1, 0.0))[1] + 1e-9:
                longest[room.key] = (i, t1 - t0)
    for i, (a, b) in enumerate(edges):
        length = math.dist(a, b)
        ux, uy = (b[0] - a[0]) / length, (b[1] - a[1]) / length
        angle = math.atan2(uy, ux)
        gaps: list[tuple[float, float, bool]] = []      # (t0, t1, is_door)
        lintels: list[tuple[float, float, float]] = []  # wall above a door lower than the window heads
        for t0, t1, room in stretches[i]:
            span = t1 - t0
            if span < 1.5 or room.category in NO_WINDOW:
                continue
            n = max(1, int(span / 3.6 + 0.5))
            spacing = span / n
            door_at = n // 2 if longest.get(room.key, (-1,))[0] == i and abs(longest[room.key][1] - span) < 1e-9 else -1
            for k in range(n):
                t = t0 + (k + 0.5) * spacing
                x, y = rnd(a[0] + ux * t), rnd(a[1] + uy * t)
                if k == door_at:
                    w = rnd(min(ENTRANCE_WIDTH.get(room.category, 1.0), spacing - 0.6))
                    h = rnd(min(head, 3.0)) if w >= 1.8 else 2.1
                    openings.append(OpeningSpec(f"{room.key}/entrance", "IfcDoor", x, y, angle, 0.0,
                                                w, h, DOOR_DEPTH, room.key, True))
                    gaps.append((t - w / 2, t + w / 2, True))
                    if h < head:
                        lintels.append((t - w / 2, t + w / 2, h))
                else:
                    w = rnd(min(1.8, spacing - 0.9))
                    openings.append(OpeningSpec(f"{storey.key}/win/{i}/{round(t * 1000)}", "IfcWindow", x, y,
                                                angle, SILL, w, rnd(head - SILL), WINDOW_DEPTH, room.key, True))
                    gaps.append((t - w / 2, t + w / 2, False))

        def seg(key: str, s0: float, s1: float, z0: float, z1: float) -> None:
            walls.append(WallSpec(f"{storey.key}/ew/{i}/{key}", (rnd(a[0] + ux * s0), rnd(a[1] + uy * s0)),
                                  (rnd(a[0] + ux * s1), rnd(a[1] + uy * s1)), z0, z1, EXT_WALL, "external"))

        if not gaps:
            seg("full", 0.0, length, 0.0, top)
            continue
        seg("head", 0.0, length, head, top)
        cursor = 0.0
        for g0, g1, is_door in gaps + [(length, length, True)]:
            if is_door and g0 - cursor > 0.01:
                seg(f"low/{round(cursor * 1000)}", cursor, g0, 0.0, SILL)
            if is_door:
                cursor = g1
        cursor = 0.0
        for g0, g1, _ in gaps + [(length, length, False)]:
            if g0 - cursor > 0.01:
                seg(f"pier/{round(cursor * 1000)}", cursor, g0, SILL, head)
            cursor = g1
        for g0, g1, z in lintels:
            seg(f"lintel/{round(g0 * 1000)}", g0, g1, z, head)
    return walls, openings


def interior(storey: Storey) -> tuple[list[WallSpec], list[OpeningSpec]]:
    top = rnd(storey.height - SLAB)
    walls = [
        WallSpec(f"{storey.key}/iw/{round(p[0] * 1000)}/{round(p[1] * 1000)}/{round(q[0] * 1000)}/{round(q[1] * 1000)}",
                 p, q, 0.0, top, INT_WALL, "internal")
        for p, q in storey.interior_walls
    ]
    if storey.parapet:
        for i, (a, b) in enumerate(_edges(storey.parapet)):
            walls.append(WallSpec(f"{storey.key}/parapet/{i}", a, b, 0.0, PARAPET, 0.25, "parapet"))
    doors = [
        OpeningSpec(d.key, "IfcDoor", d.x, d.y, d.angle, 0.0, d.width, d.height, DOOR_DEPTH, d.room_key, False)
        for d in storey.doors
    ]
    return walls, doors


def stairs(storey: Storey) -> list[StairSpec]:
    """A half-turn stair (two flights + landing) in every stair room, rising one storey."""
    if not storey.has_stairs:
        return []
    doors = {d.room_key: d for d in storey.doors}
    out = []
    h = storey.height
    n = 2 * math.ceil(h / 0.33)
    m, r = n // 2, h / n
    for room in storey.rooms:
        if room.category != "stair":
            continue
        xs, ys = [p[0] for p in room.polygon], [p[1] for p in room.polygon]
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        along_y = (y1 - y0) >= (x1 - x0)
        length, width = (y1 - y0, x1 - x0) if along_y else (x1 - x0, y1 - y0)
        going = min(0.26, (length - 2.4) / m)
        run = m * going
        land = min(1.6, (length - run) / 2)
        start = length - run - land
        door = doors.get(room.key)
        from_high = door is not None and ((door.y > (y0 + y1) / 2) if along_y else (door.x > (x0 + x1) / 2))

        def world(s: float, w: float, z: float) -> tuple[float, float, float]:
            """s along the run axis from the start end, w across from the low side."""
            if along_y:
                return (rnd(x0 + w), rnd(y1 - s if from_high else y0 + s), rnd(z))
            return (rnd(x1 - s if from_high else x0 + s), rnd(y0 + w), rnd(z))

        fwd = (0.0, -1.0 if from_high else 1.0, 0.0) if along_y else (-1.0 if from_high else 1.0, 0.0, 0.0)
        lateral = (1.0, 0.0, 0.0) if along_y else (0.0, 1.0, 0.0)
        fw = (width - 0.3) / 2
        profile = [(0.0, 0.0)]
        for k in range(m):
            profile += [(rnd(k * going), rnd((k + 1) * r)), (rnd((k + 1) * going), rnd((k + 1) * r))]
        profile += [(rnd(m * going), rnd((m - 1) * r)), (rnd(going), 0.0)]
        solids = []
        for flight, (s0, w0, z0, direction) in enumerate(
            ((start, 0.1, 0.0, fwd), (start + run, width - 0.1 - fw, h / 2, tuple(-c for c in fwd)))
        ):
            axis = _cross(direction, (0.0, 0.0, 1.0))
            # extrude across the flight width; start on the side the axis points away from
            w_start = w0 if sum(a * b for a, b in zip(axis, lateral)) > 0 else w0 + fw
            solids.append(SolidSpec(profile, world(s0, w_start, z0), axis, direction, rnd(fw)))
        # landing slab at mid height, spanning the whole stair width
        lo = world(start + run, 0.1, h / 2 - 0.15)
        hi = world(start + run + land, width - 0.1, h / 2 - 0.15)
        bx0, bx1, by0, by1 = min(lo[0], hi[0]), max(lo[0], hi[0]), min(lo[1], hi[1]), max(lo[1], hi[1])
        solids.append(SolidSpec([(bx0, by0), (bx1, by0), (bx1, by1), (bx0, by1)], (0.0, 0.0, lo[2]),
                                (0.0, 0.0, 1.0), (1.0, 0.0, 0.0), 0.15))
        out.append(StairSpec(f"{storey.key}/stair/{room.key}", room.key, solids, n, round(r, 4), round(going, 4)))
    return out


def _cross(a, b):
    return (
        rnd(a[1] * b[2] - a[2] * b[1]),
        rnd(a[2] * b[0] - a[0] * b[2]),
        rnd(a[0] * b[1] - a[1] * b[0]),
    )
