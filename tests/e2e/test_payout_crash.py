"""The payout service killed (SIGKILL, a real process) at random points while the agent bank
pushes results over the signed HTTP API, and started again: no result is lost and none is
applied twice.

The round (600 rows) is opened in the store first; then ``onecard serve payout`` runs as its
own process on SQLite, and a bank pushes every row's result in batches of 30 — successes,
rejections of every kind, each result sent twice — retrying a batch whenever the connection
breaks, while the test kills the process at random moments and restarts it. Afterwards the
row streams (the source of truth) hold exactly one definite answer per answered instruction,
each row paid at most once, every result the bank sent recorded, and the round's ledger
(served by the restarted process from its projection) balances.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from contracts.events import PaymentFailed, PaymentInstructed, PaymentSucceeded
from infra.bus.local_broker import free_port
from infra.clock import SystemClock
from infra.eventcodec import EventCodec
from infra.http.bank_signing import signed_headers
from infra.projections.database import ProjectionDatabase
from infra.service import ServiceDeps
from infra.settings import Settings
from infra.synthetic.approved_round import approved_round, deliver
from infra.wiring import make_cipher, make_codec, open_store
from services.payout import bootstrap as payout
from services.payout.domain.events import PAYOUT_EVENTS
from tests.integration.broker_support import start_broker
from tests.unit.bank_api_support import SECRETS, write_bank_keys

pytestmark = [pytest.mark.slow, pytest.mark.broker, pytest.mark.timeout(420)]
ROWS = 600
BATCH = 30
KILLS = 4
REJECTIONS = ("account_closed", "name_mismatch", "account_frozen", "invalid_account")


@dataclass
class Payout:
    settings: Settings
    env: dict[str, str]
    url: str
    log: Path
    process: asyncio.subprocess.Process | None = None
    starts: int = 0

    async def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                *("-m", "infra.cli", "serve", "payout"),
                env=self.env,
                stdout=log,
                stderr=log,
            )
        self.starts += 1
        async with httpx.AsyncClient(timeout=2) as http:
            for _ in range(600):
                assert self.process.returncode is None, self.log.read_text()[-3000:]
                try:
                    if (await http.get(f"{self.url}/health")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
        raise AssertionError("payout did not come up: " + self.log.read_text()[-3000:])

    async def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> None:
        """SIGTERM, then SIGKILL if it has not stopped within 30 s (this test is about kills;
        a slow graceful stop is not its concern)."""
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 30)
            except TimeoutError:
                await self.kill()


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[Payout]:
    broker = start_broker(tmp_path / "broker.log")
    keys = write_bank_keys(tmp_path / "bank-keys.json")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONECARD_")}
    env |= {
        "ONECARD_DATA_DIR": str(tmp_path),
        "ONECARD_EVENT_STORE_URL": f"sqlite:///{tmp_path}/events.db",
        "ONECARD_PROJECTION_DB_URL": f"sqlite+aiosqlite:///{tmp_path}/{{service}}.db",
        "ONECARD_KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
        "ONECARD_BANK_KEYS_FILE": str(keys),
        "ONECARD_HTTP_BASE_PORT": str(port - 3),  # payout: base + 1 + its place, 2
        "ONECARD_LOG_LEVEL": "WARNING",
    }
    settings = Settings(
        data_dir=tmp_path,
        event_store_url=env["ONECARD_EVENT_STORE_URL"],
        projection_db_url=env["ONECARD_PROJECTION_DB_URL"],
        kafka_bootstrap_servers=broker.bootstrap_servers,
        bank_keys_file=keys,
        http_base_port=port - 3,
    )
    await _open_a_round(settings)
    service = Payout(
        settings, env, f"http://127.0.0.1:{settings.http_port('payout')}", tmp_path / "payout.log"
    )
    try:
        yield service
    finally:
        await service.stop()
        broker.stop()


async def _open_a_round(settings: Settings) -> None:
    """The approved round as the payout's consumer takes it in (rows instructed)."""
    store = await open_store(settings)
    projections = await ProjectionDatabase.open(settings.projection_url("payout"))
    try:
        deps = ServiceDeps(settings, store, make_codec(settings), projections, SystemClock())
        parts = payout.build(deps)
        events = approved_round(roster_id="r-crash", rows=ROWS, banks=("ABC",))
        await deliver(parts.consumers[0], projections, events, at=datetime.now(UTC))
    finally:
        await projections.close()
        await store.close()


def results_for(instructions: list[dict[str, Any]], rng: random.Random) -> list[dict[str, Any]]:
    """One definite result per instruction: most paid, one in ten rejected (every kind)."""
    results = []
    for instruction in instructions:
        base = {
            "instruction_id": instruction["instruction_id"],
            "amount_fen": instruction["amount_fen"],
        }
        if rng.random() < 0.1:
            results.append({**base, "status": "failed", "reason_code": rng.choice(REJECTIONS)})
        else:
            reference = f"ABC{instruction['instruction_id'].replace(':', '')}"
            results.append(
                {
                    **base,
                    "status": "succeeded",
                    "bank_reference": reference,
                    "value_date": "2026-12-01",
                }
            )
    return results


