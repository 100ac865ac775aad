"""The Zoom provider plugin: ``ZoomEvent`` implements the PartnerEvent contract.

OAuth (consent, code exchange, refresh, revoke) comes from ``providers.oauth``, the HTTP
loop from ``providers.http``; Zoom adds its Server-to-Server (account credentials) tokens
and its error words. Files: ``settings`` (declared config keys), ``client`` (paging, rate
classes and headers, the calls), ``errors`` (Zoom codes -> typed errors), ``attendance``
(merging report rows), ``webhooks`` (signatures, Zoom events -> contract events),
``sandbox/`` (a Zoom-compatible dev server).
"""
from __future__ import annotations

from typing import Callable, Iterator, Mapping

from providers.base import (
    DEAUTHORIZED,
    REGISTRANT_JOINED,
    WEBINAR_DELETED,
    WEBINAR_ENDED,
    WEBINAR_UPDATED,
    Absentee,
    Attendance,
    Capabilities,
    Host,
    Identity,
    NoPermission,
    NotFound,
    NotStarted,
    RateLimit,
    RateLimited,
    Refused,
    Registrant,
    Registration,
    TokenStore,
    Unavailable,
    WebhookEvent,
    Webinar,
)
from providers.http import ApiProvider
from providers.pacing import Deferred
from providers.texts import N_
from providers.zoom import webhooks
from providers.zoom.attendance import absentee, join, parse_time
from providers.zoom.client import ZoomClient
from providers.zoom.errors import token_error_for
from providers.zoom.settings import SETTINGS, ZoomSettings

#: [S3] role privileges, as Zoom spells them in GET /users/{id}/permissions (see
#: Zoom's "Privileges and Role Management" reference): plain name -> permission string.
REQUIRED_PRIVILEGES = {
    "edit Users": "User:Edit",
    "view Usage Reports": "UsageReport:Read",
    "edit Integration": "Integration:Edit",
}
#: Zoom's built-in roles: role_id "0" Owner, "1" Admin, "2" Member. The user ``type``
#: is the plan (1 basic, 2 licensed, ...), not a role, so it never makes an admin.
ADMIN_ROLES = {"owner", "admin"}
ADMIN_ROLE_IDS = {"0", "1"}
RECURRING_TYPES = {6, 9}
NO_REGISTRATION = 2          # settings.approval_type
#: standard registration fields our form answers [S16]/[S18]
ANSWERABLE_FIELDS = {"first_name", "last_name", "email", "org", "phone"}


