"""What each verified webhook event does. Plugins hand the portal contract events
(providers/base.py), never a provider's payload. Handlers are quick: they enqueue a job
by its dotted name; duplicates and out-of-order deliveries are harmless because the
jobs are idempotent."""
from rq import Retry

from portal.workers import queue
from providers.base import (
    DEAUTHORIZED,
    WEBINAR_DELETED,
    WEBINAR_ENDED,
    WEBINAR_UPDATED,
    WebhookEvent,
)

#: webhook-driven refreshes retry provider outages and rate limits with backoff
WEBINAR_RETRY = Retry(max=4, interval=[10, 60, 300, 900])


def webinar_updated(provider_key: str, event: WebhookEvent) -> None:
    if event.webinar_id:
        queue().enqueue("portal.linking.jobs.webinar_updated", provider_key, event.webinar_id,
                        retry=WEBINAR_RETRY)


def webinar_deleted(provider_key: str, event: WebhookEvent) -> None:
    if event.webinar_id:
        queue().enqueue("portal.linking.jobs.webinar_deleted", provider_key, event.webinar_id,
                        retry=WEBINAR_RETRY)


def deauthorized(provider_key: str, event: WebhookEvent) -> None:
    queue().enqueue("portal.services.jobs.deauthorize_account", provider_key, event.account_id)


def webinar_ended(provider_key: str, event: WebhookEvent) -> None:
    # Reports lag behind the end: the sync job retries, bounded, until it is ready.
    if event.webinar_id:
        queue().enqueue("portal.attendance.jobs.webinar_ended", provider_key, event.webinar_id,
                        event.ended_at.isoformat() if event.ended_at else "")


HANDLERS = {
    WEBINAR_UPDATED: webinar_updated,
    WEBINAR_DELETED: webinar_deleted,
    DEAUTHORIZED: deauthorized,
    WEBINAR_ENDED: webinar_ended,
}
