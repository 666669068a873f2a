"""The payout's projection tables (SQLAlchemy Core): rebuilt from its streams, never edited by
hand, and written with one upsert that never lets an older state of a stream overwrite a newer
one. Card accounts stay sealed here as in the log (the sealed JSON object)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, Final

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from infra.projections.working_day_schedules import schedules_table

TABLES = MetaData()

payment_rounds = Table(
    "payment_rounds",
    TABLES,
    Column("roster_id", String(64), primary_key=True),
    Column("stream_version", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("submission_no", Integer, nullable=False),
    Column("round_id", String(64), nullable=False),
    Column("programme_code", String(32), nullable=False),
    Column("programme_name", String(200), nullable=False),
    Column("township_code", String(32), nullable=False, index=True),
    Column("row_count", Integer, nullable=False),
    Column("total_fen", Integer, nullable=False),
    Column("batches", JSON, nullable=False),
    Column("blocked", JSON, nullable=False),
    Column("instructed", Boolean, nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=True),
)
"""One row per roster whose approval reached the payout: ``open`` (paid from the approved
submission, with one batch header per bank) or ``blocked`` (approved but not paid)."""

payment_rows = Table(
    "payment_rows",
    TABLES,
    Column("roster_id", String(64), primary_key=True),
    Column("row_no", Integer, primary_key=True),
    Column("stream_version", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("township_code", String(32), nullable=False),
    Column("bank_code", String(32), nullable=False),
    Column("beneficiary_id", String(64), nullable=False),
    Column("amount_fen", Integer, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("latest_instruction_id", String(100), nullable=False),
    Column("paid_by", String(100), nullable=True),
    Column("reason_code", String(32), nullable=True),
)
"""Each roster row in payment: where it stands (``pending``, ``unknown``, ``failed``,
``review``, ``paid``, ``returned``) and its latest failure's reason."""

payment_instructions = Table(
    "payment_instructions",
    TABLES,
    Column("instruction_id", String(100), primary_key=True),
    Column("stream_version", Integer, nullable=False),
    Column("roster_id", String(64), nullable=False),
    Column("row_no", Integer, nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("batch_id", String(64), nullable=False),
    Column("bank_code", String(32), nullable=False),
    Column("township_code", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("served", Boolean, nullable=False),
    Column("amount_fen", Integer, nullable=False),
    Column("name", String(200), nullable=False),
    Column("account", Text, nullable=False),
    Column("because", String(16), nullable=False),
    Index("ix_payment_instructions_served", "bank_code", "served", "township_code"),
)
"""Every instruction; ``served`` are those the bank is handed when it asks: open (no answer
yet, or the outcome unknown and to be queried) on a row that is not under review."""

payees = Table(
    "payees",
    TABLES,
    Column("beneficiary_id", String(64), primary_key=True),
    Column("stream_version", Integer, nullable=False),
    Column("name", String(200), nullable=False),
    Column("bank_code", String(32), nullable=True),
    Column("account", Text, nullable=True),
    Column("holder_name", String(200), nullable=True),
    Column("account_status", String(16), nullable=False),
    Column("active", Boolean, nullable=False),
)
"""Each beneficiary as the registry now holds them, for re-issues after a correction: name,
one-card account (sealed, as in the log) and its status. Folded from the registry's events
by the consumer (``application/payees.py``)."""

working_day_schedules = schedules_table(TABLES)
"""Official working-day schedules an administrator entered (for years the calendar package
lacks): the days an answer of the bank falls due."""

_INSERTS: Final[dict[str, Callable[[Table], Any]]] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}


async def upsert_newer(conn: AsyncConnection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` or replace those with their primary key whose ``stream_version`` is
    older: a stale state never overwrites a newer one."""
    if rows:
        await conn.execute(_upsert(conn.dialect.name, table), list(rows))


@cache
def _upsert(dialect: str, table: Table) -> Any:
    """The upsert of every column of ``table`` (built once: building it is not cheap)."""
    statement = _INSERTS[dialect](table)
    keys = [column.name for column in table.primary_key.columns]
    return statement.on_conflict_do_update(
        index_elements=keys,
        set_={c.name: statement.excluded[c.name] for c in table.columns if c.name not in keys},
        where=table.c.stream_version < statement.excluded.stream_version,
    )


payment_statement_entries = Table(
    "payment_statement_entries",
    TABLES,
    Column("instruction_id", String(100), primary_key=True),
    Column("roster_id", String(64), nullable=False),
    Column("row_no", Integer, nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("bank_code", String(32), nullable=False),
    Column("township_code", String(32), nullable=False),
    Column("amount_fen", Integer, nullable=False),
    Column("instructed_on", Date, nullable=True),
    Column("outcome", String(16), nullable=False),
    Column("answer_version", Integer, nullable=False),
    Column("answered_on", Date, nullable=True),
    Column("value_date", Date, nullable=True),
    Column("bank_reference", String(200), nullable=True),
    Column("returned_on", Date, nullable=True),
    Index("ix_payment_statement_entries_bank", "bank_code", "instructed_on"),
)
"""Every instruction with the days (in China) of what became of it, for the statements and
reconciliations per bank: issued on ``instructed_on``; its standing answer ``outcome``
(``pending``, ``unknown``, ``succeeded``, ``rejected``) recorded on ``answered_on`` at the row
stream's ``answer_version`` (an older answer never overwrites a newer one), with the bank's
``value_date`` and reference of a success; ``returned_on`` when its row went back to the
treasury with this as its last instruction. Filled from the payout's own events as the
consumer reads them (``application/statement_projection.py``)."""
