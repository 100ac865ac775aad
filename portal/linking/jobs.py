"""Jobs of the linking feature (entry points: enqueued by dotted name, never imported)."""
from __future__ import annotations

from portal.attendance.pulls import schedule_attendance_pulls
from portal.extensions import db
from portal.linking import binding as linking
from portal.linking import picker
from portal.models import Program, Service, Task
from portal.models.activity import DONE, FAILED, RUNNING
from portal.models.types import utcnow
from portal.services.gateway import Gateway
from providers.base import ProviderError, RateLimited


def refresh_webinar(task_id: str, program_id: int):
    """*Refresh details*: re-read the program's webinar into its snapshot."""
    task = db.session.get(Task, task_id)
    task.state = RUNNING
    db.session.commit()
    program = db.session.get(Program, program_id)
    binding_id = program.binding.id if program and program.binding else None
    try:
        binding = linking.refresh_binding(binding_id) if binding_id else None
    except Exception as exc:
        db.session.rollback()
        task = db.session.get(Task, task_id)
        task.state, task.message = FAILED, getattr(exc, "message", str(exc))
        task.finished_at = utcnow()
        db.session.commit()
        raise
    task = db.session.get(Task, task_id)
    task.state, task.done, task.total = DONE, 1, 1
    if binding is None:
        task.message = linking.NO_LONGER_LINKED
    elif binding.deleted_at:
        task.message = linking.WEBINAR_GONE(webinar=binding.webinar_id)
    else:
        task.message = linking.REREAD(topic=binding.topic)
    task.finished_at = utcnow()
    db.session.commit()


def warm_webinar_details(service_id: int, webinar_ids: list[str]) -> int:
    """Read, for the picker, whether registration is required on webinars the picker
    did not read itself; returns how many it learned."""
    service = db.session.get(Service, service_id)
    learned = 0
    for webinar_id in webinar_ids:
        if service is None or not service.usable:
            break
        try:
            webinar = Gateway(service).webinar(webinar_id)
        except RateLimited:
            break               # the next picker load asks again
        except ProviderError:
            continue
        picker.remember_registration(service.provider, webinar_id, webinar.registration_required)
        learned += 1
    return learned


def webinar_updated(provider_key: str, webinar_id: str):
    """A ``webinar.updated`` webhook: re-read the webinar rather than trust the
    event's partial fields, so duplicates and late deliveries change nothing."""
    binding = linking.find_binding(provider_key, webinar_id)
    if binding is not None:
        linking.refresh_binding(binding.id)
        schedule_attendance_pulls(binding.program_id)  # the end may have moved


def webinar_deleted(provider_key: str, webinar_id: str):
    binding = linking.find_binding(provider_key, webinar_id)
    if binding is not None:
        linking.mark_deleted(binding)
