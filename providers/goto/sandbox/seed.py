"""The GoTo sandbox's deterministic demo seed. Tests import these constants.

Keys never change and are larger than 2**53, as GoTo's are, so a client that reads
them as floating-point numbers loses digits and fails. Times are relative to today
(UTC), so "upcoming" stays upcoming.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

# --- demo credentials (each overridable by the environment variable of the same name)
OAUTH_CLIENT_ID = "sbx-goto-client-id"
OAUTH_CLIENT_SECRET = "sbx-goto-client-secret"
WEBHOOK_SECRET_KEY = "sbx-goto-webhook-secret-key"

ACCOUNT_KEY = 7310000000000000001

# --- organizers of the account --------------------------------------------------------
#: GoTo admin roles (Admin Center). SUPER_USER is the account admin.
ALL_ADMIN_ROLES = ["SUPER_USER", "MANAGE_USERS", "MANAGE_SETTINGS", "MANAGE_GROUPS",
                   "RUN_REPORTS"]
#: what a non-super-user needs to connect Lectern for the whole account
PRIVILEGES_TO_CONNECT = ["MANAGE_USERS", "RUN_REPORTS"]

ADMIN_KEY = 9200000000000000101
ADMIN_EMAIL = "olivia.admin@sandbox-goto.test"        # super user: may connect
MANAGER_KEY = 9200000000000000202
MANAGER_EMAIL = "manny.manager@sandbox-goto.test"     # MANAGE_USERS + RUN_REPORTS: may connect
PLAIN_KEY = 9200000000000000303
PLAIN_EMAIL = "pat.plain@sandbox-goto.test"           # organizer, no admin role: refused
UNKNOWN_EMAIL = "nobody@elsewhere.test"               # not an organizer of the account

ORGANIZERS = [
    dict(key=ADMIN_KEY, email=ADMIN_EMAIL, firstName="Olivia", lastName="Admin",
         adminRoles=list(ALL_ADMIN_ROLES)),
    dict(key=MANAGER_KEY, email=MANAGER_EMAIL, firstName="Manny", lastName="Manager",
         adminRoles=list(PRIVILEGES_TO_CONNECT)),
    dict(key=PLAIN_KEY, email=PLAIN_EMAIL, firstName="Pat", lastName="Plain", adminRoles=[]),
]

# --- webinars (19-digit keys, above 2**53) ------------------------------------------
W_SINGLE = 5620084814059709001          # single_session in 14 days, automatic approval
W_MANUAL = 5620084814059709002          # single_session, manual approval (WAITING)
W_SEQUENCE = 5620084814059709003        # sequence: 3 weekly sessions, attend all
W_SERIES = 5620084814059709004          # series: pick one of 3 times
W_PAST = 5620084814059709005            # ran yesterday in two sessions
W_NEVER_STARTED = 5620084814059709006   # 3 days ago, never started
W_MANAGER = 5620084814059709007         # hosted by the manager
W_PLAIN = 5620084814059709008           # hosted by the plain organizer

#: registrants of W_PAST: (registrant key, email, first, last, organization)
PAST_REGISTRANTS = [
    (8325357307900339001, "alice@customer.test", "Alice", "Attender", "Acme"),
    (8325357307900339002, "bruno@customer.test", "Bruno", "Rejoiner", "Globex"),
    (8325357307900339003, "chloe@customer.test", "Chloe", "Absent", "Initech"),
    (8325357307900339004, "dora@customer.test", "Dora", "Late", "Umbrella"),
]
PAST_SESSION_KEYS = (15887209001, 15887209002)


def _at(days: int, hour: int) -> datetime:
    today = datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    return today + timedelta(days=days, hours=hour)


def webinars() -> list[dict]:
    """Seed webinars as plain dicts: what ``events.create_webinar`` takes."""
    def w(key, organizer, subject, kind, days, hour, approval="AUTOMATIC", sessions=1):
        start = _at(days, hour)
        times = [(start + timedelta(weeks=n), start + timedelta(weeks=n, hours=1))
                 for n in range(sessions)]
        return dict(webinarKey=key, organizerKey=organizer, subject=subject,
                    recurrenceType=kind, times=times, timeZone="Europe/Paris",
                    approvalType=approval, description=f"{subject}: a Lectern GoTo sandbox webinar.")
    return [
        w(W_SINGLE, ADMIN_KEY, "Lectern on GoTo: product tour", "single_session", 14, 16),
        w(W_MANUAL, ADMIN_KEY, "Partner briefing (manual approval)", "single_session", 15, 15,
          approval="MANUAL"),
        w(W_SEQUENCE, ADMIN_KEY, "Onboarding course (sequence)", "sequence", 7, 10, sessions=3),
        w(W_SERIES, ADMIN_KEY, "Office hours (series)", "series", 8, 10, sessions=3),
        w(W_PAST, ADMIN_KEY, "Yesterday's launch webinar", "single_session", -1, 15),
        w(W_NEVER_STARTED, ADMIN_KEY, "The webinar that never started", "single_session", -3, 15),
        w(W_MANAGER, MANAGER_KEY, "Manny's customer story", "single_session", 20, 17),
        w(W_PLAIN, PLAIN_KEY, "Pat's team demo", "single_session", 21, 17),
    ]


def past_run() -> list[dict]:
    """How W_PAST ran: two sessions (the organizer restarted it), minutes after the
    webinar's start. Alice attends both, Bruno rejoins within the first, Dora only
    attends the second, Chloe never comes."""
    alice, bruno, _chloe, dora = (r[0] for r in PAST_REGISTRANTS)
    return [
        {"sessionKey": PAST_SESSION_KEYS[0], "start": 0, "end": 40,
         "joins": [(alice, 0, 35), (bruno, 5, 20), (bruno, 25, 40)]},
        {"sessionKey": PAST_SESSION_KEYS[1], "start": 45, "end": 70,
         "joins": [(alice, 45, 65), (dora, 50, 70)]},
    ]
