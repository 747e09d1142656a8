"""A room's card: its row, measures, declared areas with sources, occupants with rank and
standard, inspections, open warnings and history, read in one statement.

The lists come as :func:`~twin.ledger.jsonrows.json_rows` subqueries of the room's own row, with
the ledger revision beside them: one round trip, and a revision that is exactly the one the card
was read at (what :class:`~twin.ledger.revision.RevisionCache` needs to cache it safely).
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

from sqlalchemy import Connection, Select, bindparam, select
from sqlalchemy.orm import aliased

from twin.errors import NotFound
from twin.ledger.jsonrows import json_rows
from twin.ledger.models import DeclaredArea, History, Inspection, LedgerRevision, Occupancy, Person, Room, Unit, Warning
from twin.ledger.rooms import ROOM_ROWS, columns_to_row
from twin.standards import UnknownLevel, UnknownRank, get_standards

#: The room columns the card shows beyond the search row, under their own names.
CARD_COLUMNS = (
    Room.object_type, Room.predefined_type, Room.remarks, Room.footprint, Room.centroid, Room.bbox,
    Room.is_closed, Room.storey_inferred, Room.row_version, Room.properties,
)
_CARD_ROOM_KEYS = tuple(c.key for c in CARD_COLUMNS)

#: A warning as a row of its columns (what :func:`warning_to_dict` reads), in table order.
WarningRow = namedtuple("WarningRow", [c.key for c in Warning.__table__.columns])


def _build_card_query() -> Select:
    """The card's one statement, built once: the search row, the card columns, the revision and
    one JSON list per related table (each list carries its sort keys: :func:`read_room_card` sorts)."""
    unit = aliased(Unit)  # the occupant's unit; the outer query's Unit is the room's
    lists = {
        "areas": select(json_rows(DeclaredArea.id, DeclaredArea.kind, DeclaredArea.value_m2, DeclaredArea.source, DeclaredArea.origin))
        .where(DeclaredArea.room_id == Room.id),
        "history": select(json_rows(History.id, History.at, History.action, History.model_version_id, History.changes, History.actor))
        .where(History.entity == "room", History.subject_id == Room.id),
        "inspections": select(json_rows(Inspection.id, Inspection.at, Inspection.finding, Inspection.severity,
                                        Inspection.surveyed_area_m2, Inspection.inspector))
        .where(Inspection.room_id == Room.id),
        "warnings": select(json_rows(*Warning.__table__.columns)).where(Warning.room_id == Room.id, Warning.status != "resolved"),
        "occupants": select(json_rows(Occupancy.id, Occupancy.kind, Occupancy.start_date, Person.rank, Person.status, Person.code,
                                      Person.name, Person.title, unit.name, unit.reference_level))
        .select_from(Occupancy).join(Person, Occupancy.person_id == Person.id).join(unit, Person.unit_id == unit.id)
        .where(Occupancy.room_id == Room.id, Occupancy.end_date.is_(None)),
    }
    revision = select(LedgerRevision.value).where(LedgerRevision.id == 1).scalar_subquery()
    return ROOM_ROWS.add_columns(
        Room.id, *CARD_COLUMNS, revision.label("revision"),
        *(query.correlate(Room).scalar_subquery().label(name) for name, query in lists.items()),
    ).where(Room.global_id == bindparam("global_id"))


_CARD_QUERY = _build_card_query()


def read_room_card(connection: Connection, global_id: str, *, with_names: bool = True) -> tuple[dict[str, Any], int]:
    """The room's card (names of people only ``with_names``) and the ledger revision it was read at."""
    room = connection.execute(_CARD_QUERY, {"global_id": global_id}).first()
    if room is None:
        raise NotFound(f"no room with GlobalId {global_id}")
    areas = sorted(room.areas)
    history = sorted(room.history, key=lambda h: (h[1], h[0]), reverse=True)  # newest first
    inspections = sorted(room.inspections, key=lambda i: (i[1], i[0]), reverse=True)
    warnings = sorted((WarningRow._make(values) for values in room.warnings), key=lambda w: (w.first_seen, w.id))
    card = {
        **columns_to_row(room),
        "occupants": _occupants(room.occupants, with_names=with_names),
        "inspections": [
            {"at": at.isoformat(), "finding": finding, "severity": severity, "surveyed_area_m2": area,
             **({"inspector": inspector} if with_names else {})}
            for _, at, finding, severity, area, inspector in inspections
        ],
        "warnings": [warning_to_dict(w, with_names=with_names) for w in warnings],
        **{key: getattr(room, key) for key in _CARD_ROOM_KEYS},
        "declared_areas": [{"kind": kind, "value_m2": value, "source": source, "origin": origin} for _, kind, value, source, origin in areas],
        "history": [
            {"at": at.isoformat(), "action": action, "model_version_id": version,
             **({"changes": changes, "actor": actor} if with_names else {"changes": _without_people(changes)})}
            for _, at, action, version, changes, actor in history
        ],
    }
    return card, int(room.revision or 0)


