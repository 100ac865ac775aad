"""The GoTo Webinar sandbox as a provider kit (tests/kit.py) for the
provider-parametrized tests."""
from __future__ import annotations

from datetime import datetime, timedelta

from providers.goto.sandbox import seed
from providers.sandbox.state import iso
from tests.kit import ProviderKit, Visit


class Kit(ProviderKit):
    key, label = "goto", "GoTo Webinar"
    admin_user, admin_email = str(seed.ADMIN_KEY), seed.ADMIN_EMAIL
    refused_user = str(seed.PLAIN_KEY)
    refusal_words = ("is not an admin", "manage users", "run reports")
    other_host_email = seed.MANAGER_EMAIL
    account_id = str(seed.ACCOUNT_KEY)
    single_webinar = str(seed.W_SINGLE)
    recurring_webinars = (str(seed.W_SEQUENCE), str(seed.W_SERIES))
    never_started_webinar = str(seed.W_NEVER_STARTED)
    single_topic, other_host_topic = "Lectern on GoTo: product tour", "Manny's customer story"

    def browser_consent(self, page) -> None:
        page.get_by_label(seed.ADMIN_EMAIL, exact=False).check()
        page.get_by_role("button", name="Allow").click()

    def new_webinar(self, start: datetime, duration: int = 60, topic: str = "Kit webinar") -> str:
        answer = self.sandbox.control("webinars", subject=topic, organizerKey=str(seed.ADMIN_KEY),
                                      startTime=iso(start),
                                      endTime=iso(start + timedelta(minutes=duration)),
                                      timeZone="Europe/Paris", recurrenceType="single_session")
        return answer["webinarKey"]

    def registrants(self, webinar_id: str) -> list[dict]:
        """As GoTo's API lists them (GET .../webinars/{webinarKey}/registrants)."""
        token = self.sandbox.tokens()["access_token"]
        answer = self.sandbox.get(f"/G2W/rest/v2/organizers/{seed.ADMIN_KEY}/webinars/{webinar_id}"
                                  "/registrants", token)
        answer.raise_for_status()
        return [{"email": r["email"], "join_url": r["joinUrl"]} for r in answer.json()]

    def run_webinar(self, webinar_id: str, began: datetime, visits: list[Visit], ended_after: int) -> None:
        """One session. Only registrants join GoTo webinars: a visitor the portal never
        registered is registered at the sandbox first (on GoTo's own page, so to speak).
        GoTo announces no end."""
        control = self.sandbox.control
        known = {r["email"].lower() for r in self.sandbox.state()["webinars"][webinar_id]["registrants"]}
        for visit in visits:
            if visit.email.lower() not in known:
                first, _, last = visit.name.partition(" ")
                control(f"webinars/{webinar_id}/registrants", email=visit.email,
                        firstName=first or "Guest", lastName=last or "-")
                known.add(visit.email.lower())
        control(f"webinars/{webinar_id}/start", at=iso(began))
        for visit in sorted(visits, key=lambda v: v.joined):
            control(f"webinars/{webinar_id}/join", email=visit.email, offset_minutes=visit.joined)
            control(f"webinars/{webinar_id}/leave", email=visit.email, offset_minutes=visit.left)
        control(f"webinars/{webinar_id}/end", offset_minutes=ended_after)

    def reschedule(self, webinar_id: str, start: datetime) -> None:
        """webinar.changed carries the new times (an hour long)."""
        self.sandbox.control(f"webinars/{webinar_id}/reschedule", sync=True, startTime=iso(start),
                             endTime=iso(start + timedelta(hours=1)))
