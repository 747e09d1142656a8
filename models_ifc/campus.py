"""Campus spec: 省直机关一号院 (a provincial-government office campus in Guangzhou).

Three buildings share one IfcSite (one GlobalId, one map conversion):

* A 1号办公楼 - 14-storey office slab + roof plant level, chamfered corners,
  leadership floors 13F/14F with L-shaped leader suites, trapezoidal entrance hall.
* B 2号办公楼 - 5-storey annex; :func:`annex_v2` is the same project after the
  3F renovation (merge, split, renumber).
* C 3号楼（食堂及车库） - garage + bicycle garage + guard room below, canteen above.

About 5 % of the rooms (seeded choice) declare a NetFloorArea 6-15 % off the
geometry, like real ledgers do; see :func:`get_misdeclared_rooms`.
"""

from __future__ import annotations

import copy
import math
import random
from functools import lru_cache

from . import towers
from .layouts import explicit_floor, make_room
from .spec import Building, Door, Room, Site, Storey, rect, stable_guid

MISDECLARED_RATE = 0.05

# Site origin at 23.1317 N, 113.2646 E (越秀区, Guangzhou).  Eastings/Northings and the grid
# convergence were computed once with pyproj 3.7 and hard-coded so generation needs no PROJ:
#   t = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:4547", always_xy=True)
#   e, n = t.transform(113.2646, 23.1317)                  -> 424676.831, 2559312.592
#   g = atan2(*(t.transform(113.2646, 23.1327) - (e, n)))  -> +0.28892 deg (true north east of grid north)
#   XAxisAbscissa, XAxisOrdinate = cos(g), -sin(g)          (project north = true north)
CAMPUS_SITE = Site(
    key="guangzhou/provincial-campus-1",
    name="省直机关一号院",
    long_name="省直机关一号院（广州市越秀区）",
    latitude=23.1317,
    longitude=113.2646,
    elevation=10.0,
    crs={
        "Name": "EPSG:4547",
        "Description": "CGCS2000 / 3-degree Gauss-Kruger CM 114E",
        "GeodeticDatum": "CGCS2000",
        "VerticalDatum": "1985国家高程基准",
        "MapProjection": "Gauss-Kruger",
        "MapZone": "CM 114E",
    },
    map_conversion={
        "Eastings": 424676.831,
        "Northings": 2559312.592,
        "OrthogonalHeight": 10.0,
        "XAxisAbscissa": 0.999987286,
        "XAxisOrdinate": -0.005042557,
        "Scale": 1.0,
    },
)

CHINESE_FLOORS = "一二三四五六七八九十"


def floor_long_name(n: int) -> str:
    if n <= 10:
        return CHINESE_FLOORS[n - 1] + "层"
    return "十" + CHINESE_FLOORS[n - 11] + "层"


def make_storey(key: str, n: int, elevation: float, height: float, clear: float, envelope, **kw) -> Storey:
    return Storey(key=f"storey/{key}", name=key, long_name=kw.pop("long_name", floor_long_name(n)),
                  elevation=round(elevation, 4), height=height, clear_height=clear, envelope=envelope,
                  slab=kw.pop("slab", envelope), **kw)


# --------------------------------------------------------------------------- misdeclaration


def apply_misdeclaration(building: Building, rate: float = MISDECLARED_RATE) -> None:
    """Seeded choice of ~rate of the rooms whose declared NetFloorArea is 6-15 % off."""
    rooms = sorted(building.rooms(), key=lambda r: r.key)
    rng = random.Random(f"{building.project_key}/misdeclared")
    for room in rng.sample(rooms, round(rate * len(rooms))):
        room.declared_factor = round(1 + rng.choice((-1, 1)) * rng.uniform(0.06, 0.15), 3)


def space_guid(building: Building, room: Room) -> str:
    return stable_guid(f"{building.project_key}/space/{room.key}")


# --------------------------------------------------------------------------- buildings


