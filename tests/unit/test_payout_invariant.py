"""Properties of a round under any sequence of bank answers — duplicated, reordered, late,
for unknown instructions — re-issues, reviews of contradicting answers and year-end returns
(issue 6):

- a row's stream never holds more than one standing success (a success stands until a review
  reverses it), and a paid row is never returned;
- a new attempt follows only a definite rejection of the one before (never a timeout);
- succeeded + returned + outstanding = approved total, to the fen, after every step;
- the answers to one instruction settle it the same way in any order.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field

from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.base import Event
from contracts.events import (
    PaymentFailed,
    PaymentInstructed,
    PaymentReversed,
    PaymentSucceeded,
    ReturnedToTreasury,
)
from contracts.events.payout import ReviewDecision
from contracts.refusals import Refused
from services.payout.domain.instructions import instruction_id
from services.payout.domain.ledger import ledger_of
from services.payout.domain.reissue import ReissueRow, decide_reissue
from services.payout.domain.results import BankResult, decide_result
from services.payout.domain.review import ResolveReview, decide_review
from services.payout.domain.row import RowPayment
from services.payout.domain.treasury import decide_return
from tests.unit.payout_samples import instructed_rows, rejected, succeeded, then, unknown

REASONS = ("account_closed", "name_mismatch", "account_frozen", "bank_system_busy", "channel_error")
amounts = st.lists(st.integers(min_value=0, max_value=10_000_000), min_size=1, max_size=6)
answers = st.tuples(
    st.just("answer"),
    st.integers(min_value=0, max_value=5),
    st.sampled_from(["latest", "latest", "previous", "first", "never_issued"]),
    st.sampled_from(["succeeded", "succeeded", "unknown", "unknown", *REASONS]),
    st.sampled_from(["B-1", "B-2"]),
)
orders = st.tuples(st.sampled_from(["reissue", "return"]), st.integers(min_value=0, max_value=5))
reviews = st.tuples(
    st.just("review"),
    st.integers(min_value=0, max_value=5),
    st.sampled_from(["keep_recorded", "accept_reported"]),
)
steps = st.lists(st.one_of(answers, answers, answers, orders, reviews), min_size=1, max_size=80)
ATTEMPT: dict[str, Callable[[int], int]] = {
    "latest": lambda n: n,
    "previous": lambda n: max(1, n - 1),
    "first": lambda n: 1,
    "never_issued": lambda n: n + 1,
}
"""Which of the row's instructions an answer names, from its number of attempts ``n``."""


@dataclass
class Round:
    rows: list[RowPayment]
    logs: list[list[Event]] = field(default_factory=list)

    @classmethod
    def of(cls, amounts: list[int]) -> Round:
        rows = instructed_rows(amounts=amounts, banks=["ABC"] * len(amounts))
        return cls(rows, [[row.first] for row in rows])

    def record(self, index: int, events: list[Event]) -> None:
        self.rows[index] = then(self.rows[index], events)
        self.logs[index].extend(events)


def answer(step: tuple[str, int, str, str, str], row: RowPayment) -> BankResult:
    _, _, which, outcome, ref = step
    instruction = instruction_id("r-1", row.first.row_no, ATTEMPT[which](len(row.attempts)))
    amount = row.first.amount_fen
    if outcome == "succeeded":
        return succeeded(instruction, amount, ref=ref)
    if outcome == "unknown":
        return unknown(instruction, amount)
    return rejected(instruction, amount, outcome)


def take(round_: Round, step: tuple[object, ...]) -> None:
    index = int(step[1]) % len(round_.rows)  # type: ignore[call-overload]
    row = round_.rows[index]
    if step[0] == "answer":
        result = answer(step, row)  # type: ignore[arg-type]
        if row.attempt(result.instruction_id) is None:
            return  # an answer for an instruction we never issued: recorded apart
        round_.record(index, decide_result(result, row))
    elif step[0] == "reissue":
        with contextlib.suppress(Refused):
            round_.record(
                index, list(decide_reissue(ReissueRow("r-1", row.first.row_no, "已核实"), row))
            )
    elif step[0] == "review":
        if not row.concerns:
            return
        instruction, concern = row.concerns[0]
        decision: ReviewDecision = (
            "accept_reported" if step[2] == "accept_reported" else "keep_recorded"
        )
        command = ResolveReview(
            "r-1", row.first.row_no, instruction, concern, decision, "已核实", "finance-1"
        )
        with contextlib.suppress(Refused):
            round_.record(index, decide_review(command, row, round_.logs[index]))
    else:
        round_.record(index, list(decide_return(row)))


def check(round_: Round, approved: list[int]) -> None:
    for row, log in zip(round_.rows, round_.logs, strict=True):
        standing = _standing_successes(log)
        returns = [e for e in log if isinstance(e, ReturnedToTreasury)]
        assert standing <= 1
        assert len(returns) <= 1
        assert not (standing and returns)
        failed: set[int] = set()
        for event in log:
            if isinstance(event, PaymentFailed | PaymentReversed):
                failed.add(event.attempt)
            if isinstance(event, PaymentInstructed) and event.attempt > 1:
                assert event.attempt - 1 in failed, "a new attempt without a definite rejection"
        assert sum(a.status in ("pending", "unknown") for a in row.attempts) <= 1
    ledger = ledger_of(
        len(approved),
        sum(approved),
        [(row.status, 1, row.first.amount_fen) for row in round_.rows],
    )
    assert ledger.balanced, ledger
    paid = sum(
        row.first.amount_fen
        for row, log in zip(round_.rows, round_.logs, strict=True)
        if _standing_successes(log)
    )
    assert ledger.succeeded_fen == paid


def _standing_successes(log: list[Event]) -> int:
    successes = sum(isinstance(e, PaymentSucceeded) for e in log)
    return successes - sum(isinstance(e, PaymentReversed) for e in log)


@settings(max_examples=300, deadline=None)
@given(amounts, steps)
def test_any_sequence_of_answers_keeps_one_success_per_row_and_the_round_balanced(
    approved: list[int], sequence: list[tuple[object, ...]]
) -> None:
    round_ = Round.of(approved)
    check(round_, approved)
    for step in sequence:
        take(round_, step)
        check(round_, approved)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["succeeded", "account_closed"]),
    st.integers(min_value=1, max_value=4),
    st.integers(min_value=0, max_value=4),
    st.randoms(use_true_random=False),
)
def test_the_answers_to_one_instruction_settle_it_the_same_way_in_any_order(
    outcome: str, definite: int, timeouts: int, shuffler: object
) -> None:
    row = instructed_rows(amounts=[500], banks=["ABC"])[0]
    step = ("answer", 0, "first", outcome, "B-1")
    sequence = [answer(step, row)] * definite + [unknown("r-1:1:1", 500)] * timeouts
    shuffler.shuffle(sequence)  # type: ignore[attr-defined]
    for result in sequence:
        row = then(row, decide_result(result, row))
    assert row.status == ("paid" if outcome == "succeeded" else "failed")
    assert len(row.attempts) == 1
    assert not row.concerns
