"""The outbox's rows as the dispatcher sees them, the SMS that can never be sent, and storing
what became of each claimed one (claiming is ``claims.py``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import and_, bindparam, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.pii import PhoneNo, PiiCipher
from services.notify.adapters.tables import phone_directory, phone_sends, sms_outbox
from services.notify.application.phone_directory import sealed_phone
from services.notify.application.streams import Cause
from services.notify.domain.events import NotSendableReason
from services.notify.domain.notice import NoticeFacts

Status = Literal["pending", "sent", "failed", "not_sendable"]
_GONE = ("deceased", "moved_out")


@dataclass(frozen=True, slots=True)
class Queued:
    """One SMS in the outbox, with its beneficiary's phone (sealed) when known."""

    facts: NoticeFacts
    cause: Cause
    text: str
    attempts: int
    phone: PhoneNo | None


@dataclass(frozen=True, slots=True)
class Finished:
    """What became of one claimed SMS: ``pending`` again at ``due_at``, or a final status."""

    notification_id: str
    status: Status
    attempts: int
    due_at: datetime | None = None
    last_error: str | None = None
    provider_reference: str | None = None
    finished_at: datetime | None = None

    @property
    def took_slot(self) -> bool:
        """Whether the provider took the message (its ledger slot stays taken)."""
        return self.status == "sent"


def unleased(now: datetime) -> Any:
    return or_(sms_outbox.c.lease_until.is_(None), sms_outbox.c.lease_until < now)


async def unsendable(
    conn: AsyncConnection, *, now: datetime, phone_wait: timedelta, limit: int, cipher: PiiCipher
) -> list[tuple[Queued, NotSendableReason]]:
    """Pending SMS that can never go: the beneficiary died or moved out, or no phone came
    within ``phone_wait`` of the payment."""
    joined = sms_outbox.outerjoin(
        phone_directory, phone_directory.c.beneficiary_id == sms_outbox.c.beneficiary_id
    )
    no_phone = or_(phone_directory.c.beneficiary_id.is_(None), phone_directory.c.phone.is_(None))
    query = (
        select(sms_outbox, phone_directory.c.reach)
        .select_from(joined)
        .where(
            sms_outbox.c.status == "pending",
            unleased(now),
            or_(
                phone_directory.c.reach.in_(_GONE),
                and_(no_phone, sms_outbox.c.decided_at < now - phone_wait),
            ),
        )
        .order_by(sms_outbox.c.decided_at)
        .limit(limit)
    )
    rows = (await conn.execute(query)).mappings().all()
    return [
        (
            queued({**row, "phone": None}, cipher),
            row["reach"] if row["reach"] in _GONE else "no_phone",
        )
        for row in rows
    ]


async def finish(conn: AsyncConnection, results: Sequence[Finished]) -> None:
    """Store each claimed SMS's result, lease released; give back the slots not used."""
    if not results:
        return
    rows = [
        {
            "key": result.notification_id,
            "new_status": result.status,
            "new_attempts": result.attempts,
            "new_error": result.last_error,
            "new_reference": result.provider_reference,
            "new_finished_at": result.finished_at,
            "new_due_at": result.due_at,
        }
        for result in results
    ]
    statement = update(sms_outbox).where(sms_outbox.c.notification_id == bindparam("key"))
    due = bindparam("new_due_at", type_=sms_outbox.c.due_at.type)
    await conn.execute(
        statement.values(
            status=bindparam("new_status"),
            attempts=bindparam("new_attempts"),
            last_error=bindparam("new_error"),
            provider_reference=bindparam("new_reference"),
            finished_at=bindparam("new_finished_at", type_=sms_outbox.c.finished_at.type),
            due_at=func.coalesce(due, sms_outbox.c.due_at),
            lease_until=None,
        ),
        rows,
    )
    released = [result.notification_id for result in results if not result.took_slot]
    if released:
        await conn.execute(delete(phone_sends).where(phone_sends.c.notification_id.in_(released)))


def queued(row: Any, cipher: PiiCipher) -> Queued:
    facts = NoticeFacts(
        notification_id=row["notification_id"],
        beneficiary_id=row["beneficiary_id"],
        roster_id=row["roster_id"],
        row_no=row["row_no"],
        instruction_id=row["instruction_id"],
        township_code=row["township_code"],
    )
    return Queued(
        facts=facts,
        cause=Cause(row["source_event_id"], row["correlation_id"]),
        text=row["text"],
        attempts=row["attempts"],
        phone=sealed_phone(row["phone"], cipher),
    )


def utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
