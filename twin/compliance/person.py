"""Person-level checks: each occupant's share of their offices against their rank's standard,
each office against the sum of its occupants' standards, and leaders holding several offices.

The standard of a person is looked up at their unit's *reference* level (参照执行级别). A room's
usable area is split equally among its current primary occupants. A leader's rest room (and,
where the jurisdiction says so, an en-suite toilet) counts inside the leader's limit.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from twin.compliance.facts import LedgerFacts, PersonFact, RoomFact
from twin.standards import Standards, UnknownLevel, UnknownRank

#: Room categories whose area counts towards a person's office standard.
OFFICE_CATEGORIES = ("office_leader", "office_staff", "rest_room")


@dataclass(frozen=True)
class PersonCheck:
    """One person's offices against their standard (areas in m2 on the chosen basis)."""

    person_id: int
    rank: str
    level: str
    limit_m2: float
    area_m2: float
    shares: dict[int, float]  # room id -> this person's share of it
    is_over: bool

    @property
    def over_m2(self) -> float:
        return round(self.area_m2 - self.limit_m2, 2)

    @property
    def over_pct(self) -> float:
        return round((self.area_m2 - self.limit_m2) * 100.0 / self.limit_m2, 1) if self.limit_m2 else 0.0


@dataclass(frozen=True)
class RoomCheck:
    """One office against the sum of its occupants' standards."""

    room_id: int
    area_m2: float
    occupants: int
    limits_m2: float
    is_over: bool

    @property
    def share_m2(self) -> float:
        return round(self.area_m2 / self.occupants, 2) if self.occupants else self.area_m2


def _tolerance(standards: Standards) -> float:
    return 1.0 + float(standards.settings.get("tolerance_pct", 0.0)) / 100.0


def get_limit(facts: LedgerFacts, person: PersonFact, standards: Standards) -> tuple[str, float] | None:
    """(reference level, limit m2) of a person, or ``None`` when the rank is unknown there."""
    unit = facts.units.get(person.unit_id)
    if unit is None:
        return None
    try:
        return unit.reference_level, standards.get_limit_m2(unit.reference_level, person.rank)
    except (UnknownRank, UnknownLevel):
        return None


def _counts(room: RoomFact, person: PersonFact, facts: LedgerFacts, standards: Standards) -> bool:
    """Whether a room's area counts towards this person's standard."""
    if room.category in OFFICE_CATEGORIES:
        return True
    if room.category == "toilet" and standards.settings.get("count_leader_toilet", True):
        unit = facts.units.get(person.unit_id)
        try:
            return unit is not None and standards.get_rank(unit.reference_level, person.rank).is_leader
        except (UnknownRank, UnknownLevel):
            return False
    return False


def _primary_occupants(facts: LedgerFacts) -> dict[int, list[int]]:
    by_room: dict[int, list[int]] = defaultdict(list)
    for occupancy in facts.occupancies:
        if occupancy.kind == "primary":
            by_room[occupancy.room_id].append(occupancy.person_id)
    return by_room


def check_people(facts: LedgerFacts, standards: Standards, *, basis: str | None = None) -> dict[int, PersonCheck]:
    """Every person with a current primary office, checked; keyed by person id."""
    basis = basis or standards.settings.get("person_check_area_basis", "measured")
    occupants = _primary_occupants(facts)
    shares: dict[int, dict[int, float]] = defaultdict(dict)
    for room_id, people in occupants.items():
        room = facts.rooms.get(room_id)
        area = room.get_area(basis) if room else None
        if room is None or room.status != "active" or area is None:
            continue
        for person_id in people:
            person = facts.people.get(person_id)
            if person is not None and _counts(room, person, facts, standards):
                shares[person_id][room_id] = area / len(people)
    tolerance = _tolerance(standards)
    checks = {}
    for person_id, by_room in shares.items():
        person = facts.people[person_id]
        limit = get_limit(facts, person, standards)
        if limit is None:
            continue
        level, limit_m2 = limit
        area = round(sum(by_room.values()), 2)
        checks[person_id] = PersonCheck(person_id, person.rank, level, limit_m2, area,
                                        {k: round(v, 2) for k, v in by_room.items()}, area > limit_m2 * tolerance + 1e-9)
    return checks


def check_rooms(facts: LedgerFacts, standards: Standards, *, basis: str | None = None) -> dict[int, RoomCheck]:
    """Every occupied office against the sum of its primary occupants' limits; keyed by room id."""
    basis = basis or standards.settings.get("person_check_area_basis", "measured")
    tolerance = _tolerance(standards)
    checks = {}
    for room_id, people in _primary_occupants(facts).items():
        room = facts.rooms.get(room_id)
        if room is None or room.status != "active" or room.category not in ("office_leader", "office_staff"):
            continue
        area = room.get_area(basis)
        limits = [get_limit(facts, facts.people[p], standards) for p in people if p in facts.people]
        if area is None or not limits or any(limit is None for limit in limits):
            continue
        total = sum(limit[1] for limit in limits)
        checks[room_id] = RoomCheck(room_id, round(area, 2), len(people), total, area > total * tolerance + 1e-9)
    return checks


def get_room_compliance(room: RoomFact, facts: LedgerFacts, person_checks: dict[int, PersonCheck],
                        room_checks: dict[int, RoomCheck]) -> str | None:
    """``over``, ``within`` or ``vacant`` for an office; ``None`` for rooms that are not offices."""
    if room.category not in OFFICE_CATEGORIES:
        return None
    occupancies = facts.get_occupancies_of_room(room.id)
    if not occupancies:
        return "vacant"
    people = [o.person_id for o in occupancies if o.kind == "primary"]
    check = room_checks.get(room.id)
    if (check is not None and check.is_over) or any(
        person_checks[p].is_over and room.id in person_checks[p].shares for p in people if p in person_checks
    ):
        return "over"
    return "within"


@dataclass(frozen=True)
class MultipleOffices:
    """A person holding more than one office at once (counting only office rooms)."""

    person_id: int
    room_ids: tuple[int, ...]
    unapproved_second: tuple[int, ...]  # second offices held without approval


def find_multiple_offices(facts: LedgerFacts) -> list[MultipleOffices]:
    """People holding more than one office (rest rooms of a suite are not a second office)."""
    offices: dict[int, list] = defaultdict(list)
    for occupancy in facts.occupancies:
        room = facts.rooms.get(occupancy.room_id)
        if room is not None and room.status == "active" and room.category in ("office_leader", "office_staff"):
            offices[occupancy.person_id].append(occupancy)
    found = []
    for person_id, held in offices.items():
        if len(held) > 1:
            unapproved = tuple(o.room_id for o in held if o.kind == "second" and not o.approved)
            primaries = [o for o in held if o.kind == "primary"]
            found.append(MultipleOffices(person_id, tuple(sorted(o.room_id for o in held)),
                                         unapproved + tuple(o.room_id for o in primaries[1:])))
    return found
