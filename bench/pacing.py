"""1,000 registrations pushed to the Zoom sandbox, with its per-second limits on (Pro:
Light 30/s), by 1, 2 and 4 RQ workers sharing one pacing budget (portal/pacing.py).

    .venv/bin/python bench/pacing.py                 # 1, 2 and 4 workers
    BENCH_WORKERS=2 BENCH_REGISTRATIONS=300 .venv/bin/python bench/pacing.py

Per worker count: a fresh SQLite database, sandbox and private redis-server; 1,000
members stored Registered / pending with their registration job enqueued (as the
landing form leaves them), then the workers start. Prints the registration rate from
the first to the last member synced, the sandbox's limit, their ratio, and the 429
answers the sandbox counted (its limiter's refusals, and every 429 on /v2).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from registration_burst import Stack, counts, free_port, prepare  # noqa: E402

REGISTRATIONS = int(os.environ.get("BENCH_REGISTRATIONS", "1000"))
WORKERS = [int(n) for n in os.environ.get("BENCH_WORKERS", "1,2,4").split(",")]


def enqueue_members(env: dict, n: int) -> None:
    """Members as the landing form leaves them: Registered, pending, job enqueued."""
    import sqlalchemy as sa

    from portal import create_app
    from portal.channels import REGISTERED
    from portal.extensions import db
    from portal.models import Member, Person, Program
    from portal.models.programs import SYNC_PENDING
    from portal.models.types import utcnow
    from portal.registration.state import enqueue_registration

    os.environ.update(env)
    app = create_app()
    with app.app_context():
        program = db.session.scalar(sa.select(Program))
        now = utcnow()
        people = db.session.execute(sa.insert(Person).returning(Person.id), [
            {"email": f"paced{i:05d}@example.com", "email_key": f"paced{i:05d}@example.com",
             "first_name": f"Paced{i}", "last_name": "Bench", "created_at": now, "updated_at": now}
            for i in range(n)]).scalars().all()
        attempts = {pid: uuid.uuid4().hex for pid in people}
        members = db.session.execute(sa.insert(Member).returning(Member.id, Member.person_id), [
            {"program_id": program.id, "person_id": pid, "status": REGISTERED, "sync_state": SYNC_PENDING,
             "sync_job_id": attempts[pid], "sync_since": now, "created_at": now, "updated_at": now}
            for pid in people]).all()
        db.session.commit()
        for member_id, pid in members:
            enqueue_registration(member_id, attempts[pid], [])
        db.engine.dispose()


def run(workers: int) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="lectern-pacing-"))
    stack = Stack(workdir)
    db_url = f"sqlite:///{workdir / 'bench.db'}"
    redis_port, sandbox_port = free_port(), free_port()
    sandbox = f"http://127.0.0.1:{sandbox_port}"
    env = {**os.environ, "DATABASE_URL": db_url, "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
           "RQ_QUEUE": "lectern-pacing", "SECRET_KEY": "bench-secret", "FLASK_APP": "wsgi.py",
           "ZOOM_OAUTH_BASE_URL": sandbox, "ZOOM_API_BASE_URL": sandbox + "/v2",
           "ZOOM_SANDBOX_RATE_LIMITS": "pro", "PYTHONUNBUFFERED": "1",
           # the worker's sweep must not re-enqueue members whose job waits in the queue
           "REGISTRATION_SWEEP_GRACE": "3600"}
    try:
        stack.services(redis_port, sandbox_port, env)
        prepare(env)
        enqueue_members(env, REGISTRATIONS)
        requests.post(f"{sandbox}/_sandbox/rate-limits", json={"reset_counts": True}, timeout=5)
        for n in range(workers):
            stack.start(f"worker-{n}", [sys.executable, "-m", "flask", "worker"], env)
        first = None
        state = counts(db_url)
        while state.get("pending", 0):
            synced = state.get("synced", 0) + state.get("failed", 0)
            if first is None and synced:
                first = (time.perf_counter(), synced)
            time.sleep(0.05)
            state = counts(db_url)
        last = time.perf_counter()
        limits = requests.get(f"{sandbox}/_sandbox/rate-limits", timeout=5).json()
        registrants = requests.get(f"{sandbox}/_sandbox/state", timeout=10).json()
        rate = (REGISTRATIONS - first[1]) / (last - first[0])
        return {"workers": workers, "rate": rate, "limit": limits["limits"]["Light"],
                "rejected": limits["rejected_total"], "answered_429": limits["answered_429"],
                "synced": state.get("synced", 0), "failed": state.get("failed", 0),
                "at_zoom": registrants["webinars"]["81000000001"]["registrant_count"]}
    finally:
        stack.stop()
        for engine in counts.engines.values():
            engine.dispose()
        counts.engines.clear()
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    if len(sys.argv) > 1:          # one worker count, in a process of its own (fresh config)
        report(run(int(sys.argv[1])))
        return
    print(f"{REGISTRATIONS} registrations pushed to the Zoom sandbox (Pro limits on), SQLite")
    print("workers | rate achieved | sandbox limit | ratio | 429 answered (limiter / all) | synced | failed")
    for workers in WORKERS:
        subprocess.run([sys.executable, __file__, str(workers)], check=True)


def report(r: dict) -> None:
    print(f"{r['workers']:>7} | {r['rate']:>9.1f}/s   | {r['limit']:>10}/s  | {r['rate'] / r['limit']:.2f}  | "
              f"{r['rejected']:>13} / {r['answered_429']:<13}| {r['synced']:>6} | {r['failed']}", flush=True)


if __name__ == "__main__":
    main()
