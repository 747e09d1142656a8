"""Ingest into the ledger, on SQLite and PostgreSQL: one transaction, versions by GlobalId."""

from __future__ import annotations

import os

import ifcopenshell
import pytest
from shapely.geometry import shape
from sqlalchemy import func, select

from dbstate import dump_database
from ifc_factory import RoomSpec, build_model
from ifc.test_reader import BAD_KINDS, make_bad_inputs
from twin.errors import BadIfcFile, GlobalIdConflict
from twin.ledger import assets as assets_module
from twin.ledger import ingest as ingest_module
from twin.geometry.cache import GeometryCache
from twin.geometry.mesher import get_element_keys
from twin.ledger.db import open_ledger, transaction
from twin.ledger.ingest import ingest_file
from twin.ledger.models import Asset, Building, DeclaredArea, History, ModelVersion, Room, Storey

PROJECT = "1hqIFTRjfV6AWq_bMtnZwI"


def _three_rooms(path, *, upper_name: str):
    """Two rooms on the ground storey, one (named ``upper_name``) above."""
    return build_model(path, [
        RoomSpec("101", "处长办公室", global_id="0Room101xxxxxxxxxxxxxx"),
        RoomSpec("102", "科员办公室", outline=[(5, 0), (10, 0), (10, 4), (5, 4)], global_id="0Room102xxxxxxxxxxxxxx"),
        RoomSpec("201", upper_name, storey=1, global_id="0Room201xxxxxxxxxxxxxx", net_area=25.0),
    ], project_id=PROJECT)


def first_version(tmp_path):
    return _three_rooms(tmp_path / "v1.ifc", upper_name="会议室")


def second_version(tmp_path):
    """101 renamed and enlarged, 102 removed, 201 unchanged, 202 new."""
    return build_model(tmp_path / "v2.ifc", [
        RoomSpec("101", "副厅长办公室", outline=[(0, 0), (6, 0), (6, 4), (0, 4)], global_id="0Room101xxxxxxxxxxxxxx"),
        RoomSpec("201", "会议室", storey=1, global_id="0Room201xxxxxxxxxxxxxx", net_area=25.0),
        RoomSpec("202", "档案室", storey=1, outline=[(5, 0), (9, 0), (9, 4), (5, 4)], global_id="0Room202xxxxxxxxxxxxxx"),
    ], project_id=PROJECT)


def rooms_by_number(engine):
    with transaction(engine) as session:
        return {r.number: r for r in session.scalars(select(Room))}


def test_a_model_becomes_rooms_with_measured_and_declared_areas(engine, assets_dir, tmp_path):
    report = ingest_file(first_version(tmp_path), engine=engine, assets_dir=assets_dir)
    assert (report.buildings, report.storeys, report.rooms, report.rooms_with_declared_area) == (1, 2, 3, 3)
    assert report.failed_elements == 0 and report.context_elements == 1 and not report.skipped
    rooms = rooms_by_number(engine)
    assert rooms["101"].measured_area_m2 == pytest.approx(20.0)
    assert rooms["101"].volume_m3 == pytest.approx(60.0)
    assert rooms["101"].height_m == pytest.approx(3.0)
    assert rooms["101"].perimeter_m == pytest.approx(18.0)
    assert rooms["201"].declared_area_m2 == pytest.approx(25.0)
    assert rooms["201"].declared_area_source == "Qto_SpaceBaseQuantities.NetFloorArea"
    assert rooms["101"].footprint["type"] == "Polygon"
    assert rooms["201"].bbox[2] == pytest.approx(3.5)
    with transaction(engine) as session:  # the version records how long its ingest took, up to its last write
        assert 0 < session.scalar(select(ModelVersion.seconds)) <= report.seconds


def test_assets_are_written_per_storey_and_per_building_under_the_files_sha256(engine, assets_dir, tmp_path):
    report = ingest_file(first_version(tmp_path), engine=engine, assets_dir=assets_dir)
    with transaction(engine) as session:
        assets = session.scalars(select(Asset)).all()
    assert sorted(a.kind for a in assets) == ["building_glb", "storey_glb", "storey_glb"]
    for asset in assets:
        assert asset.path.startswith(f"{report.sha256[:2]}/{report.sha256}/")
        assert (assets_dir / asset.path).read_bytes()[:4] == b"glTF"


