"""/healthz for load balancers: the database and Redis, no sign-in; and gunicorn, a
runtime dependency, serving the portal in production mode as the README says."""
import os
import subprocess
import sys

import requests

from portal import create_app
from tests.conftest import REDIS_URL, base_config
from tests.fault_helpers import ROOT, free_port, wait_for
from tests.test_production import SECRETS

NOWHERE_REDIS = "redis://127.0.0.1:9/0"
NOWHERE_DB = "postgresql+psycopg://postgres@127.0.0.1:9/nothing"


def test_healthz_is_ok_when_both_answer_without_sign_in(client, app):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "redis": "ok"}


def test_healthz_names_redis_when_it_is_down(client, app):
    app.config["REDIS_URL"] = NOWHERE_REDIS
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": "ok", "redis": "unavailable"}


def test_healthz_names_the_database_when_it_is_down(redis_conn):
    app = create_app(base_config(NOWHERE_DB))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": "unavailable", "redis": "ok"}


def test_healthz_names_both(redis_conn):
    app = create_app(dict(base_config(NOWHERE_DB), REDIS_URL=NOWHERE_REDIS))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.json["database"] == response.json["redis"] == "unavailable"


def test_gunicorn_serves_the_portal_in_production(tmp_path, redis_conn):
    port = free_port()
    env = {**os.environ, **SECRETS, "LECTERN_ENV": "production", "REDIS_URL": REDIS_URL,
           "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.db'}"}
    log = open(tmp_path / "gunicorn.log", "w")
    web = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}",
                            "wsgi:app"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    try:
        def answer():
            try:
                return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
            except requests.ConnectionError:
                return None
        response = wait_for(answer, 60, message=lambda: (tmp_path / "gunicorn.log").read_text())
        assert response.status_code == 200 and response.json()["status"] == "ok"
        assert "Strict-Transport-Security" in response.headers
    finally:
        web.terminate()
        web.wait(15)


def test_gunicorn_is_a_runtime_dependency():
    from importlib.metadata import requires
    runtime = [r for r in requires("lectern") if "extra ==" not in r]
    assert any(r.startswith("gunicorn") for r in runtime)
