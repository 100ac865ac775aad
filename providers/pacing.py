"""Pacing calls to a provider's rate limits: the portal owns the shared budget (a
``Pacer``, set around each contract call); a plugin whose ``paces_requests`` is True asks
it before every HTTP request and reports what the provider's headers said."""
from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Protocol

from providers.base import RateLimited


class Deferred(RateLimited):
    """The portal's own budget for the provider is spent for now: no call went out."""


@dataclass(frozen=True)
class RateNotice:
    """What one answer's headers say about a rate class's budget. ``reset_at`` and
    ``retry_at`` are epoch seconds; None when the answer did not say."""
    rate_class: str
    remaining: int | None = None
    reset_at: float | None = None
    retry_at: float | None = None


class Pacer(Protocol):
    def before(self, rate_class: str) -> None:
        """Block until a call of this class fits the shared budget (or raise RateLimited)."""

    def after(self, notice: RateNotice) -> None:
        """The provider's own word on the budget (headers of an answer or a 429)."""


#: set by the caller (the portal's gateway) around one contract call
PACER: ContextVar[Pacer | None] = ContextVar("lectern_pacer", default=None)


def pace(rate_class: str) -> None:
    """A plugin that ``paces_requests`` calls this before every HTTP request."""
    pacer = PACER.get()
    if pacer is not None and rate_class:
        pacer.before(rate_class)


def observe(notice: RateNotice) -> None:
    """A plugin that ``paces_requests`` hands every answer's rate headers here."""
    pacer = PACER.get()
    if pacer is not None:
        pacer.after(notice)
