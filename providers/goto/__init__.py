"""The GoTo Webinar provider plugin: ``GoToEvent`` implements the PartnerEvent contract.

OAuth (consent, code exchange, refresh with rotation, revoke) comes from
``providers.oauth``, the HTTP loop from ``providers.http``; GoTo adds the organizer and
account keys of its token answer and its error words. Files: ``settings`` (declared
config keys), ``client`` (paging, the calls), ``errors`` (GoTo answers -> typed errors),
``attendance`` (merging sessions), ``webhooks`` (signatures, exact big keys, GoTo events
-> contract events), ``sandbox/`` (a GoTo-compatible dev server).
``organizers`` finds which organizer holds a webinar (GoTo's paths need it).
"""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from typing import Callable, Mapping

from providers.base import (
    REGISTRANT_JOINED,
    WEBINAR_DELETED,
    WEBINAR_UPDATED,
    Attendance,
    Capabilities,
    Host,
    Identity,
    NotStarted,
    RateLimit,
    RateLimited,
    Registrant,
    Registration,
    TokenStore,
    Unavailable,
    WebhookEvent,
    Webinar,
)
from providers.goto import webhooks
from providers.goto.attendance import Came, joins, parse_time
from providers.goto.client import GoToClient
from providers.goto.errors import token_error_for
from providers.goto.organizers import OrganizerDirectory
from providers.goto.settings import SETTINGS, GoToSettings
from providers.http import ApiProvider
from providers.texts import N_

#: GoTo admin roles (Admin Center). A super user is the account's admin; anyone else
#: needs these to see the account's organizers and their webinars' reports.
ADMIN_ROLE = "SUPER_USER"
REQUIRED_PRIVILEGES = {"manage users": "MANAGE_USERS", "run reports": "RUN_REPORTS"}
LINKABLE = "single_session"
#: why a webinar of each other kind cannot be linked [S4]
NOT_LINKABLE = {
    "sequence": "a GoTo sequence webinar (one registration for several sessions, all to be "
                "attended): only single-session webinars can be linked",
    "series": "a GoTo series webinar (each registrant picks one of several sessions): "
              "only single-session webinars can be linked",
}
UPCOMING_DAYS = 366
#: fields of GoTo's token answer kept in the token dict (as strings)
TOKEN_EXTRAS = ("organizer_key", "account_key")


def not_linkable_reason(recurrence_type: str) -> str:
    kind = recurrence_type or LINKABLE
    if kind == LINKABLE:
        return ""
    return NOT_LINKABLE.get(kind, f"a GoTo {kind} webinar: only single-session webinars can be linked")


