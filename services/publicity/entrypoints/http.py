"""The publicity HTTP API, shared parts: the service's objects, the error mapping, the command
context of a request; and the village register (read only)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request

from infra.clock import Clock
from infra.eventcodec import EventCodec
from infra.eventstore.port import EventStore
from infra.projections.database import ProjectionDatabase
from services.publicity.adapters.rate_limit import ObjectionLimits
from services.publicity.application.village_register import village_register_of

router = APIRouter(tags=["publicity"])


@dataclass(frozen=True)
class ReportingChannel:
    """Where the public reports (002 §3(2): 设立举报电话), printed on every notice."""

    phone: str
    address: str | None


@dataclass(frozen=True)
class PublicityApp:
    store: EventStore
    codec: EventCodec
    projections: ProjectionDatabase
    clock: Clock
    reporting: ReportingChannel
    limits: ObjectionLimits


def publicity_app(request: Request) -> PublicityApp:
    app: PublicityApp = request.app.state.publicity
    return app


Publicity = Annotated[PublicityApp, Depends(publicity_app)]


@router.get("/villages/{village_code}/register")
async def get_village_register(
    publicity: Publicity,
    village_code: Annotated[str, Path(pattern=r"^[0-9]{12}$")],
) -> dict[str, object]:
    """Who is registered in a village, names masked as public notices show them."""
    async with publicity.projections.transaction() as conn:
        people = await village_register_of(conn, village_code)
    return {"village_code": village_code, "beneficiaries": people}
