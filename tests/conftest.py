"""Fixtures: the app on SQLite and on PostgreSQL, real Redis, a burst worker,
and signed-in clients for each role."""
import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from redis import Redis

import providers
from portal import create_app
from portal.cli import create_user
from portal.extensions import db
from tests.fault_helpers import RedisServer

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
PASSWORD = "correct horse battery"

# Every registered provider brings its sandbox fixtures and its kit (tests/kit.py).
pytest_plugins = [f"tests.{key}.fixtures" for key in providers.keys()]

_pg_schema_ready = False


def pytest_configure(config):
    """`make install` compiles the catalogues; a bare pytest run sees the current ones too."""
    for po in Path(__file__).resolve().parent.parent.glob("translations/*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as source, mo.open("wb") as target:
                write_mo(target, read_po(source))


def base_config(db_url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": db_url,
        "REDIS_URL": REDIS_URL,
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "RQ_QUEUE": "lectern-test",
        "MAIL_SERVER": "",
        # Forms are posted without tokens in most tests; test_security turns CSRF on.
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast hashing keeps the suite quick
    }


def _reset_postgres(engine) -> None:
    """Build the schema once per session, then empty every table per test."""
    global _pg_schema_ready
    if not _pg_schema_ready:
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        db.metadata.create_all(engine)
        _pg_schema_ready = True
    names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'lectern.db'}"
    return POSTGRES_URL


@pytest.fixture
def redis_conn():
    conn = Redis.from_url(REDIS_URL)
    conn.ping()  # no Redis: the test fails here, loudly
    conn.flushdb()
    yield conn
    conn.close()


@pytest.fixture
def config(db_url, request):
    """Tests and fixtures may add keys before the app is made. A test that runs a
    provider's sandbox gets an app that talks to it; one that asks for ``own_redis``
    gets an app on that private server."""
    config = base_config(db_url)
    for key in providers.keys():
        if f"{key}_sandbox" in request.fixturenames:
            config.update(request.getfixturevalue(f"{key}_sandbox").config)
    if "own_redis" in request.fixturenames:
        url = request.getfixturevalue("own_redis").url
        config.update(REDIS_URL=url, RATELIMIT_STORAGE_URI=url)
    return config


@pytest.fixture
def own_redis(tmp_path):
    """A private redis-server that the test may stop, start again or pause."""
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def app(config, redis_conn):
    app = create_app(config)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            _reset_postgres(db.engine)
        else:
            db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def run_jobs(app):
    """Run a real RQ worker in burst mode until the queue is empty."""
    from portal.workers import worker

    def run():
        db.session.commit()
        worker(app, burst=True)
        db.session.expire_all()
    return run


@pytest.fixture
def run_due(app, run_jobs):
    """Jobs scheduled within ``seconds`` from now are brought forward, as if that time
    had passed, then a burst worker runs: a test checks when a job is due and never
    sleeps until then. Later jobs (a final pass a day away) stay scheduled."""
    from datetime import datetime, timedelta, timezone

    from rq.registry import ScheduledJobRegistry

    from portal.workers import queue

    def run(seconds: float = 0):
        q = queue()
        registry = ScheduledJobRegistry(queue=q)
        horizon = datetime.now(timezone.utc) + timedelta(seconds=seconds)
        for job_id in registry.get_jobs_to_schedule(int(horizon.timestamp())):
            job = q.fetch_job(job_id)
            registry.remove(job_id)
            if job is not None:
                q.enqueue_job(job)
        run_jobs()
    return run


@pytest.fixture
def users(app):
    admin = create_user("admin@example.com", PASSWORD, admin=True)
    marketer = create_user("marketer@example.com", PASSWORD, admin=False)
    return {"admin": admin, "marketer": marketer}


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, email="marketer@example.com", password=PASSWORD, **kw):
        return self.client.post("/login", data={"email": email, "password": password}, **kw)

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def marketer(client, users):
    Auth(client).login("marketer@example.com")
    return client


@pytest.fixture
def admin(client, users):
    Auth(client).login("admin@example.com")
    return client


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def live_portal(app):
    """The app served over real HTTP on a loopback port (for webhooks and OAuth
    redirects that come from the sandbox). Yields its base URL."""
    from tests.sandbox_fixtures import serving

    with serving(app, "live-portal") as url:
        app.config["PORTAL_URL"] = url
        yield url


@pytest.fixture(params=providers.keys())
def provider(request):
    """The test runs once per registered provider, against its sandbox (tests/kit.py)."""
    return request.getfixturevalue(f"{request.param}_kit")
