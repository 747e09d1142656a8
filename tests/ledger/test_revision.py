"""The ledger revision moves on with every committed write, and only then; cards cached on it stay right."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import insert, select, text, update

from twin.ledger.db import open_ledger, transaction
from twin.ledger.models import Campus, LedgerRevision, Unit, utcnow
from twin.ledger.revision import RevisionCache, get_revision


@pytest.fixture
def engine(db_url):
    engine = open_ledger(db_url)
    yield engine
    engine.dispose()


def revision_of(engine) -> int:
    with transaction(engine) as session:
        return get_revision(session.connection())


def test_a_new_ledger_starts_at_revision_zero(engine):
    assert revision_of(engine) == 0


def test_an_orm_write_moves_the_revision_on_by_one_per_transaction(engine):
    with transaction(engine) as session:
        session.add(Unit(code="U1", name="一号单位", admin_level="provincial", reference_level="provincial"))
        session.flush()
        session.add(Unit(code="U2", name="二号单位", admin_level="provincial", reference_level="provincial"))
    assert revision_of(engine) == 1


def test_core_updates_and_deletes_move_the_revision_on(engine):
    with transaction(engine) as session:
        session.add(Unit(code="U1", name="一号单位", admin_level="provincial", reference_level="provincial"))
    with engine.begin() as connection:
        connection.execute(update(Unit).values(name="改名"))
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM unit"))
    assert revision_of(engine) == 3


def test_reads_leave_the_revision_alone(engine):
    with transaction(engine) as session:
        session.scalars(select(Unit)).all()
        session.execute(text("select 1"))
    assert revision_of(engine) == 0


def test_a_rolled_back_write_leaves_the_revision_alone(engine):
    with pytest.raises(RuntimeError):
        with transaction(engine) as session:
            session.add(Unit(code="U1", name="一号单位", admin_level="provincial", reference_level="provincial"))
            session.flush()
            raise RuntimeError("the edit failed half-way")
    assert revision_of(engine) == 0
    with transaction(engine) as session:  # the connection's next transaction bumps again
        session.add(Unit(code="U1", name="一号单位", admin_level="provincial", reference_level="provincial"))
    assert revision_of(engine) == 1


def test_a_write_from_another_engine_is_seen_by_this_one(engine, db_url):
    other = open_ledger(db_url)  # another process's engine (twin load, twin ingest...)
    try:
        with other.begin() as connection:
            connection.execute(insert(Campus).values(global_id="C1", name="院", created_at=utcnow()))
    finally:
        other.dispose()
    assert revision_of(engine) == 1


def at(revision: int):
    """The ledger's current revision, as the cache asks for it."""
    return lambda: revision


def test_the_cache_serves_a_value_only_at_the_revision_it_was_computed_at():
    cache: RevisionCache[str] = RevisionCache(max_entries=2)
    calls = []

    def compute(value, revision):
        return lambda: (calls.append(value) or value, revision)

    assert cache.get_or_compute("a", compute("a@1", 1), get_revision=at(1)) == "a@1"
    assert cache.get_or_compute("a", compute("again", 1), get_revision=at(1)) == "a@1"
    assert cache.get_or_compute("a", compute("a@2", 2), get_revision=at(2)) == "a@2"
    cache.get_or_compute("b", compute("b@2", 2), get_revision=at(2))
    cache.get_or_compute("c", compute("c@2", 2), get_revision=at(2))  # past max_entries: "a" was used least recently
    assert cache.get_or_compute("a", compute("a@2 again", 2), get_revision=at(2)) == "a@2 again"
    assert calls == ["a@1", "a@2", "b@2", "c@2", "a@2 again"]


def test_the_cache_asks_for_the_revision_only_to_check_a_value_it_holds():
    cache: RevisionCache[str] = RevisionCache()
    asked = []

    def current() -> int:
        asked.append(1)
        return 5

    assert cache.get_or_compute("a", lambda: ("a@4", 4), get_revision=current) == "a@4"
    assert asked == []  # nothing cached: the value came with its revision
    assert cache.get_or_compute("a", lambda: ("a@5", 5), get_revision=current) == "a@5"  # 4 is stale
    assert cache.get_or_compute("a", lambda: ("never", 5), get_revision=current) == "a@5"
    assert len(asked) == 2


def test_the_cache_can_be_shared_by_threads():
    cache: RevisionCache[int] = RevisionCache(max_entries=50)
    errors = []

    def work(offset):
        try:
            for i in range(2000):
                key = (i + offset) % 80
                assert cache.get_or_compute(key, lambda k=key: (k * 2, 1), get_revision=at(1)) == key * 2
        except AssertionError as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(cache) <= 50


def test_the_cache_keeps_its_values_under_their_total_weight():
    cache: RevisionCache[bytes] = RevisionCache(max_entries=100, max_weight=10, weigh=len)
    for key in "abc":
        cache.get_or_compute(key, lambda: (b"1234", 1), get_revision=at(1))
    assert len(cache) == 2  # 12 bytes would be over 10: the oldest went
    assert cache.get_or_compute("a", lambda: (b"new", 1), get_revision=at(1)) == b"new"


def test_on_postgresql_a_long_writing_transaction_does_not_hold_up_other_writers(postgres_url):
    engine = open_ledger(postgres_url)
    try:
        with transaction(engine) as long_one:  # an ingest's stage, say: written, not yet committed
            long_one.add(Unit(code="U1", name="一号单位", admin_level="provincial", reference_level="provincial"))
            long_one.flush()
            with engine.connect() as other:
                other.exec_driver_sql("SET lock_timeout = '2s'")
                other.commit()
                with other.begin():
                    other.execute(update(Unit).values(name="改名"))  # no row of the long one's; only the revision is shared
                assert other.scalar(select(LedgerRevision.value)) == 1
        assert revision_of(engine) == 2
    finally:
        engine.dispose()
