"""The roster's lifecycle: drafted, filled by imports and corrections, submitted or withdrawn."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from contracts.events import RosterRowsSubmitted, RosterSubmitted
from contracts.pii import CardAccountNo, CitizenId
from contracts.refusals import Refused
from services.registry.domain.events import (
    RosterRow,
    RosterRowCorrected,
    RosterRowsImported,
    RosterValidated,
)
from services.registry.domain.roster import (
    ROWS_PER_EVENT,
    CorrectRow,
    DraftRoster,
    ImportRows,
    RemoveRow,
    Roster,
    RowState,
    WithdrawRoster,
    decide_correction,
    decide_draft,
    decide_import,
    decide_removal,
    decide_withdrawal,
    evolve,
    import_part,
    import_states,
    start_import,
)
from services.registry.domain.roster_submission import (
    Payee,
    SubmissionTerms,
    SubmitRoster,
    decide_submission,
)

DRAFT = DraftRoster("r-1", "GDDL", 1, "650102001", "2026-1")
TERMS = SubmissionTerms("耕地地力保护补贴", 5, False, "燕儿窝街道")


def row(row_no: int, verdict: str = "accepted", fen: int | None = 10_000, *rules: str) -> RosterRow:
    return RosterRow(
        row_no=row_no,
        line_no=row_no + 1,
        beneficiary_id=f"b-{row_no}",
        name="张三",
        amount_fen=fen,
        verdict=verdict,  # type: ignore[arg-type]
        rules=rules,
    )


def submit(*history: object, prepared_by: Iterable[str] = ("u-clerk",)) -> SubmitRoster:
    """The submission of the roster ``history`` made, every row's person in the register."""
    rows: dict[int, RosterRow] = {}
    for event in history:
        if isinstance(event, RosterRowsImported):
            rows.update((r.row_no, r) for r in event.rows)
        elif isinstance(event, RosterRowCorrected):
            rows[event.row.row_no] = event.row
    payees = {
        f"b-{n}": Payee(
            CitizenId("11010519491231002X"),
            "张三",
            "650102001001",
            "ABC",
            CardAccountNo("6217000012345678907"),
        )
        for n in rows
    }
    return SubmitRoster("r-1", TERMS, rows, payees, tuple(prepared_by))


def given(*events: object) -> Roster | None:
    state: Roster | None = None
    for event in events:
        state = evolve(state, event)
    return state


def drafted() -> list[object]:
    return list(decide_draft(DRAFT, None))


def imported(rows: Iterable[RosterRow], import_id: str = "i-1") -> list[object]:
    state = given(*drafted())
    return [*drafted(), *decide_import(ImportRows("r-1", import_id, list(rows)), state)]


def test_drafting_again_with_the_same_header_is_already_done() -> None:
    assert decide_draft(DRAFT, given(*drafted())) == []


def test_a_roster_id_cannot_be_reused_for_another_township() -> None:
    other = DraftRoster("r-1", "GDDL", 1, "650102002", "2026-1")
    with pytest.raises(Refused) as refused:
        decide_draft(other, given(*drafted()))
    assert refused.value.code == "roster_id_in_use"


def test_an_import_is_split_into_parts_and_closed_by_its_summary() -> None:
    rows = [row(n) for n in range(1, ROWS_PER_EVENT + 2)]
    rows[3] = row(4, "rejected", None, "citizen_id_check_digit")
    events = decide_import(
        ImportRows("r-1", "i-1", rows, file_name="清册.xlsx", content_hash="ab" * 32),
        given(*drafted()),
    )
    parts = [e for e in events if isinstance(e, RosterRowsImported)]
    (summary,) = [e for e in events if isinstance(e, RosterValidated)]
    assert [len(p.rows) for p in parts] == [ROWS_PER_EVENT, 1]
    assert (summary.rows, summary.accepted, summary.rejected) == (ROWS_PER_EVENT + 1, 1000, 1)
    assert summary.by_rule == {"citizen_id_check_digit": 1}
    assert summary.payable_fen == 1000 * 10_000
    assert summary.content_hash == "ab" * 32


def test_late_warnings_turn_accepted_rows_into_warned_ones() -> None:
    events = decide_import(
        ImportRows("r-1", "i-1", [row(1), row(2)], late={2: ("shared_phone",)}),
        given(*drafted()),
    )
    summary = events[-1]
    assert isinstance(summary, RosterValidated)
    assert (summary.accepted, summary.warned, summary.by_rule) == (1, 1, {"shared_phone": 1})
    state = given(*drafted(), *events)
    assert state is not None
    assert state.rows[2].verdict == "warned"


def test_deciding_an_import_leaves_the_given_state_untouched() -> None:
    state = given(*drafted())
    assert state is not None
    decide_import(ImportRows("r-1", "i-1", [row(1)]), state)
    assert state.rows == {}
    assert state.imports == set()


def test_the_same_import_again_changes_nothing() -> None:
    history = imported([row(1)])
    assert decide_import(ImportRows("r-1", "i-1", [row(1)]), given(*history)) == []


