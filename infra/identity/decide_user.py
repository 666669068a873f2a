"""Deciders for administering a user: enrol, grant and revoke roles, set a password, unlock,
bind and revoke certificates, disable. Each returns the events to append, ``[]`` when the
command is already applied, or raises an :class:`IdentityRefused`.

Who may ask is :func:`infra.identity.permissions.authorize` (``user.admin`` over the user's
division and the grant's jurisdiction), checked by the application before deciding.
"""

from __future__ import annotations

import re

from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from contracts.base import Event
from contracts.envelope import Actor
from infra.identity import refusals as refuse
from infra.identity.events import (
    CertificateBound,
    CertificateRevoked,
    PasswordSet,
    RoleGranted,
    RoleRevoked,
    UserDisabled,
    UserEnrolled,
    UserUnlocked,
)
from infra.identity.permissions import Role, scope_of
from infra.identity.user import Grant, User
from infra.identity.user_commands import (
    BindCertificate,
    DisableUser,
    EnrolUser,
    GrantRole,
    RevokeCertificate,
    RevokeRole,
    SetPassword,
    UnlockUser,
)

_DIVISION_LENGTHS = frozenset({2, 4, 6, 9, 12})
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._\-]{2,31}$")


def check_division(code: str | None) -> None:
    """A GB/T 2260 code (6-digit padded ones included), or a township (9) or village (12)."""
    if code is not None and not (
        code.isascii() and code.isdigit() and len(code) in _DIVISION_LENGTHS
    ):
        raise refuse.invalid_division(code)


def check_citizen_id(citizen_id: str) -> None:
    """GB 11643: 17 digits, a valid birth date and the check character. The birth place is
    not checked: region codes change, an ID issued under an old one stays valid."""
    if len(citizen_id) != 18 or not citizen_id[:17].isdigit():
        raise refuse.invalid_citizen_id()
    try:
        if ric.calc_check_digit(citizen_id) != citizen_id[17]:
            raise refuse.invalid_citizen_id()
        ric.get_birth_date(citizen_id)
    except ValidationError:
        raise refuse.invalid_citizen_id() from None


def decide_enrol(command: EnrolUser, state: User | None) -> list[Event]:
    if not USERNAME.match(command.username):
        raise refuse.invalid_username()
    check_division(command.division_code)
    check_citizen_id(command.citizen_id.reveal())
    if state is not None:
        same = (
            state.username == command.username
            and state.name == command.name
            and state.citizen_id == command.citizen_id
            and state.division_code == command.division_code
        )
        if same:
            return []
        raise refuse.user_id_in_use()
    return [
        UserEnrolled(
            user_id=command.user_id,
            username=command.username,
            name=command.name,
            citizen_id=command.citizen_id,
            division_code=command.division_code,
            post=command.post,
            backup_post=command.backup_post,
            enrolled_by=command.by,
        )
    ]


def decide_grant(command: GrantRole, state: User | None) -> list[Event]:
    user = _active(state)
    if command.by == user.user_id:
        raise refuse.self_grant()
    check_grant(command.role, command.jurisdiction_code)
    if Grant(command.role, command.jurisdiction_code) in user.grants:
        return []
    return [
        RoleGranted(
            user_id=user.user_id,
            role=command.role,
            jurisdiction_code=command.jurisdiction_code,
            granted_by=command.by,
        )
    ]


def check_grant(role: str, jurisdiction_code: str | None) -> None:
    """A known role over a jurisdiction of the level the role is held at (a township role
    for a township, a supervisor for a prefecture or region, ...)."""
    try:
        known = Role(role)
    except ValueError:
        raise refuse.unknown_role(role) from None
    check_division(jurisdiction_code)
    probe = Actor(user_id="probe", role=known, jurisdiction_code=jurisdiction_code)
    if scope_of(probe) is None:
        raise refuse.jurisdiction_mismatch(known)


def decide_revoke(command: RevokeRole, state: User | None) -> list[Event]:
    user = _existing(state)
    if Grant(command.role, command.jurisdiction_code) not in user.grants:
        raise refuse.grant_not_held()
    return [
        RoleRevoked(
            user_id=user.user_id,
            role=command.role,
            jurisdiction_code=command.jurisdiction_code,
            revoked_by=command.by,
            reason=command.reason,
        )
    ]


def decide_set_password(command: SetPassword, state: User | None) -> list[Event]:
    user = _active(state)
    if user.password_hash == command.password_hash:
        return []
    return [
        PasswordSet(
            user_id=user.user_id,
            password_hash=command.password_hash,
            set_at=command.at,
            temporary=command.temporary,
            set_by=command.by,
        )
    ]


def decide_unlock(command: UnlockUser, state: User | None) -> list[Event]:
    user = _existing(state)
    if not user.locked_at(command.at) and user.failures == 0:
        return []
    return [UserUnlocked(user_id=user.user_id, unlocked_by=command.by)]


def decide_bind(command: BindCertificate, state: User | None) -> list[Event]:
    user = _active(state)
    held = user.certificate(command.fingerprint)
    if held is not None:
        if held.revoked:
            raise refuse.certificate_taken()
        return []
    return [
        CertificateBound(
            user_id=user.user_id,
            fingerprint=command.fingerprint,
            subject=command.subject,
            not_after=command.not_after,
            bound_by=command.by,
        )
    ]


def decide_revoke_certificate(command: RevokeCertificate, state: User | None) -> list[Event]:
    user = _existing(state)
    held = user.certificate(command.fingerprint)
    if held is None:
        raise refuse.certificate_not_bound()
    if held.revoked:
        return []
    return [
        CertificateRevoked(
            user_id=user.user_id,
            fingerprint=command.fingerprint,
            revoked_by=command.by,
            reason=command.reason,
        )
    ]


def decide_disable(command: DisableUser, state: User | None) -> list[Event]:
    user = _existing(state)
    if user.disabled:
        return []
    return [UserDisabled(user_id=user.user_id, disabled_by=command.by, reason=command.reason)]


def _existing(state: User | None) -> User:
    if state is None:
        raise refuse.unknown_user()
    return state


def _active(state: User | None) -> User:
    user = _existing(state)
    if user.disabled:
        raise refuse.user_disabled()
    return user
