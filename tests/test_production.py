"""LECTERN_ENV=production: the app refuses to start on public development secrets."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from portal import config, create_app
from portal.config import InsecureSettings
from providers.zoom.settings import DEFAULTS as zoom_defaults

ROOT = Path(__file__).resolve().parent.parent
SECRETS = {"SECRET_KEY": "a-long-random-production-key",
           "TOKEN_ENCRYPTION_KEY": Fernet.generate_key().decode(),
           "ZOOM_CLIENT_SECRET": "the-zoom-apps-own-client-secret",
           "ZOOM_WEBHOOK_SECRET_TOKEN": "the-zoom-apps-own-token"}


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
        assert name in result.stderr


def test_production_with_its_own_secrets_starts(tmp_path):
    result = start_wsgi(tmp_path, LECTERN_ENV="production", **SECRETS)
    assert result.returncode == 0, result.stderr


def test_development_keeps_its_defaults(tmp_path):
    assert start_wsgi(tmp_path).returncode == 0


@pytest.mark.parametrize("name", sorted(SECRETS))
@pytest.mark.parametrize("value", ["", "default"])
def test_each_secret_missing_or_default_is_named(name, value):
    settings = dict(SECRETS, PRODUCTION=True, SQLALCHEMY_DATABASE_URI="sqlite://")
    if value == "default":
        settings[name] = {"SECRET_KEY": config.DEV_SECRET_KEY, "TOKEN_ENCRYPTION_KEY": "",
                          "ZOOM_CLIENT_SECRET": zoom_defaults["ZOOM_CLIENT_SECRET"],
                          "ZOOM_WEBHOOK_SECRET_TOKEN": zoom_defaults["ZOOM_WEBHOOK_SECRET_TOKEN"]}[name]
    else:
        settings[name] = value
    with pytest.raises(InsecureSettings) as refused:
        create_app(settings)
    assert name in str(refused.value)
    assert [n for n in SECRETS if n != name and n in str(refused.value)] == []


def test_a_plugins_declared_secrets_are_checked_too():
    import providers

    names = [name for name, _, _ in config.production_secrets({})]
    assert names[:2] == ["SECRET_KEY", "TOKEN_ENCRYPTION_KEY"]
    assert names[2:] == [s.key for s in providers.secret_settings()]
