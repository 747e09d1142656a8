"""Declared against measured area per room: the deviation in m2 and %, and its class."""

from __future__ import annotations

from dataclasses import dataclass

#: Classes in order: within 1 %, within 5 %, over 5 %, no declared value, no geometry.
CLASSES = ("within_1", "within_5", "over_5", "no_declared", "no_geometry")


@dataclass(frozen=True)
class Deviation:
    """``declared - measured`` in m2 and in % of measured (``None`` when either is missing)."""

    measured_m2: float | None
    declared_m2: float | None

    @property
    def diff_m2(self) -> float | None:
        if self.measured_m2 is None or self.declared_m2 is None:
            return None
        return round(self.declared_m2 - self.measured_m2, 2)

    @property
    def diff_pct(self) -> float | None:
        if self.diff_m2 is None or not self.measured_m2:
            return None
        return round((self.declared_m2 - self.measured_m2) * 100.0 / self.measured_m2, 2)

    @property
    def category(self) -> str:
        if self.measured_m2 is None:
            return "no_geometry"
        if self.declared_m2 is None:
            return "no_declared"
        pct = abs((self.declared_m2 - self.measured_m2) * 100.0 / self.measured_m2) if self.measured_m2 else float("inf")
        return "within_1" if pct <= 1.0 else "within_5" if pct <= 5.0 else "over_5"
