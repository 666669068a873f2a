"""The rules of one row (``RowJudge``): everything but the rules across rows.

A row's cells (``validation_rows``), its person in the register (``validation_register``),
the round's other rosters, the cross-check lists and the warnings need the row and what is
known of its person only, so the rows of a roster can be judged in any order, by several
judges at once (worker processes, ``adapters.import_workers``); ``RosterTally`` then brings
them together in roster order.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from services.registry.domain import rule_codes as rc
from services.registry.domain.roster_rows import Column, Finding, RosterLine
from services.registry.domain.validation_ports import CrossCheckLists, OtherRosters, Register
from services.registry.domain.validation_programme import ProgrammeRules
from services.registry.domain.validation_register import ListChecks, check_person
from services.registry.domain.validation_rows import ParsedRow, RowReader, new_tuple
from services.registry.domain.validation_warnings import RowWarnings

_NAME = Column.NAME


class JudgedRow(NamedTuple):
    """What the rules of one row found, and what the rules across rows need of it.

    ``head`` holds the findings on the row's cells (ID, name, account, money, programme),
    ``tail`` those on its person (the register, the round's other rosters, the lists, the
    warnings); the same-person finding goes between them. ``citizen_key`` is the ID's first
    17 digits when the ID is readable; ``shared`` the account, phone and household compared
    across rows, and ``amount_fen`` the amount, when every cell could be read; ``village``
    the registered person's village (township medians). Plain values only: judged rows are
    sent between processes by the million.
    """

    line_no: int
    head: tuple[Finding, ...]
    tail: tuple[Finding, ...]
    citizen_key: int | None
    shared: tuple[str, str, str] | None
    amount_fen: int | None
    village: str | None


class RowJudge:
    """Judges rows of one roster; holds nothing per row. The ports answer for the rows
    being judged (the importer fetches their people a chunk at a time)."""

    def __init__(
        self,
        *,
        programme: ProgrammeRules,
        register: Register,
        other_rosters: OtherRosters,
        lists: CrossCheckLists,
        today: date,
    ) -> None:
        self._reader = RowReader(programme, today=today)
        self._register = register
        self._other_rosters = other_rosters
        self._lists = lists
        self._list_checks = ListChecks(programme.list_policy)
        self._warnings = RowWarnings(programme.warnings, today=today)

    def judge(self, line: RosterLine) -> tuple[JudgedRow, ParsedRow | None]:
        """The row's findings and keys, with the row as read (None: a cell unreadable)."""
        head, citizen_id, born, account, row = self._reader.read(line)
        if citizen_id is None or born is None:
            unread = (line.line_no, tuple(head), (), None, None, None, None)
            return new_tuple(JudgedRow, unread), row
        # Inline rather than a function per rule: a million rows pass.
        findings: list[Finding] = []
        person = self._register.person(citizen_id)
        check_person(person, findings, line.cells.get(_NAME, ""), account)
        other_roster = self._other_rosters.contains(citizen_id)
        if other_roster is not None:
            findings.append(rc.DUPLICATE_BENEFIT.finding(roster=other_roster))
        kinds = self._lists.kinds_of(citizen_id)
        if kinds:
            self._list_checks.check(kinds, findings)
        quantity = None if row is None else row.quantity
        self._warnings.check(born, person, account, quantity, findings)
        shared = amount_fen = None
        if row is not None:
            household = row.household if person is None else person.household_id
            phone = row.phone or (person.phone if person and person.phone else "")
            shared, amount_fen = (row.card_account, phone, household), row.amount_fen
        judged = (
            line.line_no,
            tuple(head),
            tuple(findings),
            int(citizen_id[:17]),
            shared,
            amount_fen,
            None if person is None else person.village_code,
        )
        return new_tuple(JudgedRow, judged), row
