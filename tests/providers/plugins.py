"""Minimal plugins for testing the contract's own machinery (registry, defaults,
the OAuth2 base): every account call refuses, as a plugin would that offers none."""
from providers.base import NoPermission, PartnerEvent, Setting
from providers.oauth import OAuth2Provider


class _NoAccountCalls:
    def _none(self, *args, **kwargs):
        raise NoPermission(f"{self.label} offers no account calls")

    whoami = find_host = upcoming_webinars = webinar = register = attendance = _none
    verify_webhook = _none


class BarePlugin(_NoAccountCalls, PartnerEvent):
    """Declares nothing but a key and a label: every text is the generic one."""
    key = "bare"
    label = "Bare Webinars"

    authorize_url = exchange_code = revoke = _NoAccountCalls._none


class GenericOAuth(_NoAccountCalls, OAuth2Provider):
    """Another provider on the OAuth2 base, with its own setting names and nothing
    Zoom-specific: pointed at the Zoom sandbox, whose OAuth endpoints are standard."""
    key = "generic"
    label = "Generic Webinars"
    settings = (Setting("GENERIC_OAUTH_URL", "https://login.generic.example"),
                Setting("GENERIC_CLIENT_ID"), Setting("GENERIC_CLIENT_SECRET", secret=True))
    oauth_base_setting = "GENERIC_OAUTH_URL"
    client_id_setting, client_secret_setting = "GENERIC_CLIENT_ID", "GENERIC_CLIENT_SECRET"

    def token_extras(self, answer):
        return {"granted": answer.get("token_type", "")}
