"""Which elements have a body to mesh, and which entities their body and placement are.

:func:`has_body` asks ifcopenshell: the element's representation, each of its representations'
context, identifier and items, about ten attribute reads (some 20 us) an element. An ingest asks
it of every element before it can key any in the geometry cache, so :class:`BodyRefs` reads the
same from the file's own text (:class:`~twin.ifc.steptext.StepText`), where it is plain: the
element's line gives its placement and representation references, the representation's line its
representations, and each of those its context, identifier and items. Contexts are few; each is
asked of ifcopenshell once. Whatever the text does not say plainly (an entity over several
lines, an escaped identifier, an unexpected layout) is asked of ifcopenshell, as before; both
ways give the same answer (tested on every real file).
"""

from __future__ import annotations

import re

import ifcopenshell

from twin.ifc.attributes import get_declared
from twin.ifc.steptext import StepText

#: Representation identifiers of a 3D body (``None``/empty: unnamed, taken as the body).
BODY_IDENTIFIERS = {"Body", "Facetation", None, ""}

_STRING = rb"'(?:[^']|'')*'"
#: An IfcProduct's first seven attributes: GlobalId, OwnerHistory, Name, Description,
#: ObjectType, ObjectPlacement (group 1) and Representation (group 2).
_PRODUCT = re.compile(
    rb"\w+\(" + _STRING + rb",(?:#\d+|\$),(?:" + _STRING + rb"|\$),(?:" + _STRING + rb"|\$),(?:" + _STRING
    + rb"|\$),(#\d+|\$),(#\d+|\$)[,)]"
)
#: An IfcRepresentation: ContextOfItems (1), RepresentationIdentifier (2), RepresentationType, Items (3).
_REPRESENTATION = re.compile(rb"\w+\((#\d+),(" + _STRING + rb"|\$),(?:" + _STRING + rb"|\$),\((.*)\)\)")
_REFS = re.compile(_STRING + rb"|(#\d+)")  # findall: a reference, or b"" for a string
_UNREAD = object()


def has_body(element: ifcopenshell.entity_instance) -> bool:
    """Whether an element has a 3D body representation the iterator should mesh."""
    shape = getattr(element, "Representation", None)
    if shape is None:
        return False
    for representation in shape.Representations or ():
        if not _is_plan(representation.ContextOfItems) and representation.RepresentationIdentifier in BODY_IDENTIFIERS \
                and representation.Items:
            return True
    return False


def _is_plan(context: ifcopenshell.entity_instance) -> bool:
    context_type = context.ContextType or get_declared(get_declared(context, "ParentContext"), "ContextType")
    return context_type == "Plan"


class BodyRefs:
    """For one file: an element's placement and representation references (``b"#12"``), if it has
    a body (:func:`has_body`); read from ``text`` where it is plain."""

    def __init__(self, file: ifcopenshell.file, text: StepText | None):
        self._file, self._text = file, text
        self._is_plan: dict[bytes, bool] = {}  # context reference -> a plan context

    def get(self, element: ifcopenshell.entity_instance) -> tuple[bytes | None, bytes] | None:
        """``(placement reference or None, representation reference)`` if ``element`` has a body, else ``None``."""
        found = self._read(element) if self._text is not None else _UNREAD
        if found is not _UNREAD:
            return found
        if not has_body(element):
            return None
        placement = element.ObjectPlacement
        return (b"#%d" % placement.id() if placement is not None else None, b"#%d" % element.Representation.id())

    def _read(self, element: ifcopenshell.entity_instance):
        text = self._text
        line = text.get_body(element.id())
        product = _PRODUCT.match(line) if line is not None else None
        if product is None:
            return _UNREAD
        placement, shape = product.groups()
        if shape == b"$":
            return None
        shape_line = text.get_body_of(shape)
        if shape_line is None:
            return _UNREAD
        for representation in (r for r in _REFS.findall(shape_line) if r):
            representation_line = text.get_body_of(representation)
            parts = _REPRESENTATION.fullmatch(representation_line) if representation_line is not None else None
            if parts is None:
                return _UNREAD
            context, identifier, items = parts.groups()
            if b"\\" in identifier or b"''" in identifier:  # an encoded or quoted identifier: ifcopenshell decodes it
                return _UNREAD
            name = None if identifier == b"$" else identifier[1:-1].decode("ascii", errors="replace")
            if not self._is_plan_context(context) and name in BODY_IDENTIFIERS and b"#" in items:
                return (None if placement == b"$" else placement, shape)
        return None

    def _is_plan_context(self, context: bytes) -> bool:
        known = self._is_plan.get(context)
        if known is None:
            known = self._is_plan[context] = _is_plan(self._file.by_id(int(context[1:])))
        return known
