"""Each programme's approval chain: read it, or configure it (catalogue administrators)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from infra.http.actor import CurrentActor
from infra.http.context import request_context
from infra.http.errors import answering
from services.approval.application.chains import configure_chain, current_chain
from services.approval.domain.chain import Chain, ConfigureChain
from services.approval.entrypoints.http import Approval, IdempotencyKey

router = APIRouter(tags=["approval"])
ProgrammeCode = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.\-]{1,32}$")]


class ChainBody(BaseModel):
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    levels: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(max_length=20)
    overdue_working_days: int


@router.put("/chains/{programme_code}")
async def put_chain(
    programme_code: ProgrammeCode,
    body: ChainBody,
    approval: Approval,
    actor: CurrentActor,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Set the programme's chain (the role of each level, first level first) for approvals
    opening from now on; those already open keep theirs."""
    command = ConfigureChain(
        programme_code, tuple(body.levels), body.overdue_working_days, actor.jurisdiction_code
    )
    context = request_context(actor, idempotency_key)
    with answering():
        chain, changed = await configure_chain(
            store=approval.store, codec=approval.codec, command=command, context=context
        )
    return {**_view(programme_code, chain), "changed": changed}


@router.get("/chains/{programme_code}")
async def get_chain(
    programme_code: ProgrammeCode, approval: Approval, actor: CurrentActor
) -> dict[str, Any]:
    """The chain an approval of the programme opening now takes (``version`` 0: default)."""
    chain = await current_chain(
        store=approval.store, codec=approval.codec, actor=actor, programme_code=programme_code
    )
    return _view(programme_code, chain)


def _view(programme_code: str, chain: Chain) -> dict[str, Any]:
    return {
        "programme_code": programme_code,
        "levels": list(chain.levels),
        "overdue_working_days": chain.overdue_working_days,
        "version": chain.version,
    }
