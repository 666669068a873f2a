"""What publicity does on its clock (a Ticker): complete the notices whose period elapsed with
no objection open, and start the notices that waited for a year's schedule once it is known.

Both are idempotent: the projection only names candidates; each is decided again on its
stream, so a second run, a run racing another process (its append then fails on the expected
version and the next run sees the result) or a stale projection changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import structlog
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.working_days import ScheduleUnknown
from infra.clock import Clock, today_in_china
from infra.eventcodec import EventCodec
from infra.eventstore.port import EventStore, WrongExpectedVersion
from infra.projections.database import ProjectionDatabase
from infra.stream_commands import append_decided
from services.publicity.adapters.tables import TABLES, notices
from services.publicity.application.context import on_the_clock
from services.publicity.application.notice_queries import elapsed_notices, waiting_notices
from services.publicity.application.notice_start import NoticeTerms, start_notice
from services.publicity.application.streams import load_notice, notice_stream
from services.publicity.domain.notice import CompleteNotice, Notice, decide_completion

log = structlog.get_logger()


async def complete_elapsed_notices(
    *, store: EventStore, codec: EventCodec, projections: ProjectionDatabase, clock: Clock
) -> int:
    """Append ``PublicNoticeCompleted`` for each notice now due; return how many."""
    today, done = today_in_china(clock), 0
    async with projections.transaction() as conn:
        candidates = await elapsed_notices(conn, today)
    for roster_id, submission_no in candidates:
        state, version = await load_notice(store, codec, roster_id)
        events = decide_completion(CompleteNotice(roster_id, submission_no, today), state)
        context = on_the_clock(clock.now(), f"complete/{roster_id}/{submission_no}")
        try:
            appended = await append_decided(
                store, codec, context, notice_stream(roster_id), events, version
            )
        except WrongExpectedVersion:
            log.info("notice.completion_raced", roster_id=roster_id)
            continue
        done += appended is not None
    return done


async def start_waiting_notices(
    *, store: EventStore, codec: EventCodec, projections: ProjectionDatabase, clock: Clock
) -> int:
    """Start each notice that waited for a schedule and can start now, counting from today;
    return how many started."""
    today, started = today_in_china(clock), 0
    async with projections.transaction() as conn:
        candidates = await waiting_notices(conn)
    for roster_id, submission_no in candidates:
        state, _ = await load_notice(store, codec, roster_id)
        if state is None or state.submission_no != submission_no:
            continue
        if state.status == "awaiting_schedule":
            context = on_the_clock(clock.now(), f"start/{roster_id}/{submission_no}")
            try:
                state = await start_notice(
                    store=store,
                    codec=codec,
                    terms=NoticeTerms.of_waiting(state),
                    today=today,
                    context=context,
                )
            except WrongExpectedVersion:
                continue
            started += state is not None and state.status != "awaiting_schedule"
        async with projections.transaction() as conn:
            await _mark_waiting(conn, roster_id, submission_no, state)
    return started


async def _mark_waiting(
    conn: AsyncConnection, roster_id: str, submission_no: int, state: Notice | None
) -> None:
    """The projection's waiting columns as the stream now has them (the start itself reaches
    the projection through the bus, like every notice event)."""
    waiting = state is not None and state.status == "awaiting_schedule"
    await conn.execute(
        update(notices)
        .where(notices.c.roster_id == roster_id, notices.c.submission_no == submission_no)
        .values(
            waiting_code=ScheduleUnknown.code if waiting else None,
            waiting_year=state.awaiting_year if waiting and state is not None else None,
        )
    )


@dataclass
class NoticeClock:
    """The notice clock's work, for a ``Ticker``. Its first run creates the projection tables
    it reads if the consumers have not yet (the ticker may start before them)."""

    store: EventStore
    codec: EventCodec
    projections: ProjectionDatabase
    clock: Clock
    _tables_ready: bool = field(default=False, init=False)

    async def tick(self) -> None:
        """One run: start the notices whose schedule is now known, complete the elapsed."""
        if not self._tables_ready:
            await self.projections.create_tables(TABLES)
            self._tables_ready = True
        store, codec, projections, clock = self.store, self.codec, self.projections, self.clock
        await start_waiting_notices(store=store, codec=codec, projections=projections, clock=clock)
        await complete_elapsed_notices(
            store=store, codec=codec, projections=projections, clock=clock
        )
