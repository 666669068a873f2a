"""A typed row against the rows already in its roster: the rules across rows that an import
applies to each row against the rows above it (``validation_tally``), applied to one row.

The same person in a live row that is paid (not rejected) rejects the typed row, naming the
first such row. Otherwise, when every cell of the typed row could be read, its account and
phone are compared with those of the roster's rows whose cells could all be read, as an
import compares them (``CrossRowChecks``: the same keys, severities and messages, a phone
shared within a household allowed): the typed row gets the finding, the earlier row a
warning. A stored row keeps its account and phone only where they differ from the
register's, so the others are the register's; a row not matched to the register has no
household on record.
"""

from __future__ import annotations

from array import array
from collections.abc import Mapping

from infra.eventcodec import EventCodec
from infra.eventstore.port import EventStore
from services.registry.domain import rule_codes as rc
from services.registry.domain.events import (
    RosterRow,
    RosterRowCorrected,
    RosterRowRemoved,
    RosterRowsImported,
)
from services.registry.domain.roster_rows import Finding
from services.registry.domain.validation_cross import CrossRowChecks
from services.registry.domain.validation_judge import JudgedRow
from services.registry.domain.validation_ports import RegisteredPerson
from services.registry.domain.validation_programme import ProgrammeRules

_REPEATED = rc.CITIZEN_ID_DUPLICATE.code


async def live_rows(
    store: EventStore, codec: EventCodec, roster_id: str, *, except_row: int
) -> dict[int, RosterRow]:
    """The roster's rows not removed, by row number, but ``except_row`` (the row typed)."""
    rows: dict[int, RosterRow] = {}
    for record in await store.read_stream(f"roster-{roster_id}"):
        event = codec.decode(record).event
        if isinstance(event, RosterRowsImported):
            rows.update((row.row_no, row) for row in event.rows)
        elif isinstance(event, RosterRowCorrected):
            rows[event.row.row_no] = event.row
        elif isinstance(event, RosterRowRemoved):
            rows.pop(event.row_no, None)
    rows.pop(except_row, None)
    return dict(sorted(rows.items()))


def against_the_roster(
    typed: JudgedRow,
    beneficiary_id: str | None,
    others: Mapping[int, RosterRow],
    people: Mapping[str, RegisteredPerson],
    programme: ProgrammeRules,
) -> tuple[tuple[Finding, ...], dict[int, tuple[str, ...]]]:
    """Every finding on the typed row, in the order an import gives them, and the warnings
    for rows already in the roster, by row number."""
    first = min(
        (
            row_no
            for row_no, row in others.items()
            if beneficiary_id and row.beneficiary_id == beneficiary_id and row.verdict != "rejected"
        ),
        default=None,
    )
    if first is not None:
        repeated = rc.CITIZEN_ID_DUPLICATE.finding(first=first)
        return (*typed.head, repeated, *typed.tail), {}
    if typed.citizen_key is None or typed.shared is None:
        return (*typed.head, *typed.tail), {}
    row_nos = array("q")
    cross = CrossRowChecks(
        line_of=row_nos,
        shared_account=programme.shared_account,
        shared_phone=programme.shared_phone,
    )
    for row_no, row in others.items():
        compared = _compared(row, people)
        if compared is not None:
            row_nos.append(row_no)
            cross.shared(len(row_nos) - 1, *compared, [])
    before = {ordinal: len(found) for ordinal, found in cross.late.items()}
    found: list[Finding] = []
    row_nos.append(typed.line_no)
    cross.shared(len(row_nos) - 1, *typed.shared, found)
    late = {
        row_nos[ordinal]: tuple(finding.rule for finding in warnings[before.get(ordinal, 0) :])
        for ordinal, warnings in cross.late.items()
        if len(warnings) > before.get(ordinal, 0)
    }
    return (*typed.head, *typed.tail, *found), late


def _compared(
    row: RosterRow, people: Mapping[str, RegisteredPerson]
) -> tuple[str, str, str] | None:
    """The account, phone and household an import compared for this row, or None when it
    compared none (a cell unreadable, no ID, or the same person as an earlier row)."""
    if row.amount_fen is None or _REPEATED in row.rules:
        return None
    person = people.get(row.beneficiary_id) if row.beneficiary_id else None
    if person is None and row.citizen_id is None:
        return None
    if row.card_account is not None:
        account = row.card_account.reveal()
    elif person is not None and person.card_account is not None:
        account = person.card_account
    else:
        return None
    phone = row.phone.reveal() if row.phone is not None else (person and person.phone) or ""
    return account, phone, person.household_id if person is not None else ""