def tower() -> Building:
    b = Building(key="A", name="1号办公楼", long_name="1号办公楼（主楼）", file_name="campus_tower.ifc",
                 project_key="campus/A", project_name="省直机关一号院 1号办公楼", offset=(0.0, 0.0),
                 site=CAMPUS_SITE, description="14层办公主楼，含屋顶机房层")
    b.storeys = towers.tower_storeys("A", make_storey)
    apply_misdeclaration(b)
    return b


def annex() -> Building:
    b = Building(key="B", name="2号办公楼", long_name="2号办公楼（附楼）", file_name="campus_annex.ifc",
                 project_key="campus/B", project_name="省直机关一号院 2号办公楼", offset=(90.0, 0.0),
                 site=CAMPUS_SITE, phase="竣工", description="5层办公附楼")
    b.storeys = towers.annex_storeys("B", make_storey)
    apply_misdeclaration(b)
    return b


def canteen() -> Building:
    b = Building(key="C", name="3号楼（食堂及车库）", long_name="3号楼（食堂及车库）",
                 file_name="campus_canteen.ifc", project_key="campus/C",
                 project_name="省直机关一号院 3号楼", offset=(10.8, -45.0), site=CAMPUS_SITE,
                 description="一层车库、非机动车库、门卫，二层职工食堂")
    plate = [(0.0, 0.0), (36.0, 0.0), (36.0, 21.6), (3.6, 21.6), (0.0, 18.0)]
    half_pi = math.pi / 2
    ground = make_storey("1F", 1, 0.0, 4.2, 3.6, plate)
    explicit_floor(ground, "C-01", [
        ("garage", [(0.0, 0.0), (25.2, 0.0), (25.2, 9.0), (21.6, 9.0), (21.6, 21.6), (3.6, 21.6), (0.0, 18.0)],
         None),
        ("store", rect(21.6, 9.0, 25.2, 14.4), (23.4, 9.0, 0.0)),
        ("stair", rect(21.6, 14.4, 25.2, 21.6), (21.6, 16.0, half_pi)),
        ("bike", rect(25.2, 0.0, 36.0, 9.0), None),
        ("pump", rect(25.2, 9.0, 32.4, 12.6), (25.2, 10.8, half_pi)),
        ("guard", rect(32.4, 9.0, 36.0, 12.6), None),
        ("power", rect(25.2, 12.6, 30.6, 21.6), None),
        ("stair", rect(30.6, 12.6, 33.3, 21.6), None),
        ("wc_m", rect(33.3, 12.6, 36.0, 17.1), (33.3, 14.85, half_pi)),
        ("wc_f", rect(33.3, 17.1, 36.0, 21.6), (33.3, 19.35, half_pi)),
    ], entrances=("garage", "bike", "guard", "power"))
    [r for r in ground.rooms if r.category == "stair"][1].entrance = True  # exterior door, north facade
    upper = make_storey("2F", 2, 4.2, 4.8, 4.2, plate, roof=plate, has_stairs=False)
    explicit_floor(upper, "C-02", [
        ("canteen", [(0.0, 0.0), (21.6, 0.0), (21.6, 21.6), (3.6, 21.6), (0.0, 18.0)], None),
        ("kitchen", rect(21.6, 0.0, 36.0, 9.0), (21.6, 4.5, half_pi)),
        ("store", rect(21.6, 9.0, 25.2, 14.4), (21.6, 11.7, half_pi)),
        ("stair", rect(21.6, 14.4, 25.2, 21.6), (21.6, 16.2, half_pi)),
        ("recep", rect(25.2, 9.0, 32.4, 12.6), (25.2, 10.8, half_pi)),
        ("water", rect(32.4, 9.0, 36.0, 12.6), (34.2, 12.6, 0.0)),
        ("hvac", rect(25.2, 12.6, 30.6, 21.6), (28.0, 12.6, 0.0)),
        ("stair", rect(30.6, 12.6, 33.3, 21.6), (31.95, 12.6, 0.0)),
        ("wc_m", rect(33.3, 12.6, 36.0, 17.1), (33.3, 14.85, half_pi)),
        ("wc_f", rect(33.3, 17.1, 36.0, 21.6), (33.3, 19.35, half_pi)),
    ], depts={"recep": "机关服务中心"})
    b.storeys = [ground, upper]
    apply_misdeclaration(b)
    return b


