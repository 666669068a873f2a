"""Automatic validation of a roster (发放清册自动校验, 003 §4(2), 004 art.30), in one pass.

``RosterValidator.feed`` judges each row as it streams in and returns its verdict at once;
``finish`` adds the warnings that need the whole roster (the earlier row of a shared account
or phone, amounts far above the township median) and the summary. ``finish`` only ever adds
warnings: whether a row may be paid is settled when it is fed, so rows can be stored as they
pass. Memory is a few small entries per row, about 300 bytes (measured): dict entries for
the ID, the account and the phone, the amount for the median, the line number and verdict.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal, NamedTuple

from services.registry.domain import rule_codes as rc
from services.registry.domain.roster_rows import Column, Finding, RosterLine
from services.registry.domain.validation_cross import CrossRowChecks
from services.registry.domain.validation_ports import (
    CrossCheckLists,
    OtherRosters,
    Register,
)
from services.registry.domain.validation_programme import ProgrammeRules
from services.registry.domain.validation_register import ListChecks, check_person
from services.registry.domain.validation_rows import ParsedRow, RowReader, new_tuple
from services.registry.domain.validation_warnings import MedianWatch, RowWarnings

Status = Literal["accepted", "warned", "rejected"]
_ACCEPTED, _WARNED, _REJECTED = 0, 1, 2
_NAME = Column.NAME
_STATUS_NAMES: tuple[Status, Status, Status] = ("accepted", "warned", "rejected")


def _status_code(findings: Sequence[Finding]) -> int:
    if not findings:
        return _ACCEPTED
    if any(finding.severity == "reject" for finding in findings):
        return _REJECTED
    return _WARNED


class RowVerdict(NamedTuple):
    """The findings on one row; ``row`` is None when a cell could not be read at all.

    A named tuple, not a frozen dataclass: one is made per row, and it is five times cheaper.
    """

    line_no: int
    findings: tuple[Finding, ...]
    row: ParsedRow | None

    @property
    def status(self) -> Status:
        return _STATUS_NAMES[_status_code(self.findings)]

    def with_late(self, late: Sequence[Finding]) -> RowVerdict:
        """This verdict with the warnings ``finish`` added for its line."""
        return self._replace(findings=(*self.findings, *late)) if late else self


@dataclass(frozen=True, slots=True)
class RosterSummary:
    """Rows per verdict and per rule code, and the total payable (accepted + warned) in fen."""

    rows: int
    accepted: int
    warned: int
    rejected: int
    by_rule: Mapping[str, int]
    payable_fen: int


@dataclass(frozen=True, slots=True)
class RosterOutcome:
    """What ``finish`` adds: late warnings by line number, and the summary of the roster."""

    late: Mapping[int, tuple[Finding, ...]]
    summary: RosterSummary


class RosterValidator:
    """Validates the rows of one roster against one programme, the register, the other
    rosters of the round and the cross-check lists. ``today`` is the caller's clock."""

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
        self._medians = MedianWatch(programme.warnings)
        self._line_of = array("q")
        self._status = bytearray()
        self._cross = CrossRowChecks(
            line_of=self._line_of,
            shared_account=programme.shared_account,
            shared_phone=programme.shared_phone,
        )
        self._counts = [0, 0, 0]
        self._by_rule: dict[str, int] = {}
        self._payable_fen = 0
        self._outcome: RosterOutcome | None = None

    def feed(self, line: RosterLine) -> RowVerdict:
        """The verdict on one row; rows are fed in roster order."""
        if self._outcome is not None:
            raise RuntimeError("the roster was already finished")
        ordinal = len(self._line_of)
        self._line_of.append(line.line_no)
        findings, citizen_id, born, account, row = self._reader.read(line)
        person = None
        if citizen_id is not None and born is not None:
            # The rules about the person: this roster, the register, the other rosters of
            # the round, the cross-check lists, the warnings. Inline: a million rows pass.
            person = self._register.person(citizen_id)
            repeated = self._cross.repeated_id(ordinal, citizen_id)
            if repeated is not None:
                findings.append(repeated)
            check_person(person, findings, line.cells.get(_NAME, ""), account)
            other_roster = self._other_rosters.contains(citizen_id)
            if other_roster is not None:
                findings.append(rc.DUPLICATE_BENEFIT.finding(roster=other_roster))
            kinds = self._lists.kinds_of(citizen_id)
            if kinds:
                self._list_checks.check(kinds, findings)
            quantity = None if row is None else row.quantity
            self._warnings.check(born, person, account, quantity, findings)
            if row is not None and repeated is None:
                household = row.household if person is None else person.household_id
                phone = row.phone or (person.phone if person and person.phone else "")
                self._cross.shared(ordinal, row.card_account, phone, household, findings)
        status = _status_code(findings) if findings else _ACCEPTED
        self._status.append(status)
        self._counts[status] += 1
        if findings:
            by_rule = self._by_rule
            for finding in findings:
                by_rule[finding.rule] = by_rule.get(finding.rule, 0) + 1
        if status != _REJECTED and row is not None:
            self._payable_fen += row.amount_fen
            if person is not None:
                self._medians.add(person.village_code, ordinal, row.amount_fen)
        return new_tuple(RowVerdict, (line.line_no, tuple(findings) if findings else (), row))

    def finish(self) -> RosterOutcome:
        """The late warnings and the summary; no row is fed after this. Asked again, the
        same outcome."""
        if self._outcome is None:
            self._outcome = self._conclude()
        return self._outcome

    def _conclude(self) -> RosterOutcome:
        late: dict[int, list[Finding]] = {o: list(f) for o, f in self._cross.late.items()}
        for ordinal, finding in self._medians.outliers():
            late.setdefault(ordinal, []).append(finding)
        by_line: dict[int, tuple[Finding, ...]] = {}
        for ordinal, findings in sorted(late.items()):
            if self._status[ordinal] == _ACCEPTED:
                self._status[ordinal] = _WARNED
                self._counts[_ACCEPTED] -= 1
                self._counts[_WARNED] += 1
            for finding in findings:
                self._by_rule[finding.rule] = self._by_rule.get(finding.rule, 0) + 1
            line_no = self._line_of[ordinal]
            by_line[line_no] = (*by_line.get(line_no, ()), *findings)
        return RosterOutcome(by_line, self._summary())

    def _summary(self) -> RosterSummary:
        accepted, warned, rejected = self._counts
        return RosterSummary(
            rows=len(self._line_of),
            accepted=accepted,
            warned=warned,
            rejected=rejected,
            by_rule=dict(sorted(self._by_rule.items())),
            payable_fen=self._payable_fen,
        )


def validate_all(
    lines: Iterable[RosterLine], validator: RosterValidator
) -> tuple[list[RowVerdict], RosterSummary]:
    """Every verdict with its late warnings merged in: for small rosters and tests (a
    million-row roster should store verdicts as ``feed`` returns them)."""
    verdicts = [validator.feed(line) for line in lines]
    outcome = validator.finish()
    merged = [verdict.with_late(outcome.late.get(verdict.line_no, ())) for verdict in verdicts]
    return merged, outcome.summary
