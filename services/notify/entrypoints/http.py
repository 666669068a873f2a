"""The notify HTTP API for officials: the work queue of failure notices, and the payment SMS
(which went, which failed or cannot go). Routers parse the request and call the application;
both reads are logged before they are answered."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request

from contracts.envelope import Actor
from infra.eventstore.port import EventStore
from infra.http.actor import CurrentActor
from infra.http.context import current_correlation_uuid, request_now
from infra.identity.query_log import PAYMENT, ROWS_TO_FIX
from infra.projections.database import ProjectionDatabase
from services.notify.adapters.tables import TABLES
from services.notify.application.reads import (
    ReadContext,
    SmsView,
    log_read,
    open_notices,
    payment_sms,
)

router = APIRouter(tags=["notify"])
Township = Annotated[str | None, Query(pattern=r"^[0-9]{6,12}$")]


@dataclass
class NotifyApp:
    store: EventStore
    projections: ProjectionDatabase
    _tables_ready: bool = field(default=False, repr=False)

    async def projection(self) -> ProjectionDatabase:
        """The projection database, its tables created on first use (the consumers and the
        dispatcher create them too when they start; whichever comes first)."""
        if not self._tables_ready:
            await self.projections.create_tables(TABLES)
            self._tables_ready = True
        return self.projections


def notify_app(request: Request) -> NotifyApp:
    app: NotifyApp = request.app.state.notify
    return app


Notify = Annotated[NotifyApp, Depends(notify_app)]


def read_context(request: Request, actor: Actor) -> ReadContext:
    route = request.scope.get("route")
    template = getattr(route, "path", request.url.path)
    return ReadContext(
        actor=actor,
        at=request_now(),
        correlation_id=current_correlation_uuid(),
        route=f"{request.method} {template}",
        client_address=request.client.host if request.client else None,
    )


@router.get("/work-queue")
async def get_work_queue(
    request: Request,
    notify: Notify,
    actor: CurrentActor,
    township: Township = None,
    kind: Literal["failed", "review"] | None = None,
) -> dict[str, Any]:
    """The open failure and review notices of the townships the caller reaches with
    ``payment.read`` (or of one of them), oldest first: which row, how much, and the bank's
    reason in Chinese. A notice closes when the row is paid or returned to the treasury."""
    async with (await notify.projection()).transaction() as conn:
        items = await open_notices(conn, actor, township=township, kind=kind)
    await log_read(notify.store, read_context(request, actor), kind=ROWS_TO_FIX, items=items)
    return {"items": items}


@router.get("/notifications")
async def get_notifications(
    request: Request,
    notify: Notify,
    actor: CurrentActor,
    township: Township = None,
    status: SmsView | None = None,
) -> dict[str, Any]:
    """The payment SMS of the townships the caller reaches with ``payment.read``, newest
    first, with their status (``pending``, ``awaiting_phone``, ``sent``, ``failed``,
    ``not_sendable``), tries and last error. No phone number is shown."""
    async with (await notify.projection()).transaction() as conn:
        items = await payment_sms(conn, actor, township=township, status=status)
    await log_read(notify.store, read_context(request, actor), kind=PAYMENT, items=items)
    return {"items": items}
