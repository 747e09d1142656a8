"""A small hand-built ledger whose report figures are known exactly.

Storey 1F (building 测试楼): 101 处长办公室 6x4 m (24 m2) held by 张伟 (正处级, 18 m2: 6 m2 over),
102 科员办公室 4x4 m (16 m2, declares 17 m2: +6.25 %) shared by two 处级以下 (9 m2 each: within),
103 会议室 10x4 m (40 m2, declares 40.2 m2), 104 科员办公室 4x4 m of the other unit, vacant since
2020. Storey 2F: 201 配电室 3x3 m (9 m2).

Unit FGW (正处级 1, 处级以下 2): approved office 36, service 24, plant 5.4, usable 65.4 m2 against
actual usable 40 + 40 + 9 = 89 m2: 23.6 m2 over. Unit XXZX (处级以下 2): 16 m2, within.
"""

from __future__ import annotations

from pathlib import Path

from ifc_factory import RoomSpec, build_model
from twin.auth import create_user
from twin.ledger.db import transaction
from twin.ledger.ingest import ingest_file
from twin.ledger.loader import load_ledger

PASSWORD = "correct horse battery"
ROLES = ("admin", "unit_manager", "inspector", "viewer")
ROOMS = {
    "101": [(0, 0), (6, 0), (6, 4), (0, 4)],
    "102": [(6, 0), (10, 0), (10, 4), (6, 4)],
    "103": [(0, 5), (10, 5), (10, 9), (0, 9)],
    "104": [(10, 0), (14, 0), (14, 4), (10, 4)],
}


def write_model(folder: Path) -> Path:
    return build_model(folder / "office.ifc", [
        RoomSpec("101", "处长办公室", outline=ROOMS["101"], net_area=24.0),
        RoomSpec("102", "科员办公室", outline=ROOMS["102"], net_area=17.0),
        RoomSpec("103", "会议室", outline=ROOMS["103"], net_area=40.2),
        RoomSpec("104", "科员办公室", outline=ROOMS["104"]),
        RoomSpec("201", "配电室", storey=1, outline=[(0, 0), (3, 0), (3, 3), (0, 3)]),
    ])


def write_ledger(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "units.csv").write_text(
        "code,name,kind,admin_level,reference_level,approved_posts\n"
        "FGW,省发展和改革委员会,agency,provincial,provincial,正处级:1;处级以下:2\n"
        "XXZX,省信息中心,institution,provincial,provincial,处级以下:2\n", encoding="utf-8")
    (folder / "people.csv").write_text(
        "code,name,unit,rank,title,status,status_since\n"
        "P1,张伟,FGW,正处级,处长&主任,active,\nP2,李娜,FGW,处级以下,科员,active,\n"
        "P3,王芳,FGW,处级以下,科员,active,\nP4,赵强,XXZX,处级以下,科员,active,\n", encoding="utf-8")
    (folder / "rooms.csv").write_text(
        "room,unit,use_status,category,since\n101,FGW,in_use,,\n102,FGW,in_use,,\n103,FGW,in_use,,\n"
        "104,XXZX,vacant,,2020-01-01\n201,FGW,in_use,,\n", encoding="utf-8")
    (folder / "occupancy.csv").write_text(
        "person,room,kind,start_date,end_date,approved,concurrent_post_ended\n"
        "P1,101,primary,2024-01-01,,true,\nP2,102,primary,2024-01-01,,false,\nP3,102,primary,2024-01-01,,false,\n",
        encoding="utf-8")
    return folder


def build_ledger(engine, folder: Path, *, users: bool = False) -> None:
    ingest_file(write_model(folder), engine=engine, assets_dir=folder / "assets")
    load_ledger(write_ledger(folder / "ledger"), engine=engine)
    if users:
        with transaction(engine) as session:
            for role in ROLES:
                create_user(session, role, PASSWORD, role=role, unit_code="FGW" if role == "unit_manager" else None)
