"""What a report says, gathered from the ledger for one scope: the whole ledger or one unit.

Pure data (dataclasses) so the workbook, the HTML and the tests read the same figures:

* the summary (rooms, areas, compliance, deviation classes, warnings by severity and rule);
* areas by category and category kind (:mod:`twin.standards` categories);
* each unit's approved against actual area (:func:`twin.compliance.unit.check_units`);
* people over their standard, with names (:func:`twin.compliance.person.check_people`);
* every room with its declared-vs-measured class (:class:`twin.compliance.deviation.Deviation`);
* the open (and acknowledged) warnings of the ``warning`` table.

A unit's scope is its own rooms, people and warnings. Room compliance (over / within / vacant)
is computed afresh from the same facts the person check uses, so tables and images agree.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from twin.compliance.deviation import CLASSES, Deviation
from twin.compliance.facts import LedgerFacts, read_facts
from twin.compliance.person import PersonCheck, check_people, check_rooms, get_room_compliance
from twin.compliance.unit import check_units
from twin.errors import NotFound
from twin.ledger.models import Building, Occupancy, Person, Room, Storey, Unit, Warning
from twin.reports.labels import KIND_LABELS, SEVERITY_ORDER, rule_title
from twin.standards import Standards, get_standards


@dataclass(frozen=True)
class Scope:
    """The whole ledger (``unit_id`` None) or one unit."""

    unit_id: int | None = None
    unit_code: str | None = None
    unit_name: str | None = None

    @property
    def is_campus(self) -> bool:
        return self.unit_id is None

    @property
    def title(self) -> tuple[str, str]:
        """(zh, en) name of the scope."""
        if self.is_campus:
            return "全部院落", "whole ledger"
        return f"{self.unit_name}", f"unit {self.unit_code}"

    @property
    def slug(self) -> str:
        """For file names (ASCII): ``campus`` or the unit code."""
        return "campus" if self.is_campus else "".join(c if (c.isascii() and c.isalnum()) or c in "-_" else "_" for c in self.unit_code or "unit")


@dataclass(frozen=True)
class CategoryArea:
    """Rooms of one category: count, measured usable area, declared area (where declared), and the
    measured area of just the rooms that declare one (to compare like with like)."""

    code: str | None
    kind: str | None
    group: str | None
    zh: str
    en: str
    rooms: int
    measured_m2: float
    declared_m2: float
    measured_of_declared_m2: float


@dataclass(frozen=True)
class UnitRow:
    unit_id: int
    code: str
    name: str
    reference_level: str
    posts: int
    k: float
    approved: dict[str, float]
    actual: dict[str, float]
    over_m2: float
    over_pct: float | None
    is_over: bool


@dataclass(frozen=True)
class PersonRow:
    """A person over their standard (reports are for admins and inspectors: names shown)."""

    person_id: int
    code: str
    name: str
    title: str | None
    unit_code: str
    unit_name: str
    rank: str
    level: str
    limit_m2: float
    area_m2: float
    over_m2: float
    over_pct: float
    rooms: tuple[str, ...]


@dataclass(frozen=True)
class RoomRow:
    id: int
    global_id: str
    building: str
    storey: str
    storey_id: int
    number: str | None
    name: str | None
    category: str | None
    category_zh: str
    category_en: str
    kind: str | None
    unit_code: str | None
    unit_name: str | None
    use_status: str | None
    compliance: str | None
    measured_m2: float | None
    declared_m2: float | None
    declared_source: str | None
    deviation_class: str
    diff_m2: float | None
    diff_pct: float | None
    occupants: tuple[str, ...]


@dataclass(frozen=True)
class WarningRow:
    id: int
    rule: str
    title_zh: str
    title_en: str
    severity: str
    status: str
    subject_kind: str
    subject_key: str
    room_number: str | None
    unit_code: str | None
    message: str
    message_en: str | None
    first_seen: datetime


@dataclass(frozen=True)
class StoreyRow:
    """A storey holding rooms of the scope; ``over`` counts the scope's over-standard rooms on it."""

    id: int
    building: str
    name: str
    elevation_m: float
    rooms: int
    over: int