def get_room_card(connection: Connection, global_id: str, *, with_names: bool = True) -> dict[str, Any]:
    """Everything about one room: its row, measures, declared areas with sources, occupants
    (names only ``with_names``), inspections and history."""
    return read_room_card(connection, global_id, with_names=with_names)[0]


def _occupants(rows: list[list[Any]], *, with_names: bool) -> list[dict[str, Any]]:
    """Current occupants with rank and the standard (m2) their rank has in their unit, by start date."""
    standards = get_standards()
    occupants = []
    for id_, kind, start, rank, status, code, name, title, unit_name, level in sorted(rows, key=lambda r: (r[2], r[5] or "")):
        try:
            standard = standards.get_limit_m2(level, rank)
        except (UnknownRank, UnknownLevel):
            standard = None
        entry = {
            "occupancy_id": id_, "rank": rank, "standard_m2": standard, "kind": kind,
            "since": start.isoformat(), "status": status, "unit_name": unit_name,
        }
        if with_names:
            entry.update({"person_code": code, "name": name, "title": title})
        occupants.append(entry)
    return occupants


def _without_people(changes: dict[str, Any] | None) -> dict[str, Any]:
    """History changes with personal references removed (for roles that see no names)."""
    return {k: v for k, v in (changes or {}).items() if k not in ("person", "finding", "name_of_person")}


#: Warning rule titles, for roles that see no names (the messages name people).
RULE_TITLES = {
    "person_over_standard": ("人员办公用房超标", "person over standard"),
    "room_over_standard": ("办公室面积超过使用人标准之和", "office over its occupants' standards"),
    "multiple_offices": ("多处占用办公室", "more than one office"),
    "unit_over_approved": ("单位超核定面积", "unit over approved area"),
    "declared_vs_measured": ("申报与实测面积不符", "declared and measured areas disagree"),
    "vacant_too_long": ("长期空置", "vacant too long"),
    "departed_still_holding": ("离岗人员未腾退", "departed person still holds a room"),
    "second_office_past_grace": ("兼职办公室逾期未腾退", "second office past its grace"),
    "used_against_category": ("改变用途", "used against its category"),
    "removed_room_with_occupants": ("模型删除了有人使用的房间", "model removed an occupied room"),
}


def warning_to_dict(warning, *, with_names: bool = True) -> dict[str, Any]:
    """A warning (ORM object or :data:`WarningRow`) for the API; without names, the message is the
    rule's title and the subject."""
    zh, en = RULE_TITLES.get(warning.rule, (warning.rule, warning.rule))
    evidence = dict(warning.evidence or {})
    message, message_en = warning.message, evidence.pop("message_en", None)
    if not with_names:
        message, message_en = zh, en
        evidence = {k: v for k, v in evidence.items() if k not in ("occupants",)}
        subject = None if warning.subject_kind == "person" else warning.subject_key.split("/", 1)[0]  # room/person keys
    else:
        subject = warning.subject_key
    return {
        "id": warning.id, "rule": warning.rule, "title": zh, "title_en": en, "severity": warning.severity,
        "subject_kind": warning.subject_kind, "subject_key": subject, "room_id": warning.room_id, "unit_id": warning.unit_id,
        "message": message, "message_en": message_en, "evidence": evidence, "status": warning.status,
        "first_seen": warning.first_seen.isoformat(), "last_seen": warning.last_seen.isoformat(),
        "resolved_at": warning.resolved_at.isoformat() if warning.resolved_at else None,
    }
