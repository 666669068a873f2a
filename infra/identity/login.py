"""Logging in: by password or by client certificate, each answered with a signed token; and
changing one's own password.

Every attempt on an existing account is stored (``LoginFailed`` or ``LoginSucceeded``, with
the address it came from): the log of who got in when, as which role (000 art.20). An
unknown username and a wrong password get the same answer after about the same time.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from contracts.envelope import Actor
from infra.command_context import CommandContext
from infra.identity import refusals as refuse
from infra.identity.admin import check_certificate
from infra.identity.certificates import ClientCertificate
from infra.identity.decide_login import choose_grant, decide_login
from infra.identity.decide_user import USERNAME, decide_set_password
from infra.identity.events import LoginSucceeded, certificate_stream, username_stream
from infra.identity.passwords import check_policy
from infra.identity.service import Identity
from infra.identity.tokens import TokenClaims, issue_token
from infra.identity.user import User
from infra.identity.user_commands import AttemptLogin, SetPassword


@dataclass(frozen=True, slots=True)
class LoginResult:
    token: str
    login: LoginSucceeded
    must_change: Literal["password_expired", "password_change_required"] | None = None
    """Why the token is only good for changing the password (an old or a temporary one)."""


async def login_with_password(
    identity: Identity,
    context: CommandContext,
    *,
    username: str,
    password: str,
    role: str | None = None,
    jurisdiction_code: str | None = None,
    source: str | None = None,
) -> LoginResult:
    """The token and its facts; raises ``invalid_credentials`` (after storing the failure,
    and the lockout it may cause), or a refusal only a right password reveals."""
    user = await _user_named(identity, username.strip().lower())
    ok = await identity.passwords.verify(user.password_hash if user else None, password)
    if user is None or user.password_hash is None:
        raise refuse.invalid_credentials()
    attempt = AttemptLogin(
        user_id=user.user_id,
        method="password",
        credential_ok=ok,
        role=role,
        jurisdiction_code=jurisdiction_code,
        token_id=uuid.uuid4().hex,
        at=context.at,
        policy=identity.policy,
        source=source,
    )
    token, login = await _record(identity, context, attempt)
    if login.purpose == "access":
        return LoginResult(token, login)
    if user.password_temporary:
        return LoginResult(token, login, must_change="password_change_required")
    return LoginResult(token, login, must_change="password_expired")


async def login_with_certificate(
    identity: Identity,
    context: CommandContext,
    certificate: ClientCertificate,
    *,
    role: str | None = None,
    jurisdiction_code: str | None = None,
    source: str | None = None,
) -> LoginResult:
    """A token for the active user a bound, unrevoked certificate names."""
    user = await certificate_holder(identity, certificate, context.at)
    attempt = AttemptLogin(
        user_id=user.user_id,
        method="certificate",
        credential_ok=True,
        role=role,
        jurisdiction_code=jurisdiction_code,
        token_id=uuid.uuid4().hex,
        at=context.at,
        policy=identity.policy,
        source=source,
    )
    return LoginResult(*await _record(identity, context, attempt))


async def certificate_actor(
    identity: Identity,
    certificate: ClientCertificate,
    *,
    role: str | None,
    jurisdiction_code: str | None,
    now: datetime,
) -> Actor:
    """The actor of a request that carries a client certificate (read only: nothing stored)."""
    user = await certificate_holder(identity, certificate, now)
    if user.disabled:
        raise refuse.account_disabled()
    grant = choose_grant(user.grants, role, jurisdiction_code)
    return Actor(user_id=user.user_id, role=grant.role, jurisdiction_code=grant.jurisdiction_code)


async def certificate_holder(
    identity: Identity, certificate: ClientCertificate, now: datetime
) -> User:
    check_certificate(identity, certificate, now)
    holder = await identity.users.holder(certificate_stream(certificate.fingerprint))
    user = (await identity.users.load(holder))[0] if holder else None
    bound = user.certificate(certificate.fingerprint) if user else None
    if user is None or bound is None:
        raise refuse.certificate_unknown()
    if bound.revoked:
        raise refuse.certificate_revoked()
    return user


async def change_password(
    identity: Identity, context: CommandContext, *, user_id: str, old: str, new: str
) -> None:
    """The user's own change: the old password must be right (a wrong one counts as a failed
    login, so this is no way around the lockout), the new one must meet the policy."""
    user, _ = await identity.users.load(user_id)
    if user is None or user.password_hash is None:
        raise refuse.no_password()
    attempt = AttemptLogin(
        user_id=user_id,
        method="password",
        credential_ok=await identity.passwords.verify(user.password_hash, old),
        role=None,
        jurisdiction_code=None,
        token_id=uuid.uuid4().hex,
        at=context.at,
        policy=identity.policy,
    )
    if not attempt.credential_ok:
        await identity.users.change(context, user_id, lambda s: decide_login(attempt, _present(s)))
        raise refuse.wrong_old_password()
    if user.disabled:
        raise refuse.account_disabled()
    if user.locked_at(context.at):
        assert user.locked_until is not None
        raise refuse.account_locked(user.locked_until)
    check_policy(new, username=user.username)
    if await identity.passwords.verify(user.password_hash, new):
        raise refuse.password_reused()
    command = SetPassword(
        user_id=user_id,
        password_hash=await identity.passwords.hash(new),
        at=context.at,
        temporary=False,
        by=user_id,
    )
    await identity.users.change(context, user_id, lambda s: decide_set_password(command, s))


async def _user_named(identity: Identity, username: str) -> User | None:
    if not USERNAME.match(username):
        return None
    user_id = await identity.users.holder(username_stream(username))
    return (await identity.users.load(user_id))[0] if user_id else None


async def _record(
    identity: Identity, context: CommandContext, attempt: AttemptLogin
) -> tuple[str, LoginSucceeded]:
    events = await identity.users.change(
        context, attempt.user_id, lambda state: decide_login(attempt, _present(state))
    )
    outcome = events[0] if events else None
    if not isinstance(outcome, LoginSucceeded):
        raise refuse.invalid_credentials()
    claims = TokenClaims(
        user_id=outcome.user_id,
        role=outcome.role,
        jurisdiction_code=outcome.jurisdiction_code,
        purpose=outcome.purpose,
        token_id=outcome.token_id,
        issued_at=outcome.at,
        expires_at=outcome.expires_at,
    )
    return issue_token(claims, identity.signing_key()), outcome


def _present(state: User | None) -> User:
    if state is None:
        raise refuse.invalid_credentials()
    return state
