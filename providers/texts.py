"""The words a plugin shows marketers and admins: what to change on the provider's side,
who may connect. Plugins write them in English and mark them with ``N_``; the portal's
message catalogue holds every marked text and translates it when shown."""


def N_(text: str) -> str:
    """Marks a text for the portal's catalogue: plugins stay in English and Flask-free."""
    return text


#: the generic help, for a plugin that declares no text of its own; ``{label}`` is filled in
GENERIC_TEXTS = {
    "login": N_("Log into {label}"),
    "account": N_("{label} account"),
    "require_registration": N_("edit the webinar, require registration and save."),
    "approve_automatically": N_("set the webinar's registrations to be approved automatically."),
    "optional_questions": N_("make these registration questions optional."),
    "schedule": N_("schedule it for a date in the future."),
    "own_page": N_("people who register on {label}'s own page are not synced."),
    "who_may_connect": N_("The {label} user must be an admin of the {label} account."),
    "webinars_missing": N_("webinars are not enabled for this user: give them a plan with webinars, "
                           "or connect as a user who has one."),
    "consent_denied": N_("if you did not refuse it yourself, the app may need to be pre-approved by "
                         "an admin of the {label} account before other users can authorize it."),
    "admin_lost": N_("the connecting user is no longer an admin of the {label} account."),
}
