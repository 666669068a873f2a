"""The working-day calendar publicity counts with: the package's years, and the schedules
administrators entered for later ones (streams ``calendar-<year>``, read from the store, the
source of truth, whenever a notice's dates are decided)."""

from __future__ import annotations

from collections.abc import Iterable

from contracts.events import WorkingDayScheduleEntered
from contracts.working_days import WorkingCalendar, YearSchedule, calendar_with
from infra.command_context import CommandContext
from infra.eventcodec import EventCodec
from infra.eventstore.port import AppendResult, EventStore
from infra.stream_commands import append_decided
from services.publicity.domain.schedule import EnterSchedule, decide_schedule


def calendar_stream(year: int) -> str:
    return f"calendar-{year}"


async def entered_schedule(
    store: EventStore, codec: EventCodec, year: int
) -> tuple[WorkingDayScheduleEntered | None, int]:
    """The latest schedule entered for ``year`` (None: none) and the stream's version."""
    records = await store.read_stream(calendar_stream(year))
    latest: WorkingDayScheduleEntered | None = None
    for record in records:
        event = codec.decode(record).event
        if isinstance(event, WorkingDayScheduleEntered):
            latest = event
    return latest, len(records)


async def working_calendar(
    store: EventStore, codec: EventCodec, years: Iterable[int]
) -> WorkingCalendar:
    """The calendar with every schedule entered for ``years`` (other years: the package's)."""
    schedules = []
    for year in years:
        entered, _ = await entered_schedule(store, codec, year)
        if entered is not None:
            schedules.append(
                YearSchedule(year, frozenset(entered.holidays), frozenset(entered.workdays))
            )
    return calendar_with(schedules)


async def enter_schedule(
    *, store: EventStore, codec: EventCodec, command: EnterSchedule, context: CommandContext
) -> AppendResult | None:
    """Record a year's schedule (``WorkingDayScheduleEntered``); notices waiting for it are
    started by ``notice_clock.start_waiting_notices``."""
    current, version = await entered_schedule(store, codec, command.year)
    events = decide_schedule(command, current)
    stream_id = calendar_stream(command.year)
    return await append_decided(store, codec, context, stream_id, events, version)
