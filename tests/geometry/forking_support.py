"""What the tests of forked children share: waiting for a child to claim a step or to be gone."""

from __future__ import annotations

import time
from pathlib import Path

from twin.geometry.forked import ForkedSteps


def wait_until_the_child_claims(steps: ForkedSteps, index: int) -> None:
    """Until the child has claimed step ``index`` (made there, not here)."""
    deadline = time.monotonic() + 10
    while steps._claims[index] != 1:
        assert time.monotonic() < deadline, "the child never began the step"
        time.sleep(0.001)


def is_running(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def wait_until_gone(pid: int, why: str = "the child stayed") -> None:
    deadline = time.monotonic() + 10
    while is_running(pid):
        assert time.monotonic() < deadline, why
        time.sleep(0.01)
