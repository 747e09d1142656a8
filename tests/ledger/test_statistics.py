"""The planner's statistics are refreshed after an ingest only for the tables that changed enough."""

from __future__ import annotations

from sqlalchemy import text

from ifc_factory import RoomSpec, build_model
from twin.ledger import statistics
from twin.ledger.db import transaction
from twin.ledger.ingest import ingest_file
from twin.ledger.statistics import refresh_statistics


def _rooms(count: int, *, renamed: int | None = None, prefix: str = "0a") -> list[RoomSpec]:
    return [RoomSpec(f"{i:03d}", "会议室" if i == renamed else "办公室", outline=[(i * 5, 0), (i * 5 + 4, 0), (i * 5 + 4, 4), (i * 5, 4)],
                     global_id=f"{prefix}{i:03d}".ljust(22, "0")) for i in range(count)]


def _analysed_rooms(engine) -> int | None:
    """The room count the planner's statistics were made from (``None``: none made yet)."""
    with transaction(engine) as session:
        if engine.dialect.name == "postgresql":
            return session.execute(text("SELECT reltuples FROM pg_class WHERE relname = 'room' AND relnamespace = current_schema()::regnamespace")).scalar_one()
        stat = session.execute(text("SELECT stat FROM sqlite_stat1 WHERE tbl = 'room' LIMIT 1")).scalar()
        return int(stat.split()[0]) if stat is not None else None


def test_an_ingest_that_fills_the_rooms_table_leaves_statistics_for_it(engine, assets_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(statistics, "STALE_ROWS", 5)  # a tiny model counts as a large change
    ingest_file(build_model(tmp_path / "one.ifc", _rooms(12)), engine=engine, assets_dir=assets_dir)
    assert _analysed_rooms(engine) == 12
    assert refresh_statistics(engine) == []  # nothing changed since: nothing analysed


def test_a_new_version_that_changes_a_few_rooms_leaves_the_rooms_statistics_as_they_were(engine, assets_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(statistics, "STALE_ROWS", 5)
    ingest_file(build_model(tmp_path / "one.ifc", _rooms(12), project_id="1" * 22), engine=engine, assets_dir=assets_dir)
    monkeypatch.setattr(statistics, "STALE_FRACTION", 1.5)  # room states double with a second version; not enough now
    analysed = []
    real = statistics._get_stale_tables
    monkeypatch.setattr(statistics, "_get_stale_tables", lambda connection: analysed.extend(real(connection)) or analysed)
    ingest_file(build_model(tmp_path / "two.ifc", _rooms(12, renamed=3), project_id="1" * 22), engine=engine, assets_dir=assets_dir)
    assert "room" not in analysed and "room_state" not in analysed
    assert _analysed_rooms(engine) == 12


def test_a_table_grown_past_the_threshold_is_analysed_again(engine, assets_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(statistics, "STALE_ROWS", 5)
    ingest_file(build_model(tmp_path / "one.ifc", _rooms(12), project_id="1" * 22), engine=engine, assets_dir=assets_dir)
    ingest_file(build_model(tmp_path / "two.ifc", _rooms(30, prefix="0b"), project_id="2" * 22, building_name="另一楼"), engine=engine, assets_dir=assets_dir)
    assert _analysed_rooms(engine) == 42


def test_a_small_table_with_rows_and_no_statistics_is_analysed(engine, assets_dir, tmp_path):
    ingest_file(build_model(tmp_path / "one.ifc", _rooms(3)), engine=engine, assets_dir=assets_dir)  # far below the threshold
    with transaction(engine) as session:
        if engine.dialect.name == "postgresql":
            analysed = session.execute(text("SELECT reltuples FROM pg_class WHERE relname = 'building' "
                                            "AND relnamespace = current_schema()::regnamespace")).scalar_one()
        else:
            analysed = int(session.execute(text("SELECT stat FROM sqlite_stat1 WHERE tbl = 'building' LIMIT 1")).scalar().split()[0])
    assert analysed == 1  # one building: the planner knows it is one, not a guess
