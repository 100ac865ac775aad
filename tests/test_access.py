"""Every route, for every role, against an explicit table. A new route fails
test_every_route_is_in_the_table until someone decides who may use it."""
import pytest

from tests.conftest import PASSWORD

PUBLIC, LOGIN, ADMIN, WEBHOOK = "public", "login", "admin", "webhook"

ACCESS = {
    "static": PUBLIC,
    "main.health": PUBLIC,
    "main.healthz": PUBLIC,
    "auth.login": PUBLIC,
    "auth.logout": LOGIN,
    "auth.change_password": LOGIN,
    "account.timezone": LOGIN,
    "main.index": LOGIN,
    "programs.index": LOGIN,
    "programs.show": LOGIN,
    "programs.member": LOGIN,
    "programs.bulk_status": LOGIN,
    "programs.task": LOGIN,
    "users.users": ADMIN,
    "users.toggle_active": ADMIN,
    "account.preferences": LOGIN,
    "services.services": ADMIN,
    "services.new_service": ADMIN,
    "services.service_callback": ADMIN,
    "services.confirm_service": ADMIN,
    "services.service": ADMIN,
    "services.add_hosts": ADMIN,
    "services.remove_host": ADMIN,
    "services.test_service": ADMIN,
    "services.reauthorize_service": ADMIN,
    "services.disconnect_service": ADMIN,
    "programs.landing_page": LOGIN,
    "programs.email_edit": LOGIN,
    "programs.email_delete": LOGIN,
    "programs.email_preview": LOGIN,
    "programs.flow": LOGIN,
    "programs.flow_step": LOGIN,
    "programs.retry_registration": LOGIN,
    "linking.event_settings": LOGIN,
    "linking.link": LOGIN,
    "linking.check": LOGIN,
    "linking.refresh": LOGIN,
    "linking.unlink": LOGIN,
    "programs.clone": LOGIN,
    "programs.export_members": LOGIN,
    "people.index": LOGIN,
    "people.export": LOGIN,
    "attendance.sync_attendance": LOGIN,
    "attendance.attended_rule": LOGIN,
    "attendance.sync_run": LOGIN,
    "outbox.index": LOGIN,
    "outbox.show": LOGIN,
    "outbox.invitation": LOGIN,
    "landing.page": PUBLIC,
    "landing.thanks": PUBLIC,
    "landing.calendar_file": PUBLIC,
    "landing.unsubscribe": PUBLIC,
    "webhooks.receive": WEBHOOK,
}

SAMPLE_ARGS = {"provider_key": "zoom", "filename": "style.css", "action": "up", "slug": "no-such-page",
               "token": "not-a-token"}


def routes(app):
    for rule in app.url_map.iter_rules():
        args = {name: SAMPLE_ARGS.get(name, 1) for name in rule.arguments}
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, rule.build(args, append_unknown=False)[1]


def test_every_route_is_in_the_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - ACCESS.keys() == set(), "routes missing from the access table"
    assert ACCESS.keys() - endpoints == set(), "the table names routes that no longer exist"


def _is_login_redirect(response):
    return response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["anonymous", "marketer", "admin"])
def test_each_role_gets_what_the_table_says(app, client, users, role):
    if role != "anonymous":
        client.post("/login", data={"email": f"{role}@example.com", "password": PASSWORD})
    checked = 0
    for endpoint, method, url in routes(app):
        if endpoint == "auth.logout":
            continue  # it would end the session the loop runs in
        expected = ACCESS[endpoint]
        response = client.open(url, method=method)
        response.close()  # a streamed CSV holds its request context until closed
        where = f"{role} {method} {url} ({endpoint})"
        if expected == WEBHOOK:
            assert response.status_code == 401, where  # unsigned: refused whoever calls
        elif expected == PUBLIC:
            assert not _is_login_redirect(response) and response.status_code != 403, where
        elif role == "anonymous":
            assert _is_login_redirect(response), where
        elif expected == ADMIN and role == "marketer":
            assert response.status_code == 403, where
        else:
            assert not _is_login_redirect(response) and response.status_code != 403, where
        checked += 1
    assert checked >= len(ACCESS) - 1
