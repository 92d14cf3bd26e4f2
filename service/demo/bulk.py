"""Generated rows written the fastest way each driver offers: COPY on PostgreSQL, the driver's executemany on SQLite.

`seed-demo --scale 1000000` writes about ten million rows; through SQLAlchemy's `insert()` most of the time goes
into building parameters row by row. Here each column's value is converted once by the column type's own bind
processor (SQLite: the same text SQLAlchemy would store) and handed to the driver in one call per table and batch.
"""

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Table
from sqlalchemy.engine import Connection


def write(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows that all have the same keys (the columns they leave out take their defaults)."""
    if not rows:
        return
    names = list(rows[0])
    if connection.dialect.name == "postgresql":
        _copy(connection, table, names, rows)
    else:
        _executemany(connection, table, names, rows)


def _executemany(connection: Connection, table: Table, names: list[str], rows: list[dict[str, Any]]) -> None:
    processors = [table.c[name].type._cached_bind_processor(connection.dialect) for name in names]
    values = [
        tuple(row[name] if convert is None else convert(row[name]) for name, convert in zip(names, processors, strict=True))
        for row in rows
    ]
    marks = ", ".join("?" for _ in names)
    connection.exec_driver_sql(f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({marks})", values)


def _copy_value(value: Any, is_json: bool) -> Any:
    """What COPY gets: JSON as its text, moments as UTC wall-clock time (the columns are timestamps without zone)."""
    if is_json:
        return json.dumps(value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def _copy(connection: Connection, table: Table, names: list[str], rows: list[dict[str, Any]]) -> None:
    json_columns = [isinstance(table.c[name].type, JSON) for name in names]
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([_copy_value(row[name], j) for name, j in zip(names, json_columns, strict=True)])
