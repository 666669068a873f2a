"""What officials see of notices (Action.NOTICE_READ in the township): every notice of their
townships, confidential and waiting ones included, and one notice with its objections."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from contracts.working_days import ScheduleUnknown
from infra.http.actor import CurrentActor
from infra.http.errors import answering
from infra.identity.permissions import Action, authorize, division_prefix
from services.publicity.application.notice_detail import notice_detail
from services.publicity.application.notice_queries import township_notices
from services.publicity.domain import refusals as refuse
from services.publicity.entrypoints.http import Publicity
from services.publicity.entrypoints.http_objections import RosterId

router = APIRouter(tags=["publicity: officials"])


@router.get("/divisions/{code}/notices")
async def get_division_notices(
    publicity: Publicity,
    actor: CurrentActor,
    code: Annotated[str, Path(pattern=r"^[0-9]{6}([0-9]{3})?$")],
) -> dict[str, object]:
    """Every notice in a county or township: running, waiting for a year's working-day
    schedule (``waiting.code`` = ``working_day_schedule_unknown``), halted or completed."""
    authorize(actor, Action.NOTICE_READ, code)
    async with publicity.projections.transaction() as conn:
        rows = await township_notices(conn, division_prefix(code))
    return {"division_code": code, "notices": [_listed(row) for row in rows]}


def _listed(row: dict[str, Any]) -> dict[str, Any]:
    waiting = None
    if row["waiting_code"] and row["waiting_year"]:
        unknown = ScheduleUnknown(row["waiting_year"])
        waiting = {"code": unknown.code, "message": unknown.message, "year": unknown.year}
    return {
        "roster_id": row["roster_id"],
        "submission_no": row["submission_no"],
        "township_code": row["township_code"],
        "township_name": row["township_name"],
        "programme_name": row["programme_name"],
        "round_id": row["round_id"],
        "public": row["public"],
        "row_count": row["row_count"],
        "total_fen": row["total_fen"],
        "status": _status(row),
        "starts_on": row["starts_on"].isoformat() if row["starts_on"] else None,
        "ends_on": row["ends_on"].isoformat() if row["ends_on"] else None,
        "waiting": waiting,
    }


def _status(row: dict[str, Any]) -> str:
    if row["halted_at"]:
        return "halted"
    if row["completed_at"]:
        return "completed"
    if row["starts_on"]:
        return "open"
    return "awaiting_schedule" if row["waiting_code"] else "submitted"


@router.get("/notices/{roster_id}")
async def get_notice(publicity: Publicity, actor: CurrentActor, roster_id: RosterId) -> Any:
    """One roster's notice with every objection and its finding (the objector's contact
    masked); an unknown notice is answered 404 only to a role that may read notices."""
    found = await notice_detail(publicity.store, publicity.codec, roster_id)
    if found is None:
        authorize(actor, Action.NOTICE_READ, actor.jurisdiction_code)
        with answering():
            raise refuse.notice_not_found()
    notice, shown = found
    authorize(actor, Action.NOTICE_READ, notice.township_code)
    return shown
