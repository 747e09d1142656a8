"""The garbage collector is paused for bulk work, and runs again when the last pause ends."""

from __future__ import annotations

import gc
import threading

import pytest

from twin.collector import paused_collector
from twin.ledger import ingest as ingest_module


@pytest.fixture
def collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_a_pause_stops_the_collector_and_its_end_restarts_it(collector_on):
    with paused_collector():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_nested_and_overlapping_pauses_restart_it_only_at_the_last_end(collector_on):
    entered, release = threading.Event(), threading.Event()

    def other_ingest():
        with paused_collector():
            entered.set()
            release.wait(10)

    thread = threading.Thread(target=other_ingest)
    with paused_collector():
        thread.start()
        entered.wait(10)
        with paused_collector():
            pass
        assert not gc.isenabled()
    assert not gc.isenabled()  # the other thread's pause still runs
    release.set()
    thread.join()
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off(collector_on):
    gc.disable()
    with paused_collector():
        pass
    assert not gc.isenabled()


def test_a_pause_ends_when_its_block_raises(collector_on):
    with pytest.raises(RuntimeError):
        with paused_collector():
            raise RuntimeError("boom")
    assert gc.isenabled()


def test_an_ingest_runs_with_the_collector_paused(collector_on, monkeypatch, tmp_path):
    seen = []
    monkeypatch.setattr(ingest_module, "_ingest_file", lambda *a, **k: seen.append(gc.isenabled()))
    ingest_module.ingest_file(tmp_path / "any.ifc", engine=None, assets_dir=tmp_path)
    assert seen == [False] and gc.isenabled()
