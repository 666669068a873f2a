"""Pending work (待办): what the calling user may decide now, with the overdue flag."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter

from infra.clock import today_in_china
from infra.http.actor import CurrentActor
from services.approval.application.pending_work import pending_work
from services.approval.entrypoints.http import Approval

router = APIRouter(tags=["approval"])


@router.get("/work")
async def get_work(approval: Approval, actor: CurrentActor) -> dict[str, Any]:
    """The open approvals whose current level the caller may decide, the longest waiting
    first; ``overdue`` once a level waited more than its chain's working days (China's
    calendar; null while a year's holiday schedule is not entered)."""
    today = today_in_china(approval.clock)
    async with (await approval.projection()).transaction() as conn:
        items = await pending_work(conn, actor, today=today)
    return {"today": today.isoformat(), "items": [asdict(item) for item in items]}
