"""Error pages, in one place."""
from flask import render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from portal.extensions import db


def init_app(app):
    @app.errorhandler(403)
    def forbidden(error):
        return render_template("errors/error.html", code=403, title=_("Not allowed"),
                               message=_("This page is for administrators.")), 403

    @app.errorhandler(404)
    def not_found(error):
        return render_template("errors/error.html", code=404, title=_("Not found"),
                               message=_("There is nothing at this address.")), 404

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template("errors/error.html", code=400, title=_("Form expired"),
                               message=_("The form was missing its security token or it expired. "
                                         "Go back, reload the page and try again.")), 400

    @app.errorhandler(413)
    def too_large(error):
        return render_template("errors/error.html", code=413, title=_("Too large"),
                               message=_("What was sent is larger than this address accepts.")), 413

    @app.errorhandler(429)
    def too_many(error):
        return render_template("errors/error.html", code=429, title=_("Too many attempts"),
                               message=_("Too many attempts. Wait a few minutes and try again.")), 429

    @app.errorhandler(500)
    def internal(error):
        db.session.rollback()
        return render_template("errors/error.html", code=500, title=_("Something went wrong"),
                               message=_("The error was logged. Try again in a moment.")), 500


class NotAllowed(ValueError):
    """A change the rules do not allow, in words for the user."""
