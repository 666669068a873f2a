"""Who is calling the bank API: an agent bank, proven by an HMAC signature of the request
(``infra.http.bank_signing``) or by a client certificate that the trusted TLS proxy verified
and forwarded (the U-Key path of ``infra.identity.certificates``), pinned to the bank.

A signed request is admitted when its key id is configured, its signature matches (constant-
time), its timestamp is within ``WINDOW`` of the service's clock, and its nonce was not used
in that window (remembered in the projection database, so a restart does not reopen it). The
body is read here, at most ``MAX_BODY_BYTES``, before it is parsed. The bank becomes an actor
in the role ``bank_connector`` of its county: every call then goes through the application's
own authorisation and query log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Final

from fastapi import Depends, Header, Request

from contracts.envelope import Actor
from infra.http import bank_signing as signing
from infra.http.bank_keys import BankCredential, BankCredentialFile
from infra.http.context import request_now
from infra.http.errors import ApiError
from infra.identity.certificates import check_validity, presented_certificate
from infra.identity.refusals import IdentityRefused
from infra.settings import Settings
from services.payout.adapters.bank_nonces import NonceRegister
from services.payout.entrypoints.bank_errors import refused

WINDOW: Final = timedelta(minutes=5)
MAX_BODY_BYTES: Final = 1 << 20


@dataclass(frozen=True, slots=True)
class BankCaller:
    """An authenticated bank, and the body it sent (already read, within the limit)."""

    actor: Actor
    bank_code: str
    key_id: str
    body: bytes


@dataclass
class BankGate:
    credentials: BankCredentialFile
    nonces: NonceRegister
    settings: Settings

    async def admit(self, request: Request, now: datetime) -> BankCaller:
        key_id = request.headers.get(signing.KEY_HEADER)
        if key_id is None:
            return _caller(self._certified(request, now), await _body(request))
        body = await _body(request)
        keyed = self.credentials.credentials().by_key.get(key_id)
        if keyed is None or keyed.secret is None:
            raise refused("bank_key_unknown")
        stamped = _signed(request, keyed.secret, body, now)
        if not await self.nonces.claim(key_id, stamped.nonce, expires_at=stamped.expires, now=now):
            raise refused("bank_nonce_replayed")
        return _caller(keyed, body)

    def _certified(self, request: Request, now: datetime) -> BankCredential:
        try:
            presented = presented_certificate(
                request.scope,
                request.headers,
                header=self.settings.client_cert_header,
                trusted_proxies=self.settings.trusted_proxies,
            )
            if presented is not None:
                check_validity(presented, now)
        except IdentityRefused as error:
            raise ApiError(error.status, error.code, error.message) from None
        if presented is None:
            raise refused("bank_unauthenticated")
        credential = self.credentials.credentials().by_certificate.get(presented.fingerprint)
        if credential is None:
            raise refused("bank_certificate_unknown")
        return credential


@dataclass(frozen=True, slots=True)
class _Stamp:
    nonce: str
    expires: datetime
    """When the nonce may be forgotten: its timestamp leaves the window."""


def _signed(request: Request, secret: str, body: bytes, now: datetime) -> _Stamp:
    headers = request.headers
    stamp = headers.get(signing.TIMESTAMP_HEADER, "")
    nonce = headers.get(signing.NONCE_HEADER, "")
    given = headers.get(signing.SIGNATURE_HEADER, "")
    at = signing.parse_timestamp(stamp)
    if at is None:
        raise refused("bank_timestamp_invalid")
    if not signing.NONCE_PATTERN.fullmatch(nonce):
        raise refused("bank_nonce_invalid")
    canonical = signing.canonical_request(request.method, _target(request), stamp, nonce, body)
    if not signing.signature_matches(secret, canonical, given):
        raise refused("bank_signature_invalid")
    if abs(now - at) > WINDOW:
        raise refused("bank_timestamp_stale")
    return _Stamp(nonce, at + WINDOW)


def _caller(credential: BankCredential, body: bytes) -> BankCaller:
    actor = Actor(
        user_id=f"bank:{credential.bank_code}:{credential.key_id}",
        role="bank_connector",
        jurisdiction_code=credential.jurisdiction_code,
    )
    return BankCaller(actor, credential.bank_code, credential.key_id, body)


def _target(request: Request) -> str:
    """The path and query as the client sent them (what it signed)."""
    raw: bytes = request.scope.get("raw_path") or request.scope["path"].encode()
    query: bytes = request.scope.get("query_string", b"")
    target = raw.decode("latin-1")
    return f"{target}?{query.decode('latin-1')}" if query else target


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdecimal() and int(declared) > MAX_BODY_BYTES:
        raise refused("bank_body_too_large")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise refused("bank_body_too_large")
        chunks.append(chunk)
    return b"".join(chunks)


def bank_gate(request: Request) -> BankGate:
    gate: BankGate = request.app.state.bank_gate
    return gate


async def bank_caller(
    request: Request,
    gate: Annotated[BankGate, Depends(bank_gate)],
    _key: Annotated[str | None, Header(alias=signing.KEY_HEADER)] = None,
    _timestamp: Annotated[str | None, Header(alias=signing.TIMESTAMP_HEADER)] = None,
    _nonce: Annotated[str | None, Header(alias=signing.NONCE_HEADER)] = None,
    _signature: Annotated[str | None, Header(alias=signing.SIGNATURE_HEADER)] = None,
) -> BankCaller:
    """The calling bank (the headers are declared for the OpenAPI document; the gate reads
    them itself). Without ``X-Bank-Key``: the forwarded client certificate."""
    return await gate.admit(request, request_now())


Bank = Annotated[BankCaller, Depends(bank_caller)]
