"""The bank simulator as its own process (``onecard bank-simulator``) against the payout app
served by uvicorn on a loopback port, over a round of 200 rows: 5 % rejections of every kind,
answers lost and queried, duplicated, reordered and returned after the success, and crashes at
random points with restarts. When the simulator goes idle, every instruction has exactly one
definite answer, the simulator credited each instruction id at most once, no row was paid
twice, the two sides agree on what was paid, and the round's ledger balances."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import orjson
import pytest
import uvicorn

from contracts.events import PaymentFailed, PaymentFlaggedForReview, PaymentSucceeded
from infra.banksim.bank import CRASH_EXIT
from infra.banksim.ledger import read_ledger
from infra.clock import SystemClock
from infra.eventcodec import EventCodec
from infra.eventstore.port import EventStore
from infra.projections.database import ProjectionDatabase
from infra.service import ServiceDeps
from infra.settings import Settings
from infra.synthetic.approved_round import approved_round, deliver
from infra.wiring import make_codec, open_store
from services.payout import bootstrap as payout
from tests.unit.bank_api_support import write_bank_keys

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]
ROWS = 200
FINANCE = {
    "X-Onecard-User": "u-finance",
    "X-Onecard-Role": "county_finance_officer",
    "X-Onecard-Jurisdiction": "650102",
}
MISCHIEF = (
    *("--failure-share", "0.05", "--timeout-share", "0.05", "--duplicate-share", "0.1"),
    *("--return-share", "0.02", "--reorder", "--answer-delay", "0.01", "--push-size", "40"),
)


@dataclass
class Served:
    url: str
    store: EventStore
    codec: EventCodec
    keys: Path


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:  # pytest keeps its own handlers
        yield


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[Served]:
    keys = write_bank_keys(tmp_path / "bank-keys.json")
    settings = Settings(
        data_dir=tmp_path,
        event_store_url=f"sqlite:///{tmp_path}/events.db",
        bank_keys_file=keys,
    )
    store = await open_store(settings)
    projections = await ProjectionDatabase.open(f"sqlite+aiosqlite:///{tmp_path}/payout.db")
    deps = ServiceDeps(settings, store, make_codec(settings), projections, SystemClock())
    parts = payout.build(deps)
    events = approved_round(roster_id="r-sim", rows=ROWS, banks=("ABC",))
    await deliver(parts.consumers[0], projections, events, at=datetime.now(UTC))
    config = uvicorn.Config(parts.http, port=0, log_config=None, access_log=False)
    server = _Server(config)
    serving = asyncio.create_task(server.serve())
    while not server.started:
        assert not serving.done(), "uvicorn stopped before it started"
        await asyncio.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]  # port 0: the system chose a free one
    try:
        yield Served(f"http://127.0.0.1:{port}", store, parts.http.state.payout.codec, keys)
    finally:
        server.should_exit = True
        await serving
        await projections.close()
        await store.close()


async def simulate(served: Served, ledger: Path, *flags: str) -> int:
    command = (
        *("-m", "infra.cli", "bank-simulator", "--url", served.url, "--key-id", "abc-1"),
        *("--keys-file", str(served.keys), "--ledger", str(ledger), "--seed", "7"),
        *("--poll-interval", "0.05", "--until-idle", "3", *flags),
    )
    env = {**os.environ, "ONECARD_DATA_DIR": str(ledger.parent), "ONECARD_LOG_LEVEL": "WARNING"}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *command,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode in (0, CRASH_EXIT), output.decode(errors="replace")[-3000:]
    return process.returncode


async def test_a_round_settles_through_a_misbehaving_crashing_bank_paying_each_id_once(
    served: Served, tmp_path: Path
) -> None:
    ledger = tmp_path / "bank" / "ledger.db"
    exits = [await simulate(served, ledger, *MISCHIEF, "--crash-probability", "1")]
    while exits[-1] == CRASH_EXIT and len(exits) < 20:
        exits.append(await simulate(served, ledger, *MISCHIEF, "--crash-probability", "0.005"))
    assert (exits[0], exits[-1]) == (CRASH_EXIT, 0), exits  # the first dies after one decision

    definite: Counter[str] = Counter()
    succeeded: dict[int, list[str]] = {}
    flagged: list[str] = []
    for row_no in range(1, ROWS + 1):
        for record in await served.store.read_stream(f"payment-r-sim-{row_no}"):
            event = served.codec.decode_event(record)
            if isinstance(event, PaymentSucceeded | PaymentFailed):
                definite[event.instruction_id] += 1
            if isinstance(event, PaymentSucceeded):
                succeeded.setdefault(row_no, []).append(event.instruction_id)
            if isinstance(event, PaymentFlaggedForReview):
                flagged.append(event.instruction_id)
    view = read_ledger(ledger)
    assert set(definite.values()) == {1}
    assert set(definite) == set(view.entries), "every instruction the bank saw was answered"
    assert max(view.credits.values()) == 1
    assert all(len(paid) == 1 for paid in succeeded.values())
    assert set(view.credits) == {ids[0] for ids in succeeded.values()}
    assert sorted(flagged) == sorted(view.returns)
    async with httpx.AsyncClient(base_url=served.url) as client:
        round_status = orjson.loads((await client.get("/rounds/r-sim", headers=FINANCE)).content)
    by_status = round_status["rows_by_status"]
    assert set(by_status) <= {"paid", "failed"}, by_status
    assert (sum(by_status.values()), by_status["paid"]) == (ROWS, len(succeeded))
    assert round_status["ledger"]["balanced"] is True
