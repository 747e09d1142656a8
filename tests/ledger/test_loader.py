"""Loading the ledger's CSV files: validated row by row, all or nothing, idempotent."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from dbstate import dump_database
from ifc_factory import RoomSpec, build_model
from twin.ledger.db import transaction
from twin.ledger.ingest import ingest_file
from twin.ledger.loader import BadLedgerData, load_ledger
from twin.ledger.models import History, Occupancy, Person, Room, Title, Unit

UNITS = """code,name,kind,admin_level,reference_level,approved_posts
FGW,省发展和改革委员会,agency,provincial,provincial,正厅(局)级:1;副厅(局)级:3;正处级:10;副处级:12;处级以下:30
XXZX,省信息中心,institution,provincial,provincial,正处级:1;处级以下:12
"""
PEOPLE = """code,name,unit,rank,title,status,status_since
P001,张伟,FGW,正厅(局)级,主任,active,
P002,李娜,FGW,处级以下,科员,active,
P003,王强,XXZX,处级以下,,retired,2026-06-30
"""
ROOMS = """room,unit,use_status,category
A-0101,FGW,in_use,
A-0102,XXZX,in_use,
A-0201,,vacant,meeting
"""
OCCUPANCY = """person,room,kind,start_date,end_date,approved,concurrent_post_ended
P001,A-0101,primary,2024-01-01,,true,
P002,A-0102,primary,2024-03-01,,false,
P003,A-0102,primary,2020-01-01,,false,
"""
TITLES = """building,certificate_no,owner,registered_area_m2,land_area_m2,state,year_built,issued_on
测试楼,粤(2020)广州市不动产权第0012345号,广东省机关事务管理局,1200.5,3000,registered,2008,2020-05-01
"""


def write(folder: Path, **files: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def ledger_with_rooms(engine, assets_dir, tmp_path):
    path = build_model(tmp_path / "m.ifc", [
        RoomSpec("A-0101", "厅长办公室"), RoomSpec("A-0102", "科员办公室", outline=[(5, 0), (10, 0), (10, 4), (5, 4)]),
        RoomSpec("A-0201", "会议室", storey=1),
    ])
    ingest_file(path, engine=engine, assets_dir=assets_dir)
    return engine


def test_a_good_folder_loads_units_people_allocation_occupancy_and_titles(ledger_with_rooms, tmp_path):
    folder = write(tmp_path / "demo", units=UNITS, people=PEOPLE, rooms=ROOMS, occupancy=OCCUPANCY, titles=TITLES)
    report = load_ledger(folder, engine=ledger_with_rooms)
    assert report.created == {"unit": 2, "person": 3, "occupancy": 3, "title": 1}
    assert report.updated == {"room": 3}
    with transaction(ledger_with_rooms) as session:
        unit = session.scalar(select(Unit).where(Unit.code == "FGW"))
        assert unit.approved_posts == {"正厅(局)级": 1, "副厅(局)级": 3, "正处级": 10, "副处级": 12, "处级以下": 30}
        rooms = {r.number: r for r in session.scalars(select(Room))}
        assert rooms["A-0101"].unit_id == unit.id and rooms["A-0101"].use_status == "in_use"
        assert rooms["A-0201"].category == "meeting" and rooms["A-0201"].unit_id is None
        assert session.scalar(select(Person).where(Person.code == "P003")).status == "retired"
        assert len(session.scalars(select(Occupancy).where(Occupancy.room_id == rooms["A-0102"].id)).all()) == 2
        assert session.scalar(select(Title)).registered_area_m2 == pytest.approx(1200.5)
        assert session.scalar(select(History).where(History.entity == "person")).actor == "load:demo"


def test_rooms_get_a_category_from_their_long_name_at_ingest(ledger_with_rooms):
    with transaction(ledger_with_rooms) as session:
        assert {r.number: r.category for r in session.scalars(select(Room))} == {
            "A-0101": "office_leader", "A-0102": "office_staff", "A-0201": "meeting"}


def test_loading_the_same_folder_twice_changes_nothing(ledger_with_rooms, tmp_path):
    folder = write(tmp_path / "demo", units=UNITS, people=PEOPLE, rooms=ROOMS, occupancy=OCCUPANCY, titles=TITLES)
    load_ledger(folder, engine=ledger_with_rooms)
    before = dump_database(ledger_with_rooms)
    report = load_ledger(folder, engine=ledger_with_rooms)
    assert report.created == {} and report.updated == {}
    assert dump_database(ledger_with_rooms) == before


@pytest.mark.parametrize(
    "files, expected",
    [
        ({"units": UNITS.replace("provincial,provincial,正厅", "provincial,planetary,正厅")}, "units.csv:2: unknown level 'planetary'"),
        ({"units": UNITS, "people": PEOPLE.replace("P002,李娜,FGW,处级以下", "P002,李娜,FGW,司令")}, "people.csv:3: rank '司令'"),
        ({"units": UNITS, "people": PEOPLE.replace("2026-06-30", "yesterday")}, "people.csv:4: status_since"),
        ({"units": UNITS, "rooms": ROOMS.replace("A-0102,XXZX", "Z-9999,XXZX")}, "rooms.csv:3: no room with number or GlobalId 'Z-9999'"),
        ({"units": UNITS, "rooms": ROOMS.replace("in_use,\nA-0102", "occupied,\nA-0102")}, "rooms.csv:2: use_status"),
        ({"units": "code,name\nFGW,发改委\n"}, "units.csv:1: missing column(s) admin_level"),
        ({"units": UNITS, "people": PEOPLE, "occupancy": OCCUPANCY.replace("P002,A-0102,primary,2024-03-01", "P999,A-0102,primary,2024-03-01")},
         "occupancy.csv:3: unknown person 'P999'"),
    ],
)
def test_a_bad_row_is_refused_with_file_and_line_and_nothing_is_loaded(ledger_with_rooms, tmp_path, files, expected):
    folder = write(tmp_path / "bad", **files)
    before = dump_database(ledger_with_rooms)
    with pytest.raises(BadLedgerData) as caught:
        load_ledger(folder, engine=ledger_with_rooms)
    assert expected in str(caught.value)
    assert dump_database(ledger_with_rooms) == before
