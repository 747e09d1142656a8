"""An ingest re-evaluates only the warnings its model can change, and finds what a full refresh finds."""

from __future__ import annotations

from sqlalchemy.orm import Session

from dbstate import warnings_and_compliance
from ifc_factory import RoomSpec, build_model
from twin.alerts.engine import refresh_warnings
from twin.ledger.db import transaction
from twin.ledger.ingest import ingest_file
from twin.ledger.loader import load_ledger

A, B = "2hqIFTRjfV6AWq_bMtnZwA", "2hqIFTRjfV6AWq_bMtnZwB"


def model_a(path, *, version: int):
    """A101 (20 m2, then 3 m2) and A102 (removed in version 2)."""
    depth = 4 if version == 1 else 0.6
    rooms = [RoomSpec("A101", "科员办公室", outline=[(0, 0), (5, 0), (5, depth), (0, depth)],
                      global_id="0RoomA101xxxxxxxxxxxxx")]
    if version == 1:
        rooms.append(RoomSpec("A102", "科员办公室", outline=[(5, 0), (10, 0), (10, 4), (5, 4)], global_id="0RoomA102xxxxxxxxxxxxx"))
    return build_model(path, rooms, project_id=A)


def model_b(path):
    """B201 and B202 of 4 m2, B203 and B204 of 20 m2, in another building."""
    small = lambda x: [(x, 0), (x + 2, 0), (x + 2, 2), (x, 2)]  # noqa: E731
    return build_model(path, [
        RoomSpec("B201", "科员办公室", outline=small(0), global_id="0RoomB201xxxxxxxxxxxxx"),
        RoomSpec("B202", "科员办公室", outline=small(2), global_id="0RoomB202xxxxxxxxxxxxx"),
        RoomSpec("B203", "科员办公室", outline=[(4, 0), (9, 0), (9, 4), (4, 4)], global_id="0RoomB203xxxxxxxxxxxxx"),
        RoomSpec("B204", "科员办公室", outline=[(9, 0), (14, 0), (14, 4), (9, 4)], global_id="0RoomB204xxxxxxxxxxxxx"),
    ], project_id=B, building_name="二号楼")


def write_ledger(folder):
    """Unit U over both models (B204 vacant), unit V with B203 only. P1 (副处级, 12 m2) holds A101
    and shares B201 with P3 and B202 with P2; P3 also holds B203 alone, so P3 is over whatever
    A101 does; P4 holds A102."""
    folder.mkdir()
    (folder / "units.csv").write_text(
        "code,name,kind,admin_level,reference_level,approved_posts\nU,某局,agency,provincial,provincial,处级以下:1\n"
        "V,某中心,institution,provincial,provincial,处级以下:9\n", encoding="utf-8")
    (folder / "people.csv").write_text("code,name,unit,rank,title,status,status_since\n" + "".join(
        f"{code},{name},U,{rank},,active,\n" for code, name, rank in
        [("P1", "甲", "副处级"), ("P2", "乙", "处级以下"), ("P3", "丙", "处级以下"), ("P4", "丁", "处级以下")]), encoding="utf-8")
    (folder / "rooms.csv").write_text("room,unit,use_status,category,since\n" + "".join(
        f"{room},{unit},{use},,\n" for room, unit, use in
        [("A101", "U", "in_use"), ("A102", "U", "in_use"), ("B201", "U", "in_use"), ("B202", "U", "in_use"),
         ("B203", "V", "in_use"), ("B204", "U", "vacant")]), encoding="utf-8")
    (folder / "occupancy.csv").write_text("person,room,kind,start_date,end_date,approved,concurrent_post_ended\n" + "".join(
        f"{person},{room},primary,2024-01-01,,true,\n" for person, room in
        [("P1", "A101"), ("P1", "B201"), ("P1", "B202"), ("P2", "B202"), ("P3", "B201"), ("P3", "B203"), ("P4", "A102")]),
        encoding="utf-8")
    return folder


def test_an_ingest_finds_what_a_full_refresh_finds_across_models_people_and_units(engine, assets_dir, tmp_path):
    ingest_file(model_a(tmp_path / "a1.ifc", version=1), engine=engine, assets_dir=assets_dir)
    ingest_file(model_b(tmp_path / "b.ifc"), engine=engine, assets_dir=assets_dir)
    load_ledger(write_ledger(tmp_path / "ledger"), engine=engine)
    with transaction(engine) as session:
        before = warnings_and_compliance(session)
    ingest_file(model_a(tmp_path / "a2.ifc", version=2), engine=engine, assets_dir=assets_dir)  # refreshes its scope only
    with Session(engine) as session:
        after_ingest = warnings_and_compliance(session)
        report = refresh_warnings(session)  # everything, from every fact
        assert (report.opened, report.resolved) == (0, 0)
        assert warnings_and_compliance(session) == after_ingest
        session.rollback()
    # the update changed things in and beyond its model: P1 (24 m2, then 7) went within, and so did
    # B202, which P1 shares; B201 stays over (P3's B203); P4's room went away
    compliance = {gid[5:9]: (before[1][gid], after_ingest[1][gid]) for gid in before[1]}
    assert compliance["B202"] == ("over", "within") and compliance["B201"] == ("over", "over")
    status = {fingerprint: status for fingerprint, status, *_ in after_ingest[0]}
    assert status["person_over_standard:person:P1"] == "resolved" and status["person_over_standard:person:P3"] == "open"
    assert status["removed_room_with_occupants:room:0RoomA102xxxxxxxxxxxxx"] == "open"


def test_the_scope_of_other_rooms_compiles_no_statement_again(engine):
    from twin.alerts.scope import get_rooms_scope

    def refresh(room_ids):
        with transaction(engine) as session:
            refresh_warnings(session, scope=get_rooms_scope(session, 1, room_ids))
        return len(engine._compiled_cache)

    refresh([1, 2, 3])
    compiled = refresh([4, 5])  # SQLAlchemy compiles a statement once per engine, whatever its IN list holds
    assert refresh([6, 7, 8, 9]) == refresh([10]) == compiled


def test_a_version_that_writes_no_room_refreshes_no_warning(engine, assets_dir, tmp_path, monkeypatch):
    from twin.ledger import ingest

    ingest_file(model_b(tmp_path / "b.ifc"), engine=engine, assets_dir=assets_dir)
    refreshed = []
    monkeypatch.setattr(ingest, "refresh_warnings", lambda session, **kw: refreshed.append(kw))
    again = model_b(tmp_path / "b-again.ifc")  # the same rooms, written again: another file, nothing changed
    again.write_bytes(again.read_bytes() + b"\n")
    report = ingest_file(again, engine=engine, assets_dir=assets_dir)
    assert (report.version, report.rooms_carried, report.rooms_updated) == (2, 4, 0) and refreshed == []
    ingest_file(model_a(tmp_path / "a.ifc", version=1), engine=engine, assets_dir=assets_dir)
    assert len(refreshed) == 1  # a model's first version writes its rooms: their warnings are found
