"""Submitting a roster for public notice (提交公示): the payable rows as the register pays them,
in parts, then the ``RosterSubmitted`` that names the submission and the terms it is paid
under, all in one append.

The application gathers what the decider cannot read itself: the rows as stored, the register's
entry for each matched beneficiary, the programme's terms at the roster's version, the
township's name and who prepared the roster. The decider chooses the payable rows from the
roster's own state, so the totals are the rows' exact sum and nothing unpaid slips in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from contracts.events import RosterRowsSubmitted, RosterSubmitted
from contracts.events.registry import MAX_ROWS_PER_PART, SubmittedRow
from contracts.pii import CardAccountNo, CitizenId
from services.registry.domain import roster_refusals as refuse
from services.registry.domain.events import RosterRow
from services.registry.domain.roster import Roster, RowState, open_draft
from services.registry.domain.validation_fields import parse_decimal

_CODE: Final = re.compile(r"[A-Za-z0-9_.\-]{1,32}")


@dataclass(frozen=True, slots=True)
class SubmissionTerms:
    """What the roster is paid under, as the catalogue says it at the roster's version.

    ``notice_working_days`` is already the longer of the programme's and the minimum where
    the township lies (002 §3(2): 5 working days; 001 art.10(2): 7 in Yueyang)."""

    programme_name: str
    notice_working_days: int
    confidential: bool
    township_name: str
    unit_standard: Decimal | None = None
    fixed_amount_fen: int | None = None


@dataclass(frozen=True, slots=True)
class Payee:
    """A matched beneficiary as the register holds them now: who, where, and the one card
    account (一人一卡) they are paid into (None: no account declared)."""

    citizen_id: CitizenId
    name: str
    village_code: str
    bank_code: str
    account_no: CardAccountNo | None
    village_name: str | None = None
    """The registered name of the village, shown when the row gave none."""


@dataclass(frozen=True, slots=True)
class SubmitRoster:
    """``rows``: the stored rows by number (at least every payable one); ``payees``: the
    register's entry by beneficiary id; ``prepared_by``: the users who made the rows."""

    roster_id: str
    terms: SubmissionTerms
    rows: Mapping[int, RosterRow]
    payees: Mapping[str, Payee]
    prepared_by: Sequence[str]


def payable_row_nos(state: Roster) -> list[int]:
    """The rows to pay: not rejected (nor returned), not removed, an amount above zero."""
    return sorted(
        row_no
        for row_no, row in state.rows.items()
        if row.verdict != "rejected" and (row.amount_fen or 0) > 0
    )


def decide_submission(
    command: SubmitRoster, state: Roster | None
) -> list[RosterRowsSubmitted | RosterSubmitted]:
    """Submit for public notice: only a roster whose every row passed, with money to pay.
    The submission after a return is the next ``submission_no``; a submitted roster again
    decides nothing."""
    if state is not None and state.status == "submitted":
        return []
    roster = open_draft(state)
    if not roster.rows:
        raise refuse.no_rows()
    if roster.rejected:
        raise refuse.rejected_rows_remain(roster.rejected)
    numbers = payable_row_nos(roster)
    if not numbers:
        raise refuse.nothing_payable()
    rows = [_submitted(n, roster.rows[n], command) for n in numbers]
    submission_no = roster.submissions + 1
    parts = [
        RosterRowsSubmitted(
            roster_id=roster.roster_id,
            submission_no=submission_no,
            part=n + 1,
            rows=tuple(rows[start : start + MAX_ROWS_PER_PART]),
        )
        for n, start in enumerate(range(0, len(rows), MAX_ROWS_PER_PART))
    ]
    terms = command.terms
    submitted = RosterSubmitted(
        roster_id=roster.roster_id,
        programme_code=roster.programme_code,
        township_code=roster.township_code,
        round_id=roster.round_id,
        row_count=len(rows),
        total_fen=sum(row.amount_fen for row in rows),
        submission_no=submission_no,
        programme_version=roster.programme_version,
        programme_name=terms.programme_name,
        notice_working_days=terms.notice_working_days,
        confidential=terms.confidential,
        township_name=terms.township_name,
        parts=len(parts),
        prepared_by=tuple(sorted(set(command.prepared_by))),
    )
    return [*parts, submitted]


def _submitted(row_no: int, line: RowState, command: SubmitRoster) -> SubmittedRow:
    """One payable row as paid: the register's person and account (the row's own account
    when it named another), the row's quantity and standard, the state's amount and warnings."""
    row = command.rows.get(row_no)
    if row is None or row.beneficiary_id is None:
        raise refuse.no_such_row(row_no)
    payee = command.payees.get(row.beneficiary_id)
    if payee is None or payee.account_no is None:
        raise refuse.payee_unknown(row_no)
    bank_code, account_no = payee.bank_code, payee.account_no
    if row.card_account is not None and row.card_account != payee.account_no:
        if not _CODE.fullmatch(row.bank):
            raise refuse.own_account_without_bank(row_no)
        bank_code, account_no = row.bank, row.card_account
    return SubmittedRow(
        row_no=row_no,
        beneficiary_id=row.beneficiary_id,
        citizen_id=payee.citizen_id,
        name=payee.name,
        village_code=payee.village_code,
        village=(row.village.strip() or payee.village_name or payee.village_code)[:200],
        quantity=parse_decimal(row.quantity) if row.quantity else None,
        standard_fen=_standard_fen(row.standard, command.terms),
        amount_fen=line.amount_fen or 0,
        bank_code=bank_code,
        account_no=account_no,
        warnings=line.rules,
    )


def _standard_fen(text: str, terms: SubmissionTerms) -> int | None:
    """The unit standard in fen (the row's, else the programme's), when it is whole fen."""
    standard = parse_decimal(text) if text else terms.unit_standard
    if standard is None:
        return terms.fixed_amount_fen
    fen = standard * 100
    return int(fen) if fen == fen.to_integral_value() else None
