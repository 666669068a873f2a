"""The approval chain (审核审批): each roster's levels signed off in order, each by a different
person — the township's finance auditor, the county department's reviewer, county finance —
each finding it in their own pending work (``GET /work``) first, as they would."""

from __future__ import annotations

from typing import Any

from infra.mainjob.desk import Desk
from infra.mainjob.rosters import Roster
from infra.mainjob.sessions import Session
from infra.mainjob.staff import Member
from infra.mainjob.workers import RoundFailed, each, until

LEVEL_WAIT = 300.0


async def approve_all(desk: Desk, rosters: list[Roster]) -> dict[str, list[str]]:
    """Every roster through its chain; roster id → the names of those who signed, in order."""
    signed: dict[str, list[str]] = {}

    async def chain(roster: Roster) -> None:
        staff = desk.staff
        levels = (staff.auditors[roster.township], staff.reviewer, staff.finance)
        signed[roster.roster_id] = [
            await _sign(desk, member, roster, level) for level, member in enumerate(levels, 1)
        ]

    await each(rosters, chain, in_flight=len(rosters))
    return signed


async def _sign(desk: Desk, member: Member, roster: Roster, level: int) -> str:
    session = desk.as_(member)
    item = await until(
        lambda: _pending(session, roster.roster_id, level),
        what=f"{roster.roster_id} in the pending work of {member.post}",
        timeout=LEVEL_WAIT,
    )
    body = {"submission_no": item["submission_no"], "level": level, "reason": "审核无误，同意"}
    answer = await session.call(
        "POST",
        "approval",
        f"/approvals/{roster.roster_id}/approve",
        json=body,
        key=desk.key(roster.roster_id, "approve", item["submission_no"], level),
    )
    if level == item["level_count"] and not answer.json()["batch_approved"]:
        raise RoundFailed(f"{roster.roster_id}: the last level did not approve the batch")
    return f"{member.name}（{member.post}）"


async def _pending(session: Session, roster_id: str, level: int) -> dict[str, Any] | None:
    work = (await session.call("GET", "approval", "/work")).json()
    return next(
        (i for i in work["items"] if i["roster_id"] == roster_id and i["level"] == level), None
    )
