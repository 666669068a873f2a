"""The approval of a roster (审核审批) as a decider: one stream per roster, holding what the
approval learned of each submission, and the approval of the latest one.

A level is signed off (``RosterLevelApproved``) or the roster is sent back to its makers
(``RosterSentBack``, 002 §3: any level may send back, with reasons). The last level's sign-off
is also the batch's approval (``BatchApproved``). Maker-checker (相互牵制, 001 art.11): whoever
prepared the roster decides no level of it, and one user decides one level of a submission.
Who may approve in that jurisdiction at all is ``infra.identity.permissions``' rule, checked
by the application before these.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from contracts.base import Event
from contracts.events import BatchApproved, RosterLevelApproved, RosterSentBack
from services.approval.domain import refusals as refuse
from services.approval.domain.state import Opened, RosterApproval


@dataclass(frozen=True, slots=True)
class ApproveLevel:
    """Sign the current level off. ``submission_no`` and ``level`` are what the approver was
    shown: given, a retry of a decision already made is recognised and a stale view refused;
    omitted, the latest submission's current level is meant."""

    roster_id: str
    user_id: str
    role: str
    submission_no: int | None = None
    level: int | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class SendBack:
    """Send the roster back to the township that made it, with the reasons (and the rows
    they concern, if not the whole roster)."""

    roster_id: str
    user_id: str
    role: str
    reasons: Sequence[str]
    row_nos: Sequence[int] = field(default_factory=tuple)
    submission_no: int | None = None
    level: int | None = None


def decide_approve(command: ApproveLevel, state: RosterApproval | None) -> list[Event]:
    """The level's sign-off; at the last level also ``BatchApproved`` (same append)."""
    state, approval = _target(command.submission_no, state)
    if _approval_retried(command, approval):
        return []
    _check_decider(command.user_id, command.role, command.level, approval)
    facts = state.submissions[approval.submission_no]
    counted = state.counted_totals(approval.submission_no)
    if counted != (facts.row_count, facts.total_fen):
        raise refuse.rows_mismatch(counted, (facts.row_count, facts.total_fen))
    approved = RosterLevelApproved(
        roster_id=state.roster_id,
        submission_no=approval.submission_no,
        level=approval.level,
        role=approval.role,
        decided_by=command.user_id,
        reason=(command.reason or "").strip() or None,
    )
    if approval.level < len(approval.levels):
        return [approved]
    batch = BatchApproved(
        roster_id=state.roster_id,
        round_id=facts.round_id,
        submission_no=approval.submission_no,
        programme_code=facts.programme_code,
        township_code=facts.township_code,
        approved_row_count=facts.row_count,
        total_fen=facts.total_fen,
        levels=(*approval.deciders, command.user_id),
    )
    return [approved, batch]


def decide_send_back(command: SendBack, state: RosterApproval | None) -> list[RosterSentBack]:
    """The roster back to its makers: this submission's approval is over."""
    state, approval = _target(command.submission_no, state)
    if approval.status == "sent_back" and approval.sent_back_by == command.user_id:
        return []
    _check_decider(command.user_id, command.role, command.level, approval)
    reasons = tuple(reason.strip() for reason in command.reasons if reason.strip())
    if not reasons:
        raise refuse.reasons_required()
    return [
        RosterSentBack(
            roster_id=state.roster_id,
            submission_no=approval.submission_no,
            level=approval.level,
            role=approval.role,
            decided_by=command.user_id,
            reasons=reasons,
            row_nos=tuple(sorted(set(command.row_nos))),
        )
    ]


def _target(
    submission_no: int | None, state: RosterApproval | None
) -> tuple[RosterApproval, Opened]:
    """The approval a decision is about; refuses when there is none to decide."""
    if state is None or not state.submissions:
        raise refuse.not_found()
    latest = max(state.submissions)
    target = latest if submission_no is None else submission_no
    if target not in state.submissions:
        raise refuse.not_found()
    if target < state.latest:
        raise refuse.superseded(target, state.latest)
    approval = state.approval
    if approval is None or approval.submission_no != target:
        if state.notices.get(target) == "halted":
            raise refuse.notice_halted()
        raise refuse.notice_not_completed()
    return state, approval


def _approval_retried(command: ApproveLevel, approval: Opened) -> bool:
    """The approver's own decision again (a retried request): nothing more to do. Without
    the level seen, the last level signed off is meant, if it was this user in this role."""
    level = command.level or len(approval.deciders)
    if not 1 <= level <= len(approval.deciders):
        return False
    return (approval.deciders[level - 1], approval.levels[level - 1]) == (
        command.user_id,
        command.role,
    )


def _check_decider(user_id: str, role: str, level: int | None, approval: Opened) -> None:
    if approval.status == "approved":
        raise refuse.already_approved()
    if approval.status == "sent_back":
        raise refuse.sent_back()
    if level is not None and level != approval.level:
        raise refuse.level_moved(level, approval.level)
    if role != approval.role:
        raise refuse.wrong_role(approval.role)
    if user_id in approval.prepared_by:
        raise refuse.maker()
    if user_id in approval.deciders:
        raise refuse.one_level_per_user(approval.deciders.index(user_id) + 1)
