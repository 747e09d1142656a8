"""Snapshot every table of a ledger, to assert that a failed operation changed nothing."""

from __future__ import annotations

from sqlalchemy import Engine, inspect, text


def dump_database(engine: Engine) -> dict[str, list[tuple]]:
    """All rows of all tables, sorted, as plain tuples (``{}`` for a database with no tables)."""
    tables = inspect(engine).get_table_names()
    with engine.connect() as connection:
        return {
            table: sorted((tuple(map(repr, row)) for row in connection.execute(text(f'select * from "{table}"'))))
            for table in tables
        }
