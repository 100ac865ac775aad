"""Who connects, hosts, the webinar picker, webinar details and registration."""
import pytest

from providers.base import NoPermission, NotFound, RateLimited, Refused, Registrant
from providers.zoom.sandbox import seed


@pytest.fixture
def store(zoom_plugin, sandbox):
    return sandbox.connect(zoom_plugin)


@pytest.mark.parametrize("user_id, is_admin, missing", [
    (seed.OWNER_ID, True, ()),
    (seed.ADMIN_ID, True, ()),
    (seed.PRIVILEGED_ID, False, ()),
    (seed.PLAIN_ID, False, ("edit Users", "view Usage Reports", "edit Integration")),
])
def test_whoami_decides_who_may_connect(zoom_plugin, sandbox, user_id, is_admin, missing):
    me = zoom_plugin.whoami(sandbox.connect(zoom_plugin, user_id))
    assert (me.user_id, me.account_id) == (user_id, seed.ACCOUNT_ID)
    assert (me.is_admin, me.missing_privileges) == (is_admin, missing)
    assert me.may_connect == (not missing)


def test_find_host(zoom_plugin, store):
    host = zoom_plugin.find_host(store, seed.PRIVILEGED_EMAIL.upper())
    assert (host.id, host.email, host.first_name) == (seed.PRIVILEGED_ID, seed.PRIVILEGED_EMAIL, "Bob")
    assert zoom_plugin.find_host(store, seed.UNKNOWN_EMAIL) is None


def test_plain_member_may_not_look_up_other_users(zoom_plugin, sandbox):
    plain = sandbox.connect(zoom_plugin, seed.PLAIN_ID)
    with pytest.raises(NoPermission):
        zoom_plugin.find_host(plain, seed.OWNER_EMAIL)


def test_upcoming_webinars_flags_recurring_and_leaves_registration_to_the_details(zoom_plugin, store,
                                                                                   sandbox):
    before = len(sandbox.requests_seen("GET", "/v2/webinars/"))
    found = {w.id: w for w in zoom_plugin.upcoming_webinars(store, seed.OWNER_ID)}
    assert set(found) == {str(w) for w in (seed.W_SINGLE, seed.W_MANUAL, seed.W_NO_REGISTRATION,
                                           seed.W_QUESTION, seed.W_RECURRING_FIXED,
                                           seed.W_RECURRING_NO_FIXED)}
    assert found[str(seed.W_RECURRING_FIXED)].recurring
    assert found[str(seed.W_RECURRING_NO_FIXED)].recurring
    assert not found[str(seed.W_RECURRING_FIXED)].linkable
    single = found[str(seed.W_SINGLE)]
    assert single.linkable and single.host_id == seed.OWNER_ID
    assert single.start.tzinfo is not None and single.timezone == "Europe/Paris"
    assert single.duration == 60
    # The listing alone: no call per webinar, so whether registration is required is unknown...
    assert len(sandbox.requests_seen("GET", "/v2/webinars/")) == before
    assert single.registration_required is None
    # ...until the webinar is read in full.
    details = zoom_plugin.webinar(store, str(seed.W_SINGLE))
    assert details.registration_required and details.approval_automatic
    assert details.host_email == seed.OWNER_EMAIL
    assert zoom_plugin.webinar(store, str(seed.W_NO_REGISTRATION)).registration_required is False
    assert not zoom_plugin.webinar(store, str(seed.W_MANUAL)).approval_automatic


def test_upcoming_webinars_of_another_host(zoom_plugin, store):
    found = zoom_plugin.upcoming_webinars(store, seed.PRIVILEGED_ID)
    assert [w.id for w in found] == [str(seed.W_BOB)]


def test_webinar_lists_questions_the_form_cannot_answer(zoom_plugin, store):
    webinar = zoom_plugin.webinar(store, str(seed.W_QUESTION))
    assert webinar.unanswerable_questions == ("job_title", seed.CUSTOM_QUESTION)
    assert zoom_plugin.webinar(store, str(seed.W_SINGLE)).unanswerable_questions == ()


def test_unknown_webinar_is_not_found(zoom_plugin, store):
    with pytest.raises(NotFound) as caught:
        zoom_plugin.webinar(store, "89999999999")
    assert caught.value.message == "webinar 89999999999 was not found on Zoom or has expired"


PERSON = Registrant(email="Jane.Doe@Example.test", first_name="Jane", last_name="Doe",
                    company="Acme", phone="+33 1 23 45 67 89")


