"""The rules across the rows of one roster, and the roster's counts (``RosterTally``).

The same person twice, one card account or phone for several people, amounts far above the
township median: these need the rows before (or all of them), so they run where the rows
come together, in roster order, after each row's own rules (``validation_judge``). Memory
is a few small entries per row, about 300 bytes (measured): dict entries for the ID, the
account and the phone, the amount for the median, the line number and the status.
"""

from __future__ import annotations

from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from services.registry.domain.roster_rows import Finding
from services.registry.domain.validation_cross import CrossRowChecks
from services.registry.domain.validation_judge import JudgedRow
from services.registry.domain.validation_programme import ProgrammeRules
from services.registry.domain.validation_warnings import MedianWatch

Status = Literal["accepted", "warned", "rejected"]
_ACCEPTED, _WARNED, _REJECTED = 0, 1, 2
_STATUS_NAMES: tuple[Status, Status, Status] = ("accepted", "warned", "rejected")


def _status_code(findings: Sequence[Finding]) -> int:
    if not findings:
        return _ACCEPTED
    if any(finding.severity == "reject" for finding in findings):
        return _REJECTED
    return _WARNED


def status_of(findings: Sequence[Finding]) -> Status:
    """A row's verdict: rejected by any rejecting finding, else warned by any, else accepted."""
    return _STATUS_NAMES[_status_code(findings)]


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


class RosterTally:
    """Rows are added in roster order as their ``RowJudge`` judged them; ``finish`` adds the
    warnings that need the whole roster (the earlier row of a shared account or phone, the
    median outliers) and the summary. ``finish`` only ever adds warnings: whether a row may
    be paid is settled when it is added, so rows can be stored as they pass."""

    def __init__(self, programme: ProgrammeRules) -> None:
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

    def add(self, judged: JudgedRow) -> tuple[tuple[Finding, ...], Status]:
        """Every finding on the row, in the order the rules run (its cells, the same person
        earlier, its person, a shared account or phone), and the row's status."""
        if self._outcome is not None:
            raise RuntimeError("the roster was already finished")
        line_no, head, tail, citizen_key, shared, amount_fen, village = judged
        ordinal = len(self._line_of)
        self._line_of.append(line_no)
        findings = head + tail if tail else head
        if citizen_key is not None:
            repeated = self._cross.repeated_id(ordinal, citizen_key)
            if repeated is not None:
                findings = (*head, repeated, *tail)
            elif shared is not None:
                found: list[Finding] = []
                self._cross.shared(ordinal, *shared, found)
                if found:
                    findings = (*findings, *found)
        status = _status_code(findings) if findings else _ACCEPTED
        self._status.append(status)
        self._counts[status] += 1
        if findings:
            by_rule = self._by_rule
            for finding in findings:
                by_rule[finding.rule] = by_rule.get(finding.rule, 0) + 1
        if status != _REJECTED and amount_fen is not None:
            self._payable_fen += amount_fen
            if village is not None:
                self._medians.add(village, ordinal, amount_fen)
        return findings, _STATUS_NAMES[status]

    def finish(self) -> RosterOutcome:
        """The late warnings and the summary; no row is added after this. Asked again, the
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
