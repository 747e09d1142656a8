"""A room's card, read in one statement, says what the ledger's tables say, in order and typed,
on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from ifc_factory import RoomSpec, build_model
from twin.alerts.engine import refresh_warnings
from twin.auth import Principal
from twin.errors import NotFound
from twin.ledger import edits
from twin.ledger.card import read_room_card
from twin.ledger.db import open_ledger, transaction
from twin.ledger.ingest import ingest_file
from twin.ledger.jsonrows import json_rows
from twin.ledger.models import DeclaredArea, History, Room
from twin.ledger.revision import get_revision

ADMIN = Principal("admin", "admin")
INSPECTOR = Principal("wangfang", "inspector")
OFFICE = "0RoomCardA0101xxxxxxxx"
EMPTY = "0RoomCardA0102xxxxxxxx"


@pytest.fixture
def engine(db_url, tmp_path):
    engine = open_ledger(db_url)
    model = build_model(tmp_path / "card.ifc", [
        RoomSpec("A-0101", "处长办公室", global_id=OFFICE, outline=[(0, 0), (10, 0), (10, 6), (0, 6)]),
        RoomSpec("A-0102", "会议室", global_id=EMPTY, outline=[(10, 0), (15, 0), (15, 4), (10, 4)], qto_name=None),
    ])
    ingest_file(model, engine=engine, assets_dir=tmp_path / "assets", with_context=False)
    with transaction(engine) as session:
        unit = edits.save_unit(session, "FGW", {"name": "省发展和改革委员会", "admin_level": "provincial"}, actor=ADMIN)
        session.flush()
        edits.save_person(session, "P002", {"name": "李娜", "rank": "处级以下", "unit_id": unit.id}, actor=ADMIN)
        edits.save_person(session, "P001", {"name": "张伟", "rank": "正处级", "unit_id": unit.id, "title": "处长"}, actor=ADMIN)
        edits.update_room(session, OFFICE, {"unit_id": unit.id}, actor=ADMIN, row_version=None)
        session.flush()
        edits.move_in(session, OFFICE, "P002", start=date(2024, 3, 1), kind="primary", approved=True, actor=ADMIN)
        edits.move_in(session, OFFICE, "P001", start=date(2024, 1, 1), kind="primary", approved=True, actor=ADMIN)
        edits.add_declared_area(session, OFFICE, kind="NetFloorArea", value_m2=36.0, source="产权证", actor=ADMIN)
        edits.add_declared_area(session, OFFICE, kind="Area", value_m2=61.25, source="测绘报告", actor=ADMIN)
        edits.add_inspection(session, OFFICE, finding="面积超标", severity="warning", surveyed_area_m2=60.0, actor=INSPECTOR)
        refresh_warnings(session)
    yield engine
    engine.dispose()


def test_the_card_lists_what_the_tables_hold_in_the_order_people_read_them(engine):
    with engine.connect() as connection:
        card, _ = read_room_card(connection, OFFICE)
    with transaction(engine) as session:
        room = session.scalar(select(Room).where(Room.global_id == OFFICE))
        areas = session.scalars(select(DeclaredArea).where(DeclaredArea.room_id == room.id).order_by(DeclaredArea.id)).all()
        history = session.scalars(select(History).where(History.entity == "room", History.subject_id == room.id)
                                  .order_by(History.at.desc(), History.id.desc())).all()
    assert card["declared_areas"] == [{"kind": a.kind, "value_m2": a.value_m2, "source": a.source, "origin": a.origin} for a in areas]
    assert {type(a["value_m2"]) for a in card["declared_areas"]} == {float}  # 36.0 stays a float on PostgreSQL too
    assert [a["value_m2"] for a in card["declared_areas"]][-2:] == [36.0, 61.25]
    assert [h["action"] for h in card["history"]] == [h.action for h in history]
    assert [h["at"] for h in card["history"]] == [h.at.isoformat() for h in history]
    assert [(o["person_code"], o["since"], o["standard_m2"]) for o in card["occupants"]] == [("P001", "2024-01-01", 18.0), ("P002", "2024-03-01", 9.0)]
    assert card["inspections"] == [{"at": card["inspections"][0]["at"], "finding": "面积超标", "severity": "warning",
                                    "surveyed_area_m2": 60.0, "inspector": "wangfang"}]
    assert datetime.fromisoformat(card["inspections"][0]["at"])
    assert card["unit_name"] == "省发展和改革委员会" and card["measured_area_m2"] == pytest.approx(60.0, rel=1e-3)
    assert card["warnings"] and all(w["room_id"] == room.id for w in card["warnings"])


def test_without_names_the_card_names_nobody(engine):
    with engine.connect() as connection:
        card, _ = read_room_card(connection, OFFICE, with_names=False)
    text = repr(card)
    assert not any(name in text for name in ("张伟", "李娜", "wangfang"))
    assert [o["rank"] for o in card["occupants"]] == ["正处级", "处级以下"]


def test_a_room_with_nothing_related_has_empty_lists(engine):
    with engine.connect() as connection:
        card, _ = read_room_card(connection, EMPTY)
    assert (card["occupants"], card["inspections"], card["warnings"], card["declared_areas"]) == ([], [], [], [])
    assert card["unit_id"] is None


def test_the_card_comes_with_the_revision_it_was_read_at(engine):
    with engine.connect() as connection:
        _, revision = read_room_card(connection, OFFICE)
        assert revision == get_revision(connection) > 0


def test_an_unknown_room_is_not_found(engine):
    with engine.connect() as connection, pytest.raises(NotFound):
        read_room_card(connection, "0NoSuchRoomxxxxxxxxxxx")


def test_json_rows_types_its_values_as_a_plain_select_would(engine):
    columns = (DeclaredArea.id, DeclaredArea.value_m2, DeclaredArea.source)
    with engine.connect() as connection:
        plain = sorted(tuple(r) for r in connection.execute(select(*columns)))
        packed = connection.scalar(select(json_rows(*columns)))
        nothing = connection.scalar(select(json_rows(*columns)).where(DeclaredArea.id < 0))
    assert sorted(tuple(r) for r in packed) == plain
    assert nothing == []
