"""A burst of registrations on one landing page, end to end.

    .venv/bin/python bench/registration_burst.py
    BENCH_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench .venv/bin/python bench/registration_burst.py
    BENCH_ZOOM_LATENCY=1.0 .venv/bin/python bench/registration_burst.py     # Zoom answering in 1 s

Sets everything up itself and removes it afterwards: a private redis-server, the Zoom
sandbox, the database (a temporary SQLite file, or the PostgreSQL database named by
BENCH_POSTGRES_URL, whose tables it DROPS: use a scratch database), a service connected
to the sandbox account (server-to-server token), a webinar program linked to the
sandbox's upcoming webinar with its landing page published, gunicorn serving the portal
on loopback, and RQ workers (`flask worker`). Then BENCH_CLIENTS clients register
BENCH_REGISTRATIONS distinct people, each opening the page then posting the form with its
CSRF token, and the bench polls the database until no member is pending.

Prints the latency of the form submissions (p50/p95/p99), errors, and how long the
workers took to register everyone with Zoom (and write each confirmation to the outbox).
Knobs: BENCH_REGISTRATIONS (1000), BENCH_CLIENTS (50), BENCH_WEB_WORKERS (2),
BENCH_WEB_THREADS (4), BENCH_RQ_WORKERS (2), BENCH_ZOOM_LATENCY (seconds, 0),
BENCH_ZOOM_429 (the first N registrations get a 429 with Retry-After: 1, 0).
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REGISTRATIONS = int(os.environ.get("BENCH_REGISTRATIONS", "1000"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "50"))
WEB_WORKERS = int(os.environ.get("BENCH_WEB_WORKERS", "2"))
WEB_THREADS = int(os.environ.get("BENCH_WEB_THREADS", "4"))
RQ_WORKERS = int(os.environ.get("BENCH_RQ_WORKERS", "2"))
ZOOM_LATENCY = float(os.environ.get("BENCH_ZOOM_LATENCY", "0"))
ZOOM_429 = int(os.environ.get("BENCH_ZOOM_429", "0"))
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "")
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (requests.ConnectionError, OSError):
            pass
        time.sleep(0.1)
    raise SystemExit(f"gave up waiting for {what}")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


class Stack:
    """The processes of the bench, stopped in reverse order on exit."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.procs: list[tuple[str, subprocess.Popen]] = []
        # Each process leads a session of its own, for stop() to end its whole group: a
        # bench killed with SIGTERM (kill, timeout) must still get to stop(), or they outlive it.
        signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))

    def start(self, name: str, args: list[str], env: dict | None = None) -> subprocess.Popen:
        log = open(self.workdir / f"{name}.log", "w")
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        log.close()
        self.procs.append((name, proc))
        return proc

    def services(self, redis_port: int, sandbox_port: int, env: dict) -> None:
        """A private redis-server and the Zoom sandbox, once both answer."""
        from redis import Redis

        self.start("redis", ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1",
                             "--save", "", "--appendonly", "no", "--dir", str(self.workdir)])
        self.start("sandbox", [sys.executable, "-m", "providers.zoom.sandbox", "--port", str(sandbox_port)], env)
        wait_until(lambda: requests.get(f"http://127.0.0.1:{sandbox_port}", timeout=1).ok, 20, "the Zoom sandbox")
        wait_until(lambda: Redis(port=redis_port).ping(), 10, "redis-server")

    def stop(self) -> None:
        """Last started, first stopped: workers before the Redis they need to say goodbye."""
        for name, proc in reversed(self.procs):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                print(f"  {name} ignored SIGTERM; killed")
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)


def prepare(env: dict) -> str:
    """Schema, a connected service, a linked program with a published landing page;
    returns the landing page's slug."""
    os.environ.update(env)
    from portal import create_app
    from portal.extensions import db
    from portal.models import Binding, Service
    from portal.partners import plugin
    from portal.programs import lifecycle as flows
    from portal.services.gateway import Gateway
    from portal.services.tokens import encrypt_token
    from providers.zoom.sandbox import seed

    app = create_app()
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            db.drop_all()
        db.create_all()
        token = plugin("zoom").server_token()
        service = Service(name="Zoom (bench)", provider="zoom", kind="s2s", account_id=seed.S2S_ACCOUNT_ID,
                          connected_user_id=seed.OWNER_ID, connected_email=seed.OWNER_EMAIL,
                          connected_is_admin=True, token_ciphertext=encrypt_token(token))
        db.session.add(service)
        db.session.commit()
        webinar = Gateway(service).webinar(str(seed.W_SINGLE))
        program = flows.create_program("Registration burst", "webinar", "", None)
        db.session.add(Binding(program=program, service=service, provider="zoom", webinar_id=webinar.id,
                               topic=webinar.topic, agenda=webinar.agenda, start_at=webinar.start,
                               duration=webinar.duration, timezone=webinar.timezone,
                               registration_required=webinar.registration_required))
        program.landing_page.published = True
        db.session.commit()
        slug = program.landing_page.slug
        db.engine.dispose()
    return slug


def register(url: str, n: int, http: requests.Session) -> tuple[float, float, str]:
    """Open the page, post the form; (page seconds, submit seconds, error or "")."""
    started = time.perf_counter()
    try:
        page = http.get(url, timeout=60)
        opened = time.perf_counter()
        token = CSRF_RE.search(page.text)
        if page.status_code != 200 or not token:
            return opened - started, 0.0, f"page {page.status_code}"
        answer = http.post(url, timeout=60, allow_redirects=False, data={
            "csrf_token": token.group(1), "first_name": f"Bench{n}", "last_name": "Registrant",
            "email": f"bench{n:05d}@example.com", "company": "Bench Inc", "phone": "", "website": ""})
        done = time.perf_counter()
        ok = answer.status_code == 302 and "/thanks" in answer.headers.get("Location", "")
        return opened - started, done - opened, "" if ok else f"submit {answer.status_code}"
    except requests.RequestException as exc:
        return time.perf_counter() - started, 0.0, type(exc).__name__


