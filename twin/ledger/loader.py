"""Load the ledger's own data from plain CSV files a person can edit.

A folder may hold any of these (UTF-8, header row, one record per line):

* ``units.csv``: ``code, name, kind, admin_level, reference_level, approved_posts``
  (``approved_posts`` as ``正厅(局)级:1;副厅(局)级:3;正处级:8``)
* ``people.csv``: ``code, name, unit, rank, title, status, status_since``
* ``rooms.csv``: ``room, unit, use_status, category, since`` (``room`` is a room number or
  GlobalId; ``since`` the date the use status began)
* ``occupancy.csv``: ``person, room, kind, start_date, end_date, approved, concurrent_post_ended``
* ``titles.csv``: ``building, certificate_no, owner, registered_area_m2, land_area_m2, state, year_built, issued_on``

Every row is validated first; any bad row fails the whole load with ``file:line: reason`` for
each bad row, and nothing is written. A good load is one transaction; records are matched by
their codes, so loading the same folder twice changes nothing.
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator
from sqlalchemy import Engine, or_, select
from sqlalchemy.orm import Session

from twin.alerts.engine import refresh_warnings
from twin.errors import TwinError
from twin.ledger.db import transaction
from twin.ledger.models import Building, History, Occupancy, Person, Room, Title, Unit
from twin.standards import Standards, get_standards

log = logging.getLogger(__name__)

USE_STATUSES = ("in_use", "vacant", "reserve", "repair", "lent", "leased_out", "disposed")
PERSON_STATUSES = ("active", "retired", "transferred")


class BadLedgerData(TwinError):
    """One or more rows of a ledger file are invalid; the message lists each as ``file:line``."""

    http_status = 422


class _Row(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and value.strip() == "" else value


class UnitRow(_Row):
    code: str
    name: str
    kind: str = "agency"
    admin_level: str
    reference_level: str | None = None
    approved_posts: str | None = None

    def get_posts(self) -> dict[str, int]:
        posts: dict[str, int] = {}
        for part in (self.approved_posts or "").split(";"):
            if part.strip():
                rank, _, count = part.partition(":")
                posts[rank.strip()] = int(count)
        return posts


class PersonRow(_Row):
    code: str
    name: str
    unit: str
    rank: str
    title: str | None = None
    status: str = "active"
    status_since: date | None = None


class RoomRow(_Row):
    room: str
    unit: str | None = None
    use_status: str | None = None
    category: str | None = None
    since: date | None = None


class OccupancyRow(_Row):
    person: str
    room: str
    kind: str = "primary"
    start_date: date
    end_date: date | None = None
    approved: bool = False
    concurrent_post_ended: date | None = None


class TitleRow(_Row):
    building: str
    certificate_no: str | None = None
    owner: str
    registered_area_m2: float | None = None
    land_area_m2: float | None = None
    state: str = "registered"
    year_built: int | None = None
    issued_on: date | None = None


FILES = {"units.csv": UnitRow, "people.csv": PersonRow, "rooms.csv": RoomRow, "occupancy.csv": OccupancyRow, "titles.csv": TitleRow}


@dataclass
class LoadReport:
    """How many records each file created or changed."""

    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)


def _read_rows(path: Path, model: type[_Row], errors: list[str]) -> list[tuple[int, _Row]]:
    rows = []
    with path.open(newline="", encoding="utf-8-sig") as stream:
        reader = csv.DictReader(stream)
        missing = [f for f, info in model.model_fields.items() if info.is_required() and f not in (reader.fieldnames or [])]
        if missing:
            errors.append(f"{path}:1: missing column(s) {', '.join(missing)}")
            return rows
        for raw in reader:
            line = reader.line_num
            if None in raw:
                errors.append(f"{path}:{line}: more values than columns")
                continue
            try:
                rows.append((line, model.model_validate(raw)))
            except ValidationError as error:
                reasons = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
                errors.append(f"{path}:{line}: {reasons}")
    return rows


class _Loader:
    def __init__(self, session: Session, standards: Standards, errors: list[str], report: LoadReport):
        self.session, self.standards, self.errors, self.report = session, standards, errors, report

    def count(self, kind: str, created: bool) -> None:
        target = self.report.created if created else self.report.updated
        target[kind] = target.get(kind, 0) + 1

    def history(self, entity: str, subject, key: str, action: str, changes: dict, actor: str) -> None:
        self.session.flush()
        self.session.add(History(entity=entity, subject_id=subject.id, subject_key=key, action=action, changes=changes, actor=actor))

    def apply(self, obj, values: dict[str, Any], entity: str, key: str, actor: str, created: bool) -> None:
        changes = {k: [getattr(obj, k, None), v] for k, v in values.items() if getattr(obj, k, None) != v}
        for k, v in values.items():
            setattr(obj, k, v)
        if created or changes:
            self.count(entity, created)
            self.history(entity, obj, key, "created" if created else "updated", {k: _json(v) for k, v in changes.items()}, actor)

    def find_room(self, ref: str, where: str) -> Room | None:
        """The room with this number or GlobalId: the active one, else a single retired one
        (records about rooms a model has since removed are still history)."""
        rooms = self.session.scalars(select(Room).where(or_(Room.number == ref, Room.global_id == ref))).all()
        active = [r for r in rooms if r.status == "active"]
        found = active if active else rooms
        if len(found) != 1:
            self.errors.append(f"{where}: {'no room' if not found else f'{len(found)} rooms'} with number or GlobalId {ref!r}")
            return None
        return found[0]


def _json(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_json(v) for v in value]
    return value.isoformat() if isinstance(value, date) else value


def load_ledger(folder: str | Path, *, engine: Engine, actor: str | None = None, standards: Standards | None = None) -> LoadReport:
    """Validate and load a folder of ledger CSV files in one transaction (see module docstring)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise BadLedgerData(f"{folder}: no such folder")
    standards = standards or get_standards()
    errors: list[str] = []
    parsed = {name: _read_rows(folder / name, model, errors) for name, model in FILES.items() if (folder / name).is_file()}
    if not parsed:
        raise BadLedgerData(f"{folder}: none of {', '.join(FILES)} is there")
    if errors:
        raise BadLedgerData("; ".join(errors))
    report = LoadReport()
    actor = actor or f"load:{folder.name}"
    with transaction(engine) as session:
        loader = _Loader(session, standards, errors, report)
        _load_units(loader, folder / "units.csv", parsed.get("units.csv", []), actor)
        _load_people(loader, folder / "people.csv", parsed.get("people.csv", []), actor)
        _load_rooms(loader, folder / "rooms.csv", parsed.get("rooms.csv", []), actor)
        _load_occupancy(loader, folder / "occupancy.csv", parsed.get("occupancy.csv", []), actor)
        _load_titles(loader, folder / "titles.csv", parsed.get("titles.csv", []), actor)
        if errors:
            raise BadLedgerData("; ".join(errors))  # rolls the transaction back
        if report.created or report.updated:
            refresh_warnings(session)
    log.info("loaded %s: created %s, updated %s", folder, report.created, report.updated)
    return report


