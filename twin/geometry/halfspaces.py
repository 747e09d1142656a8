"""Half-space clippings made bounded, so that the fast ``manifold`` library clips right.

Exporters clip walls under roofs, and rooms under sloped ceilings, with
``IfcBooleanClippingResult``: a solid minus an ``IfcHalfSpaceSolid`` (everything on one side of
a plane) or an ``IfcPolygonalBoundedHalfSpace`` (that, within a polygon's prism). cgal-simple
drops such elements, and ``manifold`` leaves them unclipped (see :mod:`twin.geometry.kernels`),
so they went to OpenCASCADE, at 20-300 ms each (AC20-FZK-Haus's four gable walls: 1.2 s).

Within an element's reach, a half-space is the same as a large box on its side of the plane, and
a polygonal bounded half-space the same as that box intersected with the polygon's prism made
long; both are plain bounded solids, which ``manifold`` subtracts exactly (measured on the real
files: volumes within 0.03 % of OpenCASCADE's, floor areas the same, bounding boxes within
0.1 mm, 10-50x faster). :func:`bounded_half_spaces` puts those solids in place of the
half-spaces of the given elements for the time it is open, and puts everything back after:
the file is left as it was (the added instances removed).

All coordinates here are the representation's own: file units, the frame the half-space's
placement is given in.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator

import ifcopenshell
import numpy as np
import shapely

from twin.ifc.attributes import get_declared
from twin.ifc.units import get_unit_scales
from twin.tolerances import HALF_SPACE_BOUNDARY_GROWTH_M

#: The boxes standing for half-spaces reach this many times the largest length found in an
#: element's representation (a point's distance from its frame's origin, a depth, a radius): a
#: point of the element lies within a few such lengths of its frame's origin (placements nest a
#: few deep), and so does the plane's own origin. manifold clips the same from 50 m to 10,000 km.
REACH_FACTOR = 16.0
#: ifcopenshell moves every boolean's cut by its precision times this factor (default 1) for
#: robustness; over bounded half-spaces, at 1, manifold came out 0.1 mm off OpenCASCADE and left
#: two of AC11-Institute's three clipped rooms unclosed (micro-slivers between nested cuts). At
#: :data:`BOOLEAN_PRECISION_SCALE` times it, all 51 clipped elements of the real files agree with
#: OpenCASCADE within 0.002 mm, and every room is closed.
BOOLEAN_PRECISION_SCALE = 0.01


def _representation_roots(element: ifcopenshell.entity_instance) -> list[ifcopenshell.entity_instance]:
    """The element's representation, and those of its openings and projections (which the
    kernels subtract or add, so their half-spaces matter too)."""
    roots = [element.Representation] if element.Representation is not None else []
    for rel in get_declared(element, "HasOpenings") or ():
        if rel.RelatedOpeningElement.Representation is not None:
            roots.append(rel.RelatedOpeningElement.Representation)
    for rel in get_declared(element, "HasProjections") or ():
        if rel.RelatedFeatureElement.Representation is not None:
            roots.append(rel.RelatedFeatureElement.Representation)
    return roots


def get_half_spaces(file: ifcopenshell.file, element: ifcopenshell.entity_instance) -> list[ifcopenshell.entity_instance]:
    """Every ``IfcHalfSpaceSolid`` (subtypes included) in the element's body, its openings' and
    its projections', each once."""
    found: dict[int, ifcopenshell.entity_instance] = {}
    for root in _representation_roots(element):
        for entity in file.traverse(root):
            if entity.is_a("IfcHalfSpaceSolid"):
                found[entity.id()] = entity
    return list(found.values())


def has_half_space(file: ifcopenshell.file, element: ifcopenshell.entity_instance) -> bool:
    """Whether the element's body, its openings or projections use an ``IfcHalfSpaceSolid``."""
    return bool(get_half_spaces(file, element))


def can_bound(file: ifcopenshell.file, element: ifcopenshell.entity_instance) -> bool:
    """Whether the element has half-spaces and :func:`bounded_half_spaces` can stand in for every
    one of them (planar, used only as an operand of a boolean)."""
    return _are_boundable(file, get_half_spaces(file, element))


def _are_boundable(file: ifcopenshell.file, half_spaces: list[ifcopenshell.entity_instance]) -> bool:
    return bool(half_spaces) and all(_is_boundable(file, half_space) for half_space in half_spaces)


def _is_boundable(file: ifcopenshell.file, half_space: ifcopenshell.entity_instance) -> bool:
    if not half_space.BaseSurface.is_a("IfcPlane"):
        return False
    if half_space.is_a("IfcPolygonalBoundedHalfSpace") and get_boundary(half_space.PolygonalBoundary) is None:
        return False
    return all(user.is_a("IfcBooleanResult") for user in file.get_inverse(half_space))


def get_boundary(curve: ifcopenshell.entity_instance | None) -> shapely.Polygon | None:
    """A polygonal bounded half-space's boundary as a valid polygon (the curve's own 2D
    coordinates), or ``None`` when it is not made of straight segments (arcs, composite curves:
    those are left to OpenCASCADE)."""
    if curve is None:
        return None
    if curve.is_a("IfcPolyline"):
        points = [point.Coordinates[:2] for point in curve.Points]
    elif curve.is_a("IfcIndexedPolyCurve") and all(segment.is_a("IfcLineIndex") for segment in curve.Segments or ()):
        coordinates = curve.Points.CoordList
        order = [i for segment in curve.Segments for i in segment.wrappedValue] if curve.Segments else range(1, len(coordinates) + 1)
        points = [coordinates[i - 1][:2] for i in order]
    else:
        return None
    if len(points) < 3:
        return None
    polygon = shapely.Polygon(points)
    return polygon if polygon.is_valid and polygon.area > 0 else None


