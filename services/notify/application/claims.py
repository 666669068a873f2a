"""Claiming the SMS due now, for the dispatcher: in one transaction, the due rows whose
beneficiary has a phone, the numbers' recent sends, a slot in the ledger for each message that
fits and a lease on it, a later due time for each that does not.

On PostgreSQL the rows are locked (``SKIP LOCKED``: another dispatcher takes others) and each
number too (an advisory lock, taken in sorted order), so two dispatchers never both fill a
number's last slot; SQLite writers take turns anyway (``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.pii import PiiCipher
from services.notify.adapters.tables import INSERTS, phone_directory, phone_sends, sms_outbox
from services.notify.application.outbox import Queued, queued, unleased, utc
from services.notify.domain.rate_limit import DAY, PhoneRateLimits


async def claim_due(
    conn: AsyncConnection,
    *,
    now: datetime,
    limits: PhoneRateLimits,
    lease: timedelta,
    limit: int,
    cipher: PiiCipher,
) -> tuple[list[Queued], int]:
    """Lease those of up to ``limit`` due SMS whose number has room now, and move the others'
    due time to when it will; return the leased ones and how many were due."""
    rows = (await conn.execute(_due(conn.dialect.name, now, limit))).mappings().all()
    if not rows:
        return [], 0
    numbers = sorted({row["phone_index"] for row in rows})
    ledger = await _recent_sends(conn, numbers, now)
    claimed, later = [], []
    for row in rows:
        free = limits.next_free(ledger[row["phone_index"]], now)
        if free is None:
            ledger[row["phone_index"]].append(now)
            claimed.append(row)
        else:
            later.append({"key": row["notification_id"], "free": free})
    await _take_slots(conn, claimed, now, lease)
    if later:
        statement = update(sms_outbox).where(sms_outbox.c.notification_id == bindparam("key"))
        await conn.execute(statement.values(due_at=bindparam("free")), later)
    return [queued(row, cipher) for row in claimed], len(rows)


def _due(dialect: str, now: datetime, limit: int) -> Any:
    joined = sms_outbox.join(
        phone_directory, phone_directory.c.beneficiary_id == sms_outbox.c.beneficiary_id
    )
    query = (
        select(sms_outbox, phone_directory.c.phone, phone_directory.c.phone_index)
        .select_from(joined)
        .where(
            sms_outbox.c.status == "pending",
            sms_outbox.c.due_at <= now,
            unleased(now),
            phone_directory.c.reach == "active",
            phone_directory.c.phone.is_not(None),
        )
        .order_by(sms_outbox.c.due_at, sms_outbox.c.notification_id)
        .limit(limit)
    )
    return (
        query.with_for_update(of=sms_outbox, skip_locked=True) if dialect == "postgresql" else query
    )


async def _recent_sends(
    conn: AsyncConnection, numbers: Sequence[str], now: datetime
) -> defaultdict[str, list[datetime]]:
    if conn.dialect.name == "postgresql":
        for number in numbers:  # sorted: two dispatchers lock in the same order
            lock = func.pg_advisory_xact_lock(func.hashtext("onecard.notify.phone:" + number))
            await conn.execute(select(lock))
    rows = await conn.execute(
        select(phone_sends.c.phone_index, phone_sends.c.sent_at).where(
            phone_sends.c.phone_index.in_(numbers), phone_sends.c.sent_at > now - DAY
        )
    )
    ledger: defaultdict[str, list[datetime]] = defaultdict(list)
    for row in rows:
        ledger[row.phone_index].append(utc(row.sent_at))
    return ledger


async def _take_slots(
    conn: AsyncConnection, claimed: Sequence[Any], now: datetime, lease: timedelta
) -> None:
    if not claimed:
        return
    slots = [
        {
            "notification_id": row["notification_id"],
            "phone_index": row["phone_index"],
            "sent_at": now,
        }
        for row in claimed
    ]
    statement = INSERTS[conn.dialect.name](phone_sends)
    await conn.execute(
        statement.on_conflict_do_update(
            index_elements=["notification_id"],
            set_={"phone_index": statement.excluded.phone_index, "sent_at": now},
        ),
        slots,
    )
    keys = [row["notification_id"] for row in claimed]
    await conn.execute(
        update(sms_outbox)
        .where(sms_outbox.c.notification_id.in_(keys))
        .values(lease_until=now + lease)
    )