def upper_storey_renamed(tmp_path):
    """The first version with only the upper storey's room renamed."""
    return _three_rooms(tmp_path / "v1b.ifc", upper_name="大会议室")


def glbs_of(engine, assets_dir, sha256):
    with transaction(engine) as session:
        version = session.scalar(select(ModelVersion).where(ModelVersion.sha256 == sha256))
        assets = session.scalars(select(Asset).where(Asset.model_version_id == version.id))
        return {(a.kind, a.subject_global_id): (assets_dir / a.path).read_bytes() for a in assets}


def _recorded(keys, into: list) -> list:
    keys = list(keys)
    into.extend(keys)
    return keys


def test_a_new_version_exports_only_the_changed_storeys_and_the_cached_ones_are_byte_identical(engine, assets_dir, tmp_path, monkeypatch):
    ingest_file(first_version(tmp_path), engine=engine, assets_dir=assets_dir)
    exports = []
    real_export = assets_module.export_glb
    monkeypatch.setattr(assets_module, "export_glb", lambda scene: exports.append(set(scene.get_node_names())) or real_export(scene))
    loaded = []
    real_get_many = GeometryCache.get_many
    monkeypatch.setattr(GeometryCache, "get_many", lambda self, keys: real_get_many(self, _recorded(keys, loaded)))
    path = upper_storey_renamed(tmp_path)
    report = ingest_file(path, engine=engine, assets_dir=assets_dir)
    file = ifcopenshell.open(str(path))
    upper = [e for e in file.by_type("IfcSpace") if e.Name == "201"]
    upper_keys = set(get_element_keys(file, upper).values())
    # only what shows the renamed room is exported (the upper storey, the building); the ground storey comes from the cache
    assert exports and all(any("0Room201" in name for name in names) for names in exports)
    assert loaded and all(key in upper_keys for key in loaded)  # and only the upper storey's meshes were read from the cache
    monkeypatch.undo()
    fresh_engine = open_ledger(f"sqlite:///{tmp_path / 'fresh.db'}")
    try:
        ingest_file(path, engine=fresh_engine, assets_dir=tmp_path / "fresh-assets")
        assert glbs_of(engine, assets_dir, report.sha256) == glbs_of(fresh_engine, tmp_path / "fresh-assets", report.sha256)
    finally:
        fresh_engine.dispose()


def test_the_same_file_again_changes_nothing(engine, assets_dir, tmp_path):
    path = first_version(tmp_path)
    ingest_file(path, engine=engine, assets_dir=assets_dir)
    before = dump_database(engine)
    report = ingest_file(path, engine=engine, assets_dir=assets_dir)
    assert report.skipped and report.rooms == 3 and report.version == 1
    assert dump_database(engine) == before


def test_a_new_version_updates_retires_and_adds_rooms_keeping_the_ledgers_own_fields(engine, assets_dir, tmp_path):
    ingest_file(first_version(tmp_path), engine=engine, assets_dir=assets_dir)
    with transaction(engine) as session:
        room = session.scalar(select(Room).where(Room.number == "101"))
        room.category, room.category_source = "office_leader", "ledger"
        room.use_status, room.remarks = "in_use", "南向"
        session.add(DeclaredArea(room=room, kind="NetFloorArea", value_m2=21.0, source="产权登记", origin="ledger"))
    report = ingest_file(second_version(tmp_path), engine=engine, assets_dir=assets_dir)
    assert (report.version, report.rooms_added, report.rooms_updated, report.rooms_retired) == (2, 1, 1, 1)
    rooms = rooms_by_number(engine)
    assert rooms["101"].name == "副厅长办公室" and rooms["101"].measured_area_m2 == pytest.approx(24.0)
    assert (rooms["101"].category, rooms["101"].use_status, rooms["101"].remarks) == ("office_leader", "in_use", "南向")
    assert rooms["102"].status == "retired" and rooms["102"].retired_at is not None
    assert rooms["202"].status == "active" and rooms["201"].status == "active"
    with transaction(engine) as session:
        sources = {a.source for a in session.scalars(select(DeclaredArea).where(DeclaredArea.room_id == rooms["101"].id))}
        history = {(h.subject_key, h.action) for h in session.scalars(select(History))}
        updated = session.scalar(select(History).where(History.action == "updated"))
        versions = session.scalars(select(ModelVersion).order_by(ModelVersion.seq)).all()
    assert "产权登记" in sources and "Qto_SpaceBaseQuantities.NetFloorArea" in sources
    assert ("0Room102xxxxxxxxxxxxxx", "retired") in history and ("0Room202xxxxxxxxxxxxxx", "created") in history
    assert updated.changes["name"] == ["处长办公室", "副厅长办公室"]
    assert updated.changes["measured_area_m2"] == [pytest.approx(20.0), pytest.approx(24.0)]
    assert [v.counts["rooms"] for v in versions] == [3, 3]
    assert versions[1].counts["rooms_retired"] == 1


