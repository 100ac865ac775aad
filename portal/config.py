"""Configuration from environment variables, with safe development defaults. Each
provider plugin declares its own settings (providers/<key>/), which the factory loads
from the environment by their names."""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

# The development default of SECRET_KEY; production refuses to start with it.
DEV_SECRET_KEY = "dev-only-secret-change-me"


class InsecureSettings(RuntimeError):
    """Production settings that would let anyone forge sessions, tokens or webhooks."""


def _floats(name, default):
    value = os.environ.get(name)
    return [float(v) for v in value.split(",") if v.strip()] if value else default


def _bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    # Fernet key (urlsafe base64, 32 bytes) for provider tokens at rest; derived
    # from SECRET_KEY when unset so development works out of the box.
    TOKEN_ENCRYPTION_KEY = os.environ.get("TOKEN_ENCRYPTION_KEY", "")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'lectern.db'}")
    REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    RQ_QUEUE = os.environ.get("RQ_QUEUE", "lectern")
    PORTAL_URL = os.environ.get("PORTAL_URL", "http://127.0.0.1:5000")

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Lectern <no-reply@lectern.local>")

    # Bodies larger than these are refused (413) from their Content-Length, before they
    # are read: the largest form (an email body) is far below 1 MiB, a provider's webhook
    # below 64 KiB.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(1024 * 1024)))
    WEBHOOK_MAX_CONTENT_LENGTH = int(os.environ.get("WEBHOOK_MAX_CONTENT_LENGTH", str(64 * 1024)))

    # How many reverse proxies (each adding X-Forwarded-For/-Proto/-Host) stand in front
    # of the portal. 0: those headers are ignored, the client is the TCP peer. Set it
    # behind a proxy, or every visitor shares one rate-limit bucket.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    # Sign-in: every POST per address; failed attempts per account, whatever the address.
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
    LOGIN_ACCOUNT_RATE_LIMIT = os.environ.get("LOGIN_ACCOUNT_RATE_LIMIT", "20 per 15 minutes")
    # Landing forms: per page and address.
    LANDING_RATE_LIMIT = os.environ.get("LANDING_RATE_LIMIT", "20 per minute")
    # Redis down must not close the landing pages or the sign-in page: limits are then
    # counted in each web process's memory until Redis answers again.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    MEMBERS_PER_PAGE = 50
    # Registration with the provider: transient failures retry with exponential backoff
    # (seconds) for up to the window; a duplicate submission resends the join link at most
    # once per REGISTRATION_RESEND_INTERVAL.
    REGISTRATION_RETRY_BASE = float(os.environ.get("REGISTRATION_RETRY_BASE", "30"))
    REGISTRATION_RETRY_MAX = float(os.environ.get("REGISTRATION_RETRY_MAX", "3600"))
    REGISTRATION_RETRY_WINDOW = float(os.environ.get("REGISTRATION_RETRY_WINDOW", str(24 * 3600)))
    REGISTRATION_RESEND_INTERVAL = float(os.environ.get("REGISTRATION_RESEND_INTERVAL", "600"))
    # A registration job that crashed is retried by RQ after these seconds (provider
    # failures are rescheduled by the job itself, with the backoff above).
    REGISTRATION_JOB_RETRY_INTERVALS = _floats("REGISTRATION_JOB_RETRY_INTERVALS", [30, 120])
    # Longest run of one registration job (the provider call with its inline retries).
    REGISTRATION_JOB_TIMEOUT = int(os.environ.get("REGISTRATION_JOB_TIMEOUT", "180"))
    # Workers: every WORKER_MAINTENANCE_INTERVAL seconds one of them cleans RQ's registries
    # (a job whose worker died is "abandoned" WORKER_ABANDON_GRACE seconds after its timeout,
    # then retried) and sweeps registrations whose job was lost: the member is pending, due
    # more than REGISTRATION_SWEEP_GRACE seconds ago, and no live RQ job carries it (Redis
    # lost its data, an enqueue failed while Redis was down, a retry was never scheduled).
    WORKER_MAINTENANCE_INTERVAL = float(os.environ.get("WORKER_MAINTENANCE_INTERVAL", "60"))
    WORKER_ABANDON_GRACE = int(os.environ.get("WORKER_ABANDON_GRACE", "60"))
    REGISTRATION_SWEEP_GRACE = float(os.environ.get("REGISTRATION_SWEEP_GRACE", "120"))
    # Seconds between the attempts of an email whose SMTP delivery failed.
    MAIL_RETRY_INTERVALS = [60, 300, 1800]
    # Every attempt of one email, RQ's retries and the sweep's together (unset: one more
    # than the retry intervals).
    MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", "0")) or None

    # Attendance: the fallback pull runs at the scheduled end + grace, the final pass a
    # day after the end; a report not ready yet is retried a bounded number of times.
    ATTENDANCE_GRACE_MINUTES = float(os.environ.get("ATTENDANCE_GRACE_MINUTES", "30"))
    ATTENDANCE_FINAL_PASS_HOURS = float(os.environ.get("ATTENDANCE_FINAL_PASS_HOURS", "24"))
    ATTENDANCE_REPORT_RETRIES = int(os.environ.get("ATTENDANCE_REPORT_RETRIES", "6"))
    ATTENDANCE_REPORT_RETRY_SECONDS = float(os.environ.get("ATTENDANCE_REPORT_RETRY_SECONDS", "300"))

    # The providers this portal offers (comma-separated keys); empty: every registered one.
    PROVIDERS = [k.strip() for k in os.environ.get("LECTERN_PROVIDERS", "").split(",") if k.strip()]

    # Production hardening: set LECTERN_ENV=production behind HTTPS.
    # Outgoing calls paced to each provider's declared rate limits (portal/pacing.py):
    # the share of the limit used, how long a job / a web request may wait for a slot,
    # and overrides "<provider>.<class>=<per second>[/<daily cap>]", comma separated.
    PACING = _bool("PACING", True)
    PACING_SHARE = float(os.environ.get("PACING_SHARE", "0.95"))
    PACING_MAX_WAIT = float(os.environ.get("PACING_MAX_WAIT", "60"))
    PACING_WEB_MAX_WAIT = float(os.environ.get("PACING_WEB_MAX_WAIT", "1"))
    PACING_LIMITS = os.environ.get("PACING_LIMITS", "")
    PRODUCTION = os.environ.get("LECTERN_ENV", "development") == "production"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = PRODUCTION
    REMEMBER_COOKIE_SECURE = PRODUCTION
    REMEMBER_COOKIE_HTTPONLY = True
    WTF_CSRF_TIME_LIMIT = None


