"""Time the members page of a program with 10,000 members, on SQLite and PostgreSQL.

    .venv/bin/python bench/members_page.py
    BENCH_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench BENCH_MEMBERS=10000 \\
        .venv/bin/python bench/members_page.py

SQLite runs in a temporary file; PostgreSQL in BENCH_POSTGRES_URL, else a local scratch
database `lectern_bench` (bench/scratch.py), whose tables it DROPS and recreates.
Prints the median of a few runs for the page, a status filter, a search, a sort
and the CSV export, with the number of SQL statements each made.
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import scratch  # noqa: E402  (bench/ is on sys.path when run as a script)
from sqlalchemy import event, insert, text  # noqa: E402

from portal import create_app  # noqa: E402
from portal.channels import ATTENDED, INVITED, NO_SHOW, REGISTERED  # noqa: E402
from portal.cli import create_user  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.models import Member, Person  # noqa: E402
from portal.models.types import utcnow  # noqa: E402
from portal.programs import lifecycle as flows  # noqa: E402

MEMBERS = int(os.environ.get("BENCH_MEMBERS", "10000"))
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
STATUSES = [REGISTERED, REGISTERED, INVITED, ATTENDED, NO_SHOW]


def populate(program_id: int, count: int) -> None:
    now = utcnow()
    db.session.execute(insert(Person), [
        {"email": f"bench{i:06d}@example.com", "email_key": f"bench{i:06d}@example.com",
         "first_name": f"First{i}", "last_name": f"Last{i:06d}", "company": f"Company {i % 97}",
         "created_at": now, "updated_at": now} for i in range(count)])
    ids = db.session.scalars(db.select(Person.id).order_by(Person.id)).all()
    db.session.execute(insert(Member), [
        {"program_id": program_id, "person_id": pid, "status": STATUSES[n % len(STATUSES)],
         "sync_state": "synced", "attended_minutes": (n % 90) if n % 5 == 3 else None,
         "webinar_url": f"https://zoom.example/w/1?tk={n}", "created_at": now, "updated_at": now}
        for n, pid in enumerate(ids)])
    db.session.commit()


def measure(client, url: str) -> tuple[float, int, int]:
    """Median seconds, statements and bytes of GET url."""
    statements = []

    def count(*args):
        statements.append(1)
    times = []
    size = 0
    for _ in range(RUNS):
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", count)
        start = time.perf_counter()
        response = client.get(url)
        body = response.get_data()
        times.append(time.perf_counter() - start)
        event.remove(db.engine, "before_cursor_execute", count)
        assert response.status_code == 200, (url, response.status_code)
        size = len(body)
    return statistics.median(times), len(statements), size


def bench(label: str, db_url: str) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "REDIS_URL": REDIS_URL,
                      "RATELIMIT_STORAGE_URI": REDIS_URL, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "bench",
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        db.create_all()
        create_user("bench@example.com", "bench-password", admin=False)
        program = flows.create_program("Bench", "webinar", "", None)
        start = time.perf_counter()
        populate(program.id, MEMBERS)
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("ANALYZE"))  # what autovacuum does soon after a big import
        print(f"\n{label}: {MEMBERS} members inserted in {time.perf_counter() - start:.2f}s")
        client = app.test_client()
        client.post("/login", data={"email": "bench@example.com", "password": "bench-password"})
        base = f"/programs/{program.id}"
        cases = [
            ("members page", base),
            ("last page", f"{base}?page={-(-MEMBERS // app.config['MEMBERS_PER_PAGE'])}"),
            ("filter by status", f"{base}?status={ATTENDED}"),
            ("search", f"{base}?q=last00{MEMBERS // 2:04d}"),
            ("sort by name, descending", f"{base}?sort=name&desc=1"),
            ("sort by attendance", f"{base}?sort=attendance"),
            ("CSV export, all members", f"{base}/members.csv"),
        ]
        print(f"{'':28}{'median':>10}{'statements':>12}{'bytes':>12}")
        for name, url in cases:
            seconds, statements, size = measure(client, url)
            print(f"{name:28}{seconds * 1000:>8.1f}ms{statements:>12}{size:>12}")
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        bench("SQLite", f"sqlite:///{tmp}/bench.db")
    bench("PostgreSQL", scratch.postgres_url())


if __name__ == "__main__":
    main()
