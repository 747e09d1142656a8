"""The plain facts compliance works on, read from the ledger in a few queries.

Checks never touch the database: they take these dataclasses, so tests can build them by hand.
Areas are usable (使用面积) m2: the room's measured floor area, or its declared area, as the
``person_check_area_basis`` setting says (both are always kept).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from twin.ledger.models import Building, Occupancy, Person, Room, Storey, Unit


@dataclass(frozen=True)
class UnitFact:
    id: int
    code: str
    name: str
    admin_level: str
    reference_level: str
    approved_posts: dict[str, int]


@dataclass(frozen=True)
class PersonFact:
    id: int
    code: str
    name: str
    rank: str
    unit_id: int
    status: str
    status_since: date | None


@dataclass(frozen=True)
class OccupancyFact:
    id: int
    person_id: int
    room_id: int
    kind: str  # primary | second
    start_date: date
    approved: bool
    concurrent_post_ended: date | None


@dataclass(frozen=True)
class RoomFact:
    id: int
    global_id: str
    number: str | None
    name: str | None
    category: str | None
    unit_id: int | None
    use_status: str | None
    use_status_since: date | None
    measured_area_m2: float | None
    declared_area_m2: float | None
    status: str
    building_id: int
    storey_id: int
    building_storeys: int

    def get_area(self, basis: str) -> float | None:
        """The room's usable area on the chosen basis (``measured`` or ``declared``)."""
        return self.declared_area_m2 if basis == "declared" else self.measured_area_m2


@dataclass
class LedgerFacts:
    """Everything the checks need, keyed by id."""

    units: dict[int, UnitFact] = field(default_factory=dict)
    people: dict[int, PersonFact] = field(default_factory=dict)
    rooms: dict[int, RoomFact] = field(default_factory=dict)
    occupancies: list[OccupancyFact] = field(default_factory=list)  # open ones only

    def get_occupancies_of_room(self, room_id: int) -> list[OccupancyFact]:
        return [o for o in self.occupancies if o.room_id == room_id]


def read_facts(session: Session) -> LedgerFacts:
    """Read units, people, rooms (active and retired) and open occupancies."""
    facts = LedgerFacts()
    for u in session.scalars(select(Unit)):
        facts.units[u.id] = UnitFact(u.id, u.code, u.name, u.admin_level, u.reference_level, dict(u.approved_posts or {}))
    for p in session.scalars(select(Person)):
        facts.people[p.id] = PersonFact(p.id, p.code, p.name, p.rank, p.unit_id, p.status, p.status_since)
    storey_counts = dict(session.execute(select(Storey.building_id, func.count(Storey.id)).where(Storey.is_active).group_by(Storey.building_id)).all())
    rows = session.execute(
        select(Room, Storey.building_id).join(Storey, Room.storey_id == Storey.id).join(Building, Storey.building_id == Building.id)
    ).all()
    for r, building_id in rows:
        facts.rooms[r.id] = RoomFact(
            r.id, r.global_id, r.number, r.name, r.category, r.unit_id, r.use_status, r.use_status_since,
            r.measured_area_m2, r.declared_area_m2, r.status, building_id, r.storey_id, int(storey_counts.get(building_id, 0)),
        )
    for o in session.scalars(select(Occupancy).where(Occupancy.end_date.is_(None))):
        facts.occupancies.append(OccupancyFact(o.id, o.person_id, o.room_id, o.kind, o.start_date, o.approved, o.concurrent_post_ended))
    return facts
