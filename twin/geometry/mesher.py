"""Triangulate IFC elements with ifcopenshell's geometry kernels, fast and losing none silently.

Coordinates out of here are in the model's *world* frame: metres (the iterator converts
millimetre files), Z up, every placement applied. :func:`mesh_elements` takes each element from
the geometry cache when it can (:mod:`twin.geometry.cache`), otherwise through the libraries of
a kernel plan in order (:mod:`twin.geometry.kernels`: cgal-simple, then manifold where it is
safe, then manifold with half-spaces made bounded, then OpenCASCADE), checking every result and
passing what a library drops or gets wrong to the next; slow libraries run in worker processes
(:mod:`twin.geometry.workers`). What no library meshes is retried one by one with
:func:`ifcopenshell.geom.create_shape`; an element that still fails is logged and reported in
:attr:`MeshResult.failed`, never dropped without a word.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

import ifcopenshell
import ifcopenshell.geom
import numpy as np

from twin.geometry.bodies import BodyRefs, has_body
from twin.geometry.cache import GeometryCache
from twin.geometry.keys import ElementKeys, StepHasher
from twin.geometry.meshes import ElementMesh
from twin.geometry.kernels import (
    ROOM_SAMPLE_REL_TOLERANCE,
    KernelPlan,
    are_closed,
    get_plan,
    get_rejection,
    get_room_sample,
    is_eligible,
    needs_closed_shell,
    settings_fingerprint,
)
from twin.geometry.workers import RawMesh, iterate, iterate_parallel

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

#: Worker processes when ``threads`` is not given: one per core, up to 4 (used for the slow
#: kernels and large batches, see :mod:`twin.geometry.workers`).
DEFAULT_PROCESSES = max(1, min(os.cpu_count() or 1, 4))

#: A library's results are checked this many at a time (rooms' shells in one pass each time);
#: progress is reported after each such chunk.
CHECK_CHUNK = 256

T = TypeVar("T")



@dataclass(frozen=True)
class FailedElement:
    """An element that has a body but could not be meshed, and why."""

    global_id: str
    ifc_class: str
    reason: str


@dataclass(frozen=True)
class Fallback:
    """One geometry library's result for an element was not kept, and why (it went to the next)."""

    global_id: str
    ifc_class: str
    library: str
    reason: str


@dataclass
class MeshResult:
    """What a meshing pass produced: meshes by GlobalId, failures, and how many were retried.

    ``libraries`` says which geometry library made each mesh; ``fallbacks`` lists every result
    a library gave that was not kept; ``cache_hits`` counts meshes from the cache,
    ``kernel_calls`` the iterator passes run, ``sampled`` the rooms spot-checked.
    """

    meshes: dict[str, ElementMesh] = field(default_factory=dict)
    failed: list[FailedElement] = field(default_factory=list)
    expected: int = 0
    retried: int = 0
    seconds: float = 0.0
    libraries: dict[str, str] = field(default_factory=dict)
    fallbacks: list[Fallback] = field(default_factory=list)
    cache_hits: int = 0
    kernel_calls: int = 0
    sampled: int = 0


def merge_results(results: Iterable[MeshResult]) -> MeshResult:
    """One :class:`MeshResult` of several passes over different elements, in their order."""
    merged = MeshResult()
    for result in results:
        for name in (f.name for f in dataclasses.fields(MeshResult)):  # dicts joined, lists chained, counts summed
            mine, theirs = getattr(merged, name), getattr(result, name)
            if isinstance(mine, dict):
                mine.update(theirs)
            elif isinstance(mine, list):
                mine.extend(theirs)
            else:
                setattr(merged, name, mine + theirs)
    return merged


def make_settings() -> ifcopenshell.geom.settings:
    """Iterator settings twin uses everywhere: world coordinates, welded vertices."""
    settings = ifcopenshell.geom.settings()
    settings.set("use-world-coords", True)
    settings.set("weld-vertices", True)
    return settings


