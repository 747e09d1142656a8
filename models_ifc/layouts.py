"""Room programme per storey: room kinds and the two layout engines.

* :func:`band_floor` - the classic Chinese office slab (板楼): a row of rooms
  along the south facade, a corridor, and a row along the north facade in
  which a central core (stairs, lifts, toilets, shafts) sits.  Each row is a
  list of :class:`Cell` objects filled west to east; cells are clipped to the
  (possibly chamfered) floor plate, which yields the pentagonal corner rooms.
* :func:`explicit_floor` - free polygons (canteen, roof plant level).

Cell-local coordinates: ``u`` runs west->east from the cell's west edge,
``v`` runs from the corridor line towards the facade.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .spec import Door, Point, Polygon, Room, Storey, clean_polygon, clip_convex, rect, rnd

#: kind code -> (LongName, Pset_TwinRoom.Category)
ROOM_KINDS: dict[str, tuple[str, str]] = {
    "staff": ("科员办公室", "office_staff"),
    "chief": ("处长办公室", "office_staff"),
    "open": ("大开间办公室", "office_staff"),
    "dg": ("厅长办公室", "office_leader"),
    "ddg": ("副厅长办公室", "office_leader"),
    "rest": ("休息室", "rest_room"),
    "meet": ("会议室", "meeting"),
    "recep": ("接待室", "reception"),
    "archive": ("档案室", "archive"),
    "print": ("文印室", "print"),
    "duty": ("值班室", "duty"),
    "wc_m": ("卫生间", "toilet"),
    "wc_f": ("卫生间", "toilet"),
    "store": ("储藏室", "storage"),
    "secret": ("保密室", "confidential"),
    "mail": ("收发室", "mail"),
    "water": ("开水间", "boiled_water"),
    "power": ("配电室", "plant_power"),
    "pump": ("水泵房", "plant_pump"),
    "hvac": ("空调机房", "plant_hvac"),
    "telecom": ("弱电间", "plant_telecom"),
    "liftroom": ("电梯机房", "plant_lift"),
    "corridor": ("走廊", "corridor"),
    "lobby": ("门厅", "corridor"),
    "stair": ("楼梯间", "stair"),
    "liftlobby": ("电梯厅", "lift_lobby"),
    "canteen": ("食堂", "canteen"),
    "kitchen": ("厨房", "kitchen"),
    "garage": ("车库", "garage"),
    "bike": ("非机动车库", "bicycle_garage"),
    "guard": ("门卫室", "guard"),
}

CATEGORIES = sorted({category for _, category in ROOM_KINDS.values()})
DESCRIPTIONS = {"wc_m": "男卫生间", "wc_f": "女卫生间"}
#: kinds that belong to a department (the others are shared / building services)
DEPARTMENT_CATEGORIES = {
    "office_leader", "office_staff", "rest_room", "meeting", "reception",
    "archive", "print", "confidential",
}
#: kinds that open to the corridor without a door leaf
OPEN_KINDS = {"corridor", "lobby", "liftlobby", "rest"}
DOOR_WIDTHS = {"meet": 1.5, "stair": 1.2, "canteen": 1.8, "kitchen": 1.5, "garage": 3.0, "bike": 1.8}


def door_width(kind: str) -> float:
    return DOOR_WIDTHS.get(kind, 1.0 if not kind.startswith("wc") else 0.9)


def occupants(kind: str, area: float) -> int | None:
    """Planned head-count of an office (None for non-office rooms)."""
    if kind in ("dg", "ddg"):
        return 1
    if kind == "chief":
        return 2  # 处长 + 副处长
    if kind in ("staff", "open"):
        return max(2, round(area / 9.0))
    return None


def make_room(prefix: str, seq: int, kind: str, polygon: Polygon, dept: str | None) -> Room:
    long_name, category = ROOM_KINDS[kind]
    number = f"{prefix}{seq:02d}"
    room = Room(
        key=number, number=number, long_name=long_name, category=category,
        polygon=clean_polygon(polygon), description=DESCRIPTIONS.get(kind),
    )
    room.department = dept if category in DEPARTMENT_CATEGORIES else None
    room.occupants = occupants(kind, room.area)
    return room


# --------------------------------------------------------------------------- band engine


@dataclass
class Part:
    kind: str
    poly: Polygon                 # cell-local (u, v)
    door_u: float | None = None   # door centre on the corridor line, None = no door


@dataclass
class Cell:
    width: float
    parts: list[Part]
    walls: bool = False           # partition walls on both sides (core cells)


@dataclass
class Band:
    y_corridor: float
    sign: int                     # -1: facade at smaller y (south row), +1: north row
    depth: float
    cells: list[Cell]
    dept: str | None = None
    facade_shift: dict[int, float] = field(default_factory=dict)  # boundary index -> dx


def simple(kind: str, bays: float = 1.0, bay: float = 3.6, depth: float = 6.6) -> Cell:
    width = rnd(bays * bay)
    door = None if kind in OPEN_KINDS else min(0.8, width / 2)
    return Cell(width, [Part(kind, rect(0.0, 0.0, width, depth), door)], walls=kind == "stair")


def cells(tokens: str, bay: float, depth: float) -> list[Cell]:
    """Parse ``"staff chief meet:2 open:1.5"`` into simple cells."""
    out = []
    for token in tokens.split():
        kind, _, bays = token.partition(":")
        out.append(simple(kind, float(bays or 1), bay, depth))
    return out


def suite(kind: str, width: float, depth: float, rest_at_left: bool, rest=(2.4, 2.7)) -> Cell:
    """Leader office with an adjoining rest room in its corridor-side corner (L-shaped office)."""
    rw, rd = rest
    if rest_at_left:
        office = [(rw, 0.0), (width, 0.0), (width, depth), (0.0, depth), (0.0, rd), (rw, rd)]
        rest_poly, door = rect(0.0, 0.0, rw, rd), rw + 0.8
    else:
        office = [(0.0, 0.0), (width - rw, 0.0), (width - rw, rd), (width, rd), (width, depth), (0.0, depth)]
        rest_poly, door = rect(width - rw, 0.0, width, rd), 0.8
    return Cell(width, [Part(kind, office, door), Part("rest", rest_poly)])


def stack(width: float, parts: list[tuple[str, float, float, float, float, float | None]]) -> Cell:
    """Core cell made of rectangles ``(kind, u0, v0, u1, v1, door_u)``."""
    return Cell(width, [Part(k, rect(u0, v0, u1, v1), d) for k, u0, v0, u1, v1, d in parts], walls=True)


def x_range_at(plate: Polygon, y: float) -> tuple[float, float]:
    xs = []
    for i, (x0, y0) in enumerate(plate):
        x1, y1 = plate[(i + 1) % len(plate)]
        if (y0 - y) * (y1 - y) <= 0 and y0 != y1:
            xs.append(x0 + (y - y0) * (x1 - x0) / (y1 - y0))
        elif y0 == y1 == y:
            xs += [x0, x1]
    return min(xs), max(xs)


def band_floor(storey: Storey, prefix: str, plate: Polygon, bands: list[Band],
               corridor: tuple[float, float], start_seq: int = 1) -> Storey:
    """Fill ``storey`` with the rooms, doors and corridor walls of a banded plan."""
    seq = start_seq
    walls: list[tuple[Point, Point]] = []
    for band in bands:
        width = sum(c.width for c in band.cells)
        x0_plate, x1_plate = x_range_at(plate, band.y_corridor)
        if abs((x1_plate - x0_plate) - width) > 1e-6:
            raise ValueError(f"{storey.name}: band cells span {width:.2f} m, plate {x1_plate - x0_plate:.2f} m")
        x = x0_plate
        for index, cell in enumerate(band.cells):
            shift_l, shift_r = band.facade_shift.get(index, 0.0), band.facade_shift.get(index + 1, 0.0)
            for part in cell.parts:
                pts = []
                for u, v in part.poly:
                    if abs(v - band.depth) < 1e-9:
                        u += shift_l if abs(u) < 1e-9 else shift_r if abs(u - cell.width) < 1e-9 else 0.0
                    pts.append((x + u, band.y_corridor + band.sign * v))
                poly = clip_convex(clean_polygon(pts), plate)
                room = make_room(prefix, seq, part.kind, poly, band.dept)
                seq += 1
                storey.rooms.append(room)
                if part.door_u is not None:
                    storey.doors.append(Door(
                        key=f"{room.key}/door", x=rnd(x + part.door_u), y=band.y_corridor, angle=0.0,
                        width=door_width(part.kind), room_key=room.key,
                    ))
            if cell.walls:
                y_far = band.y_corridor + band.sign * band.depth
                for wx in (x, x + cell.width):
                    seg = ((rnd(wx), band.y_corridor), (rnd(wx), rnd(y_far)))
                    if seg not in walls:
                        walls.append(seg)
            x += cell.width
        walls.insert(0, ((rnd(x0_plate), band.y_corridor), (rnd(x1_plate), band.y_corridor)))
    y0, y1 = corridor
    xa, xb = x_range_at(plate, (y0 + y1) / 2)
    storey.rooms.append(make_room(prefix, seq, "corridor", clip_convex(rect(xa, y0, xb, y1), plate), None))
    storey.interior_walls.extend(walls)
    return storey


# --------------------------------------------------------------------------- explicit engine


def explicit_floor(storey: Storey, prefix: str,
                   rooms: list[tuple[str, Polygon, tuple[float, float, float] | None]],
                   entrances: tuple[str, ...] = (), depts: dict[str, str] | None = None) -> Storey:
    """Rooms given as ``(kind, polygon, door)``; door = ``(x, y, angle)`` or None.

    Partition walls are derived from the shared axis-aligned room edges that do
    not lie on the envelope.
    """
    for seq, (kind, poly, door) in enumerate(rooms, start=1):
        room = make_room(prefix, seq, kind, poly, (depts or {}).get(kind))
        room.entrance = kind in entrances
        storey.rooms.append(room)
        if door is not None:
            storey.doors.append(Door(key=f"{room.key}/door", x=door[0], y=door[1], angle=door[2],
                                     width=door_width(kind), room_key=room.key))
    storey.interior_walls.extend(partition_lines(storey.rooms, storey.envelope))
    return storey


def _on_envelope(p: Point, envelope: Polygon) -> bool:
    for i, a in enumerate(envelope):
        b = envelope[(i + 1) % len(envelope)]
        cross = (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0])
        dot = (p[0] - a[0]) * (b[0] - a[0]) + (p[1] - a[1]) * (b[1] - a[1])
        if abs(cross) < 1e-6 and -1e-9 <= dot <= (b[0] - a[0]) ** 2 + (b[1] - a[1]) ** 2 + 1e-9:
            return True
    return False


def partition_lines(rooms: list[Room], envelope: Polygon) -> list[tuple[Point, Point]]:
    lines: dict[tuple[str, float], list[tuple[float, float]]] = {}
    for room in rooms:
        poly = room.polygon
        for i, a in enumerate(poly):
            b = poly[(i + 1) % len(poly)]
            if _on_envelope(((a[0] + b[0]) / 2, (a[1] + b[1]) / 2), envelope):
                continue
            if a[0] == b[0]:
                lines.setdefault(("x", a[0]), []).append(tuple(sorted((a[1], b[1]))))
            elif a[1] == b[1]:
                lines.setdefault(("y", a[1]), []).append(tuple(sorted((a[0], b[0]))))
    out = []
    for (axis, c), spans in sorted(lines.items()):
        spans.sort()
        merged = [list(spans[0])]
        for s0, s1 in spans[1:]:
            if s0 <= merged[-1][1] + 1e-9:
                merged[-1][1] = max(merged[-1][1], s1)
            else:
                merged.append([s0, s1])
        for s0, s1 in merged:
            out.append(((c, s0), (c, s1)) if axis == "x" else ((s0, c), (s1, c)))
    return out
