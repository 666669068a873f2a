"""The payout HTTP API: who may read a round or an instruction (and that the instruction's
read is logged first), re-issue by county finance, and the year-end return with its report."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from infra.identity.query_log import reads_of
from tests.unit.payout_harness import PayoutWorld, payout_world
from tests.unit.payout_samples import APPROVED_AT, OFFICERS, rejected, succeeded, unknown

YEAR_END = datetime(2025, 11, 30, 16, 0, tzinfo=UTC)  # 1 December 2025, 00:00 in China
NOTE = {"note": "银行通知账户已解冻，经乡镇核实"}


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[PayoutWorld]:
    async with payout_world(tmp_path, now=APPROVED_AT) as world:
        await world.submit_and_approve()
        yield world


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("finance", 200, None),
        ("operator", 200, None),
        ("auditor", 200, None),
        ("far_operator", 403, "outside_jurisdiction"),
        ("bank", 403, "role_not_permitted"),
    ],
)
async def test_a_round_is_read_inside_the_jurisdiction_by_those_who_read_payments(
    world: PayoutWorld, who: str, status: int, code: str | None
) -> None:
    answer = await world.get("/rounds/r-1", who)
    assert answer.status_code == status
    if code:
        assert answer.json()["code"] == code
    else:
        assert answer.json()["ledger"]["balanced"] is True


async def test_a_round_not_in_payment_is_not_found(world: PayoutWorld) -> None:
    answer = await world.get("/rounds/r-2", "finance")
    assert (answer.status_code, answer.json()["code"]) == (404, "payout_round_not_found")


async def test_an_instructions_history_masks_the_account_and_is_logged_first(
    world: PayoutWorld,
) -> None:
    await world.answer(rejected("r-1:1:1", 61_725, "bank_system_busy"))
    await world.answer(succeeded("r-1:1:2", 61_725))
    answer = await world.get("/instructions/r-1:1:1", "operator")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["account_no"] == "***************8901"
    assert (body["row_status"], body["paid_by"]) == ("paid", "r-1:1:2")
    assert [step["step"] for step in body["history"]] == [
        "instructed",
        "failed",
        "instructed",
        "succeeded",
    ]
    assert [a["because"] for a in body["attempts"]] == ["approved", "retry"]
    (read,) = await reads_of(store=world.store, user_id="u-op", day=world.clock.now())
    assert read.event.kind == "payment"  # type: ignore[attr-defined]
    assert (read.event.subject_ids, read.event.row_nos) == (("r-1",), (1,))  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("path", "who", "status", "code"),
    [
        ("/instructions/r-1:1:9", "finance", 404, "payout_instruction_not_found"),
        ("/instructions/r-1:1:1", "far_operator", 403, "outside_jurisdiction"),
        ("/instructions/r-1:1:1", "bank", 403, "role_not_permitted"),
    ],
)
async def test_an_instruction_is_refused_before_anything_is_read(
    world: PayoutWorld, path: str, who: str, status: int, code: str
) -> None:
    answer = await world.get(path, who)
    assert (answer.status_code, answer.json()["code"]) == (status, code)
    user_id = OFFICERS[who][0]
    assert await reads_of(store=world.store, user_id=user_id, day=world.clock.now()) == []


async def test_county_finance_reissues_a_frozen_row_as_the_next_instruction(
    world: PayoutWorld,
) -> None:
    await world.answer(rejected("r-1:1:1", 61_725, "account_frozen"))
    answer = await world.post("/rows/r-1/1/reissue", "finance", NOTE)
    assert answer.status_code == 200, answer.text
    payee = answer.json().pop("payee")
    assert answer.json() | {"payee": None} == {
        "roster_id": "r-1",
        "row_no": 1,
        "recorded": True,
        "instruction_id": "r-1:1:2",
        "attempt": 2,
        "row_status": "pending",
        "payee": None,
    }
    assert payee["bank_code"] == "ABC"
    assert payee["account_no"].startswith("*")
    (abc,) = await world.pending("ABC")
    assert "r-1:1:2" in {i.instruction_id for i in abc.instructions}
    again = await world.post("/rows/r-1/1/reissue", "finance", NOTE)
    assert again.json()["recorded"] is False


@pytest.mark.parametrize(
    ("answer_first", "who", "status", "code"),
    [
        (rejected("r-1:1:1", 61_725, "account_frozen"), "operator", 403, "role_not_permitted"),
        (
            rejected("r-1:1:1", 61_725, "account_closed"),
            "finance",
            409,
            "payout_correction_required",
        ),
        (unknown("r-1:1:1", 61_725), "finance", 409, "payout_outcome_unknown"),
        (None, "finance", 409, "payout_instruction_open"),
    ],
    ids=["not-finance", "needs-correction", "unknown", "open"],
)
async def test_a_reissue_is_refused_with_a_code(
    world: PayoutWorld, answer_first: object, who: str, status: int, code: str
) -> None:
    if answer_first is not None:
        await world.answer(answer_first)  # type: ignore[arg-type]
    before = await world.types("payment-r-1-1")
    answer = await world.post("/rows/r-1/1/reissue", who, NOTE)
    assert (answer.status_code, answer.json()["code"]) == (status, code)
    assert await world.types("payment-r-1-1") == before


async def test_year_end_returns_the_rejected_rows_and_holds_back_the_open_ones(
    world: PayoutWorld,
) -> None:
    await world.answer(succeeded("r-1:1:1", 61_725))
    await world.answer(rejected("r-1:2:1", 30_000, "account_closed"))
    await world.answer(unknown("r-1:4:1", 50_000))
    early = await world.post("/rounds/r-1/return-to-treasury", "finance", NOTE)
    assert (early.status_code, early.json()["code"]) == (409, "payout_not_year_end")

    world.advance_to(YEAR_END)
    answer = await world.post("/rounds/r-1/return-to-treasury", "finance", NOTE)
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["returned"] == [
        {"row_no": 2, "amount_fen": 30_000, "reason_code": "account_closed"}
    ]
    assert report["held"] == {
        "pending": {"rows": 1, "fen": 12_345},
        "unknown": {"rows": 1, "fen": 50_000},
    }
    assert report["ledger"] == {
        "succeeded_fen": 61_725,
        "returned_fen": 30_000,
        "outstanding_fen": 62_345,
        "approved_fen": 154_070,
        "balanced": True,
    }
    assert "UnpaidReturnReported" in await world.types("payout-r-1")
    again = await world.post("/rounds/r-1/return-to-treasury", "finance", NOTE)
    assert again.json()["returned"] == []
    await world.deliver()
    ledger = (await world.get("/rounds/r-1", "finance")).json()["ledger"]
    assert (ledger["returned_rows"], ledger["balanced"]) == (1, True)


REVIEW = {
    "instruction_id": "r-1:1:1",
    "concern": "success_after_failure",
    "decision": "accept_reported",
    "note": "开户行回函确认已于当日入账",
}


async def test_county_finance_accepts_a_success_after_a_failure_and_the_row_is_paid(
    world: PayoutWorld,
) -> None:
    await world.answer(rejected("r-1:1:1", 61_725, "account_frozen"))
    await world.answer(succeeded("r-1:1:1", 61_725))
    before = (await world.get("/rounds/r-1", "finance")).json()
    assert before["rows_by_status"]["review"] == 1
    answer = await world.post("/rows/r-1/1/review", "finance", REVIEW)
    assert answer.status_code == 200, answer.text
    assert answer.json() | {"open_concerns": None} == {
        "roster_id": "r-1",
        "row_no": 1,
        "recorded": True,
        "row_status": "paid",
        "paid_by": "r-1:1:1",
        "open_concerns": None,
    }
    assert (await world.types("payment-r-1-1"))[-2:] == [
        "PaymentReviewResolved",
        "PaymentSucceeded",
    ]
    after = (await world.get("/rounds/r-1", "finance")).json()
    assert "review" not in after["rows_by_status"]
    assert after["ledger"]["balanced"] is True
    again = await world.post("/rows/r-1/1/review", "finance", REVIEW)
    assert (again.status_code, again.json()["recorded"]) == (200, False)


@pytest.mark.parametrize(
    ("who", "body", "status", "code"),
    [
        ("operator", REVIEW, 403, "role_not_permitted"),
        ("finance", REVIEW | {"concern": "second_success"}, 404, "payout_review_not_found"),
        ("finance", REVIEW | {"decision": "pay_twice"}, 422, "invalid_request"),
    ],
    ids=["not-finance", "no-such-flag", "bad-decision"],
)
async def test_a_review_resolution_is_refused_with_a_code_and_changes_nothing(
    world: PayoutWorld, who: str, body: dict[str, str], status: int, code: str
) -> None:
    await world.answer(rejected("r-1:1:1", 61_725, "account_frozen"))
    await world.answer(succeeded("r-1:1:1", 61_725))
    before = await world.types("payment-r-1-1")
    answer = await world.post("/rows/r-1/1/review", who, body)
    assert (answer.status_code, answer.json()["code"]) == (status, code)
    assert await world.types("payment-r-1-1") == before
