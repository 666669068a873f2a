"""Roster rows one at a time (逐行录入、更正): each is validated at once and its findings
answered (rule codes and Chinese messages, never the row's personal data)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from infra.http.actor import CurrentActor
from infra.http.context import request_context
from infra.http.errors import answering
from infra.identity.permissions import Action
from services.registry.adapters.tables import TABLES
from services.registry.application.enter_rows import correct_row, enter_row
from services.registry.application.roster_commands import load_roster
from services.registry.domain import roster_refusals as refuse
from services.registry.domain.events import RosterRow
from services.registry.domain.roster import Roster
from services.registry.domain.roster_rows import Column
from services.registry.entrypoints.http import IdempotencyKey, Registry, RosterId
from services.registry.entrypoints.http_access import authorized_roster
from services.registry.entrypoints.http_roster_imports import checks_for

router = APIRouter(tags=["rosters"])


class RowBody(BaseModel):
    """One roster row as a clerk types it: amounts as decimal text (yuan), never floats."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    name: str = Field(min_length=1, max_length=64)
    citizen_id: str = Field(min_length=1, max_length=32)
    card_account: str = Field(default="", max_length=32)
    bank: str = Field(default="", max_length=64)
    programme: str = Field(default="", max_length=64)
    quantity: str = Field(default="", max_length=32)
    standard: str = Field(default="", max_length=32)
    amount: str = Field(min_length=1, max_length=32)
    village: str = Field(default="", max_length=64)
    phone: str = Field(default="", max_length=20)
    household: str = Field(default="", max_length=64)
    remark: str = Field(default="", max_length=200)

    def cells(self) -> dict[Column, str]:
        return {Column(name): value for name, value in self.model_dump().items()}


class CorrectionBody(RowBody):
    reason: str = Field(min_length=1, max_length=200)

    def cells(self) -> dict[Column, str]:
        values = self.model_dump(exclude={"reason"})
        return {Column(name): value for name, value in values.items()}


def _row_view(row: RosterRow) -> dict[str, object]:
    return {
        "row_no": row.row_no,
        "verdict": row.verdict,
        "findings": [
            {"rule": rule, "message": message}
            for rule, message in zip(row.rules, row.messages, strict=False)
        ],
        "amount_fen": row.amount_fen,
    }


async def _draft_state(registry: Any, roster_id: str) -> Roster:
    state, _ = await load_roster(registry.store, registry.codec, roster_id)
    if state is None:
        raise refuse.no_such_roster()
    return state


@router.post("/rosters/{roster_id}/rows", status_code=201)
async def post_row(
    roster_id: RosterId,
    body: RowBody,
    registry: Registry,
    actor: CurrentActor,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, object]:
    """Enter one row (逐行录入); it is validated at once and its findings answered."""
    await authorized_roster(registry, actor, roster_id, Action.ROSTER_WRITE)
    context = request_context(actor, idempotency_key)
    with answering():
        state = await _draft_state(registry, roster_id)
        await registry.projections.create_tables(TABLES)
        row = await enter_row(
            store=registry.store,
            codec=registry.codec,
            projections=registry.projections,
            cipher=registry.index,
            roster_id=roster_id,
            cells=body.cells(),
            checks=await checks_for(registry, state, context),
            context=context,
        )
    return _row_view(row)


@router.put("/rosters/{roster_id}/rows/{row_no}")
async def put_row(
    roster_id: RosterId,
    row_no: Annotated[int, Path(ge=1)],
    body: CorrectionBody,
    registry: Registry,
    actor: CurrentActor,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, object]:
    """Correct one row with a reason (更正); it is validated again."""
    await authorized_roster(registry, actor, roster_id, Action.ROSTER_WRITE)
    context = request_context(actor, idempotency_key)
    with answering():
        state = await _draft_state(registry, roster_id)
        await registry.projections.create_tables(TABLES)
        row = await correct_row(
            store=registry.store,
            codec=registry.codec,
            projections=registry.projections,
            cipher=registry.index,
            roster_id=roster_id,
            row_no=row_no,
            cells=body.cells(),
            reason=body.reason,
            checks=await checks_for(registry, state, context),
            context=context,
        )
    return _row_view(row)