def production_secrets(config) -> list[tuple[str, str | None, str]]:
    """(setting, value, development default) of every secret production must set: the
    portal's own, then the declared secret settings of each provider it offers."""
    import providers

    offered = enabled_providers(config)
    return [
        ("SECRET_KEY", config.get("SECRET_KEY"), DEV_SECRET_KEY),
        ("TOKEN_ENCRYPTION_KEY", config.get("TOKEN_ENCRYPTION_KEY"), ""),
        *((s.key, config.get(s.key), s.default)
          for cls in providers.classes() if cls.key in offered for s in cls.settings if s.secret),
    ]


def enabled_providers(config) -> list[str]:
    """The provider keys the portal offers (PROVIDERS, else every registered one); an
    unknown key stops the start, naming it."""
    import providers

    keys = providers.keys()
    wanted = list(config.get("PROVIDERS") or keys)
    unknown = [k for k in wanted if k not in keys]
    if unknown:
        raise ValueError(f"LECTERN_PROVIDERS names unknown providers: {', '.join(unknown)} "
                         f"(known: {', '.join(keys)})")
    return [k for k in keys if k in wanted]


def check_secrets(secrets: list[tuple[str, str | None, str]]) -> None:
    """Raise InsecureSettings naming every secret that is missing or left at its default."""
    unsafe = [name for name, value, default in secrets if not value or value == default]
    if unsafe:
        raise InsecureSettings(
            "LECTERN_ENV=production refuses to start: set " + ", ".join(unsafe)
            + " (missing or left at the public development default)")
