"""The approvals projection, fed by the approval's events: where each submission is in its
chain (last level signed, approved or sent back), for the supervisors' dashboards."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.base import Event
from contracts.envelope import Envelope
from contracts.events import BatchApproved, RosterLevelApproved, RosterSentBack
from services.publicity.adapters.disclosure_tables import approval_rounds
from services.publicity.adapters.upsert import upsert

APPROVAL_EVENTS: Final = (RosterLevelApproved, RosterSentBack, BatchApproved)


async def on_approval_events(conn: AsyncConnection, envelopes: Sequence[Envelope[Event]]) -> None:
    for envelope in envelopes:
        values = _values(envelope)
        if values is not None:
            await upsert(conn, approval_rounds, values, keys=("roster_id", "submission_no"))


def _values(envelope: Envelope[Event]) -> dict[str, Any] | None:
    event, at = envelope.event, envelope.occurred_at
    if not isinstance(event, APPROVAL_EVENTS):
        return None
    key = {"roster_id": event.roster_id, "submission_no": event.submission_no}
    if isinstance(event, RosterLevelApproved):
        return {**key, "last_level_at": at}
    if isinstance(event, RosterSentBack):
        return {**key, "sent_back_at": at}
    return {
        **key,
        "township_code": event.township_code,
        "programme_code": event.programme_code,
        "round_id": event.round_id,
        "approved_at": at,
        "approved_rows": event.approved_row_count,
        "approved_fen": event.total_fen,
    }
