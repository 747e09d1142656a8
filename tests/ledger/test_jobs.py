"""Ingest jobs run in a process of their own: it may fork, it reports progress, and its death fails only its job."""

from __future__ import annotations

import os
import shutil
import signal
import time
from pathlib import Path

import pytest

from ifc_factory import RoomSpec, build_model
from twin.geometry.workers import can_fork
from twin.ledger.db import open_ledger
from twin.ledger.jobs import IngestRunner, create_job, get_job

TOWER = Path(__file__).resolve().parents[2] / "models_ifc" / "campus_tower.ifc"


@pytest.fixture
def ledger(db_url, tmp_path):
    engine = open_ledger(db_url)
    runner = IngestRunner(database_url=db_url, assets_dir=tmp_path / "assets")
    yield engine, runner
    runner.shutdown()
    engine.dispose()


def upload(engine, source: Path, folder: Path) -> tuple[int, Path]:
    """A job for a copy of ``source`` (a job removes its upload when it ends)."""
    folder.mkdir(exist_ok=True)
    path = Path(shutil.copy(source, folder / f"upload-{time.monotonic_ns()}.ifc"))
    return create_job(engine, kind="ingest", filename=source.name, created_by="admin"), path


def wait_while_running(engine, job_id: int, *, seen: list | None = None, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = get_job(engine, job_id)
        if seen is not None:
            seen.append((job["status"], job["stage"], job["done"]))
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.01)
    raise AssertionError(f"job {job_id} did not finish")


def test_a_job_runs_in_a_process_of_its_own_that_may_fork_its_workers(ledger):
    _, runner = ledger
    assert runner.call(os.getpid).result() != os.getpid()
    assert runner.call(can_fork).result() is True  # this process has threads (the progress listener): it may not


def test_a_jobs_progress_reaches_the_service_while_it_runs(ledger, tmp_path):
    engine, runner = ledger
    job_id, path = upload(engine, TOWER, tmp_path / "uploads")
    runner.submit(engine, job_id, path, actor="admin")
    seen: list = []
    job = wait_while_running(engine, job_id, seen=seen)
    assert job["status"] == "done" and job["result"]["rooms"] == 564 and not path.exists()
    assert any(status == "running" and stage in ("rooms", "context") and done > 0 for status, stage, done in seen)
    assert job["stage"] == "done" and job["done"] == job["total"] > 0  # a progress bar shows it full, not 0 of 0


def test_a_job_whose_file_is_in_the_ledger_already_ends_all_done(ledger, tmp_path):
    engine, runner = ledger
    for _ in range(2):
        job_id, path = upload(engine, TOWER, tmp_path / "uploads")
        runner.submit(engine, job_id, path, actor="admin")
        job = wait_while_running(engine, job_id)
    assert job["result"]["skipped"] is True and (job["stage"], job["done"], job["total"]) == ("done", 1, 1)


def test_a_job_whose_process_dies_is_failed_and_the_job_queued_behind_it_runs_in_a_new_process(ledger, tmp_path):
    engine, runner = ledger
    first_pid = runner.call(os.getpid).result()
    job_id, path = upload(engine, TOWER, tmp_path / "uploads")
    future = runner.submit(engine, job_id, path, actor="admin")
    model = build_model(tmp_path / "small.ifc", [RoomSpec("A-0101", "办公室", global_id="0RoomA0101xxxxxxxxxxxx")])
    next_id, next_path = upload(engine, model, tmp_path / "uploads")
    runner.submit(engine, next_id, next_path, actor="admin")  # queued behind the tower
    while get_job(engine, job_id)["status"] != "running":
        time.sleep(0.01)
    os.kill(first_pid, signal.SIGKILL)  # as a crash in a geometry kernel would end it
    with pytest.raises(Exception):
        future.result(timeout=60)
    job = wait_while_running(engine, job_id)
    assert job["status"] == "failed" and "ingest process ended" in job["error"] and not path.exists()
    assert wait_while_running(engine, next_id)["status"] == "done"
    assert runner.call(os.getpid).result() != first_pid


def job_process_pid_after_the_job(runner: IngestRunner, first_pid: int, *, timeout: float = 30) -> int:
    """The job process's pid once the job's end has been handled (its callback runs just after the future's result)."""
    deadline = time.monotonic() + timeout
    while (pid := runner.call(os.getpid).result()) == first_pid and time.monotonic() < deadline:
        time.sleep(0.05)
    return pid


