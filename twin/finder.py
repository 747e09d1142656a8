"""Room finding: vacant rooms, or sets of adjacent vacant rooms on one storey, that fit a
staffing need with the least waste.

A need is a list of (rank, count) at an agency level, e.g. 1 正处级 + 2 副处级 + 6 处级以下 at
``provincial``; it requires the sum of the ranks' limits (m2, from the standard). Candidates are
single vacant offices or connected groups (rooms whose outlines touch within a small gap) of up
to ``max_rooms`` vacant offices on one storey, whose total usable area is at least the need;
ranked by waste (area beyond the need), then by fewer rooms.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import shapely
from shapely.geometry import shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from twin.errors import TwinError
from twin.ledger.models import Building, Occupancy, Room, Storey
from twin.standards import Standards, get_standards

#: Rooms closer than this (m) count as adjacent (walls between rooms are thinner).
ADJACENCY_GAP_M = 0.6
VACANT = ("vacant", "reserve")
CANDIDATE_CATEGORIES = ("office_staff", "office_leader")


class BadNeed(TwinError):
    http_status = 422


@dataclass(frozen=True)
class Need:
    """Ranks and head counts at an agency level."""

    level: str
    ranks: tuple[tuple[str, int], ...]

    def get_required_m2(self, standards: Standards) -> float:
        if not self.ranks or any(count <= 0 for _, count in self.ranks):
            raise BadNeed("a need lists at least one rank with a positive head count")
        try:
            return round(sum(count * standards.get_limit_m2(self.level, rank) for rank, count in self.ranks), 2)
        except TwinError as error:
            raise BadNeed(str(error)) from error

    @property
    def people(self) -> int:
        return sum(count for _, count in self.ranks)


def parse_need(text: str, *, level: str = "provincial") -> Need:
    """``"1 正处级 + 2 副处级 + 6 处级以下"`` (or ``正处级:1,副处级:2``) as a :class:`Need`."""
    ranks = []
    for part in text.replace("，", ",").replace("+", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if ":" in part:
            rank, _, count = part.partition(":")
        else:
            count, _, rank = part.partition(" ")
        try:
            ranks.append((rank.strip(), int(count)))
        except ValueError as error:
            raise BadNeed(f"cannot read {part!r}: write '2 副处级' or '副处级:2'") from error
    return Need(level, tuple(ranks))


@dataclass
class Candidate:
    """Rooms proposed for a need, on one storey."""

    building: str | None
    storey: str | None
    storey_id: int
    building_id: int
    rooms: list[dict] = field(default_factory=list)
    area_m2: float = 0.0
    waste_m2: float = 0.0

    def to_dict(self) -> dict:
        return {"building": self.building, "building_id": self.building_id, "storey": self.storey, "storey_id": self.storey_id, "rooms": self.rooms,
                "area_m2": round(self.area_m2, 2), "waste_m2": round(self.waste_m2, 2)}


def _groups(indices: list[int], neighbours: dict[int, set[int]], max_rooms: int) -> set[frozenset[int]]:
    """Connected groups of up to ``max_rooms`` rooms (grown room by room)."""
    found: set[frozenset[int]] = set()
    frontier = {frozenset([i]) for i in indices}
    for _ in range(max_rooms):
        found |= frontier
        grown = set()
        for group in frontier:
            for member in group:
                for other in neighbours[member] - group:
                    grown.add(group | {other})
        frontier = grown
        if len(frontier) > 20000:  # a huge open floor: stop growing
            break
    return found


def find_rooms(session: Session, need: Need, *, building_id: int | None = None, storey_id: int | None = None,
               max_rooms: int = 4, limit: int = 10, standards: Standards | None = None) -> tuple[float, list[Candidate]]:
    """(required m2, best candidates first) for a need, optionally within a building or storey."""
    standards = standards or get_standards()
    required = need.get_required_m2(standards)
    occupied = select(Occupancy.room_id).where(Occupancy.end_date.is_(None))
    query = (
        select(Room, Storey, Building).join(Storey, Room.storey_id == Storey.id).join(Building, Storey.building_id == Building.id)
        .where(Room.status == "active", Room.use_status.in_(VACANT), Room.category.in_(CANDIDATE_CATEGORIES),
               Room.measured_area_m2.is_not(None), Room.id.not_in(occupied))
    )
    if building_id is not None:
        query = query.where(Building.id == building_id)
    if storey_id is not None:
        query = query.where(Storey.id == storey_id)
    by_storey: dict[int, list] = {}
    for room, storey, building in session.execute(query).all():
        by_storey.setdefault(storey.id, []).append((room, storey, building))
    candidates = []
    for sid, rows in by_storey.items():
        outlines = [shape(r.footprint).buffer(ADJACENCY_GAP_M / 2) if r.footprint else None for r, _, _ in rows]
        tree = shapely.STRtree([o if o is not None else shapely.Point() for o in outlines])
        neighbours = {i: set() for i in range(len(rows))}
        for i, outline in enumerate(outlines):
            if outline is None:
                continue
            for j in tree.query(outline, predicate="intersects"):
                if int(j) != i:
                    neighbours[i].add(int(j))
        for group in _groups(list(range(len(rows))), neighbours, max_rooms):
            area = sum(rows[i][0].measured_area_m2 for i in group)
            if area + 1e-9 < required:
                continue
            _, storey, building = rows[next(iter(group))]
            members = sorted(group, key=lambda i: rows[i][0].number or "")
            candidates.append(Candidate(
                building.name or building.long_name, storey.name, sid, building.id,
                [{"global_id": rows[i][0].global_id, "number": rows[i][0].number, "name": rows[i][0].name,
                  "area_m2": rows[i][0].measured_area_m2, "use_status": rows[i][0].use_status} for i in members],
                area, area - required,
            ))
    candidates.sort(key=lambda c: (round(c.waste_m2, 2), len(c.rooms), c.building or "", c.storey or "", c.rooms[0]["number"] or ""))
    return required, candidates[:limit]
