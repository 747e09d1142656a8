"""Room programmes of the banded office buildings (tower A, annex B, portfolio towers)."""

from __future__ import annotations

import random

from .layouts import Band, Cell, band_floor, cells, explicit_floor, simple, stack, suite
from .spec import chamfered_rect, rect

BAY = 3.6

# ----------------------------------------------------------------------------- tower A
# 20 bays x 3.6 m = 72 m; south rooms 6.6 m deep, corridor 2.4 m, north rooms 6.6 m.
T_LEN, T_DEPTH, T_CORR, T_CHAMFER = 72.0, 6.6, 2.4, 2.4
T_SOUTH_Y, T_NORTH_Y = T_DEPTH, T_DEPTH + T_CORR
T_PLATE = chamfered_rect(T_LEN, 2 * T_DEPTH + T_CORR, T_CHAMFER)

TOWER_DEPTS = [
    "办公室", "政策法规处", "规划财务处", "人事处", "政务服务处", "数据资源处", "信息化建设处",
    "网络安全处", "应用推进处", "督查考核处", "审批管理处", "标准化处", "公共资源交易处", "营商环境处",
    "机关党委", "离退休干部处", "信息中心", "政务服务中心", "数据中心", "安全保障中心",
]

SOUTH_STD = [  # 20 bays each
    "staff chief staff staff staff open:1.5 staff chief staff staff open:1.5 staff meet:2 "
    "staff chief staff recep staff",
    "meet:2 chief staff staff staff staff open:1.5 open:1.5 chief staff staff staff print "
    "staff chief staff staff archive",
    "staff staff chief staff staff meet:2 staff staff chief open:1.5 open:1.5 staff staff "
    "chief staff staff staff store",
]
NORTH_W_STD = ["staff chief staff staff archive staff staff", "meet:2 staff chief staff staff store",
               "chief staff staff print open:1.5 staff:1.5"]
NORTH_E_STD = ["staff staff chief staff meet:2", "staff chief staff secret meet:2", "open:1.5 staff:1.5 chief meet:2"]
SWAPS = ["archive", "store", "secret", "print", "recep"]


def tower_core(depth: float = T_DEPTH) -> list[Cell]:
    """Central core, 7 bays: stair, water/HVAC, lifts (2 bays), toilets, stair, shafts."""
    return [
        simple("stair", depth=depth),
        stack(BAY, [("water", 0, 0, BAY, 2.4, 0.8), ("hvac", 0, 2.4, BAY, depth, None)]),
        stack(2 * BAY, [("liftlobby", 0, 0, 2 * BAY, 3.0, None)]),
        stack(BAY, [("wc_m", 0, 0, 1.8, depth, 0.9), ("wc_f", 1.8, 0, BAY, depth, 2.7)]),
        simple("stair", depth=depth),
        stack(BAY, [("telecom", 0, 0, 1.8, 3.0, 0.9), ("power", 1.8, 0, BAY, 3.0, 2.7),
                    ("store", 0, 3.0, BAY, depth, None)]),
    ]


def _tower_floor(storey, prefix, south, north_w, north_e, depts, shift=None):
    bands = [
        Band(T_SOUTH_Y, -1, T_DEPTH, south, depts[0], shift or {}),
        Band(T_NORTH_Y, +1, T_DEPTH, north_w + tower_core() + north_e, depts[-1]),
    ]
    return band_floor(storey, prefix, T_PLATE, bands, (T_SOUTH_Y, T_NORTH_Y))


def _c(tokens: str) -> list[Cell]:
    return cells(tokens, BAY, T_DEPTH)


