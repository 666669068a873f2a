"""Statements and reconciliation on the service as it is wired: the consumer keeps each
instruction's days; county finance reconciles a bank's month-end or year-end statement file
with them, the result recorded in the payout's own stream for auditors, every mismatch with
its row (and its rows' read logged)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from contracts.envelope import Actor
from contracts.refusals import Refused
from infra.identity.permissions import Forbidden
from infra.identity.query_log import reads_of
from services.payout.adapters.tables import payment_statement_entries
from services.payout.application.reads import ReadContext
from services.payout.application.reconciliation import (
    ReconciliationReport,
    bank_statement,
    reconcile_statement,
)
from services.payout.application.statement_projection import project_statement_entries
from services.payout.application.treasury import return_unpaid
from services.payout.domain.bank_file_layouts import StatementLine, write_statement_file
from services.payout.domain.reconciliation import period_of
from services.payout.domain.reconciliation_events import StatementFigures
from tests.unit.payout_harness import PayoutWorld, payout_world
from tests.unit.payout_samples import (
    APPROVED_AT,
    BANK_CONNECTOR,
    FINANCE,
    context,
    rejected,
    succeeded,
    unknown,
)

NOVEMBER_1 = datetime(2025, 10, 31, 16, 0, tzinfo=UTC)  # 1 November 2025, 00:00 in China
DECEMBER_1 = datetime(2025, 11, 30, 16, 0, tzinfo=UTC)
JANUARY_1 = datetime(2025, 12, 31, 16, 0, tzinfo=UTC)
PAID = StatementLine(2, "r-1:1:1", "succeeded", 61_725, "B-1", date(2025, 10, 10))
REJECTED = StatementLine(3, "r-1:2:1", "rejected", 30_000, None, date(2025, 10, 9))


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[PayoutWorld]:
    """ABC's rows 1, 2, 4 and RCC's row 3: row 1 paid, row 2 rejected for good, row 4 open."""
    async with payout_world(tmp_path, now=APPROVED_AT) as world:
        await world.submit_and_approve()
        await world.answer(succeeded("r-1:1:1", 61_725))
        await world.answer(rejected("r-1:2:1", 30_000, "account_closed"))
        await world.answer(succeeded("r-1:3:1", 12_345, bank="RCC"))
        await world.deliver()
        yield world


async def reconcile(
    world: PayoutWorld, lines: list[StatementLine], period: str = "2025-10", actor: Actor = FINANCE
) -> ReconciliationReport:
    now = world.clock.now()
    return await reconcile_statement(
        store=world.store,
        codec=world.payout.codec,
        projections=world.payout.projections,
        bank_code="ABC",
        period=period_of(period),
        statement=write_statement_file(lines, "utf-8"),
        context=context(actor, now),
        read_context=ReadContext(actor, now, uuid.uuid4(), "cli payout reconcile"),
    )


async def test_a_month_end_statement_that_agrees_is_recorded_balanced(world: PayoutWorld) -> None:
    world.advance_to(NOVEMBER_1)
    done = await reconcile(world, [PAID, REJECTED])
    assert done.recorded
    assert done.reconciled.mismatches == ()
    assert done.reconciled.ours == StatementFigures(
        sent_rows=3, sent_fen=141_725, succeeded_rows=1, succeeded_fen=61_725,
        rejected_rows=1, rejected_fen=30_000, open_rows=1, open_fen=50_000,
    )  # fmt: skip
    (recorded,) = await world.store.read_stream("payoutreconciliation-ABC-2025-10")
    event = world.payout.codec.decode(recorded).event
    assert (event.balanced, event.statement_lines, event.period_kind) == (True, 2, "month")  # type: ignore[attr-defined]


async def test_every_mismatch_is_recorded_with_its_row_and_the_rows_read_is_logged(
    world: PayoutWorld,
) -> None:
    world.advance_to(NOVEMBER_1)
    other_reference = StatementLine(2, "r-1:1:1", "succeeded", 61_725, "B-7", date(2025, 10, 10))
    paid_unrecorded = StatementLine(3, "r-1:4:1", "succeeded", 50_000, "B-4", date(2025, 10, 10))
    done = await reconcile(world, [other_reference, paid_unrecorded])
    found = [(m.kind, m.row_no) for m in done.reconciled.mismatches]
    assert found == [("reference_differs", 1), ("not_recorded", 4), ("not_on_statement", 2)]
    assert await world.types("payoutreconciliation-ABC-2025-10") == [
        "StatementMismatchesListed",
        "BankStatementReconciled",
    ]
    (logged,) = await reads_of(store=world.store, user_id="u-finance", day=world.clock.now())
    assert (logged.event.subject_ids, logged.event.row_nos) == (("r-1",), (1, 2, 4))  # type: ignore[attr-defined]


async def test_the_same_statement_with_the_same_outcome_is_not_recorded_twice(
    world: PayoutWorld,
) -> None:
    world.advance_to(NOVEMBER_1)
    first = await reconcile(world, [PAID])
    again = await reconcile(world, [PAID])
    assert (again.recorded, again.reconciliation_id) == (False, first.reconciliation_id)
    assert len(await world.types("payoutreconciliation-ABC-2025-10")) == 2
    await reconcile(world, [PAID, REJECTED])
    assert len(await world.types("payoutreconciliation-ABC-2025-10")) == 3


async def test_a_period_not_yet_ended_cannot_be_reconciled(world: PayoutWorld) -> None:
    with pytest.raises(Refused) as refused:
        await reconcile(world, [PAID])
    assert refused.value.code == "payout_period_open"
    assert await world.types("payoutreconciliation-ABC-2025-10") == []


async def test_only_those_who_make_payments_reconcile(world: PayoutWorld) -> None:
    world.advance_to(NOVEMBER_1)
    with pytest.raises(Forbidden):
        await reconcile(world, [PAID], actor=BANK_CONNECTOR)
    assert await world.types("payoutreconciliation-ABC-2025-10") == []


async def test_the_year_end_statement_shows_the_rows_returned_to_the_treasury(
    world: PayoutWorld,
) -> None:
    world.advance_to(DECEMBER_1)
    await return_unpaid(
        store=world.store,
        codec=world.payout.codec,
        cipher=world.payout.cipher,
        projections=world.payout.projections,
        roster_id="r-1",
        note="账户已销户，年内未能更正",
        context=context(FINANCE, world.clock.now()),
    )
    await world.deliver()
    figures = await bank_statement(
        projections=world.payout.projections,
        actor=FINANCE,
        bank_code="ABC",
        period=period_of("2025"),
    )
    assert (figures.returned_rows, figures.returned_fen, figures.rejected_rows) == (1, 30_000, 0)
    world.advance_to(JANUARY_1)
    returned = StatementLine(3, "r-1:2:1", "returned", 30_000, None, date(2025, 12, 1))
    assert (await reconcile(world, [PAID, returned], period="2025")).reconciled.mismatches == ()
    late = await reconcile(world, [PAID, REJECTED], period="2025")
    assert [(m.kind, m.ours_status, m.bank_status) for m in late.reconciled.mismatches] == [
        ("status_differs", "returned", "rejected")
    ]


async def test_a_redelivered_older_answer_never_overwrites_a_newer_one(world: PayoutWorld) -> None:
    await world.answer(unknown("r-1:4:1", 50_000))
    await world.answer(succeeded("r-1:4:1", 50_000, ref="B-4"))
    await world.deliver()
    records = await world.store.read_stream("payment-r-1-4")
    envelopes = [world.payout.codec.decode(record) for record in records]
    async with world.payout.projections.transaction() as conn:
        await project_statement_entries(conn, envelopes)
        await project_statement_entries(conn, [envelopes[1]])  # the unknown, redelivered
        query = select(payment_statement_entries).where(
            payment_statement_entries.c.instruction_id == "r-1:4:1"
        )
        entry = (await conn.execute(query)).mappings().one()
    assert (entry["outcome"], entry["bank_reference"], entry["answer_version"]) == (
        "succeeded",
        "B-4",
        3,
    )
    assert (entry["instructed_on"], entry["value_date"]) == (date(2025, 10, 9), date(2025, 10, 10))
