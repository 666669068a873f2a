"""The notify on a PostgreSQL projection (the embedded default is SQLite): the same upserts and
joins, and two dispatchers running at once over one outbox — each SMS sent once, and no number
sent more than its limit, because rows are claimed with SKIP LOCKED and numbers locked."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from infra.projections.database import ProjectionDatabase
from tests.conftest import POSTGRES_URL, postgres_admin
from tests.unit.notify_harness import NotifyWorld, notify_world
from tests.unit.notify_samples import PHONES, failed, flagged, paid, registered

pytestmark = pytest.mark.postgres


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[NotifyWorld]:
    admin = await postgres_admin()
    schema = f"t_{uuid.uuid4().hex}"
    projections = await ProjectionDatabase.open(POSTGRES_URL, schema=schema)
    try:
        async with notify_world(
            tmp_path, projections=projections, notify_per_phone_hour=2
        ) as world:
            yield world
    finally:
        await admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await admin.close()


async def test_two_dispatchers_send_each_sms_once_within_each_numbers_limit(
    world: NotifyWorld,
) -> None:
    beneficiaries = sorted(PHONES)
    for beneficiary in beneficiaries:
        await world.beneficiary(registered(beneficiary, PHONES[beneficiary]))
    for roster in ("r-1", "r-2", "r-3"):
        for n, beneficiary in enumerate(beneficiaries, start=1):
            await world.payment(paid(n, roster_id=roster, beneficiary_id=beneficiary))
    await world.deliver()
    await world.redeliver_everything()
    first = dataclasses.replace(world.dispatcher, batch_size=4, concurrency=2)
    second = dataclasses.replace(world.dispatcher, batch_size=3, concurrency=3)

    await asyncio.gather(first.tick(), second.tick(), first.tick())

    spooled = world.spooled()
    assert len({sms["id"] for sms in spooled}) == len(spooled) == 2 * len(beneficiaries)
    assert set(Counter(sms["to"] for sms in spooled).values()) == {2}
    statuses = Counter(row["status"] for row in (await world.outbox()).values())
    assert statuses == {"sent": 2 * len(beneficiaries), "pending": len(beneficiaries)}


async def test_the_work_queue_upserts_and_closes_on_postgres(world: NotifyWorld) -> None:
    await world.payment(failed(1), flagged(1))
    await world.payment(failed(2))
    await world.deliver_payments()
    await world.payment(paid(2, attempt=2))
    await world.deliver_payments()
    answer = await world.get("/work-queue", "operator")
    assert [(i["row_no"], i["kind"]) for i in answer.json()["items"]] == [
        (1, "failed"),
        (1, "review"),
    ]
    review = next(n for n in await world.notices() if n["kind"] == "review")
    assert review["programme_code"] is None
