"""LECTERN_ENV=production: the app refuses to start on public development secrets."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from portal import config, create_app
from portal.config import InsecureSettings
from providers import secret_settings

ROOT = Path(__file__).resolve().parent.parent
# Every secret production needs: the portal's two, then each plugin's declared ones.
SECRETS = {"SECRET_KEY": "a-long-random-production-key",
           "TOKEN_ENCRYPTION_KEY": Fernet.generate_key().decode(),
           **{s.key: f"the-apps-own-{s.key.lower()}" for s in secret_settings()}}
DEFAULTS = {"SECRET_KEY": config.DEV_SECRET_KEY, "TOKEN_ENCRYPTION_KEY": "",
            **{s.key: s.default for s in secret_settings()}}


def named(name: str, message: str) -> bool:
    return re.search(rf"\b{name}\b", message) is not None


def start_wsgi(tmp_path, **env):
    """Import wsgi.py as gunicorn would, with only the given settings."""
    clean = {k: v for k, v in os.environ.items()
             if k not in SECRETS and k != "LECTERN_ENV"}
    clean.update(DATABASE_URL=f"sqlite:///{tmp_path / 'prod.db'}", **env)
    return subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=clean,
                          capture_output=True, text=True, timeout=60)


def test_production_without_secrets_refuses_to_start_naming_each(tmp_path):
    result = start_wsgi(tmp_path, LECTERN_ENV="production")
    assert result.returncode != 0
    assert "InsecureSettings" in result.stderr
    for name in SECRETS:
        assert named(name, result.stderr)


def test_production_with_its_own_secrets_starts(tmp_path):
    result = start_wsgi(tmp_path, LECTERN_ENV="production", **SECRETS)
    assert result.returncode == 0, result.stderr


def test_development_keeps_its_defaults(tmp_path):
    assert start_wsgi(tmp_path).returncode == 0


@pytest.mark.parametrize("name", sorted(SECRETS))
@pytest.mark.parametrize("value", ["", "default"])
def test_each_secret_missing_or_default_is_named(name, value):
    settings = dict(SECRETS, PRODUCTION=True, SQLALCHEMY_DATABASE_URI="sqlite://")
    settings[name] = DEFAULTS[name] if value == "default" else value
    with pytest.raises(InsecureSettings) as refused:
        create_app(settings)
    assert named(name, str(refused.value))
    assert [n for n in SECRETS if n != name and named(n, str(refused.value))] == []


def test_a_plugins_declared_secrets_are_checked_too():
    names = [name for name, _, _ in config.production_secrets({})]
    assert names[:2] == ["SECRET_KEY", "TOKEN_ENCRYPTION_KEY"]
    assert names[2:] == [s.key for s in secret_settings()]
    assert {"ZOOM_WEBHOOK_SECRET_TOKEN", "GOTO_WEBHOOK_SECRET_KEY"} <= set(names)


def test_a_portal_offering_one_provider_needs_only_its_secrets(tmp_path, redis_conn):
    zoom_only = {k: v for k, v in SECRETS.items() if not k.startswith("GOTO_")}
    result = start_wsgi(tmp_path, LECTERN_ENV="production", LECTERN_PROVIDERS="zoom", **zoom_only)
    assert result.returncode == 0, result.stderr
    app = create_app(dict(zoom_only, PRODUCTION=True, PROVIDERS=["zoom"], TESTING=True,
                          SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'one.db'}"))
    with app.test_request_context():
        from portal import partners
        assert partners.choices() == [("zoom", "Zoom")]
        with pytest.raises(LookupError):
            partners.plugin("goto")
    assert app.test_client().post("/webhooks/goto", data=b"{}").status_code == 404


def test_an_unknown_provider_stops_the_start_naming_it():
    with pytest.raises(ValueError) as refused:
        create_app({"PROVIDERS": ["zoom", "webex"], "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert "webex" in str(refused.value)
