"""Run one geometry library over a set of elements, in this process or in worker processes.

ifcopenshell's iterator threads gave nothing on this 2-core machine (its Python-side loop and
the GIL serialise them); worker *processes* do run in parallel. They pay for the slow kernels
(OpenCASCADE and CGAL spend 10 ms to 2 s per element, the fallbacks of hard elements) from three
elements on (a pool costs 30-50 ms to start: IfcOpenHouse's two OpenCASCADE walls took 2.5x as
long in workers), and for the fast cgal-simple (0.1-0.2 ms per element) only on large batches:
below a few hundred elements forking and copying pages cost more than they save, measured on
this machine (the tower's 2,297 walls, slabs and doors: 0.64 s in-process, 0.44 s in two
workers; AC11-Institute's 446: no gain).

Workers are forked, so each inherits the parent's already-parsed file (no re-parse, nothing
pickled going in); each meshes interleaved chunks of element ids (shape by shape: a chunk is
small, see :data:`SHAPE_BY_SHAPE_MAX`) and sends back numpy arrays. Results stream back chunk
by chunk, so memory stays bounded by the chunk size.

Where ``fork`` is unavailable, or a pool cannot be started (e.g. inside a daemonic process),
or a worker dies, the rest is meshed in this process: parallelism is an optimisation, never a
reason to lose an element.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed

import ifcopenshell
import ifcopenshell.geom
import numpy as np

from twin.geometry.halfspaces import bounded_half_spaces, finer_booleans
from twin.geometry.kernels import BOOLEAN_LIBRARY, BOUNDED_LIBRARY

log = logging.getLogger(__name__)

#: ``(step_id, global_id, ifc_class, vertices (n, 3) float64, faces (m, 3) int32)``.
RawMesh = tuple[int, str, str, np.ndarray, np.ndarray]

#: Libraries worth worker processes, and below how many elements they still run in-process.
MIN_PARALLEL = {"opencascade": 3, "cgal": 3, "cgal-simple": 300}
#: Elements per chunk sent to a worker (small enough to balance slow elements across workers).
CHUNK_MAX = 48
#: Below this many elements (and for rooms at any count) each shape is made on its own: the
#: iterator's set-up reads the whole file (5-20 ms on the real files, whatever it is asked for),
#: which a few elements never win back; with more, its per-element speed does. Both give the
#: same bytes (checked on every element of the real files and the campus, all three libraries).
SHAPE_BY_SHAPE_MAX = 100

_PR_SET_PDEATHSIG = 1  # prctl(2)

_forked: tuple[ifcopenshell.file, object] | None = None  # (file, settings) inherited by forked workers


def iterate(file: ifcopenshell.file, elements: Sequence[ifcopenshell.entity_instance], library: str, settings) -> Iterator[RawMesh]:
    """Mesh ``elements`` with ``library`` in this process (``manifold-bounded``: ``manifold`` with
    their half-spaces bounded, see :mod:`twin.geometry.halfspaces`).

    What a library cannot mesh is left out (the iterator stops quietly, with a warning, when it
    fails mid-way); the caller compares what came out with what it asked for.
    """
    if not elements:
        return
    if library == BOUNDED_LIBRARY:  # meshed whole while the half-spaces are swapped, given back after
        with bounded_half_spaces(file, elements), finer_booleans(settings):
            meshes = list(iterate(file, elements, BOOLEAN_LIBRARY, settings))
        yield from meshes
        return
    if is_shape_by_shape(elements):
        yield from _shape_by_shape(elements, library, settings)
        return
    try:
        iterator = ifcopenshell.geom.iterator(settings, file, 1, include=list(elements), geometry_library=library)
        if not iterator.initialize():
            return
        while True:
            yield _to_raw(iterator.get())
            if not iterator.next():
                break
    except Exception as error:  # the iterator can stop mid-way on a bad element
        log.warning("%s iterator stopped early (%s); the rest goes to the next kernel", library, error)


def is_shape_by_shape(elements: Sequence[ifcopenshell.entity_instance]) -> bool:
    """Whether :func:`iterate` makes each shape on its own (see :data:`SHAPE_BY_SHAPE_MAX`)."""
    return len(elements) < SHAPE_BY_SHAPE_MAX or all(element.is_a("IfcSpace") for element in elements)


def _shape_by_shape(elements: Sequence[ifcopenshell.entity_instance], library: str, settings) -> Iterator[RawMesh]:
    for element in elements:
        try:
            shape = ifcopenshell.geom.create_shape(settings, element, geometry_library=library)
        except Exception as error:  # the library cannot do this one
            log.debug("%s cannot mesh #%d: %s", library, element.id(), error)
            continue
        if not hasattr(shape, "guid"):  # a bare geometry: not a placed product
            continue
        yield _to_raw(shape)


def _to_raw(shape) -> RawMesh:
    geometry = shape.geometry
    vertices = np.frombuffer(geometry.verts_buffer, dtype=np.float64).reshape(-1, 3).copy()
    faces = np.frombuffer(geometry.faces_buffer, dtype=np.int32).reshape(-1, 3).copy()
    return shape.id, shape.guid, shape.type, vertices, faces


def _mesh_chunk(ids: list[int], library: str) -> list[RawMesh]:
    file, settings = _forked
    return list(iterate(file, [file.by_id(i) for i in ids], library, settings))


def _chunks(ids: list[int], processes: int) -> list[list[int]]:
    count = max(processes * 4, -(-len(ids) // CHUNK_MAX))
    count = min(count, len(ids))
    return [ids[i::count] for i in range(count)]  # interleaved: neighbours are often alike in cost


def die_with_parent(parent: int) -> None:
    """In a forked process: be killed when ``parent`` (the process that forked this one) dies, so
    that nothing an ingest started runs on after it, killed (Linux ``PR_SET_PDEATHSIG``; elsewhere
    nothing is done)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux
        return
    if os.getppid() != parent:  # it died before this process asked
        os._exit(1)