class ZoomEvent(ApiProvider):
    key = "zoom"
    label = "Zoom"
    settings = SETTINGS
    capabilities = Capabilities(
        server_to_server=True, announces_end=True,
        webhook_events=frozenset({WEBINAR_ENDED, WEBINAR_UPDATED, WEBINAR_DELETED,
                                  DEAUTHORIZED, REGISTRANT_JOINED}))
    #: Zoom's rate limit classes, on the Pro plan (the smallest with webinars)
    rate_limits = {"light": RateLimit(30), "medium": RateLimit(20), "heavy": RateLimit(10)}
    rate_classes = {"register": "light", "webinar": "light", "whoami": "light",
                    "find_host": "light", "upcoming_webinars": "medium", "attendance": "heavy"}
    #: the client paces each HTTP request in its own class (client.rate_class)
    paces_requests = True
    texts = {
        "login": N_("Log into Zoom"),
        "account": N_("Zoom account"),
        "require_registration": N_("edit the webinar, tick Registration: Required, and save."),
        "approve_automatically": N_("open the webinar's Registration settings and choose "
                                    "Automatically approve."),
        "optional_questions": N_("open the webinar's Registration settings, Questions tab, and "
                                 "untick Required for them."),
        "schedule": N_("schedule it for a date in the future."),
        "own_page": N_("people who register on Zoom's own page are not synced."),
        "who_may_connect": N_("The Zoom user must be an admin, or hold the privileges to edit users, "
                              "view usage reports and edit integrations, on a Zoom account with Webinars."),
        "webinars_missing": N_("webinars are not enabled for this Zoom user: in Zoom, an account admin must "
                               "assign them a Webinars license (User Management > Users > Edit), or "
                               "connect as a user who has one."),
        "consent_denied": N_("if you did not click Deny yourself, the Zoom account's admin may need to "
                             "pre-approve Lectern in the Zoom App Marketplace (Manage > Pre-approve) "
                             "before other users can authorize it."),
        "admin_lost": N_("the connecting Zoom user is no longer an admin (their role was changed in "
                         "Zoom's User Management > Roles)."),
    }

    client_class, settings_class = ZoomClient, ZoomSettings

    # --- connecting: what Zoom adds to the OAuth2 base ---------------------------------

    token_error = staticmethod(token_error_for)

    def server_token(self) -> dict:
        """A Server-to-Server OAuth token (grant ``account_credentials``): no refresh
        token, renewed by asking again."""
        s = self.conf
        if not (s.s2s_client_id and s.s2s_client_secret and s.s2s_account_id):
            raise NoPermission("no Zoom Server-to-Server app is configured "
                               "(ZOOM_S2S_CLIENT_ID, ZOOM_S2S_CLIENT_SECRET, ZOOM_S2S_ACCOUNT_ID)")
        # Zoom documents grant_type and account_id as query parameters; Authlib sends
        # them in the form body, which Zoom's token endpoint also accepts.
        with self.oauth_session(s.s2s_client_id, s.s2s_client_secret) as session:
            return self.token_call(lambda: session.fetch_token(
                self.endpoint(self.token_path), grant_type="account_credentials",
                account_id=s.s2s_account_id, timeout=s.timeout), "s2s")

    def renew(self, token: dict) -> dict:
        if token.get("kind") == "s2s":
            return self.server_token()
        return self.refresh(token)

    # an s2s token is never revoked (Zoom has no revocation for it; it expires within
    # the hour): the base's revoke_request skips every kind but "oauth"

    # --- one account ---------------------------------------------------------------

    def whoami(self, store: TokenStore) -> Identity:
        zoom = self.client(store)
        me = zoom.get_me()
        role = str(me.get("role_name") or "").strip().lower()
        is_admin = role in ADMIN_ROLES or str(me.get("role_id", "")) in ADMIN_ROLE_IDS
        missing: tuple[str, ...] = ()
        if not is_admin:
            held = set(zoom.get_permissions(str(me["id"])))
            missing = tuple(name for name, perm in REQUIRED_PRIVILEGES.items()
                            if perm not in held)
        feature = zoom.get_settings(str(me["id"])).get("feature") or {}
        return Identity(account_id=str(me.get("account_id") or ""), user_id=str(me["id"]),
                        email=me.get("email") or "", first_name=me.get("first_name") or "",
                        last_name=me.get("last_name") or "", is_admin=is_admin,
                        missing_privileges=missing, webinars_enabled=bool(feature.get("webinar")))

    def find_host(self, store: TokenStore, email: str) -> Host | None:
        try:
            user = self.client(store).get_user(email.strip())
        except NotFound:
            return None
        return Host(id=str(user["id"]), email=user.get("email") or email,
                    first_name=user.get("first_name") or "", last_name=user.get("last_name") or "")

    def upcoming_webinars(self, store: TokenStore, host_id: str) -> list[Webinar]:
        """Every page of the host's upcoming webinars, from the listing alone (one call
        a page). List items carry no settings, so ``registration_required`` is None
        (unknown) here: ``webinar()`` reads it. Reading every webinar in full would cost
        one call each, 2,000 for 20 hosts of 100 webinars, against Zoom's rate limits."""
        return [_webinar(item) for item in self.client(store).list_webinars(host_id, "upcoming")]

    def webinar(self, store: TokenStore, webinar_id: str) -> Webinar:
        zoom = self.client(store)
        details = zoom.get_webinar(webinar_id)
        questions: tuple[str, ...] = ()
        if _registration_required(details):
            questions = _unanswerable(zoom.registration_questions(webinar_id))
        return _webinar(details, questions)

    def register(self, store: TokenStore, webinar_id: str, registrant: Registrant) -> Registration:
        """Idempotent on email. Zoom answers a repeated email with the existing
        registration, but caps adds of the same person at 3 a day, and a POST whose
        answer was lost may have registered them. So after a lost answer, or when Zoom
        refuses for a daily cap, the registrants are looked up by email, one page at a
        time and stopping at the match, at most once per call [S20]: Zoom's list has no
        email filter, and reading it again on every retry would load Zoom while it is
        failing. A per-second limit is never answered with a lookup. (No lookup before
        the first POST: scanning 10,000 registrants for every new person would cost ~34
        calls per registration.)"""
        zoom = self.client(store)
        body = {"email": registrant.email.strip(), "first_name": registrant.first_name,
                "last_name": registrant.last_name}
        if registrant.company:
            body["org"] = registrant.company
        if registrant.phone:
            body["phone"] = registrant.phone
        looked_up = False

        def look_up() -> Registration | None:
            nonlocal looked_up
            if looked_up:
                return None
            looked_up = True
            return self._find_registration(zoom, webinar_id, registrant.email)

        for attempt in range(1, self.conf.max_retries + 2):
            try:
                answer = zoom.add_registrant(webinar_id, body)
                return Registration(registrant_id=str(answer["registrant_id"]),
                                    join_url=answer.get("join_url") or "")
            except Unavailable:
                found = look_up()
                if found:
                    return found
                if attempt > self.conf.max_retries:
                    raise
                zoom.sleep(zoom.backoff(attempt))
            except Deferred:
                raise                # the portal's budget said wait: nothing was sent
            except RateLimited as exc:
                found = look_up() if exc.daily else None
                if found:
                    return found
                raise exc
        raise AssertionError("unreachable")

    @staticmethod
    def _find_registration(zoom: ZoomClient, webinar_id: str, email: str) -> Registration | None:
        wanted = email.strip().lower()
        for status in ("approved", "pending"):
            for page in zoom.list_registrants(webinar_id, status):
                for row in page:
                    if str(row.get("email") or "").lower() == wanted:
                        return Registration(registrant_id=str(row["id"]),
                                            join_url=row.get("join_url") or "")
        return None

    def attendance(self, store: TokenStore, webinar_id: str,
                   on_page: Callable[[int], None] | None = None) -> Attendance:
        """The latest instance that really ran [S8]: its report's joins streamed page by
        page (the first page is read now, so a missing report raises here; the rest while
        the caller iterates), then its absentees, read once the joins have been."""
        zoom = self.client(store)
        instances = [i for i in zoom.past_instances(webinar_id) if i.get("uuid")]
        if not instances:
            raise NotStarted(f"webinar {webinar_id} never started", 3001)
        # the latest start wins; on a tie, the one Zoom lists last
        epoch = parse_time("1970-01-01T00:00:00Z")
        _, _, latest = max((parse_time(i.get("start_time")) or epoch, n, i)
                           for n, i in enumerate(instances))
        uuid = str(latest["uuid"])
        result = Attendance(instance_uuid=uuid, started_at=parse_time(latest.get("start_time")),
                            joins=(), absentees=())

        def page_read():
            result.pages_read += 1
            if on_page:
                on_page(result.pages_read)

        pages = zoom.report_participants(uuid, webinar_id)
        first = next(pages, [])

        def joins(page):
            page_read()
            yield [join(row) for row in page]
            del page                       # one page held at a time
            for page in pages:
                page_read()
                yield [join(row) for row in page]

        result.joins = joins(first)
        del first
        result.absentees = _absentees(zoom.absentees(uuid, webinar_id), page_read)
        return result

    # --- webhooks ------------------------------------------------------------------

    def verify_webhook(self, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        return webhooks.verify(self.conf.webhook_secret, headers, body)


def _absentees(pages: Iterator[list[dict]], page_read: Callable[[], None]) -> Iterator[Absentee]:
    """Read when iterated, after the joins: no registration on the webinar (3000) means
    nobody can be absent."""
    try:
        first = next(pages)
    except StopIteration:
        return
    except Refused as exc:
        if exc.code == 3000:
            return
        raise
    page_read()
    yield from (absentee(row) for row in first)
    for page in pages:
        page_read()
        yield from (absentee(row) for row in page)


def _registration_required(details: Mapping) -> bool:
    settings = details.get("settings") or {}
    return int(settings.get("approval_type", NO_REGISTRATION)) != NO_REGISTRATION


def _unanswerable(questions: Mapping) -> tuple[str, ...]:
    names = [q.get("field_name", "") for q in questions.get("questions") or []
             if q.get("required") and q.get("field_name") not in ANSWERABLE_FIELDS]
    names += [q.get("title", "") for q in questions.get("custom_questions") or []
              if q.get("required")]
    return tuple(n for n in names if n)


def _webinar(item: Mapping, questions: tuple[str, ...] = ()) -> Webinar:
    """Only the fields [S20] allows."""
    settings = item.get("settings") or {}
    kind = int(item.get("type") or 5)
    return Webinar(
        id=str(item["id"]), topic=item.get("topic") or "", start=parse_time(item.get("start_time")),
        duration=int(item.get("duration") or 0), timezone=item.get("timezone") or "UTC",
        agenda=item.get("agenda") or "", host_id=str(item.get("host_id") or ""),
        host_email=item.get("host_email") or "", uuid=str(item.get("uuid") or ""),
        recurring=kind in RECURRING_TYPES,
        registration_required=_registration_required(item) if settings else None,
        approval_automatic=int(settings.get("approval_type", 0)) == 0,
        unanswerable_questions=questions)
