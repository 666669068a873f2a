"""Tokens: what one proves, and every way a forged, tampered or stale one is refused; the key
pair is made once, 0600, and a mismatched pair is refused."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import stat
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from infra.identity.token_keys import (
    KeyUnavailable,
    VerifyKeyFile,
    load_or_create_signing_key,
    load_verify_key,
)
from infra.identity.tokens import TokenClaims, TokenRefused, issue_token, verify_token

T0 = datetime(2025, 3, 3, 1, 0, tzinfo=UTC)
KEY = Ed25519PrivateKey.generate()
CLAIMS = TokenClaims(
    user_id="u-1",
    role="township_operator",
    jurisdiction_code="650102001",
    purpose="access",
    token_id="t-1",
    issued_at=T0,
    expires_at=T0 + timedelta(minutes=15),
)


def _payload(token: str) -> dict[str, object]:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))  # type: ignore[no-any-return]


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_a_token_names_the_user_role_and_jurisdiction_until_it_expires() -> None:
    token = issue_token(CLAIMS, KEY)
    claims = verify_token(token, KEY.public_key(), now=T0 + timedelta(minutes=14))
    assert claims == CLAIMS
    assert claims.actor().model_dump() == {
        "user_id": "u-1",
        "role": "township_operator",
        "jurisdiction_code": "650102001",
    }
    assert set(_payload(token)) >= {"sub", "role", "jur", "exp", "iat", "jti"}


def test_an_expired_token_is_refused_as_expired() -> None:
    token = issue_token(CLAIMS, KEY)
    with pytest.raises(TokenRefused) as refused:
        verify_token(token, KEY.public_key(), now=T0 + timedelta(minutes=15))
    assert refused.value.code == "token_expired"


def _forged_with_another_key() -> str:
    return issue_token(CLAIMS, Ed25519PrivateKey.generate())


def _alg_none() -> str:
    header = _b64({"alg": "none", "typ": "JWT"})
    return f"{header}.{_b64(_payload(issue_token(CLAIMS, KEY)))}."


def _tampered_role() -> str:
    header, _, signature = issue_token(CLAIMS, KEY).split(".")
    payload = {**_payload(issue_token(CLAIMS, KEY)), "role": "county_finance_officer"}
    return f"{header}.{_b64(payload)}.{signature}"


def _hmac_with_the_public_key() -> str:
    public = KEY.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    payload = _payload(issue_token(CLAIMS, KEY))
    header = _b64({"alg": "HS256", "typ": "JWT"})
    signing_input = f"{header}.{_b64(payload)}".encode()
    signature = base64.urlsafe_b64encode(hmac.new(public, signing_input, hashlib.sha256).digest())
    return f"{signing_input.decode()}.{signature.rstrip(b'=').decode()}"


def _without_expiry() -> str:
    payload = {k: v for k, v in _payload(issue_token(CLAIMS, KEY)).items() if k != "exp"}
    return jwt.encode(payload, KEY, algorithm="EdDSA")


def _issued_in_the_future() -> str:
    return issue_token(replace(CLAIMS, issued_at=T0 + timedelta(hours=1)), KEY)


@pytest.mark.parametrize(
    "forge",
    [
        _forged_with_another_key,
        _alg_none,
        _tampered_role,
        _hmac_with_the_public_key,
        _without_expiry,
        _issued_in_the_future,
        lambda: "not.a.token",
        lambda: "",
    ],
    ids=[
        "another-key",
        "alg-none",
        "tampered",
        "hs256-public-key",
        "no-exp",
        "future-iat",
        "garbage",
        "empty",
    ],
)
def test_a_forged_or_tampered_token_is_refused_as_invalid(forge) -> None:
    with pytest.raises(TokenRefused) as refused:
        verify_token(forge(), KEY.public_key(), now=T0 + timedelta(minutes=1))
    assert refused.value.code == "token_invalid"


def test_a_password_change_token_acts_as_nobody() -> None:
    change_only = replace(CLAIMS, purpose="password_change", role=None)
    claims = verify_token(issue_token(change_only, KEY), KEY.public_key(), now=T0)
    with pytest.raises(TokenRefused, match="password_change_required"):
        claims.actor()


def test_the_key_pair_is_made_once_private_0600_and_read_back(tmp_path: Path) -> None:
    private, public = tmp_path / "id" / "signing.pem", tmp_path / "id" / "verify.pem"
    key = load_or_create_signing_key(private, public)
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    again = load_or_create_signing_key(private, public)
    token = issue_token(CLAIMS, again)
    assert verify_token(token, key.public_key(), now=T0) == CLAIMS
    assert verify_token(token, load_verify_key(public), now=T0) == CLAIMS
    assert [p.name for p in private.parent.iterdir() if p.name.startswith(".")] == []


def test_a_readable_signing_key_or_a_foreign_public_key_is_refused(tmp_path: Path) -> None:
    private, public = tmp_path / "signing.pem", tmp_path / "verify.pem"
    load_or_create_signing_key(private, public)
    private.chmod(0o644)
    with pytest.raises(PermissionError, match="0600"):
        load_or_create_signing_key(private, public)
    private.chmod(0o600)
    other = tmp_path / "other.pem"
    load_or_create_signing_key(other, tmp_path / "other.pub.pem")
    public.write_bytes((tmp_path / "other.pub.pem").read_bytes())
    with pytest.raises(ValueError, match="not the public half"):
        load_or_create_signing_key(private, public)


def test_a_verifying_service_finds_the_public_key_once_it_appears(tmp_path: Path) -> None:
    public = tmp_path / "verify.pem"
    keys = VerifyKeyFile(public)
    with pytest.raises(KeyUnavailable):
        keys.key()
    signing = load_or_create_signing_key(tmp_path / "signing.pem", public)
    assert verify_token(issue_token(CLAIMS, signing), keys.key(), now=T0) == CLAIMS
