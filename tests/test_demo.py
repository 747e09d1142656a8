"""The demo campus: what `make run` shows a person the moment it starts."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models_ifc import demo_ledger
from twin.demo import DEMO_ACCOUNTS, build_demo
from twin.ledger.db import open_ledger, transaction
from twin.ledger.models import Building, Occupancy, Person, Room, Title, Unit, User


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    url = f"sqlite:///{folder / 'demo.db'}"
    reports = build_demo(url, assets_dir=folder / "assets")
    engine = open_ledger(url)
    yield reports, engine, url, folder
    engine.dispose()


def test_the_demo_ingests_the_campus_then_the_annex_update(demo):
    reports = demo[0]
    assert [(r.path.rsplit("/", 1)[-1], r.version) for r in reports] == [
        ("campus_tower.ifc", 1), ("campus_annex.ifc", 1), ("campus_canteen.ifc", 1), ("campus_annex_v2.ifc", 2)]
    assert sum(r.rooms for r in reports[:3]) >= 600
    assert all(r.failed_elements == 0 for r in reports)
    assert (reports[3].rooms_added, reports[3].rooms_retired) == (1, 1)


def test_the_demo_ledger_is_loaded(demo):
    with transaction(demo[1]) as session:
        assert 8 <= session.scalar(select(func.count()).select_from(Unit)) <= 12
        assert 350 <= session.scalar(select(func.count()).select_from(Person)) <= 450
        assert session.scalar(select(func.count()).select_from(Title)) == 3
        assert session.scalar(select(func.count()).select_from(Building)) == 3
        statuses = dict(session.execute(select(Room.use_status, func.count()).group_by(Room.use_status)).all())
        assert statuses["vacant"] > 0 and statuses["reserve"] > 0 and statuses["in_use"] > 300
        retired_holding = session.scalars(
            select(Person).join(Occupancy).where(Person.status == "retired", Occupancy.end_date.is_(None))).all()
        assert len(retired_holding) >= 2
        assert {u.username for u in session.scalars(select(User))} == {a[0] for a in DEMO_ACCOUNTS}


def test_building_the_demo_twice_gives_the_same_ledger(demo, tmp_path):
    _, engine, url, folder = demo

    def summary(engine):
        with transaction(engine) as session:
            return sorted((r.global_id, r.status, r.measured_area_m2, r.use_status, r.unit_id) for r in session.scalars(select(Room)))

    first = summary(engine)
    engine.dispose()
    build_demo(url, assets_dir=folder / "assets")
    again = open_ledger(url)
    assert summary(again) == first
    again.dispose()


def test_the_committed_demo_ledger_is_what_its_generator_writes(tmp_path):
    demo_ledger.write(tmp_path)
    for path in sorted(tmp_path.glob("*.csv")):
        assert path.read_text(encoding="utf-8") == (demo_ledger.OUT / path.name).read_text(encoding="utf-8"), path.name


def test_the_demo_campus_known_problems_are_all_found(demo):
    from twin.ledger.models import Warning

    with transaction(demo[1]) as session:
        found = {(w.rule, w.subject_key) for w in session.scalars(select(Warning).where(Warning.status == "open"))}
        numbers = dict(session.execute(select(Room.global_id, Room.number)).all())
        people = {p.code: p for p in session.scalars(select(Person))}
    by_rule: dict[str, set[str]] = {}
    for rule, key in found:
        by_rule.setdefault(rule, set()).add(numbers.get(key.split("/")[0], key))
    over = {people[code].rank for code in by_rule["person_over_standard"]}
    assert {"副厅(局)级", "副处级", "处级以下"} <= over  # the over-sized deputy suite, a deputy chief alone, half-empty offices
    assert {"A-1308"} <= by_rule["room_over_standard"]
    assert sum(rule == "departed_still_holding" for rule, _ in found) == 3  # two retired and one transferred, all in A-0903
    assert by_rule["used_against_category"] == {"B-0509"}
    assert by_rule["removed_room_with_occupants"] == {"B-0304"}
    assert len(by_rule["second_office_past_grace"]) == 1 and len(by_rule["multiple_offices"]) == 1
    assert "TJJ" in by_rule["unit_over_approved"]
    assert len(by_rule["declared_vs_measured"]) == 36  # the generator's 5 % misdeclared rooms
    assert len(by_rule["vacant_too_long"]) > 10


def test_the_annex_updates_scoped_refresh_left_what_a_full_refresh_finds(demo):
    """The demo's last step ingests the annex's new version, which re-evaluates only what the
    annex's rooms can change (twin.alerts.scope); the whole ledger re-evaluated finds the same."""
    from sqlalchemy.orm import Session

    from dbstate import warnings_and_compliance
    from twin.alerts.engine import refresh_warnings

    with Session(demo[1]) as session:
        after_ingest = warnings_and_compliance(session)
        report = refresh_warnings(session)
        assert (report.opened, report.resolved) == (0, 0) and report.still_open > 50
        assert warnings_and_compliance(session) == after_ingest
        session.rollback()
