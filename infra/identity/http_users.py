"""Administering users over HTTP: enrol, grant and revoke roles, set a temporary password,
unlock, bind and revoke certificates, disable. Every route needs ``user.admin`` over the
user's division (and the grant's jurisdiction); nobody grants a role to themselves.
Retrying with the same Idempotency-Key is safe."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from contracts.pii import CitizenId, PiiError
from infra.http.actor import CurrentActor
from infra.identity import admin
from infra.identity.certificates import parse_certificate
from infra.identity.decide_login import describe
from infra.identity.http_common import (
    IdempotencyKey,
    IdentityApp,
    answering,
    command_context,
)
from infra.identity.refusals import invalid_citizen_id
from infra.identity.user_commands import (
    DisableUser,
    EnrolUser,
    GrantRole,
    RevokeCertificate,
    RevokeRole,
    UnlockUser,
)

router = APIRouter(tags=["users"])
UserId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.\-]{1,64}$")]
Fingerprint = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)


class EnrolBody(_Body):
    user_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.\-]{1,64}$")
    username: str = Field(pattern=r"^[a-z0-9][a-z0-9._\-]{2,31}$")
    name: str = Field(min_length=1, max_length=64)
    citizen_id: str = Field(max_length=32)
    division_code: str | None = Field(default=None, max_length=12)
    post: str = Field(min_length=1, max_length=100)
    backup_post: str | None = Field(default=None, min_length=1, max_length=100)


class GrantBody(_Body):
    role: str = Field(max_length=64)
    jurisdiction_code: str | None = Field(default=None, max_length=12)


class RevokeBody(GrantBody):
    reason: str = Field(min_length=1, max_length=200)


class PasswordBody(_Body):
    password: str = Field(min_length=1, max_length=256)


class CertificateBody(_Body):
    certificate: str = Field(min_length=1, max_length=16384, description="PEM")


class ReasonBody(_Body):
    reason: str = Field(min_length=1, max_length=200)


@router.post("/users", status_code=201)
async def post_user(
    body: EnrolBody, actor: CurrentActor, identity: IdentityApp, key: IdempotencyKey = None
) -> dict[str, Any]:
    """Enrol a real-name user (实名用户) with their post and backup post (AB 岗)."""
    user_id = body.user_id or _new_user_id(key)
    with answering():
        try:
            citizen_id = CitizenId(body.citizen_id)
        except PiiError:
            raise invalid_citizen_id() from None
        command = EnrolUser(
            user_id=user_id,
            username=body.username,
            name=body.name,
            citizen_id=citizen_id,
            division_code=body.division_code,
            post=body.post,
            backup_post=body.backup_post,
            by=actor.user_id,
        )
        context = command_context(identity, actor, key)
        enrolled = await admin.enrol_user(identity, context, command, admin.admin_guard(actor))
    return {"user_id": user_id, "enrolled": enrolled}


@router.get("/users/{user_id}")
async def get_user(user_id: UserId, actor: CurrentActor, identity: IdentityApp) -> dict[str, Any]:
    """A user as administrators see them: no personal data beyond the real name."""
    state, _ = await identity.users.load(user_id)
    with answering():
        user = admin.authorised(admin.admin_guard(actor), state)
    now = identity.clock.now()
    return {
        "user_id": user.user_id,
        "username": user.username,
        "name": user.name,
        "division_code": user.division_code,
        "post": user.post,
        "backup_post": user.backup_post,
        "grants": [
            {"role": g.role, "jurisdiction_code": g.jurisdiction_code, "label": describe(g)}
            for g in user.grants
        ],
        "password": user.password_status(now, max_age=identity.policy.password_max_age),
        "locked_until": user.locked_until if user.locked_at(now) else None,
        "certificates": [
            {"fingerprint": c.fingerprint, "subject": c.subject, "revoked": c.revoked}
            for c in user.certificates
        ],
        "disabled": user.disabled,
    }


@router.post("/users/{user_id}/roles")
async def post_grant(
    user_id: UserId,
    body: GrantBody,
    actor: CurrentActor,
    identity: IdentityApp,
    key: IdempotencyKey = None,
) -> dict[str, bool]:
    command = GrantRole(user_id, body.role, body.jurisdiction_code, by=actor.user_id)
    with answering():
        context = command_context(identity, actor, key)
        done = await admin.grant_role(identity, context, command, admin.admin_guard(actor))
    return {"granted": done}


@router.post("/users/{user_id}/roles/revoke")
async def post_revoke(
    user_id: UserId,
    body: RevokeBody,
    actor: CurrentActor,
    identity: IdentityApp,
    key: IdempotencyKey = None,
) -> dict[str, bool]:
    command = RevokeRole(user_id, body.role, body.jurisdiction_code, actor.user_id, body.reason)
    with answering():
        context = command_context(identity, actor, key)
        done = await admin.revoke_role(identity, context, command, admin.admin_guard(actor))
    return {"revoked": done}


@router.post("/users/{user_id}/password")
async def post_password(
    user_id: UserId, body: PasswordBody, actor: CurrentActor, identity: IdentityApp
) -> dict[str, bool]:
    """Set a temporary password, to be changed by the user at their next login."""
    with answering():
        context = command_context(identity, actor)
        guard = admin.admin_guard(actor)
        done = await admin.set_password(
            identity, context, user_id, body.password, guard, temporary=True
        )
    return {"set": done}


@router.post("/users/{user_id}/unlock")
async def post_unlock(
    user_id: UserId, actor: CurrentActor, identity: IdentityApp, key: IdempotencyKey = None
) -> dict[str, bool]:
    with answering():
        context = command_context(identity, actor, key)
        command = UnlockUser(user_id, at=context.at, by=actor.user_id)
        done = await admin.unlock_user(identity, context, command, admin.admin_guard(actor))
    return {"unlocked": done}


@router.post("/users/{user_id}/certificates")
async def post_certificate(
    user_id: UserId,
    body: CertificateBody,
    actor: CurrentActor,
    identity: IdentityApp,
    key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Bind a U-Key's certificate (PEM) to the user."""
    with answering():
        certificate = parse_certificate(body.certificate)
        context = command_context(identity, actor, key)
        guard = admin.admin_guard(actor)
        done = await admin.bind_certificate(identity, context, user_id, certificate, guard)
    return {"fingerprint": certificate.fingerprint, "bound": done}