def counts(db_url: str) -> dict[str, int]:
    import sqlalchemy as sa
    engine = counts.engines.setdefault(db_url, sa.create_engine(db_url))
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT sync_state, count(*) FROM members GROUP BY sync_state")).all()
        outbox = conn.scalar(sa.text("SELECT count(*) FROM outbox WHERE state IN ('kept', 'sent')"))
    return {**{state: n for state, n in rows}, "emails": outbox}


counts.engines = {}


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="lectern-bench-"))
    stack = Stack(workdir)
    db_url = POSTGRES_URL or f"sqlite:///{workdir / 'bench.db'}"
    redis_port, sandbox_port, web_port = free_port(), free_port(), free_port()
    sandbox = f"http://127.0.0.1:{sandbox_port}"
    env = {**os.environ, "DATABASE_URL": db_url, "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
           "RQ_QUEUE": "lectern-bench", "SECRET_KEY": "bench-secret", "FLASK_APP": "wsgi.py",
           "PORTAL_URL": f"http://127.0.0.1:{web_port}", "LANDING_RATE_LIMIT": "100000 per minute",
           "ZOOM_OAUTH_BASE_URL": sandbox, "ZOOM_API_BASE_URL": sandbox + "/v2",
           "PYTHONUNBUFFERED": "1"}
    try:
        stack.services(redis_port, sandbox_port, env)
        slug = prepare(env)
        if ZOOM_LATENCY:
            requests.post(f"{sandbox}/_sandbox/faults", timeout=5, json={
                "pattern": "/v2/webinars/*/registrants", "method": "POST", "latency": ZOOM_LATENCY,
                "count": None})
        if ZOOM_429:
            requests.post(f"{sandbox}/_sandbox/faults", timeout=5, json={
                "pattern": "/v2/webinars/*/registrants", "method": "POST", "status": 429,
                "retry_after": 1, "count": ZOOM_429})
        stack.start("gunicorn", [sys.executable, "-m", "gunicorn", "--workers", str(WEB_WORKERS),
                                 "--threads", str(WEB_THREADS), "--bind", f"127.0.0.1:{web_port}",
                                 "--log-level", "warning", "wsgi:app"], env)
        url = f"http://127.0.0.1:{web_port}/lp/{slug}"
        wait_until(lambda: requests.get(url, timeout=2).status_code == 200, 30, "gunicorn")
        for n in range(RQ_WORKERS):
            stack.start(f"worker-{n}", [sys.executable, "-m", "flask", "worker"], env)

        sessions = threading.local()

        def one(n):
            if not hasattr(sessions, "http"):
                sessions.http = requests.Session()
            return register(url, n, sessions.http)

        print(f"{REGISTRATIONS} registrations from {CLIENTS} clients; gunicorn {WEB_WORKERS} workers x "
              f"{WEB_THREADS} threads; {RQ_WORKERS} RQ workers; "
              f"{'PostgreSQL' if POSTGRES_URL else 'SQLite'}; Zoom latency {ZOOM_LATENCY} s; "
              f"429s {ZOOM_429}")
        started = time.perf_counter()
        with ThreadPoolExecutor(CLIENTS) as pool:
            results = list(pool.map(one, range(REGISTRATIONS)))
        burst = time.perf_counter() - started
        submits = [r[1] for r in results if not r[2]]
        pages = [r[0] for r in results]
        errors = [r[2] for r in results if r[2]]
        print(f"burst: {burst:.1f} s ({REGISTRATIONS / burst:.0f} registrations/s), errors: {len(errors)}"
              + (f" {sorted(set(errors))}" if errors else ""))
        for name, values in (("form submit", submits), ("page open", pages)):
            if values:
                print(f"  {name:<11} p50 {percentile(values, 50) * 1000:7.1f} ms   "
                      f"p95 {percentile(values, 95) * 1000:7.1f} ms   p99 {percentile(values, 99) * 1000:7.1f} ms"
                      f"   max {max(values) * 1000:7.1f} ms   mean {statistics.mean(values) * 1000:6.1f} ms")
        expected = REGISTRATIONS - len(errors)
        state = counts(db_url)
        while state.get("pending", 0) or state.get("emails", 0) < state.get("synced", 0):
            if time.perf_counter() - started > 1800:
                raise SystemExit(f"workers still busy after 30 minutes: {state}")
            time.sleep(0.25)
            state = counts(db_url)
        drained = time.perf_counter() - started
        registrants = requests.get(f"{sandbox}/_sandbox/state", timeout=10).json()
        at_zoom = registrants["webinars"]["81000000001"]["registrant_count"]
        print(f"workers: every member registered with Zoom {drained:.1f} s after the first submission "
              f"({drained - burst:.1f} s after the last; {state.get('synced', 0) / drained:.0f} registrations/s); "
              f"synced {state.get('synced', 0)}, failed {state.get('failed', 0)}, emails {state['emails']}, "
              f"registrants at Zoom {at_zoom} (expected {expected})")
    finally:
        stack.stop()
        for engine in counts.engines.values():
            engine.dispose()
        if POSTGRES_URL:
            os.environ["DATABASE_URL"] = POSTGRES_URL
            from portal import create_app
            from portal.extensions import db
            app = create_app()
            with app.app_context():
                db.drop_all()
                db.engine.dispose()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
