"""The clear card of a household (明白卡, 004 art.29; 001 art.11(2)): a printable page of
the household's programmes, standards, amounts and dates, and how to complain; for the
clerks who hand it out (``beneficiary.read`` over the household's village). Masked like
every output; confidential programmes never printed; each print written to the query log."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse

from contracts.envelope import Actor
from infra.clock import today_in_china
from infra.http.actor import CurrentActor
from infra.http.context import current_correlation_uuid, request_now
from infra.http.errors import answering
from infra.identity.permissions import Action, authorize
from infra.identity.query_log import BENEFICIARY, record_read
from services.publicity.application.own_payments import payments_of
from services.publicity.application.people_queries import household_members
from services.publicity.domain import refusals as refuse
from services.publicity.entrypoints.http import Publicity, PublicityApp
from services.publicity.entrypoints.pages import HEADERS, page

router = APIRouter(tags=["publicity: clear card"])
HouseholdId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_:.\-]{1,64}$")]
Year = Annotated[int | None, Query(ge=2000, le=2200)]


async def _card(
    publicity: PublicityApp, request: Request, actor: Actor, household_id: str, year: int
) -> dict[str, Any]:
    async with publicity.projections.transaction() as conn:
        members = await household_members(conn, household_id)
        if not members:
            authorize(actor, Action.BENEFICIARY_READ, actor.jurisdiction_code)
            with answering():
                raise refuse.household_not_found()
        for member in members:
            authorize(actor, Action.BENEFICIARY_READ, member.village_code)
        payments = await payments_of(conn, [m.beneficiary_id for m in members], year=year)
    await record_read(
        store=publicity.store,
        actor=actor,
        kind=BENEFICIARY,
        subject_ids=[m.beneficiary_id for m in members],
        route=f"GET {request.url.path}",
        at=request_now(),
        correlation_id=current_correlation_uuid(),
        purpose="打印明白卡",
        client_address=request.client.host if request.client else None,
    )
    return {
        "household_id": household_id,
        "village_code": members[0].village_code,
        "year": year,
        "members": [
            {"masked_name": m.masked_name, "masked_citizen_id": m.masked_citizen_id}
            for m in members
        ],
        "payments": payments,
        "paid_fen": sum(p.amount_fen for p in payments if p.status == "paid"),
    }


@router.get("/households/{household_id}/clear-card", response_class=HTMLResponse)
async def get_clear_card(
    request: Request,
    publicity: Publicity,
    actor: CurrentActor,
    household_id: HouseholdId,
    year: Year = None,
) -> HTMLResponse:
    """The household's clear card for ``year`` (default: this year in China), to print."""
    shown_year = year or today_in_china(publicity.clock).year
    card = await _card(publicity, request, actor, household_id, shown_year)
    return page("clear_card.html", reporting=publicity.reporting, **card)


@router.get("/households/{household_id}/clear-card.json")
async def get_clear_card_json(
    request: Request,
    publicity: Publicity,
    actor: CurrentActor,
    household_id: HouseholdId,
    year: Year = None,
) -> JSONResponse:
    shown_year = year or today_in_china(publicity.clock).year
    card = await _card(publicity, request, actor, household_id, shown_year)
    payments = [
        {**asdict(p), "paid_on": p.paid_on.isoformat() if p.paid_on else None}
        for p in card["payments"]
    ]
    body = {**card, "payments": payments, "reporting": asdict(publicity.reporting)}
    return JSONResponse(body, headers=HEADERS)
