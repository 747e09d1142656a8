"""Build ledger facts by hand for exact-number tests."""

from __future__ import annotations

from datetime import date
from itertools import count

from twin.compliance.facts import LedgerFacts, OccupancyFact, PersonFact, RoomFact, UnitFact


class FactsBuilder:
    def __init__(self) -> None:
        self.facts = LedgerFacts()
        self._ids = count(1)

    def unit(self, code="U", *, level="provincial", reference=None, posts=None) -> int:
        uid = next(self._ids)
        self.facts.units[uid] = UnitFact(uid, code, f"{code}单位", level, reference or level, posts or {})
        return uid

    def room(self, number, area, *, category="office_staff", unit=None, declared=None, use="in_use", since=None,
             status="active", storeys=5, storey=1) -> int:
        rid = next(self._ids)
        self.facts.rooms[rid] = RoomFact(rid, f"gid-{number}", number, number, category, unit, use, since, area,
                                         declared, status, 1, storey, storeys)
        return rid

    def person(self, code, rank, unit, *, status="active", since=None) -> int:
        pid = next(self._ids)
        self.facts.people[pid] = PersonFact(pid, code, f"姓名{code}", rank, unit, status, since)
        return pid

    def occupy(self, person, room, *, kind="primary", approved=False, ended=None, start=date(2024, 1, 1)) -> None:
        self.facts.occupancies.append(OccupancyFact(next(self._ids), person, room, kind, start, approved, ended))
