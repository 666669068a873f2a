"""Bad input on the bank API: each a clear 4xx with a stable code, and nothing stored — except
an answer naming no instruction of ours, which is recorded apart as unmatched (ADR 012)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from infra.http.bank_signing import (
    NONCE_HEADER,
    TIMESTAMP_HEADER,
    canonical_request,
    signature,
    signed_headers,
)
from services.payout.adapters.bank_nonces import NonceRegister
from services.payout.entrypoints.bank_auth import MAX_BODY_BYTES, BankGate
from tests.unit.bank_api_support import (
    SECRETS,
    body_of,
    result,
    send,
    stored,
    write_bank_keys,
)
from tests.unit.payout_harness import PayoutWorld, payout_world
from tests.unit.payout_samples import APPROVED_AT

PAID = body_of([result("r-1:1:1", 61_725)])


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[PayoutWorld]:
    write_bank_keys(tmp_path / "payout" / "bank-keys.json")
    async with payout_world(tmp_path, now=APPROVED_AT) as world:
        await world.submit_and_approve()
        yield world


def _spoiled(**headers: str) -> dict[str, Any]:
    return {"headers": headers}


@pytest.mark.parametrize(
    ("body", "how", "status", "code"),
    [
        (PAID, {"key_id": "nobody-1"}, 401, "bank_key_unknown"),
        (PAID, _spoiled(**{"X-Bank-Signature": "00" * 32}), 401, "bank_signature_invalid"),
        (PAID, _spoiled(**{TIMESTAMP_HEADER: "2025-10-09 02:00"}), 401, "bank_timestamp_invalid"),
        (PAID, _spoiled(**{NONCE_HEADER: "short"}), 401, "bank_nonce_invalid"),
        (PAID, {"at": APPROVED_AT - timedelta(minutes=6)}, 401, "bank_timestamp_stale"),
        (PAID, {"at": APPROVED_AT + timedelta(minutes=6)}, 401, "bank_timestamp_stale"),
        (b"{not json", {}, 422, "bank_body_malformed"),
        (
            body_of([{**result("r-1:1:1", 61_725), "amount_fen": 617.25}]),
            {},
            422,
            "bank_body_malformed",
        ),
        (body_of([result("r-1:1:1", 61_725, "paid")]), {}, 422, "bank_body_malformed"),
        (body_of([{**result("r-1:1:1", 61_725), "extra": 1}]), {}, 422, "bank_body_malformed"),
        (body_of([]), {}, 422, "bank_body_malformed"),
        (b" " * (MAX_BODY_BYTES + 1), {}, 413, "bank_body_too_large"),
        (body_of([result("r-1:1:1", 61_726)]), {}, 409, "payout_amount_mismatch"),
        (body_of([result("r-1:3:1", 12_345)]), {}, 403, "payout_wrong_bank"),
        (
            body_of([result("r-1:1:1", 61_725, "failed", reason_code="x")]),
            {},
            422,
            "payout_reason_unknown",
        ),
        (
            body_of([result("r-1:1:1", 61_725, value_date=None)]),
            {},
            422,
            "payout_success_incomplete",
        ),
    ],
    ids=[
        "unknown-key",
        "bad-signature",
        "unparsable-timestamp",
        "bad-nonce",
        "stale-timestamp",
        "future-timestamp",
        "not-json",
        "amount-with-fraction",
        "unknown-status",
        "unknown-field",
        "no-results",
        "too-large",
        "amount-mismatch",
        "another-banks-instruction",
        "unknown-reason-code",
        "success-without-value-date",
    ],
)
async def test_bad_input_is_refused_with_a_code_and_nothing_is_stored(
    world: PayoutWorld, body: bytes, how: dict[str, Any], status: int, code: str
) -> None:
    before = await stored(world)
    answer = await send(world, "POST", "/bank/results", body, **how)
    assert (answer.status_code, answer.json()["code"]) == (status, code), answer.text
    assert answer.json()["message"]
    assert await stored(world) == before


async def test_a_request_without_credentials_is_unauthenticated(world: PayoutWorld) -> None:
    answer = await world.client.post("/bank/results", content=PAID)
    assert (answer.status_code, answer.json()["code"]) == (401, "bank_unauthenticated")


async def test_a_signature_over_another_path_or_body_does_not_verify(world: PayoutWorld) -> None:
    before = await stored(world)
    headers = signed_headers(
        key_id="abc-1",
        secret=SECRETS["abc-1"],
        method="POST",
        path_and_query="/bank/results",
        body=body_of([result("r-1:2:1", 30_000)]),
        at=world.clock.now(),
    )
    answer = await world.client.post("/bank/results", content=PAID, headers=headers)
    assert answer.json()["code"] == "bank_signature_invalid"
    moved = await world.client.post("/bank/results?x=1", content=PAID, headers=headers)
    assert moved.json()["code"] == "bank_signature_invalid"
    assert await stored(world) == before


async def test_a_replayed_request_is_refused_even_after_a_restart(world: PayoutWorld) -> None:
    nonce = "replay-me-0123456789"
    first = await send(world, "POST", "/bank/results", PAID, nonce=nonce)
    assert first.status_code == 200, first.text
    after_first = await stored(world)
    again = await send(world, "POST", "/bank/results", PAID, nonce=nonce)
    assert (again.status_code, again.json()["code"]) == (401, "bank_nonce_replayed")
    app = world.parts.http
    old: BankGate = app.state.bank_gate
    app.state.bank_gate = BankGate(
        old.credentials, NonceRegister(world.payout.projections), old.settings
    )
    restarted = await send(world, "POST", "/bank/results", PAID, nonce=nonce)
    assert (restarted.status_code, restarted.json()["code"]) == (401, "bank_nonce_replayed")
    assert await stored(world) == after_first


async def test_a_nonce_may_come_again_once_its_window_has_passed(world: PayoutWorld) -> None:
    nonce = "reused-later-0123456789"
    assert (await send(world, "GET", "/bank/batches", nonce=nonce)).status_code == 200
    world.clock.advance(timedelta(minutes=11))
    assert (await send(world, "GET", "/bank/batches", nonce=nonce)).status_code == 200


async def test_an_epoch_timestamp_is_accepted(world: PayoutWorld) -> None:
    epoch = str(int(world.clock.now().timestamp()))
    nonce = "epoch-nonce-0123456789"
    canonical = canonical_request("GET", "/bank/batches", epoch, nonce, b"")
    headers = {
        "X-Bank-Key": "abc-1",
        TIMESTAMP_HEADER: epoch,
        NONCE_HEADER: nonce,
        "X-Bank-Signature": signature(SECRETS["abc-1"], canonical),
    }
    assert (await world.client.get("/bank/batches", headers=headers)).status_code == 200


async def test_an_unknown_instruction_is_recorded_as_unmatched_and_nothing_else(
    world: PayoutWorld,
) -> None:
    before = await stored(world)
    answer = await send(world, "POST", "/bank/results", body_of([result("r-9:1:1", 100)]))
    assert (answer.status_code, answer.json()["code"]) == (404, "payout_instruction_unmatched")
    assert answer.json()["results"][0]["disposition"] == "unmatched"
    added = (await stored(world))[len(before) :]
    assert added == [("payoutunmatched-ABC-20251009", "BankResultUnmatched")]


async def test_a_batch_with_some_refused_answers_every_result_and_takes_the_good_ones(
    world: PayoutWorld,
) -> None:
    results = [result("r-1:1:1", 61_725), result("r-1:2:1", 1), result("r-1:3:1", 12_345)]
    answer = await send(world, "POST", "/bank/results", body_of(results))
    assert (answer.status_code, answer.json()["code"]) == (422, "bank_results_refused")
    dispositions = [(r["disposition"], r["code"]) for r in answer.json()["results"]]
    assert dispositions == [
        ("applied", None),
        ("refused", "payout_amount_mismatch"),
        ("refused", "payout_wrong_bank"),
    ]
    assert await world.types("payment-r-1-2") == ["PaymentInstructed"]
    assert await world.types("payment-r-1-1") == ["PaymentInstructed", "PaymentSucceeded"]
