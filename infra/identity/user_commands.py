"""What may be asked of the user store. Clock and ids come in with the command; ``by`` is the
user id of whoever asks (an administrator, the user, or ``system:cli``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from contracts.pii import CitizenId


@dataclass(frozen=True, slots=True)
class EnrolUser:
    user_id: str
    username: str
    name: str
    citizen_id: CitizenId
    division_code: str | None
    post: str
    backup_post: str | None
    by: str


@dataclass(frozen=True, slots=True)
class GrantRole:
    user_id: str
    role: str
    jurisdiction_code: str | None
    by: str


@dataclass(frozen=True, slots=True)
class RevokeRole:
    user_id: str
    role: str
    jurisdiction_code: str | None
    by: str
    reason: str


@dataclass(frozen=True, slots=True)
class SetPassword:
    """``password_hash`` is argon2id, made by the application (the domain never sees the
    password); ``temporary`` when an administrator sets it for someone else."""

    user_id: str
    password_hash: str
    at: datetime
    temporary: bool
    by: str


@dataclass(frozen=True, slots=True)
class UnlockUser:
    user_id: str
    at: datetime
    by: str


@dataclass(frozen=True, slots=True)
class BindCertificate:
    user_id: str
    fingerprint: str
    subject: str
    not_after: datetime
    by: str


@dataclass(frozen=True, slots=True)
class RevokeCertificate:
    user_id: str
    fingerprint: str
    by: str
    reason: str


@dataclass(frozen=True, slots=True)
class DisableUser:
    user_id: str
    by: str
    reason: str


@dataclass(frozen=True, slots=True)
class LoginPolicy:
    """Lockout after ``max_failures`` wrong passwords in a row, for ``lockout``; passwords
    older than ``password_max_age`` must be changed; tokens live ``token_lifetime``."""

    max_failures: int = 5
    lockout: timedelta = timedelta(minutes=30)
    password_max_age: timedelta = timedelta(days=90)
    token_lifetime: timedelta = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class AttemptLogin:
    """A login whose credential the application already checked: ``credential_ok`` is the
    password's verification, or True for a certificate the proxy and CA check accepted."""

    user_id: str
    method: Literal["password", "certificate"]
    credential_ok: bool
    role: str | None
    jurisdiction_code: str | None
    token_id: str
    at: datetime
    policy: LoginPolicy
    source: str | None = None
