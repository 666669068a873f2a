"""The statement entries: each instruction with the days (in China) of what became of it, as the
payout's own events say them, for the statements and reconciliations per bank.

Fed by the payout's consumer with the events it reads back from the bus, in their streams'
order, inside its projection transaction (the inbox record commits with it). Every event
carries what it changes, so no stream is read again: an instruction's issue, its standing
answer (guarded by the row stream's version, so a redelivered older answer never overwrites a
newer one — a success accepted on review, a reversal), and its row's return to the treasury.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.base import Event
from contracts.envelope import Envelope
from contracts.events import (
    PaymentFailed,
    PaymentInstructed,
    PaymentOutcomeUnknown,
    PaymentReversed,
    PaymentSucceeded,
    ReturnedToTreasury,
)
from contracts.zones import local_date
from services.payout.adapters.tables import payment_statement_entries as entries

Answer = PaymentSucceeded | PaymentFailed | PaymentOutcomeUnknown | PaymentReversed
_ANSWER_COLUMNS = ("outcome", "answer_version", "answered_on", "value_date", "bank_reference")
_ISSUE_COLUMNS = ("roster_id", "row_no", "attempt", "bank_code", "township_code", "amount_fen")


async def project_statement_entries(
    conn: AsyncConnection, envelopes: Sequence[Envelope[Event]]
) -> None:
    """Record what ``envelopes`` (any events; those of payment rows count) say of instructions."""
    issued: dict[str, dict[str, Any]] = {}
    answered: dict[str, dict[str, Any]] = {}
    returned: dict[str, date] = {}
    for envelope in envelopes:
        event, on = envelope.event, local_date(envelope.occurred_at)
        if isinstance(event, PaymentInstructed):
            issued[event.instruction_id] = {**_issue(event), "instructed_on": on}
        elif isinstance(event, Answer):
            record = _answer(event, on, envelope.stream_version or 0)
            held = answered.get(event.instruction_id)
            if held is None or held["answer_version"] < record["answer_version"]:
                answered[event.instruction_id] = record
        elif isinstance(event, ReturnedToTreasury) and event.last_instruction_id is not None:
            returned[event.last_instruction_id] = on
    await _upsert(conn, list(issued.values()), (*_ISSUE_COLUMNS, "instructed_on"), guarded=False)
    await _upsert(conn, list(answered.values()), _ANSWER_COLUMNS, guarded=True)
    for instruction_id, on in returned.items():
        await conn.execute(
            update(entries).where(entries.c.instruction_id == instruction_id).values(returned_on=on)
        )


def _issue(event: Answer | PaymentInstructed) -> dict[str, Any]:
    return {
        "instruction_id": event.instruction_id,
        "roster_id": event.roster_id,
        "row_no": event.row_no,
        "attempt": event.attempt,
        "bank_code": event.bank_code,
        "township_code": event.township_code,
        "amount_fen": event.amount_fen,
        "instructed_on": None,
        "outcome": "pending",
        "answer_version": 0,
        "answered_on": None,
        "value_date": None,
        "bank_reference": None,
        "returned_on": None,
    }


def _answer(event: Answer, on: date, version: int) -> dict[str, Any]:
    record = {**_issue(event), "answer_version": version, "answered_on": on}
    if isinstance(event, PaymentSucceeded):
        record.update(
            outcome="succeeded", value_date=event.value_date, bank_reference=event.bank_reference
        )
    elif isinstance(event, PaymentOutcomeUnknown):
        record["outcome"] = "unknown"
    else:
        record["outcome"] = "rejected"
    return record


async def _upsert(
    conn: AsyncConnection, rows: list[dict[str, Any]], columns: Sequence[str], *, guarded: bool
) -> None:
    if not rows:
        return
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    statement = insert(entries)
    await conn.execute(
        statement.on_conflict_do_update(
            index_elements=["instruction_id"],
            set_={column: statement.excluded[column] for column in columns},
            where=(entries.c.answer_version < statement.excluded.answer_version)
            if guarded
            else None,
        ),
        rows,
    )
