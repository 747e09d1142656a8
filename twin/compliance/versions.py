"""Compare two versions of a model room by room, keyed by GlobalId."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from twin.errors import NotFound
from twin.ledger.models import ModelVersion, RoomState

#: Fields compared; an area counts as changed past this many m2.
COMPARED = ("number", "name", "storey_global_id", "measured_area_m2", "category")
AREA_EPSILON_M2 = 0.01


@dataclass
class VersionDiff:
    """Rooms added, removed and changed (``{field: [old, new]}``) from one version to another."""

    from_seq: int
    to_seq: int
    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"from_version": self.from_seq, "to_version": self.to_seq, "added": self.added, "removed": self.removed,
                "changed": self.changed, "unchanged": self.unchanged}


def _row(state: RoomState) -> dict[str, Any]:
    return {"global_id": state.global_id, "number": state.number, "name": state.name, "storey": state.storey_name,
            "storey_global_id": state.storey_global_id,
            "measured_area_m2": state.measured_area_m2, "declared_area_m2": state.declared_area_m2, "category": state.category}


def diff_states(before: list[RoomState], after: list[RoomState], *, from_seq: int, to_seq: int) -> VersionDiff:
    """The difference between two lists of room states (pure; no database)."""
    old = {s.global_id: s for s in before}
    new = {s.global_id: s for s in after}
    diff = VersionDiff(from_seq, to_seq)
    diff.added = [_row(new[g]) for g in sorted(new.keys() - old.keys(), key=lambda g: (new[g].number or "", g))]
    diff.removed = [_row(old[g]) for g in sorted(old.keys() - new.keys(), key=lambda g: (old[g].number or "", g))]
    for gid in sorted(old.keys() & new.keys(), key=lambda g: (new[g].number or "", g)):
        a, b = old[gid], new[gid]
        changes = {}
        for name in COMPARED:
            x, y = getattr(a, name), getattr(b, name)
            if name == "measured_area_m2" and x is not None and y is not None and abs(x - y) <= AREA_EPSILON_M2:
                continue
            if x != y:
                changes[name if name != "storey_global_id" else "storey"] = [x, y] if name != "storey_global_id" else [a.storey_name, b.storey_name]
        if changes:
            diff.changed.append({**_row(b), "changes": changes})
        else:
            diff.unchanged += 1
    return diff


def compare_versions(session: Session, model_id: int, from_seq: int, to_seq: int) -> VersionDiff:
    """Rooms added, removed and changed between versions ``from_seq`` and ``to_seq`` of a model."""
    versions = {v.seq: v for v in session.scalars(select(ModelVersion).where(ModelVersion.model_id == model_id))}
    for seq in (from_seq, to_seq):
        if seq not in versions:
            raise NotFound(f"model {model_id} has no version {seq}")

    def states(seq: int) -> list[RoomState]:
        return list(session.scalars(select(RoomState).where(RoomState.model_version_id == versions[seq].id)))

    return diff_states(states(from_seq), states(to_seq), from_seq=from_seq, to_seq=to_seq)
