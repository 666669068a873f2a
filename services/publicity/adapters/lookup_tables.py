"""The lookup's tables: who may be looked up, and the ledger its per-address and per-phone
limits count. Rebuilt from events (``lookup_people``) or kept for a day (``lookup_ledger``).

``lookup_people`` holds what finding and answering a person needs, and nothing readable: the
blind index of the citizen ID (to find the person by the number typed), a keyed digest of
the name (to check the name typed), masked name and ID (to show), and the phone sealed as
the log holds it (opened only to send a code).
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, String, Table, Text, Uuid

from services.publicity.adapters.tables import TABLES

lookup_people = Table(
    "lookup_people",
    TABLES,
    Column("beneficiary_id", String(64), primary_key=True),
    Column("id_index", String(128), nullable=False, index=True),
    Column("name_digest", String(64), nullable=False),
    Column("masked_name", String(64), nullable=False),
    Column("masked_citizen_id", String(32), nullable=False),
    Column("household_id", String(64), nullable=False, index=True),
    Column("village_code", String(12), nullable=False),
    Column("phone", Text, nullable=True),
    Column("phone_index", String(128), nullable=True),
    Column("reach", String(16), nullable=False),
)
"""One row per registered beneficiary; ``reach`` is ``active``, ``deceased`` or
``moved_out`` (no code is sent after a death or a move: the phone is forgotten)."""

lookup_ledger = Table(
    "lookup_ledger",
    TABLES,
    Column("entry_id", Uuid, primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("key", String(128), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_lookup_ledger_key", "kind", "key", "at"),
)
"""Each lookup request per client address (``client``) and each code sent per phone
(``phone``, keyed by the phone's blind index): what the limits count. Rows older than a day
are pruned; losing them forgives at most a day."""
