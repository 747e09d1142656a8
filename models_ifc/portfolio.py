"""Synthetic portfolio of tower-like buildings for performance work (not committed).

Each building is a banded office slab with the same central core as tower A;
the plate length follows from ``rooms_per_storey`` so every storey holds
exactly that many IfcSpace (offices + 10 core spaces + 1 corridor).
"""

from __future__ import annotations

import math
import random

from .campus import CAMPUS_SITE, apply_misdeclaration, make_storey
from .layouts import Band, band_floor, cells
from .spec import Building, Site, rect
from .towers import BAY, T_CORR, T_DEPTH, tower_core

PORTFOLIO_SITE = Site(
    key="portfolio/performance-campus",
    name="性能测试园区",
    long_name="性能测试园区（合成数据）",
    latitude=CAMPUS_SITE.latitude,
    longitude=CAMPUS_SITE.longitude,
    elevation=CAMPUS_SITE.elevation,
    crs=CAMPUS_SITE.crs,
    map_conversion=CAMPUS_SITE.map_conversion,
)
CORE_SPACES, CORE_BAYS = 10, 7
OFFICE_KINDS = ["staff"] * 6 + ["chief"] * 2 + ["recep", "archive", "print", "store"]


def portfolio_building(index: int, storeys: int = 20, rooms_per_storey: int = 50) -> Building:
    offices = rooms_per_storey - CORE_SPACES - 1
    if offices < 12:
        raise ValueError("rooms_per_storey must be at least 23")
    south = math.ceil((offices + CORE_BAYS) / 2)        # bays = south offices (one bay each)
    north_rooms, north_bays = offices - south, south - CORE_BAYS
    length = south * BAY
    plate = rect(0.0, 0.0, length, 2 * T_DEPTH + T_CORR)
    b = Building(
        key=f"P{index:03d}", name=f"测试楼{index:03d}", long_name=f"性能测试办公楼 {index:03d}",
        file_name=f"portfolio_{index:03d}.ifc", project_key=f"portfolio/{index:03d}",
        project_name=f"性能测试园区 测试楼{index:03d}", offset=((index % 5) * (length + 30.0), (index // 5) * 60.0),
        site=PORTFOLIO_SITE, description="合成性能测试数据",
    )
    for n in range(1, storeys + 1):
        rng = random.Random(f"portfolio/{index}/{n}")
        kinds = [rng.choice(OFFICE_KINDS) for _ in range(offices)]
        north_tokens = kinds[south:]
        if north_bays > north_rooms:                    # one double-bay meeting room takes the spare bay
            north_tokens[0] = "meet:2"
        west = len(north_tokens) // 2
        height, clear = (4.5, 3.6) if n == 1 else (3.6, 3.0)
        elevation = 0.0 if n == 1 else 4.5 + (n - 2) * 3.6
        s = make_storey(f"{n}F", min(n, 10), elevation, height, clear, plate,
                        long_name=f"{n}层", roof=plate if n == storeys else None, has_stairs=n < storeys)
        c = lambda tokens: cells(" ".join(tokens), BAY, T_DEPTH)  # noqa: E731
        bands = [
            Band(T_DEPTH, -1, T_DEPTH, c(kinds[:south]), "测试处"),
            Band(T_DEPTH + T_CORR, +1, T_DEPTH, c(north_tokens[:west]) + tower_core() + c(north_tokens[west:]), "测试处"),
        ]
        band_floor(s, f"{b.key}-{n:02d}", plate, bands, (T_DEPTH, T_DEPTH + T_CORR))
        b.storeys.append(s)
    apply_misdeclaration(b)
    return b
