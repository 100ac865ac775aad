"""Admin > Services: connect provider accounts, authorize hosts, read the error log."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from portal.extensions import db
from portal.forms import ConfirmForm
from portal.models import Binding, Service, ServiceError
from portal.models.services import PENDING
from portal.partners import help_text, plugin
from portal.security import admin_required
from portal.services import authorization
from portal.services import connect as service_flows
from portal.services.forms import HostsForm, ServiceForm
from portal.services.gateway import Gateway
from portal.validators import page_arg
from providers.base import ProviderError

bp = Blueprint("services", __name__)

ERRORS_PER_PAGE = 25


def get_service_or_404(service_id: int) -> Service:
    return db.session.get(Service, service_id) or abort(404)


def _callback_url() -> str:
    # From PORTAL_URL, never the Host header: a forged Host would otherwise send the
    # authorization code to another site (and behind TLS the scheme would say http).
    return current_app.config["PORTAL_URL"].rstrip("/") + url_for("services.service_callback")


def _start_oauth(service: Service, purpose: str):
    return redirect(authorization.begin(session, service, purpose, _callback_url()))


@bp.route("/services")
@admin_required
def services():
    rows = db.session.scalars(db.select(Service).where(Service.state != PENDING)
                              .order_by(Service.created_at.desc())).all()
    return render_template("admin/services.html", services=rows)


@bp.route("/services/new", methods=["GET", "POST"])
@admin_required
def new_service():
    # After a refused connect the typed name and provider come back in the address.
    typed = {k: request.args[k] for k in ("name", "provider") if request.args.get(k)}
    form = ServiceForm(data=typed) if request.method == "GET" else ServiceForm()
    if form.validate_on_submit():
        service = Service(name=form.name.data.strip(), provider=form.provider.data, kind=form.kind.data)
        if form.kind.data == "s2s":
            try:
                token = Gateway(service).server_token()
                service_flows.connect(service, token, current_user)
            except (ProviderError, service_flows.ConnectRefused) as error:
                flash(_("Could not connect: %(error)s", error=getattr(error, "message", error)), "error")
                return render_template("admin/service_new.html", form=form), 400
            return redirect(url_for("services.confirm_service", service_id=service.id))
        return _start_oauth(service, "connect")
    return render_template("admin/service_new.html", form=form)


@bp.route("/services/callback")
@admin_required
def service_callback():
    try:
        pending = authorization.finish(session, request.args)
    except authorization.StateMismatch as error:
        flash(str(error), "error")
        return redirect(url_for("services.services"))
    if "code" not in request.args:
        flash(_not_authorized(pending, request.args.get("error") or _("cancelled")), "error")
        return _back_to_new(pending)
    if pending["purpose"] == "reauthorize":
        service = get_service_or_404(pending["service_id"])
    else:
        service = Service(name=pending["name"], provider=pending["provider"], kind="oauth")
    try:
        token = Gateway(service).exchange_code(request.args["code"], _callback_url())
        if pending["purpose"] == "reauthorize":
            service_flows.reauthorize(service, token)
            flash(_("%(name)s is re-authorized as %(email)s.", name=service.name, email=service.connected_email),
                  "success")
            return redirect(url_for("services.service", service_id=service.id))
        service_flows.connect(service, token, current_user)
    except service_flows.ConnectRefused as refusal:
        flash(str(refusal), "error")
        return _back_to_new(pending)
    except ProviderError as error:
        flash(_("Could not connect: %(error)s", error=error.message), "error")
        return _back_to_new(pending)
    return redirect(url_for("services.confirm_service", service_id=service.id))


def _not_authorized(pending: dict, error: str) -> str:
    if error == "access_denied" and pending.get("provider"):
        partner = plugin(pending["provider"])
        return _("%(provider)s did not authorize Lectern (access denied): %(why)s", provider=partner.label,
                 why=help_text(partner, "consent_denied"))
    return _("The provider did not authorize Lectern: %(error)s.", error=error)


def _back_to_new(pending: dict):
    """After a refused connect: the new-service form again, with what the admin typed."""
    if pending.get("purpose") == "reauthorize":
        return redirect(url_for("services.service", service_id=pending["service_id"]))
    return redirect(url_for("services.new_service", name=pending.get("name", ""),
                            provider=pending.get("provider", "")))


@bp.route("/services/<int:service_id>/confirm", methods=["GET", "POST"])
@admin_required
def confirm_service(service_id):
    service = get_service_or_404(service_id)
    if service.state != PENDING:
        return redirect(url_for("services.service", service_id=service.id))
    form = ConfirmForm()
    old = service_flows.active_service_for_account(service)
    if form.validate_on_submit():
        if request.form.get("action") == "cancel":
            service_flows.discard(service)
            flash(_("The connection was not saved."), "info")
            return redirect(url_for("services.services"))
        try:
            moved = [b.program.name for b in service_flows.stranded_bindings(service)]
            move = request.form.get("move_stranded") == "1"
            replaced = service_flows.save(service, move_stranded=move)
        except service_flows.ConnectRefused as refusal:
            flash(str(refusal), "error")
            return redirect(url_for("services.confirm_service", service_id=service.id))
        if replaced:
            flash(_("%(name)s replaces %(old)s: its programs now use the new service.", name=service.name,
                    old=replaced.name), "success")
        else:
            flash(_("%(name)s is saved. Every portal user can now use it.", name=service.name), "success")
        if move and moved:
            flash(_("Moved to %(name)s: %(programs)s.", name=service.name, programs=", ".join(moved)), "success")
        return redirect(url_for("services.service", service_id=service.id))
    bound = db.session.scalar(db.select(db.func.count()).where(Binding.service_id == old.id)) if old else 0
    return render_template("admin/service_confirm.html", service=service, old=old, bound=bound, form=form,
                           refusal=service_flows.replacement_refusal(service, old),
                           stranded=service_flows.stranded_bindings(service))


@bp.route("/services/<int:service_id>")
@admin_required
def service(service_id):
    service = get_service_or_404(service_id)
    page = page_arg()
    errors = db.session.scalars(db.select(ServiceError).where(ServiceError.service_id == service.id)
                                .order_by(ServiceError.at.desc(), ServiceError.id.desc())
                                .limit(ERRORS_PER_PAGE).offset((page - 1) * ERRORS_PER_PAGE)).all()
    pages = max(1, -(-service.error_count // ERRORS_PER_PAGE))
    bindings = db.session.scalars(db.select(Binding).where(Binding.service_id == service.id)).all()
    return render_template("admin/service.html", service=service, errors=errors, page=page, pages=pages,
                           hosts_form=HostsForm(), confirm=ConfirmForm(), bindings=bindings,
                           host_errors=session.pop("host_errors", {}))


@bp.route("/services/<int:service_id>/hosts", methods=["POST"])
@admin_required
def add_hosts(service_id):
    service = get_service_or_404(service_id)
    form = HostsForm()
    if form.validate_on_submit() and service.usable:
        emails = form.emails.data.replace(",", "\n").splitlines()
        errors = service_flows.add_hosts(service, emails)
        if errors:
            session["host_errors"] = errors
            flash(ngettext("%(num)d email could not be authorized; see below.",
                           "%(num)d emails could not be authorized; see below.", len(errors)), "error")
        else:
            flash(_("Hosts authorized: their webinars now appear in the picker."), "success")
    else:
        flash(_("Give at least one email, on an active service."), "error")
    return redirect(url_for("services.service", service_id=service.id) + "#hosts")


@bp.route("/services/<int:service_id>/hosts/<int:host_id>/remove", methods=["POST"])
@admin_required
def remove_host(service_id, host_id):
    service = get_service_or_404(service_id)
    if ConfirmForm().validate_on_submit():
        service_flows.remove_host(service, host_id)
        flash(_("Host removed: programs already linked to their webinars stay linked."), "success")
    return redirect(url_for("services.service", service_id=service.id) + "#hosts")


@bp.route("/services/<int:service_id>/test", methods=["POST"])
@admin_required
def test_service(service_id):
    service = get_service_or_404(service_id)
    if ConfirmForm().validate_on_submit():
        try:
            identity = service_flows.check_connection(service)
            flash(_("Connection works: signed in as %(email)s on account %(account)s.", email=identity.email,
                    account=identity.account_id), "success")
        except ProviderError as error:
            flash(_("Connection failed: %(error)s", error=error.message), "error")
    return redirect(url_for("services.service", service_id=service.id))


@bp.route("/services/<int:service_id>/reauthorize", methods=["POST"])
@admin_required
def reauthorize_service(service_id):
    service = get_service_or_404(service_id)
    if not ConfirmForm().validate_on_submit() or service.kind != "oauth":
        abort(400)
    return _start_oauth(service, "reauthorize")


@bp.route("/services/<int:service_id>/disconnect", methods=["POST"])
@admin_required
def disconnect_service(service_id):
    service = get_service_or_404(service_id)
    if ConfirmForm().validate_on_submit():
        service_flows.disconnect(service)
        flash(_("%(name)s is disconnected. Programs linked through it must be linked anew.", name=service.name),
              "success")
    return redirect(url_for("services.service", service_id=service.id))
