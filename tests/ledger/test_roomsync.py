"""A new version carries the rooms the model says the same about again, and writes the others."""

from __future__ import annotations

import ifcopenshell
import ifcopenshell.api
from sqlalchemy import select, update

from ledger.test_ingest import first_version, second_version
from twin.ledger.db import transaction
from twin.ledger.ingest import ingest_file
from twin.ledger.models import DeclaredArea, History, ModelVersion, Room, RoomState


def declared_areas(engine, room_id: int) -> list[tuple]:
    with transaction(engine) as session:
        return [(a.id, a.kind, a.value_m2, a.origin, a.model_version_id)
                for a in session.scalars(select(DeclaredArea).where(DeclaredArea.room_id == room_id).order_by(DeclaredArea.id))]


def room_row(engine, global_id: str) -> Room:
    with transaction(engine) as session:
        room = session.scalar(select(Room).where(Room.global_id == global_id))
        session.expunge(room)
        return room


def test_a_room_the_model_says_the_same_about_again_is_carried_unwritten(engine, assets_dir, tmp_path):
    ingest_file(first_version(tmp_path), engine=engine, assets_dir=assets_dir)
    before = room_row(engine, "0Room201xxxxxxxxxxxxxx")
    areas = declared_areas(engine, before.id)
    report = ingest_file(second_version(tmp_path), engine=engine, assets_dir=assets_dir)  # 201 as it was
    after = room_row(engine, "0Room201xxxxxxxxxxxxxx")
    with transaction(engine) as session:
        v2 = session.scalar(select(ModelVersion).where(ModelVersion.seq == 2))
        state = session.scalar(select(RoomState).where(RoomState.model_version_id == v2.id, RoomState.global_id == after.global_id))
        history = session.scalars(select(History).where(History.subject_key == after.global_id)).all()
    assert (after.row_version, after.source_digest) == (before.row_version, before.source_digest)
    assert after.last_version_id == v2.id and after.first_version_id == before.first_version_id
    assert (state.measured_area_m2, state.declared_area_m2, state.name) == (before.measured_area_m2, 25.0, "会议室")
    assert declared_areas(engine, after.id) == areas and (25.0, "ifc") in {(a[2], a[3]) for a in areas}
    assert [h.action for h in history] == ["created"]
    assert (report.rooms_updated, report.rooms_added, report.rooms_carried) == (1, 1, 1)


def with_a_property(path, global_id: str, *, name: str, value: str):
    """The model file with one more property on one room (nothing else about it changes)."""
    file = ifcopenshell.open(str(path))
    space = file.by_guid(global_id)
    pset = ifcopenshell.api.run("pset.add_pset", file, product=space, name="Pset_SpaceCommon")
    ifcopenshell.api.run("pset.edit_pset", file, pset=pset, properties={name: value})
    revised = path.with_name(f"{path.stem}-revised.ifc")
    file.write(str(revised))
    return revised


def test_a_room_whose_properties_alone_changed_is_written(engine, assets_dir, tmp_path):
    path = first_version(tmp_path)
    ingest_file(path, engine=engine, assets_dir=assets_dir)
    before = room_row(engine, "0Room201xxxxxxxxxxxxxx")
    report = ingest_file(with_a_property(path, "0Room201xxxxxxxxxxxxxx", name="Reference", value="B-201"),
                         engine=engine, assets_dir=assets_dir)
    after = room_row(engine, "0Room201xxxxxxxxxxxxxx")
    assert after.properties["Pset_SpaceCommon"]["Reference"] == "B-201"
    assert after.source_digest != before.source_digest and after.row_version == before.row_version + 1
    assert report.rooms_updated == 0  # no tracked field changed: nothing for the history
    assert room_row(engine, "0Room101xxxxxxxxxxxxxx").row_version == 1 and report.rooms_carried == 2  # 101 and 102


def test_rooms_written_before_digests_existed_are_compared_field_by_field(engine, assets_dir, tmp_path):
    ingest_file(first_version(tmp_path), engine=engine, assets_dir=assets_dir)
    with transaction(engine) as session:
        session.execute(update(Room).values(source_digest=None))  # as a ledger migrated from 0009 holds them
    report = ingest_file(second_version(tmp_path), engine=engine, assets_dir=assets_dir)
    assert (report.rooms_added, report.rooms_updated, report.rooms_retired) == (1, 1, 1)
    with transaction(engine) as session:
        assert None not in set(session.scalars(select(Room.source_digest).where(Room.status == "active")))


def test_a_model_category_a_person_cleared_is_set_again_by_the_next_version(engine, assets_dir, tmp_path):
    ingest_file(first_version(tmp_path), engine=engine, assets_dir=assets_dir)
    model_category = room_row(engine, "0Room201xxxxxxxxxxxxxx").category
    with transaction(engine) as session:
        session.execute(update(Room).where(Room.global_id == "0Room201xxxxxxxxxxxxxx").values(category=None))
    ingest_file(second_version(tmp_path), engine=engine, assets_dir=assets_dir)  # says the same about 201
    assert model_category is not None and room_row(engine, "0Room201xxxxxxxxxxxxxx").category == model_category
