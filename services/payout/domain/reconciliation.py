"""Reconciliation with an agent bank (对账, 002 §2(2) item 4): the payout's statement of a bank
and period compared, instruction by instruction, with the bank's statement file. Pure.

Periods are China's calendar months and years. An instruction is on our statement of a period
when its definite status dates in it: ``succeeded`` by the bank's value date, ``rejected`` by
the day the rejection was recorded, ``returned`` (its row went back to the treasury) by the
day of the return. Mismatches, each with its row:

- ``not_recorded``: the bank lists it paid and we have no success for it, or it names no
  instruction of ours at all;
- ``not_on_statement``: on our statement of the period, absent from the bank's;
- ``status_differs``, ``amount_differs``, ``reference_differs`` (of two successes).

A bank line whose instruction we hold with the same status but dated in another period is no
mismatch (an answer recorded a day after the bank's month end).
"""

from __future__ import annotations

import calendar
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from contracts.refusals import Refused
from services.payout.domain.bank_file_layouts import StatementLine
from services.payout.domain.reconciliation_events import (
    MismatchKind,
    OurStatus,
    PeriodKind,
    StatementFigures,
    StatementMismatch,
)

_PERIOD: Final = re.compile(r"(\d{4})(?:-(\d{2}))?")


@dataclass(frozen=True, slots=True)
class Period:
    kind: PeriodKind
    first: date
    last: date

    @property
    def label(self) -> str:
        return f"{self.first:%Y-%m}" if self.kind == "month" else f"{self.first:%Y}"

    def holds(self, day: date | None) -> bool:
        return day is not None and self.first <= day <= self.last


def period_of(text: str) -> Period:
    """``2025-10`` (a month) or ``2025`` (a year); ``Refused`` for anything else."""
    found = _PERIOD.fullmatch(text)
    month = int(found.group(2)) if found and found.group(2) else None
    if (
        found is None
        or not 2000 <= int(found.group(1)) <= 2999
        or month not in (None, *range(1, 13))
    ):
        raise Refused("payout_period_invalid", f"对账期间“{text}”应写作 2025-10（月）或 2025（年）")
    year = int(found.group(1))
    if month is None:
        return Period("year", date(year, 1, 1), date(year, 12, 31))
    return Period(
        "month", date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    )


@dataclass(frozen=True, slots=True)
class Entry:
    """One instruction of the bank as the payout recorded it."""

    instruction_id: str
    roster_id: str
    row_no: int
    amount_fen: int
    instructed_on: date | None
    status: OurStatus
    status_on: date | None
    """When the definite status came about (None while pending or unknown)."""
    bank_reference: str | None = None


@dataclass(frozen=True, slots=True)
class Reconciled:
    ours: StatementFigures
    bank: StatementFigures
    mismatches: tuple[StatementMismatch, ...]

    @property
    def kinds(self) -> tuple[tuple[MismatchKind, int], ...]:
        return tuple(sorted(Counter(m.kind for m in self.mismatches).items()))


def reconcile(
    period: Period, entries: Iterable[Entry], lines: Sequence[StatementLine]
) -> Reconciled:
    """Compare the bank's ``lines`` with ``entries`` (those dated in the period, and those the
    lines name, whenever dated)."""
    by_id = {entry.instruction_id: entry for entry in entries}
    mismatches = [m for line in lines for m in _compare(line, by_id.get(line.instruction_id))]
    listed = {line.instruction_id for line in lines}
    ours = [e for e in by_id.values() if _definite(e) and period.holds(e.status_on)]
    mismatches += [
        _mismatch("not_on_statement", entry, None)
        for entry in ours
        if entry.instruction_id not in listed
    ]
    return Reconciled(
        _our_figures(period, by_id.values(), ours), _bank_figures(lines), tuple(mismatches)
    )


def _compare(line: StatementLine, entry: Entry | None) -> list[StatementMismatch]:
    if entry is None or (line.status == "succeeded" and entry.status != "succeeded"):
        return [_mismatch("not_recorded", entry, line)]
    found: list[StatementMismatch] = []
    if entry.status != line.status:
        found.append(_mismatch("status_differs", entry, line))
    if entry.amount_fen != line.amount_fen:
        found.append(_mismatch("amount_differs", entry, line))
    if entry.status == line.status == "succeeded" and entry.bank_reference != line.bank_reference:
        found.append(_mismatch("reference_differs", entry, line))
    return found


def _mismatch(
    kind: MismatchKind, entry: Entry | None, line: StatementLine | None
) -> StatementMismatch:
    instruction_id = entry.instruction_id if entry else line.instruction_id if line else ""
    return StatementMismatch(
        kind=kind,
        instruction_id=instruction_id,
        roster_id=entry.roster_id if entry else None,
        row_no=entry.row_no if entry else None,
        line_no=line.line_no if line else None,
        ours_status=entry.status if entry else None,
        bank_status=line.status if line else None,
        ours_fen=entry.amount_fen if entry else None,
        bank_fen=line.amount_fen if line else None,
        ours_reference=entry.bank_reference if entry else None,
        bank_reference=line.bank_reference if line else None,
    )


def _definite(entry: Entry) -> bool:
    return entry.status in ("succeeded", "rejected", "returned")


def _open_at_end(period: Period, entry: Entry) -> bool:
    """Issued by the period's end and without a definite answer then."""
    if entry.instructed_on is None or entry.instructed_on > period.last:
        return False
    return not _definite(entry) or entry.status_on is None or entry.status_on > period.last


def _our_figures(
    period: Period, entries: Iterable[Entry], ours: Sequence[Entry]
) -> StatementFigures:
    sums: Counter[str] = Counter()
    for entry in entries:
        if period.holds(entry.instructed_on):
            sums["sent_rows"] += 1
            sums["sent_fen"] += entry.amount_fen
        if _open_at_end(period, entry):
            sums["open_rows"] += 1
            sums["open_fen"] += entry.amount_fen
    for entry in ours:
        sums[f"{entry.status}_rows"] += 1
        sums[f"{entry.status}_fen"] += entry.amount_fen
    return StatementFigures(**sums)


def _bank_figures(lines: Sequence[StatementLine]) -> StatementFigures:
    sums: Counter[str] = Counter()
    for line in lines:
        sums[f"{line.status}_rows"] += 1
        sums[f"{line.status}_fen"] += line.amount_fen
    return StatementFigures(**sums)
