"""What a provider's test kit gives the provider-parametrized tests.

Each registered provider has ``tests/<key>/kit.py`` with a ``Kit`` subclass of
``ProviderKit`` and ``tests/<key>/fixtures.py`` (a pytest plugin, loaded by
tests/conftest.py for every registered key) with a fixture ``<key>_kit`` that yields
the kit around a sandbox running on a loopback port, reset to its seed. The
``provider`` fixture (tests/conftest.py) runs a test once per registered provider.

The kit speaks the sandbox's own control API; the tests speak only to the portal (its
pages, its workers) and to the plugin through the PartnerEvent contract.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass
class Consent:
    """Where the provider's consent page redirected: the code, the state, or an error."""
    location: str
    code: str = ""
    state: str = ""
    error: str = ""


@dataclass
class Visit:
    """One join of the webinar: minutes after its start it joined and left."""
    email: str
    name: str
    joined: int
    left: int


class ProviderKit:
    key: str = ""
    label: str = ""

    # --- who is on the provider's side (ids the consent page takes) ---------------------
    #: an admin of the account: may connect and re-authorize
    admin_user: str = ""
    #: a user who may not connect; ``refusal_words`` appear in the portal's refusal
    refused_user: str = ""
    refusal_words: tuple[str, ...] = ()
    #: the admin's email (the connecting user's webinars are visible by default [S12])
    admin_email: str = ""
    #: another user of the account whose webinars become visible once authorized
    other_host_email: str = ""
    account_id: str = ""

    # --- webinars of the seed -----------------------------------------------------------
    #: upcoming, single occurrence, registration required, hosted by the admin
    single_webinar: str = ""
    #: upcoming, recurring (listed, never linkable) [S4]; every kind the provider has
    recurring_webinars: tuple[str, ...] = ()
    #: its start passed days ago and it never ran [S9]
    never_started_webinar: str = ""
    #: the topics the picker shows for the single webinar and for one of the other host's
    single_topic: str = ""
    other_host_topic: str = ""

    #: the portal's config keys pointing the plugin at this sandbox
    config: dict = {}

    def __init__(self, sandbox):
        """``sandbox``: the running sandbox (tests/sandbox_fixtures.py SandboxServer)."""
        self.sandbox = sandbox
        self.config = sandbox.config

    def reset(self) -> None:
        self.sandbox.reset()

    def consent(self, authorize_url: str, user: str, approve: bool = True) -> Consent:
        """Answer the consent page as ``user``; where it redirects."""
        return self.sandbox.consent(authorize_url, user, approve)

    def browser_consent(self, page) -> None:
        """On the provider's consent page in a real browser: pick the admin, authorize."""
        raise NotImplementedError

    def send_webhooks_to(self, portal_url: str) -> None:
        """Deliver the sandbox's signed webhooks to this portal from now on."""
        self.sandbox.control("webhook-url", url=f"{portal_url}/webhooks/{self.key}")

    def new_webinar(self, start: datetime, duration: int = 60, topic: str = "Kit webinar") -> str:
        """A single-occurrence webinar of the admin, registration required; its id."""
        raise NotImplementedError

    def registrants(self, webinar_id: str) -> list[dict]:
        """The webinar's registrants at the sandbox: dicts with ``email`` and ``join_url``."""
        raise NotImplementedError

    def run_webinar(self, webinar_id: str, began: datetime, visits: list[Visit], ended_after: int) -> None:
        """The webinar runs from ``began`` for ``ended_after`` minutes with these visits;
        the sandbox announces the end if the provider does."""
        raise NotImplementedError

    def reschedule(self, webinar_id: str, start: datetime) -> None:
        """Move the webinar's start; the sandbox says so by webhook if the provider does."""
        raise NotImplementedError