def test_a_room_that_comes_back_is_restored(engine, assets_dir, tmp_path):
    ingest_file(first_version(tmp_path), engine=engine, assets_dir=assets_dir)
    ingest_file(second_version(tmp_path), engine=engine, assets_dir=assets_dir)
    third = build_model(tmp_path / "v3.ifc", [
        RoomSpec("102", "科员办公室", outline=[(5, 0), (10, 0), (10, 4), (5, 4)], global_id="0Room102xxxxxxxxxxxxxx"),
    ], project_id=PROJECT)
    report = ingest_file(third, engine=engine, assets_dir=assets_dir)
    assert report.rooms_retired == 3 and report.rooms_updated == 1
    assert rooms_by_number(engine)["102"].status == "active"


@pytest.mark.parametrize("kind", BAD_KINDS)
def test_bad_input_leaves_the_database_exactly_as_it_was(engine, assets_dir, tmp_path, kind):
    ingest_file(first_version(tmp_path), engine=engine, assets_dir=assets_dir)
    before = dump_database(engine)
    with pytest.raises(BadIfcFile):
        ingest_file(make_bad_inputs(tmp_path / "bad")[kind], engine=engine, assets_dir=assets_dir)
    assert dump_database(engine) == before


def test_a_failure_while_writing_rolls_everything_back_and_removes_its_assets(engine, assets_dir, tmp_path, monkeypatch):
    ingest_file(first_version(tmp_path), engine=engine, assets_dir=assets_dir)
    before = dump_database(engine)

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ingest_module, "sync_rooms", explode)
    with pytest.raises(RuntimeError):
        report_path = second_version(tmp_path)
        ingest_file(report_path, engine=engine, assets_dir=assets_dir)
    assert dump_database(engine) == before
    from twin.ifc.spf import get_sha256

    assert not (assets_dir / get_sha256(report_path)[:2] / get_sha256(report_path)).exists()


def test_a_room_global_id_of_another_project_is_a_conflict_and_changes_nothing(engine, assets_dir, tmp_path):
    ingest_file(first_version(tmp_path), engine=engine, assets_dir=assets_dir)
    before = dump_database(engine)
    other = build_model(tmp_path / "other.ifc", [RoomSpec("X", global_id="0Room101xxxxxxxxxxxxxx")], building_name="别的楼")
    with pytest.raises(GlobalIdConflict, match="0Room101xxxxxxxxxxxxxx"):
        ingest_file(other, engine=engine, assets_dir=assets_dir)
    assert dump_database(engine) == before


def test_a_model_without_rooms_ingests_its_structure_and_says_so(engine, assets_dir, tmp_path):
    report = ingest_file(build_model(tmp_path / "empty.ifc", []), engine=engine, assets_dir=assets_dir)
    assert report.rooms == 0 and not report.has_rooms
    assert report.buildings == 1 and report.storeys == 2
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(Storey)) == 2


def test_a_room_that_cannot_be_meshed_is_kept_unmeasured_and_counted(engine, assets_dir, tmp_path):
    path = build_model(tmp_path / "m.ifc", [RoomSpec("101"), RoomSpec("bad", broken=True)])
    report = ingest_file(path, engine=engine, assets_dir=assets_dir)
    assert report.rooms == 2 and report.rooms_measured == 1 and report.failed_elements == 1
    assert rooms_by_number(engine)["bad"].measured_area_m2 is None
    with transaction(engine) as session:
        version = session.scalar(select(ModelVersion))
    assert version.failed_elements[0]["ifc_class"] == "IfcSpace"


