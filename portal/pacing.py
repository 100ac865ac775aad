"""Outgoing provider calls paced to the provider's rate limits, one budget per (provider
account, rate class) in Redis, shared by every worker and web process.

Each call reserves the next free slot of its budget in one round trip (a Lua script:
generic cell rate, no burst): slots are evenly spaced at PACING_SHARE of the limit (and
at least one call a second under it), so a wall-clock second holds fewer calls than the
limit even when one arrives late. The caller sleeps until its slot. What the provider says corrects the budget: a
429's Retry-After, or no calls remaining in the current window, holds every process back
until then. A daily cap, when the plugin declares one, is counted per UTC day.
"""
from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta, timezone
from typing import Callable, Mapping

from flask import current_app
from redis.exceptions import RedisError
from rq import get_current_job

from portal.workers import redis_conn
from providers.base import RateLimit
from providers.pacing import Deferred, RateNotice

log = logging.getLogger(__name__)

# KEYS: slot key, day key. ARGV: interval (us), max wait (us), daily cap (0: none),
# seconds to the day key's expiry. Returns {0, wait us} | {-1, wait us} | {-2, 0}.
RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local slot = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), now)
if slot - now > tonumber(ARGV[2]) then return {-1, slot - now} end
if tonumber(ARGV[3]) > 0 then
  local used = redis.call('INCR', KEYS[2])
  if used == 1 then redis.call('EXPIRE', KEYS[2], tonumber(ARGV[4])) end
  if used > tonumber(ARGV[3]) then return {-2, 0} end
end
local nxt = slot + tonumber(ARGV[1])
redis.call('SET', KEYS[1], string.format('%.0f', nxt), 'PX', math.floor((nxt - now) / 1000) + 1000)
return {0, slot - now}
"""
# KEYS: slot key. ARGV: hold until (epoch us). Nobody's slot comes before it.
HOLD = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local hold = tonumber(ARGV[1])
if hold > tonumber(redis.call('GET', KEYS[1]) or '0') and hold > now then
  redis.call('SET', KEYS[1], string.format('%.0f', hold), 'PX', math.floor((hold - now) / 1000) + 1000)
end
return 0
"""


def limits_for(plugin, config: Mapping) -> dict[str, RateLimit]:
    """The plugin's declared limits, overridden by PACING_LIMITS
    (``<provider>.<class>=<per second>[/<daily cap>]``, comma separated)."""
    limits = dict(plugin.rate_limits)
    for part in filter(None, (p.strip() for p in str(config.get("PACING_LIMITS") or "").split(","))):
        name, _, value = part.partition("=")
        key, _, rate_class = name.strip().partition(".")
        if key != plugin.key or not rate_class:
            continue
        per_second, _, daily = value.partition("/")
        limits[rate_class] = RateLimit(float(per_second), int(daily) if daily.strip() else None)
    return limits


class RedisPacer:
    """The shared budgets of one provider account (see the module's docstring)."""

    def __init__(self, redis, provider: str, account: str, limits: Mapping[str, RateLimit],
                 share: float = 0.95, max_wait: float = 60.0,
                 sleep: Callable[[float], None] = time.sleep):
        self.redis = redis
        self.prefix = f"lectern:pace:{provider}:{account}"
        self.limits = limits
        self.share = share
        self.max_wait = max_wait
        self.sleep = sleep
        self.reserve = redis.register_script(RESERVE)
        self.hold = redis.register_script(HOLD)

    def rate(self, limit: RateLimit) -> float:
        """Calls a second: a share of the limit, and at least one call under it, so
        that one call arriving late never makes a second hold more than the limit."""
        rate = limit.per_second * self.share
        return min(rate, limit.per_second - 1) if limit.per_second > 2 else rate

    def key(self, rate_class: str) -> str:
        return f"{self.prefix}:{rate_class}"

    def before(self, rate_class: str) -> None:
        limit = self.limits.get(rate_class)
        if limit is None or limit.per_second <= 0:
            return
        now = datetime.now(timezone.utc)
        midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), timezone.utc)
        try:
            code, wait = self.reserve(
                keys=[self.key(rate_class), f"{self.key(rate_class)}:day:{now:%Y-%m-%d}"],
                args=[int(1e6 / self.rate(limit)), int(self.max_wait * 1e6),
                      limit.daily or 0, int((midnight - now).total_seconds()) + 3600])
        except RedisError as error:
            # Redis down: calls go out unpaced (the provider's 429 answers still slow them).
            log.warning("pacing skipped (%s): %s", type(error).__name__, error)
            return
        if code == -2:
            raise Deferred(f"the daily limit of {limit.daily} calls ({rate_class}) is used up; "
                           f"resuming at {midnight:%Y-%m-%d %H:%M} UTC",
                           retry_after=(midnight - now).total_seconds(), daily=True, resume_at=midnight)
        if code == -1:
            raise Deferred(f"the provider's {rate_class} rate limit is fully booked for the next "
                           f"{wait / 1e6:.0f} seconds", retry_after=wait / 1e6)
        if wait > 0:
            self.sleep(wait / 1e6)

    def after(self, notice: RateNotice) -> None:
        until = notice.retry_at
        if until is None and notice.remaining is not None and notice.remaining <= 0:
            until = notice.reset_at
        if until is None or notice.rate_class not in self.limits:
            return
        try:
            self.hold(keys=[self.key(notice.rate_class)], args=[int(until * 1e6)])
        except RedisError:
            pass


def pacer_for(service, plugin, wait: float | None = None) -> RedisPacer | None:
    """The pacer of a service's provider account, or None when pacing is off or the
    plugin declares no limits. A job may wait longer for a slot than anything else (a
    web request) does."""
    config = current_app.config
    if not config.get("PACING", True) or not plugin.rate_limits:
        return None
    account = service.account_id or f"service-{service.id}"
    if wait is None:
        wait = config.get("PACING_MAX_WAIT" if get_current_job() is not None else "PACING_WEB_MAX_WAIT", 60.0)
    return RedisPacer(redis_conn(), plugin.key, account, limits_for(plugin, config),
                      share=float(config.get("PACING_SHARE", 0.95)), max_wait=float(wait))
