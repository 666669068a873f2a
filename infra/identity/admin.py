"""Administering users: one function per command (load, authorise, decide, append).

Who may is a :data:`Guard` over a division code: over HTTP, ``user.admin`` of the calling
administrator (:func:`admin_guard`); from ``onecard users`` on the server,
:func:`server_operator`, who already holds the store's credentials. An administrator acts
on a user of their jurisdiction, and grants only roles over it. A user outside it reads as
unknown, so that nobody learns who exists elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from contracts.base import Event
from contracts.envelope import Actor
from infra.command_context import CommandContext
from infra.identity import refusals as refuse
from infra.identity.certificates import ClientCertificate, check_validity
from infra.identity.decide_user import (
    check_division,
    decide_bind,
    decide_disable,
    decide_enrol,
    decide_grant,
    decide_revoke,
    decide_revoke_certificate,
    decide_set_password,
    decide_unlock,
)
from infra.identity.events import (
    CertificateClaimed,
    UsernameClaimed,
    certificate_stream,
    username_stream,
)
from infra.identity.passwords import check_policy
from infra.identity.permissions import Action, authorize
from infra.identity.service import Identity
from infra.identity.user import User
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

Guard = Callable[[str | None], None]
"""Raises ``Forbidden`` unless the caller may administer users of that division."""


def admin_guard(actor: Actor) -> Guard:
    def guard(division: str | None) -> None:
        authorize(actor, Action.USER_ADMIN, division)

    return guard


def server_operator(_: str | None) -> None:
    """``onecard users`` on the server: bootstrapping the first administrator."""


def authorised(guard: Guard, state: User | None) -> User:
    if state is None:
        guard(None)
        raise refuse.unknown_user()
    guard(state.division_code)
    return state


def _on_user(
    guard: Guard, decide: Callable[[User], Sequence[Event]]
) -> Callable[[User | None], Sequence[Event]]:
    """``decide`` on a user the caller may administer."""
    return lambda state: decide(authorised(guard, state))


async def enrol_user(
    identity: Identity, context: CommandContext, command: EnrolUser, guard: Guard
) -> bool:
    """Enrol a real-name user and claim their username; False when already enrolled."""
    check_division(command.division_code)
    guard(command.division_code)
    users = identity.users
    state, _ = await users.load(command.user_id)
    decide_enrol(command, state)  # refused before the username is claimed
    await users.claim(
        context,
        username_stream(command.username),
        UsernameClaimed(user_id=command.user_id),
        refuse.username_taken,
    )
    appended = await users.change(context, command.user_id, lambda s: decide_enrol(command, s))
    await users.list_user(context, command.user_id, command.username)
    return bool(appended)


async def grant_role(
    identity: Identity, context: CommandContext, command: GrantRole, guard: Guard
) -> bool:
    guard(command.jurisdiction_code)
    decide = _on_user(guard, lambda s: decide_grant(command, s))
    return bool(await identity.users.change(context, command.user_id, decide))


async def revoke_role(
    identity: Identity, context: CommandContext, command: RevokeRole, guard: Guard
) -> bool:
    decide = _on_user(guard, lambda s: decide_revoke(command, s))
    return bool(await identity.users.change(context, command.user_id, decide))


async def set_password(
    identity: Identity,
    context: CommandContext,
    user_id: str,
    password: str,
    guard: Guard,
    *,
    temporary: bool,
) -> bool:
    """Set someone else's password (it must meet the policy); ``temporary`` ones must be
    changed at the next login. One's own is changed with the old one (``change_password``)."""
    if context.actor.user_id == user_id:
        raise refuse.self_reset()
    state, _ = await identity.users.load(user_id)
    check_policy(password, username=authorised(guard, state).username)
    command = SetPassword(
        user_id=user_id,
        password_hash=await identity.passwords.hash(password),
        at=context.at,
        temporary=temporary,
        by=context.actor.user_id,
    )
    decide = _on_user(guard, lambda s: decide_set_password(command, s))
    return bool(await identity.users.change(context, user_id, decide))


async def unlock_user(
    identity: Identity, context: CommandContext, command: UnlockUser, guard: Guard
) -> bool:
    decide = _on_user(guard, lambda s: decide_unlock(command, s))
    return bool(await identity.users.change(context, command.user_id, decide))


async def bind_certificate(
    identity: Identity,
    context: CommandContext,
    user_id: str,
    certificate: ClientCertificate,
    guard: Guard,
) -> bool:
    """Bind a U-Key's certificate (valid now, from the county CA when one is configured)
    to the user; a certificate names one user for good."""
    check_certificate(identity, certificate, context.at)
    command = BindCertificate(
        user_id=user_id,
        fingerprint=certificate.fingerprint,
        subject=certificate.subject,
        not_after=certificate.not_after,
        by=context.actor.user_id,
    )
    decide = _on_user(guard, lambda s: decide_bind(command, s))
    state, _ = await identity.users.load(user_id)
    decide(state)
    await identity.users.claim(
        context,
        certificate_stream(certificate.fingerprint),
        CertificateClaimed(user_id=user_id),
        refuse.certificate_taken,
    )
    return bool(await identity.users.change(context, user_id, decide))


def check_certificate(identity: Identity, certificate: ClientCertificate, now: datetime) -> None:
    authority = identity.authority()
    if authority is not None:
        authority.check(certificate, now)
    check_validity(certificate, now)


async def revoke_certificate(
    identity: Identity, context: CommandContext, command: RevokeCertificate, guard: Guard
) -> bool:
    decide = _on_user(guard, lambda s: decide_revoke_certificate(command, s))
    return bool(await identity.users.change(context, command.user_id, decide))


async def disable_user(
    identity: Identity, context: CommandContext, command: DisableUser, guard: Guard
) -> bool:
    decide = _on_user(guard, lambda s: decide_disable(command, s))
    return bool(await identity.users.change(context, command.user_id, decide))
