"""Meshing in worker processes gives exactly what meshing in this process gives."""

from __future__ import annotations

import ifcopenshell
import numpy as np
import pytest

from realdata import get_real_ifc_files
from twin.geometry import workers
from twin.geometry.mesher import get_context_elements, mesh_elements


def _same(a, b):
    assert set(a.meshes) == set(b.meshes)
    assert a.libraries == b.libraries
    for gid, mesh in a.meshes.items():
        assert np.array_equal(mesh.vertices, b.meshes[gid].vertices), gid
        assert np.array_equal(mesh.faces, b.meshes[gid].faces), gid


@pytest.fixture(scope="module")
def real_file():
    path = next((p for p in get_real_ifc_files() if p.name == "duplex.ifc"), None)
    if path is None:
        pytest.skip("real files not present")
    return ifcopenshell.open(str(path))


#: Libraries each plan runs in workers on duplex.ifc (the fast plan needs no OpenCASCADE there).
FORKED = {"fast": {"cgal-simple"}, "safe": {"cgal-simple", "opencascade"}, "default": {"opencascade"}}


@pytest.mark.parametrize("plan", list(FORKED))
def test_processes_give_the_same_meshes_as_one_process(real_file, plan, monkeypatch, forking_allowed):
    monkeypatch.setitem(workers.MIN_PARALLEL, "cgal-simple", 20)  # the fast kernel forks too
    forked = []
    real = workers.iterate

    def spy(file, elements, library, settings):  # runs in the workers too (fork inherits the patch)
        return real(file, elements, library, settings)

    monkeypatch.setattr(workers, "iterate", spy)
    real_should = workers.should_fork
    monkeypatch.setattr(workers, "should_fork", lambda library, *a: forked.append((library, real_should(library, *a))) or forked[-1][1])
    elements = list(real_file.by_type("IfcSpace")) + get_context_elements(real_file)[:: 4 if plan == "default" else 1]
    single = mesh_elements(real_file, elements, threads=1, plan=plan)
    parallel = mesh_elements(real_file, elements, threads=2, plan=plan)
    libraries = {library for library, did in forked if did}
    assert libraries == FORKED[plan], libraries
    _same(single, parallel)


def test_a_pool_that_cannot_start_falls_back_to_this_process(real_file, monkeypatch, forking_allowed):
    monkeypatch.setattr(workers, "ProcessPoolExecutor", lambda *a, **k: (_ for _ in ()).throw(OSError("no fork")))
    elements = get_context_elements(real_file)[:12]
    _same(mesh_elements(real_file, elements, threads=2, plan="default"), mesh_elements(real_file, elements, threads=1, plan="default"))


def test_a_process_running_other_threads_meshes_in_process(real_file, monkeypatch):
    import threading

    forked = []
    real_should = workers.should_fork
    monkeypatch.setattr(workers, "should_fork", lambda *a: forked.append(real_should(*a)) or forked[-1])
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)  # as the API's ingest job thread beside the server's
    other.start()
    try:
        mesh_elements(real_file, get_context_elements(real_file)[:12], threads=2, plan="default")
    finally:
        stop.set()
        other.join()
    assert forked and not any(forked)


def test_slow_kernels_and_large_batches_of_the_fast_one_are_worth_a_fork(forking_allowed):
    assert workers.should_fork("opencascade", 8, 2)
    assert not workers.should_fork("cgal-simple", 50, 2)
    assert workers.should_fork("cgal-simple", 5000, 2)
    assert not workers.should_fork("manifold", 5000, 2)
    assert not workers.should_fork("opencascade", 8, 1)
    assert not workers.should_fork("opencascade", 8, 1)


@pytest.mark.parametrize("library", ["cgal-simple", "manifold", "opencascade"])
def test_shape_by_shape_gives_the_iterators_bytes(real_file, library, monkeypatch):
    """Few elements are meshed one create_shape at a time, many through the iterator: the same
    meshes either way, empty ones (cgal-simple's dropped booleans) included."""
    from twin.geometry.mesher import make_settings

    elements = get_context_elements(real_file)[:40] + list(real_file.by_type("IfcSpace"))[:4]
    settings = make_settings()
    monkeypatch.setattr(workers, "SHAPE_BY_SHAPE_MAX", 1000)
    one_by_one = {m[0]: m for m in workers.iterate(real_file, elements, library, settings)}
    monkeypatch.setattr(workers, "SHAPE_BY_SHAPE_MAX", 0)
    iterated = {m[0]: m for m in workers.iterate(real_file, elements, library, settings)}
    assert set(one_by_one) == set(iterated) and len(iterated) >= 40
    for step_id, (_, guid, ifc_class, vertices, faces) in iterated.items():
        assert one_by_one[step_id][1:3] == (guid, ifc_class)
        assert np.array_equal(one_by_one[step_id][3], vertices) and np.array_equal(one_by_one[step_id][4], faces)


def test_few_elements_or_rooms_are_meshed_shape_by_shape(real_file):
    walls = get_context_elements(real_file)
    assert workers.is_shape_by_shape(walls[:5])
    assert not workers.is_shape_by_shape(walls[: workers.SHAPE_BY_SHAPE_MAX])
    rooms = list(real_file.by_type("IfcSpace")) * 10  # many, but rooms: the iterator's set-up does not pay
    assert workers.is_shape_by_shape(rooms)
