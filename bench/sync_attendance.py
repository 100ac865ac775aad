"""Benchmark: one attendance sync of a big webinar, Lectern against its floor.

The Zoom sandbox (its own process, per-second limits off) generates an ended webinar
with 10,000 registered attendees (every 5th joins three times) plus walk-ins, and 2,000
absentees; the report lists rows in the order people joined, so a person's rejoins are
pages apart. The portal knows 90 % of the attendees and every absentee as Registered
members, so the sync also creates ~1,000 new leads. Per database, one run each of:

- Lectern: the sync job (``portal.attendance.jobs.sync_attendance``) called in-process,
  pacing off (the sandbox enforces no limit here; paced, the Heavy class alone would
  take 54 calls / 9.5 a second);
- the floor (``bench/floor_sync_attendance.py``): the same pages with plain ``requests``,
  one bulk statement per table, on a freshly prepared copy of the same members;

in BENCH_ROUNDS (3) alternating rounds; prints each round's wall times and ratio, Lectern's
SQL statements (counted by an event listener, no tracemalloc while timing), then the
median round and whether both wrote the same statuses.

    python bench/sync_attendance.py                      # SQLite, then PostgreSQL
    python bench/sync_attendance.py --db sqlite --attendees 2000 --absentees 400
    python bench/sync_attendance.py --memory 2000,10000   # peak Python memory (tracemalloc), Lectern only

PostgreSQL: BENCH_POSTGRES_URL, else a local scratch database `lectern_bench`
(bench/scratch.py); every table there is dropped and recreated. Redis: BENCH_REDIS_URL.
"""
from __future__ import annotations

import argparse
import gc
import os
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime, timedelta, timezone
from pathlib import Path

import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import scratch  # noqa: E402  (bench/ is on sys.path when run as a script)
from floor_sync_attendance import floor_sync  # noqa: E402

from portal import create_app  # noqa: E402
from portal.attendance import jobs  # noqa: E402
from portal.channels import REGISTERED  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.models import Binding, Member, Person, Program, Service, SyncRun  # noqa: E402
from portal.partners import plugin  # noqa: E402
from portal.services.tokens import encrypt_token  # noqa: E402
from providers.zoom.sandbox import seed  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_sandbox(limits: str = "off") -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "providers.zoom.sandbox", "--port", str(port)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "ZOOM_SANDBOX_RATE_LIMITS": limits})
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            requests.get(url + "/_sandbox/state", timeout=1)
            return proc, url
        except requests.ConnectionError:
            time.sleep(0.1)
    proc.terminate()
    raise SystemExit("the Zoom sandbox did not start")


def control(url: str, path: str, method: str = "POST", **body) -> dict:
    resp = requests.request(method, f"{url}/_sandbox/{path}", json=body, timeout=120)
    resp.raise_for_status()
    return resp.json()


def config_for(db_url: str, sandbox_url: str) -> dict:
    return {
        "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": db_url,
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5"),
        "RQ_QUEUE": "lectern-bench", "MAIL_SERVER": "", "PACING": False,
        "ZOOM_OAUTH_BASE_URL": sandbox_url, "ZOOM_API_BASE_URL": sandbox_url + "/v2",
        "ZOOM_CLIENT_ID": seed.OAUTH_CLIENT_ID, "ZOOM_CLIENT_SECRET": seed.OAUTH_CLIENT_SECRET,
        "ZOOM_WEBHOOK_SECRET_TOKEN": seed.WEBHOOK_SECRET_TOKEN,
        "ZOOM_S2S_CLIENT_ID": seed.S2S_CLIENT_ID, "ZOOM_S2S_CLIENT_SECRET": seed.S2S_CLIENT_SECRET,
        "ZOOM_S2S_ACCOUNT_ID": seed.S2S_ACCOUNT_ID,
    }


def make_webinar(sandbox_url: str, attendees: int, absentees: int) -> tuple[str, datetime, list, int]:
    """An ended webinar with its report: (id, start, registrants, report rows + absentees)."""
    began = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=3)
    wid = control(sandbox_url, "webinars", topic="Bench", host_email=seed.OWNER_EMAIL,
                  start_time=began.strftime("%Y-%m-%dT%H:%M:%SZ"), duration=60)["id"]
    made = control(sandbox_url, f"webinars/{wid}/bulk", attendees=attendees, absentees=absentees,
                   walk_ins=50, rejoin_every=5, by_join_time=True)
    registrants = control(sandbox_url, "state", method="GET")["webinars"][str(wid)]["registrants"]
    print(f"  sandbox: {made['participant_rows']} report rows, {made['absentees']} absentees")
    return str(wid), began, registrants, made["participant_rows"] + made["absentees"]


def prepare(webinar: tuple, attendees: int) -> int:
    """Fresh schema, an S2S service, a program linked to the webinar, its members."""
    wid, began, registrants, _ = webinar
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    else:
        db.drop_all()
    db.create_all()
    service = Service(name="Bench Zoom", provider="zoom", account_id=seed.ACCOUNT_ID, kind="s2s",
                      token_ciphertext=encrypt_token(plugin("zoom").server_token()))
    program = Program(name="Bench webinar", channel="webinar")
    db.session.add_all([service, program])
    db.session.commit()
    db.session.add(Binding(program_id=program.id, service_id=service.id, provider="zoom",
                           webinar_id=wid, topic="Bench", start_at=began, duration=60))
    # every 10th attendee never registered on the portal: they become new leads
    known = [r for i, r in enumerate(registrants) if i >= attendees or i % 10]
    now = datetime.now(timezone.utc)
    for start in range(0, len(known), 2000):
        chunk = known[start:start + 2000]
        ids = dict((k, i) for i, k in db.session.execute(
            sa.insert(Person).returning(Person.id, Person.email_key),
            [{"email": r["email"], "email_key": r["email"].lower(), "first_name": "Bulk",
              "last_name": "Person", "created_at": now, "updated_at": now} for r in chunk]))
        db.session.execute(sa.insert(Member), [
            {"program_id": program.id, "person_id": ids[r["email"].lower()], "status": REGISTERED,
             "registrant_id": r["id"], "created_at": now, "updated_at": now} for r in chunk])
    db.session.commit()
    program_id = program.id
    db.session.remove()
    return program_id


