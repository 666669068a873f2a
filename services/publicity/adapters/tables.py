"""Publicity's projection tables (SQLAlchemy Core): rebuilt from events, never edited by hand.

They hold personal data only in its masked form (``contracts.masking``): a leak of the read
model, or a page built from it, cannot reveal more than the public notice itself.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
)

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

notices = Table(
    "notices",
    TABLES,
    Column("roster_id", String(64), primary_key=True),
    Column("submission_no", Integer, primary_key=True),
    Column("township_code", String(32), index=True),
    Column("township_name", String(200)),
    Column("programme_code", String(32)),
    Column("programme_name", String(200)),
    Column("round_id", String(64)),
    Column("public", Boolean),
    Column("working_days", Integer),
    Column("row_count", Integer),
    Column("total_fen", BigInteger),
    Column("submitted_at", DateTime(timezone=True)),
    Column("waiting_code", String(64)),
    Column("waiting_year", Integer),
    Column("starts_on", Date),
    Column("ends_on", Date),
    Column("halted_at", DateTime(timezone=True)),
    Column("completed_at", DateTime(timezone=True)),
)
"""One row per submission noticed. Each event sets only its own columns (an upsert), so the
row comes out the same whichever of the roster's and the notice's topics is read first."""

notice_rows = Table(
    "notice_rows",
    TABLES,
    Column("roster_id", String(64), primary_key=True),
    Column("submission_no", Integer, primary_key=True),
    Column("row_no", Integer, primary_key=True),
    Column("masked_name", String(64), nullable=False),
    Column("masked_citizen_id", String(32), nullable=False),
    Column("masked_account", String(40), nullable=False),
    Column("village", String(200), nullable=False),
    Column("quantity", String(40)),
    Column("standard_fen", BigInteger),
    Column("amount_fen", BigInteger, nullable=False),
)
"""The rows of each submission as the notice shows them, masked when written."""
