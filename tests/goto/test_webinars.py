"""Hosts, webinars and registration through the GoTo plugin, against the sandbox."""
from datetime import datetime, timedelta, timezone

import pytest

from providers.base import NotFound, RateLimited, Refused, Registrant, Unavailable
from providers.goto import GoToEvent, not_linkable_reason
from providers.goto.sandbox import seed

JANE = Registrant(email="jane@example.test", first_name="Jane", last_name="Doe",
                  company="Acme", phone="+1 555 0100")


@pytest.fixture
def store(goto_plugin, goto_sandbox):
    return goto_sandbox.connect(goto_plugin, seed.ADMIN_KEY)


def test_find_host_among_the_account_organizers(goto_plugin, store):
    me = goto_plugin.find_host(store, seed.ADMIN_EMAIL.upper())
    assert (me.id, me.first_name) == (str(seed.ADMIN_KEY), "Olivia")
    other = goto_plugin.find_host(store, seed.MANAGER_EMAIL)
    assert (other.id, other.email, other.last_name) == (str(seed.MANAGER_KEY), seed.MANAGER_EMAIL,
                                                        "Manager")
    assert goto_plugin.find_host(store, seed.UNKNOWN_EMAIL) is None


def test_upcoming_webinars_mark_sequence_and_series_as_not_linkable(goto_plugin, store):
    webinars = {w.id: w for w in goto_plugin.upcoming_webinars(store, str(seed.ADMIN_KEY))}
    assert set(webinars) == {str(k) for k in (seed.W_SINGLE, seed.W_MANUAL, seed.W_SEQUENCE,
                                              seed.W_SERIES)}
    single = webinars[str(seed.W_SINGLE)]
    assert single.linkable and single.registration_required and single.approval_automatic
    assert (single.duration, single.timezone, single.host_id) == (60, "Europe/Paris",
                                                                 str(seed.ADMIN_KEY))
    assert single.start.tzinfo is not None
    assert not webinars[str(seed.W_MANUAL)].approval_automatic
    for key, word in ((seed.W_SEQUENCE, "sequence"), (seed.W_SERIES, "series")):
        assert webinars[str(key)].recurring and not webinars[str(key)].linkable
        assert f"GoTo {word} webinar" in not_linkable_reason(word)
    assert not_linkable_reason("single_session") == ""


def test_webinars_are_read_page_by_page(goto_plugin, goto_sandbox, store):
    soon = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=30)
    for n in range(205):
        start = (soon + timedelta(hours=n)).strftime("%Y-%m-%dT%H:%M:%SZ")
        goto_sandbox.control("webinars", subject=f"Bulk {n}", organizerKey=str(seed.MANAGER_KEY),
                             startTime=start)
    listed = goto_plugin.upcoming_webinars(store, str(seed.MANAGER_KEY))
    assert len(listed) == 206
    pages = goto_sandbox.requests_seen("GET", f"/G2W/rest/v2/organizers/{seed.MANAGER_KEY}/webinars")
    assert len(pages) == 2


def test_a_webinar_moved_to_another_organizer_is_found_again(goto_plugin, goto_sandbox, store):
    goto_plugin.upcoming_webinars(store, str(seed.ADMIN_KEY))      # remembers W_SINGLE's organizer
    goto_sandbox.control(f"webinars/{seed.W_SINGLE}", method="DELETE")
    moved = goto_sandbox.control("webinars", webinarKey=str(seed.W_SINGLE), subject="Moved",
                                 organizerKey=str(seed.MANAGER_KEY),
                                 startTime="2030-05-01T10:00:00Z")
    assert moved["webinarKey"] == str(seed.W_SINGLE)
    registration = goto_plugin.register(store, str(seed.W_SINGLE), JANE)
    assert registration.join_url.endswith(f"/join/{seed.W_SINGLE}/{registration.registrant_id}")
    assert goto_plugin.webinar(store, str(seed.W_SINGLE)).host_id == str(seed.MANAGER_KEY)