def get_context_elements(file: ifcopenshell.file) -> list[ifcopenshell.entity_instance]:
    """The building elements of :data:`CONTEXT_CLASSES`, each once. Whether each has a body is
    :func:`mesh_elements`'s to check (once: the check reads several attributes per element)."""
    seen: dict[int, ifcopenshell.entity_instance] = {}
    for ifc_class in CONTEXT_CLASSES:
        try:
            elements = file.by_type(ifc_class)
        except RuntimeError:  # a class the file's schema lacks
            continue
        for element in elements:
            seen.setdefault(element.id(), element)
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
    cache: GeometryCache | None = None,
    plan: KernelPlan | str | None = None,
    hasher: StepHasher | None = None,
    keys: Mapping[int, str] | None = None,
) -> MeshResult:
    """Mesh ``elements``: cache first, then each library of the kernel plan, then one by one.

    * ``cache``: a :class:`~twin.geometry.cache.GeometryCache`; hits skip every kernel, and
      what is meshed here is stored for next time. ``hasher``: the file's
      :class:`~twin.geometry.keys.StepHasher`, to share its work between calls. ``keys``: the
      elements' keys as :func:`get_element_keys` gives them for the same plan, computed ahead
      (elements it left out, having no body, are skipped).
    * ``plan``: :data:`~twin.geometry.kernels.FAST_PLAN` (default; cgal-simple, then manifold
      where it is safe, then manifold over half-spaces made bounded, then OpenCASCADE, checking
      every result), ``"safe"`` (never manifold)
      or ``"default"`` (OpenCASCADE only, as before).
    * ``threads``: worker processes for the slow kernels (default :data:`DEFAULT_PROCESSES`;
      the fast kernels always run in this process, see :mod:`twin.geometry.workers`). Results
      do not depend on it.
    * ``on_progress(done, total)`` is called as elements are settled (from the cache or a kernel).

    Whatever no library meshes is retried with :func:`ifcopenshell.geom.create_shape` and the
    default kernel; what still fails is in :attr:`MeshResult.failed`, never dropped silently.
    """
    started = time.perf_counter()
    plan = get_plan(plan)
    if keys is None:
        targets = {element.id(): element for element in elements if has_body(element)}
        keys = get_element_keys(file, targets.values(), plan=plan, hasher=hasher) if cache is not None else {}
    else:
        targets = {element.id(): element for element in elements if element.id() in keys}
    result = MeshResult(expected=len(targets))
    if not targets:
        return result
    settings = make_settings()
    processes = max(1, threads or DEFAULT_PROCESSES)
    say = (lambda: on_progress(len(result.meshes), len(targets))) if on_progress else (lambda: None)

    pending = dict(targets)
    if cache is not None:  # a hit's arrays are loaded when used (most uses are cached under its key too)
        libraries = cache.get_libraries(keys.values())
        for step_id, key in keys.items():
            if key in libraries and step_id in pending:
                element = pending.pop(step_id)
                global_id = element.GlobalId
                result.meshes[global_id] = ElementMesh.from_cache(global_id, step_id, element.is_a(), content_key=key, cache=cache)
                result.libraries[global_id] = libraries[key]
                result.cache_hits += 1
        say()
    fresh: set[str] = set()

    tiers = max(len(plan.rooms), len(plan.context))
    for tier in range(tiers):
        batches: dict[str, list[ifcopenshell.entity_instance]] = {}
        for element in pending.values():
            libraries = plan.libraries_for(element)
            if tier < len(libraries) and is_eligible(libraries[tier], file, element):
                batches.setdefault(libraries[tier], []).append(element)
        for library, batch in batches.items():
            result.kernel_calls += 1
            wanted, seen = {element.id() for element in batch}, set()
            for chunk in _in_chunks(iterate_parallel(file, batch, library, settings, processes), CHECK_CHUNK):
                arrived = []
                for raw in chunk:
                    element = pending.get(raw[0])
                    if element is not None and raw[0] in wanted and raw[0] not in seen:
                        seen.add(raw[0])
                        arrived.append((raw, element, tier == len(plan.libraries_for(element)) - 1))
                _keep_or_reject(arrived, library, result=result, pending=pending, fresh=fresh)
                say()
            for step_id in (wanted - seen) & pending.keys():
                element = pending[step_id]
                result.fallbacks.append(Fallback(element.GlobalId, element.is_a(), library, f"{library}: not emitted"))

    if plan.check_room_sample:
        _check_room_sample(file, plan, settings, targets, result, fresh)

    for element in pending.values():
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
            result.libraries[mesh.global_id] = "opencascade"
            fresh.add(mesh.global_id)
        say()

    if cache is not None and fresh:
        cache.put_many(
            (keys[mesh.step_id], mesh.vertices, mesh.faces, result.libraries[gid])
            for gid, mesh in result.meshes.items()
            if gid in fresh
        )
        for gid in fresh & result.meshes.keys():  # as a later lookup under its key will give it
            result.meshes[gid] = dataclasses.replace(result.meshes[gid], content_key=keys[result.meshes[gid].step_id])
    if on_progress is not None:
        on_progress(len(targets), len(targets))
    result.seconds = time.perf_counter() - started
    log.info(
        "meshed %d/%d elements in %.2f s (%d from cache, %d fell back, %d retried, %d failed; plan %s)",
        len(result.meshes), len(targets), result.seconds, result.cache_hits,
        len({f.global_id for f in result.fallbacks}), result.retried, len(result.failed), plan.name,
    )
    return result