class GoToEvent(ApiProvider):
    key = "goto"
    label = "GoTo Webinar"
    settings = SETTINGS
    # no "webinar ended" webhook: the scheduled pulls after the last session's end and
    # the final pass are the attendance triggers; registrant.joined may warm them
    capabilities = Capabilities(
        announces_end=False,
        webhook_events=frozenset({WEBINAR_UPDATED, WEBINAR_DELETED, REGISTRANT_JOINED}))
    #: GoTo publishes no per-endpoint classes; one pace for every call of a token
    rate_limits = {"api": RateLimit(10)}
    rate_classes = {op: "api" for op in ("register", "webinar", "whoami", "find_host",
                                         "upcoming_webinars", "attendance")}
    texts = {
        "login": N_("Log into GoTo"),
        "account": N_("GoTo account"),
        "require_registration": N_("GoTo webinars always take registrations: check that the "
                                   "webinar still exists in GoTo Webinar."),
        "approve_automatically": N_("open the webinar in GoTo Webinar, Registration settings, "
                                    "and turn on automatic approval of registrants."),
        "optional_questions": N_("open the webinar's registration form in GoTo Webinar and make "
                                 "these questions optional."),
        "schedule": N_("schedule it for a date in the future."),
        "own_page": N_("people who register on GoTo's own registration page are not synced."),
        "who_may_connect": N_("The GoTo organizer must be a super user of the GoTo account, or hold "
                              "the Manage users and Run reports admin roles."),
        "webinars_missing": N_("this GoTo user cannot organize webinars: an admin of the GoTo account "
                               "must give them a GoTo Webinar license, or connect as an organizer."),
        "consent_denied": N_("if you did not refuse it yourself, an admin of the GoTo account may need "
                             "to allow Lectern for the account before organizers can authorize it."),
        "admin_lost": N_("the connecting GoTo organizer is no longer a super user or admin of the "
                         "GoTo account (their roles were changed in the GoTo Admin Center)."),
    }

    client_class, settings_class = GoToClient, GoToSettings

    def __init__(self, config: Mapping):
        super().__init__(config)
        self.organizers = OrganizerDirectory()

    # --- connecting: what GoTo adds to the OAuth2 base ---------------------------------

    token_error = staticmethod(token_error_for)

    def token_extras(self, answer: dict) -> dict:
        """The organizer who connected and their account, as strings (exact)."""
        return {k: "" if answer.get(k) in (None, "") else str(answer[k]) for k in TOKEN_EXTRAS}

    def refresh(self, token: dict) -> dict:
        fresh = super().refresh(token)
        for key in TOKEN_EXTRAS:        # a refresh answer may leave them out
            fresh[key] = fresh.get(key) or token.get(key, "")
        return fresh

    def revoke_request(self, token: dict) -> dict | None:
        """Revoke the refresh token: GoTo ends the whole grant with it."""
        value = token.get("refresh_token") or token.get("access_token")
        if not value:
            return None
        return {"data": {"token": value}, "auth": (self.client_id, self.client_secret)}

    # --- one account ---------------------------------------------------------------

    def whoami(self, store: TokenStore) -> Identity:
        me = self.client(store).me()
        roles = {str(r).upper() for r in me.get("adminRoles") or []}
        is_admin = ADMIN_ROLE in roles
        missing = () if is_admin else tuple(name for name, role in REQUIRED_PRIVILEGES.items()
                                             if role not in roles)
        return Identity(account_id=str(me.get("accountKey") or ""), user_id=str(me["key"]),
                        email=me.get("email") or "", first_name=me.get("firstName") or "",
                        last_name=me.get("lastName") or "", is_admin=is_admin,
                        missing_privileges=missing)

    def find_host(self, store: TokenStore, email: str) -> Host | None:
        """The account's organizer with this email (the connected one without a call
        to the organizer list, which needs an admin role)."""
        goto = self.client(store)
        wanted = email.strip().lower()
        me = goto.me()
        if str(me.get("email") or "").lower() == wanted:
            return _host(me)
        for user in goto.users(str(me.get("accountKey") or goto.token().get("account_key", ""))):
            if str(user.get("email") or "").lower() == wanted:
                return _host(user)
        return None

    def upcoming_webinars(self, store: TokenStore, host_id: str) -> list[Webinar]:
        """The organizer's webinars with a session still to come, every page."""
        now = datetime.now(timezone.utc)
        found = []
        for item in self.client(store).webinars(host_id, now - timedelta(days=1),
                                                now + timedelta(days=UPCOMING_DAYS)):
            ends = [parse_time(t.get("endTime")) for t in item.get("times") or []]
            if not any(end and end >= now for end in ends):
                continue
            self.organizers.remember(str(item["webinarKey"]), str(item.get("organizerKey") or host_id))
            found.append(_webinar(item))
        return found

    def webinar(self, store: TokenStore, webinar_id: str) -> Webinar:
        _, details = self.organizers.locate(self.client(store), str(webinar_id))
        return _webinar(details)

    def register(self, store: TokenStore, webinar_id: str, registrant: Registrant) -> Registration:
        """Idempotent on email: GoTo answers a known email with a 409 carrying that
        registration, so a POST whose answer was lost is simply posted again."""
        goto = self.client(store)
        body = {"firstName": registrant.first_name, "email": registrant.email.strip(),
                # GoTo requires a last name; the portal's form asks for one, "-" covers
                # older registrations made without
                "lastName": registrant.last_name or "-"}
        if registrant.company:
            body["organization"] = registrant.company
        if registrant.phone:
            body["phone"] = registrant.phone
        return self.organizers.call(goto, str(webinar_id), lambda organizer: self._register(
            goto, organizer, str(webinar_id), body))

    def _register(self, goto: GoToClient, organizer: str, webinar_key: str,
                  body: dict) -> Registration:
        for attempt in range(1, self.conf.max_retries + 2):
            try:
                answer = goto.add_registrant(organizer, webinar_key, body)
            except Unavailable:
                if attempt > self.conf.max_retries:
                    raise
                goto.sleep(goto.backoff(attempt))
                continue
            except RateLimited:
                found = _find(goto.registrants(organizer, webinar_key), body["email"])
                if found:
                    return found
                raise
            if answer.get("registrantKey") not in (None, "") and answer.get("joinUrl"):
                return Registration(str(answer["registrantKey"]), answer["joinUrl"])
            found = _find(goto.registrants(organizer, webinar_key), body["email"])
            if found:
                return found
            raise Unavailable("GoTo Webinar answered the registration without a join link")
        raise AssertionError("unreachable")

    def attendance(self, store: TokenStore, webinar_id: str,
                   on_page: Callable[[int], None] | None = None) -> Attendance:
        """Every session the webinar ran, each session's attendees merged per person;
        absentees are the approved registrants who attended none [S9]."""
        goto = self.client(store)
        return self.organizers.call(goto, str(webinar_id), lambda organizer: _attendance(
            goto, organizer, str(webinar_id), on_page))

    # --- webhooks ------------------------------------------------------------------

    def verify_webhook(self, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        return webhooks.verify(self.conf.webhook_secret_key, headers, body)


def _attendance(goto: GoToClient, organizer: str, webinar_key: str,
                on_page: Callable[[int], None] | None) -> Attendance:
    sessions = sorted(goto.sessions(organizer, webinar_key),
                      key=lambda s: str(s.get("startTime") or ""))
    if not sessions:
        raise NotStarted(f"webinar {webinar_key} never started", "NoSessions")
    result = Attendance(instance_uuid=str(sessions[0]["sessionKey"]),
                        started_at=parse_time(sessions[0].get("startTime")),
                        joins=(), absentees=())
    came = Came()

    def page_read():
        result.pages_read += 1
        if on_page:
            on_page(result.pages_read)

    def pages():
        for session in sessions:      # a page per session
            rows = goto.attendees(organizer, webinar_key, str(session["sessionKey"]))
            page_read()
            page = [j for row in rows for j in joins(row)]
            for j in page:
                came.add(j)
            yield page

    def absentees():
        registrants = goto.registrants(organizer, webinar_key)
        page_read()
        yield from came.absentees(registrants)

    result.joins, result.absentees = pages(), absentees()
    return result


def _host(user: Mapping) -> Host:
    return Host(id=str(user["key"]), email=user.get("email") or "",
                first_name=user.get("firstName") or "", last_name=user.get("lastName") or "")


def _find(rows: list[dict], email: str) -> Registration | None:
    wanted = email.strip().lower()
    for row in rows:
        if str(row.get("email") or "").lower() == wanted and row.get("joinUrl"):
            return Registration(str(row["registrantKey"]), row["joinUrl"])
    return None


def _webinar(item: Mapping) -> Webinar:
    """Only the fields [S20] allows. A sequence or series starts at its first session
    still to come (or its last one, once all are past)."""
    now = time.time()
    times = [(parse_time(t.get("startTime")), parse_time(t.get("endTime")))
             for t in item.get("times") or []]
    times = sorted((a, b) for a, b in times if a and b)
    upcoming = [t for t in times if t[1].timestamp() >= now]
    start, end = upcoming[0] if upcoming else (times[-1] if times else (None, None))
    kind = str(item.get("recurrenceType") or LINKABLE)
    return Webinar(
        id=str(item["webinarKey"]), topic=item.get("subject") or "", start=start,
        duration=int((end - start).total_seconds() // 60) if start and end else 0,
        timezone=item.get("timeZone") or "UTC", agenda=item.get("description") or "",
        host_id=str(item.get("organizerKey") or ""), host_email=item.get("organizerEmail") or "",
        recurring=kind != LINKABLE,
        # every GoTo webinar takes registrations: that is how people get a join link
        registration_required=True,
        approval_automatic=str(item.get("approvalType") or "AUTOMATIC").upper() != "MANUAL")
