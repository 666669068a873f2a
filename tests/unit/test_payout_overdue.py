"""Instructions the agent bank leaves unanswered past their due day (3 working days to credit,
2 to report: 002 §3(5)) become unknown — queried under the same id, never re-issued — once,
counting China's working days, and not before the year's schedule is known."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from contracts.events import WorkingDayScheduleEntered
from contracts.working_days import ScheduleUnknown, calendar_with
from services.payout.application.overdue import OverdueAnswers
from services.payout.domain.overdue import answer_due
from tests.unit.payout_harness import PayoutWorld, payout_world
from tests.unit.payout_samples import APPROVED_AT, succeeded

# APPROVED_AT is Thursday 9 October 2025 in China; Saturday 11 October was a make-up workday
DUE = date(2025, 10, 15)


def overdue_of(world: PayoutWorld) -> OverdueAnswers:
    payout = world.payout
    return OverdueAnswers(world.store, payout.codec, payout.cipher, payout.projections, world.clock)


def at_china_noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 4, tzinfo=UTC)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[PayoutWorld]:
    async with payout_world(tmp_path, now=APPROVED_AT) as world:
        await world.submit_and_approve()
        yield world


def test_an_answer_is_due_five_working_days_after_the_instruction() -> None:
    assert answer_due(date(2025, 10, 9), calendar_with([])) == DUE
    with pytest.raises(ScheduleUnknown):
        answer_due(date(2027, 3, 1), calendar_with([]))


def test_the_payout_checks_for_overdue_answers_on_its_clock(world: PayoutWorld) -> None:
    assert [ticker.name for ticker in world.parts.tickers] == ["payout-overdue-answers"]


async def test_unanswered_instructions_past_their_due_day_are_marked_unknown_once(
    world: PayoutWorld,
) -> None:
    await world.answer(succeeded("r-1:1:1", 61_725))
    await world.deliver()
    overdue = overdue_of(world)
    world.advance_to(at_china_noon(DUE))
    assert await overdue.mark_overdue() == []
    world.advance_to(at_china_noon(DUE + timedelta(days=1)))
    assert await overdue.mark_overdue() == ["r-1:2:1", "r-1:3:1", "r-1:4:1"]
    assert (await world.types("payment-r-1-2"))[-1] == "PaymentOutcomeUnknown"
    assert await world.types("payment-r-1-1") == ["PaymentInstructed", "PaymentSucceeded"]
    assert await overdue.mark_overdue() == []  # before the bus brought the marks back
    await world.deliver()
    assert await overdue.mark_overdue() == []
    (abc,) = await world.pending("ABC")
    assert {(i.instruction_id, i.query) for i in abc.instructions} == {
        ("r-1:2:1", True),
        ("r-1:4:1", True),
    }
    round_ = (await world.get("/rounds/r-1", "finance")).json()
    assert round_["rows_by_status"] == {"paid": 1, "unknown": 3}


async def test_overdue_answers_wait_for_the_years_working_day_schedule(tmp_path: Path) -> None:
    async with payout_world(tmp_path, now=datetime(2027, 3, 1, 2, tzinfo=UTC)) as world:
        await world.submit_and_approve()
        overdue = overdue_of(world)
        world.advance_to(datetime(2027, 3, 20, 2, tzinfo=UTC))
        assert await overdue.mark_overdue() == []
        schedule = WorkingDayScheduleEntered(
            year=2027, holidays=(), workdays=(), source="国办发明电〔2026〕X号（测试）"
        )
        await world.publish("calendar-2027", schedule)
        await world.deliver()
        assert len(await overdue.mark_overdue()) == 4
