"""The webinar picker of Event Settings [S4] [S12] [S15]: upcoming webinars of every
host a service may show, merged and sorted by start. Listings are cheap (one call a
page); whether registration is required needs each webinar's details, so those are
read while the listings run (another rate class: neither waits for the other), kept in
Redis, and warmed for the rest by a job. Threads never touch the database session; the
provider is reached only through the services' gateway."""
from __future__ import annotations

import dataclasses
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone

from flask import current_app
from flask_babel import gettext as _

from portal.extensions import db
from portal.models import Binding, Program, Service
from portal.services.gateway import Gateway
from portal.workers import queue, redis_conn
from providers.base import ProviderError, Webinar
from providers.pacing import Deferred

#: how long one host's upcoming webinars are kept in Redis for the picker
PICKER_CACHE_SECONDS = 60
#: parallel provider calls when listing many hosts' webinars (and as many reading details)
PICKER_THREADS = 10
#: webinars whose details are read while the picker loads (the soonest of each listing first)
INLINE_DETAILS = 40
#: how long a webinar's "registration required" answer is kept
DETAILS_CACHE_SECONDS = 600
#: seconds from the picker's start within which a details read may take its slot of the
#: provider's rate budget: about what 20 hosts' listings take (a provider may allow 20 such
#: calls a second), so the reads add little to the page; the reads it could not fit go to the job
DETAILS_SECONDS = 1.0

WARM_JOB = "portal.linking.jobs.warm_webinar_details"
#: where webinars without a start sort: last
FAR = datetime.max.replace(tzinfo=timezone.utc)


@dataclass
class PickerItem:
    webinar: Webinar
    host_email: str
    bound_program_id: int | None = None
    bound_program_name: str = ""

    @property
    def disabled_reason(self) -> str:
        if self.webinar.recurring:
            return _("Recurring webinar: not supported, only single-occurrence webinars can be linked.")
        if self.bound_program_id:
            return _("Already linked to another program.")
        return ""


@dataclass
class Picker:
    items: list[PickerItem] = field(default_factory=list)
    #: plain-words failures, one per host whose webinars could not be listed
    errors: list[str] = field(default_factory=list)
    hosts: int = 0


def _webinar_to_json(webinar: Webinar) -> dict:
    data = asdict(webinar)
    data["start"] = webinar.start.isoformat() if webinar.start else None
    data["unanswerable_questions"] = list(webinar.unanswerable_questions)
    return data


def _webinar_from_json(data: dict) -> Webinar:
    data = dict(data)
    data["start"] = datetime.fromisoformat(data["start"]) if data.get("start") else None
    data["unanswerable_questions"] = tuple(data.get("unanswerable_questions") or ())
    return Webinar(**data)


def service_hosts(service: Service) -> list[tuple[str, str]]:
    """(host id, email) of the connecting user, then each authorized host [S12]."""
    hosts = [(service.connected_user_id, service.connected_email)]
    hosts += [(h.host_id, h.email) for h in service.hosts if h.host_id != service.connected_user_id]
    return [h for h in hosts if h[0]]


def _cache_key(service_id: int, host_id: str) -> str:
    return f"lectern:picker:{service_id}:{host_id}"