def test_rooms_are_in_the_ledger_before_the_context_and_an_interrupted_ingest_resumes(engine, assets_dir, tmp_path, monkeypatch):
    path = first_version(tmp_path)

    def crash(*args, **kwargs):
        raise RuntimeError("the kernel died")

    monkeypatch.setattr(ingest_module, "add_context", crash)
    with pytest.raises(RuntimeError):
        ingest_file(path, engine=engine, assets_dir=assets_dir)
    with transaction(engine) as session:
        version = session.scalar(select(ModelVersion))
        assert version.stage == "rooms" and version.counts["rooms"] == 3
        kinds = sorted(session.scalars(select(Asset.kind)))
        assert kinds == ["storey_glb", "storey_glb"]  # room-only storey GLBs already served; the building's comes with the context
    assert rooms_by_number(engine)["101"].measured_area_m2 == pytest.approx(20.0)
    monkeypatch.undo()
    report = ingest_file(path, engine=engine, assets_dir=assets_dir)
    assert not report.skipped and report.context_elements == 1 and report.rooms == 3
    with transaction(engine) as session:
        assert session.scalar(select(ModelVersion)).stage == "complete"
        assert sorted(session.scalars(select(Asset.kind))) == ["building_glb", "storey_glb", "storey_glb"]
        assert session.scalar(select(func.count()).select_from(ModelVersion)) == 1
        assert session.scalar(select(Storey).where(Storey.name == "1F")).plan_walls is not None
    assert ingest_file(path, engine=engine, assets_dir=assets_dir).skipped
    rooms_only = ingest_file(second_version(tmp_path), engine=engine, assets_dir=assets_dir, with_context=False)
    with transaction(engine) as session:
        assert 0 < session.scalar(select(ModelVersion.seconds).where(ModelVersion.seq == 2)) <= rooms_only.seconds


def outline_of(engine):
    with transaction(engine) as session:
        return session.scalar(select(Building.outline))


def test_a_new_versions_storeys_and_building_keep_the_plans_and_outline_before_until_its_walls_are_cut(
        engine, assets_dir, tmp_path, monkeypatch):
    ingest_file(first_version(tmp_path), engine=engine, assets_dir=assets_dir)
    plan_of = lambda: {s.name: s.plan_walls for s in transaction_storeys(engine)}  # noqa: E731
    before, outline = plan_of(), outline_of(engine)
    assert before["1F"] is not None and outline is not None
    monkeypatch.setattr(ingest_module, "add_context", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("stopped after the rooms")))
    second = second_version(tmp_path)  # 101 enlarged: a new outline
    with pytest.raises(RuntimeError):
        ingest_file(second, engine=engine, assets_dir=assets_dir)
    assert plan_of() == before and outline_of(engine) == outline  # no walls cut yet: version 1's plans and outline still show
    monkeypatch.undo()
    ingest_file(second, engine=engine, assets_dir=assets_dir)  # resumed: walls cut, outline made
    assert outline_of(engine) != outline
    report = ingest_file(upper_storey_renamed(tmp_path), engine=engine, assets_dir=assets_dir, with_context=False)
    assert not report.skipped and report.version == 3
    assert all(plan is None for plan in plan_of().values())  # a rooms-only ingest is final: no walls, no plan
    assert shape(outline_of(engine)).bounds == pytest.approx((0, 0, 10, 4))  # and its outline is its rooms' alone, no wall


def test_a_new_building_is_outlined_by_its_rooms_until_its_walls_are_cut(engine, assets_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(ingest_module, "add_context", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("stopped after the rooms")))
    with pytest.raises(RuntimeError):
        ingest_file(first_version(tmp_path), engine=engine, assets_dir=assets_dir)
    assert outline_of(engine)["type"] == "Polygon"


def transaction_storeys(engine):
    with transaction(engine) as session:
        storeys = session.scalars(select(Storey)).all()
        for storey in storeys:
            _ = storey.plan_walls
        return storeys


