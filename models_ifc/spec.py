"""Plain-data description of a building (no IFC here) plus small 2D polygon helpers.

Everything the IFC writer needs is captured by these dataclasses, so the
campus / portfolio programmes can be inspected (and asserted on in tests)
without opening an IFC file.  All coordinates are metres in the storey's
local frame (x = east, y = north, z = up from finished floor level).
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field

import ifcopenshell.guid

Point = tuple[float, float]
Polygon = list[Point]

#: Namespace of every GlobalId we mint: uuid5(GUID_NAMESPACE, stable_name).
GUID_NAMESPACE = uuid.UUID("6f1d3c1e-7a52-5b8e-9a51-3e5c2f0b7d40")


def stable_guid(name: str) -> str:
    """22-character IFC GlobalId derived from a stable, human readable name."""
    return ifcopenshell.guid.compress(uuid.uuid5(GUID_NAMESPACE, name).hex)


# --------------------------------------------------------------------------- geometry


def rnd(value: float) -> float:
    """Round to 0.1 mm and normalise -0.0 so serialisation is stable."""
    value = round(value, 4)
    return 0.0 if value == 0 else value


def polygon_area(poly: Polygon) -> float:
    """Signed shoelace area (positive = counter-clockwise)."""
    total = 0.0
    for i, (x0, y0) in enumerate(poly):
        x1, y1 = poly[(i + 1) % len(poly)]
        total += x0 * y1 - x1 * y0
    return total / 2.0


def polygon_perimeter(poly: Polygon) -> float:
    return sum(math.dist(poly[i], poly[(i + 1) % len(poly)]) for i in range(len(poly)))


def clean_polygon(poly: Polygon) -> Polygon:
    """Round, drop repeated and collinear vertices, make counter-clockwise."""
    pts = [(rnd(x), rnd(y)) for x, y in poly]
    out: Polygon = []
    for p in pts:
        if not out or math.dist(out[-1], p) > 1e-6:
            out.append(p)
    if len(out) > 1 and math.dist(out[0], out[-1]) <= 1e-6:
        out.pop()
    changed = True
    while changed and len(out) > 3:
        changed = False
        for i in range(len(out)):
            a, b, c = out[i - 1], out[i], out[(i + 1) % len(out)]
            cross = (b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0])
            if abs(cross) < 1e-9:
                out.pop(i)
                changed = True
                break
    if polygon_area(out) < 0:
        out.reverse()
    # start at the lowest-left vertex so equal shapes serialise identically
    start = min(range(len(out)), key=lambda i: (out[i][1], out[i][0]))
    return out[start:] + out[:start]


def clip_convex(subject: Polygon, clip: Polygon) -> Polygon:
    """Sutherland-Hodgman clip of ``subject`` by the convex CCW polygon ``clip``."""
    output = list(subject)
    for i in range(len(clip)):
        a, b = clip[i], clip[(i + 1) % len(clip)]
        inp, output = output, []
        if not inp:
            break

        def inside(p: Point) -> bool:
            return (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]) >= -1e-9

        def cut(p: Point, q: Point) -> Point:
            dx, dy = q[0] - p[0], q[1] - p[1]
            ex, ey = b[0] - a[0], b[1] - a[1]
            t = (ex * (a[1] - p[1]) - ey * (a[0] - p[0])) / (ex * dy - ey * dx)
            return (p[0] + t * dx, p[1] + t * dy)

        for j, cur in enumerate(inp):
            prev = inp[j - 1]
            if inside(cur):
                if not inside(prev):
                    output.append(cut(prev, cur))
                output.append(cur)
            elif inside(prev):
                output.append(cut(prev, cur))
    return output


def rect(x0: float, y0: float, x1: float, y1: float) -> Polygon:
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def chamfered_rect(length: float, width: float, chamfer: float) -> Polygon:
    if chamfer <= 0:
        return rect(0.0, 0.0, length, width)
    c = chamfer
    return [
        (c, 0.0), (length - c, 0.0), (length, c), (length, width - c),
        (length - c, width), (c, width), (0.0, width - c), (0.0, c),
    ]


def is_axis_aligned_rectangle(poly: Polygon) -> bool:
    if len(poly) != 4:
        return False
    return all(
        abs(poly[i][0] - poly[i - 1][0]) < 1e-6 or abs(poly[i][1] - poly[i - 1][1]) < 1e-6
        for i in range(4)
    )


# --------------------------------------------------------------------------- spec


@dataclass
class Room:
    key: str                      # stable identity (original room number) -> GlobalId
    number: str                   # IfcSpace.Name, e.g. "A-0305"
    long_name: str                # IfcSpace.LongName, e.g. "处长办公室"
    category: str                 # Pset_TwinRoom.Category
    polygon: Polygon              # footprint, storey coordinates, CCW
    department: str | None = None
    occupants: int | None = None
    description: str | None = None
    declared_factor: float = 1.0  # declared NetFloorArea / geometric area
    entrance: bool = False        # gets an exterior door in its longest facade stretch

    @property
    def area(self) -> float:
        return abs(polygon_area(self.polygon))

    @property
    def declared_area(self) -> float:
        return round(self.area * self.declared_factor, 2)


@dataclass
class Door:
    key: str
    x: float
    y: float
    angle: float                  # radians, direction of the door's width axis
    width: float = 1.0
    height: float = 2.1
    room_key: str | None = None


@dataclass
class Storey:
    key: str
    name: str                     # "1F" ... "RF"
    long_name: str                # "一层"
    elevation: float
    height: float                 # floor-to-floor
    clear_height: float           # space extrusion height
    envelope: Polygon             # facade line (exterior walls + windows)
    rooms: list[Room] = field(default_factory=list)
    doors: list[Door] = field(default_factory=list)
    interior_walls: list[tuple[Point, Point]] = field(default_factory=list)
    slab: Polygon | None = None           # floor slab under this storey
    slab_type: str = "FLOOR"
    roof: Polygon | None = None           # roof slab on top of this storey
    parapet: Polygon | None = None        # low walls around a roof terrace
    has_stairs: bool = True               # stair flights going up from here


@dataclass
class Site:
    key: str                      # stable identity -> one IfcSite GlobalId shared by all files
    name: str
    long_name: str
    latitude: float               # decimal degrees (WGS84 / CGCS2000 geographic)
    longitude: float
    elevation: float              # RefElevation, metres
    crs: dict                     # IfcProjectedCRS attributes
    map_conversion: dict          # IfcMapConversion attributes

    @property
    def guid(self) -> str:
        return stable_guid(f"site/{self.key}")


@dataclass
class Building:
    key: str                      # "A", "B", ... (also room-number prefix)
    name: str                     # IfcBuilding.Name
    long_name: str
    file_name: str
    project_key: str              # stable identity of the IfcProject
    project_name: str
    offset: tuple[float, float]   # building origin in site coordinates
    site: Site
    storeys: list[Storey] = field(default_factory=list)
    phase: str | None = None
    timestamp: str = "2024-06-30T09:00:00"
    description: str | None = None

    def rooms(self) -> list[Room]:
        return [room for storey in self.storeys for room in storey.rooms]

    @property
    def project_guid(self) -> str:
        return stable_guid(f"{self.project_key}/project")

    def room(self, number: str) -> Room:
        return next(r for r in self.rooms() if r.number == number)
