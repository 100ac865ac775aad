"""Driving the portal with a GoTo Webinar account: connecting through the portal's own
admin pages and the GoTo sandbox's consent page, linking, reading pages."""
import html
import re
from urllib.parse import parse_qs, urlsplit

from flask import g

from portal.extensions import db
from portal.models import Service
from providers.goto.sandbox import seed
from tests.conftest import Auth
from tests.goto.fixtures import goto_consent


def text(response) -> str:
    """The page as read: entities decoded, runs of whitespace as one space."""
    return re.sub(r"\s+", " ", html.unescape(response.get_data(as_text=True)))


def start_connect(admin_client, name="GoTo marketing") -> str:
    response = admin_client.post("/admin/services/new",
                                 data={"name": name, "provider": "goto", "kind": "oauth"})
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def finish_connect(admin_client, authorize_url, organizer_key=seed.ADMIN_KEY, approve=True):
    consent = goto_consent(authorize_url, organizer_key, approve=approve)
    query = parse_qs(urlsplit(consent.location).query)
    return admin_client.get("/admin/services/callback",
                            query_string={k: v[0] for k, v in query.items()})


def connect_goto(admin_client, organizer_key=seed.ADMIN_KEY, name="GoTo marketing") -> Service:
    answer = finish_connect(admin_client, start_connect(admin_client, name), organizer_key)
    assert answer.status_code == 302 and "/confirm" in answer.headers["Location"], answer.text
    admin_client.post(answer.headers["Location"], data={"action": "save"})
    return db.session.scalars(db.select(Service).order_by(Service.id.desc())).first()


def connected_goto(app, organizer_key=seed.ADMIN_KEY) -> Service:
    """Connected by an admin client of its own, so the test's client stays the marketer's."""
    g.pop("_login_user", None)
    admin_client = app.test_client()
    Auth(admin_client).login("admin@example.com")
    service = connect_goto(admin_client, organizer_key)
    g.pop("_login_user", None)
    assert service.state == "active", service.state
    return service


def link(client, program, service, webinar_key):
    return client.post(f"/programs/{program.id}/event/link",
                       data={"service_id": service.id, "webinar_id": str(webinar_key)},
                       follow_redirects=True)
