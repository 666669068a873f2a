"""The register read model fed with the beneficiary lifecycle: commands run through the
application on the memory store; what reaches Kafka (the integration events, decoded from the
log) goes through the projection handler into SQLite; the read model then says each account's
status, who died, and which households hold several cards."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import select

from contracts.envelope import Actor
from contracts.events import EVENTS
from contracts.pii import CardAccountNo, CitizenId, PhoneNo
from infra.command_context import CommandContext
from infra.eventcodec import EventCodec
from infra.eventstore.memory import MemoryEventStore
from infra.pii.cipher import FieldCipher
from infra.projections.database import ProjectionDatabase
from services.registry.adapters.register_households import (
    HouseholdCards,
    households_with_several_cards,
)
from services.registry.adapters.tables import TABLES, register_people
from services.registry.application import beneficiary_commands as app
from services.registry.application.register_beneficiary import register_beneficiary
from services.registry.application.register_projection import register_handler
from services.registry.domain import beneficiary_commands as cmd
from services.registry.domain import citizen_id
from services.registry.domain.beneficiary import RegisterBeneficiary
from services.registry.domain.beneficiary_events import BENEFICIARY_EVENTS
from services.registry.domain.events import REGISTRY_EVENTS
from services.registry.domain.validation_fields import luhn_ok
from tests.unit.contract_samples import memory_cipher

AT = datetime(2026, 11, 23, 2, tzinfo=UTC)
TODAY = date(2026, 11, 23)
TOWNSHIP, OTHER = "650102001", "650102002"


def card(n: int) -> CardAccountNo:
    body = f"62170000{n:010d}"
    return CardAccountNo(next(body + d for d in "0123456789" if luhn_ok(body + d)))


class World:
    def __init__(self, store: MemoryEventStore, codec: EventCodec, cipher: FieldCipher) -> None:
        self.store, self.codec, self.cipher = store, codec, cipher
        self._n = 0

    def context(self, user: str = "u-clerk") -> CommandContext:
        self._n += 1
        return CommandContext(
            actor=Actor(user_id=user, role="township_operator", jurisdiction_code=TOWNSHIP),
            at=AT,
            correlation_id=uuid.uuid4(),
            idempotency_key=f"k-{self._n}",
        )

    async def register(self, n: int, household: str, township: str = TOWNSHIP) -> str:
        who = f"b-{n}"
        command = RegisterBeneficiary(
            who,
            CitizenId(citizen_id.make("650102", date(1960 + n, 1, 1), 100 + n)),
            f"村民{n}",
            f"{township}001",
            household,
            PhoneNo(f"1380013800{n}"),
            TODAY,
        )
        kwargs: dict[str, Any] = {"store": self.store, "codec": self.codec, "index": self.cipher}
        await register_beneficiary(**kwargs, command=command, context=self.context())
        await self.run(
            app.declare_card_account, cmd.DeclareCardAccount(who, "ABC", card(n), "户主")
        )
        return who

    async def run(self, handler: Any, command: object, user: str = "u-clerk") -> None:
        await handler(
            store=self.store, codec=self.codec, command=command, context=self.context(user)
        )


@pytest.fixture
async def world() -> World:
    cipher = memory_cipher()
    codec = EventCodec(registry=REGISTRY_EVENTS.including(BENEFICIARY_EVENTS), cipher=cipher)
    return World(MemoryEventStore(), codec, cipher)


@pytest.fixture
async def projections(tmp_path: Path) -> AsyncIterator[ProjectionDatabase]:
    database = await ProjectionDatabase.open(f"sqlite:///{tmp_path / 'registry.db'}")
    await database.create_tables(TABLES)
    yield database
    await database.close()


async def project(
    world: World, projections: ProjectionDatabase, *, batch: int = 500
) -> dict[str, Any]:
    """What Kafka carries (the integration events, in log order) through the handler, in
    batches of ``batch``; the read model's rows by beneficiary id."""
    envelopes = [
        world.codec.decode(record)
        for record in await world.store.read_all(after=0, limit=10_000)
        if record.event_type in EVENTS.event_types()
    ]
    handler = register_handler(world.cipher)
    for start in range(0, len(envelopes), batch):
        async with projections.transaction() as conn:
            await handler(conn, envelopes[start : start + batch])
    async with projections.transaction() as conn:
        rows = (await conn.execute(select(register_people))).all()
    return {row.beneficiary_id: row for row in rows}


