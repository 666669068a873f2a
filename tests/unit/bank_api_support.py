"""The bank API's tests: the banks' credentials file, and requests signed as a bank signs them
(``infra.http.bank_signing``), sent to the payout world's app."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from infra.http.bank_signing import signed_headers
from tests.unit.payout_harness import PayoutWorld

SECRETS = {
    "abc-1": "abc-secret-0123456789-0123456789-abc",
    "rcc-1": "rcc-secret-0123456789-0123456789-rcc",
}


def write_bank_keys(path: Path, *, certificates: Mapping[str, str] | None = None) -> Path:
    """The credentials file: ABC and RCC keys for the county, ``certificates`` (fingerprint to
    bank) pinned; written 0600 where the payout's settings look for it."""
    content = {
        "format": 1,
        "keys": [
            {
                "key_id": key_id,
                "bank_code": key_id.split("-")[0].upper(),
                "jurisdiction_code": "650102",
                "secret": secret,
            }
            for key_id, secret in SECRETS.items()
        ],
        "certificates": [
            {"sha256": fingerprint, "bank_code": bank, "jurisdiction_code": "650102"}
            for fingerprint, bank in (certificates or {}).items()
        ],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump(content, file)
    return path


def body_of(results: list[dict[str, Any]]) -> bytes:
    return json.dumps({"results": results}).encode()


def result(
    instruction_id: str, amount_fen: int, status: str = "succeeded", **more: Any
) -> dict[str, Any]:
    """One result as the bank writes it; a success carries its reference and value date."""
    if status == "succeeded":
        more = {"bank_reference": f"B-{instruction_id}", "value_date": "2025-10-10", **more}
    return {"instruction_id": instruction_id, "status": status, "amount_fen": amount_fen, **more}


async def send(
    world: PayoutWorld,
    method: str,
    path: str,
    body: bytes = b"",
    *,
    key_id: str = "abc-1",
    at: datetime | None = None,
    nonce: str | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """A request signed with ``key_id``'s secret at ``at`` (default: the world's now), with
    ``nonce`` (default: a fresh one); ``headers`` are laid over the signed ones (to spoil
    them)."""
    signed = signed_headers(
        key_id=key_id,
        secret=SECRETS.get(key_id, "not-the-secret-of-anyone-0123456789"),
        method=method,
        path_and_query=path,
        body=body,
        at=at or world.clock.now(),
        nonce=nonce,
    )
    all_headers = {**signed, "Content-Type": "application/json", **(headers or {})}
    return await world.client.request(method, path, content=body, headers=all_headers)


async def stored(world: PayoutWorld) -> list[tuple[str, str]]:
    """Every event in the store: (stream, type)."""
    return [(r.stream_id, r.event_type) for r in await world.store.read_all(limit=100_000)]
