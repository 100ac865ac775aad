"""A connected sandbox service for program tests, through the lead's admin flow
(tests/services_helpers.py) with its own admin client, so the test's ``client``
stays free for the marketer."""
from flask import g

from portal.models import Service
from portal.services import connect as service_flows
from tests.conftest import Auth
from tests.services_helpers import connect_service


def connected_service(app, name="Zoom marketing", host_emails=()) -> Service:
    """Connect the sandbox account as its owner and authorize ``host_emails`` [S12]."""
    # Requests share the test's app context, so Flask-Login's cached user in ``g``
    # would be the other client's: drop it around the admin's requests.
    g.pop("_login_user", None)
    admin_client = app.test_client()
    Auth(admin_client).login("admin@example.com")
    service = connect_service(admin_client, name)
    g.pop("_login_user", None)
    assert service.state == "active", service.state
    if host_emails:
        errors = service_flows.add_hosts(service, list(host_emails))
        assert not errors, errors
    return service
