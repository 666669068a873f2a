"""The roster HTTP API (发放清册): draft, read the summary, download the template and the
rejected rows, remove a row, submit, withdraw. Uploads as import jobs are in
``http_roster_imports``, rows typed one at a time in ``http_roster_rows``; both routers are
included in this one.

Every route acts on the roster's township: reading needs ``roster.read`` there, changing it
``roster.write``, checked before any work. The rejected rows hold personal data in full: each
download is in the query log before it is answered.
"""

from __future__ import annotations

import io
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from contracts.refusals import Refused
from infra.http.actor import CurrentActor
from infra.http.context import request_context
from infra.http.errors import ApiError, answering
from infra.identity.permissions import Action, authorize
from infra.identity.query_log import REJECTED_ROWS_EXPORT
from services.registry.adapters.roster_export import (
    template_csv,
    write_rejected_rows,
    write_template_xlsx,
)
from services.registry.application.catalogue import load_programme
from services.registry.application.roster_commands import (
    draft_roster,
    load_roster,
    remove_row,
    withdraw_roster,
)
from services.registry.application.roster_submission import submit_roster
from services.registry.application.rows_to_fix import rows_to_fix
from services.registry.domain.roster import DraftRoster, RemoveRow, Roster, WithdrawRoster
from services.registry.entrypoints.http import IdempotencyKey, Registry, RosterId
from services.registry.entrypoints.http_access import authorized_roster, log_read
from services.registry.entrypoints.http_roster_imports import ImportJobs
from services.registry.entrypoints.http_roster_imports import router as imports_router
from services.registry.entrypoints.http_roster_rows import router as rows_router

__all__ = ["ImportJobs", "router"]

