"""The payout's consumer path and bank answers on a PostgreSQL projection (the embedded
default is SQLite): the same upserts, row-value lookups and aggregates must hold there."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from infra.projections.database import ProjectionDatabase
from services.payout.application.results import apply_results
from tests.conftest import POSTGRES_URL, postgres_admin
from tests.unit.payout_harness import PayoutWorld, payout_world
from tests.unit.payout_samples import (
    AMOUNTS,
    APPROVED_AT,
    BANK_CONNECTOR,
    context,
    rejected,
    succeeded,
    unknown,
)

pytestmark = pytest.mark.postgres


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


async def test_a_round_is_instructed_answered_and_balanced_on_postgres(world: PayoutWorld) -> None:
    await world.submit_and_approve(per_part=2)
    (abc,) = await world.pending("ABC")
    assert (abc.issued_rows, abc.row_count) == (3, 3)
    answers = await apply_results(
        store=world.store,
        codec=world.payout.codec,
        cipher=world.payout.cipher,
        projections=world.payout.projections,
        results=[
            succeeded("r-1:1:1", 61_725),
            rejected("r-1:2:1", 30_000, "channel_error"),
            rejected("r-1:3:1", 12_345, "account_closed", bank="RCC"),
            unknown("r-1:4:1", 50_000),
            succeeded("r-1:1:1", 61_725),
        ],
        context=context(BANK_CONNECTOR, world.clock.now()),
    )
    assert [a.disposition for a in answers] == [
        "applied",
        "applied",
        "applied",
        "applied",
        "duplicate",
    ]
    await world.deliver()
    (abc,) = await world.pending("ABC")
    assert {(i.instruction_id, i.query) for i in abc.instructions} == {
        ("r-1:2:2", False),
        ("r-1:4:1", True),
    }
    body = (await world.get("/rounds/r-1", "finance")).json()
    assert body["rows_by_status"] == {"failed": 1, "paid": 1, "pending": 1, "unknown": 1}
    assert body["ledger"]["outstanding_fen"] == sum(AMOUNTS) - 61_725
    assert body["ledger"]["balanced"] is True