def test_one_webinar_of_another_organizer_is_found(goto_sandbox, store):
    fresh = GoToEvent(goto_sandbox.config)      # remembers no organizer yet
    webinar = fresh.webinar(store, str(seed.W_MANAGER))
    assert (webinar.topic, webinar.host_id, webinar.host_email) == (
        "Manny's customer story", str(seed.MANAGER_KEY), seed.MANAGER_EMAIL)
    before = len(goto_sandbox.requests_seen())
    fresh.webinar(store, str(seed.W_MANAGER))
    assert len(goto_sandbox.requests_seen()) == before + 1     # the organizer was remembered
    with pytest.raises(NotFound) as missing:
        fresh.webinar(store, "5620084814059799999")
    assert missing.value.message == "webinar 5620084814059799999 was not found on GoTo Webinar"
    fresh.session.close()


def test_register_returns_the_persons_own_join_link_and_is_idempotent(goto_plugin, goto_sandbox,
                                                                      store):
    first = goto_plugin.register(store, str(seed.W_SINGLE), JANE)
    assert first.registrant_id.isdigit() and int(first.registrant_id) > 2 ** 53
    assert first.join_url.endswith(f"/join/{seed.W_SINGLE}/{first.registrant_id}")
    again = goto_plugin.register(store, str(seed.W_SINGLE),
                                 Registrant(email="JANE@example.test", first_name="Jane"))
    assert again == first
    before = len(goto_sandbox.requests_seen())
    other = goto_plugin.register(store, str(seed.W_SINGLE),
                                 Registrant(email="max@example.test", first_name="Max",
                                            last_name="Other"))
    assert other.join_url != first.join_url
    assert len(goto_sandbox.requests_seen()) == before + 1     # the POST alone
    people = goto_sandbox.state()["webinars"][str(seed.W_SINGLE)]["registrants"]
    assert sorted(p["email"] for p in people) == ["jane@example.test", "max@example.test"]


def test_a_lost_answer_is_posted_again_and_answered_by_the_duplicate(goto_plugin, goto_sandbox,
                                                                     store):
    goto_sandbox.control("faults", pattern="/G2W/rest/v2/*/registrants", for_method="POST",
                         status=502, after=True)
    registration = goto_plugin.register(store, str(seed.W_SINGLE), JANE)
    people = goto_sandbox.state()["webinars"][str(seed.W_SINGLE)]["registrants"]
    assert [(p["registrantKey"], p["joinUrl"]) for p in people] == [
        (registration.registrant_id, registration.join_url)]
    assert len(goto_sandbox.requests_seen("POST", "/G2W/")) == 2    # the lost POST, then again


def test_register_refusals_in_plain_words(goto_plugin, goto_sandbox, store):
    with pytest.raises(Refused) as over:
        goto_plugin.register(store, str(seed.W_PAST), JANE)
    assert over.value.message == (f"webinar {seed.W_PAST} is over: GoTo no longer accepts "
                                  "registrations")
    goto_sandbox.control("faults", pattern="/G2W/*", status=503, count=None)
    with pytest.raises(Unavailable) as down:
        goto_plugin.register(store, str(seed.W_SINGLE), JANE)
    assert "GoTo Webinar is having trouble (HTTP 503)" in down.value.message


def test_rate_limits_are_waited_out_or_reported(goto_plugin, goto_sandbox, store):
    goto_sandbox.control("faults", pattern="/G2W/*", status=429, retry_after=0, count=2)
    assert len(goto_plugin.upcoming_webinars(store, str(seed.ADMIN_KEY))) == 4
    impatient = GoToEvent(goto_sandbox.config | {"GOTO_MAX_WAIT": 0.5})
    goto_sandbox.control("faults", pattern="/G2W/*", status=429, retry_after=1, count=1)
    with pytest.raises(RateLimited) as limited:
        impatient.webinar(store, str(seed.W_SINGLE))
    assert limited.value.retry_after == 1 and limited.value.transient
    impatient.session.close()