def should_fork(library: str, count: int, processes: int) -> bool:
    return processes > 1 and library in MIN_PARALLEL and count >= MIN_PARALLEL[library] and can_fork()


def can_fork() -> bool:
    """Whether this process may fork workers now (see :func:`_is_single_threaded`)."""
    return "fork" in multiprocessing.get_all_start_methods() and not multiprocessing.current_process().daemon and _is_single_threaded()


def _is_single_threaded() -> bool:
    """Fork only a single-threaded process: a fork copies the locks other threads hold (logging,
    a database driver) as they are. The API ingests in a worker thread, so it meshes in-process."""
    return threading.active_count() == 1


def iterate_parallel(
    file: ifcopenshell.file,
    elements: Sequence[ifcopenshell.entity_instance],
    library: str,
    settings,
    processes: int,
) -> Iterator[RawMesh]:
    """Like :func:`iterate`, spread over ``processes`` forked workers when it pays."""
    if not should_fork(library, len(elements), processes):
        yield from iterate(file, elements, library, settings)
        return
    global _forked
    by_id = {element.id(): element for element in elements}
    chunks = _chunks(list(by_id), processes)
    done: set[int] = set()
    _forked = (file, settings)
    try:
        with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork"), initializer=die_with_parent,
                                 initargs=(os.getpid(),)) as pool:
            futures = {pool.submit(_mesh_chunk, chunk, library): index for index, chunk in enumerate(chunks)}
            for future in as_completed(futures):
                yield from future.result()
                done.add(futures[future])
    except Exception as error:  # no pool here, or a worker died: do the rest in this process
        log.warning("worker processes failed (%s); meshing %d chunks in-process", error, len(chunks) - len(done))
        for index, chunk in enumerate(chunks):
            if index not in done:
                yield from iterate(file, [by_id[i] for i in chunk], library, settings)
    finally:
        _forked = None
