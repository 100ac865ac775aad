"""The sandbox's deterministic demo seed. Tests import these constants.

Ids never change. Times are relative to today (UTC), so "upcoming" stays upcoming.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

# --- demo credentials (each overridable by the environment variable of the same name)
ACCOUNT_ID = "sbx-account-1"
OAUTH_CLIENT_ID = "sbx-oauth-client-id"
OAUTH_CLIENT_SECRET = "sbx-oauth-client-secret"
WEBHOOK_SECRET_TOKEN = "sbx-webhook-secret-token"
S2S_CLIENT_ID = "sbx-s2s-client-id"
S2S_CLIENT_SECRET = "sbx-s2s-client-secret"
S2S_ACCOUNT_ID = ACCOUNT_ID

# --- users of the account ------------------------------------------------------------
PRIVILEGES_OF_S3 = ["User:Edit", "UsageReport:Read", "Integration:Edit"]
ALL_ADMIN_PERMISSIONS = PRIVILEGES_OF_S3 + [
    "User:Read", "Role:Read", "Role:Edit", "Group:Read", "AccountSetting:Read",
    "WebinarSetting:Read", "WebinarSetting:Edit", "Dashboard:Read", "Integration:Read",
    "Recording:Read"]

OWNER_ID = "sbxOwnerAda000000001"
OWNER_EMAIL = "ada.owner@sandbox-zoom.test"        # account owner: admin host
ADMIN_ID = "sbxAdminDee000000002"
ADMIN_EMAIL = "dee.admin@sandbox-zoom.test"        # admin role
PRIVILEGED_ID = "sbxMemberBob00000003"
PRIVILEGED_EMAIL = "bob.privileged@sandbox-zoom.test"   # member holding the 3 privileges
PLAIN_ID = "sbxMemberCy000000004"
PLAIN_EMAIL = "cy.plain@sandbox-zoom.test"          # member without privileges
NO_WEBINAR_ID = "sbxAdminEve000000005"
NO_WEBINAR_EMAIL = "eve.nowebinar@sandbox-zoom.test"   # admin without the Webinars add-on
UNKNOWN_EMAIL = "nobody@elsewhere.test"             # not a user of the account

USERS = [
    dict(id=OWNER_ID, email=OWNER_EMAIL, first_name="Ada", last_name="Owner",
         role_name="Owner", role_id="0", type=2, permissions=ALL_ADMIN_PERMISSIONS),
    dict(id=ADMIN_ID, email=ADMIN_EMAIL, first_name="Dee", last_name="Admin",
         role_name="Admin", role_id="1", type=2, permissions=ALL_ADMIN_PERMISSIONS),
    dict(id=PRIVILEGED_ID, email=PRIVILEGED_EMAIL, first_name="Bob", last_name="Privileged",
         role_name="Webinar Manager", role_id="sbxRoleWebinarMgr", type=2,
         permissions=PRIVILEGES_OF_S3 + ["User:Read"]),
    dict(id=PLAIN_ID, email=PLAIN_EMAIL, first_name="Cy", last_name="Plain",
         role_name="Member", role_id="2", type=2, permissions=[]),
    # an admin of a plan without webinars: GET /users/{id}/settings says feature.webinar false
    dict(id=NO_WEBINAR_ID, email=NO_WEBINAR_EMAIL, first_name="Eve", last_name="NoWebinar",
         role_name="Admin", role_id="1", type=2, permissions=ALL_ADMIN_PERMISSIONS, webinar=False),
]

# --- webinars (11-digit ids) ------------------------------------------------------------
W_SINGLE = 81000000001           # type 5, registration required, automatic approval
W_MANUAL = 81000000002           # type 5, manual approval
W_NO_REGISTRATION = 81000000003  # type 5, approval_type 2: registration not required
W_QUESTION = 81000000004         # type 5, a required custom question + required job title
W_RECURRING_FIXED = 81000000005  # type 9
W_RECURRING_NO_FIXED = 81000000006   # type 6
W_PAST = 81000000007             # type 5, ran yesterday: attendees, absentees, a walk-in
W_NEVER_STARTED = 81000000008    # type 5, scheduled 3 days ago, never started
W_BOB = 81000000009              # type 5 hosted by the privileged member
W_CY = 81000000010               # type 5 hosted by the plain member

CUSTOM_QUESTION = "Which product do you use today?"

#: registrants of W_PAST: (registrant id, email, first, last, org)
PAST_REGISTRANTS = [
    ("sbxRegPastAlice00001", "alice@customer.test", "Alice", "Attender", "Acme"),
    ("sbxRegPastBruno00002", "bruno@customer.test", "Bruno", "Rejoiner", "Globex"),
    ("sbxRegPastChloe00003", "chloe@customer.test", "Chloe", "Absent", "Initech"),
]
PAST_WALK_IN_NAME = "Walk In Guest"
PAST_INSTANCE_UUID = "sbxPastInstance0001A=="


def _at(days: int, hour: int) -> datetime:
    today = datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    return today + timedelta(days=days, hours=hour)


def webinars() -> list[dict]:
    """Seed webinars as plain dicts: what ``state.create_webinar`` takes."""
    def w(wid, host, topic, kind, days, hour, approval, **extra):
        return dict(id=wid, host_id=host, topic=topic, type=kind, start_time=_at(days, hour),
                    duration=60, timezone="Europe/Paris", approval_type=approval,
                    agenda=f"{topic}: a Lectern sandbox webinar.", **extra)
    return [
        w(W_SINGLE, OWNER_ID, "Lectern product tour", 5, 14, 16, 0),
        w(W_MANUAL, OWNER_ID, "Partner briefing (manual approval)", 5, 15, 15, 1),
        w(W_NO_REGISTRATION, OWNER_ID, "Open house (no registration)", 5, 16, 16, 2),
        w(W_QUESTION, OWNER_ID, "Pricing deep dive (custom question)", 5, 17, 16, 0,
          questions=[{"field_name": "job_title", "required": True},
                     {"field_name": "org", "required": True}],
          custom_questions=[{"title": CUSTOM_QUESTION, "type": "short", "required": True}]),
        w(W_RECURRING_FIXED, OWNER_ID, "Weekly office hours", 9, 7, 10, 0),
        w(W_RECURRING_NO_FIXED, OWNER_ID, "Always-on onboarding", 6, 7, 10, 0),
        w(W_PAST, OWNER_ID, "Yesterday's launch webinar", 5, -1, 15, 0),
        w(W_NEVER_STARTED, OWNER_ID, "The webinar that never started", 5, -3, 15, 0),
        w(W_BOB, PRIVILEGED_ID, "Bob's customer story", 5, 20, 17, 0),
        w(W_CY, PLAIN_ID, "Cy's team demo", 5, 21, 17, 0),
    ]


def past_run() -> dict:
    """How W_PAST ran: minutes after its start (join, leave) per person."""
    return {
        "uuid": PAST_INSTANCE_UUID,
        "joins": [
            ("sbxRegPastAlice00001", None, 0, 55),
            ("sbxRegPastBruno00002", None, 5, 20),
            ("sbxRegPastBruno00002", None, 25, 40),
            (None, PAST_WALK_IN_NAME, 10, 30),
        ],
        "end": 60,
    }