def test_an_import_cannot_take_a_row_number_already_in_the_roster() -> None:
    with pytest.raises(Refused) as refused:
        decide_import(ImportRows("r-1", "i-2", [row(1)]), given(*imported([row(1)])))
    assert refused.value.code == "roster_row_taken"


def test_a_part_known_by_its_row_states_evolves_the_roster_as_the_part_itself() -> None:
    rows = [row(1), row(2, "rejected", None, "citizen_id_check_digit")]
    by_event = start_import(given(*drafted()), "i-1")
    by_states = start_import(given(*drafted()), "i-1")
    assert by_event is not None
    assert by_states is not None
    evolve(by_event, import_part(by_event, "i-1", 0, rows))
    import_states(by_states, "i-1", {r.row_no: RowState.of(r) for r in rows})
    assert by_states == by_event
    assert start_import(by_states, "i-1") is None  # the import is in the roster now


def test_a_part_known_by_its_row_states_cannot_take_a_row_number_already_used() -> None:
    state = given(
        *imported([row(1), row(2)]),
        *decide_removal(RemoveRow("r-1", 2, "重复"), given(*imported([row(1), row(2)]))),
    )
    assert state is not None
    for taken in (1, 2):
        with pytest.raises(Refused) as refused:
            import_states(state, "i-2", {taken: RowState("accepted", 100, ())})
        assert refused.value.code == "roster_row_taken"


def test_a_roster_with_a_rejected_row_cannot_be_submitted() -> None:
    history = imported([row(1), row(2, "rejected", None, "unknown_person")])
    with pytest.raises(Refused) as refused:
        decide_submission(submit(*history), given(*history))
    assert refused.value.code == "roster_has_rejected_rows"


def test_correcting_the_rejected_row_lets_the_roster_be_submitted_with_exact_totals() -> None:
    history = imported([row(1, fen=12_345), row(2, "rejected", None, "unknown_person")])
    fixed = decide_correction(CorrectRow("r-1", row(2, fen=1), "身份证号录错"), given(*history))
    summary = fixed[-1]
    assert isinstance(summary, RosterValidated)
    assert (summary.rejected, summary.payable_fen) == (0, 12_346)
    *_, submitted = decide_submission(submit(*history, *fixed), given(*history, *fixed))
    assert submitted == RosterSubmitted(
        roster_id="r-1",
        programme_code="GDDL",
        township_code="650102001",
        round_id="2026-1",
        row_count=2,
        total_fen=12_346,
        submission_no=1,
        programme_version=1,
        programme_name="耕地地力保护补贴",
        notice_working_days=5,
        confidential=False,
        township_name="燕儿窝街道",
        parts=1,
        prepared_by=("u-clerk",),
    )


def test_warned_rows_are_payable_and_counted() -> None:
    history = imported([row(1), row(2, "warned", 500, "amount_far_above_median")])
    part, submitted = decide_submission(submit(*history), given(*history))
    assert (submitted.row_count, submitted.total_fen) == (2, 10_500)
    assert isinstance(part, RosterRowsSubmitted)
    assert [r.warnings for r in part.rows] == [(), ("amount_far_above_median",)]


def test_a_removed_row_leaves_the_roster_and_its_number_is_never_reused() -> None:
    history = imported([row(1), row(2, "rejected", None, "deceased")])
    removed = decide_removal(RemoveRow("r-1", 2, "已故"), given(*history))
    state = given(*history, *removed)
    assert state is not None
    assert (sorted(state.rows), state.next_row_no) == ([1], 3)
    part, submitted = decide_submission(submit(*history, *removed), state)
    assert submitted.row_count == 1
    assert isinstance(part, RosterRowsSubmitted)
    assert [r.row_no for r in part.rows] == [1]


def test_nothing_changes_a_submitted_roster() -> None:
    history = imported([row(1)])
    submitted = decide_submission(submit(*history), given(*history))
    state = given(*history, *submitted)
    assert decide_submission(submit(*history), state) == []
    with pytest.raises(Refused) as refused:
        decide_import(ImportRows("r-1", "i-2", [row(2)]), state)
    assert refused.value.code == "roster_already_submitted"
    with pytest.raises(Refused):
        decide_withdrawal(WithdrawRoster("r-1", "重复"), state)


def test_a_withdrawn_roster_takes_no_rows_and_cannot_be_submitted() -> None:
    history = imported([row(1)])
    withdrawn = decide_withdrawal(WithdrawRoster("r-1", "政策调整"), given(*history))
    state = given(*history, *withdrawn)
    assert decide_withdrawal(WithdrawRoster("r-1", "政策调整"), state) == []
    with pytest.raises(Refused) as refused:
        decide_submission(submit(*history), state)
    assert refused.value.code == "roster_withdrawn"


def test_an_empty_roster_cannot_be_submitted() -> None:
    with pytest.raises(Refused) as refused:
        decide_submission(submit(), given(*drafted()))
    assert refused.value.code == "roster_has_no_rows"
