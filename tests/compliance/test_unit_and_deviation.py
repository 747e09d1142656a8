"""Unit approved areas with the K factor, declared-vs-measured classes, version differences."""

from __future__ import annotations

import pytest

from factsbuilder import FactsBuilder
from twin.compliance.deviation import Deviation
from twin.compliance.unit import check_units
from twin.compliance.versions import diff_states
from twin.ledger.models import RoomState
from twin.standards import load_standards


@pytest.mark.parametrize("storeys, k, building", [(12, 0.60, 170.77), (5, 0.65, 157.63)])
def test_the_approved_area_follows_the_2014_formula_with_k_by_building_height(storeys, k, building):
    b = FactsBuilder()
    unit = b.unit(posts={"正处级": 1, "处级以下": 4})
    b.room("A-0101", 40.0, unit=unit, storeys=storeys)
    b.room("A-0102", 20.0, category="meeting", unit=unit, storeys=storeys)
    b.room("A-0103", 100.0, category="canteen", unit=unit, storeys=storeys)
    check = check_units(b.facts, load_standards())[unit]
    # A = 18 + 4 x 9 = 54; B = 5 posts x 8 = 40; plant = (54 + 40) x 9 % = 8.46
    assert check.approved["office"] == 54.0 and check.approved["service"] == 40.0 and check.approved["plant"] == 8.46
    assert check.approved["usable"] == 102.46 and check.k == k
    assert check.approved["building"] == pytest.approx(building + 100.0 / k, abs=0.01)  # + C, the ancillary area
    assert check.actual["office"] == 40.0 and check.actual["service"] == 20.0 and check.actual["ancillary"] == 100.0
    assert check.get_difference("office") == (-14.0, -25.9)
    assert check.get_difference("usable") == (-42.46, -41.4)
    assert check.is_over is False


def test_a_unit_with_more_rooms_than_posts_is_over():
    b = FactsBuilder()
    unit = b.unit(posts={"处级以下": 2})
    for number in ("A", "B", "C"):
        b.room(number, 20.0, unit=unit)
    check = check_units(b.facts, load_standards())[unit]
    assert check.approved["usable"] == pytest.approx((18 + 16) * 1.09)
    assert check.is_over and check.get_difference("usable")[0] == pytest.approx(60 - 37.06)


@pytest.mark.parametrize(
    "measured, declared, category, pct",
    [(100.0, 100.5, "within_1", 0.5), (100.0, 104.0, "within_5", 4.0), (100.0, 94.0, "over_5", -6.0),
     (None, 20.0, "no_geometry", None), (20.0, None, "no_declared", None)],
)
def test_declared_against_measured_falls_into_classes(measured, declared, category, pct):
    deviation = Deviation(measured, declared)
    assert deviation.category == category and deviation.diff_pct == pct


def state(gid, number, area, storey="3F", name="科员办公室", category="office_staff"):
    return RoomState(global_id=gid, number=number, name=name, storey_global_id=storey, storey_name=storey,
                     measured_area_m2=area, declared_area_m2=area, category=category)


def test_two_versions_differ_by_rooms_added_removed_and_changed():
    before = [state("a", "B-0303", 21.6), state("b", "B-0304", 21.6), state("c", "B-0305", 21.6), state("d", "B-0306", 21.6)]
    after = [state("a", "B-0303", 43.2, name="大开间办公室"), state("c", "B-0304", 21.6), state("d", "B-0306", 21.605),
             state("e", "B-0330", 21.6)]
    diff = diff_states(before, after, from_seq=1, to_seq=2)
    assert [r["global_id"] for r in diff.added] == ["e"] and [r["global_id"] for r in diff.removed] == ["b"]
    assert {r["global_id"]: r["changes"] for r in diff.changed} == {
        "a": {"name": ["科员办公室", "大开间办公室"], "measured_area_m2": [21.6, 43.2]},
        "c": {"number": ["B-0305", "B-0304"]},
    }
    assert diff.unchanged == 1