@router.post("/users/{user_id}/certificates/{fingerprint}/revoke")
async def post_certificate_revoke(
    user_id: UserId,
    fingerprint: Fingerprint,
    body: ReasonBody,
    actor: CurrentActor,
    identity: IdentityApp,
    key: IdempotencyKey = None,
) -> dict[str, bool]:
    command = RevokeCertificate(user_id, fingerprint, actor.user_id, body.reason)
    with answering():
        context = command_context(identity, actor, key)
        guard = admin.admin_guard(actor)
        done = await admin.revoke_certificate(identity, context, command, guard)
    return {"revoked": done}


@router.post("/users/{user_id}/disable")
async def post_disable(
    user_id: UserId,
    body: ReasonBody,
    actor: CurrentActor,
    identity: IdentityApp,
    key: IdempotencyKey = None,
) -> dict[str, bool]:
    command = DisableUser(user_id, actor.user_id, body.reason)
    with answering():
        context = command_context(identity, actor, key)
        done = await admin.disable_user(identity, context, command, admin.admin_guard(actor))
    return {"disabled": done}


def _new_user_id(idempotency_key: str | None) -> str:
    """From the Idempotency-Key when given, so a retried enrolment names the same user."""
    if idempotency_key is None:
        return f"u-{uuid.uuid4().hex[:20]}"
    return f"u-{uuid.uuid5(uuid.NAMESPACE_URL, f'onecard:user:{idempotency_key}').hex[:20]}"
