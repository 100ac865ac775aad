"""The link health check's findings: what stops a linked webinar from taking
registrations from the portal, and what to change on the provider's side.

A binding stores its findings as codes with their values (JSON), not as sentences:
they are worded when shown, in the reader's language, with the plugin's own help for
the fix. A finding stored as plain text (before codes) is shown as it was written."""
from __future__ import annotations

import json
from datetime import datetime

from flask_babel import gettext as _

from portal.i18n import N_, state_word
from portal.models import Binding
from portal.models.types import utcnow
from portal.partners import help_text, plugin
from providers.base import Webinar

#: code -> the finding, and the key of the plugin's help text that says how to fix it
FINDINGS = {
    "not_linked": (N_("This program is not linked to a webinar: open Event Settings and choose one."), None),
    "service_unusable": (N_("The service “%(service)s” is %(state)s. An admin must re-authorize it (or link "
                            "this program through the service that replaced it)."), None),
    "authorization_lost": (N_("The service “%(service)s” cannot reach %(provider)s: its authorization expired "
                              "or was revoked. An admin must re-authorize it under Services."), None),
    "webinar_gone": (N_("Webinar %(webinar)s no longer exists in %(provider)s (deleted or expired). Unlink "
                        "this program and link another webinar."), None),
    "webinar_deleted": (N_("Webinar %(webinar)s was deleted in %(provider)s. Unlink this program and link "
                           "another webinar."), None),
    "provider_unreachable": (N_("%(provider)s could not be asked just now (%(error)s); try the check again."),
                             None),
    "registration_off": (N_("Registration is not required on this webinar, so the portal cannot register "
                            "anyone: registrations from the portal are off. %(fix)s"), "require_registration"),
    "manual_approval": (N_("Registrations wait for manual approval, so people would not get their join "
                           "link. %(fix)s"), "approve_automatically"),
    "questions": (N_("%(provider)s requires registration questions the portal's form cannot answer "
                     "(%(questions)s), so every registration would be refused. %(fix)s"), "optional_questions"),
    "no_start": (N_("The webinar has no start time. %(fix)s"), "schedule"),
    "past_start": (N_("The webinar's start time is in the past. %(fix)s Or link another webinar."), "schedule"),
}


def finding(code: str, **values) -> dict:
    """A finding as stored: its code (a key of FINDINGS) and its values."""
    return {"code": code, **values}


def webinar_problems(provider_key: str, webinar: Webinar, now: datetime | None = None) -> list[dict]:
    """What on the webinar would stop registrations from the portal."""
    now = now or utcnow()
    problems = []
    if not webinar.registration_required:
        problems.append(finding("registration_off", provider=provider_key))
    elif not webinar.approval_automatic:
        problems.append(finding("manual_approval", provider=provider_key))
    if webinar.unanswerable_questions:
        problems.append(finding("questions", provider=provider_key, questions=list(webinar.unanswerable_questions)))
    if webinar.start is None:
        problems.append(finding("no_start", provider=provider_key))
    elif webinar.start <= now:
        problems.append(finding("past_start", provider=provider_key))
    return problems


def record(binding: Binding, problems: list[dict]) -> None:
    binding.health_problems = json.dumps(problems) if problems else ""
    binding.health_checked_at = utcnow()


def worded(problem: dict) -> str:
    """A finding in the reader's language."""
    values = dict(problem)
    text, fix = FINDINGS[values.pop("code")]
    key = values.pop("provider", None)
    try:
        partner = plugin(key) if key else None
    except LookupError:             # a provider this portal no longer offers
        partner = None
    label = partner.label if partner else (key or "")
    if key:
        values["provider"] = label
    if "state" in values:
        values["state"] = state_word(values["state"])
    if "questions" in values:
        values["questions"] = ", ".join(f"“{q}”" for q in values["questions"])
    if fix:
        values["fix"] = _("In %(provider)s, %(fix)s", provider=label,
                          fix=help_text(partner, fix) if partner else "")
    return _(text, **values)


def problems(binding: Binding | None) -> list[str]:
    """The binding's last findings, worded for the reader."""
    stored = (binding.health_problems or "").strip() if binding is not None else ""
    if not stored.startswith("["):
        return [line for line in stored.splitlines() if line.strip()]
    return [worded(problem) for problem in json.loads(stored)]
