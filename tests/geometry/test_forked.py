"""Calls computed ahead in a forked child give what they give here, as each is done, or are made here."""

from __future__ import annotations

import logging
import os
import threading
import time

import ifcopenshell
import pytest

from forking_support import wait_until_the_child_claims
from ifc_factory import RoomSpec, build_model
from twin.geometry.cache import GeometryCache
from twin.geometry.forked import ForkedSteps
from twin.geometry.keys import StepHasher
from twin.geometry.mesher import get_context_elements, get_element_keys, mesh_elements
from twin.ifc.steptext import StepText


def test_a_forked_call_gives_the_childs_result(forking_allowed):
    call = ForkedSteps([lambda: {"pid": os.getpid(), "values": list(range(50_000))}])
    assert call.is_forked
    wait_until_the_child_claims(call, 0)
    result = call.get(0)
    assert result["pid"] != os.getpid() and result["values"] == list(range(50_000))  # more than a pipe's buffer


def test_a_child_that_fails_is_made_good_here(forking_allowed, caplog):
    parent = os.getpid()

    def works_only_in_the_parent():
        if os.getpid() != parent:
            raise RuntimeError("the child could not")
        return "made here"

    call = ForkedSteps([works_only_in_the_parent])
    assert call.is_forked
    wait_until_the_child_claims(call, 0)
    with caplog.at_level(logging.WARNING):
        assert call.get(0) == "made here"
    assert "failed" in caplog.text


def waits_for(go):
    """A step that gives its process's id once the file ``go`` exists (``None`` after 10 s)."""

    def step():
        for _ in range(1000):
            if go.exists():
                return os.getpid()
            time.sleep(0.01)
        return None

    return step


def test_steps_arrive_one_by_one_without_waiting_for_the_later_ones(forking_allowed, tmp_path):
    go = tmp_path / "go"
    steps = ForkedSteps([os.getpid, waits_for(go)])
    wait_until_the_child_claims(steps, 1)  # the first is sent, the second begun
    first = steps.get(0)
    go.touch()
    second = steps.get(1)
    assert first != os.getpid() and second == first


def test_a_step_nobody_began_is_made_here_and_the_child_skips_it(forking_allowed, tmp_path):
    go = tmp_path / "go"
    made = []
    steps = ForkedSteps([waits_for(go), lambda: made.append("second") or os.getpid()])
    wait_until_the_child_claims(steps, 0)
    assert steps.get(1) == os.getpid() and made == ["second"]  # made here at once, not waited for
    go.touch()
    assert steps.get(0) not in (None, os.getpid())
    steps._receive()  # the child's end: it sent nothing more
    assert steps._child is None and sorted(steps._results) == [0, 1]


def test_steps_a_child_did_not_deliver_are_made_here(forking_allowed):
    parent = os.getpid()
    made = []

    def first():
        made.append("first")
        return os.getpid()

    def second():
        if os.getpid() != parent:
            os.kill(os.getpid(), 9)  # the child dies before it sends this one
        return "made here"

    steps = ForkedSteps([first, second])
    wait_until_the_child_claims(steps, 1)
    assert steps.get(1) == "made here" and steps.get(0) != parent  # the first came from the child
    assert made == []  # nothing re-made here but what was missing


def test_a_result_nobody_asks_for_leaves_no_child_behind(forking_allowed):
    call = ForkedSteps([lambda: threading.Event().wait(60)])
    pid = call._child.pid
    del call
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # already collected


def test_a_process_running_other_threads_makes_the_call_itself():
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        call = ForkedSteps([os.getpid])
        assert not call.is_forked and call.get(0) == os.getpid()
    finally:
        stop.set()
        other.join()


def test_context_keys_made_in_a_child_mesh_like_keys_made_here(tmp_path, forking_allowed):
    from twin.geometry.cache import GeometryCache

    path = build_model(tmp_path / "m.ifc", [RoomSpec("101", "办公室"), RoomSpec("102", "会议室", outline=[(5, 0), (9, 0), (9, 4), (5, 4)])])
    file = ifcopenshell.open(str(path))
    elements = list(file.by_type("IfcSpace")) + get_context_elements(file)
    hasher = StepHasher(file, text=StepText.read(path))
    here = get_element_keys(file, elements, hasher=hasher)
    call = ForkedSteps([lambda: get_element_keys(file, elements, hasher=StepHasher(file, text=StepText.read(path)))])
    wait_until_the_child_claims(call, 0)
    assert call.is_forked and call.get(0) == here and len(here) == len(elements)
    cache = GeometryCache(tmp_path / "cache")
    first = mesh_elements(file, elements, cache=cache, keys=here)
    again = mesh_elements(file, elements, cache=cache, hasher=hasher)  # keys made inside: all from the cache
    assert set(first.meshes) == set(again.meshes) and again.cache_hits == len(here)


