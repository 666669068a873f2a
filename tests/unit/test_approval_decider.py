"""The approval decider, Given / When / Then: the chain signed off level by level into a
batch approval; maker-checker (001 art.11); a level's role; send-backs; stale and retried
decisions; and every refusal with its stable code."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import pytest

from contracts.base import Event
from contracts.events import BatchApproved, RosterLevelApproved, RosterSentBack
from contracts.refusals import Refused
from services.approval.domain.approval import (
    ApproveLevel,
    SendBack,
    decide_approve,
    decide_send_back,
)
from services.approval.domain.chain import COUNTY_FINANCE_OFFICER, Chain
from services.approval.domain.state import RosterApproval, evolve
from tests.unit.approval_samples import (
    AMOUNTS,
    APPROVERS,
    MAKERS,
    completed,
    halted,
    opened,
    submission,
    taken_in,
)


def approve(who: str, state: RosterApproval | None, **kwargs: Any) -> list[Event]:
    user, role, _ = APPROVERS[who]
    return decide_approve(ApproveLevel("r-1", user, role, **kwargs), state)


def send_back(who: str, state: RosterApproval | None, **kwargs: Any) -> list[RosterSentBack]:
    user, role, _ = APPROVERS[who]
    command = SendBack("r-1", user, role, reasons=kwargs.pop("reasons", ("金额有误",)), **kwargs)
    return decide_send_back(command, state)


def applied(state: RosterApproval, events: list[Event]) -> RosterApproval:
    for event in events:
        evolve(state, event)
    return state


def refusal(decide: Callable[[], object]) -> str:
    with pytest.raises(Refused) as refused:
        decide()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in refused.value.message)
    return refused.value.code


def test_three_distinct_approvers_sign_off_and_the_last_level_approves_the_batch() -> None:
    state = opened()
    first = approve("auditor", state, reason="已核对")
    assert first == [
        RosterLevelApproved(
            roster_id="r-1",
            submission_no=1,
            level=1,
            role="township_finance_auditor",
            decided_by="u-auditor",
            reason="已核对",
        )
    ]
    second = approve("reviewer", applied(state, first))
    assert [e.level for e in second] == [2]
    last = approve("finance", applied(state, second))
    assert [type(e) for e in last] == [RosterLevelApproved, BatchApproved]
    batch = last[1]
    assert batch.levels == ("u-auditor", "u-reviewer", "u-finance")
    assert (batch.approved_row_count, batch.total_fen) == (len(AMOUNTS), sum(AMOUNTS))
    assert (batch.programme_code, batch.township_code, batch.round_id) == (
        "GDLS",
        "650102001",
        "2025-1",
    )
    assert applied(state, last).status == "approved"


@pytest.mark.parametrize("maker", MAKERS)
def test_a_maker_decides_no_level_of_the_roster(maker: str) -> None:
    state = opened()
    for who in ("auditor", "reviewer", "finance"):
        role = APPROVERS[who][1]
        approval = partial(decide_approve, ApproveLevel("r-1", maker, role), state)
        back = partial(decide_send_back, SendBack("r-1", maker, role, reasons=("x",)), state)
        assert refusal(approval) == refusal(back) == "approval_maker_cannot_decide"
        applied(state, approve(who, state))
    assert state.status == "approved"


def test_one_user_approves_one_level_of_a_submission() -> None:
    """Even where two levels share a role (a programme's own chain), two users sign them."""
    auditor = APPROVERS["auditor"][1]
    chain = Chain(levels=(auditor, auditor, COUNTY_FINANCE_OFFICER), overdue_working_days=2)
    part, totals = submission()
    state, _ = taken_in([part, totals, completed()], chain=chain)
    assert state is not None
    applied(state, approve("auditor", state))
    assert refusal(lambda: approve("auditor", state, level=2)) == "approval_one_level_per_user"
    assert refusal(lambda: send_back("auditor", state)) == "approval_one_level_per_user"
    assert [e.decided_by for e in approve("auditor2", state)] == ["u-auditor2"]


def test_only_the_role_of_the_current_level_decides_it() -> None:
    state = opened()
    assert refusal(lambda: approve("finance", state)) == "approval_wrong_level_role"
    assert refusal(lambda: send_back("reviewer", state)) == "approval_wrong_level_role"


def test_a_send_back_carries_the_reasons_and_rows_and_ends_the_approval() -> None:
    state = opened()
    applied(state, approve("auditor", state))
    back = send_back("reviewer", state, reasons=(" 第2行面积有误 ", ""), row_nos=(2, 2))
    assert back == [
        RosterSentBack(
            roster_id="r-1",
            submission_no=1,
            level=2,
            role="county_department_reviewer",
            decided_by="u-reviewer",
            reasons=("第2行面积有误",),
            row_nos=(2,),
        )
    ]
    applied(state, back)
    assert state.status == "sent_back"
    assert refusal(lambda: approve("reviewer", state)) == "approval_sent_back"
    assert send_back("reviewer", state) == []  # the same send-back again: done


def test_a_send_back_needs_a_reason() -> None:
    assert (
        refusal(lambda: send_back("auditor", opened(), reasons=("  ",)))
        == "approval_reason_required"
    )


def test_a_retried_approval_is_recognised_and_a_stale_view_refused() -> None:
    state = opened()
    applied(state, approve("auditor", state, submission_no=1, level=1))
    assert approve("auditor", state, submission_no=1, level=1) == []
    assert approve("auditor", state) == []
    assert refusal(lambda: approve("auditor2", state, level=1)) == "approval_level_moved"


def test_decisions_on_a_superseded_submission_are_refused() -> None:
    state = opened()
    part, totals = submission(submission_no=2)
    state, _ = taken_in([part, totals], state=state)
    assert refusal(lambda: approve("auditor", state, submission_no=1)) == "approval_superseded"
    assert refusal(lambda: approve("auditor", state)) == "approval_not_open"
    state, _ = taken_in([completed(submission_no=2)], state=state)
    assert [e.submission_no for e in approve("auditor", state)] == [2]


def test_nothing_is_decided_before_the_notice_completed_or_after_it_was_halted() -> None:
    part, totals = submission()
    waiting, _ = taken_in([part, totals])
    assert refusal(lambda: approve("auditor", waiting)) == "approval_not_open"
    blocked, _ = taken_in([part, totals, halted()])
    assert refusal(lambda: approve("auditor", blocked)) == "approval_notice_halted"
    assert refusal(lambda: send_back("auditor", blocked)) == "approval_notice_halted"
    assert refusal(lambda: approve("auditor", None)) == "approval_not_found"
    notice_only, _ = taken_in([completed()])
    assert refusal(lambda: approve("auditor", notice_only)) == "approval_not_found"


def test_an_approved_batch_is_final() -> None:
    state = opened()
    for who in ("auditor", "reviewer", "finance"):
        applied(state, approve(who, state))
    assert approve("finance", state) == []  # the final approval again: done
    assert refusal(lambda: approve("finance2", state)) == "approval_already_approved"
    assert refusal(lambda: send_back("finance2", state)) == "approval_already_approved"


def test_rows_that_do_not_add_up_to_the_totals_can_be_sent_back_but_not_approved() -> None:
    part, totals = submission()
    short = part.model_copy(update={"rows": part.rows[:-1]})
    state, _ = taken_in([short, totals, completed()])
    assert state is not None
    assert state.status == "open"
    assert refusal(lambda: approve("auditor", state)) == "approval_rows_mismatch"
    assert [type(e) for e in send_back("auditor", state)] == [RosterSentBack]


def test_a_missing_part_of_the_rows_blocks_approval() -> None:
    part, totals = submission()
    state, _ = taken_in([totals.model_copy(update={"parts": 2}), part, completed()])
    assert refusal(lambda: approve("auditor", state)) == "approval_rows_mismatch"
