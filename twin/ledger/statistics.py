"""The query planner's statistics, refreshed after an ingest where the tables changed enough.

Both databases plan the API's queries from table statistics (SQLite's ``sqlite_stat1``,
PostgreSQL's ``pg_statistic``). Without them, or with them far off after a large import, they
can choose poor plans for the API's room searches; hence a refresh after each ingest. A
whole ``ANALYZE`` after every ingest keeps them right but costs 20-40 ms on such a ledger, most
of it for tables a new version barely touched. So a table is analysed when it has rows and no
statistics yet (the planner would only guess its size), or when its row count moved by more
than :data:`STALE_FRACTION` (plus :data:`STALE_ROWS`) from the count its statistics were made
from, as PostgreSQL's autovacuum decides (its default thresholds): SQLite's ``sqlite_stat1``
rows start with that count, PostgreSQL keeps it in ``pg_class.reltuples``.
(PostgreSQL's counters of changed rows, ``n_mod_since_analyze``, reach the statistics views a
moment after a commit: too late for the ingest that just committed.)
"""

from __future__ import annotations

import logging

from sqlalchemy import Connection, Engine, inspect

log = logging.getLogger(__name__)

#: A table is re-analysed when its rows changed by more than this fraction of its size...
STALE_FRACTION = 0.1
#: ... plus this many rows (small tables are planned well enough without).
STALE_ROWS = 50


def refresh_statistics(engine: Engine) -> list[str]:
    """Analyse the tables whose statistics are stale (see the module docstring); return their names."""
    with engine.begin() as connection:
        stale = _get_stale_tables(connection)
        for table in stale:
            connection.exec_driver_sql(f'ANALYZE "{table}"')
    if stale:
        log.info("planner statistics refreshed for %s", ", ".join(stale))
    return stale


def _is_stale(changed: float, rows: float) -> bool:
    return changed > STALE_FRACTION * rows + STALE_ROWS


def _get_stale_tables(connection: Connection) -> list[str]:
    analysed: dict[str, float] = {}  # table -> the row count its statistics were made from
    if connection.dialect.name == "postgresql":
        rows = connection.exec_driver_sql(
            "SELECT relname, reltuples FROM pg_class WHERE relkind = 'r' AND relnamespace = current_schema()::regnamespace")
        analysed = {name: float(count) for name, count in rows if count >= 0}  # -1: never analysed
    elif connection.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first():
        analysed = {table: float(str(stat).split()[0]) for table, stat in connection.exec_driver_sql("SELECT tbl, stat FROM sqlite_stat1")}
    stale = []
    for table in inspect(connection).get_table_names():
        rows = connection.exec_driver_sql(f'SELECT count(*) FROM "{table}"').scalar_one()
        before = analysed.get(table)
        if (before is None and rows > 0) or (before is not None and _is_stale(abs(rows - before), before)):
            stale.append(table)  # never analysed (the planner would guess its size), or moved past the threshold
    return stale
