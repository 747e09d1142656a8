"""Snapshots of a ledger: every table (to assert that a failed operation changed nothing), and
its warnings and rooms' compliance (to compare one evaluation with another)."""

from __future__ import annotations

from sqlalchemy import Engine, inspect, select, text


def dump_database(engine: Engine) -> dict[str, list[tuple]]:
    """All rows of all tables, sorted, as plain tuples (``{}`` for a database with no tables)."""
    tables = inspect(engine).get_table_names()
    with engine.connect() as connection:
        return {
            table: sorted((tuple(map(repr, row)) for row in connection.execute(text(f'select * from "{table}"'))))
            for table in tables
        }


def warnings_and_compliance(session) -> tuple[set[tuple], dict[str, str | None]]:
    """Every warning as it stands (but when it was last seen), and each room's stored compliance."""
    from twin.ledger.models import Room, Warning

    warnings = {(w.fingerprint, w.status, w.message, repr(w.evidence), w.room_id, w.person_id, w.unit_id)
                for w in session.scalars(select(Warning))}
    return warnings, dict(session.execute(select(Room.global_id, Room.compliance)).all())
