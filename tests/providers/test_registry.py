"""The provider registry and the declarations plugins make through the contract."""
import pytest

import providers
from providers.base import GENERIC_TEXTS, Capabilities, Setting
from providers.zoom import ZoomEvent
from tests.providers.plugins import BarePlugin, GenericOAuth

#: the registered providers, which a refused registration must leave as they are
KEYS = providers.keys()


def test_unknown_key_fails_fast():
    with pytest.raises(LookupError) as caught:
        providers.plugin("webex", {})
    assert "webex" in str(caught.value)


def test_a_key_registered_twice_is_refused():
    with pytest.raises(ValueError) as caught:
        providers.register(ZoomEvent)
    assert "twice" in str(caught.value)
    assert providers.keys() == KEYS


def test_a_plugin_without_key_is_refused():
    class Keyless(BarePlugin):
        key = ""
    with pytest.raises(ValueError):
        providers.register(Keyless)
    assert providers.keys() == KEYS


def test_a_setting_declared_by_two_plugins_is_refused():
    class Clashing(BarePlugin):
        key = "clashing"
        settings = (Setting("ZOOM_CLIENT_ID"),)
    with pytest.raises(ValueError) as caught:
        providers.register(Clashing)
    assert "ZOOM_CLIENT_ID" in str(caught.value)
    assert providers.keys() == KEYS


def test_a_setting_declared_twice_by_one_plugin_is_refused():
    class Twice(BarePlugin):
        key = "twice"
        settings = (Setting("TWICE_URL"), Setting("TWICE_URL", "x"))
    with pytest.raises(ValueError):
        providers.register(Twice)
    assert providers.keys() == KEYS


def test_classes_and_choices():
    assert "zoom" in KEYS and ZoomEvent in providers.classes()
    assert [cls.key for cls in providers.classes()] == KEYS == sorted(KEYS)
    assert ("zoom", "Zoom") in providers.choices()
    assert isinstance(providers.plugin("zoom", {}), ZoomEvent)


ZOOM_DEFAULTS = {
    "ZOOM_OAUTH_BASE_URL": "https://zoom.us",
    "ZOOM_API_BASE_URL": "https://api.zoom.us/v2",
    "ZOOM_CLIENT_ID": "sbx-oauth-client-id",
    "ZOOM_CLIENT_SECRET": "sbx-oauth-client-secret",
    "ZOOM_WEBHOOK_SECRET_TOKEN": "sbx-webhook-secret-token",
    "ZOOM_S2S_CLIENT_ID": "sbx-s2s-client-id",
    "ZOOM_S2S_CLIENT_SECRET": "sbx-s2s-client-secret",
    "ZOOM_S2S_ACCOUNT_ID": "sbx-account-1",
    "ZOOM_HTTP_TIMEOUT": "10",
    "ZOOM_MAX_RETRIES": "4",
    "ZOOM_BACKOFF_BASE": "0.5",
    "ZOOM_MAX_WAIT": "30",
}


def zoom_keys(settings: dict) -> dict:
    return {k: v for k, v in settings.items() if k.startswith("ZOOM_")}


def test_load_settings_gives_the_declared_defaults():
    assert zoom_keys(providers.load_settings({"PATH": "/bin"})) == ZOOM_DEFAULTS


def test_load_settings_takes_the_environment_first():
    loaded = providers.load_settings({"ZOOM_CLIENT_ID": "prod-id", "ZOOM_MAX_RETRIES": "2",
                                      "ZOOM_WEBHOOK_SECRET_TOKEN": "", "UNRELATED": "x"})
    assert "UNRELATED" not in loaded
    assert zoom_keys(loaded) == ZOOM_DEFAULTS | {"ZOOM_CLIENT_ID": "prod-id", "ZOOM_MAX_RETRIES": "2",
                                      "ZOOM_WEBHOOK_SECRET_TOKEN": ""}


