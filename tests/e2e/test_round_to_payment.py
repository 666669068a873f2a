"""One roster from submission to its payment instructions, through the real store, relay and
broker.

The registry, publicity, approval and payout services run as they are wired in production (their
bootstraps, their consumers as Faust agents of their own groups, one SQLite event store, the
local Kafka-protocol broker, the relay), on one adjustable clock. The roster is noticed, an
objection to it is dismissed, the notice completes when the clock passes its end, the first
level signs it off and the second sends it back naming a row; the registry reopens it, the
clerk removes the row and submits again; the second notice completes and three distinct
users approve it; payout turns the approved rows into instructions for the agent bank. Nothing
is called directly that a user or the clock would not do.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from contracts.events import BatchApproved, RosterLevelApproved, RosterSentBack
from infra.bus.faust_agents import run_consumers
from infra.bus.kafka_publisher import KafkaPublisher
from infra.bus.relay import Relay
from infra.clock import AdjustableClock
from infra.eventcodec import EventCodec
from infra.eventstore.factory import open_event_store
from infra.eventstore.port import EventStore
from infra.pii import FieldCipher
from infra.projections.database import ProjectionDatabase
from infra.service import ServiceDeps, ServiceParts
from infra.settings import Settings
from infra.wiring import make_cipher, make_codec
from services.approval import bootstrap as approval
from services.payout import bootstrap as payout
from services.publicity import bootstrap as publicity
from services.registry import bootstrap as registry
from services.registry.domain.events import REGISTRY_EVENTS
from tests.integration.broker_support import start_broker
from tests.unit import registry_world as world

pytestmark = [pytest.mark.broker, pytest.mark.slow, pytest.mark.timeout(300)]

TOWNSHIP = "650102001"
CLERK = {  # registry_world's clerk of the township, who typed the rows
    "X-Onecard-User": f"u-clerk-{TOWNSHIP}",
    "X-Onecard-Role": "township_operator",
    "X-Onecard-Jurisdiction": TOWNSHIP,
}
TOWNSHIP_AUDITOR = {
    "X-Onecard-User": "u-auditor",
    "X-Onecard-Role": "township_finance_auditor",
    "X-Onecard-Jurisdiction": TOWNSHIP,
}
REVIEWER = {
    "X-Onecard-User": "u-reviewer",
    "X-Onecard-Role": "county_department_reviewer",
    "X-Onecard-Jurisdiction": "650102",
}
FINANCE = {
    "X-Onecard-User": "u-finance",
    "X-Onecard-Role": "county_finance_officer",
    "X-Onecard-Jurisdiction": "650102",
}
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Monday 09:00 in China
WAIT = 90.0


@dataclass
class County:
    store: EventStore
    settings: Settings
    clock: AdjustableClock
    parts: dict[str, ServiceParts]
    http: dict[str, httpx.AsyncClient]

    async def tick_notices(self) -> None:
        tickers = self.parts["publicity"].tickers
        ticker = next(t for t in tickers if t.name == "publicity-notice-clock")
        await ticker.run()


@pytest.fixture
async def county(tmp_path: Path) -> AsyncIterator[County]:
    async with AsyncExitStack() as stack:
        broker = start_broker(tmp_path / "broker.log")
        stack.callback(broker.stop)
        settings = Settings(
            data_dir=tmp_path,
            event_store_url=f"sqlite:///{tmp_path}/events.db",
            kafka_bootstrap_servers=broker.bootstrap_servers,
        )
        store = await open_event_store(settings.event_store_url)
        stack.push_async_callback(store.close)
        cipher = make_cipher(settings)
        codec = EventCodec(registry=REGISTRY_EVENTS, cipher=cipher)
        await _a_township_with_a_roster(store, codec, cipher)
        clock = AdjustableClock(start=START)
        stop = asyncio.Event()
        parts: dict[str, ServiceParts] = {}
        http: dict[str, httpx.AsyncClient] = {}
        tasks: list[asyncio.Task[None]] = []
        for service in (registry, publicity, approval, payout):
            projections = await ProjectionDatabase.open(f"sqlite:///{tmp_path}/{service.NAME}.db")
            stack.push_async_callback(projections.close)
            deps = ServiceDeps(settings, store, make_codec(settings), projections, clock)
            built = service.build(deps)
            parts[built.name] = built
            client = httpx.AsyncClient(
                transport=httpx.ASGITransport(app=built.http), base_url=f"http://{built.name}"
            )
            stack.push_async_callback(client.aclose)
            http[built.name] = client
            tasks.append(
                asyncio.create_task(
                    run_consumers(
                        service=built.name, consumers=built.consumers, deps=deps, stop=stop
                    )
                )
            )
        publisher = await KafkaPublisher.connect(broker.bootstrap_servers)
        stack.push_async_callback(publisher.close)
        tasks.append(asyncio.create_task(Relay(store=store, publisher=publisher).run(stop)))
        try:
            yield County(store, settings, clock, parts, http)
        finally:
            stop.set()
            await asyncio.gather(*tasks)


async def _a_township_with_a_roster(
    store: EventStore, codec: EventCodec, cipher: FieldCipher
) -> None:
    await world.catalogue(store, codec)
    for n in (1, 2, 3):
        await world.person(store, codec, cipher, n, f"{TOWNSHIP}001")
    rows = (world.row(1, 1), world.row(2, 2, fen=47_750), world.row(3, 3))
    await world.roster(store, codec, "r-1", TOWNSHIP, *rows)


async def test_a_roster_goes_round_notice_and_chain_with_one_send_back_into_payment(
    county: County,
) -> None:
    registry_http, notices, approvals = (
        county.http[n] for n in ("registry", "publicity", "approval")
    )

    submitted = await registry_http.post("/rosters/r-1/submission", headers=CLERK)
    assert submitted.status_code == 200, submitted.text
    board = await eventually(lambda: _board_with(notices, submission=1))
    (notice,) = board["notices"]
    assert len(notice["rows"]) == 3
    assert "村民1" not in str(board)  # names are masked

    objection = await notices.post(
        "/notices/r-1/objections",
        json={"submission_no": 1, "row_no": 2, "reason": "此户已不在本村耕种"},
    )
    assert objection.status_code == 201, objection.text
    dismissed = await notices.post(
        f"/notices/r-1/objections/{objection.json()['objection_id']}/finding",
        json={"upheld": False, "finding": "经核实仍在本村耕种，异议不成立"},
        headers=TOWNSHIP_AUDITOR,
    )
    assert dismissed.status_code == 200, dismissed.text

    await _let_the_notice_run_out(county)
    await eventually(lambda: _waiting_for(approvals, TOWNSHIP_AUDITOR, submission=1))
    first = await approvals.post("/approvals/r-1/approve", json={}, headers=TOWNSHIP_AUDITOR)
    assert first.status_code == 200, first.text
    back = await approvals.post(
        "/approvals/r-1/send-back",
        json={"reasons": ["第3行补贴面积与确权面积不符"], "row_nos": [3]},
        headers=REVIEWER,
    )
    assert back.status_code == 200, back.text

    await eventually(lambda: _returned(registry_http))
    refused = await registry_http.post("/rosters/r-1/submission", headers=CLERK)
    assert refused.status_code == 409, "the returned row must be fixed first"
    removed = await registry_http.post(
        "/rosters/r-1/rows/3/removal", json={"reason": "面积待核实，本批次不发"}, headers=CLERK
    )
    assert removed.status_code == 200, removed.text
    again = await registry_http.post("/rosters/r-1/submission", headers=CLERK)
    assert again.status_code == 200, again.text

    board = await eventually(lambda: _board_with(notices, submission=2))
    assert len(board["notices"][0]["rows"]) == 2
    await _let_the_notice_run_out(county)
    await eventually(lambda: _waiting_for(approvals, TOWNSHIP_AUDITOR, submission=2))
    for approver in (TOWNSHIP_AUDITOR, REVIEWER, FINANCE):
        signed = await approvals.post("/approvals/r-1/approve", json={}, headers=approver)
        assert signed.status_code == 200, (approver["X-Onecard-Role"], signed.text)

    decided = [
        recorded.event_type
        for recorded in await county.store.read_stream("approval-r-1")
        if recorded.event_type in {e.event_type for e in (RosterLevelApproved, RosterSentBack)}
    ]
    assert decided == ["RosterLevelApproved", "RosterSentBack", *["RosterLevelApproved"] * 3]
    (batch,) = await _events_of(county, "approval-r-1", BatchApproved)
    assert (batch.submission_no, batch.approved_row_count, batch.total_fen) == (2, 2, 143_250)
    assert batch.levels == ("u-auditor", "u-reviewer", "u-finance")

    paying = await eventually(lambda: _instructed(county.http["payout"]))
    ledger = paying["ledger"]
    (batch_header,) = paying["batches"]  # every payee banks with ABC: one agent bank, one batch
    assert paying["submission_no"] == 2
    assert (batch_header["bank_code"], batch_header["row_count"]) == ("ABC", 2)
    assert batch_header["total_fen"] == 143_250
    assert (ledger["approved_rows"], ledger["approved_fen"]) == (2, 143_250)
    assert (ledger["outstanding_fen"], ledger["balanced"]) == (143_250, True)


async def _let_the_notice_run_out(county: County) -> None:
    """Move the clock past the notice's end (5 working days, no holiday in March 2026) and
    let the publicity service's clock find it."""
    county.clock.advance(timedelta(days=8))
    await county.tick_notices()


