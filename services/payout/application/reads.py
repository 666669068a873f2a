"""Every read of payments is a read of personal data (000 art.20: 查询日志化管理): it is written
to the reader's query log before it is answered, naming the roster and its rows."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from contracts.envelope import Actor
from infra.eventstore.port import EventStore
from infra.identity.query_log import PAYMENT, record_read


@dataclass(frozen=True, slots=True)
class ReadContext:
    """Who reads, when, through which route, from where, in which request."""

    actor: Actor
    at: datetime
    correlation_id: uuid.UUID
    route: str
    client_address: str | None = None


async def log_payment_read(
    store: EventStore, read: ReadContext, *, roster_id: str, row_nos: Iterable[int]
) -> None:
    """Record the read; raises (and nothing may be answered) when it could not be stored."""
    await record_read(
        store=store,
        actor=read.actor,
        kind=PAYMENT,
        subject_ids=(roster_id,),
        row_nos=row_nos,
        route=read.route,
        at=read.at,
        correlation_id=read.correlation_id,
        client_address=read.client_address,
    )
