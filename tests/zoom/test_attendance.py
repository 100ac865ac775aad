"""Attendance of the instance that really ran: its joins page by page (the portal merges
them per person), absentees, errors."""
from datetime import datetime, timedelta, timezone

import pytest
import requests

from providers.base import NotStarted, Registrant, covered_minutes
from providers.zoom.client import encode_uuid
from providers.zoom.sandbox import seed

START = datetime(2026, 3, 2, 15, 0, tzinfo=timezone.utc)


@pytest.fixture
def store(zoom_plugin, sandbox):
    return sandbox.connect(zoom_plugin)


def _at(minutes):
    return (START + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _run(sandbox, webinar_id, visits, uuid=None, end=90, start=0):
    """Start ``start`` minutes after START, replay (who, join minute, leave minute)
    visits (minutes after that start), end."""
    sandbox.control(f"webinars/{webinar_id}/start", at=_at(start),
                    **({"uuid": uuid} if uuid else {}))
    for who, joined, left in visits:
        sandbox.control(f"webinars/{webinar_id}/join", offset_minutes=joined, **who)
        sandbox.control(f"webinars/{webinar_id}/leave", offset_minutes=left, **who)
    return sandbox.control(f"webinars/{webinar_id}/end", offset_minutes=end)["uuid"]


def by_person(report) -> dict[str, list]:
    """Every page's joins, by email, else by display name (first, last)."""
    people = {}
    for page in report.joins:
        for j in page:
            people.setdefault(j.email or f"{j.first_name} {j.last_name}", []).append(j)
    return people


def minutes(joins) -> int:
    return covered_minutes((j.joined, j.left) for j in joins)


def test_seeded_past_webinar(zoom_plugin, store):
    result = zoom_plugin.attendance(store, str(seed.W_PAST))
    assert result.instance_uuid == seed.PAST_INSTANCE_UUID
    people = by_person(result)
    assert set(people) == {"alice@customer.test", "bruno@customer.test", "Walk In Guest"}
    assert minutes(people["alice@customer.test"]) == 55
    bruno = people["bruno@customer.test"]
    assert (minutes(bruno), len(bruno)) == (30, 2)
    assert {j.registrant_id for j in bruno} == {"sbxRegPastBruno00002"}
    [walk_in] = people["Walk In Guest"]
    assert (walk_in.registrant_id, walk_in.keys, minutes([walk_in])) == ("", ("n:walk in guest",), 20)
    assert [(a.email, a.first_name, a.company) for a in result.absentees] == [
        ("chloe@customer.test", "Chloe", "Initech")]


def test_each_join_names_its_person(zoom_plugin, sandbox, store):
    wid = str(seed.W_SINGLE)
    ann = zoom_plugin.register(store, wid, Registrant(email="ann@example.test", first_name="Ann",
                                                      last_name="Lee", company="Acme"))
    zoom_plugin.register(store, wid, Registrant(email="noshow@example.test", first_name="No",
                                                last_name="Show", phone="555"))
    _run(sandbox, wid, [
        ({"registrant_id": ann.registrant_id}, 0, 10),
        ({"email": "ann@example.test"}, 15, 30),
        ({"registrant_id": ann.registrant_id}, 40, 55),
        ({"name": "Anonymous Viewer"}, 5, 25),                       # walk-in, no email
        ({"name": "Pat Walker", "email": "pat@partner.test"}, 20, 50),  # walk-in with email
        ({"name": "Pat Walker", "email": "pat@partner.test"}, 60, 70),
    ])
    result = zoom_plugin.attendance(store, wid)
    people = by_person(result)
    assert set(people) == {"ann@example.test", "Anonymous Viewer", "pat@partner.test"}
    ann_joins = people["ann@example.test"]
    assert [(j.joined, j.left) for j in ann_joins] == [
        (START, START + timedelta(minutes=10)), (START + timedelta(minutes=15), START + timedelta(minutes=30)),
        (START + timedelta(minutes=40), START + timedelta(minutes=55))]
    assert {(j.registrant_id, j.first_name, j.last_name) for j in ann_joins} == {(ann.registrant_id, "Ann", "Lee")}
    assert minutes(ann_joins) == 40
    [guest] = people["Anonymous Viewer"]
    assert (minutes([guest]), guest.registrant_id, guest.keys) == (20, "", ("n:anonymous viewer",))
    pat = people["pat@partner.test"]
    assert (minutes(pat), len(pat), {j.registrant_id for j in pat}) == (40, 2, {""})
    assert [(x.email, x.phone) for x in result.absentees] == [("noshow@example.test", "555")]


def test_never_started_webinar_raises_not_started_in_plain_words(zoom_plugin, store):
    with pytest.raises(NotStarted) as caught:
        zoom_plugin.attendance(store, str(seed.W_NEVER_STARTED))
    assert caught.value.message == f"webinar {seed.W_NEVER_STARTED} never started"


def test_running_webinar_has_no_attendance_yet(zoom_plugin, sandbox, store):
    sandbox.control(f"webinars/{seed.W_SINGLE}/start")
    with pytest.raises(NotStarted):
        zoom_plugin.attendance(store, str(seed.W_SINGLE))


def test_report_not_ready_is_not_started(zoom_plugin, sandbox, store):
    sandbox.control(f"webinars/{seed.W_SINGLE}/start")
    sandbox.control(f"webinars/{seed.W_SINGLE}/end")
    # Zoom answers 3001 while the report lags behind webinar.ended: simulate by
    # asking for an instance the report does not know.
    zoom = zoom_plugin.client(store)
    with pytest.raises(NotStarted):
        list(zoom.report_participants("unknownInstance==", str(seed.W_SINGLE)))


def test_rescheduled_webinar_uses_the_instance_that_really_ran(zoom_plugin, sandbox, store):
    wid = str(seed.W_SINGLE)
    early = zoom_plugin.register(store, wid, Registrant(email="early@example.test", first_name="E"))
    late = zoom_plugin.register(store, wid, Registrant(email="late@example.test", first_name="L"))
    rehearsal = _run(sandbox, wid, [({"registrant_id": early.registrant_id}, 0, 5)], end=10)
    sandbox.control(f"webinars/{wid}/reschedule", start_time=_at(60 * 24))
    real = _run(sandbox, wid, [({"registrant_id": late.registrant_id}, 0, 45)], start=60 * 24)
    assert rehearsal != real
    result = zoom_plugin.attendance(store, wid)
    assert result.instance_uuid == real
    assert result.started_at == START + timedelta(days=1)
    assert [j.registrant_id for page in result.joins for j in page] == [late.registrant_id]
    assert [a.registrant_id for a in result.absentees] == [early.registrant_id]


@pytest.mark.parametrize("uuid", ["/sbxStartsWithSlash+Q==", "sbxHas//Double+Slash=="])
def test_uuids_with_slashes_reach_their_instance(zoom_plugin, sandbox, store, uuid):
    wid = str(seed.W_SINGLE)
    ann = zoom_plugin.register(store, wid, Registrant(email="ann@example.test", first_name="Ann"))
    assert _run(sandbox, wid, [({"registrant_id": ann.registrant_id}, 0, 30)], uuid=uuid) == uuid
    result = zoom_plugin.attendance(store, wid)
    assert result.instance_uuid == uuid
    assert [minutes([j]) for page in result.joins for j in page] == [30]
    # encoding once is not enough for such UUIDs: the sandbox, like Zoom, does not find it
    token = store.load()["access_token"]
    once = requests.get(f"{sandbox.api_url}/past_webinars/{encode_uuid(uuid).replace('%25', '%')}"
                        "/absentees", headers={"Authorization": f"Bearer {token}"}, timeout=5)
    assert once.status_code == 404


def test_plus_in_uuid_is_encoded(zoom_plugin, sandbox, store):
    assert encode_uuid("ab+c/d==") == "ab%2Bc%2Fd%3D%3D"
    assert encode_uuid("/ab") == "%252Fab"
    wid = str(seed.W_SINGLE)
    _run(sandbox, wid, [({"name": "Solo Viewer"}, 0, 12)], uuid="sbx+Plus/Slash==")
    assert [minutes([j]) for page in zoom_plugin.attendance(store, wid).joins for j in page] == [12]


def test_ten_thousand_attendees(zoom_plugin, sandbox, store):
    made = sandbox.control(f"webinars/{seed.W_SINGLE}/bulk", attendees=10_000, absentees=500,
                           walk_ins=25, rejoin_every=5)
    assert made["participant_rows"] == 10_000 + 2 * 2_000 + 25
    pages = []
    result = zoom_plugin.attendance(store, str(seed.W_SINGLE), on_page=pages.append)
    sizes, rejoiner = [], []
    for page in result.joins:
        sizes.append(len(page))
        rejoiner += [j for j in page if j.registrant_id.endswith("00000000")]
    assert sum(sizes) == made["participant_rows"] and max(sizes) == 300    # a page at a time
    assert (minutes(rejoiner), len(rejoiner)) == (50, 3)
    assert sum(1 for _ in result.absentees) == 500
    assert pages[-1] == result.pages_read == 47 + 2