def test_secret_settings_are_the_ones_production_must_set():
    assert zoom_keys({s.key: s.default for s in providers.secret_settings()}) == {
        "ZOOM_CLIENT_SECRET": "sbx-oauth-client-secret",
        "ZOOM_WEBHOOK_SECRET_TOKEN": "sbx-webhook-secret-token"}


def test_zoom_reads_its_declared_defaults():
    zoom = ZoomEvent({})
    assert (zoom.conf.client_id, zoom.conf.webhook_secret) == ("sbx-oauth-client-id",
                                                               "sbx-webhook-secret-token")
    assert (zoom.conf.timeout, zoom.conf.max_retries, zoom.conf.backoff_base,
            zoom.conf.max_wait) == (10.0, 4, 0.5, 30.0)
    overridden = ZoomEvent({"ZOOM_MAX_RETRIES": "1", "ZOOM_HTTP_TIMEOUT": 3,
                            "ZOOM_BACKOFF_BASE": None, "ZOOM_MAX_WAIT": ""})
    assert (overridden.conf.max_retries, overridden.conf.timeout, overridden.conf.backoff_base,
            overridden.conf.max_wait) == (1, 3.0, 0.5, 30.0)


def test_zoom_capabilities_and_rate_classes():
    zoom = ZoomEvent({})
    assert zoom.capabilities.server_to_server and zoom.capabilities.announces_end
    assert {name: limit.per_second for name, limit in zoom.rate_limits.items()} == {
        "light": 30, "medium": 20, "heavy": 10}
    classes = {op: zoom.rate_class(op) for op in ("register", "webinar", "whoami", "find_host",
                                                  "upcoming_webinars", "attendance", "unknown")}
    assert classes == {"register": "light", "webinar": "light", "whoami": "light",
                       "find_host": "light", "upcoming_webinars": "medium",
                       "attendance": "heavy", "unknown": ""}
    assert all(c in zoom.rate_limits for c in classes.values() if c)


def test_zoom_csp_origin_is_its_sign_in_site():
    assert ZoomEvent({}).csp_origins() == ("https://zoom.us",)
    assert ZoomEvent({"ZOOM_OAUTH_BASE_URL": "http://127.0.0.1:5055/"}).csp_origins() == (
        "http://127.0.0.1:5055",)


def test_zoom_texts_keep_the_words_the_portal_shows_today():
    zoom = ZoomEvent({})
    assert set(zoom.texts) == set(GENERIC_TEXTS)
    assert zoom.text("login") == "Log into Zoom" and zoom.text("account") == "Zoom account"
    assert "In Zoom, " + zoom.text("require_registration") == (
        "In Zoom, edit the webinar, tick Registration: Required, and save.")
    assert zoom.text("own_page") == "people who register on Zoom's own page are not synced."


def test_a_plugin_declaring_nothing_gets_generic_words_and_no_extras():
    bare = BarePlugin({})
    assert bare.text("login") == "Log into Bare Webinars"
    assert bare.text("account") == "Bare Webinars account"
    assert "Bare Webinars" in bare.text("own_page")
    assert all(bare.text(key) for key in GENERIC_TEXTS)
    # the portal's translation comes first, then the plugin's label goes in
    assert bare.text("account", {"{label} account": "compte {label}"}.get) == "compte Bare Webinars"
    assert bare.capabilities == Capabilities() and not bare.capabilities.server_to_server
    assert bare.csp_origins() == () and bare.rate_class("register") == ""
    with pytest.raises(KeyError):
        bare.text("no-such-text")


def test_an_oauth_plugin_reads_its_own_settings():
    plugin = GenericOAuth({"GENERIC_CLIENT_ID": "g-id"})
    assert (plugin.client_id, plugin.client_secret, plugin.timeout) == ("g-id", "", 10.0)
    assert plugin.csp_origins() == ("https://login.generic.example",)
    with pytest.raises(KeyError):
        plugin.setting("ZOOM_CLIENT_ID")