@dataclass
class Summary:
    rooms: int = 0
    measured_m2: float = 0.0
    declared_m2: float = 0.0
    compliance: dict[str | None, int] = field(default_factory=dict)  # over / within / vacant / None
    use_status: dict[str | None, int] = field(default_factory=dict)
    deviation: dict[str, int] = field(default_factory=dict)  # CLASSES -> rooms
    people_checked: int = 0
    people_over: int = 0
    over_m2: float = 0.0  # summed over people over standard
    units: int = 0
    units_over: int = 0
    warnings: int = 0
    warnings_by_severity: dict[str, int] = field(default_factory=dict)
    warnings_by_rule: dict[str, dict[str, int]] = field(default_factory=dict)  # rule -> severity -> n


@dataclass
class ReportData:
    scope: Scope
    generated_at: datetime
    standard: dict[str, object]  # name, document, verified, basis
    summary: Summary
    categories: list[CategoryArea]
    kinds: list[CategoryArea]  # categories summed per kind (code None)
    units: list[UnitRow]
    people_over: list[PersonRow]
    rooms: list[RoomRow]
    warnings: list[WarningRow]
    storeys: list[StoreyRow]

    @property
    def compliance_by_room(self) -> dict[int, str | None]:
        return {r.id: r.compliance for r in self.rooms}


def resolve_scope(session: Session, unit_code: str | None) -> Scope:
    """The scope of a unit code (``None``: the whole ledger); :class:`NotFound` for an unknown code."""
    if not unit_code:
        return Scope()
    unit = session.scalar(select(Unit).where(Unit.code == unit_code))
    if unit is None:
        raise NotFound(f"no unit with code {unit_code!r}")
    return Scope(unit.id, unit.code, unit.name)


def _in_scope(scope: Scope, unit_id: int | None) -> bool:
    return scope.is_campus or unit_id == scope.unit_id


def _r2(value: float) -> float:
    return round(value, 2)


def _categories(rooms: list[RoomRow], standards: Standards) -> tuple[list[CategoryArea], list[CategoryArea]]:
    sums: dict[str | None, list[float]] = defaultdict(lambda: [0, 0.0, 0.0, 0.0])
    for room in rooms:
        entry = sums[room.category]
        entry[0] += 1
        entry[1] += room.measured_m2 or 0.0
        if room.declared_m2 is not None:
            entry[2] += room.declared_m2
            entry[3] += room.measured_m2 or 0.0
    order = {code: i for i, code in enumerate(standards.categories)}
    kind_order = {kind: i for i, kind in enumerate(KIND_LABELS)}
    categories = []
    for code, (count, measured, declared, measured_declared) in sums.items():
        category = standards.get_category(code)
        if category is None:
            zh, en = KIND_LABELS[None] if code is None else (code, code)
            categories.append(CategoryArea(code, None, None, zh, en, count, _r2(measured), _r2(declared), _r2(measured_declared)))
        else:
            categories.append(CategoryArea(category.code, category.kind, category.group, category.zh, category.en, count,
                                           _r2(measured), _r2(declared), _r2(measured_declared)))
    categories.sort(key=lambda c: (kind_order.get(c.kind, 99), order.get(c.code, 999), c.code or ""))
    kinds: dict[str | None, list[float]] = {}
    groups: dict[str | None, str | None] = {}
    for c in categories:
        entry = kinds.setdefault(c.kind, [0, 0.0, 0.0, 0.0])
        entry[0] += c.rooms
        entry[1] += c.measured_m2
        entry[2] += c.declared_m2
        entry[3] += c.measured_of_declared_m2
        groups.setdefault(c.kind, c.group)
    kind_rows = [CategoryArea(None, kind, groups[kind], *KIND_LABELS.get(kind, (kind, kind)), int(v[0]), _r2(v[1]), _r2(v[2]), _r2(v[3]))
                 for kind, v in kinds.items()]
    kind_rows.sort(key=lambda c: kind_order.get(c.kind, 99))
    return categories, kind_rows


