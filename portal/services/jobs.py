"""Jobs of the services feature (entry points: enqueued by dotted name, never imported)."""
from __future__ import annotations

from portal.services import connect


def deauthorize_account(provider: str, account_id: str) -> int:
    """The provider removed Lectern from an account: disconnect its services."""
    return connect.deauthorized(provider, account_id)
