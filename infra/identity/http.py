"""Identity in a service's HTTP app: the login and user administration routes, and the user
store the actor dependency maps certificates with. Included by the service where users are
administered (the registry); every other service only verifies tokens."""

from __future__ import annotations

from fastapi import FastAPI

from infra.identity.http_auth import router as auth_router
from infra.identity.http_users import router as users_router
from infra.identity.passwords import Passwords
from infra.identity.service import Identity, make_identity
from infra.service import ServiceDeps
from infra.wiring import make_cipher


def include_identity(
    app: FastAPI, deps: ServiceDeps, *, passwords: Passwords | None = None
) -> Identity:
    """Add ``/auth/*`` and ``/users*`` to ``app``, on the store and clock of ``deps``."""
    identity = make_identity(
        deps.settings, deps.store, make_cipher(deps.settings), clock=deps.clock, passwords=passwords
    )
    app.state.identity = identity
    app.include_router(auth_router)
    app.include_router(users_router)
    return identity
