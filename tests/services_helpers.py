"""Connecting a sandbox Zoom account through the portal's own pages, for tests."""
from urllib.parse import parse_qs, urlsplit

from portal.extensions import db
from portal.models import Service
from providers.zoom.sandbox import seed
from tests.zoom.fixtures import oauth_consent


def start_connect(admin_client, name="Zoom", path="/admin/services/new"):
    response = admin_client.post(path, data={"name": name, "provider": "zoom", "kind": "oauth"})
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def finish_connect(admin_client, authorize_url, user_id=seed.OWNER_ID, approve=True):
    consent = oauth_consent(authorize_url, user_id, approve=approve)
    query = parse_qs(urlsplit(consent.location).query)
    return admin_client.get("/admin/services/callback", query_string={k: v[0] for k, v in query.items()})


def connect_service(admin_client, name="Zoom", user_id=seed.OWNER_ID, save=True) -> Service:
    """Log into the sandbox as ``user_id``, authorize, and save the service."""
    answer = finish_connect(admin_client, start_connect(admin_client, name), user_id)
    assert answer.status_code == 302 and "/confirm" in answer.headers["Location"], answer.text
    if save:
        admin_client.post(answer.headers["Location"], data={"action": "save"})
    return db.session.scalars(db.select(Service).order_by(Service.id.desc())).first()


def linked_program(service, name="Spring webinar", webinar_id=None, language="en"):
    """A webinar program linked through the real linking flow, landing page published."""
    from portal.linking import binding as linking
    from portal.programs import lifecycle as flows

    program = flows.create_program(name, "webinar", "", None, language=language)
    linking.link_program(program.id, service.id, str(webinar_id or seed.W_SINGLE))
    program.landing_page.published = True
    db.session.commit()
    return program
