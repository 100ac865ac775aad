"""Many rows in one statement, with SQLAlchemy Core (no ORM objects).

PostgreSQL gets one array per column, ``unnest``-ed into the table: one statement and
one bind parameter per column, whatever the row count. SQLite gets the driver's
``executemany`` (one prepared statement stepped over the rows), or multi-row VALUES
when RETURNING is asked for. Values are bound by each column's type, a column at a
time; SQLAlchemy's events still see every statement.
"""
from __future__ import annotations

import json
from datetime import timezone
from typing import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from portal.models.types import UTCDateTime


def among(conn, column, values) -> sa.ColumnElement[bool]:
    """``column IN values`` with one parameter, whatever the count (a long IN list costs
    more to render, bind and parse than to run): on PostgreSQL ``= ANY(array)``, on SQLite
    ``IN (SELECT value FROM json_each(list))``."""
    values = list(values)
    if conn.dialect.name == "postgresql":
        # a typed array parameter: an array cast from text in the WHERE clause would be
        # parsed again for every row scanned
        return column == sa.any_(sa.bindparam(None, values, type_=postgresql.ARRAY(column.type)))
    if conn.dialect.name == "sqlite":
        return column.in_(sa.select(sa.column("value")).select_from(
            sa.func.json_each(sa.bindparam(None, json.dumps(values), type_=sa.String))))
    return column.in_(values)


def pg_array(values: Sequence) -> str:
    """A PostgreSQL array literal, ``{1,NULL,"a \\"b\\""}``: one text parameter the server
    parses, instead of the driver adapting each element in Python."""
    kinds = {type(v) for v in values}
    if kinds <= {int}:
        return "{" + ",".join(map(str, values)) + "}"

    def one(v) -> str:
        if v is None:
            return "NULL"
        if isinstance(v, bool):
            return "t" if v else "f"
        if isinstance(v, int):
            return str(v)
        if isinstance(v, str):
            return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return '"' + str(v) + '"'           # times, numbers: no quote or backslash in them
    return "{" + ",".join(map(one, values)) + "}"


def _column(conn, table: sa.Table, name: str, rows: Sequence[dict]) -> list:
    """One column's values, bound as its type binds them (aware UTC times become naive
    UTC, ...), a column at a time rather than a row at a time."""
    values = [row[name] for row in rows]
    if conn.dialect.name == "sqlite" and isinstance(table.c[name].type, UTCDateTime):
        # SQLAlchemy's own text for SQLite times, made by isoformat in C
        return [None if v is None else (v if v.tzinfo is timezone.utc else v.astimezone(timezone.utc))
                .replace(tzinfo=None).isoformat(" ", "microseconds") for v in values]
    process = table.c[name].type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
    return [process(v) for v in values] if process is not None else values


def _arrays(conn, table: sa.Table, columns: Sequence[str], rows: Sequence[dict]):
    """(column, bind name, SQL array type, values) for PostgreSQL's unnest."""
    dialect = conn.dialect
    return [(name, f"a{n}", f"{table.c[name].type.dialect_impl(dialect).compile(dialect=dialect)}[]",
             pg_array(_column(conn, table, name, rows))) for n, name in enumerate(columns)]


def _tuples(conn, table: sa.Table, columns: Sequence[str], rows: Sequence[dict]) -> list[tuple]:
    return list(zip(*(_column(conn, table, name, rows) for name in columns), strict=True))


#: SQLite's bound parameters per statement (SQLITE_MAX_VARIABLE_NUMBER since 3.32)
SQLITE_PARAMS = 32766


def _defaults(table: sa.Table, given) -> dict:
    """The columns' Python-side defaults (``default=``) that ``given`` leaves out: the
    unnest-ed INSERT bypasses SQLAlchemy, which would otherwise fill them in."""
    out = {}
    for column in table.c:
        default = column.default
        if column.name in given or default is None or column.primary_key:
            continue
        if default.is_scalar:
            out[column.name] = default.arg
        elif default.is_callable:
            out[column.name] = default.arg(None)
    return out


def insert_rows(conn, table: sa.Table, rows: Sequence[dict], returning: Sequence[str] = ()) -> list:
    """Insert ``rows`` (dicts with the same keys; columns left out take their defaults);
    the ``returning`` columns of each inserted row, in no promised order."""
    if not rows:
        return []
    defaults = _defaults(table, rows[0])
    if defaults:
        rows = [defaults | row for row in rows]
    columns = list(rows[0])
    if conn.dialect.name != "postgresql":
        # SQLite: the driver's executemany (one prepared statement), or multi-row VALUES
        # with RETURNING, values bound a column at a time.
        head = f'INSERT INTO "{table.name}" ({", ".join(columns)}) VALUES '
        one = "(" + ", ".join("?" * len(columns)) + ")"
        values = _tuples(conn, table, columns, rows)
        if not returning:
            conn.exec_driver_sql(head + one, values)
            return []
        out, step = [], SQLITE_PARAMS // len(columns)
        for start in range(0, len(values), step):
            part = values[start:start + step]
            out += conn.exec_driver_sql(head + ", ".join([one] * len(part)) + " RETURNING "
                                        + ", ".join(returning), tuple(v for row in part for v in row)).all()
        return out
    arrays = _arrays(conn, table, columns, rows)
    sql = (f'INSERT INTO "{table.name}" ({", ".join(columns)}) SELECT * FROM unnest('
           + ", ".join(f"CAST(:{bind} AS {kind})" for _, bind, kind, _ in arrays) + ")")
    if returning:
        sql += " RETURNING " + ", ".join(returning)
    result = conn.execute(sa.text(sql), {bind: values for _, bind, _, values in arrays})
    return result.all() if returning else []


def update_rows(conn, table: sa.Table, rows: Sequence[dict], key: str = "id") -> None:
    """Update each row's other columns where ``key`` matches (dicts with the same keys)."""
    if not rows:
        return
    columns = list(rows[0])
    others = [c for c in columns if c != key]
    if conn.dialect.name != "postgresql":
        conn.exec_driver_sql(f'UPDATE "{table.name}" SET ' + ", ".join(f"{c} = ?" for c in others)
                             + f" WHERE {key} = ?", _tuples(conn, table, others + [key], rows))
        return
    arrays = _arrays(conn, table, columns, rows)
    sql = (f'UPDATE "{table.name}" AS t SET ' + ", ".join(f"{c} = v.{c}" for c in others)
           + " FROM unnest(" + ", ".join(f"CAST(:{bind} AS {kind})" for _, bind, kind, _ in arrays)
           + f") AS v({', '.join(columns)}) WHERE t.{key} = v.{key}")
    conn.execute(sa.text(sql), {bind: values for _, bind, _, values in arrays})


def upsert_statement(dialect: str, table: sa.Table, keys: Sequence[str], columns: Sequence[str],
                     on_conflict, returning):
    """INSERT (columns, as bind parameters of the same names) ... ON CONFLICT (keys) DO
    UPDATE SET on_conflict(excluded) RETURNING ..., for PostgreSQL or SQLite: the row
    inserted, or the one already there. Build it once and execute it with values."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(table).values({c: sa.bindparam(c, type_=table.c[c].type) for c in columns})
    return stmt.on_conflict_do_update(index_elements=[table.c[k] for k in keys],
                                      set_=on_conflict(stmt.excluded)).returning(*returning)
