"""The whole stack for browser tests: the portal over HTTP, a `flask worker`
process, the provider's sandbox sending webhooks, and Debian's Chromium driven by
Playwright. Screenshots go to test-artifacts/browser/."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from rq import Worker

import providers
from tests.fault_helpers import wait_for

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
#: every setting a provider plugin declares: the worker process reads them from its environment
PROVIDER_SETTINGS = {s.key for cls in providers.classes() for s in cls.settings}


@pytest.fixture
def db_url(tmp_path):
    # One database is enough here: the model and view tests cover both.
    return f"sqlite:///{tmp_path / 'browser.db'}"


@pytest.fixture
def config(config, provider):
    config.update(provider.config)
    config["WTF_CSRF_ENABLED"] = True  # the browser posts real forms with real tokens
    return config


@pytest.fixture
def stack(app, config, live_portal, provider, redis_conn):
    """Portal + worker process + the provider's sandbox wired together. Yields the portal URL."""
    provider.send_webhooks_to(live_portal)
    env = {**os.environ, "FLASK_APP": "wsgi.py", "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
           "REDIS_URL": config["REDIS_URL"], "RQ_QUEUE": config["RQ_QUEUE"],
           "SECRET_KEY": config["SECRET_KEY"], "PORTAL_URL": live_portal,
           **{k: str(v) for k, v in config.items() if k in PROVIDER_SETTINGS}}
    worker = subprocess.Popen([sys.executable, "-m", "flask", "worker"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    # Ready once it registered itself with RQ (or dead: its output says why).
    wait_for(lambda: worker.poll() is not None or Worker.all(connection=redis_conn), 30, message="worker start")
    assert worker.poll() is None, worker.stdout.read()
    yield live_portal
    worker.terminate()
    try:
        worker.wait(10)
    except subprocess.TimeoutExpired:
        worker.kill()


@pytest.fixture(scope="session")
def browser():
    assert Path(CHROMIUM).exists(), f"Chromium not found at {CHROMIUM}: apt-get install chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield browser
        browser.close()


class Shots:
    """Numbered screenshots of each page the journey visits."""

    def __init__(self, name):
        self.dir = ARTIFACTS / name
        self.dir.mkdir(parents=True, exist_ok=True)
        for old in self.dir.glob("*.png"):
            old.unlink()
        self.count = 0

    def __call__(self, page, label):
        self.count += 1
        page.screenshot(path=str(self.dir / f"{self.count:02d}-{label}.png"), full_page=True)


@pytest.fixture
def new_page(browser, request):
    """Pages that fail the test on any console error or uncaught exception."""
    contexts, errors = [], []

    def make(**options):
        context = browser.new_context(**options)   # e.g. timezone_id="Asia/Tokyo"
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda m: m.type == "error" and errors.append(f"{page.url}: {m.text}"))
        page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
        page.set_default_timeout(15000)
        return page

    yield make
    for context in contexts:
        context.close()
    assert errors == [], "console errors:\n" + "\n".join(errors)


@pytest.fixture
def shots(request):
    return Shots(request.node.name.replace("[", "-").rstrip("]"))
