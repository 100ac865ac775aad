"""Browser tests: Chromium drives the portal served on a loopback port (conftest.py)."""
from portal.extensions import db
from tests.fault_helpers import wait_for


def wait_for_rows(predicate, what: str, timeout: float = 30):
    """Poll the database until ``predicate()`` holds: the served portal and its worker
    write it from other threads and processes, so each look starts afresh."""
    def fresh():
        db.session.expire_all()
        return predicate()
    return wait_for(fresh, timeout, interval=0.3, message=what)
