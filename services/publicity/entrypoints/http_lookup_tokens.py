"""QR lookup tokens over HTTP, for clerks (``beneficiary.write`` over the person's village):
issue one (the earlier one stops working) and print it on a slip; revoke it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse, Response

from contracts.envelope import Actor
from infra.http.actor import CurrentActor
from infra.http.context import request_context
from infra.http.errors import answering
from infra.identity.permissions import Action, authorize
from services.publicity.application.lookup_tokens import issue_token, revoke_token
from services.publicity.application.people_queries import Person, person_by_id
from services.publicity.domain import refusals as refuse
from services.publicity.entrypoints.http import Publicity
from services.publicity.entrypoints.http_lookup_common import Lookup, LookupApp
from services.publicity.entrypoints.pages import HEADERS, page

router = APIRouter(tags=["publicity: lookup tokens"])
BeneficiaryId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_:.\-]{1,64}$")]


async def _person(lookup: LookupApp, actor: Actor, beneficiary_id: str) -> Person:
    async with lookup.deps.projections.transaction() as conn:
        person = await person_by_id(conn, beneficiary_id)
    if person is None:
        authorize(actor, Action.BENEFICIARY_WRITE, actor.jurisdiction_code)
        with answering():
            raise refuse.beneficiary_not_found()
    authorize(actor, Action.BENEFICIARY_WRITE, person.village_code)
    return person


@router.post("/beneficiaries/{beneficiary_id}/lookup-token", status_code=201, response_model=None)
async def post_lookup_token(
    request: Request,
    publicity: Publicity,
    lookup: Lookup,
    actor: CurrentActor,
    beneficiary_id: BeneficiaryId,
) -> Response:
    """A new QR token (新的查询二维码): JSON, or the slip to print when a page asked."""
    person = await _person(lookup, actor, beneficiary_id)
    deps = lookup.deps
    with answering():
        token = await issue_token(
            store=deps.store,
            codec=deps.codec,
            secrets=deps.secrets,
            beneficiary_id=beneficiary_id,
            context=request_context(actor, None),
        )
    address = str(request.base_url).rstrip("/") + f"/lookup/qr/{token}"
    qr = lookup.qr.svg(address)
    if "text/html" in request.headers.get("accept", ""):
        return page(
            "qr_slip.html",
            status=201,
            reporting=publicity.reporting,
            address=address,
            qr=qr,
            masked_name=person.masked_name,
        )
    body = {"beneficiary_id": beneficiary_id, "address": address, "qr_svg": qr}
    return JSONResponse(body, status_code=201, headers=HEADERS)


@router.delete("/beneficiaries/{beneficiary_id}/lookup-token")
async def delete_lookup_token(
    lookup: Lookup, actor: CurrentActor, beneficiary_id: BeneficiaryId
) -> dict[str, object]:
    """Revoke the current QR token (挂失作废): its printed code stops working at once."""
    await _person(lookup, actor, beneficiary_id)
    deps = lookup.deps
    with answering():
        revoked = await revoke_token(
            store=deps.store,
            codec=deps.codec,
            beneficiary_id=beneficiary_id,
            context=request_context(actor, None),
        )
    return {"beneficiary_id": beneficiary_id, "revoked": revoked}
