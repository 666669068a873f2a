"""What the payout records of the registry's submissions and approval's ``BatchApproved``, and
when a round opens: once the approval, the submission's terms and every part of its rows are
known, in whichever order they arrived (they travel on two topics). An input seen before
records nothing; after the round opened, only another approval is recorded (and blocked).

Opening checks the rows once more against the approved totals (002 §3(4): finance pays what
it approved, to the fen) and groups them into one batch per agent bank; the first instruction
of every row follows from the opened round (``first_instructions``).
"""

from __future__ import annotations

from collections import defaultdict

from contracts.base import Event
from contracts.events import (
    BatchApproved,
    PaymentBatchIssued,
    PaymentInstructed,
    RosterRowsSubmitted,
    RosterSubmitted,
    SubmittedRow,
)
from services.payout.domain.events import (
    BatchApprovalReceived,
    PaymentRoundBlocked,
    PaymentRoundOpened,
    SubmissionTermsReceived,
    SubmittedRowsReceived,
)
from services.payout.domain.instructions import batch_id, instruction_id
from services.payout.domain.refusals import yuan
from services.payout.domain.round import RoundState, evolve

Input = RosterRowsSubmitted | RosterSubmitted | BatchApproved
INPUTS = (RosterRowsSubmitted, RosterSubmitted, BatchApproved)


def decide_intake(event: Input, state: RoundState | None) -> list[Event]:
    """The event recording ``event``, then the round's opening (or blocking) if it completes
    an approved submission; [] for an input already recorded or no longer needed."""
    recorded = _record(event, state)
    if recorded is None:
        return []
    after = evolve(state, recorded)
    assert after is not None
    return [recorded, *_opening(after, event.submission_no)]


def _record(event: Input, state: RoundState | None) -> Event | None:
    no = event.submission_no
    if isinstance(event, BatchApproved):
        if state is not None and no in state.approvals:
            return None
        return BatchApprovalReceived(
            roster_id=event.roster_id,
            submission_no=no,
            round_id=event.round_id,
            approved_row_count=event.approved_row_count,
            total_fen=event.total_fen,
            levels=event.levels,
        )
    if state is not None and state.opened is not None:
        return None
    if isinstance(event, RosterRowsSubmitted):
        if state is not None and event.part in state.parts.get(no, {}):
            return None
        return SubmittedRowsReceived(
            roster_id=event.roster_id, submission_no=no, part=event.part, rows=event.rows
        )
    if state is not None and no in state.terms:
        return None
    return SubmissionTermsReceived(
        roster_id=event.roster_id,
        submission_no=no,
        round_id=event.round_id,
        programme_code=event.programme_code,
        programme_name=event.programme_name,
        township_code=event.township_code,
        row_count=event.row_count,
        total_fen=event.total_fen,
        parts=event.parts,
    )


def _opening(state: RoundState, no: int) -> list[Event]:
    approval = state.approvals.get(no)
    if approval is None or no in state.blocked:
        return []
    if state.opened is not None:
        if state.opened.submission_no == no:
            return []
        text = f"该清册已按第{state.opened.submission_no}次提交发放，第{no}次提交的审批不再发放"
        return [_blocked(state, no, "round_already_open", text)]
    if not state.complete(no):
        return []
    terms = state.terms[no]
    rows = state.rows_of(no)
    counted = (len(rows), sum(row.amount_fen for row in rows))
    approved = (approval.approved_row_count, approval.total_fen)
    distinct = len({row.row_no for row in rows}) == len(rows)
    if not distinct or counted != approved or counted != (terms.row_count, terms.total_fen):
        text = (
            f"清册明细（{counted[0]}行，{yuan(counted[1])}）与审批金额（{approval.approved_row_count}"
            f"行，{yuan(approval.total_fen)}）不一致或行号重复，不予发放，请核查"
        )
        return [_blocked(state, no, "rows_mismatch", text)]
    return _opened(state.roster_id, terms, rows)


def _blocked(state: RoundState, no: int, code: str, text: str) -> PaymentRoundBlocked:
    return PaymentRoundBlocked(
        roster_id=state.roster_id, submission_no=no, reason_code=code, reason_text=text
    )


def _opened(
    roster_id: str, terms: SubmissionTermsReceived, rows: list[SubmittedRow]
) -> list[Event]:
    by_bank: dict[str, list[SubmittedRow]] = defaultdict(list)
    for row in rows:
        by_bank[row.bank_code].append(row)
    banks = tuple(sorted(by_bank))
    opened = PaymentRoundOpened(
        roster_id=roster_id,
        submission_no=terms.submission_no,
        round_id=terms.round_id,
        programme_code=terms.programme_code,
        programme_name=terms.programme_name,
        township_code=terms.township_code,
        row_count=terms.row_count,
        total_fen=terms.total_fen,
        banks=banks,
    )
    batches = [
        PaymentBatchIssued(
            batch_id=batch_id(roster_id, bank),
            roster_id=roster_id,
            round_id=terms.round_id,
            submission_no=terms.submission_no,
            programme_code=terms.programme_code,
            programme_name=terms.programme_name,
            township_code=terms.township_code,
            bank_code=bank,
            row_count=len(by_bank[bank]),
            total_fen=sum(row.amount_fen for row in by_bank[bank]),
        )
        for bank in banks
    ]
    return [opened, *batches]


def first_instructions(state: RoundState) -> list[PaymentInstructed]:
    """One instruction per row of the opened round (attempt 1): the amount and card account
    as approved, the programme's standard name, in its bank's batch."""
    opened = state.opened
    if opened is None:
        return []
    return [
        PaymentInstructed(
            instruction_id=instruction_id(state.roster_id, row.row_no, 1),
            roster_id=state.roster_id,
            row_no=row.row_no,
            attempt=1,
            batch_id=batch_id(state.roster_id, row.bank_code),
            round_id=opened.round_id,
            programme_code=opened.programme_code,
            programme_name=opened.programme_name,
            township_code=opened.township_code,
            village_code=row.village_code,
            beneficiary_id=row.beneficiary_id,
            name=row.name,
            bank_code=row.bank_code,
            account_no=row.account_no,
            amount_fen=row.amount_fen,
            because="approved",
        )
        for row in state.paid_rows
    ]
