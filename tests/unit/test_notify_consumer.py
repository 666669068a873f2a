"""The notify consumers and dispatcher together: exactly one SMS per payment whatever the bus
does (duplicates, redelivery, a rebuilt outbox replaying the whole log, the phone arriving
after the payment), with the programme, the amount and the date; a beneficiary who has no
phone, died or moved out gets none, visibly; per-number limits defer, never drop."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from contracts.events import PaymentNoticeSent
from infra.eventstore.memory import MemoryEventStore
from tests.unit.notify_harness import NotifyWorld, notify_world
from tests.unit.notify_samples import PHONES, corrected, deceased, paid, registered

STREAM = "notification-sms-r-1:1:1"


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[NotifyWorld]:
    async with notify_world(tmp_path) as world:
        yield world


async def test_a_payment_sends_one_sms_with_programme_amount_and_date(world: NotifyWorld) -> None:
    await world.beneficiary(registered("b-1", PHONES["b-1"]))
    await world.payment(paid(1))
    await world.deliver()
    await world.dispatch()

    (sms,) = world.spooled()
    assert sms["to"] == PHONES["b-1"]
    assert sms["id"] == "sms-r-1:1:1"
    assert "耕地地力保护补贴617.25元已于2025年10月9日发放" in sms["text"]
    assert await world.types(STREAM) == ["PaymentNoticeSent"]
    stored = (await world.store.read_stream(STREAM))[0]
    notice = world.dispatcher.codec.decode(stored).event
    assert isinstance(notice, PaymentNoticeSent)
    assert (notice.instruction_id, notice.text, notice.attempts) == ("r-1:1:1", sms["text"], 1)
    assert (await world.outbox())["sms-r-1:1:1"]["status"] == "sent"


async def test_without_a_value_date_the_sms_carries_the_payments_day_in_china(
    world: NotifyWorld,
) -> None:
    world.advance(timedelta(hours=15))  # 2025-10-09 17:00 UTC is 10 October in China
    await world.beneficiary(registered("b-1", PHONES["b-1"]))
    await world.payment(paid(1, value_date=None))
    await world.deliver()
    await world.dispatch()
    assert "2025年10月10日" in world.spooled()[0]["text"]


async def test_duplicates_and_redelivery_send_each_payment_once(world: NotifyWorld) -> None:
    for n in (1, 2, 3):
        await world.beneficiary(registered(f"b-{n}", PHONES[f"b-{n}"]))
        await world.payment(paid(n))
    await world.deliver()
    await world.dispatch()
    await world.redeliver_everything()
    await world.dispatch()
    await world.dispatch()

    assert sorted(sms["id"] for sms in world.spooled()) == [
        "sms-r-1:1:1",
        "sms-r-1:2:1",
        "sms-r-1:3:1",
    ]


async def test_a_rebuilt_outbox_replaying_the_log_sends_nothing_again(tmp_path: Path) -> None:
    store = MemoryEventStore()
    async with notify_world(tmp_path, store=store) as first:
        await first.beneficiary(registered("b-1", PHONES["b-1"]))
        await first.payment(paid(1))
        await first.deliver()
        await first.dispatch()
        assert len(first.spooled()) == 1
    async with notify_world(tmp_path, store=store, database="rebuilt.db") as rebuilt:
        await rebuilt.deliver()
        assert (await rebuilt.outbox())["sms-r-1:1:1"]["status"] == "pending"
        await rebuilt.dispatch()
        assert len(rebuilt.spooled()) == 1
        assert (await rebuilt.outbox())["sms-r-1:1:1"]["status"] == "sent"
        assert await rebuilt.types(STREAM) == ["PaymentNoticeSent"]


async def test_a_payment_before_the_phone_waits_and_goes_when_the_phone_arrives(
    world: NotifyWorld,
) -> None:
    await world.payment(paid(1))
    await world.deliver_payments()
    await world.dispatch()
    assert world.spooled() == []
    waiting = (await world.get("/notifications?status=awaiting_phone", "operator")).json()
    assert [item["notification_id"] for item in waiting["items"]] == ["sms-r-1:1:1"]

    await world.beneficiary(registered("b-1", None), corrected("b-1", PHONES["b-1"]))
    await world.deliver_phones()
    world.advance(timedelta(days=3))
    await world.dispatch()
    assert [sms["to"] for sms in world.spooled()] == [PHONES["b-1"]]


async def test_no_phone_within_the_wait_is_recorded_as_not_sendable(world: NotifyWorld) -> None:
    await world.beneficiary(registered("b-1", None))
    await world.payment(paid(1))
    await world.deliver()
    world.advance(timedelta(days=29))
    await world.dispatch()
    assert await world.types(STREAM) == []
    world.advance(timedelta(days=2))
    await world.dispatch()

    assert await world.types(STREAM) == ["PaymentNoticeNotSendable"]
    listed = (await world.get("/notifications?status=not_sendable", "operator")).json()
    assert [item["notification_id"] for item in listed["items"]] == ["sms-r-1:1:1"]
    await world.beneficiary(corrected("b-1", PHONES["b-1"]))
    await world.deliver()
    await world.dispatch()
    assert world.spooled() == []


async def test_a_beneficiary_who_died_gets_no_sms_and_the_phone_is_forgotten(
    world: NotifyWorld,
) -> None:
    await world.beneficiary(registered("b-1", PHONES["b-1"]), deceased("b-1"))
    await world.payment(paid(1))
    await world.deliver()
    await world.dispatch()

    assert world.spooled() == []
    stored = (await world.store.read_stream(STREAM))[0]
    assert world.dispatcher.codec.decode(stored).event.reason == "deceased"  # type: ignore[attr-defined]
    await world.beneficiary(corrected("b-1", PHONES["b-2"]))
    await world.deliver_phones()
    async with world.projections.transaction() as conn:
        from services.notify.application.phone_directory import contacts_of

        contact = (await contacts_of(conn, ["b-1"], world.dispatcher.cipher))["b-1"]
    assert (contact.reach, contact.phone) == ("deceased", None)


async def test_the_corrected_phone_is_the_one_sent_to(world: NotifyWorld) -> None:
    await world.beneficiary(registered("b-1", PHONES["b-1"]), corrected("b-1", PHONES["b-2"]))
    await world.payment(paid(1))
    await world.deliver()
    await world.dispatch()
    assert [sms["to"] for sms in world.spooled()] == [PHONES["b-2"]]


async def test_messages_beyond_a_numbers_limit_wait_and_survive_a_restart(tmp_path: Path) -> None:
    store = MemoryEventStore()
    limits: dict[str, Any] = {"notify_per_phone_hour": 2, "notify_per_phone_day": 3}
    async with notify_world(tmp_path, store=store, **limits) as world:
        await world.beneficiary(registered("b-1", PHONES["b-1"]))
        for roster in ("r-1", "r-2", "r-3", "r-4"):
            await world.payment(paid(1, roster_id=roster, beneficiary_id="b-1"))
        await world.deliver()
        await world.dispatch()
        assert len(world.spooled()) == 2
        started = world.clock.now()
    async with notify_world(
        tmp_path, store=store, now=started + timedelta(minutes=30), **limits
    ) as world:
        await world.dispatch()
        assert len(world.spooled()) == 2
        world.advance(timedelta(minutes=31))
        await world.dispatch()
        assert len(world.spooled()) == 3  # the hour allows a third; the day allows no fourth
        world.advance(timedelta(hours=23))
        await world.dispatch()
        assert len(world.spooled()) == 4
        statuses = {row["status"] for row in (await world.outbox()).values()}
        assert statuses == {"sent"}
