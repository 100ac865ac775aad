"""The landing form's submission against its floor: a bare Flask handler inserting one row.

    .venv/bin/python bench/landing_submit.py                       # SQLite
    BENCH_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/SCRATCH .venv/bin/python bench/landing_submit.py

Both sides run on the same gunicorn configuration (BENCH_WEB_WORKERS x BENCH_WEB_THREADS,
2 x 4), the same database and a private redis-server, side by side. Each side has
BENCH_CLIENTS (50) clients that open the page once (session cookie, CSRF token) and post
the form BENCH_WARMUP times each, untimed: the servers' steady state, not their first
seconds. Then, timed, the clients post the form with a new person each time, BENCH_SUBMITS
(5,000) per side, in BENCH_ROUNDS (25) rounds of 200 that alternate between the sides: this
machine's speed drifts from one minute to the next, and both sides see the same drift.
(With 1,000 per side, the same code's p95 ratio ranged over 1.75-2.43x from one run to
the next; with 5,000, over 2.12-2.23x in eight runs.)
Each submission comes on a connection of its own (Connection: close), as from that many
visitors: a kept-alive connection would pin its client to one gunicorn worker for the
whole run, and the luck of that draw moved p95 more than any change to the code.
The floor (bench/bare_app.py) takes the same form and inserts one row. No RQ worker runs:
registration jobs wait in Redis, so the figures are the web side alone. Prints p50/p95/p99
of both sides and their ratio, then the server time of one submission in-process (the
app's WSGI call driven by the Flask test client, the median of 200, on the same database),
and the floor's handler's, which shows how fast the machine is.
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

SUBMITS = int(os.environ.get("BENCH_SUBMITS", "5000"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "50"))
WEB_WORKERS = int(os.environ.get("BENCH_WEB_WORKERS", "2"))
WEB_THREADS = int(os.environ.get("BENCH_WEB_THREADS", "4"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "4"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "25"))
ONE_VISITOR = {"Connection": "close"}


def cpu_seconds(parent: int) -> float:
    """CPU time (user + system) of the processes whose parent is ``parent``: gunicorn's workers."""
    total = 0.0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue                       # gone meanwhile
        if int(fields[1]) == parent:
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


class Side:
    """One server and its CLIENTS clients, each with its session cookie and CSRF token."""

    def __init__(self, url: str, tag: str, pool: ThreadPoolExecutor, server: int):
        self.url, self.tag, self.pool, self.server, self.sent = url, tag, pool, server, 0
        self.clients = queue.SimpleQueue()
        for client in pool.map(self._open_page, range(CLIENTS)):
            self.clients.put(client)
        self.times, self.errors, self.cpu = [], [], 0.0
        self.round_p95s = []

    def _open_page(self, _n) -> tuple[requests.Session, str]:
        http = requests.Session()
        page = http.get(self.url, timeout=60)
        return http, CSRF_RE.search(page.text).group(1)

    def _one(self, n: int) -> tuple[float, str]:
        http, token = self.clients.get()
        started = time.perf_counter()
        try:
            answer = http.post(self.url, timeout=60, allow_redirects=False, headers=ONE_VISITOR, data={
                "csrf_token": token, "first_name": f"Bench{n}", "last_name": "Submitter",
                "email": f"{self.tag}{n:06d}@example.com", "company": "Bench Inc", "phone": "", "website": ""})
        except requests.RequestException as exc:
            return 0.0, type(exc).__name__
        finally:
            self.clients.put((http, token))
        took = time.perf_counter() - started
        return took, "" if answer.status_code == 302 else f"status {answer.status_code}"

    def burst(self, count: int, timed: bool = True) -> None:
        """``count`` submissions, each by a free client, CLIENTS at a time."""
        cpu = cpu_seconds(self.server)
        results = list(self.pool.map(self._one, range(self.sent, self.sent + count)))
        self.sent += count
        if timed:
            self.cpu += cpu_seconds(self.server) - cpu
            self.times += [r[0] for r in results if not r[1]]
            self.round_p95s.append(percentile([r[0] for r in results if not r[1]], 95))
            self.errors += [r[1] for r in results if r[1]]

    def line(self, name: str) -> str:
        return (f"  {name:<8} p50 {percentile(self.times, 50) * 1000:7.1f} ms   p95 "
                f"{percentile(self.times, 95) * 1000:7.1f} ms   p99 {percentile(self.times, 99) * 1000:7.1f} ms"
                f"   mean {statistics.mean(self.times) * 1000:6.1f} ms   server CPU "
                f"{self.cpu / len(self.times) * 1000:4.2f} ms   errors {len(self.errors)}")


