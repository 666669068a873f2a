"""The payout HTTP API for people: a round's status with its invariant, an instruction's
history. Routers parse the request, call the application and shape the answer; the commands
(re-issue, year-end return) have their own router (``http_rows``). The bank connector's
entrypoints (its HTTP API with signatures, the file exchange) call the same application."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Request

from contracts.envelope import Actor
from contracts.pii import PiiCipher
from infra.clock import Clock
from infra.eventcodec import EventCodec
from infra.eventstore.port import EventStore
from infra.http.actor import CurrentActor
from infra.http.context import current_correlation_uuid, request_now
from infra.http.errors import answering
from infra.projections.database import ProjectionDatabase
from services.payout.adapters.tables import TABLES
from services.payout.application.instruction_history import instruction_history
from services.payout.application.reads import ReadContext
from services.payout.application.round_status import round_status

router = APIRouter(tags=["payout"])
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=128)]
RosterId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_\-]{1,48}$")]
InstructionId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_\-]{1,48}:[0-9]{1,7}:[0-9]{1,3}$")]


@dataclass
class PayoutApp:
    store: EventStore
    codec: EventCodec
    cipher: PiiCipher
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


def payout_app(request: Request) -> PayoutApp:
    app: PayoutApp = request.app.state.payout
    return app


Payout = Annotated[PayoutApp, Depends(payout_app)]


def read_context(request: Request, actor: Actor) -> ReadContext:
    """Who reads what through which route, for the query log."""
    route = request.scope.get("route")
    template = getattr(route, "path", request.url.path)
    return ReadContext(
        actor=actor,
        at=request_now(),
        correlation_id=current_correlation_uuid(),
        route=f"{request.method} {template}",
        client_address=request.client.host if request.client else None,
    )


@router.get("/rounds/{roster_id}")
async def get_round(roster_id: RosterId, payout: Payout, actor: CurrentActor) -> Any:
    """Where a round's payment stands: its batches per bank, its rows by status, failures by
    reason, and its ledger (succeeded + returned + outstanding = approved, to the fen)."""
    with answering():
        return await round_status(
            projections=await payout.projection(), actor=actor, roster_id=roster_id
        )


@router.get("/instructions/{instruction_id}")
async def get_instruction(
    instruction_id: InstructionId, request: Request, payout: Payout, actor: CurrentActor
) -> dict[str, Any]:
    """An instruction's row: the payee (account masked), every attempt and every answer, with
    when and by whom. A read of personal data: logged before it is answered."""
    with answering():
        return await instruction_history(
            store=payout.store,
            codec=payout.codec,
            read_context=read_context(request, actor),
            instruction_id=instruction_id,
        )
