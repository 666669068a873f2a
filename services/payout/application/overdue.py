"""The payout's clock: instructions the bank left unanswered past their due day become
``PaymentOutcomeUnknown`` (to be queried), once per instruction.

Reads the statement entries (each instruction's day of issue and standing answer) and the
working-day schedules the consumer keeps; decides each overdue instruction on its row's stream
and appends at the version decided on. Idempotent: an instruction answered or marked
meanwhile is left alone, and a run that crashed half-way is simply run again.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Final

import structlog
from sqlalchemy import select

from contracts.pii import PiiCipher
from contracts.working_days import ScheduleUnknown, WorkingCalendar
from infra.clock import Clock, today_in_china
from infra.command_context import on_the_clock
from infra.eventcodec import EventCodec
from infra.eventstore.port import EventStore, WrongExpectedVersion
from infra.projections.database import ProjectionDatabase
from infra.projections.working_day_schedules import load_calendar
from infra.stream_commands import append_decided
from services.payout.adapters.tables import (
    TABLES,
    payment_statement_entries,
    working_day_schedules,
)
from services.payout.application.projection import refresh_rows_now
from services.payout.application.streams import fold_row, load_row, row_stream
from services.payout.domain.instructions import parse_instruction_id
from services.payout.domain.overdue import answer_due, decide_overdue

SERVICE: Final = "payout"
log = structlog.get_logger()


@dataclass
class OverdueAnswers:
    """The overdue check, for a ``Ticker``. Its first run creates the tables it reads if the
    consumer has not yet."""

    store: EventStore
    codec: EventCodec
    cipher: PiiCipher
    projections: ProjectionDatabase
    clock: Clock
    _tables_ready: bool = field(default=False, init=False)

    async def tick(self) -> None:
        await self.mark_overdue()

    async def mark_overdue(self) -> list[str]:
        """One run: the instructions marked unknown now."""
        if not self._tables_ready:
            await self.projections.create_tables(TABLES)
            self._tables_ready = True
        today = today_in_china(self.clock)
        marked = []
        for instruction_id in await self._overdue(today):
            if await self._mark(instruction_id):
                marked.append(instruction_id)
        if marked:
            log.info("payout.overdue_answers", instructions=len(marked))
        return marked

    async def _overdue(self, today: date) -> list[str]:
        entries = payment_statement_entries.c
        query = select(entries.instruction_id, entries.instructed_on).where(
            entries.outcome == "pending", entries.instructed_on < today
        )
        async with self.projections.transaction() as conn:
            calendar = await load_calendar(conn, working_day_schedules)
            pending = (await conn.execute(query)).all()
        by_day: dict[date, list[str]] = defaultdict(list)
        for instruction_id, instructed_on in pending:
            by_day[instructed_on].append(instruction_id)
        return [
            instruction_id
            for day, ids in sorted(by_day.items())
            if _past_due(day, today, calendar)
            for instruction_id in sorted(ids)
        ]

    async def _mark(self, instruction_id: str) -> bool:
        ref = parse_instruction_id(instruction_id)
        if ref is None:
            return False
        for _ in range(3):
            row, version = await load_row(self.store, self.codec, ref.roster_id, ref.row_no)
            events = [] if row is None else decide_overdue(row, instruction_id)
            if row is None or not events:
                return False
            context = on_the_clock(self.clock.now(), f"overdue/{instruction_id}", service=SERVICE)
            stream_id = row_stream(ref.roster_id, ref.row_no)
            try:
                await append_decided(self.store, self.codec, context, stream_id, events, version)
            except WrongExpectedVersion:
                continue  # an answer came meanwhile: decide again on it
            after = fold_row(events, row)
            assert after is not None
            await refresh_rows_now(self.projections, self.cipher, [(after, version + 1)])
            return True
        return False


def _past_due(instructed_on: date, today: date, calendar: WorkingCalendar) -> bool:
    try:
        return today > answer_due(instructed_on, calendar)
    except ScheduleUnknown as unknown:
        log.warning("payout.overdue_schedule_unknown", year=unknown.year)
        return False
