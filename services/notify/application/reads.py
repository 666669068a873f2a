"""What officials read of the notify: the open notices of their work queue, and the payment
SMS of their townships (to see which failed or could not be sent, and why).

Both answer only rows of townships the reader's jurisdiction reaches with ``payment.read``,
and both are reads of people's payments (000 art.20: 查询日志化管理): logged, by the rows'
``<roster>:<row>`` ids, before they are answered.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Literal

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.envelope import Actor
from infra.eventstore.port import EventStore
from infra.identity.permissions import Action, authorize, may, scope_of
from infra.identity.query_log import PAYMENT, ROWS_TO_FIX, record_read
from services.notify.adapters.tables import phone_directory, sms_outbox, work_notices
from services.notify.application.outbox import utc

SmsView = Literal["pending", "awaiting_phone", "sent", "failed", "not_sendable"]
LIMIT: Final = 500


@dataclass(frozen=True, slots=True)
class ReadContext:
    """Who reads, when, through which route, from where, in which request."""

    actor: Actor
    at: datetime
    correlation_id: uuid.UUID
    route: str
    client_address: str | None = None


def _scope(actor: Actor, township: str | None) -> str:
    """The township prefix to read under, after checking the reader may read payments there."""
    authorize(actor, Action.PAYMENT_READ, township or actor.jurisdiction_code)
    scope = scope_of(actor)
    assert scope is not None
    return township if township is not None else scope


async def open_notices(
    conn: AsyncConnection, actor: Actor, *, township: str | None, kind: str | None
) -> list[dict[str, Any]]:
    """The open notices under the reader's jurisdiction (or one township in it), oldest first."""
    prefix = _scope(actor, township)
    query = (
        select(work_notices)
        .where(work_notices.c.status == "open")
        .where(work_notices.c.township_code.startswith(prefix, autoescape=True))
        .order_by(work_notices.c.opened_at, work_notices.c.roster_id, work_notices.c.row_no)
        .limit(LIMIT)
    )
    if kind is not None:
        query = query.where(work_notices.c.kind == kind)
    rows = (await conn.execute(query)).mappings().all()
    return [_notice(row) for row in rows if may(actor, Action.PAYMENT_READ, row["township_code"])]


def _notice(row: Any) -> dict[str, Any]:
    return {
        "roster_id": row["roster_id"],
        "row_no": row["row_no"],
        "kind": row["kind"],
        "township_code": row["township_code"],
        "county_code": row["township_code"][:6],
        "programme_code": row["programme_code"],
        "beneficiary_id": row["beneficiary_id"],
        "instruction_id": row["instruction_id"],
        "attempt": row["attempt"],
        "amount_fen": row["amount_fen"],
        "reason_code": row["reason_code"],
        "reason": row["reason"],
        "opened_at": utc(row["opened_at"]).isoformat(),
    }


async def payment_sms(
    conn: AsyncConnection, actor: Actor, *, township: str | None, status: SmsView | None
) -> list[dict[str, Any]]:
    """The payment SMS under the reader's jurisdiction, newest first; ``awaiting_phone`` are
    the pending ones whose beneficiary has no phone in the register yet."""
    prefix = _scope(actor, township)
    joined = sms_outbox.outerjoin(
        phone_directory, phone_directory.c.beneficiary_id == sms_outbox.c.beneficiary_id
    )
    no_phone = or_(phone_directory.c.beneficiary_id.is_(None), phone_directory.c.phone.is_(None))
    query = (
        select(sms_outbox, no_phone.label("no_phone"))
        .select_from(joined)
        .where(sms_outbox.c.township_code.startswith(prefix, autoescape=True))
        .order_by(sms_outbox.c.decided_at.desc(), sms_outbox.c.notification_id)
        .limit(LIMIT)
    )
    if status == "awaiting_phone":
        query = query.where(and_(sms_outbox.c.status == "pending", no_phone))
    elif status == "pending":
        query = query.where(and_(sms_outbox.c.status == "pending", ~no_phone))
    elif status is not None:
        query = query.where(sms_outbox.c.status == status)
    rows = (await conn.execute(query)).mappings().all()
    return [_sms(row) for row in rows if may(actor, Action.PAYMENT_READ, row["township_code"])]


def _sms(row: Any) -> dict[str, Any]:
    waiting = row["status"] == "pending" and bool(row["no_phone"])
    return {
        "notification_id": row["notification_id"],
        "instruction_id": row["instruction_id"],
        "roster_id": row["roster_id"],
        "row_no": row["row_no"],
        "beneficiary_id": row["beneficiary_id"],
        "township_code": row["township_code"],
        "status": "awaiting_phone" if waiting else row["status"],
        "attempts": row["attempts"],
        "text": row["text"],
        "last_error": row["last_error"],
        "due_at": None if row["status"] != "pending" else utc(row["due_at"]).isoformat(),
        "decided_at": utc(row["decided_at"]).isoformat(),
        "finished_at": None if row["finished_at"] is None else utc(row["finished_at"]).isoformat(),
    }


async def log_read(
    store: EventStore, read: ReadContext, *, kind: str, items: Sequence[dict[str, Any]]
) -> None:
    """Record the read (the rows it shows) before it is answered; raises when it could not
    be stored, and then nothing may be answered."""
    if kind not in (ROWS_TO_FIX, PAYMENT):
        raise ValueError(f"not a payment read: {kind}")
    await record_read(
        store=store,
        actor=read.actor,
        kind=kind,
        subject_ids=sorted({f"{item['roster_id']}:{item['row_no']}" for item in items}),
        route=read.route,
        at=read.at,
        correlation_id=read.correlation_id,
        client_address=read.client_address,
    )
