"""Lectern: the app factory. It sits at the top of the import graph: it imports every
feature's views to register their blueprints, and hands the workers their sweeps."""
import logging
import os
from pathlib import Path

from flask import Flask
from flask_babel import lazy_gettext

import providers
from portal import config as config_module
from portal.database import init_engine
from portal.extensions import babel, csrf, db, limiter, login_manager, migrate
from portal.i18n import select_locale


def create_app(test_config: dict | None = None) -> Flask:
    root = Path(__file__).resolve().parent.parent
    app = Flask(__name__, instance_path=str(root / "instance"),
                template_folder=str(root / "templates"), static_folder=str(root / "static"))
    app.config.from_object(config_module.Config)
    app.config.update(providers.load_settings(os.environ))
    if test_config:
        app.config.update(test_config)
    app.extensions["offered_providers"] = config_module.enabled_providers(app.config)
    if app.config["PRODUCTION"]:
        config_module.check_secrets(config_module.production_secrets(app.config))
    Path(app.instance_path).mkdir(exist_ok=True)
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies,
                                x_port=proxies, x_prefix=proxies)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"])
    # No X-RateLimit-* headers: reading the window back costs two Redis round trips per
    # limited request (a landing form submission), for headers no browser reads.
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)

    db.init_app(app)
    with app.app_context():
        init_engine(db.engine)
    migrate.init_app(app, db, directory=str(root / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = lazy_gettext("Please sign in to see this page.")
    login_manager.localize_callback = str  # in the visitor's language, when flashed
    csrf.init_app(app)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(root / "translations"))
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)

    from portal import cli, errors, models, security, templating, workers  # noqa: F401  (models: tables)
    from portal.attendance.routes import bp as attendance_bp
    from portal.auth import bp as auth_bp
    from portal.linking.routes import bp as linking_bp
    from portal.mail.routes import bp as outbox_bp
    from portal.main import bp as main_bp
    from portal.people.routes import bp as people_bp
    from portal.programs.routes import bp as programs_bp
    from portal.registration.recovery import sweep_registrations
    from portal.registration.routes import bp as landing_bp
    from portal.services.routes import bp as services_bp
    from portal.users.account import bp as account_bp
    from portal.users.routes import bp as users_bp
    from portal.webhooks import bp as webhooks_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(users_bp, url_prefix="/admin")
    app.register_blueprint(services_bp, url_prefix="/admin")
    app.register_blueprint(programs_bp, url_prefix="/programs")
    app.register_blueprint(linking_bp, url_prefix="/programs")
    app.register_blueprint(attendance_bp, url_prefix="/programs")
    app.register_blueprint(people_bp, url_prefix="/people")
    app.register_blueprint(webhooks_bp)
    app.register_blueprint(landing_bp)
    app.register_blueprint(outbox_bp, url_prefix="/outbox")
    errors.init_app(app)
    security.init_app(app)
    cli.init_app(app)
    workers.init_app(app)
    templating.init_app(app)
    app.extensions["worker_sweeps"] = [sweep_registrations]

    logging.getLogger("portal").setLevel(app.config.get("LOG_LEVEL", "INFO"))
    return app
