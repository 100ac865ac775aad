"""The landing form's submission against its floor, in instructions rather than seconds.

    .venv/bin/python bench/landing_instructions.py          # needs valgrind

The timed benches on this machine swing (the same code's worker CPU per submission moved
between 3.1 and 5.0 ms within an hour), so a change worth 5 % is lost in their noise.
valgrind's callgrind counts the instructions a process executes instead: the same code
gives the same count whatever else the machine is doing. Each side runs in-process, driven
by the Flask test client, as in landing_submit.py's in-process figure but with the CSRF
check on: Lectern (a private redis-server and the Zoom sandbox, not counted, as
landing_submit.py sets them up; a temporary SQLite file) and the floor (bench/bare_app.py,
a Flask handler inserting one row). Each side runs twice under callgrind, with FEW and
with FEW + COUNT submissions after the same warm-up; the difference divided by COUNT is
one submission's instructions, with the set-up taken out. The test client's own work (the
request it builds, the response it reads) counts on both sides.

Prints instructions per submission, both sides and their ratio. SQLite only: on
PostgreSQL the server's share runs in another process, which callgrind does not count.
Knobs: BENCH_COUNT (200), BENCH_WARMUP (30).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COUNT = int(os.environ.get("BENCH_COUNT", "200"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "30"))
FEW = 20
FORM = {"first_name": "Solo", "last_name": "Submitter", "company": "Bench", "phone": "", "website": ""}


def lectern(posts: int) -> None:
    """Warm-up, then ``posts`` submissions to a published landing page."""
    sys.path.insert(0, str(ROOT / "bench"))
    sys.path.insert(0, str(ROOT))
    from registration_burst import CSRF_RE, Stack, free_port, prepare

    workdir = Path(tempfile.mkdtemp(prefix="lectern-instructions-"))
    stack = Stack(workdir)
    redis_port, sandbox_port = free_port(), free_port()
    sandbox = f"http://127.0.0.1:{sandbox_port}"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}", "SECRET_KEY": "bench-secret",
           "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0", "RQ_QUEUE": "lectern-bench",
           "PORTAL_URL": "http://127.0.0.1:5000", "LANDING_RATE_LIMIT": "100000 per minute",
           "ZOOM_OAUTH_BASE_URL": sandbox, "ZOOM_API_BASE_URL": sandbox + "/v2"}
    try:
        stack.services(redis_port, sandbox_port, env)
        slug = prepare(env)
        from portal import create_app
        client = create_app().test_client()
        token = CSRF_RE.search(client.get(f"/lp/{slug}").text).group(1)
        for n in range(WARMUP + posts):
            answer = client.post(f"/lp/{slug}", data={**FORM, "csrf_token": token, "email": f"solo{n:05d}@example.com"})
            assert answer.status_code == 302, answer.status_code
    finally:
        stack.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def floor(posts: int) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="lectern-instructions-floor-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'floor.db'}"
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import bare_app
        bare_app.create_table()
        client = bare_app.app.test_client()
        for n in range(WARMUP + posts):
            answer = client.post("/lp/bare", data={**FORM, "csrf_token": "none", "email": f"solo{n:05d}@example.com"})
            assert answer.status_code == 302, answer.status_code
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def instructions(side: str, posts: int) -> int:
    """All the instructions of one process that runs ``side`` with ``posts`` submissions."""
    run = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
                          __file__, side, str(posts)], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "PYTHONHASHSEED": "0"})
    found = re.search(r"Collected : (\d+)", run.stderr)
    if run.returncode or not found:
        sys.exit(f"{side} under callgrind failed ({run.returncode}):\n{run.stderr[-2000:]}")
    return int(found.group(1))


def per_submission(side: str) -> float:
    # The two runs side by side: a count does not depend on what else the machine runs.
    with ThreadPoolExecutor(2) as pool:
        few, many = pool.map(lambda posts: instructions(side, posts), (FEW, FEW + COUNT))
    return (many - few) / COUNT


def main() -> None:
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (Debian: apt-get install valgrind)")
    ours, theirs = per_submission("lectern"), per_submission("floor")
    print(f"instructions per landing submission in-process (callgrind, SQLite, CSRF on, "
          f"{COUNT} submissions after {WARMUP + FEW}):")
    print(f"  Lectern {ours / 1e6:.2f} M   floor {theirs / 1e6:.2f} M   ratio {ours / theirs:.2f}x")


if __name__ == "__main__":
    if len(sys.argv) == 3:
        {"lectern": lectern, "floor": floor}[sys.argv[1]](int(sys.argv[2]))
    else:
        main()
