"""What an ingest of one model can change the warnings of, and the facts needed to find them.

An ingest changes one model's rooms (their areas, names, categories, storeys, whether they are
retired) and nothing else in the ledger. Re-evaluating every rule over the whole ledger after it
costs time in proportion to the ledger (0.2 s at 20,000 rooms, paid by every ingest), so an
ingest re-evaluates only the warnings whose subject it can have changed:

* rooms: the rooms it wrote (R), for every room rule. That is every room of a model's first
  version; of a later one, the rooms it added, changed, retired or restored. A room the model
  says the same about again is carried unwritten (:mod:`twin.ledger.roomsync`): its facts, and
  so its warnings, are as they were;
* people: whoever holds one of them (P), for their share of their offices and their offices
  held at once;
* units: the units those rooms are allocated to (U), for their area against the approved.

Finding those again needs complete facts about more than the subjects: all offices of the
people in P (a person's share is over all of them), all rooms of the units in U, and, for the
stored compliance of every office of P, the people who share those offices and all of *their*
offices. The rooms read are R, those rooms (R2), the offices of everyone in R2 (R4) and the
rooms of U; with their open occupancies and the people holding them. Warnings of other subjects
are left as they are (time-based rules run daily: ``twin warnings --refresh``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, or_, select, union
from sqlalchemy.orm import Session

from twin.alerts.rules import Finding
from twin.ledger.models import Occupancy, Room, Warning


@dataclass(frozen=True)
class Ids:
    """Row ids, held as a set (Python membership) and as the select that gave them (SQL
    conditions: no IN list of thousands of ids)."""

    ids: frozenset[int]
    query: Select

    def __contains__(self, item: object) -> bool:
        return item in self.ids


@dataclass(frozen=True)
class WarningScope:
    """The subjects an ingest re-evaluates and the rooms whose facts that needs."""

    rooms: Ids
    people: Ids
    units: Ids
    compliance_rooms: Ids  # offices whose stored compliance may have changed
    facts_rooms: Select  # ids of every room whose facts are read

    def covers(self, finding: Finding) -> bool:
        """Whether a finding is about a subject in scope."""
        if finding.subject_kind == "room":
            return finding.room_id in self.rooms
        if finding.subject_kind == "person":
            return finding.person_id in self.people
        if finding.subject_kind == "unit":
            return finding.unit_id in self.units
        return False

    def get_warning_filter(self) -> ColumnElement[bool]:
        """Stored warnings about a subject in scope (an SQL condition)."""
        return or_(
            and_(Warning.subject_kind == "room", Warning.room_id.in_(self.rooms.query)),
            and_(Warning.subject_kind == "person", Warning.person_id.in_(self.people.query)),
            and_(Warning.subject_kind == "unit", Warning.unit_id.in_(self.units.query)),
        )


#: Above this many rooms written, an ingest's scope is its whole model (no IN list of thousands).
ROOM_LIST_MAX = 1000


def get_model_scope(session: Session, model_id: int) -> WarningScope:
    """The scope of an ingest that wrote every room of model ``model_id`` (see the module docstring)."""
    return _get_scope(session, select(_ROOM.c.id).where(_ROOM.c.model_id == model_id))


def get_rooms_scope(session: Session, model_id: int, room_ids: Collection[int]) -> WarningScope:
    """The scope of an ingest of model ``model_id`` that wrote ``room_ids`` (added, changed,
    retired, restored) and carried the others unchanged: their facts, and so their warnings,
    are as they were. More than :data:`ROOM_LIST_MAX` rooms: the model's (a superset)."""
    if len(room_ids) > ROOM_LIST_MAX:
        return get_model_scope(session, model_id)
    return _get_scope(session, select(_ROOM.c.id).where(_ROOM.c.id.in_(sorted(room_ids))))


#: The scope's selects are of the tables, not the mapped classes: a select of a mapped class that
#: has been executed carries ORM compile state, and statements that embed it then miss
#: SQLAlchemy's statement cache (compiled again at every ingest, measured: 5-10 ms).
_ROOM, _OCCUPANCY = Room.__table__, Occupancy.__table__


def _get_scope(session: Session, rooms: Select) -> WarningScope:
    """The scope of an ingest that wrote ``rooms`` (a select of room ids)."""
    is_open = _OCCUPANCY.c.end_date.is_(None)
    people = select(_OCCUPANCY.c.person_id).where(is_open, _OCCUPANCY.c.room_id.in_(rooms))
    their_rooms = select(_OCCUPANCY.c.room_id).where(is_open, _OCCUPANCY.c.person_id.in_(people))  # R2
    sharing = select(_OCCUPANCY.c.person_id).where(is_open, _OCCUPANCY.c.room_id.in_(their_rooms))
    sharing_rooms = select(_OCCUPANCY.c.room_id).where(is_open, _OCCUPANCY.c.person_id.in_(sharing))  # R4, holds R2
    units = select(_ROOM.c.unit_id).where(_ROOM.c.id.in_(rooms), _ROOM.c.unit_id.is_not(None))
    unit_rooms = select(_ROOM.c.id).where(_ROOM.c.unit_id.in_(units))
    connection = session.connection()

    def read(query: Select) -> Ids:
        return Ids(frozenset(connection.execute(query).scalars()), query)

    return WarningScope(
        rooms=read(rooms),
        people=read(people),
        units=read(units),
        compliance_rooms=read(select(union(rooms, their_rooms).subquery().c[0])),
        facts_rooms=select(union(rooms, sharing_rooms, unit_rooms).subquery().c[0]),
    )
