"""A result file applied and a month reconciled on a PostgreSQL projection (the embedded
default is SQLite): the statement entries' guarded upserts, dates and lookups must hold there."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from infra.projections.database import ProjectionDatabase
from services.payout.application.reads import ReadContext
from services.payout.application.reconciliation import reconcile_statement
from services.payout.application.result_files import import_result_file
from services.payout.application.statement_projection import project_statement_entries
from services.payout.domain.bank_file_layouts import (
    StatementLine,
    write_result_file,
    write_statement_file,
)
from services.payout.domain.reconciliation import period_of
from tests.conftest import POSTGRES_URL, postgres_admin
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

pytestmark = pytest.mark.postgres
NOVEMBER_1 = datetime(2025, 10, 31, 16, 0, tzinfo=UTC)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[PayoutWorld]:
    admin = await postgres_admin()
    schema = f"t_{uuid.uuid4().hex}"
    projections = await ProjectionDatabase.open(POSTGRES_URL, schema=schema)
    try:
        async with payout_world(tmp_path, now=APPROVED_AT, projections=projections) as world:
            yield world
    finally:
        await admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await admin.close()


async def test_a_result_file_is_applied_and_the_month_reconciled_on_postgres(
    world: PayoutWorld,
) -> None:
    await world.submit_and_approve()
    answers = [
        unknown("r-1:1:1", 61_725),
        succeeded("r-1:2:1", 30_000),
        rejected("r-1:4:1", 50_000, "name_mismatch"),
    ]
    report = await import_result_file(
        store=world.store,
        codec=world.payout.codec,
        cipher=world.payout.cipher,
        projections=world.payout.projections,
        bank_code="ABC",
        data=write_result_file([a for a in answers if a.outcome != "unknown"], "gb18030"),
        file_name="ABC-1010.csv",
        context=context(BANK_CONNECTOR, world.clock.now()),
        encoding="gb18030",
    )
    assert report.dispositions == {"applied": 2}
    await world.answer(answers[0])
    await world.answer(succeeded("r-1:1:1", 61_725))
    await world.deliver()
    envelopes = [
        world.payout.codec.decode(r) for r in await world.store.read_stream("payment-r-1-1")
    ]
    async with world.payout.projections.transaction() as conn:
        await project_statement_entries(conn, [envelopes[1]])  # the unknown, redelivered late

    world.advance_to(NOVEMBER_1)
    statement = [
        StatementLine(2, "r-1:1:1", "succeeded", 61_725, "B-1", date(2025, 10, 10)),
        StatementLine(3, "r-1:2:1", "succeeded", 30_000, "B-2", date(2025, 10, 10)),
    ]
    done = await reconcile_statement(
        store=world.store,
        codec=world.payout.codec,
        projections=world.payout.projections,
        bank_code="ABC",
        period=period_of("2025-10"),
        statement=write_statement_file(statement, "utf-8"),
        context=context(FINANCE, world.clock.now()),
        read_context=ReadContext(FINANCE, world.clock.now(), uuid.uuid4(), "cli"),
    )
    found = [(m.kind, m.row_no) for m in done.reconciled.mismatches]
    assert found == [("reference_differs", 2), ("not_on_statement", 4)]
    assert (done.reconciled.ours.succeeded_rows, done.reconciled.ours.succeeded_fen) == (2, 91_725)
    assert (done.reconciled.ours.sent_rows, done.reconciled.ours.rejected_fen) == (3, 50_000)