router = APIRouter(tags=["rosters"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class DraftBody(BaseModel):
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    roster_id: str = Field(pattern=r"^[A-Za-z0-9_\-]{1,48}$")
    programme_code: str = Field(min_length=1, max_length=32)
    township_code: str = Field(pattern=r"^\d{9}$")
    round_id: str = Field(pattern=r"^[A-Za-z0-9_\-.]{1,32}$")


class ReasonBody(BaseModel):
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    reason: str = Field(min_length=1, max_length=200)


@router.get("/rosters/template.xlsx", response_class=Response)
async def get_template_xlsx(actor: CurrentActor) -> Response:
    """The roster template (发放清册模板) with the standard Chinese headers."""
    buffer = io.BytesIO()
    write_template_xlsx(buffer)
    headers = {"Content-Disposition": "attachment; filename*=UTF-8''roster-template.xlsx"}
    return Response(buffer.getvalue(), media_type=XLSX, headers=headers)


@router.get("/rosters/template.csv", response_class=Response)
async def get_template_csv(actor: CurrentActor) -> Response:
    headers = {"Content-Disposition": "attachment; filename*=UTF-8''roster-template.csv"}
    return Response(template_csv(), media_type="text/csv; charset=utf-8", headers=headers)


@router.post("/rosters", status_code=201)
async def post_roster(
    body: DraftBody, registry: Registry, actor: CurrentActor, idempotency_key: IdempotencyKey = None
) -> dict[str, object]:
    """Draft a roster of one programme (at its current catalogue version), township, round."""
    authorize(actor, Action.ROSTER_WRITE, body.township_code)
    with answering():
        record = await load_programme(
            store=registry.store, codec=registry.codec, code=body.programme_code
        )
        if record is None:
            raise Refused("programme_unknown", f"补贴项目 {body.programme_code} 不存在", status=404)
        command = DraftRoster(
            body.roster_id,
            body.programme_code,
            record.programme.version,
            body.township_code,
            body.round_id,
        )
        result = await draft_roster(
            store=registry.store,
            codec=registry.codec,
            command=command,
            context=request_context(actor, idempotency_key),
        )
    return {
        "roster_id": body.roster_id,
        "programme_version": record.programme.version,
        "drafted": result is not None,
    }


@router.get("/rosters/{roster_id}")
async def get_roster(
    roster_id: RosterId, registry: Registry, actor: CurrentActor
) -> dict[str, object]:
    """The roster's header, status, submission and counts per verdict and rule; when it was
    returned, who returned it (approval or an objection), why, and the rows named."""
    await authorized_roster(registry, actor, roster_id, Action.ROSTER_READ)
    state, _ = await load_roster(registry.store, registry.codec, roster_id)
    if state is None:
        raise ApiError(404, "roster_not_found", "清册不存在")
    return _roster_view(state)


def _roster_view(state: Roster) -> dict[str, object]:
    verdicts = [row.verdict for row in state.rows.values()]
    by_rule: dict[str, int] = {}
    for row in state.rows.values():
        for rule in row.rules:
            by_rule[rule] = by_rule.get(rule, 0) + 1
    returned = state.last_return
    return {
        "roster_id": state.roster_id,
        "programme_code": state.programme_code,
        "programme_version": state.programme_version,
        "township_code": state.township_code,
        "round_id": state.round_id,
        "status": state.status,
        "submission_no": state.submissions,
        "returned": None
        if returned is None
        else {
            "submission_no": returned.submission_no,
            "by": returned.by,
            "reasons": list(returned.reasons),
            "row_nos": list(returned.row_nos),
        },
        "rows": len(verdicts),
        "accepted": verdicts.count("accepted"),
        "warned": verdicts.count("warned"),
        "rejected": verdicts.count("rejected"),
        "by_rule": dict(sorted(by_rule.items())),
        "payable_fen": state.payable_fen,
    }


@router.get("/rosters/{roster_id}/rejected.xlsx", response_class=Response)
async def get_rejected_rows(
    roster_id: RosterId, request: Request, registry: Registry, actor: CurrentActor
) -> Response:
    """The rejected (and returned) rows as an .xlsx to fix and import again, each with its
    rule codes and Chinese reasons; its 行号 column is the roster row number the fixed row
    replaces. Personal data in full: the download is in the query log first."""
    await authorized_roster(registry, actor, roster_id, Action.ROSTER_READ)
    rows = await rows_to_fix(registry.store, registry.codec, roster_id)
    row_nos = [line.line_no for line, _ in rows]
    await log_read(
        registry,
        request,
        actor,
        kind=REJECTED_ROWS_EXPORT,
        subject_ids=[roster_id],
        row_nos=row_nos,
    )
    buffer = io.BytesIO()
    write_rejected_rows(buffer, rows)
    name = f"roster-{roster_id}-rejected.xlsx"
    headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{name}"}
    return Response(buffer.getvalue(), media_type=XLSX, headers=headers)


@router.post("/rosters/{roster_id}/rows/{row_no}/removal")
async def post_removal(
    roster_id: RosterId,
    row_no: Annotated[int, Path(ge=1)],
    body: ReasonBody,
    registry: Registry,
    actor: CurrentActor,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, object]:
    await authorized_roster(registry, actor, roster_id, Action.ROSTER_WRITE)
    command = RemoveRow(roster_id, row_no, body.reason)
    with answering():
        result = await remove_row(
            store=registry.store,
            codec=registry.codec,
            command=command,
            context=request_context(actor, idempotency_key),
        )
    return {"roster_id": roster_id, "row_no": row_no, "removed": result is not None}


@router.post("/rosters/{roster_id}/submission")
async def post_submission(
    roster_id: RosterId,
    registry: Registry,
    actor: CurrentActor,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, object]:
    """Submit the roster for public notice (提交公示): every row must have passed; a roster
    returned to its makers is submitted again under the next submission number."""
    await authorized_roster(registry, actor, roster_id, Action.ROSTER_WRITE)
    with answering():
        result = await submit_roster(
            store=registry.store,
            codec=registry.codec,
            roster_id=roster_id,
            context=request_context(actor, idempotency_key),
        )
    return {"roster_id": roster_id, "submitted": result is not None}


@router.post("/rosters/{roster_id}/withdrawal")
async def post_withdrawal(
    roster_id: RosterId,
    body: ReasonBody,
    registry: Registry,
    actor: CurrentActor,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, object]:
    await authorized_roster(registry, actor, roster_id, Action.ROSTER_WRITE)
    with answering():
        result = await withdraw_roster(
            store=registry.store,
            codec=registry.codec,
            command=WithdrawRoster(roster_id, body.reason),
            context=request_context(actor, idempotency_key),
        )
    return {"roster_id": roster_id, "withdrawn": result is not None}


router.include_router(imports_router)
router.include_router(rows_router)
