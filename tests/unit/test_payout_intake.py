"""The payout's intake as a decider: a round opens once the approval, the terms and every part
of the approved submission's rows are known, in any order; it pays only that submission, as
approved, to the fen; the first instruction of each row has a deterministic id."""

from __future__ import annotations

from itertools import permutations

import pytest

from contracts.events import PaymentBatchIssued, PaymentInstructed
from services.payout.domain.events import PaymentRoundBlocked, PaymentRoundOpened
from services.payout.domain.instructions import batch_id, instruction_id, parse_instruction_id
from services.payout.domain.intake import Input, decide_intake, first_instructions
from tests.unit.payout_samples import AMOUNTS, approval, opened_round, parts, taken_in, terms

TWO_PARTS: list[Input] = [*parts(per_part=2), terms(part_count=2), approval()]


@pytest.mark.parametrize("order", list(permutations(range(4))), ids=str)
def test_a_round_opens_once_whichever_input_arrives_last(order: tuple[int, ...]) -> None:
    state, recorded = taken_in([TWO_PARTS[i] for i in order])
    opened = [e for e in recorded if isinstance(e, PaymentRoundOpened)]
    assert len(opened) == 1
    assert (opened[0].row_count, opened[0].total_fen) == (4, sum(AMOUNTS))
    assert state is not None
    assert state.opened == opened[0]


def test_one_batch_header_per_agent_bank_with_its_count_and_total() -> None:
    _, recorded = taken_in(TWO_PARTS)
    batches = [e for e in recorded if isinstance(e, PaymentBatchIssued)]
    assert [(b.bank_code, b.row_count, b.total_fen) for b in batches] == [
        ("ABC", 3, 61_725 + 30_000 + 50_000),
        ("RCC", 1, 12_345),
    ]
    assert {b.batch_id for b in batches} == {batch_id("r-1", "ABC"), batch_id("r-1", "RCC")}
    assert sum(b.total_fen for b in batches) == sum(AMOUNTS)


def test_an_input_seen_before_records_nothing() -> None:
    state, _ = taken_in(TWO_PARTS)
    for event in TWO_PARTS:
        assert decide_intake(event, state) == []


def test_nothing_opens_while_a_part_is_missing() -> None:
    state, recorded = taken_in([parts(per_part=2)[0], terms(part_count=2), approval()])
    assert state is not None
    assert state.opened is None
    assert not any(isinstance(e, PaymentRoundOpened) for e in recorded)


def test_only_the_approved_submission_is_paid() -> None:
    first: list[Input] = [*parts(amounts=(1, 2, 3, 4)), terms(amounts=(1, 2, 3, 4))]
    second: list[Input] = [*parts(submission_no=2), terms(submission_no=2)]
    state, _ = taken_in([*first, *second, approval(submission_no=2)])
    assert state is not None
    assert state.opened is not None
    assert state.opened.submission_no == 2
    assert [i.amount_fen for i in first_instructions(state)] == list(AMOUNTS)


def test_rows_that_disagree_with_the_approved_total_block_the_round() -> None:
    state, recorded = taken_in([*parts(), terms(), approval(total_fen=sum(AMOUNTS) + 1)])
    assert state is not None
    assert state.opened is None
    (blocked,) = [e for e in recorded if isinstance(e, PaymentRoundBlocked)]
    assert blocked.reason_code == "rows_mismatch"
    assert first_instructions(state) == []


def test_a_second_approval_after_the_round_opened_is_recorded_and_blocked() -> None:
    state = opened_round()
    recorded = decide_intake(approval(submission_no=2), state)
    assert [type(e).__name__ for e in recorded] == ["BatchApprovalReceived", "PaymentRoundBlocked"]
    assert isinstance(recorded[1], PaymentRoundBlocked)
    assert recorded[1].reason_code == "round_already_open"


def test_rows_arriving_after_the_round_opened_are_not_kept() -> None:
    state = opened_round()
    assert decide_intake(parts(submission_no=2)[0], state) == []
    assert decide_intake(terms(submission_no=2), state) == []


def test_each_row_gets_one_first_instruction_as_approved() -> None:
    state = opened_round()
    instructions = first_instructions(state)
    rows = state.paid_rows
    assert [i.instruction_id for i in instructions] == [f"r-1:{n}:1" for n in range(1, 5)]
    for instruction, row in zip(instructions, rows, strict=True):
        assert isinstance(instruction, PaymentInstructed)
        assert (instruction.amount_fen, instruction.bank_code) == (row.amount_fen, row.bank_code)
        assert instruction.account_no == row.account_no
        assert instruction.programme_name == "耕地地力保护补贴"
        assert instruction.batch_id == batch_id("r-1", row.bank_code)
        assert instruction.because == "approved"


def test_the_same_row_and_attempt_always_yield_the_same_instruction_id() -> None:
    assert first_instructions(opened_round()) == first_instructions(opened_round())
    assert instruction_id("r-1", 7, 2) == "r-1:7:2"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("r-1:7:2", ("r-1", 7, 2)),
        ("a:b:3:1", ("a:b", 3, 1)),
        ("r-1:07:2", None),
        ("r-1:7:0", None),
        ("r-1:7", None),
        (":7:1", None),
        ("r-1:x:1", None),
        ("r-1:٣:1", None),
    ],
)
def test_an_instruction_id_names_its_row_and_attempt_in_one_spelling(
    value: str, expected: tuple[str, int, int] | None
) -> None:
    ref = parse_instruction_id(value)
    assert (None if ref is None else (ref.roster_id, ref.row_no, ref.attempt)) == expected
