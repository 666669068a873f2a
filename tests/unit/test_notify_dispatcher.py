"""The dispatcher's retries: a provider that is busy is tried again with exponential backoff
(or after its Retry-After), a refusal or too many tries end as ``failed``, visible to the
township and recorded in the SMS's stream; no log line ever holds a phone number in clear."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from services.notify.application.ports import OutgoingSms
from services.notify.domain.delivery import Delivered, Permanent, SendOutcome, Transient
from tests.unit.notify_harness import NotifyWorld, notify_world
from tests.unit.notify_samples import PHONES, failed, paid, registered

STREAM = "notification-sms-r-1:1:1"


class ScriptedProvider:
    """A provider answering from a script, one answer per message handed over."""

    name = "scripted"

    def __init__(self, *answers: SendOutcome | Exception) -> None:
        self.answers = list(answers)
        self.handed: list[tuple[str, str]] = []

    async def send(self, sms: OutgoingSms) -> SendOutcome:
        self.handed.append((sms.notification_id, sms.phone.reveal()))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[NotifyWorld]:
    async with notify_world(tmp_path, notify_max_attempts=4) as world:
        await world.beneficiary(registered("b-1", PHONES["b-1"]))
        await world.payment(paid(1))
        await world.deliver()
        yield world


async def test_a_busy_provider_is_tried_again_after_a_growing_wait(world: NotifyWorld) -> None:
    provider = ScriptedProvider(
        Transient("gateway_503"), Transient("gateway_timeout"), Delivered("GW-9")
    )
    world.dispatcher.provider = provider
    await world.dispatch()
    row = (await world.outbox())["sms-r-1:1:1"]
    assert (row["status"], row["attempts"], row["last_error"]) == ("pending", 1, "gateway_503")
    world.advance(timedelta(seconds=29))
    await world.dispatch()
    assert len(provider.handed) == 1
    world.advance(timedelta(seconds=2))
    await world.dispatch()
    assert len(provider.handed) == 2
    world.advance(timedelta(seconds=59))
    await world.dispatch()
    assert len(provider.handed) == 2  # the second wait is a minute
    world.advance(timedelta(seconds=2))
    await world.dispatch()

    assert provider.handed == [("sms-r-1:1:1", PHONES["b-1"])] * 3
    row = (await world.outbox())["sms-r-1:1:1"]
    assert (row["status"], row["attempts"], row["provider_reference"]) == ("sent", 3, "GW-9")
    notice = world.dispatcher.codec.decode((await world.store.read_stream(STREAM))[0]).event
    assert (notice.attempts, notice.provider, notice.provider_reference) == (3, "scripted", "GW-9")  # type: ignore[attr-defined]


async def test_a_providers_retry_after_is_honoured(world: NotifyWorld) -> None:
    provider = ScriptedProvider(Transient("gateway_429", timedelta(minutes=10)), Delivered())
    world.dispatcher.provider = provider
    await world.dispatch()
    world.advance(timedelta(minutes=9))
    await world.dispatch()
    assert len(provider.handed) == 1
    world.advance(timedelta(minutes=2))
    await world.dispatch()
    assert len(provider.handed) == 2


async def test_a_refusal_fails_at_once_and_is_visible(world: NotifyWorld) -> None:
    world.dispatcher.provider = ScriptedProvider(Permanent("gateway_400", "invalid_phone"))
    await world.dispatch()
    world.advance(timedelta(days=1))
    await world.dispatch()

    assert await world.types(STREAM) == ["PaymentNoticeFailed"]
    listed = (await world.get("/notifications?status=failed", "operator")).json()["items"]
    assert [(i["notification_id"], i["last_error"]) for i in listed] == [
        ("sms-r-1:1:1", "gateway_400: invalid_phone")
    ]


async def test_too_many_failed_tries_end_as_failed(world: NotifyWorld) -> None:
    provider = ScriptedProvider(*[Transient("gateway_502")] * 3, RuntimeError("provider bug"))
    world.dispatcher.provider = provider
    for _ in range(6):
        await world.dispatch()
        world.advance(timedelta(hours=1))

    assert len(provider.handed) == 4
    stored = (await world.store.read_stream(STREAM))[0]
    notice = world.dispatcher.codec.decode(stored).event
    assert (notice.reason, notice.detail, notice.attempts) == (  # type: ignore[attr-defined]
        "attempts_exhausted",
        "provider_error",
        4,
    )
    assert (await world.outbox())["sms-r-1:1:1"]["status"] == "failed"


async def test_no_log_line_holds_a_phone_in_clear(tmp_path: Path) -> None:
    with capture_logs() as logs:
        async with notify_world(tmp_path) as world:
            await world.beneficiary(registered("b-1", PHONES["b-1"]))
            await world.payment(paid(1), failed(1))
            await world.deliver()
            world.dispatcher.provider = ScriptedProvider(Transient("gateway_503"))
            await world.dispatch()
            world.dispatcher.provider = ScriptedProvider(Delivered("GW-1"))
            world.advance(timedelta(minutes=1))
            await world.dispatch()
            await world.get("/notifications", "operator")
            await world.get("/work-queue", "operator")
        async with notify_world(tmp_path, database="again.db") as spooling:
            await spooling.beneficiary(registered("b-2", PHONES["b-2"]))
            await spooling.payment(paid(2))
            await spooling.deliver()
            await spooling.dispatch()
            assert len(spooling.spooled()) == 1
    assert any(entry["event"] == "sms.spooled" for entry in logs)
    assert any(entry["event"] == "sms.outcome" for entry in logs)
    text = repr(logs)
    for phone in (PHONES["b-1"], PHONES["b-2"]):
        assert phone not in text
    assert "*******0002" in text  # the spool's log line names the number, masked
