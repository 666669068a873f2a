"""Every publicity projection is rebuilt from the event store alone: replaying the whole log,
in order, through the service's own consumers into an empty database gives the same tables
as the live ones, row for row (the lookup's ledger is rate-limit state, not a projection)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from contracts.pii import PiiCipher
from infra.bus.messages import to_message
from infra.projections.database import ProjectionDatabase
from services.publicity.adapters.tables import TABLES
from services.publicity.application.lookup_people import sealed_phone
from tests.unit.disclosure_harness import DisclosureWorld, disclosure_world
from tests.unit.notice_harness import AYGUL, WANG, ZHANG, china

NOT_PROJECTIONS = {"lookup_ledger"}


async def tables_of(database: ProjectionDatabase, cipher: PiiCipher) -> dict[str, list[Any]]:
    """Every projection's rows; a sealed phone as what it holds (sealing again draws a new
    nonce, so the same phone is stored as other bytes)."""
    shown = {}
    async with database.transaction() as conn:
        for table in TABLES.sorted_tables:
            if table.name not in NOT_PROJECTIONS:
                rows = (await conn.execute(select(table))).mappings().all()
                shown[table.name] = sorted(
                    tuple(_opened(dict(row), cipher).items()) for row in rows
                )
    return shown


def _opened(row: dict[str, Any], cipher: PiiCipher) -> dict[str, Any]:
    if row.get("phone") and "phone_index" in row:
        phone = sealed_phone(row["phone"], cipher)
        row["phone"] = phone.reveal() if phone is not None else None
    return row


async def replayed(world: DisclosureWorld, folder: Path) -> ProjectionDatabase:
    """A fresh database fed the whole log through each consumer's handler."""
    database = await ProjectionDatabase.open(f"sqlite+aiosqlite:///{folder}/rebuilt.db")
    await database.create_tables(TABLES)
    codec = world.parts.http.state.publicity.codec
    records = await world.store.read_all(limit=1_000_000)
    for spec in world.parts.consumers:
        mine = [r for r in records if (m := to_message(r)) is not None and m.topic in spec.topics]
        async with database.transaction() as conn:
            await spec.handler(conn, [codec.decode(record) for record in mine])
    return database


async def test_the_projections_rebuilt_from_the_log_equal_the_live_ones(tmp_path: Path) -> None:
    async with disclosure_world(tmp_path, now=china(2025, 7, 2)) as world:
        for number, person in enumerate((ZHANG, WANG, AYGUL), start=1):
            await world.register(number, person, household=f"h-{number % 2}")
        await world.submit([ZHANG, WANG, AYGUL])
        await world.submit([ZHANG], roster_id="r-secret", confidential=True)
        await world.deliver()
        await world.approve("r-1", 3, total_fen=3 * 61_725)
        await world.pay("r-1", 1, ZHANG)
        await world.pay("r-1", 2, WANG, outcome="failed")
        await world.pay("r-1", 3, AYGUL, outcome="returned")
        await world.pay("r-secret", 1, ZHANG)
        await world.deliver()
        await world.client.post(
            "/lookup/code", json={"citizen_id": ZHANG.citizen_id, "name": ZHANG.name}
        )
        cipher = world.parts.http.state.lookup.deps.cipher
        live = await tables_of(world.projections, cipher)
        rebuilt_db = await replayed(world, tmp_path)
        rebuilt = await tables_of(rebuilt_db, cipher)
        await rebuilt_db.close()
    assert {name: len(rows) for name, rows in live.items()} == {
        "approval_rounds": 1,
        "lookup_people": 3,
        "notice_rows": 4,
        "notices": 2,
        "payment_failures": 2,
        "payment_rows": 4,
        "village_register": 3,
    }
    assert rebuilt == live
