"""What the GoTo plugin declares through the contract: settings, capabilities, texts,
rate classes and the consent page's origin."""
from providers.base import GENERIC_TEXTS, REGISTRANT_JOINED, WEBINAR_ENDED, WEBINAR_UPDATED
from providers.goto import GoToEvent
from providers.zoom import ZoomEvent


def test_settings_are_its_own_with_demo_defaults():
    keys = [s.key for s in GoToEvent.settings]
    assert all(k.startswith("GOTO_") for k in keys) and len(keys) == len(set(keys))
    assert not set(keys) & {s.key for s in ZoomEvent.settings}
    secrets = {s.key for s in GoToEvent.settings if s.secret}
    assert secrets == {"GOTO_CLIENT_SECRET", "GOTO_WEBHOOK_SECRET_KEY"}
    plugin = GoToEvent({})
    assert plugin.client_id == "sbx-goto-client-id"
    assert plugin.oauth_base_url == "https://authentication.logmeininc.com"
    assert plugin.conf.api_base_url == "https://api.getgo.com"
    empty = GoToEvent({"GOTO_WEBHOOK_SECRET_KEY": ""})
    assert empty.conf.webhook_secret_key == ""      # refuses webhooks, never falls back


def test_capabilities_say_there_is_no_end_webhook():
    caps = GoToEvent.capabilities
    assert not caps.announces_end and not caps.server_to_server
    assert WEBINAR_ENDED not in caps.webhook_events
    assert {WEBINAR_UPDATED, REGISTRANT_JOINED} <= caps.webhook_events


def test_texts_labels_rate_classes_and_csp(goto_sandbox):
    plugin = GoToEvent(goto_sandbox.config)
    assert (plugin.key, plugin.label) == ("goto", "GoTo Webinar")
    assert set(GoToEvent.texts) == set(GENERIC_TEXTS)
    assert plugin.text("login") == "Log into GoTo"
    for operation in ("register", "webinar", "attendance", "upcoming_webinars"):
        assert plugin.rate_class(operation) in GoToEvent.rate_limits
    assert plugin.csp_origins() == (goto_sandbox.url,)
    assert GoToEvent({}).csp_origins() == ("https://authentication.logmeininc.com",)
    plugin.session.close()
