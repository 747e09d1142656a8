"""The plain facts compliance works on, read from the ledger in a few queries.

Checks never touch the database: they take these named tuples, so tests can build them by hand
(and a large ledger's 20,000 rooms are built in milliseconds; as frozen dataclasses, which set
each field through ``object.__setattr__``, they took ten times longer).
Areas are usable (使用面积) m2: the room's measured floor area, or its declared area, as the
``person_check_area_basis`` setting says (both are always kept).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from twin.ledger.models import Occupancy, Person, Room, Storey, Unit


class UnitFact(NamedTuple):
    id: int
    code: str
    name: str
    admin_level: str
    reference_level: str
    approved_posts: dict[str, int]


class PersonFact(NamedTuple):
    id: int
    code: str
    name: str
    rank: str
    unit_id: int
    status: str
    status_since: date | None


class OccupancyFact(NamedTuple):
    id: int
    person_id: int
    room_id: int
    kind: str  # primary | second
    start_date: date
    approved: bool
    concurrent_post_ended: date | None


class RoomFact(NamedTuple):
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


def read_facts(session: Session, *, rooms: Select | None = None) -> LedgerFacts:
    """Read units, people, rooms (active and retired) and open occupancies.

    ``rooms``: a select of room ids; then only those rooms, the open occupancies of them and the
    people holding those are read (every unit still). Plain columns only, in the fact classes'
    field order: no ORM objects and none of the rooms' JSON (properties, footprints), so this
    stays cheap on large ledgers.
    """
    session.flush()  # pending changes first: the rest reads (and the caller may write) through the connection
    connection = session.connection()  # plain rows straight from the driver: no ORM result processing
    facts = LedgerFacts()
    units = select(Unit.id, Unit.code, Unit.name, Unit.admin_level, Unit.reference_level, Unit.approved_posts)
    for row in connection.execute(units):
        facts.units[row.id] = UnitFact(*row[:5], dict(row.approved_posts or {}))
    is_open = Occupancy.end_date.is_(None)
    people = select(Person.id, Person.code, Person.name, Person.rank, Person.unit_id, Person.status, Person.status_since)
    if rooms is not None:
        people = people.where(Person.id.in_(select(Occupancy.person_id).where(is_open, Occupancy.room_id.in_(rooms))))
    facts.people = {row.id: PersonFact(*row) for row in connection.execute(people)}
    storey_counts = dict(connection.execute(select(Storey.building_id, func.count(Storey.id)).where(Storey.is_active).group_by(Storey.building_id)).all())
    room_rows = select(
        Room.id, Room.global_id, Room.number, Room.name, Room.category, Room.unit_id, Room.use_status, Room.use_status_since,
        Room.measured_area_m2, Room.declared_area_m2, Room.status, Storey.building_id, Room.storey_id,
    ).join(Storey, Room.storey_id == Storey.id)
    if rooms is not None:
        room_rows = room_rows.where(Room.id.in_(rooms))
    facts.rooms = {row.id: RoomFact(*row, int(storey_counts.get(row.building_id, 0))) for row in connection.execute(room_rows)}
    occupancies = select(Occupancy.id, Occupancy.person_id, Occupancy.room_id, Occupancy.kind, Occupancy.start_date,
                         Occupancy.approved, Occupancy.concurrent_post_ended).where(is_open)
    if rooms is not None:
        occupancies = occupancies.where(Occupancy.room_id.in_(rooms))
    facts.occupancies = [OccupancyFact(*row) for row in connection.execute(occupancies)]
    return facts
