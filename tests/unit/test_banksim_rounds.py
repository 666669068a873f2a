"""The simulated bank against the real payout app (in process, signed requests): it pays each
instruction once and the payout learns each outcome once, whatever the bank does on the way —
answers lost and then queried, sent twice, returned after the success, a transient rejection
retried under the next id, or a restart after deciding but before answering."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from infra.banksim.bank import SimulatedBank
from infra.banksim.client import BankApiClient
from infra.banksim.config import SimulatorConfig
from infra.banksim.decisions import decide, draw
from infra.banksim.ledger import Ledger, read_ledger
from tests.unit.bank_api_support import SECRETS, write_bank_keys
from tests.unit.payout_harness import PayoutWorld, payout_world
from tests.unit.payout_samples import APPROVED_AT

ABC = ("r-1:1:1", "r-1:2:1", "r-1:4:1")
TODAY = date(2025, 10, 9)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[PayoutWorld]:
    write_bank_keys(tmp_path / "payout" / "bank-keys.json")
    async with payout_world(tmp_path, now=APPROVED_AT) as world:
        await world.submit_and_approve()
        yield world


def simulator(world: PayoutWorld, tmp_path: Path, **behaviour: Any) -> SimulatedBank:
    config = SimulatorConfig(
        url="http://payout",
        key_id="abc-1",
        secret=SECRETS["abc-1"],
        ledger=tmp_path / "bank.db",
        **{"failure_share": 0.0, **behaviour},
    )
    api = BankApiClient(world.client, key_id="abc-1", secret=SECRETS["abc-1"], now=world.clock.now)
    return SimulatedBank(config, Ledger(config.ledger), api, today=lambda: TODAY)


async def test_a_calm_bank_pays_each_instruction_once_and_goes_idle(
    world: PayoutWorld, tmp_path: Path
) -> None:
    bank = simulator(world, tmp_path)
    assert await bank.round() is True
    assert await bank.round() is False
    assert read_ledger(tmp_path / "bank.db").credits == dict.fromkeys(ABC, 1)
    for row_no in (1, 2, 4):
        assert await world.types(f"payment-r-1-{row_no}") == [
            "PaymentInstructed",
            "PaymentSucceeded",
        ]


async def test_a_lost_answer_is_unknown_until_queried_then_the_recorded_outcome(
    world: PayoutWorld, tmp_path: Path
) -> None:
    bank = simulator(world, tmp_path, timeout_share=1.0)
    await bank.round()
    (batch,) = await world.pending("ABC")
    assert {i.instruction_id: i.query for i in batch.instructions} == dict.fromkeys(ABC, True)
    await bank.round()
    assert await world.pending("ABC") == []
    assert await world.types("payment-r-1-1") == [
        "PaymentInstructed",
        "PaymentOutcomeUnknown",
        "PaymentSucceeded",
    ]
    assert read_ledger(tmp_path / "bank.db").credits == dict.fromkeys(ABC, 1)


async def test_duplicate_answers_are_noted_and_pay_nothing_twice(
    world: PayoutWorld, tmp_path: Path
) -> None:
    await simulator(world, tmp_path, duplicate_share=1.0).round()
    assert await world.types("payment-r-1-2") == [
        "PaymentInstructed",
        "PaymentSucceeded",
        "BankResultNoted",
    ]
    assert read_ledger(tmp_path / "bank.db").credits == dict.fromkeys(ABC, 1)


async def test_a_return_after_the_success_is_flagged_for_review(
    world: PayoutWorld, tmp_path: Path
) -> None:
    bank = simulator(world, tmp_path, return_share=1.0)
    await bank.round()
    await bank.round()
    assert await bank.round() is False
    assert (await world.types("payment-r-1-4"))[-1] == "PaymentFlaggedForReview"
    view = read_ledger(tmp_path / "bank.db")
    assert (view.credits, view.returns) == (dict.fromkeys(ABC, 1), dict.fromkeys(ABC, 1))


async def test_a_transient_rejection_is_paid_under_the_next_attempts_id(
    world: PayoutWorld, tmp_path: Path
) -> None:
    seed = next(
        s for s in range(1, 1000) if draw(s, "r-1:1:1", "fail") < 0.5 <= draw(s, "r-1:1:2", "fail")
    )
    behaviour = {"failure_share": 0.5, "failure_kinds": {"channel_error": 1.0}, "seed": seed}
    bank = simulator(world, tmp_path, **behaviour)
    await bank.round()
    await bank.round()
    view = read_ledger(tmp_path / "bank.db")
    assert view.entries["r-1:1:1"].decision.reason_code == "channel_error"
    assert view.credits["r-1:1:2"] == 1
    assert "r-1:1:1" not in view.credits


async def test_a_restarted_bank_answers_what_it_decided_before_its_crash(
    world: PayoutWorld, tmp_path: Path
) -> None:
    before = simulator(world, tmp_path)
    before.ledger.settle(decide("r-1:1:1", 61_725, before.config, TODAY))
    before.ledger.close()
    after = simulator(world, tmp_path, failure_share=1.0)
    await after.round()
    assert await world.types("payment-r-1-1") == ["PaymentInstructed", "PaymentSucceeded"]
    assert await world.types("payment-r-1-2") == ["PaymentInstructed", "PaymentFailed"]
    assert read_ledger(tmp_path / "bank.db").runs == 2
