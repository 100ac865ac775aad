"""The Zoom sandbox as a provider kit (tests/kit.py) for the provider-parametrized tests."""
from __future__ import annotations

from datetime import datetime

import requests

from providers.sandbox.state import iso
from providers.zoom.sandbox import seed
from tests.kit import ProviderKit, Visit


class Kit(ProviderKit):
    key, label = "zoom", "Zoom"
    admin_user, admin_email = seed.OWNER_ID, seed.OWNER_EMAIL
    refused_user = seed.PLAIN_ID
    refusal_words = ("is not an admin", "edit Users")
    other_host_email = seed.PRIVILEGED_EMAIL
    account_id = seed.ACCOUNT_ID
    single_webinar = str(seed.W_SINGLE)
    recurring_webinars = (str(seed.W_RECURRING_FIXED), str(seed.W_RECURRING_NO_FIXED))
    never_started_webinar = str(seed.W_NEVER_STARTED)
    single_topic, other_host_topic = "Lectern product tour", "Bob's customer story"

    def browser_consent(self, page) -> None:
        page.get_by_label(seed.OWNER_EMAIL, exact=False).check()
        page.get_by_role("button", name="Authorize").click()

    def new_webinar(self, start: datetime, duration: int = 60, topic: str = "Kit webinar") -> str:
        answer = self.sandbox.control("webinars", topic=topic, host_email=seed.OWNER_EMAIL,
                                      start_time=iso(start), duration=duration, approval_type=0,
                                      timezone="Europe/Paris")
        return str(answer["id"])

    def registrants(self, webinar_id: str) -> list[dict]:
        """As Zoom's API lists them (GET /v2/webinars/{id}/registrants)."""
        from providers.zoom import ZoomEvent
        plugin = ZoomEvent(self.config)
        token = self.sandbox.connect(plugin).load()["access_token"]
        plugin.session.close()
        answer = requests.get(f"{self.sandbox.api_url}/webinars/{webinar_id}/registrants",
                              headers={"Authorization": f"Bearer {token}"}, params={"page_size": 300},
                              timeout=5)
        answer.raise_for_status()
        return [{"email": r["email"], "join_url": r["join_url"]} for r in answer.json()["registrants"]]

    def run_webinar(self, webinar_id: str, began: datetime, visits: list[Visit], ended_after: int) -> None:
        control = self.sandbox.control
        control(f"webinars/{webinar_id}/start", at=iso(began))
        for visit in visits:
            who = {"email": visit.email, "name": visit.name}
            control(f"webinars/{webinar_id}/join", offset_minutes=visit.joined, **who)
            control(f"webinars/{webinar_id}/leave", offset_minutes=visit.left, **who)
        control(f"webinars/{webinar_id}/end", sync=True, offset_minutes=ended_after)

    def reschedule(self, webinar_id: str, start: datetime) -> None:
        self.sandbox.control(f"webinars/{webinar_id}/reschedule", sync=True, start_time=iso(start))
