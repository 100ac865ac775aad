"""The front door: / sends signed-in users to their programs; /health and /healthz for probes."""
import logging

from flask import Blueprint, current_app, redirect, url_for
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from portal.extensions import db

bp = Blueprint("main", __name__)
log = logging.getLogger(__name__)


@bp.route("/")
def index():
    return redirect(url_for("programs.index"))


@bp.route("/health")
def health():
    """Liveness: the process answers."""
    return {"status": "ok"}


def _database_ok() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except SQLAlchemyError as error:
        db.session.rollback()
        log.warning("health check: database unavailable (%s)", type(error).__name__)
        return False


def _redis_ok() -> bool:
    # Its own short-timeout client: a load balancer's probe must not hang on a dead Redis.
    client = Redis.from_url(current_app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=2)
    try:
        return bool(client.ping())
    except RedisError as error:
        log.warning("health check: Redis unavailable (%s)", type(error).__name__)
        return False
    finally:
        client.close()


@bp.route("/healthz")
def healthz():
    """Readiness, for a load balancer: 200 when the database and Redis answer, else
    503 naming which did not. No sign-in."""
    checks = {"database": _database_ok(), "redis": _redis_ok()}
    body = {name: "ok" if ok else "unavailable" for name, ok in checks.items()}
    body["status"] = "ok" if all(checks.values()) else "unavailable"
    return body, 200 if all(checks.values()) else 503
