"""The webinar picker of Event Settings [S4] [S12] [S15]: upcoming webinars of every
host a service may show, merged and sorted by start. Listings are cheap (one call a
page); whether registration is required needs each webinar's details, so those are
read for the soonest webinars at once, kept in Redis, and warmed for the rest by a job.
Threads never touch the database session; the provider is reached only through the
services' gateway."""
from __future__ import annotations

import dataclasses
import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _

from portal.extensions import db
from portal.models import Binding, Program, Service
from portal.models.types import utcnow
from portal.services.gateway import Gateway
from portal.workers import queue, redis_conn
from providers.base import ProviderError, Webinar
from providers.pacing import Deferred

#: how long one host's upcoming webinars are kept in Redis for the picker
PICKER_CACHE_SECONDS = 60
#: parallel provider calls when listing many hosts' webinars
PICKER_THREADS = 10
#: webinars whose details are read while the picker loads (the soonest first)
INLINE_DETAILS = 40
#: how long a webinar's "registration required" answer is kept
DETAILS_CACHE_SECONDS = 600
#: seconds the picker spends reading details within the provider's rate budget (the
#: listings alone take a second at 20 hosts: a provider may allow 20 such calls a second); the
#: reads it could not fit go to the job
DETAILS_SECONDS = 0.3

WARM_JOB = "portal.linking.jobs.warm_webinar_details"


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

    def fetch(host):
        host_id, email = host
        key = _cache_key(service_id, host_id)
        cached = None if refresh else redis.get(key)
        if cached is not None:
            return host, [_webinar_from_json(d) for d in json.loads(cached)], None
        with app.app_context():
            try:
                webinars = gateway.upcoming_webinars(host_id)
            except ProviderError as error:
                return host, [], error
        redis.set(key, json.dumps([_webinar_to_json(w) for w in webinars]), ex=PICKER_CACHE_SECONDS)
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
    far = datetime.max.replace(tzinfo=utcnow().tzinfo)
    picker.items.sort(key=lambda i: (i.webinar.start or far, i.webinar.topic.lower(), i.webinar.id))
    _fill_registration(service, picker.items, redis, app)
    return picker


def _details_key(provider: str, webinar_id: str) -> str:
    return f"lectern:webinar-registration:{provider}:{webinar_id}"


def _fill_registration(service: Service, items: list[PickerItem], redis, app) -> None:
    """Say whether registration is required where the listing did not [S13]: from
    Redis, else read now for the soonest webinars; a job warms the cache for the rest."""
    unknown = [i for i in items if i.webinar.registration_required is None and not i.webinar.recurring]
    if not unknown:
        return
    known = redis.mget([_details_key(service.provider, i.webinar.id) for i in unknown])
    missing = []
    for item, value in zip(unknown, known, strict=True):
        if value is None:
            missing.append(item)
        else:
            item.webinar = dataclasses.replace(item.webinar, registration_required=value == b"1")

    gateway = Gateway(service, pace_until=time.monotonic() + DETAILS_SECONDS)
    later = missing[INLINE_DETAILS:]

    def read(item):
        with app.app_context():
            try:
                return item, gateway.webinar(item.webinar.id).registration_required
            except Deferred:
                return item, Deferred   # the provider's rate budget is spent for now: the job reads it
            except ProviderError:
                return item, None       # in the error log; the health check says more on choosing

    with ThreadPoolExecutor(max_workers=PICKER_THREADS) as pool:
        for item, required in pool.map(read, missing[:INLINE_DETAILS]):
            if required is Deferred:
                later.append(item)
            elif required is not None:
                remember_registration(service.provider, item.webinar.id, required)
                item.webinar = dataclasses.replace(item.webinar, registration_required=required)
    if later:
        queue().enqueue(WARM_JOB, service.id, [i.webinar.id for i in later])


def remember_registration(provider: str, webinar_id: str, required: bool) -> None:
    redis_conn().set(_details_key(provider, webinar_id), b"1" if required else b"0",
                     ex=DETAILS_CACHE_SECONDS)


def forget_picker(service: Service) -> None:
    keys = [_cache_key(service.id, host_id) for host_id, _email in service_hosts(service)]
    if keys:
        redis_conn().delete(*keys)