@pytest.mark.parametrize(("limit_mib", "replaced"), [(1, True), (64 * 1024, False)])
def test_a_job_process_that_keeps_more_memory_than_its_limit_after_a_job_is_replaced(db_url, tmp_path, limit_mib, replaced):
    engine = open_ledger(db_url)
    runner = IngestRunner(database_url=db_url, assets_dir=tmp_path / "assets", memory_limit_mib=limit_mib)
    try:
        first_pid = runner.call(os.getpid).result()
        model = build_model(tmp_path / "small.ifc", [RoomSpec("A-0101", "办公室")])
        job_id, path = upload(engine, model, tmp_path / "uploads")
        assert runner.submit(engine, job_id, path, actor="admin").result(timeout=120) > 1  # what it keeps, in MiB
        assert wait_while_running(engine, job_id)["status"] == "done"
        pid = job_process_pid_after_the_job(runner, first_pid, timeout=30 if replaced else 1)
        assert (pid != first_pid) is replaced
        if replaced:  # the fresh process takes the next job
            next_id, next_path = upload(engine, model, tmp_path / "uploads")
            runner.submit(engine, next_id, next_path, actor="admin").result(timeout=120)
            assert wait_while_running(engine, next_id)["result"]["skipped"] is True
    finally:
        runner.shutdown()
        engine.dispose()


def _record_endings(monkeypatch, path: Path) -> list[tuple[str, bool]]:
    """Each status a job is given after running, with whether its upload still existed then."""
    from twin.ledger import jobs

    seen, update = [], jobs._update

    def recording(engine, job_id, **values):
        if values.get("status") in ("done", "failed"):
            seen.append((values["status"], path.exists()))
        update(engine, job_id, **values)

    monkeypatch.setattr(jobs, "_update", recording)
    return seen


@pytest.mark.parametrize(("content", "status"), [("model", "done"), ("not an ifc", "failed")])
def test_a_job_says_it_ended_only_once_its_upload_is_removed(sqlite_url, tmp_path, monkeypatch, content, status):
    from twin.ledger.jobs import run_ingest_job

    engine = open_ledger(sqlite_url)
    source = build_model(tmp_path / "small.ifc", [RoomSpec("A-0101", "办公室")])
    if content != "model":
        source.write_text(content)
    job_id, path = upload(engine, source, tmp_path / "uploads")
    seen = _record_endings(monkeypatch, path)
    run_ingest_job(engine, job_id, path, assets_dir=tmp_path / "assets", actor="admin", on_progress=lambda *_: None)
    assert seen == [(status, False)] and get_job(engine, job_id)["status"] == status
    engine.dispose()


def test_a_job_whose_process_died_says_it_failed_only_once_its_upload_is_removed(sqlite_url, tmp_path, monkeypatch):
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool

    from twin.ledger.jobs import _update

    engine = open_ledger(sqlite_url)
    job_id, path = upload(engine, build_model(tmp_path / "small.ifc", [RoomSpec("A-0101", "办公室")]), tmp_path / "uploads")
    _update(engine, job_id, status="running")
    seen = _record_endings(monkeypatch, path)
    died: Future = Future()
    died.set_exception(BrokenProcessPool("killed"))
    runner = IngestRunner(database_url=sqlite_url, assets_dir=tmp_path / "assets")  # no process: none is submitted
    runner._after_job(engine, job_id, path, "admin", False, None, died)
    assert seen == [("failed", False)] and "ingest process ended" in get_job(engine, job_id)["error"]
    runner.shutdown()
    engine.dispose()


def die_holding_the_progress_lock() -> None:
    """In a job process: die in the middle of a progress report (its queue's write lock held), as
    a process killed at any moment may."""
    from twin.ledger.jobs import _SENDER

    _SENDER["queue"]._wlock.acquire()  # what SimpleQueue.put holds while it writes
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_job_process_killed_while_it_reported_progress_does_not_stop_the_next_one_reporting(ledger, tmp_path):
    engine, runner = ledger
    died = runner.call(die_holding_the_progress_lock)
    with pytest.raises(Exception):
        died.result(timeout=60)
    next_pid = runner.call(os.getpid).result()  # a new job process
    job_id, path = upload(engine, build_model(tmp_path / "small.ifc", [RoomSpec("A-0101", "办公室")]), tmp_path / "uploads")
    runner.submit(engine, job_id, path, actor="admin")
    try:
        assert wait_while_running(engine, job_id, timeout=60)["status"] == "done"
    finally:  # stuck at its first report, it would hold up the runner's shutdown for good
        if get_job(engine, job_id)["status"] == "running":
            os.kill(next_pid, signal.SIGKILL)