def tower_storeys(letter: str, make_storey) -> list:
    storeys = []
    # 1F: trapezoidal entrance hall between slanted walls, service and reception rooms
    s = make_storey("1F", 1, 0.0, 4.5, 3.6, T_PLATE)
    _tower_floor(s, f"{letter}-01",
                 _c("duty mail recep recep print secret meet:2 lobby:4 archive:2 "
                    "archive archive store power pump store"),
                 _c("recep:2 staff store duty staff hvac"), _c("staff print store secret meet:2"),
                 ("机关服务中心", "办公室"), shift={7: 1.2, 8: -1.2})
    next(r for r in s.rooms if r.long_name == "门厅").entrance = True
    storeys.append(s)
    # 2F: conference floor
    s = make_storey("2F", 2, 4.5, 3.6, 3.0, T_PLATE)
    storeys.append(_tower_floor(
        s, f"{letter}-02",
        _c("staff chief staff staff meet:4 recep recep meet:3 print staff staff staff chief staff staff"),
        _c("staff chief staff staff archive staff staff"), _c("staff staff chief staff meet:2"),
        ("办公室", "信息中心")))
    # 3F-12F: standard office floors, seeded variations
    for n in range(3, 13):
        rng = random.Random(f"tower/{letter}/{n}F")
        south = rng.choice(SOUTH_STD).split()
        for _ in range(rng.randint(1, 2)):
            staff = [i for i, t in enumerate(south) if t == "staff"]
            south[rng.choice(staff)] = rng.choice(SWAPS)
        s = make_storey(f"{n}F", n, 4.5 + (n - 2) * 3.6, 3.6, 3.0, T_PLATE)
        storeys.append(_tower_floor(s, f"{letter}-{n:02d}", _c(" ".join(south)), _c(rng.choice(NORTH_W_STD)),
                                    _c(rng.choice(NORTH_E_STD)), TOWER_DEPTS[2 * (n - 3): 2 * (n - 3) + 2]))
    # 13F / 14F: leadership floors with L-shaped suites (office + adjoining rest room)
    # Deputy suites of one bay (office + rest room = 23.8 m2, within the 24 m2 of 副厅(局)级);
    # one suite of 1.5 bays (35.6 m2) is over standard on purpose, as found in real ledgers.
    ddg = lambda bays=1.0: suite("ddg", bays * BAY, T_DEPTH, rest_at_left=False)  # noqa: E731
    s = make_storey("13F", 13, 4.5 + 11 * 3.6, 3.6, 3.0, T_PLATE)
    storeys.append(_tower_floor(
        s, f"{letter}-13",
        _c("staff") + [ddg()] + _c("staff") + [ddg()] + _c("staff") + [ddg(1.5)]
        + _c("meet:2 recep recep staff:1.5 staff:1.5 secret archive staff:1.5 store meet:2"),
        _c("meet:2 staff staff chief archive store"), _c("staff staff recep staff meet:2"), ("厅领导", "办公室")))
    s = make_storey("14F", 14, 4.5 + 12 * 3.6, 3.6, 3.0, T_PLATE)
    storeys.append(_tower_floor(
        s, f"{letter}-14",
        _c("staff") + [ddg()] + _c("staff") + [ddg()]
        + _c("staff meet:3 recep:1.5 recep secret archive staff store print:1.5 open:1.75 staff")
        # the director's suite: 29.7 m2 with its rest room, within the 30 m2 of 正厅(局)级
        + [suite("dg", 1.25 * BAY, T_DEPTH, rest_at_left=True, rest=(2.4, 3.0))],
        _c("meet:2 staff chief staff archive store"), _c("staff secret recep staff meet:2"), ("厅领导", "办公室")))
    # RF: roof terrace with stair/lift penthouse and plant rooms
    x0, y0, y1 = 7 * BAY, T_NORTH_Y, T_NORTH_Y + T_DEPTH
    penthouse = rect(x0, y0, x0 + 7 * BAY, y1)
    s = make_storey("RF", 15, 4.5 + 13 * 3.6, 4.2, 3.6, penthouse, long_name="屋顶层", slab=T_PLATE,
                    slab_type="ROOF", roof=penthouse, parapet=T_PLATE, has_stairs=False)
    bays = [("stair", 1), ("pump", 1), ("liftroom", 2), ("hvac", 1), ("stair", 1), ("telecom", 1)]
    rooms, x = [], x0
    for kind, width in bays:
        rooms.append((kind, rect(x, y0, x + width * BAY, y1), None))
        x += width * BAY
    explicit_floor(s, f"{letter}-15", rooms, entrances=("stair",))
    storeys.append(s)
    return storeys


