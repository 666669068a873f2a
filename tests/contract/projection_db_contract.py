"""The one contract every projection database keeps (subclassed for SQLite and PostgreSQL).

A subclass provides ``database``, a fresh, empty database closed and removed after the test,
and ``another``, a second instance on the same data (its own engine and connections).
"""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import Column, MetaData, Table, Text, Uuid, func, insert, select

from infra.projections.database import ProjectionDatabase
from infra.projections.inbox import INBOX_TABLES, claim, claim_batch

EFFECTS = MetaData()
effects = Table(
    "effects", EFFECTS, Column("event_id", Uuid, primary_key=True), Column("note", Text)
)


class Boom(Exception):
    pass


async def count(db: ProjectionDatabase) -> int:
    async with db.transaction() as conn:
        return int((await conn.execute(select(func.count()).select_from(effects))).scalar_one())


async def apply_once(
    db: ProjectionDatabase,
    event_id: uuid.UUID,
    *,
    hold: float = 0.0,
    fail: bool = False,
    claimed: asyncio.Event | None = None,
) -> bool:
    """Claim and apply one event in one transaction, as a consumer does."""
    async with db.transaction() as conn:
        won = await claim(conn, consumer="c", event_id=event_id, position=1)
        if won:
            await conn.execute(insert(effects).values(event_id=event_id, note="applied"))
        if claimed is not None:
            claimed.set()
        await asyncio.sleep(hold)
        if fail:
            raise Boom
        return won


class ProjectionDatabaseContract:
    @pytest.fixture
    async def database(self) -> ProjectionDatabase:
        """A fresh, empty database, closed and removed after the test."""
        raise NotImplementedError

    async def another(self, database: ProjectionDatabase) -> ProjectionDatabase:
        raise NotImplementedError

    @pytest.fixture
    async def db(self, database: ProjectionDatabase) -> ProjectionDatabase:
        await database.create_tables(INBOX_TABLES, EFFECTS)
        return database

    async def test_a_committed_transaction_is_seen_by_another_instance(self, db):
        assert await apply_once(db, uuid.uuid4())
        other = await self.another(db)
        try:
            assert await count(other) == 1
        finally:
            await other.close()

    async def test_an_error_rolls_the_whole_transaction_back_and_is_raised(self, db):
        async def insert_two_then_fail() -> None:
            async with db.transaction() as conn:
                await conn.execute(insert(effects).values(event_id=uuid.uuid4(), note="1"))
                await conn.execute(insert(effects).values(event_id=uuid.uuid4(), note="2"))
                raise Boom

        with pytest.raises(Boom):
            await insert_two_then_fail()
        assert await count(db) == 0

    async def test_an_event_is_claimed_once_per_consumer(self, db):
        event_id = uuid.uuid4()
        async with db.transaction() as conn:
            assert await claim(conn, consumer="c", event_id=event_id, position=7)
            assert not await claim(conn, consumer="c", event_id=event_id, position=7)
        async with db.transaction() as conn:
            assert not await claim(conn, consumer="c", event_id=event_id, position=7)
            assert await claim(conn, consumer="other", event_id=event_id, position=7)

    async def test_a_batch_claim_answers_only_the_events_not_applied_before(self, db):
        applied, fresh = uuid.uuid4(), [uuid.uuid4() for _ in range(300)]
        async with db.transaction() as conn:
            await claim(conn, consumer="c", event_id=applied, position=1)
        async with db.transaction() as conn:
            events = [(applied, 1)] + [(event_id, n + 2) for n, event_id in enumerate(fresh)]
            assert await claim_batch(conn, consumer="c", events=events) == set(fresh)
            assert await claim_batch(conn, consumer="c", events=events) == set()
        async with db.transaction() as conn:
            assert await claim_batch(conn, consumer="c", events=[]) == set()

    async def test_a_claim_rolled_back_with_its_effect_leaves_the_event_to_apply(self, db):
        event_id = uuid.uuid4()
        with pytest.raises(Boom):
            await apply_once(db, event_id, fail=True)
        assert await count(db) == 0
        assert await apply_once(db, event_id)
        assert await count(db) == 1

    async def test_two_connections_claiming_one_event_exactly_one_applies_it(self, db):
        other, event_id = await self.another(db), uuid.uuid4()
        try:
            results = await asyncio.wait_for(
                asyncio.gather(
                    apply_once(db, event_id, hold=0.2), apply_once(other, event_id, hold=0.2)
                ),
                timeout=30,
            )
        finally:
            await other.close()
        assert sorted(results) == [False, True]
        assert await count(db) == 1

    async def test_a_claim_waiting_on_one_that_rolls_back_applies_the_event(self, db):
        other, event_id, first_claimed = await self.another(db), uuid.uuid4(), asyncio.Event()

        async def second() -> bool:
            await first_claimed.wait()
            return await apply_once(other, event_id)

        try:
            first, later = await asyncio.wait_for(
                asyncio.gather(
                    apply_once(db, event_id, hold=0.2, fail=True, claimed=first_claimed),
                    second(),
                    return_exceptions=True,
                ),
                timeout=30,
            )
        finally:
            await other.close()
        assert isinstance(first, Boom)
        assert later is True
        assert await count(db) == 1

    async def test_chinese_text_round_trips(self, db):
        note = "阿依古丽：账户已销户，退回国库 ¥617.28 🏦"
        async with db.transaction() as conn:
            await conn.execute(insert(effects).values(event_id=uuid.uuid4(), note=note))
        async with db.transaction() as conn:
            assert (await conn.execute(select(effects.c.note))).scalar_one() == note

    async def test_creating_the_tables_again_keeps_their_rows(self, db):
        assert await apply_once(db, uuid.uuid4())
        await db.create_tables(INBOX_TABLES, EFFECTS)
        assert await count(db) == 1
