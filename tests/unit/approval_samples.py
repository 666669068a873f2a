"""Builders for the approval tests: a roster's submitted rows and totals, its notice's
outcome, the approvers of a county, and the approval state the domain folds from events."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from contracts.base import Event
from contracts.events import (
    PublicNoticeCompleted,
    PublicNoticeHalted,
    RosterRowsSubmitted,
    RosterSubmitted,
)
from services.approval.domain.chain import DEFAULT_CHAIN, Chain
from services.approval.domain.intake import Input, decide_intake
from services.approval.domain.state import RosterApproval, evolve
from tests.unit.contract_samples import ROSTER, ROW

TOWNSHIP = "650102001"
OTHER_TOWNSHIP = "650103001"
COUNTY = "650102"
MAKERS = ("u-clerk", "u-typist")
AMOUNTS = (61_725, 30_000, 12_345)

APPROVERS = {
    "auditor": ("u-auditor", "township_finance_auditor", TOWNSHIP),
    "auditor2": ("u-auditor2", "township_finance_auditor", TOWNSHIP),
    "reviewer": ("u-reviewer", "county_department_reviewer", COUNTY),
    "finance": ("u-finance", "county_finance_officer", COUNTY),
    "finance2": ("u-finance2", "county_finance_officer", COUNTY),
    "far_auditor": ("u-far", "township_finance_auditor", OTHER_TOWNSHIP),
    "operator": ("u-op", "township_operator", TOWNSHIP),
    "admin": ("u-admin", "county_department_operator", COUNTY),
    "far_reviewer": ("u-far-reviewer", "county_department_reviewer", "650103"),
}
"""Posts by nickname: (user id, role, jurisdiction)."""


def headers(who: str) -> dict[str, str]:
    user, role, jurisdiction = APPROVERS[who]
    return {
        "X-Onecard-User": user,
        "X-Onecard-Role": role,
        "X-Onecard-Jurisdiction": jurisdiction,
    }


def submission(
    *,
    roster_id: str = "r-1",
    submission_no: int = 1,
    amounts: Sequence[int] = AMOUNTS,
    prepared_by: tuple[str, ...] = MAKERS,
    township_code: str = TOWNSHIP,
    programme_code: str = "GDLS",
) -> tuple[RosterRowsSubmitted, RosterSubmitted]:
    """The one part of rows and the totals of a submission, as the registry publishes them."""
    rows = tuple(
        ROW.model_copy(update={"row_no": n, "amount_fen": amount})
        for n, amount in enumerate(amounts, start=1)
    )
    part = RosterRowsSubmitted(roster_id=roster_id, submission_no=submission_no, part=1, rows=rows)
    totals = ROSTER.model_copy(
        update={
            "roster_id": roster_id,
            "submission_no": submission_no,
            "row_count": len(rows),
            "total_fen": sum(amounts),
            "prepared_by": prepared_by,
            "township_code": township_code,
            "programme_code": programme_code,
            "parts": 1,
        }
    )
    return part, totals


def completed(roster_id: str = "r-1", submission_no: int = 1) -> PublicNoticeCompleted:
    return PublicNoticeCompleted(
        roster_id=roster_id,
        submission_no=submission_no,
        started_on=date(2025, 9, 15),
        ended_on=date(2025, 9, 22),
    )


def halted(roster_id: str = "r-1", submission_no: int = 1) -> PublicNoticeHalted:
    return PublicNoticeHalted(
        roster_id=roster_id,
        submission_no=submission_no,
        row_nos=(2,),
        findings=("村民举报：第2行补贴对象已迁出本村",),
    )


def given(events: Iterable[Event]) -> RosterApproval | None:
    state: RosterApproval | None = None
    for event in events:
        state = evolve(state, event)
    return state


def taken_in(
    inputs: Iterable[Input], *, state: RosterApproval | None = None, chain: Chain = DEFAULT_CHAIN
) -> tuple[RosterApproval | None, list[Event]]:
    """Every input through the intake decider in turn: the state after, and what it recorded."""
    recorded: list[Event] = []
    for event in inputs:
        for new in decide_intake(event, state, chain):
            state = evolve(state, new)
            recorded.append(new)
    return state, recorded


def opened(**kwargs: object) -> RosterApproval:
    """A roster submitted (rows and totals) whose notice completed: its approval is open."""
    part, totals = submission(**kwargs)
    state, _ = taken_in([part, totals, completed(totals.roster_id, totals.submission_no)])
    assert state is not None
    return state
