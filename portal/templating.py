"""Template globals and filters: times are stored in UTC and shown in the webinar's own
zone, written for the page's language (portal/i18n.py)."""
from portal import i18n
from portal.partners import plugin


def init_app(app):
    i18n.init_app(app)
    # A provider's label and help texts, for pages about something bound to it.
    app.jinja_env.globals["partner"] = plugin
    # Navigation links only for the areas this build has.
    app.jinja_env.globals["has_endpoint"] = lambda endpoint: endpoint in app.view_functions
