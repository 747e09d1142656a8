"""Person-level checks with exact numbers: shared rooms, rest rooms, toilets, reference levels."""

from __future__ import annotations

import pytest

from factsbuilder import FactsBuilder
from twin.compliance.person import check_people, check_rooms, find_multiple_offices, get_room_compliance
from twin.standards import load_standards


@pytest.fixture
def standards():
    return load_standards()


def test_a_shared_room_is_split_equally_and_each_share_meets_its_own_rank(standards):
    b = FactsBuilder()
    unit = b.unit()
    office = b.room("A-0301", 30.0)
    chief, deputy = b.person("P1", "正处级", unit), b.person("P2", "副处级", unit)
    b.occupy(chief, office)
    b.occupy(deputy, office)
    people = check_people(b.facts, standards)
    assert (people[chief].area_m2, people[chief].limit_m2, people[chief].is_over) == (15.0, 18.0, False)
    assert (people[deputy].area_m2, people[deputy].limit_m2, people[deputy].is_over) == (15.0, 12.0, True)
    assert (people[deputy].over_m2, people[deputy].over_pct) == (3.0, 25.0)
    room = check_rooms(b.facts, standards)[office]
    assert (room.area_m2, room.limits_m2, room.share_m2, room.is_over) == (30.0, 30.0, 15.0, False)


def test_a_leaders_rest_room_counts_inside_the_limit(standards):
    b = FactsBuilder()
    unit = b.unit()
    office, rest = b.room("A-1302", 18.0, category="office_leader"), b.room("A-1303", 6.5, category="rest_room")
    deputy = b.person("P1", "副厅(局)级", unit)
    b.occupy(deputy, office)
    b.occupy(deputy, rest)
    check = check_people(b.facts, standards)[deputy]
    assert (check.area_m2, check.limit_m2, check.over_m2, check.is_over) == (24.5, 24.0, 0.5, True)
    assert check.shares == {office: 18.0, rest: 6.5}
    assert check_rooms(b.facts, standards)[office].is_over is False  # the office alone is within


def test_a_jurisdictions_tolerance_lets_small_excesses_pass(standards, tmp_path):
    override = tmp_path / "gd.toml"
    override.write_text("[settings]\ntolerance_pct = 5.0\n", encoding="utf-8")
    local = load_standards(override)
    b = FactsBuilder()
    unit = b.unit()
    deputy = b.person("P1", "副厅(局)级", unit)
    b.occupy(deputy, b.room("A-1302", 24.5, category="office_leader"))
    assert check_people(b.facts, standards)[deputy].is_over is True
    assert check_people(b.facts, local)[deputy].is_over is False


@pytest.mark.parametrize("count_toilet, expected", [(True, 34.0), (False, 30.0)])
def test_a_leaders_toilet_counts_where_the_jurisdiction_says_so(tmp_path, count_toilet, expected):
    override = tmp_path / "local.toml"
    override.write_text(f"[settings]\ncount_leader_toilet = {str(count_toilet).lower()}\n", encoding="utf-8")
    b = FactsBuilder()
    unit = b.unit()
    director = b.person("P1", "正厅(局)级", unit)
    b.occupy(director, b.room("A-1401", 30.0, category="office_leader"))
    b.occupy(director, b.room("A-1402", 4.0, category="toilet"))
    check = check_people(b.facts, load_standards(override))[director]
    assert check.area_m2 == expected and check.is_over is count_toilet


def test_the_standard_applies_at_the_units_reference_level(standards):
    b = FactsBuilder()
    dispatched = b.unit("ZSB", level="municipal", reference="provincial")  # a municipal office bound to the provincial table
    municipal = b.unit("SJ", level="municipal")
    p1 = b.person("P1", "副处级", dispatched)
    p2 = b.person("P2", "副局(处)级", municipal)
    b.occupy(p1, b.room("A-0101", 15.0))
    b.occupy(p2, b.room("A-0102", 15.0))
    checks = check_people(b.facts, standards)
    assert (checks[p1].level, checks[p1].limit_m2, checks[p1].is_over) == ("provincial", 12.0, True)
    assert (checks[p2].level, checks[p2].limit_m2, checks[p2].is_over) == ("municipal", 18.0, False)


def test_the_declared_area_can_be_the_basis_and_both_stay_available(standards):
    b = FactsBuilder()
    unit = b.unit()
    staff = b.person("P1", "处级以下", unit)
    room = b.room("A-0201", 8.5, declared=9.8)
    b.occupy(staff, room)
    assert check_people(b.facts, standards)[staff].is_over is False
    assert check_people(b.facts, standards, basis="declared")[staff].is_over is True
    assert b.facts.rooms[room].get_area("measured") == 8.5 and b.facts.rooms[room].get_area("declared") == 9.8


def test_rooms_are_classed_over_within_or_vacant_for_colouring(standards):
    b = FactsBuilder()
    unit = b.unit()
    full, empty, meeting = b.room("A", 20.0), b.room("B", 20.0), b.room("C", 60.0, category="meeting")
    for code in ("P1", "P2", "P3"):
        b.occupy(b.person(code, "处级以下", unit), full)
    people, rooms = check_people(b.facts, standards), check_rooms(b.facts, standards)
    assert get_room_compliance(b.facts.rooms[full], b.facts, people, rooms) == "within"
    assert get_room_compliance(b.facts.rooms[empty], b.facts, people, rooms) == "vacant"
    assert get_room_compliance(b.facts.rooms[meeting], b.facts, people, rooms) is None


def test_a_leader_holding_a_second_unapproved_office_is_found(standards):
    b = FactsBuilder()
    unit = b.unit()
    leader = b.person("P1", "副厅(局)级", unit)
    first, second, third = b.room("A", 20.0, category="office_leader"), b.room("B", 15.0), b.room("C", 15.0)
    b.occupy(leader, first)
    b.occupy(leader, second, kind="second", approved=True)
    [found] = find_multiple_offices(b.facts)
    assert found.room_ids == (first, second) and found.unapproved_second == ()
    b.occupy(leader, third, kind="second", approved=False)
    [found] = find_multiple_offices(b.facts)
    assert found.unapproved_second == (third,)
