"""A roster's approval as people read it: where it stands, and every step with who took it,
at which level, with which reason, and when (000 art.19: every change can be replayed)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from contracts.base import Event
from contracts.envelope import Actor, Envelope
from contracts.events import BatchApproved, RosterLevelApproved, RosterSentBack
from infra.eventcodec import EventCodec
from infra.eventstore.port import EventStore
from infra.identity.permissions import Action, authorize
from services.approval.application.streams import fold, read_approval
from services.approval.domain import refusals as refuse
from services.approval.domain.events import (
    ApprovalOpened,
    NoticeOutcomeReceived,
    SubmissionReceived,
)


async def approval_history(
    *, store: EventStore, codec: EventCodec, actor: Actor, roster_id: str
) -> dict[str, Any]:
    """The roster's status and history; ``Forbidden`` outside the reader's jurisdiction,
    ``Refused`` (404) when no submission of the roster reached the approval service."""
    envelopes = await read_approval(store, codec, roster_id)
    state = fold(envelopes)
    if state is None or not state.submissions:
        authorize(actor, Action.ROSTER_READ, actor.jurisdiction_code)
        raise refuse.not_found()
    facts = state.submissions[max(state.submissions)]
    authorize(actor, Action.ROSTER_READ, facts.township_code)
    approval = state.approval
    return {
        "roster_id": roster_id,
        "status": state.status,
        "submission_no": state.latest,
        "programme_code": facts.programme_code,
        "programme_name": facts.programme_name,
        "township_code": facts.township_code,
        "township_name": facts.township_name,
        "round_id": facts.round_id,
        "row_count": facts.row_count,
        "total_fen": facts.total_fen,
        "approval": None
        if approval is None
        else {
            "submission_no": approval.submission_no,
            "status": approval.status,
            "levels": list(approval.levels),
            "level": approval.level,
            "role": approval.role,
            "deciders": list(approval.deciders),
        },
        "history": steps(envelopes),
    }


def steps(envelopes: Sequence[Envelope[Event]]) -> list[dict[str, Any]]:
    """One entry per step a person would name (counting the submitted rows is not one)."""
    return [entry for envelope in envelopes if (entry := _step(envelope)) is not None]


def _step(envelope: Envelope[Event]) -> dict[str, Any] | None:
    event = envelope.event
    described = _described(event)
    if described is None:
        return None
    step, details = described
    submission_no = getattr(event, "submission_no", None)
    at = envelope.occurred_at.isoformat()
    return {"at": at, "step": step, "submission_no": submission_no, **details}


def _described(event: Event) -> tuple[str, dict[str, Any]] | None:
    if isinstance(event, SubmissionReceived):
        by = list(event.prepared_by)
        return "submitted", dict(by=by, row_count=event.row_count, total_fen=event.total_fen)
    if isinstance(event, NoticeOutcomeReceived):
        return f"notice_{event.outcome}", dict(findings=list(event.findings))
    if isinstance(event, ApprovalOpened):
        return "opened", dict(levels=list(event.levels))
    if isinstance(event, RosterLevelApproved):
        decided = dict(level=event.level, role=event.role, by=event.decided_by)
        return "approved", {**decided, "reason": event.reason}
    if isinstance(event, RosterSentBack):
        decided = dict(level=event.level, role=event.role, by=event.decided_by)
        return "sent_back", {
            **decided,
            "reasons": list(event.reasons),
            "row_nos": list(event.row_nos),
        }
    if isinstance(event, BatchApproved):
        totals = dict(approved_row_count=event.approved_row_count, total_fen=event.total_fen)
        return "batch_approved", {**totals, "levels": list(event.levels)}
    return None
