"""The approvals projection: one row per roster, its latest approval as the whole stream says
it, refreshed after every change (by the command that appended, and again by the consumer
that sees the change on the bus); a stale refresh never overwrites a newer one. Also the
working-day schedules administrators entered."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.base import Event
from contracts.envelope import Envelope
from contracts.events import RosterLevelApproved
from services.approval.adapters.tables import approvals, upsert
from services.approval.domain.events import ApprovalOpened
from services.approval.domain.state import RosterApproval, evolve


async def project_approval(conn: AsyncConnection, envelopes: Sequence[Envelope[Event]]) -> None:
    """Refresh the roster's row from its whole approval stream."""
    row = approval_row(envelopes)
    if row is not None:
        await upsert(conn, approvals, row, newer="stream_version")


def approval_row(envelopes: Sequence[Envelope[Event]]) -> dict[str, Any] | None:
    """The row of a roster's latest approval (None before one opened)."""
    state: RosterApproval | None = None
    opened_at = entered_at = None
    for envelope in envelopes:
        state = evolve(state, envelope.event)
        event = envelope.event
        if isinstance(event, ApprovalOpened):
            opened_at = entered_at = envelope.occurred_at
        elif isinstance(event, RosterLevelApproved) and _of_current(event, state):
            entered_at = envelope.occurred_at
    if state is None or state.approval is None or opened_at is None or entered_at is None:
        return None
    approval = state.approval
    facts = state.submissions[approval.submission_no]
    current = approval.submission_no == state.latest
    return {
        "roster_id": state.roster_id,
        "stream_version": len(envelopes),
        "status": approval.status if current else "superseded",
        "submission_no": approval.submission_no,
        "programme_code": facts.programme_code,
        "programme_name": facts.programme_name,
        "township_code": facts.township_code,
        "township_name": facts.township_name,
        "round_id": facts.round_id,
        "row_count": facts.row_count,
        "total_fen": facts.total_fen,
        "level": approval.level,
        "level_count": len(approval.levels),
        "role": approval.role,
        "prepared_by": list(approval.prepared_by),
        "deciders": list(approval.deciders),
        "overdue_working_days": approval.overdue_working_days,
        "opened_at": opened_at,
        "level_entered_at": entered_at,
    }


def _of_current(event: RosterLevelApproved, state: RosterApproval | None) -> bool:
    return bool(state and state.approval and state.approval.submission_no == event.submission_no)
