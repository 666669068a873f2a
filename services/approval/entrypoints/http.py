"""The approval HTTP API: sign the current level off, send a roster back, read a roster's
approval. Routers parse the request, build a command, call the application; the pending work
(``http_work``) and the chains (``http_chains``) have their own routers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from infra.clock import Clock
from infra.eventcodec import EventCodec
from infra.eventstore.port import EventStore
from infra.http.actor import CurrentActor
from infra.http.context import request_context
from infra.http.errors import answering
from infra.projections.database import ProjectionDatabase
from services.approval.adapters.tables import TABLES
from services.approval.application.decisions import Decided, approve_level, send_back
from services.approval.application.history import approval_history
from services.approval.domain.approval import ApproveLevel, SendBack

router = APIRouter(tags=["approval"])
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=128)]
RosterId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_\-]{1,48}$")]


@dataclass
class ApprovalApp:
    store: EventStore
    codec: EventCodec
    projections: ProjectionDatabase
    clock: Clock
    _tables_ready: bool = field(default=False, repr=False)

    async def projection(self) -> ProjectionDatabase:
        """The projection database, its tables created on first use (the consumer creates
        them too when it starts; whichever comes first)."""
        if not self._tables_ready:
            await self.projections.create_tables(TABLES)
            self._tables_ready = True
        return self.projections


def approval_app(request: Request) -> ApprovalApp:
    app: ApprovalApp = request.app.state.approval
    return app


Approval = Annotated[ApprovalApp, Depends(approval_app)]


class SeenBody(BaseModel):
    """What the approver was shown: optional, but with it a retried request is recognised
    and a decision on a level someone else already decided is refused."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    submission_no: int | None = Field(default=None, ge=1)
    level: int | None = Field(default=None, ge=1)


class ApproveBody(SeenBody):
    reason: str | None = Field(default=None, max_length=200)


class SendBackBody(SeenBody):
    reasons: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        min_length=1, max_length=20
    )
    row_nos: list[Annotated[int, Field(ge=1)]] = Field(default_factory=list, max_length=10_000)


@router.post("/approvals/{roster_id}/approve")
async def post_approve(
    roster_id: RosterId,
    body: ApproveBody,
    approval: Approval,
    actor: CurrentActor,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Sign the roster's current level off (审核通过); the last level approves the batch."""
    command = ApproveLevel(roster_id, actor.user_id, actor.role, **body.model_dump())
    context = request_context(actor, idempotency_key)
    with answering():
        decided = await approve_level(
            store=approval.store,
            codec=approval.codec,
            projections=await approval.projection(),
            command=command,
            context=context,
        )
    return _answer(roster_id, decided)


@router.post("/approvals/{roster_id}/send-back")
async def post_send_back(
    roster_id: RosterId,
    body: SendBackBody,
    approval: Approval,
    actor: CurrentActor,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Send the roster back to the township that made it (退回), with the reasons."""
    command = SendBack(
        roster_id,
        actor.user_id,
        actor.role,
        reasons=tuple(body.reasons),
        row_nos=tuple(body.row_nos),
        submission_no=body.submission_no,
        level=body.level,
    )
    context = request_context(actor, idempotency_key)
    with answering():
        decided = await send_back(
            store=approval.store,
            codec=approval.codec,
            projections=await approval.projection(),
            command=command,
            context=context,
        )
    return _answer(roster_id, decided)


@router.get("/approvals/{roster_id}")
async def get_approval(roster_id: RosterId, approval: Approval, actor: CurrentActor) -> Any:
    """Where the roster's approval stands, and its history: who, which level, which
    decision, why and when."""
    with answering():
        return await approval_history(
            store=approval.store, codec=approval.codec, actor=actor, roster_id=roster_id
        )


def _answer(roster_id: str, decided: Decided) -> dict[str, Any]:
    status, approval = decided.state.status, decided.state.approval
    return {
        "roster_id": roster_id,
        "recorded": bool(decided.events),
        "status": status,
        "submission_no": None if approval is None else approval.submission_no,
        "level": approval.level if approval is not None and status == "open" else None,
        "batch_approved": status == "approved",
    }
