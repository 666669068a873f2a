"""The user store's events: who was enrolled, granted, locked, bound to a certificate, when
and by whom (stream ``user-<user_id>``), and the claims that make a username or a
certificate name one user (streams ``identity-username-<name>``,
``identity-certificate-<sha256>``), plus the directory stream ``identity-users`` that lists
them. Private to identity: no other service reads them, and none travels on Kafka; their
shapes are pinned under ``infra/identity/schemas``.

Personal data: the citizen ID is sealed in the log (``CitizenId``); a password is kept only
as its argon2id hash.
"""

from __future__ import annotations

from typing import Annotated, Final, Literal

from pydantic import StringConstraints

from contracts.base import Event
from contracts.envelope import UtcDatetime
from contracts.fields import Code, Count, Id, Text
from contracts.pii import CitizenId
from contracts.versioning import EventRegistry

Username = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._\-]{2,31}$")]
"""A login name: 3–32 lower-case letters, digits, dot, dash or underscore."""
Fingerprint = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
"""The SHA-256 of a certificate's DER bytes, lower-case hex."""
LoginMethod = Literal["password", "certificate"]
Source = Annotated[str, StringConstraints(max_length=64)]
"""The address a login came from, as the service saw it (the proxy's, behind one)."""


class UserEnrolled(Event):
    """A real-name user joined: who they are, the division they work in (None: the whole
    country), the post they hold and the post they stand in for (AB 岗, 000 art.7)."""

    event_type = "UserEnrolled"
    schema_version = 1

    user_id: Id
    username: Username
    name: Text
    citizen_id: CitizenId
    division_code: Code | None
    post: Text
    backup_post: Text | None = None
    enrolled_by: Id


class RoleGranted(Event):
    """The user may act in ``role`` over ``jurisdiction_code`` (None: the whole country)."""

    event_type = "RoleGranted"
    schema_version = 1

    user_id: Id
    role: Code
    jurisdiction_code: Code | None
    granted_by: Id


class RoleRevoked(Event):
    event_type = "RoleRevoked"
    schema_version = 1

    user_id: Id
    role: Code
    jurisdiction_code: Code | None
    revoked_by: Id
    reason: Text


class PasswordSet(Event):
    """A new password (its argon2id hash). ``temporary``: set by an administrator, to be
    changed at the next login."""

    event_type = "PasswordSet"
    schema_version = 1

    user_id: Id
    password_hash: Annotated[str, StringConstraints(pattern=r"^\$argon2id\$", max_length=256)]
    set_at: UtcDatetime
    temporary: bool
    set_by: Id


class LoginFailed(Event):
    """A wrong password; ``failures`` counts the failures in a row, this one included."""

    event_type = "LoginFailed"
    schema_version = 1

    user_id: Id
    at: UtcDatetime
    failures: Count
    source: Source | None = None


class UserLockedOut(Event):
    """Too many failures in a row: no password login until ``until``."""

    event_type = "UserLockedOut"
    schema_version = 1

    user_id: Id
    until: UtcDatetime


class UserUnlocked(Event):
    event_type = "UserUnlocked"
    schema_version = 1

    user_id: Id
    unlocked_by: Id


class LoginSucceeded(Event):
    """A token was issued: for work in one role (``purpose`` access) or only to change an
    expired or temporary password (``password_change``, no role). Ends a run of failures."""

    event_type = "LoginSucceeded"
    schema_version = 1

    user_id: Id
    method: LoginMethod
    purpose: Literal["access", "password_change"]
    role: Code | None
    jurisdiction_code: Code | None
    token_id: Id
    at: UtcDatetime
    expires_at: UtcDatetime
    source: Source | None = None


class CertificateBound(Event):
    """A client certificate (a U-Key's) now logs this user in."""

    event_type = "CertificateBound"
    schema_version = 1

    user_id: Id
    fingerprint: Fingerprint
    subject: Annotated[str, StringConstraints(max_length=512)]
    not_after: UtcDatetime
    bound_by: Id


class CertificateRevoked(Event):
    event_type = "CertificateRevoked"
    schema_version = 1

    user_id: Id
    fingerprint: Fingerprint
    revoked_by: Id
    reason: Text


class UserDisabled(Event):
    """The user left or must no longer log in; final (a returning person is enrolled anew)."""

    event_type = "UserDisabled"
    schema_version = 1

    user_id: Id
    disabled_by: Id
    reason: Text


class UsernameClaimed(Event):
    """A username now belongs to this user, for good: the first event of its claim stream."""

    event_type = "UsernameClaimed"
    schema_version = 1

    user_id: Id


class CertificateClaimed(Event):
    """A certificate (by fingerprint) now belongs to this user, for good, even once revoked."""

    event_type = "CertificateClaimed"
    schema_version = 1

    user_id: Id


class UserListed(Event):
    """An entry of the directory stream: what ``onecard users list`` reads."""

    event_type = "UserListed"
    schema_version = 1

    user_id: Id
    username: Username


USER_EVENTS: Final = (
    UserEnrolled,
    RoleGranted,
    RoleRevoked,
    PasswordSet,
    LoginFailed,
    UserLockedOut,
    UserUnlocked,
    LoginSucceeded,
    CertificateBound,
    CertificateRevoked,
    UserDisabled,
)
IDENTITY_EVENTS: Final = EventRegistry(
    [*USER_EVENTS, UsernameClaimed, CertificateClaimed, UserListed]
)
"""Every event the user store reads and writes."""


def user_stream(user_id: str) -> str:
    return f"user-{user_id}"


def username_stream(username: str) -> str:
    return f"identity-username-{username}"


def certificate_stream(fingerprint: str) -> str:
    return f"identity-certificate-{fingerprint}"


DIRECTORY_STREAM: Final = "identity-users"