def _load_units(loader: _Loader, path: Path, rows, actor: str) -> None:
    for line, row in rows:
        where = f"{path}:{line}"
        reference = row.reference_level or row.admin_level
        for level in {row.admin_level, reference}:
            if level not in loader.standards.ranks:
                loader.errors.append(f"{where}: unknown level {level!r}; known: {', '.join(loader.standards.ranks)}")
        posts = row.get_posts()
        for rank in posts:
            if reference in loader.standards.ranks and rank not in loader.standards.ranks[reference]:
                loader.errors.append(f"{where}: approved post rank {rank!r} is not a rank of level {reference!r}")
        unit = loader.session.scalar(select(Unit).where(Unit.code == row.code))
        created = unit is None
        if created:
            unit = Unit(code=row.code)
            loader.session.add(unit)
        loader.apply(unit, {"name": row.name, "kind": row.kind, "admin_level": row.admin_level,
                            "reference_level": reference, "approved_posts": posts}, "unit", row.code, actor, created)


def _get_unit(loader: _Loader, code: str | None, where: str) -> Unit | None:
    unit = loader.session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        loader.errors.append(f"{where}: unknown unit {code!r}")
    return unit


def _load_people(loader: _Loader, path: Path, rows, actor: str) -> None:
    for line, row in rows:
        where = f"{path}:{line}"
        unit = _get_unit(loader, row.unit, where)
        if row.status not in PERSON_STATUSES:
            loader.errors.append(f"{where}: status must be one of {', '.join(PERSON_STATUSES)}")
        if unit is None:
            continue
        if row.rank not in loader.standards.ranks.get(unit.reference_level, {}):
            loader.errors.append(f"{where}: rank {row.rank!r} is not a rank of level {unit.reference_level!r} (unit {unit.code})")
            continue
        person = loader.session.scalar(select(Person).where(Person.code == row.code))
        created = person is None
        if created:
            person = Person(code=row.code)
            loader.session.add(person)
        loader.apply(person, {"name": row.name, "rank": row.rank, "unit_id": unit.id, "title": row.title,
                              "status": row.status, "status_since": row.status_since}, "person", row.code, actor, created)


