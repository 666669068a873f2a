"""Builders for the payout tests: a roster's submitted rows (over one or two agent banks), its
terms and approval, the round and rows the payout folds from them, and bank answers."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime

from contracts.base import Event
from contracts.envelope import Actor
from contracts.events import BatchApproved, RosterRowsSubmitted, RosterSubmitted
from infra.command_context import CommandContext
from services.payout.domain.intake import Input, decide_intake, first_instructions
from services.payout.domain.results import BankResult
from services.payout.domain.round import RoundState
from services.payout.domain.round import evolve as evolve_round
from services.payout.domain.row import RowPayment
from services.payout.domain.row import evolve as evolve_row
from tests.unit.contract_samples import ROSTER, ROW

TOWNSHIP = "650102001"
COUNTY = "650102"
AMOUNTS = (61_725, 30_000, 12_345, 50_000)
BANKS = ("ABC", "ABC", "RCC", "ABC")
APPROVED_AT = datetime(2025, 10, 9, 2, tzinfo=UTC)

BANK_CONNECTOR = Actor(user_id="u-bank-abc", role="bank_connector", jurisdiction_code=COUNTY)
FINANCE = Actor(user_id="u-finance", role="county_finance_officer", jurisdiction_code=COUNTY)
OFFICERS = {
    "finance": ("u-finance", "county_finance_officer", COUNTY),
    "operator": ("u-op", "township_operator", TOWNSHIP),
    "department": ("u-dept", "county_department_operator", COUNTY),
    "far_operator": ("u-far", "township_operator", "650103001"),
    "bank": ("u-bank-abc", "bank_connector", COUNTY),
    "auditor": ("u-audit", "auditor", COUNTY),
}
"""Posts by nickname: (user id, role, jurisdiction)."""


def headers(who: str) -> dict[str, str]:
    user, role, jurisdiction = OFFICERS[who]
    return {
        "X-Onecard-User": user,
        "X-Onecard-Role": role,
        "X-Onecard-Jurisdiction": jurisdiction,
    }


def parts(
    *,
    roster_id: str = "r-1",
    submission_no: int = 1,
    amounts: Sequence[int] = AMOUNTS,
    banks: Sequence[str] = BANKS,
    per_part: int = 1000,
) -> list[RosterRowsSubmitted]:
    """The submission's rows, ``per_part`` in each ``RosterRowsSubmitted``."""
    rows = [
        ROW.model_copy(
            update={
                "row_no": n,
                "amount_fen": amount,
                "bank_code": bank,
                "beneficiary_id": f"b-{n}",
            }
        )
        for n, (amount, bank) in enumerate(zip(amounts, banks, strict=True), start=1)
    ]
    return [
        RosterRowsSubmitted(
            roster_id=roster_id,
            submission_no=submission_no,
            part=index + 1,
            rows=tuple(rows[start : start + per_part]),
        )
        for index, start in enumerate(range(0, len(rows), per_part))
    ]


def terms(
    *,
    roster_id: str = "r-1",
    submission_no: int = 1,
    amounts: Sequence[int] = AMOUNTS,
    part_count: int = 1,
) -> RosterSubmitted:
    return ROSTER.model_copy(
        update={
            "roster_id": roster_id,
            "submission_no": submission_no,
            "row_count": len(amounts),
            "total_fen": sum(amounts),
            "parts": part_count,
        }
    )


def approval(
    *,
    roster_id: str = "r-1",
    submission_no: int = 1,
    amounts: Sequence[int] = AMOUNTS,
    total_fen: int | None = None,
) -> BatchApproved:
    return BatchApproved(
        roster_id=roster_id,
        round_id="2025-1",
        submission_no=submission_no,
        programme_code="GDLS",
        township_code=TOWNSHIP,
        approved_row_count=len(amounts),
        total_fen=sum(amounts) if total_fen is None else total_fen,
        levels=("u-auditor", "u-reviewer", "u-finance"),
    )


def taken_in(
    inputs: Iterable[Input], *, state: RoundState | None = None
) -> tuple[RoundState | None, list[Event]]:
    """Every input through the intake decider in turn: the state after, what it recorded."""
    recorded: list[Event] = []
    for event in inputs:
        for new in decide_intake(event, state):
            state = evolve_round(state, new)
            recorded.append(new)
    return state, recorded


def opened_round(
    *, amounts: Sequence[int] = AMOUNTS, banks: Sequence[str] | None = None
) -> RoundState:
    """A round whose rows, terms and approval all arrived: open."""
    banks = BANKS if banks is None else banks
    inputs: list[Input] = [
        *parts(amounts=amounts, banks=banks),
        terms(amounts=amounts),
        approval(amounts=amounts),
    ]
    state, _ = taken_in(inputs)
    assert state is not None
    assert state.opened is not None
    return state


def instructed_rows(
    *, amounts: Sequence[int] = AMOUNTS, banks: Sequence[str] | None = None
) -> list[RowPayment]:
    """The rows of an opened round, each holding its first instruction."""
    state = opened_round(amounts=amounts, banks=banks)
    rows = [evolve_row(None, instruction) for instruction in first_instructions(state)]
    return [row for row in rows if row is not None]


def then(row: RowPayment, events: Iterable[Event]) -> RowPayment:
    for event in events:
        after = evolve_row(row, event)
        assert after is not None
        row = after
    return row


def succeeded(
    instruction_id: str, amount_fen: int, *, bank: str = "ABC", ref: str = "B-1"
) -> BankResult:
    return BankResult(
        instruction_id=instruction_id,
        bank_code=bank,
        outcome="succeeded",
        amount_fen=amount_fen,
        bank_reference=ref,
        value_date=date(2025, 10, 10),
    )


def rejected(
    instruction_id: str, amount_fen: int, reason: str = "account_closed", *, bank: str = "ABC"
) -> BankResult:
    return BankResult(
        instruction_id=instruction_id,
        bank_code=bank,
        outcome="rejected",
        amount_fen=amount_fen,
        reason_code=reason,
    )


def unknown(instruction_id: str, amount_fen: int, *, bank: str = "ABC") -> BankResult:
    return BankResult(
        instruction_id=instruction_id,
        bank_code=bank,
        outcome="unknown",
        amount_fen=amount_fen,
        detail="应答超时",
    )


def context(actor: Actor, at: datetime, key: str | None = None) -> CommandContext:
    return CommandContext(
        actor=actor,
        at=at,
        correlation_id=uuid.uuid4(),
        idempotency_key=key or str(uuid.uuid4()),
    )
