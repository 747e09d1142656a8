"""The warning engine on a real ledger: idempotent, resolves what is fixed, re-runs on changes."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ifc_factory import RoomSpec, build_model
from twin.alerts.engine import refresh_warnings, set_warning_status
from twin.auth import Principal
from twin.ledger import edits
from twin.ledger.db import transaction
from twin.ledger.ingest import ingest_file
from twin.ledger.models import Room, Warning
from twin.ledger.loader import load_ledger

ADMIN = Principal("admin", "admin")


def write_ledger(folder):
    folder.mkdir()
    (folder / "units.csv").write_text("code,name,kind,admin_level,reference_level,approved_posts\nU,某局,agency,provincial,provincial,处级以下:10\n", encoding="utf-8")
    (folder / "people.csv").write_text("code,name,unit,rank,title,status,status_since\nP1,甲,U,副处级,,active,\n", encoding="utf-8")
    (folder / "rooms.csv").write_text("room,unit,use_status,category,since\n101,U,in_use,,\n", encoding="utf-8")
    (folder / "occupancy.csv").write_text("person,room,kind,start_date,end_date,approved,concurrent_post_ended\nP1,101,primary,2024-01-01,,false,\n", encoding="utf-8")
    return folder


def open_warnings(engine):
    with transaction(engine) as session:
        return {(w.rule, w.subject_key): w.status for w in session.scalars(select(Warning))}


def test_loading_and_editing_the_ledger_keeps_warnings_current(engine, assets_dir, tmp_path):
    ingest_file(build_model(tmp_path / "m.ifc", [RoomSpec("101", "科员办公室")]), engine=engine, assets_dir=assets_dir)
    load_ledger(write_ledger(tmp_path / "ledger"), engine=engine)
    with transaction(engine) as session:
        room_gid = session.scalar(select(Room.global_id))
    # a 副处级 (12 m2) alone in a 20 m2 office: over as a person and as a room
    assert open_warnings(engine) == {("person_over_standard", "P1"): "open", ("room_over_standard", room_gid): "open"}
    with transaction(engine) as session:  # said in both languages, in m², one occupant as one
        room_warning = session.scalar(select(Warning).where(Warning.rule == "room_over_standard"))
        assert room_warning.message == "办公室 101 面积 20.0 m²，超过 1 名使用人标准之和 12.0 m²"
        assert room_warning.evidence["message_en"] == "office 101: 20.0 m² for 1 occupant whose standard is 12.0 m²"
    with transaction(engine) as session:
        before = [(w.id, w.first_seen) for w in session.scalars(select(Warning).order_by(Warning.id))]
        seen_before = session.scalar(select(Warning.last_seen).order_by(Warning.id))
        report = refresh_warnings(session)
        assert report.opened == 0 and report.resolved == 0 and report.still_open == 2
        assert [(w.id, w.first_seen) for w in session.scalars(select(Warning).order_by(Warning.id))] == before
        assert session.scalar(select(Warning.last_seen).order_by(Warning.id)) > seen_before  # found again: last seen now
        warning = session.scalar(select(Warning).where(Warning.rule == "person_over_standard"))
        set_warning_status(session, warning.id, "acknowledged", actor="inspector")
        refresh_warnings(session)
        assert warning.status == "acknowledged" and warning.acknowledged_by == "inspector"
    with transaction(engine) as session:  # promoted to 正厅(局)级 (30 m2): 20 m2 is within
        edits.save_person(session, "P1", {"rank": "正厅(局)级"}, actor=ADMIN)
        refresh_warnings(session)
    assert open_warnings(engine) == {("person_over_standard", "P1"): "resolved", ("room_over_standard", room_gid): "resolved"}


def test_time_based_rules_take_the_evaluation_date(engine, assets_dir, tmp_path):
    ingest_file(build_model(tmp_path / "m.ifc", [RoomSpec("101", "科员办公室")]), engine=engine, assets_dir=assets_dir)
    with transaction(engine) as session:
        room = session.scalar(select(Room))
        room.use_status, room.use_status_since = "vacant", date(2026, 1, 1)
    with transaction(engine) as session:
        refresh_warnings(session, today=date(2026, 6, 1))
        assert session.scalar(select(Warning)) is None
        refresh_warnings(session, today=date(2026, 7, 1))
        assert session.scalar(select(Warning)).rule == "vacant_too_long"
        assert session.scalar(select(Room)).compliance == "vacant"
