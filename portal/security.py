"""Access rules and response headers shared by every blueprint."""
from functools import wraps

from flask import abort, request
from flask_login import current_user, login_required

from portal.partners import consent_origins

# Blueprints whose every route is public: the landing pages and the webhooks.
PUBLIC_BLUEPRINTS = {"landing", "webhooks"}
PUBLIC_ENDPOINTS = {"auth.login", "static", "main.health", "main.healthz", "landing.unsubscribe"}

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "form-action 'self'{oauth}; frame-ancestors 'none'; base-uri 'self'; object-src 'none'")


def admin_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)
    return wrapped


def init_app(app):
    from portal.validators import refuse_nul_in_query

    login_manager = app.login_manager

    def csp() -> str:
        # The plugins' origins come from the config: one string per app.
        if "csp" not in app.extensions:
            app.extensions["csp"] = CSP.format(oauth="".join(" " + o for o in consent_origins()))
        return app.extensions["csp"]

    app.before_request(refuse_nul_in_query)

    @app.before_request
    def require_login():
        # Sign-in is the rule; public pages are the named exceptions.
        if request.endpoint is None:
            return None
        if request.blueprint in PUBLIC_BLUEPRINTS or request.endpoint in PUBLIC_ENDPOINTS:
            return None
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return None

    @app.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy", csp())
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if app.config.get("PRODUCTION"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response