async def _board_with(notices: httpx.AsyncClient, *, submission: int) -> dict[str, Any] | None:
    answer = await notices.get(f"/notices/townships/{TOWNSHIP}.json")
    board: dict[str, Any] = answer.json()
    shown = [notice for notice in board["notices"] if notice["submission_no"] == submission]
    return board if shown else None


async def _waiting_for(
    approvals: httpx.AsyncClient, user: dict[str, str], *, submission: int
) -> bool:
    work = (await approvals.get("/work", headers=user)).json()
    return any(
        item["roster_id"] == "r-1" and item["submission_no"] == submission for item in work["items"]
    )


async def _instructed(payouts: httpx.AsyncClient) -> dict[str, Any] | None:
    answer = await payouts.get("/rounds/r-1", headers=FINANCE)
    shown: dict[str, Any] = answer.json()
    return shown if answer.status_code == 200 and shown["instructed"] else None


async def _returned(registry_http: httpx.AsyncClient) -> bool:
    shown = (await registry_http.get("/rosters/r-1", headers=CLERK)).json()
    return shown.get("returned") is not None and shown["status"] != "submitted"


async def _events_of(county: County, stream: str, kind: type[Any]) -> list[Any]:
    codec = make_codec(county.settings)
    found = []
    for recorded in await county.store.read_stream(stream):
        if recorded.event_type == kind.event_type:
            found.append(codec.decode(recorded).event)
    return found


async def eventually(check: Callable[[], Awaitable[Any]], *, timeout: float = WAIT) -> Any:
    async with asyncio.timeout(timeout):
        while True:
            if result := await check():
                return result
            await asyncio.sleep(0.2)
