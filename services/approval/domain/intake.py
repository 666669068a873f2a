"""What the approval records of the registry's and publicity's events, and when an approval
opens: for a submission whose facts and completed notice are both known, in whichever order
they arrived (they travel on different topics). A halted notice never opens one (002 §3(2):
objections are settled before approval); inputs about a submission older than the newest
one known change nothing, and neither does an input seen before.
"""

from __future__ import annotations

from contracts.base import Event
from contracts.events import (
    PublicNoticeCompleted,
    PublicNoticeHalted,
    RosterRowsSubmitted,
    RosterSubmitted,
)
from services.approval.domain.chain import Chain
from services.approval.domain.events import (
    ApprovalOpened,
    NoticeOutcomeReceived,
    SubmissionReceived,
    SubmittedRowsCounted,
)
from services.approval.domain.state import RosterApproval

Input = RosterRowsSubmitted | RosterSubmitted | PublicNoticeCompleted | PublicNoticeHalted
INPUTS = (
    RosterRowsSubmitted,
    RosterSubmitted,
    PublicNoticeCompleted,
    PublicNoticeHalted,
)


def decide_intake(event: Input, state: RosterApproval | None, chain: Chain) -> list[Event]:
    """The events recording ``event``, then ``ApprovalOpened`` if it completes the pair;
    [] for an input already recorded or about a superseded submission. ``chain`` is the
    programme's chain now (the opening approval keeps it)."""
    if state is not None and event.submission_no < state.latest:
        return []
    recorded = _record(event, state)
    if not recorded:
        return []
    return [*recorded, *_opening(event, state, chain)]


def _record(event: Input, state: RosterApproval | None) -> list[Event]:
    no = event.submission_no
    if isinstance(event, RosterRowsSubmitted):
        if state is not None and event.part in state.counted.get(no, {}):
            return []
        return [
            SubmittedRowsCounted(
                roster_id=event.roster_id,
                submission_no=no,
                part=event.part,
                row_count=len(event.rows),
                total_fen=sum(row.amount_fen for row in event.rows),
            )
        ]
    if isinstance(event, RosterSubmitted):
        return [] if state is not None and no in state.submissions else [_received(event)]
    if state is not None and no in state.notices:
        return []  # the first outcome stands: a halted notice never completes later
    if isinstance(event, PublicNoticeHalted):
        outcome = NoticeOutcomeReceived(
            roster_id=event.roster_id, submission_no=no, outcome="halted", findings=event.findings
        )
        return [outcome]
    return [
        NoticeOutcomeReceived(
            roster_id=event.roster_id,
            submission_no=no,
            outcome="completed",
            started_on=event.started_on,
            ended_on=event.ended_on,
        )
    ]


def _received(event: RosterSubmitted) -> SubmissionReceived:
    return SubmissionReceived(
        roster_id=event.roster_id,
        submission_no=event.submission_no,
        programme_code=event.programme_code,
        programme_name=event.programme_name,
        township_code=event.township_code,
        township_name=event.township_name,
        round_id=event.round_id,
        row_count=event.row_count,
        total_fen=event.total_fen,
        parts=event.parts,
        prepared_by=event.prepared_by,
    )


def _opening(event: Input, state: RosterApproval | None, chain: Chain) -> list[ApprovalOpened]:
    no = event.submission_no
    if state is not None and state.approval is not None and state.approval.submission_no >= no:
        return []
    submitted = isinstance(event, RosterSubmitted) or (
        state is not None and no in state.submissions
    )
    completed = isinstance(event, PublicNoticeCompleted) or (
        state is not None and state.notices.get(no) == "completed"
    )
    if not (submitted and completed):
        return []
    return [
        ApprovalOpened(
            roster_id=event.roster_id,
            submission_no=no,
            levels=chain.levels,
            overdue_working_days=chain.overdue_working_days,
            chain_version=chain.version,
        )
    ]
