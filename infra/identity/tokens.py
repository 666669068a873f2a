"""Short-lived signed tokens (JWT, EdDSA over Ed25519): who the bearer is and in which role
and jurisdiction they act, until ``exp``.

Verification accepts EdDSA only (``alg: none``, HMAC with the public key and every other
algorithm are refused before any signature check), requires every claim, and reads the
time from the caller, so expiry is tested like any other rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Literal

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from contracts.envelope import Actor
from infra.identity.token_keys import key_id

ISSUER: Final = "onecard"
AUDIENCE: Final = "onecard"
ALGORITHM: Final = "EdDSA"
CLOCK_SKEW: Final = timedelta(seconds=30)
_REQUIRED: Final = ["iss", "aud", "sub", "jti", "iat", "exp", "purpose"]
Purpose = Literal["access", "password_change"]


class TokenRefused(Exception):
    """A token that proves nothing: ``code`` is stable, ``message`` Chinese (answers 401)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def _invalid() -> TokenRefused:
    return TokenRefused("token_invalid", "登录凭证无效，请重新登录")


@dataclass(frozen=True, slots=True)
class TokenClaims:
    user_id: str
    role: str | None
    jurisdiction_code: str | None
    purpose: Purpose
    token_id: str
    issued_at: datetime
    expires_at: datetime

    def actor(self) -> Actor:
        """The actor of an access token; a password-change token acts as nobody."""
        if self.purpose != "access" or self.role is None:
            raise TokenRefused("password_change_required", "请先修改密码：此凭证只能用于修改密码")
        return Actor(user_id=self.user_id, role=self.role, jurisdiction_code=self.jurisdiction_code)


def issue_token(claims: TokenClaims, key: Ed25519PrivateKey) -> str:
    payload: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": claims.user_id,
        "jti": claims.token_id,
        "iat": int(claims.issued_at.timestamp()),
        "exp": int(claims.expires_at.timestamp()),
        "purpose": claims.purpose,
        "role": claims.role,
        "jur": claims.jurisdiction_code,
    }
    headers = {"kid": key_id(key.public_key())}
    return jwt.encode(payload, key, algorithm=ALGORITHM, headers=headers)


def verify_token(token: str, key: Ed25519PublicKey, *, now: datetime) -> TokenClaims:
    """The claims of a token this platform signed and that is valid at ``now``; raises
    :class:`TokenRefused` (``token_expired`` or ``token_invalid``) otherwise."""
    try:
        if jwt.get_unverified_header(token).get("alg") != ALGORITHM:
            raise _invalid()
        payload = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": _REQUIRED, "verify_exp": False, "verify_iat": False},
        )
    except jwt.PyJWTError:
        raise _invalid() from None
    claims = _claims(payload)
    if claims.issued_at > now + CLOCK_SKEW:
        raise _invalid()
    if now >= claims.expires_at:
        raise TokenRefused("token_expired", "登录已过期，请重新登录")
    return claims


def _claims(payload: dict[str, Any]) -> TokenClaims:
    try:
        purpose = payload["purpose"]
        if purpose not in ("access", "password_change"):
            raise _invalid()
        role, jurisdiction = payload.get("role"), payload.get("jur")
        if not isinstance(role, str | None) or not isinstance(jurisdiction, str | None):
            raise _invalid()
        return TokenClaims(
            user_id=str(payload["sub"]),
            role=role,
            jurisdiction_code=jurisdiction,
            purpose=purpose,
            token_id=str(payload["jti"]),
            issued_at=datetime.fromtimestamp(int(payload["iat"]), UTC),
            expires_at=datetime.fromtimestamp(int(payload["exp"]), UTC),
        )
    except (KeyError, TypeError, ValueError, OverflowError):
        raise _invalid() from None
