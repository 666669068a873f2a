"""The working-day calendar over HTTP: an administrator enters the official schedule of a
year the calendar package does not know yet (Action.CALENDAR_WRITE); anyone may read which
schedule a year is counted with."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Header, Path
from pydantic import BaseModel, ConfigDict, Field

from infra.http.actor import CurrentActor
from infra.http.context import request_context
from infra.http.errors import answering
from infra.identity.permissions import Action, authorize
from services.publicity.application.calendar import enter_schedule, entered_schedule
from services.publicity.application.notice_clock import start_waiting_notices
from services.publicity.domain.schedule import EnterSchedule, package_knows
from services.publicity.entrypoints.http import Publicity

router = APIRouter(tags=["publicity: calendar"])
Year = Annotated[int, Path(ge=1900, le=2200)]


class ScheduleBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    holidays: list[date] = Field(max_length=60)
    """Days off that fall on weekdays (放假日期中的工作日)."""
    workdays: list[date] = Field(default_factory=list, max_length=20)
    """Weekend days that are working days (调休上班日)."""
    source: str = Field(min_length=1, max_length=200)
    """The State Council notice it comes from (文号、日期)."""


@router.post("/calendar/{year}", status_code=201)
async def post_schedule(
    publicity: Publicity,
    year: Year,
    body: ScheduleBody,
    actor: CurrentActor,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=128)] = None,
) -> dict[str, object]:
    """Enter a year's holiday schedule (录入节假日安排); notices waiting for it start now."""
    authorize(actor, Action.CALENDAR_WRITE, actor.jurisdiction_code)
    context = request_context(actor, idempotency_key)
    command = EnterSchedule(
        year=year,
        holidays=tuple(body.holidays),
        workdays=tuple(body.workdays),
        source=body.source.strip(),
    )
    with answering():
        result = await enter_schedule(
            store=publicity.store, codec=publicity.codec, command=command, context=context
        )
    started = await start_waiting_notices(
        store=publicity.store,
        codec=publicity.codec,
        projections=publicity.projections,
        clock=publicity.clock,
    )
    return {"year": year, "entered": result is not None, "notices_started": started}


@router.get("/calendar/{year}")
async def get_schedule(publicity: Publicity, year: Year) -> dict[str, object]:
    """Where a year's working days come from: ``package``, ``entered`` or ``unknown``."""
    if package_knows(year):
        return {"year": year, "source": "package"}
    entered, _ = await entered_schedule(publicity.store, publicity.codec, year)
    if entered is None:
        return {"year": year, "source": "unknown"}
    return {
        "year": year,
        "source": "entered",
        "holidays": [day.isoformat() for day in entered.holidays],
        "workdays": [day.isoformat() for day in entered.workdays],
        "reference": entered.source,
    }
