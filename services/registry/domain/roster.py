"""The roster (发放清册) as a decider: drafted, filled by imports and corrections (each
validated), then submitted for public notice (``roster_submission``) or withdrawn; a roster
sent back or halted on its notice is returned to its makers (``roster_returns``).

A roster belongs to one programme (at the catalogue version it is paid under), one township
and one round. Rows are decided elsewhere (``validation``) and arrive here with their
verdicts; this decider keeps the roster's lifecycle honest: no rows after submission, no
submission with a rejected row or without any payable row, no second import of one file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Final, Literal

from contracts.events import RosterSubmitted
from services.registry.domain import roster_refusals as refuse
from services.registry.domain import rule_codes as rc
from services.registry.domain.events import (
    RosterDrafted,
    RosterReturned,
    RosterRow,
    RosterRowCorrected,
    RosterRowRemoved,
    RosterRowsFlagged,
    RosterRowsImported,
    RosterValidated,
    RosterWithdrawn,
)

RosterStatus = Literal["draft", "submitted", "returned", "withdrawn"]
"""``returned``: sent back by approval or halted on its notice, open for corrections again."""
ROWS_PER_EVENT = 1000
"""Rows per ``RosterRowsImported``: small enough events, few enough of them."""


@dataclass(frozen=True, slots=True)
class DraftRoster:
    roster_id: str
    programme_code: str
    programme_version: int
    township_code: str
    round_id: str


@dataclass(frozen=True, slots=True)
class ImportRows:
    """Add validated rows (a file's, or typed in) as one import. ``late`` holds the warnings
    validation could only give at the end, by row number. ``content_hash`` names the file;
    the application has claimed it for this roster before."""

    roster_id: str
    import_id: str
    rows: Sequence[RosterRow]
    late: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    file_name: str | None = None
    content_hash: str | None = None


@dataclass(frozen=True, slots=True)
class CorrectRow:
    """Replace a row with the clerk's corrected one. ``late`` holds the warnings the
    corrected row gives rows already in the roster (a shared account or phone), by row
    number, as an import's late warnings."""

    roster_id: str
    row: RosterRow
    reason: str
    late: Mapping[int, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RemoveRow:
    roster_id: str
    row_no: int
    reason: str


@dataclass(frozen=True, slots=True)
class WithdrawRoster:
    roster_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class RowState:
    verdict: str
    amount_fen: int | None
    rules: tuple[str, ...]

    @classmethod
    def of(cls, row: RosterRow) -> RowState:
        return cls(row.verdict, row.amount_fen, row.rules)


@dataclass(slots=True)
class Roster:
    """What the rules need: the header, the lifecycle, each line's verdict and amount, and
    the imports already applied (a retried import is a no-op)."""

    roster_id: str
    programme_code: str
    programme_version: int
    township_code: str
    round_id: str
    status: RosterStatus = "draft"
    rows: dict[int, RowState] = field(default_factory=dict)
    """By row number."""
    imports: set[str] = field(default_factory=set)
    removed: set[int] = field(default_factory=set)
    submissions: int = 0
    """The number of the last submission (0: never submitted)."""
    last_return: RosterReturned | None = None
    """Why the roster is ``returned``, until it is submitted again."""

    def copy(self) -> Roster:
        return replace(
            self, rows=dict(self.rows), imports=set(self.imports), removed=set(self.removed)
        )

    @property
    def next_row_no(self) -> int:
        """Row numbers are never reused, not even a removed row's."""
        return max(max(self.rows, default=0), max(self.removed, default=0)) + 1

    @property
    def payable_fen(self) -> int:
        return sum(row.amount_fen or 0 for row in self.rows.values() if row.verdict != "rejected")

    @property
    def rejected(self) -> int:
        return sum(1 for row in self.rows.values() if row.verdict == "rejected")


def evolve(state: Roster | None, event: object) -> Roster | None:
    if isinstance(event, RosterDrafted):
        return Roster(
            event.roster_id,
            event.programme_code,
            event.programme_version,
            event.township_code,
            event.round_id,
        )
    if state is None:
        return None
    if isinstance(event, RosterRowsImported):
        state.imports.add(event.import_id)
        for row in event.rows:
            state.rows[row.row_no] = RowState.of(row)
    elif isinstance(event, RosterRowsFlagged):
        state.rows.update(_flagged(state.rows, event.flags))
    elif isinstance(event, RosterRowCorrected):
        state.rows[event.row.row_no] = RowState.of(event.row)
    elif isinstance(event, RosterRowRemoved):
        state.rows.pop(event.row_no, None)
        state.removed.add(event.row_no)
    elif isinstance(event, RosterSubmitted):
        state.status, state.submissions, state.last_return = "submitted", event.submission_no, None
    elif isinstance(event, RosterReturned):
        state.status, state.last_return = "returned", event
        state.rows.update(_returned(state.rows, event))
    elif isinstance(event, RosterWithdrawn):
        state.status = "withdrawn"
    return state


def decide_draft(command: DraftRoster, state: Roster | None) -> list[RosterDrafted]:
    if state is not None:
        same = (state.programme_code, state.township_code, state.round_id) == (
            command.programme_code,
            command.township_code,
            command.round_id,
        )
        if same:
            return []
        raise refuse.roster_exists()
    if len(command.township_code) != 9 or not command.township_code.isdigit():
        raise refuse.invalid_township()
    return [
        RosterDrafted(
            roster_id=command.roster_id,
            programme_code=command.programme_code,
            programme_version=command.programme_version,
            township_code=command.township_code,
            round_id=command.round_id,
        )
    ]


def decide_import(
    command: ImportRows, state: Roster | None
) -> list[RosterRowsImported | RosterRowsFlagged | RosterValidated]:
    """The rows in parts of ``ROWS_PER_EVENT``, the late warnings, then the summary; [] for
    a retried import. A large file goes through the three steps below one part at a time."""
    started = start_import(state, command.import_id)
    if started is None:
        return []
    roster = started.copy()  # evolved part by part below; the caller's state stays as it was
    if not command.rows:
        raise refuse.no_rows()
    events: list[RosterRowsImported | RosterRowsFlagged | RosterValidated] = []
    for n, start in enumerate(range(0, len(command.rows), ROWS_PER_EVENT)):
        part = import_part(
            roster, command.import_id, n, command.rows[start : start + ROWS_PER_EVENT]
        )
        evolve(roster, part)
        events.append(part)
    events += close_import(
        roster,
        command.import_id,
        command.late,
        file_name=command.file_name,
        content_hash=command.content_hash,
    )
    return events


def start_import(state: Roster | None, import_id: str) -> Roster | None:
    """The roster an import may add rows to, or None when this import is already in it."""
    roster = open_draft(state)
    return None if import_id in roster.imports else roster


def import_part(
    roster: Roster, import_id: str, part: int, rows: Iterable[RosterRow]
) -> RosterRowsImported:
    """One part of an import; the caller evolves ``roster`` with it before the next part."""
    rows = tuple(rows)
    taken = [
        row.row_no for row in rows if row.row_no in roster.rows or row.row_no in roster.removed
    ]
    if taken:
        raise refuse.rows_taken(taken[0])
    return RosterRowsImported(roster_id=roster.roster_id, import_id=import_id, part=part, rows=rows)


def import_states(roster: Roster, import_id: str, states: Mapping[int, RowState]) -> None:
    """Evolve ``roster`` with one part of an import known by its rows' states: what
    ``import_part`` checks and ``evolve`` applies for a ``RosterRowsImported``, for an
    importer that encodes its rows itself (``application.import_roster``)."""
    taken = sorted(states.keys() & roster.rows.keys() | states.keys() & roster.removed)
    if taken:
        raise refuse.rows_taken(taken[0])
    roster.imports.add(import_id)
    roster.rows.update(states)


def supersede(
    roster: Roster, import_id: str, replaced: Mapping[int, int]
) -> list[RosterRowRemoved]:
    """The rejected rows that an import's rows replace (new row → the ``清册行号`` it names,
    from a downloaded file of rows to fix). Naming a row that is not rejected, or one that
    another row of the import already replaces, is refused: nothing is replaced silently."""
    removed: list[RosterRowRemoved] = []
    for new, old in sorted(replaced.items()):
        row = roster.rows.get(old)
        if row is None or row.verdict != "rejected" or old in {r.row_no for r in removed}:
            raise refuse.not_replaceable(old)
        event = RosterRowRemoved(
            roster_id=roster.roster_id, row_no=old, reason=f"由第{new}行（导入 {import_id}）更正"
        )
        removed.append(event)
    for event in removed:
        evolve(roster, event)
    return removed


def close_import(
    roster: Roster,
    import_id: str,
    late: Mapping[int, tuple[str, ...]],
    *,
    file_name: str | None,
    content_hash: str | None,
) -> list[RosterRowsFlagged | RosterValidated]:
    """After the last part (``roster`` evolved with every part): late warnings, summary."""
    closing: list[RosterRowsFlagged | RosterValidated] = []
    lines = roster.rows
    if late:
        flagged = RosterRowsFlagged(
            roster_id=roster.roster_id, import_id=import_id, flags=dict(late)
        )
        closing.append(flagged)
        lines = {**lines, **_flagged(lines, flagged.flags)}
    summary = _summary(roster.roster_id, lines, import_id)
    closing.append(
        summary.model_copy(update={"file_name": file_name, "content_hash": content_hash})
    )
    return closing


def _flagged(
    rows: Mapping[int, RowState], flags: Mapping[int, tuple[str, ...]]
) -> dict[int, RowState]:
    changed = {}
    for row_no, rules in flags.items():
        row = rows.get(row_no)
        if row is not None:
            verdict = "warned" if row.verdict == "accepted" else row.verdict
            changed[row_no] = RowState(verdict, row.amount_fen, (*row.rules, *rules))
    return changed


RETURN_RULES: Final = {"approval": rc.RETURNED_BY_APPROVAL, "objection": rc.OBJECTION_UPHELD}
"""The rule a returned row is flagged with, by who returned it."""


def _returned(rows: Mapping[int, RowState], event: RosterReturned) -> dict[int, RowState]:
    """The rows a return names, rejected under its rule until corrected or removed."""
    code = RETURN_RULES[event.by].code
    changed = {}
    for row_no in event.row_nos:
        row = rows.get(row_no)
        if row is not None:
            changed[row_no] = RowState("rejected", row.amount_fen, (*row.rules, code))
    return changed


def decide_correction(
    command: CorrectRow, state: Roster | None
) -> list[RosterRowCorrected | RosterRowsFlagged | RosterValidated]:
    roster = open_draft(state)
    row_no = command.row.row_no
    if row_no not in roster.rows:
        raise refuse.no_such_row(row_no)
    events: list[RosterRowCorrected | RosterRowsFlagged | RosterValidated] = [
        RosterRowCorrected(roster_id=roster.roster_id, row=command.row, reason=command.reason)
    ]
    lines = {**roster.rows, row_no: RowState.of(command.row)}
    if command.late:
        flags = {n: rules for n, rules in command.late.items() if n != row_no}
        flagged = RosterRowsFlagged(
            roster_id=roster.roster_id, import_id=f"row-{row_no}", flags=flags
        )
        events.append(flagged)
        lines = {**lines, **_flagged(lines, flags)}
    events.append(_summary(roster.roster_id, lines, f"row-{row_no}"))
    return events


def decide_removal(
    command: RemoveRow, state: Roster | None
) -> list[RosterRowRemoved | RosterValidated]:
    roster = open_draft(state)
    if command.row_no not in roster.rows:
        raise refuse.no_such_row(command.row_no)
    removed = RosterRowRemoved(
        roster_id=roster.roster_id, row_no=command.row_no, reason=command.reason
    )
    lines = {n: row for n, row in roster.rows.items() if n != command.row_no}
    return [removed, _summary(roster.roster_id, lines, f"row-{command.row_no}")]


def decide_withdrawal(command: WithdrawRoster, state: Roster | None) -> list[RosterWithdrawn]:
    if state is not None and state.status == "withdrawn":
        return []
    roster = open_draft(state)
    return [RosterWithdrawn(roster_id=roster.roster_id, reason=command.reason)]


def open_draft(state: Roster | None) -> Roster:
    """The roster its makers may change: drafted, or returned to them, and not withdrawn."""
    if state is None:
        raise refuse.no_such_roster()
    if state.status == "submitted":
        raise refuse.roster_submitted()
    if state.status == "withdrawn":
        raise refuse.roster_withdrawn()
    return state


def _summary(roster_id: str, lines: dict[int, RowState], import_id: str) -> RosterValidated:
    """Counts over every line of the roster: per verdict, per rule, and the payable total."""
    by_rule: dict[str, int] = {}
    counts = {"accepted": 0, "warned": 0, "rejected": 0}
    payable = 0
    for line in lines.values():
        counts[line.verdict] += 1
        if line.verdict != "rejected":
            payable += line.amount_fen or 0
        for rule in line.rules:
            by_rule[rule] = by_rule.get(rule, 0) + 1
    return RosterValidated(
        roster_id=roster_id,
        import_id=import_id,
        rows=len(lines),
        by_rule=dict(sorted(by_rule.items())),
        payable_fen=payable,
        **counts,
    )