def serve(stack: Stack, name: str, app: str, port: int, env: dict) -> int:
    """gunicorn's pid."""
    return stack.start(name, [sys.executable, "-m", "gunicorn", "--workers", str(WEB_WORKERS), "--threads",
                       str(WEB_THREADS), "--bind", f"127.0.0.1:{port}", "--log-level", "warning", app], env).pid


def timed_calls(app, times: list):
    """Wrap ``app``'s WSGI call so that each one appends its duration to ``times``."""
    served = app.wsgi_app

    def timed(environ, start_response):
        started = time.perf_counter()
        try:
            return served(environ, start_response)
        finally:
            times.append(time.perf_counter() - started)
    app.wsgi_app = timed


def in_process(env: dict, slug: str) -> float:
    """Median server time of one submission in-process: the Flask test client drives the
    app, and the time is the app's own (its WSGI call), not the client's."""
    os.environ.update(env)
    from portal import create_app
    app = create_app()
    app.config["WTF_CSRF_ENABLED"] = False
    times = []
    timed_calls(app, times)
    client = app.test_client()
    client.get(f"/lp/{slug}")
    for n in range(220):
        data = {"first_name": "Solo", "last_name": "Submitter", "email": f"solo{n:04d}@example.com",
                "company": "", "phone": "", "website": ""}
        answer = client.post(f"/lp/{slug}", data=data)
        assert answer.status_code == 302, answer.status_code
    return statistics.median(times[21:])        # after the page and 20 submissions of warm-up


def bare_in_process() -> float:
    """The same for the floor's handler: the machine's speed, to read the figure above by."""
    import bare_app
    times = []
    timed_calls(bare_app.app, times)
    client = bare_app.app.test_client()
    for n in range(220):
        answer = client.post("/lp/bare", data={"email": f"solo{n:04d}@example.com", "first_name": "Solo",
                                                "last_name": "Submitter"})
        assert answer.status_code == 302, answer.status_code
    return statistics.median(times[20:])


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
        import bare_app  # reads DATABASE_URL, set by prepare()
        bare_app.create_table()
        lectern_pid = serve(stack, "lectern", "wsgi:app", web_port, env)
        bare_pid = serve(stack, "bare", "bare_app:app", bare_port, {**env, "PYTHONPATH": str(ROOT / "bench")})
        url = f"http://127.0.0.1:{web_port}/lp/{slug}"
        bare_url = f"http://127.0.0.1:{bare_port}/lp/bare"
        wait_until(lambda: requests.get(url, timeout=2).status_code == 200, 30, "gunicorn (Lectern)")
        wait_until(lambda: requests.get(bare_url, timeout=2).status_code == 200, 30, "gunicorn (bare)")
        with ThreadPoolExecutor(CLIENTS) as pool:
            lectern, bare = Side(url, "lectern", pool, lectern_pid), Side(bare_url, "bare", pool, bare_pid)
            for side in (lectern, bare):
                side.burst(CLIENTS * WARMUP, timed=False)
            for _round in range(ROUNDS):
                for side in (lectern, bare):
                    side.burst(SUBMITS // ROUNDS)
        print(lectern.line("Lectern"))
        print(bare.line("floor"))
        print(f"  ratio    p95 {percentile(lectern.times, 95) / percentile(bare.times, 95):.2f}x   "
              f"p50 {percentile(lectern.times, 50) / percentile(bare.times, 50):.2f}x")
        # How far one run's p95 ratio can stray: each round's, the two sides side by side in time.
        rounds = sorted(a / b for a, b in zip(lectern.round_p95s, bare.round_p95s, strict=True))
        print(f"  each round's p95 ratio: median {statistics.median(rounds):.2f}x, "
              f"{rounds[0]:.2f}-{rounds[-1]:.2f}x over {len(rounds)} rounds")
        print(f"one submission in-process (the app's WSGI call, median of 200): "
              f"{in_process(env, slug) * 1000:.2f} ms; the floor's {bare_in_process() * 1000:.2f} ms")
    finally:
        stack.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
