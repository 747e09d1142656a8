"""Read an attribute of an IFC entity only where its schema declares one of that name.

``getattr(entity, name, default)`` looks harmless, but for a name the entity's class lacks
(``HasOpenings`` on an IfcSpace, ``UnitType`` on an IfcMonetaryUnit, IFC2X3's
``InteriorOrExteriorSpace`` on an IFC4 space) ifcopenshell looks for a derived attribute in its
schema's EXPRESS rules, importing them first: 10 ms on this machine, the first time a process
meets each schema, on a path that takes 30 ms for a small model. Asking the entity whether it
declares the name costs a microsecond.
"""

from __future__ import annotations

from typing import Any

import ifcopenshell

#: ``entity_instance.get_attribute_category``: the name is no attribute of the entity's class.
_UNDECLARED = 0


def get_declared(entity: ifcopenshell.entity_instance | None, name: str, default: Any = None) -> Any:
    """``entity.<name>`` (explicit or inverse) if the entity's class declares it, else ``default``
    (also for ``entity`` ``None``)."""
    if entity is None or entity.get_attribute_category(name) == _UNDECLARED:
        return default
    return getattr(entity, name)
