"""Services: connecting a provider account, replacing, re-authorizing,
disconnecting, authorized hosts [S2][S3][S7][S10][S11][S12]."""
from __future__ import annotations

from flask_babel import gettext as _

from portal.extensions import db
from portal.models import AuthorizedHost, Binding, Service, User, utcnow
from portal.models.services import (
    ACTIVE,
    DISCONNECTED,
    MAX_AUTHORIZED_HOSTS,
    NEEDS_REAUTH,
    PENDING,
    REPLACED,
)
from portal.partners import help_text, plugin
from portal.services.gateway import Gateway
from portal.services.tokens import decrypt_token, encrypt_token
from providers.base import Identity, ProviderError


class ConnectRefused(Exception):
    """The provider user may not connect; the message says what is missing."""


def _refusal(identity: Identity, partner) -> str:
    label = partner.label
    if not (identity.is_admin or not identity.missing_privileges):
        missing = ", ".join(identity.missing_privileges)
        return _("%(email)s is not an admin of this %(provider)s account and lacks: %(missing)s. "
                 "Ask a %(provider)s admin to connect, or to grant these privileges.",
                 email=identity.email, provider=label, missing=missing)
    return _("%(email)s cannot host webinars: %(why)s", email=identity.email,
             why=help_text(partner, "webinars_missing"))


def connect(service: Service, token: dict, user: User | None) -> Service:
    """Check who connected and keep the connection as a pending service; the admin
    saves it next. Refused users leave nothing behind and their token is revoked."""
    gateway = Gateway(service, token=token)
    identity = gateway.whoami()
    if not identity.may_connect:
        _revoke_quietly(gateway, token)
        raise ConnectRefused(_refusal(identity, gateway.plugin))
    service.account_id = identity.account_id
    service.connected_user_id = identity.user_id
    service.connected_email = identity.email
    service.connected_is_admin = identity.is_admin
    service.token_ciphertext = encrypt_token(token)
    service.state = PENDING
    service.created_by = user
    db.session.add(service)
    db.session.commit()
    return service


def active_service_for_account(service: Service) -> Service | None:
    """The other active service of the same provider account, if any [S11]."""
    return db.session.scalar(db.select(Service).where(
        Service.provider == service.provider, Service.account_id == service.account_id,
        Service.state.in_([ACTIVE, NEEDS_REAUTH]), Service.id != service.id))


def replacement_refusal(service: Service, old: Service | None) -> str:
    """Why ``service`` may not replace ``old``, or '' [S7]: a service an admin
    connected is replaced only by an admin."""
    if old is None or not old.connected_is_admin or service.connected_is_admin:
        return ""
    label = plugin(service.provider).label
    return _("%(email)s is not a %(provider)s admin, and “%(old)s” was connected by an admin (%(old_email)s): "
             "only an admin of the %(provider)s account may replace it. Connect as a %(provider)s admin, or "
             "keep “%(old)s”.", email=service.connected_email, provider=label, old=old.name,
             old_email=old.connected_email)


def stranded_bindings(service: Service) -> list[Binding]:
    """Bindings still on a disconnected (or deauthorized) service of the same account:
    their programs can move to this new connection [S11]."""
    return db.session.scalars(db.select(Binding).join(Service, Binding.service_id == Service.id).where(
        Service.provider == service.provider, Service.account_id == service.account_id,
        Service.state == DISCONNECTED, Service.id != service.id).order_by(Binding.id)).all()


def save(service: Service, move_stranded: bool = False) -> Service | None:
    """Make a pending service active. When another service holds the same
    account, it is replaced: its bindings move over and it is kept read-only.
    With ``move_stranded``, programs left on a disconnected service of the account
    move over too. Returns the replaced service."""
    old = active_service_for_account(service)
    refusal = replacement_refusal(service, old)
    if refusal:
        raise ConnectRefused(refusal)
    if move_stranded:
        for binding in stranded_bindings(service):
            binding.service_id = service.id
    if old is not None:
        db.session.execute(db.update(Binding).where(Binding.service_id == old.id)
                           .values(service_id=service.id))
        for host in old.hosts:
            if host.email not in {h.email for h in service.hosts}:
                service.hosts.append(AuthorizedHost(email=host.email, host_id=host.host_id))
        old.state = REPLACED
        old.replaced_by_id = service.id
        old.token_ciphertext = None
    service.state = ACTIVE
    db.session.commit()
    return old


