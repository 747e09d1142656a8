"""Alembic migrations: they build exactly the models' schema and go down and up again."""

from __future__ import annotations

import subprocess
import sys

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from twin.ledger.db import HEAD_REVISION, _get_alembic_config, get_current_revision, get_head_revision, open_ledger
from twin.ledger.models import Base


def test_migrations_build_the_schema_the_models_describe(db_url):
    engine = open_ledger(db_url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata)
    engine.dispose()
    assert diff == []


def test_the_head_revision_a_ledger_is_opened_at_is_the_migrations_folders_newest():
    assert HEAD_REVISION == get_head_revision(), "a new migration: set twin.ledger.db.HEAD_REVISION to its revision"


def test_an_older_ledger_is_migrated_when_opened(db_url):
    engine = open_ledger(db_url)
    command.downgrade(_get_alembic_config(engine), "-1")
    assert get_current_revision(engine) != HEAD_REVISION
    engine.dispose()
    engine = open_ledger(db_url)
    assert get_current_revision(engine) == HEAD_REVISION
    engine.dispose()


def test_migrations_go_down_to_nothing_and_up_again(db_url):
    engine = open_ledger(db_url)
    assert get_current_revision(engine) == get_head_revision()
    command.downgrade(_get_alembic_config(engine), "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    command.upgrade(_get_alembic_config(engine), "head")
    assert {"room", "unit", "person", "occupancy", "title"} <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_processes_opening_a_new_ledger_at_once_all_find_it_migrated(db_url):
    opener = ("import sys\nfrom twin.ledger.db import get_current_revision, open_ledger\n"
              "print(get_current_revision(open_ledger(sys.argv[1])))")
    processes = [subprocess.Popen([sys.executable, "-c", opener, db_url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(4)]  # as `twin serve` and `twin ingest` started together on a new ledger
    results = [process.communicate(timeout=120) for process in processes]
    assert [(process.returncode, out.strip()) for process, (out, _) in zip(processes, results)] == [(0, get_head_revision())] * 4, results


def test_a_process_that_migrated_a_new_ledger_is_read_by_others_after_one_came_and_went(db_url):
    """The migration lock once opened and closed the SQLite file itself, which dropped this
    process's SQLite locks on it: the next process to close its last connection took itself for
    the last, deleted the write-ahead log, and this process's later commits went into a deleted
    log that no other process could read (an upload's job, say, never found its row)."""
    from twin.ledger.jobs import create_job

    engine = open_ledger(db_url)  # migrates the new ledger, under the migration lock
    subprocess.run([sys.executable, "-c", "import sys\nfrom twin.ledger.db import open_ledger\nopen_ledger(sys.argv[1]).dispose()", db_url],
                   check=True, timeout=120)  # another process opens the ledger and closes it again
    job_id = create_job(engine, kind="ingest", filename="a.ifc", created_by="admin")
    reader = ("import sys\nfrom sqlalchemy import text\nfrom twin.ledger.db import open_ledger\n"
              "with open_ledger(sys.argv[1]).connect() as connection:\n"
              "    print(connection.execute(text('SELECT max(id) FROM job')).scalar())")
    seen = subprocess.run([sys.executable, "-c", reader, db_url], check=True, capture_output=True, text=True, timeout=120).stdout.strip()
    engine.dispose()
    assert seen == str(job_id)