def outcome(program_id: int) -> dict:
    """What a sync wrote: members by status, sessions, people, minutes."""
    with db.engine.connect() as conn:
        statuses = dict(conn.execute(sa.select(Member.status, sa.func.count()).where(
            Member.program_id == program_id).group_by(Member.status)).all())
        return {"statuses": statuses,
                "minutes": conn.scalar(sa.select(sa.func.sum(Member.attended_minutes))),
                "sessions": conn.scalar(sa.text("SELECT count(*) FROM attendance_sessions")),
                "people": conn.scalar(sa.select(sa.func.count()).select_from(Person))}


def lectern_sync(program_id: int) -> tuple[float, int, SyncRun]:
    """The sync job, in-process; (seconds, SQL statements, its run)."""
    statements = [0]

    def count(*_):
        statements[0] += 1

    sa.event.listen(db.engine, "before_cursor_execute", count)
    began = time.perf_counter()
    jobs.sync_attendance(program_id, "bench")
    wall = time.perf_counter() - began
    sa.event.remove(db.engine, "before_cursor_execute", count)
    run = db.session.scalar(sa.select(SyncRun).where(SyncRun.program_id == program_id))
    db.session.remove()
    return wall, statements[0], run


def bench(name: str, db_url: str, sandbox_url: str, webinar: tuple, attendees: int) -> None:
    """ROUNDS rounds, each Lectern then the floor on freshly prepared members: this
    machine's speed drifts from one minute to the next, and the median of alternating
    rounds puts both sides under the same drift. Each side starts from a collected heap
    (the bench's own set-up leaves garbage a worker between jobs would not have)."""
    print(f"{name}:")
    app = create_app(config_for(db_url, sandbox_url))
    ours = theirs = None
    with app.app_context():
        ratios = []
        for n in range(ROUNDS):
            program_id = prepare(webinar, attendees)
            gc.collect()
            wall, statements, run = lectern_sync(program_id)
            ours = outcome(program_id)
            program_id = prepare(webinar, attendees)
            token = plugin("zoom").server_token()["access_token"]
            gc.collect()
            floor = floor_sync(db.engine, sandbox_url + "/v2", token, webinar[0], program_id,
                               "webinar attendee: Bench webinar")
            theirs = outcome(program_id)
            ratios.append((wall / floor, wall, floor))
            print(f"  round {n + 1}: Lectern {wall:.2f} s · {webinar[3] / wall:,.0f} report rows/s · "
                  f"{run.pages_read} pages · {statements} SQL statements · {run.state}: "
                  f"{run.message or run.error}; floor {floor:.2f} s · {webinar[3] / floor:,.0f} report rows/s; "
                  f"{wall / floor:.2f}x")
        ratio, wall, floor = sorted(ratios)[len(ratios) // 2]
        print(f"  median round: Lectern {wall:.2f} s, floor {floor:.2f} s, ratio {ratio:.2f}x   "
              f"same outcome: {ours == theirs} {ours}" + ("" if ours == theirs else f" floor: {theirs}"))
        db.session.remove()
        db.engine.dispose()


def memory(db_url: str, sandbox_url: str, attendees: int, absentees: int) -> None:
    """Peak Python memory of Lectern's sync (tracemalloc: several times slower, not timed)."""
    app = create_app(config_for(db_url, sandbox_url))
    with app.app_context():
        webinar = make_webinar(sandbox_url, attendees, absentees)
        program_id = prepare(webinar, attendees)
        tracemalloc.start()
        jobs.sync_attendance(program_id, "bench")
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"  {attendees:>6} attendees, {absentees} absentees ({webinar[3]} rows): "
              f"peak {peak / 2**20:.1f} MiB")
        db.session.remove()
        db.engine.dispose()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--attendees", type=int, default=10_000)
    parser.add_argument("--absentees", type=int, default=2_000)
    parser.add_argument("--memory", default="", help="attendee counts, e.g. 2000,10000 (SQLite)")
    args = parser.parse_args(argv)
    pg_url = scratch.postgres_url() if args.db != "sqlite" and not args.memory else ""
    proc, url = start_sandbox()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            if args.memory:
                print("Peak Python memory of one Lectern sync (tracemalloc), SQLite:")
                for n in (int(v) for v in args.memory.split(",")):
                    memory(f"sqlite:///{tmp}/memory-{n}.db", url, n, n // 5)
                return
            webinar = make_webinar(url, args.attendees, args.absentees)
            if args.db in ("sqlite", "both"):
                bench("SQLite", f"sqlite:///{tmp}/bench.db", url, webinar, args.attendees)
            if args.db in ("postgresql", "both"):
                bench("PostgreSQL", pg_url, url, webinar, args.attendees)
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main()
