"""A call computed ahead in a forked child gives what the call gives here, or is made here."""

from __future__ import annotations

import logging
import os
import threading

import ifcopenshell
import pytest

from ifc_factory import RoomSpec, build_model
from twin.geometry.cache import StepHasher
from twin.geometry.forked import ForkedCall
from twin.geometry.mesher import get_context_elements, get_element_keys, mesh_elements
from twin.ifc.steptext import StepText


def test_a_forked_call_gives_the_childs_result(forking_allowed):
    call = ForkedCall(lambda: {"pid": os.getpid(), "values": list(range(50_000))})
    assert call.is_forked
    result = call.get()
    assert result["pid"] != os.getpid() and result["values"] == list(range(50_000))  # more than a pipe's buffer


def test_a_child_that_fails_is_made_good_here(forking_allowed, caplog):
    parent = os.getpid()

    def works_only_in_the_parent():
        if os.getpid() != parent:
            raise RuntimeError("the child could not")
        return "made here"

    call = ForkedCall(works_only_in_the_parent)
    assert call.is_forked
    with caplog.at_level(logging.WARNING):
        assert call.get() == "made here"
    assert "failed" in caplog.text


def test_a_result_nobody_asks_for_leaves_no_child_behind(forking_allowed):
    call = ForkedCall(lambda: threading.Event().wait(60))
    pid = call._child[0]
    del call
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # already collected


def test_a_process_running_other_threads_makes_the_call_itself():
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        call = ForkedCall(os.getpid)
        assert not call.is_forked and call.get() == os.getpid()
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
    call = ForkedCall(lambda: get_element_keys(file, elements, hasher=StepHasher(file, text=StepText.read(path))))
    assert call.is_forked and call.get() == here and len(here) == len(elements)
    cache = GeometryCache(tmp_path / "cache")
    first = mesh_elements(file, elements, cache=cache, keys=here)
    again = mesh_elements(file, elements, cache=cache, hasher=hasher)  # keys made inside: all from the cache
    assert set(first.meshes) == set(again.meshes) and again.cache_hits == len(here)
