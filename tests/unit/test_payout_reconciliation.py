"""Reconciliation as a pure comparison (Given our entries / When the bank's statement says /
Then these mismatches): each kind of disagreement is listed with its row, a statement that
agrees is balanced, and both sides' figures are counted to the fen."""

from __future__ import annotations

from datetime import date

import pytest

from contracts.refusals import Refused
from services.payout.domain.bank_file_layouts import StatementLine
from services.payout.domain.reconciliation import Entry, period_of, reconcile
from services.payout.domain.reconciliation_events import StatementFigures

OCTOBER = period_of("2025-10")
ON = date(2025, 10, 9)
PAID = Entry("r-1:1:1", "r-1", 1, 61_725, ON, "succeeded", date(2025, 10, 10), "B-1")
FAILED = Entry("r-1:2:1", "r-1", 2, 30_000, ON, "rejected", date(2025, 10, 11))
OPEN = Entry("r-1:4:1", "r-1", 4, 50_000, ON, "pending", None)
PAID_LINE = StatementLine(2, "r-1:1:1", "succeeded", 61_725, "B-1", date(2025, 10, 10))
FAILED_LINE = StatementLine(3, "r-1:2:1", "rejected", 30_000, None, date(2025, 10, 11))


def kinds(entries: list[Entry], lines: list[StatementLine]) -> list[tuple[str, str, int | None]]:
    found = reconcile(OCTOBER, entries, lines).mismatches
    return [(m.kind, m.instruction_id, m.row_no) for m in found]


def test_periods_are_months_and_years_of_chinas_calendar() -> None:
    assert (OCTOBER.kind, OCTOBER.first, OCTOBER.last) == (
        "month",
        date(2025, 10, 1),
        date(2025, 10, 31),
    )
    february = period_of("2024-02")
    assert february.last == date(2024, 2, 29)
    year = period_of("2025")
    assert (year.kind, year.first, year.last) == ("year", date(2025, 1, 1), date(2025, 12, 31))
    assert (year.label, OCTOBER.label) == ("2025", "2025-10")


@pytest.mark.parametrize("text", ["2025-13", "2025-1", "25-10", "2025/10", "", "1999"])
def test_a_period_not_written_as_agreed_is_refused(text: str) -> None:
    with pytest.raises(Refused) as refused:
        period_of(text)
    assert refused.value.code == "payout_period_invalid"


def test_a_statement_that_agrees_is_balanced_and_both_sides_are_counted() -> None:
    done = reconcile(OCTOBER, [PAID, FAILED, OPEN], [PAID_LINE, FAILED_LINE])
    assert done.mismatches == ()
    assert done.ours == StatementFigures(
        sent_rows=3, sent_fen=141_725, succeeded_rows=1, succeeded_fen=61_725,
        rejected_rows=1, rejected_fen=30_000, open_rows=1, open_fen=50_000,
    )  # fmt: skip
    assert done.bank == StatementFigures(
        succeeded_rows=1, succeeded_fen=61_725, rejected_rows=1, rejected_fen=30_000
    )


def test_a_payment_the_bank_made_that_we_did_not_record_is_listed_with_its_row() -> None:
    bank_paid_open = StatementLine(4, "r-1:4:1", "succeeded", 50_000, "B-4", ON)
    (mismatch,) = reconcile(OCTOBER, [OPEN], [bank_paid_open]).mismatches
    assert (mismatch.kind, mismatch.roster_id, mismatch.row_no, mismatch.line_no) == (
        "not_recorded", "r-1", 4, 4,
    )  # fmt: skip
    assert (mismatch.ours_status, mismatch.bank_status) == ("pending", "succeeded")


def test_a_statement_line_naming_no_instruction_of_ours_is_not_recorded() -> None:
    stranger = StatementLine(2, "x-9:1:1", "rejected", 100, None, ON)
    (mismatch,) = reconcile(OCTOBER, [], [stranger]).mismatches
    assert (mismatch.kind, mismatch.roster_id, mismatch.bank_fen) == ("not_recorded", None, 100)


def test_what_we_recorded_in_the_period_but_the_bank_omits_is_not_on_the_statement() -> None:
    assert kinds([PAID, FAILED], [PAID_LINE]) == [("not_on_statement", "r-1:2:1", 2)]


def test_an_amount_that_differs_is_listed_with_both_amounts() -> None:
    line = StatementLine(2, "r-1:1:1", "succeeded", 61_700, "B-1", date(2025, 10, 10))
    (mismatch,) = reconcile(OCTOBER, [PAID], [line]).mismatches
    assert (mismatch.kind, mismatch.ours_fen, mismatch.bank_fen) == (
        "amount_differs",
        61_725,
        61_700,
    )


def test_a_status_that_differs_is_listed() -> None:
    returned = StatementLine(3, "r-1:2:1", "returned", 30_000, None, date(2025, 10, 11))
    assert kinds([FAILED], [returned]) == [("status_differs", "r-1:2:1", 2)]


def test_two_successes_under_different_references_differ() -> None:
    line = StatementLine(2, "r-1:1:1", "succeeded", 61_725, "B-9", date(2025, 10, 10))
    (mismatch,) = reconcile(OCTOBER, [PAID], [line]).mismatches
    assert (mismatch.kind, mismatch.ours_reference, mismatch.bank_reference) == (
        "reference_differs", "B-1", "B-9",
    )  # fmt: skip


def test_one_line_may_differ_in_several_ways() -> None:
    line = StatementLine(2, "r-1:2:1", "returned", 29_000, None, None)
    assert [k for k, _, _ in kinds([FAILED], [line])] == ["status_differs", "amount_differs"]


def test_an_answer_recorded_after_the_banks_month_end_is_no_mismatch() -> None:
    recorded_in_november = Entry("r-1:2:1", "r-1", 2, 30_000, ON, "rejected", date(2025, 11, 1))
    assert kinds([recorded_in_november], [FAILED_LINE]) == []
    done = reconcile(OCTOBER, [recorded_in_november], [FAILED_LINE])
    assert (done.ours.rejected_rows, done.ours.open_rows) == (0, 1)