# ----------------------------------------------------------------------------- annex B
# 12 bays = 43.2 m; rooms 6.0 m deep, corridor 2.1 m, no chamfers.
A_DEPTH, A_CORR = 6.0, 2.1
A_SOUTH_Y, A_NORTH_Y = A_DEPTH, A_DEPTH + A_CORR
A_PLATE = rect(0.0, 0.0, 12 * BAY, 2 * A_DEPTH + A_CORR)
ANNEX_FLOORS = [  # south row, north-west (4 bays), north-east (3 bays), departments
    (None, "meet:2 store archive", "recep staff duty", ("机关服务中心", "档案馆")),
    ("chief staff staff staff staff open:1.5 open:1.5 chief staff staff print",
     "chief staff staff staff", "staff archive recep", ("政务服务中心", "信息中心")),
    ("chief staff staff staff staff chief staff staff staff staff meet:2",
     "chief staff staff staff", "staff print recep", ("数据中心", "数据中心")),
    ("staff chief staff staff open:1.5 open:1.5 staff chief staff staff staff",
     "chief staff archive staff", "staff staff recep", ("安全保障中心", "信息中心")),
    ("meet:4 recep recep chief staff staff staff staff archive",
     "meet:2 store staff", "staff secret recep", ("办公室", "办公室")),
]


def annex_core_w(depth: float = A_DEPTH) -> list[Cell]:
    return [
        stack(BAY, [("wc_m", 0, 0, 1.8, depth, 0.9), ("wc_f", 1.8, 0, BAY, depth, 2.7)]),
        stack(BAY, [("liftlobby", 0, 0, BAY, 2.7, None)]),
        stack(BAY, [("telecom", 0, 0, 1.8, 2.7, 0.9), ("power", 1.8, 0, BAY, 2.7, 2.7),
                    ("store", 0, 2.7, BAY, depth, None)]),
    ]


def annex_storeys(letter: str, make_storey) -> list:
    storeys = []
    a = lambda tokens: cells(tokens, BAY, A_DEPTH)  # noqa: E731
    for n, (south, north_w, north_e, depts) in enumerate(ANNEX_FLOORS, start=1):
        height, clear = (4.2, 3.3) if n == 1 else (3.6, 3.0)
        elevation = 0.0 if n == 1 else 4.2 + (n - 2) * 3.6
        s = make_storey(f"{n}F", n, elevation, height, clear, A_PLATE,
                        roof=A_PLATE if n == len(ANNEX_FLOORS) else None, has_stairs=n < len(ANNEX_FLOORS))
        if south is None:  # 1F: L-shaped archive wrapping a windowless secure room
            l_archive = Cell(2 * BAY, [
                simple("archive", 2, BAY, A_DEPTH).parts[0],
            ])
            l_archive.parts[0].poly = [(0, 0), (7.2, 0), (7.2, 3.6), (4.2, 3.6), (4.2, A_DEPTH), (0, A_DEPTH)]
            l_archive.parts.append(simple("secret", 1, BAY, A_DEPTH).parts[0])
            l_archive.parts[1].poly, l_archive.parts[1].door_u = rect(4.2, 3.6, 7.2, A_DEPTH), None
            south_cells = a("mail duty recep recep") + [l_archive] + a("archive print secret power pump store")
        else:
            south_cells = a(south)
        north = a("stair") + a(north_w) + annex_core_w() + a(north_e) + a("stair")
        bands = [Band(A_SOUTH_Y, -1, A_DEPTH, south_cells, depts[0]),
                 Band(A_NORTH_Y, +1, A_DEPTH, north, depts[1])]
        band_floor(s, f"{letter}-{n:02d}", A_PLATE, bands, (A_SOUTH_Y, A_NORTH_Y))
        if n == 1:
            next(r for r in s.rooms if r.category == "corridor").entrance = True
        storeys.append(s)
    return storeys
