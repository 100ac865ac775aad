"""The cold webinar picker of Event Settings over 20 hosts, every provider call taking 100 ms.

    .venv/bin/python bench/picker.py

The Zoom sandbox (its own process, Pro rate limits on) gets 19 more users with 3 upcoming
webinars each; an S2S service authorizes them (20 hosts with the privileged member), and
every /v2 call is delayed by BENCH_LATENCY seconds (0.1). A marketer then opens Event
Settings with empty caches, BENCH_RUNS times (caches emptied between runs). Prints each
load's time, the webinars listed, how many had their registration setting read inline
(the rest go to a job: calls are paced to the provider's limits), and the sandbox's 429s.
SQLite, Redis BENCH_REDIS_URL (db 5).
"""
from __future__ import annotations

import os
import re
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from sync_attendance import config_for, control, start_sandbox  # noqa: E402

from portal import create_app  # noqa: E402
from portal.cli import create_user  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.models import Service  # noqa: E402
from portal.partners import plugin  # noqa: E402
from portal.programs import lifecycle as flows  # noqa: E402
from portal.services import connect as service_flows  # noqa: E402
from portal.services.tokens import encrypt_token  # noqa: E402
from portal.workers import redis_conn  # noqa: E402
from providers.zoom.sandbox import seed  # noqa: E402

LATENCY = float(os.environ.get("BENCH_LATENCY", "0.1"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
#: BENCH_PACING=0: calls unpaced and the sandbox's limits off (the picker before issue 13)
PACED = os.environ.get("BENCH_PACING", "1") != "0"


def main() -> None:
    proc, url = start_sandbox(limits="pro" if PACED else "off")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            app = create_app(config_for(f"sqlite:///{tmp}/picker.db", url) | {"PACING": PACED, "WTF_CSRF_ENABLED": False})
            with app.app_context():
                db.create_all()
                create_user("marketer@example.com", "bench-password-1", admin=False)
                service = Service(name="Bench Zoom", provider="zoom", account_id=seed.ACCOUNT_ID, kind="s2s",
                                  connected_user_id=seed.OWNER_ID, connected_email=seed.OWNER_EMAIL,
                                  connected_is_admin=True, token_ciphertext=encrypt_token(plugin("zoom").server_token()))
                db.session.add(service)
                db.session.commit()
                emails = [f"host{n:02d}@sandbox-zoom.test" for n in range(19)]
                for n, email in enumerate(emails):
                    control(url, "users", email=email, first_name=f"Host{n}")
                    for k in range(3):
                        control(url, "webinars", host_email=email, topic=f"Host {n} webinar {k}",
                                start_time=(datetime.now(timezone.utc) + timedelta(days=30, hours=n * 3 + k))
                                .strftime("%Y-%m-%dT%H:%M:%SZ"))
                errors = service_flows.add_hosts(service, [seed.PRIVILEGED_EMAIL, *emails])
                assert not errors, errors
                program = flows.create_program("Picker bench", "webinar", "", None)
                db.session.commit()
                page_url = f"/programs/{program.id}/event?service={service.id}"
                client = app.test_client()
                client.post("/login", data={"email": "marketer@example.com", "password": "bench-password-1"})
                control(url, "faults", pattern="/v2/*", latency=LATENCY, count=None)
                print(f"cold picker, {len(emails) + 1} hosts, {LATENCY * 1000:.0f} ms per provider call, "
                      + ("sandbox rate limits on (Pro), calls paced" if PACED else "unpaced, sandbox limits off"))
                for run in range(RUNS):
                    for key in redis_conn().scan_iter("lectern:*"):
                        if not key.startswith(b"lectern:pace:"):
                            redis_conn().delete(key)
                    control(url, "rate-limits", reset_counts=True)
                    time.sleep(1.1)            # a fresh second of rate budget for each run
                    began = time.perf_counter()
                    page = client.get(page_url)
                    took = time.perf_counter() - began
                    text = page.get_data(as_text=True)
                    rows = len(re.findall(r'<tr data-webinar="(\d+)"', text))
                    unknown = text.count("checked when you choose it")
                    limits = requests.get(f"{url}/_sandbox/rate-limits", timeout=5).json()
                    print(f"  run {run + 1}: {took:.2f} s, {rows} webinars, registration setting read inline "
                          f"for {rows - unknown - 2} (2 recurring, {unknown} left to the job), "
                          f"429 answered: {limits['answered_429']}")
                db.session.remove()
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main()