def discard(service: Service) -> None:
    """Drop a pending connection the admin did not save."""
    if service.state != PENDING:
        raise ValueError("only a pending service can be discarded")
    token = decrypt_token(service.token_ciphertext)
    _revoke_quietly(Gateway(service, token=token), token)
    db.session.delete(service)
    db.session.commit()


def reauthorize(service: Service, token: dict) -> None:
    """Take new tokens only from an admin of the same account [S7]; otherwise
    refuse and keep the working tokens."""
    gateway = Gateway(service, token=token)
    identity = gateway.whoami()
    label = gateway.plugin.label
    if identity.account_id != service.account_id:
        _revoke_quietly(gateway, token)
        raise ConnectRefused(_("%(email)s belongs to another %(provider)s account; the service keeps its "
                               "current connection.", email=identity.email, provider=label))
    if not identity.is_admin:
        _revoke_quietly(gateway, token)
        raise ConnectRefused(_("%(email)s is not a %(provider)s admin: re-authorizing needs an admin. The "
                               "service keeps its current connection.", email=identity.email, provider=label))
    service.token_ciphertext = encrypt_token(token)
    service.connected_user_id = identity.user_id
    service.connected_email = identity.email
    service.connected_is_admin = True
    service.admin_lost_at = None
    service.state = ACTIVE
    db.session.commit()


def disconnect(service: Service) -> None:
    """Revoke at the provider (best effort) and keep the service, disconnected."""
    if service.token_ciphertext:
        try:
            Gateway(service).revoke(decrypt_token(service.token_ciphertext))
        except ProviderError:
            pass                     # in the service's error log; the service is disconnected anyway
    service.token_ciphertext = None
    service.state = DISCONNECTED
    db.session.commit()


def deauthorized(provider: str, account_id: str) -> int:
    """The provider says the app was removed from an account: every service of
    that account is disconnected. Returns how many."""
    services = db.session.scalars(db.select(Service).where(
        Service.provider == provider, Service.account_id == account_id,
        Service.state.in_([ACTIVE, NEEDS_REAUTH, PENDING]))).all()
    for service in services:
        service.token_ciphertext = None
        service.state = DISCONNECTED
    db.session.commit()
    return len(services)


def check_connection(service: Service) -> Identity:
    """*Test connection*; the gateway re-reads the connecting user's role [S7]."""
    return Gateway(service).whoami()


def add_hosts(service: Service, emails: list[str]) -> dict[str, str]:
    """Authorize more hosts by email [S12]. Returns {email: error} for the ones refused."""
    errors: dict[str, str] = {}
    known = {h.email for h in service.hosts}
    for raw in emails:
        email = raw.strip().lower()
        if not email or email in known:
            continue
        if email == service.connected_email.lower():
            errors[email] = "is the connecting user: their webinars are always visible."
            continue
        if len(service.hosts) >= MAX_AUTHORIZED_HOSTS:
            errors[email] = _("not added: a service may authorize at most %(num)d hosts.",
                              num=MAX_AUTHORIZED_HOSTS)
            continue
        try:
            host = Gateway(service).find_host(email)
        except ProviderError as error:
            errors[email] = _("could not be checked: %(error)s", error=error.message)
            continue
        if host is None:
            errors[email] = _("is not a user of this account.")
            continue
        service.hosts.append(AuthorizedHost(email=email, host_id=host.id, added_at=utcnow()))
        known.add(email)
    db.session.commit()
    return errors


def remove_host(service: Service, host_id: int) -> None:
    """Hide a host's webinars from the picker; linked programs stay linked."""
    host = db.session.get(AuthorizedHost, host_id)
    if host is not None and host.service_id == service.id:
        db.session.delete(host)
        db.session.commit()


def _revoke_quietly(gateway: Gateway, token: dict) -> None:
    try:
        gateway.revoke(token)
    except ProviderError:
        pass  # a token we refuse anyway; it expires within the hour
