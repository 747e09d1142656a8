"""Calls computed ahead in a forked child give what they give here, as each is done, or are made here."""

from __future__ import annotations

import logging
import os
import threading
import time

from pathlib import Path

import ifcopenshell
import pytest

from ifc_factory import RoomSpec, build_model
from twin.geometry.cache import GeometryCache
from twin.geometry.keys import StepHasher
from twin.geometry.forked import ForkedSteps
from twin.geometry.mesher import get_context_elements, get_element_keys, mesh_elements
from twin.ifc.steptext import StepText


def wait_until_the_child_claims(steps: ForkedSteps, index: int) -> None:
    deadline = time.monotonic() + 10
    while steps._claims[index] != 1:
        assert time.monotonic() < deadline, "the child never began the step"
        time.sleep(0.001)


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


def test_a_child_told_to_be_nice_yields_the_cores_to_this_process(forking_allowed):
    steps = ForkedSteps([lambda: os.nice(0)], nice=5)
    wait_until_the_child_claims(steps, 0)
    assert steps.get(0) == min(os.nice(0) + 5, 19)


def _is_running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


@pytest.mark.parametrize("ending", ["dropped", "failed"])
def test_what_a_child_starts_ends_with_it(forking_allowed, tmp_path, ending):
    """A read-ahead child meshes with kernel workers of its own; stopped (its results not wanted)
    or failed, it must not leave them behind, waiting forever to send what they made."""
    started, parent = tmp_path / "worker", os.getpid()

    def starts_a_worker():
        if os.getpid() == parent:  # made here, the child having failed
            return "made here"
        if os.fork() == 0:  # the worker
            time.sleep(60)
            os._exit(0)
        started.write_text("")
        if ending == "failed":
            time.sleep(0.2)
            raise RuntimeError("the child fails, its worker still running")
        time.sleep(60)

    steps = ForkedSteps([starts_a_worker])
    wait_until_the_child_claims(steps, 0)
    deadline = time.monotonic() + 10
    while not started.exists():
        assert time.monotonic() < deadline
        time.sleep(0.01)
    group = steps._child.pid
    members = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and _in_group(int(p.name), group)]
    assert len(members) == 2  # the child and its worker
    if ending == "dropped":
        del steps
    else:
        waiting = time.monotonic()
        assert steps.get(0) == "made here"
        assert time.monotonic() - waiting < 10  # the child's end is seen, though its worker holds the pipe open
    deadline = time.monotonic() + 10
    while any(_is_running(pid) for pid in members):
        assert time.monotonic() < deadline, "the child's worker outlived it"
        time.sleep(0.01)


def _in_group(pid: int, group: int) -> bool:
    try:
        return os.getpgid(pid) == group
    except ProcessLookupError:
        return False


