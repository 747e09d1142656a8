"""Ingests at once, in separate processes (twin ingest beside an upload): each gets its own version, nothing is lost."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from twin.ledger.db import open_ledger, transaction
from twin.ledger.models import Asset, ModelVersion

MODELS = Path(__file__).resolve().parents[2] / "models_ifc"
INGEST = (
    "import json, sys\nfrom pathlib import Path\nfrom twin.ledger.db import open_ledger\nfrom twin.ledger.ingest import ingest_file\n"
    "report = ingest_file(Path(sys.argv[2]), engine=open_ledger(sys.argv[1]), assets_dir=Path(sys.argv[3]))\n"
    "print(json.dumps([report.version, report.skipped]))"
)


def ingest_at_once(db_url: str, assets_dir: Path, *paths: Path) -> list[tuple[int, bool]]:
    """(version, skipped) of each path, ingested by processes started together."""
    open_ledger(db_url).dispose()  # the ledger exists (opening a new one at once is tested with the migrations)
    processes = [subprocess.Popen([sys.executable, "-c", INGEST, db_url, str(path), str(assets_dir)], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for path in paths]
    results = [process.communicate(timeout=300) for process in processes]
    assert [process.returncode for process in processes] == [0] * len(paths), [err[-2000:] for _, err in results]
    return [tuple(json.loads(out.strip().splitlines()[-1])) for out, _ in results]


def test_two_versions_of_a_model_ingested_at_once_become_versions_one_and_two(db_url, assets_dir):
    reports = ingest_at_once(db_url, assets_dir, MODELS / "campus_annex.ifc", MODELS / "campus_annex_v2.ifc")
    assert sorted(reports) == [(1, False), (2, False)]
    engine = open_ledger(db_url)
    with transaction(engine) as session:
        assert sorted(session.execute(select(ModelVersion.seq, ModelVersion.stage)).all()) == [(1, "complete"), (2, "complete")]
    engine.dispose()


def test_the_same_file_ingested_at_once_is_stored_once_and_its_assets_stay(db_url, assets_dir):
    reports = ingest_at_once(db_url, assets_dir, MODELS / "campus_annex.ifc", MODELS / "campus_annex.ifc")
    assert sorted(reports) == [(1, False), (1, True)]
    engine = open_ledger(db_url)
    with transaction(engine) as session:
        paths = session.scalars(select(Asset.path)).all()
    engine.dispose()
    assert paths and all((assets_dir / path).is_file() for path in paths)


def test_an_older_version_finishing_after_a_newer_one_leaves_the_newers_plans_and_outline(engine, assets_dir, tmp_path, monkeypatch):
    from ifc_factory import RoomSpec, build_model
    from twin.ledger import ingest as ingest_module
    from twin.ledger.ingest import ingest_file
    from twin.ledger.models import Building, Storey

    def version(name: str, width: float) -> Path:
        room = RoomSpec("A101", "办公室", outline=[(0, 0), (width, 0), (width, 4), (0, 4)], global_id="0RoomA101xxxxxxxxxxxxx")
        return build_model(tmp_path / name, [room], project_id="2hqIFTRjfV6AWq_bMtnZwA")

    def plans_and_outlines():
        with transaction(engine) as session:
            return (sorted((s.global_id, repr(s.plan_walls)) for s in session.scalars(select(Storey))),
                    sorted((b.global_id, repr(b.outline)) for b in session.scalars(select(Building))))

    older, newer = version("v1.ifc", 5), version("v2.ifc", 9)
    def stopped(*args, **kwargs):
        raise KeyboardInterrupt  # as an ingest stopped between its stages

    with monkeypatch.context() as patch:
        patch.setattr(ingest_module, "add_context", stopped)
        with pytest.raises(KeyboardInterrupt):
            ingest_file(older, engine=engine, assets_dir=assets_dir)  # version 1: its rooms stored, its walls not cut
    assert ingest_file(newer, engine=engine, assets_dir=assets_dir).version == 2
    newest = plans_and_outlines()
    resumed = ingest_file(older, engine=engine, assets_dir=assets_dir)  # version 1's context stage, run last
    assert (resumed.version, resumed.skipped) == (1, False)
    assert plans_and_outlines() == newest
    with transaction(engine) as session:
        assert session.scalars(select(ModelVersion.stage).order_by(ModelVersion.seq)).all() == ["complete", "complete"]


def test_a_room_edited_while_an_ingest_updates_it_waits_and_the_ingest_goes_through(postgres_url, assets_dir, tmp_path, monkeypatch):
    """PostgreSQL (SQLite writes one at a time): the ingest holds the rooms it updates; the edit,
    begun on the row as it was, then finds it changed and is refused, as any stale edit is."""
    import threading

    from twin.errors import StaleRecord
    from ifc_factory import RoomSpec, build_model
    from twin.ledger.ingest import ingest_file
    from twin.ledger.models import Room
    from twin.ledger.snapshot import Snapshot

    def version(name: str, room_name: str) -> Path:
        room = RoomSpec("A101", room_name, global_id="0RoomA101xxxxxxxxxxxxx")
        return build_model(tmp_path / name, [room], project_id="2hqIFTRjfV6AWq_bMtnZwA")

    engine = open_ledger(postgres_url)
    ingest_file(version("v1.ifc", "办公室"), engine=engine, assets_dir=assets_dir)
    edit_ended, outcome = threading.Event(), []

    def edit() -> None:  # a person renaming the room, as the API does: with the row version it read
        try:
            with transaction(engine) as session:
                session.scalars(select(Room)).one().name = "会议室"
            outcome.append("saved")
        except StaleRecord:
            outcome.append("refused: changed meanwhile")
        edit_ended.set()

    footprints = Snapshot.get_footprints

    def edit_meanwhile(snapshot, *args, **kwargs):  # the ingest has read the rooms it will update
        threading.Thread(target=edit).start()
        edit_ended.wait(timeout=2)
        return footprints(snapshot, *args, **kwargs)

    monkeypatch.setattr(Snapshot, "get_footprints", edit_meanwhile)
    report = ingest_file(version("v2.ifc", "档案室"), engine=engine, assets_dir=assets_dir)
    assert edit_ended.wait(timeout=30)
    assert (report.version, report.rooms_updated, outcome) == (2, 1, ["refused: changed meanwhile"])
    with transaction(engine) as session:
        assert session.scalars(select(Room.name)).all() == ["档案室"]
    engine.dispose()


def test_a_record_changed_after_a_transaction_read_it_is_a_clear_stale_record_error(engine, assets_dir, tmp_path):
    from ifc_factory import RoomSpec, build_model
    from twin.errors import StaleRecord, TwinError
    from twin.ledger.ingest import ingest_file
    from twin.ledger.models import Room

    ingest_file(build_model(tmp_path / "a.ifc", [RoomSpec("A101", "办公室", global_id="0RoomA101xxxxxxxxxxxxx")]),
                engine=engine, assets_dir=assets_dir)
    with pytest.raises(StaleRecord, match="reload and try again") as raised:
        with transaction(engine) as session:
            room = session.scalars(select(Room)).one()  # read, as twin load reads the rooms it sets
            with transaction(engine) as other:
                other.scalars(select(Room)).one().name = "会议室"  # changed and committed meanwhile
            room.name = "档案室"
    assert isinstance(raised.value, TwinError)  # the CLI prints it as an error, the API answers 409
    with transaction(engine) as session:
        assert session.scalars(select(Room.name)).all() == ["会议室"]


def test_an_ingest_of_bytes_another_is_still_ingesting_waits_for_it_and_is_skipped(sqlite_url, assets_dir, monkeypatch):
    """Not taken for an ingest left unfinished: the first's rooms are stored (its version's stage
    is ``rooms``) while it meshes the context, and the second must not make the context again."""
    import threading

    from twin.ledger import ingest as ingest_module
    from twin.ledger.ingest import ingest_file

    add_context, go_on = ingest_module.add_context, threading.Event()

    def held_in_the_first(*args, **kwargs):
        if threading.current_thread().name == "first":
            assert go_on.wait(60)
        return add_context(*args, **kwargs)

    monkeypatch.setattr(ingest_module, "add_context", held_in_the_first)
    engine = open_ledger(sqlite_url)
    path = MODELS / "campus_canteen.ifc"
    reports = {}

    def ingest(name: str) -> None:
        reports[name] = ingest_file(path, engine=engine, assets_dir=assets_dir)

    first = threading.Thread(target=ingest, args=("first",), name="first")
    second = threading.Thread(target=ingest, args=("second",), name="second")
    first.start()
    try:
        while not _stage_is(engine, "rooms"):  # the first's rooms are in the ledger; it is held before its context
            assert first.is_alive()
        second.start()
        second.join(1.0)
        assert second.is_alive()  # waiting for the first
    finally:
        go_on.set()
        first.join(60)
        second.join(60) if second.ident else None
    assert (reports["first"].skipped, reports["second"].skipped) == (False, True)
    assert _stage_is(engine, "complete")
    engine.dispose()


def _stage_is(engine, stage: str) -> bool:
    with transaction(engine) as session:
        return session.scalars(select(ModelVersion.stage)).all() == [stage]
