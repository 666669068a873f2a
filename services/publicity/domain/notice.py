"""The public notice of a roster (公示) as a decider: started when the roster is submitted (or
kept waiting for a year's working-day schedule), completed when its period has elapsed with
no objection open, halted when an objection is upheld.

Stream ``notice-<roster_id>``: every submission of the roster is noticed again, in full; the
state is the latest submission's notice and every objection raised on the stream. Approval
may start only after completion: "公示期满无异议后" (001 art.10(3)); objections are recorded and
resolved before (002 §3(2)). Objections are decided in ``objections.py`` on this same state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Literal

from contracts.base import Event
from contracts.events import PublicNoticeCompleted, PublicNoticeHalted, PublicNoticeStarted
from contracts.working_days import ScheduleUnknown, WorkingCalendar
from services.publicity.domain.events import (
    NoticeAwaitingSchedule,
    ObjectionFiled,
    ObjectionResolved,
)
from services.publicity.domain.notice_period import has_elapsed, notice_period

NoticeStatus = Literal["awaiting_schedule", "open", "halted", "completed"]


@dataclass(frozen=True, slots=True)
class Objection:
    objection_id: str
    submission_no: int
    row_no: int | None
    upheld: bool | None = None
    """None while open; the finding once an official recorded it."""
    finding: str | None = None


@dataclass(frozen=True, slots=True)
class Notice:
    roster_id: str
    submission_no: int
    programme_code: str
    township_code: str
    round_id: str
    working_days: int
    public: bool
    status: NoticeStatus
    starts_on: date | None = None
    ends_on: date | None = None
    awaiting_year: int | None = None
    objections: dict[str, Objection] = field(default_factory=dict)
    """Every objection of the stream, by id (older submissions' too)."""

    def open_objections(self) -> list[Objection]:
        """The objections to this submission that await a finding."""
        return [
            o
            for o in self.objections.values()
            if o.submission_no == self.submission_no and o.upheld is None
        ]

    def completion_due(self, today: date) -> bool:
        """Open, its period elapsed and no objection awaiting a finding."""
        return (
            self.status == "open"
            and self.ends_on is not None
            and has_elapsed(self.ends_on, today)
            and not self.open_objections()
        )


@dataclass(frozen=True, slots=True)
class StartNotice:
    """Put a submitted roster up for notice. ``today`` is the China date it counts from: the
    submission's day, or the day a waiting notice is started."""

    roster_id: str
    submission_no: int
    programme_code: str
    township_code: str
    round_id: str
    working_days: int
    public: bool
    today: date
    calendar: WorkingCalendar


@dataclass(frozen=True, slots=True)
class CompleteNotice:
    roster_id: str
    submission_no: int
    today: date


def decide_start(command: StartNotice, state: Notice | None) -> Sequence[Event]:
    """``PublicNoticeStarted``; or ``NoticeAwaitingSchedule`` when a day of the period lies in
    a year without a known schedule (never guessed); nothing when already done."""
    if state is not None and state.submission_no > command.submission_no:
        return []
    same = state is not None and state.submission_no == command.submission_no
    if same and state is not None and state.status != "awaiting_schedule":
        return []
    try:
        starts_on, ends_on = notice_period(command.calendar, command.today, command.working_days)
    except ScheduleUnknown as unknown:
        if same and state is not None and state.awaiting_year == unknown.year:
            return []
        return [_awaiting(command, unknown.year)]
    return [
        PublicNoticeStarted(
            roster_id=command.roster_id,
            submission_no=command.submission_no,
            programme_code=command.programme_code,
            township_code=command.township_code,
            round_id=command.round_id,
            starts_on=starts_on,
            ends_on=ends_on,
            working_days=command.working_days,
            public=command.public,
        )
    ]


def _awaiting(command: StartNotice, year: int) -> NoticeAwaitingSchedule:
    return NoticeAwaitingSchedule(
        roster_id=command.roster_id,
        submission_no=command.submission_no,
        programme_code=command.programme_code,
        township_code=command.township_code,
        round_id=command.round_id,
        working_days=command.working_days,
        public=command.public,
        year=year,
    )


def decide_completion(command: CompleteNotice, state: Notice | None) -> Sequence[Event]:
    """``PublicNoticeCompleted`` once the period has elapsed with no objection open; nothing
    otherwise (not yet, an objection still open, already completed or halted)."""
    if state is None or state.submission_no != command.submission_no:
        return []
    if not state.completion_due(command.today):
        return []
    return [completed(state)]


def completed(state: Notice) -> PublicNoticeCompleted:
    """The completion of an open notice (which always has its dates)."""
    if state.starts_on is None or state.ends_on is None:
        raise ValueError("only a started notice completes")
    return PublicNoticeCompleted(
        roster_id=state.roster_id,
        submission_no=state.submission_no,
        started_on=state.starts_on,
        ended_on=state.ends_on,
    )


def evolve(state: Notice | None, event: object) -> Notice | None:
    objections = state.objections if state is not None else {}
    if isinstance(event, NoticeAwaitingSchedule):
        return Notice(
            event.roster_id,
            event.submission_no,
            event.programme_code,
            event.township_code,
            event.round_id,
            event.working_days,
            event.public,
            "awaiting_schedule",
            awaiting_year=event.year,
            objections=objections,
        )
    if isinstance(event, PublicNoticeStarted):
        return Notice(
            event.roster_id,
            event.submission_no,
            event.programme_code,
            event.township_code,
            event.round_id,
            event.working_days,
            event.public,
            "open",
            starts_on=event.starts_on,
            ends_on=event.ends_on,
            objections=objections,
        )
    if state is None:
        return None
    return _evolve_open(state, event)


def _evolve_open(state: Notice, event: object) -> Notice:
    if isinstance(event, ObjectionFiled):
        objection = Objection(event.objection_id, event.submission_no, event.row_no)
        return replace(state, objections={**state.objections, event.objection_id: objection})
    if isinstance(event, ObjectionResolved):
        resolved = replace(
            state.objections[event.objection_id], upheld=event.upheld, finding=event.finding
        )
        return replace(state, objections={**state.objections, event.objection_id: resolved})
    if isinstance(event, PublicNoticeHalted) and event.submission_no == state.submission_no:
        return replace(state, status="halted")
    if isinstance(event, PublicNoticeCompleted) and event.submission_no == state.submission_no:
        return replace(state, status="completed")
    return state