def _load_rooms(loader: _Loader, path: Path, rows, actor: str) -> None:
    for line, row in rows:
        where = f"{path}:{line}"
        room = loader.find_room(row.room, where)
        unit = _get_unit(loader, row.unit, where) if row.unit else None
        if row.use_status is not None and row.use_status not in USE_STATUSES:
            loader.errors.append(f"{where}: use_status must be one of {', '.join(USE_STATUSES)}")
        if row.category is not None and loader.standards.get_category(row.category) is None:
            loader.errors.append(f"{where}: unknown category {row.category!r}")
        if room is None or (row.unit and unit is None):
            continue
        values = {"unit_id": unit.id if unit else None}
        if row.use_status:
            values["use_status"] = row.use_status
        if row.since:
            values["use_status_since"] = row.since
        if row.category:
            values["category"] = loader.standards.get_category(row.category).code
            values["category_source"] = "ledger"
        loader.apply(room, values, "room", room.global_id, actor, False)


def _load_occupancy(loader: _Loader, path: Path, rows, actor: str) -> None:
    for line, row in rows:
        where = f"{path}:{line}"
        person = loader.session.scalar(select(Person).where(Person.code == row.person))
        if person is None:
            loader.errors.append(f"{where}: unknown person {row.person!r}")
        room = loader.find_room(row.room, where)
        if row.kind not in ("primary", "second"):
            loader.errors.append(f"{where}: kind must be primary or second")
        if row.end_date and row.end_date < row.start_date:
            loader.errors.append(f"{where}: end_date before start_date")
        if person is None or room is None:
            continue
        occupancy = loader.session.scalar(select(Occupancy).where(
            Occupancy.person_id == person.id, Occupancy.room_id == room.id, Occupancy.start_date == row.start_date))
        created = occupancy is None
        if created:
            occupancy = Occupancy(person_id=person.id, room_id=room.id, start_date=row.start_date)
            loader.session.add(occupancy)
        loader.apply(occupancy, {"kind": row.kind, "end_date": row.end_date, "approved": row.approved,
                                 "concurrent_post_ended": row.concurrent_post_ended},
                     "occupancy", f"{person.code}@{room.global_id}", actor, created)


def _load_titles(loader: _Loader, path: Path, rows, actor: str) -> None:
    for line, row in rows:
        where = f"{path}:{line}"
        buildings = loader.session.scalars(select(Building).where(
            or_(Building.name == row.building, Building.long_name == row.building, Building.global_id == row.building))).all()
        if len(buildings) != 1:
            loader.errors.append(f"{where}: {len(buildings)} buildings named {row.building!r}")
            continue
        if row.state not in ("registered", "filed", "none"):
            loader.errors.append(f"{where}: state must be registered, filed or none")
        title = loader.session.scalar(select(Title).where(Title.building_id == buildings[0].id, Title.certificate_no == row.certificate_no))
        created = title is None
        if created:
            title = Title(building_id=buildings[0].id, certificate_no=row.certificate_no)
            loader.session.add(title)
        loader.apply(title, {"owner": row.owner, "registered_area_m2": row.registered_area_m2, "land_area_m2": row.land_area_m2,
                             "state": row.state, "year_built": row.year_built, "issued_on": row.issued_on},
                     "title", row.certificate_no or row.building, actor, created)
