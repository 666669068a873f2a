"""Who is calling: the actor every command is attributed to (ADR 008).

In order:

1. ``Authorization: Bearer <token>``: a token signed by the identity key, verified with its
   public key; an expired, forged or tampered one answers 401 with its code, and a token
   only good for changing the password answers 403 ``password_change_required``.
2. A client certificate (the U-Key), verified by the server or forwarded by a trusted TLS
   proxy, bound to an active user; where the app holds the user store (the registry). The
   ``X-Onecard-Role``/``-Jurisdiction`` headers then only choose among the user's grants.
3. Development and test deployments only, and only without an ``Authorization`` header:
   the ``X-Onecard-User``, ``X-Onecard-Role`` and ``X-Onecard-Jurisdiction`` headers.
   Production refuses them.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Header, Request

from contracts.envelope import Actor
from infra.clock import SystemClock
from infra.http.errors import ApiError
from infra.identity.certificates import presented_certificate
from infra.identity.login import certificate_actor
from infra.identity.refusals import IdentityRefused
from infra.identity.service import Identity
from infra.identity.token_keys import KeyUnavailable, VerifyKeyFile
from infra.identity.tokens import TokenClaims, TokenRefused, verify_token
from infra.settings import Settings, get_settings

_VERIFY_KEYS: dict[Path, VerifyKeyFile] = {}
_SYSTEM_CLOCK = SystemClock()


def _identity(request: Request) -> Identity | None:
    identity: Identity | None = getattr(request.app.state, "identity", None)
    return identity


def _settings(request: Request) -> Settings:
    identity = _identity(request)
    return identity.settings if identity is not None else get_settings()


def _now(request: Request) -> datetime:
    identity = _identity(request)
    return (identity.clock if identity is not None else _SYSTEM_CLOCK).now()


def bearer_claims(request: Request, authorization: str) -> TokenClaims:
    """The verified claims of a bearer token (any purpose); 401 with a code otherwise."""
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "token_invalid", "登录凭证无效，请重新登录")
    identity = _identity(request)
    try:
        if identity is not None:
            key = identity.verify_key()
        else:
            path = get_settings().resolved_token_verify_key_file
            key = _VERIFY_KEYS.setdefault(path, VerifyKeyFile(path)).key()
    except KeyUnavailable:
        raise ApiError(401, "identity_not_configured", "身份认证尚未配置，拒绝操作") from None
    try:
        return verify_token(token.strip(), key, now=_now(request))
    except TokenRefused as refused:
        raise ApiError(401, refused.code, refused.message) from None


async def current_actor(
    request: Request,
    authorization: Annotated[str | None, Header()] = None,
    user: Annotated[str | None, Header(alias="X-Onecard-User")] = None,
    role: Annotated[str | None, Header(alias="X-Onecard-Role")] = None,
    jurisdiction: Annotated[str | None, Header(alias="X-Onecard-Jurisdiction")] = None,
) -> Actor:
    if authorization is not None:
        try:
            return bearer_claims(request, authorization).actor()
        except TokenRefused as refused:
            raise ApiError(403, refused.code, refused.message) from None
    settings = _settings(request)
    try:
        certified = await _certificate_actor(request, settings, role, jurisdiction or None)
    except IdentityRefused as refused:
        raise ApiError(refused.status, refused.code, refused.message) from None
    if certified is not None:
        return certified
    if settings.environment == "prod":
        raise ApiError(401, "unauthenticated", "未登录：请先登录")
    if not user or not role:
        raise ApiError(401, "unauthenticated", "未登录：请提供操作人员身份")
    return Actor(user_id=user, role=role, jurisdiction_code=jurisdiction or None)


async def _certificate_actor(
    request: Request, settings: Settings, role: str | None, jurisdiction: str | None
) -> Actor | None:
    certificate = presented_certificate(
        request.scope,
        request.headers,
        header=settings.client_cert_header,
        trusted_proxies=settings.trusted_proxies,
    )
    if certificate is None:
        return None
    identity = _identity(request)
    if identity is None:
        raise IdentityRefused(
            "certificate_not_accepted_here",
            "此服务不直接接受证书：请先用证书登录（POST /auth/certificate）换取令牌",
            status=401,
        )
    now = _now(request)
    return await certificate_actor(
        identity, certificate, role=role, jurisdiction_code=jurisdiction, now=now
    )


CurrentActor = Annotated[Actor, Depends(current_actor)]