def _read_rooms(session: Session, scope: Scope, standards: Standards, compliance: dict[int, str | None]) -> list[RoomRow]:
    query = (select(Room, Storey, Building, Unit).join(Storey, Room.storey_id == Storey.id)
             .join(Building, Storey.building_id == Building.id).outerjoin(Unit, Room.unit_id == Unit.id)
             .where(Room.status == "active"))
    if not scope.is_campus:
        query = query.where(Room.unit_id == scope.unit_id)
    query = query.order_by(Building.name, Storey.elevation_m, Room.number, Room.global_id)
    occupants: dict[int, list[str]] = defaultdict(list)
    for room_id, name, code in session.execute(
        select(Occupancy.room_id, Person.name, Person.code).join(Person, Occupancy.person_id == Person.id)
        .where(Occupancy.end_date.is_(None)).order_by(Occupancy.start_date, Person.code)
    ).all():
        occupants[room_id].append(name or code)
    rows = []
    for room, storey, building, unit in session.execute(query).all():
        category = standards.get_category(room.category)
        deviation = Deviation(room.measured_area_m2, room.declared_area_m2)
        zh, en = (category.zh, category.en) if category else ((room.category, room.category) if room.category else KIND_LABELS[None])
        rows.append(RoomRow(
            room.id, room.global_id, building.name or building.long_name or building.global_id, storey.name or storey.long_name or "",
            storey.id, room.number, room.name, category.code if category else room.category, zh, en,
            category.kind if category else None, unit.code if unit else None, unit.name if unit else None, room.use_status,
            compliance.get(room.id), room.measured_area_m2, room.declared_area_m2, room.declared_area_source,
            deviation.category, deviation.diff_m2, deviation.diff_pct, tuple(occupants.get(room.id, ())),
        ))
    return rows


def _read_warnings(session: Session, scope: Scope) -> list[WarningRow]:
    query = (select(Warning, Room.number, Unit.code).outerjoin(Room, Warning.room_id == Room.id)
             .outerjoin(Unit, Warning.unit_id == Unit.id).where(Warning.status != "resolved"))
    if not scope.is_campus:
        query = query.where(Warning.unit_id == scope.unit_id)
    severity = {s: i for i, s in enumerate(SEVERITY_ORDER)}
    rows = []
    for warning, room_number, unit_code in session.execute(query).all():
        zh, en = rule_title(warning.rule)
        rows.append(WarningRow(warning.id, warning.rule, zh, en, warning.severity, warning.status, warning.subject_kind,
                               warning.subject_key, room_number, unit_code, warning.message,
                               (warning.evidence or {}).get("message_en"), warning.first_seen))
    rows.sort(key=lambda w: (severity.get(w.severity, 9), w.rule, w.unit_code or "", w.room_number or "", w.subject_key, w.id))
    return rows


def _read_people(session: Session, scope: Scope, facts: LedgerFacts, checks: dict[int, PersonCheck]) -> tuple[list[PersonRow], int]:
    titles = dict(session.execute(select(Person.id, Person.title)).all())
    rows, checked = [], 0
    for person_id, check in checks.items():
        person = facts.people[person_id]
        if not _in_scope(scope, person.unit_id):
            continue
        checked += 1
        if not check.is_over:
            continue
        unit = facts.units[person.unit_id]
        rooms = tuple(sorted(facts.rooms[r].number or facts.rooms[r].global_id for r in check.shares))
        rows.append(PersonRow(person_id, person.code, person.name, titles.get(person_id), unit.code, unit.name, person.rank,
                              check.level, check.limit_m2, check.area_m2, check.over_m2, check.over_pct, rooms))
    rows.sort(key=lambda p: (-p.over_m2, p.unit_code, p.code))
    return rows, checked


