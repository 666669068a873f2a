"""Logging in over HTTP: a password or a client certificate for a token, changing one's own
password, and who one is (``GET /users/me``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from contracts.envelope import Actor
from infra.http.actor import CurrentActor, bearer_claims
from infra.http.errors import ApiError, error_body
from infra.identity.certificates import presented_certificate
from infra.identity.decide_login import describe
from infra.identity.http_common import (
    IdentityApp,
    answering,
    api_error,
    client_address,
    command_context,
)
from infra.identity.login import (
    LoginResult,
    change_password,
    login_with_certificate,
    login_with_password,
)
from infra.identity.refusals import certificate_unknown, unknown_user

router = APIRouter(tags=["identity"])
_LOGIN = Actor.system("identity")
_MUST_CHANGE = {
    "password_expired": "密码已超过有效期，请先修改密码",
    "password_change_required": "管理员设置的初始密码须在首次登录时修改",
}


class TokenBody(BaseModel):
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)
    role: str | None = Field(default=None, max_length=64)
    jurisdiction_code: str | None = Field(default=None, max_length=12)


class CertificateLoginBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: str | None = Field(default=None, max_length=64)
    jurisdiction_code: str | None = Field(default=None, max_length=12)


class PasswordChangeBody(BaseModel):
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    old_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=1, max_length=256)


@router.post("/auth/token", response_model=None)
async def post_token(
    body: TokenBody, request: Request, identity: IdentityApp
) -> dict[str, Any] | JSONResponse:
    """Log in with username and password (and the role to act in, when several are held).
    An expired or temporary password answers 403 with a token good only for
    ``POST /auth/password``."""
    with answering():
        result = await login_with_password(
            identity,
            command_context(identity, _LOGIN),
            username=body.username,
            password=body.password,
            role=body.role,
            jurisdiction_code=body.jurisdiction_code,
            source=client_address(request),
        )
    if result.must_change is not None:
        message = _MUST_CHANGE[result.must_change]
        return JSONResponse(error_body(result.must_change, message, **_token(result)), 403)
    return _token(result)


@router.post("/auth/certificate")
async def post_certificate_login(
    body: CertificateLoginBody, request: Request, identity: IdentityApp
) -> dict[str, Any]:
    """Log in with the client certificate of this connection (the U-Key, 000 art.20)."""
    settings = identity.settings
    with answering():
        certificate = presented_certificate(
            request.scope,
            request.headers,
            header=settings.client_cert_header,
            trusted_proxies=settings.trusted_proxies,
        )
        if certificate is None:
            raise certificate_unknown()
        result = await login_with_certificate(
            identity,
            command_context(identity, _LOGIN),
            certificate,
            role=body.role,
            jurisdiction_code=body.jurisdiction_code,
            source=client_address(request),
        )
    return _token(result)


@router.post("/auth/password")
async def post_password(
    body: PasswordChangeBody,
    request: Request,
    identity: IdentityApp,
    authorization: Annotated[str | None, Header()] = None,
) -> dict[str, bool]:
    """Change one's own password (with a full token, or one issued because it expired)."""
    if authorization is None:
        raise ApiError(401, "unauthenticated", "未登录：请先登录")
    claims = bearer_claims(request, authorization)
    actor = Actor(user_id=claims.user_id, role="self", jurisdiction_code=None)
    with answering():
        await change_password(
            identity,
            command_context(identity, actor),
            user_id=claims.user_id,
            old=body.old_password,
            new=body.new_password,
        )
    return {"changed": True}


@router.get("/users/me")
async def get_me(actor: CurrentActor, identity: IdentityApp) -> dict[str, Any]:
    """Who is logged in: the real name, the posts, every grant held and the one in use."""
    user, _ = await identity.users.load(actor.user_id)
    if user is None:
        raise api_error(unknown_user())
    max_age = identity.policy.password_max_age
    return {
        "user_id": user.user_id,
        "username": user.username,
        "name": user.name,
        "citizen_id": user.citizen_id.masked(),
        "division_code": user.division_code,
        "post": user.post,
        "backup_post": user.backup_post,
        "acting_as": {"role": actor.role, "jurisdiction_code": actor.jurisdiction_code},
        "grants": [
            {"role": g.role, "jurisdiction_code": g.jurisdiction_code, "label": describe(g)}
            for g in user.grants
        ],
        "password_expires_at": (
            (user.password_set_at + max_age).isoformat() if user.password_set_at else None
        ),
    }


def _token(result: LoginResult) -> dict[str, Any]:
    return {
        "access_token": result.token,
        "token_type": "bearer",
        "expires_at": result.login.expires_at.isoformat(),
        "role": result.login.role,
        "jurisdiction_code": result.login.jurisdiction_code,
    }
