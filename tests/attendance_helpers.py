"""Setting up attendance cases against the Zoom sandbox: a linked program, members
registered through the sandbox, a webinar that really ran."""
import json
import time
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from portal.attendance.pulls import cancel_attendance_pulls
from portal.channels import REGISTERED
from portal.extensions import db
from portal.linking import binding as linking
from portal.models import AttendanceSession, Member, Person, StatusChange, SyncRun
from portal.models.programs import SYNC_SYNCED
from portal.programs import lifecycle as flows
from providers.zoom.sandbox import seed
from providers.zoom.sandbox.delivery import zoom_signature_headers


def iso(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def minutes_ago(n: float) -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0) - timedelta(minutes=n)


def new_webinar(sandbox, start: datetime, duration: int = 60, topic: str = "Attendance test") -> str:
    answer = sandbox.control("webinars", topic=topic, host_email=seed.OWNER_EMAIL, start_time=iso(start),
                             duration=duration, approval_type=0, timezone="Europe/Paris")
    return str(answer["id"])


def link(service, webinar_id: str, name: str = "Launch webinar"):
    """A webinar program linked through the real linking flow (snapshot, health check),
    as Event Settings does. These webinars ran in the past, so the pulls linking plans
    would fall due at once: they are cancelled, and each test triggers its syncs."""
    program = flows.create_program(name, "webinar", "", None)
    linking.link_program(program.id, service.id, webinar_id)
    cancel_attendance_pulls(program.id)
    return program


def register(sandbox, program, webinar_id: str, email: str, first: str, last: str = "",
             person_email: str | None = None) -> Member:
    """Registered at the sandbox, then a Registered member holding the registrant id
    (what the registration flow leaves behind). ``person_email`` lets the person's
    portal address differ from the one given to the provider."""
    registrant = sandbox.control(f"webinars/{webinar_id}/registrants", email=email, first_name=first,
                                 last_name=last)
    person, _ = flows.find_or_create_person(person_email or email, first_name=first, last_name=last,
                                            source="landing page")
    member = Member(program=program, person=person, registrant_id=registrant["id"],
                    webinar_url=registrant["join_url"], sync_state=SYNC_SYNCED)
    db.session.add(member)
    db.session.flush()
    flows.change_status(member, REGISTERED, reason="filled out the form")
    db.session.commit()
    return member


def run_webinar(sandbox, webinar_id: str, visits, began: datetime, end: int = 60, sync=False) -> str:
    """Start at ``began``, replay (who, join minute, leave minute) visits, end."""
    sandbox.control(f"webinars/{webinar_id}/start", at=iso(began))
    for who, joined, left in visits:
        sandbox.control(f"webinars/{webinar_id}/join", offset_minutes=joined, **who)
        sandbox.control(f"webinars/{webinar_id}/leave", offset_minutes=left, **who)
    return sandbox.control(f"webinars/{webinar_id}/end", sync=sync, offset_minutes=end)["uuid"]


def bulk_members(sandbox, program, webinar_id: str, share: float = 1.0) -> int:
    """Members (Registered) for the sandbox's bulk registrants, inserted in bulk;
    ``share`` of them (the rest stay unknown to the portal, like walk-ins)."""
    registrants = sandbox.state()["webinars"][str(webinar_id)]["registrants"]
    keep = registrants[:int(len(registrants) * share)] if share < 1 else registrants
    now = datetime.now(timezone.utc)
    people = [{"email": r["email"], "email_key": r["email"].lower(), "first_name": "Bulk",
               "last_name": "Person", "source": "landing page", "created_at": now, "updated_at": now}
              for r in keep]
    ids = dict((k, i) for i, k in db.session.execute(
        sa.insert(Person).returning(Person.id, Person.email_key), people))
    db.session.execute(sa.insert(Member), [
        {"program_id": program.id, "person_id": ids[r["email"].lower()], "status": REGISTERED,
         "registrant_id": r["id"], "sync_state": SYNC_SYNCED, "created_at": now, "updated_at": now}
        for r in keep])
    db.session.commit()
    return len(keep)


def send_webinar_ended(client, webinar_id: str, ended: datetime):
    """A signed webinar.ended, as Zoom sends it, posted to the portal."""
    body = json.dumps({"event": "webinar.ended", "event_ts": int(time.time() * 1000),
                       "payload": {"account_id": seed.ACCOUNT_ID,
                                   "object": {"id": str(webinar_id), "uuid": "not-yet",
                                              "end_time": iso(ended)}}}).encode()
    return client.post("/webhooks/zoom", data=body,
                       headers=zoom_signature_headers(seed.WEBHOOK_SECRET_TOKEN, body))


def statuses(program) -> dict[str, str]:
    rows = db.session.execute(sa.select(Person.email_key, Member.status).join(Member.person)
                              .where(Member.program_id == program.id))
    return dict(rows.all())


def member_of(program, email: str) -> Member:
    return db.session.scalar(sa.select(Member).join(Member.person).where(
        Member.program_id == program.id, Person.email_key == email.lower()))


def snapshot(program) -> dict:
    """Everything a sync writes, to compare two runs."""
    members = db.session.execute(sa.select(
        Member.id, Member.person_id, Member.status, Member.attended_minutes, Member.first_join,
        Member.last_leave, Member.sessions).where(Member.program_id == program.id).order_by(Member.id)).all()
    history = db.session.execute(sa.select(StatusChange.member_id, StatusChange.from_status,
                                           StatusChange.to_status, StatusChange.reason)
                                 .join(Member).where(Member.program_id == program.id)
                                 .order_by(StatusChange.id)).all()
    sessions = db.session.execute(sa.select(AttendanceSession.member_id, AttendanceSession.join_time,
                                            AttendanceSession.leave_time, AttendanceSession.minutes)
                                  .join(Member).where(Member.program_id == program.id)
                                  .order_by(AttendanceSession.member_id, AttendanceSession.join_time)).all()
    people = db.session.execute(sa.select(Person.id, Person.email, Person.first_name, Person.last_name,
                                          Person.source).order_by(Person.id)).all()
    return {"members": members, "history": history, "sessions": sessions, "people": people}


def runs(program) -> list[SyncRun]:
    return db.session.scalars(sa.select(SyncRun).where(SyncRun.program_id == program.id)
                              .order_by(SyncRun.id)).all()
