"""The simulated bank's side of the bank API: signed requests, as a real bank's would be."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson

from infra.http.bank_signing import signed_headers


class BankApiError(RuntimeError):
    """The payout refused the request itself (not one of its results): a bug or a bad key."""


@dataclass(frozen=True, slots=True)
class Handed:
    """One instruction as the payout handed it (the account stays here, never logged)."""

    instruction_id: str
    amount_fen: int
    query: bool
    account_no: str
    payee_name: str


class BankApiClient:
    """Signs each request at ``now()`` (the bank's clock; the system's by default)."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        key_id: str,
        secret: str,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._client = client
        self._key_id = key_id
        self._secret = secret
        self._now = now

    async def pending(self) -> list[Handed]:
        """Every instruction the payout hands this bank now, batch by batch."""
        document = await self._call("GET", "/bank/batches")
        return [
            Handed(
                i["instruction_id"], i["amount_fen"], i["query"], i["account_no"], i["payee_name"]
            )
            for batch in document["batches"]
            for i in batch["instructions"]
        ]

    async def push(self, results: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Each result's answer (its disposition), in the order sent."""
        document = await self._call("POST", "/bank/results", orjson.dumps({"results": results}))
        answers: list[dict[str, Any]] = document["results"]
        return answers

    async def _call(self, method: str, path: str, body: bytes = b"") -> Any:
        headers = signed_headers(
            key_id=self._key_id,
            secret=self._secret,
            method=method,
            path_and_query=path,
            body=body,
            at=self._now(),
        )
        headers["Content-Type"] = "application/json"
        answer = await self._client.request(method, path, content=body, headers=headers)
        document = orjson.loads(answer.content) if answer.content else {}
        if answer.status_code >= 400 and "results" not in document:
            code = document.get("code", answer.status_code)
            raise BankApiError(f"{method} {path}: {answer.status_code} {code}")
        return document
