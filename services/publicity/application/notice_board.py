"""The notice board projection, fed from the bus: the masked rows of each submitted roster,
each notice's header and status; and the reaction that starts a notice when a roster is
submitted (its append to the store is idempotent: see ``notice_start``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.base import Event
from contracts.envelope import Envelope
from contracts.events import (
    PublicNoticeCompleted,
    PublicNoticeHalted,
    PublicNoticeStarted,
    RosterRowsSubmitted,
    RosterSubmitted,
    SubmittedRow,
)
from contracts.masking import mask_card_account, mask_citizen_id, mask_name
from contracts.working_days import ScheduleUnknown
from infra.clock import CHINA
from infra.eventcodec import EventCodec
from infra.eventstore.port import EventStore
from infra.service import Handler
from services.publicity.adapters.tables import notice_rows, notices
from services.publicity.adapters.upsert import upsert
from services.publicity.application.context import reaction_to
from services.publicity.application.notice_start import NoticeTerms, start_notice
from services.publicity.domain.notice import Notice

KEYS = ("roster_id", "submission_no")
NOTICE_EVENTS = (
    RosterRowsSubmitted,
    RosterSubmitted,
    PublicNoticeStarted,
    PublicNoticeHalted,
    PublicNoticeCompleted,
)


def notice_board_handler(*, store: EventStore, codec: EventCodec) -> Handler:
    """The consumer of the roster and notice topics (one transaction per batch, inbox kept
    by the caller)."""

    async def handle(conn: AsyncConnection, envelopes: Sequence[Envelope[Event]]) -> None:
        for envelope in envelopes:
            event = envelope.event
            if isinstance(event, RosterRowsSubmitted):
                await _put_rows(conn, event)
            elif isinstance(event, RosterSubmitted):
                context = reaction_to(envelope)
                today = envelope.occurred_at.astimezone(CHINA).date()
                terms = NoticeTerms.of_submission(event)
                state = await start_notice(
                    store=store, codec=codec, terms=terms, today=today, context=context
                )
                await _put_submission(conn, envelope, event, state)
            else:
                await _put_status(conn, envelope)

    return handle


def masked_row(roster_id: str, submission_no: int, row: SubmittedRow) -> dict[str, Any]:
    """The row as the notice shows it: personal data masked here, before anything is stored."""
    return {
        "roster_id": roster_id,
        "submission_no": submission_no,
        "row_no": row.row_no,
        "masked_name": mask_name(row.name),
        "masked_citizen_id": mask_citizen_id(row.citizen_id.reveal()),
        "masked_account": mask_card_account(row.account_no.reveal()),
        "village": row.village,
        "quantity": None if row.quantity is None else str(row.quantity),
        "standard_fen": row.standard_fen,
        "amount_fen": row.amount_fen,
    }


async def _put_rows(conn: AsyncConnection, event: RosterRowsSubmitted) -> None:
    """A later submission's rows replace the earlier ones'."""
    if event.part == 1:
        await conn.execute(
            delete(notice_rows).where(
                notice_rows.c.roster_id == event.roster_id,
                notice_rows.c.submission_no < event.submission_no,
            )
        )
    rows = [masked_row(event.roster_id, event.submission_no, row) for row in event.rows]
    await conn.execute(insert(notice_rows), rows)


async def _put_submission(
    conn: AsyncConnection,
    envelope: Envelope[Event],
    event: RosterSubmitted,
    state: Notice | None,
) -> None:
    waiting = (
        state is not None
        and state.submission_no == event.submission_no
        and state.status == "awaiting_schedule"
    )
    values = {
        "roster_id": event.roster_id,
        "submission_no": event.submission_no,
        "township_code": event.township_code,
        "township_name": event.township_name,
        "programme_code": event.programme_code,
        "programme_name": event.programme_name,
        "round_id": event.round_id,
        "public": not event.confidential,
        "working_days": event.notice_working_days,
        "row_count": event.row_count,
        "total_fen": event.total_fen,
        "submitted_at": envelope.occurred_at,
        "waiting_code": ScheduleUnknown.code if waiting else None,
        "waiting_year": state.awaiting_year if waiting and state is not None else None,
    }
    await upsert(conn, notices, values, keys=KEYS)


async def _put_status(conn: AsyncConnection, envelope: Envelope[Event]) -> None:
    event = envelope.event
    values: dict[str, Any]
    if isinstance(event, PublicNoticeStarted):
        values = {
            "township_code": event.township_code,
            "programme_code": event.programme_code,
            "round_id": event.round_id,
            "public": event.public,
            "working_days": event.working_days,
            "starts_on": event.starts_on,
            "ends_on": event.ends_on,
            "waiting_code": None,
            "waiting_year": None,
        }
    elif isinstance(event, PublicNoticeHalted):
        values = {"halted_at": envelope.occurred_at}
    elif isinstance(event, PublicNoticeCompleted):
        values = {"completed_at": envelope.occurred_at}
    else:
        return
    keys = {"roster_id": event.roster_id, "submission_no": event.submission_no}
    await upsert(conn, notices, {**keys, **values}, keys=KEYS)