def test_a_child_dies_with_the_process_that_forked_it_even_killed(tmp_path):
    """``kill -9`` of an ingest (or the kernel's out-of-memory killer) runs none of its clean-up:
    its read-ahead child, and the kernel workers that child forks, are killed with it."""
    import subprocess
    import sys

    script = (
        "import os, sys, time, signal\n"
        "from pathlib import Path\n"
        "from twin.geometry.forked import ForkedSteps\n"
        "def step():\n"
        "    Path(sys.argv[1] + '.tmp').write_text(str(os.getpid()))\n"
        "    os.replace(sys.argv[1] + '.tmp', sys.argv[1])\n"
        "    time.sleep(60)\n"
        "steps = ForkedSteps([step])\n"
        "while not os.path.exists(sys.argv[1]):\n"
        "    time.sleep(0.01)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    pid_file = tmp_path / "child.pid"
    ended = subprocess.run([sys.executable, "-c", script, str(pid_file)], timeout=60)
    assert ended.returncode == -9
    child = int(pid_file.read_text())
    deadline = time.monotonic() + 10
    while _is_running(child):
        assert time.monotonic() < deadline, "the child outlived the process that forked it"
        time.sleep(0.01)


class _Recipe:
    """A kept child's job: steps it makes from nothing the parent holds (as the read-ahead's
    recipe opens the file again), each result saying who made it and for which job."""

    def __init__(self, name: str, *, steps: int = 2, slow: float = 0.0):
        self.name, self.steps, self.slow = name, steps, slow

    def __call__(self):
        def step(index):
            time.sleep(self.slow)
            return (self.name, index, os.getpid())

        return [lambda index=index: step(index) for index in range(self.steps)], {}


def _kept_steps(recipe: _Recipe) -> ForkedSteps:
    """Steps made here as the recipe makes them in the child."""
    steps, _ = recipe()
    return ForkedSteps(steps, recipe=recipe)


def _a_kept_child() -> int:
    """This process's kept child, forked for a first job it has done: its pid."""
    first = _kept_steps(_Recipe("first"))
    wait_until_the_child_claims(first, 0)
    child = first.get(0)[2]
    first.get(1)
    return child


def _wait_until_gone(pid: int, why: str = "the child stayed") -> None:
    deadline = time.monotonic() + 10
    while _is_running(pid):
        assert time.monotonic() < deadline, why
        time.sleep(0.01)


def test_a_kept_child_makes_the_next_jobs_steps_from_its_recipe(forking_allowed):
    first = _kept_steps(_Recipe("first"))
    wait_until_the_child_claims(first, 0)
    assert [first.get(i)[:2] for i in range(2)] == [("first", 0), ("first", 1)]
    child = first.get(0)[2]
    assert child != os.getpid()
    del first  # every step taken: the child stays
    second = _kept_steps(_Recipe("second", steps=3))
    wait_until_the_child_claims(second, 0)
    assert [second.get(i) for i in range(3)] == [("second", i, child) for i in range(3)]  # the same child, not forked again


def test_a_cancelled_jobs_results_are_not_taken_for_the_next(forking_allowed):
    from twin.geometry.child import send_ahead

    _a_kept_child()
    sent = send_ahead(_Recipe("cancelled", slow=0.2))
    assert sent is not None
    time.sleep(0.05)  # the child has begun the first of them
    not_worth_it = ForkedSteps([lambda: "here"], fork=False, sent=sent)  # a small model: nothing forked, the job cancelled
    assert not_worth_it.get(0) == "here"
    after = _kept_steps(_Recipe("after"))
    wait_until_the_child_claims(after, 0)  # the cancelled job's step, sent first, waits in the pipe before this one's
    made = [after.get(i) for i in range(2)]
    assert [m[:2] for m in made] == [("after", 0), ("after", 1)] and made[0][2] != os.getpid()


def test_a_kept_child_that_died_is_replaced(forking_allowed):
    import signal

    dead = _a_kept_child()
    os.kill(dead, signal.SIGKILL)
    _wait_until_gone(dead)
    second = _kept_steps(_Recipe("second"))
    wait_until_the_child_claims(second, 0)
    made = second.get(0)
    assert made[:2] == ("second", 0) and made[2] not in (dead, os.getpid())


def test_a_kept_child_grown_too_much_after_a_job_leaves(forking_allowed, monkeypatch):
    from twin.geometry import child

    monkeypatch.setattr(child, "KEPT_GROWTH_MAX_MIB", -1)  # any child has grown by more
    gone = _a_kept_child()
    _wait_until_gone(gone)
    second = _kept_steps(_Recipe("second"))
    wait_until_the_child_claims(second, 0)
    assert second.get(0)[2] not in (gone, os.getpid())


def test_a_kept_child_no_job_comes_to_leaves_and_the_next_job_forks_a_new_one(forking_allowed, monkeypatch):
    from twin.geometry import child

    monkeypatch.setattr(child, "KEPT_IDLE_SECONDS", 1.0)  # read by the child, which is forked after
    idle = _a_kept_child()
    assert _is_running(idle)  # idle since it sent its last result, not for long enough yet
    _wait_until_gone(idle, "the idle child stayed")
    second = _kept_steps(_Recipe("second"))
    wait_until_the_child_claims(second, 0)
    assert [second.get(i)[:2] for i in range(2)] == [("second", 0), ("second", 1)]
    assert second.get(0)[2] not in (idle, os.getpid())


def test_a_kept_child_forked_by_a_large_process_stays(forking_allowed, monkeypatch):
    """What it shares with the process that forked it is not what it holds: a service's job
    process (or a long test run) is large, and its child would otherwise leave after every job."""
    import numpy as np

    from twin.geometry import child

    monkeypatch.setattr(child, "KEPT_GROWTH_MAX_MIB", 64)
    large = np.ones(256 << 17)  # 256 MiB, resident here and so in the child
    kept = _a_kept_child()
    second = _kept_steps(_Recipe("second"))
    wait_until_the_child_claims(second, 0)
    assert second.get(0)[2] == kept
    del large


def test_steps_dropped_before_a_kept_child_sent_them_stop_it(forking_allowed):
    first = _kept_steps(_Recipe("first", slow=60))
    wait_until_the_child_claims(first, 0)
    child = first._child.pid
    del first  # an ingest that failed: the child's step is nobody's
    assert not _is_running(child)


def test_a_job_the_kept_childs_pipe_cannot_take_at_once_goes_to_a_new_child(forking_allowed):
    """Sending never waits on the child: busy, it could itself be waiting for its results to be read."""
    kept = _a_kept_child()
    big = _Recipe("big")
    big.payload = b"x" * (4 << 20)  # more than the pipe holds
    started = time.monotonic()
    second = _kept_steps(big)
    wait_until_the_child_claims(second, 0)
    assert second.get(0)[:2] == ("big", 0) and second.get(0)[2] not in (kept, os.getpid())
    assert time.monotonic() - started < 10
    assert not _is_running(kept)


def test_a_child_killed_holding_the_lock_it_shares_does_not_hold_this_process_up(forking_allowed, monkeypatch):
    """Killed from outside (the OOM killer, say) at the moment it held the lock, a child never frees it."""
    import signal

    from twin.geometry import child

    def die_holding_the_lock(send, shared, lock, job, steps, progress):  # in the child, forked after this patch
        lock.acquire()
        os.kill(os.getpid(), signal.SIGKILL)

    monkeypatch.setattr(child, "_take_steps", die_holding_the_lock)
    steps = ForkedSteps([lambda: "first", lambda: "second"])
    assert steps.is_forked
    _wait_until_gone(steps._child.pid, "the child did not die")
    made = []
    asking = threading.Thread(target=lambda: made.extend(steps.get(i) for i in range(2)), daemon=True)
    asking.start()
    asking.join(30)
    assert made == ["first", "second"]  # made here
