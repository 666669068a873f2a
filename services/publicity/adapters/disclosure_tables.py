"""The disclosure and supervision tables: each roster row's payment as the public may see it
(masked), every bank rejection, and each round's approval. Rebuilt from the payout's and the
approval's events; never edited by hand.

Each event sets only its own columns (an upsert), so a row comes out the same whichever
topic is read first; a page shows a row only once what it needs has arrived.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, DateTime, Integer, String, Table

from services.publicity.adapters.tables import TABLES

payment_rows = Table(
    "payment_rows",
    TABLES,
    Column("roster_id", String(64), primary_key=True),
    Column("row_no", Integer, primary_key=True),
    Column("township_code", String(32), index=True),
    Column("village_code", String(32)),
    Column("programme_code", String(32)),
    Column("programme_name", String(200)),
    Column("round_id", String(64)),
    Column("beneficiary_id", String(64), index=True),
    Column("masked_name", String(64)),
    Column("masked_account", String(40)),
    Column("amount_fen", BigInteger),
    Column("status", String(16)),
    Column("attempts", Integer),
    Column("instructed_at", DateTime(timezone=True)),
    Column("paid_on", Date),
    Column("failed_at", DateTime(timezone=True)),
    Column("reason_code", String(32)),
    Column("returned_at", DateTime(timezone=True)),
)
"""One row per roster row paid through the payout: ``status`` ``instructed`` (awaiting the
bank), ``paid``, ``failed`` (awaiting correction) or ``returned`` (to the treasury)."""

payment_failures = Table(
    "payment_failures",
    TABLES,
    Column("instruction_id", String(100), primary_key=True),
    Column("roster_id", String(64), nullable=False),
    Column("row_no", Integer, nullable=False),
    Column("township_code", String(32), nullable=False, index=True),
    Column("programme_code", String(32), nullable=False),
    Column("reason_code", String(32), nullable=False),
    Column("reason_text", String(200), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("failed_at", DateTime(timezone=True), nullable=False),
)
"""Every definite rejection by the bank (or reversal of a credit), for the failure reasons."""

approval_rounds = Table(
    "approval_rounds",
    TABLES,
    Column("roster_id", String(64), primary_key=True),
    Column("submission_no", Integer, primary_key=True),
    Column("township_code", String(32), index=True),
    Column("programme_code", String(32)),
    Column("round_id", String(64)),
    Column("last_level_at", DateTime(timezone=True)),
    Column("approved_at", DateTime(timezone=True)),
    Column("approved_rows", Integer),
    Column("approved_fen", BigInteger),
    Column("sent_back_at", DateTime(timezone=True)),
)
"""Each submission's way through the approval chain: the last level signed, the approval
(rows and amount) or the send-back."""