def get_reach(file: ifcopenshell.file, roots: Iterable[ifcopenshell.entity_instance]) -> float:
    """:data:`REACH_FACTOR` times the largest length in these representations (file units):
    how far the boxes standing for their half-spaces must reach. Any number in any attribute
    counts (coordinates of points and point lists, depths, radii, dimensions), each as if it
    were one coordinate of a point (times the square root of 3)."""
    largest = 1.0
    for root in roots:
        for entity in file.traverse(root):
            for value in entity:
                largest = max(largest, _get_largest_number(value))
    return REACH_FACTOR * 3**0.5 * largest


def _get_largest_number(value) -> float:
    if isinstance(value, float):
        return abs(value)
    if isinstance(value, tuple) and value and not isinstance(value[0], ifcopenshell.entity_instance):
        return max(_get_largest_number(item) for item in value)
    return 0.0


@contextlib.contextmanager
def bounded_half_spaces(file: ifcopenshell.file, elements: Iterable[ifcopenshell.entity_instance]) -> Iterator[int]:
    """For the time it is open, every half-space in ``elements``' representations (those
    :func:`can_bound` accepts) is replaced, in the booleans that use it, by a bounded solid that
    is the same within the element's reach. Yields how many were replaced. On leaving, every
    boolean gets its half-space back and the bounded solids are removed from the file."""
    swapped: list[tuple[ifcopenshell.entity_instance, str, ifcopenshell.entity_instance]] = []
    added: list[ifcopenshell.entity_instance] = []
    try:
        reaches: dict[int, tuple[ifcopenshell.entity_instance, float]] = {}
        for element in elements:
            half_spaces = get_half_spaces(file, element)
            if not _are_boundable(file, half_spaces):
                continue
            reach = get_reach(file, _representation_roots(element))
            for half_space in half_spaces:  # shared by elements: the longest reach
                reaches[half_space.id()] = (half_space, max(reach, reaches.get(half_space.id(), (None, 0.0))[1]))
        growth = HALF_SPACE_BOUNDARY_GROWTH_M / get_unit_scales(file).length if reaches else 0.0
        for half_space, reach in reaches.values():
            solid = _make_bounded(file, half_space, reach, growth, added)
            for user in file.get_inverse(half_space):
                for operand in ("FirstOperand", "SecondOperand"):
                    if getattr(user, operand) == half_space:
                        swapped.append((user, operand, half_space))
                        setattr(user, operand, solid)
        yield len(swapped)
    finally:
        for user, operand, half_space in reversed(swapped):
            setattr(user, operand, half_space)
        for entity in reversed(added):
            file.remove(entity)


@contextlib.contextmanager
def finer_booleans(settings) -> Iterator[None]:
    """For the time it is open, ``settings``' boolean precision factor is
    :data:`BOOLEAN_PRECISION_SCALE` times what it was."""
    before = settings.get("precision-factor")
    settings.set("precision-factor", before * BOOLEAN_PRECISION_SCALE)
    try:
        yield
    finally:
        settings.set("precision-factor", before)


def _make_bounded(file: ifcopenshell.file, half_space: ifcopenshell.entity_instance, reach: float, growth: float,
                  added: list[ifcopenshell.entity_instance]) -> ifcopenshell.entity_instance:
    """A box of half-size ``reach`` on the half-space's side of its plane (the side its normal
    points away from when ``AgreementFlag`` is true), cut to the polygon's prism for a polygonal
    bounded half-space, the polygon grown by ``growth`` (exporters draw it on the element's own
    faces, and manifold leaves slivers where faces coincide). The instances made are appended
    to ``added``."""

    def make(ifc_class: str, *attributes):
        entity = file.create_entity(ifc_class, *attributes)
        added.append(entity)
        return entity

    plane = half_space.BaseSurface.Position
    origin = make("IfcAxis2Placement2D", make("IfcCartesianPoint", (0.0, 0.0)), None)
    square = make("IfcRectangleProfileDef", "AREA", None, origin, 2 * reach, 2 * reach)
    away = make("IfcDirection", (0.0, 0.0, -1.0 if half_space.AgreementFlag else 1.0))
    box = make("IfcExtrudedAreaSolid", square, plane, away, reach)
    if not half_space.is_a("IfcPolygonalBoundedHalfSpace"):
        return box
    position = half_space.Position
    axis = np.array(position.Axis.DirectionRatios if position.Axis is not None else (0.0, 0.0, 1.0), dtype=float)
    start = np.array(position.Location.Coordinates, dtype=float) - reach * axis / np.linalg.norm(axis)
    below = make("IfcAxis2Placement3D", make("IfcCartesianPoint", tuple(float(c) for c in start)), position.Axis, position.RefDirection)
    grown = get_boundary(half_space.PolygonalBoundary).buffer(growth, join_style="mitre")
    corners = [make("IfcCartesianPoint", (float(x), float(y))) for x, y in grown.exterior.coords]
    outline = make("IfcArbitraryClosedProfileDef", "AREA", None, make("IfcPolyline", corners))
    up = make("IfcDirection", (0.0, 0.0, 1.0))
    prism = make("IfcExtrudedAreaSolid", outline, below, up, 2 * reach)
    return make("IfcBooleanResult", "INTERSECTION", prism, box)
