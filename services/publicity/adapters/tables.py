"""Publicity's projection tables (SQLAlchemy Core): rebuilt from events, never edited by hand."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, MetaData, String, Table

TABLES = MetaData()

village_register = Table(
    "village_register",
    TABLES,
    Column("beneficiary_id", String(64), primary_key=True),
    Column("village_code", String(12), nullable=False, index=True),
    Column("masked_name", String(64), nullable=False),
    Column("registered_at", DateTime(timezone=True), nullable=False),
)
"""Who is on each village's register, as the public may see it: masked names only."""
