"""The PartnerEvent contract, the same tests for every registered plugin, over HTTP
against its sandbox: connecting, who connected, hosts, webinars (recurring ones listed,
never linkable), registration idempotent on email, attendance streamed as joins that name
their person, with absentees, a webinar that never ran, and webhooks that do not verify."""
from datetime import datetime, timedelta, timezone

import pytest

import providers
from providers.base import BadSignature, MemoryTokenStore, NotStarted, Registrant, covered_minutes
from tests.kit import Visit

REDIRECT_URI = "http://127.0.0.1:9/lectern/callback"


@pytest.fixture
def plugin(provider):
    return providers.plugin(provider.key, provider.config)


def connected(plugin, provider, user=None) -> MemoryTokenStore:
    consent = provider.consent(plugin.authorize_url(REDIRECT_URI, "state-1"), user or provider.admin_user)
    assert consent.code and consent.state == "state-1", consent
    return MemoryTokenStore(plugin.exchange_code(consent.code, REDIRECT_URI))


def test_who_connected_and_who_may_not(plugin, provider):
    me = plugin.whoami(connected(plugin, provider))
    assert me.account_id == provider.account_id and me.email == provider.admin_email
    assert me.is_admin and me.may_connect
    refused = plugin.whoami(connected(plugin, provider, provider.refused_user))
    assert not refused.may_connect


def test_hosts_are_found_by_email_within_the_account(plugin, provider):
    store = connected(plugin, provider)
    host = plugin.find_host(store, provider.other_host_email)
    assert host is not None and host.email.lower() == provider.other_host_email.lower()
    assert plugin.find_host(store, "nobody@elsewhere.test") is None


def test_upcoming_webinars_list_recurring_ones_as_not_linkable(plugin, provider):
    store = connected(plugin, provider)
    me = plugin.whoami(store)
    listed = {w.id: w for w in plugin.upcoming_webinars(store, me.user_id)}
    assert listed[provider.single_webinar].linkable
    assert all(not listed[w].linkable for w in provider.recurring_webinars)
    single = plugin.webinar(store, provider.single_webinar)
    assert single.registration_required and single.start.tzinfo is not None and single.topic


def test_register_is_idempotent_on_email(plugin, provider):
    store = connected(plugin, provider)
    person = Registrant(email="ada@example.com", first_name="Ada", last_name="Lovelace")
    first = plugin.register(store, provider.single_webinar, person)
    again = plugin.register(store, provider.single_webinar,
                            Registrant(email="ADA@example.com", first_name="Ada", last_name="Lovelace"))
    assert first.join_url and (again.registrant_id, again.join_url) == (first.registrant_id, first.join_url)
    assert [r["email"].lower() for r in provider.registrants(provider.single_webinar)] == ["ada@example.com"]


def test_attendance_streams_joins_that_name_their_person_then_absentees(plugin, provider):
    store = connected(plugin, provider)
    began = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=2)
    webinar = provider.new_webinar(began, duration=60)
    for email, first in (("ada@example.com", "Ada"), ("grace@example.com", "Grace")):
        plugin.register(store, webinar, Registrant(email=email, first_name=first, last_name="X"))
    provider.run_webinar(webinar, began, [Visit("ada@example.com", "Ada X", 0, 10),
                                          Visit("ada@example.com", "Ada X", 20, 45),
                                          Visit("wes@example.com", "Wes Walkin", 5, 15)], ended_after=60)
    report = plugin.attendance(store, webinar)
    by_email = {}
    for page in report.joins:
        for j in page:
            by_email.setdefault(j.email.lower(), []).append((j.joined, j.left))
    assert set(by_email) == {"ada@example.com", "wes@example.com"}
    assert covered_minutes(by_email["ada@example.com"]) == 35 and len(by_email["ada@example.com"]) == 2
    assert covered_minutes(by_email["wes@example.com"]) == 10
    assert [a.email.lower() for a in report.absentees] == ["grace@example.com"]


def test_a_webinar_that_never_ran_raises_not_started(plugin, provider):
    with pytest.raises(NotStarted):
        plugin.attendance(connected(plugin, provider), provider.never_started_webinar)


@pytest.mark.parametrize("headers", [{}, {"X-Zm-Signature": "v0=00", "X-Webhook-Signature": "00",
                                          "X-Zm-Request-Timestamp": "1"}])
def test_webhooks_that_do_not_verify_are_refused(plugin, headers):
    with pytest.raises(BadSignature):
        plugin.verify_webhook(headers, b'{"event": "webinar.ended"}')
