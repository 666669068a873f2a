"""The payout through its real consumer path (bus messages made from stored events, the
idempotent consumer, the SQLite projection) and the bank connector's application functions:
an approved round becomes per-bank batches of one instruction per row; redeliveries and a
crash in the middle append nothing twice; answers keep the round balanced to the fen."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import services.payout.application.intake as intake
from contracts.events import RosterRowsSubmitted
from infra.identity.query_log import reads_of
from services.payout.application.results import apply_results
from services.payout.domain.instructions import batch_id
from tests.unit.contract_samples import ACCOUNT_NO
from tests.unit.payout_harness import PayoutWorld, payout_world
from tests.unit.payout_samples import (
    AMOUNTS,
    APPROVED_AT,
    BANK_CONNECTOR,
    approval,
    context,
    parts,
    rejected,
    succeeded,
    terms,
    unknown,
)

ROWS = [f"payment-r-1-{n}" for n in range(1, 5)]


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[PayoutWorld]:
    async with payout_world(tmp_path, now=APPROVED_AT) as world:
        yield world


async def test_an_approved_round_becomes_one_instruction_per_row_in_per_bank_batches(
    world: PayoutWorld,
) -> None:
    await world.submit_and_approve(per_part=2)
    assert await world.types("payout-r-1") == [
        "SubmittedRowsReceived",
        "SubmittedRowsReceived",
        "SubmissionTermsReceived",
        "BatchApprovalReceived",
        "PaymentRoundOpened",
        "PaymentBatchIssued",
        "PaymentBatchIssued",
        "RoundInstructed",
    ]
    for stream in ROWS:
        assert await world.types(stream) == ["PaymentInstructed"]
    (abc,) = await world.pending("ABC")
    assert (abc.batch_id, abc.issued_rows, abc.issued_fen) == (batch_id("r-1", "ABC"), 3, 141_725)
    assert (abc.row_count, abc.total_fen, abc.programme_name) == (3, 141_725, "耕地地力保护补贴")
    assert [i.instruction_id for i in abc.instructions] == ["r-1:1:1", "r-1:2:1", "r-1:4:1"]
    assert abc.instructions[0].account_no.reveal() == ACCOUNT_NO
    (rcc,) = await world.pending("RCC")
    assert [(i.instruction_id, i.amount_fen) for i in rcc.instructions] == [("r-1:3:1", 12_345)]
    logged = await reads_of(store=world.store, user_id="u-bank-abc", day=world.clock.now())
    assert [(r.event.subject_ids, r.event.row_nos) for r in logged] == [  # type: ignore[attr-defined]
        (("r-1",), (1, 2, 4)),
        (("r-1",), (3,)),
    ]


async def test_an_approval_delivered_before_the_rows_opens_the_round_when_they_arrive(
    world: PayoutWorld,
) -> None:
    await world.publish("approval-r-1", approval())
    await world.deliver()
    assert await world.types("payout-r-1") == ["BatchApprovalReceived"]
    await world.publish("roster-r-1", *parts(), terms())
    await world.deliver()
    assert "RoundInstructed" in await world.types("payout-r-1")
    assert len((await world.pending("ABC"))[0].instructions) == 3


async def test_a_redelivered_input_appends_nothing_even_without_its_inbox_record(
    world: PayoutWorld,
) -> None:
    """The store appends and the inbox commit are separate: a crash between them redelivers
    the inputs to a consumer that has no record of them; the streams already hold the effect."""
    await world.submit_and_approve()
    head = await world.store.head_position()
    inputs = [
        world.bus_codec.decode(record)
        for record in await world.store.read_all()
        if record.stream_id in ("roster-r-1", "approval-r-1")
    ]
    async with world.payout.projections.transaction() as conn:
        await world.consumer.spec.handler(conn, inputs)
    assert await world.store.head_position() == head


@pytest.mark.parametrize("crash", ["before", "after"])
async def test_a_crash_while_instructing_is_completed_by_the_redelivery(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, crash: str
) -> None:
    real, crashes = intake.instruct, list[str]()

    async def crashing(**kwargs: object) -> object:
        if not crashes:
            crashes.append(crash)
            if crash == "after":
                await real(**kwargs)  # type: ignore[arg-type]
            raise ConnectionResetError("the process died here")
        return await real(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(intake, "instruct", crashing)
    async with payout_world(tmp_path, now=APPROVED_AT, max_attempts=3) as world:
        await world.submit_and_approve()
        assert crashes == [crash]
        for stream in ROWS:
            assert await world.types(stream) == ["PaymentInstructed"]
        assert (await world.types("payout-r-1")).count("RoundInstructed") == 1
        assert (await world.types("payout-r-1")).count("PaymentRoundOpened") == 1


async def test_answers_keep_the_round_balanced_to_the_fen(world: PayoutWorld) -> None:
    await world.submit_and_approve()
    assert (await world.answer(succeeded("r-1:1:1", 61_725))).disposition == "applied"
    busy = await world.answer(rejected("r-1:2:1", 30_000, "bank_system_busy"))
    assert (busy.disposition, busy.next_instruction) == ("applied", "r-1:2:2")
    closed = await world.answer(rejected("r-1:3:1", 12_345, "account_closed", bank="RCC"))
    assert (closed.row_status, closed.next_instruction) == ("failed", None)
    assert (await world.answer(unknown("r-1:4:1", 50_000))).row_status == "unknown"
    assert (await world.answer(succeeded("r-1:1:1", 61_725))).disposition == "duplicate"
    assert (await world.answer(succeeded("r-9:1:1", 61_725))).disposition == "unmatched"
    await world.deliver()

    (abc,) = await world.pending("ABC")
    served = {(i.instruction_id, i.query) for i in abc.instructions}
    assert served == {("r-1:2:2", False), ("r-1:4:1", True)}
    assert await world.pending("RCC") == []

    answer = await world.get("/rounds/r-1", "finance")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["rows_by_status"] == {"failed": 1, "paid": 1, "pending": 1, "unknown": 1}
    assert body["failures_by_reason"] == {"account_closed": 1}
    assert body["ledger"] == {
        "approved_rows": 4,
        "approved_fen": sum(AMOUNTS),
        "succeeded_rows": 1,
        "succeeded_fen": 61_725,
        "returned_rows": 0,
        "returned_fen": 0,
        "outstanding_rows": 3,
        "outstanding_fen": sum(AMOUNTS) - 61_725,
        "difference_fen": 0,
        "balanced": True,
    }
    unmatched = [r for r in await world.store.read_all() if r.stream_id.startswith("payoutunm")]
    assert [r.event_type for r in unmatched] == ["BankResultUnmatched"]


async def test_a_batch_of_answers_is_applied_row_by_row_in_order(world: PayoutWorld) -> None:
    await world.submit_and_approve()
    head = await world.store.head_position()
    answers = await apply_results(
        store=world.store,
        codec=world.payout.codec,
        cipher=world.payout.cipher,
        projections=world.payout.projections,
        results=[
            unknown("r-1:1:1", 61_725),
            succeeded("r-1:2:1", 30_000),
            succeeded("r-1:1:1", 61_725),
            succeeded("r-1:3:1", 12_345),  # an RCC instruction answered by ABC
            succeeded("r-1:4:1", 49_999),
        ],
        context=context(BANK_CONNECTOR, world.clock.now()),
    )
    assert [(a.disposition, a.code) for a in answers] == [
        ("applied", None),
        ("applied", None),
        ("applied", None),
        ("refused", "payout_wrong_bank"),
        ("refused", "payout_amount_mismatch"),
    ]
    assert await world.types("payment-r-1-1") == [
        "PaymentInstructed",
        "PaymentOutcomeUnknown",
        "PaymentSucceeded",
    ]
    assert await world.store.head_position() == head + 3
    (abc,) = await world.pending("ABC")
    assert [i.instruction_id for i in abc.instructions] == ["r-1:4:1"]


async def test_racing_answers_for_one_instruction_apply_one_success(world: PayoutWorld) -> None:
    await world.submit_and_approve()
    answers = await asyncio.gather(*(world.answer(succeeded("r-1:1:1", 61_725)) for _ in range(5)))
    assert sorted(a.disposition for a in answers) == ["applied", *["duplicate"] * 4]
    types = await world.types("payment-r-1-1")
    assert types.count("PaymentSucceeded") == 1
    assert types.count("BankResultNoted") == 4


async def test_a_row_under_review_is_withheld_from_the_bank(world: PayoutWorld) -> None:
    await world.submit_and_approve()
    await world.answer(rejected("r-1:1:1", 61_725, "bank_system_busy"))
    flagged = await world.answer(succeeded("r-1:1:1", 61_725))
    assert (flagged.disposition, flagged.row_status) == ("flagged", "review")
    (abc,) = await world.pending("ABC")
    assert {i.instruction_id for i in abc.instructions} == {"r-1:2:1", "r-1:4:1"}


async def test_rows_of_a_submission_that_disagree_with_the_approval_are_never_instructed(
    world: PayoutWorld,
) -> None:
    (part,) = parts()
    short = RosterRowsSubmitted(roster_id="r-1", submission_no=1, part=1, rows=part.rows[:3])
    await world.publish("roster-r-1", short, terms())
    await world.publish("approval-r-1", approval())
    await world.deliver()
    assert (await world.types("payout-r-1"))[-1] == "PaymentRoundBlocked"
    assert await world.pending("ABC") == []
    body = (await world.get("/rounds/r-1", "finance")).json()
    assert body["status"] == "blocked"
    assert body["blocked"] == [{"submission_no": 1, "reason_code": "rows_mismatch"}]
