"""What each verified webhook event does. Handlers are quick: they look the
event up and enqueue a job; duplicates and out-of-order deliveries are harmless
because the jobs are idempotent."""
from providers.base import WebhookEvent

Handler = "callable(provider_key: str, event: WebhookEvent) -> None"

HANDLERS: dict[str, Handler] = {}


def handles(*events):
    def decorate(fn):
        for name in events:
            HANDLERS[name] = fn
        return fn
    return decorate


def _enqueue(func, provider_key: str, event: WebhookEvent) -> None:
    from portal import jobs

    if event.webinar_id:
        jobs.queue().enqueue(func, provider_key, event.webinar_id, retry=jobs.WEBINAR_RETRY)


@handles("webinar.updated")
def webinar_updated(provider_key: str, event: WebhookEvent) -> None:
    from portal import jobs

    _enqueue(jobs.webinar_updated, provider_key, event)


@handles("webinar.deleted")
def webinar_deleted(provider_key: str, event: WebhookEvent) -> None:
    from portal import jobs

    _enqueue(jobs.webinar_deleted, provider_key, event)


@handles("app.deauthorized")
def app_deauthorized(provider_key: str, event: WebhookEvent) -> None:
    from portal import jobs
    jobs.queue().enqueue(jobs.deauthorize_account, provider_key, event.account_id)


@handles("webinar.ended")
def webinar_ended(provider_key: str, event: WebhookEvent) -> None:
    # Reports lag behind the end: the sync job retries, bounded, until it is ready.
    from portal import jobs
    jobs.queue().enqueue(jobs.webinar_ended, provider_key, event.webinar_id,
                         str(event.object.get("end_time") or ""))
