"""Rules across the rows of one roster: the same person twice, and several beneficiaries on
one card account or one phone number.

State is one small dict entry per ID, account and phone, keyed by integers (a 17-digit int
takes half the memory of the 18-character string), valued by the row's ordinal (its place
in the roster, shared by the three dicts). Account and phone keys are ``int("1" + digits)``:
the leading 1 keeps leading zeros apart. The later row of a pair gets the finding when it
arrives; the earlier row, already judged, gets a warning at the end (``late``).
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from typing import Literal

from services.registry.domain import rule_codes as rc
from services.registry.domain.roster_rows import Finding, Severity
from services.registry.domain.validation_programme import ListAction

_MIN_PHONE_DIGITS = 7
"""Shorter phones are placeholders (``0``, ``无``), not numbers to compare."""


class CrossRowChecks:
    """``line_of`` maps an ordinal to its line number (the validator's own array)."""

    def __init__(
        self,
        *,
        line_of: Sequence[int],
        shared_account: Literal["reject", "warn"],
        shared_phone: ListAction,
    ) -> None:
        self._line_of = line_of
        self._account_severity = shared_account
        self._phone_severity: Severity | None = None if shared_phone == "ignore" else shared_phone
        self._first_with_id: dict[int, int] = {}
        self._first_with_account: dict[int, int] = {}
        self._first_with_phone: dict[int, int] = {}
        self._household_hashes = array("q")
        """By ordinal, the hash of the row's household (0: none), to tell a family sharing
        a phone from strangers. Eight bytes a row instead of a tuple of fifty-six; equal
        hashes of different households (odds 2⁻⁶⁴) would only hide a warning."""
        self.late: dict[int, list[Finding]] = {}
        """Warnings for earlier rows, by ordinal: at most one per rule and row."""

    def repeated_id(self, ordinal: int, citizen_key: int) -> Finding | None:
        """The same person earlier in the roster (``citizen_key``: the first 17 digits of
        the ID): this row is rejected, naming the first."""
        first = self._first_with_id.setdefault(citizen_key, ordinal)
        if first == ordinal:
            return None
        return rc.CITIZEN_ID_DUPLICATE.finding(first=self._line_of[first])

    def shared(
        self, ordinal: int, account: str, phone: str, household: str, findings: list[Finding]
    ) -> None:
        """Another person earlier on this account or phone (of another household)."""
        first = self._first_with_account.setdefault(int("1" + account), ordinal)
        if first != ordinal:
            findings.append(self._pair(rc.ACCOUNT_SHARED, first, ordinal, self._account_severity))
        if not phone or self._phone_severity is None:
            return
        digits = phone if phone.isdigit() else "".join(c for c in phone if c.isdigit())
        if len(digits) < _MIN_PHONE_DIGITS or not digits.isascii():
            return
        household_hash = hash(household) if household else 0
        hashes = self._household_hashes
        if len(hashes) < ordinal:
            hashes.frombytes(bytes(hashes.itemsize * (ordinal - len(hashes))))
        hashes.append(household_hash)
        first = self._first_with_phone.setdefault(int("1" + digits), ordinal)
        if first != ordinal and (not household_hash or household_hash != hashes[first]):
            findings.append(self._pair(rc.PHONE_SHARED, first, ordinal, self._phone_severity))

    def _pair(self, rule: rc.Rule, first: int, ordinal: int, severity: Severity) -> Finding:
        earlier = self.late.setdefault(first, [])
        if all(finding.rule != rule.code for finding in earlier):
            earlier.append(rule.finding("warn", other=self._line_of[ordinal]))
        return rule.finding(severity, other=self._line_of[first])