def annex_v2() -> Building:
    """The annex after the 3F renovation: same project, same GlobalIds where unchanged."""
    b = copy.deepcopy(annex())
    b.file_name = "campus_annex_v2.ifc"
    b.phase = "三层改造后"
    b.timestamp = "2025-03-15T09:00:00"
    b.description = "5层办公附楼（2025年三层改造：合并、拆分、重新编号）"
    storey = next(s for s in b.storeys if s.name == "3F")
    rooms = {r.number: r for r in storey.rooms}
    change = ANNEX_V2_CHANGES

    kept, gone = rooms[change["merged"]["kept"]], rooms[change["merged"]["removed"]]
    xs = [p[0] for p in kept.polygon + gone.polygon]
    ys = [p[1] for p in kept.polygon + gone.polygon]
    merged = make_room("B-03", 0, "open", rect(min(xs), min(ys), max(xs), max(ys)), kept.department)
    kept.polygon, kept.long_name, kept.occupants, kept.declared_factor = (
        merged.polygon, merged.long_name, merged.occupants, 1.0)
    storey.rooms.remove(gone)
    storey.doors = [d for d in storey.doors if d.room_key != gone.key]

    split = rooms[change["split"]["kept"]]
    xs = sorted({p[0] for p in split.polygon})
    ys = sorted({p[1] for p in split.polygon})
    mid = (xs[0] + xs[-1]) / 2
    west = make_room("B-03", 0, "chief", rect(xs[0], ys[0], mid, ys[-1]), split.department)
    east = make_room("B-03", 0, "staff", rect(mid, ys[0], xs[-1], ys[-1]), split.department)
    split.polygon, split.long_name, split.category, split.occupants, split.declared_factor = (
        west.polygon, west.long_name, west.category, west.occupants, 1.0)
    east.key = east.number = change["split"]["new"]
    storey.rooms.insert(storey.rooms.index(split) + 1, east)
    door_y = next(d.y for d in storey.doors if d.room_key == split.key)
    storey.doors.append(Door(key=f"{east.key}/door", x=round(mid + 0.8, 4), y=door_y, angle=0.0,
                             room_key=east.key))

    numbers = [r.number for r in storey.rooms]
    if numbers.count(east.number) != 1 or change["renumbered"]["to"] in numbers:
        raise ValueError("ANNEX_V2_CHANGES: new room numbers must be free on 3F")
    rooms[change["renumbered"]["from"]].number = change["renumbered"]["to"]
    return b


#: The 3F renovation in :func:`annex_v2` (room numbers as in the v1 file).
ANNEX_V2_CHANGES = {
    "merged": {"kept": "B-0303", "removed": "B-0304"},
    "split": {"kept": "B-0311", "new": "B-0330"},
    "renumbered": {"from": "B-0305", "to": "B-0304"},
}


@lru_cache(maxsize=1)
def _campus() -> tuple[Building, ...]:
    return (tower(), annex(), annex_v2(), canteen())


def campus_buildings() -> list[Building]:
    """Fresh copies of the four campus building specs (tower, annex, annex v2, canteen)."""
    return [copy.deepcopy(b) for b in _campus()]


def get_misdeclared_rooms(include_v2: bool = False) -> list[dict]:
    """Rooms whose declared NetFloorArea differs from the footprint area by more than 5 %."""
    out = []
    for b in _campus():
        if b.file_name == "campus_annex_v2.ifc" and not include_v2:
            continue
        for room in b.rooms():
            if abs(room.declared_area - room.area) / room.area > 0.05:
                out.append({"file": b.file_name, "global_id": space_guid(b, room), "number": room.number,
                            "declared_area": room.declared_area, "geometric_area": round(room.area, 3)})
    return out
