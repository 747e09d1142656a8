"""``json_rows(...)``: the rows of a correlated select as one JSON array of arrays, in SQL.

A room's card lists its declared areas, history, inspections, warnings and occupants. Asked for
one by one, each list is a round trip through the driver and SQLAlchemy's result machinery, which
costs more than the lookup itself. As scalar subqueries of :func:`json_rows`, all of them come
back in the room's own row, parsed by ``orjson`` at C speed.

The SQL differs by dialect; the result does not: a list of rows, each a list of the columns'
values, typed as a plain select would type them (floats, datetimes and dates restored from their
JSON form; JSON columns as their Python values). Row order is not part of the contract (SQLite 3.40
has no ``ORDER BY`` inside an aggregate), so callers select their sort keys and sort. SQLite 3.40
writes real numbers into JSON with 15 significant digits (PostgreSQL with all 17): an area of up
to 10⁶ m² keeps 9 decimals, far below anything measured or declared.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import orjson
from sqlalchemy import JSON, Date, DateTime, Float, Text
from sqlalchemy.exc import CompileError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator

#: How a value of a column type is restored from JSON (types JSON keeps as they are: none).
_RESTORE = {"float": float, "datetime": datetime.fromisoformat, "date": date.fromisoformat}


def _get_restore_kind(column_type: Any) -> str | None:
    if isinstance(column_type, Float):
        return "float"  # PostgreSQL writes 2.0 as 2
    if isinstance(column_type, DateTime):
        return "datetime"
    if isinstance(column_type, Date):
        return "date"
    return None


class JsonRows(TypeDecorator):
    """The result type of :func:`json_rows`: JSON text in SQL, typed rows in Python."""

    impl = Text
    cache_ok = True

    def __init__(self, kinds: tuple[str | None, ...]) -> None:
        super().__init__()
        self.kinds = kinds

    def process_result_value(self, value: str | None, dialect: Any) -> list[list[Any]]:
        rows = orjson.loads(value) if value else []
        restore = [(i, _RESTORE[kind]) for i, kind in enumerate(self.kinds) if kind]
        for row in rows:
            for i, convert in restore:
                if row[i] is not None:
                    row[i] = convert(row[i])
        return rows


class json_rows(FunctionElement):  # noqa: N801 (an SQL function, named like one)
    """``json_rows(col, ...)``: an aggregate over the selected rows (see the module)."""

    name = "json_rows"
    inherit_cache = True

    def __init__(self, *columns: Any) -> None:
        super().__init__(*columns)
        self.type = JsonRows(tuple(_get_restore_kind(column.type) for column in self.clauses))


@compiles(json_rows)
def _compile_other(element: json_rows, compiler, **kw: Any) -> str:
    raise CompileError(f"json_rows is written for SQLite and PostgreSQL, not {compiler.dialect.name}")


@compiles(json_rows, "sqlite")
def _compile_sqlite(element: json_rows, compiler, **kw: Any) -> str:
    # a JSON column is stored as text: json() nests it as JSON rather than as a string
    args = ", ".join(
        f"json({compiler.process(column, **kw)})" if isinstance(column.type, JSON) else compiler.process(column, **kw)
        for column in element.clauses
    )
    return f"json_group_array(json_array({args}))"


@compiles(json_rows, "postgresql")
def _compile_postgresql(element: json_rows, compiler, **kw: Any) -> str:
    return f"coalesce(json_agg(json_build_array({compiler.process(element.clauses, **kw)}))::text, '[]')"
