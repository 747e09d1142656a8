"""Forked children (twin.geometry.child): niceness, their own workers and the process that
forked them end them; a kept child takes the next jobs, and leaves when it has grown, idled or died."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from forking_support import is_running, wait_until_gone, wait_until_the_child_claims
from twin.geometry.forked import ForkedSteps


def test_a_child_told_to_be_nice_yields_the_cores_to_this_process(forking_allowed):
    steps = ForkedSteps([lambda: os.nice(0)], nice=5)
    wait_until_the_child_claims(steps, 0)
    assert steps.get(0) == min(os.nice(0) + 5, 19)


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
    while any(is_running(pid) for pid in members):
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
    while is_running(child):
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
    wait_until_gone(dead)
    second = _kept_steps(_Recipe("second"))
    wait_until_the_child_claims(second, 0)
    made = second.get(0)
    assert made[:2] == ("second", 0) and made[2] not in (dead, os.getpid())


def test_a_kept_child_grown_too_much_after_a_job_leaves(forking_allowed, monkeypatch):
    from twin.geometry import child

    monkeypatch.setattr(child, "KEPT_GROWTH_MAX_MIB", -1)  # any child has grown by more
    gone = _a_kept_child()
    wait_until_gone(gone)
    second = _kept_steps(_Recipe("second"))
    wait_until_the_child_claims(second, 0)
    assert second.get(0)[2] not in (gone, os.getpid())


def test_a_kept_child_no_job_comes_to_leaves_and_the_next_job_forks_a_new_one(forking_allowed, monkeypatch):
    from twin.geometry import child

    monkeypatch.setattr(child, "KEPT_IDLE_SECONDS", 1.0)  # read by the child, which is forked after
    idle = _a_kept_child()
    assert is_running(idle)  # idle since it sent its last result, not for long enough yet
    wait_until_gone(idle, "the idle child stayed")
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
    assert not is_running(child)


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
    assert not is_running(kept)


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
    wait_until_gone(steps._child.pid, "the child did not die")
    made = []
    asking = threading.Thread(target=lambda: made.extend(steps.get(i) for i in range(2)), daemon=True)
    asking.start()
    asking.join(30)
    assert made == ["first", "second"]  # made here
