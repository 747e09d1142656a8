"""Every warning rule on hand-built facts, at the edges of its thresholds."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "compliance"))
from factsbuilder import FactsBuilder  # noqa: E402
from twin.alerts.rules import RULES  # noqa: E402
from twin.standards import load_standards  # noqa: E402

TODAY = date(2026, 11, 28)


def run(rule, facts, today=TODAY, standards=None):
    return list(RULES[rule](facts, standards or load_standards(), today))


def test_a_person_over_standard_is_warned_with_the_evidence():
    b = FactsBuilder()
    unit = b.unit()
    person = b.person("P1", "副处级", unit)
    b.occupy(person, b.room("A-0202", 23.76))
    [finding] = run("person_over_standard", b.facts)
    assert finding.subject_key == "P1" and finding.evidence["over_m2"] == 11.76 and finding.evidence["limit_m2"] == 12.0
    assert "超出标准 12.0 m²" in finding.message


@pytest.mark.parametrize("days, warned", [(180, False), (181, True)])
def test_a_room_vacant_past_the_threshold_is_suggested_for_the_reserve_pool(days, warned):
    b = FactsBuilder()
    b.room("A-0301", 20.0, use="vacant", since=date.fromordinal(TODAY.toordinal() - days))
    findings = run("vacant_too_long", b.facts)
    assert bool(findings) is warned
    if warned:
        assert findings[0].evidence == {"vacant_since": "2026-05-31", "days": 181, "suggestion": "reserve"}


@pytest.mark.parametrize("days, warned", [(30, False), (31, True)])
def test_a_retired_person_still_holding_a_room_a_month_later_is_warned(days, warned):
    b = FactsBuilder()
    unit = b.unit()
    person = b.person("P1", "处级以下", unit, status="retired", since=date.fromordinal(TODAY.toordinal() - days))
    b.occupy(person, b.room("A-0903", 20.0))
    assert bool(run("departed_still_holding", b.facts)) is warned


@pytest.mark.parametrize("days, warned", [(60, False), (61, True)])
def test_a_second_office_past_its_two_month_grace_is_warned(days, warned):
    b = FactsBuilder()
    unit = b.unit()
    leader = b.person("P1", "副厅(局)级", unit)
    b.occupy(leader, b.room("A-1302", 20.0, category="office_leader"))
    b.occupy(leader, b.room("B-0313", 15.0), kind="second", approved=True, ended=date.fromordinal(TODAY.toordinal() - days))
    assert bool(run("second_office_past_grace", b.facts)) is warned


def test_a_room_used_against_its_category_and_a_removed_occupied_room_are_warned():
    b = FactsBuilder()
    unit = b.unit()
    person = b.person("P1", "处级以下", unit)
    b.occupy(person, b.room("B-0509", 30.0, category="archive"))
    b.occupy(person, b.room("B-0304", 21.6, status="retired"))
    [against] = run("used_against_category", b.facts)
    assert against.subject_key == "gid-B-0509" and "档案室" in against.message
    [removed] = run("removed_room_with_occupants", b.facts)
    assert removed.subject_key == "gid-B-0304" and removed.evidence == {"occupants": ["P1"]}


def test_declared_and_measured_disagreeing_past_the_threshold_is_warned():
    b = FactsBuilder()
    b.room("A", 100.0, declared=105.0)
    b.room("B", 100.0, declared=105.1)
    assert [f.subject_key for f in run("declared_vs_measured", b.facts)] == ["gid-B"]


def test_a_unit_over_its_approved_area_and_an_unapproved_second_office_are_warned():
    b = FactsBuilder()
    unit = b.unit("TJJ", posts={"处级以下": 1})
    b.room("A", 30.0, unit=unit)
    [over] = run("unit_over_approved", b.facts)
    assert over.subject_key == "TJJ" and over.evidence["over_m2"] == pytest.approx(30 - 17 * 1.09, abs=0.01)
    leader = b.person("P1", "副厅(局)级", unit)
    b.occupy(leader, b.room("A-1", 20.0, category="office_leader"))
    b.occupy(leader, b.room("A-2", 20.0), kind="second", approved=False)
    [multiple] = run("multiple_offices", b.facts)
    assert multiple.subject_key == "P1"


def test_thresholds_are_configurable(tmp_path):
    override = tmp_path / "local.toml"
    override.write_text("[rules]\nvacant_days = 30\n", encoding="utf-8")
    b = FactsBuilder()
    b.room("A", 20.0, use="vacant", since=date(2026, 10, 1))
    assert run("vacant_too_long", b.facts) == []
    assert len(run("vacant_too_long", b.facts, standards=load_standards(override))) == 1
