"""The staff signed in to the running services: one session per member, over HTTP only.

A session logs in at the registry (``POST /auth/token``; a temporary password is changed at
the first login, as the policy asks) and sends the bearer token to every service. An expired
token is renewed by logging in again. Where a service still refuses a token just issued, the
session falls back to the development headers for that service alone and says so in the
ledger, which the report prints: the fallback is never silent.

Requests that fail for a passing reason (no connection, 5xx, a lost race: 409 ``conflict``)
are sent again with the same Idempotency-Key, so nothing is done twice.
"""

from __future__ import annotations

import asyncio
import secrets
from collections import Counter
from typing import Any

import httpx

from infra.mainjob.answers import Refusal, error_code, transient
from infra.mainjob.staff import Member

RETRIES = 6
MUST_CHANGE = frozenset({"password_change_required", "password_expired"})


class Ledger:
    """How the staff were authenticated, per service: ``token`` or ``headers (<code>)``."""

    def __init__(self) -> None:
        self.calls: Counter[tuple[str, str]] = Counter()

    def lines(self) -> list[str]:
        services = sorted({service for service, _ in self.calls})
        return [
            f"{service}: "
            + ", ".join(f"{how} ×{n}" for (s, how), n in sorted(self.calls.items()) if s == service)
            for service in services
        ]


class Session:
    """One member of staff talking to the services at ``urls`` (service → base URL)."""

    def __init__(
        self, member: Member, http: httpx.AsyncClient, urls: dict[str, str], ledger: Ledger
    ) -> None:
        self.member = member
        self._http = http
        self._urls = urls
        self._ledger = ledger
        self._token: str | None = None
        self._generation = 0
        self._lock = asyncio.Lock()
        self._headers_only: dict[str, str] = {}
        self._renewed_for: dict[str, int] = {}

    async def call(
        self,
        method: str,
        service: str,
        path: str,
        *,
        key: str | None = None,
        ok: tuple[int, ...] = (200, 201, 202),
        **request: Any,
    ) -> httpx.Response:
        """The answer of a request whose status is in ``ok``; :class:`Refusal` otherwise."""
        answer = await self.send(method, service, path, key=key, **request)
        if answer.status_code not in ok:
            raise Refusal(answer)
        return answer

    async def send(
        self,
        method: str,
        service: str,
        path: str,
        *,
        key: str | None = None,
        headers: dict[str, str] | None = None,
        **request: Any,
    ) -> httpx.Response:
        """Any answer, after renewing tokens and retrying what failed in passing."""
        url, extra = self._urls[service] + path, headers or {}
        if key is not None:
            extra = {**extra, "Idempotency-Key": key}
        for attempt in range(RETRIES):
            auth, generation = await self._auth(service)
            try:
                answer = await self._http.request(method, url, headers={**extra, **auth}, **request)
            except httpx.TransportError:
                if attempt == RETRIES - 1:
                    raise
                await asyncio.sleep(0.2 * 2**attempt)
                continue
            if answer.status_code == 401 and generation is not None:
                await self._renew(service, answer, generation)
                continue
            if generation is not None:
                self._renewed_for.pop(service, None)  # the renewed token was taken
            if transient(answer) and attempt < RETRIES - 1:
                await asyncio.sleep(0.2 * 2**attempt)
                continue
            how = "token" if generation is not None else self._headers_only[service]
            self._ledger.calls[(service, how)] += 1
            return answer
        raise AssertionError("unreachable")

    async def login(self) -> None:
        """Log in (changing a temporary or expired password first) for a new token."""
        answer = await self._token_for(self.member.password)
        if answer.status_code == 403 and error_code(answer) in MUST_CHANGE:
            changed = f"Oc-{secrets.token_urlsafe(12)}8b"
            bearer = {"Authorization": f"Bearer {answer.json()['access_token']}"}
            body = {"old_password": self.member.password, "new_password": changed}
            done = await self._http.post(
                self._urls["registry"] + "/auth/password", json=body, headers=bearer
            )
            if done.status_code != 200:
                raise Refusal(done)
            self.member.password = changed
            answer = await self._token_for(changed)
        if answer.status_code != 200:
            raise Refusal(answer)
        self._token = answer.json()["access_token"]
        self._generation += 1

    async def _token_for(self, password: str) -> httpx.Response:
        body = {
            "username": self.member.username,
            "password": password,
            "role": self.member.role,
            "jurisdiction_code": self.member.jurisdiction,
        }
        return await self._http.post(self._urls["registry"] + "/auth/token", json=body)

    async def _auth(self, service: str) -> tuple[dict[str, str], int | None]:
        """The headers to send and the token's generation (None: development headers)."""
        if service in self._headers_only:
            return self._dev_headers(), None
        async with self._lock:
            if self._token is None:
                await self.login()
        return {"Authorization": f"Bearer {self._token}"}, self._generation

    async def _renew(self, service: str, answer: httpx.Response, generation: int) -> None:
        """After a 401 to a token: log in again, unless a token issued after that service
        refused one is refused too; then that service gets the development headers."""
        async with self._lock:
            if generation != self._generation:
                return  # renewed meanwhile
            if self._renewed_for.get(service) == generation:
                self._headers_only[service] = f"headers ({error_code(answer)})"
                return
            await self.login()
            self._renewed_for[service] = self._generation

    def _dev_headers(self) -> dict[str, str]:
        return {
            "X-Onecard-User": self.member.user_id,
            "X-Onecard-Role": self.member.role,
            "X-Onecard-Jurisdiction": self.member.jurisdiction,
        }
