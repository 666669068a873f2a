"""Rounds overdue in notice or approval, for the supervisors' dashboards: notices still up
after their last day, and rosters whose notice completed but whose approval has waited more
working days than a level is allowed (``domain.overdue``), since the notice completed or
the last level signed."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from contracts.working_days import ScheduleUnknown, WorkingCalendar
from services.publicity.adapters.disclosure_tables import approval_rounds
from services.publicity.application.notice_queries import completed_notices, overdue_notices
from services.publicity.application.stored_time import china_date
from services.publicity.domain.overdue import waited


async def notices_overdue(
    conn: AsyncConnection, division_prefix: str, today: date
) -> list[dict[str, Any]]:
    return [
        {
            **_round(row),
            "ends_on": row["ends_on"].isoformat(),
            "days_past": (today - row["ends_on"]).days,
        }
        for row in await overdue_notices(conn, division_prefix, today)
    ]


async def approvals_overdue(
    conn: AsyncConnection, division_prefix: str, today: date, calendar: WorkingCalendar
) -> list[dict[str, Any]]:
    """Rosters through their notice, neither approved nor sent back, waiting too long."""
    completed = await completed_notices(conn, division_prefix)
    decisions = await _decisions(conn, [row["roster_id"] for row in completed])
    shown = []
    for row in completed:
        decided = decisions.get((row["roster_id"], row["submission_no"]), {})
        if decided.get("approved_at") or decided.get("sent_back_at"):
            continue
        entered = max(m for m in (row["completed_at"], decided.get("last_level_at")) if m)
        since = china_date(entered)
        try:
            wait = waited(since, today, calendar)
        except ScheduleUnknown as unknown:
            shown.append(
                {**_round(row), "waiting_since": since.isoformat(), "unknown": unknown.code}
            )
            continue
        if wait.overdue:
            shown.append(
                {
                    **_round(row),
                    "waiting_since": since.isoformat(),
                    "working_days": wait.working_days,
                }
            )
    return shown


async def _decisions(
    conn: AsyncConnection, roster_ids: list[str]
) -> dict[tuple[str, int], dict[str, Any]]:
    result = await conn.execute(
        select(approval_rounds).where(approval_rounds.c.roster_id.in_(roster_ids))
    )
    return {(row["roster_id"], row["submission_no"]): dict(row) for row in result.mappings()}


def _round(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "roster_id": row["roster_id"],
        "submission_no": row["submission_no"],
        "township_code": row["township_code"],
        "township_name": row["township_name"],
        "programme_code": row["programme_code"],
        "programme_name": row["programme_name"],
        "round_id": row["round_id"],
    }
