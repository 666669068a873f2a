"""Submitting a roster, and its return to its makers, as deciders: Given events, When a
command, Then the events (or the refusal)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from contracts.events import RosterRowsSubmitted, RosterSubmitted
from contracts.events.registry import MAX_ROWS_PER_PART
from contracts.pii import CardAccountNo, CitizenId
from contracts.refusals import Refused
from services.registry.domain.events import RosterReturned, RosterRow
from services.registry.domain.roster import (
    CorrectRow,
    DraftRoster,
    ImportRows,
    RemoveRow,
    Roster,
    WithdrawRoster,
    decide_correction,
    decide_draft,
    decide_import,
    decide_removal,
    decide_withdrawal,
    evolve,
)
from services.registry.domain.roster_returns import ReturnRoster, decide_return
from services.registry.domain.roster_submission import (
    Payee,
    SubmissionTerms,
    SubmitRoster,
    decide_submission,
)

TERMS = SubmissionTerms("耕地地力保护补贴", 7, True, "燕儿窝街道", unit_standard=Decimal("95.50"))
REGISTER_ACCOUNT = CardAccountNo("6217000012345678907")


def row(
    row_no: int, fen: int | None = 95_500, verdict: str = "accepted", **more: object
) -> RosterRow:
    values: dict[str, object] = {
        "row_no": row_no,
        "line_no": row_no + 1,
        "beneficiary_id": f"b-{row_no}",
        "name": "王建国",
        "quantity": "10.00",
        "standard": "95.50",
        "amount": "955.00",
        "amount_fen": fen,
        "village": "一组",
        "verdict": verdict,
        **more,
    }
    return RosterRow.model_validate(values)


def payee(n: int) -> Payee:
    return Payee(
        CitizenId("11010519491231002X"),
        f"登记姓名{n}",
        "650102001001",
        "ABC",
        REGISTER_ACCOUNT,
        village_name="燕儿窝村",
    )


class History:
    """A roster's history, and the commands a clerk or a reaction gives it."""

    def __init__(self, *rows: RosterRow) -> None:
        self.events: list[object] = list(
            decide_draft(DraftRoster("r-1", "GDDL", 3, "650102001", "2026-1"), None)
        )
        self.rows: dict[int, RosterRow] = {}
        if rows:
            self.apply(decide_import(ImportRows("r-1", "i-1", list(rows)), self.state))
            self.rows.update((r.row_no, r) for r in rows)

    @property
    def state(self) -> Roster | None:
        state: Roster | None = None
        for event in self.events:
            state = evolve(state, event)
        return state

    def apply(self, events: list) -> list:
        self.events += events
        return events

    def submit(self, *, prepared_by: tuple[str, ...] = ("u-2", "u-1", "u-2")) -> list:
        payees = {r.beneficiary_id: payee(n) for n, r in self.rows.items() if r.beneficiary_id}
        command = SubmitRoster("r-1", TERMS, self.rows, payees, prepared_by)
        return self.apply(decide_submission(command, self.state))

    def correct(self, fixed: RosterRow) -> None:
        self.apply(decide_correction(CorrectRow("r-1", fixed, "更正"), self.state))
        self.rows[fixed.row_no] = fixed

    def send_back(self, submission_no: int, *row_nos: int, by: str = "approval") -> list:
        command = ReturnRoster("r-1", submission_no, by, ("面积与确权不符",), row_nos)  # type: ignore[arg-type]
        return self.apply(decide_return(command, self.state))


def test_the_rows_go_in_parts_before_the_submission_that_totals_them_exactly() -> None:
    roster = History(*(row(n, fen=10_000 + n) for n in range(1, MAX_ROWS_PER_PART + 2)))
    *parts, submitted = roster.submit()
    assert all(isinstance(p, RosterRowsSubmitted) for p in parts)
    assert [(p.part, len(p.rows), p.submission_no) for p in parts] == [
        (1, MAX_ROWS_PER_PART, 1),
        (2, 1, 1),
    ]
    assert isinstance(submitted, RosterSubmitted)
    paid = [r for p in parts for r in p.rows]
    assert [r.row_no for r in paid] == list(range(1, MAX_ROWS_PER_PART + 2))
    assert (submitted.row_count, submitted.parts) == (len(paid), 2)
    assert submitted.total_fen == sum(r.amount_fen for r in paid)


def test_the_submission_carries_the_terms_and_everyone_who_prepared_it_once() -> None:
    *_, submitted = History(row(1)).submit()
    assert (submitted.programme_version, submitted.programme_name) == (3, "耕地地力保护补贴")
    assert (submitted.notice_working_days, submitted.confidential) == (7, True)
    assert submitted.township_name == "燕儿窝街道"
    assert submitted.prepared_by == ("u-1", "u-2")