def upcoming_webinars(service: Service, refresh: bool = False) -> Picker:
    """Upcoming webinars of every host visible through the service, merged and
    sorted by start; each host's list is fetched in its own thread and kept in
    Redis briefly, so 20 hosts of 100+ webinars each stay quick."""
    redis = redis_conn()
    hosts = service_hosts(service)
    picker = Picker(hosts=len(hosts))
    app = current_app._get_current_object()
    # Loaded here: the threads read only these loaded attributes and never touch
    # the session (it is not thread-safe); the gateway uses its own connections.
    service_id, service_name = service.id, service.name
    gateway = Gateway(service)
    details = _Details(service, redis, app)

    def fetch(host):
        host_id, email = host
        key = _cache_key(service_id, host_id)
        cached = None if refresh else redis.get(key)
        if cached is not None:
            webinars = [_webinar_from_json(d) for d in json.loads(cached)]
            details.add(webinars)
            return host, webinars, None
        with app.app_context():
            try:
                webinars = gateway.upcoming_webinars(host_id)
            except ProviderError as error:
                return host, [], error
        redis.set(key, json.dumps([_webinar_to_json(w) for w in webinars]), ex=PICKER_CACHE_SECONDS)
        details.add(webinars)
        return host, webinars, None

    with ThreadPoolExecutor(max_workers=min(PICKER_THREADS, max(1, len(hosts)))) as pool:
        results = list(pool.map(fetch, hosts))

    seen = set()
    for (host_id, email), webinars, error in results:
        if error is not None:
            who = email or host_id
            picker.errors.append(_("The webinars of %(who)s could not be listed through “%(service)s”: "
                                   "%(error)s",
                                   who=who, service=service_name, error=error.message))
            continue
        for webinar in webinars:
            if webinar.id in seen:
                continue
            seen.add(webinar.id)
            picker.items.append(PickerItem(webinar, webinar.host_email or email))
    bound = dict(db.session.execute(
        db.select(Binding.webinar_id, Program).join(Program, Binding.program_id == Program.id)
        .where(Binding.provider == service.provider, Binding.webinar_id.in_(seen))).all()) if seen else {}
    for item in picker.items:
        program = bound.get(item.webinar.id)
        if program is not None:
            item.bound_program_id, item.bound_program_name = program.id, program.name
    picker.items.sort(key=lambda i: (i.webinar.start or FAR, i.webinar.topic.lower(), i.webinar.id))
    answers = details.finish()
    for item in picker.items:
        if item.webinar.id in answers:
            item.webinar = dataclasses.replace(item.webinar, registration_required=answers[item.webinar.id])
    return picker


def _details_key(provider: str, webinar_id: str) -> str:
    return f"lectern:webinar-registration:{provider}:{webinar_id}"


class _Details:
    """Whether registration is required where a listing did not say [S13]: from Redis,
    else read as each host's listing arrives (the soonest of it first), in threads of
    its own, as many as the provider's rate budget fits within DETAILS_SECONDS of the
    start; a job warms the cache for the rest."""

    def __init__(self, service: Service, redis, app):
        self.service_id, self.provider = service.id, service.provider
        self.redis, self.app = redis, app
        self.gateway = Gateway(service, pace_until=time.monotonic() + DETAILS_SECONDS)
        self.pool = ThreadPoolExecutor(max_workers=PICKER_THREADS)
        self.lock = threading.Lock()
        self.asked: set[str] = set()
        self.reads = []
        self.answers: dict[str, bool] = {}
        self.later: list[str] = []

    def add(self, webinars: list[Webinar]) -> None:
        """From a listing's thread."""
        with self.lock:
            unknown = [w for w in webinars if w.registration_required is None and not w.recurring
                       and w.id not in self.asked]
            self.asked.update(w.id for w in unknown)
        if not unknown:
            return
        unknown.sort(key=lambda w: w.start or FAR)
        known = self.redis.mget([_details_key(self.provider, w.id) for w in unknown])
        with self.lock:
            for webinar, value in zip(unknown, known, strict=True):
                if value is not None:
                    self.answers[webinar.id] = value == b"1"
                elif len(self.reads) < INLINE_DETAILS:
                    self.reads.append(self.pool.submit(self._read, webinar.id))
                else:
                    self.later.append(webinar.id)

    def _read(self, webinar_id: str):
        with self.app.app_context():
            try:
                return webinar_id, self.gateway.webinar(webinar_id).registration_required
            except Deferred:
                return webinar_id, Deferred  # the provider's rate budget is spent for now: the job reads it
            except ProviderError:
                return webinar_id, None      # in the error log; the health check says more on choosing

    def finish(self) -> dict[str, bool]:
        """Once every listing is in: the answers (webinar id -> required)."""
        self.pool.shutdown(wait=True)
        for read in self.reads:
            webinar_id, required = read.result()
            if required is Deferred:
                self.later.append(webinar_id)
            elif required is not None:
                remember_registration(self.provider, webinar_id, required)
                self.answers[webinar_id] = required
        if self.later:
            queue().enqueue(WARM_JOB, self.service_id, self.later)
        return self.answers


def remember_registration(provider: str, webinar_id: str, required: bool) -> None:
    redis_conn().set(_details_key(provider, webinar_id), b"1" if required else b"0",
                     ex=DETAILS_CACHE_SECONDS)


def forget_picker(service: Service) -> None:
    keys = [_cache_key(service.id, host_id) for host_id, _email in service_hosts(service)]
    if keys:
        redis_conn().delete(*keys)


