"""Room finding: a staffing need against vacant rooms and adjacent groups, least waste first."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ifc_factory import RoomSpec, build_model
from twin.finder import BadNeed, Need, find_rooms, parse_need
from twin.ledger.db import transaction
from twin.ledger.ingest import ingest_file
from twin.ledger.models import Room


def rect(x0, x1, depth=5.0):
    return [(x0, 0), (x1, 0), (x1, depth), (x0, depth)]


@pytest.fixture
def floor(engine, assets_dir, tmp_path):
    """One storey: 301-303 side by side (20 m2 each), 305 of 50 m2 apart, 304 occupied; all offices."""
    rooms = [RoomSpec("301", "科员办公室", rect(0, 4)), RoomSpec("302", "科员办公室", rect(4, 8)), RoomSpec("303", "科员办公室", rect(8, 12)),
             RoomSpec("304", "科员办公室", rect(12, 16)), RoomSpec("305", "科员办公室", rect(30, 40))]
    ingest_file(build_model(tmp_path / "m.ifc", rooms, with_wall=False), engine=engine, assets_dir=assets_dir)
    with transaction(engine) as session:
        for room in session.scalars(select(Room)):
            room.use_status = "in_use" if room.number == "304" else "vacant"
    return engine


def numbers(candidate):
    return [r["number"] for r in candidate.rooms]


def test_a_need_is_read_from_plain_text_and_costs_the_sum_of_its_limits():
    need = parse_need("1 正处级 + 2 副处级 + 6 处级以下")
    assert need.ranks == (("正处级", 1), ("副处级", 2), ("处级以下", 6)) and need.people == 9
    from twin.standards import load_standards

    assert need.get_required_m2(load_standards()) == 18 + 24 + 54
    assert parse_need("正处级:1,副处级:2").ranks == (("正处级", 1), ("副处级", 2))
    with pytest.raises(BadNeed):
        Need("provincial", (("司令", 1),)).get_required_m2(load_standards())


def test_the_single_room_with_least_waste_comes_first(floor):
    with transaction(floor) as session:
        required, candidates = find_rooms(session, parse_need("1 正处级"))  # 18 m2
    assert required == 18.0
    assert [numbers(c) for c in candidates[:3]] == [["301"], ["302"], ["303"]]
    assert candidates[0].waste_m2 == pytest.approx(2.0)


def test_adjacent_rooms_are_combined_and_distant_or_occupied_ones_are_not(floor):
    with transaction(floor) as session:
        _, candidates = find_rooms(session, parse_need("1 正处级 + 2 副处级"))  # 42 m2
    assert numbers(candidates[0]) == ["305"]  # 50 m2, waste 8
    assert numbers(candidates[1]) == ["301", "302", "303"]  # 60 m2 side by side, waste 18
    assert all("304" not in numbers(c) for c in candidates)
    assert all(not {"303", "305"} <= set(numbers(c)) for c in candidates)  # 10 m apart: never a group


def test_nothing_fits_a_need_larger_than_any_group(floor):
    with transaction(floor) as session:
        _, candidates = find_rooms(session, parse_need("20 处级以下"))
    assert candidates == []
