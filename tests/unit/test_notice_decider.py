"""The public notice as a decider: when it starts and ends in Chinese working days, what
waits for an unknown year, and how objections hold up or take down the notice."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from contracts.events import PublicNoticeCompleted, PublicNoticeHalted, PublicNoticeStarted
from contracts.pii import PhoneNo
from contracts.refusals import Refused
from contracts.working_days import WorkingCalendar, YearSchedule, calendar_with
from services.publicity.domain.events import (
    NoticeAwaitingSchedule,
    ObjectionFiled,
    ObjectionResolved,
)
from services.publicity.domain.notice import (
    CompleteNotice,
    Notice,
    StartNotice,
    decide_completion,
    decide_start,
    evolve,
)
from services.publicity.domain.objections import (
    FileObjection,
    ResolveObjection,
    decide_objection,
    decide_resolution,
)

PACKAGE = WorkingCalendar()


def start(
    today: date,
    *,
    working_days: int = 5,
    submission_no: int = 1,
    public: bool = True,
    calendar: WorkingCalendar = PACKAGE,
) -> StartNotice:
    return StartNotice(
        roster_id="r-1",
        submission_no=submission_no,
        programme_code="GDLS",
        township_code="650102001",
        round_id="2025-1",
        working_days=working_days,
        public=public,
        today=today,
        calendar=calendar,
    )


def given(*events: object) -> Notice | None:
    state: Notice | None = None
    for event in events:
        state = evolve(state, event)
    return state


def started(today: date, **options: object) -> PublicNoticeStarted:
    (event,) = decide_start(start(today, **options), None)  # type: ignore[arg-type]
    assert isinstance(event, PublicNoticeStarted)
    return event


def objection(objection_id: str = "o-1", *, row_no: int | None = 1, today: date) -> FileObjection:
    return FileObjection(
        objection_id=objection_id,
        roster_id="r-1",
        submission_no=1,
        row_no=row_no,
        reason="此人已于去年迁出本村",
        contact_name=None,
        contact_phone=PhoneNo("13912345678"),
        today=today,
    )


def filed(objection_id: str = "o-1", row_no: int | None = 1) -> ObjectionFiled:
    return ObjectionFiled(
        objection_id=objection_id,
        roster_id="r-1",
        submission_no=1,
        row_no=row_no,
        reason="此人已于去年迁出本村",
    )


def finding(objection_id: str, *, upheld: bool, today: date) -> ResolveObjection:
    return ResolveObjection(
        "r-1", objection_id, upheld, "经核实情况属实" if upheld else "不属实", today
    )


# -- when the notice runs ------------------------------------------------------------------


def test_a_roster_submitted_on_a_working_day_is_noticed_from_that_day() -> None:
    event = started(date(2025, 6, 9))  # a Monday
    assert (event.starts_on, event.ends_on) == (date(2025, 6, 9), date(2025, 6, 16))
    assert event.working_days == 5
    assert event.public


def test_a_roster_submitted_on_a_saturday_is_noticed_from_monday() -> None:
    event = started(date(2025, 6, 14))
    assert (event.starts_on, event.ends_on) == (date(2025, 6, 16), date(2025, 6, 23))


def test_national_day_is_not_counted_and_its_make_up_saturday_is() -> None:
    # submitted during the 2025 National Day holiday (10.1-10.8): starts Thu 10.9; 10.10,
    # Sat 10.11 (make-up working day), 10.13, 10.14, 10.15, 10.16, 10.17 are its 7 days
    event = started(date(2025, 10, 3), working_days=7)
    assert (event.starts_on, event.ends_on) == (date(2025, 10, 9), date(2025, 10, 17))


def test_a_notice_posted_before_national_day_runs_past_it() -> None:
    # posted on Sun 9.28, a make-up working day: 9.29, 9.30, then 10.9, 10.10, Sat 10.11
    event = started(date(2025, 9, 28))
    assert (event.starts_on, event.ends_on) == (date(2025, 9, 28), date(2025, 10, 11))


def test_spring_festival_and_its_make_up_sundays_are_counted_as_published() -> None:
    # 2025: 1.28-2.4 off; Sun 1.26 and Sat 2.8 are working days. Posted Fri 1.24:
    # Sun 1.26, Mon 1.27, then Wed 2.5, Thu 2.6, Fri 2.7, Sat 2.8, Mon 2.10
    event = started(date(2025, 1, 24), working_days=7)
    assert (event.starts_on, event.ends_on) == (date(2025, 1, 24), date(2025, 2, 10))


def test_a_notice_reaching_into_an_unknown_year_waits_instead_of_guessing() -> None:
    (event,) = decide_start(start(date(2099, 3, 2)), None)
    assert isinstance(event, NoticeAwaitingSchedule)
    assert event.year == 2099
    state = given(event)
    assert state is not None
    assert state.status == "awaiting_schedule"
    assert decide_start(start(date(2099, 3, 3)), state) == []


def test_a_waiting_notice_starts_once_the_year_is_entered() -> None:
    waiting = given(*decide_start(start(date(2099, 1, 30)), None))
    spring = frozenset(date(2099, 2, 2) + timedelta(days=n) for n in range(5))
    calendar = calendar_with([YearSchedule(2099, spring, frozenset({date(2099, 2, 7)}))])
    (event,) = decide_start(start(date(2099, 1, 30), calendar=calendar), waiting)
    assert isinstance(event, PublicNoticeStarted)
    assert (event.starts_on, event.ends_on) == (date(2099, 1, 30), date(2099, 2, 12))


def test_a_redelivered_submission_starts_nothing_more() -> None:
    state = given(started(date(2025, 6, 9)))
    assert decide_start(start(date(2025, 6, 10)), state) == []


def test_a_second_submission_is_noticed_again_in_full() -> None:
    halted = PublicNoticeHalted(roster_id="r-1", submission_no=1, row_nos=(1,), findings=("属实",))
    state = given(started(date(2025, 6, 9)), filed(), halted)
    (event,) = decide_start(start(date(2025, 6, 12), submission_no=2), state)
    assert isinstance(event, PublicNoticeStarted)
    assert (event.submission_no, event.starts_on, event.ends_on) == (
        2,
        date(2025, 6, 12),
        date(2025, 6, 19),
    )
    assert decide_start(start(date(2025, 6, 9), submission_no=1), given(event)) == []


# -- completion ------------------------------------------------------------------------------


def test_the_notice_completes_the_day_after_its_last_working_day() -> None:
    state = given(started(date(2025, 6, 9)))  # ends Mon 6.16
    assert decide_completion(CompleteNotice("r-1", 1, date(2025, 6, 16)), state) == []
    (event,) = decide_completion(CompleteNotice("r-1", 1, date(2025, 6, 17)), state)
    assert event == PublicNoticeCompleted(
        roster_id="r-1", submission_no=1, started_on=date(2025, 6, 9), ended_on=date(2025, 6, 16)
    )
    assert decide_completion(CompleteNotice("r-1", 1, date(2025, 6, 18)), given(event)) == []


def test_an_open_objection_holds_the_notice_past_its_end() -> None:
    state = given(started(date(2025, 6, 9)), filed())
    assert decide_completion(CompleteNotice("r-1", 1, date(2025, 6, 30)), state) == []


def test_dismissing_the_last_objection_after_the_end_completes_the_notice_at_once() -> None:
    state = given(started(date(2025, 6, 9)), filed("o-1"), filed("o-2"))
    first = decide_resolution(finding("o-1", upheld=False, today=date(2025, 6, 20)), state)
    assert [type(e) for e in first] == [ObjectionResolved]
    state = given(started(date(2025, 6, 9)), filed("o-1"), filed("o-2"), *first)
    last = decide_resolution(finding("o-2", upheld=False, today=date(2025, 6, 20)), state)
    assert [type(e) for e in last] == [ObjectionResolved, PublicNoticeCompleted]


def test_an_upheld_objection_halts_the_notice_with_its_row_and_finding() -> None:
    state = given(started(date(2025, 6, 9)), filed("o-1", row_no=3))
    resolved, halted = decide_resolution(
        finding("o-1", upheld=True, today=date(2025, 6, 11)), state
    )
    assert isinstance(resolved, ObjectionResolved)
    assert resolved.upheld
    assert halted == PublicNoticeHalted(
        roster_id="r-1", submission_no=1, row_nos=(3,), findings=("经核实情况属实",)
    )
    after = given(started(date(2025, 6, 9)), filed("o-1", row_no=3), resolved, halted)
    assert after is not None
    assert after.status == "halted"
    assert decide_completion(CompleteNotice("r-1", 1, date(2025, 6, 30)), after) == []


def test_a_finding_recorded_again_is_a_no_op_and_a_different_one_is_refused() -> None:
    state = given(started(date(2025, 6, 9)), filed())
    events = decide_resolution(finding("o-1", upheld=False, today=date(2025, 6, 10)), state)
    state = given(started(date(2025, 6, 9)), filed(), *events)
    assert decide_resolution(finding("o-1", upheld=False, today=date(2025, 6, 10)), state) == []
    with pytest.raises(Refused) as refused:
        decide_resolution(finding("o-1", upheld=True, today=date(2025, 6, 10)), state)
    assert refused.value.code == "objection_already_resolved"


# -- filing ----------------------------------------------------------------------------------


def test_an_objection_is_recorded_while_the_notice_runs_and_once_only() -> None:
    state = given(started(date(2025, 6, 9)))
    (event,) = decide_objection(objection(today=date(2025, 6, 16)), state)
    assert isinstance(event, ObjectionFiled)
    assert event.row_no == 1
    assert (
        decide_objection(
            objection(today=date(2025, 6, 16)), given(started(date(2025, 6, 9)), event)
        )
        == []
    )


@pytest.mark.parametrize(
    ("history", "today", "code"),
    [
        ((), date(2025, 6, 10), "notice_not_found"),
        ((started(date(2025, 6, 9), public=False),), date(2025, 6, 10), "notice_not_found"),
        ((started(date(2025, 6, 9)),), date(2025, 6, 17), "notice_period_over"),
        (
            (
                started(date(2025, 6, 9)),
                PublicNoticeCompleted(
                    roster_id="r-1",
                    submission_no=1,
                    started_on=date(2025, 6, 9),
                    ended_on=date(2025, 6, 16),
                ),
            ),
            date(2025, 6, 17),
            "notice_closed",
        ),
        (
            (
                NoticeAwaitingSchedule(
                    roster_id="r-1",
                    submission_no=1,
                    programme_code="GDLS",
                    township_code="650102001",
                    round_id="2099-1",
                    working_days=5,
                    public=True,
                    year=2099,
                ),
            ),
            date(2099, 1, 5),
            "notice_not_started",
        ),
    ],
    ids=["never noticed", "confidential", "period over", "completed", "waiting"],
)
def test_an_objection_outside_a_running_public_notice_is_refused(
    history: tuple[object, ...], today: date, code: str
) -> None:
    with pytest.raises(Refused) as refused:
        decide_objection(objection(today=today), given(*history))
    assert refused.value.code == code


def test_numbers_typed_into_an_objection_never_reach_the_log_in_clear() -> None:
    typed = replace(
        objection("o-9", row_no=None, today=date(2025, 6, 10)),
        reason="冒领：身份证65010219800101123X，电话13800138000",
    )
    (event,) = decide_objection(typed, given(started(date(2025, 6, 9))))
    assert isinstance(event, ObjectionFiled)
    assert event.reason == "冒领：身份证**************123X，电话*******8000"