def _keep_or_reject(arrived: list[tuple[RawMesh, ifcopenshell.entity_instance, bool]], library: str, *,
                    result: MeshResult, pending: dict[int, ifcopenshell.entity_instance], fresh: set[str]) -> None:
    """Keep each ``(raw mesh, element, is last library)`` that passes :func:`get_rejection` (the
    rooms' shells checked for closure all at once, not one by one); note a fallback for the rest."""
    shells = [i for i, (_, element, is_last) in enumerate(arrived) if needs_closed_shell(is_last, element)]
    closed = dict(zip(shells, are_closed([arrived[i][0][3:] for i in shells])))
    for index, ((step_id, guid, ifc_class, vertices, faces), element, is_last) in enumerate(arrived):
        reason = get_rejection(library, is_last, element, vertices, faces, closed=closed.get(index))
        if reason is not None:
            result.fallbacks.append(Fallback(guid, ifc_class, library, reason))
            continue
        result.meshes[guid] = ElementMesh(guid, step_id, ifc_class, vertices, faces.astype(np.int64))
        result.libraries[guid] = library
        fresh.add(guid)
        del pending[step_id]


def _in_chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def get_element_keys(
    file: ifcopenshell.file, elements: Iterable[ifcopenshell.entity_instance], *,
    plan: KernelPlan | str | None = None, hasher: StepHasher | None = None,
) -> dict[int, str]:
    """Cache keys of those of ``elements`` that have a body, by step id, for ``plan`` and the
    settings :func:`mesh_elements` uses (see :class:`~twin.geometry.keys.ElementKeys`)."""
    plan = get_plan(plan)
    make_key = ElementKeys(file, plan_fingerprint=plan.fingerprint, settings_fingerprint=settings_fingerprint(make_settings()), hasher=hasher)
    bodies = BodyRefs(file, make_key.hash.text)  # which have a body, from the file's text where it is plain
    return {element.id(): make_key(element, refs=refs) for element in elements if (refs := bodies.get(element)) is not None}


def _check_room_sample(file, plan: KernelPlan, settings, targets, result: MeshResult, fresh: set[str]) -> None:
    """Spot-check fast-meshed rooms against the plan's last room kernel; on any disagreement,
    re-mesh every fast-meshed room of this call with that kernel."""
    from twin.geometry.measure import measure_many

    reference = plan.rooms[-1]
    fast = {
        gid: mesh for gid, mesh in result.meshes.items()
        if gid in fresh and result.libraries.get(gid) != reference and mesh.ifc_class == "IfcSpace"
    }
    if not fast:
        return
    sample = get_room_sample(list(fast))
    by_gid = {fast[gid].step_id: gid for gid in sample}
    references = {
        guid: (vertices, faces.astype(np.int64))
        for step_id, guid, _, vertices, faces in iterate(file, [targets[s] for s in by_gid], reference, settings)
        if step_id in by_gid and len(faces)
    }
    # the sampled rooms, fast and reference, measured in one batch
    areas = [m.floor_area_m2 for m in measure_many([(fast[gid].vertices, fast[gid].faces) for gid in sample] + list(references.values()))]
    got_by_gid, checked = dict(zip(sample, areas)), dict(zip(references, areas[len(sample):]))
    result.sampled += len(sample)
    bad = []
    for gid in sample:
        expected, got = checked.get(gid), got_by_gid[gid]
        if expected is None or abs(got - expected) > ROOM_SAMPLE_REL_TOLERANCE * max(expected, 1e-9):
            bad.append((gid, got, expected))
    if not bad:
        return
    log.warning("room spot check failed on %d of %d rooms (e.g. %s); re-meshing %d rooms with %s",
                len(bad), len(sample), bad[0], len(fast), reference)
    steps = {mesh.step_id: gid for gid, mesh in fast.items()}
    redone = set()
    for step_id, guid, ifc_class, vertices, faces in iterate(file, [targets[s] for s in steps], reference, settings):
        if step_id in steps and get_rejection(reference, True, targets[step_id], vertices, faces) is None:
            result.fallbacks.append(Fallback(guid, ifc_class, result.libraries[guid], "room spot check disagreed"))
            result.meshes[guid] = ElementMesh(guid, step_id, ifc_class, vertices, faces.astype(np.int64))
            result.libraries[guid] = reference
            redone.add(guid)
    for gid in set(fast) - redone:  # the reference kernel could not do it: the fast result would be unverified
        log.warning("room %s kept from %s: %s does not mesh it", gid, result.libraries[gid], reference)


def _create_shape(settings, element):
    shape = ifcopenshell.geom.create_shape(settings, element)
    if not hasattr(shape, "guid"):  # create_shape gives a bare geometry for type products
        raise ValueError("no placed shape")
    return shape
