"""The registry's projection tables (SQLAlchemy Core): rebuilt from events, never edited by hand.

Personal data stays sealed here as in the log (the sealed JSON object), and is found by its
blind index: a dump of this database holds no plaintext ID, account or phone either.
"""

from __future__ import annotations

from sqlalchemy import Column, Date, MetaData, String, Table, Text

TABLES = MetaData()

register_people = Table(
    "register_people",
    TABLES,
    Column("beneficiary_id", String(64), primary_key=True),
    Column("citizen_bidx", String(128), nullable=False, unique=True),
    Column("name", String(64), nullable=False),
    Column("village_code", String(12), nullable=False),
    Column("township_code", String(9), nullable=False, index=True),
    Column("household_id", String(64), nullable=False),
    Column("phone", Text, nullable=True),
    Column("account", Text, nullable=True),
    Column("bank", String(64), nullable=False, default=""),
    Column("account_status", String(16), nullable=False, default="unverified"),
    Column("account_since", Date, nullable=True),
    Column("deceased", String(1), nullable=False, default="n"),
)
"""The beneficiary register (底册) as validation reads it: one row per person, with their one
card account; ``phone`` and ``account`` are sealed JSON, opened only when a rule compares."""