def _registrants(sandbox, webinar_id):
    return sandbox.state()["webinars"][str(webinar_id)]["registrants"]


def test_register_sends_the_person_and_returns_a_personal_join_url(zoom_plugin, sandbox, store):
    first = zoom_plugin.register(store, str(seed.W_SINGLE), PERSON)
    other = zoom_plugin.register(store, str(seed.W_SINGLE),
                                 Registrant(email="sam@example.test", first_name="Sam"))
    assert first.registrant_id and first.join_url.startswith(sandbox.url)
    assert first.join_url != other.join_url
    rows = _registrants(sandbox, seed.W_SINGLE)
    assert [r["email"] for r in rows] == ["Jane.Doe@Example.test", "sam@example.test"]


def test_register_is_idempotent_on_email(zoom_plugin, sandbox, store):
    first = zoom_plugin.register(store, str(seed.W_SINGLE), PERSON)
    again = zoom_plugin.register(store, str(seed.W_SINGLE),
                                 Registrant(email="jane.doe@example.test", first_name="Jane"))
    assert again == first
    assert len(_registrants(sandbox, seed.W_SINGLE)) == 1


def test_register_past_the_daily_cap_returns_the_existing_registration(zoom_plugin, sandbox, store):
    results = {zoom_plugin.register(store, str(seed.W_SINGLE), PERSON) for _ in range(5)}
    assert len(results) == 1
    counts = sandbox.state()["add_counts"]
    assert counts == {f"{seed.W_SINGLE}:jane.doe@example.test": 5}   # 4th and 5th got a 429
    assert len(_registrants(sandbox, seed.W_SINGLE)) == 1


def test_register_after_a_lost_answer_looks_up_instead_of_adding_again(zoom_plugin, sandbox, store):
    sandbox.control("faults", pattern=f"/v2/webinars/{seed.W_SINGLE}/registrants", for_method="POST",
                    status=502, after=True, count=1)
    registration = zoom_plugin.register(store, str(seed.W_SINGLE), PERSON)
    rows = _registrants(sandbox, seed.W_SINGLE)
    assert [(r["id"], r["join_url"]) for r in rows] == [(registration.registrant_id,
                                                          registration.join_url)]
    assert len(sandbox.requests_seen("POST", f"/v2/webinars/{seed.W_SINGLE}/registrants")) == 1


def test_register_retries_after_an_outage_that_registered_nobody(zoom_plugin, sandbox, store):
    sandbox.control("faults", pattern=f"/v2/webinars/{seed.W_SINGLE}/registrants", for_method="POST",
                    status=503, count=1)
    registration = zoom_plugin.register(store, str(seed.W_SINGLE), PERSON)
    assert [r["id"] for r in _registrants(sandbox, seed.W_SINGLE)] == [registration.registrant_id]
    assert len(sandbox.requests_seen("POST", f"/v2/webinars/{seed.W_SINGLE}/registrants")) == 2


def test_daily_limit_of_the_account_is_not_mistaken_for_a_registration(zoom_plugin, sandbox, store):
    sandbox.control("faults", pattern="/v2/webinars/*", status=429, daily=True, count=None)
    with pytest.raises(RateLimited) as caught:
        zoom_plugin.register(store, str(seed.W_SINGLE), PERSON)
    assert caught.value.daily
    assert _registrants(sandbox, seed.W_SINGLE) == []


@pytest.mark.parametrize("webinar_id, words", [
    (seed.W_NO_REGISTRATION, "does not require registration"),
    (seed.W_PAST, "is over"),
])
def test_register_refusals_are_plain_words(zoom_plugin, store, webinar_id, words):
    with pytest.raises(Refused) as caught:
        zoom_plugin.register(store, str(webinar_id), PERSON)
    assert words in caught.value.message and str(webinar_id) in caught.value.message


def test_host_cannot_register(zoom_plugin, store):
    with pytest.raises(Refused):
        zoom_plugin.register(store, str(seed.W_SINGLE),
                             Registrant(email=seed.OWNER_EMAIL, first_name="Ada"))


def test_manual_approval_registrant_is_pending_and_still_idempotent(zoom_plugin, sandbox, store):
    first = zoom_plugin.register(store, str(seed.W_MANUAL), PERSON)
    for _ in range(3):
        assert zoom_plugin.register(store, str(seed.W_MANUAL), PERSON) == first
    assert [r["status"] for r in _registrants(sandbox, seed.W_MANUAL)] == ["pending"]
