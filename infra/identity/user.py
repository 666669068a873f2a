"""A user as the rules need them, folded from their stream (``user-<user_id>``).

The state is immutable: :func:`evolve` returns a new one, so replaying the same events
always yields an equal user.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from contracts.pii import CitizenId
from infra.identity.events import (
    CertificateBound,
    CertificateRevoked,
    LoginFailed,
    LoginSucceeded,
    PasswordSet,
    RoleGranted,
    RoleRevoked,
    UserDisabled,
    UserEnrolled,
    UserLockedOut,
    UserUnlocked,
)

PasswordStatus = Literal["none", "valid", "expired", "temporary"]


@dataclass(frozen=True, slots=True)
class Grant:
    """One role over one jurisdiction (None: the whole country)."""

    role: str
    jurisdiction_code: str | None


@dataclass(frozen=True, slots=True)
class Certificate:
    fingerprint: str
    subject: str
    not_after: datetime
    revoked: bool = False


@dataclass(frozen=True, slots=True)
class User:
    user_id: str
    username: str
    name: str
    citizen_id: CitizenId
    division_code: str | None
    post: str
    backup_post: str | None
    grants: tuple[Grant, ...] = ()
    """In the order granted."""
    password_hash: str | None = None
    password_set_at: datetime | None = None
    password_temporary: bool = False
    failures: int = 0
    """Failed logins since the last success, lockout or unlock."""
    locked_until: datetime | None = None
    certificates: tuple[Certificate, ...] = ()
    disabled: bool = False

    def locked_at(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def password_status(self, now: datetime, *, max_age: timedelta) -> PasswordStatus:
        """Whether the password may be used to work (000 art.20 real-name login; passwords
        older than ``max_age`` and ones an administrator set must be changed first)."""
        if self.password_hash is None or self.password_set_at is None:
            return "none"
        if self.password_temporary:
            return "temporary"
        if now - self.password_set_at >= max_age:
            return "expired"
        return "valid"

    def certificate(self, fingerprint: str) -> Certificate | None:
        return next((c for c in self.certificates if c.fingerprint == fingerprint), None)


def evolve(state: User | None, event: object) -> User | None:
    if isinstance(event, UserEnrolled):
        return User(
            user_id=event.user_id,
            username=event.username,
            name=event.name,
            citizen_id=event.citizen_id,
            division_code=event.division_code,
            post=event.post,
            backup_post=event.backup_post,
        )
    if state is None:
        return None
    return _evolve_access(state, event) or _evolve_login(state, event) or state


def _evolve_access(state: User, event: object) -> User | None:
    if isinstance(event, RoleGranted):
        grant = Grant(event.role, event.jurisdiction_code)
        return replace(state, grants=(*state.grants, grant))
    if isinstance(event, RoleRevoked):
        gone = Grant(event.role, event.jurisdiction_code)
        return replace(state, grants=tuple(g for g in state.grants if g != gone))
    if isinstance(event, CertificateBound):
        bound = Certificate(event.fingerprint, event.subject, event.not_after)
        return replace(state, certificates=(*state.certificates, bound))
    if isinstance(event, CertificateRevoked):
        certificates = tuple(
            replace(c, revoked=True) if c.fingerprint == event.fingerprint else c
            for c in state.certificates
        )
        return replace(state, certificates=certificates)
    if isinstance(event, UserDisabled):
        return replace(state, disabled=True)
    return None


def _evolve_login(state: User, event: object) -> User | None:
    if isinstance(event, PasswordSet):
        return replace(
            state,
            password_hash=event.password_hash,
            password_set_at=event.set_at,
            password_temporary=event.temporary,
        )
    if isinstance(event, LoginFailed):
        return replace(state, failures=event.failures)
    if isinstance(event, UserLockedOut):
        return replace(state, failures=0, locked_until=event.until)
    if isinstance(event, UserUnlocked):
        return replace(state, failures=0, locked_until=None)
    if isinstance(event, LoginSucceeded):
        return replace(state, failures=0)
    return None
