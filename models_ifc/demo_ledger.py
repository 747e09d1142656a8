"""The demo ledger of the sample campus: using units, staff, room allocation, occupancy, titles.

Written as plain CSV into ``models_ifc/demo/`` (a person can edit them; ``twin load`` reads them).
Deterministic: the same campus gives the same files. Problems a bureau meets are planted on
purpose, so compliance checks and warnings have something to find:

* a deputy director in the over-sized suite A-1308, a deputy division chief alone in a chief's
  office, three staff offices shared by only two;
* staff who retired or transferred months ago and still hold their rooms;
* a leader's second office in the annex kept past the two-month grace, and one never approved;
* a person working in an archive room;
* vacant offices (some for more than 180 days) and rooms in the bureau's reserve pool;
* a unit (省统计局) holding far more than its approved posts justify;
* an occupied room of the annex that the renovated version (v2) removes.

Run ``python -m models_ifc.demo_ledger`` after changing the campus.
"""

from __future__ import annotations

import csv
import logging
import math
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from models_ifc.campus import campus_buildings

log = logging.getLogger(__name__)
OUT = Path(__file__).with_name("demo")

# code, name, kind, admin level, reference level, (building key, storeys) it uses
UNITS = [
    ("SZJ", "广东省政务服务和数据管理局", "agency", "provincial", "provincial", ("A", ("12F", "13F", "14F"))),
    ("FGW", "广东省发展和改革委员会", "agency", "provincial", "provincial", ("A", ("2F", "3F", "4F", "5F"))),
    ("SFT", "广东省司法厅", "agency", "provincial", "provincial", ("A", ("6F", "7F", "8F"))),
    ("TJJ", "广东省统计局", "agency", "provincial", "provincial", ("A", ("9F", "10F", "11F"))),
    ("ZSB", "广州市人民政府驻省联络处", "agency", "municipal", "provincial", ("A", ("1F",))),
    ("XXZX", "广东省信息中心", "institution", "provincial", "provincial", ("B", ("1F", "2F"))),
    ("SJZX", "广东省大数据中心", "institution", "provincial", "provincial", ("B", ("3F",))),
    ("ZWFW", "广东省政务服务中心", "institution", "provincial", "provincial", ("B", ("4F",))),
    ("DAG", "广东省档案馆", "institution", "provincial", "provincial", ("B", ("5F",))),
    ("JGFW", "广东省直属机关事务服务中心", "institution", "provincial", "provincial", ("C", ("1F", "2F"))),
]
# Staff each unit employs, by rank (the people generated); approved posts (编制) are these plus
# a tenth, except 省统计局 (TJJ), whose approved posts are far below the three floors it holds.
POSTS = {
    "SZJ": {"正厅(局)级": 1, "副厅(局)级": 4, "正处级": 10, "副处级": 10, "处级以下": 70},
    "FGW": {"副厅(局)级": 1, "正处级": 12, "副处级": 12, "处级以下": 90},
    "SFT": {"正处级": 8, "副处级": 8, "处级以下": 60},
    "TJJ": {"正处级": 2, "副处级": 2, "处级以下": 12},
    "ZSB": {"正处级": 1, "处级以下": 4},
    "XXZX": {"正处级": 2, "副处级": 2, "处级以下": 24},
    "SJZX": {"正处级": 2, "副处级": 2, "处级以下": 22},
    "ZWFW": {"正处级": 2, "副处级": 2, "处级以下": 22},
    "DAG": {"正处级": 1, "副处级": 1, "处级以下": 9},
    "JGFW": {"正处级": 1, "处级以下": 6},
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余杜叶程苏魏吕丁任沈姚卢钟姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江阎薛尹段雷黎史龙陶贺顾毛郝龚邵万钱严覃武"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉建红宇浩凯文斌晨琳欣怡佳悦晓东海波志宏俊峰雪梅婷颖健坤"


@dataclass
class Person:
    code: str
    name: str
    unit: str
    rank: str
    title: str
    status: str = "active"
    status_since: str = ""


def _rooms_by_unit() -> dict[str, list]:
    buildings = {b.key: b for b in campus_buildings() if "v2" not in b.file_name}
    out: dict[str, list] = {}
    for code, *_, (building, storeys) in UNITS:
        out[code] = [(s.name, r) for s in buildings[building].storeys if s.name in storeys for r in s.rooms]
    return out


def build() -> dict[str, list[list[str]]]:
    """The CSV tables (header row first) of the demo ledger."""
    rng = random.Random(20261128)
    names: set[str] = set()

    def new_name() -> str:
        while True:
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
            if name not in names:
                names.add(name)
                return name

    people: list[Person] = []
    occupancy: list[list[str]] = []
    rooms_rows: list[list[str]] = []

    def hire(unit: str, rank: str, title: str) -> Person:
        person = Person(f"P{len(people) + 1:04d}", new_name(), unit, rank, title)
        people.append(person)
        return person

    def occupy(person: Person, number: str, start: str = "2024-01-01", kind: str = "primary", approved: str = "false", ended: str = "") -> None:
        occupancy.append([person.code, number, kind, start, "", approved, ended])

    by_unit = _rooms_by_unit()
    vacant_count = 0
    meetings: dict[str, int] = {}
    for code, *_ in UNITS:
        cap = sum(POSTS[code].values())
        start = len(people)
        for storey, room in by_unit[code]:
            room_for = cap - (len(people) - start)
            category = room.category
            if category in ("corridor", "stair", "lift_lobby", "toilet") or category.startswith("plant_"):
                continue  # common areas stay with the building, not a unit
            use, since = "in_use", "2024-01-01"
            if category == "office_leader" and room.long_name == "厅长办公室":
                leader = hire(code, "正厅(局)级", "局长")
                occupy(leader, room.number)
            elif category == "office_leader":
                leader = hire(code, "副厅(局)级", "副局长")
                occupy(leader, room.number)
            elif category == "rest_room":
                occupy(people[-1], room.number)  # the suite's leader (hired just before)
            elif room.long_name == "处长办公室" and room_for >= 2:
                occupy(hire(code, "正处级", "处长"), room.number)
                occupy(hire(code, "副处级", "副处长"), room.number)
            elif category == "office_staff" and room_for >= 3:
                heads = min(room_for, math.ceil(room.area / 9.0 - 1e-6))  # enough people to be within 9 m2 each
                for _ in range(heads):
                    occupy(hire(code, "处级以下", "科员"), room.number)
            elif category == "office_staff":
                vacant_count += 1
                if vacant_count % 2 == 0 and code != "TJJ":  # returned to the bureau's reserve pool
                    rooms_rows.append([room.number, "", "reserve", "", "2025-03-01"])
                    continue
                use, since = "vacant", ("2025-02-01" if vacant_count % 4 == 1 else "2026-09-01")
            elif category == "meeting":
                meetings[code] = meetings.get(code, 0) + 1
                if meetings[code] > 1 and code != "TJJ":  # shared meeting rooms stay with the bureau
                    rooms_rows.append([room.number, "", "in_use", "", "2024-01-01"])
                    continue
            rooms_rows.append([room.number, code, use, "", since])
    _plant_problems(people, occupancy, rooms_rows, hire, by_unit)
    units = [["code", "name", "kind", "admin_level", "reference_level", "approved_posts"]]
    for code, name, kind, admin, reference, _ in UNITS:
        employed = Counter(p.rank for p in people if p.unit == code)
        posts = POSTS[code] if code == "TJJ" else {r: math.ceil(n * 1.1) for r, n in (employed or POSTS[code]).items()}
        units.append([code, name, kind, admin, reference, ";".join(f"{r}:{n}" for r, n in posts.items())])
    return {
        "units": units,
        "people": [["code", "name", "unit", "rank", "title", "status", "status_since"]]
        + [[p.code, p.name, p.unit, p.rank, p.title, p.status, p.status_since] for p in people],
        "rooms": [["room", "unit", "use_status", "category", "since"]] + rooms_rows,
        "occupancy": [["person", "room", "kind", "start_date", "end_date", "approved", "concurrent_post_ended"]] + occupancy,
        "titles": [
            ["building", "certificate_no", "owner", "registered_area_m2", "land_area_m2", "state", "year_built", "issued_on"],
            ["1号办公楼", "粤(2009)广州市不动产权第0100001号", "广东省机关事务管理局", "24350.6", "8200", "registered", "2008", "2009-06-18"],
            ["2号办公楼", "粤(2012)广州市不动产权第0100002号", "广东省机关事务管理局", "6120.0", "3100", "registered", "2011", "2012-03-02"],
            ["3号楼（食堂及车库）", "", "广东省机关事务管理局", "1980.0", "1500", "filed", "2011", ""],
        ],
    }


def _find(rows: list[list[str]], number: str) -> list[str]:
    return next(row for row in rows if row[0] == number)


def _plant_problems(people, occupancy, rooms_rows, hire, by_unit) -> None:
    """The problems listed in the module docstring, at fixed places."""
    by_code = {p.code: p for p in people}
    rows_of = {}
    for row in occupancy:
        rows_of.setdefault(row[1], []).append(row)
    # a deputy division chief alone in a chief's office: drop the chief of one FGW office
    chief_room = next(r.number for _, r in by_unit["FGW"] if r.long_name == "处长办公室")
    chief_row = next(row for row in rows_of[chief_room] if by_code[row[0]].rank == "正处级")
    occupancy.remove(chief_row)
    by_code[chief_row[0]].status = "transferred"
    by_code[chief_row[0]].status_since = "2026-09-15"
    # three staff offices shared by only two
    staff_rooms = [r.number for _, r in by_unit["SFT"] if r.long_name == "科员办公室" and r.number in rows_of][:3]
    for number in staff_rooms:
        occupancy.remove(rows_of[number][-1])
    # retired (and one transferred) but still holding their rooms
    holders = [row for row in occupancy if by_code[row[0]].rank == "处级以下" and by_code[row[0]].unit == "TJJ"][:3]
    for row, (status, since) in zip(holders, [("retired", "2026-06-30"), ("retired", "2026-03-31"), ("transferred", "2026-08-20")]):
        by_code[row[0]].status, by_code[row[0]].status_since = status, since
    # a leader's approved second office in the annex, kept past the grace after the post ended
    deputy = next(p for p in people if p.rank == "副厅(局)级" and p.unit == "SZJ")
    annex_office = next(r.number for _, r in by_unit["SJZX"] if r.long_name == "处长办公室" and r.number not in rows_of)
    occupancy.append([deputy.code, annex_office, "second", "2025-05-01", "", "true", "2026-08-31"])
    _find(rooms_rows, annex_office)[1:3] = ["SJZX", "in_use"]
    # another leader holding a second office that was never approved
    other = [p for p in people if p.rank == "副厅(局)级"][-1]
    spare = next(row[0] for row in rooms_rows if row[2] == "vacant" and row[1] == other.unit) if any(
        row[2] == "vacant" and row[1] == other.unit for row in rooms_rows) else None
    if spare:
        occupancy.append([other.code, spare, "second", "2026-01-10", "", "false", ""])
        _find(rooms_rows, spare)[2] = "in_use"
    # someone working in an archive room
    archive = next(r.number for _, r in by_unit["DAG"] if r.category == "archive")
    worker = next(p for p in people if p.unit == "DAG" and p.rank == "处级以下")
    occupancy.append([worker.code, archive, "primary", "2025-11-01", "", "false", ""])
    # an occupied annex room that the renovated v2 removes (B-0304)
    occupied = {row[1] for row in occupancy}
    if "B-0304" not in occupied:
        staff = next(p for p in people if p.unit == "SJZX" and p.rank == "处级以下")
        occupancy.append([staff.code, "B-0304", "primary", "2025-01-01", "", "false", ""])
        row = next((row for row in rooms_rows if row[0] == "B-0304"), None)
        if row is not None:
            row[1:3] = ["SJZX", "in_use"]


def write(out: Path = OUT) -> dict[str, int]:
    """Write the CSV files; return the number of records of each."""
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name, rows in build().items():
        with (out / f"{name}.csv").open("w", newline="", encoding="utf-8") as stream:
            csv.writer(stream, lineterminator="\n").writerows(rows)
        counts[name] = len(rows) - 1
    return counts


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    log.info("wrote %s", write())
