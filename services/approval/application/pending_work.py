"""Pending work (待办): the open approvals each user may decide now, oldest level first, each
flagged overdue once it waited more than its chain's working days (read from the
``approvals`` projection, ``projection.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.envelope import Actor
from contracts.working_days import ScheduleUnknown, WorkingCalendar
from contracts.zones import local_date
from infra.identity.permissions import Action, may, scope_of
from infra.projections.working_day_schedules import load_calendar
from services.approval.adapters.tables import approvals, working_day_schedules
from services.approval.domain.overdue import Waiting, waiting


@dataclass(frozen=True, slots=True)
class WorkItem:
    roster_id: str
    submission_no: int
    programme_code: str
    programme_name: str
    township_code: str
    township_name: str
    round_id: str
    row_count: int
    total_fen: int
    level: int
    level_count: int
    role: str
    opened_at: datetime
    level_entered_at: datetime
    working_days_waited: int | None
    overdue: bool | None
    """None when the working-day schedule of a year involved is not entered yet."""


async def pending_work(conn: AsyncConnection, actor: Actor, *, today: date) -> list[WorkItem]:
    """What ``actor`` may decide now: the level's role is theirs, their jurisdiction reaches
    the township, they did not prepare the roster and decided no other level of it."""
    scope = scope_of(actor)
    if scope is None:
        return []
    query = (
        select(approvals)
        .where(approvals.c.status == "open")
        .where(approvals.c.role == actor.role)
        .where(approvals.c.township_code.startswith(scope, autoescape=True))
        .order_by(approvals.c.level_entered_at, approvals.c.roster_id)
    )
    rows = (await conn.execute(query)).mappings().all()
    calendar = await load_calendar(conn, working_day_schedules)
    return [
        _item(row, today, calendar)
        for row in rows
        if may(actor, Action.ROSTER_APPROVE, row["township_code"])
        and actor.user_id not in row["prepared_by"]
        and actor.user_id not in row["deciders"]
    ]


def _item(row: Any, today: date, calendar: WorkingCalendar) -> WorkItem:
    opened_at, entered_at = _utc(row["opened_at"]), _utc(row["level_entered_at"])
    try:
        waited: Waiting | None = waiting(
            local_date(entered_at), today, row["overdue_working_days"], calendar
        )
    except ScheduleUnknown:
        waited = None
    return WorkItem(
        roster_id=row["roster_id"],
        submission_no=row["submission_no"],
        programme_code=row["programme_code"],
        programme_name=row["programme_name"],
        township_code=row["township_code"],
        township_name=row["township_name"],
        round_id=row["round_id"],
        row_count=row["row_count"],
        total_fen=row["total_fen"],
        level=row["level"],
        level_count=row["level_count"],
        role=row["role"],
        opened_at=opened_at,
        level_entered_at=entered_at,
        working_days_waited=None if waited is None else waited.working_days,
        overdue=None if waited is None else waited.overdue,
    )


def _utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
