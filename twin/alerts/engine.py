"""Keep warnings current: evaluate every enabled rule, upsert what is found by fingerprint,
resolve what is no longer found. Idempotent: evaluating twice changes nothing the second time."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, insert, or_, select, update
from sqlalchemy.orm import Session

from twin.alerts.rules import RULES, Finding
from twin.alerts.scope import WarningScope
from twin.compliance.facts import LedgerFacts, read_facts
from twin.compliance.person import check_people, check_rooms, get_room_compliance
from twin.errors import NotFound, TwinError
from twin.ledger.db import in_chunks
from twin.ledger.models import Room, Warning, utcnow
from twin.standards import Standards, get_standards

log = logging.getLogger(__name__)
STATUSES = ("open", "acknowledged", "resolved")
#: A stored warning's columns that refreshing compares with what the rules find.
_COMPARED = (
    Warning.id, Warning.fingerprint, Warning.status, Warning.rule, Warning.severity, Warning.subject_kind,
    Warning.subject_key, Warning.room_id, Warning.person_id, Warning.unit_id, Warning.message, Warning.evidence,
)


@dataclass(frozen=True)
class RefreshReport:
    opened: int
    still_open: int
    resolved: int


def evaluate(session: Session, *, today: date | None = None, standards: Standards | None = None,
             facts: LedgerFacts | None = None) -> list[Finding]:
    """What every enabled rule finds in the ledger now (nothing is written)."""
    standards = standards or get_standards()
    today = today or date.today()
    facts = facts or read_facts(session)
    findings = []
    for name, function in RULES.items():
        if standards.rules.get(name, {}).get("enabled", True):
            findings.extend(function(facts, standards, today))
    return findings


def refresh_warnings(session: Session, *, today: date | None = None, standards: Standards | None = None,
                     scope: WarningScope | None = None) -> RefreshReport:
    """Bring the warning table in line with what the rules find now (inside the caller's transaction).

    ``scope``: only the warnings (and stored compliance) of the subjects an ingest can have
    changed, from the facts they need (see :mod:`twin.alerts.scope`); else everything."""
    standards = standards or get_standards()
    facts = read_facts(session, rooms=scope.facts_rooms if scope is not None else None)
    _update_room_compliance(session, facts, standards, scope=scope)
    findings = {f.fingerprint: f for f in evaluate(session, today=today, standards=standards, facts=facts)
                if scope is None or scope.covers(f)}
    # plain rows, and a statement per kind of change: a large ledger holds thousands of warnings
    # found again at every refresh, and ORM objects for them cost more than finding them did
    stored = select(*_COMPARED)
    if scope is not None:  # the scope's subjects, and whatever else holds a fingerprint found now
        stored = stored.where(or_(scope.get_warning_filter(), Warning.fingerprint.in_(list(findings))))
    existing = {row.fingerprint: row for row in session.connection().execute(stored)}
    now = utcnow()
    added, changes, seen = [], [], []
    opened = still = 0
    for fingerprint, finding in findings.items():
        row = existing.get(fingerprint)
        severity = standards.rules.get(finding.rule, {}).get("severity", "warning")
        values = dict(rule=finding.rule, severity=severity, subject_kind=finding.subject_kind, subject_key=finding.subject_key,
                      room_id=finding.room_id, person_id=finding.person_id, unit_id=finding.unit_id, message=finding.message,
                      evidence={**finding.evidence, "message_en": finding.message_en})
        if row is None:
            added.append(dict(fingerprint=fingerprint, status="open", first_seen=now, last_seen=now, resolved_at=None,
                              acknowledged_by=None, **values))
            opened += 1
            continue
        changed = {key: value for key, value in values.items() if getattr(row, key) != value}
        if row.status == "resolved":
            changed.update(status="open", resolved_at=None)
            opened += 1
        else:
            still += 1
        if changed:
            changes.append((row.id, changed))
        seen.append(row.id)
    gone = [row.id for fingerprint, row in existing.items() if fingerprint not in findings and row.status != "resolved"]
    table = Warning.__table__
    if added:
        session.execute(insert(table), added)
    for warning_id, changed in changes:
        session.execute(update(table).where(table.c.id == warning_id).values(**changed))
    for chunk in in_chunks(seen):
        session.execute(update(table).where(table.c.id.in_(chunk)).values(last_seen=now))
    for chunk in in_chunks(gone):
        session.execute(update(table).where(table.c.id.in_(chunk)).values(status="resolved", resolved_at=now))
    for warning in [w for w in session.identity_map.values() if isinstance(w, Warning)]:
        session.expire(warning)  # loaded before this refresh: read again when next used
    resolved = len(gone)
    log.info("warnings: %d opened, %d still open, %d resolved", opened, still, resolved)
    return RefreshReport(opened, still, resolved)


def _update_room_compliance(session: Session, facts: LedgerFacts, standards: Standards, *,
                            scope: WarningScope | None = None) -> None:
    """Store each room's (or each of the scope's compliance rooms') compliance class (over /
    within / vacant / none) for fast filtering."""
    people, checks = check_people(facts, standards), check_rooms(facts, standards)
    changed = []
    query = select(Room.id, Room.compliance)
    if scope is not None:
        query = query.where(Room.id.in_(scope.compliance_rooms.query))
    current = dict(session.connection().execute(query).all())
    for room in facts.rooms.values():
        if scope is not None and room.id not in scope.compliance_rooms:
            continue
        value = get_room_compliance(room, facts, people, checks) if room.status == "active" else None
        if current.get(room.id) != value:
            changed.append({"id": room.id, "compliance": value})
    if changed:  # a derived column: a core UPDATE, so the rooms' row_version (edit guard) stays
        table = Room.__table__
        statement = update(table).where(table.c.id == bindparam("room_id")).values(compliance=bindparam("value"))
        session.execute(statement, [{"room_id": c["id"], "value": c["compliance"]} for c in changed])


def set_warning_status(session: Session, warning_id: int, status: str, *, actor: str) -> Warning:
    """Acknowledge (or reopen) a warning; resolving is the engine's job, when the cause is gone."""
    if status not in ("open", "acknowledged"):
        raise TwinError("a warning can be set to open or acknowledged; it resolves itself when its cause is gone")
    warning = session.get(Warning, warning_id)
    if warning is None:
        raise NotFound(f"no warning {warning_id}")
    if warning.status == "resolved":
        raise TwinError("this warning is resolved already")
    warning.status = status
    warning.acknowledged_by = actor if status == "acknowledged" else None
    return warning