def _read_units(scope: Scope, facts: LedgerFacts, standards: Standards) -> list[UnitRow]:
    rows = []
    for unit_id, check in check_units(facts, standards).items():
        if not _in_scope(scope, unit_id):
            continue
        unit = facts.units[unit_id]
        diff, pct = check.get_difference("usable")
        rows.append(UnitRow(unit_id, unit.code, unit.name, unit.reference_level, check.posts, check.k, dict(check.approved),
                            dict(check.actual), diff, pct, check.is_over))
    rows.sort(key=lambda u: u.code)
    return rows


def _read_storeys(session: Session, rooms: list[RoomRow]) -> list[StoreyRow]:
    counts: Counter = Counter(r.storey_id for r in rooms)
    over: Counter = Counter(r.storey_id for r in rooms if r.compliance == "over")
    if not counts:
        return []
    rows = session.execute(select(Storey, Building).join(Building, Storey.building_id == Building.id)
                           .where(Storey.id.in_(list(counts)))).all()
    storeys = [StoreyRow(s.id, b.name or b.long_name or b.global_id, s.name or s.long_name or "", s.elevation_m, counts[s.id], over[s.id])
               for s, b in rows]
    storeys.sort(key=lambda s: (s.building, s.elevation_m, s.name))
    return storeys


def _summarise(rooms: list[RoomRow], units: list[UnitRow], people: list[PersonRow], checked: int,
               warnings: list[WarningRow]) -> Summary:
    summary = Summary(rooms=len(rooms))
    summary.measured_m2 = _r2(sum(r.measured_m2 or 0.0 for r in rooms))
    summary.declared_m2 = _r2(sum(r.declared_m2 or 0.0 for r in rooms))
    summary.compliance = dict(Counter(r.compliance for r in rooms))
    summary.use_status = dict(Counter(r.use_status for r in rooms))
    summary.deviation = {c: 0 for c in CLASSES} | dict(Counter(r.deviation_class for r in rooms))
    summary.people_checked, summary.people_over = checked, len(people)
    summary.over_m2 = _r2(sum(p.over_m2 for p in people))
    summary.units, summary.units_over = len(units), sum(u.is_over for u in units)
    summary.warnings = len(warnings)
    summary.warnings_by_severity = {s: 0 for s in SEVERITY_ORDER} | dict(Counter(w.severity for w in warnings))
    by_rule: dict[str, dict[str, int]] = defaultdict(dict)
    for (rule, severity), n in sorted(Counter((w.rule, w.severity) for w in warnings).items()):
        by_rule[rule][severity] = n
    summary.warnings_by_rule = dict(by_rule)
    return summary


def gather(session: Session, unit_code: str | None = None, *, standards: Standards | None = None,
           now: datetime | None = None) -> ReportData:
    """Everything a report shows for the whole ledger (``unit_code`` None) or one unit."""
    standards = standards or get_standards()
    scope = resolve_scope(session, unit_code)
    facts = read_facts(session)
    person_checks, room_checks = check_people(facts, standards), check_rooms(facts, standards)
    compliance = {room.id: get_room_compliance(room, facts, person_checks, room_checks)
                  for room in facts.rooms.values() if room.status == "active"}
    rooms = _read_rooms(session, scope, standards, compliance)
    categories, kinds = _categories(rooms, standards)
    units = _read_units(scope, facts, standards)
    people, checked = _read_people(session, scope, facts, person_checks)
    warnings = _read_warnings(session, scope)
    meta = standards.meta
    return ReportData(
        scope=scope,
        generated_at=now or datetime.now(timezone.utc),
        standard={"name": meta.get("name"), "document": meta.get("document"), "verified": bool(meta.get("verified")),
                  "basis": standards.settings.get("person_check_area_basis", "measured")},
        summary=_summarise(rooms, units, people, checked, warnings),
        categories=categories, kinds=kinds, units=units, people_over=people, rooms=rooms, warnings=warnings,
        storeys=_read_storeys(session, rooms),
    )


def report_date(data: ReportData) -> date:
    """The local date a report was generated on (for file names and headers)."""
    return data.generated_at.astimezone().date()
