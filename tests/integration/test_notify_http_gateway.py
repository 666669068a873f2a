"""The HTTP SMS-gateway adapter against a real HTTP server (a small app served by uvicorn on a
local port): what it sends, how each answer is read (2xx accepted, 429/5xx and timeouts tried
again, other 4xx refused for good), and the service wired with it by the settings sending
exactly one SMS per payment through retries, each try under the same idempotency key."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from structlog.testing import capture_logs

from contracts.pii import PhoneNo
from services.notify.adapters.http_gateway import HttpSmsGateway
from services.notify.application.ports import OutgoingSms
from services.notify.domain.delivery import Delivered, Permanent, Transient
from tests.unit.notify_harness import notify_world
from tests.unit.notify_samples import PHONES, paid, registered

KEY = "test-gateway-key"
PHONE = "13800138000"


@dataclass
class Gateway:
    """A scripted SMS gateway: answers in turn (status, JSON body, headers, delay in s)."""

    script: list[tuple[int, dict[str, Any], dict[str, str], float]] = field(default_factory=list)
    received: list[tuple[dict[str, str], dict[str, Any]]] = field(default_factory=list)
    url: str = ""

    async def send(self, request: Request) -> Response:
        self.received.append((dict(request.headers), await request.json()))
        status, body, headers, delay = self.script.pop(0) if self.script else (200, {}, {}, 0)
        await asyncio.sleep(delay)
        return JSONResponse(body, status_code=status, headers=headers)

    def answer(
        self,
        status: int,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
    ) -> None:
        self.script.append((status, body or {}, headers or {}, delay))


@pytest.fixture
async def gateway() -> AsyncIterator[Gateway]:
    gateway = Gateway()
    app = Starlette(routes=[Route("/sms/send", gateway.send, methods=["POST"])])
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    async with asyncio.timeout(10):
        while not server.started:
            await asyncio.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    gateway.url = f"http://127.0.0.1:{port}/sms/send"
    yield gateway
    server.should_exit = True
    await serving


def sms(notification_id: str = "sms-r-1:1:1") -> OutgoingSms:
    return OutgoingSms(notification_id, PhoneNo(PHONE), "您的耕地地力保护补贴617.25元已发放")


async def test_an_accepted_message_carries_key_idempotency_key_number_and_text(
    gateway: Gateway,
) -> None:
    gateway.answer(200, {"id": "GW-42"})
    adapter = HttpSmsGateway(url=gateway.url, api_key=KEY)
    try:
        assert await adapter.send(sms()) == Delivered("GW-42")
    finally:
        await adapter.aclose()
    ((headers, body),) = gateway.received
    assert headers["authorization"] == f"Bearer {KEY}"
    assert headers["idempotency-key"] == "sms-r-1:1:1"
    assert body == {
        "message_id": "sms-r-1:1:1",
        "phone": PHONE,
        "content": "您的耕地地力保护补贴617.25元已发放",
    }


@pytest.mark.parametrize(
    ("answer", "outcome"),
    [
        ((429, {}, {"Retry-After": "7"}), Transient("gateway_429", timedelta(seconds=7))),
        ((503, {"error": "busy"}), Transient("gateway_503")),
        ((500, {}), Transient("gateway_500")),
        ((400, {"code": "invalid_phone"}), Permanent("gateway_400", "invalid_phone")),
        ((401, {"code": "bad key!"}), Permanent("gateway_401")),
        ((422, {"code": PHONE}), Permanent("gateway_422", "*******8000")),
        ((202, {}), Delivered()),
    ],
)
async def test_each_answer_is_read_as_retry_refusal_or_acceptance(
    gateway: Gateway, answer: tuple[Any, ...], outcome: object
) -> None:
    gateway.answer(*answer)
    adapter = HttpSmsGateway(url=gateway.url, api_key=KEY)
    try:
        assert await adapter.send(sms()) == outcome
    finally:
        await adapter.aclose()


async def test_a_gateway_that_does_not_answer_in_time_is_tried_again(gateway: Gateway) -> None:
    gateway.answer(200, delay=2.0)
    client = httpx.AsyncClient(timeout=httpx.Timeout(0.3))
    adapter = HttpSmsGateway(url=gateway.url, api_key=KEY, client=client)
    try:
        assert await adapter.send(sms()) == Transient("gateway_timeout")
    finally:
        await adapter.aclose()


async def test_an_unreachable_gateway_is_tried_again() -> None:
    adapter = HttpSmsGateway(url="http://127.0.0.1:9/sms/send", api_key=KEY)
    try:
        assert await adapter.send(sms()) == Transient("gateway_unreachable")
    finally:
        await adapter.aclose()


async def test_the_service_sends_one_sms_per_payment_through_busy_answers(
    gateway: Gateway, tmp_path: Path
) -> None:
    gateway.answer(503)
    gateway.answer(429, headers={"Retry-After": "120"})
    gateway.answer(200, {"id": "GW-7"})
    settings: dict[str, Any] = {
        "notify_sms_provider": "http",
        "notify_gateway_url": gateway.url,
        "notify_gateway_key": KEY,
    }
    with capture_logs() as logs:
        async with notify_world(tmp_path, **settings) as world:
            await world.beneficiary(registered("b-1", PHONES["b-1"]))
            await world.payment(paid(1))
            await world.deliver()
            for wait in (timedelta(0), timedelta(seconds=31), timedelta(seconds=121)):
                world.advance(wait)
                await world.dispatch()
            await world.redeliver_everything()
            world.advance(timedelta(hours=2))
            await world.dispatch()
            row = (await world.outbox())["sms-r-1:1:1"]

    assert [headers["idempotency-key"] for headers, _ in gateway.received] == ["sms-r-1:1:1"] * 3
    assert {body["phone"] for _, body in gateway.received} == {PHONES["b-1"]}
    assert (row["status"], row["attempts"], row["provider_reference"]) == ("sent", 3, "GW-7")
    assert PHONES["b-1"] not in repr(logs)


async def test_a_refused_message_fails_for_good_through_the_service(
    gateway: Gateway, tmp_path: Path
) -> None:
    gateway.answer(400, {"code": "blacklisted"})
    settings: dict[str, Any] = {
        "notify_sms_provider": "http",
        "notify_gateway_url": gateway.url,
        "notify_gateway_key": KEY,
    }
    async with notify_world(tmp_path, **settings) as world:
        await world.beneficiary(registered("b-1", PHONES["b-1"]))
        await world.payment(paid(1))
        await world.deliver()
        await world.dispatch()
        world.advance(timedelta(days=1))
        await world.dispatch()
        assert await world.types("notification-sms-r-1:1:1") == ["PaymentNoticeFailed"]
        row = (await world.outbox())["sms-r-1:1:1"]
    assert len(gateway.received) == 1
    assert (row["status"], row["last_error"]) == ("failed", "gateway_400: blacklisted")


def test_the_http_provider_needs_its_url_and_key() -> None:
    from infra.settings import Settings

    with pytest.raises(ValueError, match="GATEWAY_URL"):
        Settings(notify_sms_provider="http", notify_gateway_url="http://gw")
