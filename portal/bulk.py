"""Many rows in one statement, with SQLAlchemy Core (no ORM objects).

PostgreSQL gets one array per column, ``unnest``-ed into the table: one statement and
one bind parameter per column, whatever the row count. SQLite gets one prepared
statement stepped over the rows (``executemany``), or multi-row VALUES when RETURNING
is asked for.
"""
from __future__ import annotations

from typing import Sequence

import sqlalchemy as sa


def _arrays(conn, table: sa.Table, columns: Sequence[str], rows: Sequence[dict]):
    """(column, bind name, SQL array type, values) with each value bound as the column's
    type binds it (aware UTC times become naive UTC, ...)."""
    dialect = conn.dialect
    out = []
    for n, name in enumerate(columns):
        column = table.c[name]
        process = column.type.bind_processor(dialect)
        values = [row[name] for row in rows]
        if process is not None:
            values = [process(v) for v in values]
        sql_type = column.type.dialect_impl(dialect).compile(dialect=dialect)
        out.append((name, f"a{n}", f"{sql_type}[]", values))
    return out


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
        stmt = sa.insert(table)
        if returning:
            return conn.execute(stmt.returning(*(table.c[c] for c in returning)), list(rows)).all()
        conn.execute(stmt, list(rows))
        return []
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
        stmt = (sa.update(table).where(table.c[key] == sa.bindparam("_k"))
                .values({c: sa.bindparam("_" + c) for c in others}))
        conn.execute(stmt, [{"_" + c: row[c] for c in others} | {"_k": row[key]} for row in rows])
        return
    arrays = _arrays(conn, table, columns, rows)
    sql = (f'UPDATE "{table.name}" AS t SET ' + ", ".join(f"{c} = v.{c}" for c in others)
           + " FROM unnest(" + ", ".join(f"CAST(:{bind} AS {kind})" for _, bind, kind, _ in arrays)
           + f") AS v({', '.join(columns)}) WHERE t.{key} = v.{key}")
    conn.execute(sa.text(sql), {bind: values for _, bind, _, values in arrays})
