"""Objections over HTTP: the public form (HTML form or JSON, no login, rate-limited per
client address and per row) and an official's finding."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from contracts.envelope import Actor
from contracts.masking import mask_phone
from contracts.pii import PhoneNo, PiiError
from contracts.refusals import Refused
from infra.clock import today_in_china
from infra.http.actor import CurrentActor
from infra.http.context import request_context
from infra.http.errors import ApiError, answering
from services.publicity.application.notice_queries import BoardRow
from services.publicity.application.objections import file_objection, resolve_objection
from services.publicity.domain import refusals as refuse
from services.publicity.domain.objections import FileObjection, ResolveObjection
from services.publicity.entrypoints.http import Publicity, PublicityApp
from services.publicity.entrypoints.pages import page

router = APIRouter(tags=["publicity: objections"])
RosterId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_:.\-]{1,64}$")]
PUBLIC: Actor = Actor(user_id="public", role="public", jurisdiction_code=None)
"""Who files through the public form: anyone; the filer's contact, if given, is in the event."""


FIELD_NAMES = {
    "submission_no": "公示批次",
    "row_no": "序号",
    "reason": "异议内容（2至500字）",
    "contact_name": "联系人",
    "contact_phone": "联系电话",
    "form_token": "表单",
}


class ObjectionBody(BaseModel):
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    submission_no: int = Field(ge=1)
    row_no: int | None = Field(default=None, ge=1)
    reason: str = Field(min_length=2, max_length=500)
    contact_name: str | None = Field(default=None, max_length=50)
    contact_phone: str | None = Field(default=None, max_length=20)
    form_token: str | None = Field(default=None, max_length=64)


@router.post("/notices/{roster_id}/objections", status_code=201, response_model=None)
async def post_objection(
    request: Request,
    publicity: Publicity,
    roster_id: RosterId,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=128)] = None,
) -> JSONResponse | HTMLResponse:
    """File an objection to a row under notice, or to the whole roster (提出异议). A form
    posts here from the notice page and gets a page back; JSON gets JSON."""
    as_form = not request.headers.get("content-type", "").startswith("application/json")
    try:
        body = await _body(request, as_form=as_form)
        key = idempotency_key or body.form_token
        answer = await _file(publicity, request, roster_id, body, key)
    except Refused as refused:
        if as_form:
            return page(
                "objection_received.html",
                status=refused.status,
                refused=refused,
                reporting=publicity.reporting,
            )
        raise ApiError(refused.status, refused.code, refused.message) from None
    if as_form:
        return page(
            "objection_received.html",
            status=201,
            refused=None,
            reporting=publicity.reporting,
            **answer,
        )
    return JSONResponse(_json_answer(answer), status_code=201)


async def _body(request: Request, *, as_form: bool) -> ObjectionBody:
    try:
        if as_form:
            form = await request.form()
            fields = {k: v for k, v in form.items() if isinstance(v, str) and v.strip()}
            return ObjectionBody.model_validate(fields)
        return ObjectionBody.model_validate_json(await request.body())
    except ValidationError as error:
        named = dict.fromkeys(
            FIELD_NAMES.get(str(e["loc"][0]) if e["loc"] else "", "内容") for e in error.errors()
        )
        raise Refused("invalid_request", f"请检查：{'、'.join(named)}") from None


async def _file(
    publicity: PublicityApp,
    request: Request,
    roster_id: str,
    body: ObjectionBody,
    key: str | None,
) -> dict[str, Any]:
    client = request.client.host if request.client else "unknown"
    target = f"{roster_id}/{body.row_no or '*'}"
    wait = publicity.limits.admit(client, target)
    if wait:
        raise refuse.too_many_objections(wait)
    context = request_context(PUBLIC, key and f"objection/{roster_id}/{key}")
    objection_id = "obj-" + hashlib.sha256(context.idempotency_key.encode()).hexdigest()[:20]
    command = FileObjection(
        objection_id=objection_id,
        roster_id=roster_id,
        submission_no=body.submission_no,
        row_no=body.row_no,
        reason=body.reason.strip(),
        contact_name=(body.contact_name or "").strip() or None,
        contact_phone=_phone(body.contact_phone),
        today=today_in_china(publicity.clock),
    )
    row = await file_objection(
        store=publicity.store,
        codec=publicity.codec,
        projections=publicity.projections,
        command=command,
        context=context,
    )
    phone = command.contact_phone
    return {
        "objection_id": objection_id,
        "roster_id": roster_id,
        "submission_no": body.submission_no,
        "row": row,
        "contact_phone": mask_phone(phone.reveal()) if phone else None,
    }


def _phone(raw: str | None) -> PhoneNo | None:
    if not raw or not raw.strip():
        return None
    try:
        return PhoneNo(raw.strip())
    except PiiError:
        raise refuse.invalid_phone() from None


def _json_answer(answer: dict[str, Any]) -> dict[str, Any]:
    row: BoardRow | None = answer["row"]
    shown = None
    if row is not None:
        shown = {
            "row_no": row.row_no,
            "masked_name": row.masked_name,
            "masked_citizen_id": row.masked_citizen_id,
            "village": row.village,
        }
    return {**answer, "row": shown, "message": "异议已收到，乡镇将核查您反映的情况"}


class FindingBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    upheld: bool
    finding: str = Field(min_length=1, max_length=200)


@router.post("/notices/{roster_id}/objections/{objection_id}/finding")
async def post_finding(
    publicity: Publicity,
    roster_id: RosterId,
    objection_id: Annotated[str, Path(max_length=64)],
    body: FindingBody,
    actor: CurrentActor,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=128)] = None,
) -> dict[str, object]:
    """Record the finding on an objection (异议核查结论). Upheld, the notice is taken down and
    the roster returns to its township to be corrected and submitted again."""
    context = request_context(actor, idempotency_key)
    command = ResolveObjection(
        roster_id=roster_id,
        objection_id=objection_id,
        upheld=body.upheld,
        finding=body.finding.strip(),
        today=today_in_china(publicity.clock),
    )
    with answering():
        result = await resolve_objection(
            store=publicity.store, codec=publicity.codec, command=command, context=context
        )
    return {"objection_id": objection_id, "upheld": body.upheld, "recorded": result is not None}
