"""Triangulate IFC elements with ifcopenshell's geometry iterator, losing none silently.

Coordinates out of here are in the model's *world* frame: metres (the iterator converts
millimetre files), Z up, every placement applied. The iterator runs on all cores; afterwards
what it emitted is compared with what was expected, and every missing or empty element is
retried one by one with :func:`ifcopenshell.geom.create_shape`. An element that still fails is
logged and reported in :attr:`MeshResult.failed`, never dropped without a word.
"""

from __future__ import annotations

import logging
import multiprocessing
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import ifcopenshell
import ifcopenshell.geom
import numpy as np

from twin.tolerances import DEGENERATE_TRIANGLE_AREA_M2

log = logging.getLogger(__name__)

#: Building elements meshed for the 3D context (subtypes included; never IfcOpeningElement).
CONTEXT_CLASSES = (
    "IfcWall",
    "IfcSlab",
    "IfcColumn",
    "IfcBeam",
    "IfcDoor",
    "IfcWindow",
    "IfcStair",
    "IfcStairFlight",
    "IfcRamp",
    "IfcRampFlight",
    "IfcRoof",
    "IfcCurtainWall",
    "IfcPlate",
    "IfcMember",
    "IfcRailing",
    "IfcCovering",
)

#: Representation identifiers that carry a 3D body the iterator meshes.
_BODY_IDENTIFIERS = {"Body", "Facetation", None, ""}


@dataclass(frozen=True)
class ElementMesh:
    """One element's triangles in the world frame.

    ``vertices`` is ``(n, 3) float64`` in metres, Z up; ``faces`` is ``(m, 3) int64`` indices.
    """

    global_id: str
    step_id: int
    ifc_class: str
    vertices: np.ndarray
    faces: np.ndarray

    @property
    def is_empty(self) -> bool:
        """No triangles, or only degenerate ones (a profile with no area meshes to slivers)."""
        if len(self.faces) == 0:
            return True
        triangles = self.vertices[self.faces]
        cross = np.cross(triangles[:, 1] - triangles[:, 0], triangles[:, 2] - triangles[:, 0])
        return float(np.linalg.norm(cross, axis=1).sum()) / 2 <= DEGENERATE_TRIANGLE_AREA_M2


@dataclass(frozen=True)
class FailedElement:
    """An element that has a body but could not be meshed, and why."""

    global_id: str
    ifc_class: str
    reason: str


@dataclass
class MeshResult:
    """What a meshing pass produced: meshes by GlobalId, failures, and how many were retried."""

    meshes: dict[str, ElementMesh] = field(default_factory=dict)
    failed: list[FailedElement] = field(default_factory=list)
    expected: int = 0
    retried: int = 0
    seconds: float = 0.0


def make_settings() -> ifcopenshell.geom.settings:
    """Iterator settings twin uses everywhere: world coordinates, welded vertices."""
    settings = ifcopenshell.geom.settings()
    settings.set("use-world-coords", True)
    settings.set("weld-vertices", True)
    return settings


def has_body(element: ifcopenshell.entity_instance) -> bool:
    """Whether an element has a 3D body representation the iterator should mesh."""
    shape = getattr(element, "Representation", None)
    if shape is None:
        return False
    for representation in shape.Representations or ():
        context = representation.ContextOfItems
        context_type = getattr(context, "ContextType", None) or getattr(
            getattr(context, "ParentContext", None), "ContextType", None
        )
        if context_type in ("Plan",):
            continue
        if representation.RepresentationIdentifier in _BODY_IDENTIFIERS and representation.Items:
            return True
    return False


def get_context_elements(file: ifcopenshell.file) -> list[ifcopenshell.entity_instance]:
    """The building elements of :data:`CONTEXT_CLASSES` that have a body, each once."""
    seen: dict[int, ifcopenshell.entity_instance] = {}
    for ifc_class in CONTEXT_CLASSES:
        try:
            elements = file.by_type(ifc_class)
        except RuntimeError:  # a class the file's schema lacks
            continue
        for element in elements:
            if element.id() not in seen and has_body(element):
                seen[element.id()] = element
    return list(seen.values())


def _to_mesh(shape) -> ElementMesh:
    geometry = shape.geometry
    vertices = np.frombuffer(geometry.verts_buffer, dtype=np.float64).reshape(-1, 3).copy()
    faces = np.frombuffer(geometry.faces_buffer, dtype=np.int32).reshape(-1, 3).astype(np.int64)
    return ElementMesh(shape.guid, shape.id, shape.type, vertices, faces)


def mesh_elements(
    file: ifcopenshell.file,
    elements: Iterable[ifcopenshell.entity_instance],
    *,
    threads: int | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> MeshResult:
    """Mesh ``elements`` with the iterator on ``threads`` cores, then retry what it missed.

    ``on_progress(done, total)`` is called as elements arrive.
    """
    started = time.perf_counter()
    targets = {element.id(): element for element in elements if has_body(element)}
    result = MeshResult(expected=len(targets))
    if not targets:
        return result
    settings = make_settings()
    threads = threads or multiprocessing.cpu_count()
    iterator = ifcopenshell.geom.iterator(settings, file, threads, include=list(targets.values()))
    try:
        if iterator.initialize():
            while True:
                shape = iterator.get()
                if shape.id in targets and shape.guid not in result.meshes:
                    mesh = _to_mesh(shape)
                    if not mesh.is_empty:
                        result.meshes[mesh.global_id] = mesh
                if on_progress is not None:
                    on_progress(len(result.meshes), len(targets))
                if not iterator.next():
                    break
    except Exception as error:  # the iterator can stop mid-way on a bad element
        log.warning("geometry iterator stopped early (%s); retrying the rest one by one", error)
    missing = [element for element in targets.values() if element.GlobalId not in result.meshes]
    for element in missing:
        result.retried += 1
        try:
            mesh = _to_mesh(_create_shape(settings, element))
        except Exception as error:
            reason = str(error) or type(error).__name__
            result.failed.append(FailedElement(element.GlobalId, element.is_a(), reason))
            log.warning("cannot mesh %s %s (#%d): %s", element.is_a(), element.GlobalId, element.id(), reason)
            continue
        if mesh.is_empty:
            result.failed.append(FailedElement(element.GlobalId, element.is_a(), "no triangles with an area"))
            log.warning("%s %s (#%d) meshes to no triangles with an area", element.is_a(), element.GlobalId, element.id())
        else:
            result.meshes[mesh.global_id] = mesh
    if on_progress is not None:
        on_progress(len(targets), len(targets))
    result.seconds = time.perf_counter() - started
    log.info(
        "meshed %d/%d elements in %.2f s (%d retried, %d failed)",
        len(result.meshes), len(targets), result.seconds, result.retried, len(result.failed),
    )
    return result


def _create_shape(settings, element):
    shape = ifcopenshell.geom.create_shape(settings, element)
    if not hasattr(shape, "guid"):  # create_shape gives a bare geometry for type products
        raise ValueError("no placed shape")
    return shape
