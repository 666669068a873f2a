"""The notify's tables (SQLAlchemy Core), in its projection database beside the consumers'
inbox, so that what a consumer decides and the record that it consumed the event commit in one
transaction.

``phone_directory`` and ``work_notices`` are read models rebuilt from the log. ``sms_outbox``
is the transactional outbox: one row per paid instruction (its unique key), written with the
inbox; the dispatcher sends from it. Rebuilt from the log, it would hold the same rows, and the
notification streams keep what was sent, so nothing is sent twice. ``phone_sends`` is the
ledger the per-number rate limits count. Phones stay sealed (the cipher's JSON, as in the log)
and are keyed by their blind index only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.dialects import postgresql, sqlite

TABLES = MetaData()

phone_directory = Table(
    "phone_directory",
    TABLES,
    Column("beneficiary_id", String(64), primary_key=True),
    Column("reach", String(16), nullable=False),
    Column("phone", Text, nullable=True),
    Column("phone_index", String(128), nullable=True),
)
"""Each beneficiary's phone, sealed (None: none known), and whether an SMS may still reach
them (``active``; ``deceased`` and ``moved_out`` for good)."""

sms_outbox = Table(
    "sms_outbox",
    TABLES,
    Column("notification_id", String(64), primary_key=True),
    Column("instruction_id", String(100), nullable=False),
    Column("source_event_id", Uuid, nullable=False),
    Column("correlation_id", Uuid, nullable=False),
    Column("roster_id", String(64), nullable=False),
    Column("row_no", Integer, nullable=False),
    Column("beneficiary_id", String(64), nullable=False, index=True),
    Column("township_code", String(32), nullable=False, index=True),
    Column("programme_code", String(32), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("template", String(32), nullable=False),
    Column("text", String(500), nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("lease_until", DateTime(timezone=True), nullable=True),
    Column("last_error", String(240), nullable=True),
    Column("provider_reference", String(200), nullable=True),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("instruction_id", name="uq_sms_outbox_instruction"),
    UniqueConstraint("source_event_id", name="uq_sms_outbox_source_event"),
    Index("ix_sms_outbox_due", "status", "due_at"),
)
"""One SMS per paid instruction: ``pending`` (due at ``due_at``; leased while being sent),
``sent``, ``failed`` or ``not_sendable`` (final, each recorded in its notification stream)."""

phone_sends = Table(
    "phone_sends",
    TABLES,
    Column("notification_id", String(64), primary_key=True),
    Column("phone_index", String(128), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=False),
    Index("ix_phone_sends_phone", "phone_index", "sent_at"),
)
"""When each number was sent to (a slot is taken before sending and given back when the
provider did not take the message): what the per-number limits count."""

work_notices = Table(
    "work_notices",
    TABLES,
    Column("roster_id", String(64), primary_key=True),
    Column("row_no", Integer, primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("township_code", String(32), nullable=False, index=True),
    Column("programme_code", String(32), nullable=True),
    Column("beneficiary_id", String(64), nullable=True),
    Column("instruction_id", String(100), nullable=False),
    Column("attempt", Integer, nullable=True),
    Column("amount_fen", BigInteger, nullable=False),
    Column("reason_code", String(32), nullable=False),
    Column("reason", String(400), nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("closed_at", DateTime(timezone=True), nullable=True),
    Column("closed_because", String(16), nullable=True),
)
"""Failure and review notices per roster row (``domain/work_queue.py``)."""

INSERTS: Final[dict[str, Callable[[Table], Any]]] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}
"""Insert with ``ON CONFLICT`` on both projection databases (they share the syntax)."""
