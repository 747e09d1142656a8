"""The warning rules. Each takes the ledger facts, the standard and today's date, and yields
:class:`Finding` s. Thresholds, switches and severities come from the standard's ``[rules]``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from twin.compliance.deviation import Deviation
from twin.compliance.facts import LedgerFacts
from twin.compliance.person import OFFICE_CATEGORIES, check_people, check_rooms, find_multiple_offices
from twin.compliance.unit import check_units
from twin.standards import Standards


@dataclass(frozen=True)
class Finding:
    """A rule's finding about one subject; ``fingerprint`` identifies it across evaluations."""

    rule: str
    subject_kind: str
    subject_key: str
    message: str  # zh-CN
    message_en: str
    evidence: dict[str, Any] = field(default_factory=dict)
    room_id: int | None = None
    person_id: int | None = None
    unit_id: int | None = None

    @property
    def fingerprint(self) -> str:
        return f"{self.rule}:{self.subject_kind}:{self.subject_key}"


Rule = Callable[[LedgerFacts, Standards, date], Iterator[Finding]]
RULES: dict[str, Rule] = {}


def rule(name: str):
    def register(function: Rule) -> Rule:
        RULES[name] = function
        return function
    return register


def _room_label(facts: LedgerFacts, room_id: int) -> str:
    room = facts.rooms[room_id]
    return room.number or room.global_id


@rule("person_over_standard")
def person_over_standard(facts, standards, today):
    for person_id, check in check_people(facts, standards).items():
        if check.is_over:
            person = facts.people[person_id]
            rooms = ", ".join(_room_label(facts, r) for r in sorted(check.shares))
            yield Finding(
                "person_over_standard", "person", person.code,
                f"{person.name}（{person.rank}）使用办公室 {check.area_m2} m²，超出标准 {check.limit_m2} m² 共 {check.over_m2} m²（{rooms}）",
                f"{person.code} ({person.rank}) uses {check.area_m2} m² of office, {check.over_m2} m² over the {check.limit_m2} m² standard ({rooms})",
                {"area_m2": check.area_m2, "limit_m2": check.limit_m2, "over_m2": check.over_m2, "over_pct": check.over_pct,
                 "level": check.level, "shares": {facts.rooms[r].global_id: v for r, v in check.shares.items()}},
                room_id=max(check.shares, key=check.shares.get), person_id=person_id, unit_id=person.unit_id,
            )


@rule("room_over_standard")
def room_over_standard(facts, standards, today):
    for room_id, check in check_rooms(facts, standards).items():
        if check.is_over:
            room = facts.rooms[room_id]
            yield Finding(
                "room_over_standard", "room", room.global_id,
                f"办公室 {room.number} 面积 {check.area_m2} m²，超过 {check.occupants} 名使用人标准之和 {check.limits_m2} m²",
                f"office {room.number}: {check.area_m2} m² for {check.occupants} occupant{'s' if check.occupants != 1 else ''} "
                f"whose standard{'s sum' if check.occupants != 1 else ' is'} {check.limits_m2} m²",
                {"area_m2": check.area_m2, "occupants": check.occupants, "limits_m2": check.limits_m2},
                room_id=room_id, unit_id=room.unit_id,
            )


@rule("multiple_offices")
def multiple_offices(facts, standards, today):
    for found in find_multiple_offices(facts):
        if not found.unapproved_second:
            continue
        person = facts.people[found.person_id]
        rooms = ", ".join(_room_label(facts, r) for r in found.room_ids)
        yield Finding(
            "multiple_offices", "person", person.code,
            f"{person.name}（{person.rank}）同时占用 {len(found.room_ids)} 间办公室（{rooms}），其中未经批准的：{', '.join(_room_label(facts, r) for r in found.unapproved_second)}",
            f"{person.code} holds {len(found.room_ids)} offices ({rooms}) without approval for the extra one",
            {"rooms": [facts.rooms[r].global_id for r in found.room_ids]},
            room_id=found.unapproved_second[0], person_id=found.person_id, unit_id=person.unit_id,
        )


@rule("unit_over_approved")
def unit_over_approved(facts, standards, today):
    for unit_id, check in check_units(facts, standards).items():
        if check.is_over:
            unit = facts.units[unit_id]
            diff, pct = check.get_difference("usable")
            yield Finding(
                "unit_over_approved", "unit", unit.code,
                f"{unit.name} 使用面积 {check.actual['usable']} m²，超出核定 {check.approved['usable']} m² 共 {diff} m²（{pct}%）",
                f"{unit.code} uses {check.actual['usable']} m², {diff} m² ({pct} %) over its approved {check.approved['usable']} m²",
                {"approved": check.approved, "actual": check.actual, "k": check.k, "over_m2": diff, "over_pct": pct},
                unit_id=unit_id,
            )


