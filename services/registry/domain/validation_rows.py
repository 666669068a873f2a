"""The row rules that need only the row and the programme: the ID, name and account readable,
the money right (``validation_money``), the programme the roster's. Every problem of the row
is reported, not only the first.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import NamedTuple

from services.registry.domain import rule_codes as rc
from services.registry.domain.roster_rows import Column, Finding, RosterLine
from services.registry.domain.validation_fields import parse_card_account
from services.registry.domain.validation_ids import CitizenIdReader
from services.registry.domain.validation_money import MoneyReader
from services.registry.domain.validation_programme import ProgrammeRules

# Enum attribute access costs 0.1 µs; bound once here, for a million rows.
_AMOUNT = Column.AMOUNT
_BANK = Column.BANK
_CARD_ACCOUNT = Column.CARD_ACCOUNT
_CITIZEN_ID = Column.CITIZEN_ID
_HOUSEHOLD = Column.HOUSEHOLD
_NAME = Column.NAME
_PHONE = Column.PHONE
_PROGRAMME = Column.PROGRAMME
_QUANTITY = Column.QUANTITY
_STANDARD = Column.STANDARD
_VILLAGE = Column.VILLAGE


class ParsedRow(NamedTuple):
    """A roster row read into values. ``standard`` is yuan per unit (for a programme paid per
    person without a standard column: the amount itself, one unit); ``quantity`` is None when
    the roster gives none; ``born`` comes from the ID.

    A named tuple rather than a frozen dataclass: one is made per row of million-row
    rosters, and a frozen dataclass costs five times as much to build.
    """

    line_no: int
    citizen_id: str
    name: str
    card_account: str
    bank: str
    programme: str
    quantity: Decimal | None
    standard: Decimal
    amount_fen: int
    village: str
    phone: str
    household: str
    born: date


RowReading = tuple[list[Finding], str | None, date | None, str | None, ParsedRow | None]
"""(findings, citizen ID, birth date, card account, parsed row): what could be read of a row.
The row is None unless every cell could be read; the ID and account come apart so that the
register rules still run. A plain tuple: it is unpacked at once."""

new_tuple = tuple.__new__
"""Builds a named tuple in C, skipping the Python ``__new__`` that only does the same."""


class RowReader:
    """Reads rows for one programme; ``today`` is the caller's clock (birth dates)."""

    def __init__(self, programme: ProgrammeRules, *, today: date) -> None:
        self._programme = programme
        self._names = programme.accepted_names()
        self._ids = CitizenIdReader(today=today)
        self._money = MoneyReader(programme)

    def read(self, line: RosterLine) -> RowReading:
        get, numeric, findings = line.cells.get, line.numeric, []
        ident = self._ids.read(get(_CITIZEN_ID, ""), _CITIZEN_ID in numeric)
        if isinstance(ident, Finding):
            findings.append(ident)
        name = get(_NAME, "")
        if not name:
            findings.append(rc.NAME_MISSING.finding())
        text = get(_CARD_ACCOUNT, "")
        account: str | None = text
        if numeric or not (12 <= len(text) <= 25 and text.isdigit() and text.isascii()):
            parsed = parse_card_account(text, _CARD_ACCOUNT in numeric)  # the unusual cell
            if isinstance(parsed, Finding):
                findings.append(parsed)
                account = None
            else:
                account = parsed
        money = self._money.read(get(_AMOUNT, ""), get(_QUANTITY, ""), get(_STANDARD, ""), findings)
        programme = get(_PROGRAMME, "")
        if programme and programme not in self._names and self._other_programme(programme):
            findings.append(rc.PROGRAMME_MISMATCH.finding(expected=self._programme.standard_name))
        if isinstance(ident, Finding):
            return findings, None, None, account, None
        citizen_id, born = ident
        if account is None or money is None:
            return findings, citizen_id, born, account, None
        quantity, standard, amount_fen = money
        row = new_tuple(
            ParsedRow,
            (
                line.line_no,
                citizen_id,
                name,
                account,
                get(_BANK, ""),
                programme,
                quantity,
                standard,
                amount_fen,
                get(_VILLAGE, ""),
                get(_PHONE, ""),
                get(_HOUSEHOLD, ""),
                born,
            ),
        )
        return findings, citizen_id, born, account, row

    def _other_programme(self, text: str) -> bool:
        return "".join(text.split()) not in self._names