def test_a_context_made_in_the_read_ahead_child_is_stored_as_one_made_here_and_reports_its_progress(
        engine, assets_dir, tmp_path, monkeypatch):
    from twin.geometry import workers
    from twin.geometry.forked import ForkedSteps
    from twin.ledger import readahead

    path = first_version(tmp_path)
    monkeypatch.setattr(workers, "_is_single_threaded", lambda: True)  # the test process may run other threads
    stored = []
    for fork in (True, False):
        monkeypatch.setattr(readahead, "FORK_MIN_CONTEXT", 1 if fork else 10**9)
        monkeypatch.setattr(readahead, "FORK_MIN", 10**9)
        forked = []

        class Recorded(ForkedSteps):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                forked.append(self.is_forked)

        monkeypatch.setattr(readahead, "ForkedSteps", Recorded)
        heard = []
        ledger = open_ledger(f"sqlite:///{tmp_path}/fork-{fork}.db") if not fork else engine
        report = ingest_file(path, engine=ledger, assets_dir=tmp_path / f"assets-{fork}",
                             progress=lambda stage, done, total: heard.append((stage, done, total)))
        assert forked == [fork]
        context = [(done, total) for stage, done, total in heard if stage == "context"]
        assert context and context[-1] == (report.context_elements, report.context_elements) == (1, 1)
        with transaction(ledger) as session:
            stored.append((
                {s.name: shape(s.plan_walls) for s in session.scalars(select(Storey)) if s.plan_walls},
                shape(session.scalar(select(Building.outline))),
                sorted(session.scalars(select(Asset.size_bytes))),
            ))
    (walls_there, outline_there, sizes_there), (walls_here, outline_here, sizes_here) = stored
    assert walls_there.keys() == walls_here.keys() == {"1F"}
    assert all(walls_there[name].equals(walls_here[name]) for name in walls_here)
    assert outline_there.equals(outline_here) and sizes_there == sizes_here


def test_the_next_ingest_takes_its_read_ahead_from_the_kept_child_and_stores_the_same(tmp_path, monkeypatch):
    """The read-ahead child is kept: a process's next ingest sends it the file before opening it
    (it opens the file itself) instead of forking again; what is stored is the same."""
    from twin.geometry import workers
    from twin.geometry.child import KeptChild
    from twin.ledger import readahead

    path = first_version(tmp_path)
    monkeypatch.setattr(workers, "_is_single_threaded", lambda: True)  # the test process may run other threads
    monkeypatch.setattr(readahead, "FORK_MIN_CONTEXT", 1)
    sent, real_send = [], ingest_module.send_read_ahead
    monkeypatch.setattr(ingest_module, "send_read_ahead", lambda *a, **k: sent.append(real_send(*a, **k)) or sent[-1])
    stored, children = [], []
    for run in range(2):
        ledger = open_ledger(f"sqlite:///{tmp_path}/run-{run}.db")
        heard = []
        report = ingest_file(path, engine=ledger, assets_dir=tmp_path / f"assets-{run}",
                             progress=lambda stage, done, total: heard.append((stage, done, total)))
        children.append((KeptChild._current.pid, KeptChild._current.job))
        assert [(d, t) for s, d, t in heard if s == "context"][-1] == (report.context_elements,) * 2
        with transaction(ledger) as session:
            stored.append((
                {s.name: shape(s.plan_walls) for s in session.scalars(select(Storey)) if s.plan_walls},
                shape(session.scalar(select(Building.outline))),
                sorted(session.scalars(select(Asset.size_bytes))),
                sorted((r.global_id, r.measured_area_m2) for r in session.scalars(select(Room))),
            ))
        ledger.dispose()
    assert sent[0] is None and sent[1] is not None  # no child to send the first to; the second went to the kept one
    assert children[0][0] == children[1][0] != os.getpid() and children[1][1] == children[0][1] + 1
    (walls_1, outline_1, sizes_1, rooms_1), (walls_2, outline_2, sizes_2, rooms_2) = stored
    assert walls_1.keys() == walls_2.keys() and all(walls_1[name].equals(walls_2[name]) for name in walls_1)
    assert outline_1.equals(outline_2) and sizes_1 == sizes_2 and rooms_1 == rooms_2