def test_work_read_ahead_in_a_child_is_the_work_made_here_rooms_first_the_context_last(tmp_path, forking_allowed, monkeypatch):
    import numpy as np
    import shapely

    from twin.ifc.reader import open_ifc
    from twin.ifc.spatial import read_spatial_structure
    from twin.ifc.spf import get_sha256
    from twin.ledger import readahead
    from twin.ledger.readahead import ReadAhead

    path = build_model(tmp_path / "m.ifc", [RoomSpec("101", "办公室"), RoomSpec("102", "会议室", outline=[(5, 0), (9, 0), (9, 4), (5, 4)])])
    model = open_ifc(path, sha256=get_sha256(path))
    context = get_context_elements(model.file)
    cache_here, cache_there = GeometryCache(tmp_path / "here"), GeometryCache(tmp_path / "there")
    here = ReadAhead(model, context=context, cache=cache_here)  # a few elements: not worth a fork
    here.set_structure(read_spatial_structure(model))
    monkeypatch.setattr(readahead, "FORK_MIN", 1)
    ahead = ReadAhead(model, context=context, cache=cache_there)
    assert ahead._steps.is_forked and not here._steps.is_forked
    wait_until_the_child_claims(ahead._steps, 0)
    assert ahead.get_room_keys() == here.get_room_keys() and len(ahead.get_room_keys()) == 2
    assert ahead.get_room_properties() == here.get_room_properties()
    assert {p.primary_declared_area.value_m2 for p in ahead.get_room_properties().values()} == {20.0, 16.0}
    made_here, made_there = here.get_context().attach(cache_here), ahead.get_context().attach(cache_there)
    assert made_there.storeys == made_here.storeys and len(made_here.storeys) == len(context)
    for gid, mesh in made_here.result.meshes.items():
        there = made_there.result.meshes[gid]
        assert there.digest == mesh.digest and np.array_equal(there.vertices, mesh.vertices) and np.array_equal(there.faces, mesh.faces)
    assert made_here.plan_walls.keys() == made_there.plan_walls.keys()
    assert all(shapely.equals(made_here.plan_walls[gid], made_there.plan_walls[gid]) for gid in made_here.plan_walls)
    assert ahead._steps._child.is_alive()  # every step taken, and kept for the next ingest


def test_a_context_from_the_cache_travels_as_keys_and_loads_from_this_process_cache(tmp_path, forking_allowed, monkeypatch):
    import pickle

    from twin.geometry.meshes import ElementMesh
    from twin.ifc.reader import open_ifc
    from twin.ifc.spf import get_sha256
    from twin.ledger import readahead
    from twin.ledger.readahead import ReadAhead

    path = build_model(tmp_path / "m.ifc", [RoomSpec("101", "办公室")])
    model = open_ifc(path, sha256=get_sha256(path))
    context = get_context_elements(model.file)
    cache = GeometryCache(tmp_path / "cache")
    monkeypatch.setattr(readahead, "FORK_MIN", 1)
    ReadAhead(model, context=context, cache=cache).get_context()  # meshes and cuts made, and kept in the cache
    made = ReadAhead(model, context=context, cache=cache).get_context()
    assert made.result.cache_hits == len(context)
    travelled = pickle.loads(pickle.dumps(made))  # as from the child: keys, not arrays
    assert not any(isinstance(mesh, ElementMesh) for mesh in travelled.result.meshes.values())
    meshes = travelled.attach(cache).result.meshes
    assert all(isinstance(mesh, ElementMesh) and len(mesh.faces) for mesh in meshes.values())
    cache.close()


def test_work_read_ahead_is_freed_when_dropped_not_left_to_the_garbage_collector(tmp_path):
    """The read-ahead holds the parsed file and its whole text; in a reference cycle they stayed
    until the collector's next pass, which an ingest (the collector paused) puts off."""
    import gc
    import weakref

    from twin.ifc.reader import open_ifc
    from twin.ifc.spf import get_sha256
    from twin.ledger.readahead import ReadAhead

    path = build_model(tmp_path / "m.ifc", [RoomSpec("101", "办公室")])
    ahead = ReadAhead(open_ifc(path, sha256=get_sha256(path)), context=None)
    ahead.get_room_keys()
    dropped = weakref.ref(ahead)
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        del ahead
        assert dropped() is None
    finally:
        if was_enabled:
            gc.enable()


@pytest.mark.parametrize("fork", [True, False])
def test_a_steps_progress_reaches_whoever_waits_for_it_wherever_it_is_made(forking_allowed, fork):
    from twin.geometry.child import StepProgress

    progress = StepProgress()

    def counts():
        for done in range(1, 4):
            progress(done, 3)
        return os.getpid()

    steps = ForkedSteps([counts], fork=fork, progress={0: progress})
    if fork:
        wait_until_the_child_claims(steps, 0)
    heard = []
    made_by = steps.get(0, on_progress=lambda done, total: heard.append((done, total)))
    assert (made_by != os.getpid()) == fork
    assert heard == [(1, 3), (2, 3), (3, 3)]
