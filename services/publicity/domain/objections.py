"""Objections to a notice (异议), decided on the notice's state: anyone may file one while
the notice runs; an official records the finding. An upheld objection takes the notice down
(the roster goes back to its township to be corrected and submitted again, 002 §3(2)); the
last dismissed objection of an elapsed notice lets it complete at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from contracts.base import Event
from contracts.events import PublicNoticeHalted
from contracts.masking import mask_text
from contracts.pii import PhoneNo
from services.publicity.domain import refusals as refuse
from services.publicity.domain.events import ObjectionFiled, ObjectionResolved
from services.publicity.domain.notice import Notice, completed
from services.publicity.domain.notice_period import has_elapsed


@dataclass(frozen=True, slots=True)
class FileObjection:
    """``row_no`` None objects to the roster as a whole. ``today`` is the China date."""

    objection_id: str
    roster_id: str
    submission_no: int
    row_no: int | None
    reason: str
    contact_name: str | None
    contact_phone: PhoneNo | None
    today: date


@dataclass(frozen=True, slots=True)
class ResolveObjection:
    roster_id: str
    objection_id: str
    upheld: bool
    finding: str
    today: date


def decide_objection(command: FileObjection, state: Notice | None) -> Sequence[Event]:
    """``ObjectionFiled`` while the notice runs; a confidential notice does not exist for the
    public. Filing the same objection again (a retried form) records nothing more. Numbers the
    filer typed that are IDs, accounts or mobiles are masked before they reach the log, which
    never holds them in clear (ADR 004)."""
    if state is None or not state.public or command.submission_no > state.submission_no:
        raise refuse.notice_not_found()
    if command.objection_id in state.objections:
        return []
    if command.submission_no < state.submission_no or state.status in ("halted", "completed"):
        raise refuse.notice_closed()
    if state.status == "awaiting_schedule" or state.ends_on is None:
        raise refuse.notice_not_started()
    if has_elapsed(state.ends_on, command.today):
        raise refuse.notice_period_over(state.ends_on)
    return [
        ObjectionFiled(
            objection_id=command.objection_id,
            roster_id=command.roster_id,
            submission_no=command.submission_no,
            row_no=command.row_no,
            reason=mask_text(command.reason),
            contact_name=command.contact_name,
            contact_phone=command.contact_phone,
        )
    ]


def decide_resolution(command: ResolveObjection, state: Notice | None) -> Sequence[Event]:
    """``ObjectionResolved``; with ``PublicNoticeHalted`` when upheld on the running notice,
    or with ``PublicNoticeCompleted`` when it was the last open objection of an elapsed one.
    The same finding recorded again (a retried request) records nothing more."""
    objection = state.objections.get(command.objection_id) if state is not None else None
    if state is None or objection is None:
        raise refuse.objection_not_found()
    if objection.upheld is not None:
        if (objection.upheld, objection.finding) == (command.upheld, command.finding):
            return []
        raise refuse.objection_already_resolved()
    resolved = ObjectionResolved(
        objection_id=objection.objection_id,
        roster_id=state.roster_id,
        submission_no=objection.submission_no,
        upheld=command.upheld,
        finding=command.finding,
    )
    current = objection.submission_no == state.submission_no and state.status == "open"
    if current and command.upheld:
        row_nos = () if objection.row_no is None else (objection.row_no,)
        halted = PublicNoticeHalted(
            roster_id=state.roster_id,
            submission_no=state.submission_no,
            row_nos=row_nos,
            findings=(command.finding,),
        )
        return [resolved, halted]
    others_open = [o for o in state.open_objections() if o.objection_id != objection.objection_id]
    if current and not others_open and _elapsed(state, command.today):
        return [resolved, completed(state)]
    return [resolved]


def _elapsed(state: Notice, today: date) -> bool:
    return state.ends_on is not None and has_elapsed(state.ends_on, today)
