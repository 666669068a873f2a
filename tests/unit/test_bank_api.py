"""The agent bank's HTTP API, signed as a bank signs: it fetches its own pending batches (the
read logged, accounts in full for the bank), pushes results and is answered per result; an
unknown outcome comes back flagged ``query``; a client certificate pinned to a bank works
instead of the signature."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote

import pytest

from infra.identity.certificates import parse_certificate
from infra.identity.query_log import reads_of
from infra.settings import Settings
from services.payout.entrypoints.bank_schemas import ResultsOut
from tests.unit.bank_api_support import body_of, result, send, write_bank_keys
from tests.unit.payout_harness import PayoutWorld, payout_world
from tests.unit.payout_samples import APPROVED_AT, unknown
from tests.unit.test_identity_certificates import COUNTY as CA

ABC_CERTIFICATE = CA.issue("农业银行天山支行")
STRANGER_CERTIFICATE = CA.issue("某公司")


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[PayoutWorld]:
    pinned = {parse_certificate(ABC_CERTIFICATE).fingerprint: "ABC"}
    write_bank_keys(tmp_path / "payout" / "bank-keys.json", certificates=pinned)
    async with payout_world(tmp_path, now=APPROVED_AT) as world:
        await world.submit_and_approve()
        yield world


async def test_a_bank_fetches_only_its_own_pending_batch_with_header_and_full_accounts(
    world: PayoutWorld,
) -> None:
    answer = await send(world, "GET", "/bank/batches")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    (batch,) = body["batches"]
    assert (body["bank_code"], body["row_count"], body["total_fen"]) == ("ABC", 3, 141_725)
    assert batch["header"] == {"issued_rows": 3, "issued_fen": 141_725}
    assert batch["programme_name"] == "耕地地力保护补贴"
    assert [i["instruction_id"] for i in batch["instructions"]] == ["r-1:1:1", "r-1:2:1", "r-1:4:1"]
    first = batch["instructions"][0]
    assert first["account_no"].endswith("8901")
    assert "*" not in first["account_no"]
    assert first["query"] is False
    (read,) = await reads_of(store=world.store, user_id="bank:ABC:abc-1", day=world.clock.now())
    assert read.event.row_nos == (1, 2, 4)  # type: ignore[attr-defined]
    rcc = (await send(world, "GET", "/bank/batches", key_id="rcc-1")).json()
    assert [i["instruction_id"] for b in rcc["batches"] for i in b["instructions"]] == ["r-1:3:1"]


async def test_an_instruction_whose_outcome_is_unknown_is_handed_again_as_a_query(
    world: PayoutWorld,
) -> None:
    await world.answer(unknown("r-1:4:1", 50_000))
    (batch,) = (await send(world, "GET", "/bank/batches")).json()["batches"]
    queried = {i["instruction_id"]: i["query"] for i in batch["instructions"]}
    assert queried == {"r-1:1:1": False, "r-1:2:1": False, "r-1:4:1": True}


async def test_one_batch_is_fetched_by_id_and_another_banks_batch_is_not_found(
    world: PayoutWorld,
) -> None:
    abc = (await send(world, "GET", "/bank/batches")).json()["batches"][0]["batch_id"]
    rcc = (await send(world, "GET", "/bank/batches", key_id="rcc-1")).json()["batches"][0]
    own = await send(world, "GET", f"/bank/batches/{abc}")
    assert (own.status_code, own.json()["row_count"]) == (200, 3)
    other = await send(world, "GET", f"/bank/batches/{rcc['batch_id']}")
    assert (other.status_code, other.json()["code"]) == (404, "bank_batch_not_found")


async def test_results_are_answered_one_by_one_in_the_order_sent(world: PayoutWorld) -> None:
    results = [
        result("r-1:1:1", 61_725),
        result("r-1:2:1", 30_000, "failed", reason_code="bank_system_busy"),
        result("r-1:4:1", 50_000, "unknown", detail="核心系统超时"),
        result("r-1:1:1", 61_725),
        result("r-1:4:1", 50_000),
    ]
    answer = await send(world, "POST", "/bank/results", body_of(results))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [(r["disposition"], r["row_status"]) for r in body["results"]] == [
        ("applied", "paid"),
        ("applied", "pending"),
        ("applied", "unknown"),
        ("duplicate", "paid"),
        ("applied", "paid"),
    ]
    assert body["results"][1]["next_instruction_id"] == "r-1:2:2"
    assert body["summary"] == {"applied": 4, "duplicate": 1}
    assert ResultsOut.model_validate(body).code is None  # the answer is what OpenAPI says
    assert await world.types("payment-r-1-1") == [
        "PaymentInstructed",
        "PaymentSucceeded",
        "BankResultNoted",
    ]
    (batch,) = (await send(world, "GET", "/bank/batches")).json()["batches"]
    assert [i["instruction_id"] for i in batch["instructions"]] == ["r-1:2:2"]


async def test_a_contradicting_result_is_flagged_not_applied(world: PayoutWorld) -> None:
    await send(world, "POST", "/bank/results", body_of([result("r-1:1:1", 61_725)]))
    failed = result("r-1:1:1", 61_725, "failed", reason_code="account_closed")
    answer = await send(world, "POST", "/bank/results", body_of([failed]))
    assert answer.status_code == 200
    assert answer.json()["results"][0]["disposition"] == "flagged"


async def test_a_pinned_client_certificate_forwarded_by_the_proxy_stands_for_its_bank(
    world: PayoutWorld, tmp_path: Path
) -> None:
    gate = world.parts.http.state.bank_gate
    gate.settings = Settings(data_dir=tmp_path, trusted_proxies=["203.0.113.0/24"])
    forwarded = {"X-Client-Cert": quote(ABC_CERTIFICATE)}
    answer = await world.client.get("/bank/batches", headers=forwarded)
    assert (answer.status_code, answer.json()["bank_code"]) == (200, "ABC")
    stranger = {"X-Client-Cert": quote(STRANGER_CERTIFICATE)}
    refused = await world.client.get("/bank/batches", headers=stranger)
    assert (refused.status_code, refused.json()["code"]) == (401, "bank_certificate_unknown")


async def test_a_certificate_forwarded_from_an_untrusted_address_is_refused(
    world: PayoutWorld,
) -> None:
    forwarded = {"X-Client-Cert": quote(ABC_CERTIFICATE)}
    answer = await world.client.get("/bank/batches", headers=forwarded)
    assert (answer.status_code, answer.json()["code"]) == (401, "untrusted_certificate_source")


async def test_the_openapi_document_describes_the_bank_api_and_its_error_codes(
    world: PayoutWorld,
) -> None:
    document = (await world.client.get("/openapi.json")).json()
    results = document["paths"]["/bank/results"]["post"]
    schema = results["requestBody"]["content"]["application/json"]["schema"]
    assert "results" in schema["properties"]
    described = " ".join(r["description"] for r in results["responses"].values())
    for code in ("bank_signature_invalid", "bank_nonce_replayed", "payout_amount_mismatch"):
        assert code in described
    assert "签名校验失败" in described
    assert "X-Bank-Signature" in {p["name"] for p in results["parameters"]}