def test_a_row_is_paid_as_the_register_holds_the_person_with_its_own_quantities() -> None:
    (part, _) = History(row(1, village="")).submit()
    (paid,) = part.rows
    assert (paid.beneficiary_id, paid.name, paid.village_code) == (
        "b-1",
        "登记姓名1",
        "650102001001",
    )
    assert paid.village == "燕儿窝村"  # the row named none: the registered village's name
    assert (paid.bank_code, paid.account_no) == ("ABC", REGISTER_ACCOUNT)
    assert (paid.quantity, paid.standard_fen, paid.amount_fen) == (Decimal("10.00"), 9550, 95_500)


def test_a_row_naming_another_account_is_paid_into_it_at_its_bank() -> None:
    own = CardAccountNo("6222020200112233445")
    (part, _) = History(row(1, card_account=own, bank="ICBC")).submit()
    assert (part.rows[0].bank_code, part.rows[0].account_no) == ("ICBC", own)


def test_the_latest_correction_of_a_row_is_what_is_paid_and_removed_rows_are_not() -> None:
    roster = History(row(1), row(2), row(3))
    roster.correct(row(2, fen=47_750, quantity="5.00", amount="477.50"))
    roster.apply(decide_removal(RemoveRow("r-1", 3, "重复"), roster.state))
    part, submitted = roster.submit()
    assert [(r.row_no, r.amount_fen, r.quantity) for r in part.rows] == [
        (1, 95_500, Decimal("10.00")),
        (2, 47_750, Decimal("5.00")),
    ]
    assert submitted.total_fen == 95_500 + 47_750


def test_a_payable_row_without_an_account_in_the_register_is_refused() -> None:
    roster = History(row(1))
    command = SubmitRoster("r-1", TERMS, roster.rows, {}, ())
    with pytest.raises(Refused) as refused:
        decide_submission(command, roster.state)
    assert refused.value.code == "roster_payee_unknown"


def test_a_roster_without_an_amount_to_pay_is_refused() -> None:
    with pytest.raises(Refused) as refused:
        History(row(1, fen=None)).submit()
    assert refused.value.code == "roster_has_nothing_payable"


def test_a_send_back_reopens_the_roster_and_rejects_the_rows_it_names() -> None:
    roster = History(row(1), row(2))
    roster.submit()
    (returned,) = roster.send_back(1, 2)
    assert isinstance(returned, RosterReturned)
    state = roster.state
    assert state is not None
    assert (state.status, state.submissions) == ("returned", 1)
    assert state.rows[2].verdict == "rejected"
    assert state.rows[2].rules[-1] == "returned_by_approval"
    with pytest.raises(Refused) as refused:
        roster.submit()
    assert refused.value.code == "roster_has_rejected_rows"


def test_a_halt_flags_its_rows_as_an_upheld_objection() -> None:
    roster = History(row(1))
    roster.submit()
    roster.send_back(1, 1, by="objection")
    state = roster.state
    assert state is not None
    assert state.rows[1].rules[-1] == "objection_upheld"


def test_a_corrected_returned_row_lets_the_roster_be_submitted_again_with_the_next_number() -> None:
    roster = History(row(1), row(2))
    roster.submit()
    roster.send_back(1, 2)
    roster.correct(row(2, fen=9_550, quantity="1.00", amount="95.50"))
    *parts, again = roster.submit()
    assert again.submission_no == 2
    assert {p.submission_no for p in parts} == {2}
    assert again.total_fen == 95_500 + 9_550


def test_a_return_of_the_roster_as_a_whole_flags_no_row() -> None:
    roster = History(row(1))
    roster.submit()
    roster.send_back(1)
    *_, again = roster.submit()
    assert again.submission_no == 2


def test_a_return_naming_an_older_submission_is_ignored() -> None:
    roster = History(row(1), row(2))
    roster.submit()
    roster.send_back(1)
    roster.submit()
    assert roster.send_back(1, 1) == []
    state = roster.state
    assert state is not None
    assert (state.status, state.rows[1].verdict) == ("submitted", "accepted")


def test_a_return_of_a_submission_never_made_is_ignored() -> None:
    assert History(row(1)).send_back(1) == []


def test_a_returned_roster_withdrawn_by_its_makers_takes_no_more_returns() -> None:
    roster = History(row(1))
    roster.submit()
    roster.send_back(1)
    roster.apply(decide_withdrawal(WithdrawRoster("r-1", "作废"), roster.state))
    assert roster.send_back(1, 1, by="objection") == []
