"""Unit-level check: the area a unit is approved for (核定面积) against what it uses.

S = [A + B + (A + B) x plant_share] / K + C, where A is the sum over approved posts of
(posts x the rank's limit at the unit's reference level), B the service rooms' norm (per post,
a setting), the plant share (9 %) the plant rooms, K the usable/building ratio (high-rise or
multi-storey) and C the ancillary building area. Actual usable areas are summed per category
kind over the rooms allocated to the unit and turned into building area with the same K.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from twin.compliance.facts import LedgerFacts, UnitFact
from twin.standards import Standards

KINDS = ("office", "service", "plant", "ancillary", "technical")


@dataclass(frozen=True)
class UnitAreaCheck:
    """Approved and actual areas of one unit (m2); ``k`` is the usable/building ratio applied."""

    unit_id: int
    k: float
    posts: int
    approved: dict[str, float]  # office, service, plant, usable, building
    actual: dict[str, float]  # office, service, plant, ancillary, technical, usable, building

    def get_difference(self, key: str) -> tuple[float, float | None]:
        """(actual - approved in m2, in % of approved) for ``office|service|plant|usable|building``."""
        diff = round(self.actual[key] - self.approved[key], 2)
        return diff, (round(diff * 100.0 / self.approved[key], 1) if self.approved[key] else None)

    @property
    def is_over(self) -> bool:
        return self.actual["usable"] > self.approved["usable"] + 1e-9


def get_k(storeys: int, standards: Standards) -> float:
    """The usable/building area ratio for a building of ``storeys`` storeys."""
    settings = standards.settings
    return float(settings["usable_ratio_high_rise"] if standards.is_high_rise(storeys) else settings["usable_ratio_multi_storey"])


def compute_approved(unit: UnitFact, standards: Standards, *, k: float) -> dict[str, float]:
    """A, B and the plant share of a unit's approved posts, their usable sum and building area."""
    office = sum(count * standards.get_limit_m2(unit.reference_level, rank) for rank, count in unit.approved_posts.items())
    posts = sum(unit.approved_posts.values())
    service = posts * float(standards.settings["service_area_per_post_m2"])
    plant = (office + service) * float(standards.settings["plant_share"])
    usable = office + service + plant
    return {"office": round(office, 2), "service": round(service, 2), "plant": round(plant, 2),
            "usable": round(usable, 2), "building": round(usable / k, 2)}


def check_units(facts: LedgerFacts, standards: Standards, *, basis: str = "measured") -> dict[int, UnitAreaCheck]:
    """Every unit's approved against actual area; keyed by unit id."""
    actual: dict[int, dict[str, float]] = defaultdict(lambda: dict.fromkeys(KINDS, 0.0))
    storeys_by_unit: dict[int, Counter] = defaultdict(Counter)
    for room in facts.rooms.values():
        if room.unit_id is None or room.status != "active":
            continue
        category = standards.get_category(room.category)
        area = room.get_area(basis) or 0.0
        if category is not None and category.kind in KINDS:
            actual[room.unit_id][category.kind] += area
        storeys_by_unit[room.unit_id][room.building_storeys] += area
    checks = {}
    for unit_id, unit in facts.units.items():
        main_storeys = storeys_by_unit[unit_id].most_common(1)[0][0] if storeys_by_unit[unit_id] else 1
        k = get_k(main_storeys, standards)
        approved = compute_approved(unit, standards, k=k)
        used = {key: round(value, 2) for key, value in actual[unit_id].items()}
        used["usable"] = round(used["office"] + used["service"] + used["plant"], 2)
        used["building"] = round((used["usable"] + used["ancillary"]) / k, 2)
        approved["building"] = round(approved["building"] + used["ancillary"] / k, 2)  # C: ancillary as allocated
        checks[unit_id] = UnitAreaCheck(unit_id, k, sum(unit.approved_posts.values()), approved, used)
    return checks