async def push(http: httpx.AsyncClient, url: str, results: list[dict[str, Any]]) -> list[str]:
    """Push one batch until the service answers it (a broken connection: the same batch
    again — always safe); the dispositions it answered."""
    body = json.dumps({"results": results}).encode()
    while True:
        headers = signed_headers(
            key_id="abc-1",
            secret=SECRETS["abc-1"],
            method="POST",
            path_and_query="/bank/results",
            body=body,
            at=datetime.now(UTC),
        )
        try:
            answer = await http.post(
                f"{url}/bank/results",
                content=body,
                headers={**headers, "Content-Type": "application/json"},
            )
        except httpx.TransportError:
            await asyncio.sleep(0.2)
            continue
        if answer.status_code >= 500:
            await asyncio.sleep(0.2)
            continue
        assert answer.status_code == 200, answer.text
        return [result["disposition"] for result in answer.json()["results"]]


async def pending(http: httpx.AsyncClient, url: str) -> list[dict[str, Any]]:
    headers = signed_headers(
        key_id="abc-1",
        secret=SECRETS["abc-1"],
        method="GET",
        path_and_query="/bank/batches",
        body=b"",
        at=datetime.now(UTC),
    )
    answer = await http.get(f"{url}/bank/batches", headers=headers)
    assert answer.status_code == 200, answer.text
    return [i for batch in answer.json()["batches"] for i in batch["instructions"]]


async def test_killing_the_payout_while_results_stream_in_loses_none_and_applies_none_twice(
    running: Payout,
) -> None:
    rng = random.Random(20261202)
    await running.start()
    async with httpx.AsyncClient(timeout=30) as http:
        instructions = await pending(http, running.url)
        assert len(instructions) == ROWS
        results = results_for(instructions, rng)
        sent = [*results, *results]  # every result twice: the second is a duplicate
        rng.shuffle(sent)
        batches = [sent[n : n + BATCH] for n in range(0, len(sent), BATCH)]

        pushed: list[int] = [0]
        killed_at: list[int] = []

        async def killer() -> None:
            for _ in range(KILLS):
                await asyncio.sleep(rng.uniform(0.3, 1.5))
                killed_at.append(pushed[0])
                await running.kill()
                await running.start()

        dispositions: Counter[str] = Counter()
        killing = asyncio.create_task(killer())
        for batch in batches:
            dispositions.update(await push(http, running.url, batch))
            pushed[0] += 1
        await killing
        assert running.starts == KILLS + 1
        assert any(0 < n < len(batches) for n in killed_at), ("not killed mid-stream", killed_at)
        assert dispositions["refused"] == 0, dispositions
        for batch in batches:  # the bank resends everything once more: nothing changes
            again = await push(http, running.url, batch)
            assert set(again) <= {"duplicate"}, again

        round_ = (await http.get(f"{running.url}/rounds/r-crash", headers=_finance())).json()
    await running.stop()

    answered = await _answers_in_the_log(running.settings)
    wanted = {r["instruction_id"]: r["status"] for r in results}
    first_attempts = {i for i in answered if i.endswith(":1")}
    assert first_attempts == set(wanted), "every result the bank sent is recorded"
    assert all(len(kinds) == 1 for kinds in answered.values()), "an answer applied twice"
    for instruction_id, status in wanted.items():
        expected = "PaymentSucceeded" if status == "succeeded" else "PaymentFailed"
        assert answered[instruction_id] == [expected]
    paid = sum(1 for status in wanted.values() if status == "succeeded")
    assert round_["rows_by_status"].get("paid") == paid
    assert round_["ledger"]["balanced"] is True


async def _answers_in_the_log(settings: Settings) -> dict[str, list[str]]:
    store = await open_store(settings)
    codec = EventCodec(registry=PAYOUT_EVENTS, cipher=make_cipher(settings))
    answered: dict[str, list[str]] = {}
    try:
        for row_no in range(1, ROWS + 1):
            for record in await store.read_stream(f"payment-r-crash-{row_no}"):
                event = codec.decode_event(record)
                if isinstance(event, PaymentSucceeded | PaymentFailed):
                    answered.setdefault(event.instruction_id, []).append(event.event_type)
                elif isinstance(event, PaymentInstructed):
                    assert event.roster_id == "r-crash"
    finally:
        await store.close()
    return answered


def _finance() -> dict[str, str]:
    return {
        "X-Onecard-User": "u-finance",
        "X-Onecard-Role": "county_finance_officer",
        "X-Onecard-Jurisdiction": "650102",
    }
