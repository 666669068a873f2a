"""The login decider: a wrong password is stored (and the fifth in a row locks the account),
a right one yields the token's facts, for work in one role or only to change the password.

Refusals that store nothing (disabled, locked, no such role) are given only to whoever
presented a valid credential, so a stranger learns nothing about an account by guessing:
with a wrong password, a locked or disabled account answers like an unknown one.
"""

from __future__ import annotations

from typing import Literal

from contracts.base import Event
from infra.identity import refusals as refuse
from infra.identity.events import LoginFailed, LoginSucceeded, UserLockedOut
from infra.identity.permissions import ROLE_NAMES, Role
from infra.identity.user import Grant, User
from infra.identity.user_commands import AttemptLogin


def decide_login(command: AttemptLogin, user: User) -> list[Event]:
    """``[LoginFailed(, UserLockedOut)]`` for a wrong password (the caller answers
    ``invalid_credentials`` after storing them), ``[LoginSucceeded]`` for a right one."""
    if not command.credential_ok:
        return _failed(command, user)
    if user.disabled:
        raise refuse.account_disabled()
    if command.method == "password":
        if user.locked_at(command.at):
            assert user.locked_until is not None
            raise refuse.account_locked(user.locked_until)
        status = user.password_status(command.at, max_age=command.policy.password_max_age)
        if status in ("expired", "temporary"):
            return [_succeeded(command, None, purpose="password_change")]
    grant = choose_grant(user.grants, command.role, command.jurisdiction_code)
    return [_succeeded(command, grant, purpose="access")]


def choose_grant(grants: tuple[Grant, ...], role: str | None, jurisdiction: str | None) -> Grant:
    """The grant a login asked for: the only one held, or the one matching ``role`` (and
    ``jurisdiction``, when the role is held over several)."""
    if not grants:
        raise refuse.no_role()
    candidates = [
        g
        for g in grants
        if (role is None or g.role == role)
        and (jurisdiction is None or g.jurisdiction_code == jurisdiction)
    ]
    if not candidates:
        raise refuse.role_not_held()
    if len(candidates) > 1:
        raise refuse.role_required([describe(g) for g in candidates])
    return candidates[0]


def describe(grant: Grant) -> str:
    """``乡镇站所录入员（650102001）``: a grant as a person reads it."""
    try:
        name = ROLE_NAMES[Role(grant.role)]
    except ValueError:
        name = grant.role
    return f"{name}（{grant.jurisdiction_code or '全国'}）"


def _failed(command: AttemptLogin, user: User) -> list[Event]:
    if user.locked_at(command.at):
        return [
            LoginFailed(
                user_id=user.user_id, at=command.at, failures=user.failures, source=command.source
            )
        ]
    failures = user.failures + 1
    failed = LoginFailed(
        user_id=user.user_id, at=command.at, failures=failures, source=command.source
    )
    events: list[Event] = [failed]
    if failures >= command.policy.max_failures:
        until = command.at + command.policy.lockout
        events.append(UserLockedOut(user_id=user.user_id, until=until))
    return events


def _succeeded(
    command: AttemptLogin, grant: Grant | None, *, purpose: Literal["access", "password_change"]
) -> LoginSucceeded:
    return LoginSucceeded(
        user_id=command.user_id,
        method=command.method,
        purpose=purpose,
        role=grant.role if grant else None,
        jurisdiction_code=grant.jurisdiction_code if grant else None,
        token_id=command.token_id,
        at=command.at,
        expires_at=command.at + command.policy.token_lifetime,
        source=command.source,
    )
