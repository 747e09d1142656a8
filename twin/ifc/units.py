"""The factors that turn a file's project units into metres, m2 and m3 (normalised once, here).

A file may declare a length unit but no area or volume unit: its areas are then in
(length unit)^2 and its volumes in (length unit)^3, which is what :func:`get_unit_scales` returns.
"""

from __future__ import annotations

from dataclasses import dataclass

import ifcopenshell
import ifcopenshell.util.unit

from twin.ifc.attributes import get_declared


@dataclass(frozen=True)
class UnitScales:
    """Multiply a file value by these to get SI: ``length`` -> m, ``area`` -> m2, ``volume`` -> m3."""

    length: float
    area: float
    volume: float


def _get_project_unit(file: ifcopenshell.file, unit_type: str) -> ifcopenshell.entity_instance | None:
    for assignment in file.by_type("IfcUnitAssignment"):
        for unit in assignment.Units or ():
            if get_declared(unit, "UnitType") == unit_type:
                return unit
    return None


def get_unit_scale(unit: ifcopenshell.entity_instance) -> float:
    """The SI factor of one unit entity (SI unit with prefix, or a conversion-based unit)."""
    scale = 1.0
    while unit is not None and unit.is_a("IfcConversionBasedUnit"):
        factor = unit.ConversionFactor
        scale *= float(factor.ValueComponent.wrappedValue)
        unit = factor.UnitComponent
    if unit is not None and unit.is_a("IfcSIUnit") and unit.Prefix:
        scale *= ifcopenshell.util.unit.get_prefix_multiplier(unit.Prefix)
    return scale


def get_unit_scales(file: ifcopenshell.file) -> UnitScales:
    """The project's length, area and volume factors to SI."""
    length_unit = _get_project_unit(file, "LENGTHUNIT")
    length = get_unit_scale(length_unit) if length_unit is not None else 1.0
    area_unit = _get_project_unit(file, "AREAUNIT")
    volume_unit = _get_project_unit(file, "VOLUMEUNIT")
    area = get_unit_scale(area_unit) if area_unit is not None else length**2
    volume = get_unit_scale(volume_unit) if volume_unit is not None else length**3
    return UnitScales(length=length, area=area, volume=volume)
