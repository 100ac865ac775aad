"""The landing form's submission against its floor: a bare Flask handler inserting one row.

    .venv/bin/python bench/landing_submit.py                       # SQLite
    BENCH_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/SCRATCH .venv/bin/python bench/landing_submit.py

Both sides run on the same gunicorn configuration (BENCH_WEB_WORKERS x BENCH_WEB_THREADS,
2 x 4), the same database and a private redis-server, one after the other. BENCH_CLIENTS
(50) clients each open the page once (session cookie, CSRF token) and post the form once
(warm-up); then, timed, they post the form with a new person each time, BENCH_SUBMITS
(1,000) in all. The floor (bench/bare_app.py)
takes the same form and inserts one row. No RQ worker runs: registration jobs wait in
Redis, so the figures are the web side alone. Prints p50/p95/p99 of both sides and
their ratio, then the server time of one submission in-process (the app's WSGI call
driven by the Flask test client, the median of 200, on the same database).
"""
from __future__ import annotations

import os
import queue
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from registration_burst import (  # noqa: E402
    CSRF_RE,
    POSTGRES_URL,
    Stack,
    free_port,
    percentile,
    prepare,
    wait_until,
)

SUBMITS = int(os.environ.get("BENCH_SUBMITS", "1000"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "50"))
WEB_WORKERS = int(os.environ.get("BENCH_WEB_WORKERS", "2"))
WEB_THREADS = int(os.environ.get("BENCH_WEB_THREADS", "4"))


def burst(url: str, tag: str) -> tuple[list[float], list[str]]:
    """CLIENTS clients open the page (session cookie, CSRF token), then SUBMITS posts
    are timed, each by a free client; (seconds of each good one, errors)."""
    def open_page(_n) -> tuple[requests.Session, str]:
        http = requests.Session()
        page = http.get(url, timeout=60)
        return http, CSRF_RE.search(page.text).group(1)

    clients = queue.SimpleQueue()

    def one(n: int):
        http, token = clients.get()
        started = time.perf_counter()
        try:
            answer = http.post(url, timeout=60, allow_redirects=False, data={
                "csrf_token": token, "first_name": f"Bench{n}", "last_name": "Submitter",
                "email": f"{tag}{n:05d}@example.com", "company": "Bench Inc", "phone": "", "website": ""})
        except requests.RequestException as exc:
            return 0.0, type(exc).__name__
        finally:
            clients.put((http, token))
        took = time.perf_counter() - started
        return took, "" if answer.status_code == 302 else f"status {answer.status_code}"

    with ThreadPoolExecutor(CLIENTS) as pool:
        for client in pool.map(open_page, range(CLIENTS)):
            clients.put(client)
        # Warm-up, untimed: one submission per client, so that every server thread has
        # compiled its templates and statements and holds its connections.
        list(pool.map(one, range(SUBMITS, SUBMITS + CLIENTS)))
        results = list(pool.map(one, range(SUBMITS)))
    return [r[0] for r in results if not r[1]], [r[1] for r in results if r[1]]


def serve(stack: Stack, name: str, app: str, port: int, env: dict) -> None:
    stack.start(name, [sys.executable, "-m", "gunicorn", "--workers", str(WEB_WORKERS), "--threads",
                       str(WEB_THREADS), "--bind", f"127.0.0.1:{port}", "--log-level", "warning", app], env)


def line(name: str, values: list[float], errors: list[str]) -> str:
    return (f"  {name:<8} p50 {percentile(values, 50) * 1000:7.1f} ms   p95 {percentile(values, 95) * 1000:7.1f} ms"
            f"   p99 {percentile(values, 99) * 1000:7.1f} ms   mean {statistics.mean(values) * 1000:6.1f} ms"
            f"   errors {len(errors)}")


def in_process(env: dict, slug: str) -> float:
    """Median server time of one submission in-process: the Flask test client drives the
    app, and the time is the app's own (its WSGI call), not the client's."""
    os.environ.update(env)
    from portal import create_app
    app = create_app()
    app.config["WTF_CSRF_ENABLED"] = False
    times = []
    served = app.wsgi_app

    def timed(environ, start_response):
        started = time.perf_counter()
        try:
            return served(environ, start_response)
        finally:
            times.append(time.perf_counter() - started)
    app.wsgi_app = timed
    client = app.test_client()
    client.get(f"/lp/{slug}")
    for n in range(220):
        data = {"first_name": "Solo", "last_name": "Submitter", "email": f"solo{n:04d}@example.com",
                "company": "", "phone": "", "website": ""}
        answer = client.post(f"/lp/{slug}", data=data)
        assert answer.status_code == 302, answer.status_code
    return statistics.median(times[21:])        # after the page and 20 submissions of warm-up


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="lectern-landing-"))
    stack = Stack(workdir)
    db_url = POSTGRES_URL or f"sqlite:///{workdir / 'bench.db'}"
    redis_port, sandbox_port, web_port, bare_port = free_port(), free_port(), free_port(), free_port()
    sandbox = f"http://127.0.0.1:{sandbox_port}"
    env = {**os.environ, "DATABASE_URL": db_url, "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
           "RQ_QUEUE": "lectern-bench", "SECRET_KEY": "bench-secret", "FLASK_APP": "wsgi.py",
           "PORTAL_URL": f"http://127.0.0.1:{web_port}", "LANDING_RATE_LIMIT": "100000 per minute",
           "ZOOM_OAUTH_BASE_URL": sandbox, "ZOOM_API_BASE_URL": sandbox + "/v2", "PYTHONUNBUFFERED": "1"}
    try:
        stack.services(redis_port, sandbox_port, env)
        slug = prepare(env)
        print(f"{SUBMITS} submissions from {CLIENTS} clients, gunicorn {WEB_WORKERS} workers x {WEB_THREADS} "
              f"threads, {'PostgreSQL' if POSTGRES_URL else 'SQLite'}; no RQ worker")
        serve(stack, "lectern", "wsgi:app", web_port, env)
        url = f"http://127.0.0.1:{web_port}/lp/{slug}"
        wait_until(lambda: requests.get(url, timeout=2).status_code == 200, 30, "gunicorn (Lectern)")
        lectern, lectern_errors = burst(url, "lectern")
        serve(stack, "bare", "bare_app:app", bare_port, {**env, "PYTHONPATH": str(ROOT / "bench")})
        bare_url = f"http://127.0.0.1:{bare_port}/lp/bare"
        wait_until(lambda: requests.get(bare_url, timeout=2).status_code == 200, 30, "gunicorn (bare)")
        bare, bare_errors = burst(bare_url, "bare")
        print(line("Lectern", lectern, lectern_errors))
        print(line("floor", bare, bare_errors))
        print(f"  ratio    p95 {percentile(lectern, 95) / percentile(bare, 95):.2f}x   "
              f"p50 {percentile(lectern, 50) / percentile(bare, 50):.2f}x")
        print(f"one submission in-process (the app's WSGI call, median of 200): "
              f"{in_process(env, slug) * 1000:.2f} ms")
    finally:
        stack.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
