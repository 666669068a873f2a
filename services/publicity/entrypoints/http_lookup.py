"""The beneficiary's own lookup (本人查询, 002 §3(2); 004 art.22): ID number and name, then a
one-time code sent by SMS to the phone on file; or a QR token, then the code. Pages for
people (forms, no login, no script) and the same as JSON for programs.

Asking for a code is answered the same whether or not the ID and name belong to anyone; a
wrong code, an expired or used one, and a code for nobody are answered alike. The SMS is
handed over after the answer is sent (a background task), so it never shows in its timing."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.background import BackgroundTask

from contracts.refusals import Refused
from infra.http.context import request_context
from infra.http.errors import ApiError
from services.publicity.application.lookup_codes import CodeAsked, request_code_by_id
from services.publicity.application.lookup_deps import LookupDeps
from services.publicity.application.lookup_streams import PUBLIC
from services.publicity.application.lookup_tokens import request_code_by_token
from services.publicity.application.lookup_verify import verify_code
from services.publicity.application.own_payments import payments_of
from services.publicity.application.people_queries import person_by_id
from services.publicity.domain.lookup_events import Via
from services.publicity.entrypoints.http import Publicity, PublicityApp
from services.publicity.entrypoints.http_lookup_common import (
    Lookup,
    client_of,
    read_body,
    wants_page,
)
from services.publicity.entrypoints.pages import page

router = APIRouter(tags=["publicity: lookup"])
Token = Annotated[str, Path(pattern=r"^[A-Za-z0-9_\-]{16,64}$")]
CODE_SENT = (
    "如果您填写的身份证号码和姓名与登记信息一致，验证码已发送至登记的手机号码，"
    "5分钟内有效。未收到短信的，请核对后重新获取，或联系乡镇（街道）财政所。"
)


class CodeBody(BaseModel):
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    citizen_id: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=50)


class VerifyBody(BaseModel):
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    challenge: str = Field(min_length=1, max_length=200)
    code: str = Field(min_length=1, max_length=12)
    via: Via = "form"


@router.get("/lookup", response_class=HTMLResponse)
async def get_lookup_form(publicity: Publicity) -> HTMLResponse:
    """The lookup form (补贴发放情况查询): ID number and name."""
    return page("lookup_form.html", reporting=publicity.reporting, token=None)


@router.post("/lookup/code", status_code=202, response_model=None)
async def post_lookup_code(request: Request, publicity: Publicity, lookup: Lookup) -> Response:
    """Ask for a code by ID number and name; the answer never says whether they match."""
    as_page = wants_page(request)
    context = request_context(PUBLIC, None)
    try:
        body = await read_body(request, CodeBody, as_form=as_page)
        asked = await request_code_by_id(
            deps=lookup.deps,
            citizen_id=body.citizen_id,
            name=body.name,
            client=client_of(request),
            context=context,
        )
    except Refused as refused:
        return _refused(publicity, refused, as_page=as_page)
    return _code_sent(publicity, lookup.deps, asked, "form", as_page=as_page)


@router.get("/lookup/qr/{token}", response_class=HTMLResponse)
async def get_qr_page(publicity: Publicity, token: Token) -> HTMLResponse:
    """The page a QR code opens: a button that sends a code to the phone on file."""
    return page("lookup_form.html", reporting=publicity.reporting, token=token)


@router.post("/lookup/qr/{token}/code", status_code=202, response_model=None)
async def post_qr_code(
    request: Request, publicity: Publicity, lookup: Lookup, token: Token
) -> Response:
    """Ask for a code for the QR token's beneficiary (404 for a token revoked or replaced)."""
    as_page = wants_page(request)
    context = request_context(PUBLIC, None)
    try:
        asked = await request_code_by_token(
            deps=lookup.deps, token=token, client=client_of(request), context=context
        )
    except Refused as refused:
        return _refused(publicity, refused, as_page=as_page)
    return _code_sent(publicity, lookup.deps, asked, "qr", as_page=as_page)


@router.post("/lookup/verify", response_model=None)
async def post_lookup_verify(request: Request, publicity: Publicity, lookup: Lookup) -> Response:
    """Give the code: the person's own payments of public programmes, shown once."""
    as_page = wants_page(request)
    context = request_context(PUBLIC, None)
    try:
        body = await read_body(request, VerifyBody, as_form=as_page)
        beneficiary_id = await verify_code(
            deps=lookup.deps,
            challenge=body.challenge,
            code=body.code,
            via=body.via,
            client=client_of(request),
            context=context,
        )
    except Refused as refused:
        return _refused(publicity, refused, as_page=as_page)
    shown = await _own(lookup.deps, beneficiary_id)
    if as_page:
        return page("lookup_result.html", reporting=publicity.reporting, **shown)
    return JSONResponse(_as_json(shown), headers={"Cache-Control": "no-store"})


def _code_sent(
    publicity: PublicityApp, deps: LookupDeps, asked: CodeAsked, via: Via, *, as_page: bool
) -> Response:
    sms = asked.sms
    task = None
    if sms is not None:
        task = BackgroundTask(
            deps.sender.send, message_id=sms.message_id, phone=sms.phone, text=sms.text
        )
    if as_page:
        answer = page(
            "lookup_code.html",
            status=202,
            reporting=publicity.reporting,
            challenge=asked.challenge,
            via=via,
            message=CODE_SENT,
        )
        answer.background = task
        return answer
    body = {"challenge": asked.challenge, "message": CODE_SENT}
    return JSONResponse(
        body, status_code=202, headers={"Cache-Control": "no-store"}, background=task
    )


def _refused(publicity: PublicityApp, refused: Refused, *, as_page: bool) -> Response:
    if as_page:
        return page(
            "lookup_refused.html",
            status=refused.status,
            reporting=publicity.reporting,
            refused=refused,
        )
    raise ApiError(refused.status, refused.code, refused.message)


async def _own(deps: LookupDeps, beneficiary_id: str) -> dict[str, Any]:
    async with deps.projections.transaction() as conn:
        person = await person_by_id(conn, beneficiary_id)
        payments = await payments_of(conn, [beneficiary_id])
    return {
        "masked_name": person.masked_name if person else "",
        "masked_citizen_id": person.masked_citizen_id if person else "",
        "payments": payments,
    }


def _as_json(shown: dict[str, Any]) -> dict[str, Any]:
    payments = [
        {
            "programme_name": p.programme_name,
            "round_id": p.round_id,
            "amount_fen": p.amount_fen,
            "status": p.status,
            "status_name": p.status_name,
            "paid_on": p.paid_on.isoformat() if p.paid_on else None,
            "masked_account": p.masked_account,
        }
        for p in shown["payments"]
    ]
    person = {"masked_name": shown["masked_name"], "masked_citizen_id": shown["masked_citizen_id"]}
    return {"beneficiary": person, "payments": payments}