@rule("declared_vs_measured")
def declared_vs_measured(facts, standards, today):
    threshold = float(standards.rules.get("declared_vs_measured_pct", 5.0))
    for room in facts.rooms.values():
        deviation = Deviation(room.measured_area_m2, room.declared_area_m2)
        if room.status == "active" and deviation.diff_pct is not None and abs(deviation.diff_pct) > threshold:
            yield Finding(
                "declared_vs_measured", "room", room.global_id,
                f"房间 {room.number} 申报面积 {room.declared_area_m2} m² 与实测 {room.measured_area_m2} m² 相差 {deviation.diff_pct}%",
                f"room {room.number}: declared {room.declared_area_m2} m² vs measured {room.measured_area_m2} m² ({deviation.diff_pct} %)",
                {"declared_m2": room.declared_area_m2, "measured_m2": room.measured_area_m2, "diff_m2": deviation.diff_m2, "diff_pct": deviation.diff_pct},
                room_id=room.id, unit_id=room.unit_id,
            )


@rule("vacant_too_long")
def vacant_too_long(facts, standards, today):
    days = int(standards.rules.get("vacant_days", 180))
    occupied = {o.room_id for o in facts.occupancies}
    for room in facts.rooms.values():
        if (room.status == "active" and room.use_status == "vacant" and room.category in OFFICE_CATEGORIES
                and room.id not in occupied and room.use_status_since and (today - room.use_status_since).days > days):
            idle = (today - room.use_status_since).days
            yield Finding(
                "vacant_too_long", "room", room.global_id,
                f"办公室 {room.number} 已空置 {idle} 天，建议收回纳入调剂储备",
                f"office {room.number} has been vacant for {idle} days: suggest it for the reserve pool",
                {"vacant_since": room.use_status_since.isoformat(), "days": idle, "suggestion": "reserve"},
                room_id=room.id, unit_id=room.unit_id,
            )


@rule("departed_still_holding")
def departed_still_holding(facts, standards, today):
    grace = int(standards.rules.get("reclaim_days_after_leaving", 30))
    for occupancy in facts.occupancies:
        person = facts.people.get(occupancy.person_id)
        room = facts.rooms.get(occupancy.room_id)
        if (person is None or room is None or person.status == "active" or person.status_since is None
                or today - person.status_since <= timedelta(days=grace)):
            continue
        status = {"retired": "退休", "transferred": "调离"}.get(person.status, person.status)
        yield Finding(
            "departed_still_holding", "room", f"{room.global_id}/{person.code}",
            f"{person.name} 已于 {person.status_since} {status}，仍占用房间 {room.number}（应在1个月内收回）",
            f"{person.code} {person.status} on {person.status_since} and still holds room {room.number} (reclaim within a month)",
            {"status": person.status, "since": person.status_since.isoformat(), "days": (today - person.status_since).days},
            room_id=room.id, person_id=person.id, unit_id=room.unit_id,
        )


@rule("second_office_past_grace")
def second_office_past_grace(facts, standards, today):
    grace = int(standards.rules.get("second_office_grace_days", 60))
    for occupancy in facts.occupancies:
        if occupancy.kind != "second" or occupancy.concurrent_post_ended is None:
            continue
        if (today - occupancy.concurrent_post_ended).days <= grace:
            continue
        person, room = facts.people[occupancy.person_id], facts.rooms[occupancy.room_id]
        yield Finding(
            "second_office_past_grace", "room", f"{room.global_id}/{person.code}",
            f"{person.name} 的兼职已于 {occupancy.concurrent_post_ended} 结束，第二办公室 {room.number} 超过2个月仍未腾退",
            f"{person.code}'s concurrent post ended on {occupancy.concurrent_post_ended}; second office {room.number} not vacated after 2 months",
            {"post_ended": occupancy.concurrent_post_ended.isoformat(), "days": (today - occupancy.concurrent_post_ended).days},
            room_id=room.id, person_id=person.id, unit_id=room.unit_id,
        )


@rule("used_against_category")
def used_against_category(facts, standards, today):
    for occupancy in facts.occupancies:
        room = facts.rooms.get(occupancy.room_id)
        category = standards.get_category(room.category) if room else None
        if room is None or room.status != "active" or category is None or category.kind == "office":
            continue
        person = facts.people[occupancy.person_id]
        yield Finding(
            "used_against_category", "room", room.global_id,
            f"{category.zh} {room.number} 被用作办公室（{person.name}），改变了使用用途",
            f"{category.en} {room.number} is used as an office by {person.code}: a change of use",
            {"category": category.code},
            room_id=room.id, person_id=person.id, unit_id=room.unit_id,
        )


@rule("removed_room_with_occupants")
def removed_room_with_occupants(facts, standards, today):
    holders: dict[int, list[int]] = {}
    for occupancy in facts.occupancies:
        holders.setdefault(occupancy.room_id, []).append(occupancy.person_id)
    for room_id, people in holders.items():
        room = facts.rooms.get(room_id)
        if room is not None and room.status == "retired":
            names = "、".join(facts.people[p].name for p in people)
            yield Finding(
                "removed_room_with_occupants", "room", room.global_id,
                f"模型更新删除了房间 {room.number}，但台账中仍有使用人（{names}），请重新安置",
                f"a model update removed room {room.number}, which still has {len(people)} occupant(s): rehouse them",
                {"occupants": [facts.people[p].code for p in people]},
                room_id=room.id, unit_id=room.unit_id,
            )
