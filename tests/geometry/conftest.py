"""Fixtures of the geometry tests."""

from __future__ import annotations

import pytest

from twin.geometry import workers


@pytest.fixture
def forking_allowed(monkeypatch):
    """Fork although the test process runs other threads (the e2e server's, say): these tests
    are about what a child computes, and the children only mesh or hash."""
    monkeypatch.setattr(workers, "_is_single_threaded", lambda: True)