@pytest.mark.parametrize("batch", [1, 500], ids=["one-by-one", "one-batch"])
async def test_account_status_follows_every_lifecycle_event(
    world: World, projections: ProjectionDatabase, batch: int
) -> None:
    opened = await world.register(1, "h-1")
    await world.run(app.verify_card_account, cmd.VerifyCardAccount(opened, AT))
    waiting = await world.register(2, "h-2")
    toggled = await world.register(3, "h-3")
    await world.run(app.verify_card_account, cmd.VerifyCardAccount(toggled, AT))
    for handler, command in (
        (app.freeze_card_account, cmd.FreezeCardAccount(toggled, "冻结")),
        (app.unfreeze_card_account, cmd.UnfreezeCardAccount(toggled, "解冻")),
        (app.freeze_card_account, cmd.FreezeCardAccount(toggled, "再次冻结")),
    ):
        await world.run(handler, command)
    dead = await world.register(4, "h-4")
    await world.run(app.record_death, cmd.RecordDeath(dead, date(2026, 10, 1), "民政", TODAY))
    gone = await world.register(5, "h-5")
    await world.run(
        app.record_move_out, cmd.RecordMoveOut(gone, date(2026, 10, 1), "650103", TODAY)
    )
    rows = await project(world, projections, batch=batch)
    assert {who: (row.account_status, row.deceased) for who, row in rows.items()} == {
        opened: ("open", "n"),
        waiting: ("unverified", "n"),
        toggled: ("frozen", "n"),
        dead: ("closed", "y"),
        gone: ("closed", "n"),
    }
    assert rows[opened].account_since == TODAY


async def test_an_approved_reapplication_replaces_the_account_unverified(
    world: World, projections: ProjectionDatabase
) -> None:
    who = await world.register(1, "h-1")
    await world.run(app.verify_card_account, cmd.VerifyCardAccount(who, AT))
    apply = cmd.ApplyCardAccountChange(who, "a-1", "CCB", card(99), "户主", "换卡", "u-clerk")
    await world.run(app.apply_card_account_change, apply)
    review = cmd.ReviewCardAccountChange(who, "a-1", approve=True, reviewed_by="u-auditor")
    await world.run(app.review_card_account_change, review, user="u-auditor")
    row = (await project(world, projections))[who]
    assert (row.bank, row.account_status) == ("CCB", "unverified")
    assert CardAccountNo.from_sealed(orjson.loads(row.account), world.cipher) == card(99)


async def test_corrections_reach_the_read_model(
    world: World, projections: ProjectionDatabase
) -> None:
    who = await world.register(1, "h-1")
    correct = cmd.CorrectDetails(
        who,
        "户籍迁入邻村",
        name="村民一",
        village_code=f"{OTHER}001",
        household_id="h-7",
        remove_phone=True,
    )
    await world.run(app.correct_details, correct)
    row = (await project(world, projections))[who]
    assert (row.name, row.village_code, row.township_code, row.household_id, row.phone) == (
        "村民一",
        f"{OTHER}001",
        OTHER,
        "h-7",
        None,
    )


async def test_a_household_with_several_held_cards_is_flagged(
    world: World, projections: ProjectionDatabase
) -> None:
    couple = [await world.register(1, "h-1"), await world.register(2, "h-1")]
    await world.run(app.verify_card_account, cmd.VerifyCardAccount(couple[0], AT))
    resolved = [await world.register(3, "h-2"), await world.register(4, "h-2")]
    await world.run(app.close_card_account, cmd.CloseCardAccount(resolved[1], "duplicate_card"))
    widowed = [await world.register(5, "h-3"), await world.register(6, "h-3")]
    await world.run(app.record_death, cmd.RecordDeath(widowed[0], date(2026, 1, 1), "民政", TODAY))
    await world.register(7, "h-4")
    elsewhere = [await world.register(8, "h-8", OTHER), await world.register(9, "h-9", OTHER)]
    await world.register(10, "h-4", OTHER)
    await world.run(
        app.correct_details, cmd.CorrectDetails(elsewhere[1], "户口合并", household_id="h-8")
    )
    await project(world, projections)
    async with projections.transaction() as conn:
        here = await households_with_several_cards(conn, TOWNSHIP)
        there = await households_with_several_cards(conn, OTHER)
    assert here == [HouseholdCards("h-1", tuple(couple))]
    assert there == [HouseholdCards("h-8", tuple(elsewhere))]
