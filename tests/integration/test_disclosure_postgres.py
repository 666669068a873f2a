"""The disclosure, the lookup, the clear card and the dashboards on a PostgreSQL projection
schema (the production database): the same answers as on SQLite, months counted in China."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from infra.projections.database import ProjectionDatabase
from tests.conftest import POSTGRES_URL, postgres_admin
from tests.unit.disclosure_harness import (
    OPERATOR,
    SUPERVISOR,
    DisclosureWorld,
    disclosure_world,
)
from tests.unit.notice_harness import AYGUL, TOWNSHIP, WANG, ZHANG, china


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[DisclosureWorld]:
    admin = await postgres_admin()
    schema = f"t_{uuid.uuid4().hex}"
    projections = await ProjectionDatabase.open(POSTGRES_URL, schema=schema)
    try:
        async with disclosure_world(
            tmp_path, now=china(2025, 6, 30, 23), projections=projections
        ) as running:
            yield running
    finally:
        await projections.close()
        await admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await admin.close()


async def test_disclosure_lookup_card_and_dashboard_on_postgresql(world: DisclosureWorld) -> None:
    for number, person in enumerate((ZHANG, WANG, AYGUL), start=1):
        await world.register(number, person)
    await world.submit([ZHANG, WANG, AYGUL])
    await world.deliver()
    world.clock.advance(china(2025, 7, 1, 7) - world.clock.now())  # 23:00 UTC on 30 June
    await world.approve("r-1", 3, total_fen=185_175)
    await world.pay("r-1", 1, ZHANG)
    await world.pay("r-1", 2, WANG, outcome="failed")
    await world.pay("r-1", 3, AYGUL, outcome="returned")
    await world.deliver()

    page = await world.client.get(f"/disclosures/townships/{TOWNSHIP}/programmes/GDLS")
    assert page.status_code == 200
    assert "张*丰" in page.text
    assert "王*" not in page.text

    asked = await world.client.post(
        "/lookup/code", json={"citizen_id": ZHANG.citizen_id, "name": ZHANG.name}
    )
    code = re.search(r"验证码为([0-9]{6})", world.sms()[-1]["text"])
    assert code is not None
    shown = await world.client.post(
        "/lookup/verify", json={"challenge": asked.json()["challenge"], "code": code.group(1)}
    )
    assert shown.status_code == 200
    assert shown.json()["payments"][0]["status"] == "paid"

    card = await world.client.get("/households/h-1/clear-card.json", headers=OPERATOR)
    assert card.status_code == 200
    assert len(card.json()["payments"]) == 3

    board = await world.client.get(f"/dashboards/{TOWNSHIP[:6]}.json", headers=SUPERVISOR)
    (july,) = board.json()["cells"]
    assert july["month"] == "2025-07"  # approved at 07:00 on 1 July in China (30 June in UTC)
    assert (july["rows_approved"], july["rows_paid"], july["rows_failed"]) == (3, 1, 1)
    assert july["rows_returned"] == 1
    (reason,) = board.json()["failure_reasons"]
    assert (reason["month"], reason["failures"]) == ("2025-07", 2)
