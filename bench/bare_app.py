"""The floor of a landing submission (bench/landing_submit.py): a bare Flask handler
that inserts the posted form as one row and redirects. No CSRF, validation, flow,
person or member: what any form on this stack costs at least."""
import os
from datetime import datetime, timezone

import sqlalchemy as sa
from flask import Flask, redirect, request

engine = sa.create_engine(os.environ["DATABASE_URL"])
if engine.dialect.name == "sqlite":
    # The durability Lectern's own connections run with (portal/database.py): with the
    # default synchronous=FULL every commit of the floor would also sync the log to disk.
    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:
        dbapi_connection.execute("PRAGMA journal_mode=WAL")
        dbapi_connection.execute("PRAGMA synchronous=NORMAL")
meta = sa.MetaData()
rows = sa.Table("bare_submissions", meta, sa.Column("id", sa.Integer, primary_key=True),
                sa.Column("email", sa.String(254)), sa.Column("first_name", sa.String(100)),
                sa.Column("last_name", sa.String(100)), sa.Column("created_at", sa.DateTime))
app = Flask(__name__)


def create_table() -> None:
    """Called by the bench before gunicorn starts: two workers creating it at once would race."""
    meta.create_all(engine)


@app.get("/lp/<slug>")
def page(slug):
    return '<form method="post"><input id="csrf_token" name="csrf_token" type="hidden" value="none"></form>'


@app.post("/lp/<slug>")
def submit(slug):
    with engine.begin() as conn:
        conn.execute(sa.insert(rows).values(email=request.form["email"], first_name=request.form["first_name"],
                                            last_name=request.form["last_name"],
                                            created_at=datetime.now(timezone.utc).replace(tzinfo=None)))
    return redirect(f"/lp/{slug}/thanks")
