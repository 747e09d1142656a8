"""Property sets, quantities, and the declared floor areas hidden among them.

Exporters put a room's declared area in many places: ``Qto_SpaceBaseQuantities`` (IFC4),
``BaseQuantities`` (IFC2X3 exporters), a quantity set or property set without a name, or only a
vendor set such as Revit's ``PSet_Revit_Dimensions.Area``. :func:`read_declared_areas` finds them
all and keeps each value with the name of its source (``"BaseQuantities.NetFloorArea"``), in m2.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import ifcopenshell

from twin.ifc.units import UnitScales, get_unit_scale

log = logging.getLogger(__name__)

#: The name given to a property or quantity set that has none.
UNNAMED_SET = "(unnamed)"

#: Quantity and property names that declare a floor area, by the kind they declare.
AREA_NAMES = {
    "NetFloorArea": "NetFloorArea",
    "GrossFloorArea": "GrossFloorArea",
    "Area": "Area",  # Revit's PSet_Revit_Dimensions / Dimensions
}

#: Sets in order of trust for the primary declared area: standard first, vendors last.
_SET_RANK = {"Qto_SpaceBaseQuantities": 0, "BaseQuantities": 1}
#: Kinds in order of preference for the primary declared (usable) area of a room.
_KIND_RANK = {"NetFloorArea": 0, "Area": 1, "GrossFloorArea": 2}

_QUANTITY_VALUE = {
    "IfcQuantityArea": ("AreaValue", "area"),
    "IfcQuantityVolume": ("VolumeValue", "volume"),
    "IfcQuantityLength": ("LengthValue", "length"),
    "IfcQuantityCount": ("CountValue", None),
    "IfcQuantityWeight": ("WeightValue", None),
    "IfcQuantityTime": ("TimeValue", None),
}


@dataclass(frozen=True)
class DeclaredArea:
    """A floor area the model declares for a room: ``kind`` of area, value in m2, and its source."""

    kind: str
    value_m2: float
    source: str


@dataclass(frozen=True)
class RoomProperties:
    """Everything a room's property and quantity sets say, quantities in SI units."""

    properties: dict[str, dict[str, Any]]
    declared_areas: list[DeclaredArea]

    @property
    def primary_declared_area(self) -> DeclaredArea | None:
        """The declared area the ledger shows first: net before vendor area before gross,
        standard sets before others."""
        if not self.declared_areas:
            return None
        return min(
            self.declared_areas,
            key=lambda a: (_KIND_RANK[a.kind], _SET_RANK.get(a.source.rsplit(".", 1)[0], 2)),
        )


def _to_primitive(value: Any, file: ifcopenshell.file) -> Any:
    """A value as :meth:`~ifcopenshell.entity_instance.get_info` gives it (a defined type is
    ``{"type", "wrappedValue"}``), as plain JSON: NaN is ``None``, another entity its STEP text."""
    if isinstance(value, dict):
        if "wrappedValue" in value:
            return _to_primitive(value["wrappedValue"], file)
        return str(file.by_id(value["id"]))
    if isinstance(value, (tuple, list)):
        return [_to_primitive(v, file) for v in value]
    if isinstance(value, float) and value != value:  # NaN is not JSON
        return None
    return value


def _get_scale(unit: dict[str, Any] | None, file: ifcopenshell.file, default: float) -> float:
    return get_unit_scale(file.by_id(unit["id"])) if unit is not None else default


def _read_quantity(quantity: dict[str, Any], file: ifcopenshell.file, units: UnitScales) -> tuple[Any, str | None]:
    attribute, dimension = _QUANTITY_VALUE.get(quantity["type"], (None, None))
    if attribute is None:
        return None, None
    value = quantity.get(attribute)
    if value is None or dimension is None:
        return value, dimension
    return float(value) * _get_scale(quantity.get("Unit"), file, getattr(units, dimension)), dimension


def _read_single_value(prop: dict[str, Any], file: ifcopenshell.file, units: UnitScales) -> tuple[Any, bool]:
    """A single-value property as a primitive, and whether it is an area measure (scaled)."""
    value = prop.get("NominalValue")
    if value is None:
        return None, False
    is_area = value.get("type") == "IfcAreaMeasure"  # no defined type derives from it (IFC2X3, IFC4, IFC4X3)
    raw = _to_primitive(value, file)
    if is_area and isinstance(raw, (int, float)):
        raw = float(raw) * _get_scale(prop.get("Unit"), file, units.area)
    return raw, is_area


def read_room_properties(space: ifcopenshell.entity_instance, units: UnitScales) -> RoomProperties:
    """All property/quantity sets of a space (instance-level), and its declared floor areas.

    Each set is read in one call (:meth:`~ifcopenshell.entity_instance.get_info`, recursive:
    ifcopenshell's C++ path), not attribute by attribute: five times faster on the campus."""
    file = space.file
    properties: dict[str, dict[str, Any]] = {}
    declared: list[DeclaredArea] = []
    for rel in getattr(space, "IsDefinedBy", ()) or ():
        if not rel.is_a("IfcRelDefinesByProperties"):
            continue
        definitions = rel.RelatingPropertyDefinition
        for definition in definitions if isinstance(definitions, tuple) else (definitions,):
            set_name = definition.Name or UNNAMED_SET
            values = properties.setdefault(set_name, {})
            if definition.is_a("IfcElementQuantity"):
                for quantity in definition.get_info(recursive=True)["Quantities"] or ():
                    value, dimension = _read_quantity(quantity, file, units)
                    values[quantity["Name"]] = value
                    if dimension == "area" and quantity["Name"] in AREA_NAMES and value is not None:
                        declared.append(DeclaredArea(AREA_NAMES[quantity["Name"]], value, f"{set_name}.{quantity['Name']}"))
            elif definition.is_a("IfcPropertySet"):
                for prop in definition.get_info(recursive=True)["HasProperties"] or ():
                    if prop["type"] != "IfcPropertySingleValue":
                        continue
                    value, is_area = _read_single_value(prop, file, units)
                    values[prop["Name"]] = value
                    if prop["Name"] in AREA_NAMES and isinstance(value, (int, float)) and (
                        is_area or prop["Name"] != "Area"
                    ):
                        declared.append(DeclaredArea(AREA_NAMES[prop["Name"]], float(value), f"{set_name}.{prop['Name']}"))
    return RoomProperties(properties=properties, declared_areas=[a for a in declared if a.value_m2 > 0])
